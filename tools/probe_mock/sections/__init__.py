"""One module per op family; each section is a function `(rec, device) -> None` that records calls.

The registry is data (module and function names), so the parent process can list and order the
sections without importing ttnn: only the child that runs a section imports its module, after the
mock environment is prepared.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    module: str  # tools.probe_mock.sections.<module>
    function: str
    needs_device: bool
    title: str  # the doc's heading


SECTIONS = {
    "host": Section("host", "sec_host", False, "Host-only facts (no device)"),
    "device": Section("device", "sec_device", True, "Device, memory and program cache"),
    "embedding": Section("embedding", "sec_embedding", True, "ttnn.embedding"),
    "linear": Section("matmul", "sec_linear", True, "ttnn.linear / matmul"),
    "rms_norm": Section("norm", "sec_rms_norm", True, "ttnn.rms_norm"),
    "eltwise": Section("eltwise", "sec_eltwise", True, "add / mul / silu / softmax / argmax"),
    "create_heads": Section("heads", "sec_create_heads", True, "ttnn.experimental.nlp_create_qkv_heads (prefill)"),
    "create_heads_decode": Section("heads", "sec_create_heads_decode", True,
                                   "ttnn.experimental.nlp_create_qkv_heads_decode"),
    "rotary": Section("rotary", "sec_rotary", True, "ttnn.experimental.rotary_embedding"),
    "concat_heads": Section("heads", "sec_concat_heads", True, "nlp_concat_heads / nlp_concat_heads_decode"),
    "sdpa": Section("attention", "sec_sdpa", True, "ttnn.transformer.scaled_dot_product_attention (prefill)"),
    "sdpa_decode": Section("attention", "sec_sdpa_decode", True,
                           "ttnn.transformer.scaled_dot_product_attention_decode"),
    "fill_cache": Section("kv_cache", "sec_fill_cache", True, "ttnn.fill_cache (and its grid limit)"),
    "update_cache": Section("kv_cache", "sec_update_cache", True, "ttnn.update_cache"),
    "paged_update_cache": Section("kv_cache", "sec_paged_update", True, "ttnn.experimental.paged_update_cache"),
    "paged_fill_cache": Section("kv_cache", "sec_paged_fill", True, "ttnn.experimental.paged_fill_cache"),
    "data_movement": Section("data_movement", "sec_data_movement", True,
                             "reshape / slice / concat / transpose / permute / typecast / pad / to_layout / to_memory_config"),
    "trace": Section("trace", "sec_trace", True, "Trace capture and replay (begin/end/execute/release_trace)"),
    "norm_program_configs": Section("contracts", "sec_norm_program_configs", True,
                                    "rms_norm / layer_norm program configs, sharded and ROW_MAJOR inputs"),
    "odd_heads": Section("contracts", "sec_odd_heads", True, "Split heads with a head size that is not whole tiles"),
    "l1_small": Section("contracts", "sec_l1_small", False, "L1 banks for each l1_small_size"),
}
