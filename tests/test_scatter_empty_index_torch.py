"""A scatter with an empty index writes nothing, and torch then checks neither the index's shape nor src's against
the input's: ``x.scatter_add(0, index, src)`` with an index of shape (0, 5), or of another rank, into a (2, 3) tensor
is a copy of ``x`` (its gradient passes through), where the library refused the shapes with a ShapeError."""

import numpy as np
import pytest

import autograd
from tests.torch_oracle import torch

SCATTERS = {
    "scatter_value": lambda lib, x, i, s: x.scatter(1, i, 2.5),
    "scatter_src": lambda lib, x, i, s: x.scatter(1, i, s),
    "scatter_add": lambda lib, x, i, s: x.scatter_add(1, i, s),
    "module_scatter_add": lambda lib, x, i, s: lib.scatter_add(x, 1, i, s),
    "scatter_reduce_amax": lambda lib, x, i, s: x.scatter_reduce(1, i, s, "amax", include_self=False),
    "scatter_reduce_mean": lambda lib, x, i, s: x.scatter_reduce(1, i, s, "mean"),
    "scatter_add_in_place": lambda lib, x, i, s: (x * 1).scatter_add_(1, i, s),
}
INDEX_SHAPES = [(0, 5), (5, 0), (0,), (0, 1, 1)]


@pytest.mark.parametrize("index_shape", INDEX_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(SCATTERS), ids=list(SCATTERS))
def test_a_scatter_with_an_empty_index_leaves_the_input_as_torch(name, index_shape):
    data = np.arange(6.0).reshape(2, 3)
    upstream = np.random.default_rng(0).standard_normal((2, 3))
    results = []
    for lib in (torch, autograd):
        x = lib.tensor(data, requires_grad=True)
        out = SCATTERS[name](lib, x, lib.zeros(index_shape, dtype=lib.int64), lib.ones(1, 1, dtype=lib.float64))
        (out * lib.tensor(upstream)).sum().backward()
        results.append((np.asarray(out.detach().numpy() if lib is torch else out.data), np.asarray(x.grad)))
    (theirs, their_grad), (ours, our_grad) = results
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(our_grad, their_grad)


def test_a_scatter_with_an_empty_index_still_refuses_a_src_of_another_dtype():
    x = autograd.zeros(2, 3)
    with pytest.raises(RuntimeError, match="same dtype"):
        x.scatter(1, autograd.zeros((0, 5), dtype=autograd.int64), autograd.ones(1, dtype=autograd.float32))
