"""Long context in the soak tier (`pytest -m soak`, in no other tier): one layer at the exact
Qwen3-0.6B dimensions (the local heads of tests/model/test_long_context.py) prefilled past 32768
in 256-token chunks, and decode on both sides of 16384 and 32768, against HF float32.

On the host backend this module runs the exact numerics (every_position.exact_host_numerics): the
32800-token prefill takes about 20 min even so. What it hunts (a wrong key, position, RoPE row or
cache offset past 32768) does not depend on rounding. The cache is judged against
model.kv_cache.long_context, calibrated at 8200 positions under the device numerics: what a card
measures at 32800 is not measured here.
"""

import pytest
import torch

from tests.model import every_position
from tests.model.test_long_context import local_attention_model
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


@pytest.fixture(scope="module", autouse=True)
def _exact_numerics(backend):
    with every_position.exact_host_numerics(backend):
        yield


FULL_PROMPT = 32800
FULL_DECODE_POSITIONS = [16383, 16384, 32767, 32768, 32769]
FULL_CHUNK = 256  # bounds the host's [16 heads, chunk, 32k keys] fp32 scores to 0.5 GB


@pytest.fixture(scope="module")
def full_long_run(build_tt, backend):
    if not backend.computes_numbers:
        pytest.skip("mock device returns zeros: this test needs numbers")
    from tt_qwen import zoo

    hf = local_attention_model(zoo.BLOCK_CONFIGS["qwen3-0.6b-1layer"])
    ids = torch.randint(0, hf.config.vocab_size, (FULL_PROMPT,), generator=torch.Generator().manual_seed(12))
    rows = [FULL_PROMPT - 1, *FULL_DECODE_POSITIONS]
    expected_logits, expected_kv = every_position.hf_prefill(hf, ids, rows=rows, chunk=FULL_CHUNK)
    tt_model = build_tt(hf, FULL_PROMPT, max_batch_size=1, prefill_chunk_size=FULL_CHUNK)
    last = tt_model.prefill(ids, last_token_only=True)
    return dict(ids=ids, tt_model=tt_model, last=last, expected=dict(zip(rows, expected_logits)), expected_kv=expected_kv)


@pytest.mark.soak
def test_qwen3_dims_prefill_past_32768_matches_hf(full_long_run):
    run = full_long_run
    assert_pcc(run["expected"][FULL_PROMPT - 1], run["last"][0], pcc_threshold("model.logits"),
               f"qwen3-0.6b-1layer prefill-seq{FULL_PROMPT}-chunk{FULL_CHUNK} last-token logits")
    every_position.assert_cache_every_position(run["expected_kv"], run["tt_model"], 0, FULL_PROMPT,
                                               pcc_threshold("model.kv_cache.long_context"), f"qwen3-0.6b-1layer prefill-seq{FULL_PROMPT}")


@pytest.mark.soak
@pytest.mark.parametrize("position", FULL_DECODE_POSITIONS, ids=[f"qwen3-0.6b-1layer-decode-pos{p}-bf16" for p in FULL_DECODE_POSITIONS])
def test_qwen3_dims_decode_past_32768_matches_hf(full_long_run, position):
    ids, tt_model = full_long_run["ids"], full_long_run["tt_model"]
    actual = tt_model.decode(ids[position: position + 1], [position])[0]
    assert_pcc(full_long_run["expected"][position], actual, pcc_threshold("model.logits"), f"decode logits at position {position}")
