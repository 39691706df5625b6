#!/usr/bin/env python3
"""The peer of `gradtower bench`: the same training step in PyTorch on the CPU.

Same network (fully connected, tanh hidden layers, linear output), same batch, same loss (MSE),
same optimizer (SGD) and the same per-step statistics gradtower computes on the GPU: per layer
|dW| (Frobenius), mean and max |dW|, |db|, RMS of dL/dz, |W|, |W_new - W_old| / |W_old|, count
of non-finite dW, and per neuron the mean over the batch of |dL/dz|.
Prints one JSON object: {"ms_per_step": ..., "threads": ...}.
"""
import argparse
import json
import os
import time

import torch


def blas_in_use():
    """The BLAS library torch actually loaded (Debian's libblas.so.3 alternative: the reference
    BLAS unless e.g. libopenblas0-pthread is installed), read from the process's mappings."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(os.path.realpath(p) for p in libs)) or "unknown"
    except OSError:
        return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=256, help="weight layers")
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.01)
    a = p.parse_args()
    torch.manual_seed(0)
    layers = [torch.nn.Linear(a.width, a.width) for _ in range(a.depth)]
    params = [t for l in layers for t in (l.weight, l.bias)]
    opt = torch.optim.SGD(params, lr=a.lr)
    x = torch.randn(a.batch, a.width)
    y = torch.randn(a.batch, a.width)

    def step():
        opt.zero_grad(set_to_none=False)
        h = x
        zs = []
        for i, l in enumerate(layers):
            z = l(h)
            z.retain_grad()
            zs.append(z)
            h = torch.tanh(z) if i + 1 < len(layers) else z
        loss = torch.nn.functional.mse_loss(h, y)
        loss.backward()
        with torch.no_grad():
            old = [l.weight.clone() for l in layers]
            stats = []
            for l, z in zip(layers, zs):
                g = l.weight.grad
                ga = g.abs()
                d = z.grad
                stats.append((g.norm(), ga.mean(), ga.max(), l.bias.grad.norm(),
                              d.pow(2).mean().sqrt(), (~torch.isfinite(g)).sum(),
                              d.abs().mean(0)))
        opt.step()
        with torch.no_grad():
            for l, w0, s in zip(layers, old, stats):
                n0 = w0.norm()
                _ratio = (l.weight - w0).norm() / n0
        return float(loss)

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000.0 / a.steps
    print(json.dumps({"ms_per_step": ms, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "blas": blas_in_use()}))


if __name__ == "__main__":
    main()
