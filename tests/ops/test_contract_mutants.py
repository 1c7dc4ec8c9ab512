"""The contract cases of issue 10 can fail: each host rule they pin (norm program configs, a
ROW_MAJOR layer_norm, split heads whose head size is not whole tiles) broken on purpose, mostly by
restoring the host's former behaviour, is caught by those cases' spec or refusal check."""

import pytest
import torch

from tests.ops.cases import CASES_BY_ID, REFUSAL_CASES
from tests.ops.helpers import check_refusal, check_specs
from tt_qwen.host.ops import heads as host_heads
from tt_qwen.host.ops import norm as host_norm

REFUSALS_BY_ID = {c.id: c for c in REFUSAL_CASES}
PC_DEFAULT = "rms_norm-hidden-1x1x32x1024-eps1e-06-w_tile-pc_default"
PC_INPLACE = ("rms_norm-hidden-1x1x32x1024-eps1e-06-w_tile-width_sharded32_shard32x32"
              "-pc_sharded_grid8x4_block1x1_sub1_inplace")
LAYER_NORM_ROW_MAJOR = "layer_norm-hidden-1x1x32x1024-eps1e-05-w_tile-bias-row_major"
ODD_HEADS_KV_INPUT = "create_qkv_heads-seq32-nh2-nkv1-width192-k-kv_input"


@pytest.fixture
def host(backend):
    if backend.name != "host":
        pytest.skip(f"the mutants break host ops; this run's backend is {backend.name}")
    return backend.ttnn


def _wrap(monkeypatch, namespace, name, make):
    monkeypatch.setattr(namespace, name, make(getattr(namespace, name)))


def _spec_caught(case_id, host, device):
    with pytest.raises((AssertionError, RuntimeError)):
        check_specs(CASES_BY_ID[case_id], host, device)


def _refusal_lost(case_id, host, device):
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        check_refusal(REFUSALS_BY_ID[case_id], host, device)


def test_norm_program_config_refused_again_is_caught(host, device, monkeypatch):
    def refusing(real):
        def call(x, **kwargs):
            if kwargs.get("program_config") is not None:
                raise RuntimeError("TT_FATAL @ ttnn.rms_norm: host backend: program_config is not implemented")
            return real(x, **kwargs)
        return call

    _wrap(monkeypatch, host, "rms_norm", refusing)
    _spec_caught(PC_DEFAULT, host, device)


def test_rms_norm_taking_welford_is_caught(host, device, monkeypatch):
    def welford_dropped(real):
        def call(x, *, program_config=None, **kwargs):
            return real(x, **kwargs)  # the config, and its use_welford, silently ignored
        return call

    _wrap(monkeypatch, host, "rms_norm", welford_dropped)
    _refusal_lost("rms_norm-pc_default_use_welford", host, device)


def test_sharded_blocks_left_unchecked_is_caught(host, device, monkeypatch):
    monkeypatch.setattr(host_norm, "_check_blocks", lambda op, pc, x: None)
    _refusal_lost("rms_norm-width_sharded32-pc_sharded_block1x2", host, device)


def test_inplace_norm_into_a_new_buffer_is_caught(host, device, monkeypatch):
    """inplace=True must leave the result in the input tensor (0.81.1 returns the input's buffer)."""
    case = CASES_BY_ID[PC_INPLACE]

    def input_keeps_the_result():
        captured = {}
        real = host.rms_norm

        def spy(x, **kwargs):
            captured["x"] = x
            return real(x, **kwargs)
        monkeypatch.setattr(host, "rms_norm", spy)
        out = case.run(host, device)
        monkeypatch.setattr(host, "rms_norm", real)
        assert torch.equal(host.to_torch(captured["x"]), host.to_torch(out)), "inplace rms_norm left its input as it was"

    input_keeps_the_result()
    monkeypatch.setattr(host_norm, "_in_place", lambda x, y: host_norm.output(y, x.dtype, x, x.memory_config()))
    with pytest.raises(AssertionError, match="left its input"):
        input_keeps_the_result()


def test_layer_norm_row_major_refused_again_is_caught(host, device, monkeypatch):
    def refusing(real):
        def call(x, **kwargs):
            if x.layout == host.ROW_MAJOR_LAYOUT:
                raise RuntimeError("TT_FATAL @ ttnn.layer_norm: ttnn::layer_norm does not support ROW_MAJOR input")
            return real(x, **kwargs)
        return call

    _wrap(monkeypatch, host, "layer_norm", refusing)
    _spec_caught(LAYER_NORM_ROW_MAJOR, host, device)


def test_layer_norm_row_major_returned_tiled_is_caught(host, device, monkeypatch):
    _wrap(monkeypatch, host, "layer_norm", lambda real: lambda x, **kw: host.to_layout(real(x, **kw), host.TILE_LAYOUT))
    _spec_caught(LAYER_NORM_ROW_MAJOR, host, device)


def test_split_heads_taking_a_partial_tile_head_is_caught(host, device, monkeypatch):
    monkeypatch.setattr(host_heads, "_check_split_head_size", lambda *args: None)
    _refusal_lost("split_qkv_heads-width4000-nh16-nkv8", host, device)


def test_create_heads_kv_input_with_unpadded_head_dim_is_caught(host, device, monkeypatch):
    """The host's former kv_input rule: head_dim = width / heads, not rounded up to a tile."""
    real = host_heads._head_dims

    def unpadded(op, x, kv, heads, kv_heads):
        inferred, padded = real(op, x, kv, heads, kv_heads)
        return inferred, (inferred if kv is not None else padded)

    monkeypatch.setattr(host_heads, "_head_dims", unpadded)
    _spec_caught(ODD_HEADS_KV_INPUT, host, device)



def test_create_heads_kv_input_left_unchecked_is_caught(host, device, monkeypatch):
    """The host's former kv_input path checked dtype only: a KV input of another length passed."""
    monkeypatch.setattr(host_heads, "_check_kv_input", lambda op, q, kv: None)
    _refusal_lost("create_qkv_heads-kv_input_seq64_vs_32", host, device)
