"""``checkpoint``: torch's activation checkpointing (``torch.utils.checkpoint.checkpoint``).

``checkpoint(block, x)`` computes ``block(x)`` without recording the graph inside the block, so its
intermediate tensors are freed as soon as the forward pass is done; backward runs the block again, with
recording on, and differentiates that second run. Memory then grows with the number of checkpointed blocks
rather than with every tensor inside them, for the cost of one more forward pass of each block.

The checkpoint is one node of the graph (a :class:`~autograd.Function`) whose inputs are the Tensor
arguments and, when ``function`` is a Module or a method of one, that module's parameters that require grad:
their gradients come out of the second run and reach ``.grad`` through the ordinary backward pass (with
``autograd.grad`` and ``create_graph`` too). A plain function that closes over tensors which require grad
gets no gradient for them: pass them as arguments. As torch's ``preserve_rng_state``, the second run
replays the random draws of the first: the generators of the module's layers (``Dropout``'s, say) and the
library's seeded state (``autograd.manual_seed``) are put back to where they stood, then left where the first
run left them. Draws from fresh entropy (``F.dropout`` without ``rng`` and no ``manual_seed``) cannot be
replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Function, Tensor, enable_grad, is_grad_enabled

from ..module import Module

__all__ = ["checkpoint"]


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    preserve_rng_state: bool = True,
    context_fn: Any = None,
    determinism_check: str = "default",
    debug: bool = False,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, its inner graph recomputed in backward instead of kept (see the module
    docstring). torch's ``use_reentrant`` (either value) and ``debug=False`` are accepted; ``context_fn`` and
    other ``determinism_check`` modes are not supported."""
    if not callable(function):
        raise TypeError(f"checkpoint: function must be callable, got {type(function).__name__}")
    if context_fn is not None or determinism_check != "default" or debug:
        raise ValueError("checkpoint: context_fn, determinism_check other than 'default' and debug are not supported")
    owner = _module_of(function)
    parameters = [p for p in owner.parameters() if p.requires_grad] if owner is not None else []
    positions = [index for index, arg in enumerate(args) if isinstance(arg, Tensor)]
    generators = _generators(owner) if preserve_rng_state else []

    def run(*tensors: Tensor) -> Any:
        call_args = list(args)
        for index, tensor in zip(positions, tensors):
            call_args[index] = tensor
        return function(*call_args, **kwargs)

    if not is_grad_enabled() or not any(
        node.requires_grad for node in [*(args[index] for index in positions), *parameters]
    ):
        return run(*(args[index] for index in positions))  # nothing to differentiate: a plain call
    return _Checkpoint.apply(run, generators, len(positions), *(args[index] for index in positions), *parameters)


class _Checkpoint(Function):
    """One node for the whole checkpointed call: its arguments are (run, generators, count, *inputs, *params)."""

    @staticmethod
    def forward(ctx: Any, run: Callable[..., Any], generators: list[np.random.Generator], count: int, *nodes: Any):
        ctx.run, ctx.count, ctx.generators = run, count, generators
        ctx.states_before = _states(generators)
        result = run(*nodes[:count])
        ctx.states_after = _states(generators)
        ctx.save_for_backward(*nodes)
        return result

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple[Any, ...]:
        nodes = ctx.saved_tensors
        nested = is_grad_enabled()  # backward(create_graph=True): the gradients stay functions of the inputs
        inputs = [node if nested else node.detach().requires_grad_(node.requires_grad) for node in nodes[: ctx.count]]
        parameters = list(nodes[ctx.count :])
        _restore(ctx.generators, ctx.states_before)
        try:
            with enable_grad():
                outputs = ctx.run(*inputs)
        finally:
            _restore(ctx.generators, ctx.states_after)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(out, g) for out, g in zip(outputs, grads) if isinstance(out, Tensor) and out.requires_grad]
        targets = [x for x in inputs if x.requires_grad] + parameters
        found = iter(
            autograd.grad(
                [out for out, _ in pairs],
                targets,
                grad_outputs=[g for _, g in pairs],
                create_graph=nested,
                allow_unused=True,
            )
            if pairs and targets
            else [None] * len(targets)
        )
        input_grads = [next(found) if x.requires_grad else None for x in inputs]
        return (None, None, None, *input_grads, *found)


def _module_of(function: Any) -> Module | None:
    """The Module whose parameters ``function`` uses: itself, or the owner of a bound method."""
    if isinstance(function, Module):
        return function
    owner = getattr(function, "__self__", None)
    return owner if isinstance(owner, Module) else None


def _generators(owner: Module | None) -> list[np.random.Generator]:
    """The random generators a checkpointed call may draw from: those its modules hold, and the seeded state."""
    found: dict[int, np.random.Generator] = {}
    if owner is not None:
        for module in owner.modules():
            for value in vars(module).values():
                if isinstance(value, np.random.Generator):
                    found[id(value)] = value
    seeded = autograd.random_state._seeded
    if seeded is not None:
        found[id(seeded)] = seeded
    return list(found.values())


def _states(generators: list[np.random.Generator]) -> list[dict[str, Any]]:
    return [generator.bit_generator.state for generator in generators]


def _restore(generators: list[np.random.Generator], states: list[dict[str, Any]]) -> None:
    for generator, state in zip(generators, states):
        generator.bit_generator.state = state
