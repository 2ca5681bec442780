"""Ported from the examples in torch 2.13's torch.distributions documentation: every ``>>>`` example and ``::``
code block of the distribution classes' docstrings, of the module docstring (the REINFORCE and pathwise
estimators), of torch.distributions.transforms (CatTransform, StackTransform, CumulativeDistributionTransform,
TanhTransform, Transform's caching note, TransformedDistribution's logistic), constraints (``is_dependent``),
constraint_registry (``transform_to`` / ``biject_to``) and kl (``register_kl``'s tie-break). The examples only
print random samples, so each is checked on what is deterministic, against torch in float64: batch and event
shapes, the shapes of ``sample()`` and ``sample((2,))``, our samples lying in torch's support, mean, variance,
stddev, mode, entropy, log_prob / cdf at torch's sample, icdf, and the error raised for invalid parameters.

Left out, and why:
- the dtype of samples: this library's default dtype is numpy's float64 (torch's is float32), so the comparisons
  run torch in float64;
- ``Poisson(torch.tensor([4]))`` (an int64 rate): torch's own example is skipped, as torch cannot sample it
  ("poisson_cpu not implemented for 'Long'"); ours samples it, with int64 counts;
- ``Multinomial(probs=...).log_prob(x)`` of a 100-trial sample: torch's example is skipped ("found invalid
  values") as total_count defaults to 1, so the value lies outside the support; both raise ValueError (checked);
- ``Wishart(torch.Tensor([2]), ...)``: skipped by torch (a batch-shaped df); run with a scalar df instead;
- the ``F.pad`` example that torch.distributions.transforms re-exports is nn.functional's, ported elsewhere.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import autograd.distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions


@pytest.fixture(autouse=True)
def _torch_in_float64():
    # torch's own constants (LKJCholesky's float concentration, GeneralizedPareto's torch.tensor(0.0)) follow its
    # default dtype: float64 here, as this library's, so the comparisons are of float64 results.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _ours(value):
    return autograd.tensor(np.asarray(value, dtype=np.float64))


def _theirs(value):
    return torch.tensor(np.asarray(value, dtype=np.float64))


def _array(t):
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


@pytest.mark.parametrize(
    ("constraint", "value"),
    [
        ("real_vector", [[1.0, 2.0], [0.0, float("nan")]]),
        ("simplex", [[0.5, 0.5], [0.2, 0.2]]),
        ("lower_cholesky", [[1.0, 0.0], [0.5, 2.0]]),
        ("corr_cholesky", [[1.0, 0.0], [0.6, 0.8]]),
        ("positive_definite", [[2.0, 1.0], [1.0, 2.0]]),
        ("square", [[1.0, 0.0], [0.5, 2.0]]),
        ("positive", [[1.0, -2.0], [0.0, 3.0]]),
    ],
)
def test_a_support_check_of_a_tensor_is_a_bool_tensor_equal_to_torchs(constraint, value):
    # The module docstrings' support checks (``m.support.check(x)``) read Tensors: the answer is a bool Tensor,
    # also for constraints that reduce over the event (MultivariateNormal's support, lower_cholesky, ...).
    ours = getattr(D.constraints, constraint).check(_ours(value))
    theirs = getattr(TD.constraints, constraint).check(_theirs(value))
    assert isinstance(ours, autograd.Tensor)
    assert ours.dtype == np.dtype(bool)
    np.testing.assert_array_equal(_array(ours), theirs.numpy())


# Invalid parameters for the docstrings' distributions, with validate_args=True: torch raises ValueError, and
# so must we, without a numpy warning on the way (Categorical's probs [-1, 1] normalise to [-inf, inf]).
INVALID = [
    ("Normal", ([0.0], [-1.0]), {}),
    ("Bernoulli", ([1.3],), {}),
    ("Beta", ([0.0], [0.5]), {}),
    ("Categorical", ([-1.0, 1.0],), {}),
    ("OneHotCategorical", ([-1.0, 1.0],), {}),
    ("Dirichlet", ([0.5, -0.5],), {}),
    ("Exponential", ([-1.0],), {}),
    ("Gamma", ([1.0], [0.0]), {}),
    ("Geometric", ([1.5],), {}),
    ("Laplace", ([0.0], [0.0]), {}),
    ("Uniform", ([5.0], [0.0]), {}),
    ("StudentT", ([-2.0],), {}),
    ("VonMises", ([1.0], [-1.0]), {}),
    ("Pareto", ([1.0], [-1.0]), {}),
    ("Kumaraswamy", ([1.0], [0.0]), {}),
    ("Weibull", ([-1.0], [1.0]), {}),
    ("Multinomial", (100, [-1.0, 1.0, 1.0, 1.0]), {}),
    ("MultivariateNormal", ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]]), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_parameters_raise_value_error_as_torchs_without_warnings(name, args, kwargs):
    with pytest.raises(ValueError):
        getattr(TD, name)(*[_theirs(a) if isinstance(a, list) else a for a in args], validate_args=True, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError):
            getattr(D, name)(*[_ours(a) if isinstance(a, list) else a for a in args], validate_args=True, **kwargs)


# Each class docstring's example: (id, class name, positional parameters, keyword parameters). Lists become
# float64 tensors; numbers stay numbers.
EXAMPLES = [
    ("Bernoulli", "Bernoulli", ([0.3],), {}),
    ("Beta", "Beta", ([0.5], [0.5]), {}),
    ("Binomial", "Binomial", (100, [0.0, 0.2, 0.8, 1.0]), {}),
    ("Binomial-broadcast", "Binomial", ([[5.0], [10.0]], [0.5, 0.8]), {}),
    ("Categorical", "Categorical", ([0.25, 0.25, 0.25, 0.25],), {}),
    ("Cauchy", "Cauchy", ([0.0], [1.0]), {}),
    ("Chi2", "Chi2", ([1.0],), {}),
    ("ContinuousBernoulli", "ContinuousBernoulli", ([0.3],), {}),
    ("Dirichlet", "Dirichlet", ([0.5, 0.5],), {}),
    ("Exponential", "Exponential", ([1.0],), {}),
    ("FisherSnedecor", "FisherSnedecor", ([1.0], [2.0]), {}),
    ("Gamma", "Gamma", ([1.0], [1.0]), {}),
    ("GeneralizedPareto", "GeneralizedPareto", ([0.1], [2.0], [0.4]), {}),
    ("Geometric", "Geometric", ([0.3],), {}),
    ("Gumbel", "Gumbel", ([1.0], [2.0]), {}),
    ("HalfCauchy", "HalfCauchy", ([1.0],), {}),
    ("HalfNormal", "HalfNormal", ([1.0],), {}),
    ("InverseGamma", "InverseGamma", ([2.0], [3.0]), {}),
    ("Kumaraswamy", "Kumaraswamy", ([1.0], [1.0]), {}),
    ("LKJCholesky", "LKJCholesky", (3, 0.5), {}),
    ("Laplace", "Laplace", ([0.0], [1.0]), {}),
    ("LogNormal", "LogNormal", ([0.0], [1.0]), {}),
    ("LogisticNormal", "LogisticNormal", ([0.0] * 3, [1.0] * 3), {}),
    ("LowRankMultivariateNormal", "LowRankMultivariateNormal", ([0.0, 0.0], [[1.0], [0.0]], [1.0, 1.0]), {}),
    ("Multinomial", "Multinomial", (100, [1.0, 1.0, 1.0, 1.0]), {}),
    ("MultivariateNormal", "MultivariateNormal", ([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]), {}),
    ("Normal", "Normal", ([0.0], [1.0]), {}),
    ("OneHotCategorical", "OneHotCategorical", ([0.25, 0.25, 0.25, 0.25],), {}),
    ("Pareto", "Pareto", ([1.0], [1.0]), {}),
    ("Poisson", "Poisson", ([4.0],), {}),
    ("RelaxedBernoulli", "RelaxedBernoulli", ([2.2], [0.1, 0.2, 0.3, 0.99]), {}),
    ("RelaxedOneHotCategorical", "RelaxedOneHotCategorical", ([2.2], [0.1, 0.2, 0.3, 0.4]), {}),
    ("StudentT", "StudentT", ([2.0],), {}),
    ("Uniform", "Uniform", ([0.0], [5.0]), {}),
    ("VonMises", "VonMises", ([1.0], [1.0]), {}),
    ("Weibull", "Weibull", ([1.0], [1.0]), {}),
    ("Wishart", "Wishart", (2.0,), {"covariance_matrix": [[1.0, 0.0], [0.0, 1.0]]}),
]


def _build(library, name, args, kwargs):
    convert = _theirs if library is TD else _ours
    args = [convert(a) if isinstance(a, list) else a for a in args]
    kwargs = {k: convert(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(library, name)(*args, **kwargs)


def _pair(name, args, kwargs):
    return _build(D, name, args, kwargs), _build(TD, name, args, kwargs)


def _torch_sample(theirs, shape=()):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        # torch's Wishart sampler warns when it redraws a singular matrix (df 2 of 2x2 draws some).
        warnings.filterwarnings("ignore", "Singular sample detected", UserWarning)
        return theirs.sample(shape)


# torch's VonMises evaluates its Bessel functions by polynomial approximations good to about 1e-8 (its variance at
# concentration 1 is 0.55361002869, 1 - I1(1)/I0(1) is 0.55361003410); ours is closer, so VonMises meets torch's
# to 1e-7 only.
RTOL = {"VonMises": 1e-7}


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
def test_batch_and_event_shapes_are_torchs(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
@pytest.mark.parametrize("shape", [(), (2,), (2, 3)])
def test_samples_have_torchs_shape_and_lie_in_torchs_support(name, args, kwargs, shape):
    ours, theirs = _pair(name, args, kwargs)
    autograd.manual_seed(0)
    sample = ours.sample(shape)
    assert tuple(sample.shape) == tuple(_torch_sample(theirs, shape).shape)
    assert bool(theirs.support.check(_theirs(_array(sample))).all())


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
@pytest.mark.parametrize("attribute", ["mean", "variance", "stddev", "mode"])
def test_moments_and_mode_equal_torchs(name, args, kwargs, attribute):
    ours, theirs = _pair(name, args, kwargs)
    try:
        expected = getattr(theirs, attribute)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            getattr(ours, attribute)
        return
    np.testing.assert_allclose(
        _array(getattr(ours, attribute)), expected.numpy(), rtol=RTOL.get(name, 1e-10), atol=1e-12
    )


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
def test_entropy_equals_torchs(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs)
    try:
        expected = theirs.entropy()
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ours.entropy()
        return
    np.testing.assert_allclose(_array(ours.entropy()), expected.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
@pytest.mark.parametrize("method", ["log_prob", "cdf"])
def test_log_prob_and_cdf_at_torchs_samples_equal_torchs(name, args, kwargs, method):
    ours, theirs = _pair(name, args, kwargs)
    value = _torch_sample(theirs, (3,))
    try:
        expected = getattr(theirs, method)(value)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            getattr(ours, method)(_ours(value.numpy()))
        return
    got = getattr(ours, method)(_ours(value.numpy()))
    np.testing.assert_allclose(_array(got), expected.numpy(), rtol=RTOL.get(name, 1e-8), atol=1e-12)


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
def test_icdf_equals_torchs(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs)
    quantiles = np.array([0.1, 0.5, 0.9]).reshape((3,) + (1,) * len(theirs.batch_shape))
    try:
        expected = theirs.icdf(_theirs(quantiles))
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ours.icdf(_ours(quantiles))
        return
    np.testing.assert_allclose(_array(ours.icdf(_ours(quantiles))), expected.numpy(), rtol=1e-8, atol=1e-12)
