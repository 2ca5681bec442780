"""Backward passes run at once in several threads into the same leaves (Hogwild-style training of one shared
model, as torch allows): every pass's gradient is added to ``.grad``, none overwrites another's."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from thread_pause import Pause, before_c_call, in_comprehension, paused_thread

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


def test_post_accumulate_grad_hooks_of_replicas_in_two_threads_can_wait_for_each_other():
    # simulated data parallelism: each thread backpropagates into its own replica's parameter, whose
    # post-accumulate-grad hook waits for the other replica's gradient and averages them (an all-reduce). torch
    # runs a hook under its own leaf's lock only, so replicas never block each other
    replicas = [Tensor(np.ones(3), requires_grad=True) for _ in range(2)]
    reduced = threading.Barrier(2, timeout=10)
    seen: dict[int, np.ndarray] = {}
    failures: list[BaseException] = []

    def all_reduce(parameter):
        seen[id(parameter)] = parameter.grad.copy()
        reduced.wait()  # both replicas' gradients are in
        parameter.grad = (seen[id(replicas[0])] + seen[id(replicas[1])]) / 2

    def work(k):
        try:
            replicas[k].register_post_accumulate_grad_hook(all_reduce)
            (replicas[k] * float(k + 1)).sum().backward()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    for replica in replicas:
        np.testing.assert_array_equal(replica.grad, [1.5, 1.5, 1.5])


def test_a_post_accumulate_grad_hook_sees_its_own_threads_gradient_alone():
    # torch holds the leaf's lock while its hooks run: another thread's backward into the same leaf adds its
    # gradient after the hook (here an optimizer-like step that consumes .grad and clears it), never in between
    w = Tensor(np.zeros(2), requires_grad=True)
    consumed: list[np.ndarray] = []
    inside, other_started = threading.Event(), threading.Event()

    def consume(parameter):
        if not consumed:  # the first hook to run waits while the other thread's backward starts
            inside.set()
            other_started.wait(timeout=10)
        consumed.append(parameter.grad.copy())
        parameter.grad = None

    w.register_post_accumulate_grad_hook(consume)
    first = threading.Thread(target=lambda: (w + 1.0).sum().backward())
    first.start()
    inside.wait(timeout=10)
    second = threading.Thread(target=lambda: (other_started.set(), (w * 3.0).sum().backward()))
    second.start()
    first.join()
    second.join()
    assert len(consumed) == 2
    np.testing.assert_array_equal(consumed[0], [1.0, 1.0])
    np.testing.assert_array_equal(consumed[1], [3.0, 3.0])
    assert w.grad is None


@pytest.mark.parametrize("reader", ["_has_function_hooks", "_through_function_hooks"])
def test_backward_through_a_node_while_another_thread_registers_a_hook_on_it(reader):
    # the pass reads the node's hook table (tensor hooks and its grad_fn's) while another thread adds one: it
    # must take them as they were (torch's hook lists are copied at once), not fail with "changed size"
    import autograd.backprop
    import autograd.core

    w = Tensor(np.ones(3), requires_grad=True)
    h = w * 2.0
    seen: list[str] = []
    h.register_hook(lambda grad: seen.append("tensor hook"))
    h.register_hook(lambda grad: seen.append("tensor hook"))
    h.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append("function hook"))
    code = (
        autograd.core.Node._has_function_hooks.__code__
        if reader == "_has_function_hooks"
        else autograd.backprop._through_function_hooks.__code__
    )
    paused = Pause()
    tracer = in_comprehension(paused, code, "_hooks.values()")
    with paused_thread(lambda: (h * 3.0).sum().backward(), tracer, paused) as failures:
        h.register_hook(lambda grad: None)
    assert paused.reached.is_set()
    assert failures == []
    assert seen == ["tensor hook", "tensor hook", "function hook"]
    np.testing.assert_array_equal(w.grad, [6.0, 6.0, 6.0])


def _long_sum(h):
    """h's sum through a chain of identities long enough for a backward pass through it to pause the collector."""
    from autograd.backprop import PAUSED_FROM

    for _ in range(PAUSED_FROM):
        h = h * 1.0
    return h.sum()


def test_the_collector_runs_again_once_passes_overlapping_in_two_threads_have_ended():
    # a pass in thread Y stops the collector; a pass in thread X begins meanwhile and finds it stopped; Y ends
    # before X stops it too (X paused there): the collector must still run once both have ended (torch never
    # stops it at all)
    import gc

    assert gc.isenabled()
    y_in_pass, x_waiting = Pause(), Pause()
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    y_loss, x_loss = _long_sum(a * 2.0), _long_sum(b * 3.0)  # (short passes leave the collector alone)
    y_loss.register_hook(lambda grad: y_in_pass.hold())
    x_loss.register_hook(lambda grad: x_waiting.hold())
    pause_before_stopping_the_collector = before_c_call(x_waiting, gc.disable)
    y = threading.Thread(target=y_loss.backward)
    try:
        y.start()
        y_in_pass.reached.wait(timeout=10)
        # X paused before stopping the collector, or (not stopping it) inside its pass
        with paused_thread(x_loss.backward, pause_before_stopping_the_collector, x_waiting, catch=(), profile=True):
            y_in_pass.go_on.set()
            y.join()
        assert gc.isenabled()
        np.testing.assert_array_equal(a.grad, [2.0, 2.0])
        np.testing.assert_array_equal(b.grad, [3.0, 3.0])
    finally:
        y_in_pass.go_on.set()
        x_waiting.go_on.set()
        gc.enable()
