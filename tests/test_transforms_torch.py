"""autograd.distributions.transforms against torch.distributions.transforms (float64): forward maps, inverses,
log|det J| and their gradients with respect to the input and to the transforms' Tensor parameters (broadcast
over a batch), shapes, signs, event dims of domains and codomains, caching, equality, and biject_to /
transform_to for every constraint both registries know here."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import autograd.distributions as ours
from autograd.distributions import constraints, transforms

torch = pytest.importorskip("torch")
td = torch.distributions


def _ours(array, grad=False):
    return autograd.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _torch(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


RNG = np.random.default_rng(20240613)
LOC = RNG.normal(size=(3, 1))
SCALE = RNG.uniform(-2.0, 2.0, size=(4,))
EXPONENT = RNG.uniform(0.3, 2.5, size=(4,))

# name -> (factory given the transforms module and a tensor maker, parameter arrays, input sampler)
ELEMENTWISE = {
    "exp": (lambda module, make, *p: module.ExpTransform(), [], lambda rng, s: rng.normal(size=s)),
    "sigmoid": (lambda module, make, *p: module.SigmoidTransform(), [], lambda rng, s: rng.normal(scale=3, size=s)),
    "tanh": (lambda module, make, *p: module.TanhTransform(), [], lambda rng, s: rng.normal(scale=2, size=s)),
    "softplus": (lambda module, make, *p: module.SoftplusTransform(), [], lambda rng, s: rng.normal(scale=3, size=s)),
    "affine_numbers": (
        lambda module, make, *p: module.AffineTransform(0.5, -1.5),
        [],
        lambda rng, s: rng.normal(size=s),
    ),
    "affine_tensors": (
        lambda module, make, loc, scale: module.AffineTransform(loc, scale),
        [LOC, SCALE],
        lambda rng, s: rng.normal(size=s),
    ),
    "power": (
        lambda module, make, e: module.PowerTransform(e),
        [EXPONENT],
        lambda rng, s: rng.uniform(0.2, 3.0, size=s),
    ),
}


def _pair(name, grad=False):
    factory, params, sample = ELEMENTWISE[name]
    mine = [_ours(p, grad) for p in params]
    theirs = [_torch(p, grad) for p in params]
    return factory(transforms, _ours, *mine), factory(td.transforms, _torch, *theirs), mine, theirs, sample


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_forward_inverse_and_log_det_match_torch(name):
    mine, theirs, _, _, sample = _pair(name)
    x = sample(np.random.default_rng(1), (3, 4))
    y, y_torch = mine(_ours(x)), theirs(_torch(x))
    np.testing.assert_allclose(y.data, y_torch.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mine.inv(y).data, theirs.inv(y_torch).numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.inv(y).data, x, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        mine.log_abs_det_jacobian(_ours(x), y).data,
        theirs.log_abs_det_jacobian(_torch(x), y_torch).numpy(),
        rtol=1e-12,
        atol=1e-14,
    )
    np.testing.assert_allclose(
        mine.inv.log_abs_det_jacobian(y, _ours(x)).data,
        theirs.inv.log_abs_det_jacobian(y_torch, _torch(x)).numpy(),
        rtol=1e-12,
        atol=1e-14,
    )


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_gradients_reach_input_and_parameters_as_torch(name):
    mine, theirs, my_params, their_params, sample = _pair(name, grad=True)
    x = sample(np.random.default_rng(2), (3, 4))
    x_mine, x_torch = _ours(x, True), _torch(x, True)
    weights = np.random.default_rng(3).normal(size=(3, 4))
    y_mine, y_torch = mine(x_mine), theirs(x_torch)
    total = (y_mine * _ours(weights)).sum() + mine.log_abs_det_jacobian(x_mine, y_mine).sum()
    total_torch = (y_torch * _torch(weights)).sum() + theirs.log_abs_det_jacobian(x_torch, y_torch).sum()
    total.backward()
    total_torch.backward()
    for leaf, leaf_torch in zip([x_mine, *my_params], [x_torch, *their_params]):
        np.testing.assert_allclose(leaf.grad, leaf_torch.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_sign_and_event_dims_match_torch(name):
    mine, theirs, _, _, _ = _pair(name)
    sign, sign_torch = mine.sign, theirs.sign
    np.testing.assert_array_equal(np.asarray(getattr(sign, "data", sign)), np.asarray(sign_torch))
    assert (mine.domain.event_dim, mine.codomain.event_dim) == (theirs.domain.event_dim, theirs.codomain.event_dim)
    assert mine.bijective == theirs.bijective
    assert tuple(mine.forward_shape((3, 4))) == tuple(theirs.forward_shape((3, 4)))


def test_abs_transform_maps_to_magnitudes_with_the_identity_as_inverse():
    x = np.array([-2.0, 0.0, 3.0])
    mine, theirs = transforms.AbsTransform(), td.transforms.AbsTransform()
    np.testing.assert_array_equal(mine(_ours(x)).data, theirs(_torch(x)).numpy())
    np.testing.assert_array_equal(mine.inv(_ours(np.abs(x))).data, theirs.inv(_torch(np.abs(x))).numpy())
    assert mine.bijective is False and theirs.bijective is False


def _simplex_inputs(rng):
    return rng.normal(size=(2, 3, 4))


@pytest.mark.parametrize("name", ["stick_breaking", "softmax"])
def test_vector_transforms_match_torch(name):
    make = {"stick_breaking": "StickBreakingTransform", "softmax": "SoftmaxTransform"}[name]
    mine, theirs = getattr(transforms, make)(), getattr(td.transforms, make)()
    x = _simplex_inputs(np.random.default_rng(4))
    y, y_torch = mine(_ours(x)), theirs(_torch(x))
    np.testing.assert_allclose(y.data, y_torch.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mine.inv(y).data, theirs.inv(y_torch).numpy(), rtol=1e-10, atol=1e-12)
    assert tuple(mine.forward_shape((2, 3, 4))) == tuple(theirs.forward_shape((2, 3, 4)))
    assert tuple(mine.inverse_shape((2, 3, 5))) == tuple(theirs.inverse_shape((2, 3, 5)))
    assert (mine.domain.event_dim, mine.codomain.event_dim) == (theirs.domain.event_dim, theirs.codomain.event_dim)


def test_stick_breaking_log_det_and_its_gradient_match_torch():
    x = _simplex_inputs(np.random.default_rng(5))
    mine, theirs = transforms.StickBreakingTransform(), td.transforms.StickBreakingTransform()
    x_mine, x_torch = _ours(x, True), _torch(x, True)
    value = mine.log_abs_det_jacobian(x_mine, mine(x_mine))
    value_torch = theirs.log_abs_det_jacobian(x_torch, theirs(x_torch))
    np.testing.assert_allclose(value.data, value_torch.detach().numpy(), rtol=1e-12)
    value.sum().backward()
    value_torch.sum().backward()
    np.testing.assert_allclose(x_mine.grad, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.inv(mine(_ours(x))).data, x, rtol=1e-9, atol=1e-10)


def test_lower_cholesky_transform_matches_torch_both_ways():
    x = np.random.default_rng(6).normal(size=(2, 3, 3))
    mine, theirs = transforms.LowerCholeskyTransform(), td.transforms.LowerCholeskyTransform()
    y, y_torch = mine(_ours(x)), theirs(_torch(x))
    np.testing.assert_allclose(y.data, y_torch.numpy(), rtol=1e-14)
    np.testing.assert_allclose(mine.inv(y).data, theirs.inv(y_torch).numpy(), rtol=1e-12)
    assert constraints.lower_cholesky.check(y.data).all()


def test_reshape_transform_matches_torch_and_has_zero_log_det():
    x = np.random.default_rng(7).normal(size=(5, 2, 6))
    mine, theirs = transforms.ReshapeTransform((2, 6), (3, 4)), td.transforms.ReshapeTransform((2, 6), (3, 4))
    y, y_torch = mine(_ours(x)), theirs(_torch(x))
    np.testing.assert_array_equal(y.data, y_torch.numpy())
    np.testing.assert_array_equal(mine.inv(y).data, x)
    np.testing.assert_array_equal(mine.log_abs_det_jacobian(_ours(x), y).data, np.zeros(5))
    assert tuple(mine.forward_shape((7, 2, 6))) == tuple(theirs.forward_shape((7, 2, 6)))
    with pytest.raises(ValueError, match="different numbers"):
        transforms.ReshapeTransform((2, 3), (4,))
    with pytest.raises(ValueError, match="shape mismatch"):
        mine.forward_shape((7, 3, 4))


def test_independent_and_compose_transforms_sum_log_dets_over_events_as_torch():
    x = np.random.default_rng(8).normal(size=(2, 3, 4))
    scale = RNG.uniform(0.5, 2.0, size=(4,))
    parts = lambda module, make: [  # noqa: E731
        module.AffineTransform(0.3, make(scale)),
        module.IndependentTransform(module.ExpTransform(), 1),
        module.ExpTransform().inv,
        module.StickBreakingTransform(),
    ]
    mine, theirs = (
        transforms.ComposeTransform(parts(transforms, _ours)),
        td.transforms.ComposeTransform(parts(td.transforms, _torch)),
    )
    y, y_torch = mine(_ours(x)), theirs(_torch(x))
    np.testing.assert_allclose(y.data, y_torch.numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        mine.log_abs_det_jacobian(_ours(x), y).data,
        theirs.log_abs_det_jacobian(_torch(x), y_torch).numpy(),
        rtol=1e-12,
    )
    np.testing.assert_allclose(mine.inv(y).data, theirs.inv(y_torch).numpy(), rtol=1e-9)
    assert (mine.domain.event_dim, mine.codomain.event_dim) == (theirs.domain.event_dim, theirs.codomain.event_dim)
    assert tuple(mine.forward_shape((2, 3, 4))) == tuple(theirs.forward_shape((2, 3, 4)))
    assert mine.inv.inv is mine and mine.bijective == theirs.bijective


def test_identity_transform_is_the_empty_chain_with_zero_log_det():
    x = _ours([1.0, -2.0])
    assert transforms.identity_transform(x) is x
    np.testing.assert_array_equal(transforms.identity_transform.log_abs_det_jacobian(x, x).data, [0.0, 0.0])
    assert repr(transforms.identity_transform.domain) == repr(td.transforms.identity_transform.domain)


def test_cumulative_distribution_transform_uses_the_cdf_icdf_and_density():
    loc, scale = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3)
    x = np.random.default_rng(9).normal(size=(2, 3))
    mine = transforms.CumulativeDistributionTransform(ours.Normal(_ours(loc), _ours(scale)))
    theirs = td.transforms.CumulativeDistributionTransform(td.Normal(_torch(loc), _torch(scale)))
    y, y_torch = mine(_ours(x)), theirs(_torch(x))
    np.testing.assert_allclose(y.data, y_torch.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine.inv(y).data, x, rtol=1e-9)
    np.testing.assert_allclose(
        mine.log_abs_det_jacobian(_ours(x), y).data, theirs.log_abs_det_jacobian(_torch(x), y_torch).numpy()
    )


def test_cache_of_size_one_returns_the_kept_result_for_the_same_object():
    cached = transforms.ExpTransform(cache_size=1)
    x = _ours([0.5, 1.0])
    y = cached(x)
    assert cached(x) is y and cached.inv(y) is x
    uncached = transforms.ExpTransform()
    assert uncached(x) is not uncached(x)
    assert uncached.with_cache(1)._cache_size == 1 and uncached.with_cache(0) is uncached
    assert transforms.AffineTransform(0.0, 2.0).with_cache(1)._cache_size == 1
    with pytest.raises(ValueError, match="cache_size"):
        transforms.ExpTransform(cache_size=2)


def test_equality_and_inverse_identity_follow_torch():
    assert transforms.ExpTransform() == transforms.ExpTransform()
    assert transforms.ExpTransform().inv == transforms.ExpTransform().inv
    assert transforms.ExpTransform() != transforms.SigmoidTransform()
    assert transforms.AffineTransform(1.0, 2.0) == transforms.AffineTransform(1.0, 2.0)
    assert transforms.AffineTransform(1.0, 2.0) != transforms.AffineTransform(1.0, 3.0)
    assert transforms.PowerTransform(2.0) == transforms.PowerTransform(2.0)
    t = transforms.SigmoidTransform()
    assert t.inv.inv is t
    assert repr(t.inv) == repr(td.transforms.SigmoidTransform().inv)
    assert repr(transforms.ExpTransform().inv.domain) == repr(td.transforms.ExpTransform().inv.domain)


CONSTRAINTS = [
    ("real", lambda c: c.real),
    ("real_vector", lambda c: c.real_vector),
    ("positive", lambda c: c.positive),
    ("nonnegative", lambda c: c.nonnegative),
    ("greater_than", lambda c: c.greater_than(1.5)),
    ("greater_than_eq", lambda c: c.greater_than_eq(-0.5)),
    ("less_than", lambda c: c.less_than(2.0)),
    ("unit_interval", lambda c: c.unit_interval),
    ("interval", lambda c: c.interval(-1.0, 3.0)),
    ("half_open_interval", lambda c: c.half_open_interval(0.0, 2.0)),
    ("simplex", lambda c: c.simplex),
    ("lower_cholesky", lambda c: c.lower_cholesky),
]


def _structure(transform):
    """The transform's type names, nested (Compose and Independent parts included)."""
    if hasattr(transform, "parts"):
        return (type(transform).__name__, tuple(_structure(p) for p in transform.parts))
    if hasattr(transform, "base_transform"):
        return (type(transform).__name__, _structure(transform.base_transform))
    return type(transform).__name__


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize(("name", "make"), CONSTRAINTS, ids=[n for n, _ in CONSTRAINTS])
def test_constraint_registries_give_torch_transforms_with_torch_values(registry, name, make):
    try:
        theirs = getattr(td, registry)(make(td.constraints))
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            getattr(ours, registry)(make(constraints))
        return
    mine = getattr(ours, registry)(make(constraints))
    assert _structure(mine) == _structure(theirs)
    shape = (2, 3, 3) if name == "lower_cholesky" else (2, 3)
    x = np.random.default_rng(10).normal(size=shape)
    y = mine(_ours(x))
    np.testing.assert_allclose(y.data, theirs(_torch(x)).numpy(), rtol=1e-12)
    assert make(constraints).check(y.data).all()
    if mine.bijective:
        np.testing.assert_allclose(mine.inv(y).data, x, rtol=1e-8, atol=1e-8)


def test_registry_refuses_unknown_constraints_and_registers_new_ones():
    with pytest.raises(NotImplementedError, match="Cannot transform"):
        ours.biject_to(constraints.boolean)
    registry = type(ours.biject_to)()
    registry.register(constraints.boolean, lambda c: transforms.SigmoidTransform())
    assert isinstance(registry(constraints.boolean), transforms.SigmoidTransform)
    with pytest.raises(TypeError, match="Constraint"):
        registry.register(int, lambda c: transforms.SigmoidTransform())


def test_transforms_module_is_importable_by_torchs_path():
    from autograd.distributions.transforms import StickBreakingTransform

    assert StickBreakingTransform is transforms.StickBreakingTransform
    assert sorted(set(transforms.__all__) - set(td.transforms.__all__)) == []


@pytest.mark.parametrize("n", [2, 3, 5])
def test_corr_cholesky_transform_matches_torch_with_gradients(n):
    x = np.random.default_rng(n).normal(scale=1.5, size=(2, 4, n * (n - 1) // 2))
    mine, theirs = transforms.CorrCholeskyTransform(), td.transforms.CorrCholeskyTransform()
    mine_x, their_x = _ours(x, grad=True), _torch(x, grad=True)
    y, their_y = mine(mine_x), theirs(their_x)
    np.testing.assert_allclose(y.data, their_y.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert constraints.corr_cholesky.check(np.asarray(y.data)).all()
    log_det, their_log_det = mine.log_abs_det_jacobian(mine_x, y), theirs.log_abs_det_jacobian(their_x, their_y)
    assert log_det.shape == tuple(their_log_det.shape) == (2, 4)
    np.testing.assert_allclose(log_det.data, their_log_det.detach().numpy(), rtol=1e-12)
    weights = np.arange(n * n, dtype=float).reshape(n, n)
    (log_det.sum() + (y * _ours(weights)).sum()).backward()
    (their_log_det.sum() + (their_y * _torch(weights)).sum()).backward()
    np.testing.assert_allclose(mine_x.grad, their_x.grad.numpy(), rtol=1e-10, atol=1e-12)
    back = mine.inv(_ours(their_y.detach().numpy()))
    np.testing.assert_allclose(back.data, theirs.inv(their_y.detach()).numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(back.data, x, rtol=1e-9, atol=1e-12)
    assert mine.forward_shape((7, x.shape[-1])) == tuple(theirs.forward_shape((7, x.shape[-1]))) == (7, n, n)
    assert mine.inverse_shape((7, n, n)) == tuple(theirs.inverse_shape((7, n, n)))
    assert (mine.domain.event_dim, mine.codomain.event_dim) == (1, 2) and mine.bijective


def test_biject_to_corr_cholesky_is_the_corr_cholesky_transform_as_torchs():
    for module in (ours, td):
        for registry in (module.biject_to, module.transform_to):
            assert isinstance(registry(module.LKJCholesky(3).support), module.transforms.CorrCholeskyTransform)
    with pytest.raises(ValueError):
        transforms.CorrCholeskyTransform()(_ours(np.zeros(4)))  # 4 is not n (n - 1) / 2


def test_positive_definite_transform_matches_torch_and_is_transform_to_of_the_definite_constraints():
    x = np.random.default_rng(3).normal(size=(2, 3, 3))
    mine, theirs = transforms.PositiveDefiniteTransform(), td.transforms.PositiveDefiniteTransform()
    mine_x, their_x = _ours(x, grad=True), _torch(x, grad=True)
    y, their_y = mine(mine_x), theirs(their_x)
    np.testing.assert_allclose(y.data, their_y.detach().numpy(), rtol=1e-12)
    assert constraints.positive_definite.check(np.asarray(y.data)).all()
    weights = np.arange(9, dtype=float).reshape(3, 3)
    (y * _ours(weights)).sum().backward()
    (their_y * _torch(weights)).sum().backward()
    np.testing.assert_allclose(mine_x.grad, their_x.grad.numpy(), rtol=1e-12)
    back = mine.inv(_ours(their_y.detach().numpy()))
    np.testing.assert_allclose(back.data, theirs.inv(their_y.detach()).numpy(), rtol=1e-10, atol=1e-12)
    assert not mine.bijective and (mine.domain.event_dim, mine.codomain.event_dim) == (2, 2)
    for module in (ours, td):
        for constraint in (module.constraints.positive_definite, module.constraints.positive_semidefinite):
            assert isinstance(module.transform_to(constraint), module.transforms.PositiveDefiniteTransform)


def _combined(module, which):
    m = module.transforms
    if which == "cat_elementwise":
        parts = [m.ExpTransform(), m.AffineTransform(1.0, 2.0), m.SigmoidTransform()]
        return m.CatTransform(parts, dim=-1, lengths=[2, 1, 3])
    if which == "cat_first_axis":
        return m.CatTransform([m.ExpTransform(), m.SigmoidTransform()], dim=0, lengths=[2, 1])
    if which == "cat_inside_the_event":  # (each part's log|det J| is one per vector: the parts' are added)
        parts = [m.IndependentTransform(m.ExpTransform(), 1), m.IndependentTransform(m.SigmoidTransform(), 1)]
        return m.CatTransform(parts, dim=-1, lengths=[2, 4])
    if which == "stack":
        return m.StackTransform([m.ExpTransform(), m.SigmoidTransform(), m.AffineTransform(0.5, -1.0)], dim=1)
    return m.StackTransform([m.ExpTransform(), m.SigmoidTransform(), m.AffineTransform(0.5, -1.0)], dim=-1)


@pytest.mark.parametrize(
    "which", ["cat_elementwise", "cat_first_axis", "cat_inside_the_event", "stack", "stack_last_axis"]
)
def test_cat_and_stack_transforms_match_torch_with_gradients(which):
    x = np.random.default_rng(5).normal(size=(3, 3, 3 if which == "stack_last_axis" else 6))
    mine, theirs = _combined(ours, which), _combined(td, which)
    mine_x, their_x = _ours(x, grad=True), _torch(x, grad=True)
    y, their_y = mine(mine_x), theirs(their_x)
    np.testing.assert_allclose(y.data, their_y.detach().numpy(), rtol=1e-12)
    log_det, their_log_det = mine.log_abs_det_jacobian(mine_x, y), theirs.log_abs_det_jacobian(their_x, their_y)
    assert log_det.shape == tuple(their_log_det.shape)
    np.testing.assert_allclose(log_det.data, their_log_det.detach().numpy(), rtol=1e-12)
    (log_det.sum() + y.sum()).backward()
    (their_log_det.sum() + their_y.sum()).backward()
    np.testing.assert_allclose(mine_x.grad, their_x.grad.numpy(), rtol=1e-12)
    back = mine.inv(_ours(their_y.detach().numpy()))
    np.testing.assert_allclose(back.data, theirs.inv(their_y.detach()).numpy(), rtol=1e-10)
    assert mine.bijective == theirs.bijective
    assert (mine.domain.event_dim, mine.codomain.event_dim) == (theirs.domain.event_dim, theirs.codomain.event_dim)
    values = their_y.detach().numpy()
    np.testing.assert_array_equal(mine.codomain.check(values), theirs.codomain.check(torch.tensor(values)).numpy())


def test_biject_to_cat_and_stack_constraints_joins_the_parts_transforms_as_torchs():
    for module in (ours, td):
        c = module.constraints
        joined = c.cat([c.positive, c.unit_interval], dim=-1, lengths=[2, 1])
        stacked = c.stack([c.positive, c.real], dim=0)
        assert (joined.event_dim, stacked.event_dim, joined.is_discrete) == (0, 0, False)
        for registry in (module.biject_to, module.transform_to):
            assert isinstance(registry(joined), module.transforms.CatTransform)
            assert isinstance(registry(stacked), module.transforms.StackTransform)
    value = np.array([[1.0, -2.0], [3.0, 0.5]])
    stacked_torch = td.constraints.stack([td.constraints.positive, td.constraints.real], dim=0)
    stacked_ours = constraints.stack([constraints.positive, constraints.real], dim=0)
    np.testing.assert_array_equal(stacked_ours.check(value), stacked_torch.check(torch.tensor(value)).numpy())
    with pytest.raises(AssertionError):
        _combined(ours, "stack")(_ours(np.zeros((2, 2))))  # 2 entries along dim 1 for 3 transforms
