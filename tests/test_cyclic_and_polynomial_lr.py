"""nn.optim.lr_scheduler.CyclicLR and PolynomialLR without torch: their formulas at chosen steps, state
dicts that resume the sequence in a fresh scheduler, and refused options."""

from __future__ import annotations

import numpy as np
import pytest

import nn

lr_scheduler = nn.optim.lr_scheduler


def sgd(lr=0.1):
    return nn.optim.SGD([nn.Parameter(np.zeros(2))], lr=lr, momentum=0.9)


def lrs(optimizer, scheduler, steps):
    rows = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        group = optimizer.param_groups[0]
        rows.append((group["lr"], group["momentum"]))
    return np.array(rows)


def test_polynomial_lr_follows_its_formula_and_stays_at_zero():
    optimizer = sgd(0.5)
    rates = lrs(optimizer, lr_scheduler.PolynomialLR(optimizer, total_iters=4, power=2.0), 6)[:, 0]
    np.testing.assert_allclose(rates, 0.5 * (1 - np.minimum(np.arange(1, 7), 4) / 4) ** 2, atol=1e-15)


def test_triangular_cycle_goes_up_down_and_momentum_the_other_way():
    optimizer = sgd()
    scheduler = lr_scheduler.CyclicLR(optimizer, base_lr=0.1, max_lr=0.5, step_size_up=2, step_size_down=4)
    assert optimizer.param_groups[0]["lr"] == 0.1 and optimizer.param_groups[0]["momentum"] == 0.9
    rows = lrs(optimizer, scheduler, 7)
    np.testing.assert_allclose(rows[:, 0], [0.3, 0.5, 0.4, 0.3, 0.2, 0.1, 0.3])
    np.testing.assert_allclose(rows[:, 1], [0.85, 0.8, 0.825, 0.85, 0.875, 0.9, 0.85])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="triangular2"),
        lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9),
        lambda o: lr_scheduler.PolynomialLR(o, total_iters=9, power=0.7),
    ],
    ids=["CyclicLR_triangular2", "CyclicLR_exp_range", "PolynomialLR"],
)
def test_state_dict_resumes_the_sequence_in_a_fresh_scheduler(make):
    optimizer = sgd()
    scheduler = make(optimizer)
    lrs(optimizer, scheduler, 5)
    saved = scheduler.state_dict()
    assert "optimizer" not in saved
    fresh_optimizer = sgd()
    fresh_optimizer.load_state_dict(optimizer.state_dict())
    fresh = make(fresh_optimizer)
    fresh.load_state_dict(saved)
    np.testing.assert_array_equal(lrs(fresh_optimizer, fresh, 12), lrs(optimizer, scheduler, 12))


def test_custom_scale_fn_is_not_state_and_is_kept_on_load():
    optimizer = sgd()
    scheduler = lr_scheduler.CyclicLR(optimizer, 0.01, 0.1, step_size_up=2, scale_fn=lambda cycle: 0.5**cycle)
    saved = scheduler.state_dict()
    assert "scale_fn" not in saved
    scheduler.load_state_dict(saved)
    assert scheduler.scale(2, 0) == 0.25


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, mode="sawtooth"), ValueError, "mode must be"),
        (lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=0), ValueError, "step_size_up must be a positive"),
        (lambda o: lr_scheduler.CyclicLR(o, [0.1, 0.2], 1.0), ValueError, "expected 1 values of base_lr"),
        (
            lambda o: lr_scheduler.CyclicLR(nn.optim.Rprop(o.param_groups[0]["params"]), 0.1, 1.0),
            ValueError,
            "cycle_momentum needs an optimizer with momentum or betas",
        ),
        (lambda o: lr_scheduler.PolynomialLR(o, total_iters=-1), ValueError, "total_iters must be an integer >= 0"),
        (lambda o: lr_scheduler.PolynomialLR(o, power=-1.0), ValueError, "power must be >= 0"),
    ],
)
def test_bad_options_raise(make, error, message):
    with pytest.raises(error, match=message):
        make(sgd())
