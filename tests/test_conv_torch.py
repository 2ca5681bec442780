"""Torch oracle for nn.functional.conv2d, max_pool2d and avg_pool2d: values and gradients of
input, weight and bias over a grid of strides, paddings, dilations and kernel shapes."""

import itertools

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _ours_and_torchs(arrays):
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _compare(out, expected, upstream, ours, theirs, tolerance):
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tolerance)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        assert mine.grad.dtype == mine.dtype
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), **tolerance)


CONV_GRID = list(
    itertools.product(
        [(3, 3), (2, 3), (1, 1)],  # kernel
        [1, 2, (2, 1)],  # stride
        [0, 1, (2, 0)],  # padding
        [1, (1, 2)],  # dilation
        [True, False],  # bias
    )
)


@pytest.mark.parametrize("kernel, stride, padding, dilation, bias", CONV_GRID)
def test_conv2d_matches_torch_values_and_gradients(kernel, stride, padding, dilation, bias):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3) + kernel)]
    if bias:
        arrays.append(rng.standard_normal(4))
    ours, theirs = _ours_and_torchs(arrays)
    out = F.conv2d(*ours, stride=stride, padding=padding, dilation=dilation)
    expected = TF.conv2d(*theirs, stride=stride, padding=padding, dilation=dilation)
    upstream = rng.standard_normal(tuple(expected.shape))
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-10, "atol": 1e-10})


# The one-group input gradient runs channels-last (HWNC) or as the NCHW fold of W^T g, as
# derivatives.conv._channels_last_is_faster picks: each geometry is run both ways (odd sizes, uneven kernels and
# strides, dilation, LeNet's second layer) and each must give torch's gradients.
@pytest.mark.parametrize("channels_last", [True, False])
@pytest.mark.parametrize(
    ("channels", "kernel", "size", "stride", "padding", "dilation"),
    [
        (3, 3, 32, 1, 1, 1),
        (9, 3, 32, 1, 1, 1),
        (9, 3, 23, 1, 0, 1),
        (9, 3, 31, 2, 1, 1),
        (9, 5, 27, 1, 2, 1),
        (3, 5, 27, 1, 2, 1),
        (8, 3, 30, 1, 2, 2),
        (8, (3, 1), 25, (1, 2), (1, 0), 1),
        (6, 5, 12, 1, 0, 1),
        (2, 5, 11, 1, 0, 1),
        (6, 3, 13, 1, 1, 1),
        (5, 1, 9, 2, 0, 1),
    ],
)
def test_one_group_conv2d_input_gradient_matches_torch_on_both_layouts(
    channels, kernel, size, stride, padding, dilation, channels_last, monkeypatch
):
    from autograd.derivatives import conv as cv

    monkeypatch.setattr(cv, "_channels_last_is_faster", lambda *shapes: channels_last)
    rng = np.random.default_rng(channels * size)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    arrays = [rng.standard_normal((2, channels, size, size + 1)), rng.standard_normal((4, channels, kh, kw))]
    ours, theirs = _ours_and_torchs(arrays)
    out = F.conv2d(*ours, stride=stride, padding=padding, dilation=dilation)
    expected = TF.conv2d(*theirs, stride=stride, padding=padding, dilation=dilation)
    upstream = rng.standard_normal(expected.shape)
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-10, "atol": 1e-10})


# Which path runs, for shapes timed on one thread (HWNC / fold ms, float32, result made contiguous): the stride-2
# 3x3 convolution of bench/ops.py, 32x64x32x32 -> 64 (21.8 / 14.0); 32x32x32x32 -> 32 stride 2 (10.3 / 5.8); 1x1
# kernels (fold: one copy; HWNC 2-10x slower); LeNet's second layer, 64x6x12x12 5x5 -> 16 (HWNC 1.8x faster); 5x5
# stride 2 over 32x64x32x32 -> 64 (43 / 48); 3x3 over 16x64x14x14 -> 16 (1.27 / 3.0).
@pytest.mark.parametrize(
    ("x_shape", "weight_shape", "stride", "padding", "channels_last"),
    [
        ((32, 64, 32, 32), (64, 64, 3, 3), 2, 1, False),
        ((32, 32, 32, 32), (32, 32, 3, 3), 2, 1, False),
        ((32, 64, 14, 14), (64, 64, 1, 1), 1, 0, False),
        ((64, 6, 12, 12), (16, 6, 5, 5), 1, 0, True),
        ((32, 64, 32, 32), (64, 64, 5, 5), 2, 2, True),
        ((16, 64, 14, 14), (16, 64, 3, 3), 1, 1, True),
    ],
)
def test_one_group_input_gradient_takes_the_faster_layout(x_shape, weight_shape, stride, padding, channels_last):
    from autograd.derivatives import conv as cv
    from nn.functional import conv_output_size

    out_shape = (x_shape[0], weight_shape[0]) + tuple(
        conv_output_size(size, k, padding, stride) for size, k in zip(x_shape[2:], weight_shape[2:])
    )
    assert cv._channels_last_is_faster(x_shape, weight_shape, out_shape, (stride, stride)) is channels_last


def test_conv2d_matches_torch_in_float32():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(8, 1, 28, 28), (8, 1, 3, 3), (8,)]]
    ours, theirs = _ours_and_torchs(arrays)
    out, expected = F.conv2d(*ours, padding=1), TF.conv2d(*theirs, padding=1)
    assert out.dtype == np.float32
    upstream = rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-4, "atol": 1e-4})


# A large one-group stride-1 conv2d builds its im2col matrix a few samples at a time (derivatives.conv.im2col_in_chunks)
# and its weight gradient rebuilds it chunk by chunk: forced here on a small batch of 5 in chunks of 2, 2 and 1.
@pytest.mark.parametrize("dtype, tolerance", [(np.float32, 1e-4), (np.float64, 1e-10)])
@pytest.mark.parametrize("padding, bias", [((1, 1), True), ((0, 0), False), ((2, 0), True)])
def test_conv2d_im2col_in_chunks_with_a_short_last_chunk_matches_torch(dtype, tolerance, padding, bias, monkeypatch):
    from autograd.derivatives import conv as cv

    x_shape, weight_shape = (5, 3, 7, 6), (4, 3, 3, 2)
    sample = 3 * 3 * 2 * (7 + 2 * padding[0] - 2) * (6 + 2 * padding[1] - 1)  # im2col entries per sample
    monkeypatch.setattr(cv, "_IM2COL_CHUNKED_ABOVE_BYTES", 0)
    monkeypatch.setattr(cv, "_IM2COL_CHUNK_BYTES", 2 * sample * np.dtype(dtype).itemsize)
    chunks = []
    original = cv._im2col_chunks
    monkeypatch.setattr(cv, "_im2col_chunks", lambda *a: ((s, chunks.append(len(c)) or c) for s, c in original(*a)))
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(weight_shape).astype(dtype)]
    if bias:
        arrays.append(rng.standard_normal(4).astype(dtype))
    ours, theirs = _ours_and_torchs(arrays)
    out, expected = F.conv2d(*ours, padding=padding), TF.conv2d(*theirs, padding=padding)
    assert chunks == [2, 2, 1] and out.dtype == dtype
    upstream = rng.standard_normal(tuple(expected.shape)).astype(dtype)
    _compare(out, expected, upstream, ours, theirs, {"rtol": tolerance, "atol": tolerance})
    assert chunks == [2, 2, 1] * 2  # the weight gradient rebuilt the same chunks


def test_conv2d_im2col_in_chunks_keeps_second_derivatives_of_torch(monkeypatch):
    from autograd.derivatives import conv as cv

    monkeypatch.setattr(cv, "_IM2COL_CHUNKED_ABOVE_BYTES", 0)
    monkeypatch.setattr(cv, "_IM2COL_CHUNK_BYTES", 1)  # one sample a chunk
    rng = np.random.default_rng(6)
    ours, theirs = _ours_and_torchs([rng.standard_normal((3, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))])
    upstream = rng.standard_normal((3, 3, 5, 5))
    (mine,) = ag.grad(F.conv2d(*ours, padding=1), [ours[1]], Tensor(upstream), create_graph=True)
    (reference,) = torch.autograd.grad(
        TF.conv2d(*theirs, padding=1), [theirs[1]], torch.tensor(upstream), create_graph=True
    )
    np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-10, atol=1e-10)
    (mine_x,) = ag.grad((mine * mine).sum(), [ours[0]])
    (reference_x,) = torch.autograd.grad((reference * reference).sum(), [theirs[0]])
    np.testing.assert_allclose(mine_x.data, reference_x.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "x_shape, weight_shape, dtype, stride, in_chunks",
    [
        ((32, 64, 32, 32), (64, 64, 3, 3), np.float32, 1, True),  # bench/ops.py conv2d 3x3: 75 MB
        ((64, 32, 28, 28), (64, 32, 3, 3), np.float32, 1, True),  # 58 MB
        ((64, 32, 28, 28), (64, 32, 3, 3), np.float64, 1, True),  # 116 MB
        ((16, 64, 32, 32), (64, 64, 3, 3), np.float32, 1, False),  # 38 MB: a tie
        ((32, 64, 32, 32), (64, 64, 3, 3), np.float32, 2, False),  # stride 2: 19 MB
        ((16, 32, 32, 32), (32, 32, 3, 3), np.float64, 1, False),  # bench/ops.py conv2d 3x3 float64: 38 MB
        ((32, 1, 28, 28), (8, 1, 3, 3), np.float32, 1, False),  # bench/users_path.py small CNN
        ((64, 1, 28, 28), (6, 1, 5, 5), np.float32, 1, False),  # LeNet
        ((64, 6, 12, 12), (16, 6, 5, 5), np.float32, 1, False),
    ],
)
def test_conv2d_builds_only_large_im2col_matrices_in_chunks(x_shape, weight_shape, dtype, stride, in_chunks):
    from autograd.derivatives import conv as cv
    from nn.functional import conv_output_size

    padding = weight_shape[2] // 2 if x_shape[2] > 12 else 0
    out = [conv_output_size(size, k, padding, stride) for size, k in zip(x_shape[2:], weight_shape[2:])]
    windows_shape = tuple(x_shape[:2]) + tuple(out) + tuple(weight_shape[2:])
    assert cv.im2col_in_chunks(windows_shape, dtype, (stride, stride), (1, 1), 1) is in_chunks


GROUP_GRID = list(
    itertools.product(
        [(2, 4, 6), (3, 3, 3), (3, 3, 6), (4, 8, 4), (1, 3, 2)],  # (groups, in, out); groups = in is depthwise
        [1, (2, 1)],  # stride
        [0, 1],  # padding
        [1, (1, 2)],  # dilation
        [True, False],  # bias
    )
)


@pytest.mark.parametrize("channels, stride, padding, dilation, bias", GROUP_GRID)
def test_grouped_conv2d_matches_torch_values_and_gradients(channels, stride, padding, dilation, bias):
    groups, c_in, c_out = channels
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((2, c_in, 7, 6)), rng.standard_normal((c_out, c_in // groups, 3, 2))]
    if bias:
        arrays.append(rng.standard_normal(c_out))
    ours, theirs = _ours_and_torchs(arrays)
    out = F.conv2d(*ours, stride=stride, padding=padding, dilation=dilation, groups=groups)
    expected = TF.conv2d(*theirs, stride=stride, padding=padding, dilation=dilation, groups=groups)
    upstream = rng.standard_normal(tuple(expected.shape))
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-10, "atol": 1e-10})


@pytest.mark.parametrize("groups", [2, 4, 8])
@pytest.mark.parametrize("padding, dilation", [(0, 1), ((2, 1), 1), ((3, 1), (2, 1)), ((4, 2), (2, 2)), (3, 1)])
def test_grouped_input_gradient_by_correlation_matches_torch(groups, padding, dilation, monkeypatch):
    # stride 1, C_out <= C_in: dx is the convolution of g with the flipped kernels (padding over d (k - 1), (3, 1)
    # here, falls back to the fold of W^T g); both must give torch's gradients
    from autograd.derivatives import conv as cv

    calls = []
    original = cv._input_gradient_by_correlation
    monkeypatch.setattr(cv, "_input_gradient_by_correlation", lambda *a: calls.append(a) or original(*a))
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal((3, 16, 9, 8)), rng.standard_normal((8, 16 // groups, 3, 2)), rng.standard_normal(8)]
    arrays = [a.astype(np.float32) for a in arrays]
    ours, theirs = _ours_and_torchs(arrays)
    out = F.conv2d(*ours, padding=padding, dilation=dilation, groups=groups)
    expected = TF.conv2d(*theirs, padding=padding, dilation=dilation, groups=groups)
    upstream = rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-4, "atol": 1e-4})
    assert len(calls) == (0 if padding == 3 else 1)


def test_grouped_conv2d_module_matches_torch_with_the_same_weights():
    layer = nn.Conv2d(6, 4, 3, padding=1, groups=2, rng=0)
    reference = torch.nn.Conv2d(6, 4, 3, padding=1, groups=2)
    assert tuple(reference.weight.shape) == layer.weight.shape == (4, 3, 3, 3)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.data))
        reference.bias.copy_(torch.from_numpy(layer.bias.data))
    x = np.random.default_rng(6).standard_normal((2, 6, 5, 5)).astype(np.float32)
    expected = reference(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-5, atol=1e-5)


POOL_GRID = list(
    itertools.product(
        [2, 3, (2, 3)],  # kernel
        [None, 1, (2, 1)],  # stride
        [0, 1],  # padding (at most half the kernel)
    )
)


@pytest.mark.parametrize("kernel, stride, padding", POOL_GRID)
@pytest.mark.parametrize("dilation", [1, (2, 1)])
def test_max_pool2d_matches_torch_values_and_gradients(kernel, stride, padding, dilation):
    rng = np.random.default_rng(2)
    x = rng.permutation(2 * 3 * 7 * 8).reshape(2, 3, 7, 8) * 0.01 - 1.0  # distinct values: no ties
    ours, theirs = _ours_and_torchs([x])
    out = F.max_pool2d(ours[0], kernel, stride, padding, dilation)
    expected = TF.max_pool2d(theirs[0], kernel, stride, padding, dilation)
    upstream = rng.standard_normal(tuple(expected.shape))
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-12, "atol": 1e-12})


@pytest.mark.parametrize("kernel, stride, padding", POOL_GRID)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_matches_torch_values_and_gradients(kernel, stride, padding, count_include_pad):
    rng = np.random.default_rng(3)
    ours, theirs = _ours_and_torchs([rng.standard_normal((2, 3, 7, 8))])
    out = F.avg_pool2d(ours[0], kernel, stride, padding, count_include_pad=count_include_pad)
    expected = TF.avg_pool2d(theirs[0], kernel, stride, padding, count_include_pad=count_include_pad)
    upstream = rng.standard_normal(tuple(expected.shape))
    _compare(out, expected, upstream, ours, theirs, {"rtol": 1e-10, "atol": 1e-12})


def test_max_pool2d_gives_a_tied_window_the_same_gradient_as_torch():
    # Ties: like torch, the whole gradient of a window goes to its first maximal entry.
    x = np.zeros((1, 1, 4, 4))
    ours, theirs = _ours_and_torchs([x])
    F.max_pool2d(ours[0], 2).sum().backward()
    TF.max_pool2d(theirs[0], 2).sum().backward()
    np.testing.assert_array_equal(ours[0].grad, theirs[0].grad.numpy())
    np.testing.assert_array_equal(ours[0].grad[0, 0, ::2, ::2], np.ones((2, 2)))


UNFOLD_GRID = list(itertools.product([(2, 3), 3], [1, (1, 2)], [0, (1, 2)], [1, (2, 1)]))


@pytest.mark.parametrize("kernel, dilation, padding, stride", UNFOLD_GRID)
def test_unfold_and_fold_match_torch_layout_values_and_gradients(kernel, dilation, padding, stride):
    rng = np.random.default_rng(4)
    ours, theirs = _ours_and_torchs([rng.standard_normal((2, 3, 7, 6))])
    out = F.unfold(ours[0], kernel, dilation, padding, stride)
    expected = TF.unfold(theirs[0], kernel, dilation, padding, stride)
    _compare(out, expected, rng.standard_normal(tuple(expected.shape)), ours, theirs, {"rtol": 1e-12, "atol": 1e-12})

    ours, theirs = _ours_and_torchs([rng.standard_normal(tuple(expected.shape))])
    out = F.fold(ours[0], (7, 6), kernel, dilation, padding, stride)
    folded = TF.fold(theirs[0], (7, 6), kernel, dilation, padding, stride)
    _compare(out, folded, rng.standard_normal((2, 3, 7, 6)), ours, theirs, {"rtol": 1e-12, "atol": 1e-12})


@pytest.mark.parametrize("kernel, dilation, padding, stride", UNFOLD_GRID[::3])
def test_unfold_of_booleans_is_boolean_as_torchs(kernel, dilation, padding, stride):
    x = np.random.default_rng(5).random((2, 3, 7, 6)) > 0.5
    out = F.unfold(Tensor(x), kernel, dilation, padding, stride)
    expected = TF.unfold(torch.tensor(x), kernel, dilation, padding, stride)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(F.unfold(Tensor(x[0]), kernel, dilation, padding, stride).data, expected[0].numpy())


@pytest.mark.parametrize(
    "size, kernel, stride", [((7, 6), (3, 2), (1, 1)), ((8, 6), (2, 2), (2, 2)), ((9, 7), (2, 3), (2, 3))]
)
def test_fold_without_padding_gives_torchs_values_in_a_fresh_contiguous_array(size, kernel, stride):
    from autograd.windows import fold_array

    out_h, out_w = [(s - k) // st + 1 for s, k, st in zip(size, kernel, stride)]
    windows = np.random.default_rng(7).standard_normal((2, 3, out_h, out_w) + kernel)
    folded = fold_array(windows, size, kernel, stride, (0, 0), (1, 1))
    columns = torch.tensor(windows.transpose(0, 1, 4, 5, 2, 3).reshape(2, -1, out_h * out_w))
    np.testing.assert_array_equal(folded, TF.fold(columns, size, kernel, stride=stride).numpy())
    assert folded.base is None and folded.flags.c_contiguous  # a leaf takes it as its .grad without a copy


@pytest.mark.parametrize(
    "options",
    [{"kernel_size": (2,)}, {"kernel_size": 2, "stride": [2]}, {"kernel_size": 2, "padding": (1,)},
     {"kernel_size": 2, "dilation": (1, 1, 1)}],
)  # fmt: skip
def test_unfold_and_fold_refuse_a_one_entry_geometry_as_torch(options):
    # torch's convolutions expand (k,) to (k, k), but its im2col and col2im want exactly two entries
    image, columns = np.zeros((1, 2, 5, 5)), np.zeros((1, 8, 4))
    with pytest.raises(RuntimeError):
        TF.unfold(torch.tensor(image), **options)
    with pytest.raises(RuntimeError):
        TF.fold(torch.tensor(columns), (3, 3), **options)
    with pytest.raises(RuntimeError, match="unfold: "):
        F.unfold(Tensor(image), **options)
    with pytest.raises(RuntimeError, match="fold: "):
        F.fold(Tensor(columns), (3, 3), **options)
    with pytest.raises(RuntimeError, match="Unfold: "):
        nn.Unfold(**options)


def test_fold_refuses_a_one_entry_output_size_as_torch():
    columns = np.zeros((1, 8, 4))
    with pytest.raises(RuntimeError):
        TF.fold(torch.tensor(columns), [3], 2)
    with pytest.raises(RuntimeError, match="output_size"):
        F.fold(Tensor(columns), [3], 2)
    np.testing.assert_array_equal(F.fold(Tensor(columns), 3, 2).data, TF.fold(torch.tensor(columns), 3, 2).numpy())


ILLEGAL_GEOMETRY = [
    ("conv2d", lambda f, x, w: f.conv2d(x, w((2, 3, 3, 3)), stride=0)),
    ("conv2d", lambda f, x, w: f.conv2d(x, w((2, 3, 3, 3)), padding=-1)),
    ("conv2d", lambda f, x, w: f.conv2d(x, w((2, 3, 3, 3)), dilation=(1, 0))),
    ("conv2d", lambda f, x, w: f.conv2d(x, w((2, 3, 3, 3)), padding="same", stride=2)),
    ("conv1d", lambda f, x, w: f.conv1d(x[0], w((2, 3, 3)), stride=0)),
    ("conv3d", lambda f, x, w: f.conv3d(x[None], w((2, 1, 3, 3, 3)), padding=-1)),
    ("conv_transpose2d", lambda f, x, w: f.conv_transpose2d(x, w((3, 2, 3, 3)), stride=0)),
    ("conv_transpose2d", lambda f, x, w: f.conv_transpose2d(x, w((3, 2, 3, 3)), stride=2, output_padding=2)),
    ("max_pool2d", lambda f, x, w: f.max_pool2d(x, 3, padding=2)),
    ("max_pool2d", lambda f, x, w: f.max_pool2d(x, 0)),
    ("avg_pool2d", lambda f, x, w: f.avg_pool2d(x, 2, stride=0)),
    ("max_pool1d", lambda f, x, w: f.max_pool1d(x[0], 2, padding=-1)),
    ("avg_pool3d", lambda f, x, w: f.avg_pool3d(x[None], 3, padding=2)),
    ("unfold", lambda f, x, w: f.unfold(x, 2, dilation=0)),
]


@pytest.mark.parametrize("op, call", ILLEGAL_GEOMETRY, ids=[op for op, _ in ILLEGAL_GEOMETRY])
def test_illegal_geometry_raises_torchs_runtime_error_as_well_as_a_value_error(op, call):
    # (a stride of 0, a negative padding, padding='same' with a stride, pooling padding over half the kernel, ...)
    x = np.ones((1, 3, 5, 5))
    with pytest.raises(RuntimeError):
        call(TF, torch.tensor(x), lambda shape: torch.ones(shape, dtype=torch.float64))
    with pytest.raises(RuntimeError, match=op) as caught:
        call(F, x, np.ones)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "name, weight_shape",
    [
        ("conv1d", (4, 3, 2)),
        ("conv2d", (4, 3, 2, 3)),
        ("conv3d", (4, 3, 2, 2, 3)),
        ("conv_transpose1d", (3, 4, 2)),
        ("conv_transpose2d", (3, 4, 2, 3)),
        ("conv_transpose3d", (3, 4, 2, 2, 3)),
    ],
)
def test_integer_convolutions_are_exact_in_int64_as_torchs(name, weight_shape):
    rng = np.random.default_rng(8)
    x = rng.integers(-9, 10, (2, 3) + (5,) * (len(weight_shape) - 2))
    weight, bias = rng.integers(-9, 10, weight_shape), rng.integers(-9, 10, 4)
    big = x * (2**40 + 1)  # sums of products a float64 computation would round
    for data in (x, big):
        out = getattr(F, name)(Tensor(data), Tensor(weight), Tensor(bias), stride=2, padding=1)
        expected = getattr(TF, name)(torch.tensor(data), torch.tensor(weight), torch.tensor(bias), stride=2, padding=1)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize(
    "name, shape, options",
    [
        ("avg_pool1d", (2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("avg_pool1d", (2, 3, 9), {"kernel_size": 2, "ceil_mode": True, "count_include_pad": False}),
        ("avg_pool2d", (2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("avg_pool2d", (2, 3, 7, 6), {"kernel_size": 2, "divisor_override": 3}),
        ("avg_pool3d", (2, 3, 5, 6, 4), {"kernel_size": 2, "stride": 1, "padding": 1, "count_include_pad": False}),
    ],
)
def test_integer_average_pools_give_torchs_truncated_integer_means(name, shape, options):
    x = np.random.default_rng(10).integers(-9, 10, shape)
    expected = getattr(TF, name)(torch.tensor(x), **options)
    out = getattr(F, name)(Tensor(x), **options)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize(
    ("layer", "args"),
    [("Conv1d", (2, 4, 3)), ("Conv2d", (2, 4, 3)), ("Conv3d", (2, 4, 3)), ("ConvTranspose1d", (2, 4, 3)),
     ("ConvTranspose2d", (2, 4, 3)), ("ConvTranspose3d", (2, 4, 3)), ("Upsample", (3,)),
     ("UpsamplingNearest2d", (3,)), ("UpsamplingBilinear2d", (3,))],
)  # fmt: skip
def test_conv_and_upsample_layers_have_torchs_public_attributes(layer, args):
    # torch's conv layers all carry ``transposed`` and ``output_padding`` (fusing a conv with a batch norm reads
    # them), and its upsampling layers their ``name``
    ours, theirs = getattr(nn, layer)(*args), getattr(torch.nn, layer)(*args)
    public = {name for name in vars(theirs) if not name.startswith("_") and name != "training"}
    for name in sorted(public):
        assert getattr(ours, name) == getattr(theirs, name), name
