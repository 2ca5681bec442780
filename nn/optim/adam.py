"""``Adam`` and ``AdamW``: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import check_choice, check_flag, check_real
from .optimizer import (
    Optimizer,
    ParamsLike,
    blend_into,
    check_betas,
    divide_into,
    regularized_gradient,
    square_blend_into,
)
from .torch_options import check_implementation_options, check_tensor_rates

__all__ = ["AMSGRAD_MAX", "Adam", "AdamW"]


#: Accepted values of ``amsgrad_max``: which second moment AMSGrad keeps the running maximum of.
AMSGRAD_MAX = ("raw", "corrected")


class Adam(Optimizer):
    r"""Adam, exactly PyTorch's algorithm (bias-corrected moments, optional AMSGrad).

    For step t with gradient g (negated when ``maximize``)::

        g <- g + weight_decay * theta              (Adam; AdamW decays theta instead)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v)                     (amsgrad; v_hat = v_max, else v)
        theta <- theta - (lr / (1 - beta1^t)) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

    ``amsgrad_max`` chooses what AMSGrad takes the maximum of. "raw" (the default) is
    PyTorch's code above: the maximum of the raw v, bias-corrected afterwards by the
    current step's 1 - beta2^t. "corrected" is the pseudo-code of PyTorch's
    documentation (and of the course's deck 004): the maximum of the bias-corrected
    v_hat_t = v_t / (1 - beta2^t), used as it is::

        v_hat_max <- max(v_hat_max, v / (1 - beta2^t))
        theta <- theta - (lr / (1 - beta1^t)) * m / (sqrt(v_hat_max) + eps)

    The two differ because 1 - beta2^t grows with t: v_s / (1 - beta2^s) >= v_s / (1 - beta2^t)
    for s <= t, so the "corrected" denominator is never smaller; it remembers early
    large gradients more strongly, and its steps are never larger. The state key is ``max_exp_avg_sq`` for "raw" (PyTorch's name) and
    ``max_exp_avg_sq_corrected`` for "corrected".

    torch's ``decoupled_weight_decay=True`` makes it :class:`AdamW`'s update; its ``foreach``, ``fused``,
    ``capturable`` are accepted and change nothing (see :mod:`.torch_options`).
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "max_exp_avg_sq_corrected")
    #: the default of the groups' ``decoupled_weight_decay`` (AdamW's, or a subclass's, is True), also what a group
    #: saved without the option loads with
    decoupled_weight_decay = False
    required_state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
        amsgrad_max: str = "raw",
    ) -> None:
        owner = type(self).__name__
        check_implementation_options(owner, foreach, fused, capturable, differentiable)
        check_tensor_rates(owner, lr, betas, foreach, capturable)
        if check_flag(owner, "decoupled_weight_decay", decoupled_weight_decay):
            self.decoupled_weight_decay = True  # (the optimizer's own default, as before it was a group option)
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (list, tuple)) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "amsgrad_max": amsgrad_max,
            "decoupled_weight_decay": self.decoupled_weight_decay,  # a group option, as torch's (AdamW's True)
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        for name in ("lr", "eps", "weight_decay"):
            check_real(owner, name, group[name], 0)
        check_betas(owner, group["betas"])
        for name in ("amsgrad", "maximize", "decoupled_weight_decay"):
            check_flag(owner, name, group[name])
        check_choice(owner, "amsgrad_max", group["amsgrad_max"], AMSGRAD_MAX)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As :meth:`Optimizer.load_state_dict`; groups saved before ``amsgrad_max`` existed load as "raw", and
        those saved without ``decoupled_weight_decay`` as False (Adam) or True (AdamW), as torch's."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if isinstance(groups, (list, tuple)) and all(isinstance(group, dict) for group in groups):
            earlier = {"amsgrad_max": "raw", "decoupled_weight_decay": type(self).decoupled_weight_decay}
            state_dict = {**state_dict, "param_groups": [{**earlier, **group} for group in groups]}
        super().load_state_dict(state_dict)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        # In place: the moments (the optimizer's own arrays) and the parameter; one scratch array.
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        # (a group of an optimizer pickled before the option was a group's has none: the class's)
        decoupled = group.get("decoupled_weight_decay", type(self).decoupled_weight_decay)
        grad = regularized_gradient(param, grad, group, decoupled)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        step = state["step"]
        scratch = np.empty_like(param)
        exp_avg = blend_into(state["exp_avg"], beta1, grad, scratch)
        second_moment = square_blend_into(state["exp_avg_sq"], beta2, grad, scratch)
        bias_correction2 = 1 - beta2**step
        if group["amsgrad"] and group["amsgrad_max"] == "corrected":
            maximum = _running_maximum(state, "max_exp_avg_sq_corrected", param)
            np.maximum(maximum, np.divide(second_moment, bias_correction2, out=scratch), out=maximum)
            denominator = np.sqrt(maximum, out=scratch)
        else:
            if group["amsgrad"]:
                maximum = _running_maximum(state, "max_exp_avg_sq", param)
                second_moment = np.maximum(maximum, second_moment, out=maximum)
            denominator = np.sqrt(second_moment, out=scratch)
            denominator /= math.sqrt(bias_correction2)
        update = divide_into(exp_avg, denominator, group["eps"])
        update *= lr / (1 - beta1**step)
        param -= update
        return param


def _running_maximum(state: dict[str, Any], key: str, param: np.ndarray) -> np.ndarray:
    """AMSGrad's running maximum ``state[key]``, zeros on its first step."""
    if key not in state:
        state[key] = np.zeros_like(param)
    return state[key]


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
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        amsgrad_max: str = "raw",
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
            amsgrad_max=amsgrad_max,
        )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As :meth:`Adam.load_state_dict`, with every group's ``decoupled_weight_decay`` True afterwards, whatever
        was saved (an Adam's state dict loaded into an AdamW stays an AdamW, as torch's)."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
