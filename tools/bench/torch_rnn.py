#!/usr/bin/env python3
"""The peer of `gradtower bench --scene` for a recurrent scene (an rnn op, then dense layers):
training steps of the same vanilla RNN in PyTorch on the CPU.

The same shapes (batch-first sequences of --steps steps of --features, --hidden tanh or relu
units, torch.nn.RNN's equations and parameters, a linear head on the last hidden state), data
of the adding problem's shape (value, marker per step; the target their marked sum), MSE, SGD,
and the per-time-step figures gradtower computes on the GPU every step: per step t the mean over
the batch of |dL/dh_t| per unit, ||dL/dh_t|| and the norm of step t's term of dL/dW_hh. Those
need dL/dh_t, which torch.nn.RNN's fused kernel does not expose, so the peer unrolls the same
recurrence step by step (autograd through time, h_t retaining its gradient); it also times
torch.nn.RNN itself without the figures, for reference.
Prints one JSON object: {"ms_per_step": ..., "fused_ms_per_step": ..., "threads": ...}.
"""
import argparse
import json
import time

import torch

from torch_step import blas_in_use  # the same folder


def adding_batch(batch, steps, gen):
    x = torch.zeros(batch, steps, 2)
    x[:, :, 0] = torch.rand(batch, steps, generator=gen)
    first = torch.randint(0, steps // 2, (batch,), generator=gen)
    second = torch.randint(steps // 2, steps, (batch,), generator=gen)
    rows = torch.arange(batch)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[:, :, 0] * x[:, :, 1]).sum(dim=1, keepdim=True)
    return x, y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=200, help="time steps T")
    p.add_argument("--features", type=int, default=2)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--outputs", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--nonlinearity", default="tanh")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iters", type=int, default=5, help="timed training steps")
    p.add_argument("--lr", type=float, default=0.01)
    a = p.parse_args()
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    rnn = torch.nn.RNN(a.features, a.hidden, nonlinearity=a.nonlinearity, batch_first=True)
    head = torch.nn.Linear(a.hidden, a.outputs)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=a.lr)
    act = torch.tanh if a.nonlinearity == "tanh" else torch.relu
    features = a.features

    def batch():
        if features == 2:
            return adding_batch(a.batch, a.steps, gen)
        return torch.randn(a.batch, a.steps, features, generator=gen), torch.randn(a.batch, a.outputs, generator=gen)

    def unrolled_step():
        x, y = batch()
        w_ih, w_hh, b_ih, b_hh = rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0
        proj = x @ w_ih.t() + b_ih + b_hh  # every step's input projection at once
        h = torch.zeros(a.batch, a.hidden)
        hs = [h]
        for t in range(a.steps):
            h = act(proj[:, t] + h @ w_hh.t())
            h.retain_grad()
            hs.append(h)
        loss = torch.nn.functional.mse_loss(head(h), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            figures = []
            for t in range(1, a.steps + 1):
                dh = hs[t].grad
                cells = dh.abs().mean(dim=0)
                dz = dh * (1 - hs[t] * hs[t]) if a.nonlinearity == "tanh" else dh * (hs[t] > 0)
                term = torch.linalg.matrix_norm(dz.t() @ hs[t - 1])
                figures.append((torch.linalg.vector_norm(dh), term, cells.mean()))
            _ = [float(f[0]) for f in figures[:1]]
        opt.step()
        return loss

    def fused_step():
        x, y = batch()
        out, _ = rnn(x)
        loss = torch.nn.functional.mse_loss(head(out[:, -1]), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    def timed(step):
        for _ in range(a.warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(a.iters):
            step()
        return (time.perf_counter() - t0) * 1000 / a.iters

    ms = timed(unrolled_step)
    fused = timed(fused_step)
    print(json.dumps({"ms_per_step": ms, "fused_ms_per_step": fused,
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "blas": blas_in_use()}))


if __name__ == "__main__":
    main()
