"""Gradient-norm diagnostics: per parameter or per layer, as numbers, a table, or during training.

>>> loss.backward()
>>> gradient_norms(model)                       # {"layers.0.weight": 0.31, ...}
>>> print(GradientReport(model, by_layer=True)) # a table that flags vanishing / exploding norms

The norm of a parameter's gradient is ``||g|| = sqrt(sum_i g_i^2)`` (``|g|`` for a
``Value``); a group's norm is the norm of all its gradients together,
``sqrt(sum_p ||g_p||^2)``. A norm below ``vanishing`` (1e-7) is flagged *vanishing*, one
above ``exploding`` (1e3) or not finite *exploding*; a parameter whose ``.grad`` is None
has no norm (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Node, safe_norm
from autograd.gradient_array import stored_gradient

from .callbacks import Callback
from .checks import check_positive_int
from .module import Module

__all__ = ["GradientNormMonitor", "GradientReport", "gradient_norms"]

VANISHING = 1e-7
EXPLODING = 1e3


def _grad_norm(parameter: Node) -> float | None:
    """||grad|| of one parameter, overflow-free (scaled by the largest magnitude); None without grad."""
    grad = stored_gradient(parameter)
    if grad is None:
        return None
    return safe_norm(grad._data if isinstance(grad, Node) else grad)


def _combined(norms: list[float | None]) -> float | None:
    """sqrt(sum n^2) over the norms that exist (overflow-free); None if none exists."""
    present = [norm for norm in norms if norm is not None]
    return safe_norm(present) if present else None


def _owner(name: str, module_names: set[str], depth: int | None) -> str:
    """The module that holds parameter ``name``: the deepest, or the one ``depth`` levels below the model. The
    candidates are the name's own dotted prefixes (a.b.c.weight: a, a.b, a.b.c), so each parameter costs its
    nesting depth, not the number of modules."""
    parts = name.split(".")
    prefixes = (".".join(parts[:end]) for end in range(1, len(parts)))
    chain = [prefix for prefix in prefixes if prefix in module_names]
    if not chain:
        return ""
    return chain[-1] if depth is None else chain[min(depth, len(chain)) - 1]


def gradient_norms(model: Module, by_layer: bool = False, depth: int | None = None) -> dict[str, float | None]:
    """Map each parameter name (or, with ``by_layer=True``, each module name) to its gradient norm.

    ``by_layer`` groups the parameters by the module that holds them (``""`` is the model
    itself); ``depth=k`` groups by the module ``k`` levels below the model instead (e.g.
    ``depth=1`` puts a scalar ``MLP``'s neurons into their ``Layer``). Norms are floats,
    None for parameters (groups) without any gradient. Works for Tensor and Value parameters. Frozen parameters
    (``requires_grad=False``, fine-tuning's) are left out: they have no gradient by design.
    """
    if not isinstance(model, Module):
        raise TypeError(f"gradient_norms: model must be an nn.Module, got {type(model).__name__}")
    if depth is not None:
        check_positive_int("gradient_norms", "depth", depth)
    if depth is not None and not by_layer:
        raise ValueError("gradient_norms: depth applies only with by_layer=True")
    # (frozen parameters, requires_grad False, have no gradient by design: they are left out)
    norms = {name: _grad_norm(parameter) for name, parameter in model.named_parameters() if parameter.requires_grad}
    if not by_layer:
        return norms
    module_names = {name for name, _ in model.named_modules()}
    groups: dict[str, list[float | None]] = {}
    for name, norm in norms.items():
        groups.setdefault(_owner(name, module_names, depth), []).append(norm)
    return {group: _combined(members) for group, members in groups.items()}


def _flag(norm: float | None, vanishing: float, exploding: float) -> str:
    if norm is None:
        return "no grad"
    if not math.isfinite(norm) or norm > exploding:
        return "EXPLODING"
    if norm < vanishing:
        return "vanishing"
    return ""


class GradientReport:
    """A snapshot of gradient norms with flags; ``str(report)`` is a table.

    ``norms`` maps names to norms (see :func:`gradient_norms`); ``vanishing`` and
    ``exploding`` list the flagged names, ``missing`` those without a gradient; ``ok`` is
    True when nothing is flagged.
    """

    def __init__(
        self,
        model: Module,
        by_layer: bool = False,
        depth: int | None = None,
        vanishing: float = VANISHING,
        exploding: float = EXPLODING,
    ) -> None:
        if not 0 <= vanishing < exploding:
            raise ValueError(
                f"GradientReport: need 0 <= vanishing < exploding, got vanishing={vanishing}, exploding={exploding}"
            )
        self.norms = gradient_norms(model, by_layer=by_layer, depth=depth)
        self.by_layer = by_layer
        self.flags = {name: _flag(norm, vanishing, exploding) for name, norm in self.norms.items()}
        self.vanishing = [name for name, flag in self.flags.items() if flag == "vanishing"]
        self.exploding = [name for name, flag in self.flags.items() if flag == "EXPLODING"]
        self.missing = [name for name, flag in self.flags.items() if flag == "no grad"]

    @property
    def ok(self) -> bool:
        """True when no norm is vanishing, exploding or missing."""
        return not (self.vanishing or self.exploding or self.missing)

    def __str__(self) -> str:
        heading = "layer" if self.by_layer else "parameter"
        rows = [
            (name or "(model)", "None" if norm is None else f"{norm:.4g}", self.flags[name])
            for name, norm in self.norms.items()
        ]
        width = max([len(heading)] + [len(row[0]) for row in rows])
        number_width = max([len("grad norm")] + [len(row[1]) for row in rows])
        lines = [f"{heading:<{width}}  {'grad norm':>{number_width}}  flag"]
        lines += [f"{name:<{width}}  {norm:>{number_width}}  {flag}".rstrip() for name, norm, flag in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"GradientReport({len(self.norms)} {'layers' if self.by_layer else 'parameters'}, "
            f"vanishing={len(self.vanishing)}, exploding={len(self.exploding)}, missing={len(self.missing)})"
        )


class GradientNormMonitor(Callback):
    """Record gradient norms during training; call it after each backward pass.

    ``monitor(model)`` (or ``monitor.on_after_backward(model)``, the training-callback
    hook name, so it can be passed to ``nn.fit(..., callbacks=[monitor])``; it returns False so
    training continues) takes a :class:`GradientReport`
    every ``every`` calls and appends its norms to ``history``; ``print_fn`` (e.g. ``print``)
    receives each report's table when given.
    """

    def __init__(
        self,
        by_layer: bool = True,
        depth: int | None = None,
        every: int = 1,
        print_fn: Callable[[str], Any] | None = None,
    ) -> None:
        check_positive_int("GradientNormMonitor", "every", every)
        self.by_layer = by_layer
        self.depth = depth
        self.every = every
        self.print_fn = print_fn
        self.calls = 0
        self.history: list[dict[str, float | None]] = []
        self.latest: GradientReport | None = None

    def __call__(self, model: Module) -> GradientReport | None:
        """Count one backward pass; every ``every``-th call, report and return the norms."""
        self.calls += 1
        if (self.calls - 1) % self.every:
            return None
        self.latest = GradientReport(model, by_layer=self.by_layer, depth=self.depth)
        self.history.append(self.latest.norms)
        if self.print_fn is not None:
            self.print_fn(f"step {self.calls}\n{self.latest}")
        return self.latest

    def on_after_backward(self, model: Module) -> bool:
        """Training-callback hook: record (see ``__call__``) and never stop training."""
        self(model)
        return False
