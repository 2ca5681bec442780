"""Iterable-style datasets, as torch's ``IterableDataset`` and ``ChainDataset``.

An iterable dataset is a stream: ``iter(dataset)`` yields its samples one after another, and there may be
no index to ask for (lines of a file, a generator of synthetic data). A :class:`~nn.data.DataLoader` over
one takes ``batch_size`` samples at a time from a fresh ``iter(dataset)`` each pass; there is no sampler,
so ``shuffle``, ``sampler`` and ``batch_sampler`` are refused, as in torch.

Batches are read in the calling process, so :func:`get_worker_info` is always None (torch's answer in the
main process): a dataset that splits its stream among workers sees one worker reading everything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from .dataset import Dataset, Sample
from .torch_errors import NoStreamIndexError, UnsupportedDatasetError

__all__ = ["ChainDataset", "IterableDataset", "get_worker_info"]


class IterableDataset(Dataset[Sample]):
    """Base class of iterable-style datasets: define ``__iter__`` (the samples of one pass).

    ``__len__`` is optional; when defined, ``len(DataLoader(dataset, batch_size=b))`` is the number of
    batches it implies. ``a + b`` chains two such datasets (:class:`ChainDataset`).
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __getitem__(self, index: int) -> Any:
        """Refused: a stream has no indices (torch's NotImplementedError, also a TypeError)."""
        raise NoStreamIndexError(f"{type(self).__name__} is an IterableDataset: iterate over it, it has no indices")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} is an IterableDataset without __len__")

    def __add__(self, other: Any) -> ChainDataset[Any]:
        """``a + b`` is ``ChainDataset([a, b])``: the samples of ``a``, then those of ``b``."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset[Sample]):
    """Several iterable datasets one after another, read lazily: each pass iterates each in turn.

    Each must be an ``IterableDataset`` (checked when iterated or measured, as torch, with torch's AssertionError,
    also a TypeError); the length, when asked, is the sum of theirs.
    """

    def __init__(self: ChainDataset[Any], datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator[Any]:
        return itertools.chain.from_iterable(self._checked())

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self._checked())

    def _checked(self) -> list[IterableDataset]:
        """The datasets, after checking that each is an IterableDataset (an :class:`UnsupportedDatasetError`, torch's
        AssertionError and a TypeError, naming the first that is not)."""
        for position, dataset in enumerate(self.datasets):
            if not isinstance(dataset, IterableDataset):
                raise UnsupportedDatasetError(
                    f"ChainDataset only supports IterableDataset: dataset {position} is a {type(dataset).__name__}"
                )
        return self.datasets


def get_worker_info() -> None:
    """torch's ``get_worker_info()``: None, since every batch is read in the calling process."""
    return None
