"""Datasets made of other datasets, as torch's: ``Subset``, ``ConcatDataset`` and ``random_split``.

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

from ..checks import make_generator
from .dataset import Dataset

__all__ = ["ConcatDataset", "Subset", "random_split"]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``Subset(d, [5, 2])[0]`` is ``d[5]``.

    A list of positions gives the list of their samples (``subset[[0, 1]]``).
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self[position] for position in index]
        return self.dataset[self.indices[operator.index(index)]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of several datasets one after another: ``ConcatDataset([a, b])[len(a)]`` is ``b[0]``.

    ``cumulative_sizes[k]`` is the number of samples in the first k + 1 datasets. Negative indices count
    from the end; an index outside ``[-len, len)`` is an IndexError.
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(itertools.accumulate(len(dataset) for dataset in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        position = operator.index(index)
        if not -len(self) <= position < len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} samples")
        position %= len(self)
        which = bisect.bisect_right(self.cumulative_sizes, position)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][position - start]


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


def random_split(dataset: Any, lengths: Sequence[Any], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random :class:`Subset`\\ s of the given ``lengths``, as torch.

    ``lengths`` are whole lengths summing to ``len(dataset)``, or fractions summing to 1 (each
    split gets floor(n * fraction) samples and the samples left over go one each to the first
    splits, so ``[0.3, 0.7]`` of 10 samples is 3 and 7; a split left empty warns). Together the
    subsets hold every sample once. ``generator`` draws the permutation: a numpy Generator, an int
    seed (the same seed, the same split) or None (the library's random state, seeded by
    ``autograd.manual_seed``).
    """
    whole = _split_lengths(len(dataset), list(lengths))
    order = make_generator("random_split", "generator", generator).permutation(sum(whole)).tolist()
    ends = itertools.accumulate(whole)
    return [Subset(dataset, order[end - length : end]) for end, length in zip(ends, whole, strict=True)]
