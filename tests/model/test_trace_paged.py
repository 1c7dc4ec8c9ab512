"""Traced decode over the paged KV cache: the page table is one more persistent buffer the
captured step reads, refreshed before each replay, so a user that is handed a new block (at a
block edge) must still be written and read where the untraced model writes and reads it."""

import pytest
import torch

from tests.model import checks
from tt_qwen.model.kv_cache import PagedConfig

MAX_SEQ_LEN = 256
PAGED = PagedConfig(block_size=64, shuffle_seed=99)


@pytest.mark.model_kinds("tiny-trained")
@pytest.mark.parametrize("batch, prompt_len, steps", [pytest.param(2, 60, 8, id="decode-trace-paged-block64-batch2-steps8-bf16")])
def test_traced_paged_decode_equals_untraced_across_a_block_edge(build_tt, hf_model, needs_numbers, batch, prompt_len, steps):
    untraced = build_tt(hf_model, MAX_SEQ_LEN, paged=PAGED)
    traced = build_tt(hf_model, MAX_SEQ_LEN, paged=PAGED, trace=True)
    prompts = [checks.prompt(hf_model, prompt_len + user, seed=300 + user) for user in range(batch)]
    for model in (untraced, traced):
        for user, ids in enumerate(prompts):
            model.prefill(ids, user=user, last_token_only=True)
    positions = [len(ids) for ids in prompts]  # 60 and 61: both cross 63 -> 64 within the steps
    tokens = torch.stack([ids[-1] for ids in prompts])
    for step in range(steps):
        expected = untraced.decode(tokens, positions)
        actual = traced.decode(tokens, positions)
        assert torch.equal(expected, actual), f"step {step} (positions {positions}): traced paged logits differ from untraced"
        tokens = expected.argmax(dim=-1)
        positions = [p + 1 for p in positions]
    for layer in range(len(untraced.layers)):
        for name, a, b in zip(("keys", "values"), untraced.kv_cache.to_torch(layer), traced.kv_cache.to_torch(layer)):
            assert torch.equal(a[:batch], b[:batch]), f"layer {layer} {name}: traced paged cache differs from untraced"
