"""PyTorch's convolution tests (test/nn/test_convolution.py, TestConvolutionNN and TestConvolutionNNDeviceType),
ported to this library's ``nn.Conv{1,2,3}d``, ``nn.ConvTranspose{1,2,3}d``, ``nn.functional.conv*`` and
``nn.grad``, each case run beside torch (float64 unless a case is about float32 layers) or, for the SciPy cases,
beside ``scipy.signal.convolve``.

What was ported (the CPU cases that need no cuDNN, MKLDNN, NNPACK, CUDA, complex dtypes or channels-last
memory formats):

* invalid geometry: a kernel wider than the padded input, a dilated kernel that does not fit, stride 0 or
  negative, groups below 1, an input of the wrong rank for every convolution layer, torch's shape-check table
  (which sizes each layer accepts), mixed dtypes, ``None`` as input, backward twice through a freed graph;
* ``padding='same'`` / ``'valid'``: layers against functional calls and against explicit padding in each
  ``padding_mode``, the invalid padding string and strided 'same' (at construction and in the functional form),
  output lengths over a grid of input, kernel and dilation, values and gradients against torch and against
  explicit padding with the output sliced, and against SciPy's ``convolve`` (1-D, 2-D, 3-D, 'valid' and 'same');
* ``ConvTranspose2d``'s ``output_size`` (which sizes it accepts), ``output_size`` inverting a strided, dilated,
  padded ``Conv2d``, a five-entry ``output_size`` for ``ConvTranspose3d`` and ``output_size`` on unbatched input;
* grouped convolutions (2-D, 3-D, with and without bias, depthwise with multipliers 1 and 2, the stride (1, 10)
  depthwise case) against torch's values and gradients;
* ``nn.grad.conv{1,2,3}d_input`` / ``_weight`` against torch's over torch's grid (groups included);
* double backward: second derivatives of conv2d (strided, grouped, dilated, without weight gradient) and of
  torch's ``convolution`` backends grid (1-D to 3-D, transposed, dilated, groups 3, strided, non-contiguous
  operands, with and without bias) against torch's, in float64;
* empty batches through grouped and transposed layers (outputs and zero parameter gradients as torch's);
* non-contiguous (expanded, strided) weights, inputs and biases; operands stored channels-last (NHWC arrays read
  through NCHW views, torch's ``test_conv_thnn_nhwc`` grid, exact integer sums); torch's oneDNN case of many-group
  strided float32 layers of ones; the no-grad output equal to the graph's;
  the three issue reproductions (a permuted input with a depthwise row kernel, a long depthwise 3-D kernel, a
  transposed conv1d input with padding 16 and 16 groups).

Cases added while porting, where this library differed from torch (each fixed with its test): an unknown padding
string is the functions' RuntimeError; a weight with no output channels, or an empty transposed weight, is
refused; conv1d's errors name its own 1-D shapes; ``output_size`` and the geometry and groups arguments read
one-element integer Tensors as ints.

Left out, and why:

* cuDNN / MKLDNN / NNPACK / MIOpen / CUDA / MPS backend selection, TF32, large-tensor and 64-bit indexing
  tests, torch's ``memory_format`` API (outputs' channels-last layout), complex and half dtypes: not part of
  this library;
* ``test_conv_backcompat`` (a pickled torch 1.0 module downloaded from the web) and ``slow_conv3d``'s overflow
  checks of an internal aten op: no counterpart;
* forward-mode AD (``fwAD``) in the backend grid: this library has reverse mode only;
* zero input channels (``Conv1d(0, 8, 2)``, ``test_conv_empty_channel``): this library refuses
  ``in_channels=0`` at construction, where torch builds the layer (warning that it initialises nothing) and
  returns an output with 0 channels whatever ``out_channels`` is; a documented difference;
* a negative or zero stride is refused when the layer is built here, where torch refuses it in ``forward``;
  both are RuntimeErrors (ours also a ValueError), so the ported case wraps construction and call together;
* documented differences left alone: a one-entry ``kernel_size`` such as ``(3,)`` is expanded to every axis here
  (torch keeps it and fails in ``forward``); a bool channel count (``Conv2d(True, 4, 3)``) is refused here; a
  convolution of zero input channels gives ``out_channels`` channels of bias here, where torch gives 0 channels;
  torch's UserWarning that 'same' padding of an even kernel copies the input has no counterpart.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import nn.grad as nn_grad
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# torch warns that its 'same' padding of an even kernel copies the input; this library gives no such warning.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")

TOL = {"rtol": 1e-10, "atol": 1e-10}


def _rng(*seed):
    return np.random.default_rng(list(seed) or [0])


def _ours_and_torchs(arrays):
    ours = [None if a is None else Tensor(np.array(a), requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(np.array(a), requires_grad=True) for a in arrays]
    return ours, theirs


def _assert_like(mine, reference, tolerance=TOL):
    reference = reference.detach().numpy() if isinstance(reference, torch.Tensor) else np.asarray(reference)
    mine = mine.data if isinstance(mine, Tensor) else np.asarray(mine)
    assert mine.shape == reference.shape
    np.testing.assert_allclose(mine, reference, **tolerance)


def _values_and_gradients(name, arrays, seed=0, **options):
    """``nn.functional.<name>`` and ``torch.nn.functional.<name>`` of the same float64 operands (None for no bias)
    must give the same output and, for one random upstream gradient, the same gradient of every operand."""
    ours, theirs = _ours_and_torchs(arrays)
    out = getattr(F, name)(*ours, **options)
    expected = getattr(TF, name)(*theirs, **options)
    _assert_like(out, expected)
    upstream = _rng(seed).standard_normal(tuple(expected.shape))
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        if mine is not None:
            _assert_like(mine.grad, reference.grad)


def _raises_like_torch(ours, theirs, pattern):
    """torch's call raises some class; ours must raise an instance of that class whose message matches
    ``pattern`` (it names the problem)."""
    with pytest.raises(Exception) as caught:
        theirs()
    with pytest.raises(caught.type, match=pattern):
        ours()


def _same_weights(layer, reference):
    """Copy our layer's parameters into torch's layer of the same shape."""
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(np.array(layer.weight.data)))
        if layer.bias is not None:
            reference.bias.copy_(torch.from_numpy(np.array(layer.bias.data)))


# ---------------------------------------------------------------- invalid arguments and shapes


@pytest.mark.parametrize(
    ("layer", "args", "options", "shape", "pattern"),
    [
        ("Conv1d", (3, 33, 10), {}, (1, 3, 4), "kernel"),
        ("Conv2d", (3, 33, 10), {}, (1, 3, 1, 1), "kernel"),
        ("Conv2d", (1, 1, 3), {"dilation": 2, "stride": 2}, (1, 1, 4, 4), "kernel"),
        ("Conv3d", (1, 1, 3), {"dilation": 2, "stride": 2}, (1, 1, 4, 4, 4), "kernel"),
        ("Conv1d", (3, 6, 3), {"stride": -1}, (1, 3, 4), "stride"),
        ("Conv2d", (3, 6, 4), {"stride": -1}, (1, 3, 4, 4), "stride"),
        ("Conv2d", (3, 6, 4), {"stride": 0}, (1, 3, 4, 4), "stride"),
        ("Conv3d", (1, 1, 3), {"stride": -2}, (1, 1, 4, 4, 4), "stride"),
    ],
)
def test_a_kernel_that_does_not_fit_or_a_stride_below_one_is_a_runtime_error(layer, args, options, shape, pattern):
    x = np.zeros(shape)
    _raises_like_torch(
        lambda: getattr(nn, layer)(*args, **options, dtype=np.float64)(Tensor(x)),
        lambda: getattr(torch.nn, layer)(*args, **options, dtype=torch.float64)(torch.tensor(x)),
        pattern,
    )


@pytest.mark.parametrize("shape", [(1, 3, 4), (3, 4)])
def test_conv1d_refuses_a_kernel_wider_than_the_input_naming_their_one_dimensional_shapes(shape):
    """The message names the input and the kernel as given, not the height-1 images conv1d is computed on."""
    x, weight = np.zeros(shape), np.zeros((33, 3, 10))
    _raises_like_torch(
        lambda: F.conv1d(Tensor(x), Tensor(weight), padding=1),
        lambda: TF.conv1d(torch.tensor(x), torch.tensor(weight), padding=1),
        r"^conv1d: input of shape " + re.escape(str(shape)) + r" \(length 4 padded to 6\) is smaller than the kernel "
        r"\(10,\) with dilation \(1,\) \(span 10\)$",
    )


@pytest.mark.parametrize(("layer", "groups"), [("Conv1d", 0), ("Conv2d", -1), ("Conv3d", -2)])
def test_groups_below_one_are_a_value_error_when_the_layer_is_built(layer, groups):
    _raises_like_torch(
        lambda: getattr(nn, layer)(1, 1, kernel_size=3, dilation=2, stride=2, groups=groups),
        lambda: getattr(torch.nn, layer)(1, 1, kernel_size=3, dilation=2, stride=2, groups=groups),
        "groups must be a positive integer",
    )


def test_a_five_axis_input_to_conv2d_is_refused_naming_its_shape():
    x, weight = np.ones((1, 10, 1, 28, 28)), np.ones((6, 1, 5, 5))
    _raises_like_torch(
        lambda: F.conv2d(Tensor(x), Tensor(weight)),
        lambda: TF.conv2d(torch.tensor(x), torch.tensor(weight)),
        r"\(1, 10, 1, 28, 28\)",
    )


@pytest.mark.parametrize(
    ("layer", "ranks"),
    [
        ("Conv1d", (1, 4)),
        ("ConvTranspose1d", (1, 4)),
        ("Conv2d", (2, 5)),
        ("ConvTranspose2d", (2, 5)),
        ("Conv3d", (3, 6)),
        ("ConvTranspose3d", (3, 6)),
    ],
)
def test_every_convolution_layer_refuses_an_input_of_the_wrong_rank(layer, ranks):
    ours, theirs = getattr(nn, layer)(3, 8, 3, dtype=np.float64), getattr(torch.nn, layer)(3, 8, 3).double()
    for rank in ranks:
        x = np.zeros((3,) * rank)
        _raises_like_torch(lambda x=x: ours(Tensor(x)), lambda x=x: theirs(torch.tensor(x)), r"\(3(, 3)*,?\)")


SHAPE_CHECKS = [
    ("Conv1d", (1, 1, 3), {}, (1, 2)),
    ("Conv1d", (1, 1, 3), {"stride": 2}, (1, 2)),
    ("Conv1d", (1, 1, 2), {}, (1, 2)),
    ("Conv1d", (1, 1, 2), {"stride": 2}, (1, 2)),
    ("Conv1d", (1, 1, 3), {"stride": 2, "padding": 1}, (1, 2)),
    ("Conv2d", (1, 1, (3, 3)), {}, (1, 2, 2)),
    ("Conv2d", (1, 1, (3, 3)), {}, (1, 3, 3)),
    ("Conv2d", (1, 1, (3, 3)), {"padding": 1}, (1, 2, 2)),
    ("Conv3d", (1, 1, (3, 3, 3)), {}, (1, 2, 2, 2)),
    ("Conv3d", (1, 1, (3, 3, 3)), {}, (1, 3, 3, 3)),
    ("Conv3d", (1, 1, (3, 3, 3)), {"padding": 1}, (1, 2, 2, 2)),
]


@pytest.mark.parametrize(("layer", "args", "options", "size"), SHAPE_CHECKS)
def test_layers_accept_and_refuse_the_input_sizes_torch_does(layer, args, options, size):
    x = _rng(1).standard_normal((3,) + size)
    ours = getattr(nn, layer)(*args, **options, dtype=np.float64)
    theirs = getattr(torch.nn, layer)(*args, **options, dtype=torch.float64)
    _same_weights(ours, theirs)
    try:
        expected = theirs(torch.tensor(x))
    except RuntimeError:
        with pytest.raises(RuntimeError, match="smaller than the kernel"):
            ours(Tensor(x))
    else:
        _assert_like(ours(Tensor(x)), expected)


def test_operands_of_different_dtypes_are_a_runtime_error_and_equal_ones_are_not():
    x, weight = np.ones((4, 1, 7, 7), np.float32), np.ones((1, 1, 3, 3))
    _raises_like_torch(
        lambda: F.conv2d(Tensor(x), Tensor(weight)),
        lambda: TF.conv2d(torch.tensor(x), torch.tensor(weight)),
        "float32.*float64",
    )
    out = F.conv2d(Tensor(x), Tensor(weight.astype(np.float32)))
    _assert_like(out, TF.conv2d(torch.tensor(x), torch.tensor(weight.astype(np.float32))))
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    ("name", "x_shape", "weight_shape"),
    [
        ("conv1d", (1, 3, 5), (0, 3, 3)),
        ("conv2d", (1, 3, 5, 5), (0, 3, 3, 3)),
        ("conv3d", (1, 3, 5, 5, 5), (0, 3, 3, 3, 3)),
        ("conv_transpose1d", (1, 0, 5), (0, 2, 3)),
        ("conv_transpose2d", (1, 3, 5, 5), (3, 0, 3, 3)),
        ("conv_transpose3d", (1, 3, 2, 2, 2), (3, 0, 2, 2, 2)),
    ],
)
def test_a_weight_without_output_channels_or_an_empty_transposed_weight_is_refused(name, x_shape, weight_shape):
    x, weight = np.zeros(x_shape), np.zeros(weight_shape)
    _raises_like_torch(
        lambda: getattr(F, name)(Tensor(x), Tensor(weight)),
        lambda: getattr(TF, name)(torch.tensor(x), torch.tensor(weight)),
        r"weight of shape \(" + ", ".join(map(str, weight_shape)) + r"\)",
    )


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_integer_tensors_are_read_as_ints_for_the_geometry_and_groups(dims):
    """torch reads a one-element integer tensor given for an int argument as that int (a stride or a group count
    computed from tensors); a floating one stays a TypeError."""
    rng = _rng(34, dims)
    x, weight = rng.standard_normal((1, 4) + (7,) * dims), rng.standard_normal((4, 2) + (3,) * dims)
    name = f"conv{dims}d"

    def options(integer):
        return {"stride": (integer(2),) + (1,) * (dims - 1), "padding": integer(1), "dilation": 1, "groups": integer(2)}

    out = getattr(F, name)(Tensor(x), Tensor(weight), **options(lambda n: Tensor(np.int64(n))))
    _assert_like(out, getattr(TF, name)(torch.tensor(x), torch.tensor(weight), **options(torch.tensor)))
    _raises_like_torch(
        lambda: getattr(F, name)(Tensor(x), Tensor(weight), stride=Tensor(2.0), groups=2),
        lambda: getattr(TF, name)(torch.tensor(x), torch.tensor(weight), stride=torch.tensor(2.0), groups=2),
        "stride",
    )


def test_a_missing_input_is_a_type_error():
    _raises_like_torch(lambda: nn.Conv2d(3, 3, 3)(None), lambda: torch.nn.Conv2d(3, 3, 3)(None), "NoneType")


def test_a_second_backward_through_a_freed_graph_asks_for_retain_graph():
    x = _rng(2).standard_normal((2, 3, 5, 5)).astype(np.float32)

    def twice(layer, tensor):
        out = layer(tensor)
        out.sum().backward()
        out.sum().backward()

    _raises_like_torch(
        lambda: twice(nn.Conv2d(3, 3, 3), Tensor(x)),
        lambda: twice(torch.nn.Conv2d(3, 3, 3), torch.tensor(x)),
        "retain_graph=True",
    )


def test_padding_mode_must_be_known_and_transposed_layers_take_only_zeros():
    for mode in ("xyz", 3):
        _raises_like_torch(
            lambda mode=mode: nn.Conv2d(3, 3, 3, padding_mode=mode),
            lambda mode=mode: torch.nn.Conv2d(3, 3, 3, padding_mode=mode),
            "padding_mode must be",
        )
    _raises_like_torch(
        lambda: nn.ConvTranspose2d(3, 3, 3, padding_mode="reflect"),
        lambda: torch.nn.ConvTranspose2d(3, 3, 3, padding_mode="reflect"),
        "zeros",
    )


# ---------------------------------------------------------------- padding='same' and 'valid'

SAME_LAYERS = [
    ("Conv1d", (1, 1, 20), {"kernel_size": 10}),
    ("Conv1d", (1, 1, 20), {"kernel_size": 10, "dilation": 2}),
    ("Conv2d", (1, 1, 9, 20), {"kernel_size": (5, 10)}),
    ("Conv2d", (1, 1, 9, 20), {"kernel_size": (3, 4), "dilation": (1, 2)}),
    ("Conv3d", (1, 1, 4, 4, 4), {"kernel_size": (2, 3, 4)}),
    ("Conv3d", (1, 1, 4, 4, 4), {"kernel_size": (2, 3, 4), "dilation": (3, 2, 1)}),
]


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(("layer", "shape", "options"), SAME_LAYERS)
def test_same_padding_layers_keep_the_size_and_match_torch_in_every_padding_mode(layer, shape, options, mode):
    if mode == "reflect" and layer == "Conv3d" and options.get("dilation"):
        options = {"kernel_size": options["kernel_size"]}  # reflect needs padding below each size (4)
    ours = getattr(nn, layer)(1, 1, padding="same", padding_mode=mode, dtype=np.float64, **options)
    theirs = getattr(torch.nn, layer)(1, 1, padding="same", padding_mode=mode, dtype=torch.float64, **options)
    _same_weights(ours, theirs)
    x = _rng(3).random(shape)
    xs, ts = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xs), theirs(ts)
    assert out.shape == shape
    _assert_like(out, expected)
    out.sum().backward()
    expected.sum().backward()
    _assert_like(xs.grad, ts.grad)
    _assert_like(ours.weight.grad, theirs.weight.grad)


@pytest.mark.parametrize(
    ("layer", "shape", "kernel", "mode", "widths"),
    [
        ("Conv1d", (1, 1, 20), 10, "replicate", (4, 5)),
        ("Conv2d", (1, 1, 9, 20), (3, 4), "reflect", (1, 2, 1, 1)),
        ("Conv3d", (1, 1, 4, 4, 4), (2, 3, 4), "circular", (1, 2, 1, 1, 0, 1)),
    ],
)
def test_same_padding_in_a_mode_is_that_padding_then_a_valid_convolution(layer, shape, kernel, mode, widths):
    ours = getattr(nn, layer)(1, 1, kernel, padding="same", padding_mode=mode, dtype=np.float64)
    x = _rng(4).random(shape)
    padded = TF.pad(torch.tensor(x), widths, mode=mode)
    conv = getattr(TF, f"conv{len(shape) - 2}d")
    weight, bias = torch.tensor(np.array(ours.weight.data)), torch.tensor(np.array(ours.bias.data))
    _assert_like(ours(Tensor(x)), conv(padded, weight, bias, padding="valid"))


@pytest.mark.parametrize("layer", ["Conv1d", "Conv2d", "Conv3d"])
def test_a_bad_padding_string_or_strided_same_padding_is_a_value_error_when_built(layer):
    _raises_like_torch(
        lambda: getattr(nn, layer)(3, 33, 10, padding="foo"),
        lambda: getattr(torch.nn, layer)(3, 33, 10, padding="foo"),
        "foo",
    )
    dims = int(layer[-2])
    for stride in [2] + [tuple(3 if i == axis else 1 for i in range(dims)) for axis in range(dims)]:
        _raises_like_torch(
            lambda stride=stride: getattr(nn, layer)(3, 33, 10, padding="same", stride=stride),
            lambda stride=stride: getattr(torch.nn, layer)(3, 33, 10, padding="same", stride=stride),
            "padding='same'",
        )


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_a_bad_padding_string_or_strided_same_padding_is_a_runtime_error_of_the_function(dims):
    x, weight = np.ones((1, 1) + (5,) * dims), np.ones((1, 1) + (3,) * dims)
    ours, theirs = getattr(F, f"conv{dims}d"), getattr(TF, f"conv{dims}d")
    for padding in ("foo", "SAME"):
        _raises_like_torch(
            lambda padding=padding: ours(Tensor(x), Tensor(weight), padding=padding),
            lambda padding=padding: theirs(torch.tensor(x), torch.tensor(weight), padding=padding),
            padding,
        )
    _raises_like_torch(
        lambda: ours(Tensor(x), Tensor(weight), padding="same", stride=2),
        lambda: theirs(torch.tensor(x), torch.tensor(weight), padding="same", stride=2),
        "padding='same'",
    )


def test_conv1d_same_padding_keeps_every_length_as_torch():
    rng = _rng(5)
    for length, kernel, dilation in itertools.product(range(50, 55), [1, 2, 3, 8], range(1, 4)):
        x, weight = rng.random((1, 1, length)), rng.random((1, 1, kernel))
        out = F.conv1d(Tensor(x), Tensor(weight), padding="same", dilation=dilation)
        assert out.shape == (1, 1, length)
        _assert_like(out, TF.conv1d(torch.tensor(x), torch.tensor(weight), padding="same", dilation=dilation))


# (dims, input shape, weight shape, dilation, explicit padding, slice of the explicitly padded output)
SAME_AS_EXPLICIT = [
    (1, (1, 1, 12), (1, 1, 3), 1, 1, (slice(None),)),
    (1, (1, 1, 12), (1, 1, 4), 2, 3, (slice(None),)),
    (1, (1, 1, 12), (1, 1, 4), 3, 5, (slice(1, None),)),
    (1, (1, 1, 12), (1, 1, 4), 1, 2, (slice(1, None),)),
    (2, (1, 1, 10, 11), (1, 1, 4, 5), 1, (2, 2), (slice(1, None), slice(None))),
    (2, (1, 1, 10, 11), (1, 1, 3, 4), 2, (2, 3), (slice(None), slice(None))),
    (2, (1, 1, 10, 11), (1, 1, 4, 4), 3, 5, (slice(1, None), slice(1, None))),
    (3, (1, 1, 10, 11, 12), (1, 1, 1, 2, 5), 1, (0, 1, 2), (slice(None), slice(1, None), slice(None))),
    (3, (1, 1, 10, 11, 12), (1, 1, 1, 2, 5), 2, (0, 1, 4), (slice(None),) * 3),
    (3, (1, 1, 6, 7, 8), (1, 1, 4, 4, 4), 3, 5, (slice(1, None),) * 3),
]


@pytest.mark.parametrize(("dims", "x_shape", "w_shape", "dilation", "padding", "cut"), SAME_AS_EXPLICIT)
def test_same_padding_is_explicit_padding_with_the_extra_entry_cut_from_the_start(
    dims, x_shape, w_shape, dilation, padding, cut
):
    """The output and the gradients (of |sum|, torch's choice of loss) of padding='same' equal torch's explicit
    symmetric padding whose output loses its first entry along each axis of an odd total."""
    rng = _rng(6, dims)
    arrays = [rng.random(x_shape), rng.random(w_shape)]
    ours, theirs = _ours_and_torchs(arrays)
    name = f"conv{dims}d"
    out = getattr(F, name)(*ours, padding="same", dilation=dilation)
    expected = getattr(TF, name)(*theirs, padding=padding, dilation=dilation)[(Ellipsis,) + cut]
    _assert_like(out, expected)
    out.sum().abs().backward()
    expected.sum().abs().backward()
    for mine, reference in zip(ours, theirs):
        _assert_like(mine.grad, reference.grad)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_valid_padding_is_no_padding_in_values_and_gradients(dims):
    rng = _rng(7, dims)
    x_shape, w_shape = (1, 1) + (1,) * (dims - 1) + (10,), (1, 1) + (1,) * (dims - 1) + (4,)
    arrays = [rng.random(x_shape), rng.random(w_shape)]
    ours, theirs = _ours_and_torchs(arrays)
    name = f"conv{dims}d"
    out, expected = getattr(F, name)(*ours, padding="valid"), getattr(TF, name)(*theirs, padding=0)
    _assert_like(out, expected)
    out.sum().abs().backward()
    expected.sum().abs().backward()
    for mine, reference in zip(ours, theirs):
        _assert_like(mine.grad, reference.grad)


@pytest.mark.parametrize("mode", ["valid", "same"])
@pytest.mark.parametrize(
    ("image", "kernels"),
    [((10,), [(4,), (5,)]), ((5, 10), [(2, 4), (3, 5)]), ((5, 5, 10), [(2, 2, 4), (2, 3, 5)])],
)
def test_convolution_of_the_flipped_kernel_is_scipys_convolve(image, kernels, mode):
    """An oracle outside torch: scipy.signal.convolve (the kernel flipped, since a conv layer correlates); for
    'same', SciPy centres the window with k // 2 zeros each side and keeps the first entries."""
    signal = pytest.importorskip("scipy.signal")
    rng = _rng(8, len(image))
    dims = len(image)
    for kernel in kernels:
        x, w = rng.standard_normal(image), rng.standard_normal(kernel)
        expected = signal.convolve(x, w, mode=mode)
        flipped = Tensor(np.flip(w).reshape((1, 1) + kernel).copy())
        conv = getattr(F, f"conv{dims}d")
        if mode == "valid":
            out = conv(Tensor(x.reshape((1, 1) + image)), flipped, padding="valid")
        else:
            widths = tuple((k // 2, k // 2) for k in kernel)
            padded = np.pad(x, widths).reshape((1, 1) + tuple(n + 2 * (k // 2) for n, k in zip(image, kernel)))
            out = conv(Tensor(padded), flipped)[(0, 0) + tuple(slice(0, n) for n in image)]
        np.testing.assert_allclose(out.data.reshape(expected.shape), expected, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- transposed convolutions' output_size


def test_conv_transpose2d_accepts_the_output_sizes_torch_accepts():
    ours = nn.ConvTranspose2d(3, 4, 3, 3, 0, 2, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(3, 4, 3, 3, 0, 2, dtype=torch.float64)
    _same_weights(ours, theirs)
    x = _rng(9).standard_normal((2, 3, 6, 6))
    for size in itertools.product(range(15, 22), repeat=2):
        if all(18 <= n <= 20 for n in size):
            out = ours(Tensor(x), output_size=size)
            assert out.shape[2:] == size
            _assert_like(out, theirs(torch.tensor(x), output_size=size))
        else:
            _raises_like_torch(
                lambda size=size: ours(Tensor(x), output_size=size),
                lambda size=size: theirs(torch.tensor(x), output_size=size),
                "output size",
            )


@pytest.mark.parametrize(
    ("kernel", "dilation", "stride", "padding"),
    list(itertools.product(range(2, 5), range(1, 5), range(1, 4), range(3))),
)
def test_conv_transpose2d_with_the_input_size_as_output_size_inverts_the_conv2d_shape(
    kernel, dilation, stride, padding
):
    """Whatever the kernel, dilation, stride and padding, a transposed conv given the conv's input size as its
    output_size returns that size (checked here by shapes alone, over a few input sizes)."""
    geometry = {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
    conv = nn.Conv2d(1, 1, dtype=np.float64, **geometry)
    transposed = nn.ConvTranspose2d(1, 1, dtype=np.float64, **geometry)
    for height, width in [(13, 13), (17, 14), (23, 16)]:
        x = Tensor(np.ones((1, 1, height, width)))
        out = transposed(conv(x), output_size=x.shape)
        assert out.shape[2:] == (height, width)


def test_conv_transpose3d_takes_an_output_size_with_batch_and_channel_entries():
    ours, theirs = nn.ConvTranspose3d(2, 2, 2, dtype=np.float64), torch.nn.ConvTranspose3d(2, 2, 2).double()
    _same_weights(ours, theirs)
    x = _rng(10).random((1, 2, 1, 1, 1))
    out = ours(Tensor(x), output_size=(1, 2, 2, 2, 2))
    _assert_like(out, theirs(torch.tensor(x), output_size=(1, 2, 2, 2, 2)))


def test_output_size_may_hold_integer_tensors_and_must_be_a_sequence_of_integers():
    """torch reads a one-element integer tensor as its int (sizes computed from tensors); an int, a float entry
    or a string entry is its TypeError, and ours names the layer and the argument."""
    ours, theirs = nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=np.float64), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    theirs = theirs.double()
    _same_weights(ours, theirs)
    x = _rng(33).random((1, 2, 4, 4))
    out = ours(Tensor(x), output_size=(Tensor(np.int64(10)), 9))
    _assert_like(out, theirs(torch.tensor(x), output_size=(torch.tensor(10), 9)))
    for size in [(9.0, 9), ("9", 9)]:
        _raises_like_torch(
            lambda size=size: ours(Tensor(x), output_size=size),
            lambda size=size: theirs(torch.tensor(x), output_size=size),
            "ConvTranspose2d: every output_size entry must be an integer",
        )
    ours1d, theirs1d = nn.ConvTranspose1d(2, 3, 3, stride=2), torch.nn.ConvTranspose1d(2, 3, 3, stride=2)
    x1 = np.ones((2, 4), np.float32)
    _raises_like_torch(
        lambda: ours1d(Tensor(x1), output_size=9),
        lambda: theirs1d(torch.tensor(x1), output_size=9),
        "ConvTranspose1d: output_size must be a sequence of ints, got 9",
    )


@pytest.mark.parametrize(
    ("dims", "shape", "output_size"), [(2, (1, 15, 13), (1, 240, 200)), (3, (1, 3, 4, 3), (1, 48, 64, 48))]
)
def test_an_unbatched_transposed_convolution_honours_output_size(dims, shape, output_size):
    options = {"kernel_size": 16, "stride": 16, "padding": 7, "bias": False}
    ours = getattr(nn, f"ConvTranspose{dims}d")(1, 1, dtype=np.float64, **options)
    theirs = getattr(torch.nn, f"ConvTranspose{dims}d")(1, 1, dtype=torch.float64, **options)
    _same_weights(ours, theirs)
    x = _rng(11).standard_normal(shape)
    out = ours(Tensor(x), output_size=output_size)
    assert out.shape == output_size
    _assert_like(out, theirs(torch.tensor(x), output_size=output_size))


# ---------------------------------------------------------------- grouped convolutions


@pytest.mark.parametrize(
    ("layer", "in_channels", "out_channels", "groups", "shape", "bias"),
    [
        ("Conv2d", 4, 4, 2, (2, 4, 6, 6), True),
        ("Conv2d", 4, 4, 2, (2, 4, 6, 6), False),
        ("Conv2d", 4, 16, 2, (2, 4, 6, 6), False),
        ("Conv2d", 2, 2, 2, (2, 2, 6, 6), True),
        ("Conv2d", 2, 4, 2, (2, 2, 6, 6), True),
        ("Conv3d", 4, 16, 2, (2, 4, 5, 5, 5), False),
        ("Conv3d", 4, 16, 2, (2, 4, 5, 5, 5), True),
        ("Conv3d", 2, 2, 2, (2, 2, 5, 5, 5), True),
        ("Conv3d", 2, 4, 2, (2, 2, 5, 5, 5), True),
    ],
)
def test_grouped_layers_match_torch_in_values_and_gradients(layer, in_channels, out_channels, groups, shape, bias):
    ours = getattr(nn, layer)(in_channels, out_channels, 3, groups=groups, bias=bias, dtype=np.float64)
    theirs = getattr(torch.nn, layer)(in_channels, out_channels, 3, groups=groups, bias=bias, dtype=torch.float64)
    _same_weights(ours, theirs)
    rng = _rng(12, in_channels, out_channels)
    x = rng.standard_normal(shape)
    xs, ts = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xs), theirs(ts)
    _assert_like(out, expected)
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    _assert_like(xs.grad, ts.grad)
    _assert_like(ours.weight.grad, theirs.weight.grad)
    if bias:
        _assert_like(ours.bias.grad, theirs.bias.grad)


def test_a_depthwise_convolution_with_a_wide_stride_matches_torchs_gradients():
    rng = _rng(13)
    _values_and_gradients(
        "conv2d", [rng.standard_normal((2, 2, 4, 20)), rng.standard_normal((2, 1, 3, 5))], stride=(1, 10), groups=2
    )


# ---------------------------------------------------------------- nn.grad


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize(("kernel", "size"), [(3, 6), (3, 7), (4, 9)])
def test_nn_grad_input_and_weight_are_torchs(dims, kernel, size):
    rng = _rng(14, dims, kernel)
    for batch, stride, padding, bias in itertools.product([1, 2], [1, 2], [0, 1, 2], [True, False]):
        x_shape, w_shape = (batch, 2) + (size,) * dims, (3, 2) + (kernel,) * dims
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        b = rng.standard_normal(3) if bias else None
        options = {"stride": stride, "padding": padding}
        conv = getattr(TF, f"conv{dims}d")
        out = conv(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b), **options)
        g = rng.standard_normal(tuple(out.shape))
        grad_input = getattr(nn_grad, f"conv{dims}d_input")(x_shape, Tensor(w), Tensor(g), **options)
        reference = getattr(torch.nn.grad, f"conv{dims}d_input")(x_shape, torch.tensor(w), torch.tensor(g), **options)
        _assert_like(grad_input, reference)
        grad_weight = getattr(nn_grad, f"conv{dims}d_weight")(Tensor(x), w_shape, Tensor(g), **options)
        reference = getattr(torch.nn.grad, f"conv{dims}d_weight")(torch.tensor(x), w_shape, torch.tensor(g), **options)
        _assert_like(grad_weight, reference)


@pytest.mark.parametrize(
    ("stride", "kernel", "groups", "dilation"), list(itertools.product([1, 2], [1, 3, 5], [1, 2, 4], [1, 2]))
)
def test_nn_grad_of_grouped_strided_dilated_conv2d_is_torchs(stride, kernel, groups, dilation):
    rng = _rng(15, stride, kernel, groups, dilation)
    x, w = rng.uniform(-8, 8, (2, 8, 12, 12)), rng.uniform(-4, 4, (8, 8 // groups, kernel, kernel))
    options = {"stride": stride, "padding": kernel // 2, "dilation": dilation, "groups": groups}
    out = TF.conv2d(torch.tensor(x), torch.tensor(w), **options)
    g = rng.standard_normal(tuple(out.shape))
    _assert_like(
        nn_grad.conv2d_input(x.shape, Tensor(w), Tensor(g), **options),
        torch.nn.grad.conv2d_input(x.shape, torch.tensor(w), torch.tensor(g), **options),
        {"rtol": 1e-10, "atol": 1e-9},
    )
    _assert_like(
        nn_grad.conv2d_weight(Tensor(x), w.shape, Tensor(g), **options),
        torch.nn.grad.conv2d_weight(torch.tensor(x), w.shape, torch.tensor(g), **options),
        {"rtol": 1e-10, "atol": 1e-9},
    )


# ---------------------------------------------------------------- double backward


def _second_derivatives(library, call, arrays, upstream, directions):
    """The gradient, with respect to every operand, of <grad of <call(operands), upstream>, directions>: one
    Hessian-vector product of each operand pair, by torch or by this library. Operands whose gradient the
    second pass does not reach give zeros."""
    if library == "torch":
        leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = call(*leaves)
        grads = torch.autograd.grad(out, leaves, torch.tensor(upstream), create_graph=True)
        total = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, directions))
        seconds = torch.autograd.grad(total, leaves, allow_unused=True)
        return [np.zeros(a.shape) if s is None else s.numpy() for s, a in zip(seconds, arrays)]
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = call(*leaves)
    grads = ag.grad(out, leaves, Tensor(upstream), create_graph=True)
    total = sum((g * Tensor(v)).sum() for g, v in zip(grads, directions))
    seconds = ag.grad(total, leaves, allow_unused=True)
    return [np.zeros(a.shape) if s is None else np.asarray(s.data) for s, a in zip(seconds, arrays)]


def _assert_second_derivatives_like_torch(name, arrays, seed, **options):
    rng = _rng(seed)
    expected_out = getattr(TF, name)(*[torch.tensor(a) for a in arrays], **options)
    upstream = rng.standard_normal(tuple(expected_out.shape))
    directions = [rng.standard_normal(a.shape) for a in arrays]
    ours = _second_derivatives("ours", lambda *t: getattr(F, name)(*t, **options), arrays, upstream, directions)
    theirs = _second_derivatives("torch", lambda *t: getattr(TF, name)(*t, **options), arrays, upstream, directions)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-9)


# (kernel, stride, padding, in channels, out channels, batch, size, dilation, groups, bias)
DOUBLE_BACKWARD = [
    (3, 2, 1, 2, 4, 2, 5, 1, 1, True),  # test_conv_double_backward_no_bias (it keeps the bias)
    (3, 1, 2, 4, 8, 2, 6, 1, 2, True),  # test_conv_double_backward_groups
    (3, 2, 0, 1, 2, 2, 5, 1, 1, True),  # test_conv_double_backward_stride
    (3, 2, 1, 1, 2, 2, 5, 2, 1, True),
    (3, 2, 1, 1, 2, 2, 7, 1, 1, True),
    (3, 1, 2, 2, 3, 1, 5, 2, 1, True),  # test_conv_double_backward (its CPU geometry)
    (4, 1, 2, 2, 3, 1, 9, 1, 1, False),
]


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "c_in", "c_out", "batch", "size", "dilation", "groups", "bias"), DOUBLE_BACKWARD
)
def test_conv2d_second_derivatives_are_torchs(
    kernel, stride, padding, c_in, c_out, batch, size, dilation, groups, bias
):
    rng = _rng(16, kernel, stride, padding, size)
    arrays = [
        rng.standard_normal((batch, c_in, size, size)),
        rng.standard_normal((c_out, c_in // groups, kernel, kernel)),
    ]
    if bias:
        arrays.append(rng.standard_normal(c_out))
    _assert_second_derivatives_like_torch(
        "conv2d", arrays, seed=17, stride=stride, padding=padding, dilation=dilation, groups=groups
    )


def test_input_second_derivative_without_a_weight_gradient_is_torchs():
    """torch's no_weight case: only the input requires a gradient; <grad_x, v> differentiated w.r.t. the input
    of a linear op is zero, and w.r.t. the upstream gradient it is the convolution of v."""
    rng = _rng(18)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    out = F.conv2d(Tensor(x), Tensor(w), stride=2, padding=2)
    upstream = Tensor(rng.standard_normal(out.shape), requires_grad=True)
    xs = Tensor(x, requires_grad=True)
    (grad_x,) = ag.grad(F.conv2d(xs, Tensor(w), stride=2, padding=2), [xs], upstream, create_graph=True)
    v = rng.standard_normal(x.shape)
    (second,) = ag.grad((grad_x * Tensor(v)).sum(), [upstream])
    ts, tg = torch.tensor(x, requires_grad=True), torch.tensor(upstream.data, requires_grad=True)
    (tgrad_x,) = torch.autograd.grad(TF.conv2d(ts, torch.tensor(w), stride=2, padding=2), [ts], tg, create_graph=True)
    (expected,) = torch.autograd.grad((tgrad_x * torch.tensor(v)).sum(), [tg])
    _assert_like(second, expected)


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv3d_same_and_valid_padding_second_derivatives_are_torchs(padding):
    rng = _rng(19)
    weight = (1, 1, 1, 2, 5) if padding == "same" else (1, 1, 1, 1, 4)
    arrays = [rng.random((1, 1, 1, 11, 12)), rng.random(weight)]
    for dilation in (1, 2):
        _assert_second_derivatives_like_torch("conv3d", arrays, seed=20, padding=padding, dilation=dilation)


def test_conv1d_second_derivatives_with_stride_have_the_operands_shapes():
    """torch's regression case for 3-D input and weight with stride 2: every second derivative has the shape of
    its operand, and equals torch's."""
    rng = _rng(21)
    arrays = [rng.standard_normal((2, 3, 6)), rng.standard_normal((3, 3, 3)), rng.standard_normal(3)]
    _assert_second_derivatives_like_torch("conv1d", arrays, seed=22, stride=2, padding=1)


def _noncontiguous(array):
    """The same values seen through a stride-2 view of an array twice as wide along the last axis."""
    wide = np.repeat(array, 2, axis=-1)
    return wide[..., ::2]


BACKEND_SHAPES = [(2, 6, 7), (2, 6, 7, 8), (2, 6, 5, 6, 7), (0, 6, 7), (0, 6, 7, 8), (0, 6, 5, 6, 7)]


@pytest.mark.parametrize("contiguous", [True, False])
@pytest.mark.parametrize("strided", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize(("transposed", "dilated"), [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("shape", BACKEND_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_each_convolution_kind_gives_torchs_first_and_second_derivatives(
    shape, transposed, dilated, bias, strided, contiguous
):
    """torch's backend grid (the slow, dilated, transposed and empty-batch paths it routes to), run through the
    public functions: values, gradients and second derivatives (the bias has none) as torch's, 3 groups."""
    dims = len(shape) - 2
    rng = _rng(23, len(shape), transposed, dilated, bias, strided)
    c_in, c_out, groups = shape[1], 12, 3
    weight_shape = ((c_in, c_out // groups) if transposed else (c_out, c_in // groups)) + (3,) * dims
    arrays = [rng.standard_normal(shape), rng.standard_normal(weight_shape)]
    if bias:
        arrays.append(rng.standard_normal(c_out))
    if not contiguous:
        arrays = [_noncontiguous(a) for a in arrays]
    name = f"conv_transpose{dims}d" if transposed else f"conv{dims}d"
    options = {"stride": 2 if strided else 1, "dilation": 2 if dilated else 1, "groups": groups}
    ours, theirs = _ours_and_torchs(arrays)
    out, expected = getattr(F, name)(*ours, **options), getattr(TF, name)(*theirs, **options)
    _assert_like(out, expected)
    upstream = rng.standard_normal(tuple(expected.shape))
    if not contiguous:
        upstream = _noncontiguous(upstream)
    out.backward(upstream)
    expected.backward(torch.tensor(np.ascontiguousarray(upstream)))
    for mine, reference in zip(ours, theirs):
        _assert_like(mine.grad, reference.grad)
    if shape[0]:
        _assert_second_derivatives_like_torch(name, [np.ascontiguousarray(a) for a in arrays[:2]], seed=24, **options)


# ---------------------------------------------------------------- empty batches, odd layouts, regressions


@pytest.mark.parametrize(
    ("layer", "options"),
    [
        ("Conv2d", {"groups": 4}),
        ("ConvTranspose2d", {"groups": 4}),
        ("ConvTranspose2d", {}),
    ],
)
def test_an_empty_batch_gives_an_empty_output_and_zero_parameter_gradients(layer, options):
    ours = getattr(nn, layer)(4, 4, stride=2, kernel_size=3, padding=1, dtype=np.float64, **options)
    theirs = getattr(torch.nn, layer)(4, 4, stride=2, kernel_size=3, padding=1, dtype=torch.float64, **options)
    _same_weights(ours, theirs)
    xs, ts = (
        Tensor(np.zeros((0, 4, 4, 4)), requires_grad=True),
        torch.zeros(0, 4, 4, 4, dtype=torch.float64, requires_grad=True),
    )
    out, expected = ours(xs), theirs(ts)
    assert out.shape == tuple(expected.shape)
    out.sum().backward()
    expected.sum().backward()
    assert xs.grad.shape == (0, 4, 4, 4)
    _assert_like(ours.weight.grad, theirs.weight.grad)
    _assert_like(ours.bias.grad, theirs.bias.grad)
    assert not np.any(ours.weight.grad)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("groups", [1, 3])
def test_an_expanded_weight_of_repeated_kernels_gives_torchs_gradients(dims, groups):
    rng = _rng(25, dims, groups)
    kernel = rng.standard_normal((3,) * dims)
    weight = np.broadcast_to(kernel, (3, 3 // groups) + kernel.shape)
    x = rng.standard_normal((1, 3) + (5,) * dims)
    for name in (f"conv{dims}d", f"conv_transpose{dims}d"):
        xs, ws = Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True)
        ts = torch.tensor(x, requires_grad=True)
        tw = torch.tensor(kernel).expand((3, 3 // groups) + kernel.shape).detach().requires_grad_()
        out, expected = getattr(F, name)(xs, ws, groups=groups), getattr(TF, name)(ts, tw, groups=groups)
        out.sum().backward()
        expected.sum().backward()
        _assert_like(out, expected)
        _assert_like(xs.grad, ts.grad)
        _assert_like(ws.grad, tw.grad)


@pytest.mark.parametrize("bias", [True, False])
def test_strided_views_of_input_weight_and_bias_give_the_contiguous_result(bias):
    rng = _rng(26)
    layer = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=bias)
    x = rng.standard_normal((1, 3, 40, 40, 2)).astype(np.float32)[..., 1]
    weight = rng.standard_normal((8, 3, 7, 7, 2)).astype(np.float32)[..., 1]
    bias_values = rng.standard_normal((8, 2)).astype(np.float32)[:, 1] if bias else None
    expected = TF.conv2d(
        torch.tensor(x), torch.tensor(weight), None if bias_values is None else torch.tensor(bias_values), 2, 3
    )
    layer.weight = nn.Parameter(weight)
    if bias:
        layer.bias = nn.Parameter(bias_values)
    _assert_like(layer(Tensor(x)), expected, {"rtol": 1e-5, "atol": 1e-5})


def test_a_weight_read_through_a_step_two_slice_sums_as_torchs():
    x = np.ones((4, 16, 16, 16), np.float32)
    weight = np.arange(0, 1.0, 1 / 2.0**10, dtype=np.float32).reshape(32, 16, 1, 2)[:, :, :, ::2]
    assert not weight.flags.c_contiguous
    out = F.conv2d(Tensor(x), Tensor(weight))
    assert float(out.sum().item()) == float(TF.conv2d(torch.tensor(x), torch.tensor(weight)).sum())


def test_a_one_by_one_kernel_without_bias_gives_torchs_gradients():
    rng = _rng(27)
    _values_and_gradients("conv2d", [rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 2, 1, 1))])


@pytest.mark.parametrize("batch", [1, 2, 3])
@pytest.mark.parametrize("groups", [1, 2, 4])
def test_the_output_under_no_grad_is_the_output_with_a_graph(batch, groups):
    layer = nn.Conv2d(groups, 8, kernel_size=(3, 3), groups=groups, dtype=np.float64)
    x = Tensor(_rng(28, batch, groups).random((batch, groups, 8, 8)))
    with ag.no_grad():
        quiet = layer(x)
    np.testing.assert_array_equal(quiet.data, layer(x).data)


@pytest.mark.parametrize("radius", [0, 1, 7, 20])
def test_a_depthwise_row_kernel_over_a_permuted_image_matches_torch(radius):
    rng = _rng(29, radius)
    image = rng.random((1, 48, 48, 3)).transpose(0, 3, 1, 2)
    kernel = rng.random((3, 1, 1, 2 * radius + 1))
    _values_and_gradients("conv2d", [image, kernel], groups=3)


def test_a_long_depthwise_kernel_in_depth_height_width_matches_torch():
    rng = _rng(30)
    _values_and_gradients("conv3d", [rng.random((2, 3, 4, 5, 26)), rng.random((3, 1, 1, 1, 17))], groups=3)


def test_a_transposed_input_with_wide_padding_and_sixteen_groups_matches_torch():
    rng = _rng(31)
    x = rng.random((1, 1, 16)).transpose(0, 2, 1)
    arrays = [x, rng.random((16, 1, 32)), rng.random(16)]
    _values_and_gradients("conv1d", arrays, stride=1, padding=16, dilation=1, groups=16)


@pytest.mark.parametrize("groups", [24, 48, 23, 25])
@pytest.mark.parametrize("dilation", [1, 2])
def test_a_many_group_strided_convolution_of_ones_gives_torchs_weight_gradient(groups, dilation):
    """torch's oneDNN comparison case: float32 depthwise layers of all-ones weights over a 6x6 image of ones."""
    options = {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": dilation, "groups": groups, "bias": False}
    ours, theirs = nn.Conv2d(groups, groups, **options), torch.nn.Conv2d(groups, groups, **options)
    ours.weight.data[...] = 1.0
    with torch.no_grad():
        theirs.weight.fill_(1.0)
    out, expected = ours(Tensor(np.ones((1, groups, 6, 6), np.float32))), theirs(torch.ones(1, groups, 6, 6))
    out.backward(np.ones(out.shape, np.float32))
    expected.backward(torch.ones_like(expected))
    _assert_like(out, expected, {"rtol": 1e-6, "atol": 1e-6})
    _assert_like(ours.weight.grad, theirs.weight.grad, {"rtol": 1e-6, "atol": 1e-6})


def _channels_last(array):
    """The same (N, C, *spatial) values stored channels-last: a transposed view of a contiguous NHWC array."""
    order = (0,) + tuple(range(2, array.ndim)) + (1,)
    back = (0, array.ndim - 1) + tuple(range(1, array.ndim - 1))
    return np.ascontiguousarray(array.transpose(order)).transpose(back)


@pytest.mark.parametrize(
    ("layer", "batch", "channels", "size", "out_channels", "kernel", "dilation", "groups"),
    [
        ("Conv2d", 2, 8, (4, 4), 4, 3, 1, 1),
        ("Conv2d", 2, 8, (4, 4), 8, 3, 1, 8),
        ("Conv2d", 2, 1, (10, 10), 8, 3, 1, 1),
        ("Conv2d", 1, 16, (12, 12), 16, 1, 1, 1),
        ("Conv2d", 1, 16, (12, 12), 16, 1, 1, 16),
        ("Conv2d", 2, 8, (11, 13), 16, 3, 2, 1),
        ("Conv2d", 2, 16, (11, 13), 32, 3, 2, 16),
        ("ConvTranspose2d", 2, 8, (4, 4), 4, 3, 1, 1),
        ("ConvTranspose2d", 2, 8, (4, 4), 8, 3, 1, 8),
        ("ConvTranspose2d", 1, 16, (12, 12), 16, 1, 1, 1),
        ("ConvTranspose2d", 1, 16, (12, 12), 32, 1, 1, 16),
    ],
)
@pytest.mark.parametrize(("input_last", "weight_last"), [(True, True), (True, False), (False, True)])
def test_channels_last_strided_operands_give_torchs_values_and_gradients(
    layer, batch, channels, size, out_channels, kernel, dilation, groups, input_last, weight_last
):
    """torch's channels-last cases (test_conv_thnn_nhwc), as numpy arrays stored NHWC and read through NCHW views;
    integers in [-3, 3) make every sum exact, so the results must equal torch's contiguous ones exactly."""
    rng = _rng(32, channels, out_channels, groups)
    options = {"dilation": dilation, "groups": groups}
    ours = getattr(nn, layer)(channels, out_channels, kernel, dtype=np.float64, **options)
    theirs = getattr(torch.nn, layer)(channels, out_channels, kernel, dtype=torch.float64, **options)
    weight = rng.integers(-3, 3, ours.weight.shape).astype(np.float64)
    bias = rng.integers(-3, 3, ours.bias.shape).astype(np.float64)
    ours.weight = nn.Parameter(_channels_last(weight) if weight_last else weight)
    ours.bias = nn.Parameter(bias)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
        theirs.bias.copy_(torch.tensor(bias))
    x = rng.integers(-3, 3, (batch, channels) + size).astype(np.float64)
    xs = Tensor(_channels_last(x) if input_last else x, requires_grad=True)
    ts = torch.tensor(x, requires_grad=True)
    out, expected = ours(xs), theirs(ts)
    upstream = rng.integers(-3, 3, tuple(expected.shape)).astype(np.float64)
    out.backward(_channels_last(upstream))
    expected.backward(torch.tensor(upstream))
    exact = {"rtol": 0, "atol": 0}
    _assert_like(out, expected, exact)
    _assert_like(xs.grad, ts.grad, exact)
    _assert_like(ours.weight.grad, theirs.weight.grad, exact)
    _assert_like(ours.bias.grad, theirs.bias.grad, exact)
