"""Probe section: trace capture and replay on the mock n150 (0.81.1).

Each call is self-contained (begin, one pattern, end in a finally), because a capture may crash
the process: the runner then records that call as CRASH and resumes with the next one in a fresh
child, outside any capture. What is recorded here is what tt_qwen/host/trace.py is judged by.
"""

from __future__ import annotations

import torch
import ttnn

from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import dev_t


def _inside_capture(device, action):
    """begin_trace_capture, action(), end_trace_capture (even when action raises); action's result."""
    trace_id = ttnn.begin_trace_capture(device, cq_id=0)
    try:
        return action()
    finally:
        ttnn.end_trace_capture(device, trace_id, cq_id=0)


def _capture_and_replay(device, x):
    trace_id = ttnn.begin_trace_capture(device, cq_id=0)
    out = ttnn.add(x, x)
    ttnn.end_trace_capture(device, trace_id, cq_id=0)
    ttnn.execute_trace(device, trace_id, cq_id=0, blocking=False)
    ttnn.release_trace(device, trace_id)
    return out


def sec_trace(rec: Recorder, device) -> None:
    for name in ("begin_trace_capture", "end_trace_capture", "execute_trace", "release_trace",
                 "is_trace_capture_active", "copy_host_to_device_tensor"):
        rec.fact_of("-", f"signature of ttnn.{name}", lambda name=name: (getattr(ttnn, name).__doc__ or "").strip().splitlines()[0])
    rec.fact_of("-", "device trace_region_size given by open_device(device_id=0)",
                lambda: repr(getattr(ttnn.device, "DEFAULT_TRACE_REGION_SIZE", "no DEFAULT_TRACE_REGION_SIZE")))
    x = dev_t(device, [1, 1, 32, 64])
    host = ttnn.from_torch(torch.zeros(1, 1, 32, 64, dtype=torch.bfloat16), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    ttnn.add(x, x)  # compiled before any capture
    rec.fact_of("-", "is_trace_capture_active(device) outside a capture", lambda: ttnn.is_trace_capture_active(device))
    rec.call("-", "begin_trace_capture; is_trace_capture_active; end_trace_capture (no ops)",
             lambda: _inside_capture(device, lambda: ttnn.is_trace_capture_active(device)))
    rec.call("-", "inside a capture: ttnn.to_torch(device tensor)", lambda: _inside_capture(device, lambda: ttnn.to_torch(x)))
    rec.call("-", "inside a capture: copy_host_to_device_tensor(host, device tensor)",
             lambda: _inside_capture(device, lambda: ttnn.copy_host_to_device_tensor(host, x)))
    rec.call("-", "inside a capture: from_torch(..., device=device)",
             lambda: _inside_capture(device, lambda: dev_t(device, [1, 1, 32, 64])))
    rec.call("-", "inside a capture: ttnn.mul(x, x), never run before (not in the program cache)",
             lambda: _inside_capture(device, lambda: ttnn.mul(x, x)))
    rec.call("-", "inside a capture: ttnn.add(x, x), run before (in the program cache)",
             lambda: _inside_capture(device, lambda: ttnn.add(x, x)))
    rec.call("-", "capture add, execute_trace(blocking=False), release_trace", lambda: _capture_and_replay(device, x))
    rec.call("-", "release_trace of an id never captured", lambda: ttnn.release_trace(device, 12345))
