"""`ttnn.transformer`: attention ops."""

import sys

from . import api, golden
from .ops.attention import (chunked_scaled_dot_product_attention, paged_scaled_dot_product_attention_decode,
                            scaled_dot_product_attention, scaled_dot_product_attention_decode)
from .ops.heads import split_query_key_value_and_split_heads

__all__ = ["chunked_scaled_dot_product_attention", "paged_scaled_dot_product_attention_decode",
           "scaled_dot_product_attention", "scaled_dot_product_attention_decode",
           "split_query_key_value_and_split_heads"]

api.install(sys.modules[__name__], "transformer.")
golden.attach(sys.modules[__name__], "transformer.")
