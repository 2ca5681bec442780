"""``SWALR``: anneal each param group's learning rate to a fixed SWA rate, as torch's
``torch.optim.swa_utils.SWALR`` (exported from :mod:`nn.optim.swa_utils`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..checks import MistypedArgumentError, check_real
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer

__all__ = ["SWALR"]

#: The annealing curves by name: the share alpha(t) of the SWA rate at the fraction t of the annealing done.
ANNEAL_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "cos": lambda t: (1 - math.cos(math.pi * t)) / 2,
    "linear": lambda t: t,
}


def _check_strategy(owner: str, anneal_strategy: Any) -> str:
    if not isinstance(anneal_strategy, str) or anneal_strategy not in ANNEAL_FUNCTIONS:
        raise ValueError(f"{owner}: anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    return anneal_strategy


def _check_anneal_epochs(owner: str, anneal_epochs: Any) -> int:
    """An int >= 0 (numpy's integers too); torch's ValueError for anything else (a float such as 2.0 included)."""
    message = f"{owner}: anneal_epochs must be equal or greater than 0, got {anneal_epochs}"
    if isinstance(anneal_epochs, (bool, np.bool_)) or not isinstance(anneal_epochs, numbers.Integral):
        raise MistypedArgumentError(message)
    if anneal_epochs < 0:
        raise ValueError(message)
    return int(anneal_epochs)


def _swa_lrs(owner: str, optimizer: Optimizer, swa_lr: Any) -> list[float]:
    """One SWA rate per param group: ``swa_lr`` for all, or a list/tuple of exactly one per group."""
    groups = len(optimizer.param_groups)
    if isinstance(swa_lr, (list, tuple)):
        if len(swa_lr) != groups:
            raise ValueError(
                f"{owner}: swa_lr must have the same length as optimizer.param_groups. swa_lr has {len(swa_lr)} "
                f"values, param_groups has {groups}."
            )
        values = list(swa_lr)
    else:
        values = [swa_lr] * groups
    return [check_real(owner, "swa_lr", value, 0) for value in values]


class SWALR(LRScheduler):
    r"""Anneal every group's learning rate from where it is to ``group["swa_lr"]`` over ``anneal_epochs`` steps,
    then hold it there (Stochastic Weight Averaging's constant rate).

    With alpha(t) = (1 - cos(pi t)) / 2 (``"cos"``) or t (``"linear"``) and s the count of steps taken
    (``_step_count - 1``, as torch counts them), step s sets

    .. math:: lr_s = \alpha(t_s)\, swa\_lr + (1 - \alpha(t_s))\, lr_0, \quad t_s = \min(1, s / \max(1, anneal\_epochs))

    where lr_0 is recovered from the group's current rate by undoing the previous step's mix
    (lr_0 = (lr - alpha(t_{s-1}) swa_lr) / (1 - alpha(t_{s-1}))), so the schedule starts from whatever rate the
    group has when SWA begins (another scheduler's), as torch's. ``anneal_epochs=0`` jumps to ``swa_lr`` at the
    first step. ``swa_lr`` may be one per group; it is stored in each group as ``group["swa_lr"]``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float] | tuple[float, ...],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        owner = "SWALR"
        check_optimizer(owner, optimizer)
        swa_lrs = _swa_lrs(owner, optimizer, swa_lr)
        self._anneal_strategy = _check_strategy(owner, anneal_strategy)
        self.anneal_epochs = _check_anneal_epochs(owner, anneal_epochs)
        previous = [(group, group.get("swa_lr", _ABSENT)) for group in optimizer.param_groups]
        for group, value in zip(optimizer.param_groups, swa_lrs):
            group["swa_lr"] = value
        try:
            super().__init__(optimizer, last_epoch)
        except Exception:  # a refused build leaves the groups as they were
            for group, value in previous:
                if value is _ABSENT:
                    group.pop("swa_lr", None)
                else:
                    group["swa_lr"] = value
            raise

    @property
    def anneal_func(self) -> Callable[[float], float]:
        """The annealing curve alpha(t) of ``anneal_strategy`` (derived from it: not saved in ``state_dict``)."""
        return ANNEAL_FUNCTIONS[self._anneal_strategy]

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """The rate the annealing started from, given the rate ``lr`` that mixed it with ``swa_lr`` by ``alpha``."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        """Every group's rate at the current step count (warning, as torch's, when called outside ``step()``)."""
        self._warn_if_outside_step()
        return self._rates()

    def _rates(self) -> list[float]:
        """Every group's rate at the current step count (torch's formula, in its order of operations)."""
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        previous_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        starts = [self._get_initial_lr(group["lr"], group["swa_lr"], previous_alpha) for group in groups]
        return [group["swa_lr"] * alpha + start * (1 - alpha) for group, start in zip(groups, starts)]

    def step_to(self, epoch: int) -> None:
        """Count ``epoch`` and set the rates of the current step count (torch's restart of a scheduler without a
        closed form, as ``SequentialLR`` does at a milestone)."""
        self._set_lrs(epoch, self._rates())

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """The base class's checks, and a saved ``anneal_strategy`` and ``anneal_epochs`` that the constructor would
        take."""
        super().check_state_dict(state_dict)
        _check_strategy("SWALR.load_state_dict", state_dict["_anneal_strategy"])
        _check_anneal_epochs("SWALR.load_state_dict", state_dict["anneal_epochs"])


#: Marks a param group that had no ``swa_lr`` before a refused build.
_ABSENT = object()
