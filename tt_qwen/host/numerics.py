"""The n150's datapath, modelled: what a Wormhole computes, op by op and config by config.

Two modes (one switch, `TT_QWEN_NUMERICS` or `set_mode`):
- `device` (the default, what CI runs): FPU fidelity phases, a 16-bit Dst rounded after every
  16-deep multiply step (or an fp32 Dst), the SFPU's approximate exp, bf16 intermediates, the
  packer's rounding. Facts and sources: tt_qwen/host/NUMERICS.md.
- `exact`: float32 arithmetic with one rounding per op (for debugging a model's logic apart from
  precision).

Everything here works on float32 torch tensors holding the stored values of the inputs.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from . import blockfloat

ENV_VAR = "TT_QWEN_NUMERICS"
MODES = ("device", "exact")
_mode: str | None = None


def check_mode(name: str) -> str:
    if name not in MODES:
        raise ValueError(f"unknown numerics mode {name!r} (from --numerics or ${ENV_VAR}): choose one of {', '.join(MODES)}")
    return name


def set_mode(name: str) -> None:
    global _mode
    _mode = check_mode(name)


def mode() -> str:
    global _mode
    if _mode is None:
        _mode = check_mode(os.environ.get(ENV_VAR, "device"))
    return _mode


def device_numerics() -> bool:
    return mode() == "device"


@contextmanager
def using(name: str):
    """Numerics `name` for the block, the previous mode restored after it."""
    previous = mode()
    set_mode(name)
    try:
        yield
    finally:
        set_mode(previous)


# ---- compute configs ---------------------------------------------------------------------------

FIDELITY_PHASES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}


@dataclass(frozen=True)
class Datapath:
    """The fields of a compute kernel config that change numbers, resolved for one op call."""

    math_fidelity: str  # LoFi | HiFi2 | HiFi3 | HiFi4
    fp32_dest_acc_en: bool
    math_approx_mode: bool
    packer_l1_acc: bool

    @property
    def phases(self) -> int:
        return FIDELITY_PHASES[self.math_fidelity]


# What 0.81.1 compiles when no compute_kernel_config is passed (read from the JIT headers the real
# wheel writes on the mock n150; tests/mock/test_kernel_config.py re-checks every entry).
OP_DEFAULTS = {
    "matmul": Datapath("HiFi2", False, False, True),
    "sdpa": Datapath("HiFi2", False, True, False),
    "sdpa_decode": Datapath("HiFi2", False, True, False),
    "rms_norm": Datapath("HiFi4", False, True, False),
    "rotary_embedding": Datapath("HiFi4", False, False, False),
    "softmax": Datapath("HiFi3", True, True, False),
    "eltwise": Datapath("HiFi4", False, False, False),
}


# SDPA's intermediate circular buffers that 0.81.1 creates in float32 when Dst is fp32 (the rest,
# and all of them with a 16-bit Dst, are bf16): prefill's scores/probabilities (cb_qk_im) and the
# two running-sum buffers (cb_sum_A/B); decode none. Read from the JIT headers the wheel writes on
# the mock n150 (tt_qwen/host/NUMERICS.md "SDPA's buffers"); flash_attention below models exactly these.
SDPA_FP32_DST_BUFFERS = {"sdpa": ("qk_im", "sum_A", "sum_B"), "sdpa_decode": ()}

# The intermediate circular buffers each op's model keeps in float32 when Dst is fp32 (16-bit Dst:
# none, every intermediate is bf16): matmul's partials buffer (packer L1 accumulation), rms_norm's
# x^2, mean, rsqrt and x*r (rms_norm below), SDPA's above.
# tests/mock/test_kernel_config.py counts the float32 buffers in the real wheel's JIT headers.
FP32_DST_INTERMEDIATES = {"matmul": 1, "rms_norm": 4}


def float32_intermediates(op_kind: str, path: Datapath) -> int:
    if not path.fp32_dest_acc_en:
        return 0
    if op_kind in SDPA_FP32_DST_BUFFERS:
        return len(SDPA_FP32_DST_BUFFERS[op_kind])
    return FP32_DST_INTERMEDIATES.get(op_kind, 0)


# Ops whose 0.81.1 program ignores compute_kernel_config (measured on the mock n150: a LoFi or an
# fp32-Dst config compiles no new kernel, the default one runs).
CONFIG_IGNORED = frozenset({"rotary_embedding"})


def resolve(op_kind: str, config) -> Datapath:
    """The datapath of one call: the config's fields where given, else the op's default.

    As 0.81.1's init_device_compute_kernel_config: an explicit config is taken field by field,
    except that an Invalid fidelity (WormholeComputeKernelConfig's own default) means the op's.
    """
    default = OP_DEFAULTS[op_kind]
    if config is None or op_kind in CONFIG_IGNORED:
        return default
    fidelity = config.math_fidelity.name
    return Datapath(default.math_fidelity if fidelity == "Invalid" else fidelity, bool(config.fp32_dest_acc_en),
                    bool(config.math_approx_mode), bool(config.packer_l1_acc))


# ---- rounding ----------------------------------------------------------------------------------


def round_bf16(t: torch.Tensor) -> torch.Tensor:
    """float32 -> bfloat16 round-to-nearest-even, back in float32."""
    return t.to(torch.bfloat16).to(torch.float32)


def truncate_bf16(t: torch.Tensor) -> torch.Tensor:
    """float32 -> bfloat16 by dropping the low 16 bits (an SFPU store to a 16-bit Dst)."""
    return (t.contiguous().view(torch.int32) & -65536).view(torch.float32)


def keep_mantissa_bits(t: torch.Tensor, bits: int) -> torch.Tensor:
    """Keep the implicit 1 and the top `bits` mantissa bits of float32 values (truncation)."""
    mask = -(1 << (23 - bits))
    return (t.contiguous().view(torch.int32) & mask).view(torch.float32)


def pack(values: torch.Tensor, dtype_name: str) -> torch.Tensor:
    """The packer's conversion from Dst to an output format: bf16 RNE, block floats ties away."""
    if dtype_name == "BFLOAT16":
        return round_bf16(values)
    if dtype_name in ("BFLOAT8_B", "BFLOAT4_B") and values.shape[-1] % 16 == 0:
        fmt = "bfloat8_b" if dtype_name == "BFLOAT8_B" else "bfloat4_b"
        return blockfloat.quantize(values, fmt, ties_away=True)
    return values


# ---- the FPU multiply: fidelity phases ---------------------------------------------------------
# SrcASrcB.md "Fidelity phases": SrcA phases 0/2 use the implicit 1 and the top 4 mantissa bits,
# phases 1/3 the rest; SrcB phases 0/1 the implicit 1 and the top 6 bits, phases 2/3 the rest.
# TF32 in Src (float32 inputs): 10 mantissa bits, SrcA ignores the last one.


class SrcOperand:
    """One operand as a Src register holds it, split into the mantissa parts the phases multiply.

    The parts are computed when first asked for and kept: a weight is split once, not per call.
    """

    def __init__(self, values: torch.Tensor, hi_bits: int, full_bits: int):
        self.values, self.hi_bits, self.full_bits = values, hi_bits, full_bits
        self._parts = {}

    def part(self, name: str) -> torch.Tensor:
        if name not in self._parts:
            self._parts[name] = self._compute(name)
        return self._parts[name]

    def _compute(self, name: str) -> torch.Tensor:
        if name == "full":
            full = keep_mantissa_bits(self.values, self.full_bits)
            return self.values if torch.equal(full, self.values) else full
        if name == "hi":
            return keep_mantissa_bits(self.part("full"), self.hi_bits)
        return self.part("full") - self.part("hi")


def srca(t: torch.Tensor, tf32: bool = False) -> SrcOperand:
    return t if isinstance(t, SrcOperand) else SrcOperand(t, 4, 9 if tf32 else 7)


def srcb(t: torch.Tensor, tf32: bool = False) -> SrcOperand:
    return t if isinstance(t, SrcOperand) else SrcOperand(t, 6, 10 if tf32 else 7)


# (SrcB part, SrcA part) of each fidelity phase, in phase order.
PHASES = [("hi", "hi"), ("hi", "lo"), ("lo", "hi"), ("lo", "lo")]
# The same products merged into as few matmuls as an fp32 Dst allows (the sum is linear).
FUSED_PHASES = {1: [("hi", "hi")], 2: [("hi", "full")], 3: [("hi", "full"), ("lo", "hi")], 4: [("full", "full")]}


def phase_operands(b: SrcOperand, a: SrcOperand, phases: int) -> list:
    return [(b.part(pb), a.part(pa)) for pb, pa in PHASES[:phases]]


def fused_phase_operands(b: SrcOperand, a: SrcOperand, phases: int) -> list:
    return [(b.part(pb), a.part(pa)) for pb, pa in FUSED_PHASES[phases]]


def elementwise_multiply(a: torch.Tensor, b: torch.Tensor, path: Datapath) -> torch.Tensor:
    """ELWMUL: Dst = SrcA * SrcB over the fidelity phases, Dst rounded per phase when 16-bit."""
    if not device_numerics():
        return a * b
    parts = phase_operands(srcb(b), srca(a), path.phases)
    acc = parts[0][0] * parts[0][1]
    acc = acc if path.fp32_dest_acc_en else round_bf16(acc)
    for b_part, a_part in parts[1:]:
        acc = acc + b_part * a_part
        acc = acc if path.fp32_dest_acc_en else round_bf16(acc)
    return acc


# ---- matmul ------------------------------------------------------------------------------------
STEP = 16  # MVMUL multiplies 16 deep: Dst is rounded after every 16 elements of K
TILE = 32  # the fidelity loop runs per 32-deep K tile, over its two 16-deep faces
_PARTIALS_BUDGET = 1 << 24  # float32 elements of step partials held at once


def matmul(x, w, path: Datapath, tf32_x=False, tf32_w=False) -> torch.Tensor:
    """x [..., M, K] (in0, unpacked to SrcB) @ w [..., K, N] (in1, SrcA): the Dst contents, float32.

    x and w are float32 tensors or SrcOperands (a weight's, kept between calls).
    """
    if not device_numerics():
        return torch.matmul(x.values if isinstance(x, SrcOperand) else x, w.values if isinstance(w, SrcOperand) else w)
    x, w = srcb(x, tf32_x), srca(w, tf32_w)
    if path.fp32_dest_acc_en:
        parts = fused_phase_operands(x, w, path.phases)
        out = torch.matmul(*parts[0])
        for b_part, a_part in parts[1:]:
            out = out + torch.matmul(b_part, a_part)
        return out
    return _matmul_dst16(phase_operands(x, w, path.phases))


def _matmul_dst16(parts: list) -> torch.Tensor:
    """A 16-bit Dst: Dst = bf16(Dst + 16-deep partial) for every K tile, phase, face, in that order."""
    x, w = parts[0]
    pad = -x.shape[-1] % TILE
    if pad:
        parts = [(torch.nn.functional.pad(xp, (0, pad)), torch.nn.functional.pad(wp, (0, 0, 0, pad))) for xp, wp in parts]
        x, w = parts[0]
    phases = len(parts)
    out_shape = torch.broadcast_shapes(x.shape[:-2], w.shape[:-2]) + (x.shape[-2], w.shape[-1])
    acc = torch.zeros(out_shape, dtype=torch.bfloat16)
    tiles = x.shape[-1] // TILE
    per_group = max(1, _PARTIALS_BUDGET // max(1, acc.numel() * 2 * phases))
    for first in range(0, tiles, per_group):
        last = min(tiles, first + per_group)
        partials = [_step_partials(xp, wp, first, last) for xp, wp in parts]  # [steps, ..., M, N] each
        for tile in range(last - first):
            for partial in partials:
                for face in range(2):
                    # a float32 add, one RNE rounding into the bf16 accumulator (torch.add with a
                    # bf16 out= computes the same, ten times slower)
                    acc = (acc.float() + partial[2 * tile + face]).bfloat16()
    return acc.to(torch.float32)


def _step_partials(x, w, first_tile: int, last_tile: int) -> torch.Tensor:
    """The fp32 sums of each 16-deep K step of tiles first..last: [steps, ..., M, N]."""
    rank = max(x.dim(), w.dim())
    x = x.reshape((1,) * (rank - x.dim()) + tuple(x.shape))
    w = w.reshape((1,) * (rank - w.dim()) + tuple(w.shape))
    xs = x[..., first_tile * TILE: last_tile * TILE]
    ws = w[..., first_tile * TILE: last_tile * TILE, :]
    steps = xs.shape[-1] // STEP
    xs = xs.reshape(*xs.shape[:-1], steps, STEP).movedim(-2, 0)  # [steps, ..., M, 16]
    ws = ws.reshape(*ws.shape[:-2], steps, STEP, ws.shape[-1]).movedim(-3, 0)  # [steps, ..., 16, N]
    return torch.matmul(xs, ws)


# ---- SFPU exp ----------------------------------------------------------------------------------
# ckernel_sfpu_exp.h (wormhole_b0), approximation mode without input clamping (the SDPA kernels'
# exp_tile<true, ..., InputClamping::None>): Schraudolph's construction i = A*scale*x + (B - C),
# rounded to a 16-bit integer and shifted into bits 30..15 of a float32.
_EXP_A = 256.0 / 0.6931471805599453
_EXP_B_MINUS_C = 32500.818359375


def exp_approx(x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """exp(scale * x) as the SFPU's fast approximation computes it (for x * scale <= 0)."""
    a = torch.tensor(_EXP_A, dtype=torch.float32) * torch.tensor(scale, dtype=torch.float32)
    i = torch.round(x * a + _EXP_B_MINUS_C).clamp(0, 32767).to(torch.int32)
    y = (i << 15).view(torch.float32)
    # Below about -88 the integer goes negative: the kernel's result there is not an exp; an SDPA
    # row never reaches it except through masked (-inf) scores, which it zeroes. *Inferred*.
    return torch.where(x * scale < -88.0, torch.zeros_like(y), y)


def exp(x: torch.Tensor, scale: float, approx: bool, fp32_dst: bool = False) -> torch.Tensor:
    """exp(scale * x) into Dst: the fast approximation (stored truncated into a 16-bit Dst) or exp
    (rounded RNE into a 16-bit Dst); an fp32 Dst keeps either as computed."""
    if approx:
        y = exp_approx(x, scale)
        return y if fp32_dst else truncate_bf16(y)
    y = torch.exp(x * scale)
    return y if fp32_dst else round_bf16(y)


# ---- SDPA: flash attention ---------------------------------------------------------------------
# sdpa/device/kernels/compute/compute_common.hpp (sdpa_inner_loop): per Q chunk, per K chunk,
# S = Q K^T (matmul, packed to cb_qk_im), + mask (on the unscaled S), running max (cb_max), P =
# exp((S - max) * scale) with the scale fused into the exp (in place in cb_qk_im, its row sums into
# cb_sum), the correction exp((max_old - max_new) * scale) with the accurate exp (cb_exp_max_diff),
# running sum and output (cb_out_im) rescaled; finally O * (1 / sum). Each buffer is bf16 but for
# SDPA_FP32_DST_BUFFERS under an fp32 Dst; a value that stays in Dst between two steps (S - max
# before its exp) is rounded to bf16 only in a 16-bit Dst. A causal Q chunk stops at the K chunk
# holding its last row (k_chunk_end = ceil(min(q_start + q_chunk, Sk) / k_chunk)); an explicit
# mask runs every K chunk.
#
# The host runs a block of whole Q chunks at once, and a group of K chunks at once: each row's
# arithmetic is its own (row-wise ops, per-element Dst rounding), and a K chunk wholly above a
# row's diagonal leaves that row's state as it was (P = 0, correction 1), so a block stopping at
# its last Q chunk's bound computes what the kernel's per-chunk loop computes, bit for bit
# (tests/ops/test_sdpa_fast.py proves it against the unblocked per-chunk loop).
_BLOCK_ROWS = 256  # query rows of a block (fewer: a causal block skips more, at more steps)
_GROUP_BUDGET = 1 << 17  # float32 scores of one K group: its elementwise chain stays in cache


@dataclass(frozen=True)
class _Buffers:
    """What each SDPA intermediate goes through, as one call's datapath and op make it: the
    packer into cb_qk_im and cb_sum (float32 kept, or bf16), and Dst itself."""

    scores_fp32: bool  # cb_qk_im
    sums_fp32: bool  # cb_sum_A / cb_sum_B
    fp32_dst: bool

    @staticmethod
    def of(op_kind: str, path: Datapath) -> "_Buffers":
        fp32 = set(SDPA_FP32_DST_BUFFERS[op_kind]) if path.fp32_dest_acc_en else set()
        return _Buffers("qk_im" in fp32, {"sum_A", "sum_B"} <= fp32, path.fp32_dest_acc_en)

    def scores(self, t):
        return t if self.scores_fp32 else round_bf16(t)

    def sums(self, t):
        return t if self.sums_fp32 else round_bf16(t)

    def dst(self, t):
        return t if self.fp32_dst else round_bf16(t)


def flash_attention(q, k, v, scale: float, mask, k_chunk: int, path: Datapath, causal: bool = False,
                    q_chunk: int = 32, op_kind: str = "sdpa") -> torch.Tensor:
    """q [..., Sq, d], k/v [..., Sk, d] (heads already matched); mask additive [.., Sq, Sk] or None;
    causal: query i sees keys 0..i (the mask is made here) and the K chunks past its Q chunk are skipped.
    op_kind: "sdpa" or "sdpa_decode" (their programs keep different buffers in float32)."""
    if not device_numerics():
        return _exact_attention(q, k, v, scale, _causal_mask(0, q.shape[-2], k.shape[-2]) if causal else mask)
    buffers = _Buffers.of(op_kind, path)
    out = torch.empty(q.shape[:-1] + (v.shape[-1],))
    for first, last, keys in _q_blocks(q.shape[-2], k.shape[-2], k_chunk, q_chunk, causal):
        rows = slice(first, last)
        block_mask = _causal_mask(first, last, keys) if causal else None if mask is None else mask[..., rows, :keys]
        out[..., rows, :] = _flash_block(q[..., rows, :], k[..., :keys, :], v[..., :keys, :], scale, block_mask,
                                         k_chunk, path, buffers)
    return out


def _exact_attention(q, k, v, scale: float, mask) -> torch.Tensor:
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale
    if mask is not None:
        scores = scores + mask
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def _causal_mask(first: int, last: int, keys: int) -> torch.Tensor:
    """Rows first..last of the causal mask over keys 0..keys: -inf above the diagonal, else 0."""
    return torch.full((last - first, keys), float("-inf")).triu(first + 1)


def _q_blocks(sq: int, sk: int, k_chunk: int, q_chunk: int, causal: bool):
    """(first row, end row, keys read) of each block of whole Q chunks: a causal block reads the K
    chunks its last Q chunk reads on the device, any other block every key."""
    rows = max(q_chunk, _BLOCK_ROWS // q_chunk * q_chunk)
    padded_sk = -(-sk // k_chunk) * k_chunk
    for first in range(0, sq, rows):
        last = min(sq, first + rows)
        q_high = min(-(-last // q_chunk) * q_chunk, padded_sk)
        yield first, last, min(sk, -(-q_high // k_chunk) * k_chunk) if causal else sk


def _flash_block(q, k, v, scale: float, mask, k_chunk: int, path: Datapath, buffers: _Buffers) -> torch.Tensor:
    """Flash attention of one block of query rows over its keys, a group of K chunks at a time."""
    sk = k.shape[-2]
    q = srcb(q)  # split into its fidelity parts once for every group
    lead = q.values.shape[:-1] + (1,)
    state = (torch.full(lead, float("-inf")), torch.zeros(lead), torch.zeros(q.values.shape[:-1] + (v.shape[-1],)))
    group = k_chunk * max(1, _GROUP_BUDGET // (q.values[..., 0].numel() * k_chunk))
    for start in range(0, sk, group):
        end = min(sk, start + group)
        scores = buffers.scores(matmul(q, k[..., start:end, :].transpose(-1, -2), path))
        if mask is not None:
            scores = buffers.scores(scores + mask[..., start:end])
        full = (end - start) // k_chunk * k_chunk
        if full:  # whole chunks: scores [..., rows, chunks, k_chunk], values [..., chunks, k_chunk, dv]
            state = _k_chunks(state, scores[..., :full].unflatten(-1, (-1, k_chunk)),
                              v[..., start:start + full, :].unflatten(-2, (-1, k_chunk)), scale, path, buffers)
        if start + full < end:  # a last, shorter chunk keeps its own length (its row sum adds fewer terms)
            state = _k_chunks(state, scores[..., full:].unsqueeze(-2), v[..., start + full:end, :].unsqueeze(-3),
                              scale, path, buffers)
    _, row_sum, out = state
    return round_bf16(out * buffers.sums(1.0 / row_sum))  # the reciprocal in place in cb_sum


def _k_chunks(state, scores, v, scale: float, path: Datapath, buffers: _Buffers):
    """The kernel's K-chunk loop over equal chunks: scores [..., R, n, c], v [..., n, c, dv].

    Everything a chunk computes from its own scores and the running max (the max is a running
    maximum: exact in any order) is computed for all chunks at once; only the rescaling of the
    running sum and output is a loop, as the rounding after every chunk makes it.
    """
    row_max, row_sum, out = state
    chunk_max = round_bf16(scores.amax(-1))  # cb_max is bf16 whatever cb_qk_im holds
    running = torch.cummax(torch.cat([row_max, chunk_max], -1), -1).values  # [..., R, n + 1]
    old_max, new_max = running[..., :-1], running[..., 1:]
    # Rows whose every score so far is masked keep a -inf max: nothing to subtract yet.
    safe_max = torch.where(torch.isinf(new_max), torch.zeros_like(new_max), new_max)
    p = buffers.scores(exp(buffers.dst(scores - safe_max.unsqueeze(-1)), scale, path.math_approx_mode,
                           buffers.fp32_dst))
    correction = round_bf16(exp(buffers.dst(old_max - safe_max), scale, False, buffers.fp32_dst))  # cb_exp_max_diff
    sums = buffers.sums(p.sum(-1))
    # P from a float32 cb_qk_im reaches SrcB as TF32
    pv = round_bf16(matmul(p.movedim(-2, -3), v, path, tf32_x=buffers.scores_fp32))  # [..., n, R, dv]
    for chunk in range(scores.shape[-2]):
        c = correction[..., chunk: chunk + 1]
        row_sum = buffers.sums(buffers.sums(row_sum * c) + sums[..., chunk: chunk + 1])
        out = round_bf16(round_bf16(out * c) + pv[..., chunk, :, :])
    return new_max[..., -1:], row_sum, out


# ---- rms_norm ----------------------------------------------------------------------------------
# layernorm compute kernel (RMSNORM, FUSE_GAMMA): x^2, the row reduction (an FPU reduce with a 1/W
# scaler), + eps, rsqrt, x * r and * gamma, each packed to an intermediate circular buffer: bf16
# unless fp32_dest_acc_en (then float32 buffers).


def rms_norm(x: torch.Tensor, eps: float, gamma, path: Datapath) -> torch.Tensor:
    if not device_numerics():
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        return y if gamma is None else y * gamma
    cb = (lambda t: t) if path.fp32_dest_acc_en else round_bf16
    squares = cb(elementwise_multiply(x, x, path))
    scaler = torch.full((x.shape[-1], 1), 1.0 / x.shape[-1])
    mean = cb(matmul(squares, scaler, path))
    inverse = cb(torch.rsqrt(cb(mean + eps)))
    y = cb(elementwise_multiply(x, inverse.expand_as(x), path))
    return y if gamma is None else cb(elementwise_multiply(y, gamma.expand_as(y), path))
