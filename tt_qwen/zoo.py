"""The model zoo: seeded tiny configs, the committed tiny-trained checkpoint, the exact
Qwen3-0.6B config with random weights, and real checkpoints from a folder or the local HF cache.

The HF reference always runs in float32. Nothing here reaches the network: the hub is not
reachable from CI, and a real checkpoint that is not cached is reported as unavailable.
A model the user names (`--model` or `HF_MODEL`) is checked by `check_named` before anything
loads: it must exist here and be a Qwen3 (config.json's model_type).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

QWEN3_0_6B = "Qwen/Qwen3-0.6B"

# The exact config.json of Qwen/Qwen3-0.6B (see ../shared/ttnn/OPS.md section 3).
QWEN3_0_6B_CONFIG = dict(
    hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
    num_key_value_heads=8, head_dim=128, vocab_size=151936, max_position_embeddings=40960,
    rope_theta=1_000_000.0, rms_norm_eps=1e-6, tie_word_embeddings=True, attention_bias=False,
    hidden_act="silu", bos_token_id=151643, eos_token_id=151645,
)

# Seeded random configs, all TTNN-legal: hidden and head_dim multiples of 32, head_dim a
# multiple of 64 (rotary_embedding), heads <= 32 (decode head ops). Each probes another shape.
TINY_CONFIGS = {
    # Qwen3-0.6B in miniature: GQA group 2, q width (4x64) != hidden.
    "tiny-gqa2": dict(hidden_size=128, num_attention_heads=4, num_key_value_heads=2, head_dim=64,
                      intermediate_size=256, num_hidden_layers=2, vocab_size=512),
    # head_dim 128 as the real model, one KV head, a vocab that is not a multiple of 32.
    "tiny-hd128-mqa": dict(hidden_size=96, num_attention_heads=2, num_key_value_heads=1, head_dim=128,
                           intermediate_size=192, num_hidden_layers=3, vocab_size=500),
    # No GQA sharing, wider MLP.
    "tiny-mha": dict(hidden_size=256, num_attention_heads=4, num_key_value_heads=4, head_dim=64,
                     intermediate_size=512, num_hidden_layers=2, vocab_size=320),
}
# One decoder layer of the real Qwen3-0.6B dimensions (real vocab): the layer tier's full-size case.
BLOCK_CONFIGS = {"qwen3-0.6b-1layer": {**QWEN3_0_6B_CONFIG, "num_hidden_layers": 1}}
TINY_COMMON = dict(rope_theta=1_000_000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                   max_position_embeddings=4096, attention_bias=False, hidden_act="silu")


TESTED_TRANSFORMERS = ((5, 23), (5, 25))  # [low, high): keep equal to pyproject.toml


def check_transformers_version() -> None:
    """One clear line instead of a traceback from deep inside generate() on an untested release."""
    import transformers

    version = tuple(int(part) for part in transformers.__version__.split(".")[:2] if part.isdigit())
    low, high = TESTED_TRANSFORMERS
    if not low <= version < high:
        raise ModelUnavailable(
            f"transformers {transformers.__version__} is outside the tested range >={low[0]}.{low[1]},<{high[0]}.{high[1]}: "
            f"pip install 'transformers>={low[0]}.{low[1]},<{high[0]}.{high[1]}'"
        )


class ModelUnavailable(Exception):
    """The model cannot be loaded here; the message says what is missing and what to do."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # "tiny" | "block" | "tiny-trained" | "random-full" | "pretrained"
    source: str = ""  # HF id or local path for pretrained models
    config: dict = field(default_factory=dict, compare=False, hash=False)
    seed: int = 0

    @property
    def slow(self) -> bool:
        return self.kind in ("random-full", "pretrained")


def tiny_specs() -> list[ModelSpec]:
    return [ModelSpec(name, "tiny", config={**TINY_COMMON, **cfg}) for name, cfg in TINY_CONFIGS.items()]


def resolve(name: str, origin: str = "--model") -> list[ModelSpec]:
    """Specs for one model name: `tiny`, a tiny config name, `tiny-trained`, `qwen3-0.6b-random`,
    an HF id, or a local checkpoint folder. `origin` names where the name came from in errors."""
    if name == "tiny":
        return tiny_specs()
    if name in TINY_CONFIGS:
        return [ModelSpec(name, "tiny", config={**TINY_COMMON, **TINY_CONFIGS[name]})]
    if name in BLOCK_CONFIGS:
        return [ModelSpec(name, "block", config=dict(BLOCK_CONFIGS[name]))]
    if name == "tiny-trained":
        from tt_qwen.checkpoints import TINY_TRAINED_DIR

        return [ModelSpec("tiny-trained", "tiny-trained", source=str(TINY_TRAINED_DIR))]
    if name == "qwen3-0.6b-random":
        return [ModelSpec(name, "random-full", config=dict(QWEN3_0_6B_CONFIG))]
    if _looks_like_path(name):
        path = Path(name).expanduser()
        if not path.exists():
            raise ModelUnavailable(f"{origin} {name}: no such folder ({path.resolve()} does not exist)")
        if not (path / "config.json").is_file():
            raise ModelUnavailable(f"{origin} {name}: no config.json in {path}; point it at a folder saved with save_pretrained")
        return [ModelSpec(path.name, "pretrained", source=str(path))]
    if name.count("/") == 1:
        return [ModelSpec(name.split("/")[-1], "pretrained", source=name)]
    known = ["tiny", *TINY_CONFIGS, *BLOCK_CONFIGS, "tiny-trained", "qwen3-0.6b-random", QWEN3_0_6B, "<path to a checkpoint>"]
    raise ModelUnavailable(f"{origin} {name}: unknown model; use one of {', '.join(known)}")


def _looks_like_path(name: str) -> bool:
    """A folder on disk, or written as one: an HF id is exactly `owner/name`."""
    return Path(name).expanduser().exists() or name.startswith((".", "/", "~")) or name.count("/") > 1 or name.endswith("/")


def resolve_many(option: str, origin: str = "--model") -> list[ModelSpec]:
    specs: list[ModelSpec] = []
    for name in (part.strip() for part in option.split(",")):
        if name:
            specs.extend(s for s in resolve(name, origin) if s not in specs)
    return specs


def check_named(spec: ModelSpec, origin: str = "--model") -> None:
    """A model the user asked for by name: it must be here and be a Qwen3, checked from its
    config.json alone (nothing is loaded)."""
    if spec.kind != "pretrained":
        return
    if not Path(spec.source).exists():
        require_cached(spec.source, origin)
    model_type = config_json(spec, origin).get("model_type")
    if model_type != "qwen3":
        raise ModelUnavailable(f"{origin} {spec.source}: model_type {model_type!r} is not supported; "
                               f"tt_qwen implements Qwen3 (model_type 'qwen3') only")


def config_json(spec: ModelSpec, origin: str = "--model") -> dict:
    """The checkpoint's config.json as a dict, from its folder or the local HF cache."""
    path = Path(spec.source) / "config.json"
    if not path.is_file():
        from huggingface_hub import try_to_load_from_cache

        path = Path(try_to_load_from_cache(spec.source, "config.json"))
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ModelUnavailable(f"{origin} {spec.source}: {path} is not a readable JSON config ({error.__class__.__name__})") from None
    if not isinstance(config, dict):
        raise ModelUnavailable(f"{origin} {spec.source}: {path} does not hold a JSON object")
    return config


def best_available() -> ModelSpec:
    """The real Qwen3-0.6B when it is in the local HF cache, else the committed tiny-trained."""
    real = resolve(QWEN3_0_6B)[0]
    return real if is_cached(real.source) else resolve("tiny-trained")[0]


def load_config(spec: ModelSpec):
    """The HF config of `spec` without its weights: what the cheap checks before loading read."""
    from transformers import AutoConfig, Qwen3Config

    if spec.kind in ("tiny", "block", "random-full"):
        return Qwen3Config(**spec.config)
    return _from_pretrained(AutoConfig, spec.source)


def load_hf_model(spec: ModelSpec):
    """The float32 HF reference for `spec`, in eval mode."""
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    if spec.kind in ("tiny", "block", "random-full"):
        torch.manual_seed(spec.seed)
        model = Qwen3ForCausalLM(Qwen3Config(**spec.config)).to(torch.float32)
        _randomize_norm_weights(model, spec.seed)
        return model.eval()
    source = spec.source
    if spec.kind == "pretrained" and not Path(source).exists():
        require_cached(source)
    if spec.kind == "tiny-trained" and not (Path(source) / "config.json").is_file():
        raise ModelUnavailable(f"tiny-trained checkpoint missing at {source}; re-create it with `python -m tools.train_tiny` (from the repository root)")
    return _from_pretrained(Qwen3ForCausalLM, source).eval()


def load_tokenizer(spec: ModelSpec):
    """The tokenizer of a checkpoint, or None for random models (they are fed token ids)."""
    if spec.kind in ("tiny", "block", "random-full"):
        return None
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, spec.source)


def _from_pretrained(cls, source):
    import torch

    kwargs = {"local_files_only": True}
    if cls.__name__ == "Qwen3ForCausalLM":
        kwargs["dtype"] = torch.float32
    try:
        return cls.from_pretrained(source, **kwargs)
    except Exception as error:  # noqa: BLE001 - a corrupt file raises whatever its parser raises
        first = (str(error).splitlines() or [""])[0]
        raise ModelUnavailable(f"{source}: cannot load offline ({error.__class__.__name__}: {first})") from None


def is_cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


def require_cached(repo_id: str, origin: str = "--model") -> None:
    if not is_cached(repo_id):
        hub = os.environ.get("HF_HUB_CACHE") or os.environ.get("HF_HOME") or "~/.cache/huggingface"
        raise ModelUnavailable(
            f"{origin} {repo_id}: not in the local Hugging Face cache ({hub}) and not a folder here; the hub is not "
            f"reached from here. On a machine with network: `huggingface-cli download {repo_id}`"
        )


def _randomize_norm_weights(model, seed: int) -> None:
    """HF initialises every RMSNorm weight to 1, which would hide a norm whose weight is never
    applied; seeded weights around 1 make that mistake visible."""
    import torch

    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.copy_(1.0 + 0.2 * torch.randn(param.shape, generator=generator))
