"""Per-layer probes: the residual stream after every decoder layer of the TTNN model, captured
through its `layer_observer` hook (see `TTModelProtocol` in tt_qwen.model.causal_lm) and compared
with HF float32's. One loop, used by the eval CLI and by the model tests."""

from __future__ import annotations

import torch

from tt_qwen import reference
from tt_qwen.compare import compare


def capture_layers(model, run) -> dict:
    """Call `run()` with `model.layer_observer` recording; return {"prefill": {layer: [rows]},
    "decode": {layer: [rows]}}, each entry one call's output as [rows, hidden] float32."""
    import ttnn

    captured = {"prefill": {}, "decode": {}}

    def observe(index, mode, x):
        captured[mode].setdefault(index, []).append(ttnn.to_torch(x).float().reshape(-1, x.shape[-1]))

    model.layer_observer = observe
    try:
        run()
    finally:
        model.layer_observer = None
    return captured


def layer_pcc(model, hf_model, prompt, next_token=None) -> dict:
    """PCC after every layer for a prefill of `prompt` and, given `next_token`, one decode step
    after it: {"prefill": [pcc per layer], "decode": [...]} (decode empty without a token)."""
    ids = torch.as_tensor(prompt).reshape(-1)
    steps = [] if next_token is None else [torch.as_tensor(next_token).reshape(1)]
    expected = reference.layer_outputs(hf_model, torch.cat([ids, *steps]))

    def run():
        model.prefill(ids, last_token_only=bool(steps))
        for token in steps:
            model.decode(token, [len(ids)])

    captured = capture_layers(model, run)
    _check_every_layer_seen(captured["prefill"], len(expected), "prefill")
    prefill = [compare(expected[i][: len(ids)], torch.cat(captured["prefill"][i])[: len(ids)]).pcc for i in range(len(expected))]
    if not steps:
        return {"prefill": prefill, "decode": []}
    _check_every_layer_seen(captured["decode"], len(expected), "decode")
    # Decode runs a tile of users; user 0 holds the token, row 0 its output.
    decode = [compare(expected[i][len(ids)], captured["decode"][i][0][0]).pcc for i in range(len(expected))]
    return {"prefill": prefill, "decode": decode}


def _check_every_layer_seen(captured: dict, layers: int, mode: str) -> None:
    if sorted(captured) != list(range(layers)):
        raise AssertionError(f"{mode}: the layer observer saw layers {sorted(captured)}, expected 0..{layers - 1}")
