"""The host backend's speed with device numerics on, side by side with HF float32 on the CPU:
a 4-layer model at the exact Qwen3-0.6B dimensions, prefill of 128 tokens and one decode step of
one user. The goal (README "Numerics"): each host figure within 2x of HF's.

Slow tier: building a 4-layer full-width model takes a while on a shared CI machine.
"""

from __future__ import annotations

import copy

import pytest
import torch

from tt_qwen import zoo
from tt_qwen.host import numerics

pytestmark = [pytest.mark.slow, pytest.mark.benchmark]

PROMPT = 128
CONFIG = {**zoo.QWEN3_0_6B_CONFIG, "num_hidden_layers": 4}


@pytest.fixture(scope="module")
def hf_4layer():
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    return Qwen3ForCausalLM(Qwen3Config(**CONFIG)).eval()


@pytest.fixture(scope="module")
def tt_4layer(build_tt, hf_4layer, backend):
    if backend.name != "host":
        pytest.skip(f"this compares the host backend with HF on the CPU, not {backend.name}")
    return build_tt(hf_4layer, 256, max_batch_size=1)


def _prompt():
    return torch.randint(0, CONFIG["vocab_size"], (PROMPT,), generator=torch.Generator().manual_seed(1))


def _hf_prefill(hf):
    with torch.no_grad():
        return hf(_prompt().unsqueeze(0), use_cache=True)


def _hf_decode(hf, cache):
    with torch.no_grad():
        return hf(torch.tensor([[7]]), past_key_values=cache, use_cache=True)


@pytest.mark.parametrize("side", ["hf-float32", "host-device-numerics"])
def test_prefill_seq128_speed(benchmark, side, hf_4layer, tt_4layer):
    benchmark.extra_info.update(side=side, numerics=numerics.mode(), layers=4, prompt_len=PROMPT)
    if side == "hf-float32":
        benchmark.pedantic(_hf_prefill, args=(hf_4layer,), rounds=3, warmup_rounds=1)
    else:
        benchmark.pedantic(tt_4layer.prefill, args=(_prompt(),), kwargs={"last_token_only": True}, rounds=3,
                           warmup_rounds=1)


@pytest.mark.parametrize("side", ["hf-float32", "host-device-numerics"])
def test_decode_batch1_speed(benchmark, side, hf_4layer, tt_4layer):
    benchmark.extra_info.update(side=side, numerics=numerics.mode(), layers=4, position=PROMPT)
    if side == "hf-float32":
        cache = _hf_prefill(hf_4layer).past_key_values
        # A fresh copy per round, outside the timing: HF's cache grows in place.
        benchmark.pedantic(_hf_decode, setup=lambda: ((hf_4layer, copy.deepcopy(cache)), {}), rounds=5)
    else:
        tt_4layer.prefill(_prompt(), last_token_only=True)
        benchmark.pedantic(tt_4layer.decode, args=([7], [PROMPT]), rounds=5, warmup_rounds=1)
