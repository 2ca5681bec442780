"""Indices out of range where torch raises another built-in class than the library: each error is both."""

from __future__ import annotations

__all__ = ["ClassIndexError", "IndexBoundsError"]


class IndexBoundsError(IndexError, RuntimeError):
    """An index outside its dimension in ``gather``, ``scatter`` and their kin (``scatter_add``, ``scatter_reduce``,
    ``index_add``, ``embedding_bag``): an IndexError, as the library has raised it, and the RuntimeError torch raises
    ("index 5 is out of bounds for dimension 1 with size 3"), so ``except`` clauses written for either catch it."""


class ClassIndexError(ValueError, IndexError):
    """A class-index target outside [0, C) of a cross-entropy (``cross_entropy``, ``nll_loss``,
    ``softmax_cross_entropy``): a ValueError, as the library has raised it, and the IndexError torch raises
    ("Target 3 is out of bounds."), so ``except`` clauses written for either catch it."""
