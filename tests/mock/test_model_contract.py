"""The whole model on the real ttnn 0.81.1 (mock n150): no TT_FATAL, and the very same sequence
of calls and output specs as the host backend's run of the same model (made in a subprocess,
where `ttnn` is the host backend). A failure names the first call where the two disagree."""

import json
import subprocess
import sys

import pytest

from tt_qwen import zoo
from tt_qwen.optrace import first_difference, run_scenario

SCENARIOS = {
    "tiny-gqa2": ["prefill-seq33", "prefill-last-seq300", "chunked-prefill-seq300-chunk128", "decode-batch1-pos40",
                  "decode-batch32-pos40"],
    "tiny-hd128-mqa": ["prefill-seq100", "decode-batch32-pos63"],
    "qwen3-0.6b-1layer": ["prefill-seq300", "prefill-last-seq2048", "chunked-prefill-seq300-chunk128", "decode-batch1-pos300"],
}
CASES = [(model, scenario) for model, scenarios in SCENARIOS.items() for scenario in scenarios]
MAX_SEQ_LEN = 2048
_HF = {}


def _hf(name):
    if name not in _HF:
        _HF[name] = zoo.load_hf_model(zoo.resolve(name)[0])
    return _HF[name]


def host_trace(model: str, scenario: str, tmp_path) -> list[dict]:
    out = tmp_path / "host.json"
    command = [sys.executable, "-m", "tt_qwen.optrace", "--backend", "host", "--model", model,
               "--scenario", scenario, "--max_seq_len", str(MAX_SEQ_LEN), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, f"host run failed:\n{done.stderr[-3000:]}"
    return json.loads(out.read_text())


@pytest.mark.parametrize("model, scenario", CASES, ids=[f"{m}-{s}" for m, s in CASES])
def test_model_calls_match_the_host_backend_call_for_call(model, scenario, ttnn, device, tmp_path, record_property):
    real = run_scenario(ttnn, device, _hf(model), scenario, MAX_SEQ_LEN)
    ours = host_trace(model, scenario, tmp_path)
    record_property("calls", len(real))
    (tmp_path / "mock.json").write_text(json.dumps(real, indent=1))
    difference = first_difference(ours, real)
    assert difference is None, f"{model} {scenario}: {difference}\n(traces in {tmp_path})"
