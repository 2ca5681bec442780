"""``DataLoader``: mini-batches of numpy arrays (from arrays or a dataset object), optionally shuffled
with a seed."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from autograd import generator_for

from ..checks import check_integer, check_positive_int
from .dataset import TensorDataset, aligned_arrays, collate, is_map_dataset

#: ``DataLoader``'s default batch size.
_DEFAULT_BATCH_SIZE = 32


def _is_integer(value: Any) -> bool:
    """Whether ``value`` is a Python or numpy integer (not a bool): never an array of targets."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


class DataLoader:
    """Iterate over aligned arrays in mini-batches: ``for x, y in DataLoader(X, y, batch_size=32)``.

    ``X`` is an array (then ``y`` is an optional array of the same length), a tuple/list of
    arrays of one length, as in ``DataLoader((X, y))``, or a dataset object as in torch
    (``__len__`` and ``__getitem__(i)`` giving one sample; :class:`~nn.data.TensorDataset`).
    Each batch is a tuple with one slice per array (a bare array when there is only one); a
    dataset's samples are stacked field by field (:func:`~nn.data.dataset.collate`).

    With ``shuffle=True`` every pass (epoch) draws a fresh permutation from
    ``numpy.random.default_rng((seed, epoch))``, so the sequence of epochs is the same
    for the same ``seed``; ``seed=None`` picks a random seed once, at construction.
    ``drop_last=True`` drops a final batch smaller than ``batch_size``.

    An integer second argument is torch's positional batch size, ``DataLoader(dataset, 16)`` (no targets
    are a bare number); the other options then go by keyword.
    """

    def __init__(
        self,
        X: Any,
        y: Any = None,
        batch_size: int = _DEFAULT_BATCH_SIZE,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if _is_integer(y):  # torch's DataLoader(dataset, batch_size)
            if batch_size != _DEFAULT_BATCH_SIZE:
                raise TypeError(
                    f"DataLoader: batch size given twice, {y!r} after the data (torch's DataLoader(dataset, "
                    f"batch_size)) and batch_size={batch_size!r}; pass shuffle, drop_last and seed by keyword"
                )
            y, batch_size = None, y
        self.dataset: Any = None  # a dataset object read sample by sample, else None
        if is_map_dataset(X) and y is not None:
            raise TypeError(
                f"DataLoader: a dataset object ({type(X).__name__}) holds its targets; pass y only with an array X"
            )
        if is_map_dataset(X) and not isinstance(X, TensorDataset):
            self.dataset = X
            self.arrays: tuple[np.ndarray, ...] = ()
            self._length = check_integer("DataLoader", "len(dataset)", len(X), 0)
        else:
            self.arrays = _aligned_arrays(X, y)
            self._length = len(self.arrays[0])
        self.batch_size = check_positive_int("DataLoader", "batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = (
            check_integer("DataLoader", "seed", seed, 0)
            if seed is not None
            else int(generator_for().integers(2**63))  # fresh, or from the state autograd.manual_seed seeded
        )
        self.epoch = 0

    @property
    def num_samples(self) -> int:
        """Number of samples (rows) in the dataset."""
        return self._length

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
            if self.dataset is not None:
                yield collate([self.dataset[int(row)] for row in rows])
                continue
            slices = tuple(array[rows] for array in self.arrays)
            yield slices[0] if len(slices) == 1 else slices

    def __repr__(self) -> str:
        shapes: Sequence[tuple[int, ...]] = [array.shape for array in self.arrays]
        source = f"dataset={type(self.dataset).__name__}" if self.dataset is not None else f"shapes={list(shapes)}"
        return (
            f"DataLoader({source}, n={self.num_samples}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, seed={self.seed})"
        )


def _aligned_arrays(X: Any, y: Any) -> tuple[np.ndarray, ...]:
    """The arrays of a DataLoader given arrays: ``X`` (and ``y``), a tuple/list of them, or a TensorDataset."""
    if isinstance(X, TensorDataset) and y is None:
        return X.arrays
    if isinstance(X, (tuple, list)) and y is None:
        return aligned_arrays("DataLoader", X)
    return aligned_arrays("DataLoader", (X,) if y is None else (X, y))
