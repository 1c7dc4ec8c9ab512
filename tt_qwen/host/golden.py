"""Golden functions: torch references attached to the host ops, as ttnn 0.81.1 attaches its own.

`ttnn.get_golden_function(op)` returns `op.golden_function` and raises for an op without one;
the ops with goldens, and their call conventions (torch tensors in, torch tensor out), are those
of 0.81.1 (tests/mock/test_dropin_goldens.py runs both on the same inputs).
"""

from __future__ import annotations

import math

import torch

ACTIVATIONS = {
    "relu": torch.relu, "silu": torch.nn.functional.silu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
    "gelu": torch.nn.functional.gelu, "gelu_approx": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0), "hardsigmoid": torch.nn.functional.hardsigmoid,
    "hardswish": torch.nn.functional.hardswish, "mish": torch.nn.functional.mish, "exp": torch.exp,
    "neg": torch.neg, "square": torch.square, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
    "recip": torch.reciprocal, "log": torch.log, "abs": torch.abs, "softplus": torch.nn.functional.softplus,
    "selu": torch.nn.functional.selu, "elu": torch.nn.functional.elu, "identity": lambda x: x,
}


def activation(name: str):
    """The torch function of a ttnn activation name ("silu", "gelu_approx", ...), or None if unknown."""
    return ACTIVATIONS.get(str(name).lower())


def _linear(input_tensor_a, input_tensor_b, transpose_a=False, transpose_b=False, *, bias=None, activation=None,
            **_):
    a = input_tensor_a.transpose(-1, -2) if transpose_a else input_tensor_a
    b = input_tensor_b.transpose(-1, -2) if transpose_b else input_tensor_b
    out = a.float() @ b.float()
    if bias is not None:
        out = out + bias.float()
    if activation is not None:
        name = getattr(getattr(activation, "op_type", None), "name", activation)
        out = ACTIVATIONS[str(name).lower()](out)
    return out


def _normalize(x, epsilon, weight, bias, residual, rms: bool):
    x = x.float() if residual is None else x.float() + residual.float()
    if not rms:
        x = x - x.mean(-1, keepdim=True)
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + epsilon)
    width = x.shape[-1]
    if weight is not None:
        y = y * weight.float().reshape(-1)[:width]
    if bias is not None:
        y = y + bias.float().reshape(-1)[:width]
    return y


def _rms_norm(input_tensor, weight=None, *, epsilon=1e-12, bias=None, residual_input_tensor=None, **_):
    return _normalize(input_tensor, epsilon, weight, bias, residual_input_tensor, rms=True)


def _layer_norm(input_tensor, *, epsilon=1e-12, weight=None, bias=None, residual_input_tensor=None, **_):
    return _normalize(input_tensor, epsilon, weight, bias, residual_input_tensor, rms=False)


def _embedding(input_tensor, weight, **_):
    return torch.nn.functional.embedding(input_tensor.long(), weight.reshape(-1, weight.shape[-1]))


def _rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def _rotary_embedding(x, cos_cached, sin_cached, token_idx=None, **_):
    seq = x.shape[-2]
    if token_idx is None:
        cos, sin = cos_cached[..., :seq, :], sin_cached[..., :seq, :]
    else:
        cos, sin = cos_cached[..., token_idx: token_idx + 1, :], sin_cached[..., token_idx: token_idx + 1, :]
    return x.float() * cos.float() + _rotate_half(x.float()) * sin.float()


def _attend(q, k, v, scale, mask):
    group = q.shape[-3] // k.shape[-3]
    k, v = k.float().repeat_interleave(group, dim=-3), v.float().repeat_interleave(group, dim=-3)
    scores = q.float() @ k.transpose(-1, -2) * (1.0 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is not None:
        scores = scores + mask
    return torch.softmax(scores, dim=-1) @ v


def _sdpa(input_tensor_q, input_tensor_k, input_tensor_v, *, attn_mask=None, is_causal=True, scale=None, **_):
    mask = attn_mask.float() if attn_mask is not None else None
    if is_causal:
        sq, sk = input_tensor_q.shape[-2], input_tensor_k.shape[-2]
        mask = torch.full((sq, sk), float("-inf")).triu(sk - sq + 1)
    return _attend(input_tensor_q, input_tensor_k, input_tensor_v, scale, mask)


def _decode_mask_row(attn_mask, user: int, heads: int):
    """A decode mask's rows for one user: [b, 1, nh, S] (tt-metal's golden) or [1, b, nh, S]."""
    if attn_mask.shape[1] == 1:
        return attn_mask[user % attn_mask.shape[0], 0, :heads]
    return attn_mask[0, user, :heads]


def _decode(q, kv_of_user, length, positions, attn_mask, is_causal, scale):
    _, batch, heads, _ = q.shape
    rows = []
    for user in range(batch):
        k, v = kv_of_user(user)
        end = positions[user] + 1 if is_causal else length
        if end <= 0:
            rows.append(torch.zeros(heads, q.shape[-1]))
            continue
        mask = _decode_mask_row(attn_mask.float(), user, heads)[:, None, :end] if attn_mask is not None else None
        rows.append(_attend(q[0, user][:, None], k[:, :end], v[:, :end], scale, mask)[:, 0])
    return torch.stack(rows)[None]


def _positions(cur_pos, cur_pos_tensor, batch: int, length: int):
    if cur_pos_tensor is not None:
        return [int(p) for p in cur_pos_tensor.reshape(-1).tolist()][:batch]
    return [int(p) for p in cur_pos][:batch] if len(cur_pos) else [length - 1] * batch


def _sdpa_decode(input_tensor_q, input_tensor_k, input_tensor_v, *, is_causal=True, attn_mask=None, cur_pos=(),
                 cur_pos_tensor=None, scale=None, share_cache=None, **_):
    k, v = input_tensor_k, input_tensor_v
    length = k.shape[-2]
    positions = _positions(cur_pos, cur_pos_tensor, input_tensor_q.shape[1], length)

    def kv_of_user(user):
        index = 0 if share_cache or k.shape[0] == 1 else user
        return k[index], v[index]

    return _decode(input_tensor_q, kv_of_user, length, positions, attn_mask, is_causal, scale)


def _paged_sdpa_decode(input_tensor_q, input_tensor_k, input_tensor_v, page_table_tensor, *, is_causal=True,
                       attn_mask=None, cur_pos_tensor=None, scale=None, **_):
    blocks, kv_heads, block_size, head_dim = input_tensor_k.shape
    length = page_table_tensor.shape[1] * block_size
    positions = _positions((), cur_pos_tensor, input_tensor_q.shape[1], length)

    def kv_of_user(user):
        table = page_table_tensor[user].long()
        return tuple(t[table].permute(1, 0, 2, 3).reshape(kv_heads, length, head_dim)
                     for t in (input_tensor_k, input_tensor_v))

    return _decode(input_tensor_q, kv_of_user, length, positions, attn_mask, is_causal, scale)


def _fill_cache(cache_tensor, input_tensor, batch_idx, *args, update_idx=0, **_):
    cache = cache_tensor.clone()
    cache[batch_idx, :, update_idx: update_idx + input_tensor.shape[-2]] = input_tensor[0]
    return cache


def _update_cache(cache, input, update_idx, *args, batch_offset=0, **_):
    """input [1, heads, users (padded), head_dim]: user u's row goes to cache[u, :, update_idx]."""
    out = cache.clone()
    users = cache.shape[0]
    out[:, :, update_idx] = input[0, :, batch_offset: batch_offset + users].transpose(0, 1)
    return out


def _binary(fn):
    def golden(input_tensor_a, input_tensor_b, *args, **_):
        return fn(torch.as_tensor(input_tensor_a), torch.as_tensor(input_tensor_b))
    return golden


def _unary(fn):
    def golden(input_tensor, *args, **_):
        return fn(input_tensor.float())
    return golden


def _softmax(input_tensor, dim=-1, **_):
    return torch.softmax(input_tensor.float(), dim=-1 if dim is None else dim)


def _split_heads(input_tensor, kv_input_tensor=None, *, num_heads, num_kv_heads=None, transpose_key=True, **_):
    num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
    batch, seq, width = input_tensor.shape
    head_dim = width // (num_heads + 2 * num_kv_heads)
    q, k, v = input_tensor.split([num_heads * head_dim, num_kv_heads * head_dim, num_kv_heads * head_dim], dim=-1)
    q = q.reshape(batch, seq, num_heads, head_dim).transpose(1, 2)
    k = k.reshape(batch, seq, num_kv_heads, head_dim).transpose(1, 2)
    v = v.reshape(batch, seq, num_kv_heads, head_dim).transpose(1, 2)
    return q, (k.transpose(-1, -2) if transpose_key else k), v


def _identity(tensor, *args, **_):
    return tensor


GOLDENS = {
    "linear": _linear, "matmul": _linear, "rms_norm": _rms_norm, "layer_norm": _layer_norm,
    "embedding": _embedding, "experimental.rotary_embedding": _rotary_embedding,
    "transformer.scaled_dot_product_attention": _sdpa,
    "transformer.scaled_dot_product_attention_decode": _sdpa_decode,
    "transformer.paged_scaled_dot_product_attention_decode": _paged_sdpa_decode,
    "transformer.split_query_key_value_and_split_heads": _split_heads,
    "fill_cache": _fill_cache, "update_cache": _update_cache,
    "kv_cache.fill_cache_for_user_": _fill_cache, "kv_cache.update_cache_for_token_": _update_cache,
    "add": _binary(torch.add), "sub": _binary(torch.sub), "subtract": _binary(torch.sub),
    "mul": _binary(torch.mul), "multiply": _binary(torch.mul), "softmax": _softmax,
    "from_torch": _identity, "to_torch": _identity, "to_device": _identity, "from_device": _identity,
    "to_layout": _identity, "as_tensor": _identity,
}
GOLDENS.update({name: _unary(fn) for name, fn in ACTIVATIONS.items() if name not in ("identity", "recip")})


def attach(module, prefix: str = "") -> None:
    """Give each op `module` exports its golden_function (None where 0.81.1 has none)."""
    for name, value in vars(module).items():
        if callable(value) and not isinstance(value, type) and not name.startswith("_"):
            golden = GOLDENS.get(prefix + name)
            if golden is not None or getattr(value, "golden_function", None) is None:
                try:
                    value.golden_function = golden
                except AttributeError:  # a builtin or bound method: no golden, like 0.81.1's helpers
                    pass


def attach_golden_function(operation, golden_function) -> None:
    operation.golden_function = golden_function


def get_golden_function(operation):
    golden = getattr(operation, "golden_function", None)
    if golden is None:
        raise RuntimeError(f"{operation} does not have a golden function")
    return golden
