"""RMSNorm blocks: the decoder norms over hidden, Qwen3's q_norm/k_norm over head_dim per head."""

import pytest
import torch

from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold

LENGTHS = [1, 32, 100]


@pytest.mark.parametrize("length", LENGTHS, ids=[f"seq{n}-bf16" for n in LENGTHS])
def test_input_layernorm_matches_hf(harness, length):
    x = torch.randn(length, harness.dims.hidden_size) * 3
    hf_norm = harness.layer.input_layernorm
    actual = harness.to_torch(harness.norm(hf_norm)(harness.to_device(x)), length)[0, 0]
    assert_pcc(hf_norm(x).detach(), actual, pcc_threshold("layer.rms_norm"), "input_layernorm")


@pytest.mark.parametrize("norm", ["q_norm", "k_norm"])
def test_head_norm_normalizes_each_head_over_head_dim(harness, norm):
    hf_norm = getattr(harness.layer.self_attn, norm)
    heads = harness.dims.num_attention_heads if norm == "q_norm" else harness.dims.num_key_value_heads
    x = torch.randn(heads, 40, harness.dims.head_dim) * 2
    actual = harness.to_torch(harness.norm(hf_norm)(harness.to_device(x)), 40)[0]
    assert_pcc(hf_norm(x).detach(), actual, pcc_threshold("layer.rms_norm"), norm)
