"""A pytest session with --junitxml carries every measured value, and the benchmark tier writes
tt-metal's benchmark data that validates against the kept schema."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tt_qwen import benchmark_data, runner

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def sample_session(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    env = {**os.environ, "TT_QWEN_BACKEND": "host"}
    env.pop("MESH_DEVICE", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/runner/measured_sample.py",
         f"--junitxml={out / 'junit.xml'}", f"--benchmark-data-dir={out / 'benchmark_data'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # one test errors on purpose
    return out, done.stdout


def _testcases(junit: Path) -> dict:
    root = ET.parse(junit).getroot()
    return {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")} for case in root.iter("testcase")}


def test_junit_carries_pcc_accuracy_timings_and_numerics_mode(sample_session):
    out, _ = sample_session
    cases = _testcases(out / "junit.xml")
    assert float(cases["test_pcc_is_measured"]["pcc sample output"]) > 0.99
    assert cases["test_accuracy_is_measured"]["top1"] == "0.9"
    timed = cases["test_decode_step_is_timed"]
    assert float(timed["time_mean_s"]) > 0 and timed["rounds"] == "3"
    for name in ("test_pcc_is_measured", "test_accuracy_is_measured", "test_decode_step_is_timed"):
        assert cases[name]["numerics_mode"] == runner.numerics_mode("host")
        assert cases[name]["ttnn_version"] == runner.VERIFIED_TTNN_VERSION
    assert cases["test_nothing_is_measured"] == {}, "a test that measured nothing gets no properties"


def test_refused_device_params_error_in_one_line_and_the_device_comes_back(sample_session):
    out, _ = sample_session
    root = ET.parse(out / "junit.xml").getroot()
    outcome = {case.get("name"): [child.tag for child in case] for case in root.iter("testcase")}
    [error] = [case.find("error") for case in root.iter("testcase") if case.get("name") == "test_refused_device_params[unknown-key]"]
    assert error.get("message").startswith("failed on setup with \"Failed: device_params {") and \
        "device_params key 'dispatch_core_axis' is not taken by ttnn 0.81.1's open_device" in error.get("message")
    assert "error" not in outcome["test_session_device_is_back_after_a_refusal"] and "failure" not in outcome["test_session_device_is_back_after_a_refusal"]


def test_junit_testsuite_names_the_ttnn_and_the_target(sample_session):
    out, _ = sample_session
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["ttnn_version"] == props["ttnn_verified_version"] == "0.81.1"
    assert props["backend"] == "host" and props["target"] == "n150"


def test_benchmark_data_is_written_and_validates(sample_session):
    out, stdout = sample_session
    files = sorted((out / "benchmark_data").glob("partial_run_*.json"))
    assert len(files) == 1, stdout
    run = benchmark_data.load(files[0])
    assert run["run_type"] == "tt-qwen-host" and run["device_info"]["backend"] == "host"
    assert run["batch_size"] == 1 and run["input_sequence_length"] == 128
    names = {(m["step_name"], m["name"]) for m in run["measurements"]}
    assert names == {("inference_decode", "tokens/s/user"), ("inference_decode", "tokens/s")}
    assert f"tt-qwen benchmark data: {files[0]}" in stdout


def test_schema_refuses_what_tt_metal_would_not_take(sample_session):
    out, _ = sample_session
    run = json.loads(next((out / "benchmark_data").glob("partial_run_*.json")).read_text())
    broken = [
        ({**run, "measurements": []}, "at least 1"),
        ({k: v for k, v in run.items() if k != "run_start_ts"}, "'run_start_ts' is missing"),
        ({**run, "batch_size": "one"}, "batch_size"),
        ({**run, "run_end_ts": "yesterday"}, "date-time"),
        ({**run, "measurements": [{**run["measurements"][0], "name": "tokens_per_second"}]}, "name"),
        ({**run, "extra_field": 1}, "'extra_field' is not in tt-metal's"),
    ]
    for data, message in broken:
        with pytest.raises(benchmark_data.BenchmarkDataError, match=message):
            benchmark_data.validate(data)
