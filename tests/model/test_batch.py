"""Up to 32 users at once, each with its own prompt and position, each matching its own HF run;
and caches sized below 32 users (one user x 16 heads is not a whole tile of rows)."""

import pytest
import torch

from tests.model import checks
from tt_qwen import reference
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold

BATCHES = [2, 32]
SMALL_CACHES = [1, 3]


@pytest.mark.parametrize("batch", BATCHES, ids=[f"decode-batch{b}-bf16" for b in BATCHES])
def test_each_user_decodes_its_own_sequence(tt_model, hf_model, batch):
    """Every user is checked: a bug confined to one user of the batch (or to users >= 16) fails."""
    lengths = [5 + (7 * user) % 40 for user in range(batch)]  # different prompts and positions
    sequences = [checks.prompt(hf_model, n + 3, seed=100 + user) for user, n in enumerate(lengths)]
    for user, (n, ids) in enumerate(zip(lengths, sequences)):
        tt_model.prefill(ids[:n], user=user, last_token_only=True)
    expected = [reference.logits(hf_model, ids) for ids in sequences]
    threshold = pcc_threshold("model.logits")
    for step in range(3):
        positions = [n + step for n in lengths]
        tokens = torch.stack([ids[p] for ids, p in zip(sequences, positions)])
        logits = tt_model.decode(tokens, positions)
        for user in range(batch):
            assert_pcc(expected[user][positions[user]], logits[user], threshold, f"user {user} at position {positions[user]}")


def test_batched_forward_prefills_every_user(tt_model, hf_model):
    ids = torch.stack([checks.prompt(hf_model, 12, seed=s) for s in range(3)])
    out = tt_model(ids)
    for user in range(3):
        assert_pcc(reference.logits(hf_model, ids[user]), out.logits[user], pcc_threshold("model.logits"), f"user {user}")


@pytest.mark.parametrize("users", SMALL_CACHES, ids=[f"decode-cache-batch{b}-bf16" for b in SMALL_CACHES])
def test_decode_on_a_cache_sized_to_fewer_users(build_tt, hf_model, needs_numbers, users):
    """max_batch_size below 32 (the README's one-user long caches): decode across a tile edge."""
    checks.check_decode_logits(build_tt(hf_model, 64, max_batch_size=users), hf_model, checks.prompt(hf_model, 36), prompt_len=30)
