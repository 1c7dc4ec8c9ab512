"""tt-metal's device_params on the real ttnn 0.81.1 (mock n150): the trace region the suite opens
with is carved out of the real allocator's DRAM banks (the host backend models the same formula:
tests/runner/test_runner_config.py), a test's own
device_params reopen the device, and a key 0.81.1 does not take is named in one line."""

import math

import pytest

from tt_qwen import runner
from tt_qwen.target import N150


def _dram_bank(ttnn, device) -> int:
    return ttnn.get_memory_view(device, ttnn.BufferType.DRAM).total_bytes_per_bank


def _expected_dram_bank(trace_region_size: int) -> int:
    return N150.dram_bank_bytes - math.ceil(math.ceil(trace_region_size / N150.dram_banks) / 8192) * 8192


def test_session_device_has_the_default_trace_region(ttnn, device, backend):
    assert backend.device_params == runner.DEFAULT_DEVICE_PARAMS
    assert _dram_bank(ttnn, device) == _expected_dram_bank(runner.TRACE_REGION_BYTES)


@pytest.mark.parametrize("device_params", [
    pytest.param({"trace_region_size": 22_000_000, "num_command_queues": 2}, id="trace-region-22MB-two-queues"),
    pytest.param({"trace_region_size": 1}, id="trace-region-1B"),
], indirect=True)
def test_indirect_device_params_reopen_the_real_device(ttnn, device, backend, device_params):
    assert backend.device_params == device_params
    assert _dram_bank(ttnn, device) == _expected_dram_bank(device_params["trace_region_size"])


def test_device_params_key_0_81_1_does_not_take(ttnn):
    with pytest.raises(runner.RunnerError, match=r"^device_params key 'dispatch_core_axis' is not taken by ttnn 0\.81\.1's open_device "
                                                 r"\(it takes dispatch_core_config, l1_small_size, num_command_queues, trace_region_size, worker_l1_size\)"):
        runner.open_device(ttnn, 0, {**runner.device_params(), "dispatch_core_axis": "ROW"})
