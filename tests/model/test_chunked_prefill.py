"""Prompts longer than one chunk, checked where a chunking bug leaves its trace: the logits at
every position and every layer's KV cache at every position, against HF float32.

A later chunk whose mask, RoPE offset or cache offset is off changes only the positions of
that chunk, often by a little: a PCC over the whole sequence passes it, a per-position check
does not. Lengths are never chunk multiples, and each chunk size also gets "one over a chunk".
The default chunk (2048) is covered by tests/model/test_long_context.py (five default chunks).
Everything here runs the host's device numerics (the n150 datapath model), as CI computes it.
"""

import pytest

from tests.model import checks, every_position
from tt_qwen import zoo
from tt_qwen.thresholds import pcc_threshold

MATRIX_MODEL = "tiny-gqa2"  # Qwen3-0.6B in miniature (GQA 2, q width != hidden)
CHUNKS = [32, 64, 128]
LENGTHS = [33, 95, 130, 300]
MAX_SEQ_LEN = 320


def _matrix():
    """(chunk, length) for prompts of more than one chunk: the listed lengths and chunk + 1."""
    return [(chunk, length) for chunk in CHUNKS for length in sorted({chunk + 1, *(n for n in LENGTHS if n > chunk)})]


MATRIX = _matrix()
BOUNDARY_CHUNKS = [32, 128]
BOUNDARIES = [(chunk, chunk + d) for chunk in BOUNDARY_CHUNKS for d in (-1, 0, 1)]


@pytest.fixture(scope="module")
def matrix_hf():
    return zoo.load_hf_model(zoo.resolve(MATRIX_MODEL)[0])


def check_chunked_prefill(tt_model, hf_model, length: int, what: str):
    """One chunked prefill: logits at every position, then K and V of every layer at every position."""
    ids = checks.prompt(hf_model, length, seed=length)
    expected_logits, expected_kv = every_position.hf_prefill(hf_model, ids)
    logits = tt_model.prefill(ids, user=1)
    every_position.assert_every_row(expected_logits, logits, pcc_threshold("model.logits"), f"{what} logits")
    every_position.assert_cache_every_position(expected_kv, tt_model, 1, length, pcc_threshold("model.kv_cache"), what)


@pytest.mark.parametrize("chunk, length", MATRIX, ids=[f"{MATRIX_MODEL}-prefill-seq{n}-chunk{c}" for c, n in MATRIX])
def test_chunked_prefill_matches_hf_at_every_position(build_tt, matrix_hf, needs_numbers, chunk, length):
    tt_model = build_tt(matrix_hf, MAX_SEQ_LEN, prefill_chunk_size=chunk)
    check_chunked_prefill(tt_model, matrix_hf, length, f"prefill-seq{length}-chunk{chunk}")


def test_chunked_prefill_matches_hf_on_every_model(build_tt, hf_model, needs_numbers):
    """One three-chunk prompt on each model of the session (the matrix runs on one)."""
    tt_model = build_tt(hf_model, MAX_SEQ_LEN, prefill_chunk_size=64)
    check_chunked_prefill(tt_model, hf_model, 130, "prefill-seq130-chunk64")


@pytest.mark.parametrize("chunk, position", BOUNDARIES, ids=[f"{MATRIX_MODEL}-decode-pos{p}-chunk{c}" for c, p in BOUNDARIES])
def test_prefill_equals_decode_at_chunk_boundaries(build_tt, matrix_hf, needs_numbers, chunk, position):
    """A decode right after a prompt that ends on, before or after a chunk edge equals the
    chunked prefill's logits at that position."""
    tt_model = build_tt(matrix_hf, MAX_SEQ_LEN, prefill_chunk_size=chunk)
    checks.check_prefill_vs_decode(tt_model, checks.prompt(matrix_hf, position + 1), position)
