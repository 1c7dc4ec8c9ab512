"""Trace capture and replay on the host backend, with ttnn 0.81.1's signatures and rules.

A capture records every ttnn call that touches a device tensor instead of trusting its result:
the call runs once (so shapes, specs, validation and allocation are the real thing) and its
outputs are then poisoned (NaN, or 0 for integer tensors): on the card a captured op has not run
until the trace is replayed. Device tensors the capture read but did not make are the trace's
inputs; an op that writes into one in place (a KV-cache update) has the write undone, as nothing
executes during a real capture. `execute_trace` re-runs the recorded calls in order on the current
contents of those buffers and writes each result into the tensor the capture handed out, so the
outputs a caller kept are the ones that change.

The rules 0.81.1 enforces, with its messages (strings of libtt_metal.so in the 0.81.1 wheel):
reads and writes between host and device inside a capture, a program not in the program cache
(not run before the capture), a trace larger than `trace_region_size`, an unknown trace id.
Where the host and the card could differ: tt_qwen/host/TRACE.md.
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys

import torch

from .api import OUTPUT_PARAMETERS
from .errors import fatal, require
from .tensor import Tensor
from .types import INTEGER

# Bytes of dispatch commands one program launch adds to a trace. An estimate, not a measurement:
# the mock cannot capture (it segfaults), and the real figure depends on cores and runtime args.
# 8 KiB puts the 28-layer Qwen3-0.6B decode (29 programs a layer + 12: 824, counted on the host) at
# 6.75 MB, inside the 10,000,000 B region ttnn_models captures it in.
TRACE_BYTES_PER_PROGRAM = 8192

READS = "Reads are not supported during trace capture."
WRITES = "Writes are not supported during trace capture."
NOT_COMPILED = ("Cannot load new binaries during trace capture.This program is not yet in program cache. "
                "Warm up before capturing a trace.See the operation's hash signature for arguments that must match.")
TOO_LARGE = "Creating trace buffers of size {}B on MeshDevice {}, but only {}B is allocated for trace region."
DRAM_ACTIVITY = ("Trace buffer at address {} overlaps with buffers allocated during trace capture (allocation high "
                 "water mark: {}). Reduce allocations during trace capture or set a non-zero trace_region_size.")
# Functions that move data between host and device: refused inside a capture.
READ_FUNCTIONS = {"to_torch", "from_device"}
# A write when given a device: the tensor is built on the host and written (creation ops included).
WRITE_WITH_DEVICE = {"from_torch", "as_tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "full_like"}
# Tensor methods routed through the capture, under the function whose rules they follow.
TENSOR_METHODS = {"to_torch": "to_torch", "cpu": "from_device", "to_list": "to_torch", "item": "to_torch",
                  "to_numpy": "to_torch", "to_torch_with_padded_shape": "to_torch", "to": "to_device",
                  "reshape": "Tensor.reshape", "pad": "Tensor.pad", "pad_to_tile": "Tensor.pad_to_tile",
                  "unpad": "Tensor.unpad", "unpad_from_tile": "Tensor.unpad_from_tile", "__getitem__": "Tensor.__getitem__"}
# Calls that run eagerly in a capture and are not replayed: bookkeeping, not device programs.
NOT_RECORDED = {"deallocate", "get_memory_config", "synchronize_device", "is_sharded", "has_tile_padding",
                "is_tensor_storage_on_device", "has_storage_type_of"}


class MeshTraceId(int):
    """The id begin_trace_capture returns (ids count up over the process, as the real ones)."""

    def __repr__(self):
        return f"MeshTraceId({int(self)})"


class _Trace:
    def __init__(self, device, trace_id: MeshTraceId):
        self.device, self.id = device, trace_id
        self.calls: list = []  # (function, args, kwargs, outputs)
        self.made: dict[int, Tensor] = {}  # tensors the capture created
        self.inputs: dict[int, Tensor] = {}  # device tensors it read but did not create
        self.kept: list[Tensor] = []  # tensors the capture made that were alive at its end
        self.programs = 0
        self.dram_allocations = 0
        self.size = 0

    def tensor_args(self, args, kwargs):
        return [t for t in _tensors((args, kwargs)) if t.device() is not None]

    def record(self, name, function, args, kwargs):
        """Run one call inside the capture, note what it read and made, poison its outputs."""
        arguments = self.tensor_args(args, kwargs)
        inputs = [t for t in arguments if id(t) not in self.made]
        writes_in_place = _writes_in_place(name, kwargs)
        saved = {id(t): t._data.clone() for t in inputs} if writes_in_place else {}
        before = [(t, t._data, t._data._version) for t in inputs]
        result = function(*args, **kwargs)
        for tensor, data, version in before:
            if tensor._data is not data or data._version != version:
                # Nothing runs during a real capture: undo the write into the trace's input.
                require(id(tensor) in saved, f"ttnn.{name}",
                        "host backend: this op wrote into its input during a trace capture, which the host cannot undo")
                tensor._data = saved[id(tensor)]
        for tensor in inputs:
            self.inputs.setdefault(id(tensor), tensor)
        given = {id(t) for t in arguments}
        results = [t for t in _tensors(result) if t.device() is not None]
        positions = [i for i, t in enumerate(results) if id(t) not in given]
        for i in positions:
            self.made[id(results[i])] = results[i]
            results[i]._data = _poison(results[i])
        self.calls.append((function, args, kwargs, [(i, results[i]) for i in positions]))
        return result

    def replay(self) -> None:
        """Re-run the recorded calls on the buffers' current contents, into the captured outputs."""
        self.check_buffers_alive()
        revived = [t for t in self.made.values() if t._released]
        for tensor in revived:
            tensor._released = False  # freed inside the capture, but the trace owns its memory
        try:
            for function, args, kwargs, outputs in self.calls:
                results = [t for t in _tensors(function(*args, **kwargs)) if t.device() is not None]
                for i, target in outputs:
                    target._data = results[i]._data
                    results[i].deallocate()
        finally:
            for tensor in revived:
                tensor._released = True

    def check_buffers_alive(self) -> None:
        for tensor in list(self.inputs.values()) + self.kept:
            require(tensor.is_allocated(), "ttnn.execute_trace",
                    f"trace {int(self.id)} uses a device buffer (shape {list(tensor.shape)}, {tensor.dtype.name}) that "
                    "was deallocated after the capture: the card would replay into freed memory. Keep every input "
                    "and output of a trace allocated until release_trace")


_next_id = [0]
_capturing: dict[int, _Trace] = {}  # id(device) -> the capture in progress
_traces: dict[tuple[int, int], _Trace] = {}  # (id(device), trace id) -> a captured trace
_depth = [0]  # > 0 while inside a wrapped call: only the outermost call is recorded


def begin_trace_capture(mesh_device, *, cq_id=None) -> MeshTraceId:
    _check_queue("begin_trace_capture", cq_id)
    require(id(mesh_device) not in _capturing, "ttnn.begin_trace_capture", "!this->mesh_command_queues_[cq_id]->trace_id().has_value()")
    _next_id[0] += 1
    trace = _capturing[id(mesh_device)] = _Trace(mesh_device, MeshTraceId(_next_id[0]))
    _patch(mesh_device, trace)
    return trace.id


def end_trace_capture(mesh_device, trace_id, *, cq_id=None) -> None:
    _check_queue("end_trace_capture", cq_id)
    trace = _capturing.get(id(mesh_device))
    require(trace is not None and trace.id == trace_id, "ttnn.end_trace_capture",
            "this->mesh_command_queues_[cq_id]->trace_id() == trace_id")
    _unpatch(mesh_device)
    del _capturing[id(mesh_device)]
    trace.kept = [t for t in trace.made.values() if not t._released]
    trace.size = trace.programs * TRACE_BYTES_PER_PROGRAM
    region = mesh_device.trace_region_size
    if region == 0:
        # 0.81.1 then places the trace in DRAM, where buffers allocated during the capture lie.
        require(trace.dram_allocations == 0, "ttnn.end_trace_capture", DRAM_ACTIVITY.format("(unknown on the host)", "(unknown on the host)"))
    else:
        total = _live_trace_bytes(mesh_device) + trace.size
        require(total <= region, "ttnn.end_trace_capture", TOO_LARGE.format(total, mesh_device.id(), region))
    _traces[(id(mesh_device), int(trace_id))] = trace


def execute_trace(mesh_device, trace_id, *, cq_id=None, blocking=True) -> None:
    _check_queue("execute_trace", cq_id)
    require(id(mesh_device) not in _capturing, "ttnn.execute_trace", "Cannot execute a trace during trace capture")
    _trace("execute_trace", mesh_device, trace_id).replay()


def release_trace(mesh_device, trace_id) -> None:
    _trace("release_trace", mesh_device, trace_id)
    del _traces[(id(mesh_device), int(trace_id))]


def is_trace_capture_active(device) -> bool:
    return id(device) in _capturing


def trace_bytes(mesh_device, trace_id) -> int:
    """The host's estimate of one captured trace's size (not a ttnn name)."""
    return _trace("trace_bytes", mesh_device, trace_id).size


# ---- internals ----------------------------------------------------------------------------------

def _check_queue(name, cq_id) -> None:
    require(cq_id in (None, 0), f"ttnn.{name}", f"host backend: cq_id {cq_id} is not implemented (one command queue)")


def _trace(name, device, trace_id) -> _Trace:
    if not isinstance(trace_id, MeshTraceId):  # measured: 0.81.1's binding refuses a plain int
        raise TypeError(f"{name}(): incompatible function arguments: trace_id must be a ttnn.MeshTraceId, got "
                        f"{type(trace_id).__name__}")
    trace = _traces.get((id(device), int(trace_id)))
    if trace is None:
        fatal(f"ttnn.{name}", f"Trace instance {int(trace_id)} must exist on device {device.id()}'s active sub-device manager 0")
    return trace


def _live_trace_bytes(device) -> int:
    return sum(t.size for (dev, _), t in _traces.items() if dev == id(device))


def _tensors(value):
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


def _writes_in_place(name, kwargs) -> bool:
    """Cache updates and calls given an output tensor write into a tensor they did not make."""
    return "cache" in name or "copy" in name or any(kwargs.get(p) is not None for p in OUTPUT_PARAMETERS)


def _poison(tensor: Tensor) -> torch.Tensor:
    """What a captured output holds before the first replay: nothing valid."""
    data = tensor._data
    return torch.zeros(data.shape, dtype=data.dtype) if tensor.dtype in INTEGER else torch.full(data.shape, math.nan, dtype=data.dtype)


def _namespaces():
    """The modules code written for ttnn calls into: the package and the submodules it exports."""
    package = sys.modules[__name__.rsplit(".", 1)[0]]
    return [package] + [getattr(package, name) for name in package.SUBMODULES]


def _wrap(name, function, trace):
    @functools.wraps(function)
    def call(*args, **kwargs):
        if _depth[0]:
            return function(*args, **kwargs)
        _refuse_transfer(name, args, kwargs)
        _depth[0] += 1
        try:
            if name in NOT_RECORDED or not trace.tensor_args(args, kwargs):
                return function(*args, **kwargs)
            return trace.record(name, function, args, kwargs)
        finally:
            _depth[0] -= 1
    return call


def _refuse_transfer(name, args, kwargs) -> None:
    tensors = list(_tensors((args, kwargs)))
    if name in READ_FUNCTIONS and any(t.device() is not None for t in tensors):
        fatal(f"ttnn.{name}", READS)
    host_source = bool(tensors) and tensors[0].device() is None
    if (name == "copy_host_to_device_tensor" or (name == "to_device" and host_source)
            or (name in WRITE_WITH_DEVICE and kwargs.get("device") is not None)):
        fatal(f"ttnn.{name}", WRITES)


def _patch(device, trace) -> None:
    """Route the ttnn namespace and the Tensor read/write methods through the capture."""
    saved = []
    for module in _namespaces():
        for name, value in list(vars(module).items()):
            if callable(value) and not isinstance(value, type) and not name.startswith("_") and name not in _OWN:
                saved.append((module, name, value))
                setattr(module, name, _wrap(name, value, trace))
    for method, name in TENSOR_METHODS.items():
        original = getattr(Tensor, method)
        saved.append((Tensor, method, original))
        setattr(Tensor, method, _wrap(name, original, trace))
    record_program, allocate = device._record_program, device._allocate

    def compiled_only(key):
        require(key in device._program_cache, key[0], NOT_COMPILED)
        trace.programs += 1
        record_program(key)

    def counting_allocate(padded_shape, dtype, layout, memory_config):
        trace.dram_allocations += memory_config.buffer_type.name == "DRAM"
        return allocate(padded_shape, dtype, layout, memory_config)

    device._record_program, device._allocate = compiled_only, counting_allocate
    _saved[id(device)] = saved


def _unpatch(device) -> None:
    for owner, name, value in reversed(_saved.pop(id(device))):
        setattr(owner, name, value)
    del device._record_program, device._allocate


_saved: dict[int, list] = {}
_OWN = {"begin_trace_capture", "end_trace_capture", "execute_trace", "release_trace", "is_trace_capture_active",
        "install_as_ttnn", "open_device", "close_device"}


@contextlib.contextmanager
def capture(device):
    """begin/end around a block, ending the capture even when the block fails (not a ttnn name)."""
    trace_id = begin_trace_capture(device)
    try:
        yield trace_id
    except BaseException:
        if id(device) in _capturing:
            _unpatch(device)
            del _capturing[id(device)]
        raise
    end_trace_capture(device, trace_id)
