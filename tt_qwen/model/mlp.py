"""Qwen3 MLP: down_proj(silu(gate_proj(x)) * up_proj(x)). Same ops in prefill and decode."""

from __future__ import annotations

import ttnn

from tt_qwen.model.config import precision_plan


class MLP:
    def __init__(self, loader, prefix: str, hf_mlp, dtype):
        self.gate_proj = loader.linear(f"{prefix}.gate_proj", hf_mlp.gate_proj.weight, dtype)
        self.up_proj = loader.linear(f"{prefix}.up_proj", hf_mlp.up_proj.weight, dtype)
        self.down_proj = loader.linear(f"{prefix}.down_proj", hf_mlp.down_proj.weight, dtype)
        plan = precision_plan()  # the weight dtype is the caller's (build_model's mlp_dtype)
        self.kernel_configs = {role: plan.linear(role).compute.build() for role in ("gate", "up", "down")}

    def __call__(self, x):
        configs = self.kernel_configs
        gate = ttnn.linear(x, self.gate_proj, activation="silu", compute_kernel_config=configs["gate"])
        up = ttnn.linear(x, self.up_proj, compute_kernel_config=configs["up"])
        hidden = ttnn.mul(gate, up)
        # Dropping the last reference frees a ttnn tensor's buffer: no ttnn.deallocate dispatch.
        del gate, up
        return ttnn.linear(hidden, self.down_proj, compute_kernel_config=configs["down"])
