"""``OneCycleLR``: Smith's 1cycle learning-rate (and momentum) policy, stepped once per batch, as torch's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..checks import MissingEntryError, check_choice, check_flag, check_positive_int, check_real, torch_mistyped
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer, per_group

__all__ = ["OneCycleLR"]


class OneCycleLR(LRScheduler):
    """Smith's 1cycle policy, stepped once per batch over ``total_steps`` (or ``epochs * steps_per_epoch``).

    The rate rises from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the steps,
    then falls to ``max_lr / (div_factor * final_div_factor)``; with ``three_phase`` it first comes back
    down to ``max_lr / div_factor`` over as many steps, then falls to the minimum. Each phase anneals from
    a to b by ``anneal_strategy``: 'cos', b + (a - b)(1 + cos(pi p)) / 2, or 'linear', a + (b - a) p, for
    p the fraction of the phase done. With ``cycle_momentum`` the momentum (SGD's ``momentum``, or
    beta1 of Adam's ``betas``) moves the other way between ``max_momentum`` and ``base_momentum``.
    ``max_lr``, ``base_momentum`` and ``max_momentum`` may be given per group. As torch's, it sets
    ``initial_lr``, ``max_lr``, ``min_lr``, ``max_momentum`` and ``base_momentum`` in every group; a step
    past ``total_steps`` is a ValueError.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        owner = "OneCycleLR"
        groups = check_optimizer(owner, optimizer).param_groups
        if total_steps is not None:
            # a mistyped count is torch's ValueError (and a TypeError, as the library's checks)
            self.total_steps = torch_mistyped(check_positive_int, owner, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            epochs = torch_mistyped(check_positive_int, owner, "epochs", epochs)
            self.total_steps = epochs * torch_mistyped(check_positive_int, owner, "steps_per_epoch", steps_per_epoch)
        else:
            raise ValueError(f"{owner}: give total_steps, or both epochs and steps_per_epoch")
        pct_start = check_real(owner, "pct_start", pct_start, 0, 1)
        self.anneal_strategy = check_choice(owner, "anneal_strategy", anneal_strategy, ("cos", "linear"))
        self.cycle_momentum = check_flag(owner, "cycle_momentum", cycle_momentum)
        div_factor = check_real(owner, "div_factor", div_factor, 0, low_open=True)
        final_div_factor = check_real(owner, "final_div_factor", final_div_factor, 0, low_open=True)
        self.three_phase = check_flag(owner, "three_phase", three_phase)
        max_lrs = [check_real(owner, "max_lr", lr, 0) for lr in per_group(owner, "max_lr", max_lr, len(groups))]
        momenta = {
            name: [check_real(owner, name, m, 0) for m in per_group(owner, name, value, len(groups))]
            for name, value in (("base_momentum", base_momentum), ("max_momentum", max_momentum))
        }
        self.use_beta1 = "betas" in optimizer.defaults
        if self.cycle_momentum and not (self.use_beta1 or "momentum" in optimizer.defaults):
            raise ValueError(f"{owner}: cycle_momentum needs an optimizer with momentum or betas (e.g. SGD, Adam)")
        if last_epoch != -1:  # (a missing entry is torch's KeyError: a MissingEntryError is both)
            needed = ("initial_lr", "max_lr", "min_lr")
            missing = {n: [key for key in needed if key not in group] for n, group in enumerate(groups)}
            missing = {n: keys for n, keys in missing.items() if keys}
            if missing:
                raise MissingEntryError(
                    f"{owner}: resuming at last_epoch={last_epoch} needs the param groups' entries set by OneCycleLR; "
                    f"missing (group: keys) {missing}"
                )
        self.phases = self._phases(pct_start)
        if last_epoch == -1:
            for group, top, base_m, max_m in zip(groups, max_lrs, momenta["base_momentum"], momenta["max_momentum"]):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
                if self.cycle_momentum:
                    group["max_momentum"], group["base_momentum"] = max_m, base_m
        super().__init__(optimizer, last_epoch)

    #: torch's name for ``anneal_strategy``
    torch_names = {"_anneal_func_type": "anneal_strategy"}
    #: torch's state lacks ``use_beta1`` when the momentum does not cycle (it is then never read)
    optional_state = (*LRScheduler.optional_state, "use_beta1")

    def own_names(self, state_dict: Any) -> Any:
        """As :meth:`LRScheduler.own_names`; torch's ``_schedule_phases`` (a dict per phase: ``end_step``,
        ``start_lr``, ``end_lr``, ``start_momentum``, ``end_momentum``) become ``phases`` and ``three_phase``."""
        state_dict = super().own_names(state_dict)
        if not isinstance(state_dict, dict) or "_schedule_phases" not in state_dict:
            return state_dict
        torch_phases = state_dict.pop("_schedule_phases")
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        try:
            state_dict["phases"] = [tuple(phase[key] for key in keys) for phase in torch_phases]
        except (TypeError, KeyError):
            raise ValueError(f"OneCycleLR.load_state_dict: unreadable _schedule_phases {torch_phases!r}") from None
        state_dict["three_phase"] = len(torch_phases) == 3
        return state_dict

    def _phases(self, pct_start: float) -> list[tuple[float, str, str, str, str]]:
        """(last step, start rate key, end rate key, start momentum key, end momentum key) of each phase."""
        rise = pct_start * self.total_steps - 1
        if self.three_phase:
            return [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * pct_start * self.total_steps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        return [
            (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]

    def _anneal(self, start: float, end: float, fraction: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def _at(self, group: dict[str, Any], step: int) -> tuple[float, float | None]:
        """(lr, momentum or None) of ``group`` after ``step`` steps."""
        phase_start = 0.0
        for number, (phase_end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(self.phases):
            if step <= phase_end or number == len(self.phases) - 1:
                fraction = (step - phase_start) / (phase_end - phase_start)
                lr = self._anneal(group[lr_from], group[lr_to], fraction)
                if not self.cycle_momentum:
                    return lr, None
                return lr, self._anneal(group[momentum_from], group[momentum_to], fraction)
            phase_start = phase_end
        raise AssertionError("the last phase always matches")

    def lrs_at(self, epoch: int) -> list[float]:
        if epoch > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {epoch} times; total_steps is {self.total_steps}")
        return [self._at(group, epoch)[0] for group in self.optimizer.param_groups]

    def step_to(self, epoch: int) -> None:
        super().step_to(epoch)
        if not self.cycle_momentum:
            return
        for group in self.optimizer.param_groups:
            momentum = self._at(group, epoch)[1]
            if self.use_beta1:
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum
