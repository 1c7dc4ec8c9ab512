"""`ttnn.kv_cache`: the cache ops under their kv_cache names."""

import sys

from . import api, golden
from .ops import kv_cache as _ops


def fill_cache_for_user_(cache, input, batch_index, *, update_idx=0):
    return _ops.fill_cache(cache, input, batch_index, update_idx=update_idx)


def update_cache_for_token_(cache, input, update_index, batch_offset=0, compute_kernel_config=None):
    return _ops.update_cache(cache, input, update_index, batch_offset=batch_offset)


__all__ = ["fill_cache_for_user_", "update_cache_for_token_"]

api.install(sys.modules[__name__], "kv_cache.")
golden.attach(sys.modules[__name__], "kv_cache.")
