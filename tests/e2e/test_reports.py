"""The regression view: a run compared with a baseline report."""

import copy
import json

from tt_qwen import reports


def _eval_report(tmp_path, name, **changes):
    result = {"model": "tiny-trained", "backend": "host", "mode": "tt", "model_file": "tt_qwen", "prefill_len": 32,
              "decode_len": 8, "batch": 1, "trace": False, "top1": 0.97, "top5": 1.0, "top5_tt_in_hf": 1.0, "total": 8,
              "prefill_seconds": 0.10, "decode_seconds_per_step": 0.020, "tokens_per_second_per_user": 50.0,
              "first_mismatch": None, "layer_pcc": {"prefill": [0.9999, 0.9998]}, "settings": {"max_seq_len": 64}}
    result.update(changes)
    paths = reports.write_eval_report(copy.deepcopy(result), tmp_path / name)
    return paths[0]


def test_identical_runs_do_not_regress(tmp_path):
    assert reports.compare_to_baseline(_eval_report(tmp_path, "a"), _eval_report(tmp_path, "b")) == []


def test_slower_decode_and_lower_accuracy_are_flagged(tmp_path):
    baseline = _eval_report(tmp_path, "a")
    current = _eval_report(tmp_path, "b", top1=0.90, decode_seconds_per_step=0.030, tokens_per_second_per_user=33.3)
    lines = reports.compare_to_baseline(baseline, current)
    assert any(line.startswith("eval:top1: 0.9700 -> 0.9000") for line in lines)
    assert any(line.startswith("eval:decode_seconds_per_step") for line in lines)


def test_changes_within_tolerance_pass(tmp_path):
    baseline = _eval_report(tmp_path, "a")
    current = _eval_report(tmp_path, "b", decode_seconds_per_step=0.022, tokens_per_second_per_user=45.5, top1=0.965)
    assert reports.compare_to_baseline(baseline, current) == []


def test_cli_exits_non_zero_on_regression_when_asked(tmp_path, capsys):
    baseline = _eval_report(tmp_path, "a")
    current = _eval_report(tmp_path, "b", prefill_seconds=1.0)
    assert reports.main(["compare", str(baseline), str(current)]) == 0
    assert reports.main(["compare", str(baseline), str(current), "--fail"]) == 1
    assert "REGRESSION: eval:prefill_seconds" in capsys.readouterr().out


def test_report_of_another_schema_is_refused(tmp_path, capsys):
    baseline = _eval_report(tmp_path, "a")
    document = json.loads(baseline.read_text())
    document["schema_version"] = 0
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    assert reports.main(["compare", str(old), str(baseline)]) == 2
    assert "schema_version 0" in capsys.readouterr().err
