"""The mutation catalog: every mutant of tests/mutations/mutants_*.py, by name.

`python -m tools.mutation_score` runs the default-tier tests each mutant names with the mutant
applied (TT_QWEN_MUTANT=<name>, through tests/mutations/plugin.py) and prints the score.
"""

from __future__ import annotations

from tests.mutations import mutants_model, mutants_ops  # noqa: F401  (they register their mutants)
from tests.mutations.registry import MUTANTS, Mutant

__all__ = ["MUTANTS", "Mutant", "scored"]


def scored() -> list[Mutant]:
    """The mutants that count in the score: all but the ones argued to be equivalent."""
    return [m for m in MUTANTS.values() if not m.equivalent]
