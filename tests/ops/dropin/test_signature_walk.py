"""Nothing the host backend accepts is ignored: every parameter of every function it exposes is
used by its body, written (output tensors), declared without effect (with the reason), or refused
with "host backend: <parameter> is not implemented" — and a refusal really refuses."""

import importlib.util
import inspect
import sys

import pytest

import tt_qwen.host as host
from tests.ops.dropin.param_use import uses
from tt_qwen.host import api

MODULES = {"": host, "experimental.": host.experimental, "transformer.": host.transformer,
           "kv_cache.": host.kv_cache}


def exposed():
    """(qualified name, function) of everything the host exports, as ttnn.<name>."""
    for prefix, module in MODULES.items():
        for name, function in api.exposed_functions(module):
            yield prefix + name, function


def accounted_for(name: str, function, parameter: str) -> bool:
    if parameter in api.OUTPUT_PARAMETERS or parameter in api.NO_EFFECT:
        return True
    if parameter in api.NO_EFFECT_BY_OP.get(name, {}) or parameter in api.REFUSED.get(name, ()):
        return True
    if parameter == "compute_kernel_config" and name in api.NUMERICS_OWNED:
        return True  # implemented by the numerics work on these ops (h-numerics)
    return uses(function, parameter)


def unaccounted() -> list[str]:
    return [f"ttnn.{name}({parameter})" for name, function in exposed()
            for parameter in inspect.signature(function).parameters
            if not accounted_for(name, function, parameter)]


def refused_parameters():
    for name, function in exposed():
        for parameter in getattr(function, "refused", ()):
            yield pytest.param(name, function, parameter, id=f"{name}-{parameter}")


# A value each refused parameter cannot take on the host (anything but its default, for most).
NOT_IMPLEMENTED_VALUE = {"dispatch_core_config": host.DispatchCoreConfig(host.DispatchCoreType.WORKER,
                                                                         host.DispatchCoreAxis.COL),
                         "cq_id": 1, "queue_id": 1, "num_command_queues": 2, "worker_l1_size": 4096}


def test_every_exposed_parameter_is_used_written_without_effect_or_refused():
    assert unaccounted() == []


def test_every_declared_parameter_exists():
    """The tables name real parameters of real functions (a typo would silently refuse nothing)."""
    signatures = {name: inspect.signature(function).parameters for name, function in exposed()}
    stale = [f"{name}({p})" for table in (api.REFUSED, api.NO_EFFECT_BY_OP) for name, params in table.items()
             for p in params if name not in signatures or p not in signatures[name]]
    assert stale == []


@pytest.mark.parametrize("name, function, parameter", list(refused_parameters()))
def test_a_refused_parameter_is_refused_in_one_line(name, function, parameter):
    signature = inspect.signature(function)
    required = [p for p in signature.parameters.values()
                if p.default is inspect.Parameter.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    value = NOT_IMPLEMENTED_VALUE.get(parameter, object())
    kwargs = {p.name: None for p in signature.parameters.values()
              if p.default is inspect.Parameter.empty and p.kind == p.KEYWORD_ONLY}
    with pytest.raises(RuntimeError, match=f"^TT_FATAL @ ttnn.{name}: host backend: {parameter} is not implemented$"):
        function(*[None] * len(required), **kwargs, **{parameter: value})


def test_the_walk_catches_an_ignored_parameter(monkeypatch):
    """Mutant: linear's global_cb taken off the refused list is reported as accepted and ignored."""
    monkeypatch.setitem(api.REFUSED, "linear", tuple(p for p in api.REFUSED["linear"] if p != "global_cb"))
    assert "ttnn.linear(global_cb)" in unaccounted()


MUTANT = '''
def helper(x, scale):
    return x * 2


def forwards_and_drops(x, scale=1.0):
    return helper(x, scale)


def forwards_and_uses(x, scale=1.0):
    return x * scale if scale else helper(x, scale)
'''


def test_a_parameter_forwarded_and_dropped_counts_as_unused(tmp_path):
    path = tmp_path / "mutant_walk.py"
    path.write_text(MUTANT)
    spec = importlib.util.spec_from_file_location("tt_qwen.host.mutant_walk", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        assert not uses(module.forwards_and_drops, "scale")
        assert uses(module.forwards_and_uses, "scale")
    finally:
        del sys.modules[spec.name]
