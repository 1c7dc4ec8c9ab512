"""tt_qwen.eval's result as tt-metal benchmark data: it validates, names the backend, states
accuracy in percent, and the targets command reads it (accuracy against the any-length entry)."""

from datetime import datetime, timezone

import pytest

from tt_qwen import benchmark_data, runner, targets

START, END = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc), datetime(2026, 12, 1, 10, 0, 9, tzinfo=timezone.utc)
RESULT = {"mode": "tt", "backend": "device", "model": "Qwen/Qwen3-0.6B", "batch": 1, "prefill_len": 100, "decode_len": 64,
          "trace": False, "top1": 0.953, "top5": 1.0, "prefill_seconds": 0.052, "tokens_per_second_per_user": 28.0}


def test_eval_result_becomes_a_valid_partial_run(tmp_path):
    [path] = benchmark_data.write_eval_run(RESULT, START, END, tmp_path)
    assert path.name == "partial_run_2026-12-01T10:00:00+0000.json"
    run = benchmark_data.load(path)
    assert run["run_type"] == "tt-qwen-device" and run["device_info"]["card_type"] == "n150"
    assert run["device_info"]["ttnn_verified_version"] == runner.VERIFIED_TTNN_VERSION
    values = {(m["step_name"], m["name"]): m["value"] for m in run["measurements"]}
    assert values[("inference_prefill", "time_to_token")] == pytest.approx(52.0)
    assert values[("inference_decode", "tokens/s/user")] == 28.0
    assert values[("inference_decode", "top1_token_accuracy")] == pytest.approx(95.3)
    assert run["input_sequence_length"] == 100 and run["output_sequence_length"] == 64


def test_hf_mode_writes_no_benchmark_data(tmp_path):
    assert benchmark_data.write_eval_run({**RESULT, "backend": "cpu", "mode": "hf"}, START, END, tmp_path) == []
    assert not list(tmp_path.iterdir())


def test_targets_judge_eval_accuracy_against_the_any_length_entry():
    run = benchmark_data.eval_run({**RESULT, "top1": 0.93}, START, END, runner.ttnn_identity("device"))
    rows, missing = targets.compare([run], targets.load_targets(), "wh_n150", targets.DEFAULT_TARGETS)
    assert missing == [], "a 100-token prompt has no entry of its own: the seq_len null entry takes it"
    accuracy = {r.metric: r for r in rows if r.metric in ("top1", "top5")}
    assert accuracy["top1"].target == 97 and accuracy["top1"].status == "report-only (would fail)"
    assert accuracy["top5"].status == "report-only (would pass)"


def test_eval_report_names_the_ttnn_that_ran():
    from tt_qwen import eval as tt_eval

    assert tt_eval._which_ttnn("host") == {"ttnn_version": "0.81.1", "tt_metal_commit": "", "ttnn_verified_version": "0.81.1"}
    assert tt_eval._which_ttnn("cpu") is None, "--mode hf ran no ttnn"
