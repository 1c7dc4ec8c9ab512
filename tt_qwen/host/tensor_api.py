"""The public ttnn.Tensor of 0.81.1 on the host: its constructors and the methods bring-up code and
tt-metal's op tests call (`ttnn.Tensor(torch_tensor, dtype, device, layout, mem_config)`,
`.to(device, mem_config)`, `.item()`, `.pad_to_tile(v)`, ...), bound onto Tensor once the ops exist.

The ops build Tensors with the internal constructor `Tensor(storage, shape, dtype, layout, ...)`;
a call whose second argument is not a shape is one of the public overloads, measured on 0.81.1:
- `Tensor(torch_tensor, data_type=None, device=None, layout=None, mem_config=None, tile=None,
  cq_id=None, pad_value=None, mesh_mapper=None, ...)`: `from_torch` (ROW_MAJOR unless block-float);
- `Tensor(data: list, shape, data_type, layout, device=None, memory_config=None, tile=None, pad_value=0)`;
- `Tensor(other)`: another handle on the same storage.
"""

from __future__ import annotations

import torch

from . import api
from .errors import require
from .memory import MemoryConfig
from .ops.core import from_device, from_torch, to_device, to_layout, to_torch
from .ops.data_movement import reshape
from .tensor import Tensor, Tile
from .types import INTEGER, TORCH_DTYPE, DataType, Layout, Shape, tile_padded

_internal_init = Tensor.__init__
_from_torch = api.expose("from_torch", from_torch)


def _is_internal(data, args, kwargs) -> bool:
    shape = args[0] if args else kwargs.get("shape")
    return isinstance(data, torch.Tensor) and isinstance(shape, (list, tuple, Shape, torch.Size))


def _adopt(self: Tensor, built: Tensor) -> None:
    """Make `self` the tensor `built` is; `built` gives up its claim on the buffer."""
    self.__dict__.update(built.__dict__)
    built._released = True


def _from_torch_form(tensor, data_type=None, device=None, layout=None, mem_config=None, tile=None, cq_id=None,
                     pad_value=None, mesh_mapper=None, preserve_nan_values=False, col_tilize=False,
                     enable_bfloat_opt=False) -> Tensor:
    return _from_torch(tensor, data_type, layout=layout, device=device, memory_config=mem_config, tile=tile,
                       cq_id=cq_id, pad_value=pad_value, mesh_mapper=mesh_mapper,
                       preserve_nan_values=preserve_nan_values, col_tilize=col_tilize,
                       enable_bfloat_opt=enable_bfloat_opt)


def _from_list_form(data, shape, data_type, layout, device=None, memory_config=None, tile=None,
                    pad_value=0.0) -> Tensor:
    api.refusal("Tensor", "tile", tile, None)
    values = torch.tensor(list(data), dtype=torch.int64 if data_type in INTEGER else torch.float32)
    require(values.numel() == torch.Size(shape).numel(), "Tensor",
            f"data has {values.numel()} values but shape {list(shape)} needs {torch.Size(shape).numel()}")
    return Tensor.from_values(values.reshape(tuple(shape)), data_type, layout, device,
                              memory_config if device is not None else None, pad_value=pad_value)


def _init(self: Tensor, data, *args, **kwargs) -> None:
    if _is_internal(data, args, kwargs):
        _internal_init(self, data, *args, **kwargs)
    elif isinstance(data, Tensor):
        require(not args and not kwargs, "Tensor", "Tensor(other) takes no other arguments")
        _internal_init(self, data._data, data.shape, data.dtype, data.layout, data.device(),
                       data.memory_config(), data._buffer)
    elif isinstance(data, (list, tuple)):
        _adopt(self, _from_list_form(data, *args, **kwargs))
    else:
        _adopt(self, _from_torch_form(torch.as_tensor(data), *args, **kwargs))


def _to(self: Tensor, device=None, mem_config: MemoryConfig | None = None, cq_id=None, *, target_layout=None):
    """to(device, mem_config=None, cq_id=None) or to(target_layout), as in 0.81.1."""
    if target_layout is not None or isinstance(device, Layout):
        return to_layout(self, device if target_layout is None else target_layout)
    api.refusal("Tensor.to", "cq_id", cq_id, None)
    require(device is not None, "Tensor.to", "to() needs a device or a layout")
    return to_device(self, device, mem_config)


def _cpu(self: Tensor, blocking: bool = True, cq_id=None) -> Tensor:
    """Host ops complete eagerly, so `blocking` changes nothing; one command queue."""
    api.refusal("Tensor.cpu", "cq_id", cq_id, None)
    return from_device(self)


def _to_torch(self: Tensor, mesh_composer=None) -> torch.Tensor:
    api.refusal("Tensor.to_torch", "mesh_composer", mesh_composer, None)
    return to_torch(self)


def _reshape(self: Tensor, *shape) -> Tensor:
    """reshape(a, b, c, d), reshape(Shape) or reshape(sequence)."""
    dims = list(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else list(shape)
    require(len(shape) in (1, 4), "Tensor.reshape", "reshape takes four ints, a Shape or a sequence of ints")
    return reshape(self, dims)


def _host_values(self: Tensor, op: str) -> torch.Tensor:
    require(self.device() is None, op, f"{op} works on host tensors only; call .cpu() first")
    return self.padded_values()


def _with_padding(self: Tensor, padded, pad_value: float) -> Tensor:
    """The same logical values stored in a larger ROW_MAJOR buffer whose extra elements hold pad_value."""
    values = self.values()
    storage = torch.full(tuple(padded), float(pad_value), dtype=values.dtype if values.is_floating_point()
                         else torch.float64)
    storage[tuple(slice(0, d) for d in values.shape)] = values
    encoded = Tensor.from_values(storage, self.dtype, Layout.ROW_MAJOR)._data
    return Tensor(encoded, self.shape, self.dtype, Layout.ROW_MAJOR)


def _pad(self: Tensor, output_tensor_shape, input_tensor_start, pad_value: float) -> Tensor:
    """Host ROW_MAJOR padding: the logical shape stays, the padded shape becomes output_tensor_shape."""
    _host_values(self, "Tensor.pad")
    require(self.layout == Layout.ROW_MAJOR, "Tensor.pad", "Tensor layout must be ROW_MAJOR for padding")
    require(all(s == 0 for s in input_tensor_start), "Tensor.pad", "input_tensor_start must be all zeros")
    require(all(o >= d for o, d in zip(output_tensor_shape, self.shape)), "Tensor.pad",
            f"output shape {list(output_tensor_shape)} must not be smaller than {list(self.shape)}")
    return _with_padding(self, output_tensor_shape, pad_value)


def _pad_to_tile(self: Tensor, pad_value: float) -> Tensor:
    _host_values(self, "Tensor.pad_to_tile")
    return _with_padding(self, tile_padded(self.shape), pad_value)


def _unpad(self: Tensor, output_tensor_start, output_tensor_end) -> Tensor:
    """Host ROW_MAJOR values [start, end) as a new tensor."""
    values = _host_values(self, "Tensor.unpad")
    require(self.layout == Layout.ROW_MAJOR, "Tensor.unpad", "Tensor layout must be ROW_MAJOR for unpadding")
    index = tuple(slice(s, e) for s, e in zip(output_tensor_start, output_tensor_end))
    return Tensor.from_values(values[index].contiguous(), self.dtype, Layout.ROW_MAJOR)


def _unpad_from_tile(self: Tensor, output_tensor_shape) -> Tensor:
    return _unpad(self, [0] * len(output_tensor_shape), list(output_tensor_shape))


def _to_torch_with_padded_shape(self: Tensor) -> torch.Tensor:
    return self.padded_values().to(TORCH_DTYPE[self.dtype]).clone()


def _to_list(self: Tensor) -> list:
    return to_torch(self).tolist()


def _item(self: Tensor):
    require(self.logical_volume() == 1, "Tensor.item", f"item() needs a one-element tensor, got shape {self.shape}")
    return to_torch(self).reshape(-1)[0].item()


def _to_numpy(self: Tensor, mesh_composer=None):
    api.refusal("Tensor.to_numpy", "mesh_composer", mesh_composer, None)
    values = to_torch(self)
    return (values.float() if self.dtype in (DataType.BFLOAT16,) else values).numpy()


def _get_tile(self: Tensor) -> Tile:
    return Tile()


def bind() -> None:
    """Bind the public constructor and methods onto Tensor (once, from the package)."""
    Tensor.__init__ = _init
    for name, method in (("to", _to), ("cpu", _cpu), ("to_torch", _to_torch), ("reshape", _reshape),
                         ("pad", _pad), ("pad_to_tile", _pad_to_tile), ("unpad", _unpad),
                         ("unpad_from_tile", _unpad_from_tile), ("to_list", _to_list), ("item", _item),
                         ("to_numpy", _to_numpy), ("to_torch_with_padded_shape", _to_torch_with_padded_shape),
                         ("get_tile", _get_tile)):
        setattr(Tensor, name, method)
