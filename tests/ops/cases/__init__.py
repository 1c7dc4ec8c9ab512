"""The op tier's cases, as data: one module per op family, and the registry of the ttnn functions
each family covers. The generic runner (tests/ops/test_op_cases.py), the goldens
(tests/ops/test_goldens.py), the mock tier's contracts (tests/mock/test_op_contracts.py) and the
coverage test (tests/ops/test_coverage.py) all read this registry; nothing else lists ops.

Adding an op (as llama.cpp's test-backend-ops: the op is one entry, the runner is shared):
1. the host op in tt_qwen/host, under its ttnn path (e.g. `ttnn.experimental.foo`);
2. in the family's module here (tests/ops/cases/<family>.py): the op's path in `OPS` (and in
   `GOLDEN_OPS` when 0.81.1 attaches a golden function to it), its cases in `CASES` (seeded inputs,
   a torch reference written from the op's documentation, never from a backend, and the output
   specs 0.81.1 returns: probe them on the mock tier) and one refusal per documented constraint in
   `REFUSALS` (the real TT_FATAL wording, measured on the mock n150, quoted beside it);
3. a threshold row in tt_qwen/thresholds.py for the (component, dtype) its cases name.
An op that truly cannot have a case or a refusal says why in its module's `WITHOUT_CASES` /
`WITHOUT_REFUSALS` (core.py: to_torch, deallocate); the coverage test accepts no silent gap.
A new family is a new module here and its name in `FAMILY_MODULES`. Forget one of these and
tests/ops/test_coverage.py names the op the model calls without it.

Case ids read as parameters (`linear-q-seq128-k1024-n2048-bf16`) and are the test ids on every
backend; tests/ops/README.md maps the ids of the old per-family test files to the runner's.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from tests.ops.cases.base import OpCase, RefusalCase

# Module names, in the order the runner lists them.
FAMILY_MODULES = ("embedding", "linear", "norm", "eltwise", "rotary", "heads", "sdpa", "chunked_sdpa", "kv_cache",
                  "core", "data_movement")


@dataclass(frozen=True)
class Family:
    name: str
    ops: tuple  # ttnn function paths, e.g. "experimental.rotary_embedding"
    golden_ops: tuple  # those 0.81.1 attaches a golden function to
    cases: tuple
    refusals: tuple
    without_cases: dict  # op -> why it has no case of its own (the coverage test accepts only these)
    without_refusals: dict  # op -> why it has no refusal

    def cases_of(self, op: str) -> list:
        return [c for c in self.cases if c.op == op]

    def refusals_of(self, op: str) -> list:
        return [c for c in self.refusals if c.op == op]


def load_family(name: str) -> Family:
    module = importlib.import_module(f"tests.ops.cases.{name}")
    return Family(name, tuple(module.OPS), tuple(module.GOLDEN_OPS), tuple(module.CASES), tuple(module.REFUSALS),
                  dict(getattr(module, "WITHOUT_CASES", {})), dict(getattr(module, "WITHOUT_REFUSALS", {})))


def registry_problems(families) -> list[str]:
    """What makes a set of families inconsistent: an id used twice, a case of an op its family does
    not list, an op listed by two families."""
    problems, ids, owner = [], set(), {}
    for family in families:
        for op in family.ops:
            if op in owner:
                problems.append(f"{op} is listed by two families: {owner[op]} and {family.name}")
            owner[op] = family.name
        for case in (*family.cases, *family.refusals):
            if case.id in ids:
                problems.append(f"case id {case.id} is used twice")
            ids.add(case.id)
            if case.op not in family.ops:
                problems.append(f"{family.name}: case {case.id} calls {case.op}, which is not in its OPS {family.ops}")
    return problems


FAMILIES: dict[str, Family] = {name: load_family(name) for name in FAMILY_MODULES}
_PROBLEMS = registry_problems(FAMILIES.values())
assert not _PROBLEMS, "the op case registry is inconsistent:\n  " + "\n  ".join(_PROBLEMS)

OP_CASES: list[OpCase] = [c for f in FAMILIES.values() for c in f.cases]
REFUSAL_CASES: list[RefusalCase] = [c for f in FAMILIES.values() for c in f.refusals]
CASES_BY_ID = {c.id: c for c in OP_CASES}
FAMILY_OF_OP = {op: f for f in FAMILIES.values() for op in f.ops}


def resolve_op(ttnn, path: str):
    """'experimental.rotary_embedding' -> ttnn.experimental.rotary_embedding."""
    obj = ttnn
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj
