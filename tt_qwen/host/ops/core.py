"""Host <-> device conversions and layout/memory/dtype changes (ttnn.from_torch & co)."""

from __future__ import annotations

import math
import os
import pathlib

import torch

from ..errors import require
from ..memory import DRAM_MEMORY_CONFIG, MemoryConfig, TensorMemoryLayout
from ..tensor import Tensor
from ..types import BLOCK_FLOAT, INTEGER, TORCH_DTYPE, DataType, Layout, storage_dtype, tile_padded
from .common import on_device, record

_FROM_TORCH_DTYPE = {torch.bfloat16: DataType.BFLOAT16, torch.float32: DataType.FLOAT32,
                     torch.int32: DataType.INT32, torch.int64: DataType.UINT32,
                     torch.int16: DataType.UINT16, torch.uint8: DataType.UINT8}


def _check_layout(op: str, dtype: DataType, layout: Layout,
                  message: str = "Layout must be Layout::TILE for bfloat8_b or bfloat4_b!") -> None:
    require(not (dtype in BLOCK_FLOAT and layout != Layout.TILE), op, message)


def check_memory(op: str, padded_shape, layout: Layout, memory_config: MemoryConfig) -> None:
    """A sharded placement must have a shard spec that covers the tensor as the device lays it out."""
    if not memory_config.is_sharded():
        return
    spec = memory_config.shard_spec
    # The real op dereferences the missing spec: "bad optional access".
    require(spec is not None, op, "bad optional access: a sharded memory config needs a shard spec")
    width = padded_shape[-1]
    height = math.prod(padded_shape) // width if width else 0
    shard_h, shard_w = spec.shape
    if layout == Layout.TILE:
        require(shard_h % 32 == 0 and shard_w % 32 == 0, op,
                f"Physical shard shape ({shard_h}, {shard_w}) must be tile {{32, 32}} sized!")
    cores = spec.num_cores()
    layout = memory_config.memory_layout
    if layout == TensorMemoryLayout.HEIGHT_SHARDED:
        require(shard_w == width, op, f"Shard width {shard_w} must match physical width {width} for height sharded")
        require(-(-height // shard_h) <= cores, op,
                f"Number of shards along height {-(-height // shard_h)} must not exceed number of cores {cores}")
    elif layout == TensorMemoryLayout.WIDTH_SHARDED:
        require(shard_h == height, op, f"Shard height {shard_h} must match physical height {height} for width sharded")
        require(-(-width // shard_w) <= cores, op,
                f"Number of shards along width {-(-width // shard_w)} must not exceed number of cores {cores}")
    else:
        box = spec.grid.bounding_box().grid_size()
        rows, cols = (box.y, box.x) if spec.orientation.name == "ROW_MAJOR" else (box.x, box.y)
        require(-(-height // shard_h) <= rows, op,
                f"Number of shards along height {-(-height // shard_h)} must not exceed number of rows {rows}")
        require(-(-width // shard_w) <= cols, op,
                f"Number of shards along width {-(-width // shard_w)} must not exceed number of columns {cols}")


def from_torch(tensor, dtype=None, *, spec=None, tile=None, pad_value=None, layout=None, device=None,
               memory_config=None, mesh_mapper=None, cq_id=None, preserve_nan_values=False, col_tilize=False,
               enable_bfloat_opt=False):
    if tensor is None:
        return None
    if spec is not None:
        dtype, layout = spec.dtype, spec.layout
        memory_config = memory_config or spec.memory_config
    if dtype is None:
        require(tensor.dtype in _FROM_TORCH_DTYPE, "from_torch", f"Unsupported torch dtype {tensor.dtype}")
        dtype = _FROM_TORCH_DTYPE[tensor.dtype]
    if layout is None:
        layout = Layout.TILE if dtype in BLOCK_FLOAT else Layout.ROW_MAJOR
    _check_layout("from_torch", dtype, layout)
    require(tile is None or list(tile.tile_shape) == [32, 32], "from_torch",
            "host backend supports 32x32 tiles only")
    # A copy, as the device's own buffer is: tensors never alias the caller's torch storage.
    values = tensor.detach().cpu().clone()
    if col_tilize:
        require(dtype in BLOCK_FLOAT and values.dim() >= 2, "from_torch",
                "col_tilize requires dtype bfloat8_b or bfloat4_b and a tensor of rank >= 2")
        values = values.transpose(-1, -2).contiguous()
    if dtype not in INTEGER and not values.is_floating_point():
        values = values.to(torch.float32)
    elif values.is_floating_point() and values.dtype not in (torch.float32, torch.bfloat16):
        values = values.to(torch.float32)
    # `values` is our own copy, so a storage that aliases it never aliases the caller's tensor.
    host = Tensor.from_values(values, dtype, layout, pad_value=0.0 if pad_value is None else pad_value)
    if device is not None:
        return to_device(host, device, memory_config)
    return host


def to_torch(tensor, dtype=None, *, torch_rank=None, mesh_composer=None, device=None, cq_id=None):
    if isinstance(tensor, torch.Tensor):
        return tensor
    tensor._check_allocated("to_torch")
    out = tensor.values().to(TORCH_DTYPE[tensor.dtype]).clone()  # a host copy, never a view of the device buffer
    if torch_rank is not None:
        while out.dim() > torch_rank:
            require(out.shape[0] == 1, "to_torch", "Cannot squeeze a dimension that is not 1 to reach torch_rank")
            out = out.squeeze(0)
    if dtype is not None:
        out = out.to(dtype)
    return out


def as_tensor(tensor, dtype=None, *, layout=Layout.ROW_MAJOR, device=None, memory_config=None,
              cache_file_name=None, preprocess=None, mesh_mapper=None, cache_dump_mode=None, use_device_tilizer=False):
    """from_torch with an on-disk cache of the stored (already rounded/quantized) representation."""
    if device is not None and memory_config is None:
        raise RuntimeError("memory_config must be specified when device is specified")

    def convert(t):
        if preprocess is not None:
            t = preprocess(t)
        return from_torch(t, dtype, layout=layout)

    if cache_file_name is None:
        host = convert(tensor)
    else:
        path = pathlib.Path(f"{cache_file_name}_dtype_{dtype.name if dtype else 'None'}_layout_{layout.name}.pt")
        host = _load(path)
        if host is None:
            host = convert(tensor)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            torch.save({"data": host.storage(), "shape": list(host.shape), "dtype": host.dtype.name,
                        "layout": host.layout.name}, tmp)
            os.replace(tmp, path)
    if device is not None:
        return to_device(host, device, memory_config)
    return host


def _load(path: pathlib.Path):
    if not path.exists():
        return None
    saved = torch.load(path, weights_only=True)
    return Tensor(saved["data"], saved["shape"], DataType[saved["dtype"]], Layout[saved["layout"]])


def to_device(tensor, device, memory_config=None, *, queue_id=None, cq_id=None):
    if tensor.device() is not None:
        require(tensor.device() is device, "to_device", "Tensor is already on a different device")
        return tensor
    memory_config = memory_config or DRAM_MEMORY_CONFIG
    require(memory_config.buffer_type.name in ("DRAM", "L1"), "to_device",
            f"Unsupported buffer type {memory_config.buffer_type} for a device tensor")
    check_memory("to_device", tensor.padded_shape, tensor.layout, memory_config)
    return tensor.on_device(device, memory_config)


def from_device(tensor, blocking=True, *, queue_id=None, cq_id=None):
    tensor._check_allocated("from_device")
    if tensor.device() is None:
        return tensor
    return tensor.host_copy()


def _relayout(tensor: Tensor, layout: Layout, dtype: DataType, memory_config, pad_value: float = 0.0) -> Tensor:
    return Tensor.from_values(tensor.values(), dtype, layout, tensor.device(),
                              memory_config if tensor.device() is not None else None, pad_value=pad_value)


def to_layout(tensor, layout, dtype=None, memory_config=None, sub_core_grids=None, pad_value=0.0):
    op = "ttnn.to_layout"
    tensor._check_allocated(op)
    dtype = tensor.dtype if dtype is None else dtype
    if layout == tensor.layout and dtype == tensor.dtype and memory_config in (None, tensor.memory_config()):
        return tensor
    require(layout in (Layout.ROW_MAJOR, Layout.TILE), op, f"Unsupported layout {layout}")
    if layout == Layout.ROW_MAJOR and tensor.device() is not None:
        # Untilizing block-float yields bfloat16; any other dtype change is refused on device.
        if tensor.dtype in BLOCK_FLOAT and dtype == tensor.dtype:
            dtype = DataType.BFLOAT16
        require(dtype == tensor.dtype or (tensor.dtype in BLOCK_FLOAT and dtype == DataType.BFLOAT16), op,
                "dtype cannot be different from tensor dtype when converting to ROW_MAJOR_LAYOUT on device "
                "(allowed exception: BFLOAT8_B -> BFLOAT16, which untilize handles natively)!")
    _check_layout(op, dtype, layout)
    if tensor.device() is not None:
        record(op, tensor, layout, dtype)
    return _relayout(tensor, layout, dtype, memory_config or tensor.memory_config(), pad_value)


def to_memory_config(tensor, memory_config, dtype=None, output_tensor=None):
    op = "ttnn.to_memory_config"
    on_device(op, tensor)
    # Measured on 0.81.1: a request for the tensor's own memory config returns it unchanged, dtype included.
    if memory_config == tensor.memory_config():
        return tensor
    dtype = tensor.dtype if dtype is None else dtype
    _check_layout(op, dtype, tensor.layout)
    check_memory(op, tensor.padded_shape, tensor.layout, memory_config)
    record(op, tensor, memory_config, dtype)
    return Tensor.from_values(tensor.values(), dtype, tensor.layout, tensor.device(), memory_config)


def typecast(input_tensor, dtype, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    op = "ttnn.typecast"
    input_tensor._check_allocated(op)  # host tensors are converted on the host, as the real op does
    _check_layout(op, dtype, input_tensor.layout, f"Only TILE layout is supported for {dtype.name} dtype!")
    record(op, input_tensor, dtype)
    values = input_tensor.values()
    if dtype in INTEGER and values.is_floating_point():
        # The SFPU converts float to int by rounding to nearest (ties to even), saturating at 0 for uint.
        values = torch.round(values.to(torch.float64)).to(torch.int64)
    return Tensor.from_values(values, dtype, input_tensor.layout, input_tensor.device(),
                              memory_config or input_tensor.memory_config())


def clone(input_tensor, *, dtype=None, memory_config=None, compute_kernel_config=None):
    op = "ttnn.clone"
    on_device(op, input_tensor)
    dtype = input_tensor.dtype if dtype is None else dtype
    record(op, input_tensor, dtype)
    return Tensor.from_values(input_tensor.values(), dtype, input_tensor.layout, input_tensor.device(),
                              memory_config or input_tensor.memory_config())


def allocate_tensor_on_device(shape, dtype, layout, device, memory_config=None):
    """An uninitialised device tensor; the host fills it with zeros (the device leaves stale memory)."""
    shape = tuple(shape)
    padded = tile_padded(shape) if layout == Layout.TILE else shape
    memory_config = memory_config or DRAM_MEMORY_CONFIG
    check_memory("allocate_tensor_on_device", padded, layout, memory_config)
    buffer = device._allocate(padded, dtype, layout, memory_config)
    # A broadcast zero costs no host memory until an in-place op writes into it.
    data = torch.zeros((1,) * len(padded), dtype=storage_dtype(dtype)).expand(padded)
    return Tensor(data, shape, dtype, layout, device, memory_config, buffer)


def copy_host_to_device_tensor(host_tensor, device_tensor, cq_id=None) -> None:
    """Write a host tensor's data into an existing device tensor (same spec), in place."""
    op = "ttnn.copy_host_to_device_tensor"
    require(host_tensor.device() is None, op, "Source tensor must be on host")
    on_device(op, device_tensor)
    require(host_tensor.padded_shape == device_tensor.padded_shape and host_tensor.dtype == device_tensor.dtype
            and host_tensor.layout == device_tensor.layout, op, "Host and device tensors must have the same spec")
    device_tensor.mutable_data().copy_(host_tensor.storage())


def deallocate(tensor, force: bool = True) -> None:
    tensor.deallocate(force)


def reallocate(input_tensor, memory_config=None):
    on_device("ttnn.reallocate", input_tensor)
    return input_tensor.host_copy(memory_config or input_tensor.memory_config())


def get_memory_config(tensor):
    return tensor.memory_config()


__all__ = ["allocate_tensor_on_device", "copy_host_to_device_tensor", "from_torch", "to_torch", "as_tensor", "to_device", "from_device", "to_layout", "to_memory_config",
           "typecast", "clone", "deallocate", "reallocate", "get_memory_config"]
