"""Ported from the examples in torch 2.13's torch.distributions documentation: every ``>>>`` example and ``::``
code block of the distribution classes' docstrings, of the module docstring (the REINFORCE and pathwise
estimators), of torch.distributions.transforms (CatTransform, StackTransform, CumulativeDistributionTransform,
TanhTransform, Transform's caching note, TransformedDistribution's logistic), constraints (``is_dependent``),
constraint_registry (``transform_to`` / ``biject_to``) and kl (``register_kl``'s tie-break). The examples only
print random samples, so each is checked on what is deterministic, against torch in float64: batch and event
shapes, the shapes of ``sample()`` and ``sample((2,))``, our samples lying in torch's support, mean, variance,
stddev, mode, entropy, log_prob / cdf at torch's sample, icdf, the error raised for invalid parameters, and
kl_divergence from each example to the same family at other parameters (where torch has no formula, as for two
Weibulls, both raise NotImplementedError). The module docstring's estimators are checked by their gradients:
REINFORCE's against torch's, the pathwise one against d(loc + scale * eps); the gradients of log_prob, cdf,
entropy, mean and variance with respect to every example's parameters are compared with torch's. rsample's
gradients: Gamma's against the implicit reparametrisation -(dP/da) / p(x) (torch's gammainc, differenced), and
the Dirichlet, Beta and Gamma examples' pathwise gradients shown unbiased against their closed-form moments.

Left out, and why:
- the dtype of samples: this library's default dtype is numpy's float64 (torch's is float32), so the comparisons
  run torch in float64;
- ``Poisson(torch.tensor([4]))`` (an int64 rate): torch's own example is skipped, as torch cannot sample it
  ("poisson_cpu not implemented for 'Long'"); ours samples it, with int64 counts;
- ``Multinomial(probs=...).log_prob(x)`` of a 100-trial sample: torch's example is skipped ("found invalid
  values") as total_count defaults to 1, so the value lies outside the support; both raise ValueError (checked);
- ``Wishart(torch.Tensor([2]), ...)``: skipped by torch (a batch-shaped df); run with a scalar df instead;
- VonMises meets torch to 1e-7 only (its gradients to 1e-6): torch's Bessel functions are polynomial
  approximations good to about 1e-8, ours are closer to 1 - I1(1)/I0(1) (not a bug of ours);
- gradients of undefined moments: FisherSnedecor's variance at df2 <= 4, InverseGamma's at concentration <= 2 and
  Pareto's mean and variance at alpha 1 are filled with nan or inf; torch's gradients through its fill are nan or
  inf (the where/masked-assignment artefact), ours are 0, as the fill is a constant. The values agree.
- Dirichlet's (and Beta's) rsample gradient per draw is not torch's: torch's estimator is built from the draw x
  alone, ours differentiates the Gamma draws x is normalised from; both are unbiased (ours is checked so);
- ``Wishart(df)`` without a matrix: torch asserts (AssertionError), ours raises ValueError with torch's message;
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
GRAD_RTOL = {"VonMises": 1e-6}  # (d/dk of log I0(k), I1(k) / I0(k): torch's to about 2e-7)


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


def test_independent_example_reinterprets_the_batch_as_the_event():
    # Independent's docstring: a diagonal MultivariateNormal, a batch of Normals, and Independent(Normal, 1).
    from autograd.distributions.multivariate_normal import MultivariateNormal
    from autograd.distributions.normal import Normal

    loc, scale = autograd.zeros(3), autograd.ones(3)
    their_loc, their_scale = torch.zeros(3), torch.ones(3)
    shapes = [
        (
            MultivariateNormal(loc, scale_tril=autograd.diag(scale)),
            TD.MultivariateNormal(their_loc, scale_tril=torch.diag(their_scale)),
        ),
        (Normal(loc, scale), TD.Normal(their_loc, their_scale)),
        (D.Independent(Normal(loc, scale), 1), TD.Independent(TD.Normal(their_loc, their_scale), 1)),
    ]
    for ours, theirs in shapes:
        assert [tuple(ours.batch_shape), tuple(ours.event_shape)] == [
            tuple(theirs.batch_shape),
            tuple(theirs.event_shape),
        ]
    value = [0.5, -1.0, 2.0]
    diagonal = D.Independent(Normal(loc, scale), 1)
    np.testing.assert_allclose(
        _array(diagonal.log_prob(_ours(value))),
        TD.Independent(TD.Normal(their_loc, their_scale), 1).log_prob(_theirs(value)).numpy(),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        _array(MultivariateNormal(loc, scale_tril=autograd.diag(scale)).log_prob(_ours(value))),
        _array(diagonal.log_prob(_ours(value))),
        rtol=1e-12,
    )


_RNG = np.random.default_rng(0)
MIXTURES = [
    # MixtureSameFamily's docstring: 5 Normals in 1D; 5 bivariate diagonal Normals; a batch of 3 such mixtures.
    ("1D", np.ones(5), _RNG.standard_normal(5), _RNG.uniform(0.1, 1.0, 5), 0, [0.3, -1.0]),
    ("2D", np.ones(5), _RNG.standard_normal((5, 2)), _RNG.uniform(0.1, 1.0, (5, 2)), 1, [[0.3, -1.0], [1.0, 0.0]]),
    (
        "batch-of-3-2D",
        _RNG.uniform(0.1, 1.0, (3, 5)),
        _RNG.standard_normal((3, 5, 2)),
        _RNG.uniform(0.1, 1.0, (3, 5, 2)),
        1,
        [[[0.3, -1.0]] * 3, [[1.0, 0.0]] * 3],
    ),
]


@pytest.mark.parametrize(
    ("mix", "loc", "scale", "reinterpreted", "value"), [m[1:] for m in MIXTURES], ids=[m[0] for m in MIXTURES]
)
def test_gaussian_mixture_examples_meet_torchs(mix, loc, scale, reinterpreted, value):
    def build(library, convert):
        component = library.Normal(convert(loc), convert(scale))
        if reinterpreted:
            component = library.Independent(component, reinterpreted)
        return library.MixtureSameFamily(library.Categorical(convert(mix)), component)

    ours, theirs = build(D, _ours), build(TD, _theirs)
    assert (tuple(ours.batch_shape), tuple(ours.event_shape)) == (tuple(theirs.batch_shape), tuple(theirs.event_shape))
    assert tuple(ours.sample((4,)).shape) == tuple(_torch_sample(theirs, (4,)).shape)
    np.testing.assert_allclose(_array(ours.log_prob(_ours(value))), theirs.log_prob(_theirs(value)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(_array(ours.mean), theirs.mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_array(ours.variance), theirs.variance.numpy(), rtol=1e-12)
    if not reinterpreted:
        np.testing.assert_allclose(_array(ours.cdf(_ours(value))), theirs.cdf(_theirs(value)).numpy(), rtol=1e-12)


def test_multinomial_example_log_prob_of_a_100_trial_sample_under_one_trial_is_rejected_as_torchs():
    # Multinomial's docstring (skipped by torch, "found invalid values"): total_count defaults to 1, so a sample
    # of 100 trials is outside the support; both raise ValueError. With total_count=100 both agree.
    counts = [23.0, 22.0, 24.0, 31.0]
    with pytest.raises(ValueError):
        TD.Multinomial(probs=_theirs([1.0, 1.0, 1.0, 1.0])).log_prob(_theirs(counts))
    with pytest.raises(ValueError):
        D.Multinomial(probs=_ours([1.0, 1.0, 1.0, 1.0])).log_prob(_ours(counts))
    np.testing.assert_allclose(
        _array(D.Multinomial(100, probs=_ours([1.0, 1.0, 1.0, 1.0])).log_prob(_ours(counts))),
        TD.Multinomial(100, probs=_theirs([1.0, 1.0, 1.0, 1.0])).log_prob(_theirs(counts)).numpy(),
        rtol=1e-12,
    )


def test_poisson_example_samples_an_integer_rate():
    # Poisson(torch.tensor([4])): torch's example is skipped as torch cannot sample an int64 rate; ours can, and
    # its counts are whole numbers of int64, of mean and log_prob those of the float rate 4.
    ours = D.Poisson(autograd.tensor([4]))
    sample = ours.sample((50,))
    assert tuple(sample.shape) == (50, 1)
    assert np.all(_array(sample) >= 0) and np.all(_array(sample) % 1 == 0)
    np.testing.assert_allclose(
        _array(ours.log_prob(_ours([[3.0]]))), TD.Poisson(_theirs([4.0])).log_prob(_theirs([[3.0]])).numpy()
    )


def test_reinforce_example_score_function_gradient_equals_torchs():
    # The module docstring's REINFORCE: loss = -m.log_prob(action) * reward; loss.backward().
    probs = [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]
    ours_probs = autograd.tensor(np.asarray(probs), requires_grad=True)
    their_probs = _theirs(probs).requires_grad_()
    ours, theirs = D.Categorical(ours_probs), TD.Categorical(their_probs)
    action = ours.sample()
    assert tuple(action.shape) == (2,) and np.dtype(action.dtype) == np.int64
    action = [3, 1]
    reward = [2.0, -0.5]
    (-ours.log_prob(autograd.tensor(action)) * _ours(reward)).sum().backward()
    (-theirs.log_prob(torch.tensor(action)) * _theirs(reward)).sum().backward()
    np.testing.assert_allclose(np.asarray(ours_probs.grad), their_probs.grad.numpy(), rtol=1e-12)


def test_pathwise_example_rsample_gradient_is_that_of_loc_plus_scale_times_noise():
    # The module docstring's pathwise estimator: action = Normal(*params).rsample(); loss = -reward(action).
    # With action = loc + scale * eps, d(action)/d(loc) = 1 and d(action)/d(scale) = (action - loc) / scale.
    loc = autograd.tensor([0.5, -1.0, 2.0], requires_grad=True)
    scale = autograd.tensor([1.0, 0.5, 2.0], requires_grad=True)
    action = D.Normal(loc, scale).rsample((4,))
    assert tuple(action.shape) == (4, 3)
    (-(action**2)).sum().backward()  # reward = action**2, differentiable
    a = _array(action)
    np.testing.assert_allclose(np.asarray(loc.grad), (-2 * a).sum(0), rtol=1e-12)
    eps = (a - np.array([0.5, -1.0, 2.0])) / np.array([1.0, 0.5, 2.0])
    np.testing.assert_allclose(np.asarray(scale.grad), (-2 * a * eps).sum(0), rtol=1e-12)
    assert not D.Categorical(_ours([0.5, 0.5])).has_rsample and D.Normal(0.0, 1.0).has_rsample


def test_is_dependent_example_bernoulli_constraints_are_not_dependent():
    # constraints.is_dependent's docstring: neither of Bernoulli's arg constraints is dependent; its support and
    # a dependent_property are.
    from autograd.distributions.constraints import is_dependent

    ours = D.Bernoulli(probs=autograd.tensor([0.6], requires_grad=True))
    theirs = TD.Bernoulli(probs=torch.tensor([0.6], requires_grad=True))
    for key in ("probs", "logits"):
        assert is_dependent(ours.arg_constraints[key]) == TD.constraints.is_dependent(theirs.arg_constraints[key])
        assert not is_dependent(ours.arg_constraints[key])
    assert is_dependent(D.constraints.dependent) and is_dependent(D.Uniform.support)
    assert TD.constraints.is_dependent(TD.Uniform.support)


def test_transform_to_example_unconstrained_scale_gradient_equals_torchs():
    # constraint_registry's docstring: scale = transform_to(Normal.arg_constraints["scale"])(unconstrained).
    data = np.linspace(-2.0, 2.0, 100)
    ours_leaves = [
        autograd.zeros(100, requires_grad=True),
        autograd.tensor(np.linspace(-1, 1, 100), requires_grad=True),
    ]
    their_leaves = [torch.zeros(100, requires_grad=True), _theirs(np.linspace(-1, 1, 100)).requires_grad_()]
    scale = D.transform_to(D.Normal.arg_constraints["scale"])(ours_leaves[1])
    (-D.Normal(ours_leaves[0], scale).log_prob(_ours(data)).sum()).backward()
    their_scale = TD.transform_to(TD.Normal.arg_constraints["scale"])(their_leaves[1])
    (-TD.Normal(their_leaves[0], their_scale).log_prob(_theirs(data)).sum()).backward()
    for mine, their in zip(ours_leaves, their_leaves, strict=True):
        np.testing.assert_allclose(np.asarray(mine.grad), their.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_biject_to_example_potential_energy_gradient_equals_torchs():
    # constraint_registry's docstring: sample = biject_to(Exponential(rate).support)(unconstrained).
    unconstrained = np.linspace(-2.0, 2.0, 100)
    ours_leaf = autograd.tensor(unconstrained, requires_grad=True)
    their_leaf = _theirs(unconstrained).requires_grad_()
    ours_dist, their_dist = D.Exponential(_ours(1.5)), TD.Exponential(_theirs(1.5))
    ours_energy = -ours_dist.log_prob(D.biject_to(ours_dist.support)(ours_leaf)).sum()
    their_energy = -their_dist.log_prob(TD.biject_to(their_dist.support)(their_leaf)).sum()
    np.testing.assert_allclose(_array(ours_energy), their_energy.detach().numpy(), rtol=1e-12)
    ours_energy.backward()
    their_energy.backward()
    np.testing.assert_allclose(np.asarray(ours_leaf.grad), their_leaf.grad.numpy(), rtol=1e-12)


def test_simplex_registries_differ_as_the_docstring_says():
    # transform_to(simplex) is a SoftmaxTransform; biject_to(simplex) a StickBreakingTransform, one fewer dim.
    assert type(D.transform_to(D.constraints.simplex)).__name__ == "SoftmaxTransform"
    stick = D.biject_to(D.constraints.simplex)
    assert type(stick).__name__ == "StickBreakingTransform" and stick.bijective
    x = [0.3, -1.0, 2.0]
    np.testing.assert_allclose(
        _array(stick(_ours(x))), TD.biject_to(TD.constraints.simplex)(_theirs(x)).numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        _array(D.transform_to(D.constraints.simplex)(_ours(x))),
        TD.transform_to(TD.constraints.simplex)(_theirs(x)).numpy(),
        rtol=1e-12,
    )


def test_register_kl_ambiguity_warns_and_a_third_registration_breaks_the_tie():
    # register_kl's docstring: (BaseP, DerivedQ) and (DerivedP, BaseQ) both match (DerivedP, DerivedQ), a
    # RuntimeWarning, until register_kl(DerivedP, DerivedQ)(kl_version1) breaks the tie.
    class BaseP(D.Normal):
        pass

    class DerivedP(BaseP):
        pass

    class BaseQ(D.Normal):
        pass

    class DerivedQ(BaseQ):
        pass

    @D.register_kl(BaseP, DerivedQ)
    def kl_version1(p, q):
        return autograd.tensor(1.0)

    @D.register_kl(DerivedP, BaseQ)
    def kl_version2(p, q):
        return autograd.tensor(2.0)

    with pytest.warns(RuntimeWarning):
        D.kl_divergence(DerivedP(0.0, 1.0), DerivedQ(0.0, 1.0))
    D.register_kl(DerivedP, DerivedQ)(kl_version1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(_array(D.kl_divergence(DerivedP(0.0, 1.0), DerivedQ(0.0, 1.0)))) == 1.0


def test_cat_transform_example_equals_torchs():
    # CatTransform's docstring (torch.range(1, 10) is arange(1, 11)).
    def run(library, backend, convert):
        x0 = backend.cat([convert(np.arange(1.0, 11.0)), convert(np.arange(1.0, 11.0))], dim=0)
        x = backend.cat([x0, x0], dim=0)
        t0 = library.CatTransform([library.ExpTransform(), library.identity_transform], dim=0, lengths=[10, 10])
        t = library.CatTransform([t0, t0], dim=0, lengths=[20, 20])
        y = t(x)
        return y, t.log_abs_det_jacobian(x, y), t.inv(y)

    for mine, their in zip(run(D, autograd, _ours), run(TD, torch, _theirs), strict=True):
        np.testing.assert_allclose(_array(mine), their.numpy(), rtol=1e-12)


def test_stack_transform_example_equals_torchs():
    # StackTransform's docstring.
    def run(library, backend, convert):
        x = backend.stack([convert(np.arange(1.0, 11.0)), convert(np.arange(1.0, 11.0))], dim=1)
        t = library.StackTransform([library.ExpTransform(), library.identity_transform], dim=1)
        y = t(x)
        return y, t.log_abs_det_jacobian(x, y), t.inv(y)

    for mine, their in zip(run(D, autograd, _ours), run(TD, torch, _theirs), strict=True):
        np.testing.assert_allclose(_array(mine), their.numpy(), rtol=1e-12)


def test_gaussian_copula_example_equals_torchs():
    # CumulativeDistributionTransform's docstring: a Gaussian copula from a MultivariateNormal; the LKJCholesky
    # sample of the example is replaced by a fixed correlation Cholesky factor, and the copula read at points.
    tril = [[1.0, 0.0], [0.6, 0.8]]
    points = [[0.3, 0.6], [0.9, 0.2]]

    def build(library, convert):
        base = library.MultivariateNormal(loc=convert([0.0, 0.0]), scale_tril=convert(tril))
        transform = library.CumulativeDistributionTransform(library.Normal(convert(0.0), convert(1.0)))
        return library.TransformedDistribution(base, [transform])

    ours, theirs = build(D, _ours), build(TD, _theirs)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape) == (2,)
    np.testing.assert_allclose(_array(ours.log_prob(_ours(points))), theirs.log_prob(_theirs(points)).numpy())
    sample = ours.sample((5,))
    assert tuple(sample.shape) == (5, 2) and np.all((_array(sample) > 0) & (_array(sample) < 1))


def test_logistic_from_uniform_example_equals_torchs():
    # TransformedDistribution's docstring: Uniform(0, 1) through the logit and a + b * x is a Logistic(a, b).
    a, b = 1.0, 2.0
    values = [-3.0, 0.5, 4.0]

    def build(library, convert):
        transforms = [library.SigmoidTransform().inv, library.AffineTransform(loc=convert(a), scale=convert(b))]
        return library.TransformedDistribution(library.Uniform(convert(0.0), convert(1.0)), transforms)

    ours, theirs = build(D, _ours), build(TD, _theirs)
    expected = theirs.log_prob(_theirs(values)).numpy()
    np.testing.assert_allclose(_array(ours.log_prob(_ours(values))), expected, rtol=1e-12)
    z = (np.array(values) - a) / b  # the logistic density, independently
    np.testing.assert_allclose(expected, -z - np.log(b) - 2 * np.log1p(np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(_array(ours.cdf(_ours(values))), theirs.cdf(_theirs(values)).numpy(), rtol=1e-12)


def test_tanh_transform_equals_its_documented_composition():
    # TanhTransform's docstring: tanh is ComposeTransform([Affine(0, 2), Sigmoid, Affine(-1, 2)]).
    x = [-3.0, -0.5, 0.0, 1.0, 2.5]
    composed = D.ComposeTransform([D.AffineTransform(0.0, 2.0), D.SigmoidTransform(), D.AffineTransform(-1.0, 2.0)])
    tanh = D.TanhTransform()
    np.testing.assert_allclose(_array(tanh(_ours(x))), np.tanh(x), rtol=1e-12)
    np.testing.assert_allclose(_array(composed(_ours(x))), np.tanh(x), rtol=1e-12)
    y = np.tanh(x)
    np.testing.assert_allclose(
        _array(tanh.log_abs_det_jacobian(_ours(x), _ours(y))),
        TD.TanhTransform().log_abs_det_jacobian(_theirs(x), _theirs(y)).numpy(),
        rtol=1e-12,
    )
    np.testing.assert_allclose(_array(composed.log_abs_det_jacobian(_ours(x), _ours(y))), np.log1p(-(y**2)), rtol=1e-9)


def test_transform_caching_example_log_det_jacobian_reaches_x_and_the_cached_inverse_is_x():
    # Transform's docstring: y = t(x); t.log_abs_det_jacobian(x, y).backward() gives x a gradient, cached or not;
    # with the cache, t.inv(y) is x itself.
    for cache_size in (0, 1):
        t = D.ExpTransform(cache_size=cache_size)
        x = autograd.tensor([1.0, 2.0], requires_grad=True)
        y = t(x)
        t.log_abs_det_jacobian(x, y).sum().backward()
        np.testing.assert_allclose(np.asarray(x.grad), [1.0, 1.0])
    assert t.inv(y) is x
    assert D.ExpTransform(cache_size=0).inv(y) is not x


# kl_divergence between each docstring example (p) and the same family at other parameters (q).
KL_PAIRS = [
    ("Bernoulli", ([0.3],), ([0.6],)),
    ("Beta", ([0.5], [0.5]), ([2.0], [1.5])),
    ("Binomial", (100, [0.2, 0.8]), (100, [0.3, 0.5])),
    ("Categorical", ([0.25, 0.25, 0.25, 0.25],), ([0.1, 0.2, 0.3, 0.4],)),
    ("Cauchy", ([0.0], [1.0]), ([1.0], [2.0])),
    ("ContinuousBernoulli", ([0.3],), ([0.7],)),
    ("Dirichlet", ([0.5, 0.5],), ([2.0, 1.0],)),
    ("Exponential", ([1.0],), ([2.5],)),
    ("Gamma", ([1.0], [1.0]), ([2.0], [0.5])),
    ("Geometric", ([0.3],), ([0.6],)),
    ("Gumbel", ([1.0], [2.0]), ([0.0], [1.0])),
    ("HalfNormal", ([1.0],), ([2.0],)),
    ("Laplace", ([0.0], [1.0]), ([1.0], [2.0])),
    ("LogNormal", ([0.0], [1.0]), ([1.0], [0.5])),
    ("LowRankMultivariateNormal", ([0.0, 0.0], [[1.0], [0.0]], [1.0, 1.0]), ([1.0, 0.0], [[0.5], [1.0]], [2.0, 1.0])),
    ("MultivariateNormal", ([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]), ([1.0, -1.0], [[2.0, 0.5], [0.5, 1.0]])),
    ("Normal", ([0.0], [1.0]), ([1.0], [2.0])),
    ("OneHotCategorical", ([0.25, 0.25, 0.25, 0.25],), ([0.1, 0.2, 0.3, 0.4],)),
    ("Pareto", ([1.0], [1.0]), ([0.5], [2.0])),
    ("Poisson", ([4.0],), ([2.0],)),
    ("Uniform", ([0.0], [5.0]), ([-1.0], [6.0])),
    ("Weibull", ([1.0], [1.0]), ([2.0], [1.5])),
    ("Weibull-same-concentration", ([1.0], [1.0]), ([2.0], [1.0])),
]


@pytest.mark.parametrize(
    ("name", "p_args", "q_args"), [(k[0].split("-")[0], *k[1:]) for k in KL_PAIRS], ids=[k[0] for k in KL_PAIRS]
)
def test_kl_divergence_from_each_example_equals_torchs(name, p_args, q_args):
    try:
        theirs = TD.kl_divergence(_build(TD, name, p_args, {}), _build(TD, name, q_args, {}))
    except NotImplementedError:  # (Weibull: a transformed family whose transforms differ, as ours)
        with pytest.raises(NotImplementedError):
            D.kl_divergence(_build(D, name, p_args, {}), _build(D, name, q_args, {}))
        return
    ours = D.kl_divergence(_build(D, name, p_args, {}), _build(D, name, q_args, {}))
    np.testing.assert_allclose(_array(ours), theirs.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
def test_sampling_flags_and_enumerated_support_are_torchs(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs)
    assert (ours.has_rsample, ours.has_enumerate_support) == (theirs.has_rsample, theirs.has_enumerate_support)
    if not theirs.has_enumerate_support:
        return
    for expand in (True, False):
        try:
            expected = theirs.enumerate_support(expand=expand)
        except NotImplementedError:  # (Binomial's broadcast example: total counts 5 and 10)
            with pytest.raises(NotImplementedError):
                ours.enumerate_support(expand=expand)
            continue
        np.testing.assert_array_equal(_array(ours.enumerate_support(expand=expand)), expected.numpy())


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
def test_expanded_example_has_torchs_batch_shape_and_log_prob(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs)
    shape = (2, *theirs.batch_shape)
    ours, theirs = ours.expand(shape), theirs.expand(shape)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    value = _torch_sample(theirs)
    np.testing.assert_allclose(
        _array(ours.log_prob(_ours(value.numpy()))),
        theirs.log_prob(value).numpy(),
        rtol=RTOL.get(name, 1e-8),
        atol=1e-12,
    )
    if ours.has_rsample:
        assert tuple(ours.rsample((3,)).shape) == (3, *shape, *theirs.event_shape)


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
def test_log_prob_outside_the_support_raises_value_error_as_torchs(name, args, kwargs):
    kwargs = {**kwargs, "validate_args": True}
    ours, theirs = _pair(name, args, kwargs)
    outside = np.full(_torch_sample(theirs).shape, np.nan)
    with pytest.raises(ValueError):
        theirs.log_prob(_theirs(outside))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="support"):
            ours.log_prob(_ours(outside))


def _leaves(library_tensor, args, kwargs):
    args = [library_tensor(a) if isinstance(a, list) else a for a in args]
    kwargs = {k: library_tensor(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return args, kwargs, [a for a in [*args, *kwargs.values()] if not isinstance(a, (int, float))]


@pytest.mark.parametrize(("name", "args", "kwargs"), [c[1:] for c in EXAMPLES], ids=[c[0] for c in EXAMPLES])
@pytest.mark.parametrize("quantity", ["log_prob", "cdf", "entropy", "mean", "variance"])
def test_parameter_gradients_equal_torchs(name, args, kwargs, quantity):
    # Where a moment is undefined (FisherSnedecor's variance at df2 <= 4, InverseGamma's at concentration <= 2,
    # Pareto's mean and variance at alpha 1) torch's gradient of the inf/nan fill is nan or inf, ours 0: such
    # examples are left out, see the module docstring.
    value = _torch_sample(_build(TD, name, args, kwargs), (3,))

    def read(library, convert, leaves_args, leaves_kwargs):
        dist = getattr(library, name)(*leaves_args, **leaves_kwargs)
        if quantity in ("log_prob", "cdf"):
            return getattr(dist, quantity)(convert(value.numpy()))
        return dist.entropy() if quantity == "entropy" else getattr(dist, quantity)

    their_args, their_kwargs, their_leaves = _leaves(lambda a: _theirs(a).requires_grad_(), args, kwargs)
    try:
        expected = read(TD, _theirs, their_args, their_kwargs)
    except NotImplementedError:
        return  # (no such quantity in torch: the value tests above check ours raises too)
    if not torch.isfinite(expected).all():
        return
    ours_args, ours_kwargs, ours_leaves = _leaves(lambda a: _ours(a).requires_grad_(), args, kwargs)
    got = read(D, _ours, ours_args, ours_kwargs)
    if not expected.requires_grad:  # (LKJCholesky of a float concentration; StudentT's mean, its zero loc)
        assert not got.requires_grad
        return
    try:
        expected.sum().backward()
    except NotImplementedError:  # (the Gamma family's cdf: igamma's derivative in its first argument)
        with pytest.raises(NotImplementedError):
            got.sum().backward()
        return
    got.sum().backward()
    for mine, their in zip(ours_leaves, their_leaves, strict=True):
        expected_grad = np.zeros(their.shape) if their.grad is None else their.grad.numpy()
        grad = np.zeros(mine.shape) if mine.grad is None else np.asarray(mine.grad)
        np.testing.assert_allclose(grad, expected_grad, rtol=GRAD_RTOL.get(name, 1e-8), atol=1e-10)


def test_gamma_example_rsample_gradient_is_the_implicit_reparametrisation():
    # Gamma's rsample is reparametrised implicitly: a draw x of Gamma(a, 1) at its fixed quantile P(a, x) moves
    # with a as dx/da = -(dP/da) / p(x). dP/da by central differences of torch's regularised gammainc (float64).
    concentration = np.array([0.5, 1.0, 3.0, 5.0])
    leaf = autograd.tensor(concentration, requires_grad=True)
    autograd.manual_seed(0)
    draw = D.Gamma(leaf, autograd.ones(4)).rsample()
    draw.sum().backward()
    a, x, h = _theirs(concentration), _theirs(_array(draw)), 1e-5
    dp_da = (torch.special.gammainc(a + h, x) - torch.special.gammainc(a - h, x)) / (2 * h)
    density = TD.Gamma(a, torch.ones(4)).log_prob(x).exp()
    np.testing.assert_allclose(np.asarray(leaf.grad), (-dp_da / density).numpy(), rtol=1e-7)


# The pathwise gradient of E[f(x)] averaged over many draws of a Dirichlet, Beta or Gamma docstring example
# (batched: N copies of its parameters) meets d E[f(x)] / d(parameters) by central differences of the closed form
# of E[f(x)]: within 5 standard errors. (torch's Dirichlet gradient per draw is another unbiased estimator, built
# from x alone; ours differentiates the Gamma draws x is made of, so the two differ draw by draw.)
def _dirichlet_mean_dot(c):
    return float(np.dot(c / c.sum(), [1.0, 2.0]))


def _beta_second_moment(c):
    a, b = c
    return a * (a + 1) / ((a + b) * (a + b + 1))


def _gamma_second_moment(c):
    a, rate = c
    return a * (a + 1) / rate**2


PATHWISE = [
    ("Dirichlet", [0.5, 0.5], lambda c: D.Dirichlet(c), lambda x: x[:, 0] + 2 * x[:, 1], _dirichlet_mean_dot),
    ("Beta", [0.5, 0.5], lambda c: D.Beta(c[:, 0], c[:, 1]), lambda x: x**2, _beta_second_moment),
    ("Gamma", [1.0, 1.0], lambda c: D.Gamma(c[:, 0], c[:, 1]), lambda x: x**2, _gamma_second_moment),
]


@pytest.mark.parametrize(
    ("parameters", "build", "f", "expectation"), [p[1:] for p in PATHWISE], ids=[p[0] for p in PATHWISE]
)
def test_pathwise_gradient_of_the_example_is_unbiased(parameters, build, f, expectation):
    n = 20000
    leaf = autograd.tensor(np.tile(parameters, (n, 1)), requires_grad=True)
    autograd.manual_seed(0)
    f(build(leaf).rsample()).sum().backward()
    per_draw = np.asarray(leaf.grad)
    h = 1e-6
    exact = [
        (expectation(np.array(parameters) + h * e) - expectation(np.array(parameters) - h * e)) / (2 * h)
        for e in np.eye(len(parameters))
    ]
    standard_error = per_draw.std(0) / np.sqrt(n)
    assert np.all(np.abs(per_draw.mean(0) - exact) < 5 * standard_error)


# Malformed constructions of the docstrings' classes: (id, builder from a library and its tensor maker, error).
MALFORMED = [
    ("Categorical-neither", lambda lib, t: lib.Categorical(), ValueError),
    ("Bernoulli-both", lambda lib, t: lib.Bernoulli(probs=t([0.3]), logits=t([0.1])), ValueError),
    ("Geometric-both", lambda lib, t: lib.Geometric(probs=t([0.3]), logits=t([0.1])), ValueError),
    (
        "RelaxedBernoulli-both",
        lambda lib, t: lib.RelaxedBernoulli(t([2.2]), probs=t([0.1]), logits=t([0.1])),
        ValueError,
    ),
    ("Categorical-0d", lambda lib, t: lib.Categorical(t(0.5)), ValueError),
    ("Binomial-negative-count", lambda lib, t: lib.Binomial(-1, t([0.3]), validate_args=True), ValueError),
    ("LKJCholesky-dim-1", lambda lib, t: lib.LKJCholesky(1, 0.5), ValueError),
    ("LKJCholesky-negative", lambda lib, t: lib.LKJCholesky(3, -0.5, validate_args=True), ValueError),
    ("MultivariateNormal-no-matrix", lambda lib, t: lib.MultivariateNormal(t([0.0, 0.0])), ValueError),
    (
        "MultivariateNormal-0d-loc",
        lambda lib, t: lib.MultivariateNormal(t(0.0), t([[1.0, 0.0], [0.0, 1.0]])),
        ValueError,
    ),
    ("Independent-too-many", lambda lib, t: lib.Independent(lib.Normal(t([0.0]), t([1.0])), 2), ValueError),
    (
        "Wishart-low-df",
        lambda lib, t: lib.Wishart(t(0.5), covariance_matrix=t([[1.0, 0.0], [0.0, 1.0]]), validate_args=True),
        ValueError,
    ),
    ("Multinomial-float-count", lambda lib, t: lib.Multinomial(2.5, t([1.0, 1.0])), NotImplementedError),
    (
        "LowRank-1d-factor",
        lambda lib, t: lib.LowRankMultivariateNormal(t([0.0, 0.0]), t([1.0, 0.0]), t([1.0, 1.0])),
        ValueError,
    ),
    ("Uniform-empty", lambda lib, t: lib.Uniform(t([1.0]), t([1.0]), validate_args=True), ValueError),
    (
        "MixtureSameFamily-not-categorical",
        lambda lib, t: lib.MixtureSameFamily(lib.Normal(t([0.0]), t([1.0])), lib.Normal(t([0.0]), t([1.0]))),
        ValueError,
    ),
    (
        "MixtureSameFamily-sizes",
        lambda lib, t: lib.MixtureSameFamily(
            lib.Categorical(t([1.0, 1.0, 1.0])), lib.Normal(t([0.0, 1.0]), t([1.0, 1.0]))
        ),
        ValueError,
    ),
]


@pytest.mark.parametrize(("build", "error"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_constructions_raise_torchs_error_class(build, error):
    with pytest.raises(error):
        build(TD, _theirs)
    with pytest.raises(error):
        build(D, _ours)


def test_wishart_without_a_matrix_raises_value_error_where_torch_asserts():
    # torch's Wishart checks "exactly one of covariance_matrix, precision_matrix, scale_tril" by an assert
    # (AssertionError, gone under python -O); ours raises ValueError with torch's message, as MultivariateNormal.
    with pytest.raises(AssertionError, match="Exactly one of"):
        TD.Wishart(_theirs(3.0))
    with pytest.raises(ValueError, match="Exactly one of"):
        D.Wishart(_ours(3.0))
