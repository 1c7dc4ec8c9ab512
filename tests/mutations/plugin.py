"""pytest plugin: `-p tests.mutations.plugin` with TT_QWEN_MUTANT=<name> runs the session with
that catalog mutant applied to the model or the backend's ops, from the first test to the last.

tools/mutation_score.py loads it; without the environment variable it does nothing.
"""

from __future__ import annotations

import os

import pytest

ENV_VAR = "TT_QWEN_MUTANT"


def pytest_report_header(config):
    name = os.environ.get(ENV_VAR)
    return f"tt-qwen: MUTANT {name} applied (a failing test is the mutant caught)" if name else None


@pytest.fixture(scope="session", autouse=True)
def _mutant(backend):
    name = os.environ.get(ENV_VAR)
    if not name:
        yield None
        return
    from tests.mutations.catalog import MUTANTS

    if name not in MUTANTS:
        raise pytest.UsageError(f"{ENV_VAR}={name}: no such mutant; known: {', '.join(sorted(MUTANTS))}")
    patch = pytest.MonkeyPatch()
    try:
        MUTANTS[name].apply(patch, backend.ttnn)
    except Exception as error:  # a patched function renamed: every test would error, a false catch
        pytest.exit(f"{ENV_VAR}={name} no longer applies ({type(error).__name__}: {error})", returncode=pytest.ExitCode.USAGE_ERROR)
    yield MUTANTS[name]
    patch.undo()
