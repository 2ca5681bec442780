"""``Adadelta``: steps scaled by the ratio of running root-mean-squares of past steps and of gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, divide_into, regularized_gradient, square_blend_into
from .torch_options import check_implementation_options

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), exactly PyTorch's algorithm (with its extra learning rate).

    For each step with gradient g (negated when ``maximize``)::

        g     <- g + weight_decay * theta                        (if weight_decay != 0)
        v     <- rho * v + (1 - rho) * g^2                       (state "square_avg")
        delta <- sqrt(u + eps) / sqrt(v + eps) * g
        u     <- rho * u + (1 - rho) * delta^2                   (state "acc_delta")
        theta <- theta - lr * delta

    u starts at 0, so the first steps are about sqrt(eps) / |g| * g: eps also sets the initial step
    size. With eps = 0 (or one that underflows in the parameter's dtype) an entry whose v is 0 divides by
    0, as torch's (0 / 0 = nan where u is 0 too). torch's ``foreach``, ``capturable`` are accepted and change nothing (see
    :mod:`.torch_options`).
    """

    state_keys = ("step", "square_avg", "acc_delta")
    required_state_keys = ("step", "square_avg", "acc_delta")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_implementation_options("Adadelta", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize}
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_real("Adadelta", name, group[name], 0)
        check_real("Adadelta", "rho", group["rho"], 0, 1)
        check_flag("Adadelta", "maximize", group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        grad = regularized_gradient(param, grad, group)
        rho, eps = group["rho"], group["eps"]
        # In place: the averages (the optimizer's own arrays) and the parameter; two scratch arrays (the
        # step needs both roots at once).
        scratch, other = np.empty_like(param), np.empty_like(param)
        square_avg = square_blend_into(state["square_avg"], rho, grad, scratch)
        std = np.sqrt(np.add(square_avg, eps, out=scratch), out=scratch)
        previous_rms = np.sqrt(np.add(state["acc_delta"], eps, out=other), out=other)
        delta = divide_into(previous_rms, std, eps, eps_inside=True)  # in ``scratch``
        delta *= grad
        square_blend_into(state["acc_delta"], rho, delta, other)
        param -= np.multiply(delta, group["lr"], out=other)
        return param
