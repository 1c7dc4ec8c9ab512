"""Every output-tensor parameter writes into the tensor given, as on the card (0.81.1 returns a
handle on the same buffer): the caller's tensor then holds exactly what the op returns without one."""

import pytest
import torch

from tests.ops.helpers import assert_equal
from tt_qwen.host import api


def _dev(ttnn, device, values, dtype=None, layout=None):
    return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device)


def _inputs(ttnn, device):
    gen = torch.Generator().manual_seed(16)
    return {"a": _dev(ttnn, device, torch.randn(1, 1, 32, 64, generator=gen)),
            "b": _dev(ttnn, device, torch.randn(64, 96, generator=gen)),
            "c": _dev(ttnn, device, torch.randn(1, 1, 32, 64, generator=gen)),
            "ids": ttnn.from_torch(torch.randint(0, 10, (1, 32), generator=gen), dtype=ttnn.uint32, device=device),
            "table": ttnn.from_torch(torch.randn(10, 64, generator=gen), dtype=ttnn.bfloat16, device=device)}


# (case id, op, its output parameter, the call without it)
CASES = [
    ("linear", "optional_output_tensor", lambda t, i, **o: t.linear(i["a"], i["b"], **o)),
    ("matmul", "optional_output_tensor", lambda t, i, **o: t.matmul(i["a"], i["b"], **o)),
    ("add", "output_tensor", lambda t, i, **o: t.add(i["a"], i["c"], **o)),
    ("mul", "output_tensor", lambda t, i, **o: t.mul(i["a"], i["c"], **o)),
    ("silu", "output_tensor", lambda t, i, **o: t.silu(i["a"], **o)),
    ("typecast", "output_tensor", lambda t, i, **o: t.typecast(i["a"], t.float32, **o)),
    ("slice", "output_tensor", lambda t, i, **o: t.slice(i["a"], [0, 0, 0, 0], [1, 1, 32, 32], **o)),
    ("concat", "output_tensor", lambda t, i, **o: t.concat([i["a"], i["c"]], dim=-1, **o)),
    ("embedding", "output_tensor", lambda t, i, **o: t.embedding(i["ids"], i["table"], **o)),
]


def _blank_like(ttnn, device, tensor):
    return ttnn.from_torch(torch.zeros(list(tensor.shape)), dtype=tensor.dtype, layout=tensor.layout, device=device)


def check_writes_into(ttnn, device, call, parameter):
    inputs = _inputs(ttnn, device)
    expected = ttnn.to_torch(call(ttnn, inputs))
    given = _blank_like(ttnn, device, call(ttnn, inputs))
    call(ttnn, inputs, **{parameter: given})
    assert_equal(expected, ttnn.to_torch(given), f"the {parameter} given")


@pytest.mark.parametrize("name, parameter, call", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_the_output_tensor_given_is_written(name, parameter, call, ttnn, device, needs_numbers):
    check_writes_into(ttnn, device, call, parameter)


def test_an_output_tensor_of_another_shape_is_refused(ttnn, device, backend):
    if backend.name != "host":
        pytest.skip("the host's one-line refusal; the device's own message differs")
    inputs = _inputs(ttnn, device)
    wrong = _dev(ttnn, device, torch.zeros(1, 1, 32, 64))
    with pytest.raises(RuntimeError, match=r"output tensor spec .* must match the op's output"):
        ttnn.linear(inputs["a"], inputs["b"], optional_output_tensor=wrong)


def test_an_output_tensor_accepted_and_ignored_is_caught(ttnn, device, needs_numbers, backend, monkeypatch):
    """Mutant: the PCC-0.0 bug of the issue, an output tensor never written, fails the check."""
    if backend.name != "host":
        pytest.skip("mutates the host backend")
    monkeypatch.setattr(api, "write_into", lambda name, target, result: result)
    with pytest.raises(AssertionError):
        check_writes_into(ttnn, device, CASES[0][2], "optional_output_tensor")
