"""autograd.asarray, torch.asarray's semantics: memory shared when possible, copy=True / False, requires_grad."""

import numpy as np
import pytest

import autograd
from autograd import Tensor


def test_asarray_shares_an_array_of_its_dtype_and_converts_another():
    array = np.zeros(2, np.float32)
    shared = autograd.asarray(array)
    array[0] = 5.0
    assert shared.dtype == np.float32 and shared.numpy()[0] == 5.0
    converted = autograd.asarray(array, dtype=np.float64)
    array[1] = 7.0
    np.testing.assert_array_equal(converted.numpy(), [5.0, 0.0])
    assert autograd.asarray(array, np.float64).dtype == np.float64  # numpy's place for the dtype
    assert autograd.asarray([1, 2]).dtype == np.int64 and autograd.asarray(3).shape == ()


def test_asarray_copy_true_copies_and_copy_false_refuses_a_copy():
    array = np.zeros(2, np.float32)
    copied = autograd.asarray(array, copy=True)
    array[0] = 1.0
    assert copied.numpy()[0] == 0.0
    assert np.shares_memory(autograd.asarray(array, copy=False).numpy(), array)
    with pytest.raises(ValueError, match="copy=False, but ndarray of dtype float32 cannot become"):
        autograd.asarray(array, dtype=np.float64, copy=False)


def test_asarray_of_a_tensor_is_that_tensor_and_requires_grad_follows_it_as_torchs():
    x = Tensor(np.ones(2), requires_grad=True)
    assert autograd.asarray(x) is x
    assert autograd.asarray(x, copy=True).requires_grad  # torch's default: as obj
    assert not autograd.asarray(x, requires_grad=False).requires_grad
    converted = autograd.asarray(x, dtype=np.float32)
    assert converted.requires_grad and converted.dtype == np.float32
    converted.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    plain = Tensor(np.zeros(2))
    assert autograd.asarray(plain, requires_grad=True) is plain and plain.requires_grad
