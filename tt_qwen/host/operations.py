"""`ttnn.operations`: in 0.81.1 the modules the ops are defined in. The host's ops live at the top
level (and in experimental/transformer/kv_cache); `operations.core` is the one module bring-up code
reads from here. What is not emulated is listed, with why, in not_emulated.py."""

from . import core_module as core  # noqa: F401 (ttnn.operations.core)

__all__ = ["core"]
