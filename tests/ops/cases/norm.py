"""ttnn.rms_norm (hidden, q_norm/k_norm over heads, decode rows, both epsilons) and ttnn.layer_norm
(with and without weight and bias; Qwen3 does not use it, the host implements it)."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    BF16, RMS_EPS, T, H, NQ, NKV, HD, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile, to_dev,
    ref_rms_norm, f64, shape_tag)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("rms_norm", "layer_norm")
GOLDEN_OPS = ("rms_norm",)
ROW_SCALES = torch.logspace(-1, -5, 32)  # per-row magnitudes 1e-1 .. 1e-5: epsilon decides the result
LAYER_NORM_EPS = 1e-5  # ttnn.layer_norm's own default is 1e-12, like rms_norm's


def rms_norm_case(shape, role: str, eps=RMS_EPS, weight_form: str = "tile", scales=None, tag: str = "",
                  slow=False) -> OpCase:
    """weight_form: 'tile' = [1,1,1,W] TILE, 'rm32' = [1,1,W/32,32] ROW_MAJOR (tt_transformers),
    'none' = no weight. eps None = ttnn's default epsilon (not passed)."""
    width = shape[-1]
    eps_tag = "default_eps" if eps is None else f"eps{eps:g}"
    dims = "x".join(str(s) for s in shape)
    cid = f"rms_norm-{tag}{role}-{dims}-{eps_tag}-w_{weight_form}"

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
        x = to_dev(ttnn, device, i["x"])
        kwargs = {}
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

    return OpCase(cid, "rms_norm", run, reference, "op.rms_norm", specs=(tile(shape),), slow=slow,
                  golden=golden)


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
                    tag: str = "") -> OpCase:
    """weight_form as rms_norm_case; the bias takes the weight's form. eps None = ttnn's default."""
    width = shape[-1]
    eps_tag = "default_eps" if eps is None else f"eps{eps:g}"
    cid = f"layer_norm-{tag}{role}-{shape_tag(shape)}-{eps_tag}-w_{weight_form}" + ("-bias" if bias else "")

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
        kwargs = {} if eps is None else {"epsilon": eps}
        if weight_form != "none":
            kwargs["weight"] = param(ttnn, device, i["w"])
            if bias:
                kwargs["bias"] = param(ttnn, device, i["b"])
        return ttnn.layer_norm(to_dev(ttnn, device, i["x"]), **kwargs)

    def reference():
        i = inputs()
        weight = None if weight_form == "none" else i["w"]
        return ref_layer_norm(i["x"], weight, i["b"] if bias and weight is not None else None,
                              1e-12 if eps is None else eps)

    return OpCase(cid, "layer_norm", run, reference, "op.layer_norm", specs=(tile(shape),))


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
    # -- layer_norm: weight and bias as [1,1,1,W] TILE or [1,1,W/32,32] ROW_MAJOR, none, odd shapes
    layer_norm_case((1, 1, 32, H), "hidden"),
    layer_norm_case((1, 1, 128, H), "hidden", weight_form="rm32"),
    layer_norm_case((1, 1, 128, H), "hidden", weight_form="rm32", bias=False),
    layer_norm_case((1, 1, 7, 100), "odd", weight_form="none", bias=False),
    layer_norm_case((1, 1, 32, T.hidden), "hidden", eps=None, tag="tiny-"),
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


REFUSALS: list[RefusalCase] = [
    # real: "Input and gamma padded widths must match and gamma logical width must be >= input logical width ..."
    RefusalCase("rms_norm-weight_width_mismatch", "rms_norm", _r_rms_weight,
                r"(?i)gamma padded widths must match|weight tensor's last padded dim .* must match"),
    # real: "ttnn::rms_norm does not support ROW_MAJOR input tensors. Use TILE layout."
    RefusalCase("rms_norm-row_major_input", "rms_norm", _r_rms_row_major,
                r"(?i)does not support ROW_MAJOR|must be tilized"),
    # real: "Input and gamma padded widths must match and gamma logical width must be >= input logical width ..."
    RefusalCase("layer_norm-weight_width_mismatch", "layer_norm", _r_layer_norm_params(weight_width=H // 2),
                r"(?i)gamma padded widths must match"),
    # real: "Input and beta padded widths must match and beta logical width must be >= ..." (the host
    # backend words this rule with "gamma": the pattern takes either name)
    RefusalCase("layer_norm-bias_width_mismatch", "layer_norm", _r_layer_norm_params(bias_width=H // 2),
                r"(?i)(beta|gamma) padded widths must match"),
    # NOT listed: a ROW_MAJOR input. 0.81.1 accepts it (and returns ROW_MAJOR, measured on the mock
    # n150) while the host backend refuses it; and a host-tensor input, which crashes the real
    # process (segmentation fault), as for rms_norm.
]
