"""nn.optim.ASGD and nn.optim.Adafactor without torch: Adafactor's factored state (one axis shorter) loads
with its own shapes, invalid saved state changes nothing, and bad options raise."""

from __future__ import annotations

import numpy as np
import pytest

import nn


def stepped(optimizer_class, **options):
    params = [nn.Parameter(np.ones((2, 3, 4))), nn.Parameter(np.ones(3))]
    optimizer = optimizer_class(params, **options)
    for param in params:
        param.grad = np.linspace(-1, 1, param.size).reshape(param.shape)
    optimizer.step()
    return params, optimizer


def test_adafactor_factors_the_last_two_axes_and_its_state_round_trips():
    params, optimizer = stepped(nn.optim.Adafactor, lr=0.1)
    state = optimizer.state_dict()["state"]
    assert state[0]["row_var"].shape == (2, 3, 1) and state[0]["col_var"].shape == (2, 1, 4)
    assert set(state[1]) == {"step", "variance"}
    fresh = nn.optim.Adafactor([nn.Parameter(p.data.copy()) for p in params])
    fresh.load_state_dict(optimizer.state_dict())
    np.testing.assert_array_equal(fresh.state_dict()["state"][0]["row_var"], state[0]["row_var"])


def test_adafactor_state_of_the_wrong_shape_raises_and_changes_nothing():
    _, optimizer = stepped(nn.optim.Adafactor)
    saved = optimizer.state_dict()
    saved["state"][0]["row_var"] = np.zeros((2, 3, 4))
    saved["param_groups"][0]["lr"] = 0.5
    with pytest.raises(ValueError, match=r"'row_var' has shape \(2, 3, 4\), expected \(2, 3, 1\)"):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.01
    assert optimizer.state_dict()["state"][0]["row_var"].shape == (2, 3, 1)


def test_asgd_state_numbers_are_checked():
    _, optimizer = stepped(nn.optim.ASGD)
    saved = optimizer.state_dict()
    saved["state"][1]["mu"] = 2.0
    with pytest.raises(ValueError, match="'mu' must be in \\[0, 1\\], got 2.0"):
        optimizer.load_state_dict(saved)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: nn.optim.Adafactor(p, d=0.5), "d must be >= 1"),
        (lambda p: nn.optim.Adafactor(p, beta2_decay=0.1), "beta2_decay must be <= 0"),
        (lambda p: nn.optim.Adafactor(p, eps=(-1.0, 1e-3)), "eps1"),
        (lambda p: nn.optim.ASGD(p, lr=-0.1), "lr must be >= 0"),
        (lambda p: nn.optim.ASGD(p, weight_decay=-1.0), "weight_decay must be >= 0"),
    ],
)
def test_bad_options_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter(np.zeros(2))])
