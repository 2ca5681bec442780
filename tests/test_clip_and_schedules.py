"""Tests for nn.optim.clip (gradient clipping) and nn.optim.lr_scheduler without torch: norms and
schedules against formulas written out here, Values, no in-place writes, extreme values, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given

import autograd
import nn
from autograd import Value
from autograd.testing import arrays, floats, shapes
from nn.optim import clip_grad_norm_, clip_grad_value_
from nn.optim.clip import get_total_norm
from nn.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR


def parameters_with_grads(*grads):
    parameters = []
    for grad in grads:
        parameter = nn.Parameter(np.zeros(np.shape(grad)))
        parameter.grad = np.array(grad, dtype=float)
        parameters.append(parameter)
    return parameters


def test_clip_grad_norm_scales_all_gradients_by_one_factor():
    first, second = parameters_with_grads([3.0, 0.0], [[0.0], [4.0]])  # joint 2-norm 5
    total = clip_grad_norm_([first, second], max_norm=1.0)
    assert total == pytest.approx(5.0, rel=1e-15)
    factor = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(first.grad, [3.0 * factor, 0.0], rtol=1e-15)
    np.testing.assert_allclose(second.grad, [[0.0], [4.0 * factor]], rtol=1e-15)


def test_clip_grad_norm_leaves_small_gradients_alone():
    (parameter,) = parameters_with_grads([0.3, -0.4])
    assert clip_grad_norm_(parameter, max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_allclose(parameter.grad, [0.3, -0.4], rtol=1e-15)


@pytest.mark.parametrize(
    ("norm_type", "expected"),
    [(1.0, 10.0), (2.0, math.sqrt(30.0)), (3.0, 100.0 ** (1 / 3)), (math.inf, 4.0)],
)
def test_clip_grad_norm_total_norm_of_each_order(norm_type, expected):
    parameters = parameters_with_grads([1.0, -2.0], [[3.0, -4.0]])
    assert clip_grad_norm_(parameters, max_norm=1e9, norm_type=norm_type) == pytest.approx(expected, rel=1e-14)


@given(arrays(shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)), floats(0.1, 10.0))
def test_clipped_gradients_have_at_most_max_norm(grad, max_norm):
    (parameter,) = parameters_with_grads(grad)
    before = math.hypot(*grad.ravel())  # scaled by the standard library: no underflow for tiny entries
    total = clip_grad_norm_([parameter], max_norm)
    assert total == pytest.approx(before, rel=1e-12, abs=1e-300)
    assert math.hypot(*parameter.grad.ravel()) <= max_norm * (1 + 1e-12)
    np.testing.assert_allclose(parameter.grad, grad * min(1.0, max_norm / (before + 1e-6)), rtol=1e-12)


def test_clip_grad_norm_on_values():
    first, second, untouched = Value(1.0), Value(2.0), Value(3.0)
    first.grad, second.grad = 6.0, -8.0  # untouched.grad is 0.0: it counts, with norm 0
    total = clip_grad_norm_([first, second, untouched], max_norm=5.0)
    assert total == pytest.approx(10.0)
    assert type(first.grad) is float and first.grad == pytest.approx(3.0, rel=1e-6)
    assert second.grad == pytest.approx(-4.0, rel=1e-6)
    assert untouched.grad == 0.0


def test_clipping_replaces_gradients_instead_of_writing_into_them():
    shared = np.array([30.0, -40.0])
    first, second = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2))
    first.grad = second.grad = shared
    clip_grad_norm_([first], max_norm=1.0)
    clip_grad_value_([second], 0.5)
    np.testing.assert_array_equal(shared, [30.0, -40.0])
    assert not np.shares_memory(first.grad, shared) and not np.shares_memory(second.grad, shared)
    np.testing.assert_array_equal(second.grad, [0.5, -0.5])


def test_clip_grad_norm_skips_parameters_without_gradient_and_returns_zero_for_none():
    with_grad, without_grad = parameters_with_grads([3.0, 4.0])[0], nn.Parameter(np.ones(2))
    assert clip_grad_norm_([with_grad, without_grad], 1.0) == pytest.approx(5.0)
    assert without_grad.grad is None
    assert clip_grad_norm_([without_grad], 1.0) == 0.0


def test_clip_grad_norm_of_huge_and_tiny_gradients_does_not_overflow_or_underflow():
    (huge,) = parameters_with_grads([3e300, 4e300])
    assert clip_grad_norm_([huge], 1.0) == pytest.approx(5e300, rel=1e-14)
    np.testing.assert_allclose(huge.grad, [0.6, 0.8], rtol=1e-12)
    (tiny,) = parameters_with_grads([3e-300, 4e-300])
    assert clip_grad_norm_([tiny], 1.0) == pytest.approx(5e-300, rel=1e-14)


def test_clip_grad_norm_keeps_float32_gradients_float32():
    parameter = nn.Parameter(np.zeros(2, dtype=np.float32))
    parameter.grad = np.array([3.0, 4.0], dtype=np.float32)
    clip_grad_norm_([parameter], 1.0)
    assert parameter.grad.dtype == np.float32
    np.testing.assert_allclose(parameter.grad, [0.6, 0.8], rtol=1e-6)


def test_non_finite_norm_raises_when_asked_and_changes_nothing():
    first, second = parameters_with_grads([1.0, np.inf], [2.0])
    with pytest.raises(RuntimeError, match="total norm .* is inf"):
        clip_grad_norm_([first, second], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(second.grad, [2.0])
    assert math.isnan(clip_grad_norm_(parameters_with_grads([np.nan]), 1.0))


def test_the_zero_norm_counts_non_zero_entries_as_torch():
    # torch's vector_norm of order 0 counts the non-zero entries (nan counts); the total is the 0-norm of the
    # per-gradient counts, so it is the number of gradients with some non-zero entry
    parameters = parameters_with_grads([1.5, 0.0, -2.0], [0.0, 0.0], [np.nan])
    assert clip_grad_norm_(parameters, 10.0, norm_type=0) == 2.0
    assert get_total_norm([np.array([0.0, 3.0, 0.0, -1.0])], norm_type=0) == 1.0
    np.testing.assert_array_equal(parameters[0].grad, [1.5, 0.0, -2.0])  # 2 <= max_norm: unchanged
    clip_grad_norm_(parameters[:2], 0.5, norm_type=0)  # total 1: scaled by 0.5 / (1 + 1e-6)
    np.testing.assert_allclose(parameters[0].grad, np.array([1.5, 0.0, -2.0]) * 0.5 / (1 + 1e-6))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: clip_grad_norm_(p, 1.0, norm_type=float("nan")), "norm_type must not be nan"),
        (lambda p: clip_grad_value_(p, -0.1), "clip_value must be >= 0, got -0.1"),
        (lambda p: clip_grad_value_(p, float("nan")), "clip_value must not be nan, got nan"),
    ],
)
def test_bad_clipping_arguments_raise(call, message):
    parameters = parameters_with_grads([1.0])
    with pytest.raises(ValueError, match=message):
        call(parameters)
    np.testing.assert_array_equal(parameters[0].grad, [1.0])


def test_clip_grad_value_clamps_each_entry_on_tensors_and_values():
    (tensor,) = parameters_with_grads([[-3.0, 0.2], [0.9, 1.5]])
    scalar = Value(0.0)
    scalar.grad = -7.0
    clip_grad_value_([tensor, scalar], 1.0)
    np.testing.assert_array_equal(tensor.grad, [[-1.0, 0.2], [0.9, 1.0]])
    assert scalar.grad == -1.0 and type(scalar.grad) is float


def optimizer_with_two_groups():
    return nn.optim.SGD(
        [{"params": [nn.Parameter(np.zeros(2))]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.4}], lr=0.1
    )


def lr_sequence(scheduler, epochs):
    sequence = [scheduler.get_last_lr()]
    for _ in range(epochs):
        scheduler.optimizer.step()
        scheduler.step()
        sequence.append(scheduler.get_last_lr())
    return np.array(sequence)


def test_step_lr_multiplies_by_gamma_every_step_size_epochs():
    sequence = lr_sequence(StepLR(optimizer_with_two_groups(), step_size=3, gamma=0.5), 9)
    expected = [[0.1 * 0.5 ** (epoch // 3), 0.4 * 0.5 ** (epoch // 3)] for epoch in range(10)]
    np.testing.assert_allclose(sequence, expected, rtol=1e-15)


def test_exponential_lr_multiplies_by_gamma_every_epoch():
    sequence = lr_sequence(ExponentialLR(optimizer_with_two_groups(), gamma=0.9), 6)
    np.testing.assert_allclose(sequence[:, 0], [0.1 * 0.9**epoch for epoch in range(7)], rtol=1e-15)


def test_cosine_annealing_reaches_eta_min_at_t_max_and_half_way_at_half():
    scheduler = CosineAnnealingLR(optimizer_with_two_groups(), T_max=4, eta_min=0.02)
    sequence = lr_sequence(scheduler, 8)
    np.testing.assert_allclose(sequence[::2, 0], [0.1, 0.06, 0.02, 0.06, 0.1], rtol=1e-14)


def test_cosine_annealing_intermediate_epochs():
    sequence = lr_sequence(CosineAnnealingLR(optimizer_with_two_groups(), T_max=4), 1)
    assert sequence[1, 0] == pytest.approx(0.1 * (1 + math.sqrt(0.5)) / 2, rel=1e-14)


def test_the_optimizer_steps_with_the_scheduled_rate():
    parameter = nn.Parameter(np.zeros(1))
    optimizer = nn.optim.SGD([parameter], lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    for _ in range(3):
        parameter.grad = np.array([-1.0])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(parameter.data, [1.0 + 0.5 + 0.25])
    assert optimizer.param_groups[0]["initial_lr"] == 1.0


def test_scheduler_state_dict_round_trip_resumes_the_sequence():
    uninterrupted = lr_sequence(CosineAnnealingLR(optimizer_with_two_groups(), T_max=5), 8)
    first = CosineAnnealingLR(optimizer_with_two_groups(), T_max=5)
    lr_sequence(first, 3)
    saved = first.state_dict()
    assert "optimizer" not in saved
    resumed = CosineAnnealingLR(optimizer_with_two_groups(), T_max=5)
    resumed.load_state_dict(saved)
    resumed.optimizer.param_groups[0]["lr"], resumed.optimizer.param_groups[1]["lr"] = resumed.get_last_lr()
    np.testing.assert_allclose(lr_sequence(resumed, 5), uninterrupted[3:], rtol=1e-15)


def test_scheduler_bad_state_dict_raises_and_changes_nothing():
    scheduler = StepLR(optimizer_with_two_groups(), step_size=2)
    saved = scheduler.state_dict()
    saved.pop("gamma")
    saved["momentum"] = 0.1
    with pytest.raises(ValueError, match=r"missing keys \['gamma'\], unexpected keys \['momentum'\]"):
        scheduler.load_state_dict(saved)
    assert scheduler.gamma == 0.1 and scheduler.last_epoch == 0


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda opt: StepLR(opt, step_size=0), ValueError, "step_size must be a positive integer, got 0"),
        (lambda opt: StepLR(opt, step_size=2.5), TypeError, "StepLR: step_size must be a positive integer, got 2.5"),
        (lambda opt: ExponentialLR(opt, gamma=-0.5), ValueError, "gamma must be >= 0, got -0.5"),
        (
            lambda opt: CosineAnnealingLR(opt, T_max=0),
            ValueError,
            "CosineAnnealingLR: T_max must be a positive integer, got 0",
        ),
        (lambda opt: CosineAnnealingLR(opt, T_max=3, eta_min=-1.0), ValueError, "eta_min must be >= 0"),
        (lambda opt: StepLR(opt, step_size=2, last_epoch=4), ValueError, "needs 'initial_lr'"),
        (lambda opt: StepLR("sgd", step_size=2), TypeError, "expected an nn.optim.Optimizer, got str"),
    ],
)
def test_bad_scheduler_arguments_raise(make, error, message):
    optimizer = optimizer_with_two_groups()
    with pytest.raises(error, match=message):
        make(optimizer)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.4]


def test_plateau_covers_a_group_added_later_with_its_one_min_lr_as_torch():
    first, second = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2))
    optimizer = nn.optim.SGD([first], lr=0.1)
    scheduler = nn.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5, min_lr=0.3)
    optimizer.add_param_group({"params": [second], "lr": 1.0})
    for _ in range(3):
        scheduler.step(1.0)  # no improvement after the first
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.3]  # 1.0 -> 0.5 -> 0.3 (the floor)
    listed = nn.optim.lr_scheduler.ReduceLROnPlateau(nn.optim.SGD([first], lr=0.1), patience=0, min_lr=[0.0])
    listed.optimizer.add_param_group({"params": [second], "lr": 1.0})
    listed.step(1.0)
    with pytest.raises(RuntimeError, match="min_lr was given for 1"):
        listed.step(1.0)


def test_plateau_state_saved_after_a_group_was_added_loads_again():
    first, second = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2))

    def build():
        optimizer = nn.optim.SGD([first], lr=0.1)
        scheduler = nn.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, min_lr=0.01)
        optimizer.add_param_group({"params": [second], "lr": 1.0})
        return optimizer, scheduler

    _, scheduler = build()
    scheduler.step(1.0)  # no reduction yet: min_lrs still has one entry
    _, restored = build()
    restored.load_state_dict(scheduler.state_dict())
    restored.step(2.0)
    assert [group["lr"] for group in restored.optimizer.param_groups] == [0.1 * 0.1, 1.0 * 0.1]


def test_clip_grad_norm_of_float16_gradients_takes_the_norm_in_float16_as_torch():
    """torch's total norm of float16 gradients is a float16: beyond 65504 it is inf, which error_if_nonfinite refuses
    and which otherwise scales the gradients by max_norm / inf = 0."""
    torch = pytest.importorskip("torch")
    grad = np.full(4, 60000, np.float16)
    ours = nn.Parameter(autograd.zeros(4, dtype=np.float16))
    ours.grad = grad.copy()
    theirs = torch.nn.Parameter(torch.zeros(4, dtype=torch.float16))
    theirs.grad = torch.tensor(grad)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_([theirs], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        nn.utils.clip_grad_norm_([ours], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(ours.grad, grad)  # nothing changed on the error
    expected = torch.nn.utils.clip_grad_norm_([theirs], 1.0)
    assert nn.utils.clip_grad_norm_([ours], 1.0) == expected.item()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize("max_norm", [-1.0, -10.0])
def test_clip_grad_norm_with_a_negative_max_norm_scales_by_the_negative_coefficient_as_torch(max_norm):
    """torch checks no sign: the coefficient max_norm / (norm + 1e-6), clamped to at most 1, is negative."""
    torch = pytest.importorskip("torch")
    grad = np.array([3.0, 4.0, 0.0])
    ours = nn.Parameter(autograd.zeros(3))
    ours.grad = grad.copy()
    theirs = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    theirs.grad = torch.tensor(grad)
    assert clip_grad_norm_([ours], max_norm) == torch.nn.utils.clip_grad_norm_([theirs], max_norm).item()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    np.testing.assert_array_equal(np.signbit(ours.grad), np.signbit(theirs.grad.numpy()))


def test_clip_grad_norm_with_a_tensor_max_norm_keeps_each_gradient_an_array_of_its_dtype():
    # a 0-d Tensor max_norm (torch takes one) is its number: the scaled .grad stays the parameter's gradient array
    from autograd import Tensor
    from autograd.gradient_array import GradientArray

    parameter = nn.Parameter(np.ones(3, np.float32))
    parameter.grad = np.full(3, 2.0, np.float32)
    norm = nn.utils.clip_grad_norm_([parameter], Tensor(np.array(1.0)))
    assert isinstance(parameter.grad, GradientArray) and not isinstance(parameter.grad, Tensor)
    assert parameter.grad.dtype == np.float32
    np.testing.assert_allclose(parameter.grad, np.full(3, 2.0 / (np.sqrt(12.0) + 1e-6)), rtol=1e-6)
    assert float(norm) == pytest.approx(np.sqrt(12.0))


@pytest.mark.parametrize("norm_type", [0.5, 0.25])
def test_a_norm_of_order_below_one_beyond_float64_is_inf_as_torch_not_an_overflow_error(norm_type):
    # (sum sqrt|x|)^2 of [1e308, 1e308] is 4e308: the p-th root of the sum overflows, torch's norm is inf
    assert get_total_norm([np.array([1e308, 1e308])], norm_type=norm_type) == math.inf
    values = [Value(1.0), Value(1.0)]
    for value in values:
        value.grad = 1e308
    assert clip_grad_norm_(values, 1.0, norm_type=norm_type) == math.inf
    assert [value.grad for value in values] == [0.0, 0.0]  # scaled by 1 / inf, as torch's
