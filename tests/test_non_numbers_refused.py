"""Values that are not real numbers (None, strings, objects) are refused with an error naming the function,
where numpy would quietly read None as nan and "1.5" as 1.5 on the way to a float dtype (torch refuses them)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value


@pytest.mark.parametrize(
    "data",
    [[1.0, None], np.array([1.0, None], dtype=object), ["1.5", "2"], np.array(["1.5"])],
    ids=["list with None", "object array", "strings", "string array"],
)
def test_a_tensor_of_a_float_dtype_refuses_non_numbers(data):
    with pytest.raises(TypeError, match=r"Tensor: unsupported dtype (object|<U\d)"):
        Tensor(data, dtype=np.float32)


@pytest.mark.parametrize("layer", [nn.Linear(3, 2), nn.Conv1d(1, 1, 1)], ids=["Linear", "Conv1d"])
def test_layers_refuse_inputs_holding_none(layer):
    shape = (1, 3) if isinstance(layer, nn.Linear) else (1, 1, 3)
    x = np.array([1.0, 2.0, None], dtype=object).reshape(shape)
    with pytest.raises(TypeError, match=rf"{type(layer).__name__}: expected a Tensor or an array-like of real numbers"):
        layer(x)


@pytest.mark.parametrize("value", [None, "1.5", [1.0]], ids=["None", "string", "list"])
def test_fills_refuse_what_is_not_a_number(value):
    t = Tensor(np.ones(3))
    with pytest.raises(TypeError, match="fill_: the value must be a number or a 0-d tensor"):
        t.fill_(value)
    with pytest.raises(TypeError, match="constant_: the value must be a number or a 0-d tensor"):
        nn.init.constant_(nn.Parameter(Tensor(np.ones(3))), value)
    np.testing.assert_array_equal(t.data, np.ones(3))


def test_numbers_and_one_element_tensors_still_fill_and_convert():
    t = Tensor(np.ones(3))
    t.fill_(np.float32(2.5))
    t.fill_(Tensor(np.array(3.0)))
    np.testing.assert_array_equal(t.data, 3.0)
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(True, dtype=np.float64).item() == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.new_zeros(2.5), r"new_zeros: sizes must be integers, got \(2.5,\)"),
        (lambda t: t.new_ones((1.9, 2)), r"new_ones: sizes must be integers"),
        (lambda t: t.view(3.0, 2.0), r"view: sizes must be integers"),
        (lambda t: t.expand(2.0, 3), r"expand: sizes must be integers"),
        (lambda t: t.reshape(3.0, 2), r"reshape: the shape must be integers, got \(3.0, 2\)"),
        (lambda t: t.reshape(None), r"reshape: the shape must be integers"),
        (lambda t: t.diagonal(offset=0.5), r"diagonal: offset must be an integer, got 0.5"),
    ],
)
def test_float_sizes_are_refused_not_truncated(call, message):
    with pytest.raises(TypeError, match=message):
        call(Tensor(np.ones((2, 3))))


def test_an_assigned_grad_of_another_float_dtype_is_refused_as_torch():
    p = Tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(
        RuntimeError, match="assigned grad has data of a different type: float64 for a tensor of dtype float32"
    ):
        p.grad = np.ones(3)
    assert p.grad is None
    p.grad = np.ones(3, np.float32)
    torch = pytest.importorskip("torch")
    q = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="dtype"):  # torch 2.13 words it as the tensor's grad_dtype
        q.grad = torch.ones(3, dtype=torch.float64)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(np.complex128(1 + 2j)),
        lambda: Value(np.array(1 + 2j)),
        lambda: Value(1.0) * np.complex64(1 + 2j),
        lambda: np.complex64(1 + 2j) + Value(1.0),
    ],
)
def test_a_value_refuses_numpy_complex_numbers_instead_of_dropping_their_imaginary_part(make):
    with pytest.raises(TypeError, match="expected a real number, got the complex"):
        make()


def test_a_value_of_another_library_is_refused_naming_its_module():
    # micrograd's Value (or any class called Value) beside this library's: "got Value Value(...)" would say nothing
    foreign = type(
        "Value", (), {"__repr__": lambda self: "Value(data=2.0, grad=0)", "__module__": "micrograd.engine"}
    )()
    with pytest.raises(TypeError, match=r"expected a real number, got micrograd\.engine\.Value Value\(data=2\.0"):
        Value(1.0) + foreign
    with pytest.raises(TypeError, match=r"expected a real number, got str '1'"):  # builtins keep their short names
        Value(1.0) * "1"


LIST_OPERANDS = {
    "t + [a, b]": lambda t, items: t + items,
    "[a, b] * t": lambda t, items: items * t,
    "t ** [a, b]": lambda t, items: t**items,
    "where": lambda t, items: autograd.where(t > 0, t, items),
    "clip": lambda t, items: t.clip(items, None),
    "addcmul": lambda t, items: t.addcmul(items, t),
    "t[:] = [a, b]": lambda t, items: t.__setitem__(slice(None), items),
    "copy_": lambda t, items: t.copy_(items),
    "+=": lambda t, items: t.__iadd__(items),
    "clamp_": lambda t, items: t.clamp_(items),
}


@pytest.mark.parametrize("use", list(LIST_OPERANDS), ids=list(LIST_OPERANDS))
@pytest.mark.parametrize("tensor_requires_grad", [False, True])
def test_a_list_holding_tensors_that_require_grad_is_refused_where_numpy_would_read_constants(
    use, tensor_requires_grad
):
    # numpy reads [a, b] through a and b's data: the result had no path to a and b, whose gradients stayed None
    # without a word (torch refuses a list operand); a list of plain numbers, or of tensors under no_grad, is fine
    a, b = Tensor(1.5, requires_grad=True), Tensor(-2.0, requires_grad=True)
    t = Tensor(np.array([0.5, 3.0]), requires_grad=tensor_requires_grad) * 1.0
    before = t.data.copy()
    with pytest.raises(TypeError, match=r"a list holding Tensors that require grad would be read as constants"):
        LIST_OPERANDS[use](t, [a, b])
    with pytest.raises(TypeError, match=r"a list holding"):
        LIST_OPERANDS[use](t, [[a, 2.0]])  # at any depth
    np.testing.assert_array_equal(t.data, before)
    LIST_OPERANDS[use](t, [1.5, -2.0])
    with autograd.no_grad():
        LIST_OPERANDS[use](t * 1.0, [a, b])


def test_a_deeply_nested_list_is_scanned_for_tensors_at_the_default_recursion_limit():
    # the scan for Tensors that require grad walks the nesting with a stack, so a list nested deeper than the
    # recursion limit still gets the refusal, not a RecursionError
    nested: list = [Tensor(1.0, requires_grad=True)]
    for _ in range(sys.getrecursionlimit() + 100):
        nested = [nested]
    with pytest.raises(TypeError, match=r"a list holding Tensors that require grad"):
        Tensor(np.array([0.5, 3.0])) + nested


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(np.void(b"1")),
        lambda: Value(1.0) * np.void(b"2"),
        lambda: np.void(b"2") - Value(1.0),
        lambda: Value(np.datetime64("2020-01-01")),
        lambda: Value(np.timedelta64(3, "s")),
    ],
    ids=["void", "void operand", "void on the left", "datetime64", "timedelta64"],
)
def test_a_value_refuses_numpy_scalars_that_are_not_numbers(make):
    # float(np.void(b"1")) parses the raw bytes as text: Value(np.void(b"1")) held 1.0
    with pytest.raises(TypeError, match=r"expected a real number, got (numpy\.)?(void|datetime64|timedelta64)"):
        make()
