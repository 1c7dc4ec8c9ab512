"""ttnn.experimental.rotary_embedding: HF rotate-half RoPE with cos/sin tables on the device.

The kernel computes x*cos and rotate_half(x)*sin (FPU multiplies at the config's fidelity,
numerics.elementwise_multiply) into circular buffers of the input's data format and then adds
them, so both products are rounded to the input dtype before the add.
The output spec is the input's padded shape: the sequence padding becomes logical.
"""

from __future__ import annotations

import torch

from .. import numerics
from ..config import check_compute_kernel_config
from ..errors import require
from ..memory import BufferType, MemoryConfig, TensorMemoryLayout
from ..tensor import DataType, Layout, Tensor, encode
from .common import on_device, output, record
from .sharding import with_inferred_shard_spec

OP = "ttnn.experimental.rotary_embedding"


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def _output_config(input_tensor: Tensor, memory_config):
    """A sharded request without a spec takes the input's shard spec, or (interleaved input) the one
    the op infers, as in 0.81.1."""
    config = memory_config or input_tensor.memory_config()
    if config.is_sharded() and config.shard_spec is None and input_tensor.is_sharded():
        return MemoryConfig(config.memory_layout, BufferType.L1, input_tensor.memory_config().shard_spec)
    return with_inferred_shard_spec(config, input_tensor.padded_shape)


def rotary_embedding(input_tensor: Tensor, cos_cache: Tensor, sin_cache: Tensor, token_index=None, *,
                     memory_config=None, compute_kernel_config=None) -> Tensor:
    on_device(OP, input_tensor, cos_cache, sin_cache, message="Input tensor must be on device")
    width = input_tensor.padded_shape[-1]
    require(width == 32 or width % 64 == 0, OP,
            f"Input X dimension ({width}) must be either 32 (single tile) or divisible by 64 "
            f"(rotate_half midpoint must align with a tile boundary).")
    cos_padded = cos_cache.padded_shape
    require(len(cos_padded) == 4 and cos_padded[0] == 1 and cos_padded[1] == 1 and cos_padded[-1] == width, OP,
            f"Cosine cache dimensions must match input dimensions. Expected (1, 1, {width}), but got {cos_cache.shape}.")
    require(cos_cache.shape == sin_cache.shape, OP,
            f"Cosine and Sine cache dimensions must match. Cos cache dimensions: {cos_cache.shape}, "
            f"Sin cache dimensions: {sin_cache.shape}.")
    cos_len = cos_cache.shape[-2]
    if token_index is None:
        seq_len = input_tensor.shape[-2]
        require(cos_len >= seq_len, OP,
                f"Cosine cache must cover the input sequence length. Input sequence length: {seq_len}, "
                f"Cos cache sequence length: {cos_len}.")
    else:
        require(input_tensor.shape[0] == 1, OP,
                f"When token index is provided, sequence length must be 1. Current sequence length: {input_tensor.shape[0]}.")
        require(cos_len > token_index, OP,
                f"Cosine cache must cover the token index. Token index: {token_index}, Cos cache sequence length: {cos_len}.")
    if input_tensor.is_sharded():
        require(input_tensor.memory_config().memory_layout != TensorMemoryLayout.WIDTH_SHARDED, OP,
                "Sharded input cannot be WIDTH_SHARDED")
    config = _output_config(input_tensor, memory_config)
    check_compute_kernel_config(OP, compute_kernel_config)
    path = numerics.resolve("rotary_embedding", compute_kernel_config)

    x = Tensor.from_values(input_tensor.values(), input_tensor.dtype, Layout.TILE).padded_values()
    rows = x.shape[-2]
    if token_index is None:
        cos = torch.zeros(rows, width)
        sin = torch.zeros(rows, width)
        take = min(rows, cos_cache.padded_shape[-2])
        cos[:take] = cos_cache.padded_values().reshape(-1, width)[:take]
        sin[:take] = sin_cache.padded_values().reshape(-1, width)[:take]
    else:
        cos = cos_cache.values().reshape(-1, cos_cache.shape[-1])[token_index]
        sin = sin_cache.values().reshape(-1, sin_cache.shape[-1])[token_index]
    dtype = input_tensor.dtype

    def rounded(t):
        return t if dtype == DataType.FLOAT32 else encode(t, dtype).to(torch.float32)

    multiply = numerics.elementwise_multiply
    y = rounded(multiply(x, cos.expand_as(x), path)) + rounded(multiply(_rotate_half(x), sin.expand_as(x), path))
    record(OP, input_tensor, cos_cache, sin_cache, token_index is None, config, path)
    return output(y, dtype, input_tensor, config)
