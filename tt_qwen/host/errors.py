"""The one way the host backend refuses an input.

The real ops raise `RuntimeError("TT_FATAL @ <file>:<line>: <condition>\ninfo:\n<message>")` from
their C++ `validate`. Callers match on the message text, so every refusal here goes through
`require`, which keeps the same shape: `TT_FATAL @ <op>: <rule>`, with the op's own wording for
the rule wherever we know it.
"""


def require(condition, op: str, message: str) -> None:
    """Raise the device's RuntimeError for `op` unless `condition` holds."""
    if not condition:
        raise RuntimeError(f"TT_FATAL @ {op}: {message}")


def fatal(op: str, message: str):
    """Raise unconditionally (for unsupported combinations reached by a branch)."""
    raise RuntimeError(f"TT_FATAL @ {op}: {message}")
