"""Teacher-forcing evaluation of a TTNN Qwen3 against the HF float32 reference.

    python -m tt_qwen.eval [MODEL_FILE] [--model ...] [--prompt ... | --prompt_file F | --prompt_ids_file F]
    python -m tt_qwen.eval --mode tt --prefill-len 128 --decode-len 64     # automation: prints YT_METRICS=

Reference: HF float32 greedy generation on the prompt gives `max_new_tokens` reference tokens
(cached on disk, keyed by model, prompt and settings). The candidate prefills the prompt, then
is fed the reference tokens one at a time through its HF-style `forward`, so any model file
exposing `build_model(hf_model, tt_device, max_seq_len)` can be evaluated.

Accuracy (fractions of the scored steps; a step is the prediction of reference token i):
- top1:          the candidate's argmax equals the reference token (HF's greedy choice);
- top5:          the reference token is in the candidate's top 5 (ttnn_models' eval.py convention);
- top5_tt_in_hf: the candidate's argmax is in HF's top 5 (tt-metal's accuracy-test convention).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_PROMPT_FILE = Path(__file__).parent / "data" / "default_prompt.txt"
DEFAULT_CACHE_DIR = Path(os.environ.get("TT_QWEN_CACHE", "~/.cache/tt_qwen")).expanduser()
DEFAULT_REPORT_DIR = Path("reports") / "out"


class EvalError(Exception):
    """A problem with the evaluation's inputs; printed as one line, exit code 2."""


@dataclass
class EvalResult:
    mode: str
    backend: str
    model: str
    model_file: str
    prefill_len: int
    decode_len: int
    batch: int
    trace: bool
    top1: float
    top5: float
    top5_tt_in_hf: float
    total: int  # scored predictions: decode_len x batch
    prefill_seconds: float
    decode_seconds_per_step: float
    tokens_per_second_per_user: float
    first_mismatch: int | None
    layer_pcc: dict = field(default_factory=dict)  # {"prefill": [...], "decode": [...]}
    roofline: dict | None = None
    settings: dict = field(default_factory=dict)

    def yt_metrics(self) -> dict:
        keys = ["mode", "trace", "top1", "top5", "prefill_len", "decode_len", "batch", "total"]
        extra = ["top5_tt_in_hf", "backend", "model", "prefill_seconds", "decode_seconds_per_step", "tokens_per_second_per_user"]
        data = asdict(self)
        return {key: data[key] for key in keys + extra}


# ---- arguments ----------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tt_qwen.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("model_file", nargs="?", help="a Python file exposing build_model(hf_model, tt_device, max_seq_len) (default: tt_qwen's own)")
    parser.add_argument("--model", default=os.environ.get("HF_MODEL"), help="HF id, checkpoint path, tiny-trained, ... (default: Qwen/Qwen3-0.6B when in the local HF cache, else tiny-trained)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--prompt", help="prompt text")
    source.add_argument("--prompt_file", help="file holding the prompt text")
    source.add_argument("--prompt_ids_file", help="file holding prompt token ids (JSON list or whitespace separated)")
    parser.add_argument("--max_new_tokens", type=int, default=None, help="reference tokens to teacher-force (default 128; --decode-len in --mode)")
    parser.add_argument("--min_new_tokens", type=int, default=None, help="force HF's reference to this many tokens (default: max_new_tokens, so EOS never shortens the run)")
    parser.add_argument("--max_seq_len", type=int, default=None, help="KV cache length (default: prompt + new tokens, rounded up to 32)")
    parser.add_argument("--prefill_decode", action="store_true", help="debug: feed the prompt token by token instead of one prefill")
    parser.add_argument("--device_id", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache_dir", default=str(DEFAULT_CACHE_DIR), help="where reference tokens and prepared weights are cached")
    parser.add_argument("--backend", default=None, help="auto, host, mock or device (default: $TT_QWEN_BACKEND or auto)")
    parser.add_argument("--report_dir", default=str(DEFAULT_REPORT_DIR), help="where the JSON / Markdown / PNG report goes")
    parser.add_argument("--baseline", help="a previous report JSON: flag regressions against it")
    parser.add_argument("--fail_on_regression", action="store_true", help="exit 1 when --baseline shows a regression")
    parser.add_argument("--fail_below_floor", action="store_true", help="exit 1 when top1 or top5 is below its floor in tt_qwen/thresholds.py")
    automation = parser.add_argument_group("automation wrapper (ttnn_models scripts/run_eval.py)")
    automation.add_argument("--mode", choices=["hf", "tt"], help="tt: the TTNN model; hf: the HF model itself through the same loop (a harness check)")
    automation.add_argument("--prefill-len", dest="prefill_len", type=int, help="synthetic prompt of exactly N tokens")
    automation.add_argument("--decode-len", dest="decode_len", type=int, help="teacher-forced decode steps")
    automation.add_argument("--batch", type=int, default=1, help="users decoded together (1..32), each on its own window of the text")
    automation.add_argument("--trace", action="store_true", help="capture the decode step as a trace (device only)")
    args = parser.parse_args(argv)
    args.max_new_tokens = args.max_new_tokens or args.decode_len or 128
    args.min_new_tokens = args.min_new_tokens if args.min_new_tokens is not None else args.max_new_tokens
    return args


def check_args(args) -> None:
    if args.max_new_tokens < 1:
        raise EvalError(f"--max_new_tokens {args.max_new_tokens}: at least 1 token is needed")
    if not 1 <= args.batch <= 32:
        raise EvalError(f"--batch {args.batch} is outside 1..32 (one tile of users)")
    if args.min_new_tokens > args.max_new_tokens:
        raise EvalError(f"--min_new_tokens {args.min_new_tokens} is over --max_new_tokens {args.max_new_tokens}")
    if args.trace:
        raise EvalError("--trace: tt_qwen's model does not capture decode traces yet; run without --trace")
    if args.prefill_len is not None and args.prefill_len < 1:
        raise EvalError(f"--prefill-len {args.prefill_len}: the prompt needs at least 1 token")


# ---- model, prompt, reference ------------------------------------------------------------------

def choose_model(name: str | None):
    from tt_qwen import models

    if name:
        specs = models.resolve(name)
        if len(specs) != 1:
            raise EvalError(f"--model {name} names {len(specs)} models; evaluate one at a time")
        return specs[0]
    real = models.resolve(models.QWEN3_0_6B)[0]
    try:
        models._require_cached(real.source)
        return real
    except models.ModelUnavailable:
        return models.resolve("tiny-trained")[0]


def prompt_ids(args, spec, tokenizer, vocab_size: int) -> list[list[int]]:
    """One prompt per user ([batch][prefill_len])."""
    if args.prompt_ids_file:
        ids = _read_ids(args.prompt_ids_file)
    else:
        ids = _encode(_prompt_text(args, spec), tokenizer, spec)
    if not ids:
        raise EvalError("the prompt is empty after tokenization")
    bad = [i for i in ids if not 0 <= i < vocab_size]
    if bad:
        raise EvalError(f"prompt token id {bad[0]} is outside the vocabulary 0..{vocab_size - 1}")
    length = args.prefill_len or len(ids)
    needed = length + args.batch - 1
    if args.prefill_len and len(ids) < needed:
        ids = (ids * (needed // len(ids) + 1))  # a synthetic prompt: the text again, as often as needed
    if len(ids) < needed:
        raise EvalError(f"--batch {args.batch} needs a prompt of at least {needed} tokens, got {len(ids)}")
    return [ids[user: user + length] for user in range(args.batch)]


def _prompt_text(args, spec) -> str:
    if args.prompt is not None:
        return args.prompt
    if args.prompt_file:
        path = Path(args.prompt_file)
        if not path.is_file():
            raise EvalError(f"--prompt_file {path}: no such file")
        return path.read_text()
    if spec.kind == "tiny-trained":
        from tt_qwen.checkpoints import held_out_text

        return held_out_text(256, seed=args.seed)
    return DEFAULT_PROMPT_FILE.read_text()


def _encode(text, tokenizer, spec) -> list[int]:
    if tokenizer is None:
        raise EvalError(f"model {spec.name} has no tokenizer: give --prompt_ids_file or --prefill-len with ids")
    return list(tokenizer(text, add_special_tokens=True)["input_ids"])


def _read_ids(path) -> list[int]:
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"--prompt_ids_file {path}: no such file")
    text = path.read_text().strip()
    try:
        values = json.loads(text) if text.startswith("[") else [int(v) for v in text.split()]
    except ValueError as error:
        raise EvalError(f"--prompt_ids_file {path}: not a JSON list or whitespace-separated integers ({error})") from None
    return [int(v) for v in values]


def reference(hf_model, spec, prompts, max_new_tokens: int, min_new_tokens: int, cache_dir=None) -> dict:
    """HF greedy tokens [batch][N] and HF's top-5 at every step, cached on disk."""
    import torch

    key = _reference_key(hf_model, spec, prompts, max_new_tokens, min_new_tokens)
    path = Path(cache_dir or DEFAULT_CACHE_DIR) / "reference" / f"{key}.pt"
    if path.is_file():
        return torch.load(path)
    tokens, top5 = [], []
    for ids in prompts:
        prompt = torch.tensor(ids).reshape(1, -1)
        with torch.no_grad():
            out = hf_model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                    max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens)
            generated = out[0, prompt.shape[1]:]
            logits = hf_model(out[:, :-1]).logits[0, prompt.shape[1] - 1:]
        tokens.append(generated)
        top5.append(logits.topk(5, dim=-1).indices)
    result = {"tokens": torch.stack(tokens), "hf_top5": torch.stack(top5)}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(result, path)
    return result


def _reference_key(hf_model, spec, prompts, max_new_tokens, min_new_tokens) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([spec.name, spec.source, max_new_tokens, min_new_tokens, prompts]).encode())
    digest.update(hf_model.lm_head.weight.detach().float().numpy().tobytes()[: 1 << 20])
    digest.update(hf_model.model.layers[-1].mlp.down_proj.weight.detach().float().numpy().tobytes()[: 1 << 20])
    return digest.hexdigest()[:24]


def load_model_file(path: str | None):
    """The `build_model` of a bring-up file, or tt_qwen's own."""
    if path is None:
        from tt_qwen import build_model

        return build_model
    file = Path(path)
    if not file.is_file():
        raise EvalError(f"model file {file}: no such file")
    spec = importlib.util.spec_from_file_location(f"tt_qwen_eval_model_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "build_model", None)):
        raise EvalError(f"model file {file} has no build_model(hf_model, tt_device, max_seq_len)")
    return module.build_model


# ---- teacher forcing ---------------------------------------------------------------------------

def teacher_force(model, prompts, ref_tokens, prefill_decode: bool, progress=None):
    """Feed the prompts, then the reference tokens; return (top-5 ids [batch, N, 5], prefill
    seconds, decode seconds per step)."""
    import torch

    from tt_qwen.hf_compat import cache_kwargs, cache_of

    batch, steps = ref_tokens.shape
    ids = torch.tensor(prompts)
    start = time.perf_counter()
    if prefill_decode:
        out = model(ids[:, :1], use_cache=True)
        for i in range(1, ids.shape[1]):
            out = model(ids[:, i: i + 1], use_cache=True, **cache_kwargs(cache_of(out)))
    else:
        out = model(ids, use_cache=True, logits_to_keep=1)
    prefill_seconds = time.perf_counter() - start
    predictions = [out.logits[:, -1].float().topk(5, dim=-1).indices]
    start = time.perf_counter()
    for step in range(steps - 1):
        out = model(ref_tokens[:, step: step + 1], use_cache=True, **cache_kwargs(cache_of(out)))
        predictions.append(out.logits[:, -1].float().topk(5, dim=-1).indices)
        if progress:
            progress(step + 2, steps)
    decode_seconds = (time.perf_counter() - start) / max(1, steps - 1)
    return torch.stack(predictions, dim=1), prefill_seconds, decode_seconds


def accuracy(tt_top5, ref_tokens, hf_top5) -> dict:
    tt_argmax = tt_top5[..., 0]
    top1 = (tt_argmax == ref_tokens).float()
    mismatches = (~top1.bool()).nonzero()
    return {
        "top1": float(top1.mean()),
        "top5": float((tt_top5 == ref_tokens.unsqueeze(-1)).any(-1).float().mean()),
        "top5_tt_in_hf": float((hf_top5 == tt_argmax.unsqueeze(-1)).any(-1).float().mean()),
        "first_mismatch": int(mismatches[0, 1]) if len(mismatches) else None,
    }


def layer_pcc(model, hf_model, prompt, next_token) -> dict:
    """PCC of the residual stream after each layer: prefill of the prompt, and one decode step."""
    import torch

    from tt_qwen import reference as hf_reference
    from tt_qwen.compare import compare

    if not hasattr(model, "layer_observer"):
        return {}
    import ttnn

    ids = torch.tensor(prompt)
    full = torch.cat([ids, next_token.reshape(1)])
    expected = hf_reference.layer_outputs(hf_model, full)
    captured = {"prefill": {}, "decode": {}}
    model.layer_observer = lambda index, mode, x: captured[mode].setdefault(index, []).append(
        ttnn.to_torch(x).float().reshape(-1, x.shape[-1]))
    try:
        model.prefill(ids, last_token_only=True)
        model.decode(next_token.reshape(1), [len(ids)])
    finally:
        model.layer_observer = None
    prefill = [compare(expected[i][: len(ids)], torch.cat(captured["prefill"][i])[: len(ids)]).pcc for i in sorted(captured["prefill"])]
    decode = [compare(expected[i][len(ids)], captured["decode"][i][0][0]).pcc for i in sorted(captured["decode"])]
    return {"prefill": prefill, "decode": decode}


# ---- main -------------------------------------------------------------------------------------

def run(args) -> EvalResult:
    import torch
    import transformers

    from tt_qwen import backends, models

    check_args(args)
    models.check_transformers_version()
    torch.manual_seed(args.seed)
    transformers.utils.logging.disable_progress_bar()
    spec = choose_model(args.model)
    hf_model = models.load_hf_model(spec)
    tokenizer = models.load_tokenizer(spec)
    prompts = prompt_ids(args, spec, tokenizer, hf_model.config.vocab_size)
    _say(f"model {spec.name} ({spec.source or spec.kind}), prompt {len(prompts[0])} tokens x batch {args.batch}, {args.max_new_tokens} teacher-forced tokens")
    ref = reference(hf_model, spec, prompts, args.max_new_tokens, args.min_new_tokens, args.cache_dir)
    max_seq_len = args.max_seq_len or -(-(len(prompts[0]) + args.max_new_tokens) // 32) * 32
    if len(prompts[0]) + args.max_new_tokens > max_seq_len:
        raise EvalError(f"prompt ({len(prompts[0])}) + new tokens ({args.max_new_tokens}) = {len(prompts[0]) + args.max_new_tokens} is over --max_seq_len {max_seq_len}")

    mode = args.mode or "tt"
    if mode == "hf":
        backend_name, candidate = "cpu", hf_model
    else:
        backend = backends.open_backend(args.backend, device_id=args.device_id)
        backend_name = backend.name
        if not backend.computes_numbers:
            raise EvalError("the mock backend returns zeros: accuracy needs --backend host or device")
        build = load_model_file(args.model_file)
        # tt_qwen's own model keeps its prepared weights on disk, so the next run skips preparing them.
        options = {} if args.model_file else {"weight_cache_dir": Path(args.cache_dir) / "weights" / backend.name}
        candidate = build(hf_model, backend.device, max_seq_len, **options)
    _say(f"backend {backend_name}: teacher forcing")
    tt_top5, prefill_s, decode_s = teacher_force(candidate, prompts, ref["tokens"], args.prefill_decode, progress=_progress)
    scores = accuracy(tt_top5, ref["tokens"], ref["hf_top5"])
    pcc = layer_pcc(candidate, hf_model, prompts[0], ref["tokens"][0, 0]) if mode == "tt" else {}
    tokens_per_second = 1.0 / decode_s if decode_s else 0.0
    bound = None
    if hasattr(candidate, "dims"):
        from tt_qwen.model.footprint import roofline

        bound = roofline(candidate.dims, candidate.mlp_dtype, len(prompts[0]) + args.max_new_tokens, args.batch, tokens_per_second)
    return EvalResult(
        mode=mode, backend=backend_name, model=spec.name, model_file=args.model_file or "tt_qwen",
        prefill_len=len(prompts[0]), decode_len=args.max_new_tokens, batch=args.batch, trace=args.trace,
        top1=scores["top1"], top5=scores["top5"], top5_tt_in_hf=scores["top5_tt_in_hf"],
        total=args.max_new_tokens * args.batch, prefill_seconds=prefill_s, decode_seconds_per_step=decode_s,
        tokens_per_second_per_user=tokens_per_second, first_mismatch=scores["first_mismatch"],
        layer_pcc=pcc, roofline=bound, settings={"max_seq_len": max_seq_len, "prefill_decode": args.prefill_decode, "seed": args.seed,
                                                 "ttnn": _which_ttnn(backend_name)},
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    from tt_qwen import backends, benchmark_data, models, reports

    started = benchmark_data.now()
    try:
        result = run(args)
    except (EvalError, backends.BackendUnavailable, models.ModelUnavailable, ValueError, MemoryError) as error:
        print(f"tt_qwen.eval: error: {error}", file=sys.stderr)
        return 2
    print(f"top1 {result.top1:.4f}  top5 {result.top5:.4f} (HF token in TT top-5)  "
          f"top5_tt_in_hf {result.top5_tt_in_hf:.4f} (TT argmax in HF top-5)  over {result.total} predictions")
    print(f"prefill {result.prefill_seconds * 1000:.1f} ms, decode {result.decode_seconds_per_step * 1000:.1f} ms/step "
          f"({result.tokens_per_second_per_user:.1f} t/s/u) on {result.backend}")
    print("YT_METRICS=" + json.dumps(result.yt_metrics()))
    written = reports.write_eval_report(asdict(result), Path(args.report_dir))
    written += benchmark_data.write_eval_run(asdict(result), started, benchmark_data.now())  # tt-metal's benchmark data
    print("report: " + ", ".join(str(p) for p in written))
    failed = False
    if args.baseline:
        regressions = reports.compare_to_baseline(Path(args.baseline), written[0])
        for line in regressions:
            print("REGRESSION: " + line)
        failed |= bool(regressions) and args.fail_on_regression
    for metric, value, floor in below_floors(result):
        print(f"BELOW FLOOR: {metric} {value:.4f} < {floor}")
        failed |= args.fail_below_floor
    return 1 if failed else 0


def below_floors(result: EvalResult) -> list[tuple[str, float, float]]:
    from tt_qwen.thresholds import accuracy_floors

    return [(metric, getattr(result, metric), floor) for metric, floor in accuracy_floors(result.model).items()
            if getattr(result, metric) < floor]


def _which_ttnn(backend_name: str) -> dict | None:
    """The ttnn that ran (tt_qwen.runner), named in the report; None for --mode hf."""
    from tt_qwen import runner

    return runner.ttnn_identity(backend_name, sys.modules.get("ttnn")).as_properties() if backend_name != "cpu" else None


def _say(message):
    print(f"[tt_qwen.eval] {message}", file=sys.stderr, flush=True)


def _progress(done, total):
    if done == total or done % max(1, total // 10) == 0:
        _say(f"step {done}/{total}")


if __name__ == "__main__":
    sys.exit(main())
