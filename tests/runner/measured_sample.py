"""Run by test_junit.py in a pytest session of its own (not collected by the suite): one test of
each kind of measured value, whose junit properties and benchmark data are then checked."""

import pytest
import torch

from tt_qwen import runner
from tt_qwen.compare import assert_pcc


def test_pcc_is_measured():
    x = torch.linspace(-1, 1, 64)
    assert_pcc(x, x + 0.001 * torch.cos(x * 50), 0.99, "sample output")


def test_accuracy_is_measured(record_property):
    record_property("top1", 0.9)
    record_property("top5", 1.0)


def test_decode_step_is_timed(benchmark):
    benchmark.extra_info.update(step="inference_decode", model="tiny-trained", backend="host", batch=1, position=127)
    benchmark.pedantic(sum, args=(range(1000),), rounds=3, warmup_rounds=1)


def test_nothing_is_measured():
    assert True


@pytest.mark.parametrize("device_params", [pytest.param({"dispatch_core_axis": "ROW"}, id="unknown-key")], indirect=True)
def test_refused_device_params(device):
    """Errors at setup: the installed ttnn does not take the key."""


def test_session_device_is_back_after_a_refusal(backend, ttnn):
    assert backend.device_params == runner.DEFAULT_DEVICE_PARAMS
    ttnn.from_torch(torch.ones(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=backend.device)
