"""Conversion of one sample without batching, as torch's ``default_convert``: numpy arrays become Tensors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Node, Tensor

from .collate import as_batch, rebuilt_mapping, rebuilt_sequence

__all__ = ["default_convert"]


def default_convert(data: Any) -> Any:
    """Convert one sample to the loader's batch type, keeping its structure (torch's ``default_convert``).

    What torch makes a tensor becomes a Tensor (sharing an array's memory): an ndarray of numbers or bools, a
    numpy scalar (a 0-d Tensor) and a Value (a 0-d Tensor of its number); a Tensor is returned as it is, and so
    is an ndarray of strings, objects or complex numbers.
    Containers are rebuilt around their converted elements with their own type: a dict subclass, a
    namedtuple, a list subclass; any other tuple (a tuple subclass too) becomes a list, as torch's; a sequence
    that cannot be rebuilt from a list (a ``range``) becomes a list. Python numbers, strings, bytes and anything else
    are returned unchanged.

    Nested containers are walked with an explicit stack, each rebuilt once all its elements are converted, so
    a sample nested to any depth converts at Python's default recursion limit; a container that holds itself
    is a ValueError.
    """
    converted = _converted_leaf(data)
    if converted is not _CONTAINER:
        return converted
    open_containers = {id(data)}
    stack: list[tuple[Any, list[Any], list[Any]]] = [(data, _elements(data), [])]
    while True:
        container, elements, done = stack[-1]
        if len(done) < len(elements):
            element = elements[len(done)]
            converted = _converted_leaf(element)
            if converted is not _CONTAINER:
                done.append(converted)
            elif id(element) in open_containers:
                raise ValueError(f"default_convert: a {type(element).__name__} of the sample contains itself")
            else:
                open_containers.add(id(element))
                stack.append((element, _elements(element), []))
            continue
        stack.pop()
        open_containers.discard(id(container))
        rebuilt = _rebuilt(container, done)
        if not stack:
            return rebuilt
        stack[-1][2].append(rebuilt)


#: What :func:`_converted_leaf` gives for a container, whose elements are converted first.
_CONTAINER: Any = object()


def _converted_leaf(data: Any) -> Any:
    """``data`` converted when it is not a container (see :func:`default_convert`), else :data:`_CONTAINER`."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, Node):
        return as_batch(np.asarray(data._data))
    if isinstance(data, np.generic) and not isinstance(data, (str, bytes)):
        return as_batch(np.asarray(data))
    if isinstance(data, np.ndarray):
        return as_batch(data)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, (Mapping, tuple, Sequence)):
        return _CONTAINER
    return data


def _elements(container: Any) -> list[Any]:
    """The elements of a container to convert: a mapping's values (in its order), a sequence's entries."""
    return list(container.values()) if isinstance(container, Mapping) else list(container)


def _rebuilt(container: Any, converted: list[Any]) -> Any:
    """``container`` rebuilt around the ``converted`` values of :func:`_elements`."""
    if isinstance(container, Mapping):
        return rebuilt_mapping(container, dict(zip(container.keys(), converted)))
    if isinstance(container, tuple):
        return type(container)(*converted) if hasattr(container, "_fields") else converted
    return rebuilt_sequence(container, converted)
