"""ttnn.rms_norm (hidden, q_norm/k_norm over heads, both epsilons) and ttnn.softmax.

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest

from tests.ops.cases import cases_for, refusals_for
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params

CASES = cases_for("norm")
REFUSALS = refusals_for("rms_norm", "softmax")


@pytest.mark.parametrize("case", params(CASES))
def test_norm_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_norm_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSALS))
def test_norm_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)
