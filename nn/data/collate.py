"""Collation: a list of samples into one batch of Tensors, as torch's ``default_collate``.

:class:`~nn.data.DataLoader` reads the samples of a batch from its dataset and hands the list to its
``collate_fn``, :func:`default_collate` unless another is given (without batching, each sample goes through
:func:`~nn.data.convert.default_convert`, as in torch).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from autograd import Node, Tensor, as_tensor, get_default_dtype, stack
from autograd.tensor import category_result_type

from .torch_errors import EmptyBatchError, RaggedBatchError, UnequalShapesError

__all__ = ["as_batch", "collate", "default_collate", "rebuilt_mapping", "rebuilt_sequence", "sliced_batch"]

#: torch's words for a sample that is neither a number, an array, a string nor a container of those.
UNSUPPORTED_SAMPLE = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"

#: numpy dtype kinds that stack into a numeric batch: bool, signed, unsigned, float, complex.
NUMERIC_KINDS = "biufc"


def _is_namedtuple(sample: Any) -> bool:
    return isinstance(sample, tuple) and hasattr(sample, "_fields")


def _is_field_sequence(sample: Any) -> bool:
    """Whether ``sample`` is a sequence of fields (tuple, list, range, any ``Sequence``), not a string."""
    return isinstance(sample, Sequence) and not isinstance(sample, (str, bytes))


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, field by field (torch's ``default_collate``).

    Arrays, numbers and Values/Tensors stack along a new first axis into one Tensor (in the graph of Tensors
    that require grad, as torch's ``torch.stack``; a batch of complex numbers stays an ndarray); sequences give one batch per position: a
    namedtuple the same namedtuple of batches, a tuple (or ``range``, or any sequence that cannot be
    rebuilt) a list of them, as torch's, another sequence type (a list, a user's sequence class) that
    type (:func:`rebuilt_sequence`); a mapping gives one batch per key in the sample's own mapping type
    (:func:`rebuilt_mapping`: an OrderedDict, a defaultdict, a dict subclass keep their type and
    attributes, as torch's); strings and bytes
    stay as they come, as torch's: a list of them, but a tuple for a field of sequence samples (torch
    transposes those with ``zip``), so ``(image, name)`` samples batch their names as ``("a", "b")``.

    The dtype of a stacked batch is torch's: Python numbers give the dtype ``torch.tensor`` gives them (int64
    for ints, the default floating dtype where a float is among ints or bools), float64 when the first is a
    Python float (torch's ``collate_float_fn``); arrays, numpy numbers and Tensors of different dtypes join in
    the dtype ``stack`` gives them (torch's promotion by category: int64 beside float32 is float32, int16 beside
    float16 float16). A mapping's fields are those of the first sample, as torch's: keys only later samples have
    are left out, and a later sample without one of the first's keys is a KeyError.

    Errors, as torch's: a sample that is none of these (None, an arbitrary object, an array of strings
    or objects) is a TypeError naming its type or dtype; sequences of different lengths are a
    RuntimeError "each element in list of batch should be of equal size" (also a TypeError); other
    structure mismatches are a TypeError, and arrays of different shapes a RuntimeError "stack expects each
    tensor to be equal size" (also a ValueError, the library's earlier class).
    """
    if len(samples) == 0:
        raise EmptyBatchError("default_collate: the batch holds no samples")
    # An explicit stack of (the samples' values of one field, where its batch goes, under which key), so samples
    # nested to any depth collate at Python's default recursion limit. Containers are built once their fields are
    # (``built``, in reverse: inner ones first); ``open_fields`` holds the first sample's containers being
    # collated, so a sample that contains itself is refused instead of collated forever.
    result: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(samples, result, 0)]
    built: list[tuple[Any, Any, Any, Any]] = []
    open_fields: set[int] = set()
    while stack:
        group, batch, key = stack.pop()
        if group is _CLOSE:
            open_fields.discard(batch)
            continue
        first = group[0]
        if isinstance(first, (str, bytes)):
            batch[key] = group if isinstance(group, tuple) else list(group)  # a sequence's field: torch's zip tuple
            continue
        if isinstance(first, Mapping) or _is_field_sequence(first):
            if id(first) in open_fields:
                raise ValueError(f"collate: a sample contains itself (a {type(first).__name__} inside itself)")
            open_fields.add(id(first))
            stack.append((_CLOSE, id(first), None))
        if isinstance(first, Mapping):
            _check_keys(group, first)
            fields = dict.fromkeys(first)
            built.append((first, fields, batch, key))
            stack.extend(([sample[name] for sample in group], fields, name) for name in reversed(list(first)))
        elif _is_field_sequence(first):
            _check_equal_lengths(group, first)
            fields = [None] * len(first)
            built.append((first, fields, batch, key))
            stack.extend(
                (tuple(sample[field] for sample in group), fields, field) for field in reversed(range(len(first)))
            )
        else:
            batch[key] = _stacked(group)
    for first, fields, batch, key in reversed(built):
        batch[key] = rebuilt_mapping(first, fields) if isinstance(first, Mapping) else _batch_sequence(first, fields)
    return result[0]


#: The stack entry that closes a container of the first sample (see :func:`default_collate`).
_CLOSE = object()


def _check_keys(samples: Sequence[Any], first: Mapping[Any, Any]) -> None:
    """Every sample a mapping holding the first's keys (others it holds are left out, as torch's): a TypeError for
    another kind of sample, a KeyError naming a missing key."""
    for position, sample in enumerate(samples):
        if not isinstance(sample, Mapping):
            raise TypeError(
                f"collate: samples have different structures; the first is a {type(first).__name__}, sample "
                f"{position} a {type(sample).__name__}"
            )
        missing = next((key for key in first if key not in sample), _CLOSE)
        if missing is not _CLOSE:
            raise KeyError(missing)


def _stacked(samples: Sequence[Any]) -> Tensor | np.ndarray:
    """Samples that are arrays, numbers or Values/Tensors stacked along a new first axis, as a Tensor. When a sample
    is a Tensor that requires grad, the batch is their ``stack`` (torch's ``torch.stack``), so gradients reach them."""
    if not isinstance(samples[0], (Mapping, Node, np.ndarray)):  # a number: torch.tensor of the batch refuses others
        odd = next((sample for sample in samples if isinstance(sample, Mapping) or _is_field_sequence(sample)), None)
        if odd is not None:
            raise TypeError(
                f"default_collate: samples have different structures; the first is a number "
                f"({type(samples[0]).__name__}), another a {type(odd).__name__}"
            )
    arrays = [_numeric_array(sample) for sample in samples]
    odd = next((entry for entry, array in enumerate(arrays) if array.shape != arrays[0].shape), None)
    if odd is not None:
        raise UnequalShapesError(
            f"default_collate: stack expects each tensor to be equal size, but got shape {arrays[0].shape} at entry 0 "
            f"and {arrays[odd].shape} at entry {odd}: samples of different shapes cannot be stacked into a batch"
        )
    if any(isinstance(sample, Tensor) and sample.requires_grad for sample in samples):
        return stack(
            [sample if isinstance(sample, Tensor) else as_tensor(array) for sample, array in zip(samples, arrays)]
        )
    dtype = _batch_dtype(samples, arrays)
    return as_batch(np.stack([array.astype(dtype, copy=False) for array in arrays]))


def _batch_dtype(samples: Sequence[Any], arrays: list[np.ndarray]) -> np.dtype:
    """The dtype torch's default_collate gives the batch: float64 when the first sample is a Python float (torch's
    ``collate_float_fn``), else the promotion by category of the samples' dtypes (``stack``'s and torch's rule:
    :func:`~autograd.tensor.category_result_type`), a Python float counting as the default floating dtype (as in
    ``torch.tensor([1, 2.5])``) and a Python int as int64."""
    if _is_python_float(samples[0]):
        return np.dtype(np.float64)
    dtypes = {
        get_default_dtype() if _is_python_float(sample) else array.dtype for sample, array in zip(samples, arrays)
    }
    return category_result_type(dtypes) if len(dtypes) > 1 else arrays[0].dtype


def _is_python_float(sample: Any) -> bool:
    """Whether ``sample`` is a Python float (not numpy's float64, which subclasses it)."""
    return isinstance(sample, float) and not isinstance(sample, np.generic)


#: dtype kinds a Tensor holds: bool, signed, unsigned, float (complex batches stay ndarrays)
TENSOR_KINDS = "biuf"


def as_batch(array: np.ndarray) -> Tensor | np.ndarray:
    """A batch of numbers as a Tensor sharing ``array``'s memory (torch's default_collate and default_convert turn
    numpy arrays into tensors, so ``labels.size(0)``, ``x.view(n, -1)`` and ``x.to(device)`` work on a batch);
    an array of another kind as it is."""
    return as_tensor(array) if array.dtype.kind in TENSOR_KINDS else array


def sliced_batch(rows: np.ndarray) -> Any:
    """A batch sliced from an array at once (a DataLoader's shortcut for :func:`default_collate` of its rows): an
    array of numbers as :func:`as_batch`; one of strings or objects is the :func:`default_collate` of its rows, as
    torch's, so the entries of a 1-d one (strings, Python numbers, tuples) batch as those samples do (a list of the
    strings, a Tensor of the numbers) and the rows of a deeper one are refused (torch's TypeError)."""
    if rows.dtype.kind not in NUMERIC_KINDS:
        return default_collate(list(rows))
    return as_batch(rows)


def _batch_sequence(first: Sequence[Any], fields: list[Any]) -> Any:
    """The collated ``fields`` in the container torch's ``default_collate`` gives for samples like ``first``: the
    namedtuple, a list for a tuple, else :func:`rebuilt_sequence`."""
    if _is_namedtuple(first):
        return type(first)(*fields)
    if isinstance(first, tuple):
        return fields  # torch's: a list of batches for tuple samples
    return rebuilt_sequence(first, fields)


def rebuilt_mapping(data: Mapping[Any, Any], values: dict[Any, Any]) -> Mapping[Any, Any]:
    """``data``'s mapping type holding ``values``, as torch's collate and convert rebuild one: a mutable mapping is
    copied and updated (so a defaultdict keeps its factory, a dict subclass its attributes), another built from the
    dict, and a type that cannot be either gives the plain dict."""
    try:
        if isinstance(data, MutableMapping):
            clone = copy.copy(data)
            clone.update(values)
            return clone
        return type(data)(values)  # type: ignore[call-arg]
    except TypeError:
        return values


def rebuilt_sequence(data: Sequence[Any], values: list[Any]) -> Sequence[Any]:
    """``data``'s sequence type holding ``values``, as torch's collate and convert rebuild one: a mutable sequence is
    copied and its items replaced (a list subclass keeps its attributes), another built from the list, and a type
    that cannot be either (a ``range``) gives the list."""
    try:
        if isinstance(data, MutableSequence):
            clone = copy.copy(data)
            for position, value in enumerate(values):
                clone[position] = value
            return clone
        return type(data)(values)  # type: ignore[call-arg]
    except TypeError:
        return values


def _check_equal_lengths(samples: Sequence[Any], first: Sequence[Any]) -> None:
    """Every sample a sequence of ``len(first)`` fields: a TypeError for another kind of sample, a
    :class:`~nn.data.torch_errors.RaggedBatchError` (torch's RuntimeError) for another length."""
    for position, sample in enumerate(samples):
        if not _is_field_sequence(sample):
            raise TypeError(
                f"collate: samples have different structures; the first is a {len(first)}-element "
                f"{type(first).__name__}, sample {position} a {type(sample).__name__}"
            )
        if len(sample) != len(first):
            raise RaggedBatchError(
                "default_collate: each element in list of batch should be of equal size; samples have different "
                f"structures: the first is a {len(first)}-element {type(first).__name__}, sample {position} has "
                f"{len(sample)} elements"
            )


def _numeric_array(sample: Any) -> np.ndarray:
    """``sample`` (an array, a number, a Value/Tensor) as an ndarray of numbers or bools; a TypeError in
    torch's words for anything else, naming the sample's type (or an array's dtype)."""
    if isinstance(sample, int) and not isinstance(sample, bool):  # torch's int64 (numpy would take 2**63 as uint64)
        if not -(2**63) <= sample < 2**63:
            raise ValueError(f"default_collate: Overflow when unpacking long long: the int {sample} is outside int64")
        return np.asarray(sample, dtype=np.int64)
    array = np.asarray(sample._data if isinstance(sample, Node) else sample)
    if array.dtype.kind not in NUMERIC_KINDS:
        found = f"{type(sample).__name__} of dtype {array.dtype}" if isinstance(sample, np.ndarray) else type(sample)
        raise TypeError(UNSUPPORTED_SAMPLE.format(found))
    return array


#: The library's earlier name of :func:`default_collate`.
collate = default_collate
