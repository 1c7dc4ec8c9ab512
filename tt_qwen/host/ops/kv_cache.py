"""KV-cache ops, all in place on the cache tensor: fill_cache, update_cache, paged_update_cache, paged_fill_cache.

fill/paged_fill copy whole tiles (no dtype conversion: input and cache dtypes must match). The
update ops write one token row and repack it into the cache dtype through the packer (bf16 RNE,
block floats ties away from zero: numerics.pack); a bfp face row is 16 datums of one row, so
repacking the written row leaves the other rows' values unchanged.

paged_update_cache: only -1 skips a user (another negative is an out-of-bounds index: refused,
naming it), and `cache_position_modulo` wraps the index in the non-paged mode too (the reader
kernel applies it before either addressing mode).
"""

from __future__ import annotations

import torch

from .. import numerics
from ..config import check_compute_kernel_config
from ..errors import require
from ..memory import BufferType, ShardOrientation, TensorMemoryLayout
from ..tensor import DataType, Layout, Tensor, cpp, encode
from .common import on_device, record

CACHE_DTYPES = (DataType.FLOAT32, DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B)


def _write_rows(cache: Tensor, index, rows: torch.Tensor) -> None:
    """Store `rows` (..., head_dim) into the cache storage at `index`, packed to the cache dtype."""
    width = rows.shape[-1]
    padded = torch.nn.functional.pad(rows.reshape(-1, width), (0, (-width) % 32))
    if numerics.device_numerics():
        padded = numerics.pack(padded.to(torch.float32), cache.dtype.name)
    stored = encode(padded, cache.dtype)[:, :width]
    data = cache.mutable_data()
    data[index] = stored.reshape(data[index].shape).to(data.dtype)


def fill_cache(cache_tensor: Tensor, input_tensor: Tensor, batch_idx: int, *, update_idx: int = 0) -> Tensor:
    op = "ttnn.fill_cache"
    if batch_idx < 0 or update_idx < 0:
        raise TypeError("ttnn.fill_cache(): incompatible function arguments: batch_idx and update_idx are unsigned")
    on_device(op, cache_tensor, input_tensor)
    require(input_tensor.layout == Layout.TILE and cache_tensor.layout == Layout.TILE, op,
            "Inputs to update_cache must be tilized")
    require(input_tensor.dtype in CACHE_DTYPES[:3], op,
            f"Input tensor dtype must be FLOAT32, BFLOAT16, or BFLOAT8_B but got {cpp(input_tensor.dtype)}")
    require(input_tensor.dtype == cache_tensor.dtype, op, "Input and cache tensors must have same dtype!")
    require(not cache_tensor.is_sharded(), op, "Cache tensor must be interleaved")
    cs, ins = list(cache_tensor.padded_shape), list(input_tensor.padded_shape)
    require(len(cs) == 4 and len(ins) == 4, op, "Cache and input tensors must be rank 4")
    require(ins[0] == 1, op, f"Input tensor batch size must be 1 but got {ins[0]}")
    require(ins[1] == cs[1], op, f"Input tensor height ({ins[1]}) must equal cache tensor height ({cs[1]})")
    require(ins[3] == cs[3], op, f"Input tensor width ({ins[3]}) must equal cache tensor width ({cs[3]})")
    require(batch_idx < cs[0], op, f"Batch index ({batch_idx}) must be less than cache tensor batch size ({cs[0]})")
    require(update_idx % 32 == 0, op, f"Fill update_idx ({update_idx}) must be a multiple of TILE_HEIGHT (32)")
    require(update_idx <= cs[2] and ins[2] <= cs[2] - update_idx, op,
            f"Fill update_idx ({update_idx}) + input tensor height ({ins[2]}) must be <= cache tensor height ({cs[2]})")
    # Whole tiles are copied, so the input's padded rows land in the cache too.
    cache_tensor.mutable_data()[batch_idx, :, update_idx: update_idx + ins[2]] = input_tensor.storage()[0]
    record(op, cache_tensor, input_tensor)
    return cache_tensor


def update_cache(cache: Tensor, input: Tensor, update_idx: int, *, batch_offset: int = 0,
                 compute_kernel_config=None) -> Tensor:
    op = "ttnn.update_cache"
    check_compute_kernel_config(op, compute_kernel_config)
    on_device(op, cache, input)
    require(input.layout == Layout.TILE and cache.layout == Layout.TILE, op, "Inputs to update_cache must be tilized")
    require(cache.dtype in CACHE_DTYPES[:3], op, f"Cache tensor dtype must be FLOAT32, BFLOAT16, or BFLOAT8_B but got {cpp(cache.dtype)}")
    cs, ins = list(cache.padded_shape), list(input.padded_shape)
    require(ins[0] == 1, op, "Input seq_len dim (0) must be 1")
    require(ins[1] == cs[1], op, f"Input tensor height ({ins[1]}) must equal cache tensor height ({cs[1]})")
    require(ins[3] == cs[3], op, f"Input tensor width ({ins[3]}) must equal cache tensor width ({cs[3]})")
    require(cs[0] < 32 or batch_offset == 0, op, "Batch offset must be 0 when cache tensor batch size >= 32")
    require(batch_offset + min(cs[0], 32) <= ins[2], op,
            f"Cache batch ({cs[0]}) + batch_offset ({batch_offset}) must fit the input's padded batch ({ins[2]})")
    # The device does not check: an index past the cache writes outside it.
    require(0 <= update_idx < cs[2], op,
            f"host backend: update_idx {update_idx} is outside the cache (length {cs[2]}); the device would write out of bounds")
    rows = input.padded_values()[0, :, batch_offset: batch_offset + cs[0]].transpose(0, 1)  # [B, heads, hd]
    _write_rows(cache, (slice(None), slice(None), update_idx), rows)
    record(op, cache, input)
    return cache


def _update_positions(op: str, update_idxs, update_idxs_tensor, users: int) -> list[int]:
    require((len(update_idxs) > 0) != (update_idxs_tensor is not None), op,
            "Only an update tensor or an update vector can be provided. Not both or neither.")
    if update_idxs_tensor is not None:
        t = update_idxs_tensor
        require(t.dtype == DataType.INT32, op, "Expected update_idxs to have datatype INT32")
        require(t.layout == Layout.ROW_MAJOR, op, "Expected update_idxs to have memory layout in ROW MAJOR")
        require(t.memory_config().buffer_type == BufferType.DRAM, op, "Expect update_idxs to have buffer type DRAM")
        positions = [int(p) for p in t.values().reshape(-1).tolist()]
        require(t.shape[0] == users, op, f"Number of update_idxs ({t.shape[0]}) should match batch size ({users})")
        for user, p in enumerate(positions):
            require(p >= -1, op, f"host backend: update index {p} of user {user} is out of bounds: only -1 skips a "
                                 f"user, any other negative index is read as a huge position past the cache")
    else:
        # The binding takes a vector of uint32: a negative index is a Python TypeError there.
        if any(int(p) < 0 for p in update_idxs):
            raise TypeError("ttnn.experimental.paged_update_cache(): incompatible function arguments: "
                            "update_idxs must be non-negative integers")
        positions = [int(p) for p in update_idxs]
        require(len(positions) == users, op,
                f"Number of update_idxs ({len(positions)}) should match batch size ({users})")
    return positions


def paged_update_cache(cache_tensor: Tensor, input_tensor: Tensor, *, update_idxs=(), update_idxs_tensor=None,
                       share_cache=None, page_table=None, batch_offset=0, compute_kernel_config=None,
                       mesh_coords=None, block_size=None, num_kv_heads=None, cache_position_modulo=None) -> Tensor:
    """One token per user into the cache, at each user's index; index -1 (tensor form) skips the user."""
    op = "ttnn.experimental.paged_update_cache"
    on_device(op, cache_tensor, input_tensor, update_idxs_tensor, page_table)
    require(cache_tensor.layout == Layout.TILE, op, "Cache tensor in update_cache must be tilized")
    require(input_tensor.layout == Layout.TILE, op, "Input tensor in update_cache must be tilized")
    require(input_tensor.dtype in (DataType.FLOAT32, DataType.BFLOAT16), op,
            "Data type of input tensor for paged_update_cache must be FLOAT32 or BFLOAT16; decode update repacks "
            "into the cache dtype and should not receive low-precision packed input")
    require(cache_tensor.dtype in CACHE_DTYPES, op, f"Unsupported cache dtype {cpp(cache_tensor.dtype)}")
    require(input_tensor.is_sharded(), op, "Expect input_tensor to be sharded")
    config = input_tensor.memory_config()
    require(config.memory_layout != TensorMemoryLayout.WIDTH_SHARDED, op,
            "Expect input_tensor to NOT have memory layout WIDTH SHARDED")
    spec = config.shard_spec
    require(spec.orientation == ShardOrientation.ROW_MAJOR, op, "Only ROW_MAJOR sharding is supported")
    cs, ins = list(cache_tensor.padded_shape), list(input_tensor.padded_shape)
    head_dim = ins[-1]
    if page_table is None:
        require(cs[3] == head_dim, op,
                f"Last dim of input tensor ({head_dim}) must match last dim of cache tensor ({cs[3]}) in non-paged mode")
    users = ins[1]
    if page_table is not None:
        require(update_idxs_tensor is not None, op, "Paged cache requires update_idxs tensor")
    else:
        require(users == cs[0] or share_cache, op, "Expect batch in input tensor match the batch in cache tensor")
    require(spec.num_cores() == users, op,
            f"Input tensor shard grid must have num_cores ({spec.num_cores()}) equal to the number of users / batch "
            f"({users}). The kernel dispatches one user per core; use a {{num_users, 1}} grid (or any CoreRangeSet "
            f"whose num_cores == num_users).")
    check_compute_kernel_config(op, compute_kernel_config)
    positions = _update_positions(op, update_idxs, update_idxs_tensor, users)
    heads = cs[1] if num_kv_heads is None else num_kv_heads
    rows = input_tensor.padded_values()[0, :, :heads]  # [users, heads, hd]
    if page_table is None:
        # share_cache: the users share the cache's batch rows (user u writes row u % batch), as 0.81.1 accepts.
        targets = [((user % cs[0]) if share_cache else batch_offset + user,
                    pos % cache_position_modulo if pos >= 0 and cache_position_modulo else pos)
                   for user, pos in enumerate(positions)]
        length = cs[2]
    else:
        require(not share_cache, op, "share_cache not supported with paged cache")
        require(batch_offset == 0, op, "batch_offset must be 0")
        require(page_table.dtype == DataType.INT32, op, "Expect page table to have datatype INT32")
        require(page_table.layout == Layout.ROW_MAJOR, op, "Expect page table to have memory layout in ROW MAJOR")
        require(page_table.padded_shape[0] == users, op, "Batch size between page_table and input_tensor must match")
        size = cs[2] if block_size is None else block_size
        kv_heads = cs[1] if num_kv_heads is None else num_kv_heads
        require(kv_heads * size * head_dim == cs[1] * cs[2] * cs[3], op,
                f"paged_update_cache geometry mismatch: cache has {cs[1] * cs[2] * cs[3]} elems/block "
                f"(kv_heads={cs[1]}, block_size={cs[2]}, head_dim={cs[3]}) but call view is "
                f"{kv_heads * size * head_dim} (kv_heads={kv_heads}, block_size={size}, head_dim={head_dim}).")
        table = page_table.values()
        length = table.shape[-1] * size
        targets = []
        for user, pos in enumerate(positions):
            if pos >= 0 and cache_position_modulo:
                pos %= cache_position_modulo
            block = int(table[user, pos // size]) if 0 <= pos < length else -1
            targets.append((block, pos % size if pos >= 0 else -1))
    for user, (slot, pos) in enumerate(targets):
        if positions[user] < 0:
            continue
        # The device does not check: an index past the cache writes outside this user's rows.
        require(pos < length and 0 <= slot < cs[0], op,
                f"host backend: update index {positions[user]} of user {user} is outside the cache "
                f"(length {length}); the device would write out of bounds")
        _write_rows(cache_tensor, (slot, slice(None), pos), rows[user])
    record(op, cache_tensor, input_tensor, update_idxs_tensor is not None, page_table)
    return cache_tensor


def paged_fill_cache(cache_tensor: Tensor, input_tensor: Tensor, page_table: Tensor, *, batch_idx_tensor=None,
                     batch_idx=0, compute_kernel_config=None, mesh_coords=None, block_size=None,
                     cache_position_modulo=None, valid_seq_len_tensor=None) -> Tensor:
    op = "ttnn.experimental.paged_fill_cache"
    check_compute_kernel_config(op, compute_kernel_config)
    on_device(op, cache_tensor, input_tensor, page_table, batch_idx_tensor)
    require(input_tensor.layout == Layout.TILE and cache_tensor.layout == Layout.TILE, op,
            "Inputs to paged_fill_cache must be tilized")
    require(input_tensor.dtype == cache_tensor.dtype, op,
            f"Input tensor dtype ({cpp(input_tensor.dtype)}) must match cache tensor dtype ({cpp(cache_tensor.dtype)}) "
            "for paged_fill_cache; cast prefill K/V to the cache dtype before filling the paged cache.")
    require(page_table.dtype == DataType.INT32, op, "Expect page_table_tensor to have datatype INT32")
    cs, ins = list(cache_tensor.padded_shape), list(input_tensor.padded_shape)
    require(ins[1] == cs[1] and ins[3] == cs[3], op, "Input heads and head_dim must match the cache")
    size = cs[2] if block_size is None else block_size
    table = page_table.values()
    if batch_idx_tensor is not None:
        users = [int(b) for b in batch_idx_tensor.values().reshape(-1).tolist()]
        require(len(users) == ins[0], op, "batch_idx_tensor needs one entry per input batch row")
    else:
        require(ins[0] == 1, op, "Input batch must be 1 when batch_idx_tensor is not given")
        users = [batch_idx]
    for row, user in enumerate(users):
        require(0 <= user < table.shape[0], op, "Batch idx must be within the page_table batch size")
        require(ins[2] <= size * table.shape[1], op,
                f"Input seq_len ({ins[2]}) must fit in max_num_blocks_per_seq ({table.shape[1]}) * block_size ({size})")
        blocks = -(-ins[2] // size)
        for j in range(blocks):
            block = int(table[user, j])
            chunk = input_tensor.storage()[row, :, j * size: (j + 1) * size]
            cache_tensor.mutable_data()[block, :, : chunk.shape[1]] = chunk
    record(op, cache_tensor, input_tensor, page_table)
    return cache_tensor
