"""Bad --backend / --model values and an untested transformers: one clear line, no traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tt_qwen import zoo

ROOT = Path(__file__).parent.parent


def _pytest(*args, env=None, collect_only=True):
    command = [sys.executable, "-m", "pytest", *(["--collect-only"] if collect_only else []), "-q", "-p", "no:cacheprovider", *args]
    environment = {key: value for key, value in os.environ.items() if key != "HF_MODEL"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**environment, **(env or {})})
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("args, message", [
    (["--backend", "gpu"], "unknown backend 'gpu' (from --backend); choose one of auto, host, mock, device"),
    (["--model", "llama-7b"], "--model llama-7b: unknown model; use one of tiny,"),
    (["--model", "/nonexistent/ckpt"], "--model /nonexistent/ckpt: no such folder"),
    (["--model", "tests"], "--model tests: no config.json in tests"),
], ids=["unknown-backend", "unknown-model", "model-path-missing", "model-path-without-config"])
def test_bad_option_is_one_line(args, message):
    code, output = _pytest("tests/test_thresholds.py", *args)
    assert code == 4, output  # pytest's usage error
    assert f"ERROR: {message}" in output and "Traceback" not in output, output


def test_untested_transformers_is_refused(monkeypatch):
    import transformers

    monkeypatch.setattr(transformers, "__version__", "4.40.0")
    with pytest.raises(zoo.ModelUnavailable, match=r"transformers 4.40.0 is outside the tested range >=5.23,<5.25"):
        zoo.check_transformers_version()


def test_real_checkpoint_absent_from_the_cache_is_named(monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))  # an empty cache, even on a runner
    with pytest.raises(zoo.ModelUnavailable, match=r"Qwen/Qwen3-0.6B: not in the local Hugging Face cache"):
        zoo.load_hf_model(zoo.resolve("Qwen/Qwen3-0.6B")[0])


def test_collection_shows_tiers_and_readable_ids():
    code, output = _pytest("tests/layers/test_attention.py", "--backend", "host")
    assert code == 0, output
    assert "test_attention_decode_matches_hf[qwen3-0.6b-1layer-decode-pos32-bf16]" in output


# ---- the model-selection rule -------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    """A Qwen3 checkpoint folder (kind "pretrained", slow-marked unless named)."""
    folder = tmp_path_factory.mktemp("ckpt") / "tiny-ckpt"
    zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0]).save_pretrained(folder)
    return folder


def test_uncached_hf_model_fails_naming_the_model_and_the_variable(tmp_path):
    code, output = _pytest("tests/model/test_logits.py", env={"HF_MODEL": "nobody/uncached-model", "HF_HUB_CACHE": str(tmp_path)})
    assert code == 4, output
    assert "ERROR: HF_MODEL nobody/uncached-model: not in the local Hugging Face cache" in output, output


def test_non_qwen3_checkpoint_is_refused_before_anything_loads(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 64}))
    code, output = _pytest("tests/model/test_logits.py", "--model", str(tmp_path))
    assert code == 4, output
    assert f"ERROR: --model {tmp_path}: model_type 'llama' is not supported" in output, output


def test_named_checkpoint_runs_its_slow_marked_tests(tiny_checkpoint):
    """Without a name its tests are slow-marked and the default tier deselects them; named, they run."""
    code, output = _pytest("tests/model/test_logits.py", "--model", str(tiny_checkpoint))
    assert code == 0 and "9 tests collected" in output and "deselected" not in output, output
    code, output = _pytest("tests/model/test_logits.py", "-k", "prefill-seq33-bf16 and logits_match",
                           env={"HF_MODEL": str(tiny_checkpoint)}, collect_only=False)
    assert code == 0 and "1 passed" in output, output


def test_session_that_tests_nothing_of_a_named_model_fails():
    code, output = _pytest("tests/model/test_logits.py", "--model", "tiny-gqa2", "-k", "no_such_test", collect_only=False)
    assert code == 1, output
    assert "tt-qwen: FAILED: every test of the model tiny-gqa2 named by --model was skipped or deselected" in output, output


def test_unrun_models_counts_skips_and_deselection_alike():
    from conftest import unrun_requested_models

    collected = {"a": {"t[a-1]", "t[a-2]"}, "b": {"t[b-1]"}, "c": set()}
    assert unrun_requested_models(collected, ran={"t[a-2]"}) == ["b"]  # c had no test collected: nothing to say
    assert unrun_requested_models(collected, ran=set()) == ["a", "b"]
