"""The HF float32 reference: logits, the hidden state after every layer, the KV cache, greedy
tokens, and single blocks run on their own with the same inputs the TTNN blocks see."""

from __future__ import annotations

import torch

from tt_qwen.hf_compat import cache_of


@torch.no_grad()
def logits(hf_model, ids: torch.Tensor) -> torch.Tensor:
    """[S, vocab] float32 for one sequence of token ids."""
    return hf_model(ids.reshape(1, -1)).logits[0].float()


@torch.no_grad()
def layer_outputs(hf_model, ids: torch.Tensor) -> list[torch.Tensor]:
    """The residual stream [S, hidden] after each decoder layer (before the final norm)."""
    captured = []
    hooks = [layer.register_forward_hook(lambda _m, _i, out: captured.append(_first(out)[0].float()))
             for layer in hf_model.model.layers]
    try:
        hf_model(ids.reshape(1, -1))
    finally:
        for hook in hooks:
            hook.remove()
    if len(captured) != len(hf_model.model.layers):
        raise RuntimeError(f"captured {len(captured)} layer outputs for {len(hf_model.model.layers)} layers")
    return captured


@torch.no_grad()
def kv_cache(hf_model, ids: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per layer (K, V) [n_kv, S, head_dim] after a prefill of `ids`, keys already rotated."""
    cache = cache_of(hf_model(ids.reshape(1, -1), use_cache=True))
    layers = getattr(cache, "layers", None)
    if layers is not None:  # transformers >= 4.56
        return [(layer.keys[0].float(), layer.values[0].float()) for layer in layers]
    return [(cache.key_cache[i][0].float(), cache.value_cache[i][0].float()) for i in range(len(cache))]


@torch.no_grad()
def greedy(hf_model, ids: torch.Tensor, new_tokens: int) -> torch.Tensor:
    """HF greedy continuation [new_tokens] of one prompt."""
    out = hf_model.generate(ids.reshape(1, -1), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                            do_sample=False, attention_mask=torch.ones(1, ids.numel(), dtype=torch.long))
    return out[0, ids.numel():]


def rope(hf_model, length: int, start: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """HF's own cos, sin [1, length, head_dim] for positions start..start+length-1."""
    positions = torch.arange(start, start + length).reshape(1, -1)
    probe = torch.zeros(1, length, 1, dtype=torch.float32)
    return hf_model.model.rotary_emb(probe, positions)


def causal_mask(length: int, start: int = 0) -> torch.Tensor:
    """Additive [1, 1, length, start + length] mask of a chunk that starts at position `start`."""
    query = torch.arange(length).unsqueeze(1) + start
    key = torch.arange(start + length).unsqueeze(0)
    return torch.zeros(length, start + length).masked_fill(key > query, float("-inf")).reshape(1, 1, length, -1)


@torch.no_grad()
def attention_kv(hf_model, index: int, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """What layer `index`'s attention caches for input x [S, hidden] at positions 0..S-1: K (k_norm,
    then RoPE) and V, each [n_kv_heads, S, head_dim]."""
    from transformers.models.qwen3.modeling_qwen3 import apply_rotary_pos_emb

    attn = hf_model.model.layers[index].self_attn
    heads = (x.shape[0], -1, attn.head_dim)
    cos, sin = rope(hf_model, x.shape[0])
    k = attn.k_norm(attn.k_proj(x).view(heads)).transpose(0, 1).unsqueeze(0)
    _, k = apply_rotary_pos_emb(k, k, cos, sin)
    return k[0], attn.v_proj(x).view(heads).transpose(0, 1)


@torch.no_grad()
def decoder_layer(hf_model, index: int, hidden: torch.Tensor) -> torch.Tensor:
    """One HF decoder layer on hidden [S, hidden] at positions 0..S-1."""
    layer = hf_model.model.layers[index]
    length = hidden.shape[0]
    out = layer(hidden.reshape(1, length, -1), attention_mask=causal_mask(length),
                position_embeddings=rope(hf_model, length), position_ids=torch.arange(length).reshape(1, -1))
    return _first(out)[0].float()


@torch.no_grad()
def attention(hf_model, index: int, hidden: torch.Tensor) -> torch.Tensor:
    """One HF attention block (no norm, no residual) on hidden [S, hidden] at positions 0..S-1."""
    attn = hf_model.model.layers[index].self_attn
    length = hidden.shape[0]
    out = attn(hidden.reshape(1, length, -1), position_embeddings=rope(hf_model, length),
               attention_mask=causal_mask(length))
    return _first(out)[0].float()


def _first(out):
    return out[0] if isinstance(out, tuple) else out
