"""Each family of accuracy checks, run against a deliberately broken model, must fail.

A check that passes whatever the model does proves nothing. Every mutation below breaks one
thing a bring-up gets wrong in practice; the check of its family must raise, and the same check
must pass on the intact model (the control), so the failure is the mutation's doing.
"""

from __future__ import annotations

import pytest
import torch

from tests.model import checks
from tt_qwen import build_model, zoo
from tt_qwen.model import attention as attention_module
from tt_qwen.model import decoder as decoder_module
from tt_qwen.model import rope as rope_module

MODEL = "tiny-gqa2"


@pytest.fixture(scope="module")
def hf_tiny():
    return zoo.load_hf_model(zoo.resolve(MODEL)[0])


# ---- the mutations: each patches the model (or the ops it calls) through monkeypatch ------

def interleaved_rope(monkeypatch, ttnn):
    """GPT-J style pairs (cos repeated per pair) instead of HF's rotate-half halves."""
    original = rope_module.rope_tables

    def tables(head_dim, theta, length):
        cos, sin = original(head_dim, theta, length)
        half = head_dim // 2
        return cos[:, :half].repeat_interleave(2, dim=-1), sin[:, :half].repeat_interleave(2, dim=-1)

    monkeypatch.setattr(rope_module, "rope_tables", tables)


def missing_qk_norm(monkeypatch, ttnn):
    real_norm = attention_module.RMSNorm

    def norm(loader, name, weight, eps):
        return (lambda x: x) if name.endswith(("q_norm", "k_norm")) else real_norm(loader, name, weight, eps)

    monkeypatch.setattr(attention_module, "RMSNorm", norm)


def swapped_heads(monkeypatch, ttnn):
    """Heads 0 and 1 change places before they are concatenated."""
    real = ttnn.experimental.nlp_concat_heads

    def concat(x, **kwargs):
        heads = ttnn.to_torch(x)
        heads[:, [0, 1]] = heads[:, [1, 0]]
        return real(ttnn.from_torch(heads, dtype=x.dtype, layout=x.layout, device=x.device()), **kwargs)

    monkeypatch.setattr(ttnn.experimental, "nlp_concat_heads", concat)


def cache_written_one_late(monkeypatch, ttnn):
    """Decode writes K/V one position after the token's own."""
    real = ttnn.experimental.paged_update_cache

    def update(cache, x, *, update_idxs_tensor, **kwargs):
        shifted = ttnn.to_torch(update_idxs_tensor).to(torch.int64)
        shifted = torch.where(shifted >= 0, shifted + 1, shifted)
        moved = ttnn.from_torch(shifted.to(torch.int32), dtype=ttnn.int32, device=cache.device())
        return real(cache, x, update_idxs_tensor=moved, **kwargs)

    monkeypatch.setattr(ttnn.experimental, "paged_update_cache", update)


def stale_cache(monkeypatch, ttnn):
    """Prefill never writes the cache: decode attends to whatever an earlier sequence left."""
    monkeypatch.setattr(ttnn, "fill_cache", lambda cache, x, batch_idx, **kwargs: cache)


def broken_layer_1(monkeypatch, ttnn):
    """Layer 1 (and only it) adds half of its attention output to the residual stream."""
    real_finish = decoder_module.DecoderLayer._finish

    def finish(self, x, attn):
        return real_finish(self, x, ttnn.mul(attn, 0.5) if self.index == 1 else attn)

    monkeypatch.setattr(decoder_module.DecoderLayer, "_finish", finish)


# ---- the families ----------------------------------------------------------------------------

def logits_family(model, hf):
    checks.check_prefill_logits(model, hf, checks.prompt(hf, 40))


def decode_family(model, hf):
    checks.check_decode_logits(model, hf, checks.prompt(hf, 40), prompt_len=30)


def kv_cache_family(model, hf):
    model.prefill(checks.prompt(hf, 60, seed=9), last_token_only=True)  # an earlier sequence
    checks.check_kv_cache(model, hf, checks.prompt(hf, 40))


def per_layer_family(model, hf):
    checks.check_layer_outputs(model, hf, checks.prompt(hf, 40))


CASES = [
    ("logits-catch-interleaved-rope", interleaved_rope, logits_family, "prefill logits"),
    ("logits-catch-missing-qk-norm", missing_qk_norm, logits_family, "prefill logits"),
    ("logits-catch-swapped-heads", swapped_heads, logits_family, "prefill logits"),
    ("decode-catch-cache-written-one-late", cache_written_one_late, decode_family, "decode logits at position"),
    ("kv-cache-catch-stale-cache", stale_cache, kv_cache_family, "layer 0 K cache"),
    ("per-layer-catch-broken-layer-1", broken_layer_1, per_layer_family, "after layer 1"),
]


@pytest.mark.parametrize("mutate, family, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_family_fails_on_the_broken_model(mutate, family, message, hf_tiny, backend, needs_numbers, monkeypatch):
    mutate(monkeypatch, backend.ttnn)
    model = build_model(hf_tiny, backend.device, 128)
    with pytest.raises(AssertionError, match=message):
        family(model, hf_tiny)


@pytest.mark.parametrize("family", [logits_family, decode_family, kv_cache_family, per_layer_family],
                         ids=["logits-control", "decode-control", "kv-cache-control", "per-layer-control"])
def test_family_passes_on_the_intact_model(family, hf_tiny, backend, needs_numbers):
    family(build_model(hf_tiny, backend.device, 128), hf_tiny)


@pytest.fixture(scope="module")
def hf_trained():
    return zoo.load_hf_model(zoo.resolve("tiny-trained")[0])


def teacher_forcing_family(model, hf, tmp_path):
    from tests.e2e.test_teacher_forcing import teacher_forcing_scores
    from tt_qwen.checkpoints import held_out_ids
    from tt_qwen.thresholds import accuracy_floor

    scores = teacher_forcing_scores(model, hf, zoo.resolve("tiny-trained")[0], held_out_ids(96, seed=3), tmp_path)
    floor = accuracy_floor("tiny-trained", "top1")
    assert scores["top1"] >= floor, f"teacher forcing top1 {scores['top1']:.3f} below the floor {floor}"


@pytest.mark.parametrize("mutate", [interleaved_rope, missing_qk_norm], ids=["teacher-forcing-catch-interleaved-rope", "teacher-forcing-catch-missing-qk-norm"])
def test_teacher_forcing_fails_on_the_broken_model(mutate, hf_trained, backend, needs_numbers, monkeypatch, tmp_path):
    mutate(monkeypatch, backend.ttnn)
    model = build_model(hf_trained, backend.device, 256)
    with pytest.raises(AssertionError, match="teacher forcing top1"):
        teacher_forcing_family(model, hf_trained, tmp_path)


def test_teacher_forcing_passes_on_the_intact_model(hf_trained, backend, needs_numbers, tmp_path):
    teacher_forcing_family(build_model(hf_trained, backend.device, 256), hf_trained, tmp_path)
