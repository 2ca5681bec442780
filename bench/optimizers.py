"""Benchmark: one optimizer step (``nn.optim``) against an in-place numpy floor and torch.optim.

Workload: the parameters of the MLP 784-256-128-10 (235,146 float32 entries in six arrays),
each with a fixed gradient; one ``optimizer.step()`` per call, the optimizer state evolving
from call to call as in training.

Contenders:
  floor  the same update written by hand in numpy, every array updated in place with one
         scratch buffer per parameter (no other temporaries);
  ours   ``nn.optim.<Optimizer>(params, ...)`` on ``nn.Parameter``s, ``optimizer.step()``;
  torch  ``torch.optim.<Optimizer>`` with the same options (foreach off: one tensor at a time,
         as the floor and ours), when torch is installed, on one thread (``--threads``).

Before timing, three steps of every contender from the same start must give the floor's
parameters (float32 tolerances); a mismatch raises ``MismatchError`` and nothing is timed.
Ratios are medians of per-round ratios to the floor (interleaved rounds, one process).

Run by hand: ``python bench/optimizers.py [--quick]``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from harness import (
    MismatchError,
    check_close,
    interleaved_medians,
    milliseconds,
    optional_torch,
    paired_ratio,
    single_threaded,
)

import nn

SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]


@dataclass
class Case:
    """An optimizer of ``nn.optim`` (and torch.optim) by name, its options, and the floor's update."""

    name: str
    options: dict[str, Any]
    floor: Callable[[list[np.ndarray], list[np.ndarray]], Callable[[], None]]


def sgd_floor(params: list[np.ndarray], grads: list[np.ndarray], lr: float = 0.01) -> Callable[[], None]:
    scratch = [np.empty_like(p) for p in params]

    def step() -> None:
        for p, g, s in zip(params, grads, scratch):
            np.multiply(g, lr, out=s)
            p -= s

    return step


def momentum_floor(
    params: list[np.ndarray], grads: list[np.ndarray], lr: float = 0.01, momentum: float = 0.9
) -> Callable[[], None]:
    scratch = [np.empty_like(p) for p in params]
    buffers: list[np.ndarray] = []

    def step() -> None:
        first = not buffers
        for i, (p, g, s) in enumerate(zip(params, grads, scratch)):
            if first:
                buffers.append(g.copy())
            else:
                buffers[i] *= momentum
                buffers[i] += g
            np.multiply(buffers[i], lr, out=s)
            p -= s

    return step


def adam_floor(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    decoupled_decay: float = 0.0,
) -> Callable[[], None]:
    beta1, beta2 = betas
    scratch = [np.empty_like(p) for p in params]
    first, second = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    count = [0]

    def step() -> None:
        count[0] += 1
        correction1, correction2 = 1 - beta1 ** count[0], 1 - beta2 ** count[0]
        for p, g, s, m, v in zip(params, grads, scratch, first, second):
            if decoupled_decay:
                p *= 1 - lr * decoupled_decay
            m *= beta1
            np.multiply(g, 1 - beta1, out=s)
            m += s
            v *= beta2
            np.multiply(g, 1 - beta2, out=s)
            s *= g
            v += s
            np.sqrt(v, out=s)
            s /= math.sqrt(correction2)
            s += eps
            np.divide(m, s, out=s)
            s *= lr / correction1
            p -= s

    return step


def rmsprop_floor(
    params: list[np.ndarray], grads: list[np.ndarray], lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8
) -> Callable[[], None]:
    scratch = [np.empty_like(p) for p in params]
    averages = [np.zeros_like(p) for p in params]

    def step() -> None:
        for p, g, s, a in zip(params, grads, scratch, averages):
            a *= alpha
            np.multiply(g, 1 - alpha, out=s)
            s *= g
            a += s
            np.sqrt(a, out=s)
            s += eps
            np.divide(g, s, out=s)
            s *= lr
            p -= s

    return step


def adagrad_floor(
    params: list[np.ndarray], grads: list[np.ndarray], lr: float = 0.01, eps: float = 1e-10
) -> Callable[[], None]:
    scratch = [np.empty_like(p) for p in params]
    sums = [np.zeros_like(p) for p in params]

    def step() -> None:
        for p, g, s, total in zip(params, grads, scratch, sums):
            np.multiply(g, g, out=s)
            total += s
            np.sqrt(total, out=s)
            s += eps
            np.divide(g, s, out=s)
            s *= lr
            p -= s

    return step


CASES = [
    Case("SGD", {"lr": 0.01}, sgd_floor),
    Case("SGD", {"lr": 0.01, "momentum": 0.9}, momentum_floor),
    Case("Adam", {"lr": 1e-3}, adam_floor),
    Case("AdamW", {"lr": 1e-3, "weight_decay": 0.01}, lambda p, g: adam_floor(p, g, decoupled_decay=0.01)),
    Case("RMSprop", {"lr": 0.01}, rmsprop_floor),
    Case("Adagrad", {"lr": 0.01}, adagrad_floor),
]


def start(seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]
    grads = [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]
    return params, grads


def contenders(case: Case) -> tuple[dict[str, Callable[[], Any]], dict[str, Callable[[], list[np.ndarray]]]]:
    """Each contender's step, and a function reading its current parameters as arrays."""
    steps: dict[str, Callable[[], Any]] = {}
    readers: dict[str, Callable[[], list[np.ndarray]]] = {}
    params, grads = start()
    steps["floor"] = case.floor(params, grads)
    readers["floor"] = lambda: params
    ours_params, ours_grads = start()
    parameters = [nn.Parameter(p) for p in ours_params]
    for parameter, grad in zip(parameters, ours_grads):
        parameter.grad = grad
    optimizer = getattr(nn.optim, case.name)(parameters, **case.options)
    steps["ours"] = optimizer.step
    readers["ours"] = lambda: [parameter.data for parameter in parameters]
    torch = optional_torch()
    if torch is not None:
        torch_params, torch_grads = start()
        tensors = [torch.tensor(p, requires_grad=True) for p in torch_params]
        for tensor, grad in zip(tensors, torch_grads):
            tensor.grad = torch.tensor(grad)
        torch_optimizer = getattr(torch.optim, case.name)(tensors, foreach=False, **case.options)
        steps["torch"] = torch_optimizer.step
        readers["torch"] = lambda: [tensor.detach().numpy() for tensor in tensors]
    return steps, readers


def label(case: Case) -> str:
    options = ", ".join(f"{key}={value}" for key, value in case.options.items())
    return f"{case.name}({options})"


def check_agreement(case: Case) -> None:
    steps, readers = contenders(case)
    for _ in range(3):
        for step in steps.values():
            step()
    for name in steps:
        if name != "floor":
            for index, (got, expected) in enumerate(zip(readers[name](), readers["floor"]())):
                check_close(label(case), f"{name}'s parameter {index} after 3 steps", got, expected, rtol=1e-5)


@dataclass
class Measurement:
    """The per-round times of one case's contenders."""

    case: Case
    times: dict[str, list[float]]

    def ratio(self, name: str) -> float:
        return paired_ratio(self.times, name, "floor")


def run(rounds: int = 15, seconds: float = 0.2, threads: int = 1) -> list[Measurement]:
    """Check and time every case, printing a line per case (a case that disagrees is not timed); torch on
    ``threads`` threads (0: its default)."""
    with single_threaded(threads):
        return _run(rounds, seconds)


def _run(rounds: int, seconds: float) -> list[Measurement]:
    print(f"one optimizer step on the MLP 784-256-128-10's parameters ({sum(math.prod(s) for s in SHAPES):,} float32)")
    results = []
    for case in CASES:
        try:
            check_agreement(case)
        except MismatchError as error:
            print(f"{label(case)}: NOT TIMED, {error}")
            continue
        steps, _ = contenders(case)
        result = Measurement(case, interleaved_medians(steps, rounds, seconds))
        line = f"{label(case):42s} floor {milliseconds(result.times['floor'])}, ours x{result.ratio('ours'):.2f}"
        if "torch" in result.times:
            line += f", torch x{result.ratio('torch'):.2f}"
        print(line)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: its default)")
    args = parser.parse_args(argv)
    if args.quick:
        run(rounds=5, seconds=0.05, threads=args.threads)
    else:
        run(threads=args.threads)


if __name__ == "__main__":
    main()
