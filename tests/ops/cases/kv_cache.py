"""fill_cache, update_cache, experimental.paged_update_cache and paged_fill_cache: in place, exact;
the returned tensor and the cache are both checked."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    Dims, Q, T, NKV, HD, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile, to_dev, sharded)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("fill_cache", "update_cache", "experimental.paged_update_cache", "experimental.paged_fill_cache")
GOLDEN_OPS = ("fill_cache", "update_cache")


def _cache_spec(shape):
    return tile(shape, note="in-place: the returned tensor is the cache")


def fill_cache_case(d: Dims, users: int, batch_idx: int, seq: int, max_seq: int, update_idx: int = 0,
                    tag: str = "", slow=False) -> OpCase:
    cid = f"fill_cache-{tag}users{users}-batch{batch_idx}-seq{seq}-at{update_idx}-max{max_seq}-nkv{d.kv_heads}-hd{d.head_dim}"
    cache_shape = (users, d.kv_heads, max_seq, d.head_dim)

    def inputs():
        def build():
            gen = generator(cid)
            return {"cache": randn(gen, cache_shape), "x": randn(gen, (1, d.kv_heads, seq, d.head_dim))}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        x = to_dev(ttnn, device, i["x"])
        if update_idx:
            out = ttnn.fill_cache(cache, x, batch_idx, update_idx=update_idx)
        else:
            out = ttnn.fill_cache(cache, x, batch_idx)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        expected[batch_idx, :, update_idx:update_idx + seq] = i["x"][0]
        return expected, expected

    def golden():
        i = inputs()
        return (i["cache"].clone(), i["x"], batch_idx), {"update_idx": update_idx}

    return OpCase(cid, "fill_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2, slow=slow, golden=golden)


def update_cache_case(d: Dims, users: int, update_idx: int, max_seq: int, tag: str = "") -> OpCase:
    """ttnn.update_cache: input [1, kv, users (padded to 32), d]; row u goes to cache[u, :, idx]."""
    cid = f"update_cache-{tag}users{users}-at{update_idx}-max{max_seq}-nkv{d.kv_heads}-hd{d.head_dim}"
    cache_shape = (users, d.kv_heads, max_seq, d.head_dim)

    def inputs():
        def build():
            gen = generator(cid)
            return {"cache": randn(gen, cache_shape), "x": randn(gen, (1, d.kv_heads, users, d.head_dim))}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        out = ttnn.update_cache(cache, to_dev(ttnn, device, i["x"]), update_idx)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        expected[:, :, update_idx] = i["x"][0].permute(1, 0, 2)
        return expected, expected

    def golden():
        i = inputs()
        return (i["cache"].clone(), i["x"], update_idx), {}

    return OpCase(cid, "update_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2, golden=golden)


def paged_update_case(d: Dims, idxs, max_seq: int = 256, idx_form: str = "list", block_size: int | None = None,
                      tag: str = "") -> OpCase:
    """paged_update_cache: input [1, B, kv (padded 32), d] height-sharded, one user per core.
    Unpaged: cache [B, kv, max_seq, d]. Paged (block_size): cache [blocks, kv, block_size, d] and a
    page table [B, max_seq / block_size] (a shuffled block assignment); only the tensor form of
    the positions is allowed with a page table."""
    batch = len(idxs)
    paged = block_size is not None
    kind = f"paged{block_size}" if paged else "unpaged"
    cid = (f"paged_update_cache-{tag}{kind}-b{batch}-at{'_'.join(map(str, idxs))}-{idx_form}-max{max_seq}"
           f"-nkv{d.kv_heads}-hd{d.head_dim}")
    blocks_per_user = max_seq // block_size if paged else 0
    cache_shape = (batch * blocks_per_user, d.kv_heads, block_size, d.head_dim) if paged else \
        (batch, d.kv_heads, max_seq, d.head_dim)

    def inputs():
        def build():
            gen = generator(cid)
            out = {"cache": randn(gen, cache_shape), "x": randn(gen, (1, batch, d.kv_heads, d.head_dim))}
            if paged:
                out["page_table"] = torch.randperm(batch * blocks_per_user, generator=gen).to(torch.int32) \
                    .reshape(batch, blocks_per_user)
            return out
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        x = to_dev(ttnn, device, i["x"], memory_config=sharded(ttnn, (32, d.head_dim), batch))
        kwargs = {}
        if idx_form == "tensor":
            kwargs["update_idxs_tensor"] = ttnn.from_torch(torch.tensor(idxs, dtype=torch.int32),
                                                           dtype=ttnn.int32, device=device)
        else:
            kwargs["update_idxs"] = list(idxs)
        if paged:
            kwargs["page_table"] = ttnn.from_torch(i["page_table"], dtype=ttnn.int32, device=device)
        out = ttnn.experimental.paged_update_cache(cache, x, **kwargs)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        for u, pos in enumerate(idxs):
            if paged:
                block = int(i["page_table"][u, pos // block_size])
                expected[block, :, pos % block_size] = i["x"][0, u]
            else:
                expected[u, :, pos] = i["x"][0, u]
        return expected, expected

    return OpCase(cid, "experimental.paged_update_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2)


def paged_fill_case(d: Dims, users: int, batch_idx: int, seq: int, block_size: int, max_seq: int,
                    tag: str = "") -> OpCase:
    cid = f"paged_fill_cache-{tag}users{users}-batch{batch_idx}-seq{seq}-block{block_size}-max{max_seq}-nkv{d.kv_heads}-hd{d.head_dim}"
    blocks_per_user = max_seq // block_size
    cache_shape = (users * blocks_per_user, d.kv_heads, block_size, d.head_dim)

    def inputs():
        def build():
            gen = generator(cid)
            return {"cache": randn(gen, cache_shape), "x": randn(gen, (1, d.kv_heads, seq, d.head_dim)),
                    "page_table": torch.randperm(users * blocks_per_user, generator=gen).to(torch.int32)
                    .reshape(users, blocks_per_user)}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        table = ttnn.from_torch(i["page_table"], dtype=ttnn.int32, device=device)
        out = ttnn.experimental.paged_fill_cache(cache, to_dev(ttnn, device, i["x"]), table, batch_idx=batch_idx)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        for start in range(0, seq, block_size):
            block = int(i["page_table"][batch_idx, start // block_size])
            rows = min(block_size, seq - start)
            expected[block, :, :rows] = i["x"][0, :, start:start + rows]
        return expected, expected

    return OpCase(cid, "experimental.paged_fill_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2)


CASES: list[OpCase] = [
    # -- KV cache
    fill_cache_case(Q, 1, 0, 128, 256),
    fill_cache_case(Q, 1, 0, 256, 256),
    fill_cache_case(Q, 2, 1, 64, 256, update_idx=64),
    fill_cache_case(Q, 1, 0, 32, 256, update_idx=224),
    fill_cache_case(Q, 1, 0, 1024, 2048),
    fill_cache_case(Q, 1, 0, 2048, 2048, slow=True),
    fill_cache_case(T, 1, 0, 32, 64, tag="tiny-"),
    update_cache_case(Q, 1, 0, 256),
    update_cache_case(Q, 1, 37, 256),
    update_cache_case(Q, 1, 255, 256),
    update_cache_case(Q, 8, 100, 256),
    update_cache_case(T, 1, 5, 64, tag="tiny-"),
    paged_update_case(Q, [37], idx_form="list"),
    paged_update_case(Q, [37], idx_form="tensor"),
    paged_update_case(Q, [0, 31, 32, 255, 1, 100, 200, 64], idx_form="list"),
    paged_update_case(Q, [0, 31, 32, 255, 1, 100, 200, 64], idx_form="tensor"),
    paged_update_case(Q, [5, 250], idx_form="tensor", block_size=64),
    paged_update_case(T, [5], max_seq=64, idx_form="list", tag="tiny-"),
    paged_fill_case(Q, 2, 1, 128, 64, 256),
    paged_fill_case(Q, 1, 0, 256, 32, 256),
]


def _r_paged_update_uint32_idxs(ttnn, device):
    cache = to_dev(ttnn, device, seeded_input((1, NKV, 256, HD), "cache"))
    x = to_dev(ttnn, device, seeded_input((1, 1, NKV, HD)), memory_config=sharded(ttnn, (32, HD), 1))
    idxs = ttnn.from_torch(torch.tensor([5], dtype=torch.int32), dtype=ttnn.uint32, device=device)
    return ttnn.experimental.paged_update_cache(cache, x, update_idxs_tensor=idxs)


def _r_fill_cache(users=1, batch_idx=0, seq=32, max_seq=256, cache_dtype="bfloat16", input_dtype="bfloat16",
                  input_batch=1, update_idx=0, input_kv=NKV):
    def run(ttnn, device):
        cache = to_dev(ttnn, device, seeded_input((users, NKV, max_seq, HD), "cache"), dtype=cache_dtype)
        x = to_dev(ttnn, device, seeded_input((input_batch, input_kv, seq, HD)), dtype=input_dtype)
        return ttnn.fill_cache(cache, x, batch_idx, update_idx=update_idx)
    return run


def _r_paged_update(batch=1, cores=None, input_dtype="bfloat16", interleaved=False, idxs=None, both=False,
                    page_table=False, idx_form="list"):
    def run(ttnn, device):
        cache = to_dev(ttnn, device, seeded_input((batch, NKV, 256, HD), "cache"))
        x_torch = seeded_input((1, batch, NKV, HD))
        if interleaved:
            x = to_dev(ttnn, device, x_torch, dtype=input_dtype)
        else:
            n = cores or batch
            shard_h = 32 * batch // n
            x = to_dev(ttnn, device, x_torch, dtype=input_dtype, memory_config=sharded(ttnn, (shard_h, HD), n))
        positions = list(idxs) if idxs is not None else list(range(batch))
        kwargs = {"update_idxs": positions} if idx_form == "list" else {}
        if both or idx_form == "tensor":
            kwargs["update_idxs_tensor"] = ttnn.from_torch(torch.tensor(positions, dtype=torch.int32),
                                                           dtype=ttnn.int32, device=device)
        if page_table:
            kwargs["page_table"] = ttnn.from_torch(torch.arange(batch * 4, dtype=torch.int32).reshape(batch, 4),
                                                   dtype=ttnn.int32, device=device)
        return ttnn.experimental.paged_update_cache(cache, x, **kwargs)
    return run


REFUSALS: list[RefusalCase] = [
    # real: "Batch index (2) must be less than cache tensor batch size (2)"
    RefusalCase("fill_cache-batch_idx2_of_2", "fill_cache", _r_fill_cache(users=2, batch_idx=2),
                r"(?i)batch.?(idx|index) \(2\) must be (<|less than) cache"),
    # real: "Fill update_idx (0) + input tensor height (512) must be <= cache tensor height (256)"
    RefusalCase("fill_cache-seq512_longer_than_cache256", "fill_cache", _r_fill_cache(seq=512),
                r"(?i)\(512\).* must be <= cache"),
    # real: "Input and cache tensors must have same dtype!"
    RefusalCase("fill_cache-float32_input_bf16_cache", "fill_cache", _r_fill_cache(input_dtype="float32"),
                r"(?i)must have same dtype|must match cache dtype"),
    # real: "Input tensor batch size must be 1 but got 2"
    RefusalCase("fill_cache-input_batch2", "fill_cache", _r_fill_cache(input_batch=2), r"(?i)batch( size)? must be 1"),
    # real: "Input tensor height (9) must equal cache tensor height (8)" (height = the heads dim)
    RefusalCase("fill_cache-9_heads_into_8", "fill_cache", _r_fill_cache(input_kv=9),
                r"(?i)\(9\).* must (equal|match)"),
    # real: "Fill update_idx (16) must be a multiple of TILE_HEIGHT (32)"
    RefusalCase("fill_cache-update_idx16_not_tile_aligned", "fill_cache", _r_fill_cache(update_idx=16),
                r"(?i)update_idx \(16\) must be a multiple of TILE_HEIGHT"),
    # NOT listed: a fill_cache grid limit. 0.81.1 has none: fill_cache of [1, 8, 2048, 128] (512 work
    # blocks on a 64-core grid) is accepted on the mock n150 (see the fill_cache seq1024 / seq2048 cases).
    # real: "Data type of input tensor for paged_update_cache must be FLOAT32 or BFLOAT16; ..."
    RefusalCase("paged_update_cache-bfloat8_b_input", "experimental.paged_update_cache",
                _r_paged_update(input_dtype="bfloat8_b"), r"(?i)must be FLOAT32 or BFLOAT16"),
    # real: "Expect input_tensor to be sharded"
    RefusalCase("paged_update_cache-interleaved_input", "experimental.paged_update_cache",
                _r_paged_update(interleaved=True), r"(?i)to be sharded|must be (height_)?sharded"),
    # real: "Input tensor shard grid must have num_cores (4) equal to the number of users / batch (8). ..."
    RefusalCase("paged_update_cache-8_users_on_4_cores", "experimental.paged_update_cache",
                _r_paged_update(batch=8, cores=4), r"(?i)\(4\).* equal (to )?the number of users"),
    # real: "Only an update tensor or an update vector can be provided. Not both or neither."
    RefusalCase("paged_update_cache-list_and_tensor", "experimental.paged_update_cache",
                _r_paged_update(both=True), r"(?i)not both or neither|exactly one of update_idxs"),
    # real: "Number of update_idxs (2) should match batch size (1)"
    RefusalCase("paged_update_cache-2_positions_for_1_user", "experimental.paged_update_cache",
                _r_paged_update(idxs=(3, 4)), r"(?i)number of update.?(idxs|indices) \(2\) (should match|must equal)"),
    # real: "Expected update_idxs to have datatype INT32"
    RefusalCase("paged_update_cache-uint32_idxs_tensor", "experimental.paged_update_cache", _r_paged_update_uint32_idxs,
                r"(?i)INT32"),
    # real: "Paged cache requires update_idxs tensor"
    RefusalCase("paged_update_cache-page_table_with_list", "experimental.paged_update_cache",
                _r_paged_update(page_table=True), r"(?i)requires update_idxs.?tensor"),
]
