"""Conversion of one sample without batching, as torch's ``default_convert`` but to numpy arrays."""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from autograd import Node

__all__ = ["default_convert"]


def default_convert(data: Any) -> Any:
    """Convert one sample to the loader's batch type, keeping its structure (torch's ``default_convert``).

    What torch makes a tensor becomes an ndarray here: a Value or Tensor becomes its data as an ndarray
    and a numpy scalar a 0-d ndarray; an ndarray is returned as it is (strings and objects included).
    Containers are rebuilt around their converted elements with their own type: a dict subclass, a
    namedtuple, a tuple (a tuple, where torch gives a list), a list subclass; a sequence that cannot be
    rebuilt from a list (a ``range``) becomes a list. Python numbers, strings, bytes and anything else
    are returned unchanged.
    """
    if isinstance(data, Node):
        return np.asarray(data.data)
    if isinstance(data, np.generic) and not isinstance(data, (str, bytes)):
        return np.asarray(data)
    if isinstance(data, (np.ndarray, str, bytes)):
        return data
    if isinstance(data, Mapping):
        return _converted_mapping(data)
    if isinstance(data, tuple):
        fields = [default_convert(field) for field in data]
        return type(data)(*fields) if hasattr(data, "_fields") else tuple(fields)
    if isinstance(data, Sequence):
        return _converted_sequence(data)
    return data


def _converted_mapping(data: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """``data`` with its values converted, in its own mapping type when that type can be rebuilt."""
    converted = {key: default_convert(value) for key, value in data.items()}
    try:
        if isinstance(data, MutableMapping):
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        return type(data)(converted)  # type: ignore[call-arg]
    except TypeError:
        return converted


def _converted_sequence(data: Sequence[Any]) -> Sequence[Any]:
    """``data`` with its elements converted, in its own sequence type when that type can be rebuilt."""
    converted = [default_convert(element) for element in data]
    try:
        if isinstance(data, MutableSequence):
            clone = copy.copy(data)
            for position, element in enumerate(converted):
                clone[position] = element
            return clone
        return type(data)(converted)  # type: ignore[call-arg]
    except TypeError:
        return converted
