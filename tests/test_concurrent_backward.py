"""Backward passes run at once in several threads into the same leaves (Hogwild-style training of one shared
model, as torch allows): every pass's gradient is added to ``.grad``, none overwrites another's."""

from __future__ import annotations

import sys
import threading

import numpy as np

import nn
from autograd import Tensor, Value


def _run_in_threads(work, threads: int = 4) -> None:
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_threads_backpropagating_into_one_large_tensor_leaf_add_every_gradient():
    # numpy lets go of the GIL inside the add of a large gradient: an unguarded read-add-write loses updates
    x = Tensor(np.ones(1_000_000), requires_grad=True)

    def work():
        for _ in range(25):
            (x * 2.0).sum().backward()

    _run_in_threads(work)
    np.testing.assert_array_equal(x.grad[:3], [4 * 25 * 2.0] * 3)
    assert np.all(x.grad == 200.0)


def test_threads_training_a_shared_layer_sum_the_gradients_of_all_their_batches():
    layer = nn.Linear(1000, 1000)  # a weight gradient of 10^6 entries: numpy adds it without the GIL
    batch = np.ones((4, 1000), dtype=np.float32)

    def work():
        for _ in range(10):
            layer(batch).sum().backward()

    _run_in_threads(work)
    assert np.all(layer.weight.grad == 4 * 10 * 4.0)
    assert np.all(layer.bias.grad == 4 * 10 * 4.0)


def test_threads_backpropagating_into_one_value_add_every_gradient_under_frequent_switches():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # a thread switch between reading and writing .grad, as often as CPython allows
    try:
        v = Value(1.0)

        def work():
            for _ in range(2000):
                (v * 2.0).backward()

        _run_in_threads(work)
    finally:
        sys.setswitchinterval(previous)
    assert v.grad == 4 * 2000 * 2.0
