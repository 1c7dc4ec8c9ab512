"""The real program cache (ttnn 0.81.1 on a mock n150): once warm, decode at a new position and a
prefill of another length within the same padded size compile nothing new. A new program per
position or length would mean a compile on every step on a card, and a trace that cannot be
replayed. The last test is the check's own control: a prefill into a larger padded size does add
programs, so a counter that never moves would be caught."""

import pytest
import torch

from tt_qwen import zoo

MAX_SEQ_LEN = 256


@pytest.fixture(scope="module")
def tiny_trained():
    return zoo.load_hf_model(zoo.resolve("tiny-trained")[0])


@pytest.fixture
def model(build_tt, tiny_trained):
    return build_tt(tiny_trained, MAX_SEQ_LEN)


def _programs_added(device, run) -> int:
    before = device.num_program_cache_entries()
    run()
    return device.num_program_cache_entries() - before


@pytest.mark.parametrize("batch", [1, 32], ids=["decode-batch1-bf16", "decode-batch32-bf16"])
def test_decode_at_a_new_position_adds_no_program(model, device, batch):
    model.prefill(torch.arange(40), last_token_only=True)
    tokens = torch.arange(batch)
    model.decode(tokens, [40] * batch)  # warm-up
    for position in (41, 97, MAX_SEQ_LEN - 1):
        added = _programs_added(device, lambda: model.decode(tokens, [position] * batch))
        assert added == 0, f"decode at position {position} (batch {batch}) added {added} program(s) after warm-up"


@pytest.mark.parametrize("last_token_only", [False, True], ids=["prefill-seq40-then-seq50-bf16", "prefill-last-seq40-then-seq50-bf16"])
def test_second_prefill_within_the_same_padded_size_adds_no_program(model, device, last_token_only):
    model.prefill(torch.arange(40), last_token_only=last_token_only)  # pads to 64
    added = _programs_added(device, lambda: model.prefill(torch.arange(50), last_token_only=last_token_only))
    assert added == 0, f"a 50-token prefill after a 40-token one (both padded to 64) added {added} program(s)"


def test_prefill_into_a_larger_padded_size_adds_programs(model, device):
    model.prefill(torch.arange(40))
    assert _programs_added(device, lambda: model.prefill(torch.arange(70))) > 0, "padded 96 vs 64: new shapes must compile"
