"""Containers that hold sub-modules or parameters without a forward of their own: ``ModuleList``,
``ModuleDict``, ``ParameterList``, ``ParameterDict``.

As in ``torch.nn``, their modules' parameters are named ``<attribute>.<index>.weight``
and ``<attribute>.<key>.weight`` (a ParameterList's own ``<attribute>.<index>``); the owner decides how to
call them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Tensor

from .module import Module
from .parameter import Parameter

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList"]


def _checked_module(owner: str, name: Any, module: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{owner}: entry {name!r} is a {type(module).__name__}, not a Module")
    return module


class ModuleList(Module):
    """A list of modules: indexable, iterable, sized; ``append``, ``extend``, ``insert``."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        self._items: list[Module] = []
        if modules is not None:
            self.extend(modules)

    _contents = "_items"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward: iterate over it and call its modules")

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        if isinstance(index, slice):
            return ModuleList(self._items[index])
        try:
            return self._items[index]
        except IndexError:
            raise IndexError(f"ModuleList: index {index} is out of range for {len(self._items)} modules") from None
        except TypeError:
            raise TypeError(f"ModuleList: indices must be integers or slices, got {type(index).__name__}") from None

    def __setitem__(self, index: int, module: Module) -> None:
        self._items[index] = _checked_module("ModuleList", index, module)

    def __delitem__(self, index: int | slice) -> None:
        del self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self._items.append(_checked_module("ModuleList.append", len(self._items), module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add every module of ``modules`` at the end; returns self."""
        checked = [_checked_module("ModuleList", len(self._items) + i, m) for i, m in enumerate(modules)]
        self._items.extend(checked)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        self._items.insert(index, _checked_module("ModuleList.insert", index, module))


class ModuleDict(Module):
    """An ordered mapping from names to modules (insertion order), like ``torch.nn.ModuleDict``."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        self._entries: dict[str, Module] = {}
        if modules is not None:
            self.update(modules)

    _contents = "_entries"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward: look up its modules by name and call them")

    def __getitem__(self, key: str) -> Module:
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"ModuleDict: no module named {key!r} (have {list(self._entries)})") from None

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: keys must be non-empty strings without '.', got {key!r}")
        self._entries[key] = _checked_module("ModuleDict", key, module)

    def __delitem__(self, key: str) -> None:
        del self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._entries.keys()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._entries.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """(name, module) pairs, in insertion order."""
        return self._entries.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping or from (name, module) pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove the entry ``key`` and return its module."""
        module = self[key]
        del self._entries[key]
        return module


def _as_parameter(owner: str, name: Any, value: Any) -> Parameter:
    """``value`` as a Parameter: a Parameter stays itself, a Tensor or an array becomes a new one (as torch)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, (Tensor, np.ndarray)):
        return Parameter(value.data if isinstance(value, Tensor) else value)
    raise TypeError(f"{owner}: entry {name!r} is a {type(value).__name__}, not a Parameter, Tensor or array")


def _parameter_line(name: str, parameter: Parameter) -> str:
    return f"  ({name}): Parameter containing: [{parameter.dtype} of size {parameter.shape}]"


class ParameterList(Module):
    """A list of Parameters: indexable, iterable, sized; ``append``, ``extend``. Tensors and arrays given to
    it become Parameters; ``parameters()`` lists them, named by position."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        self._items: list[Parameter] = []
        if values is not None:
            self.extend(values)

    _contents = "_items"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterList has no forward: use its parameters")

    def __getitem__(self, index: int | slice) -> Parameter | ParameterList:
        if isinstance(index, slice):
            return ParameterList(self._items[index])
        try:
            return self._items[index]
        except IndexError:
            raise IndexError(
                f"ParameterList: index {index} is out of range for {len(self._items)} parameters"
            ) from None
        except TypeError:
            raise TypeError(f"ParameterList: indices must be integers or slices, got {type(index).__name__}") from None

    def __setitem__(self, index: int, value: Any) -> None:
        self._items[index] = _as_parameter("ParameterList", index, value)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._items)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` (made a Parameter) at the end; returns self."""
        self._items.append(_as_parameter("ParameterList.append", len(self._items), value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add every value of ``values`` (made Parameters) at the end; returns self."""
        checked = [_as_parameter("ParameterList", len(self._items) + i, v) for i, v in enumerate(values)]
        self._items.extend(checked)
        return self

    def __repr__(self) -> str:
        lines = [_parameter_line(str(i), p) for i, p in enumerate(self._items)]
        return "ParameterList(\n" + "\n".join(lines) + "\n)" if lines else "ParameterList()"


class ParameterDict(Module):
    """An ordered mapping from names to Parameters (insertion order), like ``torch.nn.ParameterDict``; Tensors
    and arrays given to it become Parameters."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        self._entries: dict[str, Parameter] = {}
        if parameters is not None:
            self.update(parameters)

    _contents = "_entries"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterDict has no forward: look up its parameters by name")

    def __getitem__(self, key: str) -> Parameter:
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"ParameterDict: no parameter named {key!r} (have {list(self._entries)})") from None

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ParameterDict: keys must be non-empty strings without '.', got {key!r}")
        self._entries[key] = _as_parameter("ParameterDict", key, value)

    def __delitem__(self, key: str) -> None:
        del self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._entries.keys()

    def values(self) -> Iterable[Parameter]:
        """The parameters, in insertion order."""
        return self._entries.values()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        """(name, parameter) pairs, in insertion order."""
        return self._entries.items()

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter ``key``, or ``default``."""
        return self._entries.get(key, default)

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add or replace entries from a mapping or from (name, value) pairs."""
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in pairs:
            self[key] = value

    def pop(self, key: str) -> Parameter:
        """Remove the entry ``key`` and return its parameter."""
        parameter = self[key]
        del self._entries[key]
        return parameter

    def __repr__(self) -> str:
        lines = [_parameter_line(key, p) for key, p in self._entries.items()]
        return "ParameterDict(\n" + "\n".join(lines) + "\n)" if lines else "ParameterDict()"
