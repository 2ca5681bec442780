"""Ported from PyTorch's test/distributions (test_distributions.py, test_constraints.py), for the distributions
this library has: each behaviour compared with torch 2.13's (float64), or with hand-derived values where torch is
not needed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from distribution_oracle import assert_cdf_and_icdf_meet_torch

import autograd
from autograd.distributions import (
    Beta,
    Categorical,
    Exponential,
    Gamma,
    Laplace,
    Normal,
    constraints,
)


def _values(t):
    return t.detach().numpy()


# Each distribution with batch shape (3,): its name, a maker from float64 arrays, the arrays, and a value of
# its support (event shape included) at which to read log_prob.
_TRIL = np.array([[1.0, 0.0], [0.5, 2.0]])
BATCHED = [
    ("Normal", lambda m, a, b: m.Normal(a, b), ([0.0, 1.0, -1.0], [1.0, 0.5, 2.0]), [0.3, 0.2, 0.1]),
    ("Laplace", lambda m, a, b: m.Laplace(a, b), ([0.0, 1.0, -1.0], [1.0, 0.5, 2.0]), [0.3, 0.2, 0.1]),
    ("Uniform", lambda m, a, b: m.Uniform(a, b), ([0.0, 1.0, -1.0], [1.0, 1.5, 2.0]), [0.3, 1.2, 0.1]),
    ("Exponential", lambda m, a: m.Exponential(a), ([0.5, 1.0, 2.0],), [0.3, 0.2, 0.1]),
    ("Gamma", lambda m, a, b: m.Gamma(a, b), ([0.5, 1.0, 2.0], [1.0, 0.5, 2.0]), [0.3, 0.2, 0.1]),
    ("Beta", lambda m, a, b: m.Beta(a, b), ([0.5, 1.0, 2.0], [1.0, 0.5, 2.0]), [0.3, 0.2, 0.1]),
    ("Bernoulli(probs)", lambda m, p: m.Bernoulli(probs=p), ([0.1, 0.5, 0.9],), [1.0, 0.0, 1.0]),
    ("Bernoulli(logits)", lambda m, x: m.Bernoulli(logits=x), ([-1.0, 0.5, 3.0],), [1.0, 0.0, 1.0]),
    (
        "Categorical(probs)",
        lambda m, p: m.Categorical(probs=p),
        ([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]],),
        [1, 0, 1],
    ),
    (
        "Categorical(logits)",
        lambda m, x: m.Categorical(logits=x),
        ([[0.2, -0.8], [0.0, 3.0], [1.0, 0.1]],),
        [1, 0, 1],
    ),
    (
        "MultivariateNormal",
        lambda m, loc, tril: m.MultivariateNormal(loc, scale_tril=tril),
        ([[0.0, 1.0], [1.0, 0.0], [-1.0, 2.0]], [_TRIL, _TRIL * 2, _TRIL * 0.5]),
        [[0.5, 0.5], [0.0, 1.0], [1.0, 1.0]],
    ),
    (
        "Independent(Normal)",
        lambda m, a, b: m.Independent(m.Normal(a, b), 1),
        ([[0.0, 1.0], [1.0, 0.0], [-1.0, 2.0]], [[1.0, 2.0], [0.5, 1.0], [3.0, 1.0]]),
        [[0.5, 0.5], [0.0, 1.0], [1.0, 1.0]],
    ),
]


def _both(torch, make, params):
    """The distribution made from the params by ours and by torch's, and the leaves of each."""
    ours_leaves = [autograd.tensor(np.asarray(p, dtype=np.float64), requires_grad=True) for p in params]
    their_leaves = [torch.tensor(np.asarray(p, dtype=np.float64), requires_grad=True) for p in params]
    return (
        make(autograd.distributions, *ours_leaves),
        make(torch.distributions, *their_leaves),
        ours_leaves,
        their_leaves,
    )


def _as_value(module_tensor, value):
    array = np.asarray(value)
    return module_tensor(array if array.dtype.kind == "i" else array.astype(np.float64))


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


# -- expand -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "make", "params", "value"), BATCHED, ids=[b[0] for b in BATCHED])
def test_expand_gives_torchs_batch_shape_log_prob_draw_shape_and_gradients(torch, name, make, params, value):
    ours, theirs, ours_leaves, their_leaves = _both(torch, make, params)
    mine, their = ours.expand((4, 3)), theirs.expand(torch.Size([4, 3]))
    assert type(mine) is type(ours)
    assert (mine.batch_shape, mine.event_shape) == (tuple(their.batch_shape), tuple(their.event_shape))
    assert mine.sample((2,)).shape == tuple(their.sample((2,)).shape)
    if their.has_enumerate_support:
        assert mine.enumerate_support().shape == tuple(their.enumerate_support().shape)
    lp = mine.log_prob(_as_value(autograd.tensor, value))
    their_lp = their.log_prob(_as_value(torch.tensor, value))
    np.testing.assert_allclose(lp.data, _values(their_lp), rtol=1e-12)
    total, their_total = lp.sum() + mine.mean.sum(), their_lp.sum() + their.mean.sum()
    if name.startswith("Categorical"):  # torch's Categorical mean is nan
        total, their_total = lp.sum(), their_lp.sum()
    total.backward()
    their_total.backward()
    for leaf, their_leaf in zip(ours_leaves, their_leaves):
        np.testing.assert_allclose(leaf.grad, their_leaf.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert ours.batch_shape == (3,)  # the original is left as it was


def test_expand_keeps_validate_args_and_refuses_a_batch_shape_that_does_not_broadcast(torch, td):
    unchecked = Normal(autograd.zeros(3), 1.0, validate_args=False).expand((2, 3))
    assert unchecked._validate_args is False
    assert np.isnan(unchecked.log_prob(autograd.tensor(math.nan)).data).all()
    with pytest.raises(RuntimeError):
        td.Normal(torch.zeros(3), 1.0).expand((4,))
    with pytest.raises(RuntimeError, match="expand"):
        Normal(autograd.zeros(3), 1.0).expand((4,))
    assert Categorical(logits=autograd.zeros(1, 5)).expand((6,)).batch_shape == (6,)


# -- KL divergences ---------------------------------------------------------------------------------------
_KL_SAME_TYPE = [
    ("Exponential", ([0.5, 2.0, 7.0],), ([1.5, 0.2, 7.0],)),
    ("Laplace", ([0.0, 1.0, -2.0], [1.0, 0.5, 3.0]), ([1.0, -1.0, -2.0], [0.5, 3.0, 3.0])),
    ("Gamma", ([0.5, 2.0, 7.5], [1.0, 0.3, 4.0]), ([1.5, 0.7, 7.5], [3.0, 0.2, 4.0])),
    ("Beta", ([0.5, 2.0, 1.0], [1.5, 0.7, 3.0]), ([1.5, 0.7, 1.0], [3.0, 0.2, 3.0])),
]


@pytest.mark.parametrize(("name", "p_params", "q_params"), _KL_SAME_TYPE, ids=[k[0] for k in _KL_SAME_TYPE])
def test_kl_divergence_of_same_type_continuous_pairs_and_gradients_match_torch(torch, name, p_params, q_params):
    # (the last pair of each is p == q: KL 0)
    def make(module, *leaves):
        cls = getattr(module, name)
        return cls(*leaves[: len(p_params)]), cls(*leaves[len(p_params) :])

    (p, q), (their_p, their_q), leaves, their_leaves = _both(torch, make, p_params + q_params)
    kl, their_kl = autograd.distributions.kl_divergence(p, q), torch.distributions.kl_divergence(their_p, their_q)
    np.testing.assert_allclose(kl.data, _values(their_kl), rtol=1e-10, atol=1e-14)
    assert abs(float(kl.data[-1])) < 1e-14
    kl.sum().backward()
    their_kl.sum().backward()
    for leaf, their_leaf in zip(leaves, their_leaves):
        # 1e-7: the digamma terms' gradients go through trigamma, where torch's float64 is 4e-10 off scipy's
        np.testing.assert_allclose(leaf.grad, their_leaf.grad.numpy(), rtol=1e-7, atol=1e-12)


def test_kl_divergence_of_different_types_is_not_implemented_unless_registered():
    # (torch has neither: its kl.py leaves Exponential-Laplace and Beta-Laplace as TODOs)
    with pytest.raises(NotImplementedError, match="No KL"):
        autograd.distributions.kl_divergence(Exponential(1.0), Laplace(0.0, 1.0))
    with pytest.raises(NotImplementedError, match="No KL"):
        autograd.distributions.kl_divergence(Beta(1.0, 2.0), Laplace(0.0, 1.0))


# -- constraints (test_constraints.py's examples) ---------------------------------------------------------
_MATRIX_EXAMPLES = [
    ("symmetric", False, [[2.0, 0], [2.0, 2]]),
    ("positive_semidefinite", False, [[2.0, 0], [2.0, 2]]),
    ("positive_definite", False, [[2.0, 0], [2.0, 2]]),
    ("symmetric", True, [[3.0, -5], [-5.0, 3]]),
    ("positive_semidefinite", False, [[3.0, -5], [-5.0, 3]]),
    ("positive_definite", False, [[3.0, -5], [-5.0, 3]]),
    ("symmetric", True, [[1.0, 2], [2.0, 4]]),
    ("positive_semidefinite", True, [[1.0, 2], [2.0, 4]]),
    ("positive_definite", False, [[1.0, 2], [2.0, 4]]),
    ("symmetric", True, [[[1.0, -2], [-2.0, 1]], [[2.0, 3], [3.0, 2]]]),
    ("positive_semidefinite", False, [[[1.0, -2], [-2.0, 1]], [[2.0, 3], [3.0, 2]]]),
    ("positive_definite", False, [[[1.0, -2], [-2.0, 1]], [[2.0, 3], [3.0, 2]]]),
    ("symmetric", True, [[[1.0, -2], [-2.0, 4]], [[1.0, -1], [-1.0, 1]]]),
    ("positive_semidefinite", True, [[[1.0, -2], [-2.0, 4]], [[1.0, -1], [-1.0, 1]]]),
    ("positive_definite", False, [[[1.0, -2], [-2.0, 4]], [[1.0, -1], [-1.0, 1]]]),
    ("symmetric", True, [[[4.0, 2], [2.0, 4]], [[3.0, -1], [-1.0, 3]]]),
    ("positive_semidefinite", True, [[[4.0, 2], [2.0, 4]], [[3.0, -1], [-1.0, 3]]]),
    ("positive_definite", True, [[[4.0, 2], [2.0, 4]], [[3.0, -1], [-1.0, 3]]]),
]


@pytest.mark.parametrize(("name", "expected", "value"), _MATRIX_EXAMPLES)
def test_matrix_constraints_hold_where_torchs_examples_say(name, expected, value):
    # the eigenvalues of [[a, b], [b, a]] are a +- b: hand-checkable
    assert bool(np.all(getattr(constraints, name).check(np.asarray(value)))) is expected


_ELEMENTS = np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, math.inf, math.nan])


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("greater_than_eq", (0.5,)),
        ("less_than", (1.0,)),
        ("nonnegative_integer", ()),
        ("positive_integer", ()),
        ("greater_than", (-0.5,)),
        ("interval", (-0.5, 1.0)),
        ("half_open_interval", (-0.5, 1.0)),
        ("integer_interval", (0, 2)),
    ],
)
def test_torchs_elementwise_constraint_names_check_and_print_as_torchs(torch, name, args):
    ours, theirs = getattr(constraints, name), getattr(torch.distributions.constraints, name)
    ours, theirs = (ours(*args), theirs(*args)) if args else (ours, theirs)
    np.testing.assert_array_equal(ours.check(_ELEMENTS), theirs.check(torch.tensor(_ELEMENTS)).numpy())
    assert repr(ours) == repr(theirs)
    assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)


def test_matrix_constraint_names_check_as_torchs(torch):
    tc = torch.distributions.constraints
    matrices = np.array([[[1.0, 0.0], [0.5, 2.0]], [[1.0, 0.3], [0.3, 1.0]], [[0.0, 0.0], [0.0, 0.0]]])
    symmetric = np.array([[[1.0, 0.3], [0.3, 1.0]], [[0.0, 0.0], [0.0, 0.0]], [[1.0, 2.0], [2.0, 1.0]]])
    for name in ("lower_triangular", "lower_cholesky", "symmetric", "positive_semidefinite", "positive_definite"):
        ours, theirs = getattr(constraints, name), getattr(tc, name)
        # (torch's semidefinite and definite checks give a whole batch the symmetry verdicts when any matrix
        # is not symmetric, so they are compared on symmetric batches)
        for batch in (symmetric,) if "definite" in name else (matrices, symmetric):
            their_check = theirs.check(torch.tensor(batch)).numpy()
            np.testing.assert_array_equal(ours.check(batch), their_check, err_msg=name)
        assert ours.event_dim == theirs.event_dim == 2
    assert constraints.positive_semidefinite.check(matrices).tolist() == [False, True, True]  # 0 is semidefinite
    assert constraints.positive_definite.check(matrices).tolist() == [False, True, False]
    assert (
        not constraints.square.check(np.zeros((3, 2, 3))).any() and constraints.square.check(np.zeros((4, 2, 2))).all()
    )


def test_independent_constraint_checks_whole_blocks_as_torchs(torch):
    tc = torch.distributions.constraints
    values = np.array([[[1.0, 2.0], [3.0, -1.0]], [[1.0, 2.0], [3.0, 4.0]]])
    for n in (0, 1, 2):
        ours, theirs = constraints.independent(constraints.positive, n), tc.independent(tc.positive, n)
        np.testing.assert_array_equal(ours.check(values), theirs.check(torch.tensor(values)).numpy())
        assert (repr(ours), ours.event_dim) == (repr(theirs), theirs.event_dim)
    assert repr(constraints.real_vector) == repr(tc.real_vector) == "IndependentConstraint(Real(), 1)"


def test_independent_distributions_support_is_the_independent_constraint_as_torchs(torch):
    base = Normal(autograd.zeros(4, 3, 2), 1.0)
    their_base = torch.distributions.Normal(torch.zeros(4, 3, 2), 1.0)
    for n in (0, 1, 2):
        ours = autograd.distributions.Independent(base, n).support
        theirs = torch.distributions.Independent(their_base, n).support
        assert (repr(ours), ours.event_dim) == (repr(theirs), theirs.event_dim)


# -- extreme parameters -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gamma_and_beta_draws_with_tiny_concentrations_stay_inside_the_support_as_torchs(dtype):
    # numpy's samplers underflow to 0 (and Beta's to 1) here; torch clamps its draws to [tiny, 1 - eps], so
    # log_prob of a draw is finite
    autograd.manual_seed(0)
    tiny, below_one = np.finfo(dtype).tiny, np.nextafter(dtype(1), dtype(0))
    small = autograd.tensor(np.array([1e-3, 1e-2, 0.5], dtype=dtype))
    gamma = Gamma(small, 1.0)
    draws = gamma.sample((2000,))
    assert draws.dtype == dtype and draws.data.min() >= tiny
    assert np.isfinite(gamma.log_prob(draws).data).all()
    beta = Beta(small, autograd.tensor(np.array([1e-3, 0.5, 1e-2], dtype=dtype)))
    draws = beta.sample((2000,))
    assert draws.dtype == dtype and draws.data.min() >= tiny and draws.data.max() <= below_one
    assert np.isfinite(beta.log_prob(draws).data).all()


def test_gamma_draws_are_clamped_at_torchs_floor(torch):
    their_floor = torch.distributions.Gamma(torch.tensor([1e-3], dtype=torch.float64), 1.0).sample((2000,)).min()
    autograd.manual_seed(1)
    ours = Gamma(autograd.tensor([1e-3]), 1.0).sample((2000,))
    assert ours.data.min() == float(their_floor) == np.finfo(np.float64).tiny


def _shifted_exponential(module):
    """A user's distribution written as torch's docs show: a parameter set by the others (constraints.dependent) and
    a support read from the parameters (constraints.dependent_property)."""

    class ShiftedExponential(module.Distribution):
        arg_constraints = {"rate": module.constraints.positive, "shift": module.constraints.dependent}

        def __init__(self, rate, shift, validate_args=None):
            self.rate, self.shift = rate, shift
            super().__init__(tuple(rate.shape), validate_args=validate_args)

        @module.constraints.dependent_property(is_discrete=False, event_dim=0)
        def support(self):
            return module.constraints.greater_than(self.shift)

        def log_prob(self, value):
            if self._validate_args:
                self._validate_sample(value)
            return self.rate.log() - self.rate * (value - self.shift)

    return ShiftedExponential


def test_dependent_constraints_of_a_users_distribution_behave_as_torchs(torch, td):
    mine, theirs = _shifted_exponential(autograd.distributions), _shifted_exponential(td)
    rate, shift, value = [1.0, 2.0], [0.5, -1.0], [1.0, 0.0]
    made = mine(autograd.tensor(rate), autograd.tensor(shift), validate_args=True)  # (shift's constraint is skipped)
    their = theirs(torch.tensor(rate).double(), torch.tensor(shift).double(), validate_args=True)
    np.testing.assert_allclose(
        made.log_prob(autograd.tensor(value)).data, _values(their.log_prob(torch.tensor(value).double())), rtol=1e-12
    )
    with pytest.raises(ValueError, match="support"):
        their.log_prob(torch.tensor([0.0, 0.0]))
    with pytest.raises(ValueError, match="support"):
        made.log_prob(autograd.tensor([0.0, 0.0]))
    for cls in (mine, theirs):  # read from the class, the support is a constraint of known kind
        assert cls.support.is_discrete is False and cls.support.event_dim == 0
    for module in (constraints, td.constraints):
        assert module.is_dependent(module.dependent) and not module.is_dependent(module.real)
        assert module.dependent(is_discrete=True, event_dim=1).event_dim == 1
        with pytest.raises(NotImplementedError):
            assert module.dependent.event_dim is None  # (raises before)
        with pytest.raises(ValueError, match="dependent"):
            module.dependent.check(np.zeros(2) if module is constraints else torch.zeros(2))


@pytest.mark.parametrize(
    "name", ["Binomial", "Categorical", "Multinomial", "Pareto", "Uniform", "Independent", "TransformedDistribution"]
)
def test_a_support_set_by_the_parameters_is_a_dependent_property_of_the_class_as_torchs(td, name):
    mine, theirs = getattr(autograd.distributions, name).support, getattr(td, name).support
    assert constraints.is_dependent(mine) and td.constraints.is_dependent(theirs)
    for attribute in ("is_discrete", "event_dim"):
        try:
            expected = getattr(theirs, attribute)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                getattr(mine, attribute)
        else:
            assert getattr(mine, attribute) == expected


def test_every_name_torch_distributions_exports_is_here_transforms_included(td):
    """torch.distributions re-exports its transforms (``torch.distributions.AffineTransform``): so does this module,
    the same objects as ``autograd.distributions.transforms``'."""
    missing = sorted(name for name in td.__all__ if not hasattr(autograd.distributions, name))
    assert missing == []
    for name in td.transforms.__all__:
        assert getattr(autograd.distributions, name) is getattr(autograd.distributions.transforms, name)


def test_normal_cdf_and_icdf_keep_the_left_tail_and_meet_torch_elsewhere(torch, td):
    """cdf = ndtr((x - loc) / scale), icdf = loc + scale ndtri(p): 0.5 (1 + erf(z / sqrt 2)) (torch's) is 0 below
    z = -8.3 and erfinv(2 p - 1) is -inf below p = 1e-17, where the values are 1e-300 .. 1e-16 and -37 .. -8.5."""
    import math

    loc, scale = 0.5, 2.0
    normal = Normal(autograd.tensor(loc), autograd.tensor(scale))
    x = np.array([-80.0, -20.0, -5.0, 0.5, 3.0, 30.0])
    expected = [0.5 * math.erfc(-(v - loc) / (scale * math.sqrt(2))) for v in x]
    np.testing.assert_allclose(np.asarray(normal.cdf(autograd.tensor(x)).data), expected, rtol=1e-13)
    p = np.array([1e-300, 1e-20, 1e-10, 0.3, 0.5, 0.9])
    icdf = np.asarray(normal.icdf(autograd.tensor(p)).data)
    assert np.isfinite(icdf).all()
    np.testing.assert_allclose(icdf[1], loc + scale * -9.262340089798408, rtol=1e-13)  # scipy.special.ndtri(1e-20)
    np.testing.assert_allclose(np.asarray(normal.cdf(autograd.tensor(icdf)).data), p, rtol=1e-12)
    assert_cdf_and_icdf_meet_torch(
        Normal, td.Normal, (loc, scale), np.array([-1.0, 0.5, 2.0]), np.array([0.1, 0.5, 0.8]), torch
    )


def test_laplace_cdf_and_icdf_keep_the_left_tail_and_meet_torch_elsewhere(torch, td):
    """cdf e^z / 2 below loc and 1 - e^-z / 2 above, icdf loc + scale log(2 p) below the median: torch's
    1/2 - 1/2 sign(z) expm1(-|z|) is 0 below z = -37 and its log1p(-2 |p - 1/2|) is -inf below p = 1e-17."""
    from autograd.distributions import Laplace

    loc, scale = 0.5, 2.0
    laplace = Laplace(autograd.tensor(loc), autograd.tensor(scale))
    z = np.array([-300.0, -40.0, -3.0, 0.0, 2.0, 40.0])
    expected = np.where(z < 0, 0.5 * np.exp(-np.abs(z)), 1 - 0.5 * np.exp(-np.abs(z)))
    np.testing.assert_allclose(np.asarray(laplace.cdf(autograd.tensor(loc + scale * z)).data), expected, rtol=1e-13)
    p = np.array([1e-300, 1e-20, 0.3, 0.5, 0.9])
    expected = np.where(p < 0.5, loc + scale * np.log(2 * p), loc - scale * np.log(2 - 2 * p))
    np.testing.assert_allclose(np.asarray(laplace.icdf(autograd.tensor(p)).data), expected, rtol=1e-13)
    assert_cdf_and_icdf_meet_torch(
        Laplace, td.Laplace, (loc, scale), np.array([-1.0, 2.0]), np.array([0.1, 0.8]), torch
    )


def test_exponential_cdf_is_minus_expm1_exact_near_zero(torch, td):
    """cdf -expm1(-rate x): torch's 1 - exp(-rate x) is 0 below rate x = 1e-16 (Pareto's cdf near its scale, a
    transformed Exponential, follows); elsewhere torch's values and gradients."""
    from autograd.distributions import Exponential, Pareto

    rate = 2.0
    x = np.array([0.0, 1e-20, 1e-9, 0.5, 30.0])
    out = Exponential(autograd.tensor(rate)).cdf(autograd.tensor(x))
    np.testing.assert_allclose(np.asarray(out.data), -np.expm1(-rate * x), rtol=1e-15)
    pareto = Pareto(autograd.tensor(1.0), autograd.tensor(3.0)).cdf(autograd.tensor([1 + 1e-12]))
    np.testing.assert_allclose(np.asarray(pareto.data), [3e-12], rtol=1e-3)
    leaf, their_leaf = (
        autograd.tensor(rate, requires_grad=True),
        torch.tensor(rate, requires_grad=True, dtype=torch.float64),
    )
    value = np.array([0.1, 1.5])
    out = Exponential(leaf).cdf(autograd.tensor(value))
    theirs = td.Exponential(their_leaf).cdf(torch.tensor(value))
    np.testing.assert_allclose(np.asarray(out.data), theirs.detach().numpy(), rtol=1e-14)
    out.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(float(np.asarray(leaf.grad)), their_leaf.grad.item(), rtol=1e-13)
