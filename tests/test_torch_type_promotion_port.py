"""The behaviour PyTorch's ``test/test_type_promotion.py`` checks, ported: the dtype (and values) of binary ops,
in-place ops and ``out=`` between tensors of every real dtype, 0-d tensors and Python numbers, against torch.

torch runs with float64 as its default dtype here, as this library's documented default (``autograd.get_default_dtype``
is numpy's float64): a Python float beside an integer tensor then gives float64 in both.
"""

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.tensor_in_place import InPlaceCastError

torch = pytest.importorskip("torch")

INTEGERS = ["uint8", "int8", "int16", "int32", "int64"]


pytestmark = pytest.mark.usefixtures("torch_default_float64")


def _pair(values, dtype):
    """The same numbers as a Tensor and as a torch tensor of ``dtype`` (a numpy name)."""
    array = np.asarray(values).astype(dtype)
    return Tensor(array), torch.from_numpy(array.copy())


def _assert_same(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.data, theirs.numpy())


# -- in-place ops and out= store any integer result in any integer tensor, as torch's canCast ----------------------
IN_PLACE = {
    "+=": lambda t, o: t.__iadd__(o),
    "-=": lambda t, o: t.__isub__(o),
    "*=": lambda t, o: t.__imul__(o),
    "add_": lambda t, o: t.add_(o),
    "sub_": lambda t, o: t.sub_(o),
    "mul_": lambda t, o: t.mul_(o),
    "clamp_": lambda t, o: t.clamp_(min=o),
    "pow_": lambda t, o: t.pow_(o),
    "remainder_": lambda t, o: t.remainder_(o),
    "floor_divide_": lambda t, o: t.floor_divide_(o),
    "bitwise_or_": lambda t, o: t.bitwise_or_(o),
    "bitwise_and_": lambda t, o: t.bitwise_and_(o),
}


@pytest.mark.parametrize(
    ("op", "other"),
    [
        (op, other)
        for op in IN_PLACE
        for other in ("int8", "int16", "int64", "0-d int32", "-1")
        # (not -1 where torch wraps it into uint8 first: a number the dtype cannot hold is promoted here)
        if not (other == "-1" and op in ("pow_", "floor_divide_", "remainder_", "clamp_"))
    ],
)
def test_an_unsigned_tensor_takes_a_signed_integer_result_in_place_as_torch(op, other):
    # torch's test_inplace: "We allow demotion from signed to unsigned, unlike numpy" (uint8_tensor *= int16_tensor);
    # numpy's same_kind rule refused it with an InPlaceCastError
    ours, theirs = _pair([7, 200, 3], "uint8")
    if other == "-1":
        operand, torch_operand = -1, -1
    else:
        dtype = other.split()[-1]
        operand, torch_operand = _pair(2 if other.startswith("0-d") else [2, 3, 1], dtype)
    result = IN_PLACE[op](ours, operand)
    IN_PLACE[op](theirs, torch_operand)
    assert result is ours
    _assert_same(ours, theirs)


@pytest.mark.parametrize("target", ["uint8", "int8"])
def test_out_takes_an_integer_result_of_another_signedness_as_torch(target):
    a, ta = _pair([100, -3, 7], "int8" if target == "uint8" else "uint8")
    out, theirs = _pair([0, 0, 0], target)
    assert autograd.add(a, a, out=out) is out
    torch.add(ta, ta, out=theirs)
    _assert_same(out, theirs)


@pytest.mark.parametrize(
    ("target", "operand"),
    [("int32", 1.5), ("uint8", 0.5), ("bool", 1), ("bool", "uint8"), ("int64", "float16"), ("int16", "true divide")],
)
def test_in_place_still_refuses_a_result_of_a_higher_category_as_torch(target, operand):
    # torch's test_inplace: int_tensor.add_(1.5) and bool_tensor.add_(uint8_tensor) can't be cast
    ours, theirs = _pair([1, 1, 1], target)
    if operand == "true divide":
        do = lambda t, o: t.div_(o)  # noqa: E731
        operand = 2
    else:
        do = lambda t, o: t.add_(o)  # noqa: E731
    theirs_operand = _pair([1, 1, 1], operand)[1] if isinstance(operand, str) else operand
    ours_operand = _pair([1, 1, 1], operand)[0] if isinstance(operand, str) else operand
    with pytest.raises(RuntimeError, match="can't be cast to"):
        do(theirs, theirs_operand)
    with pytest.raises(InPlaceCastError, match="can't be cast to"):
        do(ours, ours_operand)
    np.testing.assert_array_equal(ours.data, np.ones(3, dtype=target))  # nothing half-changed


# -- division: true division of integers is floating, rounded division of integers stays integer ------------------
@pytest.mark.parametrize("rounding_mode", ["floor", "trunc"])
@pytest.mark.parametrize(
    ("dividend", "divisor"),
    [("bool", -2), ("bool", "int8"), ("int32", "bool"), ("int16", True), ("uint8", "bool"), ("int64", "int32")],
)
def test_rounded_division_with_a_boolean_operand_stays_integer_as_torch(rounding_mode, dividend, divisor):
    # div(bool_tensor, -2, rounding_mode="trunc") was float64 [-0.0, ...], where "floor" and torch give int64
    ours, theirs = _pair([1, 0, 1, 1] if dividend == "bool" else [7, -7, 0, 5], dividend)
    if dividend == "uint8":
        ours, theirs = _pair([7, 200, 0, 5], dividend)
    if isinstance(divisor, str):
        ours_divisor, theirs_divisor = _pair([1, 1, 1, 1] if divisor == "bool" else [-2, 3, -1, 2], divisor)
    else:
        ours_divisor = theirs_divisor = divisor
    _assert_same(
        autograd.div(ours, ours_divisor, rounding_mode=rounding_mode),
        torch.div(theirs, theirs_divisor, rounding_mode=rounding_mode),
    )


# -- add's and sub's alpha: a float alpha needs a floating result, a bool alpha a boolean one ----------------------
@pytest.mark.parametrize("name", ["add", "sub", "add_", "sub_"])
@pytest.mark.parametrize(
    ("first", "second", "alpha"),
    [
        ("int32", "int32", 1.1),
        ("int64", "int64", 2.0),
        ("int64", 2, 1.5),
        ("uint8", "int8", np.float64(0.5)),
        ("int64", "int64", True),
        ("float32", "float32", True),
        ("bool", "bool", 0.5),
    ],
)
def test_an_alpha_the_result_dtype_cannot_take_is_refused_as_torch(name, first, second, alpha):
    # torch's test_alpha_mismatch; add(int_tensor, int_tensor, alpha=1.1) gave a float64 tensor
    ours, theirs = _pair([1, 2, 3], first)
    ours_other, theirs_other = _pair([1, 0, 1], second) if isinstance(second, str) else (second, second)
    with pytest.raises(RuntimeError):
        getattr(theirs, name)(theirs_other, alpha=alpha)
    before = ours.data.copy()
    subtracted_bools = name.startswith("sub") and first == "bool"  # torch refuses the bools first, as here
    with pytest.raises(RuntimeError, match="bool" if subtracted_bools else "alpha"):
        getattr(ours, name)(ours_other, alpha=alpha)
    np.testing.assert_array_equal(ours.data, before)


@pytest.mark.parametrize(
    ("first", "second", "alpha"),
    [
        ("int64", "float32", 1.5),
        ("int64", 2.5, 1.5),
        ("float32", "int64", 0.5),
        ("bool", "bool", True),
        ("bool", "bool", 2),
        ("int16", "int16", 3),
        ("int16", "int16", np.int64(3)),
        ("int32", "bool", 2),
        ("bool", True, 2),
        ("float16", "int64", 0.25),
    ],
)
def test_an_alpha_the_result_dtype_takes_scales_as_torch(first, second, alpha):
    # alpha took part in promotion: add(float32, int64, alpha=0.5) was float64, add(bool, bool, alpha=2) int64
    ours, theirs = _pair([1, 2, 3], first)
    ours_other, theirs_other = _pair([1, 0, 1], second) if isinstance(second, str) else (second, second)
    _assert_same(autograd.add(ours, ours_other, alpha=alpha), torch.add(theirs, theirs_other, alpha=alpha))
    assert torch.add(True, True).item() is autograd.add(True, True).item() is True  # torch's test_booleans


COMPARISONS = ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"]


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize(
    "dimensioned, zero_d",
    [("float32", "float64"), ("float16", "float32"), ("float32", "int64"), ("int8", "int64"), ("uint8", "int64")],
)
def test_comparisons_promote_a_0d_tensor_as_arithmetic_does(name, dimensioned, zero_d):
    """torch compares a float32 tensor with a 0-d float64 one in float32 (as x - y is computed): 0.1f == 0.1 is
    True there, where numpy's float64 comparison says False; an int8 tensor with a 0-d int64 300 compares in int8."""
    values = {"float32": [0.1, 0.5, 300.0], "float16": [0.1, 0.5, 300.0], "int8": [44, 5, -1], "uint8": [44, 5, 255]}
    number = {"float64": 0.1, "float32": 0.1, "int64": 300}[zero_d]
    ours_x = Tensor(np.array(values[dimensioned], dtype=dimensioned))
    theirs_x = torch.from_numpy(ours_x.numpy().copy())
    ours_y, theirs_y = Tensor(np.array(number, dtype=zero_d)), torch.tensor(number, dtype=getattr(torch, zero_d))
    for ours, theirs in ((getattr(ours_x, name)(ours_y), getattr(theirs_x, name)(theirs_y)),
                         (getattr(ours_y, name)(ours_x), getattr(theirs_y, name)(theirs_x))):  # fmt: skip
        assert ours.dtype == np.bool_
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_comparisons_take_a_numpy_float_scalar_as_the_number_it_holds():
    x = Tensor(np.array([0.1, 0.5], dtype=np.float32))
    np.testing.assert_array_equal((x == np.float64(0.1)).numpy(), [True, False])
    np.testing.assert_array_equal((x < np.float64(0.1)).numpy(), [False, False])


@pytest.mark.parametrize("op", ["lt", "le", "gt", "ge", "eq", "ne"])
@pytest.mark.parametrize(
    ("left", "right"),
    [
        (np.array(5, np.int32), np.array(2**40, np.int64)),
        (np.array(5, np.uint8), np.array(-1, np.int64)),
        (np.array(-1, np.int8), np.array(255, np.uint8)),
        (np.array(2**40, np.int64), np.array(0, np.int32)),
    ],
    ids=["int32 5 vs int64 2**40", "uint8 5 vs int64 -1", "int8 -1 vs uint8 255", "int64 2**40 vs int32 0"],
)
def test_comparing_two_0d_integer_tensors_of_different_dtypes_promotes_them_as_torch(left, right, op):
    """Two 0-d tensors are promoted as any two tensors are (int32 beside int64 is int64), for comparisons as for
    arithmetic: ``tensor(5, int32) < tensor(2**40)`` was False (2**40 wrapped into int32's 0) where torch's is True."""
    ours = getattr(Tensor(left), op)(Tensor(right))
    theirs = getattr(torch.tensor(left), op)(torch.tensor(right))
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
