"""Traced decode (`build_model(..., trace=True)`) against the same model untraced: bit for bit.

The traced model captures its decode step once after a warm-up step and replays it on its
persistent input buffers; the untraced one runs the same step eagerly. Both are fed the same
tokens (the untraced model's greedy choice), so any stale input, missed replay or write the
capture let through shows as a logit or KV-cache difference. On the mock device a capture
crashes the process (0.81.1), so these tests need numbers and run on host and device.
"""

import pytest
import torch

from tests.model import checks, every_position

MAX_SEQ_LEN = 128
# (batch, prompt length of user 0, steps): users start up to 3 positions apart, so each crosses
# the cache tiles (31 -> 32, 63 -> 64) at its own step. The 32-user run over 42 steps is slow
# (64 prefills and 84 batch-32 steps); the default tier crosses 31 -> 32 at batch 32 in 4 steps.
CASES = [pytest.param(1, 24, 42, id="decode-trace-batch1-steps42-bf16"),
         pytest.param(32, 31, 4, id="decode-trace-batch32-steps4-bf16"),
         pytest.param(32, 24, 42, id="decode-trace-batch32-steps42-bf16", marks=pytest.mark.slow)]


@pytest.fixture(scope="module", autouse=True)
def _exact_numerics(backend):
    """Traced against untraced on the same backend: equal or not whatever the rounding, so the host
    runs its exact numerics here. Its model of the n150 datapath runs batch-32 sdpa_decode user by
    user, 16-deep accumulation steps each: ~12 s a step on this 2-core machine, 10 min for the
    slow case's 84 steps (1.7 s a step exact)."""
    with every_position.exact_host_numerics(backend):
        yield


def _prefill_users(model, prompts):
    for user, ids in enumerate(prompts):
        model.prefill(ids, user=user, last_token_only=True)


def _decode_both(untraced, traced, tokens, positions):
    expected = untraced.decode(tokens, positions)
    actual = traced.decode(tokens, positions)
    return expected, actual


def _assert_same(expected, actual, what):
    differing = (expected != actual).any(dim=-1).nonzero().flatten().tolist()
    assert not differing, f"{what}: traced logits differ from untraced for users {differing}"


@pytest.mark.model_kinds("tiny-trained")
@pytest.mark.parametrize("batch, prompt_len, steps", CASES)
def test_traced_decode_equals_untraced_bit_for_bit(build_tt, hf_model, needs_numbers, batch, prompt_len, steps):
    untraced = build_tt(hf_model, MAX_SEQ_LEN)
    traced = build_tt(hf_model, MAX_SEQ_LEN, trace=True)
    prompts = [checks.prompt(hf_model, prompt_len - user % 4, seed=200 + user) for user in range(batch)]
    for model in (untraced, traced):
        _prefill_users(model, prompts)
    positions = [len(ids) for ids in prompts]
    tokens = torch.stack([ids[-1] for ids in prompts])
    for step in range(steps):
        expected, actual = _decode_both(untraced, traced, tokens, positions)
        _assert_same(expected, actual, f"step {step} (positions {min(positions)}..{max(positions)})")
        tokens = expected.argmax(dim=-1)
        positions = [p + 1 for p in positions]
    for layer in range(len(untraced.layers)):
        for name, a, b in zip(("keys", "values"), untraced.kv_cache.to_torch(layer), traced.kv_cache.to_torch(layer)):
            assert torch.equal(a[:batch], b[:batch]), f"layer {layer} {name}: traced cache differs from untraced"


@pytest.mark.model_kinds("tiny-trained")
def test_replay_uses_the_new_inputs(build_tt, hf_model, needs_numbers):
    """The same position decoded twice with different tokens (and then at another position)
    gives different logits, each equal to the untraced model's: nothing is replayed stale."""
    untraced = build_tt(hf_model, MAX_SEQ_LEN)
    traced = build_tt(hf_model, MAX_SEQ_LEN, trace=True)
    ids = checks.prompt(hf_model, 10, seed=7)
    for model in (untraced, traced):
        model.prefill(ids, last_token_only=True)
    outputs = []
    for tokens, position in (([3], 10), ([5], 10), ([5], 40)):
        expected, actual = _decode_both(untraced, traced, tokens, [position])
        _assert_same(expected, actual, f"token {tokens[0]} at position {position}")
        outputs.append(actual)
    assert not torch.equal(outputs[0], outputs[1]), "a new token replayed to the same logits"
    assert not torch.equal(outputs[1], outputs[2]), "a new position replayed to the same logits"


@pytest.mark.model_kinds("tiny-trained")
def test_generate_works_traced(build_tt, hf_model, needs_numbers):
    untraced = build_tt(hf_model, MAX_SEQ_LEN)
    traced = build_tt(hf_model, MAX_SEQ_LEN, trace=True)
    ids = checks.prompt(hf_model, 9, seed=11).reshape(1, -1)
    settings = {"max_new_tokens": 12, "do_sample": False, "pad_token_id": 0}
    assert torch.equal(traced.generate(ids, **settings), untraced.generate(ids, **settings))


@pytest.mark.model_kinds("tiny-trained")
def test_traced_decode_refuses_the_layer_observer(build_tt, hf_model, needs_numbers):
    traced = build_tt(hf_model, MAX_SEQ_LEN, trace=True)
    traced.prefill(checks.prompt(hf_model, 4), last_token_only=True)
    traced.layer_observer = lambda *args: None
    try:
        with pytest.raises(ValueError, match="trace=True cannot call layer_observer"):
            traced.decode([1], [4])
    finally:
        traced.layer_observer = None
