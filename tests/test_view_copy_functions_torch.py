"""torch's ``*_copy`` functions (``torch.permute_copy``, ``view_copy``, ``squeeze_copy``, ``split_copy``, ...: the
functional forms of the view methods) are functions of autograd: the view's values, shape and gradient, as fresh
copies that a later write to the input does not change (they were missing, an AttributeError)."""

import numpy as np
import pytest

import autograd
from tests.torch_oracle import torch

CALLS = {
    "alias_copy": lambda lib, x: lib.alias_copy(x),
    "as_strided_copy": lambda lib, x: lib.as_strided_copy(x, (2, 2), (1, 3)),
    "diagonal_copy": lambda lib, x: lib.diagonal_copy(x, offset=1),
    "expand_copy": lambda lib, x: lib.expand_copy(x[:1], (3, 4, 6)),
    "permute_copy": lambda lib, x: lib.permute_copy(x, (1, 0)),
    "select_copy": lambda lib, x: lib.select_copy(x, 1, 2),
    "split_copy": lambda lib, x: lib.split_copy(x, 3, dim=1),
    "split_with_sizes_copy": lambda lib, x: lib.split_with_sizes_copy(x, [1, 3]),
    "squeeze_copy": lambda lib, x: lib.squeeze_copy(x[:1], 0),
    "squeeze_copy_not_one": lambda lib, x: lib.squeeze_copy(x, 0),
    "squeeze_copy_dims": lambda lib, x: lib.squeeze_copy(x[:1], (0, 1)),
    "squeeze_copy_all": lambda lib, x: lib.squeeze_copy(x[:1]),
    "t_copy": lambda lib, x: lib.t_copy(x),
    "transpose_copy": lambda lib, x: lib.transpose_copy(x, dim0=0, dim1=1),
    "unbind_copy": lambda lib, x: lib.unbind_copy(x, 1),
    "unfold_copy": lambda lib, x: lib.unfold_copy(x, 1, 2, 2),
    "unsqueeze_copy": lambda lib, x: lib.unsqueeze_copy(x, -1),
    "view_copy": lambda lib, x: lib.view_copy(x, (-1, 3)),
}


def _pieces(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


@pytest.mark.parametrize("name", list(CALLS), ids=list(CALLS))
def test_a_view_copy_function_gives_the_views_values_and_gradient_as_torch(name):
    data = np.arange(24.0).reshape(4, 6) / 7
    rng = np.random.default_rng(0)
    outcomes = []
    for lib in (torch, autograd):
        x = lib.tensor(data, requires_grad=True)
        pieces = _pieces(CALLS[name](lib, x))
        upstreams = [rng.standard_normal(tuple(piece.shape)) for piece in pieces]
        sum((piece * lib.tensor(g)).sum() for piece, g in zip(pieces, upstreams)).backward()
        values = [np.asarray(p.detach().numpy() if lib is torch else p.data) for p in pieces]
        outcomes.append((values, np.asarray(x.grad)))
        rng = np.random.default_rng(0)
    (their_values, their_grad), (our_values, our_grad) = outcomes
    assert [v.shape for v in our_values] == [v.shape for v in their_values]
    for ours, theirs in zip(our_values, their_values):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12)


@pytest.mark.parametrize("name", ["permute_copy", "select_copy", "view_copy", "alias_copy", "split_copy"])
def test_a_view_copy_does_not_change_with_its_input(name):
    x = autograd.tensor(np.arange(24.0).reshape(4, 6))
    pieces = _pieces(CALLS[name](autograd, x))
    before = [p.data.copy() for p in pieces]
    x.add_(100.0)
    for piece, kept in zip(pieces, before):
        np.testing.assert_array_equal(piece.data, kept)


def test_detach_copy_is_a_copy_outside_the_graph():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = autograd.detach_copy(x)
    assert not y.requires_grad
    x.data[0] = 5.0
    assert y.data[0] == 1.0
