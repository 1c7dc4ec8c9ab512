"""Probe section: Host-only facts: conversions, printing, memory configs, and the bit-exact block-float references."""

from __future__ import annotations

from importlib.metadata import version

import torch
import ttnn

from tools.probe_mock.paths import BFP_REF, REPO
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.spec import describe, grid_desc
from tools.probe_mock.tensors import cores, shard_mc


def sec_host(rec: Recorder, device) -> None:
    """Host-only facts: conversions, printing, memory configs, bfp references."""
    rec.fact("-", "ttnn version (importlib.metadata) / ttnn.__version__", [version("ttnn"), getattr(ttnn, "__version__", "no __version__")])
    rec.fact("-", "torch.__version__", torch.__version__)
    # Shape
    s = ttnn.Shape([1, 2, 32, 64])
    rec.fact("-", "str(ttnn.Shape([1,2,32,64]))", str(s))
    rec.fact("-", "repr(ttnn.Shape([1,2,32,64]))", repr(s))
    rec.fact_of("-", "list(shape), len(shape), shape[-1], shape.rank", lambda: [list(s), len(s), s[-1], getattr(s, "rank", "no .rank")])
    rec.fact_of("-", "shape == [1,2,32,64] / == (1,2,32,64) / == ttnn.Shape(..)",
              lambda: [s == [1, 2, 32, 64], s == (1, 2, 32, 64), s == ttnn.Shape([1, 2, 32, 64])])
    rec.fact_of("-", "tuple(shape)", lambda: repr(tuple(s)))
    rec.fact_of("-", "shape[1:] (slicing)", lambda: repr(s[1:]))
    rec.fact_of("-", "shape[4] (out of range)", lambda: repr(s[4]))
    rec.fact_of("-", "shape[-5] (out of range)", lambda: repr(s[-5]))
    rec.fact_of("-", "hash(ttnn.Shape)", lambda: type(hash(s)).__name__)
    rec.fact_of("-", "ttnn.Shape([]) / rank-1", lambda: [repr(ttnn.Shape([])), repr(ttnn.Shape([7]))])
    # Tensor printing
    x = ttnn.from_torch(torch.arange(6, dtype=torch.float32).reshape(1, 2, 3).to(torch.bfloat16),
                        dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    rec.fact("-", "repr(host TILE tensor [1,2,3] bf16)", repr(x))
    rec.fact("-", "type(t.shape), repr(t.shape), repr(t.padded_shape)",
           [type(x.shape).__name__, repr(x.shape), repr(x.padded_shape)])
    rec.fact_of("-", "t.logical_shape() / t.get_layout() / t.get_dtype() exist?",
              lambda: [hasattr(x, n) for n in ("logical_shape", "get_layout", "get_dtype", "spec", "tensor_spec", "volume", "logical_volume")])
    rec.fact_of("-", "public attributes of t.spec (TensorSpec)", lambda: [a for a in dir(x.spec) if not a.startswith("_")])
    rec.fact_of("-", "t.spec.shape", lambda: repr(x.spec.shape))
    rec.fact_of("-", "t.logical_volume() / t.volume()", lambda: [x.logical_volume(), x.volume()])
    rec.fact_of("-", "t.tile.tile_shape", lambda: repr(x.tile.tile_shape))
    rec.fact_of("-", "t.storage_type(), t.is_allocated(), t.device()", lambda: [repr(x.storage_type()), x.is_allocated(), repr(x.device())])
    rec.fact_of("-", "t.memory_config() of a host tensor", lambda: repr(x.memory_config()))
    # memory configs
    rec.fact("-", "repr(ttnn.DRAM_MEMORY_CONFIG)", repr(ttnn.DRAM_MEMORY_CONFIG))
    rec.fact("-", "repr(ttnn.L1_MEMORY_CONFIG)", repr(ttnn.L1_MEMORY_CONFIG))
    rec.fact_of("-", "DRAM_MEMORY_CONFIG == MemoryConfig(INTERLEAVED, DRAM); == L1_MEMORY_CONFIG; == MemoryConfig()",
              lambda: [ttnn.DRAM_MEMORY_CONFIG == ttnn.MemoryConfig(ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.DRAM),
                       ttnn.DRAM_MEMORY_CONFIG == ttnn.L1_MEMORY_CONFIG, ttnn.DRAM_MEMORY_CONFIG == ttnn.MemoryConfig()])
    rec.fact_of("-", "hash(MemoryConfig)", lambda: type(hash(ttnn.DRAM_MEMORY_CONFIG)).__name__)
    mc = shard_mc("HEIGHT_SHARDED", 32, [32, 128])
    rec.fact("-", "repr(height-sharded MemoryConfig 32 cores shard [32,128])", repr(mc))
    rec.fact_of("-", "mc.is_sharded(), mc.memory_layout, mc.buffer_type, mc.shard_spec.shape, .grid, .orientation",
              lambda: [mc.is_sharded(), repr(mc.memory_layout), repr(mc.buffer_type), list(mc.shard_spec.shape),
                       repr(mc.shard_spec.grid), repr(mc.shard_spec.orientation)])
    rec.fact_of("-", "equal sharded configs built twice compare ==", lambda: mc == shard_mc("HEIGHT_SHARDED", 32, [32, 128]))
    rec.fact_of("-", "create_sharded_memory_config((32,128), core_grid=CoreGrid(y=4,x=8), HEIGHT, ROW_MAJOR, use_height_and_width_as_shard_shape=True)",
              lambda: repr(ttnn.create_sharded_memory_config((32, 128), core_grid=ttnn.CoreGrid(y=4, x=8),
                                                             strategy=ttnn.ShardStrategy.HEIGHT,
                                                             orientation=ttnn.ShardOrientation.ROW_MAJOR,
                                                             use_height_and_width_as_shard_shape=True)))
    rec.fact_of("-", "num_cores_to_corerangeset(32, CoreCoord(8,8), row_wise=True)", lambda: grid_desc(cores(32)))
    rec.fact_of("-", "num_cores_to_corerangeset(12, CoreCoord(8,8), row_wise=True)", lambda: grid_desc(cores(12)))

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

                rec.call("host", code, conv)
    # input torch dtype and rounding
    src = torch.randn(4096, dtype=torch.float32).reshape(64, 64)

    def rounding():
        t = ttnn.to_torch(ttnn.from_torch(src, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT))
        rne = src.to(torch.bfloat16)
        trunc = (src.view(torch.int32) & ~0xFFFF).view(torch.float32).to(torch.bfloat16)
        return (f"f32->bf16 equals torch .to(bfloat16) (round-nearest-even): {torch.equal(t, rne)}; "
                f"equals truncation: {torch.equal(t, trunc)}")
    rec.call("host", "ttnn.from_torch(f32, dtype=ttnn.bfloat16) rounding vs torch", rounding)
    rec.call("host", "ttnn.from_torch(bf16 tensor) (dtype=None)", lambda: ttnn.from_torch(src.to(torch.bfloat16)))
    rec.call("host", "ttnn.from_torch(f32 tensor) (dtype=None)", lambda: ttnn.from_torch(src))
    rec.call("host", "ttnn.from_torch(int32 [1,33], dtype=ttnn.uint32, ROW_MAJOR)",
           lambda: ttnn.from_torch(torch.zeros(1, 33, dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT))
    rec.call("host", "ttnn.from_torch(int32 [1,33], dtype=ttnn.uint32, TILE)",
           lambda: ttnn.from_torch(torch.zeros(1, 33, dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.TILE_LAYOUT))
    rec.call("host", "ttnn.from_torch(int64 [1,33], dtype=ttnn.uint32, ROW_MAJOR)",
           lambda: ttnn.from_torch(torch.zeros(1, 33, dtype=torch.int64), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT))
    rec.call("host", "ttnn.to_torch(uint32 host tensor).dtype",
           lambda: str(ttnn.to_torch(ttnn.from_torch(torch.arange(5, dtype=torch.int32).reshape(1, 5), dtype=ttnn.uint32)).dtype))
    rec.call("host", "ttnn.to_torch(bfloat8_b host tensor).dtype",
           lambda: str(ttnn.to_torch(ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT)).dtype))
    rec.call("host", "ttnn.to_torch(float32 host tensor).dtype",
           lambda: str(ttnn.to_torch(ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT)).dtype))
    rec.call("host", "ttnn.from_torch(randn(32,32), dtype=ttnn.bfloat8_b, layout=TILE, pad_value=...) on [1,7,100]",
           lambda: ttnn.from_torch(torch.randn(1, 7, 100), dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT, pad_value=0.0))
    rec.call("host", "ttnn.to_layout(host bf16 [1,7,100] ROW_MAJOR, TILE)",
           lambda: ttnn.to_layout(ttnn.from_torch(torch.randn(1, 7, 100), dtype=ttnn.bfloat16), ttnn.TILE_LAYOUT))
    rec.call("host", "ttnn.reshape(host bf16 [1,1,32,128] TILE, [1,32,128])",
           lambda: ttnn.reshape(ttnn.from_torch(torch.randn(1, 1, 32, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT), [1, 32, 128]))
    rec.call("host", "ttnn.typecast(host bf16 TILE, ttnn.bfloat8_b)",
           lambda: ttnn.typecast(ttnn.from_torch(torch.randn(1, 1, 32, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT), ttnn.bfloat8_b))
    rec.call("host", "ttnn.linear(host, host)",
           lambda: ttnn.linear(ttnn.from_torch(torch.randn(1, 1, 32, 128), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT),
                               ttnn.from_torch(torch.randn(128, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)))
    rec.call("host", "ttnn.as_tensor(randn(32,32), dtype=bf16, layout=TILE, device=None)",
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
    ref = {"meta": {"ttnn": version("ttnn"), "torch": str(torch.__version__),
                    "made_by": "tools/probe_mock (host-only, no device)",
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
        rec.fact("bfp", f"bfp round trip '{name}'",
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
        rec.fact("bfp", f"{dname} == emulation (per 16-value face row: e=floor(log2(max|x|)), q=round_half_even(x/2^(e-{mbits - 1})) clamped to +-{2 ** mbits - 1}, out=q*2^(e-{mbits - 1}); rows with max|x| < 2^-126 -> 0)",
               f"exact on {len(res) - len(bad)}/{len(res)} finite cases (f32 input and bf16 input)" + (f"; MISMATCH: {bad}" if bad else ""))
    nn = ref["cases"]["inf_nan"]
    rec.fact("bfp", "inf / nan: rows 0-3 cols 0..1 (and row 3 cols 16..17) in -> bfp8 -> bfp4",
           [[nn["input"][r, :2].tolist() for r in range(3)] + [nn["input"][3, 16:18].tolist()],
            [nn["bfloat8_b"][r, :2].float().tolist() for r in range(3)] + [nn["bfloat8_b"][3, 16:18].float().tolist()],
            [nn["bfloat4_b"][r, :2].float().tolist() for r in range(3)] + [nn["bfloat4_b"][3, 16:18].float().tolist()]])
    ed = ref["cases"]["saturation_ties_denormals"]
    rec.fact("bfp", "saturation/ties/denormals rows 0-5 cols 0..2: in -> bfp8",
           [[ed["input"][r, :3].tolist() for r in range(6)], [ed["bfloat8_b"][r, :3].float().tolist() for r in range(6)]])

    # row outlier detail: what happens to its 16-neighbourhood
    o = ref["cases"]["row_outlier"]
    rec.fact("bfp", "row_outlier: row 5 cols 0..15 in / bfp8 / bfp4",
           [o["input"][5, :16].tolist(), o["bfloat8_b"][5, :16].float().tolist(), o["bfloat4_b"][5, :16].float().tolist()])
    rec.fact("bfp", "row_outlier: row 5 cols 16..19 (other face) in / bfp8",
           [o["input"][5, 16:20].tolist(), o["bfloat8_b"][5, 16:20].float().tolist()])
    rec.fact("bfp", "row_outlier: row 6 cols 0..3 (same face, next row) in / bfp8",
           [o["input"][6, :4].tolist(), o["bfloat8_b"][6, :4].float().tolist()])
    t = ref["cases"]["randn_x1e-30"]
    rec.fact("bfp", "randn*1e-30: bfp8 out all zero? bfp4 out all zero?",
           [bool((t["bfloat8_b"] == 0).all()), bool((t["bfloat4_b"] == 0).all())])
    rec.fact("bfp", "ttnn.to_torch dtype of a bfloat8_b / bfloat4_b tensor", "torch.float32 (values all exactly representable in bfloat16)")
    BFP_REF.parent.mkdir(parents=True, exist_ok=True)
    torch.save(ref, BFP_REF)
    rec.fact("bfp", "saved", f"{BFP_REF.relative_to(REPO)} ({BFP_REF.stat().st_size} bytes, {len(cases)} cases)")
