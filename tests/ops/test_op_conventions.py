"""What the op cases cannot say as data: conventions of the ttnn API the model relies on (dtypes
to_torch returns, where padding shows, how a binding converts its arguments)."""

import pytest
import torch

from tests.ops.cases.base import to_dev


def test_tile_padding_is_visible_in_padded_shape_only(ttnn):
    """[1, 7, 100] in TILE: padded [1, 32, 128], logical and to_torch stay [1, 7, 100]."""
    x = torch.randn(1, 7, 100).to(torch.bfloat16)
    t = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    assert tuple(t.shape) == (1, 7, 100)
    assert tuple(t.padded_shape) == (1, 32, 128)
    back = ttnn.to_torch(t)
    assert back.dtype == torch.bfloat16 and torch.equal(back, x)


def test_to_torch_of_bfloat16_gives_torch_bfloat16(ttnn):
    t = ttnn.from_torch(torch.ones(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    assert ttnn.to_torch(t).dtype == torch.bfloat16


@pytest.mark.parametrize("layout", ["ROW_MAJOR", "TILE"])
def test_uint32_ids_round_trip_beyond_bfloat16_range(layout, ttnn, device, needs_numbers):
    """Token ids up to 151935 must survive the device: a bf16 id could not represent them."""
    ids = torch.tensor([[0, 1, 255, 256, 257, 65535, 65536, 65537, 100003, 151935] * 3 + [7, 8]], dtype=torch.int32)
    t = to_dev(ttnn, device, ids, dtype="uint32", layout=layout)
    assert torch.equal(ttnn.to_torch(t).to(torch.int64), ids.to(torch.int64))


def test_sdpa_decode_cur_pos_list_cannot_hold_minus_one(ttnn, device):
    """In 0.81.1 `cur_pos` binds as a sequence of unsigned ints: skipping a user with -1 works only
    through `cur_pos_tensor` (int32). The real binding rejects a list holding -1 with TypeError
    (measured on the mock n150), so a model passing one would break on the card."""
    q = to_dev(ttnn, device, torch.zeros(1, 2, 16, 128, dtype=torch.bfloat16))
    k = to_dev(ttnn, device, torch.zeros(2, 8, 64, 128, dtype=torch.bfloat16))
    v = to_dev(ttnn, device, torch.zeros(2, 8, 64, 128, dtype=torch.bfloat16))
    with pytest.raises(TypeError):
        ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=[-1, 3])
