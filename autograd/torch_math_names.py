"""torch's Tensor math methods that numpy spells differently or lacks: composites of recorded ops.

Each method is built from ops that already have derivative rules, so nothing here has a derivative of its own,
except ``logit`` and ``xlogy``: each is one recorded op here with torch's derivative rules (as composites their
masked branches turned an infinite slope into a NaN gradient, and they could not give torch's NaN gradient of
``logit`` outside [0, 1]).
Functions whose modules import ``Tensor`` (diag, kron, rot90, the linear algebra of :mod:`autograd.linalg`) are
reached through the registry of :mod:`autograd.array_methods` (:func:`array_function`), so imports stay one-way.

Deliberate differences from torch: ``xlogy``'s gradient with respect to ``other`` is 0 where ``self`` and
``other`` are both 0 (torch's ``self / other`` gives NaN there); ``heaviside`` returns a Tensor outside the graph
(torch records it and fails in backward). The order statistics (median, quantile, ...) are in :mod:`autograd.torch_order_statistics`.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, TypeVar

import numpy as np

from . import shared_math
from .accumulation import float16_via_float32
from .array_methods import array_function
from .broadcasting import AxisError, normalize_axes, single_axis
from .core import Node
from .deprecated_overloads import value_first
from .index_errors import EmptyReductionError
from .node_sequences import refuse_nodes_in_sequence
from .op import Op
from .pointwise_values import pointwise_value
from .quiet import quiet, quietly
from .random_state import generator_for
from .shape_errors import (
    ArgumentRangeError,
    DtypeKernelError,
    DtypeMismatchError,
    FloatingDtypeError,
    ShapeError,
    require_integer,
)
from .torch_keywords import all_if_empty

__all__ = [
    "LOGIT",
    "MantissaAndExponent",
    "MinAndMax",
    "MultinomialDtypeError",
    "SignAndLogAbsDet",
    "TorchMathNames",
    "logit_values",
]

Self = TypeVar("Self", bound="TorchMathNames")  # the Tensor a method is called on


def _refuse_integer_operands(op: str, tensor: Any, other: Any) -> None:
    """torch's NotImplementedError (a DtypeKernelError here) for an op with no integer kernel when both operands are
    integers or booleans (a Tensor's dtype, or a Python int or bool): torch promotes to no floating dtype there."""
    other_kind = other.dtype.kind if hasattr(other, "dtype") else np.asarray(other).dtype.kind
    if tensor.dtype.kind in "iub" and other_kind in "iub":
        raise DtypeKernelError(
            f"{op}: not implemented for integer or boolean operands ({tensor.dtype} and {np.asarray(other).dtype}), "
            f'as torch\'s "{op}_cpu"; cast to a floating dtype first'
        )


class MultinomialDtypeError(TypeError, RuntimeError):
    """Integer or boolean weights given to ``multinomial``: a TypeError (the house rule for dtypes) that is also the
    RuntimeError torch raises ("multinomial only supports floating-point dtypes"), so code written for either
    catches it."""


class CovWeightsDtypeError(TypeError, RuntimeError):
    """``cov``'s fweights not of integers or aweights not floating: a TypeError (the house rule for dtypes) that is
    also the RuntimeError torch raises ("expected fweights to have integral dtype")."""


class MinAndMax(NamedTuple):
    """torch's ``aminmax`` result (``torch.return_types.aminmax``): the minimum and the maximum."""

    min: Any
    max: Any


class MantissaAndExponent(NamedTuple):
    """torch's ``frexp`` result: x = mantissa 2^exponent, |mantissa| in [0.5, 1) (0 for 0)."""

    mantissa: Any
    exponent: Any


class SignAndLogAbsDet(NamedTuple):
    """torch's ``slogdet`` result: the determinant's sign (gradient 0) and log |det|."""

    sign: Any
    logabsdet: Any


def _tensor(names: Any) -> Any:
    """``names`` as the Tensor it is (Tensor is the only class with these methods), for the type checker."""
    return names


def _data(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Node) else x)


def _operand(tensor: Any, x: Any) -> Any:
    """``x`` as a Tensor: a Python number takes ``tensor``'s floating dtype, as in arithmetic (one beyond its range
    is its inf, as torch's, without numpy's overflow warning)."""
    if isinstance(x, Node):
        return x
    if isinstance(x, (list, tuple)):
        refuse_nodes_in_sequence(x, "operand")
    like = tensor._data.dtype if isinstance(x, (int, float)) and tensor._data.dtype.kind == "f" else None
    return type(tensor)._make(quietly(np.asarray, x, dtype=like))


def _scaled_by_power_of_two(tensor: Any, exponent: np.ndarray) -> Any:
    """``tensor`` (floating) times 2^``exponent`` (an integer array), exact, as one node of :data:`_LDEXP`."""
    shape = np.broadcast_shapes(tensor.shape, exponent.shape)
    if tensor.shape != shape:
        tensor = tensor.broadcast_to(shape)  # (recorded: the gradient is summed back to the input's shape)
    limit = _LDEXP_EXPONENT_LIMIT
    exponent = np.broadcast_to(np.clip(exponent, -limit, limit).astype(np.int64), shape)
    return type(tensor)._from_op(_ldexp_values(tensor._data, exponent), _LDEXP, (tensor,), {"exponent": exponent})


def _zero_gradient(tensor: Any, values: Any) -> Any:
    """``values`` (broadcast to ``tensor``'s shape) as a result that stays in ``tensor``'s graph with gradient 0."""
    values = np.asarray(values, dtype=tensor._data.dtype)
    return tensor._where(np.ones(np.broadcast_shapes(values.shape, tensor.shape), dtype=bool), values, tensor)


def _constant(tensor: Any, array: Any) -> Any:
    """``array`` as a Tensor outside the graph (integer results, predicates)."""
    return type(tensor)._make(np.asarray(array))


def _scaled_sum(op: str, input: Any, product: Any, beta: Any, alpha: Any) -> Any:
    """beta input + alpha product, ``input`` broadcast to the product's shape. A zero beta (alpha) drops that
    term entirely, NaN and inf included, as torch does; the dropped operand gets gradient 0. Of integer or boolean
    operands, a number beta and alpha are first converted to their dtype, as torch's (0.6 is 0 for int64, truncated
    toward zero; 3 is True for bool, whose sum is a logical or), so the result keeps the dtype."""
    shape = product.shape
    dtype = np.result_type(input.dtype, product.dtype)
    if dtype.kind in "iub":
        beta, alpha = (dtype.type(x) if isinstance(x, (int, float, np.number)) else x for x in (beta, alpha))
    try:
        fits = np.broadcast_shapes(input.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{op}: input of shape {input.shape} does not broadcast to the product's shape {shape}")
    scaled = _zero_gradient(product, 0) if alpha == 0 else product if alpha == 1 else product * alpha
    if beta == 0:
        return input._where(np.ones(shape, dtype=bool), scaled, input)
    return (input if beta == 1 else input * beta) + scaled


def _matrices_product(op: str, first: Any, second: Any, ndim: int) -> Any:
    """``first @ second`` of two ``ndim``-D operands (matrices, or batches of them) whose inner sizes agree."""
    if first.ndim != ndim or second.ndim != ndim or first.shape[-1] != second.shape[-2]:
        kind = "matrices" if ndim == 2 else f"{ndim}-D batches of matrices"
        raise ShapeError(f"{op}: expects two {kind} that multiply, got shapes {first.shape} and {second.shape}")
    if ndim == 3 and first.shape[0] != second.shape[0]:
        raise ShapeError(f"{op}: batch sizes differ, got shapes {first.shape} and {second.shape}")
    return first @ second


def _square_matrices(tensor: Any, op: str) -> None:
    if tensor.ndim < 2 or tensor.shape[-1] != tensor.shape[-2]:
        raise ShapeError(f"{op}: expected square matrices in the last two axes, got shape {tensor.shape}")


def _logit_bounds(eps: float, dtype: np.dtype) -> tuple[Any, Any]:
    """torch's clamp of logit: [eps, 1 - eps] in the input's dtype."""
    low = np.asarray(eps, dtype=dtype)[()]
    return low, np.asarray(1, dtype=dtype)[()] - low


def logit_values(x: np.ndarray, eps: float | None) -> np.ndarray:
    """torch's logit kernel: z = x < lo ? lo : (x > hi ? hi : x) if ``eps`` is given, then log(z / (1 - z))."""
    if eps is not None:
        low, high = _logit_bounds(eps, x.dtype)
        x = np.where(x < low, low, np.where(x > high, high, x))
    with quiet():
        return np.log(x / (1 - x))


def _logit_rule(g: Any, out: Any, x: Any, eps: float | None) -> Any:
    """torch's logit_backward: g / (x (1 - x)); NaN where x < 0 or x > 1 without ``eps``, 0 where x < eps or
    x > 1 - eps with it (x itself, not clamped; NaN at NaN). The masked x is replaced, so higher orders stay
    finite there."""
    raw = shared_math.data_of(x)
    if eps is None:
        outside, fill = (raw < 0) | (raw > 1), math.nan
    else:
        low, high = _logit_bounds(eps, np.result_type(raw))  # (a Value's raw x is a float)
        outside, fill = (raw < low) | (raw > high), 0.0
    if not np.any(outside):
        return g / (x * (1 - x))
    inside = shared_math.where(outside, 0.5, x)
    return shared_math.where(outside, fill, g / (inside * (1 - inside)))


LOGIT = Op("logit", _logit_rule)


def _nextafter_values(x: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The next float after x towards other (past the largest, inf, without numpy's overflow warning, as torch's)."""
    with quiet():
        return np.nextafter(x, other)


def _nextafter_rule(g: Any, out: Any, x: Any, other: Any) -> Any:
    """torch's nextafter backward: g where x != other (nan and infinities too), 0 where they are equal."""
    moves = shared_math.data_of(x) != shared_math.data_of(other)
    return g if np.all(moves) else shared_math.where(moves, g, 0.0)


def _nextafter_other_rule(g: Any, out: Any, x: Any, other: Any) -> Any:
    """torch's d/dother of nextafter: zeros (the result moves only by self)."""
    return shared_math.where(np.zeros(np.shape(shared_math.data_of(g)), dtype=bool), g, 0.0)


_NEXTAFTER = Op("nextafter", _nextafter_rule, _nextafter_other_rule)


def xlogy_values(x: Any, y: Any) -> np.ndarray:
    """torch's xlogy kernel: NaN where y is NaN, else 0 where x = 0, else x log(y)."""
    x, y = np.asarray(x), np.asarray(y)
    dtype = np.result_type(x, y)
    if dtype.kind == "f":  # log y in the result's precision (a float16 y beside a float64 x)
        x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    with quiet():
        product = x * np.log(y)
    return np.where(np.isnan(y), np.nan, np.where(x == 0, 0, product)).astype(product.dtype, copy=False)


def _xlogy(x: Any, y: Any) -> Any:
    """xlogy of numbers, arrays or nodes (recorded when some input is a node)."""
    return shared_math.record(XLOGY, xlogy_values, x, y)


def _xlogy_x_rule(g: Any, out: Any, x: Any, y: Any) -> Any:
    """torch's d/dx: xlogy(g, y), 0 where x = 0 and y <= 0 (there y is replaced by 1 inside, for higher orders)."""
    flat = (shared_math.data_of(x) == 0) & (shared_math.data_of(y) <= 0)
    if not np.any(flat):
        return _xlogy(g, y)
    return shared_math.where(flat, 0.0, _xlogy(g, shared_math.where(flat, 1.0, y)))


def _xlogy_y_rule(g: Any, out: Any, x: Any, y: Any) -> Any:
    """torch's d/dy: g x / y, but 0 where x = y = 0 (torch's 0 / 0 = NaN; see the module's docstring)."""
    undefined = (shared_math.data_of(x) == 0) & (shared_math.data_of(y) == 0)
    if not np.any(undefined):
        return g * x / y
    return shared_math.where(undefined, 0.0, g * x / shared_math.where(undefined, 1.0, y))


XLOGY = Op("xlogy", _xlogy_x_rule, _xlogy_y_rule)

#: Integer exponents of ``ldexp`` beyond this size scale every finite nonzero float to 0 or inf (float64's range
#: spans 2^-1074..2^1024), so they are clipped to it before numpy's ldexp, which takes 32-bit ones.
_LDEXP_EXPONENT_LIMIT = 1 << 16


def _ldexp_values(x: Any, exponent: np.ndarray) -> Any:
    """x 2^exponent for an integer ``exponent``, exact (the scaling of IEEE's ldexp: no power of two is formed, so
    0 2^255 is 0 in float32, not 0 inf = NaN; a subnormal scaled up keeps its bits)."""
    with quiet():
        return np.ldexp(x, exponent)


def _ldexp_rule(g: Any, out: Any, x: Any, exponent: np.ndarray) -> Any:
    """d/dx x 2^e = 2^e: g 2^e, again by ldexp (recorded under create_graph, so every order is available)."""
    return shared_math.record(_LDEXP, _ldexp_values, g, exponent=exponent)


_LDEXP = Op("ldexp", _ldexp_rule)


class TorchMathNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's math method names."""

    __slots__ = ()

    # -- scaled sums of products ------------------------------------------------------------------
    @float16_via_float32
    def addcmul(self: Self, tensor1: Any, tensor2: Any, value: Any = 1) -> Self:
        """torch.Tensor.addcmul: self + value t1 t2 (broadcast); d/dt1 = value t2, d/dt2 = value t1 (torch's
        deprecated ``addcmul(value, tensor1, tensor2)`` too)."""
        tensor1, tensor2, value = value_first("addcmul", tensor1, tensor2, value)
        return self._pointwise_sum("addcmul", tensor1, tensor2, value, lambda a, b: a * b)

    @float16_via_float32
    def addcdiv(self: Self, tensor1: Any, tensor2: Any, value: Any = 1) -> Self:
        """torch.Tensor.addcdiv: self + value t1 / t2 (broadcast); d/dt1 = value / t2, d/dt2 = -value t1 / t2^2
        (torch's deprecated ``addcdiv(value, tensor1, tensor2)`` too)."""
        tensor1, tensor2, value = value_first("addcdiv", tensor1, tensor2, value)
        return self._pointwise_sum("addcdiv", tensor1, tensor2, value, lambda a, b: a / b)

    def _pointwise_sum(self, op: str, tensor1: Any, tensor2: Any, value: Any, combine: Any) -> Any:
        tensor = _tensor(self)
        first, second = _operand(tensor, tensor1), _operand(tensor, tensor2)
        try:
            np.broadcast_shapes(tensor.shape, first.shape, second.shape)
        except ValueError:
            raise ShapeError(
                f"{op}: shapes {tensor.shape}, {first.shape} and {second.shape} do not broadcast together"
            ) from None
        value = pointwise_value(op, value, tensor.dtype, first.dtype, second.dtype)
        term = combine(first, second)
        return tensor + (term if value == 1 else term * value)

    @float16_via_float32
    def addmm(self: Self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Self:
        """torch.Tensor.addmm: beta self + alpha mat1 @ mat2 (self broadcast to the product's shape); beta = 0
        ignores self, NaN and inf included."""
        tensor = _tensor(self)
        product = _matrices_product("addmm", _operand(tensor, mat1), _operand(tensor, mat2), 2)
        return _scaled_sum("addmm", tensor, product, beta, alpha)

    @float16_via_float32
    def addmv(self: Self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Self:
        """torch.Tensor.addmv: beta self + alpha mat @ vec for a matrix and a vector; beta = 0 ignores self."""
        tensor = _tensor(self)
        mat, vec = _operand(tensor, mat), _operand(tensor, vec)
        if mat.ndim != 2 or vec.ndim != 1 or mat.shape[1] != vec.shape[0]:
            raise ShapeError(
                f"addmv: expects a matrix and a vector that multiply, got shapes {mat.shape} and {vec.shape}"
            )
        return _scaled_sum("addmv", tensor, mat @ vec, beta, alpha)

    @float16_via_float32
    def addr(self: Self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Self:
        """torch.Tensor.addr: beta self + alpha outer(vec1, vec2) of two vectors; beta = 0 ignores self."""
        tensor = _tensor(self)
        vec1, vec2 = _operand(tensor, vec1), _operand(tensor, vec2)
        if vec1.ndim != 1 or vec2.ndim != 1:
            raise ShapeError(f"addr: expects two vectors, got shapes {vec1.shape} and {vec2.shape}")
        if np.result_type(tensor.dtype, vec1.dtype, vec2.dtype).kind in "iub":  # torch's RuntimeError
            for name, value in (("beta", beta), ("alpha", alpha)):
                if isinstance(value, (float, np.floating)):
                    raise TypeError(
                        f"addr: {name} must not be a floating point number for integer tensors, got {value}"
                    )
        return _scaled_sum("addr", tensor, vec1.reshape(-1, 1) * vec2.reshape(1, -1), beta, alpha)

    @float16_via_float32
    def baddbmm(self: Self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Self:
        """torch.Tensor.baddbmm: beta self + alpha batch1 @ batch2 for two 3-D batches of matrices."""
        tensor = _tensor(self)
        product = _matrices_product("baddbmm", _operand(tensor, batch1), _operand(tensor, batch2), 3)
        return _scaled_sum("baddbmm", tensor, product, beta, alpha)

    @float16_via_float32
    def addbmm(self: Self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Self:
        """torch.Tensor.addbmm: beta self + alpha sum_b batch1[b] @ batch2[b] (the products summed over the batch)."""
        tensor = _tensor(self)
        product = _matrices_product("addbmm", _operand(tensor, batch1), _operand(tensor, batch2), 3)
        return _scaled_sum("addbmm", tensor, product.sum(axis=0), beta, alpha)

    def ger(self: Self, vec2: Any) -> Self:
        """torch.Tensor.ger (the old name of outer): the outer product of two vectors, out_ij = self_i vec2_j."""
        tensor = _tensor(self)
        vec2 = _operand(tensor, vec2)
        if tensor.ndim != 1 or vec2.ndim != 1:
            raise ShapeError(f"ger: expects two vectors, got shapes {tensor.shape} and {vec2.shape}")
        return tensor.outer(vec2)

    def vdot(self: Self, other: Any) -> Self:
        """torch.Tensor.vdot of real vectors: sum_i self_i other_i (the conjugate is the vector itself); d/dself =
        g other, d/dother = g self."""
        tensor = _tensor(self)
        other = _operand(tensor, other)
        if tensor.ndim != 1 or other.ndim != 1 or tensor.shape != other.shape:
            raise ShapeError(f"vdot: expects two vectors of one length, got shapes {tensor.shape} and {other.shape}")
        return tensor.dot(other)

    # -- matrices and rearrangements ------------------------------------------------------------------
    def cross(self: Self, other: Any, dim: int | None = None) -> Self:
        """torch.Tensor.cross: the cross product of 3-vectors along ``dim`` (None: the first dimension of size 3,
        torch's default), the operands broadcast: out_i = a_(i+1) b_(i+2) - a_(i+2) b_(i+1), indices mod 3."""
        tensor = _tensor(self)
        other = _operand(tensor, other)
        if dim is None:
            sizes = [axis for axis, size in enumerate(tensor.shape) if size == 3]
            if not sizes:
                raise ShapeError(f"cross: no dimension of size 3 in the input of shape {tensor.shape}")
            dim = sizes[0]
        try:
            shape = np.broadcast_shapes(tensor.shape, other.shape)
        except ValueError:
            raise ShapeError(f"cross: shapes {tensor.shape} and {other.shape} do not broadcast") from None
        axis = single_axis(dim, len(shape), "cross")
        if shape[axis] != 3 or tensor.ndim != other.ndim:
            raise ShapeError(
                f"cross: dim {dim} must have size 3 in both inputs of the same dimension, got {tensor.shape} and "
                f"{other.shape}"
            )
        a, b = tensor.broadcast_to(shape), other.broadcast_to(shape)
        roll = array_function("roll")
        return roll(a, -1, axis) * roll(b, -2, axis) - roll(a, -2, axis) * roll(b, -1, axis)

    def diag(self: Self, diagonal: int = 0) -> Self:
        """torch.Tensor.diag: a vector placed on the ``diagonal``-th diagonal of a square matrix, or that diagonal
        of a matrix; see autograd.diag."""
        return array_function("diag")(self, diagonal)

    def diagflat(self: Self, offset: int = 0) -> Self:
        """torch.Tensor.diagflat: the flattened tensor on the ``offset``-th diagonal of a square matrix."""
        return array_function("diag")(_tensor(self).reshape(-1), offset)

    def diag_embed(self: Self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Self:
        """torch.Tensor.diag_embed: each vector along the last axis placed on the ``offset`` diagonal of the plane
        (dim1, dim2) of a result with one more dimension, zeros elsewhere (and their gradient)."""
        tensor = _tensor(self)
        if tensor.ndim == 0:
            raise AxisError("diag_embed: needs at least 1 dimension, got shape ()")  # torch: dim -1 out of range
        first, second = (single_axis(dim, tensor.ndim + 1, "diag_embed") for dim in (dim1, dim2))
        if first == second:
            raise ShapeError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and {dim2} for shape {tensor.shape}")
        length = tensor.shape[-1]
        size = length + abs(int(offset))
        rows = np.arange(length) + max(-int(offset), 0)
        columns = np.arange(length) + max(int(offset), 0)
        placed = shared_math.scatter_add(tensor, (Ellipsis, rows, columns), tensor.shape[:-1] + (size, size))
        return placed.moveaxis((-2, -1), (first, second))

    def diff(self: Self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Self:
        """torch.Tensor.diff: the n-th forward difference along ``dim``, after joining ``prepend`` and ``append``;
        see autograd.diff."""
        return array_function("diff")(self, n=n, axis=dim, prepend=prepend, append=append)

    def kron(self: Self, other: Any) -> Self:
        """torch.Tensor.kron: the Kronecker product (blocks self_ij other); see autograd.kron."""
        return array_function("kron")(self, other)

    def rot90(self: Self, k: int = 1, dims: Any = (0, 1)) -> Self:
        """torch.Tensor.rot90: rotated by 90 degrees ``k`` times in the plane ``dims``, from the first towards the
        second; see autograd.rot90."""
        if _tensor(self).ndim < 2:
            raise ShapeError(f"rot90: needs at least 2 dimensions, got shape {_tensor(self).shape}")
        return array_function("rot90")(self, k, dims)

    def fliplr(self: Self) -> Self:
        """torch.Tensor.fliplr: the columns (dim 1) reversed; needs at least 2 dimensions."""
        return array_function("fliplr")(self)

    def flipud(self: Self) -> Self:
        """torch.Tensor.flipud: the rows (dim 0) reversed; needs at least 1 dimension."""
        return array_function("flipud")(self)

    # -- elementwise --------------------------------------------------------------------------------------
    def nan_to_num(self: Self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Self:
        """torch.Tensor.nan_to_num: NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default
        the dtype's largest and smallest finite numbers); gradient 1 at finite entries, 0 at replaced ones."""
        tensor = _tensor(self)
        data = tensor._data
        if data.dtype.kind != "f":
            return tensor.clone()
        info = np.finfo(data.dtype)
        with np.errstate(over="ignore"):
            replaced = np.nan_to_num(
                data,
                nan=nan,
                posinf=info.max if posinf is None else posinf,
                neginf=info.min if neginf is None else neginf,
            )
        return tensor._where(np.isfinite(data), tensor, replaced)

    def divide(self: Self, other: Any, *, rounding_mode: str | None = None) -> Self:
        """torch.Tensor.divide: ``div`` (self / other, rounded by ``rounding_mode`` "floor" or "trunc", which has
        zero gradient)."""
        return _tensor(self).div(other, rounding_mode=rounding_mode)

    def hardshrink(self: Self, lambd: float = 0.5) -> Self:
        """torch.Tensor.hardshrink (nn.functional.hardshrink): x where |x| > lambd (and at NaN), else 0; d/dx = 1
        there, 0 inside [-lambd, lambd]."""
        tensor = _tensor(self)
        data = tensor._data
        return tensor._where((data >= -lambd) & (data <= lambd), 0, tensor)

    def prelu(self: Self, weight: Any) -> Self:
        """torch.Tensor.prelu: x where x > 0, else weight x, with one weight or one per channel (dim 1; a tensor of
        fewer than 2 dimensions has one channel); d/dx = 1 or weight, d/dweight = x summed over its entries <= 0."""
        tensor = _tensor(self)
        weight = _operand(tensor, weight)
        if weight.ndim > 1:
            raise ValueError(f"prelu: weight must be a number or a vector, got shape {weight.shape}")
        channels = tensor.shape[1] if tensor.ndim >= 2 else 1
        if weight.size != 1 and weight.size != channels:
            raise ValueError(
                f"prelu: {weight.size} weights for an input of shape {tensor.shape}, which has {channels} channels"
            )
        if tensor.ndim == 0 and weight.size == 1:
            slope = weight.reshape(())
        else:
            slope = weight.reshape((1, -1) + (1,) * (tensor.ndim - 2)) if weight.size > 1 else weight.reshape(-1)
        if slope.dtype == tensor.dtype and tensor.dtype.kind == "f":
            from .derivatives import elementwise as ew

            return type(tensor)._from_op(shared_math.prelu_values(tensor._data, slope._data), ew.prelu, (tensor, slope))
        return tensor._where(tensor._data > 0, tensor, slope * tensor)

    def igamma(self: Self, other: Any) -> Self:
        """torch.Tensor.igamma: the regularized lower incomplete gamma function P(self, other)
        (:func:`autograd.special.gammainc`); d/dother = other^(self-1) e^-other / Gamma(self), d/dself is not
        implemented (as torch's)."""
        from .special import gammainc

        _refuse_integer_operands("igamma", _tensor(self), other)
        return gammainc(_tensor(self), other)

    def igammac(self: Self, other: Any) -> Self:
        """torch.Tensor.igammac: the regularized upper incomplete gamma function Q(self, other) = 1 - P
        (:func:`autograd.special.gammaincc`); d/dother = -other^(self-1) e^-other / Gamma(self), d/dself is not
        implemented (as torch's)."""
        from .special import gammaincc

        _refuse_integer_operands("igammac", _tensor(self), other)
        return gammaincc(_tensor(self), other)

    def ldexp(self: Self, other: Any) -> Self:
        """torch.Tensor.ldexp: self 2^other; d/dself = 2^other, d/dother = self 2^other ln 2.

        An integer ``other`` (a Python int too) scales exactly, as torch's kernel for integer exponents: no power
        of two is formed, so ldexp(0.0, 255) in float32 is 0 (not 0 inf = NaN) and 1e-45 2^150 is 2; the gradient
        is g 2^other in the result's dtype (torch's forms 2^other in the integer dtype, 0 for a negative
        exponent). A float ``other`` gives self 2.0^other, as torch's, so there 2^other may overflow first."""
        tensor = _tensor(self)
        exponent = other if isinstance(other, (int, np.integer)) and not isinstance(other, bool) else None
        exponent = _operand(tensor, other) if exponent is None else type(tensor)._make(np.asarray(exponent))
        kind = exponent._data.dtype.kind
        if kind == "b" and tensor._data.dtype.kind == "f":
            # torch's NotImplementedError ("ldexp_cpu_exp" not implemented for 'Bool'); beside an integer or boolean
            # self, torch takes the booleans as the exponents 0 and 1
            raise DtypeKernelError(f"ldexp: the exponent must be a number, not a bool tensor (dtype {exponent.dtype})")
        if kind in "iub":
            return _scaled_by_power_of_two(shared_math.floating(tensor), exponent._data.astype(np.int64, copy=False))
        # torch's promotion: integers (or booleans) beside a float take its dtype; of two, the default float dtype
        tensor_float, exponent_float = tensor._data.dtype.kind == "f", kind == "f"
        if not tensor_float:
            tensor = tensor.astype(exponent._data.dtype) if exponent_float else shared_math.floating(tensor)
        if not exponent_float:
            exponent = exponent.astype(tensor._data.dtype)
        return tensor * 2.0**exponent

    def mvlgamma(self: Self, p: int) -> Self:
        """torch.Tensor.mvlgamma: the multivariate log-gamma function of dimension ``p``,
        p (p - 1) / 4 log(pi) + sum_(i < p) lgamma(x - i / 2); d/dx = sum_i digamma(x - i / 2)."""
        if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
            raise ValueError(f"mvlgamma: p must be a positive integer, got {p!r}")
        if p < 1:  # (torch's RuntimeError "p has to be greater than or equal to 1")
            raise ArgumentRangeError(f"mvlgamma: p must be a positive integer, got {p!r}")
        x = shared_math.floating(_tensor(self))
        total = x.lgamma()
        for i in range(1, int(p)):
            total = total + (x - i / 2).lgamma()
        return total + p * (p - 1) / 4 * math.log(math.pi)

    def logit(self: Self, eps: float | None = None) -> Self:
        """torch.Tensor.logit: log(z / (1 - z)) with z = x clamped to [eps, 1 - eps] if ``eps`` is given (NaN
        outside [0, 1] without it); d/dx = 1 / (x (1 - x)), as torch: NaN outside [0, 1] without ``eps``, 0
        outside [eps, 1 - eps] with it (the bounds included), NaN at NaN. A negative ``eps`` is no ``eps``, as torch's
        kernels take it."""
        if eps is not None and eps < 0:
            eps = None
        return shared_math.record(LOGIT, logit_values, shared_math.floating(_tensor(self)), eps=eps)

    def xlogy(self: Self, other: Any) -> Self:
        """torch.Tensor.xlogy: x log(y), and 0 where x = 0 unless y is NaN. Derivatives as torch's:
        d/dx = log y (-inf at y = 0, inf at y = inf, also where x = 0 or NaN), but 0 where x = 0 and y <= 0;
        d/dy = x / y, except 0 where x = y = 0 (torch: NaN)."""
        if not isinstance(self, Node) and isinstance(other, Node):  # xlogy(2.0, y): the number takes y's dtype
            x = _operand(shared_math.floating(other), self)
        else:
            x = _tensor(self)
        if x._data.dtype.kind != "f" and isinstance(other, float):  # an integer tensor and a Python float: the
            x = shared_math.floating(x)  # default dtype, as torch's (the float alone would be float64)
        y = _operand(x, other)
        if x._data.dtype.kind != "f" and y._data.dtype.kind != "f":  # integers or booleans only: in floating point
            x, y = shared_math.floating(x), shared_math.floating(y)
        # recorded as the Tensor's binary ops are, with their promotion (an integer beside a float takes its dtype,
        # a 0-d tensor acts as a number, as torch's)
        return x._binary(y, XLOGY, xlogy_values)

    def float_power(self: Self, exponent: Any) -> Self:
        """torch.Tensor.float_power: self ** exponent in float64; d/dx = e x^(e-1), d/de = x^e log x. A Python
        number is a scalar exponent, as ``pow``'s (torch's: x^-0.5 is 1 / sqrt(x), -inf at -0.0 and nan at -inf)."""
        if type(exponent) in (int, float, bool):
            return _tensor(self).astype(np.float64) ** float(exponent)
        power = _tensor(exponent).astype(np.float64) if isinstance(exponent, Node) else np.asarray(exponent, np.float64)
        return _tensor(self).astype(np.float64) ** power

    @float16_via_float32  # pi x overflows float16 from |x| = 20861
    def sinc(self: Self) -> Self:
        """torch.Tensor.sinc: sin(pi x) / (pi x), 1 at 0; d/dx = (cos(pi x) - sinc(x)) / x, 0 at 0. Near 0
        (|pi x| < 1e-3, subnormals included, where the quotient's derivative would divide by an underflowed x^2)
        it is the series 1 - s^2/6 + s^4/120 of s = pi x, exact to float64 there, with the series' derivative."""
        x = shared_math.floating(_tensor(self))
        near_zero = np.abs(x._data) < 1e-3 / math.pi
        scaled = x._where(near_zero, 1.0, x) * math.pi
        series = x._where(near_zero, x, 0.0) * math.pi  # each branch sees only its own entries: a large x would
        squared = series * series  # overflow the series (and 0 * inf make its unused gradient nan)
        return x._where(near_zero, 1 - squared / 6 + squared * squared / 120, scaled.sin() / scaled)

    def fix(self: Self) -> Self:
        """torch.Tensor.fix: ``trunc``, rounded toward zero (zero gradient)."""
        return _tensor(self).trunc()

    def positive(self: Self) -> Self:
        """torch.Tensor.positive: the tensor itself (+x); a boolean tensor is a :class:`DtypeKernelError` (a TypeError,
        and the RuntimeError torch raises)."""
        if _tensor(self)._data.dtype.kind == "b":
            raise DtypeKernelError("positive: not supported for a boolean tensor (dtype bool)")
        return self

    def heaviside(self: Self, values: Any) -> Self:
        """torch.Tensor.heaviside: 0 where x < 0, ``values`` where x == 0, 1 where x > 0 (and 0 at NaN, as torch);
        a Tensor outside the graph (its derivative is 0 or undefined everywhere). A Tensor ``values`` of another dtype
        is a :class:`DtypeMismatchError` (torch's RuntimeError: "not yet implemented for tensors with different
        dtypes")."""
        data, chosen = _tensor(self)._data, _data(values)
        if isinstance(values, Node) and chosen.dtype != data.dtype:
            raise DtypeMismatchError(f"heaviside: the tensors must have one dtype, got {data.dtype} and {chosen.dtype}")
        try:
            result = np.where(data == 0, chosen, (data > 0).astype(np.result_type(data, chosen)))
        except ValueError:
            raise ShapeError(f"heaviside: shapes {data.shape} and {chosen.shape} do not broadcast") from None
        return _constant(self, result)

    def angle(self: Self) -> Self:
        """torch.Tensor.angle of a real tensor: pi where x < 0, 0 elsewhere, NaN at NaN; gradient 0."""
        x = shared_math.floating(_tensor(self))
        data = x._data
        return _zero_gradient(x, np.where(np.isnan(data), np.nan, np.where(data < 0, np.pi, 0.0)))

    def conj(self: Self) -> Self:
        """torch.Tensor.conj: the tensor itself (every Tensor is real)."""
        return self

    def resolve_conj(self: Self) -> Self:
        """torch.Tensor.resolve_conj: the tensor itself (no conjugate view exists here)."""
        return self

    def resolve_neg(self: Self) -> Self:
        """torch.Tensor.resolve_neg: the tensor itself (no negative view exists here)."""
        return self

    def is_conj(self) -> bool:
        """torch.Tensor.is_conj: False (no conjugate view exists here)."""
        return False

    def is_neg(self) -> bool:
        """torch.Tensor.is_neg: False (no negative view exists here)."""
        return False

    def is_shared(self) -> bool:
        """torch.Tensor.is_shared: False (arrays live in this process's memory, not shared memory)."""
        return False

    def is_pinned(self) -> bool:
        """torch.Tensor.is_pinned: False (there is no pinned host memory without a GPU)."""
        return False

    @property
    def real(self: Self) -> Self:
        """torch.Tensor.real: the tensor itself (every Tensor is real)."""
        return self

    @property
    def imag(self) -> Any:
        """torch.Tensor.imag: TypeError, as torch: a real tensor has no imaginary part."""
        raise TypeError(f"imag: not defined for a real tensor (dtype {_tensor(self).data.dtype}); Tensors are real")

    # -- predicates and integer functions: Tensors outside the graph -------------------------------------------
    def signbit(self: Self) -> Self:
        """torch.Tensor.signbit: True where the sign bit is set (negative numbers, -0.0, -NaN)."""
        return _constant(self, np.signbit(_tensor(self)._data))

    def isposinf(self: Self) -> Self:
        """torch.Tensor.isposinf: True where the entry is +inf."""
        return _constant(self, _tensor(self)._data == np.inf)

    def isneginf(self: Self) -> Self:
        """torch.Tensor.isneginf: True where the entry is -inf."""
        return _constant(self, _tensor(self)._data == -np.inf)

    def isreal(self: Self) -> Self:
        """torch.Tensor.isreal: True everywhere (every Tensor is real)."""
        return _constant(self, np.ones(_tensor(self).shape, dtype=bool))

    def gcd(self: Self, other: Any) -> Self:
        """torch.Tensor.gcd: the greatest common divisor of integer tensors, entrywise (non-negative)."""
        return self._integer_function(other, np.gcd, "gcd")

    def lcm(self: Self, other: Any) -> Self:
        """torch.Tensor.lcm: the least common multiple of integer tensors, entrywise (non-negative)."""
        return self._integer_function(other, np.lcm, "lcm")

    def frexp(self) -> MantissaAndExponent:
        """torch.Tensor.frexp: ``(mantissa, exponent)`` with self = mantissa 2^exponent, |mantissa| in [0.5, 1),
        the exponent int32 (outside the graph). The mantissa is self 2^-exponent, so d mantissa/dx = 2^-exponent, as
        torch's (a subnormal x, whose 2^-exponent overflows, gets 0)."""
        tensor = _tensor(self)
        data = tensor._data
        if data.dtype.kind != "f":
            raise DtypeKernelError(f"frexp: expects a floating-point tensor, got dtype {data.dtype}")
        mantissa, exponent = np.frexp(data)
        with quiet():
            scale = np.ldexp(np.ones_like(data), -exponent)  # 2^-e in x's dtype, exact (inf past its range)
        exact = np.isfinite(scale)
        scaled = tensor * _constant(tensor, np.where(exact, scale, 0).astype(data.dtype))
        recorded = scaled if exact.all() else tensor._where(exact, scaled, _constant(tensor, mantissa))
        return MantissaAndExponent(recorded, _constant(self, exponent.astype(np.int32)))

    def nextafter(self: Self, other: Any) -> Self:
        """torch.Tensor.nextafter: the next float after self towards other, in the dtype the two promote to as in
        arithmetic (torch's: float16 beside float32 is float32, an integer beside a float the float's dtype); that
        dtype must be floating. As torch's, d/dself = 1 where self != other (infinities and nan included) and 0
        where they are equal (the result is other); ``other`` gets a zero gradient."""
        tensor = _tensor(self)
        theirs = _data(other)
        dtype = np.dtype(array_function("result_type")(tensor, other if isinstance(other, Node) else theirs))
        if isinstance(other, Node) and other.requires_grad:  # in the graph with a zero gradient, as torch's
            theirs = other.astype(dtype) if other._data.dtype != dtype else other
        if dtype.kind != "f":
            raise DtypeKernelError(
                f"nextafter: expects floating-point tensors, got dtypes {tensor._data.dtype} and {theirs.dtype}"
            )
        if tensor._data.dtype != dtype:
            tensor = tensor.astype(dtype)
        else:
            theirs = quietly(theirs.astype, dtype)  # (a number beyond float16's range is its inf, without a warning)
        try:
            shape = np.broadcast_shapes(tensor.shape, theirs.shape)
        except ValueError:
            raise ShapeError(f"nextafter: shapes {tensor.shape} and {theirs.shape} do not broadcast") from None
        if tensor.shape != shape:
            tensor = tensor.broadcast_to(shape)
        if theirs.shape != shape:
            theirs = theirs.broadcast_to(shape) if isinstance(theirs, Node) else np.broadcast_to(theirs, shape)
        return shared_math.record(_NEXTAFTER, _nextafter_values, tensor, theirs)

    # -- random draws: outside the graph (bernoulli's with a zero gradient) --------------------------------------------
    def bernoulli(self: Self, p: Any = None, *, generator: Any = None) -> Self:
        """torch.Tensor.bernoulli: 1 with probability self (or ``p`` for every entry, if given), else 0, in self's
        dtype; ``generator`` is a numpy Generator, a seed or None (the library's random state). A probability
        outside [0, 1] (NaN too) is an ``ArgumentRangeError``, a ValueError and torch's RuntimeError; integer or
        boolean probabilities (no ``p``) a :class:`DtypeKernelError`, torch's NotImplementedError. When self
        (the probabilities, no ``p`` given) requires grad the draws are in the graph with a zero gradient, as
        torch's: 0/1 draws are not differentiable in their probabilities (a straight-through or relaxed sample
        is, see ``autograd.distributions``)."""
        tensor = _tensor(self)
        if p is None and tensor._data.dtype.kind != "f":  # torch has no kernel reading integer probabilities
            raise DtypeKernelError(f"bernoulli: the probabilities must be floating point, got dtype {tensor.dtype}")
        chance = tensor._data if p is None else _data(p)
        if chance.dtype.kind not in "fiub" or (chance.size and not (chance.min() >= 0 and chance.max() <= 1)):
            raise ArgumentRangeError("bernoulli: the probabilities must be in [0, 1]")
        draws = generator_for(generator).random(tensor.shape) < chance
        sample = _constant(self, draws.astype(tensor.dtype))
        if p is None and tensor.requires_grad:  # in the graph with a zero gradient, as torch's (BernoulliBackward;
            # with a number p torch records the draws but has no derivative, so they stay outside the graph here)
            sample = shared_math.where(True, sample, tensor)
        return sample

    def multinomial(self: Self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Self:
        """torch.Tensor.multinomial: ``num_samples`` category indices (int64) drawn from the weights of each row
        of a vector or a matrix; without ``replacement`` each category at most once (zero-weight ones after the
        others, as torch), by the exponential race: the largest weight / E, E ~ Exp(1), first.

        Bad weights or counts raise torch's RuntimeError as the library's class that is also one: a non-floating
        dtype :class:`MultinomialDtypeError` (a TypeError), a shape other than a non-empty vector or matrix
        ``ShapeError``, a negative, infinite or NaN weight, a row summing to 0 or ``num_samples`` below 1
        ``ArgumentRangeError`` (ValueErrors); a ``num_samples`` that is not an integer is a TypeError, as torch's."""
        weights = _tensor(self)._data
        if weights.dtype.kind != "f":  # torch refuses counts: a bigram row needs .float() first
            raise MultinomialDtypeError(f"multinomial: expects floating-point weights, got dtype {weights.dtype}")
        if weights.ndim not in (1, 2) or weights.shape[-1] == 0:
            raise ShapeError(f"multinomial: expects a non-empty vector or matrix of weights, got shape {weights.shape}")
        if isinstance(num_samples, Node) and num_samples._data.ndim == 0 and num_samples._data.dtype.kind in "iu":
            num_samples = int(num_samples._data)  # a 0-d integer tensor is its number, as torch reads it (__index__)
        require_integer("multinomial", "num_samples", num_samples)
        if num_samples <= 0:
            raise ArgumentRangeError(f"multinomial: num_samples must be a positive integer, got {num_samples!r}")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ArgumentRangeError("multinomial: the weights must be finite and non-negative")
        rows = np.atleast_2d(weights).astype(np.float64)
        totals = rows.sum(axis=-1, keepdims=True)
        if np.any(totals <= 0):
            raise ArgumentRangeError("multinomial: every row of weights must have a positive sum")
        if not replacement and num_samples > rows.shape[-1]:
            raise ArgumentRangeError(
                f"multinomial: cannot draw {num_samples} samples without replacement from {rows.shape[-1]} categories"
            )
        rng = generator_for(generator)
        if replacement:
            cumulative = np.cumsum(rows, axis=-1)
            cumulative /= cumulative[:, -1:]  # 1.0 exactly from the last positive weight on (a cumsum of the
            # normalised weights could end below 1, and a draw above that end picked a trailing zero-weight category)
            uniform = rng.random((rows.shape[0], int(num_samples)))
            picks = np.array([np.searchsorted(c, u, side="right") for c, u in zip(cumulative, uniform)], np.int64)
            picks = picks.reshape(rows.shape[0], int(num_samples))  # (no rows: an empty batch)
            picks = np.minimum(picks, rows.shape[-1] - 1)
        else:
            keys = rows / rng.exponential(size=rows.shape)
            picks = np.argsort(-keys, axis=-1, kind="stable")[:, : int(num_samples)]
        return _constant(self, picks.reshape(weights.shape[:-1] + (int(num_samples),)).astype(np.int64))

    def _integer_function(self, other: Any, function: Any, op: str) -> Any:
        """``function`` (gcd, lcm) of the two in the integer dtype they promote to, as torch's (a bool tensor beside
        an int8 one is int8; two bool tensors or a float one are refused)."""
        mine, theirs = _tensor(self)._data, _data(other)
        dtype = np.dtype(array_function("result_type")(self, other if isinstance(other, Node) else theirs))
        if dtype.kind not in "iu" or mine.dtype.kind not in "iub" or theirs.dtype.kind not in "iub":
            raise DtypeKernelError(f"{op}: expects integer tensors, got dtypes {mine.dtype} and {theirs.dtype}")
        try:
            return _constant(self, function(mine.astype(dtype, copy=False), theirs.astype(dtype, copy=False)))
        except ValueError:
            raise ShapeError(f"{op}: shapes {mine.shape} and {theirs.shape} do not broadcast") from None

    # -- reductions -------------------------------------------------------------------------------------------
    def nansum(self: Self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Self:
        """torch.Tensor.nansum: the sum over ``dim`` (all if None) with NaNs counted as 0; gradient 0 at NaNs."""
        tensor = _tensor(self) if dtype is None else _tensor(self).astype(dtype)
        dim = all_if_empty(tuple(dim) if isinstance(dim, list) else dim)  # dim=() is every axis, as torch's
        dim = normalize_axes(dim, tensor.ndim, "nansum")  # a bad dim names nansum, not the sum it reduces with
        nan = np.isnan(tensor._data) if tensor._data.dtype.kind == "f" else None
        present = tensor if nan is None else tensor._where(nan, 0.0, tensor)
        return present.sum(axis=dim, keepdims=keepdim, dtype=None if dtype is None else tensor.dtype)

    def nanmean(self: Self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Self:
        """torch.Tensor.nanmean: the mean of the entries that are not NaN over ``dim`` (NaN if none is);
        d/dx = 1 / count at the others, 0 at NaNs. An integer or boolean input is a :class:`FloatingDtypeError`
        (torch's RuntimeError), with a floating ``dtype`` too, as torch checks the input's own dtype."""
        for given in (_tensor(self)._data.dtype, None if dtype is None else np.dtype(dtype)):
            if given is not None and given.kind != "f":
                raise FloatingDtypeError(f"nanmean: expects a floating-point tensor, got dtype {given}")
        tensor = _tensor(self) if dtype is None else _tensor(self).astype(dtype)
        if tensor._data.dtype == np.float16:  # computed in float32 and rounded once, as torch's half kernels: the
            # sum and the count of more than 65504 entries are beyond float16
            return tensor.astype(np.float32).nanmean(dim, keepdim).astype(np.float16)
        dim = all_if_empty(tuple(dim) if isinstance(dim, list) else dim)
        axes = normalize_axes(dim, tensor.ndim, "nanmean")
        count = (~np.isnan(tensor._data)).sum(axis=axes, keepdims=keepdim).astype(tensor._data.dtype)
        empty = count == 0
        return tensor._where(empty, np.nan, tensor.nansum(dim, keepdim) / np.where(empty, 1, count))

    def dist(self: Self, other: Any, p: Any = 2) -> Self:
        """torch.Tensor.dist: the p-norm of ``self - other`` (broadcast) over all entries; see ``norm``. Its dtype is
        the difference's, promoted as torch's (an integer tensor and a float64 0-d tensor give float64); integers
        alone are made floating first, as an unsigned difference would wrap (0 - 255 = 1 in uint8)."""
        tensor = _tensor(self)
        if not (isinstance(other, Node) and other._data.dtype.kind == "f"):
            tensor = shared_math.floating(tensor)
        return (tensor - other).norm(p)

    def renorm(self: Self, p: Any, dim: int, maxnorm: Any) -> Self:
        """torch.Tensor.renorm: each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled by
        maxnorm / (norm + 1e-7) (torch's guard), the others unchanged; differentiated through the norm too."""
        tensor = _tensor(self)
        if not p > 0 or maxnorm < 0:  # (an ArgumentRangeError: the ValueError it was, and torch's RuntimeError)
            raise ArgumentRangeError(
                f"renorm: p must be positive and maxnorm non-negative, got p={p} and maxnorm={maxnorm}"
            )
        axis = single_axis(dim, tensor.ndim, "renorm")
        if tensor.ndim < 2:  # (each slice along dim of a vector is one number: torch refuses rather than scale it)
            raise ShapeError(f"renorm: needs a tensor of at least 2 dimensions, got shape {tensor.shape}")
        others = tuple(d for d in range(tensor.ndim) if d != axis)
        norms = tensor.norm(p, dim=others, keepdim=True)
        factor = tensor._where(norms._data > maxnorm, maxnorm / (norms + 1e-7), 1.0)
        return tensor * factor

    def cov(self: Self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Self:
        """torch.Tensor.cov: the covariance matrix of the variables in the rows (a 1-D tensor is one variable,
        its result 0-D), observations in the columns, with integer frequency weights ``fweights`` and
        observation weights ``aweights``: sum_k w_k (x_ik - m_i)(x_jk - m_j) / (sum w - correction
        [sum w a / sum w]), where w = fweights aweights and m is the weighted mean. A normalising factor <= 0
        is taken as 0, as torch."""
        tensor = _tensor(self)
        if tensor.ndim > 2:
            raise ShapeError(f"cov: expects a tensor of at most 2 dimensions, got shape {tensor.shape}")
        x = shared_math.floating(tensor).reshape(1, -1) if tensor.ndim < 2 else shared_math.floating(tensor)
        observations = x.shape[1]
        weights = None
        if fweights is not None:
            frequencies = self._observation_weights(fweights, observations, "fweights", "iu", "hold integers")
            weights = frequencies.astype(x._data.dtype)
        if aweights is not None:
            observation = self._observation_weights(aweights, observations, "aweights", "f", "be floating-point")
            weights = observation if weights is None else weights * observation
        if weights is None:
            mean, factor = x.mean(axis=1), observations - correction
        else:
            total = weights.sum()
            mean = (x * weights).sum(axis=1) / total
            factor = total - (correction if aweights is None else correction * (weights * observation).sum() / total)
        if np.all(_data(factor) <= 0):
            factor = 0.0
        centred = x - mean.reshape(-1, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            covariance = (centred if weights is None else centred * weights) @ centred.T / factor
        return covariance.squeeze()

    def _observation_weights(self, weights: Any, observations: int, name: str, kinds: str, wanted: str) -> Any:
        """``cov``'s ``weights`` checked in torch's order: a vector (a ShapeError), of the dtype kinds ``kinds``
        (a CovWeightsDtypeError), of one entry per observation (a ShapeError), none negative (an
        ArgumentRangeError): each also torch's RuntimeError."""
        weights = _operand(_tensor(self), weights)
        if weights.ndim > 1:
            raise ShapeError(f"cov: {name} must be a vector of {observations} entries, got shape {weights.shape}")
        if weights._data.dtype.kind not in kinds:
            raise CovWeightsDtypeError(f"cov: {name} must {wanted}, got dtype {weights.data.dtype}")
        if weights.ndim != 1 or weights.shape[0] != observations:
            raise ShapeError(f"cov: {name} must be a vector of {observations} entries, got shape {weights.shape}")
        if np.any(weights._data < 0):
            raise ArgumentRangeError(f"cov: {name} must be non-negative")
        return weights

    def corrcoef(self: Self) -> Self:
        """torch.Tensor.corrcoef: the Pearson correlation matrix cov_ij / sqrt(cov_ii cov_jj) of the rows, clamped
        to [-1, 1]; NaN for a constant variable."""
        covariance = _tensor(self).cov()
        with np.errstate(invalid="ignore", divide="ignore"):
            if covariance.ndim == 0:
                return covariance / covariance
            deviation = covariance.diagonal().sqrt()
            return (covariance / deviation.reshape(-1, 1) / deviation.reshape(1, -1)).clip(-1, 1)

    def aminmax(self: Self, *, dim: int | None = None, keepdim: bool = False) -> MinAndMax:
        """torch.Tensor.aminmax: ``(min, max)`` over ``dim`` (all if None), as ``amin`` and ``amax`` (tied extremes
        share the gradient evenly); an empty dim to reduce is an EmptyReductionError (torch's IndexError or
        RuntimeError), an empty tensor reduced over a non-empty dim gives empty results."""
        tensor = _tensor(self)
        if dim is not None and not isinstance(dim, (int, np.integer)):
            raise TypeError(f"aminmax: dim must be an integer or None, got {dim!r}")
        axes = normalize_axes(dim, tensor.ndim, "aminmax")  # an axis out of range names aminmax, not min
        if tensor.size == 0 and any(tensor.shape[a] == 0 for a in axes):
            # an empty slice has no extremes; a non-empty dim of an empty tensor reduces to empty results, as torch's
            raise EmptyReductionError(
                f"aminmax: cannot reduce an empty tensor of shape {tensor.shape} over dim {dim} (no identity)"
            )
        return MinAndMax(tensor.min(axis=dim, keepdims=keepdim), tensor.max(axis=dim, keepdims=keepdim))

    # -- linear algebra: autograd.linalg by numpy's protocol ------------------------------------------------
    def det(self: Self) -> Self:
        """torch.Tensor.det: the determinant of each matrix; d/dA = g det(A) A^-T; see autograd.linalg.det."""
        return array_function("det")(self)

    def slogdet(self: Self) -> SignAndLogAbsDet:
        """torch.Tensor.slogdet: ``(sign, logabsdet)`` of the determinant; d logabsdet / dA = A^-T, the sign's
        gradient 0 (see autograd.linalg.slogdet)."""
        return SignAndLogAbsDet(*array_function("slogdet")(_tensor(self)))

    def logdet(self: Self) -> Self:
        """torch.Tensor.logdet: log det A: -inf for a singular matrix, NaN for a negative determinant; d/dA = A^-T."""
        sign, logabsdet = self.slogdet()
        return logabsdet._where(sign._data < 0, np.nan, logabsdet)

    def inverse(self: Self) -> Self:
        """torch.Tensor.inverse: the inverse A^-1 of each matrix; d/dA = -A^-T g A^-T; see autograd.linalg.inv."""
        return array_function("inv")(self)

    def pinverse(self: Self, rcond: float = 1e-15) -> Self:
        """torch.Tensor.pinverse: the Moore-Penrose pseudo-inverse, singular values at or below ``rcond`` times
        the largest counting as zero (see autograd.linalg.pinv)."""
        return array_function("pinv")(self, rcond)

    def matrix_power(self: Self, n: int) -> Self:
        """torch.Tensor.matrix_power: A^n by repeated squaring (torch's order of products); A^0 is the identity
        (gradient 0) and a negative n powers the inverse."""
        tensor = _tensor(self)
        _square_matrices(tensor, "matrix_power")
        require_integer("matrix_power", "n", n)
        if n == 0:
            return _zero_gradient(tensor, np.broadcast_to(np.eye(tensor.shape[-1]), tensor.shape))
        base = tensor.inverse() if n < 0 else tensor
        n = abs(int(n))
        if n <= 3:
            return base.clone() if n == 1 else base @ base if n == 2 else base @ base @ base  # (A^1: a new tensor)
        square: Any = None
        result: Any = None
        while n > 0:
            n, bit = divmod(n, 2)
            square = base if square is None else square @ square
            if bit:
                result = square if result is None else result @ square
        return result

    def cholesky(self: Self, upper: bool = False) -> Self:
        """torch.Tensor.cholesky: L with A = L L^T from A's lower triangle, or with ``upper`` U with A = U^T U from
        its upper triangle; see autograd.linalg.cholesky."""
        tensor = _tensor(self)
        _square_matrices(tensor, "cholesky")
        if upper:
            return array_function("cholesky")(tensor.mT).mT
        return array_function("cholesky")(tensor)
