"""Bad eval input: one clear line naming the value and the limit, exit 2, and always before the
weights load or the reference runs (here, loading them fails the test)."""

import json
import re

import pytest

from tt_qwen import eval as tt_eval
from tt_qwen import eval_plan, zoo


@pytest.fixture
def nothing_loads(monkeypatch):
    """A check that comes late shows up as this error instead of its own line."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the weights were loaded before the input was checked")

    monkeypatch.setattr(zoo, "load_hf_model", refuse)
    monkeypatch.delenv("HF_MODEL", raising=False)


def error_line(capsys, tmp_path, *args) -> str:
    code = tt_eval.main([*args, "--report_dir", str(tmp_path / "reports"), "--cache_dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    lines = [line for line in err.strip().splitlines() if not line.startswith("[tt_qwen.eval]")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("tt_qwen.eval: error: "), err
    return lines[0][len("tt_qwen.eval: error: "):]


def ids_file(tmp_path, text, name="ids.json"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


TINY = ["--model", "tiny-trained", "--backend", "host"]


@pytest.mark.parametrize("args, message", [
    (["--max_new_tokens", "0"], r"^--max_new_tokens 0: a length must be at least 1$"),
    (["--max_new_tokens", "-5"], r"^--max_new_tokens -5: a length must be at least 1$"),
    (["--mode", "tt", "--decode-len", "0"], r"^--decode-len 0: a length must be at least 1$"),
    (["--max_seq_len", "0"], r"^--max_seq_len 0: a length must be at least 1$"),
    (["--mode", "tt", "--prefill-len", "0"], r"^--prefill-len 0: a length must be at least 1$"),
    (["--max_new_tokens", "8", "--decode-len", "9"], r"--max_new_tokens 8 and --decode-len 9 disagree"),
    (["--min_new_tokens", "9", "--max_new_tokens", "8"], r"--min_new_tokens 9 is outside 0..8"),
    (["--max_seq_len", "64", "--max_new_tokens", "200"], r"is over --max_seq_len 64"),
    (["--batch", "33"], r"--batch 33 is outside 1..32"),
    (["--batch", "0"], r"--batch 0 is outside 1..32"),
    (["--prompt", ""], r"prompt is empty"),
    (["--prompt", "the", "--batch", "4"], r"--batch 4 needs a prompt of at least 4 tokens .*, got 1"),
    (["--trace", "--mode", "hf"], r"^--trace: --mode hf runs no ttnn op to trace; use --mode tt$"),
    (["--prompt_file", "/nonexistent/prompt.txt"], r"--prompt_file /nonexistent/prompt.txt: no such file"),
    (["--baseline", "/nonexistent/base.json"], r"report /nonexistent/base.json does not exist"),
], ids=["max-new-tokens-zero", "max-new-tokens-negative", "decode-len-zero", "max-seq-len-zero", "prefill-len-zero",
        "lengths-disagree", "min-over-max", "prompt-over-max-seq-len", "batch-over-32", "batch-zero", "empty-prompt",
        "prompt-shorter-than-batch", "trace-in-hf-mode", "missing-prompt-file", "missing-baseline"])
def test_bad_setting_is_one_line_before_loading(capsys, tmp_path, nothing_loads, args, message):
    assert re.search(message, error_line(capsys, tmp_path, *TINY, *args))


@pytest.mark.parametrize("text, message", [
    ("[5, 9.7, 1]", r"position 1 holds 9.7, not an integer token id"),
    ("[5, true]", r"position 1 holds true, not an integer token id"),
    ("[5, [6, 7]]", r"position 1 holds \[6, 7\], not an integer token id"),
    ('[5, "6"]', r'position 1 holds "6", not an integer token id'),
    ("5 6 seven", r'position 2 holds "seven", not an integer token id'),
    ("5 6.0", r'position 1 holds "6.0", not an integer token id'),
    ("[5, 6", r"not valid JSON"),
    ("[5, 384]", r"prompt token id 384 at position 1 is outside the vocabulary 0..383"),
    ("[]", r"prompt is empty"),
], ids=["float", "bool", "nested-list", "string", "word", "float-word", "not-json", "outside-vocab", "empty"])
def test_ids_file_holds_integers_only(capsys, tmp_path, nothing_loads, text, message):
    path = ids_file(tmp_path, text)
    line = error_line(capsys, tmp_path, *TINY, "--prompt_ids_file", path)
    assert re.search(message, line) and (path in line or "prompt" in line), line


def test_backend_choices_are_listed(capsys):
    with pytest.raises(SystemExit) as stop:
        tt_eval.parse_args(["--backend", "gpu"])
    assert stop.value.code == 2
    assert re.search(r"invalid choice: 'gpu' \(choose from '?auto'?, '?host'?, '?mock'?, '?device'?\)", capsys.readouterr().err)


def test_help_says_where_the_cache_lives_and_how_a_model_is_chosen(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TT_QWEN_CACHE", str(tmp_path / "here"))
    with pytest.raises(SystemExit):
        tt_eval.parse_args(["--help"])
    out = capsys.readouterr().out
    assert "TT_QWEN_CACHE" in out and str(tmp_path / "here") in out
    assert "$HF_MODEL" in out and "model_type" in out


@pytest.mark.parametrize("name, message", [
    ("llama-7b", r"^HF_MODEL llama-7b: unknown model"),
    ("/nonexistent/checkpoint", r"^HF_MODEL /nonexistent/checkpoint: no such folder"),
], ids=["unknown", "missing-path"])
def test_hf_model_errors_name_the_variable(capsys, tmp_path, nothing_loads, monkeypatch, name, message):
    monkeypatch.setenv("HF_MODEL", name)
    assert re.search(message, error_line(capsys, tmp_path, "--backend", "host"))


def test_missing_path_is_not_taken_for_an_hf_id(capsys, tmp_path, nothing_loads):
    line = error_line(capsys, tmp_path, "--model", "checkpoints/mine/v2", "--backend", "host")
    assert "checkpoints/mine/v2: no such folder" in line and "Hugging Face cache" not in line


def test_uncached_hf_id_is_named(capsys, tmp_path, nothing_loads, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    line = error_line(capsys, tmp_path, "--model", "nobody/uncached-model", "--backend", "host")
    assert line.startswith("--model nobody/uncached-model: not in the local Hugging Face cache"), line


def test_non_qwen3_checkpoint_is_refused_before_loading(capsys, tmp_path, nothing_loads):
    folder = tmp_path / "llama"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 64}))
    line = error_line(capsys, tmp_path, "--model", str(folder), "--backend", "host")
    assert f"--model {folder}: model_type 'llama' is not supported" in line


def test_model_file_problems_are_refused_before_loading(capsys, tmp_path, nothing_loads):
    no_build = tmp_path / "model.py"
    no_build.write_text("x = 1\n")
    assert "has no build_model" in error_line(capsys, tmp_path, str(no_build), *TINY)
    broken = tmp_path / "broken.py"
    broken.write_text("import not_a_module_anywhere\n")
    assert f"model file {broken} failed to import: ModuleNotFoundError" in error_line(capsys, tmp_path, str(broken), *TINY)
    assert "model file /nonexistent.py: no such file" in error_line(capsys, tmp_path, "/nonexistent.py", *TINY)


def test_corrupt_baseline_is_one_line(capsys, tmp_path, nothing_loads):
    baseline = ids_file(tmp_path, "{not json", name="base.json")
    assert f"report {baseline} is not a JSON report" in error_line(capsys, tmp_path, *TINY, "--baseline", baseline)


def test_corrupt_checkpoint_is_one_line_naming_it(capsys, tmp_path):
    folder = tmp_path / "ckpt"
    zoo.load_hf_model(zoo.resolve("tiny-gqa2")[0]).save_pretrained(folder)
    weights = next(folder.glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:1000])
    capsys.readouterr()  # save_pretrained's progress bar
    ids = ids_file(tmp_path, "[1, 2, 3]")
    line = error_line(capsys, tmp_path, "--model", str(folder), "--backend", "host", "--prompt_ids_file", ids, "--max_new_tokens", "2")
    assert line.startswith(f"{folder}: cannot load offline"), line


def test_cache_too_large_for_the_n150_is_refused_before_loading(capsys, tmp_path, nothing_loads):
    ids = ids_file(tmp_path, json.dumps(list(range(64))))
    line = error_line(capsys, tmp_path, "--model", "qwen3-0.6b-random", "--backend", "host", "--prompt_ids_file", ids,
                      "--batch", "32", "--max_seq_len", "8192")
    assert re.search(r"KV cache .* for batch 32 x max_seq_len 8192 need", line), line


def plan_args(*argv):
    return tt_eval.parse_args(list(argv))


def test_kv_cache_is_sized_to_the_batch_asked_for(tmp_path, nothing_loads):
    """One user fits 3008+ positions of the real model, as the README's table promises."""
    ids = ids_file(tmp_path, json.dumps(list(range(64))))
    plan = eval_plan.plan(plan_args("--model", "qwen3-0.6b-random", "--backend", "host", "--prompt_ids_file", ids,
                                    "--max_seq_len", "8192", "--max_new_tokens", "4"))
    assert plan.batch == 1 and plan.settings()["max_batch_size"] == 1 and plan.max_seq_len == 8192


def test_ids_file_needs_no_tokenizer(tmp_path, nothing_loads, monkeypatch):
    folder = tmp_path / "no-tokenizer"
    folder.mkdir()
    (folder / "config.json").write_text(zoo.load_config(zoo.resolve("tiny-gqa2")[0]).to_json_string())

    def no_tokenizer(_spec):
        raise zoo.ModelUnavailable(f"{folder}: no tokenizer here")

    monkeypatch.setattr(zoo, "load_tokenizer", no_tokenizer)
    ids = ids_file(tmp_path, "[1, 2, 3, 4]")
    plan = eval_plan.plan(plan_args("--model", str(folder), "--backend", "host", "--prompt_ids_file", ids, "--max_new_tokens", "2"))
    assert plan.prompts == [[1, 2, 3, 4]]


def test_batch_windows_of_the_default_prompt():
    assert eval_plan.user_windows([1, 2, 3, 4, 5], 3) == [[1, 2, 3], [2, 3, 4], [3, 4, 5]]
    assert eval_plan.user_windows([1, 2], 2, length=3) == [[1, 2, 1], [2, 1, 2]]  # --prefill-len: the text repeats
