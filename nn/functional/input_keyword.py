"""torch's keyword ``input`` for the first argument of the functions that name it after what it holds.

Here ``relu(x)``, ``mse_loss(prediction, target)``, ``cross_entropy(logits, target)`` name their first argument
for the maths in their docstrings; torch names it ``input`` in all of them, and torch code passes it by that name
(``F.mse_loss(input=y_hat, target=y)``). :func:`accepts_input_keyword` lets such a function take it by either
name; ``nn.functional`` exports the functions so wrapped.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["accepts_input_keyword"]


def accepts_input_keyword(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, taking its first argument by torch's keyword ``input`` too (its signature shows ``input``)."""
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    own_name = parameters[0].name

    @functools.wraps(function)
    def taking_input(*args: Any, **kwargs: Any) -> Any:
        if "input" in kwargs:
            if args or own_name in kwargs:
                raise TypeError(f"{function.__name__}() got multiple values for argument 'input'")
            args = (kwargs.pop("input"),)
        return function(*args, **kwargs)

    taking_input.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[parameters[0].replace(name="input"), *parameters[1:]]
    )
    # found where it is exported, so it pickles by reference as nn.functional.<name> (as torch's functions do)
    taking_input.__module__ = "nn.functional"
    taking_input.__qualname__ = function.__name__
    return taking_input
