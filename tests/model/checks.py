"""The model-tier checks, shared by the tests and by the mutation tests that prove each check
fails on a broken model. Each check raises AssertionError (via assert_pcc) or returns figures."""

from __future__ import annotations

import torch

from tt_qwen import probes, reference
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


def prompt(hf_model, length: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, hf_model.config.vocab_size, (length,), generator=generator)


def check_prefill_logits(tt_model, hf_model, ids, dtype="bfloat16"):
    expected = reference.logits(hf_model, ids)
    actual = tt_model.prefill(ids)
    return assert_pcc(expected, actual, pcc_threshold("model.logits", dtype), f"prefill logits, {len(ids)} tokens")


def layer_pccs(tt_model, hf_model, ids) -> list[float]:
    """PCC of the residual stream after every layer, prefill, against HF."""
    return probes.layer_pcc(tt_model, hf_model, ids)["prefill"]


def check_layer_outputs(tt_model, hf_model, ids, dtype="bfloat16") -> list[float]:
    pccs = layer_pccs(tt_model, hf_model, ids)
    threshold = pcc_threshold("model.hidden_state", dtype)
    worst = min(range(len(pccs)), key=pccs.__getitem__)
    assert pccs[worst] >= threshold, f"hidden state after layer {worst}: PCC {pccs[worst]:.6f} < {threshold} (all: {[round(p, 5) for p in pccs]})"
    return pccs


def check_decode_logits(tt_model, hf_model, ids, prompt_len: int, dtype="bfloat16"):
    """Prefill ids[:prompt_len], then teacher-force the rest through decode; each step's logits
    must match HF's logits at that position."""
    expected = reference.logits(hf_model, ids)
    tt_model.prefill(ids[:prompt_len], last_token_only=True)
    threshold = pcc_threshold("model.logits", dtype)
    for position in range(prompt_len, len(ids)):
        actual = tt_model.decode(ids[position: position + 1], [position])[0]
        assert_pcc(expected[position], actual, threshold, f"decode logits at position {position}")


def check_prefill_vs_decode(tt_model, ids, position: int):
    """Prefill logits at `position` equal a decode at `position` after prefilling `position` tokens.
    Only the prefill's last row goes through the LM head (test_logits.py shows it equals the full
    prefill's row bit for bit): at the 0.6B vocabulary the other rows cost seconds."""
    full = tt_model.prefill(ids[: position + 1], last_token_only=True)
    tt_model.prefill(ids[:position], last_token_only=True)
    step = tt_model.decode(ids[position: position + 1], [position])[0]
    return assert_pcc(full[0], step, pcc_threshold("model.prefill_vs_decode"), f"prefill vs decode at position {position}")


def check_kv_cache(tt_model, hf_model, ids, user: int = 0):
    """The TT cache of every layer after a prefill equals HF's keys (rotated) and values."""
    expected = reference.kv_cache(hf_model, ids)
    tt_model.prefill(ids, user=user, last_token_only=True)
    threshold = pcc_threshold("model.kv_cache")
    for index, (keys, values) in enumerate(expected):
        tt_keys, tt_values = tt_model.kv_cache.to_torch(index)
        assert_pcc(keys, tt_keys[user, :, : len(ids)], threshold, f"layer {index} K cache")
        assert_pcc(values, tt_values[user, :, : len(ids)], threshold, f"layer {index} V cache")

