"""``RMSprop``: gradients scaled by a moving root-mean-square, optionally centred and with momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, blend_into, divide_into, regularized_gradient, square_blend_into
from .torch_options import check_implementation_options

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, exactly PyTorch's algorithm.

    For each step with gradient g (negated when ``maximize``)::

        g     <- g + weight_decay * theta                   (if weight_decay != 0)
        v     <- alpha * v + (1 - alpha) * g^2
        m_g   <- alpha * m_g + (1 - alpha) * g               (centered)
        d     <- sqrt(v - m_g^2) + eps  if centered else  sqrt(v) + eps
        b     <- momentum * b + g / d;  theta <- theta - lr * b    (if momentum > 0)
        theta <- theta - lr * g / d                                (otherwise)

    ``v - m_g^2 >= 0`` in exact arithmetic; it is clamped at 0 against rounding.
    """

    state_keys = ("step", "square_avg", "grad_avg", "momentum_buffer")
    required_state_keys = ("step", "square_avg")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_implementation_options("RMSprop", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_real("RMSprop", name, group[name], 0)
        for name in ("centered", "maximize"):
            check_flag("RMSprop", name, group[name])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        grad = regularized_gradient(param, grad, group)
        state["step"] += 1
        # In place: the averages and the buffer (the optimizer's own arrays) and the parameter; one scratch array.
        scratch = np.empty_like(param)
        square_avg = square_blend_into(state["square_avg"], alpha, grad, scratch)
        if group["centered"]:
            if "grad_avg" not in state:
                state["grad_avg"] = np.zeros_like(param)
            grad_avg = blend_into(state["grad_avg"], alpha, grad, scratch)
            variance = np.subtract(square_avg, np.multiply(grad_avg, grad_avg, out=scratch), out=scratch)
            # an overflowed mean square stays inf (inf - inf is NaN): torch's fused multiply-add gives inf there
            np.copyto(variance, square_avg, where=np.isinf(square_avg))
            denominator = np.sqrt(np.maximum(variance, 0, out=variance), out=variance)
        else:
            denominator = np.sqrt(square_avg, out=scratch)
        direction = divide_into(grad, denominator, group["eps"])
        if momentum > 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = np.zeros_like(param)
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += direction
            direction = np.multiply(buffer, group["lr"], out=direction)
        else:
            direction *= group["lr"]
        param -= direction
        return param
