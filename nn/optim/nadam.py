"""``NAdam``: Adam with Nesterov momentum and a momentum schedule (Dozat, 2016)."""

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
    saved_number,
    square_blend_into,
)
from .torch_options import check_implementation_options

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam, exactly PyTorch's algorithm.

    For step t with gradient g (negated when ``maximize``)::

        g        <- g + weight_decay * theta                (L2, the default)
        theta    <- theta * (1 - lr * weight_decay)         (decoupled_weight_decay=True, instead)
        mu_t     <- beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
        mu_{t+1} <- beta1 * (1 - 0.5 * 0.96^((t + 1) * momentum_decay))
        P        <- P * mu_t                                (P = mu_1 ... mu_t, state "mu_product")
        m        <- beta1 * m + (1 - beta1) * g
        v        <- beta2 * v + (1 - beta2) * g^2
        d        <- sqrt(v / (1 - beta2^t)) + eps
        theta    <- theta - lr * ((1 - mu_t) / (1 - P) * g + mu_{t+1} / (1 - P * mu_{t+1}) * m) / d

    ``mu_product`` is a Python float (computed in float64; torch keeps it as a tensor of its default
    dtype, float32 unless changed, so the two differ by float32 rounding). An entry whose d is 0 (only
    with eps = 0 or an eps that underflows in the parameter's dtype) divides by 0, as torch's. torch's
    ``foreach``, ``capturable`` are accepted and change nothing (see :mod:`.torch_options`).
    """

    state_keys = ("step", "mu_product", "exp_avg", "exp_avg_sq")
    required_state_keys = ("step", "mu_product", "exp_avg", "exp_avg_sq")
    #: mu_product is a float in [0, 1] (a 0-d array or tensor, as a converted or torch's own state holds it, is read
    #: as its number: :func:`saved_number`)
    scalar_state = {
        **Optimizer.scalar_state,
        "mu_product": lambda owner, name, value: check_real(owner, name, saved_number(value), 0, 1),
    }

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_implementation_options("NAdam", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (list, tuple)) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay", "momentum_decay"):
            check_real("NAdam", name, group[name], 0)
        check_betas("NAdam", group["betas"])
        for name in ("decoupled_weight_decay", "maximize"):
            check_flag("NAdam", name, group[name])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        grad = regularized_gradient(param, grad, group, group["decoupled_weight_decay"])
        state["step"] += 1
        step = state["step"]
        lr, momentum_decay = group["lr"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        # In place: the moments (the optimizer's own arrays) and the parameter; two scratch arrays (the
        # numerator mixes the gradient and the moment, both of which must stay as they are).
        scratch, numerator = np.empty_like(param), np.empty_like(param)
        exp_avg = blend_into(state["exp_avg"], beta1, grad, scratch)
        exp_avg_sq = square_blend_into(state["exp_avg_sq"], beta2, grad, scratch)
        np.multiply(grad, lr * (1.0 - mu) / (1.0 - mu_product), out=numerator)
        numerator += np.multiply(exp_avg, lr * mu_next / (1.0 - mu_product * mu_next), out=scratch)
        denominator = np.sqrt(exp_avg_sq, out=scratch)
        denominator /= math.sqrt(1 - beta2**step)
        param -= divide_into(numerator, denominator, group["eps"])
        return param
