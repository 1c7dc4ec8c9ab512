"""Qwen3 dimensions from an HF config, checked against what the TTNN ops can run."""

from __future__ import annotations

from dataclasses import dataclass

TILE = 32
MAX_DECODE_BATCH = 32  # decode head ops and the KV cache hold at most one tile of users
DTYPES = ("bfloat16", "bfloat8_b")


class UnsupportedModel(ValueError):
    """The config is not a Qwen3 this TTNN implementation can run."""


@dataclass(frozen=True)
class Qwen3Dims:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    rms_norm_eps: float
    rope_theta: float
    tie_word_embeddings: bool

    @classmethod
    def from_hf(cls, config) -> "Qwen3Dims":
        if getattr(config, "model_type", None) != "qwen3":
            raise UnsupportedModel(f"model_type {getattr(config, 'model_type', None)!r}: tt_qwen runs Qwen3 (model_type 'qwen3') only")
        dims = cls(
            vocab_size=config.vocab_size,
            hidden_size=config.hidden_size,
            intermediate_size=config.intermediate_size,
            num_hidden_layers=config.num_hidden_layers,
            num_attention_heads=config.num_attention_heads,
            num_key_value_heads=config.num_key_value_heads,
            head_dim=getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads,
            rms_norm_eps=config.rms_norm_eps,
            rope_theta=rope_theta(config),
            tie_word_embeddings=bool(getattr(config, "tie_word_embeddings", False)),
        )
        dims.check_ttnn_legal()
        _check_rope_is_default(config)
        return dims

    @property
    def qkv_width(self) -> int:
        return (self.num_attention_heads + 2 * self.num_key_value_heads) * self.head_dim

    def check_ttnn_legal(self) -> None:
        rules = [
            (self.hidden_size % TILE == 0, f"hidden_size {self.hidden_size} must be a multiple of {TILE}"),
            (self.intermediate_size % TILE == 0, f"intermediate_size {self.intermediate_size} must be a multiple of {TILE}"),
            (self.head_dim == TILE or self.head_dim % 64 == 0,
             f"head_dim {self.head_dim} must be 32 or a multiple of 64 (ttnn.experimental.rotary_embedding)"),
            (self.num_attention_heads <= 32, f"num_attention_heads {self.num_attention_heads} must be <= 32 (decode head ops)"),
            (self.num_attention_heads % self.num_key_value_heads == 0,
             f"num_attention_heads {self.num_attention_heads} must be a multiple of num_key_value_heads {self.num_key_value_heads}"),
        ]
        broken = [message for ok, message in rules if not ok]
        if broken:
            raise UnsupportedModel("; ".join(broken))


def rope_theta(config) -> float:
    """transformers >= 5 keeps it in `rope_parameters`, older releases in `rope_theta`."""
    parameters = getattr(config, "rope_parameters", None) or {}
    theta = parameters.get("rope_theta", getattr(config, "rope_theta", None))
    if theta is None:
        raise UnsupportedModel("config has neither rope_parameters['rope_theta'] nor rope_theta")
    return float(theta)


def _check_rope_is_default(config) -> None:
    parameters = getattr(config, "rope_parameters", None) or getattr(config, "rope_scaling", None) or {}
    kind = parameters.get("rope_type", parameters.get("type", "default"))
    if kind != "default":
        raise UnsupportedModel(f"rope_type {kind!r} is not implemented; tt_qwen implements the default (unscaled) RoPE of Qwen3")


# ---- the model's precision plan ----------------------------------------------------------------
# tt_transformers passes its own compute kernel config to every op (models/tt_transformers/tt/
# model_config.py: compute_kernel_config_hifi2 = HiFi2 + fp32 Dst + packer L1 accumulation for the
# matmuls, hifi4 = HiFi4 + fp32 Dst, a separate SDPA config = HiFi4 with a 16-bit Dst and the
# accurate exp). This plan does the same; the PCC each choice buys, measured under the host's
# device numerics, is in README "Numerics" (python tools/calibrate.py --plan).


@dataclass(frozen=True)
class KernelConfig:
    """The numerically relevant fields of a ttnn.WormholeComputeKernelConfig."""

    math_fidelity: str  # LoFi | HiFi2 | HiFi3 | HiFi4
    fp32_dest_acc_en: bool
    math_approx_mode: bool = False
    packer_l1_acc: bool = False

    def build(self):
        import ttnn

        return ttnn.WormholeComputeKernelConfig(
            math_fidelity=getattr(ttnn.MathFidelity, self.math_fidelity), math_approx_mode=self.math_approx_mode,
            fp32_dest_acc_en=self.fp32_dest_acc_en, packer_l1_acc=self.packer_l1_acc)


HIFI2_FP32 = KernelConfig("HiFi2", fp32_dest_acc_en=True, packer_l1_acc=True)
HIFI4_FP32 = KernelConfig("HiFi4", fp32_dest_acc_en=True, packer_l1_acc=True)
HIFI4_DST16 = KernelConfig("HiFi4", fp32_dest_acc_en=False)


@dataclass(frozen=True)
class LinearPrecision:
    weight_dtype: str  # the dtype asked for; the MLP's may be overridden by build_model(mlp_dtype=...)
    compute: KernelConfig
    output_dtype: str = "bfloat16"


@dataclass(frozen=True)
class PrecisionPlan:
    """Per op of the model: weight dtype, compute kernel config, output dtype. The blocks read it."""

    qkv: LinearPrecision
    o: LinearPrecision
    gate: LinearPrecision
    up: LinearPrecision
    down: LinearPrecision
    lm_head: LinearPrecision
    norm: KernelConfig
    rotary: KernelConfig
    sdpa: KernelConfig
    sdpa_decode: KernelConfig
    kv_cache_dtype: str = "bfloat16"

    def linear(self, role: str) -> LinearPrecision:
        return getattr(self, role)


_MATMUL = LinearPrecision("bfloat16", HIFI2_FP32)
PRECISION = PrecisionPlan(
    qkv=_MATMUL, o=_MATMUL, gate=_MATMUL, up=_MATMUL, down=_MATMUL, lm_head=_MATMUL,
    norm=HIFI4_FP32, rotary=HIFI4_DST16, sdpa=HIFI4_DST16, sdpa_decode=HIFI4_DST16)


def precision_plan() -> PrecisionPlan:
    """The plan the blocks build with (read at build time, so a test may swap PRECISION)."""
    import tt_qwen.model.config as module

    return module.PRECISION
