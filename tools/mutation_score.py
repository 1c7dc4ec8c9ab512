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
FAILED_LINE = re.compile(r"^(FAILED|ERROR) (\S+)")


@dataclass
class Outcome:
    name: str
    kind: str
    caught: bool
    caught_by: str
    seconds: float
    selection: list


def run_pytest(selection, mutant: str | None, python: str) -> tuple[int, str, float]:
    env = {k: v for k, v in os.environ.items() if k != "TT_QWEN_MUTANT"}
    if mutant:
        env["TT_QWEN_MUTANT"] = mutant
    command = [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "tests.mutations.plugin",
               "-rfE", "--no-header", *selection]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def first_failure(output: str) -> str:
    for line in output.splitlines():
        match = FAILED_LINE.match(line)
        if match:
            return match.group(2)
    return ""


def score_one(mutant, full: bool, python: str) -> Outcome:
    selection = list(FULL_SELECTION if full else mutant.catchers)
    status, output, seconds = run_pytest(selection, mutant.name, python)
    if status not in (0, 1):  # 2-5: interrupted, internal or usage error, nothing collected
        raise SystemExit(f"{mutant.name}: pytest exited {status} on {' '.join(selection)}:\n{output[-3000:]}")
    return Outcome(mutant.name, mutant.kind, status == 1, first_failure(output), round(seconds, 1), selection)


def control(mutants, full: bool, python: str) -> float:
    selection = list(FULL_SELECTION) if full else sorted({c for m in mutants for c in m.catchers})
    status, output, seconds = run_pytest(selection, None, python)
    if status != 0:
        raise SystemExit(f"control run without a mutant failed ({first_failure(output) or f'exit {status}'}): "
                         f"the selection must pass on the intact model\n{output[-3000:]}")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation_score", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the whole default tier per mutant (-x), not its catchers")
    parser.add_argument("--only", default="", help="comma-separated mutant names")
    parser.add_argument("--no-control", action="store_true", help="skip the control run without a mutant")
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
    control_seconds = 0.0 if args.no_control else control(mutants, args.full, python)
    if control_seconds:
        print(f"control (no mutant): passed in {control_seconds:.0f} s", flush=True)
    outcomes = []
    for mutant in mutants:
        outcome = score_one(mutant, args.full, python)
        outcomes.append(outcome)
        verdict = f"caught by {outcome.caught_by}" if outcome.caught else "SURVIVED"
        print(f"{mutant.kind:5} {mutant.name:55} {verdict} ({outcome.seconds:.0f} s)", flush=True)
    caught = sum(o.caught for o in outcomes)
    equivalent = [m.name for m in MUTANTS.values() if m.equivalent]
    total_seconds = time.monotonic() - started
    print(f"\nmutation score: {caught}/{len(outcomes)} caught ({100 * caught / max(len(outcomes), 1):.0f} %), "
          f"{len(equivalent)} equivalent not counted ({', '.join(equivalent)}); "
          f"{'whole default tier' if args.full else 'named catchers'}, {total_seconds / 60:.1f} min")
    if args.json:
        args.json.write_text(json.dumps({"caught": caught, "total": len(outcomes), "equivalent": equivalent,
                                         "full": args.full, "seconds": round(total_seconds),
                                         "outcomes": [asdict(o) for o in outcomes]}, indent=1))
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
