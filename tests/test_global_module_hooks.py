"""torch's hooks common to all modules (``nn.modules.module.register_module_forward_hook`` and kin): the calls they
see, their order beside each module's own hooks, their replacements, removal, and the registration hooks; each
compared with torch 2.13 running the same model."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.module_global_hooks import GLOBAL_CALL_HOOKS

torch = pytest.importorskip("torch")


def _models(lib):
    """The same Sequential(Linear, ReLU, Linear) in ``lib`` (torch.nn or nn), with equal float64 weights."""
    rng = np.random.default_rng(0)
    model = lib.Sequential(lib.Linear(3, 4), lib.ReLU(), lib.Linear(4, 2)).double()
    for layer in (model[0], model[2]):
        weight, bias = rng.normal(size=(layer.out_features, layer.in_features)), rng.normal(size=layer.out_features)
        if lib is torch.nn:
            with torch.no_grad():
                layer.weight.copy_(torch.tensor(weight)), layer.bias.copy_(torch.tensor(bias))
        else:
            layer.weight.data[...], layer.bias.data[...] = weight, bias
    return model


_X = np.random.default_rng(1).normal(size=(5, 3))


def _as_tensor(lib, x, requires_grad=False):
    return torch.tensor(x, requires_grad=requires_grad) if lib is torch.nn else Tensor(x, requires_grad=requires_grad)


def _values(x):
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x.data)


def _forward_events(lib, register_global):
    """The hooks' calls, (hook, module class), in order, for one forward of the model with global and own hooks;
    and the output, which the hooks change (the global pre-hook doubles the ReLU's input, the global forward hook
    adds one to the last Linear's output, the model's own hook subtracts 3)."""
    model = _models(lib)
    events = []

    def global_pre(module, args):
        events.append(("global pre", type(module).__name__))
        return (args[0] * 2,) if isinstance(module, lib.ReLU) else None

    def global_post(module, args, output):
        events.append(("global post", type(module).__name__))
        return output + 1 if module is model[2] else None

    handles = [register_global.register_module_forward_pre_hook(global_pre)]
    handles.append(register_global.register_module_forward_hook(global_post))
    model.register_forward_pre_hook(lambda module, args: events.append(("own pre", "Sequential")), prepend=True)
    model.register_forward_hook(lambda module, args, output: events.append(("own post", "Sequential")) or output - 3)
    model[0].register_forward_hook(lambda module, args, output: events.append(("own post", "Linear")), prepend=True)
    try:
        output = model(_as_tensor(lib, _X))
    finally:
        for handle in handles:
            handle.remove()
    return events, _values(output)


def test_global_forward_hooks_run_for_every_module_before_its_own_and_replace_as_torchs():
    ours, our_output = _forward_events(nn, nn.modules.module)
    theirs, their_output = _forward_events(torch.nn, torch.nn.modules.module)
    assert ours == theirs
    assert ("global pre", "ReLU") in ours  # the Linear-ReLU pair is not fused while a global hook would see it
    np.testing.assert_allclose(our_output, their_output, rtol=1e-12)


def test_a_removed_global_hook_is_not_called_and_modules_are_called_directly_again():
    calls = []
    handle = nn.modules.module.register_module_forward_hook(lambda module, args, output: calls.append(module))
    with nn.modules.module.register_module_forward_pre_hook(lambda module, args: calls.append(module)):
        nn.ReLU()(Tensor(np.ones(2)))
    assert len(calls) == 2
    handle.remove()
    handle.remove()  # again: nothing happens, as torch's RemovableHandle
    nn.ReLU()(Tensor(np.ones(2)))
    assert len(calls) == 2 and not GLOBAL_CALL_HOOKS  # Module.__call__'s fast path is back


def _always_called_events(lib, register_global):
    class Failing(lib.Module):
        def forward(self, x):
            raise ValueError("forward failed")

    module, events = Failing(), []
    module.register_forward_hook(lambda m, args, output: events.append(("own", output)), always_call=True)
    handles = [
        register_global.register_module_forward_hook(
            lambda m, args, output: events.append(("global", output)) or "replaced", always_call=True
        ),
        register_global.register_module_forward_hook(lambda m, args, output: events.append(("not always", output))),
    ]
    try:
        with pytest.raises(ValueError, match="forward failed"):
            module(_as_tensor(lib, _X))
    finally:
        for handle in handles:
            handle.remove()
    return events


def test_global_always_called_forward_hooks_run_first_when_the_forward_raises_as_torchs():
    ours = _always_called_events(nn, nn.modules.module)
    assert ours == _always_called_events(torch.nn, torch.nn.modules.module) == [("global", None), ("own", "replaced")]


def test_a_global_forward_hook_with_kwargs_sees_the_keyword_arguments():
    class Scaled(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    seen = []
    hook = nn.modules.module.register_module_forward_hook(
        lambda module, args, kwargs, output: seen.append(dict(kwargs)), with_kwargs=True
    )
    with hook:
        Scaled()(Tensor(np.ones(2)), scale=3.0)
    assert seen == [{"scale": 3.0}]


def _backward_events(lib, register_global):
    model = _models(lib)
    events, grads = [], []

    def global_pre(module, grad_output):
        events.append(("global pre", type(module).__name__))
        return (grad_output[0] * 2,) if isinstance(module, lib.ReLU) else None

    def global_hook(module, grad_input, grad_output):
        events.append(("global", type(module).__name__))
        if module is model[0]:
            grads.append(_values(grad_input[0]))

    handles = [
        register_global.register_module_full_backward_pre_hook(global_pre),
        register_global.register_module_full_backward_hook(global_hook),
    ]
    model[0].register_full_backward_hook(lambda module, grad_input, grad_output: events.append(("own", "Linear")))
    model[2].register_full_backward_pre_hook(lambda module, grad_output: events.append(("own pre", "Linear")))
    x = _as_tensor(lib, _X, requires_grad=True)
    try:
        model(x).sum().backward()
    finally:
        for handle in handles:
            handle.remove()
    return events, grads, _values(x.grad)


def test_global_full_backward_hooks_run_before_each_modules_own_and_replace_gradients_as_torchs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's warning about a Sequential's hooks on in-place ReLU (none here)
        theirs = _backward_events(torch.nn, torch.nn.modules.module)
    ours = _backward_events(nn, nn.modules.module)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1][0], theirs[1][0], rtol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)


def _registrations(lib, register_global):
    seen = []

    def on_buffer(module, name, buffer):
        seen.append(("buffer", name))
        return buffer * 0 + 7

    def on_parameter(module, name, param):
        seen.append(("parameter", name))

    def on_module(module, name, submodule):
        seen.append(("module", name, type(submodule).__name__))
        return lib.Tanh() if submodule is not None else None

    handles = [
        register_global.register_module_buffer_registration_hook(on_buffer),
        register_global.register_module_parameter_registration_hook(on_parameter),
        register_global.register_module_module_registration_hook(on_module),
    ]
    try:
        module = lib.Module()
        module.register_buffer("counts", _as_tensor(lib, np.zeros(2)))
        module.register_parameter("scale", lib.Parameter(_as_tensor(lib, np.ones(2))))
        module.register_parameter("absent", None)
        module.add_module("act", lib.ReLU())
    finally:
        for handle in handles:
            handle.remove()
    return seen, _values(module.counts), type(module.act).__name__


def test_global_registration_hooks_see_and_may_replace_what_register_calls_register_as_torchs():
    ours = _registrations(nn, nn.modules.module)
    theirs = _registrations(torch.nn, torch.nn.modules.module)
    assert ours[0] == theirs[0] and ours[2] == theirs[2] == "Tanh"
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_a_global_hook_must_be_callable():
    with pytest.raises(TypeError, match="register_module_forward_hook"):
        nn.modules.module.register_module_forward_hook("not a hook")


def _assignment_registrations(lib, register_global):
    """(kind, owner class, name, member class) for each registration hook call, step by step, when a model is
    built and changed by plain assignments and container operations (no register_* call), in ``lib``."""
    seen = []

    def logger(kind):
        return lambda module, name, member: seen.append((kind, type(module).__name__, name, type(member).__name__))

    def ones(*shape):
        return _as_tensor(lib, np.ones(shape))

    class Model(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.Linear(2, 3)  # the parameter hooks for its weight and bias, then the module hook for fc
            self.scale = lib.Parameter(ones(3))
            self.register_buffer("count", ones(1))
            self.note = "not a member"

    made = {}  # what the steps build: the model and the containers the later steps change

    def make(key, build):
        return lambda: made.__setitem__(key, build())

    steps = {
        "build": make("model", Model),
        "fc = None": lambda: setattr(made["model"], "fc", None),
        "scale = None": lambda: setattr(made["model"], "scale", None),
        "scale = Parameter": lambda: setattr(made["model"], "scale", lib.Parameter(ones(2))),
        "count = tensor": lambda: setattr(made["model"], "count", ones(1)),
        "count = None": lambda: setattr(made["model"], "count", None),
        "plain = 3": lambda: setattr(made["model"], "plain", 3),
        "Sequential": make("sequential", lambda: lib.Sequential(lib.ReLU(), lib.Tanh())),
        "Sequential[0] =": lambda: made["sequential"].__setitem__(0, lib.Tanh()),
        "Sequential.append": lambda: made["sequential"].append(lib.ReLU()),
        "Sequential.extend": lambda: made["sequential"].extend([lib.ReLU()]),
        "Sequential.insert": lambda: made["sequential"].insert(0, lib.ReLU()),
        "Sequential.name =": lambda: setattr(made["sequential"], "head", lib.ReLU()),
        "ModuleList": make("modules", lambda: lib.ModuleList([lib.ReLU()])),
        "ModuleList.append": lambda: made["modules"].append(lib.ReLU()),
        "ModuleList.extend": lambda: made["modules"].extend([lib.ReLU(), lib.Tanh()]),
        "ModuleList.insert": lambda: made["modules"].insert(0, lib.ReLU()),
        "ModuleList[1] =": lambda: made["modules"].__setitem__(1, lib.Tanh()),
        "ModuleList +=": lambda: made["modules"].__iadd__([lib.ReLU()]),
        "ModuleDict": make("named", lambda: lib.ModuleDict({"a": lib.ReLU()})),
        "ModuleDict[b] =": lambda: made["named"].__setitem__("b", lib.ReLU()),
        "ModuleDict.update": lambda: made["named"].update({"c": lib.Tanh()}),
        "ParameterList": make("parameters", lambda: lib.ParameterList([lib.Parameter(ones(1)), ones(2)])),
        "ParameterList.append": lambda: made["parameters"].append(ones(1)),
        "ParameterList[0] =": lambda: made["parameters"].__setitem__(0, ones(3)),
        "ParameterDict": make("parameter_dict", lambda: lib.ParameterDict({"a": ones(1)})),
        "ParameterDict[b] =": lambda: made["parameter_dict"].__setitem__("b", lib.Parameter(ones(1))),
        "ParameterDict.update": lambda: made["parameter_dict"].update({"c": ones(1)}),
    }
    handles = [
        register_global.register_module_buffer_registration_hook(logger("buffer")),
        register_global.register_module_parameter_registration_hook(logger("parameter")),
        register_global.register_module_module_registration_hook(logger("module")),
    ]
    log = {}
    try:
        for step, action in steps.items():
            action()
            log[step], seen[:] = list(seen), []
    finally:
        for handle in handles:
            handle.remove()
    return log


def test_assignments_and_containers_run_the_global_registration_hooks_as_torchs():
    ours = _assignment_registrations(nn, nn.modules.module)
    theirs = _assignment_registrations(torch.nn, torch.nn.modules.module)
    assert ours.keys() == theirs.keys()
    for step in theirs:
        assert ours[step] == theirs[step], step


def _replaced_by_hooks(lib, register_global):
    """What plain assignments store when the registration hooks return replacements."""

    def ones(*shape):
        return _as_tensor(lib, np.ones(shape))

    handles = [
        register_global.register_module_parameter_registration_hook(lambda m, n, p: lib.Parameter(ones(1) * 7)),
        register_global.register_module_module_registration_hook(lambda m, n, s: lib.Tanh()),
        register_global.register_module_buffer_registration_hook(lambda m, n, b: ones(1) * 9),
    ]
    try:
        model = lib.Module()
        model.w = lib.Parameter(ones(3))
        model.act = lib.ReLU()
        model.register_buffer("count", None)
        model.count = ones(2)
        listed = lib.ModuleList([lib.ReLU()])
        sequential = lib.Sequential(lib.ReLU())
        parameters = lib.ParameterList([ones(2)])
    finally:
        for handle in handles:
            handle.remove()
    return (
        _values(model.w).tolist(),
        type(model.act).__name__,
        np.asarray(_values(model.count)).tolist(),
        type(listed[0]).__name__,
        type(sequential[0]).__name__,
        _values(parameters[0]).tolist(),
    )


def test_a_registration_hooks_result_replaces_an_assigned_member_as_torchs():
    assert _replaced_by_hooks(nn, nn.modules.module) == _replaced_by_hooks(torch.nn, torch.nn.modules.module)


def test_register_calls_and_add_module_on_a_container_run_each_hook_once():
    calls = []
    handles = [
        nn.modules.module.register_module_parameter_registration_hook(lambda m, n, p: calls.append(("p", n))),
        nn.modules.module.register_module_module_registration_hook(lambda m, n, s: calls.append(("m", n))),
    ]
    try:
        model = nn.Module()
        model.register_parameter("w", nn.Parameter(Tensor(np.ones(2))))
        model.add_module("act", nn.ReLU())
        sequential = nn.Sequential()
        sequential.add_module("first", nn.ReLU())
        listed = nn.ModuleList([nn.ReLU()])
        listed.add_module("0", nn.Tanh())
        nn.ParameterDict().register_parameter("a", nn.Parameter(Tensor(np.ones(1))))
    finally:
        for handle in handles:
            handle.remove()
    assert calls == [("p", "w"), ("m", "act"), ("m", "first"), ("m", "0"), ("m", "0"), ("p", "a")]
