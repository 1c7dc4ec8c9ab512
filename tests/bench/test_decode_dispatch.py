"""The real ttnn's host time per untraced decode step (ttnn 0.81.1 on a mock n150, program cache
warm), tt-qwen's model side by side with the independent functional bring-up
(tests/e2e/bringup/qwen3_functional.py) in the same run, at the Qwen3-0.6B dimensions.

On a card, untraced decode is bound by this host-side dispatch; on the mock no kernel runs, so the
figure is that dispatch alone. Each benchmark's extra_info carries the ttnn calls of one decode
step and of one decoder layer (counted on a separate step: the counting wrapper is not timed).

    .venv-mock/bin/python -m pytest -p no:cacheprovider -m mock --backend mock tests/bench/test_decode_dispatch.py

The goal (issue 13): tt-qwen's step at most 0.6x the functional file's, at batch 1.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from tests.bench.calls import count_decode_calls
from tt_qwen import build_model, zoo

pytestmark = [pytest.mark.mock, pytest.mark.benchmark]

# 4 layers at the full width: the per-layer dispatch is what differs between the two files; the
# embedding and the LM head (151936 wide) are the same few calls in both. README has the figures.
LAYERS = 4
CONFIG = {**zoo.QWEN3_0_6B_CONFIG, "num_hidden_layers": LAYERS}
POSITION, MAX_SEQ_LEN = 127, 256
BRINGUP_FILE = Path(__file__).parents[1] / "e2e" / "bringup" / "qwen3_functional.py"
MEANS: dict = {}  # (side, batch) -> mean seconds per step, for the ratio in tt-qwen's extra_info


@pytest.fixture(scope="module")
def hf_full_width(backend):
    if backend.name != "mock":
        pytest.skip(f"times the real ttnn's dispatch on a mock n150 (--backend mock), not {backend.name}")
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    return Qwen3ForCausalLM(Qwen3Config(**CONFIG)).eval()


def _functional_module():
    spec = importlib.util.spec_from_file_location("qwen3_functional_bench", BRINGUP_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Side:
    """One model ready to decode at POSITION: `step()` is one untraced decode step, `layers` its
    decoder layers and `layer_method` the name of the method one layer's decode runs in."""

    def __init__(self, name, model, step, layers, layer_method):
        self.name, self.model, self.step, self.layers, self.layer_method = name, model, step, layers, layer_method


@pytest.fixture(scope="module")
def sides(hf_full_width, backend):
    device, vocab = backend.device, CONFIG["vocab_size"]
    prompt = torch.arange(POSITION) % vocab
    built = {}
    functional = _functional_module().build_model(hf_full_width, device, MAX_SEQ_LEN)
    functional.prefill(prompt)
    built["functional", 1] = Side("functional", functional, lambda: functional.decode(torch.tensor([7]), POSITION),
                                  functional.layers, "__call__")
    for batch in (1, 32):
        ours = build_model(hf_full_width, device, MAX_SEQ_LEN, max_batch_size=batch)
        for user in range(batch):
            ours.prefill(prompt, user=user, last_token_only=True)
        tokens = torch.arange(batch) % vocab
        built["tt-qwen", batch] = Side("tt-qwen", ours, lambda m=ours, t=tokens: m.decode(t, [POSITION] * len(t)),
                                       ours.layers, "decode")
    yield built
    for side in built.values():
        if hasattr(side.model, "release"):
            side.model.release()


CASES = [pytest.param("functional", 1, id="functional-decode-batch1-bf16"),
         pytest.param("tt-qwen", 1, id="tt-qwen-decode-batch1-bf16"),
         pytest.param("tt-qwen", 32, id="tt-qwen-decode-batch32-bf16")]


@pytest.mark.parametrize("name, batch", CASES)
def test_untraced_decode_step_host_time(benchmark, sides, ttnn, monkeypatch, name, batch):
    side = sides[name, batch]
    side.step()  # compiles every program of the step: the timed rounds hit the program cache
    counts = count_decode_calls(ttnn, side.step, side.layers[0], side.layer_method, monkeypatch)
    benchmark.extra_info.update(side=name, batch=batch, layers=LAYERS, position=POSITION, backend="mock",
                                what="host time of the real ttnn 0.81.1 per untraced decode step", **counts)
    benchmark.pedantic(side.step, rounds=10, warmup_rounds=2)
    MEANS[name, batch] = benchmark.stats.stats.mean
    if name == "tt-qwen" and ("functional", 1) in MEANS:
        # The functional file decodes one user per step: batch 32 is compared with its batch-1 step.
        benchmark.extra_info["ratio_to_functional_batch1"] = round(MEANS[name, batch] / MEANS["functional", 1], 3)
