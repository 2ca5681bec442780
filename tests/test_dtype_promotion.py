"""Type promotion between a floating and an integer (or boolean) tensor follows torch's categories: the result
keeps the floating tensor's dtype (numpy would widen float32 with int64 to float64). Checked on its own and
against torch."""

import operator

import numpy as np
import pytest

from autograd import Tensor, gradcheck

OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("integer", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("reflected", [False, True])
def test_a_float32_tensor_with_an_integer_tensor_stays_float32(op, integer, reflected):
    x = Tensor(np.array([0.5, 1.5, 2.0], dtype=np.float32), requires_grad=True)
    n = Tensor(np.array([1, 2, 0]).astype(integer))
    result = op(n, x) if reflected else op(x, n)
    assert result.dtype == np.float32
    result.sum().backward()
    assert x.grad.dtype == np.float32


def test_the_gradient_through_an_integer_operand_is_unchanged():
    n = Tensor(np.array([1, 2, 3]))
    assert gradcheck(lambda x: (x * n + x**n).sum(), [Tensor(np.array([0.5, 1.5, 2.0]), requires_grad=True)])


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
def test_float_and_integer_tensors_promote_as_torch(op):
    torch = pytest.importorskip("torch")
    for float_dtype, torch_float in ((np.float32, torch.float32), (np.float64, torch.float64)):
        ours = op(Tensor(np.array([0.5, 1.5], dtype=float_dtype)), Tensor(np.array([2, 3])))
        theirs = op(torch.tensor([0.5, 1.5], dtype=torch_float), torch.tensor([2, 3]))
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
