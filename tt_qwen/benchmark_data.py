"""tt-metal's benchmark data: `generated/benchmark_data/partial_run_<timestamp>.json` in the shape
`models/perf/benchmarking_utils.py` writes (BenchmarkData.save_partial_run_json: a
PartialBenchmarkRun with its measurements), so a runner's upload step takes ours as it is.

Step and measurement names are tt-metal's LLM ones: `inference_prefill` (`time_to_token` in ms,
`tokens/s`), `inference_decode` (`tokens/s`, `tokens/s/user`, `top1_token_accuracy`,
`top5_token_accuracy` in percent, as model_targets.yaml states accuracy). The backend is named in
`run_type`, `config_params` and `device_info`: host and mock figures are not n150 figures.

`data/benchmark_data.schema.json` is the schema this project keeps of that shape; `validate`
checks a file against it (the subset of JSON Schema the schema uses).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

SCHEMA_PATH = Path(__file__).parent / "data" / "benchmark_data.schema.json"
PREFILL, DECODE = "inference_prefill", "inference_decode"
# What a card is on each backend, for device_info.
CARD = {"device": "n150", "host": "host emulation of an n150", "mock": "mock n150 (real ttnn host code, no kernels)"}


class BenchmarkDataError(ValueError):
    """A file that is not benchmark data of the kept schema: the message names the field."""


# ---- building runs ----------------------------------------------------------------------------

def benchmark_run(test_id: str, timings: dict, started: datetime, ended: datetime, backend: str, identity) -> dict | None:
    """The partial run of one pytest-benchmark test, from its timings and extra_info (`step`,
    `model`, `prompt_len` or `batch` and `position`); None for a benchmark that is no LLM step."""
    step, mean = timings.get("step"), timings["time_mean_s"]
    if step == PREFILL:
        length = int(timings["prompt_len"])
        batch, measured = 1, {"time_to_token": mean * 1000.0, "tokens/s": length / mean}
    elif step == DECODE:
        batch, length = int(timings["batch"]), int(timings["position"]) + 1
        measured = {"tokens/s/user": 1.0 / mean, "tokens/s": batch / mean}
    else:
        return None
    run = _run(timings["model"], backend, identity, started, ended, batch, length, None, {"test": test_id})
    run["measurements"] = [_measurement(started, ended, step, name, value, warm_up=1) for name, value in measured.items()]
    return run


def eval_run(result: dict, started: datetime, ended: datetime, identity) -> dict:
    """The partial run of one `tt_qwen.eval` result (its EvalResult as a dict)."""
    run = _run(result["model"], result["backend"], identity, started, ended, result["batch"], result["prefill_len"],
               result["decode_len"], {"mode": result["mode"], "trace": result["trace"]})
    prefill_s, per_user = result["prefill_seconds"], result["tokens_per_second_per_user"]
    measured = [(PREFILL, "time_to_token", prefill_s * 1000.0), (PREFILL, "tokens/s", result["prefill_len"] / prefill_s if prefill_s else 0.0),
                (DECODE, "tokens/s/user", per_user), (DECODE, "tokens/s", per_user * result["batch"]),
                (DECODE, "top1_token_accuracy", result["top1"] * 100.0), (DECODE, "top5_token_accuracy", result["top5"] * 100.0)]
    run["measurements"] = [_measurement(started, ended, step, name, value) for step, name, value in measured]
    return run


def _run(model, backend, identity, started, ended, batch, input_len, output_len, extra) -> dict:
    return {
        "run_start_ts": _iso(started), "run_end_ts": _iso(ended), "run_type": f"tt-qwen-{backend}",
        "git_repo_name": "tt-qwen", "git_commit_hash": None, "git_commit_ts": None, "git_branch_name": None,
        "github_pipeline_id": None, "github_pipeline_link": None, "github_job_id": None, "user_name": None,
        "docker_image": None, "device_hostname": None, "device_ip": None,
        "device_info": {"backend": backend, "card_type": CARD[backend], **identity.as_properties()},
        "ml_model_name": model, "ml_model_type": "text generation", "num_layers": None, "batch_size": batch,
        "config_params": {"backend": backend, **extra}, "precision": "bf16", "dataset_name": None,
        "profiler_name": "pytest-benchmark" if "test" in extra else "tt_qwen.eval",
        "input_sequence_length": input_len, "output_sequence_length": output_len, "image_dimension": None,
        "perf_analysis": False, "training": False, "measurements": [],
    }


def _measurement(started, ended, step, name, value, warm_up=None) -> dict:
    return {"step_start_ts": _iso(started), "step_end_ts": _iso(ended), "iteration": 0, "step_name": step,
            "step_warm_up_num_iterations": warm_up, "name": name, "value": float(value), "target": None,
            "device_power": None, "device_temperature": None}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- writing and reading ----------------------------------------------------------------------

def save_partial_run(run: dict, out_dir: Path) -> Path:
    """Write `partial_run_<run start, as BenchmarkProfiler formats it>.json` (validated first); a
    second run started in the same second gets `_2`, `_3`, ... rather than overwriting the first."""
    validate(run)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.strptime(run["run_start_ts"], "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%dT%H:%M:%S+0000")
    path, n = out_dir / f"partial_run_{stamp}.json", 1
    while path.exists():
        n += 1
        path = out_dir / f"partial_run_{stamp}_{n}.json"
    path.write_text(json.dumps(run, indent=1))
    return path


def write_eval_run(result: dict, started: datetime, ended: datetime, out_dir: Path = Path("generated/benchmark_data")) -> list[Path]:
    """For tt_qwen.eval: the eval's result as benchmark data, in tt-metal's folder relative to the
    working directory as tt-metal's; nothing for an `--mode hf` run (no TTNN backend ran)."""
    import sys

    from tt_qwen import runner

    if result["backend"] not in CARD:
        return []
    identity = runner.ttnn_identity(result["backend"], sys.modules.get("ttnn"))
    return [save_partial_run(eval_run(result, started, ended, identity), out_dir)]


def now() -> datetime:
    return datetime.now(timezone.utc)


def load(path: Path) -> dict:
    try:
        run = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise BenchmarkDataError(f"{path}: not readable as JSON benchmark data ({error})") from None
    validate(run, where=str(path))
    return run


# ---- the schema ---------------------------------------------------------------------------------

_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None)}


def validate(data, schema: dict | None = None, where: str = "benchmark data") -> None:
    """Raise BenchmarkDataError naming the first field that does not fit the kept schema."""
    _check(data, schema or json.loads(SCHEMA_PATH.read_text()), where)


def _check(value, schema: dict, where: str) -> None:
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, kind) for kind in kinds):
            raise BenchmarkDataError(f"{where}: {value!r} is not of type {' or '.join(kinds)}")
    if "enum" in schema and value not in schema["enum"]:
        raise BenchmarkDataError(f"{where}: {value!r} is not one of {schema['enum']}")
    if schema.get("format") == "date-time" and isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BenchmarkDataError(f"{where}: {value!r} is not an ISO 8601 date-time") from None
    if isinstance(value, dict):
        _check_object(value, schema, where)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise BenchmarkDataError(f"{where}: {len(value)} item(s), at least {schema['minItems']} needed")
        for index, item in enumerate(value):
            _check(item, schema.get("items", {}), f"{where}[{index}]")


def _check_object(value: dict, schema: dict, where: str) -> None:
    for name in schema.get("required", []):
        if name not in value:
            raise BenchmarkDataError(f"{where}: required field {name!r} is missing")
    properties = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        extra = sorted(set(value) - set(properties))
        if extra:
            raise BenchmarkDataError(f"{where}: field {extra[0]!r} is not in tt-metal's PartialBenchmarkRun shape")
    for name, sub in properties.items():
        if name in value:
            _check(value[name], sub, f"{where}.{name}")


def _is(value, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])
