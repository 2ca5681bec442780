"""Benchmark: filling a buffer step by step with recorded assignments, then backward (float64).

Workloads:
  * DeZero's loop: ``buf[i] = (buf[i - 1] + w).tanh()`` for 2000 steps of 4 entries, ``buf.sum().backward()``;
    each ``buf[i - 1]`` is a view the graph keeps, so a change that did work per live view was quadratic;
  * a recurrence into a (501, 32, 64) buffer: ``buf[i] = (buf[i - 1].clone() @ W).tanh()``, 500 steps, then
    ``(buf * buf).sum().backward()``; an assignment that copied or masked the whole buffer was quadratic.

Contenders:
  floor  the forward loop and its hand-derived backward loop in plain numpy (the buffer filled in place);
  ours   the loop as written above, on autograd Tensors;
  torch  the same loop on torch tensors, when torch is installed (one thread).

Before timing, every contender's gradient must equal the floor's; a mismatch raises ``MismatchError``.
Ratios are medians of per-round ratios to the floor (interleaved rounds, one process).

Run by hand: ``python bench/in_place_fill.py [--quick]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np
from harness import check_close, interleaved_medians, milliseconds, optional_torch, paired_ratio, single_threaded

import autograd as ag

Step = Callable[[], Any]


def dezero_floor(w: np.ndarray, steps: int) -> np.ndarray:
    """d sum(buf) / dw for buf[0] = w, buf[i] = tanh(buf[i - 1] + w)."""
    buf = np.zeros((steps + 1, w.size))
    buf[0] = w
    for i in range(1, steps + 1):
        np.tanh(buf[i - 1] + w, out=buf[i])
    grad_w = np.zeros_like(w)
    carried = np.ones_like(w)  # dL/dbuf[i] from everything after step i
    for i in range(steps, 0, -1):
        through = carried * (1 - buf[i] * buf[i])  # dL/d(buf[i - 1] + w)
        grad_w += through
        carried = 1 + through
    return grad_w + carried


def dezero_ours(w: np.ndarray, steps: int) -> np.ndarray:
    weight = ag.tensor(w, requires_grad=True)
    buf = ag.zeros(steps + 1, w.size, dtype=ag.float64)
    buf[0] = weight
    for i in range(1, steps + 1):
        buf[i] = (buf[i - 1] + weight).tanh()
    buf.sum().backward()
    return np.asarray(weight.grad)


def dezero_torch(torch: Any, w: np.ndarray, steps: int) -> np.ndarray:
    weight = torch.tensor(w, requires_grad=True)
    buf = torch.zeros(steps + 1, w.size, dtype=torch.float64)
    buf[0] = weight
    for i in range(1, steps + 1):
        buf[i] = (buf[i - 1] + weight).tanh()
    buf.sum().backward()
    return weight.grad.numpy()


def recurrence_floor(start: np.ndarray, matrix: np.ndarray, steps: int) -> np.ndarray:
    """d sum(buf^2) / dW for buf[0] = start, buf[i] = tanh(buf[i - 1] @ W)."""
    buf = np.zeros((steps + 1, *start.shape))
    buf[0] = start
    for i in range(1, steps + 1):
        np.tanh(buf[i - 1] @ matrix, out=buf[i])
    grad_w = np.zeros_like(matrix)
    carried = 2 * buf[steps]
    for i in range(steps, 0, -1):
        through = carried * (1 - buf[i] * buf[i])
        grad_w += buf[i - 1].T @ through
        carried = 2 * buf[i - 1] + through @ matrix.T
    return grad_w


def recurrence_ours(start: np.ndarray, matrix: np.ndarray, steps: int) -> np.ndarray:
    weight = ag.tensor(matrix, requires_grad=True)
    buf = ag.zeros(steps + 1, *start.shape, dtype=ag.float64)
    buf[0] = ag.tensor(start)
    for i in range(1, steps + 1):
        buf[i] = (buf[i - 1].clone() @ weight).tanh()
    (buf * buf).sum().backward()
    return np.asarray(weight.grad)


def recurrence_torch(torch: Any, start: np.ndarray, matrix: np.ndarray, steps: int) -> np.ndarray:
    weight = torch.tensor(matrix, requires_grad=True)
    buf = torch.zeros(steps + 1, *start.shape, dtype=torch.float64)
    buf[0] = torch.tensor(start)
    for i in range(1, steps + 1):
        buf[i] = (buf[i - 1].clone() @ weight).tanh()
    (buf * buf).sum().backward()
    return weight.grad.numpy()


def workloads(torch: Any) -> list[tuple[str, dict[str, Step]]]:
    rng = np.random.default_rng(0)
    w = rng.standard_normal(4) * 0.5
    start, matrix = rng.standard_normal((32, 64)), rng.standard_normal((64, 64)) * 0.1
    dezero = {"floor": lambda: dezero_floor(w, 2000), "ours": lambda: dezero_ours(w, 2000)}
    recurrence = {
        "floor": lambda: recurrence_floor(start, matrix, 500),
        "ours": lambda: recurrence_ours(start, matrix, 500),
    }
    if torch is not None:
        dezero["torch"] = lambda: dezero_torch(torch, w, 2000)
        recurrence["torch"] = lambda: recurrence_torch(torch, start, matrix, 500)
    return [
        ("DeZero's fill buf[i] = tanh(buf[i - 1] + w), 2000 steps of 4, fwd+bwd", dezero),
        ("recurrence buf[i] = tanh(buf[i - 1] @ W) into (501, 32, 64), fwd+bwd", recurrence),
    ]


def run(rounds: int, seconds: float, threads: int = 1) -> None:
    torch = optional_torch()
    if torch is None:
        print("torch is not installed: no torch column")
    with single_threaded(threads):
        for name, steps in workloads(torch):
            expected = steps["floor"]()
            for contender, step in steps.items():
                check_close(name, f"{contender} gradient", step(), expected, rtol=1e-9, atol=1e-12)
            times = interleaved_medians(steps, rounds, seconds, warmup=1, min_repeats=1)
            parts = [f"floor {milliseconds(times['floor'])}"]
            parts += [
                f"{c} {milliseconds(times[c])} ({paired_ratio(times, c, 'floor'):.2f}x)" for c in steps if c != "floor"
            ]
            print(f"{name}: " + ", ".join(parts), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5, help="time per contender per round")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.1 s (a smoke run)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads; 0 leaves the defaults")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 3, 0.1
    run(args.rounds, args.seconds, args.threads)


if __name__ == "__main__":
    main()
