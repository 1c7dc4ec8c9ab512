"""Probe section: scaled_dot_product_attention (prefill) and scaled_dot_product_attention_decode."""

from __future__ import annotations

import ttnn

from tt_qwen.target import N150

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.spec import describe
from tools.probe_mock.tensors import arg, dev_t, free, make_decode_heads


def sec_sdpa(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        for S in (32, 128, 256, 1024, 2048):
            q = dev_t(device, [1, nh, S, hd])
            k = dev_t(device, [1, nkv, S, hd])
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nkv,S,hd])}, v=same, is_causal=True)",
                   lambda q=q, k=k: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True))
            free([q, k])
        # program configs
        q = dev_t(device, [1, nh, 128, hd])
        k = dev_t(device, [1, nkv, 128, hd])
        for qc, kc in ((32, 32), (64, 64), (128, 128), (256, 256), (64, 128)):
            pc = ttnn.SDPAProgramConfig(compute_with_storage_grid_size=ttnn.CoreCoord(*N150.compute_grid), q_chunk_size=qc, k_chunk_size=kc)
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,128,hd])}, k{arg([1,nkv,128,hd])}, v, is_causal=True, program_config=SDPAProgramConfig(8x8, q_chunk={qc}, k_chunk={kc}))",
                   lambda pc=pc: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, program_config=pc))
        k8 = dev_t(device, [1, nkv, 128, hd], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,128,hd])}, k{arg([1,nkv,128,hd],'bfloat8_b')}, v=k, is_causal=True)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, k8, k8, is_causal=True))
        free(k8)
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.1) {[1,nh,128,hd]}",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, scale=0.1))
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, output_concat_heads=True) {[1,nh,128,hd]}",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, output_concat_heads=True))
        free([q, k])
        # non-causal with mask, Sk > S
        for S, Sk in ((32, 64), (32, 288), (128, 288), (32, 32)):
            q = dev_t(device, [1, nh, S, hd])
            k = dev_t(device, [1, nkv, Sk, hd])
            m = dev_t(device, [1, 1, S, Sk])
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nkv,Sk,hd])}, v=same, is_causal=False, attn_mask={arg([1,1,S,Sk])})",
                   lambda q=q, k=k, m=m: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=False, attn_mask=m))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nkv,Sk,hd])}, v=same, is_causal=True)  # causal, Sk != S" if Sk != S else
                   f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k, v, is_causal=False)  # no mask",
                   (lambda q=q, k=k: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True)) if Sk != S else
                   (lambda q=q, k=k: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=False)))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nkv,Sk,hd])}, v, is_causal=True, attn_mask=m)  # both",
                   lambda q=q, k=k, m=m: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, attn_mask=m))
            mh = dev_t(device, [1, nh, S, Sk])
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nkv,Sk,hd])}, v, is_causal=False, attn_mask={arg([1,nh,S,Sk])})",
                   lambda q=q, k=k, mh=mh: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=False, attn_mask=mh))
            free([q, k, m, mh])
        S = 128
        q = dev_t(device, [1, nh, S, hd])
        kb = dev_t(device, [1, nkv, S, hd // 2])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nkv,S,hd//2])}, v=same)  # head_dim mismatch",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, kb, is_causal=True))
        free(kb)
        kb = dev_t(device, [1, 3, S, hd])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,3,S,hd])}, v=same)  # nh % nkv != 0",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, kb, is_causal=True))
        free(kb)
        kb = dev_t(device, [1, nkv, S, hd])
        vb = dev_t(device, [1, nkv, S, hd // 2])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q, k{arg([1,nkv,S,hd])}, v{arg([1,nkv,S,hd//2])})  # v head_dim mismatch",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, vb, is_causal=True))
        free([kb, vb])
        kb = dev_t(device, [1, nh, S, hd])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,S,hd])}, k{arg([1,nh,S,hd])}, v=same)  # MHA (nkv == nh)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, kb, is_causal=True))
        free(kb)
        kl = dev_t(device, [1, nkv, S, hd], mem=ttnn.L1_MEMORY_CONFIG)
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q DRAM, k{arg([1,nkv,S,hd],'bf16','TILE','L1')}, v=same)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kl, kl, is_causal=True))
        free([kl, q])
        q33 = dev_t(device, [1, nh, 33, hd])
        k33 = dev_t(device, [1, nkv, 33, hd])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,33,hd])}, k{arg([1,nkv,33,hd])}, v=same, is_causal=True)  # S=33 logical",
               lambda: ttnn.transformer.scaled_dot_product_attention(q33, k33, k33, is_causal=True))
        free([q33, k33])
        q2 = dev_t(device, [2, nh, 32, hd])
        k2 = dev_t(device, [2, nkv, 32, hd])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([2,nh,32,hd])}, k{arg([2,nkv,32,hd])}, v=same)  # batch 2",
               lambda: ttnn.transformer.scaled_dot_product_attention(q2, k2, k2, is_causal=True))
        free([q2, k2])
        q8 = dev_t(device, [1, nh, 32, hd], dtype=ttnn.bfloat8_b)
        k8 = dev_t(device, [1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,32,hd],'bfloat8_b')}, k bfloat8_b, v)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q8, k8, k8, is_causal=True))
        free([q8, k8])
        qf = dev_t(device, [1, nh, 32, hd], dtype=ttnn.float32)
        kf = dev_t(device, [1, nkv, 32, hd], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{arg([1,nh,32,hd],'f32')}, k f32, v f32)",
               lambda: ttnn.transformer.scaled_dot_product_attention(qf, kf, kf, is_causal=True))
        free([qf, kf])


def sec_sdpa_decode(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nh, nkv, hd = dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        maxS = 2048
        cache32 = dev_t(device, [32, nkv, maxS, hd])
        for B in (1, 32):
            cacheB = cache32 if B == 32 else dev_t(device, [B, nkv, maxS, hd])
            qi = dev_t(device, [1, B, nh, hd])
            qs, ks, vs = make_decode_heads(device, dims, B)
            pos_t = dev_t(device, [B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            for qname, q in (("q" + arg([1, B, nh, hd]), qi), (f"q from create_heads_decode [{describe(qs)}]", qs)):
                for cname, cache in ((f"cache[{B},{nkv},{maxS},{hd}]", cacheB), (f"cache[32,{nkv},{maxS},{hd}]", cache32)):
                    if B == 32 and cname.startswith("cache[32") and cache is cacheB and cname != f"cache[{B},{nkv},{maxS},{hd}]":
                        continue
                    rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode({qname}, k={cname}, v=same, cur_pos=[5]*{B})",
                           lambda q=q, cache=cache, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cache, cache, cur_pos=[5] * B))
                    rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode({qname}, k={cname}, v=same, cur_pos_tensor=int32[{B}] RM DRAM)",
                           lambda q=q, cache=cache: ttnn.transformer.scaled_dot_product_attention_decode(q, cache, cache, cur_pos_tensor=pos_t))
                    if B == 32:
                        break
            q = qi
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos=[{maxS - 1}]*{B})  # last position",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[maxS - 1] * B))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos=[{maxS}]*{B})  # beyond cache",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[maxS] * B))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos=[5]*{B + 1})  # list longer than B",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[5] * (B + 1)))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..])  # no cur_pos",
                   lambda q=q, cacheB=cacheB: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos=[-1]*{B})",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[-1] * B))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos=[5]*{B}, memory_config=L1)",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[5] * B, memory_config=ttnn.L1_MEMORY_CONFIG))
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos=[5]*{B}, is_causal=False)  # no mask",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[5] * B, is_causal=False))
            pos_u = dev_t(device, [B], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos_tensor=uint32[{B}])",
                   lambda q=q, cacheB=cacheB: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos_tensor=pos_u))
            free(pos_u)
            pos_tile = dev_t(device, [1, B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},..], cur_pos_tensor=int32[1,{B}] RM)",
                   lambda q=q, cacheB=cacheB: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos_tensor=pos_tile))
            free(pos_tile)
            c8 = dev_t(device, [B, nkv, 256, hd], dtype=ttnn.bfloat8_b)
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},{nkv},256,{hd}] bfloat8_b, cur_pos=[5]*{B})",
                   lambda q=q, c8=c8, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, c8, c8, cur_pos=[5] * B))
            free(c8)
            cshort = dev_t(device, [B, nkv, 96, hd])
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, cache[{B},{nkv},96,{hd}], cur_pos=[5]*{B})  # maxS=96",
                   lambda q=q, cshort=cshort, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cshort, cshort, cur_pos=[5] * B))
            free(cshort)
            q8 = dev_t(device, [1, B, nh, hd], dtype=ttnn.bfloat8_b)
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd],'bfloat8_b')}, cache[{B},..], cur_pos=[5]*{B})",
                   lambda q8=q8, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q8, cacheB, cacheB, cur_pos=[5] * B))
            free(q8)
            kb = dev_t(device, [B, nkv, 256, hd // 2])
            rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, k[{B},{nkv},256,{hd // 2}], cur_pos=[5]*{B})  # head_dim mismatch",
                   lambda q=q, kb=kb, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, kb, kb, cur_pos=[5] * B))
            free(kb)
            free([qi, qs, ks, vs, pos_t])
            if cacheB is not cache32:
                free(cacheB)
        # q batch 32 with cache batch 1
        q = dev_t(device, [1, 32, nh, hd])
        c1 = dev_t(device, [1, nkv, 256, hd])
        rec.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{arg([1,32,nh,hd])}, cache[1,{nkv},256,{hd}], cur_pos=[5]*32)  # batch mismatch",
               lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, c1, c1, cur_pos=[5] * 32))
        free([q, c1])
        # paged variant
        B, block, nblocks = 1, 64, 32
        pc = dev_t(device, [nblocks, nkv, block, hd])
        pt = dev_t(device, [B, nblocks], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        pos = dev_t(device, [B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        q = dev_t(device, [1, B, nh, hd])
        rec.call(cfg, f"ttnn.transformer.paged_scaled_dot_product_attention_decode(q{arg([1,B,nh,hd])}, k=cache[{nblocks},{nkv},{block},{hd}], v=same, page_table int32[{B},{nblocks}] RM, cur_pos_tensor=int32[{B}])",
               lambda: ttnn.transformer.paged_scaled_dot_product_attention_decode(q, pc, pc, pt, cur_pos_tensor=pos))
        free([pc, pt, pos, q, cache32])
