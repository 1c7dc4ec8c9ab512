"""The host's flash attention under device numerics (numerics.flash_attention, the plan's SDPA
datapath: HiFi4, 16-bit Dst, approximate exp): the causal prompt the long-context tests prefill
first, and a later 2048-token chunk against 8192 cached keys through an explicit mask (every K
chunk read, as 0.81.1 does with a mask). Timings only: pytest-benchmark records them.

Slow tier with the other benchmarks of the host's speed.
"""

from __future__ import annotations

import pytest
import torch

from tt_qwen.host import numerics

pytestmark = [pytest.mark.slow, pytest.mark.benchmark]

PLAN_SDPA = numerics.Datapath("HiFi4", fp32_dest_acc_en=False, math_approx_mode=True, packer_l1_acc=False)
# (heads, query rows, keys, causal)
CASES = [(4, 1024, 1024, True), (2, 2048, 2048, True), (2, 2048, 8192, False)]


@pytest.fixture(autouse=True)
def _device_numerics():
    with numerics.using("device"):
        yield


def _stored(shape, seed: int) -> torch.Tensor:
    return numerics.round_bf16(torch.randn(shape, generator=torch.Generator().manual_seed(seed)))


@pytest.mark.parametrize("heads, rows, keys, causal", CASES,
                         ids=[f"{'causal' if c else 'mask'}-h{h}-sq{r}-sk{k}-hd64-hifi4-dst16" for h, r, k, c in CASES])
def test_flash_attention_speed(benchmark, heads, rows, keys, causal):
    q, k, v = _stored((heads, rows, 64), 1), _stored((heads, keys, 64), 2), _stored((heads, keys, 64), 3)
    mask = None if causal else torch.full((rows, keys), float("-inf")).triu(keys - rows + 1)
    benchmark.extra_info.update(heads=heads, rows=rows, keys=keys, causal=causal, threads=torch.get_num_threads())
    benchmark.pedantic(numerics.flash_attention, args=(q, k, v, 0.125, mask, 32, PLAN_SDPA),
                       kwargs={"causal": causal}, rounds=2, warmup_rounds=0)
