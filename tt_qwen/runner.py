"""What an n150 CI runner expects of a test suite: how the device is opened, which mesh the job
asked for, and which ttnn ran (see ../shared/ttnn/RUNNER.md for the conventions and sources).

- `device_params(overrides)`: tt-metal's `device_params` (l1_small_size, trace_region_size,
  num_command_queues) with defaults that fit this model; `open_device` opens with them and turns
  a key the installed ttnn does not take into one line.
- `resolve_target(mesh_device, visible_devices)`: `MESH_DEVICE` -> the `tt_qwen.target` to run on.
- `ttnn_identity(backend, ttnn)`: the ttnn version (and tt-metal commit where the package has
  one) against the version the mock tier verified.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import metadata

from tt_qwen.target import N150, Target

VERIFIED_TTNN_VERSION = "0.81.1"  # the mock tier runs the real package at this version

# The traced decode is not built yet; ttnn_models' published Qwen3-0.6B n150 decode captures its
# trace in a 10,000,000 B region, so that is the default until our own capture measures its need.
TRACE_REGION_BYTES = 10_000_000
DEFAULT_DEVICE_PARAMS = {
    "l1_small_size": 0,  # no op of this model (no conv, pool or CCL) allocates from L1_SMALL
    "trace_region_size": TRACE_REGION_BYTES,
    "num_command_queues": 1,  # one queue: the model writes its inputs and reads logits in order
}

# tt-metal's MESH_DEVICE values and the mesh each names (rows, columns).
MESH_SHAPES = {"N150": (1, 1), "N300": (1, 2), "T3K": (1, 8), "TG": (8, 4)}
SUPPORTED_MESHES = {N150.mesh_shape: N150}


class RunnerError(ValueError):
    """Bad runner input (device_params, MESH_DEVICE, targets): the message is one line."""


# ---- device_params ----------------------------------------------------------------------------

def device_params(overrides: dict | None = None) -> dict:
    """The defaults with a test's own values on top (tt-metal's indirect `device_params`)."""
    if overrides is not None and not isinstance(overrides, dict):
        raise RunnerError(f"device_params must be a dict such as {{'trace_region_size': 20000000}}, got {overrides!r}")
    params = {**DEFAULT_DEVICE_PARAMS, **(overrides or {})}
    for key in DEFAULT_DEVICE_PARAMS:
        value = params[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RunnerError(f"device_params {key}={value!r} must be a non-negative integer (default {DEFAULT_DEVICE_PARAMS[key]})")
    if params["num_command_queues"] not in (1, 2):
        raise RunnerError(f"device_params num_command_queues={params['num_command_queues']} must be 1 or 2 (an n150 has two command queues)")
    return params


def open_device(ttnn, device_id: int, params: dict):
    """ttnn.open_device(device_id, **params); a key this ttnn does not take is named in one line."""
    try:
        return ttnn.open_device(device_id=device_id, **params)
    except TypeError as error:
        taken = open_device_keys(ttnn)
        unknown = sorted(set(params) - taken) if taken else []
        if not unknown:
            raise RunnerError(f"ttnn {ttnn_version(ttnn)} open_device refused device_params {params}: {str(error).splitlines()[0]}") from None
        raise RunnerError(f"device_params key {unknown[0]!r} is not taken by ttnn {ttnn_version(ttnn)}'s open_device "
                          f"(it takes {', '.join(sorted(taken))}): remove it from the test's device_params") from None


def open_device_keys(ttnn) -> set[str]:
    """The keywords of the installed open_device, from its signature or its nanobind docstring
    (plus num_command_queues, which 0.81.1 takes without listing it: measured on the mock)."""
    import inspect

    try:
        names = set(inspect.signature(ttnn.open_device).parameters)
    except (TypeError, ValueError):
        first_line = (ttnn.open_device.__doc__ or "").strip().splitlines()[:1]
        names = set(re.findall(r"(\w+):", first_line[0])) if first_line else set()
    return (names | {"num_command_queues"}) - {"device_id", "args", "kwargs"} if names else set()


# ---- MESH_DEVICE ------------------------------------------------------------------------------

def resolve_target(mesh_device: str | None, visible_devices: int = 1) -> Target:
    """The target a runner's MESH_DEVICE selects: N150, or unset with one card. A larger mesh is
    refused in one line; MESH_DEVICE=N150 asks explicitly for one chip of it."""
    if mesh_device is None or mesh_device == "":
        if visible_devices <= 1:
            return N150
        raise RunnerError(f"MESH_DEVICE is unset and {visible_devices} devices are visible: tt-qwen runs on one n150 chip only "
                          "(multi-chip meshes are not supported yet); set MESH_DEVICE=N150 to run on one of them (--device-id)")
    name = mesh_device.strip().upper()
    if name not in MESH_SHAPES:
        raise RunnerError(f"unknown MESH_DEVICE {mesh_device!r}: tt-metal's values are {', '.join(MESH_SHAPES)}; tt-qwen runs MESH_DEVICE=N150")
    shape = MESH_SHAPES[name]
    if shape not in SUPPORTED_MESHES:
        raise RunnerError(f"MESH_DEVICE={name} (a {shape[0]}x{shape[1]} mesh) is not supported yet: tt-qwen runs on one n150 chip; "
                          "set MESH_DEVICE=N150 to run on one chip of it")
    return SUPPORTED_MESHES[shape]


def target_from_environment(backend_name: str, ttnn=None) -> Target:
    """MESH_DEVICE of this process; only the device backend counts real cards."""
    visible = _visible_devices(ttnn) if backend_name == "device" and ttnn is not None else 1
    return resolve_target(os.environ.get("MESH_DEVICE"), visible)


def _visible_devices(ttnn) -> int:
    return len(ttnn.get_device_ids())


# ---- which ttnn ran ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TTNNIdentity:
    backend: str
    version: str
    commit: str | None  # tt-metal commit, when the package exposes one

    @property
    def verified(self) -> bool:
        return self.version == VERIFIED_TTNN_VERSION

    def describe(self) -> str:
        what = "host backend emulating ttnn" if self.backend == "host" else "ttnn"
        text = f"{what} {self.version}"
        if self.commit:
            text += f" (tt-metal {self.commit})"
        if self.verified:
            return text + ", the version the mock tier verified"
        return text + f": NOT the version the mock tier verified ({VERIFIED_TTNN_VERSION}); running anyway"

    def as_properties(self) -> dict:
        return {"ttnn_version": self.version, "tt_metal_commit": self.commit or "", "ttnn_verified_version": VERIFIED_TTNN_VERSION}


def ttnn_identity(backend_name: str, ttnn=None) -> TTNNIdentity:
    if backend_name == "host":
        return TTNNIdentity("host", VERIFIED_TTNN_VERSION, None)  # the host backend models 0.81.1's signatures
    return TTNNIdentity(backend_name, ttnn_version(ttnn), _tt_metal_commit(ttnn))


def ttnn_version(ttnn=None) -> str:
    if ttnn is not None and ttnn.__name__.startswith("tt_qwen.host"):
        return VERIFIED_TTNN_VERSION
    try:
        return metadata.version("ttnn")
    except metadata.PackageNotFoundError:
        return "not installed"


def _tt_metal_commit(ttnn) -> str | None:
    # 0.81.1's wheel carries no commit; later packages may (checked by name, never guessed).
    for name in ("__git_hash__", "__commit__", "git_hash"):
        value = getattr(ttnn, name, None) if ttnn is not None else None
        if isinstance(value, str) and value:
            return value
    return None


def numerics_mode(backend_name: str) -> str:
    """What the numbers of a test mean, as its junit properties record it."""
    return {
        "device": "n150 hardware",
        "host": "host emulation (bf16 / bfloat8_b rounding, fp32 accumulation; tt_qwen/host/NUMERICS.md)",
        "mock": "mock n150: no kernels, zeros back",
    }[backend_name]
