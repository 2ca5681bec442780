"""Port of pytorch/pytorch test/optim/test_lrscheduler.py (``TestLRScheduler``), run beside torch 2.13.

Every case builds the upstream setup (an optimizer with two param groups, the first at the default rate 0.05,
the second at 0.5) once with ``nn.optim`` and once with ``torch.optim`` and checks both against each other
step by step, and, where upstream writes the schedule down as a formula, against that formula computed here
in float64. Ported: the order warnings (scheduler stepped before the optimizer, ``optimizer.step`` replaced
after the scheduler was built, none in the documented order or from SequentialLR), ``step(epoch)``'s
deprecation warning and its closed form (a constant epoch keeps one rate; the closed form equals the chained
steps), every schedule's rates and ``get_last_lr()``, schedulers composed on one optimizer, SequentialLR and
ChainedScheduler (a chain inside SequentialLR too), ReduceLROnPlateau (alone, beside another schedule, with a
param group added), CyclicLR and OneCycleLR with their momenta (SGD's momentum, Adam's beta1), warm restarts at
fractional and interleaved epochs, SWALR after another schedule, state-dict round trips (attributes equal
after loading into a scheduler built with other options; ``nn.save``/``nn.load`` of every scheduler's state
dict), rebuilding with ``last_epoch=0`` from a loaded optimizer, the argument errors (torch's classes) and
that schedulers form no reference cycles. ``test_swa_utils.py`` is ported in
``test_lr_scheduler_torch_port_swa.py``.

Left out, with why:

* Tensor learning rates that stay aliased (upstream's second group at ``torch.tensor(0.5)``,
  ``test_constant_initial_lr``'s group rate following ``lr.mul_``, ``test_sequentiallr_does_not_alias...``,
  ``test_reduce_lr_on_plateau_preserves_lr_type``): a Tensor ``lr`` is read once, as a float (the documented
  reading of nn.optim), so the group's rate is a float that the caller's tensor no longer moves. What does
  not depend on the aliasing is ported: ``initial_lr``, ``base_lrs``, CyclicLR's and OneCycleLR's momenta
  and SWALR's ``swa_lr`` keep their first values when the caller's tensors change.
* Attribute-level internals with no behaviour of their own: ``_scale_fn_ref`` being a WeakMethod or a
  function, OneCycleLR's legacy ``anneal_func`` entry, SWALR's ``anneal_func`` and ReduceLROnPlateau's
  ``is_better`` attributes (the state dicts, which are checked, hold torch's keys; OneCycleLR's hold its
  phases under its own names as documented in test_lr_schedulers_torch.py).
* ``test_compound_reduce_lr_on_plateau1-5`` compare nothing upstream (``targets[1:]`` of a one-element list is
  empty); here they are compared with torch's rates instead.
* torch's two order warnings when SequentialLR is built around a ChainedScheduler (its chain's schedulers step
  as if the user had called them too early); here building it warns nothing. And torch 2.13's step ahead, at
  epoch 0, of an ExponentialLR (or CosineAnnealingLR, PolynomialLR, MultiplicativeLR) in that chain and of a
  whole SequentialLR run by another: here they run as they do alone, as later torch's
  test_scheduler_nested_composite.py expects (tested in test_chained_scheduler.py against torch's schedule
  alone).
* ``torch.save``/``torch.load`` (pickle) of state dicts: ``nn.save``/``nn.load`` are ported instead; after the
  round trip MultiStepLR's milestones are a plain dict rather than a Counter (equal to it, and loaded alike).
"""

from __future__ import annotations

import copy
import gc
import io
import math
import pickle
import types
import warnings
import weakref

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

OURS = types.SimpleNamespace(
    name="ours",
    optim=nn.optim,
    sched=nn.optim.lr_scheduler,
    swa=nn.optim.swa_utils,
    param=lambda *shape: nn.Parameter(np.zeros(shape)),
    tensor=lambda value: autograd.tensor(np.float32(value)),
)
TORCH = types.SimpleNamespace(
    name="torch",
    optim=torch.optim,
    sched=torch.optim.lr_scheduler,
    swa=torch.optim.swa_utils,
    param=lambda *shape: torch.nn.Parameter(torch.zeros(shape)),
    tensor=lambda value: torch.tensor(value),
)
LIBS = [OURS, TORCH]
BASES = (0.05, 0.5)


def _optimizer(lib, kind="SGD", **options):
    """Upstream's setUp: the params of two 1x1 convolutions, the first group at the default lr 0.05 and the
    second at 0.5."""
    groups = [
        {"params": [lib.param(1, 1, 1, 1), lib.param(1)]},
        {"params": [lib.param(1, 1, 1, 1), lib.param(1)], "lr": 0.5},
    ]
    return getattr(lib.optim, kind)(groups, lr=0.05, **options)


def _rates(optimizer):
    return [float(group["lr"]) for group in optimizer.param_groups]


def _as_list(schedulers):
    return schedulers if isinstance(schedulers, list) else [schedulers]


def _trace(lib, make, epochs, kind="SGD", **options):
    """Each group's rate (and every scheduler's ``get_last_lr()``) after construction and after each of ``epochs``
    steps of the optimizer then every scheduler, in order."""
    optimizer = _optimizer(lib, kind, **options)
    schedulers = _as_list(make(lib, optimizer))
    rows = []
    for _ in range(epochs):
        rows.append(_rates(optimizer) + [float(lr) for s in schedulers for lr in s.get_last_lr()])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return np.array(rows)


def _same_as_torch(run):
    """``run(lib)`` for both libraries, equal to float64 rounding; returns ours."""
    ours, theirs = (np.asarray(run(lib), dtype=float) for lib in LIBS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    return ours


def _cosine(base, t, period, eta_min=1e-10):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


def _linear_factor(start, end, iters, epoch):
    return start + (end - start) * min(epoch, iters) / iters


def _warm_restart_position(epoch, t_0, t_mult):
    """(T_cur, T_i) of warm restarts at ``epoch``, by walking the cycles (the closed form is torch's logarithm)."""
    t_cur, t_i = epoch, t_0
    while t_cur >= t_i:
        t_cur -= t_i
        t_i *= t_mult
    return t_cur, t_i


# -- every schedule's rates: (make, epochs, rate of a group of base rate b at epoch e) ---------------------------
SCHEDULES = {
    "step": (lambda lib, o: lib.sched.StepLR(o, gamma=0.1, step_size=3), 10, lambda b, e: b * 0.1 ** (e // 3)),
    "multi_step": (
        lambda lib, o: lib.sched.MultiStepLR(o, gamma=0.1, milestones=[2, 5, 9]),
        10,
        lambda b, e: b * 0.1 ** sum(e >= m for m in (2, 5, 9)),
    ),
    "constant": (
        lambda lib, o: lib.sched.ConstantLR(o, factor=0.5, total_iters=5),
        10,
        lambda b, e: b * (0.5 if e < 5 else 1.0),
    ),
    "linear": (
        lambda lib, o: lib.sched.LinearLR(o, start_factor=0.5, total_iters=4),
        10,
        lambda b, e: b * _linear_factor(0.5, 1.0, 4, e),
    ),
    "linear_to_an_end_factor": (
        lambda lib, o: lib.sched.LinearLR(o, start_factor=0.25, end_factor=0.6, total_iters=4),
        10,
        lambda b, e: b * _linear_factor(0.25, 0.6, 4, e),
    ),
    "exponential": (lambda lib, o: lib.sched.ExponentialLR(o, gamma=0.9), 10, lambda b, e: b * 0.9**e),
    "polynomial": (
        lambda lib, o: lib.sched.PolynomialLR(o, power=0.9, total_iters=5),
        10,
        lambda b, e: b * (1 - min(e, 5) / 5) ** 0.9,
    ),
    "cosine": (
        lambda lib, o: lib.sched.CosineAnnealingLR(o, T_max=10, eta_min=1e-10),
        10,
        lambda b, e: _cosine(b, e, 10),
    ),
    "multiplicative": (
        lambda lib, o: lib.sched.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9),
        10,
        lambda b, e: b * 0.9**e,
    ),
    **{
        f"warm_restarts_t_mult_{t_mult}": (
            lambda lib, o, t_mult=t_mult: lib.sched.CosineAnnealingWarmRestarts(
                o, T_0=10, T_mult=t_mult, eta_min=1e-10
            ),
            100,
            lambda b, e, t_mult=t_mult: _cosine(b, *_warm_restart_position(e, 10, t_mult)),
        )
        for t_mult in (1, 2, 4)
    },
    "sequential_exponential_then_step": (
        lambda lib, o: lib.sched.SequentialLR(
            o, [lib.sched.ExponentialLR(o, gamma=0.8), lib.sched.StepLR(o, gamma=0.1, step_size=4)], milestones=[3]
        ),
        19,
        lambda b, e: b * 0.8**e if e < 3 else b * 0.1 ** ((e - 3) // 4),
    ),
    "sequential_constant_then_exponential": (
        lambda lib, o: lib.sched.SequentialLR(
            o, [lib.sched.ConstantLR(o, factor=0.1, total_iters=3), lib.sched.ExponentialLR(o, gamma=0.9)], [3]
        ),
        13,
        lambda b, e: b * 0.1 if e < 3 else b * 0.9 ** (e - 3),
    ),
    "sequential_three": (
        lambda lib, o: lib.sched.SequentialLR(
            o,
            [
                lib.sched.ConstantLR(o, factor=0.1, total_iters=3),
                lib.sched.ExponentialLR(o, gamma=0.8),
                lib.sched.StepLR(o, gamma=0.1, step_size=2),
            ],
            milestones=[3, 6],
        ),
        12,
        lambda b, e: b * (0.1 if e < 3 else 0.8 ** (e - 3) if e < 6 else 0.1 ** ((e - 6) // 2)),
    ),
    "sequential_of_a_chain": (
        lambda lib, o: lib.sched.SequentialLR(
            o,
            [
                lib.sched.ChainedScheduler(
                    [
                        lib.sched.LinearLR(optimizer=o, start_factor=0.1, total_iters=5),
                        lib.sched.ConstantLR(optimizer=o, factor=0.1, total_iters=5),
                    ]
                ),
                lib.sched.ConstantLR(optimizer=o, factor=0.5, total_iters=5),
            ],
            milestones=[5],
        ),
        10,
        lambda b, e: b * 0.1 * _linear_factor(0.1, 1.0, 5, e) if e < 5 else b * 0.5,
    ),
    "chained_step": (
        lambda lib, o: lib.sched.ChainedScheduler([lib.sched.StepLR(o, gamma=0.1, step_size=3)]),
        10,
        lambda b, e: b * 0.1 ** (e // 3),
    ),
    "chained_linear": (
        lambda lib, o: lib.sched.ChainedScheduler([lib.sched.LinearLR(o, start_factor=0.4, total_iters=3)]),
        10,
        lambda b, e: b * _linear_factor(0.4, 1.0, 3, e),
    ),
    "chained_linear_and_multi_step": (
        lambda lib, o: lib.sched.ChainedScheduler(
            [lib.sched.LinearLR(o, start_factor=0.4, total_iters=3), lib.sched.MultiStepLR(o, [4, 8, 10], 0.1)]
        ),
        10,
        lambda b, e: b * _linear_factor(0.4, 1.0, 3, e) * 0.1 ** sum(e >= m for m in (4, 8, 10)),
    ),
    "chained_exponential_constant_step": (
        lambda lib, o: lib.sched.ChainedScheduler(
            [
                lib.sched.ExponentialLR(o, gamma=0.9),
                lib.sched.ConstantLR(o, factor=0.2, total_iters=4),
                lib.sched.StepLR(o, gamma=0.1, step_size=3),
            ]
        ),
        9,
        lambda b, e: b * 0.9**e * (0.2 if e < 4 else 1.0) * 0.1 ** (e // 3),
    ),
    "chained_polynomial_and_constant": (
        lambda lib, o: lib.sched.ChainedScheduler(
            [lib.sched.PolynomialLR(o, power=0.9, total_iters=5), lib.sched.ConstantLR(o, factor=0.1)]
        ),
        10,
        lambda b, e: b * 0.1 * (1 - min(e, 5) / 5) ** 0.9,
    ),
    # two schedulers stepping one optimizer, each moving the rate the other left
    "compound_step_and_multi_step": (
        lambda lib, o: [lib.sched.StepLR(o, gamma=0.1, step_size=3), lib.sched.MultiStepLR(o, [2, 5, 9], 0.1)],
        10,
        lambda b, e: b * 0.1 ** (e // 3) * 0.1 ** sum(e >= m for m in (2, 5, 9)),
    ),
    "compound_step_and_exponential": (
        lambda lib, o: [lib.sched.StepLR(o, gamma=0.1, step_size=3), lib.sched.ExponentialLR(o, gamma=0.9)],
        10,
        lambda b, e: b * 0.1 ** (e // 3) * 0.9**e,
    ),
    "compound_multi_step_and_exponential": (
        lambda lib, o: [lib.sched.MultiStepLR(o, [2, 5, 9], 0.1), lib.sched.ExponentialLR(o, gamma=0.9)],
        10,
        lambda b, e: b * 0.1 ** sum(e >= m for m in (2, 5, 9)) * 0.9**e,
    ),
    "compound_linear_and_exponential": (
        lambda lib, o: [
            lib.sched.LinearLR(o, start_factor=0.4, end_factor=0.9, total_iters=4),
            lib.sched.ExponentialLR(o, gamma=0.9),
        ],
        10,
        lambda b, e: b * _linear_factor(0.4, 0.9, 4, e) * 0.9**e,
    ),
    "compound_step_and_constant": (
        lambda lib, o: [lib.sched.StepLR(o, gamma=0.1, step_size=3), lib.sched.ConstantLR(o, 0.4, total_iters=4)],
        10,
        lambda b, e: b * 0.1 ** (e // 3) * (0.4 if e < 4 else 1.0),
    ),
    "compound_multi_step_and_linear": (
        lambda lib, o: [
            lib.sched.MultiStepLR(o, [2, 5, 9], 0.1),
            lib.sched.LinearLR(o, start_factor=0.4, total_iters=4),
        ],
        10,
        lambda b, e: b * 0.1 ** sum(e >= m for m in (2, 5, 9)) * _linear_factor(0.4, 1.0, 4, e),
    ),
    "compound_cosine_and_step": (
        lambda lib, o: [
            lib.sched.CosineAnnealingLR(o, T_max=10, eta_min=1e-10),
            lib.sched.StepLR(o, gamma=0.1, step_size=3),
        ],
        10,
        lambda b, e: _cosine(b, e, 10) * 0.1 ** (e // 3),
    ),
    "compound_cosine_and_multi_step": (
        lambda lib, o: [
            lib.sched.CosineAnnealingLR(o, T_max=10, eta_min=1e-10),
            lib.sched.MultiStepLR(o, [2, 5, 9], 0.1),
        ],
        10,
        lambda b, e: _cosine(b, e, 10) * 0.1 ** sum(e >= m for m in (2, 5, 9)),
    ),
    "compound_linear_and_cosine": (
        lambda lib, o: [
            lib.sched.LinearLR(o, start_factor=0.4, total_iters=4),
            lib.sched.CosineAnnealingLR(o, T_max=10, eta_min=1e-10),
        ],
        10,
        lambda b, e: _cosine(b, e, 10) * _linear_factor(0.4, 1.0, 4, e),
    ),
    "compound_cosine_and_exponential": (
        lambda lib, o: [
            lib.sched.CosineAnnealingLR(o, T_max=10, eta_min=1e-10),
            lib.sched.ExponentialLR(o, gamma=0.1),
        ],
        10,
        lambda b, e: _cosine(b, e, 10) * 0.1**e,
    ),
}


# (torch warns twice when SequentialLR is built around a ChainedScheduler: see the docstring)
@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_every_schedule_gives_torchs_rates_and_its_formula(name):
    make, epochs, rate = SCHEDULES[name]
    ours = _same_as_torch(lambda lib: _trace(lib, make, epochs))
    expected = np.array([[rate(base, epoch) for base in BASES] for epoch in range(epochs)])
    # (the compounds' formulas scale eta_min with the other factor: 1e-10 apart at most)
    np.testing.assert_allclose(ours[:, :2], expected, rtol=1e-9, atol=1e-9)
    # get_last_lr() of the last scheduler (of a ChainedScheduler: its own) is every group's rate
    np.testing.assert_allclose(ours[:, -2:], ours[:, :2], rtol=0, atol=0)


def test_lambda_and_multiplicative_schedules_take_one_function_per_group():
    def run(lib, make):
        optimizer = _optimizer(lib)
        optimizer.param_groups[1]["lr"] = 0.4
        scheduler = make(lib, optimizer)
        rows = []
        for _ in range(10):
            rows.append(_rates(optimizer))
            optimizer.step()
            scheduler.step()
        return rows

    expected = [[0.05 * 0.9**epoch, 0.4 * 0.8**epoch] for epoch in range(10)]
    for make in (
        lambda lib, o: lib.sched.LambdaLR(o, lr_lambda=[lambda e: 0.9**e, lambda e: 0.8**e]),
        lambda lib, o: lib.sched.MultiplicativeLR(o, lr_lambda=[lambda e: 0.9, lambda e: 0.8]),
    ):
        ours = _same_as_torch(lambda lib, make=make: run(lib, make))
        np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_sequential_lr_keeps_the_rates_it_was_given_when_built():
    for lib in LIBS:
        optimizer = lib.optim.SGD([lib.param(1)], lr=0.1)
        lib.sched.SequentialLR(
            optimizer, [lib.sched.ConstantLR(optimizer, factor=1), lib.sched.ConstantLR(optimizer, factor=0.1)], [10]
        )
        assert _rates(optimizer) == [0.1]


def test_a_chains_last_rates_before_any_step_are_its_last_schedulers():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        schedulers = [
            lib.sched.LinearLR(optimizer, start_factor=0.4, total_iters=3),
            lib.sched.MultiStepLR(optimizer, milestones=[4, 8, 10], gamma=0.1),
        ]
        chain = lib.sched.ChainedScheduler(schedulers)
        assert chain.get_last_lr() == schedulers[-1].get_last_lr() == pytest.approx([0.02, 0.2], rel=1e-12)


def test_cosine_annealing_rebuilt_at_last_epoch_0_continues_where_the_first_left():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        first = lib.sched.CosineAnnealingLR(optimizer, T_max=5, eta_min=0.1)
        optimizer.step()
        first.step()
        rebuilt = lib.sched.CosineAnnealingLR(optimizer, T_max=5, eta_min=0.1, last_epoch=0)
        np.testing.assert_allclose(rebuilt.get_last_lr(), first.get_last_lr(), rtol=1e-12)
        np.testing.assert_allclose(first.get_last_lr(), [_cosine(b, 1, 5, eta_min=0.1) for b in BASES], rtol=1e-12)


def test_cosine_annealing_then_cyclic_stays_within_the_cycles_bounds():
    """torch issue 21965: CyclicLR taking over from CosineAnnealingLR cycles between its own bounds."""

    def run(lib):
        optimizer = lib.optim.SGD([lib.param(2)], lr=0.5)
        cosine = lib.sched.CosineAnnealingLR(optimizer, T_max=20, eta_min=0.1)
        cyclic = lib.sched.CyclicLR(optimizer, base_lr=0.1, max_lr=0.3, step_size_up=1, step_size_down=3)
        rows = []
        for step in range(40):
            optimizer.step()
            (cosine if step <= cosine.T_max else cyclic).step()
            rows.append(_rates(optimizer))
        return rows

    ours = _same_as_torch(run)
    assert ours[-1, 0] <= 0.3 and (ours[22:] >= 0.1 - 1e-15).all()


# -- order warnings --------------------------------------------------------------------------------------------
def _replace_step(optimizer):
    """Replace ``optimizer.step`` on the instance by a wrapper of it, as upstream emulates an overridden step."""
    original = optimizer.step

    def replaced(self, *args, **kwargs):
        return original(*args, **kwargs)

    optimizer.step = types.MethodType(replaced, optimizer)


@pytest.mark.parametrize("resumed", [False, True])
@pytest.mark.parametrize("replaced", [False, True])
def test_stepping_the_scheduler_before_the_optimizer_warns_with_torchs_link(resumed, replaced):
    for lib in LIBS:
        optimizer = _optimizer(lib)
        if resumed:
            for group in optimizer.param_groups:
                group["initial_lr"] = 0.01
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scheduler = lib.sched.StepLR(optimizer, gamma=0.1, step_size=3, last_epoch=10 if resumed else -1)
        if replaced:
            _replace_step(optimizer)
        with pytest.warns(UserWarning, match="how-to-adjust-learning-rate"):
            for _ in range(35):
                scheduler.step()
                optimizer.step()


def test_the_documented_order_warns_nothing():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scheduler = lib.sched.StepLR(optimizer, gamma=0.1, step_size=3)
            for _ in range(35):
                optimizer.step()
                scheduler.step()
            sequence = lib.sched.SequentialLR(
                optimizer,
                [
                    lib.sched.LinearLR(optimizer, start_factor=0.5, end_factor=0.1, total_iters=5),
                    lib.sched.ExponentialLR(optimizer, gamma=0.9),
                ],
                milestones=[5],
            )
            for _ in range(10):
                optimizer.step()
                sequence.step()


def test_an_optimizer_step_replaced_after_the_scheduler_was_built_warns_that_it_was_overridden():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        scheduler = lib.sched.StepLR(optimizer, gamma=0.1, step_size=3)
        _replace_step(optimizer)
        with pytest.warns(UserWarning, match=r"`optimizer.step\(\)` has been overridden"):
            for _ in range(35):
                optimizer.step()
                scheduler.step()


# -- step(epoch): the deprecation warning and the closed form --------------------------------------------------
CLOSED_FORMS = {
    "step": lambda lib, o: lib.sched.StepLR(o, gamma=0.1, step_size=3),
    "linear": lambda lib, o: lib.sched.LinearLR(o, start_factor=1 / 3, end_factor=0.7, total_iters=4),
    "constant": lambda lib, o: lib.sched.ConstantLR(o, factor=1 / 3, total_iters=4),
    "multi_step": lambda lib, o: lib.sched.MultiStepLR(o, gamma=0.1, milestones=[2, 5, 9]),
    "exponential": lambda lib, o: lib.sched.ExponentialLR(o, gamma=0.9),
    "polynomial": lambda lib, o: lib.sched.PolynomialLR(o, power=0.9),
    "cosine": lambda lib, o: lib.sched.CosineAnnealingLR(o, T_max=5, eta_min=1e-10),
}


def _stepped_to(lib, make, epochs, optimizer=None):
    """Rates after ``optimizer.step(); scheduler.step(epoch)`` for each of ``epochs``, with the warnings each gave."""
    optimizer = optimizer or _optimizer(lib)
    scheduler = make(lib, optimizer)
    rows, caught = [], []
    for epoch in epochs:
        optimizer.step()
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            scheduler.step(epoch)
        caught.append([warning.message.args for warning in seen])
        rows.append(_rates(optimizer))
    return np.array(rows), caught


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_the_closed_form_of_step_epoch_equals_the_chained_steps_with_torchs_warning(name):
    make = CLOSED_FORMS[name]
    for lib in LIBS:
        closed, caught = _stepped_to(lib, make, range(1, 21))
        assert caught == [[(lib.sched.EPOCH_DEPRECATION_WARNING,)]] * 20
        optimizer = _optimizer(lib)
        scheduler = make(lib, optimizer)
        chained = []
        for _ in range(20):
            optimizer.step()
            scheduler.step()
            chained.append(_rates(optimizer))
        np.testing.assert_allclose(chained, closed, rtol=1e-9, atol=1e-15)
    _same_as_torch(lambda lib: _stepped_to(lib, make, range(1, 21))[0])


@pytest.mark.parametrize("name", ["step", "exponential", "constant", "linear", "polynomial"])
def test_stepping_to_one_epoch_again_and_again_keeps_one_rate(name):
    make = {
        "step": lambda lib, o: lib.sched.StepLR(o, 2),
        "exponential": lambda lib, o: lib.sched.ExponentialLR(o, gamma=0.9),
        "constant": lambda lib, o: lib.sched.ConstantLR(o),
        "linear": lambda lib, o: lib.sched.LinearLR(o),
        "polynomial": lambda lib, o: lib.sched.PolynomialLR(o, power=0.9),
    }[name]
    ours = _same_as_torch(lambda lib: _stepped_to(lib, make, [2] * 10)[0])
    assert (ours == ours[0]).all()


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, o: lib.sched.MultiStepLR(o, gamma=0.1, milestones=[2, 5, 9]),
        lambda lib, o: lib.sched.ConstantLR(o, factor=0.5, total_iters=5),
        lambda lib, o: lib.sched.LinearLR(o, start_factor=0.5, total_iters=4),
    ],
    ids=["multi_step", "constant", "linear"],
)
def test_step_epoch_in_order_gives_the_schedule_of_that_epoch(make):
    ours = _same_as_torch(lambda lib: _stepped_to(lib, make, range(10))[0])
    optimizer = _optimizer(OURS)
    scheduler = make(OURS, optimizer)
    expected = []
    for _ in range(10):
        expected.append(_rates(optimizer))
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


# -- warm restarts at fractional and interleaved epochs --------------------------------------------------------
@pytest.mark.parametrize("t_mult", [1, 2, 4])
def test_warm_restarts_stepped_by_tenths_follow_the_cosine_of_each_cycle(t_mult):
    epochs = [round(0.1 * i, 1) for i in range(300)]

    def run(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.sched.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=t_mult, eta_min=1e-10)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # (step(epoch)'s deprecation)
            return [(scheduler.step(epoch), _rates(optimizer))[1] for epoch in epochs]

    ours = _same_as_torch(run)
    # each tenth as a whole number of tenths, so the walk through the cycles is exact
    positions = [_warm_restart_position(i, 100, t_mult) for i in range(300)]
    expected = [[_cosine(base, t_cur / 10, t_i / 10) for base in BASES] for t_cur, t_i in positions]
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("t_mult", "epochs"),
    [
        (1, [0, 1, 2, 3, 4, 5, 12, 27, 3, 4, 5, 6, 13]),
        (2, [0, 1, 2, 3, 4, 5, 25, 32, 33, 34, 80, 81, 3]),
        (3, [0, 0.1, 0.2, 0.3, 1.3, 2.3, 17.5, 18.5, 19.5, 29.5, 30.5, 31.5, 50]),
    ],
)
def test_warm_restarts_at_interleaved_epochs_restart_in_the_right_cycle(t_mult, epochs):
    def run(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.sched.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=t_mult, eta_min=1e-10)
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for epoch in epochs:
                scheduler.step(epoch)
                rows.append(_rates(optimizer) + [float(scheduler.T_cur), scheduler.T_i])
        return rows

    ours = _same_as_torch(run)
    for row, epoch in zip(ours, epochs):
        t_cur, t_i = _warm_restart_position(epoch, 10, t_mult)
        assert row[2:] == pytest.approx([t_cur, t_i], abs=1e-9)
        assert row[:2] == pytest.approx([_cosine(base, t_cur, t_i) for base in BASES], abs=1e-9)


def test_warm_restarts_whose_t_cur_is_set_past_the_cycle_wrap_into_it_on_the_next_step():
    def run(lib):
        scheduler = lib.sched.CosineAnnealingWarmRestarts(_optimizer(lib), T_0=4)
        rows = []
        for epoch in (7, 8, 9):
            scheduler.T_cur = epoch
            scheduler.optimizer.step()
            scheduler.step()
            rows.append([scheduler.T_cur, *_rates(scheduler.optimizer)])
        return rows

    ours = _same_as_torch(run)
    assert list(ours[:, 0]) == [(epoch + 1) % 4 for epoch in (7, 8, 9)]


# -- ReduceLROnPlateau --------------------------------------------------------------------------------------------
PLATEAUS = {
    "abs_min_no_drop": (
        {"threshold_mode": "abs", "mode": "min", "threshold": 0.01, "patience": 5, "cooldown": 5},
        [10 - i * 0.0167 for i in range(20)],
        [[0.5] * 20] * 2,
    ),
    "abs_min_drops": (
        {"patience": 5, "cooldown": 0, "threshold_mode": "abs", "mode": "min", "threshold": 0.1},
        [10 - i * 0.0165 for i in range(22)],
        [[0.5] * 6 + [0.05] * 7 + [0.005] * 7 + [0.0005] * 2] * 2,
    ),
    "abs_max_cooldown": (
        {"mode": "max", "patience": 5, "cooldown": 5, "threshold_mode": "abs"},
        [-0.8] * 2 + [-0.234] * 20,
        [[0.5] * 8 + [0.05] * 11 + [0.005] * 3] * 2,
    ),
    "rel_max_growing_enough": (
        {"mode": "max", "patience": 3, "threshold_mode": "rel", "threshold": 0.1},
        [1.5 * 1.025**i for i in range(20)],
        [[0.5] * 20] * 2,
    ),
    "rel_max_growing_too_slowly": (
        {"mode": "max", "threshold_mode": "rel", "threshold": 0.1, "patience": 5, "cooldown": 5},
        [1.5 * 1.005**i for i in range(20)],
        [[0.5] * 6 + [0.05] * 11 + [0.005] * 3] * 2,
    ),
    "rel_min_shrinking": (
        {"mode": "min", "threshold_mode": "rel", "threshold": 0.1},
        [1.5 * 0.85**i for i in range(20)],
        [[0.5] * 20] * 2,
    ),
    "rel_min_one_jump": (
        {"mode": "min", "threshold_mode": "rel", "threshold": 0.1, "patience": 5, "cooldown": 5},
        [1] * 7 + [0.6] + [0.5] * 12,
        [[0.5] * 6 + [0.05] * 11 + [0.005] * 3] * 2,
    ),
    "min_lr_per_group": (
        {"mode": "max", "threshold_mode": "rel", "min_lr": [0.4, 0.3], "threshold": 0.1, "patience": 5, "cooldown": 5},
        [1.5 * 1.005**i for i in range(20)],
        [[0.5] * 6 + [0.4] * 14, [0.5] * 6 + [0.3] * 14],
    ),
}


def _plateau_trace(lib, options, metrics, other=None):
    """Every group at 0.5; each epoch the optimizer steps, then the plateau scheduler on the metric (then
    ``other``); the rates after each epoch."""
    optimizer = _optimizer(lib)
    for group in optimizer.param_groups:
        group["lr"] = 0.5
    plateau = lib.sched.ReduceLROnPlateau(optimizer, **options)
    second = other(lib, optimizer) if other else None
    rows = []
    for metric in metrics:
        optimizer.step()
        plateau.step(metric)
        if second is not None:
            second.step()
        rows.append(_rates(optimizer) + [float(lr) for lr in plateau.get_last_lr()])
    return rows


@pytest.mark.parametrize("name", sorted(PLATEAUS))
def test_reduce_lr_on_plateau_gives_torchs_rates_and_upstreams(name):
    options, metrics, expected = PLATEAUS[name]
    ours = _same_as_torch(lambda lib: _plateau_trace(lib, options, metrics))
    np.testing.assert_allclose(ours[:, :2].T, expected, rtol=1e-12)
    np.testing.assert_allclose(ours[:, 2:], ours[:, :2], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("plateau", "other"),
    [
        ("abs_min_no_drop", lambda lib, o: lib.sched.StepLR(o, gamma=0.1, step_size=3)),
        ("abs_min_drops", lambda lib, o: lib.sched.MultiStepLR(o, gamma=0.1, milestones=[3, 8, 12])),
        ("abs_max_cooldown", lambda lib, o: lib.sched.ExponentialLR(o, gamma=0.1)),
        ("rel_max_growing_enough", lambda lib, o: lib.sched.CosineAnnealingLR(o, 10, 1e-10)),
        ("abs_min_drops", lambda lib, o: lib.sched.LinearLR(o, start_factor=0.4, total_iters=4)),
    ],
    ids=["step", "multi_step", "exponential", "cosine", "linear"],
)
def test_reduce_lr_on_plateau_beside_another_schedule_gives_torchs_rates(plateau, other):
    options, metrics, _ = PLATEAUS[plateau]
    _same_as_torch(lambda lib: _plateau_trace(lib, options, metrics, other))


def test_reduce_lr_on_plateaus_last_rates_before_any_step_are_the_groups():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        for group in optimizer.param_groups:
            group["lr"] = 0.5
        assert lib.sched.ReduceLROnPlateau(optimizer).get_last_lr() == [0.5, 0.5]


def test_reduce_lr_on_plateau_keeps_float_rates_floats():
    for lib in LIBS:
        optimizer = lib.optim.SGD([lib.param(1)], lr=0.05)
        scheduler = lib.sched.ReduceLROnPlateau(optimizer, mode="min", patience=0)
        scheduler.step(1.0)
        scheduler.step(2.0)
        assert type(optimizer.param_groups[0]["lr"]) is float
        assert optimizer.param_groups[0]["lr"] == pytest.approx(0.005, rel=1e-12)


@pytest.mark.parametrize("min_lr", ["scalar", "list"])
def test_a_param_group_added_under_reduce_lr_on_plateau_is_reduced_with_the_others(min_lr):
    options, metrics, expected = PLATEAUS["rel_min_one_jump"]
    options = {**options, "min_lr": 0 if min_lr == "scalar" else [1e-5, 1e-4]}

    def run(lib):
        optimizer = _optimizer(lib)
        for group in optimizer.param_groups:
            group["lr"] = 0.5
        scheduler = lib.sched.ReduceLROnPlateau(optimizer, **options)
        rows = []
        for epoch, metric in enumerate(metrics):
            if epoch == 8:
                optimizer.add_param_group({"params": [lib.param(2, 3)], "lr": 0.05})
                if min_lr == "list":
                    scheduler.min_lrs.append(1e-6)
            optimizer.step()
            scheduler.step(metric)
            rows.append((_rates(optimizer) + [np.nan])[:3])
        return rows

    ours = _same_as_torch(lambda lib: np.nan_to_num(np.array(run(lib)), nan=-1.0))
    np.testing.assert_allclose(ours[:, 0], expected[0], rtol=1e-12)


def test_a_param_group_added_beyond_the_min_lrs_given_is_torchs_runtime_error():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        scheduler = lib.sched.ReduceLROnPlateau(
            optimizer, mode="min", threshold_mode="rel", threshold=1e-5, patience=0, cooldown=0, min_lr=[1e-5, 1e-4]
        )
        optimizer.add_param_group({"params": [lib.param(2, 3)], "lr": 0.05})
        optimizer.step()
        scheduler.step(1)
        optimizer.step()
        with pytest.raises(RuntimeError, match="param groups"):
            scheduler.step(1.3)


# -- CyclicLR and OneCycleLR, with the momentum (SGD's) or beta1 (Adam's) going the other way ---------------------
def _cyclic_reference(base, peak, up, down, mode, gamma, iteration, base_momentum=None, max_momentum=None):
    """The rate (and momentum) of a cycle ``up`` iterations up and ``down`` down at ``iteration``, from the
    cycle's shape written out here: the fraction of the way up, scaled by the mode."""
    total = up + down
    position = iteration % total
    height = position / up if position < up else 1 - (position - up) / down
    cycle = iteration // total
    scale = 0.5**cycle if mode == "triangular2" else gamma**iteration if mode == "exp_range" else 1.0
    rate = base + (peak - base) * height * scale
    if base_momentum is None:
        return rate
    return rate, max_momentum - (max_momentum - base_momentum) * height * scale


CYCLES = {
    "triangular": dict(base_lr=1, max_lr=5, step_size_up=4),
    "triangular2": dict(base_lr=1, max_lr=5, step_size_up=4, mode="triangular2"),
    "exp_range": dict(base_lr=1, max_lr=5, step_size_up=4, mode="exp_range", gamma=0.9),
    "triangular_per_group": dict(base_lr=[1, 2], max_lr=[5, 6], step_size_up=4),
    "triangular2_per_group": dict(base_lr=[1, 3], max_lr=[5, 7], step_size_up=4, mode="triangular2"),
    "exp_range_per_group": dict(base_lr=[1, 5], max_lr=[5, 12], step_size_up=4, mode="exp_range", gamma=0.9),
    "triangular_up_and_down": dict(base_lr=1, max_lr=5, step_size_up=4, step_size_down=6),
    "triangular2_up_and_down": dict(
        base_lr=[1, 3], max_lr=[5, 7], step_size_up=2, step_size_down=6, mode="triangular2"
    ),
    "exp_range_up_and_down": dict(base_lr=1, max_lr=5, step_size_up=2, step_size_down=6, mode="exp_range", gamma=0.9),
}


def _momentum_trace(lib, make, steps, kind="SGD", **options):
    """Each group's rate and momentum (Adam's beta1) before each of ``steps`` steps."""
    optimizer = _optimizer(lib, kind, **options)
    scheduler = make(lib, optimizer)
    rows = []
    for _ in range(steps):
        groups = optimizer.param_groups
        rows.append(_rates(optimizer) + [float(g["betas"][0] if "betas" in g else g["momentum"]) for g in groups])
        optimizer.step()
        scheduler.step()
    return np.array(rows)


@pytest.mark.parametrize("cycle_momentum", [True, False])
@pytest.mark.parametrize("name", sorted(CYCLES))
def test_cyclic_lr_cycles_rate_and_momentum_as_torch_and_the_cycles_shape(name, cycle_momentum):
    options = CYCLES[name]
    per_group = lambda key: options[key] if isinstance(options[key], list) else [options[key]] * 2  # noqa: E731
    momenta = {"base_momentum": per_group("base_lr"), "max_momentum": per_group("max_lr")}

    def make(lib, optimizer):
        return lib.sched.CyclicLR(optimizer, cycle_momentum=cycle_momentum, **options, **momenta)

    ours = _same_as_torch(lambda lib: _momentum_trace(lib, make, 24, momentum=0.9))
    up, down = options["step_size_up"], options.get("step_size_down") or options["step_size_up"]
    for group, (base, peak) in enumerate(zip(per_group("base_lr"), per_group("max_lr"))):
        expected = [
            _cyclic_reference(
                base, peak, up, down, options.get("mode", "triangular"), options.get("gamma"), i, base, peak
            )
            for i in range(24)
        ]
        np.testing.assert_allclose(ours[:, group], [rate for rate, _ in expected], rtol=1e-12)
        momentum = [m for _, m in expected] if cycle_momentum else [0.9] * 24
        np.testing.assert_allclose(ours[:, 2 + group], momentum, rtol=1e-12)


def test_cyclic_lr_on_adam_cycles_beta1_or_leaves_it_alone():
    for cycle_momentum in (True, False):

        def make(lib, optimizer, cycle_momentum=cycle_momentum):
            return lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, step_size_up=4, cycle_momentum=cycle_momentum)

        ours = _same_as_torch(lambda lib: _momentum_trace(lib, make, 11, kind="Adam"))
        expected = [_cyclic_reference(1, 5, 4, 4, "triangular", None, i, 0.8, 0.9) for i in range(11)]
        np.testing.assert_allclose(ours[:, 0], [rate for rate, _ in expected], rtol=1e-12)
        beta1 = [momentum for _, momentum in expected] if cycle_momentum else [0.9] * 11
        np.testing.assert_allclose(ours[:, 2], beta1, rtol=1e-12)


def test_cyclic_lr_cycling_the_momentum_of_an_optimizer_without_one_is_torchs_value_error():
    for lib in LIBS:
        with pytest.raises(ValueError, match="momentum"):
            lib.sched.CyclicLR(lib.optim.Rprop([lib.param(2)]), base_lr=1, max_lr=5, cycle_momentum=True)


def test_cyclic_lr_of_an_unknown_mode_is_torchs_value_error():
    for lib in LIBS:
        with pytest.raises(ValueError, match="mode"):
            lib.sched.CyclicLR(_optimizer(lib), base_lr=0, max_lr=0, mode="CATS")


class _HalfScale:
    """A callable scale function with state of its own, which torch saves in the state dict."""

    def __init__(self):
        self.x = 0.5

    def __call__(self, _):
        return self.x


def _half(_):
    return 0.5


def test_cyclic_lr_state_dict_pickles_and_holds_only_a_callable_objects_attributes():
    for lib in LIBS:
        optimizer = _optimizer(lib, "Adam")
        for scale_fn, saved in ((None, None), (_half, None), (_HalfScale(), {"x": 0.5})):
            scheduler = lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, cycle_momentum=False, scale_fn=scale_fn)
            state = scheduler.state_dict()
            assert "_scale_fn_ref" not in state and state["_scale_fn_custom"] == saved
            pickle.loads(pickle.dumps(state))


def test_cyclic_lr_loads_the_mode_and_keeps_its_own_scale_function():
    for lib in LIBS:
        optimizer = _optimizer(lib, "Adam")
        saved = lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, cycle_momentum=False, mode="triangular2")
        restored = lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, cycle_momentum=False)
        restored.load_state_dict(saved.state_dict())
        assert restored.mode == "triangular2" and restored._scale_fn_custom is None
        assert restored.scale_fn(3) == saved.scale_fn(3) == 0.25
        custom = lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, cycle_momentum=False, scale_fn=_half)
        restored = lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, cycle_momentum=False, scale_fn=_half)
        restored.load_state_dict(custom.state_dict())
        assert restored._scale_fn_custom is _half and custom._scale_fn_custom is _half


ONE_CYCLES = {
    "linear": dict(max_lr=25, final_div_factor=2, anneal_strategy="linear"),
    "linear_three_phase": dict(
        max_lr=25, div_factor=25, anneal_strategy="linear", pct_start=0.4, final_div_factor=4, three_phase=True
    ),
    "cos": dict(max_lr=25, final_div_factor=2),
}


def _one_cycle_reference(options, step, total=10):
    """OneCycleLR's rate and momentum at ``step`` from its phases written out here: the rate warms up from
    max_lr / div_factor to max_lr over pct_start of the steps while the momentum falls from max_momentum (22) to
    base_momentum (1), then both go back, the rate down to initial / final_div_factor (three phases: back to
    the initial rate first, then down to the lowest with the momentum held at its maximum)."""
    peak = options["max_lr"]
    initial = peak / options.get("div_factor", 25.0)
    low = initial / options["final_div_factor"]
    up_end = options.get("pct_start", 0.3) * total - 1
    if options.get("three_phase"):
        phases = [(up_end, initial, peak, 22, 1), (2 * up_end, peak, initial, 1, 22), (total - 1, initial, low, 22, 22)]
    else:
        phases = [(up_end, initial, peak, 22, 1), (total - 1, peak, low, 1, 22)]
    start = 0.0
    for end, rate_from, rate_to, momentum_from, momentum_to in phases:
        if step <= end:
            fraction = (step - start) / (end - start)
            if options.get("anneal_strategy", "cos") == "cos":
                kept = (1 + math.cos(math.pi * fraction)) / 2
            else:
                kept = 1 - fraction
            return rate_to + (rate_from - rate_to) * kept, momentum_to + (momentum_from - momentum_to) * kept
        start = end
    raise AssertionError(f"step {step} is past the last phase")


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name", sorted(ONE_CYCLES))
def test_one_cycle_gives_torchs_rates_and_momenta_and_its_phases(name, kind):
    options = {**ONE_CYCLES[name], "base_momentum": 1, "max_momentum": 22, "total_steps": 10}
    extra = {"momentum": 0.9} if kind == "SGD" else {}
    ours = _same_as_torch(
        lambda lib: _momentum_trace(lib, lambda lib, o: lib.sched.OneCycleLR(o, **options), 10, kind, **extra)
    )
    expected = np.array([_one_cycle_reference(options, step) for step in range(10)])
    for group in (0, 1):
        np.testing.assert_allclose(ours[:, group], expected[:, 0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours[:, 2 + group], expected[:, 1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        dict(max_lr=1e-3, total_steps=10, anneal_strategy="CATS"),
        dict(max_lr=1e-3, total_steps=10, pct_start=1.1),
        dict(max_lr=1e-3),
    ],
    ids=["anneal_strategy", "pct_start", "no_total_steps"],
)
def test_one_cycle_refuses_bad_options_with_torchs_value_error(options):
    for lib in LIBS:
        with pytest.raises(ValueError, match="anneal_strategy|pct_start|total_steps" if lib is OURS else None):
            lib.sched.OneCycleLR(_optimizer(lib), **options)


# -- SWALR --------------------------------------------------------------------------------------------------------
def _swalr_trace(lib, before, swa_options, swa_start, epochs):
    """Upstream's SWA recipe: ``before`` (or nothing) steps until ``swa_start``, SWALR from then on."""
    optimizer = _optimizer(lib)
    scheduler = before(lib, optimizer) if before else None
    swa_scheduler = lib.swa.SWALR(optimizer, **swa_options)
    rows = []
    for epoch in range(epochs):
        rows.append(_rates(optimizer))
        if epoch >= swa_start:
            optimizer.step()
            swa_scheduler.step()
        elif scheduler is not None:
            optimizer.step()
            scheduler.step()
    return rows


@pytest.mark.parametrize("strategy", ["none", "cos", "linear"])
def test_swalr_anneals_from_the_rate_it_finds_to_swa_lr(strategy):
    multiplicative = lambda lib, o: lib.sched.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9)  # noqa: E731
    if strategy == "none":
        before, options, swa_lrs, epochs = None, {"anneal_epochs": 1, "swa_lr": 0.01}, [0.01, 0.01], 10
    elif strategy == "cos":
        before, options, swa_lrs, epochs = multiplicative, {"anneal_epochs": 5, "swa_lr": 0.01}, [0.01, 0.01], 15
    else:
        options = {"anneal_epochs": 4, "anneal_strategy": "linear", "swa_lr": [0.01, 0.02]}
        before, swa_lrs, epochs = multiplicative, [0.01, 0.02], 15
    ours = _same_as_torch(lambda lib: _swalr_trace(lib, before, options, 5, epochs))
    anneal = options["anneal_epochs"]

    def kept(t):  # the share of the rate SWALR started from, t + 1 steps in
        if t + 1 >= anneal:
            return 0.0
        fraction = (t + 1) / anneal
        return 1 - fraction if strategy == "linear" else (1 + math.cos(math.pi * fraction)) / 2

    for group, (base, swa_lr) in enumerate(zip(BASES, swa_lrs)):
        start = base * (0.9**5 if before else 1.0)
        expected = [base * (0.9**e if before else 1.0) for e in range(6)]
        expected += [start * kept(t) + swa_lr * (1 - kept(t)) for t in range(epochs - 6)]
        np.testing.assert_allclose(ours[:, group], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"anneal_strategy": "exponential", "swa_lr": 1.0}, "anneal_strategy must"),
        ({"anneal_epochs": -1, "swa_lr": 1.0}, "anneal_epochs must"),
        ({"anneal_epochs": 1.7, "swa_lr": 1.0}, "anneal_epochs must"),
        ({"swa_lr": [1.0, 0.1, 0.01]}, "swa_lr must"),
    ],
    ids=["strategy", "negative_epochs", "fractional_epochs", "too_many_rates"],
)
def test_swalr_refuses_bad_options_with_torchs_value_error_and_words(options, pattern):
    for lib in LIBS:
        with pytest.raises(ValueError, match=pattern):
            lib.swa.SWALR(_optimizer(lib), **options)


# -- state dicts ----------------------------------------------------------------------------------------------------
STATE_PAIRS = {
    "step": (lambda lib, o: lib.sched.StepLR(o, 3, 0.1), lambda lib, o: lib.sched.StepLR(o, 1, 0.005)),
    "multi_step": (
        lambda lib, o: lib.sched.MultiStepLR(o, [2, 5, 9], 0.1),
        lambda lib, o: lib.sched.MultiStepLR(o, [1, 4, 6], 0.01),
    ),
    "exponential": (lambda lib, o: lib.sched.ExponentialLR(o, 0.1), lambda lib, o: lib.sched.ExponentialLR(o, 0.01)),
    "cosine": (
        lambda lib, o: lib.sched.CosineAnnealingLR(o, T_max=10, eta_min=1e-10),
        lambda lib, o: lib.sched.CosineAnnealingLR(o, T_max=5, eta_min=5e-11),
    ),
    "warm_restarts": (
        lambda lib, o: lib.sched.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2),
        lambda lib, o: lib.sched.CosineAnnealingWarmRestarts(o, T_0=100),
    ),
    "swalr": (
        lambda lib, o: lib.swa.SWALR(o, anneal_epochs=3, swa_lr=0.5),
        lambda lib, o: lib.swa.SWALR(o, anneal_epochs=10, anneal_strategy="linear", swa_lr=5.0),
    ),
}


def _attributes(scheduler, leave_out=("optimizer",)):
    return {key: value for key, value in vars(scheduler).items() if key not in leave_out}


@pytest.mark.parametrize("name", sorted(STATE_PAIRS))
def test_a_state_loaded_into_a_scheduler_built_otherwise_makes_it_the_same(name):
    first, other = STATE_PAIRS[name]
    for lib in LIBS:
        optimizer = _optimizer(lib)
        scheduler = first(lib, optimizer)
        for _ in range(10):
            optimizer.step()
            scheduler.step()
        copy_ = other(lib, optimizer)
        copy_.load_state_dict(scheduler.state_dict())
        assert _attributes(copy_) == _attributes(scheduler)
        assert copy_.get_last_lr() == scheduler.get_last_lr()


def test_a_plateau_state_loaded_into_one_built_otherwise_makes_it_the_same():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        scheduler = lib.sched.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=2)
        for score in [1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0, 3.0, 2.0, 1.0]:
            scheduler.step(score)
        copy_ = lib.sched.ReduceLROnPlateau(optimizer, mode="max", factor=0.5, patience=10)
        copy_.load_state_dict(scheduler.state_dict())
        leave_out = ("optimizer", "is_better")
        assert _attributes(copy_, leave_out) == _attributes(scheduler, leave_out)


class _Scaled:
    """A callable lr_lambda with state, which the state dict carries (upstream's LambdaLRTestObject)."""

    def __init__(self, value):
        self.value = value

    def __call__(self, epoch):
        return self.value * epoch

    def __eq__(self, other):
        return isinstance(other, _Scaled) and vars(other) == vars(self)


def test_a_lambda_lr_state_saves_a_callable_objects_attributes_but_not_a_functions():
    for lib in LIBS:
        optimizer = _optimizer(lib)
        scheduler = lib.sched.LambdaLR(optimizer, lr_lambda=lambda x: x)
        state = scheduler.state_dict()
        assert state["lr_lambdas"] == [None, None]
        copy_ = lib.sched.LambdaLR(optimizer, lr_lambda=lambda x: x)
        copy_.load_state_dict(state)
        leave_out = ("optimizer", "lr_lambdas")
        assert _attributes(copy_, leave_out) == _attributes(scheduler, leave_out)

        scheduler = lib.sched.LambdaLR(optimizer, lr_lambda=_Scaled(10))
        state = scheduler.state_dict()
        assert state["lr_lambdas"] == [{"value": 10}] * 2
        copy_ = lib.sched.LambdaLR(optimizer, lr_lambda=_Scaled(-1))
        copy_.load_state_dict(state)
        assert _attributes(copy_) == _attributes(scheduler)


EVERY_SCHEDULER = {
    "LambdaLR": lambda lib, o, **k: lib.sched.LambdaLR(o, lr_lambda=lambda e: e // 10, **k),
    "MultiplicativeLR": lambda lib, o, **k: lib.sched.MultiplicativeLR(o, lr_lambda=lambda e: 0.95, **k),
    "StepLR": lambda lib, o, **k: lib.sched.StepLR(o, step_size=30, **k),
    "MultiStepLR": lambda lib, o, **k: lib.sched.MultiStepLR(o, milestones=[30, 80], **k),
    "ConstantLR": lambda lib, o, **k: lib.sched.ConstantLR(o, **k),
    "LinearLR": lambda lib, o, **k: lib.sched.LinearLR(o, **k),
    "ExponentialLR": lambda lib, o, **k: lib.sched.ExponentialLR(o, gamma=0.9, **k),
    "PolynomialLR": lambda lib, o, **k: lib.sched.PolynomialLR(o, **k),
    "CosineAnnealingLR": lambda lib, o, **k: lib.sched.CosineAnnealingLR(o, T_max=10, **k),
    "CosineAnnealingWarmRestarts": lambda lib, o, **k: lib.sched.CosineAnnealingWarmRestarts(o, T_0=20, **k),
    "CyclicLR": lambda lib, o, **k: lib.sched.CyclicLR(o, base_lr=0.01, max_lr=0.1, **k),
    "OneCycleLR": lambda lib, o, **k: lib.sched.OneCycleLR(o, max_lr=0.01, total_steps=10, **k),
    "SWALR": lambda lib, o, **k: lib.swa.SWALR(o, swa_lr=0.01, **k),
}
COMPOSITES = {
    "ChainedScheduler": lambda lib, o: lib.sched.ChainedScheduler([lib.sched.ConstantLR(o), lib.sched.ConstantLR(o)]),
    "SequentialLR": lambda lib, o: lib.sched.SequentialLR(
        o, [lib.sched.ConstantLR(o), lib.sched.ConstantLR(o)], milestones=[2]
    ),
    "ReduceLROnPlateau": lambda lib, o: lib.sched.ReduceLROnPlateau(o),
}


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("name", sorted({**EVERY_SCHEDULER, **COMPOSITES}))
def test_every_schedulers_state_dict_survives_nn_save_and_load(name, weights_only):
    make = {**EVERY_SCHEDULER, **COMPOSITES}[name]
    optimizer = _optimizer(OURS, momentum=0.9)
    state = make(OURS, optimizer).state_dict()
    archive = io.BytesIO()
    nn.save(state, archive)
    archive.seek(0)
    loaded = nn.load(archive, weights_only=weights_only)
    assert loaded == state
    restored = make(OURS, optimizer)
    restored.load_state_dict(loaded)
    assert restored.state_dict() == state


@pytest.mark.parametrize("name", sorted(EVERY_SCHEDULER))
def test_a_scheduler_rebuilt_at_last_epoch_0_on_a_loaded_optimizer_has_its_rate(name):
    make = EVERY_SCHEDULER[name]

    def run(lib):
        model = [lib.param(3, 3), lib.param(3)]
        optimizer = lib.optim.AdamW(model)
        scheduler = make(lib, optimizer)
        optimizer.step()
        scheduler.step()
        resumed = lib.optim.AdamW(model)
        resumed.load_state_dict(optimizer.state_dict())
        rebuilt = make(lib, resumed, last_epoch=0)
        assert float(rebuilt.get_last_lr()[0]) == pytest.approx(float(optimizer.param_groups[0]["lr"]), rel=1e-12)
        return _rates(resumed) + [float(lr) for lr in rebuilt.get_last_lr()]

    _same_as_torch(run)


def test_a_plateau_scheduler_built_on_a_loaded_optimizer_has_its_rate():
    for lib in LIBS:
        model = [lib.param(3, 3)]
        optimizer = lib.optim.AdamW(model)
        scheduler = lib.sched.ReduceLROnPlateau(optimizer, mode="min")
        optimizer.step()
        scheduler.step(1)
        resumed = lib.optim.AdamW(model)
        resumed.load_state_dict(optimizer.state_dict())
        assert lib.sched.ReduceLROnPlateau(resumed, mode="min").get_last_lr() == [optimizer.param_groups[0]["lr"]]


# -- Tensor rates: the starting values are kept, whatever happens to the caller's tensors ---------------------------
@pytest.mark.parametrize("name", sorted(set(EVERY_SCHEDULER) - {"CyclicLR", "OneCycleLR", "SWALR"}))
def test_a_tensor_lrs_start_stays_the_schedules_base_when_the_tensor_changes(name):
    make = EVERY_SCHEDULER[name]
    for lib in LIBS:
        lr = lib.tensor(0.1)
        optimizer = lib.optim.SGD([lib.param(1)], lr=lr)
        scheduler = make(lib, optimizer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # (step(epoch)'s deprecation)
            for epoch in range(2):
                optimizer.step()
                scheduler.step(epoch)
                lr.mul_(0.1)
                assert float(optimizer.param_groups[0]["initial_lr"]) == pytest.approx(0.1, rel=1e-6)
                assert [float(base) for base in scheduler.base_lrs] == pytest.approx([0.1], rel=1e-6)


def test_cyclic_and_one_cycle_and_swalr_keep_the_tensor_options_they_were_given():
    for lib in LIBS:
        lr, max_lr, base_momentum, max_momentum = (lib.tensor(v) for v in (0.1, 0.2, 0.8, 0.9))
        optimizer = lib.optim.SGD([lib.param(1)], lr=lr)
        cyclic = lib.sched.CyclicLR(
            optimizer, base_lr=lr, max_lr=max_lr, base_momentum=base_momentum, max_momentum=max_momentum
        )
        for tensor in (lr, max_lr, base_momentum, max_momentum):
            tensor.mul_(0.5)
        optimizer.step()
        cyclic.step()
        group = optimizer.param_groups[0]
        kept = [
            group["initial_lr"],
            group["base_momentum"],
            group["max_momentum"],
            cyclic.base_lrs[0],
            cyclic.max_lrs[0],
        ]
        assert [float(value) for value in kept] == pytest.approx([0.1, 0.8, 0.9, 0.1, 0.2], rel=1e-6)

        lr, base_momentum, max_momentum = (lib.tensor(v) for v in (0.1, 0.85, 0.95))
        optimizer = lib.optim.SGD([lib.param(1)], lr=lr)
        one_cycle = lib.sched.OneCycleLR(
            optimizer, max_lr=lr, total_steps=10, base_momentum=base_momentum, max_momentum=max_momentum
        )
        for tensor in (lr, base_momentum, max_momentum):
            tensor.mul_(0.5)
        optimizer.step()
        one_cycle.step()
        group = optimizer.param_groups[0]
        kept = [group[key] for key in ("initial_lr", "max_lr", "min_lr", "base_momentum", "max_momentum")]
        assert [float(value) for value in kept] == pytest.approx([0.004, 0.1, 4e-7, 0.85, 0.95], rel=1e-6)

        lr, swa_lr = lib.tensor(0.1), lib.tensor(0.05)
        optimizer = lib.optim.SGD([lib.param(1)], lr=lr)
        swalr = lib.swa.SWALR(optimizer, swa_lr=swa_lr)
        swa_lr.mul_(0.5)
        optimizer.step()
        swalr.step()
        group = optimizer.param_groups[0]
        assert [float(group["swa_lr"]), float(group["initial_lr"]), float(swalr.base_lrs[0])] == pytest.approx(
            [0.05, 0.1, 0.1], rel=1e-6
        )


# -- argument errors --------------------------------------------------------------------------------------------------
def test_a_get_lr_that_takes_an_argument_is_a_type_error_when_the_scheduler_is_built():
    for lib in LIBS:

        class Milestones(lib.sched.LRScheduler):
            def __init__(self, optimizer, gamma, milestones, last_epoch=-1):
                self.gamma, self.milestones = gamma, milestones
                super().__init__(optimizer, last_epoch)

            def get_lr(self, step):
                passed = sum(self.last_epoch >= m for m in self.milestones)
                return [base * self.gamma**passed for base in self.base_lrs]

        with pytest.raises(TypeError):
            Milestones(lib.optim.SGD([lib.param(1)], lr=1), gamma=1, milestones=[10, 20])


def test_resuming_without_initial_lr_is_torchs_key_error_naming_it():
    for lib in LIBS:
        with pytest.raises(KeyError, match="initial_lr"):
            lib.sched.StepLR(lib.optim.SGD([lib.param(2, 2)], 0.1), step_size=3, gamma=0.1, last_epoch=1)


@pytest.mark.parametrize("start_factor", [0.0, 1.1])
def test_linear_lr_start_factor_outside_0_to_1_is_torchs_value_error(start_factor):
    for lib in LIBS:
        with pytest.raises(ValueError):
            lib.sched.LinearLR(_optimizer(lib), start_factor=start_factor, total_iters=4)


def test_multiplicative_lr_given_a_number_is_torchs_type_error():
    for lib in LIBS:
        for lr_lambda in (0.95, [0.95, 0.95]):
            with pytest.raises(TypeError, match="lr_lambda"):
                lib.sched.MultiplicativeLR(_optimizer(lib), lr_lambda)


# -- no reference cycles ---------------------------------------------------------------------------------------------
def _without_collector(run):
    gc.collect()
    gc.disable()
    try:
        return run()
    finally:
        gc.enable()


def test_a_scheduler_leaves_no_reference_to_its_optimizer_behind():
    for lib in LIBS:

        def run(lib=lib):
            optimizer = lib.optim.SGD([lib.param(10)], lr=0.5)
            scheduler = lib.sched.LambdaLR(optimizer, lambda epoch: 1.0)
            del scheduler
            referrers = [r for r in gc.get_referrers(optimizer) if not isinstance(r, types.FrameType)]
            return weakref.ref(optimizer), referrers

        optimizer, referrers = _without_collector(run)
        assert referrers == [] and optimizer() is None


@pytest.mark.parametrize("name", ["LambdaLR", "CyclicLR"])
def test_a_stepped_scheduler_is_freed_without_the_cycle_collector(name):
    for lib in LIBS:

        def run(lib=lib):
            optimizer = lib.optim.SGD([lib.param(10)], lr=0.5)
            if name == "LambdaLR":
                scheduler = lib.sched.LambdaLR(optimizer, lambda epoch: 1.0)
            else:
                scheduler = lib.sched.CyclicLR(optimizer, base_lr=1, max_lr=5, cycle_momentum=False)
            optimizer.step()
            scheduler.step()
            return weakref.ref(scheduler)

        assert _without_collector(run)() is None


def test_deep_copies_of_the_optimizer_keep_the_schedules_groups_apart():
    """(upstream checks with deepcopy that a copy of the groups keeps ``initial_lr``: the copy is independent)"""
    for lib in LIBS:
        optimizer = _optimizer(lib)
        lib.sched.StepLR(optimizer, step_size=2)
        groups = copy.deepcopy(optimizer.param_groups)
        optimizer.param_groups[0]["lr"] = 1.0
        assert [group["initial_lr"] for group in groups] == [0.05, 0.5] and groups[0]["lr"] == 0.05
