"""The host backend as a drop-in `ttnn`: a bring-up written against the real package by someone
else (tests/e2e/bringup/qwen3_functional.py: separate q/k/v linears, reshape+permute heads,
rotary_embedding with token_index, fill_cache / update_cache, sdpa_decode with a cur_pos list,
silu + mul MLP, ROW_MAJOR norm weights) runs unchanged and gives the right numbers."""

import importlib.util
import json
import sys
from pathlib import Path

import torch

from tt_qwen import eval as tt_eval
from tt_qwen import zoo
from tt_qwen.compare import assert_pcc
from tt_qwen.hf_compat import cache_kwargs, cache_of
from tt_qwen.thresholds import pcc_threshold

BRINGUP_FILE = Path(__file__).parent / "bringup" / "qwen3_functional.py"
PROMPT_LEN = 40  # not a multiple of 32: the file pads the prompt to a tile and trims the logits
DECODE_STEPS = 4
TOP1_FLOOR = 0.9


def load_bringup(name="dropin_qwen3_functional"):
    """Import the file as its author would run it: a plain module whose `import ttnn` finds
    whatever `ttnn` this process has."""
    spec = importlib.util.spec_from_file_location(name, BRINGUP_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_cli_scores_the_bringup_file(capsys, request, backend, needs_numbers, tmp_path):
    code = tt_eval.main([str(BRINGUP_FILE), "--model", "tiny-trained", "--backend", backend.name,
                         "--max_new_tokens", "24", "--report_dir", str(tmp_path / "reports"),
                         "--cache_dir", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("YT_METRICS="))
    metrics = json.loads(line[len("YT_METRICS="):])
    request.node.user_properties += [("top1", metrics["top1"]), ("top5", metrics["top5"])]  # into the session report
    assert metrics["backend"] == backend.name and metrics["decode_len"] == 24
    # The run really was the bring-up file, not tt_qwen's own model.
    report = json.loads(next((tmp_path / "reports").glob("*.json")).read_text())
    assert report["result"]["model_file"] == str(BRINGUP_FILE)
    assert metrics["top1"] >= TOP1_FLOOR, f"top1 {metrics['top1']:.3f} < {TOP1_FLOOR} (top5 {metrics['top5']:.3f})"


def test_bringup_logits_match_hf(backend, needs_numbers):
    module = load_bringup()
    # The file's own `import ttnn` resolved to the session's backend, which is ours on host.
    assert module.ttnn is backend.ttnn is sys.modules["ttnn"]
    if backend.name == "host":
        assert module.ttnn.__name__ == "tt_qwen.host", module.ttnn

    hf_model = zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0])
    model = module.build_model(hf_model, backend.device, 128)
    assert isinstance(model, torch.nn.Module)
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, hf_model.config.vocab_size, (1, PROMPT_LEN + DECODE_STEPS), generator=generator)
    with torch.no_grad():
        expected = hf_model(ids).logits[0].float()  # causal: row i is the prediction after token i
    threshold = pcc_threshold("model.logits")

    out = model(ids[:, :PROMPT_LEN], use_cache=True)
    assert out.logits.shape == (1, PROMPT_LEN, hf_model.config.vocab_size)
    assert_pcc(expected[:PROMPT_LEN], out.logits[0], threshold, "bring-up prefill logits")
    past = cache_of(out)
    for pos in range(PROMPT_LEN, PROMPT_LEN + DECODE_STEPS):
        out = model(ids[:, pos: pos + 1], use_cache=True, **cache_kwargs(past))
        past = cache_of(out)
        assert out.logits.shape == (1, 1, hf_model.config.vocab_size)
        assert past.get_seq_length() == pos + 1
        assert_pcc(expected[pos], out.logits[0, -1], threshold, f"bring-up decode logits at position {pos}")


def test_bringup_generate_matches_hf_greedy(backend, needs_numbers):
    """HF's own generate() drives the file's forward: prefill once, then one decode per token."""
    from tt_qwen.checkpoints import held_out_ids

    hf_model = zoo.load_hf_model(zoo.resolve("tiny-trained")[0])
    model = load_bringup().build_model(hf_model, backend.device, 128)
    calls = []
    for name in ("prefill", "decode"):
        method = getattr(model, name)
        setattr(model, name, lambda *args, _method=method, _name=name: (calls.append(_name), _method(*args))[1])
    prompt = torch.tensor([held_out_ids(48, seed=1)])
    settings = dict(attention_mask=torch.ones_like(prompt), do_sample=False, max_new_tokens=16, min_new_tokens=16)
    with torch.no_grad():
        expected = hf_model.generate(prompt, **settings)
    assert model.generate(prompt, **settings).tolist() == expected.tolist()
    assert calls == ["prefill"] + ["decode"] * 15  # the last generated token is never fed back
