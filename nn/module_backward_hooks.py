"""torch's full backward hooks of a Module (``register_full_backward_hook``, ``register_full_backward_pre_hook``).

As torch's ``BackwardHook``, one call of a hooked module passes its positional Tensor inputs, before
``forward``, and its Tensor outputs, after the forward hooks, through an identity :class:`~autograd.Function`
each. The outputs' identity learns the gradients of all outputs at once (its backward is joint): the pre-hooks
see them and may replace them. The inputs' identity then learns the gradients of all inputs that flowed
through the module: the full hooks see ``(grad_input, grad_output)`` and may replace ``grad_input``.

Covered: a ``forward`` whose positional arguments are Tensors or other objects (only Tensors get a gradient
entry, zeros for one that got no gradient; keyword arguments get none, as torch) and whose result is a Tensor
or a tuple (its items that are not Tensors, such as the LSTM's ``(h, c)`` pair, get None, as torch). Any other
result (a list, a dict, None) is passed on unchanged with torch's UserWarning: that call's hooks do not run, its
backward does (a scalar Value is a TypeError: the hooks work on Tensor modules).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, Value, is_grad_enabled
from autograd.function import Function, FunctionContext

from .module_global_hooks import GLOBAL_NON_FULL_BACKWARD, hooks_of
from .warning_site import user_stacklevel

__all__ = ["BackwardHookCall", "backward_hook_call"]


class _Identity(Function):
    """Returns its Tensors unchanged; its backward hands their gradients to the call's hooks (``on_grads``)."""

    @staticmethod
    def forward(ctx: FunctionContext, on_grads: Callable[[tuple[Any, ...]], tuple[Any, ...]], *tensors: Tensor) -> Any:
        ctx.set_materialize_grads(False)
        ctx.on_grads = on_grads
        ctx.mark_non_differentiable(*[tensor for tensor in tensors if not tensor.requires_grad])
        return tensors

    @staticmethod
    def backward(ctx: FunctionContext, *grads: Any) -> Any:
        return (None, *ctx.on_grads(grads))


def _pack(positions: list[int], grads: tuple[Any, ...], size: int) -> tuple[Any, ...]:
    """One entry per argument/output: the gradients at the Tensors' ``positions``, None elsewhere."""
    packed: list[Any] = [None] * size
    for position, grad in zip(positions, grads):
        packed[position] = grad
    return tuple(packed)


def _replaced(items: tuple[Any, ...], positions: list[int], tensors: tuple[Any, ...]) -> tuple[Any, ...]:
    """``items`` with the ones at ``positions`` replaced by ``tensors`` (their identities), in order."""
    new_items = list(items)
    for index, tensor in zip(positions, tensors):
        new_items[index] = tensor
    return tuple(new_items)


def _checked_replacement(
    module: Any, kind: str, hook: Callable[..., Any], result: Any, shapes: tuple[tuple[int, ...] | None, ...]
) -> tuple[Any, ...]:
    """A hook's replacement gradients as a tuple of the expected length, each of the shape of the gradient it
    replaces (``shapes``: None for an entry that is not a Tensor's); torch's RuntimeError otherwise."""
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != len(shapes):
        raise RuntimeError(
            f"Backward {kind} returned an invalid number of {_NAMES[kind]}, got {len(result)}, but expected "
            f"{len(shapes)}"
        )
    for index, (item, shape) in enumerate(zip(result, shapes)):
        new_shape = None if item is None or shape is None else np.shape(getattr(item, "data", item))
        if new_shape is not None and new_shape != shape:
            name = getattr(hook, "__name__", type(hook).__name__)
            raise RuntimeError(
                f"hook {name!r} has changed the size of value: {type(module).__name__}'s backward {kind} returned "
                f"{_NAMES[kind]}[{index}] of shape {new_shape} in place of a gradient of shape {shape}"
            )
    return result


_NAMES = {"hook": "grad_input", "pre hook": "grad_output"}


class BackwardHookCall:
    """The backward hooks of one call of ``module`` (the hooks registered when it was called)."""

    def __init__(
        self, module: Any, hooks: list[Callable[..., Any]], pre_hooks: list[Callable[..., Any]], warns: bool = True
    ) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.warns = warns  # torch's warning when the hooks fire at the outputs (no input requires grad)
        self.input_positions: list[int] | None = None  # None: no input requires grad (nothing was wrapped)
        self.input_layouts: list[tuple[tuple[int, ...], np.dtype]] = []  # per wrapped input: shape and dtype
        self.output_shapes: tuple[tuple[int, ...] | None, ...] = ()  # per output: its shape (None: not a Tensor)
        self.n_inputs = 0
        self.output_positions: list[int] = []
        self.n_outputs = 0
        self.grad_outputs: tuple[Any, ...] | None = None

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """``args`` with its Tensors passed through the inputs' identity (when one of them requires grad)."""
        self.n_inputs = len(args)
        positions = [index for index, arg in enumerate(args) if isinstance(arg, Tensor)]
        if not is_grad_enabled() or not any(args[index].requires_grad for index in positions):
            return args
        self.input_positions = positions
        self.input_layouts = [(args[index].shape, args[index].dtype) for index in positions]
        return _replaced(args, positions, _Identity.apply(self._on_input_grads, *(args[index] for index in positions)))

    def wrap_outputs(self, output: Any) -> Any:
        """``output`` with its Tensors passed through the outputs' identity (when one of them requires grad)."""
        several = isinstance(output, tuple)
        if isinstance(output, Value):
            raise TypeError(
                f"{type(self.module).__name__}: full backward hooks need a forward that returns a Tensor or a tuple "
                "of Tensors, got a Value (hooks work on Tensor modules, not scalar Value ones)"
            )
        if not several and not isinstance(output, Tensor):
            warnings.warn(
                f"{type(self.module).__name__}: for backward hooks to be called, module output should be a Tensor or "
                f"a tuple of Tensors but received {type(output)} (its backward hooks do not run for this call)",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return output
        outputs = output if several else (output,)
        positions = [index for index, item in enumerate(outputs) if isinstance(item, Tensor)]
        if not is_grad_enabled() or not any(outputs[index].requires_grad for index in positions):
            return output
        self.output_positions, self.n_outputs = positions, len(outputs)
        self.output_shapes = _pack(positions, [outputs[index].shape for index in positions], len(outputs))
        wrapped = _Identity.apply(self._on_output_grads, *(outputs[index] for index in positions))
        new_outputs = _replaced(outputs, positions, wrapped)
        return new_outputs if several else new_outputs[0]

    def _on_output_grads(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        """The outputs' gradients arrived: run the pre-hooks (and, with no input requiring grad, the hooks)."""
        grad_outputs = _pack(self.output_positions, grads, self.n_outputs)
        for pre_hook in self.pre_hooks:
            result = pre_hook(self.module, grad_outputs)
            if result is not None:
                grad_outputs = _checked_replacement(self.module, "pre hook", pre_hook, result, self.output_shapes)
        self.grad_outputs = grad_outputs
        if self.input_positions is None:
            # torch's warning (with pre-hooks alone too): the hooks fire at the outputs, since no input needs a
            # gradient, and their grad_input is all None
            if self.warns:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to module outputs since no "
                    f"inputs require gradients ({type(self.module).__name__}: its grad_input entries are None)",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
            no_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, no_inputs, grad_outputs)
                if result is not None and not (isinstance(result, tuple) and all(item is None for item in result)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should always return None or "
                        "None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(grad_outputs[index] for index in self.output_positions)

    def _on_input_grads(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        """The inputs' gradients arrived: run the hooks, which may replace them."""
        if self.grad_outputs is None:  # the gradient reached the inputs without passing the outputs (torch's case)
            return grads
        positions = self.input_positions or []
        # a Tensor input that got no gradient (it needs none, or the outputs it reaches are unused) gets zeros, as
        # torch's: only the entries of arguments that are not Tensors are None
        grads = tuple(
            Tensor(np.zeros(shape, dtype)) if grad is None else grad
            for grad, (shape, dtype) in zip(grads, self.input_layouts)
        )
        grad_inputs = _pack(positions, grads, self.n_inputs)
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is not None:
                shapes = _pack(positions, [shape for shape, _ in self.input_layouts], self.n_inputs)
                grad_inputs = _checked_replacement(self.module, "hook", hook, result, shapes)
        self.grad_outputs = None
        return tuple(grad_inputs[index] for index in positions)


def backward_hook_call(module: Any) -> BackwardHookCall | None:
    """The backward hooks for one call of ``module`` (a snapshot of those registered now), or None if it has none.

    Each table is copied by one ``list()`` call, which no other thread can interleave with (torch copies them
    at once too): another thread may register or remove hooks of the module while this one calls it. The global
    hooks (``register_module_full_backward_hook``, the deprecated ``register_module_backward_hook``,
    ``register_module_full_backward_pre_hook``) come first."""
    hooks = [hook for _, (hook, _) in hooks_of(module, "_backward_hooks")]
    pre_hooks = [hook for _, (hook, _) in hooks_of(module, "_backward_pre_hooks")]
    if not hooks and not pre_hooks:
        return None
    # torch warns when full hooks (or pre-hooks) fire at the outputs; a module's own hooks of the deprecated
    # register_backward_hook, which torch runs otherwise, fire silently
    non_full = len(module.__dict__.get("_backward_hooks", ())) if module._is_full_backward_hook is False else 0
    non_full += len(GLOBAL_NON_FULL_BACKWARD)
    return BackwardHookCall(module, hooks, pre_hooks, warns=bool(pre_hooks) or len(hooks) > non_full)
