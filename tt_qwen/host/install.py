"""`install_as_ttnn()`: the host backend's door to the one switch, tt_qwen.backends, which alone
decides what `import ttnn` means in a process."""

from __future__ import annotations

from tt_qwen import backends


def install_as_ttnn():
    """Register tt_qwen.host as `ttnn` (and its submodules as ttnn.<name>); returns the module.

    Refuses if a different `ttnn` (the real package) is already imported in this process.
    """
    return backends.install_host_as_ttnn()
