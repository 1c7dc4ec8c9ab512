"""Probe section: ttnn.linear / ttnn.matmul."""

from __future__ import annotations

import ttnn

from tools.probe_mock.dims import DIMS
from tools.probe_mock.recorder import Recorder
from tools.probe_mock.tensors import arg, dev_t, free


def sec_linear(rec: Recorder, device) -> None:
    for cfg, dims in DIMS.items():
        H, I, V, nh, nkv, hd = dims.hidden_size, dims.intermediate_size, dims.vocab_size, dims.num_attention_heads, dims.num_key_value_heads, dims.head_dim
        QKV = (nh + 2 * nkv) * hd
        wI = dev_t(device, [H, I])
        wI8 = dev_t(device, [H, I], dtype=ttnn.bfloat8_b)
        wI4 = dev_t(device, [H, I], dtype=ttnn.bfloat4_b)
        wQKV = dev_t(device, [H, QKV])
        wD = dev_t(device, [I, H])
        wO = dev_t(device, [nh * hd, H])
        for S in (32, 128, 2048):
            x = dev_t(device, [1, 1, S, H])
            rec.call(cfg, f"ttnn.linear(x{arg([1,1,S,H])}, w{arg([H,I])})", lambda: ttnn.linear(x, wI))
            rec.call(cfg, f"ttnn.linear(x{arg([1,1,S,H])}, w{arg([H,I],'bfloat8_b')})", lambda: ttnn.linear(x, wI8))
            rec.call(cfg, f"ttnn.linear(x{arg([1,1,S,H])}, w{arg([H,I],'bfloat8_b')}, activation='silu')",
                   lambda: ttnn.linear(x, wI8, activation="silu"))
            rec.call(cfg, f"ttnn.linear(x{arg([1,1,S,H])}, w{arg([H,I])}, activation='silu')",
                   lambda: ttnn.linear(x, wI, activation="silu"))
            rec.call(cfg, f"ttnn.linear(x{arg([1,1,S,H])}, w{arg([H,QKV])})  # fused qkv", lambda: ttnn.linear(x, wQKV))
            xi = dev_t(device, [1, 1, S, I])
            rec.call(cfg, f"ttnn.linear(x{arg([1,1,S,I])}, w{arg([I,H])})  # down", lambda: ttnn.linear(xi, wD))
            free(xi)
            free(x)
        x = dev_t(device, [1, 1, 32, H])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,I],'bfloat4_b')})", lambda: ttnn.linear(x, wI4))
        xo = dev_t(device, [1, 1, 32, nh * hd])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,nh*hd])}, w{arg([nh*hd,H])})  # o_proj", lambda: ttnn.linear(xo, wO))
        free(xo)
        wV = dev_t(device, [H, V])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,V])})  # lm_head", lambda: ttnn.linear(x, wV))
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,V])}, dtype=ttnn.float32)", lambda: ttnn.linear(x, wV, dtype=ttnn.float32))
        free(wV)
        w4 = dev_t(device, [1, 1, H, I])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([1,1,H,I])})  # 4-D weight", lambda: ttnn.linear(x, w4))
        free(w4)
        x33 = dev_t(device, [1, 1, 33, H])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,33,H])}, w{arg([H,I])})  # S not multiple of 32", lambda: ttnn.linear(x33, wI))
        free(x33)
        x3 = dev_t(device, [1, 32, H])
        rec.call(cfg, f"ttnn.linear(x{arg([1,32,H])}, w{arg([H,I])})  # 3-D input", lambda: ttnn.linear(x3, wI))
        free(x3)
        x2 = dev_t(device, [32, H])
        rec.call(cfg, f"ttnn.linear(x{arg([32,H])}, w{arg([H,I])})  # 2-D input", lambda: ttnn.linear(x2, wI))
        free(x2)
        xb = dev_t(device, [1, 1, 32, H + 32])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H+32])}, w{arg([H,I])})  # inner-dim mismatch", lambda: ttnn.linear(xb, wI))
        free(xb)
        xb = dev_t(device, [1, 1, 32, H + 1])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H+1])}, w{arg([H,I])})  # inner-dim mismatch inside the padded tile", lambda: ttnn.linear(xb, wI))
        free(xb)
        xr = dev_t(device, [1, 1, 32, H], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H],'bf16','RM')}, w{arg([H,I])})  # ROW_MAJOR input", lambda: ttnn.linear(xr, wI))
        free(xr)
        wr = dev_t(device, [H, I], layout=ttnn.ROW_MAJOR_LAYOUT)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,I],'bf16','RM')})  # ROW_MAJOR weight", lambda: ttnn.linear(x, wr))
        free(wr)
        xh = dev_t(device, [1, 1, 32, H], on_device=False)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H],'bf16','TILE','HOST')}, w{arg([H,I])})  # host input", lambda: ttnn.linear(xh, wI))
        xf = dev_t(device, [1, 1, 32, H], dtype=ttnn.float32)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H],'f32')}, w{arg([H,I])})  # f32 activations", lambda: ttnn.linear(xf, wI))
        free(xf)
        x8 = dev_t(device, [1, 1, 32, H], dtype=ttnn.bfloat8_b)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H],'bfloat8_b')}, w{arg([H,I])})  # bfp8 activations", lambda: ttnn.linear(x8, wI))
        free(x8)
        xl = dev_t(device, [1, 1, 32, H], mem=ttnn.L1_MEMORY_CONFIG)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H],'bf16','TILE','L1')}, w{arg([H,I])}, memory_config=L1)",
               lambda: ttnn.linear(xl, wI, memory_config=ttnn.L1_MEMORY_CONFIG))
        free(xl)
        ck = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, math_approx_mode=False,
                                              fp32_dest_acc_en=True, packer_l1_acc=True)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,I],'bfloat8_b')}, compute_kernel_config=HiFi2+fp32_acc)",
               lambda: ttnn.linear(x, wI8, compute_kernel_config=ck))
        bias = dev_t(device, [1, I])
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,I])}, bias={arg([1,I])})", lambda: ttnn.linear(x, wI, bias=bias))
        free(bias)
        rec.call(cfg, f"ttnn.linear(x{arg([1,1,32,H])}, w{arg([H,I])}, transpose_b=True)  # w treated as [I,H]", lambda: ttnn.linear(x, wI, transpose_b=True))
        rec.call(cfg, f"ttnn.matmul(x{arg([1,1,32,H])}, w{arg([H,I])})", lambda: ttnn.matmul(x, wI))
        free([x, wI, wI8, wI4, wQKV, wD, wO])
