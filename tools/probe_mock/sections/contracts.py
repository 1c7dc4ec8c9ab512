"""Probe sections of issue 10's host contracts: norm program configs and ROW_MAJOR layer_norm,
split heads whose head size is not whole tiles, and the L1 banks left by l1_small_size."""

from __future__ import annotations

import ttnn

from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import arg, dev_t, free, shard_mc

H = 1024
# (name, strategy, cores, shard, shape, sharded-config kwargs): inputs whose blocks a config describes
SHARDED_INPUTS = (
    ("WIDTH_SHARDED 32 cores", "WIDTH_SHARDED", 32, [32, 32], [1, 1, 32, H], dict(block_h=1, block_w=1, subblock_w=1)),
    ("WIDTH_SHARDED 8 cores", "WIDTH_SHARDED", 8, [32, 128], [1, 1, 32, H], dict(block_h=1, block_w=4, subblock_w=2)),
    ("BLOCK_SHARDED 4x8", "BLOCK_SHARDED", 32, [32, 128], [1, 1, 128, H], dict(block_h=1, block_w=4, subblock_w=4)),
)


def _sharded_config(grid=(8, 4), **kwargs):
    fields = dict(block_h=1, block_w=1, subblock_w=1, inplace=False) | kwargs
    return ttnn.LayerNormShardedMultiCoreProgramConfig(compute_with_storage_grid_size=ttnn.CoreCoord(*grid), **fields)


def _sharded_memory(strategy, count, shard):
    if strategy != "BLOCK_SHARDED":
        return shard_mc(strategy, count, shard)
    return ttnn.create_sharded_memory_config(shard, core_grid=ttnn.CoreGrid(y=4, x=8), strategy=ttnn.ShardStrategy.BLOCK,
                                             use_height_and_width_as_shard_shape=True)


def sec_norm_program_configs(rec: Recorder, device) -> None:
    w = dev_t(device, [1, 1, 1, H])
    x = dev_t(device, [1, 1, 32, H])
    for op in ("rms_norm", "layer_norm"):
        fn = getattr(ttnn, op)
        for flags in ({}, {"legacy_reduction": True, "legacy_rsqrt": True}, {"use_welford": True}):
            rec.call("qwen3", f"ttnn.{op}(x{arg([1, 1, 32, H])}, weight=w, program_config=LayerNormDefaultProgramConfig({flags}))",
                     lambda fn=fn, flags=flags: fn(x, weight=w, epsilon=1e-6,
                                                   program_config=ttnn.LayerNormDefaultProgramConfig(**flags)))
        rec.call("qwen3", f"ttnn.{op}(x{arg([1, 1, 32, H])}, program_config=LayerNormShardedMultiCoreProgramConfig)  # interleaved input",
                 lambda fn=fn: fn(x, weight=w, epsilon=1e-6, program_config=_sharded_config()))
        for name, strategy, count, shard, shape, blocks in SHARDED_INPUTS:
            xs = dev_t(device, shape, mem=_sharded_memory(strategy, count, shard))
            for what, pc in (("no program_config", None), ("default config", ttnn.LayerNormDefaultProgramConfig()),
                             (f"sharded config {blocks}", _sharded_config(**blocks)),
                             ("sharded config, inplace", _sharded_config(inplace=True, **blocks)),
                             ("sharded config, grid 4x4", _sharded_config(grid=(4, 4), **blocks)),
                             ("sharded config, block_w + 1", _sharded_config(**(blocks | {"block_w": blocks["block_w"] + 1})))):
                kwargs = {} if pc is None else {"program_config": pc}
                rec.call("qwen3", f"ttnn.{op}(x{shape} L1 {name} shard {shard}, weight=w, {what})",
                         lambda fn=fn, xs=xs, kwargs=kwargs: fn(xs, weight=w, epsilon=1e-6, **kwargs))
            rec.call("qwen3", f"ttnn.{op}(x{shape} L1 {name}, memory_config=DRAM)  # sharded in, interleaved out",
                     lambda fn=fn, xs=xs: fn(xs, weight=w, epsilon=1e-6, memory_config=ttnn.DRAM_MEMORY_CONFIG))
            free(xs)
        for shape in ([1, 1, 32, H], [1, 1, 7, H], [1, 32, H], [1, 1, 32, 100]):
            xr = dev_t(device, shape, layout=ttnn.ROW_MAJOR_LAYOUT)
            rec.call("qwen3", f"ttnn.{op}(x{arg(shape, layout='RM')}, epsilon=1e-5)  # ROW_MAJOR input",
                     lambda fn=fn, xr=xr: fn(xr, epsilon=1e-5))
            free(xr)
    free([w, x])


def sec_odd_heads(rec: Recorder, device) -> None:
    for nh, nkv, hd in ((2, 1, 48), (4, 2, 100), (16, 8, 80)):
        width = (nh + 2 * nkv) * hd
        x = dev_t(device, [1, 1, 32, width])
        rec.call("-", f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1, 1, 32, width])}, num_heads={nh}, num_kv_heads={nkv})  # head_dim {hd}",
                 lambda x=x, nh=nh, nkv=nkv: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv,
                                                                                   transpose_k_heads=False))
        q, kv = dev_t(device, [1, 1, 32, nh * hd]), dev_t(device, [1, 1, 32, 2 * nkv * hd])
        rec.call("-", f"ttnn.experimental.nlp_create_qkv_heads(q[1,1,32,{nh * hd}], kv[1,1,32,{2 * nkv * hd}], num_heads={nh}, num_kv_heads={nkv})",
                 lambda q=q, kv=kv, nh=nh, nkv=nkv: ttnn.experimental.nlp_create_qkv_heads(
                     q, kv, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        x3 = dev_t(device, [1, 32, width])
        rec.call("-", f"ttnn.transformer.split_query_key_value_and_split_heads(x{arg([1, 32, width])}, num_heads={nh}, num_kv_heads={nkv})",
                 lambda x3=x3, nh=nh, nkv=nkv: ttnn.transformer.split_query_key_value_and_split_heads(
                     x3, num_heads=nh, num_kv_heads=nkv, transpose_key=False))
        xd = dev_t(device, [1, 1, 8, width])
        rec.call("-", f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1, 1, 8, width])}, num_heads={nh}, num_kv_heads={nkv})",
                 lambda xd=xd, nh=nh, nkv=nkv: ttnn.experimental.nlp_create_qkv_heads_decode(
                     xd, num_heads=nh, num_kv_heads=nkv, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG))
        free([x, q, kv, x3, xd])


def sec_l1_small(rec: Recorder, device) -> None:
    """Opens its own devices (needs_device=False): one per l1_small_size."""
    for size in (0, 1, 1000, 1008, 1024, 1025, 4000, 24576):
        opened = ttnn.open_device(device_id=0, l1_small_size=size)
        try:
            l1 = ttnn.get_memory_view(opened, ttnn.BufferType.L1)
            small = ttnn.get_memory_view(opened, ttnn.BufferType.L1_SMALL)
            rec.fact("-", f"open_device(l1_small_size={size}): L1 bytes per bank, L1_SMALL banks, L1_SMALL bytes per bank",
                     [l1.total_bytes_per_bank, small.num_banks, small.total_bytes_per_bank])
        finally:
            ttnn.close_device(opened)
