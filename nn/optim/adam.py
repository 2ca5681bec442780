"""``Adam`` and ``AdamW``: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsLike, check_flag, check_real, safe_divide

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam, exactly PyTorch's algorithm (bias-corrected moments, optional AMSGrad).

    For step t with gradient g (negated when ``maximize``)::

        g <- g + weight_decay * theta              (Adam; AdamW decays theta instead)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v)                     (amsgrad; v_hat = v_max, else v)
        theta <- theta - (lr / (1 - beta1^t)) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    required_state_keys = ("step", "exp_avg", "exp_avg_sq")
    #: AdamW decouples weight decay from the gradient: theta <- theta * (1 - lr * weight_decay).
    decoupled_weight_decay = False

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (list, tuple)) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        for name in ("lr", "eps", "weight_decay"):
            check_real(owner, name, group[name])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
        for index, beta in enumerate(betas):
            if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
                raise TypeError(f"{owner}: betas[{index}] must be a real number, got {beta!r}")
            check_real(owner, f"betas[{index}]", beta, 0.0, 1.0)
        for name in ("amsgrad", "maximize"):
            check_flag(owner, name, group[name])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        if group["maximize"]:
            grad = -grad
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if weight_decay != 0:
            if self.decoupled_weight_decay:
                param = param * (1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * param
        state["step"] += 1
        step = state["step"]
        state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
        state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        second_moment = state["exp_avg_sq"]
        if group["amsgrad"]:
            previous = state.get("max_exp_avg_sq", np.zeros_like(param))
            state["max_exp_avg_sq"] = second_moment = np.maximum(previous, second_moment)
        step_size = lr / (1 - beta1**step)
        denominator = np.sqrt(second_moment) / math.sqrt(1 - beta2**step) + group["eps"]
        return param - step_size * safe_divide(state["exp_avg"], denominator)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (PyTorch's algorithm).

    Each step first shrinks the parameter, ``theta <- theta * (1 - lr * weight_decay)``,
    then applies the Adam update with the raw gradient (see :class:`Adam`).
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
