"""ttnn.rms_norm (and layer_norm, same validation). rms_norm computes on the modelled datapath
(numerics.rms_norm: bf16 intermediates unless fp32_dest_acc_en, FPU fidelity); layer_norm, which
the model does not use, in float32 with one rounding."""

from __future__ import annotations

import torch

from .. import numerics
from ..config import check_compute_kernel_config
from ..errors import require
from ..memory import TensorMemoryLayout
from ..tensor import DataType, Layout, Tensor, cpp
from .common import on_device, output, record

NORM_DTYPES = (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B)


def _gamma(op: str, gamma: Tensor, x: Tensor) -> torch.Tensor:
    """The weight/bias as a vector over the input's last dim, in the shapes the device accepts."""
    width, logical = x.padded_shape[-1], x.shape[-1]
    if gamma.layout == Layout.TILE:
        require(gamma.padded_shape[-1] == width and gamma.shape[-1] >= logical, op,
                "Input and gamma padded widths must match and gamma logical width must be >= input logical width "
                "(otherwise valid input columns would be multiplied by gamma padding). Got input: "
                f"logical[-1]={logical} padded[-1]={width} vs gamma: logical[-1]={gamma.shape[-1]} "
                f"padded[-1]={gamma.padded_shape[-1]}")
        # The kernel reads row 0 of the gamma tiles.
        return gamma.padded_values().reshape(-1, width)[0]
    require(gamma.padded_shape[-1] == 32 and gamma.physical_volume() // 32 == width // 32, op,
            "Gamma's last padded dim needs to equal tile width and gamma's volume needs to align with last padded "
            f"dim of input. Error with gamma.value().padded_shape(): {gamma.padded_shape}, tile_width: 32, "
            f"gamma.value().physical_volume(): {gamma.physical_volume()}, a.padded_shape()[-1]: {width}")
    return gamma.padded_values().reshape(-1)


def _normalize(op: str, input_tensor, epsilon, weight, bias, residual_input_tensor, memory_config, rms: bool,
               compute_kernel_config=None) -> Tensor:
    name = op.split(".")[-1]
    on_device(op, input_tensor, weight, bias, residual_input_tensor)
    require(input_tensor.layout != Layout.ROW_MAJOR, op,
            f"ttnn::{name} does not support ROW_MAJOR input tensors. Use TILE layout.")
    require(input_tensor.dtype in NORM_DTYPES, op,
            f"Input tensor dtype must be BFLOAT16, FLOAT32 or BFLOAT8_B but got {cpp(input_tensor.dtype)}")
    if input_tensor.is_sharded():
        require(input_tensor.memory_config().memory_layout != TensorMemoryLayout.HEIGHT_SHARDED, op,
                "Height sharded inputs are not supported.")
    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("rms_norm", compute_kernel_config)
    x = input_tensor.values()
    if residual_input_tensor is not None:
        r = residual_input_tensor
        require(r.shape == input_tensor.shape and r.padded_shape == input_tensor.padded_shape, op,
                f"Input and residual logical and padded shapes must match, got input: logical={input_tensor.shape} "
                f"padded={input_tensor.padded_shape} vs residual: logical={r.shape} padded={r.padded_shape}")
        x = x + r.values()
        x = numerics.round_bf16(x) if numerics.device_numerics() and not path.fp32_dest_acc_en else x
    width = input_tensor.shape[-1]
    gamma = _gamma(op, weight, input_tensor)[:width] if weight is not None else None
    if rms:
        y = numerics.rms_norm(x, epsilon, gamma, path)
    else:
        centered = x - x.mean(-1, keepdim=True)
        y = centered * torch.rsqrt(centered.pow(2).mean(-1, keepdim=True) + epsilon)
        y = y if gamma is None else y * gamma
    if bias is not None:
        y = y + _gamma(op, bias, input_tensor)[:width]
    config = memory_config or input_tensor.memory_config()
    if input_tensor.is_sharded():
        require(config.is_sharded() and config.memory_layout == input_tensor.memory_config().memory_layout
                and config.buffer_type == input_tensor.memory_config().buffer_type, op,
                "Sharded input requires a sharded output with the same memory layout and buffer type")
    record(op, input_tensor, weight, bias, residual_input_tensor, epsilon, config, path)
    return output(y, input_tensor.dtype, input_tensor, config)


def rms_norm(input_tensor, *, epsilon=1e-12, weight=None, bias=None, residual_input_tensor=None, memory_config=None,
             program_config=None, compute_kernel_config=None):
    return _normalize("ttnn.rms_norm", input_tensor, epsilon, weight, bias, residual_input_tensor, memory_config, True,
                      compute_kernel_config)


def layer_norm(input_tensor, *, epsilon=1e-12, weight=None, bias=None, residual_input_tensor=None, memory_config=None,
               program_config=None, compute_kernel_config=None, recip_tensor=None):
    return _normalize("ttnn.layer_norm", input_tensor, epsilon, weight, bias, residual_input_tensor, memory_config, False,
                      compute_kernel_config)
