"""Map-style datasets, as torch's ``torch.utils.data``: ``Dataset`` and ``TensorDataset``.

A dataset is any object with ``__len__`` and ``__getitem__(i)`` returning sample ``i``: an array or
a number, a Value/Tensor, or a tuple/list/dict of those (a plain list of samples is one).
:class:`~nn.data.DataLoader` draws the indices of a batch, reads those samples and stacks them field
by field (:func:`~nn.data.default_collate`). ``Subset``, ``ConcatDataset`` and ``random_split`` are
in :mod:`nn.data.subsets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from autograd import Node, Tensor

from .collate import as_batch
from .torch_errors import DatasetAssertionError, MissingLengthError, NoSampleAxisError

__all__ = ["Dataset", "Sample", "TensorDataset", "aligned_arrays", "is_map_dataset", "samples_at"]

#: The type of a dataset's samples: ``Dataset[tuple[Tensor, int]]``, ``DataLoader[Any]``, as torch's generic classes.
Sample = TypeVar("Sample", covariant=True)


class Dataset(Generic[Sample]):
    """Base class of map-style datasets: define ``__len__`` and ``__getitem__(index)`` (one sample).

    As torch's, it is generic in the type of its samples: ``class Pairs(Dataset[tuple[Tensor, int]])``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise MissingLengthError(f"object of type {type(self).__name__!r} has no len(): it must define __len__()")

    def __add__(self, other: Any) -> Any:
        """``a + b`` is ``ConcatDataset([a, b])``, as in torch: the samples of ``a``, then those of ``b``."""
        from .subsets import ConcatDataset

        return ConcatDataset([self, other])


class TensorDataset(Dataset[tuple[Any, ...]]):
    """Aligned arrays (or Tensors) read row by row: sample ``i`` is ``(a[i], b[i], ...)``, Tensors as torch's
    (a label a 0-d Tensor) sharing the arrays' memory. A Tensor that requires grad is kept as it is: its rows
    are read in the graph (``x[i]``), so gradients reach it, as torch's.

    The DataLoader slices the arrays a batch at a time instead of reading each row.
    """

    def __init__(self, *arrays: Any) -> None:
        self.arrays = aligned_arrays("TensorDataset", arrays)

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        try:
            return tuple(
                array[index] if isinstance(array, Tensor) else as_batch(np.asarray(array[index]))
                for array in self.arrays
            )
        except IndexError as error:
            raise IndexError(f"TensorDataset: index {index!r} for {len(self)} samples: {error}") from None

    def __len__(self) -> int:
        return len(self.arrays[0])

    @property
    def tensors(self) -> tuple[Any, ...]:
        """torch's attribute: the aligned data as Tensors (sharing the memory of :attr:`arrays`), one row per
        sample each; an array of another kind than numbers (strings) as it is."""
        return tuple(array if isinstance(array, Tensor) else as_batch(array) for array in self.arrays)


def aligned_arrays(owner: str, arrays: Sequence[Any]) -> tuple[Any, ...]:
    """``arrays`` (arrays, Tensors or array-likes) as ndarrays with one row per sample each, all of one
    length, except Tensors that require grad, kept as they are (their rows are read in the graph); a ValueError
    naming ``owner`` otherwise (for mismatched lengths a :class:`~nn.data.torch_errors.DatasetAssertionError`,
    also torch's AssertionError; for a 0-d array a :class:`~nn.data.torch_errors.NoSampleAxisError`, also torch's
    IndexError)."""
    converted = tuple(
        a if isinstance(a, Tensor) and a.requires_grad else np.asarray(a._data if isinstance(a, Node) else a)
        for a in arrays
    )
    if not converted:
        raise ValueError(f"{owner}: the dataset holds no arrays")
    if any(array.ndim == 0 for array in converted):
        raise NoSampleAxisError(f"{owner}: arrays need a sample axis; got shapes {[a.shape for a in converted]}")
    lengths = [len(array) for array in converted]
    if len(set(lengths)) != 1:
        raise DatasetAssertionError(
            f"{owner}: Size mismatch between tensors: arrays have mismatched lengths {lengths}; every array needs one "
            "row per sample"
        )
    return converted


def is_map_dataset(data: Any) -> bool:
    """Whether ``data`` is a dataset object read sample by sample (not an array, list or tuple of rows)."""
    if isinstance(data, (np.ndarray, Node, list, tuple, str, bytes, dict)):
        return False
    if isinstance(data, Dataset):
        return True  # (a dataset that reads only whole batches, with __getitems__, is one too, as torch's)
    return hasattr(data, "__len__") and (hasattr(data, "__getitem__") or hasattr(data, "__getitems__"))


def samples_at(dataset: Any, indices: Any) -> Any:
    """The samples of ``dataset`` at ``indices``: what its ``__getitems__`` returns when it has one (torch's read of
    a batch), else the list of its samples read one by one."""
    read_many = getattr(dataset, "__getitems__", None)
    return read_many(indices) if callable(read_many) else [dataset[index] for index in indices]
