"""What the sections build their calls from: device tensors, shard configs, decode heads, and how
a tensor argument is written in the doc."""

from __future__ import annotations

import torch
import ttnn

from tt_qwen.target import N150

INTEGER_DTYPES = (ttnn.uint32, ttnn.int32, ttnn.uint16)


def dev_t(device, shape, dtype=None, layout=None, mem=None, torch_dtype=None, on_device=True, fill=None):
    """A tensor of zeros (or `fill`) made with ttnn.from_torch, on `device` unless on_device=False."""
    dtype = dtype or ttnn.bfloat16
    layout = ttnn.TILE_LAYOUT if layout is None else layout
    if torch_dtype is None:
        torch_dtype = torch.int32 if dtype in INTEGER_DTYPES else torch.bfloat16
    values = torch.zeros(shape, dtype=torch_dtype) if fill is None else torch.full(shape, fill, dtype=torch_dtype)
    return ttnn.from_torch(values, dtype=dtype, layout=layout, device=device if on_device else None,
                           memory_config=(mem or ttnn.DRAM_MEMORY_CONFIG) if on_device else None)


def alloc(device, shape, dtype=None, layout=None, mem=None):
    return ttnn.allocate_tensor_on_device(ttnn.Shape(list(shape)), dtype or ttnn.bfloat16,
                                          ttnn.TILE_LAYOUT if layout is None else layout, device,
                                          mem or ttnn.DRAM_MEMORY_CONFIG)


def cores(count):
    """The first `count` cores of the n150's worker grid, row by row."""
    return ttnn.num_cores_to_corerangeset(count, ttnn.CoreCoord(*N150.compute_grid), row_wise=True)


def shard_mc(layout_name, count, shard_shape, orientation="ROW_MAJOR", buffer="L1"):
    layout = getattr(ttnn.TensorMemoryLayout, layout_name)
    return ttnn.MemoryConfig(layout, getattr(ttnn.BufferType, buffer),
                             ttnn.ShardSpec(cores(count), list(shard_shape), getattr(ttnn.ShardOrientation, orientation)))


def arg(shape, dtype="bf16", layout="TILE", mem="DRAM"):
    """How a tensor argument is written in the doc: [1,1,32,1024] bf16 TILE DRAM."""
    return "[" + ",".join(str(int(d)) for d in shape) + f"] {dtype} {layout} {mem}"


def free(value):
    """Deallocate a device tensor (or each of a list); results that are views or gone are left."""
    if isinstance(value, (list, tuple)):
        for item in value:
            free(item)
        return
    if isinstance(value, ttnn.Tensor):
        try:
            if value.storage_type() == ttnn.StorageType.DEVICE and value.is_allocated():
                ttnn.deallocate(value)
        except Exception:  # noqa: BLE001 - freeing is best effort
            pass


def make_decode_heads(device, dims, B):
    """Q, K, V decode heads [1, B, heads, head_dim] of zeros, for the ops that take them."""
    nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
    x = dev_t(device, [1, 1, B, (nh + 2 * nkv) * hd])
    q, k, v = ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv)
    free(x)
    return q, k, v
