"""A list or tuple holding Tensors that require grad, given where a module or a functional op takes its input, is
refused with a TypeError naming the op, as torch refuses a list there: numpy would read it as constants, cutting the
graph without a word (the layers before got no gradient, and the list added a batch axis)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, no_grad

TARGETS = np.array([0, 1])

CALLS = {
    "Linear": (lambda h: nn.Linear(3, 2, rng=0)(h), "Linear"),
    "Sequential": (lambda h: nn.Sequential(nn.Linear(3, 2, rng=0), nn.ReLU())(h), "Linear"),
    "LayerNorm": (lambda h: nn.LayerNorm(3)(h), "LayerNorm"),
    "BatchNorm1d": (lambda h: nn.BatchNorm1d(3)(h), "BatchNorm1d"),
    "Conv1d": (lambda h: nn.Conv1d(2, 1, 1)(h), "Conv1d"),
    "relu": (lambda h: F.relu(h), "relu"),
    "ReLU": (lambda h: nn.ReLU()(h), "relu"),
    "sigmoid": (lambda h: F.sigmoid(h), "sigmoid"),
    "softmax": (lambda h: F.softmax(h, 1), "softmax"),
    "layer_norm": (lambda h: F.layer_norm(h, (3,)), "layer_norm"),
    "dropout": (lambda h: F.dropout(h, 0.5), "dropout"),
    "mse_loss": (lambda h: F.mse_loss(h, np.zeros((2, 3))), "mse_loss"),
    "cross_entropy": (lambda h: F.cross_entropy(h, TARGETS), "cross_entropy"),
    "CrossEntropyLoss": (lambda h: nn.CrossEntropyLoss()(h, TARGETS), "cross_entropy"),
}


def _hidden() -> Tensor:
    """A (2, 3) Tensor computed from a leaf: what a list around it would cut off."""
    return Tensor(np.ones((2, 3)), requires_grad=True) * 2.0


@pytest.mark.parametrize("wrap", [lambda h: [h], lambda h: (h,), lambda h: [[h]]], ids=["list", "tuple", "nested"])
@pytest.mark.parametrize("name", list(CALLS))
def test_a_list_holding_a_graph_tensor_is_refused_naming_the_op(name, wrap):
    call, op = CALLS[name]
    with pytest.raises(TypeError, match=f"{op}: a (list|tuple) holding Tensors that require grad"):
        call(wrap(_hidden()))


@pytest.mark.parametrize("name", ["Linear", "relu", "mse_loss"])
def test_lists_of_numbers_and_lists_under_no_grad_are_still_read_as_data(name):
    call, _ = CALLS[name]
    rows = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    np.testing.assert_allclose(call(rows).data, call(np.array(rows, np.float32)).data, rtol=1e-6)
    with no_grad():  # nothing is recorded, so nothing is lost: the rows are read as data
        assert call(list(_hidden())).shape == call(np.full((2, 3), 2.0, np.float32)).shape
