"""A Qwen3 decoder layer: pre-norm attention and pre-norm MLP, each with a residual add."""

from __future__ import annotations

import ttnn

from tt_qwen.model.attention import Attention
from tt_qwen.model.mlp import MLP
from tt_qwen.model.rmsnorm import RMSNorm


class DecoderLayer:
    def __init__(self, loader, index: int, hf_layer, dims, attention_dtype, mlp_dtype):
        prefix = f"layers.{index}"
        self.index = index
        self.input_layernorm = RMSNorm(loader, f"{prefix}.input_layernorm", hf_layer.input_layernorm.weight, dims.rms_norm_eps)
        self.self_attn = Attention(loader, f"{prefix}.self_attn", hf_layer.self_attn, dims, attention_dtype)
        self.post_attention_layernorm = RMSNorm(
            loader, f"{prefix}.post_attention_layernorm", hf_layer.post_attention_layernorm.weight, dims.rms_norm_eps)
        self.mlp = MLP(loader, f"{prefix}.mlp", hf_layer.mlp, mlp_dtype)

    def prefill(self, x, rope, kv_cache, user: int, start: int):
        keys, values = kv_cache.layer(self.index)
        return self._finish(x, self.self_attn.prefill(self.input_layernorm(x), rope, keys, values, user, start,
                                                      cache=kv_cache))

    def decode(self, x, rope_tables, kv_cache, positions):
        keys, values = kv_cache.layer(self.index)
        return self._finish(x, self.self_attn.decode(self.input_layernorm(x), rope_tables, keys, values, positions,
                                                     cache=kv_cache))

    def _finish(self, x, attn):
        hidden = ttnn.add(x, attn)
        del attn  # dropping the last reference frees the buffer, without a ttnn.deallocate dispatch
        return ttnn.add(hidden, self.mlp(self.post_attention_layernorm(hidden)))
