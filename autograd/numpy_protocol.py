"""numpy's functions called on nodes stay in the graph: ``np.exp(x)``, ``np.sum(x, axis=0)``,
``np.concatenate([x, y])``, ``np.maximum(x, 0)``, ``arr * x``.

numpy hands a call with a Tensor (or Value) argument to the node's ``__array_ufunc__`` (ufuncs:
``np.exp``, ``np.add``, ...; also ``ndarray <op> node``) or ``__array_function__`` (the other
functions: ``np.sum``, ``np.concatenate``, ...). Both dispatch here to the library's own ops, so
the result is a node with the op's derivative, exactly as the method or operator would give:

* a ufunc whose name is an operator (``add``, ``multiply``, ``power``, ``greater``, ...) calls the
  operator on the nodes (``np.add(arr, x)`` is ``arr + x``), any other ufunc the node's method of
  that name (``np.arctan2(arr, x)`` is ``arctan2`` with ``arr`` as a constant first input);
  ``np.add.reduce`` / ``multiply`` / ``maximum`` / ``minimum`` reduce as ``np.sum`` / ``prod`` /
  ``max`` / ``min`` do here (their ``dtype=``, ``initial=``, ``where=`` too), ``np.add.accumulate`` /
  ``np.multiply.accumulate`` run as ``cumsum`` / ``cumprod``; ``out=`` writes the plain result into an
  ndarray (no graph goes into an ndarray), as ``arr += x`` does in numpy;
* a numpy function of the table (reductions, ``clip``, ``reshape``, ``transpose``, ``concatenate``,
  ``stack``, ``where``, the contractions, shape, cumulative, sorting and ``linalg`` functions: see
  ``autograd/__init__.py``) calls the library's function of the same name, as does a generalized ufunc of
  the table (``np.vecdot``); numpy 2's other spellings are in :mod:`autograd.numpy_aliases` and the
  functions built from the library's ops (``average``, ``nanmax``, ``insert``, ``convolve``, ...) in
  :mod:`autograd.numpy_composites` and :mod:`autograd.numpy_more` (``select``, ``interp``, ``linspace``, ...);
* ``np.conj`` / ``np.conjugate`` return a node as it is (every node is real); a ufunc the library has no
  derivative for raises a TypeError when an input requires grad (and computes the plain result otherwise), as
  do a ufunc's methods other than the reductions and accumulations above (``np.add.outer``,
  ``np.maximum.accumulate(x, axis=1)``, ``np.add.reduceat``: on constants, with numpy's options);
  any other numpy function reads the nodes' data: its result is a constant ndarray (``np.allclose``,
  ``np.argmax``, ``np.shape``, ...). When that result holds floating-point numbers while an argument requires
  grad (and grad mode is on), one UserWarning names the function: the gradient through it is lost, so call it
  on ``x.detach()`` or ``x.data`` to say a constant is meant. Integer and boolean results never warn, nor does
  ``np.zeros_like(x)`` / ``ones_like`` / ``empty_like`` / ``full_like(x, 2.0)``, which read only ``x``'s shape.
  It reads read-only views, so a numpy function that writes into its argument (``np.copyto``,
  ``np.fill_diagonal``, ``np.put``) raises instead of changing a node behind the graph's back, as does a
  ufunc's ``at`` into a node (``np.add.at(x, i, v)``, which numpy runs even on a read-only view);
* numpy's functions that the library spells as torch does (``median``, ``quantile``, ``cov``,
  ``nansum``, ``cross``, ...) take numpy's arguments through the adapters at the end of this module;
* an option given at numpy's default value where the library's function has no such option (``out=None``,
  ``where=True``, ``mode="raise"``, ...) is numpy's call without it (:func:`without_numpy_defaults`).
"""

from __future__ import annotations

import builtins
import functools
import inspect
import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import shared_math
from .broadcasting import normalize_axes
from .core import Node
from .default_dtype import get_default_dtype
from .deprecated_overloads import user_stacklevel
from .grad_mode import is_grad_enabled
from .node_sequences import holds_node_requiring_grad

__all__ = [
    "array_function",
    "array_ufunc",
    "register_numpy_functions",
    "register_value_numpy_functions",
    "value_array_function",
]

#: numpy's operator ufuncs -> (the node's method when a node comes first, the reflected one when it comes second)
_OPERATORS: dict[str, tuple[str, str]] = {
    "add": ("__add__", "__radd__"),
    "subtract": ("__sub__", "__rsub__"),
    "multiply": ("__mul__", "__rmul__"),
    "true_divide": ("__truediv__", "__rtruediv__"),
    "divide": ("__truediv__", "__rtruediv__"),
    "floor_divide": ("__floordiv__", "__rfloordiv__"),
    "remainder": ("__mod__", "__rmod__"),
    "mod": ("__mod__", "__rmod__"),
    "power": ("_numpy_power", "__rpow__"),  # (a Tensor's ** takes torch's rsqrt for the exponent -0.5)
    "matmul": ("__matmul__", "__rmatmul__"),
    "greater": ("__gt__", "__lt__"),
    "greater_equal": ("__ge__", "__le__"),
    "less": ("__lt__", "__gt__"),
    "less_equal": ("__le__", "__ge__"),
    "equal": ("__eq__", "__eq__"),
    "not_equal": ("__ne__", "__ne__"),
    "bitwise_and": ("__and__", "__rand__"),
    "bitwise_or": ("__or__", "__ror__"),
    "bitwise_xor": ("__xor__", "__rxor__"),
    "left_shift": ("__lshift__", "__rlshift__"),
    "right_shift": ("__rshift__", "__rrshift__"),
}

#: numpy's one-input operator ufuncs -> the operator
_UNARY_OPERATORS: dict[str, Callable[[Any], Any]] = {
    "negative": operator.neg,
    "positive": operator.pos,
    "absolute": lambda x: x if getattr(x, "dtype", None) == np.bool_ else abs(x),  # numpy's |True| is True; torch
    # refuses bools (a Value, which has no dtype, is a float)
    "fabs": operator.abs,
    "invert": operator.invert,
    "bitwise_not": operator.invert,
}

#: numpy's ufuncs that return a real input as it is (every node is real)
_REAL_IDENTITIES = frozenset({"conjugate"})

#: numpy's ufunc names whose method on the nodes has another name
_METHOD_NAMES = {
    "degrees": "rad2deg",
    "radians": "deg2rad",
    "rint": "round",
    # np.maximum / np.minimum keep their second operand's zero at a tie of +-0.0; a Tensor's methods keep torch's
    # first
    "maximum": "_numpy_maximum",
    "minimum": "_numpy_minimum",
}

#: ufuncs whose torch-named methods refuse two integer or boolean Tensors (torch's NotImplementedError) where numpy
#: computes a float: numpy's spelling computes them in the default float dtype, as the library's other such ufuncs.
_FLOAT_RESULTS_OF_INTEGERS = ("hypot", "logaddexp", "logaddexp2")


def _floating_operands(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """Two operands of which none is floating, as the default float dtype (Tensors stay Tensors); others as given."""
    kinds = [(x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype).kind for x in inputs]
    if any(kind not in "iub" for kind in kinds):
        return inputs
    dtype = get_default_dtype()
    return tuple(x.astype(dtype) if hasattr(x, "astype") else np.asarray(x, dtype=dtype) for x in inputs)


#: ufunc.reduce -> the numpy function of the same reduction, whose adapter takes reduce's options (np.add.reduce is
#: np.sum with axis 0 by default)
_REDUCTIONS: dict[str, Callable[..., Any]] = {"add": np.sum, "multiply": np.prod, "maximum": np.max, "minimum": np.min}

#: ufunc.accumulate -> the numpy function of the same running result (np.add.accumulate is np.cumsum along axis 0)
_ACCUMULATIONS: dict[str, Callable[..., Any]] = {"add": np.cumsum, "multiply": np.cumprod}

_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}
_VALUE_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


def register_numpy_functions(functions: dict[Callable[..., Any], Callable[..., Any]]) -> None:
    """Make each ``functions[numpy_function]`` what that numpy function does on Tensors."""
    _FUNCTIONS.update(functions)


def register_value_numpy_functions(functions: dict[Callable[..., Any], Callable[..., Any]]) -> None:
    """Make each ``functions[numpy_function]`` what that numpy function does on Values."""
    _VALUE_FUNCTIONS.update(functions)


def _plain(value: Any, read_only: bool = False) -> Any:
    """``value`` with every node (also inside lists and tuples) replaced by its data (a read-only view of it)."""
    if isinstance(value, Node):
        data = value._data
        if read_only and type(data) is np.ndarray:
            data = data.view()
            data.flags.writeable = False
        return data
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item, read_only) for item in value)
    return value


def _needs_grad(values: Any) -> bool:
    return any(isinstance(value, Node) and value.requires_grad for value in values)


def array_ufunc(node: Node, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``Node.__array_ufunc__``: the ufunc as the library's op on the nodes (see the module docstring)."""
    name = ufunc.__name__
    out = kwargs.pop("out", None)
    if out is not None:  # numpy's in-place form (arr += x): plain values into the given arrays
        if any(isinstance(target, Node) for target in out):
            raise TypeError(
                f"numpy's {name}: out= cannot be a {type(node).__name__} (numpy would write past the graph); "
                "use the in-place operator (x += y) or assign x.data"
            )
        return getattr(ufunc, method)(*_plain(inputs), out=out, **kwargs)
    if kwargs and method == "__call__":  # numpy's options at their defaults (where=True, dtype=None, ...): none
        kwargs = without_numpy_defaults(ufunc, _FUNCTIONS.get(ufunc), kwargs)
    if method == "__call__" and ufunc in _FUNCTIONS:  # a generalized ufunc of the table (np.vecdot, ...)
        return _FUNCTIONS[ufunc](*inputs, **kwargs)
    if method in ("reduce", "accumulate") and len(inputs) == 1 and getattr(inputs[0], "holds_arrays", False):
        if method == "reduce" and name in _REDUCTIONS:  # dtype=, initial=, where= as np.sum & co. take them
            return _FUNCTIONS[_REDUCTIONS[name]](inputs[0], **{"axis": 0, **kwargs})
        if method == "accumulate" and name in _ACCUMULATIONS and set(kwargs) <= {"axis", "dtype"}:
            return _FUNCTIONS[_ACCUMULATIONS[name]](inputs[0], kwargs.get("axis", 0), kwargs.get("dtype"))
    if method != "__call__":  # on constants the plain result, with numpy's options (axis=, dtype=, keepdims=, ...)
        if _needs_grad(inputs):
            raise TypeError(
                f"numpy's {name}.{method} has no derivative here; use the Tensor's methods (sum, prod, max, ...)"
            )
        if method == "at" and isinstance(inputs[0], Node):  # numpy's ufunc.at writes even into a read-only view
            raise _in_place_error(f"{name}.at")
        return getattr(ufunc, method)(*_plain(inputs), **kwargs)
    if kwargs:
        raise TypeError(
            f"numpy's {name} on a {type(node).__name__}: keyword arguments {sorted(kwargs)} are not supported"
        )
    if len(inputs) == 1 and name in _REAL_IDENTITIES:
        return inputs[0]
    if len(inputs) == 1 and name in _UNARY_OPERATORS:
        return _UNARY_OPERATORS[name](inputs[0])
    if len(inputs) == 2 and name in _OPERATORS:
        forward, reflected = _OPERATORS[name]
        a, b = inputs
        node_operand, other, dunder = (a, b, forward) if isinstance(a, Node) else (b, a, reflected)
        bound = getattr(node_operand, dunder, None)  # (a Value has no @, &, |, ^, <<, >>)
        result = NotImplemented if bound is None else bound(other)
        if result is NotImplemented:
            raise TypeError(f"numpy's {name}: unsupported operands {type(a).__name__} and {type(b).__name__}")
        return result
    # integers are whole already: np.rint only casts them to its float dtype (float16 for 8 bits, ...)
    if name == "rint" and len(inputs) == 1 and getattr(inputs[0], "dtype", np.dtype(float)).kind in "biu":
        return inputs[0].astype(ufunc.resolve_dtypes((inputs[0].dtype, None))[-1])
    if name in _FLOAT_RESULTS_OF_INTEGERS and len(inputs) == 2:
        inputs = _floating_operands(inputs)
    bound = None  # the node method named after the ufunc, bound to the first input
    if len(inputs) in (1, 2):
        first = inputs[0] if isinstance(inputs[0], Node) else type(node)._wrap_constant(inputs[0])
        method = _METHOD_NAMES.get(name, name)
        bound = getattr(first, method, None)
        if bound is None and method != name:  # (a Value has no _numpy_maximum: its maximum is numpy's)
            bound = getattr(first, name, None)
    if callable(bound):
        return bound(*inputs[1:])
    if _needs_grad(inputs):
        raise TypeError(
            f"numpy's {name} has no derivative here; compute it on x.data (a constant) or with the library's ops"
        )
    return ufunc(*_plain(inputs))


def array_function(node: Node, function: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_function__``: the library's function for a numpy function of the table, else numpy's own
    on the data (a constant result)."""
    implementation = _FUNCTIONS.get(function)
    if implementation is not None:
        if kwargs:  # numpy's options at their defaults (out=None, ...) where the implementation has no such option
            kwargs = without_numpy_defaults(function, implementation, kwargs)
        return implementation(*args, **kwargs)
    try:  # on read-only views: a numpy writer (np.copyto, np.fill_diagonal, np.put, ...) cannot change a node
        result = function(*_plain(args, read_only=True), **{key: _plain(value, True) for key, value in kwargs.items()})
    except ValueError as error:
        if "read-only" not in str(error):
            raise
        raise _in_place_error(function.__name__) from None
    if is_grad_enabled() and _holds_floats(result) and holds_node_requiring_grad(_values_read(function, args, kwargs)):
        warnings.warn(
            f"numpy's {function.__name__} has no derivative in this library: its result is a constant and the "
            f"gradient through it is lost; call it on x.detach() or x.data to say a constant is meant",
            UserWarning,
            stacklevel=2,
        )
    return result


def value_array_function(node: Node, function: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Value.__array_function__``: the library's function for a numpy function of the Values' table (``np.clip``,
    ``np.sinc``, ``np.angle``, ...), else numpy's own implementation, as without the protocol (numpy calls the
    Value's method of the same name, ``np.sum(v)`` is ``v.sum(axis=None, out=None)``, or reads the Value as a 0-d
    object array); with a Tensor among the arguments, Tensor's protocol."""
    if not all(kind is np.ndarray or issubclass(kind, type(node)) for kind in types):
        return NotImplemented
    implementation = _VALUE_FUNCTIONS.get(function)
    if implementation is None:
        return function._implementation(*args, **kwargs)
    if kwargs:
        kwargs = without_numpy_defaults(function, implementation, kwargs)
    return implementation(*args, **kwargs)


def without_numpy_defaults(
    function: Callable[..., Any], implementation: Callable[..., Any] | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """``kwargs`` less the ones ``implementation`` (None: none) does not take that are given at numpy's default
    value for ``function``: ``np.cumsum(x, out=None)``, ``np.take(x, i, mode="raise")``, ``np.exp(x, where=True)``
    and ``np.meshgrid(x, y, sparse=False)`` are numpy's calls without them, which a library function without the
    option runs as numpy would. An option given at another value stays, to be refused."""
    defaults, taken = _numpy_defaults(function), _keywords_taken(implementation)
    if taken is None:  # the implementation takes **kwargs: it reads every option itself
        return kwargs
    return {
        name: value
        for name, value in kwargs.items()
        if name in taken or name not in defaults or not _is_default(value, defaults[name])
    }


@functools.cache
def _numpy_defaults(function: Callable[..., Any]) -> dict[str, Any]:
    """The keyword parameters of numpy's ``function`` that have a default value, with it (none if numpy gives no
    signature)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


@functools.cache
def _keywords_taken(implementation: Callable[..., Any] | None) -> frozenset[str] | None:
    """The keyword names ``implementation`` takes, or None when it takes any (``**kwargs``)."""
    if implementation is None:
        return frozenset()
    try:
        parameters = inspect.signature(implementation).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.kind is not inspect.Parameter.POSITIONAL_ONLY)


def _is_default(value: Any, default: Any) -> bool:
    """Whether ``value`` is numpy's ``default`` (None, True, "K", ...), not an array or other value equal to it."""
    if value is default:
        return True
    return type(value) in (bool, int, str) and type(value) is type(default) and value == default


def _in_place_error(name: str) -> ValueError:
    """The error of numpy's ``name`` asked to write into a node's data."""
    return ValueError(
        f"numpy's {name} would change a node's data in place, outside the graph and its version counter; "
        "change it through the node (x[...] = v, x.fill_(v), x.copy_(src)) or, knowingly, its .data"
    )


#: numpy's functions whose result takes only the shape and dtype of their first argument (the prototype), never its
#: values: no gradient flows through the prototype, so a prototype that requires grad loses none
_PROTOTYPE_ONLY = frozenset({np.zeros_like, np.ones_like, np.empty_like, np.full_like})


def _values_read(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """The arguments of numpy's ``function`` whose values its result is computed from: all of them, less the
    prototype of ``np.zeros_like`` / ``ones_like`` / ``empty_like`` / ``full_like`` (``full_like``'s
    ``fill_value`` is read)."""
    if function in _PROTOTYPE_ONLY:
        return [list(args[1:]), [value for key, value in kwargs.items() if key != "a"]]
    return [list(args), list(kwargs.values())]


def _holds_floats(result: Any) -> bool:
    """Whether ``result`` is floating-point numpy data (an ndarray or numpy scalar of a float or complex dtype), or a
    list or tuple holding some (at any depth)."""
    if isinstance(result, (np.ndarray, np.generic)):
        return result.dtype.kind in "fc"
    return isinstance(result, (list, tuple)) and any(_holds_floats(item) for item in result)


# -- numpy's signatures on Tensor methods: reductions and shape functions ------------------------------------


def refuse_options(function: str, **options: Any) -> None:
    """Raise a TypeError naming ``np.<function>`` for the numpy options given that have no meaning on a Tensor
    here (out=, dtype=, where=, ...)."""
    given = sorted(name for name, value in options.items() if value is not None)
    if given:
        raise TypeError(
            f"np.{function} on a Tensor: {', '.join(given)} not supported (call it on x.data for a constant)"
        )


#: the identity of each reduction, which numpy's ``where=`` puts in place of the entries left out
_IDENTITIES = {"sum": 0, "prod": 1}


def reduction(method: str) -> Callable[..., Any]:
    """``np.sum``-style function (a, axis, dtype, out, keepdims, initial, where) -> ``a.<method>(axis, keepdims)``.

    ``where`` leaves entries out (for the mean, of the count too); ``initial`` (sum, prod) joins the result. As
    numpy's, the result is of ``dtype`` if given (an int8 sum wraps in int8) and ``initial`` is cast to the result's
    dtype (``np.sum(ints, initial=1.5)`` adds 1)."""

    def reduce(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: bool = False,
        initial: Any = None,
        where: Any = None,
        **options: Any,
    ) -> Any:
        refuse_options(method, out=out, **options)
        if initial is not None and method not in _IDENTITIES:
            raise TypeError(f"np.{method} on a Tensor: initial not supported")
        if dtype is not None:  # of the input cast to it first
            a = a.astype(dtype)
        if where is None:
            result = getattr(a, method)(axis=axis, keepdims=keepdims)
        elif method == "mean":
            kept = np.broadcast_to(np.asarray(where, dtype=bool), a.shape)
            total = a.where(kept, 0).sum(axis=axis, keepdims=keepdims)
            result = total / np.sum(kept, axis=axis, keepdims=keepdims)
        else:
            result = getattr(a.where(np.asarray(where, dtype=bool), _IDENTITIES[method]), method)(
                axis=axis, keepdims=keepdims
            )
        if dtype is not None and result.dtype != np.dtype(dtype):  # (an integer sum or product is int64 here)
            result = result.astype(dtype)
        if initial is None:
            return result
        initial = _cast_initial(initial, result.dtype)
        return result + initial if method == "sum" else result * initial

    return reduce


def extremum(method: str) -> Callable[..., Any]:
    """``np.max``-style function (a, axis, out, keepdims, initial, where) -> ``a.<method>(axis, keepdims)``;
    ``initial`` joins the compared values (and fills where ``where`` leaves every entry out, as numpy), cast to
    ``a``'s dtype as numpy casts it."""

    def extreme(
        a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = None
    ) -> Any:
        refuse_options(method, out=out)
        if initial is not None:
            initial = _cast_initial(initial, a.dtype)
        if where is not None:
            if initial is None:
                raise ValueError(f"np.{method} on a Tensor: where= needs initial= (numpy's rule)")
            a = a.where(np.asarray(where, dtype=bool), initial)
        if initial is not None and 0 in [a.shape[d] for d in normalize_axes(axis, a.ndim, method)]:
            # nothing to compare along an empty axis: the initial alone, as numpy's (0 * the empty sum keeps the graph)
            return (a.sum(axis=axis, keepdims=keepdims) * 0).astype(a.dtype) + initial
        result = getattr(a, method)(axis=axis, keepdims=keepdims)
        if initial is None:
            return result
        return result.maximum(initial) if method == "max" else result.minimum(initial)

    return extreme


def _cast_initial(initial: Any, dtype: np.dtype) -> Any:
    """A reduction's ``initial`` in the reduction's ``dtype``, as numpy casts it (a node as it is)."""
    return initial if isinstance(initial, Node) else np.asarray(initial).astype(dtype)


def spread(method: str) -> Callable[..., Any]:
    """``np.var``/``np.std`` (a, axis, dtype, out, ddof, keepdims, ..., correction) -> ``a.<method>(axis, ddof,
    keepdims)``. As numpy's: computed in ``dtype`` if given (``a`` cast to it first, so the result is of it), and
    numpy 2's ``correction`` is another name of ``ddof`` (giving both is a ValueError); numpy 2's ``mean=`` is the
    mean to spread about (:func:`_spread_about`)."""

    def measure(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        ddof: float = 0,
        keepdims: bool = False,
        *,
        correction: float | None = None,
        **options: Any,
    ) -> Any:
        mean = options.pop("mean", None)
        refuse_options(method, out=out, **options)
        if correction is not None:
            if ddof != 0:
                raise ValueError(f"np.{method} on a Tensor: ddof and correction can't be provided simultaneously")
            ddof = correction
        if dtype is not None:
            a = a.astype(dtype)
        if mean is not None:
            return _spread_about(method, a, mean, axis, ddof, keepdims)
        return getattr(a, method)(axis=axis, ddof=ddof, keepdims=keepdims)

    return measure


def _spread_about(method: str, a: Any, mean: Any, axis: Any, ddof: float, keepdims: bool) -> Any:
    """numpy 2's ``np.var(a, mean=m)``: sum((a - m)^2) / max(n - ddof, 0) over ``axis`` with numpy's given mean ``m``
    (shaped as the keepdims result, a node too), its square root for ``std``; d/da = 2 (a - m) / (n - ddof) and
    d/dm = -sum of that, through the recorded ops."""
    a, mean = _as_nodes(a, mean)
    axes = tuple(range(a.ndim)) if axis is None else normalize_axes(axis, a.ndim, f"np.{method}")
    count = int(np.prod([a.shape[axis_] for axis_ in axes]))
    deviation = a - mean
    variance = (deviation * deviation).sum(axis=axes, keepdims=keepdims) / builtins.max(count - ddof, 0)
    return variance.sqrt() if method == "std" else variance


def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None, max: Any = None) -> Any:
    """np.clip(a, a_min, a_max) of a Tensor or a Value (numpy 2.1's min=/max= too); with neither bound a copy in the
    graph, as numpy 2.4's (the method ``a.clip()`` keeps torch's error)."""
    refuse_options("clip", out=out)
    low = a_min if a_min is not None else min
    high = a_max if a_max is not None else max
    if low is None and high is None:
        return a.clone()
    return _node(a, low, high).clip(low, high)


def reshape(a: Any, newshape: Any = None, order: str = "C", *, shape: Any = None, copy: Any = None) -> Any:
    """np.reshape(a, shape, order) (order "C", "F" or "A")."""
    return a.reshape(shape if shape is not None else newshape, order=order)


def transpose(a: Any, axes: Any = None) -> Any:
    """np.transpose(a, axes): all axes reversed, or the permutation ``axes``."""
    return a.transpose() if axes is None else a.transpose(tuple(axes))


def squeeze(a: Any, axis: Any = None) -> Any:
    return a.squeeze(axis)


def expand_dims(a: Any, axis: Any) -> Any:
    return a.expand_dims(axis)


def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    return array.broadcast_to(shape)


def around(a: Any, decimals: int = 0, out: Any = None) -> Any:
    """np.round(a, decimals): halves to even, zero gradient."""
    refuse_options("round", out=out)
    return round(a, decimals) if decimals else a.round()


# -- numpy's signatures for functions the library spells as torch does -------------------------------------


def quantile(
    a: Any,
    q: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
) -> Any:
    """np.quantile(a, q, axis, method=, keepdims=) as the Tensor's ``quantile`` (torch's), an axis tuple too; integers
    and booleans in float64, as numpy's (torch's ``quantile`` refuses them). The result is of numpy's dtype: a's
    promoted with q's, a Python number weakly (a float32 tensor's quantiles at a list of q are float64)."""
    refuse_options("quantile", out=out)
    result = _quantile(a, q, axis, method, keepdims)
    dtype = np.result_type(result.dtype, q if type(q) in (int, float) else np.asarray(shared_math.data_of(q)))
    return result if dtype == result.dtype else result.astype(dtype)


def _quantile(a: Any, q: Any, axis: Any, method: str, keepdims: bool) -> Any:
    a = shared_math.floating(_node(a, q))
    if not isinstance(axis, (tuple, list)):
        return a.quantile(q, axis, keepdim=keepdims, interpolation=method)
    axes = sorted(axis_ % a.ndim for axis_ in axis)
    kept = [axis_ for axis_ in range(a.ndim) if axis_ not in axes]
    together = a.transpose(tuple(kept + axes)).reshape(tuple(a.shape[axis_] for axis_ in kept) + (-1,))
    result = together.quantile(q, -1, interpolation=method)
    if keepdims:  # the q axis (if any) stays first
        lead = result.ndim - len(kept)
        result = result.reshape(result.shape[:lead] + tuple(1 if d in axes else a.shape[d] for d in range(a.ndim)))
    return result


def percentile(
    a: Any,
    q: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
) -> Any:
    """np.percentile: :func:`quantile` at q / 100 (a Python number stays one: its dtype does not count)."""
    fractions = q / 100 if type(q) in (int, float) else np.asarray(shared_math.data_of(q)) / 100
    return quantile(_node(a, q), fractions, axis, out, overwrite_input, method, keepdims)


def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    """np.median: the 0.5 quantile, so the mean of the two middle values of an even count (torch's ``median``
    takes the lower one); of an empty array NaN, as the mean of no entries (numpy's, where the quantile refuses)."""
    if a.size == 0:
        return shared_math.floating(a).mean(axis=axis, keepdims=keepdims)
    return quantile(a, 0.5, axis, out=out, keepdims=keepdims)


def nan_reduction(method: str) -> Callable[..., Any]:
    """``np.nansum``-style function (a, axis, dtype, out, keepdims) -> ``a.<method>(axis, keepdim)``; the mean of
    integers or booleans in float64, as numpy's ``nanmean`` (torch's refuses them)."""

    def reduce(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:
        refuse_options(method, dtype=dtype, out=out)
        if method == "nanmean":
            a = shared_math.floating(a)
        return getattr(a, method)(axis, keepdim=keepdims)

    return reduce


def cov(
    m: Any,
    y: Any = None,
    rowvar: bool = True,
    bias: bool = False,
    ddof: int | None = None,
    fweights: Any = None,
    aweights: Any = None,
    *,
    dtype: Any = None,
) -> Any:
    """np.cov: rows are the variables (``rowvar``), ddof 1 unless ``bias`` (torch's ``correction``)."""
    refuse_options("cov", y=y, dtype=dtype)
    correction = ddof if ddof is not None else 0 if bias else 1
    m = _node(m, fweights, aweights)
    return (m if rowvar else m.T).cov(correction=correction, fweights=fweights, aweights=aweights)


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    refuse_options("corrcoef", y=y, dtype=dtype)
    return (x if rowvar else x.T).corrcoef()


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Any:
    return x.nan_to_num(nan, posinf, neginf)


def method(name: str) -> Callable[..., Any]:
    """``np.<name>(x)`` -> ``x.<name>()`` (np.sinc, np.i0, np.fix)."""

    def call(x: Any, out: Any = None) -> Any:
        refuse_options(name, out=out)
        return getattr(x, name)()

    return call


def _node(value: Any, *others: Any) -> Any:
    """``value`` as a node: itself, or (an ndarray, numpy having called for a node among ``others``: a Tensor
    bound of ``np.clip(arr, lo, hi)``, weights of ``np.cov``) a constant of that node's kind."""
    if isinstance(value, Node):
        return value
    return next(type(other) for other in others if isinstance(other, Node))._wrap_constant(value)


def _as_nodes(*values: Any) -> list[Any]:
    """``values`` with the plain ones made constants of the first node's kind (numpy called with a node among them)."""
    kind = next(type(value) for value in values if isinstance(value, Node))
    return [value if isinstance(value, Node) else kind._wrap_constant(value) for value in values]


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Any:
    """np.cross of 3-vectors along ``axisa`` of a and ``axisb`` of b (both moved last, the rest broadcast), the
    result's vectors along ``axisc``; ``axis`` sets all three. 2-vectors, as numpy 2's (with its DeprecationWarning):
    of two, the z component a_0 b_1 - a_1 b_0 of their cross product (no vector axis); of one beside a 3-vector, it
    taken as (x, y, 0)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _as_nodes(a, b)
    a, b = a.moveaxis(axisa, -1), b.moveaxis(axisb, -1)
    lead = max(a.ndim, b.ndim)  # the broadcast's leading axes, as numpy's
    a, b = (x.reshape((1,) * (lead - x.ndim) + x.shape) for x in (a, b))
    sizes = (a.shape[-1], b.shape[-1])
    if 2 in sizes and set(sizes) <= {2, 3}:
        warnings.warn(
            "Arrays of 2-dimensional vectors are deprecated. Use arrays of 3-dimensional vectors instead. "
            "(deprecated in NumPy 2.0)",
            DeprecationWarning,
            stacklevel=user_stacklevel(),
        )
        if sizes == (2, 2):
            return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
        a, b = (x.pad(((0, 0),) * (lead - 1) + ((0, 1),)) if x.shape[-1] == 2 else x for x in (a, b))
    return a.cross(b, dim=-1).moveaxis(-1, axisc)


def vdot(a: Any, b: Any) -> Any:
    a, b = _as_nodes(a, b)
    return a.reshape(-1).dot(b.reshape(-1))


def diagflat(v: Any, k: int = 0) -> Any:
    return v.diagflat(k)


def matrix_power(a: Any, n: int) -> Any:
    return a.matrix_power(n)
