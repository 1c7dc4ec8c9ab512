"""Reports: JSON (machine-readable, schema versioned), Markdown (for people), PNG (the picture
a bring-up engineer looks at first), and the regression view against a baseline report.

    python -m tt_qwen.reports compare BASELINE.json CURRENT.json [--tolerance 0.15] [--timings] [--fail]

Two runs are compared only when they ran the same model, settings and backend. Timings on
`device` are n150 figures and always compared; on `host` and `mock` they measure whatever the
machine was doing, so they are compared only when asked (--timings), and then as ratios to a
yardstick timed in the same run (eval: HF float32 through the same loop; a test session: the
geometric mean of its own benchmarks).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

from tt_qwen import backends
from tt_qwen.target import N150

SCHEMA_VERSION = 2  # 2: first_mismatch_user, agreement, reference_timing, roofline measured_on
# Relative change beyond which a timing is a regression (tt-metal's perf tests use +-15 %).
PERF_TOLERANCE = 0.15
# Absolute drop beyond which an accuracy figure is a regression.
ACCURACY_TOLERANCE = 0.01
HIGHER_IS_BETTER = ("top1", "top5", "top5_tt_in_hf", "tokens_per_second_per_user")
LOWER_IS_BETTER = ("prefill_seconds", "decode_seconds_per_step", "mean_seconds")
ACCURACY_KEYS = ("top1", "top5", "top5_tt_in_hf")
# What two eval runs must share to be compared (besides every entry of "settings").
EVAL_IDENTITY = ("mode", "backend", "model", "model_file", "prefill_len", "decode_len", "batch", "trace")
# Backends whose timings are machine noise unless normalised (see the module docstring).
NOISY_TIMING_BACKENDS = ("host", "mock", "cpu")


def environment() -> dict:
    versions = {"python": platform.python_version()}
    for name in ("torch", "transformers", "ttnn"):
        try:
            module = __import__(name)
            versions[name] = getattr(module, "__version__", "host backend" if backends.is_host_ttnn(module) else "?")
        except ImportError:
            versions[name] = None
    return {"versions": versions, "machine": platform.machine(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def write_eval_report(result: dict, out_dir: Path) -> list[Path]:
    """Write <out_dir>/eval-<model>-<backend>.{json,md,png}; returns the paths (JSON first)."""
    from tt_qwen.thresholds import accuracy_floors

    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "schema_version": SCHEMA_VERSION,
        "kind": "eval",
        **environment(),
        "result": result,
        "floors": accuracy_floors(result["model"]),
        "roofline": result.get("roofline"),
    }
    stem = out_dir / f"eval-{result['model']}-{result['backend']}"
    paths = [stem.with_suffix(".json"), stem.with_suffix(".md")]
    paths[0].write_text(json.dumps(document, indent=2))
    paths[1].write_text(eval_markdown(document))
    png = plot_eval(document, stem.with_suffix(".png"))
    return paths + ([png] if png else [])


def eval_markdown(document: dict) -> str:
    from tt_qwen import shadow

    r = document["result"]
    lines = [
        f"# Teacher-forcing evaluation: {r['model']} on {r['backend']}",
        "",
        f"Model file `{r['model_file']}`, mode `{r['mode']}`, prompt {r['prefill_len']} tokens, "
        f"{r['decode_len']} teacher-forced tokens x batch {r['batch']}; versions {document['versions']}.",
        "",
        "| metric | value | floor | verdict | meaning |",
        "|---|---|---|---|---|",
        f"| top1 | {r['top1']:.4f} | {document['floors']['top1']} | {_verdict(r['top1'], document['floors']['top1'])} | TT argmax == HF's greedy token |",
        f"| top5 | {r['top5']:.4f} | {document['floors']['top5']} | {_verdict(r['top5'], document['floors']['top5'])} | HF's token in TT's top 5 (ttnn_models convention) |",
        f"| top5_tt_in_hf | {r['top5_tt_in_hf']:.4f} | | | TT argmax in HF's top 5 (tt-metal convention) |",
        "",
        _first_mismatch_text(r),
        *_agreement_lines(r.get("agreement") or []),
        "",
        "| timing | value |",
        "|---|---|",
        f"| prefill (TTFT) | {r['prefill_seconds'] * 1000:.1f} ms |",
        f"| decode step | {r['decode_seconds_per_step'] * 1000:.2f} ms ({r['tokens_per_second_per_user']:.1f} t/s/u) |",
        "",
        _backend_note(r["backend"]),
    ]
    roofline = document.get("roofline")
    if roofline:
        lines += ["", f"## Decode roofline ({N150.describe()})", "", roofline["summary"], "", _backend_note(r["backend"])]
    if r.get("reference_timing"):
        t = r["reference_timing"]
        lines += ["", f"Yardstick ({t['what']}, this machine, this run): prefill {t['prefill_seconds'] * 1000:.1f} ms, "
                      f"decode {t['decode_seconds_per_step'] * 1000:.2f} ms/step."]
    for mode, values in r.get("layer_pcc", {}).items():
        if values:
            lines += ["", f"## PCC by layer, {mode}", "", "| layer | PCC |", "|---|---|"]
            lines += [f"| {i} | {v:.6f} |" for i, v in enumerate(values)]
    lines += shadow.markdown_section(r.get("compare_ops"))
    return "\n".join(lines) + "\n"


def _verdict(value: float, floor: float) -> str:
    return "pass" if value >= floor else "**FAIL**"


def _first_mismatch_text(r: dict) -> str:
    if r["first_mismatch"] is None:
        return "No mismatch: every step of every user agrees with HF."
    return f"First mismatch at step {r['first_mismatch']} (user {r.get('first_mismatch_user', 0)})."


def _agreement_lines(agreement: list) -> list[str]:
    """One line per user: `.` where top-1 agrees with HF, `x` where it does not."""
    if not agreement:
        return []
    lines = ["", "Per-step top-1 agreement (`.` agrees, `x` differs):", "", "```"]
    lines += [f"user {user:2d} " + "".join("." if ok else "x" for ok in steps) for user, steps in enumerate(agreement)]
    return lines + ["```"]


def _backend_note(backend: str) -> str:
    return {
        "host": "Timings on the host backend measure the CPU emulation of TTNN, not an n150.",
        "mock": "Timings on the mock backend measure the real ttnn's host-side dispatch only (no kernels run).",
        "device": "Timings on the device backend are n150 figures.",
        "cpu": "Mode hf: the HF model itself through the same loop (a harness check), on the CPU.",
    }.get(backend, "")


def plot_eval(document: dict, path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    r = document["result"]
    agreement = r.get("agreement") or []
    figure = plt.figure(figsize=(12, 6.5 if agreement else 4))
    grid = figure.add_gridspec(2 if agreement else 1, 2, width_ratios=[2, 1], height_ratios=[3, 1.4] if agreement else [1])
    _plot_layer_pcc(figure.add_subplot(grid[0, 0]), r)
    _plot_accuracy(figure.add_subplot(grid[0, 1]), r, document["floors"])
    if agreement:
        _plot_agreement(figure.add_subplot(grid[1, :]), r)
    figure.suptitle(f"{r['model']} on {r['backend']}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _plot_layer_pcc(axis, r):
    from matplotlib.ticker import MaxNLocator

    from tt_qwen.thresholds import pcc_threshold

    # 1 - PCC on a log axis: 0.99999 and 0.999 differ by a factor 100 there, not by a hair.
    for mode, values in r.get("layer_pcc", {}).items():
        if values:
            axis.semilogy(range(len(values)), [max(1 - v, 1e-9) for v in values], marker="o", label=mode)
    floor = 1 - pcc_threshold("model.hidden_state")
    axis.axhline(floor, color="red", linestyle="dashed", label=f"threshold (PCC {1 - floor:g})")
    axis.set(title="1 - PCC vs HF float32 after each layer (lower is better)", xlabel="layer", ylabel="1 - PCC")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(alpha=0.3, which="both")
    axis.legend()


def _plot_accuracy(axis, r, floors):
    """Bars with their values, each floor dashed, each verdict in the bar's label."""
    names = ["top1", "top5", "top5_tt_in_hf"]
    labels = [f"{n}\n{_verdict(r[n], floors[n]).strip('*')}" if n in floors else n for n in names]
    colors = ["#999999" if n not in floors else "#6aa84f" if r[n] >= floors[n] else "#cc0000" for n in names]
    bars = axis.bar(labels, [r[n] for n in names], color=colors)
    axis.bar_label(bars, labels=[f"{r[n]:.3f}" for n in names], padding=2)
    for bar, name in zip(bars, names):
        if name in floors:
            axis.hlines(floors[name], bar.get_x(), bar.get_x() + bar.get_width(), colors="black", linestyles="dashed")
    axis.set(title=f"teacher forcing, {r['decode_len']} steps x {r['batch']} users", xlabel="dashed: the floor", ylim=(0, 1.12))


def _plot_agreement(axis, r):
    """Where decoding diverges: one row per user, one column per step, red where top-1 differs."""
    from matplotlib.colors import ListedColormap

    axis.imshow(r["agreement"], aspect="auto", interpolation="nearest", cmap=ListedColormap(["#cc0000", "#6aa84f"]), vmin=0, vmax=1)
    axis.set(xlabel="step", ylabel="user", title=_first_mismatch_text(r) + " Green: top-1 agrees with HF; red: it differs.")


def write_session_report(results: list[dict], benchmark_stats: list[dict], out_dir: Path, backend: str) -> list[Path]:
    """The test session's report: every recorded PCC figure and the pytest-benchmark timings
    (`benchmark_stats`: pytest-benchmark's own JSON records, as in --benchmark-json)."""
    from tt_qwen.thresholds import PCC

    out_dir.mkdir(parents=True, exist_ok=True)
    benchmarks = [_benchmark(b) for b in benchmark_stats]
    document = {
        "schema_version": SCHEMA_VERSION, "kind": "test-session", "backend": backend, **environment(),
        "results": results, "benchmarks": benchmarks,
        "thresholds": {f"{c}/{d}": v for (c, d), v in PCC.items()},
    }
    json_path, md_path = out_dir / f"tests-{backend}.json", out_dir / f"tests-{backend}.md"
    json_path.write_text(json.dumps(document, indent=2, default=str))
    lines = [f"# Test session on {backend}", "", f"Versions {document['versions']}.", ""]
    if results:
        lines += ["| test | outcome | figures |", "|---|---|---|"]
        lines += [f"| `{r['test']}` | {r['outcome']} | {_figures(r['properties'])} |" for r in results]
    if benchmarks:
        lines += ["", "## Benchmarks (pytest-benchmark)", "", _backend_note(backend), "",
                  "| benchmark | mean | min | rounds | extra |", "|---|---|---|---|---|"]
        lines += [f"| `{b['name']}` | {b['mean'] * 1000:.2f} ms | {b['min'] * 1000:.2f} ms | {b['rounds']} | {_figures(b['extra_info'])} |"
                  for b in benchmarks]
    md_path.write_text("\n".join(lines) + "\n")
    return [json_path, md_path]


def _figures(properties: dict) -> str:
    def show(value):
        if isinstance(value, float):
            return f"{value:.6g}"
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        return str(value)

    return "; ".join(f"{k} {show(v)}" for k, v in properties.items())


def _benchmark(record: dict) -> dict:
    stats = record["stats"]
    return {"name": record["name"], "mean": stats["mean"], "min": stats["min"], "rounds": stats["rounds"],
            "extra_info": record.get("extra_info", {})}


def compare_to_baseline(baseline: Path, current: Path, perf_tolerance: float = PERF_TOLERANCE,
                        accuracy_tolerance: float = ACCURACY_TOLERANCE, timings: bool | None = None) -> list[str]:
    """Lines naming every figure of `current` that regressed against `baseline`. Raises
    ValueError when the two runs are not comparable. `timings`: None compares them only on the
    device backend; True compares them everywhere (on host / mock as yardstick ratios)."""
    old_doc, new_doc = load_report(Path(baseline)), load_report(Path(current))
    check_comparable(old_doc, new_doc)
    backend = _backend_of(new_doc)
    with_timings = timings if timings is not None else backend not in NOISY_TIMING_BACKENDS
    normalised = backend in NOISY_TIMING_BACKENDS
    old, new = (_figures_of(doc, with_timings, normalised) for doc in (old_doc, new_doc))
    lines = []
    for key in sorted(old.keys() & new.keys()):
        before, after = old[key], new[key]
        metric = key.split(":")[-1]
        if metric in ACCURACY_KEYS or metric.startswith("pcc"):
            if after < before - accuracy_tolerance:
                lines.append(f"{key}: {before:.4f} -> {after:.4f} (drop over {accuracy_tolerance})")
        elif metric.split("/")[0] in HIGHER_IS_BETTER and after < before * (1 - perf_tolerance):
            lines.append(f"{key}: {before:.4g} -> {after:.4g} (over {perf_tolerance:.0%} slower)")
        elif metric.split("/")[0] in LOWER_IS_BETTER and after > before * (1 + perf_tolerance):
            lines.append(f"{key}: {before:.4g} -> {after:.4g} (over {perf_tolerance:.0%} slower)")
    return lines


def load_report(path: Path) -> dict:
    """A report JSON of this schema, or one line saying why not (missing, not JSON, other schema)."""
    if not path.is_file():
        raise FileNotFoundError(f"report {path} does not exist")
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"report {path} is not a JSON report ({error.__class__.__name__})") from None
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        version = document.get("schema_version") if isinstance(document, dict) else None
        raise ValueError(f"report {path} has schema_version {version}, expected {SCHEMA_VERSION}")
    if document.get("kind") not in ("eval", "test-session"):
        raise ValueError(f"report {path} is of kind {document.get('kind')!r}, not an eval or test-session report")
    return document


def check_comparable(old: dict, new: dict) -> None:
    """Refuse to compare runs of another kind, model, backend or settings: the difference would
    be read as a regression (or hide one)."""
    if old["kind"] != new["kind"]:
        raise ValueError(f"cannot compare a {old['kind']} report with a {new['kind']} report")
    if new["kind"] == "test-session":
        if old["backend"] != new["backend"]:
            raise ValueError(f"cannot compare runs of different backends: baseline {old['backend']}, current {new['backend']}")
        return
    a, b = old["result"], new["result"]
    differ = [f"{key} {a.get(key)!r} vs {b.get(key)!r}" for key in EVAL_IDENTITY if a.get(key) != b.get(key)]
    settings = sorted(set(a.get("settings", {})) | set(b.get("settings", {})))
    differ += [f"settings.{key} {a['settings'].get(key)!r} vs {b['settings'].get(key)!r}" for key in settings
               if a.get("settings", {}).get(key) != b.get("settings", {}).get(key)]
    if differ:
        raise ValueError("cannot compare runs whose settings, model or backend differ (baseline vs current): " + "; ".join(differ))


def _backend_of(document: dict) -> str:
    return document["result"]["backend"] if document["kind"] == "eval" else document["backend"]


def _figures_of(document: dict, with_timings: bool, normalised: bool) -> dict:
    """Accuracy and PCC figures, and the timings when asked: raw, or divided by the run's own
    yardstick when `normalised`."""
    figures = {}
    if document["kind"] == "eval":
        r = document["result"]
        figures.update({f"eval:{key}": r[key] for key in ACCURACY_KEYS})
        if with_timings:
            figures.update(_eval_timings(r, normalised))
        return figures
    for result in document.get("results", []):
        for name, value in result["properties"].items():
            if name.startswith("pcc") and isinstance(value, (int, float)):
                figures[f"{result['test']}:{name}"] = value
    if with_timings:
        figures.update(_benchmark_timings(document.get("benchmarks", []), normalised))
    return figures


def _eval_timings(r: dict, normalised: bool) -> dict:
    keys = ("prefill_seconds", "decode_seconds_per_step")
    if not normalised:
        timings = {f"eval:{key}": r[key] for key in keys}
        timings["eval:tokens_per_second_per_user"] = r["tokens_per_second_per_user"]
        return timings
    yardstick = r.get("reference_timing") or {}
    if not all(yardstick.get(key) for key in keys):
        raise ValueError(f"an eval on {r['backend']} without a yardstick timing cannot have its timings compared")
    return {f"eval:{key}/yardstick": r[key] / yardstick[key] for key in keys}


def _benchmark_timings(benchmarks: list, normalised: bool) -> dict:
    if not benchmarks:
        return {}
    if not normalised:
        return {f"{b['name']}:mean_seconds": b["mean"] for b in benchmarks}
    # The geometric mean: a machine uniformly slower scales every benchmark, and it, alike.
    yardstick = math.exp(sum(math.log(b["mean"]) for b in benchmarks) / len(benchmarks))
    return {f"{b['name']}:mean_seconds/geomean": b["mean"] / yardstick for b in benchmarks}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tt_qwen.reports")
    sub = parser.add_subparsers(dest="command", required=True)
    compare = sub.add_parser("compare", help="flag regressions of CURRENT against BASELINE")
    compare.add_argument("baseline")
    compare.add_argument("current")
    compare.add_argument("--tolerance", type=float, default=PERF_TOLERANCE, help="relative timing tolerance (default 0.15)")
    compare.add_argument("--accuracy-tolerance", type=float, default=ACCURACY_TOLERANCE, help="absolute accuracy/PCC drop allowed (default 0.01)")
    compare.add_argument("--timings", action="store_true", help="compare timings on host / mock too, as ratios to the run's own yardstick")
    compare.add_argument("--fail", action="store_true", help="exit 1 when anything regressed")
    args = parser.parse_args(argv)
    try:
        lines = compare_to_baseline(Path(args.baseline), Path(args.current), args.tolerance, args.accuracy_tolerance,
                                    timings=args.timings or None)
    except (FileNotFoundError, ValueError) as error:
        print(f"tt_qwen.reports: error: {error}", file=sys.stderr)
        return 2
    for line in lines:
        print("REGRESSION: " + line)
    if not lines:
        print("no regression")
    return 1 if lines and args.fail else 0


if __name__ == "__main__":
    sys.exit(main())
