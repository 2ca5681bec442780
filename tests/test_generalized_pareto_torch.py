"""GeneralizedPareto against torch.distributions.GeneralizedPareto (float64): values and parameter gradients of its
densities, cdf, quantiles and moments at each sign of the concentration (0 and -1 included), its support, its
argument checks and the shapes of its draws."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.distributions as ours

torch = pytest.importorskip("torch")
td = torch.distributions

# one entry per case: c > 0, c < 0 (bounded above at loc - scale / c), c = 0 (Exponential), c = -1 (Uniform), c
# within torch's isclose tolerance of 0, c >= 1 (no mean) and c >= 1/2 (no variance)
LOC = np.array([0.3, -1.0, 0.0, 2.0, 0.5, 0.1, -0.2])
SCALE = np.array([0.5, 2.0, 1.0, 1.5, 0.7, 1.3, 0.4])
CONCENTRATION = np.array([0.3, -0.4, 0.0, -1.0, 1e-9, 1.2, 0.6])
VALUES = np.array([0.5, 3.9, 1.0, 3.5, 0.6, 4.0, 0.0])
PROBABILITIES = np.array([0.1, 0.5, 0.9, 0.3, 0.99, 0.0, 0.7])


@pytest.fixture(autouse=True)
def _torch_in_float64():
    """torch's own GeneralizedPareto compares the concentration with a tensor of the default dtype, which fails for
    float64 parameters unless that default is float64 too."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _both():
    mine = [autograd.tensor(a, requires_grad=True) for a in (LOC, SCALE, CONCENTRATION)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (LOC, SCALE, CONCENTRATION)]
    return mine, theirs, ours.GeneralizedPareto(*mine), td.GeneralizedPareto(*theirs)


@pytest.mark.parametrize(
    "method", ["log_prob", "cdf", "icdf", "log_survival_function", "log_cdf", "mean", "variance", "mode", "entropy"]
)
def test_values_and_parameter_gradients_match_torch(method):
    mine, theirs, mine_dist, their_dist = _both()
    if method in ("mean", "variance", "mode"):
        out, expected = getattr(mine_dist, method), getattr(their_dist, method)
    elif method == "entropy":
        out, expected = mine_dist.entropy(), their_dist.entropy()
    else:
        argument = PROBABILITIES if method == "icdf" else VALUES
        out = getattr(mine_dist, method)(autograd.tensor(argument))
        expected = getattr(their_dist, method)(torch.tensor(argument))
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-10, atol=1e-14)
    finite = np.isfinite(expected.detach().numpy()).astype(float)
    out.backward(autograd.tensor(finite))
    expected.backward(torch.tensor(finite))
    for leaf, their_leaf in zip(mine, theirs):
        their_grad = np.zeros(leaf.shape) if their_leaf.grad is None else their_leaf.grad.numpy()
        mine_grad = np.zeros(leaf.shape) if leaf.grad is None else np.asarray(leaf.grad)
        np.testing.assert_allclose(mine_grad, their_grad, rtol=1e-9, atol=1e-12)


def test_support_shapes_and_draws_match_torch():
    _, _, mine, theirs = _both()
    np.testing.assert_array_equal(mine.support.upper_bound, theirs.support.upper_bound.detach().numpy())
    assert ours.GeneralizedPareto.support.is_discrete is False and ours.GeneralizedPareto.support.event_dim == 0
    assert mine.has_rsample and theirs.has_rsample
    expanded = mine.expand((2, 7))
    assert tuple(expanded.batch_shape) == tuple(theirs.expand((2, 7)).batch_shape) == (2, 7)
    draws = mine.rsample((500,))
    assert draws.shape == tuple(theirs.rsample((500,)).shape) == (500, 7)
    assert np.all(mine.support.check(np.asarray(draws.data)))
    draws.sum().backward()
    broadcast = ours.GeneralizedPareto(autograd.tensor([[0.0], [1.0]]), autograd.tensor([1.0, 2.0, 3.0]), 0.2)
    assert tuple(broadcast.batch_shape) == (2, 3)
    from autograd.distributions.generalized_pareto import GeneralizedPareto

    assert GeneralizedPareto is ours.GeneralizedPareto


@pytest.mark.parametrize(
    ("params", "value"),
    [(([0.0], [-1.0], [0.5]), None), (([0.0], [1.0], [-0.5]), [2.5]), (([0.0], [1.0], [0.5]), [-0.1])],
    ids=["negative scale", "above the upper end", "below loc"],
)
def test_invalid_parameters_and_values_raise_value_error_as_torch(params, value):
    def build(module, convert):
        distribution = module.GeneralizedPareto(*map(convert, params), validate_args=True)
        return distribution.log_prob(convert(value))

    with pytest.raises(ValueError):
        build(td, lambda a: torch.tensor(a))
    with pytest.raises(ValueError):
        build(ours, autograd.tensor)


def test_kl_divergence_is_not_registered_as_torch():
    with pytest.raises(NotImplementedError):
        td.kl_divergence(td.GeneralizedPareto(0.0, 1.0, 0.2), td.GeneralizedPareto(0.0, 1.0, 0.3))
    with pytest.raises(NotImplementedError):
        ours.kl_divergence(ours.GeneralizedPareto(0.0, 1.0, 0.2), ours.GeneralizedPareto(0.0, 1.0, 0.3))
