"""`ttnn.experimental`: the experimental ops the bring-up uses."""

import sys

from . import api, golden
from .ops.heads import nlp_concat_heads, nlp_concat_heads_decode, nlp_create_qkv_heads, nlp_create_qkv_heads_decode
from .ops.kv_cache import paged_fill_cache, paged_update_cache
from .ops.rotary import rotary_embedding

__all__ = ["nlp_concat_heads", "nlp_concat_heads_decode", "nlp_create_qkv_heads", "nlp_create_qkv_heads_decode",
           "paged_fill_cache", "paged_update_cache", "rotary_embedding"]

api.install(sys.modules[__name__], "experimental.")
golden.attach(sys.modules[__name__], "experimental.")
