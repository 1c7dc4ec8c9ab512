"""Qwen3 attention: fused QKV projection, per-head q_norm / k_norm over head_dim *before* RoPE
(as HF), HF-format RoPE, GQA, scaled dot-product attention, output projection.

Prefill runs one user's chunk of tokens [1, 1, S, hidden] and writes its K/V with `fill_cache`
(`paged_fill_cache` into a paged cache). A later chunk attends to the user's cache: unpaged, a
slice of its rows with a causal mask offset to the chunk; paged, `chunked_scaled_dot_product_attention`
over the pool through the user's page table, as tt_transformers does.
Decode runs one token for each of the cache's users [1, 1, B, hidden], writes K/V with
`paged_update_cache` at each user's position and attends with `sdpa_decode`.
"""

from __future__ import annotations

import torch
import ttnn

from tt_qwen.model.config import Qwen3Dims, precision_plan
from tt_qwen.model.rmsnorm import RMSNorm
from tt_qwen.target import target_of

SKIP_USER = -1  # a decode position of -1 leaves that user's cache and attention untouched


def position_tensor(positions: torch.Tensor, device):
    """Per-user decode positions [B] as the int32 device tensor that paged_update_cache and
    sdpa_decode read, so the positions never become part of a program's hash."""
    return ttnn.from_torch(positions.to(torch.int32), dtype=ttnn.int32, device=device)


class Attention:
    def __init__(self, loader, prefix: str, hf_attn, dims: Qwen3Dims, dtype):
        self.dims = dims
        self.n_heads = dims.num_attention_heads
        self.n_kv_heads = dims.num_key_value_heads
        self.head_dim = dims.head_dim
        self.scale = dims.head_dim ** -0.5
        # Q, K and V in one matmul; nlp_create_qkv_heads splits the fused width [q | k | v].
        fused = torch.cat([hf_attn.q_proj.weight, hf_attn.k_proj.weight, hf_attn.v_proj.weight], dim=0)
        self.qkv_proj = loader.linear(f"{prefix}.qkv_proj", fused, dtype)
        self.o_proj = loader.linear(f"{prefix}.o_proj", hf_attn.o_proj.weight, dtype)
        self.q_norm = RMSNorm(loader, f"{prefix}.q_norm", hf_attn.q_norm.weight, dims.rms_norm_eps)
        self.k_norm = RMSNorm(loader, f"{prefix}.k_norm", hf_attn.k_norm.weight, dims.rms_norm_eps)
        plan = precision_plan()
        self.kernel_configs = {op: getattr(plan, op).build() for op in ("sdpa", "sdpa_decode", "rotary")}
        self.kernel_configs.update({role: plan.linear(role).compute.build() for role in ("qkv", "o")})

    # ---- prefill ------------------------------------------------------------------------------

    def prefill(self, x, rope, keys, values, user: int, start: int, cache=None):
        """x [1, 1, S, hidden] holds positions start..start+S-1 of `user`; S is a multiple of 32.
        cache: the KV cache `keys`/`values` belong to; a paged one routes them through its page table."""
        length = x.shape[2]
        qkv = ttnn.linear(x, self.qkv_proj, compute_kernel_config=self.kernel_configs["qkv"])
        q, k, v = ttnn.experimental.nlp_create_qkv_heads(
            qkv, num_heads=self.n_heads, num_kv_heads=self.n_kv_heads, transpose_k_heads=False)
        ttnn.deallocate(qkv)
        q = rope.prefill(self.q_norm(q), start)
        k = rope.prefill(self.k_norm(k), start)
        self._fill_cache(keys, values, k, v, user, start, length, cache)
        if start == 0:
            attn = ttnn.transformer.scaled_dot_product_attention(
                q, k, v, is_causal=True, scale=self.scale, compute_kernel_config=self.kernel_configs["sdpa"])
        else:
            attn = self._attend_to_cache(q, keys, values, user, start, length, x.device(), cache)
        out = ttnn.experimental.nlp_concat_heads(attn)
        for tensor in (q, k, v, attn):
            ttnn.deallocate(tensor)
        return ttnn.linear(out, self.o_proj, compute_kernel_config=self.kernel_configs["o"])

    @staticmethod
    def _fill_cache(keys, values, k, v, user, start, length, cache):
        if cache is None or cache.page_table is None:
            ttnn.fill_cache(keys, k, user, update_idx=start)
            ttnn.fill_cache(values, v, user, update_idx=start)
            return
        # paged_fill_cache has no offset: it writes from the first block of the table it is
        # given, so a later chunk gets the page-table rows of its own (block-aligned) positions.
        table = cache.chunk_page_table(user, start, length)
        ttnn.experimental.paged_fill_cache(keys, k, table, batch_idx=0)
        ttnn.experimental.paged_fill_cache(values, v, table, batch_idx=0)
        ttnn.deallocate(table)

    def _attend_to_cache(self, q, keys, values, user, start, length, device, cache=None):
        """A later chunk attends to everything cached before it and causally within itself."""
        if cache is not None and cache.page_table is not None:
            return self._attend_to_pages(q, keys, values, user, start, cache)
        end = [user + 1, self.n_kv_heads, start + length, self.head_dim]
        past_keys = ttnn.slice(keys, [user, 0, 0, 0], end)
        past_values = ttnn.slice(values, [user, 0, 0, 0], end)
        mask = ttnn.from_torch(chunk_mask(start, length), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
        return ttnn.transformer.scaled_dot_product_attention(
            q, past_keys, past_values, attn_mask=mask, is_causal=False, scale=self.scale,
            compute_kernel_config=self.kernel_configs["sdpa"])

    def _attend_to_pages(self, q, keys, values, user, start, cache):
        """tt_transformers' paged chunked prefill: the kernel reads the user's blocks through its
        page table and places the causal diagonal at `start`. No scale is passed: 0.81.1's binding
        refuses a float that float32 cannot hold exactly (head_dim ** -0.5 is one), and its default
        is the same 1 / sqrt(head_dim). No program config either: the q and k chunks of 32 are
        the unpaged SDPA's, so paged and unpaged prefill compute the same numbers."""
        table = cache.user_page_table(user)
        attn = ttnn.transformer.chunked_scaled_dot_product_attention(
            q, keys, values, table, chunk_start_idx=start, compute_kernel_config=self.kernel_configs["sdpa"])
        ttnn.deallocate(table)
        return attn

    # ---- decode -------------------------------------------------------------------------------

    def decode(self, x, rope_tables, keys, values, positions, cache=None):
        """x [1, 1, B, hidden]: one token per user; positions: int32 [B] on the device.
        cache: the KV cache `keys`/`values` belong to; a paged one routes them through its page table."""
        batch = x.shape[2]
        qkv = ttnn.linear(x, self.qkv_proj, compute_kernel_config=self.kernel_configs["qkv"])
        q, k, v = ttnn.experimental.nlp_create_qkv_heads_decode(
            qkv, num_heads=self.n_heads, num_kv_heads=self.n_kv_heads, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
        # Decode's temporaries are freed by dropping their last reference (ttnn frees a tensor's
        # buffer with the tensor), not by ttnn.deallocate: one host dispatch fewer each (README).
        del qkv
        q = self._norm_and_rotate(q, self.q_norm, rope_tables["q"], batch, self.n_heads)
        k = self._norm_and_rotate(k, self.k_norm, rope_tables["k"], batch, self.n_kv_heads)
        page_table = None if cache is None else cache.page_table
        ttnn.experimental.paged_update_cache(keys, self._shard_per_user(k, batch), update_idxs_tensor=positions,
                                             page_table=page_table)
        ttnn.experimental.paged_update_cache(values, v, update_idxs_tensor=positions, page_table=page_table)
        attn = self._attend_decode(q, keys, values, positions, page_table)
        # sdpa_decode pads the heads to 32: keep the real ones, then [1, B, heads, head_dim] ->
        # [1, 1, B, heads * head_dim], the heads of each user side by side.
        # (nlp_concat_heads_decode would need a sharded input, and 0.81.1's sdpa_decode refuses a
        # sharded output: a to_memory_config more, so no fewer calls; README "The decode step".)
        del q, k, v
        heads = ttnn.slice(attn, [0, 0, 0, 0], [1, batch, self.n_heads, self.head_dim])
        del attn
        out = ttnn.reshape(heads, [1, 1, batch, self.n_heads * self.head_dim])
        del heads
        return ttnn.linear(out, self.o_proj, compute_kernel_config=self.kernel_configs["o"])

    def _attend_decode(self, q, keys, values, positions, page_table):
        config = self.kernel_configs["sdpa_decode"]
        if page_table is None:
            return ttnn.transformer.scaled_dot_product_attention_decode(
                q, keys, values, cur_pos_tensor=positions, scale=self.scale, compute_kernel_config=config)
        return ttnn.transformer.paged_scaled_dot_product_attention_decode(
            q, keys, values, page_table, cur_pos_tensor=positions, scale=self.scale, compute_kernel_config=config)

    def _norm_and_rotate(self, heads, norm, tables, batch, n_heads):
        """heads [1, B, n, head_dim] (sharded) -> normed and rotated, interleaved in DRAM."""
        heads = ttnn.to_memory_config(heads, ttnn.DRAM_MEMORY_CONFIG)
        rows = ttnn.reshape(norm(heads), [1, 1, batch * n_heads, self.head_dim])
        rotated = ttnn.experimental.rotary_embedding(rows, *tables, compute_kernel_config=self.kernel_configs["rotary"])
        if rotated.shape[2] != batch * n_heads:
            # rotary_embedding pads its logical rows to 32 (1 user x 16 heads comes back as 32 rows).
            rotated = ttnn.slice(rotated, [0, 0, 0, 0], [1, 1, batch * n_heads, self.head_dim])
        return ttnn.reshape(rotated, [1, batch, n_heads, self.head_dim])

    def _shard_per_user(self, heads, batch):
        """paged_update_cache wants its input height-sharded, one user's heads per core."""
        grid = ttnn.num_cores_to_corerangeset(batch, ttnn.CoreCoord(*target_of(heads.device()).compute_grid),
                                              row_wise=True)
        config = ttnn.create_sharded_memory_config(
            shape=(32, self.head_dim), core_grid=grid, strategy=ttnn.ShardStrategy.HEIGHT,
            orientation=ttnn.ShardOrientation.ROW_MAJOR, use_height_and_width_as_shard_shape=True)
        return ttnn.to_memory_config(heads, config)


def chunk_mask(start: int, length: int) -> torch.Tensor:
    """[1, 1, length, start + length] additive mask: query i (position start+i) sees keys <= start+i."""
    query = torch.arange(length).unsqueeze(1) + start
    key = torch.arange(start + length).unsqueeze(0)
    mask = torch.zeros(length, start + length)
    mask[key > query] = float("-inf")
    return mask.reshape(1, 1, length, start + length)
