"""ExponentialFamily.entropy for a user's subclass that gives only its natural parameters, log-normaliser and mean
carrier measure: torch's Bregman form, -E[log h(x)] + A(theta) - <theta, grad A(theta)>, with its value; the
gradient reaches the parameters (torch's detaches them, so its entropy has none)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd.distributions import ExponentialFamily, constraints

torch = pytest.importorskip("torch")


def _exponential_by_natural_parameter(base, module):
    """Exponential(rate) as a bare exponential family: theta = -rate, A(theta) = -log(-theta), h = 1; and
    a 2-d one (Normal(loc, scale): theta = (loc / s^2, -1 / (2 s^2)), E[log h] = -log(2 pi) / 2)."""

    class UserExponential(base):
        arg_constraints = {"rate": constraints.positive}

        def __init__(self, rate):
            self.rate = rate
            super().__init__(tuple(rate.shape), validate_args=False)

        @property
        def _natural_params(self):
            return (-self.rate,)

        def _log_normalizer(self, theta):
            return -(-theta).log()

        @property
        def _mean_carrier_measure(self):
            return 0

    class UserNormal(base):
        arg_constraints = {}

        def __init__(self, loc, scale):
            self.loc, self.scale = loc, scale
            super().__init__(tuple(loc.shape), validate_args=False)

        @property
        def _natural_params(self):
            return (self.loc / self.scale**2, -0.5 / self.scale**2)

        def _log_normalizer(self, x, y):
            return -0.25 * x**2 / y + 0.5 * module.log(-math.pi / y)

        @property
        def _mean_carrier_measure(self):
            return 0

    return UserExponential, UserNormal


def test_a_users_exponential_family_gets_the_bregman_entropy_with_torchs_value_and_its_gradient():
    ours_exponential, ours_normal = _exponential_by_natural_parameter(ExponentialFamily, autograd)
    torch_exponential, torch_normal = _exponential_by_natural_parameter(torch.distributions.ExponentialFamily, torch)
    rate = np.array([0.5, 2.0, 3.0])
    leaf = autograd.tensor(rate, requires_grad=True)
    entropy = ours_exponential(leaf).entropy()
    expected = torch_exponential(torch.tensor(rate)).entropy()
    np.testing.assert_allclose(np.asarray(entropy.data), expected.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(entropy.data), 1 - np.log(rate), rtol=1e-13)
    entropy.sum().backward()
    np.testing.assert_allclose(np.asarray(leaf.grad), -1 / rate, rtol=1e-13)  # d(1 - log r)/dr

    loc, scale = np.array([0.3, -1.0]), np.array([0.7, 2.0])
    scale_leaf = autograd.tensor(scale, requires_grad=True)
    entropy = ours_normal(autograd.tensor(loc), scale_leaf).entropy()
    expected = torch_normal(torch.tensor(loc), torch.tensor(scale)).entropy()
    np.testing.assert_allclose(np.asarray(entropy.data), expected.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(entropy.data), 0.5 + 0.5 * np.log(2 * np.pi) + np.log(scale), rtol=1e-13)
    entropy.sum().backward()
    np.testing.assert_allclose(np.asarray(scale_leaf.grad), 1 / scale, rtol=1e-12)
