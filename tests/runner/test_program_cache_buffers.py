"""The same op on two different buffers gives each its own right answer: a program-cache hit must
not return the first buffer's result (tt-metal #49749, #17975). The second call is a cache hit
(no new program), so it is the hit path that is checked. A stale-cache mutant shows the check fails."""

import pytest
import torch

from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


def _ops(ttnn):
    return {
        "linear": lambda a, w: ttnn.linear(a, w),
        "add": lambda a, w: ttnn.add(a, w),
        "rms_norm": lambda a, w: ttnn.rms_norm(a, weight=w, epsilon=1e-6),
    }


def _references():
    return {
        "linear": (lambda a, w: a @ w, (64, 96), "op.linear"),
        "add": (lambda a, w: a + w, (32, 64), "op.eltwise"),
        "rms_norm": (lambda a, w: a * torch.rsqrt(a.pow(2).mean(-1, keepdim=True) + 1e-6) * w, (1, 64), "op.rms_norm"),
    }


def check_each_buffer_gets_its_own_answer(ttnn, device, op, reference, weight_shape, component, run=None):
    """Run op on input A then B (same shapes: one program); each result matches its own input."""
    run = run or _ops(ttnn)[op]
    to_device = lambda t: ttnn.from_torch(t, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    inputs = [torch.randn(1, 1, 32, 64) + shift for shift in (0.0, 3.0)]
    weight = torch.randn(weight_shape)
    results, entries = [], []
    for x in inputs:
        results.append(ttnn.to_torch(run(to_device(x), to_device(weight))).float())
        entries.append(device.num_program_cache_entries())
    assert entries[1] == entries[0], f"{op}: the second buffer compiled a new program ({entries[0]} -> {entries[1]} entries)"
    for name, x, got in zip("AB", inputs, results):
        expected = reference(x.bfloat16().double(), weight.bfloat16().double())
        assert_pcc(expected, got, pcc_threshold(component), f"{op} on buffer {name} after a cache hit")


@pytest.mark.parametrize("op", ["linear", "add", "rms_norm"], ids=["linear-bf16", "add-bf16", "rms_norm-bf16"])
def test_same_op_on_two_buffers_gives_each_its_own_answer(ttnn, device, needs_numbers, op):
    reference, weight_shape, component = _references()[op]
    check_each_buffer_gets_its_own_answer(ttnn, device, op, reference, weight_shape, component)


def test_stale_program_cache_is_caught(ttnn, device, needs_numbers):
    """A mutant cache that hands back the first call's output for the second buffer."""
    first = {}

    def stale_linear(a, w):
        return first.setdefault("out", ttnn.linear(a, w))

    reference, weight_shape, component = _references()["linear"]
    with pytest.raises(AssertionError, match=r"linear on buffer B after a cache hit: PCC .* is below"):
        check_each_buffer_gets_its_own_answer(ttnn, device, "linear", reference, weight_shape, component, run=stale_linear)
