"""Datasets made of other datasets, as torch's: ``Subset``, ``ConcatDataset``, ``StackDataset`` and
``random_split``.

Each works on any dataset (an object with ``__len__`` and ``__getitem__``: a :class:`~nn.data.Dataset`,
an array, a list of samples) and reads the samples of the datasets it wraps, never copying them.
"""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
import operator
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from autograd import Node

from ..checks import make_generator
from .dataset import Dataset, Sample, is_map_dataset, samples_at
from .iterable import IterableDataset
from .torch_errors import DatasetAssertionError, DatasetIndexError, UnsupportedDatasetError

__all__ = ["ConcatDataset", "StackDataset", "Subset", "random_split"]


class Subset(Dataset[Sample]):
    """The samples of ``dataset`` at ``indices``, in that order: ``Subset(d, [5, 2])[0]`` is ``d[5]``.

    A list of positions, or a slice of them (``subset[1:3]`` is positions 1 and 2), is mapped through
    ``indices``. As in torch, a dataset object (a ``TensorDataset``, another ``Subset``, any
    :class:`~nn.data.Dataset`) gets the list of its indices in one call: ``subset[[0, 1]]`` is
    ``dataset[[indices[0], indices[1]]]``, so a ``TensorDataset`` gives its rows at once. A plain array
    or list of samples gives the list of those samples instead (torch gives an array's rows as one
    array, and fails on a list).
    """

    def __init__(self: Subset[Any], dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            index = list(range(len(self))[index])
        if isinstance(index, list):
            dataset_indices = [self.indices[position] for position in index]
            if is_map_dataset(self.dataset):
                return self.dataset[dataset_indices]
            return [self.dataset[dataset_index] for dataset_index in dataset_indices]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: Sequence[int]) -> Any:
        """The list of samples at positions ``indices`` (a DataLoader's batch), read by the dataset's own
        ``__getitems__`` when it has one, as torch's."""
        return samples_at(self.dataset, [self.indices[position] for position in indices])

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[Sample]):
    """The samples of several datasets one after another: ``ConcatDataset([a, b])[len(a)]`` is ``b[0]``.

    ``cumulative_sizes[k]`` is the number of samples in the first k + 1 datasets. Negative indices count
    from the end; an index outside ``[-len, len)`` is an IndexError. An :class:`~nn.data.IterableDataset`
    has no indices, so it is refused when the ConcatDataset is made, as in torch (torch's AssertionError, also a
    TypeError; :class:`~nn.data.ChainDataset` chains streams), and so is an empty list of datasets (an
    AssertionError, also a ValueError).
    """

    def __init__(self: ConcatDataset[Any], datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise DatasetAssertionError("ConcatDataset: datasets should not be an empty iterable")
        for position, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise UnsupportedDatasetError(
                    f"ConcatDataset does not support IterableDataset: dataset {position} is a {type(dataset).__name__}"
                )
        self.cumulative_sizes = self.cumsum(self.datasets)

    @staticmethod
    def cumsum(sequence: Iterable[Any]) -> list[int]:
        """torch's helper: the running totals of the lengths of ``sequence``'s datasets (``cumulative_sizes``)."""
        return list(itertools.accumulate(len(dataset) for dataset in sequence))

    @property
    def cummulative_sizes(self) -> list[int]:
        """torch's misspelt former name of :attr:`cumulative_sizes`, kept with torch's FutureWarning."""
        warnings.warn("`cummulative_sizes` attribute is renamed to `cumulative_sizes`", FutureWarning, stacklevel=2)
        return self.cumulative_sizes

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        position = operator.index(index)
        if position < -len(self):  # torch's ValueError (and the library's IndexError)
            raise DatasetIndexError(
                f"ConcatDataset: index {index} is out of range for {len(self)} samples (absolute value of index "
                "should not exceed dataset length)"
            )
        if position >= len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} samples")
        position %= len(self)
        which = bisect.bisect_right(self.cumulative_sizes, position)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][position - start]


class StackDataset(Dataset[Sample]):
    """Datasets of one length side by side, as torch's: sample i gathers sample i of each.

    ``StackDataset(a, b)[i]`` is the tuple ``(a[i], b[i])``; ``StackDataset(images=a, labels=b)[i]`` the dict
    ``{"images": a[i], "labels": b[i]}``. ``len`` is the common length. Datasets of different lengths,
    none at all, or some given by position and some by keyword are a ValueError, as in torch. For a batch
    the DataLoader calls ``__getitems__``, which reads each dataset's samples in one call when that
    dataset has a ``__getitems__`` of its own.
    """

    def __init__(self: StackDataset[Any], *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError(
                "StackDataset: Supported either tuple- (via args) or dict- (via kwargs) like input/output, but both "
                "types are given: give the datasets either by position (samples are tuples) or by keyword (samples "
                "are dicts), not both"
            )
        if not args and not kwargs:
            raise ValueError("StackDataset: At least one dataset should be passed")
        self.datasets: tuple[Any, ...] | dict[str, Any] = args if args else kwargs
        named = dict(enumerate(args)) if args else kwargs
        lengths = {name: len(dataset) for name, dataset in named.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"StackDataset: Size mismatch between datasets, lengths {lengths}")
        self._length = next(iter(lengths.values()))

    def __getitem__(self, index: Any) -> tuple[Any, ...] | dict[str, Any]:
        if isinstance(self.datasets, dict):
            return {name: dataset[index] for name, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list[Any]) -> list[tuple[Any, ...] | dict[str, Any]]:
        """The samples at ``indices``, each dataset read with its own ``__getitems__`` when it has one."""
        if isinstance(self.datasets, dict):
            columns = {name: _samples_at(dataset, indices) for name, dataset in self.datasets.items()}
            return [{name: column[row] for name, column in columns.items()} for row in range(len(indices))]
        rows = zip(*(_samples_at(dataset, indices) for dataset in self.datasets), strict=True)
        return [tuple(row) for row in rows]

    def __len__(self) -> int:
        return self._length


def _samples_at(dataset: Any, indices: list[Any]) -> list[Any]:
    """The samples of ``dataset`` at ``indices`` (:func:`~nn.data.dataset.samples_at`), as many as ``indices``."""
    samples = list(samples_at(dataset, indices))
    if len(samples) != len(indices):
        raise ValueError(
            f"StackDataset: Nested dataset's output size mismatch. Expected {len(indices)}, got {len(samples)} "
            "(a dataset's __getitems__ gave too few or too many samples for the indices)"
        )
    return samples


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _split_lengths(total: int, lengths: Sequence[Any]) -> list[int]:
    """``lengths`` as whole lengths: fractions summing to 1 become floor(total * f), the remainder
    handed out one by one from the first split (torch's rule); whole lengths must sum to ``total``."""
    if any(isinstance(length, (bool, np.bool_)) or not isinstance(length, numbers.Real) for length in lengths):
        raise TypeError(f"random_split: lengths must be integers or fractions summing to 1, got {list(lengths)!r}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"random_split: fraction at index {position} is not between 0 and 1, got {fraction!r}")
        whole = [math.floor(total * fraction) for fraction in lengths]
        for position in range(total - sum(whole)):
            whole[position % len(whole)] += 1
        for position, length in enumerate(whole):
            if length == 0:
                warnings.warn(
                    f"Length of split at index {position} is 0. This might result in an empty dataset.", stacklevel=3
                )
        return whole
    if sum(lengths) != total:
        raise ValueError(
            f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length of the input dataset "
            f"({total})"
        )
    if not all(_is_integer(length) for length in lengths):
        raise TypeError(f"random_split: lengths must be integers or fractions summing to 1, got {list(lengths)!r}")
    if any(length < 0 for length in lengths):
        raise ValueError(f"random_split: lengths must be >= 0, got {list(lengths)!r}")
    return [int(length) for length in lengths]


def _plain_numbers(lengths: Any) -> list[Any]:
    """``lengths`` as a list of numbers: a Tensor or an array of them (torch takes ``tensor([3, 7])``) read entry by
    entry, and one-element Tensors in a list as the numbers they hold (numpy scalars are numbers already)."""
    if isinstance(lengths, Node):
        lengths = lengths._data
    if isinstance(lengths, np.ndarray):
        return lengths.tolist() if lengths.ndim else [lengths.item()]  # (rows of a 2-D one are refused by the check)
    return [
        length._data.item() if isinstance(length, Node) and np.size(length._data) == 1 else length for length in lengths
    ]


def random_split(dataset: Any, lengths: Sequence[Any], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random :class:`Subset`\\ s of the given ``lengths``, as torch.

    ``lengths`` are whole lengths summing to ``len(dataset)``, or fractions summing to 1 (each
    split gets floor(n * fraction) samples and the samples left over go one each to the first
    splits, so ``[0.3, 0.7]`` of 10 samples is 3 and 7; a split left empty warns). Together the
    subsets hold every sample once. ``generator`` draws the permutation: a numpy Generator, an int
    seed (the same seed, the same split) or None (the library's random state, seeded by
    ``autograd.manual_seed``).
    """
    whole = _split_lengths(len(dataset), _plain_numbers(lengths))
    order = make_generator("random_split", "generator", generator).permutation(sum(whole)).tolist()
    ends = itertools.accumulate(whole)
    return [Subset(dataset, order[end - length : end]) for end, length in zip(ends, whole, strict=True)]
