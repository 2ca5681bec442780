"""Benchmark: peak memory of the usual training loop, with and without releasing what ops computed for backward.

The loop is the one users write::

    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)  # the last step's loss is alive until this line ends
    loss.backward()
    optimizer.step()

so while a step's forward runs, the previous step's graph still exists. A backward pass that frees the graph
releases what an op computed only for its rules (``Op.releases``: conv2d's im2col matrix, the fused
cross-entropy's softmax, ...), as torch frees saved tensors. This bench measures the peak traced memory
(``tracemalloc``: numpy's buffers and Python's objects) of ``--steps`` steps after two warm-up steps, above what
the process held before them, for each ``bench/users_path.py`` workload: once as the library runs, once with
those releases turned off in this process (the reference), and prints both and their ratio.

Run by hand: ``python bench/loop_memory.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import tracemalloc
from collections.abc import Iterator

from users_path import LEARNING_RATE, WORKLOADS, Workload

import nn
import nn.functional as F
from autograd.derivatives import arrays, conv, elementwise

RELEASING_OPS = [
    arrays.softmax_cross_entropy,
    arrays.logistic_loss,
    conv.conv2d,
    elementwise.gelu_exact,
    elementwise.silu,
]


@contextlib.contextmanager
def releases_off() -> Iterator[None]:
    """The reference: every op keeps what it computed for backward until its node is gone (``line_rule`` is left
    as it is: such nodes still take backward's general loop, which then has nothing to release)."""
    kept = [(op, op.releases) for op in RELEASING_OPS]
    try:
        for op, _ in kept:
            op.releases = ()
        yield
    finally:
        for op, releases in kept:
            op.releases = releases


def loop_peak(workload: Workload, steps: int) -> int:
    """Peak traced bytes of ``steps`` steps of the usual loop (after two warm-up steps), above the state before."""
    x, y = workload.batch()
    model = workload.build()
    optimizer = nn.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def run(count: int) -> None:
        for _ in range(count):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()

    run(2)
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        run(steps)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    for workload in WORKLOADS:
        released = loop_peak(workload, args.steps)
        with releases_off():
            kept = loop_peak(workload, args.steps)
        print(
            f"{workload.name}: peak of {args.steps} loop steps {released / 2**20:.2f} MiB, "
            f"{kept / 2**20:.2f} MiB keeping what backward needed ({released / kept:.2f}x)",
            flush=True,
        )


if __name__ == "__main__":
    main()
