"""Containers that hold sub-modules or parameters without a forward of their own: ``ModuleList``,
``ModuleDict``, ``ParameterList``, ``ParameterDict``.

As in ``torch.nn``, their modules' parameters are named ``<attribute>.<index>.weight``
and ``<attribute>.<key>.weight`` (a ParameterList's own ``<attribute>.<index>``); the owner decides how to
call them. The list and the mapping behaviour are written once (``_ListContainer``, ``_DictContainer``);
each container says what its entries are called and how an entry is checked or converted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import numpy as np

from autograd import Tensor
from autograd.torch_names import TYPE_NAMES

from .module import Module
from .module_hooks import registered
from .module_repr import Lines, block, entry
from .parameter import Parameter

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList"]

Entry = TypeVar("Entry", Module, Parameter)


def _checked_module(owner: str, name: Any, module: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{owner}: entry {name!r} is a {type(module).__name__}, not a Module")
    return module


def _module_or_placeholder(owner: str, name: Any, module: Any) -> Module | None:
    """A ModuleList's entry when built, appended, extended or inserted: a Module, or None (a position without a module,
    which torch's ``add_module`` takes: ``ModuleList([None] * n)`` filled in later)."""
    return module if module is None else _checked_module(owner, name, module)


def _module_or_none(owner: str, name: Any, module: Any) -> Module | None:
    """A ModuleDict's entry, or a ModuleList's assigned one: a Module, or None (a name without a module), as torch's
    ``add_module`` and ``setattr`` take."""
    if module is not None and not isinstance(module, Module):
        raise TypeError(
            f"{owner}: cannot assign {type(module).__name__!r} as child module {str(name)!r} (nn.Module or None expected)"
        )
    return module


def _as_parameter(owner: str, name: Any, value: Any) -> Any:
    """A parameter container's entry for ``value``: a Parameter stays itself, a Tensor or an array becomes a new one,
    and any other object (a number, a string, None, a module) is kept as it is, as torch's ``ParameterList`` and
    ``ParameterDict`` keep it (only the parameters are in ``parameters()``)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, (Tensor, np.ndarray)):
        return Parameter(value._data if isinstance(value, Tensor) else value)
    return value


class MissingParameterError(KeyError, AttributeError):
    """A ``ParameterDict`` key that is not there: torch's AttributeError (its lookup is an attribute's), and the
    KeyError a mapping gives, so either ``except`` catches it."""


def _entry_line(name: Any, value: Any, dtype_text: Callable[[Tensor], str]) -> str:
    """torch's line of a parameter container's entry in its repr: ``(name): Parameter containing: [<dtype> of size
    2x3]`` for a tensor (``dtype_text`` of it), ``(name): Object of type: float`` for anything else."""
    if not isinstance(value, Tensor):
        return f"  ({name}): Object of type: {type(value).__name__}"
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    size = "x".join(str(length) for length in value.shape)
    return f"  ({name}): {kind} containing: [{dtype_text(value)} of size {size}]"


def _dtype_name(tensor: Tensor) -> str:
    """torch's name of ``tensor``'s dtype (``torch.float32``), as a ParameterList prints it."""
    return f"torch.{tensor.dtype.name}"


def _type_name(tensor: Tensor) -> str:
    """torch's name of ``tensor``'s legacy type (``torch.FloatTensor``), as a ParameterDict prints it."""
    return f"torch.{TYPE_NAMES.get(tensor.dtype, tensor.dtype.name)}"


class _Container(Module, Generic[Entry]):
    """What the four containers share: no forward, and one way to admit an entry.

    Subclasses set ``_noun`` (what an entry is called), ``_forward_hint`` (what to do instead of
    calling the container) and ``_admit(owner, name, value)`` (the entry, checked or converted).
    """

    _noun = ""
    _forward_hint = ""
    _admit = staticmethod(_checked_module)
    #: The global registration hooks an entry runs (torch's containers register each entry as a member).
    _registers = "module"

    def _registered(self, name: Any, entry: Entry) -> Entry:
        """``entry`` (admitted) after the global registration hooks of its kind, as torch's containers run them."""
        return registered(self._registers, self, str(name), entry)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward: {self._forward_hint}")


class _ListContainer(_Container[Entry]):
    """A list of entries: indexable (slices give a container of the same kind), iterable, sized."""

    _contents = "_items"

    def _start(self, entries: Iterable[Any] | None) -> None:
        self._items: list[Entry] = []
        if entries is not None:
            self._extend(entries)

    def __getitem__(self, index: int | slice) -> Entry | _ListContainer[Entry]:
        owner = type(self).__name__
        if isinstance(index, slice):
            return type(self)(self._items[index])
        try:
            return self._items[index]
        except IndexError:
            raise IndexError(f"{owner}: index {index} is out of range for {len(self._items)} {self._noun}s") from None
        except TypeError:
            raise TypeError(f"{owner}: indices must be integers or slices, got {type(index).__name__}") from None

    def __setitem__(self, index: int, value: Any) -> None:
        owner = type(self).__name__
        entry = self._admit(owner, index, value)
        try:
            position = range(len(self._items))[index]  # (checked before any hook runs)
        except IndexError:
            raise IndexError(f"{owner}: index {index} is out of range for {len(self._items)} {self._noun}s") from None
        self._items[position] = self._registered(position, entry)

    def _position_named(self, name: str) -> int | None:
        """The position whose name (as torch names a container's entries: ``"0"``, ``"1"``) is ``name``, or None."""
        if name.isdigit() and name == str(int(name)) and int(name) < len(self.__dict__.get("_items", ())):
            return int(name)
        return None

    def __getattr__(self, name: str) -> Any:
        """``getattr(entries, "0")`` is ``entries[0]``, as torch's (its entries are attributes named by position)."""
        position = self._position_named(name)
        if position is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self._items[position]

    def __setattr__(self, name: str, value: Any) -> None:
        """``setattr(entries, "0", value)`` is ``entries[0] = value``, as torch's (a position's name is its
        entry's, not a second attribute beside it); other attributes as usual."""
        position = self._position_named(name)
        if position is None:
            super().__setattr__(name, value)
        else:
            self[position] = value

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._items)

    def _append(self, value: Any) -> None:
        position = len(self._items)
        self._items.append(self._registered(position, self._admit(f"{type(self).__name__}.append", position, value)))

    def _extend(self, values: Iterable[Any]) -> None:
        """Add every entry of ``values``: an iterable that is not a Tensor or an array (whose rows would each
        become an entry), else a TypeError, as torch's ``extend`` and ``+=``."""
        owner, start = type(self).__name__, len(self._items)
        if isinstance(values, (Tensor, np.ndarray)) or not isinstance(values, Iterable):
            raise TypeError(
                f"{owner}.extend should be called with an iterable of entries, but got {type(values).__name__}"
            )
        admitted = [self._admit(owner, start + i, value) for i, value in enumerate(values)]
        self._items.extend([self._registered(start + i, entry) for i, entry in enumerate(admitted)])


class _DictContainer(_Container[Entry]):
    """An ordered mapping from names to entries (insertion order); keys are non-empty strings without '.' (a key
    that is not a string is a TypeError, an empty or dotted one a KeyError, as torch's). An entry is also an
    attribute, as in torch, so a key naming an existing attribute or method (``"train"``, ``"keys"``) is a KeyError,
    as torch's."""

    _contents = "_entries"
    #: What an attribute assignment adds as an entry (other values stay plain attributes).
    _entry_type: type | tuple[type, ...] = Module
    #: Whether entries from a plain mapping (not an OrderedDict or a container) are taken in key order, as torch's
    #: ParameterDict does; otherwise in the mapping's order.
    _sorts_plain_dicts = False
    #: What ``container[key]`` raises for a missing key.
    _missing_error: type[Exception] = KeyError

    def _start(self, entries: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> None:
        self._entries: dict[str, Entry] = {}
        if entries is not None:
            self._update(entries)

    def __getattr__(self, name: str) -> Entry:
        """``container.name`` is the entry ``name``, as torch's (``self.transformer.wte``)."""
        entries = self.__dict__.get("_entries", {})
        if name in entries:
            return entries[name]
        raise AttributeError(f"{type(self).__name__} object has no attribute or {self._noun} {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        """``container.name = entry`` adds (or replaces) the entry ``name``, as torch's; other attributes as usual.
        A ModuleDict's entry name takes only a Module or None, as torch's."""
        entries = self.__dict__.get("_entries")
        if entries is not None and (
            (name in entries and self._entry_type is Module)
            or (not name.startswith("_") and isinstance(value, self._entry_type))
        ):
            self[name] = value
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__.get("_entries", {}):
            del self._entries[name]
        else:
            super().__delattr__(name)

    def __getitem__(self, key: str) -> Entry:
        try:
            return self._entries[key]
        except KeyError:
            owner = type(self).__name__
            raise self._missing_error(f"{owner}: no {self._noun} named {key!r} (have {list(self._entries)})") from None

    def __setitem__(self, key: str, value: Any) -> None:
        self._entries[key] = self._registered(key, self._checked_entry(key, value))

    def _checked_entry(self, key: Any, value: Any) -> Entry:
        """``value`` as the entry ``key`` (checked or converted), after checking ``key``; nothing is stored."""
        owner = type(self).__name__
        if not isinstance(key, str):
            raise TypeError(f"{owner}: keys must be strings, got {type(key).__name__}")
        if not key or "." in key:
            raise KeyError(f"{owner}: keys must be non-empty strings without '.', got {key!r}")
        if key not in self._entries and hasattr(self, key):
            raise KeyError(
                f"{owner}: attribute {key!r} already exists (a method or attribute of the {owner}, which the entry "
                "would hide from attribute access): choose another key"
            )
        return self._admit(owner, key, value)

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

    def values(self) -> Iterable[Entry]:
        """The entries, in insertion order."""
        return self._entries.values()

    def items(self) -> Iterable[tuple[str, Entry]]:
        """(name, entry) pairs, in insertion order."""
        return self._entries.items()

    def _update(self, entries: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        if isinstance(entries, (Mapping, _DictContainer)):
            pairs = entries.items()
            if self._sorts_plain_dicts and not isinstance(entries, (OrderedDict, _DictContainer)):
                pairs = sorted(pairs)
        else:
            pairs = entries
        owner = type(self).__name__
        checked = []  # every pair checked before any is added: a bad one leaves the container as it was
        for index, pair in enumerate(pairs):
            try:
                key, value = pair
            except TypeError:
                raise TypeError(
                    f"{owner} update sequence element #{index} should be a (key, value) pair; is {type(pair).__name__}"
                ) from None
            except ValueError:
                raise ValueError(
                    f"{owner} update sequence element #{index} has length "
                    f"{len(pair) if hasattr(pair, '__len__') else 'other than 2'}; 2 is required"
                ) from None
            checked.append((key, self._checked_entry(key, value)))
        self._entries.update([(key, self._registered(key, entry)) for key, entry in checked])

    def pop(self, key: str) -> Entry:
        """Remove the entry ``key`` and return it."""
        value = self[key]
        del self._entries[key]
        return value

    def clear(self) -> None:
        """Remove every entry (torch's ``ModuleDict.clear()``/``ParameterDict.clear()``)."""
        self._entries.clear()


class ModuleList(_ListContainer[Module]):
    """A list of modules: indexable, iterable, sized; ``append``, ``extend``, ``insert``, ``pop``, ``+`` and ``+=``.
    An entry may be None, a position without a module (``(1): None`` in the repr), as torch's."""

    _noun = "module"
    _admit = staticmethod(_module_or_placeholder)
    _forward_hint = "iterate over it and call its modules"
    _holds_modules = True

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        self._start(modules)

    def __setitem__(self, index: int, module: Module | None) -> None:
        """Replace the module at ``index``; None leaves the position without a module, as torch's."""
        owner = type(self).__name__
        try:
            position = range(len(self._items))[index]  # (checked before any hook runs)
        except IndexError:
            raise IndexError(f"{owner}: index {index} is out of range for {len(self._items)} modules") from None
        except TypeError:
            raise TypeError(f"{owner}: indices must be integers, got {type(index).__name__}") from None
        self._items[position] = self._registered(position, _module_or_none(owner, position, module))

    def __delitem__(self, index: int | slice) -> None:
        del self._items[index]

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self._append(module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add every module of ``modules`` at the end; returns self."""
        self._extend(modules)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        self._items.insert(index, self._admit("ModuleList.insert", index, module))

    def pop(self, index: int | slice = -1) -> Module | ModuleList:
        """Remove the module at ``index`` (a slice: those modules, as a ModuleList) and return it."""
        removed = self[index]
        del self[index]
        return removed

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        """``modules += [...]``: :meth:`extend` in place, as torch."""
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        """A new ModuleList of this one's modules then ``other``'s (the same module objects), as torch."""
        return ModuleList([*self._items, *other])

    def _repr_from(self, texts: Mapping[int, Lines]) -> Lines:
        """torch's text, which writes a run of neighbouring modules with equal reprs once, as
        ``(first-last): count x repr`` (``(0-11): 12 x TransformerEncoderLayer(...)``); the modules' reprs are
        in ``texts`` (see :meth:`Module._repr_from`)."""
        runs: list[list[Any]] = []  # [first index, last index, repr] of each run
        for index, module in enumerate(self._items):
            text = [(0, "None")] if module is None else texts[id(module)]
            if runs and runs[-1][2] == text:
                runs[-1][1] = index
            else:
                runs.append([index, index, text])
        entries = [
            entry(f"({first}): " if first == last else f"({first}-{last}): {last - first + 1} x ", text)
            for first, last, text in runs
        ]
        return block(self._get_name(), entries)


class ModuleDict(_DictContainer[Module]):
    """An ordered mapping from names to modules (insertion order), like ``torch.nn.ModuleDict``. An entry may be
    None (``heads.a = None`` keeps the key without a module), as torch's."""

    _noun = "module"
    _admit = staticmethod(_module_or_none)
    _holds_modules = True
    _forward_hint = "look up its modules by name and call them"

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        self._start(modules)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping or from (name, module) pairs."""
        self._update(modules)


class ParameterList(_ListContainer[Parameter]):
    """A list of Parameters: indexable, iterable, sized; ``append``, ``extend``. Tensors and arrays given to
    it become Parameters; ``parameters()`` lists them, named by position. As torch's, any other object (a number, a
    string, None) is kept as it is, an entry that is no parameter."""

    _noun = "parameter"
    _forward_hint = "use its parameters"
    _admit = staticmethod(_as_parameter)
    _registers = "parameter"

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        self._start(values)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` (made a Parameter) at the end; returns self."""
        self._append(value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add every value of ``values`` (made Parameters) at the end; returns self."""
        self._extend(values)
        return self

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        """``parameters += [...]``: :meth:`extend` in place, as torch."""
        return self.extend(values)

    def extra_repr(self) -> str:
        """torch's: one line per entry, ``(0): Parameter containing: [torch.float32 of size 2x3]``."""
        return "\n".join(_entry_line(index, value, _dtype_name) for index, value in enumerate(self._items))


class ParameterDict(_DictContainer[Parameter]):
    """An ordered mapping from names to Parameters (insertion order), like ``torch.nn.ParameterDict``; Tensors
    and arrays given to it become Parameters, other objects are kept as they are (as torch's). As torch's, a plain
    dict given to the constructor or ``update`` adds its entries in key order (an OrderedDict, another
    ParameterDict or (name, value) pairs in their order), and a missing key is an AttributeError (here a
    :class:`MissingParameterError`, a KeyError too)."""

    _noun = "parameter"
    _forward_hint = "look up its parameters by name"
    _admit = staticmethod(_as_parameter)
    _registers = "parameter"
    _entry_type = Parameter
    _sorts_plain_dicts = True
    _missing_error = MissingParameterError

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        self._start(parameters)

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter ``key``, or ``default``."""
        return self._entries.get(key, default)

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add or replace entries from a mapping or from (name, value) pairs."""
        self._update(parameters)

    def copy(self) -> ParameterDict:
        """A new ParameterDict of the same Parameter objects, in the same order (torch's shallow copy)."""
        return ParameterDict(OrderedDict(self._entries))

    def setdefault(self, key: str, default: Any = None) -> Parameter:
        """The entry ``key``, first set to ``default`` (a Tensor or an array made a Parameter) if there is none."""
        if key not in self._entries:
            self[key] = default
        return self._entries[key]

    def popitem(self) -> tuple[str, Parameter]:
        """Remove and return the (name, parameter) pair added last; KeyError when empty."""
        if not self._entries:
            raise KeyError("ParameterDict.popitem: the dict is empty")
        return self._entries.popitem()

    def __reversed__(self) -> Iterator[str]:
        """The names, last added first (``reversed(d)``, torch's)."""
        return reversed(list(self._entries))

    def __or__(self, other: Mapping[str, Any] | ParameterDict) -> ParameterDict:
        """``d | other``: a copy of ``d`` updated with ``other``'s entries (torch's)."""
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: Mapping[str, Any]) -> Any:
        """``other | d`` for a mapping ``other``: a copy of ``other`` updated with ``d``'s entries (torch's)."""
        merged = other.copy()  # type: ignore[attr-defined]
        merged.update(self)
        return merged

    def __ior__(self, other: Mapping[str, Any] | ParameterDict) -> ParameterDict:
        """``d |= other``: :meth:`update` in place (torch's)."""
        self.update(other)
        return self

    @classmethod
    def fromkeys(cls, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with each of ``keys`` set to ``default`` (a Parameter, shared by all; a Tensor or an
        array, made a Parameter for each)."""
        return cls(OrderedDict((key, default) for key in keys))

    def extra_repr(self) -> str:
        """torch's: one line per entry, ``(name): Parameter containing: [torch.FloatTensor of size 2x3]``."""
        return "\n".join(_entry_line(key, value, _type_name) for key, value in self._entries.items())
