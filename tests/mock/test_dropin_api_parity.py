"""API parity judged by the real package: every public name of ttnn 0.81.1 (the top-level module,
experimental, transformer, kv_cache, core, operations, the Tensor methods) exists on the host
backend or is on tt_qwen/host/not_emulated.py with its reason; and every parameter a real op takes,
the host's op takes too (then uses, writes or refuses it: tests/ops/dropin/test_signature_walk.py)."""

import inspect
import re

import pytest

from tt_qwen.host import api
from tt_qwen.host.not_emulated import NOT_EMULATED, not_emulated

MODULES = ("ttnn", "ttnn.experimental", "ttnn.transformer", "ttnn.kv_cache", "ttnn.core", "ttnn.operations", "Tensor")
# Real parameters the host takes under another form, each with why.
SIGNATURE_GAPS = {
    "reshape": {"logical_shape": "the host takes the logical shape positionally as `shape` in both overloads"},
    "interleaved_to_sharded": {p: "the (grid, shard_shape, shard_scheme, shard_orientation) overload is not "
                                  "emulated; pass a sharded memory config"
                               for p in ("grid", "shard_shape", "shard_scheme", "shard_orientation")},
    "pad": {p: "the (output_padded_shape, input_tensor_start) overload is not emulated; pass padding pairs"
            for p in ("output_padded_shape", "input_tensor_start")},
    "typecast": {p: "the (input_dtype, output_dtype) overload is not emulated; pass dtype"
                 for p in ("input_dtype", "output_dtype")},
}


def _resolve(root, dotted: str):
    if dotted == "Tensor":
        return root.Tensor
    obj = root
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def public(obj) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


def missing_names(real, host) -> list[str]:
    """Real public names the host lacks and does not list as deliberately not emulated."""
    return [f"{module}.{name}" for module in MODULES
            for name in sorted(public(_resolve(real, module)) - public(_resolve(host, module)))
            if name not in not_emulated(module)]


def test_the_host_has_every_public_name_it_does_not_deliberately_leave_out(ttnn, host_backend):
    host, _ = host_backend
    assert missing_names(ttnn, host) == []


def test_the_not_emulated_list_is_current(ttnn, host_backend):
    """Every listed name is a real name the host still lacks (no typos, nothing since emulated)."""
    host, _ = host_backend
    stale = [f"{module}.{name}" for module in NOT_EMULATED for name in not_emulated(module)
             if name not in public(_resolve(ttnn, module)) or name in public(_resolve(host, module))]
    assert stale == []


def test_a_name_the_host_drops_is_caught(ttnn, host_backend, monkeypatch):
    host, _ = host_backend
    monkeypatch.delattr(host, "get_golden_function")
    assert missing_names(ttnn, host) == ["ttnn.get_golden_function"]


def real_parameters(op) -> list[str] | None:
    """Parameter names of every overload of a real op (nanobind lists them in its docstring)."""
    target = getattr(op, "function", op)
    texts = (getattr(target, "__doc__", None), getattr(type(target).__call__, "__doc__", None),
             getattr(getattr(target, "__call__", None), "__doc__", None))
    overloads = [o for text in texts if text for o in re.findall(r"^(?:__call__)?\(self, (.*?)\) ->", text, re.M)]
    names = []
    for overload in overloads:
        for match in re.finditer(r"(?:^|, )(\w+)(?=[:,=]|$)", overload):
            if match.group(1) not in names:
                names.append(match.group(1))
    return names or None


def host_ops(host):
    for prefix, module in (("", host), ("experimental.", host.experimental), ("transformer.", host.transformer),
                           ("kv_cache.", host.kv_cache)):
        for name, function in api.exposed_functions(module):
            yield prefix + name, function


def test_every_real_parameter_is_taken_by_the_host_op(ttnn, host_backend):
    host, _ = host_backend
    gaps, compared = [], 0
    for name, function in host_ops(host):
        real_op = _resolve(ttnn, f"ttnn.{name}") if _has(ttnn, name) else None
        real = real_parameters(real_op) if real_op is not None else None
        if real is None:
            continue
        compared += 1
        taken = inspect.signature(function).parameters
        gaps += [f"ttnn.{name}({p})" for p in real if p not in taken and p not in SIGNATURE_GAPS.get(name, {})]
    assert compared >= 40, f"only {compared} real signatures could be read"
    assert gaps == []


def _has(root, dotted: str) -> bool:
    obj = root
    for part in dotted.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


@pytest.mark.parametrize("name", sorted(api.REFUSED))
def test_every_refused_parameter_is_a_real_parameter(name, ttnn):
    """A refusal names a parameter the real op takes (or the host's own extra form of it)."""
    if not _has(ttnn, name):
        pytest.skip(f"ttnn.{name} is a host-only name")
    real = real_parameters(_resolve(ttnn, f"ttnn.{name}"))
    if real is None:
        pytest.skip(f"ttnn.{name} is a Python function whose parameters 0.81.1 does not list")
    extra = [p for p in api.REFUSED[name] if p not in real and p != "queue_id"]  # queue_id: accepted by **kwargs
    assert extra == []
