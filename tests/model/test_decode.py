"""Decode against HF, and prefill versus decode on the same weights."""

import pytest

from tests.model import checks
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold

# Tile boundaries of the cache and of the position tables.
POSITIONS = [1, 31, 32, 33, 63, 64, 127]


def test_decode_logits_match_hf_teacher_forced(tt_model, hf_model):
    checks.check_decode_logits(tt_model, hf_model, checks.prompt(hf_model, 40), prompt_len=28)


@pytest.mark.parametrize("position", POSITIONS, ids=[f"decode-pos{p}-bf16" for p in POSITIONS])
def test_prefill_equals_decode_at_position(tt_model, hf_model, position):
    checks.check_prefill_vs_decode(tt_model, checks.prompt(hf_model, position + 1), position)


def test_token_by_token_prefill_equals_full_prefill(tt_model, build_tt, hf_model):
    ids = checks.prompt(hf_model, 37)
    full = tt_model.prefill(ids)
    stepwise = build_tt(hf_model, tt_model.max_seq_len, prefill_decode=True).prefill(ids)
    assert_pcc(full, stepwise, pcc_threshold("model.prefill_vs_decode"), "prefill_decode vs full prefill")
