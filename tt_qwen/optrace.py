"""Record the TTNN calls a run makes, each with its input and output specs, in a form that is
the same text on every backend, so the host backend's run of the model can be compared call by
call with the real ttnn's run on the mock n150.

    python -m tt_qwen.optrace --backend host --model tiny-gqa2 --scenario decode-batch32-pos40 --out t.json

A spec reads `[logical] pad[padded] DTYPE LAYOUT BUFFER MEMORY_LAYOUT [shard=[h, w] ORIENTATION
cores=N bbox=(x0,y0)-(x1,y1)]`.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import re
import sys

# The namespaces of the ttnn package the host backend implements ops in.
NAMESPACES = ("", "experimental", "transformer", "kv_cache")


def host_ops() -> tuple[str, ...]:
    """Every op the host backend implements, by its path under the ttnn package: the functions its
    namespaces export from tt_qwen/host/ops/ (and the namespaces' own wrappers). An op the model
    starts calling is traced as soon as the host can run it; device and config helpers
    (open_device, create_sharded_memory_config, ...) are not ops and are not traced."""
    import tt_qwen.host as host

    paths = []
    for namespace in NAMESPACES:
        module = getattr(host, namespace) if namespace else host
        for name, value in sorted(vars(module).items()):
            defined_in = getattr(value, "__module__", "") or ""
            if inspect.isfunction(value) and (defined_in.startswith("tt_qwen.host.ops.")
                                              or defined_in == f"tt_qwen.host.{namespace}"):
                paths.append(f"{namespace}.{name}" if namespace else name)
    return tuple(paths)


TRACED = host_ops()


def spec(value) -> str:
    """The spec of a ttnn tensor (or a readable stand-in for any other argument)."""
    if hasattr(value, "padded_shape") and hasattr(value, "memory_config"):
        shape, padded = list(value.shape), list(value.padded_shape)
        text = f"{shape}" + (f" pad{padded}" if padded != shape else "")
        text += f" {value.dtype.name} {value.layout.name}"
        if _on_device(value):
            text += " " + memory_spec(value.memory_config())
        return text
    if type(value).__name__ == "Tensor" and hasattr(value, "storage"):  # a torch.Tensor
        return f"torch{list(value.shape)} {str(value.dtype).removeprefix('torch.')}"
    if "device" in type(value).__name__.lower():
        return "device"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(spec(v) for v in value) + ")"
    if isinstance(value, (int, float, bool, str)) or value is None:
        return repr(value)
    if hasattr(value, "buffer_type") and hasattr(value, "memory_layout"):
        return memory_spec(value)
    if hasattr(value, "name"):
        return str(value.name)
    return type(value).__name__


def memory_spec(config) -> str:
    text = f"{config.buffer_type.name} {config.memory_layout.name}"
    shard = config.shard_spec
    if shard is not None:
        box = shard.grid.bounding_box()
        text += (f" shard={list(shard.shape)} {shard.orientation.name} cores={shard.num_cores()}"
                 f" bbox=({box.start.x},{box.start.y})-({box.end.x},{box.end.y})")
    return text


def _on_device(tensor) -> bool:
    return "DEVICE" in str(tensor.storage_type()).upper()


@contextlib.contextmanager
def record(ttnn):
    """Within the block, every TRACED call of `ttnn` is appended to the yielded list. A TRACED op
    the module lacks is skipped: the model cannot call it there, and a backend that does call it
    shows in the other backend's trace."""
    calls: list[dict] = []
    originals = []
    for path in dict.fromkeys(TRACED):  # each path once, whoever extended the tuple
        owner, name = _owner(ttnn, path)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None:
            continue
        originals.append((owner, name, original))
        setattr(owner, name, _recording(path, original, calls))
    try:
        yield calls
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)


def _owner(ttnn, path):
    *parents, name = path.split(".")
    owner = ttnn
    for parent in parents:
        owner = getattr(owner, parent, None)
    return owner, name


def _recording(path, function, calls):
    def call(*args, **kwargs):
        # Only the model's own calls: ttnn's Python ops call each other (as_tensor -> from_torch).
        if _depth[0]:
            return function(*args, **kwargs)
        inputs = [spec(a) for a in args] + [f"{k}={spec(v)}" for k, v in sorted(kwargs.items())]
        _depth[0] += 1
        try:
            result = function(*args, **kwargs)
        finally:
            _depth[0] -= 1
        calls.append({"op": path, "inputs": inputs, "output": spec(result)})
        return result

    return call


_depth = [0]


def first_difference(expected: list[dict], actual: list[dict]) -> str | None:
    """None when the two traces agree; else a readable account of the first call that differs."""
    for index, (a, b) in enumerate(zip(expected, actual)):
        if a != b:
            return (f"call #{index} differs:\n  host: {a['op']}({', '.join(a['inputs'])}) -> {a['output']}\n"
                    f"  mock: {b['op']}({', '.join(b['inputs'])}) -> {b['output']}")
    if len(expected) != len(actual):
        return f"host made {len(expected)} calls, mock {len(actual)} (the first {min(len(expected), len(actual))} agree)"
    return None


# ---- scenarios: what the model is asked to do ---------------------------------------------------

SCENARIO = re.compile(r"(?P<kind>prefill|prefill-last|chunked-prefill|decode)(?:-batch(?P<batch>\d+))?"
                      r"(?:-seq(?P<seq>\d+))?(?:-pos(?P<pos>\d+))?(?:-chunk(?P<chunk>\d+))?$")


def run_scenario(ttnn, device, hf_model, name: str, max_seq_len: int) -> list[dict]:
    """Build the model and run one scenario under `record`; the trace includes the build."""
    import torch

    from tt_qwen import build_model

    match = SCENARIO.match(name)
    if not match:
        raise ValueError(f"unknown scenario {name!r}: e.g. prefill-seq300, prefill-last-seq2048, chunked-prefill-seq300-chunk128, decode-batch32-pos40")
    kind, numbers = match["kind"], {k: int(v) for k, v in match.groupdict().items() if v and k != "kind"}
    vocab = hf_model.config.vocab_size
    ids = torch.arange(numbers.get("seq", numbers.get("pos", 1))) % vocab
    options = {"prefill_chunk_size": numbers["chunk"]} if "chunk" in numbers else {}
    with record(ttnn) as calls:
        model = build_model(hf_model, device, max_seq_len, **options)
        if kind == "decode":
            batch, position = numbers["batch"], numbers["pos"]
            for user in range(batch):
                model.prefill(ids, user=user, last_token_only=True)
            model.decode(torch.arange(batch) % vocab, [position] * batch)
        else:
            model.prefill(ids, last_token_only=kind == "prefill-last")
    return calls


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tt_qwen.optrace")
    parser.add_argument("--backend", default="host")
    parser.add_argument("--model", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--max_seq_len", type=int, default=2048)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    from tt_qwen import backends, zoo

    backend = backends.open_backend(args.backend)
    hf_model = zoo.load_hf_model(zoo.resolve(args.model)[0])
    calls = run_scenario(backend.ttnn, backend.device, hf_model, args.scenario, args.max_seq_len)
    with open(args.out, "w") as out:
        json.dump(calls, out, indent=1)
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
