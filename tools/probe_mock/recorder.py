"""One JSON line per probed call or fact, so that a child process restarted after a crash resumes
where the crash happened and a partial run still renders."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tools.probe_mock.spec import describe, errmsg


class Recorder:
    """Writes one JSON line per call/fact. Keys are (section, cfg, code, occurrence), so that a
    child restarted after a crash skips what is already recorded and resumes after the crash."""

    def __init__(self, section: str, jsonl: Path, done: dict[str, dict]):
        self.section = section
        self.out = open(jsonl, "a", buffering=1)
        self.done = done
        self.order = 0
        self.seen: dict[tuple[str, str], int] = {}

    def _key(self, cfg: str, code: str) -> str:
        n = self.seen.get((cfg, code), 0) + 1
        self.seen[(cfg, code)] = n
        return f"{self.section}|{cfg}|{code}|#{n}"

    def _write(self, rec: dict) -> None:
        self.out.write(json.dumps(rec) + "\n")
        self.out.flush()
        os.fsync(self.out.fileno())

    def call(self, cfg: str, code: str, fn, note: str = "", keep: bool = False):
        """Run fn(); record its output spec or its exception. Returns the result when keep=True
        (None on error). Results are never deallocated explicitly: many ops return views or the
        (in-place) input itself; Python refcounting frees device buffers."""
        self.order += 1
        key = self._key(cfg, code)
        prev = self.done.get(key)
        if prev is not None:
            if keep and not prev.get("crash") and prev.get("ok"):
                try:  # re-create a kept result (already recorded) so dependent calls still run
                    return fn()
                except Exception:  # noqa: BLE001
                    return None
            return None
        self._write({"kind": "start", "key": key})
        t0 = time.perf_counter()
        result = None
        try:
            result = fn()
            rec = {"ok": True, "out": describe(result)}
        except Exception as exc:  # noqa: BLE001
            rec = {"ok": False, "err": errmsg(exc)}
            result = None
        rec.update(kind="call", key=key, section=self.section, cfg=cfg, code=code, note=note,
                   order=self.order, dt=round(time.perf_counter() - t0, 4))
        self._write(rec)
        return result if keep else None

    def fact(self, cfg: str, name: str, value, note: str = ""):
        self.order += 1
        key = self._key(cfg, "fact:" + name)
        if key in self.done:
            return
        self._write({"kind": "fact", "key": key, "section": self.section, "cfg": cfg,
                     "name": name, "value": value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else repr(value),
                     "note": note, "order": self.order})

    def fact_of(self, cfg: str, name: str, fn, note: str = ""):
        try:
            v = fn()
        except Exception as exc:  # noqa: BLE001
            v = "EXCEPTION " + errmsg(exc)
        self.fact(cfg, name, v, note)
        return v

