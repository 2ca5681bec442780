"""Samplers, as torch's: the order in which a :class:`~nn.data.DataLoader` reads its dataset's samples.

A sampler is any iterable of sample indices (Python ints), with ``__len__`` when the loader's length is
asked for; a batch sampler is an iterable of lists of indices, one list per batch.

The random samplers take ``generator``: a ``numpy.random.Generator`` (each pass draws from it, so its
stream continues), an int seed (pass k draws from ``numpy.random.default_rng((seed, k))``: the same seed
repeats the same sequence of passes, each pass in a new order) or None (each pass draws from the
library's random state: seeded by ``autograd.manual_seed``, else fresh entropy). As in torch, a pass
draws when its first index is asked for (``next``), not when ``iter()`` is called.

:class:`DistributedSampler` gives one replica's share of a dataset, as torch's (its order drawn from ``seed + epoch``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from autograd import Generator, generator_for

from .torch_errors import EmptyDrawError, WeightsError, torch_count, torch_flag

__all__ = [
    "BatchSampler",
    "DistributedSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "check_generator",
]

GeneratorLike = np.random.Generator | int | None
Index = TypeVar("Index", covariant=True)


def check_generator(owner: str, value: Any) -> GeneratorLike:
    """``value`` if it is a numpy Generator, None or an int seed >= 0 (as a Python int); an error naming
    ``owner`` and ``generator`` otherwise."""
    if value is None or isinstance(value, np.random.Generator):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: generator must be a numpy.random.Generator, an int seed or None, got {value!r}")
    if value < 0:
        raise ValueError(f"{owner}: generator must be an int seed >= 0, got {value!r}")
    return int(value)


class Sampler(Generic[Index]):
    """Base class of samplers: define ``__iter__`` (the indices of one pass) and, usually, ``__len__``.

    ``Sampler[int]`` yields indices, ``Sampler[list[int]]`` (a batch sampler) lists of them."""

    def __init__(self, data_source: Sized | None = None) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[Index]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")


class _RandomPasses(Sampler[int]):
    """A sampler whose passes draw from ``generator`` (see the module's docstring); ``epoch`` counts the
    passes begun.

    As in torch, a pass draws its indices when its first index is asked for, not when ``iter()`` is
    called: an iterator made before ``autograd.manual_seed`` draws from the reseeded state."""

    def __init__(self, data_source: Sized | None, generator: Any, owner: str) -> None:
        super().__init__(data_source)
        self.generator = check_generator(owner, generator)
        self.epoch = 0

    def _next_pass(self) -> np.random.Generator:
        """The Generator of the pass about to begin."""
        epoch, self.epoch = self.epoch, self.epoch + 1
        if isinstance(self.generator, np.random.Generator):
            return self.generator
        if self.generator is None:
            return generator_for()
        return np.random.default_rng((self.generator, epoch))


class SequentialSampler(Sampler[int]):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order."""

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        super().__init__(data_source)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_RandomPasses):
    """Random indices into ``data_source``: a fresh permutation every pass, as torch's ``RandomSampler``.

    Without ``replacement``, ``num_samples`` (default ``len(data_source)``) indices are whole
    permutations one after another, the last cut short; with it, ``num_samples`` independent uniform
    draws. ``generator`` as in :mod:`nn.data.samplers`. As in torch, a ``replacement`` that is not a bool
    is a TypeError and a ``num_samples`` that is not a positive integer a ValueError, also when it is the
    length of an empty ``data_source`` (so a DataLoader cannot shuffle an empty dataset, as torch's).
    """

    data_source: Sized

    def __init__(
        self, data_source: Sized, replacement: bool = False, num_samples: int | None = None, generator: Any = None
    ) -> None:
        super().__init__(data_source, generator, "RandomSampler")
        self.replacement = torch_flag("RandomSampler", "replacement", replacement, error=TypeError)
        self._num_samples = None if num_samples is None else torch_count("RandomSampler", "num_samples", num_samples)
        if num_samples is None and len(data_source) == 0:  # torch's check of its default num_samples
            raise ValueError(
                "RandomSampler: num_samples should be a positive integer value, but got num_samples=0 "
                "(the length of an empty data_source); there is nothing to draw from"
            )

    @property
    def num_samples(self) -> int:
        """Indices per pass: the given ``num_samples``, else the length of ``data_source``."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    #: Indices drawn at a time with ``replacement`` (torch's chunk too), so a huge ``num_samples`` (minGPT's
    #: ``int(1e10)``, an endless stream) costs memory for one chunk, not for every index at once.
    _CHUNK = 32

    def __iter__(self) -> Iterator[int]:
        n, count, generator = len(self.data_source), self.num_samples, self._next_pass()
        if self.replacement:
            if n == 0 and count:
                raise EmptyDrawError(
                    f"RandomSampler: cannot draw {count} samples with replacement from a data_source of no samples"
                )
            for start in range(0, count, self._CHUNK):
                yield from generator.integers(n, size=min(self._CHUNK, count - start)).tolist()
            return
        for _ in range(count // n if n else 0):  # one permutation at a time, as torch's: the passes are lazy
            yield from generator.permutation(n).tolist()
        if n and count % n:
            yield from generator.permutation(n)[: count % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_RandomPasses):
    """The given ``indices`` in a fresh random order every pass (without replacement)."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        super().__init__(None, generator, "SubsetRandomSampler")
        self.indices = indices

    def __iter__(self) -> Iterator[int]:
        order = self._next_pass().permutation(len(self.indices))
        yield from (self.indices[position] for position in order.tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_RandomPasses):
    """``num_samples`` indices in ``0 .. len(weights) - 1``, index i drawn with probability
    ``weights[i] / sum(weights)``; with ``replacement=False`` no index repeats within a pass.

    ``weights`` are one-dimensional, finite and >= 0, not all 0 (they need not sum to 1). Without replacement,
    as torch's ``multinomial``, the indices of nonzero weight come first, drawn one after another in proportion
    to the weights left, and when ``num_samples`` exceeds their count the rest are indices of zero weight, taken
    at random; ``num_samples`` may not exceed ``len(weights)``. Weights that cannot be drawn from are a
    :class:`~nn.data.torch_errors.WeightsError` (torch's RuntimeError and a ValueError), raised at construction
    where torch raises on iteration. As in torch, a ``num_samples`` that is not a positive integer or a
    ``replacement`` that is not a bool is a ValueError.
    """

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True, generator: Any = None) -> None:
        super().__init__(None, generator, "WeightedRandomSampler")
        self.weights = np.asarray(weights, dtype=np.float64)
        if self.weights.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-D sequence, got shape {self.weights.shape}")
        if not np.all(np.isfinite(self.weights)) or np.any(self.weights < 0) or not np.any(self.weights > 0):
            raise WeightsError("WeightedRandomSampler: weights must be finite and >= 0, with at least one > 0")
        self.num_samples = torch_count("WeightedRandomSampler", "num_samples", num_samples)
        self.replacement = torch_flag("WeightedRandomSampler", "replacement", replacement)
        if not self.replacement and self.num_samples > len(self.weights):
            raise WeightsError(
                f"WeightedRandomSampler: cannot draw num_samples={self.num_samples} indices without replacement "
                f"from {len(self.weights)} weights"
            )

    def __iter__(self) -> Iterator[int]:
        scaled = self.weights / self.weights.max()  # (so the sum cannot overflow: weights of 1e308 are legal)
        probabilities = scaled / scaled.sum()
        generator = self._next_pass()
        positive = np.count_nonzero(scaled)
        count = self.num_samples if self.replacement else min(self.num_samples, positive)
        yield from generator.choice(len(scaled), count, self.replacement, probabilities).tolist()
        if count < self.num_samples:  # without replacement, past the nonzero weights: zero-weight indices
            yield from generator.permutation(np.flatnonzero(scaled == 0))[: self.num_samples - count].tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``, in order: ``BatchSampler(range(7), 3,
    False)`` gives ``[0, 1, 2], [3, 4, 5], [6]``; ``drop_last=True`` drops a final list shorter than
    ``batch_size``. As in torch, a ``batch_size`` that is not a positive integer (``True``, ``2.0``, ``"2"``)
    or a ``drop_last`` that is not a bool (``0``, ``1``) is a ValueError."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        super().__init__(None)
        self.sampler = sampler
        self.batch_size = torch_count("BatchSampler", "batch_size", batch_size)
        self.drop_last = torch_flag("BatchSampler", "drop_last", drop_last)

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        """Batches per pass: floor(n / batch_size) with ``drop_last``, else ceil(n / batch_size)."""
        count = len(self.sampler)  # type: ignore[arg-type]
        return count // self.batch_size if self.drop_last else math.ceil(count / self.batch_size)


class DistributedSampler(Sampler[int]):
    """The share of ``dataset`` that replica ``rank`` of ``num_replicas`` reads, as torch's ``DistributedSampler``.

    Each pass orders the n indices (a permutation drawn from ``Generator().manual_seed(seed + epoch)`` with
    ``shuffle``, else ``0 .. n - 1``), makes them a multiple of ``num_replicas`` long (``drop_last``: the tail cut
    off, else the first indices repeated) and gives replica ``rank`` every ``num_replicas``-th index from ``rank``:
    ``num_samples`` = ceil(n / num_replicas) indices, or floor with ``drop_last``. Every replica made with the same
    ``seed`` draws the same permutation, so the shares do not overlap (beyond the padding); :meth:`set_epoch`
    before each epoch gives a new order, and without it each pass repeats the last. The permutation is numpy's
    (PCG64), not torch's, so the shares of a shuffled dataset differ from torch's for the same seed.

    torch reads a missing ``num_replicas`` or ``rank`` from its process group; the library never has one, so both
    must be given (torch's ValueError otherwise), and a ``rank`` outside ``[0, num_replicas)`` is torch's ValueError.
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        super().__init__(None)
        if num_replicas is None or rank is None:
            raise ValueError(
                "DistributedSampler: Default process group has not been initialized, please make sure to call "
                "init_process_group. (the library has no process group: give num_replicas and rank)"
            )
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"DistributedSampler: Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        self.shuffle = shuffle
        self.seed = seed
        total = len(dataset)
        self.num_samples = total // num_replicas if drop_last else math.ceil(total / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        total = len(self.dataset)
        if self.shuffle:
            indices = Generator().manual_seed(self.seed + self.epoch).permutation(total).tolist()
        else:
            indices = list(range(total))
        if indices:  # the first indices repeated (cyclically) up to a multiple of num_replicas, or the tail cut off
            indices = (indices * math.ceil(self.total_size / total))[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """The epoch about to begin: with ``shuffle``, its order is drawn from ``seed + epoch`` (call it before each
        epoch, on every replica, for a new order each epoch)."""
        self.epoch = epoch
