"""Teacher-forced metrics of a model on the grammar, and the offline check of a saved folder."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM

from tt_qwen.checkpoints import grammar
from tt_qwen.model.config import rope_theta

from tools.train_tiny.corpus import TokenStream
from tools.train_tiny.grammar_check import grammar_report


def evaluate(model, stream_split="held-out", seed=0, n_windows=48, length=512):
    """Teacher-forced next-token metrics on ``n_windows`` held-out windows of ``length``
    tokens, each starting at a document's ``<bos>``."""
    stream = TokenStream(stream_split, seed)
    buckets = [(0, 64), (64, 128), (128, 256), (256, 512), (512, 1024), (1024, 2048)]
    tot = dict(loss=0.0, n=0, correct=0, pred_n=0, pred_correct=0, free_n=0, free_correct=0)
    per_bucket = {b: [0, 0] for b in buckets}
    margins = []
    model.eval()
    with torch.no_grad():
        for _ in range(n_windows):
            ids, pred = stream.take(length + 1, aligned=True)
            x = torch.tensor(ids[:-1])[None]
            y = torch.tensor(ids[1:])
            p = torch.tensor(pred[1:])
            logits = model(input_ids=x, use_cache=False).logits[0].float()
            tot["loss"] += F.cross_entropy(logits, y, reduction="sum").item()
            top2 = logits.topk(2, dim=-1)
            ok = top2.indices[:, 0] == y
            margins.append(top2.values[:, 0] - top2.values[:, 1])
            tot["n"] += len(y)
            tot["correct"] += ok.sum().item()
            tot["pred_n"] += p.sum().item()
            tot["pred_correct"] += (ok & p).sum().item()
            tot["free_n"] += (~p).sum().item()
            tot["free_correct"] += (ok & ~p).sum().item()
            for lo, hi in buckets:
                seg = ok[lo:hi]
                per_bucket[(lo, hi)][0] += seg.sum().item()
                per_bucket[(lo, hi)][1] += seg.numel()
    m = torch.cat(margins)
    return {
        "windows": n_windows,
        "window_tokens": length,
        "loss": tot["loss"] / tot["n"],
        "top1": tot["correct"] / tot["n"],
        "top1_predictable_positions": tot["pred_correct"] / max(1, tot["pred_n"]),
        "top1_free_choice_positions": tot["free_correct"] / max(1, tot["free_n"]),
        "predictable_fraction": tot["pred_n"] / tot["n"],
        "top1_by_position": {
            f"{lo}-{hi - 1}": c / n for (lo, hi), (c, n) in per_bucket.items() if n
        },
        "logit_margin_top1_top2": {
            "median": m.median().item(),
            "frac_above_1": (m > 1).float().mean().item(),
            "frac_above_0.1": (m > 0.1).float().mean().item(),
        },
    }


def verify(folder, prompt_tokens=96, new_tokens=48, seeds=(0, 1, 2, 3)):
    """Load the saved folder offline in float32 and greedy-decode held-out prompts."""

    folder = Path(folder)
    cfg = Qwen3Config.from_pretrained(folder)
    raw = json.loads((folder / "config.json").read_text())
    print(f"config: rope theta (read) {rope_theta(cfg)}, config.json rope_theta "
          f"{raw.get('rope_theta')}, rope_parameters {raw.get('rope_parameters')}")
    model = Qwen3ForCausalLM.from_pretrained(folder).float().eval()
    tok = AutoTokenizer.from_pretrained(folder)
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    print(f"folder {folder}: {size / 1e6:.2f} MB, {model.dtype}, "
          f"{sum(p.numel() for p in model.parameters()):,} params")

    results = []
    for seed in seeds:
        # The held-out stream: prompt = first prompt_tokens ids, reference = the next ones.
        ids = grammar.held_out_ids(prompt_tokens + new_tokens, seed=seed)
        prompt, ref = ids[:prompt_tokens], ids[prompt_tokens:]
        text = tok.decode(prompt)
        enc = tok(text, return_tensors="pt")
        assert enc["input_ids"][0].tolist() == prompt
        with torch.no_grad():
            out = model.generate(**enc, max_new_tokens=new_tokens, do_sample=False,
                                 min_new_tokens=new_tokens)
            logits = model(input_ids=torch.tensor([ids[:-1]])).logits[0]
        gen = out[0, len(prompt):].tolist()
        tf = logits[prompt_tokens - 1:].argmax(-1).tolist()
        tf_acc = sum(a == b for a, b in zip(tf, ref)) / len(ref)
        same = sum(a == b for a, b in zip(gen, ref)) / len(ref)
        prefix = next((i for i, (a, b) in enumerate(zip(gen, ref)) if a != b), len(ref))
        # Check grammar: complete the prompt's last partial line with the generated words.
        prompt_words = [grammar.VOCAB[i] for i in prompt]
        last_dot = max(i for i, w in enumerate(prompt_words) if w in (".", "<bos>", "<eos>"))
        words = prompt_words[last_dot + 1:] + [grammar.VOCAB[i] for i in gen]
        lines, tail = grammar_report(words)
        n_ok = sum(ok for _, ok in lines)
        print(f"\n--- held-out seed {seed}: prompt {prompt_tokens} tokens ---")
        print("prompt tail : ..." + " ".join(prompt_words[-24:]))
        print("generated   : " + tok.decode(gen))
        print("held-out ref: " + tok.decode(ref))
        for line, ok in lines:
            print(f"  [{'ok ' if ok else 'BAD'}] {line}")
        if tail:
            print(f"  [...] {tail}  (unfinished)")
        print(f"teacher-forced top-1 vs held-out: {tf_acc:.3f}; free-running greedy = "
              f"held-out at {same:.3f} of positions, identical prefix {prefix}/{len(ref)} tokens; "
              f"complete lines valid {n_ok}/{len(lines)}")
        results.append(dict(seed=seed, teacher_forced_top1=tf_acc, greedy_match=same,
                            greedy_prefix=prefix, lines_valid=n_ok, lines=len(lines)))
    return results

