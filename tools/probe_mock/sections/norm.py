"""Probe section: ttnn.rms_norm."""

from __future__ import annotations

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import arg, dev_t, free, shard_mc


def sec_rms_norm(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        H, nh, nkv, hd = dims.hidden_size, dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        w_tile = dev_t(device, [1, 1, 1, H])
        w_rm1 = dev_t(device, [H], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_rm4 = dev_t(device, [1, 1, H // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_rm2 = dev_t(device, [H // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_rmH = dev_t(device, [1, 1, 1, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_tile1 = dev_t(device, [H])
        w_f32 = dev_t(device, [1, 1, 1, H], dtype=ttnn.float32)
        weights = [("w[1,1,1,H] TILE", w_tile), ("w[H] RM", w_rm1), ("w[1,1,H/32,32] RM", w_rm4),
                   ("w[H/32,32] RM", w_rm2), ("w[1,1,1,H] RM", w_rmH), ("w[H] TILE", w_tile1),
                   ("w[1,1,1,H] f32 TILE", w_f32)]
        for S in (32, 128):
            x = dev_t(device, [1, 1, S, H])
            rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,S,H])}, epsilon=1e-6)  # no weight", lambda: ttnn.rms_norm(x, epsilon=1e-6))
            for wname, w in weights:
                wn = wname.replace("H/32", str(H // 32)).replace("H", str(H))
                rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,S,H])}, weight={wn}, epsilon=1e-6)",
                       lambda w=w: ttnn.rms_norm(x, weight=w, epsilon=1e-6))
            free(x)
        x33 = dev_t(device, [1, 1, 33, H])
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,33,H])}, weight=w[1,1,1,{H}] TILE)", lambda: ttnn.rms_norm(x33, weight=w_tile, epsilon=1e-6))
        free(x33)
        x3 = dev_t(device, [1, 32, H])
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,32,H])}, weight=w[1,1,1,{H}] TILE)", lambda: ttnn.rms_norm(x3, weight=w_tile, epsilon=1e-6))
        free(x3)
        xf = dev_t(device, [1, 1, 32, H], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H],'f32')}, weight=w[1,1,1,{H}] bf16 TILE)", lambda: ttnn.rms_norm(xf, weight=w_tile, epsilon=1e-6))
        free(xf)
        x8 = dev_t(device, [1, 1, 32, H], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H],'bfloat8_b')}, weight=w[1,1,1,{H}] TILE)", lambda: ttnn.rms_norm(x8, weight=w_tile, epsilon=1e-6))
        free(x8)
        xr = dev_t(device, [1, 1, 32, H])
        res = dev_t(device, [1, 1, 32, H])
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H])}, residual_input_tensor={arg([1,1,32,H])}, weight=w TILE)",
               lambda: ttnn.rms_norm(xr, residual_input_tensor=res, weight=w_tile, epsilon=1e-6))
        xrm = dev_t(device, [1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H],'bf16','RM')}, weight=w TILE)  # ROW_MAJOR input", lambda: ttnn.rms_norm(xrm, weight=w_tile, epsilon=1e-6))
        free([xrm, res])
        # wrong weight sizes
        w_bad = dev_t(device, [1, 1, 1, H // 2])
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H])}, weight=w[1,1,1,{H//2}] TILE)  # wrong size", lambda: ttnn.rms_norm(xr, weight=w_bad, epsilon=1e-6))
        w_bad2 = dev_t(device, [1, 1, H // 64, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H])}, weight=w[1,1,{H//64},32] RM)  # wrong size (RM)", lambda: ttnn.rms_norm(xr, weight=w_bad2, epsilon=1e-6))
        w_bad3 = dev_t(device, [1, 1, H // 64, 64], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H])}, weight=w[1,1,{H//64},64] RM)  # RM width != 32", lambda: ttnn.rms_norm(xr, weight=w_bad3, epsilon=1e-6))
        w_bad4 = dev_t(device, [1, 1, 2 * H // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.rms_norm(x{arg([1,1,32,H])}, weight=w[1,1,{2*H//32},32] RM)  # too many elements (RM)", lambda: ttnn.rms_norm(xr, weight=w_bad4, epsilon=1e-6))
        free([w_bad, w_bad2, w_bad3, w_bad4, xr])
        # heads (q_norm / k_norm over head_dim)
        wh_tile = dev_t(device, [1, 1, 1, hd])
        wh_rm = dev_t(device, [1, 1, hd // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        wh_rm1 = dev_t(device, [hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        for S in (32, 128):
            for n in (nh, nkv):
                xh = dev_t(device, [1, n, S, hd])
                for wname, w in ((f"w[1,1,1,{hd}] TILE", wh_tile), (f"w[1,1,{hd//32},32] RM", wh_rm), (f"w[{hd}] RM", wh_rm1)):
                    rec.call(cfg, f"ttnn.rms_norm(x{arg([1,n,S,hd])}, weight={wname}, epsilon=1e-6)",
                           lambda xh=xh, w=w: ttnn.rms_norm(xh, weight=w, epsilon=1e-6))
                free(xh)
        # decode-shaped heads, interleaved (padded heads)
        for B in (1, 32):
            xd = dev_t(device, [1, B, nh, hd])
            rec.call(cfg, f"ttnn.rms_norm(x{arg([1,B,nh,hd])}, weight=w[1,1,1,{hd}] TILE)  # decode heads interleaved",
                   lambda: ttnn.rms_norm(xd, weight=wh_tile, epsilon=1e-6))
            free(xd)
        # HEIGHT_SHARDED decode heads [1,32,nh,hd] (as from nlp_create_qkv_heads_decode)
        xs = dev_t(device, [1, 32, nh, hd], mem=shard_mc("HEIGHT_SHARDED", 32, [32, hd]))
        rec.call(cfg, f"ttnn.rms_norm(x[1,32,{nh},{hd}] L1 HEIGHT_SHARDED shard[32,{hd}] 32 cores, weight=w TILE)",
               lambda: ttnn.rms_norm(xs, weight=wh_tile, epsilon=1e-6))
        rec.call(cfg, f"ttnn.rms_norm(x[1,32,{nh},{hd}] L1 HEIGHT_SHARDED, weight=w TILE, memory_config=L1 HEIGHT_SHARDED same)",
               lambda: ttnn.rms_norm(xs, weight=wh_tile, epsilon=1e-6, memory_config=xs.memory_config()))
        free(xs)
        # width-sharded [1,1,32,H]
        ncores = min(H // 32, 32)
        xw = dev_t(device, [1, 1, 32, H], mem=shard_mc("WIDTH_SHARDED", ncores, [32, H // ncores]))
        rec.call(cfg, f"ttnn.rms_norm(x[1,1,32,{H}] L1 WIDTH_SHARDED {ncores} cores, weight=w TILE)  # no program_config",
               lambda: ttnn.rms_norm(xw, weight=w_tile, epsilon=1e-6))
        free(xw)
        free([w for _, w in weights] + [wh_tile, wh_rm, wh_rm1])
