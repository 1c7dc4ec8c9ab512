"""The one place that chooses and opens a backend: host, mock or device.

- host:   tt_qwen.host, our CPU implementation of the TTNN ops, installed as `ttnn`.
- mock:   the real ttnn 0.81.1 on a mock n150 (real host code of every op, zeros back).
- device: the real ttnn on an n150.

The model only ever does `import ttnn`; which module that name means is decided here, once per
process, before the model is imported.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

CHOICES = ("auto", "host", "mock", "device")
ENV_VAR = "TT_QWEN_BACKEND"
DEVICE_NODE = Path("/dev/tenstorrent")


class BackendUnavailable(Exception):
    """The backend cannot run here; the message says what is missing."""


@dataclass
class Backend:
    name: str  # "host" | "mock" | "device"
    ttnn: ModuleType
    device: object
    device_params: dict = field(default_factory=dict)  # what the device was opened with

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
        if _active_ttnn_is_host():
            return "this process already runs the host backend as `ttnn`"
        if importlib.util.find_spec("ttnn") is None:
            return "the real ttnn package is not installed in this Python (pip install 'tt-qwen[ttnn]', Python 3.10 or 3.12)"
        return None
    if name == "mock":
        if _active_ttnn_is_host():
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
    if sys.modules.get("ttnn") is not None and (name == "host") == _active_ttnn_is_host():
        return sys.modules["ttnn"]
    reason = unavailable_reason(name)
    if reason:
        raise BackendUnavailable(f"backend {name!r} is not available: {reason}")
    return _import_ttnn(name)


def _import_ttnn(name: str) -> ModuleType:
    if name == "host":
        from tt_qwen.host import install_as_ttnn

        install_as_ttnn()
    elif name == "mock":
        from tt_qwen.mock import prepare_mock_environment

        prepare_mock_environment()
    import ttnn

    return ttnn


def _active_ttnn_is_host() -> bool:
    module = sys.modules.get("ttnn")
    return module is not None and module.__name__.startswith("tt_qwen.host")
