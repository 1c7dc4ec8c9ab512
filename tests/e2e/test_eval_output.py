"""What the eval prints: each floor's verdict, the first mismatch with its user, and the decode
roofline only where it means something (full-size dimensions), with the measuring backend."""

from types import SimpleNamespace

from transformers import Qwen3Config

from tt_qwen import eval as tt_eval
from tt_qwen import eval_plan, zoo
from tt_qwen.model.config import Qwen3Dims


def result(**changes):
    fields = dict(mode="tt", backend="host", model="tiny-trained", model_file="tt_qwen", prefill_len=8, decode_len=4, batch=2,
                  trace=False, top1=0.75, top5=1.0, top5_tt_in_hf=1.0, total=8, prefill_seconds=0.1, decode_seconds_per_step=0.01,
                  tokens_per_second_per_user=100.0, first_mismatch=1, first_mismatch_user=1, agreement=[[1, 1, 1, 1], [1, 0, 1, 1]])
    return tt_eval.EvalResult(**{**fields, **changes})


def test_console_gives_each_floor_its_verdict_and_names_the_user(capsys):
    tt_eval.print_result(result())
    out = capsys.readouterr().out
    assert "top1 0.7500  floor 0.95  FAIL" in out and "BELOW FLOOR: top1 0.7500 < 0.95" in out
    assert "top5 1.0000  floor 0.99  pass" in out
    assert "first mismatch at step 1 (user 1)" in out and "measured on host" in out


def model_of(config: dict):
    return SimpleNamespace(dims=Qwen3Dims.from_hf(Qwen3Config(**config)), mlp_dtype="bfloat16")


def plan():
    return SimpleNamespace(prompt_len=128, new_tokens=128, batch=1)


def test_roofline_only_at_full_size_and_named_by_backend():
    tiny = model_of({**zoo.TINY_COMMON, **zoo.TINY_CONFIGS["tiny-gqa2"]})
    assert eval_plan.roofline_at_full_size(tiny, plan(), "host", 2.2) is None
    full = eval_plan.roofline_at_full_size(model_of(zoo.QWEN3_0_6B_CONFIG), plan(), "host", 2.2)
    assert full["measured_on"] == "host" and full["summary"].endswith("(measured on the host backend, not an n150)")
    on_card = eval_plan.roofline_at_full_size(model_of(zoo.QWEN3_0_6B_CONFIG), plan(), "device", 28.0)
    assert on_card["summary"].endswith("(measured on an n150)")
