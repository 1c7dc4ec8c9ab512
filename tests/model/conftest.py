import pytest

MAX_SEQ_LEN = 512


@pytest.fixture
def tt_model(build_tt, hf_model, needs_numbers):
    """The TTNN model of the session's model spec (bf16), built once per session."""
    return build_tt(hf_model, MAX_SEQ_LEN)


@pytest.fixture
def tiny_trained_prompt():
    """A held-out prompt whose next 40+ tokens the grammar fixes (no free choice), so greedy
    decoding is decided by what the model learned, not by a near-tie that bf16 may flip."""
    import torch

    from tt_qwen.checkpoints import held_out_ids, held_out_predictable

    ids, predictable = held_out_ids(400, seed=3), held_out_predictable(400, seed=3)
    run, best, start = 0, 0, 0
    for index, fixed in enumerate(predictable):
        run = run + 1 if fixed else 0
        if run > best:
            best, start = run, index - run + 1
    assert best >= 40, f"held-out seed 3 has no 40-token predictable run (longest {best})"
    return torch.tensor(ids[:start])
