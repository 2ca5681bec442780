"""ReLU's gradient at nan, alone and in Sequential's fused ReLU -> MaxPool2d path, against torch; the fused path
leaves a pool that returns its indices alone."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

NAN_WINDOW = np.array([[[[np.nan, -1.0], [-2.0, -3.0]]]])


def test_relu_passes_the_gradient_through_nan_as_torch():
    torch = pytest.importorskip("torch")
    values = np.array([np.nan, -1.0, 0.0, 1.0])
    ours = Tensor(values, requires_grad=True)
    F.relu(ours).sum().backward()
    theirs = torch.tensor(values, requires_grad=True)
    torch.relu(theirs).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_fused_relu_then_max_pool_passes_the_gradient_through_nan_as_torch():
    torch = pytest.importorskip("torch")
    ours = Tensor(NAN_WINDOW, requires_grad=True)
    nn.Sequential(nn.ReLU(), nn.MaxPool2d(2))(ours).sum().backward()
    theirs = torch.tensor(NAN_WINDOW, requires_grad=True)
    torch.nn.Sequential(torch.nn.ReLU(), torch.nn.MaxPool2d(2))(theirs).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_fused_and_written_order_agree_at_nan():
    fused, written = Tensor(NAN_WINDOW, requires_grad=True), Tensor(NAN_WINDOW, requires_grad=True)
    nn.Sequential(nn.ReLU(), nn.MaxPool2d(2))(fused).sum().backward()
    F.max_pool2d(F.relu(written), 2).sum().backward()
    np.testing.assert_array_equal(fused.grad, written.grad)


def test_relu_then_a_pool_returning_indices_gives_the_pool_pair():
    x = Tensor(np.random.default_rng(0).standard_normal((1, 1, 4, 4)))
    output, indices = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2, return_indices=True))(x)
    expected, expected_indices = F.max_pool2d(F.relu(x), 2, return_indices=True)
    np.testing.assert_array_equal(output.data, expected.data)
    np.testing.assert_array_equal(np.asarray(indices), np.asarray(expected_indices))
