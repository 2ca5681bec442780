"""A number written into an integer tensor by a fill (``fill_``, ``index_fill``, ``scatter``'s value, ``t[i] = v``)
that the dtype cannot hold (inf, nan, 300 in int8, an int beyond 64 bits) is refused with the op named, as torch
refuses it, and the tensor is left as it was; numpy would raise a bare OverflowError or store garbage silently.
So is a finite number beyond a float dtype's range (70000 into float16), which numpy's cast makes inf."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

INDEX = Tensor(np.zeros((1, 3), dtype=np.int64))
WRITES = {
    "fill_": lambda t, v: t.fill_(v),
    "index_fill_": lambda t, v: t.index_fill_(1, Tensor(np.array([0])), v),
    "index_fill": lambda t, v: t.index_fill(1, Tensor(np.array([0])), v),
    "scatter_": lambda t, v: t.scatter_(0, INDEX, value=v),
    "scatter": lambda t, v: t.scatter(0, INDEX, value=v),
    "setitem": lambda t, v: t.__setitem__(0, v),
}
UNFIT = [("int8", np.inf), ("int8", np.nan), ("int8", 300), ("int8", 1e308), ("uint8", 256), ("int64", np.inf),
         ("int64", 2**70), ("int32", -np.inf)]  # fmt: skip


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
@pytest.mark.parametrize(("dtype", "value"), UNFIT, ids=[f"{d}-{v}" for d, v in UNFIT])
def test_a_value_the_integer_dtype_cannot_hold_is_refused_and_nothing_changes(write, dtype, value):
    tensor = Tensor(np.arange(6, dtype=dtype).reshape(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"cannot (be )?convert"):
            WRITES[write](tensor, value)
    np.testing.assert_array_equal(tensor.data, np.arange(6, dtype=dtype).reshape(2, 3))


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_float_that_fits_is_truncated_into_an_integer_tensor_as_torch(write):
    tensor = Tensor(np.arange(6, dtype=np.int8).reshape(2, 3))
    out = WRITES[write](tensor, 2.7)
    result = tensor if out is None or write in ("fill_", "index_fill_", "scatter_", "setitem") else out
    assert result.dtype == np.int8
    assert result.data[0, 0] == 2


FACTORIES = {
    "full": lambda dtype, v: autograd.full((2, 3), v, dtype=dtype),
    "full_like": lambda dtype, v: autograd.full_like(Tensor(np.zeros((2, 3), dtype=dtype)), v),
    "new_full": lambda dtype, v: Tensor(np.zeros(1, dtype=dtype)).new_full((2, 3), v),
}


@pytest.mark.parametrize("factory", list(FACTORIES), ids=list(FACTORIES))
@pytest.mark.parametrize(("dtype", "value"), UNFIT, ids=[f"{d}-{v}" for d, v in UNFIT])
def test_a_factory_refuses_a_fill_value_the_integer_dtype_cannot_hold(factory, dtype, value):
    # numpy's full stored INT_MIN for inf, nan or 1e20 in int32 (and raised a bare OverflowError for 300 in int8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"{factory}: value .* cannot (be )?convert"):
            FACTORIES[factory](np.dtype(dtype), value)


@pytest.mark.parametrize("factory", list(FACTORIES), ids=list(FACTORIES))
def test_a_factory_refuses_the_fill_values_torch_refuses_and_truncates_the_others_as_torch(factory):
    torch = pytest.importorskip("torch")
    torch_factories = {
        "full": lambda dtype, v: torch.full((2, 3), v, dtype=dtype),
        "full_like": lambda dtype, v: torch.full_like(torch.zeros((2, 3), dtype=dtype), v),
        "new_full": lambda dtype, v: torch.zeros(1, dtype=dtype).new_full((2, 3), v),
    }
    for dtype, value in [("int32", np.nan), ("int32", 1e20), ("int64", -np.inf), ("int8", 300)]:
        with pytest.raises(RuntimeError):
            torch_factories[factory](getattr(torch, dtype), value)
        with pytest.raises(ValueError):
            FACTORIES[factory](np.dtype(dtype), value)
    for dtype, value in [("int8", 2.7), ("int32", -2.7), ("uint8", 255), ("bool", 2), ("float32", 1.5)]:
        ours = FACTORIES[factory](np.dtype(dtype), value)
        theirs = torch_factories[factory](getattr(torch, dtype), value)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize(
    ("data", "dtype"),
    [([1, 300], "int8"), ([256], "uint8"), ([1.5e10], "int32"), ([1e20], "int64"), ([np.nan], "int8"),
     ([[0.0], [np.inf]], "int32"), ([2**64], None), ([1, -(2**70)], None)],
)  # fmt: skip
def test_tensor_of_numbers_the_dtype_cannot_hold_is_refused_naming_tensor_as_torch_refuses_it(data, dtype):
    # numpy raised a bare OverflowError (300 in int8) or ValueError (nan), or made an object array (2**64)
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, ValueError)):
        torch.tensor(data, dtype=None if dtype is None else getattr(torch, dtype))
    with pytest.raises(autograd.ArgumentRangeError, match="Tensor: a value cannot be converted to u?int") as caught:
        autograd.tensor(data, dtype=dtype)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, RuntimeError)


FLOAT_FILLS = {  # (t, v, index_of: an int64 index array as the library's tensor); t[0] = 1e6 gives inf in torch too
    "fill_": lambda t, v, index_of: t.fill_(v),
    "index_fill_": lambda t, v, index_of: t.index_fill_(1, index_of([0]), v),
    "index_fill": lambda t, v, index_of: t.index_fill(1, index_of([0]), v),
    "scatter_": lambda t, v, index_of: t.scatter_(0, index_of([[0, 0, 0]]), value=v),
    "scatter": lambda t, v, index_of: t.scatter(0, index_of([[0, 0, 0]]), value=v),
    "masked_fill": lambda t, v, index_of: t.masked_fill(t == t, v),
    "masked_fill_": lambda t, v, index_of: t.masked_fill_(t == t, v),
}
FLOAT_CASES = [("float16", 70000), ("float16", 1e6), ("float16", -65520.0), ("float32", 1e39), ("float32", -3.5e38),
               ("float16", 65504.0), ("float16", np.inf), ("float16", np.nan), ("float64", 1e308)]  # fmt: skip


@pytest.mark.parametrize("write", list(FLOAT_FILLS), ids=list(FLOAT_FILLS))
@pytest.mark.parametrize(("dtype", "value"), FLOAT_CASES, ids=[f"{d}-{v}" for d, v in FLOAT_CASES])
def test_a_finite_number_beyond_a_float_dtype_is_refused_by_a_fill_as_torch_and_nothing_changes(write, dtype, value):
    """torch refuses 70000 into float16 ("cannot be converted to type c10::Half without overflow") where numpy's cast
    gives inf; inf, nan and the dtype's own largest number fill as numbers."""
    torch = pytest.importorskip("torch")
    before = np.arange(6, dtype=dtype).reshape(2, 3)
    theirs = torch.tensor(before)
    try:
        expected = FLOAT_FILLS[write](theirs, value, lambda i: torch.tensor(i))
    except RuntimeError:
        expected = None
    tensor = Tensor(before.copy())
    ours = lambda: FLOAT_FILLS[write](tensor, value, lambda i: Tensor(np.array(i)))  # noqa: E731
    if expected is None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(RuntimeError, match=rf"{write.rstrip('_')}_?: value .* without overflow"):
                ours()
        np.testing.assert_array_equal(tensor.data, before)
        return
    result = ours()
    assert result.dtype == before.dtype
    np.testing.assert_array_equal(result.data, expected.numpy())
    np.testing.assert_array_equal(tensor.data, theirs.numpy())  # changed in place as torch's (or left as it was)
