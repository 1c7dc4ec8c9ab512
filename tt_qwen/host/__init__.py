"""Host backend: a CPU implementation of the TTNN 0.81.1 ops Qwen3 uses, shaped like the `ttnn` module.

`install_as_ttnn()` registers this package as `ttnn`. Importing it never imports the real ttnn.
See NUMERICS.md for what is exact and what is approximated.
"""
# ruff: noqa: F401  (this module re-exports the ttnn namespace)

from . import experimental, kv_cache, transformer
from .config import (BlackholeComputeKernelConfig, DispatchCoreConfig, LayerNormDefaultProgramConfig,
                     LayerNormShardedMultiCoreProgramConfig, MathFidelity, MatmulMultiCoreReuseMultiCast1DProgramConfig,
                     MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig, MatmulMultiCoreReuseMultiCastProgramConfig,
                     MatmulMultiCoreReuseProgramConfig, SDPAProgramConfig, ThrottleLevel, UnaryOpType, UnaryWithParam,
                     WormholeComputeKernelConfig, init_device_compute_kernel_config)
from .device import Arch, Device, close_device, get_memory_view, manage_device, open_device, synchronize_device
from .install import install_as_ttnn
from .memory import (DRAM_MEMORY_CONFIG, L1_BLOCK_SHARDED_MEMORY_CONFIG, L1_HEIGHT_SHARDED_MEMORY_CONFIG,
                     L1_MEMORY_CONFIG, L1_WIDTH_SHARDED_MEMORY_CONFIG, BufferType, CoreCoord, CoreGrid, CoreRange,
                     CoreRangeSet, MemoryConfig, ShardOrientation, ShardSpec, ShardStrategy, TensorMemoryLayout,
                     create_sharded_memory_config, num_cores_to_corerangeset)
from .ops.core import (allocate_tensor_on_device, as_tensor, clone, copy_host_to_device_tensor, deallocate, from_device,
                       from_torch, get_memory_config, reallocate, to_device, to_layout, to_memory_config, to_torch,
                       typecast)
from .ops.data_movement import (concat, interleaved_to_sharded, pad, permute, reshape, sharded_to_interleaved, slice,
                                squeeze, tilize, transpose, unsqueeze, untilize)
from .ops.eltwise import add, argmax, exp, mul, multiply, neg, relu, silu, softmax, sub, subtract
from .ops.embedding import EmbeddingsType, embedding
from .ops.kv_cache import fill_cache, update_cache
from .ops.matmul import linear, matmul
from .ops.norm import layer_norm, rms_norm
from . import tensor_methods  # binds the Tensor methods that are ops (to_torch, cpu, to, slicing)
from .tensor import Tensor, TensorSpec, Tile
from .trace import (MeshTraceId, begin_trace_capture, end_trace_capture, execute_trace, is_trace_capture_active,
                    release_trace)
from .types import TILE_SIZE, DataType, Layout, Shape, StorageType

bfloat16 = DataType.BFLOAT16
float32 = DataType.FLOAT32
bfloat8_b = DataType.BFLOAT8_B
bfloat4_b = DataType.BFLOAT4_B
uint32 = DataType.UINT32
int32 = DataType.INT32
uint16 = DataType.UINT16
uint8 = DataType.UINT8
TILE_LAYOUT = Layout.TILE
ROW_MAJOR_LAYOUT = Layout.ROW_MAJOR
DEVICE_STORAGE_TYPE = StorageType.DEVICE
DeviceComputeKernelConfig = WormholeComputeKernelConfig

# --- the drop-in API of 0.81.1 (issue 16): helpers, goldens, the public Tensor -------------------
from . import core_module as core
from . import operations
from .core_module import (divup, has_storage_type_of, has_tile_padding, is_sharded, is_tensor_storage_on_device,
                          num_cores_to_corerangeset_in_subcoregrids, roundup)
from .dispatch import DispatchCoreAxis, DispatchCoreType
from .golden import attach_golden_function, get_golden_function
from .ops.extras import (GeluVariant, create_layer_norm_reciprocals, fill_implicit_tile_padding, full, full_like,
                         gelu, hardsigmoid, ones, ones_like, relu6, sigmoid, tanh, untilize_with_unpadding, zeros,
                         zeros_like)
import sys as _sys

from . import api as _api, golden as _golden, tensor_api as _tensor_api

_tensor_api.bind()
_api.install(_sys.modules[__name__])
_golden.attach(_sys.modules[__name__])

# The submodules code written for the real package imports by name (`import ttnn.experimental`).
SUBMODULES = ("experimental", "transformer", "kv_cache", "device", "core", "operations")
