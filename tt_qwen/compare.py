"""The one PCC implementation of the suite, and the error figures printed next to it.

PCC alone is a trap: numpy's corrcoef of a constant tensor is NaN, and tt-metal's `comp_pcc`
turns a masked (zero-variance) result into a pass. Here a constant or all-zero output never
passes against a reference that varies, and non-finite values are judged explicitly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Comparison:
    """PCC and error figures of `actual` against `expected`, both float64."""

    pcc: float
    max_abs_error: float
    max_rel_error: float
    numel: int
    note: str = ""

    def passes(self, threshold: float) -> bool:
        return not math.isnan(self.pcc) and self.pcc >= threshold

    def describe(self) -> str:
        text = f"PCC {self.pcc:.6f}, max abs err {self.max_abs_error:.4g}, max rel err {self.max_rel_error:.4g}"
        return f"{text} ({self.note})" if self.note else text


def compare(expected: torch.Tensor, actual: torch.Tensor) -> Comparison:
    """Compare two tensors of the same shape; never raises on bad values, only on bad shapes."""
    expected, actual = _as_float64(expected), _as_float64(actual)
    if expected.shape != actual.shape:
        raise ValueError(f"compare: shapes differ, expected {tuple(expected.shape)} vs actual {tuple(actual.shape)}")
    if expected.numel() == 0:
        raise ValueError("compare: empty tensors have no PCC")
    if torch.equal(expected, actual):  # identical (NaN never is): skip the masks, 10x faster on big caches
        return Comparison(1.0, 0.0, 0.0, expected.numel())

    finite_e, finite_a = torch.isfinite(expected), torch.isfinite(actual)
    # Non-finite values count only where both sides hold the very same value (e.g. -inf of a mask).
    same_nonfinite = ~finite_e & ~finite_a & ((expected == actual) | (expected.isnan() & actual.isnan()))
    stray = (~finite_e | ~finite_a) & ~same_nonfinite
    if stray.any():
        return Comparison(
            float("nan"), float("inf"), float("inf"), expected.numel(),
            note=f"{int(stray.sum())} non-finite value(s) not matched by the other side",
        )
    keep = finite_e & finite_a
    e, a = expected[keep], actual[keep]
    abs_err = (e - a).abs()
    max_abs = float(abs_err.max()) if abs_err.numel() else 0.0
    max_rel = float((abs_err / e.abs().clamp_min(torch.finfo(torch.float32).tiny)).max()) if abs_err.numel() else 0.0
    return Comparison(_pcc(e, a), max_abs, max_rel, expected.numel(), note=_constant_note(e, a))


def pcc(expected: torch.Tensor, actual: torch.Tensor) -> float:
    return compare(expected, actual).pcc


# Callables observer(what, comparison, threshold), told of every assert_pcc: the test session
# uses this to put every PCC it checked into its report.
observers: list = []


def assert_pcc(expected: torch.Tensor, actual: torch.Tensor, threshold: float, what: str) -> Comparison:
    """Fail with a message naming what was compared, the figures and the threshold."""
    result = compare(expected, actual)
    for observer in observers:
        observer(what, result, threshold)
    if not result.passes(threshold):
        raise AssertionError(f"{what}: {result.describe()} is below the PCC threshold {threshold}")
    return result


def _as_float64(tensor) -> torch.Tensor:
    return torch.as_tensor(tensor).detach().to(torch.float64)


def _pcc(e: torch.Tensor, a: torch.Tensor) -> float:
    if e.numel() == 0 or torch.equal(e, a):
        return 1.0  # equal (or nothing finite left and every non-finite value matched exactly)
    e_var, a_var = _is_constant(e), _is_constant(a)
    if e_var and a_var:
        return 1.0 if torch.equal(e, a) else 0.0
    if e_var or a_var:
        return 0.0  # a constant (e.g. all-zero) output cannot track a varying reference
    e = e - e.mean()
    a = a - a.mean()
    value = float((e * a).sum() / (e.norm() * a.norm()))
    return max(-1.0, min(1.0, value))


def _is_constant(t: torch.Tensor) -> bool:
    return bool((t == t.flatten()[0]).all())


def _constant_note(e: torch.Tensor, a: torch.Tensor) -> str:
    if e.numel() == 0:
        return ""
    if _is_constant(a) and not _is_constant(e):
        return "actual is constant" + (" (all zeros)" if bool((a == 0).all()) else "")
    if _is_constant(e) and not _is_constant(a):
        return "expected is constant"
    return ""
