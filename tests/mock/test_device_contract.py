"""The real 0.81.1 allocator's L1 banks for each l1_small_size of tests/ops/test_device_contract.py,
on the mock n150, beside the host device opened with the same value."""

import pytest

from tests.ops.test_device_contract import IDS, L1_BANKS_BY_L1_SMALL_SIZE, l1_banks


@pytest.mark.parametrize("device_params", [{"l1_small_size": size} for size in L1_BANKS_BY_L1_SMALL_SIZE],
                         ids=IDS, indirect=True)
def test_real_l1_banks_are_the_hosts(ttnn, device, device_params, host_backend):
    host, _ = host_backend
    size = device_params["l1_small_size"]
    real = l1_banks(ttnn, device)
    ours = l1_banks(host, host.Device(0, l1_small_size=size, trace_region_size=0))
    assert real == L1_BANKS_BY_L1_SMALL_SIZE[size], f"the real allocator moved: {real}"
    assert ours == real, f"host {ours} vs real ttnn {real}"
