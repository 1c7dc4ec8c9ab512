"""Prompts longer than one fill_cache call are prefilled in chunks on the full-prefill path."""

import pytest

from tests.model import checks
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


@pytest.mark.parametrize("length", [64, 100, 161], ids=["prefill-seq64-chunk32", "prefill-seq100-chunk32", "prefill-seq161-chunk32"])
def test_chunked_prefill_matches_hf(build_tt, hf_model, needs_numbers, length):
    tt_model = build_tt(hf_model, 256, prefill_chunk_size=32)
    checks.check_prefill_logits(tt_model, hf_model, checks.prompt(hf_model, length))


def test_chunked_and_single_prefill_fill_the_same_cache(build_tt, hf_model, needs_numbers):
    ids = checks.prompt(hf_model, 90)
    single = build_tt(hf_model, 256)
    chunked = build_tt(hf_model, 256, prefill_chunk_size=32)
    single.prefill(ids, last_token_only=True)
    chunked.prefill(ids, last_token_only=True)
    for index in range(len(single.layers)):
        for name, a, b in zip("KV", single.kv_cache.to_torch(index), chunked.kv_cache.to_torch(index)):
            assert_pcc(a[0, :, :90], b[0, :, :90], pcc_threshold("model.kv_cache"), f"layer {index} {name} cache, chunked vs single")

