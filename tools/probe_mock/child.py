"""One section in its own process: prepare the mock n150, open one device, run, close.

Run by the runner as `python -m tools.probe_mock.child SECTION JSONL CACHE_DIR`; ttnn is imported
only here, after the mock environment is prepared.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

from tt_qwen.mock import prepare_mock_environment

from tools.probe_mock.sections import SECTIONS


def recorded(jsonl: Path) -> dict[str, dict]:
    """The calls and facts a previous (crashed) child of this run already wrote, by key."""
    done = {}
    if jsonl.exists():
        for line in jsonl.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:  # the line a crash cut short
                continue
            if record.get("kind") in ("call", "fact"):
                done[record["key"]] = record
    return done


def run_child(name: str, jsonl: Path, cache_dir: str) -> int:
    prepare_mock_environment()
    os.environ["TT_METAL_CACHE"] = cache_dir  # one throwaway kernel cache shared by the run's children
    import ttnn  # after the mock environment: this process's ttnn is the real package on a mock n150

    from tools.probe_mock.recorder import Recorder

    section = SECTIONS[name]
    run = getattr(importlib.import_module(f"tools.probe_mock.sections.{section.module}"), section.function)
    rec = Recorder(name, jsonl, recorded(jsonl))
    device = None
    if section.needs_device:
        start = time.perf_counter()
        device = ttnn.open_device(device_id=0)
        rec.fact("-", "open_device seconds (this child)", round(time.perf_counter() - start, 3))
    try:
        run(rec, device)
    finally:
        if device is not None:
            ttnn.close_device(device)
    return 0


if __name__ == "__main__":
    sys.exit(run_child(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))
