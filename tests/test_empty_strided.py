"""autograd.empty_strided and autograd.empty_permuted (torch's): the layouts they make, as ``stride()``,
``dim_order()`` and ``is_contiguous()`` report them, writes through them, and torch's refusals."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "size, stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4,), (2,)), ((2, 0, 3), (3, 3, 1)), ((), ())]
)
def test_empty_strided_has_torchs_layout(size, stride):
    ours, theirs = autograd.empty_strided(size, stride), torch.empty_strided(size, stride)
    assert ours.shape == tuple(theirs.shape) and ours.stride() == theirs.stride()
    assert ours.is_contiguous() == theirs.is_contiguous()
    ours.fill_(2.5)
    np.testing.assert_array_equal(ours.numpy(), np.full(size, 2.5))


@pytest.mark.parametrize("layout", [(0, 1, 2, 3), (0, 2, 3, 1), (3, 2, 1, 0), (1, 0, 3, 2)])
def test_empty_permuted_has_torchs_layout(layout):
    ours, theirs = autograd.empty_permuted((2, 3, 5, 7), layout), torch.empty_permuted((2, 3, 5, 7), layout)
    assert ours.shape == (2, 3, 5, 7) and ours.stride() == theirs.stride()
    assert ours.dim_order() == theirs.dim_order() == layout
    assert ours.is_contiguous() == theirs.is_contiguous()
    ours.copy_(autograd.tensor(np.arange(210.0).reshape(2, 3, 5, 7)))
    np.testing.assert_array_equal(ours.numpy(), np.arange(210.0).reshape(2, 3, 5, 7))


def test_empty_strided_and_permuted_take_dtype_and_requires_grad():
    assert autograd.empty_strided((2,), (1,), dtype=autograd.int32).dtype == np.int32
    assert autograd.empty_permuted((2, 3), (1, 0), requires_grad=True).requires_grad
    assert autograd.empty_strided((2,), (1,)).dtype == autograd.get_default_dtype()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.empty_permuted((2, 3), (0, 0)),
        lambda lib: lib.empty_permuted((2, 3), (0,)),
        lambda lib: lib.empty_permuted((2, 3), (0, 2)),
        lambda lib: lib.empty_strided((2, 3), (1,)),
        lambda lib: lib.empty_strided((-1, 3), (1, 2)),
    ],
    ids=["repeated axis", "too few axes", "axis out of range", "stride count", "negative size"],
)
def test_empty_strided_and_permuted_refuse_what_torch_refuses(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises((RuntimeError, ValueError)):
        call(autograd)


def test_empty_strided_refuses_another_device():
    with pytest.raises(ValueError, match="cuda"):
        autograd.empty_strided((2, 3), (1, 2), device="cuda")
