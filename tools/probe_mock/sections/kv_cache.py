"""Probe section: The KV cache ops: fill_cache, update_cache, paged_update_cache, paged_fill_cache."""

from __future__ import annotations

from pathlib import Path

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.spec import describe, errmsg
from tools.probe_mock.tensors import arg, dev_t, free, make_decode_heads, shard_mc


def sec_fill_cache(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nkv, hd = dims.num_key_value_heads, dims.head_dim
        maxS = 2048
        cache = dev_t(device, [32, nkv, maxS, hd])
        for S in (32, 128, 256, 288, 512, 1024, 2048):
            x = dev_t(device, [1, nkv, S, hd])
            rec.call(cfg, f"ttnn.fill_cache(cache{arg([32,nkv,maxS,hd])}, x{arg([1,nkv,S,hd])}, batch_idx=0)",
                   lambda x=x: ttnn.fill_cache(cache, x, 0), keep=False if False else False)
            free(x)
        x = dev_t(device, [1, nkv, 32, hd])
        for ui in (0, 32, 256, 17, maxS - 32, maxS):
            rec.call(cfg, f"ttnn.fill_cache(cache{arg([32,nkv,maxS,hd])}, x{arg([1,nkv,32,hd])}, batch_idx=0, update_idx={ui})",
                   lambda ui=ui: ttnn.fill_cache(cache, x, 0, update_idx=ui))
        x128 = dev_t(device, [1, nkv, 128, hd])
        rec.call(cfg, f"ttnn.fill_cache(cache{arg([32,nkv,maxS,hd])}, x{arg([1,nkv,128,hd])}, batch_idx=0, update_idx={maxS - 64})  # overflows maxS",
               lambda: ttnn.fill_cache(cache, x128, 0, update_idx=maxS - 64))
        free(x128)
        for bi in (31, 32, -1):
            rec.call(cfg, f"ttnn.fill_cache(cache{arg([32,nkv,maxS,hd])}, x{arg([1,nkv,32,hd])}, batch_idx={bi})",
                   lambda bi=bi: ttnn.fill_cache(cache, x, bi))
        x2 = dev_t(device, [2, nkv, 32, hd])
        rec.call(cfg, f"ttnn.fill_cache(cache, x{arg([2,nkv,32,hd])}, batch_idx=0)  # input batch 2", lambda: ttnn.fill_cache(cache, x2, 0))
        free(x2)
        x8 = dev_t(device, [1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.fill_cache(cache bf16, x{arg([1,nkv,32,hd],'bfloat8_b')}, batch_idx=0)  # dtype mismatch", lambda: ttnn.fill_cache(cache, x8, 0))
        xf = dev_t(device, [1, nkv, 32, hd], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.fill_cache(cache bf16, x{arg([1,nkv,32,hd],'f32')}, batch_idx=0)  # dtype mismatch", lambda: ttnn.fill_cache(cache, xf, 0))
        free(xf)
        c8 = dev_t(device, [32, nkv, 256, hd], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.fill_cache(cache{arg([32,nkv,256,hd],'bfloat8_b')}, x{arg([1,nkv,32,hd],'bfloat8_b')}, batch_idx=0)", lambda: ttnn.fill_cache(c8, x8, 0))
        rec.call(cfg, f"ttnn.fill_cache(cache{arg([32,nkv,256,hd],'bfloat8_b')}, x{arg([1,nkv,32,hd])} bf16, batch_idx=0)", lambda: ttnn.fill_cache(c8, x, 0))
        free([c8, x8])
        xk = dev_t(device, [1, nkv + 1, 32, hd])
        rec.call(cfg, f"ttnn.fill_cache(cache, x{arg([1,nkv+1,32,hd])}, batch_idx=0)  # head count mismatch", lambda: ttnn.fill_cache(cache, xk, 0))
        free(xk)
        xd = dev_t(device, [1, nkv, 32, hd * 2])
        rec.call(cfg, f"ttnn.fill_cache(cache, x{arg([1,nkv,32,hd*2])}, batch_idx=0)  # head_dim mismatch", lambda: ttnn.fill_cache(cache, xd, 0))
        free(xd)
        x33 = dev_t(device, [1, nkv, 33, hd])
        rec.call(cfg, f"ttnn.fill_cache(cache, x{arg([1,nkv,33,hd])}, batch_idx=0)  # S=33 logical", lambda: ttnn.fill_cache(cache, x33, 0))
        free(x33)
        xr = dev_t(device, [1, nkv, 32, hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.fill_cache(cache, x{arg([1,nkv,32,hd],'bf16','RM')}, batch_idx=0)", lambda: ttnn.fill_cache(cache, xr, 0))
        free(xr)
        xl = dev_t(device, [1, nkv, 32, hd], mem=ttnn.L1_MEMORY_CONFIG)
        rec.call(cfg, f"ttnn.fill_cache(cache, x{arg([1,nkv,32,hd],'bf16','TILE','L1')}, batch_idx=0)", lambda: ttnn.fill_cache(cache, xl, 0))
        free(xl)
        rec.call(cfg, f"ttnn.kv_cache.fill_cache_for_user_(cache, x{arg([1,nkv,32,hd])}, 0)", lambda: ttnn.kv_cache.fill_cache_for_user_(cache, x, 0))
        cache1 = dev_t(device, [1, nkv, maxS, hd])
        rec.call(cfg, f"ttnn.fill_cache(cache{arg([1,nkv,maxS,hd])}, x{arg([1,nkv,32,hd])}, batch_idx=0)  # 1-user cache", lambda: ttnn.fill_cache(cache1, x, 0))
        free([cache1, x])
        free(cache)

    # evidence from the shipped package: is the old grid-limit check still compiled in, and does
    # the fill kernel wrap work across heads?
    pkg = Path(ttnn.__file__).resolve().parent
    libs = sorted((pkg / "build" / "lib").glob("*.so*"))
    needle = b"Number of work blocks must be"
    found = [l.name for l in libs if l.is_file() and needle in l.read_bytes()]
    rec.fact("limit", "grep of the shipped .so files for 'Number of work blocks must be' (the old fill_cache grid-limit TT_FATAL)",
           found or "not found in any of: " + ", ".join(l.name for l in libs if l.is_file()))
    writer = pkg / "ttnn/cpp/ttnn/operations/kv_cache/device/kernels/dataflow/writer_fill_cache_interleaved_start_id.cpp"
    if writer.exists():
        src = writer.read_text()
        wrap = "if (++seq_tile == input_Ht)" in src
        rec.fact("limit", "fill_cache writer kernel (shipped source) wraps a core's blocks across kv heads",
               f"{wrap}: {writer.relative_to(pkg)} advances seq_tile and on reaching input_Ht jumps cache_page by "
               "cache_HtWt - input_Ht*Wt (next head), so one core may own several blocks spanning heads")

    # the grid limit: largest accepted S per nkv (hd 128 and 64)
    for nkv, hd in ((8, 128), (2, 128), (2, 64), (1, 128), (4, 128), (16, 128)):
        maxS = 4096
        cache = dev_t(device, [1, nkv, maxS, hd])
        accepted, first_err = [], None
        for S in range(32, maxS + 1, 32):
            x = dev_t(device, [1, nkv, S, hd])
            try:
                ttnn.fill_cache(cache, x, 0)
                accepted.append(S)
            except Exception as exc:  # noqa: BLE001
                if first_err is None:
                    first_err = (S, errmsg(exc))
            free(x)
            if first_err is not None and S >= first_err[0] + 256:
                break
        rec.fact("limit", f"fill_cache: accepted S (multiples of 32) for nkv={nkv}, head_dim={hd}, cache [1,{nkv},{maxS},{hd}]",
               f"largest accepted S={max(accepted) if accepted else None}; accepted count {len(accepted)} "
               f"(contiguous from 32: {accepted == list(range(32, (max(accepted) if accepted else 0) + 1, 32))})")
        if first_err:
            rec.fact("limit", f"fill_cache: first refused S for nkv={nkv}, head_dim={hd}", f"S={first_err[0]}: {first_err[1]}")
        free(cache)
    # does a sharded input lift the limit?
    nkv, hd = 8, 128
    cache = dev_t(device, [1, nkv, 2048, hd])
    for S in (512, 2048):
        ntiles = nkv * S // 32
        for ncores in (64,):
            if ntiles % ncores:
                continue
            try:
                mc = shard_mc("HEIGHT_SHARDED", ncores, [nkv * S // ncores, hd])
                x = dev_t(device, [1, nkv, S, hd], mem=mc)
            except Exception as exc:  # noqa: BLE001
                rec.call("qwen3", f"make x[1,{nkv},{S},{hd}] HEIGHT_SHARDED {ncores} cores", lambda exc=exc: (_ for _ in ()).throw(exc))
                continue
            rec.call("qwen3", f"ttnn.fill_cache(cache[1,{nkv},2048,{hd}], x[1,{nkv},{S},{hd}] L1 HEIGHT_SHARDED shard[{nkv * S // ncores},{hd}] {ncores} cores, batch_idx=0)",
                   lambda x=x: ttnn.fill_cache(cache, x, 0))
            free(x)
    # chunked fill with update_idx
    x = dev_t(device, [1, nkv, 256, hd])
    rec.call("qwen3", f"ttnn.fill_cache(cache[1,{nkv},2048,{hd}], x[1,{nkv},256,{hd}], 0, update_idx=1792)  # last 256-chunk",
           lambda: ttnn.fill_cache(cache, x, 0, update_idx=1792))
    free([x, cache])


def sec_update_cache(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nkv, hd = dims.num_key_value_heads, dims.head_dim
        maxS = 2048
        for B in (32, 1):
            cache = dev_t(device, [B, nkv, maxS, hd])
            for shape in ([1, nkv, 32, hd], [1, nkv, B, hd], [1, B, nkv, hd], [1, nkv, 1, hd]):
                x = dev_t(device, shape)
                rec.call(cfg, f"ttnn.update_cache(cache{arg([B,nkv,maxS,hd])}, x{arg(shape)}, update_idx=5)",
                       lambda x=x, cache=cache: ttnn.update_cache(cache, x, 5))
                free(x)
            x = dev_t(device, [1, nkv, 32, hd])
            rec.call(cfg, f"ttnn.update_cache(cache{arg([B,nkv,maxS,hd])}, x{arg([1,nkv,32,hd])}, update_idx={maxS})  # beyond",
                   lambda x=x, cache=cache: ttnn.update_cache(cache, x, maxS))
            rec.call(cfg, f"ttnn.update_cache(cache{arg([B,nkv,maxS,hd])}, x{arg([1,nkv,32,hd])}, update_idx=5, batch_offset=1)",
                   lambda x=x, cache=cache: ttnn.update_cache(cache, x, 5, batch_offset=1))
            free(x)
            x8 = dev_t(device, [1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
            rec.call(cfg, f"ttnn.update_cache(cache{arg([B,nkv,maxS,hd])}, x{arg([1,nkv,32,hd],'bfloat8_b')}, update_idx=5)",
                   lambda x8=x8, cache=cache: ttnn.update_cache(cache, x8, 5))
            free(x8)
            free(cache)
        c8 = dev_t(device, [32, nkv, 256, hd], dtype=ttnn.bfloat8_b)
        x = dev_t(device, [1, nkv, 32, hd])
        rec.call(cfg, f"ttnn.update_cache(cache{arg([32,nkv,256,hd],'bfloat8_b')}, x{arg([1,nkv,32,hd])}, update_idx=5)", lambda: ttnn.update_cache(c8, x, 5))
        free([c8, x])


def sec_paged_update(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nkv, hd = dims.num_key_value_heads, dims.head_dim
        maxS = 2048
        for B in (1, 32):
            cache = dev_t(device, [B, nkv, maxS, hd])
            idx_t = dev_t(device, [B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            xi = dev_t(device, [1, B, nkv, hd])
            xs = dev_t(device, [1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
            for xname, x in ((arg([1, B, nkv, hd]), xi), (f"[1,{B},{nkv},{hd}] bf16 TILE L1 HEIGHT_SHARDED shard[32,{hd}] {B} cores ROW_MAJOR", xs)):
                rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache{arg([B,nkv,maxS,hd])}, x{xname}, update_idxs=[5]*{B})",
                       lambda x=x, cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, x, update_idxs=[5] * B))
                rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache{arg([B,nkv,maxS,hd])}, x{xname}, update_idxs_tensor=int32[{B}] RM DRAM)",
                       lambda x=x, cache=cache: ttnn.experimental.paged_update_cache(cache, x, update_idxs_tensor=idx_t))
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs=[5]*{B}, update_idxs_tensor=int32[{B}])  # both",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs, update_idxs=[5] * B, update_idxs_tensor=idx_t))
            rec.call(cfg, "ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED)  # neither",
                   lambda cache=cache: ttnn.experimental.paged_update_cache(cache, xs))
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs=[5]*{B + 1})  # list too long",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs, update_idxs=[5] * (B + 1)))
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs=[{maxS}]*{B})  # beyond cache",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs, update_idxs=[maxS] * B))
            idx_u = dev_t(device, [B], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs_tensor=uint32[{B}])",
                   lambda cache=cache: ttnn.experimental.paged_update_cache(cache, xs, update_idxs_tensor=idx_u))
            free(idx_u)
            idx_tile = dev_t(device, [1, B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs_tensor=int32[1,{B}] RM)",
                   lambda cache=cache: ttnn.experimental.paged_update_cache(cache, xs, update_idxs_tensor=idx_tile))
            free(idx_tile)
            # input dtypes
            xs8 = dev_t(device, [1, B, nkv, hd], dtype=ttnn.bfloat8_b, mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache bf16, x[1,{B},{nkv},{hd}] bfloat8_b HEIGHT_SHARDED, update_idxs=[5]*{B})",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs8, update_idxs=[5] * B))
            free(xs8)
            xsf = dev_t(device, [1, B, nkv, hd], dtype=ttnn.float32, mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache bf16, x[1,{B},{nkv},{hd}] f32 HEIGHT_SHARDED, update_idxs=[5]*{B})",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xsf, update_idxs=[5] * B))
            free(xsf)
            c8 = dev_t(device, [B, nkv, 256, hd], dtype=ttnn.bfloat8_b)
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache{arg([B,nkv,256,hd],'bfloat8_b')}, x bf16 HEIGHT_SHARDED, update_idxs=[5]*{B})",
                   lambda c8=c8, B=B: ttnn.experimental.paged_update_cache(c8, xs, update_idxs=[5] * B))
            free(c8)
            # shard orientation / shard shape / grid variants
            if B > 1:
                xcol = dev_t(device, [1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B, [32, hd], orientation="COL_MAJOR"))
                rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED COL_MAJOR orientation {B} cores, update_idxs=[5]*{B})",
                       lambda cache=cache, B=B, xcol=xcol: ttnn.experimental.paged_update_cache(cache, xcol, update_idxs=[5] * B))
                free(xcol)
                x16 = dev_t(device, [1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B // 2, [64, hd]))
                rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache[{B},..], x HEIGHT_SHARDED shard[64,{hd}] on {B // 2} cores, update_idxs=[5]*{B})  # 2 users per core",
                       lambda cache=cache, B=B, x16=x16: ttnn.experimental.paged_update_cache(cache, x16, update_idxs=[5] * B))
                free(x16)
            # pipeline input: K from nlp_create_qkv_heads_decode
            q, k, v = make_decode_heads(device, dims, B)
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache{arg([B,nkv,maxS,hd])}, k from nlp_create_qkv_heads_decode(B={B}) [{describe(k)}], update_idxs=[5]*{B})",
                   lambda cache=cache, k=k, B=B: ttnn.experimental.paged_update_cache(cache, k, update_idxs=[5] * B))
            rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache, k from create_heads_decode(B={B}), update_idxs_tensor=int32[{B}])",
                   lambda cache=cache, k=k: ttnn.experimental.paged_update_cache(cache, k, update_idxs_tensor=idx_t))
            free([q, k, v])
            free([xi, xs, idx_t, cache])
        # mismatched batch
        cache32 = dev_t(device, [32, nkv, 256, hd])
        xs1 = dev_t(device, [1, 1, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", 1, [32, hd]))
        rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache[32,{nkv},256,{hd}], x[1,1,{nkv},{hd}] HEIGHT_SHARDED 1 core, update_idxs=[5])  # batch mismatch",
               lambda: ttnn.experimental.paged_update_cache(cache32, xs1, update_idxs=[5]))
        cache1 = dev_t(device, [1, nkv, 256, hd])
        xs32 = dev_t(device, [1, 32, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", 32, [32, hd]))
        rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache[1,{nkv},256,{hd}], x[1,32,{nkv},{hd}] HEIGHT_SHARDED 32 cores, update_idxs=[5]*32)  # batch mismatch",
               lambda: ttnn.experimental.paged_update_cache(cache1, xs32, update_idxs=[5] * 32))
        rec.call(cfg, "ttnn.experimental.paged_update_cache(cache[1,..], x[1,32,..] 32 cores, update_idxs=[5])  # batch mismatch, 1 idx",
               lambda: ttnn.experimental.paged_update_cache(cache1, xs32, update_idxs=[5]))
        free([cache32, xs1, cache1, xs32])
        # paged mode (page table)
        B, block, nblocks = 1, 64, 32
        pc = dev_t(device, [nblocks, nkv, block, hd])
        pt = dev_t(device, [B, nblocks], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        xs = dev_t(device, [1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
        idx_t = dev_t(device, [B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.experimental.paged_update_cache(cache[{nblocks},{nkv},{block},{hd}], x[1,{B},{nkv},{hd}] HEIGHT_SHARDED, update_idxs_tensor=int32[{B}], page_table=int32[{B},{nblocks}] RM)",
               lambda: ttnn.experimental.paged_update_cache(pc, xs, update_idxs_tensor=idx_t, page_table=pt))
        free([pc, pt, xs, idx_t])


def sec_paged_fill(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        nkv, hd = dims.num_key_value_heads, dims.head_dim
        for block in (32, 64):
            nblocks = 2048 // block
            pc = dev_t(device, [nblocks, nkv, block, hd])
            pt = dev_t(device, [1, nblocks], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            for S in (32, 128, 288, 2048):
                x = dev_t(device, [1, nkv, S, hd])
                rec.call(cfg, f"ttnn.experimental.paged_fill_cache(cache[{nblocks},{nkv},{block},{hd}], x{arg([1,nkv,S,hd])}, page_table=int32[1,{nblocks}] RM DRAM, batch_idx=0)",
                       lambda x=x, pc=pc, pt=pt: ttnn.experimental.paged_fill_cache(pc, x, pt, batch_idx=0))
                free(x)
            free([pc, pt])
        pc = dev_t(device, [32, nkv, 64, hd])
        pt = dev_t(device, [1, 32], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        x8 = dev_t(device, [1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
        rec.call(cfg, "ttnn.experimental.paged_fill_cache(cache bf16, x bfloat8_b, page_table, batch_idx=0)  # dtype mismatch",
               lambda: ttnn.experimental.paged_fill_cache(pc, x8, pt, batch_idx=0))
        free(x8)
        x = dev_t(device, [1, nkv, 32, hd])
        rec.call(cfg, "ttnn.experimental.paged_fill_cache(cache, x, page_table, batch_idx=1)  # batch_idx beyond page table rows",
               lambda: ttnn.experimental.paged_fill_cache(pc, x, pt, batch_idx=1))
        ptu = dev_t(device, [1, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.experimental.paged_fill_cache(cache, x, page_table uint32, batch_idx=0)",
               lambda: ttnn.experimental.paged_fill_cache(pc, x, ptu, batch_idx=0))
        xl = dev_t(device, [1, nkv, 64 * 33, hd])
        rec.call(cfg, f"ttnn.experimental.paged_fill_cache(cache[32,{nkv},64,{hd}], x[1,{nkv},{64 * 33},{hd}], page_table[1,32])  # longer than the table",
               lambda: ttnn.experimental.paged_fill_cache(pc, xl, pt, batch_idx=0))
        free([x, ptu, pc, pt, xl])
