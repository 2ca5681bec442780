"""Second and higher derivatives: every op against finite differences, exact cases, torch oracle.

Each differentiable op is checked with ``gradgradcheck`` (central differences of
the analytic gradient against the gradient of the gradient) inside the score
``s(y) = sum(w * y) + sum(y * y) / 2``. Its Hessian ``J^T J + sum_k (w_k + y_k) d2 y_k``
exercises both the op's rule applied to a gradient that depends on the input
(``J^T J``) and the rule's own dependence on the input (``d2 y_k``). Ops that are piecewise linear have a
second derivative that is zero almost everywhere; a separate test asserts the
Hessian of ``sum(w * op(x))`` is exactly zero for them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from op_table import score, weights

from autograd import Tensor, Value, backward_order, concatenate, grad, gradgradcheck, no_grad, pad, split, stack, where
from autograd.functional import derivative, hessian, hvp, jacobian
from autograd.testing import arrays, axes_for, broadcastable_shapes, floats, indices_for, shapes

SMALL = shapes(max_dims=2, max_side=3)


@st.composite
def separated_arrays(draw, shape_strategy=SMALL, spacing: float = 0.3):
    """Arrays whose elements are pairwise at least ``spacing`` apart (no ties for max/min/std)."""
    shape = draw(shape_strategy)
    size = int(np.prod(shape, dtype=np.int64))
    order = draw(st.permutations(range(size)))
    offset = draw(st.floats(-1.0, 1.0))
    return (np.array(order, dtype=np.float64).reshape(shape) - size / 2) * spacing + offset


# -- Value: every op ------------------------------------------------------------------------------

# The elementwise ops of the op table (tests/op_table.py) are checked there; these are the others.
VALUE_BINARY = {
    "max": (lambda x, y: x.max(y), floats(), floats()),
    "min": (lambda x, y: x.min(y), floats(), floats()),
    "sum": (lambda x, y: Value.sum([x, y * x, y]), floats(), floats()),
    "linear": (lambda x, y: Value.linear([x, y], [y, 2.0], x), floats(), floats()),
}


@pytest.mark.parametrize("name", sorted(VALUE_BINARY))
@given(data=st.data())
def test_value_binary_second_derivatives_match_finite_differences(name, data):
    function, domain_x, domain_y = VALUE_BINARY[name]
    x, y = data.draw(domain_x), data.draw(domain_y)
    if name in ("max", "min"):
        assume(abs(x - y) > 0.05)  # the split at a tie is a kink of the first derivative
    assert gradgradcheck(lambda a, b: score(function(a, b)), [x, y])


# -- Tensor: elementwise ----------------------------------------------------------------------------

TENSOR_UNARY = {
    "rmatmul": (lambda x: weights((2, x.size)) @ x.reshape(-1), {}),  # ndarray @ Tensor
}


@pytest.mark.parametrize("name", sorted(TENSOR_UNARY))
@given(data=st.data())
def test_tensor_unary_second_derivative_matches_finite_differences(name, data):
    function, domain = TENSOR_UNARY[name]
    x = data.draw(arrays(SMALL, **domain))
    assert gradgradcheck(lambda a: score(function(a)), [x])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data(), shape=SMALL, broadcast_y=st.booleans())
def test_tensor_maximum_minimum_second_derivatives_match_finite_differences(name, data, shape, broadcast_y):
    x = data.draw(arrays(shape))
    y = data.draw(arrays(shape[-1:] if broadcast_y else shape))
    assume(np.all(np.abs(x - y) > 0.05))  # away from ties, where the first derivative jumps
    assert gradgradcheck(lambda a, b: score(getattr(a, name)(b)), [x, y])


# -- Tensor: reductions -------------------------------------------------------------------------------

REDUCTIONS = {
    "sum": lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
    "mean": lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims),
    "var": lambda x, axis, keepdims: x.var(axis=axis, keepdims=keepdims),
    "var_ddof1": lambda x, axis, keepdims: x.var(axis=axis, ddof=1, keepdims=keepdims),
    "std": lambda x, axis, keepdims: x.std(axis=axis, keepdims=keepdims),
    "max": lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
    "min": lambda x, axis, keepdims: x.min(axis=axis, keepdims=keepdims),
    "logsumexp": lambda x, axis, keepdims: x.logsumexp(axis=axis, keepdims=keepdims),
    "prod": lambda x, axis, keepdims: x.prod(axis=axis, keepdims=keepdims),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data(), keepdims=st.booleans())
def test_reduction_second_derivatives_match_finite_differences(name, data, keepdims):
    # Distinct, separated entries: no ties for max/min, and std is away from its kink at var = 0.
    x = data.draw(separated_arrays(shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = data.draw(axes_for(x.ndim))
    if name == "var_ddof1":
        axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
        assume(int(np.prod([x.shape[a] for a in axes])) > 1)
    if name == "std":
        axes = range(x.ndim) if axis is None else np.atleast_1d(axis)
        assume(int(np.prod([x.shape[a] for a in axes])) > 1)  # one element: std = 0, not differentiable
    assert gradgradcheck(lambda a: score(REDUCTIONS[name](a, axis, keepdims)), [x])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_second_derivatives_match_finite_differences(name, data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=3, max_side=3)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert gradgradcheck(lambda a: score(getattr(a, name)(axis=axis)), [x])


# -- Tensor: matmul -------------------------------------------------------------------------------------

MATMUL_SHAPES = {
    "1d@1d": ((3,), (3,)),
    "1d@2d": ((3,), (3, 2)),
    "2d@1d": ((2, 3), (3,)),
    "2d@2d": ((2, 3), (3, 2)),
    "batched@2d": ((2, 2, 3), (3, 2)),
    "2d@batched": ((2, 3), (2, 3, 1)),
    "batched@batched broadcast": ((2, 1, 2, 3), (3, 3, 2)),
    "1d@batched": ((3,), (2, 3, 2)),
    "batched@1d": ((2, 2, 3), (3,)),
}


@pytest.mark.parametrize("case", sorted(MATMUL_SHAPES))
@given(data=st.data())
def test_matmul_second_derivatives_match_finite_differences(case, data):
    shape_a, shape_b = MATMUL_SHAPES[case]
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    assert gradgradcheck(lambda x, y: score(x @ y), [a, b])


# -- Tensor: shape ops, indexing, joins -----------------------------------------------------------------

SHAPE_OPS = {
    "reshape": lambda x: x.reshape(-1),
    "transpose": lambda x: x.transpose(),
    "permute": lambda x: x.permute(tuple(range(x.ndim))[::-1]),
    "swapaxes": lambda x: x.swapaxes(0, -1),
    "flatten": lambda x: x.flatten(),
    "squeeze": lambda x: x.expand_dims(0).squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(-1),
    "broadcast_to": lambda x: x.broadcast_to((2,) + x.shape),
    "T": lambda x: x.T,
    "pad": lambda x: pad(x, [(1, 2)] * x.ndim, constant_values=0.5),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
@given(x=arrays(shapes(min_dims=1, max_dims=3, max_side=3)))
def test_shape_op_second_derivatives_match_finite_differences(name, x):
    assert gradgradcheck(lambda a: score(SHAPE_OPS[name](a)), [x])


@given(data=st.data())
def test_getitem_with_repeated_indices_second_derivative_matches_finite_differences(data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=3, max_side=3)))
    index = data.draw(indices_for(x.shape))
    assert gradgradcheck(lambda a: score(a[index]), [x])


def test_getitem_repeats_accumulate_in_the_hessian():
    x = np.array([0.5, -1.0, 2.0])
    picks = np.array([0, 0, 2, 0])
    # f = sum(x[picks]**3) = 3 x0^3 + x2^3  ->  H = diag(18 x0, 0, 6 x2)
    computed = hessian(lambda t: (t[picks] ** 3).sum(), x)
    np.testing.assert_allclose(computed, np.diag([18 * x[0], 0.0, 6 * x[2]]), rtol=1e-12)


@given(data=st.data(), axis=st.integers(0, 1))
def test_concatenate_second_derivatives_match_finite_differences(data, axis):
    base = data.draw(shapes(min_dims=2, max_dims=2, max_side=3))
    other = list(base)
    other[axis] = data.draw(st.integers(1, 3))
    a, b = data.draw(arrays(base)), data.draw(arrays(tuple(other)))
    assert gradgradcheck(lambda x, y: score(concatenate([x, y], axis=axis)), [a, b])


@given(data=st.data())
def test_stack_second_derivatives_match_finite_differences(data):
    shape = data.draw(SMALL)
    a, b = data.draw(arrays(shape)), data.draw(arrays(shape))
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert gradgradcheck(lambda x, y: score(stack([x, y, x * y], axis=axis)), [a, b])


@given(data=st.data(), shape_triple=broadcastable_shapes(3, max_dims=2, max_side=3))
def test_where_second_derivatives_match_finite_differences(data, shape_triple):
    condition = data.draw(st.from_type(bool).map(np.bool_) | st.just(None))
    mask = data.draw(arrays(shape_triple[0])) > 0 if condition is None else condition
    a, b = data.draw(arrays(shape_triple[1])), data.draw(arrays(shape_triple[2]))
    assert gradgradcheck(lambda x, y: score(where(mask, x, y)), [a, b])


@given(x=arrays(shapes(min_dims=1, max_dims=2, min_side=2, max_side=4)))
def test_split_second_derivatives_match_finite_differences(x):
    assert gradgradcheck(lambda a: sum(score(piece) * (i + 1) for i, piece in enumerate(split(a, [1], axis=0))), [x])


def test_astype_second_derivative_is_exact_up_to_float32_rounding():
    x = np.array([0.5, -1.25, 2.0])
    # float32 cannot carry finite differences at eps = 1e-6, so compare with the closed form 6 x.
    computed = hessian(lambda t: (t.astype(np.float32) ** 3).sum(), x)
    np.testing.assert_allclose(computed, np.diag(6 * x), rtol=1e-6)


# -- ops whose second derivative is zero almost everywhere ---------------------------------------------

PIECEWISE_LINEAR_TENSOR = {
    "maximum": lambda x: x.maximum(0.25),
    "minimum": lambda x: x.minimum(0.25),
    "max": lambda x: x.max(axis=0),
    "min": lambda x: x.min(),
}


@pytest.mark.parametrize("name", sorted(PIECEWISE_LINEAR_TENSOR))
@given(x=arrays(shapes(min_dims=1, max_dims=2, max_side=3)))
def test_piecewise_linear_tensor_op_has_exactly_zero_hessian(name, x):
    function = PIECEWISE_LINEAR_TENSOR[name]
    computed = hessian(lambda t: (function(t) * weights(function(Tensor(x)).shape)).sum(), x)
    assert computed.shape == x.shape + x.shape
    assert np.array_equal(computed, np.zeros_like(computed))


PIECEWISE_LINEAR_VALUE = {
    "max": lambda x: x.max(0.25),
    "min": lambda x: x.min(0.25),
}


@pytest.mark.parametrize("name", sorted(PIECEWISE_LINEAR_VALUE))
@given(x=floats())
def test_piecewise_linear_value_op_has_exactly_zero_second_derivative(name, x):
    assert derivative(derivative(PIECEWISE_LINEAR_VALUE[name]))(x) == 0.0


def test_relu_squared_second_derivative_is_two_on_the_positive_side_and_zero_on_the_negative():
    # relu(x)^2 = x^2 for x > 0 and 0 for x < 0: the relu mask must stay in the graph of the gradient.
    second = derivative(derivative(lambda x: x.relu() * x.relu()))
    assert second(1.5) == 2.0
    assert second(-1.5) == 0.0
    np.testing.assert_array_equal(hessian(lambda t: (t.relu() ** 2).sum(), np.array([1.5, -1.5])), np.diag([2.0, 0.0]))


# -- exact cases -----------------------------------------------------------------------------------------


@given(x=floats(-5.0, 5.0))
def test_second_derivative_of_cube_is_six_x(x):
    assert derivative(derivative(lambda v: v**3))(x) == pytest.approx(6 * x, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(hessian(lambda t: (t**3).sum(), np.array([x, 2 * x])), np.diag([6 * x, 12 * x]))


@given(x=floats(-4.0, 4.0))
def test_second_derivative_of_tanh_is_minus_two_tanh_sech_squared(x):
    t = math.tanh(x)
    expected = -2 * t * (1 - t * t)
    assert derivative(derivative(lambda v: v.tanh()))(x) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert hessian(lambda v: v.tanh(), x) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    tensor_hessian = hessian(lambda v: v.tanh().sum(), np.array([x]))
    assert tensor_hessian[0, 0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(x=floats(-6.0, 6.0))
def test_second_derivative_of_sigmoid_is_s_times_one_minus_s_times_one_minus_two_s(x):
    s = 1 / (1 + math.exp(-x))
    expected = s * (1 - s) * (1 - 2 * s)
    assert derivative(derivative(lambda v: v.sigmoid()))(x) == pytest.approx(expected, rel=1e-10, abs=1e-15)
    tensor_hessian = hessian(lambda v: v.sigmoid().sum(), np.array([x]))
    assert tensor_hessian[0, 0] == pytest.approx(expected, rel=1e-10, abs=1e-15)


@given(x=floats())
def test_nested_derivative_gives_third_and_fourth_derivatives(x):
    third = derivative(derivative(derivative(lambda v: v.sin() + v**4)))
    assert third(x) == pytest.approx(-math.cos(x) + 24 * x, rel=1e-12, abs=1e-12)
    fourth = derivative(third)
    assert fourth(x) == pytest.approx(math.sin(x) + 24, rel=1e-12, abs=1e-12)
    third_of_exp_product = derivative(derivative(derivative(lambda t: (t.exp() * t).sum())))
    # d3/dx3 x e^x = (x + 3) e^x, elementwise
    np.testing.assert_allclose(third_of_exp_product(np.array([x])), [(x + 3) * math.exp(x)], rtol=1e-12, atol=1e-12)


@given(data=st.data(), n=st.integers(1, 5))
def test_hessian_of_quadratic_form_is_a_plus_a_transpose(data, n):
    a = data.draw(arrays((n, n)))
    x = data.draw(arrays((n,)))
    computed = hessian(lambda t: t @ Tensor(a) @ t, x)
    np.testing.assert_allclose(computed, a + a.T, rtol=1e-12, atol=1e-12)


def _rosenbrock_hessian(x: float, y: float) -> np.ndarray:
    # f = (1 - x)^2 + 100 (y - x^2)^2
    return np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])


@pytest.mark.parametrize("point", [(-1.2, 1.0), (1.0, 1.0), (0.3, -0.7)])
def test_rosenbrock_hessian_matches_closed_form_for_tensor_and_value(point):
    def rosenbrock(t):
        return (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2

    expected = _rosenbrock_hessian(*point)
    np.testing.assert_allclose(hessian(rosenbrock, np.array(point)), expected, rtol=1e-12)

    x, y = Value(point[0]), Value(point[1])
    gx, gy = grad((1 - x) ** 2 + 100 * (y - x**2) ** 2, [x, y], create_graph=True)
    rows = [[0.0 if h is None else h for h in grad(g, [x, y], retain_graph=True, allow_unused=True)] for g in (gx, gy)]
    np.testing.assert_allclose(rows, expected, rtol=1e-12)


@given(data=st.data(), n=st.integers(1, 4))
def test_hvp_equals_hessian_times_vector(data, n):
    x, v, w = data.draw(arrays((n,))), data.draw(arrays((n,))), data.draw(arrays((n,)))

    def f(t):
        return (t.tanh() * w).sum() * (t * t).sum() + t.softmax(axis=0).max()

    value, product = hvp(f, x, v)
    np.testing.assert_allclose(value, f(Tensor(x)).data)
    np.testing.assert_allclose(product, hessian(f, x) @ v, rtol=1e-9, atol=1e-12)


@given(x=floats(), v=floats())
def test_hvp_of_a_scalar_function_is_second_derivative_times_v(x, v):
    _, product = hvp(lambda t: t.sin() * t, x, v)
    assert float(product) == pytest.approx((2 * math.cos(x) - x * math.sin(x)) * v, abs=1e-12)


@given(x=arrays((3,)))
def test_jacobian_of_vector_function_matches_closed_form(x):
    def f(t):
        return stack([t[0] * t[1], t[2].sin(), t[0] ** 2 + t[2], (t * t).sum()])

    x0, x1, x2 = x
    expected = np.array(
        [
            [x1, x0, 0.0],
            [0.0, 0.0, math.cos(x2)],
            [2 * x0, 0.0, 1.0],
            [2 * x0, 2 * x1, 2 * x2],
        ]
    )
    np.testing.assert_allclose(jacobian(f, x), expected, rtol=1e-12, atol=1e-15)


def test_jacobian_of_matrix_function_has_output_shape_then_input_shape():
    x = np.arange(6.0).reshape(2, 3)
    computed = jacobian(lambda t: t.T * 2.0, x)
    assert computed.shape == (3, 2, 2, 3)
    expected = 2.0 * np.einsum("il,jk->ijkl", np.eye(3), np.eye(2))
    np.testing.assert_array_equal(computed, expected)


def test_hessian_of_composition_of_transforms_is_nested_graph():
    # The gradient returned with create_graph=True is a node: differentiating it twice more gives x-independent 6.
    x = Value(0.7)
    (first,) = grad(x**3, x, create_graph=True)
    (second,) = grad(first, x, create_graph=True)
    (third,) = grad(second, x)
    assert isinstance(first, Value) and isinstance(second, Value)
    assert first.data == pytest.approx(3 * 0.49)
    assert second.data == pytest.approx(6 * 0.7)
    assert third == pytest.approx(6.0)


def test_backward_with_create_graph_stores_differentiable_gradients():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    np.testing.assert_allclose(x.grad.data, 3 * x.data**2)
    (second,) = grad(x.grad.sum(), x)
    np.testing.assert_allclose(second, 6 * x.data)


def test_plain_backward_still_produces_raw_gradients_after_higher_order_passes():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    hessian(lambda t: (t**3).sum(), x.data)
    (x**3).sum().backward()
    assert type(x._grad) is np.ndarray and not isinstance(x.grad, Tensor)
    np.testing.assert_allclose(x.grad, 3 * x.data**2)
    v = Value(2.0)
    (v**3).backward()
    assert type(v.grad) is float and v.grad == 12.0


# -- torch oracle ---------------------------------------------------------------------------------------

_MIXING = np.random.default_rng(7).normal(size=(3, 2))
_TARGETS = np.random.default_rng(8).dirichlet(np.ones(3), size=2)

TORCH_HESSIAN_CASES = {
    "logsumexp + weighted softmax": (
        lambda t: t.logsumexp() + (t.softmax(axis=1) * Tensor(_TARGETS)).sum(),
        lambda t, torch: torch.logsumexp(t, dim=(0, 1)) + (torch.softmax(t, 1) * torch.tensor(_TARGETS)).sum(),
    ),
    "tanh layer": (
        lambda t: ((t @ Tensor(_MIXING)).tanh() ** 2).sum(),
        lambda t, torch: (torch.tanh(t @ torch.tensor(_MIXING)) ** 2).sum(),
    ),
    "cross entropy via log_softmax": (
        lambda t: -(t.log_softmax(axis=-1) * Tensor(_TARGETS)).sum(),
        lambda t, torch: -(torch.log_softmax(t, -1) * torch.tensor(_TARGETS)).sum(),
    ),
    "var and std": (
        lambda t: t.var(axis=0).sum() + t.std(),
        lambda t, torch: t.var(dim=0, unbiased=False).sum() + t.std(unbiased=False),
    ),
    "smooth activations": (
        lambda t: (t.mish() * t.elu() + t.softplus() * t.sigmoid()).sum(),
        lambda t, torch: (
            torch.nn.functional.mish(t) * torch.nn.functional.elu(t)
            + torch.nn.functional.softplus(t) * torch.sigmoid(t)
        ).sum(),
    ),
    "normalised rows": (
        lambda t: ((t / (t * t).sum(axis=1, keepdims=True).sqrt()) ** 3).sum(),
        lambda t, torch: ((t / (t * t).sum(dim=1, keepdim=True).sqrt()) ** 3).sum(),
    ),
}


@pytest.mark.parametrize("case", sorted(TORCH_HESSIAN_CASES))
@given(x=arrays((2, 3), away_from=[0.0], margin=0.1))
def test_tensor_hessian_matches_torch(case, x):
    torch = pytest.importorskip("torch")
    assume(x.std() > 0.1)  # std's derivative is singular where all entries are equal
    ours, theirs = TORCH_HESSIAN_CASES[case]
    expected = torch.autograd.functional.hessian(lambda t: theirs(t, torch), torch.tensor(x)).numpy()
    np.testing.assert_allclose(hessian(ours, x), expected, rtol=1e-9, atol=1e-10)


# -- docs/higher_order.md ---------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "higher_order.md"
DOC_BLOCKS = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_higher_order_docs_have_runnable_examples():
    assert len(DOC_BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(DOC_BLOCKS)))
def test_higher_order_docs_example_runs(index):
    exec(compile(DOC_BLOCKS[index], f"docs/higher_order.md block {index}", "exec"), {"__name__": "docs"})


@pytest.mark.parametrize("inputs", [None, "x"])
def test_backward_with_create_graph_inside_no_grad_still_records_the_accumulated_gradient(inputs):
    # torch's engine runs in the grad mode create_graph asks for, whatever the caller's mode
    for x in (Value(2.0), Tensor(np.array([1.0, 2.0]), requires_grad=True)):
        for step in (1, 2):  # the first .grad, then one added into it
            y = (x * x).sum() if isinstance(x, Tensor) else x * x
            with no_grad():
                y.backward(create_graph=True, inputs=None if inputs is None else [x])
            assert x.grad.requires_grad, f"step {step}"
            np.testing.assert_array_equal(np.asarray(x.grad.data), 2 * step * np.asarray(x.data))
        (second,) = grad(x.grad.sum() if isinstance(x, Tensor) else x.grad, [x])
        np.testing.assert_array_equal(np.asarray(getattr(second, "data", second)), 4 * np.ones_like(np.asarray(x.data)))


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")  # torch's, on a cycle
@pytest.mark.parametrize("inputs", [None, "x"])
@pytest.mark.parametrize("kind", ["Value", "Tensor"])
def test_plain_backward_into_a_grad_from_create_graph_keeps_its_graph_as_torchs(kind, inputs):
    # torch adds the plain pass's gradient into such a .grad in place, keeping its history: x.grad still requires
    # grad, and its derivative is that of the create_graph part (the plain part is a constant)
    torch = pytest.importorskip("torch")
    data = np.array([0.5, -1.0, 2.0]) if kind == "Tensor" else np.array(0.7)
    x = Tensor(data.copy(), requires_grad=True) if kind == "Tensor" else Value(float(data))
    t = torch.tensor(data, requires_grad=True)
    for node in (x, t):
        targets = None if inputs is None else [node]
        total = (lambda y: y) if isinstance(node, Value) else (lambda y: y.sum())
        total(node**3).backward(create_graph=True, inputs=targets)
        total(node.tanh()).backward(inputs=targets)
    assert x.grad.requires_grad and t.grad.requires_grad
    np.testing.assert_allclose(np.asarray(x.grad.data), t.grad.detach().numpy(), rtol=1e-12)
    (ours,) = grad(x.grad if kind == "Value" else x.grad.sum(), [x])
    (theirs,) = torch.autograd.grad(t.grad.sum(), [t])
    np.testing.assert_allclose(np.asarray(getattr(ours, "data", ours)), theirs.numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")  # torch's, on a cycle
@pytest.mark.parametrize("inputs", [None, "leaves"])
def test_create_graph_gradients_of_different_leaves_are_distinct_tensors_as_torchs(inputs):
    # x + y hands one gradient node to both x and y, and a leaf root gets the seed itself: torch's AccumulateGrad
    # stores a clone under create_graph, so changing x.grad (or v.grad) in place leaves y.grad (the seed) alone
    torch = pytest.importorskip("torch")
    data = {"x": [0.5, -1.0], "y": [1.5, 2.0], "w": [3.0, -0.5], "v": [1.0, 4.0]}
    ours = {name: Tensor(np.array(v), requires_grad=True) for name, v in data.items()}
    theirs = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True) for name, v in data.items()}
    seeds = []
    for leaves in (ours, theirs):
        x, y, w, v = leaves["x"], leaves["y"], leaves["w"], leaves["v"]
        ((x + y) * w).sum().backward(create_graph=True, inputs=None if inputs is None else [x, y, w])
        seed = w * 2
        v.backward(seed, create_graph=True, inputs=None if inputs is None else [v])
        seeds.append(seed)
        with no_grad() if leaves is ours else torch.no_grad():
            x.grad.mul_(10)
            v.grad.mul_(10)
    for name in "xyv":
        np.testing.assert_allclose(ours[name].grad.data, theirs[name].grad.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(seeds[0].data, seeds[1].detach().numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")  # torch's, on a cycle
@pytest.mark.parametrize("kind", ["Value", "Tensor"])
def test_plain_backwards_into_a_grad_from_create_graph_add_in_place_without_growing_its_graph(kind):
    # a training loop that ran one backward(create_graph=True) and then plain ones without zero_grad: torch adds
    # each gradient into that .grad in place, unrecorded, so it stays one tensor with one history (memory stays
    # flat); recording every sum chained a node per step onto it, each holding a gradient-sized array
    torch = pytest.importorskip("torch")
    data = np.array([0.5, -1.0, 2.0]) if kind == "Tensor" else np.array(0.7)
    x = Tensor(data.copy(), requires_grad=True) if kind == "Tensor" else Value(float(data))
    t = torch.tensor(data, requires_grad=True)
    graph_sizes, versions = [], []
    for node in (x, t):
        total = (lambda y: y) if isinstance(node, Value) else (lambda y: y.sum())
        total(node**3).backward(create_graph=True)
        first, version = node.grad, node.grad._version
        for step in range(30):
            total(node.tanh()).backward()
            assert node.grad is first, step
            if node is x:
                graph_sizes.append(len(backward_order([x.grad])))
        versions.append(node.grad._version - version)
    assert graph_sizes == [graph_sizes[0]] * 30  # no node added per step
    assert versions[0] == versions[1] == 30  # each addition is an in-place change of it
    np.testing.assert_allclose(np.asarray(x.grad.data), t.grad.detach().numpy(), rtol=1e-12)
    (ours,) = grad(x.grad if kind == "Value" else x.grad.sum(), [x])
    (theirs,) = torch.autograd.grad(t.grad.sum(), [t])
    np.testing.assert_allclose(np.asarray(getattr(ours, "data", ours)), theirs.numpy(), rtol=1e-12)


def test_create_graph_gradient_of_a_retained_intermediate_is_not_its_leafs_tensor_as_torchs():
    # z = x + y hands z's gradient node on to x unchanged: torch stores clones in z.grad (retain_grad) and x.grad,
    # so changing x.grad in place leaves z.grad alone
    torch = pytest.importorskip("torch")
    retained = []
    for leaf in (Tensor, lambda v: torch.tensor(v, dtype=torch.float64)):
        x, y, w = (leaf(np.array(v)).requires_grad_() for v in ([0.5, -1.0], [1.5, 2.0], [3.0, 2.0]))
        z = x + y
        z.retain_grad()
        (z * w).sum().backward(create_graph=True)
        with no_grad() if isinstance(x, Tensor) else torch.no_grad():
            x.grad.mul_(10)
        retained.append(z.grad)
    np.testing.assert_allclose(retained[0].data, retained[1].detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("op", ["abs", "relu", "leaky_relu"])
def test_zero_second_derivative_of_a_piecewise_linear_op_carries_no_graph_as_torchs(op):
    # d/dx of abs's (leaky_relu's) gradient is torch's zeros_like(grad): x counts as reached (zeros, not None), but
    # the zeros require no grad even where the upstream gradient depends on another leaf w, so a third pass raises
    # (relu's threshold_backward keeps its zeros connected to x in torch, and so here)
    torch = pytest.importorskip("torch")
    from nn.functional import leaky_relu

    ops = {
        "abs": (lambda t: t.abs(), lambda t: t.abs()),
        "relu": (lambda t: t.relu(), lambda t: t.relu()),
        "leaky_relu": (lambda t: leaky_relu(t, 0.1), lambda t: torch.nn.functional.leaky_relu(t, 0.1)),
    }
    results = []
    for side, leaf, grad_, force in (
        (1, lambda a: torch.tensor(a, requires_grad=True), torch.autograd.grad, {"force": True}),  # a ZeroTensor
        (0, lambda a: Tensor(a, requires_grad=True), grad, {}),
    ):
        x, w = leaf(np.array([[-1.5, 1.25, -0.75]])), leaf(np.array([[0.75], [-1.25]]))
        (gx,) = grad_((w @ ops[op][side](x)).sum(), [x], create_graph=True)
        hx, hw = grad_((gx * gx).sum(), [x, w], create_graph=True)
        try:
            third = grad_(hx.sum(), [x, w], allow_unused=True)
        except RuntimeError as error:
            assert "does not require grad" in str(error)
            third = None
        values = [np.asarray(h.detach().numpy(**force)) for h in (hx, hw)]
        results.append((hx.requires_grad, hw.requires_grad, third is None, *values))
    assert results[1][:3] == results[0][:3]
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=1e-12)
    np.testing.assert_allclose(results[1][4], results[0][4], rtol=1e-12)
