"""pytest-benchmark timings: prefill time to first token and decode step time.

What the figures mean depends on the backend, and the report says so: on the device they are
n150 figures (anchors from the public bring-up: 52 ms TTFT and 28.0 t/s/u untraced bf16); on the
host they time our CPU emulation; on the mock device they time the real ttnn's host-side
dispatch, which is what bounds untraced decode on a real card.
"""

import pytest
import torch

from tt_qwen.model.footprint import roofline

PREFILL_LENGTHS = [32, 128, 512]
LONG_PREFILL_LENGTHS = [1024, 2048]


# The public Qwen3-0.6B n150 bring-up (issue 13): what a card's figures are read against. On host
# and mock the figures are not n150 figures, and the anchors only say what a card would be held to.
ANCHORS = {"ttft_ms_untraced": 52.0, "ttft_ms_optimized": 25.0, "tokens_per_s_per_user_untraced": 28.0,
           "tokens_per_s_per_user_traced": 46.2, "tokens_per_s_per_user_bandwidth_ceiling_bf16": 242.0}


def _info(benchmark, backend, model_spec, **figures):
    benchmark.extra_info.update(backend=backend.name, model=model_spec.name, anchors=ANCHORS, **figures)


@pytest.fixture
def worth_timing(backend, model_spec):
    """A full-size model on the host backend would time our CPU emulation of 28 layers (about 10
    minutes of the slow tier) and say nothing of a card: skipped there. It runs on the mock (the
    real ttnn's dispatch) and on a card; tests/bench/test_host_speed.py compares the host with HF."""
    if backend.name == "host" and model_spec.slow:
        pytest.skip(f"host backend: timing {model_spec.name} would time the CPU emulation, not a card "
                    f"(tests/bench/test_host_speed.py times the host against HF)")


@pytest.fixture
def prefill_model(worth_timing, build_tt, hf_model):
    return build_tt(hf_model, 2048, max_batch_size=1)  # one user: a 32-user cache is not what TTFT measures


@pytest.fixture
def decode_model(worth_timing, build_tt, hf_model, backend, mode):
    if mode == "traced" and backend.name == "mock":
        pytest.skip("traced decode on the mock: a trace capture crashes ttnn 0.81.1 there (no command queues), "
                    "so build_model(trace=True) refuses it; traced timings come from a card")
    return build_tt(hf_model, 256, **({"trace": True} if mode == "traced" else {}))


PREFILL_PARAMS = [pytest.param(n, id=f"prefill-seq{n}-bf16") for n in PREFILL_LENGTHS] + [
    pytest.param(n, id=f"prefill-seq{n}-bf16", marks=pytest.mark.slow) for n in LONG_PREFILL_LENGTHS]


@pytest.mark.model_kinds("tiny-trained", "random-full", "pretrained")
@pytest.mark.parametrize("length", PREFILL_PARAMS)
def test_prefill_time_to_first_token(benchmark, prefill_model, hf_model, model_spec, backend, length):
    ids = torch.randint(0, hf_model.config.vocab_size, (length,))
    benchmark.pedantic(prefill_model.prefill, args=(ids,), kwargs={"last_token_only": True}, rounds=3, warmup_rounds=1)
    _info(benchmark, backend, model_spec, step="inference_prefill", prompt_len=length,
          ttft_ms=benchmark.stats.stats.mean * 1000.0)


@pytest.mark.model_kinds("tiny-trained", "random-full", "pretrained")
@pytest.mark.parametrize("batch", [1, 32], ids=["batch1-bf16", "batch32-bf16"])
@pytest.mark.parametrize("mode", ["untraced", "traced"], ids=["decode", "decode-traced"])
def test_decode_step(benchmark, decode_model, hf_model, model_spec, backend, batch, mode):
    position = 127
    for user in range(batch):
        decode_model.prefill(torch.randint(0, hf_model.config.vocab_size, (position,)), user=user, last_token_only=True)
    tokens = torch.randint(0, hf_model.config.vocab_size, (batch,))
    benchmark.pedantic(decode_model.decode, args=(tokens, [position] * batch), rounds=5, warmup_rounds=1)
    figures = roofline(decode_model.dims, decode_model.mlp_dtype, position + 1, batch, 1.0 / benchmark.stats.stats.mean)
    figures.pop("summary")
    _info(benchmark, backend, model_spec, step="inference_decode", batch=batch, position=position, mode=mode,
          tokens_per_s_per_user=1.0 / benchmark.stats.stats.mean, **figures)
