"""Probe section: add / mul / silu / softmax / argmax."""

from __future__ import annotations

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import arg, dev_t, free


def sec_eltwise(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        H, I, nh, hd = dims.hidden_size, dims.intermediate_size, dims.num_attention_heads, dims.head_dim
        a = dev_t(device, [1, 1, 32, H])
        b = dev_t(device, [1, 1, 32, H])
        b1 = dev_t(device, [1, 1, 1, H])
        for op in ("add", "mul"):
            f = getattr(ttnn, op)
            rec.call(cfg, f"ttnn.{op}(a{arg([1,1,32,H])}, b{arg([1,1,32,H])})", lambda f=f: f(a, b))
            rec.call(cfg, f"ttnn.{op}(a{arg([1,1,32,H])}, b{arg([1,1,1,H])})  # broadcast rows", lambda f=f: f(a, b1))
            rec.call(cfg, f"ttnn.{op}(a{arg([1,1,1,H])}, b{arg([1,1,32,H])})  # broadcast first operand", lambda f=f: f(b1, a))
            rec.call(cfg, f"ttnn.{op}(a{arg([1,1,32,H])}, 0.5)  # scalar", lambda f=f: f(a, 0.5))
        for S in (128, 2048):
            x = dev_t(device, [1, 1, S, I])
            y = dev_t(device, [1, 1, S, I])
            rec.call(cfg, f"ttnn.mul(a{arg([1,1,S,I])}, b{arg([1,1,S,I])})", lambda: ttnn.mul(x, y))
            rec.call(cfg, f"ttnn.silu(x{arg([1,1,S,I])})", lambda: ttnn.silu(x))
            rec.call(cfg, f"ttnn.mul(a, b, input_tensor_a_activations=[ttnn.UnaryOpType.SILU])  # fused silu*up {[1,1,S,I]}",
                   lambda: ttnn.mul(x, y, input_tensor_a_activations=[ttnn.UnaryOpType.SILU]))
            free([x, y])
        for B in (1, 32):
            q = dev_t(device, [1, B, nh, hd])
            k = dev_t(device, [1, B, 1, hd])
            rec.call(cfg, f"ttnn.mul(a{arg([1,B,nh,hd])}, b{arg([1,B,1,hd])})", lambda: ttnn.mul(q, k))
            rec.call(cfg, f"ttnn.add(a{arg([1,B,nh,hd])}, b{arg([1,B,1,hd])})", lambda: ttnn.add(q, k))
            free([q, k])
        c2 = dev_t(device, [1, 1, 64, H])
        rec.call(cfg, f"ttnn.add(a{arg([1,1,32,H])}, b{arg([1,1,64,H])})  # incompatible", lambda: ttnn.add(a, c2))
        free(c2)
        c3 = dev_t(device, [1, 1, 33, H])
        rec.call(cfg, f"ttnn.add(a{arg([1,1,33,H])}, b{arg([1,1,33,H])})", lambda: ttnn.add(c3, c3))
        free(c3)
        ar = dev_t(device, [1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.add(a{arg([1,1,32,H],'bf16','RM')}, b{arg([1,1,32,H],'bf16','RM')})", lambda: ttnn.add(ar, ar))
        rec.call(cfg, f"ttnn.add(a{arg([1,1,32,H],'bf16','RM')}, b{arg([1,1,32,H])})  # mixed layouts", lambda: ttnn.add(ar, a))
        free(ar)
        a8 = dev_t(device, [1, 1, 32, H], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.add(a{arg([1,1,32,H],'bfloat8_b')}, b{arg([1,1,32,H])})  # mixed dtypes", lambda: ttnn.add(a8, a))
        free(a8)
        af = dev_t(device, [1, 1, 32, H], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.add(a{arg([1,1,32,H],'f32')}, b{arg([1,1,32,H])})  # f32 + bf16", lambda: ttnn.add(af, a))
        rec.call(cfg, f"ttnn.add(a{arg([1,1,32,H])}, b{arg([1,1,32,H])}, dtype=ttnn.float32)", lambda: ttnn.add(a, b, dtype=ttnn.float32))
        free(af)
        rec.call(cfg, f"ttnn.add(a, b, memory_config=L1) {[1,1,32,H]}", lambda: ttnn.add(a, b, memory_config=ttnn.L1_MEMORY_CONFIG))
        rec.call(cfg, f"ttnn.neg(x{arg([1,1,32,H])})", lambda: ttnn.neg(a))
        rec.call(cfg, f"ttnn.softmax(x{arg([1,1,32,H])}, dim=-1)", lambda: ttnn.softmax(a, dim=-1))
        rec.call(cfg, f"ttnn.argmax(x{arg([1,1,32,H])}, dim=-1)  # TILE input", lambda: ttnn.argmax(a, dim=-1))
        arm = dev_t(device, [1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.argmax(x{arg([1,1,32,H],'bf16','RM')}, dim=-1)", lambda: ttnn.argmax(arm, dim=-1))
        rec.call(cfg, f"ttnn.argmax(x{arg([1,1,32,H],'bf16','RM')}, dim=-1, keepdim=True)", lambda: ttnn.argmax(arm, dim=-1, keepdim=True))
        free(arm)
        free([a, b, b1])
