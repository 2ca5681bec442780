"""``Rprop``: resilient backpropagation, per-coordinate step sizes driven by the signs of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, check_pair, regularized_gradient
from .torch_options import check_implementation_options

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller and Braun, 1993), exactly PyTorch's algorithm (iRprop-: no weight backtracking).

    Every coordinate has its own step size s (state "step_size"), starting at ``lr``; ``etas =
    (etaminus, etaplus)``, ``step_sizes = (step_size_min, step_size_max)``. For each step with gradient
    g (negated when ``maximize``) and the previous step's stored gradient p (state "prev", 0 at first)::

        r     <- etaplus where g * p > 0 (same sign: speed up), etaminus where g * p < 0, 1 elsewhere
        s     <- clip(s * r, step_size_min, step_size_max)
        g     <- 0 where g * p < 0                  (after a sign change: slow down, and no step there)
        theta <- theta - sign(g) * s
        p     <- g

    Only the signs of the gradients matter, and ``lr`` only sets the first step sizes (a later change
    of the group's lr, by a scheduler say, does not change them). As in torch, a nan gradient entry
    counts as sign 0: no step there and its step size is kept (p then holds the nan, so the next
    step keeps the step size too). torch's ``foreach``, ``capturable`` are accepted and change nothing
    (see :mod:`.torch_options`).
    """

    state_keys = ("step", "prev", "step_size")
    required_state_keys = ("step", "prev", "step_size")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_implementation_options("Rprop", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "etas": tuple(etas) if isinstance(etas, (list, tuple)) else etas,
            "step_sizes": tuple(step_sizes) if isinstance(step_sizes, (list, tuple)) else step_sizes,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_real("Rprop", "lr", group["lr"], 0)
        etas, step_sizes = group["etas"], group["step_sizes"]
        check_pair("Rprop", "etas", etas, "etaminus, etaplus")
        check_real("Rprop", "etas[0] (etaminus)", etas[0], 0, 1, low_open=True, high_open=True)
        check_real("Rprop", "etas[1] (etaplus)", etas[1], 1, low_open=True)
        check_pair("Rprop", "step_sizes", step_sizes, "step_size_min, step_size_max")
        low = check_real("Rprop", "step_sizes[0] (step_size_min)", step_sizes[0], 0)
        check_real("Rprop", "step_sizes[1] (step_size_max)", step_sizes[1], low, allow_inf=True)
        check_flag("Rprop", "maximize", group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["prev"] = np.zeros_like(param)
            state["step_size"] = np.full_like(param, group["lr"])
        grad = regularized_gradient(param, grad, group)
        state["step"] += 1
        etaminus, etaplus = group["etas"]
        low, high = group["step_sizes"]
        prev, step_size = state["prev"], state["step_size"]
        # In place: the stored gradient and the step sizes (the optimizer's own arrays) and the parameter;
        # one scratch array, first the factor of the step sizes, then the step.
        scratch = np.multiply(grad, prev, out=np.empty_like(param))
        same_sign, reversed_sign = scratch > 0, scratch < 0
        scratch[...] = 1  # where g * p is 0 or nan (neither > 0 nor < 0)
        np.copyto(scratch, etaplus, where=same_sign)
        np.copyto(scratch, etaminus, where=reversed_sign)
        step_size *= scratch
        np.clip(step_size, low, high, out=step_size)
        np.copyto(prev, grad)
        np.copyto(prev, 0, where=reversed_sign)
        direction = np.sign(prev, out=scratch)
        np.copyto(direction, 0, where=np.isnan(direction))  # torch's sign of nan is 0: no step there
        param -= np.multiply(direction, step_size, out=direction)
        return param
