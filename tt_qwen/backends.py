"""The one place that chooses and opens a backend: host, mock or device.

- host:   tt_qwen.host, our CPU implementation of the TTNN ops, installed as `ttnn`.
- mock:   the real ttnn 0.81.1 on a mock n150 (real host code of every op, zeros back).
- device: the real ttnn on an n150.

The model only ever does `import ttnn`; which module that name means is decided here, once per
process, before the model is imported. This module is also the only code that touches
`sys.modules["ttnn"]`: `install_host_as_ttnn` (what tt_qwen.host.install_as_ttnn does),
`ttnn_meaning` (a block where `ttnn` means another package, for the tests that run the real
package beside the host one) and the flags `ttnn_is_host` / `Backend.is_host`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

CHOICES = ("auto", "host", "mock", "device")
ENV_VAR = "TT_QWEN_BACKEND"
DEVICE_NODE = Path("/dev/tenstorrent")
HOST_PACKAGE = "tt_qwen.host"


class BackendUnavailable(Exception):
    """The backend cannot run here; the message says what is missing."""


@dataclass
class Backend:
    name: str  # "host" | "mock" | "device"
    ttnn: ModuleType
    device: object
    device_params: dict = field(default_factory=dict)  # what the device was opened with

    @property
    def is_host(self) -> bool:
        """Our CPU model of the ops, not the real ttnn (ask this instead of the module's name)."""
        return self.name == "host"

    @property
    def computes_numbers(self) -> bool:
        return self.name != "mock"

    def close(self) -> None:
        self.ttnn.close_device(self.device)


def requested(option: str | None = None) -> str:
    name = option or os.environ.get(ENV_VAR) or "auto"
    if name not in CHOICES:
        raise BackendUnavailable(f"unknown backend {name!r} (from {'--backend' if option else ENV_VAR}); choose one of {', '.join(CHOICES)}")
    return name


def resolve(name: str) -> str:
    """`auto` becomes device when an n150 is present, else host."""
    if name != "auto":
        return name
    return "device" if unavailable_reason("device") is None else "host"


def unavailable_reason(name: str) -> str | None:
    if name == "host":
        return None
    if name == "device":
        if not DEVICE_NODE.exists():
            return f"no Tenstorrent card: {DEVICE_NODE} does not exist"
        if os.environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH"):
            return "TT_METAL_MOCK_CLUSTER_DESC_PATH is set: this process is configured for the mock device"
        if ttnn_is_host():
            return "this process already runs the host backend as `ttnn`"
        if importlib.util.find_spec("ttnn") is None:
            return "the real ttnn package is not installed in this Python (pip install 'tt-qwen[ttnn]', Python 3.10 or 3.12)"
        return None
    if name == "mock":
        if ttnn_is_host():
            return "this process already runs the host backend as `ttnn`"
        from tt_qwen.mock import mock_unavailable_reason

        return mock_unavailable_reason()
    raise BackendUnavailable(f"unknown backend {name!r}")


def open_backend(name: str | None, device_id: int = 0, device_params: dict | None = None) -> Backend:
    name = resolve(requested(name))
    ttnn = select_ttnn(name)
    # ---- runner conventions (tt_qwen/runner.py): MESH_DEVICE and tt-metal's device_params ----
    from tt_qwen import runner

    runner.target_from_environment(name, ttnn)
    params = runner.device_params(device_params)
    device = runner.open_device(ttnn, device_id, params)
    return Backend(name, ttnn, device, params)


def select_ttnn(name: str) -> ModuleType:
    """Make `import ttnn` mean the backend's package in this process, and return it."""
    current = active_ttnn()
    if current is not None and (name == "host") == is_host_ttnn(current):
        return current
    reason = unavailable_reason(name)
    if reason:
        raise BackendUnavailable(f"backend {name!r} is not available: {reason}")
    return _import_ttnn(name)


def _import_ttnn(name: str) -> ModuleType:
    if name == "host":
        return install_host_as_ttnn()
    if name == "mock":
        from tt_qwen.mock import prepare_mock_environment

        prepare_mock_environment()
    import ttnn

    return ttnn


# --- what `ttnn` means: the only code that reads or writes sys.modules["ttnn"] --------------

def active_ttnn() -> ModuleType | None:
    """The module `import ttnn` gives in this process now, or None before any import."""
    return sys.modules.get("ttnn")


def is_host_ttnn(module: ModuleType | None) -> bool:
    """True when `module` is the host backend (by identity: the package tt_qwen.host itself)."""
    return module is not None and module is sys.modules.get(HOST_PACKAGE)


def ttnn_is_host() -> bool:
    """True when `ttnn` means the host backend in this process (ask this, never the module's name)."""
    return is_host_ttnn(active_ttnn())


def install_host_as_ttnn() -> ModuleType:
    """Register tt_qwen.host as `ttnn` (and its submodules as ttnn.<name>); returns it.

    Refuses when a different `ttnn` (the real package) is already imported in this process.
    """
    host = importlib.import_module(HOST_PACKAGE)
    current = active_ttnn()
    if current is not None and current is not host:
        raise RuntimeError(f"a different ttnn is already imported in this process: {current!r}")
    sys.modules.update(_host_entries(host))
    return host


@contextlib.contextmanager
def ttnn_meaning(module: ModuleType):
    """Inside the block, `import ttnn` (and ttnn.<name>) means `module`, the host package or the real
    one, whatever it meant before; afterwards the previous meaning returns.

    For the tests that run the real package beside the host one: the real package imports `ttnn`
    lazily inside some of its functions, so it must be this process's `ttnn` while it runs.
    """
    entries = _entries_of(module)
    saved = _take_ttnn_entries()
    sys.modules.update(entries)
    try:
        yield module
    finally:
        entries.update(_take_ttnn_entries())  # keep what the real package imported lazily meanwhile
        sys.modules.update(saved)


def real_ttnn_beside_host() -> tuple[ModuleType | None, str]:
    """(the real ttnn package, "") or (None, why it cannot be imported here).

    When the real package is this process's `ttnn` (mock, device), it is returned as is; when the
    host backend is, the real one is imported aside once, under its own name, for `ttnn_meaning`.
    """
    current = active_ttnn()
    if current is not None and not is_host_ttnn(current):
        return current, ""
    if "real" not in _REAL_ASIDE:
        _REAL_ASIDE["real"] = _import_real_aside()
    return _REAL_ASIDE["real"]


_REAL_ASIDE: dict[str, tuple[ModuleType | None, str]] = {}
_ASIDE_ENTRIES: dict[int, dict[str, ModuleType]] = {}  # id(real package) -> its sys.modules entries


def _import_real_aside() -> tuple[ModuleType | None, str]:
    where = f"{sys.executable} (Python {sys.version_info.major}.{sys.version_info.minor})"
    if importlib.machinery.PathFinder.find_spec("ttnn") is None:
        return None, (f"the real ttnn package is not installed in {where}; run with .venv-mock/bin/python "
                      "(ttnn 0.81.1, Python 3.12) and --backend host")
    saved = _take_ttnn_entries()
    try:
        module = importlib.import_module("ttnn")
    except Exception as error:  # noqa: BLE001 - any import failure means "not usable here"
        first = (str(error).strip().splitlines() or [""])[0]
        return None, f"the real ttnn package is installed in {where} but does not import: {type(error).__name__}: {first}"
    finally:
        real_entries = _take_ttnn_entries()
        sys.modules.update(saved)
    _ASIDE_ENTRIES[id(module)] = real_entries
    return module, ""


def _host_entries(host: ModuleType) -> dict[str, ModuleType]:
    return {"ttnn": host, **{f"ttnn.{name}": getattr(host, name) for name in host.SUBMODULES}}


def _entries_of(module: ModuleType) -> dict[str, ModuleType]:
    if is_host_ttnn(module):
        return _host_entries(module)
    if id(module) in _ASIDE_ENTRIES:
        return _ASIDE_ENTRIES[id(module)]
    if module is active_ttnn():
        return {n: m for n, m in sys.modules.items() if n == "ttnn" or n.startswith("ttnn.")}
    raise ValueError(f"{module!r} is neither the host backend nor a real ttnn package this process imported")


def _take_ttnn_entries() -> dict[str, ModuleType]:
    names = [n for n in sys.modules if n == "ttnn" or n.startswith("ttnn.")]
    return {n: sys.modules.pop(n) for n in names}
