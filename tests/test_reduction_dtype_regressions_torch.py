"""Minimised failures of the reductions-across-dtypes fuzzer (tests/test_reduction_dtype_fuzz_torch.py), each
checked against torch 2.13."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as A

torch = pytest.importorskip("torch")


def _same(ours, theirs) -> None:
    expected = theirs.numpy()
    assert np.asarray(ours.data).dtype == expected.dtype
    np.testing.assert_array_equal(ours.data, expected)


@pytest.mark.parametrize("dtype", ["uint8", "bool", "int8", "int64", "float32"])
@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
def test_all_and_any_of_uint8_are_uint8_as_torchs(dtype, name, dim) -> None:
    # torch's all/any keep uint8 (its old boolean dtype) for a uint8 input: we gave bool
    x = np.array([[1, 0, 3], [2, 2, 1]]).astype(dtype)
    kwargs = {} if dim is None else {"dim": dim}
    _same(getattr(A.tensor(x), name)(**kwargs), getattr(torch.tensor(x), name)(**kwargs))
    _same(getattr(A, name)(A.tensor(x), **kwargs), getattr(torch, name)(torch.tensor(x), **kwargs))
