"""Callbacks for :func:`nn.fit`: the course's stopping criteria.

``fit`` calls, in order: ``on_train_begin(model)``; per epoch ``on_epoch_begin(epoch, model)``,
``on_after_backward(model)`` after every backward pass (before clipping and the optimizer
step; returning True stops training at once, without that step), and
``on_epoch_end(epoch, logs, model)`` with ``logs`` = {"train_loss", "train_acc",
"val_loss", "val_acc"} (None where not measured; True stops after this epoch); finally
``on_train_end(model)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, safe_norm
from autograd.gradient_array import stored_gradient

from .checks import check_choice, check_positive_int, check_real
from .module import Module

MONITORS = {"train_loss": "min", "val_loss": "min", "train_acc": "max", "val_acc": "max"}


def gradient_norm(parameters: Iterable[Node]) -> float:
    """Global gradient norm ||g|| = sqrt(sum_p sum_i g_{p,i}^2) over parameters that have a gradient.

    Overflow-free: the norm of the per-parameter norms (see ``autograd.generic.safe_norm``).
    """
    norms = [
        safe_norm(grad._data if isinstance(grad, Node) else grad)
        for grad in map(stored_gradient, parameters)
        if grad is not None
    ]
    return safe_norm(norms)


def _parameter_copies(model: Module) -> list[np.ndarray]:
    return [np.array(parameter._data, dtype=np.float64) for parameter in model.parameters()]


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    def on_train_begin(self, model: Module) -> None:
        """Called once before the first epoch."""

    def on_epoch_begin(self, epoch: int, model: Module) -> None:
        """Called before each epoch's first batch (epochs count from 0)."""

    def on_after_backward(self, model: Module) -> bool:
        """Called after each backward pass; return True to stop before the optimizer step."""
        return False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Module) -> bool:
        """Called after each epoch with its measurements; return True to stop training."""
        return False

    def on_train_end(self, model: Module) -> None:
        """Called once after the last epoch."""


class GradientNormStop(Callback):
    """Stop when the global gradient norm ||grad L(theta)|| < xi (gradient-descent criterion).

    Checked after every backward pass on that batch's gradient (the full gradient when
    the loader yields one batch per epoch); the step for that gradient is not taken.
    ``norm`` holds the last measured norm, ``steps`` the number of checks made.
    """

    def __init__(self, xi: float) -> None:
        self.xi = check_real("GradientNormStop", "xi", xi, 0, low_open=True)
        self.norm: float | None = None
        self.steps = 0

    def on_train_begin(self, model: Module) -> None:
        self.norm, self.steps = None, 0

    def on_after_backward(self, model: Module) -> bool:
        self.norm = gradient_norm(model.parameters())
        self.steps += 1
        return self.norm < self.xi

    def __repr__(self) -> str:
        return f"GradientNormStop(xi={self.xi})"


class ParameterStepStop(Callback):
    """Stop when one epoch moves the parameters by less than xi: ||theta_end - theta_start|| < xi.

    ``step_norm`` holds the norm of the last epoch's change.
    """

    def __init__(self, xi: float) -> None:
        self.xi = check_real("ParameterStepStop", "xi", xi, 0, low_open=True)
        self.step_norm: float | None = None
        self._start: list[np.ndarray] = []

    def on_train_begin(self, model: Module) -> None:
        self.step_norm = None

    def on_epoch_begin(self, epoch: int, model: Module) -> None:
        self._start = _parameter_copies(model)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Module) -> bool:
        squares = sum(float(np.sum((end - start) ** 2)) for start, end in zip(self._start, _parameter_copies(model)))
        self.step_norm = math.sqrt(squares)
        return self.step_norm < self.xi

    def __repr__(self) -> str:
        return f"ParameterStepStop(xi={self.xi})"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Losses improve by decreasing, accuracies (``train_acc``/``val_acc``) by increasing.
    With ``restore_best_weights`` the model's state (``state_dict``: parameters and
    buffers) of the best epoch is loaded back when training ends. ``best``,
    ``best_epoch`` and ``stopped_epoch`` record what happened.
    """

    def __init__(
        self, patience: int = 5, min_delta: float = 0.0, restore_best_weights: bool = True, monitor: str = "val_loss"
    ) -> None:
        self.patience = check_positive_int("EarlyStopping", "patience", patience)
        self.min_delta = check_real("EarlyStopping", "min_delta", min_delta, 0)
        self.restore_best_weights = bool(restore_best_weights)
        self.monitor = check_choice("EarlyStopping", "monitor", monitor, sorted(MONITORS))
        self.mode = MONITORS[monitor]
        self._reset()

    def on_train_begin(self, model: Module) -> None:
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0
        self._best_state: dict[str, np.ndarray] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, Any], model: Module) -> bool:
        value = logs.get(self.monitor)
        if value is None:
            measured = sorted(key for key, entry in logs.items() if entry is not None)
            raise ValueError(
                f"EarlyStopping: monitor {self.monitor!r} was not measured (epoch logs have {measured}); "
                "pass a val_loader to fit, or a metric for *_acc"
            )
        if self._improved(value):
            self.best, self.best_epoch, self.wait = float(value), epoch, 0
            if self.restore_best_weights:
                self._best_state = {name: array.copy() for name, array in model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: Module) -> None:
        if self.restore_best_weights and self._best_state is not None:
            model.load_state_dict(self._best_state)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, min_delta={self.min_delta}, "
            f"restore_best_weights={self.restore_best_weights})"
        )
