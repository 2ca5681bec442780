"""torch's ``nn.utils.stateless.functional_call`` (``torch.func.functional_call``): call a module with some of its
parameters and buffers replaced, for that call only, by the tensors of a dict keyed by their qualified names.

``functional_call(model, {"fc.weight": w}, x)`` runs ``model(x)`` with ``w`` where ``model.fc.weight`` is, so the
output is a function of ``w`` (its gradient reaches ``w``, not the module's own parameter), and the module holds its
own tensors again afterwards, even when the call raises. As torch's:

- ``tie_weights`` (default True): a tensor the module holds under several names (``decoder.weight`` tied to
  ``embedding.weight``) is replaced under all of them when one is given; two different tensors given for tied names
  are a ValueError.
- ``strict``: the names given must be exactly the module's parameters and buffers (a RuntimeError listing the
  unexpected and the missing ones); otherwise a name the module lacks is set as an attribute for the call and
  removed after it, and a missing sub-module on its path is an AttributeError.
- a buffer the forward reassigns (a batch norm's running statistics in training mode) ends up in the given dict,
  under its name, and the module's own buffer is left as it was.
- ``parameters_and_buffers`` may be a tuple of dicts (torch.func's form); a name in two of them is a ValueError.

Unlike torch's ``nn.utils.stateless`` spelling this one gives no deprecation warning: the library has no
``torch.func`` to point to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Node

from ..module import Module
from ..module_views import delete_member, set_member

__all__ = ["functional_call"]

_MISSING = object()  # the name held nothing before the call (so it is removed after it)


def _merged(parameters_and_buffers: Any) -> tuple[dict[str, Any], bool]:
    """One dict of names to tensors, and whether it is the caller's own (a single dict, updated after the call)."""
    if isinstance(parameters_and_buffers, Mapping):
        return parameters_and_buffers, True  # type: ignore[return-value]
    if not isinstance(parameters_and_buffers, (tuple, list)) or not all(
        isinstance(part, Mapping) for part in parameters_and_buffers
    ):
        raise TypeError(
            "functional_call: parameters_and_buffers must be a dict of names to tensors or a tuple of such dicts, got "
            f"{type(parameters_and_buffers).__name__}"
        )
    counts = Counter(name for part in parameters_and_buffers for name in part)
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise ValueError(f"functional_call: {repeated} appeared in several dicts, so the call is ambiguous")
    merged: dict[str, Any] = {}
    for part in parameters_and_buffers:
        merged.update(part)
    return merged, False


def _named_tensors(module: Module) -> list[tuple[str, Any]]:
    """Every (qualified name, parameter or buffer) of ``module``, a tied tensor under each of its names."""
    return [*module.named_parameters(remove_duplicate=False), *module.named_buffers(remove_duplicate=False)]


def _untied(module: Module, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` with each tensor also under the other names of a module tensor held under several names."""
    names_of: dict[int, list[str]] = {}
    for name, tensor in _named_tensors(module):
        names_of.setdefault(id(tensor), []).append(name)
    untied = dict(given)
    for names in names_of.values():
        if len(names) < 2:
            continue
        values = {id(given[name]): given[name] for name in names if name in given}
        if len(values) > 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(names)}, which are tied. Consider using "
                "tie_weights=False"
            )
        for value in values.values():
            untied.update(dict.fromkeys(names, value))
    return untied


def _check_names(module: Module, given: dict[str, Any]) -> None:
    """``strict``: the names must be exactly the module's parameters and buffers (the error lists the unexpected
    and the missing names each sorted, as torch's)."""
    known = {name for name, _ in _named_tensors(module)}
    unexpected = sorted(set(given) - known)
    missing = sorted(known - set(given))
    problems = []
    if unexpected:
        problems.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        problems.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if problems:
        raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(problems))


def _swap(module: Module, name: str, value: Any) -> Any:
    """Put ``value`` (or, for :data:`_MISSING`, nothing) at the qualified ``name`` of ``module``; what was there.

    A tensor attribute (a parameter, a buffer) is replaced as it is stored, past ``__setattr__``'s checks (which
    keep a Parameter's name for Parameters, and would move a Parameter put back after the module's other ones): for
    the call, the name holds the plain tensor, as torch's ``_parameters`` entry does. A container's entry goes through the container; any other name is set (or deleted) as an
    attribute."""
    path, _, leaf = name.rpartition(".")
    if not leaf:
        raise KeyError(f"functional_call: {name!r} names no tensor")
    owner = module.get_submodule(path)
    stored = vars(owner)
    if leaf in stored and (isinstance(stored[leaf], (Node, np.ndarray)) or leaf in owner._buffer_names()):
        old = stored[leaf]
        if value is _MISSING:  # (an attribute the call added)
            delete_member(owner, leaf)
        else:  # in its place: a Parameter put back is where it was, first or last, among the module's own
            object.__setattr__(owner, leaf, value)
        return old
    members = dict(owner._direct_members())
    if leaf not in vars(owner) and isinstance(members.get(leaf), (Node, np.ndarray)):  # a container's entry
        old = members[leaf]
        if value is not _MISSING:
            set_member(owner, leaf, value)
        return old
    old = getattr(owner, leaf, _MISSING)
    if old is not _MISSING and old is not None and not isinstance(old, (Node, np.ndarray)):
        raise TypeError(f"functional_call: attribute {name!r} holds a {type(old).__name__}, not a tensor")
    if value is not _MISSING:
        setattr(owner, leaf, value)
    elif old is not _MISSING:
        delete_member(owner, leaf)
    return old


def functional_call(
    module: Module,
    parameters_and_buffers: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with the tensors of ``parameters_and_buffers`` (qualified name -> Tensor, array or
    None) in place of the module's for this call (see the module docstring). ``args`` that is not a tuple is the
    one positional argument; None is none."""
    if not isinstance(module, Module):
        raise TypeError(f"functional_call: expected an nn.Module, got {type(module).__name__}")
    given, own = _merged(parameters_and_buffers)
    for name, value in given.items():
        if value is not None and not isinstance(value, (Node, np.ndarray)):
            raise TypeError(f"functional_call: {name!r} must be a Tensor, got {type(value).__name__}")
    tensors = _untied(module, given) if tie_weights else dict(given)
    if strict:
        _check_names(module, tensors)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    originals: dict[str, Any] = {}
    try:
        for name, value in tensors.items():
            originals[name] = _swap(module, name, value)
        return module(*args, **(kwargs or {}))
    finally:
        after = {name: _swap(module, name, old) for name, old in reversed(originals.items())}
        if own:  # what the call left under the given names (a buffer the forward reassigned), as torch's
            given.update({name: after[name] for name in given if name in after and after[name] is not _MISSING})
