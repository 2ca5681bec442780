"""Benchmark: Tensor MLP training step vs a hand-written numpy floor.

Workloads (float32, ReLU, softmax cross-entropy, forward + backward + SGD step):
  * MLP 784-256-128-10, batch 128   (matmul-bound; target <= 1.10x the floor)
  * MLP 64-32-10, batch 32          (per-op overhead; target <= 3.0x the floor)

The floor computes the same forward, the same gradients (derived by hand) and
the same update with plain numpy. Before timing, one step of each is checked to
give the same gradients as the engine. Prints medians and engine/floor ratios
measured in this process (run by hand: ``python bench/tensor_mlp.py``). BLAS is
limited to ``--threads`` threads (default 1, as in ``bench/conv.py``): on a small shared
machine, OpenBLAS's thread hand-offs add noise to both sides.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import numpy as np

import nn.functional as F
from autograd import Tensor


def make_problem(sizes: list[int], batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = [
        (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32)
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]
    biases = [np.zeros(n_out, dtype=np.float32) for n_out in sizes[1:]]
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], size=batch)
    return weights, biases, x, y


class NumpyFloor:
    """Forward, hand-derived backward and SGD update in plain numpy."""

    def __init__(self, weights, biases, lr):
        self.weights = [w.copy() for w in weights]
        self.biases = [b.copy() for b in biases]
        self.lr = np.float32(lr)

    def gradients(self, x, y):
        activations, pre = [x], []
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = h @ w + b
            pre.append(z)
            h = np.maximum(z, 0) if i < last else z
            activations.append(h)
        logits = activations[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        n = x.shape[0]
        loss = -log_probs[np.arange(n), y].mean()
        delta = np.exp(log_probs)
        delta[np.arange(n), y] -= 1
        delta /= n
        grads_w, grads_b = [None] * len(self.weights), [None] * len(self.weights)
        for i in range(last, -1, -1):
            grads_w[i] = activations[i].T @ delta
            grads_b[i] = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ self.weights[i].T) * (pre[i - 1] > 0)
        return loss, grads_w, grads_b

    def step(self, x, y):
        loss, grads_w, grads_b = self.gradients(x, y)
        for w, b, gw, gb in zip(self.weights, self.biases, grads_w, grads_b):
            w -= self.lr * gw
            b -= self.lr * gb
        return loss


class EngineMLP:
    """The same network written with autograd Tensors, as a user would."""

    def __init__(self, weights, biases, lr):
        self.weights = [Tensor(w.copy(), requires_grad=True) for w in weights]
        self.biases = [Tensor(b.copy(), requires_grad=True) for b in biases]
        self.lr = lr

    def loss(self, x, y):
        h = Tensor(x)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < last:
                h = h.relu()
        return F.cross_entropy(h, y)

    def step(self, x, y):
        loss = self.loss(x, y)
        for p in self.weights + self.biases:
            p.grad = None
        loss.backward()
        for p in self.weights + self.biases:
            p.data -= self.lr * p.grad
        return loss


def check_agreement(weights, biases, x, y):
    floor = NumpyFloor(weights, biases, lr=0.0)
    engine = EngineMLP(weights, biases, lr=0.0)
    loss_f, grads_w, grads_b = floor.gradients(x, y)
    loss_e = engine.loss(x, y)
    loss_e.backward()
    assert np.allclose(loss_e.item(), loss_f, rtol=1e-5), (loss_e.item(), loss_f)
    for p, g in zip(engine.weights + engine.biases, grads_w + grads_b):
        assert p.grad.dtype == np.float32, p.grad.dtype
        assert np.allclose(p.grad, g, rtol=1e-4, atol=1e-6), np.abs(p.grad - g).max()


def median_time(step, x, y, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        step(x, y)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step(x, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(sizes, batch, repeats, rounds):
    weights, biases, x, y = make_problem(sizes, batch)
    check_agreement(weights, biases, x, y)
    floor = NumpyFloor(weights, biases, lr=0.01)
    engine = EngineMLP(weights, biases, lr=0.01)
    ratios, floor_times, engine_times = [], [], []
    for _ in range(rounds):  # interleave to share the machine's noise fairly
        t_floor = median_time(floor.step, x, y, repeats)
        t_engine = median_time(engine.step, x, y, repeats)
        floor_times.append(t_floor)
        engine_times.append(t_engine)
        ratios.append(t_engine / t_floor)
    name = "-".join(map(str, sizes))
    print(
        f"MLP {name:>14} batch {batch:>3}: numpy floor {statistics.median(floor_times) * 1e3:8.3f} ms, "
        f"engine {statistics.median(engine_times) * 1e3:8.3f} ms, ratio {statistics.median(ratios):.3f}x "
        f"(per-round ratios {', '.join(f'{r:.2f}' for r in ratios)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both sides; 0 leaves the default")
    args = parser.parse_args()
    limit = contextlib.nullcontext()
    if args.threads:
        try:
            from threadpoolctl import threadpool_limits

            limit = threadpool_limits(limits=args.threads)
        except ImportError:
            print("threadpoolctl is not installed: BLAS keeps its default thread count")
    with limit:
        run([784, 256, 128, 10], 128, args.repeats, args.rounds)
        run([64, 32, 10], 32, args.repeats * 10, args.rounds)


if __name__ == "__main__":
    main()
