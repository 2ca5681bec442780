"""``Adamax``: Adam with the second moment replaced by an exponentially weighted infinity norm."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, blend_into, check_betas, regularized_gradient
from .torch_options import check_implementation_options

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma and Ba, section 7.1), exactly PyTorch's algorithm.

    For step t with gradient g (negated when ``maximize``)::

        g     <- g + weight_decay * theta                (if weight_decay != 0)
        m     <- beta1 * m + (1 - beta1) * g
        u     <- max(beta2 * u, |g| + eps)
        theta <- theta - (lr / (1 - beta1^t)) * m / u

    eps sits inside the maximum, so ``u >= eps``: the step is defined as long as eps > 0. With eps = 0
    (or one that underflows in the parameter's dtype) an entry whose u is 0 gets m / u = 0 / 0 = nan, as
    torch's.
    torch's ``foreach``, ``capturable`` are accepted and change nothing (see :mod:`.torch_options`).
    """

    state_keys = ("step", "exp_avg", "exp_inf")
    required_state_keys = ("step", "exp_avg", "exp_inf")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_implementation_options("Adamax", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (list, tuple)) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_real("Adamax", name, group[name], 0)
        check_betas("Adamax", group["betas"])
        check_flag("Adamax", "maximize", group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_inf"] = np.zeros_like(param)
        grad = regularized_gradient(param, grad, group)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        # In place: the moment and the norm (the optimizer's own arrays) and the parameter; one scratch array.
        scratch = np.empty_like(param)
        exp_avg = blend_into(state["exp_avg"], beta1, grad, scratch)
        exp_inf = state["exp_inf"]
        exp_inf *= beta2
        np.maximum(exp_inf, np.add(np.abs(grad, out=scratch), eps, out=scratch), out=exp_inf)
        update = np.divide(exp_avg, exp_inf, out=scratch)  # IEEE, as torch's: 0 / 0 is nan where u is 0 (eps 0)
        update *= group["lr"] / (1 - beta1 ** state["step"])
        param -= update
        return param
