"""TRAINING.md of the checkpoint folder, from the run's metrics."""

from __future__ import annotations

from pathlib import Path

from tools.train_tiny.corpus import CORPUS_DESCRIPTION


def write_training_md(out: Path, m: dict):
    h, t = m["held_out_eval"], m["train_eval"]
    lines = [
        "# tiny-trained: how it was made",
        "",
        "Re-create with `python -m tools.train_tiny --out tt_qwen/checkpoints/tiny-trained` (from the repository root)",
        f"(seed {m['seed']}, {m['threads']} torch thread(s)).",
        "",
        "## Model",
        "",
        f"`Qwen3ForCausalLM`, {m['n_params']:,} parameters, float32 weights: hidden 128, 4 query heads /",
        "2 KV heads, head_dim 64, MLP 256, 2 layers, vocab 384, tied embeddings, RMSNorm eps 1e-6,",
        "RoPE theta 1e6, max_position_embeddings 2048, no attention bias.",
        "",
        "## Corpus",
        "",
        CORPUS_DESCRIPTION,
        "## Training",
        "",
        f"- steps: {m['steps']}, {m['tokens_per_step']} tokens per step, {m['tokens_seen']:,} tokens seen",
        "- sequence lengths (probability): "
        + ", ".join(f"{k} ({v})" for k, v in m["length_mix"].items())
        + "; half the sequences start at a `<bos>`,",
        "  half at an arbitrary stream position",
        f"- optimizer: {m['optimizer']}, peak lr {m['lr']}, warmup {m['warmup']}, weight decay {m['weight_decay']}",
        f"- time: {m['train_cpu_seconds']} s CPU, {m['train_wall_seconds']} s wall",
        f"- torch {m['torch_version']}, transformers {m['transformers_version']}, "
        f"Python {m['python_version']}, {m['machine']}",
        f"- model.safetensors sha256: `{m['model_safetensors_sha256']}`",
        "",
        "## Metrics (teacher-forced next token)",
        "",
        f"Evaluated on {h['windows']} windows of {h['window_tokens']} tokens, each starting at a `<bos>`.",
        "",
        "| | train split | held-out split |",
        "|---|---|---|",
        f"| loss (nats/token) | {t['loss']:.4f} | {h['loss']:.4f} |",
        f"| top-1 accuracy | {t['top1']:.4f} | {h['top1']:.4f} |",
        f"| top-1 on predictable positions | {t['top1_predictable_positions']:.4f} | {h['top1_predictable_positions']:.4f} |",
        f"| top-1 on free-choice positions | {t['top1_free_choice_positions']:.4f} | {h['top1_free_choice_positions']:.4f} |",
        f"| predictable fraction of tokens | {t['predictable_fraction']:.4f} | {h['predictable_fraction']:.4f} |",
        "",
        f"Final training loss (EMA of the last steps): {m['final_train_loss_ema']:.4f}.",
        "",
        "Held-out top-1 by position: "
        + ", ".join(f"{k}: {v:.4f}" for k, v in h["top1_by_position"].items()) + ".",
        "",
        f"Long windows ({m['held_out_eval_2047_tokens']['windows']} x 2047 tokens, held-out seed 1): top-1 "
        f"{m['held_out_eval_2047_tokens']['top1']:.4f}, on predictable positions "
        f"{m['held_out_eval_2047_tokens']['top1_predictable_positions']:.4f}; by position: "
        + ", ".join(f"{k}: {v:.4f}" for k, v in m["held_out_eval_2047_tokens"]["top1_by_position"].items())
        + ".",
        "",
        "Held-out top-1 minus top-2 logit margin: median "
        f"{h['logit_margin_top1_top2']['median']:.2f}, "
        f"{h['logit_margin_top1_top2']['frac_above_1'] * 100:.1f}% of positions above 1.0, "
        f"{h['logit_margin_top1_top2']['frac_above_0.1'] * 100:.1f}% above 0.1.",
        "",
    ]
    (out / "TRAINING.md").write_text("\n".join(lines))


