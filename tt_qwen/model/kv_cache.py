"""The KV cache: per layer, K and V tensors [batch, n_kv_heads, max_seq_len, head_dim] in DRAM.

The design notes size the batch to 32 users, the tile height the decode ops work in; a cache
sized to the real batch is an option. A 32-user cache at long context does not fit an n150:
`footprint.check_fits` says so before anything is allocated.

Entries past a user's current length are never read (prefill attends causally, decode reads up
to the user's position), so a new sequence written over an old one cannot see stale values.
"""

from __future__ import annotations

import torch
import ttnn

from tt_qwen.model.config import TILE, Qwen3Dims


class KVCache:
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

    def to_torch(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """K and V of one layer as float32 torch tensors [batch, n_kv, max_seq_len, head_dim]."""
        keys, values = self.layer(index)
        return ttnn.to_torch(keys).to(torch.float32), ttnn.to_torch(values).to(torch.float32)
