"""nn.utils.stateless.functional_call and nn.utils.skip_init against torch's: a module called with other tensors in
place of its own (values and gradients reach the given tensors, the module keeps its own), tied weights, strict
names, buffers a forward updates, and the errors torch raises."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

LIBRARIES = ((nn, Tensor, no_grad), (torch.nn, torch.from_numpy, torch.no_grad))


def _functional_call(lib, *args, **kwargs):
    with warnings.catch_warnings():  # torch's nn.utils.stateless spelling is deprecated in favour of torch.func's
        warnings.simplefilter("ignore", FutureWarning)
        return lib.utils.stateless.functional_call(*args, **kwargs)


def _linear(lib, make, guard):
    layer = lib.Linear(2, 2).double()
    with guard():
        layer.weight.copy_(make(np.array([[1.0, 2.0], [3.0, 4.0]])))
        layer.bias.copy_(make(np.array([0.5, -0.5])))
    return layer


def _array(x):
    return np.asarray(x.detach())


def test_functional_call_runs_the_module_on_the_given_tensors_and_its_gradient_reaches_them_as_torchs():
    results = []
    for lib, make, guard in LIBRARIES:
        layer = _linear(lib, make, guard)
        weight = make(np.array([[0.0, 1.0], [1.0, 0.0]])).requires_grad_(True)
        x = make(np.array([[1.0, -1.0], [2.0, 0.5]]))
        out = _functional_call(lib, layer, {"weight": weight}, x)
        (out**2).sum().backward()
        own = layer(x)
        names = [name for name, _ in layer.named_parameters()]
        results.append(
            (_array(out).tolist(), _array(weight.grad).tolist(), layer.weight.grad, _array(own).tolist(), names)
        )
    assert results[0] == results[1]


def _tied(lib):
    """Two bias-free layers of one weight (b's weight is a's)."""

    class Tied(lib.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.Linear(2, 2, bias=False).double()
            self.b = lib.Linear(2, 2, bias=False).double()
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    return Tied()


def test_functional_call_with_tied_weights_replaces_every_name_of_the_tied_tensor_unless_told_not_to():
    results = []
    for lib, make, _ in LIBRARIES:
        model, x = _tied(lib), make(np.array([[1.0, -1.0]]))
        swap = make(np.array([[0.0, 1.0], [1.0, 0.0]]))
        tied = _array(_functional_call(lib, model, {"a.weight": swap}, x)).tolist()
        strict = _array(_functional_call(lib, model, {"a.weight": swap}, x, strict=True)).tolist()
        untied = _array(_functional_call(lib, model, {"a.weight": swap}, x, tie_weights=False))
        expected = _array(model.b(x @ swap.T))
        conflict = raised_type(
            partial(_functional_call, lib, model, {"a.weight": swap, "b.weight": make(np.ones((2, 2)))}, x)
        )
        results.append((tied, strict, np.allclose(untied, expected), conflict))
    assert results[0] == results[1]
    assert results[0][0] == [[1.0, -1.0]] and results[0][3] is ValueError


@pytest.mark.parametrize(
    "names",
    [{"weight": 1}, {"weight": 1, "nope": 1}, {"weight": 1, "bias": 1}],
    ids=["missing", "unexpected-and-missing", "exact"],
)
def test_functional_call_strict_refuses_names_other_than_the_modules_as_torchs(names):
    errors = []
    for lib, make, guard in LIBRARIES:
        layer = _linear(lib, make, guard)
        tensors = {name: make(np.ones((2, 2) if name == "weight" else 2)) for name in names}
        errors.append(raised_type(partial(_functional_call, lib, layer, tensors, make(np.ones((1, 2))), strict=True)))
        assert not hasattr(layer, "nope")
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "tensors",
    [{"nope": np.ones(2)}, {"a.b": np.ones(2)}, {"weight": 3.0}],
    ids=["unknown-name-set-for-the-call", "missing-sub-module", "not-a-tensor"],
)
def test_functional_call_without_strict_takes_or_refuses_names_as_torchs(tensors):
    results = []
    for lib, make, guard in LIBRARIES:
        layer = _linear(lib, make, guard)
        given = {name: make(value) if isinstance(value, np.ndarray) else value for name, value in tensors.items()}
        error = raised_type(partial(_functional_call, lib, layer, given, make(np.ones((1, 2)))))
        results.append((error, hasattr(layer, "nope"), _array(layer.weight).tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_functional_call_gives_back_the_buffers_a_batch_norm_updates_and_leaves_its_own_as_torchs(training):
    results = []
    for lib, make, _ in LIBRARIES:
        norm = lib.BatchNorm1d(2).double().train(training)
        buffers = {"running_mean": make(np.array([1.0, 0.0])), "running_var": make(np.array([4.0, 1.0]))}
        buffers["num_batches_tracked"] = make(np.array(0))
        out = _functional_call(lib, norm, buffers, make(np.array([[1.0, 2.0], [3.0, 5.0]])))
        given = {name: np.asarray(value).tolist() for name, value in buffers.items()}
        results.append((_array(out).round(12).tolist(), given, np.asarray(norm.running_mean).tolist()))
    assert results[0] == results[1]


def test_functional_call_puts_the_modules_own_tensors_back_when_the_forward_raises():
    class Failing(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(2, 2)

        def forward(self, x):
            raise KeyError("failing forward")

    model = Failing()
    own = model.layer.weight
    with pytest.raises(KeyError):
        nn.utils.stateless.functional_call(model, {"layer.weight": Tensor(np.zeros((2, 2)))}, Tensor(np.ones((1, 2))))
    assert model.layer.weight is own and [p is own for p in model.parameters()][0]


def test_skip_init_builds_the_module_and_refuses_what_torchs_refuses():
    class NoDevice(nn.Module):
        def __init__(self, size):
            super().__init__()

    class TorchNoDevice(torch.nn.Module):
        def __init__(self, size):
            super().__init__()

    assert nn.utils.skip_init(nn.Linear, 2, 3, dtype=np.float64).weight.shape == (3, 2)
    for ours, theirs in ((int, int), (NoDevice, TorchNoDevice)):
        expected = raised_type(partial(torch.nn.utils.skip_init, theirs, 2))
        assert expected is RuntimeError and raised_type(partial(nn.utils.skip_init, ours, 2)) is expected


def test_functional_call_takes_torch_funcs_tuple_of_dicts_and_refuses_a_name_in_two():
    from torch.func import functional_call as torch_functional_call

    results = []
    for lib, make, guard in LIBRARIES:
        call = nn.utils.stateless.functional_call if lib is nn else torch_functional_call
        layer, x = _linear(lib, make, guard), make(np.array([[1.0, -1.0]]))
        weight, bias = make(np.array([[0.0, 1.0], [1.0, 0.0]])), make(np.ones(2))
        out = _array(call(layer, ({"weight": weight}, {"bias": bias}), x)).tolist()
        results.append((out, raised_type(partial(call, layer, ({"weight": weight}, {"weight": bias}), x))))
    assert results[0] == results[1] == ([[0.0, 2.0]], ValueError)
