"""Benchmark: the scalar Value engine against micrograd, in the same process.

Workloads:
  1. micrograd's demo setting: MLP 2-16-16-1 (ReLU) on 100 two-moons points,
     SVM max-margin loss + 1e-4 L2, one full-batch forward + backward + SGD step.
  2. a scalar chain y = y * 1.0001 + 0.0001 of 1e5 and 1e6 steps, forward + backward,
     at Python's default recursion limit.

Run by hand: ``python bench/scalar.py`` (needs the ``bench`` extra: micrograd,
scikit-learn). Prints medians and ratios (micrograd time / ours).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from autograd import Value
from nn import MLP


def moons():
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=100, noise=0.1, random_state=1)
    return x.tolist(), (y * 2 - 1).tolist()


def ours_step(model, xs, ys):
    scores = [model(x) for x in xs]
    losses = [(1 - y * s).relu() for y, s in zip(ys, scores)]
    data_loss = Value.sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * Value.sum([p * p for p in model.parameters()])
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= 0.01 * p.grad
    return total.data


def micrograd_step(model, xs, ys):
    from micrograd.engine import Value as MgValue

    inputs = [list(map(MgValue, x)) for x in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= 0.01 * p.grad
    return total.data


def copy_weights(ours, theirs):
    """Give micrograd's MLP exactly our initial weights, so both compute the same step."""
    for layer_ours, layer_theirs in zip(ours.layers, theirs.layers):
        for neuron_ours, neuron_theirs in zip(layer_ours.neurons, layer_theirs.neurons):
            for w_ours, w_theirs in zip(neuron_ours.w, neuron_theirs.w):
                w_theirs.data = w_ours.data
            neuron_theirs.b.data = neuron_ours.b.data


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_mlp(repeats):
    import micrograd.nn as micrograd_nn

    xs, ys = moons()
    ours = MLP(2, [16, 16, 1], seed=1)
    random.seed(1)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    copy_weights(ours, theirs)
    loss_ours, loss_theirs = ours_step(ours, xs, ys), micrograd_step(theirs, xs, ys)
    assert abs(loss_ours - loss_theirs) < 1e-9, (loss_ours, loss_theirs)
    t_ours = median_seconds(lambda: ours_step(ours, xs, ys), repeats)
    t_theirs = median_seconds(lambda: micrograd_step(theirs, xs, ys), repeats)
    print(
        f"MLP 2-16-16-1, 100 moons, SVM loss, fwd+bwd+SGD: ours {t_ours * 1e3:7.1f} ms, "
        f"micrograd {t_theirs * 1e3:7.1f} ms, micrograd/ours = {t_theirs / t_ours:.1f}x"
    )


def chain(value_class, steps):
    x = value_class(1.0)
    y = x
    for _ in range(steps):
        y = y * 1.0001 + 0.0001
    y.backward()
    return x.grad


def bench_chain(steps):
    from micrograd.engine import Value as MgValue

    start = time.perf_counter()
    grad = chain(Value, steps)
    t_ours = time.perf_counter() - start
    expected = 1.0001**steps
    assert abs(grad - expected) <= 1e-9 * expected, (grad, expected)
    try:
        start = time.perf_counter()
        chain(MgValue, steps)
        theirs = f"micrograd {time.perf_counter() - start:6.2f} s"
    except RecursionError:
        theirs = "micrograd: RecursionError"
    print(
        f"chain of {steps:>9,} steps fwd+bwd (recursion limit {sys.getrecursionlimit()}): ours {t_ours:6.2f} s, {theirs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    bench_mlp(args.repeats)
    bench_chain(100_000)
    bench_chain(1_000_000)


if __name__ == "__main__":
    main()
