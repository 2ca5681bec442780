"""Second derivatives of piecewise-linear ops: connected zeros or an unused input, as torch decides.

torch keeps the gradient of relu, leaky_relu and abs connected to the input (their backward
formulas read the input through ops whose own derivative is zero), so differentiating that
gradient again gives zeros. The gradient of clamp, maximum or a max reduction is built from
comparison masks alone and does not require grad. The engine follows both rules.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, Value, grad

X = np.array([0.5, -0.3, 2.0, -1.5])

CONNECTED_TENSOR = {
    "relu": (lambda t: t.relu(), lambda torch, t: torch.relu(t)),
    "leaky_relu": (lambda t: t.leaky_relu(0.2), lambda torch, t: torch.nn.functional.leaky_relu(t, 0.2)),
    "abs": (lambda t: t.abs(), lambda torch, t: torch.abs(t)),
    "hardsigmoid": (lambda t: F.hardsigmoid(t), lambda torch, t: torch.nn.functional.hardsigmoid(t)),
    "threshold": (lambda t: F.threshold(t, 0.1, -2.0), lambda torch, t: torch.nn.functional.threshold(t, 0.1, -2.0)),
    "Threshold": (lambda t: nn.Threshold(0.1, -2.0)(t), lambda torch, t: torch.nn.Threshold(0.1, -2.0)(t)),
}

UNCONNECTED_TENSOR = {
    "clip": (lambda t: t.clip(-1.0, 1.0), lambda torch, t: torch.clamp(t, -1.0, 1.0)),
    "maximum": (lambda t: t.maximum(np.zeros(4)), lambda torch, t: torch.maximum(t, torch.zeros(4, dtype=t.dtype))),
    "max": (lambda t: t.max(), lambda torch, t: t.max()),
}


@pytest.mark.parametrize("name", sorted(CONNECTED_TENSOR))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_of_relu_like_op_stays_connected_and_differentiates_to_zeros(name, dtype):
    function, _ = CONNECTED_TENSOR[name]
    x = Tensor(X.astype(dtype), requires_grad=True)
    (first,) = grad((function(x) * np.array([1.0, 2.0, 3.0, 4.0], dtype=dtype)).sum(), [x], create_graph=True)
    assert first.requires_grad
    assert first.dtype == dtype
    (second,) = grad(first.sum(), [x])  # no allow_unused: x is used
    np.testing.assert_array_equal(second, np.zeros(4, dtype=dtype))


@pytest.mark.parametrize("name", sorted(CONNECTED_TENSOR))
def test_create_graph_gradient_of_relu_like_op_equals_plain_gradient(name):
    function, _ = CONNECTED_TENSOR[name]
    weights = np.array([1.0, -2.0, 3.0, 0.25])
    x = Tensor(X, requires_grad=True)
    (recorded,) = grad((function(x) * weights).sum(), [x], create_graph=True)
    (plain,) = grad((function(x) * weights).sum(), [x])
    np.testing.assert_array_equal(recorded.data, plain)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "abs"])
@pytest.mark.parametrize("at", [0.75, -0.75])
def test_value_gradient_of_relu_like_op_differentiates_to_zero(name, at):
    x = Value(at)
    (first,) = grad(getattr(x, name)() * 3.0, [x], create_graph=True)
    expected_first = {"relu": 3.0 * (at > 0), "leaky_relu": 3.0 if at > 0 else 0.03, "abs": 3.0 * np.sign(at)}[name]
    assert first.data == pytest.approx(expected_first)
    assert grad(first, [x]) == (0.0,)


@pytest.mark.parametrize("name", sorted(UNCONNECTED_TENSOR))
def test_gradient_of_mask_only_op_does_not_require_grad(name):
    function, _ = UNCONNECTED_TENSOR[name]
    x = Tensor(X, requires_grad=True)
    (first,) = grad(function(x).sum(), [x], create_graph=True)
    assert not getattr(first, "requires_grad", False)


@pytest.mark.parametrize("name", sorted(CONNECTED_TENSOR) + sorted(UNCONNECTED_TENSOR))
def test_second_derivative_connectivity_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = {**CONNECTED_TENSOR, **UNCONNECTED_TENSOR}[name]
    x = Tensor(X, requires_grad=True)
    (first,) = grad(ours(x).sum(), [x], create_graph=True)
    t = torch.tensor(X, requires_grad=True)
    (torch_first,) = torch.autograd.grad(theirs(torch, t).sum(), t, create_graph=True)
    # (torch's float64 hardsigmoid slope is float32's 1/6, 3e-8 from ours)
    np.testing.assert_allclose(np.asarray(getattr(first, "data", first)), torch_first.detach().numpy(), rtol=1e-7)
    assert bool(getattr(first, "requires_grad", False)) == torch_first.requires_grad
    if torch_first.requires_grad and name != "hardsigmoid":  # torch: "derivative for hardsigmoid_backward is not
        # implemented"; ours is zeros (test_gradient_of_relu_like_op_stays_connected_and_differentiates_to_zeros)
        (torch_second,) = torch.autograd.grad(torch_first.sum(), t)
        (second,) = grad(first.sum(), [x])
        dense = torch.zeros_like(t).detach() + torch_second  # torch gives abs an unallocated zero tensor
        np.testing.assert_array_equal(second, dense.numpy())
