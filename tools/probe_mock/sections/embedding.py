"""Probe section: ttnn.embedding."""

from __future__ import annotations

import torch
import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import arg, dev_t, free


def sec_embedding(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        H, V = dims.hidden_size, dims.vocab_size
        w2 = dev_t(device, [V, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        w4 = dev_t(device, [1, 1, V, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        for S in (32, 33, 128):
            for ids_shape in ([1, S], [1, 1, 1, S]):
                ids = dev_t(device, ids_shape, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
                for wname, w in (("[V,H]", w2), ("[1,1,V,H]", w4)):
                    for lay in ("default", "TILE"):
                        kw = {} if lay == "default" else {"layout": ttnn.TILE_LAYOUT}
                        code = (f"ttnn.embedding(ids{arg(ids_shape, 'uint32', 'RM')}, w{wname}={arg(list(w.shape), 'bf16', 'RM')}"
                                + (", layout=ttnn.TILE_LAYOUT" if lay == "TILE" else "") + ")")
                        rec.call(cfg, code, lambda ids=ids, w=w, kw=kw: ttnn.embedding(ids, w, **kw))
                free(ids)
        # variants
        ids = dev_t(device, [1, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bf16 RM, layout=TILE, memory_config=L1)",
               lambda: ttnn.embedding(ids, w2, layout=ttnn.TILE_LAYOUT, memory_config=ttnn.L1_MEMORY_CONFIG))
        rec.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bf16 RM, layout=TILE, dtype=ttnn.bfloat8_b)",
               lambda: ttnn.embedding(ids, w2, layout=ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b))
        idt = dev_t(device, [1, 32], dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,32] uint32 TILE, w[V,H] bf16 RM)", lambda: ttnn.embedding(idt, w2))
        idb = dev_t(device, [1, 32], dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,32] bf16 RM, w[V,H] bf16 RM)", lambda: ttnn.embedding(idb, w2))
        idi = dev_t(device, [1, 32], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,32] int32 RM, w[V,H] bf16 RM)", lambda: ttnn.embedding(idi, w2))
        wt = dev_t(device, [V, H], layout=ttnn.TILE_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bf16 TILE)", lambda: ttnn.embedding(ids, wt))
        free(wt)
        wb = dev_t(device, [V, H], dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bfloat8_b TILE)", lambda: ttnn.embedding(ids, wb))
        free(wb)
        ids32 = dev_t(device, [32, 1], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[32,1] (decode batch 32) uint32 RM, w[V,H], layout=TILE)",
               lambda: ttnn.embedding(ids32, w2, layout=ttnn.TILE_LAYOUT))
        ids1 = dev_t(device, [1, 1], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, "ttnn.embedding(ids[1,1] uint32 RM, w[V,H], layout=TILE)",
               lambda: ttnn.embedding(ids1, w2, layout=ttnn.TILE_LAYOUT))
        rec.call(cfg, "ttnn.embedding(ids[1,1] uint32 RM, w[V,H]) (ROW_MAJOR out)", lambda: ttnn.embedding(ids1, w2))
        rec.call(cfg, "ttnn.embedding(ids host [1,32], w[V,H])",
               lambda: ttnn.embedding(ttnn.from_torch(torch.zeros(1, 32, dtype=torch.int32), dtype=ttnn.uint32), w2))
        free([w2, w4])
