"""torch's error inputs (``OpInfo.error_inputs``, which torch's test_ops.py checks raise) of every OpInfo this library
has (tests/opinfo_oracle.py): for each, torch raises the error its OpInfo names, and our op raises too, an exception
that the built-in class torch raised catches (torch's RuntimeError: our ShapeError, ArgumentRangeError, ... are
RuntimeErrors too), so a torch user's ``except`` clause catches ours. (That our reason is torch's was read once by
hand from the two messages side by side; the messages themselves are not compared.)

A sample's tensors become ours with their memory sharing kept: an ``out=`` that is one of the inputs is our same
Tensor, tensors that are views of one storage are our views of one array, and an expanded tensor (a stride 0, many
entries on one memory location) is our ``expand`` of it.

Apart, each with its reason:

* the inputs of torch's ``make_error_inputs_elementwise_binary`` (a Python number where torch takes a Tensor:
  ``atan2(t, 2)``, ``eq(2, 3)``, an unbound ``Tensor.__radd__(2, t)``; torch's TypeError): README ("the module
  functions that numpy also has compute numpy's result where torch's refuse the input, for Python numbers as any
  operand"). :func:`test_number_operands_compute_torchs_value_of_tensors` checks that ours either refuses them too,
  with torch's class, or computes torch's value of the same numbers as 0-d tensors;
* :data:`KNOWN_DIFFERENCES`: other inputs ours take on purpose (README), and inputs a Tensor cannot hold.
"""

import functools

import numpy as np
import opinfo_oracle as oracle
import pytest

import autograd
from autograd import Tensor

torch = oracle.torch

OPS = [op for op in oracle.OP_DB if op.error_inputs_func is not None and oracle.our_op(op) is not None]

_NUMPY = "README: the module functions numpy also has compute numpy's result where torch refuses the input"
_NO_CHANNELS = "README: the pools of an input without channels (C = 0) give the empty output, where torch refuses"
_NEW_MEMORY = (
    "README: an out= of another shape is resized into new memory; torch grows this out (a view of the index's "
    "storage) within that storage, where it then overlaps the index, and refuses"
)
_COMPLEX = "README: complex numbers cannot be held in a Tensor (this input cannot be made here)"
_DIMENSIONS = "README: arrays of more than 64 dimensions (numpy's limit) cannot be held in a Tensor (nor made here)"

#: Error inputs ours compute (or cannot even hold) on purpose, each with the README's reason.
KNOWN_DIFFERENCES = {
    "linspace-2": _NUMPY + " (linspace between arrays of endpoints)",
    "linspace.tensor_overload-2": _NUMPY + " (linspace between arrays of endpoints)",
    "trace-0": _NUMPY + " (the trace of a 3-D array)",
    "tril-0": _NUMPY + " (tril of a vector)",
    "triu-0": _NUMPY + " (triu of a vector)",
    "mean-0": _NUMPY + " (the mean of integers)",
    "mean-1": _NUMPY + " (a mean in an integer dtype)",
    "nn.functional.max_pool1d-5": _NO_CHANNELS,
    "nn.functional.max_pool1d-17": _NO_CHANNELS,
    "nn.functional.max_pool3d-4": _NO_CHANNELS,
    "gather-7": _NEW_MEMORY,
    "take-2": _NEW_MEMORY,
    "max.binary-2": _NUMPY + " (max(2, 3) is numpy's max of 2 over axis 3: an AxisError, where torch's is a TypeError)",
    "min.binary-2": _NUMPY + " (min(2, 3) is numpy's min of 2 over axis 3: an AxisError, where torch's is a TypeError)",
    "masked_fill-2": _COMPLEX,
    "gradient-3": "README: tensors live on the CPU (a spacing on torch's meta device cannot be made here)",
    "gradient-10": "README: tensors live on the CPU (a spacing on torch's meta device cannot be made here)",
    "gradient-14": _COMPLEX,
    "gradient-15": _COMPLEX,
    "gradient-16": _COMPLEX,
    "gradient-17": _COMPLEX,
    "gradient-18": _COMPLEX,
    "nn.functional.conv1d-1": _COMPLEX,
    "nn.functional.conv2d-1": _COMPLEX,
    "nn.functional.conv3d-1": _COMPLEX,
    **{f"{name}-{index}": _DIMENSIONS for name in ("aminmax", "amax", "amin") for index in (1, 2)},
}


@functools.cache
def error_inputs(name: str) -> tuple:
    """torch's error inputs of the OpInfo ``name``, seeded (a test id names the same input on every run)."""
    return oracle.draw_error_inputs(oracle.OPS_BY_ID[name])


def number_operands(error_input) -> bool:
    """Whether ``error_input`` is one of make_error_inputs_elementwise_binary's: a Python number where torch takes
    a Tensor, which it yields with error_type Exception and an empty regex (and no other error input does)."""
    return error_input.error_type is Exception and error_input.error_regex == ""


def params(numbers: bool) -> list:
    found = []
    for op in OPS:
        name = oracle.op_id(op)
        for index, error_input in enumerate(error_inputs(name)):
            key = f"{name}-{index}"
            if (
                number_operands(error_input) == numbers
                and key not in KNOWN_DIFFERENCES
                and name not in KNOWN_DIFFERENCES
            ):
                found.append(pytest.param(op, index, id=key))
    return found


def ours(sample_args):
    """The sample's arguments in our terms (:func:`opinfo_oracle.to_ours`), with memory sharing kept: a tensor that is
    an earlier one (same memory, shape and strides) is our same Tensor; tensors that share memory otherwise are our
    views (``from_numpy`` of numpy's strided views) of one array holding their storage; an expanded tensor (a stride
    0 over several entries) is our ``expand`` of its stored entries."""
    tensors = [t for t in oracle.leaves(sample_args) if isinstance(t, torch.Tensor)]
    storages = [t.untyped_storage().data_ptr() for t in tensors]
    shared = {
        ptr
        for ptr in storages
        if len({(t.data_ptr(), t.shape, t.stride()) for t, p in zip(tensors, storages) if p == ptr}) > 1
    }
    bases = {}
    seen = []

    def convert(obj):
        if not isinstance(obj, torch.Tensor):
            return oracle.to_ours(obj)
        for theirs, mine in seen:
            if theirs.data_ptr() == obj.data_ptr() and theirs.shape == obj.shape and theirs.stride() == obj.stride():
                return mine
        storage = obj.untyped_storage().data_ptr()
        expanded = [axis for axis, (size, step) in enumerate(zip(obj.shape, obj.stride())) if step == 0 and size > 1]
        if storage in shared:
            if storage not in bases:
                count = obj.untyped_storage().nbytes() // obj.element_size()
                bases[storage] = obj.detach().as_strided((count,), (1,), 0).clone().numpy()
            base = bases[storage]
            view = np.lib.stride_tricks.as_strided(
                base[obj.storage_offset() :],
                tuple(obj.shape),
                tuple(step * base.itemsize for step in obj.stride()),
                writeable=not expanded,
            )
            mine = autograd.from_numpy(view)
        elif expanded:
            stored = obj
            for axis in expanded:
                stored = stored.narrow(axis, 0, 1)
            mine = copied(stored).expand(*obj.shape)
        else:
            mine = copied(obj)
        seen.append((obj, mine))
        return mine

    return oracle.tree_map(convert, sample_args)


def copied(tensor) -> Tensor:
    """Our Tensor of a copy of ``tensor``'s values (through a clone: numpy() of torch's own storage would make it
    not resizable, and torch's call that follows would raise another error for an ``out=`` it resizes)."""
    return Tensor(tensor.detach().clone().numpy(), requires_grad=tensor.requires_grad)


def builtin_class(error: BaseException) -> type:
    """The built-in exception class a torch user catches ``error`` as: its own, or its first built-in base
    (torch's LinAlgError is a RuntimeError)."""
    return next(cls for cls in type(error).__mro__ if cls.__module__ == "builtins")


@pytest.mark.parametrize(("op", "index"), params(numbers=False))
def test_error_input_raises_as_torchs(op, index):
    error_input = error_inputs(oracle.op_id(op))[index]
    sample = error_input.sample_input
    args = ours((sample.input, sample.args, sample.kwargs))  # (before torch's call, which may resize an out=)
    with pytest.raises(error_input.error_type, match=error_input.error_regex) as theirs:
        op(sample.input, *sample.args, **sample.kwargs)
    with pytest.raises(Exception) as mine:
        oracle.our_op(op)(args[0], *args[1], **args[2])
    expected = builtin_class(theirs.value)
    assert isinstance(mine.value, expected), (
        f"ours raised {type(mine.value).__name__} ({mine.value}), not a {expected.__name__} as torch's "
        f"{type(theirs.value).__name__} ({theirs.value})"
    )


def as_tensor(value):
    """A Python number as torch's 0-d tensor of it (torch.tensor's dtype), a tensor as it is."""
    return torch.tensor(value) if isinstance(value, (bool, int, float)) else value


@pytest.mark.parametrize(("op", "index"), params(numbers=True))
def test_number_operands_compute_torchs_value_of_tensors(op, index):
    # where ours refuses the numbers too, it is with the class torch's error is; where ours computes, it is torch's
    # value of the same numbers as 0-d tensors, torch's default dtype set to ours (float64) for integers' float results
    sample = error_inputs(oracle.op_id(op))[index].sample_input
    args = ours((sample.input, sample.args, sample.kwargs))
    try:
        op(sample.input, *sample.args, **sample.kwargs)
        theirs = None
    except Exception as error:  # noqa: BLE001 - torch's own class is what is compared
        theirs = error
    try:
        got = oracle.our_op(op)(args[0], *args[1], **args[2])
    except Exception as error:  # noqa: BLE001
        assert theirs is not None and isinstance(error, builtin_class(theirs)), (error, theirs)
        return
    if got is NotImplemented:  # an unbound Tensor.__radd__(2, t) runs Python's int.__radd__, which declines
        got = getattr(autograd.tensor(sample.input), op.name)(*args[1])
    default = torch.get_default_dtype()
    torch.set_default_dtype(oracle.torch.float64 if autograd.get_default_dtype() == np.float64 else torch.float32)
    try:
        expected = op(as_tensor(sample.input), *[as_tensor(arg) for arg in sample.args], **sample.kwargs)
    finally:
        torch.set_default_dtype(default)
    oracle.assert_same(got, expected, "output")


def test_known_differences_name_error_inputs_torch_has():
    names = {f"{oracle.op_id(op)}-{index}" for op in OPS for index in range(len(error_inputs(oracle.op_id(op))))}
    assert set(KNOWN_DIFFERENCES) <= names
