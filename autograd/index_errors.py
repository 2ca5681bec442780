"""Indices (and reductions over empty dimensions) where torch raises another built-in class than the library: each
error is both."""

from __future__ import annotations

import numpy as np

from .shape_errors import DtypeKernelError, ShapeError

__all__ = [
    "BincountDtypeError",
    "ClassIndexError",
    "EmptyReductionError",
    "IndexBoundsError",
    "IndexCountError",
    "IndexDtypeError",
    "IndexRankError",
    "IndexTensorDtypeError",
    "LongIndexDtypeError",
    "refuse_index_dtype",
    "refuse_position_index_dtype",
]

#: The integer dtypes of index tensors torch takes: int64 (long), int32 (int) and uint8 (byte, a mask to indexing).
INDEX_DTYPES = frozenset(np.dtype(t) for t in (np.int64, np.int32, np.uint8))

#: The dtypes of the index tensors of torch's ops that find entries by position along a dim (gather, scatter and its
#: reductions, index_select, index_add, index_reduce: "Expected dtype int32/int64 for index"): no uint8, which only
#: indexing takes (as a mask).
POSITION_INDEX_DTYPES = frozenset(np.dtype(t) for t in (np.int64, np.int32))


class IndexBoundsError(IndexError, RuntimeError):
    """An index outside its dimension in ``gather``, ``scatter`` and their kin (``scatter_add``, ``scatter_reduce``,
    ``index_add``, ``embedding_bag``): an IndexError, as the library has raised it, and the RuntimeError torch raises
    ("index 5 is out of bounds for dimension 1 with size 3"), so ``except`` clauses written for either catch it."""


class IndexDtypeError(TypeError, RuntimeError):
    """Indices of a non-integer dtype where an op looks entries up or writes them by them (``embedding``,
    ``nn.Embedding``, ``one_hot``, ``gather``, ``scatter``, ``take``, ``index_add``, ``put``, ...), or a mask that is
    not boolean (``masked_fill``, ``masked_select``, ...: "masked_fill_ only supports boolean masks"): a TypeError, as
    the library has raised it, and the RuntimeError torch raises ("Expected tensor for argument #1 'indices' to have
    one of the following scalar types: Long, Int", "gather(): Expected dtype int32/int64 for index"), so ``except``
    clauses written for either catch it."""


class IndexTensorDtypeError(IndexDtypeError, IndexError):
    """A floating-point tensor among the indices of ``index_put`` (and ``index_put_``), which torch refuses with an
    IndexError ("tensors used as indices must be long, int, byte or bool tensors"): an :class:`IndexDtypeError` (a
    TypeError, as the library has raised it, and a RuntimeError) that is an IndexError too."""


class LongIndexDtypeError(IndexTensorDtypeError):
    """An index of another dtype than int64 to ``index_fill``, which torch refuses with an IndexError ("Expected
    dtype int64 for index"): an :class:`IndexDtypeError` (a TypeError and RuntimeError) that is an IndexError too."""


class IndexCountError(ShapeError, IndexError):
    """A source whose entries are not one for each index: ``index_copy``'s source with another length along ``dim``
    than the number of indices (or another number of dimensions than self), ``put``'s with another number of
    elements than the index, ``index_add``'s 0-d source where self has axes (torch asks it for a size along ``dim``:
    "Dimension specified as 0 but tensor has no dimensions"). A :class:`ShapeError` (a ValueError, as the library has raised it) and the IndexError
    torch raises ("Number of indices (2) should be equal to source.size(dim) (3)"), so ``except`` clauses written
    for either catch it."""


class BincountDtypeError(DtypeKernelError, ValueError):
    """A ``bincount`` of a floating-point or bool tensor: a :class:`~autograd.shape_errors.DtypeKernelError` (the
    NotImplementedError torch raises, "bincount_cpu" not implemented for 'Float', and a TypeError) and the
    ValueError the library has raised, so ``except`` clauses written for any of them catch it."""


class IndexRankError(ShapeError, IndexError):
    """An index of more than one dimension where an op takes a vector or a scalar (``index_select``,
    ``index_add``, ``index_copy``, ``index_fill``): a :class:`ShapeError` (a ValueError, as the library has raised
    it, and torch's RuntimeError, index_fill's class) and the IndexError the others raise in torch ("Index is
    supposed to be a vector"), so ``except`` clauses written for any catch it."""


class ClassIndexError(ValueError, IndexError):
    """A class-index target outside [0, C) of a cross-entropy (``cross_entropy``, ``nll_loss``,
    ``softmax_cross_entropy``): a ValueError, as the library has raised it, and the IndexError torch raises
    ("Target 3 is out of bounds."), so ``except`` clauses written for either catch it."""


class EmptyReductionError(ValueError, IndexError, RuntimeError):
    """A reduction with no value for an empty slice (``max``, ``min``, ``amax``, ``argmax``, ... over a dimension of
    size 0): a ValueError, as numpy and the library raise it, the IndexError torch raises for a ``dim`` ("Expected
    reduction dim 0 to have non-zero size") and the RuntimeError it raises without one, so ``except`` clauses written
    for any of them catch it."""


def refuse_index_dtype(op: str, dtype: np.dtype, error: type[Exception] = IndexDtypeError) -> None:
    """Refuse an index Tensor of another integer dtype than :data:`INDEX_DTYPES` (int8, int16, uint16, uint32,
    uint64), as torch refuses one ("tensors used as indices must be long, int, byte or bool tensors"): an ``error``
    naming ``op``. Other dtypes are left to the caller (bool is a mask to indexing, a float is refused there)."""
    if dtype.kind in "iu" and dtype not in INDEX_DTYPES:
        raise error(f"{op}: tensors used as indices must be long, int, byte or bool tensors, got dtype {dtype}")


def refuse_position_index_dtype(op: str, dtype: np.dtype) -> None:
    """Refuse the index Tensor of an op that finds entries by position unless it is int64 or int32, as torch's
    kernels do: an :class:`IndexDtypeError` (a TypeError and torch's RuntimeError) naming ``op``. A uint8 index,
    which indexing reads as a mask, is a position nowhere here. (``put``, ``take`` and ``take_along_dim``, int64
    alone in torch, take int32 here too.)"""
    if dtype not in POSITION_INDEX_DTYPES:
        raise IndexDtypeError(f"{op}: expected an index tensor of dtype int32 or int64, got dtype {dtype}")
