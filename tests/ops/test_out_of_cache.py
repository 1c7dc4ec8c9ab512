"""The host backend refuses positions outside the KV cache, naming the value and the user
(tests/ops/cases/out_of_cache.py says why; tests/mock/test_out_of_cache_on_mock.py shows 0.81.1
accepts the same calls)."""

import pytest

from tests.ops.cases.out_of_cache import OUT_OF_CACHE


@pytest.fixture
def host_only(backend):
    if backend.name != "host":
        pytest.skip(f"on {backend.name} these calls are accepted and read or write outside the cache: "
                    f"only the host backend refuses them")


@pytest.mark.parametrize("case", OUT_OF_CACHE, ids=[c.id for c in OUT_OF_CACHE])
def test_a_position_outside_the_cache_is_refused_naming_it(case, host_only, ttnn, device):
    with pytest.raises(RuntimeError, match=case.match):
        case.run(ttnn, device)


def test_a_host_that_clamps_positions_into_the_cache_is_caught(host_only, ttnn, device, monkeypatch):
    """The convenient host: a position past the cache read as its last row, so nothing fails."""
    from tt_qwen.host.ops import attention

    real = attention._decode_positions

    def clamping(op, is_causal, attn_mask, cur_pos, cur_pos_tensor, batch, seq):
        positions, mask = real(op, is_causal, attn_mask, [0] * batch, None, batch, seq)
        values = cur_pos_tensor.values().reshape(-1).tolist()[:batch] if cur_pos_tensor is not None else cur_pos
        return [min(max(int(p), -1), seq - 1) for p in values], mask

    monkeypatch.setattr(attention, "_decode_positions", clamping)
    for case in OUT_OF_CACHE:
        if "sdpa_decode" in case.op:
            with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
                test_a_position_outside_the_cache_is_refused_naming_it(case, None, ttnn, device)
