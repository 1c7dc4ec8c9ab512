"""Positions outside the KV cache, which 0.81.1 accepts and its kernels follow out of bounds.

A position the device reads from a tensor is never checked before the kernel runs: 0.81.1
accepts a cur_pos_tensor or update_idxs_tensor entry of -2 or of the cache length, and its kernels
read (SDPA decode) or write (paged_update_cache) rows past the cache. -1 is the one negative that
skips a user. The host backend refuses each of these naming the value, so a model that computes
such a position fails there instead of reading another tensor's memory on a card.
tests/mock/test_out_of_cache_on_mock.py shows the real package accepts every call listed here.
"""

from __future__ import annotations

from tests.ops.cases.base import RefusalCase
from tests.ops.cases.kv_cache import _r_paged_update
from tests.ops.cases.sdpa import _r_paged_sdpa_decode, _r_sdpa_decode

CACHE_LEN = 256  # the unpaged caches of the helpers; the paged ones hold 4 blocks of 32 per user
PAGED_LEN = 128
OUTSIDE = r"(?i)host backend: .*(cur_pos|update index) {value} of user {user} is (outside the cache|out of bounds)"


def _case(cid: str, op: str, run, value: int, user: int) -> RefusalCase:
    return RefusalCase(cid, op, run, OUTSIDE.format(value=value, user=user))


OUT_OF_CACHE: list[RefusalCase] = [
    _case("sdpa_decode-tensor_pos_m2", "transformer.scaled_dot_product_attention_decode",
          _r_sdpa_decode(pos=(-2,), pos_form="tensor"), -2, 0),
    _case(f"sdpa_decode-tensor_pos{CACHE_LEN}_of_cache{CACHE_LEN}", "transformer.scaled_dot_product_attention_decode",
          _r_sdpa_decode(pos=(CACHE_LEN,), pos_form="tensor"), CACHE_LEN, 0),
    _case("paged_sdpa_decode-pos_m2", "transformer.paged_scaled_dot_product_attention_decode",
          _r_paged_sdpa_decode(positions=(5, -2)), -2, 1),
    _case(f"paged_sdpa_decode-pos{PAGED_LEN}_of_cache{PAGED_LEN}", "transformer.paged_scaled_dot_product_attention_decode",
          _r_paged_sdpa_decode(positions=(5, PAGED_LEN)), PAGED_LEN, 1),
    _case("paged_update_cache-tensor_idx_m2", "experimental.paged_update_cache",
          _r_paged_update(idxs=(-2,), idx_form="tensor"), -2, 0),
    _case(f"paged_update_cache-tensor_idx{CACHE_LEN}_of_cache{CACHE_LEN}", "experimental.paged_update_cache",
          _r_paged_update(idxs=(CACHE_LEN,), idx_form="tensor"), CACHE_LEN, 0),
]
