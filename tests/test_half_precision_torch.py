"""float16 and float32 models end to end, as a torch user runs them after ``model.half()`` / ``model.float()``:
forward output dtypes (never a silent float64), ``.grad`` dtypes, optimizer state dtypes and values within the
float16/float32 tolerances of torch's CPU results, with no numpy warning (overflow/invalid) on ordinary inputs.

The reference is torch 2.13 (CPU) with the same weights, the same inputs and the same dtype."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

DTYPES = ("float32", "float16")
TOLERANCE = {"float32": 1e-4, "float16": 2e-2}


def torch_dtype(dtype: str):
    return getattr(torch, dtype)


def assert_close_to_torch(ours, theirs, dtype: str, scale: float = 1.0) -> None:
    """``ours`` (an array or Tensor) has ``dtype`` and is within that dtype's tolerance of torch's tensor."""
    ours = np.asarray(ours.numpy() if isinstance(ours, Tensor) else ours)
    assert ours.dtype == np.dtype(dtype), (ours.dtype, dtype)
    tolerance = TOLERANCE[dtype] * scale
    expected = theirs.detach().double().numpy()
    np.testing.assert_allclose(ours.astype(np.float64), expected, rtol=tolerance, atol=tolerance)


# -- grid_sample ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_of_a_float16_or_float32_grid_matches_torch_without_warnings(dtype, mode, padding_mode):
    rng = np.random.default_rng(0)
    x, grid = rng.standard_normal((2, 3, 4, 5)), rng.uniform(-1.2, 1.2, (2, 3, 3, 2))
    ours_x = Tensor(x.astype(dtype), requires_grad=True)
    theirs_x = torch.tensor(x, dtype=torch_dtype(dtype), requires_grad=True)
    theirs_grid = torch.tensor(grid, dtype=torch_dtype(dtype))
    expected = torch.nn.functional.grid_sample(
        theirs_x, theirs_grid, mode=mode, padding_mode=padding_mode, align_corners=False
    )
    expected.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float16 grids compared with the int32 bounds overflowed in the cast
        got = F.grid_sample(
            ours_x, Tensor(grid.astype(dtype)), mode=mode, padding_mode=padding_mode, align_corners=False
        )
        got.sum().backward()
    assert_close_to_torch(got, expected, dtype, scale=1.5)
    assert_close_to_torch(ours_x.grad, theirs_x.grad, dtype, scale=2.5)


# -- normalisations: a float16 input to float32 weights (torch's CPU "mixed type") ---------------------------


def _mixed_norms():
    """(name, torch module, our module, input shape) for every norm layer with float32 parameters."""
    return [
        ("BatchNorm1d", torch.nn.BatchNorm1d(4), nn.BatchNorm1d(4), (6, 4)),
        ("BatchNorm2d", torch.nn.BatchNorm2d(4), nn.BatchNorm2d(4), (3, 4, 2, 3)),
        ("InstanceNorm1d", torch.nn.InstanceNorm1d(4, affine=True), nn.InstanceNorm1d(4, affine=True), (3, 4, 5)),
        ("LayerNorm", torch.nn.LayerNorm(4), nn.LayerNorm(4), (3, 5, 4)),
        ("GroupNorm", torch.nn.GroupNorm(2, 4), nn.GroupNorm(2, 4), (3, 4, 5)),
        ("RMSNorm", torch.nn.RMSNorm(4), nn.RMSNorm(4), (3, 5, 4)),
    ]


@pytest.mark.parametrize("case", range(len(_mixed_norms())))
def test_a_float32_norm_layer_takes_a_float16_input_and_answers_in_float16_as_torch(case):
    name, theirs, ours, shape = _mixed_norms()[case]
    rng = np.random.default_rng(case)
    state = {key: value.detach().numpy() for key, value in theirs.state_dict().items()}
    for value in state.values():
        if value.dtype.kind == "f":
            value[...] = rng.uniform(0.5, 1.5, value.shape)
    theirs.load_state_dict({key: torch.tensor(value) for key, value in state.items()})
    ours.load_state_dict(state)
    x = rng.standard_normal(shape) * 3 + 1
    theirs_x = torch.tensor(x, dtype=torch.float16, requires_grad=True)
    ours_x = Tensor(x.astype(np.float16), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's rms_norm warns of the mismatch; it answers all the same
        expected = theirs(theirs_x)
    got = ours(ours_x)
    assert_close_to_torch(got, expected, "float16")
    expected.float().sum().backward()
    got.sum().backward()
    assert_close_to_torch(ours_x.grad, theirs_x.grad, "float16", scale=2.5)
    for parameter, reference in zip(ours.parameters(), theirs.parameters()):
        assert_close_to_torch(parameter.grad, reference.grad, "float32", scale=100)  # float16 inputs' accuracy
    for key, buffer in theirs.named_buffers():
        if buffer.dtype.is_floating_point:  # BatchNorm's running statistics: float32, updated from the batch
            assert_close_to_torch(getattr(ours, key), buffer, "float32", scale=100)


@pytest.mark.parametrize("function", ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm"])
def test_functional_norms_of_a_float16_input_with_float32_weights_answer_in_float16_as_torch(function):
    rng = np.random.default_rng(1)
    x, weight, bias = rng.standard_normal((3, 4, 4)) * 2, rng.uniform(0.5, 1.5, 4), rng.standard_normal(4)

    def call(module, tensor, as_input, as_parameter):
        xs, w, b = as_input(x), as_parameter(weight), as_parameter(bias)
        return {
            "batch_norm": lambda: module.batch_norm(xs, None, None, w, b, training=True),
            "instance_norm": lambda: module.instance_norm(xs, weight=w, bias=b),
            "layer_norm": lambda: module.layer_norm(xs, (4,), w, b),
            "group_norm": lambda: module.group_norm(xs, 2, w, b),
            "rms_norm": lambda: module.rms_norm(xs, (4,), w),
        }[function]()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = call(
            torch.nn.functional,
            torch,
            lambda a: torch.tensor(a, dtype=torch.float16),
            lambda a: torch.tensor(a, dtype=torch.float32),
        )
    got = call(F, Tensor, lambda a: Tensor(a.astype(np.float16)), lambda a: Tensor(a.astype(np.float32)))
    assert expected.dtype == torch.float16
    assert_close_to_torch(got, expected, "float16")


@pytest.mark.parametrize(("input_dtype", "weight_dtype"), [("float32", "float64"), ("float16", "float64")])
def test_rms_norm_answers_in_its_inputs_dtype_whatever_the_weights_as_torch(input_dtype, weight_dtype):
    rng = np.random.default_rng(2)
    x, weight = rng.standard_normal((3, 5)), rng.uniform(0.5, 1.5, 5)
    theirs_x = torch.tensor(x, dtype=torch_dtype(input_dtype), requires_grad=True)
    theirs_weight = torch.tensor(weight, dtype=torch_dtype(weight_dtype), requires_grad=True)
    expected = torch.nn.functional.rms_norm(theirs_x, (5,), theirs_weight)
    expected.sum().backward()
    ours_x = Tensor(x.astype(input_dtype), requires_grad=True)
    ours_weight = Tensor(weight.astype(weight_dtype), requires_grad=True)
    got = F.rms_norm(ours_x, (5,), ours_weight)
    got.sum().backward()
    assert expected.dtype == torch_dtype(input_dtype)
    assert_close_to_torch(got, expected, input_dtype)
    assert_close_to_torch(ours_x.grad, theirs_x.grad, input_dtype, scale=2)
    weight_grad = np.asarray(ours_weight.grad)
    assert weight_grad.dtype == np.dtype(weight_dtype)  # a parameter's gradient has its dtype
    tolerance = TOLERANCE[input_dtype] * 2
    np.testing.assert_allclose(weight_grad, theirs_weight.grad.numpy(), rtol=tolerance, atol=tolerance)


# -- end to end: layers, losses, optimizers keep the model's dtype -------------------------------------------

LAYERS = [
    ("Linear", (4, 3), {}, (2, 4)),
    ("Conv1d", (2, 3, 3), {}, (2, 2, 7)),
    ("Conv2d", (2, 3, 3), {"padding": 1}, (2, 2, 5, 5)),
    ("Conv3d", (2, 3, 2), {}, (1, 2, 3, 3, 3)),
    ("ConvTranspose2d", (2, 3, 3), {"stride": 2}, (2, 2, 3, 3)),
    ("MaxPool2d", (2,), {}, (2, 3, 4, 4)),
    ("AvgPool2d", (2,), {}, (2, 3, 4, 4)),
    ("AdaptiveAvgPool2d", (3,), {}, (2, 3, 7, 7)),
    ("BatchNorm2d", (3,), {}, (4, 3, 3, 3)),
    ("LayerNorm", (5,), {}, (4, 5)),
    ("GroupNorm", (2, 4), {}, (3, 4, 5)),
    ("RNN", (4, 5), {}, (3, 2, 4)),
    ("LSTM", (4, 5), {}, (3, 2, 4)),
    ("GRU", (4, 5), {}, (3, 2, 4)),
    ("TransformerEncoderLayer", (8, 2, 16), {"dropout": 0.0}, (3, 2, 8)),
    ("Dropout", (0.5,), {}, (3, 4)),
    ("GELU", (), {}, (3, 4)),
    ("Softmax", (-1,), {}, (3, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), LAYERS, ids=[layer[0] for layer in LAYERS])
def test_a_layer_converted_to_float16_or_float32_answers_and_differentiates_in_that_dtype_as_torch(
    dtype, name, args, kwargs, shape
):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).eval()
    ours = getattr(nn, name)(*args, **kwargs).eval()
    ours.load_state_dict({key: value.detach().double().numpy() for key, value in theirs.state_dict().items()})
    theirs.to(torch_dtype(dtype))
    ours.half() if dtype == "float16" else ours.float()
    x = np.random.default_rng(0).standard_normal(shape)
    theirs_x = torch.tensor(x, dtype=torch_dtype(dtype), requires_grad=True)
    ours_x = Tensor(x.astype(dtype), requires_grad=True)
    expected, got = theirs(theirs_x), ours(ours_x)
    expected, got = (expected[0], got[0]) if isinstance(expected, tuple) else (expected, got)
    expected.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got.sum().backward()
    assert_close_to_torch(got, expected, dtype, scale=2)
    assert_close_to_torch(ours_x.grad, theirs_x.grad, dtype, scale=3)
    for parameter, reference in zip(ours.parameters(), theirs.parameters()):
        assert_close_to_torch(parameter.grad, reference.grad, dtype, scale=5)


LOSSES = [
    ("mse_loss", "float"),
    ("l1_loss", "float"),
    ("smooth_l1_loss", "float"),
    ("huber_loss", "float"),
    ("binary_cross_entropy_with_logits", "unit"),
    ("cross_entropy", "class"),
    ("nll_loss", "class"),
    ("multilabel_soft_margin_loss", "unit"),
    ("poisson_nll_loss", "float"),
    ("soft_margin_loss", "sign"),
    ("hinge_embedding_loss", "sign"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("loss", "target_kind"), LOSSES, ids=[loss[0] for loss in LOSSES])
def test_a_loss_of_a_float16_or_float32_prediction_is_of_that_dtype_as_torch(dtype, loss, target_kind):
    rng = np.random.default_rng(3)
    prediction = rng.standard_normal((4, 5))
    target = {
        "float": lambda: rng.standard_normal((4, 5)).astype(dtype),
        "unit": lambda: (rng.random((4, 5)) > 0.5).astype(dtype),
        "sign": lambda: np.where(rng.random((4, 5)) > 0.5, 1, -1).astype(dtype),
        "class": lambda: np.array([0, 3, 1, 4]),  # int64 class indices
    }[target_kind]()
    theirs_x = torch.tensor(prediction, dtype=torch_dtype(dtype), requires_grad=True)
    ours_x = Tensor(prediction.astype(dtype), requires_grad=True)
    expected = getattr(torch.nn.functional, loss)(theirs_x, torch.tensor(target))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = getattr(F, loss)(ours_x, Tensor(target))
        got.backward()
    expected.backward()
    assert_close_to_torch(got, expected, dtype)
    assert_close_to_torch(ours_x.grad, theirs_x.grad, dtype)


OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "options"), OPTIMIZERS, ids=[optimizer[0] for optimizer in OPTIMIZERS])
def test_an_optimizer_keeps_float16_or_float32_parameters_and_state_in_their_dtype_as_torch(dtype, name, options):
    rng = np.random.default_rng(4)
    weight, x, y = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    theirs_weight = torch.nn.Parameter(torch.tensor(weight, dtype=torch_dtype(dtype)))
    ours_weight = nn.Parameter(Tensor(weight.astype(dtype)))
    theirs_optimizer = getattr(torch.optim, name)([theirs_weight], **options)
    ours_optimizer = getattr(nn.optim, name)([ours_weight], **options)
    theirs_x, theirs_y = (torch.tensor(a, dtype=torch_dtype(dtype)) for a in (x, y))
    ours_x, ours_y = (Tensor(a.astype(dtype)) for a in (x, y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            theirs_optimizer.zero_grad()
            ((theirs_x @ theirs_weight.T - theirs_y) ** 2).mean().backward()
            theirs_optimizer.step()
            ours_optimizer.zero_grad()
            ((ours_x @ ours_weight.T - ours_y) ** 2).mean().backward()
            ours_optimizer.step()
    assert_close_to_torch(ours_weight, theirs_weight, dtype)
    assert np.asarray(ours_weight.grad).dtype == np.dtype(dtype)
    for key, value in theirs_optimizer.state[theirs_weight].items():
        if key != "step":  # torch keeps the count as a float32 tensor; here it is an int (see nn.optim)
            assert_close_to_torch(ours_optimizer.state[ours_weight][key], value, dtype, scale=2)


# -- products with a bias, rounded once -------------------------------------------------------------------------


@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize(
    "op, x_shape, w_shape, kwargs",
    [
        ("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), {}),
        ("conv_transpose2d", (2, 3, 5, 5), (3, 4, 3, 3), {"stride": 2, "padding": 1}),
        ("conv_transpose1d", (2, 3, 6), (3, 4, 3), {"stride": 2}),
        ("conv2d", (2, 3, 6, 6), (4, 3, 3, 3), {"padding": 1}),
        ("linear", (5, 30), (4, 30), {}),
    ],
)
def test_a_float16_product_layer_computes_in_float32_and_rounds_once(op, x_shape, w_shape, kwargs, with_bias):
    """The layer multiplies, adds up the overlaps and the bias in float32 and rounds the output once: every entry
    is the exact result (torch's in float64) rounded to float16 but for a rare last bit of the float32
    accumulation. Rounding each step to float16 puts a good share of the outputs one float16 step off. (torch's
    own half kernels round once on some CPUs and step by step on others, so they are not the reference.)"""
    rng = np.random.default_rng(21)
    x = rng.random(x_shape).astype(np.float16)
    w = (0.3 * rng.standard_normal(w_shape)).astype(np.float16)
    channels = w_shape[0] if op in ("conv2d", "linear") else w_shape[1]
    b = (0.5 * rng.standard_normal(channels)).astype(np.float16) if with_bias else None
    ours = getattr(F, op)(Tensor(x), Tensor(w), None if b is None else Tensor(b), **kwargs)
    assert ours.dtype == np.float16

    def torch_call(dtype):
        tb = None if b is None else torch.tensor(b).to(dtype)
        return getattr(torch.nn.functional, op)(torch.tensor(x).to(dtype), torch.tensor(w).to(dtype), tb, **kwargs)

    exact = torch_call(torch.float64).numpy().astype(np.float16)
    assert np.mean(ours.numpy() != exact) < 0.02


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs",
    [
        ((4, 3, 10, 10), (5, 3, 3, 3), {"padding": 1}),  # the fold of W^T g
        ((4, 3, 9, 9), (5, 3, 3, 3), {"stride": 2}),
        ((2, 32, 6, 6), (8, 32, 3, 3), {"padding": 1}),  # many input channels: the channels-last input gradient
        ((2, 4, 8, 8), (8, 2, 3, 3), {"groups": 2}),
        ((2, 4, 8, 8), (4, 1, 3, 3), {"groups": 4, "padding": 1}),  # depthwise
    ],
)
def test_float16_conv2d_gradients_add_up_in_float32_and_round_once(x_shape, w_shape, kwargs):
    """The input gradient adds every window's share (k*k overlapping terms), the weight and bias gradients sum over
    the batch and the positions: they are added in float32 and each gradient is rounded once, so each is torch's
    float64 gradient rounded to float16 but for a rare last bit (torch's own half kernels do so on some CPUs only)."""
    rng = np.random.default_rng(22)
    x = rng.random(x_shape).astype(np.float16)
    w = (0.3 * rng.standard_normal(w_shape)).astype(np.float16)
    b = (0.5 * rng.standard_normal(w_shape[0])).astype(np.float16)
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv2d(*ours, **kwargs)
    g = rng.standard_normal(out.shape).astype(np.float16)
    out.backward(Tensor(g))
    exact = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b)]
    torch.nn.functional.conv2d(*exact, **kwargs).backward(torch.tensor(g, dtype=torch.float64))
    for mine, reference in zip(ours, exact):
        rounded = reference.grad.numpy().astype(np.float16)
        assert mine.grad.dtype == np.float16
        assert np.mean(mine.grad.numpy() != rounded) < 0.02


# -- the float16 sweep: every result rounded once, as torch's half kernels ------------------------------------


def _normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def _positive(*shape):
    return lambda rng: rng.uniform(0.2, 2.0, shape)


def _unit(*shape):
    return lambda rng: rng.uniform(0.05, 0.95, shape)


def _mapped(function):
    """The same call on both sides: ``function(namespace, *tensors)``, the namespace autograd's or torch's."""
    import autograd

    return lambda *xs: function(autograd, F, *xs), lambda *xs: function(torch, torch.nn.functional, *xs)


_TARGETS = np.random.default_rng(5).integers(0, 10, 64)

#: (name, the call on (module, functional module, *tensors), the float16 inputs' generators)
FLOAT16_SWEEP = [
    ("exp", lambda m, f, x: x.exp(), [_normal(16, 24)]),
    ("log", lambda m, f, x: x.log(), [_positive(16, 24)]),
    ("sqrt", lambda m, f, x: x.sqrt(), [_positive(16, 24)]),
    ("sigmoid", lambda m, f, x: x.sigmoid(), [_normal(16, 24)]),
    ("sin", lambda m, f, x: x.sin(), [_normal(16, 24)]),
    ("reciprocal", lambda m, f, x: x.reciprocal(), [_positive(16, 24)]),
    ("log1p", lambda m, f, x: x.log1p(), [_positive(16, 24)]),
    ("rsqrt", lambda m, f, x: x.rsqrt(), [_positive(16, 24)]),
    ("erf", lambda m, f, x: x.erf(), [_normal(32, 48)]),
    ("erfc", lambda m, f, x: x.erfc(), [_normal(32, 48)]),
    ("exp2", lambda m, f, x: x.exp2(), [_normal(32, 48)]),
    ("log2", lambda m, f, x: x.log2(), [_positive(32, 48)]),
    ("tan", lambda m, f, x: x.tan(), [lambda rng: rng.uniform(-1.2, 1.2, (32, 48))]),
    ("atan2", lambda m, f, x, y: m.atan2(x, y), [_normal(32, 48), _normal(32, 48)]),
    ("lerp", lambda m, f, x, y: x.lerp(y, 0.3), [_normal(16, 24), _normal(16, 24)]),
    ("lerp by a tensor", lambda m, f, x, y, w: x.lerp(y, w), [_normal(16, 24), _normal(16, 24), _unit(16, 24)]),
    ("add", lambda m, f, x, y: x + y, [_normal(16, 24), _normal(16, 24)]),
    ("mul", lambda m, f, x, y: x * y, [_normal(16, 24), _normal(16, 24)]),
    ("div", lambda m, f, x, y: x / y, [_normal(16, 24), _positive(16, 24)]),
    ("hypot", lambda m, f, x, y: m.hypot(x, y), [_normal(16, 24), _normal(16, 24)]),
    ("add a broadcast bias", lambda m, f, x, b: x + b, [_normal(300, 8), _normal(8)]),
    ("mul a broadcast column", lambda m, f, x, c: x * c, [_normal(6, 200), _normal(6, 1)]),
    ("sum", lambda m, f, x: x.sum(), [_normal(64, 48)]),
    ("mean(dim=0)", lambda m, f, x: x.mean(dim=0), [_normal(64, 48)]),
    ("var(dim=1)", lambda m, f, x: x.var(dim=1), [_normal(64, 48)]),
    ("std(dim=1)", lambda m, f, x: x.std(dim=1), [_normal(64, 48)]),
    ("logsumexp(dim=1)", lambda m, f, x: x.logsumexp(dim=1), [_normal(64, 48)]),
    ("norm", lambda m, f, x: x.norm(dim=1), [_normal(64, 48)]),
    ("cumsum", lambda m, f, x: x.cumsum(dim=1), [_normal(64, 48)]),
    ("tanh", lambda m, f, x: x.tanh(), [_normal(32, 48)]),
    ("sigmoid of a wide input", lambda m, f, x: f.sigmoid(x), [lambda rng: 2 * rng.standard_normal((32, 48))]),
    ("softmax", lambda m, f, x: f.softmax(x, dim=1), [_normal(32, 48)]),
    ("softmax(dim=0)", lambda m, f, x: f.softmax(x, dim=0), [_normal(32, 48)]),
    ("softmin", lambda m, f, x: f.softmin(x, dim=1), [_normal(32, 48)]),
    ("log_softmax(dim=0)", lambda m, f, x: f.log_softmax(x, dim=0), [_normal(32, 48)]),
    ("log_softmax", lambda m, f, x: f.log_softmax(x, dim=1), [_normal(16, 24)]),
    ("matmul", lambda m, f, x, y: x @ y, [_normal(20, 30), _normal(30, 25)]),
    ("matrix @ vector", lambda m, f, x, v: x @ v, [_normal(300, 20), _normal(20)]),
    ("batch @ vector", lambda m, f, x, v: x @ v, [_normal(3, 100, 20), _normal(20)]),
    ("einsum ij,jk->ik", lambda m, f, x, y: m.einsum("ij,jk->ik", x, y), [_normal(20, 30), _normal(30, 25)]),
    (
        "einsum bij,bjk->bik",
        lambda m, f, x, y: m.einsum("bij,bjk->bik", x, y),
        [_normal(3, 20, 30), _normal(3, 30, 25)],
    ),
    ("tensordot", lambda m, f, x, y: m.tensordot(x, y, dims=2), [_normal(5, 6, 7), _normal(6, 7, 8)]),
    (
        "bilinear",
        lambda m, f, x, y, w, b: f.bilinear(x, y, w, b),
        [_normal(10, 12), _normal(10, 14), _normal(6, 12, 14), _normal(6)],
    ),
    ("linear", lambda m, f, x, w, b: f.linear(x, w, b), [_normal(10, 30), _normal(8, 30), _normal(8)]),
    ("addmm", lambda m, f, c, x, y: c.addmm(x, y), [_normal(20, 25), _normal(20, 30), _normal(30, 25)]),
    (
        "baddbmm",
        lambda m, f, c, x, y: c.baddbmm(x, y, beta=0.5, alpha=2.0),
        [_normal(3, 20, 25), _normal(3, 20, 30), _normal(3, 30, 25)],
    ),
    ("addmv", lambda m, f, c, x, v: c.addmv(x, v), [_normal(20), _normal(20, 30), _normal(30)]),
    (
        "addcmul",
        lambda m, f, x, y, z: x.addcmul(y, z, value=0.3),
        [_normal(16, 24), _normal(16, 24), _normal(16, 24)],
    ),
    (
        "addcdiv",
        lambda m, f, x, y, z: x.addcdiv(y, z, value=0.3),
        [_normal(16, 24), _normal(16, 24), _positive(16, 24)],
    ),
    ("mse_loss", lambda m, f, x, y: f.mse_loss(x, y), [_normal(64, 48), _normal(64, 48)]),
    ("l1_loss", lambda m, f, x, y: f.l1_loss(x, y), [_normal(64, 48), _normal(64, 48)]),
    ("huber_loss", lambda m, f, x, y: f.huber_loss(x, y), [_normal(64, 48), _normal(64, 48)]),
    ("smooth_l1_loss", lambda m, f, x, y: f.smooth_l1_loss(x, y, beta=0.5), [_normal(64, 48), _normal(64, 48)]),
    (
        "binary_cross_entropy_with_logits",
        lambda m, f, x, y: f.binary_cross_entropy_with_logits(x, y),
        [_normal(64, 48), _unit(64, 48)],
    ),
    ("kl_div", lambda m, f, x, y: f.kl_div(x, y, reduction="batchmean"), [_positive(64, 48), _unit(64, 48)]),
    (
        "cross_entropy",
        lambda m, f, x: f.cross_entropy(x, m.tensor(_TARGETS), label_smoothing=0.1),
        [_normal(64, 10)],
    ),
    ("nll_loss", lambda m, f, x: f.nll_loss(x, m.tensor(_TARGETS)), [_normal(64, 10)]),
    ("layer_norm", lambda m, f, x, w, b: f.layer_norm(x, (24,), w, b), [_normal(16, 24), _positive(24), _normal(24)]),
    ("group_norm", lambda m, f, x, w, b: f.group_norm(x, 2, w, b), [_normal(4, 6, 5, 5), _positive(6), _normal(6)]),
    (
        "batch_norm",
        lambda m, f, x, w, b: f.batch_norm(x, None, None, w, b, training=True),
        [_normal(8, 6, 5, 5), _positive(6), _normal(6)],
    ),
    ("instance_norm", lambda m, f, x: f.instance_norm(x), [_normal(4, 6, 5, 5)]),
    ("avg_pool2d", lambda m, f, x: f.avg_pool2d(x, 3, 2, 1), [_normal(2, 3, 10, 10)]),
    ("max_pool2d", lambda m, f, x: f.max_pool2d(x, 2), [_normal(2, 3, 10, 10)]),
    (
        "conv3d",
        lambda m, f, x, w, b: f.conv3d(x, w, b, stride=2, padding=1),
        [_normal(2, 3, 6, 6, 6), _normal(4, 3, 3, 3, 3), _normal(4)],
    ),
    (
        "conv_transpose3d",
        lambda m, f, x, w, b: f.conv_transpose3d(x, w, b, stride=2),
        [_normal(2, 3, 3, 3, 3), _normal(3, 4, 3, 3, 3), _normal(4)],
    ),
    ("adaptive_avg_pool1d", lambda m, f, x: f.adaptive_avg_pool1d(x, 4), [_normal(2, 3, 11)]),
    ("adaptive_avg_pool2d", lambda m, f, x: f.adaptive_avg_pool2d(x, (3, 4)), [_normal(2, 3, 10, 11)]),
    ("interpolate nearest", lambda m, f, x: f.interpolate(x, size=(7, 9)), [_normal(2, 3, 5, 6)]),
    (
        "interpolate nearest-exact",
        lambda m, f, x: f.interpolate(x, size=(11, 13), mode="nearest-exact"),
        [_normal(2, 3, 5, 6)],
    ),
    ("interpolate linear", lambda m, f, x: f.interpolate(x, size=11, mode="linear"), [_normal(2, 3, 6)]),
    (
        "interpolate bilinear",
        lambda m, f, x: f.interpolate(x, scale_factor=2, mode="bilinear"),
        [_normal(2, 3, 5, 6)],
    ),
    (
        "interpolate bilinear align_corners",
        lambda m, f, x: f.interpolate(x, size=(7, 9), mode="bilinear", align_corners=True),
        [_normal(2, 3, 5, 6)],
    ),
    ("interpolate bicubic", lambda m, f, x: f.interpolate(x, size=(7, 9), mode="bicubic"), [_normal(2, 3, 5, 6)]),
    ("interpolate area", lambda m, f, x: f.interpolate(x, size=4, mode="area"), [_normal(2, 3, 11)]),
    ("gelu", lambda m, f, x: f.gelu(x), [_normal(16, 24)]),
    ("silu", lambda m, f, x: f.silu(x), [_normal(16, 24)]),
    ("mish", lambda m, f, x: f.mish(x), [_normal(16, 24)]),
    ("elu", lambda m, f, x: f.elu(x), [_normal(16, 24)]),
    ("softplus", lambda m, f, x: f.softplus(x, beta=2.0), [_normal(16, 24)]),
    ("hardswish", lambda m, f, x: f.hardswish(x), [_normal(16, 24)]),
    ("logsigmoid", lambda m, f, x: f.logsigmoid(x), [_normal(16, 24)]),
    ("leaky_relu", lambda m, f, x: f.leaky_relu(x), [_normal(16, 24)]),
    ("leaky_relu(0.3)", lambda m, f, x: f.leaky_relu(x, 0.3), [_normal(16, 24)]),
    ("rrelu (eval)", lambda m, f, x: f.rrelu(x, training=False), [_normal(16, 24)]),
]


def _mismatch(ours: np.ndarray, reference: np.ndarray) -> float:
    """The share of entries of ``ours`` that differ from ``reference`` (nan matching nan)."""
    both_nan = np.isnan(ours) & np.isnan(reference)
    return float(np.mean((ours != reference) & ~both_nan))


@pytest.mark.parametrize(("name", "call", "inputs"), FLOAT16_SWEEP, ids=[case[0] for case in FLOAT16_SWEEP])
def test_a_float16_op_and_its_gradients_round_no_more_often_than_torchs(name, call, inputs):
    """Forward and input gradients (a float16 upstream gradient) of float16 inputs, against the float64 result of
    the same float16 values rounded once to float16, the arbiter: torch's half kernels compute in float32 and round
    once, so nearly every entry is that rounding. Ours may miss it no more often than torch's own (2% slack:
    float32's last bit, and the share of torch's steps composed in float16)."""
    ours_call, torch_call = _mapped(call)
    rng = np.random.default_rng(sum(map(ord, name)))
    values = [generate(rng).astype(np.float16) for generate in inputs]
    exact = [torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in values]
    half = [torch.tensor(value, requires_grad=True) for value in values]
    ours = [Tensor(value, requires_grad=True) for value in values]
    exact_out, half_out = torch_call(*exact), torch_call(*half)
    g = rng.standard_normal(half_out.shape).astype(np.float16)
    exact_out.backward(torch.tensor(g, dtype=torch.float64))
    half_out.backward(torch.tensor(g))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ours_call(*ours)
        out.backward(Tensor(g))
    pairs = [(out, half_out.detach(), exact_out.detach())]
    pairs += [(mine.grad, theirs.grad, reference.grad) for mine, theirs, reference in zip(ours, half, exact)]
    for position, (mine, theirs, reference) in enumerate(pairs):
        what = "output" if position == 0 else f"gradient of input {position - 1}"
        rounded = reference.numpy().astype(np.float16)
        mine = np.asarray(mine.numpy())
        assert mine.dtype == np.float16, (what, mine.dtype)
        ours_share, torch_share = _mismatch(mine, rounded), _mismatch(theirs.numpy(), rounded)
        assert ours_share <= torch_share + 0.02, f"{name}: {what} misses {ours_share:.0%}, torch's {torch_share:.0%}"


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("lerp_", lambda t, a, b: t.lerp_(a, 0.3)),
        ("lerp_ by a tensor", lambda t, a, b: t.lerp_(a, b / 4)),
        ("addcmul_", lambda t, a, b: t.addcmul_(a, b, value=0.3)),
        ("addcdiv_", lambda t, a, b: t.addcdiv_(a, b, value=0.3)),
    ],
)
def test_a_float16_fused_in_place_update_rounds_once_as_torchs(name, call):
    """torch's lerp_/addcmul_/addcdiv_ (an optimizer's moment updates) compute in float32 and round once on the
    write: every entry is the float64 result of the same float16 values, rounded to float16."""
    rng = np.random.default_rng(31)
    t, a = (rng.standard_normal((40, 50)).astype(np.float16) for _ in range(2))
    b = rng.uniform(0.5, 2.0, (40, 50)).astype(np.float16)
    exact = call(*(torch.tensor(x, dtype=torch.float64) for x in (t, a, b))).numpy().astype(np.float16)
    half = call(*(torch.tensor(x) for x in (t, a, b))).numpy()
    ours = call(*(Tensor(x.copy()) for x in (t, a, b)))
    assert ours.dtype == np.float16
    assert _mismatch(half, exact) < 0.02
    assert _mismatch(ours.numpy(), exact) < 0.02


def test_a_float16_bilinear_with_a_bias_is_its_exact_value_rounded_once():
    """F.bilinear's contraction and its bias add run in float32 and round once (the README's promise; torch's own
    float16 bilinear rounds its steps, a third of its entries a step off): rounding the contraction before the
    bias put a quarter of the entries a float16 step off."""
    rng = np.random.default_rng(41)
    values = [rng.standard_normal(shape).astype(np.float16) for shape in [(30, 12), (30, 14), (6, 12, 14), (6,)]]
    exact = torch.nn.functional.bilinear(*(torch.tensor(value, dtype=torch.float64) for value in values))
    ours = F.bilinear(*(Tensor(value) for value in values))
    assert ours.dtype == np.float16
    assert _mismatch(ours.numpy(), exact.numpy().astype(np.float16)) < 0.02


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x / 1e5,  # 1e5 is inf in float16: x / inf would be 0
        lambda x: x * 1e-8,  # 1e-8 is 0 in float16
        lambda x: x * 1e5,
        lambda x: x * 1e-30,
        lambda x: x / 1e-7,
        lambda x: x - 7e4,  # an added or subtracted number is float16 in torch: 7e4 is inf there
        lambda x: x + 0.1,
    ],
    ids=["x / 1e5", "x * 1e-8", "x * 1e5", "x * 1e-30", "x / 1e-7", "x - 7e4", "x + 0.1"],
)
def test_a_float16_tensor_and_a_number_beyond_float16s_range_give_torchs_values_and_gradients(call):
    """torch's half kernels multiply and divide by a Python number held in float32 and round the result once: x /
    1e5 is 0.01 at x = 1000, not x / inf = 0, and its gradient 1e-5 rounded, not 0."""
    x = np.array([1000.0, 1.0, 0.0, 3e-5, 6e4, -2.5, 6e-8], dtype=np.float16)
    upstream = np.array([1.0, 2.0, -1.0, 0.5, 3.0, 1.0, -2.0], dtype=np.float16)
    _assert_float16_values_and_gradients_are_torchs(call, x, upstream)


def _assert_float16_values_and_gradients_are_torchs(call, x, upstream):
    """``call`` on a float16 tensor of ``x`` gives torch's float16 values, and torch's gradients of
    sum(out * upstream), bit for bit."""
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, torch_out = call(ours), call(theirs)
    (out * Tensor(upstream)).sum().backward()
    (torch_out * torch.tensor(upstream)).sum().backward()
    assert out.dtype == np.float16 and ours.grad.dtype == np.float16
    np.testing.assert_array_equal(out.numpy(), torch_out.detach().numpy())
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize(
    "number",
    [np.float64(1e5), np.float32(1e5), np.float64(1e-8), np.float16(0.5), np.int64(3), np.uint8(200)],
    ids=["float64 1e5", "float32 1e5", "float64 1e-8", "float16 0.5", "int64 3", "uint8 200"],
)
@pytest.mark.parametrize("op", ["*", "/", "+"])
def test_a_float16_tensor_and_a_numpy_scalar_give_what_the_same_python_number_gives_in_torch(number, op):
    """torch takes a numpy scalar as the Python number it holds: x / np.float64(1e5) is x / 1e5 (not x / inf = 0, the
    scalar first cast to float16) and x * np.float32(2) stays float16 (not numpy's float32 result)."""
    x = np.array([1000.0, 1.0, 3e-5, 6e4, 2.5, 6e-8], dtype=np.float16)
    upstream = np.array([1.0, 2.0, -1.0, 0.5, 3.0, -2.0], dtype=np.float16)
    function = {"*": operator.mul, "/": operator.truediv, "+": operator.add}[op]
    _assert_float16_values_and_gradients_are_torchs(lambda tensor: function(tensor, number), x, upstream)


@pytest.mark.parametrize(
    "call",
    [lambda lib, x: x.mean(), lambda lib, x: lib.nanmean(x), lambda lib, x: (x * x).mean(0)],
    ids=["mean", "nanmean", "mean of squares"],
)
def test_a_float16_mean_of_more_than_65504_entries_has_torchs_value_and_gradient(call):
    """The count 70000 is inf in float16: the gradient 1/n was 0 and nanmean's value 0; torch computes both in
    float32 and rounds once."""
    x = np.random.default_rng(3).standard_normal(70_000).astype(np.float16)
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = call(autograd, ours)
        out.backward()
    expected = call(torch, theirs)
    expected.backward()
    assert out.dtype == np.float16 and ours.grad.dtype == np.float16
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=2e-3)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=2e-3, atol=1e-9)
    assert np.abs(ours.grad).max() > 0


@pytest.mark.parametrize("number", [np.float32(0.5), np.float64(0.5), np.int64(2)], ids=["float32", "float64", "int64"])
@pytest.mark.parametrize(
    "call",
    [
        lambda x, s: x % s,
        lambda x, s: x // s,
        lambda x, s: s % x,
        lambda x, s: x.fmod(s),
        lambda x, s: x.remainder(s),
        lambda x, s: x.copysign(s),
        lambda x, s: x.div(s, rounding_mode="floor"),
        lambda x, s: x.clamp(max=s),
        lambda x, s: x.clamp_min(s),
    ],
    ids=["%", "//", "reflected %", "fmod", "remainder", "copysign", "floor division", "clamp max", "clamp_min"],
)
def test_a_numpy_scalar_beside_a_float16_tensor_keeps_float16_in_every_binary_op(number, call):
    x = np.array([-1.0, 0.5, 4.0, 3.25], dtype=np.float16)
    out, expected = call(Tensor(x), number), call(torch.tensor(x), number)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("bound", [np.int64(3), np.int32(3), np.float32(2.5)])
def test_clamp_of_a_float32_tensor_by_a_numpy_scalar_stays_float32(bound):
    x = np.array([-1.0, 0.5, 4.0], dtype=np.float32)
    for out, expected in (
        (Tensor(x).clamp(max=bound), torch.tensor(x).clamp(max=bound)),
        (Tensor(x).clip(0, bound), torch.tensor(x).clip(0, bound)),
    ):
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.mul_(0.1),
        lambda x: x.div_(0.1),
        lambda x: x.div_(3.3),
        lambda x: x.__imul__(1e-3),
        lambda x: x.__itruediv__(1e5),
        lambda x: x.mul_(np.float64(0.1)),
    ],
    ids=["mul_(0.1)", "div_(0.1)", "div_(3.3)", "*= 1e-3", "/= 1e5", "mul_(np.float64(0.1))"],
)
@pytest.mark.parametrize("recorded", [False, True], ids=["plain", "recorded"])
def test_a_float16_in_place_product_or_quotient_by_a_number_is_torchs_rounded_once(call, recorded):
    """``x.div_(0.1)`` on a float16 tensor computes in float32 and rounds once, as ``x / 0.1`` and torch's half
    kernels do: the number was made a float16 first (0.1 as 0.09998), so 6.402 / 0.1 came out 64.06, not 64.0."""
    x = (np.random.default_rng(5).standard_normal(2000) * 10).astype(np.float16)
    theirs = call(torch.tensor(x))
    if recorded:
        leaf = Tensor(x, requires_grad=True)
        ours = call(leaf * 1)
        ours.sum().backward()
        expected_grad = call(torch.ones(x.shape, dtype=torch.float16)).numpy()
        np.testing.assert_array_equal(leaf.grad, expected_grad)
    else:
        ours = call(Tensor(x.copy()))
    assert ours.dtype == np.float16
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: x // 0.1,
        lambda lib, x: lib.floor_divide(x, 1e-3),
        lambda lib, x: lib.div(x, 0.1, rounding_mode="floor"),
        lambda lib, x: lib.div(x, 3.3, rounding_mode="floor"),
        lambda lib, x: lib.div(x, 0.1, rounding_mode="trunc"),
        lambda lib, x: x.clone().div_(1e-3, rounding_mode="trunc"),
        lambda lib, x: x.clone().floor_divide_(np.float64(0.1)),
    ],
    ids=[
        "// 0.1",
        "floor_divide 1e-3",
        "div floor 0.1",
        "div floor 3.3",
        "div trunc 0.1",
        "div_ trunc 1e-3",
        "floor_divide_ np.float64(0.1)",
    ],
)
def test_a_float16_floor_or_trunc_quotient_by_a_number_is_torchs(call):
    """torch's half kernels take the number divisor of ``//`` and ``div(rounding_mode=...)`` in float32: 9.9 // 0.1
    is 98 (9.8984 / 0.1 = 98.98); the divisor made a float16 first (0.09998) gave 99, and -13.2 // 3.3 gave -4."""
    x = (np.random.default_rng(9).standard_normal(3000) * 10).astype(np.float16)
    x[:3] = [9.9, -13.2, -22.5]
    ours = call(autograd, Tensor(x.copy()))
    assert ours.dtype == np.float16
    np.testing.assert_array_equal(ours.numpy(), call(torch, torch.tensor(x)).numpy())


@pytest.mark.parametrize("scalar_dtype", ["float32", "float64"])
@pytest.mark.parametrize("value", [65536.0, 1e-8, 7e4, 0.1, 1 / 3])
@pytest.mark.parametrize(
    ("call", "differentiable"),
    [
        (lambda lib, x, s: x * s, True),
        (lambda lib, x, s: x / s, True),
        (lambda lib, x, s: lib.mul(x, s), True),
        # torch rounds a 0-d left factor to float16 first (65536 * x is inf), its gradient then not: values only
        (lambda lib, x, s: s * x, False),
        (lambda lib, x, s: x // s, False),
        (lambda lib, x, s: lib.div(x, s, rounding_mode="trunc"), False),
    ],
    ids=["x * s", "x / s", "mul(x, s)", "s * x", "x // s", "div trunc"],
)
def test_a_float16_tensor_by_a_0d_float32_or_float64_tensor_is_computed_in_float32_as_torchs(
    call, differentiable, value, scalar_dtype
):
    """torch's float16 product and quotient kernels take a 0-d floating tensor on the right as a float32 number, as
    a Python number: ``loss * scale`` with GradScaler's 0-d 65536.0 was x times float16's inf (all inf), and x / a 0-d
    7e4 was x / inf; the values and the float16 tensor's gradient are torch's, bit for bit."""
    x = np.array([1e-3, 1000.0, 1.0, 0.0, 3e-5, -2.5, 6e-8, 0.1], dtype=np.float16)
    upstream = np.array([1.0, 2.0, -1.0, 0.5, 3.0, 1.0, -2.0, 0.25], dtype=np.float16)
    scalar = np.array(value, dtype=scalar_dtype)
    ours = Tensor(x, requires_grad=differentiable)
    theirs = torch.tensor(x, requires_grad=differentiable)
    out = call(autograd, ours, Tensor(scalar))
    torch_out = call(torch, theirs, torch.tensor(scalar))
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out.numpy(), torch_out.detach().numpy())
    if differentiable:
        (out * Tensor(upstream)).sum().backward()
        (torch_out * torch.tensor(upstream)).sum().backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x < 2**31,
        lambda x: 2**31 < x,
        lambda x: x >= -1e39,
        lambda x: 1e300 > x,
        lambda x: x == 2**40,
        lambda x: x.ne(1e5),
        lambda x: np.float64(1e-8) > x,
        lambda x: np.float64(1e-8) == x,
        lambda x: x != np.float64(1e-8),
        lambda x: np.float64(1e5) <= x,
    ],
    ids=["x < 2**31", "2**31 < x", "x >= -1e39", "1e300 > x", "x == 2**40", "ne 1e5", "np 1e-8 > x", "np 1e-8 == x",
         "x != np 1e-8", "np 1e5 <= x"],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_comparing_a_float_tensor_with_a_number_beyond_its_range_or_a_numpy_float_is_torchs_without_warnings(
    call, dtype
):
    """A number compared with a float16 (float32) tensor is taken in the tensor's dtype, as torch's weak scalar: one
    beyond the range is inf, where numpy's cast warned ("overflow encountered in cast"), and a numpy float on the
    left, which numpy hands over as a 0-d float64 array, was compared exactly (1e-8 > 0 True, where float16 holds 1e-8
    as 0)."""
    x = np.array([1.0, 0.0, 6e4, -2.5, 1e-8, -0.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = call(Tensor(x))
    np.testing.assert_array_equal(ours.numpy(), call(torch.tensor(x)).numpy())


@pytest.mark.parametrize("number", [1e39, -1e39, 2**40])
@pytest.mark.parametrize(
    "call",
    [lambda lib, x, n: x.xlogy(n), lambda lib, x, n: lib.xlogy(x, n), lambda lib, x, n: lib.special.xlogy(x, n)],
    ids=["x.xlogy", "xlogy", "special.xlogy"],
)
def test_xlogy_of_a_float16_tensor_and_a_number_beyond_its_range_is_torchs_without_warnings(call, number):
    """The number is taken in the tensor's dtype, as torch's: beyond float16's range it is inf (x log inf), where
    numpy's cast warned ("overflow encountered in cast")."""
    x = np.array([1.0, -2.0, 6e4, 0.0, 0.5], dtype=np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = call(autograd, Tensor(x), number)
    expected = call(torch, torch.tensor(x), number)
    assert ours.dtype == np.float16
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())
