"""KV cache contents against HF's cache, after prefill and after decode steps."""

import pytest
import torch

from tests.model import checks
from tt_qwen import reference
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold

LENGTHS = [31, 32, 33, 70]


@pytest.mark.parametrize("length", LENGTHS, ids=[f"prefill-seq{n}" for n in LENGTHS])
def test_cache_after_prefill_matches_hf(tt_model, hf_model, length):
    checks.check_kv_cache(tt_model, hf_model, checks.prompt(hf_model, length), user=3)


def test_cache_after_decode_steps_matches_hf(tt_model, hf_model):
    """Prefill 30 tokens, decode 5 across the 32-token tile boundary, compare every cached row."""
    ids = checks.prompt(hf_model, 35)
    tt_model.prefill(ids[:30], last_token_only=True)
    for position in range(30, 35):
        tt_model.decode(ids[position: position + 1], [position])
    threshold = pcc_threshold("model.kv_cache")
    for index, (keys, values) in enumerate(reference.kv_cache(hf_model, ids)):
        tt_keys, tt_values = tt_model.kv_cache.to_torch(index)
        for position in range(30, 35):
            assert_pcc(keys[:, position], tt_keys[0, :, position], threshold, f"layer {index} K at decode position {position}")
            assert_pcc(values[:, position], tt_values[0, :, position], threshold, f"layer {index} V at decode position {position}")


def test_decode_leaves_other_users_untouched(tt_model, hf_model):
    """A decode step for user 0 must not write into any other user's cache."""
    tt_model.prefill(checks.prompt(hf_model, 20, seed=1), user=1, last_token_only=True)
    before = [tt_model.kv_cache.to_torch(i) for i in range(len(tt_model.layers))]
    tt_model.prefill(checks.prompt(hf_model, 5), user=0, last_token_only=True)
    tt_model.decode(torch.tensor([7]), [5], users=[0])
    for index, (keys, values) in enumerate(before):
        after_keys, after_values = tt_model.kv_cache.to_torch(index)
        assert torch.equal(keys[1], after_keys[1]) and torch.equal(values[1], after_values[1]), f"layer {index}: user 1's cache changed"


def test_new_sequence_does_not_see_the_previous_one(tt_model, hf_model):
    """A long sequence, then a short one in the same slot: the short one must equal HF, i.e. the
    stale tail of the long one must not leak into its attention."""
    tt_model.prefill(checks.prompt(hf_model, 90, seed=2), last_token_only=True)
    checks.check_decode_logits(tt_model, hf_model, checks.prompt(hf_model, 12, seed=3), prompt_len=8)
