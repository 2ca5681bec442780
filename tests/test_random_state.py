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
    with pytest.raises(TypeError):  # read with int(), as torch's (which takes 1.5 as 1)
        autograd.manual_seed(None)
    assert isinstance(autograd.manual_seed(3), np.random.Generator)


def test_manual_seed_takes_torchs_negative_seeds_modulo_2_to_the_64():
    torch = pytest.importorskip("torch")
    assert autograd.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed() == 2**64 - 1
    negative = autograd.randn(3).data
    autograd.manual_seed(2**64 - 1)
    np.testing.assert_array_equal(autograd.randn(3).data, negative)
    assert autograd.manual_seed(-(2**63)).initial_seed() == torch.manual_seed(-(2**63)).initial_seed()
    for seed in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError):
            torch.manual_seed(seed)
        with pytest.raises(ValueError, match=r"manual_seed: seed must be an int in \[-2\*\*63, 2\*\*64\)"):
            autograd.manual_seed(seed)


def test_manual_seed_returns_a_torch_generator_drawing_as_numpys_default_rng():
    generator = autograd.manual_seed(11)
    assert isinstance(generator, autograd.Generator) and generator.initial_seed() == 11
    np.testing.assert_array_equal(autograd.randn(5).data, np.random.default_rng(11).standard_normal(5))


def test_initial_seed_and_seed_as_torchs():
    autograd.manual_seed(123)
    assert autograd.initial_seed() == 123
    fresh = autograd.seed()
    assert isinstance(fresh, int) and 0 <= fresh < 2**64 and autograd.initial_seed() == fresh
    first = autograd.randn(4).data
    autograd.manual_seed(fresh)
    np.testing.assert_array_equal(autograd.randn(4).data, first)  # seed() seeds every later unseeded draw


def test_initial_seed_without_a_seed_seeds_from_fresh_entropy_as_torchs_start():
    torch = pytest.importorskip("torch")
    assert isinstance(torch.initial_seed(), int)
    seed = autograd.initial_seed()
    assert isinstance(seed, int) and autograd.initial_seed() == seed
    first = autograd.rand(3).data
    autograd.manual_seed(seed)
    np.testing.assert_array_equal(autograd.rand(3).data, first)


def test_get_and_set_rng_state_replay_the_draws_as_torchs():
    torch = pytest.importorskip("torch")
    theirs = torch.get_rng_state()
    autograd.manual_seed(5)
    state = autograd.get_rng_state()
    assert state.dtype == theirs.numpy().dtype and state.ndim == theirs.ndim == 1  # a uint8 Tensor, as torch's
    first = autograd.randn(6).data
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(autograd.randn(6).data, first)
    autograd.manual_seed(9)
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(autograd.randn(6).data, first)
    assert autograd.initial_seed() == 5
    with pytest.raises(ValueError, match="set_state"):
        autograd.set_rng_state(np.zeros(3, dtype=np.uint8))
