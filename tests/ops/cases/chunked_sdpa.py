"""ttnn.transformer.chunked_scaled_dot_product_attention: a later prefill chunk (Q at positions
chunk_start_idx..) attending causally to its user's cache, read block by block through a page
table from a shared pool [blocks, kv, block_size, d], as tt_transformers' paged chunked prefill
calls it. The refusals are 0.81.1's own, measured on the mock n150 (sdpa_device_operation.cpp,
chunked mode)."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    BF16, Dims, Q, T, NQ, NKV, HD, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile, to_dev,
    ref_attention, causal_mask, ON_DEVICE)

OP = "transformer.chunked_scaled_dot_product_attention"
OPS = (OP,)
GOLDEN_OPS = (OP,)
POISON = 64.0  # V rows past a user's chunk: never attended, so any leak shows


def place_in_pool(cache: torch.Tensor, table: torch.Tensor, block_size: int) -> torch.Tensor:
    """Users' caches [b, kv, n * block_size, d] cut into blocks at the pool places `table` [b, n] says."""
    users, heads, _, head_dim = cache.shape
    pool = torch.empty((table.numel(), heads, block_size, head_dim), dtype=cache.dtype)
    for u in range(users):
        for j in range(table.shape[1]):
            pool[int(table[u, j])] = cache[u, :, j * block_size:(j + 1) * block_size]
    return pool


def chunked_sdpa_case(d: Dims, start: int, seq: int, block_size: int, blocks_per_user: int, batch: int = 1,
                      tag: str = "") -> OpCase:
    """Q [batch, heads, seq, d] at positions start..start+seq-1 of each user; each user's keys
    0..start+seq-1 are attended, query i seeing keys up to start + i."""
    cid = (f"chunked_sdpa-{tag}b{batch}-start{start}-seq{seq}-block{block_size}x{blocks_per_user}"
           f"-nqh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}")
    keys = start + seq

    def inputs():
        def build():
            gen = generator(cid)
            shape = (batch, d.kv_heads, blocks_per_user * block_size, d.head_dim)
            k, v = torch.randn(shape, generator=gen), torch.randn(shape, generator=gen)
            v[:, :, keys:] = POISON
            table = torch.randperm(batch * blocks_per_user, generator=gen).to(torch.int32).reshape(batch, -1)
            q = randn(gen, (batch, d.heads, seq, d.head_dim))
            return {"q": q, "k": k.to(BF16), "v": v.to(BF16), "table": table,
                    "k_pool": place_in_pool(k.to(BF16), table, block_size),
                    "v_pool": place_in_pool(v.to(BF16), table, block_size)}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        q, k, v = (to_dev(ttnn, device, i[n]) for n in ("q", "k_pool", "v_pool"))
        table = ttnn.from_torch(i["table"], dtype=ttnn.int32, device=device)
        return ttnn.transformer.chunked_scaled_dot_product_attention(q, k, v, table, chunk_start_idx=start)

    def reference():
        i = inputs()
        return ref_attention(i["q"], i["k"][:, :, :keys], i["v"][:, :, :keys], mask=causal_mask(seq, keys))

    def golden():
        i = inputs()
        return (i["q"], i["k_pool"], i["v_pool"], i["table"]), {"chunk_start_idx": start}

    return OpCase(cid, OP, run, reference, "op.sdpa", specs=(tile((batch, d.heads, seq, d.head_dim)),),
                  golden=golden)


CASES: list[OpCase] = [
    chunked_sdpa_case(Q, 64, 64, 64, 4),  # the model's second chunk of 64 in blocks of 64
    chunked_sdpa_case(Q, 128, 128, 32, 8),  # a chunk of four blocks, starting past four others
    chunked_sdpa_case(Q, 64, 40, 64, 2),  # a partial last chunk (padded to a tile on the card)
    chunked_sdpa_case(Q, 64, 64, 64, 3, batch=2),  # one page-table row per Q batch
    chunked_sdpa_case(T, 32, 32, 32, 2, tag="tiny-"),
]


def _r_chunked(q_shape=(1, NQ, 64, HD), kv_shape=(4, NKV, 64, HD), v_shape=None, table_shape=(1, 4), start=64,
               table_dtype="int32", table_layout="ROW_MAJOR", table_on_device=True, q_dtype="bfloat16",
               chunks=None):
    """One chunked call on seeded inputs; `chunks` = (q_chunk, k_chunk) passes a program config."""
    def run(ttnn, device):
        q = to_dev(ttnn, device, seeded_input(q_shape, "q"), dtype=q_dtype)
        k = to_dev(ttnn, device, seeded_input(kv_shape, "k"))
        v = to_dev(ttnn, device, seeded_input(v_shape or kv_shape, "v"))
        rows = torch.arange(torch.Size(table_shape).numel(), dtype=torch.int32).reshape(table_shape) % kv_shape[0]
        layout = {"TILE": ttnn.TILE_LAYOUT, "ROW_MAJOR": ttnn.ROW_MAJOR_LAYOUT}[table_layout]
        table = ttnn.from_torch(rows, dtype=getattr(ttnn, table_dtype), layout=layout,
                                device=device if table_on_device else None)
        kwargs = {}
        if chunks is not None:
            kwargs["program_config"] = ttnn.SDPAProgramConfig(
                compute_with_storage_grid_size=ttnn.CoreCoord(8, 8), q_chunk_size=chunks[0], k_chunk_size=chunks[1])
        if start is None:
            return ttnn.transformer.chunked_scaled_dot_product_attention(q, k, v, table, **kwargs)
        return ttnn.transformer.chunked_scaled_dot_product_attention(q, k, v, table, chunk_start_idx=start, **kwargs)
    return run


REFUSALS: list[RefusalCase] = [
    # real: "K's sequence length must be >= Q's sequence length + chunk_start_idx. Got K: 128, Q: 64,
    # chunk_start_idx: 128" (the K length is the page table's pages x block size, not the pool's)
    RefusalCase("chunked_sdpa-start128_seq64_past_2_pages_of_64", OP, _r_chunked(table_shape=(1, 2), start=128),
                r"K's sequence length must be >= Q's sequence length \+ chunk_start_idx\. Got K: 128, Q: 64"),
    # real: "chunk_start_idx must be non-negative"
    RefusalCase("chunked_sdpa-start_minus64", OP, _r_chunked(start=-64), r"chunk_start_idx must be non-negative"),
    # real (the Python binding, a RuntimeError): "chunk_start_idx (int) is required for legacy chunked SDPA. ..."
    RefusalCase("chunked_sdpa-without_start", OP, _r_chunked(start=None),
                r"chunk_start_idx \(int\) is required for legacy chunked SDPA"),
    # real: "chunk_start_idx must be a multiple of q_chunk_size. Got chunk_start_idx: 64, q_chunk_size: 128"
    RefusalCase("chunked_sdpa-start64_with_q_chunk128", OP, _r_chunked(chunks=(128, 128)),
                r"chunk_start_idx must be a multiple of q_chunk_size\. Got chunk_start_idx: 64, q_chunk_size: 128"),
    # real: "chunk_start_idx must be a multiple of k_chunk_size. Got chunk_start_idx: 64, k_chunk_size: 128"
    # (a workaround for tt-metal#35225, says the op's help)
    RefusalCase("chunked_sdpa-start64_with_k_chunk128", OP, _r_chunked(chunks=(64, 128)),
                r"chunk_start_idx must be a multiple of k_chunk_size\. Got chunk_start_idx: 64, k_chunk_size: 128"),
    # real: "q_chunk_size must be a positive multiple of TILE_SIZE. Got q_chunk_size: 48, TILE_SIZE: 32"
    RefusalCase("chunked_sdpa-q_chunk48", OP, _r_chunked(chunks=(48, 32)),
                r"q_chunk_size must be a positive multiple of TILE_SIZE\. Got q_chunk_size: 48"),
    # real: "Page table batch size must match input batch size. Got Page table: 2, Input: 1"
    RefusalCase("chunked_sdpa-page_table_of_2_users_for_1", OP, _r_chunked(table_shape=(2, 4)),
                r"Page table batch size must match input batch size\. Got Page table: 2, Input: 1"),
    # real: "Page table must be int32"
    RefusalCase("chunked_sdpa-uint32_page_table", OP, _r_chunked(table_dtype="uint32"), r"Page table must be int32"),
    # real: "Page table must be row major"
    RefusalCase("chunked_sdpa-tile_page_table", OP, _r_chunked(table_layout="TILE"), r"Page table must be row major"),
    # real: "Device Operations expect device tensors as inputs"
    RefusalCase("chunked_sdpa-host_page_table", OP, _r_chunked(table_on_device=False), ON_DEVICE),
    # real: "K page size must match V page size. Got K: 64, V: 32"
    RefusalCase("chunked_sdpa-k_block64_v_block32", OP, _r_chunked(v_shape=(4, NKV, 32, HD)),
                r"K page size must match V page size\. Got K: 64, V: 32"),
    # real: "Q num_heads must be >= K num_heads and divisible by K num_heads, ... Got Q: 16, K: 3"
    RefusalCase("chunked_sdpa-gqa_16_over_3", OP, _r_chunked(kv_shape=(4, 3, 64, HD)),
                r"divisible by K num_heads.*Got Q: 16, K: 3"),
    # real (sic, it compares K/V with Q's head dim): "K and V hidden dim must match. Got K: 128, V: 128"
    RefusalCase("chunked_sdpa-q_head_dim64_vs_kv128", OP, _r_chunked(q_shape=(1, NQ, 64, 64)),
                r"K and V hidden dim must match"),
    # real: "Data type of input tensor must be BFLOAT16, BFLOAT8_B, or BFLOAT4_B and is DataType::FLOAT32"
    RefusalCase("chunked_sdpa-float32_q", OP, _r_chunked(q_dtype="float32"), r"(?i)data type of .* must be BFLOAT16"),
]
