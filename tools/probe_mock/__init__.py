"""Probe the REAL ttnn 0.81.1 on the mock n150 and record what every op the bring-up uses accepts,
refuses (exact TT_FATAL text) and returns (output spec), at the Qwen3-0.6B shapes and at a tiny
shape; also host-only facts and the bit-exact block-float references.

Run from the repository root with the mock venv (scripts/setup-mock-env):

    .venv-mock/bin/python -m tools.probe_mock                   # all sections (a few minutes)
    .venv-mock/bin/python -m tools.probe_mock --only fill_cache,linear --md /tmp/x.md

Outputs: docs/ttnn-0.81.1-probe.md (regenerated; the hand-written block between the `key-facts`
markers is kept) and tests/ops/data/bfp_reference.pt.

Layout: `__main__` (the command), `runner` (each section in its own child process, restarted
after a crash, which is recorded as CRASH), `child` (one section on one mock device),
`recorder` (one JSON line per call or fact), `spec` (the one printer of results), `sections/`
(one module per op family), `tensors` and `dims` (what the calls are built from), `render`.
"""
