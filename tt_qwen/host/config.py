"""Compute-kernel and program configs.

A compute kernel config changes the numbers: the ops resolve it per op (numerics.resolve) and
compute on the datapath it selects (NUMERICS.md). Its fields are typed as the real nanobind
constructor types them: a wrong type is refused with the real TypeError.
"""

from __future__ import annotations

from .memory import NamedEnum


class MathFidelity(NamedEnum):
    LoFi = 0
    HiFi2 = 2
    HiFi3 = 3
    HiFi4 = 4
    Invalid = 255


class ThrottleLevel(NamedEnum):
    NO_THROTTLE = 0
    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3
    LEVEL_4 = 4
    LEVEL_5 = 5


class _Config:
    """Keyword-only record with a readable repr; subclasses list their fields and defaults."""

    _fields: dict = {}
    _required: tuple = ()

    def __init__(self, **kwargs):
        missing = [name for name in self._required if name not in kwargs]
        if missing:
            raise TypeError(f"{type(self).__name__}.__init__() missing keyword argument(s): {', '.join(missing)}")
        unknown = set(kwargs) - set(self._fields) - set(self._required)
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
        for name, default in self._fields.items():
            setattr(self, name, default)
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self).__name__, repr(self)))

    def __repr__(self):
        body = ",".join(f"{k}={v}" for k, v in vars(self).items())
        return f"{type(self).__name__}({body})"


_KERNEL_CONFIG_SIGNATURE = (
    "__init__(self, *, math_fidelity: ttnn._ttnn.tensor.MathFidelity = MathFidelity.Invalid, math_approx_mode: bool "
    "= True, fp32_dest_acc_en: bool = False, packer_l1_acc: bool = False, dst_full_sync_en: bool = False, "
    "throttle_level: ttnn._ttnn.operations.core.ThrottleLevel = ThrottleLevel.NO_THROTTLE) -> None")
_KERNEL_CONFIG_TYPES = dict(math_fidelity=MathFidelity, math_approx_mode=bool, fp32_dest_acc_en=bool,
                            packer_l1_acc=bool, dst_full_sync_en=bool, throttle_level=ThrottleLevel)


class WormholeComputeKernelConfig(_Config):
    _fields = dict(math_fidelity=MathFidelity.Invalid, math_approx_mode=True, fp32_dest_acc_en=False,
                   packer_l1_acc=False, dst_full_sync_en=False, throttle_level=ThrottleLevel.NO_THROTTLE)

    def __init__(self, **kwargs):
        # nanobind refuses any other type, even 1 for a bool.
        for name, value in kwargs.items():
            kind = _KERNEL_CONFIG_TYPES.get(name)
            if kind is not None and type(value) is not kind:
                raise TypeError("__init__(): incompatible function arguments. The following argument types are "
                                f"supported:\n    1. {_KERNEL_CONFIG_SIGNATURE}\n\nInvoked with types: "
                                f"{type(self).__name__}, kwargs = {{ {name}: {type(value).__name__} }}")
        super().__init__(**kwargs)

    def __setattr__(self, name, value):
        kind = _KERNEL_CONFIG_TYPES.get(name)
        if kind is not None and type(value) is not kind:
            raise TypeError(f"(): incompatible function arguments: {name} takes a {kind.__name__}, got "
                            f"{type(value).__name__} ({value!r})")
        super().__setattr__(name, value)


def check_compute_kernel_config(op: str, config) -> None:
    """An op's compute_kernel_config argument: None or a WormholeComputeKernelConfig, as nanobind checks."""
    if config is not None and not isinstance(config, WormholeComputeKernelConfig):
        raise TypeError(f"{op}(): incompatible function arguments: compute_kernel_config must be a "
                        f"ttnn.WormholeComputeKernelConfig or None, got {type(config).__name__} ({config!r})")


BlackholeComputeKernelConfig = WormholeComputeKernelConfig


def init_device_compute_kernel_config(arch, device_kernel_config=None, *, math_fidelity=MathFidelity.LoFi,
                                      math_approx_mode=True, fp32_dest_acc_en=False, packer_l1_acc=False,
                                      dst_full_sync_en=False, throttle_level=ThrottleLevel.NO_THROTTLE):
    if device_kernel_config is not None:
        return device_kernel_config
    return WormholeComputeKernelConfig(math_fidelity=math_fidelity, math_approx_mode=math_approx_mode,
                                       fp32_dest_acc_en=fp32_dest_acc_en, packer_l1_acc=packer_l1_acc,
                                       dst_full_sync_en=dst_full_sync_en, throttle_level=throttle_level)


class SDPAProgramConfig(_Config):
    _required = ("compute_with_storage_grid_size", "q_chunk_size", "k_chunk_size")
    _fields = dict(sub_core_grids=None, exp_approx_mode=None, max_cores_per_head_batch=16, max_k_splits=1,
                   matmul_math_fidelity=None, segmented_accumulation=False)


class MatmulMultiCoreReuseProgramConfig(_Config):
    _required = ("compute_with_storage_grid_size", "in0_block_w", "out_subblock_h", "out_subblock_w",
                 "per_core_M", "per_core_N")


class MatmulMultiCoreReuseMultiCastProgramConfig(_Config):
    _required = ("compute_with_storage_grid_size", "in0_block_w", "out_subblock_h", "out_subblock_w",
                 "per_core_M", "per_core_N", "transpose_mcast", "fused_activation")
    _fields = dict(out_block_h=None, out_block_w=None, fuse_batch=True)


class MatmulMultiCoreReuseMultiCast1DProgramConfig(_Config):
    _required = ("compute_with_storage_grid_size", "in0_block_w", "out_subblock_h", "out_subblock_w",
                 "per_core_M", "per_core_N", "fuse_batch", "mcast_in0")
    _fields = dict(out_block_h=None, out_block_w=None, fused_activation=None, gather_in0=False, hop_cores=None,
                   num_global_cb_receivers=1, untilize_out=False, allowed_worker_cores=None, stream_in1=False)


class MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig(_Config):
    _required = ("in0_block_w", "per_core_M", "per_core_N", "fused_activation")


class LayerNormDefaultProgramConfig(_Config):
    _fields = dict(legacy_reduction=False, legacy_rsqrt=False, use_welford=False)


class LayerNormShardedMultiCoreProgramConfig(_Config):
    _required = ("compute_with_storage_grid_size", "subblock_w", "block_h", "block_w", "inplace")
    _fields = dict(legacy_reduction=False, legacy_rsqrt=False, use_welford=False)


class UnaryOpType(NamedEnum):
    SILU = 0
    RELU = 1
    GELU = 2


class UnaryWithParam:
    def __init__(self, op_type: UnaryOpType, param: float | None = None):
        self.op_type, self.param = op_type, param

    def __repr__(self):
        return f"UnaryWithParam({self.op_type}, {self.param})"


class DispatchCoreConfig:
    def __init__(self, type=None, axis=None):
        self.type, self.axis = type, axis

