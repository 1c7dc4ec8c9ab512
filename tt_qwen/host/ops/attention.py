"""ttnn.transformer.scaled_dot_product_attention(_decode): flash attention with GQA on the modelled
datapath (numerics.flash_attention: chunked online softmax, the SFPU's exp approximation with the
scale fused into it, bf16 intermediates), as the call's compute_kernel_config resolves it.

Memory a kernel does not write (a skipped user's output rows, the padded heads of a decode
output) holds NaN here: on a card it is stale memory, never convenient zeros.
"""

from __future__ import annotations

import math

import torch

from .. import numerics
from ..config import check_compute_kernel_config
from ..errors import require
from ..memory import DRAM_MEMORY_CONFIG, BufferType
from ..tensor import DataType, Layout, Tensor, cpp, tile_padded
from .common import on_device, output, record

SKIP_USER = -1  # the only position that skips a user (0xFFFFFFFF as the kernels read it)
PREFILL_CHUNK = 32  # q/k chunk size without a program config (sdpa.cpp's default)

SDPA_DTYPES = (DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B)


def _check_inputs(op: str, tensors, decode: bool = False) -> None:
    for index, t in enumerate(tensors):
        require(t.device() is not None, op, "Operands to SDPA need to be on device")
        require(t.is_allocated(), op, "Operands to SDPA need to be allocated in buffers on device")
        if index == 0 and t.layout == Layout.ROW_MAJOR and decode:
            require(t.is_sharded(), op,
                    "ROW_MAJOR Q is only supported when Q is HEIGHT_SHARDED in L1; interleaved ROW_MAJOR Q is not "
                    "supported. Convert Q to TILE layout or shard it.")
            continue
        require(t.layout == Layout.TILE, op, "Inputs to SDPA must be tilized")
        rank = len(t.shape)
        require(rank == 4, op, f"ShapeBase[] index out of range. 3 not in [-{rank + 1}, {rank}): Q, K and V must be rank 4")
    on_device(op, *tensors)


def _mask_values(op: str, mask: Tensor, q_shape, k_len: int) -> torch.Tensor:
    require(mask.device() is not None, op, "When mask is provided to SDPA, the tensor must be on device")
    require(mask.layout == Layout.TILE, op, "When mask is provided to SDPA, it must be tilized")
    require(mask.dtype in SDPA_DTYPES, op, "When mask is provided to SDPA, it must be in BF16, BFP8, or BFP4 dataformat")
    require(mask.memory_config().buffer_type == BufferType.DRAM, op, "When mask is provided to SDPA, it must be in DRAM")
    ms = list(mask.shape)
    require(len(ms) == 4, op, "attn_mask must be rank 4 [b, nqh or 1, Sq, Sk]")
    require(ms[0] in (1, q_shape[0]), op,
            "Mask batch dim must either be 1 (to be broadcasted across all batches) or must match Q batch dimension")
    require(ms[1] in (1, q_shape[1]), op,
            "Mask num_heads must either be 1 (to be broadcasted across all heads) or must match Q heads dimension")
    require(ms[2] == q_shape[2], op, "Mask sequence length must match Q sequence length")
    require(ms[3] == k_len, op, "Mask sequence length must match K sequence length")
    return mask.values()


def _check_head_groups_and_chunks(op: str, q_heads: int, kv_heads: int, program_config) -> None:
    """What SDPA prefill and chunked SDPA both require of the head groups and the program's chunks."""
    require(kv_heads > 0 and q_heads >= kv_heads and q_heads % kv_heads == 0, op,
            f"Q num_heads must be >= K num_heads and divisible by K num_heads, and K num_heads must be greater "
            f"than 0. Got Q: {q_heads}, K: {kv_heads}")
    if program_config is not None:
        for name in ("q_chunk_size", "k_chunk_size"):
            size = getattr(program_config, name)
            require(size > 0 and size % 32 == 0, op,
                    f"{name} must be a positive multiple of TILE_SIZE. Got {name}: {size}, TILE_SIZE: 32")


def _chunk_sizes(program_config) -> tuple[int, int]:
    """(q_chunk, k_chunk) of an SDPA prefill program: the config's, else the factory's default."""
    if program_config is None:
        return PREFILL_CHUNK, PREFILL_CHUNK
    return program_config.q_chunk_size, program_config.k_chunk_size


def _attend(q, k, v, scale: float, mask, chunks, path, causal: bool):
    """q [b, nqh, sq, d], k/v [b, nkv, sk, d]; GQA: query head h reads kv head h // (nqh / nkv)."""
    group = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    q_chunk, k_chunk = chunks
    return numerics.flash_attention(q, k, v, scale, mask, k_chunk, path, causal=causal, q_chunk=q_chunk)


def scaled_dot_product_attention(input_tensor_q, input_tensor_k, input_tensor_v, *, attn_mask=None, is_causal=True,
                                 scale=None, sliding_window_size=None, memory_config=None, program_config=None,
                                 compute_kernel_config=None, attention_sink=None, cu_window_seqlens=None,
                                 windowed_q_token_offset=0, windowed_q_token_offset_tensor=None,
                                 output_concat_heads=False, attn_mask_block_map=None):
    op = "ttnn.transformer.scaled_dot_product_attention"
    q_t, k_t, v_t = input_tensor_q, input_tensor_k, input_tensor_v
    _check_inputs(op, (q_t, k_t, v_t))
    for t in (q_t, k_t, v_t):
        require(t.dtype in SDPA_DTYPES, op,
                f"Data type of input tensor must be BFLOAT16, BFLOAT8_B, or BFLOAT4_B and is {cpp(t.dtype)}")
        require(not t.is_sharded(), op, "Operands to SDPA need to be DRAM/L1 interleaved")
    for t in (q_t, k_t, v_t):
        require(t.padded_shape[3] == t.shape[3], op, "Padding is not supported on the head_dim dimension")
    require(not (is_causal and attn_mask is not None), op,
            f"is_causal and attn_mask cannot both be present. Got is_causal: {str(is_causal).lower()}, "
            f"attn_mask: {str(attn_mask is not None).lower()}")
    qs, ks, vs = list(q_t.shape), list(k_t.shape), list(v_t.shape)
    mask = _mask_values(op, attn_mask, qs, ks[2]) if attn_mask is not None else None
    if is_causal:
        require(qs[2] == ks[2], op,
                f"Causal SDPA requires Q and K to have the same sequence length. Got Q: {qs[2]}, K: {ks[2]}")
    require(ks[0] == qs[0] and vs[0] == qs[0], op, f"K and V batch must match. Got K: {ks[0]}, V: {vs[0]}")
    require(vs[1] == ks[1], op, f"K and V num_heads must match. Got K: {ks[1]}, V: {vs[1]}")
    require(vs[2] == ks[2], op, f"K and V sequence length must match. Got K: {ks[2]}, V: {vs[2]}")
    require(ks[3] == qs[3] and vs[3] == qs[3], op, f"K and V hidden dim must match. Got K: {ks[3]}, V: {vs[3]}")
    _check_head_groups_and_chunks(op, qs[1], ks[1], program_config)
    require(sliding_window_size is None and attention_sink is None and cu_window_seqlens is None, op,
            "host backend: sliding_window_size, attention_sink and cu_window_seqlens are not implemented")

    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("sdpa", compute_kernel_config)
    q, k, v = q_t.values(), k_t.values(), v_t.values()
    scale = 1.0 / math.sqrt(qs[3]) if scale is None else scale
    y = _attend(q, k, v, scale, mask, _chunk_sizes(program_config), path, causal=is_causal)
    if output_concat_heads:
        y = y.transpose(1, 2).reshape(qs[0], 1, qs[2], qs[1] * qs[3])
    config = memory_config or DRAM_MEMORY_CONFIG
    record(op, q_t, k_t, v_t, attn_mask, is_causal, scale, config, path)
    return output(y, q_t.dtype, q_t, config)


def _positions(op: str, cur_pos, cur_pos_tensor, batch: int) -> list[int]:
    if cur_pos_tensor is not None:
        padded = cur_pos_tensor.padded_shape
        require(math.prod(padded) == padded[-1], op,
                f"cur_pos tensor must hold all positions in its last dim (e.g. [B] or [1, B]), got shape {padded}")
        require(padded[-1] >= batch, op,
                f"cur_pos tensor must have at least one position per batch ({batch}), got shape {padded}")
        positions = [int(p) for p in cur_pos_tensor.values().reshape(-1).tolist()]
        for user, p in enumerate(positions[:batch]):
            require(p >= SKIP_USER, op, f"host backend: cur_pos {p} of user {user} is out of bounds: only -1 skips "
                                        f"a user, any other negative position is read as a huge index past the cache")
    else:
        if any(int(p) < 0 for p in cur_pos):
            raise TypeError("ttnn.transformer.scaled_dot_product_attention_decode(): incompatible function "
                            "arguments: cur_pos must be non-negative (use cur_pos_tensor with -1 to skip a user)")
        positions = [int(p) for p in cur_pos]
    if len(positions) < batch:
        # The device indexes a std::vector with .at(): an IndexError from nanobind.
        raise IndexError(f"vector::_M_range_check: __n (which is {len(positions)}) >= this->size() (which is {len(positions)})")
    return positions[:batch]


PAGED_K_CHUNK = 32


def _k_chunk(op: str, seq: int, program_config) -> int:
    if program_config is not None and program_config.k_chunk_size:
        size = program_config.k_chunk_size
        require(size & (size - 1) == 0, op, f"User provided k_chunk_size must be power of 2, got: {size}")
        return size
    return min(512, seq & -seq)  # largest power of two dividing seq, capped at 512


def _validate_decode(op, q_t, k_t, v_t, is_causal, attn_mask, memory_config, share_cache, paged: bool):
    _check_inputs(op, (q_t, k_t, v_t), decode=True)
    for t in (q_t, k_t, v_t):
        require(t.dtype in SDPA_DTYPES, op, f"Unsupported data type {cpp(t.dtype)}.")
    for i, t in ((1, k_t), (2, v_t)):
        require(t.memory_config().buffer_type == BufferType.DRAM, op,
                f"Input tensor {i} buffer type must be DRAM but got {cpp(t.memory_config().buffer_type)}")
    require(not (is_causal and attn_mask is not None), op,
            "attn_mask must not be provided when is_causal=True. Pass is_causal=False to use an explicit mask.")
    qs, ks = list(q_t.shape), list(k_t.shape)
    batch, heads, head_dim = qs[1], qs[2], qs[3]
    require(qs[0] == 1, op, f"Q tensor batch size must be 1 for decode mode but got {qs[0]}")
    if not paged:
        require(ks[0] == batch or share_cache, op, f"K tensor batch size ({ks[0]}) must equal B ({batch})")
    require(list(v_t.shape) == ks, op, f"K and V shapes must match. Got K: {k_t.shape}, V: {v_t.shape}")
    require(ks[3] == head_dim, op,
            f"K tensor hidden dimension ({ks[3]}) must equal Q tensor hidden dimension ({head_dim})")
    config = memory_config or DRAM_MEMORY_CONFIG
    if ks[1] > 1:
        require(heads % ks[1] == 0, op, f"GQA expects Q to have a multiple of K heads, but got {heads} and {ks[1]}")
        require(q_t.dtype == DataType.BFLOAT16, op, f"GQA expects BFLOAT16 input tensor, but got {cpp(q_t.dtype)}")
        require(not config.is_sharded(), op, "Sharded output not supported for GQA")
    return batch, heads, head_dim, config


def _mask_rows(mask: torch.Tensor, user: int) -> torch.Tensor:
    """One user's decode mask [nh, S]: 0.81.1 takes [b, 1, nh, S] (its golden's layout) and [1, b, nh, S]."""
    if mask.shape[1] == 1:
        return mask[user % mask.shape[0], 0]
    return mask[0, user]


def _attend_decode(q_t, kv_of_user, positions, mask, scale, heads: int, kv_heads: int, k_chunk: int, path):
    """Per user: flash attention of its heads over cache rows 0..pos; kv_of_user(u) -> K, V [nkv, S, hd].

    A skipped user's rows are not written by the kernel: NaN here. The cache stays in its storage
    dtype until a user's rows are cut from it (converting every user's rows on every step cost a
    28-layer decode step half its time).
    """
    head_dim = q_t.shape[3]
    q = q_t.values()[0]  # [b, nh, dh]
    scale = 1.0 / math.sqrt(head_dim) if scale is None else scale
    kv_index = torch.arange(heads) // (heads // kv_heads)
    out = torch.full((len(positions), heads, head_dim), float("nan"))
    for user, pos in enumerate(positions):
        if pos == SKIP_USER:
            continue
        k, v = kv_of_user(user)
        kk, vv = k[kv_index, : pos + 1].to(torch.float32), v[kv_index, : pos + 1].to(torch.float32)
        user_mask = _mask_rows(mask, user)[:heads, : pos + 1].unsqueeze(1) if mask is not None else None
        out[user] = numerics.flash_attention(q[user].unsqueeze(1), kk, vv, scale, user_mask, k_chunk, path,
                                             op_kind="sdpa_decode")[:, 0]
    return out.unsqueeze(0)


def _decode_output(out, q_t, config) -> Tensor:
    """[1, b, nh, dh] with its heads padded to a tile height; the padded heads are never written: NaN."""
    padded = torch.full(tile_padded(out.shape), float("nan"))
    padded[..., : out.shape[-2], :] = out
    return output(padded, q_t.dtype, q_t, config, shape=tuple(out.shape))


def _decode_positions(op, is_causal, attn_mask, cur_pos, cur_pos_tensor, batch: int, seq: int):
    if is_causal:
        positions = _positions(op, cur_pos, cur_pos_tensor, batch)
        for user, p in enumerate(positions):
            if cur_pos_tensor is None:  # 0.81.1 validates a cur_pos list (its check is cur_pos < S)
                require(p < seq, op, "cur_pos must be <= K sequence dim")
            else:
                # 0.81.1 does not read a cur_pos_tensor before its kernel runs: it accepts any position
                # and reads key rows past the cache's end. Refused here, like a negative one.
                require(p < seq, op, f"host backend: cur_pos {p} of user {user} is outside the cache "
                                     f"(length {seq}); the device would read past its end")
        return positions, None
    # Non-causal: every cache row is attended, through the additive mask [1, b, nh, S] if one is given.
    return [seq - 1] * batch, (attn_mask.values() if attn_mask is not None else None)


def scaled_dot_product_attention_decode(input_tensor_q, input_tensor_k, input_tensor_v, *, is_causal=True,
                                        attn_mask=None, cur_pos=(), cur_pos_tensor=None, attention_sink=None,
                                        scale=None, sliding_window_size=None, memory_config=None, program_config=None,
                                        compute_kernel_config=None, share_cache=None):
    op = "ttnn.transformer.scaled_dot_product_attention_decode"
    q_t, k_t, v_t = input_tensor_q, input_tensor_k, input_tensor_v
    batch, heads, head_dim, config = _validate_decode(op, q_t, k_t, v_t, is_causal, attn_mask, memory_config,
                                                      share_cache, paged=False)
    ks = list(k_t.shape)
    seq = ks[2]
    k_chunk = _k_chunk(op, seq, program_config)
    require(k_chunk % 32 == 0, op, f"Chunk size must be multiple of 32, but the maximum calculated k_chunk_size is: {k_chunk}")
    positions, mask = _decode_positions(op, is_causal, attn_mask, cur_pos, cur_pos_tensor, batch, seq)
    require(sliding_window_size is None and attention_sink is None, op,
            "host backend: sliding_window_size and attention_sink are not implemented")
    k, v = k_t.stored(), v_t.stored()

    def kv_of_user(user):
        index = user % ks[0] if share_cache else user
        return k[index], v[index]

    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("sdpa_decode", compute_kernel_config)
    out = _attend_decode(q_t, kv_of_user, positions, mask, scale, heads, ks[1], k_chunk, path)
    # A cur_pos list is part of the program hash on the device (a cur_pos_tensor is not).
    record(op, q_t, k_t, v_t, is_causal, scale, config, tuple(cur_pos), path)
    return _decode_output(out, q_t, config)


def paged_scaled_dot_product_attention_decode(input_tensor_q, input_tensor_k, input_tensor_v, page_table_tensor, *,
                                              is_causal=True, attn_mask=None, cur_pos_tensor=None,
                                              attention_sink=None, scale=None, sliding_window_size=None,
                                              memory_config=None, program_config=None, compute_kernel_config=None,
                                              paged_cache_geometry=None, cache_position_modulo=None,
                                              spec_multi_pos_tiles=0):
    """Decode over a paged cache [blocks, nkv, block_size, hd]: user u's row r is in block page_table[u, r // bs]."""
    op = "ttnn.transformer.paged_scaled_dot_product_attention_decode"
    q_t, k_t, v_t = input_tensor_q, input_tensor_k, input_tensor_v
    batch, heads, head_dim, config = _validate_decode(op, q_t, k_t, v_t, is_causal, attn_mask, memory_config,
                                                      None, paged=True)
    on_device(op, page_table_tensor, cur_pos_tensor)
    require(page_table_tensor.dtype == DataType.INT32, op, "Page table must be int32")
    require(page_table_tensor.layout == Layout.ROW_MAJOR, op, "Page table must be row major")
    table = page_table_tensor.values()
    require(table.shape[0] == batch, op, f"Page table batch size must match input batch size. Got Page table: "
                                         f"{table.shape[0]}, Input: {batch}")
    ks = list(k_t.shape)
    seq = table.shape[1] * ks[2]
    require(cur_pos_tensor is not None or not is_causal, op, "Paged decode requires cur_pos_tensor")
    # 0.81.1's help text: "Paged decode uses 32 when program_config is omitted" (unpaged derives
    # it from the cache length); the chunk decides where the flash softmax rescales and rounds.
    k_chunk = _k_chunk(op, seq, program_config) if program_config is not None and program_config.k_chunk_size \
        else PAGED_K_CHUNK
    positions, mask = _decode_positions(op, is_causal, attn_mask, (), cur_pos_tensor, batch, seq)
    require(sliding_window_size is None and attention_sink is None and cache_position_modulo is None, op,
            "host backend: sliding_window_size, attention_sink and cache_position_modulo are not implemented")
    k, v = k_t.stored(), v_t.stored()

    def kv_of_user(user):
        blocks = table[user].to(torch.int64).clamp(0, ks[0] - 1)
        return (k[blocks].permute(1, 0, 2, 3).reshape(ks[1], seq, head_dim),
                v[blocks].permute(1, 0, 2, 3).reshape(ks[1], seq, head_dim))

    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("sdpa_decode", compute_kernel_config)
    out = _attend_decode(q_t, kv_of_user, positions, mask, scale, heads, ks[1], k_chunk, path)
    record(op, q_t, k_t, v_t, page_table_tensor, is_causal, scale, config, path)
    return _decode_output(out, q_t, config)


# ---- chunked prefill over a paged cache ------------------------------------------------------
# 0.81.1's chunked_scaled_dot_product_attention is SDPA prefill's program (sdpa_program_factory:
# the same compute kernel, q/k chunks of 32 without a program config) run with a q-chunk offset:
# Q holds positions chunk_start_idx.., K and V are read block by block through the page table,
# and the causal diagonal sits at absolute positions (compute_common.hpp: q_chunk =
# chunked_q_chunk_offset + q_chunk). Measured on the mock n150: its binding takes no is_causal
# (always causal) and refuses a `scale` that a float32 cannot hold exactly.

CHUNKED_OP = "ttnn.transformer.chunked_scaled_dot_product_attention"


def _check_float32_scale(scale) -> None:
    """nanobind's float caster takes a Python float only when float32 holds it exactly."""
    if scale is not None and float(torch.tensor(scale, dtype=torch.float32)) != scale:
        raise TypeError(f"{CHUNKED_OP}(): incompatible function arguments: scale={scale!r} is not exactly "
                        f"representable as a float32 (nanobind refuses it; pass None for 1/sqrt(head_dim))")


def _validate_chunked(q_t, k_t, v_t, table_t, start: int, program_config) -> None:
    op = CHUNKED_OP
    _check_inputs(op, (q_t, k_t, v_t))
    for t in (q_t, k_t, v_t):
        require(t.dtype in SDPA_DTYPES, op,
                f"Data type of input tensor must be BFLOAT16, BFLOAT8_B, or BFLOAT4_B and is {cpp(t.dtype)}")
        require(not t.is_sharded(), op, "Operands to SDPA need to be DRAM/L1 interleaved")
    on_device(op, table_t)
    require(start >= 0, op, "chunk_start_idx must be non-negative")
    require(table_t.layout == Layout.ROW_MAJOR, op, "Page table must be row major")
    require(table_t.dtype == DataType.INT32, op, "Page table must be int32")
    rank = len(table_t.shape)
    require(rank == 2, op, f"ShapeBase[] index out of range. 1 not in [-{rank}, {rank}): the page table is [b, num_pages]")
    qs, ks, vs, ts = list(q_t.shape), list(k_t.shape), list(v_t.shape), list(table_t.shape)
    require(ks[2] == vs[2], op, f"K page size must match V page size. Got K: {ks[2]}, V: {vs[2]}")
    require(ts[0] == qs[0], op,
            f"Page table batch size must match input batch size. Got Page table: {ts[0]}, Input: {qs[0]}")
    require(vs[1] == ks[1], op, f"K and V num_heads must match. Got K: {ks[1]}, V: {vs[1]}")
    require(ks[3] == qs[3] and vs[3] == qs[3], op, f"K and V hidden dim must match. Got K: {ks[3]}, V: {vs[3]}")
    _check_head_groups_and_chunks(op, qs[1], ks[1], program_config)
    if program_config is not None:
        for name in ("q_chunk_size", "k_chunk_size"):
            size = getattr(program_config, name)
            require(start % size == 0, op,
                    f"chunk_start_idx must be a multiple of {name}. Got chunk_start_idx: {start}, {name}: {size}")
    kv_length = ts[1] * ks[2]
    require(kv_length >= qs[2] + start, op,
            f"K's sequence length must be >= Q's sequence length + chunk_start_idx. Got K: {kv_length}, "
            f"Q: {qs[2]}, chunk_start_idx: {start}")
    for t in (q_t, k_t, v_t):
        require(t.padded_shape[3] == t.shape[3], op, "Padding is not supported on the head_dim dimension")


def _unpage(pool: torch.Tensor, blocks: list[int], length: int) -> torch.Tensor:
    """Rows 0..length-1 of one user [nkv, length, hd] from its blocks of the pool [blocks, nkv, bs, hd].
    A block index outside the pool is an address outside it on the card: NaN here, never zeros."""
    needed = blocks[: -(-length // pool.shape[2])]
    parts = [pool[b] if 0 <= b < pool.shape[0] else torch.full_like(pool[0], float("nan")) for b in needed]
    return torch.cat(parts, dim=1)[:, :length]


def chunked_causal_mask(query_start: int, queries: int, keys: int) -> torch.Tensor:
    """[queries, keys] additive mask: query i (position query_start + i) sees keys 0..query_start + i."""
    query = torch.arange(queries).unsqueeze(1) + query_start
    return torch.zeros(queries, keys).masked_fill(torch.arange(keys).unsqueeze(0) > query, float("-inf"))


def chunked_scaled_dot_product_attention(input_tensor_q, input_tensor_k, input_tensor_v, page_table_tensor,
                                         chunk_start_idx=None, *, chunk_start_idx_tensor=None, scale=None,
                                         memory_config=None, program_config=None, compute_kernel_config=None,
                                         paged_cache_geometry=None, sliding_window_size=None, attention_sink=None):
    """Q [b, nqh, s, hd] at positions chunk_start_idx.. of each user; K/V pools [blocks, nkv, bs, hd];
    page_table [b, num_pages] int32: user u's position p is in block page_table[u, p // bs]."""
    op = CHUNKED_OP
    require(chunk_start_idx_tensor is None, op, "host backend: chunk_start_idx_tensor is not implemented")
    require(chunk_start_idx is not None, op, "chunk_start_idx (int) is required for legacy chunked SDPA. "
                                             "For flexible path use chunk_start_idx_tensor=...")
    _check_float32_scale(scale)
    q_t, k_t, v_t = input_tensor_q, input_tensor_k, input_tensor_v
    _validate_chunked(q_t, k_t, v_t, page_table_tensor, chunk_start_idx, program_config)
    require(paged_cache_geometry is None and sliding_window_size is None and attention_sink is None, op,
            "host backend: paged_cache_geometry, sliding_window_size and attention_sink are not implemented")
    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("sdpa", compute_kernel_config)
    q_chunk, k_chunk = _chunk_sizes(program_config)
    qs = list(q_t.shape)
    keys = chunk_start_idx + qs[2]
    # The kernel places the chunk at q-chunk chunk_start_idx // q_chunk_size: without a program
    # config (which checks the multiple) a start between q chunks is rounded down, as here.
    query_start = chunk_start_idx - chunk_start_idx % q_chunk
    table = page_table_tensor.values().to(torch.int64).tolist()
    k_pool, v_pool = k_t.values(), v_t.values()
    k = torch.stack([_unpage(k_pool, table[u], keys) for u in range(qs[0])])
    v = torch.stack([_unpage(v_pool, table[u], keys) for u in range(qs[0])])
    scale = 1.0 / math.sqrt(qs[3]) if scale is None else scale
    # One masked pass: the K chunks the kernel skips past each q chunk's diagonal are fully masked
    # here, and a fully masked chunk changes no state (numerics.flash_attention).
    mask = chunked_causal_mask(query_start, qs[2], keys)
    y = _attend(q_t.values(), k, v, scale, mask, (q_chunk, k_chunk), path, causal=False)
    config = memory_config or DRAM_MEMORY_CONFIG
    # 0.81.1 keys the program on chunk_start_idx (measured: each start is a new cache entry).
    record(op, q_t, k_t, v_t, page_table_tensor, chunk_start_idx, scale, config, path)
    return output(y, q_t.dtype, q_t, config)
