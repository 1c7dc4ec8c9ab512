"""HF `generate()` drives the TTNN model through GenerationMixin."""

import pytest
import torch

from tests.model import checks
from tt_qwen import reference
from tt_qwen.hf_compat import cache_of

NEW_TOKENS = 40


# Sampling is the same code path whatever the model; a full-size model samples fewer tokens (each
# one a 28-layer decode step, over a second on the host).
SAMPLED_TOKENS_FULL_SIZE = 8


def _generate(model, ids, new_tokens=NEW_TOKENS, **kwargs):
    return model.generate(ids.reshape(1, -1), attention_mask=torch.ones(1, ids.numel(), dtype=torch.long),
                          max_new_tokens=new_tokens, min_new_tokens=new_tokens, **kwargs)[0, ids.numel():]


def test_greedy_generate_returns_logits_of_the_right_shape(tt_model, hf_model):
    out = tt_model(checks.prompt(hf_model, 9).reshape(1, -1))
    assert out.logits.shape == (1, 9, hf_model.config.vocab_size)
    assert cache_of(out).get_seq_length() == 9


@pytest.mark.model_kinds("tiny-trained", "pretrained")
def test_greedy_generate_equals_hf_token_for_token(tt_model, hf_model, tiny_trained_prompt):
    expected = reference.greedy(hf_model, tiny_trained_prompt, NEW_TOKENS)
    actual = _generate(tt_model, tiny_trained_prompt, do_sample=False)
    assert actual.tolist() == expected.tolist()


def test_sampling_generate_is_seeded_and_in_vocabulary(tt_model, hf_model, model_spec):
    ids = checks.prompt(hf_model, 6)
    new_tokens = SAMPLED_TOKENS_FULL_SIZE if model_spec.slow else NEW_TOKENS
    torch.manual_seed(5)
    first = _generate(tt_model, ids, new_tokens, do_sample=True, top_k=20, temperature=1.0)
    torch.manual_seed(5)
    second = _generate(tt_model, ids, new_tokens, do_sample=True, top_k=20, temperature=1.0)
    assert len(first) == new_tokens and first.tolist() == second.tolist()
    assert int(first.min()) >= 0 and int(first.max()) < hf_model.config.vocab_size
