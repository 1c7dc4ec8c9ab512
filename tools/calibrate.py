"""Calibrate the PCC thresholds against the host's model of the n150 datapath.

    .venv/bin/python tools/calibrate.py            # print the calibration table (markdown)
    .venv/bin/python tools/calibrate.py --python   # print it as the CALIBRATION dict of thresholds.py

For every threshold component of the op and layer tiers it measures, under device numerics, the
worst PCC over the component's cases at the precision the suite configures, and the worst PCC one
precision step down (bf16 -> bfloat8_b weights, the configured fidelity -> LoFi, an fp32 Dst ->
16-bit). A threshold must sit between the two; `margin` is measured - threshold. The op cases are
tests.ops.cases' (the op tier's own); the layer cases run one decoder layer at the exact
Qwen3-0.6B dimensions with seeded random weights.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tt_qwen.compare import compare  # noqa: E402

OP_FAMILIES = ("embedding", "matmul", "norm", "eltwise", "rotary", "sdpa")
# The op of each family whose compute_kernel_config a step down rewrites (None: no step applies).
STEPPED_OPS = {"op.linear": "linear", "op.rms_norm": "rms_norm", "op.sdpa": "transformer.scaled_dot_product_attention",
               "op.sdpa_decode": "transformer.scaled_dot_product_attention_decode"}


class ConfigInjector:
    """A ttnn module whose calls of `op` (a dotted path) always get `compute_kernel_config=config`."""

    def __init__(self, ttnn, op: str, config):
        self._ttnn, self._op, self._config = ttnn, op, config

    def __getattr__(self, name):
        attr = getattr(self._ttnn, name)
        head, _, rest = self._op.partition(".")
        if name != head:
            return attr
        if rest:
            return ConfigInjector(attr, rest, self._config)

        def call(*args, **kwargs):
            kwargs["compute_kernel_config"] = self._config
            return attr(*args, **kwargs)
        return call


def lofi(ttnn):
    return ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.LoFi)


def case_pcc(case, ttnn, device) -> float:
    outputs = case.run(ttnn, device)
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    expected = case.reference()
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    worst = 1.0
    for index, (out, want) in enumerate(zip(outputs, expected)):
        actual = ttnn.to_torch(out)
        if case.select is not None:
            actual, want = case.select(actual, index), case.select(want, index)
        worst = min(worst, compare(want, actual).pcc)
    return worst


def op_calibration(ttnn, device) -> dict:
    """(component, dtype) -> {measured, step, stepped}: the op tier's worst PCCs."""
    from tests.ops.cases import cases_for

    table = {}
    for family in OP_FAMILIES:
        for case in cases_for(family):
            if case.exact or case.slow or case.check is not None or not case.device_numbers:
                continue
            key = (case.component, case.dtype)
            row = table.setdefault(key, {"measured": 1.0, "step": None, "stepped": None})
            row["measured"] = min(row["measured"], case_pcc(case, ttnn, device))
            if case.component in STEPPED_OPS:
                stepped = case_pcc(case, ConfigInjector(ttnn, STEPPED_OPS[case.component], lofi(ttnn)), device)
                row["step"] = "LoFi"
                row["stepped"] = min(row["stepped"] or 1.0, stepped)
    return table


# ---- the layer tier: the model's precision plan, and each step down from it ---------------------


def stepped_plans(plan):
    """name -> (the component family it should break, a plan one step down)."""
    from tt_qwen.model.config import KernelConfig, LinearPrecision

    def fidelity(config: KernelConfig, name: str):
        return dataclasses.replace(config, math_fidelity=name)

    def dst16(config: KernelConfig):
        return dataclasses.replace(config, fp32_dest_acc_en=False)

    def linears(change):
        roles = ("qkv", "o", "gate", "up", "down", "lm_head")
        return {role: LinearPrecision(plan.linear(role).weight_dtype, change(plan.linear(role).compute))
                for role in roles}

    return {
        "linear-LoFi": dataclasses.replace(plan, **linears(lambda c: fidelity(c, "LoFi"))),
        "linear-dst16": dataclasses.replace(plan, **linears(dst16)),
        "sdpa-LoFi": dataclasses.replace(plan, sdpa=fidelity(plan.sdpa, "LoFi"),
                                         sdpa_decode=fidelity(plan.sdpa_decode, "LoFi")),
        "norm-LoFi": dataclasses.replace(plan, norm=fidelity(plan.norm, "LoFi")),
        "norm-dst16": dataclasses.replace(plan, norm=dst16(plan.norm)),
    }


def layer_pccs(harness, seq: int = 128) -> dict:
    """component -> PCC of the blocks built with the current precision plan, on one seeded input."""
    torch.manual_seed(0)
    dims = harness.dims
    x = torch.randn(seq, dims.hidden_size)
    figures = {}
    mlp_hf = harness.layer.mlp(x).detach()
    for dtype in ("bfloat16", "bfloat8_b"):
        mlp = harness.mlp(getattr(harness.ttnn, dtype))
        figures[("layer.mlp", dtype)] = compare(mlp_hf, harness.to_torch(mlp(harness.to_device(x)), seq)[0, 0]).pcc
    norm_hf = harness.layer.input_layernorm(x).detach()
    norm = harness.norm(harness.layer.input_layernorm)
    figures[("layer.rms_norm", "bfloat16")] = compare(norm_hf, harness.to_torch(norm(harness.to_device(x)), seq)[0, 0]).pcc
    figures[("layer.attention", "bfloat16")] = _attention_pcc(harness, x, seq)
    return figures


def _attention_pcc(harness, x, seq: int) -> float:
    from tt_qwen import reference

    attn = harness.attention()
    expected = reference.attention(harness.hf, 0, x)
    out = attn.prefill(harness.to_device(x), harness.rope, *harness.cache.layer(0), user=0, start=0)
    return compare(expected, harness.to_torch(out, seq)[0, 0]).pcc


def layer_calibration(device) -> dict:
    import tt_qwen.model.config as config
    from tests.layers.harness import BlockHarness
    from tt_qwen import models

    harness = BlockHarness(models.load_hf_model(models.resolve("qwen3-0.6b-1layer")[0]), device, max_seq_len=256)
    plan = config.PRECISION
    table = {key: {"measured": pcc, "steps": {}} for key, pcc in layer_pccs(harness).items()}
    try:
        for name, stepped in stepped_plans(plan).items():
            config.PRECISION = stepped
            for key, pcc in layer_pccs(harness).items():
                table[key]["steps"][name] = pcc
    finally:
        config.PRECISION = plan
    return table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops-only", action="store_true", help="skip the layer tier")
    args = parser.parse_args(argv)
    from tt_qwen import backends

    backends.select_ttnn("host")
    backend = backends.open_backend("host")
    ops = op_calibration(backend.ttnn, backend.device)
    print("| component | dtype | worst PCC (device model) | one step down | its worst PCC |")
    print("|---|---|---|---|---|")
    for (component, dtype), row in sorted(ops.items()):
        stepped = "-" if row["stepped"] is None else f"{row['stepped']:.6f}"
        print(f"| `{component}` | {dtype} | {row['measured']:.6f} | {row['step'] or '-'} | {stepped} |")
    if not args.ops_only:
        for (component, dtype), row in sorted(layer_calibration(backend.device).items()):
            steps = ", ".join(f"{name} {pcc:.6f}" for name, pcc in row["steps"].items())
            print(f"| `{component}` | {dtype} | {row['measured']:.6f} | {steps} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
