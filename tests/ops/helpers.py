"""The checks every op test family shares: numbers, output spec, refusals."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import torch

from tests.ops.cases.base import OpCase, RefusalCase, Spec
from tt_qwen.backends import is_host_ttnn
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


def params(cases) -> list:
    """pytest params with the case ids; slow cases carry the slow marker."""
    return [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if getattr(c, "slow", False) else [])
            for c in cases]


def as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def skip_without_numbers(case: OpCase, backend) -> None:
    """Values read back from a mock device are zeros; host-side conversions are real everywhere."""
    if case.device_numbers and not backend.computes_numbers:
        pytest.skip("mock device returns zeros: this test needs numbers")


def check_numbers(case: OpCase, ttnn, device) -> None:
    outputs = as_tuple(case.run(ttnn, device))
    expected = as_tuple(case.reference())
    assert len(outputs) == len(expected), f"{case.id}: {len(outputs)} outputs, expected {len(expected)}"
    for index, (output, want) in enumerate(zip(outputs, expected)):
        what = f"{case.id} output {index}"
        actual = ttnn.to_torch(output)
        if case.check is not None:
            case.check(actual, want, what)
            continue
        if case.select is not None:
            actual, want = case.select(actual, index), case.select(want, index)
        compare(case, want, actual, what)


def compare(case: OpCase, expected: torch.Tensor, actual: torch.Tensor, what: str) -> None:
    """The one comparison of an output: same shape, then equal (exact cases) or the case's PCC."""
    assert tuple(actual.shape) == tuple(expected.shape), \
        f"{what}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
    if case.exact:
        assert_equal(expected, actual, what)
    else:
        assert_pcc(expected, actual, pcc_threshold(case.component, case.dtype), what=what)


def assert_equal(expected: torch.Tensor, actual: torch.Tensor, what: str) -> None:
    e, a = expected.to(torch.float64), actual.to(torch.float64)
    if torch.equal(e, a):
        return
    diff = (e != a) & ~(e.isnan() & a.isnan())
    first = tuple(int(i) for i in diff.nonzero()[0])
    raise AssertionError(f"{what}: {int(diff.sum())} of {diff.numel()} values differ; first at {first}: "
                         f"expected {e[first].item()}, got {a[first].item()}")


def spec_problems(tensor, spec: Spec, ttnn) -> list[str]:
    problems = []

    def expect(name, got, want):
        if got != want:
            problems.append(f"{name}: got {got}, expected {want}")

    expect("logical shape", tuple(tensor.shape), tuple(spec.shape))
    expect("padded shape", tuple(tensor.padded_shape), tuple(spec.padded))
    expect("dtype", tensor.dtype, getattr(ttnn, spec.dtype))
    expect("layout", tensor.layout, {"TILE": ttnn.TILE_LAYOUT, "ROW_MAJOR": ttnn.ROW_MAJOR_LAYOUT}[spec.layout])
    if spec.buffer:
        config = tensor.memory_config()
        expect("buffer type", config.buffer_type, getattr(ttnn.BufferType, spec.buffer))
        expect("memory layout", config.memory_layout, getattr(ttnn.TensorMemoryLayout, spec.memory))
        if spec.shard_shape is not None:
            shard = config.shard_spec
            if shard is None:
                problems.append(f"shard spec: none, expected shape {spec.shard_shape}")
            else:
                expect("shard shape", tuple(shard.shape), tuple(spec.shard_shape))
                if spec.shard_cores is not None:
                    expect("shard cores", shard.grid.num_cores(), spec.shard_cores)
    if problems and spec.note:
        problems.append(f"(expectation: {spec.note})")
    return problems


@contextmanager
def arithmetic_skipped(ttnn):
    """On the host backend, the host's exact numerics: an output spec (shape, dtype, layout, memory)
    does not depend on the arithmetic, which test_op_numbers judges, and the model of the n150
    datapath costs half a minute per 2048-token SDPA case. Other backends run as they are."""
    if not is_host_ttnn(ttnn):
        yield
        return
    from tt_qwen.host import numerics

    with numerics.using("exact"):
        yield


def check_specs(case: OpCase, ttnn, device) -> None:
    with arithmetic_skipped(ttnn):
        outputs = as_tuple(case.run(ttnn, device))
    assert len(outputs) == len(case.specs), f"{case.id}: {len(outputs)} outputs, {len(case.specs)} specs"
    report = []
    for index, (output, spec) in enumerate(zip(outputs, case.specs)):
        problems = spec_problems(output, spec, ttnn)
        if problems:
            report.append(f"output {index}: " + "; ".join(problems))
    assert not report, f"{case.id}:\n  " + "\n  ".join(report)


def check_refusal(case: RefusalCase, ttnn, device) -> None:
    with pytest.raises(RuntimeError) as info:
        case.run(ttnn, device)
    message = str(info.value)
    assert re.search(case.match, message), (
        f"{case.id}: refused, but the message does not state the rule (pattern {case.match!r}):\n{message[:600]}")
