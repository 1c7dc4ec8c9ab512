"""Mock tier: the REAL ttnn 0.81.1 driving a mock n150 on a machine without a Tenstorrent card.

With ``TT_METAL_MOCK_CLUSTER_DESC_PATH`` pointing at a single-chip n150 cluster descriptor,
``ttnn.open_device`` opens a mock chip whose driver calls do nothing. Every op then runs its real
host code: argument validation (real ``TT_FATAL`` messages), output-spec computation, program
factories, the real L1/DRAM allocator and the program cache. No kernel runs: ``to_torch`` of a
device tensor gives the right shape filled with zeros. A mock run proves the host contract only,
never numerics. Trace capture crashes on the mock device (skip trace paths there).

ttnn 0.81.1 still builds firmware when it opens a device, so it needs an SFPI compiler; the
stand-in ``bin/riscv-tt-elf-g++`` (installed by ``scripts/setup-mock-env`` into the mock venv's
ttnn package) produces empty RISC-V ELF files with Debian's riscv64-unknown-elf binutils.

Usage (in the mock venv made by ``scripts/setup-mock-env``)::

    from tt_qwen.mock import prepare_mock_environment, mock_unavailable_reason
    if (why := mock_unavailable_reason()) is not None:
        pytest.skip(why)
    prepare_mock_environment()          # before ttnn.open_device (before or after import ttnn)
    import ttnn
    device = ttnn.open_device(device_id=0)

This module never imports ttnn at import time and imports fine where ttnn is absent.
"""

from __future__ import annotations

import atexit
import importlib.machinery
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tt_qwen import backends

__all__ = [
    "CLUSTER_DESC_PATH",
    "MOCK_TTNN_VERSION",
    "STANDIN_MARKER",
    "MockEnvironment",
    "mock_unavailable_reason",
    "prepare_mock_environment",
    "standin_install_path",
]

MOCK_TTNN_VERSION = "0.81.1"
STANDIN_MARKER = "# tt-qwen mock SFPI stand-in"
CLUSTER_DESC_PATH = Path(__file__).resolve().with_name("n150_cluster.yaml")
STANDIN_SOURCE = Path(__file__).resolve().parent / "bin" / "riscv-tt-elf-g++"
REAL_SFPI_COMPILER = Path("/opt/tenstorrent/sfpi/compiler/bin/riscv-tt-elf-g++")
_STANDIN_RELPATH = Path("runtime/sfpi/compiler/bin/riscv-tt-elf-g++")
_BINUTILS = ("riscv64-unknown-elf-ld", "riscv64-unknown-elf-as")
_SETUP_HINT = (
    "run scripts/setup-mock-env (it builds .venv-mock with ttnn 0.81.1 and installs the stand-in "
    "compiler) and use .venv-mock/bin/python"
)


@dataclass(frozen=True)
class MockEnvironment:
    cluster_desc_path: Path  # value of TT_METAL_MOCK_CLUSTER_DESC_PATH
    cache_dir: Path  # value of TT_METAL_CACHE: throwaway, removed at interpreter exit
    standin_path: Path  # the stand-in compiler inside this interpreter's ttnn package


_prepared: MockEnvironment | None = None


def _ttnn_package_dir() -> Path | None:
    """Directory of the real ttnn package installed in this interpreter, without importing it
    (found on sys.path: whatever `ttnn` means in this process, e.g. the host backend)."""
    spec = importlib.machinery.PathFinder.find_spec("ttnn")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent


def standin_install_path() -> Path | None:
    """Where ttnn looks for the SFPI compiler in this interpreter (None if ttnn is absent)."""
    pkg = _ttnn_package_dir()
    return None if pkg is None else pkg / _STANDIN_RELPATH


def _is_standin(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return STANDIN_MARKER.encode() in f.read(4096)
    except OSError:
        return False


def _ttnn_version() -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return None
    try:
        return version("ttnn")
    except PackageNotFoundError:
        return None


def _static_reason() -> str | None:
    """Everything that can be checked without importing ttnn."""
    where = f"this interpreter ({sys.executable})"
    pkg = _ttnn_package_dir()
    if pkg is None:
        return f"ttnn is not installed in {where}; {_SETUP_HINT}"
    ver = _ttnn_version()
    if ver is not None and ver != MOCK_TTNN_VERSION:
        return (f"ttnn {ver} is installed in {where}, but the mock tier is pinned to ttnn "
                f"{MOCK_TTNN_VERSION}; {_SETUP_HINT}")
    if REAL_SFPI_COMPILER.exists() and not _is_standin(REAL_SFPI_COMPILER):
        target = pkg / _STANDIN_RELPATH
        if target.exists() and _is_standin(target):
            return (f"a real SFPI toolchain lives at {REAL_SFPI_COMPILER} and the mock stand-in is "
                    f"installed at {target}: the mock tier refuses to run on a machine with a real "
                    "toolchain (kernel caches could mix); remove the stand-in from this venv")
    target = pkg / _STANDIN_RELPATH
    if not target.exists():
        return (f"the mock SFPI stand-in compiler is not installed in {where} (expected at "
                f"{target}); {_SETUP_HINT}")
    if not _is_standin(target):
        return (f"{target} is not the tt-qwen mock stand-in (a real SFPI compiler?); the mock tier "
                "will not run with it")
    if not os.access(target, os.X_OK):
        return f"the mock SFPI stand-in at {target} is not executable; {_SETUP_HINT}"
    missing = [tool for tool in _BINUTILS if shutil.which(tool) is None]
    if missing:
        return (f"riscv binutils missing ({', '.join(missing)} not on PATH): "
                "apt-get install -y binutils-riscv64-unknown-elf (or run scripts/setup-mock-env)")
    return None


def _import_reason() -> str | None:
    if backends.ttnn_is_host():
        return "this process already runs the host backend as `ttnn`"
    try:
        import ttnn  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means "not importable"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return (f"ttnn is installed but not importable in this interpreter ({sys.executable}): "
                f"{type(exc).__name__}: {first}; {_SETUP_HINT}")
    return None


def mock_unavailable_reason(check_import: bool = True) -> str | None:
    """Why the mock tier cannot run in this interpreter, or None if it can. Never raises.

    Checks: ttnn installed (and 0.81.1), the stand-in compiler installed in this interpreter's
    ttnn package, riscv binutils on PATH, and (``check_import=True``) that ``import ttnn``
    works; that last check imports ttnn (a few seconds, once per process).
    """
    try:
        reason = _static_reason()
        if reason is None and check_import:
            reason = _import_reason()
        return reason
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"
        return f"mock tier check failed: {type(exc).__name__}: {exc}"


_CACHE_PREFIX = "tt-qwen-mock-ttcache-"


def _remove_stale_caches() -> None:
    """Delete throwaway caches left by mock processes that died without running atexit
    (a segfault, a kill). Their folder names carry the owning pid."""
    tmp = Path(tempfile.gettempdir())
    try:
        entries = list(tmp.glob(_CACHE_PREFIX + "*"))
    except OSError:
        return
    for entry in entries:
        pid_text = entry.name[len(_CACHE_PREFIX):].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except (PermissionError, OverflowError, ValueError):
            pass


def prepare_mock_environment() -> MockEnvironment:
    """Point ttnn at the mock n150 and a throwaway kernel cache; verify the stand-in.

    Sets ``TT_METAL_MOCK_CLUSTER_DESC_PATH`` to the packaged n150 descriptor and
    ``TT_METAL_CACHE`` to a fresh temporary folder (per process, deleted at exit, never shared
    with real runs). Call it before ``ttnn.open_device``; it may be called before or after
    ``import ttnn``. Idempotent within a process. Raises RuntimeError (saying to run
    scripts/setup-mock-env) when the mock tier is unavailable.
    """
    global _prepared
    reason = _static_reason()
    if reason is not None:
        raise RuntimeError(f"mock tier unavailable: {reason}")
    if _prepared is not None:
        # Re-assert the variables in case someone changed them since.
        os.environ["TT_METAL_MOCK_CLUSTER_DESC_PATH"] = str(_prepared.cluster_desc_path)
        os.environ["TT_METAL_CACHE"] = str(_prepared.cache_dir) + os.sep
        return _prepared

    saved = {k: os.environ.get(k) for k in ("TT_METAL_MOCK_CLUSTER_DESC_PATH", "TT_METAL_CACHE")}
    _remove_stale_caches()
    cache_dir = Path(tempfile.mkdtemp(prefix=f"{_CACHE_PREFIX}{os.getpid()}-"))
    os.environ["TT_METAL_MOCK_CLUSTER_DESC_PATH"] = str(CLUSTER_DESC_PATH)
    # ttnn appends its own sub-folders; a trailing slash keeps the paths it builds well formed.
    os.environ["TT_METAL_CACHE"] = str(cache_dir) + os.sep
    reason = _import_reason()
    if reason is not None:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(cache_dir, ignore_errors=True)
        raise RuntimeError(f"mock tier unavailable: {reason}")
    atexit.register(shutil.rmtree, cache_dir, True)
    standin = standin_install_path()
    assert standin is not None
    _prepared = MockEnvironment(CLUSTER_DESC_PATH, cache_dir, standin)
    return _prepared
