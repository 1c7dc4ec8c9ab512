"""The op tier covers what the model calls: a tiny Qwen3's prefill and decode run on the host backend
under optrace, and every ttnn function they call must have op cases, refusal cases and a threshold
row for its cases (tests/ops/cases/__init__.py says how to add them). The coverage report lists,
per op, how many cases, refusals and golden cases stand behind it."""

from dataclasses import dataclass, field

import pytest

from tests.ops.cases import FAMILIES, FAMILY_OF_OP, Family, registry_problems
from tests.ops.cases.base import OpCase, RefusalCase
from tt_qwen import optrace, zoo
from tt_qwen.thresholds import PCC

MODEL = "tiny-gqa2"
SCENARIOS = ("prefill-seq40", "decode-batch2-pos40")  # decode also prefills both users first


@dataclass
class Coverage:
    op: str
    family: str | None
    cases: int = 0
    refusals: int = 0
    goldens: int = 0
    gaps: list = field(default_factory=list)


def coverage_of(op: str, family_of_op: dict) -> Coverage:
    """What stands behind one ttnn function, and what is missing (each gap a sentence)."""
    family: Family | None = family_of_op.get(op)
    if family is None:
        return Coverage(op, None, gaps=[f"{op}: no op family lists it (add it to a module's OPS in tests/ops/cases/)"])
    cases, refusals = family.cases_of(op), family.refusals_of(op)
    found = Coverage(op, family.name, len(cases), len(refusals), sum(c.golden is not None for c in cases))
    if not cases and op not in family.without_cases:
        found.gaps.append(f"{op}: no op cases in tests/ops/cases/{family.name}.py")
    if not refusals and op not in family.without_refusals:
        found.gaps.append(f"{op}: no refusal cases in tests/ops/cases/{family.name}.py")
    for what, items, reasons in (("cases", cases, family.without_cases),
                                 ("refusals", refusals, family.without_refusals)):
        if items and op in reasons:
            found.gaps.append(f"{op}: has {len(items)} {what} but {family.name}.py still says why it has none")
    for component, dtype in sorted({(c.component, c.dtype) for c in cases} - set(PCC)):
        found.gaps.append(f"{op}: no threshold row ({component!r}, {dtype!r}) in tt_qwen/thresholds.py")
    return found


def report(rows: list[Coverage]) -> str:
    lines = [f"{'ttnn function':58} {'family':14} cases refusals goldens"]
    for row in rows:
        lines.append(f"{row.op:58} {row.family or '-':14} {row.cases:5} {row.refusals:8} {row.goldens:7}"
                     + ("  MISSING" if row.gaps else ""))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def called_ops(backend):
    """Every ttnn function the model calls in prefill and decode, as optrace records them."""
    hf_model = zoo.load_hf_model(zoo.resolve(MODEL)[0])
    calls = [c for s in SCENARIOS for c in optrace.run_scenario(backend.ttnn, backend.device, hf_model, s, 128)]
    return sorted({c["op"] for c in calls})


def test_every_op_the_model_calls_has_cases_refusals_and_thresholds(called_ops, record_property):
    rows = [coverage_of(op, FAMILY_OF_OP) for op in called_ops]
    print("\n" + report(rows))
    record_property("op coverage", report(rows))
    assert len(called_ops) >= 15, f"the trace saw only {called_ops}: optrace did not see the model's calls"
    gaps = [gap for row in rows for gap in row.gaps]
    assert not gaps, "the op tier does not cover what the model calls:\n  " + "\n  ".join(gaps)


# ---- the coverage test can fail: a registry that forgot one piece of an op ----------------------

def _fake_family(**changes) -> Family:
    linear = FAMILIES["linear"]
    fields = dict(name="linear", ops=linear.ops, golden_ops=linear.golden_ops, cases=linear.cases,
                  refusals=linear.refusals, without_cases={}, without_refusals={})
    return Family(**{**fields, **changes})


def _noop(ttnn, device):
    return None


def test_a_forgotten_family_is_named():
    assert coverage_of("linear", {}).gaps == [
        "linear: no op family lists it (add it to a module's OPS in tests/ops/cases/)"]


def test_forgotten_cases_and_refusals_are_named():
    gaps = coverage_of("linear", {"linear": _fake_family(cases=(), refusals=())}).gaps
    assert gaps == ["linear: no op cases in tests/ops/cases/linear.py",
                    "linear: no refusal cases in tests/ops/cases/linear.py"]


def test_a_forgotten_threshold_row_is_named():
    case = OpCase("linear-new", "linear", _noop, lambda: None, "op.linear", dtype="bfloat2_b")
    gaps = coverage_of("linear", {"linear": _fake_family(cases=(case,))}).gaps
    assert gaps == ["linear: no threshold row ('op.linear', 'bfloat2_b') in tt_qwen/thresholds.py"]


def test_a_stated_reason_is_accepted_and_nothing_else():
    family = _fake_family(refusals=(), without_refusals={"linear": "a reason"})
    assert coverage_of("linear", {"linear": family}).gaps == []
    refusal = RefusalCase("linear-x", "linear", _noop, "x")
    assert coverage_of("linear", {"linear": _fake_family(refusals=(refusal,))}).gaps == []
    stale = _fake_family(without_cases={"linear": "no cases (no longer true)"})
    assert coverage_of("linear", {"linear": stale}).gaps == [
        "linear: has 21 cases but linear.py still says why it has none"]


def test_an_inconsistent_registry_is_named():
    stray = RefusalCase("linear-on_matmul", "matmul", _noop, "x")
    twice = _fake_family(name="linear_again", cases=FAMILIES["linear"].cases[:1])
    assert registry_problems([_fake_family(refusals=(stray,)), twice]) == [
        "linear: case linear-on_matmul calls matmul, which is not in its OPS ('linear',)",
        "linear is listed by two families: linear and linear_again",
        f"case id {FAMILIES['linear'].cases[0].id} is used twice"]
