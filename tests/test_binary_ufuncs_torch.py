"""Binary elementwise ops against torch 2.13, after PyTorch's test/test_binary_ufuncs.py: values (signed zeros,
inf, nan), dtypes and gradients of the torch-named functions, methods and operators on grids of special values.

Integer-only inputs of true division and the other floating ops give float64 here (this library's default dtype,
torch's float32): the grids compare them in floating inputs only.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0, -7.0, np.inf, -np.inf, np.nan, 0.5, 100.0]
INTEGERS = [0, 1, -1, 2, -3, 7, -8, 5, 64]


def _grid(values: list, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(itertools.product(values, values))
    return np.array([p[0] for p in pairs], dtype=dtype), np.array([p[1] for p in pairs], dtype=dtype)


def _assert_same(ours: Tensor, theirs) -> None:
    """Equal values (nan where torch's is, and the same sign of every zero) and dtype."""
    want = theirs.detach().numpy()
    assert str(ours.dtype) == str(want.dtype)
    np.testing.assert_array_equal(ours.data, want)
    zeros = want == 0
    np.testing.assert_array_equal(np.signbit(ours.data[zeros]), np.signbit(want[zeros]), err_msg="sign of a zero")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "spelling",
    [
        lambda lib, a, b: lib.remainder(a, b),
        lambda lib, a, b: a.remainder(b),
        lambda lib, a, b: a % b,
    ],
)
def test_remainder_zero_takes_the_sign_of_the_dividend_as_torch(dtype, spelling):
    x, y = _grid(SPECIAL, dtype)
    _assert_same(spelling(ag, Tensor(x), Tensor(y)), spelling(torch, torch.from_numpy(x), torch.from_numpy(y)))


@pytest.mark.parametrize("number", [1, -1, 2.5, -2.5, True, np.inf, -np.inf])
def test_remainder_with_a_number_on_either_side_matches_torch(number):
    x = np.array(SPECIAL)
    _assert_same(Tensor(x) % number, torch.from_numpy(x) % number)
    _assert_same(number % Tensor(x), number % torch.from_numpy(x))


def test_remainder_gradients_match_torch():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-5, 5, 20), rng.choice([-3.0, -1.5, 2.0, 0.75], 20)
    a, b = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    (a % b).sum().backward()
    (ta % tb).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy())
    np.testing.assert_allclose(b.grad, tb.grad.numpy())


@pytest.mark.parametrize("name", ["fmax", "fmin"])  # (torch's maximum picks by the length, not asserted)
@pytest.mark.parametrize("length", [2, 40])  # numpy's fmax picks a different zero on short and on long arrays
def test_fmax_fmin_tie_of_signed_zeros_gives_the_first_operand_as_torch(name, length):
    x = np.array([0.0, -0.0] * (length // 2))
    y = -x
    for a, b in ((x, y), (y, x)):
        _assert_same(
            getattr(ag, name)(Tensor(a), Tensor(b)), getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
        )
        _assert_same(getattr(Tensor(a), name)(Tensor(b)), getattr(torch.from_numpy(a), name)(torch.from_numpy(b)))


@pytest.mark.parametrize("name", ["fmax", "fmin"])
@pytest.mark.parametrize("dtypes", [("float64", "float64"), ("float32", "float32"), ("float32", "int64")])
def test_fmax_fmin_values_and_gradients_match_torch_on_special_values(name, dtypes):
    x, _ = _grid(SPECIAL, "float64")
    _, y = _grid(SPECIAL, "float64")
    x = x.astype(dtypes[0])
    y = np.where(np.isfinite(y), y, 0).astype(dtypes[1]) if dtypes[1] == "int64" else y.astype(dtypes[1])
    _assert_same(
        getattr(ag, name)(Tensor(x), Tensor(y)), getattr(torch, name)(torch.from_numpy(x), torch.from_numpy(y))
    )
    if dtypes != ("float64", "float64"):
        return
    a, b = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    getattr(ag, name)(a, b).sum().backward()
    getattr(torch, name)(ta, tb).sum().backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())


@pytest.mark.parametrize(("x_shape", "y_shape"), [((0,), (1,)), ((0, 3), (3,)), ((2, 1), (0,)), ((), (0,))], ids=str)
@pytest.mark.parametrize(
    "spelling",
    [
        lambda lib, a, b: a // b,
        lambda lib, a, b: a % b,
        lambda lib, a, b: lib.fmod(a, b),
        lambda lib, a, b: lib.floor_divide(a, b),
        lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
        lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    ],
    ids=["//", "%", "fmod", "floor_divide", "div trunc", "div floor"],
)
def test_an_integer_division_with_an_empty_result_does_not_raise_for_a_zero_divisor_as_torch(
    spelling, x_shape, y_shape
):
    """An integer ``//``, ``%`` or ``fmod`` whose broadcast result is empty divides nothing: torch gives the empty
    result, where this library raised its ZeroDivisionError for the zero that divides no entry."""
    x, y = np.ones(x_shape, dtype=np.int64), np.zeros(y_shape, dtype=np.int64)
    _assert_same(spelling(ag, Tensor(x), Tensor(y)), spelling(torch, torch.tensor(x), torch.tensor(y)))
    with pytest.raises(RuntimeError):  # a zero that meets an entry still raises, as torch's
        spelling(ag, Tensor(np.ones(3, dtype=np.int64)), Tensor(np.zeros(1, dtype=np.int64)))


@pytest.mark.parametrize(
    "spelling",
    [
        lambda lib, a, b: a // b,
        lambda lib, a, b: a % b,
        lambda lib, a, b: lib.fmod(a, b),
        lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    ],
    ids=["//", "%", "fmod", "div floor"],
)
def test_an_integer_division_of_two_booleans_with_a_false_divisor_is_torchs_not_implemented_error(spelling):
    """torch has no boolean kernel for ``//``, ``%`` or ``fmod``: its NotImplementedError whatever the divisor; a
    False divisor gave this library's ZeroDivisionError instead."""
    x, y = np.array([True, False]), np.array([True, False])
    with pytest.raises(NotImplementedError):
        spelling(torch, torch.tensor(x), torch.tensor(y))
    with pytest.raises(NotImplementedError):
        spelling(ag, Tensor(x), Tensor(y))


@pytest.mark.parametrize("out_dtype", ["float64", "float32", "float16", "int64"])
@pytest.mark.parametrize("out_shape", [(2, 2), (0,)], ids=["same shape", "empty"])
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x, out: lib.maximum(x, x * 0, out=out),
        lambda lib, x, out: lib.minimum(x, x * 0, out=out),
        lambda lib, x, out: lib.where(x > 0, x, x * 0, out=out),
        lambda lib, x, out: lib.polygamma(1, x, out=out),
    ],
    ids=["maximum", "minimum", "where", "polygamma"],
)
def test_maximum_minimum_where_and_polygamma_take_torchs_out_argument(call, out_shape, out_dtype):
    """torch.maximum/minimum/where/polygamma(..., out=t) write into t and return it (a float result cast into a
    narrower float out, refused in an integer one; where's out of the result's dtype only); here ``out=`` was a
    TypeError (an unexpected keyword)."""
    x = np.array([[0.5, -1.5], [2.0, 3.0]])
    theirs_out, ours_out = (
        torch.zeros(out_shape, dtype=getattr(torch, out_dtype)),
        Tensor(np.zeros(out_shape, out_dtype)),
    )
    try:
        theirs = call(torch, torch.tensor(x), theirs_out)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            call(ag, Tensor(x), ours_out)
        return
    ours = call(ag, Tensor(x), ours_out)
    assert ours is ours_out and theirs is theirs_out
    assert ours.dtype == np.dtype(out_dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6 if out_dtype != "float16" else 1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
@pytest.mark.parametrize("alpha", [float("inf"), -float("inf"), 1e39, 1e300, 2.0])
@pytest.mark.parametrize("name", ["add", "sub"])
def test_add_and_sub_with_an_infinite_or_out_of_range_alpha_are_torchs_without_warnings(name, alpha, dtype):
    """``add(x, y, alpha=inf)`` is x + inf y (nan where y = 0), where numpy's 0 * inf warned ("invalid value
    encountered in multiply"); an alpha the dtype cannot hold (1e39 in float32) is torch's RuntimeError ("value
    cannot be converted to type float without overflow"), where this gave inf and nan with the warning."""
    x = np.array([1.0, 0.0, -2.5], dtype=dtype)
    try:
        expected = getattr(torch, name)(torch.tensor(x), torch.tensor(x), alpha=alpha)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="overflow"):
            getattr(ag, name)(Tensor(x), Tensor(x), alpha=alpha)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = getattr(ag, name)(Tensor(x), Tensor(x), alpha=alpha)
    _assert_same(ours, expected)
