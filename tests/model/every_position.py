"""Checks that look at every position, not at a whole sequence at once.

A bug confined to a few positions (a later prefill chunk, positions past a RoPE table
boundary) moves a PCC taken over a whole [S, vocab] tensor by a hair: it passes. Here each
position (each cache row) is judged on its own and the failure names the first bad one.

The HF reference runs in chunks with its own KV cache, so prompts of 8k tokens (32k in the soak
tier) never materialise an S x S attention matrix.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from transformers import DynamicCache

from tt_qwen.compare import assert_pcc, compare
from tt_qwen.hf_compat import cache_kwargs

HF_CHUNK = 512


@contextmanager
def exact_host_numerics(backend):
    """The host backend's exact numerics (--numerics exact) for a positional check too long for the
    host's model of the n150 datapath (which rounds every 16-deep step of every matmul into a bf16
    Dst): the slow tier's 32800-token prefill. What such a check looks for (a wrong key, position,
    RoPE row or cache offset) does not depend on the rounding, which tests/model/test_long_context.py
    (8200 tokens, device numerics), tests/model/test_logits.py and the op tier judge. Other
    backends run as they are."""
    if backend.name != "host":
        yield
        return
    from tt_qwen.host import numerics

    with numerics.using("exact"):
        yield


@torch.no_grad()
def hf_prefill(hf_model, ids: torch.Tensor, rows=None, chunk: int = HF_CHUNK):
    """HF float32 in chunks: (logits [len(rows), vocab] at `rows`, in that order (default every position),
    per layer (K, V) [n_kv, S, head_dim]). Only the wanted rows go through the LM head."""
    rows = list(range(len(ids))) if rows is None else list(rows)
    cache = DynamicCache(config=hf_model.config)
    picked = {}
    for start in range(0, len(ids), chunk):
        hidden = hf_model.model(ids[start: start + chunk].reshape(1, -1), use_cache=True, **cache_kwargs(cache))[0][0]
        wanted = sorted({r for r in rows if start <= r < start + chunk})
        if wanted:
            picked.update(zip(wanted, hf_model.lm_head(hidden[[r - start for r in wanted]]).float()))
    kv = [(layer.keys[0].float(), layer.values[0].float()) for layer in cache.layers]
    return torch.stack([picked[r] for r in rows]), kv


def rows_to_judge(expected: torch.Tensor, actual: torch.Tensor, threshold: float, worst: int = 4) -> list[int]:
    """The rows worth judging, in order: a vectorised per-row correlation screens thousands of
    rows at once (it only orders them; tt_qwen.compare gives every verdict), and any row near or
    under the threshold, or not finite, or constant, is kept with the `worst` lowest."""
    e = expected.to(torch.float64).reshape(len(expected), -1)
    a = actual.to(torch.float64).reshape(len(actual), -1)
    e, a = e - e.mean(dim=1, keepdim=True), a - a.mean(dim=1, keepdim=True)
    screened = (e * a).sum(dim=1) / (e.norm(dim=1) * a.norm(dim=1))
    screened = torch.nan_to_num(screened, nan=-2.0, posinf=-2.0, neginf=-2.0)
    near = (screened < threshold + 0.5 * (1 - threshold)).nonzero().flatten().tolist()
    lowest = screened.argsort()[:worst].tolist()
    return sorted(set(near)) + [i for i in lowest if i not in near]


def assert_every_row(expected, actual, threshold: float, what: str, positions=None):
    """Every row of `actual` [R, W] must pass against `expected`; the failure names the first
    failing row's position (positions[i], default i) and the figures. The worst row's PCC is
    the one recorded in the session report."""
    positions = list(range(len(expected))) if positions is None else list(positions)
    assert len(positions) == len(expected) == len(actual), f"{what}: {len(expected)} expected rows, {len(actual)} actual, {len(positions)} positions"
    judged = {i: compare(expected[i], actual[i]) for i in rows_to_judge(expected, actual, threshold)}
    failing = [i for i, result in judged.items() if not result.passes(threshold)]
    index = min(failing) if failing else min(judged, key=lambda i: judged[i].pcc)
    label = f"first failing of {len(positions)}, {len(failing)} failing" if failing else f"worst of {len(positions)}"
    return assert_pcc(expected[index], actual[index], threshold, f"{what} at position {positions[index]} ({label})")


def assert_cache_every_position(expected_kv, tt_model, user: int, length: int, threshold: float, what: str):
    """Each layer's K and V at every position 0..length-1 (all heads of a position together)."""
    for index, (keys, values) in enumerate(expected_kv):
        tt_keys, tt_values = tt_model.kv_cache.to_torch(index)
        for name, e, a in (("K", keys, tt_keys), ("V", values, tt_values)):
            per_position = e[:, :length].transpose(0, 1).reshape(length, -1)
            actual = a[user, :, :length].transpose(0, 1).reshape(length, -1)
            assert_every_row(per_position, actual, threshold, f"{what}: layer {index} {name} cache")
