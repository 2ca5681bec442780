"""Gradients at extreme but legal inputs, and torch's spelling of backward's arguments."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autograd import Tensor, Value


def test_gradient_of_x_to_the_zero_is_zero_where_x_to_the_minus_one_overflows_or_is_nan():
    x = Tensor(np.array([5e-324, np.nan, 0.0, -2.0, np.inf]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(5))


def test_gradient_of_x_to_a_zero_tensor_exponent_keeps_log_x_for_the_exponent():
    # d/dy x**y = x**y log x = log x at y = 0 (nan at x = nan); d/dx = 0 (torch gives the same)
    x = Tensor(np.array([5e-324, np.nan, 2.0]), requires_grad=True)
    y = Tensor(np.zeros(3), requires_grad=True)
    (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))
    np.testing.assert_allclose(y.grad, [math.log(5e-324), np.nan, math.log(2.0)])


@pytest.mark.parametrize("at", [-40.0, -300.0, -1.0])
@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_elu_gradient_far_on_the_negative_side_is_alpha_e_to_the_x(at, alpha):
    # elu(x) + alpha cancels to 0 below x = -37; alpha e^x does not
    x = Tensor(np.array([at]), requires_grad=True)
    x.elu(alpha).sum().backward()
    np.testing.assert_allclose(x.grad, [alpha * math.exp(at)], rtol=1e-15)
    v = Value(at)
    v.elu(alpha).backward()
    assert v.grad == pytest.approx(alpha * math.exp(at), rel=1e-15)


def test_elu_gradient_of_a_huge_positive_input_is_one_without_overflow_warning():
    x = Tensor(np.array([1000.0, 1e308]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.elu().sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_backward_takes_torchs_gradient_keyword_and_argument_order():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).backward(gradient=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 40.0])
    x.grad = None
    (x * x).backward(np.array([1.0, 1.0]), None, True)  # torch's order: gradient, retain_graph, create_graph
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    with pytest.raises(TypeError, match="both grad and gradient"):
        (x * x).backward(np.ones(2), gradient=np.ones(2))


def test_relu_passes_the_gradient_at_nan_and_blocks_it_at_zero_and_below_as_torch():
    """torch's threshold_backward zeroes the gradient where x <= 0 only, so a nan input lets it through."""
    data = [math.nan, 2.0, -1.0, 0.0, -0.0]
    x = Tensor(data, requires_grad=True)
    (x.relu() * Tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 0.0, 0.0, 0.0])
    values = [Value(v) for v in data]
    for v in values:
        v.relu().backward()
    assert [v.grad for v in values] == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_relu_gradient_at_nan_zero_and_below_matches_torch():
    torch = pytest.importorskip("torch")
    data = [math.nan, 2.0, -1.0, 0.0, -0.0]
    x = Tensor(data, requires_grad=True)
    (x.relu() * Tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    t = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    (t.relu() * torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_blocks_an_infinite_or_nan_upstream_gradient_to_exactly_zero(dtype):
    """where relu is flat the gradient is +0 whatever arrives (torch's where), not inf * 0 = nan."""
    x = Tensor(np.array([-1.0, 0.0, -3.0, 2.0, 5.0], dtype=dtype), requires_grad=True)
    upstream = np.array([np.inf, np.nan, -2.0, -np.inf, np.nan], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.relu().backward(upstream)
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad, np.array([0.0, 0.0, 0.0, -np.inf, np.nan], dtype=dtype))
    assert not np.signbit(x.grad[:3]).any()  # +0, as torch.where(mask, g, 0)
    v = Value(-1.0)
    v.relu().backward(math.inf)
    assert v.grad == 0.0


def test_relu_blocks_an_infinite_upstream_gradient_as_torch():
    torch = pytest.importorskip("torch")
    data, upstream = [-1.0, 0.0, 2.0, math.nan], [math.inf, math.nan, -math.inf, 3.0]
    x = Tensor(data, requires_grad=True)
    x.relu().backward(np.array(upstream))
    t = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    t.relu().backward(torch.tensor(upstream, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_maximum_minimum_hardtanh_and_relu6_pass_the_gradient_at_nan_as_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    first, second = [math.nan, 1.0, 2.0, 3.0, math.nan], [1.0, math.nan, 2.0, 1.0, math.nan]
    for ours_call, torch_call in [
        (lambda a, b: a.maximum(b), torch.maximum),
        (lambda a, b: a.minimum(b), torch.minimum),
    ]:
        x, y = Tensor(first, requires_grad=True), Tensor(second, requires_grad=True)
        tx, ty = torch.tensor(first, requires_grad=True), torch.tensor(second, requires_grad=True)
        ours_call(x, y).sum().backward()
        torch_call(tx, ty).sum().backward()
        np.testing.assert_array_equal(x.grad, tx.grad.numpy())
        np.testing.assert_array_equal(y.grad, ty.grad.numpy())
    values = [math.nan, 0.5, 7.0, 0.0, 6.0, -1.0]
    for ours_call, torch_call in [(F.relu6, torch.nn.functional.relu6), (F.hardtanh, torch.nn.functional.hardtanh)]:
        x, t = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        ours_call(x).sum().backward()
        torch_call(t).sum().backward()
        np.testing.assert_array_equal(x.grad, t.grad.numpy())
