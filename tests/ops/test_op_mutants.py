"""The op cases can fail: a host op broken on purpose, one per family the op tier gained in issue 9
(layer_norm, split_query_key_value_and_split_heads, paged_scaled_dot_product_attention_decode), is
caught by those cases' numbers check, naming the case."""

import pytest
import torch

from tests.ops.cases import CASES_BY_ID
from tests.ops.helpers import check_numbers


@pytest.fixture
def host(backend):
    if backend.name != "host":
        pytest.skip(f"the mutants break host ops; this run's backend is {backend.name}")
    return backend.ttnn


def _caught(case_id, ttnn, device):
    with pytest.raises(AssertionError, match=case_id):
        check_numbers(CASES_BY_ID[case_id], ttnn, device)


def test_layer_norm_that_forgets_the_mean_is_caught(host, device, monkeypatch):
    """rms_norm in place of layer_norm: right for zero-mean rows only; the cases' rows have mean 3."""
    def no_centring(x, *, epsilon=1e-12, weight=None, bias=None, **kwargs):
        out = host.rms_norm(x, epsilon=epsilon, weight=weight, **kwargs)
        return out if bias is None else host.add(out, bias)

    monkeypatch.setattr(host, "layer_norm", no_centring)
    _caught("layer_norm-hidden-1x1x32x1024-eps1e-05-w_tile-bias", host, device)


def test_split_heads_that_swaps_k_and_v_is_caught(host, device, monkeypatch):
    real = host.transformer.split_query_key_value_and_split_heads

    def swapped(*args, **kwargs):
        q, k, v = real(*args, **kwargs)
        return q, v, k

    monkeypatch.setattr(host.transformer, "split_query_key_value_and_split_heads", swapped)
    _caught("split_qkv_heads-b1-seq32-nh16-nkv8-hd128-k", host, device)


def test_paged_decode_that_ignores_the_page_table_is_caught(host, device, monkeypatch):
    """Reading each user's blocks in storage order instead of through the (shuffled) page table."""
    real = host.transformer.paged_scaled_dot_product_attention_decode

    def unpaged(q, k, v, page_table, **kwargs):
        users, blocks = page_table.shape
        in_order = torch.arange(users * blocks, dtype=torch.int32).reshape(users, blocks)
        return real(q, k, v, host.from_torch(in_order, dtype=host.int32, device=page_table.device()), **kwargs)

    monkeypatch.setattr(host.transformer, "paged_scaled_dot_product_attention_decode", unpaged)
    _caught("paged_sdpa_decode-b2-pos5_100-block32x4-nqh16-nkv8-hd128", host, device)
