"""Long context: a prompt prefilled in default-size chunks up to past position 8192, and decode
on both sides of the 2048, 4096 and 8192 boundaries (tile and power-of-two edges of the RoPE
table, the cache and the attention loops), against HF float32, position by position.

A random model attends almost uniformly over thousands of keys, so losing a few of them moves
its logits by less than bf16 noise. The model here attends like the local heads of a trained LM:
each query head is its KV head's own projection (q == k before RoPE) with sharpened q/k norms,
so a token attends most to itself and its recent past, and RoPE's relative position decides
how much. A key dropped, a wrong position or a wrong RoPE row then shows in that position's
logits and in the next layer's cache.

The slow tier runs the one-layer Qwen3-0.6B-dims model (the same local heads) past 32768.
On the host backend the module runs its exact numerics (every_position.exact_host_numerics).
"""

import pytest
import torch

from tests.model import every_position
from tt_qwen.compare import assert_pcc
from tt_qwen.model.causal_lm import DEFAULT_PREFILL_CHUNK
from tt_qwen.thresholds import pcc_threshold

PROMPT = 8200  # five default chunks: the last starts at 8192
BOUNDARIES = [2048, 4096, 8192]
DECODE_POSITIONS = [p + d for p in BOUNDARIES for d in (-1, 0, 1)]
LOCAL_HEADS = dict(hidden_size=64, num_attention_heads=2, num_key_value_heads=1, head_dim=64, intermediate_size=128,
                   num_hidden_layers=2, vocab_size=256, max_position_embeddings=40960)
SHARPNESS = 1.2  # q/k norm gain: a token's score with its own key is 1.2^2 * sqrt(64) ~ 11.5


def local_attention_model(config: dict, seed: int = 0):
    """A seeded Qwen3 whose query heads read their KV head's key projection (see the module doc)."""
    from transformers import Qwen3Config, Qwen3ForCausalLM

    from tt_qwen import zoo

    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(Qwen3Config(**{**zoo.TINY_COMMON, **config})).to(torch.float32).eval()
    zoo._randomize_norm_weights(model, seed)
    with torch.no_grad():
        for layer in model.model.layers:
            attn = layer.self_attn
            heads = config["num_attention_heads"]
            keys = attn.k_proj.weight.reshape(config["num_key_value_heads"], config["head_dim"], -1)
            attn.q_proj.weight.copy_(keys.repeat_interleave(heads // config["num_key_value_heads"], dim=0).reshape(attn.q_proj.weight.shape))
            attn.k_norm.weight.mul_(SHARPNESS)
            attn.q_norm.weight.copy_(attn.k_norm.weight)
    return model


@pytest.fixture(scope="module", autouse=True)
def _exact_numerics(backend):
    with every_position.exact_host_numerics(backend):
        yield


@pytest.fixture(scope="module")
def long_run(build_tt, backend):
    """One chunked prefill of PROMPT tokens on a one-user cache, and HF's logits and cache."""
    if not backend.computes_numbers:
        pytest.skip("mock device returns zeros: this test needs numbers")
    hf = local_attention_model(LOCAL_HEADS)
    ids = torch.randint(0, LOCAL_HEADS["vocab_size"], (PROMPT,), generator=torch.Generator().manual_seed(11))
    expected_logits, expected_kv = every_position.hf_prefill(hf, ids, chunk=DEFAULT_PREFILL_CHUNK)
    tt_model = build_tt(hf, PROMPT, max_batch_size=1)
    logits = tt_model.prefill(ids)
    return dict(ids=ids, tt_model=tt_model, logits=logits, expected_logits=expected_logits, expected_kv=expected_kv)


def test_long_prefill_logits_match_hf_at_every_position(long_run):
    every_position.assert_every_row(long_run["expected_logits"], long_run["logits"], pcc_threshold("model.logits"),
                                    f"prefill-seq{PROMPT}-chunk{DEFAULT_PREFILL_CHUNK} logits")


def test_long_prefill_cache_matches_hf_at_every_position(long_run):
    every_position.assert_cache_every_position(long_run["expected_kv"], long_run["tt_model"], 0, PROMPT,
                                               pcc_threshold("model.kv_cache"), f"prefill-seq{PROMPT}")


@pytest.mark.parametrize("position", DECODE_POSITIONS, ids=[f"decode-pos{p}-bf16" for p in DECODE_POSITIONS])
def test_decode_matches_hf_around_long_boundaries(long_run, position):
    """Decode the prompt's own token at `position` on the prefilled cache: HF's logits there."""
    ids, tt_model = long_run["ids"], long_run["tt_model"]
    actual = tt_model.decode(ids[position: position + 1], [position])[0]
    assert_pcc(long_run["expected_logits"][position], actual, pcc_threshold("model.logits"), f"decode logits at position {position}")


# ---- slow tier: one layer at the exact Qwen3-0.6B dimensions, past 32768 -------------------------

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


@pytest.mark.slow
def test_qwen3_dims_prefill_past_32768_matches_hf(full_long_run):
    run = full_long_run
    assert_pcc(run["expected"][FULL_PROMPT - 1], run["last"][0], pcc_threshold("model.logits"),
               f"qwen3-0.6b-1layer prefill-seq{FULL_PROMPT}-chunk{FULL_CHUNK} last-token logits")
    every_position.assert_cache_every_position(run["expected_kv"], run["tt_model"], 0, FULL_PROMPT,
                                               pcc_threshold("model.kv_cache"), f"qwen3-0.6b-1layer prefill-seq{FULL_PROMPT}")


@pytest.mark.slow
@pytest.mark.parametrize("position", FULL_DECODE_POSITIONS, ids=[f"qwen3-0.6b-1layer-decode-pos{p}-bf16" for p in FULL_DECODE_POSITIONS])
def test_qwen3_dims_decode_past_32768_matches_hf(full_long_run, position):
    ids, tt_model = full_long_run["ids"], full_long_run["tt_model"]
    actual = tt_model.decode(ids[position: position + 1], [position])[0]
    assert_pcc(full_long_run["expected"][position], actual, pcc_threshold("model.logits"), f"decode logits at position {position}")
