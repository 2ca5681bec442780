"""torch's keyword arguments of nn.functional and of the nn layers' constructors, each passed by name with torch's
parameter name and compared with torch's result (float64, rtol 1e-9): the ones torch has that were refused here."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(0)


# -- F.normalize(..., out=) -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_normalize_writes_into_out_and_returns_it_as_torch(dtype):
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4)).astype(dtype)
    out, their_out = Tensor(np.zeros((3, 4), dtype)), torch.zeros(3, 4, dtype=getattr(torch, np.dtype(dtype).name))
    ours = F.normalize(input=Tensor(x), p=3.0, dim=0, eps=1e-6, out=out)
    theirs = torch.nn.functional.normalize(input=torch.tensor(x), p=3.0, dim=0, eps=1e-6, out=their_out)
    assert ours is out and theirs is their_out
    assert out.dtype == dtype
    rtol = {np.float64: 1e-9, np.float32: 1e-6, np.float16: 2e-3}[dtype]  # float32/16: within an ulp of torch's
    np.testing.assert_allclose(out.data, their_out.numpy(), rtol=rtol)


def test_normalize_takes_out_none_by_keyword_and_by_position_as_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4))
    expected = torch.nn.functional.normalize(torch.tensor(x), 1, -1, 1e-6, None).numpy()
    np.testing.assert_allclose(F.normalize(Tensor(x), 1, -1, 1e-6, None).data, expected, rtol=1e-9)
    np.testing.assert_allclose(F.normalize(input=Tensor(x), p=1, dim=-1, eps=1e-6, out=None).data, expected, rtol=1e-9)


def test_normalize_into_out_casts_float64_into_a_float32_out_as_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 5))
    out, their_out = Tensor(np.zeros((2, 5), np.float32)), torch.zeros(2, 5, dtype=torch.float32)
    F.normalize(Tensor(x), out=out)
    torch.nn.functional.normalize(torch.tensor(x), out=their_out)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, their_out.numpy())


def test_normalize_into_out_refuses_an_input_that_requires_grad_as_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.nn.functional.normalize(torch.tensor(x, requires_grad=True), out=torch.zeros(2, 3, dtype=torch.float64))
    out = Tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="normalize.*don't support automatic differentiation"):
        F.normalize(Tensor(x, requires_grad=True), out=out)
    np.testing.assert_array_equal(out.data, 0.0)


# -- nn.Hardtanh(min_value=, max_value=) ----------------------------------------------------------------------
def _hardtanh_pair(torch, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = nn.Hardtanh(*args, **kwargs)
    with warnings.catch_warnings(record=True) as their_caught:
        warnings.simplefilter("always")
        theirs = torch.nn.Hardtanh(*args, **kwargs)
    return ours, theirs, caught, their_caught


def test_hardtanh_takes_torchs_deprecated_min_value_and_max_value_with_its_future_warning():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4))
    ours, theirs, caught, their_caught = _hardtanh_pair(
        torch, min_val=-0.5, max_val=0.7, inplace=False, min_value=-0.2, max_value=0.3
    )
    assert [(w.category, str(w.message)) for w in caught] == [(w.category, str(w.message)) for w in their_caught]
    assert [w.category for w in caught] == [FutureWarning, FutureWarning]
    assert all(w.filename == __file__ for w in caught)  # the warning points at the user's line
    assert (ours.min_val, ours.max_val) == (theirs.min_val, theirs.max_val) == (-0.2, 0.3)
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-9)


@pytest.mark.parametrize(
    "args, kwargs",
    [((-2.0, 2.0, False, None, 0.5), {}), ((), {"max_value": 0.5}), ((-3.0,), {"min_value": -0.25})],
    ids=["positional", "max_value-only", "min_value-only"],
)
def test_hardtanh_min_value_and_max_value_by_position_or_alone_clip_as_torchs(args, kwargs):
    torch = pytest.importorskip("torch")
    x = 3 * RNG.normal(size=(2, 5))
    ours, theirs, caught, their_caught = _hardtanh_pair(torch, *args, **kwargs)
    assert [str(w.message) for w in caught] == [str(w.message) for w in their_caught]
    assert (ours.min_val, ours.max_val) == (theirs.min_val, theirs.max_val)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-9)
