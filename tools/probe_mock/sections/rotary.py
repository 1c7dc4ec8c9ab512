"""Probe section: ttnn.experimental.rotary_embedding."""

from __future__ import annotations

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.spec import describe
from tools.probe_mock.tensors import arg, dev_t, free, make_decode_heads


def sec_rotary(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        maxS = 2048
        cos = dev_t(device, [1, 1, maxS, hd])
        sin = dev_t(device, [1, 1, maxS, hd])
        for S in (32, 128, 33):
            for n in (nh, nkv):
                x = dev_t(device, [1, n, S, hd])
                rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,n,S,hd])}, cos{arg([1,1,maxS,hd])}, sin=same)",
                       lambda x=x: ttnn.experimental.rotary_embedding(x, cos, sin))
                free(x)
        x = dev_t(device, [1, nh, 128, hd])
        cs = dev_t(device, [1, 1, 32, hd])
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos{arg([1,1,32,hd])}, sin=same)  # cos shorter than S",
               lambda: ttnn.experimental.rotary_embedding(x, cs, cs))
        cs128 = dev_t(device, [1, 1, 128, hd])
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos{arg([1,1,128,hd])}, sin=same)  # cos exactly S",
               lambda: ttnn.experimental.rotary_embedding(x, cs128, cs128))
        csh = dev_t(device, [1, nh, maxS, hd])
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos{arg([1,nh,maxS,hd])}, sin=same)  # per-head cos",
               lambda: ttnn.experimental.rotary_embedding(x, csh, csh))
        free(csh)
        csr = dev_t(device, [1, 1, maxS, hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos{arg([1,1,maxS,hd],'bf16','RM')}, sin=same)  # RM cos",
               lambda: ttnn.experimental.rotary_embedding(x, csr, csr))
        free(csr)
        csf = dev_t(device, [1, 1, maxS, hd], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos{arg([1,1,maxS,hd],'f32')}, sin=same)  # dtype mismatch",
               lambda: ttnn.experimental.rotary_embedding(x, csf, csf))
        free(csf)
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos, sin, token_index=5)  # token_index with S=128",
               lambda: ttnn.experimental.rotary_embedding(x, cos, sin, 5))
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,128,hd])}, cos, sin, memory_config=L1)",
               lambda: ttnn.experimental.rotary_embedding(x, cos, sin, memory_config=ttnn.L1_MEMORY_CONFIG))
        free([x, cs, cs128])
        xr = dev_t(device, [1, nh, 32, hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,32,hd],'bf16','RM')}, cos, sin)",
               lambda: ttnn.experimental.rotary_embedding(xr, cos, sin))
        free(xr)
        # head_dim 32
        x32 = dev_t(device, [1, nh, 32, 32])
        c32 = dev_t(device, [1, 1, maxS, 32])
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,32,32])}, cos{arg([1,1,maxS,32])}, sin=same)  # head_dim 32",
               lambda: ttnn.experimental.rotary_embedding(x32, c32, c32))
        free([x32, c32])
        x96 = dev_t(device, [1, nh, 32, 96])
        c96 = dev_t(device, [1, 1, maxS, 96])
        rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,nh,32,96])}, cos{arg([1,1,maxS,96])}, sin=same)  # head_dim 96",
               lambda: ttnn.experimental.rotary_embedding(x96, c96, c96))
        free([x96, c96])
        # decode with token_index
        for B in (1, 32):
            for shape in ([1, 1, B * nh, hd], [1, B, nh, hd], [1, 1, B, hd]):
                x = dev_t(device, shape)
                for ti in (0, 5, maxS - 1, maxS):
                    rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg(shape)}, cos{arg([1,1,maxS,hd])}, sin, token_index={ti})",
                           lambda x=x, ti=ti: ttnn.experimental.rotary_embedding(x, cos, sin, ti))
                free(x)
        # decode with per-token cos/sin tensors (no token_index)
        for B in (1, 32):
            x = dev_t(device, [1, B, nh, hd])
            c1 = dev_t(device, [1, B, 1, hd])
            rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,B,nh,hd])}, cos{arg([1,B,1,hd])}, sin=same)  # per-user cos, no token_index",
                   lambda: ttnn.experimental.rotary_embedding(x, c1, c1))
            c2 = dev_t(device, [1, 1, 32, hd])
            rec.call(cfg, f"ttnn.experimental.rotary_embedding(x{arg([1,B,nh,hd])}, cos{arg([1,1,32,hd])}, sin=same)  # no token_index",
                   lambda: ttnn.experimental.rotary_embedding(x, c2, c2))
            free([x, c1, c2])
        # HEIGHT_SHARDED from create_qkv_heads_decode
        for B in (1, 32):
            q, k, v = make_decode_heads(device, dims, B)
            rec.call(cfg, f"ttnn.experimental.rotary_embedding(q from nlp_create_qkv_heads_decode(B={B}) [{describe(q)}], cos, sin, token_index=5)",
                   lambda q=q: ttnn.experimental.rotary_embedding(q, cos, sin, 5))
            rec.call(cfg, f"ttnn.experimental.rotary_embedding(q from nlp_create_qkv_heads_decode(B={B}), cos, sin)  # no token_index",
                   lambda q=q: ttnn.experimental.rotary_embedding(q, cos, sin))
            rec.call(cfg, f"ttnn.experimental.rotary_embedding(k from nlp_create_qkv_heads_decode(B={B}) [{describe(k)}], cos, sin, token_index=5)",
                   lambda k=k: ttnn.experimental.rotary_embedding(k, cos, sin, 5))
            free([q, k, v])
        # rotary_embedding_llama for reference
        free([cos, sin])
