"""Errors of the Tensor core raised as instances of torch's class (the library's dual classes), compared with torch:
quantile and nanquantile of integers, a q out of range or of 2 dimensions, an empty input; nanmean of integers;
subtraction with a bool tensor (the operator too); a masked assignment of a value of the wrong shape."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _error(module, call):
    """The exception ``call(module)`` raises (None if it raises none)."""
    try:
        call(module)
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return error
    return None


def _tensor(module, values, dtype=None):
    return module.tensor(np.array(values, dtype=dtype))


CALLS = {
    "quantile of int64": lambda m: _tensor(m, [1, 2, 3]).quantile(0.5),
    "quantile of bool": lambda m: _tensor(m, [True, False]).quantile(0.5),
    "nanquantile of int64": lambda m: _tensor(m, [1, 2, 3]).nanquantile(0.5),
    "quantile() of int64": lambda m: m.quantile(_tensor(m, [1, 2, 3]), 0.5),
    "quantile q above 1": lambda m: _tensor(m, [1.0, 2.0]).quantile(1.5),
    "quantile q below 0": lambda m: _tensor(m, [1.0, 2.0]).quantile(-0.5),
    "nanquantile q above 1": lambda m: _tensor(m, [1.0, 2.0]).nanquantile(1.5),
    "quantile 2-D q": lambda m: _tensor(m, [1.0, 2.0]).quantile(_tensor(m, [[0.5]])),
    "quantile of empty": lambda m: _tensor(m, np.zeros(0)).quantile(0.5),
    "nanquantile of empty": lambda m: _tensor(m, np.zeros(0)).nanquantile(0.5),
    "quantile of empty along dim": lambda m: _tensor(m, np.zeros((0, 3))).quantile(0.5, dim=1),
    "quantile unknown interpolation": lambda m: _tensor(m, [1.0, 2.0]).quantile(0.5, interpolation="cubic"),
    "nanmean of int64": lambda m: _tensor(m, [1, 2]).nanmean(),
    "nanmean of bool": lambda m: _tensor(m, [True]).nanmean(),
    "nanmean of int64 in float64": lambda m: _tensor(m, [1, 2]).nanmean(dtype=m.float64),
    "bool - bool": lambda m: _tensor(m, [True, False]) - _tensor(m, [True, True]),
    "bool - True": lambda m: _tensor(m, [True, False]) - True,
    "True - bool": lambda m: True - _tensor(m, [True, False]),
    "1 - bool": lambda m: 1 - _tensor(m, [True, False]),
    "bool - 1": lambda m: _tensor(m, [True, False]) - 1,
    "1.5 - bool": lambda m: 1.5 - _tensor(m, [True, False]),
    "bool - int64": lambda m: _tensor(m, [True, False]) - _tensor(m, [1, 2]),
    "int64 - bool": lambda m: _tensor(m, [1, 2]) - _tensor(m, [True, False]),
    "float64 - bool": lambda m: _tensor(m, [1.0, 2.0]) - _tensor(m, [True, False]),
    "int64 - True": lambda m: _tensor(m, [1, 2]) - True,
    "bool - 0-d bool": lambda m: _tensor(m, [True, False]) - m.tensor(True),
    "bool - np.int64": lambda m: _tensor(m, [True, False]) - np.int64(1),
    "bool.sub(bool)": lambda m: _tensor(m, [True, False]).sub(_tensor(m, [True, True])),
    "bool -= bool": lambda m: _tensor(m, [True, False]).__isub__(_tensor(m, [True, True])),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_error_is_an_instance_of_torchs_class(name):
    expected = _error(torch, CALLS[name])
    got = _error(ag, CALLS[name])
    assert expected is not None and got is not None, (expected, got)
    assert isinstance(got, type(expected)), f"torch raises {type(expected).__name__}, ours {type(got).__mro__}"


@pytest.mark.parametrize("name", ["quantile of int64", "quantile q above 1", "nanmean of int64", "bool - bool"])
def test_error_keeps_the_library_class(name):
    got = _error(ag, CALLS[name])
    assert isinstance(got, (TypeError, ValueError))


@pytest.mark.parametrize(
    ("name", "words"),
    [("bool - bool", "two bool tensors.*logical_xor"), ("1 - bool", "bool tensor.*logical_not")],
)
def test_bool_subtraction_says_which_operator_is_meant_as_torch(name, words):
    pytest.raises(RuntimeError, CALLS[name], torch).match(words)
    with pytest.raises(RuntimeError, match=f"sub: .*{words}"):
        CALLS[name](ag)


MASK = np.array([[True, False, True], [False, True, True]])


@pytest.mark.parametrize("value_shape", [(2, 2), (2,), (3,), (4, 1)])
@pytest.mark.parametrize("recorded", [False, True])
def test_masked_assignment_of_a_value_of_the_wrong_shape_is_torchs_shape_mismatch(value_shape, recorded):
    def assign(m):
        y = m.zeros(2, 3, dtype=m.float64, requires_grad=recorded) * 1
        y[m.tensor(MASK)] = m.tensor(np.ones(value_shape), requires_grad=recorded)

    expected = _error(torch, assign)
    assert isinstance(expected, RuntimeError) and "shape mismatch" in str(expected)
    with pytest.raises(RuntimeError, match=r"setitem: shape mismatch: a value of shape \(.*\) does not broadcast to "):
        assign(ag)


def test_masked_assignment_of_a_value_that_fits_still_writes():
    y = ag.zeros(2, 3)
    y[ag.tensor(MASK)] = ag.tensor([1.0, 2.0, 3.0, 4.0])
    expected = torch.zeros(2, 3, dtype=torch.float64)
    expected[torch.tensor(MASK)] = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    np.testing.assert_array_equal(y.data, expected.numpy())


@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")
def test_subtracting_a_bool_ndarray_from_an_integer_tensor_keeps_numpys_result():
    """torch leaves an ndarray operand of ``-`` to numpy (its __sub__ returns NotImplemented): no error."""
    got = ag.tensor([1, 2]) - np.array([True, False])
    expected = torch.tensor([1, 2]) - np.array([True, False])
    np.testing.assert_array_equal(got.data, np.asarray(expected))
