"""Reports: JSON (machine-readable, schema versioned), Markdown (for people), PNG (the picture
a bring-up engineer looks at first), and the regression view against a baseline report.

    python -m tt_qwen.reports compare BASELINE.json CURRENT.json [--tolerance 0.15] [--fail]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from tt_qwen import backends
from tt_qwen.target import N150

SCHEMA_VERSION = 1
# Relative change beyond which a timing is a regression (tt-metal's perf tests use +-15 %).
PERF_TOLERANCE = 0.15
# Absolute drop beyond which an accuracy figure is a regression.
ACCURACY_TOLERANCE = 0.01
HIGHER_IS_BETTER = ("top1", "top5", "top5_tt_in_hf", "tokens_per_second_per_user")
LOWER_IS_BETTER = ("prefill_seconds", "decode_seconds_per_step", "mean_seconds")
ACCURACY_KEYS = ("top1", "top5", "top5_tt_in_hf")


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
        "| metric | value | floor | meaning |",
        "|---|---|---|---|",
        f"| top1 | {r['top1']:.4f} | {document['floors']['top1']} | TT argmax == HF's greedy token |",
        f"| top5 | {r['top5']:.4f} | {document['floors']['top5']} | HF's token in TT's top 5 (ttnn_models convention) |",
        f"| top5_tt_in_hf | {r['top5_tt_in_hf']:.4f} | | TT argmax in HF's top 5 (tt-metal convention) |",
        "",
        f"First mismatch at step {r['first_mismatch']}." if r["first_mismatch"] is not None else "No mismatch.",
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
    for mode, values in r.get("layer_pcc", {}).items():
        if values:
            lines += ["", f"## PCC by layer, {mode}", "", "| layer | PCC |", "|---|---|"]
            lines += [f"| {i} | {v:.6f} |" for i, v in enumerate(values)]
    lines += shadow.markdown_section(r.get("compare_ops"))
    return "\n".join(lines) + "\n"


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
    from matplotlib.ticker import MaxNLocator

    from tt_qwen.thresholds import pcc_threshold

    r = document["result"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
    # 1 - PCC on a log axis: 0.99999 and 0.999 differ by a factor 100 there, not by a hair.
    for mode, values in r.get("layer_pcc", {}).items():
        if values:
            left.semilogy(range(len(values)), [max(1 - v, 1e-9) for v in values], marker="o", label=mode)
    floor = 1 - pcc_threshold("model.hidden_state")
    left.axhline(floor, color="red", linestyle="dashed", label=f"threshold (PCC {1 - floor:g})")
    left.set(title="1 - PCC vs HF float32 after each layer (lower is better)", xlabel="layer", ylabel="1 - PCC")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.grid(alpha=0.3, which="both")
    left.legend()
    names = ["top1", "top5", "top5_tt_in_hf"]
    bars = right.bar(names, [r[n] for n in names], color=["#3b7dd8", "#6aa84f", "#999999"])
    for bar, floor in zip(bars, [document["floors"]["top1"], document["floors"]["top5"], None]):
        if floor is not None:
            right.hlines(floor, bar.get_x(), bar.get_x() + bar.get_width(), colors="red", linestyles="dashed")
    right.set(title=f"teacher forcing, {r['decode_len']} tokens", ylim=(0, 1.05))
    figure.suptitle(f"{r['model']} on {r['backend']}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


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
                        accuracy_tolerance: float = ACCURACY_TOLERANCE) -> list[str]:
    """Lines naming every figure of `current` that regressed against `baseline`."""
    old, new = (_load_figures(Path(p)) for p in (baseline, current))
    lines = []
    for key in sorted(old.keys() & new.keys()):
        before, after = old[key], new[key]
        metric = key.split(":")[-1]
        if metric in ACCURACY_KEYS or metric.startswith("pcc"):
            if after < before - accuracy_tolerance:
                lines.append(f"{key}: {before:.4f} -> {after:.4f} (drop over {accuracy_tolerance})")
        elif metric in HIGHER_IS_BETTER and after < before * (1 - perf_tolerance):
            lines.append(f"{key}: {before:.4g} -> {after:.4g} (over {perf_tolerance:.0%} slower)")
        elif metric in LOWER_IS_BETTER and after > before * (1 + perf_tolerance):
            lines.append(f"{key}: {before:.4g} -> {after:.4g} (over {perf_tolerance:.0%} slower)")
    return lines


def _load_figures(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"report {path} does not exist")
    document = json.loads(path.read_text())
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"report {path} has schema_version {document.get('schema_version')}, expected {SCHEMA_VERSION}")
    figures = {}
    if document["kind"] == "eval":
        r = document["result"]
        for key in HIGHER_IS_BETTER + LOWER_IS_BETTER[:2]:
            figures[f"eval:{key}"] = r[key]
    else:
        for b in document.get("benchmarks", []):
            figures[f"{b['name']}:mean_seconds"] = b["mean"]
        for result in document.get("results", []):
            for name, value in result["properties"].items():
                if name.startswith("pcc") and isinstance(value, (int, float)):
                    figures[f"{result['test']}:{name}"] = value
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tt_qwen.reports")
    sub = parser.add_subparsers(dest="command", required=True)
    compare = sub.add_parser("compare", help="flag regressions of CURRENT against BASELINE")
    compare.add_argument("baseline")
    compare.add_argument("current")
    compare.add_argument("--tolerance", type=float, default=PERF_TOLERANCE, help="relative timing tolerance (default 0.15)")
    compare.add_argument("--accuracy-tolerance", type=float, default=ACCURACY_TOLERANCE, help="absolute accuracy/PCC drop allowed (default 0.01)")
    compare.add_argument("--fail", action="store_true", help="exit 1 when anything regressed")
    args = parser.parse_args(argv)
    try:
        lines = compare_to_baseline(Path(args.baseline), Path(args.current), args.tolerance, args.accuracy_tolerance)
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
