"""What an eval run will do, decided and checked before any weight loads or the reference runs:
lengths, backend, model file and its build_model, baseline, the model (named, present, Qwen3,
TTNN-legal dimensions), the prompt ids and whether the KV cache fits the n150.

Each check raises one clear line (EvalError, or the zoo's / backend's own error) naming the
value and the limit; `tt_qwen.eval` prints it and exits 2.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tt_qwen import backends, zoo

DEFAULT_PROMPT_FILE = Path(__file__).parent / "data" / "default_prompt.txt"
DEFAULT_NEW_TOKENS = 128
MAX_USERS = 32  # decode runs one tile of users
TILE = 32


class EvalError(Exception):
    """A problem with the evaluation's inputs; printed as one line, exit code 2."""


def default_cache_dir() -> Path:
    return Path(os.environ.get("TT_QWEN_CACHE", "~/.cache/tt_qwen")).expanduser()


@dataclass
class Plan:
    mode: str  # "tt" or "hf"
    backend: str | None  # the resolved backend name (None in --mode hf)
    spec: zoo.ModelSpec
    dims: object  # tt_qwen.model.config.Qwen3Dims
    build: Callable | None
    prompts: list[list[int]]  # [batch][prompt_len]
    new_tokens: int
    min_new_tokens: int
    max_seq_len: int
    seed: int
    prefill_decode: bool

    @property
    def prompt_len(self) -> int:
        return len(self.prompts[0])

    @property
    def batch(self) -> int:
        return len(self.prompts)

    def settings(self) -> dict:
        """What, besides model, backend and lengths, two comparable runs must share."""
        digest = hashlib.sha256(json.dumps(self.prompts).encode()).hexdigest()[:16]
        return {"max_seq_len": self.max_seq_len, "max_batch_size": self.batch, "prefill_decode": self.prefill_decode,
                "seed": self.seed, "min_new_tokens": self.min_new_tokens, "prompt_sha256": digest}


def plan(args) -> Plan:
    new_tokens, min_new_tokens = check_lengths(args)
    zoo.check_transformers_version()
    mode = args.mode or "tt"
    backend = check_backend(args.backend) if mode == "tt" else None
    build = load_model_file(args.model_file) if mode == "tt" else None
    if args.baseline:
        from tt_qwen import reports

        reports.load_report(Path(args.baseline))
    spec = choose_model(args.model)
    from tt_qwen.model.config import Qwen3Dims  # no ttnn: dimensions and their TTNN rules only

    dims = Qwen3Dims.from_hf(zoo.load_config(spec))
    prompts = prompt_ids(args, spec, dims.vocab_size)
    max_seq_len = check_max_seq_len(args.max_seq_len, len(prompts[0]), new_tokens)
    if mode == "tt" and not args.model_file:
        from tt_qwen.model.footprint import check_fits, weight_bytes

        check_fits(dims, -(-max_seq_len // TILE) * TILE, args.batch, weight_bytes(dims, "bfloat16"))
    return Plan(mode, backend, spec, dims, build, prompts, new_tokens, min_new_tokens, max_seq_len, args.seed, args.prefill_decode)


# ---- lengths ----------------------------------------------------------------------------------

def check_lengths(args) -> tuple[int, int]:
    """(new tokens, min new tokens). 0 is never "the default": every length is checked as given."""
    for flag, value in (("--max_new_tokens", args.max_new_tokens), ("--decode-len", args.decode_len),
                        ("--max_seq_len", args.max_seq_len), ("--prefill-len", args.prefill_len)):
        if value is not None and value < 1:
            raise EvalError(f"{flag} {value}: a length must be at least 1")
    if None not in (args.max_new_tokens, args.decode_len) and args.max_new_tokens != args.decode_len:
        raise EvalError(f"--max_new_tokens {args.max_new_tokens} and --decode-len {args.decode_len} disagree; give one")
    new_tokens = next(v for v in (args.max_new_tokens, args.decode_len, DEFAULT_NEW_TOKENS) if v is not None)
    min_new_tokens = new_tokens if args.min_new_tokens is None else args.min_new_tokens
    if not 0 <= min_new_tokens <= new_tokens:
        raise EvalError(f"--min_new_tokens {min_new_tokens} is outside 0..{new_tokens} (the new tokens asked for)")
    if not 1 <= args.batch <= MAX_USERS:
        raise EvalError(f"--batch {args.batch} is outside 1..{MAX_USERS} (one tile of users)")
    if args.trace and args.mode == "hf":
        raise EvalError("--trace: --mode hf runs no ttnn op to trace; use --mode tt")
    if args.trace and getattr(args, "model_file", None):
        raise EvalError(f"--trace: the model file {args.model_file} is scored through its own build_model, which takes "
                        "no trace option; --trace applies to tt_qwen's model")
    if args.trace and getattr(args, "compare_ops", False):
        raise EvalError("--trace with --compare-ops: the shadow reads every op's output back, which a trace capture refuses")
    return new_tokens, min_new_tokens


def check_max_seq_len(max_seq_len: int | None, prompt_len: int, new_tokens: int) -> int:
    needed = prompt_len + new_tokens
    if max_seq_len is None:
        return -(-needed // TILE) * TILE
    if needed > max_seq_len:
        raise EvalError(f"prompt ({prompt_len}) + new tokens ({new_tokens}) = {needed} is over --max_seq_len {max_seq_len}")
    return max_seq_len


# ---- backend, model file, model ---------------------------------------------------------------

def check_backend(option: str | None) -> str:
    """The backend's name, with `ttnn` selected in this process (a model file imports it)."""
    name = backends.resolve(backends.requested(option))
    if name == "mock":
        raise EvalError("the mock backend returns zeros: accuracy needs --backend host or device")
    backends.select_ttnn(name)
    return name


def load_model_file(path: str | None) -> Callable:
    """The `build_model` of a bring-up file, or tt_qwen's own."""
    if path is None:
        from tt_qwen import build_model

        return build_model
    file = Path(path)
    if not file.is_file():
        raise EvalError(f"model file {file}: no such file")
    spec = importlib.util.spec_from_file_location(f"tt_qwen_eval_model_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - whatever the file raises, say which file and what
        raise EvalError(f"model file {file} failed to import: {error.__class__.__name__}: {error}") from None
    if not callable(getattr(module, "build_model", None)):
        raise EvalError(f"model file {file} has no build_model(hf_model, tt_device, max_seq_len)")
    return module.build_model


def choose_model(name: str | None) -> zoo.ModelSpec:
    """--model, else $HF_MODEL (errors name where the name came from), else the best present."""
    origin = "--model" if name else "HF_MODEL"
    name = name or os.environ.get("HF_MODEL")
    if not name:
        return zoo.best_available()
    specs = zoo.resolve(name, origin)
    if len(specs) != 1:
        raise EvalError(f"{origin} {name} names {len(specs)} models; evaluate one at a time")
    zoo.check_named(specs[0], origin)
    return specs[0]


def load_weights(plan: Plan):
    """The HF float32 reference model: the first expensive step, after every check."""
    import torch
    import transformers

    torch.manual_seed(plan.seed)
    transformers.utils.logging.disable_progress_bar()
    return zoo.load_hf_model(plan.spec)


def weight_cache_dir(cache_dir, backend) -> Path:
    """Prepared weights are keyed by tensor content, dtype and layout (tt_qwen.model.weights);
    the folder adds what else determines them: the backend and its ttnn version."""
    version = getattr(backend.ttnn, "__version__", "unknown")
    return Path(cache_dir) / "weights" / f"{backend.name}-ttnn{version}"


# ---- prompt -----------------------------------------------------------------------------------

def prompt_ids(args, spec, vocab_size: int) -> list[list[int]]:
    """One prompt per user ([batch][prompt_len]); the tokenizer is loaded only for text."""
    ids = read_ids_file(args.prompt_ids_file) if args.prompt_ids_file else encode(prompt_text(args, spec), spec)
    if not ids:
        raise EvalError("the prompt is empty after tokenization")
    for position, token in enumerate(ids):
        if not 0 <= token < vocab_size:
            raise EvalError(f"prompt token id {token} at position {position} is outside the vocabulary 0..{vocab_size - 1}")
    return user_windows(ids, args.batch, args.prefill_len)


def user_windows(ids: list[int], batch: int, length: int | None = None) -> list[list[int]]:
    """User u reads ids[u: u + length]: each its own window of the text. Without `length`, the
    longest window every user gets; with it (a synthetic prompt) the text repeats as needed."""
    if length is None:
        length = len(ids) - (batch - 1)
        if length < 1:
            raise EvalError(f"--batch {batch} needs a prompt of at least {batch} tokens (one window per user), got {len(ids)}")
    elif len(ids) < length + batch - 1:
        ids = ids * ((length + batch - 1) // len(ids) + 1)
    return [ids[user: user + length] for user in range(batch)]


def prompt_text(args, spec) -> str:
    if args.prompt is not None:
        return args.prompt
    if args.prompt_file:
        return read_text(args.prompt_file, "--prompt_file")
    if spec.kind == "tiny-trained":
        from tt_qwen.checkpoints import held_out_text

        return held_out_text(256, seed=args.seed)
    return DEFAULT_PROMPT_FILE.read_text()


def encode(text: str, spec) -> list[int]:
    tokenizer = zoo.load_tokenizer(spec)
    if tokenizer is None:
        raise EvalError(f"model {spec.name} has no tokenizer: give --prompt_ids_file")
    return list(tokenizer(text, add_special_tokens=True)["input_ids"])


INTEGER = re.compile(r"[+-]?\d+")


def read_ids_file(path: str) -> list[int]:
    """Integer token ids, as a JSON list or whitespace separated; anything else is refused
    naming the file, the position and the value (no coercion of 9.7, true or "5")."""
    text = read_text(path, "--prompt_ids_file").strip()
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError as error:
            raise EvalError(f"--prompt_ids_file {path}: not valid JSON ({error})") from None
    else:
        values = [int(word) if INTEGER.fullmatch(word) else word for word in text.split()]
    for position, value in enumerate(values):
        if type(value) is not int:  # bool is an int subclass: true is refused too
            raise EvalError(f"--prompt_ids_file {path}: position {position} holds {json.dumps(value)}, not an integer token id")
    return values


def read_text(path: str, flag: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise EvalError(f"{flag} {file}: no such file")
    try:
        return file.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalError(f"{flag} {file}: cannot read it as text ({error.__class__.__name__})") from None


# ---- after the run ----------------------------------------------------------------------------

def full_size(dims) -> bool:
    """The decode roofline means something only at Qwen3-0.6B's own dimensions: a tiny model's
    step is bound by dispatch, not by DRAM bandwidth."""
    from transformers import Qwen3Config

    from tt_qwen.model.config import Qwen3Dims

    real = Qwen3Dims.from_hf(Qwen3Config(**zoo.QWEN3_0_6B_CONFIG))
    return _size(dims) == _size(real)


def _size(dims) -> tuple:
    return (dims.vocab_size, dims.hidden_size, dims.intermediate_size, dims.num_hidden_layers,
            dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim)


def roofline_at_full_size(model, plan: Plan, backend_name: str, tokens_per_second: float) -> dict | None:
    if not full_size(model.dims):
        return None
    from tt_qwen.model.footprint import roofline

    bound = roofline(model.dims, model.mlp_dtype, plan.prompt_len + plan.new_tokens, plan.batch, tokens_per_second)
    where = "an n150" if backend_name == "device" else f"the {backend_name} backend, not an n150"
    bound["measured_on"] = backend_name
    bound["summary"] += f" (measured on {where})"
    return bound
