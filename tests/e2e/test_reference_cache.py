"""The cached HF reference is keyed on everything that determines it: a changed checkpoint saved
at the same path gets a fresh reference, never the stale one (which would blame the TTNN model)."""

import pytest
import torch
from transformers import Qwen3ForCausalLM

from tt_qwen import teacher_forcing, zoo

PROMPT = [[1, 2, 3, 4, 5, 6]]


@pytest.fixture
def tiny():
    return zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0])


def key(model, prompts=PROMPT, new=4, minimum=4):
    return teacher_forcing.reference_key(model, prompts, new, minimum)


@pytest.mark.parametrize("weight", ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_norm.weight",
                                    "model.layers.1.mlp.up_proj.weight", "model.embed_tokens.weight"],
                         ids=["attention", "qk-norm", "first-layer-mlp", "embedding"])
def test_any_weight_changes_the_key(tiny, weight):
    before = key(tiny)
    with torch.no_grad():
        tiny.get_parameter(weight).view(-1)[0] += 1e-3
    assert key(tiny) != before


def test_config_prompt_settings_and_versions_change_the_key(tiny, monkeypatch):
    import transformers

    before = key(tiny)
    assert key(tiny, prompts=[[1, 2, 3, 4, 5, 7]]) != before
    assert key(tiny, new=5, minimum=5) != before and key(tiny, minimum=0) != before
    tiny.config.rms_norm_eps = 1e-5
    assert key(tiny) != before
    tiny.config.rms_norm_eps = 1e-6
    assert key(tiny) == before  # and nothing else moved it
    monkeypatch.setattr(transformers, "__version__", "5.99.0")
    assert key(tiny) != before


def test_changed_checkpoint_at_the_same_path_gets_a_fresh_reference(tiny, tmp_path, monkeypatch):
    folder, cache = tmp_path / "ckpt", tmp_path / "cache"
    tiny.save_pretrained(folder)
    first = teacher_forcing.reference_tokens(Qwen3ForCausalLM.from_pretrained(folder), PROMPT, 4, 4, cache)
    with torch.no_grad():
        tiny.model.layers[0].self_attn.o_proj.weight.mul_(-1.0)  # attention only: not lm_head, not down_proj
    tiny.save_pretrained(folder)
    changed = Qwen3ForCausalLM.from_pretrained(folder)
    calls = []
    real_generate = Qwen3ForCausalLM.generate
    monkeypatch.setattr(Qwen3ForCausalLM, "generate", lambda self, *a, **k: (calls.append(1), real_generate(self, *a, **k))[1])
    second = teacher_forcing.reference_tokens(changed, PROMPT, 4, 4, cache)
    assert calls, "the changed checkpoint was served the cached reference of the old one"
    assert len(list((cache / "reference").iterdir())) == 2
    expected = changed.generate(torch.tensor(PROMPT), attention_mask=torch.ones(1, 6, dtype=torch.long), do_sample=False,
                                max_new_tokens=4, min_new_tokens=4)[0, 6:]
    assert second["tokens"][0].tolist() == expected.tolist()
    assert first["tokens"].shape == second["tokens"].shape


def test_same_checkpoint_hits_the_cache(tiny, tmp_path, monkeypatch):
    teacher_forcing.reference_tokens(tiny, PROMPT, 4, 4, tmp_path)
    monkeypatch.setattr(Qwen3ForCausalLM, "generate", lambda *a, **k: pytest.fail("the reference ran again"))
    teacher_forcing.reference_tokens(tiny, PROMPT, 4, 4, tmp_path)
