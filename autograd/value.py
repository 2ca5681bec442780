"""``Value``: a scalar node of the graph, micrograd-style.

>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad    # dy/dx = 2x + 3
7.0

Plain numbers mix freely with Values on either side of ``+ - * / **``; they
become constants (no gradient). ``.grad`` is 0.0 until a backward pass; see
:mod:`autograd.core` for what a repeated backward does.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union

import numpy as np

from . import numpy_protocol, shared_math
from .backprop import local_gradients
from .broadcasting import normalize_axes
from .core import Node, _new_object, _unrecorded, checked_requires_grad, mixed_kinds_error
from .derivatives import elementwise as ew
from .derivatives import scalar as scalar_ops
from .grad_mode import _anomaly_blocks, _mode, _not_recording, is_grad_enabled
from .numpy_functions import NumpyFunctions
from .op import Op
from .quiet import quietly
from .shape_errors import ArgumentRangeError
from .tensor_in_place import lerp
from .torch_keywords import UNSET, variance_arguments
from .torch_math_names import LOGIT, XLOGY, logit_values, xlogy_values
from .versions import _ticks, check_in_place_allowed, increment_version

Number = int | float
ValueLike = Union["Value", int, float]


def _constant(x: Any) -> Value:
    """Wrap a plain number as a Value that needs no gradient (a Value is returned as it is)."""
    return x if isinstance(x, Value) else Value._make(_number(x))


_INT_LIMIT = 2**1023  # ints below it in magnitude convert to float64 (larger ones raise OverflowError)


def _number(x: Any) -> float:
    """A plain operand of a Value operation as a float (TypeError for nodes of another kind, arrays, strings)."""
    if type(x) is float:
        return x
    if type(x) is int and -_INT_LIMIT < x < _INT_LIMIT:
        return float(x)
    if isinstance(x, Node):
        raise mixed_kinds_error("Value", x)
    return _real_number(x, "Value")


def _record(op: Op, forward: Callable[[float, float], float], left: Any, right: Any) -> Value:
    """The node of the binary ``op`` on (left, right), one of which is a Value.

    A plain number operand is not made a node: the output records ``op.with_constant``'s
    variant, with the Value as its only parent and the number kept on the node.
    """
    # an int beside + - * / ** (x ** 2, 1 - x, 2 * x), the usual number besides a float, first: no isinstance
    # tests, no method call
    variants = _NUMBER_VARIANTS.get(op)
    if variants is not None:
        if type(right) is int and type(left) is Value and -_INT_LIMIT < right < _INT_LIMIT:
            number = float(right)
            return _unary_op_node(forward(left._data, number), variants[1], left, number)
        if type(left) is int and type(right) is Value and -_INT_LIMIT < left < _INT_LIMIT:
            number = float(left)
            return _unary_op_node(forward(number, right._data), variants[0], right, number)
    if isinstance(right, Value):
        if isinstance(left, Value):
            return _op_node(forward(left._data, right._data), op, (left, right))
        number = _number(left)
        return _unary_op_node(forward(number, right._data), op.with_constant(0), right, number)
    number = _number(right)
    return _unary_op_node(forward(left._data, number), op.with_constant(1), left, number)


def _real_number(x: Any, where: str) -> float:
    """``float(x)`` for real numbers (bool, int, float, numpy's number and bool scalars); TypeError for anything
    else (complex numbers too: numpy's would otherwise lose their imaginary part with only a warning; a numpy void
    scalar, raw bytes that ``float`` would parse as text, b"1" as 1.0)."""
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "biuf":
        return float(x)
    if isinstance(x, (complex, np.complexfloating)) or (isinstance(x, np.ndarray) and x.dtype.kind == "c"):
        raise TypeError(f"{where}: expected a real number, got the complex {type(x).__name__} {x!r}")
    if isinstance(x, (np.ndarray, list, tuple)):
        raise TypeError(
            f"{where}: a Value holds one number, got {type(x).__name__}; use autograd.Tensor for arrays "
            "(Values and arrays do not mix)"
        )
    if isinstance(x, (str, bytes)) or not isinstance(x, (numbers.Real, np.number, np.bool_)):  # (np.void: bytes)
        raise TypeError(f"{where}: expected a real number, got {_type_name(x)} {x!r}")
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r}") from None
    except OverflowError:  # an int beyond float64 (float(10**400) raises)
        raise ValueError(
            f"{where}: the {type(x).__name__} of {int(x).bit_length()} bits is too large for a float"
        ) from None


def _type_name(x: Any) -> str:
    """The name of x's type, with its module unless it is a builtin: ``micrograd.engine.Value`` and ``torch.Tensor``
    are told apart from this library's Value and Tensor."""
    kind = type(x)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _floor_divided(x: Any, y: Any) -> Any:
    """x // y: recorded for Values, numpy's IEEE result for numbers (2.0 // 0 = inf, not Python's error)."""
    return x // y if isinstance(x, Node) or isinstance(y, Node) else quietly(np.floor_divide, x, y)


def _remainder(x: Any, y: Any) -> Any:
    """x % y: recorded for Values, numpy's IEEE result for numbers (2.0 % 0 = nan, not Python's error)."""
    return x % y if isinstance(x, Node) or isinstance(y, Node) else quietly(np.remainder, x, y)


def _check_no_out(method: str, out: Any) -> None:
    """numpy's ``np.clip(v, ...)`` and ``np.round(v, ...)`` call ``v.clip(..., out=None)``, ``v.round(..., out=None)``:
    ``out=`` is accepted at that default only (a Value is no array to write into)."""
    if out is not None:
        raise TypeError(f"Value.{method}: out= must be None (a Value holds one number), got {type(out).__name__}")


def _nodes(values: Iterable[ValueLike]) -> tuple[Value, ...]:
    """Values as they are, numbers as constant Values (TypeError for anything else)."""
    return tuple([_constant(v) for v in values])


_NUMBER_VARIANTS = ew.NUMBER_VARIANTS
_ADD_NUMBER, _SUB_NUMBER, _MUL_NUMBER = _NUMBER_VARIANTS[ew.add], _NUMBER_VARIANTS[ew.sub], _NUMBER_VARIANTS[ew.mul]

#: a node's number, read in one C call by ``map``
_data_of = operator.attrgetter("_data")


#: Value.linear's activations computed inside its one node
_FUSED_ACTIVATIONS = {"linear": scalar_ops.linear, "relu": scalar_ops.linear_relu}

_MICROGRAD_LABELS = {"add": "+", "mul": "*", "relu": "ReLU"}  # micrograd's _op labels (the rest keep our names)


def _float_sum(numbers: list[float]) -> float:
    """The correctly rounded sum of floats (math.fsum); IEEE's inf or nan where fsum raises instead (a partial sum
    that overflows, inf + -inf), as a float sum in order gives them. An exact zero is +0.0 (fsum's) unless every term
    is -0.0: -0.0 + -0.0 is -0.0 in IEEE addition, as torch's sum gives it."""
    try:
        total = math.fsum(numbers)
    except (OverflowError, ValueError):
        return sum(numbers, 0.0)
    if total == 0 and numbers and all(math.copysign(1.0, x) < 0 for x in numbers):  # (terms <= 0 summing to 0: -0.0s)
        return -0.0
    return total


def _xlogy_float(x: float, y: float) -> float:
    """xlogy of two floats, as a float (torch's kernel: nan where y is nan, else 0 where x = 0, else x log y)."""
    return float(xlogy_values(x, y))


def _larger(a: float, b: float) -> float:
    """np.maximum on two floats: the larger, nan if either is nan."""
    return a if a >= b or a != a else b


def _smaller(a: float, b: float) -> float:
    """np.minimum on two floats: the smaller, nan if either is nan."""
    return a if a <= b or a != a else b


def _sum_of_values(values: Sequence[ValueLike]) -> Value:
    """Sum of many Values as a single node (every input gets the upstream gradient): ``Value.sum([a, b, 1.0])``."""
    nodes = _nodes(values)
    return _op_node(_float_sum([v._data for v in nodes]), scalar_ops.sum_values, nodes)


class _SumOfValues:
    """``Value.sum``: read from the class, the sum of many Values (``Value.sum(values)``, one n-ary node); read from
    a Value, torch's sum of a 0-d tensor (``v.sum()``: v's number as a new node, d/dv = 1), which numpy's
    ``np.sum(v)`` calls."""

    def __init__(self, of_many: Callable[..., Value], of_one: Callable[..., Value]) -> None:
        self._of_many, self._of_one = of_many, of_one
        self.__doc__ = of_many.__doc__

    def __get__(self, instance: Value | None, owner: type) -> Callable[..., Value]:
        return self._of_many if instance is None else types.MethodType(self._of_one, instance)


# Value._from_op and Value._from_unary_op, bound once below the class: a global is the cheapest thing
# for an operator to call (a classmethod looked up on the class makes a bound method per call).
_op_node: Any = None
_unary_op_node: Any = None
_binary_op_node: Any = None


class Value(Node, NumpyFunctions):
    """A scalar that records the operations applied to it.

    ``requires_grad=False`` marks a constant: backward skips it and no graph is
    recorded for operations whose inputs are all constants.
    """

    __slots__ = ()
    _zero_grad_value = 0.0
    # np.exp(v) is v.exp(); ``ndarray <op> Value`` reaches Value's operators, which refuse arrays (use Tensor)
    __array_ufunc__ = numpy_protocol.array_ufunc
    # np.clip(v), np.sinc(v), ...: the library's functions of a Value; numpy's others as they would run without it
    __array_function__ = numpy_protocol.value_array_function

    # -- node construction: Node's, for a float (no array to wrap; .grad starts at 0.0) --------------
    # the operators' hot path (``y * 1.0001``, ``a * b``); the same fields as Node._from_unary_op and
    # Node._from_binary_op set, without their test of whether ``data`` must become an array
    @classmethod
    def _from_unary_op(cls, data: float, op: Op, parent: Node, attrs: Any = None) -> Value:
        node = _new_object(cls)
        node._data = data
        node._grad = 0.0
        node._second = None
        if (not _not_recording or _mode.enabled) and parent._requires_grad:
            node._requires_grad = True
            node._inputs = parent
            node.op = op
            node.attrs = attrs
            node._recorded_at = next(_ticks)
            if _anomaly_blocks.open and _mode.anomaly is not None:
                _mode.anomaly.on_record(node)
            return node
        return _unrecorded(node)

    @classmethod
    def _from_binary_op(cls, data: float, op: Op, first: Node, second: Node) -> Value:
        node = _new_object(cls)
        node._data = data
        node._grad = 0.0
        if (not _not_recording or _mode.enabled) and (first._requires_grad or second._requires_grad):
            node._requires_grad = True
            node._inputs = first
            node._second = second
            node.op = op
            node.attrs = None
            node._recorded_at = next(_ticks)
            if _anomaly_blocks.open and _mode.anomaly is not None:
                _mode.anomaly.on_record(node)
            return node
        return _unrecorded(node)

    def __init__(self, data: Number, label: str | None = "", requires_grad: bool = True) -> None:
        """A leaf holding the real number ``data`` (``requires_grad=False`` makes it a constant)."""
        if isinstance(data, Node):
            raise TypeError("Value(data): data must be a number, not a graph node (use .data or .detach())")
        if label is None:
            label = ""
        elif not isinstance(label, str):
            raise TypeError(
                f"Value(data, label): label must be a str, got {type(label).__name__}; micrograd's "
                "Value(data, _children, _op) is not this constructor: a Value made by an operation (a + b) records "
                "its parents itself, and Value(data) makes a leaf; to write an op of your own (a gate with forward "
                "and backward), subclass autograd.Function and call YourGate.apply(a, b), which takes Values "
                "(docs/custom_functions.md)"
            )
        self._init_node(_real_number(data, "Value(data)"), checked_requires_grad(requires_grad, "Value"), label)

    @property
    def data(self) -> float:
        """The number this Value holds. Assigning it (micrograd's update ``p.data += -lr * p.grad``) changes the
        number and records nothing; a real number is required (TypeError otherwise)."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        self._data = value if type(value) is float else _real_number(value, "Value.data")

    # -- arithmetic ---------------------------------------------------------
    # A float operand (``y * 1.0001``) goes straight to the op's variant that keeps it off the
    # graph, a Value to the op itself; anything else through ``_record``.
    def __add__(self, other: ValueLike) -> Value:
        if type(other) is float:
            return _unary_op_node(self._data + other, _ADD_NUMBER[1], self, other)
        if type(other) is Value:
            return _binary_op_node(self._data + other._data, ew.add, self, other)
        return _record(ew.add, operator.add, self, other)

    def __radd__(self, other: ValueLike) -> Value:
        if type(other) is float:
            return _unary_op_node(other + self._data, _ADD_NUMBER[0], self, other)
        return _record(ew.add, operator.add, other, self)

    def __sub__(self, other: ValueLike) -> Value:
        if type(other) is float:
            return _unary_op_node(self._data - other, _SUB_NUMBER[1], self, other)
        if type(other) is Value:
            return _binary_op_node(self._data - other._data, ew.sub, self, other)
        return _record(ew.sub, operator.sub, self, other)

    def __rsub__(self, other: ValueLike) -> Value:
        if type(other) is float:
            return _unary_op_node(other - self._data, _SUB_NUMBER[0], self, other)
        return _record(ew.sub, operator.sub, other, self)

    def __mul__(self, other: ValueLike) -> Value:
        if type(other) is float:
            return _unary_op_node(self._data * other, _MUL_NUMBER[1], self, other)
        if type(other) is Value:
            return _binary_op_node(self._data * other._data, ew.mul, self, other)
        return _record(ew.mul, operator.mul, self, other)

    def __rmul__(self, other: ValueLike) -> Value:
        if type(other) is float:
            return _unary_op_node(other * self._data, _MUL_NUMBER[0], self, other)
        return _record(ew.mul, operator.mul, other, self)

    def __truediv__(self, other: ValueLike) -> Value:
        return _record(ew.div, shared_math.divide, self, other)

    def __rtruediv__(self, other: ValueLike) -> Value:
        return _record(ew.div, shared_math.divide, other, self)

    def __pow__(self, other: ValueLike) -> Value:
        return _record(ew.pow, shared_math.power, self, other)

    _numpy_power = __pow__  # np.power(value, y): IEEE pow's values, as ** gives them

    def __rpow__(self, other: ValueLike) -> Value:
        return _record(ew.pow, shared_math.power, other, self)

    def __neg__(self) -> Value:
        return _unary_op_node(-self._data, ew.neg, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return self.abs()

    # -- in-place arithmetic (inside no_grad, or on constants) -----------------
    def _in_place(self, other: ValueLike, function: Any, op: str) -> Value:
        """``self op= other``: in place when no graph is needed; micrograd's ``c += c + 1`` otherwise.

        While recording, a non-leaf Value (``c = a + b``) or a constant given a right-hand side that
        requires grad returns ``function(self, other)`` on the nodes instead, a new recorded node the name is
        rebound to (as micrograd, which has no in-place operators; torch records such in-place
        changes, with the same gradients). A leaf that requires grad still raises, as in torch.
        """
        other = _constant(other)
        if is_grad_enabled() and (self.op is not None or (not self._requires_grad and other._requires_grad)):
            return function(self, other)
        check_in_place_allowed(self, other, op)
        self._data = float(function(self._data, other._data))
        increment_version(self)
        return self

    def copy_(self, source: ValueLike) -> Value:
        """Set this Value's data to ``source`` in place (same rules as the in-place operators)."""
        check_in_place_allowed(self, source if isinstance(source, Node) else None, "copy_")
        self._data = source._data if isinstance(source, Value) else _real_number(source, "copy_")
        increment_version(self)
        return self

    def __iadd__(self, other: ValueLike) -> Value:
        """``v += w`` changes v's data in place (allowed inside ``no_grad()`` or on constants)."""
        return self._in_place(other, operator.add, "+=")

    def __isub__(self, other: ValueLike) -> Value:
        """``v -= w`` in place: the manual gradient step ``with no_grad(): p -= lr * p.grad``."""
        return self._in_place(other, operator.sub, "-=")

    def __imul__(self, other: ValueLike) -> Value:
        """``v *= w`` in place."""
        return self._in_place(other, operator.mul, "*=")

    def __itruediv__(self, other: ValueLike) -> Value:
        """``v /= w`` in place (IEEE: division by zero gives inf or nan)."""
        return self._in_place(other, shared_math.divide, "/=")

    def __ipow__(self, other: ValueLike) -> Value:
        """``v **= w`` in place (IEEE results, as ``**``)."""
        return self._in_place(other, shared_math.power, "**=")

    def __ifloordiv__(self, other: ValueLike) -> Value:
        """``v //= w`` in place (Python's floor division; IEEE results, as ``//``)."""
        return self._in_place(other, _floor_divided, "//=")

    def __imod__(self, other: ValueLike) -> Value:
        """``v %= w`` in place (Python's remainder, the sign of w; IEEE results, as ``%``)."""
        return self._in_place(other, _remainder, "%=")

    # -- elementary functions ------------------------------------------------
    def exp(self) -> Value:
        """e**x; d/dx = e**x."""
        return _unary_op_node(shared_math.exp(self._data), ew.exp, self)

    def log(self) -> Value:
        """Natural log; d/dx = 1/x. log(0) = -inf, log(x<0) = nan."""
        return _unary_op_node(shared_math.log(self._data), ew.log, self)

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt(x))."""
        return _unary_op_node(shared_math.sqrt(self._data), ew.sqrt, self)

    def abs(self) -> Value:
        """|x|; d/dx = sign(x) (0 at 0)."""
        return _unary_op_node(abs(self._data), ew.abs_, self)

    def sin(self) -> Value:
        """sin(x); d/dx = cos(x)."""
        return _unary_op_node(shared_math.sin(self._data), ew.sin, self)

    def cos(self) -> Value:
        """cos(x); d/dx = -sin(x)."""
        return _unary_op_node(shared_math.cos(self._data), ew.cos, self)

    # -- activations ---------------------------------------------------------
    def tanh(self) -> Value:
        """tanh(x); d/dx = 1 - tanh(x)**2."""
        return _unary_op_node(math.tanh(self._data), ew.tanh, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x); d/dx = s(x) (1 - s(x))."""
        return _unary_op_node(shared_math.sigmoid(self._data), ew.sigmoid, self)

    def relu(self) -> Value:
        """max(x, 0); d/dx = 1 for x > 0 else 0. x where it is not below 0: nan stays nan and -0.0 stays -0.0,
        as torch's."""
        return _unary_op_node(0.0 if self._data < 0 else self._data, ew.relu, self)

    def leaky_relu(self, alpha: float = 0.01) -> Value:
        """x for x > 0 else alpha*x; d/dx = 1 or alpha."""
        alpha = _real_number(alpha, "leaky_relu: alpha")
        data = self._data if self._data > 0 else alpha * self._data
        return _unary_op_node(data, ew.leaky_relu, self, {"alpha": alpha})

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0 else alpha*(e**x - 1); d/dx = 1 or elu(x) + alpha. At x = +-0.0 it is x itself, as torch's:
        alpha * (e**0 - 1) would be nan for an infinite or nan alpha (inf * 0), and -0.0 for a negative one."""
        alpha = _real_number(alpha, "elu: alpha")
        data = self._data if self._data >= 0 else alpha * math.expm1(self._data)
        return _unary_op_node(data, ew.elu, self, {"alpha": alpha})

    def softplus(self) -> Value:
        """log(1 + e**x), overflow-free; d/dx = sigmoid(x)."""
        return _unary_op_node(shared_math.softplus(self._data), ew.softplus, self)

    def swish(self, beta: ValueLike = 1.0) -> Value:
        """x * sigmoid(beta * x) (SiLU when beta is the number 1). ``beta`` may be a Value, a learnable slope:
        d/dbeta = x^2 s (1 - s), s = sigmoid(beta x), also at beta = 1, where it starts."""
        if isinstance(beta, Value) or beta != 1:
            return self * (self * beta).sigmoid()
        return self.silu()

    def silu(self) -> Value:
        """x * sigmoid(x): swish with beta = 1; d/dx = s + x s (1 - s)."""
        return _unary_op_node(self._data * shared_math.sigmoid(self._data), ew.silu, self)

    def mish(self) -> Value:
        """x * tanh(softplus(x)); d/dx = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x))."""
        return _unary_op_node(self._data * math.tanh(shared_math.softplus(self._data)), ew.mish, self)

    def step(self) -> Value:
        """Heaviside step: 1 for x > 0 else 0; its gradient is zero everywhere."""
        return _unary_op_node(1.0 if self._data > 0 else 0.0, ew.step, self)

    def maximum(self, other: ValueLike) -> Value:
        """The larger of two Values, as ``np.maximum`` (nan wins): the gradient goes to the larger input;
        a tie splits it evenly."""
        return _record(ew.maximum, _larger, self, other)

    def minimum(self, other: ValueLike) -> Value:
        """The smaller of two Values, as ``np.minimum`` (nan wins): the gradient goes to the smaller input;
        a tie splits it evenly."""
        return _record(ew.minimum, _smaller, self, other)

    def max(
        self, other: ValueLike | None = None, *, axis: Any = None, out: None = None, keepdims: bool = False
    ) -> Value:
        """``x.max(y)`` is ``x.maximum(y)``, the lecture's MaxGate. ``x.max()`` is torch's max of a 0-d tensor: x's
        number as a new node, d/dx = 1; ``np.max(x)`` calls ``x.max(axis=None, out=None)`` (``axis`` 0, -1 or ()
        too, a 0-d array's; ``keepdims`` keeps the one number)."""
        if other is None:
            return self._reduced(scalar_ops.largest, "max", axis, out, keepdims)
        return _record(ew.maximum, _larger, self, other)

    def min(
        self, other: ValueLike | None = None, *, axis: Any = None, out: None = None, keepdims: bool = False
    ) -> Value:
        """``x.min(y)`` is ``x.minimum(y)``; ``x.min()`` (and ``np.min(x)``) is x's number as a new node, d/dx = 1,
        as :meth:`max`."""
        if other is None:
            return self._reduced(scalar_ops.smallest, "min", axis, out, keepdims)
        return _record(ew.minimum, _smaller, self, other)

    def _reduced(self, op: Op, name: str, axis: Any, out: None, keepdims: bool, dtype: Any = None) -> Value:
        """torch's reduction ``op`` of a 0-d tensor (sum, max, min of one number): this Value's number as a new node
        of ``op``, d/dx = 1. ``axis`` may be None, 0, -1 or () (another is numpy's AxisError, torch's IndexError);
        ``keepdims`` has no dimension to keep; ``dtype`` may only be a float64 one (a Value holds a float64)."""
        _check_no_out(name, out)
        try:
            normalize_axes(axis, 0, name)
        except TypeError:
            raise TypeError(
                f"Value.{name}: v.{name}() reduces v alone, torch's {name} of a 0-d tensor, whose axis is 0, -1 or "
                f"(); got {_type_name(axis)} {axis!r}"
                + ("; the sum of many Values is Value.sum(values)" if name == "sum" else "")
            ) from None
        if dtype is not None and np.dtype(dtype) != np.float64:
            raise TypeError(f"Value.{name}: a Value holds a float64, got dtype={dtype!r}")
        # torch's and numpy's sums start from +0.0, so a sum of -0.0 is 0.0; max and min give the number as it is
        return _op_node(self._data + 0.0 if op is scalar_ops.sum_values else self._data, op, (self,))

    def clip(
        self,
        low: float | None = None,
        high: float | None = None,
        *,
        min: float | None = None,  # noqa: A002 -- torch's and numpy's names
        max: float | None = None,  # noqa: A002
        out: None = None,
    ) -> Value:
        """Clamp into [low, high]; the gradient passes where low <= x <= high (alias: clamp). ``min``/``max`` (the
        names of ``torch.clamp`` and ``ndarray.clip``) are aliases of ``low``/``high``: ``(1 - y * s).clamp(min=0)``.
        One bound at least must be given (an ArgumentRangeError otherwise, a ValueError and a RuntimeError, as
        Tensor's and torch's).

        ``np.clip(v, low, high)`` calls ``v.clip(low, high, out=None)``: numpy's ``out=`` is taken at its default
        only (a Value is no array to write into)."""
        _check_no_out("clip", out)
        if min is not None or max is not None:
            low, high = (
                shared_math.bound_alias("low", low, "min", min),
                shared_math.bound_alias("high", high, "max", max),
            )
        if low is None and high is None:
            raise shared_math.no_clip_bound_error()
        low = None if low is None else _real_number(low, "clip: low")
        high = None if high is None else _real_number(high, "clip: high")
        data = self._data
        if low is not None and not data >= low:  # (a nan bound or a nan x gives nan, as np.clip and torch's clamp)
            data = low if data == data else data
        if high is not None and not data <= high:
            data = high if data == data else data
        return _unary_op_node(data, ew.clip, self, {"low": low, "high": high})

    clamp = clip

    def round(self, decimals: int = 0, *, out: None = None) -> Value:
        """Nearest number with ``decimals`` decimal places, halves to even; zero gradient. ``np.round(v, d)`` calls
        ``v.round(decimals=d, out=None)``: numpy's ``out=`` is taken at its default only, as :meth:`clip`'s."""
        _check_no_out("round", out)
        return super().round(decimals)

    # -- torch's names of 0-d tensor methods (over the operators and methods above) ------------------
    def add(self, other: ValueLike, *, alpha: ValueLike = 1) -> Value:
        """torch's ``add``: self + alpha * other; d/dx = 1, d/dother = alpha."""
        return self + (other if alpha == 1 else alpha * other)

    def sub(self, other: ValueLike, *, alpha: ValueLike = 1) -> Value:
        """torch's ``sub`` (alias ``subtract``): self - alpha * other; d/dx = 1, d/dother = -alpha."""
        return self - (other if alpha == 1 else alpha * other)

    def mul(self, other: ValueLike) -> Value:
        """torch's ``mul`` (alias ``multiply``): self * other; d/dx = other, d/dother = x."""
        return self * other

    def div(self, other: ValueLike, *, rounding_mode: str | None = None) -> Value:
        """torch's ``div`` (aliases ``divide``, ``true_divide``): self / other; d/dx = 1/other, d/dother =
        -x/other^2. ``rounding_mode="floor"`` is ``self // other``, ``"trunc"`` the quotient rounded toward zero,
        both a step function (zero gradient)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self // other
        if rounding_mode == "trunc":
            return self._trunc_divide(other)
        raise ArgumentRangeError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")

    def pow(self, exponent: ValueLike) -> Value:
        """torch's ``pow``: self ** exponent; d/dx = e x^(e - 1), d/de = x^e log x."""
        return self**exponent

    def neg(self) -> Value:
        """torch's ``neg`` (alias ``negative``): -x; d/dx = -1."""
        return -self

    def clamp_min(self, min: float) -> Value:  # noqa: A002 -- torch's name
        """torch's ``clamp_min``: ``clamp(min=min)``, max(x, min); the gradient passes where x >= min."""
        return self.clip(min=min)

    def clamp_max(self, max: float) -> Value:  # noqa: A002 -- torch's name
        """torch's ``clamp_max``: ``clamp(max=max)``, min(x, max); the gradient passes where x <= max."""
        return self.clip(max=max)

    def rsqrt(self) -> Value:
        """torch's ``rsqrt``: 1 / sqrt(x) (inf at 0, -inf at -0.0, nan below); d/dx = -x^(-3/2) / 2."""
        return self.sqrt().reciprocal()

    def lerp(self, end: ValueLike, weight: ValueLike) -> Value:
        """torch's ``lerp``: x + weight (end - x), exactly ``end`` at weight 1 (torch's two-sided form);
        d/dx = 1 - weight, d/dend = weight, d/dweight = end - x."""
        return lerp(self, end, weight)

    def frac(self) -> Value:
        """torch's ``frac``: x - trunc(x), the sign of x (nan at +-inf); d/dx = 1."""
        return self - self.trunc()

    def logit(self, eps: float | None = None) -> Value:
        """torch's ``logit``: log(z / (1 - z)), z = x clamped to [eps, 1 - eps] if ``eps`` is given (nan outside
        [0, 1] without it); d/dx = 1 / (x (1 - x)), nan outside [0, 1] without ``eps``, 0 outside [eps, 1 - eps]
        with it (Tensor.logit's op and rule)."""
        if eps is not None:
            eps = _real_number(eps, "logit: eps")
            if eps < 0:  # torch's kernels take a negative eps as none
                eps = None
        data = float(logit_values(np.float64(self._data), eps))
        return _unary_op_node(data, LOGIT, self, {"eps": eps})

    def xlogy(self, other: ValueLike) -> Value:
        """torch's ``xlogy``: x log(y), 0 where x = 0 unless y is nan; d/dx = log y (0 where x = 0 and y <= 0),
        d/dy = x / y (0 where x = y = 0, where torch's is nan: Tensor.xlogy's op and rules)."""
        return _record(XLOGY, _xlogy_float, self, other)

    def sinc(self) -> Value:
        """torch's and numpy's ``sinc``: sin(pi x) / (pi x), 1 at 0; d/dx = (cos(pi x) - sinc(x)) / x, 0 at 0. Near
        0 (|pi x| < 1e-3) the series 1 - s^2/6 + s^4/120 of s = pi x, exact to float64 there (as Tensor.sinc)."""
        scaled = self * math.pi
        if abs(scaled._data) < 1e-3:
            squared = scaled * scaled
            return 1 - squared / 6 + squared * squared / 120
        return scaled.sin() / scaled

    def angle(self) -> Value:
        """torch's ``angle`` of a real number: pi where x < 0, 0 elsewhere (at -0.0 too), nan at nan; piecewise
        constant, so its gradient is 0 (``np.angle(v)`` is numpy's instead: pi at -0.0, ``deg=True`` in degrees)."""
        x = self._data
        return ew.flat_of(self, x if x != x else math.pi if x < 0 else 0.0)

    subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg
    #: torch's ``absolute`` is ``abs``, ``fix`` is ``trunc``
    absolute, fix = abs, NumpyFunctions.trunc

    # -- n-ary ---------------------------------------------------------------
    def sum(
        self,
        dim: Any = None,
        keepdim: bool = False,
        *,
        dtype: Any = None,
        axis: Any = None,
        out: None = None,
        keepdims: bool = False,
        initial: ValueLike | None = None,
    ) -> Value:
        """torch's ``t.sum()`` of a 0-d tensor, ``v.sum()``: v's number (0.0 for -0.0, as torch's and numpy's) as a
        new node, d/dv = 1. ``dim``/``axis`` may be 0, -1 or () (a 0-d tensor's), ``keepdim``/``keepdims`` keep the
        one number, ``dtype`` may be a float64 one; ``np.sum(v)`` calls ``v.sum(axis=None, out=None)``, and
        ``np.sum(v, initial=k)`` adds numpy's starting value k. The sum of many Values is ``Value.sum(values)``."""
        dim = axis if dim is None else dim
        total = self._reduced(scalar_ops.sum_values, "sum", dim, out, keepdim or keepdims, dtype)
        return total if initial is None else initial + total

    def var(
        self,
        axis: Any = None,
        ddof: float | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        unbiased: bool | None = None,
        correction: float | None = None,
        dtype: Any = None,
        out: None = None,
    ) -> Value:
        """The variance of the one number, as Tensor's ``var`` of a 0-d tensor (and ``np.var(v)``): numpy's
        spelling has ddof 0 by default, giving 0.0, torch's (``dim``, ``keepdim``, ``unbiased``, ``correction``)
        ddof 1, giving nan (no degree of freedom left), as torch's; d/dv = 0, nan where the value is nan."""
        axis, ddof, keepdims = variance_arguments("var", axis, ddof, keepdims, dim, keepdim, unbiased, correction)
        deviation = self._reduced(scalar_ops.sum_values, "var", axis, out, keepdims, dtype) - self
        return deviation * deviation / max(0.0, 1.0 - ddof)

    def std(
        self,
        axis: Any = None,
        ddof: float | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        unbiased: bool | None = None,
        correction: float | None = None,
        dtype: Any = None,
        out: None = None,
    ) -> Value:
        """The standard deviation of the one number, sqrt of :meth:`var` (the same arguments and defaults, and
        ``np.std(v)``); where it is 0 its gradient is 0, as torch's (not sqrt's infinite slope)."""
        variance = self.var(
            axis,
            ddof,
            keepdims,
            dim=dim,
            keepdim=keepdim,
            unbiased=unbiased,
            correction=correction,
            dtype=dtype,
            out=out,
        )
        return variance * 0.0 if variance._data == 0.0 else variance.sqrt()

    @property
    def real(self) -> Value:
        """The Value itself, as torch's ``real`` of a real tensor (``np.real(v)`` reads it)."""
        return self

    @property
    def imag(self) -> Any:
        """TypeError, as Tensor's (torch's RuntimeError): a real number has no imaginary part to record."""
        raise TypeError("imag: not defined for a Value; Values are real")

    def positive(self) -> Value:
        """torch's ``positive``: the Value itself (+v)."""
        return self

    def sgn(self) -> Value:
        """torch's ``sgn``, of a real number its ``sign`` (-1, 0 or 1; zero gradient)."""
        return self.sign()

    sum = _SumOfValues(_sum_of_values, sum)  # type: ignore[assignment]

    @staticmethod
    def linear(
        weights: Sequence[ValueLike], inputs: Sequence[ValueLike], bias: ValueLike = 0.0, activation: str = "linear"
    ) -> Value:
        """w1*x1 + ... + wn*xn + b as a single node (a neuron's pre-activation); ``activation="relu"`` gives
        relu(w . x + b), a whole ReLU neuron, as one ``linear_relu`` node (the values and gradients of
        ``Value.linear(...).relu()``, one node fewer)."""
        return Value.linears([weights], inputs, [bias], activation)[0]

    @staticmethod
    def linears(
        weights: Sequence[Sequence[ValueLike]],
        inputs: Sequence[ValueLike],
        biases: Sequence[ValueLike],
        activation: str = "linear",
    ) -> list[Value]:
        """``[Value.linear(w, inputs, b, activation) for w, b in zip(weights, biases)]``: a layer's neurons, one
        node each, with the shared inputs checked and read once (iterables of any kind are read once, as lists)."""
        if type(inputs) is not list and type(inputs) is not tuple:
            inputs = list(inputs)
        if type(weights) is not list and type(weights) is not tuple:
            weights = list(weights)
        if type(biases) is not list and type(biases) is not tuple:
            biases = list(biases)
        if len(weights) != len(biases):
            raise ValueError(f"linears: got {len(weights)} rows of weights but {len(biases)} biases")
        if activation not in _FUSED_ACTIVATIONS:
            raise ValueError(f"linears: activation must be one of {sorted(_FUSED_ACTIVATIONS)}, got {activation!r}")
        op = _FUSED_ACTIVATIONS[activation]
        relu = op is scalar_ops.linear_relu
        xs = tuple(inputs) if all(map(isinstance, inputs, _ALWAYS_VALUE)) else _nodes(inputs)
        x_data = list(map(_data_of, xs))
        n = len(xs)
        outputs = []
        if not all(map(isinstance, weights, _ALWAYS_SEQUENCE)):  # rows of other iterables are read once, as lists
            weights = [row if isinstance(row, (list, tuple)) else list(row) for row in weights]
        # that a layer's weights and biases are all Values (the usual case) is told by two C loops over all of them
        all_values = all(map(isinstance, biases, _ALWAYS_VALUE)) and all(
            map(isinstance, itertools.chain.from_iterable(weights), _ALWAYS_VALUE)
        )
        for row, bias in zip(weights, biases):
            if len(row) != n:
                raise ValueError(f"linear: got {len(row)} weights but {n} inputs")
            if not all_values and not (isinstance(bias, Value) and all(map(isinstance, row, _ALWAYS_VALUE))):
                *row, bias = _nodes((*row, bias))
            data = sum(map(operator.mul, map(_data_of, row), x_data), bias._data)  # b + w1 x1 + ...
            if relu and data < 0:  # as Value.relu: nan and -0.0 stay
                if data == -math.inf:  # (an off neuron's backward may skip its zeros only where z was finite)
                    outputs.append(_neuron_node(0.0, scalar_ops.linear_relu_saturated, (*row, *xs, bias)))
                    continue
                data = 0.0
            outputs.append(_neuron_node(data, op, (*row, *xs, bias)))
        return outputs

    # -- comparisons (plain bools) --------------------------------------------
    def __lt__(self, other: ValueLike) -> bool:
        return self._data < _constant(other)._data

    def __le__(self, other: ValueLike) -> bool:
        return self._data <= _constant(other)._data

    def __gt__(self, other: ValueLike) -> bool:
        return self._data > _constant(other)._data

    def __ge__(self, other: ValueLike) -> bool:
        return self._data >= _constant(other)._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Value, int, float)):
            return self._data == _constant(other)._data
        if (isinstance(other, np.generic) or (isinstance(other, np.ndarray) and other.ndim == 0)) and (
            other.dtype.kind in "biuf"
        ):  # a numpy real number (np.float32(3), np.int64(3), a 0-d array) compares by value, as a float does
            return self._data == float(other)
        return NotImplemented

    __hash__ = Node.__hash__

    def __float__(self) -> float:
        return self._data

    def __int__(self) -> int:
        return int(self._data)

    def __trunc__(self) -> int:
        """``math.trunc(v)``: the data rounded toward 0, a plain int (no gradient)."""
        return math.trunc(self._data)

    def __divmod__(self, other: ValueLike) -> tuple[Value, Value]:
        """``divmod(v, w)``: ``(v // w, v % w)``, both recorded (Python's floor division and remainder)."""
        return self // other, self % other

    def __rdivmod__(self, other: ValueLike) -> tuple[Value, Value]:
        return other // self, other % self

    def __round__(self, ndigits: int | None = None) -> float | int:
        """``round(v)`` / ``round(v, 2)``: the data rounded as a plain Python number (no gradient)."""
        return round(self._data, ndigits)

    def __format__(self, spec: str) -> str:
        """``f"{v:.4f}"`` formats the data as a float; an empty spec gives ``str(v)``."""
        return format(self._data, spec) if spec else str(self)

    def clone(self) -> Value:
        """torch's ``clone()``: a new node with this Value's number, d/dx = 1 (``np.clip(v, None, None)``'s copy)."""
        return self._copy_in_graph()

    def item(self) -> float:
        """The number held, as a Python float (torch's ``item()`` on a one-element tensor)."""
        return self._data

    def numel(self) -> int:
        """1, the number of elements of a one-element tensor (torch's ``numel()``), so the count students copy
        from torch, ``sum(p.numel() for p in model.parameters())``, counts a scalar ``nn.MLP``'s parameters too."""
        return 1

    def conjugate(self) -> Value:
        """The Value itself: a real number is its own conjugate (``float.conjugate``). numpy's ``var`` and ``std`` of
        a list of Values square it as ``x * x.conjugate()``, so they stay in the graph."""
        return self

    def __bool__(self) -> bool:
        return self._data != 0.0

    # -- graph utilities -----------------------------------------------------
    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the parents, as a set (its ``draw_dot`` and ``trace`` walk it); ``parents`` keeps
        their order."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's label of the operation that made this Value: ``'+'``, ``'*'``, ``'**2'``, ``'ReLU'`` for
        micrograd's own ops, the op's name for the others (``'tanh'``, ``'sub'``), ``''`` for a leaf."""
        if self.op is None:
            return ""
        name = self.op.name
        if name == "pow" and len(self.parents) == 1 and isinstance(self.op_inputs[1], float):
            exponent = self.op_inputs[1]
            return f"**{int(exponent) if exponent.is_integer() else exponent}"
        return _MICROGRAD_LABELS.get(name, name)

    def _backward(self) -> None:
        """micrograd's one step of backprop by hand: add ``self.grad`` times each local derivative into the
        parents' ``.grad`` (``o.grad = 1.0; o._backward(); n._backward()`` walks a graph as the lecture does);
        a leaf has nothing to pass on. ``backward()`` does every step, in order, for you."""
        grad = self._grad._data if isinstance(self._grad, Node) else self._grad
        for parent, contribution in local_gradients(self, 0.0 if grad is None else grad):
            parent._grad = (parent._grad or 0.0) + float(contribution)

    def detach(self) -> Value:
        """A new constant Value with the same data, cut from the graph."""
        return _constant(self._data)

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Reset ``.grad`` to 0.0 (a Value's gradient is a number, so ``set_to_none`` also gives 0.0)."""
        self._grad = 0.0

    def _seed_gradient(self, grad: Any, create_graph: bool) -> Any:
        if grad is None:
            seed = 1.0
        elif isinstance(grad, Value) and create_graph:
            return grad  # its graph stays: the result can be differentiated with respect to the seed
        else:
            data = shared_math.data_of(grad)
            if np.shape(data) != ():
                raise ValueError(f"backward: a Value's seed gradient is one number, got one of shape {np.shape(data)}")
            seed = _real_number(data, "backward: the seed gradient")
        return _constant(seed) if create_graph else seed

    def _checked_assigned_grad(self, value: Any) -> Any:
        # a number (micrograd's ``p.grad = 0``, a Python number kept as written), a Value (a gradient kept with
        # create_graph), or None; a numpy number or an array of one becomes a float, so later sums stay float64
        if value is None or isinstance(value, Value):
            return value
        if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
            return float(value.item())
        if isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return value if type(value) is int or type(value) is float else float(value)
        raise TypeError(f"assigned grad of a Value must be a number, a Value or None, got {type(value).__name__}")

    def _add_to_grad(self, total: Any) -> None:
        previous = self._grad
        if isinstance(total, Node):
            self._grad = total if previous is None else previous + total
        else:  # a grad set to None (torch's "no gradient yet") starts over from the total
            self._grad = float(total) if previous is None else self._grad_plus(float(total))

    @classmethod
    def _wrap_constant(cls, data: Any) -> Value:
        return cls._make(float(data))

    def _copy_in_graph(self) -> Value:
        return self * 1.0  # exact for every float (signed zeros, infinities, nan), and recorded as d/dx = 1

    def _match_gradient(self, contribution: Any, create_graph: bool) -> Any:
        if create_graph and not isinstance(contribution, Node):
            return _constant(contribution)
        return contribution

    @staticmethod
    def _where(condition: Any, x: Any, y: Any) -> Any:
        return x if condition else y

    # -- hooks of numpy's elementwise functions (autograd.numpy_functions) ----------------
    def _apply_unary(self, op: Any, function: Any) -> Value:
        return _unary_op_node(shared_math.numpy_scalar(function, self._data), op, self)

    def _apply_binary(self, other: ValueLike, op: Any, function: Any, reflected: bool = False) -> Value:
        def forward(a: float, b: float) -> float:
            return shared_math.numpy_scalar(function, a, b)

        return _record(op, forward, other, self) if reflected else _record(op, forward, self, other)

    def _test(self, predicate: Any) -> bool:
        return bool(predicate(self._data))

    def __repr__(self) -> str:
        """micrograd's ``Value(data=..., grad=...)``: the numbers in full, as Python prints a float (``data=2.0``,
        ``data=0.7071067811865476``), and a gradient still zero as micrograd's integer start, ``grad=0``."""
        label = f", label={self.label!r}" if self.label else ""
        grad = self._grad._data if isinstance(self._grad, Node) else self._grad
        if grad is None:  # (set so: torch's "no gradient yet")
            grad_text = "None"
        else:
            grad_text = "0" if grad == 0 else repr(float(grad))
        return f"Value(data={float(self.data)!r}, grad={grad_text}{label})"


#: ``map(isinstance, items, _ALWAYS_VALUE)`` tests every item against Value (C loop, no Python call per item).
_ALWAYS_VALUE = itertools.repeat(Value)
_ALWAYS_SEQUENCE = itertools.repeat((list, tuple))


_op_node, _unary_op_node, _binary_op_node = Value._from_op, Value._from_unary_op, Value._from_binary_op


def _neuron_node(data: float, op: Op, parents: tuple[Value, ...]) -> Value:
    """``Value._from_op(data, op, parents)`` for a float and three parents or more (a neuron of ``Value.linears``):
    the same fields, without the tests only arrays and nodes of one or two parents need (as ``_from_binary_op``)."""
    node = _new_object(Value)
    node._data = data
    node._grad = 0.0
    if not _not_recording or _mode.enabled:
        for parent in parents:
            if parent._requires_grad:
                node._requires_grad = True
                node._inputs = parents
                node._second = None
                node.op = op
                node.attrs = None
                node._recorded_at = next(_ticks)
                if _anomaly_blocks.open and _mode.anomaly is not None:
                    _mode.anomaly.on_record(node)
                return node
    return _unrecorded(node)
