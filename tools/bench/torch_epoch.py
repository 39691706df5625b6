#!/usr/bin/env python3
"""The peer of `gradtower bench --scene`: one epoch of a scene's multilayer perceptron on
Fashion-MNIST in PyTorch on the CPU.

The same data (Debian's dataset-fashion-mnist IDX files, pixels / 255 normalized with the
training split's mean and population std, as gradtower's loader), the same batches' shape (a
DataLoader over the same tensors, batch 128, shuffled each epoch, the last partial batch kept
unless --drop-last, as the scene's data.drop_last), the same network (fully connected, ReLU
hidden layers, linear logits, He normal init, zero biases), loss (cross-entropy) and optimizer (Adam, lr 1e-3, betas 0.9 / 0.999, eps 1e-8),
and the per-step statistics gradtower computes on the GPU: per layer |dW| (Frobenius), mean and
max |dW|, |db|, RMS of dL/dz, |W|, |W_new - W_old| / |W_old|, count of non-finite dW, the
outputs' mean, std and inactive fraction, per neuron the mean over the batch of |dL/dz|, the
|dW| histogram (64 log-spaced bins over [10^hist_lo, 10^hist_hi) and the counts below, above and
at zero), and the batch's accuracy.
Prints one JSON object: {"epochs_per_s": ..., "ms_per_step": ..., "threads": ...}.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

from torch_step import blas_in_use  # the same folder


def read_idx(path, rank):
    """An IDX file of unsigned bytes, gzip'd (path) or not (path without .gz), as gradtower's."""
    if os.path.exists(path):
        with gzip.open(path, "rb") as f:
            data = f.read()
    else:
        with open(path[:-3], "rb") as f:
            data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--folder", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--sizes", default="784,256,128,100,10")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--hist-lo", type=int, default=-12)
    p.add_argument("--hist-hi", type=int, default=0)
    p.add_argument("--drop-last", action="store_true",
                   help="drop each epoch's partial last batch (gradtower's data.drop_last)")
    a = p.parse_args()
    torch.manual_seed(0)
    images = read_idx(os.path.join(a.folder, "train-images-idx3-ubyte.gz"), 3)
    labels = read_idx(os.path.join(a.folder, "train-labels-idx1-ubyte.gz"), 1)
    pixels = images.reshape(len(images), -1).astype(np.float64) / 255.0
    mean, std = pixels.mean(), pixels.std()
    x = torch.tensor(((pixels - mean) / std).astype(np.float32))
    y = torch.tensor(labels.astype(np.int64))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                         batch_size=a.batch, shuffle=True,
                                         drop_last=a.drop_last)
    sizes = [int(s) for s in a.sizes.split(",")]
    layers = [torch.nn.Linear(i, o) for i, o in zip(sizes, sizes[1:])]
    for l in layers:
        torch.nn.init.kaiming_normal_(l.weight, nonlinearity="relu")
        torch.nn.init.zeros_(l.bias)
    params = [t for l in layers for t in (l.weight, l.bias)]
    opt = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)

    def step(xb, yb):
        opt.zero_grad(set_to_none=False)
        zs, acts = [], []
        h = xb
        for i, l in enumerate(layers):
            z = l(h)
            z.retain_grad()
            zs.append(z)
            h = z if i == len(layers) - 1 else torch.relu(z)
            acts.append((h, z))
        loss = torch.nn.functional.cross_entropy(h, yb)
        loss.backward()
        with torch.no_grad():
            old = [l.weight.clone() for l in layers]
            stats = []
            for l, z, (out, pre) in zip(layers, zs, acts):
                g = l.weight.grad
                ga = g.abs()
                d = z.grad
                logs = torch.log10(ga[ga > 0])
                stats.append((g.norm(), ga.mean(), ga.max(), l.bias.grad.norm(),
                              d.pow(2).mean().sqrt(), (~torch.isfinite(g)).sum(),
                              d.abs().mean(0), out.mean(), out.std(unbiased=False),
                              (pre <= 0).float().mean(), l.weight.norm(),
                              torch.histc(logs, bins=64, min=a.hist_lo, max=a.hist_hi),
                              (logs < a.hist_lo).sum(), (logs >= a.hist_hi).sum(),
                              (ga == 0).sum()))
            accuracy = (h.argmax(1) == yb).float().mean()
        opt.step()
        with torch.no_grad():
            for l, w0 in zip(layers, old):
                _ratio = (l.weight - w0).norm() / w0.norm()
        return float(loss), float(accuracy)

    batches = iter(loader)
    for _ in range(a.warmup):
        step(*next(batches))
    steps = 0
    t0 = time.perf_counter()
    for _ in range(a.epochs):
        for xb, yb in loader:
            step(xb, yb)
            steps += 1
    secs = time.perf_counter() - t0
    print(json.dumps({"epochs_per_s": a.epochs / secs, "ms_per_step": secs * 1000.0 / steps,
                      "steps": steps, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "blas": blas_in_use()}))


if __name__ == "__main__":
    main()
