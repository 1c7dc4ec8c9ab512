"""The SiLU-gated MLP against HF's, in bf16 and with bfloat8_b weights."""

import pytest
import torch

from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


@pytest.mark.parametrize("dtype", ["bfloat16", "bfloat8_b"])
@pytest.mark.parametrize("length", [32, 128], ids=["seq32", "seq128"])
def test_mlp_matches_hf(harness, length, dtype):
    x = torch.randn(length, harness.dims.hidden_size)
    mlp = harness.mlp(getattr(harness.ttnn, dtype))
    actual = harness.to_torch(mlp(harness.to_device(x)), length)[0, 0]
    assert_pcc(harness.layer.mlp(x).detach(), actual, pcc_threshold("layer.mlp", dtype), f"MLP {dtype}")
