"""Whole-model logits and per-layer hidden states against HF float32."""

import pytest

from tests.model import checks

SEQ_LENGTHS = [1, 31, 33, 100, 256]


@pytest.mark.parametrize("length", SEQ_LENGTHS, ids=[f"prefill-seq{n}-bf16" for n in SEQ_LENGTHS])
def test_prefill_logits_match_hf(tt_model, hf_model, length):
    checks.check_prefill_logits(tt_model, hf_model, checks.prompt(hf_model, length))


def test_last_token_logits_equal_full_logits(tt_model, hf_model):
    ids = checks.prompt(hf_model, 45)
    full = tt_model.prefill(ids)
    last = tt_model.prefill(ids, last_token_only=True)
    assert last.shape == (1, hf_model.config.vocab_size)
    assert (full[-1] == last[0]).all(), "last-token-only logits differ from the full prefill's last row"


def test_bfloat8_b_mlp_logits_match_hf(build_tt, hf_model, needs_numbers):
    """The bfloat8_b MLP option; its PCC (the accuracy cost) lands in the session report."""
    ids = checks.prompt(hf_model, 64)
    checks.check_prefill_logits(build_tt(hf_model, 256, mlp_dtype="bfloat8_b"), hf_model, ids, dtype="bfloat8_b")


@pytest.mark.parametrize("length", [33, 200], ids=["prefill-seq33-bf16", "prefill-seq200-bf16"])
def test_hidden_state_after_every_layer_matches_hf(tt_model, hf_model, length, record_property):
    pccs = checks.check_layer_outputs(tt_model, hf_model, checks.prompt(hf_model, length))
    record_property("layer_pcc", pccs)
