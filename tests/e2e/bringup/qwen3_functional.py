"""Qwen3 functional bring-up on TTNN: one file, one user (batch 1), bf16 everywhere, no tracing.

Written from the tt-metal docs (MODEL_BRINGUP.md) as models/Qwen/Qwen3-0.6B/n150/functional/model.py
would be. `build_model(hf_model, tt_device, max_seq_len)` returns a torch.nn.Module whose
`forward` follows HF's calling convention: a call without past_key_values prefills the prompt;
every later call decodes the last token of `input_ids` at the next position.

Layout of one decoder layer on the device:
- prefill: x [1, 1, S, hidden] (S padded to a tile); q/k/v are three separate linears, split into
  heads with reshape + permute -> [1, heads, S, head_dim]; K/V go into the cache with fill_cache.
- decode:  x [1, 1, 1, hidden]; the heads of the one token lie along the rows, [1, 1, heads, hd],
  which is the layout rotary_embedding(token_index=pos) and sdpa_decode expect; K/V are written
  with update_cache, which wants [1, kv_heads, users, hd].
"""

import torch
import ttnn
from transformers import GenerationMixin
from transformers.modeling_outputs import CausalLMOutputWithPast

TILE = 32


def round_up(n, multiple=TILE):
    return (n + multiple - 1) // multiple * multiple


# ---- weights ------------------------------------------------------------------------------------

def linear_weight(weight, device):
    # nn.Linear stores [out, in]; ttnn.linear computes x @ w, so transpose once at load time.
    return ttnn.from_torch(weight.detach().T.contiguous(), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT,
                           device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG)


def norm_weight(weight, device):
    # rms_norm's gamma as ROW_MAJOR rows of one tile width: [1, 1, width / 32, 32].
    return ttnn.from_torch(weight.detach().reshape(1, 1, -1, TILE), dtype=ttnn.bfloat16,
                           layout=ttnn.ROW_MAJOR_LAYOUT, device=device)


def rope_tables(head_dim, theta, length):
    """HF rotate-half tables: cos/sin [length, head_dim], the frequencies repeated twice."""
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2).float() / head_dim)
    angles = torch.outer(torch.arange(length).float(), inv_freq)
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos(), angles.sin()


def rope_theta(config):
    # transformers 5 moved rope_theta into config.rope_parameters (4.x: config.rope_theta).
    parameters = getattr(config, "rope_parameters", None) or {}
    return parameters.get("rope_theta", getattr(config, "rope_theta", 1_000_000.0))


# ---- one decoder layer --------------------------------------------------------------------------

class DecoderLayer:
    def __init__(self, hf_layer, config, device, cache_len):
        attn, mlp = hf_layer.self_attn, hf_layer.mlp
        self.n_heads = config.num_attention_heads
        self.n_kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.n_heads
        self.eps = config.rms_norm_eps  # rms_norm's default epsilon is 1e-12: always pass it
        self.scale = self.head_dim ** -0.5

        self.input_norm = norm_weight(hf_layer.input_layernorm.weight, device)
        self.post_attn_norm = norm_weight(hf_layer.post_attention_layernorm.weight, device)
        self.wq = linear_weight(attn.q_proj.weight, device)
        self.wk = linear_weight(attn.k_proj.weight, device)
        self.wv = linear_weight(attn.v_proj.weight, device)
        self.wo = linear_weight(attn.o_proj.weight, device)
        self.q_norm = norm_weight(attn.q_norm.weight, device)  # per head, over head_dim
        self.k_norm = norm_weight(attn.k_norm.weight, device)
        self.w_gate = linear_weight(mlp.gate_proj.weight, device)
        self.w_up = linear_weight(mlp.up_proj.weight, device)
        self.w_down = linear_weight(mlp.down_proj.weight, device)

        # One user: [1, kv_heads, cache_len, head_dim] each, zeroed (stale values would leak into
        # attention if a position were ever read before it is written).
        empty = torch.zeros(1, self.n_kv_heads, cache_len, self.head_dim)
        self.k_cache = ttnn.from_torch(empty, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        self.v_cache = ttnn.from_torch(empty, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)

    def norm(self, x, weight):
        return ttnn.rms_norm(x, epsilon=self.eps, weight=weight)

    def __call__(self, x, rope, pos=None):
        """pos None: prefill of x [1, 1, S, hidden]; else decode of x [1, 1, 1, hidden] at pos."""
        attention = self.attention_prefill if pos is None else self.attention_decode
        h = ttnn.add(x, attention(self.norm(x, self.input_norm), rope, pos))
        return ttnn.add(h, self.mlp(self.norm(h, self.post_attn_norm)))

    def mlp(self, x):
        # down(silu(gate(x)) * up(x)), the activation as its own op.
        gate = ttnn.silu(ttnn.linear(x, self.w_gate))
        up = ttnn.linear(x, self.w_up)
        return ttnn.linear(ttnn.mul(gate, up), self.w_down)

    def split_heads(self, t, heads):
        # [1, 1, S, heads * hd] -> [1, S, heads, hd] -> [1, heads, S, hd]
        t = ttnn.reshape(t, [1, t.shape[2], heads, self.head_dim])
        return ttnn.permute(t, (0, 2, 1, 3))

    def attention_prefill(self, x, rope, _pos):
        seq = x.shape[2]
        q = self.split_heads(ttnn.linear(x, self.wq), self.n_heads)
        k = self.split_heads(ttnn.linear(x, self.wk), self.n_kv_heads)
        v = self.split_heads(ttnn.linear(x, self.wv), self.n_kv_heads)
        # Qwen3 normalises q and k per head *before* RoPE.
        q = ttnn.experimental.rotary_embedding(self.norm(q, self.q_norm), rope.cos, rope.sin)
        k = ttnn.experimental.rotary_embedding(self.norm(k, self.k_norm), rope.cos, rope.sin)
        ttnn.fill_cache(self.k_cache, k, 0)
        ttnn.fill_cache(self.v_cache, v, 0)
        # Causal: the real rows never see the padding rows that follow them.
        out = ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, scale=self.scale)
        out = ttnn.reshape(ttnn.permute(out, (0, 2, 1, 3)), [1, 1, seq, self.n_heads * self.head_dim])
        return ttnn.linear(out, self.wo)

    def attention_decode(self, x, rope, pos):
        nh, nkv, hd = self.n_heads, self.n_kv_heads, self.head_dim
        # One token: its heads go along the rows, [1, 1, heads, hd].
        q = ttnn.reshape(ttnn.linear(x, self.wq), [1, 1, nh, hd])
        k = ttnn.reshape(ttnn.linear(x, self.wk), [1, 1, nkv, hd])
        v = ttnn.reshape(ttnn.linear(x, self.wv), [1, 1, nkv, hd])
        q = self.norm(q, self.q_norm)
        k = self.norm(k, self.k_norm)
        # With token_index the op rotates every row by the table row at `pos`; its output rows
        # are padded to a tile ([1, 1, 32, hd]), so cut back to the real heads.
        q = ttnn.experimental.rotary_embedding(q, rope.cos, rope.sin, token_index=pos)
        k = ttnn.experimental.rotary_embedding(k, rope.cos, rope.sin, token_index=pos)
        q = ttnn.slice(q, [0, 0, 0, 0], [1, 1, nh, hd])
        k = ttnn.slice(k, [0, 0, 0, 0], [1, 1, nkv, hd])
        # update_cache takes [1, kv_heads, users, hd] (users padded to a tile by the layout).
        ttnn.update_cache(self.k_cache, ttnn.permute(k, (0, 2, 1, 3)), pos)
        ttnn.update_cache(self.v_cache, ttnn.permute(v, (0, 2, 1, 3)), pos)
        # q [1, users=1, heads, hd] against the whole cache; cur_pos: the last position to attend.
        out = ttnn.transformer.scaled_dot_product_attention_decode(
            q, self.k_cache, self.v_cache, cur_pos=[pos], scale=self.scale)
        out = ttnn.reshape(out, [1, 1, 1, nh * hd])
        return ttnn.linear(out, self.wo)


# ---- the model ----------------------------------------------------------------------------------

class Rope:
    def __init__(self, head_dim, theta, length, device):
        cos, sin = rope_tables(head_dim, theta, length)
        # [1, 1, length, hd]: prefill reads rows 0..S-1, decode reads row token_index.
        self.cos = ttnn.from_torch(cos[None, None], dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        self.sin = ttnn.from_torch(sin[None, None], dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)


class CacheLength:
    """past_key_values handed back to the caller: the K/V stay on the device, this says how many
    positions are filled."""

    def __init__(self, length):
        self.length = length

    def get_seq_length(self, layer_idx=0):
        return self.length


class Qwen3Functional(torch.nn.Module, GenerationMixin):
    main_input_name = "input_ids"

    def __init__(self, hf_model, tt_device, max_seq_len):
        super().__init__()
        config = hf_model.config
        self.config = config
        self.generation_config = getattr(hf_model, "generation_config", None)
        self.tt_device = tt_device
        self.vocab_size = config.vocab_size
        self.hidden_size = config.hidden_size
        self.eps = config.rms_norm_eps
        self.cache_len = round_up(max_seq_len)
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads

        hf = hf_model.model
        # The embedding table stays ROW_MAJOR, as ttnn.embedding wants it.
        self.embed_weight = ttnn.from_torch(hf.embed_tokens.weight.detach(), dtype=ttnn.bfloat16,
                                            layout=ttnn.ROW_MAJOR_LAYOUT, device=tt_device)
        self.layers = [DecoderLayer(layer, config, tt_device, self.cache_len) for layer in hf.layers]
        self.final_norm = norm_weight(hf.norm.weight, tt_device)
        self.lm_head = linear_weight(hf_model.lm_head.weight, tt_device)  # tied: a copy of the embedding
        self.rope = Rope(head_dim, rope_theta(config), self.cache_len, tt_device)
        self.length = 0  # positions filled in the KV cache

    # GenerationMixin (transformers 5) asks these of a PreTrainedModel; a plain Module says so here.
    def is_remote_code(self):
        return False

    def get_experts_implementation(self):
        return None

    @property
    def device(self):
        return torch.device("cpu")  # where the logits come back

    def embed(self, ids):
        tt_ids = ttnn.from_torch(ids.reshape(1, -1).to(torch.int32), dtype=ttnn.uint32,
                                 layout=ttnn.ROW_MAJOR_LAYOUT, device=self.tt_device)
        x = ttnn.embedding(tt_ids, self.embed_weight, layout=ttnn.TILE_LAYOUT)  # [1, S, hidden]
        return ttnn.reshape(x, [1, 1, ids.numel(), self.hidden_size])

    def logits(self, x, rows):
        x = ttnn.rms_norm(x, epsilon=self.eps, weight=self.final_norm)
        out = ttnn.to_torch(ttnn.linear(x, self.lm_head)).float()
        return out.reshape(-1, self.vocab_size)[:rows]

    def prefill(self, tokens):
        """Logits [S, vocab] of a new prompt (the cache starts over)."""
        n = tokens.numel()
        if round_up(n) > self.cache_len:
            raise ValueError(f"prompt of {n} tokens does not fit max_seq_len {self.cache_len}")
        padded = torch.zeros(round_up(n), dtype=torch.int64)  # pad to a tile, trimmed below
        padded[:n] = tokens
        x = self.embed(padded)
        for layer in self.layers:
            x = layer(x, self.rope)
        self.length = n
        return self.logits(x, n)

    def decode(self, token, pos):
        """Logits [1, vocab] of one token at position pos."""
        if pos >= self.cache_len:
            raise ValueError(f"position {pos} is past max_seq_len {self.cache_len}")
        x = self.embed(token.reshape(1))
        for layer in self.layers:
            x = layer(x, self.rope, pos)
        self.length = pos + 1
        return self.logits(x, 1)

    def forward(self, input_ids, past_key_values=None, use_cache=True, cache=None, **kwargs):
        # transformers 5.24 renamed past_key_values to cache (in calls and in the output)
        past = cache if cache is not None else past_key_values
        if input_ids.shape[0] != 1:
            raise ValueError(f"this bring-up runs batch 1, got {input_ids.shape[0]}")
        filled = past.get_seq_length() if past is not None else 0
        if filled == 0:
            logits = self.prefill(input_ids[0])
        else:
            logits = self.decode(input_ids[0, -1], filled)
        name = "cache" if "cache" in CausalLMOutputWithPast.__dataclass_fields__ else "past_key_values"
        return CausalLMOutputWithPast(logits=logits.unsqueeze(0), **{name: CacheLength(self.length)})


def build_model(hf_model, tt_device, max_seq_len):
    return Qwen3Functional(hf_model, tt_device, max_seq_len)
