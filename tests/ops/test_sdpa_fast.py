"""The host's blocked flash attention (numerics.flash_attention: whole Q chunks at a time, K chunks
side by side, a causal block stopping at its last Q chunk's K bound as 0.81.1's sdpa_inner_loop
does) computes what the per-K-chunk loop over every query row and every key computes, bit for bit
(torch.equal), on random inputs: causal and explicit masks, chunk sizes that do and do not divide
the lengths, each datapath the plan or a step down runs.

The oracle below is the host's flash attention as it was before the blocking: one loop over K
chunks, all query rows at once, every chunk visited (a causal mask as an explicit -inf triangle),
with the same buffer formats (numerics._Buffers: float32 scores and sums under an fp32 Dst).
"""

from __future__ import annotations

import pytest
import torch

from tt_qwen.host import numerics

pytestmark = pytest.mark.op


def per_chunk_flash_attention(q, k, v, scale: float, mask, k_chunk: int, path) -> torch.Tensor:
    """Every query row against every K chunk in turn, nothing skipped (the oracle)."""
    cb = numerics._Buffers.of("sdpa", path)
    lead = q.shape[:-1] + (1,)
    row_max, row_sum = torch.full(lead, float("-inf")), torch.zeros(lead)
    out = torch.zeros(q.shape[:-1] + (v.shape[-1],))
    kt = k.transpose(-1, -2)
    for start in range(0, k.shape[-2], k_chunk):
        end = min(start + k_chunk, k.shape[-2])
        scores = cb.scores(numerics.matmul(q, kt[..., start:end], path))
        if mask is not None:
            scores = cb.scores(scores + mask[..., start:end])
        new_max = torch.maximum(row_max, numerics.round_bf16(scores.amax(-1, keepdim=True)))
        safe_max = torch.where(torch.isinf(new_max), torch.zeros_like(new_max), new_max)
        p = cb.scores(numerics.exp(cb.dst(scores - safe_max), scale, path.math_approx_mode, cb.fp32_dst))
        correction = numerics.round_bf16(numerics.exp(cb.dst(row_max - safe_max), scale, False, cb.fp32_dst))
        row_sum = cb.sums(cb.sums(row_sum * correction) + cb.sums(p.sum(-1, keepdim=True)))
        pv = numerics.round_bf16(numerics.matmul(p, v[..., start:end, :], path, tf32_x=cb.scores_fp32))
        out = numerics.round_bf16(numerics.round_bf16(out * correction) + pv)
        row_max = new_max
    return numerics.round_bf16(out * cb.sums(1.0 / row_sum))


PATHS = {"hifi2-dst16-approx": numerics.Datapath("HiFi2", False, True, False),  # the op default
         "hifi4-dst16-approx": numerics.Datapath("HiFi4", False, True, False),  # the plan's SDPA
         "lofi-dst16-exact-exp": numerics.Datapath("LoFi", False, False, False),
         "hifi4-fp32-approx": numerics.Datapath("HiFi4", True, True, False)}  # float32 scores and sums
# (heads, q rows, keys, head dim, q chunk, k chunk, causal): lengths past one host block (256
# rows), chunks that leave a short last chunk, a q chunk unlike the k chunk.
SHAPES = [(2, 300, 300, 64, 32, 32, True), (3, 200, 200, 128, 64, 128, True), (2, 96, 96, 64, 32, 64, True),
          (2, 130, 200, 64, 32, 32, False), (1, 300, 520, 64, 64, 128, False)]


def _stored(shape, seed: int) -> torch.Tensor:
    return numerics.round_bf16(torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * 2)


def _mask(rows: int, keys: int, causal: bool, seed: int):
    """The causal triangle (for the oracle), or a random additive mask with -inf holes."""
    if causal:
        return torch.full((rows, keys), float("-inf")).triu(1)
    g = torch.Generator().manual_seed(seed)
    holes = torch.rand(rows, keys, generator=g) < 0.3
    return numerics.round_bf16(torch.where(holes, float("-inf"), torch.randn(rows, keys, generator=g)))


@pytest.fixture(autouse=True)
def _device_numerics():
    with numerics.using("device"):
        yield


@pytest.mark.parametrize("path_name", list(PATHS))
@pytest.mark.parametrize("shape", SHAPES, ids=[f"{'causal' if s[6] else 'mask'}-h{s[0]}-sq{s[1]}-sk{s[2]}-hd{s[3]}-"
                                               f"qchunk{s[4]}-kchunk{s[5]}" for s in SHAPES])
def test_blocked_flash_attention_is_bit_identical_to_the_per_chunk_loop(shape, path_name):
    heads, rows, keys, head_dim, q_chunk, k_chunk, causal = shape
    q = _stored((heads, rows, head_dim), 1)
    k, v = _stored((heads, keys, head_dim), 2), _stored((heads, keys, head_dim), 3)
    mask = _mask(rows, keys, causal, 4)
    path = PATHS[path_name]
    got = numerics.flash_attention(q, k, v, 0.125, None if causal else mask, k_chunk, path, causal=causal,
                                   q_chunk=q_chunk)
    want = per_chunk_flash_attention(q, k, v, 0.125, mask, k_chunk, path)
    assert torch.equal(got, want), f"max difference {(got - want).abs().max().item()}"


def test_a_causal_block_skips_the_k_chunks_past_its_last_q_chunk():
    """The K bound of each block: 0.81.1 reads K chunks up to ceil(min(q_end, Sk) / k_chunk)."""
    blocks = list(numerics._q_blocks(600, 600, 128, 32, causal=True))
    assert blocks == [(0, 256, 256), (256, 512, 512), (512, 600, 600)]
    assert list(numerics._q_blocks(600, 600, 128, 32, causal=False))[0] == (0, 256, 600)


@pytest.mark.mutation
def test_the_oracle_comparison_fails_on_a_skip_one_chunk_too_early(monkeypatch):
    """A host that stops a causal block one K chunk early (losing its diagonal chunk) must differ."""
    original = numerics._q_blocks

    def early(*args, **kwargs):
        for first, last, keys in original(*args, **kwargs):
            yield first, last, max(32, keys - 32)

    monkeypatch.setattr(numerics, "_q_blocks", early)
    q, k, v = _stored((2, 300, 64), 1), _stored((2, 300, 64), 2), _stored((2, 300, 64), 3)
    path = PATHS["hifi4-dst16-approx"]
    got = numerics.flash_attention(q, k, v, 0.125, None, 32, path, causal=True)
    want = per_chunk_flash_attention(q, k, v, 0.125, _mask(300, 300, True, 0), 32, path)
    assert not torch.equal(got, want)
