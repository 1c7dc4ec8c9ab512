"""The KV cache, two layouts behind one interface (`layer`, `to_torch`, `release`, `page_table`,
`start_sequence`, `reserve`, `free`):

- `KVCache`: per layer, K and V tensors [batch, n_kv_heads, max_seq_len, head_dim] in DRAM.
  The design notes size the batch to 32 users, the tile height the decode ops work in; a cache
  sized to the real batch is an option. A 32-user cache at long context does not fit an n150:
  `footprint.check_fits` says so before anything is allocated.
- `PagedKVCache`: per layer, one pool of blocks [max_num_blocks, n_kv_heads, block_size, head_dim]
  shared by all users (tt_transformers' PagedAttentionConfig), a page table [batch,
  blocks_per_user] int32 on the device mapping a user's block j to a pool block, and a free list
  that hands a user blocks as its sequence grows and takes them back when a new prompt replaces
  it, so users of different lengths share one pool and a finished user's blocks are reused.

Entries past a user's current length are never read (prefill attends causally, decode reads up
to the user's position), so a new sequence written over an old one cannot see stale values.
"""

from __future__ import annotations

import torch
import ttnn

from tt_qwen.model.config import TILE, Qwen3Dims
from tt_qwen.model.footprint import PagedConfig  # noqa: F401  (build_model(paged=PagedConfig(...)))


class KVCache:
    page_table = None  # unpaged: attention writes and reads each user's own rows

    def __init__(self, device, dims: Qwen3Dims, max_seq_len: int, batch: int):
        if max_seq_len % TILE:
            raise ValueError(f"KV cache length {max_seq_len} must be a multiple of {TILE}")
        self.batch = batch
        self.max_seq_len = max_seq_len
        shape = (batch, dims.num_key_value_heads, max_seq_len, dims.head_dim)
        zeros = torch.zeros(shape, dtype=torch.bfloat16)
        self.keys = [self._allocate(device, zeros) for _ in range(dims.num_hidden_layers)]
        self.values = [self._allocate(device, zeros) for _ in range(dims.num_hidden_layers)]

    @staticmethod
    def _allocate(device, zeros):
        return ttnn.from_torch(zeros, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device,
                               memory_config=ttnn.DRAM_MEMORY_CONFIG)

    def release(self) -> None:
        for tensor in self.keys + self.values:
            ttnn.deallocate(tensor)

    def layer(self, index: int):
        return self.keys[index], self.values[index]

    def start_sequence(self, user: int, length: int) -> None:
        """A new prompt of `length` tokens for `user` (every user owns its rows: nothing to do)."""

    def reserve(self, user: int, length: int) -> None:
        """Room for positions 0..length-1 of `user` (its rows are always there)."""

    def to_torch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """K and V of one layer as float32 torch tensors [batch, n_kv, max_seq_len, head_dim]."""
        keys, values = self.layer(index)
        return ttnn.to_torch(keys).to(torch.float32), ttnn.to_torch(values).to(torch.float32)


class BlockAllocator:
    """The pool's free list and each user's blocks, in sequence order."""

    def __init__(self, num_blocks: int, batch: int, shuffle_seed: int | None):
        order = list(range(num_blocks))
        if shuffle_seed is not None:
            order = torch.randperm(num_blocks, generator=torch.Generator().manual_seed(shuffle_seed)).tolist()
        self.num_blocks = num_blocks
        self.free_blocks = order[::-1]  # pop() hands out order[0] first
        self.owned = [[] for _ in range(batch)]

    def grow(self, user: int, blocks: int, what: str) -> bool:
        """Give `user` blocks until it owns `blocks`; False when it already did."""
        missing = blocks - len(self.owned[user])
        if missing <= 0:
            return False
        if missing > len(self.free_blocks):
            raise MemoryError(
                f"paged KV cache: {what} needs {missing} more blocks, but only {len(self.free_blocks)} of the pool's "
                f"{self.num_blocks} are free; raise max_num_blocks or free finished users")
        self.owned[user] += [self.free_blocks.pop() for _ in range(missing)]
        return True

    def free(self, user: int) -> bool:
        released, self.owned[user] = self.owned[user], []
        self.free_blocks += released[::-1]
        return bool(released)


class PagedKVCache:
    def __init__(self, device, dims: Qwen3Dims, max_seq_len: int, batch: int, config: PagedConfig):
        if max_seq_len % TILE:
            raise ValueError(f"KV cache length {max_seq_len} must be a multiple of {TILE}")
        self.batch, self.max_seq_len, self.config = batch, max_seq_len, config
        self.block_size = config.block_size
        self.blocks_per_user = config.blocks_per_user(max_seq_len)
        self.num_blocks = config.num_blocks(max_seq_len, batch)
        self.allocator = BlockAllocator(self.num_blocks, batch, config.shuffle_seed)
        shape = ttnn.Shape([self.num_blocks, dims.num_key_value_heads, self.block_size, dims.head_dim])
        self.keys = [self._allocate(device, shape) for _ in range(dims.num_hidden_layers)]
        self.values = [self._allocate(device, shape) for _ in range(dims.num_hidden_layers)]
        # A user's unused entries point at block 0: the kernels never read them (its positions
        # stop before them, and a skipped user's -1 position reads nothing), but an index past
        # the pool would be an address outside it.
        self.host_table = torch.zeros(batch, self.blocks_per_user, dtype=torch.int32)
        # One persistent device buffer, rewritten in place: a captured decode trace keeps reading it.
        self.page_table = ttnn.from_torch(self.host_table, dtype=ttnn.int32, device=device)
        self.device = device

    @staticmethod
    def _allocate(device, shape):
        return ttnn.allocate_tensor_on_device(shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG)

    def release(self) -> None:
        for tensor in self.keys + self.values + [self.page_table]:
            ttnn.deallocate(tensor)

    def layer(self, index: int):
        return self.keys[index], self.values[index]

    def blocks_of(self, user: int) -> list[int]:
        return list(self.allocator.owned[user])

    # ---- the allocator ------------------------------------------------------------------------

    def start_sequence(self, user: int, length: int) -> None:
        """A new prompt replaces `user`'s sequence: its old blocks go back to the pool first."""
        changed = self.allocator.free(user)
        self._reserve(user, length, f"a prompt of {length} tokens for user {user}", changed)

    def reserve(self, user: int, length: int) -> None:
        """Blocks for positions 0..length-1 of `user` (decode calls it before each step)."""
        self._reserve(user, length, f"user {user} at position {length - 1}", False)

    def free(self, user: int) -> None:
        """`user`'s sequence has ended: its blocks return to the pool for other users."""
        if self.allocator.free(user):
            self._sync_page_table()

    def _reserve(self, user, length, what, changed):
        blocks = -(-length // self.block_size)
        if blocks > self.blocks_per_user:
            raise ValueError(f"paged KV cache: {what} needs {blocks} blocks, more than the {self.blocks_per_user} "
                             f"blocks per user of max_seq_len {self.max_seq_len}")
        if self.allocator.grow(user, blocks, what) or changed:
            self._sync_page_table()

    def _sync_page_table(self) -> None:
        self.host_table.zero_()
        for user, blocks in enumerate(self.allocator.owned):
            self.host_table[user, : len(blocks)] = torch.tensor(blocks, dtype=torch.int32)
        ttnn.copy_host_to_device_tensor(ttnn.from_torch(self.host_table, dtype=ttnn.int32), self.page_table)

    # ---- what prefill reads and writes --------------------------------------------------------

    def chunk_page_table(self, user: int, start: int, length: int):
        """[1, blocks] int32 on the device: the blocks that hold positions start..start+length-1
        of `user` (start is block-aligned: the prefill chunk is a multiple of the block size).
        The caller deallocates it."""
        first, end = start // self.block_size, -(-(start + length) // self.block_size)
        rows = torch.tensor([self.allocator.owned[user][first:end]], dtype=torch.int32)
        return ttnn.from_torch(rows, dtype=ttnn.int32, device=self.device)

    def user_page_table(self, user: int):
        """[1, blocks_per_user] int32 on the device: `user`'s row of the page table, what a later
        prefill chunk's chunked SDPA reads its past through. The caller deallocates it."""
        return ttnn.from_torch(self.host_table[user: user + 1].clone(), dtype=ttnn.int32, device=self.device)

    def to_torch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """K and V of one layer, un-permuted through the page table, as the unpaged cache's view
        [batch, n_kv, max_seq_len, head_dim] float32; positions in no block of the user read 0."""
        return tuple(self._unpage(ttnn.to_torch(pool).to(torch.float32)) for pool in self.layer(index))

    def _unpage(self, pool: torch.Tensor) -> torch.Tensor:
        _, heads, size, head_dim = pool.shape
        view = torch.zeros(self.batch, heads, self.blocks_per_user * size, head_dim)
        for user, blocks in enumerate(self.allocator.owned):
            for j, block in enumerate(blocks):
                view[user, :, j * size: (j + 1) * size] = pool[block]
        return view[:, :, : self.max_seq_len]
