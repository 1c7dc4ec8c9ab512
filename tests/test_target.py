"""The target device as a value: every backend's device is recognised as N150, and what reads
the target (the footprint check, the roofline) follows it rather than a literal."""

import dataclasses
from types import SimpleNamespace

import pytest

from tt_qwen.model.config import Qwen3Dims
from tt_qwen.model.footprint import check_fits, largest_max_seq_len, roofline, weight_bytes
from tt_qwen.target import N150, target_of

QWEN3_DIMS = Qwen3Dims(vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                       num_attention_heads=16, num_key_value_heads=8, head_dim=128, rms_norm_eps=1e-6,
                       rope_theta=1e6, tie_word_embeddings=True)
HALF_N150 = dataclasses.replace(N150, name="half-n150", dram_banks=6, dram_bytes_per_second=144e9)


def test_the_session_device_is_an_n150(device):
    assert target_of(device) is N150


def test_the_device_reports_the_targets_grid_and_banks(ttnn, device):
    grid = device.compute_with_storage_grid_size()
    assert (grid.x, grid.y) == N150.compute_grid
    assert ttnn.get_memory_view(device, ttnn.BufferType.DRAM).num_banks == N150.dram_banks
    assert ttnn.get_memory_view(device, ttnn.BufferType.L1).num_banks == N150.num_cores


def test_a_device_no_target_describes_is_named():
    grid = SimpleNamespace(x=8, y=7)
    unknown = SimpleNamespace(compute_with_storage_grid_size=lambda: grid, arch=lambda: SimpleNamespace(name="WORMHOLE_B0"),
                              get_num_devices=lambda: 1)
    with pytest.raises(ValueError, match=r"no Target describes this device \(arch wormhole_b0, worker grid 8x7, 1 chip"):
        target_of(unknown)


def test_the_footprint_check_reads_the_target():
    """A target with half the DRAM refuses a cache the n150 takes, and says which device it was."""
    fits_n150 = largest_max_seq_len(QWEN3_DIMS, 32)
    check_fits(QWEN3_DIMS, fits_n150, 32, weight_bytes(QWEN3_DIMS, "bfloat16"))
    with pytest.raises(MemoryError, match="more than the half-n150's 5.99 GiB of DRAM"):
        check_fits(QWEN3_DIMS, fits_n150, 32, weight_bytes(QWEN3_DIMS, "bfloat16"), HALF_N150)
    assert largest_max_seq_len(QWEN3_DIMS, 32, target=HALF_N150) < fits_n150


def test_the_roofline_reads_the_targets_bandwidth():
    n150 = roofline(QWEN3_DIMS, "bfloat16", 128, 1, 20.0)
    half = roofline(QWEN3_DIMS, "bfloat16", 128, 1, 20.0, HALF_N150)
    assert half["floor_seconds_per_step"] == pytest.approx(2 * n150["floor_seconds_per_step"])
    assert "at 288 GB/s" in n150["summary"] and "at 144 GB/s" in half["summary"]


def test_the_reports_describe_the_target():
    assert N150.describe() == "n150, 288 GB/s DRAM"
