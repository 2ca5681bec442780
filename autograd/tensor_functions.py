"""Tensor factories and the operations that are functions rather than methods.

Factories follow numpy (``zeros(shape, dtype)``) and add ``requires_grad``; floating data made without a
``dtype`` has :func:`autograd.get_default_dtype`, numpy's float64 unless ``set_default_dtype`` changed it
(:mod:`autograd.default_dtype`). Shapes are given as torch's: ``zeros(2, 3)``, ``zeros((2, 3))`` or
``zeros(size=(2, 3))``. Random factories take ``rng`` (or torch's name, ``generator``): a
``numpy.random.Generator`` (``autograd.Generator`` is one) or an integer seed, so results are
reproducible. Every factory also takes torch's keywords that change nothing here when given their
defaults (:func:`check_factory_options`): ``device`` (the CPU), ``layout`` (strided), ``out`` (None),
and where torch has them ``pin_memory`` (False) and ``memory_format``. ``zeros``, ``ones``, ``empty``, ``full``,
``arange``, ``linspace``, ``eye``, ``rand`` and ``randn`` also write into torch's ``out=`` a Tensor, in its dtype
(:func:`made_into_out`).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .accumulation import COMPUTE_DTYPE, computing_data, rounded_to
from .broadcasting import broadcast_shape, normalize_axes, single_axis
from .core import Node
from .default_dtype import float_dtype, get_default_dtype, python_float_dtype
from .derivatives import arrays as ar
from .grad_mode import is_grad_enabled
from .index_errors import ClassIndexError
from .out_argument import takes_out, written_to_out
from .quiet import quiet, quietly
from .random_state import generator_for, unit_uniform
from .shape_errors import ArgumentRangeError, DtypeKernelError, DtypeMismatchError, ShapeError
from .shared_math import data_of, softmax_parts
from .tensor import (
    Tensor,
    TensorLike,
    _operand,
    _wrap,
    category_result_type,
    has_element_strides,
    in_native_byte_order,
    number_held,
)
from .tensor import where as _where_values
from .tensor_in_place import fitting_fill_value
from .torch_keywords import UNSET, torch_alias, torch_dim
from .torch_metadata_names import resize_data
from .torch_names import check_device, check_factory_options, size_argument, size_index, warn_copy_construct

_ndarray = np.ndarray  # a global: the hot paths test ``type(a) is _ndarray`` (numpy's module attribute costs more)

Shape = int | Sequence[int]
RandomSource = np.random.Generator | int | None


def random_source(op: str, rng: RandomSource, generator: RandomSource) -> np.random.Generator:
    """The Generator of a random factory: ``rng`` or torch's name for it, ``generator`` (the same values: a
    numpy Generator such as ``autograd.Generator``, an int seed, None for the library's random state);
    TypeError naming ``op`` if both are given."""
    if generator is None:
        return generator_for(rng)
    if rng is not None:
        raise TypeError(f"{op}: got both rng= and generator= (generator is torch's name for rng); pass one")
    return generator_for(generator)


def factory_shape(shape: tuple, op: str, size: Any = UNSET) -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` or torch's ``f(size=(2, 3))`` (``size``) as a shape of non-negative integers
    (ValueError/TypeError naming ``op``)."""
    shape = size_argument(op, shape, size)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    lengths = tuple(size_index(length) for length in shape)
    if None in lengths:
        raise TypeError(f"{op}: sizes must be integers, got {shape!r}")
    if any(length < 0 for length in lengths):
        raise ArgumentRangeError(f"{op}: negative dimension in shape {tuple(shape)}")
    return lengths


def made_into_out(
    op: str, out: Any, dtype: Any, make: Callable[[Any], Tensor], *, count_warning: bool = False
) -> Tensor:
    """torch's ``out=`` of a factory: the values ``make(dtype)`` gives, made in ``out``'s dtype (a ``dtype`` given
    beside it must be that one: a :class:`~autograd.shape_errors.DtypeMismatchError`, torch's RuntimeError), written
    into ``out``, which takes their shape without torch's resize warning (a factory's output is made to be resized),
    and returned; with ``count_warning`` (arange's), torch's UserWarning when a non-empty ``out`` held another number
    of elements. While gradients are recorded an ``out`` that requires grad is refused, as torch's."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    if dtype is not None and np.dtype(dtype) != out.dtype:
        raise DtypeMismatchError(f"{op}(): dtype {np.dtype(dtype)} does not match the dtype of out= ({out.dtype})")
    made = make(out.dtype)
    if is_grad_enabled() and out.requires_grad:
        return written_to_out(op, made, out)  # (its refusal)
    if count_warning and out._data.size and out._data.size != made._data.size:
        warnings.warn(
            f"{op}: The number of elements in the out tensor of shape {list(out.shape)} is {out._data.size} which does "
            f"not match the computed number of elements {made._data.size}. Note that this may occur as a result of "
            f"rounding error. The out tensor will be resized to a tensor of shape {made.shape}.",
            UserWarning,
            stacklevel=3,
        )
    if out.shape != made.shape:
        resize_data(out, made.shape)
    return written_to_out(op, made, out)


def tensor(
    data: TensorLike, requires_grad: bool = False, dtype: Any = None, *, device: Any = None, pin_memory: bool = False
) -> Tensor:
    """A new leaf holding a copy of ``data``, as ``Tensor(data, requires_grad, dtype)``, except that Python floats
    (and lists of them) without a ``dtype`` give the default floating dtype (:func:`autograd.get_default_dtype`,
    float64 unless changed), as torch.tensor; numpy arrays and scalars and Tensors keep their dtype, and lists
    mixing them with numbers take torch's dtype (:func:`listed_dtype`). A one-element Tensor inside a list is a
    number, as torch's (:func:`listed_tensors_as_scalars`); a Tensor itself is copied with torch's warning
    (:func:`~autograd.torch_names.warn_copy_construct`). torch's ``device`` and ``pin_memory`` as
    :func:`check_factory_options`."""
    check_factory_options("tensor", device, pin_memory=pin_memory)
    if isinstance(data, Tensor):
        warn_copy_construct("autograd.tensor")
    data = listed_tensors_as_scalars(data, "tensor")
    if dtype is not None:
        made = Tensor(data, dtype=dtype)
    else:
        made = Tensor(data, dtype=python_float_dtype(data))
        if made._data.dtype == np.uint64:
            refuse_python_int_beyond_int64("tensor", data)
        listed = listed_dtype(data, made._data.dtype)
        if listed is not None:
            made = Tensor(data, dtype=listed)
    return Tensor._from_array(made._data, requires_grad, "tensor")  # (its requires_grad errors name tensor)


def refuse_python_int_beyond_int64(op: str, data: Any) -> None:
    """An :class:`ArgumentRangeError` (a ValueError, torch's class here, and a RuntimeError) naming ``op`` if the
    number or nested lists/tuples ``data`` hold a Python int in [2**63, 2**64): numpy makes such data uint64,
    torch reads Python ints as int64 and refuses it ("Overflow when unpacking long long")."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, int) and not isinstance(item, (bool, np.integer)) and item >= 2**63:
            raise ArgumentRangeError(
                f"{op}: the integer {item} cannot be converted to int64 without overflow (Python ints are int64; "
                "pass dtype=autograd.float64 for a float, or a numpy uint64 array)"
            )


def listed_tensors_as_scalars(data: Any, op: str = "tensor") -> Any:
    """``data`` with every one-element Tensor inside its nested lists/tuples replaced by its 0-d array, so it counts
    as a number, as torch.tensor reads one (``torch.tensor([t, u])`` of two (1,)-shaped tensors has shape (2,), where
    numpy's ``np.array`` would give (2, 1)); the dtype stays the tensor's. Tensors of more elements stay arrays (numpy's
    stacking; torch refuses them). ``data`` itself is returned when there is nothing to replace; else the same
    nesting as lists (numpy reads lists and tuples alike). Explicit stacks: any nesting depth works at Python's
    default recursion limit (numpy then refuses what is too deep). A list that holds itself (``z = [0]; z += [z]``)
    is a TypeError naming ``op``, torch's (the scan would never end)."""
    if not isinstance(data, (list, tuple)) or not _holds_one_element_tensor(data, op):
        return data
    copied: list[Any] = []
    stack = [(data, copied, (id(data),))]
    while stack:
        source, target, holders = stack.pop()
        for item in source:
            if isinstance(item, (list, tuple)):
                if id(item) in holders:  # (past the first one-element tensor, where the scan below stopped)
                    raise _self_referential(op)
                inner: list[Any] = []
                target.append(inner)  # filled when popped; its place among the items is kept
                stack.append((item, inner, (*holders, id(item))))
            elif isinstance(item, Node) and item._data.size == 1 and item._data.ndim > 0:
                target.append(item._data.reshape(()))
            else:
                target.append(item)
    return copied


def _holds_one_element_tensor(data: list | tuple, op: str) -> bool:
    """Whether a one-element Tensor of at least one axis sits anywhere inside the nested lists/tuples ``data``; a
    TypeError naming ``op`` if a list holds itself, directly or further down (each list is scanned with the ids of
    the lists that hold it; a list held twice side by side, ``[row, row]``, is not one)."""
    stack = [(data, (id(data),))]
    while stack:
        items, holders = stack.pop()
        for item in items:
            if isinstance(item, (list, tuple)):
                if id(item) in holders:
                    raise _self_referential(op)
                stack.append((item, (*holders, id(item))))
            elif isinstance(item, Node) and np.ndim(item._data) > 0 and np.size(item._data) == 1:
                return True
    return False


def _self_referential(op: str) -> TypeError:
    """The error for data that is a list holding itself: torch's TypeError, naming ``op``."""
    return TypeError(
        f"{op}: the data is a self-referential list (a list that holds itself), which a tensor cannot hold"
    )


def listed_dtype(data: Any, numpy_dtype: np.dtype) -> np.dtype | None:
    """torch's dtype for nested lists/tuples that numpy made the floating ``numpy_dtype``, if it is another: each
    element's dtype (a Tensor's, a numpy array's or scalar's; int64 for a Python int, the default floating dtype for
    a Python float, bool for a bool) joined by category (:func:`~autograd.tensor.category_result_type`), so a float32
    tensor beside an int is float32 and a float16 one beside an int16 or int32 one float16, where numpy's promotion
    gives float32 or float64. None when numpy's dtype stands (float64 among the elements, or an element that is none
    of these)."""
    if numpy_dtype.kind != "f" or not isinstance(data, (list, tuple)):
        return None
    dtypes = set()
    pending = [data]
    while pending:
        for item in pending.pop():
            if isinstance(item, (list, tuple)):
                pending.append(item)
                continue
            if isinstance(item, Node):
                item = item._data
            if isinstance(item, (np.ndarray, np.generic)):
                dtype = item.dtype
            elif isinstance(item, bool):
                dtype = np.dtype(np.bool_)
            elif isinstance(item, int):
                dtype = np.dtype(np.int64)
            elif isinstance(item, float):
                dtype = get_default_dtype()
            else:
                return None
            if dtype == np.float64:
                return None
            dtypes.add(dtype)
    joined = category_result_type(dtypes) if dtypes else None
    return None if joined is None or joined == numpy_dtype else joined


def asarray(
    obj: Any,
    dtype: Any = None,
    *,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool | None = None,
) -> Tensor:
    """torch.asarray: ``obj`` (a Tensor, an array, a number or nested lists) as a Tensor, sharing its memory when it
    can, as :func:`as_tensor` (a Tensor of the right dtype is ``obj`` itself; another dtype is a recorded
    conversion). ``copy=True`` always copies, ``copy=False`` never does (a ValueError where a copy would be needed);
    ``requires_grad`` (default: as ``obj``, torch's) sets it on the result, ``obj`` itself when it is returned, as
    torch's. ``dtype`` may also come second by position, numpy's place for it."""
    check_device("asarray", device)
    if copy:
        result = tensor(obj._data if isinstance(obj, Node) else obj, dtype=dtype)
    else:
        result = as_tensor(obj, dtype)
        if copy is not None:
            source = obj._data if isinstance(obj, Node) else obj
            if not (isinstance(source, np.ndarray) and np.shares_memory(result._data, source)):
                raise ValueError(
                    f"asarray: copy=False, but {type(obj).__name__} of dtype {np.asarray(source).dtype} cannot become "
                    f"a Tensor of dtype {result.dtype} without a copy"
                )
    if requires_grad is None:
        requires_grad = isinstance(obj, Node) and obj.requires_grad
    if bool(requires_grad) == result.requires_grad:
        return result
    return result.requires_grad_(True) if requires_grad else result.detach()


def from_numpy(array: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A Tensor that shares memory with ``array`` (as ``torch.from_numpy``).

    An array in the other byte order, or whose byte strides are not whole elements (a field of a structured
    array), is refused with a ValueError, as torch's: copy it first.

    Changes to ``array`` show in the tensor and the other way round; the library
    cannot see changes made to ``array`` directly, so do not change it between a
    forward pass and its ``backward()``.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if not array.dtype.isnative:  # a shared buffer cannot change its byte order; torch refuses it too
        raise ValueError(
            f"from_numpy: the array's dtype {array.dtype.str} is not in this machine's byte order, so the tensor "
            f"cannot share its memory; convert it first (array.astype(array.dtype.newbyteorder('='))) or copy it "
            f"with Tensor(array)"
        )
    if not has_element_strides(array):  # a tensor's strides count whole elements; torch refuses it too
        raise ValueError(
            f"from_numpy: the array's byte strides {array.strides} are not multiples of its element size "
            f"({array.itemsize} bytes), so a tensor cannot share its memory; copy it first (np.ascontiguousarray(array) "
            f"or Tensor(array))"
        )
    return Tensor._from_array(array, requires_grad, "from_numpy")


def as_tensor(data: TensorLike, dtype: Any = None, *, device: Any = None) -> Tensor:
    """``data`` as a Tensor, copying only when needed (as ``torch.as_tensor``/``numpy.asarray``).

    A Tensor of the right dtype is returned as is, one of another dtype converted in the graph (``data.to(dtype)``,
    as torch's: the gradient flows back between floating dtypes); an ndarray of the right dtype is
    shared (see :func:`from_numpy`; one in the other byte order is copied into the native one, one whose byte
    steps are not whole elements into a dense array) and one of another
    dtype cast (as torch's, wrapping what the dtype cannot hold); anything else (numbers, nested lists) is made by
    :func:`tensor`, with its dtypes and its refusals (a number the dtype cannot hold, None or a string on the way to
    a dtype). ``device`` is torch's (the CPU).
    """
    check_device("as_tensor", device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, Node):
        data = data._data
    if not isinstance(data, np.ndarray):  # numbers and lists: a new array anyway, made and checked as tensor's
        try:
            return tensor(data, dtype=dtype)
        except (TypeError, ValueError) as error:  # the constructor's refusals, naming as_tensor
            if not str(error).startswith(("Tensor: ", "tensor: ")):
                raise
            raise type(error)(f"as_tensor: {str(error).split(': ', 1)[1]}") from None
    array = data if dtype is None else quietly(np.asarray, data, dtype=dtype)
    if not has_element_strides(array):  # (from_numpy refuses it; a copy has whole-element steps)
        array = np.array(array)
    return Tensor._from_array(in_native_byte_order(array), False, "as_tensor")


def zeros(
    *shape: Shape,
    size: Any = UNSET,
    dtype: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """A tensor of zeros, of the default floating dtype unless ``dtype`` is given; the shape as ``zeros(2, 3)``,
    ``zeros((2, 3))`` or ``zeros(size=(2, 3))``; torch's ``out``, ``layout``, ``device`` as
    :func:`check_factory_options`."""
    if out is not None:
        return made_into_out(
            "zeros", out, dtype, lambda d: zeros(*shape, size=size, dtype=d, layout=layout, device=device)
        )
    check_factory_options("zeros", device, layout, out)
    return Tensor._from_array(
        np.zeros(factory_shape(shape, "zeros", size), dtype=float_dtype(dtype)), requires_grad, "zeros"
    )


def ones(
    *shape: Shape,
    size: Any = UNSET,
    dtype: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """A tensor of ones, of the default floating dtype unless ``dtype`` is given; the shape as ``ones(2, 3)``,
    ``ones((2, 3))`` or ``ones(size=(2, 3))``; torch's ``out``, ``layout``, ``device`` as
    :func:`check_factory_options`."""
    if out is not None:
        return made_into_out(
            "ones", out, dtype, lambda d: ones(*shape, size=size, dtype=d, layout=layout, device=device)
        )
    check_factory_options("ones", device, layout, out)
    return Tensor._from_array(
        np.ones(factory_shape(shape, "ones", size), dtype=float_dtype(dtype)), requires_grad, "ones"
    )


def full(
    size: Shape,
    fill_value: float,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """A tensor of shape ``size`` (torch's name; an int or a sequence) filled with ``fill_value``; without
    ``dtype``, that of the value as numpy's and torch's: bool for True/False, int64 for an int, the default floating
    dtype (:func:`autograd.get_default_dtype`) for a Python float; a numpy number or a one-element Tensor counts as
    the Python number it holds, as torch reads it (a 0-d int8 Tensor fills an int64 result, a float16 one the
    default dtype). torch's ``out``, ``layout``, ``device`` as :func:`check_factory_options`."""
    if out is not None:
        return made_into_out("full", out, dtype, lambda d: full(size, fill_value, d, layout=layout, device=device))
    check_factory_options("full", device, layout, out)
    _check_fill_value("full", fill_value)
    if isinstance(fill_value, Node) and fill_value._data.size == 1:  # torch reads a 0-d tensor as its number
        fill_value = fill_value._data.item()
    fill_value = number_held(fill_value)
    sizes = factory_shape((size,) if np.ndim(size) == 0 else (tuple(size),), "full")
    if dtype is None:
        refuse_python_int_beyond_int64("full", fill_value)  # (torch's int64 fill; numpy's would be uint64)
    dtype = python_float_dtype(fill_value) if dtype is None else dtype
    if dtype is not None:  # (None: numpy's dtype of the value, which holds it)
        fill_value = fitting_fill_value("full", fill_value, np.dtype(dtype))
    return Tensor._from_array(quietly(np.full, sizes, fill_value, dtype=dtype), requires_grad, "full")


def sample_dtype(op: str, dtype: Any) -> np.dtype:
    """The floating dtype random samples are drawn in; a :class:`DtypeKernelError` (torch's NotImplementedError, and
    a TypeError) for another kind: uniform or normal samples truncated into integers would be mostly zeros."""
    sampled = np.dtype(dtype)
    if sampled.kind != "f":
        raise DtypeKernelError(f"{op}: samples are drawn in floating dtypes only, not {sampled} (use randint)")
    return sampled


def randn(
    *shape: Shape,
    size: Any = UNSET,
    rng: RandomSource = None,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: RandomSource = None,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """Standard normal samples of the default floating dtype unless ``dtype`` is given, drawn from ``rng`` or
    torch's ``generator`` (:func:`random_source`); the shape as in :func:`zeros` (``size=`` too); torch's other
    keywords as :func:`check_factory_options`."""
    if out is not None:
        return made_into_out(
            "randn",
            out,
            dtype,
            lambda d: randn(*shape, size=size, rng=rng, dtype=d, generator=generator, device=device),
        )
    check_factory_options("randn", device, layout, out, pin_memory)
    source = random_source("randn", rng, generator)
    data = source.standard_normal(factory_shape(shape, "randn", size))
    data = data.astype(sample_dtype("randn", float_dtype(dtype)), copy=False)
    return Tensor._from_array(data, requires_grad, "randn")


def rand(
    *shape: Shape,
    size: Any = UNSET,
    rng: RandomSource = None,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: RandomSource = None,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """Uniform samples in [0, 1) of the default floating dtype unless ``dtype`` is given, drawn from ``rng`` or
    torch's ``generator`` (:func:`random_source`); the shape as in :func:`zeros` (``size=`` too); torch's other
    keywords as :func:`check_factory_options`."""
    if out is not None:
        return made_into_out(
            "rand", out, dtype, lambda d: rand(*shape, size=size, rng=rng, dtype=d, generator=generator, device=device)
        )
    check_factory_options("rand", device, layout, out, pin_memory)
    source = random_source("rand", rng, generator)
    data = unit_uniform(source, factory_shape(shape, "rand", size), sample_dtype("rand", float_dtype(dtype)))
    return Tensor._from_array(data, requires_grad, "rand")


def arange(
    *args: float,
    start: Any = UNSET,
    end: Any = UNSET,
    step: Any = UNSET,
    dtype: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """``numpy.arange``: evenly spaced values in [start, stop), ``arange(stop)``, ``arange(start, stop[, step])``,
    or with torch's keywords ``arange(start=0, end=5, step=2)`` (see :func:`_arange_bounds`). Without ``dtype``,
    int64 for integer bounds and, when one of them is a Python float, the default floating dtype
    (:func:`autograd.get_default_dtype`), as torch. An integer ``dtype`` follows torch rather than numpy: the
    values are trunc(start) + i trunc(step) (numpy's step is the difference of its first two values, 2 for
    ``arange(-34.1, 0, 1.5)``, torch's 1), as many as ceil((end - start) / step) of the given bounds, or, for int64,
    of the truncated ones (``arange(0, 3.5, dtype=int64)`` is [0, 1, 2], numpy's [0, 1, 2, 3]; a step that
    truncates to 0 is an error there). A floating result has torch's length, ceil((end - start) / step), and values
    start + i step computed in float64 and rounded once into the dtype (numpy adds i times the difference of its first
    two values, whose rounding error grows with i); torch's CPU kernel computes them in vector lanes with fused
    multiply-adds, so a value may differ from torch's in its last bit (arange(-8.0, 8.0, 0.1)'s x[80] is 0 here,
    4.4e-16 in torch). torch's ``out``, ``layout``, ``device`` as :func:`check_factory_options`."""
    if out is not None:
        return made_into_out(
            "arange",
            out,
            dtype,
            lambda d: arange(*args, start=start, end=end, step=step, dtype=d, device=device),
            count_warning=True,
        )
    check_factory_options("arange", device, layout, out)
    bounds = _arange_bounds(args, start, end, step)
    # a one-element Tensor bound (torch.arange(t.shape[0]) written as arange(n_tensor)) is its number
    bounds = tuple(bound.item() if isinstance(bound, Node) and bound._data.size == 1 else bound for bound in bounds)
    for bound in bounds:
        if not isinstance(bound, (numbers.Real, np.bool_, np.integer, np.floating)):
            raise TypeError(f"arange: the bounds must be real numbers, got {bound!r}")
    # a bool bound is the int it stands for, as numpy's and torch's (arange(True) is [0], of int64); a numpy number
    # is the Python number it holds, as torch reads it (np.float64(2.5) makes the default float dtype, as 2.5)
    bounds = tuple(int(bound) if isinstance(bound, (bool, np.bool_)) else number_held(bound) for bound in bounds)
    if not 1 <= len(bounds) <= 3:
        raise TypeError(f"arange: takes 1 to 3 bounds (end; start, end; or start, end, step), got {len(bounds)}")
    start, stop, step = (0, *bounds, 1) if len(bounds) == 1 else (*bounds, 1)[:3]
    refuse_bool_range("arange", dtype)  # (before the bounds, as torch: its NotImplementedError for any bool range)
    check_range_bounds("arange", start, stop, step)
    if math.ceil((stop - start) / step) > np.iinfo(np.intp).max // 8:  # numpy's "Maximum allowed size exceeded"
        raise ArgumentRangeError(
            f"arange: invalid size, possible overflow: ceil((end - start) / step) values for start {start}, end "
            f"{stop}, step {step}, more than an array can hold"
        )
    dtype = python_float_dtype(list(bounds)) if dtype is None else dtype
    if dtype is None and any(isinstance(bound, (float, np.floating)) for bound in bounds):
        dtype = np.float64  # numpy's for a float bound (the default dtype when it is a Python float, above)
    if dtype is not None and np.dtype(dtype).kind in "iu":
        return Tensor._from_array(_integer_arange(start, stop, step, np.dtype(dtype)), requires_grad, "arange")
    if dtype is not None and np.dtype(dtype).kind == "f":
        # start + i step computed in float64 and rounded once into dtype, as torch's; numpy's start + i delta, with
        # delta = (start + step) - start, drifts by i times delta's rounding error (200 ulps at the end of
        # arange(1e4, 1e4 + 1, 1e-3))
        count = max(math.ceil((stop - start) / step), 0)
        values = quietly((np.arange(count, dtype=np.float64) * step + start).astype, dtype, copy=False)  # inf, as torch
        return Tensor._from_array(values, requires_grad, "arange")
    return Tensor._from_array(np.arange(*bounds, dtype=dtype), requires_grad, "arange")


def _integer_arange(start: Any, stop: Any, step: Any, dtype: np.dtype) -> np.ndarray:
    """torch's arange into the integer ``dtype``: trunc(start) + i trunc(step), computed in int64 and wrapped into
    ``dtype`` as a C cast, for i below ceil((stop - start) / step) of the given bounds (of the truncated ones for
    int64, where a step that truncates to 0 is an :class:`ArgumentRangeError`, as torch's)."""
    whole_start, whole_step = int(start), int(step)  # int() truncates toward zero
    if dtype == np.int64:
        if whole_step == 0:
            raise ArgumentRangeError(f"arange: step must be nonzero, got {step} (0 as an int64)")
        count = len(range(whole_start, int(stop), whole_step))
    else:
        count = max(math.ceil((float(stop) - float(start)) / float(step)), 0)
    values = whole_start + np.arange(count, dtype=np.int64) * whole_step
    return values.astype(dtype)


def refuse_bool_range(op: str, dtype: Any, count: int = 2) -> None:
    """torch's NotImplementedError, naming ``op``, for a range (arange, linspace, logspace) asked for in bool: its
    values would all be True but the first (numpy's arange refuses most lengths, its linspace gives all True). A
    linspace or logspace of ``count`` 0 or 1 is no range, and torch makes it (:func:`bool_of_one_step`)."""
    if count > 1 and dtype is not None and np.dtype(dtype) == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for bool (evenly spaced values need a number dtype)")


def bool_of_one_step(value: Any, count: int, dtype: Any) -> np.ndarray | None:
    """A linspace or logspace of ``count`` 0 or 1 asked for in bool, as torch's: no entry, or the one value (its
    start) converted to bool (nonzero, NaN included, is True); None for any other dtype or count."""
    if dtype is None or np.dtype(dtype) != np.bool_ or count > 1:
        return None
    number = value.data.item() if isinstance(value, Node) else value
    return np.full(count, np.asarray(number).astype(bool))


def _arange_bounds(args: tuple, start: Any, end: Any, step: Any) -> tuple:
    """arange's positional bounds: ``args`` as numpy reads them when no torch keyword is given; otherwise, as
    torch, the positional values are start, end and step in that order, the keywords fill the rest, ``end`` must
    be given and ``start``/``step`` default to 0 and 1 (TypeError naming arange for a bound given twice or a
    missing end)."""
    keywords = {"start": start, "end": end, "step": step}
    if all(value is UNSET for value in keywords.values()):
        return args
    if len(args) > 3:
        raise TypeError(f"arange: takes at most 3 bounds (start, end, step), got {len(args)} positional ones")
    bounds = dict(zip(keywords, args))
    for name, value in keywords.items():
        if value is UNSET:
            continue
        if name in bounds:
            raise TypeError(f"arange: got {name} twice, as argument {list(keywords).index(name) + 1} and {name}=")
        bounds[name] = value
    if "end" not in bounds:
        raise TypeError("arange: missing end (arange(end), arange(start, end, step) or arange(start=, end=, step=))")
    return (bounds.get("start", 0), bounds["end"], bounds.get("step", 1))


def linspace(
    start: float,
    stop: Any = UNSET,
    num: int = 50,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    end: Any = UNSET,
    steps: Any = UNSET,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """``numpy.linspace``: ``num`` evenly spaced values from start to stop, of the default floating dtype unless
    ``dtype`` is given (torch's names ``end`` and ``steps`` are aliases of ``stop`` and ``num``; torch's ``out``,
    ``layout``, ``device`` as :func:`check_factory_options`).

    An integer ``dtype`` follows torch.linspace rather than numpy (which floors): start and stop are converted to
    the dtype first (truncated toward zero, wrapped into an unsigned range), then start + i step (for the first
    half; stop - (num - 1 - i) step for the rest) is computed in float64 and truncated toward zero. A floating
    ``dtype`` takes numpy's entries (torch's may differ from them in the last bit: it computes from the nearer end
    with a fused multiply-add, which numpy has no fast way to copy), and a finite end beyond its range (1e39 for
    float32) is an :class:`ArgumentRangeError` (torch's RuntimeError) where numpy gives inf."""
    if out is not None:
        return made_into_out(
            "linspace", out, dtype, lambda d: linspace(start, stop, num, d, end=end, steps=steps, device=device)
        )
    check_factory_options("linspace", device, layout, out)
    stop = torch_alias("linspace", "stop", stop, "end", end, default=UNSET)
    num = torch_alias("linspace", "num", num, "steps", steps, default=50)
    given, num = num, size_index(num)  # (an integer Tensor of one entry counts as its int, as torch's)
    if num is None:  # numpy's and torch's TypeError
        raise TypeError(f"linspace: the number of samples (num, torch's steps) must be an integer >= 0, got {given!r}")
    if num < 0:  # torch's RuntimeError
        raise ArgumentRangeError(f"linspace: the number of samples (num, torch's steps) must be >= 0, got {num}")
    refuse_bool_range("linspace", dtype, num)
    one_step = bool_of_one_step(start, num, dtype)
    if one_step is not None:
        return Tensor._from_array(one_step, requires_grad, "linspace")
    dtype = float_dtype(dtype)
    integer = np.dtype(dtype)
    if integer.kind in "iu":  # torch's 0-d tensor ends of an integer result are numbers (no gradient to carry)
        start, stop = _number_end(start), _number_end(stop)
    if isinstance(start, Tensor) or isinstance(stop, Tensor):  # in the graph: start (1 - w) + stop w, w in [0, 1]
        return _linspace_of_tensors(start, stop, num, dtype)
    if integer.kind not in "iu":
        if integer.kind == "f" and all(
            isinstance(end, numbers.Real) or (np.ndim(end) == 0 and np.isrealobj(end)) for end in (start, stop)
        ):  # torch converts the ends it uses: a finite one beyond the dtype's range raises
            for end in (start, stop)[: min(num, 2)]:
                fitting_fill_value("linspace", end, integer)
        return Tensor._from_array(_float_linspace(start, stop, num, dtype), requires_grad, "linspace")
    count = np.linspace(0.0, 0.0, num).size  # numpy's checks of num (an integer, not negative)
    if count == 0:  # nothing converted, as torch (which checks the ends it uses only)
        return Tensor._from_array(np.zeros(0, dtype=integer), requires_grad, "linspace")
    first = _integer_endpoint(start, integer)
    if count == 1:
        return Tensor._from_array(np.full(1, first, dtype=integer), requires_grad, "linspace")
    last = _integer_endpoint(stop, integer)
    step = (float(last) - float(first)) / max(count - 1, 1)
    index = np.arange(count)
    values = np.where(index < count // 2, float(first) + step * index, float(last) - step * (count - 1 - index))
    return Tensor._from_array(np.trunc(values).astype(integer), requires_grad, "linspace")


def _float_linspace(start: Any, stop: Any, num: int, dtype: Any) -> np.ndarray:
    """numpy's linspace of floating ``dtype`` computed without its warnings, with its first entry ``start`` itself: numpy's
    is start + 0 step, NaN where an end is infinite or NaN (the step then is), so ``linspace(0, inf, 3)`` starts at 0
    and a single step is ``[start]``, as torch's (numpy's last entry is ``stop`` itself already)."""
    values = quietly(np.linspace, start, stop, num, dtype=dtype)
    if num:
        values[0] = start
    return values


def _number_end(end: Any) -> Any:
    """A linspace end of an integer result: a 0-d Tensor's number, as torch reads it; any other end as it is (a
    Tensor of more axes is then refused as an end in the graph of an integer result)."""
    if isinstance(end, Tensor) and end.ndim == 0:
        return end.data.item()
    return end


def _linspace_of_tensors(start: Any, stop: Any, num: int, dtype: Any) -> Tensor:
    """linspace between Tensor ends, recorded: entry i is start (1 - w_i) + stop w_i, w_i = i / (num - 1), so the
    ends are exact (as numpy's), with a new first axis for array ends; d/dstart = 1 - w_i, d/dstop = w_i."""
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"linspace: ends in the graph need a floating dtype, got {np.dtype(dtype)}")
    start, stop = (_operand(end, np.empty(0, dtype), "linspace").astype(dtype) for end in (start, stop))
    shape = np.broadcast_shapes(start.shape, stop.shape)
    weights = np.linspace(0.0, 1.0, num).astype(dtype).reshape((-1,) + (1,) * len(shape))
    return start * (1 - weights) + stop * weights


def _integer_endpoint(value: Any, dtype: np.dtype, op: str = "linspace") -> int:
    """``value`` converted to the integer ``dtype`` as torch converts a Scalar: a float truncated toward zero
    (:class:`ArgumentRangeError`, torch's RuntimeError, outside the dtype's range), an integer wrapped modulo 2^bits
    into an unsigned dtype if negative (the same error outside -max..max there, outside the range for a signed
    dtype)."""
    info = np.iinfo(dtype)
    if isinstance(value, (int, np.integer)):
        whole = int(value)
        fits = (-info.max if info.min == 0 else info.min) <= whole <= info.max
    else:
        number = float(value)
        fits = info.min <= number <= info.max  # False at NaN
        whole = int(number) if fits else 0
    if not fits:
        raise ArgumentRangeError(f"{op}: {value!r} cannot be converted to {dtype} without overflow")
    return whole % (1 << info.bits) if info.min == 0 else whole


def empty(
    *shape: Shape,
    size: Any = UNSET,
    dtype: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """torch.empty/numpy.empty: a tensor whose values are not to be read before they are set (zeros here, so a
    computation that reads them anyway is reproducible), of the default floating dtype unless ``dtype`` is given;
    the shape as in :func:`zeros` (``size=`` too); torch's other keywords as :func:`check_factory_options`."""
    if out is not None:
        return made_into_out("empty", out, dtype, lambda d: empty(*shape, size=size, dtype=d, device=device))
    check_factory_options("empty", device, layout, out, pin_memory, memory_format)
    return Tensor._from_array(
        np.zeros(factory_shape(shape, "empty", size), dtype=float_dtype(dtype)), requires_grad, "empty"
    )


def eye(
    n: int,
    m: int | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """Identity matrix (n x m), of the default floating dtype unless ``dtype`` is given; torch's ``out``,
    ``layout``, ``device`` as :func:`check_factory_options`."""
    if out is not None:
        return made_into_out("eye", out, dtype, lambda d: eye(n, m, d, layout=layout, device=device))
    check_factory_options("eye", device, layout, out)
    factory_shape((n,) if m is None else (n, m), "eye")
    return Tensor._from_array(np.eye(n, m, dtype=float_dtype(dtype)), requires_grad, "eye")


def zeros_like(
    x: TensorLike,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Zeros with the shape (and dtype) of ``x``; torch's ``layout``, ``device``, ``memory_format`` as
    :func:`check_factory_options`."""
    check_factory_options("zeros_like", device, layout, memory_format=memory_format)
    return Tensor._from_array(np.zeros_like(np.asarray(x), dtype=dtype), requires_grad, "zeros_like")


def ones_like(
    x: TensorLike,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Ones with the shape (and dtype) of ``x``; torch's ``layout``, ``device``, ``memory_format`` as
    :func:`check_factory_options`."""
    check_factory_options("ones_like", device, layout, memory_format=memory_format)
    return Tensor._from_array(np.ones_like(np.asarray(x), dtype=dtype), requires_grad, "ones_like")


def full_like(
    x: TensorLike,
    fill_value: float,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """``fill_value`` with the shape (and dtype) of ``x``; torch's ``layout``, ``device``, ``memory_format`` as
    :func:`check_factory_options`."""
    check_factory_options("full_like", device, layout, memory_format=memory_format)
    _check_fill_value("full_like", fill_value)
    array = np.asarray(x)
    fill_value = fitting_fill_value("full_like", fill_value, array.dtype if dtype is None else np.dtype(dtype))
    return Tensor._from_array(np.full_like(array, fill_value, dtype=dtype), requires_grad, "full_like")


def _check_fill_value(op: str, value: Any) -> None:
    """TypeError naming ``op`` unless ``value`` is a number (a one-element tensor included)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (numbers.Number, np.generic, Node, np.ndarray)):
        raise TypeError(f"{op}: fill_value must be a number, got {value!r}")


def randn_like(
    x: TensorLike,
    rng: RandomSource = None,
    requires_grad: bool = False,
    *,
    dtype: Any = None,
    generator: RandomSource = None,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Standard normal samples with the shape of ``x``, and its dtype unless ``dtype`` is given (torch's);
    ``generator`` as in :func:`randn`, torch's other keywords as :func:`check_factory_options`."""
    check_factory_options("randn_like", device, layout, memory_format=memory_format)
    array = np.asarray(x)
    sampled = sample_dtype("randn_like", array.dtype if dtype is None else dtype)
    data = random_source("randn_like", rng, generator).standard_normal(array.shape)
    return Tensor._from_array(data.astype(sampled, copy=False), requires_grad, "randn_like")


def rand_like(
    x: TensorLike,
    rng: RandomSource = None,
    requires_grad: bool = False,
    *,
    dtype: Any = None,
    generator: RandomSource = None,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Uniform [0, 1) samples with the shape of ``x``, and its dtype unless ``dtype`` is given (torch's);
    ``generator`` as in :func:`rand`, torch's other keywords as :func:`check_factory_options`."""
    check_factory_options("rand_like", device, layout, memory_format=memory_format)
    array = np.asarray(x)
    sampled = sample_dtype("rand_like", array.dtype if dtype is None else dtype)
    data = unit_uniform(random_source("rand_like", rng, generator), array.shape, sampled)
    return Tensor._from_array(data, requires_grad, "rand_like")


def _tensors(items: Sequence[TensorLike], op: str) -> tuple[Tensor, ...]:
    """The tensors to join: a sequence (or any iterable, a generator too) of tensors and array-likes."""
    if not isinstance(items, (Sequence, Tensor, np.ndarray)):  # a tensor or an array: its rows, as numpy
        try:
            items = list(items)
        except TypeError:
            raise TypeError(f"{op}: expected a sequence of tensors, got {type(items).__name__}") from None
    if len(items) == 0:  # numpy's ValueError; torch's stack, hstack and vstack raise a RuntimeError (cat a ValueError)
        raise ShapeError(f"{op}: need at least one tensor, got an empty {type(items).__name__}")
    like = next((t._data for t in items if isinstance(t, Tensor)), np.asarray(items[0]))
    parts = tuple(_operand(t, like, op) for t in items)
    dtypes = {part._data.dtype for part in parts}
    if len(dtypes) == 1:
        return parts
    target = category_result_type(dtypes)  # torch's: float32 beside int64 stays float32
    return tuple(part.astype(target, copy=False) for part in parts)


def concatenate(tensors: Sequence[TensorLike], axis: int = 0, *, dim: Any = UNSET, out: Tensor | None = None) -> Tensor:
    """Join tensors along an existing axis (alias ``cat``; torch's ``dim`` is an alias of ``axis``); ``axis=None``
    joins them flattened, as numpy's. ``out=`` receives the result as torch's (:mod:`autograd.out_argument`)."""
    if dim is not UNSET:
        axis = torch_dim("concatenate", axis, dim, default=0)
    _refuse_tensor_axis("concatenate", axis)
    result = joined(tensors, axis, "concatenate")
    return result if out is None else written_to_out("cat", result, out, inputs=tuple(tensors))


def _refuse_tensor_axis(op: str, axis: Any) -> None:
    """torch's TypeError for a Tensor where the axis goes: the usual slip is ``stack(a, b)`` for ``stack([a, b])``,
    which read b as the axis (a one-element b silently stacked a's rows)."""
    if isinstance(axis, Node):
        raise TypeError(
            f"{op}(): argument 'dim' must be int, not {type(axis).__name__} (the tensors to join go in one list or "
            f"tuple: {op}([a, b]))"
        )


def joined(tensors: Sequence[TensorLike], axis: int | None, op: str) -> Tensor:
    """:func:`concatenate` of ``tensors`` along ``axis`` for the join ``op`` (``hstack``, ``vstack``, ...), which its
    errors name."""
    parts = _tensors(tensors, op)
    if axis is None:
        parts, axis = tuple(part.reshape(-1) for part in parts), 0
    legacy = ()
    if axis is not None and any(part.shape == (0,) for part in parts) and any(part.ndim != 1 for part in parts):
        legacy = tuple(part for part in parts if part.shape == (0,))  # torch's legacy empty 1-D tensors: skipped
        parts = tuple(part for part in parts if part.shape != (0,))
    scalar = next((i for i, part in enumerate(parts) if part.ndim == 0), None)
    if scalar is not None:  # torch's first check, before the axis's range
        raise ShapeError(f"{op}: zero-dimensional tensors cannot be concatenated (at position {scalar})")
    ndim = parts[0].ndim
    (axis,) = normalize_axes(axis, ndim, op)
    if legacy:  # ... but kept in the graph, as empty blocks along the axis: each gets its (empty) gradient, as torch's
        empty_block = parts[0].shape[:axis] + (0,) + parts[0].shape[axis + 1 :]
        parts = parts + tuple(part.reshape(empty_block) for part in legacy)
    try:
        data = np.concatenate([p._data for p in parts], axis=axis)
    except ValueError:
        raise ShapeError(f"{op}: shapes {[p.shape for p in parts]} do not match outside axis {axis}") from None
    return Tensor._from_op(data, ar.concatenate, parts, {"axis": axis})


def cat(tensors: Sequence[TensorLike], axis: int = 0, *, dim: Any = UNSET, out: Tensor | None = None) -> Tensor:
    """torch.cat: :func:`concatenate` of a sequence of tensors. One Tensor in place of the sequence is torch's
    TypeError (numpy's ``concatenate``, which this is otherwise, reads it as the sequence of its rows)."""
    if isinstance(tensors, Node):
        raise TypeError(f"cat(): argument 'tensors' must be a tuple or list of Tensors, not {type(tensors).__name__}")
    return concatenate(tensors, axis, dim=dim, out=out)


def stack(tensors: Sequence[TensorLike], axis: int = 0, *, dim: Any = UNSET, out: Tensor | None = None) -> Tensor:
    """Join same-shaped tensors along a new axis (torch's ``dim`` is an alias of ``axis``); ``out=`` receives the
    result as torch's (:mod:`autograd.out_argument`)."""
    if dim is not UNSET:
        axis = torch_dim("stack", axis, dim, default=0)
    _refuse_tensor_axis("stack", axis)
    parts = _tensors(tensors, "stack")
    (axis,) = normalize_axes(axis, parts[0].ndim + 1, "stack")
    try:
        data = np.stack([p._data for p in parts], axis=axis)
    except ValueError:
        raise ShapeError(f"stack: all tensors must have the same shape, got {[p.shape for p in parts]}") from None
    result = Tensor._from_op(data, ar.stack, parts, {"axis": axis})
    return result if out is None else written_to_out("stack", result, out)


def split(
    x: Tensor,
    indices_or_sections: int | Sequence[int] = UNSET,
    axis: int = 0,
    *,
    split_size_or_sections: Any = UNSET,
    dim: Any = UNSET,
) -> list[Tensor] | tuple[Tensor, ...]:
    """Split into pieces along ``axis`` as ``numpy.split`` does (each piece is a slice).

    torch's keywords choose torch's meaning: ``split(x, split_size_or_sections=[3, 2])`` or ``split(x, 2, dim=0)``
    is ``torch.split``, pieces of that many entries (the last one shorter) or of the listed sizes, as the method
    ``x.split``; positional ``split(x, [3, 2])`` stays numpy's split indices.
    """
    if split_size_or_sections is not UNSET or dim is not UNSET:
        if (split_size_or_sections is UNSET) == (indices_or_sections is UNSET):
            raise TypeError(
                "split: give the sizes once, as split_size_or_sections= (torch's) or positionally, "
                f"got {indices_or_sections!r} and split_size_or_sections={split_size_or_sections!r}"
            )
        sizes = indices_or_sections if split_size_or_sections is UNSET else split_size_or_sections
        return x.split(sizes, axis if dim is UNSET else torch_dim("split", axis, dim, default=0))
    if indices_or_sections is UNSET:
        raise TypeError("split: missing indices_or_sections (numpy's) or split_size_or_sections= (torch's)")
    axis = single_axis(axis, x.ndim, "split")
    length = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if indices_or_sections <= 0 or length % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of length {length} does not divide into {indices_or_sections} equal parts"
            )
        step = length // indices_or_sections
        bounds = list(range(0, length + 1, step))
    else:
        bounds = [0, *indices_or_sections, length]
    lead = (slice(None),) * axis
    return [x[lead + (slice(start, stop),)] for start, stop in zip(bounds[:-1], bounds[1:])]


#: torch.where, with torch's ``out=`` (of the result's dtype, as torch's: see :func:`autograd.tensor.where`)
where = takes_out("where")(_where_values)


def maximum(x: TensorLike, y: TensorLike, *, out: Any = None) -> Tensor:
    """Elementwise maximum; ties split the gradient evenly. Of a Value (and a Value or a number): a Value. torch's
    ``out=`` receives the result (:mod:`autograd.out_argument`)."""
    scalar = _scalar_node(x, y)
    if scalar is not None:
        return scalar.maximum(y if scalar is x else x)
    result = _as_tensor(x, y).maximum(y)
    return result if out is None else written_to_out("maximum", result, out)


def minimum(x: TensorLike, y: TensorLike, *, out: Any = None) -> Tensor:
    """Elementwise minimum; ties split the gradient evenly. Of a Value (and a Value or a number): a Value. torch's
    ``out=`` receives the result (:mod:`autograd.out_argument`)."""
    scalar = _scalar_node(x, y)
    if scalar is not None:
        return scalar.minimum(y if scalar is x else x)
    result = _as_tensor(x, y).minimum(y)
    return result if out is None else written_to_out("minimum", result, out)


def _scalar_node(x: Any, y: Any) -> Any:
    """The operand that is a scalar node (a Value: a Node that is no Tensor) when neither is a Tensor, else None
    (the two-operand gates are symmetric, so either operand may run them)."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return None
    return x if isinstance(x, Node) else y if isinstance(y, Node) else None


def _as_tensor(x: TensorLike, other: TensorLike) -> Tensor:
    return _operand(x, other._data if isinstance(other, Tensor) else np.asarray(x))


def pad(
    x: TensorLike,
    pad_width: Any,
    mode: Any = "constant",
    *,
    constant_values: float = 0,
    stat_length: Any = None,
    end_values: Any = None,
) -> Tensor:
    """numpy.pad: ``mode`` "constant" (with ``constant_values``), "empty", "edge", "reflect", "symmetric", "wrap",
    "maximum", "minimum", "mean", "median" (with ``stat_length``) or "linear_ramp" (with ``end_values``); see
    Tensor.pad. A number in ``mode``'s place is the constant (this function's older order)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    if not isinstance(mode, str):
        mode, constant_values = "constant", mode
    return x.pad(pad_width, constant_values, mode=mode, stat_length=stat_length, end_values=end_values)


def matmul(
    x: TensorLike = UNSET,
    y: TensorLike = UNSET,
    *,
    input: TensorLike = UNSET,  # noqa: A002
    other: TensorLike = UNSET,
    out: Tensor | None = None,
) -> Tensor:
    """Matrix product (numpy semantics); torch's keywords ``input=`` and ``other=`` name ``x`` and ``y``, and
    ``out=`` receives the product as torch's (:mod:`autograd.out_argument`), in the product's own dtype only."""
    x = torch_alias("matmul", "x", x, "input", input, default=UNSET)
    y = torch_alias("matmul", "y", y, "other", other, default=UNSET)
    result = _as_tensor(x, y).matmul(y)
    return result if out is None else written_to_out("matmul", result, out, same_dtype=True)


def linear(
    x: TensorLike, weight: TensorLike, bias: TensorLike | None = None, *, activation: str | None = None
) -> Tensor:
    """``x @ weight.T + bias`` over the last axis of ``x``, as one node (``torch.nn.functional.linear``).

    ``weight`` is (out_features, in_features), ``bias`` (out_features,) or None;
    ``x`` is (..., in_features). d/dx = g @ W, d/dW = g^T x and d/db = sum(g) over
    the leading axes.

    ``activation="relu"`` gives relu(x @ weight.T + bias) as one ``linear_relu`` node (the values and
    gradients of linear then relu: the rules above with g zeroed where the output is 0), as
    ``Value.linear`` does for a neuron; ``nn.Sequential`` runs a ``Linear`` followed by a ``ReLU`` so.
    """
    if activation is not None and activation != "relu":
        raise ValueError(f"linear: activation must be None or 'relu', got {activation!r}")
    if not isinstance(weight, Tensor):
        try:
            weight = Tensor(weight)
        except TypeError as error:  # a string, a dict, None: named, as torch's TypeError
            raise TypeError(f"linear: weight must be a Tensor of real numbers, got {type(weight).__name__}") from error
    w = weight._data
    x = _operand(x, w, "linear")
    x_shape, w_shape = x._data.shape, w.shape
    if len(w_shape) == 1 or (bias is not None and len(w_shape) == 2 and np.shape(data_of(bias)) != w_shape[:1]):
        return _composed_linear(x, weight, bias, activation)
    if len(w_shape) != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features) or 1-D, got shape {w_shape}")
    if not x_shape or x_shape[-1] != w_shape[1]:
        raise ShapeError(
            f"linear: input of shape {x_shape} does not match weight of shape {w_shape} "
            f"(the input's last axis must have size {w_shape[1]})"
        )
    # float16 runs in float32, the product and the bias, and is rounded once (torch's half kernels)
    half = x._data.dtype in COMPUTE_DTYPE or w.dtype in COMPUTE_DTYPE
    data = (
        quietly(np.matmul, computing_data(x._data), computing_data(w).T) if half else quietly(np.matmul, x._data, w.T)
    )
    if bias is None:
        parents: tuple[Tensor, ...] = (x, weight)
    else:
        bias = _operand(bias, w, "linear")
        b = bias._data
        if b.shape != (w_shape[0],):
            raise ShapeError(f"linear: bias must have shape ({w_shape[0]},), got {b.shape}")
        if half:
            b = computing_data(b)
        if data.dtype == b.dtype or data.dtype == np.result_type(data, b):
            np.add(data, b, out=data)
        else:
            data = data + b
        parents = (x, weight, bias)
    if half:
        data = rounded_to(data, np.result_type(*(parent._data for parent in parents)))
    if activation is None:
        return Tensor._from_op(data, ar.linear, parents)
    np.maximum(data, 0, out=data)  # the ReLU, on the product's own array
    return Tensor._from_op(data, ar.linear_relu, parents)


def plain_linear(x: Any, weight: Tensor, bias: Tensor | None, activation: str | None = None) -> Tensor | None:
    """:func:`linear` for the operands a layer usually gets, without its checks, or None for any other (the caller
    then takes the checked way, which also gives the errors): ``x`` a Tensor or an ndarray of the weight's float
    dtype whose last axis is in_features, ``weight`` a Tensor of a 2-D array, ``bias`` None or a Tensor of an
    (out_features,) array of that dtype; ``activation`` None or "relu". ``nn.Linear`` calls it first."""
    x_node = x if isinstance(x, Tensor) else None
    a = x._data if x_node is not None else x
    w = weight._data
    if type(a) is not _ndarray or type(w) is not _ndarray or w.ndim != 2 or a.dtype != w.dtype or w.dtype.kind != "f":
        return None
    if not a.ndim or a.shape[-1] != w.shape[1]:
        return None
    b = None
    if bias is not None:
        b = bias._data if isinstance(bias, Tensor) else None
        if type(b) is not _ndarray or b.dtype != w.dtype or b.shape != w.shape[:1]:
            return None
    with quiet():  # an overflowing product gives inf, without numpy's warning
        if w.dtype in COMPUTE_DTYPE:  # float16 in float32, rounded once, as linear
            data = np.matmul(computing_data(a), computing_data(w).T)
            if b is not None:
                np.add(data, computing_data(b), out=data)
            data = rounded_to(data, w.dtype)
        else:
            data = np.matmul(a, w.T)
            if b is not None:
                np.add(data, b, out=data)
        if activation is not None:
            np.maximum(data, 0, out=data)
    if x_node is None:
        x_node = Tensor._make(a)  # shares the array, as from_numpy
    parents = (x_node, weight) if b is None else (x_node, weight, bias)
    return Tensor._from_op(data, ar.linear if activation is None else ar.linear_relu, parents)


def _composed_linear(x: Tensor, weight: Tensor, bias: Any, activation: str | None) -> Tensor:
    """torch's other forms of ``linear``, as ``x @ weight.T + bias`` of recorded ops: a 1-D weight (one output
    feature, the axis dropped: x @ w) or a bias that broadcasts against the output instead of being (out_features,)."""
    w_shape = weight._data.shape
    if not x._data.shape or x._data.shape[-1] != w_shape[-1]:
        raise ShapeError(
            f"linear: input of shape {x.data.shape} does not match weight of shape {w_shape} "
            f"(the input's last axis must have size {w_shape[-1]})"
        )
    out = x @ (weight if len(w_shape) == 1 else weight.T)
    if bias is not None:
        bias = _operand(bias, weight._data, "linear")
        if (
            broadcast_shape(bias.shape, out.shape) != out.shape
        ):  # torch's rule: the bias expands to the output's shape (it may not enlarge it)
            raise ShapeError(f"linear: bias of shape {bias.shape} does not expand to the output's shape {out.shape}")
        out = out + bias
    return out if activation is None else out.relu()


def constant(array: np.ndarray) -> Tensor:
    """Wrap an ndarray as a constant Tensor without copying."""
    return _wrap(np.asarray(array))


def softmax_cross_entropy(
    logits: TensorLike, target: Any, axis: int = -1, *, reduction: str = "none", validate_target: bool = True
) -> Tensor:
    """Per-sample cross-entropy -log_softmax(logits)[target] along ``axis``, as one node.

    ``target`` holds integer class indices in [0, C): the logits' shape without
    ``axis``. The value is logsumexp(x) - x_t, computed with the row maximum
    subtracted (no overflow); the gradient is softmax(x) - onehot(t), computed from
    the forward pass's softmax. This is the fused form of
    ``-logits.log_softmax(axis)[..., target, ...]`` (``nn.functional.cross_entropy``
    uses it); out-of-range targets are an error.

    ``reduction="mean"`` or ``"sum"`` reduces over the samples inside the same node
    (the default ``"none"`` keeps one value per sample); a mean needs at least one sample.

    ``validate_target=False`` skips the checks of ``target`` for a caller that has
    already made it an integer ndarray of the right shape and range (as
    ``nn.functional.cross_entropy`` does); anything else then gives wrong results.
    """
    logits = logits if isinstance(logits, Tensor) else Tensor(logits)
    if type(axis) is not int or not 0 <= axis < logits.ndim:  # an axis in range needs no normalising
        axis = single_axis(axis, logits.ndim, "softmax_cross_entropy")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"softmax_cross_entropy: reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    if not validate_target:
        return _softmax_cross_entropy(logits, target, axis, reduction)
    target = np.asarray(target._data if isinstance(target, Node) else target)
    classes = logits.shape[axis]
    expected = logits.shape[:axis] + logits.shape[axis + 1 :]
    if target.shape != expected or target.dtype.kind not in "iu":
        raise ValueError(
            f"softmax_cross_entropy: target must be integer class indices of shape {expected} for logits of "
            f"shape {logits.shape} (class axis {axis}); got {target.dtype} of shape {target.shape}"
        )
    check_class_range(target, classes, "softmax_cross_entropy")
    return _softmax_cross_entropy(logits, target, axis, reduction)


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def check_class_range(indices: np.ndarray, classes: int, op: str, error: type[ValueError] = ClassIndexError) -> None:
    """Raise an ``error`` naming ``op``, the bad values and ``classes`` unless every entry of the
    integer array ``indices`` (any signed or unsigned width) is a class index in [0, classes).

    The default :class:`ClassIndexError` is a ValueError and the IndexError of torch's cross-entropy; a loss for
    which torch raises another class passes ``ValueError``."""
    if not in_class_range(indices, classes):
        shown = np.unique(indices[(indices < 0) | (indices >= classes)])[:5].tolist()
        raise error(
            f"{op}: class indices must lie in [0, {classes - 1}] for {classes} classes, got {shown} "
            f"(target dtype {indices.dtype})"
        )


def check_range_bounds(op: str, start: Any, end: Any, step: Any) -> None:
    """Refuse, as torch's ranges do (an :class:`ArgumentRangeError`, torch's RuntimeError), a zero ``step``, a bound
    that is not finite (numpy: "cannot compute length") or a ``step`` pointing away from ``end`` (numpy gives an empty
    array there): ``arange``'s and the inclusive ``range``'s checks of their real-number bounds."""
    if step == 0:
        raise ArgumentRangeError(f"{op}: step must be nonzero")
    if not all(np.isfinite(bound) for bound in (start, end, step)):
        raise ArgumentRangeError(f"{op}: unsupported range: start {start}, end {end}, step {step} (not finite)")
    if (end - start) * step < 0:
        raise ArgumentRangeError(
            f"{op}: upper bound and lower bound inconsistent with step sign (start {start}, end {end}, step {step})"
        )


def in_class_range(indices: np.ndarray, classes: int) -> bool:
    """Whether every entry of the integer array ``indices`` lies in [0, classes), in one pass: seen as
    unsigned (b bits), a negative index becomes 2**b - |i| >= 2**(b-1), which is >= classes unless
    every non-negative value of the signed dtype is a class (then only the minimum is checked)."""
    if not indices.size:
        return True
    indices = in_native_byte_order(indices)  # the unsigned view below reads bytes in the machine's order
    if indices.dtype.kind == "u":
        return bool(indices.max() < classes)
    if classes > (1 << (8 * indices.dtype.itemsize - 1)) - 1:  # the signed dtype's maximum
        return bool(indices.min() >= 0)
    return bool(indices.view(_UNSIGNED[indices.dtype.itemsize]).max() < classes)


@functools.lru_cache(maxsize=32)
def _row_starts(rows: int, columns: int) -> np.ndarray:
    """The flat C-order offsets of the first entry of each row of a (rows, columns) array, made once
    per shape (read-only): a batch's target offsets are these plus the targets."""
    starts = np.arange(0, rows * columns, columns, dtype=np.intp)
    starts.flags.writeable = False
    return starts


def _target_offsets(shape: tuple[int, ...], target: np.ndarray, axis: int) -> np.ndarray:
    """The flat C-order offsets, in an array of ``target``'s shape, of the entries that the class indices
    ``target`` pick along ``axis`` (non-negative) of an array of ``shape``."""
    target = target.astype(np.intp, copy=False)  # an unsigned target would make the offsets float
    if target.ndim == 1:  # (N, C) with axis 1, or (C, N) with axis 0
        return _row_starts(shape[0], shape[1]) + target if axis == 1 else target * shape[1] + np.arange(shape[1])
    position = list(np.indices(target.shape, sparse=True))
    position.insert(axis, target)
    return np.ravel_multi_index(tuple(position), shape)


def negative_log_likelihood(log_probs: Tensor, target: np.ndarray, axis: int, reduction: str) -> Tensor:
    """-log_probs[target] along ``axis`` per sample, or their mean or sum (``reduction``), as one node: the
    unweighted nll_loss of ``nn.functional``, which has checked everything (``target`` integer class indices in
    range, of the input's shape without the non-negative ``axis``, at least one; ``log_probs`` float32/float64).

    One gather by flat offsets; d/dlog_probs = -g at the picked entries, 0 elsewhere (one scatter)."""
    index = _target_offsets(log_probs._data.shape, target, axis)
    data = np.asarray(-log_probs._data.reshape(-1)[index])  # (one unbatched sample: a 0-d array, not a scalar)
    with quiet():  # terms of inf and -inf (picked log-probabilities of -inf and inf) sum to IEEE nan, as torch's
        if reduction == "mean":
            data = np.asarray(np.add.reduce(data, axis=None) / data.size)
        elif reduction == "sum":
            data = np.asarray(np.add.reduce(data, axis=None))
    return Tensor._from_op(data, ar.nll_loss, (log_probs,), {"index": index, "reduction": reduction})


def logistic_loss_terms(logits: Tensor, target: Tensor) -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)) per element, as one node: binary_cross_entropy_with_logits'
    terms without pos_weight, for float32/float64 logits x and a target y of their shape and dtype
    (``nn.functional`` has checked it), y a constant or differentiated.

    c x + softplus(-|x|), c = 1[x >= 0] - y (see nn.functional.losses._logistic_terms), with c x = 0 where x is
    infinite and c is 0; softplus(-|x|) = log1p(e^-|x|) (its max(-|x|, 0) is 0). d/dy = -x (0 where c x is
    taken as 0). The derivative d/dx = c - s sigmoid(-|x|) (s = +1 where x >= 0, else -1) = sigmoid(x) - y is
    made here from the same e^-|x|, as |sigmoid(-|x|) - 1[x >= 0]| - y, when the logits need a gradient: the
    rule multiplies it by g (on nodes it records (sigmoid(x) - y) g)."""
    x, y, shape = logits._data, target._data, logits._data.shape
    if not x.ndim:  # (numpy's ufuncs give a 0-d array's result as a scalar, which out= cannot take)
        x, y = x.reshape(1), y.reshape(1)
    positive = x >= 0
    with quiet():  # c x is 0 inf = nan where x is infinite (fixed below) and nan where x is
        exponentials = np.abs(x)
        np.negative(exponentials, out=exponentials)
        np.exp(exponentials, out=exponentials)  # e^-|x|, in (0, 1]: no overflow
        coefficient = np.subtract(positive, y, dtype=x.dtype)
        data = np.multiply(x, coefficient)
        infinite = np.isinf(x)
        if infinite.any():
            data[infinite & (coefficient == 0)] = 0
        data += np.log1p(exponentials)
        slope = None
        if logits.requires_grad and is_grad_enabled():  # (c's array is free: the denominator goes there)
            sigmoids = np.divide(exponentials, np.add(exponentials, 1, out=coefficient), out=exponentials)
            np.subtract(sigmoids, positive, out=sigmoids)  # sigmoid(-|x|) - 1 = -sigmoid(x) where x >= 0
            np.abs(sigmoids, out=sigmoids)  # sigmoid(x) on both sides (a select with where= costs 30 passes)
            slope = np.subtract(sigmoids, y, out=sigmoids).reshape(shape)
    return Tensor._from_op(data.reshape(shape), ar.logistic_loss, (logits, target), {"slope": slope})


def _softmax_cross_entropy(logits: Tensor, target: np.ndarray, axis: int, reduction: str) -> Tensor:
    """:func:`softmax_cross_entropy` on arguments already checked (a non-negative ``axis``).

    The target entries are addressed by their flat C-order offsets in the logits (one index
    array: one gather here, one scatter in the backward pass)."""
    x = logits._data
    index = _target_offsets(x.shape, target, axis)
    needs_grad = logits.requires_grad and is_grad_enabled()
    with quiet():  # softmax_parts' guards; empty or non-finite rows give IEEE -inf/nan, as numpy
        _, shifted, exponentials, total = softmax_parts(x, (axis,))
        data = np.log(total).squeeze(axis) - shifted.reshape(-1)[index]
        # kept for the backward pass; softmax_parts made ``exponentials`` for this call, so divide in place
        probabilities = np.divide(exponentials, total, out=exponentials) if needs_grad else None
        if reduction == "mean":
            data = np.asarray(np.add.reduce(data, axis=None) / data.size)
        elif reduction == "sum":
            data = np.asarray(np.add.reduce(data, axis=None))
    attrs = {"index": index, "axis": axis, "probabilities": probabilities, "reduction": reduction}
    return Tensor._from_op(data, ar.softmax_cross_entropy, (logits,), attrs)
