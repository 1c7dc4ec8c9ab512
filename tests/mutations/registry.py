"""The mutation catalog's shape: a mutant is a realistic bring-up bug, written as a function
that patches the model (or one op of the backend) through a pytest MonkeyPatch, plus the
default-tier tests expected to catch it.

    @mutant("model", "tests/model/test_logits.py")
    def rope_theta_misread(monkeypatch, ttnn):
        \"\"\"What bug it models, and why the named tests see it.\"\"\"

kind "model": the model misuses an op or misreads the config. kind "op": an op misbehaves in one
regime only (positions past a boundary, users >= 16, ids >= 65536, later chunks, tile edges).
A mutant no test can catch is marked equivalent, and its docstring argues why.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

KINDS = ("model", "op")


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str
    apply: Callable  # apply(monkeypatch, ttnn)
    catchers: tuple[str, ...]  # pytest node ids / paths of the default tier that must fail
    equivalent: bool = False

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.apply.__doc__ or "")


MUTANTS: dict[str, Mutant] = {}


def mutant(kind: str, *catchers: str, equivalent: bool = False):
    """Register the decorated function as a mutant named after it (underscores as dashes)."""
    if kind not in KINDS:
        raise ValueError(f"mutant kind {kind!r} is not one of {KINDS}")

    def register(apply):
        name = apply.__name__.replace("_", "-")
        if name in MUTANTS:
            raise ValueError(f"mutant {name} is registered twice")
        MUTANTS[name] = Mutant(name, kind, apply, tuple(catchers), equivalent)
        return apply

    return register


def model_module(name: str):
    """A tt_qwen.model module, imported only when a mutant is applied: importing it imports
    `ttnn`, which must be the session's backend by then."""
    import importlib

    return importlib.import_module(f"tt_qwen.model.{name}")


def rebuild(ttnn, values, like):
    """A device tensor holding torch `values`, with the dtype, layout and memory config of `like`."""
    return ttnn.from_torch(values, dtype=like.dtype, layout=like.layout, device=like.device(),
                           memory_config=like.memory_config())


def with_positions_changed(ttnn, real, keyword: str, change):
    """`real` wrapped so the int32 position tensor it gets as `keyword` (when it gets one) is
    replaced by change(positions) (int64 torch in, int64 torch out); other calls pass as they are."""
    import torch

    def op(*args, **kwargs):
        tensor = kwargs.get(keyword)
        if tensor is not None:
            positions = ttnn.to_torch(tensor).to(torch.int64)
            changed = change(positions.clone())
            if not torch.equal(changed, positions):
                kwargs[keyword] = rebuild(ttnn, changed.to(torch.int32), tensor)
        return real(*args, **kwargs)

    return op
