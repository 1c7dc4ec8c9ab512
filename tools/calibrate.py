"""Calibrate the PCC thresholds against the host's model of the n150 datapath.

    .venv/bin/python tools/calibrate.py                 # every row: op, layer and model tiers, each step down
    .venv/bin/python tools/calibrate.py --layers-only   # (or --ops-only, --model-only [--steps linear-LoFi,...])
    .venv/bin/python tools/calibrate.py --depth-only    # the slow tier's 28-layer model: plan, linear LoFi
    .venv/bin/python tools/calibrate.py --from-session s.xml   # the worst PCC per component of a session

For every threshold component of the op and layer tiers it measures, under device numerics, the
worst PCC over the component's cases at the precision the suite configures, and the worst PCC one
precision step down (bf16 -> bfloat8_b weights, the configured fidelity -> LoFi, an fp32 Dst ->
16-bit). A threshold must sit between the two; `margin` is measured - threshold. The op cases are
tests.ops.cases' (the op tier's own); the layer cases run one decoder layer at the exact
Qwen3-0.6B dimensions with seeded random weights; the model tier is the model tests' own cases
(tiny seeded configs, tiny-trained, one Qwen3-0.6B layer), run as pytest sessions (the plan, then
each step down, tools/calibrate_plugin.py; ~15 min for the plan's session on a 2-core machine)
whose junit XML --from-session also reads; the depth sessions run one case of each model-tier row
on the slow tier's 28-layer random-weight model (plan and linear LoFi). The figures go into tt_qwen/thresholds.py
CALIBRATION, which the README prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tt_qwen.compare import compare  # noqa: E402

OP_FAMILIES = ("embedding", "linear", "norm", "eltwise", "rotary", "sdpa")
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
    from tests.ops.cases import FAMILIES

    table = {}
    for family in OP_FAMILIES:
        for case in FAMILIES[family].cases:
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


LAYER_SEQ = 128


def _layer_input(harness) -> torch.Tensor:
    return torch.randn(LAYER_SEQ, harness.dims.hidden_size, generator=torch.Generator().manual_seed(0))


def mlp_pcc(harness, dtype: str) -> float:
    x = _layer_input(harness)
    mlp = harness.mlp(getattr(harness.ttnn, dtype))
    actual = harness.to_torch(mlp(harness.to_device(x)), LAYER_SEQ)[0, 0]
    return compare(harness.layer.mlp(x).detach(), actual).pcc


def norm_pcc(harness, dtype: str = "bfloat16") -> float:
    x = _layer_input(harness)
    norm = harness.norm(harness.layer.input_layernorm)
    actual = harness.to_torch(norm(harness.to_device(x)), LAYER_SEQ)[0, 0]
    return compare(harness.layer.input_layernorm(x).detach(), actual).pcc


def attention_pcc(harness, dtype: str = "bfloat16") -> float:
    from tt_qwen import reference

    x = _layer_input(harness)
    out = harness.attention().prefill(harness.to_device(x), harness.rope, *harness.cache.layer(0), user=0, start=0)
    return compare(reference.attention(harness.hf, 0, x), harness.to_torch(out, LAYER_SEQ)[0, 0]).pcc


def kv_cache_pcc(harness, dtype: str = "bfloat16", stored_as: str = "bfloat16") -> float:
    """The worst of K and V in a fresh one-user cache after a prefill, against HF's (normed, rotated)
    keys and values; `stored_as` bfloat8_b re-stores the cached values as a bfloat8_b cache would
    hold them (0.81.1's fill_cache refuses a bf16 input into a bfloat8_b cache, so the model cannot
    simply allocate one: the precision-plan audit checks the cache dtype)."""
    from tt_qwen import reference
    from tt_qwen.model.kv_cache import KVCache

    ttnn, x = harness.ttnn, _layer_input(harness)
    cache = KVCache(harness.device, harness.dims, 256, 1)
    keys, values = cache.layer(0)
    harness.attention().prefill(harness.to_device(x), harness.rope, keys, values, user=0, start=0)
    k, v = reference.attention_kv(harness.hf, 0, x)  # the harness holds layer 0

    def stored(t):
        held = ttnn.to_torch(t).float()
        if stored_as != "bfloat16":
            held = ttnn.to_torch(ttnn.from_torch(held, dtype=getattr(ttnn, stored_as), layout=ttnn.TILE_LAYOUT)).float()
        return held[0, :, :LAYER_SEQ]

    worst = min(compare(k, stored(keys)).pcc, compare(v, stored(values)).pcc)
    cache.release()
    return worst


def kv_cache_bfloat8_pcc(harness, dtype: str = "bfloat16") -> float:
    return kv_cache_pcc(harness, dtype, stored_as="bfloat8_b")


LM_HEAD_ROWS = 32  # the layer test's rows: a 151936-wide matmul per step is the costly one here


def lm_head_pcc(harness, dtype: str = "bfloat16") -> float:
    """The final norm and the LM head as the model runs them (the plan's lm_head kernel config)."""
    from tt_qwen.model.config import precision_plan

    hf, x = harness.hf, _layer_input(harness)[:LM_HEAD_ROWS]
    lm_head = harness.loader.linear("lm_head", hf.lm_head.weight)
    normed = harness.norm(hf.model.norm)(harness.to_device(x))
    out = harness.ttnn.linear(normed, lm_head, compute_kernel_config=precision_plan().lm_head.compute.build())
    return compare(hf.lm_head(hf.model.norm(x)).detach(), harness.to_torch(out, LM_HEAD_ROWS)[0, 0]).pcc


LAYER_CHECKS = {("layer.mlp", "bfloat16"): mlp_pcc, ("layer.mlp", "bfloat8_b"): mlp_pcc,
                ("layer.rms_norm", "bfloat16"): norm_pcc, ("layer.attention", "bfloat16"): attention_pcc,
                ("layer.kv_cache", "bfloat16"): kv_cache_pcc, ("layer.lm_head", "bfloat16"): lm_head_pcc}
KV_STEP = "kv-bfloat8_b"  # the cache's values held as bfloat8_b (kv_cache_bfloat8_pcc)


def layer_pccs(harness) -> dict:
    """(component, dtype) -> PCC of the blocks built with the current precision plan."""
    return {key: check(harness, key[1]) for key, check in LAYER_CHECKS.items()}


def qwen_layer_harness(device):
    from tests.layers.harness import BlockHarness
    from tt_qwen import zoo

    return BlockHarness(zoo.load_hf_model(zoo.resolve("qwen3-0.6b-1layer")[0]), device, max_seq_len=256)


def layer_calibration(device) -> dict:
    import tt_qwen.model.config as config

    harness = qwen_layer_harness(device)
    plan = config.PRECISION
    table = {key: {"measured": pcc, "steps": {}} for key, pcc in layer_pccs(harness).items()}
    print("plan:", table, flush=True)
    try:
        for name, stepped in stepped_plans(plan).items():
            config.PRECISION = stepped
            for key, pcc in layer_pccs(harness).items():
                table[key]["steps"][name] = pcc
            print(name, {key: row["steps"][name] for key, row in table.items()}, flush=True)
    finally:
        config.PRECISION = plan
    table[("layer.kv_cache", "bfloat16")]["steps"][KV_STEP] = kv_cache_bfloat8_pcc(harness)
    print(KV_STEP, table[("layer.kv_cache", "bfloat16")]["steps"], flush=True)
    return table


# ---- the layer and model tiers' own figures, from pytest sessions' junit XML ------------------
# test function -> the threshold component its PCC properties are judged by (a model test's
# property naming a cache is model.kv_cache: the chunked and long tests check logits and cache)
TEST_COMPONENTS = {
    "test_attention_prefill_matches_hf": "layer.attention", "test_attention_decode_matches_hf": "layer.attention",
    "test_attention_prefill_fills_the_cache_like_hf": "layer.kv_cache",
    "test_decoder_layer_prefill_matches_hf": "layer.decoder", "test_decoder_layer_decode_matches_hf": "layer.decoder",
    "test_final_norm_and_lm_head_match_hf": "layer.lm_head", "test_mlp_matches_hf": "layer.mlp",
    "test_input_layernorm_matches_hf": "layer.rms_norm", "test_head_norm_normalizes_each_head_over_head_dim": "layer.rms_norm",
    "test_prefill_rope_matches_hf": "layer.rope", "test_decode_rope_matches_hf": "layer.rope",
    "test_prefill_logits_match_hf": "model.logits", "test_decode_logits_match_hf_teacher_forced": "model.logits",
    "test_each_user_decodes_its_own_sequence": "model.logits", "test_batched_forward_prefills_every_user": "model.logits",
    "test_decode_on_a_cache_sized_to_fewer_users": "model.logits",
    "test_chunked_prefill_matches_hf_at_every_position": "model.logits",
    "test_chunked_prefill_matches_hf_on_every_model": "model.logits", "test_bringup_logits_match_hf": "model.logits",
    "test_new_sequence_does_not_see_the_previous_one": "model.logits",
    "test_bfloat8_b_mlp_logits_match_hf": "model.logits",
    "test_hidden_state_after_every_layer_matches_hf": "model.hidden_state",
    "test_prefill_equals_decode_at_position": "model.prefill_vs_decode",
    "test_prefill_equals_decode_at_chunk_boundaries": "model.prefill_vs_decode",
    "test_token_by_token_prefill_equals_full_prefill": "model.prefill_vs_decode",
    "test_cache_after_prefill_matches_hf": "model.kv_cache", "test_cache_after_decode_steps_matches_hf": "model.kv_cache",
    "test_teacher_forcing_accuracy_meets_the_floor": "e2e.teacher_forcing",
    "test_long_prefill_logits_match_hf_at_every_position": "model.logits",
    "test_decode_matches_hf_around_long_boundaries": "model.logits",
    "test_long_prefill_cache_matches_hf_at_every_position": "model.kv_cache.long_context",
}
# the list-valued and accuracy properties some tests record instead of assert_pcc's "pcc ..."
LIST_PROPERTIES = ("layer_pcc",)
ACCURACY_PROPERTIES = ("top1", "top5")


def _session_pccs(path: str):
    """(test name, property name, value) of every PCC or accuracy a session recorded: its
    --junitxml or its tests-host.json."""
    import ast

    if path.endswith(".json"):
        import json

        props = ((r["test"].split("::")[-1], n, v) for r in json.loads(Path(path).read_text())["results"]
                 for n, v in r["properties"].items())
    else:
        import xml.etree.ElementTree as ET

        props = ((case.get("name"), prop.get("name", ""), prop.get("value"))
                 for case in ET.parse(path).iter("testcase") for prop in case.iter("property"))
    for test, name, value in props:
        if name.startswith("pcc"):
            yield test, name, float(value)
        elif name in LIST_PROPERTIES:
            values = ast.literal_eval(value) if isinstance(value, str) else value
            yield test, f"pcc {name}", min(values)
        elif name in ACCURACY_PROPERTIES:
            yield test, name, float(value)


def _component(function: str, prop: str) -> str | None:
    component = TEST_COMPONENTS.get(function)
    if component is None:
        return None
    if component == "e2e.teacher_forcing":
        return f"{component}.{prop}"
    if component.startswith("model.") and not component.startswith("model.kv_cache") and " cache" in prop:
        return "model.kv_cache"
    return component


def junit_calibration(path: str) -> dict:
    """(component, dtype) -> the worst PCC (or accuracy) the session's tests of that component recorded."""
    worst = {}
    for test, prop, value in _session_pccs(path):
        function, _, params = test.partition("[")
        component = _component(function, prop)
        if component is not None:
            dtype = "bfloat8_b" if "bfloat8_b" in params or "bfloat8_b" in function else "bfloat16"
            worst[(component, dtype)] = min(worst.get((component, dtype), 1.0), value)
    return worst


# ---- the model tier: its own cases (tiny seeded, tiny-trained, one Qwen3-0.6B layer), one pytest
# session per precision step, each a fresh process (the plan is read when a model is built)
MODEL_SESSION = ["tests/model", "tests/layers/test_attention.py", "tests/e2e/test_teacher_forcing.py"]
# the tests each step session runs: every model-tier threshold's test, and the layer cache test
STEP_TESTS = ("test_prefill_logits_match_hf or test_decode_logits_match_hf_teacher_forced or "
              "test_hidden_state_after_every_layer_matches_hf or test_prefill_equals_decode_at_position or "
              "test_cache_after_prefill_matches_hf or test_attention_prefill_fills_the_cache_like_hf or "
              "test_bfloat8_b_mlp_logits_match_hf or test_teacher_forcing_accuracy_meets_the_floor or "
              "test_long_prefill_cache_matches_hf_at_every_position")
MODEL_STEPS = ("linear-LoFi", "linear-dst16", "sdpa-LoFi", "norm-LoFi")
# the slow tier's 28-layer Qwen3-0.6B config with seeded random weights: one case of each model-tier
# row its tests read (a 28-layer prefill each; the whole 28-layer tier does not fit a calibration run)
DEPTH_MODEL = "qwen3-0.6b-random"
DEPTH_SESSION = [f"tests/model/test_logits.py::test_hidden_state_after_every_layer_matches_hf[{DEPTH_MODEL}-prefill-seq33-bf16]",
                 f"tests/model/test_logits.py::test_prefill_logits_match_hf[{DEPTH_MODEL}-prefill-seq33-bf16]",
                 f"tests/model/test_kv_cache.py::test_cache_after_prefill_matches_hf[{DEPTH_MODEL}-prefill-seq33]"]
DEPTH_STEPS = ("linear-LoFi",)


def run_session(step: str | None, out: Path, tests=None) -> dict:
    """One pytest session of the model tier (the whole of it for the plan, STEP_TESTS for a step),
    or of `tests` (slow-marked test ids: the 28-layer session) for the plan or a step."""
    import os
    import subprocess

    from tools.calibrate_plugin import ENV_VAR

    env = {**os.environ, "TT_QWEN_NUMERICS": "device", "TT_QWEN_BACKEND": "host"}
    env.pop(ENV_VAR, None)
    xml = out / f"calibrate-{'depth-' if tests else ''}{step or 'plan'}.xml"
    command = ["nice", "-n", "10", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "-p", "tools.calibrate_plugin", f"--junitxml={xml}", *(tests or MODEL_SESSION)]
    if step is not None:
        env[ENV_VAR] = step
    if tests:
        command += ["-m", "slow"]
    elif step is not None:
        command += ["-k", STEP_TESTS]
    print(f"model tier, {step or 'plan'}: {' '.join(command[3:])}", flush=True)
    subprocess.run(command, env=env, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL)
    return junit_calibration(str(xml))


def model_calibration(out: Path, steps=MODEL_STEPS, tests=None) -> dict:
    """(component, dtype) -> {measured, steps: {step: worst}} over the model tier's own cases (or `tests`)."""
    out.mkdir(parents=True, exist_ok=True)
    table = {key: {"measured": value, "steps": {}} for key, value in run_session(None, out, tests).items()}
    for step in steps:
        for key, value in run_session(step, out, tests).items():
            table.setdefault(key, {"measured": None, "steps": {}})["steps"][step] = value
    return table


def _print_model_tier(out: Path, steps, tests=None, label: str = "") -> None:
    for (component, dtype), row in sorted(model_calibration(out, steps, tests).items()):
        measured = "-" if row["measured"] is None else f"{row['measured']:.6f}"
        stepped = ", ".join(f"{name} {value:.6f}" for name, value in row["steps"].items())
        print(f"| `{component}`{label} | {dtype} | {measured} | {stepped} |", flush=True)


def _print_depth(out: Path) -> None:
    """The model-tier rows as the slow tier's 28-layer model measures them (plan and DEPTH_STEPS)."""
    _print_model_tier(out, DEPTH_STEPS, DEPTH_SESSION, label=f" ({DEPTH_MODEL}, 28 layers)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    tiers = parser.add_mutually_exclusive_group()
    tiers.add_argument("--ops-only", action="store_true", help="only the op tier")
    tiers.add_argument("--layers-only", action="store_true", help="only the layer tier (in process)")
    tiers.add_argument("--model-only", action="store_true", help="only the model-tier sessions (and the layer cache test)")
    tiers.add_argument("--depth-only", action="store_true",
                       help=f"only the slow tier's 28-layer {DEPTH_MODEL} sessions: the plan, then {', '.join(DEPTH_STEPS)}")
    tiers.add_argument("--from-session", metavar="FILE", help="only: the worst PCC per component a pytest session "
                                                               "recorded (its --junitxml, or reports/out/tests-host.json)")
    parser.add_argument("--steps", default=",".join(MODEL_STEPS),
                        help=f"model-tier steps to run after the plan (comma-separated; default {','.join(MODEL_STEPS)}; '' none)")
    parser.add_argument("--out", default="reports/out/calibrate", help="where the model-tier sessions' junit XML goes")
    args = parser.parse_args(argv)
    steps = [s for s in args.steps.split(",") if s]
    unknown = sorted(set(steps) - set(MODEL_STEPS))
    if unknown:
        parser.error(f"--steps: unknown {unknown}; known: {', '.join(MODEL_STEPS)}")
    if args.from_session:
        for (component, dtype), pcc in sorted(junit_calibration(args.from_session).items()):
            print(f"| `{component}` | {dtype} | {pcc:.6f} |")
        return 0
    print("| component | dtype | worst PCC (device model) | one step down: its worst PCC |", flush=True)
    print("|---|---|---|---|")
    if args.model_only:
        _print_model_tier(Path(args.out), steps)
        return 0
    if args.depth_only:
        _print_depth(Path(args.out))
        return 0
    from tt_qwen import backends

    backends.select_ttnn("host")
    backend = backends.open_backend("host")
    if not args.layers_only:
        for (component, dtype), row in sorted(op_calibration(backend.ttnn, backend.device).items()):
            stepped = "-" if row["stepped"] is None else f"{row['step']} {row['stepped']:.6f}"
            print(f"| `{component}` | {dtype} | {row['measured']:.6f} | {stepped} |", flush=True)
    if not args.ops_only:
        for (component, dtype), row in sorted(layer_calibration(backend.device).items()):
            stepped = ", ".join(f"{name} {pcc:.6f}" for name, pcc in row["steps"].items())
            print(f"| `{component}` | {dtype} | {row['measured']:.6f} | {stepped} |", flush=True)
    if not (args.ops_only or args.layers_only):
        _print_model_tier(Path(args.out), steps)
        _print_depth(Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
