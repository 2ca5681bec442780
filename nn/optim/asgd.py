"""``ASGD``: averaged stochastic gradient descent (Polyak-Ruppert averaging with a decaying step size)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, regularized_gradient, saved_number, subtract_scaled
from .torch_options import check_implementation_options

__all__ = ["ASGD"]


def _state_number(low: float, high: float = float("inf")) -> Any:
    """A ``scalar_state`` check: a real number in [low, high] (a 0-d array or tensor, as a converted or torch's own
    state holds it, is read as its number: :func:`saved_number`)."""

    def check(owner: str, name: str, value: Any) -> float:
        return check_real(owner, name, saved_number(value), low, high)

    return check


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak and Juditsky, 1992), exactly PyTorch's algorithm.

    Each parameter keeps a step size eta (state "eta", ``lr`` at first), an averaging rate mu (state "mu",
    1 at first) and the average ax of its iterates (state "ax"). For step t with gradient g (negated when
    ``maximize``)::

        g     <- g + weight_decay * theta
        theta <- theta * (1 - lambd * eta) - eta * g
        ax    <- ax + mu * (theta - ax)                    (ax <- theta while mu = 1)
        eta   <- lr / (1 + lambd * lr * t)^alpha
        mu    <- 1 / max(1, t - t0)

    The optimizer moves theta; the averaged parameters are in ``state[p]["ax"]`` (averaging starts
    after ``t0`` steps). eta and mu are Python floats (torch keeps them as tensors of its default dtype,
    float32 unless changed, so the two differ by float32 rounding). torch's ``foreach``, ``capturable``
    are accepted and change nothing (see :mod:`.torch_options`).
    """

    state_keys = ("step", "eta", "mu", "ax")
    required_state_keys = ("step", "eta", "mu", "ax")
    # eta follows lr, which a schedule may take a rounding error below 0 (and torch loads any lr): any real number
    scalar_state = {**Optimizer.scalar_state, "eta": _state_number(-float("inf")), "mu": _state_number(0, 1)}

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_implementation_options("ASGD", foreach, capturable=capturable, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lambd", "alpha", "weight_decay"):
            check_real("ASGD", name, group[name], 0)
        check_real("ASGD", "t0", group["t0"])
        check_flag("ASGD", "maximize", group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["eta"] = float(group["lr"])
            state["mu"] = 1.0
            state["ax"] = np.zeros_like(param)
        grad = regularized_gradient(param, grad, group)
        state["step"] += 1
        step, eta, lr, lambd = state["step"], state["eta"], group["lr"], group["lambd"]
        param *= 1 - lambd * eta
        subtract_scaled(param, eta, grad)
        average = state["ax"]
        if state["mu"] != 1:
            average += np.multiply(param - average, state["mu"])
        else:
            np.copyto(average, param)
        state["eta"] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = 1 / max(1, step - group["t0"])
        return param
