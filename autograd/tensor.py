"""``Tensor``: a numpy array that is a node of the same graph as ``Value``.

Operations follow numpy: broadcasting, dtype rules (float32 stays float32,
Python scalars do not up-cast), axis/keepdims arguments and names. PyTorch-style
aliases are documented where they exist (``permute`` = ``transpose``,
``unsqueeze`` = ``expand_dims``, ``clamp`` = ``clip``); the reductions and axis
methods also take torch's ``dim=``/``keepdim=`` (autograd.torch_keywords), and
more of torch's method names come from autograd.torch_names.

This module holds the class, its properties, arithmetic, comparisons, elementwise functions and the
hooks the graph core calls. Its other methods come from mixins, one job per file: shape and indexing
(autograd.tensor_shape), reductions and softmax (autograd.tensor_reductions), in-place changes
(autograd.tensor_in_place), numpy's names (autograd.numpy_functions, autograd.array_methods) and
torch's (autograd.torch_names, autograd.torch_selection_names).

``.grad`` is None until a backward pass, then an ndarray of the tensor's shape
and dtype, read as a :class:`~autograd.gradient_array.GradientArray` (an ndarray with torch's ``zero_()``,
``clamp_()``, ``norm()`` and ``.data`` on it). No two nodes' ``.grad`` share memory; the library never modifies
one in place.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Union

import numpy as np

from . import (
    gradient_array,
    numpy_protocol,
    random_state,
    shared_math,
    tensor_in_place,
    tensor_reductions,
    tensor_shape,
)
from .accumulation import computing_data, float16_via_float32, in_dtype_of
from .array_methods import ArrayMethods
from .backprop import PostAccumulateHooks, leaf_accumulation
from .broadcasting import refuse_unbroadcastable, unbroadcast
from .core import (
    Node,
    RemovableHandle,
    RequiresGradTypeError,
    checked_requires_grad,
    increment_version,
    mixed_kinds_error,
)
from .default_dtype import get_default_dtype, python_float_dtype
from .derivatives import arrays as ar
from .derivatives import elementwise as ew
from .grad_mode import _mode
from .gradient_array import DataArray, GradientArray, none_operand_error, plain
from .integer_scalars import check_integer_exponent, check_integer_fits, integer_in
from .node_sequences import refuse_nodes_in_sequence
from .numpy_functions import FLOAT32_DIVISOR_QUOTIENTS, NumpyFunctions
from .print_options import array_text
from .quiet import quiet, quietly
from .shape_errors import (
    ArgumentRangeError,
    DtypeKernelError,
    FloatingDtypeError,
    ShapeError,
    is_integer,
    refuse_boolean_kernel,
)
from .tensor_in_place import TensorInPlace, refuse_bool_abs, refuse_bool_negation, refuse_bool_subtraction
from .tensor_random_fills import TensorRandomFills
from .tensor_reductions import TensorReductions
from .tensor_shape import TensorShape
from .torch_dense_names import TorchDenseNames
from .torch_index_names import TorchIndexNames
from .torch_keywords import torch_alias
from .torch_linalg_names import TorchLinalgNames
from .torch_math_names import TorchMathNames
from .torch_metadata_names import TorchMetadataNames
from .torch_names import ElementCount, TorchNames
from .torch_order_statistics import TorchOrderStatistics
from .torch_selection_names import TorchSelectionNames
from .versions import share_data

TensorLike = Union["Tensor", np.ndarray, float, int, Sequence]


def _wrap(array: np.ndarray) -> Tensor:
    """A constant Tensor around ``array`` (no copy, no checks)."""
    return Tensor._make(array)


class SeedShapeError(ValueError, RuntimeError):
    """A backward seed (``grad``, ``grad_outputs``) whose shape is not its output's: torch's RuntimeError, and the
    ValueError the library raised before."""


def _real_seed(grad: Any, dtype: np.dtype) -> np.ndarray:
    """``backward(grad)``'s seed as an array of ``dtype``: a TypeError naming backward for a gradient of strings,
    None, a dict or complex numbers (numpy's "could not convert string to float" or a dropped imaginary part)."""
    data = shared_math.data_of(grad)
    try:
        given = np.asarray(data)
    except ValueError as error:  # a ragged nested list
        raise ValueError(f"backward: cannot make an array of the gradient {grad!r} ({error})") from None
    if given.dtype.kind not in "biuf":
        raise TypeError(
            f"backward: the gradient must hold real numbers (a Tensor, an array or a number), got "
            f"{type(grad).__name__} of dtype {given.dtype}"
        )
    return np.asarray(given, dtype=dtype)


class MembershipTypeError(TypeError, RuntimeError):
    """``x in t`` with ``x`` neither a number nor a Tensor: a TypeError (the house rule for a wrong kind of operand)
    that is also the RuntimeError torch raises, so code written for either catches it."""


class GradientDtypeError(TypeError, RuntimeError):
    """An integer or boolean Tensor asked to require grad: a TypeError (the house rule for dtypes) that is
    also the RuntimeError torch raises, so code written for either catches it."""


def _no_gradient_dtype(where: str, dtype: np.dtype) -> GradientDtypeError:
    """The error for ``requires_grad`` on a ``dtype`` Tensor, in torch's words, and the fix (weights written as
    Python ints, ``Tensor([1, 2], requires_grad=True)``, make an int64 Tensor)."""
    return GradientDtypeError(
        f"{where}: only Tensors of floating point dtype can require gradients, got dtype {dtype}; make the numbers "
        "floats: write 1.0 for 1, pass dtype=np.float64 (or np.float32), or convert with .double()/.float()"
    )


def _checked_real_values(data: Any) -> np.ndarray | None:
    """TypeError unless ``data`` (given with a dtype to convert to) holds real numbers or booleans only; returns
    numpy's reading of it (``data`` itself for an array), or None for a number or data numpy cannot read (a ragged
    list, a huge int: numpy's own conversion to the dtype says so)."""
    if isinstance(data, (bool, int, float, np.generic)):
        return None
    if not isinstance(data, np.ndarray):
        try:
            data = quietly(np.asarray, data)
        except (ValueError, OverflowError):
            return None
    refuse_values(data)
    if data.dtype == object and all(_real_number(value) for value in data.flat):
        return data  # numpy's objects for an int beyond 64 bits: the conversion to the dtype decides
    if data.dtype.kind not in "fiub":
        raise unsupported_dtype_error("Tensor", data)
    return data


def _real_number(value: Any) -> bool:
    """Whether ``value`` is a real number or a boolean, Python's or numpy's."""
    return isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, Node)


def refuse_values(array: np.ndarray, where: str = "Tensor") -> None:
    """TypeError when the object array ``array`` (what numpy makes of a list) holds a Value: numpy's "unsupported
    dtype object" would not say that the scalar engine's nodes cannot be a Tensor's numbers, nor what to do.
    ``where`` names the function that was given the list (a layer or a loss of a list of the scalar MLP's
    outputs)."""
    if array.dtype == object and any(isinstance(item, Node) for item in array.flat):
        raise TypeError(
            f"{where}: the data holds Values (the scalar engine's nodes), and a Tensor is made of numbers: "
            "Tensor([v.data for v in values]) makes a constant, or compute with Tensors throughout "
            "(autograd.stack joins Tensors and keeps their gradients), or with Values throughout (a loss of "
            "Values: Value.sum([(y - t) ** 2 for y, t in zip(outputs, targets)]))"
        )


def refuse_learnable_number(op: str, name: str, value: Any) -> None:
    """TypeError when ``value``, given where ``op`` takes a number (an activation's slope), is a node that requires
    grad: its number would be read off and its gradient silently lost (torch's activations take numbers only). A
    learnable slope is ``nn.functional.prelu``'s weight, or the activation written with Tensor operations."""
    if isinstance(value, Node) and value.requires_grad:
        raise TypeError(
            f"{op}: {name} must be a number, got a {type(value).__name__} that requires grad, whose gradient would be "
            "lost; for a learnable slope use nn.functional.prelu (weight) or write the activation with Tensor "
            "operations"
        )


VALUE_NOT_TENSOR = (
    "Values (the scalar engine's nodes) and Tensors make separate graphs: Tensor(value.data) makes a constant "
    "(no gradient reaches the Value), or compute with Tensors throughout (a 0-d Tensor is a scalar: "
    "Tensor(2.0, requires_grad=True))"
)
"""What to do with a Value given where a Tensor is expected: copying its number would silently cut the graph."""


class UnevenDepthError(ValueError, TypeError):
    """Nested lists holding a number where a sequence stands beside it (``[[1], 2]``): ragged, numpy's ValueError,
    and the TypeError torch raises there ("not a sequence")."""


def ragged_error(where: str, data: Any, error: ValueError) -> ValueError:
    """The error for nested lists numpy found ragged (its ``error``), naming ``where`` and, as torch's, the first
    dim whose sequences differ in length (:func:`_ragged_place`), e.g. "expected sequence of length 2 at dim 1
    (got 1)" for ``[[1, 2], [3]]``; numpy's own words where no such dim is found (a list that holds itself). A
    ValueError, as numpy's and torch's, or where a number stands beside a sequence an :class:`UnevenDepthError`,
    also torch's TypeError there."""
    place, uneven_depth = _ragged_place(data)
    detail = f"({error})" if place is None else place
    return (UnevenDepthError if uneven_depth else ValueError)(
        f"{where}: the nested lists have rows of different lengths (a ragged array), which a tensor cannot hold: "
        f"{detail}"
    )


def _sequence_length(item: Any) -> int | None:
    """The length of ``item`` as one level of nested data (a list, a tuple, an array or Tensor of at least one
    axis), None for a number."""
    if isinstance(item, Node):
        item = item._data
    if isinstance(item, (list, tuple)):
        return len(item)
    if isinstance(item, np.ndarray) and item.ndim > 0:
        return item.shape[0]
    return None


def _ragged_place(data: Any) -> tuple[str | None, bool]:
    """Where the nested ``data`` stops being rectangular, as torch words it: the items at depth d (dim d) are
    compared level by level with the first of them, so the shallowest ragged dim is named, with the length
    expected there and what was found; and whether a number stands there beside a sequence. None if every level is
    even (up to numpy's 64 dims: a list holding itself)."""
    level = [data]
    for dim in range(64):
        lengths = [_sequence_length(item) for item in level]
        expected = lengths[0]
        for item, length in zip(level, lengths):
            if length == expected:
                continue
            if expected is None:
                return f"expected a number at dim {dim} (got a sequence of length {length})", True
            got = length if length is not None else f"the number {item!r}"
            return f"expected sequence of length {expected} at dim {dim} (got {got})", length is None
        if expected is None:
            return None, False
        level = [child for item in level for child in (item._data if isinstance(item, Node) else item)]
        if not level:
            return None, False
    return None, False


def _beyond_64_bits(value: Any) -> bool:
    """Whether ``value`` is a Python int neither int64 nor uint64 can hold (numpy keeps it as an object)."""
    return isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64


def _unfit_number(dtype: Any, reason: Any) -> ArgumentRangeError:
    """The error for a number of the data that ``dtype`` cannot hold (300 in int8, nan or inf in an integer dtype,
    an int beyond 64 bits): an :class:`ArgumentRangeError`, the ValueError numpy raises and torch's RuntimeError
    (torch's ValueError for the int beyond 64 bits), naming the constructor instead of numpy's bare conversion."""
    return ArgumentRangeError(f"Tensor: a value cannot be converted to {np.dtype(dtype)} without overflow ({reason})")


def _python_numbers_in_integers(data: Any, read: np.ndarray | None, dtype: Any) -> np.ndarray | None:
    """Python numbers (nested lists/tuples of them) in the integer ``dtype`` as torch checks and converts them: a
    float must lie in [min, max] of the dtype before it is truncated (255.5 and -0.5 do not fit uint8, 127.5 not
    int8), an int in [min, max], or for an unsigned dtype in [-max, max], a negative one wrapping (-1 is 255 in
    uint8); an :class:`ArgumentRangeError` otherwise (nan and inf too). A numpy integer scalar is checked as an int
    (np.uint8(255) does not fit int8) and float64 as a Python float. None (numpy's conversion decides) for an array,
    another numpy scalar, a dtype that is no integer one, or data numpy does not read as real numbers. ``read`` is
    numpy's reading of nested lists already made (:func:`_checked_real_values`), None to make it here."""
    if dtype is None or isinstance(data, np.ndarray) or not isinstance(data, (int, float, list, tuple, np.integer)):
        return None
    try:
        target = np.dtype(dtype)
    except TypeError:
        return None
    if target.kind not in "iu":
        return None
    if read is not None:
        source = read
    else:
        try:
            source = quietly(np.array, data)
        except (ValueError, OverflowError):  # a ragged list, an int beyond 64 bits: numpy's conversion says so
            return None
    if source.dtype.kind not in "biuf":
        return None
    limits = np.iinfo(target)
    low = -limits.max if target.kind == "u" and source.dtype.kind in "iu" else limits.min
    with np.errstate(invalid="ignore"):
        unfit = ~((source >= low) & (source <= limits.max))  # (nan compares False: unfit)
    exact = None
    if source.dtype.kind == "f" and not isinstance(data, float):  # ints beside floats: each checked as its type
        objects = np.array(data, dtype=object)
        ints = np.vectorize(_is_python_int, otypes=[bool])(objects)
        if ints.any():
            int_low = -limits.max if target.kind == "u" else limits.min
            exact = [int(value) for value in objects[ints]]
            unfit[ints] = [not int_low <= value <= limits.max for value in exact]
    if np.any(unfit):
        raise _unfit_number(target, f"{source[unfit].flat[0]} is outside [{low}, {limits.max}]")
    if source.dtype.kind == "f":  # truncated through int64: a negative int wraps, as from an int array
        source = quietly(source.astype, np.int64)
        if exact is not None:  # (2**53 + 1 exactly, not through float64)
            source[ints] = exact
    return quietly(source.astype, target)


def _is_python_int(value: Any) -> bool:
    """Whether ``value`` is a Python int or bool (not numpy's: those are read as numpy reads them)."""
    return isinstance(value, int) and not isinstance(value, np.generic)


_NOTHING = object()  # (what a search that found nothing gives, where None would be a value found)


def unsupported_dtype_error(where: str, array: np.ndarray, what: str = "dtype") -> TypeError:
    """The TypeError for data of a dtype a Tensor cannot hold (``what`` names it: "operand dtype" for an operand;
    for data of strings or objects an :class:`UnreadableDataError`, also torch's ValueError and RuntimeError).
    numpy makes an object array of anything it cannot read as numbers, so for one the error names the first
    element that is no real number (a generator, numpy reads as one object, None, a Decimal), or the int beyond 64
    bits, instead of a dtype the caller never asked for."""
    detail = "use real numbers or booleans"
    if array.dtype == object:
        odd = next((value for value in array.flat if not _real_number(value)), _NOTHING)
        big = next((value for value in array.flat if _beyond_64_bits(value)), None)
        if isinstance(odd, Iterator):
            detail = f"numpy reads a {type(odd).__name__} as one object, not as numbers: make a list of it, list(...)"
        elif odd is not _NOTHING:
            detail = f"the data holds a value of type {type(odd).__name__}, not a real number or a boolean"
        elif big is not None:
            detail = f"the integer {str(big)[:40]} is beyond 64 bits"
        else:  # numbers held as objects (a Fraction, an object array of floats)
            detail = "numbers held as Python objects: convert them first, np.asarray(data, dtype=np.float64)"
    message = f"{where}: unsupported {what} {array.dtype} ({detail})"
    if what == "dtype" and array.dtype.kind in "OSU":  # strings, None, objects: torch's ValueError or RuntimeError
        return UnreadableDataError(message)
    return TypeError(message)


class UnreadableDataError(TypeError, ValueError, RuntimeError):
    """Data a Tensor cannot be made of because it holds no numbers (strings, None, other objects): the library's
    TypeError that is also the ValueError (``torch.tensor(["a"])``) or RuntimeError (``torch.tensor([None])``)
    torch raises for it, so code written for either catches it."""


def _checked_array(array: np.ndarray, requires_grad: bool, where: str) -> np.ndarray:
    """``array`` if its dtype can live in a Tensor (and require grad, if asked); TypeError otherwise."""
    if array.dtype.kind not in "fiub":
        raise unsupported_dtype_error(where, array)
    if requires_grad and array.dtype.kind != "f":
        raise _no_gradient_dtype(where, array.dtype)
    return array


def _assigned_array(value: Any, requires_grad: bool) -> np.ndarray:
    """What ``t.data = value`` stores: a Tensor's array or an ndarray itself (shared, as torch's ``.data``
    assignment; a subclass, as ``np.matrix`` or ``np.memmap``, as a plain ndarray view), a number or a list as a new
    array; TypeError for anything else, or for a dtype ``t`` cannot hold."""
    if isinstance(value, Tensor):
        value = value._data
    elif isinstance(value, np.ndarray):
        value = np.asarray(value)  # (an np.matrix kept would index as 2-D; a DataArray would slow every later op)
    elif (
        isinstance(value, (Node, str, bytes))
        or value is None
        or not isinstance(value, (numbers.Number, list, tuple, np.generic))
    ):
        raise TypeError(f"Tensor.data: expected an array or a Tensor, got {type(value).__name__}")
    else:
        value = np.asarray(value)
    if not has_element_strides(value):  # (a copy whose steps are whole elements, as as_tensor's)
        value = np.array(value)
    return _checked_array(in_native_byte_order(value), requires_grad, "Tensor.data")


def has_element_strides(array: np.ndarray) -> bool:
    """Whether every step of ``array`` that matters (along an axis of more than one entry) is a whole number of
    elements, so its layout reads as torch's element strides; a field of a structured array (a float64 in
    12-byte records) or an ``as_strided`` view of odd byte steps is not."""
    itemsize = array.itemsize
    return not itemsize or all(
        stride % itemsize == 0 for stride, length in zip(array.strides, array.shape) if length > 1
    )


def in_native_byte_order(array: np.ndarray) -> np.ndarray:
    """``array``, or its copy in this machine's byte order if it is stored the other way (``'>f4'`` on x86): a
    float32 of either order must compute and compare as ``np.float32``, which only the native one is."""
    return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))


def _operand(x: Any, like: np.ndarray, op: str = "Tensor") -> Tensor:
    """Turn a number/array/list into a constant Tensor; Python scalars take ``like``'s float dtype (and a Python int
    ``like``'s integer dtype, as numpy 2's weak scalars and torch's: one the dtype cannot hold wraps into it, as torch
    converts it, where numpy raises; :func:`~autograd.integer_scalars.integer_in`). An operand
    numpy cannot hold as real numbers (a string, an int beyond int64 or float64, a ragged list) is an error
    naming ``op``."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise mixed_kinds_error("Tensor", x)
    if x is None:  # numpy's would be an object array: "unsupported operand dtype object"
        raise none_operand_error(op)
    if isinstance(x, (list, tuple)):
        refuse_nodes_in_sequence(x, op)
    else:  # a numpy number is the number it holds (a float16 tensor % np.float32(0.5) stays float16, as % 0.5)
        x = number_held(x)
    try:
        if isinstance(x, (int, float)) and not isinstance(x, bool) and like.dtype.kind == "f":
            array = quietly(np.asarray, x, dtype=like.dtype)  # 1e300 in float32 is inf, as torch, without a warning
        elif type(x) is int and like.dtype.kind in "iu" and (number := integer_in(x, like.dtype)) is not None:
            array = np.asarray(number)  # int32 * 2 stays int32 (and wraps), uint8 + (-1) is uint8 + 255, as torch
        elif (
            type(x) is float
        ):  # beside integers or bools: the default float dtype, as torch (numpy's float64 unless set)
            array = quietly(np.asarray, x, dtype=get_default_dtype())  # (1e300 in float32 is inf, silently)
        else:
            array = np.asarray(x)
    except (OverflowError, ValueError) as error:
        raise ValueError(f"{op}: cannot make an array of the operand {str(x)[:60]} ({error})") from None
    if array.dtype.kind not in "fiub":
        raise unsupported_dtype_error(op, array, "operand dtype")
    return _wrap(array)


def _promoted(a: Tensor, b: Tensor, both_tensors: bool) -> tuple[Tensor, Tensor]:
    """(a, b) promoted as torch promotes two tensors (``both_tensors``; a number or an ndarray operand, made a
    Tensor here, follows numpy's rules beside the category one), by category (bool < integer < floating) first:

    * an integer or boolean tensor beside a floating one is cast to the floating one's dtype (float32 * int64 is
      float32; numpy would give float64); the cast one needs no gradient (integer tensors cannot require one), so
      it is replaced by a constant copy;
    * of two tensors of one category, a 0-d one takes the dimensioned one's dtype (float32 * a 0-d float64 is
      float32, int32 + a 0-d int64 is int32: a 0-d tensor acts as a number does), the cast recorded so a 0-d
      tensor that requires grad keeps its gradient.
    """
    a_kind, b_kind = a._data.dtype.kind, b._data.dtype.kind
    if a_kind == "f" and b_kind in "iub":
        return a, _wrap(b._data.astype(a._data.dtype))
    if b_kind == "f" and a_kind in "iub":
        return _wrap(a._data.astype(b._data.dtype)), b
    a_scalar, b_scalar = a._data.ndim == 0, b._data.ndim == 0
    if both_tensors and a_scalar != b_scalar and _CATEGORY.get(a_kind) == _CATEGORY.get(b_kind, -1):
        return (a.astype(b._data.dtype), b) if a_scalar else (a, b.astype(a._data.dtype))
    return a, b


def _true_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x / y; of two integer or boolean arrays, in the default float dtype (torch's; numpy's float64 unless set)."""
    if x.dtype.kind in "iub" and y.dtype.kind in "iub":
        return np.true_divide(x, y, dtype=get_default_dtype())
    return np.true_divide(x, y)


#: torch's type categories of numpy's dtype kinds
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}

#: Binary functions torch computes only in a floating dtype: of two integer or boolean operands they are its
#: NotImplementedError, not the default float dtype's result as atan2's or copysign's (:class:`DtypeKernelError`).
_FLOAT_KERNELS = (np.hypot, np.logaddexp, np.logaddexp2)


def _maximum_keeping_first(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.maximum(a, b) but a at a tie (of +0.0 and -0.0), as torch's: numpy's keeps its second operand there."""
    return np.maximum(b, a)


def _minimum_keeping_first(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.minimum(a, b) but a at a tie (of +0.0 and -0.0), as torch's: numpy's keeps its second operand there."""
    return np.minimum(b, a)


def _with_number(tensor: Tensor, number: float | int, variant: Any, function: Any) -> Tensor | None:
    """``tensor <op> number`` (``number <op> tensor`` when ``variant.constant_at`` is 0) for a floating ``tensor`` and a
    Python float or int: the number in the tensor's dtype (as :func:`_operand` makes it: torch's and numpy 2's weak
    scalar), kept on the one node as its ``attrs`` instead of becoming a constant node of its own. None when the number
    does not convert (an int beyond float64), for the general path to report. A float16 tensor's factor, divisor or
    power is a float32 and the result is computed in float32 and rounded once, as torch's half kernels do (x / 1e5 is
    not x / inf, x * 1e-8 not x * 0); an added or subtracted number is a float16, as torch's (x - 7e4 is x - inf)."""
    data = tensor._data
    half = data.dtype.char == "e" and function is not np.add and function is not np.subtract
    with quiet():  # 1e300 in float32 is inf, as in torch; inf * 0 is nan: IEEE results without warnings
        try:
            scalar = np.float32(number) if half else data.dtype.type(number)
        except OverflowError:
            return None
        out = function(scalar, data) if variant.constant_at == 0 else function(data, scalar)
        if half:
            out = out.astype(data.dtype)
    return Tensor._from_unary_op(out, variant, tensor, scalar)


def _half_quotient(tensor: Tensor, number: float | int, op: Any, function: Any) -> Tensor | None:
    """``function(tensor, number)`` for a float16 ``tensor`` and a rounded quotient ``function`` (floor or trunc
    division, :data:`~autograd.numpy_functions.FLOAT32_DIVISOR_QUOTIENTS`): the number a float32 and the quotient
    computed in float32, rounded once into float16, as torch's half kernels do (9.9 // 0.1 is 98, where the divisor
    0.1 made a float16, 0.09998, gives 99). The op is flat (zero gradient), so its divisor is recorded as the
    float16 constant the general path makes. None when the number does not convert (an int beyond float64)."""
    try:
        with quiet():  # 1e300 in float32 is inf; x / 0 is inf or nan: IEEE results without warnings
            data = function(tensor._data.astype(np.float32), np.float32(number_held(number))).astype(_FLOAT16)
    except OverflowError:
        return None
    return Tensor._from_op(data, op, (tensor, _operand(number, tensor._data, op.name)))


_FLOAT16 = np.dtype(np.float16)
_FLOAT16_MAX = 65504.0

#: The binary functions whose float16 kernels in torch take a 0-d floating tensor as their right operand (a "CPU
#: scalar") in float32: products and quotients, computed in float32 and rounded once (:func:`_is_half_by_scalar`).
_HALF_SCALAR_FUNCTIONS = frozenset({np.multiply, _true_divide}) | FLOAT32_DIVISOR_QUOTIENTS


def _is_half_by_scalar(a: Tensor, b: Tensor) -> bool:
    """Whether ``a`` is a dimensioned float16 tensor and ``b`` a 0-d float32 or float64 one, which torch's float16
    product and quotient kernels keep in float32: ``x * scale`` of a 0-d 65536.0 is x times 2^16, not x times
    float16's inf, and ``x / 7e4`` is not ``x / inf``. (Only on the right: torch's ``scale * x`` rounds the scale to
    float16 first, as this library's general path does.)"""
    return a._data.dtype == _FLOAT16 and a._data.ndim > 0 and b._data.ndim == 0 and b._data.dtype.kind == "f"


def _reciprocal_square_root(x: np.ndarray, exponent: Any) -> np.ndarray:
    """x ** -0.5 (``exponent``) as torch's pow computes it, 1 / sqrt(x): -inf at -0.0 (sqrt(-0.0) is -0.0), nan at
    -inf."""
    return np.reciprocal(np.sqrt(x))


def category_result_type(dtypes: Any) -> np.dtype:
    """The dtype torch gives tensors of ``dtypes`` joined (``cat``): the widest of those in the highest category
    (bool < integer < floating), so float32 beside int64 is float32 (numpy would give float64)."""
    top = max(_CATEGORY.get(dtype.kind, 3) for dtype in dtypes)
    return np.result_type(*(dtype for dtype in dtypes if _CATEGORY.get(dtype.kind, 3) == top))


#: numpy's real scalars (np.float64(2.0), np.int32(3), ...): an operand of these is a number beside a tensor, as
#: torch takes them (a float16 tensor over np.float64(1e5) is computed as over the Python float 1e5, in float16)
_NUMPY_NUMBERS = (np.floating, np.integer)


def number_held(value: Any) -> Any:
    """The Python number a numpy real scalar holds (torch reads ``np.float32(0.5)`` as ``0.5``: it takes the dtype
    a Python number would), any other value as it is (a longdouble too: no Python number holds it)."""
    if isinstance(value, _NUMPY_NUMBERS) and not isinstance(value, np.longdouble):
        return value.item()
    return value


_node_make = Node._make.__func__  # the graph core's, which Tensor wraps
# numpy's module has a __getattr__, so CPython 3.11 never specializes ``np.ndarray`` (each use is a slow attribute
# lookup): backward's calls (a leaf's gradient, a contribution's match) test against this global
_ndarray = np.ndarray


def _compared(op: str, compare: Callable[[Any, Any], Any], data: np.ndarray, other: Any) -> Tensor:
    """``compare(data, other)`` as a boolean Tensor outside the graph (torch's comparisons); operands that do not
    broadcast are a ShapeError naming torch's ``op``, as an arithmetic op's are. A Python or numpy integer beside
    an integer tensor is compared in the tensor's dtype, wrapped into it as torch's (``uint8 > -1`` is
    ``uint8 > 255``, all False; numpy compares the exact values), and so is a 0-d integer array, as a 0-d integer
    Tensor is (numpy hands ``np.int64(-1) < t`` over as ``t > array(-1)``). A float number (or a 0-d float array:
    ``np.float64(1e-8) > t``) beside a floating tensor is compared in the tensor's dtype, as torch's weak scalar (1e-8
    is 0 in float16), and one beyond the dtype's range as its inf, without numpy's overflow warning."""
    theirs = shared_math.data_of(other)
    if isinstance(other, Tensor):
        if theirs.dtype != data.dtype:  # torch's promotion, as arithmetic's: float32 == a 0-d float64 is in float32
            mine, other = _promoted(_wrap(data), other, True)
            data, theirs = mine._data, other._data
    else:
        if isinstance(other, _NUMPY_NUMBERS):  # the number it holds, as torch takes it (a weak scalar)
            theirs = other.item()
        elif type(theirs) is np.ndarray and theirs.ndim == 0 and theirs.dtype.kind == "f":
            theirs = theirs.item()  # np.float64(1e-8) > t, handed over as t < array(1e-8): a number, as torch's
        if (type(theirs) is float or type(theirs) is int) and data.dtype.kind == "f" and abs(theirs) > _FLOAT16_MAX:
            with quiet():  # (float16 < 2**31 is float16 < inf, as torch's; numpy's cast of the number warns)
                return _wrap(np.asarray(compare(data, theirs)))
    if data.dtype.kind in "iu":
        if type(theirs) is int:
            wrapped = integer_in(theirs, data.dtype)
            theirs = theirs if wrapped is None else wrapped
        elif type(theirs) is np.ndarray and theirs.ndim == 0 and theirs.dtype.kind in "iu":
            if not isinstance(other, Tensor):  # (two 0-d Tensors promote as torch's: int32 5 < int64 2**40)
                theirs = theirs.astype(data.dtype)
    try:
        return _wrap(np.asarray(compare(data, theirs)))
    except ValueError:
        refuse_unbroadcastable(op, data, theirs)
        raise


def _init_unless_made(init: Callable[..., None]) -> Callable[..., None]:
    """The ``__init__`` of a Tensor subclass that has its own ``__new__`` and inherits ``init``: nothing for an
    instance ``__new__`` made (:meth:`Tensor._make_subclass`), ``init`` for one still empty (``object.__new__``)."""

    def init_unless_made(self: Tensor, *args: Any, **kwargs: Any) -> None:
        try:
            self._data  # noqa: B018 (set once the node is made)
        except AttributeError:
            init(self, *args, **kwargs)

    return init_unless_made


def _as_gradient_array(grad: Any) -> Any:
    """How a hook receives a Tensor's gradient: an array (another hook's result included) as a GradientArray."""
    return grad.view(GradientArray) if type(grad) is np.ndarray else grad


class Tensor(
    TensorInPlace,
    TensorRandomFills,
    TensorReductions,
    TensorShape,
    Node,
    NumpyFunctions,
    ArrayMethods,
    TorchNames,
    TorchSelectionNames,
    TorchMathNames,
    TorchLinalgNames,
    TorchOrderStatistics,
    TorchMetadataNames,
    TorchIndexNames,
    TorchDenseNames,
):
    """An n-dimensional array that records the operations applied to it.

    Like ``numpy.array`` and ``torch.tensor``, ``Tensor(data)`` copies ``data``, so
    later changes to the caller's array never reach the tensor (or its
    gradients). ``autograd.from_numpy(array)`` shares memory instead, and
    ``autograd.as_tensor`` copies only when it must.
    """

    __slots__ = ()
    broadcasts = True
    holds_arrays = True
    retains_grad = False
    _zero_grad_value = None
    # numpy's functions and ``ndarray <op> Tensor`` run the library's ops (autograd.numpy_protocol)
    __array_ufunc__ = numpy_protocol.array_ufunc
    __array_function__ = numpy_protocol.array_function

    def __init_subclass__(cls, plain_results: bool = False, **kwargs: Any) -> None:
        """``class P(Tensor, plain_results=True)``: operations on a P give plain Tensors, also where an
        op builds its output from its input's class (``clone``, rules under ``create_graph``), as
        torch's ``nn.Parameter``. Without it those few ops give the subclass; the others give Tensors."""
        super().__init_subclass__(**kwargs)
        if plain_results:
            cls._from_op = Tensor._from_op  # bound to Tensor: results are Tensors
        if "__new__" in cls.__dict__ and "__init__" not in cls.__dict__:
            # a __new__ returning ``Tensor._make_subclass(cls, data)`` made the instance: Python then calls
            # ``__init__(instance, data)``, which for torch's Tensor changes nothing and here must not start anew
            cls.__init__ = _init_unless_made(cls.__init__)  # type: ignore[method-assign]

    @staticmethod
    def _make_subclass(cls: type[Tensor], data: Tensor, require_grad: bool = False) -> Tensor:
        """torch's way of making an instance of a Tensor subclass in its ``__new__`` (``class Parameter(Tensor):
        def __new__(cls, x): return Tensor._make_subclass(cls, x, True)``): a leaf of class ``cls`` sharing
        ``data``'s memory and version counter (a detached alias, as ``nn.Parameter(t)``), requiring grad if
        ``require_grad``."""
        if not (isinstance(cls, type) and issubclass(cls, Tensor)):
            raise TypeError(f"_make_subclass: cls must be a subclass of Tensor, got {cls!r}")
        if not isinstance(data, Tensor):
            raise TypeError(f"_make_subclass: data must be a Tensor, got {type(data).__name__}")
        alias = cls._from_array(data._data, require_grad, "_make_subclass")
        share_data(alias, data)
        return alias

    def __init__(self, data: TensorLike, requires_grad: bool = False, dtype: Any = None) -> None:
        """A leaf holding a copy of ``data`` (converted to ``dtype`` if given)."""
        if type(requires_grad) is int and is_integer(data):
            sizes = f"{data}, {requires_grad}"
            raise RequiresGradTypeError(
                f"Tensor({sizes}{'' if dtype is None else ', ...'}): the arguments are (data, requires_grad, dtype), "
                f"as numpy's array, not torch's legacy sizes; for a tensor of shape ({sizes}) use "
                f"autograd.zeros({sizes}), autograd.empty({sizes}) or autograd.FloatTensor({sizes})"
            )
        if isinstance(data, Node):
            if not isinstance(data, Tensor):  # a Value: its number as a constant would cut the graph silently
                raise TypeError(f"Tensor: got a {type(data).__name__}, not numbers; {VALUE_NOT_TENSOR}")
            data = data._data
        # numpy would read None as nan and "1.5" as 1.5 on the way to a float dtype
        read = _checked_real_values(data) if dtype is not None else None
        try:
            array = _python_numbers_in_integers(data, read, dtype)
            if array is None:
                array = quietly(np.array, data, dtype=dtype)  # overflow: inf
        except OverflowError as error:  # 300 in int8, inf or 1e20 in an integer dtype
            raise _unfit_number(dtype, error) from None
        except ValueError as error:
            if "NaN" in str(error):  # numpy's "cannot convert float NaN to integer"
                raise _unfit_number(dtype, error) from None
            if "inhomogeneous" not in str(error):
                raise
            raise ragged_error("Tensor", data, error) from None
        refuse_values(array)
        if array.dtype == object and any(_beyond_64_bits(value) for value in array.flat):
            raise _unfit_number(np.int64, "an integer beyond 64 bits")
        requires_grad = checked_requires_grad(requires_grad, "Tensor")
        self._init_node(_checked_array(in_native_byte_order(array), requires_grad, "Tensor"), requires_grad)

    @classmethod
    def _make(cls, data: Any, requires_grad: bool = False, label: str = "") -> Tensor:
        """A new leaf around ``data``: a numpy scalar (what numpy gives for a 0-d result) becomes a 0-d array, so
        every Tensor holds an ndarray that in-place changes can write into."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        return _node_make(cls, data, requires_grad, label)

    @classmethod
    def _from_array(cls, array: np.ndarray, requires_grad: bool = False, where: str = "Tensor") -> Tensor:
        """A leaf around ``array`` itself (no copy), after the same dtype checks as the constructor."""
        requires_grad = checked_requires_grad(requires_grad, where)
        return cls._make(_checked_array(array, requires_grad, where), requires_grad)

    # -- properties ----------------------------------------------------------
    @property
    def data(self) -> DataArray:
        """This tensor's array, read as a :class:`~autograd.gradient_array.DataArray`: a view of the same memory
        with torch's tensor methods (``w.data.normal_(0, 0.01)``, ``p.data.sub_(lr * p.grad)``), through which
        writes record nothing, as torch's ``.data``. Assigning ``t.data = array_or_tensor`` makes ``t`` hold that
        array (a Tensor's own, shared; shape and dtype may change, as torch's)."""
        view = self._data.view(DataArray)
        view._source = self._data
        return view

    @data.setter
    def data(self, value: Any) -> None:
        current = self._data
        if type(value) is DataArray and value._source is current and value.shape == current.shape:
            return  # this tensor's own view handed back (``t.data -= x`` wrote in place): the array stays
        self._data = _assigned_array(value, self._requires_grad)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def size(self) -> ElementCount:
        """The number of elements (numpy's ``size``); ``size()`` is the shape and ``size(dim)`` a length (torch's)."""
        return ElementCount(self._data.shape)

    @property
    def T(self) -> Tensor:
        """All axes reversed (``transpose()``)."""
        return self.transpose()

    def item(self) -> float | int | bool:
        """The single element as a Python number."""
        if self._data.size != 1:
            raise ShapeError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self._data.item()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying ndarray (shares memory); read-only for a tensor that requires grad while gradients are
        recorded (see :meth:`__array__`; ``t.detach().numpy()``, torch's ``t.numpy(force=True)`` or ``t.data`` give
        the writable array, as in torch)."""
        return self.detach().__array__() if force else self.__array__()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The data for numpy (``np.asarray(t)``, ``np.array(t)``): numpy's ``copy`` honoured (``np.array`` gets
        a copy of its own); without a copy, a read-only view when this tensor requires grad, so code outside the
        graph cannot change values the graph has used behind its back (torch refuses ``.numpy()`` there).
        ``copy=False`` with another dtype is numpy 2's ValueError: the conversion would copy."""
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        if copy is False and dtype is not None and np.dtype(dtype) != self._data.dtype:
            raise ValueError(
                f"__array__: copy=False, but a tensor of dtype {self.dtype} becomes {np.dtype(dtype)} only in a copy "
                "(numpy 2's rule; np.asarray(t, dtype) allows the copy)"
            )
        array = np.asarray(self._data, dtype=dtype)  # 0-d results of numpy ufuncs are numpy scalars
        if self._requires_grad and _mode.enabled and np.may_share_memory(array, self._data):
            array = array.view()
            array.flags.writeable = False
        return array

    def __dlpack__(self, **options: Any) -> Any:
        """The data through DLPack (shared memory), so ``torch.as_tensor(x)`` and ``np.from_dlpack(x)`` read
        it as an array (torch reads ``__dlpack__``, not ``__array__``)."""
        return np.asarray(self._data).__dlpack__(**options)

    def __dlpack_device__(self) -> tuple[int, int]:
        return np.asarray(self._data).__dlpack_device__()

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self) -> Iterator[Tensor]:
        """The slices along the first axis, each a recorded ``getitem`` (TypeError for a 0-d tensor, as torch)."""
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __reversed__(self) -> Tensor:
        """``reversed(t)``: ``t.flip(0)``, a Tensor (a 0-d tensor is itself), as torch's; Python's fallback would be
        an iterator, and a TypeError for a 0-d tensor."""
        return self if self.ndim == 0 else self.flip(0)

    def __contains__(self, element: Any) -> bool:
        """``x in t``: whether any entry of ``t`` equals ``x``, a number or a Tensor broadcast against ``t`` (torch's
        ``(element == t).any()``), at any rank; Python's fallback would compare whole rows of a 2-D tensor."""
        if not isinstance(element, (Tensor, numbers.Number)):
            raise MembershipTypeError(
                f"in: a Tensor can test membership of a number or a Tensor only, got {type(element).__name__}"
            )
        return bool((element == self).any())

    def __index__(self) -> int:
        """The element of a one-element integer or boolean tensor as an int (a boolean one as 0 or 1), so it indexes
        lists and ranges (as torch's)."""
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                "only integer or boolean tensors of a single element can be converted to an index, got a tensor of dtype "
                f"{self.dtype} and shape {self.shape}"
            )
        return int(self._data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        """``complex(t)`` of a one-element tensor: its number with imaginary part 0 (as torch's)."""
        return complex(self.item())

    def __round__(self, ndigits: int | None = None) -> Tensor:
        """``round(t)`` is ``t.round()`` (halves to even, zero gradient); ``round(t, n)`` keeps n decimals (numpy's way)."""
        return self.round() if ndigits is None else self.round(ndigits)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor's number (as torch). An empty spec formats a 0-d tensor's
        number too, as torch's (``f"{torch.tensor(1234)}"`` is ``1234``, so the MIT lab's
        ``print(f"`integer` is a {integer.ndim}-d Tensor: {integer}")`` reads the same); any other shape gives ``str``."""
        if not spec:
            return format(self.item()) if self._data.ndim == 0 else str(self)
        if self._data.size != 1:
            raise TypeError(
                f"format: the format spec {spec!r} applies to one-element tensors, got shape {self.shape} "
                "(format the elements, or use str)"
            )
        return format(self.item(), spec)

    def __bool__(self) -> bool:
        if self._data.size != 1:  # (numpy's ValueError and torch's RuntimeError: ShapeError is both, as item()'s)
            raise ShapeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous (it has {self.data.size} "
                "elements); use .any() or .all()"
            )
        return bool(self._data.item())

    def detach(self) -> Tensor:
        """A constant Tensor sharing this tensor's data (and version counter), cut from the graph."""
        detached = _wrap(self._data)
        detached._version_counter = self._shared_version()
        detached._version_counter.add_holder(detached, "detached")
        return detached

    def _check_can_require_grad(self, where: str) -> None:
        if self._data.dtype.kind != "f":
            raise _no_gradient_dtype(where, self.dtype)

    def astype(self, dtype: Any, copy: bool = True) -> Tensor:
        """A copy converted to ``dtype`` (differentiable between float dtypes); of the same dtype, a copy too
        (a recorded clone), or the tensor itself with ``copy=False``, as numpy's."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self.clone() if copy else self
        data = quietly(self._data.astype, dtype)  # out of the new dtype's range: inf (or numpy's integer), no warning
        if dtype == np.uint8 and self._data.dtype == np.float64:  # torch truncates through int64 (2**32 + 5 is 5)
            data = quietly(self._data.astype, np.int64).astype(np.uint8)
        if self._requires_grad and dtype.kind != "f":
            return _wrap(data)
        return Tensor._from_op(data, ar.astype, (self,), {"dtype": dtype})

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset ``.grad``: to None (default, as PyTorch), or to zeros with ``set_to_none=False``, written into the
        gradient in place as torch's ``grad.zero_()`` (a ``.grad`` held from before reads the zeros too)."""
        grad = self._grad
        if set_to_none or grad is None:
            self._grad = None
        elif isinstance(grad, np.ndarray) and grad.flags.writeable and grad.shape == self._data.shape:
            grad[...] = 0
        else:
            self._grad = np.zeros_like(self._data)

    def __repr__(self) -> str:
        body = array_text(self._data, prefix="Tensor(")
        extras = []
        if self._data.size == 0 and self._data.ndim != 1:  # "[]" alone would not tell (2, 0) from (0, 3), as torch
            extras.append(f"size={self.shape}")
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        if self._requires_grad:
            extras.append("requires_grad=True")
        if self.op is not None:
            extras.append(f"op={self.op.name}")
        return f"Tensor({body}{', ' if extras else ''}{', '.join(extras)})"

    # -- arithmetic ------------------------------------------------------------
    def _binary(self, other: Any, op: Any, function: Any, reflected: bool = False) -> Tensor:
        if type(other) is float or type(other) is int or isinstance(other, _NUMPY_NUMBERS):
            variants = ew.NUMBER_VARIANTS.get(op)
            if variants is not None and self._data.dtype.kind == "f":
                result = _with_number(self, other, variants[0 if reflected else 1], function)
                if result is not None:
                    return result
            if self._data.dtype == _FLOAT16 and not reflected and function in FLOAT32_DIVISOR_QUOTIENTS:
                result = _half_quotient(self, other, op, function)
                if result is not None:
                    return result
        both_tensors = type(other) is Tensor or isinstance(other, Tensor)
        if function is _true_divide and is_integer(other) and self._data.dtype.kind in "iub":
            other = float(other)  # divided in floating point: the number is not wrapped into the integer dtype first
        other = _operand(other, self._data, op.name)
        a, b = (other, self) if reflected else (self, other)
        # (true division of two integer or boolean operands is done in floating point: no integer promotion first,
        # which would wrap a wider 0-d divisor into the other's dtype)
        if a._data.dtype != b._data.dtype and not (
            function is _true_divide and a._data.dtype.kind in "iub" and b._data.dtype.kind in "iub"
        ):
            if both_tensors and function in _HALF_SCALAR_FUNCTIONS and _is_half_by_scalar(a, b):
                wide = a.astype(np.float32, copy=False)._binary(b.astype(np.float32, copy=False), op, function)
                return wide.astype(_FLOAT16)
            a, b = _promoted(a, b, both_tensors)
        try:
            data = quietly(function, a._data, b._data)
        except ValueError as error:
            refuse_unbroadcastable(op.name, a._data, b._data)
            raise ValueError(
                f"{op.name}: {error} (dtypes {a.dtype} and {b.dtype}, shapes {a.shape} and {b.shape})"
            ) from None
        except TypeError as error:  # numpy's UFuncTypeError: no loop for these dtypes (a string operand, say)
            raise TypeError(
                f"{op.name}: operands of dtypes {a.dtype} and {b.dtype} are not supported ({error})"
            ) from None
        if data.dtype.char == "b":  # int8: perhaps numpy's loop for two booleans, which torch has no kernel for
            refuse_boolean_kernel(op.name, a._data, b._data, data)
        return Tensor._from_op(data, op, (a, b))

    def __add__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.add, np.add)

    def __radd__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.add, np.add, reflected=True)

    def __sub__(self, other: TensorLike) -> Tensor:
        """self - other; a bool tensor or a Python bool on either side is torch's RuntimeError (a
        :class:`~autograd.tensor_in_place.BoolNegationError`): ``^`` or ``~`` is what is meant."""
        refuse_bool_subtraction("sub", self, other, arrays=False)
        return self._binary(other, ew.sub, np.subtract)

    def __rsub__(self, other: TensorLike) -> Tensor:
        refuse_bool_subtraction("sub", self, other, arrays=False)
        return self._binary(other, ew.sub, np.subtract, reflected=True)

    def __mul__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.mul, np.multiply)

    def __rmul__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.mul, np.multiply, reflected=True)

    def __truediv__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.div, _true_divide)

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.div, _true_divide, reflected=True)

    def __pow__(self, other: TensorLike) -> Tensor:
        """self ** other; of a number -0.5, 1 / sqrt(self), as torch computes it (its rsqrt): -inf at -0.0 and nan
        at -inf, where IEEE pow, and numpy's np.power (:meth:`_numpy_power`), give +inf and 0."""
        if type(other) is float and other == -0.5:
            return self._binary(other, ew.pow, _reciprocal_square_root)
        return self._numpy_power(other)

    def _numpy_power(self, other: TensorLike) -> Tensor:
        """np.power(self, other): ``**`` with IEEE pow's values for every exponent, as numpy's. As torch's, an integer
        tensor's exponent must be a value of its dtype (``uint8 ** 256`` is an
        :class:`~autograd.shape_errors.ArgumentRangeError`), and not negative, for a boolean tensor too (``b ** -1``
        was an int64 tensor, torch's "Integers to negative integer powers" RuntimeError); a boolean tensor to a
        Python bool is boolean."""
        if is_integer(other) and self._data.dtype.kind in "iu":
            check_integer_exponent("pow", int(other), self._data.dtype)
        elif is_integer(other) and other < 0 and self._data.dtype.kind == "b":  # raised as integers, as torch's
            check_integer_exponent("pow", int(other), self._data.dtype)
        if type(other) is bool and self._data.dtype == np.bool_:  # a boolean result, as torch's
            return self._binary(other, ew.pow, shared_math.boolean_power)
        return self._binary(other, ew.pow, shared_math.array_power)

    def __rpow__(self, other: TensorLike) -> Tensor:
        return self._binary(other, ew.pow, shared_math.array_power, reflected=True)

    def __divmod__(self, other: TensorLike) -> tuple[Tensor, Tensor]:
        """``divmod(t, y)``: ``(t // y, t % y)``, numpy's floor quotient and remainder (as an ndarray's), each
        recorded with its own op's rule (d(t % y)/dt = 1, d(t % y)/dy = -floor(t / y), the quotient flat)."""
        return self // other, self % other

    def __rdivmod__(self, other: TensorLike) -> tuple[Tensor, Tensor]:
        return other // self, other % self

    def __neg__(self) -> Tensor:
        refuse_bool_negation("neg", self)
        return Tensor._from_op(-self._data, ew.neg, (self,))

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def __matmul__(self, other: TensorLike) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return _operand(other, self._data, "matmul").matmul(self)

    def matmul(self, other: TensorLike) -> Tensor:
        """Matrix product with numpy's rules for 1-D, 2-D and batched operands.

        d/dA (A @ B) = G @ B^T, d/dB = A^T @ G (batch axes are summed back).
        """
        other = _operand(other, self._data, "matmul")
        if self._data.ndim == 0 or other._data.ndim == 0:
            raise ShapeError(f"matmul: operands must be at least 1-D, got shapes {self.shape} and {other.shape}")
        try:
            data = quietly(np.matmul, self._data, other._data)
        except ValueError:
            raise ShapeError(
                f"matmul: shapes {self.shape} and {other.shape} are not aligned "
                f"({self.shape[-1]} != {other.shape[-2] if other.ndim > 1 else other.shape[0]})"
                if self.shape[-1] != (other.shape[-2] if other.ndim > 1 else other.shape[0])
                else f"matmul: batch shapes of {self.shape} and {other.shape} do not broadcast"
            ) from None
        return Tensor._from_op(data, ar.matmul, (self, other))

    # -- comparisons (boolean Tensors outside the graph, as torch's) -------------
    def __lt__(self, other: TensorLike) -> Tensor:
        return _compared("lt", operator.lt, self._data, other)

    def __le__(self, other: TensorLike) -> Tensor:
        return _compared("le", operator.le, self._data, other)

    def __gt__(self, other: TensorLike) -> Tensor:
        return _compared("gt", operator.gt, self._data, other)

    def __ge__(self, other: TensorLike) -> Tensor:
        return _compared("ge", operator.ge, self._data, other)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        if other is None:  # torch's: ``bias == None`` is False, not an elementwise comparison
            return False  # type: ignore[return-value]
        return _compared("eq", operator.eq, self._data, other)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        if other is None:
            return True  # type: ignore[return-value]
        return _compared("ne", operator.ne, self._data, other)

    __hash__ = Node.__hash__

    # -- elementwise functions ------------------------------------------------
    def _unary(self, op: Any, data: np.ndarray, attrs: dict | None = None) -> Tensor:
        if self._requires_grad and self._data.dtype.kind != "f":
            raise TypeError(f"{op.name}: needs a floating-point tensor, got {self.dtype}")
        # computed wider (_floating_data): rounded once, here
        return Tensor._from_op(in_dtype_of(data, self._data), op, (self,), attrs)

    def exp(self) -> Tensor:
        """e**x; d/dx = e**x."""
        return self._unary(ew.exp, quietly(np.exp, self._floating_data()))

    def log(self) -> Tensor:
        """Natural log; d/dx = 1/x."""
        return self._unary(ew.log, quietly(np.log, self._floating_data()))

    def sqrt(self) -> Tensor:
        """Square root; d/dx = 1/(2 sqrt x)."""
        return self._unary(ew.sqrt, quietly(np.sqrt, self._floating_data()))

    def abs(self) -> Tensor:
        """|x|; d/dx = sign(x). A bool tensor has no absolute value in torch (its NotImplementedError)."""
        refuse_bool_abs("abs", self._data)
        return self._unary(ew.abs_, np.abs(self._data))

    def sin(self) -> Tensor:
        """sin x; d/dx = cos x."""
        return self._unary(ew.sin, quietly(np.sin, self._floating_data()))

    def cos(self) -> Tensor:
        """cos x; d/dx = -sin x."""
        return self._unary(ew.cos, quietly(np.cos, self._floating_data()))

    def tanh(self) -> Tensor:
        """tanh x; d/dx = 1 - tanh(x)**2."""
        return self._unary(ew.tanh, quietly(np.tanh, self._floating_data()))

    def sigmoid(self) -> Tensor:
        """1/(1+e**-x), split by sign (no overflow); d/dx = s(1-s)."""
        return self._unary(ew.sigmoid, shared_math.sigmoid(self._floating_data()))

    def relu(self) -> Tensor:
        """max(x, 0); d/dx = 1 where x > 0 else 0. x where it is not below 0, so -0.0 stays -0.0 and nan stays
        nan, as torch's (numpy's maximum returns its second operand at a tie: float16 is compared in float32, where
        numpy's float16 loop returns the first)."""
        return self._unary(ew.relu, np.maximum(0, computing_data(self._data)))

    def leaky_relu(self, alpha: float = 0.01) -> Tensor:
        """x where x > 0 else alpha*x. Float data takes :func:`shared_math.leaky_linear` (the same values, x times
        a factor 1 or alpha, without a select)."""
        if type(alpha) is not float:
            refuse_learnable_number("leaky_relu", "alpha", alpha)
        if self._data.dtype.kind == "f":  # float16 in float32 (alpha x rounded once, as torch's)
            data = shared_math.leaky_linear(computing_data(self._data), alpha)
            return self._unary(ew.leaky_relu, data, {"alpha": alpha})
        # quietly: alpha * x may overflow where x > 0 (the piece not taken), and numpy would warn
        negative = quietly(np.multiply, self._data, alpha)
        return self._unary(ew.leaky_relu, shared_math.select(self._data > 0, self._data, negative), {"alpha": alpha})

    def elu(self, alpha: float = 1.0) -> Tensor:
        """x where x > 0 else alpha*(e**x - 1); d/dx = 1 or elu(x) + alpha. At +-0.0 it is x itself, as torch's. A
        positive finite alpha takes :func:`shared_math.exponential_linear` (the same values in fewer passes); another
        keeps the select of x where x >= 0 (alpha * expm1(0) would be nan for an infinite or nan alpha, the zero
        of the other sign for a negative one)."""
        if type(alpha) is not float:
            refuse_learnable_number("elu", "alpha", alpha)
        data = computing_data(self._data)  # float16 in float32, as relu
        if alpha > 0 and data.dtype.kind == "f" and alpha != np.inf:
            return self._unary(ew.elu, shared_math.exponential_linear(data, alpha), {"alpha": alpha})
        with quiet():  # (inf * expm1(0) is nan where x is chosen instead)
            negative = alpha * np.expm1(np.minimum(0, data))
        return self._unary(ew.elu, shared_math.select(self._data >= 0, self._data, negative), {"alpha": alpha})

    def softplus(self) -> Tensor:
        """log(1 + e**x) = max(x,0) + log1p(e**-|x|); d/dx = sigmoid(x)."""
        return self._unary(ew.softplus, shared_math.softplus(self._floating_data()))

    @float16_via_float32
    def swish(self, beta: float | Tensor = 1.0) -> Tensor:
        """x * sigmoid(beta x) (SiLU for the number beta = 1). ``beta`` may be a Tensor (one slope, or one per
        element by broadcasting), a learnable one: d/dbeta = x^2 s (1 - s), s = sigmoid(beta x), also at 1."""
        if isinstance(beta, Tensor) or beta != 1:
            return self * (self * beta).sigmoid()
        return self.silu()

    @float16_via_float32
    def silu(self) -> Tensor:
        """x * sigmoid(x), one node; d/dx = s + x s (1 - s), finite for every incoming gradient at finite x. The node
        keeps s = sigmoid(x) for its rule (as gelu keeps its cdf), which then takes no exp."""
        data = self._floating_data()
        s = shared_math.sigmoid(data)
        return self._unary(ew.silu, quietly(np.multiply, data, s), {"sigmoid": s})  # (-inf * 0 is nan)

    @float16_via_float32
    def mish(self) -> Tensor:
        """x * tanh(softplus(x)), one node; d/dx = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x))."""
        data = self._floating_data()
        return self._unary(ew.mish, quietly(np.multiply, data, np.tanh(shared_math.softplus(data))))

    def step(self) -> Tensor:
        """Heaviside step (1 where x > 0 else 0); zero gradient."""
        return self._unary(ew.step, (self._data > 0).astype(self.dtype))

    def clip(
        self, low: float | None = None, high: float | None = None, *, min: float | None = None, max: float | None = None
    ) -> Tensor:
        """Clamp into [low, high]; the gradient passes where low <= x <= high (alias: clamp).

        ``min``/``max`` (the names of ``ndarray.clip`` and ``torch.clamp``) are aliases of ``low``/``high``.
        Tensor bounds (torch's ``clamp(min=t)``) broadcast and receive the gradient where they bind; where
        low > high the result is high, as ``minimum(maximum(x, low), high)``; where x < low == high no input gets
        the gradient (torch's: low takes it only where low < high, high only where x > high or high < low); a nan
        in x or a bound gives nan, and no gradient there but what torch's rule gives a Tensor high (where x > high
        or high < low: a nan low, a nan x). With one number bound an x equal to it is kept, so
        ``clamp(-0.0, min=0)`` is -0.0, as torch's. A number bound (a NumPy float64 too) is taken in a floating tensor's dtype, as a
        number beside a tensor is: ``x32.clip(np.float64(0.5))`` is float32, as torch's clamp.
        """
        if min is not None or max is not None:
            low, high = (
                shared_math.bound_alias("low", low, "min", min),
                shared_math.bound_alias("high", high, "max", max),
            )
        if low is None and high is None:
            raise shared_math.no_clip_bound_error()
        self._check_bounds("clip", low, high)
        if isinstance(low, Node) or isinstance(high, Node):  # each entry from x, from the bound it passes, or nan
            raised = self if low is None else _bounded(self, low, np.greater_equal, np.less)
            if high is None:
                return raised
            clipped = _bounded(raised, high, np.less_equal, np.greater)
            if low is None:
                return clipped
            # torch's clamp: min gets the gradient where x < min < max, max where x > max or max < min, so an x
            # below min == max sends it nowhere (the low bound would otherwise have taken it)
            low_data, high_data = shared_math.data_of(low), shared_math.data_of(high)
            stuck = (self._data < low_data) & (low_data == high_data)
            if stuck.any():
                clipped = where(stuck, clipped.detach(), clipped)
            # at a nan result torch's rule still gives max the gradient where x > max or max < min (a nan min, a
            # nan x): there the result is nan + max
            if clipped.dtype.kind == "f":
                to_high = np.isnan(clipped._data) & ((self._data > high_data) | (high_data < low_data))
                if to_high.any():  # (in clipped's dtype: an integer high + nan is of the default float dtype)
                    clipped = where(to_high, high + np.nan, clipped).astype(clipped.dtype, copy=False)
            return clipped
        data = self._data
        if data.dtype.kind in "biu" and (isinstance(low, _FLOAT_NUMBERS) or isinstance(high, _FLOAT_NUMBERS)):
            data = data.astype(get_default_dtype())  # integers clamped by a float number: torch's default float
        if data.dtype.kind == "f":  # a number bound (np.float64 too, as in x * np.float64(2)) in the tensor's dtype
            low, high = _number_in(low, data.dtype), _number_in(high, data.dtype)
        # one bound on floats: numpy's maximum / minimum return their second operand, x, at a tie (float32 and
        # float64; float16 is compared in float32, where numpy's float16 loop returns the first), so
        # clamp(-0.0, min=0) is -0.0, as torch's (np.clip returns the bound); two bounds keep np.clip's
        # single pass, and integers np.clip's reading of a bound outside their range
        if data.dtype.kind == "f" and (low is None or high is None):
            wide = computing_data(data)
            clipped = np.maximum(low, wide) if high is None else np.minimum(high, wide)
        else:
            clipped = np.clip(data, low, high)
        return self._unary(ew.clip, clipped, {"low": low, "high": high})

    clamp = clip

    def _check_bounds(self, op: str, *bounds: Any) -> None:
        """TypeError/ValueError naming ``op`` unless each bound given is real and broadcasts with this tensor."""
        for name, bound in zip(("low", "high"), bounds):
            if bound is None:
                continue
            if isinstance(bound, (list, tuple)):
                refuse_nodes_in_sequence(bound, op)
            values = np.asarray(shared_math.data_of(bound))
            if values.dtype.kind not in "fiub":
                raise TypeError(f"{op}: {name} must be a number or a tensor of real numbers, got {bound!r}")
            try:
                np.broadcast_shapes(self._data.shape, values.shape)
            except ValueError:
                raise ShapeError(
                    f"{op}: {name} of shape {values.shape} does not broadcast with the tensor's shape {self.shape}"
                ) from None

    def maximum(self, other: TensorLike) -> Tensor:
        """Elementwise larger value; ties split the gradient evenly. Of +0.0 and -0.0 this tensor's zero, as
        torch's (numpy's np.maximum keeps the second operand's: :meth:`_numpy_maximum`)."""
        return self._binary(other, ew.maximum, _maximum_keeping_first)

    def minimum(self, other: TensorLike) -> Tensor:
        """Elementwise smaller value; ties split the gradient evenly; of +0.0 and -0.0 this tensor's zero, as
        torch's (numpy's np.minimum keeps the second operand's: :meth:`_numpy_minimum`)."""
        return self._binary(other, ew.minimum, _minimum_keeping_first)

    def _numpy_maximum(self, other: TensorLike) -> Tensor:
        """np.maximum(self, other): :meth:`maximum` keeping ``other``'s zero at a tie of +0.0 and -0.0, as numpy's."""
        return self._binary(other, ew.maximum, np.maximum)

    def _numpy_minimum(self, other: TensorLike) -> Tensor:
        """np.minimum(self, other): :meth:`minimum` keeping ``other``'s zero at a tie of +0.0 and -0.0, as numpy's."""
        return self._binary(other, ew.minimum, np.minimum)

    @staticmethod
    def _where(condition: Any, x: Any, y: Any) -> Tensor:
        return where(condition, x, y)

    # -- hooks of numpy's elementwise functions (autograd.numpy_functions) ----------------
    def _apply_unary(self, op: Any, function: Any) -> Tensor:
        data = self._data
        # integers and booleans: a function whose result would be floating runs on the default float dtype (its
        # result kind read from one entry, or from the empty array, so the whole array is computed once)
        if data.dtype.kind in "iub" and np.asarray(quietly(function, data.reshape(-1)[:1])).dtype.kind == "f":
            data = self._floating_data()
        else:
            data = computing_data(data)
        return self._unary(op, np.asarray(quietly(function, data)))

    def _floating_data(self) -> np.ndarray:
        """The data as the argument of a floating-point function: integers and booleans in the default floating
        dtype, as torch's (numpy would give float16 for small integers, and negate uint8 with wrap-around), float16
        in float32 (autograd.accumulation: ``_unary`` rounds the result back)."""
        data = self._data
        return computing_data(data) if data.dtype.kind == "f" else data.astype(get_default_dtype())

    def _apply_binary(self, other: TensorLike, op: Any, function: Any, reflected: bool = False) -> Tensor:
        if self._data.dtype.kind in "iub":
            # integers and booleans on both sides, for a function whose result would be floating (atan2, hypot,
            # copysign): computed in the default floating dtype, as _apply_unary does (numpy gives float16 for int8)
            other_data = other._data if isinstance(other, Tensor) else np.asarray(other)
            if is_integer(other) and self._data.dtype.kind in "iu":  # a number of this dtype (wrapped into it)
                other_data = np.empty(0, self._data.dtype)
            if other_data.dtype.kind in "iub":
                # the result's kind, from ones of the two dtypes (values that no check refuses, 0 as a divisor)
                probes = (np.ones(1, self._data.dtype), np.ones(1, other_data.dtype))
                first = quietly(function, *(probes[::-1] if reflected else probes))
                if np.asarray(first).dtype.kind == "f":
                    if function in _FLOAT_KERNELS:  # torch's NotImplementedError ("hypot_cpu" not implemented ...)
                        raise DtypeKernelError(
                            f"{function.__name__}: expects a floating-point tensor, got dtypes {self._data.dtype} "
                            f"and {other_data.dtype}"
                        )
                    floating = Tensor._make(self._floating_data())
                    if isinstance(other, Tensor):
                        other = Tensor._make(other._floating_data())
                    return floating._binary(other, op, function, reflected)
        return self._binary(other, op, function, reflected)

    def _test(self, predicate: Any) -> Tensor:
        return _wrap(np.asarray(predicate(self._data)))

    # -- backward plumbing -------------------------------------------------------
    def _seed_gradient(self, grad: Any, create_graph: bool) -> Any:
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    "backward: grad can be omitted only for one-element outputs (as in torch: grad can be implicitly "
                    f"created only for scalar outputs); this output has shape "
                    f"{self.shape}, so pass a seed of that shape (e.g. ones)"
                )
            seed = np.empty(self._data.shape, dtype=self._data.dtype)
            seed.fill(1)  # np.ones is a Python-level function
        elif isinstance(grad, Tensor) and create_graph:
            seed = grad
        else:
            seed = _real_seed(grad, self.dtype)
        if seed.shape != self.shape:
            raise SeedShapeError(
                f"backward: seed gradient has shape {seed.shape}, but the output has shape {self.shape} (Mismatch in "
                f"shape: grad_output has a shape of {seed.shape} and output has a shape of {self.shape})"
            )
        if create_graph and not isinstance(seed, Tensor):
            seed = _wrap(seed)
        return seed

    def _checked_assigned_grad(self, value: Any) -> Any:
        # None, an array or a Tensor (a gradient kept with create_graph) of this tensor's shape and a float dtype
        if value is None:
            return None
        if not isinstance(value, (np.ndarray, np.generic, Node, float, int)) or isinstance(value, bool):
            raise TypeError(
                f"assigned grad expected to be an ndarray, a Tensor or None, but got grad of type {type(value).__name__}"
            )
        data = value._data if isinstance(value, Node) else np.asarray(value)
        if data.shape != self._data.shape:
            raise RuntimeError(
                f"assigned grad has data of a different size: shape {data.shape} for a tensor of shape {self.data.shape}"
            )
        if data.dtype.kind != "f":  # a TypeError as the library's, and torch's RuntimeError
            raise FloatingDtypeError(
                f"assigned grad must be floating point (the tensor is {self.dtype}), got dtype {data.dtype}"
            )
        if data.dtype != self._data.dtype:
            raise RuntimeError(
                f"assigned grad has data of a different type: {data.dtype} for a tensor of dtype {self.data.dtype} "
                f"(convert it: grad.astype(np.{self.data.dtype.name}))"
            )
        return plain(value) if isinstance(value, (np.ndarray, Node)) else data

    @property
    def grad(self) -> Any:
        """dL/dself after ``backward()`` (see :attr:`Node.grad`): None, an ndarray of this tensor's shape and dtype
        read as a :class:`~autograd.gradient_array.GradientArray` (torch's ``zero_()``, ``clamp_()``, ``norm()``,
        ``.data`` on it), or a Tensor after ``backward(create_graph=True)``."""
        grad = self._grad
        if type(grad) is np.ndarray:
            # one view per stored array, as torch's .grad is one object: ``x.grad is x.grad``, and a reference kept
            # to it is what a later read gives while backward adds into the same array
            shown = self.__dict__.get("_grad_view")
            if shown is None or shown.base is not grad:
                shown = self.__dict__["_grad_view"] = grad.view(GradientArray)
            return shown
        return Node.grad.fget(self)  # None (with Node's warning for a non-leaf that keeps none) or a Tensor

    def _run_hooks(self, grad: Any, functions: bool = False, table: dict | None = None) -> Any:  # type: ignore[override]
        # hooks see an array gradient as a GradientArray (torch's methods: lambda g: g.clamp(-1, 1)); what they
        # give back is stored plain, in the gradient's dtype (torch refuses a hook that changes it; numpy's
        # ``g * np.float64(0.5)`` makes a float32 gradient float64, torch's 0-d scalar would not)
        if isinstance(grad, np.generic):  # a 0-d gradient numpy gave as a scalar
            grad = np.asarray(grad)
        if type(grad) is not np.ndarray:
            return super()._run_hooks(grad, functions=functions, table=table)
        viewed = grad.view(GradientArray)
        result = super()._run_hooks(viewed, _as_gradient_array, functions, table)
        if result is viewed:
            return grad
        result = plain(result)
        dtype = getattr(result, "dtype", None)
        if dtype is not None and dtype != grad.dtype and dtype.kind in "biuf":
            result = result.astype(grad.dtype)
        return result

    def _hook_form(self, grad: Any) -> Any:
        return np.asarray(grad).view(GradientArray) if isinstance(grad, (np.ndarray, np.generic)) else grad

    def _from_hook_form(self, grad: Any) -> Any:
        return plain(grad)

    @grad.setter
    def grad(self, value: Any) -> None:
        Node.grad.fset(self, value)

    @grad.deleter
    def grad(self) -> None:
        Node.grad.fdel(self)

    def _add_to_grad(self, total: Any) -> None:
        # .grad is an ndarray (0-d for a 0-d leaf, where numpy sums give scalars) or a node, of the leaf's dtype
        # (a hook may have returned another dtype, or a plain number); a new one is C-contiguous, as torch's
        # follows its (contiguous) leaf's layout, so x.grad.view(-1) works whatever layout backward worked in
        existing = self._grad
        if type(total) is not _ndarray and not isinstance(total, Node):
            total = np.asarray(total)  # a new array: no aliasing to undo
        elif existing is None and isinstance(total, _ndarray):
            flags = total.flags
            if total.base is not None or not flags.writeable or not flags.c_contiguous:
                total = total.copy()
        if total.dtype != self._data.dtype:
            total = total.astype(self._data.dtype)
        if existing is None:
            self._grad = total
        elif (
            type(existing) is _ndarray
            and type(total) is _ndarray
            and existing.shape == total.shape
            and existing.dtype == total.dtype
            and existing.flags.writeable
        ):
            np.add(existing, total, out=existing)  # in place, as torch's: a reference kept to .grad sees the sum
        elif self._adds_into_assigned(existing, total):
            # a constant Tensor assigned as .grad (x.grad = zeros, or a view of a flat gradient buffer) takes the sum
            # in its own memory outside create_graph, as torch's AccumulateGrad adds in place under no-grad: the
            # object assigned, and the buffer it views, see every later backward's gradient
            np.add(existing._data, total, out=existing._data)
            increment_version(existing)
        else:
            total = self._grad_plus(total)
            self._grad = total if isinstance(total, (np.ndarray, Node)) else np.asarray(total)

    @staticmethod
    def _adds_into_assigned(existing: Any, total: Any) -> bool:
        """Whether ``total`` (a plain gradient) may be added into ``existing``, a ``.grad`` that is a Tensor, in
        place: one that requires no grad (a graph's ``.grad`` keeps its history: ``_grad_plus``) outside
        create_graph, of the same shape and dtype, in writeable memory."""
        if not isinstance(existing, Tensor) or existing._requires_grad or _mode.enabled or type(total) is not _ndarray:
            return False
        data = existing._data
        return (
            type(data) is _ndarray and data.shape == total.shape and data.dtype == total.dtype and data.flags.writeable
        )

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call ``hook(tensor)`` each time ``backward()`` has accumulated this leaf's ``.grad`` (torch's method of
        that name; an optimizer step inside the hook updates the parameter as soon as its gradient is ready).
        ``autograd.grad`` stores no ``.grad`` and so calls no such hook. A hook that raises fails the backward pass
        with every ``.grad`` it wrote put back (what the hooks did themselves stays done). Returns a handle whose
        ``remove()`` unregisters the hook."""
        if not self._requires_grad:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: cannot register a hook on a tensor that doesn't require gradient"
            )
        if not self.is_leaf:
            raise RuntimeError(
                "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be registered "
                "on non-leaf tensors"
            )
        with leaf_accumulation:  # (two threads registering the first hooks of one leaf make one table)
            if self._post_accumulate_grad_hooks is None:
                self._post_accumulate_grad_hooks = PostAccumulateHooks()
        handle = RemovableHandle(self._post_accumulate_grad_hooks)
        self._post_accumulate_grad_hooks[handle.id] = hook
        return handle

    @classmethod
    def _wrap_constant(cls, data: Any) -> Tensor:
        return _wrap(np.asarray(data))

    def _copy_in_graph(self) -> Tensor:
        return self.clone()

    def _match_gradient(self, contribution: Any, create_graph: bool) -> Any:
        data = self._data
        if (
            not create_graph
            and type(contribution) is _ndarray
            and contribution.shape == data.shape
            and contribution.dtype == data.dtype
        ):
            return contribution
        if create_graph:
            if not isinstance(contribution, Node):
                contribution = _wrap(np.asarray(contribution, dtype=self.dtype))
        elif type(contribution) is not np.ndarray:
            contribution = np.asarray(contribution)
        if contribution.shape != self._data.shape:
            contribution = unbroadcast(contribution, self._data.shape)
        if contribution.dtype != self._data.dtype:
            contribution = contribution.astype(self._data.dtype)
        return contribution


# The mixins' modules create Tensors but cannot import this module, which imports them: hand them the class.
tensor_in_place._Tensor = tensor_reductions._Tensor = tensor_shape._Tensor = gradient_array._Tensor = Tensor
random_state._Tensor = Tensor
tensor_in_place._operand = _operand


_NOT_GIVEN: Any = object()


def _bounded(x: Tensor, bound: TensorLike, keeps: Any, passes: Any) -> Tensor:
    """x where ``keeps(x, bound)``, the bound where ``passes(x, bound)``, nan where neither holds (a nan in x or in
    the bound, as numpy's clip and torch's clamp give): the gradient reaches only the entry chosen, none at a nan."""
    bound_data = shared_math.data_of(bound)
    passing = passes(x._data, bound_data)
    chosen = where(passing, bound, x)  # where's dtype: torch's promotion of x and the bound (int64 stays int64)
    if chosen.dtype.kind == "f":
        neither = ~(passing | keeps(x._data, bound_data))
        if neither.any():
            chosen = where(neither, np.nan, chosen)
    return chosen


def where(
    condition: Any,
    x: TensorLike = _NOT_GIVEN,
    y: TensorLike = _NOT_GIVEN,
    *,
    input: TensorLike = _NOT_GIVEN,  # noqa: A002 - torch's name
    other: TensorLike = _NOT_GIVEN,
) -> Any:
    """``x`` where ``condition`` else ``y`` (condition is not differentiated; a condition Tensor's data is
    copied, so changing it in place later cannot change the gradient). torch's keywords ``input=`` and
    ``other=`` name ``x`` and ``y``.

    With the condition alone it is torch's ``where(condition)``, ``nonzero(condition, as_tuple=True)``: a tuple of
    int64 index Tensors, one per axis, with no gradient (``np.where(t)`` gives numpy's arrays).
    """
    if input is not _NOT_GIVEN:
        x = torch_alias("where", "x", x, "input", input, default=_NOT_GIVEN)
    if other is not _NOT_GIVEN:
        y = torch_alias("where", "y", y, "other", other, default=_NOT_GIVEN)
    if x is _NOT_GIVEN and y is _NOT_GIVEN:  # (a 0-d condition as one entry: numpy refuses it, torch gives ([0],))
        flat = np.atleast_1d(np.asarray(condition._data if isinstance(condition, Node) else condition))
        return tuple(_wrap(indices.astype(np.int64, copy=False)) for indices in np.nonzero(flat))
    if x is _NOT_GIVEN or y is _NOT_GIVEN:
        raise TypeError("where: give both x and y, or neither (then where(condition) is nonzero(condition))")
    if isinstance(condition, Node):
        condition = np.array(condition._data, dtype=bool)
    else:
        condition = np.asarray(condition, dtype=bool)
    like = (
        x._data if isinstance(x, Tensor) else y._data if isinstance(y, Tensor) else np.asarray(x, python_float_dtype(x))
    )
    if like.dtype.kind in "iu":  # a number the integer dtype cannot hold is torch's error here, not wrapped
        for number in (x, y):
            if is_integer(number):
                check_integer_fits("where", int(number), like.dtype)
    a, b = _operand(x, like, "where"), _operand(y, like, "where")
    if a._data.dtype != b._data.dtype:
        a, b = _promoted(a, b, isinstance(x, Tensor) and isinstance(y, Tensor))
    try:
        data = shared_math.select(condition, a._data, b._data)
    except ValueError:
        raise ShapeError(f"where: shapes {condition.shape}, {a.shape} and {b.shape} do not broadcast") from None
    return Tensor._from_op(data, ar.where, (a, b), {"condition": condition})


#: Python's and NumPy's float scalars: a number bound that makes an integer tensor's clamp float (torch's reading)
_FLOAT_NUMBERS = (float, np.floating)


def _number_in(bound: Any, dtype: np.dtype) -> Any:
    """A bound that is a number, a Python int or float or a NumPy integer or float scalar (torch reads a NumPy
    scalar as the number it holds), as a scalar of the floating ``dtype``, as :func:`_operand` makes such a number
    beside a tensor (1e300 in float32 is inf, silently, as torch's); any other bound (None, an array) as given."""
    if isinstance(bound, (int, float, np.integer, np.floating)) and not isinstance(bound, (bool, np.bool_)):
        return quietly(np.asarray, bound, dtype=dtype)[()]
    return bound
