"""The error of an index outside its dimension where torch raises another class than the library."""

from __future__ import annotations

__all__ = ["IndexBoundsError"]


class IndexBoundsError(IndexError, RuntimeError):
    """An index outside its dimension in ``gather``, ``scatter`` and their kin (``scatter_add``, ``scatter_reduce``,
    ``index_add``, ``embedding_bag``): an IndexError, as the library has raised it, and the RuntimeError torch raises
    ("index 5 is out of bounds for dimension 1 with size 3"), so ``except`` clauses written for either catch it."""
