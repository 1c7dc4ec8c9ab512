"""Shard specs an op infers when it is asked for a sharded output without one.

Measured on 0.81.1 (linear, rotary_embedding): HEIGHT and WIDTH sharding split the padded tensor's
tile rows (columns) over up to the 64 cores of the 8x8 grid, row-wise from core (0, 0), with
ceil(tiles / 64) tiles per core; BLOCK sharding puts the whole padded tensor on core (0, 0).
"""

from __future__ import annotations

import math

from ..memory import (BufferType, CoreCoord, CoreRange, CoreRangeSet, MemoryConfig, ShardOrientation, ShardSpec,
                      TensorMemoryLayout, num_cores_to_corerangeset)

GRID = CoreCoord(8, 8)


def _split(tiles: int):
    """(cores, tiles per core) for `tiles` tiles spread over at most the whole grid."""
    per_core = -(-tiles // (GRID.x * GRID.y))
    return -(-tiles // per_core), per_core


def with_inferred_shard_spec(config: MemoryConfig, padded_shape) -> MemoryConfig:
    """`config` itself unless it is sharded without a spec; then the spec the real op infers."""
    if not config.is_sharded() or config.shard_spec is not None:
        return config
    width = padded_shape[-1]
    height = math.prod(padded_shape) // width
    if config.memory_layout == TensorMemoryLayout.HEIGHT_SHARDED:
        cores, per_core = _split(height // 32)
        shape = [per_core * 32, width]
    elif config.memory_layout == TensorMemoryLayout.WIDTH_SHARDED:
        cores, per_core = _split(width // 32)
        shape = [height, per_core * 32]
    else:
        cores, shape = 1, [height, width]
    grid = num_cores_to_corerangeset(cores, GRID, row_wise=True) if cores > 1 else \
        CoreRangeSet([CoreRange(CoreCoord(0, 0), CoreCoord(0, 0))])
    return MemoryConfig(config.memory_layout, BufferType.L1, ShardSpec(grid, shape, ShardOrientation.ROW_MAJOR))
