"""The drop-in bring-up (tests/e2e/bringup/qwen3_functional.py), written against the real ttnn,
on the real ttnn 0.81.1 with a mock n150: every call passes the real validation (no TT_FATAL).
The numbers are zeros here; tests/e2e/test_dropin_bringup.py checks them on the host backend.

It is also run on the host backend in this same process (its module loaded with `ttnn` meaning
tt_qwen.host) and the two runs must make the same calls with the same output specs, so a host
op that accepts the call but returns another shape or layout than the real one is caught here."""

import importlib.util
from pathlib import Path

import pytest
import torch

from tt_qwen import backends, optrace, zoo
from tt_qwen.hf_compat import cache_kwargs, cache_of

BRINGUP_FILE = Path(__file__).parents[1] / "e2e" / "bringup" / "qwen3_functional.py"
MODELS = ["tiny-gqa2", "qwen3-0.6b-1layer"]
PROMPT_LEN, DECODE_STEPS, MAX_SEQ_LEN = 40, 3, 128
# optrace's list plus the ops this file uses and tt_qwen's model does not.
TRACED = optrace.TRACED + ("silu", "permute", "update_cache")
_HF = {}


def _hf(name):
    if name not in _HF:
        _HF[name] = zoo.load_hf_model(zoo.resolve(name)[0])
    return _HF[name]


def load_bringup(ttnn_module, name):
    """Import the file with `import ttnn` meaning `ttnn_module`."""
    with backends.ttnn_meaning(ttnn_module):
        spec = importlib.util.spec_from_file_location(name, BRINGUP_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def run(module, device, hf_model):
    """Build, prefill PROMPT_LEN tokens, decode DECODE_STEPS; the logits of every call."""
    vocab = hf_model.config.vocab_size
    ids = (torch.arange(PROMPT_LEN + DECODE_STEPS) * 7 + 3).remainder(vocab).reshape(1, -1)
    model = module.build_model(hf_model, device, MAX_SEQ_LEN)
    out = model(ids[:, :PROMPT_LEN], use_cache=True)
    logits = [out.logits]
    for pos in range(PROMPT_LEN, PROMPT_LEN + DECODE_STEPS):
        out = model(ids[:, pos: pos + 1], use_cache=True, **cache_kwargs(cache_of(out)))
        assert cache_of(out).get_seq_length() == pos + 1
        logits.append(out.logits)
    return logits


def traced_run(monkeypatch, ttnn_module, module, device, hf_model):
    with monkeypatch.context() as patch:
        patch.setattr(optrace, "TRACED", TRACED)
        with optrace.record(ttnn_module) as calls:
            run(module, device, hf_model)
    return calls


@pytest.mark.parametrize("model", MODELS)
def test_bringup_runs_on_the_real_ttnn(model, ttnn, device):
    module = load_bringup(ttnn, f"dropin_mock_{model.replace('-', '_')}")
    assert module.ttnn is ttnn and not backends.is_host_ttnn(module.ttnn), module.ttnn
    vocab = _hf(model).config.vocab_size
    logits = run(module, device, _hf(model))
    assert [tuple(t.shape) for t in logits] == [(1, PROMPT_LEN, vocab)] + [(1, 1, vocab)] * DECODE_STEPS


@pytest.mark.parametrize("model", MODELS)
def test_bringup_calls_match_the_host_backend(model, ttnn, device, host_backend, monkeypatch):
    host, host_device = host_backend
    name = model.replace("-", "_")
    real = traced_run(monkeypatch, ttnn, load_bringup(ttnn, f"dropin_real_{name}"), device, _hf(model))
    ours = traced_run(monkeypatch, host, load_bringup(host, f"dropin_host_{name}"), host_device, _hf(model))
    assert len(real) > 100  # the recording saw the model's calls
    difference = optrace.first_difference(ours, real)
    assert difference is None, f"{model}: {difference}"
