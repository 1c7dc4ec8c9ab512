"""Data movement: reshape, slice, concat, transpose, permute, pad, squeeze/unsqueeze, (un)tilize, resharding."""

from __future__ import annotations

import builtins
import math

import torch

from ..errors import require
from ..memory import DRAM_MEMORY_CONFIG, MemoryConfig
from ..tensor import Tensor
from ..types import Layout
from .common import on_device, record
from .core import check_memory, to_layout, to_memory_config


def _same_place(op: str, tensor: Tensor) -> None:
    require(isinstance(tensor, Tensor), op, f"Expected a ttnn.Tensor, got {type(tensor).__name__}")
    tensor._check_allocated(op)


def _result(op: str, values: torch.Tensor, like: Tensor, memory_config=None, pad_value: float = 0.0) -> Tensor:
    """Same dtype/layout/device as `like`; values are already representable, so no rounding happens."""
    config = memory_config or like.memory_config()
    if like.device() is not None:
        record(op, like, tuple(values.shape), config)
    return Tensor.from_values(values, like.dtype, like.layout, like.device(), config, pad_value=pad_value)


def reshape(input_tensor: Tensor, shape, padded_shape=None, *, memory_config=None, pad_value=None,
            reshape_tile_mode=None, sub_core_grids=None, skip_padding_fill=False) -> Tensor:
    op = "ttnn.reshape"
    _same_place(op, input_tensor)
    if padded_shape is not None:
        return _review(op, input_tensor, list(shape), list(padded_shape))
    dims = list(shape)
    volume = input_tensor.logical_volume()
    if -1 in dims:
        require(dims.count(-1) == 1, op, "Only one dimension can be inferred (-1) in reshape")
        known = math.prod(d for d in dims if d != -1)
        require(known > 0 and volume % known == 0, op, f"Cannot infer -1 in shape {dims} for volume {volume}")
        dims[dims.index(-1)] = volume // known
    require(math.prod(dims) == volume, op,
            f"Invalid arguments to reshape: new shape {dims} (volume {math.prod(dims)}) does not match the input "
            f"shape {list(input_tensor.shape)} (volume {volume})")
    values = input_tensor.values().reshape(dims)
    old = list(input_tensor.shape)
    view = (input_tensor.device() is not None and memory_config in (None, input_tensor.memory_config())
            and dims and old and dims[-1] == old[-1]
            and (input_tensor.layout == Layout.ROW_MAJOR
                 or (len(dims) < 2 or dims[-2] % 32 == 0) and (len(old) < 2 or old[-2] % 32 == 0)))
    if view:
        # Tile-aligned reshapes on device are metadata-only and share the buffer.
        out = Tensor.from_values(values, input_tensor.dtype, input_tensor.layout)
        return input_tensor.view(out.storage(), dims)
    return _result(op, values, input_tensor, memory_config, 0.0 if pad_value is None else pad_value)


def _review(op: str, input_tensor: Tensor, dims: list, padded: list) -> Tensor:
    """reshape(logical, padded): the same storage seen with new logical and padded shapes (measured on
    0.81.1: a TILE [1, 1, 32, 64] re-viewed as [1, 1, 7, 64] padded [1, 1, 32, 64] keeps its buffer)."""
    require(len(dims) == len(padded) and all(0 <= d <= p for d, p in zip(dims, padded)), op,
            f"logical shape {dims} must fit the padded shape {padded}")
    require(math.prod(padded) == input_tensor.physical_volume(), op,
            f"padded shape {padded} (volume {math.prod(padded)}) must hold the input's physical volume "
            f"{input_tensor.physical_volume()} (padded shape {list(input_tensor.padded_shape)})")
    if input_tensor.layout == Layout.TILE:
        require(len(padded) >= 2 and padded[-1] % 32 == 0 and padded[-2] % 32 == 0, op,
                f"a TILE padded shape must be whole tiles, got {padded}")
    return input_tensor.view(input_tensor.storage().reshape(padded), dims)


def _slice_index(op: str, tensor: Tensor, starts, ends, steps):
    """Python-style starts/ends (negatives count from the end) checked like the device's slice."""
    shape, padded = list(tensor.shape), list(tensor.padded_shape)
    rank = len(shape)
    require(len(starts) == rank, op, f"Input rank {rank} and begins {len(starts)} must have the same size")
    require(len(ends) == rank, op, f"Input rank {rank} and ends {len(ends)} must have the same size")
    steps = [1] * rank if steps is None else list(steps)
    require(len(steps) == rank and all(s > 0 for s in steps), op, "Slice steps must be positive, one per dim")
    index = []
    for size, start, end, step in zip(shape, starts, ends, steps):
        start = start + size if start < 0 else start
        end = end + size if end < 0 else end
        index.append((start, end, step))
    for dim, (start, end, _) in enumerate(index):
        require(end <= padded[dim], op, f"Ends {end} must be less than or equal to the shape of the tensor {padded[dim]}")
        require(end >= start, op, f"End {end} must be greater than or equal to start {start}")
    return tuple(builtins.slice(*i) for i in index)


def slice(input_tensor: Tensor, slice_start=None, slice_end=None, slice_step=None, *, starts=None, ends=None,
          steps=None, memory_config=None, output_tensor=None, pad_value=None, slice_dim=None, num_devices=None,
          sub_core_grids=None) -> Tensor:
    """ttnn.slice; accepts both overloads' argument names (slice_start/... and starts/ends/steps)."""
    op = "ttnn.slice"
    on_device(op, input_tensor)
    starts = list(slice_start if slice_start is not None else starts)
    ends = list(slice_end if slice_end is not None else ends)
    steps = slice_step if slice_step is not None else steps
    index = _slice_index(op, input_tensor, starts, ends, steps)
    # Ends may reach into the tile padding, which then becomes part of the logical result.
    beyond = any(i.stop > d for i, d in zip(index, input_tensor.shape))
    source = input_tensor.padded_values() if beyond else input_tensor.values()
    return _result(op, source[index].contiguous(), input_tensor, memory_config,
                   0.0 if pad_value is None else pad_value)


def concat(tensors, dim=0, *, memory_config=None, output_tensor=None, groups=1, sub_core_grids=None) -> Tensor:
    op = "ttnn.concat"
    tensors = list(tensors)
    require(tensors, op, "At least one input tensor is required")
    first = tensors[0]
    for t in tensors:
        _same_place(op, t)
        require(t.device() is first.device(), op, "All input tensors must be on the same device")
        require(t.dtype == first.dtype, op, "All Tensors should have same dtypes.")
        require(len(t.shape) == len(first.shape), op, "All input tensors must have the same rank")
    rank = len(first.shape)
    dim = dim + rank if dim < 0 else dim
    require(0 <= dim < rank, op, f"Concat dim {dim} out of range for rank {rank}")
    for t in tensors:
        for d in range(rank):
            require(d == dim or t.shape[d] == first.shape[d], op,
                    "All dimensions must be the same size except for the dimension along which the contenation is "
                    "taking place.")
    require(groups == 1, op, "groups > 1 is not supported by the host backend")
    # Mixed layouts are accepted; the output takes the first tensor's layout.
    values = torch.cat([t.values() for t in tensors], dim=dim)
    return _result(op, values, first, memory_config)


def _normalize_dims(op: str, dims, rank: int) -> list:
    dims = [d + rank if d < 0 else d for d in dims]
    require(all(0 <= d < rank for d in dims), op, f"Dimension out of range for rank {rank}: {dims}")
    return dims


def transpose(input_tensor: Tensor, dim1: int, dim2: int, *, memory_config=None, pad_value=0.0) -> Tensor:
    op = "ttnn.transpose"
    _same_place(op, input_tensor)
    dim1, dim2 = _normalize_dims(op, [dim1, dim2], len(input_tensor.shape))
    return _result(op, input_tensor.values().transpose(dim1, dim2).contiguous(), input_tensor, memory_config)


def permute(input_tensor: Tensor, dims, *, memory_config=None, pad_value=0.0) -> Tensor:
    op = "ttnn.permute"
    _same_place(op, input_tensor)
    rank = len(input_tensor.shape)
    dims = _normalize_dims(op, list(dims), rank)
    require(sorted(dims) == list(range(rank)), op, f"permute dims {dims} must be a permutation of 0..{rank - 1}")
    return _result(op, input_tensor.values().permute(dims).contiguous(), input_tensor, memory_config)


def pad(input_tensor: Tensor, padding, value: float, *, use_multicore=True, memory_config=None,
        sub_core_grids=None) -> Tensor:
    op = "ttnn.pad"
    _same_place(op, input_tensor)
    rank = len(input_tensor.shape)
    padding = [tuple(p) for p in padding]
    require(len(padding) <= rank and all(len(p) == 2 and p[0] >= 0 and p[1] >= 0 for p in padding), op,
            "padding must be (before, after) pairs of non-negative ints, at most one per dim")
    if input_tensor.layout == Layout.TILE and input_tensor.device() is not None:
        require(all(p[0] == 0 for p in padding), op, "ttnn.pad: on device tile padding does not support front padding")
    flat = []
    for before, after in reversed(padding):
        flat += [before, after]
    values = input_tensor.values()
    if not values.is_floating_point():
        values = values.to(torch.float64)
    padded = torch.nn.functional.pad(values, flat, value=value)
    return _result(op, padded, input_tensor, memory_config)


def squeeze(input_tensor: Tensor, dim=None) -> Tensor:
    shape = list(input_tensor.shape)
    if dim is None:
        dims = [d for d, size in enumerate(shape) if size == 1]
    else:
        dims = _normalize_dims("ttnn.squeeze", [dim] if isinstance(dim, int) else list(dim), len(shape))
    return reshape(input_tensor, [s for d, s in enumerate(shape) if not (d in dims and s == 1)])


def unsqueeze(input_tensor: Tensor, dim: int) -> Tensor:
    shape = list(input_tensor.shape)
    dim = dim + len(shape) + 1 if dim < 0 else dim
    return reshape(input_tensor, shape[:dim] + [1] + shape[dim:])


def tilize(input_tensor: Tensor, *, memory_config=None, dtype=None, use_multicore=True, use_low_perf=False,
           tile=None, sub_core_grids=None) -> Tensor:
    require(input_tensor.layout == Layout.ROW_MAJOR, "ttnn.tilize", "Input tensor must be ROW_MAJOR")
    return to_layout(input_tensor, Layout.TILE, dtype=dtype, memory_config=memory_config)


def untilize(input_tensor: Tensor, *, memory_config=None, use_multicore=True, sub_core_grids=None) -> Tensor:
    require(input_tensor.layout == Layout.TILE, "ttnn.untilize", "Input tensor must be TILE")
    return to_layout(input_tensor, Layout.ROW_MAJOR, memory_config=memory_config)


def interleaved_to_sharded(input_tensor: Tensor, sharded_memory_config: MemoryConfig, output_dtype=None, *,
                           keep_l1_aligned=False, preallocated_output=None) -> Tensor:
    op = "ttnn.interleaved_to_sharded"
    require(sharded_memory_config.is_sharded(), op, "Output memory config must be sharded")
    require(not input_tensor.is_sharded(), op, "Input tensor must be interleaved")
    check_memory(op, input_tensor.padded_shape, input_tensor.layout, sharded_memory_config)
    return to_memory_config(input_tensor, sharded_memory_config, output_dtype)


def sharded_to_interleaved(input_tensor: Tensor, memory_config=None, output_dtype=None) -> Tensor:
    require(input_tensor.is_sharded(), "ttnn.sharded_to_interleaved", "Input tensor must be sharded")
    return to_memory_config(input_tensor, memory_config or DRAM_MEMORY_CONFIG, output_dtype)


__all__ = ["reshape", "slice", "concat", "transpose", "permute", "pad", "squeeze", "unsqueeze", "tilize", "untilize",
           "interleaved_to_sharded", "sharded_to_interleaved"]
