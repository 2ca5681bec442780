"""nn.data against the behaviour torch's test/test_dataloader.py and test_datasets.py check, where a port of those
tests (without worker processes) found it differing from torch.utils.data.

Each behaviour is asserted on its own and, where torch's result is deterministic or its random-number contract
allows, compared with torch itself (skipped without torch)."""

import numpy as np
import pytest

import autograd
import autograd.random_state
from nn.data import DataLoader


def torch_data():
    torch = pytest.importorskip("torch")
    return torch, torch.utils.data


@pytest.fixture
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _order(loader):
    return [int(value) for batch in loader for value in np.asarray(batch).ravel()]


# -- shuffling without a generator draws each pass from the global random state, as torch's ----------------------


def test_reseeding_before_a_pass_replays_a_shuffling_loaders_order(unseeded_afterwards):
    loader = DataLoader(list(range(20)), batch_size=5, shuffle=True)
    autograd.manual_seed(1)
    first = _order(loader)
    autograd.manual_seed(1)
    assert _order(loader) == first
    assert sorted(first) == list(range(20))
    assert _order(loader) != first  # without reseeding, the next pass is a new order


def test_reseeding_before_a_pass_replays_the_order_in_torch_too():
    torch, data = torch_data()
    loader = data.DataLoader(list(range(20)), batch_size=5, shuffle=True)
    torch.manual_seed(1)
    first = _order(loader)
    torch.manual_seed(1)
    assert _order(loader) == first


def test_a_loader_made_before_seeding_shuffles_as_one_made_after(unseeded_afterwards):
    made_before = DataLoader(list(range(20)), batch_size=5, shuffle=True)
    autograd.manual_seed(4)
    from_before = _order(made_before)
    autograd.manual_seed(4)
    assert _order(DataLoader(list(range(20)), batch_size=5, shuffle=True)) == from_before


def test_making_a_loader_draws_nothing_from_the_global_random_state(unseeded_afterwards):
    autograd.manual_seed(2)
    expected = autograd.randn(3).tolist()
    autograd.manual_seed(2)
    DataLoader(np.zeros((6, 1)), batch_size=2)
    DataLoader(list(range(6)), batch_size=2, shuffle=True)
    assert autograd.randn(3).tolist() == expected
