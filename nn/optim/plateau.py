"""``ReduceLROnPlateau``: cut the learning rate when a watched metric stops improving, as torch's."""

from __future__ import annotations

import math
from typing import Any

from ..checks import MistypedArgumentError, check_choice, check_integer, check_real
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_epoch, check_optimizer, per_group

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(LRScheduler):
    """Multiply every group's ``lr`` by ``factor`` (not below its ``min_lr``) once the metric passed to
    ``step(metric)`` has not improved for more than ``patience`` steps; then wait ``cooldown`` steps, during
    which bad steps are not counted.

    A value improves on the best so far when, for ``mode`` 'min' ('max' mirrors it), it is below
    best * (1 - threshold) (``threshold_mode`` 'rel') or best - threshold ('abs'). A reduction smaller than
    ``eps`` is skipped. Unlike the epoch schedules it does not touch the rates when built; ``min_lr`` may be
    one per group. A group added to the optimizer later gets the one ``min_lr`` given for all (a list of them is
    a RuntimeError at the next reduction, as torch's).
    """

    #: Its ``step`` takes the metric, so ``SequentialLR`` cannot drive it.
    metric_driven = True
    #: state dicts saved before groups added later were covered lack ``default_min_lr``
    optional_state = ("_step_count", "default_min_lr")
    #: the worst value of the mode (:attr:`mode_worse`), saved as torch saves it, is read from ``mode`` on loading
    torch_derived = frozenset({"mode_worse"})

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        owner = "ReduceLROnPlateau"
        check_optimizer(owner, optimizer)
        self.mode = check_choice(owner, "mode", mode, ("min", "max"))
        self.factor = check_real(owner, "factor", factor, 0, 1, high_open=True)
        self.patience = check_integer(owner, "patience", patience, 0)
        self.threshold = check_real(owner, "threshold", threshold, 0)
        self.threshold_mode = check_choice(owner, "threshold_mode", threshold_mode, ("rel", "abs"))
        self.cooldown = check_integer(owner, "cooldown", cooldown, 0)
        groups = len(optimizer.param_groups)
        self.min_lrs = [check_real(owner, "min_lr", lr, 0) for lr in per_group(owner, "min_lr", min_lr, groups)]
        #: the one min_lr given for every group (None for a list): what a group added to the optimizer later gets
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else self.min_lrs[0] if groups else None
        self.eps = check_real(owner, "eps", eps, 0)
        self.optimizer = optimizer
        self._reset()
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As :meth:`LRScheduler.check_state_dict`, but ``min_lrs`` saved before the optimizer gained a group (one
        ``min_lr`` given for all, ``default_min_lr``) loads: the next reduction extends it, as torch's."""
        if state_dict.get("default_min_lr") is not None and isinstance(state_dict.get("min_lrs"), list):
            state_dict = {**state_dict, "min_lrs": [state_dict["default_min_lr"]] * len(self.optimizer.param_groups)}
        super().check_state_dict(state_dict)

    def _match_min_lrs_to_groups(self) -> None:
        """As torch's: after ``add_param_group``, one ``min_lr`` given for all groups covers the new ones too; a
        list of them cannot, and is a RuntimeError."""
        groups = len(self.optimizer.param_groups)
        if groups == len(self.min_lrs):
            return
        if self.default_min_lr is None:
            raise RuntimeError(
                f"ReduceLROnPlateau: the optimizer has {groups} param groups, but min_lr was given for "
                f"{len(self.min_lrs)} (a param group was added since); set the scheduler's min_lrs to one value "
                "per group"
            )
        self.min_lrs = [self.default_min_lr] * groups

    @property
    def mode_worse(self) -> float:
        """The worst value of the mode, where ``best`` starts (torch's attribute): inf for 'min', -inf for 'max'."""
        return math.inf if self.mode == "min" else -math.inf

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state, with torch's ``mode_worse``."""
        return {**super().state_dict(), "mode_worse": self.mode_worse}

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting out ``cooldown`` after a reduction (torch's property): no bad step is
        counted until it ends."""
        return self.cooldown_counter > 0

    def _is_better(self, value: float, best: float) -> bool:
        """Whether ``value`` improves on ``best``: torch's tests, best * (1 -+ threshold) or best -+ threshold
        (torch's method of this name, which ``step`` calls: a subclass may override it)."""
        if self.threshold_mode == "rel":
            return value < best * (1 - self.threshold) if self.mode == "min" else value > best * (1 + self.threshold)
        return value < best - self.threshold if self.mode == "min" else value > best + self.threshold

    def is_better(self, value: float, best: float) -> bool:
        """:meth:`_is_better` under torch's former public name."""
        return self._is_better(value, best)

    def _reset(self) -> None:
        """Forget the best value and the bad and cooldown steps counted so far (torch's method)."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _reduce_lr(self, epoch: int) -> None:
        """Multiply every group's ``lr`` by ``factor``, not below its ``min_lr``, skipping a cut smaller than ``eps``
        (torch's method of this name, which ``step`` calls after a plateau: a subclass may override it)."""
        self._match_min_lrs_to_groups()
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            new_lr = max(float(group["lr"]) * self.factor, min_lr)
            if float(group["lr"]) - new_lr > self.eps:
                group["lr"] = new_lr

    def step(self, metrics: Any = None, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record ``metrics`` (a number, e.g. the validation loss) and reduce the rates after a plateau.

        ``epoch`` (deprecated in torch, which warns, as here) sets ``last_epoch`` instead of counting on."""
        if metrics is None:
            raise TypeError("ReduceLROnPlateau.step: pass the watched metric, e.g. scheduler.step(validation_loss)")
        try:  # a number, a one-element array or Tensor (torch's float(metrics))
            value = float(getattr(metrics, "item", lambda: metrics)())
        except (TypeError, ValueError) as error:  # (torch's float("a"): a ValueError, which this is too)
            raise (MistypedArgumentError if isinstance(error, ValueError) else TypeError)(
                f"ReduceLROnPlateau.step: the metric must be one number (a float, or a one-element array or Tensor), "
                f"got {type(metrics).__name__} {str(metrics)[:60]}"
            ) from None
        self.last_epoch = self.last_epoch + 1 if epoch is None else check_epoch("ReduceLROnPlateau", epoch)
        if self._is_better(value, self.best):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(self.last_epoch)
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
