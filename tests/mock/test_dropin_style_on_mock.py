"""The tt-metal-style op checks (tests/ops/dropin/optest_style.py) on the real ttnn 0.81.1 with a
mock n150 and on the host backend, in one process: the real package accepts every call the file
makes, the host's outputs have the real output specs, and the host's golden functions compute what
the real package's goldens compute on the same torch inputs."""

import importlib.util
import sys

import pytest
import torch

from tests.ops.dropin import optest_style
from tt_qwen.compare import assert_pcc
from tt_qwen.optrace import spec
from tt_qwen.thresholds import pcc_threshold

NAMES = [c.__name__ for c in optest_style.CASES]


def load_style(ttnn_module, name):
    """optest_style.py with its `import ttnn` meaning `ttnn_module`."""
    saved = sys.modules.get("ttnn")
    sys.modules["ttnn"] = ttnn_module
    try:
        found = importlib.util.spec_from_file_location(name, optest_style.__file__)
        module = importlib.util.module_from_spec(found)
        found.loader.exec_module(module)
    finally:
        sys.modules["ttnn"] = saved
    return module


@pytest.fixture(scope="module")
def both(ttnn, host_backend):
    host, _ = host_backend
    return load_style(ttnn, "optest_style_real"), load_style(host, "optest_style_host")


@pytest.mark.parametrize("name", NAMES, ids=[n.replace("_", "-") for n in NAMES])
def test_optest_style_case_agrees_with_the_real_ttnn(name, both, ttnn, device, host_backend):
    real_module, host_module = both
    _, host_device = host_backend
    real_out, real_golden, component = getattr(real_module, name)(device)
    host_out, host_golden, _ = getattr(host_module, name)(host_device)
    assert spec(host_out) == spec(real_out), f"{name}: host {spec(host_out)} vs real ttnn {spec(real_out)}"
    component, dtype = component if isinstance(component, tuple) else (component, "bfloat16")
    real_golden, host_golden = torch.as_tensor(real_golden).float(), torch.as_tensor(host_golden).float()
    assert real_golden.numel() == host_golden.numel(), f"{name}: golden shapes {real_golden.shape} vs {host_golden.shape}"
    assert_pcc(real_golden, host_golden.reshape(real_golden.shape), pcc_threshold(component, dtype),
               f"{name}: host golden vs the real golden")
