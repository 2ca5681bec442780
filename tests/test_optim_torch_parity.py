"""Optimizer and scheduler behaviours torch code relies on: ``Optimizer.state`` as a ``defaultdict(dict)`` for a
custom ``step()``, schedulers written by overriding ``get_lr()`` alone, built-in schedulers' ``get_lr()``,
torch's warning for ``scheduler.step()`` before ``optimizer.step()``, and ``clip_grad_norm_`` with
``norm_type="inf"``.

Each behaviour is checked without torch; where torch is installed the same case is compared with it."""

from __future__ import annotations

import warnings
from collections import defaultdict

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.optim.lr_scheduler import ExponentialLR, LambdaLR, LRScheduler, StepLR
from nn.optim.scheduler import STEP_ORDER_WARNING, STEP_OVERRIDDEN_WARNING


def _torch():
    return pytest.importorskip("torch")


class MomentumSign(nn.optim.Optimizer):
    """A custom optimizer written as in torch: step() keeps a momentum in ``self.state[p]``."""

    def __init__(self, params, lr=0.1, beta=0.5):
        super().__init__(params, {"lr": lr, "beta": beta})

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum" not in state:
                    state["momentum"] = np.zeros_like(p.data)
                    state["step"] = 0
                state["step"] += 1
                state["momentum"] = group["beta"] * state["momentum"] + np.sign(p.grad)
                p.data -= group["lr"] * state["momentum"]
        return None


def _parameter(values=(1.0, -2.0)):
    return nn.Parameter(np.array(values))


# -- Optimizer.state --------------------------------------------------------------------------------------------


def test_optimizer_state_is_a_defaultdict_of_dicts():
    parameter = _parameter()
    optimizer = nn.optim.SGD([parameter], lr=0.1)
    assert isinstance(optimizer.state, defaultdict)
    assert optimizer.state[parameter] == {}
    assert optimizer.state_dict()["state"] == {}  # an entry only read is not saved


def test_custom_optimizer_step_keeps_its_state_through_self_state():
    parameter = _parameter()
    optimizer = MomentumSign([parameter])
    for _ in range(3):
        parameter.grad = np.array([0.5, -1.0])
        optimizer.step()
    assert optimizer.state[parameter]["step"] == 3
    np.testing.assert_allclose(optimizer.state[parameter]["momentum"], [1.75, -1.75])
    np.testing.assert_allclose(parameter.data, [1.0 - 0.1 * (1 + 1.5 + 1.75), -2.0 + 0.1 * (1 + 1.5 + 1.75)])


def test_custom_optimizer_state_round_trips_through_state_dict():
    parameter = _parameter()
    optimizer = MomentumSign([parameter])
    parameter.grad = np.array([0.5, -1.0])
    optimizer.step()
    saved = optimizer.state_dict()
    other_parameter = _parameter()
    other = MomentumSign([other_parameter])
    other.load_state_dict(saved)
    assert isinstance(other.state, defaultdict)
    assert other.state[other_parameter]["step"] == 1
    np.testing.assert_array_equal(other.state[other_parameter]["momentum"], [1.0, -1.0])
    saved["state"][0]["momentum"][0] = 99.0  # a copy was loaded
    assert other.state[other_parameter]["momentum"][0] == 1.0


def test_builtin_optimizer_state_stays_a_defaultdict_after_loading():
    parameter = _parameter()
    optimizer = nn.optim.Adam([parameter], lr=0.1)
    parameter.grad = np.array([0.5, -1.0])
    optimizer.step()
    optimizer.load_state_dict(optimizer.state_dict())
    assert isinstance(optimizer.state, defaultdict) and optimizer.state[parameter]["step"] == 1
    with pytest.raises(ValueError, match="unexpected keys"):
        optimizer.load_state_dict(
            {"state": {0: {"step": 1, "nonsense": 1}}, "param_groups": optimizer.state_dict()["param_groups"]}
        )


def test_custom_optimizer_matches_the_same_optimizer_written_for_torch():
    torch = _torch()

    class TorchMomentumSign(torch.optim.Optimizer):
        def __init__(self, params, lr=0.1, beta=0.5):
            super().__init__(params, {"lr": lr, "beta": beta})

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    if "momentum" not in state:
                        state["momentum"] = torch.zeros_like(p)
                    state["momentum"] = group["beta"] * state["momentum"] + p.grad.sign()
                    p -= group["lr"] * state["momentum"]

    ours, theirs = _parameter(), torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    our_optimizer, their_optimizer = MomentumSign([ours]), TorchMomentumSign([theirs])
    for grad in ([0.5, -1.0], [-0.1, 2.0], [0.3, 0.0]):
        ours.grad = np.array(grad)
        theirs.grad = torch.tensor(grad, dtype=torch.float64)
        our_optimizer.step()
        their_optimizer.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


# -- get_lr schedulers ----------------------------------------------------------------------------------------------


class HalvingEveryTwo(LRScheduler):
    """torch's way to write a schedule: get_lr() alone, from base_lrs and last_epoch."""

    def get_lr(self):
        return [base * 0.5 ** (self.last_epoch // 2) for base in self.base_lrs]


class DecayFromCurrent(LRScheduler):
    """A chainable get_lr(): from each group's current rate."""

    def get_lr(self):
        if self.last_epoch == 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * 0.9 for group in self.optimizer.param_groups]


def _optimizer(lr=1.0, groups=1):
    return nn.optim.SGD([{"params": [_parameter()], "lr": lr * (i + 1)} for i in range(groups)], lr=lr)


def _stepped(scheduler, steps):
    rates = [scheduler.get_last_lr()]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr())
    return rates


def test_scheduler_defined_by_get_lr_alone_sets_its_rates():
    scheduler = HalvingEveryTwo(_optimizer(groups=2))
    rates = _stepped(scheduler, 4)
    assert rates == [[1.0, 2.0], [1.0, 2.0], [0.5, 1.0], [0.5, 1.0], [0.25, 0.5]]
    assert scheduler.last_epoch == 4
    assert scheduler.optimizer.param_groups[1]["lr"] == 0.5


def test_chainable_get_lr_scheduler_builds_on_the_current_rate():
    scheduler = DecayFromCurrent(_optimizer())
    rates = _stepped(scheduler, 3)
    np.testing.assert_allclose([r[0] for r in rates], [1.0, 0.9, 0.81, 0.729])


def test_get_lr_scheduler_resumes_and_takes_an_explicit_epoch():
    optimizer = _optimizer()
    HalvingEveryTwo(optimizer)
    resumed = HalvingEveryTwo(optimizer, last_epoch=3)  # steps to epoch 4 with get_lr(), as torch
    assert resumed.last_epoch == 4 and resumed.get_last_lr() == [0.25]
    optimizer.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        resumed.step(6)
    assert resumed.last_epoch == 6 and resumed.get_last_lr() == [0.125]


def test_get_lr_scheduler_state_round_trips():
    scheduler = HalvingEveryTwo(_optimizer())
    _stepped(scheduler, 3)
    other = HalvingEveryTwo(_optimizer())
    other.load_state_dict(scheduler.state_dict())
    assert other.last_epoch == 3
    other.optimizer.step()
    other.step()
    assert other.get_last_lr() == [0.25]


def test_scheduler_with_no_schedule_names_get_lr():
    class Empty(LRScheduler):
        pass

    with pytest.raises(NotImplementedError, match="get_lr"):
        Empty(_optimizer())


def test_get_lr_returning_the_wrong_count_raises():
    class Short(LRScheduler):
        def get_lr(self):
            return []

    with pytest.raises(ValueError, match="one per group"):
        Short(_optimizer())


def test_get_lr_overriding_a_builtin_is_used_by_step():
    class Doubling(StepLR):
        def get_lr(self):
            return [group["lr"] * 2 for group in self.optimizer.param_groups]

    scheduler = Doubling(_optimizer(), step_size=1)
    assert [r[0] for r in _stepped(scheduler, 2)] == [2.0, 4.0, 8.0]


def test_builtin_schedulers_expose_get_lr_for_the_current_epoch():
    """Called outside step(), get_lr() gives the rates as torch's, with torch's warning to use get_last_lr()."""
    step = StepLR(_optimizer(), step_size=2, gamma=0.5)
    _stepped(step, 1)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert step.get_lr() == [1.0]  # epoch 1: the chained form, from the current rate
    _stepped(step, 1)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert step.get_last_lr() == [0.5] and step.get_lr() == [0.25]  # as torch's, called outside step()
    lam = LambdaLR(_optimizer(), lambda epoch: 1.0 / (epoch + 1))
    _stepped(lam, 2)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert lam.get_lr() == pytest.approx([1.0 / 3])


def test_get_lr_scheduler_matches_the_same_scheduler_written_for_torch():
    torch = _torch()

    class TorchHalving(torch.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            return [base * 0.5 ** (self.last_epoch // 2) for base in self.base_lrs]

    theirs_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=1.0)
    theirs = TorchHalving(theirs_optimizer)
    their_rates = [theirs.get_last_lr()]
    for _ in range(5):
        theirs_optimizer.step()
        theirs.step()
        their_rates.append(theirs.get_last_lr())
    assert _stepped(HalvingEveryTwo(_optimizer()), 5) == their_rates


def test_builtin_get_lr_matches_torch_inside_a_subclass():
    torch = _torch()

    class Ours(ExponentialLR):
        def get_lr(self):
            return [lr + 0.01 for lr in super().get_lr()]

    class Theirs(torch.optim.lr_scheduler.ExponentialLR):
        def get_lr(self):
            return [lr + 0.01 for lr in super().get_lr()]

    their_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=1.0)
    theirs = Theirs(their_optimizer, gamma=0.5)
    their_rates = [theirs.get_last_lr()]
    for _ in range(3):
        their_optimizer.step()
        theirs.step()
        their_rates.append(theirs.get_last_lr())
    np.testing.assert_allclose(_stepped(Ours(_optimizer(), gamma=0.5), 3), their_rates, rtol=1e-12)


# -- the step-order warning ------------------------------------------------------------------------------------------


def test_scheduler_step_before_any_optimizer_step_warns_once():
    scheduler = StepLR(_optimizer(), step_size=1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()


def test_scheduler_after_optimizer_step_does_not_warn_for_builtin_or_custom_optimizers():
    for optimizer in (_optimizer(), MomentumSign([_parameter()])):
        scheduler = ExponentialLR(optimizer, gamma=0.5)
        optimizer.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scheduler.step()
            scheduler.step()


def test_building_schedulers_never_warns():
    optimizer = _optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = StepLR(optimizer, step_size=1)
        second = ExponentialLR(optimizer, gamma=0.5)
        nn.optim.lr_scheduler.SequentialLR(optimizer, [first, second], milestones=[2])


def test_step_order_warning_is_torchs_message():
    torch = _torch()
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
    with pytest.warns(UserWarning) as record:
        scheduler.step()
    assert STEP_ORDER_WARNING in [str(item.message) for item in record]


def _first_step_warnings(optimizer, scheduler_class, replace_step_after_build):
    """The messages of the warnings a first optimizer step and scheduler step give, the optimizer's ``step`` replaced
    on the instance by a wrapper once the scheduler is built (as a library patching it does) or not at all."""
    scheduler = scheduler_class(optimizer, step_size=1)
    if replace_step_after_build:
        original = optimizer.step
        optimizer.step = lambda *args, **kwargs: original(*args, **kwargs)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        optimizer.step()
        scheduler.step()
    return [str(item.message) for item in record]


@pytest.mark.parametrize("replace_step_after_build", [True, False])
def test_a_step_replaced_after_the_scheduler_was_built_warns_torchs_override_warning(replace_step_after_build):
    torch = _torch()
    their_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    expected = _first_step_warnings(their_optimizer, torch.optim.lr_scheduler.StepLR, replace_step_after_build)
    got = _first_step_warnings(_optimizer(), StepLR, replace_step_after_build)
    assert got == expected
    assert (STEP_OVERRIDDEN_WARNING in got) == replace_step_after_build


def test_a_step_replaced_before_the_scheduler_was_built_is_tracked_and_does_not_warn():
    # (torch's scheduler cannot wrap a plain function there and raises AttributeError; here it is wrapped and tracked)
    optimizer = _optimizer()
    original = optimizer.step
    optimizer.step = lambda *args, **kwargs: original(*args, **kwargs)
    scheduler = StepLR(optimizer, step_size=1)
    StepLR(optimizer, step_size=2)  # a second scheduler keeps the wrapper it finds
    optimizer.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()
    unstepped = _optimizer()
    unstepped.step = lambda *args, **kwargs: None
    scheduler = StepLR(unstepped, step_size=1)
    with pytest.warns(UserWarning, match="Detected call of"):
        scheduler.step()


# -- clip_grad_norm_ with a string norm ------------------------------------------------------------------------------


def test_clip_grad_norm_takes_inf_as_a_string():
    parameters = [_parameter(), _parameter((0.0, 0.0, 0.0))]
    parameters[0].grad = np.array([3.0, -4.0])
    parameters[1].grad = np.array([1.0, 2.0, -0.5])
    total = nn.utils.clip_grad_norm_(parameters, max_norm=2.0, norm_type="inf")
    assert total == 4.0
    np.testing.assert_allclose(parameters[0].grad, np.array([3.0, -4.0]) * 2.0 / (4.0 + 1e-6))
    assert nn.utils.get_total_norm([np.array([1.0, -5.0])], norm_type="inf") == 5.0
    assert nn.utils.get_total_norm([np.array([3.0, -4.0])], norm_type="2") == 5.0
    with pytest.raises(ValueError, match="norm_type"):
        nn.utils.clip_grad_norm_(parameters, 1.0, norm_type="max")


def test_clip_grad_norm_with_inf_string_matches_torch():
    torch = _torch()
    grads = [np.array([3.0, -4.0]), np.array([[1.0, 2.0], [-7.5, 0.5]])]
    ours = [nn.Parameter(np.zeros_like(g)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for mine, reference, grad in zip(ours, theirs, grads):
        mine.grad = grad.copy()
        reference.grad = torch.tensor(grad)
    our_total = nn.utils.clip_grad_norm_(ours, 1.5, norm_type="inf")
    their_total = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type="inf")
    assert our_total == pytest.approx(their_total.item())
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


def test_tensor_gradients_of_a_model_clip_with_inf_string():
    model = nn.Linear(3, 2, rng=0)
    model(Tensor(np.ones((4, 3), np.float32))).sum().backward()
    largest = max(float(np.abs(p.grad).max()) for p in model.parameters())
    assert nn.utils.clip_grad_norm_(model.parameters(), 0.5, "inf") == pytest.approx(largest)
    assert max(float(np.abs(p.grad).max()) for p in model.parameters()) <= 0.5


def test_a_step_that_cannot_update_a_parameter_changes_none_of_them():
    import autograd

    read_only = autograd.from_numpy(np.broadcast_to(np.ones(2), (2, 2))).requires_grad_()
    first = nn.Parameter(Tensor(np.ones(3)))
    for optimizer_class in (nn.optim.SGD, nn.optim.Adam):
        optimizer = optimizer_class([first, read_only], lr=0.1)
        ((first * first).sum() + (read_only * read_only).sum()).backward()
        with pytest.raises(
            ValueError, match=rf"{optimizer_class.__name__}.step: a parameter of shape \(2, 2\) holds a read-only"
        ):
            optimizer.step()
        np.testing.assert_array_equal(first.data, np.ones(3))
        assert not optimizer.state
        first.grad = read_only.grad = None


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "SGD"])
def test_a_state_dict_straight_from_torch_loads_and_steps_on_as_torch(name):
    # torch keeps Adam's step count as a 0-d float tensor; the state dict is loaded as torch hands it over
    torch = _torch()
    options = {"lr": 0.1} | ({"momentum": 0.9} if name == "SGD" else {})
    start = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    their_optimizer = getattr(torch.optim, name)([theirs], **options)
    ours = nn.Parameter(start.copy())
    our_optimizer = getattr(nn.optim, name)([ours], **options)
    for step in range(2):
        (theirs * theirs * (step + 1.0)).sum().backward()
        their_optimizer.step()
        their_optimizer.zero_grad()
    ours.data[...] = theirs.detach().numpy()
    our_optimizer.load_state_dict(their_optimizer.state_dict())
    ours.grad = np.array([0.5, 0.25, -1.0], dtype=np.float32)
    theirs.grad = torch.tensor(ours.grad.copy())
    our_optimizer.step()
    their_optimizer.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)


def test_optimizer_repr_is_torchs_text_with_a_blank_line_between_groups():
    first, second = _parameter(), _parameter()
    optimizer = nn.optim.SGD([{"params": [first]}, {"params": [second], "lr": 0.5}], lr=0.1, momentum=0.9)

    def group_lines(number, lr):
        options = {"dampening": 0, "differentiable": False, "foreach": None, "fused": None, "lr": lr}
        options.update({"maximize": False, "momentum": 0.9, "nesterov": False, "weight_decay": 0})
        return [f"Parameter Group {number}"] + [f"    {key}: {value}" for key, value in options.items()]

    expected = ["SGD (", *group_lines(0, 0.1), "", *group_lines(1, 0.5)]
    assert repr(optimizer) == "\n".join([*expected, ")"])
    torch = pytest.importorskip("torch")
    theirs = torch.optim.SGD(
        [{"params": [torch.zeros(2, requires_grad=True)]}, {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.5}],
        lr=0.1,
        momentum=0.9,
    )
    torch_lines = repr(theirs).splitlines()  # (its group's switches included: ours are torch's entries)
    our_lines = repr(optimizer).splitlines()
    assert our_lines == torch_lines
