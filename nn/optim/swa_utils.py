"""Stochastic Weight Averaging and exponential moving averages of a model's weights (torch's
``torch.optim.swa_utils``): :class:`AveragedModel`, the averaging functions ``get_swa_avg_fn``,
``get_ema_avg_fn`` (one tensor at a time) and ``get_swa_multi_avg_fn``, ``get_ema_multi_avg_fn`` (lists of
tensors, in place), :func:`update_bn` and the :class:`SWALR` schedule.

Usage, as torch's::

    swa_model = nn.optim.swa_utils.AveragedModel(model)
    swa_scheduler = nn.optim.swa_utils.SWALR(optimizer, swa_lr=0.05)
    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        if epoch >= swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
    nn.optim.swa_utils.update_bn(loader, swa_model)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, Value, as_tensor, from_numpy, no_grad
from autograd.torch_names import check_device

from ..checks import ArgumentAssertionError, check_flag, check_real
from ..module import Module
from ..normalization import _BatchNorm
from .swa_lr import SWALR

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]

#: ``avg_fn(averaged, current, num_averaged)``: the new average of one tensor.
AverageFunction = Callable[[Tensor, Tensor, Any], Any]
#: ``multi_avg_fn(averaged_list, current_list, num_averaged)``: updates the averaged tensors in place.
MultiAverageFunction = Callable[[list[Tensor], list[Tensor], Any], None]


def _check_decay(owner: str, decay: Any) -> float:
    value = check_real(owner, "decay", decay, allow_inf=True, allow_nan=True)
    if not 0.0 <= value <= 1.0:  # nan too
        raise ValueError(f"{owner}: Invalid decay value {decay} provided. Please provide a value in [0,1] range.")
    return value


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAverageFunction:
    r"""A ``multi_avg_fn`` for an exponential moving average: each averaged tensor becomes
    :math:`decay \cdot W^{EMA} + (1 - decay) \cdot W^{model}`, in place (a lerp towards the model's tensor by
    ``1 - decay`` for floating tensors), without recording a graph. ``decay`` is in [0, 1] (ValueError outside)."""
    decay = _check_decay("get_ema_multi_avg_fn", decay)

    def ema_update(averaged: list[Tensor], current: list[Tensor], num_averaged: Any) -> None:
        with no_grad():
            for average, model_tensor in zip(averaged, current, strict=True):
                if average.dtype.kind in "fc":
                    average.lerp_(model_tensor, 1 - decay)
                else:
                    average.copy_(average * decay + model_tensor * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAverageFunction:
    r"""A ``multi_avg_fn`` for the equal-weight (SWA) average: with n models averaged so far, each averaged tensor
    becomes :math:`W^{SWA} + (W^{model} - W^{SWA}) / (n + 1)`, in place, without recording a graph."""

    def swa_update(averaged: list[Tensor], current: list[Tensor], num_averaged: Any) -> None:
        with no_grad():
            weight = 1 / (num_averaged + 1)
            for average, model_tensor in zip(averaged, current, strict=True):
                if average.dtype.kind in "fc":
                    average.lerp_(model_tensor, float(weight))
                else:
                    average.copy_(average + (model_tensor - average) / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> AverageFunction:
    r"""An ``avg_fn`` for an exponential moving average: :math:`decay \cdot W^{EMA} + (1 - decay) \cdot W^{model}`
    (no graph recorded). ``decay`` is in [0, 1] (ValueError outside)."""
    decay = _check_decay("get_ema_avg_fn", decay)

    def ema_update(averaged: Tensor, current: Tensor, num_averaged: Any) -> Any:
        with no_grad():
            return decay * averaged + (1 - decay) * current

    return ema_update


def get_swa_avg_fn() -> AverageFunction:
    r"""An ``avg_fn`` for the equal-weight (SWA) average of n + 1 models from that of n:
    :math:`W^{SWA} + (W^{model} - W^{SWA}) / (n + 1)` (no graph recorded)."""

    def swa_update(averaged: Tensor, current: Tensor, num_averaged: Any) -> Any:
        with no_grad():
            return averaged + (current - averaged) / (num_averaged + 1)

    return swa_update


def _tensor_of(member: Any) -> Tensor:
    """A parameter's or buffer's values as a Tensor cut from the graph: sharing its memory (writes go to the
    member) for a Tensor or an array, a 0-d float64 copy of a scalar ``Value`` (written back by ``_write_back``)."""
    if isinstance(member, Tensor):
        return member.detach()
    if isinstance(member, np.ndarray):
        return from_numpy(member)
    return Tensor(np.array(member.data, dtype=np.float64))


def _write_back(member: Any, values: Tensor) -> None:
    if isinstance(member, Value):
        member.copy_(float(values.item()))


def _shape_of(member: Any) -> tuple[int, ...]:
    return () if isinstance(member, Value) else tuple(member.shape)


def _check_pairs(owner: str, kind: str, averaged: list[Any], current: list[Any]) -> None:
    """ValueError unless the two models have as many ``kind`` and each pair has one shape (all mismatches named)."""
    if len(averaged) != len(current):
        raise ValueError(f"{owner}: the averaged model has {len(averaged)} {kind}, the model given has {len(current)}")
    mismatched = [
        f"#{index}: {_shape_of(mine)} vs {_shape_of(theirs)}"
        for index, (mine, theirs) in enumerate(zip(averaged, current))
        if _shape_of(mine) != _shape_of(theirs)
    ]
    if mismatched:
        raise ValueError(f"{owner}: {kind} of different shapes (averaged vs model's): {', '.join(mismatched)}")


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and buffers, with ``use_buffers=True``) are a running average of the
    ``model``'s, updated by :meth:`update_parameters`: equal weights (SWA) by default, or ``avg_fn`` (one tensor at
    a time: ``avg_fn(averaged, current, num_averaged)`` returns the new average) or ``multi_avg_fn`` (lists of
    tensors of one dtype, updated in place), such as :func:`get_ema_multi_avg_fn`'s exponential moving average.

    The copy is the sub-module ``module`` (state-dict keys ``module.<name>``); the buffer ``n_averaged`` (0-d
    int64) counts the updates. Calling it runs the copy. The first update copies the model's values; the later ones
    average. Without ``use_buffers`` the buffers (BatchNorm's running statistics) are copied from the model at each
    update; :func:`update_bn` recomputes them for the averaged weights. Averaging records no graph and keeps every
    tensor's dtype. ``device`` is torch's (the CPU here).
    """

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: AverageFunction | None = None,
        multi_avg_fn: MultiAverageFunction | None = None,
        use_buffers: bool = False,
    ) -> None:
        owner = "AveragedModel"
        if not isinstance(model, Module):
            raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")
        if avg_fn is not None and multi_avg_fn is not None:
            raise ArgumentAssertionError(f"{owner}: Only one of avg_fn and multi_avg_fn should be provided")
        for name, function in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if function is not None and not callable(function):
                raise TypeError(f"{owner}: {name} must be callable or None, got {type(function).__name__}")
        check_device(owner, device)
        use_buffers = check_flag(owner, "use_buffers", use_buffers)
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", np.zeros((), dtype=np.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged copy's forward: ``self.module(*args, **kwargs)``."""
        return self.module(*args, **kwargs)

    def _averaged_members(self, model: Module) -> list[Any]:
        members = list(model.parameters())
        return members + list(model.buffers()) if self.use_buffers else members

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) into the average, in place, and
        count it in ``n_averaged``; without ``use_buffers``, copy the model's buffers. ``model`` must have the
        averaged model's parameters and buffers, of the same shapes (checked before anything changes)."""
        owner = "AveragedModel.update_parameters"
        if not isinstance(model, Module):
            raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")
        kind = "parameters and buffers" if self.use_buffers else "parameters"
        averaged, current = self._averaged_members(self.module), self._averaged_members(model)
        _check_pairs(owner, kind, averaged, current)
        own_buffers, model_buffers = list(self.module.buffers()), list(model.buffers())
        if not self.use_buffers:
            _check_pairs(owner, "buffers", own_buffers, model_buffers)
        with no_grad():
            averages = [_tensor_of(member) for member in averaged]
            values = [_tensor_of(member) for member in current]
            if int(self.n_averaged) == 0:
                for average, value in zip(averages, values):
                    average.copy_(value)
            else:
                self._average(averages, values)
            for member, average in zip(averaged, averages):
                _write_back(member, average)
            if not self.use_buffers:
                for buffer, model_buffer in zip(own_buffers, model_buffers):
                    _tensor_of(buffer).copy_(_tensor_of(model_buffer))
        self.n_averaged[...] += 1

    def _average(self, averages: list[Tensor], values: list[Tensor]) -> None:
        """One averaging step: ``avg_fn`` tensor by tensor, or ``multi_avg_fn`` on each dtype's lists (torch groups
        the tensors by device and dtype), or the equal-weight average."""
        count = Tensor(self.n_averaged.copy())
        if self.avg_fn is not None:
            for average, value in zip(averages, values):
                average.copy_(self.avg_fn(average, value, count))
            return
        if self.multi_avg_fn is None:
            swa_update = get_swa_avg_fn()
            for average, value in zip(averages, values):
                average.copy_(swa_update(average, value, count))
            return
        by_dtype: dict[np.dtype, tuple[list[Tensor], list[Tensor]]] = {}
        for average, value in zip(averages, values):
            group = by_dtype.setdefault(average.dtype, ([], []))
            group[0].append(average)
            group[1].append(value)
        for group_averages, group_values in by_dtype.values():
            self.multi_avg_fn(group_averages, group_values, count)


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every batch norm in ``model`` from one pass over ``loader``.

    Each BatchNorm's statistics are reset and it takes the cumulative average (momentum None) of the batches'
    statistics: ``running_mean`` the mean of the batch means, ``running_var`` the mean of their unbiased
    variances. The model runs in training mode without recording a graph; the momenta and the training flag are
    restored afterwards (also when the loader or the model raises). A batch is an input (a Tensor or an array) or a
    list/tuple whose first item is the input, as torch's. A model without batch norms is left as it is.
    """
    if not isinstance(model, Module):
        raise TypeError(f"update_bn: model must be an nn.Module, got {type(model).__name__}")
    check_device("update_bn", device)
    momenta = [(module, module.momentum) for module in model.modules() if isinstance(module, _BatchNorm)]
    if not momenta:
        return
    for module, _ in momenta:
        module.reset_running_stats()
    was_training = model.training
    model.train()
    try:
        for module, _ in momenta:
            module.momentum = None
        with no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                model(as_tensor(batch) if isinstance(batch, np.ndarray) else batch)
    finally:
        for module, momentum in momenta:
            module.momentum = momentum
        model.train(was_training)
