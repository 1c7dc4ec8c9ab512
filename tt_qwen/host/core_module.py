"""`ttnn.core`: the tensor predicates and core-range helpers of ttnn/core.py in 0.81.1."""

from __future__ import annotations

from .errors import require
from .memory import (BufferType, CoreCoord, CoreRange, CoreRangeSet, MemoryConfig,  # noqa: F401 (re-exported)
                     ShardOrientation, ShardStrategy, TensorMemoryLayout, create_sharded_memory_config,
                     num_cores_to_corerangeset)
from .types import TORCH_DTYPE, Layout, StorageType

DEVICE_STORAGE_TYPE = StorageType.DEVICE


def ttnn_dtype_to_torch_dtype(dtype):
    """The torch dtype to_torch returns for a ttnn dtype (measured on 0.81.1)."""
    return TORCH_DTYPE[dtype]


def divup(a: int, b: int) -> int:
    return -(-a // b)


def roundup(a: int, b: int) -> int:
    return divup(a, b) * b


def has_storage_type_of(tensor, storage_type: StorageType) -> bool:
    return tensor.storage_type() == storage_type


def is_tensor_storage_on_device(tensor) -> bool:
    return tensor.storage_type() == StorageType.DEVICE


def is_sharded(tensor) -> bool:
    return tensor.is_sharded()


def get_memory_config(tensor):
    return tensor.memory_config()


def has_tile_padding(tensor) -> bool:
    """True when a TILE tensor's last two logical dims are not whole tiles."""
    if tensor.layout != Layout.TILE or len(tensor.shape) < 2:
        return False
    return list(tensor.shape)[-2:] != list(tensor.padded_shape)[-2:]


def _walk(ranges, row_wise: bool):
    """Every core of `ranges` in order: row by row (or column by column) inside each range."""
    for r in ranges:
        yield from r.cores(row_wise)


def _rectangles(cores, row_wise: bool) -> list[CoreRange]:
    """Cores taken in walk order, as runs along a row (column), merged across rows (columns) of equal span."""
    runs: list[list[CoreCoord]] = []
    for core in cores:
        last = runs[-1][-1] if runs else None
        along = last is not None and ((core.y == last.y and core.x == last.x + 1) if row_wise
                                      else (core.x == last.x and core.y == last.y + 1))
        if along:
            runs[-1].append(core)
        else:
            runs.append([core])
    rects: list[CoreRange] = []
    for run in runs:
        start, end = run[0], run[-1]
        prev = rects[-1] if rects else None
        follows = prev is not None and ((prev.start.x, prev.end.x, prev.end.y + 1) == (start.x, end.x, start.y)
                                        if row_wise else
                                        (prev.start.y, prev.end.y, prev.end.x + 1) == (start.y, end.y, start.x))
        if follows:
            rects[-1] = CoreRange(prev.start, end)
        else:
            rects.append(CoreRange(start, end))
    return rects


def num_cores_to_corerangeset_in_subcoregrids(start_core: CoreCoord, target_num_cores: int,
                                              sub_core_grids: CoreRangeSet, row_wise: bool = False) -> CoreRangeSet:
    """`target_num_cores` cores of `sub_core_grids`, walked from `start_core` (measured on 0.81.1)."""
    op = "num_cores_to_corerangeset_in_subcoregrids"
    cores = list(_walk(sub_core_grids.ranges(), row_wise))
    require(start_core in cores, op, f"Start core {start_core} is not in the sub core grids {sub_core_grids}")
    chosen = cores[cores.index(start_core):][:target_num_cores]
    require(len(chosen) == target_num_cores, op,
            f"Target number of cores {target_num_cores} is greater than the {len(chosen)} available from {start_core}")
    return CoreRangeSet(_rectangles(chosen, row_wise))


__all__ = ["BufferType", "DEVICE_STORAGE_TYPE", "MemoryConfig", "ShardOrientation", "ShardStrategy",
           "TensorMemoryLayout", "ttnn_dtype_to_torch_dtype", "create_sharded_memory_config", "divup", "get_memory_config", "has_storage_type_of", "has_tile_padding",
           "is_sharded", "is_tensor_storage_on_device", "num_cores_to_corerangeset",
           "num_cores_to_corerangeset_in_subcoregrids", "roundup"]
