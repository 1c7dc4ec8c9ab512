"""Bad --backend / --model values and an untested transformers: one clear line, no traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from tt_qwen import models

ROOT = Path(__file__).parent.parent


def _pytest(*args):
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("args, message", [
    (["--backend", "gpu"], "unknown backend 'gpu' (from --backend); choose one of auto, host, mock, device"),
    (["--model", "llama-7b"], "--model llama-7b: unknown model; use one of tiny,"),
    (["--model", "/nonexistent/ckpt"], "--model /nonexistent/ckpt: no config.json in /nonexistent/ckpt"),
], ids=["unknown-backend", "unknown-model", "model-path-without-config"])
def test_bad_option_is_one_line(args, message):
    code, output = _pytest("tests/test_thresholds.py", *args)
    assert code == 4, output  # pytest's usage error
    assert f"ERROR: {message}" in output and "Traceback" not in output, output


def test_untested_transformers_is_refused(monkeypatch):
    import transformers

    monkeypatch.setattr(transformers, "__version__", "4.40.0")
    with pytest.raises(models.ModelUnavailable, match=r"transformers 4.40.0 is outside the tested range >=5.23,<5.25"):
        models.check_transformers_version()


def test_real_checkpoint_absent_from_the_cache_is_named(monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))  # an empty cache, even on a runner
    with pytest.raises(models.ModelUnavailable, match=r"Qwen/Qwen3-0.6B is not in the local Hugging Face cache"):
        models.load_hf_model(models.resolve("Qwen/Qwen3-0.6B")[0])


def test_collection_shows_tiers_and_readable_ids():
    code, output = _pytest("tests/layers/test_attention.py", "--backend", "host")
    assert code == 0, output
    assert "test_attention_decode_matches_hf[qwen3-0.6b-1layer-decode-pos32-bf16]" in output
