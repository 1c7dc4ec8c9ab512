"""Every accuracy threshold of the suite, in one reviewed place, by component and dtype.

A change here is a change of what the suite promises: say why in the commit. Each threshold has a
calibration line (CALIBRATION below, printed by the README beside it): the worst PCC measured on
the component's cases under the host's model of the n150 datapath (`tools/calibrate.py`
regenerates the figures), the margin kept, and what one precision step down measured. A
threshold sits below the first and, where the gap is wide enough to hold on a card, above the
second; where it is not, the note says so and leaves that step to the precision-plan audit.

dtype names the precision of the weights the component runs with ("bfloat16": bf16 weights and
activations; "bfloat8_b": block-float weights, bf16 activations).
"""

from __future__ import annotations

from dataclasses import dataclass

# (component, dtype) -> minimum PCC against a float32 torch / HF reference.
PCC = {
    # op tier: one TTNN op (its default compute config) against a float64 torch computation on the
    # same rounded inputs: the device's datapath (16-bit Dst, fidelity, exp approximation) separates them.
    ("op.embedding", "bfloat16"): 0.99999,
    ("op.linear", "bfloat16"): 0.9997,
    ("op.linear", "bfloat8_b"): 0.999,
    ("op.linear", "bfloat4_b"): 0.99,
    ("op.rms_norm", "bfloat16"): 0.9999,
    ("op.layer_norm", "bfloat16"): 0.9999,  # as rms_norm: a norm in bf16 (the host implements it; Qwen3 does not call it)
    ("op.eltwise", "bfloat16"): 0.9999,
    ("op.softmax", "bfloat16"): 0.9999,
    ("op.rotary_embedding", "bfloat16"): 0.9999,
    ("op.heads", "bfloat16"): 1.0,  # pure data movement: exact
    ("op.kv_cache", "bfloat16"): 1.0,  # pure data movement: exact
    # reshapes, slices, layout and memory moves, host <-> device copies: the same values, any dtype
    ("op.data_movement", "bfloat16"): 1.0,
    ("op.data_movement", "bfloat8_b"): 1.0,
    ("op.data_movement", "float32"): 1.0,
    ("op.data_movement", "uint32"): 1.0,
    ("op.data_movement", "int32"): 1.0,
    ("op.sdpa", "bfloat16"): 0.9995,
    ("op.sdpa_decode", "bfloat16"): 0.9993,
    # layer tier: one block of the TTNN model against the same HF float32 block and weights.
    ("layer.rms_norm", "bfloat16"): 0.9999,
    ("layer.rope", "bfloat16"): 0.9999,
    # (the precision plan of tt_qwen/model/config.py: HiFi2 + fp32 Dst matmuls, HiFi4 norms and SDPA)
    ("layer.attention", "bfloat16"): 0.9996,
    ("layer.mlp", "bfloat16"): 0.9999,
    ("layer.mlp", "bfloat8_b"): 0.9998,
    ("layer.decoder", "bfloat16"): 0.9999,
    ("layer.lm_head", "bfloat16"): 0.9998,
    ("layer.kv_cache", "bfloat16"): 0.99997,
    # model tier: the whole model against HF float32.
    ("model.hidden_state", "bfloat16"): 0.9995,
    ("model.logits", "bfloat16"): 0.997,
    ("model.logits", "bfloat8_b"): 0.999,
    ("model.kv_cache", "bfloat16"): 0.998,
    # past a few thousand positions an SDPA with a 16-bit Dst sums its softmax in bf16: the cache of
    # the layers after it drifts (tests/model/test_long_context.py, 8200 tokens).
    ("model.kv_cache.long_context", "bfloat16"): 0.995,
    # prefill and decode run the same weights through different ops: they agree closely.
    ("model.prefill_vs_decode", "bfloat16"): 0.9995,
}


@dataclass(frozen=True)
class Calibration:
    measured: float | None  # worst PCC under the device model over the component's cases (None: not measured)
    step_down: str  # one step down in precision and the worst PCC it measured, or why none applies
    note: str = ""

    def margin(self, threshold: float) -> float | None:
        return None if self.measured is None else self.measured - threshold


_THIN = "too thin to hold on a card: left to the precision-plan audit"
# (component, dtype) -> its calibration (tools/calibrate.py; op tier: tests.ops.cases, default configs).
CALIBRATION = {
    ("op.embedding", "bfloat16"): Calibration(1.0, "none (a row copy)"),
    ("op.linear", "bfloat16"): Calibration(0.999792, "LoFi 0.999767; bfloat8_b weights 0.999790",
                                           f"the 16-bit Dst dominates at K >= 2048; {_THIN}"),
    ("op.linear", "bfloat8_b"): Calibration(0.999790, "LoFi 0.999754", _THIN),
    ("op.linear", "bfloat4_b"): Calibration(None, "no default-tier case", "tt-metal's figure"),
    ("op.rms_norm", "bfloat16"): Calibration(0.999986, "LoFi 0.999757 (fails)"),
    ("op.eltwise", "bfloat16"): Calibration(0.999998, "none (one rounding)"),
    ("op.softmax", "bfloat16"): Calibration(0.999999, "none taken"),
    ("op.rotary_embedding", "bfloat16"): Calibration(0.999996, "none: 0.81.1's rotary ignores compute_kernel_config"),
    ("op.heads", "bfloat16"): Calibration(1.0, "none (data movement)"),
    ("op.kv_cache", "bfloat16"): Calibration(1.0, "none (data movement)"),
    ("op.layer_norm", "bfloat16"): Calibration(0.999999, "not measured: Qwen3 does not call layer_norm",
                                               "the host's bf16-intermediate norm, as rms_norm"),
    **{("op.data_movement", dtype): Calibration(1.0, "none (data movement)", "compared with torch.equal")
       for dtype in ("bfloat16", "bfloat8_b", "float32", "uint32", "int32")},
    ("op.sdpa", "bfloat16"): Calibration(0.999722, "LoFi 0.999206 (fails)"),
    ("op.sdpa_decode", "bfloat16"): Calibration(0.999675, "LoFi 0.998906 (fails)"),
    # layer tier: tools/calibrate.py --layers-only (one Qwen3-0.6B layer, seq 128) and the worst of
    # the layer tests' own cases (tools/calibrate.py --from-session), whichever is lower.
    ("layer.rms_norm", "bfloat16"): Calibration(0.999992, "LoFi 0.999795 (fails); fp32 -> 16-bit Dst 0.999986",
                                                f"the 16-bit Dst step: {_THIN}"),
    ("layer.attention", "bfloat16"): Calibration(0.999804, "SDPA LoFi 0.999584, linears LoFi 0.999589, linears 16-bit "
                                                           "Dst 0.999590, norms LoFi 0.998529 (all fail)",
                                                 "measured on the prefill-128 case, whose plan PCC is 0.999906: the "
                                                 "steps land 1e-5 under the threshold there, thin"),
    ("layer.mlp", "bfloat16"): Calibration(0.999971, "LoFi 0.999660, fp32 -> 16-bit Dst 0.999603 (fail); bfloat8_b "
                                                     "weights 0.999901", f"the bfloat8_b step: {_THIN}"),
    ("layer.mlp", "bfloat8_b"): Calibration(0.999900, "LoFi 0.999618, fp32 -> 16-bit Dst 0.999566 (fail)"),
    ("layer.decoder", "bfloat16"): Calibration(0.999974, "its blocks' steps (above)"),
    ("layer.lm_head", "bfloat16"): Calibration(0.999906, "the plan's config 0.999986 -> linear LoFi 0.999892, "
                                                         "16-bit Dst 0.999906, norm LoFi 0.999779 (fails)",
                                               "worst: the layer test, which runs ttnn.linear's default config "
                                               "(= the 16-bit Dst figure); the linear steps: " + _THIN),
    ("layer.rope", "bfloat16"): Calibration(0.999995, "none: 0.81.1's rotary ignores compute_kernel_config"),
    # model tier: the worst PCC the model tests' own cases recorded (tiny seeded configs, tiny-trained,
    # one Qwen3-0.6B layer: tools/calibrate.py --model-only; the every-position checks judge single
    # rows, the lowest figures); the steps: the plan stepped down one block kind at a time.
    ("model.hidden_state", "bfloat16"): Calibration(0.999730, "28 layers, linear LoFi 0.997906 (fails); the default "
                                                              "tier's: as model.logits' (the same layers)",
                                                    "worst: qwen3-0.6b-random (28 layers) prefill-33 after layer 27 "
                                                    "(tools/calibrate.py --depth-only; prefill-200 not measured); the "
                                                    "default tier's worst 0.999887, tiny-hd128-mqa prefill-200"),
    ("model.logits", "bfloat16"): Calibration(0.998164, "worst row of a tiny-trained 64-token prefill: linear LoFi "
                                                        "0.993256, SDPA LoFi 0.996359, norm LoFi 0.981648 (fail); linear "
                                                        "16-bit Dst 0.998480 (whole logits, qwen3-0.6b-1layer: 0.998843)",
                                              "worst: one row of tiny-trained's chunked prefill (130 tokens, chunk 64; "
                                              "whole-tensor worst 0.999606); the 16-bit Dst step: " + _THIN + "; 28 "
                                              "layers (qwen3-0.6b-random prefill-33): 0.999715, linear LoFi 0.997751 "
                                              "passes this row (the same session's hidden-state and cache rows fail it)"),
    ("model.logits", "bfloat8_b"): Calibration(0.999882, "as bf16's (the MLP's weights are the step taken)",
                                               "one prefill per tiny config"),
    ("model.kv_cache", "bfloat16"): Calibration(0.998991, "worst cached row, tiny-trained's 64-token prefill: linear LoFi "
                                                          "0.997687, SDPA LoFi 0.995702, norm LoFi 0.992077 (fail); "
                                                          "16-bit Dst 0.998806",
                                                "worst: a V row of tiny-trained's chunked prefill; the 8200-token "
                                                "prefill is judged by model.kv_cache.long_context; the 16-bit Dst step: " + _THIN + "; 28 layers "
                                                "(qwen3-0.6b-random prefill-33): 0.999697, linear LoFi 0.997911 (fails, "
                                                "by 9e-5: thin)"),
    ("model.kv_cache.long_context", "bfloat16"): Calibration(
        0.995764, "linear LoFi 0.995082 (passes), SDPA LoFi 0.989962, norm LoFi 0.989277, 16-bit Dst 0.994658 (fail)",
        "worst: layer 1's K at position 7828 of the 8200-token prefill (logits there 0.998645); linear LoFi: "
        + _THIN + "; the slow tier's 32800-token run judges its cache by this row on the host's exact numerics: "
        "a card past 8200 is not measured"),
    ("model.prefill_vs_decode", "bfloat16"): Calibration(0.999914, "none: prefill and decode run the same plan, a step "
                                                                   "moves both", "worst: tiny-mha decode at position 127"),
    ("layer.kv_cache", "bfloat16"): Calibration(0.999983, "values held as bfloat8_b 0.999953 (fails)",
                                                "1.3e-5 either side: thin on a card (0.81.1's fill_cache refuses a bf16 "
                                                "input into a bfloat8_b cache; the precision audit checks the cache dtype)"),
}


def calibration(component: str, dtype: str = "bfloat16") -> Calibration:
    return CALIBRATION.get((component, dtype), Calibration(None, "not calibrated yet"))


# (model kind, metric) -> minimum teacher-forcing accuracy (fraction of steps).
ACCURACY = {
    # tt-metal's defaults for models without a target (models/tt_transformers accuracy test).
    ("default", "top1"): 0.83,
    ("default", "top5"): 0.96,
    # The committed tiny-trained checkpoint is confident: bf16 should rarely flip its argmax.
    ("tiny-trained", "top1"): 0.95,
    ("tiny-trained", "top5"): 0.99,
}


def pcc_threshold(component: str, dtype: str = "bfloat16") -> float:
    try:
        return PCC[(component, dtype)]
    except KeyError:
        known = sorted(d for c, d in PCC if c == component)
        hint = f"known dtypes for it: {known}" if known else "no such component"
        raise KeyError(f"no PCC threshold for ({component!r}, {dtype!r}) in tt_qwen/thresholds.py; {hint}") from None


def accuracy_floor(model_kind: str, metric: str) -> float:
    return ACCURACY.get((model_kind, metric), ACCURACY[("default", metric)])


def accuracy_floors(model_name: str) -> dict:
    """The top1 / top5 floors of an evaluated model: its own where it has them, else the defaults."""
    kind = model_name if any(k == model_name for k, _ in ACCURACY) else "default"
    return {metric: accuracy_floor(kind, metric) for metric in ("top1", "top5")}


def pcc_table_rows() -> list[str]:
    """The README's threshold table, one markdown row per (component, dtype), calibration beside it."""
    rows = ["| component | dtype | min PCC | measured (device model) | margin | one step down | note |",
            "|---|---|---|---|---|---|---|"]
    for (component, dtype), value in PCC.items():
        cal = calibration(component, dtype)
        measured = "-" if cal.measured is None else f"{cal.measured:.6f}"
        margin = cal.margin(value)
        kept = "-" if margin is None else f"{margin:.1e}"
        rows.append(f"| `{component}` | {dtype} | {value} | {measured} | {kept} | {cal.step_down} | {cal.note} |")
    return rows
