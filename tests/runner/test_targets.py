"""The targets command: measured against model_targets.yaml-form targets, with tolerance and
status, and one line for each kind of bad input."""

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tt_qwen import benchmark_data, runner, targets

ROOT = Path(__file__).parents[2]
START = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)
IDENTITY = runner.TTNNIdentity("device", "0.81.1", None)


def _decode_run(model="Qwen/Qwen3-0.6B", per_user=28.0, batch=1, position=127):
    timings = {"step": "inference_decode", "model": model, "batch": batch, "position": position, "time_mean_s": 1.0 / per_user}
    return benchmark_data.benchmark_run("t::decode", timings, START, START, "device", IDENTITY)


def _prefill_run(model="Qwen/Qwen3-0.6B", ttft_ms=52.0, length=128):
    timings = {"step": "inference_prefill", "model": model, "prompt_len": length, "time_mean_s": ttft_ms / 1000.0}
    return benchmark_data.benchmark_run("t::prefill", timings, START, START, "device", IDENTITY)


def _active(path: Path, status="active") -> Path:
    """The shipped targets with the batch-1 / 128 entry made `status`."""
    text = targets.DEFAULT_TARGETS.read_text()
    marker = "          - batch_size: 1\n            seq_len: 128\n            status: TODO"
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("TODO", status)))
    return path


@pytest.mark.parametrize("measured, target, lower, status", [
    (52.0, 52.0, True, "pass"), (59.0, 52.0, True, "pass"), (60.0, 52.0, True, "fail"),
    (40.0, 52.0, True, "too fast: update target"), (28.0, 28.0, False, "pass"), (23.0, 28.0, False, "fail"),
    (33.0, 28.0, False, "too fast: update target"),
], ids=["ttft-on-target", "ttft-within-15pct", "ttft-slow", "ttft-too-fast", "tsu-on-target", "tsu-slow", "tsu-too-fast"])
def test_perf_band_is_target_plus_minus_tolerance(measured, target, lower, status):
    assert targets.judge(measured, target, 0.15, lower, "perf") == status


def test_accuracy_fails_below_its_band_and_is_never_too_fast():
    assert targets.judge(96.0, 97.0, targets.ACCURACY_TOLERANCE, False, "accuracy") == "pass"
    assert targets.judge(94.0, 97.0, targets.ACCURACY_TOLERANCE, False, "accuracy") == "fail"
    assert targets.judge(100.0, 97.0, targets.ACCURACY_TOLERANCE, False, "accuracy") == "pass"


def test_todo_entries_are_report_only():
    rows, missing = targets.compare([_prefill_run(ttft_ms=80.0), _decode_run(per_user=28.5)], targets.load_targets(),
                                    "wh_n150", targets.DEFAULT_TARGETS)
    assert not missing
    status = {r.metric: r.status for r in rows}
    assert status["prefill_time_to_first_token"] == "report-only (would fail)"
    assert status["decode_t/s/u"] == "report-only (would pass)"
    assert status["prefill_t/s"] == status["decode_t/s"] == "report-only (no target yet)"
    assert not any(r.failed for r in rows)


def test_active_entry_fails_and_too_fast_fails_too(tmp_path):
    path = _active(tmp_path / "targets.yaml")
    rows, _ = targets.compare([_prefill_run(ttft_ms=80.0), _decode_run(per_user=40.0)], targets.load_targets(path), "wh_n150", path)
    status = {r.metric: r for r in rows}
    assert status["prefill_time_to_first_token"].status == "fail" and status["prefill_time_to_first_token"].failed
    assert status["decode_t/s/u"].status == "too fast: update target" and status["decode_t/s/u"].failed


def test_command_prints_the_table_of_a_saved_run_and_fails_when_asked(tmp_path):
    runs = tmp_path / "benchmark_data"
    for run in (_prefill_run(ttft_ms=80.0), _decode_run(per_user=27.0)):
        benchmark_data.save_partial_run(run, runs)
    assert len(list(runs.glob("partial_run_*.json"))) == 2, "two runs in the same second keep separate files"
    report_only = _command(runs)
    assert report_only.returncode == 0, report_only.stderr
    lines = report_only.stdout.splitlines()
    assert lines[0].split() == ["model", "backend", "batch", "seq_len", "metric", "measured", "target", "tolerance", "status"]
    assert any("prefill_time_to_first_token" in line and "80" in line and "52" in line and "+/-15%" in line and "report-only (would fail)" in line for line in lines)
    active = _active(tmp_path / "targets.yaml")
    assert _command(runs, "--targets", str(active)).returncode == 0, "without --fail a failure is printed, not fatal"
    failing = _command(runs, "--targets", str(active), "--fail")
    assert failing.returncode == 1 and "| fail" not in failing.stdout and " fail" in failing.stdout


@pytest.mark.parametrize("case, message", [
    ("unparsable", r"^tt_qwen\.targets: error: targets file .*bad\.yaml does not parse as YAML at line \d+ .*: fix it$"),
    ("no-targets-key", r"^tt_qwen\.targets: error: targets file .*bad\.yaml has no 'targets:' mapping"),
    ("unknown-model", r"^tt_qwen\.targets: error: no targets for model 'tiny-trained' in .* \(it has qwen3-0\.6b\): add it, or pass --model NAME"),
    ("missing-entry", r"^tt_qwen\.targets: error: no target entry for qwen3-0\.6b on wh_n150 at batch_size 32, seq_len 300 in .*: add one"),
    ("no-runs", r"^tt_qwen\.targets: error: no partial_run_\*\.json in .*: run the benchmark tier"),
    ("not-benchmark-data", r"^tt_qwen\.targets: error: .*partial_run_x\.json: required field 'run_start_ts' is missing$"),
], ids=["unparsable-targets", "targets-without-targets-key", "model-without-targets", "measurement-without-entry", "no-runs", "not-benchmark-data"])
def test_bad_input_is_one_line(tmp_path, case, message):
    runs, bad = tmp_path / "runs", tmp_path / "bad.yaml"
    runs.mkdir()
    args = [runs]
    if case == "unparsable":
        bad.write_text("targets:\n  qwen3-0.6b: [unclosed\n")
        args += ["--targets", str(bad)]
    elif case == "no-targets-key":
        bad.write_text("version: 1\n")
        args += ["--targets", str(bad)]
    if case != "no-runs":
        run = {"unknown-model": _decode_run(model="tiny-trained"), "missing-entry": _decode_run(batch=32, position=299)}.get(case, _decode_run())
        benchmark_data.save_partial_run(run, runs)
    if case == "not-benchmark-data":
        (runs / "partial_run_x.json").write_text('{"run_type": "tt-qwen-host"}')
    done = _command(*args)
    assert done.returncode == 2
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1, done.stderr
    assert re.match(message, errors[0]), errors[0]


def test_model_override_compares_a_tiny_run_against_qwen_targets(tmp_path):
    benchmark_data.save_partial_run(_decode_run(model="tiny-trained", per_user=500.0), tmp_path)
    done = _command(tmp_path, "--model", "Qwen3-0.6B")
    assert done.returncode == 0 and "tiny-trained" in done.stdout and "report-only (would be too fast: update target)" in done.stdout


def _command(*args):
    return subprocess.run([sys.executable, "-m", "tt_qwen.targets", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120)
