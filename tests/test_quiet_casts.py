"""Casts out of a dtype's range give inf without numpy's RuntimeWarning, as torch does: an operand cast to
a float32 tensor's dtype, ``float()``/``astype``, the constructor's ``dtype=``, and every in-place write
(``mul_``, ``div_``, ``t[i] = v``, ``fill_``, ``copy_``, ``clamp_``). Warnings are errors here. (``uniform_``
with bounds out of the dtype's range is refused instead, as torch's: tests/test_in_place_names.py.)"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd import Tensor


def _float32() -> Tensor:
    return Tensor(np.ones(2, dtype=np.float32))


def _float16() -> Tensor:
    return Tensor(np.ones(2, dtype=np.float16))


CASES = {
    "float32_times_huge_number": lambda: _float32() * 1e300,
    "float_of_huge_float64": lambda: Tensor([1e300]).float(),
    "astype_float16": lambda: Tensor([1e300]).astype(np.float16),
    "constructor_dtype": lambda: Tensor([1e300], dtype=np.float32),
    "mul_": lambda: _float32().mul_(1e300),
    "div_by_zero": lambda: Tensor([1.0]).div_(0),
    "iadd_huge_array": lambda: _float32().__iadd__(np.array([1e300])),
    "setitem": lambda: _set_first(_float32(), Tensor(1e300)),  # (the number 1e300 is refused, as torch refuses it)
    "fill_float16": lambda: _float16().fill_(Tensor(1e300)),  # (the number 1e300 is refused, as torch refuses it)
    "copy_float16": lambda: _float16().copy_(Tensor([1e300, 1e300])),
}


def _set_first(t: Tensor, value: Tensor) -> Tensor:
    t[0] = value
    return t


@pytest.mark.parametrize("name", list(CASES))
def test_casts_out_of_range_give_inf_without_runtime_warnings(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = CASES[name]()
    assert np.isinf(result.data).any()


def test_out_of_range_casts_match_torch():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = (_float32() * 1e300).data
        theirs = (torch.ones(2, dtype=torch.float32) * 1e300).numpy()
    np.testing.assert_array_equal(ours, theirs)
