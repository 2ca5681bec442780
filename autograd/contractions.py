"""Tensor contractions with numpy's names: einsum, tensordot, dot, inner, outer, kron, trace, diagonal, diag.

``einsum`` is the primitive (its derivative, again an einsum, is in
:mod:`autograd.derivatives.contractions`); tensordot, dot and inner are einsums with
generated subscripts, ``outer`` and ``kron`` are broadcast products, and ``diagonal``,
``trace`` and ``diag`` pick or place entries by indexing, so their gradients are those
of the ops they are made of.
"""

from __future__ import annotations

import operator
import string
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import shared_math
from .broadcasting import AxisError
from .derivatives import arrays as ar
from .derivatives import contractions as rules
from .out_argument import takes_out, written_to_out
from .shape_errors import ArgumentRangeError, ShapeError, require_integer
from .tensor import Tensor, TensorLike
from .torch_keywords import UNSET, torch_alias

__all__ = ["diag", "diagonal", "dot", "einsum", "inner", "kron", "outer", "tensordot", "trace"]


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _explicit(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[tuple[str, ...], str]:
    """The subscripts as one string of letters per operand and one for the output, ellipses spelled out. Subscripts
    naming another number of operands, or of dimensions than an operand has, are a :class:`ShapeError`, ones that
    are not letters (or a second ellipsis) an :class:`ArgumentRangeError`: ValueErrors and torch's RuntimeError."""
    equation = subscripts.replace(" ", "")
    left, arrow, right = equation.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise ShapeError(f"einsum: the subscripts {subscripts!r} name {len(terms)} operands, got {len(shapes)}")
    for term in [*terms, right]:
        letters = term.replace("...", "", 1)
        if not all(letter in string.ascii_letters for letter in letters):
            raise ArgumentRangeError(
                f"einsum: invalid subscripts {subscripts!r} (letters, commas, '...' and '->' only)"
            )
    free = [letter for letter in string.ascii_letters if letter not in equation]
    widths = []
    for term, shape in zip(terms, shapes):
        named = len(term.replace("...", ""))
        width = len(shape) - named if "..." in term else 0
        if width < 0 or ("..." not in term and named != len(shape)):
            raise ShapeError(f"einsum: subscripts {term!r} do not match an operand of shape {shape}")
        widths.append(width)
    ellipsis = "".join(free[: max(widths, default=0)])
    terms = [term.replace("...", ellipsis[len(ellipsis) - width :]) for term, width in zip(terms, widths)]
    if arrow:
        output = right.replace("...", ellipsis)
    else:  # numpy's implicit output: the ellipsis, then the labels used once, in alphabetical order
        joined = "".join(terms)
        once = (letter for letter in set(joined) if joined.count(letter) == 1 and letter not in ellipsis)
        output = ellipsis + "".join(sorted(once))
    return tuple(terms), output


def einsum(subscripts: Any, *operands: Any, optimize: Any = False, **options: Any) -> Tensor:
    """Einstein summation as numpy.einsum: ``einsum("ij,jk->ik", a, b)`` is a @ b; ellipses broadcast. The
    operands may also come as one list of Tensors, torch's ``einsum("ij,jk->ik", [a, b])``, or in numpy's
    sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (ints for letters, ``Ellipsis`` for ``...``).
    numpy's ``optimize`` is accepted (the contraction order does not change the result).

    d/dX_i is the einsum of the upstream gradient with the other operands onto X_i's subscripts.
    """
    _refuse_options("einsum", options)
    if not isinstance(subscripts, str):
        subscripts, operands = _from_sublists(subscripts, operands)
    if (
        len(operands) == 1
        and isinstance(operands[0], (list, tuple))
        and all(isinstance(x, Tensor) for x in operands[0])
    ):
        operands = tuple(operands[0])
    tensors = tuple(_tensor(x) for x in operands)
    terms, output = _explicit(subscripts, [t.shape for t in tensors])
    if len(tensors) == 1 and set(output) == set(terms[0]) and len(set(output)) == len(output):
        return _relabelled_view(tensors[0], terms[0], output, subscripts)
    try:
        data = rules.einsum_data(*(t._data for t in tensors), terms=terms, output=output)
    except ValueError as error:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ShapeError(f"einsum: {error} (subscripts {subscripts!r}, shapes {shapes})") from None
    if any(np.may_share_memory(data, t._data) for t in tensors):  # (numpy's views are the branch above's; a copy,
        data = data.copy()  # so that an in-place change of the result cannot reach an operand behind the graph)
    return Tensor._from_op(data, rules.einsum, tensors, {"terms": terms, "output": output})


def _relabelled_view(x: Tensor, term: str, output: str, subscripts: str) -> Tensor:
    """One operand that sums nothing (``"ii->i"``, ``"ij->ji"``, ``"...->..."``): a view of it, as numpy's einsum
    and torch's return, built of recorded views (a diagonal per repeated label, then one permutation), so a write
    into the result reaches ``x`` and the graph as a write into ``x.diagonal()`` or ``x.T`` does. The values are
    x[..., k, ..., k, ...] with the output's labels in its order; d/dx places the gradient back on those entries."""
    labels, shape = list(term), x.shape
    while len(set(labels)) < len(labels):
        label = next(c for c in labels if labels.count(c) > 1)
        i = labels.index(label)
        j = labels.index(label, i + 1)
        if x.shape[i] != x.shape[j]:
            raise ShapeError(
                f"einsum: dimensions in single operand for collapsing index {label!r} don't match "
                f"({x.shape[i]} != {x.shape[j]}) (subscripts {subscripts!r}, shapes {shape})"
            )
        x = x.diagonal(0, i, j)  # torch's diagonal: the diagonal as the last axis
        labels = [c for k, c in enumerate(labels) if k not in (i, j)] + [label]
    return x.permute(tuple(labels.index(c) for c in output))


def _refuse_options(op: str, options: dict[str, Any]) -> None:
    given = sorted(name for name, value in options.items() if value is not None)
    if given:
        raise TypeError(f"{op}: {', '.join(given)} not supported on Tensors")


# integer label i is the i-th of these letters: in character order, so that the implicit output (its labels in
# character order) lists the integers in increasing order, as torch's and numpy's sublist forms do
_SUBLIST_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _from_sublists(first: Any, rest: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """numpy's sublist form (op0, sublist0, op1, sublist1, ..., [output sublist]) as a subscripts string and
    the operands."""
    items = (first, *rest)
    output = items[-1] if len(items) % 2 else None  # an odd count ends with the output's sublist
    items = items[:-1] if output is not None else items
    operands, sublists = items[0::2], items[1::2]
    if not sublists or not all(isinstance(sublist, (list, tuple)) for sublist in sublists):
        raise TypeError(
            "einsum: subscripts must be a string, or operands and index lists alternating (numpy's sublist form); "
            f"got {type(first).__name__} first"
        )

    def letters(sublist: Any) -> str:
        if not all(index is Ellipsis or isinstance(index, (int, np.integer)) for index in sublist):
            raise TypeError(f"einsum: a sublist holds ints from 0 to 51 or Ellipsis, got {sublist!r}")
        if not all(index is Ellipsis or 0 <= index < len(_SUBLIST_LETTERS) for index in sublist):
            raise ArgumentRangeError(f"einsum: a subscript in the sublist {sublist!r} is outside the range [0, 52)")
        return "".join("..." if index is Ellipsis else _SUBLIST_LETTERS[index] for index in sublist)

    subscripts = ",".join(letters(sublist) for sublist in sublists)
    if output is not None:
        subscripts += "->" + letters(output)
    return subscripts, operands


def _axes(axes: int | Sequence[int], ndim: int, op: str) -> tuple[int, ...]:
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    if any(not -ndim <= a < ndim for a in axes):
        # numpy's AxisError: a ValueError, and the IndexError torch raises ("Dimension out of range")
        raise np.exceptions.AxisError(f"{op}: axes {axes} out of range for an operand of dimension {ndim}")
    return tuple(int(a) % ndim for a in axes)


def _contract(op: str, a: Tensor, b: Tensor, axes_a: tuple[int, ...], axes_b: tuple[int, ...]) -> Tensor:
    """The einsum that sums a's axes ``axes_a`` against b's ``axes_b`` (equal lengths), free axes in order."""
    if len(axes_a) != len(axes_b) or any(a.shape[i] != b.shape[j] for i, j in zip(axes_a, axes_b)):
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} not aligned for summing axes {axes_a} and {axes_b}")
    letters = iter(string.ascii_letters)
    a_labels = [next(letters) for _ in range(a.ndim)]
    b_labels = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(axes_a, axes_b):
        b_labels[j] = a_labels[i]
    output = [a_labels[i] for i in range(a.ndim) if i not in axes_a] + [
        b_labels[j] for j in range(b.ndim) if j not in axes_b
    ]
    return einsum(f"{''.join(a_labels)},{''.join(b_labels)}->{''.join(output)}", a, b)


@takes_out("tensordot")
def tensordot(a: TensorLike, b: TensorLike, axes: int | Sequence[Any] = 2, *, dims: Any = UNSET) -> Tensor:
    """Sum products over the last ``axes`` (torch's ``dims``) axes of a and the first of b, or over the axis lists
    (axes_a, axes_b). As torch's, a summed axis of length 1 pairs with one of any length (numpy's requires equal
    lengths): a_1 * sum_k b_k."""
    axes = torch_alias("tensordot", "axes", axes, "dims", dims, default=2)
    a, b = _tensor(a), _tensor(b)
    if not isinstance(axes, (int, np.integer)) and np.ndim(axes) == 0 and hasattr(axes, "__index__"):
        axes = operator.index(axes)  # a 0-d integer array or Tensor, as numpy's and torch's
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ArgumentRangeError(  # torch's RuntimeError
                f"tensordot: axes={axes} must be in [0, {min(a.ndim, b.ndim)}] for shapes {a.shape} and {b.shape}"
            )
        return _contract("tensordot", *_summed_against_ones(a, b, range(a.ndim - axes, a.ndim), range(axes)))
    if len(axes) != 2:
        raise ValueError(f"tensordot: axes must be an integer or a pair of axis lists, got {axes!r}")
    axes_a, axes_b = _axes(axes[0], a.ndim, "tensordot"), _axes(axes[1], b.ndim, "tensordot")
    return _contract("tensordot", *_summed_against_ones(a, b, axes_a, axes_b))


def _summed_against_ones(a: Tensor, b: Tensor, axes_a: Any, axes_b: Any) -> tuple[Tensor, Tensor, tuple, tuple]:
    """torch's tensordot broadcasts a contracted axis of length 1 against the other's (numpy refuses): as
    sum_k a_1 b_k = a_1 sum_k b_k, the other operand is summed over that axis first (keeping it, of length 1)."""
    axes_a, axes_b = tuple(axes_a), tuple(axes_b)
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] == b.shape[j]:
            continue
        if a.shape[i] == 1:
            b = b.sum(axis=j, keepdims=True)
        elif b.shape[j] == 1:
            a = a.sum(axis=i, keepdims=True)
    return a, b, axes_a, axes_b


@takes_out("dot")
def dot(a: TensorLike, b: TensorLike) -> Tensor:
    """numpy.dot: a product with a 0-d operand, else the sum over a's last axis and b's second-to-last
    (its only axis for a vector): dot(a, b)[i, j, k, m] = sum(a[i, j, :] * b[k, :, m])."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return _contract("dot", a, b, (a.ndim - 1,), (max(b.ndim - 2, 0),))


@takes_out("inner")
def inner(a: TensorLike, b: TensorLike) -> Tensor:
    """numpy.inner: a product with a 0-d operand, else the sum over the last axes of both."""
    a, b = _tensor(a), _tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return _contract("inner", a, b, (a.ndim - 1,), (b.ndim - 1,))


@takes_out("outer", same_dtype=False)
def outer(a: TensorLike, b: TensorLike) -> Tensor:
    """The outer product of the flattened inputs: out[i, j] = a_i b_j; d/da_i = sum_j g_ij b_j."""
    a, b = _tensor(a), _tensor(b)
    return a.reshape(-1, 1) * b.reshape(1, -1)


@takes_out("kron", same_dtype=False)
def kron(a: TensorLike, b: TensorLike) -> Tensor:
    """The Kronecker product: blocks a_ij * b, as numpy.kron (the shorter shape is padded with leading 1s)."""
    a, b = _tensor(a), _tensor(b)
    ndim = max(a.ndim, b.ndim)
    a_shape = (1,) * (ndim - a.ndim) + a.shape
    b_shape = (1,) * (ndim - b.ndim) + b.shape
    interleaved_a = tuple(n for side in a_shape for n in (side, 1))
    interleaved_b = tuple(n for side in b_shape for n in (1, side))
    blocks = a.reshape(interleaved_a) * b.reshape(interleaved_b)
    return blocks.reshape(tuple(m * n for m, n in zip(a_shape, b_shape)))


def diagonal(
    a: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1, *, dim1: Any = UNSET, dim2: Any = UNSET
) -> Tensor:
    """The entries a[..., i, i + offset, ...] of the plane (axis1, axis2) (torch's ``dim1``, ``dim2``), as a new
    last axis (numpy.diagonal).

    A writable view, as torch's (numpy's is read-only): ``x.diagonal().fill_(0)`` zeroes x's diagonal, recorded
    as a ``diagonal_scatter`` of x while a graph is recorded. The gradient puts g back on that diagonal (zeros
    elsewhere)."""
    axis1 = torch_alias("diagonal", "axis1", axis1, "dim1", dim1, default=0)
    axis2 = torch_alias("diagonal", "axis2", axis2, "dim2", dim2, default=1)
    a = _tensor(a)
    if a.ndim < 2:
        raise AxisError(f"diagonal: needs at least 2 dimensions, got shape {a.shape}")  # torch: a dim out of range
    first, second = _axes((axis1, axis2), a.ndim, "diagonal")
    if first == second:
        raise ShapeError(f"diagonal: axis1 and axis2 must differ, got {axis1} and {axis2} for shape {a.shape}")
    offset = require_integer("diagonal", "offset", offset)
    data = a._data.diagonal(int(offset), first, second)
    if a._data.flags.writeable:
        data.flags.writeable = True
    return a._view(data, ar.diagonal, {"offset": int(offset), "axis1": first, "axis2": second})


def _diagonal_positions(rows: int, columns: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the ``offset`` diagonal of a rows x columns matrix."""
    start_row, start_column = max(-offset, 0), max(offset, 0)
    length = max(min(rows - start_row, columns - start_column), 0)
    return np.arange(start_row, start_row + length), np.arange(start_column, start_column + length)


def trace(a: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Tensor:
    """Sum of the ``offset`` diagonal (numpy.trace; ``dtype``: of the diagonal cast to it first, as numpy's sum);
    d/da is g on that diagonal."""
    a = _tensor(a)
    if a.ndim < 2:
        raise ShapeError(f"trace: needs an array of at least 2 dimensions, got shape {a.shape}")
    return diagonal(a, offset, axis1, axis2).sum(axis=-1, dtype=dtype)


def diag(v: TensorLike, k: int = 0, *, out: Tensor | None = None) -> Tensor:
    """numpy.diag: a matrix with the vector ``v`` on its k-th diagonal, or the k-th diagonal of a matrix (into
    torch's ``out=``, as torch.diag's).

    The diagonal of a matrix is a copy, as torch.diag's (and numpy's, read-only there): unlike :func:`diagonal`'s
    view, changing it in place leaves the matrix alone, and the other way round."""
    v = _tensor(v)
    if v.ndim == 2:
        result = diagonal(v, k).clone()
    elif v.ndim != 1:
        raise ShapeError(f"diag: input must be 1-d or 2-d, got shape {v.shape}")
    else:
        size = v.shape[0] + abs(int(k))
        result = shared_math.scatter_add(v, _diagonal_positions(size, size, int(k)), (size, size))
    return result if out is None else written_to_out("diag", result, out, inputs=(v,))
