"""Counting the ttnn calls of one decode step, in all and inside one decoder layer (with the
ops of that layer), on any backend: tt_qwen's model and the functional bring-up file alike."""

from __future__ import annotations

import collections

from tt_qwen import optrace

# optrace's ops plus the ones only the functional bring-up file calls.
TRACED = optrace.TRACED + ("silu", "permute", "update_cache")


def count_decode_calls(ttnn, step, layer, layer_method: str, monkeypatch) -> dict:
    """Run `step()` once with every ttnn call recorded; `layer` is one decoder layer object whose
    `layer_method` runs that layer's decode (its calls are counted as one layer's)."""
    method = getattr(type(layer), layer_method)
    window = {}

    def counted(self, *args, **kwargs):
        if self is layer:
            window["start"] = len(calls)
        out = method(self, *args, **kwargs)
        if self is layer:
            window["end"] = len(calls)
        return out

    with monkeypatch.context() as patch:
        patch.setattr(optrace, "TRACED", TRACED)
        patch.setattr(type(layer), layer_method, counted)
        with optrace.record(ttnn) as calls:
            step()
    in_layer = calls[window["start"]: window["end"]]
    return {"calls_per_step": len(calls), "calls_per_layer": len(in_layer),
            "ops_per_layer": dict(collections.Counter(call["op"] for call in in_layer))}
