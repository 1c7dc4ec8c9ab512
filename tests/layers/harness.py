"""Single TTNN blocks built from one HF layer, fed torch tensors, read back as torch tensors."""

from __future__ import annotations

import torch

from tt_qwen.model.attention import SKIP_USER, Attention, position_tensor
from tt_qwen.model.config import MAX_DECODE_BATCH, TILE, Qwen3Dims
from tt_qwen.model.decoder import DecoderLayer
from tt_qwen.model.kv_cache import KVCache
from tt_qwen.model.mlp import MLP
from tt_qwen.model.rmsnorm import RMSNorm
from tt_qwen.model.rope import RotaryEmbedding
from tt_qwen.model.weights import WeightLoader


class BlockHarness:
    def __init__(self, hf_model, device, max_seq_len: int = 2048):
        import ttnn

        self.ttnn = ttnn
        self.hf = hf_model
        self.device = device
        self.dims = Qwen3Dims.from_hf(hf_model.config)
        self.loader = WeightLoader(device)
        self.layer = hf_model.model.layers[0]
        self.rope = RotaryEmbedding(self.loader, self.dims.head_dim, self.dims.rope_theta, max_seq_len)
        self.cache = KVCache(device, self.dims, max_seq_len, MAX_DECODE_BATCH)

    # blocks of layer 0, built once per harness
    def norm(self, hf_norm):
        return RMSNorm(self.loader, "norm", hf_norm.weight, self.dims.rms_norm_eps)

    def attention(self, dtype=None):
        return Attention(self.loader, "attn", self.layer.self_attn, self.dims, dtype or self.ttnn.bfloat16)

    def mlp(self, dtype=None):
        return MLP(self.loader, "mlp", self.layer.mlp, dtype or self.ttnn.bfloat16)

    def decoder(self):
        return DecoderLayer(self.loader, 0, self.layer, self.dims, self.ttnn.bfloat16, self.ttnn.bfloat16)

    # tensors
    def to_device(self, x: torch.Tensor):
        """[..., S, W] -> [1, n, S_pad, W] bf16 TILE on the device; rows padded with zeros to 32."""
        x = x.reshape(-1, *x.shape[-2:]) if x.dim() > 2 else x.reshape(1, *x.shape)
        rows = x.shape[-2]
        padded = torch.zeros(x.shape[0], -(-rows // TILE) * TILE, x.shape[-1])
        padded[:, :rows] = x
        return self.ttnn.from_torch(padded.unsqueeze(0), dtype=self.ttnn.bfloat16, layout=self.ttnn.TILE_LAYOUT, device=self.device)

    def to_torch(self, x, rows: int | None = None) -> torch.Tensor:
        out = self.ttnn.to_torch(x).to(torch.float32)
        return out[..., :rows, :] if rows is not None else out

    def decode_inputs(self, hidden_row: torch.Tensor, position: int, user: int = 0):
        """A decode batch with one active user: x [1, 1, 32, hidden], rope tables, positions."""
        x = torch.zeros(MAX_DECODE_BATCH, hidden_row.shape[-1])
        x[user] = hidden_row
        positions = torch.full((MAX_DECODE_BATCH,), SKIP_USER, dtype=torch.int64)
        positions[user] = position
        tables = self.rope.decode_tables(positions, self.dims.num_attention_heads, self.dims.num_key_value_heads, self.device)
        return self.to_device(x), tables, position_tensor(positions, self.device)
