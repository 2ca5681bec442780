"""``ChainedScheduler``: step several learning-rate schedulers of one optimizer together, as torch's."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer

__all__ = ["ChainedScheduler"]


class ChainedScheduler(LRScheduler):
    """Call ``step()`` of each of ``schedulers``, in order, on each ``step()``; all drive one optimizer
    (``optimizer``, by default the first scheduler's).

    The chainable schedules (``ConstantLR``, ``ExponentialLR``, ...) each move the rate the previous one
    left, so their factors multiply: ``ChainedScheduler([ConstantLR(o, 0.1, 20), ExponentialLR(o, 0.9)])``
    gives ``base_lr * 0.1 * 0.9^epoch`` for 20 epochs, then ``base_lr * 0.9^epoch``. A closed-form schedule
    (``LambdaLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``) sets its own rate, as in torch. Building it
    steps nothing (each scheduler already applied its epoch 0); ``ReduceLROnPlateau`` cannot be chained
    (its ``step`` needs the metric).
    """

    #: state dicts saved here before the key was torch's hold the schedulers' states under ``schedulers``
    torch_names = {"schedulers": "_schedulers"}
    #: torch's chain counts the step it takes when SequentialLR runs it first (``_step_count``), a count nothing
    #: reads: a state dict of torch's that has it loads, passing over it
    torch_derived = frozenset({"_step_count"})

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        owner = "ChainedScheduler"
        if isinstance(schedulers, LRScheduler) or not isinstance(schedulers, Sequence):
            raise TypeError(f"{owner}: schedulers must be a list of schedulers, got {type(schedulers).__name__}")
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{owner}: expected at least one scheduler to chain, got none")
        for index, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{owner}: scheduler {index} is a {type(scheduler).__name__}, not a scheduler")
            if getattr(scheduler, "metric_driven", False):
                raise ValueError(
                    f"{owner}: scheduler {index} ({type(scheduler).__name__}) steps on a metric and cannot be chained"
                )
        optimizer = schedulers[0].optimizer if optimizer is None else check_optimizer(owner, optimizer)
        for index, scheduler in enumerate(schedulers):
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{owner}: scheduler {index} ({type(scheduler).__name__}) drives another optimizer")
        self.optimizer = optimizer
        self._schedulers = schedulers
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def initial_step(self) -> None:
        """Apply each scheduler's first epoch, in order (``SequentialLR`` calls it when the chain runs first): as
        torch's, the chainable ones' epoch-0 factors multiply. No warning: the user has stepped nothing yet."""
        for scheduler in self._schedulers:
            scheduler._initial_step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    @property
    def schedulers(self) -> list[LRScheduler]:
        """The chained schedulers, in the order they step (torch's ``_schedulers``)."""
        return self._schedulers

    def step(self) -> None:
        """Step every scheduler, in order; the rates are the last one's."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Its last rates and each scheduler's ``state_dict()`` (under ``"_schedulers"``, torch's key)."""
        return {"_last_lr": copy.deepcopy(self._last_lr), "_schedulers": [s.state_dict() for s in self._schedulers]}

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Raise ValueError unless ``state_dict`` is this chain's, its schedulers' states included."""
        super().check_state_dict(state_dict)
        saved = self.own_names(state_dict)["_schedulers"]
        if not isinstance(saved, list) or len(saved) != len(self._schedulers):
            raise ValueError(
                f"ChainedScheduler.load_state_dict: expected a list of {len(self._schedulers)} scheduler states, "
                f"got {type(saved).__name__} of length {len(saved) if isinstance(saved, list) else '?'}"
            )
        for scheduler, state in zip(self._schedulers, saved):
            scheduler.check_state_dict(state)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s result (or torch's, or one saved here under ``schedulers``), checking every part (its schedulers' too) before
        changing any."""
        self.check_state_dict(state_dict)
        state_dict = self.own_names(state_dict)
        for scheduler, state in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.load_state_dict(state)
        self._last_lr = copy.deepcopy(state_dict["_last_lr"])
