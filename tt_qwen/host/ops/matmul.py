"""ttnn.matmul / ttnn.linear: fp32 products of the stored values, optional bias and fused activation."""

from __future__ import annotations

import torch

from ..config import UnaryOpType, UnaryWithParam
from ..errors import fatal, require
from ..tensor import Layout, Tensor, cpp
from .common import DEVICE_INPUTS, on_device, output, record, tiled

ACTIVATIONS = {
    "silu": torch.nn.functional.silu,
    "relu": torch.relu,
    "gelu": torch.nn.functional.gelu,
    "sigmoid": torch.sigmoid,
}


def activation_fn(op: str, activation):
    if activation is None:
        return None
    if isinstance(activation, UnaryWithParam):
        activation = activation.op_type.name if isinstance(activation.op_type, UnaryOpType) else str(activation.op_type)
    name = str(activation).lower()
    if name not in ACTIVATIONS:
        fatal(op, f"Unknown unary op: {activation}")
    return ACTIVATIONS[name]


def _fp32_matmul(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """x @ w in float32, converting the (possibly huge, bf16-stored) weight a column block at a time."""
    if w.dtype == torch.float32 or w.shape[-1] <= 8192:
        return torch.matmul(x, w.to(torch.float32))
    blocks = [torch.matmul(x, w[..., start: start + 8192].to(torch.float32)) for start in range(0, w.shape[-1], 8192)]
    return torch.cat(blocks, dim=-1)


def _matmul(op: str, a: Tensor, b: Tensor, bias, transpose_a, transpose_b, memory_config, dtype, activation) -> Tensor:
    require(isinstance(a, Tensor) and a.device() is not None, op, "Operand to matmul must be on device")
    on_device(op, a, b, bias, message=DEVICE_INPUTS)
    require(a.layout == Layout.TILE and b.layout == Layout.TILE, op, "Inputs to matmul must be tilized")
    for name, t in (("A", a), ("B", b)):
        require(t.dtype.name in ("BFLOAT16", "FLOAT32", "BFLOAT8_B", "BFLOAT4_B"), op,
                f"Unsupported data format for input {name}: {cpp(t.dtype)}")
    x, w = a.values(), b.stored()
    if transpose_a:
        x = x.transpose(-1, -2)
    if transpose_b:
        w = w.transpose(-1, -2)
    require(x.shape[-1] == w.shape[-2], op,
            f"The width of the first tensor must be equal to the height of the second tensor. "
            f"Mismatch: width={x.shape[-1]} height={w.shape[-2]}")
    a_batch, b_batch = list(x.shape[:-2]), list(w.shape[:-2])
    rank = max(len(a_batch), len(b_batch))
    a_full, b_full = [1] * (rank - len(a_batch)) + a_batch, [1] * (rank - len(b_batch)) + b_batch
    if any(d != 1 for d in b_full):
        # A batched B needs matching batch dims, except that an all-ones A batch is broadcast.
        for da, db in zip(a_full, b_full):
            require(da == db or all(d == 1 for d in a_full), op,
                    f"bmm (non-bcast matmul) expects input tensors of shapes BCMK*BCKN=BCMN or batch dimension 1 "
                    f"mismatch: a={da} vs b={db} (dimension mismatch only allowed when all batch dimensions of a "
                    f"are size 1 and using MatmulMultiCoreReuseMultiCast1DProgramConfig with fuse_batch=false, "
                    f"fused_activation=none, mcast_in0=false, and non-sharded inputs for in0 reuse optimization)")
    fn = activation_fn(op, activation)
    result = _fp32_matmul(x, w)
    if bias is not None:
        tiled(op, bias, "Inputs to matmul must be tilized")
        bias_values = bias.values()
        out_rank = max(result.dim(), bias_values.dim())
        rs = [1] * (out_rank - result.dim()) + list(result.shape)
        bs = [1] * (out_rank - bias_values.dim()) + list(bias_values.shape)
        for index, (dr, db) in enumerate(zip(rs, bs)):
            require(dr == db or dr == 1 or db == 1, op,
                    f"Broadcasting rule violation at dimension index {index - out_rank} (output rank {out_rank}), "
                    f"dim a: {dr}, dim b: {db}")
        result = result + bias_values
    if fn is not None:
        result = fn(result)
    out_dtype = a.dtype if dtype is None else dtype
    record(op, a, b, bias, out_dtype, activation, memory_config)
    return output(result, out_dtype, a, memory_config)


def matmul(input_tensor_a, input_tensor_b, *, transpose_a=False, transpose_b=False, memory_config=None, dtype=None,
           program_config=None, activation=None, compute_kernel_config=None, core_grid=None, output_tile=None,
           optional_output_tensor=None, global_cb=None, sub_device_id=None, prefetcher_pipes=()):
    return _matmul("ttnn.matmul", input_tensor_a, input_tensor_b, None, transpose_a, transpose_b, memory_config,
                   dtype, activation)


def linear(input_tensor_a, input_tensor_b, *, bias=None, transpose_a=False, transpose_b=False, memory_config=None,
           dtype=None, program_config=None, activation=None, compute_kernel_config=None, core_grid=None,
           output_tile=None, optional_output_tensor=None, global_cb=None, sub_device_id=None, prefetcher_pipes=(),
           in0_column_offset=None):
    return _matmul("ttnn.linear", input_tensor_a, input_tensor_b, bias, transpose_a, transpose_b, memory_config,
                   dtype, activation)
