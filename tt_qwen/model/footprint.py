"""Bytes on the target device: what the weights and KV cache occupy in DRAM, and what one decode
step reads (the roofline: at the target's DRAM bandwidth, bytes read per step bound tokens/s/user
from above). The device's DRAM and bandwidth come from its `Target` (N150 unless told)."""

from __future__ import annotations

from dataclasses import dataclass

from tt_qwen.model.config import MAX_DECODE_BATCH, TILE, Qwen3Dims
from tt_qwen.target import N150, Target

# DRAM left free for what a forward pass allocates: a 2048-token prefill of Qwen3-0.6B holds a
# few [2048, 3072] bf16 activations (12 MiB each), attention scores and the logits tile.
ACTIVATION_RESERVE_BYTES = 256 * 2**20
DEFAULT_BLOCK_SIZE = 64  # tt_transformers' default PagedAttentionConfig block size
BYTES_PER_VALUE = {"bfloat16": 2.0, "bfloat8_b": 1088 / 1024}  # bfp8: 1088 B per 32x32 tile


@dataclass(frozen=True)
class PagedConfig:
    """The paged KV cache's geometry, which sizes its pool: `build_model(..., paged=PagedConfig(...))`.
    max_num_blocks None: enough blocks for every user at max_seq_len (the unpaged cache's size);
    fewer make users share a smaller pool.
    shuffle_seed: hand out the pool's blocks in a seeded random order (tests), else in order."""

    block_size: int = DEFAULT_BLOCK_SIZE
    max_num_blocks: int | None = None
    shuffle_seed: int | None = None

    def __post_init__(self):
        if not isinstance(self.block_size, int) or self.block_size < TILE or self.block_size % TILE:
            raise ValueError(f"paged KV cache block_size {self.block_size!r} must be a positive multiple of {TILE}")
        if self.max_num_blocks is not None and (not isinstance(self.max_num_blocks, int) or self.max_num_blocks < 1):
            raise ValueError(f"paged KV cache max_num_blocks {self.max_num_blocks!r} must be a positive integer")

    def blocks_per_user(self, max_seq_len: int) -> int:
        return -(-max_seq_len // self.block_size)

    def num_blocks(self, max_seq_len: int, batch: int) -> int:
        return self.max_num_blocks or batch * self.blocks_per_user(max_seq_len)


def layer_weight_bytes(dims: Qwen3Dims, mlp_dtype: str) -> int:
    attention = dims.hidden_size * dims.qkv_width + dims.num_attention_heads * dims.head_dim * dims.hidden_size
    mlp = 3 * dims.hidden_size * dims.intermediate_size
    return int(dims.num_hidden_layers * (attention * BYTES_PER_VALUE["bfloat16"] + mlp * BYTES_PER_VALUE[mlp_dtype]))


def weight_bytes(dims: Qwen3Dims, mlp_dtype: str) -> int:
    """DRAM taken by the weights: the layers, the embedding table and the LM head (bf16)."""
    tables = 2 * dims.vocab_size * dims.hidden_size * 2
    return layer_weight_bytes(dims, mlp_dtype) + tables


def cache_bytes(dims: Qwen3Dims, positions: int, batch: int) -> int:
    """K and V of every layer, bf16, for `batch` users x `positions` positions."""
    return 2 * dims.num_hidden_layers * batch * dims.num_key_value_heads * positions * dims.head_dim * 2


def paged_cache_bytes(dims: Qwen3Dims, num_blocks: int, block_size: int) -> int:
    """K and V pools of every layer, bf16: num_blocks blocks of block_size positions, shared by all users."""
    return cache_bytes(dims, num_blocks * block_size, 1)


def page_table_bytes(max_seq_len: int, batch: int, block_size: int) -> int:
    """The int32 page table [batch, blocks_per_user], row-major: each row padded to 32 bytes."""
    return batch * -(-(-(-max_seq_len // block_size) * 4) // 32) * 32


def kv_bytes(dims: Qwen3Dims, max_seq_len: int, batch: int, paged=None) -> int:
    """What the KV cache takes: the unpaged [batch, ..., max_seq_len, ...] tensors, or the paged
    pool (a `PagedConfig`) and its page table."""
    if paged is None:
        return cache_bytes(dims, max_seq_len, batch)
    blocks = paged.num_blocks(max_seq_len, batch)
    return paged_cache_bytes(dims, blocks, paged.block_size) + page_table_bytes(max_seq_len, batch, paged.block_size)


def rope_table_bytes(dims: Qwen3Dims, positions: int) -> int:
    """cos and sin, each as a TILE table for prefill and a ROW_MAJOR one for decode gathers (bf16)."""
    return 4 * positions * dims.head_dim * 2


def decode_read_bytes(dims: Qwen3Dims, mlp_dtype: str, positions: int, batch: int) -> int:
    """One decode step reads every layer weight, the whole LM head (the embedding only one row
    per user) and the cached K/V of every user."""
    lm_head = dims.vocab_size * dims.hidden_size * 2
    return layer_weight_bytes(dims, mlp_dtype) + lm_head + cache_bytes(dims, positions, batch)


def roofline(dims: Qwen3Dims, mlp_dtype: str, positions: int, batch: int, measured_tokens_per_second: float,
             target: Target = N150) -> dict:
    read = decode_read_bytes(dims, mlp_dtype, positions, batch)
    floor = read / target.dram_bytes_per_second
    return {
        "bytes_read_per_step": read, "floor_seconds_per_step": floor,
        # The key keeps its historical name (report schema); the figure is `target`'s.
        "n150_ceiling_tokens_per_second_per_user": 1 / floor,
        "measured_tokens_per_second_per_user": measured_tokens_per_second,
        "summary": (f"{mlp_dtype} MLP, bf16 elsewhere: {read / 1e9:.3f} GB read per decode step at {positions} cached "
                    f"positions x batch {batch}; at {target.dram_bytes_per_second / 1e9:.0f} GB/s the floor is "
                    f"{floor * 1000:.2f} ms, a ceiling of {1 / floor:.0f} t/s/u. "
                    f"Measured: {measured_tokens_per_second:.1f} t/s/u."),
    }


def check_fits(dims: Qwen3Dims, max_seq_len: int, batch: int, weight_bytes: int, target: Target = N150,
               paged=None) -> None:
    """Refuse, before anything is allocated, a cache that cannot sit in DRAM next to the weights
    and the activations of a prefill (the mock tier checks this against the real allocator).
    paged: a `PagedConfig`, whose pool replaces the per-user cache."""
    if not 1 <= batch <= MAX_DECODE_BATCH:
        raise ValueError(f"KV cache batch {batch} is outside 1..{MAX_DECODE_BATCH} (one tile of users)")
    needed = kv_bytes(dims, max_seq_len, batch, paged) + rope_table_bytes(dims, max_seq_len)
    pool = "" if paged is None else f" with a pool of {paged.num_blocks(max_seq_len, batch)} blocks of {paged.block_size}"
    if needed + weight_bytes + ACTIVATION_RESERVE_BYTES > target.dram_bytes:
        raise MemoryError(
            f"KV cache (and RoPE tables) for batch {batch} x max_seq_len {max_seq_len}{pool} need {needed / 2**30:.2f} GiB; with the weights "
            f"({weight_bytes / 2**30:.2f} GiB) and {ACTIVATION_RESERVE_BYTES / 2**30:.2f} GiB kept for activations that is "
            f"more than the {target.name}'s {target.dram_bytes / 2**30:.2f} GiB of DRAM; lower max_seq_len or size the cache "
            f"to the real batch (max_batch_size)"
        )


def largest_max_seq_len(dims: Qwen3Dims, batch: int, mlp_dtype: str = "bfloat16", ceiling: int = 1 << 20,
                        target: Target = N150) -> int:
    """The longest cache (a multiple of 32) that check_fits accepts for `batch` users."""
    low, high = 0, ceiling // 32  # in tiles: low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        try:
            check_fits(dims, middle * 32, batch, weight_bytes(dims, mlp_dtype), target)
            low = middle
        except MemoryError:
            high = middle
    return low * 32


def largest_num_blocks(dims: Qwen3Dims, max_seq_len: int, batch: int, block_size: int, mlp_dtype: str = "bfloat16",
                       target: Target = N150) -> int:
    """The largest paged pool (in blocks) that check_fits accepts beside RoPE tables of max_seq_len."""
    low, high = 0, 1 << 20  # low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        try:
            check_fits(dims, max_seq_len, batch, weight_bytes(dims, mlp_dtype), target, PagedConfig(block_size, middle))
            low = middle
        except MemoryError:
            high = middle
    return low


def users_at_context(num_blocks: int, block_size: int, context: int) -> int:
    """How many users at `context` positions each a pool of num_blocks holds at once (decode
    serves at most MAX_DECODE_BATCH)."""
    return min(MAX_DECODE_BATCH, num_blocks // -(-context // block_size))


PAGED_TABLE_CONTEXTS = (2048, 4096, 8192, 16384, 40960)


def paged_table_rows(dims: Qwen3Dims, max_seq_len: int = 40960, block_size: int = DEFAULT_BLOCK_SIZE,
                     target: Target = N150) -> list[str]:
    """The README's paged rows: per MLP dtype, the largest shared pool beside RoPE tables of
    max_seq_len and a 32-row page table, and how many users it holds at each context."""
    rows = []
    for mlp_dtype in ("bfloat16", "bfloat8_b"):
        blocks = largest_num_blocks(dims, max_seq_len, MAX_DECODE_BATCH, block_size, mlp_dtype, target)
        users = " | ".join(str(users_at_context(blocks, block_size, c)) for c in PAGED_TABLE_CONTEXTS)
        rows.append(f"| {mlp_dtype} | {blocks} x {block_size} = {blocks * block_size} | "
                    f"{paged_cache_bytes(dims, blocks, block_size) / 2**30:.2f} GiB | {users} |")
    return rows
