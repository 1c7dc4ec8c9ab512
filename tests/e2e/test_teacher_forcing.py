"""Teacher-forcing accuracy against HF float32: the bring-up's headline number."""

import pytest
import torch

from tt_qwen import teacher_forcing
from tt_qwen.eval_plan import DEFAULT_PROMPT_FILE
from tt_qwen.thresholds import accuracy_floors

NEW_TOKENS = 64


def evaluation_prompt(model_spec, hf_model) -> list[int]:
    if model_spec.kind == "tiny-trained":
        from tt_qwen.checkpoints import held_out_ids

        return held_out_ids(96, seed=3)
    from tt_qwen import zoo

    tokenizer = zoo.load_tokenizer(model_spec)
    return tokenizer(DEFAULT_PROMPT_FILE.read_text())["input_ids"][:128]


def teacher_forcing_scores(tt_model, hf_model, model_spec, prompt, cache_dir) -> dict:
    ref = teacher_forcing.reference_tokens(hf_model, [prompt], NEW_TOKENS, NEW_TOKENS, cache_dir)
    top5, _, _ = teacher_forcing.teacher_force(tt_model, [prompt], ref["tokens"])
    return teacher_forcing.accuracy(top5, ref["tokens"], ref["hf_top5"])


@pytest.mark.model_kinds("tiny-trained", "pretrained")
@pytest.mark.parametrize("mlp_dtype", ["bfloat16", "bfloat8_b"], ids=["bf16", "bfp8-mlp"])
def test_teacher_forcing_accuracy_meets_the_floor(model_spec, hf_model, build_tt, needs_numbers, reference_cache, record_property, mlp_dtype):
    prompt = evaluation_prompt(model_spec, hf_model)
    tt_model = build_tt(hf_model, len(prompt) + NEW_TOKENS, mlp_dtype=mlp_dtype)
    scores = teacher_forcing_scores(tt_model, hf_model, model_spec, prompt, reference_cache)
    for name in ("top1", "top5", "top5_tt_in_hf", "first_mismatch"):
        record_property(name, scores[name])
    for metric, floor in accuracy_floors(model_spec.name).items():
        assert scores[metric] >= floor, f"{metric} {scores[metric]:.4f} is below the floor {floor} (first mismatch at step {scores['first_mismatch']})"


def test_accuracy_conventions_on_a_known_case():
    """top5 counts HF's token in TT's top 5; top5_tt_in_hf counts TT's argmax in HF's top 5."""
    ref_tokens = torch.tensor([[1, 2, 3, 4]])
    tt_top5 = torch.tensor([[[1, 9, 9, 9, 9], [9, 2, 8, 8, 8], [7, 6, 5, 4, 0], [4, 0, 0, 0, 0]]])
    hf_top5 = torch.tensor([[[1, 0, 0, 0, 0], [2, 9, 0, 0, 0], [3, 0, 0, 0, 0], [4, 0, 0, 0, 0]]])
    scores = teacher_forcing.accuracy(tt_top5, ref_tokens, hf_top5)
    assert scores == {"top1": 0.5, "top5": 0.75, "top5_tt_in_hf": 0.75, "first_mismatch": 1, "first_mismatch_user": 0,
                      "agreement": [[1, 0, 0, 1]]}


def test_first_mismatch_is_the_earliest_step_over_all_users():
    """User 0 goes wrong at step 3, user 1 at step 1: the first mismatch is step 1, user 1."""
    ref_tokens = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
    tt_argmax = torch.tensor([[1, 2, 3, 0], [5, 0, 7, 0]])
    tt_top5 = torch.stack([tt_argmax] * 5, dim=-1)
    scores = teacher_forcing.accuracy(tt_top5, ref_tokens, tt_top5)
    assert (scores["first_mismatch"], scores["first_mismatch_user"]) == (1, 1)
    assert scores["agreement"] == [[1, 1, 1, 0], [1, 0, 1, 0]]
