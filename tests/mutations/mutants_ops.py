"""Mutants of the second kind: one op misbehaves in one regime only, as device kernels do when
a loop bound, a core count or an index width is wrong. Each wraps the backend's op and breaks
its result only inside the regime, so every test outside it still passes."""

from __future__ import annotations

import torch

from tests.mutations.registry import mutant, rebuild, with_positions_changed

LONG = "tests/model/test_long_context.py"
CHUNKED = "tests/model/test_chunked_prefill.py"
BATCH = "tests/model/test_batch.py"
PAGED = "tests/model/test_paged_cache.py"


@mutant("op", "tests/ops/test_op_cases.py")
def embedding_ids_wrap_at_65536(monkeypatch, ttnn):
    """embedding reads ids as uint16: ids >= 65536 fetch row id - 65536. Qwen3's vocabulary is
    151936, so a third of it embeds as the wrong token; tiny vocabularies never show it."""
    real = ttnn.embedding

    def embedding(ids, weight, **kwargs):
        values = ttnn.to_torch(ids).to(torch.int64)
        if bool((values >= 65536).any()):
            ids = rebuild(ttnn, (values % 65536).to(torch.int32), ids)
        return real(ids, weight, **kwargs)

    monkeypatch.setattr(ttnn, "embedding", embedding)


@mutant("op", "tests/layers/test_decoder.py::test_final_norm_and_lm_head_match_hf", "tests/ops/test_op_cases.py")
def linear_drops_columns_past_65536(monkeypatch, ttnn):
    """linear's output-width loop counts tiles in 11 bits: columns from 65536 on come back zero.
    Only the real vocabulary's LM head (151936 wide) is that wide."""
    real = ttnn.linear

    def linear(x, weight, **kwargs):
        out = real(x, weight, **kwargs)
        if out.shape[-1] <= 65536:
            return out
        values = ttnn.to_torch(out)
        values[..., 65536:] = 0
        return rebuild(ttnn, values, out)

    monkeypatch.setattr(ttnn, "linear", linear)


@mutant("op", LONG)
def sdpa_decode_stops_at_4096(monkeypatch, ttnn):
    """sdpa_decode's k-chunk loop stops at 4096 keys: a user past position 4095 attends only to
    the first 4096. Every decode below 4096 is exact."""
    real = ttnn.transformer.scaled_dot_product_attention_decode
    monkeypatch.setattr(ttnn.transformer, "scaled_dot_product_attention_decode", with_positions_changed(
        ttnn, real, "cur_pos_tensor", lambda p: p.clamp_max(4095)))


@mutant("op", LONG)
def sdpa_prefill_drops_keys_past_8192(monkeypatch, ttnn):
    """Prefill SDPA with a mask ignores keys from 8192 on (an index of the mask's k tiles held in
    8 bits of 32-tile units): a chunk past position 8192 loses its own recent past."""
    real = ttnn.transformer.scaled_dot_product_attention

    def sdpa(q, k, v, *, attn_mask=None, **kwargs):
        if attn_mask is not None and attn_mask.shape[-1] > 8192:
            mask = ttnn.to_torch(attn_mask).to(torch.float32)
            mask[..., 8192:] = float("-inf")
            attn_mask = rebuild(ttnn, mask, attn_mask)
        return real(q, k, v, attn_mask=attn_mask, **kwargs)

    monkeypatch.setattr(ttnn.transformer, "scaled_dot_product_attention", sdpa)


@mutant("op", BATCH)
def paged_update_cache_skips_users_16_up(monkeypatch, ttnn):
    """paged_update_cache launched on a 16-core grid: users 16..31 are never written, so their
    decode attends to a stale row. Batches of up to 16 are exact."""
    real = ttnn.experimental.paged_update_cache

    def skip_users_16_up(positions):
        positions.reshape(-1)[16:] = -1
        return positions

    monkeypatch.setattr(ttnn.experimental, "paged_update_cache", with_positions_changed(
        ttnn, real, "update_idxs_tensor", skip_users_16_up))


@mutant("op", BATCH)
def sdpa_decode_user_5_reads_user_4s_position(monkeypatch, ttnn):
    """sdpa_decode's per-core position read is off by one for one core: user 5 attends up to
    user 4's position. Only one user of a batch is wrong, and only when they differ in length."""
    real = ttnn.transformer.scaled_dot_product_attention_decode

    def user_5_reads_user_4(positions):
        flat = positions.reshape(-1)
        if flat.numel() > 5 and flat[5] >= 0 and flat[4] >= 0:
            flat[5] = flat[4]
        return positions

    monkeypatch.setattr(ttnn.transformer, "scaled_dot_product_attention_decode", with_positions_changed(
        ttnn, real, "cur_pos_tensor", user_5_reads_user_4))


@mutant("op", CHUNKED)
def fill_cache_later_chunks_one_tile_early(monkeypatch, ttnn):
    """fill_cache with update_idx > 0 writes one tile (32 rows) early: the first chunk is
    right, every later chunk overwrites the end of the one before and leaves its own last
    tile unwritten."""
    real = ttnn.fill_cache

    def fill_cache(cache, x, batch_idx, *, update_idx=0):
        return real(cache, x, batch_idx, update_idx=max(0, update_idx - 32))

    monkeypatch.setattr(ttnn, "fill_cache", fill_cache)


@mutant("op", "tests/model/test_logits.py", "tests/ops/test_op_cases.py")
def sdpa_causal_mask_per_tile(monkeypatch, ttnn):
    """Causal SDPA masks whole 32-key tiles only: a query sees the later keys of its own tile
    (the diagonal tile is treated as fully visible). Position 31 of a tile is right, the rest
    see up to 31 future tokens."""
    real = ttnn.transformer.scaled_dot_product_attention

    def sdpa(q, k, v, *, is_causal=True, attn_mask=None, **kwargs):
        if is_causal and attn_mask is None:
            length = q.shape[2]
            tile_of = torch.arange(length) // 32
            mask = torch.zeros(1, 1, length, length)
            mask[..., tile_of.unsqueeze(0) > tile_of.unsqueeze(1)] = float("-inf")
            attn_mask = ttnn.from_torch(mask, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=q.device())
            is_causal = False
        return real(q, k, v, is_causal=is_causal, attn_mask=attn_mask, **kwargs)

    monkeypatch.setattr(ttnn.transformer, "scaled_dot_product_attention", sdpa)


@mutant("op", "tests/model/test_logits.py", "tests/ops/test_op_cases.py")
def rotary_reuses_first_row_tile(monkeypatch, ttnn):
    """rotary_embedding never advances its cos/sin tile: rows 32 and on rotate with the table
    rows of the first tile (positions 0..31 again). Prompts of up to 32 tokens are exact."""
    real = ttnn.experimental.rotary_embedding

    def rotary(x, cos, sin, *args, **kwargs):
        rows = cos.shape[-2]
        if rows > 32 and x.shape[-2] > 32:
            cos, sin = (rebuild(ttnn, _first_tile_repeated(ttnn.to_torch(t)), t) for t in (cos, sin))
        return real(x, cos, sin, *args, **kwargs)

    monkeypatch.setattr(ttnn.experimental, "rotary_embedding", rotary)


def _first_tile_repeated(table: torch.Tensor) -> torch.Tensor:
    rows = table.shape[-2]
    index = torch.arange(rows) % 32
    return table[..., index, :]


@mutant("op", BATCH, "tests/ops/test_op_cases.py")
def decode_heads_swap_users_30_and_31(monkeypatch, ttnn):
    """nlp_create_qkv_heads_decode writes the last two users' heads to each other's core (a
    grid walk that wraps one core early): users 30 and 31 decode each other's token."""
    real = ttnn.experimental.nlp_create_qkv_heads_decode

    def heads(qkv, **kwargs):
        if qkv.shape[2] < 32:
            return real(qkv, **kwargs)
        values = ttnn.to_torch(qkv)
        values[..., [30, 31], :] = values[..., [31, 30], :]
        return real(rebuild(ttnn, values, qkv), **kwargs)

    monkeypatch.setattr(ttnn.experimental, "nlp_create_qkv_heads_decode", heads)


@mutant("op", "tests/model/test_kv_cache.py", "tests/ops/test_op_cases.py")
def paged_update_cache_writes_next_tile_row_at_tile_edge(monkeypatch, ttnn):
    """paged_update_cache at the last row of a tile (position 31, 63, ...) writes row 0 of the
    same tile instead: the tile index and row offset are computed from position + 1."""
    real = ttnn.experimental.paged_update_cache
    monkeypatch.setattr(ttnn.experimental, "paged_update_cache", with_positions_changed(
        ttnn, real, "update_idxs_tensor", lambda p: torch.where((p >= 0) & (p % 32 == 31), p - 31, p)))


@mutant("op", "tests/model/test_decode.py", LONG)
def sdpa_decode_reads_to_the_end_of_its_tile(monkeypatch, ttnn):
    """sdpa_decode masks whole 32-key tiles only: a user at position p also attends to the keys
    after p up to the end of p's tile (p | 31): zero rows of a fresh cache (which still take
    softmax weight) or a longer earlier prompt's future tokens. Exact only at positions 31, 63,
    ..., the last row of a tile, which the tile-edge decode tests sit on."""
    real = ttnn.transformer.scaled_dot_product_attention_decode
    monkeypatch.setattr(ttnn.transformer, "scaled_dot_product_attention_decode", with_positions_changed(
        ttnn, real, "cur_pos_tensor", lambda p: torch.where(p >= 0, p | 31, p)))


@mutant("op", BATCH)
def fill_cache_users_16_up_land_on_user_minus_16(monkeypatch, ttnn):
    """fill_cache's batch index taken modulo 16 (a 4-bit field in the kernel's runtime args):
    prefilling user 16..31 overwrites user 0..15's rows and leaves its own unwritten. Batches of
    up to 16 users are exact."""
    real = ttnn.fill_cache

    def fill_cache(cache, x, batch_idx, **kwargs):
        return real(cache, x, batch_idx % 16, **kwargs)

    monkeypatch.setattr(ttnn, "fill_cache", fill_cache)


@mutant("op", f"{PAGED}::test_paged_chunked_prefill_matches_hf_at_every_position")
def chunked_sdpa_ignores_chunk_start(monkeypatch, ttnn):
    """chunked_scaled_dot_product_attention drops its q-chunk offset (chunk_start_idx // q_chunk):
    the causal diagonal sits as if every chunk began at position 0, so query i of a later chunk
    sees keys 0..i of its user instead of 0..start+i. First chunks (plain SDPA) are right."""
    real = ttnn.transformer.chunked_scaled_dot_product_attention

    def chunked(q, k, v, page_table, chunk_start_idx=None, **kwargs):
        return real(q, k, v, page_table, 0, **kwargs)

    monkeypatch.setattr(ttnn.transformer, "chunked_scaled_dot_product_attention", chunked)
