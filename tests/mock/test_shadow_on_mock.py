"""The op-by-op shadow against the real ttnn 0.81.1: what it needs on a card, checked without one.

On the mock n150 the numbers are zeros (so the entry points refuse it), but everything else is
the real package: its ops are found, every argument the model passes is rebuilt as the host's
equal, and every call's host twin runs. A failure here is a call that on an n150 would be listed
"not compared" instead of judged."""

import pytest
import torch

import tt_qwen.host as host
from tt_qwen import eval as tt_eval
from tt_qwen import zoo
from tt_qwen.shadow import Shadow
from tt_qwen.shadow_host import HostCopier, translate, watched_ops

MODEL_OPS = ("from_torch", "as_tensor", "to_torch", "embedding", "reshape", "slice", "linear", "rms_norm", "add", "mul",
             "to_memory_config", "fill_cache", "experimental.nlp_create_qkv_heads", "experimental.nlp_create_qkv_heads_decode",
             "experimental.rotary_embedding", "experimental.nlp_concat_heads", "experimental.paged_update_cache",
             "transformer.scaled_dot_product_attention", "transformer.scaled_dot_product_attention_decode")


def test_every_op_the_model_calls_is_watched_on_the_real_ttnn(ttnn):
    watched = watched_ops(ttnn)
    assert set(MODEL_OPS) <= set(watched)
    assert "deallocate" not in watched and "open_device" not in watched


def real_and_host_values(ttnn):
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 3))})
    sharded = {"shape": (32, 64), "core_grid": grid, "strategy": ttnn.ShardStrategy.HEIGHT, "use_height_and_width_as_shard_shape": True}
    host_grid = host.CoreRangeSet({host.CoreRange(host.CoreCoord(0, 0), host.CoreCoord(7, 3))})
    host_sharded = {**sharded, "core_grid": host_grid, "strategy": host.ShardStrategy.HEIGHT}
    kernel = {"math_fidelity": "HiFi4", "math_approx_mode": False, "fp32_dest_acc_en": True, "packer_l1_acc": True}
    return {
        "dtype": (ttnn.bfloat8_b, host.bfloat8_b),
        "layout": (ttnn.TILE_LAYOUT, host.TILE_LAYOUT),
        "dram": (ttnn.DRAM_MEMORY_CONFIG, host.DRAM_MEMORY_CONFIG),
        "l1-height-sharded-no-spec": (ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG, host.L1_HEIGHT_SHARDED_MEMORY_CONFIG),
        "height-sharded-32-cores": (ttnn.create_sharded_memory_config(**sharded), host.create_sharded_memory_config(**host_sharded)),
        "compute-kernel-config": (
            ttnn.WormholeComputeKernelConfig(**{**kernel, "math_fidelity": ttnn.MathFidelity.HiFi4}),
            host.WormholeComputeKernelConfig(**{**kernel, "math_fidelity": host.MathFidelity.HiFi4})),
    }


@pytest.mark.parametrize("name", ["dtype", "layout", "dram", "l1-height-sharded-no-spec", "height-sharded-32-cores", "compute-kernel-config"])
def test_real_arguments_are_rebuilt_as_the_hosts_equal(ttnn, name):
    real, expected = real_and_host_values(ttnn)[name]
    assert translate(real) == expected


def test_a_host_storage_tensor_of_the_real_ttnn_is_copied_value_for_value(ttnn):
    values = torch.randn(3, 40, 70)
    real = ttnn.from_torch(values, dtype=ttnn.bfloat8_b, layout=ttnn.TILE_LAYOUT)
    device = host.Device(0, l1_small_size=0, trace_region_size=0)
    copied = HostCopier(ttnn.to_torch, device).copy(real)
    assert (copied.dtype, copied.layout, list(copied.shape)) == (host.bfloat8_b, host.TILE_LAYOUT, [3, 40, 70])
    assert torch.equal(host.to_torch(copied), ttnn.to_torch(real))


def test_every_call_of_the_model_gets_a_host_twin_that_runs(ttnn, device):
    """Prefill and a 32-user decode of a tiny model under the shadow on the mock device: zeros come
    back, so every op is below its threshold; but none is "not compared" (except to_torch)."""
    from tt_qwen import build_model

    hf_model = zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0])
    with Shadow(ttnn, "mock") as shadow:
        model = build_model(hf_model, device, 128)
        shadow.attach(model)
        model.prefill(torch.arange(40) % hf_model.config.vocab_size, last_token_only=True)
        model.decode(torch.arange(32) % hf_model.config.vocab_size, [40] * 32)
    model.release()
    report = shadow.report
    not_compared = [c.line() for c in report.calls if c.status == "not compared" and c.op != "to_torch"]
    assert not not_compared, "\n".join(not_compared)
    assert {c.op for c in report.calls} >= set(MODEL_OPS) - {"as_tensor"}
    assert {(c.layer, c.mode) for c in report.calls if c.layer is not None} >= {(0, "prefill"), (1, "decode")}


def test_eval_compare_ops_refuses_the_mock_backend_in_one_line(capsys, tmp_path):
    code = tt_eval.main(["--model", "tiny-trained", "--backend", "mock", "--compare-ops",
                         "--report_dir", str(tmp_path), "--cache_dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("tt_qwen.eval: error: --compare-ops: the mock backend returns zeros"), line
