"""``checkpoint``: torch's activation checkpointing (``torch.utils.checkpoint.checkpoint``).

``checkpoint(block, x)`` computes ``block(x)`` and drops the graph recorded inside the block as soon as its
outputs are known, so its intermediate tensors are freed once the block's forward pass is done; backward runs
the block again, with recording on, and differentiates that second run. Memory then grows with the number of
checkpointed blocks rather than with every tensor inside them, for the cost of one more forward pass of each block.

The checkpoint is one node of the graph (a :class:`~autograd.Function`) whose inputs are the Tensor
arguments (positional and keyword), when ``function`` is a Module or a method of one, that module's
parameters that require grad, and the tensors requiring grad that the first run used without taking them as
arguments (those a plain function or lambda closes over, a module's parameters called through a lambda, a
non-leaf computed outside the block) when ``use_reentrant=False``: their gradients come out of the second run and
reach ``.grad`` through the ordinary backward pass (with ``autograd.grad`` and ``create_graph`` too), so a tensor
used inside and outside the block gets its whole gradient once (its hooks run once, with the total), as torch's
non-reentrant checkpoint. Other leaves the second run reaches (all of them, reentrant: the first run is then not
recorded, as torch's) get their gradients added into ``.grad`` by ``backward()``. As torch's
``preserve_rng_state``, the second run
replays the random draws of the first: the generators of the layers ``function`` reaches (``Dropout``'s, say:
those of the module itself, of a bound method's owner, or of the modules a lambda, closure or
``functools.partial`` uses) and the library's seeded state (``autograd.manual_seed``) are put back to where
they stood for it, then put back to where backward found them (torch's ``fork_rng``: the stream goes on as
without checkpointing, however many blocks share a generator). Draws from fresh entropy (``F.dropout``
without ``rng`` and no ``manual_seed``) cannot be replayed.
"""

from __future__ import annotations

import functools
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Function, Tensor, enable_grad, is_grad_enabled
from autograd.backprop import backward_order
from autograd.grad_mode import is_storing_gradients
from autograd.parents import cut_at
from autograd.versions import clock

from ..module import Module
from ..warning_site import user_stacklevel

__all__ = ["checkpoint"]

_PASS_USE_REENTRANT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch 2.9, calling "
    "checkpoint without use_reentrant will raise an exception. use_reentrant=False is recommended, but if you need to "
    "preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants."
)


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
    docstring). torch's ``use_reentrant`` (either value) and ``debug=False`` are accepted (without
    ``use_reentrant``, torch's UserWarning that it should be passed); ``context_fn`` and
    other ``determinism_check`` modes are not supported."""
    if use_reentrant is None:  # torch 2.13's UserWarning, word for word
        warnings.warn(_PASS_USE_REENTRANT, UserWarning, stacklevel=user_stacklevel())
    if not callable(function):
        raise TypeError(f"checkpoint: function must be callable, got {type(function).__name__}")
    if context_fn is not None or determinism_check != "default" or debug:
        raise ValueError("checkpoint: context_fn, determinism_check other than 'default' and debug are not supported")
    owner = _module_of(function)
    parameters = [p for p in owner.parameters() if p.requires_grad] if owner is not None else []
    positions = [index for index, arg in enumerate(args) if isinstance(arg, Tensor)]
    keywords = [name for name, value in kwargs.items() if isinstance(value, Tensor)]
    tensors = [*(args[index] for index in positions), *(kwargs[name] for name in keywords)]
    generators = _generators(function) if preserve_rng_state else []

    def run(*given: Tensor) -> Any:
        call_args, call_kwargs = list(args), dict(kwargs)
        for index, tensor in zip(positions, given):
            call_args[index] = tensor
        for name, tensor in zip(keywords, given[len(positions) :]):
            call_kwargs[name] = tensor
        return function(*call_args, **call_kwargs)

    if not is_grad_enabled() or not any(node.requires_grad for node in [*tensors, *parameters]):
        # no input of the node would need a gradient: a plain call (which records what a closure's leaves need)
        return run(*tensors)
    layout: list[Any] = []  # how the first run nested its outputs (a dict, a list, a tuple holding them)

    def run_flat(*given: Tensor) -> Any:
        """``run``, its outputs nested in dicts, lists or tuples given as one flat tuple (the node's outputs)."""
        result = run(*given)
        if isinstance(result, Tensor) or not isinstance(result, (tuple, list, dict)):
            return result
        leaves: list[Any] = []
        nesting = _nesting(result, leaves)
        if not layout:
            layout.append(nesting)
        return tuple(leaves)

    # non-reentrant (use_reentrant=False): the first run is recorded, as torch's, to find the tensors that require
    # grad it uses without taking them as arguments (a closure's weight, or a non-leaf): they become inputs of the
    # node, so the outer backward pass gives each its whole gradient once (its hooks run once, with the total),
    # and a non-leaf's history is run once, by the outer pass. The recorded graph is dropped once they are found.
    # Reentrant, it runs under no_grad inside the node (its in-place changes of a leaf allowed), as torch's.
    states_before = _states(generators)
    replay: Callable[..., Any] = run_flat
    if use_reentrant is False:
        start = clock()
        with enable_grad():
            first = run_flat(*tensors)
        known = {id(node) for node in (*tensors, *parameters)}
        parameters += _closed_over(first, start, known)
        first = _detached(first, tensors)

        def replay(*given: Tensor) -> Any:
            return first

    result = _Checkpoint.apply(replay, generators, states_before, run_flat, len(tensors), *tensors, *parameters)
    return _nested(layout[0], iter(result)) if layout else result


def _second_run_gradients(pairs: list[Any], targets: list[Any], closed_over: list[Any], nested: bool) -> Any:
    """An iterator over the gradients of the second run's outputs (``pairs``: (output, its gradient)) with respect
    to ``targets`` then ``closed_over`` (None where unused)."""
    return iter(
        autograd.grad(
            [out for out, _ in pairs],
            targets + closed_over,
            grad_outputs=[g for _, g in pairs],
            create_graph=nested,
            allow_unused=True,
        )
        if pairs and (targets or closed_over)
        else [None] * (len(targets) + len(closed_over))
    )


def _closed_over(outputs: Any, start: int, known: set[int]) -> list[Tensor]:
    """The nodes that require grad, are not among ``known`` and that the graph recorded after tick ``start`` (a
    checkpointed block's, whose ``outputs`` are given) reaches without going through them: the leaves and the
    tensors recorded before the block that the block uses."""
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    stack = [out for out in outputs if isinstance(out, Tensor) and out.requires_grad]
    found: dict[int, Tensor] = {}
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in known:
            continue
        seen.add(id(node))
        if node._recorded_at <= start:  # a leaf, or a tensor recorded before the block
            found[id(node)] = node
            continue
        stack.extend(parent for parent in node.parents if parent.requires_grad)
    return list(found.values())


def _detached(outputs: Any, given: list[Tensor]) -> Any:
    """The first run's ``outputs`` with each recorded Tensor detached (an argument returned as it is stays)."""
    if isinstance(outputs, tuple):
        return tuple(_detached(out, given) for out in outputs)
    if isinstance(outputs, Tensor) and outputs.requires_grad and not any(outputs is node for node in given):
        return outputs.detach()
    return outputs


class _Checkpoint(Function):
    """One node for the whole checkpointed call: its arguments are (first, generators, states_before, run, count,
    *inputs, *params), params being the module's parameters and the tensors the block closes over."""

    @staticmethod
    def forward(
        ctx: Any,
        first: Callable[..., Any],
        generators: list[np.random.Generator],
        states_before: list[dict[str, Any]],
        run: Callable[..., Any],
        count: int,
        *nodes: Any,
    ):
        """The outputs of the first run (``first()``, made before by :func:`checkpoint`); ``run`` runs the block
        again in backward, with the random ``generators`` put back to ``states_before``."""
        ctx.run, ctx.count, ctx.generators = run, count, generators
        ctx.states_before = states_before
        result = first(*nodes[:count])
        ctx.save_for_backward(*nodes)
        return result

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple[Any, ...]:
        nodes = ctx.saved_tensors
        nested = is_grad_enabled()  # backward(create_graph=True): the gradients stay functions of the inputs
        inputs = [node if nested else node.detach().requires_grad_(node.requires_grad) for node in nodes[: ctx.count]]
        parameters = list(nodes[ctx.count :])
        states_now = _states(ctx.generators)  # after the draws of the whole forward pass, not only this block's
        _restore(ctx.generators, ctx.states_before)
        try:
            with enable_grad():
                outputs = ctx.run(*inputs)
        finally:
            _restore(ctx.generators, states_now)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(out, g) for out, g in zip(outputs, grads) if isinstance(out, Tensor) and out.requires_grad]
        targets = [x for x in inputs if x.requires_grad] + parameters
        # leaves of the second run that are not inputs of this node (a closure's): backward() adds into their .grad
        known = {id(node) for node in (*targets, *nodes)}
        closed_over = [
            node
            for node in (backward_order([out for out, _ in pairs]) if pairs and is_storing_gradients() else [])
            if node.is_leaf and id(node) not in known
        ]
        with cut_at(parameters):
            found = _second_run_gradients(pairs, targets, closed_over, nested)
        input_grads = [next(found) if x.requires_grad else None for x in inputs]
        parameter_grads = [next(found) for _ in parameters]
        for leaf, gradient in zip(closed_over, found):
            if gradient is not None:
                leaf._accumulate_leaf(gradient._data if isinstance(gradient, Tensor) and not nested else gradient)
        return (None, None, None, None, None, *input_grads, *parameter_grads)


def _nesting(value: Any, leaves: list[Any]) -> Any:
    """The nesting of ``value``'s dicts, lists and tuples (their types and keys), its other objects appended to
    ``leaves`` in order; :func:`_nested` puts such leaves back in place. torch's checkpoint returns any such
    structure of tensors (``{"result": layer(x)}``); the node returns them as one flat tuple."""
    if isinstance(value, dict):
        return (dict, [(key, _nesting(item, leaves)) for key, item in value.items()])
    if isinstance(value, (tuple, list)) and not isinstance(value, Tensor):
        return (type(value), [_nesting(item, leaves) for item in value])
    leaves.append(value)
    return None


def _nested(nesting: Any, leaves: Any) -> Any:
    """The structure :func:`_nesting` described, filled with the next objects of the iterator ``leaves``."""
    if nesting is None:
        return next(leaves)
    kind, items = nesting
    if kind is dict:
        return {key: _nested(item, leaves) for key, item in items}
    built = [_nested(item, leaves) for item in items]
    return kind(*built) if hasattr(kind, "_fields") else kind(built)  # (a named tuple takes its fields)


def _module_of(function: Any) -> Module | None:
    """The Module whose parameters ``function`` uses: itself, or the owner of a bound method."""
    if isinstance(function, Module):
        return function
    owner = getattr(function, "__self__", None)
    return owner if isinstance(owner, Module) else None


def _generators(function: Any) -> list[np.random.Generator]:
    """The random generators a checkpointed call may draw from: those held by the modules ``function`` reaches
    (see :func:`_reached`), the Generators it reaches directly, and the seeded state."""
    found: dict[int, np.random.Generator] = {}
    for value in _reached(function):
        if isinstance(value, np.random.Generator):
            found[id(value)] = value
        elif isinstance(value, Module):
            for module in value.modules():
                for attribute in vars(module).values():
                    if isinstance(attribute, np.random.Generator):
                        found[id(attribute)] = attribute
    seeded = autograd.random_state._seeded
    if seeded is not None:
        found[id(seeded)] = seeded
    return list(found.values())


def _reached(function: Any) -> list[Any]:
    """The Modules and Generators ``function`` can use: itself, the owner of a bound method, what a
    ``functools.partial`` binds, the contents of a closure's cells and the globals its code names, followed
    through the functions found there (a lambda or a ``create_custom_forward`` closure over a model, say)."""
    reached: list[Any] = []
    seen: set[int] = set()
    pending = [function]
    while pending:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, (Module, np.random.Generator)):
            reached.append(value)
        elif isinstance(value, functools.partial):
            pending += [value.func, *value.args, *value.keywords.values()]
        elif isinstance(value, types.MethodType):
            pending += [value.__self__, value.__func__]
        elif isinstance(value, types.FunctionType):
            pending += [_contents(cell) for cell in value.__closure__ or ()]
            pending += [value.__globals__[name] for name in value.__code__.co_names if name in value.__globals__]
    return reached


def _contents(cell: Any) -> Any:
    """A closure cell's value (None for a variable not bound yet)."""
    try:
        return cell.cell_contents
    except ValueError:
        return None


def _states(generators: list[np.random.Generator]) -> list[dict[str, Any]]:
    return [generator.bit_generator.state for generator in generators]


def _restore(generators: list[np.random.Generator], states: list[dict[str, Any]]) -> None:
    for generator, state in zip(generators, states):
        generator.bit_generator.state = state
