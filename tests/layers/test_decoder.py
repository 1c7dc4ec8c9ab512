"""A whole decoder layer, and the final norm + LM head, against HF."""

import pytest
import torch

from tt_qwen import reference
from tt_qwen.compare import assert_pcc
from tt_qwen.model.rmsnorm import RMSNorm
from tt_qwen.thresholds import pcc_threshold


@pytest.mark.parametrize("length", [33, 128], ids=["prefill-seq33-bf16", "prefill-seq128-bf16"])
def test_decoder_layer_prefill_matches_hf(harness, length):
    x = torch.randn(length, harness.dims.hidden_size)
    layer = harness.decoder()
    out = layer.prefill(harness.to_device(x), harness.rope, harness.cache, user=0, start=0)
    actual = harness.to_torch(out, length)[0, 0]
    assert_pcc(reference.decoder_layer(harness.hf, 0, x), actual, pcc_threshold("layer.decoder"), "decoder layer prefill")


@pytest.mark.parametrize("position", [0, 40], ids=["decode-pos0-bf16", "decode-pos40-bf16"])
def test_decoder_layer_decode_matches_hf(harness, position):
    x = torch.randn(position + 1, harness.dims.hidden_size)
    layer = harness.decoder()
    if position:
        layer.prefill(harness.to_device(x[:position]), harness.rope, harness.cache, user=0, start=0)
    tt_x, tables, positions = harness.decode_inputs(x[position], position)
    actual = harness.to_torch(layer.decode(tt_x, tables, harness.cache, positions))[0, 0, 0]
    expected = reference.decoder_layer(harness.hf, 0, x)[position]
    assert_pcc(expected, actual, pcc_threshold("layer.decoder"), f"decoder layer decode at {position}")


def test_final_norm_and_lm_head_match_hf(harness):
    x = torch.randn(32, harness.dims.hidden_size)
    norm = RMSNorm(harness.loader, "norm", harness.hf.model.norm.weight, harness.dims.rms_norm_eps)
    lm_head = harness.loader.linear("lm_head", harness.hf.lm_head.weight)
    actual = harness.to_torch(harness.ttnn.linear(norm(harness.to_device(x)), lm_head))[0, 0]
    expected = harness.hf.lm_head(harness.hf.model.norm(x)).detach()
    assert_pcc(expected, actual, pcc_threshold("layer.lm_head"), "final norm + LM head")
