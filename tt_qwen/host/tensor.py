"""ttnn.Tensor on the host backend: dtypes, layouts, Shape, and values stored as the device stores them.

Storage: one torch tensor of the *padded* shape. Float formats hold exactly the values the device
would hold: bfloat16 in torch.bfloat16 (RNE-rounded), float32 in float32, bfloat8_b/bfloat4_b as
their block-float values (exact in bfloat16, see blockfloat.py). Integer formats are held in int64
so that every uint32 fits. A TILE tensor pads its last two dims to 32 (the padding is stored, and
block-float exponents are shared per face row of the padded tensor, padding included).
"""

from __future__ import annotations

import math

import torch

from . import blockfloat
from .errors import require
from .memory import DRAM_MEMORY_CONFIG, BufferType, MemoryConfig, NamedEnum

TILE_SIZE = 32


class DataType(NamedEnum):
    BFLOAT16 = 0
    FLOAT32 = 1
    UINT32 = 2
    BFLOAT8_B = 3
    BFLOAT4_B = 4
    UINT8 = 5
    UINT16 = 6
    INT32 = 7
    INVALID = 8


class Layout(NamedEnum):
    ROW_MAJOR = 0
    TILE = 1
    INVALID = 2


class StorageType(NamedEnum):
    HOST = 0
    DEVICE = 1


BLOCK_FLOAT = {DataType.BFLOAT8_B: "bfloat8_b", DataType.BFLOAT4_B: "bfloat4_b"}
INTEGER = (DataType.UINT32, DataType.INT32, DataType.UINT16, DataType.UINT8)

# Bytes of one 32x32 tile on the device (bfp: 1024 mantissa bytes (or 512) + 64 exponent bytes).
TILE_BYTES = {DataType.BFLOAT16: 2048, DataType.FLOAT32: 4096, DataType.UINT32: 4096, DataType.INT32: 4096,
              DataType.UINT16: 2048, DataType.UINT8: 1024, DataType.BFLOAT8_B: 1088, DataType.BFLOAT4_B: 576}
ELEMENT_BYTES = {DataType.BFLOAT16: 2, DataType.FLOAT32: 4, DataType.UINT32: 4, DataType.INT32: 4,
                 DataType.UINT16: 2, DataType.UINT8: 1}
INTEGER_RANGE = {DataType.UINT32: (0, 2**32 - 1), DataType.INT32: (-2**31, 2**31 - 1),
                 DataType.UINT16: (0, 2**16 - 1), DataType.UINT8: (0, 255)}

# What the real to_torch returns for each dtype (measured on ttnn 0.81.1).
TORCH_DTYPE = {DataType.BFLOAT16: torch.bfloat16, DataType.FLOAT32: torch.float32,
               DataType.BFLOAT8_B: torch.float32, DataType.BFLOAT4_B: torch.float32,
               DataType.UINT32: torch.uint32, DataType.INT32: torch.int32,
               DataType.UINT16: torch.uint16, DataType.UINT8: torch.uint8}


class Shape:
    """ttnn.Shape: a sequence of ints comparable with lists and tuples."""

    def __init__(self, shape):
        self._dims = tuple(int(d) for d in shape)

    def __getitem__(self, index: int) -> int:
        if not isinstance(index, int):
            raise TypeError("__getitem__(): incompatible function arguments: ttnn.Shape takes an int index")
        rank = len(self._dims)
        require(-rank <= index < rank, "Shape", f"ShapeBase[] index out of range. {index} not in [-{rank}, {rank})")
        return self._dims[index]

    def __len__(self):
        return len(self._dims)

    def __iter__(self):
        return iter(self._dims)

    def __eq__(self, other):
        if isinstance(other, Shape):
            return self._dims == other._dims
        if isinstance(other, (list, tuple, torch.Size)):
            return self._dims == tuple(other)
        return NotImplemented

    def __hash__(self):
        return hash(self._dims)

    @property
    def rank(self) -> int:
        return len(self._dims)

    def to_rank(self, rank: int) -> "Shape":
        dims = list(self._dims)
        while len(dims) > rank:
            require(dims[0] == 1, "Shape::to_rank", f"Cannot convert shape {self} to rank {rank}")
            dims.pop(0)
        return Shape([1] * (rank - len(dims)) + dims)

    def __repr__(self):
        return f"Shape({list(self._dims)})"


def tile_padded(shape) -> tuple:
    """Padded shape of a TILE tensor: last two dims rounded up to 32.

    A rank-1 TILE tensor is one row of tiles: ttnn reports its padded shape as [32, W_padded].
    """
    dims = [1] + list(shape) if len(shape) == 1 else list(shape)
    for i in range(max(0, len(dims) - 2), len(dims)):
        dims[i] = -(-dims[i] // TILE_SIZE) * TILE_SIZE
    return tuple(dims)


def cpp(value) -> str:
    """An enum as the C++ messages print it, e.g. DataType::BFLOAT16."""
    return f"{type(value).__name__}::{value.name}"


def storage_dtype(dtype: DataType) -> torch.dtype:
    """The torch dtype holding `dtype`'s values exactly (block-float values fit in bfloat16)."""
    if dtype in INTEGER:
        return torch.int64
    return torch.float32 if dtype == DataType.FLOAT32 else torch.bfloat16


def encode(values: torch.Tensor, dtype: DataType) -> torch.Tensor:
    """Round padded `values` to what the device stores for `dtype` (the storage tensor)."""
    if dtype == DataType.BFLOAT16:
        return values.to(torch.bfloat16)
    if dtype == DataType.FLOAT32:
        return values.to(torch.float32)
    if dtype in BLOCK_FLOAT:
        return blockfloat.quantize(values.to(torch.float32), BLOCK_FLOAT[dtype]).to(torch.bfloat16)
    if dtype in INTEGER_RANGE:
        low, high = INTEGER_RANGE[dtype]
        wide = values.to(torch.int64) if not values.is_floating_point() else values.to(torch.float64).trunc().to(torch.int64)
        # Integers wrap like the device's fixed-width words.
        return torch.remainder(wide - low, high - low + 1) + low
    raise RuntimeError(f"TT_FATAL @ Tensor: unsupported data type {dtype}")


class Tensor:
    """A host-backend ttnn.Tensor. Build with `Tensor.from_values`; ops read `values()`."""

    def __init__(self, data: torch.Tensor, shape, dtype: DataType, layout: Layout,
                 device=None, memory_config: MemoryConfig | None = None, buffer=None):
        self._data = data
        self._shape = Shape(shape)
        self._dtype = dtype
        self._layout = layout
        self._device = device
        self._memory_config = memory_config or DRAM_MEMORY_CONFIG
        if device is not None and buffer is None:
            buffer = device._allocate(tuple(data.shape), dtype, layout, self._memory_config)
        self._buffer = buffer
        self._released = buffer is None
        if buffer is not None:
            buffer.acquire()

    @classmethod
    def from_values(cls, values: torch.Tensor, dtype: DataType, layout: Layout, device=None,
                    memory_config: MemoryConfig | None = None, shape=None, pad_value: float = 0.0) -> "Tensor":
        """Store logical `values` (or already padded values with logical `shape`) as `dtype`/`layout`."""
        shape = tuple(values.shape) if shape is None else tuple(shape)
        padded = tile_padded(shape) if layout == Layout.TILE else (shape or (1,))  # a scalar has padded shape [1]
        memory_config = memory_config or DRAM_MEMORY_CONFIG
        buffer = device._allocate(padded, dtype, layout, memory_config) if device is not None else None
        if values.dim() < len(padded):
            values = values.reshape((1,) * (len(padded) - values.dim()) + tuple(values.shape))
        if tuple(values.shape) != padded:
            pads = []
            for have, want in zip(reversed(values.shape), reversed(padded)):
                pads += [0, want - have]
            work = values if values.is_floating_point() or dtype in INTEGER else values.to(torch.float32)
            values = torch.nn.functional.pad(work, pads, value=pad_value)
        return cls(encode(values, dtype), shape, dtype, layout, device, memory_config, buffer)

    # --- what ops read -------------------------------------------------------------------
    def stored(self) -> torch.Tensor:
        """Logical values in their storage dtype (a view: no copy)."""
        lead = (0,) * (self._data.dim() - len(self._shape))
        return self._data[lead + tuple(slice(0, d) for d in self._shape)]

    def values(self) -> torch.Tensor:
        """Logical values: float32 for float formats, int64 for integer formats."""
        data = self.stored()
        return data if self._dtype in INTEGER else data.to(torch.float32)

    def mutable_data(self) -> torch.Tensor:
        """The storage, for in-place ops (materialised first if it is a broadcast placeholder)."""
        if not self._data.is_contiguous():
            self._data = self._data.contiguous()
        return self._data

    def padded_values(self) -> torch.Tensor:
        return self._data if self._dtype in INTEGER else self._data.to(torch.float32)

    # --- ttnn.Tensor API -----------------------------------------------------------------
    @property
    def shape(self) -> Shape:
        return self._shape

    @property
    def padded_shape(self) -> Shape:
        return Shape(self._data.shape)

    @property
    def dtype(self) -> DataType:
        return self._dtype

    @property
    def layout(self) -> Layout:
        return self._layout

    def get_dtype(self) -> DataType:
        return self._dtype

    def get_layout(self) -> Layout:
        return self._layout

    def memory_config(self) -> MemoryConfig:
        return self._memory_config

    def storage_type(self) -> StorageType:
        return StorageType.DEVICE if self._device is not None else StorageType.HOST

    def device(self):
        return self._device

    def is_allocated(self) -> bool:
        return self._buffer is None or not self._released

    def is_sharded(self) -> bool:
        return self._memory_config.is_sharded()

    def logical_volume(self) -> int:
        return math.prod(self._shape)

    def volume(self) -> int:
        """Like ttnn: the padded (physical) volume."""
        return math.prod(self._data.shape)

    def physical_volume(self) -> int:
        return math.prod(self._data.shape)

    @property
    def tile(self) -> "Tile":
        return Tile()

    @property
    def spec(self) -> "TensorSpec":
        spec = TensorSpec(self._shape, self._dtype, self._layout)
        spec.memory_config = self._memory_config
        return spec

    def element_size(self) -> int:
        return ELEMENT_BYTES.get(self._dtype, 0)

    def to_torch(self, **kwargs) -> torch.Tensor:
        from .ops.core import to_torch

        return to_torch(self, **kwargs)

    def cpu(self, blocking: bool = True, **_) -> "Tensor":
        from .ops.core import from_device

        return from_device(self)

    def to(self, target, memory_config: MemoryConfig | None = None, **_) -> "Tensor":
        from .ops.core import to_device, to_layout

        if isinstance(target, Layout):
            return to_layout(self, target)
        return to_device(self, target, memory_config)

    def __getitem__(self, index) -> "Tensor":
        """tensor[a:b, ...]: ttnn.slice with Python slice bounds (steps of 1 or more)."""
        from .ops.data_movement import slice as ttnn_slice

        index = index if isinstance(index, tuple) else (index,)
        require(all(isinstance(i, slice) for i in index), "Tensor.__getitem__", "Only slices are supported")
        shape = list(self._shape)
        bounds = [i.indices(d) for i, d in zip(index, shape)] + [(0, d, 1) for d in shape[len(index):]]
        return ttnn_slice(self, [b[0] for b in bounds], [b[1] for b in bounds], [b[2] for b in bounds])

    def deallocate(self, force: bool = True) -> None:
        if not self._released:
            self._released = True
            self._buffer.release()

    def __del__(self):
        if not getattr(self, "_released", True):
            self.deallocate()

    def __repr__(self):
        where = "on device" if self._device is not None else "on host"
        return (f"ttnn.Tensor(shape={list(self._shape)}, padded_shape={list(self.padded_shape)}, "
                f"dtype=DataType.{self._dtype.name}, layout=Layout.{self._layout.name}, {where}, "
                f"memory_config={self._memory_config})")

    # The device would refuse to print a deallocated tensor; we only guard data access.
    def _check_allocated(self, op: str) -> None:
        require(self.is_allocated(), op, "Tensor must be allocated (it was deallocated)")


class TensorSpec:
    def __init__(self, shape, dtype: DataType, layout: Layout, buffer_type: BufferType = BufferType.DRAM, tile=None):
        self.shape = Shape(shape)
        self.dtype = dtype
        self.layout = layout
        self.memory_config = MemoryConfig(buffer_type=buffer_type)
        self.tile = tile


class Tile:
    def __init__(self, tile_shape=(32, 32), transpose_tile: bool = False):
        self.tile_shape = list(tile_shape)
        self.transpose_tile = transpose_tile
