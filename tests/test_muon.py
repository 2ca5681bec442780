"""nn.optim.Muon: its bfloat16 rounding and Newton-Schulz iteration checked by their defining properties, one step
by hand in float64, and several steps against torch.optim.Muon (when torch is installed), bit for bit in float32."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value
from nn.optim.muon import adjusted_lr, round_to_bfloat16, zeropower_via_newton_schulz

COEFFICIENTS = (3.4445, -4.775, 2.0315)
#: shapes small enough that torch multiplies bfloat16 matrices with its own reference loops (larger ones go to
#: oneDNN, whose float32 accumulation order can move a bfloat16 rounding by one unit)
SHAPES = [(3, 5), (5, 3), (4, 4), (6, 2), (8, 16), (16, 8)]


def _torch():
    return pytest.importorskip("torch")


def bfloat16_by_frexp(x: np.ndarray) -> np.ndarray:
    """bfloat16 rounding computed another way: the significand rounded to 8 bits, ties to even (normal numbers)."""
    mantissa, exponent = np.frexp(np.asarray(x, dtype=np.float64))
    return np.ldexp(np.round(mantissa * 256) / 256, exponent)


def quintic_power(singular_values: np.ndarray, steps: int = 5) -> np.ndarray:
    """What ``steps`` Newton-Schulz steps do to each singular value: p(s) = a s + b s^3 + c s^5, applied repeatedly."""
    a, b, c = COEFFICIENTS
    for _ in range(steps):
        singular_values = a * singular_values + b * singular_values**3 + c * singular_values**5
    return singular_values


def gradients_for(shape, steps, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    start = rng.standard_normal(shape).astype(dtype)
    return start, [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]


def run_ours(start, gradients, **options):
    parameter = nn.Parameter(start)
    optimizer = nn.optim.Muon([parameter], **options)
    for gradient in gradients:
        parameter.grad = gradient.copy()
        optimizer.step()
    return parameter, optimizer


# -- bfloat16 rounding ------------------------------------------------------------------------------------------------
def test_bfloat16_rounding_ties_go_to_the_even_significand():
    ulp = 2.0**-7  # of bfloat16 numbers in [1, 2)
    halfway_down, halfway_up = 1 + ulp / 2, 1 + 3 * ulp / 2
    rounded = round_to_bfloat16(np.array([halfway_down, halfway_up, 1 + ulp / 2 + 2**-20], dtype=np.float32))
    np.testing.assert_array_equal(rounded, [1.0, 1 + 2 * ulp, 1 + ulp])


def test_bfloat16_rounding_keeps_inf_and_nan_and_overflows_to_inf():
    largest_float32 = np.finfo(np.float32).max
    rounded = round_to_bfloat16(np.array([np.inf, -np.inf, np.nan, largest_float32], dtype=np.float32))
    assert rounded[0] == np.inf and rounded[1] == -np.inf and np.isnan(rounded[2]) and rounded[3] == np.inf


def test_bfloat16_rounding_of_a_double_goes_through_float32():
    # torch converts a double to float first: 1 + 2^-8 + 2^-30 becomes the tie 1 + 2^-8, then 1.0
    assert round_to_bfloat16(np.array(1 + 2**-8 + 2**-30)) == 1.0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-(2.0**100), 2.0**100, width=32), min_size=1, max_size=20))
def test_bfloat16_rounding_matches_an_eight_bit_significand(values):
    array = np.array(values, dtype=np.float32)
    normal = np.abs(array) >= np.finfo(np.float32).tiny
    rounded = round_to_bfloat16(array)
    assert rounded.dtype == np.float32
    assert np.all(rounded.view(np.uint32) & 0xFFFF == 0)
    np.testing.assert_array_equal(rounded[normal], bfloat16_by_frexp(array[normal]))


# -- Newton-Schulz ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (5, 5), (16, 8), (3, 9)])
def test_newton_schulz_applies_the_quintic_to_the_singular_values(shape):
    gradient = np.random.default_rng(3).standard_normal(shape)
    left, singular_values, right = np.linalg.svd(gradient, full_matrices=False)
    expected = left @ np.diag(quintic_power(singular_values / np.linalg.norm(gradient))) @ right
    ortho = zeropower_via_newton_schulz(gradient, COEFFICIENTS, 5, 1e-7)
    assert ortho.shape == shape and ortho.dtype == np.float32
    np.testing.assert_allclose(ortho, expected, atol=0.05)  # five steps of bfloat16 rounding
    assert np.all(ortho.view(np.uint32) & 0xFFFF == 0)  # bfloat16 values
    ortho_singular_values = np.linalg.svd(ortho.astype(np.float64), compute_uv=False)
    assert np.all((ortho_singular_values > 0.5) & (ortho_singular_values < 1.5))


def test_newton_schulz_of_zero_is_zero():
    np.testing.assert_array_equal(zeropower_via_newton_schulz(np.zeros((3, 4)), COEFFICIENTS, 5, 1e-7), 0)


def test_newton_schulz_of_a_transposed_matrix_is_the_transposed_result():
    gradient = np.random.default_rng(4).standard_normal((3, 7)).astype(np.float32)
    np.testing.assert_array_equal(
        zeropower_via_newton_schulz(gradient.T, COEFFICIENTS, 5, 1e-7),
        zeropower_via_newton_schulz(gradient, COEFFICIENTS, 5, 1e-7).T,
    )


# -- one step by hand ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(8, 2), (2, 8)])
@pytest.mark.parametrize("adjust_lr_fn", [None, "original", "match_rms_adamw"])
@pytest.mark.parametrize("nesterov", [True, False])
def test_one_step_without_newton_schulz_steps_matches_a_float64_hand_computation(shape, adjust_lr_fn, nesterov):
    start, (gradient,) = gradients_for(shape, 1, np.float64, seed=5)
    lr, weight_decay, momentum = 0.1, 0.2, 0.9
    parameter, _ = run_ours(
        start,
        [gradient],
        lr=lr,
        weight_decay=weight_decay,
        momentum=momentum,
        nesterov=nesterov,
        ns_steps=0,
        adjust_lr_fn=adjust_lr_fn,
    )
    buffer = (1 - momentum) * gradient
    direction = (1 - momentum) * gradient + momentum * buffer if nesterov else buffer
    norm = bfloat16_by_frexp(np.linalg.norm(bfloat16_by_frexp(direction)))
    ortho = bfloat16_by_frexp(bfloat16_by_frexp(direction) / norm)
    rows, columns = shape
    scale = (
        0.2 * math.sqrt(max(rows, columns)) if adjust_lr_fn == "match_rms_adamw" else math.sqrt(max(1, rows / columns))
    )
    expected = start * (1 - lr * weight_decay) - lr * scale * ortho
    np.testing.assert_allclose(parameter.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("adjust_lr_fn", "shape", "factor"),
    [
        (None, (8, 2), 2.0),
        ("original", (8, 2), 2.0),
        ("original", (2, 8), 1.0),
        ("match_rms_adamw", (8, 2), 0.2 * math.sqrt(8)),
        ("match_rms_adamw", (2, 8), 0.2 * math.sqrt(8)),
    ],
)
def test_adjusted_lr_scales_by_the_shape(adjust_lr_fn, shape, factor):
    assert adjusted_lr(0.5, adjust_lr_fn, shape) == pytest.approx(0.5 * factor)


def test_zero_gradient_only_decays_the_weights():
    start = np.ones((3, 4), dtype=np.float32)
    parameter, optimizer = run_ours(start, [np.zeros((3, 4), np.float32)], lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(parameter.data, 0.95 * start)
    np.testing.assert_array_equal(optimizer.state[parameter]["momentum_buffer"], 0)


def test_a_parameter_without_gradient_is_left_alone():
    parameter = nn.Parameter(np.ones((2, 3)))
    optimizer = nn.optim.Muon([parameter])
    optimizer.step()
    np.testing.assert_array_equal(parameter.data, 1)
    assert parameter not in optimizer.state


def test_float32_parameter_stays_float32_and_keeps_its_array():
    parameter = nn.Parameter(np.ones((3, 3), dtype=np.float32))
    array = parameter._data
    parameter.grad = np.eye(3, dtype=np.float32)
    optimizer = nn.optim.Muon([parameter], lr=0.1)
    optimizer.step()
    assert parameter._data is array and array.dtype == np.float32
    assert optimizer.state[parameter]["momentum_buffer"].dtype == np.float32


# -- state dict ---------------------------------------------------------------------------------------------------------
def test_state_dict_round_trip_then_more_steps_equals_an_uninterrupted_run():
    start, gradients = gradients_for((4, 6), 6, seed=6)
    options = {"lr": 0.03, "weight_decay": 0.05, "adjust_lr_fn": "match_rms_adamw"}
    uninterrupted, _ = run_ours(start, gradients, **options)
    first_half, optimizer = run_ours(start, gradients[:3], **options)
    saved = optimizer.state_dict()
    assert set(saved["state"][0]) == {"momentum_buffer"}
    resumed = nn.Parameter(first_half.data)
    fresh = nn.optim.Muon([resumed], lr=1.0)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == 0.03
    for gradient in gradients[3:]:
        resumed.grad = gradient.copy()
        fresh.step()
    np.testing.assert_array_equal(resumed.data, uninterrupted.data)


def test_load_state_dict_refuses_an_unknown_state_key():
    parameter = nn.Parameter(np.ones((2, 2)))
    optimizer = nn.optim.Muon([parameter])
    saved = optimizer.state_dict()
    saved["state"] = {0: {"exp_avg": np.zeros((2, 2))}}
    with pytest.raises(ValueError, match="exp_avg"):
        optimizer.load_state_dict(saved)


# -- bad arguments ------------------------------------------------------------------------------------------------------
BAD_OPTIONS = [
    ({"lr": -1.0}, "lr"),
    ({"momentum": -0.5}, "momentum"),
    ({"weight_decay": -0.1}, "weight_decay"),
    ({"adjust_lr_fn": "cosine"}, "Adjust learning rate function 'cosine' is not supported"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_bad_hyperparameters_raise_value_error(options, message):
    with pytest.raises(ValueError, match=message):
        nn.optim.Muon([nn.Parameter(np.ones((2, 2)))], **options)


@pytest.mark.parametrize("options", [options for options, _ in BAD_OPTIONS])
def test_torch_raises_value_error_for_the_same_hyperparameters(options):
    torch = _torch()
    with pytest.raises(ValueError):
        torch.optim.Muon([torch.ones(2, 2, requires_grad=True)], **options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ns_steps": 100}, "Number of steps must be less than 100"),
        ({"ns_coefficients": (1.0, 2.0)}, "Coefficients must be a tuple of exactly 3 values"),
    ],
)
def test_options_torch_refuses_at_step_are_refused_when_built(options, message):
    with pytest.raises(ValueError, match=message):
        nn.optim.Muon([nn.Parameter(np.ones((2, 2)))], **options)


def test_options_torch_refuses_at_step_raise_value_error_in_torch_too():
    torch = _torch()
    for options in ({"ns_steps": 100}, {"ns_coefficients": (1.0, 2.0)}):
        weight = torch.ones(2, 2, requires_grad=True)
        optimizer = torch.optim.Muon([weight], **options)
        weight.grad = torch.ones(2, 2)
        with pytest.raises(ValueError):
            optimizer.step()


def test_a_tensor_lr_of_several_elements_is_refused():
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        nn.optim.Muon([nn.Parameter(np.ones((2, 2)))], lr=Tensor([0.1, 0.2]))


def test_a_one_element_tensor_lr_is_taken_as_a_number():
    optimizer = nn.optim.Muon([nn.Parameter(np.ones((2, 2)))], lr=Tensor(0.02))
    assert optimizer.param_groups[0]["lr"] == 0.02


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_a_parameter_that_is_not_two_dimensional_is_refused(shape):
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        nn.optim.Muon([nn.Parameter(np.ones(shape))])


def test_a_one_dimensional_parameter_is_refused_by_torch_too():
    torch = _torch()
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        torch.optim.Muon([torch.ones(3, requires_grad=True)])


def test_a_scalar_value_and_an_added_bias_group_are_refused():
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        nn.optim.Muon([Value(1.0, requires_grad=True)])
    optimizer = nn.optim.Muon([nn.Parameter(np.ones((2, 2)))])
    with pytest.raises(ValueError, match=r"size: \(4,\)"):
        optimizer.add_param_group({"params": [nn.Parameter(np.ones(4))]})
    assert len(optimizer.param_groups) == 1


def test_named_parameters_from_a_generator_are_accepted():
    layer = nn.Linear(3, 2, bias=False)
    optimizer = nn.optim.Muon(layer.named_parameters())
    assert optimizer.param_groups[0]["param_names"] == ["weight"]


# -- against torch -------------------------------------------------------------------------------------------------------
def run_torch(start, gradients, **options):
    torch = _torch()
    weight = torch.tensor(start, requires_grad=True)
    optimizer = torch.optim.Muon([weight], **options)
    for gradient in gradients:
        weight.grad = torch.tensor(gradient)
        optimizer.step()
    return weight, optimizer


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("adjust_lr_fn", [None, "original", "match_rms_adamw"])
@pytest.mark.parametrize("nesterov", [True, False])
def test_several_float32_steps_match_torch(shape, adjust_lr_fn, nesterov):
    start, gradients = gradients_for(shape, 5, seed=sum(shape))
    options = {"lr": 0.02, "weight_decay": 0.1, "nesterov": nesterov, "adjust_lr_fn": adjust_lr_fn}
    ours, our_optimizer = run_ours(start, gradients, **options)
    theirs, torch_optimizer = run_torch(start, gradients, **options)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        our_optimizer.state[ours]["momentum_buffer"],
        torch_optimizer.state[theirs]["momentum_buffer"].numpy(),
        rtol=1e-6,
        atol=1e-7,
    )


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 0.05, "weight_decay": 0.0, "momentum": 0.5},
        {"lr": 0.01, "weight_decay": 0.3, "momentum": 0.0, "nesterov": False},
        {"lr": 0.02, "ns_steps": 2, "ns_coefficients": (2.0, -1.5, 0.5), "eps": 1e-3},
    ],
)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_other_options_and_dtypes_match_torch(options, dtype):
    start, gradients = gradients_for((5, 7), 4, dtype, seed=9)
    ours, _ = run_ours(start, gradients, **options)
    theirs, _ = run_torch(start, gradients, **options)
    tolerance = {np.float16: 1e-3, np.float32: 1e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("shape", SHAPES)
def test_newton_schulz_matches_torch_bit_for_bit_on_small_matrices(shape):
    torch = _torch()
    from torch.optim._muon import _zeropower_via_newtonschulz

    gradient = np.random.default_rng(11).standard_normal(shape).astype(np.float32) * 30
    theirs = _zeropower_via_newtonschulz(torch.tensor(gradient), COEFFICIENTS, 5, 1e-7).float().numpy()
    np.testing.assert_array_equal(zeropower_via_newton_schulz(gradient, COEFFICIENTS, 5, 1e-7), theirs)


def test_state_dict_has_torchs_layout():
    start, gradients = gradients_for((3, 4), 2)
    _, our_optimizer = run_ours(start, gradients)
    _, torch_optimizer = run_torch(start, gradients)
    ours, theirs = our_optimizer.state_dict(), torch_optimizer.state_dict()
    assert set(ours["param_groups"][0]) == set(theirs["param_groups"][0])
    assert {key: value for key, value in ours["param_groups"][0].items() if key != "params"} == {
        key: value for key, value in theirs["param_groups"][0].items() if key != "params"
    }
    assert set(ours["state"][0]) == set(theirs["state"][0])
    np.testing.assert_array_equal(ours["state"][0]["momentum_buffer"], theirs["state"][0]["momentum_buffer"].numpy())
