"""Named parameters in optimizer groups, as torch 2.13: ``SGD(model.named_parameters())`` or a group
``{"params": [(name, parameter), ...]}`` optimizes the parameters and keeps their names in the group's
``"param_names"`` list (saved by ``state_dict``). Every parameter of an optimizer is named, or none is."""

from __future__ import annotations

from typing import Any

__all__ = ["check_names_agree", "split_names"]


def _is_named(entry: Any) -> bool:
    """Whether a group entry is a ``(name, parameter)`` pair (torch takes any tuple as one)."""
    return isinstance(entry, tuple)


def split_names(owner: str, entries: list[Any]) -> tuple[list[Any], list[str] | None]:
    """The parameters of a group's entries and their names (None if no entry is named).

    Raise TypeError for a tuple that is not a pair with a str name, ValueError when only some are named.
    """
    named = [_is_named(entry) for entry in entries]
    if not any(named):
        return entries, None
    if not all(named):
        raise ValueError(f"{owner}: all optimizer params should be with/without names. Some param names are missing")
    for entry in entries:
        if len(entry) != 2 or not isinstance(entry[0], str):
            raise TypeError(
                f"{owner}: a named parameter must be a (name, parameter) pair with a str name, got {entry!r}"
            )
    return [parameter for _, parameter in entries], [name for name, _ in entries]


def check_names_agree(owner: str, groups: list[dict[str, Any]], new_group: dict[str, Any]) -> None:
    """Raise ValueError unless ``new_group`` is named (has ``"param_names"``) exactly when the other groups are."""
    if groups and ("param_names" in groups[0]) != ("param_names" in new_group):
        added = "with" if "param_names" in new_group else "without"
        raise ValueError(
            f"{owner}: all optimizer param groups should be with/without names. "
            f"cannot add param group {added} names to the optimizer"
        )
