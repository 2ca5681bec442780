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


def _error_class(call, lib):
    try:
        call(lib)
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return error
    return None


def _assert_as_torch(call):
    """``call(A)`` raises an instance of the class ``call(torch)`` raises, or gives torch's values."""
    expected = _error_class(call, torch)
    if expected is not None:
        with pytest.raises(type(expected)):
            call(A)
        return
    assert call(A).tolist() == call(torch).tolist()


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([2**63 - 1], "int32"),
        ([300], "uint8"),
        ([1e300], "int64"),
        ([float("nan")], "int32"),
        ([float("inf")], "int16"),
        (None, "float32"),
        ([None], "bool"),
    ],
)
def test_as_tensor_of_lists_refuses_what_torch_refuses_with_torchs_class(data, dtype) -> None:
    # as_tensor converted lists with numpy's asarray: a bare OverflowError or ValueError where torch raises a
    # RuntimeError, and None made nan (or False), "a" made True, where torch refuses them
    call = lambda lib: lib.as_tensor(data, dtype=getattr(lib, dtype))  # noqa: E731
    expected = _error_class(call, torch)
    assert expected is not None
    with pytest.raises(type(expected)):
        call(A)


@pytest.mark.parametrize("data", [2**63, [1, 2**63], [[2**64 - 1]]])
@pytest.mark.parametrize("factory", ["tensor", "as_tensor"])
def test_a_python_int_past_int64_is_refused_as_torchs(data, factory) -> None:
    # numpy makes [2**63, 2**64) uint64; torch reads Python ints as int64 and raises a ValueError
    with pytest.raises(ValueError):
        getattr(torch, factory)(data)
    with pytest.raises(ValueError):
        getattr(A, factory)(data)
    assert A.tensor(np.array(data, dtype=np.uint64)).dtype == np.uint64  # a numpy uint64 array stays one


def test_full_of_a_python_int_past_int64_is_refused_as_torchs() -> None:
    with pytest.raises(RuntimeError):
        torch.full((2,), 2**63)
    with pytest.raises(RuntimeError):
        A.full((2,), 2**63)
    assert A.full((2,), 2**63 - 1).tolist() == torch.full((2,), 2**63 - 1).tolist()


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([-1, 3], "uint8"),  # torch takes an int in [-255, 255] into uint8, a negative one wrapping: 255
        (-255, "uint8"),
        ([[-128, 2.0]], "uint8"),  # each element by its own type: the int wraps, the float fits
        ([255.5], "uint8"),  # a float is checked before it is truncated: above 255, refused
        ([-0.5], "uint8"),
        ([127.5], "int8"),
        ([-128.5], "int8"),
        ([2**31 - 0.5], "int32"),
        ([-256], "uint8"),
        (np.float64(-1.0), "uint8"),  # numpy's float64 is a Python float
        (np.uint8(255), "int8"),  # a numpy integer scalar is checked as an int
        (np.int16(-3), "uint8"),
    ],
)
@pytest.mark.parametrize("factory", ["tensor", "as_tensor"])
def test_python_numbers_into_an_integer_dtype_are_checked_as_torch_checks_them(data, dtype, factory) -> None:
    call = lambda lib: getattr(lib, factory)(data, dtype=getattr(lib, dtype))  # noqa: E731
    _assert_as_torch(call)


@pytest.mark.parametrize("value", [-1, -200, 255])
def test_full_and_fill_of_a_negative_int_wrap_into_uint8_as_torch(value) -> None:
    for call in (
        lambda lib: lib.full((2,), value, dtype=lib.uint8),
        lambda lib: lib.zeros(2, dtype=lib.uint8).fill_(value),
        lambda lib: lib.zeros(2, dtype=lib.uint8).masked_fill(lib.tensor([True, False]), value),
    ):
        assert call(A).tolist() == call(torch).tolist()


@pytest.mark.parametrize(("value", "dtype"), [(70000, "float16"), (1e10, "float16"), (1e39, "float32")])
def test_full_of_a_finite_value_beyond_a_float_dtype_is_refused_as_torch(value, dtype) -> None:
    # numpy's cast gives inf; torch's full checks the value (of a tensor of more than one element)
    for call in (
        lambda lib: lib.full((2, 2), value, dtype=getattr(lib, dtype)),
        lambda lib: lib.full_like(lib.zeros(3, dtype=getattr(lib, dtype)), value),
    ):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(A)


@pytest.mark.parametrize("method", ["byte", "char", "short"])
def test_byte_char_and_short_of_a_tensor_of_that_dtype_return_it_as_torch(method) -> None:
    dtype = {"byte": "uint8", "char": "int8", "short": "int16"}[method]
    theirs = torch.tensor([1, 2], dtype=getattr(torch, dtype))
    ours = A.tensor([1, 2], dtype=getattr(A, dtype))
    assert (getattr(ours, method)() is ours) == (getattr(theirs, method)() is theirs) is True


def test_float64_to_uint8_truncates_through_int64_as_torch() -> None:
    # numpy's cast of a float64 past int32's range into uint8 gave 0; torch's keeps the low byte of the int64
    values = [2.0**31 + 1, -(2.0**31) - 1, 2.0**32 + 5, 300.0, -1.0, 1e19, float("nan")]
    expected = torch.tensor(values, dtype=torch.float64).to(torch.uint8).tolist()
    assert A.tensor(values, dtype=A.float64).to(A.uint8).tolist() == expected
    assert A.tensor(values, dtype=A.float64).byte().tolist() == expected


@pytest.mark.parametrize(
    "items",
    [
        [("int16", 0), ("float16", 1.5)],
        [("bool", True), ("int16", 2), ("float16", 0.5)],
        [("int32", 1), ("float32", 2)],
    ],
)
@pytest.mark.parametrize("kind", ["numpy", "tensor"])
def test_a_list_of_numpy_scalars_or_0d_tensors_takes_torchs_joined_dtype(items, kind) -> None:
    # numpy promotes int16 beside float16 to float32; torch keeps the floating element's dtype, float16
    def make(lib, name, value):
        if kind == "numpy":
            return np.array(value).astype(name)[()]
        return lib.tensor(value, dtype=getattr(lib, name))

    expected = torch.tensor([make(torch, name, value) for name, value in items])
    got = A.tensor([make(A, name, value) for name, value in items])
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    assert got.tolist() == expected.tolist()


def test_arange_of_bool_is_torchs_not_implemented_error_before_its_bounds_are_checked() -> None:
    for args in [(-1,), (3, 1), (0, float("inf"))]:
        with pytest.raises(NotImplementedError):
            torch.arange(*args, dtype=torch.bool)
        with pytest.raises(NotImplementedError):
            A.arange(*args, dtype=A.bool)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.logspace(0, 1, 2.0),
        lambda lib: lib.logspace(0, 1, True),
        lambda lib: lib.randint(5, (2.0,)),
        lambda lib: lib.randperm(2.0),
    ],
)
def test_a_float_or_bool_count_is_torchs_type_error(call) -> None:
    with pytest.raises(TypeError):
        call(torch)
    with pytest.raises(TypeError):
        call(A)


@pytest.mark.parametrize("name", ["linspace", "logspace"])
@pytest.mark.parametrize("steps", [0, 1, 2])
@pytest.mark.parametrize(("start", "end"), [(-3.5, 0), (0, 300), (-1, 2)])
def test_linspace_and_logspace_into_uint8_convert_only_the_ends_they_use_as_torch(name, steps, start, end) -> None:
    # no steps: nothing converted (torch's empty tensor; ours refused -3.5); one linspace step converts the start only
    call = lambda lib: getattr(lib, name)(start, end, steps, dtype=lib.uint8)  # noqa: E731
    _assert_as_torch(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.tensor(["a"]),  # torch's ValueError
        lambda lib: lib.tensor([[1.0], ["b"]]),
        lambda lib: lib.tensor([None]),  # torch's RuntimeError
        lambda lib: lib.tensor(None),
        lambda lib: lib.as_tensor([None, None]),
        lambda lib: lib.as_tensor(["a"], dtype=lib.bool),
        lambda lib: lib.tensor("a"),  # torch's TypeError, as the library's
        lambda lib: lib.tensor([None], dtype=lib.float32),
    ],
)
def test_data_of_strings_or_none_raises_an_instance_of_torchs_class(call) -> None:
    # the library raised a TypeError for all of them
    expected = _error_class(call, torch)
    assert expected is not None
    with pytest.raises(type(expected)) as caught:
        call(A)
    assert isinstance(caught.value, TypeError)  # still the library's class
