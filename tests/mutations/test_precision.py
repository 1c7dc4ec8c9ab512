"""One step down in precision fails the component's test: the thresholds can see a precision
regression, under the host's model of the n150 datapath (tt_qwen/host/numerics.py).

Op tier: the op's own cases with a LoFi compute config injected. Layer tier: the blocks of one
Qwen3-0.6B layer built with the precision plan stepped down once, and its KV cache's values held
as bfloat8_b (tools/calibrate.py defines the steps and prints every figure). Steps whose measured gap is too thin to hold on a card are not
here: thresholds.CALIBRATION says so for each.
"""

from __future__ import annotations

import pytest

from tests.ops.cases import FAMILIES
from tools.calibrate import (LAYER_CHECKS, ConfigInjector, case_pcc, kv_cache_bfloat8_pcc, lofi,
                             qwen_layer_harness, stepped_plans)
from tt_qwen.host import numerics
from tt_qwen.thresholds import pcc_threshold

pytestmark = pytest.mark.mutation

OP_STEPS = [  # (family, op, component): the default-tier cases of the op, LoFi instead of the default
    ("norm", "rms_norm", "op.rms_norm"),
    ("sdpa", "transformer.scaled_dot_product_attention", "op.sdpa"),
    ("sdpa", "transformer.scaled_dot_product_attention_decode", "op.sdpa_decode"),
]


@pytest.fixture(autouse=True)
def _device_numerics(backend):
    if backend.name != "host":
        pytest.skip(f"precision mutations run on the host backend's device numerics, not on {backend.name}")
    previous = numerics.mode()
    numerics.set_mode("device")
    yield
    numerics.set_mode(previous)


@pytest.mark.parametrize("family, op, component", OP_STEPS, ids=[f"{op.split('.')[-1]}-lofi-bf16" for _, op, _ in OP_STEPS])
def test_lofi_fails_the_op_test(family, op, component, ttnn, device):
    cases = [c for c in FAMILIES[family].cases if c.op == op and not c.slow and c.component == component]
    worst = min(case_pcc(c, ConfigInjector(ttnn, op, lofi(ttnn)), device) for c in cases)
    assert worst < pcc_threshold(component), (
        f"{component}: LoFi still measures PCC {worst:.6f}, at or above the threshold {pcc_threshold(component)}: "
        "the op test cannot see a fidelity regression")


# Layer tier: (step of tools.calibrate.stepped_plans, the check it must fail, the component/dtype).
LAYER_STEPS = [
    ("linear-LoFi", "layer.mlp", "bfloat16"),
    ("linear-dst16", "layer.mlp", "bfloat16"),
    ("norm-LoFi", "layer.rms_norm", "bfloat16"),
    ("sdpa-LoFi", "layer.attention", "bfloat16"),
]


@pytest.fixture(scope="module")
def qwen_layer(backend):
    return qwen_layer_harness(backend.device)


@pytest.fixture
def plan_stepped_down(monkeypatch):
    import tt_qwen.model.config as config

    def step(name: str):
        monkeypatch.setattr(config, "PRECISION", stepped_plans(config.PRECISION)[name])
    return step


@pytest.mark.parametrize("step, component, dtype", LAYER_STEPS,
                         ids=[f"{component.split('.')[1]}-{step.lower()}-{dtype}" for step, component, dtype in LAYER_STEPS])
def test_one_step_down_fails_the_layer_test(step, component, dtype, qwen_layer, plan_stepped_down):
    plan_stepped_down(step)
    pcc = LAYER_CHECKS[(component, dtype)](qwen_layer, dtype)
    assert pcc < pcc_threshold(component, dtype), (
        f"{component}/{dtype} with {step}: PCC {pcc:.6f} still meets the threshold {pcc_threshold(component, dtype)}")



def test_a_bfloat8_b_cache_fails_the_layer_cache_test(qwen_layer):
    """0.81.1's fill_cache refuses a bf16 input into a bfloat8_b cache, so the step is the cached
    values held as bfloat8_b would hold them."""
    pcc = kv_cache_bfloat8_pcc(qwen_layer)
    assert pcc < pcc_threshold("layer.kv_cache"), (
        f"layer.kv_cache with a bfloat8_b cache: PCC {pcc:.6f} still meets the threshold {pcc_threshold('layer.kv_cache')}")


# Model tier: tiny-trained, the worst row of a 64-token prefill (as the every-position checks judge),
# the plan stepped down (the figures: thresholds.CALIBRATION).
MODEL_STEPS = [("linear-LoFi", "model.logits"), ("sdpa-LoFi", "model.logits"), ("norm-LoFi", "model.kv_cache")]
PROMPT = 64


def worst_row_pcc(component: str, backend) -> float:
    from tests.model import checks
    from tt_qwen import build_model, reference, zoo
    from tt_qwen.compare import compare

    hf = zoo.load_hf_model(zoo.resolve("tiny-trained")[0])
    ids = checks.prompt(hf, PROMPT)
    tt_model = build_model(hf, backend.device, 128)
    try:
        if component == "model.logits":
            expected, actual = reference.logits(hf, ids), tt_model.prefill(ids)
            return min(compare(expected[row], actual[row]).pcc for row in range(PROMPT))
        tt_model.prefill(ids, last_token_only=True)
        pccs = []
        for index, cached in enumerate(reference.kv_cache(hf, ids)):
            for want, got in zip(cached, tt_model.kv_cache.to_torch(index)):
                pccs += [compare(want[:, row], got[0, :, row]).pcc for row in range(PROMPT)]
        return min(pccs)
    finally:
        tt_model.release()


@pytest.mark.parametrize("step, component", MODEL_STEPS,
                         ids=[f"tiny-trained-{component.split('.')[1]}-{step.lower()}-bf16" for step, component in MODEL_STEPS])
def test_one_step_down_fails_the_model_test(step, component, backend, plan_stepped_down):
    plan_stepped_down(step)
    pcc = worst_row_pcc(component, backend)
    assert pcc < pcc_threshold(component), f"{component} with {step}: PCC {pcc:.6f} still meets {pcc_threshold(component)}"


def test_the_plan_itself_meets_the_model_thresholds(backend):
    """The control: the same measurement on the intact plan passes (the steps above are what fail)."""
    for component in ("model.logits", "model.kv_cache"):
        assert worst_row_pcc(component, backend) >= pcc_threshold(component)
