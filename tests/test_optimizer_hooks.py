"""torch's optimizer hooks: step pre/post hooks (per optimizer and global), state_dict and load_state_dict hooks;
the order of the calls against torch's when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

START = np.array([1.0, -2.0])
GRAD = np.array([0.5, -1.5])


def _sgd(lr=0.1):
    parameter = nn.Parameter(START.copy())
    parameter.grad = GRAD.copy()
    return parameter, nn.optim.SGD([parameter], lr=lr)


def _record_step_hooks(optimizer, events, register_pre, register_post):
    handles = [
        register_pre(lambda opt, args, kwargs: events.append(("global pre", opt is optimizer, len(args)))),
        optimizer.register_step_pre_hook(lambda opt, args, kwargs: events.append(("pre", opt is optimizer))),
        optimizer.register_step_post_hook(lambda opt, args, kwargs: events.append(("post", opt is optimizer))),
        register_post(lambda opt, args, kwargs: events.append(("global post", opt is optimizer))),
    ]
    return handles


def test_step_hooks_run_global_pre_then_own_pre_then_own_post_then_global_post():
    parameter, optimizer = _sgd()
    events = []
    handles = _record_step_hooks(optimizer, events, register_optimizer_step_pre_hook, register_optimizer_step_post_hook)
    try:
        optimizer.step()
    finally:
        for handle in handles:
            handle.remove()
    assert events == [("global pre", True, 1), ("pre", True), ("post", True), ("global post", True)]
    np.testing.assert_allclose(parameter.data, START - 0.1 * GRAD)
    optimizer.step()  # removed: nothing more is recorded
    assert len(events) == 4


def test_step_hook_order_matches_torch():
    torch = pytest.importorskip("torch")
    torch_optimizer = pytest.importorskip("torch.optim.optimizer")
    ours, theirs = [], []
    _, optimizer = _sgd()
    handles = _record_step_hooks(optimizer, ours, register_optimizer_step_pre_hook, register_optimizer_step_post_hook)
    parameter_t = torch.nn.Parameter(torch.tensor(START))
    parameter_t.grad = torch.tensor(GRAD)
    optimizer_t = torch.optim.SGD([parameter_t], lr=0.1)
    handles += _record_step_hooks(
        optimizer_t,
        theirs,
        torch_optimizer.register_optimizer_step_pre_hook,
        torch_optimizer.register_optimizer_step_post_hook,
    )
    try:
        optimizer.step()
        optimizer_t.step()
    finally:
        for handle in handles:
            handle.remove()
    # each optimizer's global hooks also saw the other optimizer's step
    assert [event for event in ours if event[1]] == [event for event in theirs if event[1]]


def test_a_step_pre_hook_may_replace_the_arguments_and_must_return_a_pair():
    parameter, optimizer = _sgd()
    calls = []

    def closure():
        calls.append("closure")
        return 3.0

    handle = optimizer.register_step_pre_hook(lambda opt, args, kwargs: (args, {"closure": closure}))
    assert optimizer.step() == 3.0 and calls == ["closure"]
    handle.remove()
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: "not a pair")
    before = parameter.data.copy()
    with pytest.raises(RuntimeError, match=r"SGD.step: a step pre-hook must return None or a tuple"):
        optimizer.step()
    np.testing.assert_array_equal(parameter.data, before)


def test_hooks_run_once_around_a_subclass_step_that_calls_the_base_step():
    class Logged(nn.optim.SGD):
        def step(self, closure=None):
            self.logged = True
            return super().step(closure)

    parameter = nn.Parameter(START.copy())
    parameter.grad = GRAD.copy()
    optimizer = Logged([parameter], lr=0.1)
    events = []
    optimizer.register_step_pre_hook(lambda *_: events.append("pre"))
    optimizer.register_step_post_hook(lambda *_: events.append("post"))
    optimizer.step()
    assert events == ["pre", "post"] and optimizer.logged
    np.testing.assert_allclose(parameter.data, START - 0.1 * GRAD)


def test_lbfgs_step_runs_between_its_hooks():
    parameter = nn.Parameter(START.copy())
    optimizer = nn.optim.LBFGS([parameter], lr=1.0, max_iter=2)
    events = []
    optimizer.register_step_pre_hook(lambda *_: events.append("pre"))
    optimizer.register_step_post_hook(lambda *_: events.append("post"))

    def closure():
        optimizer.zero_grad()
        loss = (parameter * parameter).sum()
        loss.backward()
        events.append("closure")
        return loss

    optimizer.step(closure)
    assert events[0] == "pre" and events[-1] == "post" and events.count("closure") >= 1


def test_state_dict_hooks_run_before_and_may_replace_the_result():
    _, optimizer = _sgd()
    events = []
    optimizer.register_state_dict_pre_hook(lambda opt: events.append("pre"))
    optimizer.register_state_dict_post_hook(lambda opt, state: events.append("post 1"))
    optimizer.register_state_dict_post_hook(lambda opt, state: {**state, "note": "mine"})
    optimizer.register_state_dict_pre_hook(lambda opt: events.append("pre first"), prepend=True)
    state = optimizer.state_dict()
    assert events == ["pre first", "pre", "post 1"] and state["note"] == "mine"


def test_load_state_dict_hooks_may_replace_what_is_loaded_and_run_after_it():
    _, optimizer = _sgd(lr=0.1)
    saved = optimizer.state_dict()
    _, restored = _sgd(lr=0.5)
    events = []

    def lower_the_rate(opt, state):
        events.append(("pre", state is not saved))  # a copy of the argument, as torch's
        groups = [{**group, "lr": 0.01} for group in state["param_groups"]]
        return {**state, "param_groups": groups}

    restored.register_load_state_dict_pre_hook(lower_the_rate)
    restored.register_load_state_dict_post_hook(lambda opt: events.append(("post", opt.param_groups[0]["lr"])))
    restored.load_state_dict(saved)
    assert events == [("pre", True), ("post", 0.01)]
    assert saved["param_groups"][0]["lr"] == 0.1


def test_a_failed_load_runs_no_post_hook_and_changes_nothing():
    _, optimizer = _sgd(lr=0.5)
    events = []
    optimizer.register_load_state_dict_post_hook(lambda opt: events.append("post"))
    bad = optimizer.state_dict()
    bad["param_groups"][0]["momentum"] = -1.0
    with pytest.raises(ValueError):
        optimizer.load_state_dict(bad)
    assert events == [] and optimizer.param_groups[0]["lr"] == 0.5


def test_hooks_must_be_callable():
    _, optimizer = _sgd()
    with pytest.raises(TypeError, match="register_step_pre_hook: the hook must be callable, got int"):
        optimizer.register_step_pre_hook(3)
    with pytest.raises(TypeError, match="register_optimizer_step_post_hook: the hook must be callable"):
        register_optimizer_step_post_hook(None)


def test_a_post_hook_registered_during_the_step_runs_after_it_as_in_torch():
    parameter = nn.Parameter(np.ones(3, dtype=np.float32))
    parameter.grad = np.ones(3, dtype=np.float32)
    optimizer = nn.optim.SGD([parameter], lr=0.1)
    seen = []

    def closure():
        optimizer.register_step_post_hook(lambda opt, args, kwargs: seen.append("post"))
        return 0.0

    optimizer.step(closure)
    assert seen == ["post"]
