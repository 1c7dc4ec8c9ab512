"""Element-wise ops: binary add/sub/mul with broadcasting, unary silu & co, softmax."""

from __future__ import annotations

import operator

import torch

from ..errors import require
from ..tensor import DataType, Layout, Tensor, cpp
from .common import on_device, output, record
from .matmul import activation_fn

ELTWISE_DTYPES = (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B, DataType.BFLOAT4_B,
                  DataType.INT32, DataType.UINT32, DataType.UINT16)


def _broadcastable(op: str, a, b) -> None:
    rank = max(len(a), len(b))
    full_a, full_b = [1] * (rank - len(a)) + list(a), [1] * (rank - len(b)) + list(b)
    require(all(x == y or x == 1 or y == 1 for x, y in zip(full_a, full_b)), op,
            f"Invalid subtile broadcast type: shapes {a} and {b} are not broadcast-compatible")


def _binary(op: str, fn, a, b, dtype, memory_config, activations=()):
    tensors = [t for t in (a, b) if isinstance(t, Tensor)]
    require(tensors, op, "At least one operand must be a ttnn.Tensor")
    for name, t in (("A", a), ("B", b)):
        if isinstance(t, Tensor):
            require(t.device() is not None, op, f"Input tensor {name} must be on device, got storage type: StorageType::HOST")
            require(t.is_allocated(), op, f"Input Tensor {name} is not allocated")
    on_device(op, *tensors)
    for t in tensors:
        require(t.dtype in ELTWISE_DTYPES, op, f"Unsupported dtype {cpp(t.dtype)}")
    like = a if isinstance(a, Tensor) else b
    layout = Layout.TILE if any(t.layout == Layout.TILE for t in tensors) else Layout.ROW_MAJOR
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        _broadcastable(op, a.shape, b.shape)
    x = a.values() if isinstance(a, Tensor) else a
    y = b.values() if isinstance(b, Tensor) else b
    result = fn(x, y)
    for activation in activations or ():
        result = activation_fn(op, activation)(result)
    out_dtype = like.dtype if dtype is None else dtype
    record(op, a if isinstance(a, Tensor) else repr(a), b if isinstance(b, Tensor) else repr(b), out_dtype)
    return output(result, out_dtype, like, memory_config or like.memory_config(), layout=layout)


def add(input_tensor_a, input_tensor_b, *, fast_and_approximate_mode=True, dtype=None, memory_config=None,
        output_tensor=None, activations=(), input_tensor_a_activations=(), input_tensor_b_activations=(),
        sub_core_grids=None, sub_device_id=None):
    return _binary("ttnn.add", operator.add, input_tensor_a, input_tensor_b, dtype, memory_config, activations)


def subtract(input_tensor_a, input_tensor_b, *, fast_and_approximate_mode=True, dtype=None, memory_config=None,
             output_tensor=None, activations=(), input_tensor_a_activations=(), input_tensor_b_activations=(),
             sub_core_grids=None, sub_device_id=None):
    return _binary("ttnn.subtract", operator.sub, input_tensor_a, input_tensor_b, dtype, memory_config, activations)


def multiply(input_tensor_a, input_tensor_b, *, fast_and_approximate_mode=False, dtype=None, memory_config=None,
             output_tensor=None, activations=(), input_tensor_a_activations=(), input_tensor_b_activations=(),
             sub_core_grids=None, sub_device_id=None):
    return _binary("ttnn.multiply", operator.mul, input_tensor_a, input_tensor_b, dtype, memory_config, activations)


def _unary(op: str, fn, input_tensor: Tensor, memory_config) -> Tensor:
    on_device(op, input_tensor)
    require(input_tensor.dtype in (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B), op,
            f"Supported dtypes are FLOAT32, BFLOAT16, BFLOAT8_B; got {cpp(input_tensor.dtype)}")
    record(op, input_tensor)
    return output(fn(input_tensor.values()), input_tensor.dtype, input_tensor,
                  memory_config or input_tensor.memory_config(), layout=input_tensor.layout)


def silu(input_tensor, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    return _unary("ttnn.silu", torch.nn.functional.silu, input_tensor, memory_config)


def neg(input_tensor, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    return _unary("ttnn.neg", torch.neg, input_tensor, memory_config)


def relu(input_tensor, *, memory_config=None, output_tensor=None, sub_core_grids=None):
    return _unary("ttnn.relu", torch.relu, input_tensor, memory_config)


def exp(input_tensor, *, fast_and_approximate_mode=False, memory_config=None, output_tensor=None, sub_core_grids=None):
    return _unary("ttnn.exp", torch.exp, input_tensor, memory_config)


def softmax(input_tensor, dim=-1, *, memory_config=None, compute_kernel_config=None, numeric_stable=True):
    op = "ttnn.softmax"
    on_device(op, input_tensor)
    require(input_tensor.dtype in (DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B), op,
            f"Unsupported dtype {cpp(input_tensor.dtype)}")
    record(op, input_tensor, dim)
    return output(torch.softmax(input_tensor.values(), dim=dim), input_tensor.dtype, input_tensor,
                  memory_config or input_tensor.memory_config())


def argmax(input_tensor, dim=None, keepdim=False, *, sub_core_grids=None, memory_config=None, output_tensor=None,
           enable_secondary_dm=None):
    """Index of the maximum (first one on ties, like torch), as a UINT32 ROW_MAJOR tensor."""
    op = "ttnn.argmax"
    on_device(op, input_tensor, message="Input tensor must be on device")
    values = input_tensor.values()
    index = values.reshape(-1).argmax() if dim is None else values.argmax(dim=dim, keepdim=keepdim)
    record(op, input_tensor, dim, keepdim)
    return output(index, DataType.UINT32, input_tensor, memory_config or input_tensor.memory_config(),
                  layout=Layout.ROW_MAJOR)


mul = multiply
sub = subtract
