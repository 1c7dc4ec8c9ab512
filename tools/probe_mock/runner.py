"""The parent side: each section in a child process, restarted after a crash so that the call
that killed it is recorded as CRASH and the section resumes after it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.probe_mock.paths import REPO

MAX_ATTEMPTS = 12


def run_section(section: str, jsonl: Path, cache_dir: str, logdir: Path) -> dict:
    info = {"section": section, "crashes": [], "seconds": 0.0}
    start = time.perf_counter()
    for attempt in range(MAX_ATTEMPTS):
        log = logdir / f"{section}.{attempt}.log"
        with open(log, "w") as out:
            child = subprocess.run([sys.executable, "-m", "tools.probe_mock.child", section, str(jsonl), cache_dir],
                                   stdout=out, stderr=subprocess.STDOUT, cwd=str(REPO))
        if child.returncode == 0:
            break
        pending = _unfinished_calls(jsonl, section)
        summary = crash_summary(log.read_text(errors="replace"))
        if not pending:
            info["crashes"].append({"key": None, "rc": child.returncode, "log": summary})
            break
        _record_crash(jsonl, section, pending[-1], child.returncode, summary)
        info["crashes"].append({"key": pending[-1], "rc": child.returncode})
    info["seconds"] = round(time.perf_counter() - start, 1)
    return info


def _records(jsonl: Path) -> list[dict]:
    return [json.loads(line) for line in jsonl.read_text().splitlines()]


def _unfinished_calls(jsonl: Path, section: str) -> list[str]:
    """Keys of the calls that started and never finished: the last one killed the child."""
    started, finished = [], set()
    for record in _records(jsonl):
        if not record["key"].startswith(section + "|"):
            continue
        if record["kind"] == "start":
            started.append(record["key"])
        else:
            finished.add(record["key"])
    return [key for key in started if key not in finished]


def _record_crash(jsonl: Path, section: str, key: str, returncode: int, summary: str) -> None:
    parts = key.split("|")
    cfg, code = parts[1], "|".join(parts[2:-1])
    order = max([r.get("order", 0) for r in _records(jsonl) if r.get("section") == section] + [0]) + 0.5
    with open(jsonl, "a") as out:
        out.write(json.dumps({"kind": "call", "key": key, "section": section, "cfg": cfg, "code": code,
                              "order": order, "ok": False, "crash": True, "note": "",
                              "err": f"PROCESS CRASHED (exit status {returncode}): {summary}", "dt": None}) + "\n")


def crash_summary(log: str) -> str:
    """'Signal: ...' plus the first native frames (demangled) of a crashed child's log."""
    lines = log.splitlines()
    signal = next((line.split("Signal:", 1)[1].strip() for line in lines if "Signal:" in line), None)
    frames = []
    for line in lines:
        match = re.search(r"\[\s*(\d+)\] .*?\((_Z[^+)]+)", line)
        if match and 1 <= int(match.group(1)) <= 6:
            frames.append(match.group(2))
    demangler = shutil.which("c++filt")
    if frames and demangler:
        try:
            out = subprocess.run([demangler], input="\n".join(frames), capture_output=True, text=True, timeout=10).stdout
            frames = [re.sub(r"\(.*", "", frame) for frame in out.splitlines()]
        except Exception:  # noqa: BLE001
            pass
    if signal is None and not frames:
        tail = [line.strip() for line in lines if line.strip()][-3:]
        return " / ".join(tail)[-400:]
    return f"{signal or 'signal ?'} in " + " <- ".join(frames[:5])

