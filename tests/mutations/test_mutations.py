"""Each family of accuracy checks, run against a deliberately broken model, must fail.

A check that passes whatever the model does proves nothing. Every mutation below breaks one
thing a bring-up gets wrong in practice; the check of its family must raise, and the same check
must pass on the intact model (the control), so the failure is the mutation's doing.
"""

from __future__ import annotations

import pytest

from tests.model import checks
from tests.mutations.catalog import MUTANTS
from tt_qwen import build_model, zoo

MODEL = "tiny-gqa2"


@pytest.fixture(scope="module")
def hf_tiny():
    return zoo.load_hf_model(zoo.resolve(MODEL)[0])


# The mutations are the catalog's (tests/mutations/mutants_*.py); each patches through monkeypatch.
interleaved_rope = MUTANTS["interleaved-rope"].apply
missing_qk_norm = MUTANTS["missing-qk-norm"].apply
swapped_heads = MUTANTS["swapped-heads"].apply
cache_written_one_late = MUTANTS["cache-written-one-late"].apply
stale_cache = MUTANTS["stale-cache"].apply
broken_layer_1 = MUTANTS["broken-layer-1"].apply


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


def chunked_family(model, hf):
    from tests.model.test_chunked_prefill import check_chunked_prefill

    check_chunked_prefill(model, hf, 130, "prefill-seq130-chunk32")


@pytest.mark.parametrize("mutant", ["chunk-mask-sees-next-key", "fill-cache-later-chunks-one-tile-early"],
                         ids=["chunked-catch-chunk-mask-sees-next-key", "chunked-catch-fill-cache-later-chunks-one-tile-early"])
def test_chunked_family_fails_on_a_later_chunk_bug(mutant, hf_tiny, backend, needs_numbers, monkeypatch):
    """A bug of later chunks only, small at each position: the per-position check names one."""
    MUTANTS[mutant].apply(monkeypatch, backend.ttnn)
    model = build_model(hf_tiny, backend.device, 160, prefill_chunk_size=32)
    with pytest.raises(AssertionError, match=r"prefill-seq130-chunk32.*at position (3[2-9]|[4-9]\d|1[0-2]\d) \(first failing"):
        chunked_family(model, hf_tiny)


def test_chunked_family_passes_on_the_intact_model(hf_tiny, backend, needs_numbers):
    chunked_family(build_model(hf_tiny, backend.device, 160, prefill_chunk_size=32), hf_tiny)
