"""Port of HIPS autograd's test suite (tests/test_scalar_ops.py, test_numpy.py, test_systematic.py, test_graphs.py,
test_core.py, and the linalg cases of test_linalg.py) to this library.

HIPS differentiates numpy code: ``grad(f)(x)`` where ``f`` calls ``autograd.numpy``. Here the same functions call
plain ``numpy`` on Tensors (``__array_function__``/``__array_ufunc__``) or the Tensor methods, and every gradient is
checked as HIPS's ``check_grads`` checks it, in reverse mode up to second order: the vector-Jacobian product with a
random cotangent against central differences in float64, then the gradient of that product again (a Hessian-vector
product through ``create_graph=True``). Where torch has the op, values and both orders of gradient are compared with
torch's too (``torch_fun``, the same function written with torch's names).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value

EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-6


# -- the checker (HIPS's check_grads, reverse mode, order 2) ------------------------------------------------------
def _as_outputs(result: Any) -> list[Any]:
    """fun's result as a list of outputs (a tuple or list of tensors, or one)."""
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _data(x: Any) -> np.ndarray:
    if isinstance(x, (Tensor, Value)):
        return np.asarray(x.data, dtype=np.float64)
    if hasattr(x, "detach"):
        return x.detach().numpy(force=True).astype(np.float64)
    return np.asarray(x, dtype=np.float64)


def _inner(outputs: list[Any], cotangents: list[np.ndarray]) -> Any:
    """<outputs, cotangents>, a scalar node (or a number when no output is in the graph)."""
    total: Any = 0.0
    for out, v in zip(outputs, cotangents):
        if isinstance(out, (Tensor, Value)) and out.requires_grad:
            total = total + (out * Tensor(v)).sum() if isinstance(out, Tensor) else total + out * float(v)
    return total


def _vjp(
    fun: Callable[..., Any], leaves: list[Any], argnums: Sequence[int], cotangents: list[np.ndarray], create: bool
):
    """The gradients of <fun(*leaves), cotangents> with respect to the leaves at ``argnums`` (zeros for an unused one)."""
    scalar = _inner(_as_outputs(fun(*leaves)), cotangents)
    wanted = [leaves[i] for i in argnums]
    if not isinstance(scalar, (Tensor, Value)):
        return [Tensor(np.zeros_like(_data(w))) for w in wanted]
    grads = ag.grad(scalar, wanted, create_graph=create, allow_unused=True)
    return [Tensor(np.zeros_like(_data(w))) if g is None else g for g, w in zip(grads, wanted)]


def _leaf(a: Any, scalar_as_value: bool = False) -> Any:
    if scalar_as_value:
        return Value(float(a))
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def _numeric_gradient(fun: Callable[..., Any], arrays: list[np.ndarray], i: int, cotangents: list[np.ndarray]):
    """Central differences of <fun(*arrays), cotangents> along every element of arrays[i]."""
    grad = np.zeros_like(arrays[i])
    for k in np.ndindex(arrays[i].shape):
        values = []
        for step in (EPS, -EPS):
            moved = [a.copy() for a in arrays]
            moved[i][k] += step
            outs = _as_outputs(fun(*[_leaf(m) for m in moved]))  # (leaves: fun may be a gradient function)
            values.append(sum(float(np.sum(_data(o) * v)) for o, v in zip(outs, cotangents)))
        grad[k] = (values[0] - values[1]) / (2 * EPS)
    return grad


def _check_vjp(fun, arrays, argnums, rng):
    """fun's VJP against central differences at ``arrays``; returns the cotangents used."""
    leaves = [_leaf(a) for a in arrays]
    outputs = _as_outputs(fun(*leaves))
    cotangents = [rng.standard_normal(np.shape(_data(o))) for o in outputs]
    analytic = _vjp(fun, leaves, argnums, cotangents, create=False)
    for i, g in zip(argnums, analytic):
        numeric = _numeric_gradient(fun, arrays, i, cotangents)
        np.testing.assert_allclose(_data(g), numeric, rtol=1e-5, atol=1e-5, err_msg=f"gradient of argument {i}")
    return cotangents


def check_grads(fun, *args, argnums: Sequence[int] | None = None, order: int = 2, torch_fun=None, seed: int = 0):
    """HIPS's check_grads(fun, modes=["rev"], order=order)(*args): the VJP of ``fun`` at ``args`` (those at
    ``argnums``, default all) against central differences, then, for order 2, the VJP of that VJP (so the gradient
    is itself differentiable). With ``torch_fun``, the values and both orders of gradient are also torch's."""
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) for a in args]
    argnums = list(range(len(arrays))) if argnums is None else list(argnums)
    cotangents = _check_vjp(fun, arrays, argnums, rng)
    if order >= 2:

        def gradient_fun(*xs):
            return _vjp(fun, list(xs), argnums, cotangents, create=True)

        _check_vjp(gradient_fun, arrays, argnums, rng)
    if torch_fun is not None:
        _compare_with_torch(fun, torch_fun, arrays, argnums, cotangents, order, rng)


def _compare_with_torch(fun, torch_fun, arrays, argnums, cotangents, order, rng):
    torch = pytest.importorskip("torch")
    ours_in = [_leaf(a) for a in arrays]
    theirs_in = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    ours_out = _as_outputs(fun(*ours_in))
    theirs_out = _as_outputs(torch_fun(*theirs_in))
    assert len(ours_out) == len(theirs_out)
    for o, t in zip(ours_out, theirs_out):
        assert np.shape(_data(o)) == tuple(t.shape)
        np.testing.assert_allclose(_data(o), _data(t), rtol=RTOL, atol=ATOL)
    ours_g = _vjp(fun, ours_in, argnums, cotangents, create=True)
    scalar = sum((t * torch.tensor(v)).sum() for t, v in zip(theirs_out, cotangents) if t.requires_grad)
    wanted = [theirs_in[i] for i in argnums]
    theirs_g = torch.autograd.grad(scalar, wanted, create_graph=True, allow_unused=True, materialize_grads=True)
    for o, t in zip(ours_g, theirs_g):
        np.testing.assert_allclose(_data(o), _data(t), rtol=RTOL, atol=ATOL)
    if order >= 2:
        second = [rng.standard_normal(np.shape(a)) for a in (arrays[i] for i in argnums)]
        ours2 = _vjp(lambda *xs: _vjp(fun, list(xs), argnums, cotangents, True), ours_in, argnums, second, False)
        scalar2 = sum((t * torch.tensor(v)).sum() for t, v in zip(theirs_g, second) if t.requires_grad)
        if isinstance(scalar2, torch.Tensor):
            theirs2 = torch.autograd.grad(scalar2, wanted, allow_unused=True, materialize_grads=True)
        else:
            theirs2 = [np.zeros_like(arrays[i]) for i in argnums]
        for o, t in zip(ours2, theirs2):
            np.testing.assert_allclose(_data(o), _data(t), rtol=RTOL, atol=ATOL)


def grad(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """HIPS's grad: the gradient of a scalar function of its argument ``argnum``, differentiable again."""

    def gradient(*args):
        leaves = [a if isinstance(a, (Tensor, Value)) else _leaf(a) for a in args]
        out = fun(*leaves)
        if not isinstance(out, (Tensor, Value)) or not out.requires_grad:
            return Tensor(np.zeros_like(_data(leaves[argnum])))
        (g,) = ag.grad(out, leaves[argnum], create_graph=True, allow_unused=True, materialize_grads=True)
        return g

    return gradient


R = np.random.default_rng(1).standard_normal
U = np.random.default_rng(2).random


# -- test_scalar_ops.py: 3 * op(x) and its derivative, at many points, on Value and on a Tensor of the points ---------
# (name, numpy function, torch function, points): the points avoid each op's kinks and poles
SCALAR_OPS = [
    ("abs", np.abs, "abs", [-2.3, -1.1, -0.4, 0.3, 1.1, 2.7]),
    ("sign", np.sign, "sign", [-2.3, -1.1, 0.4, 1.1]),
    ("sin", np.sin, "sin", np.linspace(-4, 4, 9)),
    ("cos", np.cos, "cos", np.linspace(-4, 4, 9)),
    ("tan", np.tan, "tan", np.linspace(-1.4, 1.4, 9)),
    ("exp", np.exp, "exp", np.linspace(-3, 3, 9)),
    ("log", np.log, "log", [0.05, 0.3, 1.0, 2.5, 10.0]),
    ("neg", np.negative, "neg", np.linspace(-3, 3, 7)),
    ("cosh", np.cosh, "cosh", np.linspace(-3, 3, 9)),
    ("sinh", np.sinh, "sinh", np.linspace(-3, 3, 9)),
    ("tanh", np.tanh, "tanh", np.linspace(-3, 3, 9)),
    ("sqrt", np.sqrt, "sqrt", [0.05, 0.5, 1.0, 4.0]),
    ("square", np.square, "square", np.linspace(-3, 3, 7)),
    ("reciprocal", np.reciprocal, "reciprocal", [-3.0, -0.5, 0.4, 2.0]),
    ("arcsin", np.arcsin, "asin", np.linspace(-0.9, 0.9, 7)),
    ("arccos", np.arccos, "acos", np.linspace(-0.9, 0.9, 7)),
    ("arctan", np.arctan, "atan", np.linspace(-3, 3, 7)),
    ("log1p", np.log1p, "log1p", [-0.5, 0.0, 0.5, 3.0]),
    ("expm1", np.expm1, "expm1", np.linspace(-2, 2, 5)),
]


@pytest.mark.parametrize("name, op, torch_name, points", SCALAR_OPS, ids=[row[0] for row in SCALAR_OPS])
def test_scalar_op_on_values(name, op, torch_name, points):
    """grad and grad-of-grad of 3 * op(x) on a Value at each point against central differences."""

    def fun(x):
        return 3.0 * op(x)

    for x in points:
        d1 = grad(fun)(Value(float(x)))
        numeric1 = (fun(Value(x + 1e-6)).data - fun(Value(x - 1e-6)).data) / 2e-6
        assert d1.data == pytest.approx(numeric1, rel=1e-5, abs=1e-6), (name, x)
        d2 = grad(grad(fun))(Value(float(x)))
        numeric2 = (grad(fun)(Value(x + 1e-6)).data - grad(fun)(Value(x - 1e-6)).data) / 2e-6
        assert _data(d2) == pytest.approx(numeric2, rel=1e-5, abs=1e-5), (name, x)


@pytest.mark.parametrize("name, op, torch_name, points", SCALAR_OPS, ids=[row[0] for row in SCALAR_OPS])
def test_scalar_op_on_tensor_of_points(name, op, torch_name, points):
    torch = pytest.importorskip("torch")
    check_grads(lambda x: 3.0 * op(x), np.asarray(points), torch_fun=lambda x: 3.0 * getattr(torch, torch_name)(x))


# -- test_core.py: the binary operators at (0.7, 1.8), and at more points ------------------------------------------
BINARY_OPERATORS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "mod": operator.mod,
}


@pytest.mark.parametrize("name", list(BINARY_OPERATORS))
def test_binary_operator_on_values(name):
    op = BINARY_OPERATORS[name]
    for x, y in [(0.7, 1.8), (2.3, 0.6), (1.3, 2.9), (0.4, 0.3)]:
        for argnum in (0, 1):
            d = grad(lambda a, b: op(a, b), argnum)(Value(x), Value(y))
            h = 1e-6
            shifted = [(x + h, y), (x - h, y)] if argnum == 0 else [(x, y + h), (x, y - h)]
            numeric = (op(*shifted[0]) - op(*shifted[1])) / (2 * h)
            assert _data(d) == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, x, y, argnum)


@pytest.mark.parametrize("name", list(BINARY_OPERATORS))
def test_binary_operator_on_tensors(name):
    op = BINARY_OPERATORS[name]
    x = np.array([0.7, 2.3, 1.3, 0.4])
    y = np.array([1.8, 0.6, 2.9, 0.3])
    check_grads(op, x, y, torch_fun=op)


@pytest.mark.parametrize("op", [operator.eq, operator.ne, operator.le, operator.ge, operator.lt, operator.gt])
def test_comparisons_are_outside_the_graph(op):
    """HIPS: the comparisons' gradient is zero (with a warning); here they give constant boolean Tensors, as torch's."""
    x = Tensor(np.array([0.7, 1.8]), requires_grad=True)
    y = Tensor(np.array([1.8, 1.8]), requires_grad=True)
    out = op(x, y)
    assert not out.requires_grad
    np.testing.assert_array_equal(_data(out), op(np.array([0.7, 1.8]), np.array([1.8, 1.8])))
    (g,) = ag.grad((x * op(x, y)).sum(), x)
    np.testing.assert_array_equal(_data(g), op(np.array([0.7, 1.8]), np.array([1.8, 1.8])).astype(float))


# -- test_numpy.py ----------------------------------------------------------------------------------------------
def _torch():
    return pytest.importorskip("torch")


def test_dot():
    torch = _torch()
    mat1, mat2, vect1, vect2, vect3 = R((10, 11)), R((10, 11)), R(10), R(11), R(11)
    for x, y in [(mat1, vect2), (mat1, mat2.T), (vect1, mat1), (vect2, vect3)]:
        check_grads(np.dot, x, y, torch_fun=lambda a, b: torch.matmul(a, b))


def test_dot_with_floats():
    mat1, vect1, float1 = R((10, 11)), R(10), float(R())
    for x, y in [(mat1, float1), (float1, mat1), (vect1, float1), (float1, vect1)]:
        check_grads(np.dot, x, y, torch_fun=operator.mul)


def test_dot_method():
    torch = _torch()
    check_grads(lambda x, y: x.dot(y), R(11), R(11), torch_fun=lambda x, y: x.dot(y))
    check_grads(lambda x, y: x.dot(y), R((4, 3)), R((3, 2)), torch_fun=lambda x, y: torch.matmul(x, y))


def test_outer():
    torch = _torch()
    check_grads(np.outer, R(11), R(11), torch_fun=torch.outer)
    check_grads(np.outer, R(3), R(4), torch_fun=torch.outer)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, False), (1, True), ((0, 2), False)])
def test_max_min(name, axis, keepdims):
    torch = _torch()
    mat = R((3, 4, 5))
    fun = getattr(np, name)
    t_fun = getattr(torch, "amax" if name == "max" else "amin")
    dims = () if axis is None else axis
    check_grads(
        lambda x: fun(x, axis=axis, keepdims=keepdims), mat, torch_fun=lambda x: t_fun(x, dim=dims, keepdim=keepdims)
    )


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (0, True), ((1, 2), False), (-1, True)])
def test_sum_mean(name, axis, keepdims):
    torch = _torch()
    mat = R((4, 3, 2))
    t_fun = getattr(torch, name)
    dims = () if axis is None else axis
    if axis is None:
        expected = lambda x: t_fun(x).reshape((1, 1, 1) if keepdims else ())  # noqa: E731
    else:
        expected = lambda x: t_fun(x, dim=dims, keepdim=keepdims)  # noqa: E731
    check_grads(lambda x: getattr(np, name)(x, axis=axis, keepdims=keepdims), mat, torch_fun=expected)
    check_grads(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims), mat, torch_fun=expected)


def test_flips_and_rot90():
    torch = _torch()
    mat = R((4, 5))
    check_grads(np.flipud, mat, torch_fun=torch.flipud)
    check_grads(np.fliplr, mat, torch_fun=torch.fliplr)
    check_grads(np.rot90, mat, torch_fun=torch.rot90)
    check_grads(lambda x: np.rot90(x, 3), mat, torch_fun=lambda x: torch.rot90(x, 3))
    check_grads(lambda x: np.flip(x, axis=1), R((2, 3, 2)), torch_fun=lambda x: torch.flip(x, (1,)))


@pytest.mark.parametrize("shape, axis", [((10, 11), 0), ((10, 11), 1), ((10,), None), ((4, 5), None), ((3, 4), -1)])
def test_cumsum(shape, axis):
    torch = _torch()
    expected = (lambda x: torch.cumsum(x.reshape(-1), 0)) if axis is None else (lambda x: torch.cumsum(x, axis))
    check_grads(lambda x: np.cumsum(x, axis=axis), R(shape), torch_fun=expected)
    check_grads(lambda x: x.cumsum(axis), R(shape), torch_fun=expected)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumprod(axis):
    """Not in HIPS's file at this version; the brief asks for it: a zero in the data too (the exact gradient)."""
    torch = _torch()
    mat = R((3, 4))
    expected = (lambda x: torch.cumprod(x.reshape(-1), 0)) if axis is None else (lambda x: torch.cumprod(x, axis))
    check_grads(lambda x: np.cumprod(x, axis=axis), mat, torch_fun=expected)
    mat[1, 2] = 0.0
    check_grads(lambda x: np.cumprod(x, axis=axis), mat, torch_fun=expected)


def test_non_numpy_sum():
    check_grads(lambda x, y: sum([x, y]), R((10, 11)), R((10, 11)), torch_fun=lambda x, y: sum([x, y]))


INDEXERS = {
    "ints": lambda x: x[3, 0, 1],
    "slice": lambda x: x[::-1, 2:4, :],
    "lists": lambda x: x[[0, 1, 2], :, :],
    "mixed": lambda x: x[3, 2:, [1, 3]],
    "fanout": lambda x: x[::-1, 2:4, :] + x[::-1, 3:5, :],
    "ellipsis": lambda x: x[..., 1],
    "newaxis": lambda x: x[:, None, 1:3],
    "mask": lambda x: x[x > 0.3],
    "repeated": lambda x: x[[0, 0, 4, 0], 1],
    "negative": lambda x: x[-1, -2:, ::-2],
    "arrays": lambda x: x[[0, 2, 4], [1, 1, 5]],
}


@pytest.mark.parametrize("name", list(INDEXERS))
def test_indexing(name):
    A = R((5, 6, 4))
    fun = INDEXERS[name]
    torch_fun = fun if name not in ("slice", "fanout", "negative") else None  # (torch refuses negative steps)
    check_grads(fun, A, torch_fun=torch_fun, order=1)
    check_grads(lambda x: fun(x) ** 2, A)


def test_vector_slices_and_multiple_slices():
    check_grads(lambda x: x[2:4], R(5))
    check_grads(lambda x: x[2:6][1:3], R(7))
    check_grads(lambda x: np.sum(x[[0, 0]]), R(3))
    check_grads(lambda x: np.sum(x[[0, 1, 0]]), R(3))
    check_grads(lambda x: np.dot(x[:2], x[2:]), R(4))


def test_reshape_ravel_flatten():
    _torch()
    A = R((5, 6, 4))
    flat = lambda x: x.reshape(-1)  # noqa: E731
    check_grads(lambda x: x.reshape((5 * 4, 6)), A, torch_fun=lambda x: x.reshape((20, 6)))
    check_grads(lambda x: np.reshape(x, (5 * 4, 6)), A, torch_fun=lambda x: x.reshape((20, 6)))
    check_grads(lambda x: x.reshape(5 * 4, 6), A, torch_fun=lambda x: x.reshape(20, 6))
    check_grads(lambda x: x.reshape(4, -1, order="F"), R((2, 6)))
    np.testing.assert_array_equal(R((2, 6)).reshape(4, -1, order="F").shape, (4, 3))
    check_grads(lambda x: x.ravel(), A, torch_fun=flat)
    check_grads(np.ravel, A, torch_fun=flat)
    check_grads(lambda x: x.flatten(), A, torch_fun=flat)


def test_reshape_order_f_matches_numpy():
    x = R((2, 3, 2))
    for order in ("F", "C"):
        out = np.reshape(Tensor(x), (3, 4), order=order)
        np.testing.assert_array_equal(_data(out), np.reshape(x, (3, 4), order=order))
        np.testing.assert_array_equal(_data(np.ravel(Tensor(x), order=order)), np.ravel(x, order=order))


def test_append():
    check_grads(np.append, np.array([1.0, 2.0, 3.0]), 4.0)
    check_grads(lambda a, b: np.append(a, b, axis=0), R((2, 3)), R((1, 3)))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate(axis):
    torch = _torch()
    A, B = R((5, 6, 4)), R((5, 6, 4))
    check_grads(
        lambda x: np.concatenate((B, x, B), axis=axis),
        A,
        torch_fun=lambda x: torch.cat((torch.tensor(B), x, torch.tensor(B)), axis),
    )
    check_grads(lambda x, y: np.concatenate([x, y], axis), A, B, torch_fun=lambda x, y: torch.cat([x, y], axis))
    check_grads(lambda x: np.concatenate((A[:2], x)), R((4, 6, 4)))
    check_grads(lambda x, y: np.stack([x, y], axis=axis), A, B, torch_fun=lambda x, y: torch.stack([x, y], axis))
    check_grads(lambda x, y: np.hstack([x, y]), A, B, torch_fun=lambda x, y: torch.hstack([x, y]))
    check_grads(lambda x, y: np.vstack([x, y]), A, B, torch_fun=lambda x, y: torch.vstack([x, y]))


@pytest.mark.parametrize("shape, offset", [((10, 11), 3), ((11, 10), -4), ((5, 6, 4, 3), 2), ((4, 4), 0)])
def test_trace(shape, offset):
    check_grads(lambda x: np.trace(x, offset=offset), R(shape))


def test_trace_other_axes_and_matches_torch():
    torch = _torch()
    check_grads(lambda x: np.trace(x, offset=1, axis1=3, axis2=2), R((5, 6, 4, 3)))
    check_grads(lambda x: x.trace(), R((4, 4)), torch_fun=torch.trace)


def test_split():
    check_grads(lambda x: np.split(x, 2)[0], R(10))
    check_grads(lambda x: np.split(x, [1, 3], axis=1), R((2, 5)))
    check_grads(lambda x: np.array_split(x, 3), R(7))


def test_diag_and_diagonal():
    torch = _torch()
    check_grads(np.diag, R((10, 10)), torch_fun=torch.diag)
    check_grads(np.diag, R(4), torch_fun=torch.diag)
    check_grads(lambda x: np.diag(x, 1), R((3, 4)), torch_fun=lambda x: torch.diag(x, 1))
    check_grads(lambda x: np.diag(x, -1), R(3), torch_fun=lambda x: torch.diag(x, -1))
    check_grads(
        lambda x: np.diagonal(x, axis1=-1, axis2=-2),
        R((3, 4, 4)),
        torch_fun=lambda x: torch.diagonal(x, dim1=-1, dim2=-2),
    )
    check_grads(lambda x: np.diagonal(x, 1, 0, 2), R((3, 2, 4)), torch_fun=lambda x: torch.diagonal(x, 1, 0, 2))


def test_make_diagonal():
    """HIPS's np.make_diagonal(D, axis1=-1, axis2=-2) is torch's diag_embed."""
    torch = _torch()
    check_grads(ag.diag_embed, R(4), torch_fun=torch.diag_embed)
    check_grads(ag.diag_embed, R((3, 4)), torch_fun=torch.diag_embed)


def test_transposes():
    torch = _torch()
    check_grads(lambda x: x.T, R((8, 8)), torch_fun=lambda x: x.T)
    A = R((2, 3, 4))
    check_grads(lambda x: np.swapaxes(x, 0, 2), A, torch_fun=lambda x: torch.swapaxes(x, 0, 2))
    check_grads(lambda x: np.moveaxis(x, 0, -1), A, torch_fun=lambda x: torch.moveaxis(x, 0, -1))
    check_grads(lambda x: np.moveaxis(x, [0, 1], [2, 0]), A, torch_fun=lambda x: torch.moveaxis(x, (0, 1), (2, 0)))
    check_grads(lambda x: np.rollaxis(x, 2), A, torch_fun=lambda x: torch.moveaxis(x, 2, 0))
    check_grads(lambda x: np.rollaxis(x, 0, 2), A, torch_fun=lambda x: torch.moveaxis(x, 0, 1))
    check_grads(lambda x: np.rollaxis(x, 2, 1), A, torch_fun=lambda x: torch.moveaxis(x, 2, 1))
    for x in (A,):
        for start in range(-3, 4):
            for axis in range(-3, 3):
                np.testing.assert_array_equal(
                    _data(np.rollaxis(Tensor(x), axis, start)), np.rollaxis(x, axis, start), err_msg=str((axis, start))
                )


def test_roll():
    torch = _torch()
    check_grads(lambda x: np.roll(x, 2, axis=1), R((4, 5)), torch_fun=lambda x: torch.roll(x, 2, 1))
    check_grads(lambda x: np.roll(x, -3), R((4, 5)), torch_fun=lambda x: torch.roll(x, -3))
    check_grads(lambda x: np.roll(x, (1, 2), axis=(0, 1)), R((4, 5)), torch_fun=lambda x: torch.roll(x, (1, 2), (0, 1)))


@pytest.mark.parametrize("k", [-2, 0, 2])
def test_triu_tril(k):
    torch = _torch()
    check_grads(lambda x: np.triu(x, k=k), R((5, 5)), torch_fun=lambda x: torch.triu(x, k))
    check_grads(lambda x: np.tril(x, k=k), R((4, 5)), torch_fun=lambda x: torch.tril(x, k))
    check_grads(lambda x: np.tril(x, k=k), R((2, 4, 5)), torch_fun=lambda x: torch.tril(x, k))


def test_clip():
    torch = _torch()
    mat = R((5, 5))
    check_grads(lambda x: np.clip(x, a_min=0.1, a_max=1.1), mat, torch_fun=lambda x: torch.clamp(x, 0.1, 1.1))
    check_grads(lambda x: np.clip(x, 0.1, None), mat, torch_fun=lambda x: torch.clamp(x, min=0.1))
    check_grads(lambda x: x.clip(-0.5, 0.5), mat, torch_fun=lambda x: torch.clamp(x, -0.5, 0.5))
    lo, hi = R((5, 5)) - 1.0, R((5, 5)) + 1.0
    check_grads(np.clip, mat, lo, hi, torch_fun=torch.clamp)


@pytest.mark.parametrize(
    "shape, axis, keepdims",
    [((2, 3), None, False), ((2, 3), 0, False), ((2, 3), 0, True), ((7,), None, False), ((2, 3, 2), (0, 2), True)],
)
def test_prod(shape, axis, keepdims):
    mat = R(shape) ** 2 + 0.1
    check_grads(lambda x: np.prod(x, axis=axis, keepdims=keepdims), mat)


def test_prod_matches_torch_with_a_zero():
    torch = _torch()
    mat = R((3, 4))
    mat[0, 1] = 0.0
    mat[2, 1] = 0.0
    check_grads(lambda x: np.prod(x, axis=1), mat, torch_fun=lambda x: torch.prod(x, 1))
    check_grads(lambda x: np.prod(x, axis=0), mat, torch_fun=lambda x: torch.prod(x, 0))


def test_arrays_built_from_nodes():
    """HIPS's np.array([x, x * 1.0, x + 2.5]) of boxes: here np.array reads a Tensor as constants, so the arrays are
    built with autograd.stack (np.array on Tensors that require grad is a copy out of the graph, as torch's)."""
    torch = _torch()
    check_grads(lambda x: ag.stack([x, x * 1.0, x + 2.5]), 3.0, torch_fun=lambda x: torch.stack([x, x * 1.0, x + 2.5]))

    def two_d(x, stack):
        return stack([stack([x, x * 1.0, x + 2.5]), stack([x**2, x, x / 2.0])])

    check_grads(lambda x: two_d(x, ag.stack), 3.0, torch_fun=lambda x: two_d(x, torch.stack))
    check_grads(lambda x: two_d(x, ag.stack) + two_d(x, ag.stack), 3.0)
    check_grads(lambda x: ag.stack([x, x]), R((3, 2)), torch_fun=lambda x: torch.stack([x, x]))
    check_grads(lambda x: ag.stack([ag.stack([2 * x, x + 1]), ag.stack([x, x])]), R((3, 2)))
    check_grads(lambda x: np.stack([x, x * 1.0, x + 2.5]), 3.0)


def test_len():
    def fun(x):
        assert len(x) == 3
        return x

    check_grads(fun, R((3, 2)))


def test_r_and_c():
    """HIPS's np.r_[x, c, x] and np.c_[...] of boxes are np.concatenate / np.column_stack here (np.r_ reads
    Tensors as constants)."""
    c = R((3, 2))
    check_grads(lambda x: np.concatenate([x]), R((3, 2)))
    check_grads(lambda x: np.concatenate([x, x]), R((3, 2)))
    check_grads(lambda x: np.concatenate([x, c, x]), R((3, 2)))
    c10 = R(10)
    check_grads(lambda x: np.concatenate([x, c10, np.arange(1, 10)]), R(10))
    check_grads(lambda x: np.column_stack([x, c, x]), R((3, 2)))
    check_grads(lambda x: np.concatenate([x, c, x], axis=1), R((3, 2)))


def test_no_relation():
    c = R((3, 2))
    check_grads(lambda x: Tensor(c), R((3, 2)))
    check_grads(lambda x: np.concatenate([Tensor(c)]), R((3, 2)))


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_ddof(name):
    torch = _torch()
    B, C, D = R(3), R((3, 4)), R((1, 3))

    def theirs(ddof, axis, keepdims):
        return lambda x: getattr(torch, name)(x, dim=axis, correction=ddof, keepdim=keepdims)

    for x in (B, C, D):
        for keepdims in (True, False):
            for ddof in (0, 1):
                combo = dict(axis=None, keepdims=keepdims, ddof=ddof)
                if x.size - ddof > 0:
                    check_grads(lambda a, c=combo: getattr(np, name)(a, **c), x, torch_fun=theirs(ddof, None, keepdims))
                    check_grads(lambda a, c=combo: getattr(a, name)(**c), x)
    for x in (C, D):
        for axis in (None, 1, 0):
            for keepdims in (True, False):
                n = x.size if axis is None else x.shape[axis]
                if n > 2:
                    combo = dict(axis=axis, keepdims=keepdims, ddof=2)
                    check_grads(lambda a, c=combo: getattr(np, name)(a, **c), x, torch_fun=theirs(2, axis, keepdims))


def test_where():
    torch = _torch()
    C = R((4, 5)) > 0
    check_grads(
        lambda x, y: np.where(C, x, y), R((4, 5)), R((4, 5)), torch_fun=lambda x, y: torch.where(torch.tensor(C), x, y)
    )
    check_grads(lambda x: np.where(x > 0, x, 0.1 * x), R((4, 5)))
    check_grads(
        lambda x, y: np.where(C[:1], x, y),
        R((4, 1)),
        R(5),
        torch_fun=lambda x, y: torch.where(torch.tensor(C[:1]), x, y),
    )


def test_squeeze_expand_dims():
    torch = _torch()
    A = R((5, 1, 4))
    check_grads(np.squeeze, A, torch_fun=torch.squeeze)
    check_grads(lambda x: x.squeeze(), A, torch_fun=torch.squeeze)
    check_grads(lambda x: np.squeeze(x, axis=1), A, torch_fun=lambda x: torch.squeeze(x, 1))
    check_grads(lambda x: np.expand_dims(x, 2), A, torch_fun=lambda x: torch.unsqueeze(x, 2))
    check_grads(lambda x: np.expand_dims(x, (0, -1)), A)
    assert np.expand_dims(Tensor(A), (0, -1)).shape == np.expand_dims(A, (0, -1)).shape


@pytest.mark.parametrize(
    "shape, repeats, axis",
    [
        ((5, 3, 4), 2, 1),
        ((5, 3, 4), 1, 1),
        ((5, 3), 2, 0),
        ((5,), 2, 0),
        ((5, 1), 1, 0),
        ((2, 3), 2, None),
        ((3,), [1, 0, 2], 0),
    ],
)
def test_repeat(shape, repeats, axis):
    check_grads(lambda x: np.repeat(x, repeats, axis=axis), R(shape))


def test_tensordot_kwargs_by_position():
    g = grad(lambda x: np.sum(np.tensordot(x * np.ones((2, 2)), x * np.ones((2, 2)), 2)))(1.0)
    assert _data(g) == pytest.approx(8.0)


def test_cast_to_int():
    inds = np.ones(5)[:, None]

    def fun(w):
        np.concatenate((w, inds), axis=1)
        new_w = w[:, :-1]
        new_inds = w[:, -1].astype(np.int64)
        assert new_inds.dtype == np.int64
        return new_w[new_inds].sum()

    w = R((5, 10))
    w[:, -1] = [0.5, 1.2, 3.7, -2.3, 4.1]  # (the rows picked: 0, 1, 3, -2, 4)
    check_grads(fun, w)


def test_nan_to_num():
    y = np.array([0.0, np.nan, np.inf, -np.inf])
    torch = _torch()
    check_grads(
        lambda x: np.sum(np.sin(np.nan_to_num(x + y))),
        R(4),
        torch_fun=lambda x: torch.sin(torch.nan_to_num(x + torch.tensor(y))).sum(),
    )


def test_max_equal_values():
    """Ties: the gradient is split evenly among the tied entries (HIPS's rule, torch's amax)."""
    torch = _torch()
    check_grads(lambda x: np.max(ag.stack([x, x])), 1.0, torch_fun=lambda x: torch.amax(torch.stack([x, x])))

    def two_d(x, stack, amax):
        return amax(stack([stack([x, x]), stack([x, x * 0 + 0.5])]), 1)

    for x in (1.0, -1.0):
        check_grads(
            lambda a: two_d(a, ag.stack, lambda t, d: np.max(t, axis=d)),
            x,
            torch_fun=lambda a: two_d(a, torch.stack, torch.amax),
        )

    def three_way(x, stack, amin):
        h = x * 0 + 0.5
        rows = [[x, x, x], [x, h, h], [h, h, h], [x, x, h]]
        return amin(stack([stack(r) for r in rows]), 0)

    for x in (1.0, -1.0):
        check_grads(
            lambda a: three_way(a, ag.stack, lambda t, d: np.min(t, axis=d)),
            x,
            torch_fun=lambda a: three_way(a, torch.stack, torch.amin),
        )


def test_maximum_equal_values():
    torch = _torch()
    check_grads(lambda x: np.maximum(x, x), 1.0, torch_fun=lambda x: torch.maximum(x, x))

    def fun(x, stack, maximum):
        h = x * 0 + 0.5
        return maximum(stack([x, x, h]), stack([stack([x, h, x]), stack([x, x, h])]))

    for x in (1.0, -1.0, 2.0):
        check_grads(lambda a: fun(a, ag.stack, np.maximum), x, torch_fun=lambda a: fun(a, torch.stack, torch.maximum))


def test_linspace():
    for num in [0, 1, 5]:
        for start, stop in [(1.2, 3.4), (1.2, -3.4), (1.2, 1.2)]:
            check_grads(lambda x, y, n=num: np.linspace(x, y, n), start, stop)


def test_astype():
    x = Tensor(np.arange(3, dtype="float32"), requires_grad=True)
    (g,) = ag.grad(np.sum(np.sin(x.astype("float64"))), x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, np.cos(np.arange(3.0)), rtol=1e-6)


# -- test_systematic.py ----------------------------------------------------------------------------------------
def _lims(lims, x):
    return x * (lims[1] - lims[0]) + lims[0]


def _torch_stat(name):
    """torch's spelling of numpy's statistic ``name`` with numpy's axis/keepdims (and numpy's ddof=0 for var/std)."""

    def call(x, axis=None, keepdims=False):
        torch = _torch()
        dims = () if axis is None else axis
        if name in ("var", "std"):
            return getattr(torch, name)(x, dim=None if axis is None else axis, correction=0, keepdim=keepdims)
        if name == "prod":
            flat = x.reshape(-1) if axis is None else x
            out = torch.prod(flat, 0 if axis is None else axis, keepdim=keepdims)
            return out.reshape((1,) * x.ndim) if axis is None and keepdims else out
        if name in ("sum", "mean"):
            if axis is None:
                out = getattr(torch, name)(x)
                return out.reshape((1,) * x.ndim) if keepdims else out
            return getattr(torch, name)(x, dim=axis, keepdim=keepdims)
        return getattr(torch, {"max": "amax", "min": "amin"}[name])(x, dim=dims, keepdim=keepdims)

    return call


@pytest.mark.parametrize("name", ["max", "min", "mean", "sum", "prod", "var", "std"])
def test_stat(name):
    """HIPS's stat_check: a number, 0-d, and 1-D/2-D arrays over axis None/0/1 and keepdims (real inputs)."""
    fun, theirs = getattr(np, name), _torch_stat(name)
    A, B, C, D = R(()), R(3), R((2, 3)), R((1, 3))
    check_grads(fun, 3.5, torch_fun=theirs)
    check_grads(fun, A, torch_fun=theirs)
    for x, axes in [(B, (None, 0)), (C, (None, 0, 1)), (D, (None, 0, 1))]:
        for axis in axes:
            for keepdims in (True, False):
                if name in ("var", "std") and (x.shape[axis] if axis is not None else x.size) == 1:
                    continue  # (a spread of one element: std's derivative at 0 is nan in both libraries)
                check_grads(
                    lambda a, ax=axis, k=keepdims: fun(a, axis=ax, keepdims=k),
                    x,
                    torch_fun=lambda a, ax=axis, k=keepdims: theirs(a, ax, k),
                )


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_are_outside_the_graph(name):
    x = Tensor(R((2, 3)), requires_grad=True)
    out = getattr(np, name)(x > 0, axis=0)
    assert not getattr(out, "requires_grad", False)
    np.testing.assert_array_equal(_data(out), getattr(np, name)(_data(x) > 0, axis=0))


# (numpy function, limits, torch function)
UNARY = {
    "sin": (np.sin, [-2, 2], "sin"),
    "abs": (np.abs, [0.1, 4.0], "abs"),
    "absolute": (np.absolute, [0.1, 4.0], "abs"),
    "fabs": (np.fabs, [-2, 2], "abs"),
    "arccosh": (np.arccosh, [1.1, 4.0], "acosh"),
    "arcsinh": (np.arcsinh, [-0.9, 0.9], "asinh"),
    "arctanh": (np.arctanh, [-0.9, 0.9], "atanh"),
    "ceil": (np.ceil, [-1.5, 1.5], "ceil"),
    "floor": (np.floor, [-1.5, 1.5], "floor"),
    "cos": (np.cos, [-2, 2], "cos"),
    "cosh": (np.cosh, [-2, 2], "cosh"),
    "deg2rad": (np.deg2rad, [-2, 2], "deg2rad"),
    "degrees": (lambda x: np.degrees(x) / 50.0, [-2, 2], None),
    "radians": (np.radians, [-2, 2], "deg2rad"),
    "rad2deg": (lambda x: np.rad2deg(x) / 50.0, [-2, 2], None),
    "exp": (np.exp, [-2, 2], "exp"),
    "exp2": (np.exp2, [-2, 2], "exp2"),
    "expm1": (np.expm1, [-2, 2], "expm1"),
    "log": (np.log, [0.2, 2.0], "log"),
    "log10": (np.log10, [0.2, 2.0], "log10"),
    "log1p": (np.log1p, [0.2, 2.0], "log1p"),
    "log2": (np.log2, [0.2, 2.0], "log2"),
    "sign": (np.sign, [-2, 2], "sign"),
    "sinh": (np.sinh, [-2, 2], "sinh"),
    "sqrt": (np.sqrt, [1.0, 3.0], "sqrt"),
    "square": (np.square, [-2, 2], "square"),
    "tan": (np.tan, [-1.1, 1.1], "tan"),
    "tanh": (np.tanh, [-2, 2], "tanh"),
    "real": (np.real, [-2, 2], "real"),
    "real_if_close": (np.real_if_close, [-2, 2], None),
    "conj": (np.conj, [-2, 2], "conj"),
    "positive": (np.positive, [-2, 2], "positive"),
    "negative": (np.negative, [-2, 2], "negative"),
    "cbrt": (np.cbrt, [0.2, 2.0], None),
    "reciprocal": (np.reciprocal, [0.3, 2.0], "reciprocal"),
    "rint": (np.rint, [-1.4, 1.4], "round"),
    "trunc": (np.trunc, [-1.4, 1.4], "trunc"),
    "sinc": (np.sinc, [-2, 2], "sinc"),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_ufunc(name):
    """HIPS's unary_ufunc_check: a number, a vector, a 3x2 and a 1x2 matrix in the op's limits (real inputs)."""
    fun, lims, torch_name = UNARY[name]
    rng = np.random.default_rng(len(name))
    theirs = None if torch_name is None else getattr(_torch(), torch_name)
    for x in (
        _lims(lims, 0.4),
        _lims(lims, rng.random(2)),
        _lims(lims, rng.random((3, 2))),
        _lims(lims, rng.random((1, 2))),
    ):
        check_grads(fun, x, torch_fun=theirs)


def test_imag_and_angle_of_real_data():
    """np.imag and np.angle of real data are constants (0, and 0 or pi): gradient zero."""
    x = R((3, 2))
    check_grads(np.imag, x)
    check_grads(lambda a: np.angle(a) + a, np.abs(x) + 0.1)


# (function, limits of A, limits of B, torch function, same args allowed)
BINARY = {
    "add": (np.add, [-2, 2], [-2, 2], "add"),
    "subtract": (np.subtract, [-2, 2], [-2, 2], "sub"),
    "multiply": (np.multiply, [-2, 2], [-2, 2], "mul"),
    "logaddexp": (np.logaddexp, [-2, 2], [-2, 2], "logaddexp"),
    "logaddexp2": (np.logaddexp2, [-2, 2], [-2, 2], "logaddexp2"),
    "remainder": (np.remainder, [-0.9, 0.9], [0.7, 1.9], "remainder"),
    "true_divide": (np.true_divide, [-2, 2], [0.3, 2.0], "true_divide"),
    "true_divide_neg": (np.true_divide, [-2, 2], [-0.3, -2.0], "true_divide"),
    "mod": (np.mod, [-2, 2], [0.8, 2.1], "remainder"),
    "mod_neg": (np.mod, [-2, 2], [-0.3, -2.0], "remainder"),
    "fmod": (np.fmod, [-2, 2], [0.8, 2.1], "fmod"),
    "power": (np.power, [0.7, 2.0], [-2, 2], "pow"),
    "arctan2": (np.arctan2, [-2, 2], [0.3, 2.0], "atan2"),
    "hypot": (np.hypot, [0.3, 2], [-2, -0.3], "hypot"),
    "copysign": (np.copysign, [-2, 2], [0.3, 2.0], "copysign"),
    "maximum": (np.maximum, [-2, 2], [-2, 2], "maximum"),
    "minimum": (np.minimum, [-2, 2], [-2, 2], "minimum"),
    "fmax": (np.fmax, [-2, 2], [-2, 2], "fmax"),
    "fmin": (np.fmin, [-2, 2], [-2, 2], "fmin"),
    "op.mul": (operator.mul, [-2, 2], [-2, 2], "mul"),
    "op.add": (operator.add, [-2, 2], [-2, 2], "add"),
    "op.sub": (operator.sub, [-2, 2], [-2, 2], "sub"),
    "op.mod": (operator.mod, [-2, 2], [0.3, 2.0], "remainder"),
    "op.mod_neg": (operator.mod, [-2, 2], [-0.3, -2.0], "remainder"),
    "op.truediv": (operator.truediv, [-2, 2], [0.5, 2.0], "true_divide"),
    "op.pow": (operator.pow, [0.7, 2.0], [-2, 2], "pow"),
    "op.floordiv": (operator.floordiv, [-2, 2], [0.3, 2.0], None),  # (torch: no derivative for floor_divide)
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_ufunc(name):
    """HIPS's binary_ufunc_check(_no_same_args): every pair of a number, a vector, a 3x2 and a 1x2 matrix
    (broadcasting both ways), distinct draws for A and B so the kinks of mod and maximum are not met."""
    fun, lims_a, lims_b, torch_name = BINARY[name]
    rng = np.random.default_rng(len(name))
    shapes = [(), (2,), (3, 2), (1, 2)]
    theirs = None if torch_name is None else getattr(_torch(), torch_name)
    for shape_a, shape_b in itertools.product(shapes, shapes):
        a = _lims(lims_a, rng.random(shape_a))
        b = _lims(lims_b, rng.random(shape_b))
        check_grads(fun, a, b, torch_fun=theirs)


PERMUTATIONS = [None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2], [1, 2, 0]]


@pytest.mark.parametrize("axes", PERMUTATIONS, ids=str)
def test_transpose(axes):
    torch = _torch()
    theirs = (lambda x: x.permute(2, 1, 0)) if axes is None else (lambda x: x.permute(*axes))
    check_grads(lambda x: np.transpose(x, axes=axes), R((2, 3, 4)), torch_fun=theirs)
    check_grads(lambda x: x.transpose(axes), R((2, 3, 4)), torch_fun=theirs)
    assert torch is not None


def test_dot_combos():
    torch = _torch()
    for x in (1.5, R(3), R((2, 3))):
        for y in (0.3, R(3), R((3, 4))):
            theirs = operator.mul if np.ndim(x) == 0 or np.ndim(y) == 0 else torch.matmul
            check_grads(np.dot, x, y, torch_fun=theirs)
    check_grads(np.dot, R((2, 3, 4)), R((5, 4, 2)))  # numpy's N-d dot: sum over x's last and y's second-to-last


@pytest.mark.parametrize(
    "xs, ys, axes",
    [
        ([(1, 3), (2, 3, 2)], [(3,), (3, 1), (3, 4, 2)], [(1,), (0,)]),
        ([(3,), (3, 1), (3, 4, 2)], [(1, 3), (2, 3, 2)], [(0,), (1,)]),
        ([(2, 3), (2, 3, 4)], [(1, 2, 3), (2, 2, 3, 4)], [(0, 1), (1, 2)]),
        ([(2, 3), (2, 3, 4)], [(1, 2, 3), (2, 2, 3, 4)], [(1, 0), (2, 1)]),
        ([(2, 2), (4, 2, 2)], [(2, 2), (2, 2, 4)], 1),
        ([(2, 2), (4, 2, 2)], [(2, 2), (2, 2, 4)], 2),
    ],
    ids=str,
)
def test_tensordot(xs, ys, axes):
    torch = _torch()
    theirs_axes = axes if isinstance(axes, int) else [list(axes[0]), list(axes[1])]
    for shape_x, shape_y in itertools.product(xs, ys):
        check_grads(
            lambda x, y: np.tensordot(x, y, axes=axes),
            R(shape_x),
            R(shape_y),
            torch_fun=lambda x, y: torch.tensordot(x, y, dims=theirs_axes),
        )


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_combos(name):
    torch = _torch()
    shapes = [(1,), (1, 4), (3, 4)]
    for sa, sb in itertools.product(shapes, shapes):
        check_grads(getattr(np, name), R(sa), R(sb), torch_fun=getattr(torch, name))


def test_sort_msort_partition():
    torch = _torch()
    for x in (R(1), R(7), R((3, 4))):
        check_grads(np.sort, x, torch_fun=lambda a: torch.sort(a).values)
        check_grads(lambda a: np.sort(a, axis=0), x, torch_fun=lambda a: torch.sort(a, 0).values)
        check_grads(lambda a: a.sort()[0], x, torch_fun=lambda a: a.sort()[0])
        check_grads(lambda a: np.sort(a, axis=None), x, torch_fun=lambda a: torch.sort(a.reshape(-1)).values)
    for x in (R(7), R(14)):
        for kth in (0, 3, 6):
            check_grads(lambda a, k=kth: np.partition(a, k)[k], x)
            check_grads(lambda a, k=kth: np.partition(a, k)[:k].sum() + np.partition(a, k)[k + 1 :].sum(), x)
            np.testing.assert_array_equal(_data(np.partition(Tensor(x), kth))[kth], np.partition(x, kth)[kth])


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(name):
    fun = getattr(np, name)
    for x in (1.2, R(1), R(7), R((1, 4)), R((2, 4)), R((2, 4, 5)), R((2, 4, 3, 5))):
        check_grads(fun, x, torch_fun=getattr(_torch(), name))
        assert fun(Tensor(np.asarray(x))).shape == fun(np.asarray(x)).shape


@pytest.mark.parametrize(
    "subscripts, shapes",
    [
        ("ij->ji", [(1, 1)]),
        ("ij->ji", [(4, 4)]),
        ("ij->ji", [(3, 4)]),
        ("ij,jk->ik", [(2, 3), (3, 4)]),
        ("ijk,lji->lki", [(3, 4, 4), (4, 4, 3)]),
        ("...jk,...lj->...lk", [(3, 4, 4), (3, 4, 4)]),
        ("...,...->...", [(3, 4, 4), (3, 4, 4)]),
        ("ijk,lji,lli->lki", [(3, 4, 4), (4, 4, 3), (4, 4, 3)]),
        ("ii->i", [(3, 3)]),
        ("ii", [(3, 3)]),
        ("i,i", [(3,), (3,)]),
        ("ij,j", [(2, 3), (3,)]),
    ],
    ids=str,
)
def test_einsum(subscripts, shapes):
    torch = _torch()
    check_grads(
        lambda *xs: np.einsum(subscripts, *xs),
        *[R(s) for s in shapes],
        torch_fun=lambda *xs: torch.einsum(subscripts, *xs),
    )


def test_trace_combos():
    torch = _torch()
    for shape in [(5, 5), (4, 5), (5, 4)]:
        for offset in (-1, 0, 1):
            check_grads(
                lambda x, k=offset: np.trace(x, offset=k),
                R(shape),
                torch_fun=lambda x, k=offset: torch.diagonal(x, k).sum(),
            )


def test_matmul_inner_kron():
    torch = _torch()
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 1, 2, 3), (4, 3, 2))]:
        check_grads(np.matmul, R(sa), R(sb), torch_fun=torch.matmul)
        check_grads(operator.matmul, R(sa), R(sb), torch_fun=torch.matmul)
    check_grads(np.inner, R((2, 3)), R((4, 3)), torch_fun=torch.inner)
    check_grads(np.inner, R(3), R(3), torch_fun=torch.inner)
    check_grads(np.kron, R((2, 3)), R((3, 2)), torch_fun=torch.kron)
    check_grads(np.kron, R(3), R((2, 2)))
    check_grads(np.vdot, R((2, 3)), R((2, 3)))


# -- test_linalg.py ----------------------------------------------------------------------------------------------
def _T(a):
    return np.swapaxes(a, -1, -2)


def _symmetrize(a):
    lower = np.tril(a)
    return (lower + _T(lower)) / 2.0


def _rand_psd(d):
    mat = R((d, d))
    return mat @ mat.T


def test_inv():
    torch = _torch()
    mat = R((6, 6))
    check_grads(np.linalg.inv, mat @ mat + np.eye(6), torch_fun=torch.linalg.inv)
    check_grads(np.linalg.inv, R((4, 4, 4)) + 5 * np.eye(4), torch_fun=torch.linalg.inv)
    check_grads(np.linalg.inv, R((2, 3, 4, 4)) + 5 * np.eye(4), torch_fun=torch.linalg.inv, order=1)


@pytest.mark.parametrize("b_shape", [(6, 5), (6,)], ids=str)
def test_solve(b_shape):
    torch = _torch()
    A = R((6, 6)) + 10.0 * np.eye(6)
    B = R(b_shape)
    check_grads(np.linalg.solve, A, B, torch_fun=torch.linalg.solve)
    check_grads(lambda a: np.linalg.solve(a, B), A)
    check_grads(lambda b: np.linalg.solve(A - 9.0 * np.eye(6), b), B)


def test_solve_batched():
    torch = _torch()
    A = R((5, 4, 4)) + 5 * np.eye(4)
    B3 = R((5, 4, 6))
    check_grads(lambda a: np.linalg.solve(a, B3), A, order=1)
    check_grads(np.linalg.solve, A, B3, torch_fun=torch.linalg.solve)


def test_solve_batched_vector_rhs():
    """HIPS's test_solve_arg1_3d: A of shape (5, 4, 4), b of shape (5, 4). numpy >= 2 reads such a b as a batch of
    vectors (b.ndim == 1 or b.ndim == a.ndim - 1 under numpy's rule at the time; numpy 2: only b.ndim == 1 is a vector);
    compare with numpy's own value and with torch's, which reads it as a batch of vectors."""
    torch = _torch()
    A = R((5, 4, 4)) + 5 * np.eye(4)
    B = R((5, 4))
    ours = np.linalg.solve(Tensor(A), Tensor(B))
    try:
        expected = np.linalg.solve(A, B)
    except ValueError:
        expected = np.linalg.solve(A, B[..., None])[..., 0]
    np.testing.assert_allclose(_data(ours), expected, rtol=1e-10)
    check_grads(np.linalg.solve, A, B, torch_fun=torch.linalg.solve)


def test_det_and_slogdet():
    torch = _torch()
    mat = R((5, 5))
    check_grads(np.linalg.det, mat, torch_fun=torch.linalg.det)
    check_grads(np.linalg.det, R((3, 3, 3)), torch_fun=torch.linalg.det)
    check_grads(lambda x: np.linalg.slogdet(x)[1], mat, torch_fun=lambda x: torch.linalg.slogdet(x)[1])
    check_grads(lambda x: np.linalg.slogdet(x)[1], -mat, torch_fun=lambda x: torch.linalg.slogdet(x)[1])
    sign, _ = np.linalg.slogdet(Tensor(-mat))
    assert _data(sign) == np.linalg.slogdet(-mat)[0]
    psd = np.stack([_rand_psd(4) + 4 * np.eye(4) for _ in range(3)])
    check_grads(lambda x: np.sum(np.linalg.slogdet(x)[1]), psd, torch_fun=lambda x: torch.linalg.slogdet(x)[1].sum())


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((6,), {}),
        ((6, 5), {}),
        ((4, 3, 2), {"axis": (0, 1)}),
        ((6,), {"ord": 3}),
        ((6,), {"ord": 4}),
        ((6,), {"ord": 1}),
        ((6,), {"ord": np.inf}),
        ((6,), {"ord": -np.inf}),
        ((6,), {"ord": 0.5}),
        ((4, 3, 2), {"axis": 0}),
        ((4, 3, 2), {"axis": 1}),
        ((4, 3, 2), {"axis": 2, "keepdims": True}),
        ((5, 4), {"ord": "nuc"}),
        ((4, 3, 2), {"ord": "nuc", "axis": (0, 1)}),
        ((4, 3), {"ord": "fro"}),
        ((4, 3), {"ord": 2}),
        ((4, 3), {"ord": -2}),
        ((4, 3), {"ord": 1}),
        ((4, 3), {"ord": np.inf}),
        ((4, 3), {"ord": -1}),
    ],
    ids=str,
)
def test_norm(shape, kwargs):
    torch = _torch()
    x = R(shape)
    options = dict(kwargs)
    theirs_kwargs = {"dim": options.pop("axis", None), "keepdim": options.pop("keepdims", False)}
    if "ord" in kwargs:
        theirs_kwargs["ord"] = kwargs["ord"]
    check_grads(lambda a: np.linalg.norm(a, **kwargs), x, torch_fun=lambda a: torch.linalg.norm(a, **theirs_kwargs))


@pytest.mark.parametrize("uplo", ["L", "U"])
@pytest.mark.parametrize("batch", [(), (2, 3)], ids=str)
def test_eigh(uplo, batch):
    """HIPS's check_symmetric_matrix_grads: eigh of the symmetrised lower triangle, values and vectors."""
    torch = _torch()
    d = 4
    mat = R(batch + (d, d)) + 3 * np.eye(d)
    hmat = np.einsum("...ij,...kj->...ik", mat, mat)

    def ours(x):
        w, v = np.linalg.eigh(_symmetrize(x), uplo)
        return w, v

    check_grads(ours, hmat, order=1)

    def squared(x, sym, eigh):
        w, v = eigh(sym(x))
        return w, v * v  # (the vectors' signs are not unique: compare their squares with torch)

    check_grads(
        lambda x: squared(x, _symmetrize, lambda a: np.linalg.eigh(a, uplo)),
        hmat,
        torch_fun=lambda x: squared(x, lambda a: (torch.tril(a) + torch.tril(a).mT) / 2, torch.linalg.eigh),
    )
    # Without the symmetrisation, numpy's eigh reads one triangle only, so finite differences give a one-triangle
    # gradient; the library's eigh gradient is the symmetric one, as torch's (documented in
    # autograd/decompositions.py): compare that with torch at the symmetric matrix.
    weights = np.arange(1.0, d + 1)
    x = Tensor(hmat, requires_grad=True)
    (g,) = ag.grad((np.linalg.eigh(x, uplo)[0] * Tensor(weights)).sum(), x)
    xt = torch.tensor(hmat, requires_grad=True)
    (gt,) = torch.autograd.grad((torch.linalg.eigh(xt)[0] * torch.tensor(weights)).sum(), xt)
    np.testing.assert_allclose(_data(g), gt.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(_data(g), _T(_data(g)), atol=1e-12)


def test_cholesky():
    torch = _torch()
    check_grads(
        lambda a: np.linalg.cholesky(_symmetrize(a)),
        _rand_psd(5) + np.eye(5),
        torch_fun=lambda a: torch.linalg.cholesky((torch.tril(a) + torch.tril(a).mT) / 2),
    )
    batch = np.stack([_rand_psd(4) + np.eye(4) for _ in range(3)])
    check_grads(lambda a: np.linalg.cholesky(_symmetrize(a)), batch)
    z = np.random.default_rng(0).standard_normal(5)
    check_grads(lambda a: np.linalg.norm(np.dot(np.linalg.cholesky(_symmetrize(a)), z)), _rand_psd(5) + np.eye(5))


@pytest.mark.parametrize("shape", [(3, 5), (4, 3, 5), (4, 4), (3, 4, 4), (5, 3), (4, 5, 3)], ids=str)
def test_svd(shape):
    torch = _torch()
    x = R(shape)
    check_grads(lambda a: tuple(np.linalg.svd(a, full_matrices=False)), x, order=1)
    check_grads(lambda a: np.linalg.svd(a, full_matrices=False, compute_uv=False), x, torch_fun=torch.linalg.svdvals)

    def squared(svd):
        def call(a):
            u, s, vh = svd(a)
            return u * u, s, vh * vh

        return call

    check_grads(
        squared(lambda a: np.linalg.svd(a, full_matrices=False)),
        x,
        torch_fun=squared(lambda a: torch.linalg.svd(a, full_matrices=False)),
    )


def test_pinv_and_matrix_power():
    torch = _torch()
    check_grads(np.linalg.pinv, R((4, 3)), torch_fun=torch.linalg.pinv)
    check_grads(lambda a: np.linalg.matrix_power(a, 3), R((3, 3)), torch_fun=lambda a: torch.linalg.matrix_power(a, 3))
    check_grads(
        lambda a: np.linalg.matrix_power(a + 3 * np.eye(3), -2),
        R((3, 3)),
        torch_fun=lambda a: torch.linalg.matrix_power(a + 3 * torch.eye(3, dtype=a.dtype), -2),
    )


# -- test_graphs.py ----------------------------------------------------------------------------------------------
def test_grad_fanout():
    torch = _torch()
    fun = lambda x: np.sin(np.sin(x) + np.sin(x))  # noqa: E731
    check_grads(fun, float(R()), torch_fun=lambda x: torch.sin(torch.sin(x) + torch.sin(x)))
    check_grads(grad(fun), float(U()))


def test_grad_const():
    assert _data(grad(lambda x: 1)(2.0)) == 0.0
    assert _data(grad(lambda x: Tensor(3.0))(2.0)) == 0.0


def test_grad_identity():
    df = grad(lambda x: x)
    assert _data(df(2.0)) == 1.0
    assert _data(grad(df)(2.0)) == 0.0


def test_hess_vector_prod():
    randv = R(10)

    def fun(x):
        return np.sin(np.dot(x, randv))

    df = grad(fun)

    def vector_product(x, v):
        return np.sin(np.dot(v, df(x)))

    check_grads(fun, R(10))
    check_grads(vector_product, R(10), R(10))


def test_enclosing_scope_ref():
    """A gradient taken inside the function, of an inner function closing over x, is differentiable in x."""
    check_grads(lambda x: x * grad(lambda y: x * y)(2.0), 1.0)
    check_grads(lambda x: x * grad(lambda y: y * x)(2.0), 1.0)
    assert _data(grad(lambda x: x * grad(lambda y: x * y)(2.0))(1.5)) == pytest.approx(3.0)


def test_mutating_outgrad():
    def fun(a):
        b = a + 1.0
        c = b + 1.5
        d = a + b
        return (d + c).sum()

    def from_indexing(a):
        b = a + 1.0
        c = b[0] + 1.5
        d = a + b
        return (d + c).sum()

    check_grads(fun, R(5))
    check_grads(from_indexing, R(5))
    np.testing.assert_allclose(_data(grad(from_indexing)(R(5))), [7.0, 2.0, 2.0, 2.0, 2.0])


def test_third_derivative():
    torch = _torch()
    fun = lambda x: np.sin(np.sin(x) + np.sin(x))  # noqa: E731
    df, ddf = grad(fun), grad(grad(fun))
    check_grads(fun, float(R()))
    check_grads(df, float(U()))
    check_grads(ddf, float(U()))
    x0 = 0.37
    xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    g = torch.autograd.grad(torch.sin(2 * torch.sin(xt)), xt, create_graph=True)[0]
    g2 = torch.autograd.grad(g, xt, create_graph=True)[0]
    g3 = torch.autograd.grad(g2, xt)[0]
    assert _data(grad(ddf)(x0)) == pytest.approx(g3.item(), rel=1e-12)


def test_third_derivative_other_args():
    fun = lambda x, y: np.sin(np.sin(x) + np.sin(y))  # noqa: E731
    for df in (grad(fun), grad(fun, 1), grad(grad(fun), 1), grad(grad(fun, 1)), grad(grad(grad(fun), 1), 1)):
        check_grads(df, float(R()), float(R()))


@pytest.mark.parametrize(
    "shape, axis, keepdims",
    [((3, 3), None, True), ((3, 1), 0, True), ((1, 3), 1, True), ((3, 1), 0, False), ((1, 3), 1, False)],
)
def test_singleton_array_output(shape, axis, keepdims):
    fun = lambda x: np.sum(np.sin(x), axis=axis, keepdims=keepdims)  # noqa: E731
    check_grads(fun, R(shape))
    check_grads(lambda x: np.sum(grad(lambda a: np.sum(fun(a)))(x)), R(shape))


def test_value_used_many_times_and_deep_graph():
    """One value used a thousand times, and a chain ten thousand deep, against torch."""
    torch = _torch()

    def many(x, lib_sum):
        return lib_sum([x * k for k in range(1000)])

    check_grads(lambda x: many(x, sum), R(3), torch_fun=lambda x: many(x, sum), order=1)

    def deep(x, sin):
        for _ in range(10000):
            x = x + 1e-4 * sin(x)
        return x

    check_grads(lambda x: deep(x, np.sin), R(2), torch_fun=lambda x: deep(x, torch.sin), order=1)


# -- found by the port: numpy functions a HIPS user calls that needed adding ---------------------------------------
def test_flatten_order_keyword():
    check_grads(lambda x: x.flatten(order="F"), R((2, 3)))
    np.testing.assert_array_equal(_data(Tensor(np.arange(6.0).reshape(2, 3)).flatten(order="F")), [0, 3, 1, 4, 2, 5])


def test_modf_and_divmod():
    torch = _torch()
    x, y = np.array([7.3, -1.6, 0.45, -2.2]), np.array([0.7, 0.9, -0.8, 1.3])
    check_grads(lambda a: np.modf(a)[0], x, torch_fun=torch.frac)
    check_grads(lambda a: np.modf(a * 2.0), x)
    check_grads(lambda a, b: np.divmod(a, b)[1], x, y, torch_fun=torch.remainder)
    check_grads(lambda a, b: np.divmod(a, b), x, y)
    for ours, expected in zip(np.divmod(Tensor(x), Tensor(y)), np.divmod(x, y)):
        np.testing.assert_allclose(_data(ours), expected, rtol=1e-15)
