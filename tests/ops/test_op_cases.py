"""Every op case of the registry (tests/ops/cases/): its numbers against the torch reference, its
output specs against what 0.81.1 returns, and every refusal. One runner for all families; the
test id is the case id (`test_op_numbers[linear-q-seq128-k1024-n2048-bf16]`)."""

import pytest

from tests.ops.cases import OP_CASES, REFUSAL_CASES
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params, skip_without_numbers


@pytest.mark.parametrize("case", params(OP_CASES))
def test_op_numbers(case, backend, ttnn, device):
    skip_without_numbers(case, backend)
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(OP_CASES))
def test_op_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSAL_CASES))
def test_op_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)
