"""Op checks written the way tt-metal's own op tests are: `ttnn.Tensor(torch_tensor, dtype)`,
`.to(ttnn.TILE_LAYOUT)`, `.to(device, mem_config)`, `ttnn.get_golden_function(op)`, `ttnn.to_torch`.

Plain `import ttnn`: the file never knows which ttnn it gets. Each case returns
(what the device computed, what the op's golden function computes, its PCC component); on the host
backend they are compared (test_bringup_style.py), on the mock n150 the same file runs on the real
0.81.1 beside the host and their output specs and goldens are compared (tests/mock)."""

import torch

import ttnn

DRAM = ttnn.DRAM_MEMORY_CONFIG


def _torch(seed, *shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _on_device(device, values, dtype=ttnn.bfloat16, mem_config=DRAM):
    return ttnn.Tensor(values, dtype).to(ttnn.TILE_LAYOUT).to(device, mem_config)


def linear_bias_gelu_approx(device):
    x, w, b = _torch(1, 1, 1, 64, 128), _torch(2, 128, 96), _torch(3, 1, 96)
    out = ttnn.linear(_on_device(device, x), _on_device(device, w), bias=_on_device(device, b),
                      activation="gelu_approx", memory_config=ttnn.L1_MEMORY_CONFIG)
    golden = ttnn.get_golden_function(ttnn.linear)(x, w, bias=b, activation="gelu_approx")
    return out, golden, "op.linear"


def matmul_bfloat8_b_weights(device):
    x, w = _torch(4, 1, 1, 32, 256), _torch(5, 256, 128)
    out = ttnn.matmul(_on_device(device, x), ttnn.Tensor(w, ttnn.bfloat8_b, device, ttnn.TILE_LAYOUT))
    return out, ttnn.get_golden_function(ttnn.matmul)(x, w), ("op.linear", "bfloat8_b")


def rms_norm(device):
    x, gamma = _torch(6, 1, 1, 32, 256), _torch(7, 256)
    tt_gamma = ttnn.Tensor(gamma.reshape(1, 1, 8, 32), ttnn.bfloat16).to(device)  # ROW_MAJOR [.., W/32, 32]
    out = ttnn.rms_norm(_on_device(device, x), epsilon=1e-6, weight=tt_gamma)
    return out, ttnn.get_golden_function(ttnn.rms_norm)(x, gamma, epsilon=1e-6), "op.rms_norm"


def rotary_embedding_decode(device):
    x, cos, sin = _torch(8, 1, 8, 1, 64), _torch(9, 1, 1, 64, 64), _torch(10, 1, 1, 64, 64)
    out = ttnn.experimental.rotary_embedding(_on_device(device, x), _on_device(device, cos),
                                             _on_device(device, sin), 5)
    golden = ttnn.get_golden_function(ttnn.experimental.rotary_embedding)(x, cos, sin, 5)
    return out[:, :, :1, :], golden, "op.rotary_embedding"


def sdpa_prefill_gqa(device):
    q, k, v = _torch(11, 1, 8, 64, 64), _torch(12, 1, 2, 64, 64), _torch(13, 1, 2, 64, 64)
    out = ttnn.transformer.scaled_dot_product_attention(_on_device(device, q), _on_device(device, k),
                                                        _on_device(device, v), is_causal=True)
    golden = ttnn.get_golden_function(ttnn.transformer.scaled_dot_product_attention)(q, k, v, is_causal=True)
    return out, golden, "op.sdpa"


def sdpa_decode_cur_pos(device):
    q, k, v = _torch(14, 1, 4, 8, 64), _torch(15, 4, 2, 128, 64), _torch(16, 4, 2, 128, 64)
    positions = [3, 40, 77, 127]
    out = ttnn.transformer.scaled_dot_product_attention_decode(_on_device(device, q), _on_device(device, k),
                                                               _on_device(device, v), cur_pos=positions)
    golden = ttnn.get_golden_function(ttnn.transformer.scaled_dot_product_attention_decode)(q, k, v,
                                                                                          cur_pos=positions)
    return out, golden, "op.sdpa_decode"


def embedding(device):
    ids, table = torch.randint(0, 100, (1, 32), generator=torch.Generator().manual_seed(17)), _torch(18, 100, 64)
    out = ttnn.embedding(ttnn.Tensor(ids.to(torch.int32), ttnn.uint32).to(device),
                         ttnn.Tensor(table, ttnn.bfloat16).to(device))
    return out, ttnn.get_golden_function(ttnn.embedding)(ids, table), "op.embedding"


def softmax(device):
    x = _torch(19, 1, 1, 32, 128)
    out = ttnn.softmax(_on_device(device, x), dim=-1)
    return out, ttnn.get_golden_function(ttnn.softmax)(x, dim=-1), "op.softmax"


def silu_mul_add(device):
    a, b = _torch(20, 1, 1, 32, 64), _torch(21, 1, 1, 32, 64)
    ta, tb = _on_device(device, a), _on_device(device, b)
    out = ttnn.add(ttnn.mul(ttnn.silu(ta), tb), ta)
    silu, mul, add = (ttnn.get_golden_function(op) for op in (ttnn.silu, ttnn.mul, ttnn.add))
    return out, add(mul(silu(a), b), a), "op.eltwise"


def fill_then_update_cache(device):
    # bf16 values in torch: the cache ops copy, so the device holds exactly the golden's numbers.
    cache, prompt, token = (_torch(seed, *shape).bfloat16().float()
                            for seed, shape in ((22, (2, 2, 64, 64)), (23, (1, 2, 32, 64)), (24, (1, 2, 32, 64))))
    tt_cache = _on_device(device, cache)
    ttnn.fill_cache(tt_cache, _on_device(device, prompt), 1)
    ttnn.update_cache(tt_cache, _on_device(device, token), 40)
    expected = ttnn.get_golden_function(ttnn.fill_cache)(cache, prompt, 1)
    expected = ttnn.get_golden_function(ttnn.update_cache)(expected, token, 40)
    return tt_cache, expected, "op.kv_cache"


def ones_untilize_with_unpadding(device):
    tiled = ttnn.ones([1, 1, 32, 64], dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.untilize_with_unpadding(tiled, [0, 0, 6, 49])
    return out, torch.ones(1, 1, 7, 50), "op.eltwise"


CASES = [linear_bias_gelu_approx, matmul_bfloat8_b_weights, rms_norm, rotary_embedding_decode, sdpa_prefill_gqa,
         sdpa_decode_cur_pos, embedding, softmax, silu_mul_add, fill_then_update_cache, ones_untilize_with_unpadding]
