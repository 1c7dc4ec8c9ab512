"""RMSNorm over the last dimension: the decoder norms (width hidden_size) and Qwen3's q_norm /
k_norm (width head_dim, applied per head)."""

from __future__ import annotations

import ttnn

from tt_qwen.model.config import precision_plan


class RMSNorm:
    def __init__(self, loader, name: str, weight, eps: float):
        self.weight = loader.norm(name, weight)
        # ttnn.rms_norm defaults to epsilon 1e-12; Qwen3 uses 1e-6, so it is always passed.
        self.eps = eps
        self.kernel_config = precision_plan().norm.build()

    def __call__(self, x):
        return ttnn.rms_norm(x, epsilon=self.eps, weight=self.weight, compute_kernel_config=self.kernel_config)
