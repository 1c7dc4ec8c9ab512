"""ttnn.rms_norm (and layer_norm, same validation). rms_norm computes on the modelled datapath
(numerics.rms_norm: bf16 intermediates unless fp32_dest_acc_en, FPU fidelity); layer_norm, which
the model does not use, in float32 with one rounding.

Program configs (validated as 0.81.1 does, measured on the mock n150: tests/ops/cases/norm.py):
- LayerNormDefaultProgramConfig runs the interleaved kernel; on a sharded input 0.81.1 picks the
  sharded kernel and fails reading the config ("std::get: wrong index for variant").
- LayerNormShardedMultiCoreProgramConfig needs a width- or block-sharded input whose blocks it
  describes; with no config a sharded input gets one made from its shard spec.
- inplace=True writes the result into the input's buffer.
Numerics assumed equal for every config: legacy_reduction / legacy_rsqrt / use_welford and the
sharded kernel's per-core partial sums only reorder float32 reductions, far below the bf16
rounding of the output (not measured: no card).
"""

from __future__ import annotations

import torch

from .. import numerics
from ..config import LayerNormDefaultProgramConfig, LayerNormShardedMultiCoreProgramConfig, check_compute_kernel_config
from ..errors import require
from ..memory import TensorMemoryLayout
from ..tensor import DataType, Layout, Tensor, cpp
from .common import on_device, output, record

NORM_DTYPES = (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B)
TILE = 32


def _gamma(op: str, gamma: Tensor, x: Tensor) -> torch.Tensor:
    """The weight/bias as a vector over the input's last dim, in the shapes the device accepts."""
    width, logical = x.padded_shape[-1], x.shape[-1]
    if gamma.layout == Layout.TILE:
        require(gamma.padded_shape[-2] == TILE, op, f"Gamma tensor height must equal tile height (32), got: "
                f"{gamma.padded_shape[-2]}")
        require(gamma.padded_shape[-1] == width and gamma.shape[-1] >= logical, op,
                "Input and gamma padded widths must match and gamma logical width must be >= input logical width "
                "(otherwise valid input columns would be multiplied by gamma padding). Got input: "
                f"logical[-1]={logical} padded[-1]={width} vs gamma: logical[-1]={gamma.shape[-1]} "
                f"padded[-1]={gamma.padded_shape[-1]}")
        # The kernel reads row 0 of the gamma tiles.
        return gamma.padded_values().reshape(-1, width)[0]
    require(gamma.padded_shape[-1] == TILE and gamma.physical_volume() // TILE == width // TILE, op,
            "Gamma's last padded dim needs to equal tile width and gamma's volume needs to align with last padded "
            f"dim of input. Error with gamma.value().padded_shape(): {gamma.padded_shape}, tile_width: 32, "
            f"gamma.value().physical_volume(): {gamma.physical_volume()}, a.padded_shape()[-1]: {width}")
    return gamma.padded_values().reshape(-1)


def _check_input(op: str, x: Tensor, rms: bool) -> None:
    """rms_norm refuses ROW_MAJOR in its wrapper; layer_norm takes it, interleaved, when the width is
    whole tiles."""
    name = op.split(".")[-1]
    if x.layout == Layout.ROW_MAJOR:
        require(not rms, op, f"ttnn::{name} does not support ROW_MAJOR input tensors. Use TILE layout.")
        require(not x.is_sharded(), op, "Input tensor must have TILE layout (ROW_MAJOR is only supported for "
                "non-sharded tensors), got: Layout::ROW_MAJOR")
        require(x.shape[-1] % TILE == 0, op,
                f"ROW_MAJOR input requires W ({x.shape[-1]}) to be a multiple of tile width (32)")
    require(x.dtype in NORM_DTYPES, op, f"Input tensor dtype must be BFLOAT16, FLOAT32 or BFLOAT8_B but got {cpp(x.dtype)}")


def _check_residual(op: str, x: Tensor, r: Tensor) -> None:
    require(r.layout == Layout.TILE, op, f"Residual tensor must have TILE layout, got: {cpp(r.layout)}")
    require(r.shape == x.shape and r.padded_shape == x.padded_shape, op,
            f"Input and residual logical and padded shapes must match, got input: logical={x.shape} "
            f"padded={x.padded_shape} vs residual: logical={r.shape} padded={r.padded_shape}")
    if x.is_sharded():
        require(r.is_sharded(), op, "residual tensor b should be sharded if input a is sharded")
        require(r.memory_config() == x.memory_config(), op, "Both a and b should have the same memory config")


def _check_sharded_output(op: str, x: Tensor, config) -> None:
    require(x.memory_config().memory_layout != TensorMemoryLayout.HEIGHT_SHARDED, op,
            "Height sharded inputs are not supported.")
    require(config.is_sharded() and config.memory_layout != TensorMemoryLayout.HEIGHT_SHARDED, op,
            "Sharded inputs require sharded outputs.")
    # 0.81.1 fails in its tensor-spec code on another sharded layout or buffer type (seen on the mock);
    # the host refuses it here in its own words rather than accept what the card cannot run.
    require(config.memory_layout == x.memory_config().memory_layout and config.buffer_type == x.memory_config().buffer_type,
            op, "Sharded input requires a sharded output with the same memory layout and buffer type")


def _check_program_config(op: str, program_config, x: Tensor, rms: bool) -> None:
    if program_config is None:
        return
    if not isinstance(program_config, (LayerNormDefaultProgramConfig, LayerNormShardedMultiCoreProgramConfig)):
        raise TypeError(f"{op}: incompatible program_config {type(program_config).__name__}: expected "
                        "LayerNormDefaultProgramConfig or LayerNormShardedMultiCoreProgramConfig")
    require(not (rms and program_config.use_welford), op, "Welford's algorithm is not supported for RMSNorm")
    if isinstance(program_config, LayerNormDefaultProgramConfig):
        # 0.81.1 selects the sharded kernel by the input and reads the config as the sharded kind.
        require(not x.is_sharded(), op, "std::get: wrong index for variant")
        return
    require(x.is_sharded(), op, "bad optional access")  # the real op reads the missing shard spec
    _check_sharded_grid(op, program_config, x)
    _check_blocks(op, program_config, x)


def _check_sharded_grid(op: str, pc, x: Tensor) -> None:
    device_grid, grid = x.device().compute_with_storage_grid_size(), pc.compute_with_storage_grid_size
    require(grid.x <= device_grid.x and grid.y <= device_grid.y, op,
            f"program_config grid ({grid.x}x{grid.y}) must be contained within device grid "
            f"({device_grid.x}x{device_grid.y})")
    shard_box = x.memory_config().shard_spec.grid.bounding_box().grid_size()
    require(shard_box.x <= grid.x and shard_box.y <= grid.y, op,
            f"shard_spec.grid size {shard_box.x}x{shard_box.y} does not fit within program_config grid "
            f"{grid.x}x{grid.y}")


def _check_blocks(op: str, pc, x: Tensor) -> None:
    """block_h x block_w tiles per core must be the shard: one row of cores (M == block_h) splits K
    over all cores, a 2-D grid splits K over its columns and M over its rows."""
    require(pc.block_w % pc.subblock_w == 0, op, "block_w must be divisible by subblock_w.")
    spec = x.memory_config().shard_spec
    k_tiles = x.padded_shape[-1] // TILE
    m_tiles = x.physical_volume() // x.padded_shape[-1] // TILE
    box = spec.grid.bounding_box()
    if m_tiles == pc.block_h:
        want_w = -(-k_tiles // spec.num_cores())
        require(want_w == pc.block_w, op, f"block_w ({pc.block_w}) must equal to K (in tiles) / num_cores ({want_w})")
    else:
        columns, rows = box.end.x + 1, box.end.y + 1
        want_w = -(-k_tiles // columns)
        require(want_w == pc.block_w, op,
                f"block_w ({pc.block_w}) must equal to K (in tiles) / num_cores_c ({want_w})")
        require(m_tiles // rows == pc.block_h, op,
                f"block_h ({pc.block_h}) must equal to M (in tiles)/ num_cores_r ({m_tiles // rows})")
    require(pc.block_h * TILE == spec.shape[0], op,
            f"Block height * TILE_HEIGHT must match shard shape[0], got {pc.block_h * TILE} vs {spec.shape[0]}")
    require(pc.block_w * TILE == spec.shape[1], op,
            f"Block width * TILE_WIDTH must match shard shape[1], got {pc.block_w * TILE} vs {spec.shape[1]}")


def _check_params(op: str, weight, bias) -> None:
    if weight is not None and bias is not None:
        require(weight.layout == bias.layout, op, "Gamma and beta must have the same layout!")


def _output_config(op: str, x: Tensor, memory_config):
    """The output keeps the input's shard spec when the config given names none (an interleaved
    input has none to give: 0.81.1 reads the missing spec)."""
    config = memory_config or x.memory_config()
    require(x.is_sharded() or not config.is_sharded() or config.shard_spec is not None, op, "bad optional access")
    if x.is_sharded() and config.shard_spec is None:
        config = type(config)(config.memory_layout, config.buffer_type, x.memory_config().shard_spec)
    return config


def _compute(x_values, epsilon, gamma, beta, rms: bool, path):
    if rms:  # per row: a rank-1 input is one row
        y = numerics.rms_norm(x_values.reshape(-1, x_values.shape[-1]), epsilon, gamma, path).reshape(x_values.shape)
    else:
        centered = x_values - x_values.mean(-1, keepdim=True)
        y = centered * torch.rsqrt(centered.pow(2).mean(-1, keepdim=True) + epsilon)
        y = y if gamma is None else y * gamma
    return y if beta is None else y + beta


def _in_place(x: Tensor, y: torch.Tensor) -> Tensor:
    """inplace=True: the result goes into the input's own buffer (measured: same buffer address)."""
    stored = Tensor.from_values(y, x.dtype, x.layout, shape=tuple(x.shape))
    x.mutable_data().copy_(stored.storage())
    return x.view(x.storage(), x.shape)


def _normalize(op: str, input_tensor, epsilon, weight, bias, residual_input_tensor, memory_config, rms: bool,
               compute_kernel_config=None, program_config=None) -> Tensor:
    on_device(op, input_tensor, weight, bias, residual_input_tensor)
    _check_input(op, input_tensor, rms)
    if residual_input_tensor is not None:
        _check_residual(op, input_tensor, residual_input_tensor)
    _check_params(op, weight, bias)
    config = _output_config(op, input_tensor, memory_config)
    if input_tensor.is_sharded():
        _check_sharded_output(op, input_tensor, config)
    _check_program_config(op, program_config, input_tensor, rms)
    check_compute_kernel_config(op, compute_kernel_config)
    path = numerics.resolve("rms_norm", compute_kernel_config)
    x = input_tensor.values()
    if residual_input_tensor is not None:
        x = x + residual_input_tensor.values()
        x = numerics.round_bf16(x) if numerics.device_numerics() and not path.fp32_dest_acc_en else x
    width = input_tensor.shape[-1]
    gamma = _gamma(op, weight, input_tensor)[:width] if weight is not None else None
    beta = _gamma(op, bias, input_tensor)[:width] if bias is not None else None
    y = _compute(x, epsilon, gamma, beta, rms, path)
    record(op, input_tensor, weight, bias, residual_input_tensor, epsilon, config, path, program_config)
    if getattr(program_config, "inplace", False):
        return _in_place(input_tensor, y)
    return output(y, input_tensor.dtype, input_tensor, config, layout=input_tensor.layout)


def rms_norm(input_tensor, *, epsilon=1e-12, weight=None, bias=None, residual_input_tensor=None, memory_config=None,
             program_config=None, compute_kernel_config=None):
    return _normalize("ttnn.rms_norm", input_tensor, epsilon, weight, bias, residual_input_tensor, memory_config, True,
                      compute_kernel_config, program_config)


def layer_norm(input_tensor, *, epsilon=1e-12, weight=None, bias=None, residual_input_tensor=None, memory_config=None,
               program_config=None, compute_kernel_config=None, recip_tensor=None):
    return _normalize("ttnn.layer_norm", input_tensor, epsilon, weight, bias, residual_input_tensor, memory_config, False,
                      compute_kernel_config, program_config)
