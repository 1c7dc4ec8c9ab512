"""Every op case and every refusal of the op tier, on the host backend and on the real ttnn:
the same output specs, the same refusals."""

import pytest

from tests.ops.cases import OP_CASES, REFUSAL_CASES
from tt_qwen.optrace import spec

DEFAULT_CASES = [c for c in OP_CASES if not c.slow]


def _specs(outputs) -> list[str]:
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [spec(o) for o in outputs]


@pytest.mark.parametrize("case", DEFAULT_CASES, ids=[c.id for c in DEFAULT_CASES])
def test_host_output_spec_equals_the_real_ops(case, ttnn, device, host_backend):
    host, host_device = host_backend
    real = _specs(case.run(ttnn, device))
    ours = _specs(case.run(host, host_device))
    assert ours == real, f"{case.id}: host {ours} vs real ttnn {real}"


@pytest.mark.parametrize("case", REFUSAL_CASES, ids=[c.id for c in REFUSAL_CASES])
def test_host_refuses_what_the_real_op_refuses(case, ttnn, device, host_backend):
    host, host_device = host_backend
    with pytest.raises(RuntimeError, match=case.match):
        case.run(ttnn, device)
    with pytest.raises(RuntimeError, match=case.match):
        case.run(host, host_device)
