"""Torch oracle for autograd.Function: several outputs, once_differentiable, mark_dirty, ctx, no_grad.

Each test writes the same Function twice, once on ``autograd.Function`` and once on ``torch.autograd.Function``
(``_twins`` builds both from one body), and compares values, gradients, versions and errors. The in-place
tests follow torch's own (test_autograd.py: test_return_leaf_inplace and the mark_dirty error cases).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, grad, no_grad, once_differentiable

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)


def _twins(body):
    """``body(base, once)`` returns a Function class built on ``base``; one on ours and one on torch's."""
    return body(autograd.Function, once_differentiable), body(
        torch.autograd.Function, torch.autograd.function.once_differentiable
    )


def _pair(array, requires_grad=True):
    return Tensor(array.copy(), requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def _numpy(x):
    return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x.data if isinstance(x, Tensor) else x)


def _close(ours, theirs):
    np.testing.assert_allclose(
        np.asarray(ours.data if isinstance(ours, Tensor) else ours), theirs.detach().numpy(), rtol=1e-12
    )


# -- several outputs ----------------------------------------------------------------------------------------


def _sine_and_cosine(base, once):
    class SineAndCosine(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, grad_sine, grad_cosine):
            (x,) = ctx.saved_tensors
            return grad_sine * x.cos() - grad_cosine * x.sin()

    return SineAndCosine


@pytest.mark.parametrize("use", ["first", "second", "both", "both twice"])
def test_a_function_with_two_outputs_gives_torchs_gradients(use):
    ours_fn, theirs_fn = _twins(_sine_and_cosine)
    data = RNG.uniform(-2, 2, (3,))
    x, torch_x = _pair(data)

    def loss(sine, cosine):
        terms = {"first": sine.sum(), "second": (cosine**2).sum(), "both": (sine * cosine).sum()}
        return terms["both"] + terms["both"] if use == "both twice" else terms[use]

    (ours_sine, ours_cosine), (sine, cosine) = ours_fn.apply(x), theirs_fn.apply(torch_x)
    _close(ours_sine, sine)
    _close(ours_cosine, cosine)
    assert ours_sine.grad_fn.name == ours_cosine.grad_fn.name == "SineAndCosine"
    loss(ours_sine, ours_cosine).backward()
    loss(sine, cosine).backward()
    _close(x.grad, torch_x.grad)


def test_two_outputs_differentiate_twice_as_torchs():
    ours_fn, theirs_fn = _twins(_sine_and_cosine)
    data = RNG.uniform(-2, 2, (3,))
    x, torch_x = _pair(data)
    ours_sine, ours_cosine = ours_fn.apply(x)
    sine, cosine = theirs_fn.apply(torch_x)
    (ours_first,) = grad((ours_sine * ours_cosine).sum(), x, create_graph=True)
    (first,) = torch.autograd.grad((sine * cosine).sum(), torch_x, create_graph=True)
    _close(grad((ours_first**2).sum(), x)[0], torch.autograd.grad((first**2).sum(), torch_x)[0])


def test_unused_outputs_get_zeros_or_none_without_materialized_grads_as_in_torch():
    def body(base, once):
        class Split(base):
            @staticmethod
            def forward(ctx, x, materialize):
                ctx.set_materialize_grads(materialize)
                return x * 2.0, x * 3.0

            @staticmethod
            def backward(ctx, grad_a, grad_b):
                seen.append((grad_a is None, grad_b is None))
                total = 0.0
                if grad_a is not None:
                    total = total + grad_a * 2.0
                if grad_b is not None:
                    total = total + grad_b * 3.0
                return total, None

        return Split

    for materialize in (True, False):
        for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
            seen = []
            x = make(np.ones(2), requires_grad=True)
            fn.apply(x, materialize)[0].sum().backward()
            assert seen == [(False, not materialize)], (fn, materialize, seen)
            np.testing.assert_array_equal(_numpy(x.grad), [2.0, 2.0])


def _recording_split(base, once):
    class RecordingSplit(base):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2.0, x * 3.0, x * 5.0

        @staticmethod
        def backward(ctx, grad_a, grad_b, grad_c):
            calls.append(tuple(None if g is None else _numpy(g).tolist() for g in (grad_a, grad_b, grad_c)))
            total = 0.0
            for g, factor in ((grad_a, 2.0), (grad_b, 3.0), (grad_c, 5.0)):
                if g is not None:
                    total = total + g * factor
            return total, None

    return RecordingSplit


calls: list = []


@pytest.mark.parametrize("materialize", [True, False])
@pytest.mark.parametrize(
    "use",
    [
        lambda a, b, c: (a * 1.0 + b * 10.0 + c * 100.0).sum(),
        lambda a, b, c: (b * 10.0).sum(),
        lambda a, b, c: ((a * b).exp() + c * 0.5).sum(),  # the outputs meet again below them
        lambda a, b, c: (c * 2.0).sum() + ((c * 3.0).tanh() * a).sum(),  # a reached later than c, deeper than b
    ],
    ids=["all", "one", "joined", "deep"],
)
def test_backward_of_a_several_output_function_runs_once_per_call_with_every_gradient_as_in_torch(use, materialize):
    data = np.array([0.3, -0.2])
    recorded = []
    for fn, make in zip(_twins(_recording_split), (Tensor, torch.tensor)):
        calls.clear()
        x = make(data.copy(), requires_grad=True)
        use(*fn.apply(x, materialize)).backward()
        recorded.append((list(calls), _numpy(x.grad)))
    (ours_calls, ours_grad), (torch_calls, torch_grad) = recorded
    assert len(ours_calls) == len(torch_calls) == 1
    for ours, theirs in zip(ours_calls[0], torch_calls[0], strict=True):  # each output's gradient, or None
        assert (ours is None) == (theirs is None)
        if ours is not None:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours_grad, torch_grad, rtol=1e-12)


def test_hooks_and_retained_gradients_of_sibling_outputs_apply_before_the_one_backward_call_as_in_torch():
    recorded = []
    for fn, make in zip(_twins(_recording_split), (Tensor, torch.tensor)):
        calls.clear()
        x = make(np.array([1.0, 2.0]), requires_grad=True)
        a, b, c = fn.apply(x, True)
        a.register_hook(lambda g: g * 7.0)
        b.retain_grad()
        (a.sum() + (b * b).sum() + (c * 0.0).sum()).backward()
        recorded.append((list(calls), _numpy(b.grad), _numpy(x.grad)))
    (ours_calls, ours_b, ours_x), (torch_calls, torch_b, torch_x) = recorded
    assert len(ours_calls) == len(torch_calls) == 1
    np.testing.assert_allclose(ours_calls[0][0], torch_calls[0][0])  # the hook's 7s
    np.testing.assert_allclose(ours_b, torch_b)
    np.testing.assert_allclose(ours_x, torch_x)


def test_objects_that_are_not_outputs_pass_through_and_integer_outputs_are_constants():
    def body(base, once):
        class WithExtras(base):
            @staticmethod
            def forward(ctx, x):
                return (
                    x * 2.0,
                    None,
                    "label",
                    (x > 0).long() if base is torch.autograd.Function else (x.data > 0).astype(np.int64),
                )

            @staticmethod
            def backward(ctx, grad_out, grad_none, grad_label, grad_mask):
                assert grad_none is None and grad_label is None
                return grad_out * 2.0

        return WithExtras

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.array([-1.0, 2.0]))
    ours, theirs = ours_fn.apply(x), theirs_fn.apply(torch_x)
    assert ours[1] is None and ours[2] == theirs[2] == "label"
    assert not ours[3].requires_grad and not theirs[3].requires_grad
    np.testing.assert_array_equal(ours[3].data, theirs[3].numpy())
    ours[0].sum().backward()
    theirs[0].sum().backward()
    _close(x.grad, torch_x.grad)


def test_a_list_or_dict_returned_by_forward_passes_through_unrecorded_as_in_torch():
    def body(base, once):
        class AsList(base):
            @staticmethod
            def forward(ctx, x):
                return [x * 2.0, x * 3.0]

            @staticmethod
            def backward(ctx, grad_out):
                raise AssertionError("nothing was recorded")

        class AsDict(base):
            @staticmethod
            def forward(ctx, x):
                return {"double": x * 2.0}

            @staticmethod
            def backward(ctx, grad_out):
                raise AssertionError("nothing was recorded")

        return AsList, AsDict

    (ours_list, ours_dict), (theirs_list, theirs_dict) = _twins(body)
    x, torch_x = _pair(np.array([-1.0, 2.0]))
    ours, theirs = ours_list.apply(x), theirs_list.apply(torch_x)
    assert type(ours) is type(theirs) is list and len(ours) == len(theirs) == 2
    for mine, reference in zip(ours, theirs):
        _close(mine, reference)
        assert not mine.requires_grad and not reference.requires_grad  # torch records nothing either
    ours, theirs = ours_dict.apply(x), theirs_dict.apply(torch_x)
    assert type(ours) is type(theirs) is dict and list(ours) == list(theirs) == ["double"]
    _close(ours["double"], theirs["double"])
    assert not ours["double"].requires_grad and not theirs["double"].requires_grad


def test_a_value_function_with_two_outputs():
    class SumAndProduct(autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a + b, a * b

        @staticmethod
        def backward(ctx, grad_sum, grad_product):
            a, b = ctx.saved_tensors
            return grad_sum + grad_product * b, grad_sum + grad_product * a

    a, b = Value(2.0), Value(-3.0)
    total, product = SumAndProduct.apply(a, b)
    (total * product).backward()  # d/da (a + b) ab = ab + (a + b) b
    assert (a.grad, b.grad) == (2.0 * -3.0 + (-1.0) * -3.0, 2.0 * -3.0 + (-1.0) * 2.0)


def test_a_saved_sibling_output_is_a_graph_node_under_create_graph():
    def body(base, once):
        class ExpAndSquare(base):
            @staticmethod
            def forward(ctx, x):
                e, s = x.exp(), x * x
                ctx.save_for_backward(x, e, s)
                return e, s

            @staticmethod
            def backward(ctx, grad_e, grad_s):
                x, e, s = ctx.saved_tensors
                return grad_e * e + grad_s * 2.0 * s / x

        return ExpAndSquare

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.array([0.5, 1.5]))
    (ours_first,) = grad(ours_fn.apply(x)[1].sum(), x, create_graph=True)  # 2 s / x = 2x, through the saved s
    (first,) = torch.autograd.grad(theirs_fn.apply(torch_x)[1].sum(), torch_x, create_graph=True)
    _close(ours_first, first)
    _close(grad(ours_first.sum(), x)[0], torch.autograd.grad(first.sum(), torch_x)[0])


def _cube_and_derivative(base, once):
    class MyCube(base):  # torch's documentation example of double backward: dx saved as an output
        @staticmethod
        def forward(ctx, x):
            dx = 3 * x**2
            ctx.save_for_backward(x, dx)
            return x**3, dx

        @staticmethod
        def backward(ctx, grad_output, grad_dx):
            x, dx = ctx.saved_tensors
            return grad_output * dx + grad_dx * 6 * x

    return MyCube


def test_a_saved_output_the_caller_dropped_keeps_its_graph_for_higher_derivatives_as_in_torch():
    ours_fn, theirs_fn = _twins(_cube_and_derivative)
    x, torch_x = _pair(np.array([1.0, 2.0, -0.5]))
    ours, theirs = ours_fn.apply(x)[0], theirs_fn.apply(torch_x)[0]  # dx, saved, is dropped at once (torch's my_cube)
    for _ in range(3):  # 3x^2, 6x, 6: each through the saved dx's own backward
        (ours,) = grad(ours.sum(), x, create_graph=True)
        (theirs,) = torch.autograd.grad(theirs.sum(), torch_x, create_graph=True)
        _close(ours, theirs)
    assert autograd.gradgradcheck(lambda x: ours_fn.apply(x)[0], [x])

    cube = Value(2.0)
    (first,) = grad(ours_fn.apply(cube)[0], cube, create_graph=True)
    (second,) = grad(first, cube, create_graph=True)
    assert (first.data, second.data, grad(second, cube)[0]) == (12.0, 12.0, 6.0)


def test_a_deep_copied_output_keeps_the_graph_of_a_saved_sibling_it_left_behind_as_torchs_second_derivative():
    ours_fn, theirs_fn = _twins(_cube_and_derivative)
    x, torch_x = _pair(np.array([1.0, 2.0, -0.5]))
    result, dx = ours_fn.apply(x)
    copied = copy.deepcopy(result)  # dx, saved for backward, is not copied along
    (copied_x,) = copied.parents
    (first,) = grad(copied.sum(), copied_x, create_graph=True)
    (theirs,) = torch.autograd.grad(theirs_fn.apply(torch_x)[0].sum(), torch_x, create_graph=True)
    _close(first, theirs)
    _close(grad(first.sum(), copied_x)[0], torch.autograd.grad(theirs.sum(), torch_x)[0])  # 6x


# -- arguments that are not nodes, needs_input_grad, no_grad -------------------------------------------------


def test_a_gradient_for_an_argument_that_is_not_a_node_raises_as_in_torch():
    def body(base, once):
        class Scale(base):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out * 2, grad_out

        return Scale

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.ones(2))
    words = (
        "returned a gradient different than None at position 2, but the corresponding forward input was not a Variable"
    )
    with pytest.raises(RuntimeError, match=words):
        theirs_fn.apply(torch_x, 3.0).sum().backward()
    with pytest.raises(RuntimeError, match=words):
        ours_fn.apply(x, 3.0).sum().backward()
    assert x.grad is None


def test_a_gradient_for_an_input_that_needs_none_is_dropped_whatever_its_shape_as_in_torch():
    def body(base, once):
        class Scale(base):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out * 2, grad_out[:1]  # k needs no gradient: torch never looks at its shape

        return Scale

    ours_fn, theirs_fn = _twins(body)
    (x, torch_x), (k, torch_k) = _pair(np.ones(2)), _pair(np.ones(2), requires_grad=False)
    ours_fn.apply(x, k).sum().backward()
    theirs_fn.apply(torch_x, torch_k).sum().backward()
    _close(x.grad, torch_x.grad)
    assert k.grad is None and torch_k.grad is None


def test_needs_input_grad_and_apply_under_no_grad_match_torch():
    def body(base, once):
        class Probe(base):
            @staticmethod
            def forward(ctx, x, k, y):
                seen.append(ctx.needs_input_grad)
                return x * k + y

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out * 2.0, None, grad_out

        return Probe

    for fn, make, no_grad_mode in zip(_twins(body), (Tensor, torch.tensor), (no_grad, torch.no_grad)):
        seen = []
        x, y = make(np.ones(2), requires_grad=True), make(np.ones(2))
        fn.apply(x, 2.0, y)
        with no_grad_mode():
            out = fn.apply(x, 2.0, y)
        assert seen == [(True, False, False), (True, False, False)], (fn, seen)
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(_numpy(out), [3.0, 3.0])


def test_the_grad_fn_of_a_functions_outputs_reads_its_ctx_as_torchs():
    def body(base, once):
        class ScaledSquare(base):
            @staticmethod
            def forward(ctx, x, alpha):
                ctx.save_for_backward(x)
                ctx.alpha = alpha
                return x * x * alpha, x + 1

            @staticmethod
            def backward(ctx, grad_square, grad_shifted):
                (x,) = ctx.saved_tensors
                return grad_square * 2 * x * ctx.alpha + grad_shifted, None

        return ScaledSquare

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.array([1.0, 2.0]))
    for function, inputs in ((ours_fn, x), (theirs_fn, torch_x)):
        square, shifted = function.apply(inputs, 3.0)  # torch's grad_fn is the ctx, shared by both outputs
        (saved,) = square.grad_fn.saved_tensors
        assert saved is inputs  # (a leaf input comes back as itself)
        assert square.grad_fn.needs_input_grad == (True, False)
        assert square.grad_fn.alpha == shifted.grad_fn.alpha == 3.0
        with pytest.raises(AttributeError):
            _ = square.grad_fn.beta


# -- once_differentiable ------------------------------------------------------------------------------------------


def _cube(base, once):
    class Cube(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        @once
        def backward(ctx, grad_out):
            seen.append(autograd.is_grad_enabled() if base is autograd.Function else torch.is_grad_enabled())
            (x,) = ctx.saved_tensors
            return grad_out * 3 * x**2

    return Cube


seen: list = []


def test_once_differentiable_backward_runs_without_recording_and_gives_torchs_first_derivative():
    ours_fn, theirs_fn = _twins(_cube)
    x, torch_x = _pair(np.array([1.0, -2.0]))
    seen.clear()
    (ours_first,) = grad((ours_fn.apply(x) ** 2).sum(), x, create_graph=True)
    (first,) = torch.autograd.grad((theirs_fn.apply(torch_x) ** 2).sum(), torch_x, create_graph=True)
    assert seen == [False, False]  # grad mode is off inside backward, even under create_graph
    _close(ours_first, first)
    assert ours_first.requires_grad and first.requires_grad


def test_differentiating_a_once_differentiable_gradient_again_raises_as_in_torch():
    ours_fn, theirs_fn = _twins(_cube)
    x, torch_x = _pair(np.array([1.0, -2.0]))
    (ours_first,) = grad((ours_fn.apply(x) ** 2).sum(), x, create_graph=True)
    (first,) = torch.autograd.grad((theirs_fn.apply(torch_x) ** 2).sum(), torch_x, create_graph=True)
    words = "trying to differentiate twice a function that was marked with @once_differentiable"
    with pytest.raises(RuntimeError, match=words):
        first.sum().backward()
    with pytest.raises(RuntimeError, match=words):
        ours_first.sum().backward()


@pytest.mark.filterwarnings("ignore:Using backward.. with create_graph=True:UserWarning")  # torch's advice
def test_once_differentiable_with_a_seed_that_requires_grad_raises_on_double_backward_as_in_torch():
    """torch's test_once_differentiable: result.sum().backward(go, create_graph=True) with go requiring grad."""
    ours_fn, theirs_fn = _twins(_cube)
    x, torch_x = _pair(np.array([0.5, 1.5]))
    ours_fn.apply(x).sum().backward(Tensor(np.array(1.0), requires_grad=True), create_graph=True)
    theirs_fn.apply(torch_x).sum().backward(torch.ones((), dtype=torch.float64, requires_grad=True), create_graph=True)
    _close(x.grad, torch_x.grad)
    words = "trying to differentiate twice a function that was marked with @once_differentiable"
    with pytest.raises(RuntimeError, match=words):
        torch_x.grad.sum().backward()
    with pytest.raises(RuntimeError, match=words):
        x.grad.sum().backward()


def test_once_differentiable_at_the_root_with_a_constant_seed_gives_a_constant_as_in_torch():
    ours_fn, theirs_fn = _twins(_cube)
    x, torch_x = _pair(np.array([0.5, 1.5]))
    (ours_first,) = grad(ours_fn.apply(x).sum(), x, create_graph=True)
    (first,) = torch.autograd.grad(theirs_fn.apply(torch_x).sum(), torch_x, create_graph=True)
    assert not ours_first.requires_grad and not first.requires_grad
    _close(ours_first, first)


# -- mark_dirty -----------------------------------------------------------------------------------------------------


def _add_in_place(base, once):
    class AddInPlace(base):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_dirty(a)
            return a.add_(b), b + 2

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a, grad_a + grad_b

    return AddInPlace


def test_mark_dirty_returns_the_input_with_the_functions_history_as_in_torch():
    """torch's test_return_leaf_inplace."""
    ours_fn, theirs_fn = _twins(_add_in_place)
    data, other = RNG.normal(size=(5, 5)), RNG.normal(size=(5, 5))
    x, torch_x = _pair(data, requires_grad=False)
    y, torch_y = _pair(other)
    ours_version, theirs_version = x.version, torch_x._version
    q, p = ours_fn.apply(x, y)
    torch_q, torch_p = theirs_fn.apply(torch_x, torch_y)
    assert q is x and torch_q is torch_x
    assert q.requires_grad and not q.is_leaf and q.grad_fn.name == "AddInPlace"
    assert x.version - ours_version == torch_x._version - theirs_version == 2  # add_ and mark_dirty
    _close(q, torch_q)
    (q.sum() + (p * p).sum()).backward()
    (torch_q.sum() + (torch_p * torch_p).sum()).backward()
    _close(y.grad, torch_y.grad)


def _double_in_place(base, once):
    class DoubleInPlace(base):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x.mul_(2.0)

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out * 2.0

    return DoubleInPlace


def test_mark_dirty_on_a_leaf_that_requires_grad_raises_torchs_error():
    ours_fn, theirs_fn = _twins(_double_in_place)
    x, torch_x = _pair(np.ones(3))
    words = "a leaf Variable that requires grad has been used in an in-place operation"
    with pytest.raises(RuntimeError, match=words):
        theirs_fn.apply(torch_x)
    with pytest.raises(RuntimeError, match=words):
        ours_fn.apply(x)


def test_mark_dirty_on_an_input_that_is_not_returned_raises_torchs_error():
    def body(base, once):
        class NotReturned(base):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x * 2.0

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out * 2.0

        return NotReturned

    words = "Some elements marked as dirty during the forward method were not returned as output"
    for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
        with pytest.raises(RuntimeError, match=words):
            fn.apply(make(np.ones(2), requires_grad=True).clone())


def test_mark_dirty_on_a_non_leaf_keeps_earlier_uses_on_its_earlier_history_as_in_torch():
    ours_fn, theirs_fn = _twins(_double_in_place)
    a, torch_a = _pair(RNG.normal(size=3))
    results = []
    for fn, leaf in ((ours_fn, a), (theirs_fn, torch_a)):
        b = leaf.clone()
        before = b + 1.0  # recorded before the in-place change: its gradient goes to a directly
        out = fn.apply(b)
        assert out is b
        before.sum().backward()
        first = _numpy(leaf.grad).copy()
        b.sum().backward()  # through DoubleInPlace: 2 more per element
        results.append((first, _numpy(leaf.grad)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][1], np.full(3, 3.0))


def test_mark_dirty_keeps_an_earlier_two_input_node_on_both_its_parents_as_in_torch():
    ours_fn, theirs_fn = _twins(_double_in_place)
    data, other = RNG.normal(size=3), RNG.normal(size=3)
    grads = []
    for fn, (a, w) in ((ours_fn, (_pair(data)[0], _pair(other)[0])), (theirs_fn, (_pair(data)[1], _pair(other)[1]))):
        b = a + 0.5  # add keeps no value for backward, so changing b in place is allowed (as in torch)
        before = w + b  # two parents, the rebased one second
        fn.apply(b)
        ((before * before).sum() + (b * w).sum()).backward()
        grads.append((_numpy(a.grad), _numpy(w.grad)))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)


def test_a_constant_changed_in_place_by_a_function_keeps_earlier_uses_constant_as_in_torch():
    def body(base, once):
        class AddTo(base):
            @staticmethod
            def forward(ctx, a, b):
                ctx.mark_dirty(a)
                return a.add_(b)

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out, grad_out

        return AddTo

    for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
        x = make(np.zeros(3))
        w0, w = make(np.ones(3), requires_grad=True), make(np.ones(3), requires_grad=True)
        earlier = w0 + x
        fn.apply(x, w)
        earlier.sum().backward()
        assert w.grad is None, fn
        np.testing.assert_array_equal(_numpy(w0.grad), np.ones(3))
        (x * 2.0).sum().backward()
        np.testing.assert_array_equal(_numpy(w.grad), np.full(3, 2.0))


def test_an_earlier_use_that_saved_the_changed_input_raises_the_version_error_as_in_torch():
    ours_fn, theirs_fn = _twins(_double_in_place)
    words = "modified by an inplace operation"
    for fn, make in ((ours_fn, Tensor), (theirs_fn, torch.tensor)):
        a = make(np.array([1.0, 2.0]), requires_grad=True)
        b = a.clone()
        saved = b * b  # mul saves b
        fn.apply(b)
        with pytest.raises(RuntimeError, match=words):
            saved.sum().backward()


def test_mark_dirty_under_no_grad_bumps_the_version_and_records_nothing():
    ours_fn, theirs_fn = _twins(_double_in_place)
    x, torch_x = _pair(np.ones(2))
    with no_grad():
        out = ours_fn.apply(x)
    with torch.no_grad():
        torch_out = theirs_fn.apply(torch_x)
    assert x.version == torch_x._version == 2  # mul_ and mark_dirty
    assert out.grad_fn is None and torch_out.grad_fn is None
    _close(out, torch_out)


# -- ctx and backward's return value ------------------------------------------------------------------------------


def test_save_for_backward_keeps_nodes_and_none_and_refuses_numbers_as_torch_does():
    def body(base, once):
        class Saving(base):
            @staticmethod
            def forward(ctx, x, extra):
                ctx.save_for_backward(x, None, *extra)
                return x * 2.0

            @staticmethod
            def backward(ctx, grad_out):
                x, nothing = ctx.saved_tensors
                assert nothing is None
                return grad_out * 2.0, None

        return Saving

    for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
        x = make(np.ones(2), requires_grad=True)
        fn.apply(x, ()).sum().backward()
        np.testing.assert_array_equal(_numpy(x.grad), [2.0, 2.0])
        with pytest.raises(TypeError, match="save_for_backward can only save variables, but argument 2 is of type int"):
            fn.apply(x, (3,))


def test_backward_may_return_extra_trailing_nones_as_in_torch():
    def body(base, once):
        class Double(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2.0

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out * 2.0, None, None

        return Double

    for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
        x = make(np.ones(2), requires_grad=True)
        fn.apply(x).sum().backward()
        np.testing.assert_array_equal(_numpy(x.grad), [2.0, 2.0])


def test_returning_an_input_unchanged_gives_a_new_node_as_in_torch():
    """torch's test_function_returns_input."""

    def body(base, once):
        class Identity(base):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out * 2

        return Identity

    for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
        for shape in [(1,), ()]:
            v = make(np.ones(shape), requires_grad=True)
            out = fn.apply(v)
            assert out is not v and out.grad_fn is not None
            out.backward()
            np.testing.assert_array_equal(_numpy(v.grad), np.full(shape, 2.0))
            v.grad = None
            fn.apply(v.clone()).backward()
            np.testing.assert_array_equal(_numpy(v.grad), np.full(shape, 2.0))


def test_mark_dirty_on_the_output_of_an_op_whose_gradient_does_not_read_it_works_as_in_torch():
    """sin's derivative reads its input, not its output: changing the output in place spoils nothing."""
    ours_fn, theirs_fn = _twins(_double_in_place)
    a, torch_a = _pair(np.array([1.0, 2.0]))
    ours, theirs = ours_fn.apply(a.sin()), theirs_fn.apply(torch_a.sin())
    ours.sum().backward()
    theirs.sum().backward()
    _close(a.grad, torch_a.grad)


def test_mark_dirty_on_the_output_of_an_op_whose_gradient_reads_it_raises_as_in_torch():
    """exp's derivative is its output: changed in place, it would give a wrong gradient."""
    ours_fn, theirs_fn = _twins(_double_in_place)
    a, torch_a = _pair(np.array([1.0, 2.0]))
    for fn, leaf in ((ours_fn, a), (theirs_fn, torch_a)):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            fn.apply(leaf.exp()).sum().backward()


def _changed_and_tripled(order):
    def body(base, once):
        class ChangedAndTripled(base):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2.0)
                ctx.mark_dirty(x)
                y = x * 3.0
                return tuple({"x": x, "y": y}[name] for name in order)

            @staticmethod
            def backward(ctx, *grads):  # weighs each position differently, so a misplaced gradient shows
                return sum((position + 2.0) * g for position, g in enumerate(grads))

        return ChangedAndTripled

    return body


@pytest.mark.parametrize(
    "order, uses",
    [
        (order, uses)
        for order in ("xy", "yx", "xx", "xyx", "yxx", "xxy")
        for uses in ("x", "y", "both")
        if uses in order + "both"
    ],
)
def test_a_changed_input_returned_beside_other_outputs_gets_torch_s_gradients(order, uses):
    """torch's test_return_duplicate_inplace and its relatives: one backward call per call, each output's gradient
    at its position; a changed input returned twice holds the call's history at its last position."""
    results = []
    for fn, make in zip(_twins(_changed_and_tripled(order)), (Tensor, torch.tensor)):
        x = make(np.array([1.0, 2.0]), requires_grad=True)
        outputs = fn.apply(x * 1.0)
        named = {name: output for name, output in zip(order, outputs)}
        loss = sum(
            named[name].sum() * weight
            for name, weight in (("x", 5.0), ("y", 7.0))
            if uses in (name, "both") and name in named
        )
        loss.backward()
        results.append(_numpy(x.grad))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_a_changed_view_input_with_several_outputs_is_refused_as_in_torch():
    def body(base, once):
        class AddInto(base):
            @staticmethod
            def forward(ctx, a, b):
                a.add_(b)
                ctx.mark_dirty(a)
                return a, a + b

            @staticmethod
            def backward(ctx, grad_a, grad_sum):
                return grad_a + grad_sum, grad_sum

        return AddInto

    words = "modifies inplace an input that is a view of another Tensor, your Function cannot return more than one"
    for fn, make in zip(_twins(body), (Tensor, torch.tensor)):
        a, b = make(np.ones(2), requires_grad=True), make(np.ones(2), requires_grad=True)
        with pytest.raises(RuntimeError, match=words):
            fn.apply(a.clone().view_as(a), b)


@pytest.mark.filterwarnings("ignore:.*should not be instantiated:DeprecationWarning")  # torch's, on instantiating
def test_calling_a_function_instance_raises_torch_s_runtime_error_and_says_to_call_apply():
    """torch's legacy style ``MyFunction()(x)`` is a RuntimeError there; here it is also a TypeError naming apply."""

    def body(base, once):
        class Double(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2

        return Double

    ours, theirs = _twins(body)
    with pytest.raises(RuntimeError, match="Legacy autograd function"):
        theirs()(torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"call Double\.apply\(\*inputs\)") as caught:
        ours()(Tensor(np.ones(2), requires_grad=True))
    assert isinstance(caught.value, TypeError)


def test_mark_dirty_on_a_tensor_with_live_views_makes_them_views_of_the_changed_tensor_as_in_torch():
    ours_fn, theirs_fn = _twins(_double_in_place)
    a, torch_a = _pair(np.array([1.0, 2.0, 3.0, 4.0]))
    for fn, leaf in ((ours_fn, a), (theirs_fn, torch_a)):
        b = leaf * 1.0
        view = b[1:3]
        fn.apply(b)  # the view shows the doubled values, and its gradient goes through the Function's backward
        (view * view).sum().backward()
    _close(a.grad, torch_a.grad)


def test_mark_dirty_on_a_view_counts_one_version_for_the_change_as_in_torch():
    ours_fn, theirs_fn = _twins(_double_in_place)
    a, torch_a = _pair(np.array([1.0, 2.0, 3.0, 4.0]))
    versions = []
    for fn, leaf in ((ours_fn, a), (theirs_fn, torch_a)):
        b = leaf * 1.0
        view = b[1:3]
        fn.apply(view)  # mul_ inside forward, and the Function's change recorded on b
        versions.append((b._version, view._version))
        (b * b).sum().backward()
    assert versions[0] == versions[1]
    _close(a.grad, torch_a.grad)


def _saved_requires_grad_flags(base, x, w):
    """The requires_grad of each of (x, w, x * w) as backward reads them from ctx.saved_tensors."""
    seen = []

    class Product(base):
        @staticmethod
        def forward(ctx, x, w):
            y = x * w
            ctx.save_for_backward(x, w, y)
            return y

        @staticmethod
        def backward(ctx, grad):
            x, w, y = ctx.saved_tensors
            seen.append([x.requires_grad, w.requires_grad, y.requires_grad])
            return grad * w, grad * x

    Product.apply(x, w).sum().backward()
    return seen[0]


def test_saved_inputs_and_outputs_report_requires_grad_as_torchs_in_backward():
    x, torch_x = _pair(np.array([1.0, 2.0]))
    w, torch_w = _pair(np.array([3.0, 4.0]), requires_grad=False)
    assert _saved_requires_grad_flags(autograd.Function, x, w) == _saved_requires_grad_flags(
        torch.autograd.Function, torch_x, torch_w
    )


def test_a_saved_input_that_forward_returns_unchanged_is_the_input_in_backward_as_in_torch():
    def body(base, once):
        class PassThrough(base):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * x.requires_grad

        return PassThrough

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.array([1.0, 3.0]))
    ours_fn.apply(x).sum().backward()
    theirs_fn.apply(torch_x).sum().backward()
    _close(x.grad, torch_x.grad)


def test_second_derivative_through_a_saved_input_returned_beside_its_square_matches_torch():
    def body(base, once):
        class PassAndSquare(base):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x, x**2

            @staticmethod
            def backward(ctx, g1, g2):
                (x,) = ctx.saved_tensors
                return g1 + 2 * x * g2

        return PassAndSquare

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.array([1.0, 3.0]))
    results = []
    for fn, leaf, grad_of in ((ours_fn, x, grad), (theirs_fn, torch_x, torch.autograd.grad)):
        a, b = fn.apply(leaf)
        (first,) = grad_of(a.sum() + (b * b).sum(), leaf, create_graph=True)
        (second,) = grad_of((first * first).sum(), leaf)
        results.append((first, second))
    _close(results[0][0], results[1][0])
    _close(results[0][1], results[1][1])


def test_a_backward_returning_a_string_is_an_instance_of_torchs_runtime_error():
    def body(base, once):
        class Wordy(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return "a"

        return Wordy

    ours_fn, theirs_fn = _twins(body)
    with pytest.raises(RuntimeError):
        theirs_fn.apply(torch.ones(2, requires_grad=True)).sum().backward()
    with pytest.raises(RuntimeError, match="Wordy.backward returned a str") as caught:
        ours_fn.apply(Tensor(np.ones(2), requires_grad=True)).sum().backward()
    assert isinstance(caught.value, TypeError)  # the library's earlier class


@pytest.mark.parametrize("extra", [0.5, 3, True], ids=["float", "int", "bool"])
def test_a_python_number_from_forward_passes_through_with_none_for_its_gradient_as_torch(extra):
    received = []

    def body(base, once):
        class WithNumber(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2.0, extra

            @staticmethod
            def backward(ctx, grad_out, grad_extra):
                received.append(grad_extra)
                return grad_out * 2.0

        return WithNumber

    ours_fn, theirs_fn = _twins(body)
    x, torch_x = _pair(np.array([-1.0, 2.0]))
    (ours, ours_extra), (theirs, theirs_extra) = ours_fn.apply(x), theirs_fn.apply(torch_x)
    assert ours_extra is extra and theirs_extra is extra
    ours.sum().backward()
    theirs.sum().backward()
    assert received == [None, None]
    np.testing.assert_array_equal(x.grad.data, torch_x.grad.numpy())


def test_ctx_saved_variables_is_saved_tensors_with_torchs_deprecation_warning():
    """Pre-0.4 tutorials read ``ctx.saved_variables``: torch still gives the saved tensors, with a DeprecationWarning."""

    def body(base, once):
        class Square(base):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad_output):
                (x,) = ctx.saved_variables
                return 2 * x * grad_output

        return Square

    ours, theirs = _twins(body)
    values = RNG.normal(size=3)
    x, tx = _pair(values)
    with pytest.warns(DeprecationWarning, match="'saved_variables' is deprecated; use 'saved_tensors'"):
        ours.apply(x).sum().backward()
    with pytest.warns(DeprecationWarning, match="'saved_variables' is deprecated; use 'saved_tensors'"):
        theirs.apply(tx).sum().backward()
    _close(x.grad, tx.grad)


@pytest.mark.parametrize("how", ["marked non-differentiable", "under no_grad"])
def test_an_input_changed_in_place_without_a_gradient_comes_back_as_a_detached_alias_as_torchs(how):
    """torch returns a detached alias of an input marked dirty that requires grad when the call records nothing for
    it (marked non-differentiable too, or under no_grad): it shares the input's memory and version, needs no grad,
    and the input keeps its own history."""

    def body(base, once):
        class Double(base):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                if how == "marked non-differentiable":
                    ctx.mark_non_differentiable(x)
                return x

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output * 2

        return Double

    ours, theirs = _twins(body)
    results = []
    for function, lib in [(ours, autograd), (theirs, torch)]:
        a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        b = a * 1
        if how == "under no_grad":
            with lib.no_grad():
                z = function.apply(b)
        else:
            z = function.apply(b)
        summary = (z is b, z.requires_grad, z.grad_fn is None, b.requires_grad, b._version, z._version)
        with lib.no_grad():
            z.add_(1)  # the alias shares b's memory and version counter
        results.append((summary, _numpy(b.detach()).tolist(), b._version))
    assert results[0] == results[1]


def test_torch_autograd_function_imports_port_with_functionctx():
    """``from torch.autograd.function import once_differentiable, FunctionCtx`` (custom Functions' usual imports;
    FunctionCtx types ``ctx``) ports as ``from autograd.autograd.function import ...``, and
    ``torch.autograd.functional``'s ``from ... import jacobian`` likewise."""
    from autograd.autograd.function import Function as PortedFunction
    from autograd.autograd.function import FunctionCtx
    from autograd.autograd.function import once_differentiable as ported_once_differentiable
    from autograd.autograd.functional import jacobian
    from torch.autograd.function import FunctionCtx as TorchFunctionCtx

    assert PortedFunction is autograd.Function and ported_once_differentiable is once_differentiable
    assert jacobian is autograd.autograd.functional.jacobian

    seen = []
    for base, lib in [(PortedFunction, autograd), (torch.autograd.Function, torch)]:

        class Double(base):
            @staticmethod
            def forward(ctx, x):
                seen.append(type(ctx))
                return x * 2

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output * 2

        Double.apply(lib.ones(2, requires_grad=True))
    assert issubclass(seen[0], FunctionCtx) and issubclass(seen[1], TorchFunctionCtx)
