"""The precision plan, audited call by call.

A model that puts a weight in a lower format than configured (attention in bfloat8_b when bf16
was asked, an MLP that ignores mlp_dtype) moves PCC by less than any threshold: only the ops it
calls show it. Here a prefill (two chunks, so both SDPA forms run) and a decode step are traced
with tt_qwen.optrace, each linear's weight is named by identity, and every linear's weight dtype,
compute kernel config and output dtype, every norm's and SDPA's config, and the KV cache dtype
are checked against the plan of the configuration asked for. The failure names the first call
that differs.

The plan today: bf16 activations and KV cache; attention and LM head weights bf16; MLP weights
bf16 or bfloat8_b (mlp_dtype); every linear, norm and SDPA passes the compute kernel config of
tt_qwen.model.config.PRECISION (fidelity, fp32 Dst, approx mode, packer L1 accumulation), Qwen3's
epsilon on every norm, SDPA scaled by head_dim ** -0.5.
"""

from __future__ import annotations

import re

import pytest

from tests.model import checks
from tt_qwen import optrace, zoo
import dataclasses

from tt_qwen.model.config import PRECISION, KernelConfig

AUDIT_MODEL = "tiny-gqa2"
MLP_DTYPES = ["bfloat16", "bfloat8_b"]
LINEAR_ROLES = ("self_attn.qkv_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
DTYPE = re.compile(r"\] (BFLOAT16|BFLOAT8_B|BFLOAT4_B|FLOAT32|UINT32|INT32|UINT16|UINT8) ")


def plan(mlp_dtype: str) -> dict:
    """What each role runs in for a model built with `mlp_dtype` (weight dtype names as ttnn's)."""
    mlp = mlp_dtype.upper()
    weights = {"self_attn.qkv_proj": "BFLOAT16", "self_attn.o_proj": "BFLOAT16", "mlp.gate_proj": mlp,
               "mlp.up_proj": mlp, "mlp.down_proj": mlp, "lm_head": "BFLOAT16"}
    linear_configs = {"self_attn.qkv_proj": PRECISION.qkv.compute, "self_attn.o_proj": PRECISION.o.compute,
                      "mlp.gate_proj": PRECISION.gate.compute, "mlp.up_proj": PRECISION.up.compute,
                      "mlp.down_proj": PRECISION.down.compute, "lm_head": PRECISION.lm_head.compute}
    configs = {"rms_norm": PRECISION.norm, "transformer.scaled_dot_product_attention": PRECISION.sdpa,
               "transformer.scaled_dot_product_attention_decode": PRECISION.sdpa_decode}
    return {"weights": weights, "activations": "BFLOAT16", "kv_cache": PRECISION.kv_cache_dtype.upper(),
            "linear_configs": linear_configs, "configs": configs}


CONFIGURED_OPS = ("linear", "rms_norm", "transformer.scaled_dot_product_attention",
                  "transformer.scaled_dot_product_attention_decode")


def kernel_config(config) -> KernelConfig | None:
    """The numerically relevant fields of the compute_kernel_config a call passed (None: none passed)."""
    if config is None:
        return None
    fidelity = getattr(config.math_fidelity, "name", str(config.math_fidelity).split(".")[-1])
    return KernelConfig(fidelity, bool(config.fp32_dest_acc_en), bool(config.math_approx_mode), bool(config.packer_l1_acc))


def weight_names(tt_model) -> dict[int, str]:
    """id(weight tensor) -> the role it plays, read from the model's blocks."""
    names = {id(tt_model.lm_head): "lm_head"}
    for layer in tt_model.layers:
        for role in LINEAR_ROLES:
            block, name = role.split(".")
            names[id(getattr(getattr(layer, block), name))] = f"layer {layer.index} {role}"
    return names


def traced_run(ttnn, tt_model, ids, monkeypatch) -> tuple[list[dict], list[str], list]:
    """optrace's calls of a two-chunk prefill and one decode step, the role of each linear's weight,
    and the compute kernel config of each configured call, in call order."""
    names, roles, configs = weight_names(tt_model), [], []
    real_linear = ttnn.linear

    def linear(x, weight, *args, **kwargs):
        roles.append(names.get(id(weight), "an unknown weight"))
        return real_linear(x, weight, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ttnn, "linear", linear)
        for path in CONFIGURED_OPS:
            _record_configs(patch, ttnn, path, configs)
        with optrace.record(ttnn) as calls:
            tt_model.prefill(ids, last_token_only=True)
            tt_model.decode(ids[-1:], [len(ids)])
    return calls, roles, configs


def _record_configs(patch, ttnn, path: str, configs: list) -> None:
    *parents, name = path.split(".")
    owner = ttnn
    for part in parents:
        owner = getattr(owner, part)
    real = getattr(owner, name)

    def op(*args, **kwargs):
        configs.append(kernel_config(kwargs.get("compute_kernel_config")))
        return real(*args, **kwargs)

    patch.setattr(owner, name, op)


def dtype_of(spec: str) -> str:
    match = DTYPE.search(spec + " ")
    return match.group(1) if match else "no dtype"


def keyword(call: dict, name: str):
    """The spec text of a keyword argument of a traced call, or None when it was not passed."""
    for text in call["inputs"]:
        if text.startswith(f"{name}="):
            return text[len(name) + 1:]
    return None


def audit(calls: list[dict], roles: list[str], configs: list, expected: dict, dims) -> list[str]:
    """Every departure from the plan, in call order, each naming its call."""
    problems, linear_roles, passed_configs = [], iter(roles), iter(configs)
    want_act = expected["activations"]
    for index, call in enumerate(calls):
        op, where = call["op"], f"call #{index} {call['op']}"
        found = []
        if op == "linear":
            role = next(linear_roles)
            known = role.startswith(("layer", "lm_head"))
            want_weight = expected["weights"][role.split(" ")[-1]] if known else None
            want_config = expected["linear_configs"][role.split(" ")[-1]] if known else None
            where += f" ({role})"
            found.append(("weight dtype", dtype_of(call["inputs"][1]), want_weight))
            found.append(("output dtype", dtype_of(call["output"]), want_act))
        elif op == "rms_norm":
            found.append(("epsilon", keyword(call, "epsilon"), repr(dims.rms_norm_eps)))
            found.append(("gamma dtype", dtype_of(keyword(call, "weight") or ""), want_act))
            found.append(("output dtype", dtype_of(call["output"]), want_act))
        elif op.startswith("transformer.scaled_dot_product_attention"):
            found.append(("scale", keyword(call, "scale"), repr(dims.head_dim ** -0.5)))
            kv = expected["kv_cache"] if op.endswith("_decode") else want_act  # decode reads the cache itself
            found.append(("q, k, v dtypes", [dtype_of(s) for s in call["inputs"][:3]], [want_act, kv, kv]))
            found.append(("output dtype", dtype_of(call["output"]), want_act))
        elif op in ("fill_cache", "experimental.paged_update_cache"):
            found.append(("cache dtype", dtype_of(call["inputs"][0]), expected["kv_cache"]))
        else:
            continue
        if op in CONFIGURED_OPS:
            want = want_config if op == "linear" else expected["configs"][op]
            found.append(("compute_kernel_config", next(passed_configs), want))
        problems += [f"{where}: {what} is {got}, the plan says {want}" for what, got, want in found if got != want]
    return problems


def check_precision_plan(ttnn, tt_model, hf_model, mlp_dtype: str, monkeypatch):
    expected = plan(mlp_dtype)
    for index in range(len(tt_model.layers)):
        for name, tensor in zip("KV", tt_model.kv_cache.layer(index)):
            assert tensor.dtype.name == expected["kv_cache"], (
                f"layer {index} {name} cache is {tensor.dtype.name}, the plan says {expected['kv_cache']}")
    calls, roles, configs = traced_run(ttnn, tt_model, checks.prompt(hf_model, 40), monkeypatch)
    assert roles.count("lm_head") == 2 and all(not r.startswith("an unknown") for r in roles), f"linear weights seen: {roles}"
    problems = audit(calls, roles, configs, expected, tt_model.dims)
    assert not problems, f"{len(problems)} call(s) off the {mlp_dtype} precision plan; the first: {problems[0]}"


@pytest.fixture(scope="module")
def audit_hf():
    return zoo.load_hf_model(zoo.resolve(AUDIT_MODEL)[0])


@pytest.mark.parametrize("mlp_dtype", MLP_DTYPES, ids=[f"{AUDIT_MODEL}-prefill-decode-mlp-{d}" for d in MLP_DTYPES])
def test_every_op_follows_the_precision_plan(build_tt, audit_hf, backend, mlp_dtype, monkeypatch):
    """Reads no numbers, so it needs no numerics: only the specs of the calls."""
    tt_model = build_tt(audit_hf, 64, prefill_chunk_size=32, mlp_dtype=mlp_dtype)
    check_precision_plan(backend.ttnn, tt_model, audit_hf, mlp_dtype, monkeypatch)


def _attention_in_bfloat8(patch, ttnn):
    from tests.mutations.catalog import MUTANTS

    MUTANTS["attention-weights-in-bfloat8"].apply(patch, ttnn)


def _plan_swapped(**changes):
    """A mutant that builds the model with a lower step of the plan than the audit expects."""
    import tt_qwen.model.config as config_module

    def apply(patch, ttnn):
        patch.setattr(config_module, "PRECISION", dataclasses.replace(PRECISION, **changes))
    return apply


LOFI_DST16 = KernelConfig("LoFi", False)
# (mutant, what the audit must name first): one step below the plan in one block each. The
# linear LoFi and norm 16-bit-Dst steps are too thin for a PCC threshold (README, Thresholds):
# this audit is what catches them.
BELOW_PLAN = {
    "attention-weights-bfloat8": (_attention_in_bfloat8,
                                  r"call #\d+ linear \(layer 0 self_attn.qkv_proj\): weight dtype is BFLOAT8_B, the plan says BFLOAT16"),
    "norm-lofi-dst16": (_plan_swapped(norm=LOFI_DST16),
                        r"call #\d+ rms_norm: compute_kernel_config is KernelConfig\(math_fidelity='LoFi'"),
    "qkv-lofi-dst16": (_plan_swapped(qkv=dataclasses.replace(PRECISION.qkv, compute=LOFI_DST16)),
                       r"call #\d+ linear \(layer 0 self_attn.qkv_proj\): compute_kernel_config is KernelConfig\(math_fidelity='LoFi'"),
}


@pytest.mark.parametrize("mutant", list(BELOW_PLAN), ids=list(BELOW_PLAN))
def test_the_audit_names_a_block_below_the_plan(audit_hf, backend, monkeypatch, mutant):
    """The audit's own mutants fail it, naming the first call off the plan."""
    from tt_qwen import build_model

    apply, message = BELOW_PLAN[mutant]
    with monkeypatch.context() as patch:
        apply(patch, backend.ttnn)
        broken = build_model(audit_hf, backend.device, 64, prefill_chunk_size=32)
    try:
        with pytest.raises(AssertionError, match=message):
            check_precision_plan(backend.ttnn, broken, audit_hf, "bfloat16", monkeypatch)
    finally:
        broken.release()
