"""Derivative table of ``einsum``, the one contraction primitive (tensordot, dot, inner, ... are built on it).

The subscripts are stored explicit, one string of single letters per operand and one for the output,
with any ellipsis already spelled out as letters (see :mod:`autograd.contractions`). For
out = einsum(s_1, ..., s_n -> s_out) the gradient for operand i is again an einsum,

    dX_i = einsum(s_out, s_j (j != i) -> s_i)(g, X_j),

the upstream gradient contracted with every other operand, with two fix-ups so numpy
accepts it: a label repeated in s_i (a diagonal, "ii") is renamed and tied to its twin by
an identity matrix, and a label found only in s_i (summed over X_i alone) is supplied by a
vector of ones of its length. A label of length 1 in X_i that others broadcast gives a
longer gradient axis, which the backward loop sums back (unbroadcast). The rule records
its einsum with :func:`autograd.shared_math.record`, so it is differentiable again.
"""

from __future__ import annotations

import math
import string

import numpy as np

from .. import shared_math as sm
from ..accumulation import COMPUTE_DTYPE, computing_data, rounded_to
from ..core import Node
from ..op import Op

#: The work (the product of every label's length) above which an einsum of several operands is handed to
#: numpy's contraction planner (pairwise tensordots, BLAS): ij,jk->ik of 64x256 and 256x256, 4 M products, takes
#: 1.7 ms in numpy's own loop, 0.1 ms planned; below this the plan's own cost (tens of us) is not repaid.
PLANNED_WORK = 1 << 16


def einsum_data(*arrays: np.ndarray, terms: tuple[str, ...], output: str) -> np.ndarray:
    """numpy's einsum of ``arrays`` with explicit subscripts ``terms`` -> ``output`` (planned into BLAS
    contractions when that pays, see :data:`PLANNED_WORK`). float16 operands are multiplied and added up in
    float32 and the result rounded once, as torch's half kernels (numpy's float16 einsum rounds every product
    and partial sum: three in four entries of a 30-term contraction come out a float16 step off)."""
    dtype = np.result_type(*arrays)
    if dtype in COMPUTE_DTYPE:
        arrays = tuple(computing_data(np.asarray(array)) for array in arrays)
    result = np.asarray(
        np.einsum(
            ",".join(terms) + "->" + output, *arrays, optimize="greedy" if _worth_planning(arrays, terms) else False
        )
    )
    return rounded_to(result, dtype)


def _worth_planning(arrays: tuple[np.ndarray, ...], terms: tuple[str, ...]) -> bool:
    """Whether numpy's planner should order the contraction: several operands, no label broadcast (a length 1
    against a longer one; numpy's own loop takes those), and at least PLANNED_WORK products."""
    if len(arrays) < 2:
        return False
    lengths: dict[str, int] = {}
    for term, array in zip(terms, arrays):
        for letter, length in zip(term, np.shape(array)):
            if lengths.setdefault(letter, length) != length:
                return False
    return math.prod(lengths.values()) >= PLANNED_WORK


def _diagonal_gradient(g: np.ndarray, target: str, shape: tuple[int, ...], output: str) -> np.ndarray:
    """The gradient of a one-operand einsum ``target -> output`` with a repeated label (a trace "ii->", a diagonal
    "ii->i", "...ii->...i"): zeros of the operand's shape with g (broadcast over the labels it summed) written onto
    the diagonals, through numpy's writable diagonal view; nothing of more entries than the gradient itself."""
    labels = "".join(dict.fromkeys(target))  # each label once, in order of first place
    gradient = np.zeros(shape, dtype=g.dtype)
    diagonal = np.einsum(f"{target}->{labels}", gradient)
    present = [letter for letter in labels if letter in output]
    arranged = np.transpose(g, [output.index(letter) for letter in present])
    diagonal[...] = arranged.reshape(
        [length if letter in output else 1 for letter, length in zip(labels, diagonal.shape)]
    )
    return gradient


def _einsum_rule(index, g, out, *operands, terms, output):
    target, shape = terms[index], operands[index].shape
    if len(operands) == 1 and len(set(target)) < len(target) and not isinstance(g, Node):
        return _diagonal_gradient(np.asarray(g), target, shape, output)
    used = set("".join(terms) + output)
    fresh = (letter for letter in string.ascii_letters if letter not in used)
    dtype = sm.data_of(g).dtype
    labels, arrays = [output], [g]
    for position, operand in enumerate(operands):
        if position != index:
            labels.append(terms[position])
            arrays.append(operand)
    lengths: dict[str, int] = {}
    for label, array in zip(labels, arrays):
        for letter, length in zip(label, array.shape):
            lengths[letter] = max(lengths.get(letter, 0), length)
    gradient_labels = ""
    ties = []  # (the axis of a label's first place, the axis of its repeat)
    for axis, (letter, length) in enumerate(zip(target, shape)):
        if letter in gradient_labels:  # a repeated label: a fresh one, tied to its twin by the identity
            ties.append((gradient_labels.index(letter), axis))
            twin, letter = letter, next(fresh)
            labels.append(twin + letter)
            arrays.append(np.eye(length, dtype=dtype))
        elif lengths.get(letter, -1) < length:  # summed over X_i alone (or broadcast by X_i): ones
            labels.append(letter)
            arrays.append(np.ones(length, dtype=dtype))
            lengths[letter] = length
        gradient_labels += letter
    gradient = sm.record(einsum, einsum_data, *arrays, terms=tuple(labels), output=gradient_labels)
    return _off_diagonals_zero(gradient, ties)


def _off_diagonals_zero(gradient, ties):
    """The gradient with exact zeros off the diagonals its ``ties`` (pairs of axes) name: there the identity's
    0 times an infinite or nan g is nan, where torch's (a diagonal's gradient scattered into zeros) gives 0."""
    if not ties:
        return gradient
    shape = sm.data_of(gradient).shape
    on_diagonals = np.ones((1,) * len(shape), dtype=bool)
    for first, repeat in ties:
        axes = [1] * len(shape)
        axes[first], axes[repeat] = shape[first], shape[repeat]
        on_diagonals = on_diagonals & np.eye(shape[first], shape[repeat], dtype=bool).reshape(axes)
    return sm.where(np.broadcast_to(on_diagonals, shape), gradient, 0.0)


# fmt: off
einsum = Op("einsum", _einsum_rule, variadic=True)
# fmt: on
