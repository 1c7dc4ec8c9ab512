"""Head split/merge TMs: nlp_create_qkv_heads(_decode), nlp_concat_heads(_decode). Pure data movement."""

from __future__ import annotations

import torch

from ..errors import require
from ..memory import (BufferType, MemoryConfig, ShardOrientation, ShardSpec, TensorMemoryLayout, cores_row_wise_from,
                      num_cores_to_corerangeset)
from ..tensor import DataType, Layout, Tensor, cpp
from .common import on_device, output, record
from .data_movement import reshape


def _pad32(n: int) -> int:
    return -(-n // 32) * 32


def _rank4(op: str, tensor: Tensor) -> None:
    rank = len(tensor.shape)
    require(rank >= 4, op, f"ShapeBase[] index out of range. 3 not in [-{rank + 1}, {rank}): the input must be rank 4")


def _tile_layout(op: str, tensor: Tensor) -> None:
    require(tensor.layout == Layout.TILE, op, f"Input tensor layout must be TILE but got {cpp(tensor.layout)}")


def _check_kv_input(op: str, q: Tensor, kv: Tensor) -> None:
    require(kv.dtype == q.dtype, op, "KV tensor dtype must be same as Q tensor dtype!")
    require(kv.layout == Layout.TILE, op, f"Input tensor KV layout must be TILE but got {cpp(kv.layout)}")
    require(kv.padded_shape[0] == q.padded_shape[0], op, "KV tensor batch dim must be same as Q tensor batch!")
    require(kv.padded_shape[1] == 1, op, f"Unsupported input shape {kv.padded_shape[1]} is not equal to 1")
    require(kv.padded_shape[2] == q.padded_shape[2], op, "KV tensor seq_len dim must be same as Q tensor seq_len!")


def _head_dims(op: str, input: Tensor, input_kv, num_heads: int, num_kv_heads: int) -> tuple[int, int]:
    """(head_dim the op infers from the padded widths, head_dim of its outputs: rounded up to a tile).
    A head size that is not whole tiles is accepted; on the card the program then moves head_dim // 32
    tiles per head into heads of ceil(head_dim / 32) tiles, so those outputs' values are undefined
    (the host gives the zero-padded split)."""
    width = input.padded_shape[3]
    if input_kv is None:
        heads = num_heads + 2 * num_kv_heads
        require(width % heads == 0, op,
                f"Unsupported input shape: width {width} must divide by num_q_heads + 2 * num_kv_heads ({heads})")
        return width // heads, _pad32(width // heads)
    kv_width = input_kv.padded_shape[3]
    require(width % num_heads == 0, op, f"Unsupported input shape: width {width} must divide by num_q_heads ({num_heads})")
    require(kv_width % (2 * num_kv_heads) == 0, op,
            f"Unsupported input shape: input_kv width {kv_width} must divide by 2 * num_kv_heads ({2 * num_kv_heads})")
    require(kv_width // (2 * num_kv_heads) == width // num_heads, op, "Head dims must be the same for Q and K, V")
    return width // num_heads, _pad32(width // num_heads)


def _split_row(x: torch.Tensor, heads: int, head_dim: int) -> torch.Tensor:
    """[b, 1, s, w] -> [b, heads, s, head_dim] reading head_dim columns per head (zeros past the row)."""
    x = torch.nn.functional.pad(x, (0, max(0, heads * head_dim - x.shape[-1])))[..., : heads * head_dim]
    batch, seq = x.shape[0], x.shape[2]
    return x.reshape(batch, seq, heads, head_dim).transpose(1, 2)


def nlp_create_qkv_heads(input, input_kv=None, *, num_heads, num_kv_heads=None, transpose_k_heads=True,
                         kv_tied=False, memory_config=None, output_tensors=None):
    op = "ttnn.experimental.nlp_create_qkv_heads"
    on_device(op, input, input_kv)
    _tile_layout(op, input)
    _rank4(op, input)
    num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
    require(list(input.shape)[1] == 1, op, f"Unsupported input sequence length {input.shape[1]} is not equal to 1")
    if input_kv is not None:
        _check_kv_input(op, input, input_kv)
    config = memory_config or input.memory_config()
    require(config.memory_layout == TensorMemoryLayout.INTERLEAVED or input.is_sharded(), op,
            f"Output memory config layout must be INTERLEAVED but got {cpp(config.memory_layout)}")
    _, head_dim = _head_dims(op, input, input_kv, num_heads, num_kv_heads)
    if input_kv is None:
        heads = _split_row(input.padded_values(), num_heads + 2 * num_kv_heads, head_dim)
        q, k, v = heads[:, :num_heads], heads[:, num_heads: num_heads + num_kv_heads], heads[:, num_heads + num_kv_heads:]
    else:
        q = _split_row(input.padded_values(), num_heads, head_dim)
        kv = _split_row(input_kv.padded_values(), 2 * num_kv_heads, head_dim)
        k, v = kv[:, :num_kv_heads], kv[:, num_kv_heads:]
    seq = input.shape[2]
    q, k, v = (t[:, :, :seq] for t in (q, k, v))
    if transpose_k_heads:
        k = k.transpose(-1, -2)
    record(op, input, input_kv, num_heads, num_kv_heads, transpose_k_heads, config)
    return tuple(output(t.contiguous(), input.dtype, input, config) for t in (q, k, v))


def _check_split_head_size(op: str, input_tensor: Tensor, kv_input_tensor, num_heads: int, num_kv_heads) -> None:
    """0.81.1 wants whole-tile heads here (nlp_create_qkv_heads itself accepts them: measured)."""
    kv_heads = num_kv_heads or num_heads
    heads = num_heads if kv_input_tensor is not None else num_heads + 2 * kv_heads
    head_size = input_tensor.shape[-1] // heads
    require(head_size % 32 == 0, op,
            f"Invalid head size: {head_size}. The head size must be a multiple of the tile width (32). "
            "Please adjust the dimensions accordingly.")
    if kv_input_tensor is not None:
        kv_head_size = kv_input_tensor.shape[-1] // (2 * kv_heads)
        require(kv_head_size == head_size, op,
                f"Dimension mismatch: KV head size ({kv_head_size}) must be equal to query head size ({head_size}).")


def split_query_key_value_and_split_heads(input_tensor, kv_input_tensor=None, *, num_heads, num_kv_heads=None,
                                          transpose_key=True, memory_config=None, use_falcon7b_backend=False):
    """ttnn.transformer's [B, S, W] form of nlp_create_qkv_heads (same outputs, same head order)."""
    op = "ttnn.transformer.split_query_key_value_and_split_heads"
    on_device(op, input_tensor, kv_input_tensor)
    require(len(input_tensor.shape) == 3, op, f"Input tensor must be rank 3 [batch, sequence, width], got {input_tensor.shape}")
    _check_split_head_size(op, input_tensor, kv_input_tensor, num_heads, num_kv_heads)
    batch, seq, width = list(input_tensor.shape)
    fused = reshape(input_tensor, [batch, 1, seq, width])
    kv = None
    if kv_input_tensor is not None:
        kv = reshape(kv_input_tensor, [batch, 1, seq, kv_input_tensor.shape[-1]])
    return nlp_create_qkv_heads(fused, kv, num_heads=num_heads, num_kv_heads=num_kv_heads,
                                transpose_k_heads=transpose_key, memory_config=memory_config)


def nlp_create_qkv_heads_decode(input_tensor, *, num_heads, num_kv_heads=None, output_tensors=None,
                                overlap_qk_coregrid=True, batch_offset=None, slice_size=None, memory_config=None):
    """Outputs are always HEIGHT_SHARDED in L1, one user per core, heads padded to a tile height:
    the op builds its own shard specs and (measured on 0.81.1) ignores the layout of `memory_config`."""
    op = "ttnn.experimental.nlp_create_qkv_heads_decode"
    on_device(op, input_tensor)
    require(input_tensor.dtype in (DataType.FLOAT32, DataType.BFLOAT16), op, "Unsupported data format")
    require(input_tensor.layout == Layout.TILE, op, "Only tile layout is supported for input tensor")
    _rank4(op, input_tensor)
    num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
    shape = list(input_tensor.shape)
    users = shape[2]
    require(shape[3] % 32 == 0 and users <= 32 and shape[1] == 1 and shape[0] == 1, op,
            f"Unsupported input shape = {input_tensor.shape}")
    if input_tensor.is_sharded():
        config = input_tensor.memory_config()
        require(config.memory_layout == TensorMemoryLayout.WIDTH_SHARDED, op,
                f"Current input memory layout is {cpp(config.memory_layout)}. It must be width sharded")
        require(config.shard_spec.orientation == ShardOrientation.ROW_MAJOR, op, "Shard orientation must be ROW_MAJOR")
    grid = input_tensor.device().compute_with_storage_grid_size()
    cores = grid.x * grid.y
    require(cores >= (users if overlap_qk_coregrid else 2 * users), op, "Need at least one core per user for decode")
    require(num_heads >= num_kv_heads, op,
            f"num_q_heads={num_heads} must be greater than or equal to num_kv_heads={num_kv_heads}")
    head_dim = shape[3] // (num_heads + 2 * num_kv_heads)
    require(head_dim % 32 == 0, op, f"Physical shard shape (32, {head_dim}) must be tile {{32, 32}} sized!")
    batch = users
    x = input_tensor.values()[0, 0]
    if batch_offset is not None and slice_size is not None:
        offset = int(batch_offset.values().reshape(-1)[0])
        require(slice_size <= users, op, "Slice size should be less than or equal to num_users")
        require(offset + slice_size <= users, op, "Batch offset + slice size should be less than or equal to num_users")
        x, batch = x[offset: offset + slice_size], slice_size
    q = x[:, : num_heads * head_dim].reshape(1, batch, num_heads, head_dim)
    k = x[:, num_heads * head_dim: (num_heads + num_kv_heads) * head_dim].reshape(1, batch, num_kv_heads, head_dim)
    v = x[:, (num_heads + num_kv_heads) * head_dim:].reshape(1, batch, num_kv_heads, head_dim)
    user_grid = num_cores_to_corerangeset(batch, grid, row_wise=True)
    # Measured: overlap_qk_coregrid=False moves K to the next B cores only for a sharded input.
    k_grid = user_grid
    if not overlap_qk_coregrid and input_tensor.is_sharded():
        k_grid = cores_row_wise_from(batch, batch, grid)
    configs = [MemoryConfig(TensorMemoryLayout.HEIGHT_SHARDED, BufferType.L1,
                            ShardSpec(g, [_pad32(n), head_dim], ShardOrientation.ROW_MAJOR))
               for g, n in ((user_grid, num_heads), (k_grid, num_kv_heads), (user_grid, num_kv_heads))]
    record(op, input_tensor, num_heads, num_kv_heads, overlap_qk_coregrid)
    return tuple(output(t.contiguous(), input_tensor.dtype, input_tensor, c) for t, c in zip((q, k, v), configs))


def nlp_concat_heads(input_tensor, *, memory_config=None):
    op = "ttnn.experimental.nlp_concat_heads"
    on_device(op, input_tensor)
    _tile_layout(op, input_tensor)
    _rank4(op, input_tensor)
    if input_tensor.is_sharded():
        require(input_tensor.memory_config().memory_layout != TensorMemoryLayout.WIDTH_SHARDED, op,
                "Sharded input cannot be WIDTH_SHARDED")
    b, h, s, d = list(input_tensor.shape)
    y = input_tensor.values().transpose(1, 2).reshape(b, 1, s, h * d)
    config = memory_config or input_tensor.memory_config()
    record(op, input_tensor, config)
    return output(y, input_tensor.dtype, input_tensor, config)


def nlp_concat_heads_decode(input_tensor, *, num_heads, memory_config=None, output_tensor=None, sub_core_grids=None):
    """Output: [1, 1, 32, num_heads * head_dim] (users padded to a tile height, measured on 0.81.1), always
    WIDTH_SHARDED in L1 over num_heads cores (row-wise), one head per core, whatever `memory_config` says."""
    op = "ttnn.experimental.nlp_concat_heads_decode"
    on_device(op, input_tensor)
    _tile_layout(op, input_tensor)
    require(input_tensor.is_sharded(), op, "Input tensor must be sharded")
    layout = input_tensor.memory_config().memory_layout
    require(layout == TensorMemoryLayout.HEIGHT_SHARDED, op,
            f"Input tensor memory layout must be HEIGHT_SHARDED but got {cpp(layout)}")
    padded = list(input_tensor.padded_shape)
    require(padded[2] >= num_heads, op,
            f"head_dim must be multiple of TILE_WIDTH (num_heads {num_heads} exceeds the input's {padded[2]} padded heads)")
    batch, head_dim = input_tensor.shape[1], input_tensor.shape[3]
    y = torch.zeros(1, 1, 32, num_heads * head_dim)
    y[0, 0, :batch] = input_tensor.padded_values()[0, :batch, :num_heads, :head_dim].reshape(batch, -1)
    grid = num_cores_to_corerangeset(num_heads, input_tensor.device().compute_with_storage_grid_size(), True)
    config = MemoryConfig(TensorMemoryLayout.WIDTH_SHARDED, BufferType.L1,
                          ShardSpec(grid, [32, head_dim], ShardOrientation.ROW_MAJOR))
    record(op, input_tensor, num_heads)
    return output(y, input_tensor.dtype, input_tensor, config)
