"""The host side of the shadow (tt_qwen/shadow.py): which ttnn calls it watches, the host twin of
each, host copies of a call's arguments, and the PCC threshold each call is held to.

The host twins are the functions of `tt_qwen.host` as they were when this module was imported:
on the host backend `ttnn` *is* tt_qwen.host, so a fault patched into `ttnn.X` for a test (or by
a bring-up engineer trying a fix) changes what the model runs and never what it is judged by.
"""

from __future__ import annotations

import inspect

import tt_qwen.host as host
from tt_qwen.thresholds import pcc_threshold

NAMESPACES = ("", "experimental", "transformer")
# ttnn functions that compute nothing to compare: freeing memory and reading configs.
NOT_OPS = {"deallocate", "get_memory_config"}
# In-place ops: the tensor they update (by parameter name of the host twin) is their output.
IN_PLACE = {"fill_cache": "cache_tensor", "update_cache": "cache", "experimental.paged_update_cache": "cache_tensor",
            "experimental.paged_fill_cache": "cache_tensor", "copy_host_to_device_tensor": "device_tensor"}
# Calls that are listed but cannot be compared, and why.
UNCOMPARABLE = {
    "to_torch": "the read-back the shadow itself uses to copy inputs: comparing it would compare it with itself",
    "allocate_tensor_on_device": "uninitialised memory: the device leaves whatever was there",
}

# op path -> threshold component in tt_qwen/thresholds.py.
COMPONENT = {
    "embedding": "op.embedding", "linear": "op.linear", "matmul": "op.linear",
    "rms_norm": "op.rms_norm", "layer_norm": "op.rms_norm", "softmax": "op.softmax",
    "experimental.rotary_embedding": "op.rotary_embedding",
    "transformer.scaled_dot_product_attention": "op.sdpa",
    "transformer.scaled_dot_product_attention_decode": "op.sdpa_decode",
}
COMPONENT.update(dict.fromkeys(("add", "mul", "multiply", "sub", "subtract", "silu", "exp", "neg", "relu"), "op.eltwise"))
COMPONENT.update(dict.fromkeys(("experimental.nlp_create_qkv_heads", "experimental.nlp_create_qkv_heads_decode",
                                "experimental.nlp_concat_heads", "experimental.nlp_concat_heads_decode"), "op.heads"))
COMPONENT.update(dict.fromkeys(IN_PLACE, "op.kv_cache"))
COMPONENT.update(dict.fromkeys(("reshape", "slice", "permute", "transpose", "concat", "pad", "squeeze", "unsqueeze",
                                "to_memory_config", "to_layout", "typecast", "tilize", "untilize", "from_torch",
                                "as_tensor", "to_device", "from_device", "clone", "reallocate",
                                "interleaved_to_sharded", "sharded_to_interleaved"), "op.data_movement"))
COMPONENT["copy_host_to_device_tensor"] = "op.data_movement"


class NotComparable(Exception):
    """This call has no host twin run; the message says why (it lands in the report)."""


def _resolve(module, path: str):
    owner = module
    for part in path.split(".") if path else ():
        owner = getattr(owner, part, None)
    return owner


def _host_functions() -> dict:
    """Every op the host backend implements, by its path under ttnn."""
    found = {}
    for namespace in NAMESPACES:
        module = _resolve(host, namespace)
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__.startswith("tt_qwen.host.ops") and name not in NOT_OPS:
                found[f"{namespace}.{name}" if namespace else name] = value
    return found


HOST_TWINS = _host_functions()


def watched_ops(ttnn) -> dict:
    """path -> (owner, name) of every op of the run's `ttnn` to watch: on the real ttnn every
    registered operation (so an op the host lacks is listed, not missed); on the host its ops."""
    found = {}
    for namespace in NAMESPACES:
        module = _resolve(ttnn, namespace)
        if module is None:
            continue
        for name in dir(module):
            value = getattr(module, name, None)
            path = f"{namespace}.{name}" if namespace else name
            if name.startswith("_") or name in NOT_OPS:
                continue
            if type(value).__name__ in ("FastOperation", "Operation") or path in HOST_TWINS:
                found[path] = (module, name)
    return found


def twin(path: str):
    function = HOST_TWINS.get(path)
    if function is None:
        raise NotComparable(f"tt_qwen.host has no ttnn.{path}")
    if path in UNCOMPARABLE:
        raise NotComparable(UNCOMPARABLE[path])
    return function


def threshold(path: str, args, output) -> float:
    """The op's PCC threshold: its family by the dtype that sets its precision (a matmul's
    weights, else its output)."""
    component = COMPONENT.get(path)
    if component is None:
        raise NotComparable(f"no threshold family for ttnn.{path} in tt_qwen/shadow_host.py")
    operand = args[1] if component == "op.linear" and len(args) > 1 else output
    dtype = getattr(operand, "dtype", None)
    name = dtype.name.lower() if hasattr(dtype, "name") else "bfloat16"
    try:
        return pcc_threshold(component, name)
    except KeyError as error:
        raise NotComparable(str(error.args[0])) from None


def in_place_target(path: str, args, kwargs):
    """The tensor an in-place op updates, found by the host twin's parameter name."""
    bound = inspect.signature(HOST_TWINS[path]).bind(*args, **kwargs)
    return bound.arguments[IN_PLACE[path]]


# ---- host copies --------------------------------------------------------------------------------

class HostCopier:
    """Rebuilds a call's arguments on a host device of its own: tensors read back from the run's
    device (`read` is the run's unwrapped to_torch), everything else translated to host types."""

    def __init__(self, read, host_device):
        self.read = read
        self.device = host_device

    def copy(self, value):
        if _is_ttnn_tensor(value):
            return self._tensor(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self.copy(v) for v in value)
        if isinstance(value, dict):
            return {k: self.copy(v) for k, v in value.items()}
        if "device" in type(value).__name__.lower() and hasattr(value, "arch"):
            return self.device
        if value is None or isinstance(value, (bool, int, float, str)) or type(value).__module__.startswith(("torch", "tt_qwen.host")):
            return value
        return translate(value)

    def _tensor(self, tensor):
        on_device = "DEVICE" in str(tensor.storage_type()).upper()
        values = self.read(tensor)
        memory = self.copy(tensor.memory_config()) if on_device else None
        return host.from_torch(values, dtype=host.DataType[tensor.dtype.name], layout=host.Layout[tensor.layout.name],
                               device=self.device if on_device else None, memory_config=memory)


def _is_ttnn_tensor(value) -> bool:
    return hasattr(value, "padded_shape") and hasattr(value, "memory_config") and hasattr(value, "storage_type")


def translate(value):
    """A real ttnn value (enum, memory config, core range, program or compute config) as the host's."""
    kind = type(value).__name__
    target = getattr(host, kind, None)
    if target is None:
        raise NotComparable(f"cannot rebuild a ttnn.{kind} argument on the host")
    if hasattr(target, "__members__"):
        return target[value.name]
    if kind == "MemoryConfig":
        shard = value.shard_spec
        return host.MemoryConfig(translate(value.memory_layout), translate(value.buffer_type),
                                 translate(shard) if shard is not None else None)
    if kind == "ShardSpec":
        return host.ShardSpec(translate(value.grid), list(value.shape), translate(value.orientation))
    if kind == "CoreRangeSet":
        return host.CoreRangeSet({translate(r) for r in value.ranges()})
    if kind == "CoreRange":
        return host.CoreRange(translate(value.start), translate(value.end))
    if kind in ("CoreCoord", "CoreGrid"):
        return target(x=value.x, y=value.y)
    fields = {**dict.fromkeys(getattr(target, "_required", ())), **getattr(target, "_fields", {})}
    if fields:
        return target(**{name: _translate_field(getattr(value, name)) for name in fields if hasattr(value, name)})
    raise NotComparable(f"cannot rebuild a ttnn.{kind} argument on the host")


def _translate_field(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_translate_field(v) for v in value)
    return translate(value)
