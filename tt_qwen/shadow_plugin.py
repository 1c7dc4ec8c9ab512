"""pytest --compare-ops: every model-tier test runs under the op-by-op shadow (tt_qwen/shadow.py).

A test whose run has an op below its threshold fails, naming that op call; the table of every
call is in the test's "compare-ops" report section (shown on failure, or with -rA), and the
terminal summary gives each test's count and first divergence. Layers and modes are labelled
for the test's model fixtures that have a layer observer. Off (the default) it costs nothing:
no ttnn function is wrapped.
"""

from __future__ import annotations

import pytest

OPTION = "--compare-ops"


def pytest_addoption(parser):
    parser.getgroup("tt-qwen").addoption(
        OPTION, action="store_true", dest="compare_ops",
        help="model tier: run every ttnn call also on the host backend and fail a test at the first op that diverges")


@pytest.hookimpl(trylast=True)  # after the suite's conftest has chosen the backend
def pytest_configure(config):
    if not config.getoption("compare_ops"):
        return
    from tt_qwen.shadow import refuse_mock

    try:
        refuse_mock(getattr(config, "backend_name", None))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    config.compare_ops_reports = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if not item.config.getoption("compare_ops") or item.get_closest_marker("model") is None:
        return (yield)
    import ttnn

    from tt_qwen.shadow import Shadow

    failure = None
    with Shadow(ttnn, item.config.backend_name) as shadow:
        for value in item.funcargs.values():
            shadow.attach(value)
        try:
            outcome = yield
        except Exception as error:  # the test's own failure: the first diverging op explains it
            failure = error
    report = shadow.report
    item.add_report_section("call", "compare-ops", report.text())
    item.config.compare_ops_reports.append((item.nodeid, report))
    first = report.first_divergence()
    if first is not None:
        raise AssertionError(f"--compare-ops: the first op below its threshold is {first.line()}") from failure
    if failure is not None:
        raise failure
    return outcome


def pytest_terminal_summary(terminalreporter, config):
    reports = getattr(config, "compare_ops_reports", None)
    if reports is None:
        return
    terminalreporter.section("compare-ops")
    for nodeid, report in reports:
        first = report.first_divergence()
        verdict = f"first below: #{first.index} {first.where()} ttnn.{first.op}" if first else "no op below its threshold"
        terminalreporter.write_line(f"{nodeid}: {len(report.calls)} calls, {report.count('below')} below threshold, {report.count('not compared')} not compared, "
                                    f"{verdict}; overhead {report.overhead_seconds:.2f} s")
