"""Which parameters a host function really reads: a static walk of its source.

A parameter counts as used when its body reads it other than by handing it on; handed on to
another host function (by position or keyword), it counts as used only if that function uses
the parameter it lands in. So an argument that is forwarded and then dropped is found unused.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap


@functools.lru_cache(maxsize=None)
def _tree(function) -> ast.FunctionDef:
    source = textwrap.dedent(inspect.getsource(function))
    return next(n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _callee(function, call: ast.Call):
    """The host function a call names, if it is one (a module-level name or module attribute)."""
    target = None
    if isinstance(call.func, ast.Name):
        target = function.__globals__.get(call.func.id)
    elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        owner = function.__globals__.get(call.func.value.id)
        target = getattr(owner, call.func.attr, None) if owner is not None else None
    target = getattr(target, "__wrapped__", target)
    if inspect.isfunction(target) and target.__module__.startswith("tt_qwen.host"):
        return target
    return None


def _forwarded_to(function, call: ast.Call, node: ast.Name):
    """(callee, its parameter name) when `node` is passed bare to a host function in `call`."""
    callee = _callee(function, call)
    if callee is None:
        return None
    names = list(inspect.signature(callee).parameters)
    for index, arg in enumerate(call.args):
        if arg is node:
            return (callee, names[index]) if index < len(names) else None
    for keyword in call.keywords:
        if keyword.value is node and keyword.arg in names:
            return callee, keyword.arg
    return None


def uses(function, name: str, _seen=None) -> bool:
    """Does `function` read its parameter `name` (following forwards into other host functions)?"""
    function = inspect.unwrap(function)
    seen = set() if _seen is None else _seen
    if (function, name) in seen:
        return False
    seen.add((function, name))
    tree = _tree(function)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(node)
        parent = parents.get(parent) if isinstance(parent, ast.keyword) else parent
        forward = _forwarded_to(function, parent, node) if isinstance(parent, ast.Call) else None
        if forward is None or uses(*forward, _seen=seen):
            return True
    return False
