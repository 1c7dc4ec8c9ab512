"""`ttnn.kv_cache`: the cache ops under their kv_cache names."""

from .ops.kv_cache import fill_cache, update_cache


def fill_cache_for_user_(cache, input, batch_index, *, update_idx=0):
    return fill_cache(cache, input, batch_index, update_idx=update_idx)


def update_cache_for_token_(cache, input, update_index, batch_offset=0, compute_kernel_config=None):
    return update_cache(cache, input, update_index, batch_offset=batch_offset)


__all__ = ["fill_cache_for_user_", "update_cache_for_token_"]


def _expose() -> None:
    import sys

    from . import api, golden

    module = sys.modules[__name__]
    api.install(module, "kv_cache.")
    golden.attach(module, "kv_cache.")


_expose()
