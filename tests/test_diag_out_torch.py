"""``autograd.diag(x, k, out=o)`` writes the diagonal (or the matrix of a vector) into ``o`` and returns it, as
torch.diag's ``out=``; it was a TypeError (an unexpected keyword)."""

import numpy as np
import pytest

import autograd
from tests.torch_oracle import torch

CASES = [((3, 4), 0, (3,)), ((3, 4), 1, (3,)), ((3,), 1, (4, 4)), ((3,), -2, (5, 5))]


@pytest.mark.parametrize(("shape", "k", "out_shape"), CASES, ids=[f"{s}-{k}" for s, k, _ in CASES])
def test_diag_writes_into_out_as_torch(shape, k, out_shape):
    data = np.arange(float(np.prod(shape))).reshape(shape)
    theirs = torch.zeros(out_shape, dtype=torch.float64)
    torch.diag(torch.tensor(data), k, out=theirs)
    ours = autograd.zeros(out_shape)
    returned = autograd.diag(autograd.tensor(data), k, out=ours)
    assert returned is ours
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_diag_out_of_the_wrong_shape_is_resized_as_torch():
    theirs = torch.zeros(1, dtype=torch.float64)
    ours = autograd.zeros(1)
    with pytest.warns(UserWarning):
        torch.diag(torch.arange(12.0, dtype=torch.float64).reshape(3, 4), out=theirs)
    with pytest.warns(UserWarning):
        autograd.diag(autograd.arange(12.0).reshape(3, 4), out=ours)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
