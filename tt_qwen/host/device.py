"""The host device, built from a `tt_qwen.target.Target` (N150: an 8x8 worker grid, 12 DRAM banks,
per-core L1 banks), and its allocation accounting.

Accounting model: like tt-metal's allocator, an interleaved buffer spreads its pages round-robin
over the banks of its buffer type and takes ceil(pages / banks) aligned pages in *every* bank; a
sharded buffer takes one shard in every bank (L1 shards are allocated in lock-step across banks).
Each buffer type is therefore one per-bank budget. Fragmentation is not modelled: "largest free
block" is reported as the free bytes.
"""

from __future__ import annotations

import contextlib
import math

from tt_qwen.target import N150, Target

from .errors import require
from .memory import BufferType, CoreCoord, CoreGrid, TensorMemoryLayout
from .types import ELEMENT_BYTES, TILE_BYTES, Layout, NamedEnum

DRAM_ALIGNMENT = 32
TRACE_REGION_ALIGNMENT = 8192  # the trace region's share of each DRAM bank rounds up to this (real 0.81.1, measured)
L1_ALIGNMENT = 16
# The L1_SMALL region's share of each L1 bank rounds up to this (real 0.81.1 on the mock n150:
# l1_small_size 1 -> 32 B, 1000 -> 1024 B, 1025 -> 1056 B; tests/ops/test_device_contract.py).
L1_SMALL_ALIGNMENT = 32


class Arch(NamedEnum):
    GRAYSKULL = 1
    WORMHOLE_B0 = 2
    BLACKHOLE = 3


class _Pool:
    """One buffer type's banks: a per-bank byte budget shared by every buffer of that type."""

    def __init__(self, buffer_type: BufferType, banks: int, bank_bytes: int, alignment: int):
        self.buffer_type, self.banks, self.bank_bytes, self.alignment = buffer_type, banks, bank_bytes, alignment
        self.used = 0

    def reserve(self, per_bank: int, total: int, banks: int) -> None:
        free = self.bank_bytes - self.used
        require(per_bank <= free, "Allocator",
                f"Out of Memory: Not enough space to allocate {total} B {self.buffer_type.name} buffer across "
                f"{banks} banks, where each bank needs to store {per_bank} B, but bank size is "
                f"{self.bank_bytes} B (allocated: {self.used} B, free: {free} B, largest free block: {free} B).")
        self.used += per_bank


class Buffer:
    """A device allocation shared by a tensor and its views. It is freed when every tensor using it
    has been deallocated or garbage collected (measured: a reshape view outlives ttnn.deallocate of
    its source)."""

    def __init__(self, pool: _Pool, per_bank: int, total: int, banks: int):
        pool.reserve(per_bank, total, banks)
        self.pool, self.per_bank, self.size, self.users = pool, per_bank, total, 0

    @property
    def allocated(self) -> bool:
        return self.users > 0

    def acquire(self) -> None:
        self.users += 1

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.pool.used -= self.per_bank


class MemoryView:
    """ttnn.get_memory_view(device, buffer_type): per-bank totals (no fragmentation on the host)."""

    def __init__(self, pool: _Pool):
        self.num_banks = pool.banks
        self.total_bytes_per_bank = pool.bank_bytes
        self.total_bytes_allocated_per_bank = pool.used
        self.total_bytes_free_per_bank = pool.bank_bytes - pool.used
        self.largest_contiguous_bytes_free_per_bank = pool.bank_bytes - pool.used
        self.block_table = []


class MeshShape:
    def __init__(self, rows: int, columns: int):
        self.rows, self.columns = rows, columns

    def __repr__(self):
        return f"MeshShape([{self.rows}, {self.columns}])"


class Device:
    """One open host device of the kind `target` describes (a single chip: the mesh is not modelled)."""

    def __init__(self, device_id: int, l1_small_size: int, trace_region_size: int, target: Target = N150):
        self._id = device_id
        self._open = True
        self.target = target
        self.trace_region_size = trace_region_size  # what a trace capture may use (tt_qwen/host/trace.py)
        # L1_SMALL and the trace region are carved out of the same banks before user buffers.
        l1_small_bank = _round_up(l1_small_size, L1_SMALL_ALIGNMENT)
        dram_bank = target.dram_bank_bytes - _round_up(math.ceil(trace_region_size / target.dram_banks),
                                                       TRACE_REGION_ALIGNMENT)
        self._pools = {
            BufferType.DRAM: _Pool(BufferType.DRAM, target.dram_banks, dram_bank, DRAM_ALIGNMENT),
            BufferType.L1: _Pool(BufferType.L1, target.num_cores, target.l1_bank_bytes - l1_small_bank, L1_ALIGNMENT),
            # measured: no L1_SMALL banks at all when l1_small_size is 0
            BufferType.L1_SMALL: _Pool(BufferType.L1_SMALL, target.num_cores if l1_small_bank else 0, l1_small_bank,
                                       L1_SMALL_ALIGNMENT)}
        self._program_cache: set = set()
        self._program_cache_enabled = True

    # --- ttnn.Device API -----------------------------------------------------------------
    def id(self) -> int:
        """The mesh id: 1 for the single-chip mesh the real open_device returns (measured)."""
        return self._id + 1

    def get_device_ids(self) -> list:
        return [self._id]

    @property
    def shape(self) -> "MeshShape":
        return MeshShape(*self.target.mesh_shape)

    def arch(self) -> Arch:
        return Arch[self.target.arch.upper()]

    def compute_with_storage_grid_size(self) -> CoreCoord:
        return CoreCoord(*self.target.compute_grid)

    def dram_grid_size(self) -> CoreCoord:
        return CoreCoord(self.target.dram_banks, 1)

    @property
    def core_grid(self) -> CoreGrid:
        x, y = self.target.compute_grid
        return CoreGrid(x=x, y=y)

    def get_num_devices(self) -> int:
        return self.target.num_chips

    def enable_program_cache(self) -> None:
        self._program_cache_enabled = True

    def disable_and_clear_program_cache(self) -> None:
        self._program_cache_enabled = False
        self._program_cache.clear()

    def clear_program_cache(self) -> None:
        self._program_cache.clear()

    def num_program_cache_entries(self) -> int:
        return len(self._program_cache)

    def __repr__(self):
        return f"<host {self.target.name} Device id={self._id}>"

    # --- host backend internals ----------------------------------------------------------
    def _record_program(self, key) -> None:
        """One entry per distinct op signature, standing in for the program cache."""
        if self._program_cache_enabled:
            self._program_cache.add(key)

    def _allocate(self, padded_shape, dtype, layout, memory_config) -> Buffer:
        """Reserve the buffer of a tensor before its data exists (so an OOM costs no host memory)."""
        require(self._open, "Device", f"Device {self._id} is closed")
        pool = self._pools[BufferType.DRAM if memory_config.buffer_type == BufferType.DRAM else BufferType.L1]
        page, pages = _pages(padded_shape, dtype, layout)
        if memory_config.memory_layout == TensorMemoryLayout.INTERLEAVED:
            per_bank = math.ceil(pages / pool.banks) * _round_up(page, pool.alignment)
            return Buffer(pool, per_bank, pages * page, pool.banks)
        spec = memory_config.shard_spec
        require(spec is not None, "Tensor", "Shard spec must not be None for sharded tensors")
        per_bank = _shard_bytes(spec.shape, dtype, layout, pool.alignment)
        return Buffer(pool, per_bank, per_bank * spec.num_cores(), spec.num_cores())

    def _close(self) -> None:
        self._open = False


def get_memory_view(device: Device, buffer_type: BufferType) -> MemoryView:
    return MemoryView(device._pools[buffer_type])


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _pages(padded_shape, dtype, layout) -> tuple[int, int]:
    """(page bytes, page count): a tile per page for TILE, a row per page for ROW_MAJOR."""
    dims = list(padded_shape)
    if layout == Layout.TILE:
        return TILE_BYTES[dtype], math.prod(dims) // 1024
    return dims[-1] * ELEMENT_BYTES[dtype], math.prod(dims[:-1])


def _shard_bytes(shard_shape, dtype, layout, alignment: int) -> int:
    height, width = shard_shape
    if layout == Layout.TILE:
        return math.ceil(height / 32) * math.ceil(width / 32) * TILE_BYTES[dtype]
    return height * _round_up(width * ELEMENT_BYTES[dtype], alignment)


_open_devices: dict[int, Device] = {}


def open_device(*, device_id: int, l1_small_size: int = 0, trace_region_size: int = 0,
                dispatch_core_config=None, worker_l1_size: int | None = None, num_command_queues: int = 1) -> Device:
    """ttnn.open_device: returns the already-open device for `device_id` if there is one."""
    require(0 <= device_id < N150.num_chips, "open_device",
            f"Device id {device_id} is out of range: the host {N150.name} has {N150.num_chips} device(s)")
    device = _open_devices.get(device_id)
    if device is None:
        device = _open_devices[device_id] = Device(device_id, l1_small_size, trace_region_size)
    return device


def close_device(device: Device) -> None:
    device._close()
    _open_devices.pop(device._id, None)


@contextlib.contextmanager
def manage_device(device_id: int):
    device = open_device(device_id=device_id)
    try:
        yield device
    finally:
        close_device(device)


def synchronize_device(device: Device, *args, **kwargs) -> None:
    """Ops complete eagerly on the host; nothing to wait for."""
