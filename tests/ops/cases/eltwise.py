"""ttnn.add (residual), ttnn.mul (gate * up), ttnn.silu, ttnn.softmax."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    Q, T, H, NQ, ON_DEVICE, OpCase, RefusalCase, memo, generator, randn, seeded_input, f64, tile, to_dev)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("add", "mul", "silu", "softmax")
GOLDEN_OPS = ("add", "mul", "silu", "softmax")


def eltwise_case(op: str, shape, tag: str = "", slow=False) -> OpCase:
    cid = f"{op}-{tag}" + "x".join(str(s) for s in shape)
    binary = op in ("add", "mul")

    def inputs():
        def build():
            gen = generator(cid)
            return {"a": randn(gen, shape, scale=2.0), "b": randn(gen, shape)}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        a = to_dev(ttnn, device, i["a"])
        if binary:
            return getattr(ttnn, op)(a, to_dev(ttnn, device, i["b"]))
        return ttnn.silu(a)

    def reference():
        a, b = f64(inputs()["a"]), f64(inputs()["b"])
        return {"add": lambda: a + b, "mul": lambda: a * b, "silu": lambda: torch.nn.functional.silu(a)}[op]()

    def golden():
        i = inputs()
        return ((i["a"], i["b"]) if binary else (i["a"],)), {}

    return OpCase(cid, op, run, reference, "op.eltwise", specs=(tile(shape),), slow=slow,
                  golden=golden)


def softmax_case(shape, tag: str = "", scale: float = 4.0, slow=False) -> OpCase:
    cid = f"softmax-{tag}" + "x".join(str(s) for s in shape)

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape, scale=scale)})

    def run(ttnn, device):
        return ttnn.softmax(to_dev(ttnn, device, inputs()["x"]), dim=-1)

    def reference():
        return torch.softmax(f64(inputs()["x"]), dim=-1)

    return OpCase(cid, "softmax", run, reference, "op.softmax", specs=(tile(shape),), slow=slow,
                  golden=lambda: ((inputs()["x"],), {"dim": -1}))


CASES: list[OpCase] = [
    # -- eltwise
    eltwise_case("add", (1, 1, 128, H)),
    eltwise_case("add", (1, 1, 7, H)),
    eltwise_case("mul", (1, 1, 128, Q.intermediate)),
    eltwise_case("silu", (1, 1, 128, Q.intermediate)),
    eltwise_case("mul", (1, 1, 32, T.intermediate), tag="tiny-"),
    eltwise_case("add", (1, 1, 2048, H), slow=True),
    # -- softmax
    softmax_case((1, NQ, 128, 128)),
    softmax_case((1, 1, 7, H)),
    softmax_case((1, 1, 32, 100)),
    softmax_case((1, T.heads, 32, 32), tag="tiny-"),
]


def _r_binary_host(op):
    def run(ttnn, device):
        a = ttnn.from_torch(seeded_input((1, 1, 32, H)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
        b = ttnn.from_torch(seeded_input((1, 1, 32, H), "b"), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
        return getattr(ttnn, op)(a, b)
    return run


def _r_binary_shapes(op):
    def run(ttnn, device):
        a, b = seeded_input((1, 1, 32, H)), seeded_input((1, 1, 32, H // 2))
        return getattr(ttnn, op)(to_dev(ttnn, device, a), to_dev(ttnn, device, b))
    return run


REFUSALS: list[RefusalCase] = [
    # real: "Input tensor A must be on device, got storage type: StorageType::HOST"
    RefusalCase("add-host_tensors", "add", _r_binary_host("add"), ON_DEVICE),
    # real: "Invalid subtile broadcast type"
    RefusalCase("add-width1024_vs_512", "add", _r_binary_shapes("add"), r"(?i)broadcast"),
    # the same rules, the same wording, for mul
    RefusalCase("mul-host_tensors", "mul", _r_binary_host("mul"), ON_DEVICE),
    RefusalCase("mul-width1024_vs_512", "mul", _r_binary_shapes("mul"), r"(?i)broadcast"),
    # NOT listed: ttnn.silu, ttnn.rms_norm and ttnn.transformer.scaled_dot_product_attention on host
    # tensors. The real ttnn 0.81.1 crashes the process (segmentation fault, measured on the mock
    # n150) instead of raising, so such a test would take the whole run down on mock and device.
]
