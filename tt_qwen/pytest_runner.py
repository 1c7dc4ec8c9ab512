"""pytest plugin: the suite as tt-metal's n150 runners expect it (pytest.ini loads it with
`-p tt_qwen.pytest_runner`). See tt_qwen/runner.py and README, "On an n150 runner".

- the header names the ttnn that ran, the verified version and the target MESH_DEVICE selected;
- `device_params` (indirect parametrization, as in tt-metal) opens the device a test asks for;
- per-tier time limits (pytest-timeout), the thread method on the device;
- every measured value (PCC, accuracy, timings, numerics mode) lands in junit properties;
- benchmark tests also carry the runners' perf markers and write tt-metal's benchmark data.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tt_qwen import runner

JUNIT_PATH = Path("generated/test_reports/most_recent_tests.xml")
BENCHMARK_DATA_DIR = Path("generated/benchmark_data")
# Per test, in seconds. pytest.ini's `timeout` (300 s, tt-metal's) covers every other tier; the
# largest limit of the tiers a test is in applies. A --timeout on the command line wins.
TIMEOUT_BY_TIER = {"mock": 600, "benchmark": 900, "slow": 1800, "soak": 3600}
PERF_MARKERS = ("models_performance_bare_metal", "models_device_performance_bare_metal")


def pytest_addoption(parser):
    group = parser.getgroup("tt-qwen runner")
    group.addoption("--runner-reports", action="store_true", default=os.environ.get("TT_QWEN_RUNNER_REPORTS") == "1",
                    help=f"junit to {JUNIT_PATH} (unless --junitxml is given), where tt-metal's pipelines collect it (env TT_QWEN_RUNNER_REPORTS=1)")
    group.addoption("--benchmark-data-dir", default=None,
                    help=f"where benchmark tests write tt-metal's partial_run_<timestamp>.json (default <rootdir>/{BENCHMARK_DATA_DIR})")


def pytest_configure(config):
    """Runs after the root conftest's (it is registered later), before junitxml's."""
    if config.getoption("runner_reports") and not getattr(config.option, "xmlpath", None):
        config.option.xmlpath = str(config.rootpath / JUNIT_PATH)
    backend_name = getattr(config, "backend_name", None)
    if backend_name is None:  # a pytest session without the suite's conftest
        return
    ttnn = sys.modules.get("ttnn")
    try:
        config.tt_qwen_target = runner.target_from_environment(backend_name, ttnn)
    except runner.RunnerError as error:
        raise pytest.UsageError(str(error)) from None
    config.tt_qwen_ttnn = runner.ttnn_identity(backend_name, ttnn)
    config.tt_qwen_benchmark_runs = []


def pytest_report_header(config):
    if not hasattr(config, "tt_qwen_ttnn"):
        return None
    mesh = os.environ.get("MESH_DEVICE") or "unset"
    return [f"tt-qwen runner: {config.tt_qwen_ttnn.describe()}",
            f"tt-qwen runner: target {config.tt_qwen_target.describe()} (MESH_DEVICE={mesh}), device_params {runner.DEFAULT_DEVICE_PARAMS}"]


def pytest_collection_modifyitems(config, items):
    """Runs after the root conftest's (which marks every test with its tier) and before `-m`
    deselects, so `-m models_performance_bare_metal` selects the benchmarks."""
    for item in items:
        if item.get_closest_marker("benchmark"):
            for name in PERF_MARKERS:
                item.add_marker(name)
        _set_timeout(config, item)


def _set_timeout(config, item):
    if config.getoption("timeout", None) is not None or item.get_closest_marker("timeout"):
        return
    seconds = max((limit for tier, limit in TIMEOUT_BY_TIER.items() if item.get_closest_marker(tier)), default=None)
    if getattr(config, "backend_name", None) == "device":
        # SIGALRM cannot interrupt a test stuck in C++ (a hung card): the thread method dumps every
        # stack, naming the test, and ends the process.
        item.add_marker(pytest.mark.timeout(seconds or float(config.getini("timeout")), method="thread"))
    elif seconds:
        item.add_marker(pytest.mark.timeout(seconds))


# ---- device_params --------------------------------------------------------------------------

@pytest.fixture
def device_params(request):
    """tt-metal's device_params: the suite's defaults, or a test's own through
    `@pytest.mark.parametrize("device_params", [{...}], indirect=True)`."""
    try:
        return runner.device_params(getattr(request, "param", None))
    except runner.RunnerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def device_opened_with_params(request, backend, device_params):
    """The session's device when the test's device_params are the session's; otherwise the device
    is closed and opened with the test's (the models on it released first), and reopened with the
    session's after the test. ttnn returns an already open device as it is, whatever the params.
    Such a test builds its models itself (build_model): build_tt keeps models for its module."""
    if device_params == backend.device_params:
        yield backend.device
        return
    request.getfixturevalue("clean_device")
    session_params, device_id = backend.device_params, request.config.getoption("--device-id")
    _reopen(backend, device_id, device_params)
    try:
        yield backend.device
    finally:
        _reopen(backend, device_id, session_params)


def _reopen(backend, device_id, params):
    backend.ttnn.close_device(backend.device)
    try:
        backend.device = runner.open_device(backend.ttnn, device_id, params)
    except (runner.RunnerError, RuntimeError) as error:  # a refused key, or a region the card cannot hold
        backend.device = runner.open_device(backend.ttnn, device_id, backend.device_params)
        pytest.fail(f"device_params {params}: {str(error).splitlines()[0]}", pytrace=False)
    backend.device_params = params


# ---- measured values into junit ---------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def _runner_suite_properties(request, record_testsuite_property):
    """The testsuite element of the junit names the ttnn, its verified version and the target."""
    config = request.config
    if hasattr(config, "tt_qwen_ttnn"):
        for name, value in {**config.tt_qwen_ttnn.as_properties(), "backend": config.backend_name,
                            "target": config.tt_qwen_target.name}.items():
            record_testsuite_property(name, value)


_STARTED = pytest.StashKey[datetime]()  # when a benchmark test's call began: its run_start_ts


def pytest_runtest_call(item):
    if "benchmark" in getattr(item, "fixturenames", ()):
        item.stash[_STARTED] = datetime.now(timezone.utc)


@pytest.hookimpl(tryfirst=True)  # before the report is made from item.user_properties
def pytest_runtest_makereport(item, call):
    if call.when != "call" or not hasattr(item.config, "tt_qwen_ttnn"):
        return
    timings = _benchmark_timings(item)
    item.user_properties.extend(timings.items())
    if item.user_properties:  # the test measured something: say what its numbers mean
        item.user_properties.append(("numerics_mode", runner.numerics_mode(item.config.backend_name)))
        item.user_properties.append(("ttnn_version", item.config.tt_qwen_ttnn.version))
    if timings and call.excinfo is None:
        _keep_benchmark_run(item, timings)


def _benchmark_timings(item) -> dict:
    fixture = getattr(item, "funcargs", {}).get("benchmark")
    stats = getattr(getattr(fixture, "stats", None), "stats", None)
    if stats is None or not stats.rounds:
        return {}
    figures = {"time_mean_s": stats.mean, "time_min_s": stats.min, "time_max_s": stats.max, "rounds": stats.rounds}
    figures.update({k: v for k, v in fixture.extra_info.items() if isinstance(v, (int, float, str))})
    return figures


def _keep_benchmark_run(item, timings):
    from tt_qwen import benchmark_data

    started = item.stash.get(_STARTED, datetime.now(timezone.utc))
    run = benchmark_data.benchmark_run(item.nodeid, timings, started, datetime.now(timezone.utc),
                                       item.config.backend_name, item.config.tt_qwen_ttnn)
    if run is not None:
        item.config.tt_qwen_benchmark_runs.append(run)


def pytest_sessionfinish(session):
    config = session.config
    runs = getattr(config, "tt_qwen_benchmark_runs", [])
    if runs:
        from tt_qwen import benchmark_data

        out = Path(config.getoption("benchmark_data_dir") or config.rootpath / BENCHMARK_DATA_DIR)
        config.tt_qwen_benchmark_files = [benchmark_data.save_partial_run(run, out) for run in runs]


def pytest_terminal_summary(terminalreporter, config):
    for path in getattr(config, "tt_qwen_benchmark_files", []):
        terminalreporter.write_line(f"tt-qwen benchmark data: {path}")
