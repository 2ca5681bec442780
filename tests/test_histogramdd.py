"""autograd.histogramdd (torch.histogramdd) against torch and numpy.histogramdd: counts per dimension, edges given,
ranges, weights, density, batched points, one-point data, dtypes and torch's refusals."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(5)
POINTS = RNG.standard_normal((40, 3))
WEIGHTS = RNG.random(40)


def _both(points, **options):
    # torch wants weights and edges in the points' dtype (ours would promote them, as numpy)
    options = {
        k: [b.astype(points.dtype) if isinstance(b, np.ndarray) else b for b in v]
        if isinstance(v, list)
        else v.astype(points.dtype)
        if isinstance(v, np.ndarray)
        else v
        for k, v in options.items()
    }
    theirs_options = {
        k: (
            [torch.tensor(b) if isinstance(b, np.ndarray) else b for b in v]
            if k == "bins" and isinstance(v, list)
            else torch.tensor(v)
            if isinstance(v, np.ndarray)
            else v
        )
        for k, v in options.items()
    }
    ours_options = {k: Tensor(v) if k == "weight" else v for k, v in options.items()}
    return autograd.histogramdd(Tensor(points), **ours_options), torch.histogramdd(
        torch.tensor(points), **theirs_options
    )


@pytest.mark.parametrize(
    "options",
    [
        {"bins": 4},
        {"bins": [2, 3, 4]},
        {"bins": [np.array([-3.0, 0.0, 3.0]), np.array([-1.0, 0.0, 0.5, 1.0]), np.array([-2.0, 2.0])]},
        {"bins": 3, "range": [-1.0, 1.0, -2.0, 2.0, 0.0, 1.0]},
        {"bins": [2, 3, 4], "weight": WEIGHTS},
        {"bins": 3, "weight": WEIGHTS, "density": True},
        {"bins": [5, 2, 2], "density": True},
    ],
    ids=["one count", "counts", "edges", "range", "weights", "weighted density", "density"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histogramdd_matches_torch_and_numpy(options, dtype):
    (ours, theirs) = _both(POINTS.astype(dtype), **options)
    assert ours.hist.dtype == dtype and all(e.dtype == dtype for e in ours.bin_edges)
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-5)
    assert len(ours.bin_edges) == len(theirs.bin_edges) == 3
    for mine, reference in zip(ours.bin_edges, theirs.bin_edges):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6, atol=1e-7)
    numpy_options = dict(options)
    if "range" in options:
        flat = options["range"]
        numpy_options["range"] = [flat[i : i + 2] for i in range(0, len(flat), 2)]
    if "weight" in options:
        numpy_options["weights"] = numpy_options.pop("weight")
    hist, _ = np.histogramdd(POINTS.astype(dtype), **numpy_options)
    np.testing.assert_allclose(ours.hist.numpy(), hist.astype(dtype), rtol=1e-5)


def test_histogramdd_reads_leading_axes_as_more_points_and_widens_a_single_point():
    batched = POINTS.reshape(2, 20, 3)
    ours, theirs = _both(batched, bins=2, weight=WEIGHTS.reshape(2, 20))
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy())
    ours, theirs = _both(np.ones((2, 2)), bins=2)
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy())
    for mine, reference in zip(ours.bin_edges, theirs.bin_edges):
        np.testing.assert_allclose(mine.numpy(), reference.numpy())


@pytest.mark.parametrize(
    "options, message",
    [
        ({"bins": [2, 2, 2]}, "3 bins for points of 2 dimensions"),
        ({"bins": 2, "weight": np.ones(3)}, "weight of shape"),
        ({"bins": 0}, "bins must be > 0"),
        ({"bins": 2, "range": [0.0, 1.0]}, "range needs 4 numbers"),
    ],
)
def test_histogramdd_refuses_what_torch_refuses(options, message):
    with pytest.raises(RuntimeError):
        torch.histogramdd(torch.ones(2, 2), **{k: torch.tensor(v) if k == "weight" else v for k, v in options.items()})
    with pytest.raises(RuntimeError, match=message):
        autograd.histogramdd(Tensor(np.ones((2, 2))), **options)


def test_histogramdd_of_integers_is_torchs_not_implemented_error():
    with pytest.raises(NotImplementedError):
        torch.histogramdd(torch.ones(2, 2, dtype=torch.long), bins=2)
    with pytest.raises(NotImplementedError, match="floating-point"):
        autograd.histogramdd(Tensor(np.ones((2, 2), dtype=np.int64)), bins=2)
