"""On the mock n150 any op inside a trace capture segfaults (tt_qwen/host/TRACE.md, measured), so
a traced model is refused there with one line before anything is captured."""

import pytest


def test_a_traced_model_is_refused_on_the_mock_device(backend, device):
    if backend.name != "mock":
        pytest.skip("the refusal is for the mock device only")
    from tt_qwen.model.trace import DecodeTrace

    with pytest.raises(ValueError, match="trace capture crashes the process on the mock device"):
        DecodeTrace(device)
