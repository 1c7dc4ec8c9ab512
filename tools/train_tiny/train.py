"""The deterministic CPU training run that writes the checkpoint folder."""

from __future__ import annotations

import hashlib
import json
import math
import platform
import time
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.nn.functional as F
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
from transformers import AutoTokenizer, GenerationConfig, PreTrainedTokenizerFast, Qwen3Config, Qwen3ForCausalLM

from tt_qwen.checkpoints import grammar
from tt_qwen.model.config import rope_theta

from tools.train_tiny.corpus import LENGTH_MIX, TokenStream
from tools.train_tiny.evaluate import evaluate
from tools.train_tiny.training_md import write_training_md

# Model dimensions (TTNN-legal: multiples of 32, head_dim a multiple of 64).
MODEL_KWARGS = dict(
    vocab_size=grammar.VOCAB_SIZE,
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
    bos_token_id=grammar.BOS_ID,
    eos_token_id=grammar.EOS_ID,
    pad_token_id=grammar.PAD_ID,
    use_cache=True,
)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_tokenizer():

    tok = Tokenizer(models.WordLevel(vocab={t: i for i, t in enumerate(grammar.VOCAB)},
                                     unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.add_special_tokens(list(grammar.SPECIALS))
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


def train(args):

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
        bos_token_id=grammar.BOS_ID, eos_token_id=grammar.EOS_ID, pad_token_id=grammar.PAD_ID,
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
    write_training_md(out, metrics)

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
    """The saved tokenizer, ``AutoTokenizer`` and ``grammar.encode`` must agree."""

    tok = AutoTokenizer.from_pretrained(out)
    assert len(tok) == grammar.VOCAB_SIZE, len(tok)
    for seed in range(3):
        text = grammar.sample_corpus_text(20, seed=seed) + " <eos> <bos> " + grammar.held_out_text(300, seed)
        ids = tok(text, add_special_tokens=True)["input_ids"]
        assert ids == grammar.encode(text), "tokenizer.json disagrees with checkpoints.encode"
        assert tok.decode(ids) == text == grammar.decode(ids)
    for odd in ("Count 3 to 5: 3 4 5. Zebra!", "<bos>count 3 to 5:3 4 5.<eos>",
                "x<bos><bos>y..<pad>", "The Cat<eos> naïve ½", "", "  the  "):
        assert tok(odd)["input_ids"] == grammar.encode(odd), (odd, tok(odd)["input_ids"], grammar.encode(odd))
    assert (tok.bos_token_id, tok.eos_token_id, tok.pad_token_id, tok.unk_token_id) == (
        grammar.BOS_ID, grammar.EOS_ID, grammar.PAD_ID, grammar.UNK_ID)


