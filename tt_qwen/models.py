"""The models the suite runs: seeded tiny configs, the committed tiny-trained checkpoint, the
exact Qwen3-0.6B config with random weights, and real checkpoints from the local HF cache.

The HF reference always runs in float32. Nothing here reaches the network: the hub is not
reachable from CI, and a real checkpoint that is not cached is reported as unavailable.
"""

from __future__ import annotations

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


def resolve(name: str) -> list[ModelSpec]:
    """Specs for one `--model` value: `tiny`, a tiny config name, `tiny-trained`,
    `qwen3-0.6b-random`, an HF id, or a local checkpoint folder."""
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
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")):
        if not (path / "config.json").is_file():
            raise ModelUnavailable(f"--model {name}: no config.json in {path}; point it at a folder saved with save_pretrained")
        return [ModelSpec(path.name, "pretrained", source=str(path))]
    if "/" in name:
        return [ModelSpec(name.split("/")[-1], "pretrained", source=name)]
    known = ["tiny", *TINY_CONFIGS, *BLOCK_CONFIGS, "tiny-trained", "qwen3-0.6b-random", QWEN3_0_6B, "<path to a checkpoint>"]
    raise ModelUnavailable(f"--model {name}: unknown model; use one of {', '.join(known)}")


def resolve_many(option: str) -> list[ModelSpec]:
    specs: list[ModelSpec] = []
    for name in (part.strip() for part in option.split(",")):
        if name:
            specs.extend(s for s in resolve(name) if s not in specs)
    return specs


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
        _require_cached(source)
    if spec.kind == "tiny-trained" and not (Path(source) / "config.json").is_file():
        raise ModelUnavailable(f"tiny-trained checkpoint missing at {source}; re-create it with `python -m tools.train_tiny` (from the repository root)")
    return _from_pretrained(Qwen3ForCausalLM, source).eval()


def load_tokenizer(spec: ModelSpec):
    """The tokenizer of a checkpoint, or None for random models (they are fed token ids)."""
    if spec.kind in ("tiny", "block", "random-full"):
        return None
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, spec.source)


def check_is_qwen3(config) -> None:
    model_type = getattr(config, "model_type", None)
    if model_type != "qwen3":
        raise ModelUnavailable(f"model_type {model_type!r} is not supported: tt_qwen implements Qwen3 (model_type 'qwen3') only")


def _from_pretrained(cls, source):
    import torch

    kwargs = {"local_files_only": True}
    if cls.__name__ != "AutoTokenizer":
        kwargs["dtype"] = torch.float32
    try:
        return cls.from_pretrained(source, **kwargs)
    except OSError as error:
        raise ModelUnavailable(f"{source}: cannot load offline ({error.__class__.__name__}: {str(error).splitlines()[0]})") from None


def _require_cached(repo_id: str) -> None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        return
    if not isinstance(try_to_load_from_cache(repo_id, "config.json"), str):
        hub = os.environ.get("HF_HUB_CACHE") or os.environ.get("HF_HOME") or "~/.cache/huggingface"
        raise ModelUnavailable(
            f"{repo_id} is not in the local Hugging Face cache ({hub}); the hub is not reached from here. "
            f"On a machine with network: `huggingface-cli download {repo_id}`"
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
