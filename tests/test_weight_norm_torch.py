"""nn.utils.weight_norm against torch.nn.utils.weight_norm: the same parameter names and shapes, forward
outputs and gradients of weight_g and weight_v, training steps, and remove_weight_norm's result."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

#: the hook-based weight_norm is torch's deprecated form (a FutureWarning, as torch's); these tests are about it
pytestmark = pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated:FutureWarning")

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(9)


def linear_pair():
    ours, theirs = nn.Linear(4, 3, dtype=np.float64), torch.nn.Linear(4, 3, dtype=torch.float64)
    return ours, theirs, (5, 4)


def conv_pair():
    ours = nn.Conv2d(2, 3, 3, dtype=np.float64)
    theirs = torch.nn.Conv2d(2, 3, 3, dtype=torch.float64)
    return ours, theirs, (2, 2, 5, 5)


def copy_weights(ours, theirs):
    ours.weight.data[...] = RNG.normal(size=ours.weight.shape)
    ours.bias.data[...] = RNG.normal(size=ours.bias.shape)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))


def torch_weight_norm(module, **options):
    with warnings.catch_warnings():  # torch deprecates the hook form for torch.nn.utils.parametrizations
        warnings.simplefilter("ignore", FutureWarning)
        return torch.nn.utils.weight_norm(module, **options)


CASES = [(make, dim) for make in (linear_pair, conv_pair) for dim in (0, 1, None, -1)] + [
    (conv_pair, -2),
    (conv_pair, 3),
]


@pytest.mark.parametrize(("make", "dim"), CASES, ids=[f"{make.__name__}-dim={dim}" for make, dim in CASES])
def test_forward_and_gradients_match_torch(make, dim):
    ours, theirs, shape = make()
    copy_weights(ours, theirs)
    nn.utils.weight_norm(ours, dim=dim)
    torch_weight_norm(theirs, dim=dim)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, parameter in theirs.named_parameters():
        assert ours.get_parameter(name).shape == tuple(parameter.shape), name
    x = RNG.normal(size=shape)
    target = RNG.normal(size=theirs(torch.from_numpy(x)).shape)
    our_loss = ((ours(Tensor(x)) - Tensor(target)) ** 2).sum()
    torch_loss = ((theirs(torch.from_numpy(x)) - torch.from_numpy(target)) ** 2).sum()
    assert float(our_loss.data) == pytest.approx(torch_loss.item(), rel=1e-12)
    our_loss.backward()
    torch_loss.backward()
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).grad, parameter.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_training_steps_and_removal_match_torch():
    ours, theirs, shape = conv_pair()
    copy_weights(ours, theirs)
    nn.utils.weight_norm(ours)
    torch_weight_norm(theirs)
    our_optimizer = nn.optim.SGD(ours.parameters(), lr=0.05, momentum=0.9)
    torch_optimizer = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9)
    x = RNG.normal(size=shape)
    for _ in range(5):
        our_optimizer.zero_grad()
        (ours(Tensor(x)) ** 2).mean().backward()
        our_optimizer.step()
        torch_optimizer.zero_grad()
        (theirs(torch.from_numpy(x)) ** 2).mean().backward()
        torch_optimizer.step()
    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("form", ["hook", "parametrization"])
@pytest.mark.parametrize("dim", [0, 1, None])
def test_the_magnitude_of_a_float16_weight_is_its_correctly_rounded_norm_as_torchs(form, dim):
    weight = (np.random.default_rng(0).standard_normal((3, 4)) * 100).astype(np.float16)
    ours, theirs = nn.Linear(4, 3, dtype=np.float16), torch.nn.Linear(4, 3, dtype=torch.float16)
    ours.weight.data[...] = weight
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(weight))
    if form == "hook":
        with pytest.warns(FutureWarning):
            nn.utils.weight_norm(ours, dim=dim)
        magnitudes = ours.weight_g, torch_weight_norm(theirs, dim=dim).weight_g
    else:
        nn.utils.parametrizations.weight_norm(ours, dim=dim)
        torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
        magnitudes = ours.parametrizations.weight.original0, theirs.parametrizations.weight.original0
    assert magnitudes[0].dtype == np.float16
    np.testing.assert_array_equal(np.asarray(magnitudes[0].detach()), magnitudes[1].detach().numpy())
