#!/usr/bin/env python
"""Probe the REAL ttnn 0.81.1 on the mock n150 and record what every op the bring-up uses
accepts, refuses (exact TT_FATAL text) and returns (output spec), at the Qwen3-0.6B shapes and at
a tiny shape. Also records host-only facts and saves bit-exact block-float references.

Run with the mock venv (scripts/setup-mock-env):

    .venv-mock/bin/python scripts/probe_mock.py            # all sections (~ a few minutes)
    .venv-mock/bin/python scripts/probe_mock.py --only fill_cache,linear --md /tmp/x.md

Outputs: docs/ttnn-0.81.1-probe.md (regenerated; the hand-written block between the
`key-facts` markers is preserved) and tests/ops/data/bfp_reference.pt.

Each section runs in its own child process (one mock device per child, one shared throwaway
kernel cache): a call that kills the process is recorded as CRASH and the section resumes after
it. Results go through a JSON-lines file, so a partial run still renders.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MD = REPO / "docs" / "ttnn-0.81.1-probe.md"
BFP_REF = REPO / "tests" / "ops" / "data" / "bfp_reference.pt"

CFGS = {
    "qwen3": dict(H=1024, nh=16, nkv=8, hd=128, I=3072, V=151936),
    "tiny": dict(H=128, nh=4, nkv=2, hd=64, I=256, V=512),
}

# ----------------------------------------------------------------------------------------------
# child side
# ----------------------------------------------------------------------------------------------
ttnn = None
torch = None
DEV = None


class Recorder:
    """Writes one JSON line per call/fact. Keys are (section, cfg, code, occurrence), so that a
    child restarted after a crash skips what is already recorded and resumes after the crash."""

    def __init__(self, section: str, jsonl: Path, done: dict[str, dict]):
        self.section = section
        self.f = open(jsonl, "a", buffering=1)
        self.done = done
        self.order = 0
        self.seen: dict[tuple[str, str], int] = {}

    def _key(self, cfg: str, code: str) -> str:
        n = self.seen.get((cfg, code), 0) + 1
        self.seen[(cfg, code)] = n
        return f"{self.section}|{cfg}|{code}|#{n}"

    def _write(self, rec: dict) -> None:
        self.f.write(json.dumps(rec) + "\n")
        self.f.flush()
        os.fsync(self.f.fileno())

    def call(self, cfg: str, code: str, fn, note: str = "", keep: bool = False):
        """Run fn(); record its output spec or its exception. Returns the result when keep=True
        (None on error). Results are never deallocated explicitly: many ops return views or the
        (in-place) input itself; Python refcounting frees device buffers."""
        self.order += 1
        key = self._key(cfg, code)
        prev = self.done.get(key)
        if prev is not None:
            if keep and not prev.get("crash") and prev.get("ok"):
                try:  # re-create a kept result (already recorded) so dependent calls still run
                    return fn()
                except Exception:  # noqa: BLE001
                    return None
            return None
        self._write({"kind": "start", "key": key})
        t0 = time.perf_counter()
        result = None
        try:
            result = fn()
            rec = {"ok": True, "out": describe(result)}
        except Exception as exc:  # noqa: BLE001
            rec = {"ok": False, "err": errmsg(exc)}
            result = None
        rec.update(kind="call", key=key, section=self.section, cfg=cfg, code=code, note=note,
                   order=self.order, dt=round(time.perf_counter() - t0, 4))
        self._write(rec)
        return result if keep else None

    def fact(self, cfg: str, name: str, value, note: str = ""):
        self.order += 1
        key = self._key(cfg, "fact:" + name)
        if key in self.done:
            return
        self._write({"kind": "fact", "key": key, "section": self.section, "cfg": cfg,
                     "name": name, "value": value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else repr(value),
                     "note": note, "order": self.order})

    def fact_of(self, cfg: str, name: str, fn, note: str = ""):
        try:
            v = fn()
        except Exception as exc:  # noqa: BLE001
            v = "EXCEPTION " + errmsg(exc)
        self.fact(cfg, name, v, note)
        return v


def free(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            free(y)
        return
    if ttnn is not None and isinstance(x, ttnn.Tensor):
        try:
            if x.storage_type() == ttnn.StorageType.DEVICE and x.is_allocated():
                ttnn.deallocate(x)
        except Exception:  # noqa: BLE001
            pass


def errmsg(exc: BaseException) -> str:
    text = str(exc)
    keep = []
    for line in text.splitlines():
        if line.strip().startswith("backtrace") or line.startswith(" --- "):
            break
        keep.append(line.rstrip())
    msg = "\n".join(l for l in keep if l.strip() != "info:").strip()
    msg = msg.replace("/project/", "")
    if len(msg) > 1200:
        msg = msg[:1200] + " ..."
    return f"{type(exc).__name__}: {msg}"


def short_dtype(d) -> str:
    return str(d).replace("DataType.", "")


def short_layout(l) -> str:
    return str(l).replace("Layout.", "")


def mem_desc(mc) -> str:
    bt = str(mc.buffer_type).split(".")[-1].replace("BufferType::", "")
    ml = str(mc.memory_layout).split(".")[-1].replace("TensorMemoryLayout::", "")
    s = f"{bt} {ml}"
    ss = mc.shard_spec
    if ss is not None:
        try:
            ncores = ss.grid.num_cores()
        except Exception:  # noqa: BLE001
            ncores = "?"
        s += (f" shard={list(ss.shape)} {str(ss.orientation).split('.')[-1]} cores={ncores} "
              f"grid={grid_desc(ss.grid)}")
    return s


def grid_desc(grid) -> str:
    out = []
    try:
        for r in grid.ranges():
            out.append(f"({r.start.x},{r.start.y})-({r.end.x},{r.end.y})")
    except Exception:  # noqa: BLE001
        return str(grid)
    return "{" + ",".join(out) + "}"


def describe(x):
    if x is None:
        return "None"
    if isinstance(x, (list, tuple)):
        return [describe(y) for y in x]
    if ttnn is not None and isinstance(x, ttnn.Tensor):
        shape = list(x.shape)
        padded = list(x.padded_shape)
        d = f"{shape}"
        if padded != shape:
            d += f" pad{padded}"
        d += f" {short_dtype(x.dtype)} {short_layout(x.layout)}"
        if x.storage_type() == ttnn.StorageType.DEVICE:
            d += " " + mem_desc(x.memory_config())
        else:
            d += " HOST"
        return d
    return repr(x)[:500]


# ---- tensor helpers ----------------------------------------------------------------------------
def dev_t(shape, dtype=None, layout=None, mem=None, torch_dtype=None, on_device=True, fill=None):
    dtype = dtype or ttnn.bfloat16
    layout = ttnn.TILE_LAYOUT if layout is None else layout
    if torch_dtype is None:
        torch_dtype = torch.int32 if dtype in (ttnn.uint32, ttnn.int32, ttnn.uint16) else torch.bfloat16
    if fill is None:
        t = torch.zeros(shape, dtype=torch_dtype)
    else:
        t = torch.full(shape, fill, dtype=torch_dtype)
    return ttnn.from_torch(t, dtype=dtype, layout=layout, device=DEV if on_device else None,
                           memory_config=(mem or ttnn.DRAM_MEMORY_CONFIG) if on_device else None)


def alloc(shape, dtype=None, layout=None, mem=None):
    return ttnn.allocate_tensor_on_device(ttnn.Shape(list(shape)), dtype or ttnn.bfloat16,
                                          ttnn.TILE_LAYOUT if layout is None else layout, DEV,
                                          mem or ttnn.DRAM_MEMORY_CONFIG)


def cores(n):
    return ttnn.num_cores_to_corerangeset(n, ttnn.CoreCoord(8, 8), row_wise=True)


def shard_mc(layout_name, ncores, shard_shape, orientation="ROW_MAJOR", buffer="L1"):
    layout = getattr(ttnn.TensorMemoryLayout, layout_name)
    return ttnn.MemoryConfig(layout, getattr(ttnn.BufferType, buffer),
                             ttnn.ShardSpec(cores(ncores), list(shard_shape),
                                            getattr(ttnn.ShardOrientation, orientation)))


def T(shape, dtype="bf16", layout="TILE", mem="DRAM"):
    """Code-string helper: how a tensor argument is written in the doc: x[1,1,32,1024] bf16 TILE DRAM."""
    return "[" + ",".join(str(int(d)) for d in shape) + f"] {dtype} {layout} {mem}"


# ----------------------------------------------------------------------------------------------
# sections
# ----------------------------------------------------------------------------------------------
def sec_host(R: Recorder):
    """Host-only facts: conversions, printing, memory configs, bfp references."""
    import numpy as np  # noqa: F401

    from importlib.metadata import version as _v
    R.fact("-", "ttnn version (importlib.metadata) / ttnn.__version__", [_v("ttnn"), getattr(ttnn, "__version__", "no __version__")])
    R.fact("-", "torch.__version__", torch.__version__)
    # Shape
    s = ttnn.Shape([1, 2, 32, 64])
    R.fact("-", "str(ttnn.Shape([1,2,32,64]))", str(s))
    R.fact("-", "repr(ttnn.Shape([1,2,32,64]))", repr(s))
    R.fact_of("-", "list(shape), len(shape), shape[-1], shape.rank", lambda: [list(s), len(s), s[-1], getattr(s, "rank", "no .rank")])
    R.fact_of("-", "shape == [1,2,32,64] / == (1,2,32,64) / == ttnn.Shape(..)",
              lambda: [s == [1, 2, 32, 64], s == (1, 2, 32, 64), s == ttnn.Shape([1, 2, 32, 64])])
    R.fact_of("-", "tuple(shape)", lambda: repr(tuple(s)))
    R.fact_of("-", "shape[1:] (slicing)", lambda: repr(s[1:]))
    R.fact_of("-", "shape[4] (out of range)", lambda: repr(s[4]))
    R.fact_of("-", "shape[-5] (out of range)", lambda: repr(s[-5]))
    R.fact_of("-", "hash(ttnn.Shape)", lambda: type(hash(s)).__name__)
    R.fact_of("-", "ttnn.Shape([]) / rank-1", lambda: [repr(ttnn.Shape([])), repr(ttnn.Shape([7]))])
    # Tensor printing
    x = ttnn.from_torch(torch.arange(6, dtype=torch.float32).reshape(1, 2, 3).to(torch.bfloat16),
                        dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    R.fact("-", "repr(host TILE tensor [1,2,3] bf16)", repr(x))
    R.fact("-", "type(t.shape), repr(t.shape), repr(t.padded_shape)",
           [type(x.shape).__name__, repr(x.shape), repr(x.padded_shape)])
    R.fact_of("-", "t.logical_shape() / t.get_layout() / t.get_dtype() exist?",
              lambda: [hasattr(x, n) for n in ("logical_shape", "get_layout", "get_dtype", "spec", "tensor_spec", "volume", "logical_volume")])
    R.fact_of("-", "public attributes of t.spec (TensorSpec)", lambda: [a for a in dir(x.spec) if not a.startswith("_")])
    R.fact_of("-", "t.spec.shape", lambda: repr(x.spec.shape))
    R.fact_of("-", "t.logical_volume() / t.volume()", lambda: [x.logical_volume(), x.volume()])
    R.fact_of("-", "t.tile.tile_shape", lambda: repr(x.tile.tile_shape))
    R.fact_of("-", "t.storage_type(), t.is_allocated(), t.device()", lambda: [repr(x.storage_type()), x.is_allocated(), repr(x.device())])
    R.fact_of("-", "t.memory_config() of a host tensor", lambda: repr(x.memory_config()))
    # memory configs
    R.fact("-", "repr(ttnn.DRAM_MEMORY_CONFIG)", repr(ttnn.DRAM_MEMORY_CONFIG))
    R.fact("-", "repr(ttnn.L1_MEMORY_CONFIG)", repr(ttnn.L1_MEMORY_CONFIG))
    R.fact_of("-", "DRAM_MEMORY_CONFIG == MemoryConfig(INTERLEAVED, DRAM); == L1_MEMORY_CONFIG; == MemoryConfig()",
              lambda: [ttnn.DRAM_MEMORY_CONFIG == ttnn.MemoryConfig(ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.DRAM),
                       ttnn.DRAM_MEMORY_CONFIG == ttnn.L1_MEMORY_CONFIG, ttnn.DRAM_MEMORY_CONFIG == ttnn.MemoryConfig()])
    R.fact_of("-", "hash(MemoryConfig)", lambda: type(hash(ttnn.DRAM_MEMORY_CONFIG)).__name__)
    mc = shard_mc("HEIGHT_SHARDED", 32, [32, 128])
    R.fact("-", "repr(height-sharded MemoryConfig 32 cores shard [32,128])", repr(mc))
    R.fact_of("-", "mc.is_sharded(), mc.memory_layout, mc.buffer_type, mc.shard_spec.shape, .grid, .orientation",
              lambda: [mc.is_sharded(), repr(mc.memory_layout), repr(mc.buffer_type), list(mc.shard_spec.shape),
                       repr(mc.shard_spec.grid), repr(mc.shard_spec.orientation)])
    R.fact_of("-", "equal sharded configs built twice compare ==", lambda: mc == shard_mc("HEIGHT_SHARDED", 32, [32, 128]))
    R.fact_of("-", "create_sharded_memory_config((32,128), core_grid=CoreGrid(y=4,x=8), HEIGHT, ROW_MAJOR, use_height_and_width_as_shard_shape=True)",
              lambda: repr(ttnn.create_sharded_memory_config((32, 128), core_grid=ttnn.CoreGrid(y=4, x=8),
                                                             strategy=ttnn.ShardStrategy.HEIGHT,
                                                             orientation=ttnn.ShardOrientation.ROW_MAJOR,
                                                             use_height_and_width_as_shard_shape=True)))
    R.fact_of("-", "num_cores_to_corerangeset(32, CoreCoord(8,8), row_wise=True)", lambda: grid_desc(cores(32)))
    R.fact_of("-", "num_cores_to_corerangeset(12, CoreCoord(8,8), row_wise=True)", lambda: grid_desc(cores(12)))

    # conversions
    dts = [("bfloat16", ttnn.bfloat16), ("float32", ttnn.float32), ("bfloat8_b", ttnn.bfloat8_b),
           ("bfloat4_b", ttnn.bfloat4_b)]
    for shape in ([1, 7, 100], [32, 64], [1, 1, 32, 1024], [1, 1, 33, 128]):
        src = torch.randn(shape, dtype=torch.float32)
        for name, dt in dts:
            for lname, lay in (("TILE", ttnn.TILE_LAYOUT), ("ROW_MAJOR", ttnn.ROW_MAJOR_LAYOUT)):
                code = f"ttnn.from_torch(randn({shape}) f32, dtype=ttnn.{name}, layout={lname})"

                def conv(src=src, dt=dt, lay=lay):
                    t = ttnn.from_torch(src, dtype=dt, layout=lay)
                    back = ttnn.to_torch(t)
                    err = (back.float() - src).abs().max().item()
                    return f"{describe(t)}; to_torch -> {list(back.shape)} {back.dtype}, max|err|={err:.4g}"

                R.call("host", code, conv)
    # input torch dtype and rounding
    src = torch.randn(4096, dtype=torch.float32).reshape(64, 64)

    def rounding():
        t = ttnn.to_torch(ttnn.from_torch(src, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT))
        rne = src.to(torch.bfloat16)
        trunc = (src.view(torch.int32) & ~0xFFFF).view(torch.float32).to(torch.bfloat16)
        return (f"f32->bf16 equals torch .to(bfloat16) (round-nearest-even): {torch.equal(t, rne)}; "
                f"equals truncation: {torch.equal(t, trunc)}")
    R.call("host", "ttnn.from_torch(f32, dtype=ttnn.bfloat16) rounding vs torch", rounding)
    R.call("host", "ttnn.from_torch(bf16 tensor) (dtype=None)", lambda: ttnn.from_torch(src.to(torch.bfloat16)))
    R.call("host", "ttnn.from_torch(f32 tensor) (dtype=None)", lambda: ttnn.from_torch(src))
    R.call("host", "ttnn.from_torch(int32 [1,33], dtype=ttnn.uint32, ROW_MAJOR)",
           lambda: ttnn.from_torch(torch.zeros(1, 33, dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT))
    R.call("host", "ttnn.from_torch(int32 [1,33], dtype=ttnn.uint32, TILE)",
           lambda: ttnn.from_torch(torch.zeros(1, 33, dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT))
    R.call("host", "ttnn.from_torch(int64 [1,33], dtype=ttnn.uint32, ROW_MAJOR)",
           lambda: ttnn.from_torch(torch.zeros(1, 33, dtype=torch.int64), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT))
    R.call("host", "ttnn.to_torch(uint32 host tensor).dtype",
           lambda: str(ttnn.to_torch(ttnn.from_torch(torch.arange(5, dtype=torch.int32).reshape(1, 5), dtype=ttnn.uint32)).dtype))
    R.call("host", "ttnn.to_torch(bfloat8_b host tensor).dtype",
           lambda: str(ttnn.to_torch(ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT)).dtype))
    R.call("host", "ttnn.to_torch(float32 host tensor).dtype",
           lambda: str(ttnn.to_torch(ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT)).dtype))
    R.call("host", "ttnn.from_torch(randn(32,32), dtype=ttnn.bfloat8_b, layout=TILE, pad_value=...) on [1,7,100]",
           lambda: ttnn.from_torch(torch.randn(1, 7, 100), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, pad_value=0.0))
    R.call("host", "ttnn.to_layout(host bf16 [1,7,100] ROW_MAJOR, TILE)",
           lambda: ttnn.to_layout(ttnn.from_torch(torch.randn(1, 7, 100), dtype=ttnn.bfloat16), ttnn.TILE_LAYOUT))
    R.call("host", "ttnn.reshape(host bf16 [1,1,32,128] TILE, [1,32,128])",
           lambda: ttnn.reshape(ttnn.from_torch(torch.randn(1, 1, 32, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT), [1, 32, 128]))
    R.call("host", "ttnn.typecast(host bf16 TILE, ttnn.bfloat8_b)",
           lambda: ttnn.typecast(ttnn.from_torch(torch.randn(1, 1, 32, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT), ttnn.bfloat8_b))
    R.call("host", "ttnn.linear(host, host)",
           lambda: ttnn.linear(ttnn.from_torch(torch.randn(1, 1, 32, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT),
                               ttnn.from_torch(torch.randn(128, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)))
    R.call("host", "ttnn.as_tensor(randn(32,32), dtype=bf16, layout=TILE, device=None)",
           lambda: ttnn.as_tensor(torch.randn(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT))

    # bit-exact block-float references ---------------------------------------------------------
    torch.manual_seed(0)
    base = torch.randn(32, 64)
    cases = {}
    for k in (1.0, 0.01, 100.0, 1e-4, 1e-30):
        cases[f"randn_x{k:g}"] = base * k
    cases["zeros"] = torch.zeros(32, 64)
    cases["negative"] = -base.abs()
    mixed = base.clone()
    mags = torch.tensor([10.0 ** e for e in range(-4, 4)]).repeat(2)  # 16 magnitudes per 16-row
    mixed = mixed * mags.repeat(4).reshape(1, 64)
    cases["mixed_magnitudes_within_16"] = mixed
    outl = base.clone()
    outl[5, 3] = 1.0e4  # huge outlier in row 5, first face
    outl[20, 40] = -3.0e3  # second tile, lower face
    cases["row_outlier"] = outl
    cases["ones_and_halves"] = torch.tensor([1.0, 0.5, 0.25, -1.0] * 16).repeat(32, 1)
    cases["powers_of_two_span"] = torch.tensor([2.0 ** (e % 24 - 12) for e in range(64)]).repeat(32, 1)
    cases["rounding_edges"] = (torch.arange(64, dtype=torch.float32) / 64.0 + 1.0).repeat(32, 1)
    e = torch.zeros(32, 64)
    e[0, :3] = torch.tensor([1.999, 0.01, -1.999])          # rounds past 127/64: saturates?
    e[1, :2] = torch.tensor([1.9999999, 1.0])
    e[2, :2] = torch.tensor([0.5, 0.5 + 2 ** -8])           # exact tie in bfp8 (64.5 -> ?)
    e[3, :2] = torch.tensor([0.5, 0.5 + 3 * 2 ** -8])       # exact tie in bfp8 (65.5 -> ?)
    e[4, :2] = torch.tensor([1e-39, 1e-39])                 # f32 denormals
    e[5, :2] = torch.tensor([-0.0, 0.0])
    e[6, 16:20] = torch.tensor([3.0, -3.0, 1.5, 0.75])
    e[20, 40:44] = torch.tensor([2.0 ** 100, 1.0, -(2.0 ** -100), 2.0 ** -120])
    cases["saturation_ties_denormals"] = e
    n = torch.zeros(32, 64)
    n[0, :2] = torch.tensor([float("inf"), 1.0])
    n[1, :2] = torch.tensor([float("nan"), 1.0])
    n[2, :2] = torch.tensor([float("-inf"), -1.0])
    n[3, 16:18] = torch.tensor([1.0, 2.0])
    cases["inf_nan"] = n
    ref = {"meta": {"ttnn": _v("ttnn"), "torch": str(torch.__version__),
                    "made_by": "scripts/probe_mock.py (host-only, no device)",
                    "how": "out[dtype] = ttnn.to_torch(ttnn.from_torch(input, dtype=ttnn.<dtype>, layout=TILE)); "
                           "input is float32 [32,64] (2 tiles); *_from_bf16 entries convert input.to(bfloat16) instead. "
                           "to_torch returns float32; outputs are stored as bfloat16 when that is exact (it always was), "
                           "so compare with out.float()",
                    "seed": "torch.manual_seed(0); base = torch.randn(32, 64)"},
           "cases": {}}
    for name, inp in cases.items():
        entry = {"input": inp.clone()}
        for dname, dt in (("bfloat8_b", ttnn.bfloat8_b), ("bfloat4_b", ttnn.bfloat4_b)):
            for suffix, src in (("", inp), ("_from_bf16", inp.to(torch.bfloat16))):
                out = ttnn.to_torch(ttnn.from_torch(src, dtype=dt, layout=ttnn.TILE_LAYOUT)).float()
                as_bf16 = out.to(torch.bfloat16)
                # every block-float value fits bf16 exactly; store compactly when that holds
                entry[dname + suffix] = as_bf16 if torch.equal(as_bf16.float(), out) else out
        ref["cases"][name] = entry
        e8 = (entry["bfloat8_b"].float() - inp).abs().max().item()
        e4 = (entry["bfloat4_b"].float() - inp).abs().max().item()
        same = torch.equal(entry["bfloat8_b"].float(), entry["bfloat8_b_from_bf16"].float())
        R.fact("bfp", f"bfp round trip '{name}'",
               f"max|err| bfp8={e8:.4g} bfp4={e4:.4g}; bfp8(f32 input) == bfp8(bf16 input): {same}; stored as {entry['bfloat8_b'].dtype}")
    # an exact emulation of the packing, checked against every finite case
    def emulate(x, mbits):
        g = x.float().reshape(x.shape[0], -1, 16)  # rows of 16 = one row of a 16x16 face
        amax = g.abs().amax(-1, keepdim=True)
        ex = torch.floor(torch.log2(amax.clamp_min(torch.finfo(torch.float32).tiny)))
        scale = torch.pow(2.0, ex - (mbits - 1))
        lim = 2 ** mbits - 1
        out = torch.round(g / scale).clamp(-lim, lim) * scale   # torch.round = half to even
        out = torch.where(amax < torch.finfo(torch.float32).tiny, torch.zeros_like(out), out)
        return out.reshape(x.shape)

    for dname, mbits in (("bfloat8_b", 7), ("bfloat4_b", 3)):
        res = {}
        for name, entry in ref["cases"].items():
            if name == "inf_nan":
                continue
            res[name] = (torch.equal(emulate(entry["input"], mbits), entry[dname].float()),
                         torch.equal(emulate(entry["input"].to(torch.bfloat16), mbits), entry[dname + "_from_bf16"].float()))
        bad = [k for k, v in res.items() if not all(v)]
        R.fact("bfp", f"{dname} == emulation (per 16-value face row: e=floor(log2(max|x|)), q=round_half_even(x/2^(e-{mbits - 1})) clamped to +-{2 ** mbits - 1}, out=q*2^(e-{mbits - 1}); rows with max|x| < 2^-126 -> 0)",
               f"exact on {len(res) - len(bad)}/{len(res)} finite cases (f32 input and bf16 input)" + (f"; MISMATCH: {bad}" if bad else ""))
    nn = ref["cases"]["inf_nan"]
    R.fact("bfp", "inf / nan: rows 0-3 cols 0..1 (and row 3 cols 16..17) in -> bfp8 -> bfp4",
           [[nn["input"][r, :2].tolist() for r in range(3)] + [nn["input"][3, 16:18].tolist()],
            [nn["bfloat8_b"][r, :2].float().tolist() for r in range(3)] + [nn["bfloat8_b"][3, 16:18].float().tolist()],
            [nn["bfloat4_b"][r, :2].float().tolist() for r in range(3)] + [nn["bfloat4_b"][3, 16:18].float().tolist()]])
    ed = ref["cases"]["saturation_ties_denormals"]
    R.fact("bfp", "saturation/ties/denormals rows 0-5 cols 0..2: in -> bfp8",
           [[ed["input"][r, :3].tolist() for r in range(6)], [ed["bfloat8_b"][r, :3].float().tolist() for r in range(6)]])

    # row outlier detail: what happens to its 16-neighbourhood
    o = ref["cases"]["row_outlier"]
    R.fact("bfp", "row_outlier: row 5 cols 0..15 in / bfp8 / bfp4",
           [o["input"][5, :16].tolist(), o["bfloat8_b"][5, :16].float().tolist(), o["bfloat4_b"][5, :16].float().tolist()])
    R.fact("bfp", "row_outlier: row 5 cols 16..19 (other face) in / bfp8",
           [o["input"][5, 16:20].tolist(), o["bfloat8_b"][5, 16:20].float().tolist()])
    R.fact("bfp", "row_outlier: row 6 cols 0..3 (same face, next row) in / bfp8",
           [o["input"][6, :4].tolist(), o["bfloat8_b"][6, :4].float().tolist()])
    t = ref["cases"]["randn_x1e-30"]
    R.fact("bfp", "randn*1e-30: bfp8 out all zero? bfp4 out all zero?",
           [bool((t["bfloat8_b"] == 0).all()), bool((t["bfloat4_b"] == 0).all())])
    R.fact("bfp", "ttnn.to_torch dtype of a bfloat8_b / bfloat4_b tensor", "torch.float32 (values all exactly representable in bfloat16)")
    BFP_REF.parent.mkdir(parents=True, exist_ok=True)
    torch.save(ref, BFP_REF)
    R.fact("bfp", "saved", f"{BFP_REF.relative_to(REPO)} ({BFP_REF.stat().st_size} bytes, {len(cases)} cases)")


def sec_device(R: Recorder):
    d = DEV
    R.fact("-", "type(device)", type(d).__name__)
    R.fact_of("-", "device.arch()", lambda: repr(d.arch()))
    R.fact_of("-", "device.compute_with_storage_grid_size()", lambda: repr(d.compute_with_storage_grid_size()))
    R.fact_of("-", "device.core_grid", lambda: repr(d.core_grid))
    R.fact_of("-", "device.dram_grid_size()", lambda: repr(d.dram_grid_size()))
    R.fact_of("-", "device.shape / get_num_devices() / id() / get_device_ids()", lambda: [repr(d.shape), d.get_num_devices(), d.id(), list(d.get_device_ids())])
    R.fact_of("-", "public attributes of the device object", lambda: [a for a in dir(d) if not a.startswith("_")])
    for bt in ("DRAM", "L1"):
        R.fact_of("-", f"ttnn.get_memory_view(device, BufferType.{bt}): num_banks, total_bytes_per_bank",
                  lambda bt=bt: [ttnn.get_memory_view(d, getattr(ttnn.BufferType, bt)).num_banks,
                                 ttnn.get_memory_view(d, getattr(ttnn.BufferType, bt)).total_bytes_per_bank])
        R.fact_of("-", f"ttnn.get_allocator_base_address(device, BufferType.{bt})",
                  lambda bt=bt: ttnn.get_allocator_base_address(d, getattr(ttnn.BufferType, bt)))
    R.fact_of("-", "DRAM total = num_banks * bytes_per_bank",
              lambda: (lambda v: f"{v.num_banks * v.total_bytes_per_bank} B = {v.num_banks * v.total_bytes_per_bank / 2**30:.3f} GiB")(ttnn.get_memory_view(d, ttnn.BufferType.DRAM)))
    R.fact_of("-", "device.sfpu_eps()/sfpu_inf()/sfpu_nan()", lambda: [d.sfpu_eps(), d.sfpu_inf(), d.sfpu_nan()])

    # L1 OOM
    R.call("-", "ttnn.allocate_tensor_on_device([1,1,32768,4096] bf16 TILE, L1_MEMORY_CONFIG)  # 256 MiB",
           lambda: alloc([1, 1, 32768, 4096], mem=ttnn.L1_MEMORY_CONFIG))
    R.call("-", "ttnn.allocate_tensor_on_device([1,1,1024,1024] bf16 TILE, L1_MEMORY_CONFIG)  # 2 MiB",
           lambda: alloc([1, 1, 1024, 1024], mem=ttnn.L1_MEMORY_CONFIG))
    R.call("-", "ttnn.allocate_tensor_on_device([1,1,32,1024] bf16 TILE, L1 HEIGHT_SHARDED shard [32,1024] 1 core)",
           lambda: alloc([1, 1, 32, 1024], mem=shard_mc("HEIGHT_SHARDED", 1, [32, 1024])))
    R.call("-", "ttnn.allocate_tensor_on_device([1,1,32*700,1024] bf16, L1 HEIGHT_SHARDED shard [700*32,1024] 1 core)  # 45 MB on one core",
           lambda: alloc([1, 1, 32 * 700, 1024], mem=shard_mc("HEIGHT_SHARDED", 1, [32 * 700, 1024])))

    # KV cache capacity: 28 layers x K,V of [32, 8, S, 128] bf16 in DRAM
    def try_alloc_all(batch, S, n=56, dtype=None):
        held = []
        try:
            for _ in range(n):
                held.append(alloc([batch, 8, S, 128], dtype=dtype))
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
        R.fact("kv", f"largest S with 28 layers x K,V [{batch},8,S,128] {dname} DRAM (all 56 allocated)",
               f"S={lo} (multiple of 32); ~{per * lo / 2**30:.3f} GiB")
        if msg_at_fail:
            R.fact("kv", f"first failing S for [{batch},8,S,128] {dname} and message", f"S={msg_at_fail[0]}: {msg_at_fail[1]}")

    # program cache
    x = dev_t([1, 1, 32, 1024])
    w = dev_t([1024, 3072])
    R.fact_of("-", "num_program_cache_entries() before", lambda: d.num_program_cache_entries())
    ttnn.linear(x, w)
    n1 = d.num_program_cache_entries()
    ttnn.linear(x, w)
    n2 = d.num_program_cache_entries()
    x2 = dev_t([1, 1, 32, 1024])
    ttnn.linear(x2, w)
    n3 = d.num_program_cache_entries()
    x3 = dev_t([1, 1, 64, 1024])
    ttnn.linear(x3, w)
    n4 = d.num_program_cache_entries()
    R.fact("-", "program cache entries after linear / same call again / new input same shape / new shape S=64",
           [n1, n2, n3, n4])
    import time as _t
    t0 = _t.perf_counter()
    for _ in range(50):
        y = ttnn.linear(x, w)
        ttnn.deallocate(y)
    R.fact("-", "host time per cached ttnn.linear([1,1,32,1024]x[1024,3072]) call on mock (mean of 50)",
           f"{(_t.perf_counter() - t0) / 50 * 1e3:.3f} ms")
    R.fact_of("-", "device.disable_and_clear_program_cache() then entries", lambda: (d.disable_and_clear_program_cache(), d.num_program_cache_entries())[1])
    R.fact_of("-", "device.enable_program_cache() then linear then entries",
              lambda: (d.enable_program_cache(), ttnn.linear(x, w), d.num_program_cache_entries())[2])
    # which arguments are baked into the program (new cache entry) vs runtime args (cache hit)
    def entries_after(fn_a, fn_b):
        d.clear_program_cache()
        fn_a()
        n_a = d.num_program_cache_entries()
        fn_b()
        return f"{n_a} -> {d.num_program_cache_entries()}"

    cos = dev_t([1, 1, 2048, 128])
    xq = dev_t([1, 1, 32, 128])
    R.fact_of("pc", "rotary_embedding decode: token_index=5 then token_index=6 (entries)",
              lambda: entries_after(lambda: ttnn.experimental.rotary_embedding(xq, cos, cos, 5),
                                    lambda: ttnn.experimental.rotary_embedding(xq, cos, cos, 6)))
    xp1 = dev_t([1, 16, 32, 128])
    xp2 = dev_t([1, 16, 64, 128])
    R.fact_of("pc", "rotary_embedding prefill: S=32 then S=64 (entries)",
              lambda: entries_after(lambda: ttnn.experimental.rotary_embedding(xp1, cos, cos),
                                    lambda: ttnn.experimental.rotary_embedding(xp2, cos, cos)))
    q = dev_t([1, 1, 16, 128])
    kc = dev_t([1, 8, 2048, 128])
    R.fact_of("pc", "sdpa_decode: cur_pos=[5] then cur_pos=[6] (entries)",
              lambda: entries_after(lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[5]),
                                    lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[6])))
    R.fact_of("pc", "sdpa_decode: cur_pos=[5] then cur_pos=[1500] (entries)",
              lambda: entries_after(lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[5]),
                                    lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[1500])))
    pos = dev_t([1], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
    R.fact_of("pc", "sdpa_decode: cur_pos_tensor twice (entries)",
              lambda: entries_after(lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos_tensor=pos),
                                    lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos_tensor=pos)))
    xs = dev_t([1, 1, 8, 128], mem=shard_mc("HEIGHT_SHARDED", 1, [32, 128]))
    R.fact_of("pc", "paged_update_cache: update_idxs=[5] then [6] (entries)",
              lambda: entries_after(lambda: ttnn.experimental.paged_update_cache(kc, xs, update_idxs=[5]),
                                    lambda: ttnn.experimental.paged_update_cache(kc, xs, update_idxs=[6])))
    xf = dev_t([1, 8, 32, 128])
    R.fact_of("pc", "fill_cache: update_idx=0 then update_idx=32 (entries)",
              lambda: entries_after(lambda: ttnn.fill_cache(kc, xf, 0, update_idx=0),
                                    lambda: ttnn.fill_cache(kc, xf, 0, update_idx=32)))
    xf2 = dev_t([1, 8, 64, 128])
    R.fact_of("pc", "fill_cache: S=32 then S=64 (entries)",
              lambda: entries_after(lambda: ttnn.fill_cache(kc, xf, 0), lambda: ttnn.fill_cache(kc, xf2, 0)))
    free([cos, xq, xp1, xp2, q, kc, pos, xs, xf, xf2])

    R.call("-", "ttnn.to_torch(device tensor) content of linear output",
           lambda: (lambda t: f"shape {list(t.shape)} dtype {t.dtype} all zero: {bool((t == 0).all())}")(ttnn.to_torch(ttnn.linear(x, w))))
    xr = dev_t([1, 1, 32, 1024], fill=1.0)
    R.call("-", "ttnn.to_torch(from_torch(full(1.0), device=dev)) (written then read back)",
           lambda: (lambda t: f"all zero: {bool((t == 0).all())}, all one: {bool((t == 1).all())}")(ttnn.to_torch(xr)))


def sec_embedding(R: Recorder):
    for cfg, c in CFGS.items():
        H, V = c["H"], c["V"]
        w2 = dev_t([V, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        w4 = dev_t([1, 1, V, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        for S in (32, 33, 128):
            for ids_shape in ([1, S], [1, 1, 1, S]):
                ids = dev_t(ids_shape, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
                for wname, w in (("[V,H]", w2), ("[1,1,V,H]", w4)):
                    for lay in ("default", "TILE"):
                        kw = {} if lay == "default" else {"layout": ttnn.TILE_LAYOUT}
                        code = (f"ttnn.embedding(ids{T(ids_shape, 'uint32', 'RM')}, w{wname}={T(list(w.shape), 'bf16', 'RM')}"
                                + (", layout=ttnn.TILE_LAYOUT" if lay == "TILE" else "") + ")")
                        R.call(cfg, code, lambda ids=ids, w=w, kw=kw: ttnn.embedding(ids, w, **kw))
                free(ids)
        # variants
        ids = dev_t([1, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bf16 RM, layout=TILE, memory_config=L1)",
               lambda: ttnn.embedding(ids, w2, layout=ttnn.TILE_LAYOUT, memory_config=ttnn.L1_MEMORY_CONFIG))
        R.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bf16 RM, layout=TILE, dtype=ttnn.bfloat8_b)",
               lambda: ttnn.embedding(ids, w2, layout=ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b))
        idt = dev_t([1, 32], dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,32] uint32 TILE, w[V,H] bf16 RM)", lambda: ttnn.embedding(idt, w2))
        idb = dev_t([1, 32], dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,32] bf16 RM, w[V,H] bf16 RM)", lambda: ttnn.embedding(idb, w2))
        idi = dev_t([1, 32], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,32] int32 RM, w[V,H] bf16 RM)", lambda: ttnn.embedding(idi, w2))
        wt = dev_t([V, H], layout=ttnn.TILE_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bf16 TILE)", lambda: ttnn.embedding(ids, wt))
        free(wt)
        wb = dev_t([V, H], dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,32] uint32 RM, w[V,H] bfloat8_b TILE)", lambda: ttnn.embedding(ids, wb))
        free(wb)
        ids32 = dev_t([32, 1], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[32,1] (decode batch 32) uint32 RM, w[V,H], layout=TILE)",
               lambda: ttnn.embedding(ids32, w2, layout=ttnn.TILE_LAYOUT))
        ids1 = dev_t([1, 1], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.embedding(ids[1,1] uint32 RM, w[V,H], layout=TILE)",
               lambda: ttnn.embedding(ids1, w2, layout=ttnn.TILE_LAYOUT))
        R.call(cfg, "ttnn.embedding(ids[1,1] uint32 RM, w[V,H]) (ROW_MAJOR out)", lambda: ttnn.embedding(ids1, w2))
        R.call(cfg, "ttnn.embedding(ids host [1,32], w[V,H])",
               lambda: ttnn.embedding(ttnn.from_torch(torch.zeros(1, 32, dtype=torch.int32), dtype=ttnn.uint32), w2))
        free([w2, w4])


def sec_linear(R: Recorder):
    for cfg, c in CFGS.items():
        H, I, V, nh, nkv, hd = c["H"], c["I"], c["V"], c["nh"], c["nkv"], c["hd"]
        QKV = (nh + 2 * nkv) * hd
        wI = dev_t([H, I])
        wI8 = dev_t([H, I], dtype=ttnn.bfloat8_b)
        wI4 = dev_t([H, I], dtype=ttnn.bfloat4_b)
        wQKV = dev_t([H, QKV])
        wD = dev_t([I, H])
        wO = dev_t([nh * hd, H])
        for S in (32, 128, 2048):
            x = dev_t([1, 1, S, H])
            R.call(cfg, f"ttnn.linear(x{T([1,1,S,H])}, w{T([H,I])})", lambda: ttnn.linear(x, wI))
            R.call(cfg, f"ttnn.linear(x{T([1,1,S,H])}, w{T([H,I],'bfloat8_b')})", lambda: ttnn.linear(x, wI8))
            R.call(cfg, f"ttnn.linear(x{T([1,1,S,H])}, w{T([H,I],'bfloat8_b')}, activation='silu')",
                   lambda: ttnn.linear(x, wI8, activation="silu"))
            R.call(cfg, f"ttnn.linear(x{T([1,1,S,H])}, w{T([H,I])}, activation='silu')",
                   lambda: ttnn.linear(x, wI, activation="silu"))
            R.call(cfg, f"ttnn.linear(x{T([1,1,S,H])}, w{T([H,QKV])})  # fused qkv", lambda: ttnn.linear(x, wQKV))
            xi = dev_t([1, 1, S, I])
            R.call(cfg, f"ttnn.linear(x{T([1,1,S,I])}, w{T([I,H])})  # down", lambda: ttnn.linear(xi, wD))
            free(xi)
            free(x)
        x = dev_t([1, 1, 32, H])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,I],'bfloat4_b')})", lambda: ttnn.linear(x, wI4))
        xo = dev_t([1, 1, 32, nh * hd])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,nh*hd])}, w{T([nh*hd,H])})  # o_proj", lambda: ttnn.linear(xo, wO))
        free(xo)
        wV = dev_t([H, V])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,V])})  # lm_head", lambda: ttnn.linear(x, wV))
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,V])}, dtype=ttnn.float32)", lambda: ttnn.linear(x, wV, dtype=ttnn.float32))
        free(wV)
        w4 = dev_t([1, 1, H, I])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([1,1,H,I])})  # 4-D weight", lambda: ttnn.linear(x, w4))
        free(w4)
        x33 = dev_t([1, 1, 33, H])
        R.call(cfg, f"ttnn.linear(x{T([1,1,33,H])}, w{T([H,I])})  # S not multiple of 32", lambda: ttnn.linear(x33, wI))
        free(x33)
        x3 = dev_t([1, 32, H])
        R.call(cfg, f"ttnn.linear(x{T([1,32,H])}, w{T([H,I])})  # 3-D input", lambda: ttnn.linear(x3, wI))
        free(x3)
        x2 = dev_t([32, H])
        R.call(cfg, f"ttnn.linear(x{T([32,H])}, w{T([H,I])})  # 2-D input", lambda: ttnn.linear(x2, wI))
        free(x2)
        xb = dev_t([1, 1, 32, H + 32])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H+32])}, w{T([H,I])})  # inner-dim mismatch", lambda: ttnn.linear(xb, wI))
        free(xb)
        xb = dev_t([1, 1, 32, H + 1])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H+1])}, w{T([H,I])})  # inner-dim mismatch inside the padded tile", lambda: ttnn.linear(xb, wI))
        free(xb)
        xr = dev_t([1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H],'bf16','RM')}, w{T([H,I])})  # ROW_MAJOR input", lambda: ttnn.linear(xr, wI))
        free(xr)
        wr = dev_t([H, I], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,I],'bf16','RM')})  # ROW_MAJOR weight", lambda: ttnn.linear(x, wr))
        free(wr)
        xh = dev_t([1, 1, 32, H], on_device=False)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H],'bf16','TILE','HOST')}, w{T([H,I])})  # host input", lambda: ttnn.linear(xh, wI))
        xf = dev_t([1, 1, 32, H], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H],'f32')}, w{T([H,I])})  # f32 activations", lambda: ttnn.linear(xf, wI))
        free(xf)
        x8 = dev_t([1, 1, 32, H], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H],'bfloat8_b')}, w{T([H,I])})  # bfp8 activations", lambda: ttnn.linear(x8, wI))
        free(x8)
        xl = dev_t([1, 1, 32, H], mem=ttnn.L1_MEMORY_CONFIG)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H],'bf16','TILE','L1')}, w{T([H,I])}, memory_config=L1)",
               lambda: ttnn.linear(xl, wI, memory_config=ttnn.L1_MEMORY_CONFIG))
        free(xl)
        ck = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, math_approx_mode=False,
                                              fp32_dest_acc_en=True, packer_l1_acc=True)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,I],'bfloat8_b')}, compute_kernel_config=HiFi2+fp32_acc)",
               lambda: ttnn.linear(x, wI8, compute_kernel_config=ck))
        bias = dev_t([1, I])
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,I])}, bias={T([1,I])})", lambda: ttnn.linear(x, wI, bias=bias))
        free(bias)
        R.call(cfg, f"ttnn.linear(x{T([1,1,32,H])}, w{T([H,I])}, transpose_b=True)  # w treated as [I,H]", lambda: ttnn.linear(x, wI, transpose_b=True))
        R.call(cfg, f"ttnn.matmul(x{T([1,1,32,H])}, w{T([H,I])})", lambda: ttnn.matmul(x, wI))
        free([x, wI, wI8, wI4, wQKV, wD, wO])


def sec_rms_norm(R: Recorder):
    for cfg, c in CFGS.items():
        H, nh, nkv, hd = c["H"], c["nh"], c["nkv"], c["hd"]
        w_tile = dev_t([1, 1, 1, H])
        w_rm1 = dev_t([H], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_rm4 = dev_t([1, 1, H // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_rm2 = dev_t([H // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_rmH = dev_t([1, 1, 1, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        w_tile1 = dev_t([H])
        w_f32 = dev_t([1, 1, 1, H], dtype=ttnn.float32)
        weights = [("w[1,1,1,H] TILE", w_tile), ("w[H] RM", w_rm1), ("w[1,1,H/32,32] RM", w_rm4),
                   ("w[H/32,32] RM", w_rm2), ("w[1,1,1,H] RM", w_rmH), ("w[H] TILE", w_tile1),
                   ("w[1,1,1,H] f32 TILE", w_f32)]
        for S in (32, 128):
            x = dev_t([1, 1, S, H])
            R.call(cfg, f"ttnn.rms_norm(x{T([1,1,S,H])}, epsilon=1e-6)  # no weight", lambda: ttnn.rms_norm(x, epsilon=1e-6))
            for wname, w in weights:
                wn = wname.replace("H/32", str(H // 32)).replace("H", str(H))
                R.call(cfg, f"ttnn.rms_norm(x{T([1,1,S,H])}, weight={wn}, epsilon=1e-6)",
                       lambda w=w: ttnn.rms_norm(x, weight=w, epsilon=1e-6))
            free(x)
        x33 = dev_t([1, 1, 33, H])
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,33,H])}, weight=w[1,1,1,{H}] TILE)", lambda: ttnn.rms_norm(x33, weight=w_tile, epsilon=1e-6))
        free(x33)
        x3 = dev_t([1, 32, H])
        R.call(cfg, f"ttnn.rms_norm(x{T([1,32,H])}, weight=w[1,1,1,{H}] TILE)", lambda: ttnn.rms_norm(x3, weight=w_tile, epsilon=1e-6))
        free(x3)
        xf = dev_t([1, 1, 32, H], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H],'f32')}, weight=w[1,1,1,{H}] bf16 TILE)", lambda: ttnn.rms_norm(xf, weight=w_tile, epsilon=1e-6))
        free(xf)
        x8 = dev_t([1, 1, 32, H], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H],'bfloat8_b')}, weight=w[1,1,1,{H}] TILE)", lambda: ttnn.rms_norm(x8, weight=w_tile, epsilon=1e-6))
        free(x8)
        xr = dev_t([1, 1, 32, H])
        res = dev_t([1, 1, 32, H])
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H])}, residual_input_tensor={T([1,1,32,H])}, weight=w TILE)",
               lambda: ttnn.rms_norm(xr, residual_input_tensor=res, weight=w_tile, epsilon=1e-6))
        xrm = dev_t([1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H],'bf16','RM')}, weight=w TILE)  # ROW_MAJOR input", lambda: ttnn.rms_norm(xrm, weight=w_tile, epsilon=1e-6))
        free([xrm, res])
        # wrong weight sizes
        w_bad = dev_t([1, 1, 1, H // 2])
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H])}, weight=w[1,1,1,{H//2}] TILE)  # wrong size", lambda: ttnn.rms_norm(xr, weight=w_bad, epsilon=1e-6))
        w_bad2 = dev_t([1, 1, H // 64, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H])}, weight=w[1,1,{H//64},32] RM)  # wrong size (RM)", lambda: ttnn.rms_norm(xr, weight=w_bad2, epsilon=1e-6))
        w_bad3 = dev_t([1, 1, H // 64, 64], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H])}, weight=w[1,1,{H//64},64] RM)  # RM width != 32", lambda: ttnn.rms_norm(xr, weight=w_bad3, epsilon=1e-6))
        w_bad4 = dev_t([1, 1, 2 * H // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.rms_norm(x{T([1,1,32,H])}, weight=w[1,1,{2*H//32},32] RM)  # too many elements (RM)", lambda: ttnn.rms_norm(xr, weight=w_bad4, epsilon=1e-6))
        free([w_bad, w_bad2, w_bad3, w_bad4, xr])
        # heads (q_norm / k_norm over head_dim)
        wh_tile = dev_t([1, 1, 1, hd])
        wh_rm = dev_t([1, 1, hd // 32, 32], layout=ttnn.ROW_MAJOR_LAYOUT)
        wh_rm1 = dev_t([hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        for S in (32, 128):
            for n in (nh, nkv):
                xh = dev_t([1, n, S, hd])
                for wname, w in ((f"w[1,1,1,{hd}] TILE", wh_tile), (f"w[1,1,{hd//32},32] RM", wh_rm), (f"w[{hd}] RM", wh_rm1)):
                    R.call(cfg, f"ttnn.rms_norm(x{T([1,n,S,hd])}, weight={wname}, epsilon=1e-6)",
                           lambda xh=xh, w=w: ttnn.rms_norm(xh, weight=w, epsilon=1e-6))
                free(xh)
        # decode-shaped heads, interleaved (padded heads)
        for B in (1, 32):
            xd = dev_t([1, B, nh, hd])
            R.call(cfg, f"ttnn.rms_norm(x{T([1,B,nh,hd])}, weight=w[1,1,1,{hd}] TILE)  # decode heads interleaved",
                   lambda: ttnn.rms_norm(xd, weight=wh_tile, epsilon=1e-6))
            free(xd)
        # HEIGHT_SHARDED decode heads [1,32,nh,hd] (as from nlp_create_qkv_heads_decode)
        xs = dev_t([1, 32, nh, hd], mem=shard_mc("HEIGHT_SHARDED", 32, [32, hd]))
        R.call(cfg, f"ttnn.rms_norm(x[1,32,{nh},{hd}] L1 HEIGHT_SHARDED shard[32,{hd}] 32 cores, weight=w TILE)",
               lambda: ttnn.rms_norm(xs, weight=wh_tile, epsilon=1e-6))
        R.call(cfg, f"ttnn.rms_norm(x[1,32,{nh},{hd}] L1 HEIGHT_SHARDED, weight=w TILE, memory_config=L1 HEIGHT_SHARDED same)",
               lambda: ttnn.rms_norm(xs, weight=wh_tile, epsilon=1e-6, memory_config=xs.memory_config()))
        free(xs)
        # width-sharded [1,1,32,H]
        ncores = min(H // 32, 32)
        xw = dev_t([1, 1, 32, H], mem=shard_mc("WIDTH_SHARDED", ncores, [32, H // ncores]))
        R.call(cfg, f"ttnn.rms_norm(x[1,1,32,{H}] L1 WIDTH_SHARDED {ncores} cores, weight=w TILE)  # no program_config",
               lambda: ttnn.rms_norm(xw, weight=w_tile, epsilon=1e-6))
        free(xw)
        free([w for _, w in weights] + [wh_tile, wh_rm, wh_rm1])


def sec_eltwise(R: Recorder):
    for cfg, c in CFGS.items():
        H, I, nh, hd = c["H"], c["I"], c["nh"], c["hd"]
        a = dev_t([1, 1, 32, H])
        b = dev_t([1, 1, 32, H])
        b1 = dev_t([1, 1, 1, H])
        for op in ("add", "mul"):
            f = getattr(ttnn, op)
            R.call(cfg, f"ttnn.{op}(a{T([1,1,32,H])}, b{T([1,1,32,H])})", lambda f=f: f(a, b))
            R.call(cfg, f"ttnn.{op}(a{T([1,1,32,H])}, b{T([1,1,1,H])})  # broadcast rows", lambda f=f: f(a, b1))
            R.call(cfg, f"ttnn.{op}(a{T([1,1,1,H])}, b{T([1,1,32,H])})  # broadcast first operand", lambda f=f: f(b1, a))
            R.call(cfg, f"ttnn.{op}(a{T([1,1,32,H])}, 0.5)  # scalar", lambda f=f: f(a, 0.5))
        for S in (128, 2048):
            x = dev_t([1, 1, S, I])
            y = dev_t([1, 1, S, I])
            R.call(cfg, f"ttnn.mul(a{T([1,1,S,I])}, b{T([1,1,S,I])})", lambda: ttnn.mul(x, y))
            R.call(cfg, f"ttnn.silu(x{T([1,1,S,I])})", lambda: ttnn.silu(x))
            R.call(cfg, f"ttnn.mul(a, b, input_tensor_a_activations=[ttnn.UnaryOpType.SILU])  # fused silu*up {[1,1,S,I]}",
                   lambda: ttnn.mul(x, y, input_tensor_a_activations=[ttnn.UnaryOpType.SILU]))
            free([x, y])
        for B in (1, 32):
            q = dev_t([1, B, nh, hd])
            k = dev_t([1, B, 1, hd])
            R.call(cfg, f"ttnn.mul(a{T([1,B,nh,hd])}, b{T([1,B,1,hd])})", lambda: ttnn.mul(q, k))
            R.call(cfg, f"ttnn.add(a{T([1,B,nh,hd])}, b{T([1,B,1,hd])})", lambda: ttnn.add(q, k))
            free([q, k])
        c2 = dev_t([1, 1, 64, H])
        R.call(cfg, f"ttnn.add(a{T([1,1,32,H])}, b{T([1,1,64,H])})  # incompatible", lambda: ttnn.add(a, c2))
        free(c2)
        c3 = dev_t([1, 1, 33, H])
        R.call(cfg, f"ttnn.add(a{T([1,1,33,H])}, b{T([1,1,33,H])})", lambda: ttnn.add(c3, c3))
        free(c3)
        ar = dev_t([1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.add(a{T([1,1,32,H],'bf16','RM')}, b{T([1,1,32,H],'bf16','RM')})", lambda: ttnn.add(ar, ar))
        R.call(cfg, f"ttnn.add(a{T([1,1,32,H],'bf16','RM')}, b{T([1,1,32,H])})  # mixed layouts", lambda: ttnn.add(ar, a))
        free(ar)
        a8 = dev_t([1, 1, 32, H], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.add(a{T([1,1,32,H],'bfloat8_b')}, b{T([1,1,32,H])})  # mixed dtypes", lambda: ttnn.add(a8, a))
        free(a8)
        af = dev_t([1, 1, 32, H], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.add(a{T([1,1,32,H],'f32')}, b{T([1,1,32,H])})  # f32 + bf16", lambda: ttnn.add(af, a))
        R.call(cfg, f"ttnn.add(a{T([1,1,32,H])}, b{T([1,1,32,H])}, dtype=ttnn.float32)", lambda: ttnn.add(a, b, dtype=ttnn.float32))
        free(af)
        R.call(cfg, f"ttnn.add(a, b, memory_config=L1) {[1,1,32,H]}", lambda: ttnn.add(a, b, memory_config=ttnn.L1_MEMORY_CONFIG))
        R.call(cfg, f"ttnn.neg(x{T([1,1,32,H])})", lambda: ttnn.neg(a))
        R.call(cfg, f"ttnn.softmax(x{T([1,1,32,H])}, dim=-1)", lambda: ttnn.softmax(a, dim=-1))
        R.call(cfg, f"ttnn.argmax(x{T([1,1,32,H])}, dim=-1)  # TILE input", lambda: ttnn.argmax(a, dim=-1))
        arm = dev_t([1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.argmax(x{T([1,1,32,H],'bf16','RM')}, dim=-1)", lambda: ttnn.argmax(arm, dim=-1))
        R.call(cfg, f"ttnn.argmax(x{T([1,1,32,H],'bf16','RM')}, dim=-1, keepdim=True)", lambda: ttnn.argmax(arm, dim=-1, keepdim=True))
        free(arm)
        free([a, b, b1])


def sec_create_heads(R: Recorder):
    for cfg, c in CFGS.items():
        nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
        W = (nh + 2 * nkv) * hd
        for S in (32, 128, 33):
            x = dev_t([1, 1, S, W])
            for tk in (False, True):
                R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,S,W])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads={tk})",
                       lambda tk=tk: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=tk))
            free(x)
        x = dev_t([1, 1, 32, W])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False, memory_config=L1)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False, memory_config=ttnn.L1_MEMORY_CONFIG))
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W])}, num_heads={nh})  # num_kv_heads omitted",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, transpose_k_heads=False))
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W])}, num_heads={nh}, num_kv_heads={nkv + 1})  # wrong counts",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x, num_heads=nh, num_kv_heads=nkv + 1, transpose_k_heads=False))
        free(x)
        for extra, why in ((32, "width + 32"), (hd, "width + head_dim"), (1, "width + 1 (not tile aligned)")):
            xb = dev_t([1, 1, 32, W + extra])
            R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W+extra])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False)  # {why}: width != (nh+2*nkv)*hd",
                   lambda xb=xb: ttnn.experimental.nlp_create_qkv_heads(xb, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
            free(xb)
        xb = dev_t([1, 1, 32, W])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W])}, num_heads={nh + 1}, num_kv_heads={nkv + 1})  # (nh+2*nkv) does not divide the width",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xb, num_heads=nh + 1, num_kv_heads=nkv + 1, transpose_k_heads=False))
        free(xb)
        xb = dev_t([2, 1, 32, W])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([2,1,32,W])}, num_heads={nh}, num_kv_heads={nkv})  # batch 2",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xb, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free(xb)
        xq = dev_t([1, 1, 32, nh * hd])
        xkv = dev_t([1, 1, 32, 2 * nkv * hd])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(q{T([1,1,32,nh*hd])}, kv{T([1,1,32,2*nkv*hd])}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xq, xkv, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free([xq, xkv])
        x8 = dev_t([1, 1, 32, W], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W],'bfloat8_b')}, num_heads={nh}, num_kv_heads={nkv}, transpose_k_heads=False)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(x8, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free(x8)
        xr = dev_t([1, 1, 32, W], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads(x{T([1,1,32,W],'bf16','RM')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads(xr, num_heads=nh, num_kv_heads=nkv, transpose_k_heads=False))
        free(xr)
        # the generic split op
        x = dev_t([1, 32, W])
        R.call(cfg, f"ttnn.transformer.split_query_key_value_and_split_heads(x{T([1,32,W])}, num_heads={nh}, num_kv_heads={nkv}, transpose_key=False)",
               lambda: ttnn.transformer.split_query_key_value_and_split_heads(x, num_heads=nh, num_kv_heads=nkv, transpose_key=False))
        free(x)


def decode_inputs(cfg, c, B, kind):
    """qkv input [1,1,B,W] for nlp_create_qkv_heads_decode."""
    nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
    W = (nh + 2 * nkv) * hd
    if kind == "DRAM":
        return dev_t([1, 1, B, W]), "DRAM INTERLEAVED"
    if kind == "L1":
        return dev_t([1, 1, B, W], mem=ttnn.L1_MEMORY_CONFIG), "L1 INTERLEAVED"
    if kind.startswith("WS"):
        ncores = int(kind[2:])
        mc = shard_mc("WIDTH_SHARDED", ncores, [32, W // ncores])
        return dev_t([1, 1, B, W], mem=mc), f"L1 WIDTH_SHARDED shard[32,{W // ncores}] {ncores} cores ROW_MAJOR"
    raise ValueError(kind)


def sec_create_heads_decode(R: Recorder):
    for cfg, c in CFGS.items():
        nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
        W = (nh + 2 * nkv) * hd
        kinds = ["DRAM", "L1", f"WS{nh + 2 * nkv}", "WS8", "WS1"]
        for B in (1, 8, 32):
            for kind in kinds:
                try:
                    x, xd = decode_inputs(cfg, c, B, kind)
                except Exception as exc:  # noqa: BLE001
                    R.call(cfg, f"make input [1,1,{B},{W}] {kind}", lambda exc=exc: (_ for _ in ()).throw(exc))
                    continue
                R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] bf16 TILE {xd}, num_heads={nh}, num_kv_heads={nkv})",
                       lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
                if B == 32 and kind in ("DRAM", f"WS{nh + 2 * nkv}"):
                    R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] {xd}, num_heads={nh}, num_kv_heads={nkv}, overlap_qk_coregrid=False)",
                           lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv, overlap_qk_coregrid=False))
                    R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] {xd}, num_heads={nh}, num_kv_heads={nkv}, memory_config=L1_HEIGHT_SHARDED_MEMORY_CONFIG)",
                           lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG))
                    R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x[1,1,{B},{W}] {xd}, num_heads={nh}, num_kv_heads={nkv}, memory_config=DRAM_MEMORY_CONFIG)",
                           lambda x=x: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv, memory_config=ttnn.DRAM_MEMORY_CONFIG))
                free(x)
        x = dev_t([1, 1, 33, W])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,1,33,W])}, num_heads={nh}, num_kv_heads={nkv})  # B=33",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        W33 = (33 + 2 * nkv) * hd
        x = dev_t([1, 1, 32, W33])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,1,32,W33])}, num_heads=33, num_kv_heads={nkv})  # nh=33",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=33, num_kv_heads=nkv))
        free(x)
        x = dev_t([1, 1, 32, W + hd])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,1,32,W+hd])}, num_heads={nh}, num_kv_heads={nkv})  # width != (nh+2nkv)hd",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t([1, 2, 32, W])
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,2,32,W])}, ...)  # S=2",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t([1, 1, 32, W], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,1,32,W],'bfloat8_b')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t([1, 1, 32, W], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,1,32,W],'f32')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)
        x = dev_t([1, 1, 32, W], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.experimental.nlp_create_qkv_heads_decode(x{T([1,1,32,W],'bf16','RM')}, ...)",
               lambda: ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv))
        free(x)


def make_decode_heads(c, B):
    nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
    x = dev_t([1, 1, B, (nh + 2 * nkv) * hd])
    q, k, v = ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=nh, num_kv_heads=nkv)
    free(x)
    return q, k, v


def sec_rotary(R: Recorder):
    for cfg, c in CFGS.items():
        nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
        maxS = 2048
        cos = dev_t([1, 1, maxS, hd])
        sin = dev_t([1, 1, maxS, hd])
        for S in (32, 128, 33):
            for n in (nh, nkv):
                x = dev_t([1, n, S, hd])
                R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,n,S,hd])}, cos{T([1,1,maxS,hd])}, sin=same)",
                       lambda x=x: ttnn.experimental.rotary_embedding(x, cos, sin))
                free(x)
        x = dev_t([1, nh, 128, hd])
        cs = dev_t([1, 1, 32, hd])
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos{T([1,1,32,hd])}, sin=same)  # cos shorter than S",
               lambda: ttnn.experimental.rotary_embedding(x, cs, cs))
        cs128 = dev_t([1, 1, 128, hd])
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos{T([1,1,128,hd])}, sin=same)  # cos exactly S",
               lambda: ttnn.experimental.rotary_embedding(x, cs128, cs128))
        csh = dev_t([1, nh, maxS, hd])
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos{T([1,nh,maxS,hd])}, sin=same)  # per-head cos",
               lambda: ttnn.experimental.rotary_embedding(x, csh, csh))
        free(csh)
        csr = dev_t([1, 1, maxS, hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos{T([1,1,maxS,hd],'bf16','RM')}, sin=same)  # RM cos",
               lambda: ttnn.experimental.rotary_embedding(x, csr, csr))
        free(csr)
        csf = dev_t([1, 1, maxS, hd], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos{T([1,1,maxS,hd],'f32')}, sin=same)  # dtype mismatch",
               lambda: ttnn.experimental.rotary_embedding(x, csf, csf))
        free(csf)
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos, sin, token_index=5)  # token_index with S=128",
               lambda: ttnn.experimental.rotary_embedding(x, cos, sin, 5))
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,128,hd])}, cos, sin, memory_config=L1)",
               lambda: ttnn.experimental.rotary_embedding(x, cos, sin, memory_config=ttnn.L1_MEMORY_CONFIG))
        free([x, cs, cs128])
        xr = dev_t([1, nh, 32, hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,32,hd],'bf16','RM')}, cos, sin)",
               lambda: ttnn.experimental.rotary_embedding(xr, cos, sin))
        free(xr)
        # head_dim 32
        x32 = dev_t([1, nh, 32, 32])
        c32 = dev_t([1, 1, maxS, 32])
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,32,32])}, cos{T([1,1,maxS,32])}, sin=same)  # head_dim 32",
               lambda: ttnn.experimental.rotary_embedding(x32, c32, c32))
        free([x32, c32])
        x96 = dev_t([1, nh, 32, 96])
        c96 = dev_t([1, 1, maxS, 96])
        R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,nh,32,96])}, cos{T([1,1,maxS,96])}, sin=same)  # head_dim 96",
               lambda: ttnn.experimental.rotary_embedding(x96, c96, c96))
        free([x96, c96])
        # decode with token_index
        for B in (1, 32):
            for shape in ([1, 1, B * nh, hd], [1, B, nh, hd], [1, 1, B, hd]):
                x = dev_t(shape)
                for ti in (0, 5, maxS - 1, maxS):
                    R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T(shape)}, cos{T([1,1,maxS,hd])}, sin, token_index={ti})",
                           lambda x=x, ti=ti: ttnn.experimental.rotary_embedding(x, cos, sin, ti))
                free(x)
        # decode with per-token cos/sin tensors (no token_index)
        for B in (1, 32):
            x = dev_t([1, B, nh, hd])
            c1 = dev_t([1, B, 1, hd])
            R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,B,nh,hd])}, cos{T([1,B,1,hd])}, sin=same)  # per-user cos, no token_index",
                   lambda: ttnn.experimental.rotary_embedding(x, c1, c1))
            c2 = dev_t([1, 1, 32, hd])
            R.call(cfg, f"ttnn.experimental.rotary_embedding(x{T([1,B,nh,hd])}, cos{T([1,1,32,hd])}, sin=same)  # no token_index",
                   lambda: ttnn.experimental.rotary_embedding(x, c2, c2))
            free([x, c1, c2])
        # HEIGHT_SHARDED from create_qkv_heads_decode
        for B in (1, 32):
            q, k, v = make_decode_heads(c, B)
            R.call(cfg, f"ttnn.experimental.rotary_embedding(q from nlp_create_qkv_heads_decode(B={B}) [{describe(q)}], cos, sin, token_index=5)",
                   lambda q=q: ttnn.experimental.rotary_embedding(q, cos, sin, 5))
            R.call(cfg, f"ttnn.experimental.rotary_embedding(q from nlp_create_qkv_heads_decode(B={B}), cos, sin)  # no token_index",
                   lambda q=q: ttnn.experimental.rotary_embedding(q, cos, sin))
            R.call(cfg, f"ttnn.experimental.rotary_embedding(k from nlp_create_qkv_heads_decode(B={B}) [{describe(k)}], cos, sin, token_index=5)",
                   lambda k=k: ttnn.experimental.rotary_embedding(k, cos, sin, 5))
            free([q, k, v])
        # rotary_embedding_llama for reference
        free([cos, sin])


def sec_concat_heads(R: Recorder):
    for cfg, c in CFGS.items():
        nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
        for S in (32, 128, 33):
            x = dev_t([1, nh, S, hd])
            R.call(cfg, f"ttnn.experimental.nlp_concat_heads(x{T([1,nh,S,hd])})", lambda x=x: ttnn.experimental.nlp_concat_heads(x))
            free(x)
        x = dev_t([1, nh, 32, hd])
        R.call(cfg, f"ttnn.experimental.nlp_concat_heads(x{T([1,nh,32,hd])}, memory_config=L1)",
               lambda: ttnn.experimental.nlp_concat_heads(x, memory_config=ttnn.L1_MEMORY_CONFIG))
        free(x)
        x = dev_t([1, 32, nh, hd])
        R.call(cfg, f"ttnn.experimental.nlp_concat_heads(x{T([1,32,nh,hd])})  # decode layout, interleaved", lambda: ttnn.experimental.nlp_concat_heads(x))
        R.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(x{T([1,32,nh,hd])}, num_heads={nh})  # interleaved input",
               lambda: ttnn.experimental.nlp_concat_heads_decode(x, num_heads=nh))
        free(x)
        x = dev_t([1, 32, 32, hd], mem=shard_mc("HEIGHT_SHARDED", 32, [32, hd]))
        R.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(x[1,32,32,{hd}] L1 HEIGHT_SHARDED shard[32,{hd}] 32 cores, num_heads={nh})",
               lambda: ttnn.experimental.nlp_concat_heads_decode(x, num_heads=nh))
        free(x)
        for B in (1, 8, 32):
            q, k, v = make_decode_heads(c, B)
            R.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(q from nlp_create_qkv_heads_decode(B={B}) [{describe(q)}], num_heads={nh})",
                   lambda q=q: ttnn.experimental.nlp_concat_heads_decode(q, num_heads=nh))
            free([q, k, v])
        # on sdpa_decode output
        for B in (1, 32):
            q, k, v = make_decode_heads(c, B)
            kc = dev_t([B, nkv, 256, hd])
            o = R.call(cfg, f"(setup) sdpa_decode(q from create_heads_decode(B={B}), cache[{B},{nkv},256,{hd}], cur_pos=[5]*{B})",
                       lambda q=q, kc=kc, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, kc, kc, cur_pos=[5] * B), keep=True)
            if o is not None:
                R.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(sdpa_decode output [{describe(o)}], num_heads={nh})",
                       lambda o=o: ttnn.experimental.nlp_concat_heads_decode(o, num_heads=nh))
                R.call(cfg, f"ttnn.experimental.nlp_concat_heads(sdpa_decode output [{describe(o)}])",
                       lambda o=o: ttnn.experimental.nlp_concat_heads(o))
                oh = ttnn.to_memory_config(o, shard_mc("HEIGHT_SHARDED", B, [32, hd])) if B > 0 else None
                R.call(cfg, f"ttnn.experimental.nlp_concat_heads_decode(to_memory_config(sdpa_decode output, HEIGHT_SHARDED [32,{hd}] x {B} cores), num_heads={nh})",
                       lambda oh=oh: ttnn.experimental.nlp_concat_heads_decode(oh, num_heads=nh))
                free([o, oh])
            free([q, k, v, kc])


def sec_sdpa(R: Recorder):
    for cfg, c in CFGS.items():
        nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
        for S in (32, 128, 256, 1024, 2048):
            q = dev_t([1, nh, S, hd])
            k = dev_t([1, nkv, S, hd])
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nkv,S,hd])}, v=same, is_causal=True)",
                   lambda q=q, k=k: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True))
            free([q, k])
        # program configs
        q = dev_t([1, nh, 128, hd])
        k = dev_t([1, nkv, 128, hd])
        for qc, kc in ((32, 32), (64, 64), (128, 128), (256, 256), (64, 128)):
            pc = ttnn.SDPAProgramConfig(compute_with_storage_grid_size=ttnn.CoreCoord(8, 8), q_chunk_size=qc, k_chunk_size=kc)
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,128,hd])}, k{T([1,nkv,128,hd])}, v, is_causal=True, program_config=SDPAProgramConfig(8x8, q_chunk={qc}, k_chunk={kc}))",
                   lambda pc=pc: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, program_config=pc))
        k8 = dev_t([1, nkv, 128, hd], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,128,hd])}, k{T([1,nkv,128,hd],'bfloat8_b')}, v=k, is_causal=True)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, k8, k8, is_causal=True))
        free(k8)
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.1) {[1,nh,128,hd]}",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, scale=0.1))
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, output_concat_heads=True) {[1,nh,128,hd]}",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, output_concat_heads=True))
        free([q, k])
        # non-causal with mask, Sk > S
        for S, Sk in ((32, 64), (32, 288), (128, 288), (32, 32)):
            q = dev_t([1, nh, S, hd])
            k = dev_t([1, nkv, Sk, hd])
            m = dev_t([1, 1, S, Sk])
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nkv,Sk,hd])}, v=same, is_causal=False, attn_mask={T([1,1,S,Sk])})",
                   lambda q=q, k=k, m=m: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=False, attn_mask=m))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nkv,Sk,hd])}, v=same, is_causal=True)  # causal, Sk != S" if Sk != S else
                   f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k, v, is_causal=False)  # no mask",
                   (lambda q=q, k=k: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True)) if Sk != S else
                   (lambda q=q, k=k: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=False)))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nkv,Sk,hd])}, v, is_causal=True, attn_mask=m)  # both",
                   lambda q=q, k=k, m=m: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=True, attn_mask=m))
            mh = dev_t([1, nh, S, Sk])
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nkv,Sk,hd])}, v, is_causal=False, attn_mask={T([1,nh,S,Sk])})",
                   lambda q=q, k=k, mh=mh: ttnn.transformer.scaled_dot_product_attention(q, k, k, is_causal=False, attn_mask=mh))
            free([q, k, m, mh])
        S = 128
        q = dev_t([1, nh, S, hd])
        kb = dev_t([1, nkv, S, hd // 2])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nkv,S,hd//2])}, v=same)  # head_dim mismatch",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, kb, is_causal=True))
        free(kb)
        kb = dev_t([1, 3, S, hd])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,3,S,hd])}, v=same)  # nh % nkv != 0",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, kb, is_causal=True))
        free(kb)
        kb = dev_t([1, nkv, S, hd])
        vb = dev_t([1, nkv, S, hd // 2])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q, k{T([1,nkv,S,hd])}, v{T([1,nkv,S,hd//2])})  # v head_dim mismatch",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, vb, is_causal=True))
        free([kb, vb])
        kb = dev_t([1, nh, S, hd])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,S,hd])}, k{T([1,nh,S,hd])}, v=same)  # MHA (nkv == nh)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kb, kb, is_causal=True))
        free(kb)
        kl = dev_t([1, nkv, S, hd], mem=ttnn.L1_MEMORY_CONFIG)
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q DRAM, k{T([1,nkv,S,hd],'bf16','TILE','L1')}, v=same)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q, kl, kl, is_causal=True))
        free([kl, q])
        q33 = dev_t([1, nh, 33, hd])
        k33 = dev_t([1, nkv, 33, hd])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,33,hd])}, k{T([1,nkv,33,hd])}, v=same, is_causal=True)  # S=33 logical",
               lambda: ttnn.transformer.scaled_dot_product_attention(q33, k33, k33, is_causal=True))
        free([q33, k33])
        q2 = dev_t([2, nh, 32, hd])
        k2 = dev_t([2, nkv, 32, hd])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([2,nh,32,hd])}, k{T([2,nkv,32,hd])}, v=same)  # batch 2",
               lambda: ttnn.transformer.scaled_dot_product_attention(q2, k2, k2, is_causal=True))
        free([q2, k2])
        q8 = dev_t([1, nh, 32, hd], dtype=ttnn.bfloat8_b)
        k8 = dev_t([1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,32,hd],'bfloat8_b')}, k bfloat8_b, v)",
               lambda: ttnn.transformer.scaled_dot_product_attention(q8, k8, k8, is_causal=True))
        free([q8, k8])
        qf = dev_t([1, nh, 32, hd], dtype=ttnn.float32)
        kf = dev_t([1, nkv, 32, hd], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention(q{T([1,nh,32,hd],'f32')}, k f32, v f32)",
               lambda: ttnn.transformer.scaled_dot_product_attention(qf, kf, kf, is_causal=True))
        free([qf, kf])


def sec_sdpa_decode(R: Recorder):
    for cfg, c in CFGS.items():
        nh, nkv, hd = c["nh"], c["nkv"], c["hd"]
        maxS = 2048
        cache32 = dev_t([32, nkv, maxS, hd])
        for B in (1, 32):
            cacheB = cache32 if B == 32 else dev_t([B, nkv, maxS, hd])
            qi = dev_t([1, B, nh, hd])
            qs, ks, vs = make_decode_heads(c, B)
            pos_t = dev_t([B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            for qname, q in (("q" + T([1, B, nh, hd]), qi), (f"q from create_heads_decode [{describe(qs)}]", qs)):
                for cname, cache in ((f"cache[{B},{nkv},{maxS},{hd}]", cacheB), (f"cache[32,{nkv},{maxS},{hd}]", cache32)):
                    if B == 32 and cname.startswith("cache[32") and cache is cacheB and cname != f"cache[{B},{nkv},{maxS},{hd}]":
                        continue
                    R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode({qname}, k={cname}, v=same, cur_pos=[5]*{B})",
                           lambda q=q, cache=cache, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cache, cache, cur_pos=[5] * B))
                    R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode({qname}, k={cname}, v=same, cur_pos_tensor=int32[{B}] RM DRAM)",
                           lambda q=q, cache=cache: ttnn.transformer.scaled_dot_product_attention_decode(q, cache, cache, cur_pos_tensor=pos_t))
                    if B == 32:
                        break
            q = qi
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos=[{maxS - 1}]*{B})  # last position",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[maxS - 1] * B))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos=[{maxS}]*{B})  # beyond cache",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[maxS] * B))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos=[5]*{B + 1})  # list longer than B",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[5] * (B + 1)))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..])  # no cur_pos",
                   lambda q=q, cacheB=cacheB: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos=[-1]*{B})",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[-1] * B))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos=[5]*{B}, memory_config=L1)",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[5] * B, memory_config=ttnn.L1_MEMORY_CONFIG))
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos=[5]*{B}, is_causal=False)  # no mask",
                   lambda q=q, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos=[5] * B, is_causal=False))
            pos_u = dev_t([B], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos_tensor=uint32[{B}])",
                   lambda q=q, cacheB=cacheB: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos_tensor=pos_u))
            free(pos_u)
            pos_tile = dev_t([1, B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},..], cur_pos_tensor=int32[1,{B}] RM)",
                   lambda q=q, cacheB=cacheB: ttnn.transformer.scaled_dot_product_attention_decode(q, cacheB, cacheB, cur_pos_tensor=pos_tile))
            free(pos_tile)
            c8 = dev_t([B, nkv, 256, hd], dtype=ttnn.bfloat8_b)
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},{nkv},256,{hd}] bfloat8_b, cur_pos=[5]*{B})",
                   lambda q=q, c8=c8, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, c8, c8, cur_pos=[5] * B))
            free(c8)
            cshort = dev_t([B, nkv, 96, hd])
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, cache[{B},{nkv},96,{hd}], cur_pos=[5]*{B})  # maxS=96",
                   lambda q=q, cshort=cshort, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, cshort, cshort, cur_pos=[5] * B))
            free(cshort)
            q8 = dev_t([1, B, nh, hd], dtype=ttnn.bfloat8_b)
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd],'bfloat8_b')}, cache[{B},..], cur_pos=[5]*{B})",
                   lambda q8=q8, cacheB=cacheB, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q8, cacheB, cacheB, cur_pos=[5] * B))
            free(q8)
            kb = dev_t([B, nkv, 256, hd // 2])
            R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, k[{B},{nkv},256,{hd // 2}], cur_pos=[5]*{B})  # head_dim mismatch",
                   lambda q=q, kb=kb, B=B: ttnn.transformer.scaled_dot_product_attention_decode(q, kb, kb, cur_pos=[5] * B))
            free(kb)
            free([qi, qs, ks, vs, pos_t])
            if cacheB is not cache32:
                free(cacheB)
        # q batch 32 with cache batch 1
        q = dev_t([1, 32, nh, hd])
        c1 = dev_t([1, nkv, 256, hd])
        R.call(cfg, f"ttnn.transformer.scaled_dot_product_attention_decode(q{T([1,32,nh,hd])}, cache[1,{nkv},256,{hd}], cur_pos=[5]*32)  # batch mismatch",
               lambda: ttnn.transformer.scaled_dot_product_attention_decode(q, c1, c1, cur_pos=[5] * 32))
        free([q, c1])
        # paged variant
        B, block, nblocks = 1, 64, 32
        pc = dev_t([nblocks, nkv, block, hd])
        pt = dev_t([B, nblocks], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        pos = dev_t([B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        q = dev_t([1, B, nh, hd])
        R.call(cfg, f"ttnn.transformer.paged_scaled_dot_product_attention_decode(q{T([1,B,nh,hd])}, k=cache[{nblocks},{nkv},{block},{hd}], v=same, page_table int32[{B},{nblocks}] RM, cur_pos_tensor=int32[{B}])",
               lambda: ttnn.transformer.paged_scaled_dot_product_attention_decode(q, pc, pc, pt, cur_pos_tensor=pos))
        free([pc, pt, pos, q, cache32])


def sec_fill_cache(R: Recorder):
    for cfg, c in CFGS.items():
        nkv, hd = c["nkv"], c["hd"]
        maxS = 2048
        cache = dev_t([32, nkv, maxS, hd])
        for S in (32, 128, 256, 288, 512, 1024, 2048):
            x = dev_t([1, nkv, S, hd])
            R.call(cfg, f"ttnn.fill_cache(cache{T([32,nkv,maxS,hd])}, x{T([1,nkv,S,hd])}, batch_idx=0)",
                   lambda x=x: ttnn.fill_cache(cache, x, 0), keep=False if False else False)
            free(x)
        x = dev_t([1, nkv, 32, hd])
        for ui in (0, 32, 256, 17, maxS - 32, maxS):
            R.call(cfg, f"ttnn.fill_cache(cache{T([32,nkv,maxS,hd])}, x{T([1,nkv,32,hd])}, batch_idx=0, update_idx={ui})",
                   lambda ui=ui: ttnn.fill_cache(cache, x, 0, update_idx=ui))
        x128 = dev_t([1, nkv, 128, hd])
        R.call(cfg, f"ttnn.fill_cache(cache{T([32,nkv,maxS,hd])}, x{T([1,nkv,128,hd])}, batch_idx=0, update_idx={maxS - 64})  # overflows maxS",
               lambda: ttnn.fill_cache(cache, x128, 0, update_idx=maxS - 64))
        free(x128)
        for bi in (31, 32, -1):
            R.call(cfg, f"ttnn.fill_cache(cache{T([32,nkv,maxS,hd])}, x{T([1,nkv,32,hd])}, batch_idx={bi})",
                   lambda bi=bi: ttnn.fill_cache(cache, x, bi))
        x2 = dev_t([2, nkv, 32, hd])
        R.call(cfg, f"ttnn.fill_cache(cache, x{T([2,nkv,32,hd])}, batch_idx=0)  # input batch 2", lambda: ttnn.fill_cache(cache, x2, 0))
        free(x2)
        x8 = dev_t([1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.fill_cache(cache bf16, x{T([1,nkv,32,hd],'bfloat8_b')}, batch_idx=0)  # dtype mismatch", lambda: ttnn.fill_cache(cache, x8, 0))
        xf = dev_t([1, nkv, 32, hd], dtype=ttnn.float32)
        R.call(cfg, f"ttnn.fill_cache(cache bf16, x{T([1,nkv,32,hd],'f32')}, batch_idx=0)  # dtype mismatch", lambda: ttnn.fill_cache(cache, xf, 0))
        free(xf)
        c8 = dev_t([32, nkv, 256, hd], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.fill_cache(cache{T([32,nkv,256,hd],'bfloat8_b')}, x{T([1,nkv,32,hd],'bfloat8_b')}, batch_idx=0)", lambda: ttnn.fill_cache(c8, x8, 0))
        R.call(cfg, f"ttnn.fill_cache(cache{T([32,nkv,256,hd],'bfloat8_b')}, x{T([1,nkv,32,hd])} bf16, batch_idx=0)", lambda: ttnn.fill_cache(c8, x, 0))
        free([c8, x8])
        xk = dev_t([1, nkv + 1, 32, hd])
        R.call(cfg, f"ttnn.fill_cache(cache, x{T([1,nkv+1,32,hd])}, batch_idx=0)  # head count mismatch", lambda: ttnn.fill_cache(cache, xk, 0))
        free(xk)
        xd = dev_t([1, nkv, 32, hd * 2])
        R.call(cfg, f"ttnn.fill_cache(cache, x{T([1,nkv,32,hd*2])}, batch_idx=0)  # head_dim mismatch", lambda: ttnn.fill_cache(cache, xd, 0))
        free(xd)
        x33 = dev_t([1, nkv, 33, hd])
        R.call(cfg, f"ttnn.fill_cache(cache, x{T([1,nkv,33,hd])}, batch_idx=0)  # S=33 logical", lambda: ttnn.fill_cache(cache, x33, 0))
        free(x33)
        xr = dev_t([1, nkv, 32, hd], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.fill_cache(cache, x{T([1,nkv,32,hd],'bf16','RM')}, batch_idx=0)", lambda: ttnn.fill_cache(cache, xr, 0))
        free(xr)
        xl = dev_t([1, nkv, 32, hd], mem=ttnn.L1_MEMORY_CONFIG)
        R.call(cfg, f"ttnn.fill_cache(cache, x{T([1,nkv,32,hd],'bf16','TILE','L1')}, batch_idx=0)", lambda: ttnn.fill_cache(cache, xl, 0))
        free(xl)
        R.call(cfg, f"ttnn.kv_cache.fill_cache_for_user_(cache, x{T([1,nkv,32,hd])}, 0)", lambda: ttnn.kv_cache.fill_cache_for_user_(cache, x, 0))
        cache1 = dev_t([1, nkv, maxS, hd])
        R.call(cfg, f"ttnn.fill_cache(cache{T([1,nkv,maxS,hd])}, x{T([1,nkv,32,hd])}, batch_idx=0)  # 1-user cache", lambda: ttnn.fill_cache(cache1, x, 0))
        free([cache1, x])
        free(cache)

    # evidence from the shipped package: is the old grid-limit check still compiled in, and does
    # the fill kernel wrap work across heads?
    pkg = Path(ttnn.__file__).resolve().parent
    libs = sorted((pkg / "build" / "lib").glob("*.so*"))
    needle = b"Number of work blocks must be"
    found = [l.name for l in libs if l.is_file() and needle in l.read_bytes()]
    R.fact("limit", "grep of the shipped .so files for 'Number of work blocks must be' (the old fill_cache grid-limit TT_FATAL)",
           found or "not found in any of: " + ", ".join(l.name for l in libs if l.is_file()))
    writer = pkg / "ttnn/cpp/ttnn/operations/kv_cache/device/kernels/dataflow/writer_fill_cache_interleaved_start_id.cpp"
    if writer.exists():
        src = writer.read_text()
        wrap = "if (++seq_tile == input_Ht)" in src
        R.fact("limit", "fill_cache writer kernel (shipped source) wraps a core's blocks across kv heads",
               f"{wrap}: {writer.relative_to(pkg)} advances seq_tile and on reaching input_Ht jumps cache_page by "
               "cache_HtWt - input_Ht*Wt (next head), so one core may own several blocks spanning heads")

    # the grid limit: largest accepted S per nkv (hd 128 and 64)
    for nkv, hd in ((8, 128), (2, 128), (2, 64), (1, 128), (4, 128), (16, 128)):
        maxS = 4096
        cache = dev_t([1, nkv, maxS, hd])
        accepted, first_err = [], None
        for S in range(32, maxS + 1, 32):
            x = dev_t([1, nkv, S, hd])
            try:
                ttnn.fill_cache(cache, x, 0)
                accepted.append(S)
            except Exception as exc:  # noqa: BLE001
                if first_err is None:
                    first_err = (S, errmsg(exc))
            free(x)
            if first_err is not None and S >= first_err[0] + 256:
                break
        R.fact("limit", f"fill_cache: accepted S (multiples of 32) for nkv={nkv}, head_dim={hd}, cache [1,{nkv},{maxS},{hd}]",
               f"largest accepted S={max(accepted) if accepted else None}; accepted count {len(accepted)} "
               f"(contiguous from 32: {accepted == list(range(32, (max(accepted) if accepted else 0) + 1, 32))})")
        if first_err:
            R.fact("limit", f"fill_cache: first refused S for nkv={nkv}, head_dim={hd}", f"S={first_err[0]}: {first_err[1]}")
        free(cache)
    # does a sharded input lift the limit?
    nkv, hd = 8, 128
    cache = dev_t([1, nkv, 2048, hd])
    for S in (512, 2048):
        ntiles = nkv * S // 32
        for ncores in (64,):
            if ntiles % ncores:
                continue
            try:
                mc = shard_mc("HEIGHT_SHARDED", ncores, [nkv * S // ncores, hd])
                x = dev_t([1, nkv, S, hd], mem=mc)
            except Exception as exc:  # noqa: BLE001
                R.call("qwen3", f"make x[1,{nkv},{S},{hd}] HEIGHT_SHARDED {ncores} cores", lambda exc=exc: (_ for _ in ()).throw(exc))
                continue
            R.call("qwen3", f"ttnn.fill_cache(cache[1,{nkv},2048,{hd}], x[1,{nkv},{S},{hd}] L1 HEIGHT_SHARDED shard[{nkv * S // ncores},{hd}] {ncores} cores, batch_idx=0)",
                   lambda x=x: ttnn.fill_cache(cache, x, 0))
            free(x)
    # chunked fill with update_idx
    x = dev_t([1, nkv, 256, hd])
    R.call("qwen3", f"ttnn.fill_cache(cache[1,{nkv},2048,{hd}], x[1,{nkv},256,{hd}], 0, update_idx=1792)  # last 256-chunk",
           lambda: ttnn.fill_cache(cache, x, 0, update_idx=1792))
    free([x, cache])


def sec_update_cache(R: Recorder):
    for cfg, c in CFGS.items():
        nkv, hd = c["nkv"], c["hd"]
        maxS = 2048
        for B in (32, 1):
            cache = dev_t([B, nkv, maxS, hd])
            for shape in ([1, nkv, 32, hd], [1, nkv, B, hd], [1, B, nkv, hd], [1, nkv, 1, hd]):
                x = dev_t(shape)
                R.call(cfg, f"ttnn.update_cache(cache{T([B,nkv,maxS,hd])}, x{T(shape)}, update_idx=5)",
                       lambda x=x, cache=cache: ttnn.update_cache(cache, x, 5))
                free(x)
            x = dev_t([1, nkv, 32, hd])
            R.call(cfg, f"ttnn.update_cache(cache{T([B,nkv,maxS,hd])}, x{T([1,nkv,32,hd])}, update_idx={maxS})  # beyond",
                   lambda x=x, cache=cache: ttnn.update_cache(cache, x, maxS))
            R.call(cfg, f"ttnn.update_cache(cache{T([B,nkv,maxS,hd])}, x{T([1,nkv,32,hd])}, update_idx=5, batch_offset=1)",
                   lambda x=x, cache=cache: ttnn.update_cache(cache, x, 5, batch_offset=1))
            free(x)
            x8 = dev_t([1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
            R.call(cfg, f"ttnn.update_cache(cache{T([B,nkv,maxS,hd])}, x{T([1,nkv,32,hd],'bfloat8_b')}, update_idx=5)",
                   lambda x8=x8, cache=cache: ttnn.update_cache(cache, x8, 5))
            free(x8)
            free(cache)
        c8 = dev_t([32, nkv, 256, hd], dtype=ttnn.bfloat8_b)
        x = dev_t([1, nkv, 32, hd])
        R.call(cfg, f"ttnn.update_cache(cache{T([32,nkv,256,hd],'bfloat8_b')}, x{T([1,nkv,32,hd])}, update_idx=5)", lambda: ttnn.update_cache(c8, x, 5))
        free([c8, x])


def sec_paged_update(R: Recorder):
    for cfg, c in CFGS.items():
        nkv, hd = c["nkv"], c["hd"]
        maxS = 2048
        for B in (1, 32):
            cache = dev_t([B, nkv, maxS, hd])
            idx_t = dev_t([B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            xi = dev_t([1, B, nkv, hd])
            xs = dev_t([1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
            for xname, x in ((T([1, B, nkv, hd]), xi), (f"[1,{B},{nkv},{hd}] bf16 TILE L1 HEIGHT_SHARDED shard[32,{hd}] {B} cores ROW_MAJOR", xs)):
                R.call(cfg, f"ttnn.experimental.paged_update_cache(cache{T([B,nkv,maxS,hd])}, x{xname}, update_idxs=[5]*{B})",
                       lambda x=x, cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, x, update_idxs=[5] * B))
                R.call(cfg, f"ttnn.experimental.paged_update_cache(cache{T([B,nkv,maxS,hd])}, x{xname}, update_idxs_tensor=int32[{B}] RM DRAM)",
                       lambda x=x, cache=cache: ttnn.experimental.paged_update_cache(cache, x, update_idxs_tensor=idx_t))
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs=[5]*{B}, update_idxs_tensor=int32[{B}])  # both",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs, update_idxs=[5] * B, update_idxs_tensor=idx_t))
            R.call(cfg, "ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED)  # neither",
                   lambda cache=cache: ttnn.experimental.paged_update_cache(cache, xs))
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs=[5]*{B + 1})  # list too long",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs, update_idxs=[5] * (B + 1)))
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs=[{maxS}]*{B})  # beyond cache",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs, update_idxs=[maxS] * B))
            idx_u = dev_t([B], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs_tensor=uint32[{B}])",
                   lambda cache=cache: ttnn.experimental.paged_update_cache(cache, xs, update_idxs_tensor=idx_u))
            free(idx_u)
            idx_tile = dev_t([1, B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED, update_idxs_tensor=int32[1,{B}] RM)",
                   lambda cache=cache: ttnn.experimental.paged_update_cache(cache, xs, update_idxs_tensor=idx_tile))
            free(idx_tile)
            # input dtypes
            xs8 = dev_t([1, B, nkv, hd], dtype=ttnn.bfloat8_b, mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache bf16, x[1,{B},{nkv},{hd}] bfloat8_b HEIGHT_SHARDED, update_idxs=[5]*{B})",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xs8, update_idxs=[5] * B))
            free(xs8)
            xsf = dev_t([1, B, nkv, hd], dtype=ttnn.float32, mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache bf16, x[1,{B},{nkv},{hd}] f32 HEIGHT_SHARDED, update_idxs=[5]*{B})",
                   lambda cache=cache, B=B: ttnn.experimental.paged_update_cache(cache, xsf, update_idxs=[5] * B))
            free(xsf)
            c8 = dev_t([B, nkv, 256, hd], dtype=ttnn.bfloat8_b)
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache{T([B,nkv,256,hd],'bfloat8_b')}, x bf16 HEIGHT_SHARDED, update_idxs=[5]*{B})",
                   lambda c8=c8, B=B: ttnn.experimental.paged_update_cache(c8, xs, update_idxs=[5] * B))
            free(c8)
            # shard orientation / shard shape / grid variants
            if B > 1:
                xcol = dev_t([1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B, [32, hd], orientation="COL_MAJOR"))
                R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, x HEIGHT_SHARDED COL_MAJOR orientation {B} cores, update_idxs=[5]*{B})",
                       lambda cache=cache, B=B, xcol=xcol: ttnn.experimental.paged_update_cache(cache, xcol, update_idxs=[5] * B))
                free(xcol)
                x16 = dev_t([1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B // 2, [64, hd]))
                R.call(cfg, f"ttnn.experimental.paged_update_cache(cache[{B},..], x HEIGHT_SHARDED shard[64,{hd}] on {B // 2} cores, update_idxs=[5]*{B})  # 2 users per core",
                       lambda cache=cache, B=B, x16=x16: ttnn.experimental.paged_update_cache(cache, x16, update_idxs=[5] * B))
                free(x16)
            # pipeline input: K from nlp_create_qkv_heads_decode
            q, k, v = make_decode_heads(c, B)
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache{T([B,nkv,maxS,hd])}, k from nlp_create_qkv_heads_decode(B={B}) [{describe(k)}], update_idxs=[5]*{B})",
                   lambda cache=cache, k=k, B=B: ttnn.experimental.paged_update_cache(cache, k, update_idxs=[5] * B))
            R.call(cfg, f"ttnn.experimental.paged_update_cache(cache, k from create_heads_decode(B={B}), update_idxs_tensor=int32[{B}])",
                   lambda cache=cache, k=k: ttnn.experimental.paged_update_cache(cache, k, update_idxs_tensor=idx_t))
            free([q, k, v])
            free([xi, xs, idx_t, cache])
        # mismatched batch
        cache32 = dev_t([32, nkv, 256, hd])
        xs1 = dev_t([1, 1, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", 1, [32, hd]))
        R.call(cfg, f"ttnn.experimental.paged_update_cache(cache[32,{nkv},256,{hd}], x[1,1,{nkv},{hd}] HEIGHT_SHARDED 1 core, update_idxs=[5])  # batch mismatch",
               lambda: ttnn.experimental.paged_update_cache(cache32, xs1, update_idxs=[5]))
        cache1 = dev_t([1, nkv, 256, hd])
        xs32 = dev_t([1, 32, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", 32, [32, hd]))
        R.call(cfg, f"ttnn.experimental.paged_update_cache(cache[1,{nkv},256,{hd}], x[1,32,{nkv},{hd}] HEIGHT_SHARDED 32 cores, update_idxs=[5]*32)  # batch mismatch",
               lambda: ttnn.experimental.paged_update_cache(cache1, xs32, update_idxs=[5] * 32))
        R.call(cfg, "ttnn.experimental.paged_update_cache(cache[1,..], x[1,32,..] 32 cores, update_idxs=[5])  # batch mismatch, 1 idx",
               lambda: ttnn.experimental.paged_update_cache(cache1, xs32, update_idxs=[5]))
        free([cache32, xs1, cache1, xs32])
        # paged mode (page table)
        B, block, nblocks = 1, 64, 32
        pc = dev_t([nblocks, nkv, block, hd])
        pt = dev_t([B, nblocks], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        xs = dev_t([1, B, nkv, hd], mem=shard_mc("HEIGHT_SHARDED", B, [32, hd]))
        idx_t = dev_t([B], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.experimental.paged_update_cache(cache[{nblocks},{nkv},{block},{hd}], x[1,{B},{nkv},{hd}] HEIGHT_SHARDED, update_idxs_tensor=int32[{B}], page_table=int32[{B},{nblocks}] RM)",
               lambda: ttnn.experimental.paged_update_cache(pc, xs, update_idxs_tensor=idx_t, page_table=pt))
        free([pc, pt, xs, idx_t])


def sec_paged_fill(R: Recorder):
    for cfg, c in CFGS.items():
        nkv, hd = c["nkv"], c["hd"]
        for block in (32, 64):
            nblocks = 2048 // block
            pc = dev_t([nblocks, nkv, block, hd])
            pt = dev_t([1, nblocks], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
            for S in (32, 128, 288, 2048):
                x = dev_t([1, nkv, S, hd])
                R.call(cfg, f"ttnn.experimental.paged_fill_cache(cache[{nblocks},{nkv},{block},{hd}], x{T([1,nkv,S,hd])}, page_table=int32[1,{nblocks}] RM DRAM, batch_idx=0)",
                       lambda x=x, pc=pc, pt=pt: ttnn.experimental.paged_fill_cache(pc, x, pt, batch_idx=0))
                free(x)
            free([pc, pt])
        pc = dev_t([32, nkv, 64, hd])
        pt = dev_t([1, 32], dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT)
        x8 = dev_t([1, nkv, 32, hd], dtype=ttnn.bfloat8_b)
        R.call(cfg, "ttnn.experimental.paged_fill_cache(cache bf16, x bfloat8_b, page_table, batch_idx=0)  # dtype mismatch",
               lambda: ttnn.experimental.paged_fill_cache(pc, x8, pt, batch_idx=0))
        free(x8)
        x = dev_t([1, nkv, 32, hd])
        R.call(cfg, "ttnn.experimental.paged_fill_cache(cache, x, page_table, batch_idx=1)  # batch_idx beyond page table rows",
               lambda: ttnn.experimental.paged_fill_cache(pc, x, pt, batch_idx=1))
        ptu = dev_t([1, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.experimental.paged_fill_cache(cache, x, page_table uint32, batch_idx=0)",
               lambda: ttnn.experimental.paged_fill_cache(pc, x, ptu, batch_idx=0))
        xl = dev_t([1, nkv, 64 * 33, hd])
        R.call(cfg, f"ttnn.experimental.paged_fill_cache(cache[32,{nkv},64,{hd}], x[1,{nkv},{64 * 33},{hd}], page_table[1,32])  # longer than the table",
               lambda: ttnn.experimental.paged_fill_cache(pc, xl, pt, batch_idx=0))
        free([x, ptu, pc, pt, xl])


def sec_data_movement(R: Recorder):
    for cfg, c in CFGS.items():
        H, nh, hd = c["H"], c["nh"], c["hd"]
        x = dev_t([1, 1, 32, H])
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H])}, [1,32,{H}])", lambda: ttnn.reshape(x, [1, 32, H]))
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H])}, [32,{H}])", lambda: ttnn.reshape(x, [32, H]))
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H])}, [1,32,{H // hd},{hd}])", lambda: ttnn.reshape(x, [1, 32, H // hd, hd]))
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H])}, [1,1,{32 * H}])", lambda: ttnn.reshape(x, [1, 1, 32 * H]))
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H])}, [1,1,16,{2 * H}])", lambda: ttnn.reshape(x, [1, 1, 16, 2 * H]))
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H])}, [1,1,33,{H}])  # wrong volume", lambda: ttnn.reshape(x, [1, 1, 33, H]))
        x33 = dev_t([1, 1, 33, H])
        R.call(cfg, f"ttnn.reshape(x{T([1,1,33,H])}, [1,33,{H}])", lambda: ttnn.reshape(x33, [1, 33, H]))
        R.call(cfg, f"ttnn.reshape(x{T([1,1,33,H])}, [33,{H}])", lambda: ttnn.reshape(x33, [33, H]))
        xq = dev_t([1, 32, nh, hd])
        R.call(cfg, f"ttnn.reshape(x{T([1,32,nh,hd])}, [1,1,32,{nh * hd}])", lambda: ttnn.reshape(xq, [1, 1, 32, nh * hd]))
        xr = dev_t([1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.reshape(x{T([1,1,32,H],'bf16','RM')}, [1,32,{H // hd},{hd}])", lambda: ttnn.reshape(xr, [1, 32, H // hd, hd]))
        # slice
        R.call(cfg, f"ttnn.slice(x{T([1,1,32,H])}, [0,0,0,0], [1,1,7,{H}])", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 7, H]))
        R.call(cfg, f"ttnn.slice(x{T([1,1,32,H])}, [0,0,0,0], [1,1,32,{H // 2}])", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 32, H // 2]))
        R.call(cfg, f"ttnn.slice(x{T([1,1,32,H])}, [0,0,31,0], [1,1,32,{H}])  # last row", lambda: ttnn.slice(x, [0, 0, 31, 0], [1, 1, 32, H]))
        R.call(cfg, f"ttnn.slice(x{T([1,1,33,H])}, [0,0,32,0], [1,1,33,{H}])  # row 32 of 33", lambda: ttnn.slice(x33, [0, 0, 32, 0], [1, 1, 33, H]))
        R.call(cfg, f"ttnn.slice(x{T([1,1,32,H])}, [0,0,0,0], [1,1,64,{H}])  # end beyond", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 64, H]))
        R.call(cfg, f"ttnn.slice(x{T([1,1,32,H])}, [0,0,0,0], [1,1,32,{H}], [1,1,2,1])  # step 2", lambda: ttnn.slice(x, [0, 0, 0, 0], [1, 1, 32, H], [1, 1, 2, 1]))
        R.call(cfg, f"ttnn.slice(x{T([1,1,32,H],'bf16','RM')}, [0,0,0,0], [1,1,7,{H}])", lambda: ttnn.slice(xr, [0, 0, 0, 0], [1, 1, 7, H]))
        R.call(cfg, f"x[:, :, :7, :]  (Tensor.__getitem__) on {T([1,1,32,H])}", lambda: x[:, :, :7, :])
        xp = dev_t([1, 32, 32, hd])
        R.call(cfg, f"ttnn.slice(x{T([1,32,32,hd])}, [0,0,0,0], [1,32,{nh},{hd}])  # unpad heads", lambda: ttnn.slice(xp, [0, 0, 0, 0], [1, 32, nh, hd]))
        free(xp)
        # concat
        y = dev_t([1, 1, 32, H])
        R.call(cfg, f"ttnn.concat([x{T([1,1,32,H])}, y same], dim=-1)", lambda: ttnn.concat([x, y], dim=-1))
        R.call(cfg, f"ttnn.concat([x{T([1,1,32,H])}, y same], dim=2)", lambda: ttnn.concat([x, y], dim=2))
        R.call(cfg, f"ttnn.concat([x{T([1,1,33,H])}, y{T([1,1,32,H])}], dim=2)  # non-tile-aligned", lambda: ttnn.concat([x33, y], dim=2))
        R.call(cfg, f"ttnn.concat([x{T([1,1,32,H])}, y{T([1,1,33,H])}], dim=-1)  # mismatched other dims", lambda: ttnn.concat([x, x33], dim=-1))
        R.call(cfg, f"ttnn.concat([x{T([1,1,32,H],'bf16','RM')}, y TILE], dim=-1)  # mixed layouts", lambda: ttnn.concat([xr, y], dim=-1))
        free(y)
        # transpose / permute
        xh = dev_t([1, nh, 32, hd])
        R.call(cfg, f"ttnn.transpose(x{T([1,nh,32,hd])}, 1, 2)", lambda: ttnn.transpose(xh, 1, 2))
        R.call(cfg, f"ttnn.transpose(x{T([1,nh,32,hd])}, -2, -1)", lambda: ttnn.transpose(xh, -2, -1))
        R.call(cfg, f"ttnn.permute(x{T([1,nh,32,hd])}, (0,2,1,3))", lambda: ttnn.permute(xh, (0, 2, 1, 3)))
        R.call(cfg, f"ttnn.permute(x{T([1,nh,32,hd])}, (0,1,3,2))", lambda: ttnn.permute(xh, (0, 1, 3, 2)))
        xd = dev_t([1, 32, nh, hd])
        R.call(cfg, f"ttnn.transpose(x{T([1,32,nh,hd])}, 1, 2)  # decode heads -> [1,nh,32,hd]", lambda: ttnn.transpose(xd, 1, 2))
        free([xh, xd])
        # typecast
        for dt, name in ((ttnn.float32, "float32"), (ttnn.bfloat8_b, "bfloat8_b"), (ttnn.bfloat4_b, "bfloat4_b"), (ttnn.uint32, "uint32")):
            R.call(cfg, f"ttnn.typecast(x{T([1,1,32,H])}, ttnn.{name})", lambda dt=dt: ttnn.typecast(x, dt))
        R.call(cfg, f"ttnn.typecast(x{T([1,1,32,H],'bf16','RM')}, ttnn.float32)", lambda: ttnn.typecast(xr, ttnn.float32))
        R.call(cfg, f"ttnn.typecast(x{T([1,1,32,H],'bf16','RM')}, ttnn.bfloat8_b)", lambda: ttnn.typecast(xr, ttnn.bfloat8_b))
        xu = dev_t([1, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.typecast(x[1,32] uint32 RM, ttnn.int32)", lambda: ttnn.typecast(xu, ttnn.int32))
        free(xu)
        # pad
        R.call(cfg, f"ttnn.pad(x{T([1,1,33,H])}, padding=[(0,0),(0,0),(0,31),(0,0)], value=0.0)",
               lambda: ttnn.pad(x33, padding=[(0, 0), (0, 0), (0, 31), (0, 0)], value=0.0))
        R.call(cfg, f"ttnn.pad(x{T([1,1,32,H])}, padding=[(0,0),(0,0),(0,32),(0,0)], value=0.0)",
               lambda: ttnn.pad(x, padding=[(0, 0), (0, 0), (0, 32), (0, 0)], value=0.0))
        R.call(cfg, f"ttnn.pad(x{T([1,1,32,H],'bf16','RM')}, padding=[(0,0),(0,0),(0,1),(0,0)], value=0.0)",
               lambda: ttnn.pad(xr, padding=[(0, 0), (0, 0), (0, 1), (0, 0)], value=0.0))
        R.call(cfg, f"ttnn.pad(x{T([1,1,32,H])}, padding=[(0,0),(0,0),(1,0),(0,0)], value=0.0)  # front pad TILE",
               lambda: ttnn.pad(x, padding=[(0, 0), (0, 0), (1, 0), (0, 0)], value=0.0))
        # to_layout
        R.call(cfg, f"ttnn.to_layout(x{T([1,1,33,H])}, ROW_MAJOR)", lambda: ttnn.to_layout(x33, ttnn.ROW_MAJOR_LAYOUT))
        xr33 = dev_t([1, 1, 33, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, f"ttnn.to_layout(x{T([1,1,33,H],'bf16','RM')}, TILE)", lambda: ttnn.to_layout(xr33, ttnn.TILE_LAYOUT))
        R.call(cfg, f"ttnn.to_layout(x{T([1,1,33,H],'bf16','RM')}, TILE, dtype=ttnn.bfloat8_b)", lambda: ttnn.to_layout(xr33, ttnn.TILE_LAYOUT, dtype=ttnn.bfloat8_b))
        free(xr33)
        x8 = dev_t([1, 1, 32, H], dtype=ttnn.bfloat8_b)
        R.call(cfg, f"ttnn.to_layout(x{T([1,1,32,H],'bfloat8_b')}, ROW_MAJOR)", lambda: ttnn.to_layout(x8, ttnn.ROW_MAJOR_LAYOUT))
        free(x8)
        xu = dev_t([1, 1, 32, 32], dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
        R.call(cfg, "ttnn.to_layout(x[1,1,32,32] uint32 RM, TILE)", lambda: ttnn.to_layout(xu, ttnn.TILE_LAYOUT))
        free(xu)
        # to_memory_config
        R.call(cfg, f"ttnn.to_memory_config(x{T([1,1,32,H])}, L1_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(x, ttnn.L1_MEMORY_CONFIG))
        ncores = min(H // 32, 32)
        ws = shard_mc("WIDTH_SHARDED", ncores, [32, H // ncores])
        xws = R.call(cfg, f"ttnn.to_memory_config(x{T([1,1,32,H])}, L1 WIDTH_SHARDED shard[32,{H // ncores}] {ncores} cores)",
                     lambda: ttnn.to_memory_config(x, ws), keep=True)
        if xws is not None:
            R.call(cfg, "ttnn.to_memory_config(width-sharded x, DRAM_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(xws, ttnn.DRAM_MEMORY_CONFIG))
            R.call(cfg, "ttnn.linear(width-sharded x, w DRAM) (no program_config)",
                   lambda: ttnn.linear(xws, dev_t([H, 256])))
            free(xws)
        xq = dev_t([1, 32, nh, hd])
        hs = shard_mc("HEIGHT_SHARDED", 32, [32, hd])
        xhs = R.call(cfg, f"ttnn.to_memory_config(x{T([1,32,nh,hd])}, L1 HEIGHT_SHARDED shard[32,{hd}] 32 cores)",
                     lambda: ttnn.to_memory_config(xq, hs), keep=True)
        if xhs is not None:
            R.call(cfg, "ttnn.to_memory_config(height-sharded x, DRAM_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(xhs, ttnn.DRAM_MEMORY_CONFIG))
            R.call(cfg, "ttnn.to_memory_config(height-sharded x, L1_MEMORY_CONFIG)", lambda: ttnn.to_memory_config(xhs, ttnn.L1_MEMORY_CONFIG))
            R.call(cfg, "ttnn.to_torch(height-sharded x)", lambda: str(list(ttnn.to_torch(xhs).shape)))
            free(xhs)
        hs_bad = shard_mc("HEIGHT_SHARDED", 16, [32, hd])
        R.call(cfg, f"ttnn.to_memory_config(x{T([1,32,nh,hd])}, HEIGHT_SHARDED shard[32,{hd}] on 16 cores)  # too few cores",
               lambda: ttnn.to_memory_config(xq, hs_bad))
        R.call(cfg, f"ttnn.to_memory_config(x{T([1,32,nh,hd])}, L1_HEIGHT_SHARDED_MEMORY_CONFIG)  # no shard spec",
               lambda: ttnn.to_memory_config(xq, ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG))
        R.call(cfg, f"ttnn.from_torch(zeros[1,32,{nh},{hd}], TILE, device, memory_config=HEIGHT_SHARDED shard[32,{hd}] 32 cores)",
               lambda: dev_t([1, 32, nh, hd], mem=hs))
        R.call(cfg, f"ttnn.to_device(host zeros[1,32,{nh},{hd}] TILE, device, memory_config=HEIGHT_SHARDED)",
               lambda: ttnn.to_device(dev_t([1, 32, nh, hd], on_device=False), DEV, memory_config=hs))
        R.call(cfg, f"ttnn.from_device(x{T([1,1,32,H])})", lambda: ttnn.from_device(x))
        R.call(cfg, f"ttnn.clone(x{T([1,1,32,H])})", lambda: ttnn.clone(x))
        R.call(cfg, f"ttnn.copy(x, y) / ttnn.copy_host_to_device_tensor(host, dev) into {T([1,1,32,H])}",
               lambda: ttnn.copy_host_to_device_tensor(dev_t([1, 1, 32, H], on_device=False), x))
        free([x, x33, xq, xr])


SECTIONS = {
    "host": (sec_host, False, "Host-only facts (no device)"),
    "device": (sec_device, True, "Device, memory and program cache"),
    "embedding": (sec_embedding, True, "ttnn.embedding"),
    "linear": (sec_linear, True, "ttnn.linear / matmul"),
    "rms_norm": (sec_rms_norm, True, "ttnn.rms_norm"),
    "eltwise": (sec_eltwise, True, "add / mul / silu / softmax / argmax"),
    "create_heads": (sec_create_heads, True, "ttnn.experimental.nlp_create_qkv_heads (prefill)"),
    "create_heads_decode": (sec_create_heads_decode, True, "ttnn.experimental.nlp_create_qkv_heads_decode"),
    "rotary": (sec_rotary, True, "ttnn.experimental.rotary_embedding"),
    "concat_heads": (sec_concat_heads, True, "nlp_concat_heads / nlp_concat_heads_decode"),
    "sdpa": (sec_sdpa, True, "ttnn.transformer.scaled_dot_product_attention (prefill)"),
    "sdpa_decode": (sec_sdpa_decode, True, "ttnn.transformer.scaled_dot_product_attention_decode"),
    "fill_cache": (sec_fill_cache, True, "ttnn.fill_cache (and its grid limit)"),
    "update_cache": (sec_update_cache, True, "ttnn.update_cache"),
    "paged_update_cache": (sec_paged_update, True, "ttnn.experimental.paged_update_cache"),
    "paged_fill_cache": (sec_paged_fill, True, "ttnn.experimental.paged_fill_cache"),
    "data_movement": (sec_data_movement, True, "reshape / slice / concat / transpose / permute / typecast / pad / to_layout / to_memory_config"),
}


def child_main(section: str, jsonl: Path, cache_dir: str) -> int:
    global ttnn, torch, DEV
    sys.path.insert(0, str(REPO))
    from tt_qwen.mock import prepare_mock_environment

    prepare_mock_environment()
    os.environ["TT_METAL_CACHE"] = cache_dir  # shared throwaway mock cache for all probe children
    import torch as _torch
    import ttnn as _ttnn

    torch, ttnn = _torch, _ttnn
    done = {}
    if jsonl.exists():
        for line in jsonl.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if rec.get("kind") in ("call", "fact"):
                done[rec["key"]] = rec
    R = Recorder(section, jsonl, done)
    fn, needs_device, _ = SECTIONS[section]
    if needs_device:
        t0 = time.perf_counter()
        DEV = ttnn.open_device(device_id=0)
        R.fact("-", "open_device seconds (this child)", round(time.perf_counter() - t0, 3))
    try:
        fn(R)
    finally:
        if DEV is not None:
            ttnn.close_device(DEV)
    return 0


# ----------------------------------------------------------------------------------------------
# parent side
# ----------------------------------------------------------------------------------------------
def run_section(section: str, jsonl: Path, cache_dir: str, logdir: Path) -> dict:
    info = {"section": section, "crashes": [], "seconds": 0.0}
    t0 = time.perf_counter()
    for attempt in range(12):
        log = logdir / f"{section}.{attempt}.log"
        with open(log, "w") as lf:
            p = subprocess.run([sys.executable, __file__, "--child", section, "--jsonl", str(jsonl),
                                "--cache-dir", cache_dir], stdout=lf, stderr=subprocess.STDOUT, cwd=str(REPO))
        if p.returncode == 0:
            break
        # find the call that started but did not finish
        started, done = [], set()
        for line in jsonl.read_text().splitlines():
            rec = json.loads(line)
            if not rec["key"].startswith(section + "|"):
                continue
            if rec["kind"] == "start":
                started.append(rec["key"])
            else:
                done.add(rec["key"])
        pending = [k for k in started if k not in done]
        tail = crash_summary(log.read_text(errors="replace"))
        if not pending:
            info["crashes"].append({"key": None, "rc": p.returncode, "log": tail})
            break
        key = pending[-1]
        parts = key.split("|")
        cfg, code = parts[1], "|".join(parts[2:-1])
        order = max([json.loads(l).get("order", 0) for l in jsonl.read_text().splitlines()
                     if json.loads(l).get("section") == section] + [0]) + 0.5
        with open(jsonl, "a") as f:
            f.write(json.dumps({"kind": "call", "key": key, "section": section, "cfg": cfg, "code": code,
                                "order": order, "ok": False, "crash": True, "note": "",
                                "err": f"PROCESS CRASHED (exit status {p.returncode}): {tail}",
                                "dt": None}) + "\n")
        info["crashes"].append({"key": key, "rc": p.returncode})
    info["seconds"] = round(time.perf_counter() - t0, 1)
    return info


def crash_summary(log: str) -> str:
    """'Signal: ...' plus the first native frames (demangled) of a crashed child's log."""
    lines = log.splitlines()
    sig = next((l.split("Signal:", 1)[1].strip() for l in lines if "Signal:" in l), None)
    frames = []
    for l in lines:
        m = re.search(r"\[\s*(\d+)\] .*?\((_Z[^+)]+)", l)
        if m and 1 <= int(m.group(1)) <= 6:
            frames.append(m.group(2))
    demangler = shutil.which("c++filt")
    if frames and demangler:
        try:
            out = subprocess.run([demangler], input="\n".join(frames), capture_output=True, text=True, timeout=10).stdout
            frames = [re.sub(r"\(.*", "", f) for f in out.splitlines()]
        except Exception:  # noqa: BLE001
            pass
    if sig is None and not frames:
        tail = [l.strip() for l in lines if l.strip()][-3:]
        return " / ".join(tail)[-400:]
    return f"{sig or 'signal ?'} in " + " <- ".join(frames[:5])


def md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", "<br>")


def render(jsonl: Path, md_path: Path, sections: list[str], runinfo: list[dict], total_s: float):
    recs = [json.loads(l) for l in jsonl.read_text().splitlines() if l.strip()]
    recs = [r for r in recs if r["kind"] in ("call", "fact")]
    # keep the last record per key
    by_key = {}
    for r in recs:
        by_key[r["key"]] = r
    recs = sorted(by_key.values(), key=lambda r: (list(SECTIONS).index(r["section"]), r["order"]))

    old = md_path.read_text() if md_path.exists() else ""
    m = re.search(r"<!-- key-facts:begin -->.*?<!-- key-facts:end -->", old, re.S)
    key_facts = m.group(0) if m else "<!-- key-facts:begin -->\n(key facts: to be written from the tables below)\n<!-- key-facts:end -->"

    out = []
    out.append("# ttnn 0.81.1 on the mock n150: what the real ops accept, refuse and return\n\n")
    out.append("Generated by `scripts/probe_mock.py` (run: `.venv-mock/bin/python scripts/probe_mock.py`) with the real "
               "`ttnn==0.81.1` on a mock n150 (`tt_qwen.mock.prepare_mock_environment()`; 8x8 compute grid). Every op "
               "ran its real host code: validation (`TT_FATAL` text below is verbatim, backtrace cut, path prefix "
               "`/project/` removed), output-spec computation, program factory, allocator. No kernel ran: a mock proves "
               "the host contract, never numerics.\n\n")
    out.append("Shapes: **qwen3** = Qwen3-0.6B (H=1024, nh=16, nkv=8, hd=128, I=3072, V=151936); **tiny** = "
               "(H=128, nh=4, nkv=2, hd=64, I=256, V=512). Notation: `x[1,1,32,1024] bf16 TILE DRAM` is a device tensor "
               "made with `ttnn.from_torch(torch.zeros(shape), dtype, layout, device, memory_config)` (DRAM/L1 = interleaved); "
               "RM = ROW_MAJOR; an output reads "
               "`[logical] pad[padded] DTYPE LAYOUT BUFFER MEMORY_LAYOUT [shard=... orientation cores grid]` and `pad[...]` "
               "is printed only when it differs from the logical shape. ERR = the exception the call raised.\n\n")
    out.append(key_facts + "\n\n")
    out.append("## Run\n\n")
    out.append(f"- total wall time {total_s:.0f} s on {os.cpu_count()} cores; sections: " +
               ", ".join(f"{i['section']} {i['seconds']} s" for i in runinfo) + "\n")
    crashes = [c for i in runinfo for c in i["crashes"]]
    if crashes:
        out.append(f"- process crashes (call recorded as CRASH, section resumed after it): {len(crashes)}\n")
    n_ok = sum(1 for r in recs if r["kind"] == "call" and r.get("ok"))
    n_err = sum(1 for r in recs if r["kind"] == "call" and not r.get("ok"))
    out.append(f"- {n_ok} calls succeeded, {n_err} raised\n")

    for sec in SECTIONS:
        srecs = [r for r in recs if r["section"] == sec]
        if not srecs:
            continue
        out.append(f"\n## {SECTIONS[sec][2]}\n")
        facts = [r for r in srecs if r["kind"] == "fact"]
        calls = [r for r in srecs if r["kind"] == "call"]
        if facts:
            out.append("\n| cfg | fact | value |\n|---|---|---|\n")
            for r in facts:
                v = r["value"]
                if not isinstance(v, str):
                    v = json.dumps(v)
                out.append(f"| {r['cfg']} | `{md_escape(r['name'])}` | {md_escape(v)} |\n")
        if calls:
            out.append("\n| cfg | call | result |\n|---|---|---|\n")
            for r in calls:
                if r.get("ok"):
                    o = r["out"]
                    if isinstance(o, list):
                        names = ["Q", "K", "V"] if len(o) == 3 else [str(i) for i in range(len(o))]
                        o = "; ".join(f"{n}: {x}" for n, x in zip(names, o))
                    res = "OK → " + md_escape(o)
                else:
                    res = ("**CRASH** " if r.get("crash") else "**ERR** ") + md_escape(r["err"])
                out.append(f"| {r['cfg']} | `{md_escape(r['code'])}` | {res} |\n")
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text("".join(out))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated sections (default: all): " + ",".join(SECTIONS))
    ap.add_argument("--md", type=Path, default=DEFAULT_MD)
    ap.add_argument("--jsonl", type=Path, help="results file (default: a temp file)")
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--cache-dir", help=argparse.SUPPRESS)
    ap.add_argument("--render-only", action="store_true", help="re-render --md from an existing --jsonl")
    args = ap.parse_args()
    if args.child:
        return child_main(args.child, args.jsonl, args.cache_dir)

    sys.path.insert(0, str(REPO))
    from tt_qwen.mock import mock_unavailable_reason

    sections = args.only.split(",") if args.only else list(SECTIONS)
    for s in sections:
        if s not in SECTIONS:
            ap.error(f"unknown section {s}")
    work = Path(tempfile.mkdtemp(prefix="tt-qwen-probe-"))
    jsonl = args.jsonl or (work / "probe.jsonl")
    if args.render_only:
        render(jsonl, args.md, sections, [], 0.0)
        return 0
    why = mock_unavailable_reason()
    if why:
        print(f"mock tier unavailable: {why}", file=sys.stderr)
        return 2
    cache_dir = str(work / "ttcache") + os.sep
    os.makedirs(cache_dir, exist_ok=True)
    logdir = work / "logs"
    logdir.mkdir()
    t0 = time.perf_counter()
    runinfo = []
    try:
        for s in sections:
            info = run_section(s, jsonl, cache_dir, logdir)
            runinfo.append(info)
            crash = f", {len(info['crashes'])} crash(es)" if info["crashes"] else ""
            print(f"[probe] {s}: {info['seconds']} s{crash}", flush=True)
        total = time.perf_counter() - t0
        render(jsonl, args.md, sections, runinfo, total)
        print(f"[probe] wrote {args.md} in {total:.0f} s")
    finally:
        shutil.rmtree(work / "ttcache", ignore_errors=True)
        if args.keep_logs or args.jsonl:
            print(f"[probe] logs in {logdir}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
