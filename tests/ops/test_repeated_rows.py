"""The host multiplies a row repeated in A once (tt_qwen/host/ops/matmul.py `_distinct_rows`): a
decode step's unused user slots repeat one row. The result must be the result of multiplying every
row, which these checks compare bit for bit, and a wrong row map must fail them."""

import pytest
import torch

from tt_qwen.host.ops import matmul as host_matmul


@pytest.fixture
def host(backend):
    if backend.name != "host":
        pytest.skip(f"checks a host backend shortcut; this run's backend is {backend.name}")
    return backend.ttnn


def _decode_like_rows(hidden: int) -> torch.Tensor:
    """32 rows as a one-user decode step has them: the user's, a repeated unused slot, NaN rows."""
    gen = torch.Generator().manual_seed(3)
    rows = torch.randn(32, hidden, generator=gen)
    rows[1:20] = rows[1]
    rows[20:] = float("nan")
    return rows.reshape(1, 1, 32, hidden)


def _linear(ttnn, device, x, w):
    tt_x = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    tt_w = ttnn.from_torch(w, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    return ttnn.to_torch(ttnn.linear(tt_x, tt_w)).float()


def _every_row_alone(monkeypatch):
    monkeypatch.setattr(host_matmul, "_distinct_rows", lambda x: (x, None))


@pytest.mark.parametrize("hidden, width", [(1024, 3072), (128, 8448)], ids=["k1024-n3072", "k128-n8448-two-column-blocks"])
def test_repeated_rows_give_what_multiplying_every_row_gives(host, device, monkeypatch, hidden, width):
    x, w = _decode_like_rows(hidden), torch.randn(hidden, width, generator=torch.Generator().manual_seed(4))
    calls = []
    real = host_matmul.numerics.matmul
    monkeypatch.setattr(host_matmul.numerics, "matmul", lambda a, b, path, **kw: calls.append(a) or real(a, b, path, **kw))
    shortcut = _linear(host, device, x, w)
    assert all(a.values.shape[-2] == 3 for a in calls), "the 32 rows hold 3 distinct ones: 3 rows multiplied"
    _every_row_alone(monkeypatch)
    full = _linear(host, device, x, w)
    assert torch.equal(shortcut.nan_to_num(7.0), full.nan_to_num(7.0)) and torch.equal(shortcut.isnan(), full.isnan())


def test_a_wrong_row_map_is_caught(host, device, monkeypatch):
    x, w = _decode_like_rows(256), torch.randn(256, 512, generator=torch.Generator().manual_seed(5))
    real = host_matmul._distinct_rows

    def shifted(rows):
        distinct, where = real(rows)
        return distinct, None if where is None else where.roll(1)

    monkeypatch.setattr(host_matmul, "_distinct_rows", shifted)
    wrong = _linear(host, device, x, w)
    _every_row_alone(monkeypatch)
    with pytest.raises(AssertionError):
        assert torch.equal(wrong.nan_to_num(7.0), _linear(host, device, x, w).nan_to_num(7.0))
