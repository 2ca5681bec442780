"""TransformedDistribution and the distributions built on it against torch.distributions (float64): log_prob, cdf,
icdf, entropy, mean, variance and mode on batches broadcast from parameters of different shapes, gradients of
each with respect to every parameter, sample and rsample shapes, expand, supports and argument checks, and the
KL pairs torch registers for them (values and gradients)."""

from __future__ import annotations

import numpy as np
import pytest
from distribution_oracle import assert_cdf_and_icdf_meet_torch

import autograd
import autograd.distributions as ours

torch = pytest.importorskip("torch")
td = torch.distributions


def _ours(array, grad=False):
    return autograd.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _torch(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _positive(rng, shape, low=0.5, high=2.5):
    return rng.uniform(low, high, shape)


# name -> (parameter arrays of shapes (3, 1) and (4,), values in the support of shape (3, 4), methods torch has)
SCALAR_METHODS = ("log_prob", "cdf", "icdf", "entropy", "mean", "variance", "mode")


def _cases():
    rng = np.random.default_rng(11)
    loc, scale = rng.normal(size=(3, 1)), _positive(rng, (4,))
    return {
        "LogNormal": ((loc, scale), _positive(rng, (3, 4), 0.1, 4.0), SCALAR_METHODS),
        "HalfNormal": ((_positive(rng, (3, 4)),), _positive(rng, (3, 4), 0.0, 3.0), SCALAR_METHODS),
        "Gumbel": ((loc, scale), rng.normal(size=(3, 4)) * 2, SCALAR_METHODS),
        "Pareto": (
            (_positive(rng, (3, 1), 0.5, 1.0), _positive(rng, (4,), 2.5, 4.0)),
            _positive(rng, (3, 4), 1.0, 5.0),
            SCALAR_METHODS,
        ),
        "Weibull": (
            (_positive(rng, (3, 1)), _positive(rng, (4,), 1.2, 3.0)),
            _positive(rng, (3, 4), 0.1, 3.0),
            SCALAR_METHODS,
        ),
        "Kumaraswamy": (
            (_positive(rng, (3, 1)), _positive(rng, (4,))),
            rng.uniform(0.05, 0.95, (3, 4)),
            ("log_prob", "cdf", "icdf", "entropy", "mean", "variance"),
        ),
        "InverseGamma": (
            (_positive(rng, (3, 1), 2.5, 4.0), _positive(rng, (4,))),
            _positive(rng, (3, 4), 0.1, 3.0),
            ("log_prob", "cdf", "entropy", "mean", "variance", "mode"),
        ),
    }


CASES = _cases()
PAIRS = [(name, method) for name, (_, _, methods) in CASES.items() for method in methods]


def _evaluate(distribution, method, value):
    if method in ("log_prob", "cdf"):
        return getattr(distribution, method)(value)
    if method == "icdf":
        return distribution.icdf(value)
    if method == "entropy":
        return distribution.entropy()
    return getattr(distribution, method)


def _built(name, grad=False):
    params, value, _ = CASES[name]
    mine, theirs = [_ours(p, grad) for p in params], [_torch(p, grad) for p in params]
    return getattr(ours, name)(*mine), getattr(td, name)(*theirs), mine, theirs, value


@pytest.mark.parametrize(("name", "method"), PAIRS, ids=[f"{n}-{m}" for n, m in PAIRS])
def test_values_match_torch(name, method):
    mine, theirs, _, _, value = _built(name)
    value = np.random.default_rng(12).uniform(0.05, 0.95, value.shape) if method == "icdf" else value
    got = _evaluate(mine, method, _ours(value))
    np.testing.assert_allclose(
        got.data, _evaluate(theirs, method, _torch(value)).detach().numpy(), rtol=1e-9, atol=1e-12
    )
    assert tuple(got.shape) == (3, 4)


# torch (and this library) give no derivative of the regularised incomplete gamma in its first argument
WITHOUT_GRADIENT = {("InverseGamma", "cdf"): {0}}


@pytest.mark.parametrize(("name", "method"), PAIRS, ids=[f"{n}-{m}" for n, m in PAIRS])
def test_gradients_with_respect_to_every_parameter_match_torch(name, method):
    params, value, _ = CASES[name]
    frozen = WITHOUT_GRADIENT.get((name, method), set())
    my_params = [_ours(p, i not in frozen) for i, p in enumerate(params)]
    their_params = [_torch(p, i not in frozen) for i, p in enumerate(params)]
    mine, theirs = getattr(ours, name)(*my_params), getattr(td, name)(*their_params)
    value = np.random.default_rng(13).uniform(0.05, 0.95, value.shape) if method == "icdf" else value
    weights = np.random.default_rng(14).normal(size=(3, 4))
    got = (_evaluate(mine, method, _ours(value)) * _ours(weights)).sum()
    expected = (_evaluate(theirs, method, _torch(value)) * _torch(weights)).sum()
    got.backward()
    if not expected.requires_grad:  # torch's value is a constant (HalfNormal's mode): no gradient here either
        assert all(p.grad is None or not np.any(p.grad) for p in my_params)
        return
    expected.backward()
    for param, param_torch in zip(my_params, their_params):
        if param_torch.requires_grad:
            expected_grad = 0 if param_torch.grad is None else param_torch.grad.numpy()
            got_grad = np.zeros(param.shape) if param.grad is None else param.grad
            np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_supports_and_expand_match_torch(name):
    mine, theirs, _, _, value = _built(name)
    assert tuple(mine.batch_shape) == tuple(theirs.batch_shape) == (3, 4)
    assert tuple(mine.event_shape) == tuple(theirs.event_shape)
    assert tuple(mine.sample((5,)).shape) == tuple(theirs.sample((5,)).shape)
    assert mine.has_rsample == theirs.has_rsample
    np.testing.assert_array_equal(mine.support.check(value), theirs.support.check(_torch(value)).numpy())
    expanded, expanded_torch = mine.expand((2, 3, 4)), theirs.expand((2, 3, 4))
    assert type(expanded) is type(mine) and tuple(expanded.batch_shape) == (2, 3, 4)
    np.testing.assert_allclose(
        expanded.log_prob(_ours(value)).data, expanded_torch.log_prob(_torch(value)).numpy(), rtol=1e-10
    )
    assert tuple(expanded.sample().shape) == (2, 3, 4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rsample_is_reparameterised_with_torchs_shape(name):
    mine, _, params, _, _ = _built(name, grad=True)
    draw = mine.rsample((6,))
    assert tuple(draw.shape) == (6, 3, 4)
    draw.sum().backward()
    assert all(p.grad is not None and np.isfinite(p.grad).all() for p in params)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("LogNormal", (0.0, -1.0)),
        ("HalfNormal", (-1.0,)),
        ("Gumbel", (0.0, 0.0)),
        ("Pareto", (1.0, -2.0)),
        ("Weibull", (-1.0, 1.0)),
        ("Kumaraswamy", (1.0, 0.0)),
        ("InverseGamma", (-1.0, 1.0)),
    ],
)
def test_invalid_parameters_raise_value_error_as_torch(name, args):
    # validate_args named: torch's default can be switched off by code run before (torch's own testing modules)
    with pytest.raises(ValueError):
        getattr(td, name)(*[_torch(a) for a in args], validate_args=True)
    with pytest.raises(ValueError, match="Expected parameter"):
        getattr(ours, name)(*[_ours(a) for a in args], validate_args=True)


def test_values_outside_the_support_are_refused_when_validating():
    with pytest.raises(ValueError, match="support"):
        ours.LogNormal(0.0, 1.0).log_prob(_ours(-1.0))
    with pytest.raises(ValueError, match="support"):
        ours.Pareto(_ours(2.0), _ours(1.0)).log_prob(_ours(1.0))


def test_moments_where_torch_gives_inf():
    mine = ours.Pareto(_ours([1.0, 1.0, 1.0]), _ours([0.5, 1.0, 1.5]))
    theirs = td.Pareto(_torch([1.0, 1.0, 1.0]), _torch([0.5, 1.0, 1.5]))
    np.testing.assert_array_equal(mine.mean.data, theirs.mean.numpy())
    np.testing.assert_array_equal(mine.variance.data, theirs.variance.numpy())
    mine, theirs = (
        ours.InverseGamma(_ours([0.5, 1.0, 1.5, 2.0, 3.0]), 1.0),
        td.InverseGamma(_torch([0.5, 1.0, 1.5, 2.0, 3.0]), 1.0),
    )
    np.testing.assert_array_equal(mine.mean.data, theirs.mean.numpy())
    np.testing.assert_array_equal(mine.variance.data, theirs.variance.numpy())


def test_relaxed_bernoulli_log_prob_and_its_gradients_match_torch():
    rng = np.random.default_rng(15)
    temperature, logits, value = (
        _positive(rng, (3, 1), 0.3, 1.5),
        rng.normal(size=(4,)),
        rng.uniform(0.05, 0.95, (3, 4)),
    )
    for parameter in ("probs", "logits"):
        given = 1 / (1 + np.exp(-logits)) if parameter == "probs" else logits
        t_mine, p_mine, t_torch, p_torch = (
            _ours(temperature, True),
            _ours(given, True),
            _torch(temperature, True),
            _torch(given, True),
        )
        mine = ours.RelaxedBernoulli(t_mine, **{parameter: p_mine})
        theirs = td.RelaxedBernoulli(t_torch, **{parameter: p_torch})
        assert tuple(mine.batch_shape) == tuple(theirs.batch_shape) == (4,)
        got, expected = mine.log_prob(_ours(value)), theirs.log_prob(_torch(value))
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10)
        got.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(t_mine.grad, t_torch.grad.numpy(), rtol=1e-9)
        np.testing.assert_allclose(p_mine.grad, p_torch.grad.numpy(), rtol=1e-9)
        assert tuple(mine.rsample((5, 3)).shape) == tuple(theirs.rsample((5, 3)).shape)
        base = ours.LogitRelaxedBernoulli(t_mine, **{parameter: p_mine})
        np.testing.assert_allclose(
            base.log_prob(_ours(value)).data,
            td.relaxed_bernoulli.LogitRelaxedBernoulli(t_torch, **{parameter: p_torch})
            .log_prob(_torch(value))
            .detach()
            .numpy(),
            rtol=1e-10,
        )


def test_relaxed_one_hot_categorical_log_prob_and_gradients_match_torch():
    rng = np.random.default_rng(16)
    logits, value = rng.normal(size=(2, 4)), rng.dirichlet(np.ones(4), size=(3, 2))
    t_mine, l_mine, t_torch, l_torch = _ours(0.6, True), _ours(logits, True), _torch(0.6, True), _torch(logits, True)
    mine, theirs = (
        ours.RelaxedOneHotCategorical(t_mine, logits=l_mine),
        td.RelaxedOneHotCategorical(t_torch, logits=l_torch),
    )
    assert (tuple(mine.batch_shape), tuple(mine.event_shape)) == (tuple(theirs.batch_shape), tuple(theirs.event_shape))
    got, expected = mine.log_prob(_ours(value)), theirs.log_prob(_torch(value))
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10)
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(t_mine.grad, t_torch.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(l_mine.grad, l_torch.grad.numpy(), rtol=1e-9, atol=1e-12)
    draw = mine.rsample((5,))
    assert tuple(draw.shape) == (5, 2, 4)
    np.testing.assert_allclose(draw.data.sum(-1), 1.0, rtol=1e-12)
    expanded = ours.relaxed_categorical.ExpRelaxedCategorical(0.6, probs=_ours(np.full(4, 0.25))).expand((3,))
    assert tuple(expanded.batch_shape) == (3,) and tuple(expanded.rsample().shape) == (3, 4)


def test_logistic_normal_shapes_log_prob_and_gradients_match_torch():
    rng = np.random.default_rng(17)
    loc, scale, value = rng.normal(size=(2, 3)), _positive(rng, (3,)), rng.dirichlet(np.ones(4), size=2)
    l_mine, s_mine, l_torch, s_torch = _ours(loc, True), _ours(scale, True), _torch(loc, True), _torch(scale, True)
    mine, theirs = ours.LogisticNormal(l_mine, s_mine), td.LogisticNormal(l_torch, s_torch)
    assert (tuple(mine.batch_shape), tuple(mine.event_shape)) == ((2,), (4,))
    got, expected = mine.log_prob(_ours(value)), theirs.log_prob(_torch(value))
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10)
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(l_mine.grad, l_torch.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(s_mine.grad, s_torch.grad.numpy(), rtol=1e-9)
    scalar = ours.LogisticNormal(0.0, 1.0)
    assert (tuple(scalar.batch_shape), tuple(scalar.event_shape)) == ((), (2,))


def test_a_user_chain_over_a_scalar_base_matches_torch_in_every_method():
    rng = np.random.default_rng(18)
    scale = _positive(rng, (3,))
    value = rng.uniform(0.1, 0.9, (2, 3))

    def build(module, make):
        base = module.Uniform(make(np.zeros(3)), make(np.ones(3)))
        chain = [
            module.transforms.SigmoidTransform().inv,
            module.transforms.AffineTransform(1.0, make(-scale)),
            module.transforms.TanhTransform(),
        ]
        return module.TransformedDistribution(base, chain)

    mine, theirs = build(ours, _ours), build(td, _torch)
    y = np.tanh(1.0 - scale * np.log(value / (1 - value)))
    for method in ("log_prob", "cdf"):
        np.testing.assert_allclose(
            getattr(mine, method)(_ours(y)).data, getattr(theirs, method)(_torch(y)).numpy(), rtol=1e-9
        )
    np.testing.assert_allclose(mine.icdf(_ours(value)).data, theirs.icdf(_torch(value)).numpy(), rtol=1e-9)
    assert repr(mine.support) == repr(theirs.support)


def test_a_vector_transform_over_a_scalar_base_reads_its_last_batch_axis_as_the_event():
    base = ours.Normal(_ours(np.zeros((2, 3))), 1.0)
    mine = ours.TransformedDistribution(base, ours.transforms.StickBreakingTransform())
    theirs = td.TransformedDistribution(
        td.Normal(_torch(np.zeros((2, 3))), 1.0), td.transforms.StickBreakingTransform()
    )
    assert (tuple(mine.batch_shape), tuple(mine.event_shape)) == (tuple(theirs.batch_shape), tuple(theirs.event_shape))
    assert isinstance(mine.base_dist, ours.Independent)
    with pytest.raises(ValueError, match="Transform"):
        ours.TransformedDistribution(base, [ours.transforms.ExpTransform(), "exp"])


KL_PAIRS = [
    ("Gumbel", "Gumbel", lambda r: (r.normal(size=3), _positive(r, 3)), lambda r: (r.normal(size=3), _positive(r, 3))),
    (
        "Pareto",
        "Pareto",
        lambda r: (_positive(r, 3, 1.0, 2.0), _positive(r, 3)),
        lambda r: (_positive(r, 3, 0.2, 0.9), _positive(r, 3)),
    ),
    ("HalfNormal", "HalfNormal", lambda r: (_positive(r, 3),), lambda r: (_positive(r, 3),)),
    (
        "LogNormal",
        "LogNormal",
        lambda r: (r.normal(size=3), _positive(r, 3)),
        lambda r: (r.normal(size=3), _positive(r, 3)),
    ),
    ("Gumbel", "Normal", lambda r: (r.normal(size=3), _positive(r, 3)), lambda r: (r.normal(size=3), _positive(r, 3))),
    ("Normal", "Gumbel", lambda r: (r.normal(size=3), _positive(r, 3)), lambda r: (r.normal(size=3), _positive(r, 3))),
    ("Exponential", "Gumbel", lambda r: (_positive(r, 3),), lambda r: (r.normal(size=3), _positive(r, 3))),
    ("Gamma", "Gumbel", lambda r: (_positive(r, 3), _positive(r, 3)), lambda r: (r.normal(size=3), _positive(r, 3))),
    ("Uniform", "Gumbel", lambda r: (np.zeros(3) - 1, _positive(r, 3)), lambda r: (r.normal(size=3), _positive(r, 3))),
    ("Pareto", "Exponential", lambda r: (_positive(r, 3), _positive(r, 3, 1.5, 3.0)), lambda r: (_positive(r, 3),)),
    (
        "Pareto",
        "Gamma",
        lambda r: (_positive(r, 3), _positive(r, 3, 1.5, 3.0)),
        lambda r: (_positive(r, 3), _positive(r, 3)),
    ),
    (
        "Pareto",
        "Normal",
        lambda r: (_positive(r, 3), _positive(r, 3, 2.5, 4.0)),
        lambda r: (r.normal(size=3), _positive(r, 3)),
    ),
    (
        "Uniform",
        "Pareto",
        lambda r: (_positive(r, 3, 1.0, 1.5), _positive(r, 3, 2.0, 3.0)),
        lambda r: (_positive(r, 3, 0.2, 0.9), _positive(r, 3)),
    ),
]


@pytest.mark.parametrize(
    ("p_name", "q_name", "p_args", "q_args"), KL_PAIRS, ids=[f"{p}-{q}" for p, q, _, _ in KL_PAIRS]
)
def test_kl_values_and_gradients_match_torch(p_name, q_name, p_args, q_args):
    rng = np.random.default_rng(19)
    arrays = [*p_args(rng), *q_args(rng)]
    count = len(p_args(np.random.default_rng(0)))
    mine_leaves, torch_leaves = [_ours(a, True) for a in arrays], [_torch(a, True) for a in arrays]
    got = ours.kl_divergence(getattr(ours, p_name)(*mine_leaves[:count]), getattr(ours, q_name)(*mine_leaves[count:]))
    expected = td.kl_divergence(getattr(td, p_name)(*torch_leaves[:count]), getattr(td, q_name)(*torch_leaves[count:]))
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10)
    got.sum().backward()
    expected.sum().backward()
    for leaf, leaf_torch in zip(mine_leaves, torch_leaves):
        np.testing.assert_allclose(leaf.grad, leaf_torch.grad.numpy(), rtol=1e-8, atol=1e-12)


INFINITE_CASES = [
    (("Pareto", (2.0, 1.5)), ("Pareto", (3.0, 1.0))),
    (("Pareto", (1.0, 0.8)), ("Exponential", (1.0,))),
    (("Pareto", (1.0, 0.8)), ("Gamma", (1.0, 1.0))),
    (("Pareto", (1.0, 1.5)), ("Normal", (0.0, 1.0))),
    (("Uniform", (0.5, 2.0)), ("Pareto", (1.0, 1.0))),
    (("Gumbel", (0.0, 1.0)), ("Uniform", (0.0, 1.0))),
    (("Normal", (0.0, 1.0)), ("Pareto", (1.0, 1.0))),
    (("Pareto", (1.0, 1.0)), ("Beta", (1.0, 1.0))),
    (("Pareto", (1.0, 1.0)), ("ContinuousBernoulli", (0.3,))),
    (("ContinuousBernoulli", (0.3,)), ("Pareto", (1.0, 1.0))),
    (("Gumbel", (0.0, 1.0)), ("ContinuousBernoulli", (0.7,))),
]


@pytest.mark.parametrize(("p", "q"), INFINITE_CASES)
def test_kl_is_inf_where_torch_gives_inf(p, q):
    got = ours.kl_divergence(
        getattr(ours, p[0])(*[_ours(a) for a in p[1]]), getattr(ours, q[0])(*[_ours(a) for a in q[1]])
    )
    expected = td.kl_divergence(
        getattr(td, p[0])(*[_torch(a) for a in p[1]]), getattr(td, q[0])(*[_torch(a) for a in q[1]])
    )
    np.testing.assert_array_equal(got.data, expected.numpy())
    assert np.isinf(got.data).all()


def test_every_pair_torch_registers_for_these_types_is_registered_and_tested_here():
    from autograd.kl_registry import _KL_REGISTRY

    here = set(ours.__all__)
    new_types = {"Gumbel", "HalfNormal", "Pareto", "TransformedDistribution"}
    theirs = {
        (p.__name__, q.__name__)
        for p, q in td.kl._KL_REGISTRY
        if p.__name__ in here and q.__name__ in here and new_types & {p.__name__, q.__name__}
    }
    registered = {(p.__name__, q.__name__) for p, q in _KL_REGISTRY}
    assert theirs <= registered
    infinite = {(p[0], q[0]) for p, q in INFINITE_CASES}
    tested = {(p, q) for p, q, _, _ in KL_PAIRS} | infinite | {("TransformedDistribution", "TransformedDistribution")}
    assert theirs - tested <= {
        ("Beta", "Pareto"),
        ("Exponential", "Pareto"),
        ("Gamma", "Pareto"),
        ("Gumbel", "Beta"),
        ("Gumbel", "Exponential"),
        ("Gumbel", "Gamma"),
        ("Gumbel", "Pareto"),
        ("Laplace", "Pareto"),
        ("Pareto", "Uniform"),
    }
    for p_name, q_name in sorted(theirs - tested):  # the remaining inf pairs
        p_type, q_type = getattr(td, p_name), getattr(td, q_name)
        assert td.kl._KL_REGISTRY[p_type, q_type].__name__.endswith("infinity")
        assert _KL_REGISTRY[getattr(ours, p_name), getattr(ours, q_name)].__name__ == "_kl_infinite"


def test_kl_of_transformed_distributions_with_other_transforms_is_not_implemented():
    with pytest.raises(NotImplementedError):
        ours.kl_divergence(ours.LogNormal(0.0, 1.0), ours.HalfNormal(1.0))


def test_gumbel_cdf_and_icdf_are_exp_of_minus_exp_in_both_tails():
    """cdf(x) = exp(-exp(-(x - loc) / scale)) and icdf(p) = loc - scale log(-log p) directly: through the Uniform
    base, cdf(40) = 1 - 4e-18 fell outside its support [tiny, 1 - eps] (torch's ValueError) and the left tail went to
    0 in 1 * (u - 1/2) + 1/2 (torch's too); where torch is finite its values and gradients are met."""
    loc, scale = 0.5, 1.5
    x = np.array([-8.0, -3.5, 0.0, 3.0, 40.0, 200.0])
    z = (x - loc) / scale
    gumbel = ours.Gumbel(autograd.tensor(loc), autograd.tensor(scale))
    np.testing.assert_allclose(np.asarray(gumbel.cdf(autograd.tensor(x)).data), np.exp(-np.exp(-z)), rtol=1e-14)
    p = np.array([1e-300, 1e-20, 0.3, 0.9, 1 - 1e-16])
    np.testing.assert_allclose(
        np.asarray(gumbel.icdf(autograd.tensor(p)).data), loc - scale * np.log(-np.log(p)), rtol=1e-14
    )
    middle = np.array([-1.0, 0.0, 3.0])
    params = [autograd.tensor(v, requires_grad=True) for v in (loc, scale)]
    their_params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (loc, scale)]
    out = ours.Gumbel(*params).cdf(autograd.tensor(middle))
    expected = td.Gumbel(*their_params).cdf(torch.tensor(middle))
    np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-13)
    out.sum().backward()
    expected.sum().backward()
    for mine, theirs in zip(params, their_params):
        np.testing.assert_allclose(float(np.asarray(mine.grad)), theirs.grad.item(), rtol=1e-12)
    with pytest.raises(ValueError, match="support"):
        gumbel.cdf(autograd.tensor([float("nan")]))


def test_half_normal_cdf_and_icdf_are_erf_and_erfinv_exact_near_zero():
    """cdf erf(x / (scale sqrt 2)) and icdf scale sqrt 2 erfinv(p): torch's 2 Phi(x) - 1 and Phi^-1((p + 1) / 2)
    cancel to 0 for x or p below 1e-16; elsewhere its values and gradients are met."""
    import math

    scale = 1.5
    half = ours.HalfNormal(autograd.tensor(scale))
    x = np.array([0.0, 1e-20, 1e-8, 0.7, 3.0, 40.0])
    expected = [math.erf(v / (scale * math.sqrt(2))) for v in x]
    np.testing.assert_allclose(np.asarray(half.cdf(autograd.tensor(x)).data), expected, rtol=1e-14)
    p = np.array([1e-20, 1e-8, 0.3, 0.9])
    np.testing.assert_allclose(np.asarray(half.cdf(half.icdf(autograd.tensor(p))).data), p, rtol=1e-13)
    assert_cdf_and_icdf_meet_torch(
        ours.HalfNormal, td.HalfNormal, (scale,), np.array([0.3, 2.0]), np.array([0.1, 0.8]), torch
    )


def test_a_transformed_cdf_with_increasing_transforms_is_the_base_cdf_unrounded():
    """Where the transforms' signs are all +1 (Tensors of ones: Weibull's scale, LogNormal's), the cdf is the base's
    as it is, and where they are -1, 1 - it: torch's sign (F - 1/2) + 1/2 rounds F below 1e-17 to 0."""
    weibull = ours.Weibull(autograd.tensor([1.0, 2.0]), autograd.tensor([2.0, 0.5]))
    x = np.array([1e-20, 1e-20])
    np.testing.assert_allclose(
        np.asarray(weibull.cdf(autograd.tensor(x)).data), -np.expm1(-np.array([1e-40, (0.5e-20) ** 0.5])), rtol=1e-14
    )
    np.testing.assert_allclose(
        np.asarray(weibull.icdf(autograd.tensor([1e-20, 1e-20])).data), [1e-10, 2e-40], rtol=1e-14
    )
    flipped = ours.TransformedDistribution(
        ours.Exponential(autograd.tensor([1.0, 1.0])),
        [ours.transforms.AffineTransform(0.0, autograd.tensor([-1.0, 2.0]))],
    )
    np.testing.assert_allclose(
        np.asarray(flipped.cdf(autograd.tensor([-1e-20, 2e-20])).data), [1.0 - 1e-20, 1e-20], rtol=1e-14
    )
