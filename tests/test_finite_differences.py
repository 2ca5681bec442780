"""autograd.gradient (torch.gradient) against torch and against numpy.gradient: even and uneven spacing, one or
several axes, edge orders 1 and 2, dtypes, gradients through the input and the coordinates, and torch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
VALUES = RNG.standard_normal((4, 5, 3))
COORDS = np.cumsum(RNG.random(5) + 0.2)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"spacing": 0.5},
        {"spacing": [2.0, 0.5, 3.0]},
        {"dim": 1},
        {"dim": (2, 0), "spacing": [2.0, 0.25]},
        {"dim": -2, "spacing": (COORDS,)},
    ],
    ids=["default", "one step", "a step per axis", "one axis", "two axes", "coordinates"],
)
def test_gradient_matches_numpy_and_torch(options, edge_order):
    theirs_options = dict(options)
    if "spacing" in options and not isinstance(options["spacing"], float):
        theirs_options["spacing"] = [torch.tensor(s) if isinstance(s, np.ndarray) else s for s in options["spacing"]]
    ours = autograd.gradient(Tensor(VALUES), edge_order=edge_order, **options)
    theirs = torch.gradient(torch.tensor(VALUES), edge_order=edge_order, **theirs_options)
    axes = options.get("dim", (0, 1, 2))
    axes = [axes] if isinstance(axes, int) else list(axes)
    spacing = options.get("spacing", 1.0)
    spacing = [spacing] * len(axes) if isinstance(spacing, float) else list(spacing)
    assert len(ours) == len(theirs) == len(axes)
    for mine, reference, axis, step in zip(ours, theirs, axes, spacing):
        assert mine.dtype == np.float64
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            mine.numpy(), np.gradient(VALUES, step, axis=axis, edge_order=edge_order), rtol=1e-12, atol=1e-12
        )


def test_gradient_of_integers_is_in_the_default_float_dtype_and_float32_stays_float32():
    (ours,) = autograd.gradient(Tensor(np.array([1, 2, 4, 8])))
    assert ours.dtype == autograd.get_default_dtype()
    np.testing.assert_allclose(ours.numpy(), [1.0, 1.5, 3.0, 4.0])
    (single,) = autograd.gradient(Tensor(np.array([1, 2, 4, 8], dtype=np.float32)), spacing=0.1)
    assert single.dtype == np.float32


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_backpropagates_into_the_input_and_the_coordinates_as_torchs(edge_order):
    data, coords = RNG.standard_normal((3, 5)), COORDS
    x, c = Tensor(data, requires_grad=True), Tensor(coords, requires_grad=True)
    tx, tc = torch.tensor(data, requires_grad=True), torch.tensor(coords, requires_grad=True)
    weights = RNG.standard_normal((3, 5))
    (ours,) = autograd.gradient(x, spacing=(c,), dim=1, edge_order=edge_order)
    (theirs,) = torch.gradient(tx, spacing=(tc,), dim=1, edge_order=edge_order)
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.grad, tc.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradient_of_a_scalar_is_empty_as_torchs():
    assert autograd.gradient(Tensor(1.0)) == () == torch.gradient(torch.tensor(1.0))


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"edge_order": 3}, RuntimeError, "edge_order must be 1 or 2"),
        ({"spacing": [1.0, 2.0, 3.0]}, RuntimeError, "spacing has 3 entries"),
        ({"dim": 2}, IndexError, "out of"),
        ({"dim": (0, 0)}, RuntimeError, "more than once"),
        ({"dim": 0, "edge_order": 2}, RuntimeError, "at least 3"),
        ({"dim": 1, "spacing": (np.arange(6.0),)}, RuntimeError, "4 entries"),
    ],
)
def test_gradient_refuses_what_torch_refuses(options, error, message):
    with pytest.raises(error):
        torch.gradient(
            torch.ones(2, 4),
            **{k: (torch.tensor(v[0]),) if k == "spacing" and isinstance(v, tuple) else v for k, v in options.items()},
        )
    with pytest.raises(error, match=message):
        autograd.gradient(Tensor(np.ones((2, 4))), **options)


def test_gradient_refuses_too_few_coordinates():
    # torch 2.13 computes something from 3 coordinates for 4 samples without a word; ours names the problem
    with pytest.raises(RuntimeError, match="must be 1-D with 4 entries, got shape \\(3,\\)"):
        autograd.gradient(Tensor(np.ones((2, 4))), spacing=(np.arange(3.0),), dim=1)


# -- numpy's spelling: np.gradient on a Tensor --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "varargs, options",
    [
        ((), {}),
        ((0.5,), {}),
        ((2.0, 0.5, 3.0), {}),
        ((), {"axis": 1}),
        ((0.25,), {"axis": (2, 0)}),
        ((COORDS,), {"axis": 1}),
        ((), {"axis": (1,), "edge_order": 2}),
        ((np.arange(4.0), COORDS, 3.0), {"edge_order": 2}),
    ],
    ids=["default", "one step", "a step per axis", "one axis", "two axes", "coordinates", "axis tuple", "mixed"],
)
def test_numpy_gradient_of_a_tensor_is_numpys_estimate_as_tensors(varargs, options):
    ours = np.gradient(Tensor(VALUES), *varargs, **options)
    expected = np.gradient(VALUES, *varargs, **options)
    if isinstance(expected, tuple):  # several axes: a tuple, as numpy's
        assert isinstance(ours, tuple) and len(ours) == len(expected)
    else:  # one axis: the one estimate itself
        ours, expected = (ours,), (expected,)
    for mine, theirs in zip(ours, expected):
        assert isinstance(mine, Tensor)
        np.testing.assert_allclose(mine.numpy(), theirs, rtol=1e-12, atol=1e-12)


def test_numpy_gradient_of_a_tensor_is_differentiable_without_a_warning():
    x = Tensor(VALUES[:, :, 0].copy(), requires_grad=True)
    coords = Tensor(COORDS.copy(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's function is no longer one without a derivative
        assert autograd.gradcheck(lambda a, c: np.gradient(a, 1.0, c, edge_order=2)[1], (x, coords))
