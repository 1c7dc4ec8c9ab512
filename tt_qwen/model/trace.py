"""The traced decode step: captured once after a warm-up run, then replayed.

tt_transformers' pattern (and the published Qwen3-0.6B n150 decode's): the step's inputs live in
persistent device buffers; before each replay the host writes the new inputs into them with
`copy_host_to_device_tensor`; `execute_trace(blocking=False)` re-runs the captured programs; the
output tensor the capture returned is kept and read back. Nothing else crosses the host/device
boundary inside the capture, so the same step function runs traced and untraced.
"""

from __future__ import annotations

import os

import ttnn

from tt_qwen import backends

ON_MOCK = ("trace=True: a trace capture crashes the process on the mock device (ttnn 0.81.1 has no command "
           "queues there: segmentation fault in generate_trace_dispatch_commands); build the model without trace")


class DecodeTrace:
    def __init__(self, device):
        if os.environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH") and not backends.ttnn_is_host():
            raise ValueError(ON_MOCK)
        self.device = device
        self.buffers = None  # name -> persistent device tensor the captured step reads
        self.trace_id = None
        self.output = None  # the captured step's output tensor, rewritten by every replay

    def run(self, step, inputs: dict):
        """step(buffers) -> a device tensor; `inputs` are {name: (torch values, ttnn dtype)}, one
        row-major buffer each. The first call warms the program cache with an untraced run (whose
        output it returns) and captures."""
        if self.trace_id is None:
            return self._warm_up_and_capture(step, inputs)
        for name, (values, dtype) in inputs.items():
            host = ttnn.from_torch(values, dtype=dtype, layout=ttnn.ROW_MAJOR_LAYOUT)
            ttnn.copy_host_to_device_tensor(host, self.buffers[name])
        ttnn.execute_trace(self.device, self.trace_id, cq_id=0, blocking=False)
        return self.output

    def _warm_up_and_capture(self, step, inputs):
        self.buffers = {name: ttnn.from_torch(values, dtype=dtype, layout=ttnn.ROW_MAJOR_LAYOUT, device=self.device)
                        for name, (values, dtype) in inputs.items()}
        warm = step(self.buffers)  # compiles every program of the step; its result is this step's
        # Capture runs nothing on the card, so the KV cache and `warm` are untouched by it.
        trace_id = ttnn.begin_trace_capture(self.device, cq_id=0)
        try:
            output = step(self.buffers)
        finally:
            ttnn.end_trace_capture(self.device, trace_id, cq_id=0)
        self.trace_id, self.output = trace_id, output
        return warm

    def release(self) -> None:
        """release_trace and free the input buffers; the next run captures again."""
        if self.trace_id is not None:
            ttnn.release_trace(self.device, self.trace_id)
            for tensor in list(self.buffers.values()) + [self.output]:
                ttnn.deallocate(tensor)
        self.buffers = self.trace_id = self.output = None
