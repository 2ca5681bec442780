"""Backward is all or nothing, and never hands out one array as two gradients."""

import numpy as np
import pytest

from autograd import Tensor, Value, detect_anomaly


def test_a_hook_that_raises_leaves_every_gradient_unchanged():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    a.grad = np.array([10.0, 10.0])
    loss = (a * b).sum() + b.sum()

    def failing_hook(grad):
        raise ValueError("hook failed")

    handle = b.register_hook(failing_hook)
    with pytest.raises(ValueError, match="hook failed"):
        loss.backward()
    np.testing.assert_array_equal(a.grad, [10.0, 10.0])
    assert b.grad is None
    handle.remove()
    loss.backward()  # a retry is not doubled
    np.testing.assert_array_equal(a.grad, [13.0, 14.0])
    np.testing.assert_array_equal(b.grad, [2.0, 3.0])


def test_anomaly_in_backward_leaves_value_gradients_unchanged():
    x, y = Value(0.0), Value(2.0)
    out = x.sqrt() * 0.0 + y * y  # d sqrt(x)/dx at 0 is inf, times 0: nan
    with detect_anomaly(), pytest.raises(RuntimeError):
        out.backward()
    assert (x.grad, y.grad) == (0.0, 0.0)


def test_a_failing_pass_leaves_retained_intermediate_gradients_unchanged():
    x = Value(2.0)
    h = x * 3.0
    x.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        (h * h).backward()
    assert h.grad == 0.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    u = t * 3.0
    u.retain_grad()
    t.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        (u * u).sum().backward()
    assert u.grad is None


def test_leaves_never_share_a_gradient_array_and_the_seed_is_not_aliased():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (a + b).backward(seed)
    assert a.grad is not b.grad and not np.shares_memory(a.grad, b.grad)
    assert not np.shares_memory(a.grad, seed) and not np.shares_memory(b.grad, seed)
    seed[0] = 99.0
    np.testing.assert_array_equal(a.grad, [1.0, 1.0])


def test_retained_intermediate_and_leaf_do_not_share_a_gradient():
    a = Tensor([1.0, 2.0], requires_grad=True)
    c = a + 0.0
    c.retain_grad()
    (c * 2).sum().backward()
    assert not np.shares_memory(a.grad, c.grad)


def test_a_post_accumulate_hook_that_raises_leaves_an_assigned_grad_tensor_as_it_was():
    """A constant Tensor assigned as ``.grad`` takes later gradients in its own memory (as torch's): a pass that a
    post-accumulate-grad hook fails puts its values back, with those of the other leaves the pass added into."""
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    assigned = Tensor([10.0, 10.0])
    a.grad = assigned

    def failing_hook(tensor):
        raise ValueError("hook failed")

    handle = b.register_post_accumulate_grad_hook(failing_hook)
    with pytest.raises(ValueError, match="hook failed"):
        (a * b).sum().backward()
    assert a.grad is assigned
    np.testing.assert_array_equal(assigned.data, [10.0, 10.0])
    handle.remove()
    (a * b).sum().backward()
    np.testing.assert_array_equal(assigned.data, [13.0, 14.0])
