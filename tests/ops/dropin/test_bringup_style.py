"""A bring-up written in the style of tt-metal's own op tests (optest_style.py) runs on the host
backend unchanged, and every result agrees with the op's golden function within its threshold."""

import pytest
import torch

from tests.ops.dropin import optest_style
from tt_qwen.compare import assert_pcc
from tt_qwen.thresholds import pcc_threshold


def result_of(ttnn, output) -> torch.Tensor:
    return ttnn.to_torch(output).float()


@pytest.mark.parametrize("case", optest_style.CASES, ids=[c.__name__.replace("_", "-") for c in optest_style.CASES])
def test_optest_style_case_matches_its_golden(case, ttnn, device, needs_numbers):
    assert optest_style.ttnn is ttnn  # the file's own `import ttnn` is the session's backend
    output, golden, component = case(device)
    component, dtype = component if isinstance(component, tuple) else (component, "bfloat16")
    actual = result_of(ttnn, output)
    expected = torch.as_tensor(golden).float().reshape(actual.shape)
    assert_pcc(expected, actual, pcc_threshold(component, dtype), f"{case.__name__} vs its golden")
