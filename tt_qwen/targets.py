"""Measured against target, as tt-metal checks models/model_targets.yaml.

    python -m tt_qwen.targets [RUN.json | DIR ...] [--targets FILE] [--sku wh_n150] [--model NAME] [--fail]

Reads benchmark data (`partial_run_*.json`, default generated/benchmark_data/) and prints one row
per measured value: target, tolerance and status:
- pass:                     within target +/- tolerance (default 15 %, tt-metal's);
- fail:                     slower (or less accurate) than the band;
- too fast: update target:  better than the band, which fails in tt-metal too;
- report-only:              the entry's status is TODO (what it would be is shown).
Exit 0; 1 with --fail when an active entry failed; 2 on bad input (a targets file that does not
parse, no targets for the model, a measurement with no target entry), one line each.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TARGETS = Path(__file__).parent / "data" / "model_targets.yaml"
DEFAULT_RUNS = Path("generated/benchmark_data")
DEFAULT_TOLERANCE = 0.15  # tt-metal's
ACCURACY_TOLERANCE = 0.02  # tt-qwen's: 15 % of a 97 % top-1 would hide a real loss

# (step, measurement) of benchmark data -> (target key, section, lower is better)
METRICS = {
    ("inference_prefill", "time_to_token"): ("prefill_time_to_first_token", "perf", True),
    ("inference_prefill", "tokens/s"): ("prefill_t/s", "perf", False),
    ("inference_decode", "tokens/s/user"): ("decode_t/s/u", "perf", False),
    ("inference_decode", "tokens/s"): ("decode_t/s", "perf", False),
    ("inference_decode", "top1_token_accuracy"): ("top1", "accuracy", False),
    ("inference_decode", "top5_token_accuracy"): ("top5", "accuracy", False),
}


WOULD = {"pass": "pass", "fail": "fail", "too fast: update target": "be too fast: update target"}


class TargetsError(ValueError):
    """Bad targets input; the message is one line naming the value and what to do."""


@dataclass(frozen=True)
class Row:
    model: str
    backend: str
    batch: int | None
    seq_len: int | None
    metric: str
    measured: float
    target: float | None
    tolerance: float
    status: str
    enforced: bool  # the entry is active

    @property
    def failed(self) -> bool:
        return self.enforced and self.status != "pass"


# ---- the targets file -------------------------------------------------------------------------

def load_targets(path: Path = DEFAULT_TARGETS) -> dict:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as error:
        raise TargetsError(f"targets file {path} cannot be read ({error.strerror}): pass --targets FILE") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise TargetsError(f"targets file {path} does not parse as YAML{line} ({getattr(error, 'problem', error)}): fix it") from None
    if not isinstance(data, dict) or not isinstance(data.get("targets"), dict):
        raise TargetsError(f"targets file {path} has no 'targets:' mapping (model_targets.yaml's form): fix it")
    return data["targets"]


def model_key(targets: dict, name: str, path: Path) -> str:
    for key, model in targets.items():
        if name == key or name in (model or {}).get("aliases", []):
            return key
    raise TargetsError(f"no targets for model {name!r} in {path} (it has {', '.join(targets)}): "
                       "add it, or pass --model NAME to compare this run against another model's targets")


def find_entry(targets: dict, key: str, sku: str, batch, seq_len) -> dict | None:
    """The entry of (batch, seq_len); an entry with seq_len null matches any length."""
    entries = (((targets[key] or {}).get("skus") or {}).get(sku) or {}).get("entries") or []
    candidates = [e for e in entries if e.get("batch_size") in (None, batch)]
    exact = [e for e in candidates if e.get("seq_len") == seq_len]
    return (exact or [e for e in candidates if e.get("seq_len") is None] or [None])[0]


# ---- judging ----------------------------------------------------------------------------------

def judge(measured: float, target: float, tolerance: float, lower_is_better: bool, section: str) -> str:
    if section == "accuracy":
        return "pass" if measured >= target * (1 - tolerance) else "fail"
    # The band is target x (1 +/- tolerance), as tt-metal's; which side is "worse" depends on the metric.
    ratio = measured / target
    worse, better = (ratio > 1 + tolerance, ratio < 1 - tolerance) if lower_is_better else (ratio < 1 - tolerance, ratio > 1 + tolerance)
    return "fail" if worse else "too fast: update target" if better else "pass"


def compare(runs: list[dict], targets: dict, sku: str, path: Path, model: str | None = None) -> tuple[list[Row], list[str]]:
    """Rows of every measured value that has a target key, and the one-line errors of values with
    no target entry."""
    rows, missing = [], []
    for run in runs:
        key = model_key(targets, model or run["ml_model_name"], path)
        batch, seq_len = run.get("batch_size"), run.get("input_sequence_length")
        backend = run.get("config_params", {}).get("backend", "?")
        for item in run["measurements"]:
            if (item["step_name"], item["name"]) not in METRICS:
                continue
            metric, section, lower = METRICS[(item["step_name"], item["name"])]
            entry = find_entry(targets, key, sku, batch, seq_len)
            if entry is None:
                line = (f"no target entry for {key} on {sku} at batch_size {batch}, seq_len {seq_len} in {path}: "
                        "add one (status: TODO until a card gives a baseline)")
                missing += [line] if line not in missing else []
                continue
            rows.append(_row(run, key, backend, batch, seq_len, metric, section, lower, item["value"], entry))
    return rows, missing


def _row(run, key, backend, batch, seq_len, metric, section, lower, measured, entry) -> Row:
    values = entry.get(section) or {}
    target = values.get(metric)
    default = ACCURACY_TOLERANCE if section == "accuracy" else DEFAULT_TOLERANCE
    tolerance = float(values.get(metric.replace("/", "_") + "_tolerance", default))
    enforced = entry.get("status") == "active"
    verdict = judge(measured, float(target), tolerance, lower, section) if target is not None else None
    if enforced:
        status = verdict or "fail: active entry has no target value"
    else:
        status = f"report-only (would {WOULD[verdict]})" if verdict else "report-only (no target yet)"
    return Row(run["ml_model_name"], backend, batch, seq_len, metric, float(measured), target, tolerance, status, enforced)


# ---- reading runs and printing ------------------------------------------------------------------

def load_runs(paths: list[Path]) -> list[dict]:
    from tt_qwen import benchmark_data

    files = []
    for path in paths:
        files += sorted(path.glob("partial_run_*.json")) if path.is_dir() else [path]
    if not files:
        raise TargetsError(f"no partial_run_*.json in {', '.join(map(str, paths))}: run the benchmark tier "
                           "(pytest -m benchmark) or python -m tt_qwen.eval first, or name the files")
    try:
        return [benchmark_data.load(f) for f in files]
    except benchmark_data.BenchmarkDataError as error:
        raise TargetsError(str(error)) from None


def table(rows: list[Row]) -> str:
    head = ("model", "backend", "batch", "seq_len", "metric", "measured", "target", "tolerance", "status")
    body = [(r.model, r.backend, str(r.batch), str(r.seq_len), r.metric, f"{r.measured:.4g}",
             "-" if r.target is None else f"{r.target:g}", f"+/-{r.tolerance:.0%}", r.status) for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [head, *body])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tt_qwen.targets", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="*", type=Path, help=f"partial_run_*.json files or folders (default {DEFAULT_RUNS})")
    parser.add_argument("--targets", type=Path, default=DEFAULT_TARGETS, help="a model_targets.yaml (default: tt-qwen's)")
    parser.add_argument("--sku", default="wh_n150", help="the SKU of the targets (default wh_n150)")
    parser.add_argument("--model", help="compare against this model's targets, whatever model the runs measured")
    parser.add_argument("--fail", action="store_true", help="exit 1 when an active entry fails or is too fast")
    args = parser.parse_args(argv)
    try:
        rows, missing = compare(load_runs(args.runs or [DEFAULT_RUNS]), load_targets(args.targets), args.sku, args.targets, args.model)
    except TargetsError as error:
        print(f"tt_qwen.targets: error: {error}", file=sys.stderr)
        return 2
    print(table(rows))
    for line in missing:
        print(f"tt_qwen.targets: error: {line}", file=sys.stderr)
    if missing:
        return 2
    return 1 if args.fail and any(r.failed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
