"""The hint for a module class called on its input, ``nn.ReLU(x)`` for ``nn.ReLU()(x)``: a common slip that
otherwise ends in a constructor's complaint about an option (``inplace must be True or False, got Tensor``, or
torch's ``Boolean value of Tensor with more than one value is ambiguous``).

:meth:`nn.Module.__new__` asks :func:`class_called_on_input` before any constructor runs. Only the library's own
classes are judged (a user's constructor may take anything), and only when the first positional argument is a
Tensor, a Value or an array and the constructor's first parameter takes none (by its annotation: an option such as
``inplace: bool`` or ``reduction: str``, or no parameter at all); a loss's ``weight`` (``nn.CrossEntropyLoss(w)``),
``ParameterList(values)`` or ``Identity(*args)`` are left alone.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd import Node

__all__ = ["ModuleClassCalledError", "class_called_on_input"]

#: Words of an annotation that admit a Tensor or an array (``Any``, ``Tensor``, containers, callables).
_TAKES_ARRAYS = ("Any", "Tensor", "ndarray", "Iterable", "Mapping", "Module", "Callable", "Sequence")

#: Functions whose names do not follow their class's: the rest are found by the class's name without "Loss".
_FUNCTION_NAMES = {"BCELoss": "binary_cross_entropy", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits"}


class ModuleClassCalledError(TypeError):
    """A module class called on its input (``nn.ReLU(x)``) instead of an instance (``nn.ReLU()(x)``)."""


def class_called_on_input(cls: type, args: tuple[Any, ...]) -> ModuleClassCalledError | None:
    """The error for ``cls(*args)`` when it is a library module class called on its input, else None."""
    if not args or not isinstance(args[0], (Node, np.ndarray)) or cls.__module__.partition(".")[0] != "nn":
        return None
    init = cls.__init__  # type: ignore[misc]
    needed: list[str] = []
    if init is not object.__init__:
        parameters = list(inspect.signature(init).parameters.values())[1:]
        first = parameters[0] if parameters else None
        if first is not None and (
            first.kind in (first.VAR_POSITIONAL, first.KEYWORD_ONLY, first.VAR_KEYWORD)
            or first.annotation is first.empty
            or any(word in str(first.annotation) for word in _TAKES_ARRAYS)
        ):
            return None
        needed = [p.name for p in parameters if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    inputs = _required(cls.forward)[1:]  # type: ignore[attr-defined]  (self left out)
    shown = "x" if len(inputs) == 1 else ", ".join(inputs)
    name = f"nn.{cls.__name__}"
    made = f"{name}({', '.join(needed)})"
    message = f"{name} is a module class: create it first, {made}({shown})"
    function = _function_of(cls, len(inputs)) if not needed else None
    if function is not None:
        message += f", or use F.{function}({shown})"
    return ModuleClassCalledError(f"{message} (it was called on a {type(args[0]).__name__})")


def _required(function: Any) -> list[str]:
    """The names of the positional parameters of ``function`` without a default."""
    parameters = inspect.signature(function).parameters.values()
    return [
        p.name for p in parameters if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _function_of(cls: type, inputs: int) -> str | None:
    """The name of the ``nn.functional`` function that computes what ``cls`` does on the same inputs, if any."""
    from . import functional

    key = cls.__name__.lower()
    by_key = {name.replace("_", ""): name for name in dir(functional) if name[0] != "_" and name[-1] != "_"}
    name = _FUNCTION_NAMES.get(cls.__name__) or by_key.get(key) or by_key.get(key.removesuffix("loss"))
    function = getattr(functional, name, None) if name else None
    if not callable(function) or isinstance(function, type):
        return None
    try:
        return name if len(_required(function)) == inputs else None
    except (TypeError, ValueError):  # no signature
        return None
