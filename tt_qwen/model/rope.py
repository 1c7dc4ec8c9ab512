"""HF-format (rotate-half) rotary embedding on `ttnn.experimental.rotary_embedding`.

Prefill: rows 0..S-1 of the cos/sin tables rotate a chunk whose first token sits at position
`start`, so the tables are sliced from `start`. Decode: every user sits at its own position, so
the cos/sin row of each (user, head) row is gathered with `ttnn.embedding` from a position
tensor on the device, and the op runs in its prefill form over those rows.
"""

from __future__ import annotations

import torch
import ttnn

from tt_qwen.model.config import precision_plan


def rope_tables(head_dim: int, theta: float, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos, sin [length, head_dim] in float32, exactly as HF's default Qwen3 rotary class."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).to(torch.float32) / head_dim))
    freqs = torch.outer(torch.arange(length, dtype=torch.float32), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class RotaryEmbedding:
    def __init__(self, loader, head_dim: int, theta: float, max_seq_len: int):
        cos, sin = rope_tables(head_dim, theta, max_seq_len)
        self.head_dim = head_dim
        self.cos = loader.tiled("rope.cos", cos.reshape(1, 1, max_seq_len, head_dim))
        self.sin = loader.tiled("rope.sin", sin.reshape(1, 1, max_seq_len, head_dim))
        self.cos_rows = loader.table("rope.cos_rows", cos)
        self.sin_rows = loader.table("rope.sin_rows", sin)

    def prefill(self, x, start: int):
        """Rotate x [1, heads, S, head_dim] whose first row is position `start`."""
        length = x.shape[2]
        cos, sin = self.cos, self.sin
        if start:
            end = [1, 1, start + length, self.head_dim]
            cos = ttnn.slice(cos, [0, 0, start, 0], end)
            sin = ttnn.slice(sin, [0, 0, start, 0], end)
        return ttnn.experimental.rotary_embedding(x, cos, sin, compute_kernel_config=precision_plan().rotary.build())

    @staticmethod
    def decode_row_ids(positions: torch.Tensor, n_heads: int, n_kv_heads: int) -> dict[str, torch.Tensor]:
        """Host side of decode's cos/sin rows: uint32-ready ids [1, B * heads], "q" rows (user, q
        head) and "k" rows (user, kv head), each its user's position; skipped users (a negative
        position) rotate as position 0."""
        rows = positions.clamp_min(0)
        return {name: rows.repeat_interleave(heads).to(torch.int32).reshape(1, -1)
                for name, heads in (("q", n_heads), ("k", n_kv_heads))}

    def gather_rows(self, row_ids: dict) -> dict:
        """Device side: the cos/sin rows of each id tensor of decode_row_ids, already on the device."""
        return {name: self.gather(ids) for name, ids in row_ids.items()}

    def decode_tables(self, positions: torch.Tensor, n_heads: int, n_kv_heads: int, device) -> dict:
        """Both sides at once (the layer tests' form): cos/sin rows for decode at `positions`."""
        return self.gather_rows({name: ttnn.from_torch(ids, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
                                 for name, ids in self.decode_row_ids(positions, n_heads, n_kv_heads).items()})

    def gather(self, row_positions):
        """cos, sin [1, 1, R, head_dim] for a uint32 [1, R] tensor of per-row positions."""
        cos = ttnn.embedding(row_positions, self.cos_rows, layout=ttnn.TILE_LAYOUT)
        sin = ttnn.embedding(row_positions, self.sin_rows, layout=ttnn.TILE_LAYOUT)
        rows = row_positions.shape[-1]
        return ttnn.reshape(cos, [1, 1, rows, self.head_dim]), ttnn.reshape(sin, [1, 1, rows, self.head_dim])
