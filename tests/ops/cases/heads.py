"""nlp_create_qkv_heads(_decode) and nlp_concat_heads(_decode): exact data movement, with the decode
ops' sharded specs."""

from __future__ import annotations

from tests.ops.cases.base import (
    Dims, Q, T, NQ, NKV, HD, QKV_WIDTH, Spec, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile,
    to_dev, sharded, first_rows, split_fused_qkv)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("experimental.nlp_create_qkv_heads", "experimental.nlp_create_qkv_heads_decode", "experimental.nlp_concat_heads",
       "experimental.nlp_concat_heads_decode")
GOLDEN_OPS = ()


def create_heads_case(d: Dims, seq: int, transpose_k: bool, tag: str = "", slow=False) -> OpCase:
    width = (d.heads + 2 * d.kv_heads) * d.head_dim
    kt = "kT" if transpose_k else "k"
    cid = f"create_qkv_heads-{tag}seq{seq}-nh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}-{kt}"

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), (1, 1, seq, width))})

    def run(ttnn, device):
        return ttnn.experimental.nlp_create_qkv_heads(
            to_dev(ttnn, device, inputs()["x"]), num_heads=d.heads, num_kv_heads=d.kv_heads,
            transpose_k_heads=transpose_k)

    def reference():
        q, k, v = split_fused_qkv(inputs()["x"], d.heads, d.kv_heads, d.head_dim)
        return q, (k.transpose(-1, -2) if transpose_k else k), v

    k_shape = (1, d.kv_heads, d.head_dim, seq) if transpose_k else (1, d.kv_heads, seq, d.head_dim)
    specs = (tile((1, d.heads, seq, d.head_dim)), tile(k_shape), tile((1, d.kv_heads, seq, d.head_dim)))
    return OpCase(cid, "experimental.nlp_create_qkv_heads", run, reference, "op.heads", exact=True,
                  specs=specs, slow=slow)


def create_heads_decode_case(d: Dims, batch: int, tag: str = "") -> OpCase:
    width = (d.heads + 2 * d.kv_heads) * d.head_dim
    cid = f"create_qkv_heads_decode-{tag}b{batch}-nh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}"

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), (1, 1, batch, width))})

    def run(ttnn, device):
        return ttnn.experimental.nlp_create_qkv_heads_decode(
            to_dev(ttnn, device, inputs()["x"]), num_heads=d.heads, num_kv_heads=d.kv_heads,
            memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)

    def reference():
        # users are the rows of the fused input: [1, 1, B, W] -> [1, B, heads, d]
        x = inputs()["x"][0, 0]  # [B, W]
        q_end, k_end = d.heads * d.head_dim, (d.heads + d.kv_heads) * d.head_dim
        q = x[:, :q_end].reshape(1, batch, d.heads, d.head_dim)
        k = x[:, q_end:k_end].reshape(1, batch, d.kv_heads, d.head_dim)
        v = x[:, k_end:].reshape(1, batch, d.kv_heads, d.head_dim)
        return q, k, v

    note = "heads padded to 32 in the padded shape; HEIGHT_SHARDED L1, one user per core"
    specs = tuple(
        Spec((1, batch, n, d.head_dim), (1, batch, 32, d.head_dim), buffer="L1", memory="HEIGHT_SHARDED",
             shard_shape=(32, d.head_dim), shard_cores=batch, note=note)
        for n in (d.heads, d.kv_heads, d.kv_heads))
    return OpCase(cid, "experimental.nlp_create_qkv_heads_decode", run, reference, "op.heads",
                  exact=True, specs=specs)


def concat_heads_case(d: Dims, seq: int, tag: str = "", slow=False) -> OpCase:
    cid = f"concat_heads-{tag}seq{seq}-nh{d.heads}-hd{d.head_dim}"
    shape = (1, d.heads, seq, d.head_dim)

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        return ttnn.experimental.nlp_concat_heads(to_dev(ttnn, device, inputs()["x"]))

    def reference():
        return inputs()["x"].permute(0, 2, 1, 3).reshape(1, 1, seq, d.heads * d.head_dim)

    return OpCase(cid, "experimental.nlp_concat_heads", run, reference, "op.heads", exact=True,
                  specs=(tile((1, 1, seq, d.heads * d.head_dim)),), slow=slow)


def concat_heads_decode_case(d: Dims, batch: int, tag: str = "") -> OpCase:
    """Input [1, B, heads (padded 32), d] height-sharded one user per core (what SDPA decode's
    output becomes after to_memory_config) -> [1, 1, 32, heads * d] width-sharded."""
    cid = f"concat_heads_decode-{tag}b{batch}-nh{d.heads}-hd{d.head_dim}"
    shape = (1, batch, d.heads, d.head_dim)

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        x = to_dev(ttnn, device, inputs()["x"], memory_config=sharded(ttnn, (32, d.head_dim), batch))
        return ttnn.experimental.nlp_concat_heads_decode(x, num_heads=d.heads)

    def reference():
        return inputs()["x"].reshape(1, 1, batch, d.heads * d.head_dim)

    # nlp_concat_heads_decode_device_operation.cpp: batch = max(batch, 32) in the OUTPUT shape,
    # width-sharded over num_heads cores with shard [32, head_dim].
    spec = Spec((1, 1, 32, d.heads * d.head_dim), (1, 1, 32, d.heads * d.head_dim), buffer="L1",
                memory="WIDTH_SHARDED", shard_shape=(32, d.head_dim), shard_cores=d.heads,
                note="output batch padded to 32 in the logical shape too")
    return OpCase(cid, "experimental.nlp_concat_heads_decode", run, reference, "op.heads", exact=True,
                  specs=(spec,), select=first_rows(batch))


CASES: list[OpCase] = [
    # -- heads
    create_heads_case(Q, 32, False),
    create_heads_case(Q, 32, True),
    create_heads_case(Q, 128, False),
    create_heads_case(Q, 128, True),
    create_heads_case(Q, 256, False),
    create_heads_case(Q, 1024, False),
    create_heads_case(Q, 2048, False),
    create_heads_case(Q, 7, False),
    create_heads_case(T, 32, False, tag="tiny-"),
    create_heads_decode_case(Q, 1),
    create_heads_decode_case(Q, 8),
    create_heads_decode_case(Q, 32),
    create_heads_decode_case(T, 1, tag="tiny-"),
    concat_heads_case(Q, 32),
    concat_heads_case(Q, 128),
    concat_heads_case(Q, 256),
    concat_heads_case(Q, 2048),
    concat_heads_case(Q, 7),
    concat_heads_case(T, 32, tag="tiny-"),
    concat_heads_decode_case(Q, 1),
    concat_heads_decode_case(Q, 8),
    concat_heads_decode_case(Q, 32),
    concat_heads_decode_case(T, 1, tag="tiny-"),
]


def _r_create_heads_row_major(ttnn, device):
    x = to_dev(ttnn, device, seeded_input((1, 1, 32, QKV_WIDTH)), layout="ROW_MAJOR")
    return ttnn.experimental.nlp_create_qkv_heads(x, num_heads=NQ, num_kv_heads=NKV, transpose_k_heads=False)


def _r_create_heads_rank3(ttnn, device):
    return ttnn.experimental.nlp_create_qkv_heads(to_dev(ttnn, device, seeded_input((1, 32, QKV_WIDTH))), num_heads=NQ,
                                                  num_kv_heads=NKV, transpose_k_heads=False)


def _r_concat_heads_rank3(ttnn, device):
    return ttnn.experimental.nlp_concat_heads(to_dev(ttnn, device, seeded_input((NQ, 32, HD))))


def _r_create_heads_decode(batch=1, heads=NQ, kv=NKV, head_dim=HD, dtype="bfloat16"):
    def run(ttnn, device):
        x = to_dev(ttnn, device, seeded_input((1, 1, batch, (heads + 2 * kv) * head_dim)), dtype=dtype)
        return ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=heads, num_kv_heads=kv,
                                                             memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    return run


def _r_concat_heads_decode_interleaved(ttnn, device):
    return ttnn.experimental.nlp_concat_heads_decode(to_dev(ttnn, device, seeded_input((1, 8, NQ, HD))), num_heads=NQ)


def _r_concat_heads_decode_heads(ttnn, device):
    x = to_dev(ttnn, device, seeded_input((1, 8, NQ, HD)), memory_config=sharded(ttnn, (32, HD), 8))
    return ttnn.experimental.nlp_concat_heads_decode(x, num_heads=40)


REFUSALS: list[RefusalCase] = [
    # real: "Input tensor layout must be TILE but got Layout::ROW_MAJOR"
    RefusalCase("create_qkv_heads-row_major_input", "experimental.nlp_create_qkv_heads", _r_create_heads_row_major,
             r"(?i)layout must be TILE|must be tilized"),
    # real: "ShapeBase[] index out of range. 3 not in [-4, 3)" (no rank check of its own)
    RefusalCase("create_qkv_heads-rank3_input", "experimental.nlp_create_qkv_heads", _r_create_heads_rank3,
             r"(?i)index out of range|rank"),
    # real: "Unsupported input shape = Shape([1, 1, 64, 4096])"
    RefusalCase("create_qkv_heads_decode-batch64", "experimental.nlp_create_qkv_heads_decode",
             _r_create_heads_decode(batch=64), r"(?i)unsupported input shape"),
    # real: "Physical shard shape (32, 48) must be tile {32, 32} sized!"
    RefusalCase("create_qkv_heads_decode-head_dim48", "experimental.nlp_create_qkv_heads_decode",
             _r_create_heads_decode(head_dim=48), r"(?i)must be tile .*sized|head_dim .*multiple of TILE_WIDTH"),
    # real: "Unsupported data format"
    RefusalCase("create_qkv_heads_decode-bfloat8_b_input", "experimental.nlp_create_qkv_heads_decode",
             _r_create_heads_decode(dtype="bfloat8_b"), r"(?i)unsupported data format"),
    # real: "ShapeBase[] index out of range. 3 not in [-4, 3)"
    RefusalCase("concat_heads-rank3_input", "experimental.nlp_concat_heads", _r_concat_heads_rank3,
             r"(?i)index out of range|rank"),
    # real: "Input tensor must be sharded"
    RefusalCase("concat_heads_decode-interleaved_input", "experimental.nlp_concat_heads_decode",
             _r_concat_heads_decode_interleaved, r"(?i)must be (height_)?sharded"),
    # real (sic, the check is num_heads <= 32 padded heads): "head_dim must be multiple of TILE_WIDTH"
    RefusalCase("concat_heads_decode-heads40", "experimental.nlp_concat_heads_decode",
             _r_concat_heads_decode_heads, r"(?i)head_dim must be multiple of TILE_WIDTH|num_heads .*<= ?32"),
]
