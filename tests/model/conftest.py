import pytest

MAX_SEQ_LEN = 512


@pytest.fixture
def tt_model(build_tt, hf_model, needs_numbers):
    """The TTNN model of the session's model spec (bf16), built once per session."""
    return build_tt(hf_model, MAX_SEQ_LEN)


@pytest.fixture
def tiny_trained_prompt():
    """A held-out prompt from the grammar the tiny-trained checkpoint learned."""
    import torch

    from tt_qwen.checkpoints import held_out_ids

    return torch.tensor(held_out_ids(48, seed=11))
