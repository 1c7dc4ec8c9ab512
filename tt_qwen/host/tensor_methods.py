"""The ttnn.Tensor methods that are ops, bound onto Tensor once the ops exist.

tensor.py sits below the ops (the ops build Tensors), so it cannot call them; like the real ttnn,
which binds Tensor.__getitem__ in ttnn/operations/core.py, the package binds them here, once.
"""

from __future__ import annotations

from .ops.core import from_device, to_device, to_layout, to_torch
from .ops.data_movement import slice as ttnn_slice
from .errors import require
from .memory import MemoryConfig
from .tensor import Tensor
from .types import Layout


def _to_torch(self: Tensor, **kwargs):
    return to_torch(self, **kwargs)


def _cpu(self: Tensor, blocking: bool = True, **_) -> Tensor:
    return from_device(self)


def _to(self: Tensor, target, memory_config: MemoryConfig | None = None, **_) -> Tensor:
    if isinstance(target, Layout):
        return to_layout(self, target)
    return to_device(self, target, memory_config)


def _getitem(self: Tensor, index) -> Tensor:
    """tensor[a:b, ...]: ttnn.slice with Python slice bounds (steps of 1 or more)."""
    index = index if isinstance(index, tuple) else (index,)
    require(all(isinstance(i, slice) for i in index), "Tensor.__getitem__", "Only slices are supported")
    shape = list(self.shape)
    bounds = [i.indices(d) for i, d in zip(index, shape)] + [(0, d, 1) for d in shape[len(index):]]
    return ttnn_slice(self, [b[0] for b in bounds], [b[1] for b in bounds], [b[2] for b in bounds])


Tensor.to_torch = _to_torch
Tensor.cpu = _cpu
Tensor.to = _to
Tensor.__getitem__ = _getitem
