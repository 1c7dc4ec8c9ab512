"""fill_cache, update_cache, experimental.paged_update_cache and paged_fill_cache: in place, exact; the returned tensor and the cache are both checked.

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest

from tests.ops.cases import cases_for, refusals_for
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params

CASES = cases_for("kv_cache")
REFUSALS = refusals_for("fill_cache", "update_cache", "experimental.paged_update_cache",
                        "experimental.paged_fill_cache")


@pytest.mark.parametrize("case", params(CASES))
def test_kv_cache_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_kv_cache_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSALS))
def test_kv_cache_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)
