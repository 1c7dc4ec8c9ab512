"""The host backend's types underneath everything else: enums, dtype facts, Shape.

Nothing here knows about tensors, devices or ops, so memory.py, device.py, tensor.py and the ops
all import from this module and never from each other in a circle.
"""

from __future__ import annotations

import enum

import torch

from .errors import require

TILE_SIZE = 32


class NamedEnum(enum.Enum):
    """Prints like the nanobind enums: DataType.BFLOAT16 for both str() and repr()."""

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"

    __str__ = __repr__


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
