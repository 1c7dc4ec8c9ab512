"""ttnn.embedding: token ids [1, S] (uint32) into the bf16 table, TILE and ROW_MAJOR output.

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest

from tests.ops.cases import cases_for, refusals_for
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params

CASES = cases_for("embedding")
REFUSALS = refusals_for("embedding")


@pytest.mark.parametrize("case", params(CASES))
def test_embedding_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_embedding_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSALS))
def test_embedding_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)
