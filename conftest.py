"""Suite-wide options, tiers, backends, models and seeds.

--backend {auto,host,mock,device} (env TT_QWEN_BACKEND): where TTNN ops run.
--model NAME[,NAME...] (env HF_MODEL): which models the model-level tests use.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tt_qwen import backends, models

ROOT = Path(__file__).parent
TIER_BY_FOLDER = {"ops": "op", "layers": "layer", "model": "model", "e2e": "e2e", "mock": "mock",
                  "bench": "benchmark", "mutations": "mutation"}
# Without --model/HF_MODEL: every kind; the slow ones are deselected by the default tier, and
# the real checkpoint skips itself when it is not in the local HF cache.
DEFAULT_MODELS = f"tiny,tiny-trained,qwen3-0.6b-random,{models.QWEN3_0_6B}"


def pytest_addoption(parser):
    group = parser.getgroup("tt-qwen")
    group.addoption("--backend", default=None, help=f"host, mock, device or auto (default: ${backends.ENV_VAR} or auto)")
    group.addoption("--model", default=None, help="tiny, a tiny config, tiny-trained, qwen3-0.6b-random, an HF id or a path (default: $HF_MODEL or all)")
    group.addoption("--device-id", type=int, default=0, help="device id to open on the device backend")


def pytest_configure(config):
    try:
        models.check_transformers_version()
        name = backends.resolve(backends.requested(config.getoption("--backend")))
        config.model_specs = models.resolve_many(_model_option(config))
        # Before any test module is imported: the model's `import ttnn` must find this backend's.
        backends.select_ttnn(name)
    except (backends.BackendUnavailable, models.ModelUnavailable) as error:
        raise pytest.UsageError(str(error)) from None
    config.backend_name = name
    _load_hypothesis_profile()


def _model_option(config) -> str:
    return config.getoption("--model") or os.environ.get("HF_MODEL") or DEFAULT_MODELS


def _load_hypothesis_profile():
    from hypothesis import HealthCheck, settings

    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    settings.register_profile("ci", max_examples=15, derandomize=True, print_blob=True, **common)
    settings.register_profile("dev", max_examples=60, **common)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_report_header(config):
    return f"tt-qwen: backend={config.backend_name}, models={','.join(s.name for s in config.model_specs)}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT).parts
        if len(parts) > 1 and parts[0] == "tests" and parts[1] in TIER_BY_FOLDER:
            item.add_marker(TIER_BY_FOLDER[parts[1]])


def pytest_generate_tests(metafunc):
    if "model_spec" in metafunc.fixturenames:
        specs = metafunc.config.model_specs
        wanted = metafunc.definition.get_closest_marker("model_kinds")
        if wanted:
            specs = [s for s in specs if s.kind in wanted.args]
        params = [pytest.param(s, id=s.name, marks=[pytest.mark.slow] if s.slow else []) for s in specs]
        if not params:
            params = [pytest.param(None, id="no-model", marks=pytest.mark.skip(reason="no --model of the kind this test needs was selected"))]
        metafunc.parametrize("model_spec", params, scope="session")


# ---- backends -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def backend(request):
    """The session's backend, opened once and closed at exit."""
    opened = backends.open_backend(request.config.backend_name, device_id=request.config.getoption("--device-id"))
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def ttnn(backend):
    return backend.ttnn


@pytest.fixture
def device(device_opened_with_params):
    """The session's device, or one opened with the test's own device_params (tt_qwen/pytest_runner.py)."""
    return device_opened_with_params


@pytest.fixture
def needs_numbers(backend):
    """Tests that read values back: the mock device returns zeros."""
    if not backend.computes_numbers:
        pytest.skip("mock device returns zeros: this test needs numbers")
    return backend


def pytest_runtest_setup(item):
    if item.get_closest_marker("device") and item.config.backend_name != "device":
        reason = backends.unavailable_reason("device") or f"--backend is {item.config.backend_name}"
        pytest.skip(f"needs a real n150: {reason}")


# ---- models ---------------------------------------------------------------------------------

_HF_MODELS: dict = {}


@pytest.fixture(scope="session")
def hf_model(model_spec):
    """The float32 HF reference of `model_spec`, loaded once per session."""
    if model_spec not in _HF_MODELS:
        try:
            _HF_MODELS[model_spec] = models.load_hf_model(model_spec)
        except models.ModelUnavailable as error:
            _HF_MODELS[model_spec] = error
    loaded = _HF_MODELS[model_spec]
    if isinstance(loaded, Exception):
        pytest.skip(str(loaded))
    return loaded


# ---- reports --------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _record_pcc(request):
    """Every assert_pcc of a test lands in its user_properties, and so in the session report."""
    from tt_qwen import compare

    def observe(what, result, threshold):
        request.node.user_properties.append((f"pcc {what}", round(result.pcc, 6)))

    compare.observers.append(observe)
    yield
    compare.observers.remove(observe)


_SESSION_RESULTS: list = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.user_properties:
        _SESSION_RESULTS.append({"test": report.nodeid, "outcome": report.outcome, "properties": dict(report.user_properties)})


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Write reports/out/tests-<backend>.{json,md} when the session measured anything."""
    config = session.config
    benchmark_session = getattr(config, "_benchmarksession", None)
    benchmarks = [b.as_dict(include_data=False) for b in getattr(benchmark_session, "benchmarks", [])]
    if _SESSION_RESULTS or benchmarks:
        from tt_qwen import reports

        out = ROOT / "reports" / "out"
        config._tt_qwen_reports = reports.write_session_report(_SESSION_RESULTS, benchmarks, out, config.backend_name)


def pytest_terminal_summary(terminalreporter, config):
    for path in getattr(config, "_tt_qwen_reports", []):
        terminalreporter.write_line(f"tt-qwen report: {path}")


# ---- determinism ----------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _seed_everything():
    """Every test starts from the same seeds, whatever ran before it."""
    import numpy
    import torch

    random.seed(0)
    numpy.random.seed(0)
    torch.manual_seed(0)


# ---- the TTNN model -------------------------------------------------------------------------

_BUILT_MODELS: dict = {}


@pytest.fixture(scope="module")
def build_tt(backend):
    """build_tt(hf_model, max_seq_len, **options): the TTNN model on the session's device, built
    once per (model, options) and test module, and released after the module: an n150 (and the
    host backend's model of its 12 GB) holds only a few full-size models at once. Tests start
    sequences with prefill, which makes them independent of what ran before in the module
    (stale cache entries are never read)."""
    from tt_qwen import build_model

    def build(hf_model, max_seq_len=256, **options):
        key = (id(hf_model), max_seq_len, tuple(sorted(options.items())))
        if key not in _BUILT_MODELS:
            _BUILT_MODELS[key] = build_model(hf_model, backend.device, max_seq_len, **options)
        return _BUILT_MODELS[key]

    yield build
    _release_built_models()


def _release_built_models():
    for model in _BUILT_MODELS.values():
        model.release()
    _BUILT_MODELS.clear()


@pytest.fixture
def clean_device(backend):
    """The session's device with nothing on it, for tests that need all of its memory: the models
    build_tt keeps are released (and rebuilt on demand), garbage freed, program binaries dropped."""
    import gc

    _release_built_models()
    gc.collect()
    backend.device.clear_program_cache()
    return backend.device
