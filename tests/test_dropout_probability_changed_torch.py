"""A dropout layer's ``p`` set after construction to a value outside [0, 1] is refused at the next call, in training
and in evaluation, as torch's ``F.dropout`` refuses it (a ValueError); ``nn.Dropout`` scaled by 1 / (1 - p) instead
(a negative p gave outputs 2/3 of the input), where its channel and alpha siblings already refused it."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"])
@pytest.mark.parametrize("p", [1.5, -0.5])
@pytest.mark.parametrize("training", [True, False])
def test_a_dropout_probability_changed_out_of_range_is_refused_at_the_call_as_torch(name, p, training):
    x = np.ones((2, 3, 2, 2, 2))
    theirs, ours = getattr(torch.nn, name)(0.5), getattr(nn, name)(0.5)
    for layer in (theirs, ours):
        layer.p = p
        layer.train(training)
    with pytest.raises(ValueError):
        theirs(torch.tensor(x))
    with pytest.raises(ValueError, match="p must be a probability"):
        ours(Tensor(x))


def test_a_dropout_probability_changed_within_range_takes_effect():
    layer = nn.Dropout(0.5)
    layer.p = 1
    np.testing.assert_array_equal(layer(Tensor(np.ones((2, 3)))).data, np.zeros((2, 3)))
    layer.p = 0.0
    np.testing.assert_array_equal(layer(Tensor(np.ones((2, 3)))).data, np.ones((2, 3)))
