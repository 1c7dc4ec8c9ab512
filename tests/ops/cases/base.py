"""What every op family shares: the case types, seeded inputs, spec helpers and torch references.

An `OpCase` calls one TTNN op the way the Qwen3 model does, on seeded inputs, and carries:
- `run(ttnn, device)`: builds the inputs with `ttnn.from_torch` and calls the op; returns the
  output tensor(s) (for the in-place cache ops: the returned tensor and the cache itself);
- `reference()`: the expected result(s), computed with plain torch (float64 unless noted) from
  the SAME dtype-rounded inputs, written independently of any backend;
- `specs`: what the real ttnn 0.81.1 reports for each output (logical and padded shape, dtype,
  layout, memory config), from its sources and the mock probe (docs/ttnn-0.81.1-probe.md);
- `golden()`: optional (args, kwargs) in torch terms for `ttnn.get_golden_function(op)`.

A `RefusalCase` is one invalid call per documented constraint: `run` must raise RuntimeError
whose message matches `match` (the real ttnn's TT_FATAL text and the host backend's wording of
the same rule).

Inputs are seeded from the case id (crc32), so they do not depend on test order, and both `run`
and `reference` see identical values. Only torch is imported here: the ttnn module is always
passed in (host backend, mock or real device).
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import torch

BF16 = torch.bfloat16

# ---- the model's dimensions -------------------------------------------------------------------


@dataclass(frozen=True)
class Dims:
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    max_seq: int  # rows of the cos/sin tables the model builds


QWEN = Dims(hidden=1024, heads=16, kv_heads=8, head_dim=128, intermediate=3072, vocab=151936, max_seq=2048)
TINY = Dims(hidden=128, heads=4, kv_heads=2, head_dim=64, intermediate=256, vocab=512, max_seq=256)
RMS_EPS = 1e-6  # Qwen3 rms_norm_eps; ttnn.rms_norm's own default is 1e-12
ROPE_THETA = 1_000_000.0

# Short names for the Qwen3-0.6B figures the case lists use over and over.
Q, T = QWEN, TINY
H, NQ, NKV, HD = Q.hidden, Q.heads, Q.kv_heads, Q.head_dim
QKV_WIDTH = (NQ + 2 * NKV) * HD  # 4096


# ---- case types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What the real op reports for one output tensor."""

    shape: tuple
    padded: tuple
    dtype: str = "bfloat16"  # attribute name on the ttnn module
    layout: str = "TILE"  # TILE | ROW_MAJOR
    buffer: str = "DRAM"  # ttnn.BufferType member
    memory: str = "INTERLEAVED"  # ttnn.TensorMemoryLayout member
    shard_shape: tuple | None = None
    shard_cores: int | None = None
    note: str = ""  # where the expectation comes from when it is not obvious


@dataclass(frozen=True, eq=False)
class OpCase:
    id: str
    op: str  # path under the ttnn module, e.g. "experimental.rotary_embedding"
    run: Callable[[Any, Any], Any]
    reference: Callable[[], Any]
    component: str  # thresholds.PCC key
    dtype: str = "bfloat16"  # thresholds.PCC dtype key
    exact: bool = False  # data movement: torch.equal after to_torch
    specs: tuple = ()
    slow: bool = False
    golden: Callable[[], tuple] | None = None  # () -> (args, kwargs) for the real golden function
    select: Callable[[torch.Tensor, int], torch.Tensor] | None = None  # (tensor, output index) -> compared part
    check: Callable[[torch.Tensor, Any, str], None] | None = None  # custom comparison (actual, expected, what)
    device_numbers: bool = True  # False: the values never touch the device (host conversions)

    def __repr__(self):
        return f"OpCase({self.id})"


@dataclass(frozen=True, eq=False)
class RefusalCase:
    id: str
    op: str
    run: Callable[[Any, Any], Any]
    match: str  # regex the RuntimeError message must match
    note: str = ""

    def __repr__(self):
        return f"RefusalCase({self.id})"


# ---- seeded inputs ----------------------------------------------------------------------------

_MEMO: OrderedDict = OrderedDict()
_MEMO_SIZE = 4


def memo(key: str, build: Callable[[], dict]) -> dict:
    """The inputs of one case, built once while the case is in use (run + reference)."""
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return _MEMO[key]
    value = build()
    _MEMO[key] = value
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return value


def generator(key: str) -> torch.Generator:
    return torch.Generator().manual_seed(zlib.crc32(key.encode()))


def randn(gen, shape, scale: float = 1.0, dtype=BF16) -> torch.Tensor:
    return (torch.randn(shape, generator=gen, dtype=torch.float32) * scale).to(dtype)


def seeded_input(shape, key="x", dtype=BF16) -> torch.Tensor:
    """A refusal's input: seeded from its name and shape (its values never matter, only its spec)."""
    return randn(generator(key + "x".join(map(str, shape))), shape, dtype=dtype)


def f64(t: torch.Tensor) -> torch.Tensor:
    return t.to(torch.float64)


def shape_tag(shape) -> str:
    return "x".join(map(str, shape))


@lru_cache(maxsize=1)
def embedding_table(vocab: int, hidden: int) -> torch.Tensor:
    """The (tied) embedding / LM head table, bf16 [vocab, hidden]; 311 MB at Qwen3-0.6B size."""
    gen = generator(f"embedding-table-{vocab}x{hidden}")
    return torch.randn((vocab, hidden), generator=gen, dtype=BF16)


@lru_cache(maxsize=4)
def rope_tables(max_seq: int, head_dim: int, theta: float = ROPE_THETA) -> tuple:
    """HF Qwen3 cos/sin (rotate-half, emb = cat(freqs, freqs)) as bf16 [1, 1, max_seq, head_dim]."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = torch.outer(torch.arange(max_seq, dtype=torch.float64), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    shape = (1, 1, max_seq, head_dim)
    return emb.cos().to(BF16).reshape(shape), emb.sin().to(BF16).reshape(shape)


# ---- small helpers over the ttnn module -------------------------------------------------------


def _round32(n: int) -> int:
    return -(-n // 32) * 32


def tile_padded(shape) -> tuple:
    """The padded shape of a TILE tensor; a rank-1 tensor pads to rank 2 ([n] -> [32, n32]), as 0.81.1 does."""
    shape = tuple(shape)
    if len(shape) == 1:
        return (32, _round32(shape[0]))
    return (*shape[:-2], _round32(shape[-2]), _round32(shape[-1]))


def tile(shape, dtype="bfloat16", **kw) -> Spec:
    return Spec(tuple(shape), tile_padded(shape), dtype=dtype, **kw)


def row_major(shape, dtype="bfloat16", **kw) -> Spec:
    return Spec(tuple(shape), tuple(shape), dtype=dtype, layout="ROW_MAJOR", **kw)


def layout_of(ttnn, name: str):
    return {"TILE": ttnn.TILE_LAYOUT, "ROW_MAJOR": ttnn.ROW_MAJOR_LAYOUT}[name]


def to_dev(ttnn, device, t, dtype="bfloat16", layout="TILE", memory_config=None):
    kwargs = dict(dtype=getattr(ttnn, dtype), layout=layout_of(ttnn, layout), device=device)
    if memory_config is not None:
        kwargs["memory_config"] = memory_config
    return ttnn.from_torch(t, **kwargs)


def on_host(ttnn, t, dtype="bfloat16", layout="TILE"):
    """A host tensor (no device): what the "must be on device" refusals pass."""
    return ttnn.from_torch(t, dtype=getattr(ttnn, dtype), layout=layout_of(ttnn, layout))


_GRID_FOR_CORES = {1: (1, 1), 2: (1, 2), 4: (1, 4), 8: (1, 8), 16: (2, 8), 32: (4, 8)}


def sharded(ttnn, shard_hw, cores: int, strategy: str = "HEIGHT"):
    """An L1 sharded memory config with an explicit shard shape on the first `cores` cores."""
    y, x = _GRID_FOR_CORES[cores]
    return ttnn.create_sharded_memory_config(
        shard_hw, core_grid=ttnn.CoreGrid(y=y, x=x), strategy=getattr(ttnn.ShardStrategy, strategy),
        orientation=ttnn.ShardOrientation.ROW_MAJOR, use_height_and_width_as_shard_shape=True)


def first_rows(n: int):
    """select: compare only the first n rows (dim -2) of every output (the rest is padding)."""
    return lambda t, i: t[..., :n, :]


# ---- references shared by several families (plain torch, float64) -----------------------------


def ref_rms_norm(x, weight, eps):
    x = f64(x)
    out = x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    return out if weight is None else out * f64(weight).reshape(-1)


def ref_rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def ref_rope(x, cos, sin):
    x = f64(x)
    return x * f64(cos) + ref_rotate_half(x) * f64(sin)


def ref_attention(q, k, v, mask=None, scale=None):
    """q [b, nqh, sq, d], k/v [b, nkv, sk, d] (GQA by repeating KV heads), additive mask."""
    q, k, v = f64(q), f64(k), f64(v)
    group = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    scores = q @ k.transpose(-1, -2) * scale
    if mask is not None:
        scores = scores + f64(mask)
    return torch.softmax(scores, dim=-1) @ v


def causal_mask(sq: int, sk: int) -> torch.Tensor:
    """Query i (the last sq of sk positions) sees keys 0 .. sk - sq + i; additive 0 / -inf."""
    keep = torch.ones(sq, sk, dtype=torch.bool).tril(diagonal=sk - sq)
    return torch.zeros(sq, sk).masked_fill(~keep, float("-inf"))


def split_fused_qkv(x, heads, kv_heads, head_dim):
    """[b, 1, s, (h + 2 kv) d] -> q [b, h, s, d], k [b, kv, s, d], v [b, kv, s, d]."""
    b, _, s, _ = x.shape
    q_end, k_end = heads * head_dim, (heads + kv_heads) * head_dim
    q = x[..., :q_end].reshape(b, s, heads, head_dim).permute(0, 2, 1, 3)
    k = x[..., q_end:k_end].reshape(b, s, kv_heads, head_dim).permute(0, 2, 1, 3)
    v = x[..., k_end:].reshape(b, s, kv_heads, head_dim).permute(0, 2, 1, 3)
    return q, k, v


# A refusal of a host tensor: the real ttnn's wordings ("Operand to matmul must be on device",
# "Device Operations expect device tensors as inputs") or the host backend's statement of it.
ON_DEVICE = r"(?i)must be on device|need to be on device|expect device tensors"
