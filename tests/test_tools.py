"""The hand-run tools stay runnable: the trainer's TRAINING.md writer and grammar checker, and the
mock probe's renderer, checked without training a model or opening a mock device."""

import json
from pathlib import Path

from tt_qwen.checkpoints import TINY_TRAINED_DIR, grammar

from tools.train_tiny.grammar_check import check_line, grammar_report
from tools.train_tiny.training_md import write_training_md


def test_training_md_is_what_the_trainer_writes_from_its_metrics(tmp_path):
    metrics = json.loads((TINY_TRAINED_DIR / "training_metrics.json").read_text())
    write_training_md(tmp_path, metrics)
    assert (tmp_path / "TRAINING.md").read_text() == (TINY_TRAINED_DIR / "TRAINING.md").read_text()


def test_the_grammar_checker_accepts_held_out_lines_and_rejects_a_broken_one():
    lines, _ = grammar_report(grammar.held_out_text(400, seed=3).split())
    assert len(lines) > 5 and all(ok for _, ok in lines), [line for line, ok in lines if not ok]
    assert not check_line("count 3 to 6 : 3 4 6 .".split())  # a number skipped
    assert not check_line("the cats sleeps .".split())  # plural subject, singular verb


def _probe_records():
    call = {"kind": "call", "key": "embedding|tiny|ttnn.embedding(x)|#1", "section": "embedding", "cfg": "tiny",
            "code": "ttnn.embedding(x)", "order": 1, "ok": True, "out": "[1,32,128] BFLOAT16 TILE DRAM INTERLEAVED"}
    crash = {"kind": "call", "key": "embedding|tiny|bad|#1", "section": "embedding", "cfg": "tiny", "code": "bad",
             "order": 2, "ok": False, "crash": True, "err": "PROCESS CRASHED (exit status -11): SIGSEGV"}
    fact = {"kind": "fact", "key": "host|-|fact:x|#1", "section": "host", "cfg": "-", "name": "x", "value": [1, 2],
            "order": 1}
    return [call, {"kind": "start", "key": "embedding|tiny|bad|#1"}, crash, fact]


def test_the_probe_renders_its_doc_and_keeps_the_hand_written_facts(tmp_path):
    from tools.probe_mock.render import COMMAND, render

    jsonl, doc = tmp_path / "probe.jsonl", tmp_path / "probe.md"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in _probe_records()))
    doc.write_text("old\n<!-- key-facts:begin -->\nhand-written\n<!-- key-facts:end -->\nold tables\n")
    render(jsonl, doc, [{"section": "embedding", "crashes": [], "seconds": 1.0}], 1.0)
    text = doc.read_text()
    assert f"`{COMMAND}`" in text and "H=1024, nh=16, nkv=8, hd=128, I=3072, V=151936" in text
    assert "<!-- key-facts:begin -->\nhand-written\n<!-- key-facts:end -->" in text and "old tables" not in text
    assert "| tiny | `ttnn.embedding(x)` | OK → [1,32,128] BFLOAT16 TILE DRAM INTERLEAVED |" in text
    assert "| tiny | `bad` | **CRASH** PROCESS CRASHED (exit status -11): SIGSEGV |" in text
    assert "| - | `x` | [1, 2] |" in text
    assert text.index("## Host-only facts") < text.index("## ttnn.embedding")
    assert "- 1 calls succeeded, 1 raised" in text


def test_the_probe_doc_says_how_to_reproduce_it():
    from tools.probe_mock.render import COMMAND

    header = (Path(__file__).parents[1] / "docs" / "ttnn-0.81.1-probe.md").read_text().split("\n\n")[1]
    assert f"`{COMMAND}`" in header


def test_the_mutation_score_counts_a_failing_test_as_caught_and_a_hang_as_timed_out():
    from tools.mutation_score import first_failure, verdict

    output = "....F\nFAILED tests/model/test_decode.py::test_x[decode-pos3-bf16] - AssertionError: pcc 0.2\n"
    node, reason = first_failure(output)
    assert node == "tests/model/test_decode.py::test_x[decode-pos3-bf16]" and verdict(1, reason) == "caught"
    assert verdict(0, "") == "survived"
    assert verdict(None, "") == "timed out"  # the run exceeded --timeout
    hung = first_failure("FAILED tests/model/test_long_context.py::test_y - Failed: Timeout >300.0s\n")[1]
    assert verdict(1, hung) == "timed out"  # pytest-timeout ended a test: a symptom, not a catch
