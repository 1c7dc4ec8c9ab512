"""Memory configs, shard specs and core ranges, with ttnn 0.81.1's constructors and equality."""

from __future__ import annotations

import math

from .errors import require
from .types import NamedEnum, Shape



class TensorMemoryLayout(NamedEnum):
    INTERLEAVED = 0
    HEIGHT_SHARDED = 2
    WIDTH_SHARDED = 3
    BLOCK_SHARDED = 4


class BufferType(NamedEnum):
    DRAM = 0
    L1 = 1
    SYSTEM_MEMORY = 2
    L1_SMALL = 3
    TRACE = 4


class ShardOrientation(NamedEnum):
    ROW_MAJOR = 0
    COL_MAJOR = 1


class ShardStrategy(NamedEnum):
    HEIGHT = 0
    WIDTH = 1
    BLOCK = 2


class CoreCoord:
    def __init__(self, x: int, y: int):
        self.x, self.y = int(x), int(y)

    def __eq__(self, other):
        return isinstance(other, CoreCoord) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return f"{self.x}-{self.y}"


class CoreRange:
    def __init__(self, start: CoreCoord, end: CoreCoord):
        require(end.x >= start.x and end.y >= start.y, "CoreRange",
                f"Invalid core range for start: {start}, end: {end}")
        self.start, self.end = start, end

    def num_cores(self) -> int:
        return (self.end.x - self.start.x + 1) * (self.end.y - self.start.y + 1)

    def grid_size(self) -> CoreCoord:
        return CoreCoord(self.end.x - self.start.x + 1, self.end.y - self.start.y + 1)

    def contains(self, other) -> bool:
        if isinstance(other, CoreCoord):
            return self.start.x <= other.x <= self.end.x and self.start.y <= other.y <= self.end.y
        return self.contains(other.start) and self.contains(other.end)

    def cores(self, row_wise: bool = True) -> list[CoreCoord]:
        xs, ys = range(self.start.x, self.end.x + 1), range(self.start.y, self.end.y + 1)
        if row_wise:
            return [CoreCoord(x, y) for y in ys for x in xs]
        return [CoreCoord(x, y) for x in xs for y in ys]

    def __eq__(self, other):
        return isinstance(other, CoreRange) and (self.start, self.end) == (other.start, other.end)

    def __hash__(self):
        return hash((self.start, self.end))

    def __repr__(self):
        return f"[{self.start} - {self.end}]"

    def to_json(self) -> str:
        # Verbatim ttnn 0.81.1 output, including its missing closing brace.
        return f'{{"start":{{"x":{self.start.x},"y":{self.start.y}}},"end":{{"x":{self.end.x},"y":{self.end.y}}}'


class CoreRangeSet:
    def __init__(self, ranges=()):
        if isinstance(ranges, CoreRange):
            ranges = [ranges]
        self._ranges = sorted(set(ranges), key=lambda r: (r.start.y, r.start.x))
        for i, a in enumerate(self._ranges):
            for b in self._ranges[i + 1:]:
                overlap = not (a.end.x < b.start.x or b.end.x < a.start.x
                               or a.end.y < b.start.y or b.end.y < a.start.y)
                require(not overlap, "CoreRangeSet",
                        f"Cannot create CoreRangeSet with specified core ranges because core ranges {a} and {b} overlap!")

    def ranges(self) -> list[CoreRange]:
        return list(self._ranges)

    def num_cores(self) -> int:
        return sum(r.num_cores() for r in self._ranges)

    def bounding_box(self) -> CoreRange:
        require(self._ranges, "CoreRangeSet", "Cannot get bounding_box of an empty CoreRangeSet!")
        return CoreRange(CoreCoord(min(r.start.x for r in self._ranges), min(r.start.y for r in self._ranges)),
                         CoreCoord(max(r.end.x for r in self._ranges), max(r.end.y for r in self._ranges)))

    def contains(self, other) -> bool:
        return any(r.contains(other) for r in self._ranges)

    def cores(self, row_wise: bool = True) -> list[CoreCoord]:
        return [c for r in self._ranges for c in r.cores(row_wise)]

    def __eq__(self, other):
        return isinstance(other, CoreRangeSet) and set(self._ranges) == set(other._ranges)

    def __hash__(self):
        return hash(frozenset(self._ranges))

    def __repr__(self):
        return "{" + ", ".join(map(repr, self._ranges)) + "}"


class CoreGrid:
    def __init__(self, *, x: int, y: int):
        self.x, self.y = int(x), int(y)

    @property
    def num_cores(self) -> int:
        return self.x * self.y

    def __eq__(self, other):
        return isinstance(other, CoreGrid) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return f"ttnn.CoreGrid(x={self.x}, y={self.y})"


class ShardSpec:
    def __init__(self, grid: CoreRangeSet, shard_shape, shard_orientation=ShardOrientation.ROW_MAJOR):
        require(len(shard_shape) == 2, "ShardSpec", "shard_shape must have 2 dims [height, width]")
        self.grid = grid
        self.shape = [int(shard_shape[0]), int(shard_shape[1])]
        self.orientation = shard_orientation

    def num_cores(self) -> int:
        return self.grid.num_cores()

    def __eq__(self, other):
        return (isinstance(other, ShardSpec) and self.grid == other.grid
                and self.shape == other.shape and self.orientation == other.orientation)

    def __hash__(self):
        return hash((self.grid, tuple(self.shape), self.orientation))

    def __repr__(self):
        grid = ",".join(r.to_json() for r in self.grid.ranges())
        return f"ShardSpec{{grid=[{grid}], shape={self.shape}, orientation=ShardOrientation::{self.orientation.name}}}"


class MemoryConfig:
    def __init__(self, memory_layout: TensorMemoryLayout = TensorMemoryLayout.INTERLEAVED,
                 buffer_type: BufferType = BufferType.DRAM, shard_spec: ShardSpec | None = None):
        self.memory_layout = memory_layout
        self.buffer_type = buffer_type
        self.shard_spec = shard_spec
        self.nd_shard_spec = None

    @property
    def interleaved(self) -> bool:
        return self.memory_layout == TensorMemoryLayout.INTERLEAVED

    def is_sharded(self) -> bool:
        return self.memory_layout != TensorMemoryLayout.INTERLEAVED

    def __eq__(self, other):
        return (isinstance(other, MemoryConfig) and self.memory_layout == other.memory_layout
                and self.buffer_type == other.buffer_type and self.shard_spec == other.shard_spec)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.memory_layout, self.buffer_type, self.shard_spec))

    def __repr__(self):
        spec = self.shard_spec if self.shard_spec is not None else "std::nullopt"
        return (f"MemoryConfig(memory_layout=TensorMemoryLayout::{self.memory_layout.name},"
                f"buffer_type=BufferType::{self.buffer_type.name},shard_spec={spec},nd_shard_spec=std::nullopt,"
                f"created_with_nd_shard_spec=0,per_core_allocation=0,range_lockstep_allocation=0)")


DRAM_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.INTERLEAVED, BufferType.DRAM)
L1_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.INTERLEAVED, BufferType.L1)
L1_HEIGHT_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.HEIGHT_SHARDED, BufferType.L1)
L1_WIDTH_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.WIDTH_SHARDED, BufferType.L1)
L1_BLOCK_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.BLOCK_SHARDED, BufferType.L1)


def num_cores_to_corerangeset(target_num_cores: int, grid_size: CoreCoord, row_wise: bool = False) -> CoreRangeSet:
    """First `target_num_cores` cores of `grid_size`, filled row by row (row_wise) or column by column."""
    total = grid_size.x * grid_size.y
    require(target_num_cores <= total, "num_cores_to_corerangeset",
            f"Target number of cores {target_num_cores} is greater than total number of available cores {total}")
    ranges = []
    if row_wise:
        full, rest = divmod(target_num_cores, grid_size.x)
        if full:
            ranges.append(CoreRange(CoreCoord(0, 0), CoreCoord(grid_size.x - 1, full - 1)))
        if rest:
            ranges.append(CoreRange(CoreCoord(0, full), CoreCoord(rest - 1, full)))
    else:
        full, rest = divmod(target_num_cores, grid_size.y)
        if full:
            ranges.append(CoreRange(CoreCoord(0, 0), CoreCoord(full - 1, grid_size.y - 1)))
        if rest:
            ranges.append(CoreRange(CoreCoord(full, 0), CoreCoord(full, rest - 1)))
    return CoreRangeSet(ranges)


def cores_row_wise_from(start: int, count: int, grid: CoreCoord) -> CoreRangeSet:
    """`count` cores taken row by row after the first `start` ones (the C++ overload with a start core),
    as rectangles: a partial first row, full rows, a partial last row."""
    require(start + count <= grid.x * grid.y, "num_cores_to_corerangeset",
            f"Target number of cores {start + count} is greater than total number of available cores {grid.x * grid.y}")
    ranges, index, end = [], start, start + count
    while index < end:
        y, x = divmod(index, grid.x)
        if x == 0 and end - index >= grid.x:
            rows = (end - index) // grid.x
            ranges.append(CoreRange(CoreCoord(0, y), CoreCoord(grid.x - 1, y + rows - 1)))
            index += rows * grid.x
        else:
            last = min(grid.x - 1, x + end - index - 1)
            ranges.append(CoreRange(CoreCoord(x, y), CoreCoord(last, y)))
            index += last - x + 1
    return CoreRangeSet(ranges)


def create_sharded_memory_config(shape, core_grid, strategy: ShardStrategy, orientation=None,
                                 use_height_and_width_as_shard_shape: bool = False) -> MemoryConfig:
    """ttnn.create_sharded_memory_config: the same shard-shape arithmetic and the same refusals."""
    if not isinstance(shape, (list, tuple, Shape)):
        raise RuntimeError("Invalid input shape")
    if not isinstance(core_grid, (CoreGrid, tuple, list, CoreRangeSet)):
        raise RuntimeError("Invalid core_grid type")
    layouts = {ShardStrategy.BLOCK: TensorMemoryLayout.BLOCK_SHARDED,
               ShardStrategy.WIDTH: TensorMemoryLayout.WIDTH_SHARDED,
               ShardStrategy.HEIGHT: TensorMemoryLayout.HEIGHT_SHARDED}
    if strategy not in layouts:
        raise RuntimeError("Invalid sharding strategy")
    orientation = ShardOrientation.ROW_MAJOR if orientation is None else orientation
    if not isinstance(orientation, ShardOrientation):
        raise RuntimeError("Invalid shard orientation")

    if isinstance(core_grid, CoreGrid):
        grid = CoreRangeSet({CoreRange(CoreCoord(0, 0), CoreCoord(core_grid.x - 1, core_grid.y - 1))})
    elif isinstance(core_grid, (list, tuple)):
        if len(core_grid) != 2:
            raise RuntimeError("Invalid core_grid")
        if not all(isinstance(g, CoreGrid) for g in core_grid):
            raise RuntimeError("Invalid core_grid type")
        grid = CoreRangeSet({
            CoreRange(CoreCoord(0, 0), CoreCoord(core_grid[0].x - 1, core_grid[0].y - 1)),
            CoreRange(CoreCoord(0, core_grid[0].y), CoreCoord(core_grid[1].x - 1, core_grid[0].y)),
        })
    else:
        grid = core_grid
        if not use_height_and_width_as_shard_shape:
            raise RuntimeError("height and width must be shard shape with CoreRangeSet")

    *batch, height, width = list(shape)
    if use_height_and_width_as_shard_shape:
        shard_shape = (height, width) if orientation == ShardOrientation.ROW_MAJOR else (width, height)
    else:
        shard_height, shard_width = math.prod(batch) * height, width
        if strategy == ShardStrategy.BLOCK:
            rows, cols = (core_grid.y, core_grid.x) if orientation == ShardOrientation.ROW_MAJOR else (core_grid.x, core_grid.y)
            if shard_height % rows or shard_width % cols:
                raise RuntimeError("Invalid sharding core_grid")
            shard_shape = (shard_height // rows, shard_width // cols)
        elif strategy == ShardStrategy.HEIGHT:
            cores = core_grid.x * core_grid.y
            if shard_height % cores:
                raise RuntimeError("Invalid sharding core_grid")
            shard_shape = (shard_height // cores, shard_width)
        else:
            cores = core_grid.x * core_grid.y
            if shard_width % cores:
                raise RuntimeError("Invalid sharding core_grid")
            shard_shape = (shard_height, shard_width // cores)
    return MemoryConfig(layouts[strategy], BufferType.L1, ShardSpec(grid, shard_shape, orientation))
