"""A tiny Qwen3 checkpoint that this project trained itself (``tiny-trained/``), and the held-out
text of the grammar it was trained on.

The folder holds a 2-layer ``Qwen3ForCausalLM`` (hidden 128, 4 query / 2 KV heads of head_dim 64,
MLP 256, vocab 384, tied embeddings, RoPE theta 1e6) trained on a synthetic word-level corpus,
plus a word-level tokenizer that ``AutoTokenizer`` loads offline. The grammar and tokenizer are
in ``grammar.py``; the trainer, which the installed package does not need, is ``tools/train_tiny``.
See ``README.md`` next to this file and ``tiny-trained/TRAINING.md`` for the metrics.

    TINY_TRAINED_DIR                                   the checkpoint folder
    held_out_text(n_tokens=128, seed=0) -> str         prompts from the held-out stream
    held_out_ids(n_tokens=128, seed=0, add_bos=True) -> list[int]
    held_out_predictable(n_tokens=128, seed=0, add_bos=True) -> list[bool]
"""

from pathlib import Path

from tt_qwen.checkpoints.grammar import held_out_ids, held_out_predictable, held_out_text

__all__ = ["TINY_TRAINED_DIR", "held_out_ids", "held_out_predictable", "held_out_text"]

TINY_TRAINED_DIR: Path = Path(__file__).resolve().parent / "tiny-trained"
