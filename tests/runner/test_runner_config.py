"""Runner conventions: MESH_DEVICE, device_params, which ttnn ran, time limits and markers."""

import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tt_qwen import pytest_runner, runner
from tt_qwen.target import N150


@pytest.mark.parametrize("value, visible", [("N150", 1), ("n150", 1), (None, 1), ("", 1), ("N150", 4)],
                         ids=["n150", "n150-lowercase", "unset-one-card", "empty-one-card", "n150-on-four-cards"])
def test_mesh_device_that_selects_one_n150(value, visible):
    assert runner.resolve_target(value, visible) is N150


@pytest.mark.parametrize("value, visible, message", [
    ("T3K", 1, r"^MESH_DEVICE=T3K \(a 1x8 mesh\) is not supported yet: .* set MESH_DEVICE=N150 to run on one chip of it$"),
    ("N300", 2, r"^MESH_DEVICE=N300 \(a 1x2 mesh\) is not supported yet"),
    ("TG", 32, r"^MESH_DEVICE=TG \(a 8x4 mesh\) is not supported yet"),
    (None, 8, r"^MESH_DEVICE is unset and 8 devices are visible: .* set MESH_DEVICE=N150"),
    ("P150", 1, r"^unknown MESH_DEVICE 'P150': tt-metal's values are N150, N300, T3K, TG"),
], ids=["t3k", "n300", "tg", "unset-eight-cards", "unknown"])
def test_mesh_device_refused_in_one_line(value, visible, message):
    with pytest.raises(runner.RunnerError, match=message) as error:
        runner.resolve_target(value, visible)
    assert "\n" not in str(error.value)


def test_device_params_defaults_fit_the_model():
    params = runner.device_params()
    assert params == {"l1_small_size": 0, "trace_region_size": 10_000_000, "num_command_queues": 1}
    assert runner.device_params({"trace_region_size": 20_000_000})["trace_region_size"] == 20_000_000


@pytest.mark.parametrize("overrides, message", [
    ({"trace_region_size": -1}, r"trace_region_size=-1 must be a non-negative integer \(default 10000000\)"),
    ({"l1_small_size": "8k"}, r"l1_small_size='8k' must be a non-negative integer"),
    ({"num_command_queues": 3}, r"num_command_queues=3 must be 1 or 2"),
    ([("trace_region_size", 1)], r"device_params must be a dict"),
], ids=["negative-trace-region", "string-l1-small", "three-command-queues", "not-a-dict"])
def test_bad_device_params_are_named(overrides, message):
    with pytest.raises(runner.RunnerError, match=message):
        runner.device_params(overrides)


def test_device_params_key_the_installed_ttnn_does_not_take(ttnn):
    with pytest.raises(runner.RunnerError, match=r"^device_params key 'dispatch_core_axis' is not taken by ttnn 0\.81\.1's open_device "
                                                 r"\(it takes .*trace_region_size.*\): remove it"):
        runner.open_device(ttnn, 0, {**runner.device_params(), "dispatch_core_axis": "ROW"})


@pytest.mark.parametrize("device_params", [pytest.param({"trace_region_size": 22_000_000}, id="trace-region-22MB"),
                                           pytest.param({"trace_region_size": 1}, id="trace-region-1B")], indirect=True)
def test_indirect_device_params_open_the_device_with_them(device, device_params, ttnn, backend):
    assert backend.device_params == device_params
    assert _dram_bank_bytes(ttnn, device) == _expected_dram_bank(device_params["trace_region_size"])


def test_session_device_is_back_after_an_override(device, ttnn, backend):
    assert backend.device_params == runner.DEFAULT_DEVICE_PARAMS
    assert _dram_bank_bytes(ttnn, device) == _expected_dram_bank(runner.TRACE_REGION_BYTES)


def _dram_bank_bytes(ttnn, device) -> int:
    return ttnn.get_memory_view(device, ttnn.BufferType.DRAM).total_bytes_per_bank


def _expected_dram_bank(trace_region_size: int) -> int:
    # The trace region is carved out of every DRAM bank, split evenly, each share rounded up to
    # 8 KiB (measured on the real 0.81.1 allocator: tests/mock/test_device_params_on_mock.py).
    return N150.dram_bank_bytes - math.ceil(math.ceil(trace_region_size / N150.dram_banks) / 8192) * 8192


@pytest.mark.parametrize("version, verified", [("0.81.1", True), ("0.82.0", False)], ids=["verified", "other-version"])
def test_ttnn_identity_says_what_ran_and_what_was_verified(version, verified):
    identity = runner.TTNNIdentity("device", version, None)
    assert identity.verified is verified
    text = identity.describe()
    assert text.startswith(f"ttnn {version}")
    assert ("NOT the version the mock tier verified (0.81.1); running anyway" in text) is not verified


def test_header_names_ttnn_and_target(pytestconfig):
    lines = pytest_runner.pytest_report_header(pytestconfig)
    assert any("ttnn 0.81.1" in line for line in lines)
    assert any("target n150" in line and "trace_region_size" in line for line in lines)


def test_runner_reports_put_junit_where_tt_metal_collects_it(tmp_path):
    config = _config(tmp_path, runner_reports=True, xmlpath=None)
    pytest_runner.pytest_configure(config)
    assert config.option.xmlpath == str(tmp_path / "generated/test_reports/most_recent_tests.xml")
    given = _config(tmp_path, runner_reports=True, xmlpath="mine.xml")
    pytest_runner.pytest_configure(given)
    assert given.option.xmlpath == "mine.xml", "an explicit --junitxml wins"


def _config(root, runner_reports, xmlpath):
    return SimpleNamespace(rootpath=root, option=SimpleNamespace(xmlpath=xmlpath),
                           getoption=lambda name: {"runner_reports": runner_reports}[name])


class _Item:
    def __init__(self, *markers):
        self.markers = {name: SimpleNamespace(name=name) for name in markers}

    def get_closest_marker(self, name):
        return self.markers.get(name)

    def add_marker(self, marker):
        marker = getattr(marker, "mark", marker)
        self.markers[getattr(marker, "name", marker)] = marker


@pytest.mark.parametrize("backend, tiers, seconds, method", [
    ("host", ("op",), None, None), ("host", ("benchmark",), 900, None), ("host", ("mock",), 600, None),
    ("host", ("model", "slow"), 1800, None), ("host", ("model", "soak"), 3600, None), ("device", ("op",), 300.0, "thread"),
    ("device", ("slow",), 1800, "thread"),
], ids=["host-op-ini-default", "host-benchmark", "host-mock", "host-slow", "host-soak", "device-op-thread",
        "device-slow-thread"])
def test_time_limits_by_tier(backend, tiers, seconds, method):
    config = SimpleNamespace(backend_name=backend, getoption=lambda name, default=None: None, getini=lambda name: "300")
    item = _Item(*tiers)
    pytest_runner._set_timeout(config, item)
    mark = item.get_closest_marker("timeout")
    if seconds is None:
        assert mark is None, "pytest.ini's timeout applies"
    else:
        assert mark.args == (seconds,) and mark.kwargs.get("method") == method


def test_benchmark_tests_carry_the_runners_perf_markers():
    config = SimpleNamespace(backend_name="host", getoption=lambda name, default=None: None)
    bench, other = _Item("benchmark"), _Item("op")
    pytest_runner.pytest_collection_modifyitems(config, [bench, other])
    assert {"models_performance_bare_metal", "models_device_performance_bare_metal"} <= set(bench.markers)
    assert "models_performance_bare_metal" not in other.markers


def test_runner_perf_marker_selects_the_benchmark_tests():
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--co", "-m", "models_performance_bare_metal",
                           "tests/bench", "tests/test_compare.py", "--model", "tiny-trained"],
                          cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    selected = [line for line in done.stdout.splitlines() if "::" in line]
    assert selected and all(line.startswith("tests/bench/") for line in selected), done.stdout
