"""ttnn.embedding: a row gather from a bfloat16 table."""

from __future__ import annotations

import torch

from ..errors import require
from ..memory import NamedEnum
from ..tensor import BLOCK_FLOAT, DataType, Tensor
from .common import on_device, record

OP = "ttnn.embedding"


class EmbeddingsType(NamedEnum):
    GENERIC = 0
    PADDED = 1
    BINARY = 2


def embedding(input_tensor: Tensor, weight: Tensor, *, padding_idx=None, layout=None,
              embeddings_type=EmbeddingsType.GENERIC, dtype=None, memory_config=None, output_tensor=None,
              queue_id=None) -> Tensor:
    on_device(OP, input_tensor, weight)
    require(input_tensor.dtype in (DataType.UINT32, DataType.BFLOAT16), OP, "Input must be UINT32 or BFLOAT16")
    # A TILE table is untilized first (block-float untilizes to bfloat16), so only the dtype is checked.
    table_dtype = DataType.BFLOAT16 if weight.dtype in BLOCK_FLOAT else weight.dtype
    require(table_dtype == DataType.BFLOAT16, OP, "Weights tensor must have BFLOAT16 dtype")
    vocab, hidden = weight.shape[-2], weight.shape[-1]
    ids = input_tensor.values()
    shape = list(ids.shape)
    # Output: [S, H] for 1-D ids, otherwise [batch, S, H] (middle dims of [B, 1, 1, S] ids drop).
    out_shape = [shape[-1], hidden] if len(shape) == 1 else [shape[0], shape[-1], hidden]
    index = ids.reshape(-1).to(torch.int64) if not ids.is_floating_point() else ids.reshape(-1).trunc().to(torch.int64)
    # The device reads whatever memory an out-of-range id names; the host refuses instead of inventing rows.
    require(bool((index >= 0).all() and (index < vocab).all()), OP,
            f"host backend: index out of range, ids must be in [0, {vocab}) (the device reads undefined memory)")
    rows = weight.stored().reshape(-1, hidden)[index].to(torch.float32)
    if padding_idx is not None:
        rows[index == padding_idx] = 0.0
    layout = weight.layout if layout is None else layout
    out_dtype = table_dtype if dtype is None else dtype
    record(OP, input_tensor, weight, layout, out_dtype)
    return Tensor.from_values(rows.reshape(out_shape), out_dtype, layout, weight.device(),
                              memory_config or input_tensor.memory_config())
