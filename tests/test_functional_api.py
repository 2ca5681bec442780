"""autograd.grad and the transforms built on it: derivative, jacobian, hessian, hvp, jvp."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, Value, grad, no_grad
from autograd.functional import derivative, hessian, hvp, jacobian, jvp
from autograd.testing import arrays, floats, shapes

# -- grad() --------------------------------------------------------------------------------------------


def test_grad_returns_gradients_without_touching_dot_grad():
    x, y = Value(2.0), Value(-3.0)
    middle = x * y
    gx, gy = grad(middle * x, [x, y])
    assert (gx, gy) == (2 * 2.0 * -3.0, 4.0)  # d(x^2 y)/dx = 2xy, d/dy = x^2
    assert x.grad == 0.0 and y.grad == 0.0 and middle.grad == 0.0

    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    hidden = t * 3.0
    hidden.retain_grad()
    (gt,) = grad((hidden * t).sum(), t)
    np.testing.assert_array_equal(gt, 6.0 * t.data)
    assert t.grad is None
    np.testing.assert_array_equal(hidden.grad, t.data)  # retain_grad() asked for it: torch's pass fills it too


def test_grad_leaves_earlier_accumulated_gradients_unchanged():
    x = Value(1.5)
    (x * x).backward()
    before = x.grad
    grad(x * x * x, x)
    assert x.grad == before == 3.0


def test_grad_accepts_a_single_node_or_a_list_and_returns_a_tuple():
    x = Value(1.0)
    assert grad(x * 5.0, x) == (5.0,)
    assert grad([x * 5.0], [x]) == (5.0,)


def test_grad_outputs_seed_a_vector_jacobian_product():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    seed = np.array([0.5, -1.0, 2.0])
    (g,) = grad(x**2, x, grad_outputs=seed)
    np.testing.assert_allclose(g, seed * 2 * x.data)  # J = diag(2x), so seed^T J = seed * 2x


def test_grad_outputs_for_several_outputs_are_summed():
    x = Value(3.0)
    (g,) = grad([x * x, x * 10.0], x, grad_outputs=[2.0, 0.5])
    assert g == 2.0 * 6.0 + 0.5 * 10.0


def test_grad_with_respect_to_an_intermediate_node():
    x = Value(2.0)
    hidden = x * x
    (g,) = grad(hidden.exp(), hidden)
    assert g == pytest.approx(math.exp(4.0))


def test_grad_with_create_graph_returns_nodes_that_differentiate_again():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    (first,) = grad((x**3).sum(), x, create_graph=True)
    assert isinstance(first, Tensor) and first.requires_grad
    (second,) = grad(first.sum(), x)
    np.testing.assert_allclose(second, 6 * x.data)

    v = Value(0.5)
    (first_v,) = grad(v.exp() * v, v, create_graph=True)
    assert isinstance(first_v, Value) and first_v.requires_grad
    (second_v,) = grad(first_v, v)
    assert second_v == pytest.approx((v.data + 2) * math.exp(v.data))


def test_grad_without_create_graph_returns_raw_numbers_and_arrays():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    (g,) = grad((x**3).sum(), x)
    assert isinstance(g, np.ndarray) and not isinstance(g, Tensor)  # (read as a GradientArray, an ndarray)
    v = Value(0.5)
    (gv,) = grad(v**3, v)
    assert type(gv) is float


def test_grad_retain_graph_is_accepted_and_the_graph_can_be_reused():
    x = Value(2.0)
    y = x**3
    (first,) = grad(y, x, retain_graph=True)
    (second,) = grad(y, x, retain_graph=False)
    assert first == second == 12.0


def test_grad_raises_for_an_input_the_outputs_do_not_use():
    x, unused = Value(1.0), Value(2.0)
    with pytest.raises(RuntimeError, match=r"inputs\[1\] is not used .*allow_unused=True"):
        grad(x * 2.0, [x, unused])


def test_grad_allow_unused_returns_none_for_unused_inputs():
    x, unused = Value(1.0), Value(2.0)
    assert grad(x * 2.0, [x, unused], allow_unused=True) == (2.0, None)
    t, other = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    gt, gother = grad((t * 4.0).sum(), [t, other], allow_unused=True)
    np.testing.assert_array_equal(gt, [4.0, 4.0])
    assert gother is None


def test_grad_of_an_output_without_graph_is_an_error_as_in_torch():
    x = Value(1.0)
    with no_grad():
        y = x * 2.0
    for allow_unused in (False, True):  # torch refuses it either way: there is nothing to differentiate
        with pytest.raises(RuntimeError, match=r"grad: element 0 of tensors does not require grad"):
            grad(y, x, allow_unused=allow_unused)
    with pytest.raises(RuntimeError, match=r"grad: element 1 of tensors does not require grad"):
        grad([x * 3.0, y], x)


def test_grad_of_an_unused_input_names_torch_s_remedy():
    x, unused = Value(1.0), Value(2.0)
    with pytest.raises(RuntimeError, match=r"inputs\[1\] is not used .*Set allow_unused=True"):
        grad(x * 2.0, [x, unused])


def test_grad_rejects_inputs_that_are_not_nodes():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"inputs\[1\] is a float, not a Value or Tensor"):
        grad(x * 2.0, [x, 3.0])


def test_grad_rejects_inputs_that_do_not_require_grad():
    x, constant = Value(1.0), Value(2.0, requires_grad=False)
    with pytest.raises(RuntimeError, match=r"inputs\[1\] does not require grad"):
        grad(x * constant, [x, constant])


def test_grad_rejects_outputs_that_are_not_nodes():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"outputs\[0\] is a ndarray, not a Value or Tensor"):
        grad(np.ones(2), x)


def test_grad_rejects_a_wrong_number_of_grad_outputs():
    x = Value(1.0)
    with pytest.raises(ValueError, match="got 2 grad_outputs for 1 outputs"):
        grad(x * 2.0, x, grad_outputs=[1.0, 2.0])


def test_grad_rejects_grad_outputs_of_the_wrong_shape():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"seed gradient has shape \(2,\), but the output has shape \(3,\)"):
        grad(x * 2.0, x, grad_outputs=np.ones(2))


def test_grad_requires_grad_outputs_for_a_non_scalar_output():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element outputs.*shape \(3,\)"):
        grad(x * 2.0, x)


# -- transforms ---------------------------------------------------------------------------------------


def test_derivative_of_a_scalar_function_of_a_number():
    d = derivative(lambda x: x.sin() * x)
    assert d(0.3) == pytest.approx(math.cos(0.3) * 0.3 + math.sin(0.3))
    assert type(d(0.3)) is float


def test_derivative_selects_the_argument_by_argnum():
    def f(a, b):
        return a * a * b

    assert derivative(f, argnum=0)(3.0, 5.0) == 30.0
    assert derivative(f, argnum=1)(3.0, 5.0) == 9.0


def test_derivative_of_a_function_of_an_array_is_the_gradient_array():
    gradient = derivative(lambda t: (t * t).sum())(np.array([1.0, -2.0]))
    np.testing.assert_array_equal(gradient, [2.0, -4.0])
    integer_input = derivative(lambda t: (t * t).sum())(np.array([1, 2]))
    np.testing.assert_array_equal(integer_input, [2.0, 4.0])


def test_derivative_of_a_constant_function_is_zero():
    assert derivative(lambda x: Value(3.0, requires_grad=False))(1.0) == 0.0
    np.testing.assert_array_equal(derivative(lambda t: t.sum() * 0.0 + 1.0)(np.ones(2)), [0.0, 0.0])
    np.testing.assert_array_equal(derivative(lambda t: Tensor(np.array(2.0)))(np.ones(2)), [0.0, 0.0])


def test_derivative_of_a_node_that_requires_grad_returns_a_node():
    x = Value(2.0)
    d = derivative(lambda v: v**3)(x)
    assert isinstance(d, Value) and d.requires_grad
    (second,) = grad(d, x)
    assert second == 12.0


def _central_difference(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def test_derivative_of_derivative_by_another_argument_is_the_mixed_partial():
    # d/dy d/dx (x y^2 + sin x) = 2 y, checked against differences of the analytic d/dx = y^2 + cos x
    f = lambda x, y: x * y * y + np.sin(x)  # noqa: E731
    mixed = derivative(derivative(f, 0), 1)(0.7, 1.3)
    assert mixed == pytest.approx(_central_difference(lambda y: y * y + math.cos(0.7), 1.3), rel=1e-8)


def test_derivative_keeps_the_dependence_on_a_node_the_function_closes_over():
    # g(x) = x * d/dy (x y) = x^2, so g'(3) = 6 (the inner derivative is x, a node of the outer call)
    g = lambda x: x * derivative(lambda y: x * y)(np.array(2.0))  # noqa: E731
    outer = derivative(g)(np.array(3.0))
    assert float(outer) == pytest.approx(_central_difference(lambda x: x * x, 3.0), rel=1e-8)


def test_derivative_inside_no_grad_still_differentiates_and_returns_a_number():
    with no_grad():
        d = derivative(np.sin)(1.0)
    assert not isinstance(d, Value)
    assert d == pytest.approx(_central_difference(math.sin, 1.0), rel=1e-8)


def test_derivative_of_a_function_of_constants_only_returns_plain_numbers():
    c = Value(2.0, requires_grad=False)
    d = derivative(lambda x: x * c)(1.5)
    assert type(d) is float and d == 2.0


def test_jacobian_of_a_value_function_of_a_number_is_its_derivative_as_a_value():
    computed = jacobian(lambda x: x * x * 2.0, 1.5)
    assert isinstance(computed, Value) and not computed.requires_grad
    assert computed.data == pytest.approx(6.0)


def test_transforms_refuse_a_call_mixing_tensors_and_numbers():
    with pytest.raises(TypeError, match="jacobian: The inputs given to jacobian must be either a Tensor"):
        jacobian(lambda t, a: t * a, (np.ones(2), 1.0))


def test_jacobian_of_a_function_not_depending_on_its_input_is_zero():
    computed = jacobian(lambda t: Tensor(np.ones(2)), np.ones(3))
    np.testing.assert_array_equal(computed, np.zeros((2, 3)))


def test_hessian_of_a_number_is_the_second_derivative():
    second = hessian(lambda x: x**4, 2.0)
    assert isinstance(second, Value) and float(second) == pytest.approx(48.0)


def test_hessian_of_a_linear_function_is_zero():
    computed = hessian(lambda t: (t * 3.0).sum(), np.ones(3))
    np.testing.assert_array_equal(computed, np.zeros((3, 3)))


def test_hvp_of_a_linear_function_is_zero():
    value, product = hvp(lambda t: (t * 3.0).sum(), np.ones(3), np.ones(3))
    assert float(value) == 9.0
    np.testing.assert_array_equal(product, np.zeros(3))


def test_transforms_leave_the_callers_array_unchanged():
    x = np.array([0.5, -1.0])
    copy = x.copy()
    hessian(lambda t: (t**3).sum(), x)
    hvp(lambda t: (t**3).sum(), x, np.ones(2))
    jacobian(lambda t: t * t, x)
    np.testing.assert_array_equal(x, copy)


# -- jvp (forward mode) -------------------------------------------------------------------------------------
def _mixing(t):
    """A nonlinear array function that mixes its entries: out_i = tanh(x_i) * sum(x^2) + x_0 (flattened)."""
    flat = t.reshape(-1)
    return flat.tanh() * (flat * flat).sum() + flat[:1]


@given(data=st.data())
def test_jvp_of_a_tensor_function_is_the_jacobian_times_v(data):
    x = data.draw(arrays(shapes(max_dims=2)))
    v = data.draw(arrays(x.shape))
    value, product = jvp(_mixing, x, v)
    np.testing.assert_allclose(value, _mixing(Tensor(x)).data)
    np.testing.assert_allclose(product, jacobian(_mixing, x).reshape(-1, x.size) @ v.reshape(-1), atol=1e-12)


@given(x=floats(), v=floats())
def test_jvp_of_a_value_function_is_the_derivative_times_v(x, v):
    value, product = jvp(lambda a: a.sin() * a, x, v)
    assert isinstance(value, Value) and isinstance(product, Value)
    assert float(value) == pytest.approx(math.sin(x) * x)
    assert float(product) == pytest.approx((math.cos(x) * x + math.sin(x)) * v, abs=1e-12)


def test_jvp_with_several_inputs_sums_their_directional_derivatives():
    a, b = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])
    va, vb = np.array([1.0, 2.0, -1.0]), np.array([0.2, 0.0, 3.0])
    _, product = jvp(lambda s, t: s * t.exp(), (a, b), (va, vb))
    np.testing.assert_allclose(product, va * np.exp(b) + a * np.exp(b) * vb)


def test_jvp_of_a_scalar_function_of_an_array_is_the_gradient_dotted_with_v():
    x, v = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    _, product = jvp(lambda t: (t**3).sum(), x, v)
    assert product.shape == () and product.item() == pytest.approx(float(3 * x**2 @ v))


def test_jvp_matches_torch_forward_mode():
    torch = pytest.importorskip("torch")
    x, v = np.array([[0.3, -1.2], [2.0, 0.7]]), np.array([[1.0, -0.5], [0.25, 2.0]])
    _, product = jvp(lambda t: (t @ t).sigmoid(), x, v)
    _, expected = torch.func.jvp(lambda t: torch.sigmoid(t @ t), (torch.tensor(x),), (torch.tensor(v),))
    np.testing.assert_allclose(product, expected.numpy(), rtol=1e-12)


def test_jvp_of_a_function_not_depending_on_its_input_is_zero():
    value, product = jvp(lambda t: Tensor(np.ones(2)), np.ones(3), np.ones(3))
    np.testing.assert_array_equal(value, np.ones(2))
    np.testing.assert_array_equal(product, np.zeros(2))


def test_jvp_of_a_linear_function_is_exact():
    _, product = jvp(lambda t: 3.0 * t - 1.0, np.array([1.0, 2.0]), np.array([0.5, -2.0]))
    np.testing.assert_array_equal(product, np.array([1.5, -6.0]))


def test_jvp_with_create_graph_returns_a_node_that_differentiates_again():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    _, constant = jvp(lambda t: t**3, x, np.array([1.0, 1.0]))
    assert not constant.requires_grad
    _, product = jvp(lambda t: t**3, x, np.array([1.0, 1.0]), create_graph=True)  # 3 x^2
    (second,) = grad(product.sum(), x)
    np.testing.assert_allclose(second, 6 * x.data)


def test_jvp_rejects_a_direction_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"jvp: v has invalid size: should be \(3,\) but got \(2,\)"):
        jvp(lambda t: t * 2.0, np.ones(3), np.ones(2))


def test_jvp_rejects_a_wrong_number_of_directions():
    with pytest.raises(ValueError, match="jvp: v is a tuple of invalid length: should be 2 but got 1"):
        jvp(lambda s, t: s * t, (np.ones(2), np.ones(2)), (np.ones(2),))


def test_jvp_rejects_a_function_that_returns_no_node():
    with pytest.raises(TypeError, match="jvp: The outputs of the user-provided function given to jvp must .* float"):
        jvp(lambda t: 1.0, 2.0, 1.0)


def test_jvp_rejects_an_array_direction_for_a_number_input():
    with pytest.raises(TypeError, match="jvp: The v given to jvp must be either a Tensor .* ndarray"):
        jvp(lambda a: a * 2.0, 1.0, np.ones(2))


def test_unused_input_error_uses_torchs_words():
    torch = pytest.importorskip("torch")
    torch_words = "appears to not have been used in the graph"
    x, unused = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=torch_words):
        grad((x * 2.0).sum(), [unused])
    x, unused = torch.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match=torch_words):
        torch.autograd.grad((x * 2.0).sum(), [unused])


def test_grad_with_no_inputs_raises_as_torch():
    torch = pytest.importorskip("torch")
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        grad((x * 2.0).sum(), [])
    theirs = torch.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        torch.autograd.grad((theirs * 2.0).sum(), [])


def test_grad_takes_torchs_arguments_in_torchs_order():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(np.array([3.0]), requires_grad=True)
    out = (x * x).sum()
    # torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, only_inputs, allow_unused, ...)
    (plain,) = grad(out, x, None, True)  # the fourth argument is retain_graph: no graph is built
    assert isinstance(plain, np.ndarray)
    np.testing.assert_array_equal(plain, [2.0, 4.0])
    (graphed,) = grad(out, x, None, True, True)
    assert isinstance(graphed, Tensor) and graphed.requires_grad
    used, unused = grad(out, [x, y], retain_graph=True, materialize_grads=True)  # zeros for y, as torch
    np.testing.assert_array_equal(used, [2.0, 4.0])
    np.testing.assert_array_equal(unused, [0.0])
    assert grad(out, [x, y], retain_graph=True, allow_unused=True)[1] is None
    (_, unused_node) = grad(out, [x, y], create_graph=True, materialize_grads=True)
    assert isinstance(unused_node, Tensor) and unused_node.requires_grad and unused_node.shape == (1,)  # as torch's
    np.testing.assert_array_equal(unused_node.data, [0.0])
    with pytest.raises(ValueError, match="allow_unused to be True or not passed when materialize_grads=True"):
        grad(out, [x, y], allow_unused=False, materialize_grads=True)
    with pytest.raises(ValueError, match="is_grads_batched=True needs grad_outputs"):
        grad(out, x, is_grads_batched=True)
    v = Value(2.0)
    assert grad(v * v, [v, Value(1.0)], materialize_grads=True) == (4.0, 0.0)


def test_batched_seeds_give_stacked_gradients_one_per_seed():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    seeds = np.stack([np.eye(2), np.ones((2, 2)), np.array([[0.0, 1.0], [2.0, 0.0]])])
    (batched,) = grad(x * x, x, grad_outputs=seeds, is_grads_batched=True)
    assert batched.shape == (3, 2, 2)
    for seed, result in zip(seeds, batched):  # d(x*x) seeded by s is 2 x s, one pass per seed
        np.testing.assert_array_equal(result, 2 * x.data * seed)
    (graphed,) = grad(x * x, x, grad_outputs=Tensor(seeds), is_grads_batched=True, create_graph=True)
    assert isinstance(graphed, Tensor) and graphed.requires_grad
    (second,) = grad(graphed.sum(), x)
    np.testing.assert_array_equal(second, 2 * seeds.sum(axis=0))
    with pytest.raises(ValueError, match="same length along its first"):
        grad([x * x, x.sum()], x, grad_outputs=[seeds, np.ones(2)], is_grads_batched=True)


def test_array_gradients_from_grad_have_torchs_tensor_methods():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (g,) = grad((x * x).sum(), x)
    assert g.size() == (3,) and g.size == 3 and g.numel() == 3 and not g.requires_grad
    np.testing.assert_array_equal(g.detach().numpy(), [2.0, 4.0, 6.0])
    assert type(g.numpy()) is np.ndarray and type(g * 2) is np.ndarray  # arithmetic stays plain


@pytest.mark.parametrize(
    ("name", "call", "f"),
    [
        ("hessian of a linear function", hessian, lambda a: a * 2.0),
        ("hessian of elu above 0", hessian, lambda a: a.elu()),
        ("jacobian of a detached output", jacobian, lambda a: a.detach()),
    ],
)
def test_a_value_derivative_that_has_no_graph_is_a_zero_value(name, call, f):
    # torch gives tensor(0.) where the derivative does not depend on the input (or the output on nothing)
    result = call(f, Value(2.0))
    assert isinstance(result, Value) and result.data == 0.0


def test_set_grad_enabled_takes_torchs_mode_keyword():
    from autograd import is_grad_enabled, set_grad_enabled

    with set_grad_enabled(mode=False):
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(TypeError, match="argument 'mode' must be bool"):
        set_grad_enabled(mode="no")
