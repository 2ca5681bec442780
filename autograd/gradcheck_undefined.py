"""gradcheck's ``check_undefined_grad``: a custom Function's ``backward`` must cope with output gradients that are
undefined (torch's name for "no gradient reached this output"), as torch's gradcheck checks by default.

A Function that calls ``ctx.set_materialize_grads(False)`` receives None for such a gradient instead of zeros; its
``backward`` must then return None, or zeros, for every input. torch tests it in two ways, and so does this:

* every output's gradient undefined: the Functions the outputs lead to (through built-in ops, whose gradients of
  an undefined gradient are undefined again) are called with no gradient at all, and so are the Functions behind
  those whose ``backward`` gave None;
* with several outputs, one output's gradient undefined at a time and zeros for the others: one backward pass,
  in which a Function whose other outputs get zeros is called with None for that one.

Every input gradient given back must be None or all zeros. A ``backward`` that raises a RuntimeError fails the
check (torch's GradcheckError "Expected backward function to handle undefined output grads"); any other error
(``None * 2``'s TypeError) propagates, as torch's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import Node
from .function import _run_backward
from .functional import grad
from .op import OutputGradients
from .value import Value

#: Where torch's message sends the reader.
_NOTES = "(see the notes about undefined output gradients in torch's Extending torch.autograd)"


def check_undefined_grads(
    outputs: list[Node], leaves: list[Node], error: Callable[[str], Exception], describe: Callable[[int], str]
) -> None:
    """Raise ``error(message)`` unless the backward of ``outputs`` (the outputs of f that require grad) handles
    undefined output gradients; ``describe(j)`` names checked input ``j`` in the message."""
    if not outputs:
        return
    _check_all_undefined(outputs, error)
    if len(outputs) > 1:
        for index in range(len(outputs)):
            others = [output for position, output in enumerate(outputs) if position != index]
            seeds = [0.0 if isinstance(output, Value) else np.zeros(np.shape(output._data)) for output in others]
            try:
                gradients = grad(others, leaves, grad_outputs=seeds, retain_graph=True, allow_unused=True)
            except RuntimeError as failure:
                raise error(_handle_message(failure)) from failure
            for position, gradient in enumerate(gradients):
                if gradient is not None and np.any(np.asarray(getattr(gradient, "_data", gradient)) != 0):
                    raise error(
                        f"gradcheck: Expected all input grads to be undefined or zero when all output grads are "
                        f"undefined or zero: with the gradient of output {index} undefined and zeros for the others, "
                        f"the gradient of {describe(position)} is not zero {_NOTES}"
                    )


def _check_all_undefined(outputs: list[Node], error: Callable[[str], Exception]) -> None:
    """Call every Function that only undefined gradients reach from ``outputs`` with no output gradient."""
    seen: set[int] = set()
    called: set[int] = set()
    stack = list(outputs)
    while stack:
        node = stack.pop()
        if id(node) in seen or node.op is None:
            continue
        seen.add(id(node))
        attrs = node.attrs
        if node.op.rules[0] is not _run_backward:  # a built-in op: an undefined gradient in, undefined ones out
            stack.extend(parent for parent in node.parents if parent.requires_grad)
            continue
        ctx = attrs["ctx"]
        if id(ctx) in called:  # one call of backward per Function call, as for its several outputs
            continue
        called.add(id(ctx))
        undefined = OutputGradients(None for _ in ctx._output_data)
        try:
            gradients = _run_backward(undefined, node._data, *[parent._data for parent in node.parents], **attrs)
        except RuntimeError as failure:
            raise error(_handle_message(failure)) from failure
        for parent, gradient in zip(node.parents, gradients):
            if gradient is None:  # undefined again: the Functions behind it get no gradient either
                if parent.requires_grad:
                    stack.append(parent)
            elif np.any(np.asarray(gradient) != 0):
                raise error(
                    f"gradcheck: Expected all input grads to be undefined or zero when all output grads are undefined "
                    f"or zero: {attrs['function'].__name__}.backward returned a gradient that is not zero when no "
                    f"gradient reached its outputs {_NOTES}"
                )


def _handle_message(failure: BaseException) -> str:
    return (
        "gradcheck: Expected backward function to handle undefined output grads. Please look at the notes about "
        f"undefined output gradients in torch's Extending torch.autograd (backward raised: {failure})"
    )
