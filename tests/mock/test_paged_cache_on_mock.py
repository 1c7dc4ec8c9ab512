"""The paged KV cache on the real ttnn 0.81.1 (mock n150): every call of a paged run (chunked
prefill into a permuted pool, its later chunks through chunked_scaled_dot_product_attention,
decode across a block edge) is accepted and matches the host backend's run call for call, output
spec for output spec; the README's largest shared pool fits the real allocator beside the full
model's weights, and one block more is refused before allocating."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tt_qwen import build_model, zoo
from tt_qwen.model.config import Qwen3Dims
from tt_qwen.model.footprint import PagedConfig, largest_num_blocks
from tt_qwen.optrace import first_difference, record

ROOT = Path(__file__).resolve().parents[2]
MAX_SEQ_LEN = 512
POOL = PagedConfig(block_size=64, max_num_blocks=24, shuffle_seed=5)
MODELS = ["tiny-gqa2", "qwen3-0.6b-1layer"]
README_POOL_MAX_SEQ_LEN, README_LARGEST_POOL = 40960, 1506  # README, "Memory on the n150", paged


def paged_scenario(ttnn, device, hf_model) -> list[dict]:
    """Build; a 150-token prompt in chunks of 64 for user 3 and a 63-token one for user 0; two
    decode steps of users 0 (positions 63, 64: into its second block) and 3 (150, 151)."""
    vocab = hf_model.config.vocab_size
    with record(ttnn) as calls:
        model = build_model(hf_model, device, MAX_SEQ_LEN, paged=POOL, prefill_chunk_size=64)
        model.prefill(torch.arange(150) % vocab, user=3, last_token_only=True)
        model.prefill(torch.arange(63) % vocab, user=0, last_token_only=True)
        for step in range(2):
            model.decode(torch.tensor([1, 2]), [63 + step, 150 + step], users=[0, 3])
        model.release()
    return calls


def host_main(model: str, out: str) -> None:
    """Run in a subprocess, where `ttnn` is the host backend."""
    from tt_qwen import backends

    backend = backends.open_backend("host")
    calls = paged_scenario(backend.ttnn, backend.device, zoo.load_hf_model(zoo.resolve(model)[0]))
    Path(out).write_text(json.dumps(calls))
    backend.close()


def host_trace(model: str, tmp_path) -> list[dict]:
    out = tmp_path / "host.json"
    code = f"from tests.mock.test_paged_cache_on_mock import host_main; host_main({model!r}, {str(out)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, f"host run failed:\n{done.stderr[-3000:]}"
    return json.loads(out.read_text())


@pytest.mark.parametrize("model", MODELS, ids=[f"{m}-paged-bs64-chunked-prefill-seq150-decode-pos63" for m in MODELS])
def test_paged_model_calls_match_the_host_backend_call_for_call(model, ttnn, device, tmp_path, record_property):
    real = paged_scenario(ttnn, device, zoo.load_hf_model(zoo.resolve(model)[0]))
    ours = host_trace(model, tmp_path)
    record_property("calls", len(real))
    ops = {call["op"] for call in real}
    paged_ops = {"experimental.paged_fill_cache", "transformer.chunked_scaled_dot_product_attention",
                 "transformer.paged_scaled_dot_product_attention_decode"}
    assert {op.removeprefix("ttnn.") for op in ops} >= paged_ops, f"the run made no paged calls: {sorted(ops)}"
    difference = first_difference(ours, real)
    assert difference is None, f"{model} paged: {difference}"


@pytest.mark.parametrize("scale", [0.1, 128 ** -0.5], ids=["scale0.1", "scale-hd128-float64"])
def test_chunked_sdpa_refuses_a_scale_float32_cannot_hold_on_both(scale, ttnn, device, host_backend):
    """0.81.1's binding takes `scale` as a C++ float and nanobind refuses a Python float it would
    round (a TypeError, before any validation): why the model passes no scale (README)."""
    host, host_device = host_backend
    for module, dev in ((ttnn, device), (host, host_device)):
        q = module.from_torch(torch.zeros(1, 16, 64, 128), dtype=module.bfloat16, layout=module.TILE_LAYOUT, device=dev)
        pool = module.from_torch(torch.zeros(4, 8, 64, 128), dtype=module.bfloat16, layout=module.TILE_LAYOUT, device=dev)
        table = module.from_torch(torch.arange(4, dtype=torch.int32).reshape(1, 4), dtype=module.int32, device=dev)
        with pytest.raises(TypeError, match="incompatible function arguments"):
            module.transformer.chunked_scaled_dot_product_attention(q, pool, pool, table, 64, scale=scale)
        exact = module.transformer.chunked_scaled_dot_product_attention(q, pool, pool, table, 64, scale=0.125)
        assert list(exact.shape) == [1, 16, 64, 128]


@pytest.fixture(scope="module")
def full_size():
    return zoo.load_hf_model(zoo.resolve("qwen3-0.6b-random")[0])


def test_largest_shared_pool_runs_on_the_real_allocator(full_size, clean_device, record_property):
    """The README's largest pool (block 64, RoPE tables for 40960) beside the 28-layer model's
    weights: two users at the last position of 40960 and 30 more share it in one decode step;
    a pool one block larger is refused before allocating, naming it."""
    dims = Qwen3Dims.from_hf(full_size.config)
    largest = largest_num_blocks(dims, README_POOL_MAX_SEQ_LEN, 32, 64)
    record_property("largest_pool_blocks", largest)
    assert largest == README_LARGEST_POOL, f"footprint's largest pool is {largest} blocks; the README says {README_LARGEST_POOL}"
    model = build_model(full_size, clean_device, README_POOL_MAX_SEQ_LEN, paged=PagedConfig(64, largest))
    try:
        model.prefill(torch.arange(64), user=0, last_token_only=True)
        last = README_POOL_MAX_SEQ_LEN - 1
        model.decode(torch.arange(32), [last, last] + [100] * 30)
        assert len(model.kv_cache.allocator.free_blocks) == largest - 2 * 640 - 30 * 2
    finally:
        model.release()
    with pytest.raises(MemoryError, match=rf"with a pool of {largest + 1} blocks of 64"):
        build_model(full_size, clean_device, README_POOL_MAX_SEQ_LEN, paged=PagedConfig(64, largest + 1))
