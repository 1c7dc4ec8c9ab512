"""The regression view: a run compared with a baseline report; what a report shows."""

import copy
import json
from pathlib import Path

import pytest

from tt_qwen import reports


def _eval_report(tmp_path, name, **changes):
    result = {"model": "tiny-trained", "backend": "host", "mode": "tt", "model_file": "tt_qwen", "prefill_len": 32,
              "decode_len": 8, "batch": 1, "trace": False, "top1": 0.97, "top5": 1.0, "top5_tt_in_hf": 1.0, "total": 8,
              "prefill_seconds": 0.10, "decode_seconds_per_step": 0.020, "tokens_per_second_per_user": 50.0,
              "first_mismatch": None, "first_mismatch_user": None, "agreement": [[1] * 8],
              "reference_timing": {"what": "HF", "prefill_seconds": 0.05, "decode_seconds_per_step": 0.010},
              "layer_pcc": {"prefill": [0.9999, 0.9998]}, "settings": {"max_seq_len": 64}}
    result.update(changes)
    paths = reports.write_eval_report(copy.deepcopy(result), tmp_path / name)
    return paths[0]


def test_identical_runs_do_not_regress(tmp_path):
    assert reports.compare_to_baseline(_eval_report(tmp_path, "a"), _eval_report(tmp_path, "b")) == []


def test_slower_decode_and_lower_accuracy_are_flagged(tmp_path):
    baseline = _eval_report(tmp_path, "a", backend="device")
    current = _eval_report(tmp_path, "b", backend="device", top1=0.90, decode_seconds_per_step=0.030, tokens_per_second_per_user=33.3)
    lines = reports.compare_to_baseline(baseline, current)
    assert any(line.startswith("eval:top1: 0.9700 -> 0.9000") for line in lines)
    assert any(line.startswith("eval:decode_seconds_per_step") for line in lines)


def test_changes_within_tolerance_pass(tmp_path):
    baseline = _eval_report(tmp_path, "a")
    current = _eval_report(tmp_path, "b", decode_seconds_per_step=0.022, tokens_per_second_per_user=45.5, top1=0.965)
    assert reports.compare_to_baseline(baseline, current) == []


def test_cli_exits_non_zero_on_regression_when_asked(tmp_path, capsys):
    current = _eval_report(tmp_path, "b", prefill_seconds=1.0, backend="device")
    baseline = _eval_report(tmp_path, "a", backend="device")
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


def test_host_timings_are_not_compared_unless_asked(tmp_path):
    """The same command gave 4.4 to 40 t/s/u on a loaded host: raw host timings are noise."""
    baseline = _eval_report(tmp_path, "a")
    current = _eval_report(tmp_path, "b", decode_seconds_per_step=0.200, tokens_per_second_per_user=5.0, prefill_seconds=1.0)
    assert reports.compare_to_baseline(baseline, current) == []


def test_host_timings_when_asked_are_ratios_to_the_runs_own_yardstick(tmp_path):
    baseline = _eval_report(tmp_path, "a")
    loaded = {"what": "HF", "prefill_seconds": 0.50, "decode_seconds_per_step": 0.100}  # the machine 10x slower, for both
    under_load = _eval_report(tmp_path, "b", decode_seconds_per_step=0.200, prefill_seconds=1.0, reference_timing=loaded)
    assert reports.compare_to_baseline(baseline, under_load, timings=True) == []
    slower = _eval_report(tmp_path, "c", decode_seconds_per_step=0.030)  # same yardstick, 1.5x the time
    lines = reports.compare_to_baseline(baseline, slower, timings=True)
    assert len(lines) == 1 and lines[0].startswith("eval:decode_seconds_per_step/yardstick: 2 -> 3"), lines


@pytest.mark.parametrize("changes, named", [
    ({"model": "Qwen3-0.6B"}, "model 'tiny-trained' vs 'Qwen3-0.6B'"),
    ({"backend": "device"}, "backend 'host' vs 'device'"),
    ({"batch": 4}, "batch 1 vs 4"),
    ({"settings": {"max_seq_len": 128}}, "settings.max_seq_len 64 vs 128"),
], ids=["model", "backend", "batch", "max-seq-len"])
def test_runs_of_other_settings_model_or_backend_are_refused(tmp_path, capsys, changes, named):
    baseline, current = _eval_report(tmp_path, "a"), _eval_report(tmp_path, "b", **changes)
    with pytest.raises(ValueError, match="cannot compare runs whose settings, model or backend differ") as refused:
        reports.compare_to_baseline(baseline, current)
    assert named in str(refused.value)
    assert reports.main(["compare", str(baseline), str(current)]) == 2
    assert named in capsys.readouterr().err


def test_session_benchmarks_on_host_compare_as_ratios_to_their_geometric_mean(tmp_path):
    def session(name, means):
        records = [{"name": n, "stats": {"mean": m, "min": m, "rounds": 3}} for n, m in means.items()]
        return reports.write_session_report([], records, tmp_path / name, "host")[0]

    baseline = session("a", {"prefill": 0.10, "decode": 0.01, "embed": 0.001})
    loaded = session("b", {"prefill": 1.0, "decode": 0.1, "embed": 0.01})  # everything 10x: the machine, not the model
    assert reports.compare_to_baseline(baseline, loaded) == []
    assert reports.compare_to_baseline(baseline, loaded, timings=True) == []
    decode_regressed = session("c", {"prefill": 0.10, "decode": 0.02, "embed": 0.001})
    assert [line.split(":")[0] for line in reports.compare_to_baseline(baseline, decode_regressed, timings=True)] == ["decode"]


def test_markdown_shows_verdicts_first_mismatch_and_the_agreement_strip(tmp_path):
    path = _eval_report(tmp_path, "a", top1=0.5, batch=2, first_mismatch=1, first_mismatch_user=1,
                        agreement=[[1, 1, 1, 1], [1, 0, 0, 1]])
    markdown = path.with_suffix(".md").read_text()
    assert "| top1 | 0.5000 | 0.95 | **FAIL** |" in markdown and "| top5 | 1.0000 | 0.99 | pass |" in markdown
    assert "First mismatch at step 1 (user 1)." in markdown
    assert "user  0 ....\nuser  1 .xx." in markdown
    assert path.with_suffix(".png").stat().st_size > 10_000



EXAMPLES = Path(__file__).resolve().parents[2] / "reports" / "example"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_committed_example_report_is_of_the_current_schema(name, tmp_path):
    """reports/example documents the format: a schema bump must regenerate it, or the example lies."""
    example = reports.load_report(EXAMPLES / name)
    fresh = json.loads(_eval_report(tmp_path, "fresh").read_text())
    missing = sorted(set(fresh["result"]) - set(example["result"]))
    assert not missing, f"reports/example/{name} lacks {missing}: regenerate it with python -m tt_qwen.eval"
