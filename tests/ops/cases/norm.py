"""ttnn.rms_norm (hidden, q_norm/k_norm over heads, decode rows, both epsilons) and ttnn.layer_norm
(with and without weight and bias; Qwen3 does not use it, the host implements it); both with each
program config 0.81.1 takes, sharded inputs, and layer_norm's ROW_MAJOR input (measured on the mock
n150: a ROW_MAJOR layer_norm returns ROW_MAJOR; rms_norm refuses ROW_MAJOR in its wrapper)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from tests.ops.cases.base import (
    BF16, RMS_EPS, T, H, NQ, NKV, HD, OpCase, RefusalCase, Spec, memo, generator, randn, seeded_input, tile, row_major,
    to_dev, sharded, ref_rms_norm, f64, shape_tag)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("rms_norm", "layer_norm")
GOLDEN_OPS = ("rms_norm",)
ROW_SCALES = torch.logspace(-1, -5, 32)  # per-row magnitudes 1e-1 .. 1e-5: epsilon decides the result
LAYER_NORM_EPS = 1e-5  # ttnn.layer_norm's own default is 1e-12, like rms_norm's


@dataclass(frozen=True)
class Program:
    """A program config as data: 'default' (LayerNormDefaultProgramConfig) or 'sharded'
    (LayerNormShardedMultiCoreProgramConfig over a grid of grid_x x grid_y cores), and its flags."""

    kind: str
    grid: tuple = (8, 4)
    block_h: int = 1
    block_w: int = 1
    subblock_w: int = 1
    inplace: bool = False
    flags: tuple = ()  # legacy_reduction, legacy_rsqrt, use_welford

    @property
    def tag(self) -> str:
        if self.kind == "default":
            return "-pc_default" + "".join(f"_{f}" for f in self.flags)
        return (f"-pc_sharded_grid{self.grid[0]}x{self.grid[1]}_block{self.block_h}x{self.block_w}"
                f"_sub{self.subblock_w}" + ("_inplace" if self.inplace else "") + "".join(f"_{f}" for f in self.flags))

    def build(self, ttnn):
        flags = {f: True for f in self.flags}
        if self.kind == "default":
            return ttnn.LayerNormDefaultProgramConfig(**flags)
        return ttnn.LayerNormShardedMultiCoreProgramConfig(
            compute_with_storage_grid_size=ttnn.CoreCoord(*self.grid), subblock_w=self.subblock_w,
            block_h=self.block_h, block_w=self.block_w, inplace=self.inplace, **flags)


@dataclass(frozen=True)
class Sharding:
    """The input in L1, `strategy`-sharded with shard `shard` on `cores` cores (tests/ops/cases/base.sharded)."""

    strategy: str
    cores: int
    shard: tuple

    @property
    def tag(self) -> str:
        return f"-{self.strategy.lower()}_sharded{self.cores}_shard{self.shard[0]}x{self.shard[1]}"

    def config(self, ttnn):
        return sharded(ttnn, self.shard, self.cores, self.strategy)

    def spec(self, shape) -> Spec:
        return tile(shape, buffer="L1", memory=f"{self.strategy}_SHARDED", shard_shape=self.shard, shard_cores=self.cores)


def _norm_kwargs(ttnn, program: Program | None) -> dict:
    return {} if program is None else {"program_config": program.build(ttnn)}


def _norm_input(ttnn, device, x, sharding: Sharding | None, layout="TILE"):
    memory_config = None if sharding is None else sharding.config(ttnn)
    return to_dev(ttnn, device, x, layout=layout, memory_config=memory_config)


def _output_spec(shape, sharding: Sharding | None, layout: str) -> Spec:
    if sharding is not None:
        return sharding.spec(shape)
    return row_major(shape) if layout == "ROW_MAJOR" else tile(shape)


def rms_norm_case(shape, role: str, eps=RMS_EPS, weight_form: str = "tile", scales=None, tag: str = "",
                  slow=False, program: Program | None = None, sharding: Sharding | None = None) -> OpCase:
    """weight_form: 'tile' = [1,1,1,W] TILE, 'rm32' = [1,1,W/32,32] ROW_MAJOR (tt_transformers),
    'none' = no weight. eps None = ttnn's default epsilon (not passed)."""
    width = shape[-1]
    eps_tag = "default_eps" if eps is None else f"eps{eps:g}"
    dims = "x".join(str(s) for s in shape)
    cid = (f"rms_norm-{tag}{role}-{dims}-{eps_tag}-w_{weight_form}" + (sharding.tag if sharding else "")
           + (program.tag if program else ""))

    def inputs():
        def build():
            gen = generator(cid)
            x = torch.randn(shape, generator=gen)
            if scales is not None:  # per-row magnitudes, so that epsilon matters
                x = x * scales.reshape(*([1] * (len(shape) - 2)), -1, 1)
            w = 1.0 + 0.1 * torch.randn(width, generator=gen)
            return {"x": x.to(BF16), "w": w.to(BF16)}
        return memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        x = _norm_input(ttnn, device, i["x"], sharding)
        kwargs = _norm_kwargs(ttnn, program)
        if weight_form == "tile":
            kwargs["weight"] = to_dev(ttnn, device, i["w"].reshape(1, 1, 1, width))
        elif weight_form == "rm32":
            kwargs["weight"] = to_dev(ttnn, device, i["w"].reshape(1, 1, width // 32, 32), layout="ROW_MAJOR")
        if eps is not None:
            kwargs["epsilon"] = eps
        return ttnn.rms_norm(x, **kwargs)

    def reference():
        i = inputs()
        return ref_rms_norm(i["x"], None if weight_form == "none" else i["w"], 1e-12 if eps is None else eps)

    def golden():
        i = inputs()
        kwargs = {} if eps is None else {"epsilon": eps}
        return (i["x"], None if weight_form == "none" else i["w"]), kwargs

    return OpCase(cid, "rms_norm", run, reference, "op.rms_norm", specs=(_output_spec(shape, sharding, "TILE"),),
                  slow=slow, golden=golden)


def ref_layer_norm(x, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) over the last dim (biased variance, as torch.layer_norm), then * w + b."""
    x = f64(x)
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    out = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        out = out * f64(weight).reshape(-1)
    return out if bias is None else out + f64(bias).reshape(-1)


def layer_norm_case(shape, role: str, weight_form: str = "tile", bias: bool = True, eps=LAYER_NORM_EPS,
                    tag: str = "", layout: str = "TILE", program: Program | None = None,
                    sharding: Sharding | None = None) -> OpCase:
    """weight_form as rms_norm_case; the bias takes the weight's form. eps None = ttnn's default.
    layout: the input's (a ROW_MAJOR input gives a ROW_MAJOR output)."""
    width = shape[-1]
    eps_tag = "default_eps" if eps is None else f"eps{eps:g}"
    cid = (f"layer_norm-{tag}{role}-{shape_tag(shape)}-{eps_tag}-w_{weight_form}" + ("-bias" if bias else "")
           + ("-row_major" if layout == "ROW_MAJOR" else "") + (sharding.tag if sharding else "")
           + (program.tag if program else ""))

    def inputs():
        def build():
            gen = generator(cid)
            x = 3.0 + 2.0 * torch.randn(shape, generator=gen)  # an offset mean: the centring matters
            w = 1.0 + 0.1 * torch.randn(width, generator=gen)
            b = 0.1 * torch.randn(width, generator=gen)
            return {"x": x.to(BF16), "w": w.to(BF16), "b": b.to(BF16)}
        return memo(cid, build)

    def param(ttnn, device, values):
        if weight_form == "rm32":
            return to_dev(ttnn, device, values.reshape(1, 1, width // 32, 32), layout="ROW_MAJOR")
        return to_dev(ttnn, device, values.reshape(1, 1, 1, width))

    def run(ttnn, device):
        i = inputs()
        kwargs = _norm_kwargs(ttnn, program)
        if eps is not None:
            kwargs["epsilon"] = eps
        if weight_form != "none":
            kwargs["weight"] = param(ttnn, device, i["w"])
            if bias:
                kwargs["bias"] = param(ttnn, device, i["b"])
        return ttnn.layer_norm(_norm_input(ttnn, device, i["x"], sharding, layout), **kwargs)

    def reference():
        i = inputs()
        weight = None if weight_form == "none" else i["w"]
        return ref_layer_norm(i["x"], weight, i["b"] if bias and weight is not None else None,
                              1e-12 if eps is None else eps)

    return OpCase(cid, "layer_norm", run, reference, "op.layer_norm", specs=(_output_spec(shape, sharding, layout),))


WIDTH32 = Sharding("WIDTH", 32, (32, 32))  # [1,1,32,1024] over 4 x 8 cores, one tile each
BLOCK32 = Sharding("BLOCK", 32, (32, 128))  # [1,1,128,1024] over 4 x 8 cores

CASES: list[OpCase] = [
    # -- rms_norm: hidden, q_norm / k_norm over heads, decode rows, the two epsilons
    rms_norm_case((1, 1, 128, H), "hidden"),
    rms_norm_case((1, 1, 32, H), "hidden"),
    rms_norm_case((1, 1, 256, H), "hidden"),
    rms_norm_case((1, 1, 7, H), "hidden"),
    rms_norm_case((1, 1, 32, 100), "odd_width"),
    rms_norm_case((1, 1, 128, H), "hidden", weight_form="rm32"),
    rms_norm_case((1, NQ, 128, HD), "q_norm"),
    rms_norm_case((1, NKV, 128, HD), "k_norm"),
    rms_norm_case((1, 1, NQ, HD), "q_norm_decode"),
    rms_norm_case((1, 1, 32, H), "small_rows", eps=None, scales=ROW_SCALES),
    rms_norm_case((1, 1, 32, H), "small_rows", eps=RMS_EPS, scales=ROW_SCALES),
    rms_norm_case((1, 1, 2048, H), "hidden", slow=True),
    rms_norm_case((1, 1, 32, T.hidden), "hidden", tag="tiny-"),
    rms_norm_case((1, T.heads, 32, T.head_dim), "q_norm", tag="tiny-"),
    rms_norm_case((H,), "vector", weight_form="none"),  # rank 1: one row, padded to [32, W]
    rms_norm_case((2, 32, H), "rank3"),
    # -- layer_norm: weight and bias as [1,1,1,W] TILE or [1,1,W/32,32] ROW_MAJOR, none, odd shapes
    layer_norm_case((1, 1, 32, H), "hidden"),
    layer_norm_case((1, 1, 128, H), "hidden", weight_form="rm32"),
    layer_norm_case((1, 1, 128, H), "hidden", weight_form="rm32", bias=False),
    layer_norm_case((1, 1, 7, 100), "odd", weight_form="none", bias=False),
    layer_norm_case((1, 1, 32, T.hidden), "hidden", eps=None, tag="tiny-"),
    # -- program configs: the default one (and its flags) on interleaved inputs; the sharded one on
    # width- and block-sharded inputs, its blocks the shard (one row of cores: K split over all)
    rms_norm_case((1, 1, 32, H), "hidden", program=Program("default")),
    rms_norm_case((1, 1, 32, H), "hidden", program=Program("default", flags=("legacy_reduction", "legacy_rsqrt"))),
    layer_norm_case((1, 1, 32, H), "hidden", program=Program("default", flags=("use_welford",))),
    rms_norm_case((1, 1, 32, H), "hidden", sharding=WIDTH32, program=Program("sharded")),
    rms_norm_case((1, 1, 32, H), "hidden", sharding=WIDTH32, program=Program("sharded", grid=(8, 8))),
    rms_norm_case((1, 1, 32, H), "hidden", sharding=WIDTH32, program=Program("sharded", inplace=True)),
    rms_norm_case((1, 1, 32, H), "hidden", sharding=Sharding("WIDTH", 8, (32, 128)),
                  program=Program("sharded", block_w=4, subblock_w=2)),
    rms_norm_case((1, 1, 128, H), "hidden", sharding=BLOCK32, program=Program("sharded", block_w=4, subblock_w=4)),
    rms_norm_case((1, 1, 128, H), "hidden", sharding=BLOCK32),
    layer_norm_case((1, 1, 32, H), "hidden", sharding=Sharding("WIDTH", 16, (32, 64)),
                    program=Program("sharded", block_w=2, subblock_w=2, flags=("use_welford",))),
    # -- layer_norm of a ROW_MAJOR input (any rows, whole-tile width): ROW_MAJOR out
    layer_norm_case((1, 1, 32, H), "hidden", layout="ROW_MAJOR"),
    layer_norm_case((1, 1, 7, H), "hidden", weight_form="rm32", layout="ROW_MAJOR"),
    layer_norm_case((1, 32, H), "hidden", weight_form="none", bias=False, layout="ROW_MAJOR",
                    program=Program("default")),
]


def _r_rms_weight(ttnn, device):
    return ttnn.rms_norm(to_dev(ttnn, device, seeded_input((1, 1, 32, H))), epsilon=RMS_EPS,
                         weight=to_dev(ttnn, device, seeded_input((1, 1, 1, H // 2))))


def _r_rms_row_major(ttnn, device):
    return ttnn.rms_norm(to_dev(ttnn, device, seeded_input((1, 1, 32, H)), layout="ROW_MAJOR"), epsilon=RMS_EPS)


def _r_layer_norm_params(weight_width=H, bias_width=None):
    def run(ttnn, device):
        kwargs = {"weight": to_dev(ttnn, device, seeded_input((1, 1, 1, weight_width), "w"))}
        if bias_width is not None:
            kwargs["bias"] = to_dev(ttnn, device, seeded_input((1, 1, 1, bias_width), "b"))
        return ttnn.layer_norm(to_dev(ttnn, device, seeded_input((1, 1, 32, H))), **kwargs)
    return run


def _r_norm_params(weight_shape=(1, 1, 1, H), bias_layout=None):
    """layer_norm with a weight of `weight_shape` (TILE) and, given bias_layout, a bias in that layout."""
    def run(ttnn, device):
        kwargs = {"weight": to_dev(ttnn, device, seeded_input(weight_shape, "w"))}
        if bias_layout == "ROW_MAJOR":
            kwargs["bias"] = to_dev(ttnn, device, seeded_input((1, 1, H // 32, 32), "b"), layout="ROW_MAJOR")
        return ttnn.layer_norm(to_dev(ttnn, device, seeded_input((1, 1, 32, H))), epsilon=RMS_EPS, **kwargs)
    return run


def _r_norm(op="rms_norm", shape=(1, 1, 32, H), sharding: Sharding | None = WIDTH32, program: Program | None = None,
            layout="TILE", residual: Sharding | None | str = "none", memory_config: str | None = None):
    """A norm call with one broken argument. residual: 'none', None (interleaved) or a Sharding."""
    def run(ttnn, device):
        x = _norm_input(ttnn, device, seeded_input(shape), sharding, layout)
        kwargs = _norm_kwargs(ttnn, program)
        if residual != "none":
            kwargs["residual_input_tensor"] = _norm_input(ttnn, device, seeded_input(shape, "r"), residual, layout)
        if memory_config is not None:
            kwargs["memory_config"] = getattr(ttnn, memory_config)
        return getattr(ttnn, op)(x, epsilon=RMS_EPS, **kwargs)
    return run


REFUSALS: list[RefusalCase] = [
    # real: "Input and gamma padded widths must match and gamma logical width must be >= input logical width ..."
    RefusalCase("rms_norm-weight_width_mismatch", "rms_norm", _r_rms_weight,
                r"(?i)gamma padded widths must match|weight tensor's last padded dim .* must match"),
    # real: "ttnn::rms_norm does not support ROW_MAJOR input tensors. Use TILE layout." (rmsnorm.cpp:36)
    RefusalCase("rms_norm-row_major_input", "rms_norm", _r_rms_row_major,
                r"(?i)does not support ROW_MAJOR|must be tilized"),
    # real: "Input and gamma padded widths must match and gamma logical width must be >= input logical width ..."
    RefusalCase("layer_norm-weight_width_mismatch", "layer_norm", _r_layer_norm_params(weight_width=H // 2),
                r"(?i)gamma padded widths must match"),
    # real: "Input and beta padded widths must match and beta logical width must be >= ..." (the host
    # backend words this rule with "gamma": the pattern takes either name)
    RefusalCase("layer_norm-bias_width_mismatch", "layer_norm", _r_layer_norm_params(bias_width=H // 2),
                r"(?i)(beta|gamma) padded widths must match"),
    # real: "ROW_MAJOR input requires W (100) to be a multiple of tile width (32)"
    RefusalCase("layer_norm-row_major_input_width100", "layer_norm",
                _r_norm("layer_norm", (1, 1, 32, 100), sharding=None, layout="ROW_MAJOR"),
                r"ROW_MAJOR input requires W \(100\) to be a multiple of tile width \(32\)"),
    # real: "Residual tensor must have TILE layout, got: Layout::ROW_MAJOR"
    RefusalCase("layer_norm-row_major_residual", "layer_norm",
                _r_norm("layer_norm", sharding=None, layout="ROW_MAJOR", residual=None),
                r"Residual tensor must have TILE layout, got: Layout::ROW_MAJOR"),
    # real: "Welford's algorithm is not supported for RMSNorm" (either config)
    RefusalCase("rms_norm-pc_default_use_welford", "rms_norm",
                _r_norm(sharding=None, program=Program("default", flags=("use_welford",))),
                r"Welford's algorithm is not supported for RMSNorm"),
    RefusalCase("rms_norm-width_sharded32-pc_sharded_use_welford", "rms_norm",
                _r_norm(program=Program("sharded", flags=("use_welford",))),
                r"Welford's algorithm is not supported for RMSNorm"),
    # real: "std::get: wrong index for variant" (the sharded kernel reads a default config)
    RefusalCase("rms_norm-width_sharded32-pc_default", "rms_norm", _r_norm(program=Program("default")),
                r"std::get: wrong index for variant"),
    RefusalCase("layer_norm-block_sharded32-pc_default", "layer_norm",
                _r_norm("layer_norm", (1, 1, 128, H), sharding=BLOCK32, program=Program("default")),
                r"std::get: wrong index for variant"),
    # real: "bad optional access" (a sharded config on an interleaved input has no shard spec to read)
    RefusalCase("rms_norm-interleaved-pc_sharded", "rms_norm", _r_norm(sharding=None, program=Program("sharded")),
                r"bad optional access"),
    # real: "program_config grid (9x9) must be contained within device grid (8x8)"
    RefusalCase("rms_norm-width_sharded32-pc_sharded_grid9x9", "rms_norm",
                _r_norm(program=Program("sharded", grid=(9, 9))),
                r"program_config grid \(9x9\) must be contained within device grid \(8x8\)"),
    # real: "shard_spec.grid size 8x4 does not fit within program_config grid 4x4"
    RefusalCase("rms_norm-width_sharded32-pc_sharded_grid4x4", "rms_norm",
                _r_norm(program=Program("sharded", grid=(4, 4))),
                r"shard_spec.grid size 8x4 does not fit within program_config grid 4x4"),
    # real: "block_w (2) must equal to K (in tiles) / num_cores (1)" (one row of cores)
    RefusalCase("rms_norm-width_sharded32-pc_sharded_block1x2", "rms_norm",
                _r_norm(program=Program("sharded", block_w=2)),
                r"block_w \(2\) must equal to K \(in tiles\) / num_cores \(1\)"),
    # real: "block_w (1) must equal to K (in tiles) / num_cores_c (4)" (block_h 2 != M: the 2-D rule)
    RefusalCase("layer_norm-width_sharded32-pc_sharded_block2x1", "layer_norm",
                _r_norm("layer_norm", program=Program("sharded", block_h=2)),
                r"block_w \(1\) must equal to K \(in tiles\) / num_cores_c \(4\)"),
    # real: "block_w must be divisible by subblock_w."
    RefusalCase("rms_norm-width_sharded8-pc_sharded_block1x4_sub3", "rms_norm",
                _r_norm(sharding=Sharding("WIDTH", 8, (32, 128)), program=Program("sharded", block_w=4, subblock_w=3)),
                r"block_w must be divisible by subblock_w"),
    # real: "Sharded inputs require sharded outputs."
    RefusalCase("rms_norm-width_sharded32-dram_output", "rms_norm",
                _r_norm(program=Program("sharded"), memory_config="DRAM_MEMORY_CONFIG"),
                r"Sharded inputs require sharded outputs"),
    # real: "Number of shards along width 32 must not exceed number of columns 8 ..." (its tensor-spec
    # code lays the input's 32 width shards out as blocks); the host refuses the layout change itself
    RefusalCase("rms_norm-width_sharded32-block_sharded_output", "rms_norm",
                _r_norm(program=Program("sharded"), memory_config="L1_BLOCK_SHARDED_MEMORY_CONFIG"),
                r"same memory layout and buffer type|Number of shards along width 32 must not exceed"),
    # real: "residual tensor b should be sharded if input a is sharded"
    RefusalCase("rms_norm-block_sharded32-interleaved_residual", "rms_norm",
                _r_norm(shape=(1, 1, 128, H), sharding=BLOCK32, residual=None,
                        program=Program("sharded", block_w=4, subblock_w=4)),
                r"residual tensor b should be sharded if input a is sharded"),
    # real: "Gamma tensor height must equal tile height (32), got: 64"
    RefusalCase("layer_norm-weight_tile_rows64", "layer_norm", _r_norm_params(weight_shape=(1, 1, 64, H)),
                r"Gamma tensor height must equal tile height \(32\), got: 64"),
    # real: "Gamma and beta must have the same layout!"
    RefusalCase("layer_norm-weight_tile_bias_row_major", "layer_norm", _r_norm_params(bias_layout="ROW_MAJOR"),
                r"Gamma and beta must have the same layout!"),
    # real: "Input tensor must have TILE layout (ROW_MAJOR is only supported for non-sharded tensors), got: ..."
    RefusalCase("layer_norm-row_major_width_sharded32", "layer_norm", _r_norm("layer_norm", layout="ROW_MAJOR"),
                r"ROW_MAJOR is only supported for non-sharded tensors"),
    # real: "bad optional access" (an interleaved input has no shard spec for a sharded output to take)
    RefusalCase("rms_norm-interleaved-width_sharded_output_without_spec", "rms_norm",
                _r_norm(sharding=None, memory_config="L1_WIDTH_SHARDED_MEMORY_CONFIG"), r"bad optional access"),
    # NOT listed: a host-tensor input, which crashes the real process (segmentation fault).
]
