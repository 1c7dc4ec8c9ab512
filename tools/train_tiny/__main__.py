"""`python -m tools.train_tiny`: train (unless --verify-only), then verify the folder offline."""

from __future__ import annotations

import argparse
import sys

from tt_qwen.checkpoints import TINY_TRAINED_DIR

from tools.train_tiny import __doc__ as DESCRIPTION
from tools.train_tiny.evaluate import verify
from tools.train_tiny.train import train


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tools.train_tiny", description=DESCRIPTION.splitlines()[0])
    p.add_argument("--out", default=str(TINY_TRAINED_DIR))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--tokens-per-step", type=int, default=4096)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=60)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (part of what makes the weights bit-reproducible)")
    p.add_argument("--eval-windows", type=int, default=48)
    p.add_argument("--verify-only", action="store_true", help="only load and check --out")
    p.add_argument("--no-verify", action="store_true")
    args = p.parse_args(argv)
    if not args.verify_only:
        train(args)
    if not args.no_verify:
        verify(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
