"""ttnn.experimental.rotary_embedding: HF rotate-half, prefill over the model's cos/sin tables and
decode with token_index."""

from __future__ import annotations

from tests.ops.cases.base import (
    Dims, Q, T, NQ, NKV, HD, Spec, OpCase, RefusalCase, memo, generator, randn, seeded_input, rope_tables,
    tile_padded, tile, to_dev, first_rows, ref_rope)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("experimental.rotary_embedding",)
GOLDEN_OPS = ("experimental.rotary_embedding",)


def rotary_prefill_case(d: Dims, heads: int, seq: int, role: str, tag: str = "", slow=False) -> OpCase:
    cid = f"rotary-{tag}{role}-heads{heads}-seq{seq}-hd{d.head_dim}-cos{d.max_seq}"
    shape = (1, heads, seq, d.head_dim)

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ttnn.experimental.rotary_embedding(
            to_dev(ttnn, device, inputs()["x"]), to_dev(ttnn, device, cos), to_dev(ttnn, device, sin))

    def reference():
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ref_rope(inputs()["x"], cos[..., :seq, :], sin[..., :seq, :])

    padded = tile_padded(shape)
    # rotary_embedding_device_operation.cpp builds the output spec from the input's PADDED shape
    # (seq rounded up to 32): the logical shape of an odd-length output is the padded one.
    spec = Spec(padded, padded, note="output logical shape = input padded shape (spec from padded_shape)")
    select = first_rows(seq) if seq % 32 else None
    return OpCase(cid, "experimental.rotary_embedding", run, reference, "op.rotary_embedding",
                  specs=(spec,), slow=slow, select=select)


def rotary_decode_case(d: Dims, heads: int, pos: int, role: str, tag: str = "") -> OpCase:
    """Decode: the op is given token_index and an input [1, 1, rows, head_dim] (batch 1: the heads
    of one token on the rows axis); every row is rotated by the angle of position `pos`."""
    cid = f"rotary_decode-{tag}{role}-heads{heads}-pos{pos}-hd{d.head_dim}-cos{d.max_seq}"
    shape = (1, 1, heads, d.head_dim)

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ttnn.experimental.rotary_embedding(
            to_dev(ttnn, device, inputs()["x"]), to_dev(ttnn, device, cos), to_dev(ttnn, device, sin), pos)

    def reference():
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ref_rope(inputs()["x"], cos[..., pos:pos + 1, :], sin[..., pos:pos + 1, :])

    def golden():
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return (inputs()["x"], cos, sin, pos), {}

    padded = tile_padded(shape)
    spec = Spec(padded, padded, note="token_index given: output spec = input padded shape")
    return OpCase(cid, "experimental.rotary_embedding", run, reference, "op.rotary_embedding",
                  specs=(spec,), select=first_rows(heads), golden=golden)


CASES: list[OpCase] = [
    # -- rotary: prefill over seq 32..2048 with the model's 2048-row tables, and decode positions
    rotary_prefill_case(Q, NQ, 32, "q"),
    rotary_prefill_case(Q, NQ, 128, "q"),
    rotary_prefill_case(Q, NQ, 256, "q"),
    rotary_prefill_case(Q, NKV, 128, "k"),
    rotary_prefill_case(Q, NKV, 2048, "k"),
    rotary_prefill_case(Q, NQ, 7, "q"),
    rotary_prefill_case(Q, NQ, 1024, "q", slow=True),
    rotary_prefill_case(Q, NQ, 2048, "q", slow=True),
    rotary_prefill_case(T, T.heads, 32, "q", tag="tiny-"),
    rotary_prefill_case(Dims(128, 4, 4, 32, 256, 512, 256), 4, 32, "q", tag="hd32_single_tile-"),
    rotary_decode_case(Q, NQ, 0, "q"),
    rotary_decode_case(Q, NQ, 31, "q"),
    rotary_decode_case(Q, NQ, 32, "q"),
    rotary_decode_case(Q, NQ, 255, "q"),
    rotary_decode_case(Q, NKV, 2047, "k"),
    rotary_decode_case(T, T.heads, 37, "q", tag="tiny-"),
]


def _rope_inputs(ttnn, device, x_shape, table_rows, table_dim):
    cos, sin = rope_tables(table_rows, table_dim)
    return (to_dev(ttnn, device, seeded_input(x_shape)), to_dev(ttnn, device, cos), to_dev(ttnn, device, sin))


def _r_rotary_head_dim(ttnn, device):
    return ttnn.experimental.rotary_embedding(*_rope_inputs(ttnn, device, (1, NQ, 32, 96), 256, 96))


def _r_rotary_cos_width(ttnn, device):
    return ttnn.experimental.rotary_embedding(*_rope_inputs(ttnn, device, (1, NQ, 32, HD), 256, 64))


def _r_rotary_cos_short(ttnn, device):
    return ttnn.experimental.rotary_embedding(*_rope_inputs(ttnn, device, (1, NQ, 128, HD), 64, HD))


REFUSALS: list[RefusalCase] = [
    # real: "Input X dimension (96) must be either 32 (single tile) or divisible by 64 (rotate_half ...)"
    RefusalCase("rotary-head_dim96_not_multiple_of_64", "experimental.rotary_embedding", _r_rotary_head_dim,
                r"(?i)divisible by 64|multiple of 64"),
    # real: "Cosine cache dimensions must match input dimensions. Expected (1, 1, 128), but got ..."
    RefusalCase("rotary-cos_width_mismatch", "experimental.rotary_embedding", _r_rotary_cos_width,
                r"(?i)cos(ine cache)? dim(ension)?s must match input dim"),
    # real: "Cosine cache must cover the input sequence length. Input sequence length: 128, Cos cache ...: 64."
    RefusalCase("rotary-cos_shorter_than_seq", "experimental.rotary_embedding", _r_rotary_cos_short,
                r"(?i)must cover the input sequence length|seq_len \d+ exceeds cos"),
]
