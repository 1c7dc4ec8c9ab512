"""HF-format RoPE: prefill chunks starting at any position, and decode at per-user positions."""

import pytest
import torch
from transformers.models.qwen3.modeling_qwen3 import apply_rotary_pos_emb

from tt_qwen import reference
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


def _hf_rotate(hf_model, x, start):
    """x [heads, S, head_dim] rotated at positions start.. by HF's own code."""
    cos, sin = reference.rope(hf_model, x.shape[1], start)
    rotated, _ = apply_rotary_pos_emb(x.unsqueeze(0), x.unsqueeze(0), cos, sin)
    return rotated[0]


@pytest.mark.parametrize("start", [0, 32, 96], ids=[f"prefill-start{s}" for s in (0, 32, 96)])
def test_prefill_rope_matches_hf(harness, start):
    x = torch.randn(harness.dims.num_attention_heads, 64, harness.dims.head_dim)
    actual = harness.to_torch(harness.rope.prefill(harness.to_device(x), start))[0]
    assert_pcc(_hf_rotate(harness.hf, x, start), actual, pcc_threshold("layer.rope"), f"prefill RoPE from {start}")


POSITIONS = [0, 1, 31, 32, 33, 127, 255, 1000]


@pytest.mark.parametrize("position", POSITIONS, ids=[f"decode-pos{p}" for p in POSITIONS])
def test_decode_rope_matches_hf(harness, position):
    """decode_tables' rows, applied as Attention.decode applies them (the op in its prefill form
    over one row per (user, head)), rotate like HF at each user's own position."""
    dims = harness.dims
    x = torch.randn(dims.num_attention_heads, 1, dims.head_dim)
    positions = torch.full((32,), -1)
    positions[0] = position
    cos, sin = harness.rope.decode_tables(positions, dims.num_attention_heads, dims.num_key_value_heads, harness.device)["q"]
    rows = torch.zeros(32 * dims.num_attention_heads, dims.head_dim)
    rows[: dims.num_attention_heads] = x[:, 0]
    rotated = harness.ttnn.experimental.rotary_embedding(harness.to_device(rows), cos, sin)
    actual = harness.to_torch(rotated)[0, 0, : dims.num_attention_heads]
    assert_pcc(_hf_rotate(harness.hf, x, position)[:, 0], actual, pcc_threshold("layer.rope"), f"decode RoPE at {position}")
