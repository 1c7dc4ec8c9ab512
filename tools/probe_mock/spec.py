"""The probe's one printer of what a call returned or raised: the notation of the doc's tables,
`[logical] pad[padded] DTYPE LAYOUT BUFFER MEMORY_LAYOUT [shard=... ORIENTATION cores=N grid={...}]`."""

from __future__ import annotations

import ttnn

MAX_MESSAGE = 1200


def errmsg(exc: BaseException) -> str:
    """The exception's type and message, cut before the backtrace, without the build's path prefix."""
    keep = []
    for line in str(exc).splitlines():
        if line.strip().startswith("backtrace") or line.startswith(" --- "):
            break
        keep.append(line.rstrip())
    message = "\n".join(line for line in keep if line.strip() != "info:").strip().replace("/project/", "")
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + " ..."
    return f"{type(exc).__name__}: {message}"


def _enum_name(value, prefix: str) -> str:
    return str(value).split(".")[-1].replace(prefix, "")


def memory_desc(config) -> str:
    text = f"{_enum_name(config.buffer_type, 'BufferType::')} {_enum_name(config.memory_layout, 'TensorMemoryLayout::')}"
    shard = config.shard_spec
    if shard is not None:
        try:
            count = shard.grid.num_cores()
        except Exception:  # noqa: BLE001 - print what we can
            count = "?"
        text += (f" shard={list(shard.shape)} {_enum_name(shard.orientation, '')} cores={count} "
                 f"grid={grid_desc(shard.grid)}")
    return text


def grid_desc(grid) -> str:
    try:
        ranges = [f"({r.start.x},{r.start.y})-({r.end.x},{r.end.y})" for r in grid.ranges()]
    except Exception:  # noqa: BLE001 - not a CoreRangeSet: print it as it prints itself
        return str(grid)
    return "{" + ",".join(ranges) + "}"


def describe(value):
    """A tensor's spec (a list of them for a tuple result), or a short repr of anything else."""
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, ttnn.Tensor):
        shape, padded = list(value.shape), list(value.padded_shape)
        text = f"{shape}" + (f" pad{padded}" if padded != shape else "")
        text += f" {str(value.dtype).replace('DataType.', '')} {str(value.layout).replace('Layout.', '')}"
        on_device = value.storage_type() == ttnn.StorageType.DEVICE
        return text + (" " + memory_desc(value.memory_config()) if on_device else " HOST")
    return repr(value)[:500]
