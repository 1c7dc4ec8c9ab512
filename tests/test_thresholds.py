"""Every threshold lives in tt_qwen/thresholds.py, and the README prints the same table."""

from pathlib import Path

import pytest

from tt_qwen.thresholds import ACCURACY, CALIBRATION, PCC, accuracy_floor, pcc_table_rows, pcc_threshold

README = Path(__file__).parent.parent / "README.md"


def test_readme_prints_every_threshold_with_its_calibration():
    text = README.read_text()
    for row in pcc_table_rows():
        assert row in text, f"README lacks the row {row!r} (paste thresholds.pcc_table_rows())"
    for (kind, metric), value in ACCURACY.items():
        assert f"| {kind} | {metric} | {value} |" in text, f"README lacks the row of {kind}/{metric}"


def test_thresholds_are_probabilities():
    assert all(0.0 < v <= 1.0 for v in [*PCC.values(), *ACCURACY.values()])


def test_unknown_threshold_is_a_clear_error():
    with pytest.raises(KeyError, match=r"no PCC threshold for \('op.linear', 'float64'\).*known dtypes"):
        pcc_threshold("op.linear", "float64")


def test_models_without_a_target_get_tt_metal_defaults():
    assert accuracy_floor("some-model", "top1") == 0.83


def test_every_calibrated_threshold_sits_below_what_was_measured():
    for key, cal in CALIBRATION.items():
        assert key in PCC, f"calibration of {key} has no threshold"
        if cal.measured is not None:
            assert PCC[key] <= cal.measured, f"{key}: threshold {PCC[key]} above its measured {cal.measured}"


def test_the_depth_calibration_names_slow_tier_tests_that_exist():
    """tools/calibrate.py's 28-layer session names tests by id: a renamed test or parameter would
    make the calibration measure nothing (pytest collects no test and records no PCC)."""
    import subprocess
    import sys

    from tools.calibrate import DEPTH_SESSION

    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "slow",
                           "--backend", "host", *DEPTH_SESSION], capture_output=True, text=True, cwd=README.parent)
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(collected) == len(DEPTH_SESSION), f"collected {collected} of {DEPTH_SESSION}:\n{done.stdout[-800:]}"
