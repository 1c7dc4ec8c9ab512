"""Trace capture and replay: what a replay computes, and every pattern 0.81.1 refuses in a capture.

The messages are the real runtime's (libtt_metal.so of the 0.81.1 wheel). A trace capture crashes
the process on the mock device, so the mock tier cannot judge these; on the host they check
tt_qwen/host/trace.py, on a card the real package. Where the host refuses what the card lets
through (a buffer deallocated after the capture), the test says so and runs on the host only.
"""

import contextlib

import pytest
import torch

ON_MOCK = "trace capture crashes the process on the mock device (ttnn 0.81.1: no host command queues)"
HOST_ONLY = "the real runtime does not check this (the card replays into freed memory); the host refuses it"


@pytest.fixture
def trace_device(device, backend):
    if backend.name == "mock":
        pytest.skip(ON_MOCK)
    return device


def _tile(ttnn, device, values):
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


def _host(ttnn, values):
    return ttnn.from_torch(values, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)


def _step(ttnn, x, w):
    return ttnn.add(ttnn.linear(x, w), x)


@contextlib.contextmanager
def _capture(ttnn, device):
    """begin ... end, ending the capture when the block fails so later tests start clean."""
    trace_id = ttnn.begin_trace_capture(device, cq_id=0)
    try:
        yield trace_id
    finally:
        ttnn.end_trace_capture(device, trace_id, cq_id=0)


@pytest.fixture
def warm(ttnn, trace_device):
    """x, w on the device and the step run once, so its programs are compiled."""
    x = _tile(ttnn, trace_device, torch.randn(32, 64))
    w = _tile(ttnn, trace_device, torch.randn(64, 64))
    _step(ttnn, x, w)
    return x, w


def test_replay_computes_the_captured_ops_on_the_current_inputs(ttnn, trace_device, warm):
    x, w = warm
    with _capture(ttnn, trace_device) as trace_id:
        out = _step(ttnn, x, w)
    try:
        for seed in (1, 2):
            ttnn.copy_host_to_device_tensor(_host(ttnn, torch.randn(32, 64, generator=torch.Generator().manual_seed(seed))), x)
            ttnn.execute_trace(trace_device, trace_id, cq_id=0, blocking=False)
            assert torch.equal(ttnn.to_torch(out), ttnn.to_torch(_step(ttnn, x, w))), f"replay {seed} differs from eager"
    finally:
        ttnn.release_trace(trace_device, trace_id)


def test_captured_outputs_hold_nothing_before_the_first_replay(ttnn, trace_device, warm, backend):
    if backend.name != "host":
        pytest.skip("a card's unreplayed output holds whatever the memory held: only the host marks it (NaN)")
    x, w = warm
    with _capture(ttnn, trace_device) as trace_id:
        out = _step(ttnn, x, w)
    ttnn.release_trace(trace_device, trace_id)
    assert torch.isnan(ttnn.to_torch(out)).all()


def test_a_capture_runs_nothing_so_a_cache_update_waits_for_the_replay(ttnn, trace_device):
    cache = _tile(ttnn, trace_device, torch.zeros(1, 1, 64, 64))
    rows = _tile(ttnn, trace_device, torch.ones(1, 1, 32, 64))
    ttnn.fill_cache(cache, rows, 0)
    ttnn.copy_host_to_device_tensor(_host(ttnn, torch.zeros(1, 1, 64, 64)), cache)
    with _capture(ttnn, trace_device) as trace_id:
        ttnn.fill_cache(cache, rows, 0)
    assert not ttnn.to_torch(cache).any(), "the captured fill_cache wrote during the capture"
    ttnn.execute_trace(trace_device, trace_id, cq_id=0, blocking=True)
    ttnn.release_trace(trace_device, trace_id)
    assert ttnn.to_torch(cache)[0, 0, :32].eq(1).all() and not ttnn.to_torch(cache)[0, 0, 32:].any()


def test_a_host_write_inside_a_capture_is_refused(ttnn, trace_device, warm):
    x, _ = warm
    with pytest.raises(RuntimeError, match="Writes are not supported during trace capture"):
        with _capture(ttnn, trace_device):
            ttnn.copy_host_to_device_tensor(_host(ttnn, torch.randn(32, 64)), x)


def test_a_tensor_made_on_the_device_inside_a_capture_is_refused(ttnn, trace_device, warm):
    with pytest.raises(RuntimeError, match="Writes are not supported during trace capture"):
        with _capture(ttnn, trace_device):
            _tile(ttnn, trace_device, torch.randn(32, 64))


def test_a_host_read_inside_a_capture_is_refused(ttnn, trace_device, warm):
    x, w = warm
    with pytest.raises(RuntimeError, match="Reads are not supported during trace capture"):
        with _capture(ttnn, trace_device):
            ttnn.to_torch(_step(ttnn, x, w))


def test_an_op_not_compiled_before_the_capture_is_refused(ttnn, trace_device, warm):
    x, w = warm
    trace_device.clear_program_cache()
    ttnn.linear(x, w)
    with pytest.raises(RuntimeError, match="Cannot load new binaries during trace capture"):
        with _capture(ttnn, trace_device):
            ttnn.add(ttnn.linear(x, w), x)  # add has not run since the cache was cleared


@pytest.mark.parametrize("device_params", [{"trace_region_size": 8192}], indirect=True, ids=["trace-region-8192"])
def test_a_trace_larger_than_its_region_is_refused(ttnn, trace_device):
    x = _tile(ttnn, trace_device, torch.randn(32, 64))
    w = _tile(ttnn, trace_device, torch.randn(64, 64))
    _step(ttnn, x, w)
    with pytest.raises(RuntimeError, match=r"Creating trace buffers of size \d+B on MeshDevice \d+, but only 8192B "
                                           r"is allocated for trace region"):
        with _capture(ttnn, trace_device):
            for _ in range(8):
                _step(ttnn, x, w)


def test_a_deallocated_captured_buffer_is_refused_at_replay(ttnn, trace_device, warm, backend):
    if backend.name != "host":
        pytest.skip(HOST_ONLY)
    x, w = warm
    with _capture(ttnn, trace_device) as trace_id:
        _step(ttnn, x, w)
    ttnn.deallocate(x)
    try:
        with pytest.raises(RuntimeError, match="was deallocated after the capture"):
            ttnn.execute_trace(trace_device, trace_id, cq_id=0, blocking=False)
    finally:
        ttnn.release_trace(trace_device, trace_id)


def test_a_released_trace_cannot_be_replayed(ttnn, trace_device, warm):
    x, w = warm
    with _capture(ttnn, trace_device) as trace_id:
        _step(ttnn, x, w)
    ttnn.release_trace(trace_device, trace_id)
    with pytest.raises(RuntimeError, match="Trace instance"):
        ttnn.execute_trace(trace_device, trace_id, cq_id=0, blocking=False)
