"""Train the tiny Qwen3 checkpoint in ``tt_qwen/checkpoints/tiny-trained`` (CPU, deterministic).

    python -m tt_qwen.checkpoints.train_tiny --out tt_qwen/checkpoints/tiny-trained
    python -m tt_qwen.checkpoints.train_tiny --out tt_qwen/checkpoints/tiny-trained --verify-only

Training is single-process and deterministic (fixed seeds, ``torch.use_deterministic_algorithms``,
a fixed thread count, data from a seeded pure-Python grammar).  With the same torch build,
thread count and CPU kernel path it re-creates ``model.safetensors`` bit for bit; the run
compares the new weights' SHA-256 with the one recorded by the previous run in the folder.
Timing fields in ``training_metrics.json`` / ``TRAINING.md`` naturally differ between runs.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from tt_qwen import checkpoints as ck
from tt_qwen.model.config import rope_theta

# Model dimensions (TTNN-legal: multiples of 32, head_dim a multiple of 64).
MODEL_KWARGS = dict(
    vocab_size=ck.VOCAB_SIZE,
    hidden_size=128,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=64,
    hidden_act="silu",
    max_position_embeddings=2048,
    rms_norm_eps=1e-6,
    rope_theta=1e6,
    tie_word_embeddings=True,
    attention_bias=False,
    attention_dropout=0.0,
    use_sliding_window=False,
    max_window_layers=2,
    initializer_range=0.02,
    bos_token_id=ck.BOS_ID,
    eos_token_id=ck.EOS_ID,
    pad_token_id=ck.PAD_ID,
    use_cache=True,
)

# (sequence length, probability); every step holds TOKENS_PER_STEP tokens.
LENGTH_MIX = ((64, 0.15), (128, 0.25), (256, 0.3), (512, 0.2), (1024, 0.1))

CORPUS_DESCRIPTION = """\
Synthetic word-level corpus from the grammar in `tt_qwen/checkpoints/__init__.py`.
A document is `<bos>`, 2..40 lines, `<eos>`; documents are concatenated into one stream.
Each line is one of (sampling weight):
- `count A to B : A A+1 ... B .` (0.22, spans of 3..60 numbers, numbers are tokens 0..99)
- `down A to B : A A-1 ... B .` (0.12)
- `skip A by S : A A+S ... .` up to the last term below 100 (0.10)
- `letters from x to y : x ... y .` (0.10)
- `week from <day> : <7 days, cyclic> .` (0.07), `months from <month> : <12 months> .` (0.09)
- `repeat N : w1 .. wk | w1 .. wk | ... .` N=3..8 copies of a k=2..4 word pattern (0.10)
- `plural : <singular clause> = <same clause, subject noun and verb in plural> .` (0.05) and
  `single : ...` the other way round (0.05)
- `the [adj] noun [prep the [adj] noun] verb [adverb] .` free sentence with subject-verb
  agreement across an attractor noun (0.05)

Training draws from the RNG stream "train", evaluation and `held_out_ids()` from "held-out".
About 83% of tokens are fully determined by the preceding text ("predictable" positions);
the rest (line type, range ends, pattern words, nouns, verbs) are free choices.
"""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- data


class TokenStream:
    """Deterministic endless stream of (ids, predictable flags) from one grammar split."""

    def __init__(self, split: str, seed: int):
        self._docs = ck._stream(split, seed)
        self.ids: list = []
        self.pred: list = []
        self.doc_starts: list = []
        self.pos = 0

    def _fill(self, upto: int):
        while len(self.ids) < upto:
            doc = next(self._docs)
            self.doc_starts.append(len(self.ids))
            self.ids += [ck._TOKEN_TO_ID[t] for t, _ in doc]
            self.pred += [p for _, p in doc]

    def take(self, n: int, aligned: bool):
        """Next ``n`` tokens, optionally starting at the next document start (``<bos>``)."""
        if aligned:
            while True:
                i = bisect.bisect_left(self.doc_starts, self.pos)
                if i < len(self.doc_starts):
                    self.pos = self.doc_starts[i]
                    break
                self._fill(len(self.ids) + 1)
        self._fill(self.pos + n)
        ids = self.ids[self.pos:self.pos + n]
        pred = self.pred[self.pos:self.pos + n]
        self.pos += n
        if self.pos > 100_000:  # drop the consumed prefix to keep memory flat
            cut = self.pos
            self.ids, self.pred = self.ids[cut:], self.pred[cut:]
            self.doc_starts = [s - cut for s in self.doc_starts if s >= cut]
            self.pos = 0
        return ids, pred


# --------------------------------------------------------------------------- grammar check


def _parse_clause(words, i):
    """Parse ``the [adj] noun [prep the [adj] noun] verb [adv]`` starting at i.

    Returns (end index, list of words, subject number) or None."""
    start = i

    def np_(i):
        if i >= len(words) or words[i] != "the":
            return None
        i += 1
        if i < len(words) and words[i] in ck.ADJECTIVES:
            i += 1
        if i >= len(words):
            return None
        for sg, pl in ck.NOUNS:
            if words[i] == sg:
                return i + 1, 0
            if words[i] == pl:
                return i + 1, 1
        return None

    r = np_(i)
    if r is None:
        return None
    i, number = r
    if i < len(words) and words[i] in ck.PREPOSITIONS:
        r = np_(i + 1)
        if r is None:
            return None
        i = r[0]
    if i >= len(words) or words[i] not in [v[number] for v in ck.VERBS]:
        return None
    i += 1
    if i < len(words) and words[i] in ck.ADVERBS:
        i += 1
    return i, words[start:i], number


def check_line(words) -> bool:
    """True if ``words`` (one line including the final ".") is a valid grammar line."""
    try:
        if not words or words[-1] != ".":
            return False
        w, body = words[:-1], None
        k = w[0]
        if k in ("count", "down") and w[2] == "to" and w[4] == ":":
            a, b = int(w[1]), int(w[3])
            if (k == "count" and b < a + 2) or (k == "down" and b > a - 2):
                return False
            step = 1 if k == "count" else -1
            body = [str(i) for i in range(a, b + step, step)]
            return w[5:] == body
        if k == "skip" and w[2] == "by" and w[4] == ":":
            a, s = int(w[1]), int(w[3])
            return 2 <= s <= 5 and w[5:] == [str(i) for i in range(a, 100, s)]
        if k == "letters" and w[1] == "from" and w[3] == "to" and w[5] == ":":
            x, y = ck.LETTERS.index(w[2]), ck.LETTERS.index(w[4])
            return y >= x + 2 and w[6:] == list(ck.LETTERS[x:y + 1])
        if k in ("week", "months") and w[1] == "from" and w[3] == ":":
            items = ck.DAYS if k == "week" else ck.MONTHS
            s = items.index(w[2])
            return w[4:] == [items[(s + i) % len(items)] for i in range(len(items))]
        if k == "repeat" and w[2] == ":":
            n = int(w[1])
            body = " ".join(w[3:]).split(" | ")
            return len(body) == n and len(set(body)) == 1 and 2 <= len(body[0].split()) <= 4
        if k in ("plural", "single") and w[1] == ":":
            r = _parse_clause(w, 2)
            if r is None or r[0] >= len(w) or w[r[0]] != "=":
                return False
            end, first, number = r
            if number != (0 if k == "plural" else 1):
                return False
            r2 = _parse_clause(w, end + 1)
            if r2 is None or r2[0] != len(w) or r2[2] != 1 - number:
                return False
            second = r2[1]
            # same clause except the subject noun and the verb change number
            return len(first) == len(second) and sum(a != b for a, b in zip(first, second)) == 2
        if k == "the":
            r = _parse_clause(w, 0)
            return r is not None and r[0] == len(w)
    except (ValueError, IndexError):
        return False
    return False


def grammar_report(words):
    """Split generated words into lines and check each complete line.

    The first (possibly partial) line continues the prompt and is checked together with the
    prompt's last partial line by the caller; here the words are assumed to start a line."""
    lines, cur = [], []
    for t in words:
        if t in ("<bos>", "<eos>"):
            cur = []
            continue
        cur.append(t)
        if t == ".":
            lines.append(cur)
            cur = []
    return [(" ".join(line), check_line(line)) for line in lines], " ".join(cur)


# --------------------------------------------------------------------------- evaluation


def evaluate(model, stream_split="held-out", seed=0, n_windows=48, length=512):
    """Teacher-forced next-token metrics on ``n_windows`` held-out windows of ``length``
    tokens, each starting at a document's ``<bos>``."""
    import torch
    import torch.nn.functional as F

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


# --------------------------------------------------------------------------- tokenizer


def build_tokenizer():
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(vocab={t: i for i, t in enumerate(ck.VOCAB)},
                                     unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.add_special_tokens(list(ck.SPECIALS))
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<bos>",
        eos_token="<eos>",
        pad_token="<pad>",
        unk_token="<unk>",
        model_max_length=2048,
        clean_up_tokenization_spaces=False,
        padding_side="left",
    )


# --------------------------------------------------------------------------- training


def train(args):
    import torch
    import torch.nn.functional as F
    import transformers
    from transformers import GenerationConfig, Qwen3Config, Qwen3ForCausalLM

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    config = Qwen3Config(**MODEL_KWARGS)
    model = Qwen3ForCausalLM._from_config(config, attn_implementation="sdpa").float()
    model.train()
    n_params = sum(p.numel() for p in model.parameters())

    decay = [p for n, p in model.named_parameters() if p.ndim == 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay},
         {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.95), eps=1e-8,
    )

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        t = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t)))

    stream = TokenStream("train", args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    lengths = torch.tensor([l for l, _ in LENGTH_MIX])
    probs = torch.tensor([p for _, p in LENGTH_MIX])

    log = []
    t_wall, t_cpu = time.perf_counter(), time.process_time()
    ema = None
    tokens_seen = 0
    for step in range(args.steps):
        L = int(lengths[torch.multinomial(probs, 1, generator=gen)].item())
        B = max(1, args.tokens_per_step // L)
        rows = []
        for _ in range(B):
            aligned = bool(torch.rand((), generator=gen).item() < 0.5)
            rows.append(stream.take(L + 1, aligned)[0])
        batch = torch.tensor(rows)
        x, y = batch[:, :-1], batch[:, 1:]
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        logits = model(input_ids=x, use_cache=False).logits
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens_seen += x.numel()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 50 == 0 or step == args.steps - 1:
            el = time.process_time() - t_cpu
            print(f"step {step:5d} len {L:4d} loss {loss.item():.4f} ema {ema:.4f} "
                  f"lr {lr_at(step):.2e} cpu {el:.0f}s", flush=True)
            log.append({"step": step, "seq_len": L, "loss": loss.item(), "ema_loss": ema})
    train_wall = time.perf_counter() - t_wall
    train_cpu = time.process_time() - t_cpu

    # Final train loss: the same teacher-forced evaluation on the start of the training stream.
    train_eval = evaluate(model, "train", args.seed, n_windows=args.eval_windows)
    held = evaluate(model, "held-out", 0, n_windows=args.eval_windows)
    held_long = evaluate(model, "held-out", 1, n_windows=max(1, args.eval_windows // 8),
                         length=2047)
    model.eval()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    old_sha = None
    if (out / "training_metrics.json").exists():
        try:
            old_sha = json.loads((out / "training_metrics.json").read_text())[
                "model_safetensors_sha256"]
        except (KeyError, ValueError):
            old_sha = None

    model.config.use_cache = True
    model.save_pretrained(out, safe_serialization=True)
    _patch_config(out / "config.json")
    GenerationConfig(
        bos_token_id=ck.BOS_ID, eos_token_id=ck.EOS_ID, pad_token_id=ck.PAD_ID,
        do_sample=False, max_new_tokens=48,
    ).save_pretrained(out)
    tokenizer = build_tokenizer()
    tokenizer.save_pretrained(out)
    _patch_tokenizer_config(out / "tokenizer_config.json")
    _check_tokenizer(out)

    for f in out.iterdir():  # safetensors writes 0600; make the package data world-readable
        if f.is_file():
            f.chmod(0o644)
    sha = _sha256(out / "model.safetensors")
    metrics = {
        "seed": args.seed,
        "steps": args.steps,
        "tokens_per_step": args.tokens_per_step,
        "tokens_seen": tokens_seen,
        "length_mix": {str(l): p for l, p in LENGTH_MIX},
        "lr": args.lr,
        "warmup": args.warmup,
        "weight_decay": args.weight_decay,
        "optimizer": "AdamW(betas=(0.9, 0.95), eps=1e-8), cosine to 5% of lr, grad clip 1.0",
        "threads": args.threads,
        "n_params": n_params,
        "final_train_loss_ema": ema,
        "train_eval": train_eval,
        "held_out_eval": held,
        "held_out_eval_2047_tokens": held_long,
        "train_wall_seconds": round(train_wall, 1),
        "train_cpu_seconds": round(train_cpu, 1),
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "python_version": platform.python_version(),
        "machine": platform.machine(),
        "model_safetensors_sha256": sha,
        "log": log,
    }
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    _write_training_md(out, metrics)

    print(json.dumps({k: v for k, v in metrics.items() if k != "log"}, indent=2))
    if old_sha is None:
        print("no previous training_metrics.json: nothing to compare the weights with")
    elif old_sha == sha:
        print(f"model.safetensors is bit-identical to the previous run ({sha[:16]}...)")
    else:
        print(f"model.safetensors DIFFERS from the previous run ({old_sha[:16]}... -> {sha[:16]}...)")
    return metrics


def _patch_config(path: Path):
    """transformers 5.x writes only ``rope_parameters``; add the 4.x top-level spelling
    (``rope_theta``, ``rope_scaling``, ``torch_dtype``) so 4.51+ reads theta 1e6 too."""
    cfg = json.loads(path.read_text())
    theta = rope_theta(SimpleNamespace(**cfg)) if ("rope_parameters" in cfg or "rope_theta" in cfg) else 1e6
    cfg.setdefault("rope_parameters", {"rope_theta": theta, "rope_type": "default"})
    cfg["rope_theta"] = theta
    cfg.setdefault("rope_scaling", None)
    dtype = cfg.get("dtype") or cfg.get("torch_dtype") or "float32"
    cfg["dtype"] = dtype
    cfg["torch_dtype"] = dtype
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def _patch_tokenizer_config(path: Path):
    """transformers 5.x names the class ``TokenizersBackend``, which 4.x lacks; both
    versions load ``PreTrainedTokenizerFast`` (in 5.x an alias of the same backend)."""
    cfg = json.loads(path.read_text())
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    cfg.pop("backend", None)
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def _check_tokenizer(out: Path):
    """The saved tokenizer, ``AutoTokenizer`` and ``ck.encode`` must agree."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out)
    assert len(tok) == ck.VOCAB_SIZE, len(tok)
    for seed in range(3):
        text = ck.sample_corpus_text(20, seed=seed) + " <eos> <bos> " + ck.held_out_text(300, seed)
        ids = tok(text, add_special_tokens=True)["input_ids"]
        assert ids == ck.encode(text), "tokenizer.json disagrees with checkpoints.encode"
        assert tok.decode(ids) == text == ck.decode(ids)
    for odd in ("Count 3 to 5: 3 4 5. Zebra!", "<bos>count 3 to 5:3 4 5.<eos>",
                "x<bos><bos>y..<pad>", "The Cat<eos> naïve ½", "", "  the  "):
        assert tok(odd)["input_ids"] == ck.encode(odd), (odd, tok(odd)["input_ids"], ck.encode(odd))
    assert (tok.bos_token_id, tok.eos_token_id, tok.pad_token_id, tok.unk_token_id) == (
        ck.BOS_ID, ck.EOS_ID, ck.PAD_ID, ck.UNK_ID)


def _write_training_md(out: Path, m: dict):
    h, t = m["held_out_eval"], m["train_eval"]
    lines = [
        "# tiny-trained: how it was made",
        "",
        "Re-create with `python -m tt_qwen.checkpoints.train_tiny --out tt_qwen/checkpoints/tiny-trained`",
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


# --------------------------------------------------------------------------- verification


def verify(folder, prompt_tokens=96, new_tokens=48, seeds=(0, 1, 2, 3)):
    """Load the saved folder offline in float32 and greedy-decode held-out prompts."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM

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
        ids = ck.held_out_ids(prompt_tokens + new_tokens, seed=seed)
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
        prompt_words = [ck.VOCAB[i] for i in prompt]
        last_dot = max(i for i, w in enumerate(prompt_words) if w in (".", "<bos>", "<eos>"))
        words = prompt_words[last_dot + 1:] + [ck.VOCAB[i] for i in gen]
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


def rewrite_training_md(folder):
    """Regenerate TRAINING.md from training_metrics.json (no training)."""
    folder = Path(folder)
    _write_training_md(folder, json.loads((folder / "training_metrics.json").read_text()))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ck.TINY_TRAINED_DIR))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--tokens-per-step", type=int, default=4096)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=60)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (part of what makes the weights bit-reproducible)")
    p.add_argument("--eval-windows", type=int, default=48)
    p.add_argument("--verify-only", action="store_true", help="only load and check --out")
    p.add_argument("--no-verify", action="store_true")
    args = p.parse_args(argv)
    if not args.verify_only:
        train(args)
    if not args.no_verify:
        verify(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
