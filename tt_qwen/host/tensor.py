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
from .memory import DRAM_MEMORY_CONFIG, BufferType, MemoryConfig
from .types import BLOCK_FLOAT, ELEMENT_BYTES, INTEGER, INTEGER_RANGE, DataType, Layout, Shape, StorageType, tile_padded
from .types import cpp  # noqa: F401  (the op modules import it from here with the tensor types)


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
    """A host-backend ttnn.Tensor. Build with `Tensor.from_values`; ops read `values()`.

    The methods that are ops (to_torch, cpu, to, slicing) are bound in tensor_methods.py once the
    ops exist, as the real ttnn binds Tensor.__getitem__ in ttnn/operations/core.py: this module
    sits below the ops and never imports them.
    """

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

    def storage(self) -> torch.Tensor:
        """The padded storage tensor as the device holds it (read only: use mutable_data to write)."""
        return self._data

    def on_device(self, device, memory_config: MemoryConfig) -> "Tensor":
        """The same stored values placed in a new buffer on `device`."""
        return Tensor(self._data, self._shape, self._dtype, self._layout, device, memory_config)

    def host_copy(self, memory_config: MemoryConfig | None = None) -> "Tensor":
        """A copy of the stored values: on the host, or in a new buffer on this device given `memory_config`."""
        device = self._device if memory_config is not None else None
        return Tensor(self._data.clone(), self._shape, self._dtype, self._layout, device, memory_config)

    def view(self, storage: torch.Tensor, shape) -> "Tensor":
        """A metadata-only view: `storage` (this tensor's values, re-laid out) under this tensor's buffer."""
        return Tensor(storage, shape, self._dtype, self._layout, self._device, self._memory_config, self._buffer)

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
