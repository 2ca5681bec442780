"""float16 and float32 models end to end, as a torch user runs them after ``model.half()`` / ``model.float()``:
forward output dtypes (never a silent float64), ``.grad`` dtypes, optimizer state dtypes and values within the
float16/float32 tolerances of torch's CPU results, with no numpy warning (overflow/invalid) on ordinary inputs.

The reference is torch 2.13 (CPU) with the same weights, the same inputs and the same dtype."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

DTYPES = ("float32", "float16")
TOLERANCE = {"float32": 1e-4, "float16": 2e-2}


def torch_dtype(dtype: str):
    return getattr(torch, dtype)


def assert_close_to_torch(ours, theirs, dtype: str, scale: float = 1.0) -> None:
    """``ours`` (an array or Tensor) has ``dtype`` and is within that dtype's tolerance of torch's tensor."""
    ours = np.asarray(ours.numpy() if isinstance(ours, Tensor) else ours)
    assert ours.dtype == np.dtype(dtype), (ours.dtype, dtype)
    tolerance = TOLERANCE[dtype] * scale
    expected = theirs.detach().double().numpy()
    np.testing.assert_allclose(ours.astype(np.float64), expected, rtol=tolerance, atol=tolerance)


# -- grid_sample ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_of_a_float16_or_float32_grid_matches_torch_without_warnings(dtype, mode, padding_mode):
    rng = np.random.default_rng(0)
    x, grid = rng.standard_normal((2, 3, 4, 5)), rng.uniform(-1.2, 1.2, (2, 3, 3, 2))
    ours_x = Tensor(x.astype(dtype), requires_grad=True)
    theirs_x = torch.tensor(x, dtype=torch_dtype(dtype), requires_grad=True)
    theirs_grid = torch.tensor(grid, dtype=torch_dtype(dtype))
    expected = torch.nn.functional.grid_sample(
        theirs_x, theirs_grid, mode=mode, padding_mode=padding_mode, align_corners=False
    )
    expected.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float16 grids compared with the int32 bounds overflowed in the cast
        got = F.grid_sample(
            ours_x, Tensor(grid.astype(dtype)), mode=mode, padding_mode=padding_mode, align_corners=False
        )
        got.sum().backward()
    assert_close_to_torch(got, expected, dtype, scale=1.5)
    assert_close_to_torch(ours_x.grad, theirs_x.grad, dtype, scale=2.5)
