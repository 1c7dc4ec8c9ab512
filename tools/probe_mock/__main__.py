"""`python -m tools.probe_mock`: run the sections (each in a child process) and write the doc."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tt_qwen.mock import mock_unavailable_reason

from tools.probe_mock import __doc__ as DESCRIPTION
from tools.probe_mock.paths import DEFAULT_MD
from tools.probe_mock.render import render
from tools.probe_mock.runner import run_section
from tools.probe_mock.sections import SECTIONS


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.probe_mock", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated sections (default: all): " + ",".join(SECTIONS))
    parser.add_argument("--md", type=Path, default=DEFAULT_MD)
    parser.add_argument("--jsonl", type=Path, help="results file (default: a temp file)")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--render-only", action="store_true", help="re-render --md from an existing --jsonl")
    args = parser.parse_args(argv)
    args.sections = args.only.split(",") if args.only else list(SECTIONS)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.render_only and args.jsonl is None:
        parser.error("--render-only needs --jsonl (the results file of an earlier run)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render_only:
        render(args.jsonl, args.md, [], 0.0)
        return 0
    why = mock_unavailable_reason()
    if why:
        print(f"mock tier unavailable: {why}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="tt-qwen-probe-"))
    jsonl = args.jsonl or (work / "probe.jsonl")
    cache_dir = str(work / "ttcache") + os.sep
    os.makedirs(cache_dir, exist_ok=True)
    logdir = work / "logs"
    logdir.mkdir()
    start = time.perf_counter()
    try:
        runinfo = [probe(section, jsonl, cache_dir, logdir) for section in args.sections]
        total = time.perf_counter() - start
        render(jsonl, args.md, runinfo, total)
        print(f"[probe] wrote {args.md} in {total:.0f} s")
    finally:
        shutil.rmtree(work / "ttcache", ignore_errors=True)
        if args.keep_logs or args.jsonl:
            print(f"[probe] logs in {logdir}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def probe(section: str, jsonl: Path, cache_dir: str, logdir: Path) -> dict:
    info = run_section(section, jsonl, cache_dir, logdir)
    crashes = f", {len(info['crashes'])} crash(es)" if info["crashes"] else ""
    print(f"[probe] {section}: {info['seconds']} s{crashes}", flush=True)
    return info


if __name__ == "__main__":
    sys.exit(main())
