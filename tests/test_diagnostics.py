"""Gradient-norm diagnostics: per parameter, per layer, the flagged report and the training monitor."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.diagnostics import GradientNormMonitor, GradientReport, gradient_norms


class Block(nn.Module):
    def __init__(self, rng, nin, nout):
        self.weight = nn.Parameter(rng.standard_normal((nin, nout)))
        self.bias = nn.Parameter(np.zeros(nout))

    def forward(self, x):
        return (x @ self.weight + self.bias).tanh()


class TwoBlocks(nn.Module):
    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.first = Block(rng, 3, 4)
        self.second = Block(rng, 4, 2)

    def forward(self, x):
        return self.second(self.first(x))


def _trained_step(model, seed=1):
    x = Tensor(np.random.default_rng(seed).standard_normal((5, 3)))
    loss = (model(x) ** 2).mean()
    loss.backward()
    return loss


def test_tensor_parameter_norms_match_numpy():
    model = TwoBlocks()
    _trained_step(model)
    norms = gradient_norms(model)
    assert list(norms) == ["first.weight", "first.bias", "second.weight", "second.bias"]
    for name, parameter in model.named_parameters():
        assert norms[name] == pytest.approx(np.linalg.norm(parameter.grad), rel=1e-12)


def test_by_layer_combines_the_norms_of_each_module():
    model = TwoBlocks()
    _trained_step(model)
    layers = gradient_norms(model, by_layer=True)
    assert list(layers) == ["first", "second"]
    for prefix, block in (("first", model.first), ("second", model.second)):
        everything = np.concatenate([block.weight.grad.ravel(), block.bias.grad.ravel()])
        assert layers[prefix] == pytest.approx(np.linalg.norm(everything), rel=1e-12)


def test_value_mlp_norms_are_absolute_gradients_and_depth_groups_neurons_into_layers():
    model = nn.MLP(2, [4, 1], seed=3)
    ((model([0.5, -1.5]) - 2.0) ** 2).backward()
    norms = gradient_norms(model)
    assert len(norms) == 17
    for name, parameter in model.named_parameters():
        assert norms[name] == abs(parameter.grad)
    neurons = gradient_norms(model, by_layer=True)
    assert list(neurons) == [f"layers.0.neurons.{i}" for i in range(4)] + ["layers.1.neurons.0"]
    layers = gradient_norms(model, by_layer=True, depth=1)
    assert list(layers) == ["layers.0", "layers.1"]
    first = [abs(p.grad) for name, p in model.named_parameters() if name.startswith("layers.0.")]
    assert layers["layers.0"] == pytest.approx(math.sqrt(sum(g * g for g in first)))


def test_parameters_without_gradient_have_no_norm_and_are_reported_missing():
    model = TwoBlocks()
    norms = gradient_norms(model)
    assert set(norms.values()) == {None}
    assert gradient_norms(model, by_layer=True) == {"first": None, "second": None}
    report = GradientReport(model)
    assert report.missing == list(norms) and not report.ok
    assert "no grad" in str(report)


def test_report_flags_vanishing_and_exploding_norms():
    model = TwoBlocks()
    model.first.weight.grad = np.full((3, 4), 1e-9)
    model.first.bias.grad = np.full(4, 0.5)
    model.second.weight.grad = np.full((4, 2), 1e4)
    model.second.bias.grad = np.array([np.nan, 0.0])
    report = GradientReport(model)
    assert report.vanishing == ["first.weight"]
    assert report.exploding == ["second.weight", "second.bias"]
    assert report.flags["first.bias"] == "" and not report.ok
    table = str(report).splitlines()
    assert table[0].split() == ["parameter", "grad", "norm", "flag"]
    rows = {line.split()[0]: line.split()[1:] for line in table[1:]}
    assert rows["first.weight"] == [f"{np.linalg.norm(model.first.weight.grad):.4g}", "vanishing"]
    assert rows["first.bias"] == ["1"]
    assert rows["second.bias"] == ["nan", "EXPLODING"]


def test_report_of_healthy_gradients_is_ok():
    model = TwoBlocks()
    _trained_step(model)
    report = GradientReport(model, by_layer=True)
    assert report.ok, str(report)
    assert "GradientReport(2 layers" in repr(report)


def test_huge_gradients_do_not_overflow_the_norm():
    model = TwoBlocks()
    model.first.weight.grad = np.full((3, 4), 1e300)
    norms = gradient_norms(model)
    assert norms["first.weight"] == pytest.approx(1e300 * math.sqrt(12))
    assert GradientReport(model).flags["first.weight"] == "EXPLODING"


def test_monitor_records_every_nth_backward_and_never_stops_training():
    model = TwoBlocks()
    printed = []
    monitor = GradientNormMonitor(every=2, print_fn=printed.append)
    optimizer_lr = 0.1
    for step in range(5):
        model.zero_grad()
        _trained_step(model, seed=step)
        assert monitor.on_after_backward(model) is False
        for parameter in model.parameters():
            parameter.data -= optimizer_lr * parameter.grad
    assert monitor.calls == 5 and len(monitor.history) == 3  # steps 1, 3, 5
    assert list(monitor.history[0]) == ["first", "second"]
    assert monitor.history[-1] == gradient_norms(model, by_layer=True)
    assert monitor.history[0] != monitor.history[-1]
    assert len(printed) == 3 and printed[0].startswith("step 1\nlayer")


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="must be an nn.Module, got list"):
        gradient_norms([])
    with pytest.raises(ValueError, match="depth must be a positive int"):
        gradient_norms(TwoBlocks(), by_layer=True, depth=0)
    with pytest.raises(ValueError, match="only with by_layer=True"):
        gradient_norms(TwoBlocks(), depth=1)
    with pytest.raises(ValueError, match="vanishing < exploding"):
        GradientReport(TwoBlocks(), vanishing=1.0, exploding=0.5)
    with pytest.raises(ValueError, match="every must be a positive int"):
        GradientNormMonitor(every=0)


def test_monitor_is_a_fit_callback_recording_each_backward_pass():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((12, 3))
    y = rng.integers(0, 2, size=12)
    model = TwoBlocks()
    monitor = GradientNormMonitor(by_layer=True)
    loader = nn.data.DataLoader(x, y, batch_size=4)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    nn.fit(model, optimizer, nn.functional.cross_entropy, loader, epochs=2, callbacks=[monitor], progress=False)
    assert monitor.calls == 6 and len(monitor.history) == 6
    assert set(monitor.history[0]) == {"first", "second"}
    assert all(norm is not None and norm > 0 for norms in monitor.history for norm in norms.values())


def test_frozen_parameters_are_left_out_of_the_gradient_report():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Linear(2, 1, rng=1))
    model[0].requires_grad_(False)  # fine-tuning's frozen layer has no gradient by design
    model(np.ones((1, 2), dtype=np.float32)).sum().backward()
    report = GradientReport(model)
    assert sorted(report.norms) == ["1.bias", "1.weight"] and report.ok
    assert sorted(gradient_norms(model, by_layer=True)) == ["1"]
