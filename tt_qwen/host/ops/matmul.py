"""ttnn.matmul / ttnn.linear on the modelled datapath (numerics.py): fidelity phases, the Dst and the
packer as the call's compute_kernel_config resolves them; optional bias and fused activation.

in0 (the activations) is unpacked to SrcB and in1 (the weights) to SrcA (tt-llk
llk_unpack_AB_matmul.h). A fused activation runs after the matmul's pack, as a separate SFPU
kernel on the packed bf16 values (measured: 0.81.1 compiles an eltwise_sfpu silu program).
"""

from __future__ import annotations

import torch

from .. import golden, numerics
from ..config import UnaryOpType, UnaryWithParam, check_compute_kernel_config
from ..errors import fatal, require
from ..tensor import DataType, Layout, Tensor, cpp, encode, tile_padded
from .common import DEVICE_INPUTS, on_device, output, record, tiled
from .sharding import with_inferred_shard_spec


def activation_fn(op: str, activation):
    """The torch function of a ttnn activation ("silu", "gelu_approx", "relu6", UnaryWithParam(...))."""
    if activation is None:
        return None
    if isinstance(activation, UnaryWithParam):
        activation = activation.op_type.name if isinstance(activation.op_type, UnaryOpType) else str(activation.op_type)
    fn = golden.activation(activation)
    if fn is None:
        fatal(op, f"Unknown unary op: {activation}")
    return fn


def _fused_activation(program_config):
    """A matmul program config's fused_activation is applied to the output, as on the card."""
    return getattr(program_config, "fused_activation", None) if program_config is not None else None


_COLUMN_BLOCK = 8192  # wide weights (the LM head) are multiplied a column block at a time


def _weight_operand(b: Tensor, transpose: bool) -> list:
    """in1 as SrcA operands, one per column block: converted to float32 and split into its fidelity
    parts once per stored weight and kept with the tensor (weights do not change; a version check
    catches an in-place write)."""
    storage = b.storage()
    key = (id(storage), storage._version, transpose)
    cached = getattr(b, "_srca_operands", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    w = b.stored()
    w = w.unsqueeze(-1) if w.dim() == 1 else w  # a 1-D B is a column, as torch.matmul takes it
    w = w.transpose(-1, -2) if transpose else w
    tf32 = b.dtype == DataType.FLOAT32
    blocks = [numerics.srca(w[..., start: start + _COLUMN_BLOCK].to(torch.float32).contiguous(), tf32)
              for start in range(0, w.shape[-1], _COLUMN_BLOCK)]
    b._srca_operands = (key, blocks)
    return blocks


def _datapath_matmul(x: torch.Tensor, blocks: list, path, tf32_x: bool) -> torch.Tensor:
    rows, where = _distinct_rows(x)
    x = numerics.srcb(rows, tf32_x)
    results = [numerics.matmul(x, block, path) for block in blocks]
    result = results[0] if len(results) == 1 else torch.cat(results, dim=-1)
    return result if where is None else result[..., where, :]


_DEDUPLICATED_ROWS = 64  # a decode batch; longer activations (prefill) rarely repeat a row


def _distinct_rows(x: torch.Tensor):
    """(x with each repeated row once, the index of every original row in it) or (x, None).

    An output row depends only on its input row, bit for bit, so a row repeated in A is multiplied
    once. A decode step has 32 rows, one per user slot: the unused slots hold one token and, after
    the first attention, the NaN rows a skipped user leaves, so a one-user step multiplies 2 rows
    by each weight instead of 32 (the host's decode time is its matmuls).
    """
    if x.dim() < 2 or x.shape[-2] > _DEDUPLICATED_ROWS or any(d != 1 for d in x.shape[:-2]):
        return x, None
    bits = x.reshape(x.shape[-2], x.shape[-1]).contiguous().view(torch.int32)
    distinct, where = torch.unique(bits, dim=0, return_inverse=True)
    if len(distinct) == len(bits):
        return x, None
    return distinct.view(torch.float32).reshape(*x.shape[:-2], len(distinct), x.shape[-1]), where


def _matmul(op: str, a: Tensor, b: Tensor, bias, transpose_a, transpose_b, memory_config, dtype, activation,
            compute_kernel_config) -> Tensor:
    require(isinstance(a, Tensor) and a.device() is not None, op, "Operand to matmul must be on device")
    on_device(op, a, b, bias, message=DEVICE_INPUTS)
    require(a.layout == Layout.TILE and b.layout == Layout.TILE, op, "Inputs to matmul must be tilized")
    for name, t in (("A", a), ("B", b)):
        require(t.dtype.name in ("BFLOAT16", "FLOAT32", "BFLOAT8_B", "BFLOAT4_B"), op,
                f"Unsupported data format for input {name}: {cpp(t.dtype)}")
    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("matmul", compute_kernel_config)
    x = a.values()
    # 1-D operands as torch.matmul takes them: a vector is a row of A or a column of B, dropped after.
    vector_a, vector_b = x.dim() == 1, len(b.shape) == 1
    x = x.unsqueeze(0) if vector_a else x
    if transpose_a:
        x = x.transpose(-1, -2)
    blocks = _weight_operand(b, transpose_b)
    w_shape = list(blocks[0].values.shape[:-1]) + [sum(block.values.shape[-1] for block in blocks)]
    require(x.shape[-1] == w_shape[-2], op,
            f"The width of the first tensor must be equal to the height of the second tensor. "
            f"Mismatch: width={x.shape[-1]} height={w_shape[-2]}")
    a_batch, b_batch = list(x.shape[:-2]), list(w_shape[:-2])
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
    result = _datapath_matmul(x, blocks, path, a.dtype == DataType.FLOAT32)
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
    out_dtype = a.dtype if dtype is None else dtype
    if fn is not None:
        # The matmul packs its result first; the activation reads the packed values.
        packed = numerics.pack(result, out_dtype.name) if numerics.device_numerics() else result
        result = fn(packed)
    result = numerics.pack(result, out_dtype.name) if numerics.device_numerics() else result
    result = result.squeeze(-2) if vector_a else result
    result = result.squeeze(-1) if vector_b else result
    record(op, a, b, bias, out_dtype, activation, memory_config, path)
    config = with_inferred_shard_spec(memory_config, tile_padded(tuple(result.shape))) if memory_config else None
    if result.dim() == 0:  # a scalar result: one tile, as the device stores it
        data = encode(torch.nn.functional.pad(result.reshape(1, 1), (0, 31, 0, 31)), out_dtype)
        return Tensor(data, (), out_dtype, Layout.TILE, a.device(), config)
    return output(result, out_dtype, a, config)


def matmul(input_tensor_a, input_tensor_b, *, transpose_a=False, transpose_b=False, memory_config=None, dtype=None,
           program_config=None, activation=None, compute_kernel_config=None, core_grid=None, output_tile=None,
           optional_output_tensor=None, global_cb=None, sub_device_id=None, prefetcher_pipes=()):
    return _matmul("ttnn.matmul", input_tensor_a, input_tensor_b, None, transpose_a, transpose_b, memory_config,
                   dtype, activation or _fused_activation(program_config), compute_kernel_config)


def linear(input_tensor_a, input_tensor_b, *, bias=None, transpose_a=False, transpose_b=False, memory_config=None,
           dtype=None, program_config=None, activation=None, compute_kernel_config=None, core_grid=None,
           output_tile=None, optional_output_tensor=None, global_cb=None, sub_device_id=None, prefetcher_pipes=(),
           in0_column_offset=None):
    return _matmul("ttnn.linear", input_tensor_a, input_tensor_b, bias, transpose_a, transpose_b, memory_config,
                   dtype, activation or _fused_activation(program_config), compute_kernel_config)
