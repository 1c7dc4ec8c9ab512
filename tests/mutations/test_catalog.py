"""The mutation catalog is well formed: enough realistic bugs of both kinds, each documented and
naming default-tier tests that exist, equivalent ones argued and kept out of the score, and the
README's score line counting the catalog as it is."""

import re
from pathlib import Path

import pytest

from tests.mutations.catalog import MUTANTS, scored
from tests.mutations.registry import KINDS

ROOT = Path(__file__).resolve().parents[2]
MINIMUM = 25


def test_the_catalog_holds_enough_scored_mutants_of_both_kinds():
    counts = {kind: sum(m.kind == kind for m in scored()) for kind in KINDS}
    assert sum(counts.values()) >= MINIMUM, f"{sum(counts.values())} scored mutants, the catalog promises at least {MINIMUM}"
    assert min(counts.values()) >= 8, f"scored mutants per kind: {counts}"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_mutant_says_what_bug_it_models_and_who_catches_it(name):
    mutant = MUTANTS[name]
    assert len(mutant.doc.split()) >= 8, f"{name}: the docstring must say what realistic bug it models"
    if mutant.equivalent:
        assert mutant.doc.startswith("EQUIVALENT") and not mutant.catchers, f"{name}: an equivalent mutant argues why, and names no catcher"
        return
    assert mutant.catchers, f"{name}: no catching test named"
    for catcher in mutant.catchers:
        path = catcher.split("::")[0]
        assert (ROOT / path).is_file(), f"{name}: catcher {catcher} names no file"
        assert not path.startswith("tests/mutations/"), f"{name}: the catalog cannot catch itself"


def test_the_readme_shows_the_score_of_this_catalog():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"mutation score: (\d+)/(\d+) caught", readme)
    assert match, "README.md has no 'mutation score: N/M caught' line (python -m tools.mutation_score prints it)"
    assert int(match.group(2)) == len(scored()), (
        f"README's score is out of {match.group(2)} mutants, the catalog scores {len(scored())}: rerun python -m tools.mutation_score")
