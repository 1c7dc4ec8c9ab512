"""The two shapes the probe calls every op at, from tt_qwen.zoo (the suite's one source of them):
qwen3 = Qwen3-0.6B and tiny = tiny-gqa2 (Qwen3-0.6B in miniature). The doc's column "cfg"."""

from __future__ import annotations

from transformers import Qwen3Config

from tt_qwen.model.config import Qwen3Dims
from tt_qwen.zoo import QWEN3_0_6B_CONFIG, TINY_COMMON, TINY_CONFIGS

DIMS = {
    "qwen3": Qwen3Dims.from_hf(Qwen3Config(**QWEN3_0_6B_CONFIG)),
    "tiny": Qwen3Dims.from_hf(Qwen3Config(**TINY_COMMON, **TINY_CONFIGS["tiny-gqa2"])),
}


def notation(dims: Qwen3Dims) -> str:
    """The dims in the doc's symbols: H=1024, nh=16, nkv=8, hd=128, I=3072, V=151936."""
    return (f"H={dims.hidden_size}, nh={dims.num_attention_heads}, nkv={dims.num_key_value_heads}, "
            f"hd={dims.head_dim}, I={dims.intermediate_size}, V={dims.vocab_size}")
