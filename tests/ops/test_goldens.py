"""The backend's op results against the REAL ttnn's golden functions, on the same inputs.

Meant for `.venv-mock/bin/python -m pytest tests/ops --backend host`: the real ttnn 0.81.1 is
importable there next to the host backend, so `ttnn.get_golden_function(op)` of the real package
judges the host op. On the device backend the goldens judge the card. Ops without a golden in
0.81.1 (nlp_* heads ops, paged cache ops) are covered by the torch references only.
"""

import pytest
import torch

from tests.ops.cases import FAMILIES, OP_CASES, resolve_op
from tests.ops.helpers import as_tuple, compare
from tests.ops.real_ttnn import real_ttnn

GOLDEN_CASES = [c for c in OP_CASES if c.golden is not None and not c.slow]


@pytest.fixture(scope="module")
def real(backend):
    found, why = real_ttnn(backend)
    if found is None:
        pytest.skip(why)
    return found


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in GOLDEN_CASES])
def test_matches_real_golden(case, real, ttnn, device, needs_numbers):
    with real.active() as module:
        golden = module.get_golden_function(resolve_op(module, case.op))
        args, kwargs = case.golden()
        expected = as_tuple(golden(*args, **kwargs))  # a multi-output golden (split heads) gives a tuple
    outputs = as_tuple(case.run(ttnn, device))  # in-place ops also return the cache: the golden gives one
    for index, (want, output) in enumerate(zip(expected, outputs)):
        check_against_golden(case, index, torch.as_tensor(want), ttnn.to_torch(output))


def check_against_golden(case, index: int, expected: torch.Tensor, actual: torch.Tensor) -> None:
    if case.select is not None:
        actual = case.select(actual, index)
        if tuple(expected.shape) != tuple(actual.shape) and expected.numel() != actual.numel():
            expected = case.select(expected, index)
    if expected.numel() == actual.numel():
        expected = expected.reshape(actual.shape)
    compare(case, expected, actual, f"{case.id} output {index} vs real ttnn golden")


def test_golden_cases_cover_the_ops_with_goldens():
    """Every op its family lists in GOLDEN_OPS (0.81.1 attaches a golden, MOCK.md) has a golden case
    here, and no case carries a golden for an op not listed so."""
    with_golden = {op for family in FAMILIES.values() for op in family.golden_ops}
    assert with_golden - {c.op for c in GOLDEN_CASES} == set(), "ops with a golden function but no golden case"
    assert {c.op for c in GOLDEN_CASES} - with_golden == set(), "golden cases of ops not in their GOLDEN_OPS"
