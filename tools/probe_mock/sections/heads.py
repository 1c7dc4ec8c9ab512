"""Probe section: The heads ops: nlp_create_qkv_heads (prefill and decode) and nlp_concat_heads (and _decode)."""

from __future__ import annotations

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.spec import describe
from tools.probe_mock.tensors import arg, dev_t, free, make_decode_heads, shard_mc


def sec_create_heads(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        W = (nh + 2 * nkv) * hd
        for S in (32, 128, 33):
            x = dev_t(device, [1, 1, S, W])
            for tk in (False, True):
                rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,S,W])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads={tk})",
                       lambda tk=tk: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=tk))
            free(x)
        x = dev_t(device, [1, 1, 32, W])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False, memory_config=L1)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False, memory_config=ttnn.L1_MEMORY_CONFIG))
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W])}, num_heads={nh})  # num_kv_heads omitted",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, transpose_k_heads=False))
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W])}, num_heads={nh}, num_kv_heads={nkv + 1})  # wrong counts",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv + 1, transpose_k_heads=False))
        free(x)
        for extra, why in ((32, "width + 32"), (hd, "width + head_dim"), (1, "width + 1 (not tile aligned)")):
            xb = dev_t(device, [1, 1, 32, W + extra])
            rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W+extra])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False)  # {why}: width != (nh+2*nkv)*hd",
                   lambda xb=xb: ttnn.experimental.nlp_create_qkv_heads(xb, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
            free(xb)
        xb = dev_t(device, [1, 1, 32, W])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W])}, num_heads={nh + 1}, num_kv_heads={nkv + 1})  # (nh+2*nkv) does not divide the width",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xb, num_heads=nh + 1, num_kv_heads=nkv + 1, transpose_k_heads=False))
        free(xb)
        xb = dev_t(device, [2, 1, 32, W])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([2,1,32,W])}, num_heads={nh}, num_kv_heads={nkv})  # batch 2",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xb, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free(xb)
        xq = dev_t(device, [1, 1, 32, nh * hd])
        xkv = dev_t(device, [1, 1, 32, 2 * nkv * hd])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(q{arg([1,1,32,nh*hd])}, kv{arg([1,1,32,2*nkv*hd])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xq, xkv, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free([xq, xkv])
        x8 = dev_t(device, [1, 1, 32, W], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W],'bfloat8_b')}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x8, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free(x8)
        xr = dev_t(device, [1, 1, 32, W], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{arg([1,1,32,W],'bf16','RM')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xr, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free(xr)
        # the generic split op
        x = dev_t(device, [1, 32, W])
        rec.call(cfg, f"ttnn.transformer.split_query_key_value_and_split_heads(x{arg([1,32,W])}, num_heads={nh}, num_kv_heads={nkv}, transpose_key=False)",
               lambda: ttnn.transformer.split_query_key_value_and_split_heads(x, num_heads=nh, num_kv_heads=nkv, transpose_key=False))
        free(x)


def decode_inputs(device, cfg, dims, B, kind):
    """qkv input [1,1,B,W] for nlp_create_qkv_heads_decode."""
    nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
    W = (nh + 2 * nkv) * hd
    if kind == "DRAM":
        return dev_t(device, [1, 1, B, W]), "DRAM INTERLEAVED"
    if kind == "L1":
        return dev_t(device, [1, 1, B, W], mem=ttnn.L1_MEMORY_CONFIG), "L1 INTERLEAVED"
    if kind.startswith("WS"):
        ncores = int(kind[2:])
        mc = shard_mc("WIDTH_SHARDED", ncores, [32, W // ncores])
        return dev_t(device, [1, 1, B, W], mem=mc), f"L1 WIDTH_SHARDED shard[32,{W // ncores}] {ncores} cores ROW_MAJOR"
    raise ValueError(kind)


def sec_create_heads_decode(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        W = (nh + 2 * nkv) * hd
        kinds = ["DRAM", "L1", f"WS{nh + 2 * nkv}", "WS8", "WS1"]
        for B in (1, 8, 32):
            for kind in kinds:
                try:
                    x, xd = decode_inputs(device, cfg, dims, B, kind)
                except Exception as exc:  # noqa: BLE001
                    rec.call(cfg, f"make input [1,1,{B},{W}] {kind}", lambda exc=exc: (_ for _ in ()).throw(exc))
                    continue
                rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] bf16 TILE {xd}, num_heads={nh}, num_kv_heads={nkv})",
                       lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
                if B == 32 and kind in ("DRAM", f"WS{nh + 2 * nkv}"):
                    rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] {xd}, num_heads={nh}, num_kv_heads={nkv}, overlap_qk_coregrid=False)",
                           lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv, overlap_qk_coregrid=False))
                    rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] {xd}, num_heads={nh}, num_kv_heads={nkv}, memory_config=L1_HEIGHT_SHARDED_MEMORY_CONFIG)",
                           lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG))
                    rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] {xd}, num_heads={nh}, num_kv_heads={nkv}, memory_config=DRAM_MEMORY_CONFIG)",
                           lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv, memory_config=ttnn.DRAM_MEMORY_CONFIG))
                free(x)
        x = dev_t(device, [1, 1, 33, W])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,1,33,W])}, num_heads={nh}, num_kv_heads={nkv})  # B=33",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        W33 = (33 + 2 * nkv) * hd
        x = dev_t(device, [1, 1, 32, W33])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,1,32,W33])}, num_heads=33, num_kv_heads={nkv})  # nh=33",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=33, num_kv_heads=nkv))
        free(x)
        x = dev_t(device, [1, 1, 32, W + hd])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,1,32,W+hd])}, num_heads={nh}, num_kv_heads={nkv})  # width != (nh+2nkv)hd",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t(device, [1, 2, 32, W])
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,2,32,W])}, ...)  # S=2",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t(device, [1, 1, 32, W], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,1,32,W],'bfloat8_b')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t(device, [1, 1, 32, W], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,1,32,W],'f32')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t(device, [1, 1, 32, W], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{arg([1,1,32,W],'bf16','RM')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)


def sec_concat_heads(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        for S in (32, 128, 33):
            x = dev_t(device, [1, nh, S, hd])
            rec.call(cfg, f"ttnn.experimental.nlp_concat_heads(x{arg([1,nh,S,hd])})", lambda x=x: ttnn.experimental.nlp_concat_heads(x))
            free(x)
        x = dev_t(device, [1, nh, 32, hd])
        rec.call(cfg, f"ttnn.experimental.nlp_concat_heads(x{arg([1,nh,32,hd])}, memory_config=L1)",
               lambda: ttnn.experimental.nlp_concat_heads(x, memory_config=ttnn.L1_MEMORY_CONFIG))
        free(x)
        x = dev_t(device, [1, 32, nh, hd])
        rec.call(cfg, f"ttnn.experimental.nlp_concat_heads(x{arg([1,32,nh,hd])})  # decode layout, interleaved", lambda: ttnn.experimental.nlp_concat_heads(x))
        rec.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(x{arg([1,32,nh,hd])}, num_heads={nh})  # interleaved input",
               lambda: ttnn.experimental.nlp_concat_heads_decode(x, num_heads=nh))
        free(x)
        x = dev_t(device, [1, 32, 32, hd], mem=shard_mc("HEIGHT_SHARDED", 32, [32, hd]))
        rec.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(x[1,32,32,{hd}] L1 HEIGHT_SHARDED shard[32,{hd}] 32 cores, num_heads={nh})",
               lambda: ttnn.experimental.nlp_concat_heads_decode(x, num_heads=nh))
        free(x)
        for B in (1, 8, 32):
            q, k, v = make_decode_heads(device, dims, B)
            rec.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(q from nlp_create_qkv_heads_decode(B={B}) [{describe(q)}], num_heads={nh})",
                   lambda q=q: ttnn.experimental.nlp_concat_heads_decode(q, num_heads=nh))
            free([q, k, v])
        # on sdpa_decode output
        for B in (1, 32):
            q, k, v = make_decode_heads(device, dims, B)
            kc = dev_t(device, [B, nkv, 256, hd])
            o = rec.call(cfg, f"(setup) sdpa_decode(q from create_heads_decode(B={B}), cache[{B},{nkv},256,{hd}], cur_pos=[5]*{B})",
                       lambda q=q, kc=kc, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[5] * B), keep=True)
            if o is not None:
                rec.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(sdpa_decode output [{describe(o)}], num_heads={nh})",
                       lambda o=o: ttnn.experimental.nlp_concat_heads_decode(o, num_heads=nh))
                rec.call(cfg, f"ttnn.experimental.nlp_concat_heads(sdpa_decode output [{describe(o)}])",
                       lambda o=o: ttnn.experimental.nlp_concat_heads(o))
                oh = ttnn.to_memory_config(o, shard_mc("HEIGHT_SHARDED", B, [32, hd])) if B > 0 else None
                rec.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(to_memory_config(sdpa_decode output, HEIGHT_SHARDED [32,{hd}] x {B} cores), num_heads={nh})",
                       lambda oh=oh: ttnn.experimental.nlp_concat_heads_decode(oh, num_heads=nh))
                free([o, oh])
            free([q, k, v, kc])
