"""autograd.Function: user-defined gates with forward/backward, for Values and Tensors."""

import numpy as np
import pytest

from autograd import (
    AnomalyError,
    Function,
    Tensor,
    Value,
    detect_anomaly,
    draw_graph,
    grad,
    gradcheck,
    gradgradcheck,
    no_grad,
)


class MultGate(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * y, grad_output * x


class MaxGate(Function):
    """The lecture's MaxGate: the gradient goes to x if x > y, else to y (a tie sends it to y)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x if x.data > y.data else y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return (grad_output, grad_output * 0) if x.data > y.data else (grad_output * 0, grad_output)


class Exp(Function):
    """Saves its own output, as torch's exp does."""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class ScaledSquare(Function):
    """A non-differentiable (number) argument: backward returns None for it."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 2 * ctx.scale * x, None


def test_mult_gate_on_values_matches_the_lecture():
    x, y = Value(3.0), Value(-4.0)
    z = MultGate.apply(x, y)
    z.backward()
    assert (z.data, x.grad, y.grad) == (-12.0, -4.0, 3.0)


def test_max_gate_sends_the_gradient_to_the_larger_input_and_a_tie_to_y():
    x, y = Value(3.0), Value(-4.0)
    MaxGate.apply(x, y).backward()
    assert (x.grad, y.grad) == (1.0, 0.0)
    a, b = Value(2.0), Value(2.0)
    MaxGate.apply(a, b).backward()
    assert (a.grad, b.grad) == (0.0, 1.0)


def test_function_output_is_a_node_named_after_the_class():
    x = Value(2.0)
    z = MultGate.apply(x, x)
    assert isinstance(z, Value) and z.grad_fn.name == "MultGate" and z.parents == (x, x)
    assert "MultGate" in draw_graph(z).source


def test_function_inside_an_expression_sums_contributions_for_a_reused_input():
    x = Value(1.5)
    y = MultGate.apply(x, x) + 3 * x  # x^2 + 3x
    y.backward()
    assert x.grad == pytest.approx(2 * 1.5 + 3)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_tensor_function_passes_gradcheck(shape):
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal(shape), requires_grad=True)
    b = Tensor(rng.standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda a, b: MultGate.apply(a, b).sum(), [a, b])


def test_backward_written_with_library_ops_is_differentiable_again():
    x = Tensor(np.array([0.3, -1.2, 0.7]), requires_grad=True)
    assert gradgradcheck(lambda x: Exp.apply(MultGate.apply(x, x)).sum(), [x])
    v = Value(0.4)
    (dv,) = grad(Exp.apply(MultGate.apply(v, v)), [v], create_graph=True)
    (d2v,) = grad(dv, [v])
    expected = (2 + 4 * 0.4**2) * np.exp(0.4**2)  # d2/dv2 exp(v^2)
    assert d2v == pytest.approx(expected)


def test_saved_output_resolves_to_the_output():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = Exp.apply(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp([0.0, 1.0]))


def test_non_node_arguments_get_none_and_needs_input_grad_says_so():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x, scale, c):
            seen["needs"] = ctx.needs_input_grad
            return x * scale + c

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2.0, None, None

    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([1.0, 1.0])
    Probe.apply(x, 2.0, c).sum().backward()
    assert seen["needs"] == (True, False, False)
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert c.grad is None


def test_scaled_square_with_a_number_argument_matches_finite_differences():
    x = Tensor(np.array([0.5, -2.0]), requires_grad=True)
    assert gradcheck(lambda x: ScaledSquare.apply(x, 3.0).sum(), [x])


class CubeByVjp(Function):
    """A gate whose derivative is given as ``vjp``, torch's other name for ``backward``."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def vjp(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad_output


def test_a_function_defining_vjp_instead_of_backward_matches_finite_differences():
    x = Tensor(np.array([0.3, -1.7, 2.0]), requires_grad=True)
    assert gradcheck(lambda x: CubeByVjp.apply(x).sum(), [x])
    v = Value(-1.5)
    CubeByVjp.apply(v).backward()
    assert v.grad == pytest.approx(3 * 1.5**2)


def test_a_function_defining_both_backward_and_vjp_is_refused_at_backward():
    class Both(CubeByVjp):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = Tensor(np.array([1.0]), requires_grad=True)
    y = Both.apply(x).sum()
    with pytest.raises(RuntimeError, match="Implementing both 'backward' and 'vjp'"):
        y.backward()
    assert x.grad is None


def test_forward_records_nothing_and_no_graph_without_inputs_needing_grad():
    x = Tensor([1.0, 2.0])
    y = MultGate.apply(x, x)
    assert not y.requires_grad and y.is_leaf
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not MultGate.apply(w, w).requires_grad


def test_wrong_number_of_gradients_names_the_function():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = Value(1.0)
    with pytest.raises(RuntimeError, match=r"Bad\.backward returned 1 gradient\(s\), but forward took 2"):
        Bad.apply(x, x).backward()
    assert x.grad == 0.0  # nothing half-done


class BadShape(Function):
    """A backward that always returns five ones, whatever the input's shape."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return np.ones(5)


def test_wrong_gradient_shape_names_the_function_and_shapes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"BadShape\.backward returned a gradient of shape \(5,\) .* \(2, 3\)"):
        BadShape.apply(x).sum().backward()


def test_gradient_of_a_broadcastable_shape_is_summed_back():
    class RowSum(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.data[None, :] * np.ones((4, 1))  # shape (4, 3) for an input of (3,)

    x = Tensor(np.ones(3), requires_grad=True)
    RowSum.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0, 4.0])


def test_anomaly_mode_names_the_function_when_its_backward_gives_nan():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * float("nan")

    x = Tensor([1.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError, match="NanGrad"):
        NanGrad.apply(x).sum().backward()
    assert x.grad is None


def test_apply_without_a_node_argument_runs_forward_and_records_nothing():
    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    assert Twice.apply(3.0) == 6.0  # as torch: forward's result, nothing to record
    with pytest.raises(TypeError, match="save_for_backward can only save variables"):
        MultGate.apply(2.0, 3.0)  # it saves its plain-number inputs: refused, as torch refuses


def test_redefining_a_function_class_with_the_same_name_works():
    # a notebook cell run twice defines the class again
    for _ in range(2):

        class Twice(Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output * 2

        x = Value(1.0)
        Twice.apply(x).backward()
        assert x.grad == 2.0


def test_function_matches_torch_autograd_function():
    torch = pytest.importorskip("torch")

    class TorchMult(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            x, y = ctx.saved_tensors
            return grad_output * y, grad_output * x

    rng = np.random.default_rng(3)
    a_np, b_np = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    a, b = Tensor(a_np, requires_grad=True), Tensor(b_np, requires_grad=True)
    (MultGate.apply(a, b).exp()).sum().backward()
    ta = torch.tensor(a_np, requires_grad=True)
    tb = torch.tensor(b_np, requires_grad=True)
    TorchMult.apply(ta, tb).exp().sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12)


class _Argmax(Function):
    """A Function whose output is an index: marked non-differentiable, as torch users do."""

    @staticmethod
    def forward(ctx, x):
        index = np.argmax(x.data).astype(np.float64)
        ctx.mark_non_differentiable(index)
        return index

    @staticmethod
    def backward(ctx, grad):
        raise AssertionError("backward of a non-differentiable output must not run")


def test_mark_non_differentiable_output_is_a_constant():
    index = _Argmax.apply(Tensor([1.0, 5.0, 2.0], requires_grad=True))
    assert not index.requires_grad and index.is_leaf and float(index.data) == 1.0


def test_set_materialize_grads_is_accepted_and_backward_still_gets_a_gradient():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2.0

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.0

    x = Value(1.5)
    Double.apply(x).backward()
    assert x.grad == 2.0


def test_wrong_gradient_count_and_shape_errors_use_torchs_words():
    torch = pytest.importorskip("torch")

    def bad_functions(base):
        class TooFew(base):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, grad):
                return (grad,)

        class BadShape(base):
            @staticmethod
            def forward(ctx, x):
                return x * 2.0

            @staticmethod
            def backward(ctx, grad):
                return grad.sum()

        return TooFew, BadShape

    for make, base in ((Tensor, Function), (torch.tensor, torch.autograd.Function)):
        too_few, bad_shape = bad_functions(base)
        x = make([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            too_few.apply(x, 3.0).sum().backward()
        with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
            bad_shape.apply(x).sum().backward()
    theirs = torch.tensor([1.0, 5.0, 2.0], requires_grad=True)

    class TorchArgmax(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            index = x.argmax().double()
            ctx.mark_non_differentiable(index)
            return index

        @staticmethod
        def backward(ctx, grad):
            raise AssertionError

    assert not TorchArgmax.apply(theirs).requires_grad
    assert not _Argmax.apply(Tensor([1.0, 5.0, 2.0], requires_grad=True)).requires_grad


class _ExpAndSquare(Function):
    """Two outputs, both saved: under create_graph backward needs each as a graph node."""

    @staticmethod
    def forward(ctx, x):
        e, s = x.exp(), x * x
        ctx.save_for_backward(x, e, s)
        return e, s

    @staticmethod
    def backward(ctx, grad_e, grad_s):
        x, e, s = ctx.saved_tensors
        return grad_e * e + grad_s * 2.0 * s / x


def test_a_deep_copied_two_output_function_differentiates_twice_through_the_copies():
    import copy

    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    e, s = _ExpAndSquare.apply(x)
    loss = (e * s).sum()  # d2/dx2 x^2 e^x = (x^2 + 4x + 2) e^x
    x_copy, loss_copy = copy.deepcopy([x, loss])
    (first,) = grad(loss_copy, x_copy, create_graph=True)
    (second,) = grad(first.sum(), x_copy)
    np.testing.assert_allclose(second, (x.data**2 + 4 * x.data + 2) * np.exp(x.data), rtol=1e-12)
    assert x.grad is None


def test_a_value_changed_in_place_by_a_function_takes_its_history():
    class AddInPlace(Function):
        @staticmethod
        def forward(ctx, x, w):
            x += w.data
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output

    w, x = Value(2.0), Value(1.0, requires_grad=False)
    assert AddInPlace.apply(x, w) is x
    assert x.data == 3.0 and x.version == 2 and x.grad_fn.name == "AddInPlace"
    (x * 3.0).backward()
    assert w.grad == 3.0


class PolarToCartesian(Function):
    """(r, t) -> (r cos t, r sin t): two outputs; the backward counts its calls."""

    calls = 0

    @staticmethod
    def forward(ctx, r, t):
        ctx.save_for_backward(r, t)
        return r * t.cos(), r * t.sin()

    @staticmethod
    def backward(ctx, grad_x, grad_y):
        PolarToCartesian.calls += 1
        r, t = ctx.saved_tensors
        return grad_x * t.cos() + grad_y * t.sin(), -grad_x * r * t.sin() + grad_y * r * t.cos()


@pytest.mark.parametrize("kind", ["tensor", "value"])
def test_a_two_output_function_runs_its_backward_once_per_call_and_matches_finite_differences(kind):
    def loss(r, t):
        x, y = PolarToCartesian.apply(r, t)
        return (x * y).exp() + (y * 3.0).tanh() * x  # both outputs reach the loss by several paths

    if kind == "tensor":
        r, t = Tensor(np.array([0.7, 1.3]), requires_grad=True), Tensor(np.array([0.4, -0.9]), requires_grad=True)
        assert gradcheck(lambda r, t: loss(r, t).sum(), [r.data, t.data])
        seed = np.ones(2)
    else:
        r, t = Value(0.7), Value(0.4)
        seed = None
    PolarToCartesian.calls = 0
    out = loss(r, t)
    out.backward(seed)
    assert PolarToCartesian.calls == 1
    step = 1e-6
    for node, name in ((r, "r"), (t, "t")):
        data = np.asarray(node.data, dtype=np.float64)
        shifted = [data + step * np.eye(data.size)[i].reshape(data.shape) for i in range(data.size)]
        for i, plus in enumerate(shifted):
            minus = 2 * data - plus
            args = {"r": (plus, t.data), "t": (r.data, plus)}[name]
            args_minus = {"r": (minus, t.data), "t": (r.data, minus)}[name]
            wrap = Tensor if kind == "tensor" else (lambda a: Value(float(a)))
            f_plus = np.sum(loss(*(wrap(a) for a in args)).data)
            f_minus = np.sum(loss(*(wrap(a) for a in args_minus)).data)
            expected = (f_plus - f_minus) / (2 * step)
            got = np.asarray(node.grad, dtype=np.float64).reshape(-1)[i]
            assert got == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_a_two_output_function_runs_its_backward_once_per_pass_when_differentiated_twice():
    r, t = Tensor(np.array([0.7, 1.3]), requires_grad=True), Tensor(np.array([0.4, -0.9]), requires_grad=True)
    assert gradgradcheck(lambda r, t: (lambda x, y: (x * y).sum())(*PolarToCartesian.apply(r, t)), [r.data, t.data])
    PolarToCartesian.calls = 0
    x, y = PolarToCartesian.apply(r, t)
    (first,) = grad((x * y * y).sum(), [t], create_graph=True)
    assert PolarToCartesian.calls == 1
    first.sum().backward()
    assert PolarToCartesian.calls == 2  # the gradient's graph reaches x and y again: one more call, for this pass


class _Power(Function):
    @staticmethod
    def forward(ctx, x, k=2.0):
        ctx.save_for_backward(x)
        ctx.k = k
        return x**k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.k * x ** (ctx.k - 1), None


def test_apply_takes_arguments_by_keyword_as_torch():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    _Power.apply(x=x, k=3.0).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * np.array([1.0, -2.0]) ** 2)
    x.grad = None
    _Power.apply(x).sum().backward()  # the default filled in
    np.testing.assert_allclose(x.grad, [2.0, -4.0])
    with pytest.raises(TypeError, match=r"_Power.apply: got an unexpected keyword argument 'q'"):
        _Power.apply(x, q=1.0)


def test_apply_refuses_keyword_arguments_for_a_forward_taking_var_keyword_as_torch():
    class Scaled(Function):
        @staticmethod
        def forward(ctx, x, **options):
            ctx.scale = options.get("scale", 1.0)
            return x * ctx.scale

        @staticmethod
        def backward(ctx, g):
            return g * ctx.scale

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError, match=r"Scaled.apply: forward's \*\*options cannot take inputs.*'scale'"):
        Scaled.apply(x, scale=3.0)  # torch: "forward() got an unexpected keyword argument 'scale'"
    np.testing.assert_array_equal(Scaled.apply(x).data, [1.0, 2.0])


def test_a_function_called_as_an_object_says_to_use_apply():
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        power = _Power()
    with pytest.raises(TypeError, match=r"call _Power.apply\(\*inputs\)"):
        power(Tensor([1.0]))


def test_apply_by_keyword_counts_the_parameters_up_to_the_last_one_given_as_torch():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, scale=1.0, shift=0.0):
            ctx.scale = scale
            return x * scale + shift

        @staticmethod
        def backward(ctx, g):
            return g * ctx.scale, None

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    Scale.apply(x, scale=3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_a_forward_without_staticmethod_still_works_through_apply_as_torch():
    class Double(Function):
        def forward(ctx, x):  # noqa: N805 - torch accepts a forward without @staticmethod
            return x * 2

        def backward(ctx, g):  # noqa: N805
            return g * 2

    x = Tensor(np.array([1.0]), requires_grad=True)
    Double.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0])


def test_a_setup_context_function_sees_its_defaults_among_the_inputs_as_torch():
    class Shifted(Function):
        @staticmethod
        def forward(x, shift=1.0):
            return x + shift

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.shift = inputs[1]  # torch binds the default: inputs always has both

        @staticmethod
        def backward(ctx, g):
            return g, None

    x = Tensor(np.array([1.0]), requires_grad=True)
    np.testing.assert_array_equal(Shifted.apply(x).data, [2.0])


def test_forward_returning_none_gives_none_as_torchs():
    class Nothing(Function):
        @staticmethod
        def forward(ctx, x):
            return None

        @staticmethod
        def backward(ctx, g):
            return g

    assert Nothing.apply(Tensor([1.0], requires_grad=True)) is None
    assert Nothing.apply(Value(1.0)) is None


class _Named(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return "abc"


def test_a_larger_gradient_for_a_value_input_is_summed_down_to_it_as_torchs_sum_to():
    x = Value(1.0)
    BadShape.apply(x).backward()
    assert x.grad == 5.0


@pytest.mark.parametrize("make", [lambda: Value(1.0), lambda: Tensor(np.ones(3), requires_grad=True)])
def test_a_backward_returning_something_else_than_a_gradient_is_a_type_error_naming_the_function(make):
    x = make()
    with pytest.raises(TypeError, match="_Named.backward returned a str as the gradient of argument 0"):
        _Named.apply(x).sum().backward() if isinstance(x, Tensor) else _Named.apply(x).backward()


def _doubled_saved_input():
    class SquaredNorm(Function):
        """sum(x**2) whose backward returns the array it saved, 2 x, as it is."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(2 * x)
            return (x * x).sum()

        @staticmethod
        def backward(ctx, grad):
            (doubled,) = ctx.saved_tensors
            return doubled

    return SquaredNorm


def test_a_saved_tensor_returned_by_backward_is_not_the_leafs_grad_so_passes_accumulate_correctly():
    # the first pass stored the returned array as .grad and later passes added into it in place: the saved 2x
    # became 4x, 8x (x.grad [8, 16] after three passes); torch clones such a gradient
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = _doubled_saved_input().apply(x)
    for _ in range(3):
        loss.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [6.0, 12.0])


def test_a_constant_returned_by_backward_is_left_as_it_was():
    weights = Tensor(np.array([5.0, 6.0]))

    class Weighted(Function):
        @staticmethod
        def forward(ctx, x):
            return (x * weights).sum()

        @staticmethod
        def backward(ctx, grad):
            return weights

    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 1
    total = Weighted.apply(h) + h[0] * 10  # (the slice's gradient is added into the one pending for h)
    total.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [15.0, 6.0])
    total.backward()
    np.testing.assert_array_equal(x.grad, [30.0, 12.0])
    np.testing.assert_array_equal(weights.data, [5.0, 6.0])


@pytest.mark.parametrize("retained", [False, True])
def test_an_array_a_hook_returns_is_not_changed_through_grad(retained):
    fixed = np.array([1.0, 1.0])
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    node = x
    if retained:
        node = x * 1
        node.retain_grad()
    node.register_hook(lambda grad: fixed)
    (node * 3).sum().backward()
    node.grad[...] = 0.0
    np.testing.assert_array_equal(fixed, [1.0, 1.0])


@pytest.mark.parametrize("make", [lambda a: a.exp(), lambda a: a.sigmoid(), lambda a: a * 2.0])
def test_a_saved_tensor_changed_in_place_after_the_call_raises_torchs_version_error(make):
    # an output of an op that reads its own output (exp, sigmoid) gives its old values to an earlier self when
    # changed in place; the ctx still holds the tensor itself, so backward read the new values (a wrong gradient)
    class SumOfSquares(Function):
        @staticmethod
        def forward(ctx, p):
            ctx.save_for_backward(p)
            return (p * p).sum()

        @staticmethod
        def backward(ctx, grad):
            (p,) = ctx.saved_tensors
            return 2 * p * grad

    a = Tensor(np.array([0.1, 0.2]), requires_grad=True)
    p = make(a)
    loss = SumOfSquares.apply(p)
    p.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


class _PassAndExp(Function):
    """(x, e^x), saving the input it returns and the output: d/dx = g1 + e^x g2."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(x, y)
        return x, y

    @staticmethod
    def backward(ctx, g1, g2):
        x, y = ctx.saved_tensors
        assert x.requires_grad and y.requires_grad  # as torch's saved variables, outside create_graph too
        return g1 + g2 * y


def test_saving_an_input_it_returns_and_an_output_differentiates_to_second_order():
    def pass_and_exp(x):
        a, b = _PassAndExp.apply(x)
        return a * b

    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    assert gradcheck(pass_and_exp, [x])
    assert gradgradcheck(pass_and_exp, [x])
