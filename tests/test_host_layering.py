"""The host backend is layered: every module imports at the top, the imports between its modules
form no circle, and each module imports alone.

A function-level import inside tt_qwen/host is how an import circle hides, so both are checked on
the source; the package's __init__ (which imports everything, to be `ttnn`) is the root, not a layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HOST = Path(__file__).resolve().parents[1] / "tt_qwen" / "host"
MODULES = sorted(HOST.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(HOST.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def function_level_imports(source: str) -> list[str]:
    """`line: import ...` for every import statement nested in a function or class body."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    found.append(f"{inner.lineno}: {ast.unparse(inner)}")
    return found


def host_imports(path: Path) -> set[str]:
    """The tt_qwen.host modules `path` imports (relative imports, resolved; `from . import x` included)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    known = {_module_name(p) for p in MODULES}
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
            target = f"{base}.{node.module}" if node.module else base
            found |= {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known}
            found |= {target} if target in known else set()
    return found


def first_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` as a path [a, b, ..., a], or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state and (cycle := visit(nxt, path + [nxt])):
                return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_host_modules_import_each_other_without_a_circle():
    root = "tt_qwen.host"
    graph = {_module_name(p): host_imports(p) - {root} for p in MODULES if _module_name(p) != root}
    assert first_cycle(graph) is None, f"import circle in tt_qwen/host: {' -> '.join(first_cycle(graph))}"


def test_the_circle_check_finds_one():
    assert first_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert first_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_host_module_imports_only_at_the_top(path):
    nested = function_level_imports(path.read_text())
    assert not nested, f"{path.relative_to(HOST)} imports inside a function: {nested}"


def test_the_nested_import_check_finds_one():
    """The check above can fail: a nested import is reported with its line."""
    assert function_level_imports("import os\n\ndef f():\n    from .tensor import Tensor\n") == [
        "4: from .tensor import Tensor"]


def test_every_host_module_imports_alone_in_a_fresh_interpreter():
    names = [_module_name(p) for p in MODULES]
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n" \
             "    for loaded in [m for m in sys.modules if m.startswith('tt_qwen')]:\n" \
             "        del sys.modules[loaded]\n" \
             "    importlib.import_module(name)\n" \
             "    assert 'ttnn' not in sys.modules, f'importing {name} imported ttnn'\n"
    done = subprocess.run([sys.executable, "-c", script, *names], cwd=HOST.parents[1], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
