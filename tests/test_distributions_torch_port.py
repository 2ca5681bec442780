"""Ported from PyTorch's test/distributions (test_distributions.py, test_constraints.py), for the distributions
this library has: each behaviour compared with torch 2.13's (float64), or with hand-derived values where torch is
not needed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd.distributions import Gamma


@pytest.fixture
def torch():
    """torch, the oracle; the tests that take it are skipped when it is not installed."""
    return pytest.importorskip("torch")


@pytest.fixture
def td(torch):
    """torch.distributions (skipped without torch)."""
    return torch.distributions


def _values(t):
    return t.detach().numpy()


# -- support boundaries -----------------------------------------------------------------------------------
def test_gamma_log_prob_at_zero_is_in_the_support_as_torchs(torch, td):
    # torch's Gamma support is nonnegative: at x = 0 the density is inf (a < 1), b (a = 1) or 0 (a > 1)
    concentration, rate = [0.5, 1.0, 2.0], [2.0, 2.0, 2.0]
    ours = Gamma(autograd.tensor(concentration), autograd.tensor(rate)).log_prob(autograd.zeros(3))
    f64 = torch.float64
    theirs = td.Gamma(torch.tensor(concentration, dtype=f64), torch.tensor(rate, dtype=f64)).log_prob(
        torch.zeros(3, dtype=f64)
    )
    np.testing.assert_array_equal(ours.data, _values(theirs))
    np.testing.assert_array_equal(ours.data, [math.inf, math.log(2.0), -math.inf])
    assert repr(Gamma(1.0, 1.0).support) == repr(td.Gamma(1.0, 1.0).support) == "GreaterThanEq(lower_bound=0.0)"
    with pytest.raises(ValueError, match="support"):
        Gamma(1.0, 1.0).log_prob(autograd.tensor(-1e-300))
