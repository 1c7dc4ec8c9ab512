"""Teacher-forcing accuracy against HF float32: the bring-up's headline number."""

import pytest
import torch

from tt_qwen import eval as tt_eval
from tt_qwen.thresholds import accuracy_floors

NEW_TOKENS = 64


def evaluation_prompt(model_spec, hf_model) -> list[int]:
    if model_spec.kind == "tiny-trained":
        from tt_qwen.checkpoints import held_out_ids

        return held_out_ids(96, seed=3)
    from tt_qwen import models

    tokenizer = models.load_tokenizer(model_spec)
    return tokenizer(tt_eval.DEFAULT_PROMPT_FILE.read_text())["input_ids"][:128]


def teacher_forcing_scores(tt_model, hf_model, model_spec, prompt, cache_dir) -> dict:
    ref = tt_eval.reference(hf_model, model_spec, [prompt], NEW_TOKENS, NEW_TOKENS, cache_dir)
    top5, _, _ = tt_eval.teacher_force(tt_model, [prompt], ref["tokens"], prefill_decode=False)
    return tt_eval.accuracy(top5, ref["tokens"], ref["hf_top5"])


@pytest.mark.model_kinds("tiny-trained", "pretrained")
@pytest.mark.parametrize("mlp_dtype", ["bfloat16", "bfloat8_b"], ids=["bf16", "bfp8-mlp"])
def test_teacher_forcing_accuracy_meets_the_floor(model_spec, hf_model, build_tt, needs_numbers, reference_cache, record_property, mlp_dtype):
    prompt = evaluation_prompt(model_spec, hf_model)
    tt_model = build_tt(hf_model, len(prompt) + NEW_TOKENS, mlp_dtype=mlp_dtype)
    scores = teacher_forcing_scores(tt_model, hf_model, model_spec, prompt, reference_cache)
    for name, value in scores.items():
        record_property(name, value)
    for metric, floor in accuracy_floors(model_spec.name).items():
        assert scores[metric] >= floor, f"{metric} {scores[metric]:.4f} is below the floor {floor} (first mismatch at step {scores['first_mismatch']})"


def test_accuracy_conventions_on_a_known_case():
    """top5 counts HF's token in TT's top 5; top5_tt_in_hf counts TT's argmax in HF's top 5."""
    ref_tokens = torch.tensor([[1, 2, 3, 4]])
    tt_top5 = torch.tensor([[[1, 9, 9, 9, 9], [9, 2, 8, 8, 8], [7, 6, 5, 4, 0], [4, 0, 0, 0, 0]]])
    hf_top5 = torch.tensor([[[1, 0, 0, 0, 0], [2, 9, 0, 0, 0], [3, 0, 0, 0, 0], [4, 0, 0, 0, 0]]])
    scores = tt_eval.accuracy(tt_top5, ref_tokens, hf_top5)
    assert scores == {"top1": 0.5, "top5": 0.75, "top5_tt_in_hf": 0.75, "first_mismatch": 1}
