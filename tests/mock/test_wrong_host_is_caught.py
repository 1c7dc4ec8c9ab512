"""The mock tier can fail: a host backend with a deliberately wrong contract is caught."""

import pytest

from tests.mock.test_op_contracts import test_host_output_spec_equals_the_real_ops as check_output_spec
from tests.mock.test_op_contracts import test_host_refuses_what_the_real_op_refuses as check_refusal
from tests.ops.cases import OP_CASES, REFUSAL_CASES


def _case(cases, op):
    return next(c for c in cases if c.op == op and not getattr(c, "slow", False))


def test_decode_heads_left_interleaved_instead_of_height_sharded_is_caught(ttnn, device, host_backend, monkeypatch):
    host, _ = host_backend
    real_op = host.experimental.nlp_create_qkv_heads_decode

    def wrong(*args, **kwargs):  # one user per core is the contract; this host forgets it
        return tuple(host.to_memory_config(t, host.DRAM_MEMORY_CONFIG) for t in real_op(*args, **kwargs))

    monkeypatch.setattr(host.experimental, "nlp_create_qkv_heads_decode", wrong)
    with pytest.raises(AssertionError, match=r"host .*DRAM INTERLEAVED.* vs real ttnn .*L1 HEIGHT_SHARDED"):
        check_output_spec(_case(OP_CASES, "experimental.nlp_create_qkv_heads_decode"), ttnn, device, host_backend)


def test_a_kinder_host_refusal_is_caught(ttnn, device, host_backend, monkeypatch):
    host, _ = host_backend
    case = _case(REFUSAL_CASES, "fill_cache")
    monkeypatch.setattr(host, "fill_cache", lambda cache, *args, **kwargs: cache)  # accepts anything
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        check_refusal(case, ttnn, device, host_backend)
