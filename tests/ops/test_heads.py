"""nlp_create_qkv_heads(_decode) and nlp_concat_heads(_decode): exact data movement, with the decode ops' sharded specs.

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest

from tests.ops.cases import cases_for, refusals_for
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params

CASES = cases_for("heads")
REFUSALS = refusals_for("experimental.nlp_create_qkv_heads", "experimental.nlp_create_qkv_heads_decode",
                        "experimental.nlp_concat_heads", "experimental.nlp_concat_heads_decode")


@pytest.mark.parametrize("case", params(CASES))
def test_heads_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_heads_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSALS))
def test_heads_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)
