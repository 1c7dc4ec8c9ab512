"""ttnn.linear: every projection of a Qwen3 decoder layer and the LM head, bf16 and block-float weights.

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest

from tests.ops.cases import cases_for, refusals_for
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params

CASES = cases_for("matmul")
REFUSALS = refusals_for("linear")


@pytest.mark.parametrize("case", params(CASES))
def test_linear_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_linear_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSALS))
def test_linear_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)
