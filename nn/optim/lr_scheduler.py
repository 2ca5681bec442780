"""Learning-rate schedules, PyTorch's names and sequences: ``StepLR``, ``MultiStepLR``, ``ExponentialLR``,
``CosineAnnealingLR``, ``CosineAnnealingWarmRestarts``, ``LambdaLR``, ``MultiplicativeLR``, ``LinearLR``,
``ConstantLR``, ``PolynomialLR`` and ``SequentialLR`` here, with ``ChainedScheduler`` (:mod:`.chained`),
``LRScheduler`` (:mod:`.scheduler`), ``OneCycleLR`` (:mod:`.one_cycle`), ``CyclicLR`` (:mod:`.cyclic`) and
``ReduceLROnPlateau`` (:mod:`.plateau`, which steps on a metric instead of a count).

A scheduler sets ``group["lr"]`` of every param group of an optimizer, once per
call to ``step()`` (usually once per epoch, after ``optimizer.step()``). As in
PyTorch, constructing a scheduler records each group's starting rate as
``group["initial_lr"]`` and applies epoch 0. Each schedule is a closed form of
the base rate and the epoch count, which gives PyTorch's sequence. The schedules PyTorch
chains (``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``,
``ConstantLR``, ``PolynomialLR``, ``MultiplicativeLR``) step from the group's current rate with PyTorch's
formulas, so two of them on one optimizer (or in a ``ChainedScheduler``) compose as in PyTorch.
"""

from __future__ import annotations

import bisect
import copy
import math
import numbers
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..checks import check_integer, check_positive_int, check_real, torch_mistyped
from .chained import ChainedScheduler
from .cyclic import CyclicLR
from .one_cycle import OneCycleLR
from .optimizer import Optimizer
from .plateau import ReduceLROnPlateau

# the text of the warning ``step(epoch)`` gives, under torch's name here too (``torch.optim.lr_scheduler`` has it,
# outside ``__all__``), for code that filters or checks it
from .scheduler import EPOCH_DEPRECATION_WARNING as EPOCH_DEPRECATION_WARNING
from .scheduler import (
    LRScheduler,
    check_optimizer,
    function_state,
    per_group,
    restore_function_state,
    whole_count,
)

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]

#: torch's old name of the base class, which custom schedulers written before torch 2.0 subclass (torch keeps it).
_LRScheduler = LRScheduler


class StepLR(LRScheduler):
    """Decay by ``gamma`` every ``step_size`` epochs: ``lr = base_lr * gamma^(epoch // step_size)``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        # (torch's word-language-model tutorial writes StepLR(optimizer, 1.0, gamma=0.95))
        self.step_size = whole_count(check_positive_int, "StepLR", "step_size", step_size)
        check_real("StepLR", "gamma", gamma, 0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        return lr if epoch == 0 or epoch % self.step_size else lr * self.gamma


class ExponentialLR(LRScheduler):
    """Decay by ``gamma`` every epoch: ``lr = base_lr * gamma^epoch``."""

    keeps_rates_when_resumed = True

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_real("ExponentialLR", "gamma", gamma, 0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        return lr if epoch == 0 else lr * self.gamma


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` epochs (then back, periodically).

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``
    """

    keeps_rates_when_resumed = True

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:  # noqa: N803
        self.T_max = whole_count(check_positive_int, "CosineAnnealingLR", "T_max", T_max)
        check_real("CosineAnnealingLR", "eta_min", eta_min, 0)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        """torch's recursion: the ratio of consecutive cosine factors, or a step up from the trough."""
        if epoch == 0:
            return lr
        if (epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            if base_lr is None:  # a param group added since the scheduler was built (torch: a ValueError too)
                raise ValueError(
                    f"CosineAnnealingLR: epoch {epoch} steps up from the trough by the base lr, which a param group "
                    "added after the scheduler was built has not"
                )
            return lr + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
        ratio = (1 + math.cos(math.pi * epoch / self.T_max)) / (1 + math.cos(math.pi * (epoch - 1) / self.T_max))
        return ratio * (lr - self.eta_min) + self.eta_min


class MultiStepLR(LRScheduler):
    """Decay by ``gamma`` at each milestone: ``lr = base_lr * gamma^(number of milestones <= epoch)``
    (a milestone listed twice counts twice, as torch's)."""

    def __init__(
        self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if not isinstance(milestones, (list, tuple, set, frozenset)):
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs, got {type(milestones).__name__}")
        self.milestones = sorted(whole_count(check_integer, "MultiStepLR", "milestones", m, 0) for m in milestones)
        self.gamma = check_real("MultiStepLR", "gamma", gamma, 0)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state, its milestones saved as torch saves them: a ``Counter`` of epochs (an epoch listed
        twice counted twice), so torch's MultiStepLR loads it (its step reads the count of the epoch it reaches)."""
        state = super().state_dict()
        state["milestones"] = Counter(self.milestones)
        return state

    def own_names(self, state_dict: Any) -> Any:
        """As :meth:`LRScheduler.own_names`; torch's milestones, a ``Counter`` of epochs (or the plain dict a
        converter makes of it), become the sorted list of them (an epoch counted twice listed twice). Milestones
        that are neither a mapping nor a sequence of epochs raise TypeError, before anything is loaded."""
        state_dict = super().own_names(state_dict)
        if not isinstance(state_dict, dict) or "milestones" not in state_dict:
            return state_dict
        milestones = state_dict["milestones"]
        if isinstance(milestones, Mapping):
            try:
                milestones = list(Counter(milestones).elements())
            except TypeError:
                raise TypeError(
                    f"MultiStepLR.load_state_dict: milestones' counts must be integers, got {dict(milestones)!r}"
                ) from None
        elif not isinstance(milestones, (list, tuple)):
            raise TypeError(
                "MultiStepLR.load_state_dict: milestones must be a list of epochs or a Counter of them, got "
                f"{type(milestones).__name__}"
            )
        state_dict["milestones"] = sorted(
            whole_count(check_integer, "MultiStepLR", "milestones", m, 0) for m in milestones
        )
        return state_dict

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        repeats = self.milestones.count(epoch)
        return lr * self.gamma**repeats if repeats else lr


def _lambdas(owner: str, lr_lambda: Any, optimizer: Any) -> list[Callable[[int], float]]:
    check_optimizer(owner, optimizer)
    lambdas = per_group(owner, "lr_lambda", lr_lambda, len(optimizer.param_groups))
    for function in lambdas:
        if not callable(function):
            raise TypeError(f"{owner}: lr_lambda must be a function of the epoch, got {type(function).__name__}")
    return lambdas


class _ScheduleOfFunctions(LRScheduler):
    """What LambdaLR and MultiplicativeLR share: their functions ``lr_lambdas`` are not state (``load_state_dict``
    keeps the current ones), but, as torch's, ``state_dict()`` saves under ``lr_lambdas`` the attributes of each
    function that is a callable object (None for a plain function), and ``load_state_dict`` gives them back
    (:meth:`restore_torch_extras`), from a state dict saved here or by torch."""

    not_state = ("optimizer", "lr_lambdas")
    torch_derived = frozenset({"lr_lambdas"})
    lr_lambdas: list[Callable[[int], float]]

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["lr_lambdas"] = [function_state(function) for function in self.lr_lambdas]
        return state

    def restore_torch_extras(self, state_dict: Any) -> None:
        if isinstance(state_dict, dict) and "lr_lambdas" in state_dict:
            restore_function_state(type(self).__name__, self.lr_lambdas, state_dict["lr_lambdas"])


class LambdaLR(_ScheduleOfFunctions):
    """``lr = base_lr * lr_lambda(epoch)``; ``lr_lambda`` is one function or a list of one per param group.

    The functions are not state (``load_state_dict`` keeps the current ones); a callable object's attributes are,
    as in torch (see ``state_dict``).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("LambdaLR", lr_lambda, optimizer)
        super().__init__(optimizer, last_epoch)

    def lrs_at(self, epoch: int) -> list[float]:
        return [base_lr * function(epoch) for base_lr, function in zip(self.base_lrs, self.lr_lambdas)]


class MultiplicativeLR(_ScheduleOfFunctions):
    """Multiply each group's current ``lr`` by ``lr_lambda(epoch)`` at every step but the one taken when it is
    built (``lr_epoch = lr_(epoch-1) * lr_lambda(epoch)``); like torch's, it builds on whatever rate the group
    has, so it chains with other changes (restarted by ``SequentialLR`` it multiplies by ``lr_lambda(0)``).
    ``lr_lambda``: one function or one per group (not state, as in LambdaLR).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("MultiplicativeLR", lr_lambda, optimizer)
        super().__init__(optimizer, last_epoch)

    def initial_step(self) -> None:
        self.last_epoch += 1
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
        self._step_count = 1

    def lrs_at(self, epoch: int) -> list[float]:
        current = [group["lr"] for group in self.optimizer.param_groups]
        return [lr * function(epoch) for lr, function in zip(current, self.lr_lambdas)]


class LinearLR(LRScheduler):
    """Scale the base rate by a factor moving linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then kept: ``lr = base_lr * (s + (e - s) * min(epoch, T) / T)``. With ``total_iters=0``
    the factor stays ``start_factor``, as torch's recursion keeps it."""

    keeps_rates_when_resumed = True

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = check_real("LinearLR", "start_factor", start_factor, 0, 1, low_open=True)
        self.end_factor = check_real("LinearLR", "end_factor", end_factor, 0, 1)
        self.total_iters = whole_count(check_integer, "LinearLR", "total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        progress = min(epoch, self.total_iters) / self.total_iters if self.total_iters else 0.0
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        """torch's recursion: the ratio of consecutive factors."""
        if epoch == 0:
            return lr * self.start_factor
        if epoch > self.total_iters:
            return lr
        change = self.end_factor - self.start_factor
        return lr * (1.0 + change / (self.total_iters * self.start_factor + (epoch - 1) * change))


class ConstantLR(LRScheduler):
    """``lr = base_lr * factor`` for the first ``total_iters`` epochs, then ``base_lr``."""

    def __init__(
        self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1
    ) -> None:
        self.factor = check_real("ConstantLR", "factor", factor, 0, 1)
        self.total_iters = whole_count(check_integer, "ConstantLR", "total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.factor if epoch < self.total_iters else base_lr

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        """torch's recursion: times ``factor`` at epoch 0, divided by it at ``total_iters``. A factor of 0 (which
        no division undoes) or ``total_iters`` 0 (where torch would keep the factor) take the closed form, but for
        a param group added since the scheduler was built (no ``base_lr``), which follows torch's recursion."""
        if base_lr is not None and (self.factor == 0 or self.total_iters == 0):
            return self.lr_at(base_lr, epoch)
        if epoch == 0:
            return lr * self.factor
        return lr * (1.0 / self.factor) if epoch == self.total_iters else lr


class PolynomialLR(LRScheduler):
    """Decay to 0 over ``total_iters`` epochs along a polynomial, then stay there:
    ``lr = base_lr * (1 - min(epoch, total_iters) / total_iters)^power``; with ``total_iters=0``, ``base_lr``
    throughout, as torch's recursion keeps it."""

    keeps_rates_when_resumed = True

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = whole_count(check_integer, "PolynomialLR", "total_iters", total_iters, 0)
        self.power = check_real("PolynomialLR", "power", power, 0)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        if not self.total_iters:
            return base_lr
        return base_lr * (1.0 - min(self.total_iters, epoch) / self.total_iters) ** self.power

    def chained_lr(self, lr: float, base_lr: float, epoch: int) -> float:
        """torch's recursion: the ratio of consecutive factors, until ``total_iters``."""
        if epoch == 0 or epoch > self.total_iters:
            return lr
        ratio = (1.0 - epoch / self.total_iters) / (1.0 - (epoch - 1) / self.total_iters)
        return lr * ratio**self.power


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing restarted every cycle (SGDR, Loshchilov & Hutter): cycle i lasts ``T_0 * T_mult^i``
    epochs, and within it ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``,
    T_cur the epochs since the cycle began and T_i its length.

    As torch's, ``step(epoch)`` may be given an epoch, fractional too (``scheduler.step(epoch + i / batches)``
    after each batch), which places T_cur and T_i there; a later ``step()`` adds 1 to T_cur (restarting
    when it reaches T_i) and ``last_epoch`` is the epoch rounded down. Unlike torch, the cycle of a given
    epoch is found by adding whole cycle lengths, not by a floating-point logarithm, so an epoch exactly at
    a restart (e.g. 121 for T_0=1, T_mult=3) starts the new cycle.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,  # noqa: N803
        T_mult: int = 1,  # noqa: N803
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        # a mistyped T_0, T_mult or eta_min is torch's ValueError (and a TypeError, as the library's checks)
        self.T_0 = torch_mistyped(check_positive_int, "CosineAnnealingWarmRestarts", "T_0", T_0)
        self.T_mult = torch_mistyped(check_positive_int, "CosineAnnealingWarmRestarts", "T_mult", T_mult)
        self.eta_min = torch_mistyped(check_real, "CosineAnnealingWarmRestarts", "eta_min", eta_min)
        self.T_i: int = self.T_0
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def initial_step(self) -> None:
        """The first step, as torch's: a fresh schedule goes to epoch 0; one built with ``last_epoch=k`` steps on
        from T_cur = k, T_i = T_0 by one ordinary step (T_cur = (k + 1) mod T_0 if k + 1 >= T_0, with T_i
        = T_0 * T_mult once), not to the cycle that holds epoch k + 1. ``_step_count`` stays 0, as torch's
        (its ``step()`` is its own and does not count)."""
        self._step_count = 0
        self.step()

    def cycle_position(self, epoch: float) -> tuple[float, int]:
        """(T_cur, T_i): the epochs since the cycle holding ``epoch`` began and its length."""
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        begins, length = 0, self.T_0
        while epoch >= begins + length:  # cycles grow geometrically: a few dozen at most
            begins += length
            length *= self.T_mult
        return epoch - begins, length

    def lr_at(self, base_lr: float, epoch: float) -> float:
        position, length = self.cycle_position(epoch)
        return self._annealed(base_lr, position, length)

    def _annealed(self, base_lr: float, position: float, length: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * position / length)) / 2

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch (T_cur + 1, restarting at T_i), or go to ``epoch`` (>= 0, may be fractional)."""
        if epoch is not None or self.last_epoch < 0:
            self.step_to(0 if epoch is None else epoch)
            return
        position, length = self.T_cur + 1, self.T_i
        if position >= length:
            position, length = position % length, length * self.T_mult
        self._place(self.last_epoch + 1, position, length)

    def step_to(self, epoch: float) -> None:
        """Place the schedule at ``epoch`` (>= 0, may be fractional): its cycle, T_cur and the rates."""
        if isinstance(epoch, (bool, np.bool_)) or not isinstance(epoch, numbers.Real):
            raise TypeError(f"CosineAnnealingWarmRestarts: epoch must be a number >= 0, got {epoch!r}")
        if not epoch >= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be a number >= 0, got {epoch!r}")
        self._place(math.floor(epoch), *self.cycle_position(epoch))

    def _place(self, last_epoch: int, position: float, length: int) -> None:
        self.T_cur, self.T_i = position, length
        self._set_lrs(last_epoch, [self._annealed(base_lr, position, length) for base_lr in self.base_lrs])


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at the epochs in ``milestones`` (one fewer than the
    schedulers): scheduler i + 1 restarts from its epoch 0 at milestone i. All must drive ``optimizer``.

    As torch's, building it undoes the first step each scheduler took when it was built, resets every
    group's ``lr`` to its ``initial_lr`` and applies epoch 0 of the scheduler in charge at epoch 0. A
    ``ChainedScheduler`` or another ``SequentialLR`` may be one of them, as in torch: first, it starts at its
    epoch 0 (a chain's schedulers together), so it runs as it would alone (torch 2.13 moves some inner schedules
    one epoch ahead there, which later torch corrects); after a milestone it has no epoch 0 to restart at,
    which is torch's NotImplementedError when it is reached.
    """

    #: state dicts saved here before the keys were torch's hold these two as ``schedulers`` and ``milestones``
    torch_names = {"schedulers": "_schedulers", "milestones": "_milestones"}
    #: torch's SequentialLR run first by another counts that step (``_step_count``), a count nothing reads: a state
    #: dict of torch's that has it loads, passing over it
    torch_derived = frozenset({"_step_count"})

    def __init__(
        self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int], last_epoch: int = -1
    ) -> None:
        owner = "SequentialLR"
        check_optimizer(owner, optimizer)
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{owner}: expected at least one scheduler")
        for index, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{owner}: scheduler {index} is a {type(scheduler).__name__}, not an epoch schedule")
            if getattr(scheduler, "metric_driven", False):
                raise ValueError(f"{owner}: scheduler {index} ({type(scheduler).__name__}) steps on a metric")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{owner}: scheduler {index} drives another optimizer")
        milestones = [check_integer(owner, "milestones", m, 0) for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{owner}: expected {len(schedulers) - 1} milestones for {len(schedulers)} schedulers, "
                f"got {len(milestones)}"
            )
        if milestones != sorted(milestones):
            raise ValueError(f"{owner}: milestones must be increasing, got {milestones}")
        check_integer(owner, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        self.initial_step()

    def initial_step(self) -> None:
        """Apply epoch 0 of the scheduler in charge at epoch 0 (when built, and when run first by another
        ``SequentialLR``, whose undoing of the first steps took that one back too)."""
        first = self._schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    @property
    def schedulers(self) -> list[LRScheduler]:
        """The schedulers run one after another (torch's ``_schedulers``)."""
        return self._schedulers

    @property
    def milestones(self) -> list[int]:
        """The epochs at which the next scheduler takes over (torch's ``_milestones``)."""
        return self._milestones

    def recursive_undo(self, sched: Any = None) -> None:
        """Take back the epoch each scheduler counted when it was built (torch's method): ``last_epoch`` minus 1 for
        ``sched`` (by default, this one), or for each scheduler it runs if it runs others."""
        target = self if sched is None else sched
        if hasattr(target, "_schedulers"):
            for scheduler in target._schedulers:
                self.recursive_undo(scheduler)
        elif hasattr(target, "last_epoch"):
            target.last_epoch -= 1

    def step(self) -> None:
        """Advance one epoch: step the scheduler in charge, restarting it at its epoch 0 on its milestone."""
        epoch = self.last_epoch + 1
        index = bisect.bisect_right(self._milestones, epoch)
        scheduler = self._schedulers[index]
        restart = index > 0 and self._milestones[index - 1] == epoch
        if restart and isinstance(scheduler, (ChainedScheduler, SequentialLR)):  # (torch's get_lr() raises it)
            raise NotImplementedError(
                f"SequentialLR: scheduler {index} is a {type(scheduler).__name__}, which cannot restart at its "
                f"milestone (epoch {epoch}): it has no epoch 0 of its own to go back to; put it first"
            )
        self.last_epoch = epoch
        if restart:
            scheduler.step_to(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """Its own counters (``last_epoch``, ``_milestones``, ``_last_lr``) and each scheduler's ``state_dict()``
        (under ``"_schedulers"``), torch's keys."""
        state = {
            key: copy.deepcopy(value) for key, value in vars(self).items() if key not in ("optimizer", "_schedulers")
        }
        return {**state, "_schedulers": [scheduler.state_dict() for scheduler in self._schedulers]}

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Raise ValueError unless ``state_dict`` is this scheduler's, its schedulers' states included."""
        super().check_state_dict(state_dict)
        state_dict = self.own_names(state_dict)
        if len(state_dict["_schedulers"]) != len(self._schedulers):
            raise ValueError(
                f"SequentialLR.load_state_dict: {len(state_dict['_schedulers'])} schedulers saved, "
                f"this one runs {len(self._schedulers)}"
            )
        for scheduler, saved in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.check_state_dict(saved)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s result (or torch's, or one saved here under ``schedulers`` and
        ``milestones``), checking every part (its schedulers' too) before changing any."""
        self.check_state_dict(state_dict)
        state_dict = self.own_names(state_dict)
        for scheduler, saved in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.load_state_dict(saved)
        for key, value in state_dict.items():
            if key != "_schedulers":
                setattr(self, key, copy.deepcopy(value))
