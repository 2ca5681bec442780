"""``SparseAdam``: Adam that moves only the rows a gradient touches (the looked-up rows of an embedding)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import check_flag, check_real
from .optimizer import Optimizer, ParamsLike, check_betas, regularized_gradient

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""SparseAdam, torch's masked Adam for ``nn.Embedding(sparse=True)``: only the rows the gradient touches
    take a step, and only their moments decay.

    torch's sparse gradient lists the rows an embedding looked up; the gradients here are dense, so the rows
    touched are those (along the first axis; the entries of a 1-D parameter) with a nonzero gradient. For step
    t with gradient g (negated when ``maximize``), on those rows only::

        m     <- m + (1 - beta1) * (g - m)
        v     <- v + (1 - beta2) * (g^2 - v)
        theta <- theta - (lr * sqrt(1 - beta2^t) / (1 - beta1^t)) * m / (sqrt(v) + eps)

    The other rows keep their parameters and moments; ``step`` counts every step with a gradient. torch
    refuses a dense gradient (its own embeddings give it sparse ones); here every gradient is dense, so the
    rows are read from it. A row looked up whose summed gradient is exactly 0 (torch would decay its moments)
    is the one case where the two differ. ``lr`` and ``eps`` must be > 0, as torch's.
    """

    state_keys = ("step", "exp_avg", "exp_avg_sq")
    required_state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (list, tuple)) else betas,
            "eps": eps,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps"):
            check_real("SparseAdam", name, group[name], 0, low_open=True)
        check_betas("SparseAdam", group["betas"])
        check_flag("SparseAdam", "maximize", group["maximize"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        # (a 0-d parameter as its 1-element view: rows are then its one entry)
        grad = np.atleast_1d(regularized_gradient(param, grad, group))
        if grad.size == 0:
            return param
        rows = np.flatnonzero((grad != 0).reshape(grad.shape[0], -1).any(axis=1))  # the rows touched
        if rows.size == 0:  # (torch skips an empty gradient, its step counted)
            return param
        step = state["step"]
        beta1, beta2 = group["betas"]
        param_rows = np.atleast_1d(param)
        exp_avg, exp_avg_sq = np.atleast_1d(state["exp_avg"]), np.atleast_1d(state["exp_avg_sq"])
        touched = grad[rows]
        # torch's order: the updates of the touched moments, then the moments as their sums
        old_avg, old_avg_sq = exp_avg[rows], exp_avg_sq[rows]
        numerator = np.subtract(touched, old_avg)
        numerator *= 1 - beta1
        numerator += old_avg
        square = np.square(touched)
        square -= old_avg_sq
        square *= 1 - beta2
        square += old_avg_sq
        exp_avg[rows], exp_avg_sq[rows] = numerator, square
        denominator = np.sqrt(square, out=square)
        denominator += group["eps"]
        step_size = group["lr"] * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        numerator /= denominator
        param_rows[rows] += numerator * -step_size
        return param
