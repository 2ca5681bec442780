"""Port of MyGrad's test suite (rsokl/MyGrad, tests/tensor_ops/test_getitem.py and test_setitem.py, tests/math/unary
and binary, tests/math/sequence/test_sequential_funcs.py, tests/linalg/test_matmul.py and test_einsum.py, tests/nnet
layers, losses and activations, and its graph / view / in-place tests) to this library.

MyGrad checks each op's forward value against numpy (its ``fwdprop_test_factory``) and its gradient against numerical
differences of the numpy function (``backprop_test_factory``), on hypothesis-drawn shapes. Here the same: the value
against numpy, and the vector-Jacobian product with a drawn upstream gradient against float64 central differences of
the numpy reference (``_numerical_vjp``); for the neural-network layers and losses, torch 2.13 in float64 is the
reference for values and gradients (skipped without torch). Hypothesis runs derandomized and bounded.

Where MyGrad's semantics differ from torch's and this library follows torch (README), the port follows this library:
- MyGrad lets ``x[:]`` of a leaf be written in place; here (as in torch) a view of a leaf that requires grad may not
  be, so the tensors written into are ``leaf * 1``;
- MyGrad keeps a copy of a tensor written into after an op used it (``z = x * y; y[:] = 0; z.backward()`` works);
  here, as in torch, the version counter makes that backward raise;
- an integer beside an array index is applied first (torch's rule), so the arbitrary-index test compares with torch
  whenever an index mixes integers and arrays, and with numpy otherwise;
- ``t[index] = v`` with an integer index that writes one position twice keeps numpy's value (the last write wins)
  but gives every write its upstream entry, torch's ``index_put_`` rule, where MyGrad gives the overwritten ones none;
- ties of ``max``/``min``/``maximum``/``minimum`` split the gradient evenly (torch's ``amax``/``maximum``); MyGrad's
  ``maximum`` gives a tie nothing;
- ``backward()`` of a non-scalar needs a seed (torch's error), where MyGrad seeds ones;
- MyGrad's ``null_gradients``/``clear_graph`` have no counterpart: torch's ``retain_graph`` rules and ``zero_grad``
  apply, checked below in their place; MyGrad's view state machine keeps its value checks, and its gradient check
  becomes torch's meaning of the same program (see ``ViewGraphCompare``);
- there is no focal loss in torch or here: it is composed of the library's ops and checked against the same
  composition in torch and MyGrad's closed form; MyGrad's ``multiclass_hinge`` is ``C * F.multi_margin_loss``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

import autograd as ag
import nn.functional as F
from autograd import Tensor

SETTINGS = settings(
    max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
FEW = settings(SETTINGS, max_examples=12)

EPS = 1e-6


# -- MyGrad's checkers: value against numpy, vjp against central differences of the numpy function ----------------
def _numerical_vjp(f: Callable[..., Any], arrays: Sequence[np.ndarray], upstream: np.ndarray, **kwargs: Any):
    """d<f(*arrays), upstream>/d arrays[i] for every i, by float64 central differences of the numpy function f."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for k in np.ndindex(a.shape):
            total = []
            for step in (EPS, -EPS):
                moved = [b.copy() for b in arrays]
                moved[i][k] += step
                total.append(np.sum(np.asarray(f(*moved, **kwargs), dtype=np.float64) * upstream))
            g[k] = (total[0] - total[1]) / (2 * EPS)
        grads.append(g)
    return grads


def _smooth_at(f: Callable[[np.ndarray], Any], x: np.ndarray, step: float = 1e-5) -> bool:
    """Whether f's forward and backward differences agree along every entry of x (no kink there: a tie of a max)."""
    f0 = float(f(x))
    for k in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[k] += step
        down[k] -= step
        if abs((float(f(up)) - f0) - (f0 - float(f(down)))) > 1e-3 * step:
            return False
    return True


def check_op(
    ours: Callable[..., Any],
    true: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    data: st.DataObject | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    **kwargs: Any,
) -> None:
    """MyGrad's fwdprop + backprop factories in one: ours(*tensors) equals true(*arrays), and the gradients of
    <ours(*tensors), upstream> equal central differences of true's."""
    tensors = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = ours(*tensors, **kwargs)
    expected = np.asarray(true(*[np.array(a, dtype=np.float64) for a in arrays], **kwargs))
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-7, atol=1e-10)
    if data is not None:
        upstream = data.draw(hnp.arrays(np.float64, expected.shape, elements=st.floats(-2, 2)), label="upstream")
    else:
        upstream = np.random.default_rng(0).uniform(-2, 2, expected.shape)
    (out * Tensor(upstream)).sum().backward()
    for t, g in zip(tensors, _numerical_vjp(true, arrays, upstream, **kwargs)):
        got = np.zeros(t.shape) if t.grad is None else np.asarray(t.grad)
        np.testing.assert_allclose(got, g, rtol=rtol, atol=atol)


def torch_or_skip():
    return pytest.importorskip("torch")


def to_torch(torch: Any, a: Any, grad: bool = True):
    return torch.tensor(np.array(a, dtype=np.float64), requires_grad=grad)


def leaf(a: Any) -> Tensor:
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def close(ours: Any, theirs: Any, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    if hasattr(theirs, "detach"):
        theirs = theirs.detach().numpy()
    ours = ours.data if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64), rtol, atol)


finite = st.floats(-10, 10, allow_subnormal=False)


def float_arrays(shape: Any, lo: float = -10.0, hi: float = 10.0, unique: bool = False) -> st.SearchStrategy:
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_subnormal=False), unique=unique)


# == tensor_ops/test_getitem.py ==================================================================================
def test_getitem_unpacking_then_backward():
    x = leaf([1.0, 2.0, 3.0])
    a, b, c = x
    f = 2 * a + 3 * b + 4 * c
    f.backward()
    assert (a.item(), b.item(), c.item(), f.item()) == (1.0, 2.0, 3.0, 20.0)
    np.testing.assert_array_equal(x.grad, [2.0, 3.0, 4.0])


def test_index_0d_with_newaxis():
    assert Tensor(3.0)[None].shape == (1,)
    assert Tensor(3.0)[None].item() == 3.0


def _get(x: Any, index: Any) -> Any:
    return x[index]


array_shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


@SETTINGS
@given(x=hnp.arrays(np.float64, array_shapes, elements=finite), data=st.data())
def test_getitem_basic_index(x, data):
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True), label="index")
    check_op(_get, _get, [x], data, index=index)


@st.composite
def int_array_index(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """MyGrad's adv_integer_index: one broadcast-compatible integer array per leading axis (negatives too)."""
    n = draw(st.integers(1, len(shape)))
    index_shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=3))
    return tuple(draw(hnp.arrays(np.intp, index_shape, elements=st.integers(-s, s - 1))) for s in shape[:n])


@SETTINGS
@given(x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=4, max_side=4), elements=finite), data=st.data())
def test_getitem_int_array_index(x, data):
    check_op(_get, _get, [x], data, index=data.draw(int_array_index(x.shape), label="index"))


@SETTINGS
@given(x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=4, max_side=4), elements=finite), data=st.data())
def test_getitem_bool_mask(x, data):
    mask = data.draw(hnp.arrays(bool, x.shape), label="mask")
    check_op(_get, _get, [x], data, index=mask)


@pytest.mark.parametrize(
    ("shape", "index"),
    [
        ((4, 3), np.ix_(np.array([0, 3]), np.array([0, 2]))),
        ((3, 2, 4, 3), (Ellipsis, 2, 0)),
        ((4, 3), np.ix_(np.array([False, True, False, True]), [0, 2])),
        ((4, 3), (slice(1, 2), [1, 2])),
        ((4, 3), (np.array([False, True, False, True]), None, slice(None))),
        ((3, 4, 5), (slice(None), [[0, 1], [3, 3]], slice(None, None, -2))),
        ((3, 4, 5), ([0, 0, 2], slice(1, None), [4, 4, 0])),  # arrays apart: broadcast dims go first (numpy)
        ((3, 4), ([True, False, True], [-1, 0])),
    ],
)
def test_getitem_fixed_indices(shape, index):
    x = np.random.default_rng(1).normal(size=shape)
    check_op(_get, _get, [x], index=index)


@st.composite
def arbitrary_index(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """MyGrad's arbitrary_indices: a mix of integers, slices (positive steps: torch is the reference here), None,
    one Ellipsis, integer arrays and boolean masks, each consuming axes of ``shape``."""
    out: list[Any] = []
    axis = 0
    used_ellipsis = False
    while axis < len(shape):
        kind = draw(st.sampled_from(["int", "slice", "slice", "none", "ellipsis", "ints", "mask", "stop"]))
        s = shape[axis]
        if kind == "stop":
            break
        if kind == "int" and s:
            out.append(draw(st.integers(-s, s - 1)))
        elif kind == "slice":
            out.append(
                slice(
                    draw(st.none() | st.integers(-5, 5)), draw(st.none() | st.integers(-5, 5)), draw(st.integers(1, 3))
                )
            )
        elif kind == "none":
            out.append(None)
            continue
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            out.append(Ellipsis)
            axis = len(shape) - draw(st.integers(0, len(shape) - axis))
            continue
        elif kind == "ints" and s:
            out.append(
                draw(hnp.arrays(np.intp, draw(st.sampled_from([(2,), (1,), (2, 1)])), elements=st.integers(-s, s - 1)))
            )
        elif kind == "mask":
            out.append(draw(hnp.arrays(bool, (s,))))
        else:
            out.append(slice(None))
        axis += 1
    return tuple(out)


@settings(SETTINGS, max_examples=60)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), elements=finite),
    data=st.data(),
)
def test_getitem_arbitrary_index_against_torch_and_numpy(x, data):
    torch = torch_or_skip()
    index = data.draw(arbitrary_index(x.shape), label="index")
    arrays = [i for i in index if isinstance(i, np.ndarray)]
    if sum(i.dtype == bool for i in arrays) > 1 or (any(i.dtype == bool for i in arrays) and len(arrays) > 1):
        assume(False)  # several masks (or a mask beside an int array) must agree in count: numpy and torch refuse
    try:
        expected_np = x[index]
    except IndexError:
        assume(False)
        return
    tx = to_torch(torch, x)
    t_index = tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    try:
        t_out = tx[t_index]
    except (IndexError, RuntimeError):
        assume(False)
        return
    ours = leaf(x)
    out = ours[index]
    close(out, t_out, 0, 0)
    if not any(isinstance(i, int) for i in index) or not arrays:
        np.testing.assert_array_equal(out.data, expected_np)  # numpy and torch agree here
    upstream = np.random.default_rng(2).normal(size=tuple(t_out.shape))
    (out * Tensor(upstream)).sum().backward()
    (t_out * torch.tensor(upstream)).sum().backward()
    close(ours.grad, tx.grad, 1e-12, 1e-12)


# == tensor_ops/test_setitem.py ==================================================================================
def _setitem(x: np.ndarray, y: np.ndarray, index: Any) -> np.ndarray:
    out = np.copy(x)
    out[index] = y
    return out


def _sum_to(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """a summed back to a shape it was broadcast from."""
    a = a.sum(axis=tuple(range(a.ndim - len(shape)))) if a.ndim > len(shape) else a
    return a.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


def _check_setitem(x: np.ndarray, y: np.ndarray, index: Any, data: st.DataObject) -> None:
    """``w = x * 1; w[index] = y`` (a graph node written into), then backward of <w, grad>: w against numpy's
    setitem (the last write wins on repeats), x's gradient against central differences of it. y's gradient too,
    except where an integer index writes one position twice: there this library records ``t[index] = v`` as torch's
    ``index_put_`` and gives every write its upstream entry (``grad[index]`` summed back to y's shape), as torch
    does, where MyGrad (and the differences of numpy's last-write-wins) give the overwritten writes none."""
    try:
        expected = _setitem(x, y, index)
    except (ValueError, IndexError):
        assume(False)
        return
    grad = data.draw(float_arrays(x.shape, 1, 10, unique=True), label="grad")
    tx, ty = leaf(x), leaf(y)
    w = tx * 1
    w[index] = ty
    np.testing.assert_array_equal(w.data, expected)
    np.testing.assert_array_equal(ty.data, y)
    (w * Tensor(grad)).sum().backward()
    dx, dy = _numerical_vjp(_setitem, [x, y], grad, index=index)
    positions = np.arange(x.size).reshape(x.shape)[index]
    if np.unique(positions).size < positions.size:  # a position written twice: torch's index_put_ rule
        dy = _sum_to(np.broadcast_to(grad[index], positions.shape), y.shape)
    np.testing.assert_allclose(tx.grad, dx, atol=1e-6)
    assert ty.grad is not None  # (torch gives an unused write a zero gradient, not none)
    np.testing.assert_allclose(ty.grad, dy, atol=1e-6)


def _value_for(target_shape: tuple[int, ...]) -> st.SearchStrategy:
    """A value that broadcasts to target_shape (leading singletons allowed beyond its dims, as numpy's setitem)."""
    if not target_shape or not all(target_shape):
        return finite.map(np.array)
    return hnp.arrays(np.float64, hnp.broadcastable_shapes(target_shape, max_dims=len(target_shape)), elements=finite)


xs = hnp.arrays(np.float64, hnp.array_shapes(max_dims=4, max_side=4), elements=finite)


@settings(SETTINGS, max_examples=40)
@given(x=xs, data=st.data())
def test_setitem_basic_index(x, data):
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True), label="index")
    _check_setitem(x, data.draw(_value_for(x[index].shape), label="y"), index, data)


@settings(SETTINGS, max_examples=40)
@given(x=xs, data=st.data())
def test_setitem_int_array_index_with_repeats(x, data):
    index = data.draw(int_array_index(x.shape), label="index")
    _check_setitem(x, data.draw(_value_for(x[index].shape), label="y"), index, data)


@SETTINGS
@given(x=xs, data=st.data())
def test_setitem_bool_mask(x, data):
    index = data.draw(hnp.arrays(bool, x.shape), label="mask")
    _check_setitem(x, data.draw(_value_for(x[index].shape), label="y"), index, data)


@pytest.mark.parametrize(
    "index",
    [
        np.ix_(np.array([0, 3]), np.array([0, 2])),
        (slice(1, 2), [1, 2]),
        np.ix_(np.array([False, True, False, True]), np.array([0, 2])),
        (np.array([False, True, False, True]), None, slice(None)),
        (np.array([True, False, True, True]), np.array([2, 0, 2])),
        ([3, 0, 3], slice(None, None, -1)),
    ],
)
@FEW
@given(data=st.data())
def test_setitem_fixed_indices(index, data):
    x = data.draw(float_arrays((4, 3)), label="x")
    _check_setitem(x, data.draw(_value_for(x[index].shape), label="y"), index, data)


@FEW
@given(data=st.data())
def test_setitem_bool_per_axis(data):
    x = data.draw(float_arrays((3, 3)), label="x")
    index = (data.draw(hnp.arrays(bool, (3,))), data.draw(hnp.arrays(bool, (3,))))
    try:
        target = x[index]
    except IndexError:
        assume(False)
        return
    _check_setitem(x, data.draw(_value_for(target.shape), label="y"), index, data)


def test_setitem_node_used_several_times():
    """MyGrad's multiple-input check: y feeds o = y + y + y, then y[0] = 4, then f = o * y."""
    x = leaf([1.0])
    y = x + 0
    o = y + y + y
    y[0] = 4
    f = o * y
    f.backward()
    assert (o.item(), f.item()) == (3.0, 12.0)
    np.testing.assert_array_equal(x.grad, [12.0])  # 4 * 3 through o; nothing through the overwritten entry


@pytest.mark.parametrize("y_requires_grad", [True, False])
@pytest.mark.parametrize("x_requires_grad", [True, False])
@pytest.mark.parametrize("as_tensor", [True, False])
def test_setitem_sanity_check(x_requires_grad, y_requires_grad, as_tensor):
    x = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=x_requires_grad)
    w = 4 * x
    y = Tensor([1.0, 0.0], requires_grad=y_requires_grad) if as_tensor else np.array([1.0, 0.0])
    w[::2] = np.array([-1.0, -2.0]) * y
    np.testing.assert_array_equal(w.data, [-1.0, 8.0, 0.0, 16.0])
    assert w.requires_grad is (x_requires_grad or (as_tensor and y_requires_grad))
    if w.requires_grad:
        w.sum().backward()
    if x_requires_grad:
        np.testing.assert_array_equal(x.grad, [0.0, 4.0, 0.0, 4.0])
    else:
        assert x.grad is None
    if as_tensor:
        if y_requires_grad:
            np.testing.assert_array_equal(y.grad, [-1.0, -2.0])
        else:
            assert y.grad is None


def test_setitem_after_use_is_a_version_error_as_torch():
    """MyGrad's test_setitem_sanity_check2 (z = x * y; y[:] = 0; z.backward() uses the old y): here, as in torch,
    mul saved y, so writing into it makes the backward raise torch's RuntimeError."""
    torch = torch_or_skip()
    for lib in (torch, ag):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = lib.tensor([-1.0, -2.0, -3.0, -4.0], requires_grad=True) * 1
        z = (x * y).sum()
        y[:] = 0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()


def test_setitem_into_view_of_leaf_refused_as_torch():
    torch = torch_or_skip()
    for lib in (torch, ag):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            x[:][0] = 3.0


# == math/unary, math/binary ======================================================================================
# (numpy's function, the domain MyGrad draws from): each applied to a Tensor runs this library's op
UNARY = [
    (np.exp, -5, 5),
    (np.expm1, -5, 5),
    (np.exp2, -5, 5),
    (np.log, 0.01, 10),
    (np.log2, 0.01, 10),
    (np.log10, 0.01, 10),
    (np.log1p, -0.9, 10),
    (np.sqrt, 0.01, 10),
    (np.cbrt, 0.1, 10),
    (np.sin, -5, 5),
    (np.cos, -5, 5),
    (np.tan, -1.4, 1.4),
    (np.arcsin, -0.95, 0.95),
    (np.arccos, -0.95, 0.95),
    (np.arctan, -10, 10),
    (np.sinh, -5, 5),
    (np.cosh, -5, 5),
    (np.tanh, -5, 5),
    (np.arcsinh, -10, 10),
    (np.arccosh, 1.05, 10),
    (np.arctanh, -0.95, 0.95),
    (np.abs, -10, 10),
    (np.negative, -10, 10),
    (np.positive, -10, 10),
    (np.reciprocal, 0.1, 10),
    (np.square, -10, 10),
    (np.deg2rad, -100, 100),
    (np.rad2deg, -2, 2),
]


@pytest.mark.parametrize(("func", "lo", "hi"), UNARY, ids=[f[0].__name__ for f in UNARY])
@FEW
@given(data=st.data())
def test_unary_ufunc(func, lo, hi, data):
    x = data.draw(
        hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), elements=st.floats(lo, hi))
    )
    if func is np.abs:
        x = x[np.abs(x) > 1e-3] if x.ndim else x + (np.abs(x) < 1e-3)  # away from the kink
    if func is np.cbrt:
        x = x * data.draw(st.sampled_from([1, -1]))
    check_op(func, func, [x], data, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("sqrt", [0.0, 1e-300, 4.0, np.inf]),
        ("log", [0.0, 1e-300, 1.0, np.inf]),
        ("abs", [-0.0, 0.0, -2.0, 2.0]),
        ("arcsin", [-1.0, 1.0, 0.0, 0.5]),
        ("arctanh", [-1.0, 1.0, 0.0, 0.5]),
        ("arccosh", [1.0, 2.0, np.inf, 1.5]),
        ("tanh", [-1e4, 1e4, 0.0, np.inf]),
        ("exp", [-1e4, 800.0, 0.0, -np.inf]),
        ("reciprocal", [0.0, -0.0, np.inf, 2.0]),
    ],
)
def test_unary_edge_values_against_torch(name, values):
    """MyGrad's edge-value tests (sqrt and log at 0, abs at 0, cbrt at 0, inverse trig at +-1): values and
    gradients as torch's (which this library follows for the derivative at the edges)."""
    torch = torch_or_skip()
    x, tx = leaf(values), to_torch(torch, values)
    getattr(np, name)(x).sum().backward()
    getattr(torch, name)(tx).sum().backward()
    close(getattr(np, name)(x.detach()), getattr(torch, name)(tx.detach()))
    close(x.grad, tx.grad)


def test_cbrt_edge_values():
    """torch has no cbrt: d/dx x ** (1/3) = 1 / (3 x ** (2/3)), inf at 0 (MyGrad's test_cbrt)."""
    x = leaf([0.0, -8.0, 8.0, 1e-300])
    np.cbrt(x).sum().backward()
    np.testing.assert_allclose(x.grad, [np.inf, 1 / 12, 1 / 12, 1 / (3 * 1e-200)])


BINARY = [
    (np.add, -10, 10, 0),
    (np.subtract, -10, 10, 0),
    (np.multiply, -10, 10, 0),
    (np.divide, -10, 10, 0.5),
    (np.true_divide, 0.5, 10, 0.5),
    (np.power, 0.5, 3, 0),
    (np.logaddexp, -10, 10, 0),
    (np.logaddexp2, -10, 10, 0),
    (np.arctan2, -10, 10, 0.5),
    (np.hypot, 0.5, 10, 0.5),
    (np.maximum, -10, 10, 0),
    (np.minimum, -10, 10, 0),
]


@pytest.mark.parametrize(("func", "lo", "hi", "away"), BINARY, ids=[f[0].__name__ for f in BINARY])
@FEW
@given(data=st.data())
def test_binary_ufunc_with_broadcasting(func, lo, hi, away, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    elements = st.floats(lo, hi).filter(lambda v: abs(v) >= away)
    a, b = (data.draw(hnp.arrays(np.float64, s, elements=elements)) for s in shapes)
    if func in (np.maximum, np.minimum):
        assume(np.all(np.abs(np.subtract(a, b)) > 1e-3))  # no ties: numerical differences are one-sided there
    check_op(func, func, [a, b], data, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("op", "a", "b"),
    [
        ("pow", [0.0, 0.0, 0.0, 2.0, -2.0], [0.0, 1.0, 2.0, 0.0, 2.0]),
        ("pow", [0.0, 1.0, -1.0], [0.5, 0.0, 3.0]),
        ("maximum", [1.0, 2.0, -np.inf], [1.0, 3.0, -np.inf]),
        ("minimum", [1.0, 2.0, np.inf], [1.0, 3.0, np.inf]),
        ("true_divide", [1.0, 0.0, -1.0], [0.0, 0.0, np.inf]),
        ("logaddexp", [-np.inf, 0.0, 1e300], [-np.inf, -np.inf, 1e300]),
    ],
)
def test_binary_special_cases_against_torch(op, a, b):
    """MyGrad's test_pow_special_cases (0 ** 0, 0 ** 1, ...) and ties of maximum/minimum: values and both
    gradients as torch's."""
    torch = torch_or_skip()
    x, y, tx, ty = leaf(a), leaf(b), to_torch(torch, a), to_torch(torch, b)
    ours = getattr(np, op)(x, y)
    theirs = {"true_divide": torch.true_divide, "pow": torch.pow}.get(op) or getattr(torch, op)
    out = theirs(tx, ty)
    close(ours, out)
    ours.sum().backward()
    out.sum().backward()
    close(x.grad, tx.grad)
    close(y.grad, ty.grad)


def test_operator_overrides_and_reflected_forms():
    """MyGrad's test_operator_override: every operator with a Tensor on either side, numbers and arrays beside."""
    a = np.array([[1.0, -2.0, 3.0]])
    b = np.array([[0.5], [2.0]])
    for op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__"):
        x = leaf(a)
        out = getattr(x, op)(b)
        np.testing.assert_allclose(out.data, getattr(a, op)(b))
        out.sum().backward()
        g = _numerical_vjp(lambda v, name=op: getattr(v, name)(b), [a], np.ones(out.shape))[0]
        np.testing.assert_allclose(x.grad, g, rtol=1e-6)
    x = leaf([2.0, 3.0])
    np.testing.assert_allclose((2.0**x).data, [4.0, 8.0])
    np.testing.assert_allclose((x**2).data, [4.0, 9.0])
    np.testing.assert_allclose((-x).data, [-2.0, -3.0])
    np.testing.assert_allclose((+x).data, [2.0, 3.0])
    np.testing.assert_allclose(abs(-x).data, [2.0, 3.0])


# == math/sequence/test_sequential_funcs.py =======================================================================
@st.composite
def axis_arg(draw: st.DrawFn, ndim: int, single: bool = False) -> Any:
    """None, an axis (negative too) or a tuple of distinct axes, as MyGrad's valid_axes."""
    if ndim == 0:  # numpy takes no axis number for a 0-d array
        return draw(st.sampled_from([None, ()])) if not single else None
    if single:
        return draw(st.none() | st.integers(-ndim, ndim - 1))
    return draw(
        st.none()
        | st.integers(-ndim, ndim - 1)
        | st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(
            lambda axes: tuple(a - ndim if i % 2 else a for i, a in enumerate(axes))
        )
    )


def _numpy_call(name: str) -> Callable[..., Any]:
    return lambda x, **kw: getattr(np, name)(x, **kw)


REDUCTIONS = ["sum", "mean", "var", "std", "max", "min", "prod", "amax", "amin"]


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(SETTINGS, max_examples=20)
@given(data=st.data())
def test_reduction_axis_keepdims(name, data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3), label="shape")
    unique = name in ("max", "min", "amax", "amin")  # no ties: the numerical derivative is one-sided there
    if unique:  # distinct values at least 0.01 apart: the numerical derivative is one-sided at a tie
        x = data.draw(st.permutations(np.arange(int(np.prod(shape))) * 0.01 - 0.3), label="x")
        x = np.array(x).reshape(shape)
    else:
        x = data.draw(float_arrays(shape, -5, 5), label="x")
    if name == "prod":
        x = np.where(np.abs(x) < 0.5, 0.0, x) if data.draw(st.booleans(), label="zeros") else x
    kwargs = dict(axis=data.draw(axis_arg(len(shape)), label="axis"), keepdims=data.draw(st.booleans()))
    if name in ("var", "std"):
        axes = range(len(shape)) if kwargs["axis"] is None else np.atleast_1d(np.asarray(kwargs["axis"], dtype=int))
        size = np.prod([shape[a] for a in axes])
        kwargs["ddof"] = data.draw(st.integers(0, max(0, int(size) - 1)), label="ddof")
        if name == "std":
            assume(np.all(np.asarray(np.var(x, **kwargs)) > 1e-3))  # sqrt's kink at a zero variance
    check_op(_numpy_call(name), _numpy_call(name), [x], data, rtol=1e-4, atol=1e-5, **kwargs)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "max", "min", "prod"])
def test_reduction_methods_match_functions(name):
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    t = leaf(x)
    for kwargs in ({}, {"axis": (0, 2)}, {"axis": -1, "keepdims": True}):
        np.testing.assert_allclose(getattr(t, name)(**kwargs).data, getattr(x, name)(**kwargs))


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@settings(SETTINGS, max_examples=20)
@given(data=st.data())
def test_cumulative(name, data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), label="shape")
    x = data.draw(float_arrays(shape, -3, 3), label="x")
    if name == "cumprod" and data.draw(st.booleans(), label="zeros"):
        x = np.where(np.abs(x) < 1.0, 0.0, x)  # MyGrad's cumprod tests zeros, and several of them
    axis = data.draw(axis_arg(len(shape), single=True), label="axis")
    check_op(_numpy_call(name), _numpy_call(name), [x], data, rtol=1e-4, atol=1e-5, axis=axis)


def test_max_min_ties_split_evenly_as_torch_amax():
    """MyGrad gives a tie of max/min's gradient to ... this library splits it evenly, as torch.amax (README)."""
    torch = torch_or_skip()
    a = [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]
    for name in ("max", "min"):
        x, tx = leaf(a), to_torch(torch, a)
        getattr(np, name)(x, axis=1).sum().backward()
        getattr(torch, "a" + name)(tx, dim=1).sum().backward()
        close(x.grad, tx.grad)


@pytest.mark.parametrize("ddof", [0, 1, 2])
def test_var_std_ddof_against_torch_correction(ddof):
    torch = torch_or_skip()
    a = np.random.default_rng(4).normal(size=(3, 4, 2))
    for name in ("var", "std"):
        x, tx = leaf(a), to_torch(torch, a)
        ours = getattr(x, name)(axis=(0, 2), ddof=ddof, keepdims=True)
        theirs = getattr(tx, name)(dim=(0, 2), correction=ddof, keepdim=True)
        close(ours, theirs)
        ours.sum().backward()
        theirs.sum().backward()
        close(x.grad, tx.grad)


# == linalg/test_matmul.py, linalg/test_einsum.py ===================================================================
@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_matmul_shapes(data):
    """1-D @ 1-D, matrix @ vector, vector @ matrix and batched stacks whose batch dims broadcast."""
    n, k, m = data.draw(st.tuples(*(st.integers(1, 3),) * 3))
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)).input_shapes
    left = data.draw(st.sampled_from([(k,), (n, k), batch[0] + (n, k)]))
    right = data.draw(st.sampled_from([(k,), (k, m), batch[1] + (k, m)]))
    a, b = data.draw(float_arrays(left, -3, 3)), data.draw(float_arrays(right, -3, 3))
    check_op(np.matmul, np.matmul, [a, b], data, rtol=1e-5)
    check_op(lambda x, y: x @ y, np.matmul, [a, b], data, rtol=1e-5)


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),  # implicit output
    ("i,i", [(3,), (3,)]),
    ("i,i->i", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii", [(3, 3)]),  # trace
    ("ii->i", [(3, 3)]),  # diagonal
    ("iij->j", [(2, 2, 3)]),
    ("iji->ij", [(2, 3, 2)]),
    ("ijk,kl->ijl", [(2, 3, 4), (4, 2)]),
    ("ijk,jil->kl", [(3, 2, 2), (2, 3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),  # ellipsis broadcast
    ("...i,...i->...", [(2, 3), (1, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("...ii->...i", [(2, 3, 3)]),  # ellipsis and a repeated index
    ("ij...,jk...->ik...", [(2, 3, 2), (3, 2, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("i,ij,j", [(2,), (2, 3), (3,)]),
    ("ii,ij->j", [(3, 3), (3, 2)]),
]


@pytest.mark.parametrize(("subscripts", "shapes"), EINSUM, ids=[e[0] for e in EINSUM])
@settings(SETTINGS, max_examples=5)
@given(data=st.data())
def test_einsum_forms(subscripts, shapes, data):
    arrays = [data.draw(float_arrays(s, -3, 3)) for s in shapes]

    def ours(*xs: Any) -> Any:
        return ag.einsum(subscripts, *xs)

    def true(*xs: Any) -> Any:
        return np.einsum(subscripts, *xs)

    check_op(ours, true, arrays, data, rtol=1e-5)
    check_op(lambda *xs: np.einsum(subscripts, *xs), true, arrays, data, rtol=1e-5)  # numpy's dispatch


def test_einsum_same_tensor_twice():
    """MyGrad checks an operand given twice gets both contributions: d/dx sum_ij x_ij x_ij = 2 x."""
    a = np.random.default_rng(5).normal(size=(3, 3))
    x = leaf(a)
    ag.einsum("ij,ij->", x, x).backward()
    np.testing.assert_allclose(x.grad, 2 * a)
    x = leaf(a)
    ag.einsum("ij,ji->", x, x).backward()
    np.testing.assert_allclose(x.grad, 2 * a.T)


def test_einsum_interleaved_operand_form():
    """numpy's second calling form, einsum(op0, sublist0, op1, sublist1, [out])."""
    a, b = np.random.default_rng(6).normal(size=(2, 3)), np.random.default_rng(7).normal(size=(3, 4))
    x, y = leaf(a), leaf(b)
    out = np.einsum(x, [0, 1], y, [1, 2], [0, 2])
    np.testing.assert_allclose(out.data, a @ b)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, np.ones((2, 4)) @ b.T)


# == nnet/layers: conv_nd, max_pool, batchnorm (against torch in float64) ==========================================
def _both(torch: Any, ours: Callable[..., Any], theirs: Callable[..., Any], arrays: Sequence[Any], seed: int = 0):
    """ours(*tensors) and theirs(*torch tensors), then the gradients of <out, upstream>, compared in float64."""
    xs = [leaf(a) for a in arrays]
    ts = [to_torch(torch, a) for a in arrays]
    out, t_out = ours(*xs), theirs(*ts)
    assert out.shape == tuple(t_out.shape)
    close(out, t_out, 1e-9, 1e-10)
    upstream = np.random.default_rng(seed).normal(size=out.shape)
    (out * Tensor(upstream)).sum().backward()
    (t_out * torch.tensor(upstream)).sum().backward()
    for x, t in zip(xs, ts):
        close(x.grad, t.grad, 1e-8, 1e-10)


@settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_conv_nd_stride_padding_dilation(data):
    """MyGrad's conv_nd over 1, 2 and 3 spatial dims, with stride, padding and dilation per axis."""
    torch = torch_or_skip()
    nd = data.draw(st.integers(1, 3), label="nd")
    n, c, f = data.draw(st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3)))
    kernel = data.draw(st.tuples(*(st.integers(1, 3),) * nd), label="kernel")
    stride = data.draw(st.tuples(*(st.integers(1, 3),) * nd), label="stride")
    dilation = data.draw(st.tuples(*(st.integers(1, 2),) * nd), label="dilation")
    padding = data.draw(st.tuples(*(st.integers(0, 2),) * nd), label="padding")
    spatial = tuple(
        data.draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 6)) for k, d, p in zip(kernel, dilation, padding)
    )
    x = data.draw(float_arrays((n, c) + spatial, -2, 2), label="x")
    w = data.draw(float_arrays((f, c) + kernel, -2, 2), label="w")
    b = data.draw(float_arrays((f,), -2, 2), label="b")
    ours = getattr(F, f"conv{nd}d")
    theirs = getattr(torch.nn.functional, f"conv{nd}d")
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    _both(torch, lambda x, w, b: ours(x, w, b, **kwargs), lambda x, w, b: theirs(x, w, b, **kwargs), [x, w, b])


def test_conv_fixed_example_against_direct_sum():
    """A 2-D valid convolution (cross-correlation) written out as sums, MyGrad's hand-checked case."""
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=(1, 2, 5, 4)), rng.normal(size=(3, 2, 2, 3))
    out = F.conv2d(leaf(x), leaf(w), stride=(2, 1))
    expected = np.zeros((1, 3, 2, 2))
    for fi in range(3):
        for i in range(2):
            for j in range(2):
                expected[0, fi, i, j] = np.sum(x[0, :, 2 * i : 2 * i + 2, j : j + 3] * w[fi])
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


@settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_max_pool_nd(data):
    """MyGrad's max_pool over 1, 2 or 3 trailing axes with a stride, distinct values (no ties)."""
    torch = torch_or_skip()
    nd = data.draw(st.integers(1, 3), label="nd")
    pool = data.draw(st.tuples(*(st.integers(1, 3),) * nd), label="pool")
    stride = data.draw(st.tuples(*(st.integers(1, 3),) * nd), label="stride")
    spatial = tuple(data.draw(st.integers(p, 5)) for p in pool)
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))) + spatial
    x = np.random.default_rng(data.draw(st.integers(0, 2**16))).permutation(int(np.prod(shape))).reshape(shape) / 7.0
    ours, theirs = getattr(F, f"max_pool{nd}d"), getattr(torch.nn.functional, f"max_pool{nd}d")
    _both(torch, lambda t: ours(t, pool, stride), lambda t: theirs(t, pool, stride), [x])


@pytest.mark.parametrize("ndim", [2, 3, 4, 5])
@pytest.mark.parametrize("affine", [False, True])
def test_batchnorm_training(ndim, affine):
    """MyGrad's batchnorm: normalize over every axis but 1 with the batch's biased variance, then gamma, beta."""
    torch = torch_or_skip()
    rng = np.random.default_rng(ndim)
    shape = (3, 4, 3, 2, 2)[:ndim]
    arrays = [rng.normal(size=shape) * 3 + 1]
    if affine:
        arrays += [rng.normal(size=(4,)), rng.normal(size=(4,))]

    def ours(x, *gb):
        return F.batch_norm(x, None, None, *gb, training=True, eps=1e-5)

    def theirs(x, *gb):
        return torch.nn.functional.batch_norm(x, None, None, *gb, training=True, eps=1e-5)

    _both(torch, ours, theirs, arrays)
    x = arrays[0]
    axes = tuple(i for i in range(ndim) if i != 1)
    expected = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5)
    np.testing.assert_allclose(ours(leaf(x)).data, expected, rtol=1e-10)


# == nnet/losses ===================================================================================================
@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_softmax_crossentropy(data):
    torch = torch_or_skip()
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    x = data.draw(float_arrays((n, c), -20, 20), label="x")
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    _both(
        torch,
        lambda t: F.cross_entropy(t, y),
        lambda t: torch.nn.functional.cross_entropy(t, torch.as_tensor(y)),
        [x],
    )
    _both(
        torch,
        lambda t: ag.softmax_cross_entropy(t, y, 1).mean(),
        lambda t: torch.nn.functional.cross_entropy(t, torch.as_tensor(y)),
        [x],
    )
    expected = -np.mean(
        (x - np.log(np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)) - x.max(1, keepdims=True))[
            np.arange(n), y
        ]
    )
    np.testing.assert_allclose(F.cross_entropy(leaf(x), y).item(), expected, rtol=1e-9, atol=1e-14)


@settings(SETTINGS, max_examples=15)
@given(data=st.data(), margin=st.floats(0, 3))
def test_margin_ranking_loss(data, margin):
    torch = torch_or_skip()
    n = data.draw(st.integers(1, 6))
    x1, x2 = data.draw(float_arrays((n,), -5, 5)), data.draw(float_arrays((n,), -5, 5))
    y = np.array(data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    assume(np.all(np.abs(margin - y * (x1 - x2)) > 1e-6))  # away from the hinge's kink
    _both(
        torch,
        lambda a, b: F.margin_ranking_loss(a, b, Tensor(y), margin=margin),
        lambda a, b: torch.nn.functional.margin_ranking_loss(a, b, torch.as_tensor(y), margin=margin),
        [x1, x2],
    )
    np.testing.assert_allclose(
        F.margin_ranking_loss(leaf(x1), leaf(x2), Tensor(y), margin=margin).item(),
        np.mean(np.maximum(0, margin - y * (x1 - x2))),
    )


@pytest.mark.parametrize("weighted", [False, True])
@settings(SETTINGS, max_examples=10)
@given(data=st.data())
def test_negative_log_likelihood(weighted, data):
    """MyGrad's negative_log_likelihood; with class weights it follows torch's nll_loss (the weighted mean divides
    by the targets' total weight)."""
    torch = torch_or_skip()
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    x = data.draw(float_arrays((n, c), -5, 0), label="x")
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    w = data.draw(float_arrays((c,), 0.1, 2)) if weighted else None
    tw = None if w is None else torch.as_tensor(w)
    _both(
        torch,
        lambda t: F.nll_loss(t, y, weight=None if w is None else Tensor(w)),
        lambda t: torch.nn.functional.nll_loss(t, torch.as_tensor(y), weight=tw),
        [x],
    )
    ww = np.ones(c) if w is None else w
    np.testing.assert_allclose(
        F.nll_loss(leaf(x), y, weight=None if w is None else Tensor(w)).item(),
        -np.sum(ww[y] * x[np.arange(n), y]) / np.sum(ww[y]),
    )


def _focal(lib: Any, scores: Any, y: np.ndarray, alpha: float, gamma: float) -> Any:
    """MyGrad's softmax_focal_loss, written with the library's ops: mean of -alpha (1 - p_t)^gamma log p_t."""
    p = lib.softmax(scores, dim=1)
    p_t = p[lib.arange(len(y)), lib.as_tensor(y)]
    return (-alpha * (1 - p_t) ** gamma * lib.log(p_t)).mean()


@settings(SETTINGS, max_examples=15)
@given(data=st.data(), alpha=st.floats(0.1, 2), gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_softmax_focal_loss(data, alpha, gamma):
    """No focal loss in torch or here: MyGrad's softmax_focal_loss composed of softmax, indexing, pow and log, checked
    against torch's same composition and MyGrad's closed form (gamma = 0 is cross-entropy times alpha)."""
    torch = torch_or_skip()
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    x = data.draw(float_arrays((n, c), -5, 5), label="x")
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    _both(torch, lambda t: _focal(ag, t, y, alpha, gamma), lambda t: _focal(torch, t, y, alpha, gamma), [x])
    p = np.exp(x - x.max(1, keepdims=True))
    p_t = (p / p.sum(1, keepdims=True))[np.arange(n), y]
    expected = np.mean(-alpha * (1 - p_t) ** gamma * np.log(p_t))
    np.testing.assert_allclose(_focal(ag, leaf(x), y, alpha, gamma).item(), expected, rtol=1e-9)


@settings(SETTINGS, max_examples=10)
@given(data=st.data(), hinge=st.floats(0.5, 2))
def test_multiclass_hinge(data, hinge):
    """MyGrad's multiclass_hinge sums the margins over the classes; torch's multi_margin_loss averages them (times C)."""
    torch = torch_or_skip()
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    x = data.draw(float_arrays((n, c), -3, 3), label="x")
    y = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    margins = hinge + x - x[np.arange(n), y][:, None]
    margins[np.arange(n), y] = -1.0  # the target's own term counts nothing
    assume(np.all(np.abs(margins) > 1e-6))  # away from the hinge's kink
    _both(
        torch,
        lambda t: c * F.multi_margin_loss(t, y, margin=hinge),
        lambda t: c * torch.nn.functional.multi_margin_loss(t, torch.as_tensor(y), margin=hinge),
        [x],
    )
    np.testing.assert_allclose(
        c * F.multi_margin_loss(leaf(x), y, margin=hinge).item(), np.maximum(margins, 0).sum(1).mean()
    )


# == nnet/activations ==============================================================================================
ACTIVATIONS = [
    ("softmax", dict(dim=-1)),
    ("softmax", dict(dim=0)),
    ("log_softmax", dict(dim=-1)),
    ("log_softmax", dict(dim=0)),
    ("elu", dict(alpha=1.3)),
    ("glu", dict(dim=-1)),
    ("glu", dict(dim=0)),
    ("hardtanh", dict(min_val=-0.7, max_val=1.5)),
    ("leaky_relu", dict(negative_slope=0.2)),
    ("selu", {}),
    ("sigmoid", {}),
    ("softsign", {}),
    ("relu", {}),
    ("tanh", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), ACTIVATIONS, ids=[f"{a}-{sorted(k.items())}" for a, k in ACTIVATIONS])
@settings(SETTINGS, max_examples=10)
@given(data=st.data())
def test_activation(name, kwargs, data):
    torch = torch_or_skip()
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), label="shape")
    if name == "glu":
        shape = tuple(2 * s if i == kwargs["dim"] % len(shape) else s for i, s in enumerate(shape))
    x = data.draw(float_arrays(shape, -4, 4), label="x")
    ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    _both(torch, lambda t: ours(t, **kwargs), lambda t: theirs(t, **kwargs), [x])


@pytest.mark.parametrize(
    ("name", "kwargs", "values"),
    [
        ("relu", {}, [0.0, -0.0, 1.0, -1.0]),
        ("leaky_relu", dict(negative_slope=0.3), [0.0, -0.0, 2.0, -2.0]),
        ("hardtanh", dict(min_val=-1.0, max_val=1.0), [-1.0, 1.0, 0.0, 2.0]),
        ("elu", dict(alpha=0.5), [0.0, -1e3, 1e3, -0.0]),
        ("selu", {}, [0.0, -1e3, 1e3, -0.0]),
        ("sigmoid", {}, [-1e4, 1e4, 0.0, -745.0]),
        ("softsign", {}, [0.0, -1e300, 1e300, -0.0]),
        ("softmax", dict(dim=0), [1e300, -1e300, 0.0, 1e300]),
        ("log_softmax", dict(dim=0), [-np.inf, 0.0, 1e3, -1e3]),
    ],
)
def test_activation_edge_values(name, kwargs, values):
    """The kinks and the saturated ends MyGrad's activation tests probe: values and gradients as torch's."""
    torch = torch_or_skip()
    x, tx = leaf(values), to_torch(torch, values)
    out, t_out = getattr(F, name)(x, **kwargs), getattr(torch.nn.functional, name)(tx, **kwargs)
    close(out, t_out)
    upstream = np.array([1.0, -2.0, 0.5, 3.0])
    (out * Tensor(upstream)).sum().backward()
    (t_out * torch.tensor(upstream)).sum().backward()
    close(x.grad, tx.grad)


# == state_testing/test_view_semantics.py ==========================================================================
# MyGrad's state machine builds views of views of a square tensor beside the same views of a numpy array, mutates
# them in place through any view, and checks every tensor against its array after each step (values, shared
# memory). Its final check (every view's .grad is a view of its base's .grad, equal to its data) is MyGrad's own
# design; here views take torch's semantics (no .grad of their own), so the gradient check is torch's meaning of the
# same program: the gradient of <terminal's final value, upstream> with respect to the leaf the base came from,
# against central differences of the numpy program replayed from perturbed starting values. (A mutation whose own
# operand was saved by an op still in the graph, ``x *= x`` or ``x -= y * x`` through a view, is torch's version
# error at backward, here as in torch, so the machine draws MyGrad's mutations only, plus a row write.)
VIEW_OPS: dict[str, Callable[[Any], Any]] = {
    "identity": lambda x: x[...],
    "horizontal flip": lambda x: x[:, ::-1],
    "vertical flip": lambda x: x[::-1],
    "transpose": lambda x: x.T,
    "einsum view": lambda x: (np.einsum if isinstance(x, np.ndarray) else ag.einsum)("...->...", x),
    "einsum transpose": lambda x: (np.einsum if isinstance(x, np.ndarray) else ag.einsum)("ij->ji", x),
    "add and remove leading newaxis": lambda x: x[np.newaxis][0],
    "add and remove middle newaxis": lambda x: x[:, np.newaxis, :][:, 0, :],
    "add and remove trailing newaxis": lambda x: x[..., np.newaxis][..., 0],
}

UNARY_MUTATIONS: dict[str, Callable[[Any], Any]] = {
    "x += 2": lambda x: x.__iadd__(2.0),
    "x -= 2": lambda x: x.__isub__(2.0),
    "x /= 3": lambda x: x.__itruediv__(3.0),
    "x *= 3": lambda x: x.__imul__(3.0),
    "x += x": lambda x: x.__iadd__(x),
}


def _diagonal(x: Any) -> Any:
    """A writable view of the diagonal: numpy's einsum('ii->i') gives one, as torch's does (and here too)."""
    return (np.einsum if isinstance(x, np.ndarray) else ag.einsum)("ii->i", x)


def _as_read_before(source: Any) -> Any:
    """The numpy side of a write whose source overlaps its destination reads the source first (a copy): this
    library writes as if it had (numpy's rule for its ufuncs, and its setitem's too, except where a 1-D destination
    and source run in the same direction with other strides: ``b.T[2] = b[1]`` then copies entry by entry, so
    ``b[2, 2]`` takes the ``b[1, 2]`` just written, as torch's ``copy_`` does too)."""
    return source.copy() if isinstance(source, np.ndarray) else source


BINARY_MUTATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "x[...] = y": lambda x, y: x.__setitem__(Ellipsis, y),
    "x[::-1] = y": lambda x, y: x.__setitem__(slice(None, None, -1), y),
    "x += y": lambda x, y: x.__iadd__(y),
    "x += (x + y)": lambda x, y: x.__iadd__(x + y),
    "diag(x)[...] = diag(y)": lambda x, y: _diagonal(x).__setitem__(Ellipsis, _diagonal(y)),
    "x[0] = y[1]": lambda x, y: x.__setitem__(0, _as_read_before(y[1])),
    "diag(x) *= 2": lambda x, y: _diagonal(x).__imul__(2.0),
    "x.T[1:] -= y[:-1]": lambda x, y: x.T[1:].__isub__(y[:-1]),
    "x[[0, -1]] = y[:2]": lambda x, y: x.__setitem__(([0, -1],), y[:2]),
    "x[:, [2, 0]] = y[:, :2] * 2": lambda x, y: x.__setitem__((slice(None), [2, 0]), y[:, :2] * 2),
    "x[x > 0.3137] *= 0.5": lambda x, y: x.__setitem__(x > 0.3137, x[x > 0.3137] * 0.5),
    "x[y < 0.3137] = -y.T[y < 0.3137]": lambda x, y: x.__setitem__(y < 0.3137, -(y.T[y < 0.3137])),
}


def _replay(start: np.ndarray, program: list[tuple[Any, ...]]) -> list[np.ndarray]:
    """The numpy arrays of the program run from ``start``: [base, view, ...], each in its final state."""
    arrays = [start.copy()]
    for step in program:
        if step[0] == "view":
            arrays.append(VIEW_OPS[step[2]](arrays[step[1]]))
        elif step[0] == "unary":
            UNARY_MUTATIONS[step[2]](arrays[step[1]])
        else:
            BINARY_MUTATIONS[step[3]](arrays[step[1]], arrays[step[2]])
    return arrays


class ViewGraphCompare(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tensors: list[Tensor] = []
        self.arrays: list[np.ndarray] = []
        self.program: list[tuple[Any, ...]] = []
        self.terminal: int | None = None

    nodes = Bundle("nodes")

    @initialize(target=nodes, shape=st.sampled_from([(3, 3), (4, 4)]))
    def create_base(self, shape: tuple[int, int]) -> int:
        self.start = np.arange(float(np.prod(shape))).reshape(shape) / 4 - 1
        self.leaf = leaf(self.start)
        self.tensors.append(self.leaf * 1)  # (MyGrad's +t: a graph node, not the leaf, is written into)
        self.arrays.append(self.start.copy())
        return 0

    @rule(target=nodes, parent=nodes, op=st.sampled_from(list(VIEW_OPS)))
    def create_view(self, parent: int, op: str) -> int:
        self.tensors.append(VIEW_OPS[op](self.tensors[parent]))
        self.arrays.append(VIEW_OPS[op](self.arrays[parent]))
        self.program.append(("view", parent, op))
        assert np.shares_memory(self.tensors[-1].data, self.tensors[parent].data)
        return len(self.tensors) - 1

    @rule(node=nodes, op=st.sampled_from(list(UNARY_MUTATIONS)))
    def unary_mutate(self, node: int, op: str) -> None:
        UNARY_MUTATIONS[op](self.tensors[node])
        UNARY_MUTATIONS[op](self.arrays[node])
        self.program.append(("unary", node, op))

    @rule(node1=nodes, node2=nodes, op=st.sampled_from(list(BINARY_MUTATIONS)))
    def binary_mutate(self, node1: int, node2: int, op: str) -> None:
        BINARY_MUTATIONS[op](self.tensors[node1], self.tensors[node2])
        BINARY_MUTATIONS[op](self.arrays[node1], self.arrays[node2])
        self.program.append(("binary", node1, node2, op))

    @precondition(lambda self: self.terminal is None)
    @rule(node=nodes)
    def pick_terminal(self, node: int) -> None:
        self.terminal = node

    @invariant()
    def every_view_matches_numpy(self) -> None:
        for tensor, array in zip(self.tensors, self.arrays):
            np.testing.assert_allclose(tensor.data, array, rtol=1e-12, atol=1e-12)
            assert np.shares_memory(tensor.data, self.tensors[0].data)

    def teardown(self) -> None:
        if not self.tensors:
            return
        terminal = len(self.tensors) - 1 if self.terminal is None else self.terminal
        upstream = np.random.default_rng(len(self.program)).normal(size=self.arrays[terminal].shape)
        self.tensors[terminal].backward(upstream)
        program, start = list(self.program), self.start
        expected = _numerical_vjp(lambda s: _replay(s, program)[terminal], [start], upstream)[0]
        np.testing.assert_allclose(self.leaf.grad, expected, rtol=1e-5, atol=1e-5)
        self.every_view_matches_numpy()  # backward changed no value


ViewGraphCompare.TestCase.settings = settings(SETTINGS, max_examples=60, stateful_step_count=12)
TestViewGraphCompare = ViewGraphCompare.TestCase


# == tensor_base/test_augmented_updates.py ========================================================================
@pytest.mark.parametrize(
    ("op", "dx", "dy"),
    [
        ("__imul__", lambda a: np.where(a < 4, 2.0, 1.0), lambda a: a[a < 4]),
        ("__iadd__", lambda a: np.ones_like(a), lambda a: np.ones(4)),
        ("__itruediv__", lambda a: np.where(a < 4, 0.5, 1.0), lambda a: -a[a < 4] / 4),
        ("__isub__", lambda a: np.ones_like(a), lambda a: -np.ones(4)),
        ("__ipow__", lambda a: np.where(a < 4, 2 * a, 1.0), lambda a: a[a < 4] ** 2 * np.log(np.maximum(a[a < 4], 1))),
    ],
)
def test_augmented_update_through_a_mask(op, dx, dy):
    """t2[t2 < 4] op= y on a graph node: numpy's values, and the gradients MyGrad derives by hand."""
    a = np.arange(9.0).reshape(3, 3)
    expected = a.copy()
    expected[expected < 4] = getattr(expected[expected < 4], op)(2.0)
    t1 = leaf(a)
    y = leaf(np.full(4, 2.0))
    t2 = t1 * 1
    t2[t2 < 4] = getattr(t2[t2 < 4], op)(y)
    t2.sum().backward()
    np.testing.assert_allclose(t2.data, expected)
    np.testing.assert_allclose(t1.grad, dx(a))
    np.testing.assert_allclose(y.grad, dy(a))
    t3 = leaf(a)
    t4 = t3 * 1
    item = t4[t4 < 4]
    item = getattr(item, op)(y)
    t4[t4 < 4] = item
    t4.sum().backward()
    np.testing.assert_allclose(t3.grad, dx(a))


# == math/test_misc.py: maximum, minimum, clip ===================================================================
def test_maximum_minimum_ties_split_as_torch():
    """MyGrad gives a tie of maximum/minimum no gradient at all; this library splits it, as torch.maximum."""
    torch = torch_or_skip()
    for name in ("maximum", "minimum"):
        x, y = leaf([1.0, 0.0, 2.0]), leaf([2.0, 0.0, 1.0])
        tx, ty = to_torch(torch, [1.0, 0.0, 2.0]), to_torch(torch, [2.0, 0.0, 1.0])
        getattr(np, name)(x, y).sum().backward()
        getattr(torch, name)(tx, ty).sum().backward()
        close(x.grad, tx.grad)
        close(y.grad, ty.grad)


@pytest.mark.parametrize("which", ["both", "min", "max"])
@FEW
@given(data=st.data())
def test_clip_with_array_bounds(which, data):
    """np.clip with bounds that broadcast and require grad: the bounds take the gradient where they clip."""
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), label="shape")
    bound_shape = data.draw(hnp.broadcastable_shapes(shape, max_dims=len(shape)), label="bound shape")
    a = data.draw(float_arrays(shape, -10, 10))
    lo = data.draw(float_arrays(bound_shape, -10, 0))
    hi = data.draw(float_arrays(bound_shape, 0.5, 10))
    assume(np.all(np.abs(a - lo) > 1e-3) and np.all(np.abs(a - hi) > 1e-3))
    if which == "both":
        check_op(np.clip, np.clip, [a, lo, hi], data)
    elif which == "min":
        check_op(lambda x, b: np.clip(x, b, None), lambda x, b: np.clip(x, b, None), [a, lo], data)
    else:
        check_op(lambda x, b: np.clip(x, None, b), lambda x, b: np.clip(x, None, b), [a, hi], data)


@settings(SETTINGS, max_examples=60)
@given(
    a=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=st.floats(-1e6, 1e6)),
    a_min=st.none()
    | hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=st.floats(-1e6, 1e6)),
    a_max=st.none()
    | hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=st.floats(-1e6, 1e6)),
)
def test_clip_input_validation(a, a_min, a_max):
    """Shapes that do not broadcast raise as numpy's; otherwise numpy's values (a_min > a_max gives a_max)."""
    try:
        expected = np.clip(a, a_min, a_max)
    except Exception as error:
        with pytest.raises(type(error)):
            np.clip(Tensor(a), a_min, a_max)
        return
    np.testing.assert_array_equal(np.clip(Tensor(a), a_min, a_max).data, expected)
    if a_min is not None or a_max is not None:  # (x.clip(None, None) is torch's error: the method is torch's too)
        np.testing.assert_array_equal(Tensor(a).clip(a_min, a_max).data, expected)


# == linalg/test_norm.py, linalg/test_multi_matmul.py ===============================================================
@pytest.mark.parametrize(
    ("ord", "axis", "ndim"),
    [
        (None, None, 1),
        (None, None, 2),
        (None, None, 3),
        (1, -1, 2),
        (2, 0, 2),
        (3, 1, 3),
        (0.5, -1, 2),
        (-1, 1, 2),
        (np.inf, -1, 2),
        (-np.inf, 0, 2),
        ("fro", (0, 1), 2),
        ("fro", (-1, 0), 3),
        ("nuc", (1, 2), 3),
        (1, (0, 1), 2),
        (-1, (1, 0), 2),
        (np.inf, (0, 2), 3),
        (-np.inf, (0, 1), 2),
        (2, (0, 1), 2),
        (-2, (1, 2), 3),
    ],
)
@pytest.mark.parametrize("keepdims", [False, True])
@settings(SETTINGS, max_examples=4)
@given(data=st.data())
def test_norm(ord, axis, ndim, keepdims, data):
    """MyGrad's linalg.norm against numpy's, vector and matrix orders over any axes (entries away from 0 and from
    ties, where the norms' derivatives are one-sided)."""
    shape = data.draw(st.tuples(*(st.integers(2, 3),) * ndim), label="shape")
    size = int(np.prod(shape))
    x = np.array(data.draw(st.permutations(np.linspace(0.5, 3.0, size))), dtype=float).reshape(shape)
    x = x * np.where(data.draw(hnp.arrays(bool, shape)), -1, 1)

    def norm(t: Any) -> Any:
        return np.linalg.norm(t, ord=ord, axis=axis, keepdims=keepdims)

    # a tie of row or column sums (ord +-1, +-inf of a matrix) is a kink: one-sided differences disagree there
    assume(_smooth_at(lambda t: np.sum(norm(t)), x))
    check_op(norm, norm, [x], data, rtol=1e-4, atol=1e-6)


@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_multi_matmul(data):
    """np.linalg.multi_dot of 2 to 5 matrices (a vector at either end allowed), whatever order it contracts in."""
    n = data.draw(st.integers(2, 5))
    dims = data.draw(st.lists(st.integers(1, 4), min_size=n + 1, max_size=n + 1))
    shapes = [(dims[i], dims[i + 1]) for i in range(n)]
    if data.draw(st.booleans()):
        shapes[0] = shapes[0][1:]
    if data.draw(st.booleans()):
        shapes[-1] = shapes[-1][:1]
    arrays = [data.draw(float_arrays(s, -2, 2)) for s in shapes]

    def multi(*xs: Any) -> Any:
        return np.linalg.multi_dot(list(xs))

    check_op(multi, multi, arrays, data, rtol=1e-5)


# == tensor_base: test_backward.py, test_chainrule.py, test_graph_tracking.py ======================================
def test_backward_of_a_non_scalar_needs_a_seed_as_torch():
    """MyGrad seeds a non-scalar's backward() with ones; this library follows torch: a seed of the output's shape is
    required (torch's RuntimeError without one), and with one the gradient is the seed's vector-Jacobian product."""
    torch = torch_or_skip()
    for lib in (torch, ag):
        x = lib.tensor(np.ones((2, 3)), requires_grad=True)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            (x * 2).sum(0).backward()
    x = leaf(np.ones((2, 3)))
    (x * 2).sum(axis=0).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad, [[2.0, 4.0, 6.0]] * 2)


@settings(SETTINGS, max_examples=20)
@given(x=float_arrays((3,), -2, 2), y=float_arrays((3,), -2, 2), z=float_arrays((3,), 0.5, 2))
def test_chain_rule_through_a_diamond(x, y, z):
    """MyGrad's test_chainrule graphs: nodes used by several later nodes (f = a * b with a, b both of x and y), the
    gradient summed over every path, against central differences of the same numpy program."""

    def program(x: Any, y: Any, z: Any) -> Any:
        a = x * y + z
        b = a * x - y / z
        c = np.exp(a / 4) * b + a
        return c * a - b**2

    check_op(program, program, [x, y, z], rtol=1e-5)


def test_second_backward_through_a_freed_graph_as_torch():
    """MyGrad clears its graph after backward; here, as torch, a backward frees what its nodes saved: a second pass
    through ``x * y`` raises torch's RuntimeError, while one through ``x + y`` (nothing saved) accumulates again."""
    torch = torch_or_skip()
    for lib in (torch, ag):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        s = (x + y).sum()
        s.backward()
        s.backward()
        np.testing.assert_array_equal(np.asarray(x.grad), [2.0, 2.0])
        p = (x * y).sum()
        p.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            p.backward()
        q = (x * y).sum()
        q.backward(retain_graph=True)
        q.backward()
        np.testing.assert_array_equal(np.asarray(y.grad), [2 + 3 * 1.0, 2 + 3 * 2.0])  # two sums, three products


@settings(SETTINGS, max_examples=20)
@given(data=st.data())
def test_logsumexp_axis_tuples(data):
    """MyGrad's test_scipy_mirror: logsumexp over axis tuples with keepdims, against scipy's."""
    special = pytest.importorskip("scipy.special")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    x = data.draw(float_arrays(shape, -50, 50))
    axis = data.draw(axis_arg(len(shape)))
    assume(axis != ())
    keepdims = data.draw(st.booleans())
    check_op(
        lambda t: t.logsumexp(axis=axis, keepdims=keepdims),
        lambda a: special.logsumexp(a, axis=axis, keepdims=keepdims),
        [x],
        data,
        rtol=1e-5,
    )


def test_softmax_rows_of_minus_infinity_as_torch():
    torch = torch_or_skip()
    values = [[-np.inf, -np.inf, -np.inf], [0.0, 1.0, -np.inf], [1e300, 1e300, 0.0]]
    for name in ("softmax", "log_softmax"):
        x, tx = leaf(values), to_torch(torch, values)
        out, t_out = getattr(F, name)(x, dim=1), getattr(torch.nn.functional, name)(tx, dim=1)
        close(out, t_out)
        upstream = np.array([[1.0, 2.0, 3.0]] * 3)
        out.backward(upstream)
        t_out.backward(torch.tensor(upstream))
        close(x.grad, tx.grad)


@settings(SETTINGS, max_examples=60)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), elements=finite),
    data=st.data(),
)
def test_setitem_arbitrary_index_against_torch(x, data):
    """MyGrad's setitem tests with its arbitrary indices (integers, slices, None, Ellipsis, integer arrays, masks):
    the written node and both gradients as torch's, whose rule for an integer beside an array this library follows.
    Indices that write a position twice are left to the tests above (torch leaves their order unspecified)."""
    torch = torch_or_skip()
    index = data.draw(arbitrary_index(x.shape), label="index")
    arrays = [i for i in index if isinstance(i, np.ndarray)]
    assume(not any(i.dtype == bool for i in arrays) or len(arrays) == 1)
    tx = to_torch(torch, x)
    t_index = tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    try:
        target = tx.detach()[t_index]
    except (IndexError, RuntimeError):
        assume(False)
        return
    positions = torch.arange(x.size).reshape(x.shape)[t_index].numpy()
    assume(np.unique(positions).size == positions.size)
    y = data.draw(_value_for(tuple(target.shape)), label="y")
    assume(np.broadcast_shapes(y.shape, tuple(target.shape)) == tuple(target.shape))
    ours_x, ours_y = leaf(x), leaf(y)
    w = ours_x * 1
    w[index] = ours_y
    ty = to_torch(torch, y)
    tw = tx * 1
    tw[t_index] = ty
    close(w, tw, 0, 0)
    upstream = np.random.default_rng(10).normal(size=x.shape)
    (w * Tensor(upstream)).sum().backward()
    (tw * torch.tensor(upstream)).sum().backward()
    close(ours_x.grad, tx.grad, 1e-12, 1e-12)
    close(ours_y.grad, ty.grad, 1e-12, 1e-12)
