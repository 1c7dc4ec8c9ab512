"""The fidelity-phase split and the 16-bit Dst rounding of tt_qwen/host/numerics.py, on
hand-picked values whose expected results follow from tt-isa-documentation (WormholeB0
TensixCoprocessor: SrcASrcB.md "Fidelity phases (floating-point)", MVMUL.md, ELWMUL.md).

BF16 in a Src register: the implicit 1 and 7 mantissa bits m1..m7 (m1 = 2^-1). The documented split:
    SrcA: phases 0 and 2 multiply 1.m1m2m3m4 ("hi"), phases 1 and 3 the rest 0.0000m5m6m7 ("lo")
    SrcB: phases 0 and 1 multiply 1.m1..m6   ("hi"), phases 2 and 3 the rest 0.000000m7 ("lo")
LoFi runs phase 0, HiFi2 phases 0-1, HiFi3 0-2, HiFi4 all four. A matmul puts in0 (activations)
on SrcB and in1 (weights) on SrcA (Dst += SrcB @ SrcA); numerics.elementwise_multiply(a, b) puts
a on SrcA and b on SrcB (an eltwise binary unpacks in0 to SrcA).

The operands below set exactly the bits that separate the phases, so each fidelity's product is
a sum of a few powers of two, written out in each row.
"""

from __future__ import annotations

import pytest
import torch

from tt_qwen.host import numerics

pytestmark = pytest.mark.op

P = 2.0 ** -1  # a reading aid: P**n == 2^-n

# (SrcB operand, SrcA operand, {fidelity: expected product with an fp32 Dst}, why)
FIDELITY_TABLE = [
    (1.0 + P**7, 1.0 + P**5 + P**7,
     {"LoFi": 1.0,                                     # 1 * 1
      "HiFi2": 1.0 + P**5 + P**7,                      # + B.hi * A.lo = 1 * (2^-5 + 2^-7)
      "HiFi3": 1.0 + P**5 + 2 * P**7,                  # + B.lo * A.hi = 2^-7 * 1
      "HiFi4": 1.0 + P**5 + 2 * P**7 + P**12 + P**14},  # + B.lo * A.lo = 2^-7 * (2^-5 + 2^-7): the exact product
     "every phase adds its own term"),
    (1.0 + P**6, 1.0 + P**4,
     {f: 1.0 + P**4 + P**6 + P**10 for f in ("LoFi", "HiFi2", "HiFi3", "HiFi4")},
     "bits inside both hi parts: LoFi is already exact"),
    (1.0 + P**7, 1.0 + P**4,
     {"LoFi": 1.0 + P**4, "HiFi2": 1.0 + P**4,         # A.lo = 0: phase 1 adds nothing
      "HiFi3": 1.0 + P**4 + P**7 + P**11, "HiFi4": 1.0 + P**4 + P**7 + P**11},
     "SrcB's last bit needs phase 2"),
    (1.5, 1.0 + P**6,
     {"LoFi": 1.5, "HiFi2": 1.5 + 1.5 * P**6, "HiFi3": 1.5 + 1.5 * P**6, "HiFi4": 1.5 + 1.5 * P**6},
     "SrcA's m6 is in its lo part: phase 1 (HiFi2) picks it up"),
    (-(1.0 + P**7) * 8, (1.0 + P**5) / 4,
     {"LoFi": -2.0, "HiFi2": -2.0 * (1 + P**5), "HiFi3": -2.0 * (1 + P**5) - P**6,
      "HiFi4": -2.0 * (1 + P**5) * (1 + P**7)},
     "signs and exponents ride along: the split is of the mantissa"),
]
FIDELITIES = ("LoFi", "HiFi2", "HiFi3", "HiFi4")

# The 16-bit Dst rounds the HiFi4 sum after every phase: the last two terms of row 0 (2^-12 + 2^-14)
# are under half a bf16 ulp of 1.046875 and vanish.
DST16_HIFI4_ROW0 = 1.0 + P**5 + 2 * P**7


@pytest.fixture(autouse=True)
def _device_numerics():
    with numerics.using("device"):
        yield


def path(fidelity: str, fp32_dst: bool) -> numerics.Datapath:
    return numerics.Datapath(fidelity, fp32_dest_acc_en=fp32_dst, math_approx_mode=False, packer_l1_acc=False)


def scalar(value: float) -> torch.Tensor:
    t = torch.tensor([[value]], dtype=torch.float32)
    assert torch.equal(numerics.round_bf16(t), t), f"{value} is not a bf16 value: the table must hold stored operands"
    return t


def fidelity_mismatches(fp32_dst: bool = True) -> list[str]:
    """Every (row, fidelity, op) whose product differs from the table, as one line each."""
    wrong = []
    for row, (b, a, expected, why) in enumerate(FIDELITY_TABLE):
        for fidelity in FIDELITIES:
            want = expected[fidelity]
            got_mm = numerics.matmul(scalar(b), scalar(a), path(fidelity, fp32_dst)).item()
            got_el = numerics.elementwise_multiply(scalar(a), scalar(b), path(fidelity, fp32_dst)).item()
            for op, got in (("MVMUL", got_mm), ("ELWMUL", got_el)):
                if got != want:
                    wrong.append(f"row {row} ({why}) {op} {fidelity}: {got!r}, expected {want!r}")
    return wrong


def test_each_fidelity_multiplies_the_documented_mantissa_bits():
    wrong = fidelity_mismatches()
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("op", ["MVMUL", "ELWMUL"], ids=["mvmul-hifi4-dst16", "elwmul-hifi4-dst16"])
def test_a_16_bit_dst_rounds_after_every_phase(op):
    b, a, _, _ = FIDELITY_TABLE[0]
    hifi4 = path("HiFi4", fp32_dst=False)
    got = (numerics.matmul(scalar(b), scalar(a), hifi4) if op == "MVMUL"
           else numerics.elementwise_multiply(scalar(a), scalar(b), hifi4)).item()
    assert got == DST16_HIFI4_ROW0


# The 16-bit Dst and K: MVMUL adds a 16-deep float32 partial to Dst, then Dst is bf16 (RNE).
# in0 is a row of ones, so each partial is the exact sum of 16 weights; K = 32, one tile.
DST16_STEP_TABLE = [
    # first 16 weights sum to 1 + 2^-8 (half a bf16 ulp: rounds to even, 1.0), the next 16 to 2^-8:
    # rounded per step 1.0 + 2^-8 -> 1.0 again; rounded once per tile it would be 1 + 2^-7.
    ([1 / 16] * 15 + [17 / 256] + [P**12] * 16, 1.0, 1.0 + P**7, "per step, not per tile"),
    # 16 weights sum to 1, the next 16 weights of 2^-11 to 2^-7: one step adds them all at once
    # (1 + 2^-7); rounded per product each 2^-11 would vanish (1.0).
    ([1 / 16] * 16 + [P**11] * 16, 1.0 + P**7, 1.0 + P**7, "per step, not per product"),
]


@pytest.mark.parametrize("weights, dst16, fp32, why", DST16_STEP_TABLE,
                         ids=["k32-step-not-tile", "k32-step-not-product"])
def test_a_16_bit_dst_rounds_after_every_16_deep_step(weights, dst16, fp32, why):
    x = torch.ones(1, 32)
    w = torch.tensor(weights, dtype=torch.float32).reshape(32, 1)
    assert torch.equal(numerics.round_bf16(w), w)
    assert numerics.matmul(x, w, path("HiFi4", fp32_dst=False)).item() == dst16, why
    assert numerics.matmul(x, w, path("HiFi4", fp32_dst=True)).item() == fp32


# ---- mutants: the table must fail on a datapath model that is wrong in each of these ways ------


def _swap_src(monkeypatch):
    srca, srcb = numerics.srca, numerics.srcb
    monkeypatch.setattr(numerics, "srca", srcb)
    monkeypatch.setattr(numerics, "srcb", srca)


def _drop_phase_2(monkeypatch):
    phases = [p for p in numerics.PHASES if p != ("lo", "hi")] + [("lo", "lo")]
    monkeypatch.setattr(numerics, "PHASES", phases)
    monkeypatch.setattr(numerics, "FUSED_PHASES", {**numerics.FUSED_PHASES, 3: [("hi", "full")],
                                                   4: [("hi", "full"), ("lo", "lo")]})


def _srca_hi_five_bits(monkeypatch):
    monkeypatch.setattr(numerics, "srca", lambda t, tf32=False: numerics.SrcOperand(t, 5, 9 if tf32 else 7))


DATAPATH_MUTANTS = {"operands-swapped-between-srca-and-srcb": _swap_src, "phase-2-dropped": _drop_phase_2,
                    "srca-phase-0-takes-five-bits": _srca_hi_five_bits}


@pytest.mark.mutation
@pytest.mark.parametrize("mutant", list(DATAPATH_MUTANTS), ids=list(DATAPATH_MUTANTS))
def test_the_fidelity_table_fails_on_a_wrong_split(mutant, monkeypatch):
    DATAPATH_MUTANTS[mutant](monkeypatch)
    assert fidelity_mismatches(), f"{mutant}: the fidelity table still passes"


@pytest.mark.mutation
def test_the_step_table_fails_on_a_dst_rounded_per_tile(monkeypatch):
    """A Dst rounded once per 32-deep tile (the two faces' partials summed first)."""
    original = numerics._step_partials

    def per_tile(x, w, first, last):
        steps = original(x, w, first, last)
        tiles = steps.reshape(-1, 2, *steps.shape[1:]).sum(1)
        return torch.stack([tiles, torch.zeros_like(tiles)], 1).reshape(steps.shape)

    monkeypatch.setattr(numerics, "_step_partials", per_tile)
    weights, dst16, _, why = DST16_STEP_TABLE[0]
    got = numerics.matmul(torch.ones(1, 32), torch.tensor(weights).reshape(32, 1), path("HiFi4", False)).item()
    assert got != dst16, f"{why}: a per-tile Dst still gives {got}"
