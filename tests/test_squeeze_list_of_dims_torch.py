"""``x.squeeze([0, 2])``, torch's list of dims given by position, drops those of the axes that have length 1 and
leaves the others, as torch's (numpy takes no list: it was a TypeError); a tuple by position stays numpy's, which
refuses an axis whose length is not 1 (README)."""

import numpy as np
import pytest

import autograd
from tests.torch_oracle import torch

DIMS = [[0, 2], [0, 1], [-1], [], [1]]


@pytest.mark.parametrize("dims", DIMS, ids=str)
def test_squeeze_with_a_list_of_dims_is_torchs(dims):
    data = np.arange(2.0).reshape(1, 2, 1)
    theirs = torch.tensor(data, requires_grad=True)
    ours = autograd.tensor(data, requires_grad=True)
    expected, got = theirs.squeeze(dims), ours.squeeze(dims)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    upstream = np.arange(1.0, 1 + expected.numel()).reshape(tuple(expected.shape))
    (expected * torch.tensor(upstream)).sum().backward()
    (got * autograd.tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_squeeze_with_a_tuple_by_position_still_refuses_an_axis_not_of_length_one():
    with pytest.raises(ValueError, match="length != 1"):
        autograd.zeros(1, 2, 1).squeeze((0, 1))
