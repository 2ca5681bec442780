"""``DataLoader``: mini-batches of numpy arrays, optionally shuffled with a seed."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..checks import check_integer, check_positive_int


class DataLoader:
    """Iterate over aligned arrays in mini-batches: ``for x, y in DataLoader(X, y, batch_size=32)``.

    ``X`` is an array (then ``y`` is an optional array of the same length) or a dataset:
    a tuple/list of arrays of one length, as in ``DataLoader((X, y))``. Each batch is a
    tuple with one slice per array (a bare array when there is only one).

    With ``shuffle=True`` every pass (epoch) draws a fresh permutation from
    ``numpy.random.default_rng((seed, epoch))``, so the sequence of epochs is the same
    for the same ``seed``; ``seed=None`` picks a random seed once, at construction.
    ``drop_last=True`` drops a final batch smaller than ``batch_size``.
    """

    def __init__(
        self,
        X: Any,
        y: Any = None,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if isinstance(X, (tuple, list)) and y is None:
            arrays = tuple(np.asarray(array) for array in X)
        else:
            arrays = (np.asarray(X),) if y is None else (np.asarray(X), np.asarray(y))
        if not arrays:
            raise ValueError("DataLoader: the dataset holds no arrays")
        if any(array.ndim == 0 for array in arrays):
            raise ValueError(f"DataLoader: arrays need a sample axis; got shapes {[a.shape for a in arrays]}")
        lengths = [len(array) for array in arrays]
        if len(set(lengths)) != 1:
            raise ValueError(
                f"DataLoader: arrays have mismatched lengths {lengths}; every array needs one row per sample"
            )
        self.arrays: tuple[np.ndarray, ...] = arrays
        self.batch_size = check_positive_int("DataLoader", "batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = (
            check_integer("DataLoader", "seed", seed, 0)
            if seed is not None
            else int(np.random.SeedSequence().entropy % 2**63)
        )
        self.epoch = 0

    @property
    def num_samples(self) -> int:
        """Number of samples (rows) in the dataset."""
        return len(self.arrays[0])

    def __len__(self) -> int:
        """Number of batches per pass: floor(n / b) with ``drop_last``, else ceil(n / b)."""
        if self.drop_last:
            return self.num_samples // self.batch_size
        return math.ceil(self.num_samples / self.batch_size)

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.num_samples)
        return np.random.default_rng((self.seed, self.epoch)).permutation(self.num_samples)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        self.epoch += 1
        for batch in range(len(self)):
            rows = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            slices = tuple(array[rows] for array in self.arrays)
            yield slices[0] if len(slices) == 1 else slices

    def __repr__(self) -> str:
        shapes: Sequence[tuple[int, ...]] = [array.shape for array in self.arrays]
        return (
            f"DataLoader(shapes={list(shapes)}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, seed={self.seed})"
        )
