#!/usr/bin/env python3
"""The peer of `gradtower bench`: the same training step in PyTorch on the CPU.

Same network (fully connected, tanh hidden layers, linear output; with --norm every hidden
layer's pre-activation normalized in training mode, eps 1e-5, learnable scale and shift; with
--residual K identity skips around blocks of K hidden layers as docs/SCENES.md defines them),
same batch, same loss (MSE), same optimizer (SGD, on the norms' scale and shift too) and the
same per-step statistics gradtower computes on the GPU: per layer |dW| (Frobenius), mean and
max |dW|, |db|, RMS of dL/dz, |W|, |W_new - W_old| / |W_old|, count of non-finite dW, and per
neuron the mean over the batch of |dL/dz|.
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


def forward(x, layers, norms, residual, zs):
    """The network's output for a batch x; appends each layer's pre-activation Z (with its
    gradient retained) to zs. norms: one per hidden layer, or none."""
    hidden = len(layers) - 1
    h = x
    start = None  # the current residual block's input
    for i, l in enumerate(layers):
        z = l(h)
        z.retain_grad()
        zs.append(z)
        if i == hidden:  # the output layer: linear, never normalized or residual
            return z
        act = torch.tanh(norms[i](z) if norms else z)
        # Hidden layer j = i + 1; blocks cover j = 2 + mk .. 1 + (m+1)k, the last one possibly
        # shorter, and add their input at their last layer.
        j, k = i + 1, residual
        end = k > 0 and j >= 2 and ((j - 1) % k == 0 or j == hidden)
        h = start + act if end else act
        if k > 0 and (j == 1 or end):
            start = h


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=256, help="weight layers")
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--residual", type=int, default=0, help="residual_every; 0: no skips")
    p.add_argument("--norm", choices=["none", "layer", "batch"], default="none")
    a = p.parse_args()
    torch.manual_seed(0)
    layers = [torch.nn.Linear(a.width, a.width) for _ in range(a.depth)]
    hidden = a.depth - 1
    # Training mode throughout; no running statistics (gradtower keeps none, and they change
    # nothing in training mode).
    make_norm = {"none": None,
                 "batch": lambda: torch.nn.BatchNorm1d(a.width, eps=1e-5,
                                                       track_running_stats=False),
                 "layer": lambda: torch.nn.LayerNorm(a.width, eps=1e-5)}[a.norm]
    norms = [make_norm() for _ in range(hidden)] if make_norm else []
    params = [t for l in layers for t in (l.weight, l.bias)]
    params += [t for n in norms for t in (n.weight, n.bias)]
    opt = torch.optim.SGD(params, lr=a.lr)
    x = torch.randn(a.batch, a.width)
    y = torch.randn(a.batch, a.width)

    def step():
        opt.zero_grad(set_to_none=False)
        zs = []
        h = forward(x, layers, norms, a.residual, zs)
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
                      "residual": a.residual, "norm": a.norm,
                      "torch": torch.__version__, "blas": blas_in_use()}))


if __name__ == "__main__":
    main()
