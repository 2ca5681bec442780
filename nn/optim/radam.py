"""``RAdam``: Adam with its adaptive step rectified while the second moment's variance is too large."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import (
    Optimizer,
    ParamsLike,
    blend_into,
    check_betas,
    divide_into,
    regularized_gradient,
    square_blend_into,
)
from .torch_options import check_implementation_options

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2019), exactly PyTorch's algorithm.

    For step t with gradient g (negated when ``maximize``)::

        g     <- g + weight_decay * theta                 (L2, the default)
        theta <- theta * (1 - lr * weight_decay)          (decoupled_weight_decay=True, instead)
        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g^2
        rho_inf <- 2 / (1 - beta2) - 1
        rho_t   <- rho_inf - 2 t beta2^t / (1 - beta2^t)
        r_t     <- sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
        theta <- theta - lr * m / (1 - beta1^t) * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)   (if rho_t > 5)
        theta <- theta - lr * m / (1 - beta1^t)                                               (otherwise)

    rho_t grows with t towards rho_inf, so the first steps (about five with the default beta2) are
    momentum SGD steps; when rho_inf <= 5 (beta2 <= 2/3) every step is. An entry whose sqrt(v) + eps
    is 0 (only with eps = 0 or an eps that underflows in the parameter's dtype) divides by 0 in a rectified
    step, as torch's. torch's ``foreach``, ``capturable`` are accepted and change nothing (see
    :mod:`.torch_options`).
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq")
    required_state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_implementation_options("RAdam", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (list, tuple)) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_real("RAdam", name, group[name], 0)
        check_betas("RAdam", group["betas"])
        for name in ("decoupled_weight_decay", "maximize"):
            check_flag("RAdam", name, group[name])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        grad = regularized_gradient(param, grad, group, group["decoupled_weight_decay"])
        state["step"] += 1
        step = state["step"]
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        # In place: the moments (the optimizer's own arrays) and the parameter; one scratch array.
        scratch = np.empty_like(param)
        exp_avg = blend_into(state["exp_avg"], beta1, grad, scratch)
        exp_avg_sq = square_blend_into(state["exp_avg_sq"], beta2, grad, scratch)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        if rho_t > 5:  # the variance of the adaptive step is finite: take it, rectified
            rectification = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            update = divide_into(exp_avg, np.sqrt(exp_avg_sq, out=scratch), group["eps"])
            update *= lr * rectification * math.sqrt(bias_correction2) / bias_correction1
        else:  # too early (or beta2 too small): a bias-corrected momentum step
            update = np.multiply(exp_avg, lr / bias_correction1, out=scratch)
        param -= update
        return param
