"""`tt-qwen-eval --compare-ops`: the op-by-op table on the terminal and in the reports, for
tt_qwen's model and for an independent bring-up file, and its refusals."""

import json
import re
from pathlib import Path

import pytest

from tt_qwen import eval as tt_eval

BRINGUP_FILE = Path(__file__).parent / "bringup" / "qwen3_functional.py"
LINE = re.compile(r"^#(?P<index>\d+) +(?P<where>.+?) +ttnn\.(?P<op>[\w.]+)\(.*\) -> .*  (?P<figures>(PCC|not compared).*)$")


def run(capsys, *args):
    code = tt_eval.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def compare_ops(capsys, tmp_path, backend, *model_file):
    args = [*model_file, "--model", "tiny-trained", "--backend", backend.name, "--compare-ops", "--prefill-len", "40",
            "--max_new_tokens", "2", "--report_dir", str(tmp_path / "reports"), "--cache_dir", str(tmp_path / "cache")]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    rows = [LINE.match(line) for line in out.splitlines() if line.startswith("#")]
    assert rows and all(rows), out
    report = json.loads((tmp_path / "reports" / f"eval-tiny-trained-{backend.name}.json").read_text())["result"]["compare_ops"]
    markdown = (tmp_path / "reports" / f"eval-tiny-trained-{backend.name}.md").read_text()
    return rows, out, err, report, markdown


def check_table(rows, out, report, markdown, backend):
    compared = [r for r in rows if r["figures"].startswith("PCC")]
    assert {r["op"] for r in rows if not r["figures"].startswith("PCC")} == {"to_torch"}
    assert "0 below threshold" in out and "no op below its threshold" in out and "compare-ops overhead:" in out
    if backend.name == "host":  # the self-check: the host model against itself
        assert all(r["figures"].startswith("PCC 1.000000 max err 0 ") for r in compared), out
    assert len(report["calls"]) == len(rows) and report["below"] == 0 and report["first_divergence"] is None
    assert "## Op-by-op comparison against the host model (--compare-ops)" in markdown
    assert markdown.count("\n| ") - 2 >= len(rows)  # a row per call (other tables add more)


def test_compare_ops_on_tt_qwen_prints_every_op_with_its_layer(capsys, tmp_path, backend, needs_numbers):
    rows, out, err, report, markdown = compare_ops(capsys, tmp_path, backend)
    check_table(rows, out, report, markdown, backend)
    wheres = {r["where"] for r in rows}
    assert {"prefill layer 0", "prefill layer 1", "decode layer 1", "decode after layer 1", "-"} <= wheres
    assert "ttnn.experimental.paged_update_cache(" in out and "ttnn.fill_cache(" in out  # in-place ops compared too


def test_compare_ops_on_the_independent_bringup_file(capsys, tmp_path, backend, needs_numbers):
    rows, out, err, report, markdown = compare_ops(capsys, tmp_path, backend, str(BRINGUP_FILE))
    check_table(rows, out, report, markdown, backend)
    ops = {r["op"] for r in rows}
    assert {"update_cache", "permute", "transformer.scaled_dot_product_attention_decode"} <= ops
    assert {r["where"] for r in rows} == {"-"}  # no layer observer in that file: no layer claimed


def test_compare_ops_on_the_mock_backend_refuses_in_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "--model", "tiny-trained", "--backend", "mock", "--compare-ops",
                       "--report_dir", str(tmp_path), "--cache_dir", str(tmp_path))
    assert code == 2 and "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("tt_qwen.eval: error: --compare-ops: the mock backend returns zeros"), line


def test_compare_ops_in_hf_mode_refuses_in_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "--mode", "hf", "--model", "tiny-trained", "--compare-ops",
                       "--report_dir", str(tmp_path), "--cache_dir", str(tmp_path))
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line == "tt_qwen.eval: error: --compare-ops: --mode hf runs no ttnn op to compare; use --mode tt", line


@pytest.mark.parametrize("source", ["x = 1\n"], ids=["file-without-build-model"])
def test_compare_ops_on_a_model_file_without_build_model_is_the_usual_error(capsys, tmp_path, source):
    bad = tmp_path / "model.py"
    bad.write_text(source)
    code, _, err = run(capsys, str(bad), "--model", "tiny-trained", "--backend", "host", "--compare-ops", "--prefill-len", "8",
                       "--max_new_tokens", "1", "--report_dir", str(tmp_path), "--cache_dir", str(tmp_path))
    assert code == 2 and "has no build_model" in err.strip().splitlines()[-1]


# ---- pytest --compare-ops ---------------------------------------------------------------------

FAULT_PLUGIN = '''
import pytest


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    import ttnn
    from tests.model.test_shadow import cache_write_into_the_next_user

    ttnn.experimental.paged_update_cache = cache_write_into_the_next_user()
'''


def test_pytest_option_fails_a_model_test_at_the_faulty_op(tmp_path, backend, needs_numbers):
    """A KV write into the wrong user, patched into the model's ttnn only: the model test fails
    naming that call (in decode, layer 0), and the summary lists it."""
    if backend.name != "host":
        pytest.skip("the fault is patched into a host op: host backend only")
    import os
    import subprocess
    import sys

    (tmp_path / "kv_fault_plugin.py").write_text(FAULT_PLUGIN)
    root = Path(__file__).parents[2]
    test = "tests/model/test_decode.py::test_prefill_equals_decode_at_position[tiny-trained-decode-pos33-bf16]"
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{root}"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "kv_fault_plugin", test,
                           "--model", "tiny-trained", "--backend", "host", "--compare-ops"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"--compare-ops: the first op below its threshold is #\d+ +decode layer 0 +ttnn\.experimental\.paged_update_cache\(",
                     done.stdout), done.stdout
    assert re.search(r"compare-ops =+\n.*test_prefill_equals_decode_at_position.*first below: #\d+ decode layer 0 ttnn.experimental.paged_update_cache",
                     done.stdout), done.stdout
