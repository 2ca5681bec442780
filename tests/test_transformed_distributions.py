"""Transforms and transformed distributions checked without torch: log|det J| against the log|det| of a float64
central-difference Jacobian, inverse round trips, densities integrating to 1 by numpy quadrature, seeded sample
moments against mean and variance within a few standard errors, modes at the density's maximum, and gradients of
log_prob, cdf and entropy with respect to every parameter against central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import autograd.distributions as D
from autograd.distributions import transforms as T
from autograd.gradcheck import gradcheck


def _t(array, grad=False):
    return autograd.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _numeric_jacobian(f, x, eps=1e-6):
    """d f / d x by central differences, f mapping a vector to a vector (float64 arrays)."""
    columns = []
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = eps
        columns.append((f(x + step) - f(x - step)) / (2 * eps))
    return np.stack(columns, axis=-1)


ELEMENTWISE = [
    ("exp", lambda: T.ExpTransform(), lambda r: r.normal(size=5)),
    ("sigmoid", lambda: T.SigmoidTransform(), lambda r: r.normal(scale=2, size=5)),
    ("tanh", lambda: T.TanhTransform(), lambda r: r.normal(size=5)),
    ("softplus", lambda: T.SoftplusTransform(), lambda r: r.normal(scale=2, size=5)),
    ("affine", lambda: T.AffineTransform(_t(0.3), _t([1.5, -0.5, 2.0, -3.0, 0.7])), lambda r: r.normal(size=5)),
    ("power", lambda: T.PowerTransform(_t([0.5, 1.5, 2.0, 3.0, -1.0])), lambda r: r.uniform(0.3, 2.0, 5)),
    ("exp_inverse", lambda: T.ExpTransform().inv, lambda r: r.uniform(0.3, 3.0, 5)),
    ("sigmoid_inverse", lambda: T.SigmoidTransform().inv, lambda r: r.uniform(0.1, 0.9, 5)),
    ("normal_cdf", lambda: T.CumulativeDistributionTransform(D.Normal(0.5, 2.0)), lambda r: r.normal(size=5)),
]


@pytest.mark.parametrize(("name", "make", "sample"), ELEMENTWISE, ids=[n for n, _, _ in ELEMENTWISE])
def test_elementwise_log_det_is_the_log_of_the_numeric_derivative(name, make, sample):
    transform = make()
    x = sample(np.random.default_rng(1))
    y = transform(_t(x))
    jacobian = _numeric_jacobian(lambda v: transform(_t(v)).data, x)
    np.testing.assert_allclose(jacobian, np.diag(np.diag(jacobian)), atol=1e-9)  # elementwise: diagonal
    expected = np.log(np.abs(np.diag(jacobian)))
    np.testing.assert_allclose(transform.log_abs_det_jacobian(_t(x), y).data, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(transform.inv(y).data, x, rtol=1e-9, atol=1e-10)


def test_stick_breaking_log_det_is_the_numeric_jacobians_over_the_first_k_minus_1_outputs():
    transform = T.StickBreakingTransform()
    for seed in range(3):
        x = np.random.default_rng(seed).normal(size=4)
        jacobian = _numeric_jacobian(lambda v: transform(_t(v)).data[:-1], x)
        expected = np.linalg.slogdet(jacobian)[1]
        y = transform(_t(x))
        np.testing.assert_allclose(transform.log_abs_det_jacobian(_t(x), y).item(), expected, rtol=1e-6)
        np.testing.assert_allclose(y.data.sum(), 1.0, rtol=1e-14)
        np.testing.assert_allclose(transform.inv(y).data, x, rtol=1e-9, atol=1e-10)


def test_composed_vector_affine_log_det_is_the_numeric_full_jacobians():
    scale = _t([[1.5, -0.5, 2.0], [0.3, 1.0, -4.0]])
    transform = T.ComposeTransform(
        [T.AffineTransform(1.0, scale, event_dim=1), T.IndependentTransform(T.TanhTransform(), 1)]
    )
    x = np.random.default_rng(4).normal(size=(2, 3)) * 0.3
    y = transform(_t(x))
    result = transform.log_abs_det_jacobian(_t(x), y).data
    assert result.shape == (2,)
    for row in range(2):

        def image_row(v, row=row):
            inputs = x.copy()
            inputs[row] = v
            return transform(_t(inputs)).data[row]

        np.testing.assert_allclose(result[row], np.linalg.slogdet(_numeric_jacobian(image_row, x[row]))[1], rtol=1e-6)


def test_log_det_gradient_in_the_input_and_parameters_matches_central_differences():
    x, scale, exponent = _t([0.4, 1.3, 2.2], True), _t([1.5, -0.5, 2.0], True), _t([0.5, 1.5, 2.5], True)

    def chain(x, scale, exponent):
        transform = T.ComposeTransform([T.PowerTransform(exponent), T.AffineTransform(0.2, scale), T.TanhTransform()])
        return transform.log_abs_det_jacobian(x, transform(x))

    assert gradcheck(chain, (x, scale, exponent), eps=1e-6, atol=1e-7, rtol=1e-6)


# name -> (constructor arguments, support kind for quadrature)
DISTRIBUTIONS = {
    "LogNormal": ((0.3, 0.6), "positive"),
    "HalfNormal": ((1.7,), "positive"),
    "Gumbel": ((0.5, 1.3), "real"),
    "Pareto": ((1.5, 3.5), "positive"),
    "Weibull": ((1.2, 1.8), "positive"),
    "Kumaraswamy": ((2.0, 3.0), "unit"),
    "InverseGamma": ((4.5, 2.0), "positive"),
}


def _grid(kind, low=0.0):
    """Points x over the support and weights dx/du of an even grid in u (x = exp u, sigmoid u, or u; above
    ``low`` > 0, x = low exp u, so a density jumping at low is not cut by the grid)."""
    if kind == "positive" and low > 0:
        u = np.linspace(0.0, 40.0, 400001)
        return low * np.exp(u), low * np.exp(u), u[1] - u[0]
    if kind == "real":
        u = np.linspace(-40.0, 60.0, 400001)
        return u, np.ones_like(u), u[1] - u[0]
    if kind == "positive":
        u = np.linspace(-30.0, 12.0, 400001)
        return np.exp(u), np.exp(u), u[1] - u[0]
    u = np.linspace(-30.0, 30.0, 400001)
    x = 1 / (1 + np.exp(-u))
    return x, x * (1 - x), u[1] - u[0]


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_density_integrates_to_one_and_gives_the_stated_mean(name):
    args, kind = DISTRIBUTIONS[name]
    distribution = getattr(D, name)(*args, validate_args=False)
    x, jacobian, step = _grid(kind, getattr(distribution.support, "lower_bound", 0.0))
    inside = distribution.support.check(x)  # (the log-density is not -inf outside, as torch's)
    density = np.where(inside, np.exp(distribution.log_prob(_t(x)).data) * jacobian, 0.0)
    np.testing.assert_allclose(np.trapezoid(density, dx=step), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.trapezoid(density * x, dx=step), distribution.mean.item(), rtol=1e-5)
    second = np.trapezoid(density * x**2, dx=step) - np.trapezoid(density * x, dx=step) ** 2
    np.testing.assert_allclose(second, distribution.variance.item(), rtol=1e-4)
    log_density = distribution.log_prob(_t(x)).data
    entropy = -np.trapezoid(density * np.where(density > 0, log_density, 0.0), dx=step)
    np.testing.assert_allclose(entropy, distribution.entropy().item(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_seeded_sample_moments_match_mean_and_variance_within_five_standard_errors(name):
    args, _ = DISTRIBUTIONS[name]
    distribution = getattr(D, name)(*args)
    autograd.manual_seed(0)
    draws = distribution.sample((200000,)).data
    n = draws.size
    assert np.all(distribution.support.check(draws))
    mean, variance = distribution.mean.item(), distribution.variance.item()
    assert abs(draws.mean() - mean) < 5 * math.sqrt(variance / n)
    centred = (draws - draws.mean()) ** 2
    assert abs(centred.mean() - variance) < 5 * centred.std() / math.sqrt(n)


@pytest.mark.parametrize("name", ["LogNormal", "Gumbel", "Weibull", "Kumaraswamy", "InverseGamma", "HalfNormal"])
def test_mode_is_where_the_density_peaks(name):
    args, kind = DISTRIBUTIONS[name]
    distribution = getattr(D, name)(*args, validate_args=False)
    x = {
        "real": np.linspace(-10, 20, 300001),
        "positive": np.linspace(0.0, 20, 400001),
        "unit": np.linspace(0, 1, 200001),
    }[kind]
    log_density = distribution.log_prob(_t(x)).data
    np.testing.assert_allclose(distribution.mode.item(), x[np.nanargmax(log_density)], atol=2e-4)


def test_weibull_mode_is_zero_and_kumaraswamy_mode_nan_where_the_density_has_no_interior_peak():
    assert D.Weibull(_t([1.0, 2.0]), _t([0.5, 1.0])).mode.data.tolist() == [0.0, 0.0]
    mode = D.Kumaraswamy(_t([0.5, 1.0, 2.0]), _t([2.0, 1.0, 0.5])).mode.data
    assert np.isnan(mode).all()


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_cdf_inverts_icdf_and_is_the_integral_of_the_density(name):
    args, _ = DISTRIBUTIONS[name]
    distribution = getattr(D, name)(*args)
    probabilities = np.array([0.05, 0.3, 0.5, 0.8, 0.99])
    if name != "InverseGamma":  # the Gamma here has no icdf (as torch's)
        quantiles = distribution.icdf(_t(probabilities))
        np.testing.assert_allclose(distribution.cdf(quantiles).data, probabilities, rtol=1e-9)
    low, high = {"Gumbel": (-3.0, 2.0), "Kumaraswamy": (0.2, 0.7)}.get(name, (1.6, 2.5))
    x = np.linspace(low, high, 20001)
    area = np.trapezoid(np.exp(distribution.log_prob(_t(x)).data), x)
    np.testing.assert_allclose(distribution.cdf(_t(high)).item() - distribution.cdf(_t(low)).item(), area, rtol=1e-7)


GRADIENT_CASES = {
    "LogNormal": ([0.3, -0.2], [0.6, 1.1]),
    "Gumbel": ([0.5, -1.0], [1.3, 0.7]),
    "Pareto": ([0.5, 0.9], [2.5, 3.5]),
    "Weibull": ([1.2, 0.8], [1.8, 0.7]),
    "Kumaraswamy": ([2.0, 0.7], [3.0, 1.4]),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
@pytest.mark.parametrize("method", ["log_prob", "cdf", "entropy"])
def test_parameter_gradients_match_central_differences(name, method):
    first, second = GRADIENT_CASES[name]
    value = _t({"Gumbel": [0.3, -0.4], "Kumaraswamy": [0.3, 0.6]}.get(name, [1.7, 2.4]))

    def evaluate(a, b):
        distribution = getattr(D, name)(a, b)
        return distribution.entropy() if method == "entropy" else getattr(distribution, method)(value)

    assert gradcheck(evaluate, (_t(first, True), _t(second, True)), eps=1e-6, atol=1e-7, rtol=1e-6)


def test_half_normal_and_inverse_gamma_gradients_match_central_differences():
    value = _t([0.7, 1.9])
    assert gradcheck(lambda s: D.HalfNormal(s).log_prob(value), (_t([0.8, 1.6], True),), eps=1e-6, atol=1e-7, rtol=1e-6)
    assert gradcheck(
        lambda a, b: D.InverseGamma(a, b).log_prob(value) + D.InverseGamma(a, b).entropy(),
        (_t([2.5, 3.5], True), _t([1.0, 2.0], True)),
        eps=1e-6,
        atol=1e-7,
        rtol=1e-6,
    )


def test_relaxed_densities_integrate_to_one_and_gradients_match_central_differences():
    relaxed = D.RelaxedBernoulli(_t(0.8), probs=_t(0.3))
    x, jacobian, step = _grid("unit")
    density = np.exp(relaxed.log_prob(_t(x[1:-1])).data) * jacobian[1:-1]
    np.testing.assert_allclose(np.trapezoid(density, dx=step), 1.0, rtol=1e-6)
    value = _t([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    assert gradcheck(
        lambda t, logits: D.RelaxedOneHotCategorical(t, logits=logits).log_prob(value),
        (_t(0.7, True), _t([0.3, -0.5, 1.2], True)),
        eps=1e-6,
        atol=1e-7,
        rtol=1e-6,
    )


def test_kl_of_gumbels_and_paretos_matches_a_quadrature_of_the_log_density_ratio():
    for p, q, kind in [
        (D.Gumbel(0.3, 1.2), D.Gumbel(-0.5, 0.8), "real"),
        (D.Pareto(1.5, 2.5, validate_args=False), D.Pareto(1.0, 1.5, validate_args=False), "positive"),
        (D.Gumbel(0.3, 1.2), D.Normal(0.5, 2.0), "real"),
        (D.Pareto(1.5, 3.5, validate_args=False), D.Normal(0.5, 2.0), "positive"),
    ]:
        x, jacobian, step = _grid(kind, getattr(p.support, "lower_bound", 0.0))
        inside = p.support.check(x)
        log_p = p.log_prob(_t(x)).data
        weights = np.where(inside, np.exp(log_p) * jacobian, 0.0)
        ratio = np.where(inside, log_p - q.log_prob(_t(x)).data, 0.0)
        np.testing.assert_allclose(np.trapezoid(weights * ratio, dx=step), D.kl_divergence(p, q).item(), rtol=1e-5)
