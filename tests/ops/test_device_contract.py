"""The host device's L1 banks for a given l1_small_size, as the real 0.81.1 allocator makes them
(measured on the mock n150, where tests/mock/test_device_contract.py re-measures them each run):
the L1_SMALL region takes l1_small_size rounded up to 32 B from every L1 bank, and an
l1_small_size of 0 leaves no L1_SMALL banks at all."""

import pytest

from tt_qwen.host import device as host_device
from tt_qwen.target import N150

# l1_small_size -> (L1 bytes per bank, L1_SMALL banks, L1_SMALL bytes per bank), real 0.81.1.
L1_BANKS_BY_L1_SMALL_SIZE = {
    0: (1393312, 0, 0),
    1: (1393280, 64, 32),
    1000: (1392288, 64, 1024),
    1024: (1392288, 64, 1024),
    1025: (1392256, 64, 1056),
    24576: (1368736, 64, 24576),
}
IDS = [f"l1_small_size{size}" for size in L1_BANKS_BY_L1_SMALL_SIZE]


def l1_banks(ttnn, device) -> tuple:
    l1 = ttnn.get_memory_view(device, ttnn.BufferType.L1)
    small = ttnn.get_memory_view(device, ttnn.BufferType.L1_SMALL)
    return l1.total_bytes_per_bank, small.num_banks, small.total_bytes_per_bank


@pytest.mark.parametrize("l1_small_size", L1_BANKS_BY_L1_SMALL_SIZE, ids=IDS)
def test_host_l1_banks_are_the_real_allocators(l1_small_size):
    device = host_device.Device(0, l1_small_size=l1_small_size, trace_region_size=0, target=N150)
    assert l1_banks(host_device, device) == L1_BANKS_BY_L1_SMALL_SIZE[l1_small_size]


def test_the_old_16_byte_rounding_is_caught(monkeypatch):
    """The host's former rule (round to 16 B: 1000 -> 1008) leaves 16 B more per L1 bank than the card."""
    monkeypatch.setattr(host_device, "L1_SMALL_ALIGNMENT", 16)
    with pytest.raises(AssertionError, match="1392304"):
        test_host_l1_banks_are_the_real_allocators(1000)
