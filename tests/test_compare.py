"""The one PCC implementation: properties, and the traps it must not fall into."""

import math

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from tt_qwen.compare import assert_pcc, compare, pcc

shapes = st.lists(st.integers(1, 9), min_size=1, max_size=3)
seeds = st.integers(0, 2**31 - 1)


def _randn(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@given(shapes, seeds)
def test_identical_tensors_have_pcc_one(shape, seed):
    x = _randn(shape, seed)
    assert pcc(x, x.clone()) == 1.0


@given(shapes, seeds, seeds)
def test_pcc_is_symmetric(shape, a, b):
    x, y = _randn(shape, a), _randn(shape, b)
    assert math.isclose(pcc(x, y), pcc(y, x), abs_tol=1e-12)


@given(shapes, seeds, st.floats(1e-3, 1e3), st.floats(-100, 100))
def test_pcc_ignores_positive_scale_and_offset(shape, seed, scale, offset):
    x = _randn(shape, seed)
    if torch.unique(x).numel() < 2:
        return
    assert pcc(x, x * scale + offset) == pytest.approx(1.0, abs=1e-9)
    assert pcc(x, -x) == pytest.approx(-1.0, abs=1e-9)


@given(seeds, seeds)
def test_unrelated_tensors_have_low_pcc(a, b):
    assume(a != b)
    assert abs(pcc(_randn(4096, a), _randn(4096, b))) < 0.1


@given(shapes, seeds, st.sampled_from([0.0, 1.0, -3.5]))
def test_constant_output_never_passes_a_varying_reference(shape, seed, value):
    x = _randn([*shape, 2], seed)
    constant = torch.full_like(x, value)
    result = compare(x, constant)
    assert result.pcc == 0.0 and not result.passes(0.5)
    assert "constant" in result.note


def test_all_zero_output_is_named_in_the_failure():
    with pytest.raises(AssertionError, match=r"logits: PCC 0\.000000.*actual is constant \(all zeros\).*below the PCC threshold 0\.99"):
        assert_pcc(torch.randn(64), torch.zeros(64), 0.99, "logits")


def test_equal_constants_agree_and_different_constants_do_not():
    assert pcc(torch.ones(8), torch.ones(8)) == 1.0
    assert pcc(torch.ones(8), torch.full((8,), 2.0)) == 0.0


def test_nan_in_the_output_fails():
    x = torch.randn(16)
    y = x.clone()
    y[3] = float("nan")
    result = compare(x, y)
    assert math.isnan(result.pcc) and not result.passes(0.0)
    assert "1 non-finite value(s)" in result.note


def test_matching_infinities_are_ignored_and_stray_ones_fail():
    x = torch.randn(16)
    x[0] = float("-inf")
    assert compare(x, x.clone()).pcc == 1.0
    y = x.clone()
    y[5] = float("inf")
    assert not compare(x, y).passes(0.0)


def test_low_precision_inputs_are_compared_in_float64():
    x = torch.randn(1000)
    assert pcc(x, x.to(torch.bfloat16)) > 0.9999


def test_shape_mismatch_is_an_error_not_a_pcc():
    with pytest.raises(ValueError, match=r"shapes differ, expected \(2, 3\) vs actual \(3, 2\)"):
        compare(torch.zeros(2, 3), torch.zeros(3, 2))
