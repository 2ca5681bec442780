"""Math that works on plain numbers, numpy arrays and graph nodes alike.

Derivative rules are written with these functions (and Python operators), so a
rule evaluated on raw data gives a first derivative, and the same rule evaluated
on graph nodes records a graph that can be differentiated again.

Plain Python floats follow IEEE semantics as numpy does: overflow gives inf and
domain errors give nan or -inf instead of raising.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .core import Node
from .default_dtype import get_default_dtype
from .quiet import quiet
from .row_scatter import scatter_add_along
from .shape_errors import ArgumentRangeError, is_integer

_PLAIN = (float, int, bool)


def shares_memory(array: np.ndarray, source: np.ndarray) -> bool:
    """Whether ``array`` may view ``source``'s memory: ``np.may_share_memory``, or :func:`empty_view_of`."""
    return np.may_share_memory(array, source) or empty_view_of(array, source)


def empty_view_of(array: np.ndarray, source: np.ndarray) -> bool:
    """Whether ``array`` is empty and views the same memory owner (the end of the ``.base`` chain) as ``source``,
    as ``x[:0]`` does: ``np.may_share_memory`` says False for an array of no elements, but torch's empty slice is a
    view all the same."""
    return array.size == 0 and _memory_owner(array) is _memory_owner(source)


def _memory_owner(array: np.ndarray) -> np.ndarray:
    """The array at the end of ``array``'s chain of bases: the one that owns the memory it views."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def data_of(x: Any) -> Any:
    """The raw number/array behind ``x`` (``x.data`` for a node, else ``x``)."""
    return x._data if isinstance(x, Node) else x


def floating(tensor: Any) -> Any:
    """``tensor``, or its copy (recorded) in the default floating dtype (:func:`autograd.get_default_dtype`, as
    torch's) if it holds integers or booleans: the operand of an op whose result is a float, computed without integer
    wrap-around (uint8 0 - 255 is 1). A Value (a float already) as it is."""
    data = tensor._data
    return tensor if not isinstance(data, np.ndarray) or data.dtype.kind == "f" else tensor.astype(get_default_dtype())


def exp(x: Any) -> Any:
    """e**x."""
    if isinstance(x, Node):
        return x.exp()
    if type(x) in _PLAIN:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf
    return np.exp(x)


def log(x: Any) -> Any:
    """Natural logarithm; log(0) = -inf and log(x<0) = nan for plain numbers."""
    if isinstance(x, Node):
        return x.log()
    if type(x) in _PLAIN:
        if x > 0:
            return math.log(x)
        if x == 0:
            return -math.inf
        return math.nan
    return np.log(x)


def sqrt(x: Any) -> Any:
    """Square root; nan for negative plain numbers."""
    if isinstance(x, Node):
        return x.sqrt()
    if type(x) in _PLAIN:
        return math.sqrt(x) if x >= 0 else math.nan
    return np.sqrt(x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    if isinstance(x, Node):
        return x.tanh()
    if type(x) in _PLAIN:
        return math.tanh(x)
    return np.tanh(x)


def sin(x: Any) -> Any:
    """Sine."""
    if isinstance(x, Node):
        return x.sin()
    if type(x) in _PLAIN:
        return math.sin(x) if math.isfinite(x) else math.nan
    return np.sin(x)


def cos(x: Any) -> Any:
    """Cosine."""
    if isinstance(x, Node):
        return x.cos()
    if type(x) in _PLAIN:
        return math.cos(x) if math.isfinite(x) else math.nan
    return np.cos(x)


def sigmoid(x: Any) -> Any:
    """Logistic function 1 / (1 + e**-x), split by sign so exp never overflows: e^x / (1 + e^x) for x < 0."""
    if isinstance(x, Node):
        return x.sigmoid()
    if type(x) in _PLAIN:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        if x != x:
            return math.nan
        z = math.exp(x)
        return z / (1.0 + z)
    # both sides at once, with no choice per entry: e^min(x, 0) / (1 + e^-|x|) is 1 / (1 + e^-x) where x >= 0 and
    # e^x / (1 + e^x) where x < 0 (there e^-|x| is e^x), and neither exp can overflow
    x = np.asarray(x)
    denominator = np.exp(-np.abs(x))  # float16/32 kept; ints as exp gives them
    numerator = np.exp(np.minimum(x, 0))
    if x.ndim:  # (in place: of a 0-d array, exp gives a numpy scalar)
        denominator += 1
        numerator /= denominator
        return numerator
    return np.asarray(numerator / (1 + denominator))


def softplus(x: Any) -> Any:
    """log(1 + e**x) computed as max(x, 0) + log1p(e**-|x|)."""
    if isinstance(x, Node):
        return x.softplus()
    if type(x) in _PLAIN:
        if x != x:
            return math.nan
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    if type(x) is np.ndarray and x.dtype.kind == "f" and x.ndim:  # in two arrays, not six
        tail = np.abs(x)
        np.negative(tail, out=tail)
        np.exp(tail, out=tail)
        np.log1p(tail, out=tail)
        # clip to [0, inf), not numpy's maximum (twice a clip's time): the same numbers but the sign of a zero (at
        # x = -0.0), which the sum with log1p(1) does not keep; nan stays nan
        positive = np.clip(x, 0, None)
        positive += tail
        return positive
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def exponential_linear(x: np.ndarray, alpha: float, divisor: float = 1.0) -> np.ndarray:
    """x where x > 0, else alpha (e^(x / divisor) - 1), of a float array, for alpha > 0 and divisor > 0 (elu's and
    celu's forward), without a choice per entry: clip(x, -0, inf) + alpha expm1(clip(x, -inf, 0) / divisor).

    The sum is exactly one piece's value, sign of zero included: where x > 0 the second term is alpha expm1(0) = +0,
    and x + 0 = x; elsewhere the first is -0.0 (clip's bound; +0 at x = +0, where the second is +0 too), and
    -0.0 + v = v for every v, -0.0 and an underflowed product included; nan stays nan. Four passes and one
    array besides the result (a select cost five passes more on top of numpy's minimum, twice clip's time)."""
    if x.ndim == 0:  # (clip of a 0-d array gives a numpy scalar)
        return exponential_linear(x.reshape(1), alpha, divisor).reshape(())
    negative = np.clip(x, -np.inf, 0)  # (x itself at -0.0 and nan)
    if divisor != 1:
        negative /= divisor
    np.expm1(negative, out=negative)
    if alpha != 1:
        negative *= alpha
    positive = np.clip(x, -0.0, np.inf)
    positive += negative
    return positive


def two_valued(mask: np.ndarray, if_true: float, if_false: float, dtype: Any) -> np.ndarray:
    """An array of ``dtype`` (a float dtype) that is ``if_true`` where ``mask`` (a bool array, not 0-d) holds and
    ``if_false`` elsewhere, without a choice per entry: the bits of if_false plus ``mask`` times (if_true's bits -
    if_false's), as unsigned integers (the difference wraps, and so does the sum, back to if_true's bits), in two
    passes. A product with a factor 1 or s made so is exactly x or x * s, inf, nan and the sign of zero included
    (x * 1 is x), in three passes besides the mask's, where a select of x and x * s took six."""
    dtype = np.dtype(dtype)
    unsigned = np.dtype(f"u{dtype.itemsize}")
    true_bits, false_bits = (int(np.array(value, dtype=dtype).view(unsigned)) for value in (if_true, if_false))
    bits = np.multiply(mask, unsigned.type((true_bits - false_bits) % (1 << (8 * dtype.itemsize))), dtype=unsigned)
    bits += unsigned.type(false_bits)
    return bits.view(dtype)


def prelu_values(data: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """torch's prelu on arrays: data where data > 0, else weight * data, for a ``weight`` of data's dtype that is
    0-d or broadcasts along its channels (x w may overflow, silently, as torch's); the op ``prelu``'s forward."""
    with quiet():
        if weight.ndim == 0 and data.ndim:
            return np.asarray(leaky_linear(data, weight))
        return np.asarray(select(data > 0, data, data * weight))


def leaky_linear(x: np.ndarray, slope: float) -> np.ndarray:
    """x where x > 0, else x * slope (leaky_relu's forward), of a float array: x times a factor 1 where x > 0 and
    ``slope`` elsewhere (:func:`two_valued`), written into the factor's array. x * 1 is x, so the values are a
    select's bit for bit (-0.0, nan and a product that underflows included), for every slope, negative and 0 too,
    and nothing overflows where x > 0 (x * slope is not formed there)."""
    if x.ndim == 0:  # (a comparison of a 0-d array gives a numpy bool, which has no view)
        return leaky_linear(x.reshape(1), slope).reshape(())
    return leaky_product(x, x, slope)


def leaky_product(values: np.ndarray, x: np.ndarray, slope: Any) -> np.ndarray:
    """``values`` where x > 0, else values * slope (at nan too), for float arrays of one dtype and shape (not 0-d):
    values times a factor 1 or ``slope`` made from the mask's bits (:func:`two_valued`), written into the factor's
    array; leaky_linear's forward (values = x) and the slopes' rules (values = g). values * 1 is values, inf, nan and
    -0.0 included, and values * slope may overflow to inf, or be inf * 0 = nan for a slope 0, silently, as torch's."""
    factor = two_valued(np.greater(x, 0), 1, slope, x.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.multiply(values, factor, out=factor)


def rounded_to_decimals(a: Any, decimals: int) -> Any:
    """round(a 10^d) / 10^d for d >= 0, round(a / 10^-d) 10^-d for d < 0 (halves to even), computed in a's float dtype
    as torch's kernel: a power 10^|d| beyond the dtype is inf, so the result is nan there (inf / inf, 0 inf).
    Integers and booleans, as the out-of-place round: unchanged for d >= 0, for d < 0 rounded in float64 and cast back
    (an integer power 10^|d| would wrap around)."""
    array = np.asarray(a)
    floating = array.dtype.kind == "f"
    if not floating and decimals >= 0:
        return array.copy()
    with np.errstate(all="ignore"):
        power = np.power(array.dtype.type(10) if floating else np.float64(10), abs(decimals))
        result = np.round(array / power) * power if decimals < 0 else np.round(array * power) / power
    return result.astype(array.dtype, copy=False)


def numpy_scalar(function: Any, *args: Any) -> float:
    """Evaluate a numpy ufunc on float64 scalars, silently, for IEEE edge cases."""
    with np.errstate(all="ignore"):
        return float(function(*(np.float64(a) for a in args)))


def power(x: Any, y: Any) -> Any:
    """x**y with numpy's IEEE results for plain numbers (0**-1 = inf, (-8)**0.5 = nan).

    x**0.5 is sqrt(x), as numpy's and torch's power compute it: (-0.0)**0.5 = -0.0 and (-inf)**0.5 = nan, where
    C's pow gives +0.0 and +inf."""
    if isinstance(x, Node) or isinstance(y, Node):
        return x**y
    if type(x) in _PLAIN and type(y) in _PLAIN:
        if y == 0.5:
            return math.sqrt(x) if x >= 0 else math.nan  # (math.sqrt(-0.0) is -0.0; nan >= 0 is False)
        try:
            result = float(x) ** y
        except (ZeroDivisionError, OverflowError):
            return numpy_scalar(np.power, x, y)
        return math.nan if isinstance(result, complex) else result
    return array_power(x, y)


def array_power(x: Any, y: Any) -> Any:
    """np.power(x, y), except that integers raised to an array of integer exponents follow torch where an exponent
    is negative (see :func:`integer_power`; numpy refuses them, as torch refuses a negative scalar exponent)."""
    if type(y) is np.ndarray and y.dtype.kind in "iu" and np.asarray(x).dtype.kind in "iub":  # (a bool base too)
        return integer_power(x, y)
    if type(x) is np.ndarray and x.dtype.kind == "f":
        exponent = _one_real_exponent(y)
        if exponent is not None and exponent not in _NUMPY_FAST_EXPONENTS and exponent.is_integer():
            return _integral_power(x, y, exponent)
    return np.power(x, y)


def boolean_power(x: Any, y: Any) -> Any:
    """x ** y of a boolean x and a boolean exponent y, as torch's ``bool_tensor ** True``: a boolean, x itself for
    True and all True for False (x^1 = x, x^0 = 1); numpy's np.power of booleans gives int8."""
    return np.logical_or(x, np.logical_not(y))


def _one_real_exponent(y: Any) -> float | None:
    """y as a float when it is one real number (a Python or numpy number, or a 0-d real array), else None."""
    if type(y) is np.ndarray:
        return float(y) if y.ndim == 0 and y.dtype.kind in "iuf" else None
    if isinstance(y, (int, float, np.integer, np.floating)) and not isinstance(y, (bool, np.bool_)):
        return float(y)
    return None


#: The exponents numpy's power computes without libm's pow (a square, a reciprocal, a copy, ones).
_NUMPY_FAST_EXPONENTS = (-1, 0, 1, 2)


def _integral_power(x: np.ndarray, y: Any, n: float) -> np.ndarray:
    """x**y for a float array and an exponent y of integral value n: |x|**n, with x's sign where n is odd, which
    is the value pow gives (IEEE pow of a negative base and an integral exponent is +-pow(|x|, n), -0 and -inf
    included); libm's pow takes a slow path for every negative base (60 ns an entry, 1.4 ns for a positive one:
    x**3 of 16k float32 entries 1 ms, this way 30 us)."""
    magnitude = np.power(np.abs(x), y)  # y: the exponent as given (its dtype promotes as np.power's); n its value
    if n % 2:  # an odd exponent keeps the base's sign
        return np.copysign(magnitude, x, out=magnitude if type(magnitude) is np.ndarray else None)
    return magnitude


def integer_power(x: Any, y: np.ndarray) -> np.ndarray:
    """x**y of integers with an array of exponents, as torch's: x**-k (k > 0) is 1/x**k truncated, so 1 for
    x = 1, +-1 for x = -1 (by the parity of k), 0 otherwise (numpy refuses negative integer powers)."""
    negative = y < 0
    if not negative.any():
        return np.power(x, y)
    result = np.power(x, np.where(negative, 0, y).astype(y.dtype, copy=False))
    inverse = np.where(x == 1, 1, np.where(x == -1, np.where(y % 2 == 0, 1, -1), 0))  # (True == 1: a bool base)
    return np.where(negative, inverse, result).astype(result.dtype, copy=False)


def divide(x: Any, y: Any) -> Any:
    """x / y with IEEE results for plain numbers (1/0 = inf, 0/0 = nan)."""
    if type(x) in _PLAIN and type(y) in _PLAIN:
        try:
            return x / y
        except ZeroDivisionError:
            return numpy_scalar(np.divide, x, y)
    return x / y


def sign(x: Any) -> Any:
    """-1, 0 or 1, nan at nan as numpy's (a constant: its derivative is zero)."""
    raw = data_of(x)
    if type(raw) in _PLAIN:
        return (raw > 0) - (raw < 0) if raw == raw else math.nan
    return np.sign(raw)


def abs_slope(x: Any) -> Any:
    """d|x|/dx: the sign of x, 0 at 0 and, as torch's, at nan (a constant: its derivative is zero)."""
    raw = data_of(x)
    if type(raw) in _PLAIN:
        return float((raw > 0) - (raw < 0))
    slope = np.sign(raw)
    if not math.isfinite(np.add.reduce(slope, axis=None)):  # a sum of signs is nan only if a sign is (one pass)
        slope = np.where(np.isnan(slope), 0, slope).astype(slope.dtype, copy=False)
    return slope


def hypot(x: Any, y: Any) -> Any:
    """sqrt(x**2 + y**2) without overflow or underflow."""
    if isinstance(x, Node):
        return x.hypot(y)
    if isinstance(y, Node):
        return y.hypot(x)
    if type(x) in _PLAIN and type(y) in _PLAIN:
        return math.hypot(x, y)
    return np.hypot(x, y)


def where(condition: Any, x: Any, y: Any) -> Any:
    """Elementwise ``x if condition else y``; ``condition`` is raw (not differentiated)."""
    if isinstance(x, Node) or isinstance(y, Node):
        node = x if isinstance(x, Node) else y
        return node._where(condition, x, y)
    if type(condition) in (bool, np.bool_):
        return x if condition else y
    return select(condition, x, y)


#: the signed integer type of each float width, to pick or clear the bits of floats with masks
SAME_WIDTH_INTEGER = {2: np.int16, 4: np.int32, 8: np.int64}
_BRANCH_FREE_SIZE = 8192  # np.where is as fast below this many entries


def select(condition: Any, x: Any, y: Any) -> Any:
    """``np.where(condition, x, y)`` of raw data, the same values bit for bit (inf, nan and -0.0 included).

    Float arrays of one dtype and of the condition's shape, or such an array and a Python number (numpy's weak
    scalar, which takes the array's dtype), are chosen between without a branch per entry: the result's bits
    are y's, xor-ed with (x xor y) where the condition holds (and-ed with a mask of all ones); numpy's loop
    branches on every entry, and on a condition as unpredictable as the signs of activations it costs several
    times the five passes of this one (six times with a number: ``where(x > 0, g, 0.0)``, a rule's usual form)."""
    bits = _branch_free_bits(condition, x, y)
    if bits is None:
        return np.where(condition, x, y)
    x_bits, y_bits, dtype = bits
    mask = condition.astype(x_bits.dtype)
    np.negative(mask, out=mask)  # 1 -> -1: every bit set
    chosen = np.bitwise_xor(x_bits, y_bits)
    np.bitwise_and(chosen, mask, out=chosen)
    np.bitwise_xor(chosen, y_bits, out=chosen)
    return chosen.view(dtype)


def _branch_free_bits(condition: Any, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.dtype] | None:
    """(x's bits, y's bits, the result's dtype) for :func:`select`'s branch-free choice, as integer arrays (a number
    as a 0-d one), or None where np.where must choose (other types, shapes or dtypes, a number the array's dtype
    does not hold exactly, a small array)."""
    if not (type(condition) is np.ndarray and condition.dtype == np.bool_ and condition.size >= _BRANCH_FREE_SIZE):
        return None
    array = x if type(x) is np.ndarray else y
    if not (
        type(array) is np.ndarray
        and array.dtype.kind == "f"
        and array.dtype.isnative  # (np.where gives the native dtype for the other byte order)
        and array.shape == condition.shape
    ):
        return None
    integer = SAME_WIDTH_INTEGER.get(array.dtype.itemsize)
    if integer is None:
        return None
    operands = []
    for operand in (x, y):
        if operand is array or (
            type(operand) is np.ndarray and operand.dtype == array.dtype and operand.shape == array.shape
        ):
            operands.append(operand.view(integer))
        elif type(operand) in (float, int):
            with np.errstate(all="ignore"):
                number = np.asarray(operand, dtype=array.dtype)
            if not (number == operand or operand != operand):  # rounded, or out of the dtype's range
                return None
            operands.append(number.view(integer))
        else:
            return None
    return operands[0], operands[1], array.dtype


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast ``x`` to ``shape`` (a read-only view for arrays)."""
    if isinstance(x, Node):
        return x.broadcast_to(shape)
    return np.broadcast_to(x, shape)


def safe_norm(array: Any) -> float:
    """Euclidean norm without overflow or underflow: max|a| * sqrt(sum((a / max|a|)^2)).

    Computed in float64; an empty array has norm 0; a non-finite entry gives inf or nan.
    """
    magnitudes = np.abs(np.asarray(array, dtype=np.float64))
    if magnitudes.size == 0:
        return 0.0
    with np.errstate(all="ignore"):
        largest = float(magnitudes.max())
        if largest == 0.0 or not math.isfinite(largest):
            return largest
        return largest * float(np.sqrt(np.sum((magnitudes / largest) ** 2)))


def _numpy_or_method(ufunc: np.ufunc) -> Any:
    """``ufunc`` on a number (a float with IEEE results) or an array; on a node, its method of the same name."""
    name = ufunc.__name__

    def function(x: Any) -> Any:
        if isinstance(x, Node):
            return getattr(x, name)()
        if type(x) in _PLAIN:
            return numpy_scalar(ufunc, x)
        return ufunc(x)

    function.__name__ = name
    function.__doc__ = f"numpy.{name} of a number, an array or a node (recorded)."
    return function


sinh = _numpy_or_method(np.sinh)
cosh = _numpy_or_method(np.cosh)


# -- the node/array dispatch of derivative rules: rules call these and never test node kinds -------------
def expand(x: Any, shape: tuple[int, ...]) -> Any:
    """``x`` broadcast to ``shape``: a new writable array for raw data, a recorded broadcast for a node."""
    if isinstance(x, Node):
        return x.broadcast_to(shape)
    expanded = np.empty(shape, dtype=x.dtype)
    expanded[...] = x
    return expanded


def products_of_others(rows: Any) -> Any:
    """For every entry of the last axis, the product of the other entries of its row.

    Exact when an entry is 0 (unlike prod / x_i). Arrays use exclusive cumulative
    products from both ends (O(n)); a node masks each entry to 1 in an (..., n, n)
    stack and takes its ``prod`` (differentiable again).
    """
    n = rows.shape[-1]
    lead = rows.shape[:-1]
    if isinstance(rows, Node):
        return where(np.eye(n, dtype=bool), 1.0, broadcast_to(rows[..., None, :], lead + (n, n))).prod(axis=-1)
    ones = np.ones(lead + (1,), dtype=rows.dtype)
    before = np.cumprod(np.concatenate([ones, rows[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, rows[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return before * after


def is_basic_index(index: Any) -> bool:
    """True if ``index`` selects by slices/ints only, so no element is picked twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(part is None or part is Ellipsis or isinstance(part, slice) or is_integer(part) for part in parts)


def scatter_add(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeats accumulate, like np.add.at); recorded for a node."""
    if isinstance(g, Node):
        return g._scatter_add(index, shape)
    along = _one_array_axis(index, len(shape))
    if along is not None and len(shape) > 1:  # (numpy's add.at is fast on 1-D)
        axis, positions = along
        if g.ndim == len(shape) - 1 + positions.ndim:  # the index's axes become one, of its size
            slices = g.reshape(g.shape[:axis] + (positions.size,) + g.shape[axis + positions.ndim :])
            return scatter_add_along(slices, positions.reshape(-1), axis, shape)
    flat = flat_positions(index, shape)
    if flat is not None and flat.shape == g.shape:
        # one integer array per axis (gather, take_along_axis, x[rows, cols]): np.add.at on the flattened array
        # (the same sums in the same order, 10x faster than np.add.at with a tuple of index arrays)
        result = np.zeros(math.prod(shape), dtype=g.dtype)
        np.add.at(result, flat.reshape(-1), g.reshape(-1))
        return result.reshape(shape)
    result = np.zeros(shape, dtype=g.dtype)
    if picks_each_once(index):  # no position picked twice: an assignment
        result[index] = g
    else:
        np.add.at(result, index, g)
    return result


def picks_each_once(index: Any) -> bool:
    """True if ``index`` picks no position twice: slices and ints only, or with them one boolean mask."""
    return is_basic_index(index) or _one_boolean_mask(index)


def _one_boolean_mask(index: Any) -> bool:
    """True if ``index`` is one boolean array (``x[mask]``, ``x[:, mask]``) beside slices and ints only: it picks
    every position at most once, so the gradient is assigned (np.add.at with a mask: 2-20x slower)."""
    parts = index if isinstance(index, tuple) else (index,)
    masks = [part for part in parts if isinstance(part, np.ndarray) and part.dtype == np.bool_]
    return len(masks) == 1 and is_basic_index(tuple(part for part in parts if part is not masks[0]))


#: Index arrays of fewer entries are left to numpy's own indexing, as fast there as the flat positions' checks.
FLAT_INDEX_ENTRIES = 2048


def flat_positions(index: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """For an ``index`` of one integer array per axis of ``shape`` (broadcast together), the positions it picks in
    the flattened C-ordered array, of the arrays' broadcast shape (a negative entry counts from the end); None for
    any other index, one of fewer than FLAT_INDEX_ENTRIES entries, or if an entry is out of range (numpy's own
    indexing then raises its error)."""
    if not (
        isinstance(index, tuple)
        and len(index) == len(shape) > 0
        and all(isinstance(part, np.ndarray) and part.dtype.kind in "iu" for part in index)
        and max(part.size for part in index) >= FLAT_INDEX_ENTRIES
    ):
        return None
    flat: Any = 0
    stride = 1
    compacted = False
    for part, length in zip(index[::-1], shape[::-1]):
        if 0 in part.strides:  # a broadcast view (take_along_axis's aranges) read without its repeats
            part = part[tuple(slice(0, 1) if step == 0 else slice(None) for step in part.strides)]
            compacted = True
        part = part.astype(np.intp, copy=False)  # (a narrow dtype cannot hold the product with the stride)
        if part.size:
            low, high = part.min(), part.max()
            if low < -length or high >= length:
                return None
            if low < 0:
                part = np.where(part < 0, part + length, part)
        flat = flat + part * stride
        stride *= length
    if compacted or isinstance(flat, int):
        return np.broadcast_to(flat, np.broadcast_shapes(*(part.shape for part in index)))
    return flat


def take_at(data: Any, index: Any) -> Any:
    """``data[index]``; for an array and one integer array per axis of which some are broadcast views
    (take_along_axis's and gather's aranges, which numpy's indexing reads entry by entry), read through the flat
    positions (see :func:`scatter_add`): several times faster."""
    if (
        isinstance(index, tuple)
        and any(isinstance(part, np.ndarray) and 0 in part.strides for part in index)
        and isinstance(data, np.ndarray)
        and data.flags.c_contiguous
    ):
        flat = flat_positions(index, data.shape)
        if flat is not None:
            return data.reshape(-1)[flat]
    return data[index]


def _one_array_axis(index: Any, ndim: int) -> tuple[int, np.ndarray] | None:
    """(axis, positions) if ``index`` picks along one axis by an integer array (of any shape but 0-d), every
    other axis whole (``x[idx]``, ``x[:, idx]``, ``x[..., idx]``); else None."""
    parts = index if isinstance(index, tuple) else (index,)
    arrays = [k for k, part in enumerate(parts) if isinstance(part, np.ndarray)]
    if len(arrays) != 1 or sum(part is Ellipsis for part in parts) > 1:
        return None
    k = arrays[0]
    positions = parts[k]
    if positions.ndim == 0 or positions.dtype.kind not in "iu":
        return None
    whole = slice(None)
    if not all(
        part is Ellipsis or (isinstance(part, slice) and part == whole) for j, part in enumerate(parts) if j != k
    ):
        return None
    if Ellipsis in parts[:k]:  # x[..., idx, :]: the array's axis counts from the end
        axis = ndim - (len(parts) - k)
    else:
        axis = k
    return (axis, positions) if 0 <= axis < ndim else None


def saved_unless_node(x: Any, saved: Any, rebuild: Any) -> Any:
    """``saved`` (computed by the forward pass) when ``x`` is raw data; ``rebuild(x)`` when ``x`` is a graph
    node (under ``create_graph``), so the result is itself differentiable with respect to ``x``, or when ``saved``
    is None (a pass that freed the graph released it: :attr:`~autograd.op.Op.releases`)."""
    return rebuild(x) if saved is None or isinstance(x, Node) else saved


def apply_linear(op: Any, function: Any, x: Any, **attrs: Any) -> Any:
    """``function(x, **attrs)`` on raw data; on a node, the same result recorded as a node of ``op``.

    The rules of linear primitives (unfold, fold) use it to apply their adjoint
    primitive, so their derivatives can be differentiated again.
    """
    if isinstance(x, Node):
        return type(x)._from_op(function(x._data, **attrs), op, (x,), attrs)
    return function(x, **attrs)


#: Sums over at most this many entries may be products with a cached vector of ones (see :func:`ones_vector`).
ONES_ROWS = 4096


@functools.lru_cache(maxsize=64)
def ones_vector(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones, made once per (n, dtype): sums as BLAS products (ones @ rows
    costs about half numpy's axis-0 sum of a short, wide matrix, a third of a sum over several axes;
    rows @ ones a third of numpy's sum along short rows)."""
    vector = np.ones(n, dtype=dtype)
    vector.flags.writeable = False
    return vector


def _slice_sums(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """x.sum(axis=axes, keepdims=True); the rows of a float32/float64 matrix of 32 rows or more as one BLAS
    product (below that numpy's loop is as fast)."""
    if axes == (1,) and x.ndim == 2 and x.dtype.char in "fd" and x.shape[0] >= 32 and x.shape[1] <= ONES_ROWS:
        return (x @ ones_vector(x.shape[1], x.dtype)).reshape(-1, 1)
    return np.add.reduce(x, axis=axes, keepdims=True)


def axis_sums(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """x.sum(axis=axes, keepdims=True) of an array, in its dtype. For a C-contiguous float32/float64 ``x`` the
    reduced axes at its end (a slice of at most ONES_ROWS entries) are summed as rows @ ones and those at its
    start (at most ONES_ROWS rows) as ones @ rows, one BLAS call each (numpy's sum over (0, 2, 3) of a
    (32, 16, 14, 14) array costs about 7 times the two products; over the last axis of (128, 256), 3 times);
    reduced axes between kept ones are summed by numpy, on those partial sums."""
    shape = x.shape
    if type(x) is not np.ndarray or x.dtype.char not in "fd" or not x.flags.c_contiguous or x.size == 0:
        return np.add.reduce(x, axis=axes, keepdims=True)
    end = x.ndim
    while end - 1 in axes and math.prod(shape[end - 1 :]) <= ONES_ROWS:
        end -= 1
    start = 0
    while start < end and start in axes and math.prod(shape[: start + 1]) <= ONES_ROWS:
        start += 1
    if start == 0 and end == x.ndim:
        return np.add.reduce(x, axis=axes, keepdims=True)
    inner, outer, middle = math.prod(shape[end:]), math.prod(shape[:start]), shape[start:end]
    sums = x.reshape(-1, inner) @ ones_vector(inner, x.dtype) if end < x.ndim else x
    if start:
        sums = ones_vector(outer, x.dtype) @ sums.reshape(outer, -1)
    sums = sums.reshape(middle)
    rest = tuple(axis - start for axis in axes if start <= axis < end)
    if rest:
        sums = np.add.reduce(sums, axis=rest, keepdims=True)
    return sums.reshape(tuple(1 if axis in axes else length for axis, length in enumerate(shape)))


#: Rows at most this wide have their maxima taken down a transposed copy (see :func:`_slice_maxima`).
NARROW_ROWS = 16


def _slice_maxima(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """x.max(axis=axes, keepdims=True). The maxima of the rows of a matrix of 32 rows or more and at most
    NARROW_ROWS columns (a batch of logits over a few classes) are taken down the columns of a transposed copy:
    numpy's loop along short rows pays per row (45 us for 1024 rows of 10, the copy and the column-wise
    maximum 7 us); the same comparisons, so the same values (NaNs included)."""
    if axes == (1,) and x.ndim == 2 and x.shape[0] >= 32 and 0 < x.shape[1] <= NARROW_ROWS:
        return np.maximum.reduce(np.ascontiguousarray(x.T), axis=0).reshape(-1, 1)
    return np.maximum.reduce(x, axis=axes, keepdims=True)


# -- the stable softmax: the one place it is computed --------------------------------------------------------
def softmax_parts(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(m, x - m, e^(x - m), sum e^(x - m)) along ``axes`` (keepdims), m the maximum of each slice.

    softmax = e^(x - m) / sum, log_softmax = x - m - log(sum), logsumexp = m + log(sum):
    shifting by m keeps every exponent <= 0, so nothing overflows, and the sum is >= 1
    when m is finite. A slice of -inf only is shifted by 0 instead (its sum is 0); one whose
    maximum is +inf is shifted by it, as torch's softmax, so x - m is nan at the +inf and the
    sum is nan: softmax and log_softmax are nan over the whole slice, as torch's (logsumexp,
    whose value there is +inf, sees to that itself); an empty input has sums 0.
    x - m <= 0 may round to -inf when x and m are far apart (x = -1e308, m = 1e308); then
    e^(x - m) = 0 is the right value. So call it inside ``np.errstate(all="ignore")``: every
    caller goes on to a log or a division of its own, and one guard around both costs less.
    """
    if x.size == 0:
        shift = np.zeros(tuple(1 if a in axes else n for a, n in enumerate(x.shape)), dtype=x.dtype)
        exponentials = np.exp(x)
        return shift, x, exponentials, np.add.reduce(exponentials, axis=axes, keepdims=True)
    shift = _softmax_shift(x, axes)
    shifted = x - shift
    exponentials = np.exp(shifted)
    return shift, shifted, exponentials, _slice_sums(exponentials, axes)


def _softmax_shift(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The maximum m of each slice of a non-empty ``x`` along ``axes`` (keepdims), 0 for a slice of -inf only
    (see :func:`softmax_parts`)."""
    shift = _slice_maxima(x, axes)
    # One reduction tells whether every maximum is finite (a sum that overflows only sends finite
    # maxima down the careful path, which keeps them).
    if not math.isfinite(np.add.reduce(shift, axis=None)):
        shift = np.where(shift == -np.inf, 0, shift).astype(x.dtype, copy=False)
    return shift


def softmax(x: Any, axes: tuple[int, ...]) -> Any:
    """e^x / sum(e^x) along ``axes``, stable (see :func:`softmax_parts`); recorded for a node.

    For an array, e^(x - m) and its quotient by the sum are written into the one result array (the difference's):
    three passes over x besides the maximum and the sum, one array.
    """
    if isinstance(x, Node):
        return x.softmax(axis=axes)
    with np.errstate(all="ignore"):  # softmax_parts' guards; an all -inf or +inf slice gives nan, as in numpy
        if x.size == 0 or x.ndim == 0:  # (0-d: x - m is a numpy scalar, not an array to write into)
            _, _, exponentials, total = softmax_parts(x, axes)
            return exponentials / total
        exponentials = np.subtract(x, _softmax_shift(x, axes))
        np.exp(exponentials, out=exponentials)
        exponentials /= _slice_sums(exponentials, axes)
        return exponentials


def log_softmax(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """x - m - log(sum e^(x - m)) along ``axes`` of an array, stable (see :func:`softmax_parts`): the log of the
    sum is subtracted in place from x - m, whose array is the result (e^(x - m) is a temporary)."""
    with np.errstate(all="ignore"):  # softmax_parts' guards, and log 0 = -inf in empty or -inf slices
        _, shifted, _, total = softmax_parts(x, axes)
        if shifted is x or shifted.ndim == 0:  # (an empty input is returned as x; a 0-d difference is a scalar)
            return shifted - np.log(total)
        shifted -= np.log(total)
        return shifted


def softmax_minus_one_hot(x: Any, index: np.ndarray, axis: int, probabilities: Any, scale: Any) -> Any:
    """(softmax(x) - onehot) * scale along ``axis``, the onehot being 1 at the flat (C-order)
    offsets ``index`` of x's entries.

    For raw data the forward pass's ``probabilities`` are reused (one copy, updated in
    place); for a node it is recorded from ``x`` (differentiable again). ``scale`` has
    the shape of x without ``axis``.
    """
    scale = scale.reshape(scale.shape[:axis] + (1,) + scale.shape[axis:])
    if isinstance(x, Node):
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot.reshape(-1)[index] = 1
        return (x.softmax(axis=axis) - onehot) * scale
    gradient = np.array(probabilities, order="C")  # a C-order copy, so reshape(-1) is a view of it
    gradient.reshape(-1)[index] -= 1
    gradient *= scale
    return gradient


def record(op: Any, function: Any, *inputs: Any, **attrs: Any) -> Any:
    """``function(*inputs, **attrs)`` on raw data; when some input is a node, the same result recorded as a
    node of ``op`` whose parents are the inputs (raw ones as constants), so it can be differentiated again (a
    Value's result as a float)."""
    node = next((x for x in inputs if isinstance(x, Node)), None)
    if node is None:
        return function(*inputs, **attrs)
    parents = tuple(x if isinstance(x, Node) else node._wrap_constant(x) for x in inputs)
    data = function(*(p._data for p in parents), **attrs)
    if not node.holds_arrays:  # a Value holds a float, not numpy's 0-d array or scalar
        data = float(data)
    return type(node)._from_op(data, op, parents, attrs or None)


def no_clip_bound_error() -> ArgumentRangeError:
    """clip's (clamp's) error for a call with neither bound, as torch's RuntimeError and numpy 1's ValueError (both
    bases of the ArgumentRangeError): Tensor's and Value's."""
    return ArgumentRangeError("clip/clamp: at least one of the bounds (low or min, high or max) must be given")


def bound_alias(name: str, value: Any, alias: str, alias_value: Any) -> Any:
    """clip's ``low``/``high`` given as ``min``/``max`` (the names of ``torch.clamp`` and ``ndarray.clip``); TypeError
    if both spellings are given."""
    if alias_value is None:
        return value
    if value is not None:
        raise TypeError(f"clip: got both {name}={value!r} and {alias}={alias_value!r} (the same bound); pass one")
    return alias_value
