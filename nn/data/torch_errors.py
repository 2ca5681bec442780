"""Errors of the data package that torch raises under another built-in class than the library's, and the
argument checks that raise them.

torch refuses a mistyped ``batch_size``, ``drop_last``, ``num_samples`` or ``replacement`` with a
ValueError and a ragged batch of sequences with a RuntimeError; the library gave a TypeError for both. A batch
of samples of different shapes is torch's RuntimeError (from ``torch.stack``) and was the library's ValueError.
torch refuses a TensorDataset of tensors of different lengths, an empty ConcatDataset, a ConcatDataset of a
stream and a ChainDataset of a map-style dataset with an AssertionError; the library gave a ValueError or a
TypeError.
These errors belong to both classes, so an ``except`` written for torch and one written for the
library's earlier error catch them alike (as numpy's ``AxisError`` is both a ValueError and an
IndexError).
"""

from __future__ import annotations

from typing import Any

from ..checks import MistypedArgumentError, check_flag, check_positive_int

__all__ = [
    "DatasetAssertionError",
    "DatasetIndexError",
    "EmptyBatchError",
    "EmptyDrawError",
    "IteratorOptionError",
    "MissingLengthError",
    "MistypedArgumentError",
    "NoSampleAxisError",
    "NoStreamIndexError",
    "RaggedBatchError",
    "UnequalShapesError",
    "UnsupportedDatasetError",
    "WeightsError",
    "torch_count",
    "torch_flag",
]


class RaggedBatchError(RuntimeError, TypeError):
    """Samples whose sequences differ in length: torch's RuntimeError, and a TypeError as the library's."""


class MissingLengthError(NotImplementedError, TypeError):
    """``len()`` of a Dataset subclass that defines no ``__len__``: the library's NotImplementedError, and the
    TypeError Python (and so torch, whose Dataset has no ``__len__``) raises for an object without a length."""


class DatasetAssertionError(AssertionError, ValueError):
    """A dataset made of parts that do not fit (arrays of different lengths, no datasets at all): torch's
    AssertionError, and a ValueError as the library's."""


class UnsupportedDatasetError(AssertionError, TypeError):
    """A dataset of the wrong kind inside another (a stream in a ConcatDataset, a map-style dataset in a
    ChainDataset): torch's AssertionError, and a TypeError as the library's."""


class EmptyBatchError(IndexError, ValueError):
    """A batch of no samples: torch's IndexError (default_collate reads the first sample), and a ValueError as the
    library's."""


class DatasetIndexError(ValueError, IndexError):
    """A negative index beyond a ConcatDataset's length: torch's ValueError, and an IndexError as the library's."""


class NoSampleAxisError(IndexError, ValueError):
    """A TensorDataset of a 0-d tensor (no sample axis to index): torch's IndexError, and a ValueError as the
    library's."""


class NoStreamIndexError(NotImplementedError, TypeError):
    """Indexing an IterableDataset, which has no indices: torch's NotImplementedError (its IterableDataset inherits
    Dataset's ``__getitem__``), and a TypeError as the library's."""


class EmptyDrawError(RuntimeError, ValueError):
    """A sampler drawing with replacement from no samples: torch's RuntimeError, and a ValueError as the
    library's."""


class IteratorOptionError(AssertionError, ValueError):
    """A DataLoader option torch takes when the loader is made but refuses when a pass begins (a ``timeout`` without
    workers, a ``prefetch_factor`` of 0 with them): torch's AssertionError, and a ValueError as the library's
    refusals of bad worker options."""


class WeightsError(RuntimeError, ValueError):
    """WeightedRandomSampler's weights that no draw can use (a negative or non-finite weight, all zero, fewer
    than ``num_samples`` without replacement): torch's RuntimeError (from ``torch.multinomial``, on iteration), and
    a ValueError as the library's, raised at construction."""


class UnequalShapesError(RuntimeError, ValueError):
    """Samples whose arrays differ in shape, so they cannot be stacked into a batch: torch's RuntimeError (from
    ``torch.stack``), and a ValueError as the library's."""


def torch_count(owner: str, name: str, value: Any) -> int:
    """``value`` as an int >= 1 (a size or a count), as torch's samplers check it: a ValueError below 1 and
    a :class:`MistypedArgumentError` for a bool, a float, a string or None (``check_positive_int``'s checks), both
    followed by torch's words ("num_samples should be a positive integer value, but got num_samples=0")."""
    try:
        return check_positive_int(owner, name, value)
    except TypeError as error:
        raise MistypedArgumentError(_in_torchs_words(name, "a positive integer value", value, error)) from None
    except ValueError as error:
        raise ValueError(_in_torchs_words(name, "a positive integer value", value, error)) from None


def torch_flag(owner: str, name: str, value: Any, error: type[Exception] = MistypedArgumentError) -> bool:
    """``value`` as a bool (a Python or numpy bool only); anything else, 0 and 1 included, is an ``error`` (a
    :class:`MistypedArgumentError`, as torch's ValueError; RandomSampler's ``replacement`` is torch's TypeError)
    followed by torch's words ("drop_last should be a boolean value, but got drop_last=0"; ``check_flag``'s checks)."""
    try:
        return check_flag(owner, name, value)
    except TypeError as refusal:
        raise error(_in_torchs_words(name, "a boolean value", value, refusal)) from None


def _in_torchs_words(name: str, kind: str, value: Any, refusal: Exception) -> str:
    """``refusal``'s message ("owner: name must be ..., got value"), then torch's words for it in parentheses."""
    return f"{refusal} ({name} should be {kind}, but got {name}={value})"
