"""SDPA prefill under an fp32 Dst keeps its scores and running sums in float32 buffers, as 0.81.1's
program creates them (numerics.SDPA_FP32_DST_BUFFERS; tests/mock/test_kernel_config.py counts
them in the real JIT headers). A hand-worked case shows the host computes with them:

One query row of zeros against 1024 K chunks of 32 keys: every score is 0, every probability the
SFPU's exp(0) = 0.978515625 (Schraudolph: 32501 << 15), so each chunk adds 32 * 0.978515625 =
31.3125 to the row sum. V is 1 on the first chunk's keys and 0 elsewhere, so the output
accumulator is that chunk's P.V packed to bf16 (cb_out_im): 31.25, unchanged after. The exact
attention output is 32 / 32768 = 1 / 1024.

- float32 sums (the device's buffers): 1024 * 31.3125 = 32064 exactly; out = bf16(31.25 / 32064).
- bf16 sums: 31.3125 -> 31.25 per chunk, and the sum stops growing at 8192 = 2^13, where 31.25 is
  under half a bf16 ulp (32): out = 31.25 / 8192, four times too large.
"""

from __future__ import annotations

import pytest
import torch

from tt_qwen.host import numerics

pytestmark = pytest.mark.op

CHUNKS, K_CHUNK, HEAD_DIM = 1024, 32, 32
FP32_DST = numerics.Datapath("HiFi4", fp32_dest_acc_en=True, math_approx_mode=True, packer_l1_acc=False)
DST16 = numerics.Datapath("HiFi4", fp32_dest_acc_en=False, math_approx_mode=True, packer_l1_acc=False)
FLOAT32_SUMS = numerics.round_bf16(torch.tensor(31.25) * (1.0 / torch.tensor(32064.0))).item()
STALLED_BF16_SUMS = 31.25 / 8192


@pytest.fixture(autouse=True)
def _device_numerics():
    with numerics.using("device"):
        yield


def uniform_attention_output(path, op_kind: str = "sdpa") -> float:
    keys = CHUNKS * K_CHUNK
    q, k = torch.zeros(1, 1, HEAD_DIM), torch.zeros(1, keys, HEAD_DIM)
    v = torch.zeros(1, keys, HEAD_DIM)
    v[:, :K_CHUNK] = 1.0
    out = numerics.flash_attention(q, k, v, 0.125, None, K_CHUNK, path, op_kind=op_kind)
    assert torch.all(out == out[0, 0, 0]), "every output column should hold the same value"
    return out[0, 0, 0].item()


def test_sdpa_prefill_sums_in_float32_under_an_fp32_dst():
    assert uniform_attention_output(FP32_DST) == FLOAT32_SUMS


@pytest.mark.parametrize("path, op_kind", [(DST16, "sdpa"), (FP32_DST, "sdpa_decode")],
                         ids=["sdpa-hifi4-dst16", "sdpa_decode-hifi4-fp32"])
def test_bf16_buffers_stall_the_sum_where_the_program_keeps_them_bf16(path, op_kind):
    """A 16-bit Dst, and sdpa_decode's program (no float32 buffers even under an fp32 Dst)."""
    assert uniform_attention_output(path, op_kind) == STALLED_BF16_SUMS


@pytest.mark.mutation
def test_a_host_keeping_sdpa_buffers_bf16_under_an_fp32_dst_fails(monkeypatch):
    monkeypatch.setitem(numerics.SDPA_FP32_DST_BUFFERS, "sdpa", ())
    assert uniform_attention_output(FP32_DST) != FLOAT32_SUMS
    assert numerics.float32_intermediates("sdpa", FP32_DST) == 0  # and the mock's buffer count names it
