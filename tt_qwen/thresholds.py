"""Every accuracy threshold of the suite, in one reviewed place, by component and dtype.

A change here is a change of what the suite promises: say why in the commit. The figures are
tt-metal's own LLM test thresholds where one exists (see README, "Thresholds"); our measured
values on the host backend are printed next to each by the reports.

dtype names the precision of the weights the component runs with ("bfloat16": bf16 weights and
activations; "bfloat8_b": block-float weights, bf16 activations).
"""

from __future__ import annotations

# (component, dtype) -> minimum PCC against a float32 torch / HF reference.
PCC = {
    # op tier: one TTNN op against a float64 torch computation on the same (rounded) inputs.
    # Only the output rounding (and fp32 accumulation order) separates the two.
    ("op.embedding", "bfloat16"): 0.99999,
    ("op.linear", "bfloat16"): 0.9999,
    ("op.linear", "bfloat8_b"): 0.999,
    ("op.linear", "bfloat4_b"): 0.99,
    ("op.rms_norm", "bfloat16"): 0.9999,
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
    ("op.sdpa", "bfloat16"): 0.999,
    ("op.sdpa_decode", "bfloat16"): 0.999,
    # layer tier: one block of the TTNN model against the same HF float32 block and weights.
    ("layer.rms_norm", "bfloat16"): 0.9999,
    ("layer.rope", "bfloat16"): 0.9999,
    ("layer.attention", "bfloat16"): 0.99,
    ("layer.mlp", "bfloat16"): 0.99,
    ("layer.mlp", "bfloat8_b"): 0.99,
    ("layer.decoder", "bfloat16"): 0.99,
    ("layer.lm_head", "bfloat16"): 0.99,
    ("layer.kv_cache", "bfloat16"): 0.99,
    # model tier: the whole model against HF float32.
    ("model.hidden_state", "bfloat16"): 0.98,
    ("model.logits", "bfloat16"): 0.98,
    ("model.logits", "bfloat8_b"): 0.95,
    ("model.kv_cache", "bfloat16"): 0.98,
    # prefill and decode run the same weights through different ops: they agree closely.
    ("model.prefill_vs_decode", "bfloat16"): 0.99,
}

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
