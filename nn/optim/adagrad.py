"""``Adagrad``: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import check_fits_dtype, check_flag, check_real
from ..parameter import is_lazy
from .optimizer import Optimizer, ParamsLike, _parameter_array, divide_into, regularized_gradient
from .torch_options import check_implementation_options

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, exactly PyTorch's algorithm.

    The sum starts at the optimizer's ``initial_accumulator_value`` (as torch's: a param group's own
    ``initial_accumulator_value`` is kept in the group but every sum starts at the constructor's value), and,
    as torch's, each parameter given to the constructor has its state (``step`` 0, the starting sum) from the
    start, so ``state_dict()`` lists it before any step; for step t with gradient g (negated when
    ``maximize``)::

        lr_t  <- lr / (1 + (t - 1) * lr_decay)
        g     <- g + weight_decay * theta            (if weight_decay != 0)
        sum   <- sum + g^2
        theta <- theta - lr_t * g / (sqrt(sum) + eps)

    With ``eps_inside_sqrt=True`` the last line is the form of Duchi et al. and of the
    course's deck 004, eps inside the root::

        theta <- theta - lr_t * g / sqrt(sum + eps)

    For small eps the denominators differ by about eps - eps / (2 sqrt(sum)): nothing at
    the default eps = 1e-10, visible for a large eps (e.g. 0.1) or a small sum, where
    sqrt(sum + eps) tends to sqrt(eps) instead of eps.
    """

    state_keys = ("step", "sum")
    required_state_keys = ("step", "sum")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        eps_inside_sqrt: bool = False,
    ) -> None:
        check_implementation_options("Adagrad", foreach, fused, differentiable=differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
            "maximize": maximize,
            "eps_inside_sqrt": eps_inside_sqrt,
        }
        # torch's group entries (they select nothing here)
        defaults.update(foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for parameter in group["params"]:
                if is_lazy(parameter):  # torch's ValueError: the sum would keep the placeholder's empty shape
                    raise ValueError(
                        "Adagrad: a parameter is an uninitialized parameter (a lazy layer's placeholder) and Adagrad "
                        "sizes its state when it is built: run one forward pass (model(example_input)) first"
                    )
                self._start_state(self.state[parameter], _parameter_array(parameter))

    def _start_state(self, state: dict[str, Any], param: np.ndarray) -> None:
        """Step 0 and a sum of the constructor's ``initial_accumulator_value`` (torch's, whatever the group's)."""
        initial = check_fits_dtype(
            "Adagrad", "initial_accumulator_value", self.defaults["initial_accumulator_value"], param.dtype
        )
        state["step"] = 0
        state["sum"] = np.full_like(param, initial)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_real("Adagrad", name, group[name], 0)
        for name in ("maximize", "eps_inside_sqrt"):
            check_flag("Adagrad", name, group[name])

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As :meth:`Optimizer.load_state_dict`; groups saved before ``eps_inside_sqrt`` existed load as False."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if isinstance(groups, (list, tuple)) and all(isinstance(group, dict) for group in groups):
            state_dict = {**state_dict, "param_groups": [{"eps_inside_sqrt": False, **group} for group in groups]}
        super().load_state_dict(state_dict)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:  # a parameter added later by add_param_group
            self._start_state(state, param)
        grad = regularized_gradient(param, grad, group)
        state["step"] += 1
        learning_rate = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        # In place: the sum (the optimizer's own array) and the parameter; one scratch array.
        scratch = np.empty_like(param)
        total = state["sum"]
        total += np.multiply(grad, grad, out=scratch)
        if group["eps_inside_sqrt"]:
            root = np.sqrt(np.add(total, group["eps"], out=scratch), out=scratch)
            update = divide_into(grad, root, group["eps"], eps_inside=True)
        else:
            update = divide_into(grad, np.sqrt(total, out=scratch), group["eps"])
        update *= learning_rate
        param -= update
        return param
