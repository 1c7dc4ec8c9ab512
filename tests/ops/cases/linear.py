"""ttnn.linear: every projection of a Qwen3 decoder layer and the LM head, bf16 and block-float weights."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    Q, T, H, NQ, HD, QKV_WIDTH, ON_DEVICE, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile, to_dev)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("linear",)
GOLDEN_OPS = ("linear",)


def linear_case(seq: int, k: int, n: int, role: str, wdtype: str = "bfloat16", activation=None,
                tag: str = "", slow=False) -> OpCase:
    short = {"bfloat16": "bf16", "bfloat8_b": "bfp8", "bfloat4_b": "bfp4"}[wdtype]
    act = f"-{activation}" if activation else ""
    cid = f"linear-{tag}{role}{act}-seq{seq}-k{k}-n{n}-{short}"
    reference_dtype = torch.float32 if k * n > 50_000_000 else torch.float64  # LM head: fp32 is plenty

    def inputs():
        def build():
            gen = generator(cid)
            return {"x": randn(gen, (1, 1, seq, k)), "w": randn(gen, (k, n), scale=k ** -0.5)}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        x = to_dev(ttnn, device, i["x"])
        w = to_dev(ttnn, device, i["w"], dtype=wdtype)
        if activation:
            return ttnn.linear(x, w, activation=activation)
        return ttnn.linear(x, w)

    def reference():
        # Block-float weights are compared against their bf16 source: the dtype's threshold
        # (thresholds.py, op.linear/bfloat8_b) accounts for the quantisation.
        i = inputs()
        y = i["x"].to(reference_dtype) @ i["w"].to(reference_dtype)
        return torch.nn.functional.silu(y) if activation == "silu" else y

    def golden():
        i = inputs()
        return (i["x"], i["w"]), ({"activation": activation} if activation else {})

    return OpCase(cid, "linear", run, reference, "op.linear", dtype=wdtype,
                  specs=(tile((1, 1, seq, n), note="output dtype = input a's dtype, DRAM interleaved"),),
                  slow=slow, golden=golden)


CASES: list[OpCase] = [
    # -- linear: every projection of a decoder layer, bf16 and bfloat8_b weights
    linear_case(128, H, NQ * HD, "q"),
    linear_case(128, H, QKV_WIDTH, "qkv"),
    linear_case(128, NQ * HD, H, "o"),
    linear_case(128, H, Q.intermediate, "gate", activation="silu"),
    linear_case(128, H, Q.intermediate, "up"),
    linear_case(128, Q.intermediate, H, "down"),
    linear_case(128, H, Q.intermediate, "gate", "bfloat8_b", activation="silu"),
    linear_case(128, Q.intermediate, H, "down", "bfloat8_b"),
    linear_case(128, H, QKV_WIDTH, "qkv", "bfloat8_b"),
    linear_case(32, H, QKV_WIDTH, "qkv"),
    linear_case(32, Q.intermediate, H, "down"),
    linear_case(256, H, Q.intermediate, "up"),
    linear_case(7, H, NQ * HD, "q"),
    linear_case(32, H, Q.vocab, "lm_head", slow=True),
    linear_case(1024, H, Q.intermediate, "gate", activation="silu", slow=True),
    linear_case(2048, Q.intermediate, H, "down", "bfloat8_b", slow=True),
    linear_case(32, T.hidden, (T.heads + 2 * T.kv_heads) * T.head_dim, "qkv", tag="tiny-"),
    linear_case(32, T.heads * T.head_dim, T.hidden, "o", tag="tiny-"),
    linear_case(32, T.hidden, T.intermediate, "gate", activation="silu", tag="tiny-"),
    linear_case(32, T.intermediate, T.hidden, "down", tag="tiny-"),
    linear_case(32, T.hidden, T.vocab, "lm_head", tag="tiny-"),
]


def _r_linear_host(ttnn, device):
    x = ttnn.from_torch(seeded_input((1, 1, 32, H)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    w = ttnn.from_torch(seeded_input((H, 64)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    return ttnn.linear(x, w)


def _r_linear_row_major(ttnn, device):
    x = to_dev(ttnn, device, seeded_input((1, 1, 32, H)), layout="ROW_MAJOR")
    return ttnn.linear(x, to_dev(ttnn, device, seeded_input((H, 64))))


def _r_linear_inner(ttnn, device):
    x, w = seeded_input((1, 1, 32, H)), seeded_input((2 * H, 64))
    return ttnn.linear(to_dev(ttnn, device, x), to_dev(ttnn, device, w))


REFUSALS: list[RefusalCase] = [
    # real: "Operand to matmul must be on device"
    RefusalCase("linear-host_tensors", "linear", _r_linear_host, ON_DEVICE),
    # real: "Inputs to matmul must be tilized"
    RefusalCase("linear-row_major_input", "linear", _r_linear_row_major, r"(?i)must be tilized"),
    # real: "The width of the first tensor must be equal to the height of the second tensor. Mismatch: ..."
    RefusalCase("linear-inner_dim_mismatch", "linear", _r_linear_inner,
                r"(?i)width of the first tensor must be equal to the height of the second"),
]
