"""bfloat8_b / bfloat4_b host conversion, bit for bit against the real ttnn 0.81.1.

(a) saved reference vectors made with the real package (tests/ops/data/bfp_reference.pt, written
    by tools/probe_mock): out = to_torch(from_torch(input, dtype, layout=TILE));
(b) live, when the real package is importable next to the host backend (.venv-mock, --backend host).
Both use host tensors only: no device is involved.
"""

from pathlib import Path

import pytest
import torch

from tests.ops.real_ttnn import real_ttnn

REFERENCE = Path(__file__).parent / "data" / "bfp_reference.pt"
FORMATS = ("bfloat8_b", "bfloat4_b", "bfloat16")


def _load_reference():
    if not REFERENCE.exists():
        return None
    return torch.load(REFERENCE, weights_only=False)


_SAVED = _load_reference()
# (case name, output key): keys are "<dtype>" (from the float32 input) or "<dtype>_from_bf16".
SAVED_ENTRIES = sorted((name, key) for name, entry in (_SAVED["cases"] if _SAVED else {}).items()
                       for key in entry if key != "input")


def convert(ttnn, x: torch.Tensor, dtype: str) -> torch.Tensor:
    return ttnn.to_torch(ttnn.from_torch(x, dtype=getattr(ttnn, dtype), layout=ttnn.TILE_LAYOUT))


def assert_bits_equal(expected: torch.Tensor, actual: torch.Tensor, what: str) -> None:
    """Bit-for-bit equality of the values (compared as float32; NaN payloads are not compared)."""
    assert tuple(actual.shape) == tuple(expected.shape), f"{what}: shape {tuple(actual.shape)} vs {tuple(expected.shape)}"
    e32, a32 = expected.float().contiguous(), actual.float().contiguous()
    e, a = e32.view(torch.int32), a32.view(torch.int32)
    nan_e, nan_a = e32.isnan(), a32.isnan()
    diff = (e != a) & ~(nan_e & nan_a)
    if diff.any():
        first = tuple(int(i) for i in diff.nonzero()[0])
        raise AssertionError(
            f"{what}: {int(diff.sum())} of {diff.numel()} values differ in their bits; first at {first}: "
            f"real {e32[first].item()!r} (0x{int(e[first]) & 0xFFFFFFFF:08x}), "
            f"backend {a32[first].item()!r} (0x{int(a[first]) & 0xFFFFFFFF:08x})")


@pytest.mark.parametrize("name,key", [pytest.param(n, k, id=f"{n}-{k}") for n, k in SAVED_ENTRIES] or [
    pytest.param("none", "none", marks=pytest.mark.skip(
        reason=f"{REFERENCE} is missing: `python -m tools.probe_mock --only host` writes it with the real ttnn 0.81.1"))])
def test_matches_saved_real_vectors(name, key, ttnn):
    case = _SAVED["cases"][name]
    fmt, from_bf16 = key.removesuffix("_from_bf16"), key.endswith("_from_bf16")
    x = case["input"].to(torch.bfloat16) if from_bf16 else case["input"]
    assert_bits_equal(case[key], convert(ttnn, x, fmt), f"{name}: {'bfloat16' if from_bf16 else 'float32'} -> {fmt}")


def _live_inputs():
    gen = torch.Generator().manual_seed(1234)
    out = {}
    for scale in (1.0, 1e-3, 1e3, 1e-20):
        out[f"randn_x{scale:g}_64x96"] = torch.randn(64, 96, generator=gen) * scale
    out["odd_shape_7x100"] = torch.randn(1, 7, 100, generator=gen)
    out["weight_1024x128"] = torch.randn(1024, 128, generator=gen) * 1024 ** -0.5
    spread = torch.randn(32, 64, generator=gen) * torch.logspace(-8, 8, 64)  # 2^-27..2^27 in one row
    out["spread_within_rows"] = spread
    out["ties"] = (torch.arange(32 * 64, dtype=torch.float32).reshape(32, 64) % 17 + 0.5) / 4
    special = torch.randn(32, 64, generator=gen)
    special[0, :4] = torch.tensor([float("inf"), float("-inf"), float("nan"), 0.0])
    special[1, :3] = torch.tensor([1e-40, -1e-42, 3.4e38])  # denormals next to the float32 maximum
    out["inf_nan_denormal"] = special
    return out


LIVE = _live_inputs()


@pytest.fixture(scope="module")
def real_host(backend):
    if backend.name != "host":
        pytest.skip(f"live comparison judges the host backend; this run's backend is {backend.name}")
    found, why = real_ttnn(backend)
    if found is None:
        pytest.skip(why)
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(LIVE))
def test_matches_real_ttnn_live(name, fmt, real_host, ttnn, monkeypatch):
    from tt_qwen.mock import CLUSTER_DESC_PATH

    # The real package needs a (mock) cluster descriptor for TILE conversions on a card-less machine.
    if not __import__("os").environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH"):
        monkeypatch.setenv("TT_METAL_MOCK_CLUSTER_DESC_PATH", str(CLUSTER_DESC_PATH))
    x = LIVE[name]
    with real_host.active() as real:
        expected = convert(real, x, fmt)
    actual = convert(ttnn, x, fmt)
    assert actual.dtype == expected.dtype, f"{name} -> {fmt}: to_torch dtype {actual.dtype}, real ttnn gives {expected.dtype}"
    assert_bits_equal(expected, actual, f"{name} -> {fmt} (live)")
