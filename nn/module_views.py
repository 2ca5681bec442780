"""torch's ``Module._modules``, ``_parameters`` and ``_buffers`` as live views of a module's own members.

A Module here finds its members from its attributes (see :mod:`nn.module`), so these are not stored dicts but
mappings computed on each read, in definition order: ``for name, child in model._modules.items()`` reads
as in torch. Writing through a view changes the module as torch's dict would (``model._modules["fc"] =
Linear(...)`` replaces that sub-module, ``del model._buffers["mask"]`` removes the buffer); :func:`set_member`
is the one place that knows how a name maps to an attribute, a container entry or a list item.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .module import Module

__all__ = ["BufferView", "ModuleView", "ParameterView", "delete_member", "set_member"]


def _container_keys(owner: Module) -> list[str] | None:
    """The names of a container's entries (Sequential, ModuleList, ModuleDict, ...), or None for other modules."""
    contents_name = owner._contents
    if contents_name is None or contents_name not in vars(owner):
        return None
    return [name for name, _ in owner._content_items(vars(owner)[contents_name])]


def _list_item(owner: Module, name: str) -> tuple[str, int] | None:
    """(attribute, index) when ``name`` is ``"attribute.index"`` naming an item of a list or tuple attribute."""
    head, dot, tail = name.rpartition(".")
    if not dot or not tail.isdigit():
        return None
    items = vars(owner).get(head)
    if isinstance(items, (list, tuple)) and int(tail) < len(items):
        return head, int(tail)
    return None


def set_member(owner: Module, name: str, value: Any) -> None:
    """Make ``value`` the member ``name`` of ``owner`` as its views name members: a container's entry by
    key or position (as ``owner[key] = value``; a new name on a Sequential appends the module, as torch's), an
    item of a list/tuple attribute (``"layers.0"``), else the attribute ``name`` itself."""
    keys = _container_keys(owner)
    if keys is not None:
        if isinstance(vars(owner)[owner._contents], dict):
            owner[name] = value  # type: ignore[index]
        elif name in keys:
            owner[keys.index(name)] = value  # type: ignore[index]
        elif getattr(owner, "_appends_named_modules", False):
            setattr(owner, name, value)  # a Sequential appends it, named, to run last (torch's registration)
        else:
            raise KeyError(f"{type(owner).__name__}: no entry {name!r} to replace (have {keys})")
        return
    item = _list_item(owner, name)
    if item is not None:
        attribute, index = item
        items = vars(owner)[attribute]
        if isinstance(items, list):
            items[index] = value
        else:
            object.__setattr__(owner, attribute, (*items[:index], value, *items[index + 1 :]))
        return
    setattr(owner, name, value)


def delete_member(owner: Module, name: str) -> None:
    """Remove the member ``name`` of ``owner`` (a container's entry, or the attribute; a list item cannot be)."""
    keys = _container_keys(owner)
    if keys is not None and name in keys:
        del owner[name if isinstance(vars(owner)[owner._contents], dict) else keys.index(name)]  # type: ignore[attr-defined]
        return
    if _list_item(owner, name) is not None:
        raise KeyError(f"{type(owner).__name__}: {name!r} is an item of a list attribute; change the list instead")
    delattr(owner, name)


class _MemberView(MutableMapping):
    """A live mapping name -> member of one kind of a module's own members (not its sub-modules')."""

    _kind = ""

    def __init__(self, owner: Module) -> None:
        self._owner = owner

    def _items(self) -> list[tuple[str, Any]]:
        raise NotImplementedError

    def __getitem__(self, name: str) -> Any:
        for key, member in self._items():
            if key == name:
                return member
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, _ in self._items()])

    def __len__(self) -> int:
        return len(self._items())

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        delete_member(self._owner, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._items())!r})"


class ModuleView(_MemberView):
    """``module._modules``: name -> direct sub-module (a module held under two names is listed under both; a
    sub-module's name set to None is listed with None, as torch's)."""

    def _items(self) -> list[tuple[str, Any]]:
        from .module import Module

        owner = self._owner
        return [
            (name, member)
            for name, member in owner._direct_members()
            if isinstance(member, Module) or owner._is_empty_module_name(name, member)
        ]

    def __setitem__(self, name: str, module: Any) -> None:
        from .module import Module

        if module is not None and not isinstance(module, Module):
            raise TypeError(f"_modules[{name!r}]: expected a Module or None, got {type(module).__name__}")
        set_member(self._owner, name, module)


class ParameterView(_MemberView):
    """``module._parameters``: name -> the module's own parameters, and None for a parameter set to None or
    registered as None (``linear.bias = None``), as torch's keeps it (``parameters()`` and ``state_dict`` skip it)."""

    def _items(self) -> list[tuple[str, Any]]:
        from .module import _is_parameter

        owner = self._owner
        empty = owner.__dict__.get("_empty_parameter_names", ())
        return [
            (name, member)
            for name, member in owner._direct_members()
            if _is_parameter(member) or (member is None and name in empty)
        ]

    def __setitem__(self, name: str, parameter: Any) -> None:
        from .parameter import Parameter

        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"_parameters[{name!r}]: expected an nn.Parameter or None, got {type(parameter).__name__}")
        set_member(self._owner, name, parameter)


class BufferView(_MemberView):
    """``module._buffers``: name -> the module's own buffers (None for a buffer registered as None)."""

    def _items(self) -> list[tuple[str, Any]]:
        owner = self._owner
        return [(name, getattr(owner, name)) for name in owner._buffer_names()]

    def __setitem__(self, name: str, array: Any) -> None:
        transient = self._owner.__dict__.get("_non_persistent_buffers", ())
        self._owner.register_buffer(name, array, persistent=name not in transient)
