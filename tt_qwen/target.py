"""The target device as a value: what the model, the host backend, the footprint check and the
reports ask instead of repeating literals.

One frozen description per device kind. N150 (one Wormhole chip) is the only one built today;
an n300 or a mesh enters here later as another constant (and a larger `mesh_shape`), and
everything that reads a `Target` follows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str  # the SKU as tt-metal's targets name it, e.g. "n150"
    sku: str  # model_targets.yaml's key, e.g. "wh_n150"
    arch: str  # ARCH_NAME on a runner
    compute_grid: tuple[int, int]  # worker cores (x, y)
    dram_banks: int
    dram_bank_bytes: int  # per bank, as the real 0.81.1 allocator reports it
    l1_bank_bytes: int  # per worker core, default l1_small_size, as the real allocator reports it
    dram_bytes_per_second: float  # peak DRAM bandwidth: the roofline's ceiling
    mesh_shape: tuple[int, int]  # chips (rows, columns)

    @property
    def dram_bytes(self) -> int:
        return self.dram_banks * self.dram_bank_bytes

    @property
    def num_cores(self) -> int:
        return self.compute_grid[0] * self.compute_grid[1]

    @property
    def num_chips(self) -> int:
        return self.mesh_shape[0] * self.mesh_shape[1]

    def describe(self) -> str:
        """One line for reports, e.g. "n150, 288 GB/s DRAM"."""
        return f"{self.name}, {self.dram_bytes_per_second / 1e9:.0f} GB/s DRAM"


# Measured on the real 0.81.1 allocator on a mock n150 (ttnn.get_memory_view, bank sizes) and
# the n150's published DRAM bandwidth (12 GB GDDR6 at 288 GB/s).
N150 = Target(
    name="n150",
    sku="wh_n150",
    arch="wormhole_b0",
    compute_grid=(8, 8),
    dram_banks=12,
    dram_bank_bytes=1_072_693_184,
    l1_bank_bytes=1_393_312,
    dram_bytes_per_second=288e9,
    mesh_shape=(1, 1),
)

TARGETS = {N150.name: N150}


def target_of(device) -> Target:
    """The Target an open ttnn device is, on any backend.

    The host device carries its own; a real or mock one is recognised by what it reports (its
    architecture, worker grid and chip count), so the model asks the device instead of assuming.
    """
    own = getattr(device, "target", None)
    if isinstance(own, Target):
        return own
    grid = device.compute_with_storage_grid_size()
    arch = getattr(device.arch(), "name", str(device.arch())).lower()
    seen = (arch, (grid.x, grid.y), device.get_num_devices())
    for target in TARGETS.values():
        if (target.arch, target.compute_grid, target.num_chips) == seen:
            return target
    raise ValueError(f"no Target describes this device (arch {seen[0]}, worker grid {seen[1][0]}x{seen[1][1]}, "
                     f"{seen[2]} chip(s)); known targets: {', '.join(TARGETS)}")
