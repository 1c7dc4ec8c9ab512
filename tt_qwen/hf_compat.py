"""transformers is renaming `past_key_values` to `cache`: 5.23 knows only the old name, 5.24
takes both (and warns on the old one), 5.40 drops it. Every place that passes or reads the cache
of an HF-style forward goes through these helpers, so the suite works on both sides."""

from __future__ import annotations

import dataclasses

from transformers.modeling_outputs import CausalLMOutputWithPast

CACHE_NAME = "cache" if "cache" in {f.name for f in dataclasses.fields(CausalLMOutputWithPast)} else "past_key_values"


def lm_output(logits, cache) -> CausalLMOutputWithPast:
    """CausalLMOutputWithPast(logits=..., past_key_values=...) under this release's field name."""
    return CausalLMOutputWithPast(logits=logits, **{CACHE_NAME: cache})


def cache_of(output):
    return getattr(output, CACHE_NAME)


def cache_kwargs(cache) -> dict:
    """Keyword arguments handing `cache` to an HF-style forward."""
    return {CACHE_NAME: cache}


def given_cache(past_key_values, cache):
    """The cache a forward received, under either name."""
    return cache if cache is not None else past_key_values
