"""``CyclicLR``: the learning rate (and momentum) cycling between two bounds, stepped once per batch."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..checks import check_choice, check_flag, check_integer, check_positive_int, check_real
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer, function_state, per_group, restore_function_state, whole_count

__all__ = ["CYCLIC_MODES", "CyclicLR"]

#: The built-in scale policies: (scale of cycle c or of iteration i, what it is a function of).
CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    """Smith's cyclical learning rates, as torch's: each cycle rises linearly from ``base_lr`` to ``max_lr``
    over ``step_size_up`` steps and falls back over ``step_size_down`` (default: as many; 0 makes a sawtooth that
    drops back to ``base_lr`` at once, as torch's), the height of the cycle scaled by a policy:

    * ``triangular``: 1 (every cycle the same);
    * ``triangular2``: 1 / 2^(c - 1) in cycle c = 1, 2, ... (halved each cycle);
    * ``exp_range``: ``gamma^i`` at step i;
    * ``scale_fn``: a function of the cycle (``scale_mode="cycle"``) or of the step ("iterations"),
      in place of ``mode``.

    With ``cycle_momentum`` the momentum (SGD's ``momentum`` or beta1 of ``betas``) moves the other way,
    from ``max_momentum`` down to ``base_momentum`` and back. ``base_lr``, ``max_lr`` and the momenta may be
    given per group. As torch's, building it sets each group's ``lr`` to its ``base_lr`` (and its momentum
    to ``max_momentum``, recording ``max_momentum`` and ``base_momentum`` in the group). The ``scale_fn`` given is
    kept as torch keeps it, in ``_scale_fn_custom``, and the method :meth:`scale_fn` applies it or the mode's policy,
    as torch's. It is not state (``load_state_dict`` keeps the current one), but, as torch's, ``state_dict()`` saves
    the attributes of one that is a callable object under ``_scale_fn_custom``, and ``load_state_dict`` gives them
    back.
    """

    not_state = ("optimizer", "_scale_fn_custom")
    torch_derived = frozenset({"_scale_fn_custom"})

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | Sequence[float],
        max_lr: float | Sequence[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.8,
        max_momentum: float | Sequence[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        owner = "CyclicLR"
        groups = check_optimizer(owner, optimizer).param_groups

        def per_group_reals(name: str, value: Any) -> list[float]:
            return [check_real(owner, name, item, 0) for item in per_group(owner, name, value, len(groups))]

        base_lrs, self.max_lrs = per_group_reals("base_lr", base_lr), per_group_reals("max_lr", max_lr)
        up = whole_count(check_positive_int, owner, "step_size_up", step_size_up)
        down = up if step_size_down is None else whole_count(check_integer, owner, "step_size_down", step_size_down, 0)
        self.total_size = float(up + down)
        self.step_ratio = up / self.total_size
        if scale_fn is None:
            self.mode = check_choice(owner, "mode", mode, CYCLIC_MODES)
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        elif not callable(scale_fn):
            raise TypeError(f"{owner}: scale_fn must be a function of the cycle or step, got {scale_fn!r}")
        else:
            self.mode = mode
            self.scale_mode = check_choice(owner, "scale_mode", scale_mode, ("cycle", "iterations"))
        self.gamma = check_real(owner, "gamma", gamma, 0)
        self._scale_fn_custom = scale_fn
        self.cycle_momentum = check_flag(owner, "cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{owner}: cycle_momentum needs an optimizer with momentum or betas (e.g. SGD, Adam)")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = per_group_reals("base_momentum", base_momentum)
            self.max_momentums = per_group_reals("max_momentum", max_momentum)
        if last_epoch == -1:
            for number, group in enumerate(groups):
                group["lr"] = base_lrs[number]
                if self.cycle_momentum:
                    self._set_momentum(group, self.max_momentums[number])
                    group["max_momentum"] = self.max_momentums[number]
                    group["base_momentum"] = self.base_momentums[number]
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state, with torch's ``_scale_fn_custom``: the attributes of a ``scale_fn`` that is a
        callable object (None for a plain function, or without one)."""
        state = super().state_dict()
        custom = self._scale_fn_custom
        state["_scale_fn_custom"] = None if custom is None else function_state(custom)
        return state

    def restore_torch_extras(self, state_dict: Any) -> None:
        saved = state_dict.get("_scale_fn_custom") if isinstance(state_dict, dict) else None
        if saved is not None and self._scale_fn_custom is not None:
            restore_function_state("CyclicLR", [self._scale_fn_custom], [saved])

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def scale_fn(self, x: float) -> float:
        """The scaling policy at ``x`` (a cycle, or a step for ``scale_mode="iterations"``), torch's method: the
        ``scale_fn`` given, else the mode's, 1 (triangular), 1 / 2^(x - 1) (triangular2) or gamma^x (exp_range)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x if self.mode == "exp_range" else 1.0

    def scale(self, cycle: int, epoch: int) -> float:
        """The height of the cycle, relative to the first: the policy at ``cycle`` or at step ``epoch``."""
        return self.scale_fn(cycle if self.scale_mode == "cycle" else epoch)

    def _position(self, epoch: int) -> tuple[float, float]:
        """(the fraction of the way from the bottom to the top at step ``epoch``, the cycle's scale)."""
        cycle = math.floor(1 + epoch / self.total_size)
        x = 1.0 + epoch / self.total_size - cycle
        rise = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        return rise, self.scale(cycle, epoch)

    def lrs_at(self, epoch: int) -> list[float]:
        rise, scale = self._position(epoch)
        return [base + (top - base) * rise * scale for base, top in zip(self.base_lrs, self.max_lrs)]

    def step_to(self, epoch: int) -> None:
        super().step_to(epoch)
        if self.cycle_momentum:
            rise, scale = self._position(epoch)
            momenta = zip(self.base_momentums, self.max_momentums)
            for group, (low, high) in zip(self.optimizer.param_groups, momenta):
                self._set_momentum(group, high - (high - low) * rise * scale)
