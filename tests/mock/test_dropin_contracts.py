"""The host contracts that were stricter (or looser) than ttnn 0.81.1's, each run on the host and
on the real package with a mock n150: both accept it with the same output spec, or both refuse."""

import pytest
import torch

from tt_qwen.optrace import spec

CASES = {}


def case(function):
    CASES[function.__name__.replace("_", "-")] = function
    return function


def dev(tt, device, values, dtype=None, memory_config=None):
    return tt.from_torch(values, dtype=dtype or tt.bfloat16, layout=tt.TILE_LAYOUT, device=device,
                         memory_config=memory_config or tt.DRAM_MEMORY_CONFIG)


def height_sharded(tt, shard, cores):
    grid = tt.num_cores_to_corerangeset(cores, tt.CoreCoord(8, 8), row_wise=True)
    return tt.MemoryConfig(tt.TensorMemoryLayout.HEIGHT_SHARDED, tt.BufferType.L1,
                           tt.ShardSpec(grid, list(shard), tt.ShardOrientation.ROW_MAJOR))


# --- to_layout of block-float host tensors: a no-op ------------------------------------------
@case
def to_layout_row_major_of_a_bfloat8_b_host_tensor(tt, device):
    return tt.to_layout(tt.from_torch(torch.randn(64, 64), dtype=tt.bfloat8_b, layout=tt.TILE_LAYOUT),
                        tt.ROW_MAJOR_LAYOUT)


@case
def to_layout_row_major_of_a_bfloat4_b_host_tensor(tt, device):
    return tt.to_layout(tt.from_torch(torch.randn(64, 64), dtype=tt.bfloat4_b, layout=tt.TILE_LAYOUT),
                        tt.ROW_MAJOR_LAYOUT)


# --- reshape to a smaller logical shape with the same padded shape: a re-view ------------------
@case
def reshape_tile_to_a_smaller_logical_shape_on_device(tt, device):
    return tt.reshape(dev(tt, device, torch.randn(1, 1, 32, 64)), [1, 1, 7, 64], [1, 1, 32, 64])


@case
def reshape_tile_to_a_smaller_logical_shape_on_host(tt, device):
    t = tt.from_torch(torch.randn(1, 1, 32, 64), dtype=tt.bfloat16, layout=tt.TILE_LAYOUT)
    return tt.reshape(t, [1, 1, 7, 64], [1, 1, 32, 64])


@case
def reshape_tile_to_another_padded_volume_is_refused(tt, device):
    return tt.reshape(dev(tt, device, torch.randn(1, 1, 32, 64)), [1, 1, 7, 64], [1, 1, 64, 64])


# --- paged_update_cache(share_cache=True) ------------------------------------------------------
@case
def paged_update_cache_shared_by_four_users(tt, device):
    cache = dev(tt, device, torch.randn(1, 8, 64, 128))
    x = dev(tt, device, torch.randn(1, 4, 8, 128), memory_config=height_sharded(tt, (32, 128), 4))
    return tt.experimental.paged_update_cache(cache, x, update_idxs=[3, 5, 7, 9], share_cache=True)


# --- rotary_embedding with a sharded input or a sharded request without a spec -----------------
def _rotary(tt, device, shape, input_config=None, memory_config=None):
    x = dev(tt, device, torch.randn(*shape), memory_config=input_config)
    cos, sin = (dev(tt, device, torch.randn(1, 1, shape[-2], shape[-1])) for _ in range(2))
    return tt.experimental.rotary_embedding(x, cos, sin, memory_config=memory_config)


@case
def rotary_of_a_height_sharded_input(tt, device):
    return _rotary(tt, device, (1, 1, 256, 128), height_sharded(tt, (32, 128), 8))


@case
def rotary_of_a_sharded_input_into_a_sharded_config_without_spec(tt, device):
    return _rotary(tt, device, (1, 1, 256, 128), height_sharded(tt, (32, 128), 8), tt.L1_HEIGHT_SHARDED_MEMORY_CONFIG)


for _shape in ((1, 1, 256, 128), (1, 8, 96, 128), (1, 8, 2048, 128)):
    def _rotary_interleaved(tt, device, shape=_shape):
        return _rotary(tt, device, shape, None, tt.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    CASES["rotary-of-an-interleaved-input-into-a-sharded-config-without-spec-" + "x".join(map(str, _shape))] = \
        _rotary_interleaved


# --- SDPA decode masks [b, 1, nh, S] and [1, b, nh, S] ------------------------------------------
def _decode(tt, device, mask_shape, paged: bool):
    b, nh, nkv, hd, block, blocks = 4, 8, 2, 64, 32, 2
    q = dev(tt, device, torch.randn(1, b, nh, hd))
    mask = dev(tt, device, torch.zeros(mask_shape))
    if not paged:
        k, v = (dev(tt, device, torch.randn(b, nkv, block * blocks, hd)) for _ in range(2))
        return tt.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=False, attn_mask=mask)
    k, v = (dev(tt, device, torch.randn(b * blocks, nkv, block, hd)) for _ in range(2))
    table = tt.from_torch(torch.arange(b * blocks, dtype=torch.int32).reshape(b, blocks), dtype=tt.int32, device=device)
    return tt.transformer.paged_scaled_dot_product_attention_decode(q, k, v, table, is_causal=False, attn_mask=mask)


for _paged in (True, False):
    for _mask in ((4, 1, 8, 64), (1, 4, 8, 64)):
        def _decode_case(tt, device, mask=_mask, paged=_paged):
            return _decode(tt, device, mask, paged)
        CASES[f"{'paged-' if _paged else ''}sdpa-decode-mask-{'x'.join(map(str, _mask))}"] = _decode_case


# --- linear: sharded output without a spec, 1-D operands, activations, output tensor -------------
for _m, _k, _n, _config in ((32, 256, 512, "L1_WIDTH_SHARDED_MEMORY_CONFIG"), (32, 64, 4096, "L1_WIDTH_SHARDED_MEMORY_CONFIG"),
                            (256, 64, 64, "L1_HEIGHT_SHARDED_MEMORY_CONFIG"), (4096, 64, 64, "L1_HEIGHT_SHARDED_MEMORY_CONFIG"),
                            (96, 64, 64, "L1_HEIGHT_SHARDED_MEMORY_CONFIG"), (256, 256, 256, "L1_BLOCK_SHARDED_MEMORY_CONFIG")):
    def _linear_sharded(tt, device, m=_m, k=_k, n=_n, config=_config):
        a, b = dev(tt, device, torch.randn(1, 1, m, k)), dev(tt, device, torch.randn(k, n))
        return tt.linear(a, b, memory_config=getattr(tt, config))
    CASES[f"linear-{_m}x{_k}x{_n}-into-{_config.split('_')[1].lower()}-sharded-without-spec"] = _linear_sharded


@case
def linear_of_two_vectors(tt, device):
    return tt.linear(dev(tt, device, torch.randn(64)), dev(tt, device, torch.randn(64)))


@case
def matmul_of_two_vectors(tt, device):
    return tt.matmul(dev(tt, device, torch.randn(64)), dev(tt, device, torch.randn(64)))


@case
def linear_with_the_common_activations(tt, device):
    a, b = dev(tt, device, torch.randn(1, 1, 32, 64)), dev(tt, device, torch.randn(64, 96))
    return [tt.linear(a, b, activation=name) for name in ("gelu_approx", "relu6", "hardsigmoid", "tanh", "silu")]


@case
def linear_into_an_optional_output_tensor(tt, device):
    a, b = dev(tt, device, torch.randn(1, 1, 32, 64)), dev(tt, device, torch.randn(64, 96))
    given = dev(tt, device, torch.zeros(1, 1, 32, 96))
    return tt.linear(a, b, optional_output_tensor=given), given


@case
def embedding_with_queue_id(tt, device):
    ids = tt.from_torch(torch.tensor([[1, 2, 3]]), dtype=tt.uint32, device=device)
    return tt.embedding(ids, tt.from_torch(torch.randn(10, 64), dtype=tt.bfloat16, device=device), queue_id=0)


# --- constructors and helpers ----------------------------------------------------------------------
@case
def tensor_constructors_and_to(tt, device):
    t = tt.Tensor(torch.randn(1, 1, 32, 64), tt.bfloat16)
    return (t, t.to(tt.TILE_LAYOUT), t.to(tt.TILE_LAYOUT).to(device, tt.L1_MEMORY_CONFIG),
            t.to(device=device, mem_config=tt.L1_MEMORY_CONFIG), tt.Tensor(torch.randn(2, 64), tt.bfloat8_b, device, tt.TILE_LAYOUT),
            tt.Tensor(torch.randn(2, 64), tt.bfloat16, device=device, layout=tt.TILE_LAYOUT, mem_config=tt.L1_MEMORY_CONFIG),
            tt.Tensor(torch.randn(2, 64)), tt.Tensor(torch.randn(2, 64).bfloat16()), tt.Tensor(torch.tensor([1, 2]).int()),
            tt.Tensor([1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2], tt.float32, tt.ROW_MAJOR_LAYOUT), t.pad_to_tile(0.0))


@case
def ones_and_storage_predicates(tt, device):
    on_device = tt.ones([1, 1, 32, 32], dtype=tt.bfloat16, layout=tt.TILE_LAYOUT, device=device)
    return (tt.ones([2, 3]), on_device, tt.is_tensor_storage_on_device(on_device),
            tt.is_tensor_storage_on_device(tt.ones([2, 3])))


@case
def untilize_with_unpadding(tt, device):
    return tt.untilize_with_unpadding(dev(tt, device, torch.randn(1, 1, 32, 64)), [0, 0, 6, 49])


@case
def fill_implicit_tile_padding(tt, device):
    return tt.fill_implicit_tile_padding(dev(tt, device, torch.randn(1, 1, 7, 50)), 0.0)


@case
def create_layer_norm_reciprocals(tt, device):
    grid = tt.CoreRangeSet([tt.CoreRange(tt.CoreCoord(0, 0), tt.CoreCoord(1, 1))])
    return tt.create_layer_norm_reciprocals(device, grid, 1024)


@case
def num_cores_to_corerangeset_in_subcoregrids(tt, device):
    grid = tt.CoreRangeSet([tt.CoreRange(tt.CoreCoord(1, 0), tt.CoreCoord(3, 7))])
    return [repr(tt.num_cores_to_corerangeset_in_subcoregrids(tt.CoreCoord(1, 0), n, grid, row_wise=rw))
            for n in (1, 10, 24) for rw in (True, False)]


def outcome(function, tt, device) -> str:
    try:
        return "accepted: " + spec(function(tt, device))
    except (RuntimeError, TypeError, IndexError) as error:
        return f"refused ({type(error).__name__})"


@pytest.mark.parametrize("name", sorted(CASES))
def test_host_and_real_ttnn_agree(name, ttnn, device, host_backend):
    host, host_device = host_backend
    real = outcome(CASES[name], ttnn, device)
    ours = outcome(CASES[name], host, host_device)
    assert ours == real, f"{name}: host {ours} vs real ttnn {real}"


def test_a_host_that_puts_a_sharded_rotary_output_on_one_core_is_caught(ttnn, device, host_backend, monkeypatch):
    """Mutant: the old behaviour (the whole output on core (0, 0)) fails the rotary contract."""
    from tt_qwen.host.ops import rotary

    host, host_device = host_backend
    monkeypatch.setattr(rotary, "with_inferred_shard_spec", lambda config, padded: host.MemoryConfig(
        config.memory_layout, host.BufferType.L1,
        host.ShardSpec(host.CoreRangeSet([host.CoreRange(host.CoreCoord(0, 0), host.CoreCoord(0, 0))]),
                       [256, 128], host.ShardOrientation.ROW_MAJOR)))
    name = "rotary-of-an-interleaved-input-into-a-sharded-config-without-spec-1x1x256x128"
    assert outcome(CASES[name], host, host_device) != outcome(CASES[name], ttnn, device)
