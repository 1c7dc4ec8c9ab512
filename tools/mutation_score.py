"""The mutation score: how many of the catalog's realistic bring-up bugs the default tier catches.

    python -m tools.mutation_score                 # every scored mutant, on its named tests
    python -m tools.mutation_score --full          # every mutant on the whole default tier (-x)
    python -m tools.mutation_score --only stale-cache,chunk-mask-sees-next-key

For each mutant, pytest runs in a fresh process with TT_QWEN_MUTANT=<name> and the plugin
tests/mutations/plugin.py, which applies the mutant for the whole session. By default it runs
the default-tier tests the mutant names as its catchers (the selection that could catch it:
a full default tier per mutant costs ~35 runs of the tier); --full runs the whole default tier
with -x instead. Either way the run stops at the first failing test, which is reported as the
catcher. A control run of the same selection without a mutant comes first: a selection that
fails on the intact model catches nothing.

Each run is bounded (--timeout, per mutant). A run that hits it, or a test that pytest-timeout
ends, is reported as TIMED OUT, not caught: a hang is a symptom, and counting it as a catch
would need an argument this tool cannot make. A catcher that names no collected test, or a
mutant that no longer applies (its patched function renamed), stops the tool with the reason.

Exit status: 0 when every scored mutant was caught and the control passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_SELECTION = ("tests", "--ignore=tests/mutations")  # the catalog's own tests would fail on any mutant
FAILED_LINE = re.compile(r"^(FAILED|ERROR) (\S+)(.*)$")
PYTEST_TIMEOUT = "Timeout >"  # pytest-timeout's failure message
DEFAULT_TIMEOUT = 900  # seconds per mutant: the slowest catcher selection took ~6 min on a loaded machine


@dataclass
class Outcome:
    name: str
    kind: str
    verdict: str  # "caught", "survived" or "timed out"
    caught_by: str
    seconds: float
    selection: list

    @property
    def caught(self) -> bool:
        return self.verdict == "caught"


def run_pytest(selection, mutant: str | None, python: str, timeout: float) -> tuple[int | None, str, float]:
    """pytest's exit status (None when the run exceeded `timeout`), its output and its duration."""
    env = {k: v for k, v in os.environ.items() if k != "TT_QWEN_MUTANT"}
    if mutant:
        env["TT_QWEN_MUTANT"] = mutant
    command = [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "tests.mutations.plugin",
               "-rfE", "--no-header", *selection]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        return None, output, time.monotonic() - started
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def first_failure(output: str) -> tuple[str, str]:
    """The first failing test's node id and the rest of its summary line ("" when none failed)."""
    for line in output.splitlines():
        match = FAILED_LINE.match(line)
        if match:
            return match.group(2), match.group(3)
    return "", ""


def verdict(status: int | None, reason: str) -> str:
    if status is None or PYTEST_TIMEOUT in reason:
        return "timed out"
    return "caught" if status == 1 else "survived"


def score_one(mutant, full: bool, python: str, timeout: float) -> Outcome:
    selection = list(FULL_SELECTION if full else mutant.catchers)
    status, output, seconds = run_pytest(selection, mutant.name, python, timeout)
    if status not in (None, 0, 1):  # 2-5: interrupted, internal or usage error, nothing collected
        raise SystemExit(f"{mutant.name}: pytest exited {status} on {' '.join(selection)}:\n{output[-3000:]}")
    node, reason = first_failure(output)
    return Outcome(mutant.name, mutant.kind, verdict(status, reason), node, round(seconds, 1), selection)


def control(mutants, full: bool, python: str, timeout: float) -> float:
    selection = list(FULL_SELECTION) if full else sorted({c for m in mutants for c in m.catchers})
    status, output, seconds = run_pytest(selection, None, python, 3 * timeout)
    if status is None:
        raise SystemExit(f"control run without a mutant exceeded {3 * timeout:.0f} s on {' '.join(selection)}")
    if status != 0:
        raise SystemExit(f"control run without a mutant failed ({first_failure(output)[0] or f'exit {status}'}): "
                         f"the selection must pass on the intact model\n{output[-3000:]}")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation_score", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the whole default tier per mutant (-x), not its catchers")
    parser.add_argument("--only", default="", help="comma-separated mutant names")
    parser.add_argument("--no-control", action="store_true", help="skip the control run without a mutant")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds per mutant run (default {DEFAULT_TIMEOUT}; the control gets three times it)")
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.mutations.catalog import MUTANTS, scored

    wanted = [n for n in args.only.split(",") if n]
    unknown = [n for n in wanted if n not in MUTANTS]
    if unknown:
        parser.error(f"unknown mutant(s) {', '.join(unknown)}; known: {', '.join(sorted(MUTANTS))}")
    mutants = [MUTANTS[n] for n in wanted] if wanted else scored()
    python = sys.executable
    started = time.monotonic()
    control_seconds = 0.0 if args.no_control else control(mutants, args.full, python, args.timeout)
    if control_seconds:
        print(f"control (no mutant): passed in {control_seconds:.0f} s", flush=True)
    outcomes = []
    for mutant in mutants:
        outcome = score_one(mutant, args.full, python, args.timeout)
        outcomes.append(outcome)
        said = f"caught by {outcome.caught_by}" if outcome.caught else outcome.verdict.upper()
        print(f"{mutant.kind:5} {mutant.name:55} {said} ({outcome.seconds:.0f} s)", flush=True)
    caught = sum(o.caught for o in outcomes)
    timed_out = [o.name for o in outcomes if o.verdict == "timed out"]
    equivalent = [m.name for m in MUTANTS.values() if m.equivalent]
    total_seconds = time.monotonic() - started
    print(f"\nmutation score: {caught}/{len(outcomes)} caught ({100 * caught / max(len(outcomes), 1):.0f} %), "
          f"{len(equivalent)} equivalent not counted ({', '.join(equivalent)}); "
          f"{'whole default tier' if args.full else 'named catchers'}, {total_seconds / 60:.1f} min")
    if timed_out:
        print(f"timed out (not counted as caught): {', '.join(timed_out)}")
    if args.json:
        args.json.write_text(json.dumps({"caught": caught, "total": len(outcomes), "equivalent": equivalent,
                                         "timed_out": timed_out, "full": args.full, "seconds": round(total_seconds),
                                         "control_seconds": round(control_seconds),
                                         "outcomes": [asdict(o) for o in outcomes]}, indent=1))
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
