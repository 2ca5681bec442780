"""Gradient clipping: ``clip_grad_norm_`` (rescale to a maximum norm) and ``clip_grad_value_``, and the two
halves of ``clip_grad_norm_`` that torch 2.6 exposes, ``get_total_norm`` and ``clip_grads_with_norm_``.

They *replace* each parameter's ``.grad`` with a new array (or float, for a
``Value``); gradient arrays may be shared between nodes, so none is written in place.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, get_default_dtype
from autograd.gradient_array import stored_gradient

from ..checks import check_fits_dtype, check_real

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

ParametersLike = Node | Iterable[Node]


def _with_gradients(function: str, parameters: ParametersLike) -> list[tuple[Node, np.ndarray]]:
    """(parameter, gradient as an array) for each parameter that has a gradient."""
    if isinstance(parameters, Node):
        parameters = [parameters]
    pairs = []
    for parameter in parameters:
        if not isinstance(parameter, (Tensor, Value)):
            raise TypeError(f"{function}: expected Tensors or Values, got {type(parameter).__name__}")
        grad = stored_gradient(parameter)
        if grad is None:
            continue
        if isinstance(grad, Node):
            grad = grad._data
        pairs.append((parameter, np.asarray(grad)))
    return pairs


def _check_foreach(function: str, foreach: object) -> None:
    if foreach is not None and not isinstance(foreach, bool):
        raise TypeError(f"{function}: foreach must be None, True or False, got {foreach!r}")


def _set_gradient(parameter: Node, grad: np.ndarray) -> None:
    parameter.grad = float(grad) if isinstance(parameter, Value) else grad


def _vector_norm(values: np.ndarray, norm_type: float) -> float:
    """``(sum |x|^p)^(1/p)`` (``max |x|`` for p = inf, the count of non-zero entries for p = 0, as torch's
    vector_norm: nan counts), summed as it is when that sum is a normal float64, else scaled by max |x| so it
    cannot overflow or underflow. For p < 0, as torch's, ``min |x|`` for
    p = -inf, and 0 when an entry is 0 (``|0|^p`` is inf), scaled by min |x|; no entry is refused by the
    callers (:func:`_total_norm`) for p < 0 and p = inf, as torch refuses: the empty sum of ``|x|^p`` has no p-th
    root, the empty maximum no value."""
    magnitudes = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    if magnitudes.size == 0:
        return 0.0
    if norm_type == 0:
        return float(np.count_nonzero(magnitudes))
    if norm_type < 0:
        smallest = float(magnitudes.min())  # NaN if any entry is NaN
        if norm_type == -math.inf or smallest == 0 or not math.isfinite(smallest):
            return smallest
        return smallest * float(np.sum((magnitudes / smallest) ** norm_type)) ** (1.0 / norm_type)
    largest = float(magnitudes.max())  # NaN if any entry is NaN
    if norm_type == math.inf or largest == 0 or not math.isfinite(largest):
        return largest
    with np.errstate(over="ignore", under="ignore"):
        total = float(np.sum(magnitudes**norm_type))
    if np.finfo(np.float64).tiny <= total < math.inf:  # unscaled when the sum is a normal number, as torch sums
        return _root(total, norm_type)  # (one rounding fewer than the scaled sum)
    return largest * _root(float(np.sum((magnitudes / largest) ** norm_type)), norm_type)


def _root(total: float, norm_type: float) -> float:
    """``total ** (1 / norm_type)``, inf where it is beyond float64 (an order below 1 raises the sum to a power
    above 1: (sqrt 1e308 + sqrt 1e308)**2 is 4e308), as torch's norm, where Python's float power raises
    OverflowError."""
    try:
        return total ** (1.0 / norm_type)
    except OverflowError:  # (only a root beyond float64: the sum is finite and positive here)
        return math.inf


def _norm_order(function: str, norm_type: Any) -> Any:
    """``norm_type`` with torch's string spellings read as numbers (``"inf"``, ``"2"``: ``float(norm_type)``)."""
    if not isinstance(norm_type, str):
        return norm_type
    try:
        return float(norm_type)
    except ValueError:
        raise ValueError(f"{function}: norm_type must be a number or 'inf', got {norm_type!r}") from None


def _total_norm(function: str, arrays: list[np.ndarray], norm_type: float, error_if_nonfinite: bool) -> float:
    """The ``norm_type``-norm of all ``arrays`` seen as one vector (0 for none), checked as ``function``'s."""
    norm_type = check_real(function, "norm_type", norm_type, allow_inf=True)
    if not arrays:
        return 0.0
    if (norm_type < 0 or norm_type == math.inf) and any(np.size(array) == 0 for array in arrays):
        extreme = "maximum" if norm_type == math.inf else "minimum"
        raise RuntimeError(
            f"{function}: cannot compute the norm of order {norm_type} of an empty gradient (shape "
            f"{next(np.shape(array) for array in arrays if np.size(array) == 0)}): the {extreme} over no entries is "
            "undefined (torch's linalg.vector_norm refuses it too)"
        )
    # torch's order of roundings: each gradient's norm in its own dtype, then the norm of those norms
    norms = [float(_as_norm_dtype(_vector_norm(array, norm_type), [array])) for array in arrays]
    total_norm = _vector_norm(np.array(norms), norm_type)
    # in the gradients' dtype, as torch's (float16 gradients' norm beyond 65504 is inf), for the check and the scale
    total_norm = float(_as_norm_dtype(total_norm, arrays))
    if error_if_nonfinite and not math.isfinite(total_norm):
        raise RuntimeError(
            f"{function}: the total norm of order {norm_type} of the gradients is {total_norm}, "
            "so they cannot be clipped (set error_if_nonfinite=False to scale them anyway)"
        )
    return total_norm


def _as_norm_dtype(total_norm: float, arrays: list[np.ndarray]) -> np.floating:
    """The total norm (computed in float64) as a NumPy float of the dtype torch gives it: the promoted dtype of the
    ``arrays`` (float32 for float32 gradients, float64 when one is float64); for none, the default dtype (torch's
    ``tensor(0.)``); float64 for non-float ones."""
    dtype = np.result_type(*arrays) if arrays else get_default_dtype()
    with np.errstate(over="ignore"):  # beyond float16's range: inf, as torch's float16 norm, without a warning
        return (dtype if dtype.kind == "f" else np.dtype(np.float64)).type(total_norm)


def _scale_gradients(pairs: list[tuple[Node, np.ndarray]], max_norm: float, total_norm: Any) -> None:
    """Replace every gradient by itself times ``min(1, max_norm / (total_norm + 1e-6))``, rounded as torch's: the
    coefficient computed in the dtype of ``total_norm`` (a NumPy float of the norm's dtype; a Python float is
    float64) as ``(total_norm + 1e-6)^-1 * max_norm`` (torch's ``max_norm / tensor``), then cast to each floating
    gradient's dtype before the product."""
    norm = total_norm if isinstance(total_norm, np.floating) else np.float64(total_norm)
    kind = norm.dtype.type
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # inf and nan norms scale as torch's
        coefficient = (kind(1) / (norm + kind(1e-6))) * kind(max_norm)
    coefficient = coefficient if np.isnan(coefficient) else min(coefficient, kind(1))
    for parameter, grad in pairs:
        with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 = NaN, as in PyTorch, for a non-finite gradient
            if grad.dtype.kind == "f":
                scaled = grad * grad.dtype.type(coefficient)
            else:
                scaled = grad * float(coefficient)
        _set_gradient(parameter, scaled)


def get_total_norm(
    tensors: Any,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> np.floating:
    r"""The ``norm_type``-norm of ``tensors`` (one, or an iterable of Tensors, arrays or numbers, usually the
    gradients) seen as one concatenated vector: ``(sum_i |x_i|^p)^(1/p)``, ``max_i |x_i|`` for ``inf``; 0.0 for
    none. A NumPy float of the tensors' promoted dtype, as torch's 0-d tensor (``.item()`` works on both). With ``error_if_nonfinite`` a
    NaN/inf norm raises RuntimeError. torch's ``foreach`` is accepted and changes nothing."""
    _check_foreach("get_total_norm", foreach)
    norm_type = _norm_order("get_total_norm", norm_type)
    if isinstance(tensors, (Node, np.ndarray, numbers.Real)):
        tensors = [tensors]
    arrays = []
    for index, tensor in enumerate(tensors):
        if isinstance(tensor, Node):
            tensor = tensor._data
        if isinstance(tensor, (bool, np.bool_)) or not isinstance(tensor, (np.ndarray, numbers.Real)):
            raise TypeError(f"get_total_norm: item {index} is a {type(tensor).__name__}, not a Tensor or an array")
        arrays.append(np.asarray(tensor))
    return _as_norm_dtype(_total_norm("get_total_norm", arrays, norm_type, error_if_nonfinite), arrays)


def clip_grads_with_norm_(
    parameters: ParametersLike, max_norm: float, total_norm: Any, foreach: bool | None = None
) -> None:
    """Scale every gradient by ``min(1, max_norm / (total_norm + 1e-6))`` for a ``total_norm`` computed
    beforehand (by :func:`get_total_norm`, say over several models' gradients): the second half of
    :func:`clip_grad_norm_`. ``total_norm`` is a number or a 0-d Tensor/array; torch's ``foreach`` is
    accepted and changes nothing."""
    _check_foreach("clip_grads_with_norm_", foreach)
    check_real("clip_grads_with_norm_", "max_norm", max_norm, allow_inf=True)
    if isinstance(total_norm, Node):
        total_norm = total_norm._data
    if isinstance(total_norm, np.ndarray) and total_norm.size == 1:
        total_norm = total_norm.reshape(())[()]
    if isinstance(total_norm, (bool, np.bool_)) or not isinstance(total_norm, numbers.Real):
        raise TypeError(f"clip_grads_with_norm_: total_norm must be a number or a 0-d Tensor, got {total_norm!r}")
    norm = total_norm if isinstance(total_norm, np.floating) else float(total_norm)  # (a 0-d tensor keeps its dtype)
    _scale_gradients(_with_gradients("clip_grads_with_norm_", parameters), float(max_norm), norm)


def clip_grad_norm_(
    parameters: ParametersLike,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> np.floating:
    r"""Rescale all gradients together so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of the concatenation of all gradients,
    ``||g|| = (sum_i |g_i|^p)^(1/p)`` (``max_i |g_i|`` for ``inf``; for 0, as torch's, the count of gradients
    with a non-zero entry: the 0-norm of their 0-norms). A negative ``p`` is taken as torch takes it: ``min_i |g_i|``
    for ``-inf``, 0 when some entry is 0, and an empty gradient is a RuntimeError, as for ``inf``. Every gradient is
    multiplied by ``min(1, max_norm / (||g|| + 1e-6))`` (as PyTorch does; a negative ``max_norm`` too, as torch
    takes it unchecked: a negative coefficient, which flips the gradients). Returns
    the total norm before clipping, a NumPy float (so torch's ``.item()`` works too) of the gradients' dtype, as
    torch's (float32 for float32 gradients; computed in float64). ``norm_type`` may
    be a string torch reads as a number (``"inf"``). With
    ``error_if_nonfinite`` a NaN/inf total norm raises RuntimeError and no gradient changes. torch's
    ``foreach`` is accepted and changes nothing. The same as :func:`get_total_norm` of the gradients
    followed by :func:`clip_grads_with_norm_`.
    """
    _check_foreach("clip_grad_norm_", foreach)
    norm_type = _norm_order("clip_grad_norm_", norm_type)
    max_norm = check_real("clip_grad_norm_", "max_norm", max_norm, allow_inf=True)  # (a 0-d Tensor: its number)
    check_real("clip_grad_norm_", "norm_type", norm_type, allow_inf=True)
    pairs = _with_gradients("clip_grad_norm_", parameters)
    if not pairs:  # torch's tensor(0.): the default dtype
        return _as_norm_dtype(0.0, [])
    grads = [grad for _, grad in pairs]
    total_norm = _as_norm_dtype(_total_norm("clip_grad_norm_", grads, norm_type, error_if_nonfinite), grads)
    _scale_gradients(pairs, max_norm, total_norm)
    return total_norm


def clip_grad_value_(parameters: ParametersLike, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]`` (``clip_value >= 0``); torch's ``foreach``
    is accepted and changes nothing. The clip value is a number whatever its type (a NumPy ``float64`` or a 0-d
    Tensor too), so each gradient keeps its dtype, as torch's; a finite clip value beyond a floating gradient's
    dtype (1e6 for float16) is torch's RuntimeError (a :class:`~nn.checks.ParameterOverflowError`), and no gradient
    changes."""
    _check_foreach("clip_grad_value_", foreach)
    clip_value = check_real("clip_grad_value_", "clip_value", clip_value, 0, allow_inf=True)  # a Python float
    pairs = _with_gradients("clip_grad_value_", parameters)
    for _, grad in pairs:  # (all checked before any gradient changes)
        check_fits_dtype("clip_grad_value_", "clip_value", clip_value, grad.dtype)
    for parameter, grad in pairs:
        _set_gradient(parameter, np.clip(grad, -clip_value, clip_value))
