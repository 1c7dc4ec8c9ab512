"""The real ttnn 0.81.1 judges the host's compute-config resolution: run an op case on the mock
n150, read the JIT headers the real wheel writes for its compute kernel (math fidelity, fp32 Dst,
approx mode, packer L1 accumulation, the data formats of the inputs, the output and the
intermediate circular buffers) and compare them with the datapath tt_qwen.host.numerics resolves
for the same call, naming every field that differs.

The header's format tables (unpack_src_format, pack_dst_format) are indexed by circular buffer;
it does not name them, so the inputs are read where each program factory puts them (matmul: in0,
in1, out, partials; SDPA: q, k, v first; rms_norm and rotary: the input first), and the
intermediates are compared as a count: how many buffers are float32 in L1 (an fp32 Dst's
intermediates) against numerics.float32_intermediates.

The calls run in one child process with a fresh throwaway kernel cache (the session's own cache
already holds the default configs' kernels from the op-contract tests): each call adds exactly
one compute kernel, the one read. One case per op family and config bounds the compile count.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.ops.cases import FAMILIES
from tools.calibrate import ConfigInjector
from tt_qwen.host import numerics
from tt_qwen.model.config import HIFI2_FP32, HIFI4_DST16, HIFI4_FP32, KernelConfig

pytestmark = pytest.mark.mock

# op path -> (numerics op kind, the name its compute kernel is compiled under)
KERNELS = {
    "linear": ("matmul", "bmm_large_block_zm_fused_bias_activation"),
    "rms_norm": ("rms_norm", "layernorm"),
    "experimental.rotary_embedding": ("rotary_embedding", "rotary_embedding"),
    "transformer.scaled_dot_product_attention": ("sdpa", "sdpa"),
    "transformer.scaled_dot_product_attention_decode": ("sdpa_decode", "sdpa_flash_decode"),
}
FIDELITY = {0: "LoFi", 2: "HiFi2", 3: "HiFi3", 4: "HiFi4"}
UNPACK_FORMAT = {0: "FLOAT32", 5: "BFLOAT16", 6: "BFLOAT8_B", 7: "BFLOAT4_B"}
FLOAT32_CODE, INVALID_CODE = 0, 255
# the inputs each kernel's first buffers hold, as the host's call has them (the cases' activations are bf16)
INPUTS = {"matmul": ("in0", "in1"), "sdpa": ("q", "k", "v"), "sdpa_decode": ("q", "k", "v"),
          "rms_norm": ("input",), "rotary_embedding": ("input",)}
LOFI_DST16 = KernelConfig("LoFi", fp32_dest_acc_en=False, math_approx_mode=True)
CONFIGS = {"default": None, "hifi2-fp32": HIFI2_FP32, "hifi4-fp32": HIFI4_FP32, "hifi4-dst16": HIFI4_DST16,
           "lofi-dst16-approx": LOFI_DST16}


def _first_case(family: str, op: str, predicate=lambda case: True):
    return next(c for c in FAMILIES[family].cases if c.op == op and not c.slow and predicate(c))


def _cases():
    picks = [
        _first_case("linear", "linear", lambda c: c.dtype == "bfloat16"),
        _first_case("linear", "linear", lambda c: c.dtype == "bfloat8_b"),
        _first_case("norm", "rms_norm"),
        _first_case("rotary", "experimental.rotary_embedding"),
        _first_case("sdpa", "transformer.scaled_dot_product_attention"),
        _first_case("sdpa", "transformer.scaled_dot_product_attention_decode"),
    ]
    params = []
    for case in picks:
        names = list(CONFIGS) if case.op == "linear" and case.dtype == "bfloat16" else ["default", "hifi4-fp32"]
        params += [pytest.param(case, name, id=f"{case.id}-{name}") for name in names]
    return params


def _compute_kernels() -> set:
    cache = Path(os.environ["TT_METAL_CACHE"])
    return set(cache.rglob("chlkc_descriptors.h"))


def _header_facts(descriptor: Path) -> dict:
    text = descriptor.read_text()
    defines_file = descriptor.parent / "defines_generated.h"
    defines = defines_file.read_text() if defines_file.exists() else ""
    unpack = _format_table(text, "unpack_src_format")
    pack = _format_table(text, "pack_dst_format")
    return {
        "math_fidelity": FIDELITY[int(re.search(r"MathFidelity>\((\d+)\)", text).group(1))],
        "math_approx_mode": re.search(r"APPROX = (\w+);", text).group(1) == "true",
        "fp32_dest_acc_en": re.search(r"DST_ACCUM_MODE = (\w+);", text).group(1) == "true",
        "packer_l1_acc": "#define PACKER_L1_ACC 1" in defines,
        "in_formats": [UNPACK_FORMAT.get(code, str(code)) for code in unpack[:3]],
        "matmul_out_format": UNPACK_FORMAT.get(pack[2], str(pack[2])) if len(pack) > 2 else None,
        "float32_buffers": sum(code == FLOAT32_CODE for code in unpack),
    }


def _format_table(text: str, name: str) -> list[int]:
    """The header's per-circular-buffer data formats, in buffer order, unused (255) ones dropped."""
    body = re.search(rf"{name}\[32\] = \{{\s*([\d,\s]+)", text).group(1)
    return [int(code) for code in body.split(",") if code.strip() and int(code) != INVALID_CODE]


def _run_and_read(case, ttnn, device, config, kernel_name: str) -> dict | str:
    before = _compute_kernels()
    module = ttnn if config is None else ConfigInjector(ttnn, case.op, config)
    case.run(module, device)
    pattern = re.compile(rf"/kernels/{kernel_name}(_metal\d+)?/")
    added = [d for d in _compute_kernels() - before if pattern.search(str(d))]
    if len(added) != 1:
        return f"{len(added)} new {kernel_name} compute kernels in the kernel cache, expected 1"
    return _header_facts(added[0])


def collect() -> None:
    """In the child: run every (case, config) on a fresh mock n150, print what each compiled (JSON)."""
    from tt_qwen import backends

    backend = backends.open_backend("mock")
    facts = {}
    for param in _cases():
        case, name = param.values
        config = CONFIGS[name]
        facts[param.id] = _run_and_read(case, backend.ttnn, backend.device, config and config.build(),
                                        KERNELS[case.op][1])
    print("FACTS=" + json.dumps(facts))


@pytest.fixture(scope="module")
def compiled():
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "TT_METAL_CACHE"}
    run = subprocess.run([sys.executable, "-c", "from tests.mock.test_kernel_config import collect; collect()"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=900)
    lines = [line for line in run.stdout.splitlines() if line.startswith("FACTS=")]
    assert run.returncode == 0 and lines, f"the mock run failed ({run.returncode}): {run.stderr[-3000:]}"
    return json.loads(lines[-1][len("FACTS="):])


@pytest.mark.parametrize("case, config_name", _cases())
def test_host_resolves_the_config_the_real_op_compiles(case, config_name, compiled, backend):
    kind = KERNELS[case.op][0]
    facts = compiled[f"{case.id}-{config_name}"]
    plan_config = CONFIGS[config_name]
    resolved = numerics.resolve(kind, None if plan_config is None else plan_config.build())
    if kind in numerics.CONFIG_IGNORED and plan_config is not None:
        # The real op compiled nothing new: its default kernel ran, whatever the config said.
        assert facts.startswith("0 new"), f"{case.id} with {config_name}: the real op compiled {facts}"
        assert resolved == numerics.resolve(kind, None)
        return
    assert isinstance(facts, dict), f"{case.id} with {config_name}: {facts}"
    wrong = mismatches(facts, host_facts(kind, resolved, case.dtype.upper()))
    assert not wrong, f"{case.id} with {config_name}: the real 0.81.1 compiled what the host does not model: " + "; ".join(wrong)


def mismatches(facts: dict, expected: dict) -> list[str]:
    got = {name: facts[name][:len(expected[name])] if name == "in_formats" else facts[name] for name in expected}
    return [f"{name}: real {got[name]}, host {expected[name]}" for name in expected if got[name] != expected[name]]


# Hosts wrong in one field each, on the bfloat8_b linear's default config: the comparison must name it.
WRONG_HOSTS = {
    "fidelity-lofi": ("math_fidelity", lambda path, fmt: host_facts("matmul", replace(path, math_fidelity="LoFi"), fmt)),
    "fp32-dst": ("fp32_dest_acc_en", lambda path, fmt: host_facts("matmul", replace(path, fp32_dest_acc_en=True), fmt)),
    "bf16-weights": ("in_formats", lambda path, fmt: host_facts("matmul", path, "BFLOAT16")),
}


@pytest.mark.parametrize("wrong_host", list(WRONG_HOSTS), ids=[f"linear-bfp8-default-host-{n}" for n in WRONG_HOSTS])
def test_a_host_wrong_in_one_field_is_named(wrong_host, compiled, backend):
    case = _first_case("linear", "linear", lambda c: c.dtype == "bfloat8_b")
    field, host = WRONG_HOSTS[wrong_host]
    wrong = mismatches(compiled[f"{case.id}-default"], host(numerics.resolve("matmul", None), case.dtype.upper()))
    assert any(line.startswith(f"{field}:") for line in wrong), f"{wrong_host}: not named ({wrong})"


def test_a_host_keeping_sdpa_buffers_bf16_under_an_fp32_dst_is_named(compiled, backend, monkeypatch):
    """The host before SDPA's float32 buffers were modelled (every intermediate bf16): the count
    read from the real prefill kernel's headers must name it (the op tier's
    tests/ops/test_sdpa_fp32_dst.py shows the same host computes different numbers)."""
    case = _first_case("sdpa", "transformer.scaled_dot_product_attention")
    monkeypatch.setitem(numerics.SDPA_FP32_DST_BUFFERS, "sdpa", ())
    bf16_host = host_facts("sdpa", numerics.resolve("sdpa", HIFI4_FP32.build()), "BFLOAT16")
    wrong = mismatches(compiled[f"{case.id}-hifi4-fp32"], bf16_host)
    assert any(line.startswith("float32_buffers:") for line in wrong), f"not named ({wrong})"


def host_facts(kind: str, resolved: numerics.Datapath, weight_format: str) -> dict:
    """What the host models for the call, in the header's terms."""
    facts = {"math_fidelity": resolved.math_fidelity, "math_approx_mode": resolved.math_approx_mode,
             "fp32_dest_acc_en": resolved.fp32_dest_acc_en, "in_formats": ["BFLOAT16"] * len(INPUTS[kind]),
             "float32_buffers": numerics.float32_intermediates(kind, resolved)}
    if kind == "matmul":  # the only kernel that compiles a packer-L1-accumulation define
        facts.update(packer_l1_acc=resolved.packer_l1_acc, in_formats=["BFLOAT16", weight_format],
                     matmul_out_format="BFLOAT16")
    return facts
