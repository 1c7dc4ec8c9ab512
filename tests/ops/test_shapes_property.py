"""Property tests over the valid shape spaces (hypothesis; the `ci` profile bounds the examples).

Small shapes only: every example runs an op. The references are the same torch code as the op cases (tests/ops/cases/base.py).
"""

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.ops.cases.base import ref_rms_norm, ref_rope, rope_tables, tile_padded, to_dev
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


def _bf16(gen_seed: int, shape, scale=1.0):
    gen = torch.Generator().manual_seed(gen_seed)
    return (torch.randn(shape, generator=gen) * scale).to(torch.bfloat16)


@given(m=st.integers(1, 80), k=st.integers(1, 200), n=st.integers(1, 200), seed=st.integers(0, 2**16))
def test_linear_any_m_k_n(m, k, n, seed, ttnn, device, needs_numbers):
    """Tile padding of M, K and N (multiples of 32 or not) never leaks into the logical result."""
    assume(m * n >= 16)  # a PCC needs a few values
    x, w = _bf16(seed, (1, 1, m, k)), _bf16(seed + 1, (k, n), scale=k ** -0.5)
    out = ttnn.linear(to_dev(ttnn, device, x), to_dev(ttnn, device, w))
    assert tuple(out.shape) == (1, 1, m, n)
    expected = x.double() @ w.double()
    assert_pcc(expected, ttnn.to_torch(out), pcc_threshold("op.linear"), what=f"linear m{m} k{k} n{n}")


@given(rows=st.integers(1, 64), width_tiles=st.integers(1, 48), seed=st.integers(0, 2**16))
def test_rms_norm_any_rows_and_tile_widths(rows, width_tiles, seed, ttnn, device, needs_numbers):
    width = 32 * width_tiles
    x, w = _bf16(seed, (1, 1, rows, width)), (1 + 0.1 * _bf16(seed + 1, (width,)).float()).to(torch.bfloat16)
    out = ttnn.rms_norm(to_dev(ttnn, device, x), epsilon=1e-6, weight=to_dev(ttnn, device, w.reshape(1, 1, 1, width)))
    assert tuple(out.shape) == (1, 1, rows, width)
    assert_pcc(ref_rms_norm(x, w, 1e-6), ttnn.to_torch(out), pcc_threshold("op.rms_norm"),
               what=f"rms_norm rows{rows} width{width}")


@given(seq=st.integers(1, 300), heads=st.integers(1, 4), head_dim=st.sampled_from([64, 128]),
       seed=st.integers(0, 2**16))
def test_rotary_any_seq_len(seq, heads, head_dim, seed, ttnn, device, needs_numbers):
    """Prefill rotary for any length up to the 320-row table; only the logical rows are compared
    (the real op pads the sequence of its output to 32)."""
    cos, sin = rope_tables(320, head_dim)
    x = _bf16(seed, (1, heads, seq, head_dim))
    out = ttnn.experimental.rotary_embedding(to_dev(ttnn, device, x), to_dev(ttnn, device, cos),
                                             to_dev(ttnn, device, sin))
    got = ttnn.to_torch(out)[..., :seq, :]
    assert_pcc(ref_rope(x, cos[..., :seq, :], sin[..., :seq, :]), got, pcc_threshold("op.rotary_embedding"),
               what=f"rotary seq{seq} heads{heads} hd{head_dim}")


shapes = st.lists(st.integers(1, 70), min_size=1, max_size=4)


@given(shape=shapes, dtype=st.sampled_from(["bfloat16", "float32"]), layout=st.sampled_from(["TILE", "ROW_MAJOR"]),
       seed=st.integers(0, 2**16))
def test_host_round_trip_any_shape(shape, dtype, layout, seed, ttnn):
    """from_torch -> to_torch is exact for bf16 and f32 in both layouts, any shape (host tensors)."""
    torch_dtype = torch.bfloat16 if dtype == "bfloat16" else torch.float32
    x = _bf16(seed, tuple(shape)).to(torch_dtype)
    if dtype == "float32":
        x = x + torch.randn(x.shape, generator=torch.Generator().manual_seed(seed)) * 1e-3  # use all f32 bits
    t = ttnn.from_torch(x, dtype=getattr(ttnn, dtype),
                        layout=ttnn.TILE_LAYOUT if layout == "TILE" else ttnn.ROW_MAJOR_LAYOUT)
    assert tuple(t.shape) == tuple(shape)
    if layout == "TILE":
        assert tuple(t.padded_shape) == tile_padded(shape)
    back = ttnn.to_torch(t)
    assert back.dtype == torch_dtype and torch.equal(back, x)


@given(shape=st.lists(st.integers(1, 70), min_size=2, max_size=4), seed=st.integers(0, 2**16))
def test_device_round_trip_any_shape(shape, seed, ttnn, device, needs_numbers):
    x = _bf16(seed, tuple(shape))
    t = to_dev(ttnn, device, x)
    assert torch.equal(ttnn.to_torch(t), x)


@pytest.mark.parametrize("dtype", ["bfloat8_b", "bfloat4_b"])
@given(rows=st.integers(1, 64), cols=st.integers(1, 96), seed=st.integers(0, 2**16))
def test_block_float_round_trip_is_idempotent(dtype, rows, cols, seed, ttnn):
    """A block-float tensor converted back and again is unchanged (quantisation is a projection)."""
    x = _bf16(seed, (rows, cols)).float()
    once = ttnn.to_torch(ttnn.from_torch(x, dtype=getattr(ttnn, dtype), layout=ttnn.TILE_LAYOUT)).float()
    twice = ttnn.to_torch(ttnn.from_torch(once, dtype=getattr(ttnn, dtype), layout=ttnn.TILE_LAYOUT)).float()
    assert tuple(once.shape) == (rows, cols)
    assert torch.equal(once, twice)
