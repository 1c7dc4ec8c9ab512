"""ttnn.transformer.scaled_dot_product_attention (causal GQA 16/8, explicit mask with Sk > Sq) and _decode (cur_pos list / tensor, -1 skips a user).

Cases, references and expected specs live in tests/ops/cases.py (shared with the mock tier).
"""

import pytest
import torch

from tests.ops.cases import cases_for, refusals_for
from tests.ops.helpers import check_numbers, check_refusal, check_specs, params

CASES = cases_for("sdpa")
REFUSALS = refusals_for("transformer.scaled_dot_product_attention",
                        "transformer.scaled_dot_product_attention_decode")


@pytest.mark.parametrize("case", params(CASES))
def test_sdpa_matches_reference(case, ttnn, device, needs_numbers):
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_sdpa_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


@pytest.mark.parametrize("case", params(REFUSALS))
def test_sdpa_refuses(case, ttnn, device):
    check_refusal(case, ttnn, device)


def test_sdpa_decode_cur_pos_list_cannot_hold_minus_one(ttnn, device):
    """In 0.81.1 `cur_pos` binds as a sequence of unsigned ints: skipping a user with -1 works only
    through `cur_pos_tensor` (int32). The real binding rejects a list holding -1 with TypeError
    (measured on the mock n150), so a model passing one would break on the card."""
    from tests.ops.cases import to_dev

    q = to_dev(ttnn, device, torch.zeros(1, 2, 16, 128, dtype=torch.bfloat16))
    k = to_dev(ttnn, device, torch.zeros(2, 8, 64, 128, dtype=torch.bfloat16))
    v = to_dev(ttnn, device, torch.zeros(2, 8, 64, 128, dtype=torch.bfloat16))
    with pytest.raises(TypeError):
        ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=[-1, 3])
