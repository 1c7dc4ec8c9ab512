"""The op-by-op shadow (tt_qwen/shadow.py): a self-check on the host backend, and proof that it
names the op that goes wrong. Faults are patched into the ops the *model* calls; the shadow's
host twins stay the genuine ones, as on a card, where the device is wrong and the host is not."""

import pytest
import torch

import tt_qwen.host as host
from tt_qwen import zoo
from tt_qwen.shadow import Shadow
from tt_qwen.shadow_host import HOST_TWINS

MAX_SEQ_LEN = 128
PROMPT = 50  # padded to 64 rows: the rotation fault below hits rows 40..63


@pytest.fixture(scope="module")
def trained():
    return zoo.load_hf_model(zoo.resolve("tiny-trained")[0])


@pytest.fixture
def model(build_tt, trained, needs_numbers):
    return build_tt(trained, MAX_SEQ_LEN)


def prompt(length=PROMPT):
    return torch.arange(length) * 7 % 384


def run_shadowed(ttnn, model, decode_steps=0):
    with Shadow(ttnn) as shadow:
        shadow.attach(model)
        logits = model.prefill(prompt(), last_token_only=True)
        for step in range(decode_steps):
            logits = model.decode(torch.tensor([step + 1]), [PROMPT + step])
    return shadow.report, logits


# ---- self-check --------------------------------------------------------------------------------

def test_every_op_of_a_prefill_and_decode_compares_within_its_threshold(ttnn, backend, model):
    report, _ = run_shadowed(ttnn, model, decode_steps=2)
    compared = [c for c in report.calls if c.status != "not compared"]
    assert report.first_divergence() is None, report.text()
    assert {c.op for c in report.calls if c.status == "not compared"} == {"to_torch"}
    assert {c.layer for c in compared} == {0, 1} and {c.mode for c in compared} == {"prefill", "decode"}
    if backend.name == "host":  # the host against itself: identical, op by op
        assert all(c.pcc == 1.0 and c.max_abs_error == 0.0 for c in compared), report.text()


def test_the_shadow_changes_nothing_the_model_computes_and_unwraps_on_exit(ttnn, model):
    linear = ttnn.linear
    plain = model.prefill(prompt(), last_token_only=True)
    _, shadowed = run_shadowed(ttnn, model)
    assert torch.equal(plain, shadowed)
    assert ttnn.linear is linear and model.layer_observer is None


def test_the_last_tile_final_norm_and_lm_head_are_after_the_last_layer(ttnn, model):
    report, _ = run_shadowed(ttnn, model)
    tail = [c for c in report.calls if c.after_last_layer]
    assert [c.op for c in tail] == ["slice", "rms_norm", "linear", "to_torch"] and {c.layer for c in tail} == {1}
    assert report.calls[0].op == "from_torch" and report.calls[0].layer == 0  # the pass's token ids


# ---- faults: the report names exactly the faulty call first, with its layer ---------------------

def _like(values, tensor):
    """`values` as a host tensor of `tensor`'s dtype, layout, device and memory config."""
    return host.from_torch(values, dtype=tensor.dtype, layout=tensor.layout, device=tensor.device(),
                           memory_config=tensor.memory_config())


def rotation_skipped_past_row(row):
    """Prefill RoPE that leaves rows (positions) from `row` on unrotated."""
    genuine = HOST_TWINS["experimental.rotary_embedding"]

    def faulty(x, cos, sin, *args, **kwargs):
        out = host.to_torch(genuine(x, cos, sin, *args, **kwargs)).float()
        out[..., row:, :] = host.to_torch(x).float()[..., row:, :]
        return _like(out, x)

    return faulty


def attention_skipping_own_position():
    """Decode SDPA that attends to positions before the current one only."""
    genuine = HOST_TWINS["transformer.scaled_dot_product_attention_decode"]

    def faulty(q, k, v, *args, cur_pos_tensor, **kwargs):
        positions = host.to_torch(cur_pos_tensor).to(torch.int64)
        earlier = torch.where(positions > 0, positions - 1, positions).to(torch.int32)
        return genuine(q, k, v, *args, cur_pos_tensor=_like(earlier, cur_pos_tensor), **kwargs)

    return faulty


def cache_write_into_the_next_user():
    """Decode KV write that puts user u's position on user u + 1 (user 0's row is never written)."""
    genuine = HOST_TWINS["experimental.paged_update_cache"]

    def faulty(cache, x, *args, update_idxs_tensor, **kwargs):
        positions = torch.roll(host.to_torch(update_idxs_tensor), 1)
        return genuine(cache, x, *args, update_idxs_tensor=_like(positions, update_idxs_tensor), **kwargs)

    return faulty


def from_call(number, faulty, genuine):
    """`faulty` from the op's `number`-th call on (1-based), `genuine` before: one layer onwards."""
    calls = [0]

    def call(*args, **kwargs):
        calls[0] += 1
        return (faulty if calls[0] >= number else genuine)(*args, **kwargs)

    return call


FAULTS = [
    # (id, op path, fault, from its n-th call, decode steps, expected layer and mode)
    ("prefill-rope-unrotated-past-row40-from-layer1", "experimental.rotary_embedding", rotation_skipped_past_row(40), 3, 0, 1, "prefill"),
    ("decode-sdpa-skips-own-position-from-layer0", "transformer.scaled_dot_product_attention_decode", attention_skipping_own_position(), 1, 1, 0, "decode"),
    ("decode-kv-write-into-next-user-from-layer1", "experimental.paged_update_cache", cache_write_into_the_next_user(), 3, 1, 1, "decode"),
]


@pytest.mark.parametrize("path, fault, number, steps, layer, mode", [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_a_fault_in_one_op_is_named_first_with_its_layer(ttnn, backend, model, monkeypatch, path, fault, number, steps, layer, mode):
    if backend.name != "host":
        pytest.skip("the faults are patched into host ops: host backend only")
    owner_path, _, name = path.rpartition(".")
    owner = getattr(ttnn, owner_path) if owner_path else ttnn
    monkeypatch.setattr(owner, name, from_call(number, fault, HOST_TWINS[path]))
    report, _ = run_shadowed(ttnn, model, decode_steps=steps)
    faulty_call = [c for c in report.calls if c.op == path][number - 1]
    first = report.first_divergence()
    assert first is faulty_call, report.text()
    assert (first.layer, first.mode) == (layer, mode)
    # Each call gets the run's own inputs, so nothing downstream of the fault diverges.
    assert {c.op for c in report.calls if c.status == "below"} == {path}
    assert f"first op below its threshold: #{first.index} " in report.summary()


# ---- what it cannot compare is listed, with why --------------------------------------------------

class FastOperation:
    """How the real ttnn registers an op (ttnn.decorators.FastOperation): here one the host lacks."""

    def __init__(self, function):
        self.function = function

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)


def test_an_op_the_host_lacks_is_listed_not_compared_with_the_reason(ttnn, device, monkeypatch, needs_numbers):
    monkeypatch.setattr(ttnn.experimental, "device_only_fused_op", FastOperation(lambda x: x), raising=False)
    x = ttnn.from_torch(torch.ones(32, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with Shadow(ttnn) as shadow:
        ttnn.experimental.device_only_fused_op(x)
    (call,) = shadow.report.calls
    assert (call.op, call.status, call.reason) == ("experimental.device_only_fused_op", "not compared",
                                                   "tt_qwen.host has no ttnn.experimental.device_only_fused_op")
    assert "1 not compared" in shadow.report.summary()


def test_an_observer_the_model_already_has_still_sees_every_layer(ttnn, model):
    seen = []

    def owners(index, mode, x):
        seen.append((index, mode))

    model.layer_observer = owners
    try:
        report, _ = run_shadowed(ttnn, model)
        assert seen == [(0, "prefill"), (1, "prefill")] and {c.layer for c in report.calls} == {0, 1}
        assert model.layer_observer is owners  # given back on exit
    finally:
        model.layer_observer = None
