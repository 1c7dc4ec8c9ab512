"""Memory truth: the n150's real allocator (on the mock device) against our footprint check and
the host backend's allocator."""

import pytest
import torch

from tt_qwen import build_model, zoo
from tt_qwen.model.config import Qwen3Dims
from tt_qwen.model.footprint import largest_max_seq_len

# The largest 32-user bf16 cache of 28 layers the real allocator takes without weights
# (docs/ttnn-0.81.1-probe.md: S=3488 fits, S=3520 does not).
PROBED_FIT, PROBED_MISS = 3488, 3520


@pytest.fixture(scope="module")
def full_size():
    return zoo.load_hf_model(zoo.resolve("qwen3-0.6b-random")[0])


def test_largest_accepted_32_user_cache_runs_on_the_real_allocator(full_size, clean_device, record_property):
    """build_model accepts up to largest_max_seq_len; at that size the full model, weights and
    cache, prefills and decodes all 32 users at the last position on the mock n150's allocator."""
    dims = Qwen3Dims.from_hf(full_size.config)
    longest = largest_max_seq_len(dims, 32)
    record_property("largest_max_seq_len_batch32", longest)
    device = clean_device
    model = build_model(full_size, device, longest)
    try:
        model.prefill(torch.arange(64), last_token_only=True)
        model.decode(torch.arange(32), [longest - 1] * 32)
    finally:
        model.release()
    with pytest.raises(MemoryError, match=rf"batch 32 x max_seq_len {longest + 32}"):
        build_model(full_size, device, longest + 32)


@pytest.mark.parametrize("seq, fits", [(PROBED_FIT, True), (PROBED_MISS, False)], ids=["seq3488-fits", "seq3520-out-of-memory"])
def test_host_allocator_fits_exactly_what_the_real_one_does(seq, fits, ttnn, clean_device, host_backend):
    host, host_device = host_backend
    for module, dev in ((ttnn, clean_device), (host, host_device)):
        view = module.get_memory_view(dev, module.BufferType.DRAM)
        assert view.total_bytes_allocated_per_bank == 0, f"{module.__name__}: DRAM not empty, the test needs the whole device"
        tensors = []
        try:
            if fits:
                tensors = _cache(module, dev, seq)
            else:
                with pytest.raises(RuntimeError, match=r"Out of Memory: Not enough space to allocate \d+ B DRAM buffer"):
                    tensors = _cache(module, dev, seq)
        finally:
            for tensor in tensors:
                module.deallocate(tensor)


def _cache(module, device, seq):
    tensors = []
    try:
        for _ in range(56):  # K and V of 28 layers
            tensors.append(module.allocate_tensor_on_device(
                module.Shape([32, 8, seq, 128]), module.bfloat16, module.TILE_LAYOUT, device, module.DRAM_MEMORY_CONFIG))
    except RuntimeError:
        for tensor in tensors:
            module.deallocate(tensor)
        raise
    return tensors
