"""Map-style datasets, as torch's ``torch.utils.data``: ``Dataset`` and ``TensorDataset``, and the
collation that turns a list of samples into a batch of arrays.

A dataset is any object with ``__len__`` and ``__getitem__(i)`` returning sample ``i``: an array or
a number, a Value/Tensor, or a tuple/list/dict of those. :class:`~nn.data.DataLoader` draws the
indices of a batch, reads those samples and stacks them field by field (:func:`collate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Node

__all__ = ["Dataset", "TensorDataset", "aligned_arrays", "collate", "is_map_dataset"]


class Dataset:
    """Base class of map-style datasets: define ``__len__`` and ``__getitem__(index)`` (one sample)."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


class TensorDataset(Dataset):
    """Aligned arrays (or Tensors) read row by row: sample ``i`` is ``(a[i], b[i], ...)``.

    The DataLoader slices the arrays a batch at a time instead of reading each row.
    """

    def __init__(self, *arrays: Any) -> None:
        self.arrays = aligned_arrays("TensorDataset", arrays)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        return tuple(array[index] for array in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])


def aligned_arrays(owner: str, arrays: Sequence[Any]) -> tuple[np.ndarray, ...]:
    """``arrays`` (arrays, Tensors or array-likes) as ndarrays with one row per sample each, all of one
    length; a ValueError naming ``owner`` otherwise."""
    converted = tuple(np.asarray(a.data if isinstance(a, Node) else a) for a in arrays)
    if not converted:
        raise ValueError(f"{owner}: the dataset holds no arrays")
    if any(array.ndim == 0 for array in converted):
        raise ValueError(f"{owner}: arrays need a sample axis; got shapes {[a.shape for a in converted]}")
    lengths = [len(array) for array in converted]
    if len(set(lengths)) != 1:
        raise ValueError(f"{owner}: arrays have mismatched lengths {lengths}; every array needs one row per sample")
    return converted


def is_map_dataset(data: Any) -> bool:
    """Whether ``data`` is a dataset object read sample by sample (not an array, list or tuple of rows)."""
    if isinstance(data, (np.ndarray, Node, list, tuple, str, bytes, dict)):
        return False
    return hasattr(data, "__len__") and hasattr(data, "__getitem__")


def collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, field by field (torch's ``default_collate`` on numpy).

    Arrays, numbers and Values/Tensors stack along a new first axis; tuples and lists give a tuple
    of batches, dicts a dict of them. Samples whose structure differs are an error naming the field.
    """
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(not isinstance(sample, (tuple, list)) or len(sample) != len(first) for sample in samples):
            raise TypeError(f"collate: samples have different structures; the first is a {len(first)}-tuple")
        return tuple(collate([sample[field] for sample in samples]) for field in range(len(first)))
    if isinstance(first, dict):
        if any(not isinstance(sample, dict) or sample.keys() != first.keys() for sample in samples):
            raise TypeError(f"collate: samples have different keys; the first has {sorted(first)}")
        return {key: collate([sample[key] for sample in samples]) for key in first}
    arrays = [np.asarray(sample.data if isinstance(sample, Node) else sample) for sample in samples]
    shapes = {array.shape for array in arrays}
    if len(shapes) != 1:
        raise ValueError(f"collate: samples of different shapes cannot be stacked into a batch: {sorted(shapes)}")
    return np.stack(arrays)
