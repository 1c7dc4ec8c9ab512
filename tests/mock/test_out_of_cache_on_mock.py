"""0.81.1 accepts positions outside the KV cache when they come in a tensor: it never reads the
tensor before its kernel runs. So the host's refusals of them (tests/ops/test_out_of_cache.py) are
kernel semantics the mock cannot judge, and each is listed here to keep it honest: if the real
package starts refusing one, its case moves to the op family's REFUSALS with 0.81.1's message."""

import pytest

from tests.ops.cases.out_of_cache import OUT_OF_CACHE


@pytest.mark.parametrize("case", OUT_OF_CACHE, ids=[c.id for c in OUT_OF_CACHE])
def test_the_real_op_accepts_a_position_outside_the_cache(case, ttnn, device, host_backend):
    case.run(ttnn, device)
    host, host_device = host_backend
    with pytest.raises(RuntimeError, match=case.match):
        case.run(host, host_device)
