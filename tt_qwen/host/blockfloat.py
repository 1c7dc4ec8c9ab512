"""bfloat8_b / bfloat4_b: the block-float formats, bit-compatible with tt-metal's host packer.

Layout fact: a 32x32 tile is four 16x16 faces and each face row (16 datums) shares one 8-bit
exponent. In a row-major tensor whose last dim is a multiple of 32, a face row is simply 16
consecutive elements of a row starting at a multiple of 16, so blocks are `reshape(-1, 16)`.

Packing (tt_metal/impl/data_format/bfp_simd.hpp `row_scalar`, `_b` formats so no exponent
rebias): shared exponent = max float32 exponent field of the 16 datums; each datum's 24-bit
mantissa (hidden 1 added) is shifted right by (shared - own exponent), then rounded to 7 (bfp8) /
3 (bfp4) bits, round-to-nearest-even, saturating at the max mantissa (no exponent bump); datums
with a zero exponent field (+-0 and subnormals) are flushed to 0, and a datum whose mantissa
rounds to 0 loses its sign. Verified bit for bit against ttnn 0.81.1's from_torch/to_torch.
Unpacking (`convert_bfp_to_u32`) renormalises the mantissa and subtracts the shift from the
shared exponent with uint32 wrap-around, reproduced here bit for bit.

Every unpacked value has at most 7 significant bits, so it is exact in bfloat16, which is how the
host backend stores block-float tensors.
"""

from __future__ import annotations

import numpy as np
import torch

MANTISSA_BITS = {"bfloat8_b": 7, "bfloat4_b": 3}


def quantize(values: torch.Tensor, fmt: str, ties_away: bool = False) -> torch.Tensor:
    """Pack and unpack `values` (last dim a multiple of 16) as `fmt`; returns float32 values.

    `ties_away`: the device packer's rounding (ties away from zero) instead of the host's (even).
    """
    width = MANTISSA_BITS[fmt]
    shape = values.shape
    bits = values.detach().to(torch.float32).contiguous().numpy().view(np.uint32).reshape(-1, 16).astype(np.int64)
    shared, mantissa, sign = _pack(bits, width, ties_away)
    out = _unpack(shared, mantissa, sign, width)
    return torch.from_numpy(out.astype(np.uint32).view(np.float32).reshape(shape))


def _pack(bits: np.ndarray, width: int, ties_away: bool = False):
    exponent = (bits >> 23) & 0xFF
    shared = exponent.max(axis=1, keepdims=True)
    mantissa = (bits & 0x7FFFFF) | (1 << 23)
    # A shift of 24 or more leaves nothing of a 24-bit mantissa (the C++ loops 31-bit shifts).
    diff = shared - exponent
    mantissa = np.where(diff >= 24, 0, mantissa >> np.minimum(diff, 23))
    shift = 24 - width
    round_value = mantissa & ((1 << shift) - 1)
    mantissa = mantissa >> shift
    tie = 1 << (shift - 1)
    round_up = (round_value > tie) | ((round_value == tie) & (ties_away | ((mantissa & 1) == 1)))
    mantissa = np.minimum(mantissa + round_up, (1 << width) - 1)
    mantissa = np.where(exponent == 0, 0, mantissa)
    sign = np.where(mantissa == 0, 0, bits >> 31)
    return shared, mantissa, sign


def _unpack(shared: np.ndarray, mantissa: np.ndarray, sign: np.ndarray, width: int) -> np.ndarray:
    top = width - 1
    safe = np.maximum(mantissa, 1)
    shift_cnt = top - np.floor(np.log2(safe)).astype(np.int64)
    exponent = (shared - shift_cnt) & 0xFFFFFFFF
    man = (mantissa << (shift_cnt + 1)) & ((1 << width) - 1)
    out = ((sign << 31) | ((exponent << 23) & 0xFFFFFFFF) | (man << (23 - width))) & 0xFFFFFFFF
    return np.where(mantissa == 0, 0, out)
