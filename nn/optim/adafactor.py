"""``Adafactor``: Adam-like steps with a factored (row x column) second moment, as torch 2.5+ defines it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, check_pair, lerp_into
from .torch_options import check_implementation_options

__all__ = ["Adafactor"]


def _root_mean_square(array: np.ndarray) -> float:
    return float(np.linalg.norm(array.ravel())) / math.sqrt(max(array.size, 1))


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer and Stern, 2018) as torch 2.5+'s ``torch.optim.Adafactor``: no first moment, and
    for a parameter of 2 or more dimensions a second moment stored as a row factor R (the mean of g^2 over
    the last axis) and a column factor C (over the second to last), each of one axis shorter.

    For step t with gradient g (negated when ``maximize``), ``eps = (eps1, eps2)`` (eps1 None: the machine
    epsilon of the parameter's dtype) and RMS the root mean square::

        beta  <- t^beta2_decay                                   (the weight of the new statistics)
        alpha <- max(eps2, RMS(theta)) * min(lr, 1 / sqrt(t))    (a step relative to the parameter's size)
        theta <- theta * (1 - lr * weight_decay)
        R <- R + beta * (mean(g^2, last axis) - R);  C <- C + beta * (mean(g^2, axis -2) - C)
        V <- R C / max(mean(R), eps1)                            (an outer product, per leading index)
        V <- V + beta * (g^2 - V)                                (instead, for 0-d and 1-d parameters)
        U <- g / sqrt(max(V, eps1^2))
        theta <- theta - alpha * U / max(1, RMS(U) / d)

    torch's ``foreach`` is accepted and changes nothing (see :mod:`.torch_options`).
    """

    state_keys = ("step", "row_var", "col_var", "variance")
    required_state_keys = ("step",)

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        check_implementation_options("Adafactor", foreach)
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": tuple(eps) if isinstance(eps, (list, tuple)) else eps,
            "d": d,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_real("Adafactor", "lr", group["lr"], 0)
        check_real("Adafactor", "beta2_decay", group["beta2_decay"], high=0)
        eps = group["eps"]
        check_pair("Adafactor", "eps", eps, "eps1 or None, eps2")
        if eps[0] is not None:
            check_real("Adafactor", "eps[0] (eps1)", eps[0], 0)
        check_real("Adafactor", "eps[1] (eps2)", eps[1], 0)
        check_real("Adafactor", "d", group["d"], 1)
        check_real("Adafactor", "weight_decay", group["weight_decay"], 0)
        check_flag("Adafactor", "maximize", group["maximize"])

    def state_shape(self, key: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        if key == "row_var" and len(shape) > 1:
            return (*shape[:-1], 1)
        if key == "col_var" and len(shape) > 1:
            return (*shape[:-2], 1, shape[-1])
        return shape

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        factored = param.ndim > 1
        if not state:
            state["step"] = 0
            if factored:
                state["row_var"] = np.zeros(self.state_shape("row_var", param.shape), dtype=param.dtype)
                state["col_var"] = np.zeros(self.state_shape("col_var", param.shape), dtype=param.dtype)
            else:
                state["variance"] = np.zeros_like(param)
        if group["maximize"]:
            grad = -grad
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(param.dtype).eps)
        lr, weight_decay = group["lr"], group["weight_decay"]
        state["step"] += 1
        step = state["step"]
        beta = step ** group["beta2_decay"]
        alpha = max(eps2, _root_mean_square(param)) * min(lr, 1 / step**0.5)
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        squared = np.square(grad)
        if factored:
            row_var = lerp_into(state["row_var"], squared.mean(axis=-1, keepdims=True), beta)
            col_var = lerp_into(state["col_var"], squared.mean(axis=-2, keepdims=True), beta)
            variance = row_var @ col_var
            variance /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = lerp_into(state["variance"], squared, beta).copy()
        update = np.sqrt(np.maximum(variance, eps1 * eps1, out=variance), out=variance)
        np.reciprocal(update, out=update)  # torch's rsqrt, then the product
        update *= grad
        shrink = max(1.0, _root_mean_square(update) / group["d"])
        param -= np.multiply(update, alpha / shrink, out=update)
        return param
