"""from_torch round trips (host and device), as_tensor, to_layout, to_memory_config, typecast; to_torch
and deallocate, which every case calls.

Host-only round trips never touch the device, so they compare values on every backend (the mock's
host conversions are the real ttnn code); everything that goes through the device needs numbers."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    ON_DEVICE, on_host, seeded_input, shape_tag, tile_padded,
    BF16, H, HD, Spec, OpCase, RefusalCase, memo, generator, randn, tile, row_major, layout_of, to_dev, sharded)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("from_torch", "as_tensor", "to_torch", "deallocate", "to_layout", "to_memory_config", "typecast")
GOLDEN_OPS = ()
# Ops of this family without a case or a refusal of their own, and why (tests/ops/test_coverage.py
# accepts these reasons and no others).
WITHOUT_CASES = {
    "to_torch": "every case reads its outputs back with it: the round_trip-* cases compare that readback exactly",
    "deallocate": "it returns nothing to compare; the model's traces on the mock tier show the calls agree",
}
WITHOUT_REFUSALS = {
    "to_torch": "the one invalid call found, to_torch of a deallocated tensor, crashes the real 0.81.1 "
                "(segmentation fault, measured on the mock n150) instead of raising",
    "deallocate": "0.81.1 accepts every call tried: a second deallocate, a host tensor (measured on the mock n150)",
}


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


def as_tensor_case(shape, on_device: bool) -> OpCase:
    """ttnn.as_tensor as the model loads its weights: bf16, TILE, DRAM (no cache file)."""
    where = "device" if on_device else "host"
    cid = f"as_tensor-{where}-{shape_tag(shape)}-bfloat16-tile"

    def inputs():
        return memo(cid, lambda: {"x": randn(generator(cid), shape)})

    def run(ttnn, device):
        placement = dict(device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG) if on_device else {}
        return ttnn.as_tensor(inputs()["x"], dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, **placement)

    spec = tile(shape) if on_device else Spec(tuple(shape), tile_padded(shape), buffer="", memory="")
    return OpCase(cid, "as_tensor", run, lambda: inputs()["x"], "op.heads", exact=True, specs=(spec,),
                  device_numbers=on_device)


CASES: list[OpCase] = [
    as_tensor_case((1, 1, 7, 100), on_device=True),
    as_tensor_case((1, 1, 128, H), on_device=True),
    as_tensor_case((1, 1, 7, 100), on_device=False),
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
def _r_block_float_row_major(op):
    def run(ttnn, device):
        return getattr(ttnn, op)(seeded_input((1, 1, 32, H)), dtype=ttnn.bfloat8_b, layout=ttnn.ROW_MAJOR_LAYOUT)
    return run


def _r_as_tensor_without_memory_config(ttnn, device):
    return ttnn.as_tensor(seeded_input((1, 1, 32, H)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def _r_to_memory_config(shape, shard_hw=None, cores=1, host=False):
    def run(ttnn, device):
        x = on_host(ttnn, seeded_input(shape)) if host else to_dev(ttnn, device, seeded_input(shape))
        target = ttnn.L1_MEMORY_CONFIG if shard_hw is None else sharded(ttnn, shard_hw, cores)
        return ttnn.to_memory_config(x, target)
    return run


REFUSALS: list[RefusalCase] = [
    # real: "Layout must be Layout::TILE for bfloat8_b or bfloat4_b!"
    RefusalCase("from_torch-bfloat8_b_row_major", "from_torch", _r_block_float_row_major("from_torch"),
                r"(?i)layout must be Layout::TILE for bfloat8_b"),
    RefusalCase("as_tensor-bfloat8_b_row_major", "as_tensor", _r_block_float_row_major("as_tensor"),
                r"(?i)layout must be Layout::TILE for bfloat8_b"),
    # real: "memory_config must be specified when device is specified"
    RefusalCase("as_tensor-device_without_memory_config", "as_tensor", _r_as_tensor_without_memory_config,
                r"(?i)memory_config must be specified when device is specified"),
    # real: "Number of shards along height 4 must not exceed number of cores 1"
    RefusalCase("to_memory_config-4_height_shards_on_1_core", "to_memory_config",
                _r_to_memory_config((1, 1, 128, H), (32, H)), r"(?i)shards along height 4 must not exceed .*cores 1"),
    # real: "Shard width 64 must match physical width 128 for height sharded"
    RefusalCase("to_memory_config-shard_width64_of_128", "to_memory_config",
                _r_to_memory_config((1, 8, 32, HD), (32, 64), cores=8),
                r"(?i)shard width 64 must match physical width 128"),
    # real: "Device Operations expect device tensors as inputs"
    RefusalCase("to_memory_config-host_tensor", "to_memory_config", _r_to_memory_config((1, 1, 32, H), host=True),
                ON_DEVICE),
]
