"""from_torch round trips (host and device), to_layout, to_memory_config, typecast.

Host-only round trips never touch the device, so they compare values on every backend (the mock's
host conversions are the real ttnn code); everything that goes through the device needs numbers."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    BF16, H, HD, Spec, OpCase, RefusalCase, memo, generator, randn, tile, row_major, layout_of, to_dev, sharded)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("from_torch", "to_layout", "to_memory_config", "typecast")
GOLDEN_OPS = ()


def round_trip_case(shape, dtype: str = "bfloat16", layout: str = "TILE", on_device: bool = False) -> OpCase:
    where = "device" if on_device else "host"
    cid = f"round_trip-{where}-" + "x".join(map(str, shape)) + f"-{dtype}-{layout.lower()}"
    torch_dtype = {"bfloat16": BF16, "float32": torch.float32}[dtype]

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape, dtype=torch_dtype)})

    def run(ttnn, device):
        kwargs = dict(dtype=getattr(ttnn, dtype), layout=layout_of(ttnn, layout))
        if on_device:
            kwargs["device"] = device
        return ttnn.from_torch(inputs()["x"], **kwargs)

    def reference():
        return inputs()["x"]

    spec = tile(shape, dtype) if layout == "TILE" else row_major(shape, dtype)
    if not on_device:
        spec = Spec(**{**spec.__dict__, "buffer": "", "memory": ""})  # host tensors have no placement
    return OpCase(cid, "from_torch", run, reference, "op.heads", exact=True, specs=(spec,),
                  device_numbers=on_device)


def to_layout_case(shape, src: str, dst: str) -> OpCase:
    cid = f"to_layout-{src.lower()}_to_{dst.lower()}-" + "x".join(map(str, shape))

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        return ttnn.to_layout(to_dev(ttnn, device, inputs()["x"], layout=src), layout_of(ttnn, dst))

    spec = tile(shape) if dst == "TILE" else row_major(shape)
    return OpCase(cid, "to_layout", run, lambda: inputs()["x"], "op.heads", exact=True, specs=(spec,))


def to_memory_config_case(shape, target: str, shard_cores: int | None = None) -> OpCase:
    cid = f"to_memory_config-dram_to_{target.lower()}-" + "x".join(map(str, shape))

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        x = to_dev(ttnn, device, inputs()["x"])
        if target == "L1":
            return ttnn.to_memory_config(x, ttnn.L1_MEMORY_CONFIG)
        return ttnn.to_memory_config(x, sharded(ttnn, (32, shape[-1]), shard_cores))

    if target == "L1":
        spec = tile(shape, buffer="L1")
    else:
        spec = tile(shape, buffer="L1", memory="HEIGHT_SHARDED", shard_shape=(32, shape[-1]), shard_cores=shard_cores)
    return OpCase(cid, "to_memory_config", run, lambda: inputs()["x"], "op.heads", exact=True,
                  specs=(spec,))


def _check_rne_or_truncation(actual: torch.Tensor, expected, what: str) -> None:
    rne, trunc = expected
    actual = actual.to(torch.float32)
    ok = (actual == rne) | (actual == trunc)
    bad = int((~ok).sum())
    assert bad == 0, (f"{what}: {bad} of {ok.numel()} values are neither the round-to-nearest-even nor the "
                      f"truncated bfloat16 of the float32 input")


def typecast_case(shape, src: str, dst: str) -> OpCase:
    cid = f"typecast-{src}_to_{dst}-" + "x".join(map(str, shape))
    src_torch = {"bfloat16": BF16, "float32": torch.float32}[src]

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape, dtype=src_torch)})

    def run(ttnn, device):
        return ttnn.typecast(to_dev(ttnn, device, inputs()["x"], dtype=src), getattr(ttnn, dst))

    def reference():
        x = inputs()["x"]
        if dst == "float32":
            return x.to(torch.float32)  # widening is exact
        rne = x.to(BF16).to(torch.float32)
        trunc = (x.view(torch.int32) & ~0xFFFF).view(torch.float32)
        return ((rne, trunc),)  # one output, two acceptable roundings

    check = _check_rne_or_truncation if dst == "bfloat16" else None
    return OpCase(cid, "typecast", run, reference, "op.heads", exact=True, specs=(tile(shape, dst),),
                  check=check)


CASES: list[OpCase] = [
    # -- core
    round_trip_case((1, 7, 100), "bfloat16", "TILE"),
    round_trip_case((1, 7, 100), "float32", "TILE"),
    round_trip_case((1, 7, 100), "bfloat16", "ROW_MAJOR"),
    round_trip_case((1, 1, 32, H), "bfloat16", "TILE"),
    round_trip_case((1, 7, 100), "bfloat16", "TILE", on_device=True),
    round_trip_case((1, 7, 100), "float32", "TILE", on_device=True),
    round_trip_case((1, 1, 128, H), "bfloat16", "TILE", on_device=True),
    round_trip_case((1, 1, 7, 100), "bfloat16", "ROW_MAJOR", on_device=True),
    to_layout_case((1, 1, 7, 100), "ROW_MAJOR", "TILE"),
    to_layout_case((1, 1, 7, 100), "TILE", "ROW_MAJOR"),
    to_layout_case((1, 1, 128, H), "ROW_MAJOR", "TILE"),
    to_memory_config_case((1, 1, 128, H), "L1"),
    to_memory_config_case((1, 8, 32, HD), "HEIGHT_SHARDED", shard_cores=8),
    typecast_case((1, 1, 32, H), "bfloat16", "float32"),
    typecast_case((1, 1, 32, H), "float32", "bfloat16"),
]
REFUSALS: list[RefusalCase] = [
]
