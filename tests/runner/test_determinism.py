"""Determinism, checked apart from accuracy: the same prefill and 16 decode steps, run twice on
the same model, give bit-identical logits (on the host and on a card; some hosts do not:
tt-metal #17143, #51333). A mutant that jitters its logits shows the check fails."""

import pytest
import torch

DECODE_STEPS = 16
PROMPT_LEN = 32


def run_sequence(model, prompt: torch.Tensor, steps: int = DECODE_STEPS) -> list[torch.Tensor]:
    """Prefill logits, then the logits of `steps` greedy decode steps."""
    logits = [model.prefill(prompt)]
    token, position = int(logits[0][-1].argmax()), len(prompt)
    for _ in range(steps):
        step = model.decode(torch.tensor([token]), [position])
        logits.append(step)
        token, position = int(step[0].argmax()), position + 1
    return logits


def assert_bit_identical(first: list[torch.Tensor], second: list[torch.Tensor]) -> None:
    for step, (a, b) in enumerate(zip(first, second, strict=True)):
        if not torch.equal(a, b):
            what = "prefill" if step == 0 else f"decode step {step}"
            differ = int((a != b).sum())
            raise AssertionError(f"logits of {what} differ between two identical runs: {differ} of {a.numel()} values, "
                                 f"max abs difference {float((a - b).abs().max()):.3g}")


@pytest.mark.model_kinds("tiny-trained", "random-full", "pretrained")
def test_prefill_and_16_decode_steps_twice_give_bit_identical_logits(build_tt, hf_model, needs_numbers, record_property):
    model = build_tt(hf_model, 64)  # prompt + 16 steps fit; a short cache keeps the host run short
    prompt = torch.randint(0, hf_model.config.vocab_size, (PROMPT_LEN,), generator=torch.Generator().manual_seed(7))
    first, second = run_sequence(model, prompt), run_sequence(model, prompt)
    record_property("determinism_steps", len(first))
    assert_bit_identical(first, second)


class _Jittery:
    """A mutant: every decode after the first run perturbs one logit by one bf16 step."""

    def __init__(self, logits: int = 64):
        self.vocab, self.calls = logits, 0

    def prefill(self, prompt):
        return torch.linspace(-4, 4, self.vocab).repeat(len(prompt), 1)

    def decode(self, tokens, positions):
        self.calls += 1
        logits = torch.linspace(-4, 4, self.vocab).repeat(len(tokens), 1)
        if self.calls > DECODE_STEPS + 3:  # the second run, from its fourth decode step on
            logits[0, 5] += 2 ** -7
        return logits


def test_nondeterministic_logits_are_caught():
    model, prompt = _Jittery(), torch.arange(8)
    first, second = run_sequence(model, prompt), run_sequence(model, prompt)
    with pytest.raises(AssertionError, match=r"logits of decode step 4 differ between two identical runs: 1 of 64 values"):
        assert_bit_identical(first, second)
