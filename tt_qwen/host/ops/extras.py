"""The ttnn 0.81.1 helpers bring-up code and tt-metal's op tests reach for beyond the model's ops:
creation (ones, zeros, full and their _like forms), the common unary activations, the tile-padding
helpers, and the layer-norm reciprocal table. Their parameters follow the real docstrings."""

from __future__ import annotations

import torch

from ..errors import require
from ..memory import BufferType, MemoryConfig, NamedEnum, ShardOrientation, ShardSpec, TensorMemoryLayout
from ..tensor import BLOCK_FLOAT, DataType, Layout, Tensor, cpp
from .common import on_device, output, record

UNARY_DTYPES = (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B)


class GeluVariant(NamedEnum):
    Accurate = 0
    FastLut = 1
    Tanh = 2


# --- creation ------------------------------------------------------------------------------
def full(shape, fill_value, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    """A tensor of `fill_value` (bfloat16 ROW_MAJOR on the host unless told otherwise, as 0.81.1)."""
    dtype = DataType.BFLOAT16 if dtype is None else dtype
    layout = Layout.ROW_MAJOR if layout is None else layout
    require(not (dtype in BLOCK_FLOAT and layout != Layout.TILE), "ttnn.full",
            "Layout must be Layout::TILE for bfloat8_b or bfloat4_b!")
    values = torch.full(tuple(shape), fill_value, dtype=torch.float32)
    return Tensor.from_values(values, dtype, layout, device, memory_config if device is not None else None)


def ones(shape, dtype=None, layout=None, device=None, memory_config=None):
    return full(shape, 1.0, dtype, layout, device, memory_config)


def zeros(shape, dtype=None, layout=None, device=None, memory_config=None):
    return full(shape, 0.0, dtype, layout, device, memory_config)


def full_like(tensor, fill_value, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    return full(tensor.shape, fill_value, tensor.dtype if dtype is None else dtype,
                tensor.layout if layout is None else layout, device,
                memory_config or (tensor.memory_config() if device is not None else None))


def ones_like(tensor, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    return full_like(tensor, 1.0, dtype, layout, device, memory_config)


def zeros_like(tensor, dtype=None, layout=None, device=None, memory_config=None, optional_tensor=None):
    return full_like(tensor, 0.0, dtype, layout, device, memory_config)


# --- unary activations ---------------------------------------------------------------------
def _unary(op: str, fn, input_tensor: Tensor, memory_config) -> Tensor:
    on_device(op, input_tensor)
    require(input_tensor.dtype in UNARY_DTYPES, op,
            f"Supported dtypes are FLOAT32, BFLOAT16, BFLOAT8_B; got {cpp(input_tensor.dtype)}")
    record(op, input_tensor)
    return output(fn(input_tensor.values()), input_tensor.dtype, input_tensor,
                  memory_config or input_tensor.memory_config(), layout=input_tensor.layout)


def gelu(input_tensor, *, variant=None, fast_and_approximate_mode=False, memory_config=None, output_tensor=None,
         sub_core_grids=None):
    """gelu; the tanh form for variant=Tanh, as the tanh approximation for fast_and_approximate_mode."""
    tanh = variant == GeluVariant.Tanh or (variant is None and fast_and_approximate_mode)
    return _unary("ttnn.gelu", lambda x: torch.nn.functional.gelu(x, approximate="tanh" if tanh else "none"),
                  input_tensor, memory_config)


def relu6(input_tensor, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    return _unary("ttnn.relu6", lambda x: torch.clamp(x, 0.0, 6.0), input_tensor, memory_config)


def hardsigmoid(input_tensor, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    return _unary("ttnn.hardsigmoid", torch.nn.functional.hardsigmoid, input_tensor, memory_config)


def sigmoid(input_tensor, *, vector_mode=None, mode=None, memory_config=None, output_tensor=None,
            sub_core_grids=None):
    return _unary("ttnn.sigmoid", torch.sigmoid, input_tensor, memory_config)


def tanh(input_tensor, *, memory_config=None, output_tensor=None, fast_and_approximate_mode=False,
         sub_core_grids=None):
    return _unary("ttnn.tanh", torch.tanh, input_tensor, memory_config)


# --- tile padding --------------------------------------------------------------------------
def fill_implicit_tile_padding(input_tensor, fill_value, *, memory_config=None):
    """The TILE tensor with its padding (rows and columns past the logical shape) set to `fill_value`."""
    op = "ttnn.fill_implicit_tile_padding"
    on_device(op, input_tensor)
    require(input_tensor.layout == Layout.TILE, op, "Input tensor must be in TILE layout")
    record(op, input_tensor, fill_value)
    return Tensor.from_values(input_tensor.values(), input_tensor.dtype, Layout.TILE, input_tensor.device(),
                              memory_config or input_tensor.memory_config(), pad_value=fill_value)


def untilize_with_unpadding(input_tensor, output_tensor_end, *, memory_config=None, use_multicore=True,
                            sub_core_grids=None):
    """ROW_MAJOR values [0, end] (inclusive ends) of a TILE device tensor."""
    op = "ttnn.untilize_with_unpadding"
    on_device(op, input_tensor)
    require(input_tensor.layout == Layout.TILE, op, "Input tensor must be in TILE layout")
    end = list(output_tensor_end)
    padded = list(input_tensor.padded_shape)
    require(len(end) == len(padded), op, f"output_tensor_end {end} must have rank {len(padded)}")
    require(all(0 <= e < p for e, p in zip(end, padded)), op,
            f"output_tensor_end {end} must lie inside the padded shape {padded}")
    values = input_tensor.padded_values()[tuple(slice(0, e + 1) for e in end)]
    dtype = DataType.BFLOAT16 if input_tensor.dtype in BLOCK_FLOAT else input_tensor.dtype
    record(op, input_tensor, tuple(end))
    return Tensor.from_values(values, dtype, Layout.ROW_MAJOR, input_tensor.device(),
                              memory_config or input_tensor.memory_config())


def create_layer_norm_reciprocals(device, core_range_set, width: int):
    """[cores, width] float32 of 1/1 .. 1/width, one row per core, height-sharded over `core_range_set`."""
    cores = core_range_set.num_cores()
    values = (1.0 / torch.arange(1, width + 1, dtype=torch.float32)).expand(cores, width)
    config = MemoryConfig(TensorMemoryLayout.HEIGHT_SHARDED, BufferType.L1,
                          ShardSpec(core_range_set, [1, width], ShardOrientation.ROW_MAJOR))
    return Tensor.from_values(values.contiguous(), DataType.FLOAT32, Layout.ROW_MAJOR, device, config)


__all__ = ["GeluVariant", "full", "ones", "zeros", "full_like", "ones_like", "zeros_like", "gelu", "relu6",
           "hardsigmoid", "sigmoid", "tanh", "fill_implicit_tile_padding", "untilize_with_unpadding",
           "create_layer_norm_reciprocals"]
