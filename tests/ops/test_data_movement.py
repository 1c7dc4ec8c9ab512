"""reshape, slice, concat, transpose, permute, pad: exact.

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest

from tests.ops.cases import cases_for
from tests.ops.helpers import check_numbers, check_specs, params

CASES = cases_for("data_movement")


@pytest.mark.parametrize("case", params(CASES))
def test_data_movement_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_data_movement_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)
