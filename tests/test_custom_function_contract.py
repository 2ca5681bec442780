"""torch's custom-Function contract (test_autograd.py's custom Function tests), checked against torch itself.

Each test writes the same Function on ``autograd.Function`` and on ``torch.autograd.Function`` (``_twins`` builds
both from one body) and compares what ``apply`` returns, what ``backward`` receives and the gradients.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, once_differentiable

torch = pytest.importorskip("torch")


def _twins(body):
    """``body(base, once)`` returns a Function class built on ``base``; one on ours and one on torch's."""
    return body(autograd.Function, once_differentiable), body(
        torch.autograd.Function, torch.autograd.function.once_differentiable
    )


def _pair(array, requires_grad=True):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=requires_grad), torch.tensor(
        np.array(array, dtype=np.float64), requires_grad=requires_grad
    )


def _numbers(item):
    """A gradient as a list of numbers (None stays None), for comparing ours with torch's."""
    if item is None:
        return None
    if isinstance(item, torch.Tensor):
        return item.detach().numpy().tolist()
    return np.asarray(item.data if isinstance(item, Tensor) else item).tolist()


# -- an output returned at several positions ----------------------------------------------------------------


def _twice_returned(base, once):
    class TwiceReturned(base):
        """Returns one new tensor at the first and last positions (torch's test_return_duplicate)."""

        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            doubled = x * 2
            return doubled, x * 3, doubled

        @staticmethod
        def backward(ctx, grad_first, grad_middle, grad_last):
            ctx.received = [grad_first, grad_middle, grad_last]
            total = grad_middle * 3 if grad_middle is not None else 0
            return total + grad_last * 2, None

    return TwiceReturned


@pytest.mark.parametrize("materialize", [True, False])
def test_a_new_tensor_returned_twice_is_one_output_recorded_at_the_last_position_as_torchs(materialize):
    ours_fn, theirs_fn = _twins(_twice_returned)
    x, torch_x = _pair([1.0, -2.0])
    results = []
    for fn, argument in ((ours_fn, x), (theirs_fn, torch_x)):
        first, middle, last = fn.apply(argument, materialize)
        assert first is last and middle is not last
        (first * 5 + middle).sum().backward()
        results.append(([_numbers(g) for g in first.grad_fn.received], _numbers(argument.grad)))
    assert results[0] == results[1]
    assert results[0][1] == [13.0, 13.0]  # d/dx (5 * 2x + 3x) by hand


# -- several inputs changed in place (mark_dirty) -----------------------------------------------------------


def _two_changed_in_place(base, once):
    class ShiftAndDouble(base):
        """Changes both inputs in place and returns them, with or without a new output besides."""

        @staticmethod
        def forward(ctx, x, y, with_product):
            x.add_(1)
            y.mul_(2)
            ctx.mark_dirty(x, y)
            return (x, y, x * y) if with_product else (x, y)

        @staticmethod
        def backward(ctx, grad_x, grad_y, *grad_product):
            ctx.received = [grad_x, grad_y]
            return grad_x, grad_y * 2, None

    return ShiftAndDouble


@pytest.mark.parametrize("with_product", [False, True])
def test_two_inputs_changed_in_place_each_pass_their_gradient_to_backward_as_torchs(with_product):
    ours_fn, theirs_fn = _twins(_two_changed_in_place)
    results = []
    for fn, z in zip((ours_fn, theirs_fn), _pair([1.0, 2.0])):
        first, second = fn.apply(z * 1, z * 3, with_product)[:2]
        (first * second).sum().backward()
        results.append(([_numbers(g) for g in first.grad_fn.received], _numbers(z.grad)))
    assert results[0] == results[1]
    # by hand: first = z + 1, second = 6z, loss = sum (z + 1) 6z: d/dz = 12z + 6
    assert results[0][1] == [18.0, 30.0]


def _two_changed_and_saved(base, once):
    class ScaleByAndDouble(base):
        """x *= y, y *= 2, both marked dirty and saved (as outputs: their values after the change)."""

        @staticmethod
        def forward(ctx, x, y):
            x.mul_(y)
            y.mul_(2)
            ctx.mark_dirty(x, y)
            ctx.save_for_backward(x, y)
            return x, y

        @staticmethod
        def backward(ctx, grad_x, grad_y):
            x, y = ctx.saved_tensors
            y_before = y / 2
            return grad_x * y_before, grad_x * x / y_before + grad_y * 2

    return ScaleByAndDouble


@pytest.mark.parametrize("use", ["both", "first", "second"])
def test_two_inputs_changed_in_place_and_saved_differentiate_twice_as_torchs(use):
    ours_fn, theirs_fn = _twins(_two_changed_and_saved)
    results = []
    for fn, grad, z, w in zip(
        (ours_fn, theirs_fn), (autograd.grad, torch.autograd.grad), _pair([1.0, 2.0]), _pair([3.0, -1.0])
    ):
        first, second = fn.apply(z * 1, w * 3)
        loss = {"both": first * first * second, "first": first * 5, "second": second * second}[use].sum()
        grad_z, grad_w = grad(loss, (z, w), create_graph=True)
        (second_z,) = grad((grad_z * grad_z).sum() + grad_w.sum(), z)
        results.append([_numbers(g) for g in (grad_z, grad_w, second_z)])
    assert results[0] == results[1]


def _new_tensor_marked_dirty(base, once):
    class DoubleMarkedDirty(base):
        """Marks dirty a tensor it made itself, not an input (torch warns, and takes it as changed in place)."""

        @staticmethod
        def forward(ctx, x, y):
            x.add_(1)
            doubled = y * 2
            ctx.mark_dirty(x, doubled)
            return x, doubled

        @staticmethod
        def backward(ctx, grad_x, grad_doubled):
            return grad_x, grad_doubled * 2

    return DoubleMarkedDirty


def test_a_new_tensor_marked_dirty_warns_and_is_taken_as_changed_in_place_as_torchs():
    ours_fn, theirs_fn = _twins(_new_tensor_marked_dirty)
    results = []
    for fn, z in zip((ours_fn, theirs_fn), _pair([1.0, 2.0])):
        shifted = z * 1
        with pytest.warns(UserWarning, match="mark_dirty.*not an input") as caught:
            first, doubled = fn.apply(shifted, z)
        assert len(caught) == 1
        if fn is ours_fn:
            assert caught[0].filename == __file__  # the warning points at the apply call
        assert first is shifted
        (first * doubled).sum().backward()
        results.append((shifted._version, doubled._version, doubled.requires_grad, _numbers(z.grad)))
        with warnings.catch_warnings():  # nothing recorded: no warning, as torch's
            warnings.simplefilter("error")
            fn.apply(shifted.detach(), z.detach())
    assert results[0] == results[1]
    assert results[0][3] == [6.0, 10.0]  # by hand: d/dz sum (z + 1) 2z = 4z + 2


# -- objects that are not outputs ---------------------------------------------------------------------------


def _with_numbers_among_outputs(base, once):
    class ScaledWithExtras(base):
        """torch's test_custom_function_non_tensor_inputs_outputs: numbers, None, True and a string among the
        outputs come back as they are and get None for a gradient."""

        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            ctx.scale = scale
            ctx.save_for_backward(t1, t2, t3)
            return scale, (t1 + t2 * t3) * scale, None, True, (t1 * t2 + t3) * scale, "bar", t1

        @staticmethod
        @once
        def backward(ctx, *grads):
            ctx.received_none = [grad is None for grad in grads]
            scale = ctx.scale
            var1, var2, var3 = ctx.saved_tensors
            return (
                grads[1] * scale + grads[4] * var2 * scale + grads[6],
                grads[1] * var3 * scale + grads[4] * var1 * scale,
                None,
                grads[1] * var2 * scale + grads[4] * scale,
            )

    return ScaledWithExtras


def test_python_numbers_and_true_among_the_outputs_pass_through_with_none_gradients_as_torchs():
    ours_fn, theirs_fn = _twins(_with_numbers_among_outputs)
    rng = np.random.default_rng(5)
    t1, t2, t3 = rng.random(4), rng.random(4), rng.random(4)
    results = []
    pairs = _pair(t1), _pair(t2), _pair(t3, requires_grad=False)
    for fn, backward, (a, b, c) in zip((ours_fn, theirs_fn), (autograd.backward, torch.autograd.backward), zip(*pairs)):
        res = fn.apply(a, b, 4, c)
        assert res[0] == 4 and type(res[0]) is int and res[2] is None and res[3] is True and res[5] == "bar"
        backward([res[1].sum(), res[4].sum(), res[6].sum()])
        received = res[1].grad_fn.received_none
        results.append((received, _numbers(a.grad), _numbers(b.grad), c.grad))
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-12)
    assert results[0][0] == results[1][0] == [True, False, True, True, False, True, False]
    assert results[0][3] is results[1][3] is None


# -- the grad_fn of an output -------------------------------------------------------------------------------


def _local_in_place(base, once):
    class MyFn(base):
        """torch's test_custom_function_local_inplace: a view made and changed inside forward."""

        @staticmethod
        def forward(ctx, inp, inplace):
            view = inp.clone()[:3]
            if inplace:
                view += 2
            return view

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    return MyFn


@pytest.mark.parametrize("inplace", [False, True])
def test_the_grad_fn_of_a_functions_output_is_of_a_class_named_after_it_as_torchs(inplace):
    ours_fn, theirs_fn = _twins(_local_in_place)
    names = []
    for fn, base in zip((ours_fn, theirs_fn), _pair(np.arange(5.0))):
        output = fn.apply(base, inplace)
        exp = base.exp()
        names.append((type(output.grad_fn).__name__, output.grad_fn.name(), type(exp.grad_fn).__name__))
    assert names[0] == names[1] == ("MyFnBackward", "MyFnBackward", "ExpBackward0")
