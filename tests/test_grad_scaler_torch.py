"""autograd.amp.GradScaler against torch.amp.GradScaler("cpu"): the scaled loss's dtype, the refused float16
gradients, the rounding of the grown and backed-off scale, and the misuse torch refuses."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _scaler(lib, **kwargs):
    return (torch.amp.GradScaler if lib is torch else autograd.amp.GradScaler)("cpu", **kwargs)


def _parameter(lib, values, dtype=np.float32):
    array = np.asarray(values, dtype)
    return torch.nn.Parameter(torch.from_numpy(array.copy())) if lib is torch else nn.Parameter(Tensor(array.copy()))


def _sgd(lib, parameters):
    return (torch.optim if lib is torch else nn.optim).SGD(parameters, lr=0.1)


@pytest.mark.parametrize("shape", [(), (2,)], ids=["0-d", "1-d"])
def test_grad_scaler_scales_a_float16_loss_in_torchs_dtype(shape):
    results = []
    for lib in (torch, autograd):
        loss = _parameter(lib, np.full(shape, 3.0), np.float16) * 1
        scaled = _scaler(lib).scale(loss)
        results.append((str(scaled.dtype).rsplit(".", 1)[-1], np.asarray(scaled.detach()).tolist()))
    assert results[0] == results[1]


def _scales_after_updates(lib, non_finite, **kwargs):
    """get_scale() after each of len(non_finite) iterations (scale, backward, step, update) on one parameter;
    where non_finite is true the loss is inf, so the step is skipped and the scale backs off."""
    scaler, p = _scaler(lib, **kwargs), _parameter(lib, [1.0, 2.0])
    optimizer, scales = _sgd(lib, [p]), []
    for inf in non_finite:
        (scaler.scale(p.sum()) * (float("inf") if inf else 1.0)).backward()
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()
        scales.append(scaler.get_scale())
    return scales


@pytest.mark.parametrize(
    ("kwargs", "non_finite"),
    [
        (dict(init_scale=3.0, growth_factor=1.1, growth_interval=1), [False] * 5),
        (dict(init_scale=3.0, backoff_factor=0.3), [True] * 3),
        (dict(init_scale=3.0e38, growth_factor=1.5, growth_interval=1), [False] * 2),  # beyond float32: kept
    ],
    ids=["growth", "backoff", "overflowing-growth"],
)
def test_grad_scaler_rounds_the_grown_and_backed_off_scale_as_torch(kwargs, non_finite):
    assert _scales_after_updates(autograd, non_finite, **kwargs) == _scales_after_updates(torch, non_finite, **kwargs)


@pytest.mark.parametrize("call", ["unscale_", "step"])
def test_grad_scaler_refuses_float16_gradients_as_torch(call):
    for lib in (torch, autograd):
        scaler, p = _scaler(lib, init_scale=2.0), _parameter(lib, [1.0, 2.0], np.float16)
        first = _parameter(lib, [3.0])  # float32: its gradient is not unscaled either
        optimizer = _sgd(lib, [first, p])
        scaler.scale(p.sum() + first.sum()).backward()
        with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
            getattr(scaler, call)(optimizer)
        np.testing.assert_array_equal(np.asarray(p.detach()), [1.0, 2.0])
        np.testing.assert_array_equal(np.asarray(first.grad), [2.0])


def _messages_without_gradients(lib):
    """What step and update say when the optimizer's parameters have no gradient (nothing was checked for inf)."""
    scaler, p = _scaler(lib), _parameter(lib, [1.0, 2.0])
    optimizer, messages = _sgd(lib, [p]), []
    scaler.scale(p.sum())  # no backward
    for call in (lambda: scaler.step(optimizer), scaler.update):
        with pytest.raises(AssertionError) as raised:
            call()
        messages.append(str(raised.value))
    return messages, scaler.get_scale(), np.asarray(p.detach()).tolist()


def test_grad_scaler_without_gradients_records_no_inf_check_as_torch():
    assert _messages_without_gradients(autograd) == _messages_without_gradients(torch)


def test_grad_scaler_reports_the_initial_scale_as_given_until_the_first_scale_as_torch():
    results = []
    for lib in (torch, autograd):
        scaler, loaded = _scaler(lib, init_scale=0.1), _scaler(lib)
        before = (scaler.get_scale(), scaler.state_dict()["scale"])
        loaded.load_state_dict(scaler.state_dict())
        loaded_before = loaded.get_scale()
        scaler.scale(_parameter(lib, [1.0]).sum())
        results.append((before, loaded_before, scaler.get_scale(), scaler.state_dict()["scale"]))
    assert results[0] == results[1]
    assert results[1][0] == (0.1, 0.1)


@pytest.mark.parametrize("call", ["unscale_", "step", "update", "update-to-a-new-scale"])
def test_grad_scaler_refuses_to_unscale_step_or_update_before_the_first_scale_as_torch(call):
    messages = []
    for lib in (torch, autograd):
        scaler, p = _scaler(lib), _parameter(lib, [1.0, 2.0])
        p.sum().backward()  # (not scaled)
        optimizer = _sgd(lib, [p])
        method, args = {
            "unscale_": ("unscale_", (optimizer,)),
            "step": ("step", (optimizer,)),
            "update": ("update", ()),
            "update-to-a-new-scale": ("update", (2.0,)),
        }[call]
        with pytest.raises(AssertionError) as raised:
            getattr(scaler, method)(*args)
        messages.append(str(raised.value))
        np.testing.assert_array_equal(np.asarray(p.detach()), [1.0, 2.0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("kwargs", [dict(growth_factor=1.0), dict(backoff_factor=1.0)], ids=["growth", "backoff"])
def test_grad_scaler_refuses_its_factors_with_torchs_assertion_error(kwargs):
    messages = []
    for lib in (torch, autograd):
        with pytest.raises(AssertionError) as raised:
            _scaler(lib, **kwargs)
        messages.append(str(raised.value).split(" (")[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("new_scale", ["two-entries", "requiring-grad"])
def test_grad_scaler_update_refuses_the_new_scales_torch_refuses(new_scale):
    messages = []
    for lib in (torch, autograd):
        scaler = _scaler(lib)
        scaler.scale(_parameter(lib, [1.0]).sum())
        value = _parameter(lib, [2.0, 3.0]) if new_scale == "two-entries" else _parameter(lib, 2.0)
        with pytest.raises(AssertionError) as raised:
            scaler.update(value.detach() if new_scale == "two-entries" else value)
        messages.append((str(raised.value), scaler.get_scale()))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("where", ["init_scale", "update", "load_state_dict"])
def test_grad_scaler_refuses_a_scale_beyond_float32_as_torch(where):
    for lib in (torch, autograd):
        scaler = _scaler(lib, init_scale=1e39 if where == "init_scale" else 2.0)
        loss = _parameter(lib, [1.0]).sum()
        if where != "init_scale":
            scaler.scale(loss)
        with pytest.raises(RuntimeError, match="cannot be converted to type float without overflow"):
            if where == "init_scale":
                scaler.scale(loss)
            elif where == "update":
                scaler.update(1e39)
            else:
                scaler.load_state_dict({**scaler.state_dict(), "scale": 1e39})


@pytest.mark.parametrize("new_scale", [float("inf"), float("nan"), -3.0])
def test_grad_scaler_update_takes_the_float32_values_torch_takes(new_scale):
    scales = []
    for lib in (torch, autograd):
        scaler = _scaler(lib)
        scaler.scale(_parameter(lib, [1.0]).sum())
        scaler.update(new_scale)
        scales.append(scaler.get_scale())
    np.testing.assert_array_equal(scales[0], scales[1])


def test_grad_scaler_is_pickled_only_between_iterations_as_torch():
    for lib in (torch, autograd):
        scaler, p = _scaler(lib, init_scale=8.0), _parameter(lib, [1.0, 2.0])
        optimizer = _sgd(lib, [p])
        scaler.scale(p.sum()).backward()
        scaler.unscale_(optimizer)
        with pytest.raises(AssertionError, match="may only be pickled at the beginning of an iteration"):
            pickle.dumps(scaler)
        scaler.step(optimizer)
        scaler.update()
        assert pickle.loads(pickle.dumps(scaler)).state_dict() == scaler.state_dict()


def test_grad_scaler_scales_a_loss_of_values_and_steps_on_their_float_gradients():
    """Values (this library's scalars) in the loop torch's tensors go through: scale, backward, step, update."""
    scaler, v = autograd.amp.GradScaler("cpu", init_scale=4.0), autograd.Value(3.0)
    optimizer = nn.optim.SGD([v], lr=0.1)
    scaled = scaler.scale(v * v)
    assert scaled.data == 36.0
    scaled.backward()
    scaler.step(optimizer)  # the gradient 6 * 4 unscaled to 6
    scaler.update()
    assert v.data == pytest.approx(3.0 - 0.1 * 6.0) and scaler.get_scale() == 4.0
