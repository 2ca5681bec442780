"""kl_divergence for the pairs of different types against torch.distributions.kl (float64): every pair torch
registers whose two types are here is registered, each new pair's values on random batched parameters (broadcast
either way), its gradients with respect to every parameter, its infinite entries, and torch's choice among
registered pairs for subclasses (most specific pair, ambiguity warning, register_kl's checks)."""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pytest

import autograd
import autograd.distributions as ours_module
from autograd.kl_registry import _KL_REGISTRY
from autograd.tensor import where

torch = pytest.importorskip("torch")
td = torch.distributions

# The pairs of different types torch registers whose types are both here (all registered by autograd.kl_cross_types)
NEW_PAIRS = [
    ("Bernoulli", "Poisson"),
    ("Beta", "Exponential"),
    ("Beta", "Gamma"),
    ("Beta", "Normal"),
    ("Beta", "Uniform"),
    ("Exponential", "Beta"),
    ("Exponential", "Gamma"),
    ("Exponential", "Normal"),
    ("Exponential", "Uniform"),
    ("Gamma", "Beta"),
    ("Gamma", "Exponential"),
    ("Gamma", "Normal"),
    ("Gamma", "Uniform"),
    ("Laplace", "Beta"),
    ("Laplace", "Exponential"),
    ("Laplace", "Gamma"),
    ("Laplace", "Normal"),
    ("Laplace", "Uniform"),
    ("Normal", "Beta"),
    ("Normal", "Exponential"),
    ("Normal", "Gamma"),
    ("Normal", "Laplace"),
    ("Normal", "Uniform"),
    ("Poisson", "Bernoulli"),
    ("Poisson", "Binomial"),
    ("Uniform", "Beta"),
    ("Uniform", "Exponential"),
    ("Uniform", "Gamma"),
    ("Uniform", "Normal"),
]


def _positive(rng, shape):
    return rng.uniform(0.3, 3.0, shape)


def _uniform_bounds(rng, shape, low_range=(-1.0, 1.0), high_range=None):
    """low and high with low < high: high = low + a positive width, or drawn from ``high_range`` above low."""
    low = rng.uniform(*low_range, shape)
    high = rng.uniform(*high_range, shape) if high_range else low + rng.uniform(0.1, 2.0, shape)
    return [low, np.maximum(high, low + 0.05)]


# name -> (random valid parameters, whether each is differentiable); Bernoulli by probs, Binomial's count fixed
PARAMETERS = {
    "Normal": lambda rng, s: [rng.normal(0.0, 1.5, s), _positive(rng, s)],
    "Laplace": lambda rng, s: [rng.normal(0.0, 1.5, s), _positive(rng, s)],
    "Exponential": lambda rng, s: [_positive(rng, s)],
    "Gamma": lambda rng, s: [_positive(rng, s), _positive(rng, s)],
    "Beta": lambda rng, s: [_positive(rng, s), _positive(rng, s)],
    "Uniform": lambda rng, s: _uniform_bounds(rng, s),
    "Poisson": lambda rng, s: [_positive(rng, s)],
    "Bernoulli": lambda rng, s: [rng.uniform(0.02, 0.98, s)],
    "Binomial": lambda rng, s: [rng.integers(1, 6, s).astype(np.float64), rng.uniform(0.02, 0.98, s)],
}
# Pairs whose finiteness depends on the parameters: draw them so both finite and infinite entries occur
SUPPORT_PARAMETERS = {
    ("Beta", "Uniform"): (None, lambda rng, s: _uniform_bounds(rng, s, (-0.6, 0.2), (0.8, 1.6))),
    ("Uniform", "Beta"): (lambda rng, s: _uniform_bounds(rng, s, (-0.2, 0.5), (0.55, 1.2)), None),
    ("Uniform", "Exponential"): (lambda rng, s: _uniform_bounds(rng, s, (-0.4, 1.5)), None),
    ("Uniform", "Gamma"): (lambda rng, s: _uniform_bounds(rng, s, (-0.4, 1.5)), None),
}
DIFFERENTIABLE = {"Binomial": [False, True]}


def _make(module, name, params):
    cls = getattr(module, name)
    if name == "Bernoulli":
        return cls(probs=params[0])
    if name == "Binomial":
        return cls(params[0], probs=params[1])
    return cls(*params)


def _leaves(arrays, name):
    flags = DIFFERENTIABLE.get(name, [True] * len(arrays))
    ours = [autograd.tensor(a, requires_grad=f) for a, f in zip(arrays, flags)]
    theirs = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, flags)]
    return ours, theirs, flags


def _their_kl(their_p, their_q):
    """torch's KL; where torch indexes the broadcast result with a mask of one side's shape (an IndexError), its
    KL of the two distributions expanded to the broadcast batch shape."""
    try:
        return td.kl_divergence(their_p, their_q)
    except IndexError:
        shape = torch.broadcast_shapes(their_p.batch_shape, their_q.batch_shape)
        return td.kl_divergence(their_p.expand(shape), their_q.expand(shape))


def _pair_case(pair, p_shape, q_shape, seed):
    rng = np.random.default_rng(seed)
    make_p, make_q = SUPPORT_PARAMETERS.get(pair, (None, None))
    p_arrays = (make_p or PARAMETERS[pair[0]])(rng, p_shape)
    q_arrays = (make_q or PARAMETERS[pair[1]])(rng, q_shape)
    p_ours, p_theirs, p_flags = _leaves(p_arrays, pair[0])
    q_ours, q_theirs, q_flags = _leaves(q_arrays, pair[1])
    ours = ours_module.kl_divergence(_make(ours_module, pair[0], p_ours), _make(ours_module, pair[1], q_ours))
    theirs = _their_kl(_make(td, pair[0], p_theirs), _make(td, pair[1], q_theirs))
    flags = p_flags + q_flags
    leaves = [(o, t) for o, t, f in zip(p_ours + q_ours, p_theirs + q_theirs, flags) if f]
    return ours, theirs, leaves


def test_every_pair_torch_registers_whose_types_are_here_is_registered():
    here = set(ours_module.__all__)
    theirs = {(p.__name__, q.__name__) for p, q in td.kl._KL_REGISTRY if p.__name__ in here and q.__name__ in here}
    registered = {(p.__name__, q.__name__) for p, q in _KL_REGISTRY}
    assert theirs <= registered
    # (the pairs of Cauchy, ContinuousBernoulli and LowRankMultivariateNormal: tests/test_more_distributions_torch.py;
    # of Gumbel, HalfNormal, LogNormal and Pareto: tests/test_transformed_distributions_torch.py)
    later = {"Cauchy", "ContinuousBernoulli", "LowRankMultivariateNormal", "MultivariateNormal", "ExponentialFamily"}
    later |= {"Gumbel", "HalfNormal", "LogNormal", "Pareto"}
    assert sorted(pair for pair in theirs if pair[0] != pair[1] and not later & set(pair)) == NEW_PAIRS
    for p_name, q_name in theirs:
        assert _KL_REGISTRY[getattr(ours_module, p_name), getattr(ours_module, q_name)] is not None


@pytest.mark.parametrize("pair", NEW_PAIRS, ids=["-".join(pair) for pair in NEW_PAIRS])
@pytest.mark.parametrize(("p_shape", "q_shape"), [((2, 3), (3,)), ((3,), (2, 3)), ((4, 1), (1, 5))])
def test_kl_of_a_new_pair_and_its_gradients_match_torch_with_broadcast_batches(pair, p_shape, q_shape):
    ours, theirs, leaves = _pair_case(pair, p_shape, q_shape, seed=zlib.crc32(repr((pair, p_shape)).encode()))
    their_values = theirs.detach().numpy()
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.data, their_values, rtol=1e-9, atol=1e-12)
    if not theirs.requires_grad:  # inf everywhere: a constant of p's batch shape, as torch's
        assert np.all(np.isinf(ours.data)) and not ours.requires_grad
        return
    finite = np.isfinite(their_values)
    weights = np.random.default_rng(1).uniform(0.5, 1.5, finite.shape) * finite
    (where(autograd.tensor(finite), ours, 0.0) * autograd.tensor(weights)).sum().backward()
    (torch.where(torch.tensor(finite), theirs, 0.0) * torch.tensor(weights)).sum().backward()
    for mine, their in leaves:
        # each parameter's gradient on the finite entries (torch's is nan where an inf entry's terms take the log
        # of a negative number, Uniform-Beta/Gamma with an interval outside q's support, as 0 * nan reaches the
        # parameters: ours is finite there; test_kl_pairs.py checks it by finite differences)
        their_grad = their.grad.numpy()
        defined = ~np.isnan(their_grad)
        # (atol 1e-8: the digamma terms' gradients go through trigamma, where torch's float64 is up to 2e-9 off
        # mpmath's; ours is within 1e-14 of it on Beta-Normal)
        np.testing.assert_allclose(mine.grad[defined], their_grad[defined], rtol=1e-7, atol=1e-8)
        assert np.all(np.isfinite(mine.grad))


INFINITE_CASES = [
    # (pair, p's parameters, q's parameters): entries where q has no mass on part of p's support, and ones where
    # the supports just fit (finite)
    (("Beta", "Uniform"), ([0.5, 2.0, 3.0, 1.0], [0.5, 2.0, 1.0, 4.0]), ([0.0, 0.1, -1.0, -2.0], [1.0, 1.0, 0.9, 3.0])),
    (
        ("Uniform", "Beta"),
        ([0.0, -1e-3, 0.5, 0.0], [1.0, 0.5, 1.001, 0.25]),
        ([0.5, 2.0, 3.0, 1.5], [2.0, 1.0, 0.7, 4.0]),
    ),
    (("Uniform", "Exponential"), ([0.0, -0.5, 2.0, -3.0], [1.0, 0.5, 3.0, -2.0]), ([2.0, 1.0, 0.5, 3.0],)),
    (
        ("Uniform", "Gamma"),
        ([0.0, -0.5, 2.0, -3.0], [1.0, 0.5, 3.0, -2.0]),
        ([0.5, 2.0, 3.0, 1.0], [1.0, 2.0, 0.5, 4.0]),
    ),
    (("Normal", "Uniform"), ([0.0, 1.0], [1.0, 2.0]), ([-1e3, -5.0], [1e3, 5.0])),
    (("Poisson", "Bernoulli"), ([0.0, 0.5, 4.0],), ([0.3, 0.5, 0.9],)),
    (("Poisson", "Binomial"), ([0.0, 0.5, 4.0],), ([10.0, 1.0, 100.0], [0.3, 0.5, 0.9])),
]


@pytest.mark.parametrize(
    ("pair", "p_params", "q_params"), INFINITE_CASES, ids=[c[0][0] + "-" + c[0][1] for c in INFINITE_CASES]
)
def test_kl_is_infinite_exactly_where_torchs_is(pair, p_params, q_params):
    # (a Poisson of rate 0 is the point mass at 0, so its true KL to a Bernoulli or Binomial is finite, -log q(0):
    # torch gives inf for every rate, and so do we)
    p_ours, p_theirs, _ = _leaves([np.asarray(a) for a in p_params], pair[0])
    q_ours, q_theirs, _ = _leaves([np.asarray(a) for a in q_params], pair[1])
    ours = ours_module.kl_divergence(_make(ours_module, pair[0], p_ours), _make(ours_module, pair[1], q_ours))
    theirs = td.kl_divergence(_make(td, pair[0], p_theirs), _make(td, pair[1], q_theirs)).detach().numpy()
    assert np.isinf(theirs).any()
    np.testing.assert_array_equal(np.isinf(ours.data), np.isinf(theirs))
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-9)


def test_bernoulli_poisson_with_the_point_masses_at_zero_is_zero_where_torch_gives_nan():
    probs, rates = np.array([0.0, 1.0, 0.0, 0.4]), np.array([0.0, 0.0, 2.0, 0.0])
    ours = ours_module.kl_divergence(
        ours_module.Bernoulli(probs=autograd.tensor(probs)), ours_module.Poisson(autograd.tensor(rates))
    ).data
    theirs = td.kl_divergence(td.Bernoulli(probs=torch.tensor(probs)), td.Poisson(torch.tensor(rates))).numpy()
    assert math.isnan(theirs[0])  # torch: 0 * log 0
    assert abs(ours[0]) < 1e-15  # both are the point mass at 0
    np.testing.assert_allclose(ours[1:], theirs[1:], rtol=1e-12)


def test_bernoulli_given_by_logits_gets_the_gradient_of_its_kl_to_a_poisson_as_torchs():
    logits, rates = np.array([-3.0, 0.2, 4.0]), np.array([0.5, 1.0, 3.0])
    x, r = autograd.tensor(logits, requires_grad=True), autograd.tensor(rates, requires_grad=True)
    tx, tr = torch.tensor(logits, requires_grad=True), torch.tensor(rates, requires_grad=True)
    ours = ours_module.kl_divergence(ours_module.Bernoulli(logits=x), ours_module.Poisson(r))
    theirs = td.kl_divergence(td.Bernoulli(logits=tx), td.Poisson(tr))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward(), theirs.sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.grad, tr.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "pair", [("Gamma", "Normal"), ("Uniform", "Beta"), ("Normal", "Laplace"), ("Laplace", "Gamma")]
)
def test_kl_keeps_float32_as_torch(pair):
    rng = np.random.default_rng(3)
    p_arrays = [
        a.astype(np.float32) for a in (SUPPORT_PARAMETERS.get(pair, (None, None))[0] or PARAMETERS[pair[0]])(rng, (3,))
    ]
    q_arrays = [a.astype(np.float32) for a in PARAMETERS[pair[1]](rng, (3,))]
    ours = ours_module.kl_divergence(
        _make(ours_module, pair[0], [autograd.tensor(a) for a in p_arrays]),
        _make(ours_module, pair[1], [autograd.tensor(a) for a in q_arrays]),
    )
    theirs = td.kl_divergence(
        _make(td, pair[0], [torch.tensor(a) for a in p_arrays]), _make(td, pair[1], [torch.tensor(a) for a in q_arrays])
    )
    assert ours.dtype == np.float32 and theirs.dtype == torch.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-5)


# -- dispatch ---------------------------------------------------------------------------------------------------
def _subclasses(module):
    """A fresh subclass of Normal and one of it (fresh so registrations do not leak into other tests)."""
    derived = type("DerivedNormal", (module.Normal,), {})
    return derived, type("MoreDerivedNormal", (derived,), {})


def _dispatch_outcomes(module):
    derived, more = _subclasses(module)
    outcomes = {}
    n, d, m, lap = module.Normal(0.0, 1.0), derived(0.0, 1.0), more(0.0, 1.0), module.Laplace(0.0, 1.0)

    def label(text):
        return lambda p, q: p.loc * 0 + text

    outcomes["derived-laplace before"] = round(float(module.kl_divergence(d, lap)), 6)  # torch: float32
    module.register_kl(derived, module.Laplace)(label(1.0))
    outcomes["derived-laplace after"] = float(module.kl_divergence(d, lap))
    outcomes["more-laplace"] = float(module.kl_divergence(m, lap))
    module.register_kl(module.Normal, derived)(label(2.0))
    outcomes["normal-more"] = float(module.kl_divergence(n, m))
    outcomes["more-normal"] = float(module.kl_divergence(m, module.Normal(1.0, 1.0)))
    module.register_kl(derived, module.Normal)(label(3.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcomes["more-more"] = float(module.kl_divergence(m, m))
    outcomes["warnings"] = [str(w.message) for w in caught if w.category is RuntimeWarning]
    module.register_kl(derived, derived)(label(4.0))
    outcomes["settled"] = float(module.kl_divergence(m, m))
    return outcomes


def test_kl_divergence_picks_the_most_specific_registered_pair_and_warns_when_ambiguous_as_torch():
    ours, theirs = _dispatch_outcomes(ours_module), _dispatch_outcomes(td)
    assert ours == theirs
    assert ours["derived-laplace after"] == 1.0 and ours["more-more"] == 3.0 and ours["settled"] == 4.0
    assert ours["warnings"] == [
        "Ambiguous kl_divergence(MoreDerivedNormal, MoreDerivedNormal). Please register_kl(DerivedNormal, DerivedNormal)"
    ]


def test_categorical_kl_with_masked_classes_has_the_unmasked_kls_gradient_not_nan():
    """Classes masked out of both p and q (logit -inf, as action masks do) contribute 0 to KL(p || q): its value
    and its gradient in the other logits are those of the Categoricals without those classes (torch's gradient,
    p_k (log p_k - log q_k) with -inf - -inf = nan times p_k = 0, is nan in every logit of p)."""
    inf = math.inf
    p_logits = np.array([[-inf, 0.5, 0.1], [0.2, -inf, -1.0]])
    q_logits = np.array([[-inf, 1.0, 0.0], [0.3, -inf, 2.0]])
    p, q = autograd.tensor(p_logits, requires_grad=True), autograd.tensor(q_logits, requires_grad=True)
    kl = ours_module.kl_divergence(ours_module.Categorical(logits=p), ours_module.Categorical(logits=q))
    kl.sum().backward()
    kept = [[1, 2], [0, 2]]  # the unmasked classes of each row
    for row, classes in enumerate(kept):
        p_kept = torch.tensor(p_logits[row, classes], requires_grad=True)
        q_kept = torch.tensor(q_logits[row, classes], requires_grad=True)
        expected = td.kl_divergence(td.Categorical(logits=p_kept), td.Categorical(logits=q_kept))
        expected.backward()
        np.testing.assert_allclose(float(kl.data[row]), expected.item(), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(p.grad)[row, classes], p_kept.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(q.grad)[row, classes], q_kept.grad.numpy(), rtol=1e-12)
    assert np.asarray(p.grad)[[0, 1], [0, 1]].tolist() == [0.0, 0.0]
