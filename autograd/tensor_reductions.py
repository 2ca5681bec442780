"""Tensor's reductions over axes: ``sum``, ``mean``, ``prod``, ``var``, ``std``, ``max``, ``min``, ``logsumexp``,
``argmax``, ``argmin``, and the normalizations along an axis ``softmax`` and ``log_softmax``.

:class:`TensorReductions` holds them and :class:`~autograd.tensor.Tensor` inherits them (a mixin). Each takes
numpy's ``axis``/``keepdims`` and torch's ``dim``/``keepdim`` (:mod:`autograd.torch_keywords`); where the two
libraries disagree, torch's spelling chooses torch's meaning: ``var(dim=)`` and ``std(dim=)`` are unbiased,
``max(dim=)``/``min(dim=)`` return ``(values, indices)``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from . import shared_math
from .accumulation import ACCUMULATE_DTYPE, COMPUTE_DTYPE, float16_via_float32, in_dtype_of, summed_dtype
from .broadcasting import normalize_axes
from .core import Node
from .derivatives import arrays as ar
from .index_errors import EmptyReductionError
from .quiet import quiet, quietly
from .torch_keywords import UNSET, ValuesAndIndices, torch_dim, torch_reduction, variance_arguments

if TYPE_CHECKING:  # for annotations only: autograd.tensor imports this module
    from .tensor import Tensor

__all__ = ["TensorReductions"]

#: autograd.tensor.Tensor, the class of the results. Tensor inherits these methods, so autograd.tensor
#: imports this module, not the reverse: it sets this name once the class exists.
_Tensor: Any = None


def _pair_field_missing(name: str) -> str:
    """Why a Tensor has no ``name`` (``values``/``indices``): the line that reads it, torch's
    ``F.one_hot(logits.max(1).indices, ...)``, got numpy's maxima from ``max(1)``, not torch's pair."""
    return (
        f"'Tensor' object has no attribute '{name}': x.max(1) and x.min(1) are numpy's spelling here and return the "
        "values only; torch's (values, indices) pair comes from torch's, x.max(dim=1) or x.max(1, keepdim=False)"
    )


class TensorReductions:
    """Tensor's reductions and softmax (a mixin: :class:`~autograd.tensor.Tensor` inherits them)."""

    __slots__ = ()

    # -- reductions ------------------------------------------------------------
    def _reduce(self, op: Any, reduce: Any, axis: Any, keepdims: bool, dtype: np.dtype | None = None) -> Tensor:
        # ``reduce`` is the ufunc's reduce that ndarray.sum/prod/max/min call behind a Python wrapper; ``dtype``
        # its dtype argument for integer data (the result's dtype)
        axes = normalize_axes(axis, self._data.ndim, op.name)
        # float16 accumulates in float32 (numpy's own would stall: 4096 x 0.1 gives 256), rounded back once
        widened = COMPUTE_DTYPE.get(self._data.dtype)
        data = np.asarray(
            quietly(reduce, self._data, axis=axes, keepdims=keepdims, dtype=widened if dtype is None else dtype)
        )
        if widened is not None:
            data = in_dtype_of(data, self._data)
        return _Tensor._from_op(data, op, (self,), {"axes": axes, "keepdims": keepdims})

    def sum(
        self,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        dtype: Any = None,
    ) -> Tensor:
        """Sum over ``axis`` (all if None; torch's ``dim``/``keepdim`` are aliases; ``dtype``: of the input cast to it
        first, as torch's; booleans and narrow integers sum to int64, as torch's); the gradient is broadcast back."""
        if dim is not UNSET or keepdim is not UNSET:
            axis, keepdims = torch_reduction("sum", axis, keepdims, dim, keepdim)
        return self._summed(ar.sum_, np.add.reduce, axis, keepdims, dtype)

    def _summand(self, dtype: Any) -> Tensor:
        """This tensor as a sum or a product takes it: cast to ``dtype`` if given, else to :func:`summed_dtype`'s."""
        if dtype is not None:
            return self.astype(dtype)
        target = summed_dtype(self._data.dtype)
        return self if target == self._data.dtype else self.astype(target)

    def _summed(self, op: Any, reduce: Any, axis: Any, keepdims: bool, dtype: Any) -> Tensor:
        """``sum`` or ``prod`` (``op``, ``reduce``) of :meth:`_summand`: an integer result keeps that dtype."""
        x = self._summand(dtype)
        kept = x._data.dtype if x._data.dtype.kind in "biu" else None
        return x._reduce(op, reduce, axis, keepdims, kept)

    def mean(
        self,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        dtype: Any = None,
    ) -> Tensor:
        """Mean over ``axis`` (torch's ``dim``/``keepdim`` are aliases; ``dtype``: of the input cast to it first);
        d/dx_i = 1/n."""
        if dim is not UNSET or keepdim is not UNSET:
            axis, keepdims = torch_reduction("mean", axis, keepdims, dim, keepdim)
        data = self._data
        if dtype is not None:
            dtype = np.dtype(dtype)
            if data.dtype.kind != "f" or dtype.kind != "f" or dtype.itemsize < data.dtype.itemsize:
                return self.astype(dtype).mean(axis, keepdims)
            # a wider float: the sum accumulates in it, without a converted copy of the input (the same values)
            axes = normalize_axes(axis, data.ndim, "mean")
            count = math.prod(data.shape[a] for a in axes)
            with quiet():
                mean = np.asarray(np.add.reduce(data, axis=axes, keepdims=keepdims, dtype=dtype) / count)
            return _Tensor._from_op(mean, ar.mean, (self,), {"axes": axes, "keepdims": keepdims})
        # numpy's own mean is this sum / n behind a slower Python wrapper, which also warns on an empty slice.
        # float16 sums in float32 and rounds back once; integers and booleans average in float64, as np.mean
        wide = COMPUTE_DTYPE.get(data.dtype, None if data.dtype.kind == "f" else np.dtype(np.float64))
        axes = normalize_axes(axis, data.ndim, "mean")
        count = math.prod(data.shape[a] for a in axes)
        with quiet():  # overflow gives inf, and the mean of an empty slice nan, as torch's, without a warning
            mean = np.asarray(np.add.reduce(data, axis=axes, keepdims=keepdims, dtype=wide) / count)
        return _Tensor._from_op(in_dtype_of(mean, data), ar.mean, (self,), {"axes": axes, "keepdims": keepdims})

    def prod(
        self,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        dtype: Any = None,
    ) -> Tensor:
        """Product over ``axis`` (torch's ``dim``/``keepdim`` are aliases); d/dx_i = product of the other
        entries of x_i's slice (computed directly, so zeros are handled exactly); ``dtype``: of the input cast to it
        first; booleans and narrow integers multiply to int64, as torch's)."""
        if dim is not UNSET or keepdim is not UNSET:
            axis, keepdims = torch_reduction("prod", axis, keepdims, dim, keepdim)
        return self._summed(ar.prod, np.multiply.reduce, axis, keepdims, dtype)

    @float16_via_float32  # (float16 squares overflow from 256; float32 stays: a float64 copy costs several times more)
    def var(
        self,
        axis: int | tuple[int, ...] | None = None,
        ddof: float | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        unbiased: bool | None = None,
        correction: float | None = None,
    ) -> Tensor:
        """Variance sum((x - mean)**2) / (n - ddof) over ``axis``.

        numpy's spelling (``axis``, ``ddof``) has numpy's default ddof=0, the biased estimator. torch's
        spelling has torch's default, the unbiased ddof=1: if any of ``dim``, ``keepdim``, ``unbiased`` or
        ``correction`` is given, ddof is ``correction`` (1 by default; 0 with ``unbiased=False``). An
        explicit ``ddof`` always wins; giving two of ddof/unbiased/correction is a TypeError. d/dx_i =
        2 (x_i - mean) / (n - ddof). With no degrees of freedom left (n - ddof <= 0: one element with
        ddof=1, an empty tensor) the divisor is 0, so the result is nan (or inf), as numpy's and torch's,
        without their warnings.
        """
        arguments = variance_arguments("var", axis, ddof, keepdims, dim, keepdim, unbiased, correction)
        return self._variance("var", *arguments)

    def _variance(self, op: str, axis: Any, ddof: float, keepdims: bool) -> Tensor:
        axes = normalize_axes(axis, self.ndim, op)
        count = math.prod(self.shape[a] for a in axes)
        # the value as the recorded ops would give it, computed on a constant sharing the data; one node of its own
        # rule (arrays.variance), whose gradient stays exact where the rounded deviations do not sum to 0
        data = _Tensor._make(self._data)
        mean = data.mean(axis=axes, keepdims=True)
        if data._data.dtype == np.bool_:  # (numpy's np.var of booleans: their 0s and 1s, as the mean read them)
            data = _Tensor._make(self._data.astype(mean.dtype))
        centred = data - mean
        # numpy's divisor max(n - ddof, 0): no degrees of freedom left gives 0/0 = nan (or x/0 = inf), quietly
        value = (centred * centred).sum(axis=axes, keepdims=keepdims) / max(count - ddof, 0)
        return _Tensor._from_op(value._data, ar.variance, (self,), {"axes": axes, "ddof": ddof, "keepdims": keepdims})

    @float16_via_float32
    def std(
        self,
        axis: int | tuple[int, ...] | None = None,
        ddof: float | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        unbiased: bool | None = None,
        correction: float | None = None,
    ) -> Tensor:
        """Standard deviation sqrt(var); d/dx_i = (x_i - mean) / ((n - ddof) std), taken as 0 where
        std = 0 (a constant slice, a slice of one element, a 0-d tensor), as PyTorch does.

        ddof follows ``var``: numpy's spelling defaults to 0, torch's (``dim``, ``keepdim``, ``unbiased``,
        ``correction``) to 1.
        """
        arguments = variance_arguments("std", axis, ddof, keepdims, dim, keepdim, unbiased, correction)
        # float32 squares of deviations past ~1.8e19 overflow though their std is finite: they accumulate in
        # float64 (ACCUMULATE_DTYPE), as torch keeps them finite (float16 reaches here as float32)
        wide = ACCUMULATE_DTYPE.get(self._data.dtype)
        var = (self if wide is None else self.astype(wide))._variance("std", *arguments)
        constant = np.asarray(var._data == 0)  # sqrt is only differentiated where var > 0
        std = shared_math.where(constant, 0.0, shared_math.where(constant, 1.0, var).sqrt())
        return std if wide is None else std.astype(self._data.dtype)

    @overload
    def max(
        self, position: int | tuple[int, ...] | None = None, /, *, keepdims: bool = False, axis: Any = ...
    ) -> Tensor: ...
    @overload
    def max(self, position: int, keepdim: bool, /) -> ValuesAndIndices: ...
    @overload
    def max(self, position: int, /, *, keepdims: bool = False, keepdim: bool) -> ValuesAndIndices: ...
    @overload
    def max(self, *, dim: int, keepdim: bool = ...) -> ValuesAndIndices: ...
    @overload
    def max(self, *, other: Node) -> Tensor: ...
    def max(
        self,
        position: Any = None,
        second: Any = UNSET,
        /,
        *,
        keepdims: bool = False,
        axis: Any = UNSET,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        other: Any = UNSET,
    ) -> Tensor | ValuesAndIndices:
        """Maximum over ``axis``; tied maxima share the gradient evenly (as ``torch.amax``).

        torch's spelling ``max(dim=d, keepdim=False)`` (or ``max(d, keepdim=...)``: ``keepdim`` is torch's word)
        returns torch's pair ``(values, indices)`` (int64 indices of the first maximum) and sends the gradient to
        the returned index only, as torch's ``max(dim)``. ``max(d)`` and ``max(axis=d)`` are numpy's spelling:
        the values (``keepdim=`` beside numpy's ``axis=`` only keeps the axis, as ``keepdims=`` does). A bool after
        the dim is torch's keepdim, ``x.max(1, True)``: the pair, the axis kept (numpy's second argument is ``out``).
        """
        if other is not UNSET:
            position = self._extreme_other("max", position, other)
        if second is not UNSET:
            keepdim = _positional_keepdim("max", second, keepdim)
        return self._extreme("max", ar.max_, np.maximum.reduce, position, axis, keepdims, dim, keepdim)

    @overload
    def min(
        self, position: int | tuple[int, ...] | None = None, /, *, keepdims: bool = False, axis: Any = ...
    ) -> Tensor: ...
    @overload
    def min(self, position: int, keepdim: bool, /) -> ValuesAndIndices: ...
    @overload
    def min(self, position: int, /, *, keepdims: bool = False, keepdim: bool) -> ValuesAndIndices: ...
    @overload
    def min(self, *, dim: int, keepdim: bool = ...) -> ValuesAndIndices: ...
    @overload
    def min(self, *, other: Node) -> Tensor: ...
    def min(
        self,
        position: Any = None,
        second: Any = UNSET,
        /,
        *,
        keepdims: bool = False,
        axis: Any = UNSET,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
        other: Any = UNSET,
    ) -> Tensor | ValuesAndIndices:
        """Minimum over ``axis``; tied minima share the gradient evenly (as ``torch.amin``).

        torch's spelling ``min(dim=d, keepdim=False)`` (or ``min(d, keepdim=...)``) returns torch's pair ``(values,
        indices)``, the gradient going to the returned index only, as ``max(dim=)``.
        """
        if other is not UNSET:
            position = self._extreme_other("min", position, other)
        if second is not UNSET:
            keepdim = _positional_keepdim("min", second, keepdim)
        return self._extreme("min", ar.min_, np.minimum.reduce, position, axis, keepdims, dim, keepdim)

    @property
    def values(self) -> Any:
        """Not an attribute of a Tensor: raises the AttributeError that says where torch's ``.values`` comes from."""
        raise AttributeError(_pair_field_missing("values"))

    @property
    def indices(self) -> Any:
        """Not an attribute of a Tensor: raises the AttributeError that says where torch's ``.indices`` comes from."""
        raise AttributeError(_pair_field_missing("indices"))

    @staticmethod
    def _extreme_other(name: str, position: Any, other: Any) -> Node:
        """torch's ``x.max(other=y)`` (``min``): ``y``, a Tensor, in the place of ``x.max(y)``'s first argument."""
        if position is not None:
            raise TypeError(f"{name}: got both a first argument {position!r} and other= ; pass one")
        if not isinstance(other, Node):
            raise TypeError(f"{name}(other=): other must be a Tensor, got {type(other).__name__}")
        return other

    def _extreme(
        self, name: str, op: Any, reduce: Any, position: Any, axis: Any, keepdims: bool, dim: Any, keepdim: Any
    ) -> Tensor | ValuesAndIndices:
        """The body of max and min: numpy's spelling reduces (tied entries share the gradient), torch's
        (``dim=``, or one axis given by position with ``keepdim=``) gives the ``(values, indices)`` pair, and
        torch's ``x.max(other)`` with a Tensor ``other`` is the elementwise ``maximum`` (``minimum``)."""
        if isinstance(position, Node):
            if axis is not UNSET or dim is not UNSET or keepdim is not UNSET or keepdims:
                raise TypeError(f"{name}(other): an elementwise {name} takes no axis or keepdim")
            return self.maximum(position) if name == "max" else self.minimum(position)
        if axis is not UNSET:
            if position is not None:
                raise TypeError(f"{name}() got multiple values for argument 'axis'")
            position = axis
        torch_pair = dim is not UNSET or (
            keepdim is not UNSET and axis is UNSET and isinstance(position, (int, np.integer))
        )
        if dim is not UNSET or keepdim is not UNSET:
            position, keepdims = torch_reduction(name, position, keepdims, dim, keepdim)
        if torch_pair:
            return self._extremum_with_index(name, position, keepdims)
        self._check_nonempty(name, position)
        return self._reduce(op, reduce, position, keepdims)

    def logsumexp(
        self,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
        *,
        dim: Any = UNSET,
        keepdim: Any = UNSET,
    ) -> Tensor:
        """log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m = max (torch's ``dim``/``keepdim`` are
        aliases), +inf where m is; gradient = softmax."""
        if dim is not UNSET or keepdim is not UNSET:
            axis, keepdims = torch_reduction("logsumexp", axis, keepdims, dim, keepdim)
        axes = normalize_axes(axis, self.ndim, "logsumexp")
        # softmax_parts' guards, and log 0 = -inf, inf - inf = nan in empty or -inf slices
        with np.errstate(all="ignore"):
            shift, _, _, total = shared_math.softmax_parts(self._floating_data(), axes)
            # a slice with +inf is shifted by it, its sum nan: its logsumexp is the +inf (torch's)
            data = in_dtype_of(np.where(shift == np.inf, shift, np.log(total) + shift), self._data)
        if not keepdims:
            data = data.reshape([n for i, n in enumerate(self.shape) if i not in axes])
        return _Tensor._from_op(data, ar.logsumexp, (self,), {"axes": axes, "keepdims": keepdims})

    def softmax(self, axis: int = -1, *, dim: Any = UNSET, dtype: Any = None) -> Tensor:
        """exp(x_i) / sum_j exp(x_j) along ``axis`` (torch's ``dim``; ``dtype``: of the input cast to it first),
        overflow-free.

        d/dx: s * (g - sum(g * s)).
        """
        if dtype is not None:
            return self.astype(dtype).softmax(axis, dim=dim)
        if dim is not UNSET:
            axis = torch_dim("softmax", axis, dim, default=-1)
        axes = normalize_axes(axis, self._data.ndim, "softmax")
        data = in_dtype_of(shared_math.softmax(self._floating_data(), axes), self._data)
        return _Tensor._from_op(data, ar.softmax, (self,), {"axes": axes})

    def log_softmax(self, axis: int = -1, *, dim: Any = UNSET, dtype: Any = None) -> Tensor:
        """x - logsumexp(x) along ``axis`` (torch's ``dim``; ``dtype``: of the input cast to it first); d/dx:
        g - softmax(x) * sum(g)."""
        if dtype is not None:
            return self.astype(dtype).log_softmax(axis, dim=dim)
        if dim is not UNSET:
            axis = torch_dim("log_softmax", axis, dim, default=-1)
        axes = normalize_axes(axis, self._data.ndim, "log_softmax")
        data = in_dtype_of(shared_math.log_softmax(self._floating_data(), axes), self._data)
        return _Tensor._from_op(data, ar.log_softmax, (self,), {"axes": axes})

    def argmax(
        self, axis: int | None = None, keepdims: bool = False, *, dim: Any = UNSET, keepdim: Any = UNSET
    ) -> Tensor:
        """Index of the (first) maximum along ``axis`` (torch's ``dim``/``keepdim``; flattened if None), a
        constant int64 Tensor (no gradient), as torch's."""
        if dim is not UNSET or keepdim is not UNSET:
            axis, keepdims = torch_reduction("argmax", axis, keepdims, dim, keepdim)
        self._check_nonempty("argmax", self._index_axis("argmax", axis))
        return _Tensor._make(np.asarray(np.argmax(self._data, axis=axis, keepdims=keepdims), dtype=np.int64))

    def argmin(
        self, axis: int | None = None, keepdims: bool = False, *, dim: Any = UNSET, keepdim: Any = UNSET
    ) -> Tensor:
        """Index of the (first) minimum along ``axis`` (torch's ``dim``/``keepdim``; flattened if None), a
        constant int64 Tensor (no gradient), as torch's."""
        if dim is not UNSET or keepdim is not UNSET:
            axis, keepdims = torch_reduction("argmin", axis, keepdims, dim, keepdim)
        self._check_nonempty("argmin", self._index_axis("argmin", axis))
        return _Tensor._make(np.asarray(np.argmin(self._data, axis=axis, keepdims=keepdims), dtype=np.int64))

    def _index_axis(self, op: str, axis: Any) -> Any:
        """``axis`` of ``argmax``/``argmin`` (``op``) checked in its name, as torch's ``dim``: None or one integer (a
        TypeError otherwise) in range (an AxisError, torch's IndexError, otherwise; a 0-d tensor takes 0 and -1)."""
        if axis is not None:
            if not hasattr(axis, "__index__") or isinstance(axis, (bool, np.bool_)):
                raise TypeError(f"{op}: dim must be an integer or None, got {axis!r}")
            normalize_axes(axis, self._data.ndim, op)
        return axis

    def _check_nonempty(self, op: str, axis: Any) -> None:
        """EmptyReductionError if a slice to reduce is empty (an empty tensor reduced along axes of non-zero length is
        fine)."""
        if self._data.size == 0 and any(self.shape[a] == 0 for a in normalize_axes(axis, self.ndim, op)):
            raise EmptyReductionError(f"{op}: zero-size tensor of shape {self.shape} has no {op} over axis {axis}")


def _positional_keepdim(name: str, second: Any, keepdim: Any) -> bool:
    """torch's ``x.max(dim, keepdim)`` (``min``): the second positional argument, a bool (numpy's second argument
    would be ``out``, which is not taken)."""
    if not isinstance(second, (bool, np.bool_)):
        raise TypeError(
            f"{name}: the argument after the dim is torch's keepdim, a bool, got {second!r} (numpy's out= is not "
            "supported; keepdims= keeps the axis)"
        )
    if keepdim is not UNSET:
        raise TypeError(f"{name}() got multiple values for argument 'keepdim'")
    return bool(second)
