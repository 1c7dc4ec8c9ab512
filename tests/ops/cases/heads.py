"""nlp_create_qkv_heads(_decode), nlp_concat_heads(_decode) and
transformer.split_query_key_value_and_split_heads: exact data movement, with the decode ops' sharded
specs."""

from __future__ import annotations

import pytest

from tests.ops.cases.base import (
    Dims, Q, T, NQ, NKV, HD, QKV_WIDTH, Spec, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile,
    to_dev, sharded, first_rows, split_fused_qkv)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("experimental.nlp_create_qkv_heads", "experimental.nlp_create_qkv_heads_decode", "experimental.nlp_concat_heads",
       "experimental.nlp_concat_heads_decode", "transformer.split_query_key_value_and_split_heads")
GOLDEN_OPS = ("transformer.split_query_key_value_and_split_heads",)


def _skip_undefined_numbers(actual, expected, what):
    """check: the card's values are undefined for a head size that is not whole tiles (its program
    moves head_dim // 32 tiles per head into heads of ceil(head_dim / 32) tiles): specs only."""
    pytest.skip(f"{what}: a head size that is not a multiple of 32 has undefined values on the card; "
                "this case checks the output specs")


def odd_head_dim_case(d: Dims, seq: int, transpose_k: bool, kv_input: bool = False, width: int | None = None) -> OpCase:
    """nlp_create_qkv_heads with a head size that is not whole tiles: accepted by 0.81.1 (measured),
    every output's head dim rounded up to a tile in its logical shape."""
    width = (d.heads + 2 * d.kv_heads) * d.head_dim if width is None else width
    head_dim = -(-(width // (d.heads + 2 * d.kv_heads)) // 32) * 32
    kt = "kT" if transpose_k else "k"
    cid = (f"create_qkv_heads-seq{seq}-nh{d.heads}-nkv{d.kv_heads}-width{width}-{kt}"
           + ("-kv_input" if kv_input else ""))

    def run(ttnn, device):
        x = seeded_input((1, 1, seq, width), cid)
        kwargs = dict(num_heads=d.heads, num_kv_heads=d.kv_heads, transpose_k_heads=transpose_k)
        if kv_input:
            q_width = width * d.heads // (d.heads + 2 * d.kv_heads)
            return ttnn.experimental.nlp_create_qkv_heads(to_dev(ttnn, device, x[..., :q_width]),
                                                          to_dev(ttnn, device, x[..., q_width:]), **kwargs)
        return ttnn.experimental.nlp_create_qkv_heads(to_dev(ttnn, device, x), **kwargs)

    k_shape = (1, d.kv_heads, head_dim, seq) if transpose_k else (1, d.kv_heads, seq, head_dim)
    specs = (tile((1, d.heads, seq, head_dim)), tile(k_shape), tile((1, d.kv_heads, seq, head_dim)))
    return OpCase(cid, "experimental.nlp_create_qkv_heads", run, lambda: (None, None, None), "op.heads",
                  exact=True, specs=specs, check=_skip_undefined_numbers)


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


def split_qkv_case(batch: int, seq: int, heads: int, kv_heads: int, head_dim: int, transpose_k: bool,
                   kv_input: bool = False, tag: str = "") -> OpCase:
    """[b, s, (h + 2 kv) d] rank 3 (or Q from [b, s, h d] and K, V from kv_input [b, s, 2 kv d]) ->
    Q [b, h, s, d], K [b, kv, s, d] (or [b, kv, d, s] transposed), V [b, kv, s, d]."""
    q_width, kv_width = heads * head_dim, 2 * kv_heads * head_dim
    kt = "kT" if transpose_k else "k"
    cid = (f"split_qkv_heads-{tag}b{batch}-seq{seq}-nh{heads}-nkv{kv_heads}-hd{head_dim}-{kt}"
           + ("-kv_input" if kv_input else ""))

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), (batch, seq, q_width + kv_width))})

    def run(ttnn, device):
        x = inputs()["x"]
        kwargs = dict(num_heads=heads, transpose_key=transpose_k)
        if kv_heads != heads:
            kwargs["num_kv_heads"] = kv_heads
        if kv_input:
            q, kv = to_dev(ttnn, device, x[..., :q_width]), to_dev(ttnn, device, x[..., q_width:])
            return ttnn.transformer.split_query_key_value_and_split_heads(q, kv, **kwargs)
        return ttnn.transformer.split_query_key_value_and_split_heads(to_dev(ttnn, device, x), **kwargs)

    def reference():
        q, k, v = split_fused_qkv(inputs()["x"].unsqueeze(1), heads, kv_heads, head_dim)
        return q, (k.transpose(-1, -2) if transpose_k else k), v

    def golden():
        kwargs = dict(num_heads=heads, num_kv_heads=kv_heads, transpose_key=transpose_k)
        return (inputs()["x"],), kwargs

    k_shape = (batch, kv_heads, head_dim, seq) if transpose_k else (batch, kv_heads, seq, head_dim)
    specs = (tile((batch, heads, seq, head_dim)), tile(k_shape), tile((batch, kv_heads, seq, head_dim)))
    return OpCase(cid, "transformer.split_query_key_value_and_split_heads", run, reference, "op.heads", exact=True,
                  specs=specs, golden=golden)


HD48 = Dims(hidden=96, heads=2, kv_heads=1, head_dim=48, intermediate=0, vocab=0, max_seq=0)

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
    split_qkv_case(1, 32, NQ, NKV, HD, transpose_k=False),
    split_qkv_case(1, 7, NQ, NKV, HD, transpose_k=False),
    split_qkv_case(2, 128, 16, 16, 64, transpose_k=True),
    split_qkv_case(1, 32, 16, 16, 64, transpose_k=False, kv_input=True),
    split_qkv_case(1, 64, T.heads, T.heads, 128, transpose_k=True, tag="mha-"),
    # -- head sizes that are not whole tiles: nlp_create_qkv_heads pads each head to a tile
    odd_head_dim_case(HD48, 32, transpose_k=False),
    odd_head_dim_case(HD48, 32, transpose_k=False, kv_input=True),
    odd_head_dim_case(Dims(1024, 4, 2, 100, 0, 0, 0), 7, transpose_k=True),
    odd_head_dim_case(Q, 32, transpose_k=False, width=4000),
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


def _r_split_qkv(shape=(1, 32, QKV_WIDTH), layout="TILE", heads=NQ, kv_heads=NKV, kv_width=None):
    def run(ttnn, device):
        x = to_dev(ttnn, device, seeded_input(shape), layout=layout)
        kv = None if kv_width is None else to_dev(ttnn, device, seeded_input((*shape[:-1], kv_width), "kv"))
        return ttnn.transformer.split_query_key_value_and_split_heads(x, kv, num_heads=heads, num_kv_heads=kv_heads,
                                                                      transpose_key=False)
    return run


def _r_create_heads_kv_input(q_width, kv_width, heads=2, kv_heads=1, kv_lead=(1, 1, 32), kv_layout="TILE"):
    """Q [1, 1, 32, q_width] with a KV input of shape kv_lead + (kv_width,) in kv_layout."""
    def run(ttnn, device):
        q = to_dev(ttnn, device, seeded_input((1, 1, 32, q_width)))
        kv = to_dev(ttnn, device, seeded_input((*kv_lead, kv_width), "kv"), layout=kv_layout)
        return ttnn.experimental.nlp_create_qkv_heads(q, kv, num_heads=heads, num_kv_heads=kv_heads,
                                                      transpose_k_heads=False)
    return run


def _r_create_heads_sharded_output(ttnn, device):
    return ttnn.experimental.nlp_create_qkv_heads(to_dev(ttnn, device, seeded_input((1, 1, 32, QKV_WIDTH))),
                                                  num_heads=NQ, num_kv_heads=NKV, transpose_k_heads=False,
                                                  memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)


def _r_create_heads_decode_rank3(ttnn, device):
    return ttnn.experimental.nlp_create_qkv_heads_decode(to_dev(ttnn, device, seeded_input((1, 8, QKV_WIDTH))),
                                                         num_heads=NQ, num_kv_heads=NKV,
                                                         memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)


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
    # real: "Invalid input tensor: expected 3 dimensions, but found 4."
    RefusalCase("split_qkv_heads-rank4_input", "transformer.split_query_key_value_and_split_heads",
                _r_split_qkv(shape=(1, 1, 32, QKV_WIDTH)), r"(?i)expected 3 dimensions|must be rank 3"),
    # real: "Invalid layout: input tensor must use TILE_LAYOUT, but found 0."
    RefusalCase("split_qkv_heads-row_major_input", "transformer.split_query_key_value_and_split_heads",
                _r_split_qkv(layout="ROW_MAJOR"), r"(?i)must use TILE_LAYOUT|layout must be TILE"),
    # real: "Invalid head size: 125. The head size must be a multiple of the tile width (32). Please adjust
    # the dimensions accordingly." (nlp_create_qkv_heads itself takes these widths: odd_head_dim_case)
    RefusalCase("split_qkv_heads-width4000-nh16-nkv8", "transformer.split_query_key_value_and_split_heads",
                _r_split_qkv(shape=(1, 32, 4000)), r"Invalid head size: 125\. The head size must be a multiple of the tile width \(32\)"),
    RefusalCase("split_qkv_heads-width192-nh2-nkv1", "transformer.split_query_key_value_and_split_heads",
                _r_split_qkv(shape=(1, 32, 192), heads=2, kv_heads=1), r"Invalid head size: 48\. The head size must be"),
    RefusalCase("split_qkv_heads-width96-nh2-nkv1-kv_input", "transformer.split_query_key_value_and_split_heads",
                _r_split_qkv(shape=(1, 32, 96), heads=2, kv_heads=1, kv_width=96),
                r"Invalid head size: 48\. The head size must be"),
    # real: "Head dims must be the same for Q and K, V"
    RefusalCase("create_qkv_heads-kv_input_head_dim_mismatch", "experimental.nlp_create_qkv_heads",
                _r_create_heads_kv_input(q_width=2 * 64, kv_width=2 * 128), r"Head dims must be the same for Q and K, V"),
    # real: "KV tensor seq_len dim must be same as Q tensor seq_len!" / "... batch dim ..." /
    # "Input tensor KV layout must be TILE but got Layout::ROW_MAJOR"
    RefusalCase("create_qkv_heads-kv_input_seq64_vs_32", "experimental.nlp_create_qkv_heads",
                _r_create_heads_kv_input(NQ * HD, 2 * NKV * HD, NQ, NKV, kv_lead=(1, 1, 64)),
                r"KV tensor seq_len dim must be same as Q tensor seq_len"),
    RefusalCase("create_qkv_heads-kv_input_batch2_vs_1", "experimental.nlp_create_qkv_heads",
                _r_create_heads_kv_input(NQ * HD, 2 * NKV * HD, NQ, NKV, kv_lead=(2, 1, 32)),
                r"KV tensor batch dim must be same as Q tensor batch"),
    RefusalCase("create_qkv_heads-kv_input_row_major", "experimental.nlp_create_qkv_heads",
                _r_create_heads_kv_input(NQ * HD, 2 * NKV * HD, NQ, NKV, kv_layout="ROW_MAJOR"),
                r"Input tensor KV layout must be TILE but got Layout::ROW_MAJOR"),
    # real: "Output memory config layout must be INTERLEAVED but got TensorMemoryLayout::HEIGHT_SHARDED"
    RefusalCase("create_qkv_heads-height_sharded_output", "experimental.nlp_create_qkv_heads",
                _r_create_heads_sharded_output, r"Output memory config layout must be INTERLEAVED"),
    # real: "Dimension mismatch: KV head size (32) must be equal to query head size (128)."
    RefusalCase("split_qkv_heads-kv_input_head_size32_vs_128", "transformer.split_query_key_value_and_split_heads",
                _r_split_qkv(shape=(1, 32, NQ * HD), heads=NQ, kv_heads=None, kv_width=1024),
                r"Dimension mismatch: KV head size \(32\) must be equal to query head size \(128\)"),
    # real: "ShapeBase[] index out of range. 3 not in [-4, 3)"
    RefusalCase("create_qkv_heads_decode-rank3_input", "experimental.nlp_create_qkv_heads_decode",
                _r_create_heads_decode_rank3, r"index out of range\. 3 not in \[-4, 3\)"),
    # real: "Physical shard shape (32, 100) must be tile {32, 32} sized!" (the decode split refuses
    # what the prefill split pads)
    RefusalCase("create_qkv_heads_decode-head_dim100", "experimental.nlp_create_qkv_heads_decode",
                _r_create_heads_decode(batch=8, heads=4, kv=2, head_dim=100), r"Physical shard shape \(32, 100\) must be tile"),
]
