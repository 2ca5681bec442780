"""torch's implementation switches of every optimizer (foreach, fused, capturable, differentiable) are
accepted without changing the update, Adam's decoupled_weight_decay is AdamW's update, and every torch
argument of these optimizers exists here with torch's default."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import nn
from autograd import Tensor

OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"]
SWITCHES = {
    "SGD": {"foreach": True, "fused": False},
    "Adam": {"foreach": True, "fused": False, "capturable": True},
    "AdamW": {"foreach": False, "fused": True, "capturable": False},
    "Adagrad": {"foreach": True, "fused": False},
    "RMSprop": {"foreach": True, "capturable": True},
    "Adamax": {"foreach": True, "capturable": True},
    "NAdam": {"foreach": True, "capturable": True},
    "RAdam": {"foreach": False, "capturable": True},
    "Adadelta": {"foreach": True, "capturable": True},
    "Rprop": {"foreach": True, "capturable": True},
}
#: NAdam's mu_product is float32 in torch (its default dtype) and float64 here: agreement to ~1e-9
TOLERANCE = {"NAdam": {"rtol": 1e-8, "atol": 1e-9}}


def _trajectory(library, name, steps=12, **options):
    """Parameters after ``steps`` steps of a least-squares problem (float64)."""
    rng = np.random.default_rng(0)
    start = rng.normal(size=(3, 2))
    if library == "torch":
        import torch

        weight = torch.tensor(start, requires_grad=True)
        optimizer = getattr(torch.optim, name)([weight], lr=0.05, **options)
    else:
        weight = nn.Parameter(start)
        optimizer = getattr(nn.optim, name)([weight], lr=0.05, **options)
    for _ in range(steps):
        x = rng.normal(size=(4, 3))
        optimizer.zero_grad()
        if library == "torch":
            ((torch.tensor(x) @ weight) ** 2).sum().backward()
        else:
            ((Tensor(x) @ weight) ** 2).sum().backward()
        optimizer.step()
    return weight.detach().numpy() if library == "torch" else weight.data


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_implementation_switches_are_accepted_and_change_nothing(name):
    pytest.importorskip("torch")
    switches = SWITCHES[name]
    plain = _trajectory("ours", name)
    np.testing.assert_array_equal(_trajectory("ours", name, **switches), plain)
    reference = _trajectory("torch", name, **{k: v for k, v in switches.items() if k != "capturable"})
    np.testing.assert_allclose(plain, reference, **TOLERANCE.get(name, {"rtol": 1e-12, "atol": 1e-14}))


def test_adam_with_decoupled_weight_decay_is_torchs_and_adamws_update():
    pytest.importorskip("torch")
    options = {"weight_decay": 0.3, "decoupled_weight_decay": True}
    ours = _trajectory("ours", "Adam", **options)
    np.testing.assert_allclose(ours, _trajectory("torch", "Adam", **options), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(ours, _trajectory("ours", "AdamW", weight_decay=0.3))
    assert not np.array_equal(ours, _trajectory("ours", "Adam", weight_decay=0.3))


@pytest.mark.parametrize("name", [*OPTIMIZERS, "ASGD", "LBFGS", "Adafactor", "Muon"])
def test_every_torch_argument_exists_with_torchs_default(name):
    """Each of torch's arguments, at torch's position (RMSprop's foreach and maximize, Adagrad's foreach, may be
    given positionally, as torch's), with torch's default."""
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(getattr(torch.optim, name)).parameters.values()
    ours = inspect.signature(getattr(nn.optim, name)).parameters
    positional = [key for key, parameter in ours.items() if parameter.kind is parameter.POSITIONAL_OR_KEYWORD]
    for parameter in theirs:
        if parameter.name != "params":
            assert parameter.name in ours, parameter.name
            assert ours[parameter.name].default == parameter.default, parameter.name
            assert ours[parameter.name].kind is parameter.kind, parameter.name
    torch_positional = [parameter.name for parameter in theirs if parameter.kind is parameter.POSITIONAL_OR_KEYWORD]
    assert positional == torch_positional


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda p: nn.optim.Adam(p, differentiable=True), ValueError, "Adam: differentiable=True .* not supported"),
        (lambda p: nn.optim.SGD(p, differentiable=True), ValueError, "SGD: differentiable=True .* not supported"),
        (lambda p: nn.optim.SGD(p, foreach=0), TypeError, "SGD: foreach must be None, True or False"),
        (lambda p: nn.optim.RMSprop(p, foreach="yes"), TypeError, "RMSprop: foreach must be None, True or False"),
        (lambda p: nn.optim.Adagrad(p, fused=1), TypeError, "Adagrad: fused must be None, True or False"),
        (lambda p: nn.optim.AdamW(p, capturable=None), TypeError, "AdamW: capturable must be True or False"),
        (lambda p: nn.optim.Adam(p, decoupled_weight_decay=1), TypeError, "Adam: decoupled_weight_decay must be"),
        (lambda p: nn.optim.NAdam(p, differentiable=True), ValueError, "NAdam: differentiable=True .* not supported"),
        (lambda p: nn.optim.Adamax(p, foreach="no"), TypeError, "Adamax: foreach must be None, True or False"),
        (lambda p: nn.optim.RAdam(p, capturable=None), TypeError, "RAdam: capturable must be True or False"),
        (lambda p: nn.optim.Adadelta(p, differentiable=1), TypeError, "Adadelta: differentiable must be True or False"),
        (lambda p: nn.optim.Rprop(p, foreach=1), TypeError, "Rprop: foreach must be None, True or False"),
    ],
)
def test_bad_switches_are_errors_naming_the_optimizer(call, error, message):
    with pytest.raises(error, match=message):
        call([nn.Parameter(np.zeros(2))])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_together_are_a_runtime_error_as_torchs(name):
    with pytest.raises(RuntimeError, match=f"{name}: fused=True and foreach=True cannot be given together"):
        getattr(nn.optim, name)([nn.Parameter(np.zeros(2))], fused=True, foreach=True)
    getattr(nn.optim, name)([nn.Parameter(np.zeros(2))], fused=True, foreach=False)  # either one alone is fine
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], fused=True, foreach=True)
