"""from_torch / to_torch round trips (host and device), to_layout, to_memory_config, typecast.

Host-only round trips never touch the device, so they compare values on every backend (the mock's
host conversions are the real ttnn code); everything that goes through the device needs numbers.
"""

import pytest
import torch

from tests.ops.cases import cases_for, to_dev
from tests.ops.helpers import check_numbers, check_specs, params, skip_without_numbers

CASES = cases_for("core")


@pytest.mark.parametrize("case", params(CASES))
def test_core_matches_reference(case, backend, ttnn, device):
    skip_without_numbers(case, backend)
    check_numbers(case, ttnn, device)


@pytest.mark.parametrize("case", params(CASES))
def test_core_output_spec(case, ttnn, device):
    check_specs(case, ttnn, device)


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
