"""Probe section: The device: grid, memory banks, allocator limits and the program cache."""

from __future__ import annotations

import time

import ttnn

from tools.probe_mock.recorder import Recorder
from tools.probe_mock.spec import errmsg
from tools.probe_mock.tensors import alloc, dev_t, free, shard_mc


def sec_device(rec: Recorder, device) -> None:
    rec.fact("-", "type(device)", type(device).__name__)
    rec.fact_of("-", "device.arch()", lambda: repr(device.arch()))
    rec.fact_of("-", "device.compute_with_storage_grid_size()", lambda: repr(device.compute_with_storage_grid_size()))
    rec.fact_of("-", "device.core_grid", lambda: repr(device.core_grid))
    rec.fact_of("-", "device.dram_grid_size()", lambda: repr(device.dram_grid_size()))
    rec.fact_of("-", "device.shape / get_num_devices() / id() / get_device_ids()", lambda: [repr(device.shape), device.get_num_devices(), device.id(), list(device.get_device_ids())])
    rec.fact_of("-", "public attributes of the device object", lambda: [a for a in dir(device) if not a.startswith("_")])
    for bt in ("DRAM", "L1"):
        rec.fact_of("-", f"ttnn.get_memory_view(device, BufferType.{bt}): num_banks, total_bytes_per_bank",
                  lambda bt=bt: [ttnn.get_memory_view(device, getattr(ttnn.BufferType, bt)).num_banks,
                                 ttnn.get_memory_view(device, getattr(ttnn.BufferType, bt)).total_bytes_per_bank])
        rec.fact_of("-", f"ttnn.get_allocator_base_address(device, BufferType.{bt})",
                  lambda bt=bt: ttnn.get_allocator_base_address(device, getattr(ttnn.BufferType, bt)))
    rec.fact_of("-", "DRAM total = num_banks * bytes_per_bank",
              lambda: (lambda v: f"{v.num_banks * v.total_bytes_per_bank} B = {v.num_banks * v.total_bytes_per_bank / 2**30:.3f} GiB")(ttnn.get_memory_view(device, ttnn.BufferType.DRAM)))
    rec.fact_of("-", "device.sfpu_eps()/sfpu_inf()/sfpu_nan()", lambda: [device.sfpu_eps(), device.sfpu_inf(), device.sfpu_nan()])

    # L1 OOM
    rec.call("-", "ttnn.allocate_tensor_on_device([1,1,32768,4096] bf16 TILE, L1_MEMORY_CONFIG)  # 256 MiB",
           lambda: alloc(device, [1, 1, 32768, 4096], mem=ttnn.L1_MEMORY_CONFIG))
    rec.call("-", "ttnn.allocate_tensor_on_device([1,1,1024,1024] bf16 TILE, L1_MEMORY_CONFIG)  # 2 MiB",
           lambda: alloc(device, [1, 1, 1024, 1024], mem=ttnn.L1_MEMORY_CONFIG))
    rec.call("-", "ttnn.allocate_tensor_on_device([1,1,32,1024] bf16 TILE, L1 HEIGHT_SHARDED shard [32,1024] 1 core)",
           lambda: alloc(device, [1, 1, 32, 1024], mem=shard_mc("HEIGHT_SHARDED", 1, [32, 1024])))
    rec.call("-", "ttnn.allocate_tensor_on_device([1,1,32*700,1024] bf16, L1 HEIGHT_SHARDED shard [700*32,1024] 1 core)  # 45 MB on one core",
           lambda: alloc(device, [1, 1, 32 * 700, 1024], mem=shard_mc("HEIGHT_SHARDED", 1, [32 * 700, 1024])))

    # KV cache capacity: 28 layers x K,V of [32, 8, S, 128] bf16 in DRAM
    def try_alloc_all(batch, S, n=56, dtype=None):
        held = []
        try:
            for _ in range(n):
                held.append(alloc(device, [batch, 8, S, 128], dtype=dtype))
            return None
        except Exception as exc:  # noqa: BLE001
            return f"failed at tensor {len(held) + 1}/{n}: " + errmsg(exc)
        finally:
            for h in held:
                ttnn.deallocate(h)

    for batch, dtype, dname in ((32, None, "bf16"), (32, ttnn.bfloat8_b, "bfloat8_b"), (1, None, "bf16")):
        lo, hi = 32, 32 * 4096
        msg_at_fail = None
        while lo < hi:  # largest S (multiple of 32) that fits
            mid = ((lo + hi + 32) // 64) * 32
            if mid <= lo:
                mid = lo + 32
            m = try_alloc_all(batch, mid, dtype=dtype)
            if m is None:
                lo = mid
            else:
                hi = mid - 32
                msg_at_fail = (mid, m)
            if hi - lo < 32:
                break
        per = batch * 8 * 128 * (2 if dtype is None else 1.0625) * 56
        rec.fact("kv", f"largest S with 28 layers x K,V [{batch},8,S,128] {dname} DRAM (all 56 allocated)",
               f"S={lo} (multiple of 32); ~{per * lo / 2**30:.3f} GiB")
        if msg_at_fail:
            rec.fact("kv", f"first failing S for [{batch},8,S,128] {dname} and message", f"S={msg_at_fail[0]}: {msg_at_fail[1]}")

    # program cache
    x = dev_t(device, [1, 1, 32, 1024])
    w = dev_t(device, [1024, 3072])
    rec.fact_of("-", "num_program_cache_entries() before", lambda: device.num_program_cache_entries())
    ttnn.linear(x, w)
    n1 = device.num_program_cache_entries()
    ttnn.linear(x, w)
    n2 = device.num_program_cache_entries()
    x2 = dev_t(device, [1, 1, 32, 1024])
    ttnn.linear(x2, w)
    n3 = device.num_program_cache_entries()
    x3 = dev_t(device, [1, 1, 64, 1024])
    ttnn.linear(x3, w)
    n4 = device.num_program_cache_entries()
    rec.fact("-", "program cache entries after linear / same call again / new input same shape / new shape S=64",
           [n1, n2, n3, n4])
    t0 = time.perf_counter()
    for _ in range(50):
        y = ttnn.linear(x, w)
        ttnn.deallocate(y)
    rec.fact("-", "host time per cached ttnn.linear([1,1,32,1024]x[1024,3072]) call on mock (mean of 50)",
           f"{(time.perf_counter() - t0) / 50 * 1e3:.3f} ms")
    rec.fact_of("-", "device.disable_and_clear_program_cache() then entries", lambda: (device.disable_and_clear_program_cache(), device.num_program_cache_entries())[1])
    rec.fact_of("-", "device.enable_program_cache() then linear then entries",
              lambda: (device.enable_program_cache(), ttnn.linear(x, w), device.num_program_cache_entries())[2])
    # which arguments are baked into the program (new cache entry) vs runtime args (cache hit)
    def entries_after(fn_a, fn_b):
        device.clear_program_cache()
        fn_a()
        n_a = device.num_program_cache_entries()
        fn_b()
        return f"{n_a} -> {device.num_program_cache_entries()}"

    cos = dev_t(device, [1, 1, 2048, 128])
    xq = dev_t(device, [1, 1, 32, 128])
    rec.fact_of("pc", "rotary_embedding decode: token_index=5 then token_index=6 (entries)",
              lambda: entries_after(lambda: ttnn.experimental.rotary_embedding(xq, cos, cos, 5),
                                    lambda: ttnn.experimental.rotary_embedding(xq, cos, cos, 6)))
    xp1 = dev_t(device, [1, 16, 32, 128])
    xp2 = dev_t(device, [1, 16, 64, 128])
    rec.fact_of("pc", "rotary_embedding prefill: S=32 then S=64 (entries)",
              lambda: entries_after(lambda: ttnn.experimental.rotary_embedding(xp1, cos, cos),
                                    lambda: ttnn.experimental.rotary_embedding(xp2, cos, cos)))
    q = dev_t(device, [1, 1, 16, 128])
    kc = dev_t(device, [1, 8, 2048, 128])
    rec.fact_of("pc", "sdpa_decode: cur_pos=[5] then cur_pos=[6] (entries)",
              lambda: entries_after(lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[5]),
                                    lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[6])))
    rec.fact_of("pc", "sdpa_decode: cur_pos=[5] then cur_pos=[1500] (entries)",
              lambda: entries_after(lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[5]),
                                    lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[1500])))
    pos = dev_t(device, [1], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
    rec.fact_of("pc", "sdpa_decode: cur_pos_tensor twice (entries)",
              lambda: entries_after(lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos_tensor=pos),
                                    lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos_tensor=pos)))
    xs = dev_t(device, [1, 1, 8, 128], mem=shard_mc("HEIGHT_SHARDED", 1, [32, 128]))
    rec.fact_of("pc", "paged_update_cache: update_idxs=[5] then [6] (entries)",
              lambda: entries_after(lambda: ttnn.experimental.paged_update_cache(kc, xs, update_idxs=[5]),
                                    lambda: ttnn.experimental.paged_update_cache(kc, xs, update_idxs=[6])))
    xf = dev_t(device, [1, 8, 32, 128])
    rec.fact_of("pc", "fill_cache: update_idx=0 then update_idx=32 (entries)",
              lambda: entries_after(lambda: ttnn.fill_cache(kc, xf, 0, update_idx=0),
                                    lambda: ttnn.fill_cache(kc, xf, 0, update_idx=32)))
    xf2 = dev_t(device, [1, 8, 64, 128])
    rec.fact_of("pc", "fill_cache: S=32 then S=64 (entries)",
              lambda: entries_after(lambda: ttnn.fill_cache(kc, xf, 0), lambda: ttnn.fill_cache(kc, xf2, 0)))
    free([cos, xq, xp1, xp2, q, kc, pos, xs, xf, xf2])

    rec.call("-", "ttnn.to_torch(device tensor) content of linear output",
           lambda: (lambda t: f"shape {list(t.shape)} dtype {t.dtype} all zero: {bool((t == 0).all())}")(ttnn.to_torch(ttnn.linear(x, w))))
    xr = dev_t(device, [1, 1, 32, 1024], fill=1.0)
    rec.call("-", "ttnn.to_torch(from_torch(full(1.0), device=dev)) (written then read back)",
           lambda: (lambda t: f"all zero: {bool((t == 0).all())}, all one: {bool((t == 1).all())}")(ttnn.to_torch(xr)))
