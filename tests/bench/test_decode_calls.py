"""The ttnn calls of one untraced decode step, counted on the host backend (the mock tier's
benchmark counts the same on the real ttnn): on a card each call is a host dispatch, which is
what bounds untraced decode. A budget per decoder layer keeps the leaner step from growing back;
its control shows one extra call per layer is caught.

tiny-gqa2 (the layer's calls do not depend on its widths: the same ops as at the Qwen3-0.6B
dimensions, which tests/bench/test_decode_dispatch.py counts on the mock); batch 1 and 32.
"""

from __future__ import annotations

import pytest
import torch

from tests.bench.calls import count_decode_calls
from tt_qwen import zoo
from tt_qwen.model import mlp as mlp_module

# Calls inside one decoder layer's decode: 27 ops, plus the slice rotary's row padding needs when a
# user's heads are under a tile (1 user x 16 q heads, x 8 kv heads). README "The decode step".
CALL_BUDGET_PER_LAYER = {1: 29, 32: 27}
POSITION = 40


@pytest.fixture(scope="module")
def one_layer():
    return zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0])


def decode_counts(ttnn, build_tt, hf_model, batch, monkeypatch) -> dict:
    model = build_tt(hf_model, 128, max_batch_size=batch)
    tokens = torch.arange(batch)
    step = lambda: model.decode(tokens, [POSITION] * batch)  # noqa: E731
    return count_decode_calls(ttnn, step, model.layers[0], "decode", monkeypatch)


def over_budget(counts: dict, batch: int) -> str | None:
    budget = CALL_BUDGET_PER_LAYER[batch]
    if counts["calls_per_layer"] <= budget:
        return None
    return (f"decode batch {batch}: {counts['calls_per_layer']} ttnn calls per decoder layer, over the budget of "
            f"{budget}: {counts['ops_per_layer']}")


@pytest.mark.parametrize("batch", [1, 32], ids=["decode-batch1-bf16", "decode-batch32-bf16"])
def test_decode_step_stays_within_its_call_budget(ttnn, build_tt, one_layer, batch, monkeypatch, record_property):
    counts = decode_counts(ttnn, build_tt, one_layer, batch, monkeypatch)
    record_property("calls_per_layer", counts["calls_per_layer"])
    record_property("calls_per_step", counts["calls_per_step"])
    assert counts["calls_per_layer"] > 15, f"the count saw too few calls to be the layer's: {counts}"
    problem = over_budget(counts, batch)
    assert problem is None, problem


def test_one_extra_call_per_layer_is_caught(ttnn, build_tt, one_layer, monkeypatch):
    """Control: an MLP that makes one needless copy of its output (one call more per layer)."""
    original = mlp_module.MLP.__call__

    def with_an_extra_call(self, x):
        return ttnn.clone(original(self, x))

    monkeypatch.setattr(mlp_module.MLP, "__call__", with_an_extra_call)
    counts = decode_counts(ttnn, build_tt, one_layer, 32, monkeypatch)
    assert over_budget(counts, 32) is not None, f"one extra call per layer went unnoticed: {counts}"
