"""``LRScheduler``: the base of the epoch-counting learning-rate schedules of :mod:`nn.optim.lr_scheduler`.

A subclass states its schedule once, as ``lr_at(base_lr, epoch)`` (or ``lrs_at(epoch)`` for all groups);
the base class keeps the epoch count, writes ``group["lr"]``, and saves and restores its state. torch's
extension point works too: a subclass that only overrides ``get_lr()`` (every group's rate for the current
``last_epoch``, usually from ``self.base_lrs`` or the groups' current ``lr``) is stepped with it, as torch's. A schedule
that torch *chains* (its step moves whatever rate the group has, so several schedulers on one optimizer
compose, as ``ChainedScheduler`` relies on) also gives that move as ``chained_lr(lr, base_lr, epoch)``;
``step()`` then uses it, and the closed form serves an explicit epoch (``step_to``) and a resumed build.
"""

from __future__ import annotations

import copy
import functools
import numbers
import types
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ..checks import MissingEntryError, check_integer, check_real
from ..warning_site import user_stacklevel
from .optimizer import Optimizer, _number_of

__all__ = [
    "EPOCH_DEPRECATION_WARNING",
    "STEP_ORDER_WARNING",
    "STEP_OVERRIDDEN_WARNING",
    "LRScheduler",
    "check_epoch",
    "check_optimizer",
    "per_group",
    "restore_function_state",
]

#: torch's warning for ``scheduler.step(epoch)``, word for word.
EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available. Please open an issue if "
    "you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose."
)


#: torch's warning for a first ``scheduler.step()`` before any ``optimizer.step()``, word for word.
#: torch's UserWarning for ``get_lr()`` called by a user (the rates it computes are those of the step in progress)
GET_LR_WARNING = "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should "
    "call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will "
    "result in PyTorch skipping the first value of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)

#: torch's warning for a first ``scheduler.step()`` when ``optimizer.step`` was replaced on the optimizer after the
#: scheduler was built (the scheduler cannot tell whether the replacement ran), word for word
STEP_OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, make "
    "sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def _track_step_calls(optimizer: Optimizer) -> None:
    """Make a ``step`` set on ``optimizer`` itself (a wrapper put there before the scheduler was built) note its calls
    (``_opt_called``, which the class's ``step`` notes itself) and mark it as torch's scheduler marks the step it
    wraps (``_wrapped_by_lr_sched``), so a ``step`` set there after the scheduler was built is told apart."""
    step = optimizer.__dict__.get("step")
    if step is None or getattr(step, "_wrapped_by_lr_sched", False):
        return
    owner = weakref.ref(optimizer)  # (the wrapper is kept on the optimizer: no reference cycle through it)

    @functools.wraps(step)
    def tracked(*args: Any, **kwargs: Any) -> Any:
        target = owner()
        if target is not None:
            target._opt_called = True
        return step(*args, **kwargs)

    tracked._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    optimizer.step = tracked  # type: ignore[method-assign]


def whole_count(check: Callable[..., int], owner: str, name: str, value: Any, *bounds: Any) -> Any:
    """``check(owner, name, value, *bounds)`` (an integer check of nn.checks) that also takes a whole float, as torch's
    schedulers take ``T_max=10.0`` or ``StepLR(optimizer, 1.0)`` (they do not check the type): the float is checked
    as the int it equals and kept as given, as torch's state_dict keeps it; 2.5 stays refused."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        check(owner, name, int(value), *bounds)
        return value
    return check(owner, name, value, *bounds)


def check_epoch(owner: str, epoch: Any) -> float:
    """An explicit ``step(epoch)``'s epoch, after torch's deprecation warning (UserWarning): an int >= 0, or a finite
    real >= 0 (torch's ``step(epoch + i / batches)``: a fractional epoch, which the closed forms take as they take a
    whole one), as a float."""
    if isinstance(epoch, numbers.Integral) and not isinstance(epoch, (bool, np.bool_)):
        epoch = check_integer(f"{owner}.step", "epoch", epoch, 0)
    else:
        epoch = check_real(f"{owner}.step", "epoch", epoch, 0)
    warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=3)
    return epoch


def check_optimizer(owner: str, optimizer: Any) -> Optimizer:
    """``optimizer`` if it is an nn.optim.Optimizer, else a TypeError naming ``owner``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an nn.optim.Optimizer, got {type(optimizer).__name__}")
    return optimizer


def per_group(owner: str, name: str, value: Any, groups: int) -> list[Any]:
    """``value`` repeated for each of ``groups`` param groups, or a list/tuple of exactly one per group."""
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{owner}: expected {groups} values of {name}, one per param group, got {len(value)}")
        return list(value)
    return [value] * groups


class LRScheduler:
    """Base class: subclasses define ``lr_at(base_lr, epoch)`` (or ``lrs_at(epoch)`` for all groups at once),
    or, as in torch, ``get_lr()`` alone."""

    #: Attributes that are not state: not in ``state_dict()`` and kept by ``load_state_dict``.
    not_state: tuple[str, ...] = ("optimizer",)
    #: State that a saved dict may lack (saved before it existed): the current value is kept.
    optional_state: tuple[str, ...] = ("_step_count",)
    #: torch's keys for state kept here under other names ({torch's key: attribute}), and the entries of torch's
    #: state dicts that are derived here from the rest (passed over): so a state dict saved by torch loads.
    torch_names: dict[str, str] = {}
    torch_derived: frozenset[str] = frozenset()
    #: Calls of ``step()`` so far, the one at construction included (torch's ``_step_count``).
    _step_count = 0
    #: torch's bookkeeping flags (see ``__init__``), also for the schedulers that run others and build no rates
    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        check_optimizer(owner, optimizer)
        check_integer(owner, "last_epoch", last_epoch, -1)
        _track_step_calls(optimizer)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            missing = [number for number, group in enumerate(optimizer.param_groups) if "initial_lr" not in group]
            if missing:  # (torch's KeyError: a MissingEntryError is both)
                raise MissingEntryError(
                    f"{owner}: resuming at last_epoch={last_epoch} needs 'initial_lr' in param groups {missing}"
                )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._last_lr: list[float] = []
        #: torch's bookkeeping flags, in its state dicts too: True only while ``step()`` computes the rates
        #: (``get_lr()`` called from within a step) and while the step taken at construction runs
        self._get_lr_called_within_step = False
        self._is_initial = False
        self._initial_step()  # (which leaves ``_step_count`` at 1, as torch's first step)

    #: Whether a build with ``last_epoch=k`` (resuming) leaves every group's rate as it is, only counting epoch
    #: k + 1: torch 2.13's ExponentialLR, CosineAnnealingLR, LinearLR and PolynomialLR (and MultiplicativeLR), whose
    #: first step keeps the rates an optimizer's state dict brought back.
    keeps_rates_when_resumed = False

    def _initial_step(self) -> None:
        """:meth:`initial_step` with ``_is_initial`` True while it runs (torch's method of this name)."""
        self._is_initial = True
        try:
            self.initial_step()
        finally:
            self._is_initial = False

    def initial_step(self) -> None:
        """Apply the first epoch: called when the scheduler is built (and by ``SequentialLR`` for its first one).

        A fresh scheduler steps to epoch 0. One built with ``last_epoch=k``, as torch's, goes to epoch k + 1 from
        the groups' current rates (those of the optimizer's loaded state dict): kept as they are where
        ``keeps_rates_when_resumed``, else moved by the step a schedule that chains takes (StepLR halves them at
        its step), else set to the closed form of k + 1 (LambdaLR's; a ``get_lr()``-only schedule steps to k + 1
        with ``get_lr()``).
        """
        self._step_count = 0  # this step is not the user's: it never warns (see ``step``)
        if self.last_epoch != -1 and self.keeps_rates_when_resumed:
            self.last_epoch += 1
            self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
        elif self.last_epoch == -1 or not self._has_closed_form() or self.chained_lr is not None:
            self.step()
        else:
            self.step_to(self.last_epoch + 1)
        self._step_count = 1

    def _overrides_get_lr(self) -> bool:
        """Whether a subclass defines ``get_lr()`` (torch's extension point), which ``step()`` then uses."""
        return type(self).get_lr is not LRScheduler.get_lr

    def _has_closed_form(self) -> bool:
        """Whether the schedule has a closed form (``lr_at`` or ``lrs_at``), which ``step(epoch)`` uses."""
        return type(self).lr_at is not LRScheduler.lr_at or type(self).lrs_at is not LRScheduler.lrs_at

    def get_lr(self) -> list[float]:
        """Every group's learning rate for the current ``last_epoch``, as ``step()`` computes it: the chained
        form from each group's current rate where the schedule chains, else the closed form (torch's method;
        ``get_last_lr()`` gives the rates the last step set). Override it alone to write a schedule, as in torch.
        Called outside ``step()``, it warns as torch's (UserWarning: use ``get_last_lr()``).
        """
        if self.chained_lr is None and not self._has_closed_form():  # (ReduceLROnPlateau, SequentialLR, ...)
            raise self._no_rates()
        if self.chained_lr is None:
            rates = self.lrs_at(self.last_epoch)
        else:
            groups, epoch = self.optimizer.param_groups, self.last_epoch
            rates = [self.chained_lr(group["lr"], base, epoch) for group, base in zip(groups, self._group_base_lrs())]
        self._warn_if_outside_step()
        return rates

    def _group_base_lrs(self) -> list[float | None]:
        """``base_lrs`` with one entry per param group: a group added (``add_param_group``) after the scheduler was
        built has no base rate (None). torch's chained step moves it with the others all the same (StepLR decays
        its ``lr`` too); only a step that needs the base rate (CosineAnnealingLR's out of its trough) refuses it."""
        missing = len(self.optimizer.param_groups) - len(self.base_lrs)
        return self.base_lrs + [None] * missing if missing > 0 else self.base_lrs

    def _warn_if_outside_step(self) -> None:
        """torch's UserWarning for ``get_lr()`` called by a user rather than by ``step()``."""
        if not self._get_lr_called_within_step:
            warnings.warn(GET_LR_WARNING, UserWarning, stacklevel=user_stacklevel())

    def _warn_if_before_optimizer_step(self) -> None:
        """torch's UserWarning for the first ``step()`` after construction when the optimizer never stepped, or when
        its ``step`` was replaced on the optimizer after the scheduler was built."""
        if self._step_count == 1:
            replaced = self.optimizer.__dict__.get("step")
            if replaced is not None and not getattr(replaced, "_wrapped_by_lr_sched", False):
                warnings.warn(STEP_OVERRIDDEN_WARNING, UserWarning, stacklevel=3)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(STEP_ORDER_WARNING, UserWarning, stacklevel=3)
        self._step_count += 1

    def _no_rates(self) -> NotImplementedError:
        """The error of a schedule asked for rates it does not compute (torch's base ``get_lr()`` raises it too)."""
        return NotImplementedError(
            f"{type(self).__name__} computes no rates of its own: define get_lr() (or lr_at(base_lr, epoch))"
        )

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate of a group starting at ``base_lr`` after ``epoch`` steps."""
        raise self._no_rates()

    def lrs_at(self, epoch: int) -> list[float]:
        """Every group's learning rate after ``epoch`` steps."""
        return [self.lr_at(base_lr, epoch) for base_lr in self.base_lrs]

    #: ``chained_lr(lr, base_lr, epoch)``: a group's rate after stepping to ``epoch`` from its current rate
    #: ``lr`` (torch's chainable form), for the schedules torch chains; None: ``step()`` sets the closed form.
    chained_lr: Any = None

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set every group's ``lr`` (from its current rate when the schedule chains).

        ``step(epoch)`` (deprecated in torch, which warns, as here) jumps to ``epoch`` and sets the closed-form
        rate there; a later ``step()`` goes on from it. A subclass overriding ``get_lr()`` gets its rates from
        it (for ``step(epoch)`` too, unless it has a closed form). The first ``step()`` after construction warns
        (UserWarning, torch's words) when the optimizer has not stepped yet."""
        self._warn_if_before_optimizer_step()
        if epoch is not None:
            epoch = check_epoch(type(self).__name__, epoch)
        self._get_lr_called_within_step = True
        try:
            self._update_lr(epoch)
        finally:
            self._get_lr_called_within_step = False

    def _update_lr(self, epoch: float | None) -> None:
        """Set the rates of ``epoch`` (the next one for None), the work of :meth:`step` (torch's method of this name)."""
        if epoch is not None:
            self.step_to(epoch)
            return
        epoch = self.last_epoch + 1
        if self._overrides_get_lr() or not self._has_closed_form():
            self.last_epoch = epoch
            self._set_lrs(epoch, list(self.get_lr()))
            return
        if self.chained_lr is None:
            self.step_to(epoch)
            return
        groups = self.optimizer.param_groups
        bases = self._group_base_lrs()
        self._set_lrs(epoch, [self.chained_lr(group["lr"], base, epoch) for group, base in zip(groups, bases)])

    def step_to(self, epoch: int) -> None:
        """Set every group's ``lr`` to the schedule's value at ``epoch`` (``SequentialLR`` restarts at 0). A schedule
        written as torch's, with ``get_lr()`` alone, sets (as torch's) the rates of its ``_get_closed_form_lr()``
        if it defines one, else those ``get_lr()`` gives at ``epoch``."""
        if self._has_closed_form():
            self._set_lrs(epoch, self.lrs_at(epoch))  # may refuse the epoch (OneCycleLR past its end): nothing changed
            return
        self.last_epoch = epoch
        within, self._get_lr_called_within_step = self._get_lr_called_within_step, True
        try:
            closed_form = getattr(self, "_get_closed_form_lr", None)
            rates = list(closed_form() if closed_form is not None else self.get_lr())
        finally:
            self._get_lr_called_within_step = within
        self._set_lrs(epoch, rates)

    def _set_lrs(self, epoch: int, lrs: list[float]) -> None:
        if len(lrs) != len(self.optimizer.param_groups):
            raise ValueError(
                f"{type(self).__name__}: got {len(lrs)} learning rates for {len(self.optimizer.param_groups)} "
                "param groups (get_lr() must return one per group)"
            )
        self.last_epoch = epoch
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per param group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the scheduler's attributes except the optimizer (and functions, see ``not_state``)."""
        return {key: copy.deepcopy(value) for key, value in vars(self).items() if key not in self.not_state}

    def check_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Raise ValueError unless ``state_dict`` has this scheduler's keys and one entry per group in its lists
        (a state dict saved by torch is read as :meth:`own_names` reads it)."""
        state_dict = self.own_names(state_dict)
        # (torch_derived: read by restore_torch_extras, not restored as state; the bookkeeping flags: kept as they are)
        expected = set(self.state_dict()) - self.torch_derived - TORCH_BOOKKEEPING
        missing = sorted(expected - set(state_dict) - set(self.optional_state))
        unexpected = sorted(set(state_dict) - expected, key=str)
        if missing or unexpected:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        current = self.state_dict()
        wrong = [
            f"{key} ({_kind_of(state_dict[key])} where this scheduler holds {_kind_of(current[key])})"
            for key in sorted(set(state_dict) & set(current))
            if not _same_kind(state_dict[key], current[key])
            and not (state_dict[key] is None and key != "last_epoch")  # (torch saves None for some of its numbers)
        ]
        if wrong:
            raise ValueError(f"{type(self).__name__}.load_state_dict: entries of the wrong type: {', '.join(wrong)}")
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "min_lrs"):
            if key in state_dict and len(state_dict[key]) != groups:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: {len(state_dict[key])} {key} saved, "
                    f"the optimizer has {groups} param groups"
                )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore attributes saved by :meth:`state_dict` (or by torch's scheduler of the same name); missing or
        unexpected keys raise ValueError."""
        self.check_state_dict(state_dict)  # (which reads it as own_names does)
        self.restore_torch_extras(state_dict)
        for key, value in self.own_names(state_dict).items():
            setattr(self, key, copy.deepcopy(value))

    def restore_torch_extras(self, state_dict: Any) -> None:
        """Between :meth:`load_state_dict`'s check and its restore: use what a state dict saved by torch holds
        beyond this scheduler's state (the entries ``torch_derived`` passes over); nothing here."""

    def own_names(self, state_dict: Any) -> Any:
        """``state_dict`` as this scheduler saves it: torch's keys renamed (``torch_names``), and torch's bookkeeping
        flags (:data:`TORCH_BOOKKEEPING`) and derived entries (``torch_derived``) left out."""
        if not isinstance(state_dict, dict):
            return state_dict
        passed_over = TORCH_BOOKKEEPING | self.torch_derived
        return {
            self.torch_names.get(key, key): _numbers_for_tensors(value)
            for key, value in state_dict.items()
            if key not in passed_over
        }


def _numbers_for_tensors(value: Any) -> Any:
    """``value`` with each one-element real tensor as a float, in a list or tuple too: torch's rates (``base_lrs``,
    ``_last_lr``) are tensors when its optimizer's ``lr`` is one."""
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        return type(value)(_numbers_for_tensors(item) for item in value)
    return _number_of(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _same_kind(loaded: Any, held: Any) -> bool:
    """Whether a loaded state entry can stand where the scheduler holds ``held``: a number for a number (an int or
    a float: torch's state dicts hold either), a flag for a flag, a list or tuple for a list (a number for each of
    its numbers), a string for a string; anything where it holds None or another kind of object (a function's
    state, a dict)."""
    if _is_number(held):
        return _is_number(loaded)
    if isinstance(held, (bool, np.bool_)):
        return isinstance(loaded, (bool, np.bool_))
    if isinstance(held, str):
        return isinstance(loaded, str)
    if isinstance(held, (list, tuple)):
        return isinstance(loaded, (list, tuple)) and all(
            _same_kind(item, reference) for item, reference in zip(loaded, held) if _is_number(reference)
        )
    return True


def _kind_of(value: Any) -> str:
    return "a number" if _is_number(value) else f"{type(value).__name__} {str(value)[:40]}"


#: Flags torch 2's schedulers keep in their state dicts for their own step bookkeeping (whether get_lr() runs
#: inside step(), whether the step taken at construction runs): saved here too (False between steps), and left as
#: they are by a load (a state dict saved without them loads).
TORCH_BOOKKEEPING = frozenset({"_get_lr_called_within_step", "_is_initial"})


def function_state(function: Any) -> dict[str, Any] | None:
    """What a state dict saves of a schedule's function, as torch's: None for a plain function (a ``def`` or a
    lambda: its code is not state), a copy of the attributes (``__dict__``, one level deep, as torch copies it) of
    a callable object, whose attributes may change as training goes (a decay rate it adjusts)."""
    if isinstance(function, types.FunctionType):
        return None
    attributes = getattr(function, "__dict__", None)
    return dict(attributes) if attributes is not None else None


def restore_function_state(owner: str, functions: list[Any], saved: Any) -> None:
    """Give each function object the attributes torch saved for it (torch's ``lr_lambdas``, ``_scale_fn_custom``:
    None for a plain function, a copy of ``__dict__`` for a callable object); ValueError for a wrong count."""
    if not isinstance(saved, (list, tuple)) or len(saved) != len(functions):
        raise ValueError(f"{owner}.load_state_dict: expected {len(functions)} saved function states, got {saved!r}")
    for function, attributes in zip(functions, saved):
        if attributes is not None:
            function.__dict__.update(attributes)
