"""reshape, slice, concat, transpose, permute, pad: exact."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    H, NQ, NKV, HD, OpCase, RefusalCase, memo, generator, randn, seeded_input, tile, row_major, to_dev)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("reshape", "slice", "concat", "transpose", "permute", "pad")
GOLDEN_OPS = ()


def _dm_case(name: str, shape, fn_ttnn, fn_torch, out_shape, layout="TILE", n_inputs=1) -> OpCase:
    cid = f"{name}-" + "x".join(map(str, shape))
    cid += "" if layout == "TILE" else "-row_major"

    def inputs():
        def build():
            gen = generator(cid)
            return {f"x{j}": randn(gen, shape) for j in range(n_inputs)}
        return memo(cid, build)

    def run(ttnn, device):
        xs = [to_dev(ttnn, device, inputs()[f"x{j}"], layout=layout) for j in range(n_inputs)]
        return fn_ttnn(ttnn, *xs)

    def reference():
        return fn_torch(*[inputs()[f"x{j}"] for j in range(n_inputs)])

    spec = tile(out_shape) if layout == "TILE" else row_major(out_shape)
    op = name.split("-")[0]
    return OpCase(cid, op, run, reference, "op.heads", exact=True, specs=(spec,))


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


CASES: list[OpCase] = [
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
def _r_reshape_to_half_the_volume(ttnn, device):
    return ttnn.reshape(to_dev(ttnn, device, seeded_input((1, 1, 32, H))), (1, 32, H // 2))


def _r_slice(starts, ends):
    def run(ttnn, device):
        return ttnn.slice(to_dev(ttnn, device, seeded_input((1, 1, 32, H))), list(starts), list(ends))
    return run


REFUSALS: list[RefusalCase] = [
    # real: "Invalid arguments to reshape" (new_volume == old_volume)
    RefusalCase("reshape-volume_32768_to_16384", "reshape", _r_reshape_to_half_the_volume,
                r"(?i)invalid arguments to reshape"),
    # real: "Ends 64 must be less than or equal to the shape of the tensor 32"
    RefusalCase("slice-end64_beyond_32_rows", "slice", _r_slice((0, 0, 0, 0), (1, 1, 64, H)),
                r"(?i)ends 64 must be less than or equal to the shape of the tensor 32"),
    # real: "End 8 must be greater than or equal to start 16"
    RefusalCase("slice-end8_before_start16", "slice", _r_slice((0, 0, 16, 0), (1, 1, 8, H)),
                r"(?i)end 8 must be greater than or equal to start 16"),
    # real: "Input rank 4 and begins 3 must have the same size"
    RefusalCase("slice-rank3_bounds_of_rank4", "slice", _r_slice((0, 0, 0), (1, 32, H)),
                r"(?i)input rank 4 and begins 3 must have the same size"),
]
