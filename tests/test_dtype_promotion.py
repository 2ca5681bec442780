"""Type promotion between tensors follows torch's categories: beside an integer (or boolean) tensor the result
keeps the floating tensor's dtype (numpy would widen float32 with int64 to float64), and a 0-d tensor does not
widen a dimensioned one of its category (float32 with a 0-d float64 stays float32). Checked on its own and
against torch."""

import operator
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck
from autograd import cat as autograd_cat
from autograd import where as autograd_where

OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("integer", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("reflected", [False, True])
def test_a_float32_tensor_with_an_integer_tensor_stays_float32(op, integer, reflected):
    x = Tensor(np.array([0.5, 1.5, 2.0], dtype=np.float32), requires_grad=True)
    n = Tensor(np.array([1, 2, 0]).astype(integer))
    if integer is np.bool_ and op is operator.sub:  # torch refuses a bool tensor in a subtraction
        with pytest.raises(RuntimeError, match="sub: subtraction with a bool tensor"):
            op(n, x) if reflected else op(x, n)
        return
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


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
@pytest.mark.parametrize("reflected", [False, True])
def test_a_0d_float64_tensor_leaves_a_float32_tensor_float32_and_gets_its_gradient(op, reflected):
    x = Tensor(np.array([0.5, 1.5, 2.0], dtype=np.float32), requires_grad=True)
    s = Tensor(np.float64(1.25), requires_grad=True)
    result = op(s, x) if reflected else op(x, s)
    assert result.dtype == np.float32
    result.sum().backward()
    assert x.grad.dtype == np.float32 and s.grad.dtype == np.float64
    assert gradcheck(
        lambda a: (op(a, x.data.astype(np.float64)) if not reflected else op(x.data.astype(np.float64), a)).sum(),
        [Tensor(np.float64(1.25), requires_grad=True)],
    )


@pytest.mark.parametrize(
    ("dimensioned", "scalar"),
    [(np.int32, np.int64), (np.uint8, np.int64), (np.float16, np.float64), (np.float32, np.float64)],
)
def test_0d_tensors_do_not_widen_dimensioned_ones_of_their_category_as_torch(dimensioned, scalar):
    torch = pytest.importorskip("torch")
    ours = Tensor(np.array([1, 2, 3], dtype=dimensioned)) + Tensor(np.array(5, dtype=scalar))
    theirs = torch.tensor([1, 2, 3], dtype=getattr(torch, np.dtype(dimensioned).name)) + torch.tensor(
        5, dtype=getattr(torch, np.dtype(scalar).name)
    )
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_numbers_and_arrays_beside_a_tensor_are_weak_scalars():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    assert (x * np.array(2.0)).dtype == np.float64  # a 0-d ndarray widens, as in numpy 2
    assert (x * 2.0).dtype == np.float32
    n = Tensor(np.array([127, 0], dtype=np.int8))
    wrapped = n + 128  # a Python int outside the dtype's range wraps into it (-128), as torch's, where numpy raises
    assert wrapped.dtype == np.int8
    np.testing.assert_array_equal(wrapped.data, np.array([-1, -128], dtype=np.int8))


@pytest.mark.parametrize(
    ("ours", "torchs"),
    [
        (lambda t, b: t.clip(-b, b), lambda t, b: t.clip(-b, b)),
        (lambda t, b: t.clamp(min=b), lambda t, b: t.clamp(min=b)),
        (lambda t, b: np.clip(t, -b, b), lambda t, b: t.clamp(-b, b)),
    ],
    ids=["clip", "clamp_min", "np.clip"],
)
def test_a_numpy_float64_bound_clips_a_float32_tensor_in_float32_as_torch(ours, torchs):
    """np.float64(0.5) is a number beside a tensor (as in x * np.float64(2)): clip keeps float32, as torch's clamp."""
    torch = pytest.importorskip("torch")
    data = np.array([-2.0, -0.25, 0.1, 3.0], dtype=np.float32)
    x = Tensor(data, requires_grad=True)
    result = ours(x, np.float64(0.5))
    expected = torchs(torch.tensor(data), np.float64(0.5))
    assert result.dtype == np.float32 and expected.dtype == torch.float32
    np.testing.assert_array_equal(result.data, expected.numpy())
    result.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_clamp_by_integer_tensor_bounds_with_min_above_max_keeps_a_nan_inputs_float_dtype_as_torch(dtype):
    """Where min > max the result is max; at a nan entry it stays nan, which was made as ``max + nan``: of an int64
    max, a tensor of the default float dtype (float64), so the whole result came out float64 instead of x's."""
    torch = pytest.importorskip("torch")
    data = np.array([np.nan, 1.0, 5.0], dtype=dtype)
    low, high = np.array([3, 3, 3]), np.array([2, 2, 2])
    result = Tensor(data).clamp(Tensor(low), Tensor(high))
    expected = torch.tensor(data).clamp(torch.tensor(low), torch.tensor(high))
    assert result.dtype == np.dtype(dtype) and expected.dtype == getattr(torch, dtype)
    np.testing.assert_array_equal(result.numpy(), expected.numpy())


def test_a_bound_beyond_float32_clips_a_float32_tensor_without_a_warning():
    """1e300 in float32 is inf, silently, as for x * 1e300 (numpy's cast warns)."""
    x = Tensor(np.array([-3e38, 1.0, 3e38], dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = x.clip(-1e300, 1e300)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result.data, x.data)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (np.float32, np.int64),
        (np.float16, np.int32),
        (np.float32, np.float64),
        (np.int8, np.int64),
        (np.bool_, np.int16),
    ],
)
def test_joins_and_where_promote_by_category_as_torch(first, second):
    torch = pytest.importorskip("torch")
    a, b = np.array([1, 0, 1]).astype(first), np.array([2, 3, 4]).astype(second)
    name = {np.bool_: "bool"}
    ta = torch.tensor(a, dtype=getattr(torch, name.get(first, np.dtype(first).name)))
    tb = torch.tensor(b, dtype=getattr(torch, name.get(second, np.dtype(second).name)))
    mask = np.array([True, False, True])
    for ours, theirs in (
        (autograd_cat([Tensor(a), Tensor(b)]), torch.cat([ta, tb])),
        (autograd_where(mask, Tensor(a), Tensor(b)), torch.where(torch.tensor(mask), ta, tb)),
    ):
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_a_float32_tensor_joined_with_an_integer_one_keeps_its_gradient_in_float32():
    x = Tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    joined = autograd_cat([x, Tensor(np.array([2, 3]))])
    assert joined.dtype == np.float32
    (joined * joined).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [1.0, 3.0])


@pytest.mark.parametrize("integer", [np.uint8, np.int8, np.int16, np.int64, np.bool_])
@pytest.mark.parametrize("function", ["exp", "sigmoid", "sqrt", "tanh", "log1p"])
def test_floating_functions_of_integers_compute_in_the_default_float_dtype(integer, function):
    values = np.array([0, 1, 2, 3]).astype(integer)
    result = getattr(Tensor(values), function)() if function != "log1p" else np.log1p(Tensor(values))
    assert result.dtype == np.float64  # the default floating dtype (torch: its default, float32)
    reference = (lambda v: 1 / (1 + np.exp(-v))) if function == "sigmoid" else getattr(np, function)
    np.testing.assert_allclose(result.data, reference(values.astype(np.float64)), rtol=1e-15)


@pytest.mark.parametrize(
    ("dividend", "divisor", "expected"),
    [
        # the 0-d divisor is not first cast to the dimensioned tensor's integer dtype (where 2**40 wraps to 0)
        (np.array([3, 4], dtype=np.int32), np.array(2**40), [3 / 2**40, 4 / 2**40]),
        (np.array([3, 4], dtype=np.uint8), np.array(-2, dtype=np.int8), [-1.5, -2.0]),
        (np.array(2**40), np.array([3, 4], dtype=np.int32), [2**40 / 3, 2**40 / 4]),
    ],
)
def test_true_division_of_integer_tensors_divides_their_values_as_given(dividend, divisor, expected):
    result = Tensor(dividend) / Tensor(divisor)
    assert result.dtype == np.float64  # the default float dtype
    np.testing.assert_allclose(result.data, expected, rtol=1e-15)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_take_a_0d_float_beside_an_integer_tensor_as_its_truth_value(name):
    integers, half = Tensor(np.array([0, 1, 2], dtype=np.int32)), Tensor(np.array(0.5))
    expected = getattr(np, name)(np.array([0, 1, 2]), 0.5)  # 0.5 is true (cast to int32 it would be 0, false)
    np.testing.assert_array_equal(getattr(integers, name)(half).data, expected)
    np.testing.assert_array_equal(
        getattr(Tensor(np.array([0.0, 0.5])), name)(Tensor(np.array(2))).data,
        getattr(np, name)(np.array([0.0, 0.5]), 2),
    )


@pytest.mark.parametrize(
    "name", ["add", "sub", "mul", "div", "true_divide", "remainder", "floor_divide", "pow", "xlogy"]
)
@pytest.mark.parametrize(
    ("number", "dtype"), [(3, "uint8"), (-2, "int8"), (300, "int16"), (2.5, "float32"), (-1.5, "float16")]
)
def test_a_module_function_takes_a_number_before_a_0d_tensor_as_a_weak_scalar_as_torch(name, number, dtype):
    # autograd.add(3, t) of a 0-d uint8 t gave int64, autograd.true_divide(2.5, t) of a 0-d float32 t float64:
    # the number was made a Tensor of numpy's dtype before t's method ran
    torch = pytest.importorskip("torch")
    value = np.array(7 if dtype != "int8" else -3, dtype=dtype)
    ours = getattr(autograd, name)(number, Tensor(value))
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # the library's default float dtype (integers divided give it)
    try:
        theirs = getattr(torch, name)(number, torch.from_numpy(value))
    finally:
        torch.set_default_dtype(default)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data.astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-3)


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, t: t(np.array([1, 2])).xlogy(2.5),  # an integer tensor and a Python float: the default dtype
        lambda lib, t: lib.xlogy(t(np.array([1, 2])), 2.5),
        lambda lib, t: t(np.array([True, False])).xlogy(2.5),
        lambda lib, t: t(np.array([1, 2])).xlogy(2),
        lambda lib, t: t(np.array([1, 2])).xlogy(t(np.array(2.5))),
        lambda lib, t: t(np.array([1, 2])).dist(t(np.array(0.5))),  # the 0-d float64 tensor's float64
        lambda lib, t: t(np.array([1, 2], np.int32)).dist(t(np.array([0.5, 1.0], np.float16))),
        lambda lib, t: t(np.array([1.0, 2.0], np.float32)).dist(t(np.array(0.5))),
        lambda lib, t: t(np.array([1.0, 2.0])).dist(t(np.array([3, 4]))),
    ],
    ids=[
        "xlogy-int-float",
        "autograd.xlogy",
        "xlogy-bool-float",
        "xlogy-int-int",
        "xlogy-int-0d",
        "dist-int-0d",
        "dist-int32-float16",
        "dist-float32-0d",
        "dist-float64-int",
    ],  # fmt: skip
)
def test_xlogy_and_dist_of_integer_tensors_take_torchs_dtype(call, default):
    torch = pytest.importorskip("torch")
    before, torch_before = autograd.get_default_dtype(), torch.get_default_dtype()
    autograd.set_default_dtype(np.dtype(default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        ours, theirs = call(autograd, autograd.tensor), call(torch, torch.from_numpy)
    finally:
        autograd.set_default_dtype(before)
        torch.set_default_dtype(torch_before)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data.astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-3)
