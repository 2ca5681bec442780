"""Hooks on what a custom Function saves for backward, as torch.autograd.graph's ``saved_tensors_hooks``.

Inside ``with saved_tensors_hooks(pack_hook, unpack_hook):`` a recorded call of a
:class:`~autograd.function.Function` passes each node it saved with ``ctx.save_for_backward`` to ``pack_hook`` when
the call returns (after its outputs are recorded, so a saved output is passed as the output), and keeps what that
returns; each reading of ``ctx.saved_tensors`` (in ``backward``, or through ``grad_fn.saved_tensors``) gives
``unpack_hook(packed)`` in its place. The innermost block in force when the call returns wins; the hooks belong to
the thread (as torch's). None, and arrays saved as they are, are not passed to the hooks.

What is covered, and what is not: only custom Functions' ``save_for_backward``. The library's own ops save nothing
apart from the graph: their derivative rules read their inputs' and output's own data when backward runs (torch's
built-in ops save tensors, and pass them to these hooks), so these hooks see none of them, and cannot move or free
what those ops read. A saved node stays referenced by the graph here (an input is a parent of the call's outputs;
an output's data is kept by the call), so ``pack_hook`` cannot free memory either: the hooks are for what they
compute (a count, a check, a changed copy handed to ``backward``). Under ``create_graph``, what ``unpack_hook``
returns is what ``backward`` differentiates: return the node given (or one computed from it) to keep its history.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .reentrant import carry

__all__ = [
    "active_hooks", "disable_saved_tensors_hooks", "packed", "save_on_cpu", "saved_tensors_hooks", "unpacked",
]  # fmt: skip


class _HooksInForce(threading.local):
    #: The ``(pack_hook, unpack_hook)`` pairs of the blocks entered in this thread, innermost last.
    stack: list[tuple[Callable[[Any], Any], Callable[[Any], Any]]] | None = None
    #: The message of the innermost ``disable_saved_tensors_hooks`` block in force, or None.
    disabled: str | None = None


_in_force = carry(_HooksInForce())


def active_hooks() -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """The ``(pack_hook, unpack_hook)`` of the innermost ``saved_tensors_hooks`` block of this thread, or None."""
    stack = _in_force.stack
    return stack[-1] if stack else None


class saved_tensors_hooks:  # noqa: N801 - torch's name
    """Within the block, a custom Function's saved nodes are passed to ``pack_hook`` and read back through
    ``unpack_hook`` (see the module docs for what is covered). Blocks nest: the innermost one wins. Entering one
    inside ``disable_saved_tensors_hooks(message)`` raises ``RuntimeError(message)``."""

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        if _in_force.disabled is not None:
            raise RuntimeError(_in_force.disabled)
        if _in_force.stack is None:
            _in_force.stack = []
        _in_force.stack.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *exc_info: object) -> None:
        _in_force.stack.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - torch's name
    """torch's hooks that keep saved tensors in CPU memory until backward reads them. Every array here lives in
    CPU memory already: a saved node is kept as it is (``pin_memory`` and ``device_type`` are accepted for torch's
    signature and change nothing). The block still counts as saved-tensors hooks: it nests with others, and cannot
    be entered inside ``disable_saved_tensors_hooks``."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        self.pin_memory = pin_memory
        self.device_type = device_type
        super().__init__(_kept_as_it_is, _kept_as_it_is)


def _kept_as_it_is(tensor: Any) -> Any:
    return tensor


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str) -> Iterator[None]:
    """Within the block (or the decorated function), entering ``saved_tensors_hooks`` raises
    ``RuntimeError(error_message)``; so does entering this block while such hooks are in force (as torch's). Blocks
    nest; the outer message is back on leaving the inner one."""
    if active_hooks() is not None:
        raise RuntimeError(error_message)
    previous = _in_force.disabled
    _in_force.disabled = error_message
    try:
        yield
    finally:
        _in_force.disabled = previous


def packed(items: tuple[Any, ...], hooks: tuple[Callable[[Any], Any], Callable[[Any], Any]]) -> tuple[Any, ...]:
    """``(unpack_hook, pack_hook(item))`` per node among ``items`` (None for the rest, which are None), packed in
    order; a ``pack_hook`` that changes its node in place is refused, as torch's."""
    pack_hook, unpack_hook = hooks
    entries = []
    for item in items:
        if item is None:
            entries.append(None)
            continue
        version = item.version
        entries.append((unpack_hook, pack_hook(item)))
        if item.version != version:
            raise RuntimeError(
                "A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook "
                "cannot be modified by in-place operations as this can lead to unexpected side-effects (pack hook "
                f"{getattr(pack_hook, '__name__', type(pack_hook).__name__)!r} changed a {type(item).__name__} of "
                f"shape {getattr(item._data, 'shape', ())})"
            )
    return tuple(entries)


def unpacked(entry: tuple[Callable[[Any], Any], Any], node_kind: type) -> Any:
    """What ``unpack_hook`` gives back for one packed entry, which must be a node (a Tensor or Value) as torch's."""
    unpack_hook, packed_value = entry
    value = unpack_hook(packed_value)
    if not isinstance(value, node_kind):
        raise TypeError(
            f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
            f"{type(value).__name__} (unpack hook {getattr(unpack_hook, '__name__', type(unpack_hook).__name__)!r})"
        )
    return value
