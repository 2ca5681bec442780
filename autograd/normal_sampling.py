"""torch.normal: samples of normal distributions whose means and standard deviations are tensors or numbers.

torch's four forms: ``normal(mean, std)`` with two tensors (broadcast together), ``normal(mean, std=1.0)`` with a
tensor mean and a number, ``normal(mean, std)`` with a number and a tensor std, and ``normal(mean, std, size)``
with two numbers. As in torch, a sample takes part in the graph when a tensor mean or std requires grad, but its
gradient to them is zero (torch's ``NormalBackward``): the draw is not reparameterised. The graph records this as a
``where`` that selects the sample, whose rule gives the unselected operand its zero gradient. For gradients
through a sample, write it as ``mean + std * autograd.randn_like(mean)``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .default_dtype import float_dtype
from .quiet import quietly
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError
from .tensor import Tensor, where
from .tensor_functions import RandomSource, factory_shape, random_source, sample_dtype
from .torch_names import check_factory_options

__all__ = ["normal"]


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: RandomSource = None,
    rng: RandomSource = None,
    out: Any = None,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
    requires_grad: bool = False,
) -> Tensor:
    """torch.normal: one sample of N(mean, std^2) per entry, drawn from ``generator`` (or this library's ``rng``;
    :func:`~autograd.tensor_functions.random_source`), as mean + std z for z of ``randn``.

    With a tensor (or ndarray) ``mean`` and/or ``std``, the result has their broadcast shape and the dtype of
    ``mean`` if it is a tensor, else of ``std`` (that tensor must be floating); it is in the graph, with a zero
    gradient, when either requires grad (as torch). With two numbers, ``size`` (an int or a sequence) is the
    shape, and ``dtype`` (default :func:`autograd.get_default_dtype`; a floating one, else torch's
    NotImplementedError) and ``requires_grad`` apply, as torch's fourth form; those three are a TypeError with a tensor. A negative or NaN std is a ValueError. torch's
    ``out``, ``layout``, ``device`` and ``pin_memory`` as :func:`check_factory_options`.
    """
    check_factory_options("normal", device, layout, out, pin_memory)
    mean, std = _parameter(mean, "mean"), _parameter(std, "std")
    source = random_source("normal", rng, generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        _refuse_number_form_options(size, dtype, requires_grad)
        return _sample_of_tensors(mean, std, source)
    if size is None:
        raise TypeError("normal: with a number mean and a number std, give the shape: normal(0.0, 1.0, size=(2, 3))")
    _check_std(np.asarray(std))
    draws = source.standard_normal(factory_shape((size,), "normal"))
    drawn = sample_dtype("normal", float_dtype(dtype))
    data = quietly(lambda: np.asarray(mean + std * draws).astype(drawn, copy=False))
    return Tensor._from_array(data, requires_grad)


def _parameter(value: Any, name: str) -> Any:
    """A mean or std as a Tensor (a Tensor, or an ndarray read as one) or a Python float; TypeError otherwise."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor._from_array(value, False, "normal")
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"normal: {name} must be a Tensor or a number, got {type(value).__name__}")


def _refuse_number_form_options(size: Any, dtype: Any, requires_grad: bool) -> None:
    """TypeError for ``size``, ``dtype`` or ``requires_grad`` given to a form with a tensor (torch refuses them)."""
    given = {"size": size is not None, "dtype": dtype is not None, "requires_grad": bool(requires_grad)}
    for name, is_given in given.items():
        if is_given:
            raise TypeError(
                f"normal: {name}= is taken only with a number mean and a number std; with a tensor, the result has "
                "the tensors' shape and dtype"
            )


def _check_std(std: np.ndarray) -> None:
    """ArgumentRangeError (a ValueError and torch's RuntimeError) unless every standard deviation is >= 0 (NaN
    included, as torch)."""
    if not np.all(std >= 0):
        raise ArgumentRangeError(f"normal: std must be >= 0 everywhere, got {std.min() if std.size else std}")


def _sample_of_tensors(mean: Any, std: Any, source: np.random.Generator) -> Tensor:
    """torch's first three forms: the sample in the broadcast shape of ``mean`` and ``std``, in the graph (with a
    zero gradient) where one of them requires grad."""
    deciding = mean if isinstance(mean, Tensor) else std
    dtype = deciding.dtype
    if dtype.kind != "f":  # (torch's NotImplementedError: "normal_kernel_cpu" not implemented for 'Long')
        name = "mean" if deciding is mean else "std"
        raise DtypeKernelError(f"normal: {name} must be a floating-point tensor, got {dtype}")
    means, stds = (value._data if isinstance(value, Tensor) else value for value in (mean, std))
    _check_std(np.asarray(stds))
    try:
        shape = np.broadcast_shapes(np.shape(means), np.shape(stds))
    except ValueError:
        raise ShapeError(
            f"normal: the shapes of mean {np.shape(means)} and std {np.shape(stds)} do not broadcast together"
        ) from None
    draws = source.standard_normal(shape)
    sample = Tensor._from_array(quietly(lambda: np.asarray(means + stds * draws).astype(dtype, copy=False)))
    for parameter in (mean, std):
        if isinstance(parameter, Tensor) and parameter.requires_grad:
            sample = where(True, sample, parameter.astype(dtype))  # the sample; d/dparameter = 0, as torch's
    return sample
