"""Long context: a prompt prefilled in default-size chunks up to past position 8192, and decode
on both sides of the 2048, 4096 and 8192 boundaries (tile and power-of-two edges of the RoPE
table, the cache and the attention loops), against HF float32, position by position.

A random model attends almost uniformly over thousands of keys, so losing a few of them moves
its logits by less than bf16 noise. The model here attends like the local heads of a trained LM:
each query head is its KV head's own projection (q == k before RoPE) with sharpened q/k norms,
so a token attends most to itself and its recent past, and RoPE's relative position decides
how much. A key dropped, a wrong position or a wrong RoPE row then shows in that position's
logits and in the next layer's cache.

The 8200-token run computes under the host's device numerics, as a card would: an SDPA with a
16-bit Dst keeps its running softmax sum in bf16, and over hundreds of K chunks the cached rows
drift below model.kv_cache's figure, so the cache is judged against model.kv_cache.long_context.
The soak tier's one-layer Qwen3-0.6B-dims model past 32768 is tests/model/test_long_context_32k.py.
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
                                               pcc_threshold("model.kv_cache.long_context"), f"prefill-seq{PROMPT}")


@pytest.mark.parametrize("position", DECODE_POSITIONS, ids=[f"decode-pos{p}-bf16" for p in DECODE_POSITIONS])
def test_decode_matches_hf_around_long_boundaries(long_run, position):
    """Decode the prompt's own token at `position` on the prefilled cache: HF's logits there."""
    ids, tt_model = long_run["ids"], long_run["tt_model"]
    actual = tt_model.decode(ids[position: position + 1], [position])[0]
    assert_pcc(long_run["expected_logits"][position], actual, pcc_threshold("model.logits"), f"decode logits at position {position}")
