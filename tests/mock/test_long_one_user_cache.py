"""The longest one-user cache the README promises (95904 positions with the bf16 MLP), built
for the full 28-layer model on the real 0.81.1 allocator of the mock n150 and run at its last
position: prefill, then decode at max_seq_len - 1. One user x 16 heads is half a tile of rows,
a shape the 32-user case never makes."""

import pytest
import torch

from tt_qwen import build_model, zoo
from tt_qwen.model.config import Qwen3Dims
from tt_qwen.model.footprint import largest_max_seq_len

README_ONE_USER_BF16 = 95904  # README, "Memory on the n150"


@pytest.fixture(scope="module")
def full_size():
    return zoo.load_hf_model(zoo.resolve("qwen3-0.6b-random")[0])


def test_largest_one_user_cache_runs_at_its_last_position(full_size, clean_device, record_property):
    longest = largest_max_seq_len(Qwen3Dims.from_hf(full_size.config), 1)
    record_property("largest_max_seq_len_batch1", longest)
    assert longest == README_ONE_USER_BF16, f"largest one-user cache {longest}, the README promises {README_ONE_USER_BF16}"
    model = build_model(full_size, clean_device, longest, max_batch_size=1)
    try:
        model.prefill(torch.arange(64), last_token_only=True)
        logits = model.decode(torch.tensor([7]), [longest - 1])
        assert logits.shape == (1, full_size.config.vocab_size)
    finally:
        model.release()
    with pytest.raises(MemoryError, match=rf"batch 1 x max_seq_len {longest + 32}"):
        build_model(full_size, clean_device, longest + 32, max_batch_size=1)
