"""Minimised failures of the tensor creation and conversion fuzzer (tests/test_tensor_conversion_fuzz_torch.py),
each checked against torch 2.13's answer for the same input."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import autograd as A

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("value", [True, False, [True], [[False]]])
def test_a_one_element_bool_tensor_is_an_index_as_torchs(value) -> None:
    # torch reads a one-element bool tensor as 0 or 1 wherever an index is taken; ours refused it (TypeError)
    expected = operator.index(torch.tensor(value))
    assert operator.index(A.tensor(value)) == expected
    assert [10, 20][A.tensor(value)] == [10, 20][torch.tensor(value)]


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"])
def test_complex_of_a_one_element_tensor_is_torchs(dtype) -> None:
    # torch's Tensor has __complex__; ours had none (complex(t) went through __float__, t.__complex__() was missing)
    expected = torch.tensor([3], dtype=getattr(torch, dtype)).__complex__()
    got = A.tensor([3], dtype=getattr(A, dtype)).__complex__()
    assert type(got) is complex and got == expected
    with pytest.raises(ValueError):  # several elements: torch's ValueError
        torch.tensor([1, 2]).__complex__()
    with pytest.raises(ValueError):
        A.tensor([1, 2]).__complex__()
