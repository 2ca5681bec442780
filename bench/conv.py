"""Benchmark: a small CNN's forward + backward vs a hand-written numpy im2col floor (and torch).

Workload (float32): batch 32 of 1x28x28 -> conv 3x3, 8 channels, padding 1 -> ReLU ->
2x2 max-pool -> flatten -> linear to 10 -> softmax cross-entropy; forward and backward
(gradients of every parameter), no update. Target: engine <= 1.2x the floor.

The floor is the same network in plain numpy: im2col through a strided window view, one
matmul, a reshape-based 2x2 max-pool, hand-derived gradients. Before timing, the engine's
loss and gradients are checked against the floor's. Floor, engine and (when installed) torch
are timed in interleaved rounds; the script prints medians and ratios measured in this
process (run by hand: ``python bench/conv.py``). BLAS and torch are limited to
``--threads`` threads (default 1): on a small shared machine, multi-threaded OpenBLAS on
these tiny matrices is dominated by thread hand-off noise.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

import nn.functional as F
from autograd import Tensor


def make_problem(batch: int = 32, channels: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    params = {
        "conv_w": (rng.standard_normal((channels, 1, 3, 3)) / 3).astype(np.float32),
        "conv_b": (rng.standard_normal(channels) * 0.1).astype(np.float32),
        "fc_w": (rng.standard_normal((channels * 14 * 14, 10)) / np.sqrt(channels * 196)).astype(np.float32),
        "fc_b": np.zeros(10, dtype=np.float32),
    }
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, size=batch)
    return params, x, y


def floor_step(params, x, y):
    """Loss and gradients of the network, in numpy with hand-derived backward."""
    conv_w, conv_b, fc_w, fc_b = params["conv_w"], params["conv_b"], params["fc_w"], params["fc_b"]
    n, c_in, h, w = x.shape
    c_out = conv_w.shape[0]
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    s = padded.strides
    windows = as_strided(padded, (n, c_in, h, w, 3, 3), (s[0], s[1], s[2], s[3], s[2], s[3]), writeable=False)
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c_in * 9)
    z = (cols @ conv_w.reshape(c_out, -1).T + conv_b).reshape(n, h, w, c_out).transpose(0, 3, 1, 2)
    a = np.maximum(z, 0)
    tiles = a.reshape(n, c_out, h // 2, 2, w // 2, 2)
    pooled = tiles.max(axis=(3, 5))
    flat = pooled.reshape(n, -1)
    logits = flat @ fc_w + fc_b
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()

    d_logits = np.exp(log_probs)
    d_logits[np.arange(n), y] -= 1
    d_logits /= n
    grads = {"fc_w": flat.T @ d_logits, "fc_b": d_logits.sum(axis=0)}
    d_pooled = (d_logits @ fc_w.T).reshape(pooled.shape)
    d_tiles = (tiles == pooled[:, :, :, None, :, None]) * d_pooled[:, :, :, None, :, None]
    d_z = d_tiles.reshape(a.shape) * (z > 0)
    d_z_rows = d_z.transpose(0, 2, 3, 1).reshape(n * h * w, c_out)
    grads["conv_w"] = (d_z_rows.T @ cols).reshape(conv_w.shape)
    grads["conv_b"] = d_z_rows.sum(axis=0)
    return loss, grads


class EngineCNN:
    """The same network with autograd Tensors and nn.functional, as a user would write it."""

    def __init__(self, params):
        self.params = {name: Tensor(value.copy(), requires_grad=True) for name, value in params.items()}

    def loss(self, x, y):
        p = self.params
        h = F.conv2d(Tensor(x), p["conv_w"], p["conv_b"], padding=1).relu()
        h = F.max_pool2d(h, 2)
        logits = h.reshape(h.shape[0], -1) @ p["fc_w"] + p["fc_b"]
        return F.cross_entropy(logits, y)

    def step(self, x, y):
        for parameter in self.params.values():
            parameter.grad = None
        loss = self.loss(x, y)
        loss.backward()
        return loss


class TorchCNN:
    def __init__(self, torch, params):
        self.torch = torch
        self.params = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}

    def step(self, x, y):
        torch, p = self.torch, self.params
        for parameter in p.values():
            parameter.grad = None
        tf = torch.nn.functional
        h = tf.max_pool2d(tf.relu(tf.conv2d(x, p["conv_w"], p["conv_b"], padding=1)), 2)
        loss = tf.cross_entropy(h.reshape(h.shape[0], -1) @ p["fc_w"] + p["fc_b"], y)
        loss.backward()
        return loss


def check_agreement(params, x, y):
    loss_f, grads = floor_step(params, x, y)
    engine = EngineCNN(params)
    loss_e = engine.step(x, y)
    assert np.allclose(loss_e.item(), loss_f, rtol=1e-5), (loss_e.item(), loss_f)
    for name, g in grads.items():
        got = engine.params[name].grad
        assert got.dtype == np.float32, (name, got.dtype)
        assert np.allclose(got, g, rtol=1e-4, atol=1e-6), (name, np.abs(got - g).max())


def median_time(step, args, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        step(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeats: int, rounds: int) -> None:
    params, x, y = make_problem()
    check_agreement(params, x, y)
    engine = EngineCNN(params)
    contenders = {"floor": (lambda x, y: floor_step(params, x, y), (x, y)), "engine": (engine.step, (x, y))}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        model = TorchCNN(torch, params)
        contenders["torch"] = (model.step, (torch.from_numpy(x), torch.from_numpy(y)))
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):  # interleave to share the machine's noise fairly
        for name, (step, args) in contenders.items():
            times[name].append(median_time(step, args, repeats))
    ratios = [e / f for e, f in zip(times["engine"], times["floor"])]
    print(
        f"CNN conv3x3(8)+relu+maxpool2+linear, batch 32 of 1x28x28 float32, forward+backward:\n"
        f"  numpy floor {statistics.median(times['floor']) * 1e3:.3f} ms, "
        f"engine {statistics.median(times['engine']) * 1e3:.3f} ms, "
        f"engine/floor {statistics.median(ratios):.3f}x (per-round {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    if torch is not None:
        torch_ratios = [e / t for e, t in zip(times["engine"], times["torch"])]
        print(
            f"  torch {statistics.median(times['torch']) * 1e3:.3f} ms, engine/torch "
            f"{statistics.median(torch_ratios):.3f}x (per-round {', '.join(f'{r:.2f}' for r in torch_ratios)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS (and torch) threads; 0 leaves the defaults")
    args = parser.parse_args()
    if args.threads:
        try:
            import torch

            torch.set_num_threads(args.threads)
        except ImportError:
            pass
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            threadpool_limits = None
        if threadpool_limits is not None:
            with threadpool_limits(limits=args.threads):
                run(args.repeats, args.rounds)
            return
    run(args.repeats, args.rounds)


if __name__ == "__main__":
    main()
