"""Probe section: reshape / slice / concat / transpose / permute / typecast / pad / to_layout / to_memory_config."""

from __future__ import annotations

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import arg, dev_t, free, shard_mc


def sec_data_movement(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        H, nh, hd = dims.hidden_size, dims.num_attention_heads, dims.head_dim
        x = dev_t(device, [1, 1, 32, H])
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H])}, [1,32,{H}])", lambda: ttnn.reshape(x, [1, 32, H]))
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H])}, [32,{H}])", lambda: ttnn.reshape(x, [32, H]))
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H])}, [1,32,{H // hd},{hd}])", lambda: ttnn.reshape(x, [1, 32, H // hd, hd]))
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H])}, [1,1,{32 * H}])", lambda: ttnn.reshape(x, [1, 1, 32 * H]))
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H])}, [1,1,16,{2 * H}])", lambda: ttnn.reshape(x, [1, 1, 16, 2 * H]))
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H])}, [1,1,33,{H}])  # wrong volume", lambda: ttnn.reshape(x, [1, 1, 33, H]))
        x33 = dev_t(device, [1, 1, 33, H])
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,33,H])}, [1,33,{H}])", lambda: ttnn.reshape(x33, [1, 33, H]))
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,33,H])}, [33,{H}])", lambda: ttnn.reshape(x33, [33, H]))
        xq = dev_t(device, [1, 32, nh, hd])
        rec.call(cfg, f"ttnn.reshape(x{arg([1,32,nh,hd])}, [1,1,32,{nh * hd}])", lambda: ttnn.reshape(xq, [1, 1, 32, nh * hd]))
        xr = dev_t(device, [1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.reshape(x{arg([1,1,32,H],'bf16','RM')}, [1,32,{H // hd},{hd}])", lambda: ttnn.reshape(xr, [1, 32, H // hd, hd]))
        # slice
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,32,H])}, [0,0,0,0], [1,1,7,{H}])", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 7, H]))
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,32,H])}, [0,0,0,0], [1,1,32,{H // 2}])", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 32, H // 2]))
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,32,H])}, [0,0,31,0], [1,1,32,{H}])  # last row", lambda: ttnn.slice(x, [0, 0, 31, 0], [1, 1, 32, H]))
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,33,H])}, [0,0,32,0], [1,1,33,{H}])  # row 32 of 33", lambda: ttnn.slice(x33, [0, 0, 32, 0], [1, 1, 33, H]))
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,32,H])}, [0,0,0,0], [1,1,64,{H}])  # end beyond", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 64, H]))
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,32,H])}, [0,0,0,0], [1,1,32,{H}], [1,1,2,1])  # step 2", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 32, H], [1, 1, 2, 1]))
        rec.call(cfg, f"ttnn.slice(x{arg([1,1,32,H],'bf16','RM')}, [0,0,0,0], [1,1,7,{H}])", lambda: ttnn.slice(xr, [0, 0, 0, 0], [1, 1, 7, H]))
        rec.call(cfg, f"x[:, :, :7, :]  (Tensor.__getitem__) on {arg([1,1,32,H])}", lambda: x[:, :, :7, :])
        xp = dev_t(device, [1, 32, 32, hd])
        rec.call(cfg, f"ttnn.slice(x{arg([1,32,32,hd])}, [0,0,0,0], [1,32,{nh},{hd}])  # unpad heads", lambda: ttnn.slice(xp, [0, 0, 0, 0], [1, 32, nh, hd]))
        free(xp)
        # concat
        y = dev_t(device, [1, 1, 32, H])
        rec.call(cfg, f"ttnn.concat([x{arg([1,1,32,H])}, y same], dim=-1)", lambda: ttnn.concat([x, y], dim=-1))
        rec.call(cfg, f"ttnn.concat([x{arg([1,1,32,H])}, y same], dim=2)", lambda: ttnn.concat([x, y], dim=2))
        rec.call(cfg, f"ttnn.concat([x{arg([1,1,33,H])}, y{arg([1,1,32,H])}], dim=2)  # non-tile-aligned", lambda: ttnn.concat([x33, y], dim=2))
        rec.call(cfg, f"ttnn.concat([x{arg([1,1,32,H])}, y{arg([1,1,33,H])}], dim=-1)  # mismatched other dims", lambda: ttnn.concat([x, x33], dim=-1))
        rec.call(cfg, f"ttnn.concat([x{arg([1,1,32,H],'bf16','RM')}, y TILE], dim=-1)  # mixed layouts", lambda: ttnn.concat([xr, y], dim=-1))
        free(y)
        # transpose / permute
        xh = dev_t(device, [1, nh, 32, hd])
        rec.call(cfg, f"ttnn.transpose(x{arg([1,nh,32,hd])}, 1, 2)", lambda: ttnn.transpose(xh, 1, 2))
        rec.call(cfg, f"ttnn.transpose(x{arg([1,nh,32,hd])}, -2, -1)", lambda: ttnn.transpose(xh, -2, -1))
        rec.call(cfg, f"ttnn.permute(x{arg([1,nh,32,hd])}, (0,2,1,3))", lambda: ttnn.permute(xh, (0, 2, 1, 3)))
        rec.call(cfg, f"ttnn.permute(x{arg([1,nh,32,hd])}, (0,1,3,2))", lambda: ttnn.permute(xh, (0, 1, 3, 2)))
        xd = dev_t(device, [1, 32, nh, hd])
        rec.call(cfg, f"ttnn.transpose(x{arg([1,32,nh,hd])}, 1, 2)  # decode heads -> [1,nh,32,hd]", lambda: ttnn.transpose(xd, 1, 2))
        free([xh, xd])
        # typecast
        for dt, name in ((ttnn.float32, "float32"), (ttnn.bfloat8_b, "bfloat8_b"), (ttnn.bfloat4_b, "bfloat4_b"), (ttnn.uint32, "uint32")):
            rec.call(cfg, f"ttnn.typecast(x{arg([1,1,32,H])}, ttnn.{name})", lambda dt=dt: ttnn.typecast(x, dt))
        rec.call(cfg, f"ttnn.typecast(x{arg([1,1,32,H],'bf16','RM')}, ttnn.float32)", lambda: ttnn.typecast(xr, ttnn.float32))
        rec.call(cfg, f"ttnn.typecast(x{arg([1,1,32,H],'bf16','RM')}, ttnn.bfloat8_b)", lambda: ttnn.typecast(xr, ttnn.bfloat8_b))
        xu = dev_t(device, [1, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.typecast(x[1,32] uint32 RM, ttnn.int32)", lambda: ttnn.typecast(xu, ttnn.int32))
        free(xu)
        # pad
        rec.call(cfg, f"ttnn.pad(x{arg([1,1,33,H])}, padding=[(0,0),(0,0),(0,31),(0,0)], value=0.0)",
               lambda: ttnn.pad(x33, padding=[(0, 0), (0, 0), (0, 31), (0, 0)], value=0.0))
        rec.call(cfg, f"ttnn.pad(x{arg([1,1,32,H])}, padding=[(0,0),(0,0),(0,32),(0,0)], value=0.0)",
               lambda: ttnn.pad(x, padding=[(0, 0), (0, 0), (0, 32), (0, 0)], value=0.0))
        rec.call(cfg, f"ttnn.pad(x{arg([1,1,32,H],'bf16','RM')}, padding=[(0,0),(0,0),(0,1),(0,0)], value=0.0)",
               lambda: ttnn.pad(xr, padding=[(0, 0), (0, 0), (0, 1), (0, 0)], value=0.0))
        rec.call(cfg, f"ttnn.pad(x{arg([1,1,32,H])}, padding=[(0,0),(0,0),(1,0),(0,0)], value=0.0)  # front pad TILE",
               lambda: ttnn.pad(x, padding=[(0, 0), (0, 0), (1, 0), (0, 0)], value=0.0))
        # to_layout
        rec.call(cfg, f"ttnn.to_layout(x{arg([1,1,33,H])}, ROW_MAJOR)", lambda: ttnn.to_layout(x33, ttnn.ROW_MAJOR_LAYOUT))
        xr33 = dev_t(device, [1, 1, 33, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.to_layout(x{arg([1,1,33,H],'bf16','RM')}, TILE)", lambda: ttnn.to_layout(xr33, ttnn.TILE_LAYOUT))
        rec.call(cfg, f"ttnn.to_layout(x{arg([1,1,33,H],'bf16','RM')}, TILE, dtype=ttnn.bfloat8_b)", lambda: ttnn.to_layout(xr33, ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b))
        free(xr33)
        x8 = dev_t(device, [1, 1, 32, H], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.to_layout(x{arg([1,1,32,H],'bfloat8_b')}, ROW_MAJOR)", lambda: ttnn.to_layout(x8, ttnn.ROW_MAJOR_LAYOUT))
        free(x8)
        xu = dev_t(device, [1, 1, 32, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.to_layout(x[1,1,32,32] uint32 RM, TILE)", lambda: ttnn.to_layout(xu, ttnn.TILE_LAYOUT))
        free(xu)
        # to_memory_config
        rec.call(cfg, f"ttnn.to_memory_config(x{arg([1,1,32,H])}, L1_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(x, ttnn.L1_MEMORY_CONFIG))
        ncores = min(H // 32, 32)
        ws = shard_mc("WIDTH_SHARDED", ncores, [32, H // ncores])
        xws = rec.call(cfg, f"ttnn.to_memory_config(x{arg([1,1,32,H])}, L1 WIDTH_SHARDED shard[32,{H // ncores}] {ncores} cores)",
                     lambda: ttnn.to_memory_config(x, ws), keep=True)
        if xws is not None:
            rec.call(cfg, "ttnn.to_memory_config(width-sharded x, DRAM_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(xws, ttnn.DRAM_MEMORY_CONFIG))
            rec.call(cfg, "ttnn.linear(width-sharded x, w DRAM) (no program_config)",
                   lambda: ttnn.linear(xws, dev_t(device, [H, 256])))
            free(xws)
        xq = dev_t(device, [1, 32, nh, hd])
        hs = shard_mc("HEIGHT_SHARDED", 32, [32, hd])
        xhs = rec.call(cfg, f"ttnn.to_memory_config(x{arg([1,32,nh,hd])}, L1 HEIGHT_SHARDED shard[32,{hd}] 32 cores)",
                     lambda: ttnn.to_memory_config(xq, hs), keep=True)
        if xhs is not None:
            rec.call(cfg, "ttnn.to_memory_config(height-sharded x, DRAM_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(xhs, ttnn.DRAM_MEMORY_CONFIG))
            rec.call(cfg, "ttnn.to_memory_config(height-sharded x, L1_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(xhs, ttnn.L1_MEMORY_CONFIG))
            rec.call(cfg, "ttnn.to_torch(height-sharded x)", lambda: str(list(ttnn.to_torch(xhs).shape)))
            free(xhs)
        hs_bad = shard_mc("HEIGHT_SHARDED", 16, [32, hd])
        rec.call(cfg, f"ttnn.to_memory_config(x{arg([1,32,nh,hd])}, HEIGHT_SHARDED shard[32,{hd}] on 16 cores)  # too few cores",
               lambda: ttnn.to_memory_config(xq, hs_bad))
        rec.call(cfg, f"ttnn.to_memory_config(x{arg([1,32,nh,hd])}, L1_HEIGHT_SHARDED_MEMORY_CONFIG)  # no shard spec",
               lambda: ttnn.to_memory_config(xq, ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG))
        rec.call(cfg, f"ttnn.from_torch(zeros[1,32,{nh},{hd}], TILE, device, memory_config=HEIGHT_SHARDED shard[32,{hd}] 32 cores)",
               lambda: dev_t(device, [1, 32, nh, hd], mem=hs))
        rec.call(cfg, f"ttnn.to_device(host zeros[1,32,{nh},{hd}] TILE, device, memory_config=HEIGHT_SHARDED)",
               lambda: ttnn.to_device(dev_t(device, [1, 32, nh, hd], on_device=False), device, memory_config=hs))
        rec.call(cfg, f"ttnn.from_device(x{arg([1,1,32,H])})", lambda: ttnn.from_device(x))
        rec.call(cfg, f"ttnn.clone(x{arg([1,1,32,H])})", lambda: ttnn.clone(x))
        rec.call(cfg, f"ttnn.copy(x, y) / ttnn.copy_host_to_device_tensor(host, dev) into {arg([1,1,32,H])}",
               lambda: ttnn.copy_host_to_device_tensor(dev_t(device, [1, 1, 32, H], on_device=False), x))
        free([x, x33, xq, xr])
