"""ttnn.embedding: token ids [1, S] (uint32) into the bf16 table, TILE and ROW_MAJOR output."""

from __future__ import annotations

import torch

from tests.ops.cases.base import (
    Dims, Q, T, H, ON_DEVICE, Spec, OpCase, RefusalCase, memo, generator, seeded_input, embedding_table, tile,
    row_major, to_dev)

# The ttnn functions this family covers, and those 0.81.1 attaches a golden function to.
OPS = ("embedding",)
GOLDEN_OPS = ("embedding",)


def embedding_case(d: Dims, seq: int, layout: str = "TILE", tag: str = "", slow=False) -> OpCase:
    cid = f"embedding-{tag}vocab{d.vocab}-h{d.hidden}-seq{seq}-{layout.lower()}"

    def inputs():
        def build():
            gen = generator(cid)
            ids = torch.randint(0, d.vocab, (1, seq), generator=gen, dtype=torch.int32)
            # the extremes of the table, and ids a bfloat16 index could not represent
            special = [0, d.vocab - 1, min(65537, d.vocab - 2), min(100003, d.vocab - 3)]
            ids[0, : min(seq, len(special))] = torch.tensor(special[:seq], dtype=torch.int32)
            return {"ids": ids, "weight": embedding_table(d.vocab, d.hidden)}
        return memo(cid, build)

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
    return OpCase(cid, "embedding", run, reference, "op.embedding", specs=(spec,), slow=slow,
                  golden=lambda: ((inputs()["ids"].long(), inputs()["weight"]), {}))


CASES: list[OpCase] = [
    # -- embedding: the full Qwen3 table (uint32 ids beyond bf16's exact range), and the tiny one
    embedding_case(Q, 32),
    embedding_case(Q, 1, tag="decode-"),
    embedding_case(Q, 128, slow=True),
    embedding_case(T, 32, tag="tiny-"),
    embedding_case(T, 7, tag="tiny-"),
    embedding_case(T, 32, layout="ROW_MAJOR", tag="tiny-"),
]


def _r_embedding_float_ids(ttnn, device):
    ids = to_dev(ttnn, device, torch.zeros((1, 32), dtype=torch.float32), dtype="float32", layout="ROW_MAJOR")
    return ttnn.embedding(ids, to_dev(ttnn, device, seeded_input((T.vocab, T.hidden)), layout="ROW_MAJOR"))


def _r_embedding_float_weight(ttnn, device):
    ids = to_dev(ttnn, device, torch.zeros((1, 32), dtype=torch.int32), dtype="uint32", layout="ROW_MAJOR")
    weight = to_dev(ttnn, device, seeded_input((T.vocab, T.hidden)), dtype="float32", layout="ROW_MAJOR")
    return ttnn.embedding(ids, weight)


def _r_embedding_host_ids(ttnn, device):
    ids = ttnn.from_torch(torch.zeros((1, 32), dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
    return ttnn.embedding(ids, to_dev(ttnn, device, seeded_input((T.vocab, T.hidden)), layout="ROW_MAJOR"))


REFUSALS: list[RefusalCase] = [
    # real: "Input must be UINT32 or BFLOAT16"
    RefusalCase("embedding-float32_ids", "embedding", _r_embedding_float_ids, r"(?i)must be UINT32 or BFLOAT16"),
    # real: "Weights tensor must have BFLOAT16 dtype"
    RefusalCase("embedding-float32_weight", "embedding", _r_embedding_float_weight,
                r"(?i)weights? tensor must have BFLOAT16"),
    # real: "Device Operations expect device tensors as inputs"
    RefusalCase("embedding-host_ids", "embedding", _r_embedding_host_ids, ON_DEVICE),
]
