"""Collation: a list of samples into one batch, as torch's ``default_collate`` but with numpy arrays.

:class:`~nn.data.DataLoader` reads the samples of a batch from its dataset and hands the list to its
``collate_fn``, :func:`default_collate` unless another is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Node

__all__ = ["collate", "default_collate"]


def _is_namedtuple(sample: Any) -> bool:
    return isinstance(sample, tuple) and hasattr(sample, "_fields")


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, field by field (torch's ``default_collate`` on numpy).

    Arrays, numbers and Values/Tensors stack along a new first axis into one ndarray (numbers give
    int64, float64 or bool arrays, as torch's tensors); tuples and lists give a tuple of batches, a
    namedtuple the same namedtuple of batches, dicts (any mapping) a dict of them; strings and bytes
    stay a list. Samples whose structure or shapes differ are an error naming the mismatch.
    """
    if len(samples) == 0:
        raise ValueError("default_collate: the batch holds no samples")
    first = samples[0]
    if isinstance(first, (str, bytes)):
        return list(samples)
    if isinstance(first, (tuple, list)):
        if any(not isinstance(sample, (tuple, list)) or len(sample) != len(first) for sample in samples):
            raise TypeError(f"collate: samples have different structures; the first is a {len(first)}-tuple")
        fields = [default_collate([sample[field] for sample in samples]) for field in range(len(first))]
        return type(first)(*fields) if _is_namedtuple(first) else tuple(fields)
    if isinstance(first, Mapping):
        if any(not isinstance(sample, Mapping) or sample.keys() != first.keys() for sample in samples):
            raise TypeError(f"collate: samples have different keys; the first has {sorted(first)}")
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    arrays = [np.asarray(sample.data if isinstance(sample, Node) else sample) for sample in samples]
    shapes = {array.shape for array in arrays}
    if len(shapes) != 1:
        raise ValueError(f"collate: samples of different shapes cannot be stacked into a batch: {sorted(shapes)}")
    return np.stack(arrays)


#: The library's earlier name of :func:`default_collate`.
collate = default_collate
