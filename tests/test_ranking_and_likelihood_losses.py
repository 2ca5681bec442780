"""margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss, triplet_margin_loss,
poisson_nll_loss, gaussian_nll_loss (and their layers) and multi_margin_loss's class weights: values and
gradients against torch under every reduction, finite differences, torch's derivative at the hinge, the
signatures and the errors."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

REDUCTIONS = ["none", "mean", "sum"]
RNG = np.random.default_rng(0)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])


def _vectors(*shape):
    return RNG.normal(size=shape)


# name -> (arrays, which of them take gradients, our call, torch's call): the arrays are the loss's inputs
CASES = {
    "margin_ranking_loss": (
        lambda: (_vectors(6), _vectors(6), SIGNS),
        2,
        lambda lib, a, b, y, r: lib.margin_ranking_loss(a, b, y, margin=0.3, reduction=r),
    ),
    "hinge_embedding_loss": (
        lambda: (np.abs(_vectors(6)) * 1.5, SIGNS),
        1,
        lambda lib, x, y, r: lib.hinge_embedding_loss(x, y, margin=1.2, reduction=r),
    ),
    "soft_margin_loss": (
        lambda: (_vectors(6) * 4, SIGNS),
        1,
        lambda lib, x, y, r: lib.soft_margin_loss(x, y, reduction=r),
    ),
    "cosine_embedding_loss": (
        lambda: (_vectors(6, 3), _vectors(6, 3), SIGNS),
        2,
        lambda lib, a, b, y, r: lib.cosine_embedding_loss(a, b, y, margin=-0.2, reduction=r),
    ),
    "cosine_embedding_loss_unbatched": (
        lambda: (_vectors(3), _vectors(3), np.array(-1.0)),
        2,
        lambda lib, a, b, y, r: lib.cosine_embedding_loss(a, b, y, reduction=r),
    ),
    "triplet_margin_loss": (
        lambda: (_vectors(5, 4), _vectors(5, 4), _vectors(5, 4)),
        3,
        lambda lib, a, p, n, r: lib.triplet_margin_loss(a, p, n, margin=2.0, reduction=r),
    ),
    "triplet_margin_loss_swap_p1": (
        lambda: (_vectors(5, 4), _vectors(5, 4), _vectors(5, 4)),
        3,
        lambda lib, a, p, n, r: lib.triplet_margin_loss(a, p, n, margin=1.5, p=1, swap=True, reduction=r),
    ),
    "triplet_margin_loss_3d_swap": (  # torch takes (N, ..., D): one term per vector along the last axis
        lambda: (_vectors(2, 3, 4), _vectors(2, 3, 4), _vectors(2, 3, 4)),
        3,
        lambda lib, a, p, n, r: lib.triplet_margin_loss(a, p, n, margin=1.5, swap=True, reduction=r),
    ),
    "triplet_margin_loss_0d": (  # and a 0-d input as one one-entry vector
        lambda: (np.array(0.3), np.array(1.1), np.array(-0.4)),
        3,
        lambda lib, a, p, n, r: lib.triplet_margin_loss(a, p, n, margin=1.5, reduction=r),
    ),
    "poisson_nll_loss": (
        lambda: (_vectors(2, 3), RNG.poisson(2.0, size=(2, 3)).astype(float)),
        2,
        lambda lib, x, t, r: lib.poisson_nll_loss(x, t, reduction=r),
    ),
    "poisson_nll_loss_rates_full": (
        lambda: (np.abs(_vectors(2, 3)) + 0.1, RNG.poisson(3.0, size=(2, 3)) + 2.0),  # Stirling's jumps at 1
        2,
        lambda lib, x, t, r: lib.poisson_nll_loss(x, t, log_input=False, full=True, reduction=r),
    ),
    "gaussian_nll_loss": (
        lambda: (_vectors(4, 3), _vectors(4, 3), np.abs(_vectors(4, 3)) + 0.1),
        3,
        lambda lib, x, t, v, r: lib.gaussian_nll_loss(x, t, v, full=True, reduction=r),
    ),
    "gaussian_nll_loss_per_sample_variance": (
        lambda: (_vectors(4, 3), _vectors(4, 3), np.abs(_vectors(4)) + 0.1),
        3,
        lambda lib, x, t, v, r: lib.gaussian_nll_loss(x, t, v, reduction=r),
    ),
    "gaussian_nll_loss_shared_axis_and_tiny_variance": (
        lambda: (_vectors(4, 3), _vectors(4, 3), np.array([[1e-9], [0.5], [0.0], [2.0]])),
        3,
        lambda lib, x, t, v, r: lib.gaussian_nll_loss(x, t, v, eps=1e-3, reduction=r),
    ),
    "multi_margin_loss_weight": (
        lambda: (_vectors(5, 4), RNG.integers(0, 4, size=5)),
        1,
        lambda lib, x, y, r: lib.multi_margin_loss(x, y, 2, 0.7, _weights(lib, x), reduction=r),
    ),
}


def _weights(lib, x):
    weights = np.array([0.5, 2.0, 1.0, 3.0])
    return weights if lib is F else x.new_tensor(weights)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_values_and_gradients_match_torch(name, reduction):
    torch = pytest.importorskip("torch")
    make, differentiable, call = CASES[name]
    arrays = make()
    ours = [Tensor(a, requires_grad=True) if i < differentiable else a for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i < differentiable) for i, a in enumerate(arrays)]
    out, expected = call(F, *ours, reduction), call(torch.nn.functional, *theirs, reduction)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(1).normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    for mine, reference in zip(ours[:differentiable], theirs[:differentiable]):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(set(CASES) - {"gaussian_nll_loss_shared_axis_and_tiny_variance"}))
def test_loss_gradients_match_finite_differences(name):
    make, differentiable, call = CASES[name]
    arrays = make()
    constants = arrays[differentiable:]
    assert gradcheck(lambda *xs: call(F, *xs, *constants, "sum"), arrays[:differentiable])


def test_hinges_take_torchs_derivative_1_where_they_are_exactly_zero():
    torch = pytest.importorskip("torch")
    cases = [
        (
            lambda lib, a: lib.margin_ranking_loss(a[:1], a[1:], a.new_ones(1) if lib is not F else np.ones(1)),
            [1.0, 1.0],
        ),
        (lambda lib, a: lib.hinge_embedding_loss(a, -a.new_ones(2) if lib is not F else -np.ones(2)), [1.0, 0.5]),
    ]
    for call, values in cases:
        ours, theirs = Tensor(np.array(values), requires_grad=True), torch.tensor(values, requires_grad=True)
        call(F, ours).backward()
        call(torch.nn.functional, theirs).backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
        assert np.abs(ours.grad).sum() > 0


def test_soft_margin_loss_is_finite_at_extreme_scores():
    out = F.soft_margin_loss(np.array([800.0, -800.0]), np.array([-1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(out.data, [800.0, 800.0])


def test_poisson_full_adds_stirlings_approximation_only_for_counts_above_one():
    rates, counts = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 4.0])
    plain = F.poisson_nll_loss(rates, counts, log_input=False, reduction="none").data
    full = F.poisson_nll_loss(rates, counts, log_input=False, full=True, reduction="none").data
    stirling = 4 * math.log(4) - 4 + 0.5 * math.log(2 * math.pi * 4)
    np.testing.assert_allclose(full - plain, [0.0, 0.0, stirling], rtol=1e-12)


MODULES = [
    ("MarginRankingLoss", {"margin": 0.5}),
    ("HingeEmbeddingLoss", {"margin": 2.0}),
    ("SoftMarginLoss", {}),
    ("CosineEmbeddingLoss", {"margin": 0.1}),
    ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True}),
    ("PoissonNLLLoss", {"log_input": False, "full": True}),
    ("GaussianNLLLoss", {"full": True, "eps": 1e-4}),
    ("MultiMarginLoss", {"p": 2, "weight": np.array([1.0, 2.0, 0.5, 1.0])}),
]


@pytest.mark.parametrize(("name", "options"), MODULES, ids=[name for name, _ in MODULES])
def test_loss_layers_take_torchs_arguments_and_match_torch(name, options):
    torch = pytest.importorskip("torch")
    deprecated = {"size_average", "reduce"}
    theirs = [(p.name, p.default) for p in inspect.signature(getattr(torch.nn, name)).parameters.values()]
    ours = [(p.name, p.default) for p in inspect.signature(getattr(nn, name)).parameters.values()]
    assert [n for n, _ in theirs if n not in deprecated] == [n for n, _ in ours if n not in deprecated]
    assert all(dict(ours)[n] == d for n, d in theirs if n not in deprecated | {"weight"})
    case = {
        "MarginRankingLoss": "margin_ranking_loss",
        "HingeEmbeddingLoss": "hinge_embedding_loss",
        "SoftMarginLoss": "soft_margin_loss",
        "CosineEmbeddingLoss": "cosine_embedding_loss",
        "TripletMarginLoss": "triplet_margin_loss",
        "PoissonNLLLoss": "poisson_nll_loss_rates_full",
        "GaussianNLLLoss": "gaussian_nll_loss",
        "MultiMarginLoss": "multi_margin_loss_weight",
    }[name]
    arrays = CASES[case][0]()
    torch_options = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    for reduction in REDUCTIONS:
        mine = getattr(nn, name)(**options, reduction=reduction)(*arrays)
        reference = getattr(torch.nn, name)(**torch_options, reduction=reduction)(*map(torch.tensor, arrays))
        np.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: F.margin_ranking_loss(np.ones(3), np.ones(2), np.ones(3)),
            ValueError,
            "input2 shape",
        ),
        (lambda: F.hinge_embedding_loss(np.ones(3), np.ones(3), 1.0, "sum"), TypeError, "positional"),
        (lambda: F.cosine_embedding_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones(3)), ValueError, "inputs' batch"),
        (
            lambda: F.cosine_embedding_loss(np.ones((2, 2, 3)), np.ones((2, 2, 3)), np.ones((2, 2))),
            ValueError,
            r"\(N, D\)",
        ),
        (lambda: F.triplet_margin_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 3))), ValueError, "anchor shape"),
        (
            lambda: F.gaussian_nll_loss(np.ones((2, 3)), np.ones((2, 3)), -np.ones((2, 3))),
            ValueError,
            "var must be >= 0",
        ),
        (lambda: F.gaussian_nll_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 2))), ValueError, "does not fit"),
        (lambda: F.poisson_nll_loss(np.ones(2), np.ones(2), reduction="avg"), ValueError, "reduction must be"),
        (
            lambda: F.multi_margin_loss(np.ones((2, 3)), np.array([0, 1]), 1, 1.0, np.ones(4)),
            ValueError,
            "weight must have shape",
        ),
        (lambda: nn.TripletMarginLoss(p=0), ValueError, "TripletMarginLoss: p must be positive"),
        (lambda: nn.TripletMarginLoss(margin=0.0), ValueError, "TripletMarginLoss: margin must be positive"),
        (
            lambda: F.triplet_margin_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), margin=-1.0),
            ValueError,
            "triplet_margin_loss: margin must be positive",
        ),
    ],
)
def test_losses_reject_bad_arguments_naming_the_loss(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    "shapes",
    [((4,), (4,), (1,)), ((4, 1), (1, 3), (4, 3)), ((2, 3), (1, 3), (2, 1))],
    ids=["one-target", "outer-pairs", "rows-and-columns"],
)
def test_margin_ranking_loss_broadcasts_operands_of_one_rank_as_torch(shapes):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    y = np.where(rng.standard_normal(shapes[2]) > 0, 1.0, -1.0)
    x1, x2 = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    loss = F.margin_ranking_loss(x1, x2, y, margin=0.1)
    expected = np.maximum(0.0, -y * (a - b) + 0.1).mean()  # numpy's broadcasting of the definition
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    loss.backward()
    assert x1.grad.shape == a.shape and x2.grad.shape == b.shape
    assert gradcheck(lambda p, q: F.margin_ranking_loss(p, q, y, margin=0.1), (Tensor(a), Tensor(b)))


def test_margin_ranking_loss_refuses_operands_of_different_ranks_or_shapes():
    with pytest.raises(RuntimeError, match="margin_ranking_loss"):  # torch: "should have same dimension"
        F.margin_ranking_loss(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 3))), np.ones(3))
    with pytest.raises(RuntimeError, match="margin_ranking_loss"):
        F.margin_ranking_loss(Tensor(np.zeros(4)), Tensor(np.zeros(3)), np.ones(4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss"])
def test_targets_other_than_signs_go_into_torchs_formula(name, reduction):
    # torch computes these losses for any real target (hinge_embedding_loss: both terms where it is neither -1
    # nor +1); margin_ranking_loss's target requiring grad gets its gradient (torch's soft_margin_loss refuses one)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    target = np.array([1.0, -1.0, 0.0, 0.5, -2.5, 3.0, np.nan])
    inputs = [rng.normal(size=7) * 2 for _ in range(2 if name == "margin_ranking_loss" else 1)]
    grads = [True] * len(inputs) + [name == "margin_ranking_loss"]
    ours = [Tensor(a, requires_grad=g) for a, g in zip([*inputs, target], grads)]
    theirs = [torch.tensor(a, requires_grad=g) for a, g in zip([*inputs, target], grads)]
    out = getattr(F, name)(*ours, reduction=reduction)
    expected = getattr(torch.nn.functional, name)(*theirs, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, equal_nan=True)
    upstream = rng.normal(size=expected.shape)
    out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        want = np.zeros(7) if reference.grad is None else reference.grad.numpy()
        have = np.zeros(7) if mine.grad is None else mine.grad
        np.testing.assert_allclose(have, want, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["hinge_embedding_loss", "soft_margin_loss"])
@pytest.mark.parametrize(
    ("input_shape", "target_shape"), [((5, 5), (1, 5)), ((1, 4), (3, 4)), ((4,), (3, 4)), ((), (3,))]
)
def test_hinge_embedding_and_soft_margin_losses_broadcast_input_and_target_as_torchs(
    name, reduction, input_shape, target_shape
):
    # torch broadcasts the two silently (torch's OpInfo reference inputs give a (5, 5) input a (1, 5) target);
    # its soft_margin_loss only the target, refusing an input that would have to grow (so does ours)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    x, target = rng.normal(size=input_shape) * 2, rng.choice([-1.0, 1.0], size=target_shape)
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    their_loss, our_loss = getattr(torch.nn.functional, name), getattr(F, name)
    if name == "soft_margin_loss" and np.broadcast_shapes(input_shape, target_shape) != input_shape:
        with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            their_loss(theirs, torch.tensor(target), reduction=reduction)
        with pytest.raises(RuntimeError, match=r"soft_margin_loss: target shape .* does not broadcast to input shape"):
            our_loss(ours, target, reduction=reduction)
        return
    out = our_loss(ours, target, reduction=reduction)
    expected = their_loss(theirs, torch.tensor(target), reduction=reduction)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12)
    upstream = rng.normal(size=expected.shape)
    out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("input_shape", "target_shape", "var_shape"),
    [
        ((5,), (), (5,)),
        ((5,), (), ()),
        ((4, 5), (5,), (4, 1)),
        ((3, 4, 5), (4, 5), (3, 4)),
        ((3, 4, 5), (1, 5), (3, 4, 5)),
    ],
)
def test_gaussian_nll_loss_broadcasts_a_target_of_fewer_axes_as_torch(input_shape, target_shape, var_shape):
    # torch's (input - target) ** 2 broadcasts any target that fits the input's shape; a target Tensor's gradient
    # sums back over the axes it was broadcast along
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    arrays = [rng.normal(size=input_shape), rng.normal(size=target_shape), rng.uniform(0.5, 2, size=var_shape)]
    for reduction in REDUCTIONS:
        ours = [Tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = F.gaussian_nll_loss(*ours, reduction=reduction)
        expected = torch.nn.functional.gaussian_nll_loss(*theirs, reduction=reduction)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12)
        upstream = rng.normal(size=expected.shape)
        out.backward(Tensor(upstream))
        expected.backward(torch.tensor(upstream))
        for mine, reference in zip(ours, theirs):
            np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss_gives_targets_other_than_signs_a_zero_term_as_torch(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    x1, x2, target = rng.normal(size=(6, 3)), rng.normal(size=(6, 3)), np.array([1.0, -1.0, 0.0, 0.5, -2.0, 1.0])
    ours = [Tensor(x1, requires_grad=True), Tensor(x2, requires_grad=True)]
    theirs = [torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)]
    out = F.cosine_embedding_loss(*ours, target, margin=-0.5, reduction=reduction)
    expected = torch.nn.functional.cosine_embedding_loss(
        *theirs, torch.tensor(target), margin=-0.5, reduction=reduction
    )
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    upstream = rng.normal(size=expected.shape)
    out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("inputs", "target"), [((4, 3), (4, 1)), ((4, 3), ()), ((3,), (1,)), ((4, 3), (1, 4))], ids=str
)
def test_cosine_embedding_loss_target_of_the_wrong_rank_is_torchs_runtime_error(inputs, target):
    """torch checks the target's rank against the inputs' before anything broadcasts: a RuntimeError (ours a
    ShapeError, which is one), never a reading of (N, 1) against (N,) as a broadcast."""
    torch = pytest.importorskip("torch")
    x1, x2, y = np.ones(inputs), np.full(inputs, 2.0), np.ones(target)
    with pytest.raises(RuntimeError):
        torch.nn.functional.cosine_embedding_loss(torch.tensor(x1), torch.tensor(x2), torch.tensor(y))
    with pytest.raises(RuntimeError, match="target must be"):
        F.cosine_embedding_loss(x1, x2, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("first", "second", "target"),
    [
        ((4, 3), (1, 3), (4,)),
        ((1, 3), (4, 3), (4,)),
        ((4, 3), (4, 1), (4,)),
        ((4, 3), (1, 3), (1,)),
        ((1, 3), (1, 3), (4,)),
    ],
    ids=str,
)
def test_cosine_embedding_loss_broadcasts_its_inputs_and_target_as_torch(first, second, target, reduction):
    """One query (1, D) against N candidates (N, D), as torch takes them: the inputs (of one rank) and the target
    broadcast, and each input's gradient sums back over the axes it was expanded along."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x1, x2, y = rng.normal(size=first), rng.normal(size=second), rng.choice([1.0, -1.0], size=target)
    ours = [Tensor(x1, requires_grad=True), Tensor(x2, requires_grad=True)]
    theirs = [torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)]
    out = F.cosine_embedding_loss(*ours, y, margin=-0.3, reduction=reduction)
    expected = torch.nn.functional.cosine_embedding_loss(*theirs, torch.tensor(y), margin=-0.3, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    upstream = rng.normal(size=expected.shape)
    out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cosine_embedding_loss_inputs_of_two_ranks_are_torchs_runtime_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.nn.functional.cosine_embedding_loss(torch.ones(4, 3), torch.ones(3), torch.ones(4))
    with pytest.raises(RuntimeError, match="cosine_embedding_loss"):
        F.cosine_embedding_loss(np.ones((4, 3)), np.ones(3), np.ones(4))
