"""pytest plugin of tools/calibrate.py: `-p tools.calibrate_plugin` with TT_QWEN_CALIBRATE_STEP=<step>
runs the session with the model's precision plan one step down (a name of
tools.calibrate.stepped_plans), so the model tier's own cases measure what that step costs.
Without the environment variable it does nothing.
"""

from __future__ import annotations

import os

import pytest

ENV_VAR = "TT_QWEN_CALIBRATE_STEP"


def pytest_report_header(config):
    name = os.environ.get(ENV_VAR)
    return f"tt-qwen: precision plan stepped down: {name} (calibration run)" if name else None


@pytest.fixture(scope="session", autouse=True)
def _stepped_plan():
    name = os.environ.get(ENV_VAR)
    if not name:
        yield None
        return
    import tt_qwen.model.config as config
    from tools.calibrate import stepped_plans

    steps = stepped_plans(config.PRECISION)
    if name not in steps:
        raise pytest.UsageError(f"{ENV_VAR}={name}: no such step; known: {', '.join(steps)}")
    patch = pytest.MonkeyPatch()
    patch.setattr(config, "PRECISION", steps[name])
    yield name
    patch.undo()
