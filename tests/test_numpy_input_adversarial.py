"""numpy arrays of every kind handed to the library: read-only and broadcast views, generators and other objects
numpy makes object arrays of, Python ints an integer tensor's dtype cannot hold. Each gives numpy's or torch's
answer or an error naming the op and the problem, and never changes the caller's array."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn


def _read_only(kind: str) -> np.ndarray:
    """A (2, 3) array of 0.5 numpy will not write: a broadcast view, or an array made non-writeable."""
    if kind == "broadcast":
        return np.broadcast_to(np.float64(0.5), (2, 3))
    array = np.full((2, 3), 0.5)
    array.flags.writeable = False
    return array


@pytest.mark.parametrize("kind", ["broadcast", "non-writeable"])
@pytest.mark.parametrize(
    ("op", "change"),
    [
        ("fill_", lambda t: t.fill_(2.0)),
        ("zero_", lambda t: t.zero_()),
        ("clamp_", lambda t: t.clamp_(0.0, 0.25)),
        ("clamp_", lambda t: t.clip_(max=0.25)),
        ("constant_", lambda t: nn.init.constant_(t, 2.0)),
    ],
)
def test_an_in_place_fill_or_clamp_of_a_read_only_array_names_the_op(kind, op, change):
    # numpy's bare "assignment destination is read-only" named neither the op nor the tensor
    array = _read_only(kind)
    tensor = autograd.from_numpy(array)
    with pytest.raises(ValueError, match=rf"^{op}: this tensor's data is read-only \(shape \(2, 3\)\)"):
        change(tensor)
    np.testing.assert_array_equal(array, np.full((2, 3), 0.5))
    assert tensor._version == 0


def _numbers():
    return (float(i) for i in range(3))


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda: autograd.Tensor(_numbers()), "Tensor: unsupported dtype object"),
        (lambda: autograd.as_tensor(_numbers()), "as_tensor: unsupported dtype object"),
        (lambda: autograd.Tensor(np.ones(3)) + _numbers(), "add: unsupported operand dtype object"),
        (lambda: np.multiply(autograd.Tensor(np.ones(3)), iter([1.0, 2.0, 3.0])), "mul: unsupported operand dtype"),
        (lambda: nn.Linear(3, 1)(_numbers()), "Linear: expected a Tensor or an array-like of real numbers"),
    ],
)
def test_a_generator_or_iterator_is_refused_with_the_fix_named(make, where):
    # numpy holds a generator as one object: the error said "unsupported dtype object", a dtype nobody asked for
    with pytest.raises(
        TypeError, match=rf"{where}.*numpy reads a (generator|list_iterator) as one object.*list\(\.\.\.\)"
    ):
        make()


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (None, "holds a value of type NoneType"),
        ([1.0, None], "holds a value of type NoneType"),
        ({"a": 1}, "holds a value of type dict"),
        (np.array([1.0, "a"], dtype=object), "holds a value of type str"),
        (np.array([1.0, 2.0], dtype=object), r"numbers held as Python objects.*np.asarray\(data, dtype=np.float64\)"),
    ],
)
def test_data_numpy_holds_as_objects_is_refused_naming_what_it_holds(data, detail):
    with pytest.raises(TypeError, match=rf"^Tensor: unsupported dtype object \(.*{detail}"):
        autograd.Tensor(data)


def test_an_int_operand_beyond_64_bits_is_named_beside_an_integer_tensor():
    with pytest.raises(
        TypeError, match=r"^add: unsupported operand dtype object \(the integer 10{30} is beyond 64 bits"
    ):
        autograd.Tensor(np.array([1, 2])) + 10**30
