"""`tt-qwen-eval --trace`: tt_qwen's model decodes through a captured trace, scores exactly what
the untraced run scores, and says so in YT_METRICS. A capture crashes the mock device, and the
eval refuses the mock backend for accuracy before anything is built."""

import json

import pytest

from tt_qwen import eval as tt_eval

ARGS = ["--mode", "tt", "--model", "tiny-trained", "--prefill-len", "20", "--decode-len", "14", "--batch", "2"]


def _metrics(capsys, backend, tmp_path, *extra):
    code = tt_eval.main([*ARGS, "--backend", backend.name, *extra, "--report_dir", str(tmp_path / "reports"),
                         "--cache_dir", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads((tmp_path / "reports" / f"eval-tiny-trained-{backend.name}.json").read_text())["result"]
    return json.loads(out.split("YT_METRICS=")[1].splitlines()[0]), report


def test_traced_eval_reports_trace_and_scores_as_untraced(capsys, backend, needs_numbers, tmp_path):
    traced, traced_report = _metrics(capsys, backend, tmp_path, "--trace")
    untraced, untraced_report = _metrics(capsys, backend, tmp_path)
    assert traced["trace"] is True and untraced["trace"] is False
    for key in ("top1", "top5", "total"):
        assert traced[key] == untraced[key], f"{key}: traced {traced[key]} != untraced {untraced[key]}"
    assert traced_report["agreement"] == untraced_report["agreement"]
    assert traced_report["layer_pcc"]["decode"] == [], "a traced decode cannot be probed per layer"


def test_trace_with_a_bring_up_file_is_refused(capsys, tmp_path):
    code = tt_eval.main(["tests/e2e/bringup/qwen3_functional.py", "--trace", "--model", "tiny-trained", "--backend", "host",
                         "--report_dir", str(tmp_path), "--cache_dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "--trace: the model file tests/e2e/bringup/qwen3_functional.py" in err, err


@pytest.mark.parametrize("flag", ["--compare-ops"], ids=["trace-with-compare-ops"])
def test_trace_with_the_op_shadow_is_refused(capsys, tmp_path, flag):
    code = tt_eval.main(["--trace", flag, "--model", "tiny-trained", "--backend", "host",
                         "--report_dir", str(tmp_path), "--cache_dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "--trace with --compare-ops" in err, err
