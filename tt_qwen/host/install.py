"""Put the host backend in `sys.modules` as `ttnn`, so code written for the real package runs unchanged."""

from __future__ import annotations

import sys

SUBMODULES = ("experimental", "transformer", "kv_cache", "device", "core", "operations")


def install_as_ttnn():
    """Register tt_qwen.host as `ttnn` (and its submodules as ttnn.<name>); returns the module.

    Refuses if a different `ttnn` (the real package) is already imported in this process.
    """
    import tt_qwen.host as host

    current = sys.modules.get("ttnn")
    if current is not None and current is not host:
        raise RuntimeError(f"a different ttnn is already imported in this process: {current!r}")
    sys.modules["ttnn"] = host
    for name in SUBMODULES:
        sys.modules[f"ttnn.{name}"] = getattr(host, name)
    return host
