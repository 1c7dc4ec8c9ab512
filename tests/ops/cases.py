"""The op cases of the op tier, as data: reusable by the mock tier (tests/mock) and any backend.

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
    family: str  # test file: test_<family>.py
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


def _memo(key: str, build: Callable[[], dict]) -> dict:
    """The inputs of one case, built once while the case is in use (run + reference)."""
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return _MEMO[key]
    value = build()
    _MEMO[key] = value
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return value


def _gen(key: str) -> torch.Generator:
    return torch.Generator().manual_seed(zlib.crc32(key.encode()))


def _randn(gen, shape, scale: float = 1.0, dtype=BF16) -> torch.Tensor:
    return (torch.randn(shape, generator=gen, dtype=torch.float32) * scale).to(dtype)


def _f64(t: torch.Tensor) -> torch.Tensor:
    return t.to(torch.float64)


@lru_cache(maxsize=1)
def embedding_table(vocab: int, hidden: int) -> torch.Tensor:
    """The (tied) embedding / LM head table, bf16 [vocab, hidden]; 311 MB at Qwen3-0.6B size."""
    gen = _gen(f"embedding-table-{vocab}x{hidden}")
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


_GRID_FOR_CORES = {1: (1, 1), 2: (1, 2), 4: (1, 4), 8: (1, 8), 16: (2, 8), 32: (4, 8)}


def sharded(ttnn, shard_hw, cores: int, strategy: str = "HEIGHT"):
    """An L1 sharded memory config with an explicit shard shape on the first `cores` cores."""
    y, x = _GRID_FOR_CORES[cores]
    return ttnn.create_sharded_memory_config(
        shard_hw, core_grid=ttnn.CoreGrid(y=y, x=x), strategy=getattr(ttnn.ShardStrategy, strategy),
        orientation=ttnn.ShardOrientation.ROW_MAJOR, use_height_and_width_as_shard_shape=True)


def _first_rows(n: int):
    """select: compare only the first n rows (dim -2) of every output (the rest is padding)."""
    return lambda t, i: t[..., :n, :]


# ---- references (plain torch, float64) --------------------------------------------------------


def ref_rms_norm(x, weight, eps):
    x = _f64(x)
    out = x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    return out if weight is None else out * _f64(weight).reshape(-1)


def ref_rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def ref_rope(x, cos, sin):
    x = _f64(x)
    return x * _f64(cos) + ref_rotate_half(x) * _f64(sin)


def ref_attention(q, k, v, mask=None, scale=None):
    """q [b, nqh, sq, d], k/v [b, nkv, sk, d] (GQA by repeating KV heads), additive mask."""
    q, k, v = _f64(q), _f64(k), _f64(v)
    group = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    scores = q @ k.transpose(-1, -2) * scale
    if mask is not None:
        scores = scores + _f64(mask)
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


# ================================================================================================
# Embedding
# ================================================================================================


def embedding_case(d: Dims, seq: int, layout: str = "TILE", tag: str = "", slow=False) -> OpCase:
    cid = f"embedding-{tag}vocab{d.vocab}-h{d.hidden}-seq{seq}-{layout.lower()}"

    def inputs():
        def build():
            gen = _gen(cid)
            ids = torch.randint(0, d.vocab, (1, seq), generator=gen, dtype=torch.int32)
            # the extremes of the table, and ids a bfloat16 index could not represent
            special = [0, d.vocab - 1, min(65537, d.vocab - 2), min(100003, d.vocab - 3)]
            ids[0, : min(seq, len(special))] = torch.tensor(special[:seq], dtype=torch.int32)
            return {"ids": ids, "weight": embedding_table(d.vocab, d.hidden)}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        ids = to_dev(ttnn, device, i["ids"], dtype="uint32", layout="ROW_MAJOR")
        weight = to_dev(ttnn, device, i["weight"], layout="ROW_MAJOR")
        if layout == "TILE":
            return ttnn.embedding(ids, weight, layout=ttnn.TILE_LAYOUT)
        return ttnn.embedding(ids, weight)

    def reference():
        i = inputs()
        return i["weight"][i["ids"].long()].reshape(1, seq, d.hidden)

    out = (1, seq, d.hidden)
    spec = tile(out) if layout == "TILE" else row_major(out)
    spec = Spec(**{**spec.__dict__, "note": "ids [1,S] -> [1,S,H] (measured on the real 0.81.1, mock n150)"})
    return OpCase(cid, "embedding", "embedding", run, reference, "op.embedding", specs=(spec,), slow=slow,
                  golden=lambda: ((inputs()["ids"].long(), inputs()["weight"]), {}))


# ================================================================================================
# Linear (matmul)
# ================================================================================================


def linear_case(seq: int, k: int, n: int, role: str, wdtype: str = "bfloat16", activation=None,
                tag: str = "", slow=False) -> OpCase:
    short = {"bfloat16": "bf16", "bfloat8_b": "bfp8", "bfloat4_b": "bfp4"}[wdtype]
    act = f"-{activation}" if activation else ""
    cid = f"linear-{tag}{role}{act}-seq{seq}-k{k}-n{n}-{short}"
    reference_dtype = torch.float32 if k * n > 50_000_000 else torch.float64  # LM head: fp32 is plenty

    def inputs():
        def build():
            gen = _gen(cid)
            return {"x": _randn(gen, (1, 1, seq, k)), "w": _randn(gen, (k, n), scale=k ** -0.5)}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        x = to_dev(ttnn, device, i["x"])
        w = to_dev(ttnn, device, i["w"], dtype=wdtype)
        if activation:
            return ttnn.linear(x, w, activation=activation)
        return ttnn.linear(x, w)

    def reference():
        # Block-float weights are compared against their bf16 source: the dtype's threshold
        # (thresholds.py, op.linear/bfloat8_b) accounts for the quantisation.
        i = inputs()
        y = i["x"].to(reference_dtype) @ i["w"].to(reference_dtype)
        return torch.nn.functional.silu(y) if activation == "silu" else y

    def golden():
        i = inputs()
        return (i["x"], i["w"]), ({"activation": activation} if activation else {})

    return OpCase(cid, "linear", "matmul", run, reference, "op.linear", dtype=wdtype,
                  specs=(tile((1, 1, seq, n), note="output dtype = input a's dtype, DRAM interleaved"),),
                  slow=slow, golden=golden)


# ================================================================================================
# RMS norm, softmax
# ================================================================================================


def rms_norm_case(shape, role: str, eps=RMS_EPS, weight_form: str = "tile", scales=None, tag: str = "",
                  slow=False) -> OpCase:
    """weight_form: 'tile' = [1,1,1,W] TILE, 'rm32' = [1,1,W/32,32] ROW_MAJOR (tt_transformers),
    'none' = no weight. eps None = ttnn's default epsilon (not passed)."""
    width = shape[-1]
    eps_tag = "default_eps" if eps is None else f"eps{eps:g}"
    dims = "x".join(str(s) for s in shape)
    cid = f"rms_norm-{tag}{role}-{dims}-{eps_tag}-w_{weight_form}"

    def inputs():
        def build():
            gen = _gen(cid)
            x = torch.randn(shape, generator=gen)
            if scales is not None:  # per-row magnitudes, so that epsilon matters
                x = x * scales.reshape(*([1] * (len(shape) - 2)), -1, 1)
            w = 1.0 + 0.1 * torch.randn(width, generator=gen)
            return {"x": x.to(BF16), "w": w.to(BF16)}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        x = to_dev(ttnn, device, i["x"])
        kwargs = {}
        if weight_form == "tile":
            kwargs["weight"] = to_dev(ttnn, device, i["w"].reshape(1, 1, 1, width))
        elif weight_form == "rm32":
            kwargs["weight"] = to_dev(ttnn, device, i["w"].reshape(1, 1, width // 32, 32), layout="ROW_MAJOR")
        if eps is not None:
            kwargs["epsilon"] = eps
        return ttnn.rms_norm(x, **kwargs)

    def reference():
        i = inputs()
        return ref_rms_norm(i["x"], None if weight_form == "none" else i["w"], 1e-12 if eps is None else eps)

    def golden():
        i = inputs()
        kwargs = {} if eps is None else {"epsilon": eps}
        return (i["x"], None if weight_form == "none" else i["w"]), kwargs

    return OpCase(cid, "rms_norm", "norm", run, reference, "op.rms_norm", specs=(tile(shape),), slow=slow,
                  golden=golden)


def softmax_case(shape, tag: str = "", scale: float = 4.0, slow=False) -> OpCase:
    cid = f"softmax-{tag}" + "x".join(str(s) for s in shape)

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape, scale=scale)})

    def run(ttnn, device):
        return ttnn.softmax(to_dev(ttnn, device, inputs()["x"]), dim=-1)

    def reference():
        return torch.softmax(_f64(inputs()["x"]), dim=-1)

    return OpCase(cid, "softmax", "norm", run, reference, "op.softmax", specs=(tile(shape),), slow=slow,
                  golden=lambda: ((inputs()["x"],), {"dim": -1}))


# ================================================================================================
# Eltwise: add (residual), mul (gate * up), silu
# ================================================================================================


def eltwise_case(op: str, shape, tag: str = "", slow=False) -> OpCase:
    cid = f"{op}-{tag}" + "x".join(str(s) for s in shape)
    binary = op in ("add", "mul")

    def inputs():
        def build():
            gen = _gen(cid)
            return {"a": _randn(gen, shape, scale=2.0), "b": _randn(gen, shape)}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        a = to_dev(ttnn, device, i["a"])
        if binary:
            return getattr(ttnn, op)(a, to_dev(ttnn, device, i["b"]))
        return ttnn.silu(a)

    def reference():
        a, b = _f64(inputs()["a"]), _f64(inputs()["b"])
        return {"add": lambda: a + b, "mul": lambda: a * b, "silu": lambda: torch.nn.functional.silu(a)}[op]()

    def golden():
        i = inputs()
        return ((i["a"], i["b"]) if binary else (i["a"],)), {}

    return OpCase(cid, op, "eltwise", run, reference, "op.eltwise", specs=(tile(shape),), slow=slow,
                  golden=golden)


# ================================================================================================
# Rotary embedding (HF rotate-half), prefill and decode
# ================================================================================================


def rotary_prefill_case(d: Dims, heads: int, seq: int, role: str, tag: str = "", slow=False) -> OpCase:
    cid = f"rotary-{tag}{role}-heads{heads}-seq{seq}-hd{d.head_dim}-cos{d.max_seq}"
    shape = (1, heads, seq, d.head_dim)

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape)})

    def run(ttnn, device):
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ttnn.experimental.rotary_embedding(
            to_dev(ttnn, device, inputs()["x"]), to_dev(ttnn, device, cos), to_dev(ttnn, device, sin))

    def reference():
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ref_rope(inputs()["x"], cos[..., :seq, :], sin[..., :seq, :])

    padded = tile_padded(shape)
    # rotary_embedding_device_operation.cpp builds the output spec from the input's PADDED shape
    # (seq rounded up to 32): the logical shape of an odd-length output is the padded one.
    spec = Spec(padded, padded, note="output logical shape = input padded shape (spec from padded_shape)")
    select = _first_rows(seq) if seq % 32 else None
    return OpCase(cid, "experimental.rotary_embedding", "rotary", run, reference, "op.rotary_embedding",
                  specs=(spec,), slow=slow, select=select)


def rotary_decode_case(d: Dims, heads: int, pos: int, role: str, tag: str = "") -> OpCase:
    """Decode: the op is given token_index and an input [1, 1, rows, head_dim] (batch 1: the heads
    of one token on the rows axis); every row is rotated by the angle of position `pos`."""
    cid = f"rotary_decode-{tag}{role}-heads{heads}-pos{pos}-hd{d.head_dim}-cos{d.max_seq}"
    shape = (1, 1, heads, d.head_dim)

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape)})

    def run(ttnn, device):
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ttnn.experimental.rotary_embedding(
            to_dev(ttnn, device, inputs()["x"]), to_dev(ttnn, device, cos), to_dev(ttnn, device, sin), pos)

    def reference():
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return ref_rope(inputs()["x"], cos[..., pos:pos + 1, :], sin[..., pos:pos + 1, :])

    def golden():
        cos, sin = rope_tables(d.max_seq, d.head_dim)
        return (inputs()["x"], cos, sin, pos), {}

    padded = tile_padded(shape)
    spec = Spec(padded, padded, note="token_index given: output spec = input padded shape")
    return OpCase(cid, "experimental.rotary_embedding", "rotary", run, reference, "op.rotary_embedding",
                  specs=(spec,), select=_first_rows(heads), golden=golden)


# ================================================================================================
# Head split / concat (prefill and decode)
# ================================================================================================


def create_heads_case(d: Dims, seq: int, transpose_k: bool, tag: str = "", slow=False) -> OpCase:
    width = (d.heads + 2 * d.kv_heads) * d.head_dim
    kt = "kT" if transpose_k else "k"
    cid = f"create_qkv_heads-{tag}seq{seq}-nh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}-{kt}"

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), (1, 1, seq, width))})

    def run(ttnn, device):
        return ttnn.experimental.nlp_create_qkv_heads(
            to_dev(ttnn, device, inputs()["x"]), num_heads=d.heads, num_kv_heads=d.kv_heads,
            transpose_k_heads=transpose_k)

    def reference():
        q, k, v = split_fused_qkv(inputs()["x"], d.heads, d.kv_heads, d.head_dim)
        return q, (k.transpose(-1, -2) if transpose_k else k), v

    k_shape = (1, d.kv_heads, d.head_dim, seq) if transpose_k else (1, d.kv_heads, seq, d.head_dim)
    specs = (tile((1, d.heads, seq, d.head_dim)), tile(k_shape), tile((1, d.kv_heads, seq, d.head_dim)))
    return OpCase(cid, "experimental.nlp_create_qkv_heads", "heads", run, reference, "op.heads", exact=True,
                  specs=specs, slow=slow)


def create_heads_decode_case(d: Dims, batch: int, tag: str = "") -> OpCase:
    width = (d.heads + 2 * d.kv_heads) * d.head_dim
    cid = f"create_qkv_heads_decode-{tag}b{batch}-nh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}"

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), (1, 1, batch, width))})

    def run(ttnn, device):
        return ttnn.experimental.nlp_create_qkv_heads_decode(
            to_dev(ttnn, device, inputs()["x"]), num_heads=d.heads, num_kv_heads=d.kv_heads,
            memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)

    def reference():
        # users are the rows of the fused input: [1, 1, B, W] -> [1, B, heads, d]
        x = inputs()["x"][0, 0]  # [B, W]
        q_end, k_end = d.heads * d.head_dim, (d.heads + d.kv_heads) * d.head_dim
        q = x[:, :q_end].reshape(1, batch, d.heads, d.head_dim)
        k = x[:, q_end:k_end].reshape(1, batch, d.kv_heads, d.head_dim)
        v = x[:, k_end:].reshape(1, batch, d.kv_heads, d.head_dim)
        return q, k, v

    note = "heads padded to 32 in the padded shape; HEIGHT_SHARDED L1, one user per core"
    specs = tuple(
        Spec((1, batch, n, d.head_dim), (1, batch, 32, d.head_dim), buffer="L1", memory="HEIGHT_SHARDED",
             shard_shape=(32, d.head_dim), shard_cores=batch, note=note)
        for n in (d.heads, d.kv_heads, d.kv_heads))
    return OpCase(cid, "experimental.nlp_create_qkv_heads_decode", "heads", run, reference, "op.heads",
                  exact=True, specs=specs)


def concat_heads_case(d: Dims, seq: int, tag: str = "", slow=False) -> OpCase:
    cid = f"concat_heads-{tag}seq{seq}-nh{d.heads}-hd{d.head_dim}"
    shape = (1, d.heads, seq, d.head_dim)

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape)})

    def run(ttnn, device):
        return ttnn.experimental.nlp_concat_heads(to_dev(ttnn, device, inputs()["x"]))

    def reference():
        return inputs()["x"].permute(0, 2, 1, 3).reshape(1, 1, seq, d.heads * d.head_dim)

    return OpCase(cid, "experimental.nlp_concat_heads", "heads", run, reference, "op.heads", exact=True,
                  specs=(tile((1, 1, seq, d.heads * d.head_dim)),), slow=slow)


def concat_heads_decode_case(d: Dims, batch: int, tag: str = "") -> OpCase:
    """Input [1, B, heads (padded 32), d] height-sharded one user per core (what SDPA decode's
    output becomes after to_memory_config) -> [1, 1, 32, heads * d] width-sharded."""
    cid = f"concat_heads_decode-{tag}b{batch}-nh{d.heads}-hd{d.head_dim}"
    shape = (1, batch, d.heads, d.head_dim)

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape)})

    def run(ttnn, device):
        x = to_dev(ttnn, device, inputs()["x"], memory_config=sharded(ttnn, (32, d.head_dim), batch))
        return ttnn.experimental.nlp_concat_heads_decode(x, num_heads=d.heads)

    def reference():
        return inputs()["x"].reshape(1, 1, batch, d.heads * d.head_dim)

    # nlp_concat_heads_decode_device_operation.cpp: batch = max(batch, 32) in the OUTPUT shape,
    # width-sharded over num_heads cores with shard [32, head_dim].
    spec = Spec((1, 1, 32, d.heads * d.head_dim), (1, 1, 32, d.heads * d.head_dim), buffer="L1",
                memory="WIDTH_SHARDED", shard_shape=(32, d.head_dim), shard_cores=d.heads,
                note="output batch padded to 32 in the logical shape too")
    return OpCase(cid, "experimental.nlp_concat_heads_decode", "heads", run, reference, "op.heads", exact=True,
                  specs=(spec,), select=_first_rows(batch))


# ================================================================================================
# Scaled dot product attention (prefill, decode)
# ================================================================================================


def sdpa_case(d: Dims, sq: int, sk: int | None = None, mask: bool = False, tag: str = "", slow=False) -> OpCase:
    sk = sq if sk is None else sk
    kind = f"mask-sq{sq}-sk{sk}" if mask else f"causal-seq{sq}"
    cid = f"sdpa-{tag}{kind}-nqh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}"

    def inputs():
        def build():
            gen = _gen(cid)
            out = {"q": _randn(gen, (1, d.heads, sq, d.head_dim)),
                   "k": _randn(gen, (1, d.kv_heads, sk, d.head_dim)),
                   "v": _randn(gen, (1, d.kv_heads, sk, d.head_dim))}
            if mask:
                out["mask"] = causal_mask(sq, sk).reshape(1, 1, sq, sk).to(BF16)
            return out
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        q, k, v = (to_dev(ttnn, device, i[n]) for n in "qkv")
        if mask:
            return ttnn.transformer.scaled_dot_product_attention(
                q, k, v, attn_mask=to_dev(ttnn, device, i["mask"]), is_causal=False)
        return ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True)

    def reference():
        i = inputs()
        m = i["mask"] if mask else causal_mask(sq, sk)
        return ref_attention(i["q"], i["k"], i["v"], mask=m)

    def golden():
        i = inputs()
        if mask:
            return (i["q"], i["k"], i["v"]), {"attn_mask": i["mask"], "is_causal": False}
        return (i["q"], i["k"], i["v"]), {"is_causal": True}

    return OpCase(cid, "transformer.scaled_dot_product_attention", "sdpa", run, reference, "op.sdpa",
                  specs=(tile((1, d.heads, sq, d.head_dim)),), slow=slow, golden=golden)


def sdpa_decode_case(d: Dims, positions, cache_len: int, pos_form: str = "list", tag: str = "") -> OpCase:
    """Q [1, b, heads, d] (one token per user), K/V cache [b, kv, cache_len, d]; user u attends
    positions 0..positions[u]; -1 skips the user (its output is unspecified and not compared).
    Cache rows after each user's position hold poison (large V) so that any leak shows."""
    batch = len(positions)
    pos_tag = "_".join(str(p) for p in positions).replace("-", "m")
    cid = f"sdpa_decode-{tag}b{batch}-pos{pos_tag}-{pos_form}-s{cache_len}-nqh{d.heads}-nkv{d.kv_heads}-hd{d.head_dim}"
    live = [u for u, p in enumerate(positions) if p >= 0]

    def inputs():
        def build():
            gen = _gen(cid)
            k = torch.randn((batch, d.kv_heads, cache_len, d.head_dim), generator=gen)
            v = torch.randn((batch, d.kv_heads, cache_len, d.head_dim), generator=gen)
            for u, p in enumerate(positions):
                v[u, :, max(p, 0) + 1:, :] = 64.0  # never attended
            return {"q": _randn(gen, (1, batch, d.heads, d.head_dim)), "k": k.to(BF16), "v": v.to(BF16)}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        q, k, v = (to_dev(ttnn, device, i[n]) for n in "qkv")
        if pos_form == "tensor":
            cur = ttnn.from_torch(torch.tensor(positions, dtype=torch.int32), dtype=ttnn.int32, device=device)
            return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos_tensor=cur)
        return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=list(positions))

    def reference():
        i = inputs()
        out = torch.zeros((1, batch, d.heads, d.head_dim), dtype=torch.float64)
        for u in live:
            p = positions[u]
            q = i["q"][:, u].reshape(1, d.heads, 1, d.head_dim)
            k = i["k"][u:u + 1, :, : p + 1]
            v = i["v"][u:u + 1, :, : p + 1]
            out[0, u] = ref_attention(q, k, v)[0, :, 0, :]
        return out

    def golden():
        i = inputs()
        return (i["q"], i["k"], i["v"]), {"is_causal": True, "cur_pos": list(positions)}

    select = None if len(live) == batch else (lambda t, idx: t[:, live])
    spec = Spec((1, batch, d.heads, d.head_dim), (1, batch, 32, d.head_dim),
                note="output spec = Q's logical shape (heads padded to 32), DRAM interleaved")
    return OpCase(cid, "transformer.scaled_dot_product_attention_decode", "sdpa", run, reference,
                  "op.sdpa_decode", specs=(spec,), select=select, golden=golden)


# ================================================================================================
# KV cache: fill_cache, update_cache, paged_update_cache, paged_fill_cache
# ================================================================================================


def _cache_spec(shape):
    return tile(shape, note="in-place: the returned tensor is the cache")


def fill_cache_case(d: Dims, users: int, batch_idx: int, seq: int, max_seq: int, update_idx: int = 0,
                    tag: str = "", slow=False) -> OpCase:
    cid = f"fill_cache-{tag}users{users}-batch{batch_idx}-seq{seq}-at{update_idx}-max{max_seq}-nkv{d.kv_heads}-hd{d.head_dim}"
    cache_shape = (users, d.kv_heads, max_seq, d.head_dim)

    def inputs():
        def build():
            gen = _gen(cid)
            return {"cache": _randn(gen, cache_shape), "x": _randn(gen, (1, d.kv_heads, seq, d.head_dim))}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        x = to_dev(ttnn, device, i["x"])
        if update_idx:
            out = ttnn.fill_cache(cache, x, batch_idx, update_idx=update_idx)
        else:
            out = ttnn.fill_cache(cache, x, batch_idx)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        expected[batch_idx, :, update_idx:update_idx + seq] = i["x"][0]
        return expected, expected

    def golden():
        i = inputs()
        return (i["cache"].clone(), i["x"], batch_idx), {"update_idx": update_idx}

    return OpCase(cid, "fill_cache", "kv_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2, slow=slow, golden=golden)


def update_cache_case(d: Dims, users: int, update_idx: int, max_seq: int, tag: str = "") -> OpCase:
    """ttnn.update_cache: input [1, kv, users (padded to 32), d]; row u goes to cache[u, :, idx]."""
    cid = f"update_cache-{tag}users{users}-at{update_idx}-max{max_seq}-nkv{d.kv_heads}-hd{d.head_dim}"
    cache_shape = (users, d.kv_heads, max_seq, d.head_dim)

    def inputs():
        def build():
            gen = _gen(cid)
            return {"cache": _randn(gen, cache_shape), "x": _randn(gen, (1, d.kv_heads, users, d.head_dim))}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        out = ttnn.update_cache(cache, to_dev(ttnn, device, i["x"]), update_idx)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        expected[:, :, update_idx] = i["x"][0].permute(1, 0, 2)
        return expected, expected

    def golden():
        i = inputs()
        return (i["cache"].clone(), i["x"], update_idx), {}

    return OpCase(cid, "update_cache", "kv_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2, golden=golden)


def paged_update_case(d: Dims, idxs, max_seq: int = 256, idx_form: str = "list", block_size: int | None = None,
                      tag: str = "") -> OpCase:
    """paged_update_cache: input [1, B, kv (padded 32), d] height-sharded, one user per core.
    Unpaged: cache [B, kv, max_seq, d]. Paged (block_size): cache [blocks, kv, block_size, d] and a
    page table [B, max_seq / block_size] (a shuffled block assignment); only the tensor form of
    the positions is allowed with a page table."""
    batch = len(idxs)
    paged = block_size is not None
    kind = f"paged{block_size}" if paged else "unpaged"
    cid = (f"paged_update_cache-{tag}{kind}-b{batch}-at{'_'.join(map(str, idxs))}-{idx_form}-max{max_seq}"
           f"-nkv{d.kv_heads}-hd{d.head_dim}")
    blocks_per_user = max_seq // block_size if paged else 0
    cache_shape = (batch * blocks_per_user, d.kv_heads, block_size, d.head_dim) if paged else \
        (batch, d.kv_heads, max_seq, d.head_dim)

    def inputs():
        def build():
            gen = _gen(cid)
            out = {"cache": _randn(gen, cache_shape), "x": _randn(gen, (1, batch, d.kv_heads, d.head_dim))}
            if paged:
                out["page_table"] = torch.randperm(batch * blocks_per_user, generator=gen).to(torch.int32) \
                    .reshape(batch, blocks_per_user)
            return out
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        x = to_dev(ttnn, device, i["x"], memory_config=sharded(ttnn, (32, d.head_dim), batch))
        kwargs = {}
        if idx_form == "tensor":
            kwargs["update_idxs_tensor"] = ttnn.from_torch(torch.tensor(idxs, dtype=torch.int32),
                                                           dtype=ttnn.int32, device=device)
        else:
            kwargs["update_idxs"] = list(idxs)
        if paged:
            kwargs["page_table"] = ttnn.from_torch(i["page_table"], dtype=ttnn.int32, device=device)
        out = ttnn.experimental.paged_update_cache(cache, x, **kwargs)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        for u, pos in enumerate(idxs):
            if paged:
                block = int(i["page_table"][u, pos // block_size])
                expected[block, :, pos % block_size] = i["x"][0, u]
            else:
                expected[u, :, pos] = i["x"][0, u]
        return expected, expected

    return OpCase(cid, "experimental.paged_update_cache", "kv_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2)


def paged_fill_case(d: Dims, users: int, batch_idx: int, seq: int, block_size: int, max_seq: int,
                    tag: str = "") -> OpCase:
    cid = f"paged_fill_cache-{tag}users{users}-batch{batch_idx}-seq{seq}-block{block_size}-max{max_seq}-nkv{d.kv_heads}-hd{d.head_dim}"
    blocks_per_user = max_seq // block_size
    cache_shape = (users * blocks_per_user, d.kv_heads, block_size, d.head_dim)

    def inputs():
        def build():
            gen = _gen(cid)
            return {"cache": _randn(gen, cache_shape), "x": _randn(gen, (1, d.kv_heads, seq, d.head_dim)),
                    "page_table": torch.randperm(users * blocks_per_user, generator=gen).to(torch.int32)
                    .reshape(users, blocks_per_user)}
        return _memo(cid, build)

    def run(ttnn, device):
        i = inputs()
        cache = to_dev(ttnn, device, i["cache"])
        table = ttnn.from_torch(i["page_table"], dtype=ttnn.int32, device=device)
        out = ttnn.experimental.paged_fill_cache(cache, to_dev(ttnn, device, i["x"]), table, batch_idx=batch_idx)
        return out, cache

    def reference():
        i = inputs()
        expected = i["cache"].clone()
        for start in range(0, seq, block_size):
            block = int(i["page_table"][batch_idx, start // block_size])
            rows = min(block_size, seq - start)
            expected[block, :, :rows] = i["x"][0, :, start:start + rows]
        return expected, expected

    return OpCase(cid, "experimental.paged_fill_cache", "kv_cache", run, reference, "op.kv_cache", exact=True,
                  specs=(_cache_spec(cache_shape),) * 2)


# ================================================================================================
# Core: host conversions, to_layout, to_memory_config, typecast
# ================================================================================================


def round_trip_case(shape, dtype: str = "bfloat16", layout: str = "TILE", on_device: bool = False) -> OpCase:
    where = "device" if on_device else "host"
    cid = f"round_trip-{where}-" + "x".join(map(str, shape)) + f"-{dtype}-{layout.lower()}"
    torch_dtype = {"bfloat16": BF16, "float32": torch.float32}[dtype]

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape, dtype=torch_dtype)})

    def run(ttnn, device):
        kwargs = dict(dtype=getattr(ttnn, dtype), layout=layout_of(ttnn, layout))
        if on_device:
            kwargs["device"] = device
        return ttnn.from_torch(inputs()["x"], **kwargs)

    def reference():
        return inputs()["x"]

    spec = tile(shape, dtype) if layout == "TILE" else row_major(shape, dtype)
    if not on_device:
        spec = Spec(**{**spec.__dict__, "buffer": "", "memory": ""})  # host tensors have no placement
    return OpCase(cid, "from_torch", "core", run, reference, "op.heads", exact=True, specs=(spec,),
                  device_numbers=on_device)


def to_layout_case(shape, src: str, dst: str) -> OpCase:
    cid = f"to_layout-{src.lower()}_to_{dst.lower()}-" + "x".join(map(str, shape))

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape)})

    def run(ttnn, device):
        return ttnn.to_layout(to_dev(ttnn, device, inputs()["x"], layout=src), layout_of(ttnn, dst))

    spec = tile(shape) if dst == "TILE" else row_major(shape)
    return OpCase(cid, "to_layout", "core", run, lambda: inputs()["x"], "op.heads", exact=True, specs=(spec,))


def to_memory_config_case(shape, target: str, shard_cores: int | None = None) -> OpCase:
    cid = f"to_memory_config-dram_to_{target.lower()}-" + "x".join(map(str, shape))

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape)})

    def run(ttnn, device):
        x = to_dev(ttnn, device, inputs()["x"])
        if target == "L1":
            return ttnn.to_memory_config(x, ttnn.L1_MEMORY_CONFIG)
        return ttnn.to_memory_config(x, sharded(ttnn, (32, shape[-1]), shard_cores))

    if target == "L1":
        spec = tile(shape, buffer="L1")
    else:
        spec = tile(shape, buffer="L1", memory="HEIGHT_SHARDED", shard_shape=(32, shape[-1]), shard_cores=shard_cores)
    return OpCase(cid, "to_memory_config", "core", run, lambda: inputs()["x"], "op.heads", exact=True,
                  specs=(spec,))


def _check_rne_or_truncation(actual: torch.Tensor, expected, what: str) -> None:
    rne, trunc = expected
    actual = actual.to(torch.float32)
    ok = (actual == rne) | (actual == trunc)
    bad = int((~ok).sum())
    assert bad == 0, (f"{what}: {bad} of {ok.numel()} values are neither the round-to-nearest-even nor the "
                      f"truncated bfloat16 of the float32 input")


def typecast_case(shape, src: str, dst: str) -> OpCase:
    cid = f"typecast-{src}_to_{dst}-" + "x".join(map(str, shape))
    src_torch = {"bfloat16": BF16, "float32": torch.float32}[src]

    def inputs():
        return _memo(cid, lambda: {"x": _randn(_gen(cid), shape, dtype=src_torch)})

    def run(ttnn, device):
        return ttnn.typecast(to_dev(ttnn, device, inputs()["x"], dtype=src), getattr(ttnn, dst))

    def reference():
        x = inputs()["x"]
        if dst == "float32":
            return x.to(torch.float32)  # widening is exact
        rne = x.to(BF16).to(torch.float32)
        trunc = (x.view(torch.int32) & ~0xFFFF).view(torch.float32)
        return ((rne, trunc),)  # one output, two acceptable roundings

    check = _check_rne_or_truncation if dst == "bfloat16" else None
    return OpCase(cid, "typecast", "core", run, reference, "op.heads", exact=True, specs=(tile(shape, dst),),
                  check=check)


# ================================================================================================
# Data movement: reshape, slice, concat, transpose, permute, pad
# ================================================================================================


def _dm_case(name: str, shape, fn_ttnn, fn_torch, out_shape, layout="TILE", n_inputs=1) -> OpCase:
    cid = f"{name}-" + "x".join(map(str, shape))
    cid += "" if layout == "TILE" else "-row_major"

    def inputs():
        def build():
            gen = _gen(cid)
            return {f"x{j}": _randn(gen, shape) for j in range(n_inputs)}
        return _memo(cid, build)

    def run(ttnn, device):
        xs = [to_dev(ttnn, device, inputs()[f"x{j}"], layout=layout) for j in range(n_inputs)]
        return fn_ttnn(ttnn, *xs)

    def reference():
        return fn_torch(*[inputs()[f"x{j}"] for j in range(n_inputs)])

    spec = tile(out_shape) if layout == "TILE" else row_major(out_shape)
    op = name.split("-")[0]
    return OpCase(cid, op, "data_movement", run, reference, "op.heads", exact=True, specs=(spec,))


def reshape_case(shape, new_shape, tag: str = "") -> OpCase:
    return _dm_case(f"reshape-{tag}to" + "x".join(map(str, new_shape)), shape,
                    lambda ttnn, x: ttnn.reshape(x, new_shape), lambda x: x.reshape(new_shape), new_shape)


def slice_case(shape, starts, ends, tag: str = "") -> OpCase:
    out_shape = tuple(e - s for s, e in zip(starts, ends))
    index = tuple(slice(s, e) for s, e in zip(starts, ends))
    return _dm_case(f"slice-{tag}" + "x".join(map(str, out_shape)), shape,
                    lambda ttnn, x: ttnn.slice(x, list(starts), list(ends)), lambda x: x[index], out_shape)


def concat_case(shape, dim: int, tag: str = "") -> OpCase:
    out_shape = list(shape)
    out_shape[dim] *= 2
    return _dm_case(f"concat-{tag}dim{dim}", shape, lambda ttnn, a, b: ttnn.concat([a, b], dim=dim),
                    lambda a, b: torch.cat([a, b], dim=dim), tuple(out_shape), n_inputs=2)


def transpose_case(shape, d0: int, d1: int, tag: str = "") -> OpCase:
    out_shape = list(shape)
    out_shape[d0], out_shape[d1] = out_shape[d1], out_shape[d0]
    return _dm_case(f"transpose-{tag}{d0}_{d1}".replace("-1", "m1").replace("-2", "m2"), shape,
                    lambda ttnn, x: ttnn.transpose(x, d0, d1), lambda x: x.transpose(d0, d1), tuple(out_shape))


def permute_case(shape, dims, tag: str = "") -> OpCase:
    out_shape = tuple(shape[i] for i in dims)
    return _dm_case(f"permute-{tag}" + "".join(map(str, dims)), shape,
                    lambda ttnn, x: ttnn.permute(x, tuple(dims)), lambda x: x.permute(*dims), out_shape)


def pad_case(shape, rows_to: int, tag: str = "") -> OpCase:
    extra = rows_to - shape[-2]
    padding = [(0, 0)] * (len(shape) - 2) + [(0, extra), (0, 0)]
    out_shape = (*shape[:-2], rows_to, shape[-1])
    return _dm_case(f"pad-{tag}rows_to{rows_to}", shape,
                    lambda ttnn, x: ttnn.pad(x, padding=padding, value=0.0),
                    lambda x: torch.nn.functional.pad(x, (0, 0, 0, extra), value=0.0), out_shape,
                    layout="ROW_MAJOR")


# ================================================================================================
# The registry
# ================================================================================================

Q, T = QWEN, TINY
H, NQ, NKV, HD = Q.hidden, Q.heads, Q.kv_heads, Q.head_dim
QKV_WIDTH = (NQ + 2 * NKV) * HD  # 4096
ROW_SCALES = torch.logspace(-1, -5, 32)  # per-row magnitudes 1e-1 .. 1e-5: epsilon decides the result

OP_CASES: list[OpCase] = [
    # -- embedding: the full Qwen3 table (uint32 ids beyond bf16's exact range), and the tiny one
    embedding_case(Q, 32),
    embedding_case(Q, 1, tag="decode-"),
    embedding_case(Q, 128, slow=True),
    embedding_case(T, 32, tag="tiny-"),
    embedding_case(T, 7, tag="tiny-"),
    embedding_case(T, 32, layout="ROW_MAJOR", tag="tiny-"),
    # -- linear: every projection of a decoder layer, bf16 and bfloat8_b weights
    linear_case(128, H, NQ * HD, "q"),
    linear_case(128, H, QKV_WIDTH, "qkv"),
    linear_case(128, NQ * HD, H, "o"),
    linear_case(128, H, Q.intermediate, "gate", activation="silu"),
    linear_case(128, H, Q.intermediate, "up"),
    linear_case(128, Q.intermediate, H, "down"),
    linear_case(128, H, Q.intermediate, "gate", "bfloat8_b", activation="silu"),
    linear_case(128, Q.intermediate, H, "down", "bfloat8_b"),
    linear_case(128, H, QKV_WIDTH, "qkv", "bfloat8_b"),
    linear_case(32, H, QKV_WIDTH, "qkv"),
    linear_case(32, Q.intermediate, H, "down"),
    linear_case(256, H, Q.intermediate, "up"),
    linear_case(7, H, NQ * HD, "q"),
    linear_case(32, H, Q.vocab, "lm_head", slow=True),
    linear_case(1024, H, Q.intermediate, "gate", activation="silu", slow=True),
    linear_case(2048, Q.intermediate, H, "down", "bfloat8_b", slow=True),
    linear_case(32, T.hidden, (T.heads + 2 * T.kv_heads) * T.head_dim, "qkv", tag="tiny-"),
    linear_case(32, T.heads * T.head_dim, T.hidden, "o", tag="tiny-"),
    linear_case(32, T.hidden, T.intermediate, "gate", activation="silu", tag="tiny-"),
    linear_case(32, T.intermediate, T.hidden, "down", tag="tiny-"),
    linear_case(32, T.hidden, T.vocab, "lm_head", tag="tiny-"),
    # -- rms_norm: hidden, q_norm / k_norm over heads, decode rows, the two epsilons
    rms_norm_case((1, 1, 128, H), "hidden"),
    rms_norm_case((1, 1, 32, H), "hidden"),
    rms_norm_case((1, 1, 256, H), "hidden"),
    rms_norm_case((1, 1, 7, H), "hidden"),
    rms_norm_case((1, 1, 32, 100), "odd_width"),
    rms_norm_case((1, 1, 128, H), "hidden", weight_form="rm32"),
    rms_norm_case((1, NQ, 128, HD), "q_norm"),
    rms_norm_case((1, NKV, 128, HD), "k_norm"),
    rms_norm_case((1, 1, NQ, HD), "q_norm_decode"),
    rms_norm_case((1, 1, 32, H), "small_rows", eps=None, scales=ROW_SCALES),
    rms_norm_case((1, 1, 32, H), "small_rows", eps=RMS_EPS, scales=ROW_SCALES),
    rms_norm_case((1, 1, 2048, H), "hidden", slow=True),
    rms_norm_case((1, 1, 32, T.hidden), "hidden", tag="tiny-"),
    rms_norm_case((1, T.heads, 32, T.head_dim), "q_norm", tag="tiny-"),
    # -- softmax
    softmax_case((1, NQ, 128, 128)),
    softmax_case((1, 1, 7, H)),
    softmax_case((1, 1, 32, 100)),
    softmax_case((1, T.heads, 32, 32), tag="tiny-"),
    # -- eltwise
    eltwise_case("add", (1, 1, 128, H)),
    eltwise_case("add", (1, 1, 7, H)),
    eltwise_case("mul", (1, 1, 128, Q.intermediate)),
    eltwise_case("silu", (1, 1, 128, Q.intermediate)),
    eltwise_case("mul", (1, 1, 32, T.intermediate), tag="tiny-"),
    eltwise_case("add", (1, 1, 2048, H), slow=True),
    # -- rotary: prefill over seq 32..2048 with the model's 2048-row tables, and decode positions
    rotary_prefill_case(Q, NQ, 32, "q"),
    rotary_prefill_case(Q, NQ, 128, "q"),
    rotary_prefill_case(Q, NQ, 256, "q"),
    rotary_prefill_case(Q, NKV, 128, "k"),
    rotary_prefill_case(Q, NKV, 2048, "k"),
    rotary_prefill_case(Q, NQ, 7, "q"),
    rotary_prefill_case(Q, NQ, 1024, "q", slow=True),
    rotary_prefill_case(Q, NQ, 2048, "q", slow=True),
    rotary_prefill_case(T, T.heads, 32, "q", tag="tiny-"),
    rotary_prefill_case(Dims(128, 4, 4, 32, 256, 512, 256), 4, 32, "q", tag="hd32_single_tile-"),
    rotary_decode_case(Q, NQ, 0, "q"),
    rotary_decode_case(Q, NQ, 31, "q"),
    rotary_decode_case(Q, NQ, 32, "q"),
    rotary_decode_case(Q, NQ, 255, "q"),
    rotary_decode_case(Q, NKV, 2047, "k"),
    rotary_decode_case(T, T.heads, 37, "q", tag="tiny-"),
    # -- heads
    create_heads_case(Q, 32, False),
    create_heads_case(Q, 32, True),
    create_heads_case(Q, 128, False),
    create_heads_case(Q, 128, True),
    create_heads_case(Q, 256, False),
    create_heads_case(Q, 1024, False),
    create_heads_case(Q, 2048, False),
    create_heads_case(Q, 7, False),
    create_heads_case(T, 32, False, tag="tiny-"),
    create_heads_decode_case(Q, 1),
    create_heads_decode_case(Q, 8),
    create_heads_decode_case(Q, 32),
    create_heads_decode_case(T, 1, tag="tiny-"),
    concat_heads_case(Q, 32),
    concat_heads_case(Q, 128),
    concat_heads_case(Q, 256),
    concat_heads_case(Q, 2048),
    concat_heads_case(Q, 7),
    concat_heads_case(T, 32, tag="tiny-"),
    concat_heads_decode_case(Q, 1),
    concat_heads_decode_case(Q, 8),
    concat_heads_decode_case(Q, 32),
    concat_heads_decode_case(T, 1, tag="tiny-"),
    # -- attention
    sdpa_case(Q, 32),
    sdpa_case(Q, 128),
    sdpa_case(Q, 256),
    sdpa_case(Q, 32, 128, mask=True),
    sdpa_case(Q, 7),
    sdpa_case(Q, 1024, slow=True),
    sdpa_case(Q, 2048, slow=True),
    sdpa_case(T, 32, tag="tiny-"),
    sdpa_decode_case(Q, [0, 31, 32, 255], 256, "list"),
    sdpa_decode_case(Q, [0, 31, 32, 255], 256, "tensor"),
    sdpa_decode_case(Q, [-1, 31, 32, 255], 256, "tensor"),  # a cur_pos LIST cannot hold -1 (uint32)
    sdpa_decode_case(Q, [-1, 5, -1, 200], 256, "tensor"),
    sdpa_decode_case(Q, [255], 256, "list"),
    sdpa_decode_case(Q, [1000, 2047], 2048, "tensor", tag="long-"),
    sdpa_decode_case(T, [37], 64, "list", tag="tiny-"),
    # -- KV cache
    fill_cache_case(Q, 1, 0, 128, 256),
    fill_cache_case(Q, 1, 0, 256, 256),
    fill_cache_case(Q, 2, 1, 64, 256, update_idx=64),
    fill_cache_case(Q, 1, 0, 32, 256, update_idx=224),
    fill_cache_case(Q, 1, 0, 1024, 2048),
    fill_cache_case(Q, 1, 0, 2048, 2048, slow=True),
    fill_cache_case(T, 1, 0, 32, 64, tag="tiny-"),
    update_cache_case(Q, 1, 0, 256),
    update_cache_case(Q, 1, 37, 256),
    update_cache_case(Q, 1, 255, 256),
    update_cache_case(Q, 8, 100, 256),
    update_cache_case(T, 1, 5, 64, tag="tiny-"),
    paged_update_case(Q, [37], idx_form="list"),
    paged_update_case(Q, [37], idx_form="tensor"),
    paged_update_case(Q, [0, 31, 32, 255, 1, 100, 200, 64], idx_form="list"),
    paged_update_case(Q, [0, 31, 32, 255, 1, 100, 200, 64], idx_form="tensor"),
    paged_update_case(Q, [5, 250], idx_form="tensor", block_size=64),
    paged_update_case(T, [5], max_seq=64, idx_form="list", tag="tiny-"),
    paged_fill_case(Q, 2, 1, 128, 64, 256),
    paged_fill_case(Q, 1, 0, 256, 32, 256),
    # -- core
    round_trip_case((1, 7, 100), "bfloat16", "TILE"),
    round_trip_case((1, 7, 100), "float32", "TILE"),
    round_trip_case((1, 7, 100), "bfloat16", "ROW_MAJOR"),
    round_trip_case((1, 1, 32, H), "bfloat16", "TILE"),
    round_trip_case((1, 7, 100), "bfloat16", "TILE", on_device=True),
    round_trip_case((1, 7, 100), "float32", "TILE", on_device=True),
    round_trip_case((1, 1, 128, H), "bfloat16", "TILE", on_device=True),
    round_trip_case((1, 1, 7, 100), "bfloat16", "ROW_MAJOR", on_device=True),
    to_layout_case((1, 1, 7, 100), "ROW_MAJOR", "TILE"),
    to_layout_case((1, 1, 7, 100), "TILE", "ROW_MAJOR"),
    to_layout_case((1, 1, 128, H), "ROW_MAJOR", "TILE"),
    to_memory_config_case((1, 1, 128, H), "L1"),
    to_memory_config_case((1, 8, 32, HD), "HEIGHT_SHARDED", shard_cores=8),
    typecast_case((1, 1, 32, H), "bfloat16", "float32"),
    typecast_case((1, 1, 32, H), "float32", "bfloat16"),
    # -- data movement
    reshape_case((1, 1, 32, H), (1, 32, H)),
    reshape_case((1, 1, 128, NQ * HD), (1, 128, NQ, HD)),
    reshape_case((1, 1, 7, H), (1, 7, H)),
    reshape_case((1, 1, 2048, H), (1, 2048, H)),
    slice_case((1, 1, 128, H), (0, 0, 127, 0), (1, 1, 128, H), tag="last_token-"),
    slice_case((1, 4, 32, HD), (0, 0, 0, 0), (1, 4, 16, HD), tag="unpad_heads-"),
    slice_case((1, 1, 2048, H), (0, 0, 0, 0), (1, 1, 1000, H), tag="prompt-"),
    concat_case((1, NKV, 64, HD), 2, tag="seq-"),
    concat_case((1, 1, 32, H), -1, tag="width-"),
    transpose_case((1, 8, NQ, HD), 1, 2, tag="users_heads-"),
    transpose_case((1, NKV, 128, HD), -2, -1, tag="k-"),
    permute_case((1, 128, NQ, HD), (0, 2, 1, 3)),
    pad_case((1, 1, 7, 128), 32),
]

# Lookup by id (ids are unique: asserted at import).
CASES_BY_ID = {c.id: c for c in OP_CASES}
assert len(CASES_BY_ID) == len(OP_CASES), "duplicate OpCase ids"


def cases_for(family: str) -> list[OpCase]:
    return [c for c in OP_CASES if c.family == family]


# ================================================================================================
# Refusals: one invalid call per constraint of the real op
# ================================================================================================


def _refusal(cid, op, run, match, note=""):
    return RefusalCase(cid, op, run, match, note)


def _x(shape, key="x", dtype=BF16):
    return _randn(_gen(key + "x".join(map(str, shape))), shape, dtype=dtype)


def _r_linear_host(ttnn, device):
    x = ttnn.from_torch(_x((1, 1, 32, H)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    w = ttnn.from_torch(_x((H, 64)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    return ttnn.linear(x, w)


def _r_linear_row_major(ttnn, device):
    x = to_dev(ttnn, device, _x((1, 1, 32, H)), layout="ROW_MAJOR")
    return ttnn.linear(x, to_dev(ttnn, device, _x((H, 64))))


def _r_linear_inner(ttnn, device):
    return ttnn.linear(to_dev(ttnn, device, _x((1, 1, 32, H))), to_dev(ttnn, device, _x((2 * H, 64))))


def _r_rms_weight(ttnn, device):
    return ttnn.rms_norm(to_dev(ttnn, device, _x((1, 1, 32, H))), epsilon=RMS_EPS,
                         weight=to_dev(ttnn, device, _x((1, 1, 1, H // 2))))


def _r_rms_row_major(ttnn, device):
    return ttnn.rms_norm(to_dev(ttnn, device, _x((1, 1, 32, H)), layout="ROW_MAJOR"), epsilon=RMS_EPS)


def _r_add_host(ttnn, device):
    a = ttnn.from_torch(_x((1, 1, 32, H)), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT)
    return ttnn.add(a, ttnn.from_torch(_x((1, 1, 32, H), "b"), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT))


def _r_add_shapes(ttnn, device):
    return ttnn.add(to_dev(ttnn, device, _x((1, 1, 32, H))), to_dev(ttnn, device, _x((1, 1, 32, H // 2))))


def _r_embedding_float_ids(ttnn, device):
    ids = to_dev(ttnn, device, torch.zeros((1, 32), dtype=torch.float32), dtype="float32", layout="ROW_MAJOR")
    return ttnn.embedding(ids, to_dev(ttnn, device, _x((T.vocab, T.hidden)), layout="ROW_MAJOR"))


def _r_embedding_float_weight(ttnn, device):
    ids = to_dev(ttnn, device, torch.zeros((1, 32), dtype=torch.int32), dtype="uint32", layout="ROW_MAJOR")
    return ttnn.embedding(ids, to_dev(ttnn, device, _x((T.vocab, T.hidden)), dtype="float32", layout="ROW_MAJOR"))


def _r_embedding_host_ids(ttnn, device):
    ids = ttnn.from_torch(torch.zeros((1, 32), dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
    return ttnn.embedding(ids, to_dev(ttnn, device, _x((T.vocab, T.hidden)), layout="ROW_MAJOR"))


def _r_create_heads_row_major(ttnn, device):
    return ttnn.experimental.nlp_create_qkv_heads(to_dev(ttnn, device, _x((1, 1, 32, QKV_WIDTH)), layout="ROW_MAJOR"),
                                                  num_heads=NQ, num_kv_heads=NKV, transpose_k_heads=False)


def _r_create_heads_rank3(ttnn, device):
    return ttnn.experimental.nlp_create_qkv_heads(to_dev(ttnn, device, _x((1, 32, QKV_WIDTH))), num_heads=NQ,
                                                  num_kv_heads=NKV, transpose_k_heads=False)


def _r_concat_heads_rank3(ttnn, device):
    return ttnn.experimental.nlp_concat_heads(to_dev(ttnn, device, _x((NQ, 32, HD))))


def _rope_inputs(ttnn, device, x_shape, table_rows, table_dim):
    cos, sin = rope_tables(table_rows, table_dim)
    return (to_dev(ttnn, device, _x(x_shape)), to_dev(ttnn, device, cos), to_dev(ttnn, device, sin))


def _r_rotary_head_dim(ttnn, device):
    return ttnn.experimental.rotary_embedding(*_rope_inputs(ttnn, device, (1, NQ, 32, 96), 256, 96))


def _r_rotary_cos_width(ttnn, device):
    return ttnn.experimental.rotary_embedding(*_rope_inputs(ttnn, device, (1, NQ, 32, HD), 256, 64))


def _r_rotary_cos_short(ttnn, device):
    return ttnn.experimental.rotary_embedding(*_rope_inputs(ttnn, device, (1, NQ, 128, HD), 64, HD))


def _r_create_heads_decode(batch=1, heads=NQ, kv=NKV, head_dim=HD, dtype="bfloat16"):
    def run(ttnn, device):
        x = to_dev(ttnn, device, _x((1, 1, batch, (heads + 2 * kv) * head_dim)), dtype=dtype)
        return ttnn.experimental.nlp_create_qkv_heads_decode(x, num_heads=heads, num_kv_heads=kv,
                                                             memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    return run


def _r_concat_heads_decode_interleaved(ttnn, device):
    return ttnn.experimental.nlp_concat_heads_decode(to_dev(ttnn, device, _x((1, 8, NQ, HD))), num_heads=NQ)


def _r_concat_heads_decode_heads(ttnn, device):
    x = to_dev(ttnn, device, _x((1, 8, NQ, HD)), memory_config=sharded(ttnn, (32, HD), 8))
    return ttnn.experimental.nlp_concat_heads_decode(x, num_heads=40)


def _r_sdpa(q_shape=(1, NQ, 32, HD), kv_shape=(1, NKV, 32, HD), dtype="bfloat16", is_causal=True, mask=False):
    def run(ttnn, device):
        q, k, v = (to_dev(ttnn, device, _x(s, n), dtype=dtype)
                   for s, n in ((q_shape, "q"), (kv_shape, "k"), (kv_shape, "v")))
        kwargs = {"is_causal": is_causal}
        if mask:
            kwargs["attn_mask"] = to_dev(ttnn, device, causal_mask(q_shape[2], kv_shape[2])
                                         .reshape(1, 1, q_shape[2], kv_shape[2]).to(BF16))
        return ttnn.transformer.scaled_dot_product_attention(q, k, v, **kwargs)
    return run


def _r_sdpa_decode(batch=1, q_heads=NQ, kv_heads=NKV, q_dim=HD, kv_dim=HD, cache_len=256, pos=(10,)):
    def run(ttnn, device):
        q = to_dev(ttnn, device, _x((1, batch, q_heads, q_dim), "q"))
        k = to_dev(ttnn, device, _x((batch, kv_heads, cache_len, kv_dim), "k"))
        v = to_dev(ttnn, device, _x((batch, kv_heads, cache_len, kv_dim), "v"))
        return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=list(pos))
    return run


def _r_sdpa_decode_bfp8_q(ttnn, device):
    q = to_dev(ttnn, device, _x((1, 1, NQ, HD), "q"), dtype="bfloat8_b")
    k, v = (to_dev(ttnn, device, _x((1, NKV, 256, HD), n)) for n in "kv")
    return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=[10])


def _r_sdpa_decode_batch(ttnn, device):
    q = to_dev(ttnn, device, _x((1, 4, NQ, HD), "q"))
    k, v = (to_dev(ttnn, device, _x((1, NKV, 256, HD), n)) for n in "kv")
    return ttnn.transformer.scaled_dot_product_attention_decode(q, k, v, is_causal=True, cur_pos=[10] * 4)


def _r_paged_update_uint32_idxs(ttnn, device):
    cache = to_dev(ttnn, device, _x((1, NKV, 256, HD), "cache"))
    x = to_dev(ttnn, device, _x((1, 1, NKV, HD)), memory_config=sharded(ttnn, (32, HD), 1))
    idxs = ttnn.from_torch(torch.tensor([5], dtype=torch.int32), dtype=ttnn.uint32, device=device)
    return ttnn.experimental.paged_update_cache(cache, x, update_idxs_tensor=idxs)


def _r_fill_cache(users=1, batch_idx=0, seq=32, max_seq=256, cache_dtype="bfloat16", input_dtype="bfloat16",
                  input_batch=1, update_idx=0, input_kv=NKV):
    def run(ttnn, device):
        cache = to_dev(ttnn, device, _x((users, NKV, max_seq, HD), "cache"), dtype=cache_dtype)
        x = to_dev(ttnn, device, _x((input_batch, input_kv, seq, HD)), dtype=input_dtype)
        return ttnn.fill_cache(cache, x, batch_idx, update_idx=update_idx)
    return run


def _r_paged_update(batch=1, cores=None, input_dtype="bfloat16", interleaved=False, idxs=None, both=False,
                    page_table=False):
    def run(ttnn, device):
        cache = to_dev(ttnn, device, _x((batch, NKV, 256, HD), "cache"))
        x_torch = _x((1, batch, NKV, HD))
        if interleaved:
            x = to_dev(ttnn, device, x_torch, dtype=input_dtype)
        else:
            n = cores or batch
            shard_h = 32 * batch // n
            x = to_dev(ttnn, device, x_torch, dtype=input_dtype, memory_config=sharded(ttnn, (shard_h, HD), n))
        positions = list(idxs) if idxs is not None else list(range(batch))
        kwargs = {"update_idxs": positions}
        if both:
            kwargs["update_idxs_tensor"] = ttnn.from_torch(torch.tensor(positions, dtype=torch.int32),
                                                           dtype=ttnn.int32, device=device)
        if page_table:
            kwargs["page_table"] = ttnn.from_torch(torch.arange(batch * 4, dtype=torch.int32).reshape(batch, 4),
                                                   dtype=ttnn.int32, device=device)
        return ttnn.experimental.paged_update_cache(cache, x, **kwargs)
    return run


# The patterns: the real ttnn 0.81.1 TT_FATAL wording (measured on the mock n150; quoted in the
# comment) OR the host backend's statement of the same rule. Each names the rule, never just the op.
ON_DEVICE = r"(?i)must be on device|need to be on device|expect device tensors"
REFUSAL_CASES: list[RefusalCase] = [
    # real: "Operand to matmul must be on device"
    _refusal("linear-host_tensors", "linear", _r_linear_host, ON_DEVICE),
    # real: "Inputs to matmul must be tilized"
    _refusal("linear-row_major_input", "linear", _r_linear_row_major, r"(?i)must be tilized"),
    # real: "The width of the first tensor must be equal to the height of the second tensor. Mismatch: ..."
    _refusal("linear-inner_dim_mismatch", "linear", _r_linear_inner,
             r"(?i)width of the first tensor must be equal to the height of the second"),
    # real: "Input and gamma padded widths must match and gamma logical width must be >= input logical width ..."
    _refusal("rms_norm-weight_width_mismatch", "rms_norm", _r_rms_weight,
             r"(?i)gamma padded widths must match|weight tensor's last padded dim .* must match"),
    # real: "ttnn::rms_norm does not support ROW_MAJOR input tensors. Use TILE layout."
    _refusal("rms_norm-row_major_input", "rms_norm", _r_rms_row_major,
             r"(?i)does not support ROW_MAJOR|must be tilized"),
    # real: "Input tensor A must be on device, got storage type: StorageType::HOST"
    _refusal("add-host_tensors", "add", _r_add_host, ON_DEVICE),
    # real: "Invalid subtile broadcast type"
    _refusal("add-width1024_vs_512", "add", _r_add_shapes, r"(?i)broadcast"),
    # NOT listed: ttnn.silu, ttnn.rms_norm and ttnn.transformer.scaled_dot_product_attention on host
    # tensors. The real ttnn 0.81.1 crashes the process (segmentation fault, measured on the mock
    # n150) instead of raising, so such a test would take the whole run down on mock and device.
    # real: "Input must be UINT32 or BFLOAT16"
    _refusal("embedding-float32_ids", "embedding", _r_embedding_float_ids, r"(?i)must be UINT32 or BFLOAT16"),
    # real: "Weights tensor must have BFLOAT16 dtype"
    _refusal("embedding-float32_weight", "embedding", _r_embedding_float_weight,
             r"(?i)weights? tensor must have BFLOAT16"),
    # real: "Device Operations expect device tensors as inputs"
    _refusal("embedding-host_ids", "embedding", _r_embedding_host_ids, ON_DEVICE),
    # real: "Input X dimension (96) must be either 32 (single tile) or divisible by 64 (rotate_half ...)"
    _refusal("rotary-head_dim96_not_multiple_of_64", "experimental.rotary_embedding", _r_rotary_head_dim,
             r"(?i)divisible by 64|multiple of 64"),
    # real: "Cosine cache dimensions must match input dimensions. Expected (1, 1, 128), but got ..."
    _refusal("rotary-cos_width_mismatch", "experimental.rotary_embedding", _r_rotary_cos_width,
             r"(?i)cos(ine cache)? dim(ension)?s must match input dim"),
    # real: "Cosine cache must cover the input sequence length. Input sequence length: 128, Cos cache ...: 64."
    _refusal("rotary-cos_shorter_than_seq", "experimental.rotary_embedding", _r_rotary_cos_short,
             r"(?i)must cover the input sequence length|seq_len \d+ exceeds cos"),
    # real: "Input tensor layout must be TILE but got Layout::ROW_MAJOR"
    _refusal("create_qkv_heads-row_major_input", "experimental.nlp_create_qkv_heads", _r_create_heads_row_major,
             r"(?i)layout must be TILE|must be tilized"),
    # real: "ShapeBase[] index out of range. 3 not in [-4, 3)" (no rank check of its own)
    _refusal("create_qkv_heads-rank3_input", "experimental.nlp_create_qkv_heads", _r_create_heads_rank3,
             r"(?i)index out of range|rank"),
    # real: "Unsupported input shape = Shape([1, 1, 64, 4096])"
    _refusal("create_qkv_heads_decode-batch64", "experimental.nlp_create_qkv_heads_decode",
             _r_create_heads_decode(batch=64), r"(?i)unsupported input shape"),
    # real: "Physical shard shape (32, 48) must be tile {32, 32} sized!"
    _refusal("create_qkv_heads_decode-head_dim48", "experimental.nlp_create_qkv_heads_decode",
             _r_create_heads_decode(head_dim=48), r"(?i)must be tile .*sized|head_dim .*multiple of TILE_WIDTH"),
    # real: "Unsupported data format"
    _refusal("create_qkv_heads_decode-bfloat8_b_input", "experimental.nlp_create_qkv_heads_decode",
             _r_create_heads_decode(dtype="bfloat8_b"), r"(?i)unsupported data format"),
    # real: "ShapeBase[] index out of range. 3 not in [-4, 3)"
    _refusal("concat_heads-rank3_input", "experimental.nlp_concat_heads", _r_concat_heads_rank3,
             r"(?i)index out of range|rank"),
    # real: "Input tensor must be sharded"
    _refusal("concat_heads_decode-interleaved_input", "experimental.nlp_concat_heads_decode",
             _r_concat_heads_decode_interleaved, r"(?i)must be (height_)?sharded"),
    # real (sic, the check is num_heads <= 32 padded heads): "head_dim must be multiple of TILE_WIDTH"
    _refusal("concat_heads_decode-heads40", "experimental.nlp_concat_heads_decode",
             _r_concat_heads_decode_heads, r"(?i)head_dim must be multiple of TILE_WIDTH|num_heads .*<= ?32"),
    # real (sic, it compares K/V with Q's head dim): "K and V hidden dim must match. Got K: 64, V: 64"
    _refusal("sdpa-kv_head_dim64_vs_q128", "transformer.scaled_dot_product_attention",
             _r_sdpa(kv_shape=(1, NKV, 32, 64)), r"(?i)hidden dim must match|same head dim"),
    # real: "Q num_heads must be >= K num_heads and divisible by K num_heads, ..."
    _refusal("sdpa-gqa_16_over_6", "transformer.scaled_dot_product_attention",
             _r_sdpa(kv_shape=(1, 6, 32, HD)), r"(?i)divisible by K num_heads"),
    # real: "Causal SDPA requires Q and K to have the same sequence length. Got Q: 32, K: 64"
    _refusal("sdpa-causal_sq32_sk64", "transformer.scaled_dot_product_attention",
             _r_sdpa(kv_shape=(1, NKV, 64, HD)), r"(?i)requires Q and K to have the same sequence length"),
    # real: "Data type of input tensor must be BFLOAT16, BFLOAT8_B, or BFLOAT4_B and is DataType::FLOAT32"
    _refusal("sdpa-float32_inputs", "transformer.scaled_dot_product_attention", _r_sdpa(dtype="float32"),
             r"(?i)data type of .* must be BFLOAT16"),
    # real: "is_causal and attn_mask cannot both be present. Got is_causal: true, attn_mask: true"
    _refusal("sdpa-causal_and_mask", "transformer.scaled_dot_product_attention", _r_sdpa(mask=True),
             r"(?i)is_causal and attn_mask cannot both|attn_mask must be None when is_causal"),
    # real: "K tensor hidden dimension (64) must equal Q tensor hidden dimension (128)"
    _refusal("sdpa_decode-kv_head_dim64_vs_q128", "transformer.scaled_dot_product_attention_decode",
             _r_sdpa_decode(kv_dim=64), r"(?i)hidden dimension .*must equal Q|same head dim"),
    # real: "GQA expects Q to have a multiple of K heads, but got 16 and 6"
    _refusal("sdpa_decode-gqa_16_over_6", "transformer.scaled_dot_product_attention_decode",
             _r_sdpa_decode(kv_heads=6), r"(?i)multiple of K heads|divisible by K num_heads"),
    # real: "cur_pos must be <= K sequence dim" (the check is cur_pos < S)
    _refusal("sdpa_decode-cur_pos256_beyond_cache256", "transformer.scaled_dot_product_attention_decode",
             _r_sdpa_decode(pos=(256,)), r"(?i)cur_pos .*(K sequence dim|cache length)"),
    # real: "GQA expects BFLOAT16 input tensor, but got DataType::BFLOAT8_B"
    _refusal("sdpa_decode-bfloat8_b_q_with_gqa", "transformer.scaled_dot_product_attention_decode",
             _r_sdpa_decode_bfp8_q, r"(?i)expects BFLOAT16|Q must be BFLOAT16"),
    # real: "K tensor batch size (1) must equal B (4)"
    _refusal("sdpa_decode-cache_batch1_for_4_users", "transformer.scaled_dot_product_attention_decode",
             _r_sdpa_decode_batch, r"(?i)batch size \(1\) must (equal|match)|batch .*\(1\).*\(4\)"),
    # real: "Batch index (2) must be less than cache tensor batch size (2)"
    _refusal("fill_cache-batch_idx2_of_2", "fill_cache", _r_fill_cache(users=2, batch_idx=2),
             r"(?i)batch.?(idx|index) \(2\) must be (<|less than) cache"),
    # real: "Fill update_idx (0) + input tensor height (512) must be <= cache tensor height (256)"
    _refusal("fill_cache-seq512_longer_than_cache256", "fill_cache", _r_fill_cache(seq=512),
             r"(?i)\(512\).* must be <= cache"),
    # real: "Input and cache tensors must have same dtype!"
    _refusal("fill_cache-float32_input_bf16_cache", "fill_cache", _r_fill_cache(input_dtype="float32"),
             r"(?i)must have same dtype|must match cache dtype"),
    # real: "Input tensor batch size must be 1 but got 2"
    _refusal("fill_cache-input_batch2", "fill_cache", _r_fill_cache(input_batch=2), r"(?i)batch( size)? must be 1"),
    # real: "Input tensor height (9) must equal cache tensor height (8)" (height = the heads dim)
    _refusal("fill_cache-9_heads_into_8", "fill_cache", _r_fill_cache(input_kv=9), r"(?i)\(9\).* must (equal|match)"),
    # real: "Fill update_idx (16) must be a multiple of TILE_HEIGHT (32)"
    _refusal("fill_cache-update_idx16_not_tile_aligned", "fill_cache", _r_fill_cache(update_idx=16),
             r"(?i)update_idx \(16\) must be a multiple of TILE_HEIGHT"),
    # NOT listed: a fill_cache grid limit. 0.81.1 has none: fill_cache of [1, 8, 2048, 128] (512 work
    # blocks on a 64-core grid) is accepted on the mock n150 (see the fill_cache seq1024 / seq2048 cases).
    # real: "Data type of input tensor for paged_update_cache must be FLOAT32 or BFLOAT16; ..."
    _refusal("paged_update_cache-bfloat8_b_input", "experimental.paged_update_cache",
             _r_paged_update(input_dtype="bfloat8_b"), r"(?i)must be FLOAT32 or BFLOAT16"),
    # real: "Expect input_tensor to be sharded"
    _refusal("paged_update_cache-interleaved_input", "experimental.paged_update_cache",
             _r_paged_update(interleaved=True), r"(?i)to be sharded|must be (height_)?sharded"),
    # real: "Input tensor shard grid must have num_cores (4) equal to the number of users / batch (8). ..."
    _refusal("paged_update_cache-8_users_on_4_cores", "experimental.paged_update_cache",
             _r_paged_update(batch=8, cores=4), r"(?i)\(4\).* equal (to )?the number of users"),
    # real: "Only an update tensor or an update vector can be provided. Not both or neither."
    _refusal("paged_update_cache-list_and_tensor", "experimental.paged_update_cache",
             _r_paged_update(both=True), r"(?i)not both or neither|exactly one of update_idxs"),
    # real: "Number of update_idxs (2) should match batch size (1)"
    _refusal("paged_update_cache-2_positions_for_1_user", "experimental.paged_update_cache",
             _r_paged_update(idxs=(3, 4)), r"(?i)number of update.?(idxs|indices) \(2\) (should match|must equal)"),
    # real: "Expected update_idxs to have datatype INT32"
    _refusal("paged_update_cache-uint32_idxs_tensor", "experimental.paged_update_cache", _r_paged_update_uint32_idxs,
             r"(?i)INT32"),
    # real: "Paged cache requires update_idxs tensor"
    _refusal("paged_update_cache-page_table_with_list", "experimental.paged_update_cache",
             _r_paged_update(page_table=True), r"(?i)requires update_idxs.?tensor"),
]
REFUSALS_BY_ID = {c.id: c for c in REFUSAL_CASES}
assert len(REFUSALS_BY_ID) == len(REFUSAL_CASES), "duplicate RefusalCase ids"


def refusals_for(*ops: str) -> list[RefusalCase]:
    return [c for c in REFUSAL_CASES if c.op in ops]


def resolve_op(ttnn, path: str):
    """'experimental.rotary_embedding' -> ttnn.experimental.rotary_embedding."""
    obj = ttnn
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj
