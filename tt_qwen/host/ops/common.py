"""Checks and output construction shared by every op."""

from __future__ import annotations

from ..errors import require
from ..memory import DRAM_MEMORY_CONFIG, MemoryConfig
from ..tensor import Tensor
from ..types import Layout, cpp

DEVICE_INPUTS = "Device Operations expect device tensors as inputs"


def on_device(op: str, *tensors: Tensor, message: str = DEVICE_INPUTS) -> None:
    """The device refuses host tensors, deallocated tensors and tensors on different devices."""
    present = [t for t in tensors if t is not None]
    for tensor in present:
        require(isinstance(tensor, Tensor), op, f"Expected a ttnn.Tensor, got {type(tensor).__name__}")
        require(tensor.device() is not None, op, message)
        require(tensor.is_allocated(), op, "Input tensor is not allocated (it was deallocated)")
    devices = {id(t.device()) for t in present}
    require(len(devices) <= 1, op, "All input tensors must be on the same device")


def tiled(op: str, tensor: Tensor, message: str) -> None:
    require(tensor.layout == Layout.TILE, op, message.format(layout=cpp(tensor.layout)))


def output(values, dtype, like: Tensor, memory_config: MemoryConfig | None = None,
           layout: Layout = Layout.TILE, shape=None) -> Tensor:
    """The op's output on `like`'s device, rounded to `dtype` (bf16 RNE / block-float packing)."""
    return Tensor.from_values(values, dtype, layout, like.device(), memory_config or DRAM_MEMORY_CONFIG, shape=shape)


def record(op: str, *parts) -> None:
    """Count a program-cache entry for this op signature on the device of the first tensor."""
    tensors = [p for p in parts if isinstance(p, Tensor)]
    if tensors and tensors[0].device() is not None:
        key = (op,) + tuple(
            (tuple(p.padded_shape), p.dtype, p.layout, p.memory_config()) if isinstance(p, Tensor) else repr(p)
            for p in parts)
        tensors[0].device()._record_program(key)
