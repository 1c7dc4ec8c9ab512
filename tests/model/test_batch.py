"""Up to 32 users at once, each with its own prompt and position, each matching its own HF run."""

import pytest
import torch

from tests.model import checks
from tt_qwen import reference
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold

BATCHES = [2, 32]


@pytest.mark.parametrize("batch", BATCHES, ids=[f"decode-batch{b}-bf16" for b in BATCHES])
def test_each_user_decodes_its_own_sequence(tt_model, hf_model, batch):
    lengths = [5 + (7 * user) % 40 for user in range(batch)]  # different prompts and positions
    sequences = [checks.prompt(hf_model, n + 3, seed=100 + user) for user, n in enumerate(lengths)]
    for user, (n, ids) in enumerate(zip(lengths, sequences)):
        tt_model.prefill(ids[:n], user=user, last_token_only=True)
    threshold = pcc_threshold("model.logits")
    for step in range(3):
        positions = [n + step for n in lengths]
        tokens = torch.stack([ids[p] for ids, p in zip(sequences, positions)])
        logits = tt_model.decode(tokens, positions)
        for user in (0, batch // 2, batch - 1):
            expected = reference.logits(hf_model, sequences[user][: positions[user] + 1])[-1]
            assert_pcc(expected, logits[user], threshold, f"user {user} at position {positions[user]}")


def test_batched_forward_prefills_every_user(tt_model, hf_model):
    ids = torch.stack([checks.prompt(hf_model, 12, seed=s) for s in range(3)])
    out = tt_model(ids)
    for user in range(3):
        assert_pcc(reference.logits(hf_model, ids[user]), out.logits[user], pcc_threshold("model.logits"), f"user {user}")
