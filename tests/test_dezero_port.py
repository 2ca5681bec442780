""" "Deep Learning from Scratch 3" (Saito; its framework DeZero): the book's steps 1-60 and DeZero's ``tests/``
rewritten with the library, as a reader who knows torch would write them.

Each test builds the step's computation with ``autograd``/``nn`` and checks it against the numbers the book prints
(where they follow from the maths alone), against float64 finite differences (``autograd.gradcheck``, DeZero's
``check_backward``), against a plain numpy reference written here after the book's formulas, and against torch
where torch has the same op.

DeZero's conventions that differ from torch's (which the library follows) are mapped the way a student would:

- ``Variable`` is ``Tensor(..., requires_grad=True)``; ``x.cleargrad()`` is ``x.grad = None`` and
  ``model.cleargrads()`` ``model.zero_grad()``; ``dezero.no_grad()``/``using_config('enable_backprop', False)``
  is ``autograd.no_grad()``; ``dezero.test_mode()`` is ``model.eval()`` (or ``training=False``);
- DeZero's ``backward()`` of a non-scalar seeds it with ones and keeps only the leaves' gradients (``retain_grad``
  False): torch's needs ``backward(ones_like(y))``, and keeps the leaves' only too;
- DeZero's ``Variable`` also takes integer arrays (``check_backward`` casts them to float): torch's gradients are
  for floating tensors, so the ports build their inputs as float64;
- a weight of DeZero's ``Linear``/``F.linear`` is stored (in, out) and used as ``x @ W + b``; ``nn.Linear.weight``
  and ``F.linear``'s are (out, in), so DeZero's W is ``weight.T``; its ``Linear(out_size)`` without ``in_size`` is
  ``nn.LazyLinear(out_size)``;
- DeZero's ``F.im2col(x, ...)`` with ``to_matrix=True`` is ``F.unfold(x, ...)`` in rows: ``unfold(x).transpose(1,
  2).reshape(-1, C*KH*KW)``; ``F.col2im`` is ``F.fold``; ``F.pooling`` is ``F.max_pool2d``; ``F.deconv2d`` is
  ``F.conv_transpose2d`` (the same (C_in, C_out, KH, KW) weight);
- ``F.softmax_cross_entropy(x, t)`` is ``F.cross_entropy(x, t)`` (mean over the batch); ``F.accuracy`` is
  ``(y.argmax(1) == t).float().mean()``; ``F.mean_squared_error`` is ``F.mse_loss``;
- DeZero's ``MomentumSGD`` (v = m v - lr g; W += v) is torch's ``SGD(momentum=m)`` (b = m b + g; W -= lr b, so
  v = -lr b); its ``AdaGrad(eps)`` is ``Adagrad(eps=eps)``; its ``AdaDelta(rho, eps)`` is ``Adadelta(lr=1, rho,
  eps)``; its ``Adam`` folds the bias corrections into the step size and adds eps to the uncorrected sqrt(v): equal
  to torch's with eps=0 (compared so); its ``WeightDecay(rate)`` hook is ``SGD(weight_decay=rate)`` and its
  ``ClipGrad(max_norm)`` hook ``nn.utils.clip_grad_norm_``;
- DeZero's ``RNN`` has no hidden-to-hidden bias (its ``h2h`` has ``nobias=True``): ``nn.RNNCell`` with
  ``bias_hh`` zero; its ``LSTM`` has one Linear per gate (f, i, o, u), torch's ``LSTMCell`` one stacked weight in
  the order (i, f, g, o); ``loss.unchain_backward()`` (truncated BPTT) is ``h = h.detach()``;
- ``save_weights``/``load_weights`` (an ``.npz`` of the flattened parameters) is ``nn.save(model.state_dict())``
  and ``load_state_dict``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

F64 = np.float64
pytestmark = pytest.mark.filterwarnings(
    "ignore:Using backward\\(\\) with create_graph=True:UserWarning",
    "ignore:The .grad attribute of a Tensor that is not a leaf:UserWarning",
)


@pytest.fixture(autouse=True)
def _torch_weights_seeded():
    """torch's layers draw their initial weights from its generator: seeded for each test (and put back after it), so
    a test starts from the same weights whatever ran before it. The spiral runs need it: from about 1 start in 15
    momentum SGD does not halve the loss in 100 epochs, in either library."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        yield


def Variable(data, requires_grad: bool = True) -> Tensor:
    """DeZero's ``Variable(np.array(...))``: a float64 leaf that requires a gradient."""
    return Tensor(np.array(data, dtype=F64), requires_grad=requires_grad)


def _torch(data, requires_grad: bool = True):
    return torch.tensor(np.array(data, dtype=F64), requires_grad=requires_grad)


def _close(ours, expected, atol=1e-10, rtol=1e-10):
    if isinstance(ours, Tensor):
        ours = ours.detach().numpy()
    if hasattr(expected, "detach"):
        expected = expected.detach().numpy()
    np.testing.assert_allclose(np.asarray(ours, dtype=F64), np.asarray(expected, dtype=F64), rtol=rtol, atol=atol)


def numerical_diff(f, x: Tensor, eps: float = 1e-4) -> np.ndarray:
    """Step 4's centred difference, elementwise: (f(x + eps) - f(x - eps)) / 2 eps."""
    x0 = np.array(x.data, dtype=F64)
    grad = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        high, low = x0.copy(), x0.copy()
        high[idx] += eps
        low[idx] -= eps
        grad[idx] = (np.sum(f(Tensor(high)).data) - np.sum(f(Tensor(low)).data)) / (2 * eps)
    return grad


def check_backward(f, *arrays) -> bool:
    """DeZero's ``check_backward``: f's gradients (of the sum of its output) against float64 finite differences,
    its integer inputs cast to float first."""
    leaves = [Variable(np.asarray(a, dtype=F64)) for a in arrays]
    return gradcheck(f, leaves)


# -- steps 1-10: Variable, Function, backward -------------------------------------------------------------------


def test_step04_numerical_diff_of_the_composite_matches_backward():
    def f(x):
        return ((x**2).exp()) ** 2  # square(exp(square(x)))

    x = Variable(0.5)
    y = f(x)
    y.backward()
    assert math.isclose(float(y), math.exp(0.5), rel_tol=1e-15)  # exp(0.25)^2
    assert math.isclose(float(x.grad), 3.297442541400256, rel_tol=1e-14)  # the book's value
    assert math.isclose(float(numerical_diff(f, x)), 3.2974426293330694, rel_tol=1e-7)


def test_step09_backward_of_a_scalar_seeds_one_and_the_leaf_keeps_a_float64_gradient():
    x = Variable(np.array(0.5))
    y = (x**2).exp() ** 2
    y.backward()
    assert x.grad.shape == () and np.asarray(x.grad).dtype == F64


def test_step13_14_a_variable_used_twice_sums_its_gradients_and_cleargrad_resets_them():
    x = Variable(3.0)
    y = x + x
    y.backward()
    assert float(x.grad) == 2.0
    x.grad = None  # x.cleargrad()
    y = (x + x) + x
    y.backward()
    assert float(x.grad) == 3.0
    y = x + x
    y.backward()  # without cleargrad the gradients accumulate, as DeZero's
    assert float(x.grad) == 5.0


def test_step16_generations_diamond_graph_gives_32_and_64():
    x = Variable(2.0)
    a = x**2
    y = a**2 + a**2
    y.backward()
    assert float(y) == 32.0 and float(x.grad) == 64.0


def test_step18_intermediate_gradients_are_not_kept_and_no_grad_builds_no_graph():
    x0, x1 = Variable(1.0), Variable(1.0)
    t = x0 + x1
    y = x0 + t
    y.backward()
    assert float(x0.grad) == 2.0 and float(x1.grad) == 1.0
    with pytest.warns(UserWarning):
        assert t.grad is None and y.grad is None  # retain_grad=False
    with autograd.no_grad():  # using_config('enable_backprop', False)
        z = (Variable(np.ones((100, 100, 100))) ** 2).exp()
    assert not z.requires_grad and z.grad_fn is None


def test_step19_variable_shape_ndim_size_dtype_len_and_print():
    x = Tensor(np.array([[1, 2, 3], [4, 5, 6]]))
    assert x.shape == (2, 3) and x.ndim == 2 and x.numel() == 6 and x.dtype == np.int64 and len(x) == 2
    assert "[[1, 2, 3],\n" in repr(x) and "[4, 5, 6]]" in repr(x)


def test_step20_22_operator_overloads_with_numbers_and_arrays():
    a, b, c = Variable(3.0), Variable(2.0), Variable(1.0)
    y = a * b + c
    y.backward()
    assert float(y) == 7.0 and float(a.grad) == 2.0 and float(b.grad) == 3.0
    x = Variable(2.0)
    assert float(x + 3.0) == 5.0 and float(3.0 * x + 1.0) == 7.0
    y = np.array([2.0]) + x  # __array_priority__: the Variable's operator runs
    assert isinstance(y, Tensor) and y.shape == (1,) and float(y[0]) == 4.0
    assert float(-x) == -2.0 and float(2.0 - x) == 0.0 and float(x - 1.0) == 1.0
    assert float(3.0 / x) == 1.5 and float(x / 4.0) == 0.5
    y = x**3
    y.backward()
    assert float(y) == 8.0 and float(x.grad) == 12.0


# -- step 24: the optimisation benchmark functions ------------------------------------------------------------


def _sphere(x, y):
    return x**2 + y**2


def _matyas(x, y):
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def _goldstein(x, y):
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)) * (
        30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    )


@pytest.mark.parametrize(
    ("function", "value", "gradient"),
    [(_sphere, 2.0, (2.0, 2.0)), (_matyas, 0.04, (0.04, 0.04)), (_goldstein, 1876.0, (-5376.0, 8064.0))],
)
def test_step24_sphere_matyas_goldstein_gradients_at_one_one(function, value, gradient):
    x, y = Variable(1.0), Variable(1.0)
    z = function(x, y)
    z.backward()
    assert math.isclose(float(z), value, rel_tol=1e-12)
    assert math.isclose(float(x.grad), gradient[0], rel_tol=1e-12)
    assert math.isclose(float(y.grad), gradient[1], rel_tol=1e-12)
    xt, yt = _torch(1.0), _torch(1.0)
    function(xt, yt).backward()
    assert float(x.grad) == float(xt.grad) and float(y.grad) == float(yt.grad)


# -- step 27: sin by its Taylor series --------------------------------------------------------------------------


def my_sin(x, threshold: float = 0.0001):
    y = 0
    for i in range(100000):
        t = (-1) ** i / math.factorial(2 * i + 1) * x ** (2 * i + 1)
        y = y + t
        if abs(float(t)) < threshold:
            break
    return y


@pytest.mark.parametrize(("threshold", "tolerance"), [(1e-4, 1e-5), (1e-150, 1e-15)])
def test_step27_taylor_sin_value_and_gradient_approach_sin_and_cos(threshold, tolerance):
    x = Variable(np.pi / 4)
    y = my_sin(x, threshold)
    y.backward()
    assert abs(float(y) - np.sin(np.pi / 4)) < tolerance and abs(float(x.grad) - np.cos(np.pi / 4)) < tolerance
    if threshold == 1e-4:  # the book's printout
        assert math.isclose(float(y), 0.7071064695751781, rel_tol=1e-14)
        assert math.isclose(float(x.grad), 0.7071032148228457, rel_tol=1e-14)
    y = autograd.sin(x)
    x.grad = None
    y.backward()
    assert math.isclose(float(y), math.sin(math.pi / 4), rel_tol=1e-15) and math.isclose(
        float(x.grad), math.cos(math.pi / 4), rel_tol=1e-15
    )


# -- steps 28-29, 33: Rosenbrock by gradient descent, Newton's method ----------------------------------------


def _rosenbrock(x0, x1):
    return 100 * (x1 - x0**2) ** 2 + (x0 - 1) ** 2


def test_step28_rosenbrock_gradient_descent_follows_the_numpy_loop_and_torch():
    lr, iters = 0.001, 1000
    x0, x1 = Variable(0.0), Variable(2.0)
    t0, t1 = _torch(0.0), _torch(2.0)
    ref = np.array([0.0, 2.0])
    for i in range(iters):
        y = _rosenbrock(x0, x1)
        x0.grad = x1.grad = None
        y.backward()
        if i == 0:
            assert float(x0.grad) == -2.0 and float(x1.grad) == 400.0
        x0.data -= lr * x0.grad.data
        x1.data -= lr * x1.grad.data
        yt = _rosenbrock(t0, t1)
        t0.grad = t1.grad = None
        yt.backward()
        with torch.no_grad():
            t0 -= lr * t0.grad
            t1 -= lr * t1.grad
        a, b = ref
        ref = ref - lr * np.array([-400 * a * (b - a * a) + 2 * (a - 1), 200 * (b - a * a)])
    _close(np.array([float(x0), float(x1)]), ref, atol=1e-12)
    _close(np.array([float(x0), float(x1)]), [t0.item(), t1.item()], atol=1e-12)
    assert 0.6 < float(x0) < 0.7 and 0.4 < float(x1) < 0.5  # the book: still on the way to (1, 1)
    for _ in range(9000):  # 10000 iterations reach (0.99449..., 0.98900...)
        y = _rosenbrock(x0, x1)
        x0.grad = x1.grad = None
        y.backward()
        x0.data -= lr * x0.grad.data
        x1.data -= lr * x1.grad.data
    assert abs(float(x0) - 0.9944984) < 1e-6 and abs(float(x1) - 0.9890050) < 1e-6


def test_step29_newton_with_the_hand_written_second_derivative_reaches_one_in_seven_steps():
    x = Variable(2.0)
    path = []
    for _ in range(10):
        path.append(float(x))
        y = x**4 - 2 * x**2
        x.grad = None
        y.backward()
        x.data -= x.grad.data / (12 * x.data**2 - 4)
    assert path[:3] == pytest.approx([2.0, 1.4545454545454546, 1.1510467893775467], rel=1e-15)
    assert path[7] == 1.0


def test_step33_newton_by_double_backprop_takes_the_same_path():
    x = Variable(2.0)
    path, gradients = [], []
    for _ in range(10):
        path.append(float(x))
        y = x**4 - 2 * x**2
        x.grad = None
        y.backward(create_graph=True)
        gx = x.grad
        assert gx.requires_grad  # a graph node: it can be differentiated again
        x.grad = None
        gx.backward()
        gx2 = x.grad
        gradients.append((float(gx), float(gx2)))
        x.data -= gx.data / gx2.data
    assert gradients[0] == (24.0, 44.0)  # the book's first printout
    assert path[:3] == pytest.approx([2.0, 1.4545454545454546, 1.1510467893775467], rel=1e-15)
    assert path[7] == 1.0


# -- steps 34-36: higher-order derivatives, double backprop -----------------------------------------------------


def test_step34_sin_higher_derivatives_at_one_and_over_a_grid():
    x = Variable(1.0)
    y = autograd.sin(x)
    y.backward(create_graph=True)
    seen = []
    for _ in range(3):
        gx = x.grad
        x.grad = None
        gx.backward(create_graph=True)
        seen.append(float(x.grad))
    np.testing.assert_allclose(seen, [-np.sin(1.0), -np.cos(1.0), np.sin(1.0)], rtol=1e-15)

    grid = np.linspace(-7, 7, 200)
    x = Variable(grid)
    y = autograd.sin(x)
    y.backward(autograd.ones_like(y), create_graph=True)  # DeZero seeds a non-scalar with ones
    logs = [y.data.copy()]
    for _ in range(3):
        logs.append(x.grad.data.copy())
        gx = x.grad
        x.grad = None
        gx.backward(autograd.ones_like(gx), create_graph=True)
    expected = [np.sin(grid), np.cos(grid), -np.sin(grid), -np.cos(grid)]
    for got, want in zip(logs, expected):
        _close(got, want, atol=1e-14)


def _tanh_derivatives(lib_tensor, order: int) -> list[float]:
    x = lib_tensor
    x.tanh().backward(create_graph=True)
    out = [float(x.grad.detach())]
    for _ in range(order - 1):
        gx = x.grad
        x.grad = None
        gx.backward(create_graph=True)
        out.append(float(x.grad.detach()))
    return out


def test_step35_tanh_derivatives_to_the_eighth_match_torch_and_the_closed_forms():
    ours = _tanh_derivatives(Variable(1.0), 8)
    theirs = _tanh_derivatives(_torch(1.0), 8)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    t = np.tanh(1.0)
    closed = [1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2), 8 * t * (1 - t**2) * (2 - 3 * t**2)]
    np.testing.assert_allclose(ours[:4], closed, rtol=1e-13)


def test_step35_the_graph_of_tanhs_third_derivative_is_drawn_with_the_named_input():
    x = Variable(1.0)
    x.label = "x"  # DeZero's x.name
    y = x.tanh()
    gx = y
    sizes = []
    for _ in range(3):
        (gx,) = autograd.grad(gx, [x], create_graph=True)
        sizes.append(autograd.draw_graph(gx).source.count("->"))
    source = autograd.draw_graph(gx).source
    assert "x" in source and "tanh" in source
    assert sizes[0] < sizes[1] < sizes[2]  # each derivative's graph holds the previous one's


def test_step36_double_backprop_gradient_of_gx_cubed_plus_y_is_100():
    x = Variable(2.0)
    y = x**2
    y.backward(create_graph=True)
    gx = x.grad
    x.grad = None
    z = gx**3 + y
    z.backward()
    assert float(x.grad) == 100.0
    x = Variable(2.0)
    (gx,) = autograd.grad(x**2, [x], create_graph=True)
    ((gx**3) + x**2).backward()
    assert float(x.grad) == 100.0


def test_step36_gradient_penalty_double_backprop_matches_torch():
    rng = np.random.default_rng(36)
    w, inputs = rng.standard_normal((3, 4)), rng.standard_normal((5, 3))
    results = []
    for lib, leaf in [(autograd, Variable), (torch, _torch)]:
        W, x = leaf(w), leaf(inputs)
        out = lib.tanh(x @ W).sum()
        (gx,) = lib.autograd.grad(out, [x], create_graph=True)
        penalty = ((gx**2).sum(1).sqrt() - 1) ** 2
        penalty.mean().backward()
        results.append(W.grad)
    _close(results[0], results[1], atol=1e-13)


# -- steps 37-41 and DeZero's tests/: tensors, shapes, sums, broadcasting, matmul --------------------------------

_RNG = np.random.default_rng(20261207)


def test_step37_elementwise_ops_on_a_matrix_keep_its_shape_and_gradients():
    x = Variable([[1, 2, 3], [4, 5, 6]])
    c = Variable([[10, 20, 30], [40, 50, 60]])
    y = autograd.sin(x) + c
    y.sum().backward()
    assert y.shape == (2, 3)
    _close(x.grad, np.cos(x.data), atol=1e-15)
    _close(c.grad, np.ones((2, 3)))


def test_test_basic_math_add_of_an_array_and_a_variable_and_its_gradient():
    y = np.array([1, 2, 3]) + Tensor(np.array([1, 2, 3]))
    assert isinstance(y, Tensor) and np.array_equal(y.data, [2, 4, 6])
    w = _RNG.standard_normal((3, 3))
    assert check_backward(lambda x: x + Tensor(w), _RNG.standard_normal((3, 3)))


@pytest.mark.parametrize(
    "index",
    [0, (0, 0, slice(0, 2, 1)), (Ellipsis, 2), 1, slice(1, 3), [0, 0, 1], (np.array([0, 0, 1]), slice(None), 2)],
    ids=str,
)
def test_test_getitem_values_and_gradients(index):
    data = np.arange(12.0).reshape(2, 2, 3) if index != slice(1, 3) else np.arange(12.0).reshape(4, 3)
    x = Variable(data)
    _close(x[index], data[index])
    assert check_backward(lambda v: v[index], data)
    t = _torch(data)
    (t[index] ** 2).sum().backward()
    (x[index] ** 2).sum().backward()
    _close(x.grad, t.grad)


def test_step47_get_item_with_repeated_rows_accumulates_their_gradients():
    x = Variable([[1, 2, 3], [4, 5, 6]])
    y = x[[0, 0, 1]]
    y.sum().backward()
    _close(y, [[1, 2, 3], [1, 2, 3], [4, 5, 6]])
    _close(x.grad, [[2, 2, 2], [1, 1, 1]])


@pytest.mark.parametrize(("axis", "keepdims"), [(None, False), (1, False), (1, True), (2, False), ((0, 2), True)])
def test_test_sum_values_and_gradients(axis, keepdims):
    data = _RNG.random((10, 20, 30))
    y = Variable(data).sum(axis=axis, keepdims=keepdims)
    _close(y, np.sum(data, axis=axis, keepdims=keepdims), rtol=1e-13)
    assert check_backward(lambda x: x.sum(axis=axis, keepdims=keepdims), data[:3, :4, :5])


@pytest.mark.parametrize(("shape", "target"), [((10,), (1,)), ((2, 3), (1, 3)), ((10,), (10,)), ((5, 10), (10,))])
def test_test_sum_to_is_sum_to_size_and_broadcast_to_its_adjoint(shape, target):
    data = _RNG.random(shape)
    lead = len(shape) - len(target)  # DeZero's utils.sum_to: sum the leading axes away, keep the size-1 ones
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(target) if n == 1 and shape[lead + i] != 1)
    expected = data.sum(axis=axes, keepdims=True).reshape(target)
    _close(Variable(data).sum_to_size(target), expected, rtol=1e-14)
    _close(torch.tensor(data).sum_to_size(target), expected, rtol=1e-14)
    assert check_backward(lambda v: v.sum_to_size(target) + 1, data)
    small = Variable(_RNG.random(target))
    big = small.broadcast_to(shape)
    big.backward(Tensor(np.ones(shape)))
    _close(small.grad, np.full(target, np.prod(shape) / np.prod(target)))


@pytest.mark.parametrize(("axis", "keepdims"), [(None, False), (1, False), ((0, 1), False), ((0, 1), True)])
def test_test_max_values_and_gradients(axis, keepdims):
    data = _RNG.random((10, 20, 30)) * 100
    ours = autograd.amax(Variable(data), dim=axis if axis is not None else (), keepdim=keepdims)
    _close(ours, np.max(data, axis=axis, keepdims=keepdims))
    if axis is None:
        _close(Variable(data).max(), np.max(data))
    else:
        _close(Variable(data).max(axis=axis, keepdims=keepdims), np.max(data, axis=axis, keepdims=keepdims))
    small = data[:4, :5, :6]
    assert check_backward(lambda x: x.max(axis=axis, keepdims=keepdims) if axis is not None else x.max(), small)


def test_step38_reshape_and_transpose_spellings_and_gradients():
    x = Variable([[1, 2, 3], [4, 5, 6]])
    y = x.reshape(6)
    y.backward(autograd.ones_like(y))
    _close(x.grad, np.ones((2, 3)))
    assert x.reshape((3, 2)).shape == x.reshape(3, 2).shape == (3, 2)
    assert x.T.shape == x.transpose(0, 1).shape == (3, 2)
    assert autograd.permute(Variable(np.ones((1, 2, 3, 4))), (1, 0, 3, 2)).shape == (2, 1, 4, 3)
    assert check_backward(lambda v: v.reshape(3, 2), x.data)
    assert check_backward(lambda v: v.T, x.data)
    assert check_backward(lambda v: v.permute(2, 0, 1), _RNG.random((2, 3, 4)))


def test_step40_broadcast_add_sums_the_gradient_back_to_each_shape():
    x0, x1 = Variable([1, 2, 3]), Variable([10])
    y = x0 + x1
    y.backward(autograd.ones_like(y))
    _close(y, [11, 12, 13])
    _close(x1.grad, [3.0])
    x = Variable(_RNG.standard_normal((1, 10)))
    b = Variable(_RNG.standard_normal(10))
    (x + b).sum().backward()  # test_broadcast's shape check
    assert b.grad.shape == b.shape and x.grad.shape == x.shape


def test_step41_test_matmul_gradient_shapes_and_values():
    x, W = _RNG.standard_normal((2, 3)), _RNG.standard_normal((3, 4))
    a, b = Variable(x), Variable(W)
    y = autograd.matmul(a, b)
    y.sum().backward()
    assert a.grad.shape == (2, 3) and b.grad.shape == (3, 4)
    _close(a.grad, np.ones((2, 4)) @ W.T, atol=1e-14)
    _close(b.grad, x.T @ np.ones((2, 4)), atol=1e-14)
    assert check_backward(lambda p, q: p @ q, x, W)


def test_test_linear_with_dezero_in_out_weights_is_f_linear_of_the_transpose():
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=F64)
    y = F.linear(Tensor(x), Tensor(x.T).T)  # DeZero's F.linear(x, W=x.T, None)
    _close(y, [[14, 32], [32, 77]])
    W, b = _RNG.standard_normal((2, 3)), _RNG.standard_normal(3)
    assert check_backward(lambda v: F.linear(v, Tensor(W).T, Tensor(b)), _RNG.standard_normal((3, 2)))
    W = _RNG.standard_normal((20, 30))
    assert check_backward(lambda v: F.linear(v, Tensor(W).T), _RNG.standard_normal((10, 20)))


@pytest.mark.parametrize("name", ["sigmoid", "relu", "tanh", "exp", "log", "sin", "cos"])
def test_test_elementwise_functions_match_torch_and_finite_differences(name):
    data = _RNG.uniform(0.1, 2.0, (3, 4)) * (1 if name == "log" else np.sign(_RNG.standard_normal((3, 4))))
    ours, theirs = getattr(F, name, None) or getattr(autograd, name), getattr(torch, name)
    _close(ours(Variable(data)), theirs(_torch(data)), rtol=1e-15)
    assert check_backward(ours, data)


@pytest.mark.parametrize("shape", [(2, 3), (10, 10), (10, 10, 10)])
def test_test_softmax_and_log_softmax_along_axis_one_match_torch(shape):
    data = _RNG.random(shape) if shape != (2, 3) else np.array([[0, 1, 2], [0, 2, 4]], dtype=F64)

    def softmax_simple(x, axis=1):  # the book's exp / sum(exp)
        y = autograd.exp(x)
        return y / y.sum(axis=axis, keepdims=True)

    for fn in (softmax_simple, lambda x: F.softmax(x, dim=1)):
        _close(fn(Variable(data)), torch.softmax(_torch(data), 1), rtol=1e-14, atol=1e-16)
        assert check_backward(fn, data[..., :4, :4] if len(shape) == 3 else data)
    _close(F.log_softmax(Variable(data), dim=1), torch.log_softmax(_torch(data), 1), rtol=1e-14)
    assert check_backward(lambda x: F.log_softmax(x, dim=1), data[:4])


def _softmax_cross_entropy_simple(x, t):
    """DeZero's step-47 formula: -mean(log(clip(softmax(x), 1e-15, 1))[arange(N), t])."""
    p = F.softmax(x, dim=1).clip(1e-15, 1.0)
    return -autograd.log(p)[np.arange(len(t)), t].sum() / len(t)


@pytest.mark.parametrize("n", [2, 10, 100])
def test_test_softmax_cross_entropy_is_cross_entropy_with_an_int32_target(n):
    if n == 2:
        x = np.array([[-1, 0, 1, 2], [2, 0, 1, -1]], dtype=F64)
        t = np.array([3, 0]).astype(np.int32)
    else:
        x, t = _RNG.standard_normal((n, 10)), _RNG.integers(0, 10, n)
    expected = TF.cross_entropy(_torch(x), torch.tensor(t, dtype=torch.int64))
    _close(F.cross_entropy(Variable(x), Tensor(t.astype(np.int64))), expected, rtol=1e-14)
    _close(_softmax_cross_entropy_simple(Variable(x), t), expected, rtol=1e-14)
    assert check_backward(lambda v: F.cross_entropy(v, Tensor(t.astype(np.int64))), x)
    assert check_backward(lambda v: _softmax_cross_entropy_simple(v, t), x)
    ours, theirs = Variable(x), _torch(x)
    F.cross_entropy(ours, Tensor(t.astype(np.int64))).backward()
    TF.cross_entropy(theirs, torch.tensor(t, dtype=torch.int64)).backward()
    _close(ours.grad, theirs.grad, atol=1e-15)


def test_test_loss_mean_squared_error_value_and_gradient():
    x0 = np.array([0.0, 1.0, 2.0])
    assert float(F.mse_loss(Variable(x0), Tensor(x0))) == 0.0
    x0, x1 = _RNG.random(100), _RNG.random(100)
    _close(F.mse_loss(Variable(x0), Tensor(x1)), ((x0 - x1) ** 2).sum() / 100, rtol=1e-14)
    assert check_backward(lambda v: F.mse_loss(v, Tensor(x1)), x0)
    assert check_backward(lambda v: ((v - Tensor(x1)) ** 2).sum() / len(x1), x0)  # mean_squared_error_simple


# -- steps 55-58 and DeZero's tests/: convolution and pooling through im2col -------------------------------------


def get_conv_outsize(input_size: int, kernel_size: int, stride: int, pad: int) -> int:
    return (input_size + pad * 2 - kernel_size) // stride + 1


def get_deconv_outsize(size: int, k: int, s: int, p: int) -> int:
    return s * (size - 1) + k - 2 * p


def im2col(x, kernel_size, stride=1, pad=0):
    """DeZero's ``F.im2col(x, ..., to_matrix=True)``: one row per output pixel, (N*OH*OW, C*KH*KW)."""
    cols = F.unfold(x, kernel_size, padding=pad, stride=stride)
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])


def conv2d_simple(x, weight, b=None, stride=1, pad=0):
    """The book's step-57 convolution: im2col, a matmul with the flattened kernels, a transpose back to NCHW."""
    N, _, H, Wd = x.shape
    OC, _, KH, KW = weight.shape
    stride, pad = np.broadcast_to(stride, 2), np.broadcast_to(pad, 2)
    OH = get_conv_outsize(H, KH, int(stride[0]), int(pad[0]))
    OW = get_conv_outsize(Wd, KW, int(stride[1]), int(pad[1]))
    col = im2col(x, (KH, KW), tuple(int(s) for s in stride), tuple(int(p) for p in pad))
    t = col @ weight.reshape(OC, -1).T
    if b is not None:
        t = t + b
    return t.reshape(N, OH, OW, OC).permute(0, 3, 1, 2)


def pooling_simple(x, kernel_size, stride=1, pad=0):
    """The book's step-57 max pooling: im2col, a max over each row's window."""
    N, C, H, W = x.shape
    OH, OW = get_conv_outsize(H, kernel_size, stride, pad), get_conv_outsize(W, kernel_size, stride, pad)
    col = F.unfold(x, kernel_size, padding=pad, stride=stride)  # (N, C*KH*KW, L)
    col = col.reshape(N, C, kernel_size * kernel_size, OH * OW).max(axis=2)
    return col.reshape(N, C, OH, OW)


def test_step57_conv_outsize_formula():
    assert get_conv_outsize(4, 3, 1, 1) == 4
    assert get_conv_outsize(7, 3, 2, 0) == 3
    assert get_deconv_outsize(5, 10, 5, 5) == 20


def test_test_im2col_of_a_3x3_image_is_one_row_and_col2im_its_adjoint():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    _close(im2col(Variable(x), 3), [[0, 1, 2, 3, 4, 5, 6, 7, 8]])
    assert check_backward(lambda v: im2col(v, 3), x)
    assert check_backward(lambda v: F.unfold(v, 3), x)
    assert check_backward(lambda v: F.fold(v.reshape(1, 9, 1), (3, 3), 3), _RNG.random((1, 9)))
    image = Variable(_RNG.random((2, 3, 7, 6)))
    cols = F.unfold(image, (3, 2), padding=1, stride=(2, 1))
    back = F.fold(cols, (7, 6), (3, 2), padding=1, stride=(2, 1))
    counts = F.fold(F.unfold(autograd.ones_like(image), (3, 2), padding=1, stride=(2, 1)), (7, 6), (3, 2), 1, 1, (2, 1))
    _close(back, image.data * counts.data, rtol=1e-14)  # col2im(im2col(x)) counts each pixel's windows


def test_test_im2col_and_col2im_without_to_matrix_are_unfold_and_fold_in_six_axes():
    """DeZero's ``to_matrix=False`` layout, (N, C, KH, KW, OH, OW), is ``unfold``'s (N, C*KH*KW, OH*OW) reshaped."""
    x = _RNG.random((2, 3, 6, 5))
    cols = F.unfold(Variable(x), (3, 2), padding=1, stride=2).reshape(2, 3, 3, 2, 3, 3)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for i, j in np.ndindex(3, 2):  # DeZero's loop: col[:, :, i, j] is the image sampled from (i, j) with the stride
        _close(cols[:, :, i, j], padded[:, :, i : i + 5 : 2, j : j + 5 : 2])
    assert check_backward(lambda v: F.unfold(v, (3, 2), padding=1, stride=2).reshape(2, 3, 3, 2, 3, 3), x)
    assert check_backward(
        lambda c: F.fold(c.reshape(2, 18, 9), (6, 5), (3, 2), padding=1, stride=2), _RNG.random((2, 3, 3, 2, 3, 3))
    )


@pytest.mark.parametrize(
    ("shape", "oc", "kernel", "stride", "pad", "bias"),
    [
        ((1, 5, 15, 15), 8, (3, 3), (1, 1), (1, 1), False),
        ((1, 5, 15, 15), 8, (3, 3), (3, 1), (2, 1), False),
        ((1, 5, 20, 15), 3, (5, 3), 1, 3, False),
        ((1, 5, 20, 15), 3, (5, 3), 1, 3, True),
    ],
)
def test_test_conv2d_and_conv2d_simple_match_torch_float32(shape, oc, kernel, stride, pad, bias):
    x = _RNG.standard_normal(shape).astype(np.float32)
    W = _RNG.standard_normal((oc, shape[1], *kernel)).astype(np.float32)
    b = _RNG.standard_normal(oc).astype(np.float32) if bias else None
    expected = TF.conv2d(torch.tensor(x), torch.tensor(W), None if b is None else torch.tensor(b), stride, pad)
    bias_t = None if b is None else Tensor(b)
    ours = F.conv2d(Tensor(x), Tensor(W), bias_t, stride, pad)
    assert ours.dtype == np.float32 and ours.shape == tuple(expected.shape)
    _close(ours, expected, rtol=1e-5, atol=1e-5)
    _close(conv2d_simple(Tensor(x), Tensor(W), bias_t, stride, pad), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("which", ["x", "W", "b"])
def test_test_conv2d_backward_by_finite_differences_and_torch(which):
    x, W, b = _RNG.standard_normal((1, 2, 7, 6)), _RNG.standard_normal((3, 2, 5, 3)), _RNG.standard_normal(3)
    arrays = {"x": x, "W": W, "b": b}

    def f(v):
        args = {**{k: Tensor(a) for k, a in arrays.items()}, which: v}
        return F.conv2d(args["x"], args["W"], args["b"], 1, 3)

    def f_simple(v):
        args = {**{k: Tensor(a) for k, a in arrays.items()}, which: v}
        return conv2d_simple(args["x"], args["W"], args["b"], 1, 3)

    assert check_backward(f, arrays[which])
    assert check_backward(f_simple, arrays[which])


@pytest.mark.parametrize(("shape", "bias"), [((10, 1, 5, 10), True), ((10, 1, 5, 10), False), ((2, 1, 3, 4), True)])
def test_test_deconv2d_is_conv_transpose2d_values_and_gradients(shape, bias):
    x = _RNG.uniform(0, 1, shape).astype(np.float32)
    W = _RNG.uniform(0, 1, (shape[1], 3, 10, 10)).astype(np.float32)
    b = _RNG.uniform(0, 1, 3).astype(np.float32) if bias else None
    expected = TF.conv_transpose2d(
        torch.tensor(x), torch.tensor(W), None if b is None else torch.tensor(b), stride=(5, 5), padding=(5, 5)
    )
    ours = F.conv_transpose2d(Tensor(x), Tensor(W), None if b is None else Tensor(b), stride=(5, 5), padding=(5, 5))
    assert ours.shape == (shape[0], 3, get_deconv_outsize(shape[2], 10, 5, 5), get_deconv_outsize(shape[3], 10, 5, 5))
    _close(ours, expected, rtol=1e-5, atol=1e-5)
    if shape[0] == 2:
        x64, W64, b64 = x.astype(F64), W.astype(F64), (b if b is not None else np.zeros(3)).astype(F64)
        assert check_backward(lambda v: F.conv_transpose2d(v, Tensor(W64), Tensor(b64), 5, 5), x64)
        assert check_backward(lambda v: F.conv_transpose2d(Tensor(x64), v, Tensor(b64), 5, 5), W64)
        assert check_backward(lambda v: F.conv_transpose2d(Tensor(x64), Tensor(W64), v, 5, 5), b64)


@pytest.mark.parametrize("size", [16, 15])
def test_test_pooling_and_pooling_simple_match_torch_max_pool2d(size):
    x = _RNG.standard_normal((1, 5, size, size)).astype(np.float32)
    expected = TF.max_pool2d(torch.tensor(x), 2, 2, 0)
    _close(F.max_pool2d(Tensor(x), 2, 2, 0), expected, rtol=0, atol=0)
    _close(pooling_simple(Tensor(x), 2, 2, 0), expected, rtol=0, atol=0)
    data = _RNG.standard_normal((1, 2, 6, 6)) * 1000
    assert check_backward(lambda v: F.max_pool2d(v, 2, 2, 0), data)
    assert check_backward(lambda v: pooling_simple(v, 2, 2, 0), data)


# -- DeZero's tests/: batch normalization, dropout ---------------------------------------------------------------


def _bn_params(shape, dtype):
    C = shape[1]
    x = _RNG.standard_normal(shape).astype(dtype)
    gamma, beta = _RNG.standard_normal(C).astype(dtype), _RNG.standard_normal(C).astype(dtype)
    mean, var = _RNG.standard_normal(C).astype(dtype), np.abs(_RNG.standard_normal(C)).astype(dtype)
    return x, gamma, beta, mean, var


_BATCHNORM_CASES = [(shape, False) for shape in [(8, 1), (1, 10), (20, 10), (20, 10, 5, 5)]]
# DeZero's test also trains on a batch of one, (1, 10), against chainer's: torch refuses that batch in training
_BATCHNORM_CASES += [(shape, True) for shape in [(8, 1), (20, 10), (20, 10, 5, 5)]]


@pytest.mark.parametrize(("shape", "training"), _BATCHNORM_CASES)
def test_test_batchnorm_train_and_test_mode_match_torch_float32(shape, training):
    x, gamma, beta, mean, var = _bn_params(shape, np.float32)
    running = [Tensor(mean.copy()), Tensor(var.copy())]
    y = F.batch_norm(Tensor(x), *running, Tensor(gamma), Tensor(beta), training=training, eps=2e-5)
    running_t = [torch.tensor(mean.copy()), torch.tensor(var.copy())]
    expected = TF.batch_norm(
        torch.tensor(x), *running_t, torch.tensor(gamma), torch.tensor(beta), training=training, eps=2e-5
    )
    assert y.dtype == np.float32  # test_type1
    _close(y, expected, rtol=1e-5, atol=2e-5)
    _close(running[0], running_t[0], rtol=1e-6, atol=1e-7)
    _close(running[1], running_t[1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("which", ["x", "gamma", "beta"])
@pytest.mark.parametrize("shape", [(8, 3), (4, 5, 3, 3)])
def test_test_batchnorm_backward_by_finite_differences(which, shape):
    x, gamma, beta, mean, var = _bn_params(shape, F64)
    arrays = {"x": x, "gamma": gamma, "beta": beta}

    def f(v):
        args = {**{k: Tensor(a) for k, a in arrays.items()}, which: v}
        return F.batch_norm(args["x"], Tensor(mean), Tensor(var), args["gamma"], args["beta"], training=True)

    assert check_backward(f, arrays[which])


def test_test_dropout_ratio_zero_and_test_mode_are_the_identity_and_its_gradient_the_mask():
    x = _RNG.standard_normal((100, 100))
    assert np.array_equal(F.dropout(Variable(x), 0.0).data, x)
    assert np.array_equal(F.dropout(Variable(x), 0.5, training=False).data, x)  # dezero.test_mode()
    layer = nn.Dropout(0.5).eval()
    assert np.array_equal(layer(Variable(x)).data, x)
    for ratio in (0.0, 0.5, 0.99):
        v = Variable(x[:10, :20])
        autograd.manual_seed(0)
        y = F.dropout(v, ratio)
        y.sum().backward()
        kept = y.data != 0
        _close(v.grad, kept / (1 - ratio))  # torch's inverted dropout: kept units scaled by 1 / (1 - p)
        _close(y.data, np.where(kept, x[:10, :20] / (1 - ratio), 0.0), rtol=1e-15)

        def f(w, ratio=ratio):
            autograd.manual_seed(0)  # DeZero's np.random.seed(0) inside f: the same mask every call
            return F.dropout(w, ratio)

        assert check_backward(f, x[:10, :20])


# -- steps 42-46: linear regression, a hand-made network, Layers and Models, optimizers ---------------------------


def test_step42_linear_regression_by_hand_matches_the_numpy_gradients():
    rng = np.random.RandomState(0)  # the book's np.random.seed(0)
    x = rng.rand(100, 1)
    y = 5 + 2 * x + rng.rand(100, 1)
    W, b = Variable(np.zeros((1, 1))), Variable(np.zeros(1))
    w_ref, b_ref = np.zeros((1, 1)), np.zeros(1)
    lr = 0.1
    for _ in range(100):
        y_pred = autograd.matmul(Tensor(x), W) + b
        loss = F.mse_loss(y_pred, Tensor(y))
        W.grad = b.grad = None
        loss.backward()
        W.data -= lr * W.grad.data
        b.data -= lr * b.grad.data
        diff = x @ w_ref + b_ref - y
        w_ref, b_ref = w_ref - lr * 2 * x.T @ diff / 100, b_ref - lr * 2 * diff.sum(0) / 100
    _close(W, w_ref, rtol=1e-12)
    _close(b, b_ref, rtol=1e-12)
    assert abs(float(W) - 2.11807369) < 1e-6 and abs(float(b) - 5.46608905) < 1e-6  # the book's printout
    assert abs(float(loss) - 0.07908606) < 1e-6


def _sin_data():
    rng = np.random.RandomState(0)
    x = rng.rand(100, 1)
    return x, np.sin(2 * np.pi * x) + rng.rand(100, 1), rng


def test_step43_two_layer_network_on_the_sin_data_follows_the_numpy_backprop():
    x, y, rng = _sin_data()
    W1, b1 = 0.01 * rng.randn(1, 10), np.zeros(10)
    W2, b2 = 0.01 * rng.randn(10, 1), np.zeros(1)
    params = [Variable(a) for a in (W1, b1, W2, b2)]
    ref = [a.copy() for a in (W1, b1, W2, b2)]
    lr = 0.2
    for i in range(2000):
        h = F.sigmoid(F.linear(Tensor(x), params[0].T, params[1]))  # DeZero's F.linear(x, W1, b1)
        loss = F.mse_loss(F.linear(h, params[2].T, params[3]), Tensor(y))
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= lr * p.grad.data
        a = 1 / (1 + np.exp(-(x @ ref[0] + ref[1])))
        d_out = 2 * (a @ ref[2] + ref[3] - y) / len(x)
        d_a = d_out @ ref[2].T * a * (1 - a)
        grads = [x.T @ d_a, d_a.sum(0), a.T @ d_out, d_out.sum(0)]
        ref = [r - lr * g for r, g in zip(ref, grads)]
        if i == 0:
            assert abs(float(loss) - 0.8473695850105871) < 1e-12  # the book's first printout
    for p, r in zip(params, ref):
        _close(p, r, rtol=1e-9, atol=1e-12)
    assert float(loss) < 0.25


class TwoLayerNet(nn.Module):
    """Step 45's Model: the layers set as attributes are its parameters' owners (DeZero's Layer.__setattr__)."""

    def __init__(self, hidden_size: int, out_size: int) -> None:
        super().__init__()
        self.l1 = nn.LazyLinear(hidden_size)  # DeZero's L.Linear(hidden_size): in_size from the first input
        self.l2 = nn.LazyLinear(out_size)

    def forward(self, x):
        return self.l2(F.sigmoid(self.l1(x)))


def test_step44_45_lazy_linear_layers_infer_in_size_and_the_model_owns_their_parameters():
    x, y, _ = _sin_data()
    model = TwoLayerNet(10, 1).double()
    out = model(Tensor(x))
    assert out.shape == (100, 1)
    assert [tuple(p.shape) for p in model.parameters()] == [(10, 1), (10,), (1, 10), (1,)]
    assert [name for name, _ in model.named_parameters()] == ["l1.weight", "l1.bias", "l2.weight", "l2.bias"]
    loss = F.mse_loss(out, Tensor(y))
    model.zero_grad()  # model.cleargrads()
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    mlp = nn.Sequential(nn.Linear(1, 10), nn.Sigmoid(), nn.Linear(10, 1))  # DeZero's MLP((10, 1))
    assert mlp(Tensor(x.astype(np.float32))).shape == (100, 1)


def _dezero_step(name, param, grad, state, hyper):
    """DeZero's optimizers' update rules, in numpy."""
    if name == "SGD":
        return param - hyper["lr"] * grad
    if name == "MomentumSGD":
        state["v"] = hyper["momentum"] * state.get("v", 0) - hyper["lr"] * grad
        return param + state["v"]
    if name == "AdaGrad":
        state["h"] = state.get("h", 0) + grad * grad
        return param - hyper["lr"] * grad / (np.sqrt(state["h"]) + hyper["eps"])
    if name == "AdaDelta":
        rho, eps = hyper["rho"], hyper["eps"]
        state["msg"] = rho * state.get("msg", 0) + (1 - rho) * grad * grad
        dx = np.sqrt((state.get("msdx", 0) + eps) / (state["msg"] + eps)) * grad
        state["msdx"] = rho * state.get("msdx", 0) + (1 - rho) * dx * dx
        return param - dx
    state["t"] = state.get("t", 0) + 1  # Adam
    b1, b2, t = hyper["beta1"], hyper["beta2"], state["t"]
    lr = hyper["alpha"] * math.sqrt(1 - b2**t) / (1 - b1**t)
    state["m"] = state.get("m", 0) + (1 - b1) * (grad - state.get("m", 0))
    state["v"] = state.get("v", 0) + (1 - b2) * (grad * grad - state.get("v", 0))
    return param - lr * state["m"] / (np.sqrt(state["v"]) + hyper["eps"])


_OPTIMIZERS = {
    "SGD": ({"lr": 0.1}, lambda ps: nn.optim.SGD(ps, lr=0.1)),
    "MomentumSGD": ({"lr": 0.05, "momentum": 0.9}, lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "AdaGrad": ({"lr": 0.1, "eps": 1e-8}, lambda ps: nn.optim.Adagrad(ps, lr=0.1, eps=1e-8)),
    "AdaDelta": ({"rho": 0.95, "eps": 1e-6}, lambda ps: nn.optim.Adadelta(ps, lr=1.0, rho=0.95, eps=1e-6)),
    "Adam": ({"alpha": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 0.0}, lambda ps: nn.optim.Adam(ps, 0.01, eps=0.0)),
}


@pytest.mark.parametrize("name", list(_OPTIMIZERS))
def test_step46_dezero_optimizers_are_torchs_with_the_mapped_arguments(name):
    hyper, make = _OPTIMIZERS[name]
    x, y, _ = _sin_data()
    model = nn.Sequential(nn.Linear(1, 10), nn.Sigmoid(), nn.Linear(10, 1)).double()
    optimizer = make(model.parameters())
    ref = [p.detach().numpy().copy() for p in model.parameters()]
    states = [{} for _ in ref]
    for _ in range(30):
        model.zero_grad()
        loss = F.mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        grads = [np.array(p.grad) for p in model.parameters()]
        optimizer.step()
        ref = [_dezero_step(name, r, g, s, hyper) for r, g, s in zip(ref, grads, states)]
        for p, r in zip(model.parameters(), ref):
            _close(p, r, rtol=1e-10, atol=1e-12)
            p.data[...] = r  # both follow the same trajectory: each step compared from the same point


def test_test_weight_decay_hook_is_sgd_weight_decay_and_half_rate_w_squared_in_the_loss():
    rate = 0.4
    x, t = _RNG.random((10, 2)), Tensor(np.zeros(10, dtype=np.int64))
    layer = nn.Linear(2, 3, bias=False).double()
    nn.init.ones_(layer.weight)
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.01, weight_decay=rate)  # WeightDecay(rate) hook
    layer.zero_grad()
    F.cross_entropy(layer(Tensor(x)), t).backward()
    optimizer.step()
    W0 = layer.weight.detach().numpy().copy()
    nn.init.ones_(layer.weight)
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.01)
    layer.zero_grad()
    (F.cross_entropy(layer(Tensor(x)), t) + rate / 2 * (layer.weight**2).sum()).backward()
    optimizer.step()
    _close(layer.weight, W0, rtol=1e-14)


def test_dezeros_hooks_written_on_grad_data_weight_decay_then_clip_grad_match_torch():
    """DeZero's ``WeightDecay`` and ``ClipGrad`` hooks as the book writes them, on ``param.grad.data``."""
    rate, max_norm = 0.1, 0.5
    x, y = _RNG.standard_normal((4, 3)) * 10, np.zeros((4, 2))
    ours = nn.Linear(3, 2).double()
    theirs = torch.nn.Linear(3, 2).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for model, lib, make in [(ours, F, Tensor), (theirs, TF, torch.tensor)]:
        lib.mse_loss(model(make(x)), make(y)).backward()
        params = list(model.parameters())
        for param in params:
            param.grad.data += rate * param.data
        total_norm = math.sqrt(sum(float((param.grad.data**2).sum()) for param in params))
        clip = max_norm / (total_norm + 1e-6)
        if clip < 1:
            for param in params:
                param.grad.data *= clip
    for p, q in zip(ours.parameters(), theirs.parameters()):
        _close(p.grad, q.grad, rtol=1e-13)


def test_clip_grad_hook_is_clip_grad_norm_with_dezeros_rate():
    max_norm = 0.5
    model = nn.Linear(3, 2).double()
    F.mse_loss(model(Tensor(_RNG.standard_normal((4, 3)) * 10)), Tensor(np.zeros((4, 2)))).backward()
    grads = [np.array(p.grad) for p in model.parameters()]
    total = math.sqrt(sum(float((g**2).sum()) for g in grads))
    rate = max_norm / (total + 1e-6)  # DeZero's ClipGrad: g *= rate when rate < 1
    assert rate < 1
    returned = nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    assert math.isclose(float(returned), total, rel_tol=1e-14)
    for p, g in zip(model.parameters(), grads):
        _close(p.grad, g * rate, rtol=1e-14)


# -- steps 47-54: softmax cross entropy on the spiral, Dataset and DataLoader, save/load, dropout -----------------


def get_spiral(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """dezero.datasets.get_spiral: three arms of 100 points, angle 4 j + 4 r plus N(0, 0.2) noise, shuffled."""
    rng = np.random.RandomState(1984 if train else 2020)
    num_data, num_class = 100, 3
    x = np.zeros((num_data * num_class, 2), dtype=np.float32)
    t = np.zeros(num_data * num_class, dtype=np.int64)
    for j in range(num_class):
        for i in range(num_data):
            rate = i / num_data
            theta = j * 4.0 + 4.0 * rate + rng.randn() * 0.2
            x[num_data * j + i] = [rate * np.sin(theta), rate * np.cos(theta)]
            t[num_data * j + i] = j
    order = rng.permutation(num_data * num_class)
    return x[order], t[order]


def test_step47_softmax_and_cross_entropy_of_an_mlp_on_four_points_match_torch():
    x = np.array([[0.2, -0.4], [0.3, 0.5], [1.3, -3.2], [2.1, 0.3]])
    t = np.array([2, 0, 1, 0])
    model = nn.Sequential(nn.Linear(2, 10), nn.Sigmoid(), nn.Linear(10, 3)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.Sigmoid(), torch.nn.Linear(10, 3)).double()
    model.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    y, yt = model(Tensor(x)), theirs(torch.tensor(x))
    _close(F.softmax(y, dim=1), torch.softmax(yt, 1), rtol=1e-14)
    _close(F.softmax(y[0:1], dim=1), torch.softmax(yt[0:1], 1), rtol=1e-14)
    loss, loss_t = F.cross_entropy(y, Tensor(t)), TF.cross_entropy(yt, torch.tensor(t))
    _close(loss, loss_t, rtol=1e-14)
    loss.backward()
    loss_t.backward()
    for p, q in zip(model.parameters(), theirs.parameters()):
        _close(p.grad, q.grad, rtol=1e-12, atol=1e-15)


def _spiral_training(lib, model, x, t, max_epoch, batch_size=30, lr=1.0, momentum=0.0):
    """Step 48's loop: shuffled minibatches (numpy's permutation, seeded), SGD (MomentumSGD with ``momentum``), the
    epoch's mean loss."""
    order_rng = np.random.RandomState(0)
    optimizer = (torch.optim if lib is torch else nn.optim).SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for _ in range(max_epoch):
        index = order_rng.permutation(len(x))
        total = 0.0
        for i in range(math.ceil(len(x) / batch_size)):
            batch = index[i * batch_size : (i + 1) * batch_size]
            xb, tb = (
                (torch.tensor if lib is torch else Tensor)(x[batch]),
                (torch.tensor if lib is torch else Tensor)(t[batch]),
            )
            loss = (TF if lib is torch else F).cross_entropy(model(xb), tb)
            model.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(tb)
        losses.append(total / len(x))
    return losses


def test_step48_mlp_on_the_spiral_with_sgd_follows_torch_and_learns_the_arms():
    x, t = get_spiral(train=True)
    assert x.shape == (300, 2) and t.shape == (300,) and np.bincount(t).tolist() == [100, 100, 100]
    x = x.astype(F64)
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.Sigmoid(), torch.nn.Linear(10, 3)).double()
    ours = nn.Sequential(nn.Linear(2, 10), nn.Sigmoid(), nn.Linear(10, 3)).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours_losses = _spiral_training(autograd, ours, x, t, 300)
    theirs_losses = _spiral_training(torch, theirs, x, t, 300)
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=1e-7)
    assert ours_losses[-1] < 0.2 < ours_losses[0]
    with autograd.no_grad():
        accuracy = (ours(Tensor(x)).argmax(1) == Tensor(t)).float().mean()  # F.accuracy
    assert float(accuracy) > 0.9


def test_step48_mlp_on_the_spiral_with_momentum_sgd_follows_torch():
    x, t = get_spiral(train=True)
    x = x.astype(F64)
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.Sigmoid(), torch.nn.Linear(10, 3)).double()
    ours = nn.Sequential(nn.Linear(2, 10), nn.Sigmoid(), nn.Linear(10, 3)).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours_losses = _spiral_training(autograd, ours, x, t, 100, lr=0.1, momentum=0.9)  # MomentumSGD(lr=0.1)
    theirs_losses = _spiral_training(torch, theirs, x, t, 100, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=1e-7)
    assert ours_losses[-1] < 0.5 * ours_losses[0]


class Spiral(nn.data.Dataset):
    """Step 49's Dataset: items by index, an optional transform of each input."""

    def __init__(self, train: bool = True, transform=None) -> None:
        self.data, self.label = get_spiral(train)
        self.transform = transform or (lambda v: v)

    def __getitem__(self, index):
        return self.transform(self.data[index]), self.label[index]

    def __len__(self) -> int:
        return len(self.data)


def test_step49_50_dataset_dataloader_and_accuracy_over_an_epoch():
    train_set = Spiral(transform=lambda v: (v * 2).astype(np.float32))
    assert len(train_set) == 300
    x0, t0 = train_set[0]
    np.testing.assert_array_equal(x0, get_spiral()[0][0] * 2)
    assert int(t0) == int(get_spiral()[1][0])
    loader = nn.data.DataLoader(train_set, batch_size=30, shuffle=False)
    batches = list(loader)
    assert len(batches) == 10 and all(xb.shape == (30, 2) and xb.dtype == np.float32 for xb, _ in batches)
    np.testing.assert_array_equal(np.concatenate([tb.numpy() for _, tb in batches]), get_spiral()[1])
    model = nn.Sequential(nn.Linear(2, 10), nn.Sigmoid(), nn.Linear(10, 3))
    optimizer = nn.optim.SGD(model.parameters(), lr=1.0)
    autograd.manual_seed(0)
    for _ in range(3):
        sum_loss = sum_acc = 0.0
        for xb, tb in nn.data.DataLoader(train_set, batch_size=30, shuffle=True):
            y = model(xb)
            loss = F.cross_entropy(y, tb)
            acc = (y.argmax(1) == tb).float().mean()
            model.zero_grad()
            loss.backward()
            optimizer.step()
            sum_loss += float(loss) * len(tb)
            sum_acc += float(acc) * len(tb)
        assert 0.0 < sum_loss / 300 < 2.0 and 0.0 <= sum_acc / 300 <= 1.0
    with autograd.no_grad():  # the test loop
        test_x, test_t = get_spiral(train=False)
        y = model(Tensor(test_x))
        assert not y.requires_grad and y.shape == (300, 3)


def test_step53_save_weights_and_load_weights_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(2, 10), nn.Sigmoid(), nn.Linear(10, 3))
    x = Tensor(get_spiral()[0])
    before = model(x).detach().numpy()
    nn.save(model.state_dict(), tmp_path / "my_mlp.pt")
    np.savez(tmp_path / "my_mlp.npz", **{k: v.detach().numpy() for k, v in model.state_dict().items()})
    for loaded in (nn.load(tmp_path / "my_mlp.pt"), dict(np.load(tmp_path / "my_mlp.npz"))):
        fresh = nn.Sequential(nn.Linear(2, 10), nn.Sigmoid(), nn.Linear(10, 3))
        fresh.load_state_dict(loaded)
        np.testing.assert_array_equal(fresh(x).detach().numpy(), before)


def test_step54_dropout_layer_in_training_and_in_test_mode():
    x = Tensor(np.ones(5, dtype=np.float32))
    layer = nn.Dropout(0.5)
    autograd.manual_seed(0)
    y = layer(x)
    assert set(np.unique(y.data).tolist()) <= {0.0, 2.0}
    layer.eval()  # with dezero.test_mode():
    np.testing.assert_array_equal(layer(x).data, x.data)


# -- steps 59-60: RNN and LSTM on the sine curve, truncated BPTT --------------------------------------------------


def sin_curve(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """dezero.datasets.SinCurve: a noisy sine (train) or a noisy cosine (test) of 1000 points over [0, 2 pi]; each
    point's label is the next one."""
    rng = np.random.RandomState(0)
    x = np.linspace(0, 2 * np.pi, 1000)
    noise = rng.uniform(-0.05, 0.05, size=x.shape)
    y = (np.sin(x) if train else np.cos(x)) + noise
    y = y.reshape(-1, 1)
    return y[:-1], y[1:]


class SimpleRNN(nn.Module):
    """Step 59's model: DeZero's RNN (no hidden-to-hidden bias) and a Linear, its hidden state kept between calls."""

    def __init__(self, hidden_size: int, out_size: int) -> None:
        super().__init__()
        self.rnn = nn.RNNCell(1, hidden_size)
        nn.init.zeros_(self.rnn.bias_hh)
        self.rnn.bias_hh.requires_grad_(False)  # DeZero's h2h: Linear(nobias=True)
        self.fc = nn.Linear(hidden_size, out_size)
        self.h = None

    def reset_state(self) -> None:
        self.h = None

    def forward(self, x):
        self.h = self.rnn(x, self.h)
        return self.fc(self.h)


def _dezero_rnn_step(x, h, weights):
    """DeZero's RNN.forward after the book: tanh(x2h(x)) at the first step, tanh(x2h(x) + h2h(h)) after."""
    W_ih, b_ih, W_hh = weights
    pre = x @ W_ih.T + b_ih
    return np.tanh(pre if h is None else pre + h @ W_hh.T)


def test_step59_rnn_on_the_sine_truncated_bptt_follows_torch_and_the_numpy_forward():
    xs, ts = sin_curve()
    xs, ts = xs[:120], ts[:120]
    ours = SimpleRNN(10, 1).double()
    theirs = torch.nn.ModuleDict({"rnn": torch.nn.RNNCell(1, 10), "fc": torch.nn.Linear(10, 1)}).double()
    state = {k: v.detach().numpy() for k, v in ours.state_dict().items()}
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    theirs["rnn"].bias_hh.requires_grad_(False)

    h = None
    for x in xs[:5]:
        h = _dezero_rnn_step(x[None], h, (state["rnn.weight_ih"], state["rnn.bias_ih"], state["rnn.weight_hh"]))
    for x in xs[:5]:
        ours(Tensor(x[None]))
    _close(ours.h, h, rtol=1e-14)
    ours.reset_state()

    optimizer = nn.optim.Adam([p for p in ours.parameters() if p.requires_grad], lr=0.001)
    optimizer_t = torch.optim.Adam([p for p in theirs.parameters() if p.requires_grad], lr=0.001)
    bptt_length = 30
    for _epoch in range(2):
        ours.reset_state()
        h_t = None
        loss, loss_t, count = 0, 0, 0
        for x, t in zip(xs, ts):
            loss = loss + F.mse_loss(ours(Tensor(x[None])), Tensor(t[None]))
            h_t = theirs["rnn"](torch.tensor(x[None]), h_t)
            loss_t = loss_t + TF.mse_loss(theirs["fc"](h_t), torch.tensor(t[None]))
            count += 1
            if count % bptt_length == 0 or count == len(xs):
                _close(loss, loss_t, rtol=1e-12)
                ours.zero_grad()
                loss.backward()
                ours.h = ours.h.detach()  # loss.unchain_backward()
                optimizer.step()
                theirs.zero_grad()
                loss_t.backward()
                h_t = h_t.detach()
                optimizer_t.step()
                loss, loss_t = 0, 0
    for name, p in ours.named_parameters():
        _close(p, theirs.state_dict()[name], rtol=1e-9, atol=1e-12)
    _close(ours.rnn.bias_hh, np.zeros(10))


def test_step59_predicting_the_cosine_one_point_at_a_time_reads_each_1x1_output_with_float():
    xs, _ = sin_curve(train=False)
    model = SimpleRNN(10, 1).double()
    model.reset_state()
    pred_list = []
    with autograd.no_grad():
        for x in xs[:50]:
            y = model(Tensor(np.array(x).reshape(1, 1)))
            pred_list.append(float(y.data))  # the book's line: y.data is (1, 1)
    assert len(pred_list) == 50 and all(isinstance(p, float) for p in pred_list)
    assert pred_list[-1] == float(y) == y.item()


class DezeroLSTM:
    """DeZero's LSTM written out: one Linear per gate from x (with bias) and from h (without)."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = {k: Tensor(v) for k, v in weights.items()}

    def __call__(self, x, h=None, c=None):
        def gate(name, act):
            pre = F.linear(x, self.w["x2" + name], self.w["b" + name])
            return act(pre if h is None else pre + F.linear(h, self.w["h2" + name]))

        f, i, o = gate("f", F.sigmoid), gate("i", F.sigmoid), gate("o", F.sigmoid)
        u = gate("u", autograd.tanh)
        c_new = i * u if c is None else f * c + i * u
        return o * autograd.tanh(c_new), c_new


def test_step60_dezero_lstm_is_lstm_cell_with_its_gates_stacked_in_torchs_order():
    rng = np.random.default_rng(60)
    hidden, inputs = 6, 1
    weights = {}
    for gate in "fiou":
        weights["x2" + gate] = rng.standard_normal((hidden, inputs)) * 0.5
        weights["h2" + gate] = rng.standard_normal((hidden, hidden)) * 0.5
        weights["b" + gate] = rng.standard_normal(hidden) * 0.5
    order = "ifuo"  # torch's (input, forget, cell, output)
    stacked = {
        "weight_ih": np.concatenate([weights["x2" + g] for g in order]),
        "weight_hh": np.concatenate([weights["h2" + g] for g in order]),
        "bias_ih": np.concatenate([weights["b" + g] for g in order]),
        "bias_hh": np.zeros(4 * hidden),
    }
    cell = nn.LSTMCell(inputs, hidden).double()
    cell.load_state_dict(stacked)
    cell_t = torch.nn.LSTMCell(inputs, hidden).double()
    cell_t.load_state_dict({k: torch.tensor(v) for k, v in stacked.items()})
    book = DezeroLSTM(weights)

    xs = sin_curve()[0][:40]
    x_leaf, x_leaf_t = Variable(xs), _torch(xs)
    state = state_ours = state_t = None
    outputs, outputs_ours, outputs_t = [], [], []
    for k in range(len(xs)):
        h, c = book(x_leaf[k : k + 1], *(state or (None, None)))
        state = (h, c)
        state_ours = cell(x_leaf[k : k + 1], state_ours)
        state_t = cell_t(x_leaf_t[k : k + 1], state_t)
        outputs.append(h)
        outputs_ours.append(state_ours[0])
        outputs_t.append(state_t[0])
    seq, seq_ours, seq_t = autograd.cat(outputs), autograd.cat(outputs_ours), torch.cat(outputs_t)
    _close(seq, seq_t, rtol=1e-13, atol=1e-15)
    _close(seq_ours, seq_t, rtol=1e-13, atol=1e-15)
    (seq**2).sum().backward()
    x_book_grad = x_leaf.grad.numpy().copy()
    x_leaf.grad = None
    (seq_ours**2).sum().backward()
    (seq_t**2).sum().backward()
    _close(x_book_grad, x_leaf_t.grad, rtol=1e-11, atol=1e-14)
    _close(x_leaf.grad, x_leaf_t.grad, rtol=1e-11, atol=1e-14)
    for name, p in cell.named_parameters():
        _close(p.grad, dict(cell_t.named_parameters())[name].grad, rtol=1e-11, atol=1e-13)


def test_step60_lstm_module_on_sine_batches_like_seq_dataloader_learns_like_torch():
    xs, ts = sin_curve()
    batch_size, bptt_length = 30, 20
    jump = len(xs) // batch_size  # DeZero's SeqDataLoader: batch b reads the data from b * jump on

    def batch(step):
        index = [(b * jump + step) % len(xs) for b in range(batch_size)]
        return xs[index], ts[index]

    ours = nn.ModuleDict({"lstm": nn.LSTM(1, 20), "fc": nn.Linear(20, 1)}).double()
    theirs = torch.nn.ModuleDict({"lstm": torch.nn.LSTM(1, 20), "fc": torch.nn.Linear(20, 1)}).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    optimizers = [nn.optim.Adam(ours.parameters(), 0.01), torch.optim.Adam(theirs.parameters(), 0.01)]
    losses = [[], []]
    for side, (lib, model, optimizer, make) in enumerate(
        [(F, ours, optimizers[0], Tensor), (TF, theirs, optimizers[1], torch.tensor)]
    ):
        state = None
        for chunk in range(6):
            seq_x = np.stack([batch(chunk * bptt_length + k)[0] for k in range(bptt_length)])  # (T, B, 1)
            seq_t = np.stack([batch(chunk * bptt_length + k)[1] for k in range(bptt_length)])
            out, state = model["lstm"](make(seq_x), state)
            loss = lib.mse_loss(model["fc"](out), make(seq_t)) * bptt_length  # DeZero sums the steps' losses
            model.zero_grad()
            loss.backward()
            optimizer.step()
            state = tuple(s.detach() for s in state)  # unchain_backward
            losses[side].append(float(loss.detach()))
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-9)
    assert losses[0][-1] < losses[0][0]


# -- step 58 and tests/test_vgg16.py: VGG16's architecture (scaled down), forward and backward in test mode --------


def _vgg16(lib_nn, widths=(4, 8, 16, 32, 32), hidden=64, classes=10):
    """DeZero's VGG16: five blocks of 3x3 convolutions (2, 2, 3, 3, 3 of them) with ReLU, each block max-pooled,
    then fc6, fc7 (ReLU and dropout) and fc8; the widths here are VGG16's divided by 16 and the input 32x32."""
    layers, channels = [], 3
    for width, repeats in zip(widths, (2, 2, 3, 3, 3)):
        for _ in range(repeats):
            layers += [lib_nn.Conv2d(channels, width, 3, 1, 1), lib_nn.ReLU()]
            channels = width
        layers.append(lib_nn.MaxPool2d(2, 2))
    layers += [lib_nn.Flatten(), lib_nn.Linear(channels, hidden), lib_nn.ReLU(), lib_nn.Dropout(0.5)]
    layers += [lib_nn.Linear(hidden, hidden), lib_nn.ReLU(), lib_nn.Dropout(0.5), lib_nn.Linear(hidden, classes)]
    return lib_nn.Sequential(*layers)


def test_step58_vgg16_architecture_in_test_mode_matches_torch_forward_and_backward():
    x = _RNG.standard_normal((2, 3, 32, 32)).astype(np.float32)
    theirs = _vgg16(torch.nn).eval()
    ours = _vgg16(nn).eval()  # with dezero.test_mode(): dropout off
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    y, y_t = ours(Tensor(x)), theirs(torch.tensor(x))
    assert y.dtype == np.float32 and y.shape == (2, 10)  # test_forward2
    _close(y, y_t, rtol=1e-4, atol=1e-6)
    y.backward(autograd.ones_like(y))  # the test's y.grad = ones
    y_t.backward(torch.ones_like(y_t))
    for p, q in zip(ours.parameters(), theirs.parameters()):
        _close(p.grad, q.grad, rtol=1e-3, atol=1e-5)
