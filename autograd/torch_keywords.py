"""torch's keyword spellings translated to numpy's: ``dim`` -> ``axis``, ``keepdim`` -> ``keepdims``, and
``unbiased``/``correction`` -> ``ddof``; and torch's ``(values, indices)`` result.

A method that takes numpy's ``axis``/``keepdims`` also takes torch's ``dim``/``keepdim`` as keyword-only
aliases whose default is :data:`UNSET`, so the call without them pays one identity test. Giving an alias
together with its numpy name (with a value other than the numpy default) is a TypeError naming both.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = [
    "UNSET",
    "ValuesAndIndices",
    "all_if_empty",
    "torch_alias",
    "torch_dim",
    "torch_keepdim",
    "torch_keyword_names",
    "torch_reduction",
    "variance_arguments",
]


class _Unset:
    """The default of torch's keyword aliases: the keyword was not given."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class ValuesAndIndices(NamedTuple):
    """torch's ``(values, indices)`` pair (``torch.return_types``): ``values`` a Tensor, ``indices`` an int64
    Tensor outside the graph."""

    values: Any
    indices: Any


def torch_dim(op: str, axis: Any, dim: Any, default: Any = None) -> Any:
    """``dim`` as the ``axis`` of ``op``; TypeError if ``axis`` was also given (differs from ``default``)."""
    if axis is not default and axis != default:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r} (dim is torch's name for axis); pass one")
    return tuple(dim) if isinstance(dim, list) else dim


def torch_keepdim(op: str, keepdims: bool, keepdim: Any) -> bool:
    """``keepdim`` as the ``keepdims`` of ``op``; TypeError if ``keepdims=True`` was also given."""
    if keepdims:
        raise TypeError(
            f"{op}: got both keepdims={keepdims!r} and keepdim={keepdim!r} (keepdim is torch's name for keepdims); "
            "pass one"
        )
    return bool(keepdim)


def torch_reduction(op: str, axis: Any, keepdims: bool, dim: Any, keepdim: Any) -> tuple[Any, bool]:
    """``(axis, keepdims)`` of a reduction called with torch's ``dim`` and/or ``keepdim``; an empty ``dim``
    reduces every axis, as torch's (numpy's ``axis=()`` reduces none)."""
    if dim is not UNSET:
        axis = all_if_empty(torch_dim(op, axis, dim))
    if keepdim is not UNSET:
        keepdims = torch_keepdim(op, keepdims, keepdim)
    return axis, keepdims


def numpy_reduction(op: str, dim: Any, keepdim: bool, axis: Any, keepdims: bool) -> tuple[Any, bool]:
    """The reverse of :func:`torch_reduction`: torch's ``(dim, keepdim)`` of a torch reduction (``amax``) that
    numpy's ``axis``/``keepdims`` may spell instead (an empty ``dim`` reduces every axis, as torch's; an empty
    ``axis`` none, as numpy's)."""
    if axis is None:
        return all_if_empty(dim), keepdim or keepdims
    if dim is not None:
        raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r} (axis is numpy's name for dim); pass one")
    return axis, keepdim or keepdims


def all_if_empty(dim: Any) -> Any:
    """torch's reading of an empty ``dim`` (``()`` or ``[]``): every axis (None); any other ``dim`` as it is."""
    return None if isinstance(dim, (tuple, list)) and not dim else dim


def variance_arguments(
    op: str,
    axis: Any,
    ddof: float | None,
    keepdims: bool,
    dim: Any,
    keepdim: Any,
    unbiased: bool | None,
    correction: float | None,
) -> tuple[Any, float, bool]:
    """``(axis, ddof, keepdims)`` of var/std. numpy's spelling: ``ddof``, 0 by default. torch's spelling
    (any of ``dim``, ``keepdim``, ``unbiased``, ``correction`` given): ``correction``, 1 by default and 0
    for ``unbiased=False``. An explicit ``ddof`` wins; two of ddof/unbiased/correction are a TypeError."""
    if type(axis) is bool:  # torch's overload var(unbiased) / std(unbiased): x.std(False)
        if unbiased is not None:
            raise TypeError(f"{op}: got unbiased={unbiased!r} and a bool first argument {axis!r}, which is unbiased")
        axis, unbiased = None, bool(axis)
    torch_spelled = dim is not UNSET or keepdim is not UNSET or unbiased is not None or correction is not None
    if not torch_spelled:
        return axis, 0 if ddof is None else ddof, keepdims
    axis, keepdims = torch_reduction(op, axis, keepdims, dim, keepdim)
    settings = (("ddof", ddof), ("unbiased", unbiased), ("correction", correction))
    named = [f"{name}={value!r}" for name, value in settings if value is not None]
    if len(named) > 1:
        raise TypeError(f"{op}: got {' and '.join(named)}, each of which sets the correction; pass one")
    if ddof is not None:
        return axis, ddof, keepdims
    if correction is not None:
        return axis, correction, keepdims
    return axis, 0 if unbiased is False else 1, keepdims


def torch_alias(op: str, name: str, value: Any, torch_name: str, torch_value: Any, default: Any = None) -> Any:
    """numpy's argument ``name`` of ``op`` or, if given, torch's spelling ``torch_name`` of it (a list as a
    tuple); TypeError if both were given (``value`` other than its ``default``), or neither where ``name`` is
    required (``default`` is UNSET)."""
    if torch_value is UNSET:
        if value is UNSET:
            raise TypeError(f"{op}: missing {name}= (torch's {torch_name}=)")
        return value
    if value is not default and (type(value) is not type(default) or value != default):
        raise TypeError(
            f"{op}: got both {name}={value!r} and {torch_name}={torch_value!r} ({torch_name} is torch's name for "
            f"{name}); pass one"
        )
    return tuple(torch_value) if isinstance(torch_value, list) else torch_value


def torch_keyword_names(function: Callable[..., Any] | None = None, **aliases: str) -> Any:
    """``function`` also taking torch's keyword names for its arguments: ``aliases`` maps torch's name to the
    function's own (``autograd.cumsum(input=x, dim=1)`` is ``cumsum(a=x, dim=1)``, ``x.expand(size=(2, 3))`` is
    ``x.expand((2, 3))``: a starred parameter takes the value as its one argument). Giving an argument under
    both names (by position or keyword) is a TypeError naming both. A call without torch's names pays one test.
    Without ``function``, the decorator that does this (``@torch_keyword_names(size="sizes")``)."""
    if function is None:
        return functools.partial(torch_keyword_names, **aliases)
    parameters = list(inspect.signature(function).parameters.values())
    position = {parameter.name: index for index, parameter in enumerate(parameters)}
    starred = {parameter.name for parameter in parameters if parameter.kind is parameter.VAR_POSITIONAL}
    op = function.__name__

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs and not kwargs.keys().isdisjoint(aliases):
            for torch_name, own in aliases.items():
                if torch_name not in kwargs:
                    continue
                if (own != torch_name and own in kwargs) or len(args) > position[own]:
                    raise TypeError(
                        f"{op}: got both {own} and {torch_name}= ({torch_name} is torch's name for {own}); pass one"
                    )
                value = kwargs.pop(torch_name)
                if own in starred:
                    args = (*args, value)
                else:
                    kwargs[own] = value
        return function(*args, **kwargs)

    return wrapper
