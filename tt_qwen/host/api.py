"""The host backend's API, parameter by parameter: nothing it accepts is silently ignored.

Every parameter of every function the host exposes (its 0.81.1 signature) is one of:
- used: the function's body reads it (tests/ops/dropin checks this by walking the source);
- an output tensor (`output_tensor`, `optional_output_tensor`, ...): the result is written
  into the tensor given, which is returned, as on the card;
- in NO_EFFECT, with the reason its value cannot change anything the host can show;
- in REFUSED: any value but its default (or one listed in ACCEPTED) raises
  "host backend: <parameter> is not implemented".
`expose` wraps a function with the last two rules; the package applies it to every function it
exports, so code written for the real ttnn never gets an answer that ignored one of its arguments.
"""

from __future__ import annotations

import functools
import inspect
from types import ModuleType

from .dispatch import keeps_the_8x8_grid
from .errors import fatal, require

NOT_IMPLEMENTED = "host backend: {} is not implemented"

OUTPUT_PARAMETERS = ("output_tensor", "optional_output_tensor", "optional_tensor", "preallocated_output", "output_tensors")

_SCHEDULING = "chooses which cores or which program variant run the op; the result is the same"
# Parameters whose value changes nothing the host can show, for every op that takes them.
NO_EFFECT = {
    "use_multicore": _SCHEDULING,
    "use_low_perf": _SCHEDULING,
    "core_grid": _SCHEDULING + " (an interleaved output's spec does not depend on it)",
    "blocking": "host ops complete eagerly, so every read is already blocking",
    "sub_device_id": "the host device has one sub-device, the whole grid",
}
# Parameters one op ignores on the real package too (measured on 0.81.1, see the op's docstring).
NO_EFFECT_BY_OP = {
    "experimental.nlp_concat_heads_decode": {
        "memory_config": "measured: 0.81.1 width-shards the output over num_heads cores whatever it says"},
    "experimental.nlp_create_qkv_heads_decode": {
        "memory_config": "measured: 0.81.1 height-shards the outputs one user per core whatever it says"},
    "synchronize_device": {"device": "host ops complete eagerly: there is nothing to wait for",
                           "args": "as device", "kwargs": "as device"},
    "to_torch": {"device": "the device untilizes before the copy on the card; the values are the same"},
}

# Values a refused parameter may take besides its default: what the host does implement.
ACCEPTED = {
    "cq_id": lambda value: value in (None, 0),
    "queue_id": lambda value: value in (None, 0),
    "num_command_queues": lambda value: value == 1,
    "tile": lambda tile: tile is None or list(getattr(tile, "tile_shape", ())) == [32, 32],
    "output_tile": lambda tile: tile is None or list(getattr(tile, "tile_shape", ())) == [32, 32],
    "worker_l1_size": lambda value: value in (None, 0),
    "dispatch_core_config": keeps_the_8x8_grid,
}

_CACHE_EXTRAS = ("compute_kernel_config", "mesh_coords")
_BINARY = ("fast_and_approximate_mode", "input_tensor_a_activations", "input_tensor_b_activations",
           "sub_core_grids")
_UNARY = ("sub_core_grids",)
_MATMUL = ("global_cb", "prefetcher_pipes", "output_tile")
REFUSED = {
    "add": _BINARY, "sub": _BINARY, "subtract": _BINARY, "mul": _BINARY, "multiply": _BINARY,
    "silu": _UNARY, "neg": _UNARY, "relu": _UNARY, "exp": ("fast_and_approximate_mode",) + _UNARY,
    "argmax": ("sub_core_grids", "enable_secondary_dm"),
    "as_tensor": ("mesh_mapper", "cache_dump_mode", "use_device_tilizer"),
    "clone": ("compute_kernel_config",),
    "concat": ("sub_core_grids",),
    "copy_host_to_device_tensor": ("cq_id",),
    "embedding": ("queue_id", "embeddings_type"),
    "gelu": _UNARY, "relu6": _UNARY, "hardsigmoid": _UNARY, "sigmoid": ("vector_mode", "mode") + _UNARY,
    "tanh": ("fast_and_approximate_mode",) + _UNARY, "untilize_with_unpadding": _UNARY,
    "from_device": ("queue_id", "cq_id"),
    "from_torch": ("mesh_mapper", "cq_id", "preserve_nan_values", "enable_bfloat_opt"),
    "init_device_compute_kernel_config": ("arch",),
    "interleaved_to_sharded": ("keep_l1_aligned",),
    "layer_norm": ("recip_tensor",),
    "linear": _MATMUL + ("in0_column_offset",),
    "matmul": _MATMUL,
    "open_device": ("dispatch_core_config", "worker_l1_size", "num_command_queues"),
    "pad": ("sub_core_grids",),
    "permute": ("pad_value",),
    "transpose": ("pad_value",),
    "reshape": ("reshape_tile_mode", "sub_core_grids", "skip_padding_fill"),
    "slice": ("slice_dim", "num_devices", "sub_core_grids"),
    "softmax": ("numeric_stable",),
    "tilize": ("tile", "sub_core_grids"),
    "untilize": ("sub_core_grids",),
    "to_layout": ("sub_core_grids",),
    "typecast": ("sub_core_grids",),
    "to_device": ("queue_id", "cq_id"),
    "to_torch": ("mesh_composer", "cq_id"),
    "update_cache": ("compute_kernel_config",),
    "kv_cache.update_cache_for_token_": ("compute_kernel_config",),
    "experimental.nlp_concat_heads_decode": ("sub_core_grids",),
    "experimental.nlp_create_qkv_heads": ("kv_tied",),
    "experimental.paged_fill_cache": _CACHE_EXTRAS + ("cache_position_modulo", "valid_seq_len_tensor"),
    "experimental.paged_update_cache": _CACHE_EXTRAS,
    "transformer.paged_scaled_dot_product_attention_decode": ("paged_cache_geometry", "spec_multi_pos_tiles"),
    "transformer.scaled_dot_product_attention": ("windowed_q_token_offset", "windowed_q_token_offset_tensor",
                                                 "attn_mask_block_map"),
    "transformer.split_query_key_value_and_split_heads": ("use_falcon7b_backend",),
}
# numeric_stable=True is what the host computes (torch's softmax subtracts the max); False is refused.

# compute_kernel_config of these ops is implemented by the numerics work (branch h-numerics).
NUMERICS_OWNED = {"linear", "matmul", "rms_norm", "layer_norm", "softmax", "experimental.rotary_embedding",
                  "transformer.scaled_dot_product_attention", "transformer.scaled_dot_product_attention_decode",
                  "transformer.paged_scaled_dot_product_attention_decode"}


def _is_default(value, default) -> bool:
    if value is default:
        return True
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)) and not value and not default:
        return True
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError, RuntimeError):
        return False


def refusal(name: str, parameter: str, value, default) -> None:
    """Raise the one-line refusal unless `value` is the default or an accepted value."""
    accepted = ACCEPTED.get(parameter)
    if _is_default(value, default) or (accepted is not None and accepted(value)):
        return
    fatal(f"ttnn.{name}", NOT_IMPLEMENTED.format(parameter))


def _same_spec(target, result) -> bool:
    return (list(target.shape) == list(result.shape) and list(target.padded_shape) == list(result.padded_shape)
            and target.dtype == result.dtype and target.layout == result.layout)


def write_into(name: str, target, result):
    """Copy `result` into the caller's output tensor (same spec, as the device requires) and return it."""
    if isinstance(target, (list, tuple)):
        require(isinstance(result, (list, tuple)) and len(result) == len(target), f"ttnn.{name}",
                f"expected {len(result)} output tensors, got {len(target)}")
        return type(result)(write_into(name, t, r) for t, r in zip(target, result))
    require(_same_spec(target, result), f"ttnn.{name}",
            f"output tensor spec (shape {list(target.shape)}, padded {list(target.padded_shape)}, {target.dtype}, "
            f"{target.layout}) must match the op's output (shape {list(result.shape)}, padded "
            f"{list(result.padded_shape)}, {result.dtype}, {result.layout})")
    require(target.is_allocated(), f"ttnn.{name}", "output tensor is not allocated (it was deallocated)")
    target.mutable_data().copy_(result._data)
    if result is not target and result.device() is not None:
        result.deallocate()
    return target


def expose(name: str, function):
    """`function` as ttnn.<name>: refused parameters checked first, output tensors written."""
    signature = inspect.signature(function)
    parameters = signature.parameters
    refused = [p for p in REFUSED.get(name, ()) if p in parameters]
    outputs = [p for p in OUTPUT_PARAMETERS if p in parameters]
    if not refused and not outputs:
        return function
    positions = {p: i for i, p in enumerate(parameters)
                 if parameters[p].kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)}

    @functools.wraps(function)
    def call(*args, **kwargs):
        for parameter in refused:
            default = parameters[parameter].default
            if parameter in kwargs:
                refusal(name, parameter, kwargs[parameter], default)
            elif positions.get(parameter, len(args)) < len(args):
                refusal(name, parameter, args[positions[parameter]], default)
        given = {p: kwargs.pop(p) for p in outputs if kwargs.get(p) is not None}
        result = function(*args, **kwargs)
        for target in given.values():
            result = write_into(name, target, result)
        return result

    call.refused = tuple(refused)
    return call


def exposed_functions(module: ModuleType):
    """(name, function) of the host functions `module` exports."""
    for name in sorted(vars(module)):
        value = getattr(module, name)
        if not name.startswith("_") and inspect.isfunction(value) and value.__module__.startswith("tt_qwen.host"):
            yield name, value


def install(module: ModuleType, prefix: str = "") -> None:
    """Replace each function `module` exports by its exposed form (once)."""
    for name, function in list(exposed_functions(module)):
        if not hasattr(function, "__wrapped__"):
            setattr(module, name, expose(prefix + name, function))
