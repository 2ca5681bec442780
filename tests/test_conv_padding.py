"""Convolution padding as torch's: ``padding='valid'`` / ``'same'`` (F.conv1d, F.conv2d and the modules) and the
modules' ``padding_mode`` ('zeros', 'reflect', 'replicate', 'circular'): hand-computed cases, finite differences
in float64, torch's values and gradients, errors naming the op, and checkpoints."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn import architecture

MODES = ["zeros", "reflect", "replicate", "circular"]
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")


# -- hand-computed cases ------------------------------------------------------------------------
def test_same_padding_with_an_even_kernel_puts_the_extra_zero_on_the_right():
    x, weight = np.array([[[1.0, 2.0, 3.0]]]), np.array([[[1.0, 10.0]]])  # out[i] = x[i] + 10 x[i + 1]
    np.testing.assert_array_equal(F.conv1d(x, weight, padding="same").data, [[[21.0, 32.0, 3.0]]])


def test_same_padding_with_an_even_kernel_puts_the_extra_row_and_column_at_the_bottom_right():
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    weight = np.array([[[[1.0, 0.0], [0.0, 100.0]]]])  # out[i, j] = x[i, j] + 100 x[i + 1, j + 1]
    expected = x.copy()
    expected[0, 0, :2, :2] += 100 * x[0, 0, 1:, 1:]
    np.testing.assert_array_equal(F.conv2d(x, weight, padding="same").data, expected)


@pytest.mark.parametrize(("kernel", "dilation"), [(3, 1), (4, 1), (2, 3), (5, 2)])
def test_same_padding_keeps_the_length_and_valid_padding_adds_none(kernel, dilation):
    x, weight = np.ones((2, 3, 9)), np.ones((4, 3, kernel))
    assert F.conv1d(x, weight, padding="same", dilation=dilation).shape == (2, 4, 9)
    assert F.conv1d(x, weight, padding="valid", dilation=dilation).shape == (2, 4, 9 - dilation * (kernel - 1))
    image, kernel_2d = np.ones((1, 3, 7, 8)), np.ones((2, 3, kernel, 2))
    assert F.conv2d(image, kernel_2d, padding="same", dilation=dilation).shape == (1, 2, 7, 8)
    np.testing.assert_array_equal(
        F.conv2d(image, kernel_2d, padding="valid").data, F.conv2d(image, kernel_2d, padding=0).data
    )


PADDED_1_2_3_4 = {
    "zeros": [0, 0, 1, 2, 3, 4, 0, 0],
    "reflect": [3, 2, 1, 2, 3, 4, 3, 2],
    "replicate": [1, 1, 1, 2, 3, 4, 4, 4],
    "circular": [3, 4, 1, 2, 3, 4, 1, 2],
}


@pytest.mark.parametrize("mode", MODES)
def test_a_one_tap_identity_convolution_shows_what_each_padding_mode_puts_around_the_input(mode):
    layer = nn.Conv1d(1, 1, 1, padding=2, bias=False, padding_mode=mode, dtype=np.float64)
    layer.weight.data[...] = 1.0
    out = layer(np.array([[[1.0, 2.0, 3.0, 4.0]]]))
    np.testing.assert_array_equal(out.data, [[PADDED_1_2_3_4[mode]]])


@pytest.mark.parametrize("mode", MODES)
def test_each_padding_mode_pads_rows_and_columns_of_an_image(mode):
    layer = nn.Conv2d(1, 1, 1, padding=(1, 2), bias=False, padding_mode=mode, dtype=np.float64)
    layer.weight.data[...] = 1.0
    x = np.array([[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]]])
    rows = {"zeros": [None, 0, 1, None], "reflect": [1, 0, 1, 0], "replicate": [0, 0, 1, 1], "circular": [1, 0, 1, 0]}
    columns = [value - 1 for value in PADDED_1_2_3_4[mode]]  # the 1-D case as 0-based sources (-1: a zero)
    expected = np.zeros((4, 8))
    for i, source_row in enumerate(rows[mode]):
        for j, source_column in enumerate(columns):
            if source_row is not None and source_column >= 0:
                expected[i, j] = x[0, 0, source_row, source_column]
    np.testing.assert_array_equal(layer(x).data[0, 0], expected)


def test_a_gradient_through_reflect_padding_adds_up_at_each_entry_read_twice():
    x = Tensor(np.array([[[1.0, 2.0, 3.0, 4.0]]]), requires_grad=True)
    layer = nn.Conv1d(1, 1, 1, padding=2, bias=False, padding_mode="reflect", dtype=np.float64)
    layer.weight.data[...] = 1.0
    layer(x).sum().backward()  # reflect 2: [3, 2, | 1, 2, 3, 4, | 3, 2]
    np.testing.assert_array_equal(x.grad, [[[1.0, 3.0, 3.0, 1.0]]])


# -- finite differences (no torch) ---------------------------------------------------------------
@pytest.mark.parametrize(("mode", "padding"), list(itertools.product(MODES, [1, "same", (2, 0)])))
def test_conv2d_module_gradients_match_finite_differences(mode, padding):
    rng = np.random.default_rng(3)
    layer = nn.Conv2d(2, 3, (2, 3), padding=padding, padding_mode=mode, dtype=np.float64, rng=1)
    x = rng.standard_normal((2, 2, 4, 5))
    assert gradcheck(lambda x, w, b: _module_with(layer, w, b)(x), [x, layer.weight.data, layer.bias.data])


@pytest.mark.parametrize(("mode", "padding"), list(itertools.product(MODES, [2, "same"])))
def test_conv1d_module_gradients_match_finite_differences_to_second_order(mode, padding):
    rng = np.random.default_rng(4)
    layer = nn.Conv1d(2, 2, 4, padding=padding, dilation=1, padding_mode=mode, dtype=np.float64, rng=2)
    x = rng.standard_normal((1, 2, 5))
    assert gradcheck(lambda x, w: _module_with(layer, w, layer.bias)(x), [x, layer.weight.data])
    assert gradgradcheck(lambda x: (layer(x) * layer(x)).sum(), [x])


@pytest.mark.parametrize("kernel", [(2, 2), (3, 4), (1, 3)])
def test_functional_same_padding_gradients_match_finite_differences(kernel):
    rng = np.random.default_rng(5)
    x, weight, bias = rng.standard_normal((1, 2, 4, 5)), rng.standard_normal((2, 2) + kernel), rng.standard_normal(2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=(1, 2)), [x, weight, bias])
    assert gradcheck(lambda x, w: F.conv1d(x, w, padding="same"), [x[:, :, 0], weight[:, :, 0]])


def _module_with(layer, weight, bias):
    """``layer`` with its parameters replaced by ``weight`` and ``bias`` (Tensors from gradcheck)."""
    copy = type(layer).__new__(type(layer))
    copy.__dict__.update(layer.__dict__)
    object.__setattr__(copy, "weight", weight)
    object.__setattr__(copy, "bias", bias)
    return copy


# -- torch ---------------------------------------------------------------------------------------
def _torch_module(torch, ours, name, **options):
    theirs = getattr(torch.nn, name)(
        ours.in_channels, ours.out_channels, ours.kernel_size, dtype=torch.float64, **options
    )
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        if ours.bias is not None:
            theirs.bias.copy_(torch.tensor(ours.bias.data))
    return theirs


def _compare_module(torch, ours, theirs, x):
    mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = np.random.default_rng(9).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    if ours.bias is not None:
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-12)


CONV2D_CASES = list(
    itertools.product(
        MODES,
        [0, 1, (2, 1), "same", "valid"],  # padding
        [(3, 3), (2, 4)],  # kernel
        [1, (2, 1)],  # dilation
    )
)


@pytest.mark.parametrize(("mode", "padding", "kernel", "dilation"), CONV2D_CASES)
def test_conv2d_module_padding_and_padding_mode_match_torch(mode, padding, kernel, dilation):
    torch = pytest.importorskip("torch")
    options = {"padding": padding, "dilation": dilation, "padding_mode": mode}
    ours = nn.Conv2d(2, 3, kernel, dtype=np.float64, rng=0, **options)
    theirs = _torch_module(torch, ours, "Conv2d", **options)
    _compare_module(torch, ours, theirs, np.random.default_rng(1).standard_normal((2, 2, 6, 7)))


@pytest.mark.parametrize(("mode", "padding", "kernel"), list(itertools.product(MODES, [0, 2, "same", "valid"], [3, 4])))
def test_conv1d_module_padding_and_padding_mode_match_torch(mode, padding, kernel):
    torch = pytest.importorskip("torch")
    options = {"padding": padding, "padding_mode": mode, "groups": 2}
    ours = nn.Conv1d(4, 2, kernel, dtype=np.float64, rng=0, **options)
    theirs = _torch_module(torch, ours, "Conv1d", **options)
    _compare_module(torch, ours, theirs, np.random.default_rng(2).standard_normal((3, 4, 7)))


@pytest.mark.parametrize("mode", ["reflect", "circular"])
def test_strided_module_with_a_padding_mode_matches_torch_on_an_unbatched_input(mode):
    torch = pytest.importorskip("torch")
    options = {"stride": 2, "padding": (1, 2), "padding_mode": mode}
    ours = nn.Conv2d(2, 2, 3, dtype=np.float64, rng=0, **options)
    theirs = _torch_module(torch, ours, "Conv2d", **options)
    _compare_module(torch, ours, theirs, np.random.default_rng(3).standard_normal((2, 5, 5)))


@pytest.mark.parametrize(("kernel", "dilation", "groups"), [((2, 2), 1, 1), ((3, 4), (2, 1), 2), ((1, 5), 1, 2)])
def test_functional_same_and_valid_padding_match_torch(kernel, dilation, groups):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((2, 4, 6, 7)), rng.standard_normal((2, 4 // groups) + kernel), rng.standard_normal(2)]
    for padding in ("same", "valid"):
        ours = [Tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = F.conv2d(*ours, padding=padding, dilation=dilation, groups=groups)
        expected = torch.nn.functional.conv2d(*theirs, padding=padding, dilation=dilation, groups=groups)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        out.sum().backward()
        expected.sum().backward()
        for mine, reference in zip(ours, theirs):
            np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)
        line = [arrays[0][:, :, 0], arrays[1][:, :, 0]]
        out_1d = F.conv1d(*line, padding=padding, dilation=dilation if isinstance(dilation, int) else 2, groups=groups)
        expected_1d = torch.nn.functional.conv1d(
            *[torch.tensor(a) for a in line],
            padding=padding,
            dilation=dilation if isinstance(dilation, int) else 2,
            groups=groups,
        )
        np.testing.assert_allclose(out_1d.data, expected_1d.numpy(), rtol=1e-10, atol=1e-12)


# -- errors and checkpoints ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "error", "pattern"),
    [
        (lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"), ValueError, r"Conv2d: padding='same' needs stride 1"),
        (lambda: nn.Conv1d(1, 1, 3, stride=2, padding="same"), ValueError, r"Conv1d: padding='same' needs stride 1"),
        (
            lambda: F.conv1d(np.ones((1, 1, 5)), np.ones((1, 1, 3)), stride=2, padding="same"),
            ValueError,
            r"conv1d: padding='same' needs stride 1",
        ),
        (lambda: nn.Conv2d(1, 1, 3, padding="full"), ValueError, "Conv2d: padding must be 'valid', 'same'"),
        (lambda: nn.Conv2d(1, 1, 3, padding_mode="mirror"), ValueError, "Conv2d: padding_mode must be"),
        (lambda: nn.Conv1d(1, 1, 3, padding_mode="zero"), ValueError, "Conv1d: padding_mode must be"),
    ],
)
def test_bad_padding_arguments_are_errors_naming_the_op(build, error, pattern):
    with pytest.raises(error, match=pattern):
        build()


@pytest.mark.parametrize(("mode", "padding", "pattern"), [("reflect", 3, "smaller than"), ("circular", 4, "at most")])
def test_padding_wider_than_the_input_allows_is_an_error_naming_the_mode_and_shape(mode, padding, pattern):
    layer = nn.Conv1d(1, 1, 1, padding=padding, padding_mode=mode)
    with pytest.raises(ValueError, match=rf"Conv1d: padding_mode='{mode}' needs each padding {pattern}.*\(1, 1, 3\)"):
        layer(np.ones((1, 1, 3), dtype=np.float32))


def test_padding_string_and_mode_are_kept_shown_and_survive_save_and_load(tmp_path):
    layer = nn.Conv2d(2, 3, 3, padding="same", padding_mode="reflect", rng=0)
    assert layer.padding == "same" and layer.padding_mode == "reflect"
    assert "padding=same" in repr(layer) and "padding_mode=reflect" in repr(layer)
    model = nn.Sequential(layer, nn.ReLU())
    rebuilt = nn.load(nn.save(model, tmp_path / "same.npz"))
    assert repr(rebuilt) == repr(model)
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32)
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)


def test_a_record_without_padding_mode_still_describes_a_zero_padded_conv():
    record = architecture.describe(nn.Conv2d(1, 2, 3, padding=1))
    assert "padding_mode" not in record["config"]  # as files written before padding_mode existed
    assert (
        architecture.differences(record, architecture.describe(nn.Conv2d(1, 2, 3, padding=1, padding_mode="zeros")))
        == []
    )
    assert architecture.differences(
        record, architecture.describe(nn.Conv2d(1, 2, 3, padding=1, padding_mode="circular"))
    )


def test_a_one_element_size_sequence_is_expanded_as_torch():
    x = Tensor(np.random.default_rng(0).standard_normal((1, 2, 6, 6)))
    weight = Tensor(np.random.default_rng(1).standard_normal((3, 2, 2, 2)))
    np.testing.assert_array_equal(F.max_pool2d(x, [2]).data, F.max_pool2d(x, 2).data)
    np.testing.assert_array_equal(F.avg_pool2d(x, (2,), stride=[1]).data, F.avg_pool2d(x, 2, stride=1).data)
    np.testing.assert_array_equal(
        F.conv2d(x, weight, stride=(2,), padding=[1], dilation=(1,)).data, F.conv2d(x, weight, stride=2, padding=1).data
    )
    cube = Tensor(np.random.default_rng(2).standard_normal((1, 1, 4, 4, 4)))
    np.testing.assert_array_equal(F.max_pool3d(cube, (2,)).data, F.max_pool3d(cube, 2).data)


@pytest.mark.parametrize("layer", ["Conv1d", "Conv2d", "Conv3d"])
@pytest.mark.parametrize(
    "options", [{"padding": "same"}, {"padding": "valid"}, {"padding": "same", "padding_mode": "reflect"}]
)
def test_padding_string_is_printed_unquoted_as_torch_prints_it(layer, options):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, layer)(2, 3, 3, **options)) == repr(getattr(torch.nn, layer)(2, 3, 3, **options))
