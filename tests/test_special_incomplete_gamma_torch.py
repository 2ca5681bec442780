"""gammainc / gammaincc against torch.special at large a near x (torch takes an asymptotic expansion there too)."""

import numpy as np
import pytest

import autograd.special
from autograd import Tensor
from autograd.special import gammainc, gammaincc

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_large_a_near_x_agrees_with_torch_in_value_dtype_and_gradient(name, dtype):
    """Values and d/dx against torch's float64 at the same inputs (rounded to ``dtype`` first). torch's own float64
    values are within ~3e-10 of the exact ones here (ours within 1e-15: test_special_incomplete_gamma's mpmath
    table), and its float32 ones computed in float32 within ~6e-4, so a float32 result is compared with torch's
    float64 one rounded, to float32's precision. (torch gives 8.9e-07 for P(524944574.37776965,
    524840184.04668677), whose exact value is 2.6007e-06, so that point is left out.)"""
    ours_function = {"gammainc": gammainc, "gammaincc": gammaincc}[name]
    their_function = getattr(torch.special, name)
    a = np.array([1e9, 5e8, 2.5e8, 1e6, 300.0], dtype=dtype)
    x = np.array([0.99999e9, 5e8, 2.5e8, 1.001e6, 290.0], dtype=dtype)
    xs = Tensor(x.copy(), requires_grad=True)
    ours = ours_function(Tensor(a), xs)
    ours.sum().backward()
    their_x = torch.tensor(x.astype(np.float64), requires_grad=True)
    theirs = their_function(torch.tensor(a.astype(np.float64)), their_x)
    theirs.sum().backward()
    assert ours.dtype == dtype
    rtol = 2e-9 if dtype == np.float64 else 1.2e-7
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol)
    # torch's d/dx, e^((a-1) log x - x - lgamma a), cancels in terms of size a log a: 8e-7 off at a = 1e9 (ours is
    # within 3e-15 of mpmath's: test_special_incomplete_gamma)
    np.testing.assert_allclose(xs.grad, their_x.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
@pytest.mark.parametrize(
    "a_dtype, x_dtype",
    [(np.int64, np.float32), (np.float32, np.int64), (np.int64, np.float16), (np.bool_, np.float32),
     (np.int32, np.float64), (np.float16, np.float32)],
)  # fmt: skip
def test_an_integer_or_boolean_operand_takes_the_other_ones_float_dtype_as_torch(name, a_dtype, x_dtype):
    a = np.array([1, 2, 3, 1]).astype(a_dtype)
    x = np.array([0.5, 3.0, 2.0, 1.0]).astype(x_dtype)
    ours = getattr(autograd.special, name)(Tensor(a), Tensor(x))
    theirs = getattr(torch.special, name)(torch.tensor(a), torch.tensor(x))
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-3 if np.float16 in (a_dtype, x_dtype) else 1e-6)
