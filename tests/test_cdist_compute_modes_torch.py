"""cdist's compute_mode against torch: for p = 2 the matrix-product way (sqrt(max(|x|^2 + |y|^2 - 2 x.y, 0))) with
"use_mm_for_euclid_dist", or by default when either input has more than 25 rows, and the exact difference norm
otherwise; values and gradients (both inputs) at float64 and float32 tolerances, batched, at zero distance, second
derivatives, the 25-row threshold, and torch's error for another mode."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

MODES = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]
TOLERANCES = {np.float64: (1e-12, 1e-12), np.float32: (1e-4, 1e-4)}


def _values_and_gradients(library, arrays, seed, keep=True, **kwargs):
    """cdist's distances and the gradients of <w, distances> for a random w, zero where ``keep`` is False."""
    inputs = [library.tensor(a, requires_grad=True) for a in arrays]
    out = library.cdist(*inputs, **kwargs)
    weight = np.random.default_rng(seed).normal(size=tuple(out.shape)).astype(arrays[0].dtype) * keep
    out.backward(library.tensor(weight))
    if library is torch:
        return [out.detach().numpy()] + [x.grad.numpy() for x in inputs]
    return [out.data] + [x.grad for x in inputs]


def _compare(arrays, seed=0, rtol=1e-12, atol=1e-12, **kwargs):
    ours = _values_and_gradients(autograd, arrays, seed, **kwargs)
    theirs = _values_and_gradients(torch, arrays, seed, **kwargs)
    for mine, reference, what in zip(ours, theirs, ["distances", "x1's gradient", "x2's gradient"]):
        assert mine.dtype == reference.dtype, what
        np.testing.assert_allclose(mine, reference, rtol=rtol, atol=atol * np.abs(reference).max(), err_msg=what)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "shape1,shape2",
    [((30, 5), (7, 5)), ((4, 5), (26, 5)), ((20, 3), (25, 3)), ((2, 1, 30, 4), (3, 6, 4)), ((1, 27, 2), (4, 3, 2))],
    ids=["x1-over-25-rows", "x2-over-25-rows", "25-rows", "batched", "batch-broadcast"],
)
def test_cdist_values_and_gradients_match_torch_in_every_compute_mode(shape1, shape2, mode, dtype):
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=shape1).astype(dtype), rng.normal(size=shape2).astype(dtype)
    rtol, atol = TOLERANCES[dtype]
    _compare([x1, x2], rtol=rtol, atol=atol, compute_mode=mode)


@pytest.mark.parametrize("mode", MODES)
def test_cdist_of_equal_rows_has_torchs_zero_gradient_at_zero_distance(mode):
    """Integers: the product's terms cancel exactly on equal rows, so each way's distance there is 0 and so is its
    part of the gradient (torch's masked ratio on the product way)."""
    rng = np.random.default_rng(2)
    x1 = rng.integers(-3, 4, size=(30, 3)).astype(np.float64)
    x2 = np.concatenate([x1[:10], rng.integers(-3, 4, size=(5, 3)).astype(np.float64)])
    _compare([x1, x2], compute_mode=mode)
    _compare([x1, x1], compute_mode=mode)


def _product_way_bound(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """How far the product way's distance may be from the exact one, entry by entry: |x|^2 + |y|^2 - 2 x.y rounds
    to within a few units in the last place of its largest term, and sqrt turns an error e of d^2 near 0 into at
    most sqrt(e). (Which noise it gives there depends on the order the matrix product adds its terms, which
    differs between BLAS builds and CPUs, so it is bounded here rather than compared bit for bit with torch's.)"""
    squares = (x1**2).sum(-1)[:, None] + (x2**2).sum(-1)[None, :]
    return np.sqrt(16 * np.finfo(np.float64).eps * squares)


@pytest.mark.parametrize("mode", MODES)
def test_cdist_near_zero_distance_has_torchs_values_and_gradients(mode):
    """Rows 1e-6 apart around 100: the product way rounds their distances to noise of about 1e-6 (some to 0), and
    its gradient g / n is then large; the exact way does not. Each mode takes torch's way: the exact one gives
    torch's values and gradients, the product one noise within its rounding bound near zero (as torch's) and
    torch's values and gradients away from it."""
    rng = np.random.default_rng(3)
    x1 = 100 + rng.normal(size=(30, 3))
    x2 = x1[:8] + 1e-6 * rng.normal(size=(8, 3))
    exact = _values_and_gradients(torch, [x1, x2], 4, compute_mode="donot_use_mm_for_euclid_dist")[0]
    near = exact < 1e-3
    # the upstream gradient is kept off the near-zero distances, whose product-way gradients are noise / noise
    ours = _values_and_gradients(autograd, [x1, x2], 4, compute_mode=mode, keep=~near)
    theirs = _values_and_gradients(torch, [x1, x2], 4, compute_mode=mode, keep=~near)
    if mode == "donot_use_mm_for_euclid_dist":
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-15)
    else:  # the way taken shows in the near-zero distances: noise, for torch and for us
        bound = _product_way_bound(x1, x2)
        for distances in (ours[0], theirs[0]):
            assert np.abs(distances - exact)[near].max() > 1e-7
            assert np.all(np.abs(distances - exact) <= bound)
        np.testing.assert_allclose(ours[0][~near], theirs[0][~near], rtol=1e-9)
    for mine, reference in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "use_mm_for_euclid_dist_if_necessary"])
def test_cdist_product_ways_gradient_at_a_near_zero_distance_is_the_ratio_of_its_own_distance(mode):
    """At a distance the product way rounds to noise, the gradient is still (x - y) / d of the d it returned (0
    where d is 0, torch's masked ratio): compared with that ratio worked out in numpy from the returned d. The
    product way's gradient is a difference of terms near 1e8 (ratios near 1e6 times entries near 100): a few
    units in their last place (1.5e-8 each) is the tolerance."""
    rng = np.random.default_rng(3)
    x1 = 100 + rng.normal(size=(30, 3))
    x2 = x1[:8] + 1e-6 * rng.normal(size=(8, 3))
    a, b = autograd.tensor(x1, requires_grad=True), autograd.tensor(x2, requires_grad=True)
    distances = autograd.cdist(a, b, compute_mode=mode)
    weight = np.zeros(distances.shape)
    weight[np.arange(8), np.arange(8)] = rng.normal(size=8)
    distances.backward(autograd.tensor(weight))
    d = distances.data.diagonal()
    ratio = np.divide(weight.diagonal(), d, out=np.zeros(8), where=d != 0)[:, None] * (x1[:8] - x2)
    np.testing.assert_allclose(a.grad[:8], ratio, rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(b.grad, -ratio, rtol=1e-9, atol=1e-7)
    np.testing.assert_array_equal(a.grad[8:], np.zeros((22, 3)))


@pytest.mark.parametrize("rows", [25, 26])
def test_cdist_takes_the_product_way_by_default_above_25_rows_as_torch(rows):
    """Rows 1e-6 apart around 100: the exact way gives about 1e-6, the product way its rounding, as torch's."""
    rng = np.random.default_rng(5)
    x1 = 100 + rng.normal(size=(rows, 3))
    x2 = x1 + 1e-6 * rng.normal(size=(rows, 3))
    ours = autograd.cdist(x1, x2).data.diagonal()
    theirs = torch.cdist(torch.tensor(x1), torch.tensor(x2)).numpy().diagonal()
    exact = torch.cdist(torch.tensor(x1), torch.tensor(x2), compute_mode="donot_use_mm_for_euclid_dist")
    exact = exact.numpy().diagonal()
    assert (np.abs(theirs - exact).max() > 1e-7) == (rows > 25)
    assert (np.abs(ours - exact).max() > 1e-7) == (rows > 25)
    if rows > 25:
        assert np.all(np.abs(ours - exact) <= _product_way_bound(x1, x2).diagonal())
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "use_mm_for_euclid_dist_if_necessary"])
def test_cdist_product_way_second_derivatives_match_torch(mode):
    rng = np.random.default_rng(6)
    x1, x2 = rng.normal(size=(2, 27, 3)), rng.normal(size=(6, 3))
    seeds = [rng.normal(size=x1.shape), rng.normal(size=x2.shape)]
    weight = rng.normal(size=(2, 27, 6))
    results = []
    for lib in (autograd, torch):
        a, b = lib.tensor(x1, requires_grad=True), lib.tensor(x2, requires_grad=True)
        grad = torch.autograd.grad if lib is torch else autograd.grad
        grads = grad((lib.cdist(a, b, compute_mode=mode) * lib.tensor(weight)).sum(), (a, b), create_graph=True)
        second = grad(sum((g * lib.tensor(s)).sum() for g, s in zip(grads, seeds)), (a, b))
        results.append([g.detach().numpy() if lib is torch else g.data for g in second])
    for mine, reference in zip(*results):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", [None, "use_mm", "x"])
def test_cdist_refuses_a_compute_mode_torch_refuses(mode):
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match="is not a valid value for compute_mode"):
        torch.cdist(torch.tensor(x), torch.tensor(x), compute_mode=mode)
    with pytest.raises(ValueError, match=f"cdist: {mode!r} is not a valid value for compute_mode"):
        autograd.cdist(x, x, compute_mode=mode)


def test_cdist_product_way_keeps_its_memory_to_the_output_size():
    """600 x 500 pairs of 200 features: the product way's forward and backward never hold the (600, 500, 200)
    differences (480 MB), only arrays of the inputs' and the output's sizes (2.4 MB each)."""
    rng = np.random.default_rng(7)
    x1 = autograd.tensor(rng.normal(size=(600, 200)), requires_grad=True)
    x2 = autograd.tensor(rng.normal(size=(500, 200)), requires_grad=True)
    tracemalloc.start()
    try:
        autograd.cdist(x1, x2).sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 600 * 500 * 8
