"""How long the history a tensor had before an in-place change lives: as long as a node recorded before the change
does (torch's old ``grad_fn`` lives exactly as long as the edges pointing at it), not as long as the tensor.

A tensor changed in place every step (``buf.copy_(y)``, ``running.add_(loss)``, ``h.mul_(a)``) and detached
between steps must not keep every step's graph; the nodes recorded before a change that are still alive must
still get the gradient of the values they read."""

from __future__ import annotations

import copy
import gc
import weakref

import numpy as np
import pytest

from autograd import Tensor
from autograd.versions import History

RNG = np.random.default_rng(11)


def test_a_tensor_changed_in_place_and_detached_every_step_frees_each_steps_graph():
    weight = Tensor(RNG.normal(size=50), requires_grad=True)
    buffer = Tensor(np.zeros(50))
    outputs = []
    for step in range(200):
        y = weight * float(step)
        outputs.append(weakref.ref(y))
        buffer.copy_(y)
        buffer.sum().backward()
        buffer.detach_()
        del y
    gc.collect()
    assert sum(output() is not None for output in outputs) == 0
    assert len(buffer._history) <= History.looked_through_at
    np.testing.assert_array_equal(weight.grad.data, np.full(50, float(sum(range(200)))))


def test_a_running_total_added_to_in_place_and_detached_every_step_keeps_no_earlier_step():
    weight = Tensor(RNG.normal(size=(4, 3)), requires_grad=True)
    running = Tensor(np.zeros(()))
    losses = []
    for _ in range(100):
        loss = (weight * weight).sum()
        losses.append(weakref.ref(loss))
        running.add_(loss)
        running.backward()
        running.detach_()
        del loss
    gc.collect()
    assert sum(loss() is not None for loss in losses) == 0
    np.testing.assert_allclose(weight.grad.data, 100 * 2 * weight.data)


@pytest.mark.parametrize("detach_between", [False, True])
def test_the_nodes_recorded_before_each_change_that_still_live_get_the_gradients_of_the_values_they_read(
    detach_between,
):
    # h_0 = 2x, c_k = (k + 1) h_k, h_{k+1} = a_k h_k: the children kept (even k) read h_k, so
    # d(sum of their sums)/dx = 2 sum_k (k + 1) a_0 ... a_{k-1} per entry, without detaching (h_k is x's then);
    # detached after the change, h_k is a constant for k >= 1, and only c_0 reaches x.
    factors = [1.5, -0.5, 2.0, 0.25, 3.0, -1.0, 0.5, 2.5]
    x = Tensor(RNG.normal(size=3), requires_grad=True)
    h = x * 2.0
    kept = []
    for k, factor in enumerate(factors):
        child = h * float(k + 1)
        if k % 2 == 0:
            kept.append(child)
        h.mul_(factor)
        if detach_between:
            h.detach_()
        del child
        gc.collect()
    total = kept[0].sum()
    for child in kept[1:]:
        total = total + child.sum()
    total.backward()
    if detach_between:
        expected = 2.0
    else:
        expected = 2.0 * sum((k + 1) * float(np.prod(factors[:k])) for k in range(0, len(factors), 2))
    np.testing.assert_allclose(x.grad.data, np.full(3, expected))
    assert len(h._history) <= max(History.looked_through_at, 2 * (len(kept) + 1))


def test_nodes_that_outlive_the_next_change_by_a_step_are_freed_a_few_steps_later():
    # each step's output, read from the buffer before its change, dies in the next step: its earlier self is kept at
    # the change, then dropped when the history is next looked through (each time it has doubled)
    weight = Tensor(RNG.normal(size=20), requires_grad=True)
    buffer = Tensor(np.zeros(20))
    outputs = []
    out = None
    for step in range(300):
        out = buffer + weight  # (an addition saves neither value: the change after it is allowed)
        outputs.append(weakref.ref(out))
        buffer.add_(weight * float(step))
        out.sum().backward()
        buffer.detach_()
    gc.collect()
    assert sum(output() is not None for output in outputs) <= History.looked_through_at + 1
    assert len(buffer._history) <= 2 * History.looked_through_at


def test_a_copy_of_a_node_recorded_before_a_change_keeps_its_gradient_after_the_original_dies():
    x = Tensor(RNG.normal(size=4), requires_grad=True)
    h = x * 1.0
    h.mul_(4.0)  # h's first change: from now on the nodes recorded from it are noted
    original = h * 3.0  # reads 4x
    h.mul_(5.0)
    twin = copy.copy(original)
    del original
    gc.collect()
    h.mul_(7.0)  # (the entry of the change that original's copy needs is still there, or the copy holds it)
    twin.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full(4, 12.0))


def test_a_deep_copy_of_a_tensor_changed_in_place_keeps_its_earlier_history_for_the_copied_children():
    x = Tensor(RNG.normal(size=2), requires_grad=True)
    h = x * 1.0
    h.mul_(2.0)
    child = h * 3.0  # reads 2x
    h.mul_(10.0)
    twins = copy.deepcopy([h, child])
    del child
    gc.collect()
    twins[0].mul_(0.5)
    twins[1].sum().backward()
    assert x.grad is None  # the copied graph reaches the copied leaf, not x
    twin_leaf = twins[1]
    while twin_leaf.parents:
        twin_leaf = twin_leaf.parents[0]
    np.testing.assert_allclose(twin_leaf.grad.data, np.full(2, 6.0))
