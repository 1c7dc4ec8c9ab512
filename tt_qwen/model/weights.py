"""Weights are prepared once for the device: transposed for `ttnn.linear`, tiled, cast to
the chosen dtype, placed in DRAM, and cached on disk so a second build skips the conversion.

Cache files are keyed by a hash of the tensor's content as well as its name, dtype and layout,
so two models that share a config never read each other's weights.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
import ttnn


class WeightLoader:
    def __init__(self, device, cache_dir: Path | str | None = None):
        self.device = device
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.placed = []  # every device tensor made here, for release()
        if self.cache_dir:
            self.cache_dir.mkdir(parents=True, exist_ok=True)

    def linear(self, name: str, weight: torch.Tensor, dtype=None):
        """An HF `nn.Linear` weight [out, in] as the [in, out] TILE operand of `ttnn.linear`."""
        return self._place(name, weight.detach().t().contiguous(), dtype or ttnn.bfloat16, ttnn.TILE_LAYOUT)

    def norm(self, name: str, weight: torch.Tensor):
        """An RMSNorm weight [width] as the [1, 1, 1, width] TILE gamma of `ttnn.rms_norm`."""
        return self._place(name, weight.detach().reshape(1, 1, 1, -1), ttnn.bfloat16, ttnn.TILE_LAYOUT)

    def table(self, name: str, table: torch.Tensor):
        """A [rows, width] lookup table for `ttnn.embedding` (ROW_MAJOR bf16, as the op wants)."""
        return self._place(name, table.detach().contiguous(), ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT)

    def tiled(self, name: str, tensor: torch.Tensor):
        return self._place(name, tensor.detach().contiguous(), ttnn.bfloat16, ttnn.TILE_LAYOUT)

    def release(self) -> None:
        for tensor in self.placed:
            ttnn.deallocate(tensor)
        self.placed.clear()

    def _place(self, name, tensor, dtype, layout):
        placed = ttnn.as_tensor(
            tensor.to(torch.float32), dtype=dtype, layout=layout, device=self.device,
            memory_config=ttnn.DRAM_MEMORY_CONFIG, cache_file_name=self._cache_file(name, tensor, dtype, layout),
        )
        self.placed.append(placed)
        return placed

    def _cache_file(self, name, tensor, dtype, layout):
        if self.cache_dir is None:
            return None
        digest = hashlib.blake2b(tensor.to(torch.float32).numpy().tobytes(), digest_size=8).hexdigest()
        return str(self.cache_dir / f"{name}-{digest}-{_label(dtype)}-{_label(layout)}")


def _label(value) -> str:
    return str(value).split(".")[-1].lower()
