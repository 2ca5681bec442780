"""``Muon``: momentum whose update is orthogonalised by a Newton-Schulz iteration (torch 2.13's algorithm).

torch runs the iteration in bfloat16, which numpy lacks: here every bfloat16 result is a float32 array whose
values are rounded to bfloat16 (:func:`round_to_bfloat16`), and the matrix products accumulate in float64
before that rounding (torch accumulates in float32), so the iteration gives torch's bfloat16 values bit for bit
unless an accumulated sum lies within float32 rounding of a bfloat16 rounding boundary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Node

from ..checks import check_flag, check_integer, check_real
from .optimizer import Optimizer, ParamsLike

__all__ = ["ADJUST_LR_FNS", "Muon", "adjusted_lr", "round_to_bfloat16", "zeropower_via_newton_schulz"]

#: Accepted values of ``adjust_lr_fn`` besides None (which means "original").
ADJUST_LR_FNS = ("original", "match_rms_adamw")
#: torch refuses this many Newton-Schulz steps or more.
MAX_NS_STEPS = 100


def round_to_bfloat16(array: np.ndarray) -> np.ndarray:
    """``array`` rounded to the nearest bfloat16 (ties to even, as torch's conversion), kept as float32.

    bfloat16 is float32 with the low 16 mantissa bits dropped: adding 0x7FFF plus the lowest kept bit to the
    bit pattern and clearing the low 16 bits rounds to nearest even (overflowing to inf); nan stays nan.
    A float64 array goes through float32 first, as torch converts a double."""
    single = np.asarray(array, dtype=np.float32)
    bits = single.view(np.uint32)
    rounded = ((bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) & np.uint32(0xFFFF0000)).view(np.float32)
    return np.where(np.isnan(single), np.float32(np.nan), rounded)


def _bfloat16_matmul(
    left: np.ndarray, right: np.ndarray, addend: np.ndarray | None = None, beta: float = 1.0, alpha: float = 1.0
) -> np.ndarray:
    """torch's bfloat16 ``left @ right``, or with ``addend`` its ``addmm``, ``beta * addend + alpha * (left @ right)``,
    rounded once to bfloat16 (products of bfloat16 values are exact in float64, where the sums accumulate)."""
    exact = alpha * (left.astype(np.float64) @ right.astype(np.float64))
    if addend is not None:
        exact += beta * addend.astype(np.float64)
    return round_to_bfloat16(exact.astype(np.float32))


def zeropower_via_newton_schulz(
    matrix: np.ndarray, ns_coefficients: Sequence[float], ns_steps: int, eps: float
) -> np.ndarray:
    r"""An approximate orthogonalisation of a 2-D ``matrix`` G = U S V^T: roughly U S' V^T, S' near 1, in bfloat16.

    With X_0 = G / max(||G||_F, eps) (transposed first when G has more rows than columns, so X X^T is the
    smaller Gram matrix) every singular value lies in [0, 1]; each of ``ns_steps`` steps applies the odd
    quintic p(x) = a x + b x^3 + c x^5 to the singular values::

        A = X X^T,   B = b A + c A A,   X <- a X + B X

    torch's coefficients (3.4445, -4.775, 2.0315) make p steep at 0, so small singular values grow fast; they
    end near, not at, 1. Every intermediate is rounded to bfloat16, as torch computes it; the result is a
    float32 array of bfloat16 values."""
    a, b, c = ns_coefficients
    ortho = round_to_bfloat16(matrix)
    tall = matrix.shape[0] > matrix.shape[1]
    if tall:
        ortho = ortho.T
    norm = round_to_bfloat16(np.sqrt(np.sum(np.square(ortho, dtype=np.float64))))
    ortho = round_to_bfloat16(ortho / max(norm, round_to_bfloat16(np.float32(eps))))
    for _ in range(ns_steps):
        gram = _bfloat16_matmul(ortho, ortho.T)
        gram_update = _bfloat16_matmul(gram, gram, addend=gram, beta=b, alpha=c)
        ortho = _bfloat16_matmul(gram_update, ortho, addend=ortho, beta=a)
    return ortho.T if tall else ortho


def adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    """The learning rate of the orthogonalised step for an A x B parameter: "original" (and None, Keller Jordan's)
    lr sqrt(max(1, A / B)); "match_rms_adamw" (Moonshot's, an update of AdamW's RMS) lr 0.2 sqrt(max(A, B))."""
    rows, columns = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / columns))
    return lr * 0.2 * math.sqrt(max(rows, columns))


def _fused_multiply_add(base: np.ndarray, coefficient: np.floating, term: np.ndarray, compute: np.dtype) -> np.ndarray:
    """``base + coefficient * term`` rounded once to ``compute``, as a fused multiply-add in that dtype: emulated in
    float64, where the product of a float32 ``coefficient`` and ``term`` is exact (for float64, two roundings)."""
    return (base.astype(np.float64) + np.float64(coefficient) * term.astype(np.float64)).astype(compute)


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch's ``start.lerp(end, weight)`` (in the arrays' dtype): start + w (end - start) for |w| < 0.5, else
    end - (1 - w) (end - start), a fused multiply-add computed, as torch's, in float32 for float16 and float32
    arrays (then rounded to the arrays' dtype)."""
    compute = np.promote_types(start.dtype, np.float32)
    weight = compute.type(weight)
    difference = end.astype(compute) - start.astype(compute)
    if abs(weight) < 0.5:
        return _fused_multiply_add(start, weight, difference, compute).astype(start.dtype)
    return _fused_multiply_add(end, weight - compute.type(1), difference, compute).astype(start.dtype)


class Muon(Optimizer):
    r"""Muon (MomentUm Orthogonalized by Newton-Schulz), exactly torch 2.13's ``torch.optim.Muon``.

    For an A x B parameter theta and step t with gradient g::

        B <- momentum B + (1 - momentum) g                   (B = 0 before the first step)
        U <- (1 - momentum) g + momentum B   if nesterov  else  B
        O <- NS(U)                                           (see zeropower_via_newton_schulz)
        theta <- theta (1 - lr weight_decay)                  (decoupled weight decay)
        theta <- theta - adjusted_lr(lr, adjust_lr_fn, (A, B)) O

    (torch's documentation writes B <- momentum B + g; its code, followed here, blends as above.) Only 2-D
    parameters are accepted: give biases, gains and embeddings to another optimizer such as :class:`AdamW`.
    The one state entry per parameter is ``momentum_buffer``. torch has no ``maximize`` here, nor
    ``foreach``/``fused``. Checked when the optimizer is built (torch checks some only at ``step``, some never):
    lr, momentum, weight_decay and eps >= 0, ``nesterov`` a bool, three real ``ns_coefficients``, an integer
    ``ns_steps`` in [0, 100), ``adjust_lr_fn`` None, "original" or "match_rms_adamw".
    """

    state_keys = ("momentum_buffer",)

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
        eps: float = 1e-7,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        lr_data = lr._data if isinstance(lr, Node) else lr
        if isinstance(lr_data, np.ndarray) and lr_data.size != 1:
            raise ValueError(f"Muon: Tensor lr must be 1-element, got shape {lr_data.shape}")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": tuple(ns_coefficients) if isinstance(ns_coefficients, list) else ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "weight_decay", "eps"):
            check_real("Muon", name, group[name], 0)
        check_flag("Muon", "nesterov", group["nesterov"])
        coefficients = group["ns_coefficients"]
        if not isinstance(coefficients, (tuple, list)):
            raise TypeError(f"Muon: ns_coefficients must be a tuple (a, b, c), got {coefficients!r}")
        if len(coefficients) != 3:
            raise ValueError(f"Muon: Coefficients must be a tuple of exactly 3 values, got {coefficients!r}")
        for index, coefficient in enumerate(coefficients):
            check_real("Muon", f"ns_coefficients[{index}]", coefficient)
        if check_integer("Muon", "ns_steps", group["ns_steps"], 0) >= MAX_NS_STEPS:
            raise ValueError(
                f"Muon: Number of steps must be less than {MAX_NS_STEPS} for computational efficiency, "
                f"got ns_steps={group['ns_steps']!r}"
            )
        adjust_lr_fn = group["adjust_lr_fn"]
        if adjust_lr_fn is not None and adjust_lr_fn not in ADJUST_LR_FNS:
            raise ValueError(
                f"Muon: Adjust learning rate function {adjust_lr_fn!r} is not supported "
                f"(None, 'original' or 'match_rms_adamw')"
            )

    def _check_parameter_shape(self, parameter: Node) -> None:
        """A parameter that is not 2-D is a ValueError (torch's), in the constructor's groups and in added ones."""
        if np.ndim(parameter._data) != 2:
            raise ValueError(
                f"Muon only supports 2D parameters whereas we found a parameter with size: {np.shape(parameter.data)}"
            )

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        momentum = group["momentum"]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(grad)
        buffer = state["momentum_buffer"]
        buffer[...] = _lerp(buffer, grad, 1 - momentum)  # in place: the buffer is the optimizer's own array
        direction = _lerp(grad, buffer, momentum) if group["nesterov"] else buffer
        ortho = zeropower_via_newton_schulz(direction, group["ns_coefficients"], group["ns_steps"], group["eps"])
        # torch: param.mul_(1 - lr wd), then param.add_(ortho, alpha=-adjusted lr), a fused multiply-add in the
        # promoted dtype of param and bfloat16 (float32 for float16 and float32 parameters)
        compute = np.promote_types(param.dtype, np.float32)
        shrunk = param.astype(compute) * compute.type(1 - group["lr"] * group["weight_decay"])
        step_size = compute.type(-adjusted_lr(group["lr"], group["adjust_lr_fn"], param.shape))
        param[...] = _fused_multiply_add(shrunk.astype(param.dtype), step_size, ortho, compute)
        return param
