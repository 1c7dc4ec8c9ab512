"""The main job, `python -m tt_qwen.eval`, as a user runs it."""

import json
import re

import pytest

from tt_qwen import eval as tt_eval
from tt_qwen import reports


def run(capsys, *args):
    code = tt_eval.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def report_dir(tmp_path):
    return tmp_path / "reports"


def test_default_run_prints_accuracy_and_yt_metrics_and_writes_reports(capsys, report_dir, backend, needs_numbers, tmp_path):
    code, out, err = run(capsys, "--model", "tiny-trained", "--backend", backend.name, "--max_new_tokens", "24",
                         "--report_dir", str(report_dir), "--cache_dir", str(tmp_path / "cache"))
    assert code == 0, err
    metrics = json.loads(next(line for line in out.splitlines() if line.startswith("YT_METRICS="))[len("YT_METRICS="):])
    assert list(metrics)[:8] == ["mode", "trace", "top1", "top5", "prefill_len", "decode_len", "batch", "total"]
    assert metrics["decode_len"] == 24 and metrics["total"] == 24 and metrics["backend"] == backend.name
    names = sorted(p.name for p in report_dir.iterdir())
    assert names == [f"eval-tiny-trained-{backend.name}.{ext}" for ext in ("json", "md", "png")]
    document = json.loads((report_dir / f"eval-tiny-trained-{backend.name}.json").read_text())
    assert document["schema_version"] == reports.SCHEMA_VERSION
    assert len(document["result"]["layer_pcc"]["prefill"]) == 2 and len(document["result"]["layer_pcc"]["decode"]) == 2


def test_automation_mode_with_synthetic_prompt_and_batch(capsys, report_dir, backend, needs_numbers, tmp_path):
    code, out, err = run(capsys, "--mode", "tt", "--model", "tiny-trained", "--backend", backend.name, "--prefill-len", "40",
                         "--decode-len", "8", "--batch", "3", "--report_dir", str(report_dir), "--cache_dir", str(tmp_path))
    assert code == 0, err
    metrics = json.loads(out.split("YT_METRICS=")[1].splitlines()[0])
    assert (metrics["prefill_len"], metrics["decode_len"], metrics["batch"], metrics["total"]) == (40, 8, 3, 24)


def test_hf_mode_scores_the_reference_against_itself(capsys, report_dir, tmp_path):
    code, out, err = run(capsys, "--mode", "hf", "--model", "tiny-trained", "--decode-len", "16",
                         "--report_dir", str(report_dir), "--cache_dir", str(tmp_path))
    assert code == 0, err
    metrics = json.loads(out.split("YT_METRICS=")[1].splitlines()[0])
    assert metrics["top1"] == 1.0 and metrics["mode"] == "hf"


def test_default_prompt_serves_a_batch_and_the_cache_is_built_for_it(capsys, report_dir, backend, needs_numbers, tmp_path):
    code, out, err = run(capsys, "--model", "tiny-trained", "--backend", backend.name, "--batch", "2", "--max_new_tokens", "4",
                         "--fail_below_floor", "--report_dir", str(report_dir), "--cache_dir", str(tmp_path))
    assert code == 0, err
    assert "KV cache for batch 2 x" in err
    result = json.loads(next(report_dir.glob("*.json")).read_text())["result"]
    assert result["batch"] == 2 and result["settings"]["max_batch_size"] == 2
    assert len(result["agreement"]) == 2 and len(result["agreement"][0]) == 4
    assert re.search(r"^top1 1.0000  floor 0.95  pass$", out, re.M), out  # a 2-user cache decodes right


def test_second_run_reuses_the_cached_reference_and_weights(capsys, report_dir, backend, needs_numbers, tmp_path, monkeypatch):
    args = ["--model", "tiny-trained", "--backend", backend.name, "--max_new_tokens", "8",
            "--report_dir", str(report_dir), "--cache_dir", str(tmp_path)]
    first = run(capsys, *args)
    assert first[0] == 0, first[2]
    weights = sorted((tmp_path / "weights").rglob("*"))
    assert len(list((tmp_path / "reference").iterdir())) == 1 and weights

    from transformers import Qwen3ForCausalLM

    def no_hf_pass(*_args, **_kwargs):
        raise AssertionError("the HF reference ran again instead of coming from the cache")

    monkeypatch.setattr(Qwen3ForCausalLM, "generate", no_hf_pass)
    second = run(capsys, *args)
    assert second[0] == 0, second[2]
    assert sorted((tmp_path / "weights").rglob("*")) == weights  # read back, nothing new written
    metrics = [json.loads(out.split("YT_METRICS=")[1].splitlines()[0]) for out in (first[1], second[1])]
    assert metrics[0]["top1"] == metrics[1]["top1"]


def test_accuracy_below_the_floor_fails_the_run_when_asked(capsys, report_dir, backend, needs_numbers, tmp_path, monkeypatch):
    from tt_qwen import thresholds

    monkeypatch.setitem(thresholds.ACCURACY, ("tiny-trained", "top1"), 1.01)  # a floor no run can reach
    args = ["--model", "tiny-trained", "--backend", backend.name, "--max_new_tokens", "4",
            "--report_dir", str(report_dir), "--cache_dir", str(tmp_path)]
    assert run(capsys, *args)[0] == 0
    code, out, _ = run(capsys, *args, "--fail_below_floor")
    assert code == 1 and "BELOW FLOOR: top1" in out
