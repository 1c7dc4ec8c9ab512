"""The mutation catalog is well formed: enough realistic bugs of both kinds, each documented and
naming default-tier tests that exist, equivalent ones argued and kept out of the score, and the
README's score line counting the catalog as it is."""

import re
import subprocess
import sys
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


def selects(catcher: str, nodes) -> bool:
    """Whether the catcher (a path or a node id without its parameters) selects one of `nodes`."""
    return any(node == catcher or node.startswith(catcher + ("[" if "::" in catcher else "::")) for node in nodes)


def collected_by_the_default_tier(catchers) -> list[str]:
    """The node ids a default-tier collection (pytest.ini's markers) selects from `catchers`."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *catchers],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"collecting {' '.join(catchers)} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_every_scored_mutant_names_catchers_the_default_tier_collects(request):
    """A catcher renamed, moved or marked slow would shrink the score silently: the tool would
    run nothing for it. Each catcher must select at least one default-tier test. The session's
    own collection answers when it holds the catcher (the whole default tier does); the rest
    are collected in a subprocess with the default tier's markers."""
    session_nodes = [item.nodeid for item in request.session.items]
    catchers = sorted({c for m in scored() for c in m.catchers})
    unseen = [c for c in catchers if not selects(c, session_nodes)]
    nodes = session_nodes + (collected_by_the_default_tier(unseen) if unseen else [])
    for mutant in scored():
        for catcher in mutant.catchers:
            assert selects(catcher, nodes), f"{mutant.name}: catcher {catcher} selects no default-tier test"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_mutant_still_applies_to_the_model_and_ops(name, backend, monkeypatch):
    """A mutant whose patched function was renamed would make every test error, a false catch
    (the plugin stops the session instead): here it fails in the default tier, by name."""
    MUTANTS[name].apply(monkeypatch, backend.ttnn)


def test_the_readme_shows_the_score_of_this_catalog():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"mutation score: (\d+)/(\d+) caught", readme)
    assert match, "README.md has no 'mutation score: N/M caught' line (python -m tools.mutation_score prints it)"
    assert int(match.group(2)) == len(scored()), (
        f"README's score is out of {match.group(2)} mutants, the catalog scores {len(scored())}: rerun python -m tools.mutation_score")
