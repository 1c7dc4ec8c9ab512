"""Teacher forcing, model-agnostic: reference tokens from HF, forcing them through any model
with an HF-style `forward`, and scoring what it predicted.

A step is the prediction of reference token i (step 0 comes from the prefill of the prompt).
Scores are fractions of the scored steps over every user:
- top1:          the candidate's argmax equals the reference token (HF's greedy choice);
- top5:          the reference token is in the candidate's top 5 (ttnn_models' eval.py convention);
- top5_tt_in_hf: the candidate's argmax is in HF's top 5 (tt-metal's accuracy-test convention).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import torch

REFERENCE_FORMAT = 2  # bump when the cached file's content or key changes meaning


def reference_tokens(hf_model, prompts: list[list[int]], max_new_tokens: int, min_new_tokens: int,
                     cache_dir: Path | str | None = None) -> dict:
    """HF greedy tokens [batch, N] and HF's top-5 ids [batch, N, 5] at every step. Cached on disk
    (under `cache_dir`/reference) by `reference_key`: a changed weight, config or setting is a
    new file, never a stale hit."""
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / "reference" / f"{reference_key(hf_model, prompts, max_new_tokens, min_new_tokens)}.pt"
        if path.is_file():
            return torch.load(path)
    tokens, top5 = zip(*(_greedy_with_top5(hf_model, ids, max_new_tokens, min_new_tokens) for ids in prompts))
    lengths = [len(t) for t in tokens]
    if len(set(lengths)) > 1:
        user = lengths.index(min(lengths))
        raise ValueError(f"HF stopped user {user} at EOS after {lengths[user]} of {max_new_tokens} tokens while others ran "
                         f"longer; raise --min_new_tokens (now {min_new_tokens}) so every user has the same reference length")
    result = {"tokens": torch.stack(tokens), "hf_top5": torch.stack(top5)}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(result, path)
    return result


@torch.no_grad()
def _greedy_with_top5(hf_model, ids, max_new_tokens, min_new_tokens):
    prompt = torch.tensor(ids).reshape(1, -1)
    out = hf_model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                            max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens)
    logits = hf_model(out[:, :-1]).logits[0, prompt.shape[1] - 1:]
    return out[0, prompt.shape[1]:], logits.topk(5, dim=-1).indices


def reference_key(hf_model, prompts, max_new_tokens, min_new_tokens) -> str:
    """A digest of everything the reference depends on: every weight (names, dtypes, shapes,
    bytes), the config, the generation config, the prompt ids, the settings and the versions of
    transformers and torch."""
    import transformers

    digest = hashlib.sha256()
    settings = {"format": REFERENCE_FORMAT, "max_new_tokens": max_new_tokens, "min_new_tokens": min_new_tokens,
                "prompts": prompts, "transformers": transformers.__version__, "torch": torch.__version__}
    digest.update(json.dumps(settings).encode())
    digest.update(hf_model.config.to_json_string(use_diff=False).encode())
    generation = getattr(hf_model, "generation_config", None)
    if generation is not None:
        digest.update(generation.to_json_string(use_diff=False).encode())
    update_with_weights(digest, hf_model)
    return digest.hexdigest()[:32]


def update_with_weights(digest, module: torch.nn.Module) -> None:
    """Every parameter and buffer into `digest`; tied tensors are hashed once, under every name."""
    seen = set()
    for name, tensor in sorted(module.state_dict(keep_vars=False).items()):
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        key = (tensor.data_ptr(), tensor.dtype, tuple(tensor.shape))
        if key in seen:
            continue
        seen.add(key)
        digest.update(tensor.detach().contiguous().view(-1).view(torch.uint8).numpy())


def teacher_force(model, prompts, ref_tokens, prefill_decode: bool = False, progress=None):
    """Feed the prompts, then the reference tokens one at a time through `model`'s HF-style
    forward; return (top-5 ids [batch, N, 5], prefill seconds, decode seconds per step)."""
    from tt_qwen.hf_compat import cache_kwargs, cache_of

    steps = ref_tokens.shape[1]
    ids = torch.tensor(prompts)
    start = time.perf_counter()
    with torch.no_grad():
        if prefill_decode:
            out = model(ids[:, :1], use_cache=True)
            for i in range(1, ids.shape[1]):
                out = model(ids[:, i: i + 1], use_cache=True, **cache_kwargs(cache_of(out)))
        else:
            out = model(ids, use_cache=True, logits_to_keep=1)
        prefill_seconds = time.perf_counter() - start
        predictions = [out.logits[:, -1].float().topk(5, dim=-1).indices]
        start = time.perf_counter()
        for step in range(steps - 1):
            out = model(ref_tokens[:, step: step + 1], use_cache=True, **cache_kwargs(cache_of(out)))
            predictions.append(out.logits[:, -1].float().topk(5, dim=-1).indices)
            if progress:
                progress(step + 2, steps)
    decode_seconds = (time.perf_counter() - start) / max(1, steps - 1)
    return torch.stack(predictions, dim=1), prefill_seconds, decode_seconds


def accuracy(tt_top5, ref_tokens, hf_top5) -> dict:
    """Scores, the first mismatch (the earliest step at which any user's argmax differs, and the
    lowest such user) and the per-step agreement of every user (1 where top-1 agrees)."""
    tt_argmax = tt_top5[..., 0]
    agrees = tt_argmax == ref_tokens
    first_step, first_user = first_mismatch(agrees)
    return {
        "top1": float(agrees.float().mean()),
        "top5": float((tt_top5 == ref_tokens.unsqueeze(-1)).any(-1).float().mean()),
        "top5_tt_in_hf": float((hf_top5 == tt_argmax.unsqueeze(-1)).any(-1).float().mean()),
        "first_mismatch": first_step,
        "first_mismatch_user": first_user,
        "agreement": agrees.int().tolist(),
    }


def first_mismatch(agrees: torch.Tensor) -> tuple[int | None, int | None]:
    """(step, user) of the earliest disagreement in agrees [batch, steps], or (None, None)."""
    wrong_steps = (~agrees).any(dim=0).nonzero()
    if not len(wrong_steps):
        return None, None
    step = int(wrong_steps[0])
    return step, int((~agrees[:, step]).nonzero()[0])
