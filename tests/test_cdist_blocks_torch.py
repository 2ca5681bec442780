"""cdist and pdist by blocks of rows (autograd.derivatives.distances) against torch: values and gradients on shapes
that cross the blocks' boundaries (the block size lowered), batched, with tied and zero differences and zero
distances, for p in {0, 0.5, 1, 2, 3, inf}; the distances are the exact norms of the differences, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd.derivatives import distances

torch = pytest.importorskip("torch")

P_VALUES = [0.0, 0.5, 1.0, 2.0, 3.0, float("inf")]
EXACT = "donot_use_mm_for_euclid_dist"  # torch's difference-norm method (its Gram-matrix one rounds otherwise)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of a few rows, so every case below spans several of them."""
    monkeypatch.setattr(distances, "BLOCK_ENTRIES", 40)


def _points(rng, shape):
    """Small integers (equal entries, equal rows, ties of the largest difference), half of them jittered."""
    x = rng.integers(-2, 3, size=shape).astype(np.float64)
    return x + rng.normal(size=shape) * (rng.random(shape) < 0.5)


def _compare(ours_fn, theirs_fn, arrays, seed=0):
    ours_in = [autograd.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*ours_in), theirs_fn(*theirs_in)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-14, atol=0)
    weight = np.random.default_rng(seed).normal(size=ours.shape)
    (ours * autograd.tensor(weight)).sum().backward()
    (theirs * torch.tensor(weight)).sum().backward()
    for mine, reference in zip(ours_in, theirs_in):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize(
    "shape1,shape2",
    [((9, 4), (7, 4)), ((2, 1, 6, 3), (3, 8, 3)), ((7, 2, 2), (1, 3, 2)), ((5, 1), (6, 1)), ((3, 30), (2, 30))],
    ids=["plain", "batched", "batch-of-small-matrices", "one-feature", "row-larger-than-a-block"],
)
def test_cdist_values_and_gradients_match_torch_across_blocks(shape1, shape2, p):
    rng = np.random.default_rng(1)
    x1, x2 = _points(rng, shape1), _points(rng, shape2)
    if x1.ndim == 2:
        x2[:2] = x1[:2]  # zero distances
    _compare(
        lambda a, b: autograd.cdist(a, b, p),
        lambda a, b: torch.cdist(a, b, p, compute_mode=EXACT),
        [x1, x2],
    )


@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_of_a_set_with_itself_has_zero_gradient_at_zero_distance_as_torch(p):
    x = _points(np.random.default_rng(2), (8, 3))
    _compare(lambda a, b: autograd.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p, compute_mode=EXACT), [x, x])


@pytest.mark.parametrize("p", P_VALUES)
def test_pdist_values_and_gradients_match_torch_across_blocks(p):
    x = _points(np.random.default_rng(3), (11, 4))
    x[5] = x[2]  # a zero distance
    _compare(lambda a: F.pdist(a, p), lambda a: torch.nn.functional.pdist(a, p), [x])


@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_is_the_norm_of_each_difference_bit_for_bit(p):
    rng = np.random.default_rng(4)
    x1, x2 = rng.normal(size=(2, 13, 37)), rng.normal(size=(2, 11, 37))
    differences = x1[:, :, None, :] - x2[:, None, :, :]
    if p == 2:
        expected = np.sqrt(np.add.reduce(differences * differences, axis=-1))
    elif p == 0:
        expected = np.add.reduce((differences != 0).astype(float), axis=-1)
    elif p == np.inf:
        expected = np.abs(differences).max(axis=-1)
    elif p == 1:
        expected = np.add.reduce(np.abs(differences), axis=-1)
    else:
        expected = np.add.reduce(np.abs(differences) ** p, axis=-1) ** (1 / p)
    np.testing.assert_array_equal(autograd.cdist(x1, x2, p).data, expected)


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, float("inf")])
def test_cdist_of_rows_without_features_is_zero_as_torch(p):
    ours = autograd.cdist(np.zeros((2, 0)), np.zeros((3, 0)), p)
    np.testing.assert_array_equal(ours.data, torch.cdist(torch.zeros(2, 0), torch.zeros(3, 0), p).numpy())


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("shape1,shape2", [((0, 5), (4, 5)), ((4, 5), (0, 5)), ((2, 0, 3), (2, 4, 3))])
def test_cdist_of_a_set_without_rows_has_torchs_empty_values_and_zero_gradients(shape1, shape2, p):
    rng = np.random.default_rng(5)
    _compare(
        lambda a, b: autograd.cdist(a, b, p),
        lambda a, b: torch.cdist(a, b, p, compute_mode=EXACT),
        [rng.normal(size=shape1), rng.normal(size=shape2)],
    )


@pytest.mark.parametrize("p", [0.5, 2.0, 3.0])
def test_cdist_second_derivatives_match_torch_across_blocks(p):
    rng = np.random.default_rng(5)
    x1, x2 = rng.normal(size=(6, 3)), rng.normal(size=(5, 3))
    seeds = [rng.normal(size=x1.shape), rng.normal(size=x2.shape)]
    results = []
    for lib, distance in (
        (autograd, lambda a, b: autograd.cdist(a, b, p)),
        (torch, lambda a, b: ((a[:, None] - b[None]).abs() ** p).sum(-1) ** (1 / p)),
    ):
        a, b = lib.tensor(x1, requires_grad=True), lib.tensor(x2, requires_grad=True)
        grad = torch.autograd.grad if lib is torch else autograd.grad
        grads = grad(distance(a, b).sum(), (a, b), create_graph=True)
        second = grad(sum((g * lib.tensor(s)).sum() for g, s in zip(grads, seeds)), (a, b))
        results.append([g.detach().numpy() if lib is torch else g.data for g in second])
    for mine, reference in zip(*results):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


def test_cdist_of_large_sets_keeps_its_blocks_small(monkeypatch):
    """1000 x 1000 pairs of 100 features the exact way: no array of the (1000, 1000, 100) differences (800 MB) is
    made."""
    monkeypatch.setattr(distances, "BLOCK_ENTRIES", 1 << 18)
    largest = []
    difference = distances._difference

    def recorded(a, b):
        result = difference(a, b)
        largest.append(result.size)
        return result

    monkeypatch.setattr(distances, "_difference", recorded)
    rng = np.random.default_rng(6)
    x1 = autograd.tensor(rng.normal(size=(1000, 100)), requires_grad=True)
    x2 = autograd.tensor(rng.normal(size=(1000, 100)), requires_grad=True)
    autograd.cdist(x1, x2, compute_mode=EXACT).sum().backward()
    assert max(largest) <= 1 << 18


@pytest.mark.parametrize("bad", [np.inf, np.nan], ids=["inf", "nan"])
def test_p2_gradients_of_a_non_finite_entry_match_torch(bad):
    """A row with an inf or nan entry: its distances are inf or nan, and the p = 2 gradients (the weighted sums
    of finite blocks, the slopes' way otherwise) are torch's, nan where torch's are."""
    x = _points(np.random.default_rng(7), (9, 3))
    x[4, 1] = bad
    y = _points(np.random.default_rng(8), (6, 3))
    _compare(lambda a: F.pdist(a), lambda a: torch.nn.functional.pdist(a), [x])
    _compare(lambda a, b: autograd.cdist(a, b), lambda a, b: torch.cdist(a, b, compute_mode=EXACT), [x, y])


NON_FINITE_ROWS = {
    "nan": np.array([[np.nan, 1.0], [0.0, 1.0], [2.0, 3.0], [0.0, 1.0]]),
    "inf": np.array([[np.inf, 1.0], [0.0, 1.0], [2.0, 3.0], [-1.0, 1.0]]),
    "nan, one feature": np.array([[np.nan], [0.0], [2.0], [0.0]]),
    "inf, one feature": np.array([[np.inf], [0.0], [2.0], [-np.inf]]),
}


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0, np.inf])
@pytest.mark.parametrize("rows", list(NON_FINITE_ROWS), ids=str)
def test_pdist_gradients_of_non_finite_entries_match_torch(rows, p):
    """torch's slopes of a nan difference are nan, as are those of an inf over an infinite distance (inf / inf,
    inf - inf), and p < 1 gives 0 where a difference is 0 whatever the distance."""
    _compare(lambda a: F.pdist(a, p), lambda a: torch.nn.functional.pdist(a, p), [NON_FINITE_ROWS[rows]])


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0])
@pytest.mark.parametrize("rows", list(NON_FINITE_ROWS), ids=str)
def test_cdist_gradients_of_non_finite_entries_match_torch(rows, p):
    """The same slopes in cdist (p = inf aside: torch's cdist takes the largest difference skipping a nan)."""
    x = NON_FINITE_ROWS[rows]
    y = np.array([[1.0, 0.5], [0.0, 1.0], [np.inf, 2.0]])[:, : x.shape[1]]
    _compare(lambda a, b: autograd.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p, compute_mode=EXACT), [x, y])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_p2_pdist_and_cdist_of_many_rows_match_torch(dtype, monkeypatch):
    """Blocks of several rows against hundreds of columns (the default block size), float32 and float64."""
    monkeypatch.setattr(distances, "BLOCK_ENTRIES", 1 << 18)
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(300, 40)).astype(dtype), rng.normal(size=(200, 40)).astype(dtype)
    x[7] = x[3]  # a zero distance
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    for ours_fn, theirs_fn, arrays in [
        (F.pdist, torch.nn.functional.pdist, [x]),
        (
            lambda a, b: autograd.cdist(a, b, compute_mode=EXACT),
            lambda a, b: torch.cdist(a, b, compute_mode=EXACT),
            [x, y],
        ),
    ]:
        ours_in = [autograd.tensor(a, requires_grad=True) for a in arrays]
        theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
        ours, theirs = ours_fn(*ours_in), theirs_fn(*theirs_in)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tolerance)
        weight = rng.normal(size=ours.shape).astype(dtype)
        ours.backward(autograd.tensor(weight))
        theirs.backward(torch.tensor(weight))
        for mine, reference in zip(ours_in, theirs_in):
            reference = reference.grad.numpy()
            np.testing.assert_allclose(mine.grad, reference, rtol=tolerance, atol=tolerance * np.abs(reference).max())
