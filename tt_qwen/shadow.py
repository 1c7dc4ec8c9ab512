"""Op-by-op shadow: every ttnn call a run makes is also run on the host backend, on host copies of
the same inputs read back from the run's device, and the two outputs are compared with the one
PCC (tt_qwen.compare) against the op's threshold (tt_qwen/thresholds.py). The first call below
its threshold is the first op that diverges: its inputs were the run's own, so it alone is wrong.

    with Shadow(ttnn) as shadow:
        model = build_model(hf_model, device, max_seq_len)
        shadow.attach(model)              # layer and mode of each call, from the layer observer
        model.prefill(ids)
    print(shadow.report.text())

It never changes what the run computes: the run's calls get the run's arguments and their results
are returned untouched; the shadow works on copies on a host device of its own. Outside the
`with` block nothing is wrapped. Calls it cannot compare are listed as "not compared" with why.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import asdict, dataclass, field

import tt_qwen.host as host
from tt_qwen import backends
from tt_qwen.compare import compare
from tt_qwen.optrace import spec
from tt_qwen.shadow_host import IN_PLACE, HostCopier, NotComparable, in_place_target, threshold, twin, watched_ops

PROGRESS_SECONDS = 10.0
MOCK_REFUSAL = ("--compare-ops: the mock backend returns zeros, so there is nothing to hold the host model against; "
                "use --backend device on an n150 (or --backend host, a self-check)")


def refuse_mock(backend_name: str) -> None:
    """Raise ValueError with one line when the run's backend cannot be shadowed."""
    if backend_name == "mock":
        raise ValueError(MOCK_REFUSAL)


@dataclass
class CallRecord:
    """One ttnn call of the run and how its host twin compared."""

    index: int
    op: str
    inputs: list
    output: str = ""
    status: str = "not compared"  # "ok" | "below" | "not compared"
    pcc: float | None = None
    max_abs_error: float | None = None
    threshold: float | None = None
    reason: str = ""
    layer: int | None = None
    mode: str | None = None
    after_last_layer: bool = False  # final norm, LM head: after the pass's last layer

    def where(self) -> str:
        if self.layer is None:
            return "-"
        return f"{self.mode} {'after ' if self.after_last_layer else ''}layer {self.layer}"

    def figures(self) -> str:
        if self.status == "not compared":
            return f"not compared: {self.reason}"
        text = f"PCC {self.pcc:.6f} max err {self.max_abs_error:.4g} (min {self.threshold})"
        return text + (" BELOW" if self.status == "below" else "") + (f" {self.reason}" if self.reason else "")

    def line(self) -> str:
        return f"#{self.index:<5} {self.where():<24} ttnn.{self.op}({', '.join(self.inputs)}) -> {self.output}  {self.figures()}"


@dataclass
class ShadowReport:
    backend: str
    calls: list = field(default_factory=list)
    run_seconds: float = 0.0  # the run's own op calls
    overhead_seconds: float = 0.0  # read-backs, host twins and comparisons

    def count(self, status: str) -> int:
        return sum(call.status == status for call in self.calls)

    def first_divergence(self) -> CallRecord | None:
        return next((call for call in self.calls if call.status == "below"), None)

    def summary(self) -> str:
        first = self.first_divergence()
        verdict = f"first op below its threshold: {first.line()}" if first else "no op below its threshold"
        return (f"compare-ops on {self.backend}: {len(self.calls)} calls, {self.count('ok') + self.count('below')} compared, "
                f"{self.count('below')} below threshold, {self.count('not compared')} not compared; {verdict}\n"
                f"compare-ops overhead: {self.overhead_seconds:.2f} s on top of {self.run_seconds:.2f} s of the run's op calls")

    def text(self) -> str:
        return "\n".join([call.line() for call in self.calls] + [self.summary()])

    def to_dict(self) -> dict:
        first = self.first_divergence()
        return {"backend": self.backend, "calls": [asdict(c) for c in self.calls], "compared": self.count("ok") + self.count("below"),
                "below": self.count("below"), "not_compared": self.count("not compared"),
                "first_divergence": asdict(first) if first else None,
                "run_seconds": self.run_seconds, "overhead_seconds": self.overhead_seconds}

    @classmethod
    def from_dict(cls, data: dict) -> "ShadowReport":
        return cls(data["backend"], [CallRecord(**c) for c in data["calls"]], data["run_seconds"], data["overhead_seconds"])

    def markdown(self) -> list[str]:
        """The report's section of an eval report's Markdown."""
        lines = ["", "## Op-by-op comparison against the host model (--compare-ops)", "", *self.summary().splitlines(), "",
                 "| # | where | op | inputs | output | PCC | max abs err | min PCC | status |", "|---|---|---|---|---|---|---|---|---|"]
        for c in self.calls:
            pcc = "" if c.pcc is None else f"{c.pcc:.6f}"
            error = "" if c.max_abs_error is None else f"{c.max_abs_error:.4g}"
            status = c.status + (f": {c.reason}" if c.reason else "")
            lines.append(f"| {c.index} | {c.where()} | `{c.op}` | {'; '.join(c.inputs)} | {c.output} | {pcc} | {error} | {c.threshold or ''} | {status} |")
        return lines


def table_text(data: dict) -> str:
    return ShadowReport.from_dict(data).text()


def markdown_section(data: dict | None) -> list[str]:
    return ShadowReport.from_dict(data).markdown() if data else []


class Shadow:
    """Within the `with` block, every watched op of `ttnn` is shadowed (see the module docstring).
    It compares whatever it is given: the entry points (eval, the pytest option) refuse the mock
    backend, whose zeros would make every op diverge; the mock tier uses that to check the plumbing."""

    def __init__(self, ttnn, backend: str = "host", progress=None):
        self.ttnn = ttnn
        self.report = ShadowReport(backend)
        self.progress = progress
        self._originals = {}
        self._observed = []  # models whose layer_observer we chained into
        self._pending = []  # calls not yet given a layer
        self._last_layer = None  # (index, mode) of the last observation
        self._tainted = {}  # id(tensor) -> computed from the last observed residual stream
        self._tail = set()  # indices of calls computed from it
        self._last_progress = time.perf_counter()

    # ---- wrapping -------------------------------------------------------------------------------

    def __enter__(self) -> "Shadow":
        for path, (owner, name) in watched_ops(self.ttnn).items():
            original = getattr(owner, name)
            self._originals[path] = (owner, name, original)
            setattr(owner, name, self._watch(path, original))
        read = self._originals["to_torch"][2]
        # A host device of its own, so the copies never count against the run's device memory.
        self.copier = HostCopier(read, host.Device(0, l1_small_size=0, trace_region_size=0))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in self._originals.values():
            setattr(owner, name, original)
        for model, previous, ours in self._observed:
            if model.layer_observer is ours:  # unless the model's owner has set another since
                model.layer_observer = previous
        self._label_pending(None)
        host.close_device(self.copier.device)

    def _watch(self, path, original):
        def call(*args, **kwargs):
            # Only the run's own calls: ttnn's Python ops call each other, the shadow calls ttnn,
            # and a shadow inside another (a shadowed test using one) must not record the other's.
            if _busy[0]:
                return original(*args, **kwargs)
            _busy[0] = True
            try:
                return self._shadowed(path, original, args, kwargs)
            finally:
                _busy[0] = False

        return call

    # ---- one call -------------------------------------------------------------------------------

    def _shadowed(self, path, original, args, kwargs):
        started = time.perf_counter()
        record = CallRecord(len(self.report.calls), path, [spec(a) for a in args] + [f"{k}={spec(v)}" for k, v in kwargs.items()])
        # Copies first: an in-place op is about to change its target.
        prepared = self._prepare(path, args, kwargs)
        ran = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        except Exception as error:
            record.reason = f"the run's call raised {type(error).__name__}"
            self._append(record)
            raise
        finally:
            run_time = time.perf_counter() - ran
            self.report.run_seconds += run_time
        record.output = spec(result)
        if isinstance(prepared, str):
            record.reason = prepared
        else:
            self._compare(record, path, prepared, args, kwargs, result)
        self._track(path, args, kwargs, result, record)
        self._append(record)
        self.report.overhead_seconds += time.perf_counter() - started - run_time
        return result

    def _prepare(self, path, args, kwargs):
        """(twin, host args, host kwargs), or the reason there is none."""
        try:
            function = twin(path)
            return function, self.copier.copy(args), self.copier.copy(kwargs)
        except NotComparable as reason:
            return str(reason)
        except Exception as error:
            return f"its inputs could not be copied to the host: {_one_line(error)}"

    def _compare(self, record, path, prepared, args, kwargs, result):
        function, host_args, host_kwargs = prepared
        try:
            host_result = function(*host_args, **host_kwargs)
        except Exception as error:
            record.reason = f"the host twin raised: {_one_line(error)}"
            return
        if path in IN_PLACE:
            ours, theirs = [in_place_target(path, args, kwargs)], [in_place_target(path, host_args, host_kwargs)]
        else:
            ours, theirs = _tensors(result), _tensors(host_result)
        if not ours:
            record.reason = "the call returns no tensor"
            return
        if len(ours) != len(theirs):
            record.reason = f"the run returned {len(ours)} tensors, the host twin {len(theirs)}"
            return
        try:
            record.threshold = threshold(path, args, ours[0])
        except NotComparable as reason:
            record.reason = str(reason)
            return
        self._judge(record, ours, theirs)

    def _judge(self, record, ours, theirs):
        read = self.copier.read
        try:
            results = [compare(host.to_torch(h), read(r)) for r, h in zip(ours, theirs)]
        except ValueError as error:  # the two disagree on the output's shape: a divergence too
            record.status, record.pcc, record.max_abs_error, record.reason = "below", float("nan"), float("inf"), str(error)
            return
        record.pcc = min(results, key=lambda c: -1.0 if math.isnan(c.pcc) else c.pcc).pcc
        record.max_abs_error = max(c.max_abs_error for c in results)
        record.status = "ok" if all(c.passes(record.threshold) for c in results) else "below"
        record.reason = "; ".join(c.note for c in results if c.note)

    def _append(self, record):
        self.report.calls.append(record)
        self._pending.append(record)
        now = time.perf_counter()
        if self.progress and now - self._last_progress > PROGRESS_SECONDS:
            self._last_progress = now
            self.progress(f"compare-ops: {len(self.report.calls)} calls so far, {self.report.count('below')} below threshold")

    # ---- layer and mode ----------------------------------------------------------------------

    def attach(self, model) -> None:
        """Label calls with the layer and mode the model's layer observer reports (if it has one).

        Calls up to layer i's observation belong to layer i (layer 0 includes the embedding and
        what precedes the first layer); calls that follow the last layer of a pass and consume
        its output (final norm, LM head) are "after" that layer."""
        if not hasattr(model, "layer_observer"):
            return
        self._pending = []  # the calls so far (building the model) belong to no layer
        previous = model.layer_observer

        def observe(index, mode, x):
            self._observe(index, mode, x)
            if previous is not None:
                previous(index, mode, x)

        self._observed.append((model, previous, observe))
        model.layer_observer = observe

    def _observe(self, index, mode, x):
        self._label_pending((index, mode))
        self._last_layer = (index, mode)
        self._tainted = {id(x): True}

    def _label_pending(self, closing):
        last = self._last_layer
        same_pass = last is not None and closing is not None and closing == (last[0] + 1, last[1])
        for record in self._pending:
            if last is not None and not same_pass and record.index in self._tail:
                record.layer, record.mode, record.after_last_layer = last[0], last[1], True
            elif closing is not None:
                record.layer, record.mode = closing
        self._pending = []
        self._tail = set()

    def _track(self, path, args, kwargs, result, record):
        """Mark outputs computed from the last observed residual stream (an in-place op's
        target, the KV cache, is state of the next pass too: never marked)."""
        if path in IN_PLACE:
            return
        inputs = _tensors(list(args) + list(kwargs.values()))
        tainted = any(self._tainted.get(id(t)) for t in inputs)
        for output in _tensors(result):
            self._tainted[id(output)] = tainted
        if tainted:
            self._tail.add(record.index)


_busy = [False]  # inside a shadowed call (of any Shadow)


def _tensors(value) -> list:
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    return [value] if hasattr(value, "padded_shape") and hasattr(value, "storage_type") else []


def _one_line(error) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


@contextlib.contextmanager
def maybe(enabled: bool, backend):
    """A Shadow of the backend when enabled, else a stand-in that does nothing (zero cost)."""
    if not enabled:
        yield _Off()
        return
    refuse_mock(backend.name)
    with Shadow(backend.ttnn, backend.name, progress=lambda m: print(f"[tt_qwen.eval] {m}", file=sys.stderr, flush=True)) as shadow:
        yield shadow


class _Off:
    report = None

    def attach(self, model) -> None:
        pass


def check_backend(name: str | None) -> None:
    """Refuse --compare-ops on the mock backend before anything is opened."""
    refuse_mock(backends.resolve(backends.requested(name)))
