"""Dispatch-core choices for open_device, as in 0.81.1. Measured on the mock n150: no config, ETH,
and WORKER on the ROW axis all leave the 8x8 worker grid the host models; WORKER on the COL axis
leaves 7x9, which the host does not model (open_device refuses it)."""

from __future__ import annotations

from .memory import NamedEnum


class DispatchCoreType(NamedEnum):
    WORKER = 0
    ETH = 1


class DispatchCoreAxis(NamedEnum):
    ROW = 0
    COL = 1


def keeps_the_8x8_grid(config) -> bool:
    """True for the dispatch configs under which the n150's worker grid is the host's 8x8."""
    if config is None:
        return True
    return getattr(config, "type", None) != DispatchCoreType.WORKER or getattr(config, "axis", None) != DispatchCoreAxis.COL
