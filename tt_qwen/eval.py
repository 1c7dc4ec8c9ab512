"""Teacher-forcing evaluation of a TTNN Qwen3 against the HF float32 reference.

    python -m tt_qwen.eval [MODEL_FILE] [--model ...] [--prompt ... | --prompt_file F | --prompt_ids_file F]
    python -m tt_qwen.eval --mode tt --prefill-len 128 --decode-len 64     # automation: prints YT_METRICS=

HF float32 greedy generation on the prompt gives the reference tokens; the candidate prefills
the prompt and is fed them one at a time through its HF-style `forward`, so any model file
exposing `build_model(hf_model, tt_device, max_seq_len)` can be evaluated (tt_qwen.teacher_forcing).
Every input is checked before weights load: lengths, backend, model file, baseline, the model's
type and dimensions, the prompt and the cache size.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tt_qwen import backends, eval_plan

DEFAULT_REPORT_DIR = Path("reports") / "out"

EPILOG = """\
model: --model, else $HF_MODEL, else Qwen/Qwen3-0.6B when it is in the local HF cache, else the
committed tiny-trained checkpoint. A named model must be a Qwen3 (config.json's model_type),
checked before anything loads; a path must exist.

cache: reference tokens and prepared weights are cached under --cache_dir (default
$TT_QWEN_CACHE, else ~/.cache/tt_qwen; now {cache}), keyed on every weight,
the config, the prompt ids, the settings and the transformers/torch (and ttnn) versions, so a
changed checkpoint saved at the same path gets a fresh reference. Delete the folder to drop it.

timings: on host and mock they measure this machine; --baseline compares them only with
--compare_timings, and then as a ratio to HF float32 timed in the same run."""


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
    first_mismatch: int | None  # the earliest step at which any user's argmax differs
    first_mismatch_user: int | None = None
    agreement: list = field(default_factory=list)  # [batch][steps]: 1 where top-1 agrees
    # HF float32 through the same loop in the same run: the yardstick of host / mock timings.
    reference_timing: dict = field(default_factory=dict)
    compare_ops: dict | None = None  # --compare-ops: the shadow's table (tt_qwen/shadow.py)
    layer_pcc: dict = field(default_factory=dict)  # {"prefill": [...], "decode": [...]}
    roofline: dict | None = None
    settings: dict = field(default_factory=dict)

    def yt_metrics(self) -> dict:
        keys = ["mode", "trace", "top1", "top5", "prefill_len", "decode_len", "batch", "total"]
        extra = ["top5_tt_in_hf", "backend", "model", "prefill_seconds", "decode_seconds_per_step", "tokens_per_second_per_user"]
        data = asdict(self)
        return {key: data[key] for key in keys + extra}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tt_qwen.eval", description=__doc__.split("\n\n")[0], epilog=EPILOG.format(cache=eval_plan.default_cache_dir()),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_file", nargs="?", help="a Python file exposing build_model(hf_model, tt_device, max_seq_len) (default: tt_qwen's own)")
    parser.add_argument("--model", help="HF id, checkpoint folder, tiny-trained, ... (default: $HF_MODEL, see below)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--prompt", help="prompt text")
    source.add_argument("--prompt_file", help="file holding the prompt text")
    source.add_argument("--prompt_ids_file", help="file of integer token ids (a JSON list or whitespace separated); no tokenizer needed")
    parser.add_argument("--max_new_tokens", type=int, help="reference tokens to teacher-force, >= 1 (default 128; --decode-len in --mode)")
    parser.add_argument("--min_new_tokens", type=int, help="force HF's reference to this many tokens (default: max_new_tokens, so EOS never shortens the run)")
    parser.add_argument("--max_seq_len", type=int, help="KV cache length, >= prompt + new tokens (default: that sum rounded up to 32)")
    parser.add_argument("--prefill_decode", action="store_true", help="debug: feed the prompt token by token instead of one prefill")
    parser.add_argument("--device_id", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache_dir", help="where reference tokens and prepared weights are cached (default: $TT_QWEN_CACHE or ~/.cache/tt_qwen)")
    parser.add_argument("--backend", choices=backends.CHOICES, help=f"where TTNN runs (default: ${backends.ENV_VAR} or auto)")
    parser.add_argument("--report_dir", default=str(DEFAULT_REPORT_DIR), help="where the JSON / Markdown / PNG report goes")
    parser.add_argument("--baseline", help="a previous report JSON of the same settings, model and backend: flag regressions against it")
    parser.add_argument("--fail_on_regression", action="store_true", help="exit 1 when --baseline shows a regression")
    parser.add_argument("--compare_timings", action="store_true", help="on host / mock, compare timings with --baseline too (as ratios to HF timed in the same run)")
    parser.add_argument("--compare-ops", dest="compare_ops", action="store_true", help="run every ttnn call also on the host backend and name the first op that diverges (tt_qwen/shadow.py)")
    parser.add_argument("--fail_below_floor", action="store_true", help="exit 1 when top1 or top5 is below its floor in tt_qwen/thresholds.py")
    automation = parser.add_argument_group("automation wrapper (ttnn_models scripts/run_eval.py)")
    automation.add_argument("--mode", choices=["hf", "tt"], help="tt: the TTNN model; hf: the HF model itself through the same loop (a harness check)")
    automation.add_argument("--prefill-len", dest="prefill_len", type=int, help="synthetic prompt of exactly N tokens")
    automation.add_argument("--decode-len", dest="decode_len", type=int, help="teacher-forced decode steps, >= 1")
    automation.add_argument("--batch", type=int, default=1, help="users decoded together (1..32), each on its own window of the text; the KV cache is built for exactly this many")
    automation.add_argument("--trace", action="store_true", help="capture the decode step once and replay it (tt_qwen's model; host and device: a capture crashes the mock)")
    args = parser.parse_args(argv)
    args.cache_dir = args.cache_dir or str(eval_plan.default_cache_dir())
    return args


def run(args) -> EvalResult:
    from tt_qwen import shadow

    if args.compare_ops:  # before the plan: its own reason comes first
        if args.mode == "hf":
            raise eval_plan.EvalError("--compare-ops: --mode hf runs no ttnn op to compare; use --mode tt")
        shadow.check_backend(args.backend)
    plan = eval_plan.plan(args)
    _say(f"model {plan.spec.name} ({plan.spec.source or plan.spec.kind}), prompt {plan.prompt_len} tokens x batch {args.batch}, "
         f"{plan.new_tokens} teacher-forced tokens, KV cache for batch {args.batch} x {plan.max_seq_len} positions")
    hf_model = eval_plan.load_weights(plan)
    from tt_qwen import teacher_forcing

    ref = teacher_forcing.reference_tokens(hf_model, plan.prompts, plan.new_tokens, plan.min_new_tokens, args.cache_dir)
    steps = ref["tokens"].shape[1]  # fewer than asked only when --min_new_tokens let EOS stop HF
    backend = None if plan.mode == "hf" else backends.open_backend(plan.backend, device_id=args.device_id)
    with shadow.maybe(args.compare_ops, backend) as ops:
        candidate, backend_name = _candidate(args, plan, hf_model, backend)
        ops.attach(candidate)
        _say(f"backend {backend_name}: teacher forcing")
        tt_top5, prefill_s, decode_s = teacher_forcing.teacher_force(candidate, plan.prompts, ref["tokens"], args.prefill_decode, progress=_progress)
    scores = teacher_forcing.accuracy(tt_top5, ref["tokens"], ref["hf_top5"])
    measured = {"prefill_seconds": prefill_s, "decode_seconds_per_step": decode_s,
                "tokens_per_second_per_user": 1.0 / decode_s if decode_s else 0.0}
    probed = _probe(candidate, hf_model, plan, ref, backend_name, measured["tokens_per_second_per_user"], args.trace)
    timing = _reference_timing(hf_model, plan, ref) if backend_name in ("host", "mock") else {}
    return EvalResult(
        mode=plan.mode, backend=backend_name, model=plan.spec.name, model_file=args.model_file or "tt_qwen",
        prefill_len=plan.prompt_len, decode_len=steps, batch=args.batch, trace=args.trace,
        total=steps * args.batch, **measured, reference_timing=timing, settings={**plan.settings(), "ttnn": _which_ttnn(backend_name)}, **probed,
        **{key: scores[key] for key in ("top1", "top5", "top5_tt_in_hf", "first_mismatch", "first_mismatch_user", "agreement")},
        compare_ops=ops.report.to_dict() if ops.report else None,
    )


def _candidate(args, plan, hf_model, backend):
    """The model under test, built on the opened backend (or HF itself in --mode hf)."""
    if plan.mode == "hf":
        return hf_model, "cpu"
    options = {}
    if not args.model_file:
        # tt_qwen's own model: a cache for exactly --batch users, prepared weights kept on disk.
        options = {"max_batch_size": args.batch, "weight_cache_dir": eval_plan.weight_cache_dir(args.cache_dir, backend)}
        if args.trace:
            options["trace"] = True
    return plan.build(hf_model, backend.device, plan.max_seq_len, **options), backend.name


def _probe(candidate, hf_model, plan, ref, backend_name, tokens_per_second, traced=False) -> dict:
    """Per-layer PCC and, at full size, the decode roofline: for models that speak TTModelProtocol.
    A traced decode cannot read its layers back, so under --trace only prefill is probed."""
    if plan.mode != "tt":
        return {"layer_pcc": {}, "roofline": None}
    from tt_qwen import probes
    from tt_qwen.model.causal_lm import TTModelProtocol

    if not isinstance(candidate, TTModelProtocol):
        return {"layer_pcc": {}, "roofline": None}
    pcc = probes.layer_pcc(candidate, hf_model, plan.prompts[0], None if traced else ref["tokens"][0, 0])
    return {"layer_pcc": pcc, "roofline": eval_plan.roofline_at_full_size(candidate, plan, backend_name, tokens_per_second)}


def _reference_timing(hf_model, plan, ref) -> dict:
    """HF float32 through the same loop, on this machine, now: what host / mock timings are
    divided by before two runs are compared (load on a shared machine scales both)."""
    from tt_qwen import teacher_forcing

    steps = min(ref["tokens"].shape[1], 16)
    _, prefill_s, decode_s = teacher_forcing.teacher_force(hf_model, plan.prompts, ref["tokens"][:, :steps])
    return {"what": f"HF float32, same prompts, {steps} steps", "prefill_seconds": prefill_s, "decode_seconds_per_step": decode_s}


def main(argv=None) -> int:
    args = parse_args(argv)
    from tt_qwen import benchmark_data, reports, zoo

    started = benchmark_data.now()
    try:
        result = run(args)
    except (eval_plan.EvalError, backends.BackendUnavailable, zoo.ModelUnavailable, ValueError, MemoryError, OSError) as error:
        print(f"tt_qwen.eval: error: {error}", file=sys.stderr)
        return 2
    print_result(result)
    written = reports.write_eval_report(asdict(result), Path(args.report_dir))
    written += benchmark_data.write_eval_run(asdict(result), started, benchmark_data.now())  # tt-metal's benchmark data
    print("report: " + ", ".join(str(p) for p in written))
    failed = any(not ok for _, _, _, ok in floor_verdicts(result)) and args.fail_below_floor
    if args.baseline:
        try:
            regressions = reports.compare_to_baseline(Path(args.baseline), written[0], timings=args.compare_timings or None)
        except (OSError, ValueError) as error:
            print(f"tt_qwen.eval: error: {error}", file=sys.stderr)
            return 2
        for line in regressions:
            print("REGRESSION: " + line)
        failed |= bool(regressions) and args.fail_on_regression
    return 1 if failed else 0


def print_result(result: EvalResult) -> None:
    for metric, value, floor, ok in floor_verdicts(result):
        print(f"{metric} {value:.4f}  floor {floor}  {'pass' if ok else 'FAIL'}" + ("" if ok else f"\nBELOW FLOOR: {metric} {value:.4f} < {floor}"))
    print(f"top5_tt_in_hf {result.top5_tt_in_hf:.4f} (TT argmax in HF top-5)  over {result.total} predictions")
    if result.first_mismatch is None:
        print("no mismatch: every step of every user agrees with HF")
    else:
        print(f"first mismatch at step {result.first_mismatch} (user {result.first_mismatch_user})")
    print(f"prefill {result.prefill_seconds * 1000:.1f} ms, decode {result.decode_seconds_per_step * 1000:.1f} ms/step "
          f"({result.tokens_per_second_per_user:.1f} t/s/u), measured on {result.backend}")
    if result.roofline:
        print("roofline: " + result.roofline["summary"])
    print("YT_METRICS=" + json.dumps(result.yt_metrics()))
    if result.compare_ops:
        from tt_qwen import shadow

        print(shadow.table_text(result.compare_ops))


def floor_verdicts(result: EvalResult) -> list[tuple[str, float, float, bool]]:
    from tt_qwen.thresholds import accuracy_floors

    return [(metric, getattr(result, metric), floor, getattr(result, metric) >= floor)
            for metric, floor in accuracy_floors(result.model).items()]


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
