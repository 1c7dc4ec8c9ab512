"""Bad input gets a clear error naming the value and the limit, before any device work.
The checks do not depend on the model's size, so they run once, on one tiny config."""

import pytest
import torch

from tt_qwen import zoo
from tt_qwen.model.config import UnsupportedModel


@pytest.fixture(scope="module")
def hf_model():
    return zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0])


@pytest.fixture
def small_model(build_tt, hf_model):
    return build_tt(hf_model, 64)


def test_prompt_longer_than_the_cache(small_model):
    with pytest.raises(ValueError, match=r"65 cache positions, more than max_seq_len 64"):
        small_model.prefill(torch.zeros(65, dtype=torch.long))


def test_decode_past_the_cache(small_model):
    with pytest.raises(ValueError, match=r"position 64 needs 65 cache positions, more than max_seq_len 64"):
        small_model.decode(torch.tensor([1]), [64])


def test_empty_prompt(small_model):
    with pytest.raises(ValueError, match=r"empty"):
        small_model.prefill(torch.tensor([], dtype=torch.long))


def test_token_outside_the_vocabulary(small_model, hf_model):
    vocab = hf_model.config.vocab_size
    with pytest.raises(ValueError, match=rf"token id {vocab} is outside the vocabulary 0..{vocab - 1}"):
        small_model.prefill(torch.tensor([1, vocab]))
    with pytest.raises(ValueError, match=r"token id -1 is outside"):
        small_model.decode(torch.tensor([-1]), [0])


def test_batch_over_32(small_model):
    with pytest.raises(ValueError, match=r"batch 33 is over max_batch_size 32"):
        small_model(torch.zeros(33, 4, dtype=torch.long))


def test_user_outside_the_cache(small_model):
    with pytest.raises(ValueError, match=r"user 32 is outside the KV cache's batch 0..31"):
        small_model.prefill(torch.tensor([1, 2]), user=32)


def test_cache_that_cannot_fit_an_n150_is_refused_before_allocating(backend):
    from transformers import Qwen3Config

    from tt_qwen import build_model
    from tt_qwen.zoo import QWEN3_0_6B_CONFIG

    config = Qwen3Config(**{**QWEN3_0_6B_CONFIG, "num_hidden_layers": 1, "vocab_size": 512})
    config.num_hidden_layers = 28  # the real depth, for the size check; weights are never built
    with pytest.raises(MemoryError, match=r"KV cache \(and RoPE tables\) for batch 32 x max_seq_len 40960 need .* GiB"):
        build_model(_Stub(config), backend.device, 40960)


def test_non_qwen3_config_is_refused(backend):
    from transformers import LlamaConfig

    from tt_qwen import build_model

    with pytest.raises(UnsupportedModel, match=r"model_type 'llama'"):
        build_model(_Stub(LlamaConfig()), backend.device, 64)


class _Stub:
    """Just enough of an HF model for build_model's checks, which run before any weight is read."""

    def __init__(self, config):
        self.config = config
        self.generation_config = None
