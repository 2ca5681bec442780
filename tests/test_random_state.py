"""autograd.manual_seed: one seed makes every draw that has no generator of its own reproducible."""

import numpy as np
import pytest

import autograd
import autograd.random_state
import nn
import nn.functional as F
from autograd import Tensor, no_grad
from nn.data import DataLoader


@pytest.fixture(autouse=True)
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _draws():
    """One of every kind of unseeded draw, in a fixed order."""
    linear = nn.Linear(4, 3)
    conv = nn.Conv2d(1, 2, 3)
    noise = autograd.randn(2, 3).data
    mask = F.dropout(Tensor(np.ones(20)), 0.5).data
    order = np.concatenate(
        [labels for _, labels in DataLoader(np.zeros((10, 1)), np.arange(10), batch_size=4, shuffle=True)]
    )
    scalar = [p.data for p in nn.MLP(2, [3, 1]).parameters()]
    filled = Tensor(np.zeros(5))
    with no_grad():
        filled.uniform_()
    return [linear.weight.data, linear.bias.data, conv.weight.data, noise, mask, order, np.array(scalar), filled.data]


def test_the_same_seed_gives_the_same_draws_everywhere():
    autograd.manual_seed(7)
    first = _draws()
    autograd.manual_seed(7)
    second = _draws()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    autograd.manual_seed(8)
    third = _draws()
    assert not np.array_equal(first[0], third[0]) and not np.array_equal(first[6], third[6])


def test_without_a_seed_draws_are_fresh_and_explicit_generators_win():
    assert not np.array_equal(nn.Linear(4, 3).weight.data, nn.Linear(4, 3).weight.data)
    autograd.manual_seed(1)
    seeded = nn.Linear(4, 3, rng=5).weight.data
    autograd.manual_seed(2)
    np.testing.assert_array_equal(nn.Linear(4, 3, rng=5).weight.data, seeded)  # rng= is used as given
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        autograd.manual_seed(-1)
    assert isinstance(autograd.manual_seed(3), np.random.Generator)
