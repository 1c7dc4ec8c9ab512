"""The REAL ttnn package, next to the host backend that occupies the name `ttnn` in this process.

On the host backend `ttnn` means tt_qwen.host; the real package (installed in .venv-mock) is
imported aside by tt_qwen.backends, and `RealTTNN.active()` is the block where `ttnn` means it,
because the real package imports `ttnn` lazily inside some of its functions.
"""

from __future__ import annotations

import contextlib
from types import ModuleType

from tt_qwen import backends


class RealTTNN:
    def __init__(self, module: ModuleType):
        self.module = module

    @contextlib.contextmanager
    def active(self):
        with backends.ttnn_meaning(self.module) as module:
            yield module


def real_ttnn(backend) -> tuple[RealTTNN | None, str]:
    """(RealTTNN, "") or (None, why it is not available)."""
    module, why = backends.real_ttnn_beside_host()
    if module is None:
        return None, why
    if not hasattr(module, "get_golden_function"):
        return None, f"{module!r} has no get_golden_function: not the real ttnn package"
    return RealTTNN(module), ""
