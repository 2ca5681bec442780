"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, regularized_gradient, subtract_scaled
from .torch_options import check_implementation_options

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, exactly PyTorch's algorithm.

    For each step t with gradient g (negated when ``maximize``)::

        g <- g + weight_decay * theta                        (if weight_decay != 0)
        b <- g                                   at t = 1    (if momentum != 0)
        b <- momentum * b + (1 - dampening) * g  at t > 1
        g <- g + momentum * b  if nesterov else  b
        theta <- theta - lr * g

    The lecture's Momentum keeps the step in its buffer, v <- momentum * v + lr * g, theta <- theta - v; with a
    constant lr (and dampening 0) that is the same sequence of parameters (v = lr * b), but under a learning-rate
    schedule the two differ: torch's (this) applies the current lr to the whole buffer, the lecture's only to the
    newest gradient (notebook 07 compares them).

    torch's ``foreach`` and ``fused`` are accepted and change nothing; ``differentiable=True`` is refused
    (see :mod:`.torch_options`).
    """

    state_keys = ("momentum_buffer",)
    #: torch gathers the group's momentum buffers before updating, so a parameter listed twice starts a buffer of
    #: its own at each listing on its first step (the second listing's kept)
    fresh_state_per_listing = True

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_implementation_options("SGD", foreach, fused, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "dampening", "weight_decay"):
            check_real("SGD", name, group[name], 0)
        for name in ("nesterov", "maximize"):
            check_flag("SGD", name, group[name])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: nesterov momentum requires momentum > 0 and dampening = 0, "
                f"got momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _plain_rate(self, group: dict[str, Any]) -> float | None:
        if type(self)._update is not SGD._update:  # a subclass's own update rule
            return None
        return group["lr"] if _plain(group) else None

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        momentum = group["momentum"]
        if _plain(group):
            return subtract_scaled(param, group["lr"], grad)
        grad = regularized_gradient(param, grad, group)
        if momentum != 0:
            if "momentum_buffer" in state:  # updated in place: the buffer is the optimizer's own array
                buffer = state["momentum_buffer"]
                buffer *= momentum
                dampening = group["dampening"]
                buffer += grad if dampening == 0 else (1 - dampening) * grad
            else:
                buffer = state["momentum_buffer"] = np.array(grad, copy=True)
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        return subtract_scaled(param, group["lr"], grad)  # in place: the parameter keeps its array


def _plain(group: dict[str, Any]) -> bool:
    """Whether ``group``'s update is plain SGD, p -= lr * g: no momentum, weight decay or maximize."""
    return group["momentum"] == 0 and group["weight_decay"] == 0 and not group["maximize"]
