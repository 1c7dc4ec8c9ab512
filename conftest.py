"""Suite-wide options, tiers, backends, models and seeds.

--backend {auto,host,mock,device} (env TT_QWEN_BACKEND): where TTNN ops run.
--model NAME[,NAME...] (env HF_MODEL): which models the model-level tests use.

The model-selection rule: a model the user names (--model, else HF_MODEL) is checked before
anything loads (it must exist here and be a Qwen3); its tests run whatever their tier (a slow
mark does not deselect them); and a session in which every collected test of a named model was
skipped or deselected fails, with one line saying so. Without a name every kind runs and the
tier decides (the default tier deselects the slow ones).
"""

from __future__ import annotations

import os
import random
from collections import OrderedDict
from pathlib import Path

import pytest

from tt_qwen import backends, zoo

ROOT = Path(__file__).parent
TIER_BY_FOLDER = {"ops": "op", "layers": "layer", "model": "model", "e2e": "e2e", "mock": "mock",
                  "bench": "benchmark", "mutations": "mutation"}
# Without --model/HF_MODEL: every kind; the slow ones are deselected by the default tier, and
# the real checkpoint skips itself when it is not in the local HF cache.
DEFAULT_MODELS = f"tiny,tiny-trained,qwen3-0.6b-random,{zoo.QWEN3_0_6B}"
# --compare-ops: the op-by-op shadow for the model tier (its own plugin module).
pytest_plugins = ["tt_qwen.shadow_plugin"]


def pytest_addoption(parser):
    group = parser.getgroup("tt-qwen")
    group.addoption("--backend", default=None, help=f"host, mock, device or auto (default: ${backends.ENV_VAR} or auto)")
    group.addoption("--model", default=None, help="tiny, a tiny config, tiny-trained, qwen3-0.6b-random, an HF id or a path (default: $HF_MODEL or all)")
    group.addoption("--device-id", type=int, default=0, help="device id to open on the device backend")
    group.addoption("--numerics", default=None, help="the host backend's numerics: device (the n150's datapath, "
                                                     "default) or exact (float32); default: $TT_QWEN_NUMERICS or device")


def pytest_configure(config):
    try:
        zoo.check_transformers_version()
        name = backends.resolve(backends.requested(config.getoption("--backend")))
        option, origin = _model_option(config)
        config.model_specs = zoo.resolve_many(option or DEFAULT_MODELS, origin or "--model")
        config.requested_models = config.model_specs if origin else []
        config.model_origin = origin
        for spec in config.requested_models:
            zoo.check_named(spec, origin)
        # Before any test module is imported: the model's `import ttnn` must find this backend's.
        backends.select_ttnn(name)
    except (backends.BackendUnavailable, zoo.ModelUnavailable) as error:
        raise pytest.UsageError(str(error)) from None
    config.backend_name = name
    _set_numerics(config)
    _load_hypothesis_profile()


def _set_numerics(config):
    from tt_qwen.host import numerics

    try:
        numerics.set_mode(config.getoption("--numerics") or os.environ.get(numerics.ENV_VAR, "device"))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    config.numerics = numerics.mode() if config.backend_name == "host" else "the backend's own"


def _model_option(config) -> tuple[str | None, str | None]:
    """(the models the user named, where: "--model" or "HF_MODEL"), or (None, None)."""
    if config.getoption("--model"):
        return config.getoption("--model"), "--model"
    if os.environ.get("HF_MODEL"):
        return os.environ["HF_MODEL"], "HF_MODEL"
    return None, None


def _load_hypothesis_profile():
    from hypothesis import HealthCheck, settings

    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    settings.register_profile("ci", max_examples=15, derandomize=True, print_blob=True, **common)
    settings.register_profile("dev", max_examples=60, **common)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_report_header(config):
    return session_header(config)


def session_header(config) -> list[str]:
    """The lines atop every session: what runs where. Extend here (versions, runner facts)."""
    from tt_qwen.eval_plan import default_cache_dir

    models = ",".join(s.name for s in config.model_specs)
    lines = [f"tt-qwen: backend={config.backend_name}, numerics={config.numerics}, models={models}"]
    if config.requested_models:
        lines.append(f"tt-qwen: models named by {config.model_origin}: their tests run whatever the tier; "
                     f"the session fails if none of them runs")
    lines.append(f"tt-qwen: eval cache (TT_QWEN_CACHE) {default_cache_dir()}")
    return lines


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the tier selection follows the request
def pytest_collection_modifyitems(config, items):
    config.requested_items = {spec.name: set() for spec in config.requested_models}
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT).parts
        if len(parts) > 1 and parts[0] == "tests" and parts[1] in TIER_BY_FOLDER:
            item.add_marker(TIER_BY_FOLDER[parts[1]])
        spec = _requested_spec_of(item)
        if spec is not None:
            item.own_markers = [mark for mark in item.own_markers if mark.name != "slow"]
            config.requested_items[spec.name].add(item.nodeid)


def _requested_spec_of(item):
    spec = getattr(getattr(item, "callspec", None), "params", {}).get("model_spec")
    return spec if spec is not None and spec in item.config.requested_models else None


def pytest_generate_tests(metafunc):
    if "model_spec" in metafunc.fixturenames:
        specs = metafunc.config.model_specs
        wanted = metafunc.definition.get_closest_marker("model_kinds")
        if wanted:
            specs = [s for s in specs if s.kind in wanted.args]
        requested = metafunc.config.requested_models
        params = [pytest.param(s, id=s.name, marks=[pytest.mark.slow] if s.slow and s not in requested else []) for s in specs]
        if not params:
            params = [pytest.param(None, id="no-model", marks=pytest.mark.skip(reason="no --model of the kind this test needs was selected"))]
        metafunc.parametrize("model_spec", params, scope="session")


# ---- backends -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def backend(request):
    """The session's backend, opened once and closed at exit."""
    opened = backends.open_backend(request.config.backend_name, device_id=request.config.getoption("--device-id"))
    yield opened
    _release_built_models()  # the model kept across modules (build_tt) goes before its device
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
            _HF_MODELS[model_spec] = zoo.load_hf_model(model_spec)
        except zoo.ModelUnavailable as error:
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


_RAN: set = set()  # node ids that ran (passed or failed; a setup error counts: it was tried)


def pytest_runtest_logreport(report):
    if report.when == "call" and report.user_properties:
        _SESSION_RESULTS.append({"test": report.nodeid, "outcome": report.outcome, "properties": dict(report.user_properties)})
    if (report.when == "call" and not report.skipped) or (report.when == "setup" and report.failed):
        _RAN.add(report.nodeid)


def unrun_requested_models(requested_items: dict, ran: set) -> list[str]:
    """Named models that had tests collected and none of them ran (all skipped or deselected)."""
    return [name for name, nodeids in requested_items.items() if nodeids and not nodeids & ran]


def _fail_when_named_models_went_untested(session) -> None:
    """Naming a model and testing nothing of it must not pass."""
    config = session.config
    if config.option.collectonly or not getattr(config, "requested_items", None):
        return
    config.unrun_models = unrun_requested_models(config.requested_items, _RAN)
    if config.unrun_models and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Fail a session that tested nothing of a named model; write reports/out/tests-<backend>.{json,md}
    when the session measured anything."""
    _fail_when_named_models_went_untested(session)
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
    for name in getattr(config, "unrun_models", []):
        terminalreporter.write_line(
            f"tt-qwen: FAILED: every test of the model {name} named by {config.model_origin} was skipped or deselected "
            f"({len(config.requested_items[name])} collected, 0 ran): nothing of it was tested", red=True)


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

# The most recently used built model outlives its test module: the 28-layer files ask for the same
# model, whose build (weights tiled and uploaded) costs 20-90 s. It is released as soon as a module
# builds a model of its own, so a module never has more models on the device than it built or
# reused: an n150 (and the host's model of its 12 GB) holds only a few full-size models with their
# 32-user caches at once, and each costs the host 3-6 GB of RAM.
KEEP_ACROSS_MODULES = 1
_BUILT_MODELS: OrderedDict = OrderedDict()  # key -> (hf_model, built model), most recently used last


@pytest.fixture(scope="module")
def build_tt(backend):
    """build_tt(hf_model, max_seq_len, **options): the TTNN model on the session's device, built
    once per (model, options); after the module only the most recently used one is kept. Tests
    start sequences with prefill, which makes them independent of what ran before (stale cache
    entries are never read)."""
    from tt_qwen import build_model

    used_here = set()

    def build(hf_model, max_seq_len=256, **options):
        key = (id(hf_model), max_seq_len, tuple(sorted(options.items())))
        if key in _BUILT_MODELS and _BUILT_MODELS[key][0] is not hf_model:  # an id outlives its object
            _BUILT_MODELS.pop(key)[1].release()
        if key not in _BUILT_MODELS:
            for other in [k for k in _BUILT_MODELS if k not in used_here]:  # kept from an earlier module
                _BUILT_MODELS.pop(other)[1].release()
            _BUILT_MODELS[key] = (hf_model, build_model(hf_model, backend.device, max_seq_len, **options))
        used_here.add(key)
        _BUILT_MODELS.move_to_end(key)
        return _BUILT_MODELS[key][1]

    yield build
    _release_built_models(keep=KEEP_ACROSS_MODULES)


def _release_built_models(keep: int = 0):
    while len(_BUILT_MODELS) > keep:
        _, (_, model) = _BUILT_MODELS.popitem(last=False)
        model.release()


@pytest.fixture
def clean_device(backend):
    """The session's device with nothing on it, for tests that need all of its memory: the models
    build_tt keeps are released (and rebuilt on demand), garbage freed, program binaries dropped."""
    import gc

    _release_built_models()
    gc.collect()
    backend.device.clear_program_cache()
    return backend.device
