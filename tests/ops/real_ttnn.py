"""The REAL ttnn package, next to the host backend that occupies the name `ttnn` in this process.

On the host backend `sys.modules["ttnn"]` is tt_qwen.host. The real package (installed in
.venv-mock) is imported here under its own name by briefly removing the host's entries, and is
kept aside; `RealTTNN.active()` swaps it back in while it runs, because the real package imports
`ttnn` lazily inside some functions.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import sys
from types import ModuleType


class RealTTNN:
    def __init__(self, module: ModuleType, modules: dict, own_process: bool):
        self.module = module
        self._modules = modules  # the real package's sys.modules entries
        self._own_process = own_process  # True: the real package IS this process's ttnn

    @contextlib.contextmanager
    def active(self):
        if self._own_process:
            yield self.module
            return
        saved = _take_ttnn_modules()
        sys.modules.update(self._modules)
        try:
            yield self.module
        finally:
            self._modules.update(_take_ttnn_modules())
            sys.modules.update(saved)


_CACHE: dict = {}


def _take_ttnn_modules() -> dict:
    names = [n for n in sys.modules if n == "ttnn" or n.startswith("ttnn.")]
    return {n: sys.modules.pop(n) for n in names}


def _is_real(module) -> bool:
    return module is not None and not module.__name__.startswith("tt_qwen") and hasattr(module, "get_golden_function")


def real_ttnn(backend) -> tuple[RealTTNN | None, str]:
    """(RealTTNN, "") or (None, why it is not available)."""
    if _is_real(backend.ttnn):
        return RealTTNN(backend.ttnn, {}, own_process=True), ""
    if "real" in _CACHE:
        return _CACHE["real"]
    result = _import_aside()
    _CACHE["real"] = result
    return result


def _import_aside():
    where = f"{sys.executable} (Python {sys.version_info.major}.{sys.version_info.minor})"
    if importlib.machinery.PathFinder.find_spec("ttnn") is None:
        return None, (f"the real ttnn package is not installed in {where}; run with .venv-mock/bin/python "
                      "(ttnn 0.81.1, Python 3.12) and --backend host")
    saved = _take_ttnn_modules()
    try:
        module = importlib.import_module("ttnn")
    except Exception as error:  # noqa: BLE001 - any import failure means "not usable here"
        first = (str(error).strip().splitlines() or [""])[0]
        return None, f"the real ttnn package is installed in {where} but does not import: {type(error).__name__}: {first}"
    finally:
        real = _take_ttnn_modules()
        sys.modules.update(saved)
    if not _is_real(module):
        return None, "importing `ttnn` aside did not give the real package"
    return RealTTNN(module, real, own_process=False), ""
