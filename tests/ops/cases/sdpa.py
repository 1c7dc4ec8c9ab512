"""ttnn.transformer.scaled_dot_product_attention (causal GQA 16/8, explicit mask with Sk > Sq), _decode
(cur_pos list / tensor, -1 skips a user) and paged_scaled_dot_product_attention_decode (the KV cache
in blocks reached through a page table)."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    BF16, Dims, Q, T, NQ, NKV, HD, Spec, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile, to_dev,
    ref_attention, causal_mask)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("transformer.scaled_dot_product_attention", "transformer.scaled_dot_product_attention_decode",
       "transformer.paged_scaled_dot_product_attention_decode")
GOLDEN_OPS = ("transformer.scaled_dot_product_attention", "transformer.scaled_dot_product_attention_decode")


def sdpa_case(d: Dims, sq: int, sk: int | None = None, mask: bool = False, tag: str = "", slow=False) -> OpCase:
    sk = sq if sk is None else sk
    kind = f"mask-sq{sq}-sk{sk}" if mask else f"causal-seq{sq}"
    cid = f"sdpa-{tag}{kind}-nqh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}"

    def inputs():
        def build():
            gen = generator(cid)
            out = {"q": randn(gen, (1, d.heads, sq, d.head_dim)),
                   "k": randn(gen, (1, d.kv_heads, sk, d.head_dim)),
                   "v": randn(gen, (1, d.kv_heads, sk, d.head_dim))}
            if mask:
                out["mask"] = causal_mask(sq, sk).reshape(1, 1, sq, sk).to(BF16)
            return out
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        q, k, v = (to_dev(ttnn, device, i[n]) for n in "qkv")
        if mask:
            return ttnn.transformer.scaled_dot_product_attention(
                q, k, v, attn_mask=to_dev(ttnn, device, i["mask"]), is_causal=False)
        return ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True)

    def reference():
        i = inputs()
        m = i["mask"] if mask else causal_mask(sq, sk)
        return ref_attention(i["q"], i["k"], i["v"], mask=m)

    def golden():
        i = inputs()
        if mask:
            return (i["q"], i["k"], i["v"]), {"attn_mask": i["mask"], "is_causal": False}
        return (i["q"], i["k"], i["v"]), {"is_causal": True}

    return OpCase(cid, "transformer.scaled_dot_product_attention", run, reference, "op.sdpa",
                  specs=(tile((1, d.heads, sq, d.head_dim)),), slow=slow, golden=golden)


def sdpa_decode_case(d: Dims, positions, cache_len: int, pos_form: str = "list", tag: str = "") -> OpCase:
    """Q [1, b, heads, d] (one token per user), K/V cache [b, kv, cache_len, d]; user u attends
    positions 0..positions[u]; -1 skips the user (its output is unspecified and not compared).
    Cache rows after each user's position hold poison (large V) so that any leak shows."""
    batch = len(positions)
    pos_tag = "_".join(str(p) for p in positions).replace("-", "m")
    cid = f"sdpa_decode-{tag}b{batch}-pos{pos_tag}-{pos_form}-s{cache_len}-nqh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}"
    live = [u for u, p in enumerate(positions) if p >= 0]

    def inputs():
        def build():
            gen = generator(cid)
            k = torch.randn((batch, d.kv_heads, cache_len, d.head_dim), generator=gen)
            v = torch.randn((batch, d.kv_heads, cache_len, d.head_dim), generator=gen)
            for u, p in enumerate(positions):
                v[u, :, max(p, 0) + 1:, :] = 64.0  # never attended
            return {"q": randn(gen, (1, batch, d.heads, d.head_dim)), "k": k.to(BF16), "v": v.to(BF16)}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        q, k, v = (to_dev(ttnn, device, i[n]) for n in "qkv")
        if pos_form == "tensor":
            cur = ttnn.from_torch(torch.tensor(positions, dtype=torch.int32), dtype=ttnn.int32, device=device)
            return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos_tensor=cur)
        return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=list(positions))

    def reference():
        i = inputs()
        out = torch.zeros((1, batch, d.heads, d.head_dim), dtype=torch.float64)
        for u in live:
            p = positions[u]
            q = i["q"][:, u].reshape(1, d.heads, 1, d.head_dim)
            k = i["k"][u:u + 1, :, : p + 1]
            v = i["v"][u:u + 1, :, : p + 1]
            out[0, u] = ref_attention(q, k, v)[0, :, 0, :]
        return out

    def golden():
        i = inputs()
        return (i["q"], i["k"], i["v"]), {"is_causal": True, "cur_pos": list(positions)}

    select = None if len(live) == batch else (lambda t, idx: t[:, live])
    spec = Spec((1, batch, d.heads, d.head_dim), (1, batch, 32, d.head_dim),
                note="output spec = Q's logical shape (heads padded to 32), DRAM interleaved")
    return OpCase(cid, "transformer.scaled_dot_product_attention_decode", run, reference,
                  "op.sdpa_decode", specs=(spec,), select=select, golden=golden)


def paged_sdpa_decode_case(d: Dims, positions, block_size: int, blocks_per_user: int, tag: str = "") -> OpCase:
    """As sdpa_decode_case, with each user's cache [kv, blocks_per_user * block_size, d] cut into
    blocks stored at shuffled places of a [users * blocks_per_user, kv, block_size, d] cache; the
    page table [users, blocks_per_user] (int32) says where. Positions come as an int32 tensor (the
    op has no list form); -1 skips a user."""
    batch = len(positions)
    cache_len = blocks_per_user * block_size
    pos_tag = "_".join(str(p) for p in positions).replace("-", "m")
    cid = (f"paged_sdpa_decode-{tag}b{batch}-pos{pos_tag}-block{block_size}x{blocks_per_user}"
           f"-nqh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}")
    live = [u for u, p in enumerate(positions) if p >= 0]

    def inputs():
        def build():
            gen = generator(cid)
            shape = (batch, d.kv_heads, cache_len, d.head_dim)
            k, v = torch.randn(shape, generator=gen), torch.randn(shape, generator=gen)
            for u, p in enumerate(positions):
                v[u, :, max(p, 0) + 1:, :] = 64.0  # never attended
            table = torch.randperm(batch * blocks_per_user, generator=gen).to(torch.int32)
            table = table.reshape(batch, blocks_per_user)
            q = randn(gen, (1, batch, d.heads, d.head_dim))
            return {"q": q, "k": k.to(BF16), "v": v.to(BF16), "table": table}
        return memo(cid, build)

    def paged(cache, table):
        blocks = torch.empty((batch * blocks_per_user, d.kv_heads, block_size, d.head_dim), dtype=cache.dtype)
        for u in range(batch):
            for j in range(blocks_per_user):
                blocks[int(table[u, j])] = cache[u, :, j * block_size:(j + 1) * block_size]
        return blocks

    def run(ttnn, device):
        i = inputs()
        q = to_dev(ttnn, device, i["q"])
        k, v = (to_dev(ttnn, device, paged(i[n], i["table"])) for n in "kv")
        table = ttnn.from_torch(i["table"], dtype=ttnn.int32, device=device)
        cur = ttnn.from_torch(torch.tensor(positions, dtype=torch.int32), dtype=ttnn.int32, device=device)
        return ttnn.transformer.paged_scaled_dot_product_attention_decode(q, k, v, table, is_causal=True,
                                                                          cur_pos_tensor=cur)

    def reference():
        i = inputs()
        out = torch.zeros((1, batch, d.heads, d.head_dim), dtype=torch.float64)
        for u in live:
            p = positions[u]
            q = i["q"][:, u].reshape(1, d.heads, 1, d.head_dim)
            out[0, u] = ref_attention(q, i["k"][u:u + 1, :, : p + 1], i["v"][u:u + 1, :, : p + 1])[0, :, 0, :]
        return out

    select = None if len(live) == batch else (lambda t, idx: t[:, live])
    spec = Spec((1, batch, d.heads, d.head_dim), (1, batch, 32, d.head_dim),
                note="as the unpaged op: Q's logical shape, heads padded to 32, DRAM interleaved")
    return OpCase(cid, "transformer.paged_scaled_dot_product_attention_decode", run, reference,
                  "op.sdpa_decode", specs=(spec,), select=select)


CASES: list[OpCase] = [
    # -- attention
    sdpa_case(Q, 32),
    sdpa_case(Q, 128),
    sdpa_case(Q, 256),
    sdpa_case(Q, 32, 128, mask=True),
    sdpa_case(Q, 7),
    sdpa_case(Q, 1024, slow=True),
    sdpa_case(Q, 2048, slow=True),
    sdpa_case(T, 32, tag="tiny-"),
    sdpa_decode_case(Q, [0, 31, 32, 255], 256, "list"),
    sdpa_decode_case(Q, [0, 31, 32, 255], 256, "tensor"),
    sdpa_decode_case(Q, [-1, 31, 32, 255], 256, "tensor"),  # a cur_pos LIST cannot hold -1 (uint32)
    sdpa_decode_case(Q, [-1, 5, -1, 200], 256, "tensor"),
    sdpa_decode_case(Q, [255], 256, "list"),
    sdpa_decode_case(Q, [1000, 2047], 2048, "tensor", tag="long-"),
    sdpa_decode_case(T, [37], 64, "list", tag="tiny-"),
    paged_sdpa_decode_case(Q, [5, 100], 32, 4),
    paged_sdpa_decode_case(Q, [-1, 5, 127, 64], 32, 4),
    paged_sdpa_decode_case(Q, [200], 64, 4),
    paged_sdpa_decode_case(T, [37], 32, 2, tag="tiny-"),
]


def _r_sdpa(q_shape=(1, NQ, 32, HD), kv_shape=(1, NKV, 32, HD), dtype="bfloat16", is_causal=True, mask=False):
    def run(ttnn, device):
        q, k, v = (to_dev(ttnn, device, seeded_input(s, n), dtype=dtype)
                   for s, n in ((q_shape, "q"), (kv_shape, "k"), (kv_shape, "v")))
        kwargs = {"is_causal": is_causal}
        if mask:
            kwargs["attn_mask"] = to_dev(ttnn, device, causal_mask(q_shape[2], kv_shape[2])
                                         .reshape(1, 1, q_shape[2], kv_shape[2]).to(BF16))
        return ttnn.transformer.scaled_dot_product_attention(q, k, v, **kwargs)
    return run


def _r_sdpa_decode(batch=1, q_heads=NQ, kv_heads=NKV, q_dim=HD, kv_dim=HD, cache_len=256, pos=(10,), pos_form="list"):
    def run(ttnn, device):
        q = to_dev(ttnn, device, seeded_input((1, batch, q_heads, q_dim), "q"))
        k = to_dev(ttnn, device, seeded_input((batch, kv_heads, cache_len, kv_dim), "k"))
        v = to_dev(ttnn, device, seeded_input((batch, kv_heads, cache_len, kv_dim), "v"))
        if pos_form == "tensor":
            cur = ttnn.from_torch(torch.tensor(pos, dtype=torch.int32), dtype=ttnn.int32, device=device)
            return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos_tensor=cur)
        return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=list(pos))
    return run


def _r_sdpa_decode_bfp8_q(ttnn, device):
    q = to_dev(ttnn, device, seeded_input((1, 1, NQ, HD), "q"), dtype="bfloat8_b")
    k, v = (to_dev(ttnn, device, seeded_input((1, NKV, 256, HD), n)) for n in "kv")
    return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=[10])


def _r_sdpa_decode_batch(ttnn, device):
    q = to_dev(ttnn, device, seeded_input((1, 4, NQ, HD), "q"))
    k, v = (to_dev(ttnn, device, seeded_input((1, NKV, 256, HD), n)) for n in "kv")
    return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=[10] * 4)


def _r_paged_sdpa_decode(batch=2, kv_heads=NKV, kv_dim=HD, table_dtype="int32", positions=(5, 100)):
    def run(ttnn, device):
        blocks = batch * 4
        q = to_dev(ttnn, device, seeded_input((1, batch, NQ, HD), "q"))
        k = to_dev(ttnn, device, seeded_input((blocks, kv_heads, 32, kv_dim), "k"))
        v = to_dev(ttnn, device, seeded_input((blocks, kv_heads, 32, kv_dim), "v"))
        table = ttnn.from_torch(torch.arange(blocks, dtype=torch.int32).reshape(batch, 4),
                                dtype=getattr(ttnn, table_dtype), device=device)
        kwargs = {}
        if positions is not None:
            kwargs["cur_pos_tensor"] = ttnn.from_torch(torch.tensor(positions, dtype=torch.int32), dtype=ttnn.int32,
                                                       device=device)
        return ttnn.transformer.paged_scaled_dot_product_attention_decode(q, k, v, table, is_causal=True, **kwargs)
    return run


REFUSALS: list[RefusalCase] = [
    # real (sic, it compares K/V with Q's head dim): "K and V hidden dim must match. Got K: 64, V: 64"
    RefusalCase("sdpa-kv_head_dim64_vs_q128", "transformer.scaled_dot_product_attention",
                _r_sdpa(kv_shape=(1, NKV, 32, 64)), r"(?i)hidden dim must match|same head dim"),
    # real: "Q num_heads must be >= K num_heads and divisible by K num_heads, ..."
    RefusalCase("sdpa-gqa_16_over_6", "transformer.scaled_dot_product_attention",
                _r_sdpa(kv_shape=(1, 6, 32, HD)), r"(?i)divisible by K num_heads"),
    # real: "Causal SDPA requires Q and K to have the same sequence length. Got Q: 32, K: 64"
    RefusalCase("sdpa-causal_sq32_sk64", "transformer.scaled_dot_product_attention",
                _r_sdpa(kv_shape=(1, NKV, 64, HD)), r"(?i)requires Q and K to have the same sequence length"),
    # real: "Data type of input tensor must be BFLOAT16, BFLOAT8_B, or BFLOAT4_B and is DataType::FLOAT32"
    RefusalCase("sdpa-float32_inputs", "transformer.scaled_dot_product_attention", _r_sdpa(dtype="float32"),
                r"(?i)data type of .* must be BFLOAT16"),
    # real: "is_causal and attn_mask cannot both be present. Got is_causal: true, attn_mask: true"
    RefusalCase("sdpa-causal_and_mask", "transformer.scaled_dot_product_attention", _r_sdpa(mask=True),
                r"(?i)is_causal and attn_mask cannot both|attn_mask must be None when is_causal"),
    # real: "K tensor hidden dimension (64) must equal Q tensor hidden dimension (128)"
    RefusalCase("sdpa_decode-kv_head_dim64_vs_q128", "transformer.scaled_dot_product_attention_decode",
                _r_sdpa_decode(kv_dim=64), r"(?i)hidden dimension .*must equal Q|same head dim"),
    # real: "GQA expects Q to have a multiple of K heads, but got 16 and 6"
    RefusalCase("sdpa_decode-gqa_16_over_6", "transformer.scaled_dot_product_attention_decode",
                _r_sdpa_decode(kv_heads=6), r"(?i)multiple of K heads|divisible by K num_heads"),
    # real: "cur_pos must be <= K sequence dim" (the check is cur_pos < S)
    RefusalCase("sdpa_decode-cur_pos256_beyond_cache256", "transformer.scaled_dot_product_attention_decode",
                _r_sdpa_decode(pos=(256,)), r"(?i)cur_pos .*(K sequence dim|cache length)"),
    # real: "GQA expects BFLOAT16 input tensor, but got DataType::BFLOAT8_B"
    RefusalCase("sdpa_decode-bfloat8_b_q_with_gqa", "transformer.scaled_dot_product_attention_decode",
                _r_sdpa_decode_bfp8_q, r"(?i)expects BFLOAT16|Q must be BFLOAT16"),
    # real: "K tensor batch size (1) must equal B (4)"
    RefusalCase("sdpa_decode-cache_batch1_for_4_users", "transformer.scaled_dot_product_attention_decode",
                _r_sdpa_decode_batch, r"(?i)batch size \(1\) must (equal|match)|batch .*\(1\).*\(4\)"),
    # real: "Must have cur_pos tensor for paged attention in causal mode"
    RefusalCase("paged_sdpa_decode-without_cur_pos_tensor", "transformer.paged_scaled_dot_product_attention_decode",
                _r_paged_sdpa_decode(positions=None),
                r"(?i)must have cur_pos tensor for paged|requires cur_pos_tensor"),
    # real: "Q, K, V must have same hidden size"
    RefusalCase("paged_sdpa_decode-kv_head_dim64_vs_q128", "transformer.paged_scaled_dot_product_attention_decode",
                _r_paged_sdpa_decode(kv_dim=64), r"(?i)must have same hidden size|hidden dimension .*must equal Q"),
    # real: "GQA expects Q to have a multiple of K heads, but got 16 and 6"
    RefusalCase("paged_sdpa_decode-gqa_16_over_6", "transformer.paged_scaled_dot_product_attention_decode",
                _r_paged_sdpa_decode(kv_heads=6), r"(?i)multiple of K heads"),
    # real: "Error: SDPA currently only supports INT32 datatype" (of the page table)
    RefusalCase("paged_sdpa_decode-uint32_page_table", "transformer.paged_scaled_dot_product_attention_decode",
                _r_paged_sdpa_decode(table_dtype="uint32"), r"(?i)only supports INT32|page table must be int32"),
    # real: "cur_pos must have batch size equal to Q, got 1 and 2"
    RefusalCase("paged_sdpa_decode-1_position_for_2_users", "transformer.paged_scaled_dot_product_attention_decode",
                _r_paged_sdpa_decode(positions=(5,)),
                r"(?i)cur_pos must have batch size equal to Q|at least one position per batch \(2\)"),
    # NOT listed: positions from a tensor outside the cache, which 0.81.1 accepts (out_of_cache.py).
]
