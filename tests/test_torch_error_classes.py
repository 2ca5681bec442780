"""Errors that torch raises under another built-in class than the library's are instances of both: a test written
for torch (``pytest.raises(RuntimeError)``) and one written for the library (``pytest.raises(ValueError)``) catch
the same error. Errors torch raises under the library's class, or not at all, keep the library's class alone.

Every case is one call written against a namespace of the library or of torch (``lib.F``, ``lib.nn``, factories),
so the same input goes to both; torch's side runs where torch is installed.
"""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

import autograd as A
import nn
import nn.functional as F
from autograd import Tensor

LIBRARY = types.SimpleNamespace(
    F=F,
    nn=nn,
    zeros=lambda *shape: A.zeros(*shape, dtype=np.float32),
    ones=lambda *shape: A.ones(*shape, dtype=np.float32),
    doubles=lambda *shape: A.zeros(*shape, dtype=np.float64),
    indices=lambda values: A.tensor(np.array(values, dtype=np.int64)),
    module=A,
)


def _torch() -> types.SimpleNamespace:
    """The namespace of torch's spellings, or a skip where torch is not installed."""
    torch = pytest.importorskip("torch")
    return types.SimpleNamespace(
        F=torch.nn.functional,
        nn=torch.nn,
        zeros=torch.zeros,
        ones=torch.ones,
        doubles=lambda *shape: torch.zeros(*shape, dtype=torch.float64),
        indices=lambda values: torch.tensor(values, dtype=torch.int64),
        module=torch,
    )


def _raises_both(call, error: type, old: type, torch_class: type) -> None:
    """``call`` on the library raises ``error``, an instance of the library's ``old`` class and of ``torch_class``;
    torch raises ``torch_class`` for the same call."""
    with pytest.raises(error) as caught:
        call(LIBRARY)
    assert isinstance(caught.value, old) and isinstance(caught.value, torch_class)
    torch = _torch()
    with pytest.raises(torch_class):
        call(torch)


def _keeps_its_class(call, library_class: type, torch_class: type | None, not_also: type) -> None:
    """``call`` on the library raises ``library_class`` but not ``not_also``; torch raises ``torch_class`` for it
    (and not ``not_also``), or nothing when that is None."""
    with pytest.raises(library_class) as caught:
        call(LIBRARY)
    assert not isinstance(caught.value, not_also)
    torch = _torch()
    if torch_class is None:
        call(torch)
        return
    with pytest.raises(torch_class) as caught:
        call(torch)
    assert not isinstance(caught.value, not_also)


# -- convolution, pooling, unfold and fold ---------------------------------------------------------------------
CONVOLUTION_AND_POOLING = [
    pytest.param(lambda lib: lib.F.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(4, 2, 3, 3)), id="conv2d-channels"),
    pytest.param(lambda lib: lib.F.conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(3, 2, 3, 3), groups=2), id="conv2d-groups"),
    pytest.param(lambda lib: lib.F.conv2d(lib.zeros(1, 1, 2, 2), lib.zeros(1, 1, 3, 3)), id="conv2d-small-input"),
    pytest.param(lambda lib: lib.F.conv2d(lib.zeros(5, 5), lib.zeros(1, 1, 3, 3)), id="conv2d-2d-input"),
    pytest.param(lambda lib: lib.F.conv2d(lib.zeros(1, 1, 5, 5), lib.zeros(1, 3, 3)), id="conv2d-3d-weight"),
    pytest.param(
        lambda lib: lib.F.conv2d(lib.zeros(1, 1, 5, 5), lib.zeros(2, 1, 3, 3), lib.zeros(3)), id="conv2d-bias"
    ),
    pytest.param(lambda lib: lib.F.conv1d(lib.zeros(1, 3, 5), lib.zeros(4, 2, 3)), id="conv1d-channels"),
    pytest.param(lambda lib: lib.F.conv1d(lib.zeros(1, 1, 2), lib.zeros(1, 1, 3)), id="conv1d-small-input"),
    pytest.param(lambda lib: lib.F.conv1d(lib.zeros(1, 1, 1, 5), lib.zeros(1, 1, 3)), id="conv1d-4d-input"),
    pytest.param(lambda lib: lib.F.conv3d(lib.zeros(1, 3, 5, 5, 5), lib.zeros(4, 2, 3, 3, 3)), id="conv3d-channels"),
    pytest.param(lambda lib: lib.F.conv3d(lib.zeros(1, 1, 2, 5, 5), lib.zeros(1, 1, 3, 3, 3)), id="conv3d-small"),
    pytest.param(
        lambda lib: lib.F.conv_transpose2d(lib.zeros(1, 3, 5, 5), lib.zeros(4, 2, 3, 3)), id="conv_transpose2d-channels"
    ),
    pytest.param(
        lambda lib: lib.F.conv_transpose2d(lib.zeros(1, 1, 1, 1), lib.zeros(1, 1, 1, 1), padding=1),
        id="conv_transpose2d-output-below-0",
    ),
    pytest.param(
        lambda lib: lib.F.conv_transpose1d(lib.zeros(1, 1, 1, 5), lib.zeros(1, 1, 3)), id="conv_transpose1d-4d-input"
    ),
    pytest.param(
        lambda lib: lib.F.conv_transpose3d(lib.zeros(1, 3, 5, 5, 5), lib.zeros(4, 2, 3, 3, 3)),
        id="conv_transpose3d-channels",
    ),
    pytest.param(lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(1, 2, 5, 5)), id="Conv2d-channels"),
    pytest.param(lambda lib: lib.nn.ConvTranspose1d(3, 4, 3)(lib.zeros(1, 2, 5)), id="ConvTranspose1d-channels"),
    pytest.param(lambda lib: lib.F.max_pool2d(lib.zeros(1, 1, 2, 2), 3), id="max_pool2d-kernel-over-input"),
    pytest.param(lambda lib: lib.F.max_pool2d(lib.zeros(1, 1, 0, 5), 2), id="max_pool2d-empty-axis"),
    pytest.param(lambda lib: lib.F.max_pool2d(lib.zeros(5, 5), 2), id="max_pool2d-2d-input"),
    pytest.param(
        lambda lib: lib.F.max_pool2d(lib.zeros(1, 1, 2, 2), 5, stride=1, ceil_mode=True), id="max_pool2d-ceil-mode"
    ),
    pytest.param(lambda lib: lib.F.avg_pool2d(lib.zeros(1, 1, 2, 2), 3), id="avg_pool2d-kernel-over-input"),
    pytest.param(lambda lib: lib.F.avg_pool2d(lib.zeros(1, 1, 1, 5, 5), 2), id="avg_pool2d-5d-input"),
    pytest.param(lambda lib: lib.F.max_pool1d(lib.zeros(5), 2), id="max_pool1d-1d-input"),
    pytest.param(lambda lib: lib.F.avg_pool1d(lib.zeros(1, 1, 2), 3), id="avg_pool1d-kernel-over-input"),
    pytest.param(lambda lib: lib.F.max_pool3d(lib.zeros(1, 1, 2, 5, 5), 3), id="max_pool3d-kernel-over-input"),
    pytest.param(lambda lib: lib.F.avg_pool3d(lib.zeros(5, 5, 5), 2), id="avg_pool3d-3d-input"),
    pytest.param(lambda lib: lib.F.lp_pool1d(lib.zeros(5), 2, 2), id="lp_pool1d-1d-input"),
    pytest.param(lambda lib: lib.F.lp_pool2d(lib.zeros(1, 1, 2, 2), 2, 3), id="lp_pool2d-kernel-over-input"),
    pytest.param(lambda lib: lib.F.adaptive_avg_pool2d(lib.zeros(5, 5), 2), id="adaptive_avg_pool2d-2d-input"),
    pytest.param(lambda lib: lib.F.adaptive_max_pool2d(lib.zeros(1, 1, 0, 5), 2), id="adaptive_max_pool2d-empty"),
    pytest.param(lambda lib: lib.F.adaptive_max_pool1d(lib.zeros(1, 1, 0), 2), id="adaptive_max_pool1d-empty"),
    pytest.param(lambda lib: lib.F.adaptive_avg_pool3d(lib.zeros(1, 1, 0, 5, 5), 2), id="adaptive_avg_pool3d-empty"),
    pytest.param(lambda lib: lib.nn.MaxPool2d(3)(lib.zeros(1, 1, 2, 2)), id="MaxPool2d-kernel-over-input"),
    pytest.param(lambda lib: lib.F.unfold(lib.zeros(1, 1, 2, 2), 3), id="unfold-kernel-over-input"),
    pytest.param(lambda lib: lib.F.unfold(lib.zeros(1, 1, 1, 5, 5), 3), id="unfold-5d-input"),
    pytest.param(lambda lib: lib.F.fold(lib.zeros(1, 5, 9), (4, 4), 2), id="fold-rows-not-kernel-multiple"),
    pytest.param(lambda lib: lib.F.fold(lib.zeros(1, 4, 8), (4, 4), 2), id="fold-wrong-window-count"),
    pytest.param(lambda lib: lib.F.fold(lib.zeros(1, 4, 9), (1, 1), 2), id="fold-kernel-over-output"),
    pytest.param(
        lambda lib: lib.F.max_unpool2d(lib.zeros(1, 1, 2, 2), lib.indices([[[[0, 1, 2]]]]), 2),
        id="max_unpool2d-indices-shape",
    ),
]


@pytest.mark.parametrize("call", CONVOLUTION_AND_POOLING)
def test_convolution_and_pooling_shape_errors_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    ("call", "torch_class"),
    [
        pytest.param(lambda lib: lib.F.avg_pool2d(lib.zeros(5, 5), 2), IndexError, id="avg_pool2d-2d-input"),
        pytest.param(lambda lib: lib.F.lp_pool2d(lib.zeros(5, 5), 2, 2), IndexError, id="lp_pool2d-2d-input"),
        pytest.param(lambda lib: lib.F.unfold(lib.zeros(5, 5), 3), IndexError, id="unfold-2d-input"),
        pytest.param(lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2), ValueError, id="Conv2d-groups-argument"),
        pytest.param(
            lambda lib: lib.F.max_unpool2d(
                lib.zeros(1, 1, 2, 2), lib.indices([[[[0, 1], [2, 3]]]]), 2, output_size=(9, 9)
            ),
            ValueError,
            id="max_unpool2d-output-size",
        ),
    ],
)
def test_pooling_errors_torch_raises_as_another_class_are_not_runtime_errors(call, torch_class):
    _keeps_its_class(call, ValueError, torch_class, not_also=RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.nn.MaxPool1d(2, padding=2)(lib.zeros(1, 1, 6)), id="MaxPool1d"),
        pytest.param(lambda lib: lib.nn.AvgPool1d(2, padding=2)(lib.zeros(1, 1, 6)), id="AvgPool1d"),
        pytest.param(lambda lib: lib.nn.MaxPool2d(2, padding=2)(lib.zeros(1, 1, 6, 6)), id="MaxPool2d"),
        pytest.param(lambda lib: lib.nn.AvgPool2d((2, 4), padding=(0, 3))(lib.zeros(1, 1, 6, 6)), id="AvgPool2d"),
        pytest.param(lambda lib: lib.nn.MaxPool3d(2, padding=2)(lib.zeros(1, 1, 6, 6, 6)), id="MaxPool3d"),
        pytest.param(lambda lib: lib.nn.AvgPool3d(2, padding=2)(lib.zeros(1, 1, 6, 6, 6)), id="AvgPool3d"),
        pytest.param(lambda lib: lib.F.max_pool2d(lib.zeros(1, 1, 6, 6), 2, padding=2), id="max_pool2d"),
    ],
)
def test_pool_padding_over_half_the_kernel_is_also_torchs_runtime_error(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda lib: lib.F.conv2d(lib.zeros(1, 1, 5, 5), lib.zeros(1, 1, 3, 3), padding=(1, 1, 1)), id="conv2d"
        ),
        pytest.param(lambda lib: lib.F.conv1d(lib.zeros(1, 1, 5), lib.zeros(1, 1, 3), stride=(1, 1)), id="conv1d"),
        pytest.param(
            lambda lib: lib.F.conv3d(lib.zeros(1, 1, 5, 5, 5), lib.zeros(1, 1, 3, 3, 3), dilation=(1, 1)), id="conv3d"
        ),
        pytest.param(
            lambda lib: lib.F.conv_transpose2d(lib.zeros(1, 1, 5, 5), lib.zeros(1, 1, 3, 3), padding=(1, 1, 1, 1)),
            id="conv_transpose2d",
        ),
        pytest.param(lambda lib: lib.F.max_pool2d(lib.zeros(1, 1, 6, 6), 2, padding=(1, 1, 1)), id="max_pool2d"),
        pytest.param(lambda lib: lib.F.avg_pool2d(lib.zeros(1, 1, 6, 6), (2, 2, 2)), id="avg_pool2d"),
        pytest.param(lambda lib: lib.F.avg_pool1d(lib.zeros(1, 1, 6), 2, (1, 2)), id="avg_pool1d"),
        pytest.param(lambda lib: lib.F.max_pool3d(lib.zeros(1, 1, 4, 4, 4), (2, 2)), id="max_pool3d"),
    ],
)
def test_a_geometry_of_ints_for_another_number_of_axes_is_also_torchs_runtime_error(call):
    # tinygrad's test_conv2d_errors and test_max_pool2d_padding: padding=(1, 1, 1) of a 2-D op was a TypeError alone
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.F.pad(lib.zeros(3, 3, 3), (3, 0), mode="typo"), id="pad"),
        pytest.param(lambda lib: lib.F.interpolate(lib.zeros(1, 1, 5, 5), size=(3, 3), mode="typo"), id="interpolate"),
    ],
)
def test_an_unknown_mode_of_pad_or_interpolate_is_also_torchs_not_implemented_error(call):
    # tinygrad's test_pad: torch raises NotImplementedError (a RuntimeError) for a mode it has no kernel for
    _raises_both(call, nn.checks.UnsupportedOptionError, ValueError, NotImplementedError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.F.gelu(lib.zeros(3), approximate="fast"), id="gelu"),
        pytest.param(lambda lib: lib.nn.GELU(approximate="fast")(lib.zeros(3)), id="GELU"),
    ],
)
def test_gelu_approximation_other_than_none_or_tanh_is_also_torchs_runtime_error(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.F.embedding(lib.zeros(2), lib.zeros(5, 3)), id="embedding"),
        pytest.param(lambda lib: lib.nn.Embedding(5, 3)(lib.zeros(2, 2)), id="Embedding"),
    ],
)
def test_embedding_of_float_indices_is_also_torchs_runtime_error(call):
    _raises_both(call, A.IndexDtypeError, TypeError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.F.one_hot(lib.doubles(2)), id="one_hot"),
        pytest.param(lambda lib: lib.doubles(3, 2).gather(0, lib.doubles(3, 2)), id="gather"),
        pytest.param(lambda lib: lib.doubles(3, 2).scatter(0, lib.doubles(3, 2), lib.doubles(3, 2)), id="scatter"),
        pytest.param(
            lambda lib: lib.doubles(3, 2).scatter_add(0, lib.doubles(3, 2), lib.doubles(3, 2)), id="scatter_add"
        ),
        pytest.param(
            lambda lib: lib.module.take_along_dim(lib.doubles(3, 2), lib.doubles(3, 2), 0), id="take_along_dim"
        ),
        pytest.param(lambda lib: lib.module.take(lib.doubles(3, 2), lib.doubles(2)), id="take"),
        pytest.param(lambda lib: lib.doubles(3, 2).index_add(0, lib.doubles(2), lib.doubles(2, 2)), id="index_add"),
        pytest.param(lambda lib: lib.doubles(3, 2).index_copy(0, lib.doubles(2), lib.doubles(2, 2)), id="index_copy"),
        pytest.param(
            lambda lib: lib.doubles(3, 2).scatter_reduce(0, lib.doubles(3, 2), lib.doubles(3, 2), "sum"),
            id="scatter_reduce",
        ),
        pytest.param(lambda lib: lib.doubles(3, 2).put(lib.doubles(2), lib.doubles(2)), id="put"),
    ],
)
def test_float_indices_of_lookups_and_writes_are_also_torchs_runtime_error(call):
    _raises_both(call, A.IndexDtypeError, TypeError, RuntimeError)


# -- F.pad and the padding layers ------------------------------------------------------------------------------
PADDING = [
    pytest.param(lambda lib: lib.F.pad(lib.zeros(1, 1, 3), (3, 3), mode="reflect"), id="reflect-width-over-axis"),
    pytest.param(lambda lib: lib.F.pad(lib.zeros(1, 1, 0), (1, 1), mode="replicate"), id="replicate-empty-axis"),
    pytest.param(lambda lib: lib.F.pad(lib.zeros(1, 1, 3), (4, 4), mode="circular"), id="circular-wraps-twice"),
    pytest.param(lambda lib: lib.F.pad(lib.zeros(1, 1, 3), (1, 1, 1)), id="odd-number-of-widths"),
    pytest.param(lambda lib: lib.F.pad(lib.zeros(3), (1, 1, 1, 1)), id="more-pairs-than-axes"),
    pytest.param(lambda lib: lib.F.pad(lib.zeros(1, 1, 3), (-2, -2)), id="crop-past-the-axis"),
    pytest.param(lambda lib: lib.nn.ReflectionPad1d(3)(lib.zeros(1, 1, 3)), id="ReflectionPad1d"),
    pytest.param(lambda lib: lib.nn.CircularPad1d(4)(lib.zeros(1, 1, 3)), id="CircularPad1d"),
    pytest.param(lambda lib: lib.nn.ZeroPad2d(1)(lib.zeros(3)), id="ZeroPad2d-1d-input"),
    pytest.param(
        lambda lib: lib.nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(lib.zeros(1, 1, 2, 2)),
        id="Conv2d-reflect-padding",
    ),
]


@pytest.mark.parametrize("call", PADDING)
def test_padding_that_does_not_fit_the_input_is_also_a_torch_runtime_error(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


# -- split, chunk, view, permute, mm ---------------------------------------------------------------------------
SPLITS_VIEWS_AND_PERMUTATIONS = [
    pytest.param(lambda lib: lib.zeros(5, 2).split([2, 2]), id="split-sizes-short-of-the-length"),
    pytest.param(lambda lib: lib.zeros(5, 2).split([2, 4]), id="split-sizes-past-the-length"),
    pytest.param(lambda lib: lib.zeros(5, 2).split_with_sizes([-1, 6]), id="split_with_sizes-negative"),
    pytest.param(lambda lib: lib.module.zeros(()).split(1), id="split-0d"),
    pytest.param(lambda lib: lib.module.zeros(()).chunk(1), id="chunk-0d"),
    pytest.param(lambda lib: lib.zeros(2, 5).hsplit(2), id="hsplit-not-dividing"),
    pytest.param(lambda lib: lib.zeros(5).vsplit(1), id="vsplit-1d"),
    pytest.param(lambda lib: lib.zeros(2, 3).t().view(6), id="view-across-strides"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).permute(0, 0, 1), id="permute-repeated-dim"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).permute(0, 1), id="permute-missing-dim"),
    pytest.param(lambda lib: lib.zeros(2, 3).permute(0, 1, 5), id="permute-too-many-dims"),
    pytest.param(lambda lib: lib.zeros(3).mm(lib.zeros(3, 2)), id="mm-1d"),
    pytest.param(lambda lib: lib.zeros(2, 3).bmm(lib.zeros(3, 2)), id="bmm-2d"),
    pytest.param(lambda lib: lib.zeros(2, 2, 3).bmm(lib.zeros(3, 3, 2)), id="bmm-batch-sizes-differ"),
    pytest.param(lambda lib: lib.module.bmm(lib.zeros(1, 2, 3), lib.zeros(5, 3, 2)), id="bmm-does-not-broadcast"),
    pytest.param(lambda lib: lib.module.where(lib.zeros(2, 3) > 0, lib.zeros(2, 3), lib.zeros(4)), id="where"),
    pytest.param(lambda lib: lib.zeros(2, 3).masked_fill(lib.zeros(4) > 0, 1.0), id="masked_fill"),
    pytest.param(lambda lib: lib.module.masked_fill(lib.zeros(2, 3), lib.zeros(3, 1) > 0, 1.0), id="masked_fill-fn"),
    # in place: a result that would not keep the tensor's shape
    pytest.param(lambda lib: lib.zeros(2).__iadd__(lib.zeros(2, 1)), id="iadd-grows"),
    pytest.param(lambda lib: lib.zeros(2).add_(lib.zeros(3)), id="add_-no-broadcast"),
    pytest.param(lambda lib: (lib.zeros(2).requires_grad_() * 1).__imul__(lib.zeros(2, 1)), id="recorded-imul"),
    pytest.param(lambda lib: lib.zeros(2).copy_(lib.zeros(3)), id="copy_"),
    pytest.param(lambda lib: lib.zeros(3).masked_fill_(lib.zeros(2) > 0, 1.0), id="masked_fill_"),
    pytest.param(lambda lib: lib.zeros(3).__setitem__(slice(0, 2), lib.zeros(3)), id="setitem"),
    pytest.param(lambda lib: bool(lib.zeros(2)), id="bool-of-two"),
    # ranks an op does not take
    pytest.param(lambda lib: lib.zeros(2, 3, 4).t(), id="t-3d"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).flatten(2, 1), id="flatten-start-after-end"),
    pytest.param(lambda lib: lib.zeros(3, 1).expand(-1, 3, 1), id="expand-minus-one-new-leading-dim"),
    pytest.param(lambda lib: lib.module.cat([lib.module.zeros(()), lib.module.zeros(())]), id="cat-0d"),
    pytest.param(lambda lib: lib.zeros(2, 2, 2).cov(), id="cov-3d"),
    pytest.param(lambda lib: lib.module.block_diag(lib.zeros(1, 1, 1)), id="block_diag-3d"),
    pytest.param(lambda lib: lib.zeros(2, 3).rot90(1, (1, 1)), id="rot90-same-dims"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).rot90(1, (0, 1, 2)), id="rot90-three-dims"),
    pytest.param(lambda lib: lib.zeros(3).rot90(), id="rot90-1d"),
    pytest.param(lambda lib: lib.module.rot90(lib.zeros(2, 3), 1, (0, 0)), id="rot90-fn-same-dims"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).movedim((0, 0), (1, 2)), id="movedim-repeated-dim"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).movedim((0, 1), (1,)), id="movedim-unpaired-dims"),
    pytest.param(lambda lib: lib.zeros(3).mT, id="mT-1d"),
    pytest.param(lambda lib: lib.zeros(2, 3, 4).diagonal(0, 1, -2), id="diagonal-same-dims"),
    pytest.param(lambda lib: lib.zeros(2, 3).diag_embed(0, 1, 1), id="diag_embed-same-dims"),
    pytest.param(lambda lib: lib.module.hsplit(lib.zeros(2, 6), 4), id="hsplit-fn-not-dividing"),
    pytest.param(lambda lib: lib.module.cartesian_prod(lib.zeros(2, 2)), id="cartesian_prod-2d"),
    pytest.param(lambda lib: lib.module.combinations(lib.zeros(2, 2)), id="combinations-2d"),
]

ARGUMENTS_OUT_OF_RANGE = [
    pytest.param(lambda lib: lib.zeros(5).tensor_split(0), id="tensor_split-no-sections"),
    pytest.param(lambda lib: lib.module.combinations(lib.zeros(3), -1), id="combinations-negative-r"),
]


@pytest.mark.parametrize("call", ARGUMENTS_OUT_OF_RANGE)
def test_shape_op_arguments_out_of_range_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


MISSING_DIMS = [
    pytest.param(lambda lib: lib.zeros(3).diagonal(), id="diagonal-1d"),
    pytest.param(lambda lib: lib.module.zeros(()).diag_embed(), id="diag_embed-0d"),
]


@pytest.mark.parametrize("call", MISSING_DIMS)
def test_a_dim_the_tensor_lacks_is_an_axis_error_as_torchs_index_error(call):
    _raises_both(call, np.exceptions.AxisError, ValueError, IndexError)


@pytest.mark.parametrize("call", SPLITS_VIEWS_AND_PERMUTATIONS)
def test_splits_views_and_permutations_that_do_not_fit_the_shape_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


REPEATED_DIMS = [
    pytest.param(lambda lib: lib.doubles(2, 3).sum((1, 1)), id="sum"),
    pytest.param(lambda lib: lib.doubles(2, 3).mean(dim=(1, -1)), id="mean-negative-alias"),
    pytest.param(lambda lib: lib.doubles(2, 3).amax((0, 0)), id="amax"),
    pytest.param(lambda lib: lib.doubles(2, 3).std(dim=(1, 1)), id="std"),
    pytest.param(lambda lib: lib.doubles(2, 3).var(dim=(0, 0)), id="var"),
    pytest.param(lambda lib: lib.doubles(2, 3).logsumexp((1, 1)), id="logsumexp"),
    pytest.param(lambda lib: lib.doubles(2, 3).norm(dim=(1, 1)), id="norm"),
    pytest.param(lambda lib: lib.doubles(2, 3).flip((1, 1)), id="flip"),
]

NOTHING_TO_JOIN = [
    pytest.param(lambda lib: lib.module.stack([]), id="stack"),
    pytest.param(lambda lib: lib.module.hstack([]), id="hstack"),
    pytest.param(lambda lib: lib.module.vstack(()), id="vstack"),
]


@pytest.mark.parametrize("call", NOTHING_TO_JOIN)
def test_stacking_no_tensors_is_also_torchs_runtime_error(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


def test_concatenating_no_tensors_is_a_value_error_as_torchs_cat():
    with pytest.raises(ValueError, match="need at least one tensor"):
        A.cat([])
    with pytest.raises(ValueError):
        _torch().module.cat([])


@pytest.mark.parametrize("call", REPEATED_DIMS)
def test_a_dim_given_twice_is_also_torchs_runtime_error(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


OPERANDS_THAT_DO_NOT_BROADCAST = [
    pytest.param(lambda lib: lib.doubles(3).lerp(lib.doubles(2), 0.5), id="lerp"),
    pytest.param(lambda lib: lib.module.addcmul(lib.doubles(3), lib.doubles(2), lib.doubles(2)), id="addcmul"),
    pytest.param(lambda lib: lib.module.addcdiv(lib.doubles(3), lib.doubles(2), lib.doubles(2)), id="addcdiv"),
    pytest.param(lambda lib: lib.module.addmm(lib.doubles(3), lib.doubles(2, 2), lib.doubles(2, 2)), id="addmm"),
    pytest.param(lambda lib: lib.module.heaviside(lib.doubles(3), lib.doubles(2)), id="heaviside"),
    pytest.param(lambda lib: lib.module.nextafter(lib.doubles(3), lib.doubles(2)), id="nextafter"),
    pytest.param(lambda lib: lib.module.gcd(lib.indices([1, 2, 3]), lib.indices([1, 2])), id="gcd"),
    pytest.param(lambda lib: lib.module.linalg.cross(lib.doubles(2, 3), lib.doubles(4, 3)), id="cross"),
    pytest.param(lambda lib: lib.module.linalg.solve(lib.doubles(2, 3, 3), lib.doubles(4, 3, 1)), id="solve-batch"),
    pytest.param(lambda lib: lib.module.cdist(lib.doubles(2, 3, 2), lib.doubles(4, 3, 2)), id="cdist-batch"),
    pytest.param(lambda lib: lib.module.broadcast_shapes((3,), (2,)), id="broadcast_shapes"),
    pytest.param(lambda lib: lib.module.broadcast_tensors(lib.doubles(3), lib.doubles(2)), id="broadcast_tensors"),
    pytest.param(lambda lib: lib.module.trapezoid(lib.doubles(2, 3), lib.doubles(3, 3)), id="trapezoid"),
    pytest.param(lambda lib: lib.module.normal(lib.doubles(3), lib.doubles(2) + 1), id="normal"),
    pytest.param(lambda lib: lib.doubles(3, 4).index_put((lib.indices([0, 1]),), lib.doubles(3)), id="index_put"),
    pytest.param(
        lambda lib: lib.module.take_along_dim(lib.doubles(3, 2), lib.indices([[0, 1], [1, 0]]), dim=1),
        id="take_along_dim",
    ),
    pytest.param(
        lambda lib: lib.module.tensordot(lib.doubles(3, 2), lib.doubles(3, 2), dims=([0], [1])), id="tensordot"
    ),
    pytest.param(lambda lib: lib.module.inner(lib.doubles(3), lib.doubles(2)), id="inner"),
    pytest.param(lambda lib: lib.module.vdot(lib.doubles(3), lib.doubles(2)), id="vdot"),
]


@pytest.mark.parametrize("call", OPERANDS_THAT_DO_NOT_BROADCAST)
def test_operands_that_do_not_broadcast_or_align_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


MATRICES_OF_SHAPES_AN_OP_CANNOT_USE = [
    pytest.param(lambda lib: lib.module.linalg.det(lib.doubles(2, 3)), id="det-not-square"),
    pytest.param(lambda lib: lib.module.linalg.inv(lib.doubles(3)), id="inv-1d"),
    pytest.param(lambda lib: lib.module.linalg.cholesky(lib.doubles(2, 3)), id="cholesky-not-square"),
    pytest.param(lambda lib: lib.module.linalg.slogdet(lib.doubles(2, 3)), id="slogdet-not-square"),
    pytest.param(lambda lib: lib.module.linalg.eigh(lib.doubles(2, 3)), id="eigh-not-square"),
    pytest.param(lambda lib: lib.module.linalg.svd(lib.doubles(3)), id="svd-1d"),
    pytest.param(lambda lib: lib.module.linalg.pinv(lib.doubles(3)), id="pinv-1d"),
    pytest.param(lambda lib: lib.module.linalg.matrix_rank(lib.doubles(3)), id="matrix_rank-1d"),
    pytest.param(lambda lib: lib.module.linalg.matrix_exp(lib.doubles(2, 3)), id="matrix_exp-not-square"),
    pytest.param(lambda lib: lib.doubles(2, 3).matrix_power(2), id="matrix_power-not-square"),
    pytest.param(lambda lib: lib.module.linalg.solve(lib.doubles(3, 3), lib.doubles(2)), id="solve-b"),
    pytest.param(lambda lib: lib.module.linalg.lstsq(lib.doubles(3, 2), lib.doubles(2)), id="lstsq-b-rows"),
    pytest.param(lambda lib: lib.module.linalg.lstsq(lib.doubles(2, 3, 3), lib.doubles(3)), id="lstsq-b-dims"),
    pytest.param(lambda lib: lib.module.linalg.lstsq(lib.doubles(3, 3), lib.doubles(1, 3, 1)), id="lstsq-b-more-dims"),
    pytest.param(lambda lib: lib.module.linalg.matrix_norm(lib.doubles(3)), id="matrix_norm-1d"),
    pytest.param(lambda lib: lib.module.linalg.norm(lib.doubles(2, 2, 2), dim=(0, 1, 2)), id="norm-three-dims"),
    pytest.param(lambda lib: lib.module.linalg.cross(lib.doubles(2), lib.doubles(2)), id="cross-2-entries"),
    pytest.param(
        lambda lib: lib.module.linalg.solve_triangular(lib.doubles(3, 3), lib.doubles(2, 1), upper=True),
        id="solve_triangular",
    ),
    pytest.param(lambda lib: lib.module.cholesky_solve(lib.doubles(2, 1), lib.doubles(3, 3)), id="cholesky_solve"),
    pytest.param(
        lambda lib: lib.module.addbmm(lib.doubles(2, 2), lib.doubles(3, 2, 2), lib.doubles(4, 2, 2)), id="addbmm"
    ),
    pytest.param(
        lambda lib: lib.module.baddbmm(lib.doubles(2, 2), lib.doubles(3, 2, 3), lib.doubles(3, 2, 2)), id="baddbmm"
    ),
    pytest.param(lambda lib: lib.module.addmv(lib.doubles(2), lib.doubles(2, 3), lib.doubles(2)), id="addmv"),
]


@pytest.mark.parametrize("call", MATRICES_OF_SHAPES_AN_OP_CANNOT_USE)
def test_matrices_of_shapes_a_linear_algebra_op_cannot_use_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.module.linalg.inv(lib.doubles(2, 2)), id="inv-singular"),
        pytest.param(lambda lib: lib.doubles(2, 2).inverse(), id="inverse-singular"),
        pytest.param(lambda lib: lib.module.linalg.solve(lib.doubles(2, 2), lib.doubles(2)), id="solve-singular"),
        pytest.param(lambda lib: lib.module.linalg.matrix_power(lib.doubles(2, 2), -1), id="matrix_power-singular"),
        pytest.param(lambda lib: lib.module.linalg.cholesky(-lib.module.eye(2)), id="cholesky-not-positive-definite"),
    ],
)
def test_a_singular_or_indefinite_matrix_is_a_linalg_error_also_torchs_runtime_error(call):
    _raises_both(call, A.linalg.LinAlgError, np.linalg.LinAlgError, RuntimeError)
    with pytest.raises(_torch().module.linalg.LinAlgError):
        call(_torch())


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda lib: lib.doubles(3).kthvalue(4), A.ArgumentRangeError, id="kthvalue-k"),
        pytest.param(lambda lib: lib.doubles(3).split(0), A.ArgumentRangeError, id="split-0"),
        pytest.param(lambda lib: lib.doubles(3).chunk(0), A.ArgumentRangeError, id="chunk-0"),
        pytest.param(lambda lib: lib.doubles(3).unfold(0, 4, 1), A.ArgumentRangeError, id="unfold-size"),
        pytest.param(lambda lib: lib.doubles(3).diff(n=-1), A.ArgumentRangeError, id="diff-negative-n"),
        pytest.param(lambda lib: lib.doubles(3).tile((-1,)), A.ArgumentRangeError, id="tile-negative"),
        pytest.param(lambda lib: lib.F.one_hot(lib.indices([-1])), A.ArgumentRangeError, id="one_hot-negative"),
        pytest.param(lambda lib: lib.F.one_hot(lib.indices([3]), 2), A.ArgumentRangeError, id="one_hot-past-classes"),
        pytest.param(
            lambda lib: lib.module.multinomial(lib.doubles(3) + 1, 4), A.ArgumentRangeError, id="multinomial-too-many"
        ),
        pytest.param(lambda lib: lib.doubles(3).roll((1, 2), (0,)), A.ShapeError, id="roll-shifts-for-dims"),
        pytest.param(
            lambda lib: lib.doubles(3).repeat_interleave(lib.indices([1, 2]), dim=0),
            A.ShapeError,
            id="repeat_interleave",
        ),
        pytest.param(
            lambda lib: lib.doubles(3).masked_scatter(lib.doubles(3) == 0, lib.doubles(2)),
            A.ShapeError,
            id="masked_scatter-short-source",
        ),
    ],
)
def test_counts_and_sizes_torch_refuses_are_also_torch_runtime_errors(call, error):
    _raises_both(call, error, ValueError, RuntimeError)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2) - 1, 1), A.ArgumentRangeError, id="negative"),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2) / 0, 1), A.ArgumentRangeError, id="nan"),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2), 1), A.ArgumentRangeError, id="zero-sum"),
        pytest.param(
            lambda lib: lib.module.multinomial(lib.doubles(2), 1, True), A.ArgumentRangeError, id="zero-sum-replacement"
        ),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2) + 1, 0), A.ArgumentRangeError, id="no-samples"),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2) + 1, -1), A.ArgumentRangeError, id="negative-n"),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2, 2, 2) + 1, 1), A.ShapeError, id="3d"),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(()) + 1, 1), A.ShapeError, id="0d"),
        pytest.param(lambda lib: lib.module.multinomial(lib.doubles(2, 0), 1), A.ShapeError, id="no-categories"),
    ],
)
def test_multinomial_weights_and_counts_torch_refuses_are_also_torch_runtime_errors(call, error):
    _raises_both(call, error, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param(lambda lib: lib.indices([3, 0, 1]), id="int64"),  # the bigram lecture's N[0] before .float()
        pytest.param(lambda lib: lib.indices([3, 0, 1]) > 0, id="bool"),
    ],
)
def test_multinomial_of_non_floating_weights_is_a_type_error_also_torchs_runtime_error(counts):
    _raises_both(lambda lib: lib.module.multinomial(counts(lib), 1), TypeError, TypeError, RuntimeError)


def test_multinomial_of_a_float_count_is_a_type_error_as_torchs():
    _keeps_its_class(lambda lib: lib.module.multinomial(lib.doubles(2) + 1, 1.0), TypeError, TypeError, ValueError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: (lib.doubles(2) + 2).bernoulli(), id="bernoulli-above-1"),
        pytest.param(lambda lib: lib.module.bernoulli(lib.doubles(2) - 1), id="bernoulli-below-0"),
        pytest.param(lambda lib: lib.doubles(2).bernoulli(2.0), id="bernoulli-p"),
        pytest.param(lambda lib: (lib.doubles(2) / 0).bernoulli(), id="bernoulli-nan"),
        pytest.param(lambda lib: lib.module.randint(5, 2, (3,)), id="randint-low-above-high"),
        pytest.param(lambda lib: lib.module.randint(0, (3,)), id="randint-high-0"),
        pytest.param(lambda lib: lib.module.randint_like(lib.doubles(2), 3, 1), id="randint_like-low-above-high"),
        pytest.param(lambda lib: lib.module.randint(5, (-1,)), id="randint-negative-size"),
        pytest.param(lambda lib: lib.module.randperm(-2), id="randperm-negative"),
        pytest.param(lambda lib: lib.module.normal(0.0, -1.0, (2,)), id="normal-negative-std"),
        pytest.param(lambda lib: lib.module.normal(lib.doubles(2), lib.doubles(2) - 1), id="normal-tensor-std"),
    ],
)
def test_random_draws_out_of_range_are_also_torchs_runtime_error(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


COMPARISONS_AND_BITS = [
    pytest.param(lambda lib: lib.zeros(3) < lib.zeros(2), id="lt"),
    pytest.param(lambda lib: lib.zeros(3) <= lib.zeros(2, 1, 2), id="le"),
    pytest.param(lambda lib: lib.zeros(2, 3) > lib.zeros(2), id="gt"),
    pytest.param(lambda lib: lib.zeros(3) >= lib.zeros(2), id="ge"),
    pytest.param(lambda lib: lib.zeros(3) == lib.zeros(2), id="eq"),
    pytest.param(lambda lib: lib.zeros(3) != lib.zeros(2), id="ne"),
    pytest.param(lambda lib: lib.zeros(3).eq(lib.zeros(2)), id="eq-method"),
    pytest.param(lambda lib: lib.module.gt(lib.zeros(3), lib.zeros(2)), id="gt-function"),
    pytest.param(lambda lib: lib.zeros(3).isclose(lib.zeros(2)), id="isclose"),
    pytest.param(lambda lib: lib.zeros(3).logical_and(lib.zeros(2)), id="logical_and"),
    pytest.param(lambda lib: lib.indices([1, 2, 3]) & lib.indices([1, 2]), id="bitwise_and"),
    pytest.param(lambda lib: lib.indices([1, 2, 3]).bitwise_xor(lib.indices([1, 2])), id="bitwise_xor"),
]


@pytest.mark.parametrize("call", COMPARISONS_AND_BITS)
def test_comparisons_and_bitwise_ops_of_shapes_that_do_not_broadcast_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


def test_permute_dim_out_of_range_is_an_axis_error_as_torchs_index_error():
    _raises_both(lambda lib: lib.zeros(2, 3).permute(0, 5), np.exceptions.AxisError, ValueError, IndexError)


# -- linear and bilinear ---------------------------------------------------------------------------------------
LINEAR_FEATURES = [
    pytest.param(lambda lib: lib.F.linear(lib.zeros(2, 3), lib.zeros(4, 5)), id="linear-input-features"),
    pytest.param(lambda lib: lib.F.linear(lib.module.zeros(()), lib.zeros(4, 5)), id="linear-0d-input"),
    pytest.param(lambda lib: lib.F.linear(lib.zeros(2, 3), lib.zeros(4, 5, 3)), id="linear-3d-weight"),
    pytest.param(lambda lib: lib.F.linear(lib.zeros(2, 3), lib.zeros(4, 3), lib.zeros(5)), id="linear-bias"),
    pytest.param(lambda lib: lib.F.linear(lib.zeros(2, 3), lib.zeros(5)), id="linear-1d-weight"),
    pytest.param(lambda lib: lib.nn.Linear(3, 4)(lib.zeros(2, 5)), id="Linear-input-features"),
    pytest.param(lambda lib: lib.nn.Bilinear(3, 4, 2)(lib.zeros(2, 3), lib.zeros(2, 5)), id="Bilinear-features"),
    pytest.param(lambda lib: lib.nn.Bilinear(3, 4, 2)(lib.zeros(2, 3), lib.zeros(3, 4)), id="Bilinear-batch"),
    pytest.param(
        lambda lib: lib.F.bilinear(lib.zeros(2, 3), lib.zeros(2, 4), lib.zeros(2, 3, 4), lib.zeros(3)),
        id="bilinear-bias",
    ),
]


@pytest.mark.parametrize("call", LINEAR_FEATURES)
def test_linear_inputs_whose_features_do_not_fit_the_weight_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


def test_autograd_linear_raises_the_shape_error_of_nn_functional_linear():
    with pytest.raises(A.ShapeError, match="does not match weight of shape"):
        A.linear(A.zeros(2, 3), A.zeros(4, 5))


# -- normalization ---------------------------------------------------------------------------------------------
NORMALIZATION = [
    pytest.param(lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(4, 5)), id="BatchNorm1d-channels"),
    pytest.param(lambda lib: lib.nn.BatchNorm2d(3).eval()(lib.ones(4, 5, 6, 6)), id="BatchNorm2d-eval-channels"),
    pytest.param(
        lambda lib: lib.nn.BatchNorm2d(3, track_running_stats=False)(lib.ones(4, 5, 6, 6)),
        id="BatchNorm2d-affine-only-channels",
    ),
    pytest.param(
        lambda lib: lib.nn.BatchNorm3d(3, affine=False)(lib.ones(4, 5, 2, 2, 2)), id="BatchNorm3d-stats-only-channels"
    ),
    pytest.param(
        lambda lib: lib.nn.InstanceNorm2d(3, track_running_stats=True)(lib.ones(2, 4, 5, 5)),
        id="InstanceNorm2d-running-stats-channels",
        marks=pytest.mark.filterwarnings("ignore:input's size at dim=1 does not match num_features"),  # torch's
    ),
    pytest.param(
        lambda lib: lib.F.batch_norm(lib.ones(4, 3, 5), lib.zeros(4), lib.ones(4)), id="batch_norm-running-stats"
    ),
    pytest.param(lambda lib: lib.F.batch_norm(lib.ones(3), lib.zeros(3), lib.ones(3)), id="batch_norm-1d-input"),
    pytest.param(lambda lib: lib.F.instance_norm(lib.ones(2, 3, 5), weight=lib.ones(4)), id="instance_norm-weight"),
    pytest.param(lambda lib: lib.nn.LayerNorm(4)(lib.ones(2, 5)), id="LayerNorm-normalized-shape"),
    pytest.param(lambda lib: lib.nn.LayerNorm((2, 3, 4))(lib.ones(3, 4)), id="LayerNorm-too-few-dims"),
    pytest.param(lambda lib: lib.F.layer_norm(lib.ones(2, 5), (5,), lib.ones(4)), id="layer_norm-weight"),
    pytest.param(lambda lib: lib.F.rms_norm(lib.ones(2, 5), (4,)), id="rms_norm-normalized-shape"),
    pytest.param(lambda lib: lib.nn.GroupNorm(2, 4)(lib.ones(2, 6, 5)), id="GroupNorm-channels"),
    pytest.param(lambda lib: lib.nn.GroupNorm(2, 4)(lib.ones(4)), id="GroupNorm-1d-input"),
    pytest.param(lambda lib: lib.F.group_norm(lib.ones(2, 5, 3), 2), id="group_norm-groups-not-dividing"),
    pytest.param(lambda lib: lib.F.group_norm(lib.ones(2, 4, 3), 2, lib.ones(3)), id="group_norm-weight"),
]


@pytest.mark.parametrize("call", NORMALIZATION)
def test_normalization_of_the_wrong_channels_or_shape_is_also_a_torch_runtime_error(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    ("call", "torch_class"),
    [
        pytest.param(lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(3, 6, 6)), ValueError, id="BatchNorm2d-3d-input"),
        pytest.param(
            lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.ones(2, 4, 5)),
            ValueError,
            id="InstanceNorm1d-affine-channels",
        ),
        pytest.param(
            lambda lib: lib.nn.BatchNorm2d(3, affine=False, track_running_stats=False)(lib.ones(4, 5, 6, 6)),
            None,
            id="BatchNorm2d-nothing-per-channel",
        ),
        pytest.param(lambda lib: lib.nn.GroupNorm(3, 4), ValueError, id="GroupNorm-groups-argument"),
        pytest.param(lambda lib: lib.F.instance_norm(lib.ones(3)), ValueError, id="instance_norm-1d-input"),
    ],
)
def test_normalization_errors_torch_raises_as_value_errors_or_not_at_all_are_not_runtime_errors(call, torch_class):
    _keeps_its_class(call, ValueError, torch_class, not_also=RuntimeError)


# -- losses ----------------------------------------------------------------------------------------------------
LOSS_SHAPES = [
    pytest.param(lambda lib: lib.F.mse_loss(lib.ones(3, 4), lib.ones(3, 5)), id="mse_loss"),
    pytest.param(lambda lib: lib.F.l1_loss(lib.ones(3, 4), lib.ones(3, 5)), id="l1_loss"),
    pytest.param(lambda lib: lib.F.smooth_l1_loss(lib.ones(3, 4), lib.ones(3, 5)), id="smooth_l1_loss"),
    pytest.param(lambda lib: lib.F.huber_loss(lib.ones(3, 4), lib.ones(3, 5)), id="huber_loss"),
    pytest.param(lambda lib: lib.F.kl_div(lib.ones(3, 4), lib.ones(3, 5), reduction="batchmean"), id="kl_div"),
    pytest.param(lambda lib: lib.F.poisson_nll_loss(lib.ones(3, 4), lib.ones(3, 5)), id="poisson_nll_loss"),
    pytest.param(
        lambda lib: lib.F.gaussian_nll_loss(lib.ones(3, 4), lib.ones(3, 5), lib.ones(3, 4)), id="gaussian_nll_loss"
    ),
    pytest.param(lambda lib: lib.F.soft_margin_loss(lib.ones(3, 4), lib.ones(3, 5)), id="soft_margin_loss"),
    pytest.param(lambda lib: lib.F.hinge_embedding_loss(lib.ones(3, 4), lib.ones(3, 5)), id="hinge_embedding_loss"),
    pytest.param(
        lambda lib: lib.F.multilabel_soft_margin_loss(lib.ones(3, 4), lib.ones(3, 5)), id="multilabel_soft_margin_loss"
    ),
    pytest.param(
        lambda lib: lib.F.margin_ranking_loss(lib.ones(3), lib.ones(4), lib.ones(3)), id="margin_ranking_loss"
    ),
    pytest.param(
        lambda lib: lib.F.cosine_embedding_loss(lib.ones(3, 4), lib.ones(3, 5), lib.ones(3)),
        id="cosine_embedding_loss",
    ),
    pytest.param(
        lambda lib: lib.F.cosine_embedding_loss(lib.ones(1, 3, 4), lib.ones(1, 3, 4), lib.ones(1, 3)),
        id="cosine_embedding_loss-3d-inputs",
    ),
    pytest.param(
        lambda lib: lib.F.triplet_margin_loss(lib.ones(3, 4), lib.ones(3, 5), lib.ones(3, 4)), id="triplet_margin_loss"
    ),
    pytest.param(
        lambda lib: lib.F.cross_entropy(lib.ones(2, 4, 5), lib.indices([[1] * 6] * 2)), id="cross_entropy-spatial"
    ),
    pytest.param(lambda lib: lib.F.nll_loss(lib.ones(3, 4), lib.indices([[1]] * 3)), id="nll_loss-2d-target"),
    pytest.param(lambda lib: lib.F.cross_entropy(lib.ones(3, 4), lib.ones(3, 5)), id="cross_entropy-probabilities"),
    pytest.param(lambda lib: lib.F.multi_margin_loss(lib.ones(3, 4), lib.indices([0, 1])), id="multi_margin_loss"),
    pytest.param(
        lambda lib: lib.F.multilabel_margin_loss(lib.ones(3, 4), lib.indices([[0, 1, -1, 0]] * 2)),
        id="multilabel_margin_loss",
    ),
    pytest.param(
        lambda lib: lib.F.binary_cross_entropy(lib.ones(5, 4) / 2, lib.ones(5, 4), weight=lib.ones(3)),
        id="binary_cross_entropy-weight",
    ),
    pytest.param(
        lambda lib: lib.F.binary_cross_entropy_with_logits(lib.ones(5, 4), lib.ones(5, 4), weight=lib.ones(3)),
        id="binary_cross_entropy_with_logits-weight",
    ),
    pytest.param(
        lambda lib: lib.F.binary_cross_entropy_with_logits(lib.ones(5, 4), lib.ones(5, 4), pos_weight=lib.ones(3)),
        id="binary_cross_entropy_with_logits-pos_weight",
    ),
]


@pytest.mark.parametrize("call", LOSS_SHAPES)
@pytest.mark.filterwarnings("ignore:Using a target size")  # torch's, before its error
def test_loss_targets_of_a_shape_torch_cannot_use_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    ("call", "torch_class"),
    [
        pytest.param(
            lambda lib: lib.F.mse_loss(lib.ones(3, 4), lib.ones(3, 1)),
            None,
            id="mse_loss-broadcastable-target",
            marks=pytest.mark.filterwarnings("ignore:Using a target size"),  # torch's warning
        ),
        pytest.param(
            lambda lib: lib.F.binary_cross_entropy(lib.ones(3, 4) / 2, lib.ones(3, 5)),
            ValueError,
            id="binary_cross_entropy",
        ),
        pytest.param(
            lambda lib: lib.F.binary_cross_entropy_with_logits(lib.ones(3, 4), lib.ones(3, 5)),
            ValueError,
            id="binary_cross_entropy_with_logits",
        ),
        pytest.param(
            lambda lib: lib.F.cross_entropy(lib.ones(3, 4), lib.indices([0, 1])), ValueError, id="cross_entropy-batch"
        ),
        pytest.param(
            lambda lib: lib.F.nll_loss(lib.ones(2, 4, 5), lib.indices([[1] * 5] * 3)), ValueError, id="nll_loss-batch"
        ),
    ],
)
def test_loss_shape_errors_torch_raises_as_value_errors_or_not_at_all_are_not_runtime_errors(call, torch_class):
    _keeps_its_class(call, ValueError, torch_class, not_also=RuntimeError)


# -- a layer's input of another dtype than its parameters -------------------------------------------------------
DTYPE_MISMATCHES = [
    pytest.param(lambda lib: lib.nn.Linear(3, 4)(lib.doubles(2, 3)), id="Linear"),
    pytest.param(lambda lib: lib.nn.Bilinear(3, 3, 2)(lib.doubles(2, 3), lib.doubles(2, 3)), id="Bilinear"),
    pytest.param(lambda lib: lib.nn.Conv2d(1, 1, 3)(lib.doubles(1, 1, 5, 5)), id="Conv2d"),
    pytest.param(lambda lib: lib.nn.ConvTranspose1d(1, 1, 3)(lib.doubles(1, 1, 5)), id="ConvTranspose1d"),
    pytest.param(lambda lib: lib.nn.BatchNorm1d(3)(lib.doubles(2, 3)), id="BatchNorm1d"),
    pytest.param(lambda lib: lib.nn.LayerNorm(3)(lib.doubles(2, 3)), id="LayerNorm"),
    pytest.param(lambda lib: lib.nn.GroupNorm(1, 3)(lib.doubles(2, 3, 4)), id="GroupNorm"),
    pytest.param(lambda lib: lib.nn.PReLU()(lib.doubles(2, 3)), id="PReLU"),
    pytest.param(lambda lib: lib.nn.GRUCell(3, 4)(lib.doubles(2, 3)), id="GRUCell"),
    pytest.param(
        lambda lib: lib.nn.MultiheadAttention(4, 2)(lib.doubles(5, 2, 4), lib.doubles(5, 2, 4), lib.doubles(5, 2, 4)),
        id="MultiheadAttention",
    ),
]


@pytest.mark.parametrize("call", DTYPE_MISMATCHES)
def test_an_input_of_another_dtype_than_the_parameters_is_also_a_torch_runtime_error(call):
    _raises_both(call, nn.DtypeMismatchError, TypeError, RuntimeError)


@pytest.mark.parametrize(
    ("call", "torch_class"),
    [
        # (nn.RMSNorm takes a float input of another dtype, as torch's: test_layer_normalization checks it)
        pytest.param(lambda lib: lib.nn.LSTM(3, 4)(lib.doubles(5, 2, 3)), ValueError, id="LSTM"),
    ],
)
def test_dtype_mismatches_torch_raises_as_value_errors_or_not_at_all_are_not_runtime_errors(call, torch_class):
    _keeps_its_class(call, TypeError, torch_class, not_also=RuntimeError)


# -- indices out of bounds -------------------------------------------------------------------------------------
INDEX_BOUNDS = [
    pytest.param(lambda lib: lib.module.gather(lib.ones(2, 3), 1, lib.indices([[0, 5], [1, 2]])), id="gather"),
    pytest.param(lambda lib: lib.ones(2, 3).gather(1, lib.indices([[0, 5], [1, 2]])), id="Tensor.gather"),
    pytest.param(
        lambda lib: lib.module.scatter(lib.ones(2, 3), 1, lib.indices([[0, 5], [1, 2]]), lib.ones(2, 2)), id="scatter"
    ),
    pytest.param(lambda lib: lib.ones(2, 3).scatter_(1, lib.indices([[0, 5], [1, 2]]), 1.0), id="Tensor.scatter_"),
    pytest.param(
        lambda lib: lib.ones(2, 3).scatter_add(1, lib.indices([[0, 5], [1, 2]]), lib.ones(2, 2)), id="scatter_add"
    ),
    pytest.param(
        lambda lib: lib.ones(2, 3).scatter_reduce(1, lib.indices([[0, 5], [1, 2]]), lib.ones(2, 2), "amax"),
        id="scatter_reduce",
    ),
    pytest.param(lambda lib: lib.ones(2, 3).index_add(1, lib.indices([0, 5]), lib.ones(2, 2)), id="index_add"),
    pytest.param(lambda lib: lib.nn.EmbeddingBag(4, 3)(lib.indices([[0, 5]])), id="EmbeddingBag"),
    # torch's gather, scatter and index_select take no negative index (numpy's would count from the end)
    pytest.param(lambda lib: lib.ones(2, 3).gather(1, lib.indices([[0, -1], [1, 2]])), id="gather-negative"),
    pytest.param(lambda lib: lib.ones(2, 3).scatter(1, lib.indices([[0, -1]]), 9.0), id="scatter-negative"),
    pytest.param(
        lambda lib: lib.ones(2, 3).scatter_add(1, lib.indices([[-3, 1]]), lib.ones(1, 2)), id="scatter_add-negative"
    ),
    pytest.param(lambda lib: lib.ones(2, 3).index_select(1, lib.indices([2, -1])), id="index_select-negative"),
]


@pytest.mark.parametrize("call", INDEX_BOUNDS)
def test_gather_and_scatter_indices_out_of_bounds_are_also_torch_runtime_errors(call):
    _raises_both(call, A.IndexBoundsError, IndexError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.ones(2, 3).gather(1, lib.indices([[0, 1], [1, 2], [0, 0]])), id="gather"),
        pytest.param(lambda lib: lib.ones(2, 3).scatter(1, lib.indices([0, 1]), lib.ones(2, 2)), id="scatter"),
        pytest.param(
            lambda lib: lib.ones(2, 3).scatter_reduce(1, lib.indices([0, 1]), lib.ones(2, 2), "sum"),
            id="scatter_reduce",
        ),
    ],
)
def test_gather_and_scatter_indices_of_another_shape_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.ones(3, 4).scatter(0, lib.indices([[0] * 4] * 2), lib.ones(1, 4)), id="scatter"),
        pytest.param(
            lambda lib: lib.module.scatter_add(lib.ones(3, 4), 0, lib.indices([[0] * 4] * 2), lib.ones(1, 4)),
            id="scatter_add",
        ),
        pytest.param(
            lambda lib: lib.ones(3, 4).scatter_reduce(0, lib.indices([[0] * 4] * 2), lib.ones(1, 4), "sum"),
            id="scatter_reduce",
        ),
        pytest.param(lambda lib: lib.ones(3, 4).index_copy(0, lib.indices([0, 1]), lib.ones(2, 3)), id="index_copy"),
        pytest.param(lambda lib: lib.ones(3, 4).index_add(0, lib.indices([0, 1]), lib.ones(3, 4)), id="index_add"),
        pytest.param(
            lambda lib: lib.ones(3, 4).index_reduce(0, lib.indices([0, 1]), lib.ones(3, 4), "prod"),
            id="index_reduce",
            marks=pytest.mark.filterwarnings("ignore:index_reduce"),
        ),
        pytest.param(lambda lib: lib.ones(3, 4).select_scatter(lib.ones(3), 0, 0), id="select_scatter"),
        pytest.param(lambda lib: lib.ones(3, 4).slice_scatter(lib.ones(3), 0, 0, 1), id="slice_scatter"),
        pytest.param(lambda lib: lib.ones(3, 4).diagonal_scatter(lib.ones(4)), id="diagonal_scatter"),
        pytest.param(
            lambda lib: lib.module.take_along_dim(lib.ones(3, 4), lib.indices([0, 1]), 0), id="take_along_dim"
        ),
        pytest.param(lambda lib: lib.ones(3, 4).masked_fill(lib.ones(3, 4) > 0, lib.ones(2)), id="masked_fill"),
        pytest.param(lambda lib: lib.ones(3, 4).index_fill(0, lib.indices([0]), lib.ones(2)), id="index_fill"),
    ],
)
def test_sources_of_a_shape_an_index_op_cannot_write_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.ones(4, 3).index_select(0, lib.indices([0, 5])), id="index_select"),
        pytest.param(lambda lib: lib.F.embedding(lib.indices([0, 5]), lib.ones(4, 3)), id="embedding"),
        pytest.param(lambda lib: lib.ones(2, 3).index_copy(1, lib.indices([0, 5]), lib.ones(2, 2)), id="index_copy"),
        pytest.param(lambda lib: lib.module.take(lib.ones(2, 3), lib.indices([0, 9])), id="take"),
    ],
)
def test_indices_out_of_range_torch_raises_as_index_errors_are_not_runtime_errors(call):
    _keeps_its_class(call, IndexError, IndexError, not_also=RuntimeError)


BOOL_KERNELS = [
    pytest.param(lambda lib: lib.module.isin(_booleans(lib, [True, False]), _booleans(lib, [True])), id="isin-bools"),
    pytest.param(lambda lib: lib.module.isin(_integers(lib, [1, 0]), _booleans(lib, [True])), id="isin-bool-tests"),
    pytest.param(lambda lib: lib.module.isin(_booleans(lib, [True]), _integers(lib, [1])), id="isin-bool-elements"),
    pytest.param(lambda lib: lib.module.isin(_booleans(lib, [True, False]), True), id="isin-bool-scalar-test"),
    pytest.param(lambda lib: lib.module.isin(True, _booleans(lib, [True])), id="isin-bool-scalar-element"),
    pytest.param(lambda lib: lib.module.isin(_integers(lib, [1]), True), id="isin-int-and-bool-scalar"),
    pytest.param(lambda lib: lib.module.isin(_booleans(lib, []), _integers(lib, [1])), id="isin-empty-bools"),
    pytest.param(
        lambda lib: lib.module.scatter_reduce(_booleans(lib, [True, False]), 0, _integers(lib, [0]),
                                              _booleans(lib, [True]), "mean"),
        id="scatter_reduce-mean",
    ),
    pytest.param(
        lambda lib: _booleans(lib, [True, False]).scatter_reduce(0, _integers(lib, [0]), _booleans(lib, [True]),
                                                                 "mean", include_self=False),
        id="scatter_reduce-mean-exclude-self",
    ),
    pytest.param(
        lambda lib: _booleans(lib, [True, False]).scatter_reduce_(0, _integers(lib, [0]), _booleans(lib, [True]),
                                                                  "mean"),
        id="scatter_reduce_-mean",
    ),
    pytest.param(
        lambda lib: _booleans(lib, []).scatter_reduce(0, _integers(lib, []), _booleans(lib, []), "mean"),
        id="scatter_reduce-mean-empty",
    ),
]  # fmt: skip


@pytest.mark.parametrize("call", BOOL_KERNELS)
def test_isin_and_scatter_reduce_mean_of_bools_are_type_errors_and_torchs_runtime_error(call):
    _raises_both(call, A.DtypeKernelError, TypeError, RuntimeError)
    with pytest.raises(TypeError, match="(isin|scatter_reduce).*bool"):
        call(LIBRARY)


# -- counting and writing by index: torch's class, the library's kept ------------------------------------------
def _as(lib, values, dtype):
    return lib.module.tensor(np.array(values, dtype=dtype))


COUNT_AND_WRITE_ERRORS = [
    pytest.param(lambda lib: lib.module.bincount(_as(lib, [1.0, 2.0], np.float32)), A.BincountDtypeError,
                 ValueError, NotImplementedError, "bincount", id="bincount-float"),
    pytest.param(lambda lib: lib.module.bincount(_as(lib, [True, False], bool)), A.BincountDtypeError,
                 ValueError, NotImplementedError, "bincount", id="bincount-bool"),
    pytest.param(lambda lib: lib.module.bincount(_as(lib, [[1, 2]], np.int64)), A.ShapeError, ValueError,
                 RuntimeError, "bincount", id="bincount-2d"),
    pytest.param(lambda lib: lib.module.bincount(_as(lib, 1, np.int64)), A.ShapeError, ValueError, RuntimeError,
                 "bincount", id="bincount-0d"),
    pytest.param(lambda lib: lib.module.bincount(_as(lib, [1, 2], np.int64), minlength=-1), A.ArgumentRangeError,
                 ValueError, RuntimeError, "bincount.*minlength", id="bincount-negative-minlength"),
    pytest.param(lambda lib: lib.module.bincount(_as(lib, [1, 2], np.int64), _as(lib, [1.0, 2.0, 3.0], float)),
                 A.ShapeError, ValueError, RuntimeError, "bincount.*weights", id="bincount-weights-length"),
    pytest.param(lambda lib: lib.module.bincount(_as(lib, [1, 2], np.int64), _as(lib, [[1.0, 2.0]], float)),
                 A.ShapeError, ValueError, RuntimeError, "bincount.*weights", id="bincount-weights-2d"),
    pytest.param(lambda lib: lib.module.histc(_as(lib, [1, 2], np.int64), 3), A.DtypeKernelError, TypeError,
                 NotImplementedError, "histc.*int64", id="histc-int"),
    pytest.param(lambda lib: lib.module.histc(_as(lib, [True], bool), 3), A.DtypeKernelError, TypeError,
                 NotImplementedError, "histc.*bool", id="histc-bool"),
    pytest.param(lambda lib: lib.module.index_copy(lib.zeros(2, 3), 0, lib.indices([0, 1]), lib.zeros(3, 3)),
                 A.IndexCountError, ValueError, IndexError, "index_copy", id="index_copy-count"),
    pytest.param(lambda lib: lib.module.index_copy(lib.zeros(2, 3), 0, lib.indices([0, 1]), lib.zeros(2, 3, 1)),
                 A.IndexCountError, ValueError, IndexError, "index_copy", id="index_copy-dimensionality"),
    pytest.param(lambda lib: lib.module.put(lib.zeros(3), lib.indices([0]), lib.ones(2)), A.IndexCountError,
                 ValueError, IndexError, "put", id="put-count"),
    pytest.param(lambda lib: lib.zeros(3).put_(lib.indices([0, 1]), lib.ones(3)), A.IndexCountError,
                 ValueError, IndexError, "put", id="put_-count"),
    pytest.param(lambda lib: lib.module.index_put(lib.zeros(3), (_as(lib, [1.0], np.float32),), lib.ones(())),
                 A.IndexTensorDtypeError, TypeError, IndexError, "index_put.*float32", id="index_put-float-index"),
    pytest.param(lambda lib: lib.zeros(3).index_put_((_as(lib, [1.0], float),), lib.ones(())),
                 A.IndexTensorDtypeError, TypeError, IndexError, "index_put.*float64", id="index_put_-float-index"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "old", "torch_class", "message"), COUNT_AND_WRITE_ERRORS)
def test_counting_and_index_writing_errors_are_also_torchs_class(call, error, old, torch_class, message):
    _raises_both(call, error, old, torch_class)
    with pytest.raises(error, match=message):
        call(LIBRARY)


def test_index_copy_slices_of_another_shape_stay_a_shape_error_as_torchs_runtime_error():
    call = lambda lib: lib.module.index_copy(lib.zeros(2, 3), 0, lib.indices([0, 1]), lib.zeros(2, 4))  # noqa: E731
    _keeps_its_class(call, A.ShapeError, RuntimeError, not_also=IndexError)


# -- class-index targets out of range --------------------------------------------------------------------------
CLASS_INDICES = [
    pytest.param(lambda lib: lib.F.cross_entropy(lib.ones(3, 4), lib.indices([0, 1, 4])), id="cross_entropy"),
    pytest.param(lambda lib: lib.F.cross_entropy(lib.ones(3, 4), lib.indices([0, 1, -1])), id="cross_entropy-negative"),
    pytest.param(
        lambda lib: lib.F.cross_entropy(lib.ones(2, 4, 5), lib.indices([[0, 1, 2, 3, 9]] * 2)),
        id="cross_entropy-spatial",
    ),
    pytest.param(
        lambda lib: lib.F.cross_entropy(lib.ones(3, 4), lib.indices([0, -100, 7])), id="cross_entropy-beside-ignored"
    ),
    pytest.param(lambda lib: lib.F.nll_loss(lib.ones(3, 4), lib.indices([0, 1, 4])), id="nll_loss"),
    pytest.param(lambda lib: lib.nn.CrossEntropyLoss()(lib.ones(3, 4), lib.indices([0, 1, 4])), id="CrossEntropyLoss"),
    pytest.param(lambda lib: lib.nn.NLLLoss()(lib.ones(3, 4), lib.indices([0, 1, 4])), id="NLLLoss"),
]


@pytest.mark.parametrize("call", CLASS_INDICES)
def test_cross_entropy_targets_out_of_range_are_also_torch_index_errors(call):
    _raises_both(call, A.ClassIndexError, ValueError, IndexError)


def test_softmax_cross_entropy_raises_the_class_index_error_of_cross_entropy():
    with pytest.raises(A.ClassIndexError, match=r"class indices must lie in \[0, 3\]"):
        A.softmax_cross_entropy(A.zeros(3, 4), np.array([0, 1, 4]))


def test_multi_margin_loss_target_out_of_range_stays_a_plain_value_error_as_torch_raises_no_index_error():
    _keeps_its_class(
        lambda lib: lib.F.multi_margin_loss(lib.ones(3, 4), lib.indices([0, 1, 4])),
        ValueError,
        RuntimeError,
        not_also=IndexError,
    )


# -- activations and distances ---------------------------------------------------------------------------------
DIMS_OUT_OF_RANGE = [
    pytest.param(lambda lib: lib.F.softmax(lib.zeros(2, 3), dim=2), id="softmax"),
    pytest.param(lambda lib: lib.F.log_softmax(lib.zeros(2, 3), dim=-3), id="log_softmax"),
    pytest.param(lambda lib: lib.F.softmin(lib.zeros(2, 3), dim=5), id="softmin"),
    pytest.param(lambda lib: lib.nn.Softmax(dim=2)(lib.zeros(2, 3)), id="Softmax"),
    pytest.param(lambda lib: lib.F.glu(lib.zeros(2, 4), dim=2), id="glu"),
    pytest.param(lambda lib: lib.F.normalize(lib.zeros(2, 3), dim=2), id="normalize"),
    pytest.param(lambda lib: lib.F.cosine_similarity(lib.zeros(3), lib.zeros(3)), id="cosine_similarity"),
    pytest.param(lambda lib: lib.F.multilabel_soft_margin_loss(lib.zeros(()), lib.zeros(())), id="multilabel-0d"),
]


@pytest.mark.parametrize("call", DIMS_OUT_OF_RANGE)
def test_a_dim_out_of_range_is_an_axis_error_as_torchs_index_error(call):
    _raises_both(call, np.exceptions.AxisError, ValueError, IndexError)


@pytest.mark.parametrize("k", [0, 2])
@pytest.mark.parametrize("dim", [1, -2])
def test_kthvalue_of_a_0d_tensor_checks_the_dim_before_k_as_torch(k, dim):
    _raises_both(lambda lib: lib.module.zeros(()).kthvalue(k, dim), np.exceptions.AxisError, ValueError, IndexError)


@pytest.mark.parametrize("dim", [1, -2])
def test_scatter_reduce_into_a_0d_tensor_along_another_dim_is_an_axis_error_as_torchs_index_error(dim):
    call = lambda lib: lib.doubles(()).scatter_reduce(dim, lib.indices([0, 0]), lib.doubles(2), "sum")  # noqa: E731
    _raises_both(call, np.exceptions.AxisError, ValueError, IndexError)


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dim", [1, -2])
def test_max_and_min_with_a_dim_past_a_0d_tensors_one_are_axis_errors_as_torchs_index_error(op, dim):
    _raises_both(
        lambda lib: getattr(lib.module.zeros(()), op)(dim=dim), np.exceptions.AxisError, ValueError, IndexError
    )


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
def test_max_and_min_of_a_0d_tensor_along_dim_0_or_minus_1_give_torchs_pair(op, dim):
    torch = _torch()
    values, indices = getattr(A.tensor(2.5), op)(dim=dim)
    expected_values, expected_indices = getattr(torch.module.tensor(2.5), op)(dim=dim)
    assert values.shape == tuple(expected_values.shape) and indices.shape == tuple(expected_indices.shape)
    assert values.item() == expected_values.item() and indices.item() == expected_indices.item()


GLU_SHAPES = [
    pytest.param(lambda lib: lib.F.glu(lib.zeros(2, 3), dim=1), id="odd-axis"),
    pytest.param(lambda lib: lib.nn.GLU(0)(lib.zeros(3, 4)), id="GLU-odd-axis"),
    pytest.param(lambda lib: lib.F.glu(lib.module.zeros(())), id="0d"),
]


@pytest.mark.parametrize("call", GLU_SHAPES)
def test_glu_of_an_axis_it_cannot_halve_is_also_a_torch_runtime_error(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


def test_prelu_weight_of_another_length_than_the_channels_is_also_a_torch_runtime_error():
    _raises_both(lambda lib: lib.F.prelu(lib.zeros(2, 3, 4), lib.zeros(2)), A.ShapeError, ValueError, RuntimeError)


def test_cross_entropy_ignore_index_with_probability_targets_is_also_a_torch_runtime_error():
    _raises_both(
        lambda lib: lib.F.cross_entropy(lib.zeros(2, 3), lib.ones(2, 3) / 3, ignore_index=1),
        nn.checks.UnsupportedOptionError,
        ValueError,
        RuntimeError,
    )


# -- reductions over an empty dimension -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, torch_class",
    [
        pytest.param(lambda lib: lib.zeros(0, 3).max(dim=0), IndexError, id="max-dim"),
        pytest.param(lambda lib: lib.zeros(0, 3).min(dim=0), IndexError, id="min-dim"),
        pytest.param(lambda lib: lib.zeros(0, 3).amax(0), IndexError, id="amax"),
        pytest.param(lambda lib: lib.zeros(0, 3).argmax(0), IndexError, id="argmax"),
        pytest.param(lambda lib: lib.zeros(0, 3).max(), RuntimeError, id="max-all"),
        pytest.param(lambda lib: lib.zeros(0, 3).argmin(), IndexError, id="argmin-all"),
    ],
)
def test_reductions_over_an_empty_dimension_raise_numpys_and_torchs_classes(call, torch_class):
    _raises_both(call, A.EmptyReductionError, ValueError, torch_class)
    with pytest.raises(IndexError):  # every spelling catches it, whichever class torch picked
        call(LIBRARY)
    with pytest.raises(RuntimeError):
        call(LIBRARY)


def test_reducing_an_empty_tensor_along_a_non_empty_dimension_is_not_an_error():
    values, indices = LIBRARY.zeros(0, 3).max(dim=1)
    assert values.shape == indices.shape == (0,)


#: Calls where torch raises a RuntimeError and the library an error that is both that and a ValueError: bad loss
#: arguments (ArgumentRangeError), layer and tensor-op shapes and ranks (ShapeError), counts and ranges.
RUNTIME_AND_VALUE_ERRORS = [
    lambda: F.cross_entropy(Tensor(np.ones((4, 3))), np.array([0, 1, 2, 1]), weight=np.ones(2)),
    lambda: F.cross_entropy(Tensor(np.ones((4, 3))), np.array([0, 1, 2, 1]), label_smoothing=1.5),
    lambda: F.smooth_l1_loss(Tensor(np.ones(3)), Tensor(np.ones(3)), beta=-1.0),
    lambda: F.huber_loss(Tensor(np.ones(3)), Tensor(np.ones(3)), delta=0.0),
    lambda: F.binary_cross_entropy(Tensor(np.full(3, 1.5)), Tensor(np.ones(3))),
    lambda: nn.Unflatten(1, (2, 2))(Tensor(np.ones((4, 3)))),
    lambda: Tensor(np.ones((4, 3))).unflatten(1, (2, 2)),
    lambda: nn.RNN(3, 4)(Tensor(np.ones((5, 2, 2), dtype=np.float32))),
    lambda: nn.RNN(3, 4)(Tensor(np.ones((5, 2, 3), dtype=np.float32)), Tensor(np.zeros((1, 3, 4), np.float32))),
    lambda: nn.LSTMCell(3, 4)(Tensor(np.ones((2, 2), dtype=np.float32))),
    lambda: Tensor(np.arange(6.0).reshape(2, 3)).topk(5),
    lambda: Tensor(np.array(3.0)).tril(),
    lambda: A.diag(Tensor(np.array(3.0))),
    lambda: A.trace(Tensor(np.array(3.0))),
    lambda: A.rot90(Tensor(np.array(3.0))),
    lambda: A.mv(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))),
    lambda: (lambda x: A.grad(x.sum(), [x], grad_outputs=[None, None]))(Tensor(np.ones(2), requires_grad=True)),
    lambda: A.histc(Tensor(np.arange(6.0)), bins=4, min=3, max=1),
    lambda: A.histc(Tensor(np.arange(6.0)), bins=0),
    lambda: A.searchsorted(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))),
    lambda: A.bucketize(Tensor(np.array([1.0])), Tensor(np.ones((2, 2)))),
    lambda: Tensor(np.arange(6.0)).repeat_interleave(-1),
    lambda: A.bincount(Tensor(np.array([-1, 2]))),
    lambda: A.einsum("ij,jk->ik", Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))),
    lambda: Tensor(np.ones(3)).narrow(0, 2, 5),
    lambda: Tensor(np.ones((2, 3))).clamp(min=Tensor(np.ones(4))),
]


@pytest.mark.parametrize("call", RUNTIME_AND_VALUE_ERRORS)
def test_bad_arguments_shapes_and_ranges_raise_torchs_runtime_error_which_is_also_a_value_error(call):
    with pytest.raises(RuntimeError):
        call()
    with pytest.raises(ValueError):
        call()


FACTORY_RANGES = [
    pytest.param(lambda lib: lib.module.zeros(-1, 2), id="zeros-negative-dim"),
    pytest.param(lambda lib: lib.module.ones((2, -3)), id="ones-negative-dim"),
    pytest.param(lambda lib: lib.module.full((-1,), 1.0), id="full-negative-dim"),
    pytest.param(lambda lib: lib.module.randn(-1), id="randn-negative-dim"),
    pytest.param(lambda lib: lib.zeros(2).new_zeros(-1), id="new_zeros-negative-dim"),
    pytest.param(lambda lib: lib.zeros(2).new_full((-1,), 2.0), id="new_full-negative-dim"),
    pytest.param(lambda lib: lib.module.arange(0, 5, 0), id="arange-step-0"),
    pytest.param(lambda lib: lib.module.arange(0, 5, -1), id="arange-step-of-the-wrong-sign"),
    pytest.param(lambda lib: lib.module.arange(0, float("inf")), id="arange-infinite-end"),
    pytest.param(lambda lib: lib.module.arange(0, 1, float("nan")), id="arange-nan-step"),
    pytest.param(lambda lib: lib.module.linspace(0, 1, -1), id="linspace-negative-steps"),
]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.indices([1, 2]) ** -1, id="operator"),
        pytest.param(lambda lib: lib.indices([1, 2]).pow(-2), id="method"),
    ],
)
def test_an_integer_tensor_to_a_negative_integer_power_is_also_a_torch_runtime_error(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.doubles(3).div(lib.doubles(3) + 1, rounding_mode="typo"), id="div-float"),
        pytest.param(lambda lib: lib.indices([4]).div(lib.indices([2]), rounding_mode="round"), id="div-integer"),
        pytest.param(lambda lib: lib.module.div(lib.doubles(2), 2.0, rounding_mode="Floor"), id="module-div"),
    ],
)
def test_a_rounding_mode_other_than_none_floor_or_trunc_is_also_torchs_runtime_error(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    ("subscripts", "shapes"),
    [
        pytest.param("...ik...,...jk->", [(2, 3, 4), (2, 3, 4)], id="two-ellipses"),
        pytest.param("ij,jk->ij", [(2, 3), (3, 2), (2, 2)], id="more-operands"),
        pytest.param("ij,jk->ij", [(2, 3)], id="fewer-operands"),
        pytest.param("ij->i", [(3,)], id="fewer-dimensions"),
        pytest.param("i->i", [(3, 2)], id="more-dimensions"),
        pytest.param("i1->i", [(3, 2)], id="not-a-letter"),
    ],
)
def test_einsum_subscripts_that_do_not_fit_the_operands_are_also_torchs_runtime_error(subscripts, shapes):
    def call(lib):
        return lib.module.einsum(subscripts, *(lib.doubles(*shape) for shape in shapes))

    _raises_both(call, ValueError, ValueError, RuntimeError)


@pytest.mark.parametrize("indexing", ["bad", "IJ", "yx"])
def test_a_meshgrid_indexing_other_than_ij_or_xy_is_also_torchs_runtime_error(indexing):
    _raises_both(
        lambda lib: lib.module.meshgrid(lib.doubles(2), lib.doubles(3), indexing=indexing),
        A.ArgumentRangeError,
        ValueError,
        RuntimeError,
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.doubles(3).isclose(lib.doubles(3), rtol=-1e-5), id="isclose-rtol"),
        pytest.param(lambda lib: lib.doubles(3).isclose(lib.doubles(3), atol=-1.0), id="isclose-atol"),
        pytest.param(lambda lib: lib.module.isclose(lib.doubles(3), lib.doubles(3), -1.0), id="module-isclose"),
        pytest.param(lambda lib: lib.doubles(3).allclose(lib.doubles(3), atol=-1e-8), id="allclose-atol"),
        pytest.param(lambda lib: lib.module.allclose(lib.doubles(3), lib.doubles(3), 1e-5, -1.0), id="module-allclose"),
    ],
)
def test_a_negative_tolerance_of_isclose_and_allclose_is_also_torchs_runtime_error(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.doubles(2) & lib.indices([1, 2]), id="and"),
        pytest.param(lambda lib: 1 | lib.doubles(2), id="reflected-or"),
        pytest.param(lambda lib: lib.doubles(2).bitwise_xor(lib.doubles(2)), id="bitwise_xor"),
        pytest.param(lambda lib: lib.doubles(2).bitwise_not(), id="bitwise_not"),
        pytest.param(lambda lib: lib.doubles(2) << 1, id="lshift"),
        pytest.param(lambda lib: lib.indices([4]) >> lib.doubles(1), id="rshift-by-float"),
        pytest.param(lambda lib: lib.indices([4]) & 1.5, id="and-float-number"),
    ],
)
def test_bitwise_ops_of_floats_are_type_errors_also_torchs_not_implemented_error(call):
    _raises_both(call, TypeError, TypeError, NotImplementedError)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda x, y: x.div_(y, rounding_mode="floor"), id="div_-floor"),
        pytest.param(lambda x, y: x.div_(y, rounding_mode="trunc"), id="div_-trunc"),
        pytest.param(lambda x, y: x.remainder_(y), id="remainder_"),
        pytest.param(lambda x, y: x.fmod_(y), id="fmod_"),
        pytest.param(lambda x, y: x.floor_divide_(y), id="floor_divide_"),
        pytest.param(lambda x, y: x.copysign_(y), id="copysign_"),
        pytest.param(lambda x, y: x.__imod__(y), id="imod"),
        pytest.param(lambda x, y: x.__ifloordiv__(y), id="ifloordiv"),
        pytest.param(lambda x, y: x.atan2_(y), id="atan2_"),
    ],
)
def test_an_in_place_twin_whose_result_would_not_keep_the_shape_is_also_torchs_runtime_error(change):
    _raises_both(lambda lib: change(lib.doubles(4) + 1, lib.doubles(3, 4) + 2), A.ShapeError, ValueError, RuntimeError)


@pytest.mark.parametrize("call", FACTORY_RANGES)
def test_factory_sizes_and_ranges_torch_refuses_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda lib: lib.doubles(3, 0).median(dim=1), A.EmptyReductionError),
        (lambda lib: lib.doubles(3, 0).kthvalue(1, dim=1), A.EmptyReductionError),
        (lambda lib: lib.doubles(0, 3).mode(0), A.EmptyReductionError),
        (lambda lib: lib.ones(3).narrow(0, 5, 0), IndexError),
    ],
)
def test_an_empty_dim_of_an_order_statistic_and_a_narrow_start_out_of_range_are_index_errors_as_torchs(call, error):
    with pytest.raises(error):
        call(LIBRARY)
    with pytest.raises(IndexError):
        call(_torch())


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, x, i: x.scatter_reduce(0, i, x, "INVALID"), id="scatter_reduce"),
        pytest.param(lambda lib, x, i: x.index_reduce(0, i[0], x, "sum"), id="index_reduce"),
        pytest.param(lambda lib, x, i: x.scatter(0, i, x, reduce="typo"), id="scatter-src"),
        pytest.param(lambda lib, x, i: x.scatter(0, i, 1.0, reduce="typo"), id="scatter-value"),
        pytest.param(lambda lib, x, i: x.clone().scatter_(0, i, 1.0, reduce="typo"), id="scatter_"),
    ],
)
def test_an_unknown_reduce_of_scatter_and_index_reduce_is_also_torchs_runtime_error(call):
    # tinygrad's test_scatter_reduce_errors and test_scatter: reduce="INVALID" was a ValueError alone
    def on(lib):
        return call(lib, lib.doubles(3, 3) + 1, lib.indices([[0, 1, 2], [2, 1, 0], [0, 0, 0]]))

    with warnings.catch_warnings():  # torch's deprecation of scatter's reduce with a Tensor src
        warnings.simplefilter("ignore", UserWarning)
        _raises_both(on, A.ArgumentRangeError, ValueError, RuntimeError)


@pytest.mark.parametrize("steps", [2.5, 3.0, True])
def test_linspace_of_a_float_or_bool_number_of_steps_is_a_type_error_as_torchs_and_numpys(steps):
    with pytest.raises(TypeError, match="linspace: the number of samples"):
        A.linspace(0, 1, steps)
    with pytest.raises(TypeError):
        _torch().module.linspace(0, 1, steps)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda x: x.tensor_split(1.5), id="tensor_split-sections"),
        pytest.param(lambda x: x.tensor_split([1.0, 2]), id="tensor_split-indices"),
        pytest.param(lambda x: x.roll(1.5, 0), id="roll"),
        pytest.param(lambda x: x.kthvalue(1.5), id="kthvalue"),
        pytest.param(lambda x: x.repeat_interleave(1.5), id="repeat_interleave"),
        pytest.param(lambda x: x.unflatten(1, (2.5, 2)), id="unflatten"),
        pytest.param(lambda x: x.select(0, 1.5), id="select"),
        pytest.param(lambda x: x.diff(1.0), id="diff"),
    ],
)
def test_a_float_where_a_count_or_position_is_an_integer_is_a_type_error_as_torchs(call):
    # tensor_split(1.5) and roll(1.5) truncated the float without a word and unflatten(1, (2.5, 2)) read (2, 2);
    # the others raised a ValueError or an IndexError where torch raises TypeError
    with pytest.raises(TypeError):
        call(_torch().module.arange(12.0).reshape(3, 4))
    with pytest.raises(TypeError):
        call(Tensor(np.arange(12.0).reshape(3, 4)))


def test_one_hot_of_no_indices_needs_num_classes_as_torchs():
    # the class count comes from the largest index: an empty tensor has none (it gave shape (0, 0))
    with pytest.raises(RuntimeError, match="empty tensor"):
        _torch().module.nn.functional.one_hot(_torch().module.zeros(0, dtype=_torch().module.long))
    with pytest.raises(RuntimeError, match="one_hot: can not infer the number of classes from an empty tensor"):
        F.one_hot(Tensor(np.zeros(0, dtype=np.int64)))
    assert F.one_hot(Tensor(np.zeros(0, dtype=np.int64)), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: -lib.module.tensor([True, False]), id="operator"),
        pytest.param(lambda lib: lib.module.tensor([True, False]).neg(), id="neg"),
        pytest.param(lambda lib: lib.module.tensor([True, False]).negative(), id="negative"),
        pytest.param(lambda lib: lib.module.neg(lib.module.tensor([True, False])), id="module-neg"),
        pytest.param(lambda lib: lib.module.tensor([True, False]).neg_(), id="neg_"),
    ],
)
def test_negating_a_bool_tensor_names_neg_and_is_also_torchs_runtime_error(call):
    # numpy's own TypeError ("The numpy boolean negative ...") came through, naming neither the op nor the dtype
    with pytest.raises(RuntimeError, match="bool"):
        call(_torch())
    with pytest.raises(TypeError, match=r"^neg_?: .*bool.*~") as caught:
        call(LIBRARY)
    assert isinstance(caught.value, RuntimeError)


def test_np_negative_of_a_bool_tensor_names_neg():
    with pytest.raises(TypeError, match=r"^neg: .*bool.*~"):
        np.negative(A.tensor([True, False]))


# -- nn.utils ---------------------------------------------------------------------------------------------------
NN_UTILS_SHAPES = [
    pytest.param(
        lambda lib: lib.nn.utils.vector_to_parameters(lib.doubles(5), [lib.doubles(3, 4)]), id="vector-too-short"
    ),
    pytest.param(lambda lib: lib.nn.utils.vector_to_parameters(lib.doubles(5, 5), [lib.doubles(3, 4)]), id="vector-2d"),
    pytest.param(
        lambda lib: lib.nn.utils.rnn.pad_sequence([lib.zeros(2, 3), lib.zeros(2, 4)]), id="pad-sequence-trailing"
    ),
    pytest.param(lambda lib: lib.nn.utils.rnn.pad_sequence([]), id="pad-sequence-empty"),
]


@pytest.mark.parametrize("call", NN_UTILS_SHAPES)
def test_nn_utils_shapes_that_do_not_fit_are_also_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


# -- ops of a dtype they have no computation for: torch's NotImplementedError, the library's TypeError ------------
def _integers(lib, values):
    return lib.module.tensor(np.array(values, dtype=np.int64))


def _floats(lib, values):
    return lib.module.tensor(np.array(values, dtype=np.float64))


DTYPE_KERNELS = [
    pytest.param(lambda lib: lib.module.gcd(_floats(lib, [4.0]), _floats(lib, [2.0])), id="gcd-floats"),
    pytest.param(lambda lib: lib.module.lcm(_floats(lib, [4.0]), _floats(lib, [2.0])), id="lcm-floats"),
    pytest.param(lambda lib: lib.module.nextafter(_integers(lib, [4]), _integers(lib, [2])), id="nextafter-integers"),
    pytest.param(
        lambda lib: lib.module.ldexp(_floats(lib, [4.0]), lib.module.tensor(np.array([True]))), id="ldexp-bool"
    ),
    pytest.param(lambda lib: lib.module.hypot(_integers(lib, [3]), _integers(lib, [4])), id="hypot-integers"),
    pytest.param(lambda lib: lib.module.logaddexp(_integers(lib, [3]), _integers(lib, [4])), id="logaddexp-integers"),
    pytest.param(
        lambda lib: lib.module.logaddexp2(_integers(lib, [3]), lib.module.tensor(np.array([True]))),
        id="logaddexp2-integer-and-bool",
    ),
]


@pytest.mark.parametrize("call", DTYPE_KERNELS)
def test_an_op_of_a_dtype_it_does_not_compute_is_a_type_error_and_torchs_not_implemented_error(call):
    _raises_both(call, TypeError, TypeError, NotImplementedError)


def _booleans(lib, values):
    return lib.module.tensor(np.array(values, dtype=bool))


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("method", ["index_reduce", "index_reduce_"])
def test_index_reduce_of_a_bool_tensor_is_a_type_error_and_torchs_not_implemented_error(method, reduce, include_self):
    def call(lib):
        self = _booleans(lib, [True, False])
        return getattr(self, method)(0, _integers(lib, [0]), _booleans(lib, [True]), reduce, include_self=include_self)

    _raises_both(call, A.DtypeKernelError, TypeError, NotImplementedError)
    with pytest.raises(TypeError, match="index_reduce.*bool"):
        call(LIBRARY)


def test_numpys_hypot_and_logaddexp_of_integer_tensors_stay_numpys_float_results():
    three, four = A.tensor(np.array([3])), A.tensor(np.array([4]))
    np.testing.assert_allclose(np.hypot(three, four).data, [5.0])
    np.testing.assert_allclose(np.logaddexp(three, four).data, np.logaddexp(3.0, 4.0))
    np.testing.assert_allclose(np.logaddexp2(three, np.array([4])).data, np.logaddexp2(3.0, 4.0))
    np.testing.assert_allclose(A.hypot(three, A.tensor([4.0])).data, [5.0])  # (a float operand: torch's too)


DTYPE_MISMATCHES = [
    pytest.param(lambda lib: lib.module.heaviside(lib.zeros(2), lib.doubles(2)), id="heaviside-float32-float64"),
    pytest.param(lambda lib: lib.module.heaviside(_integers(lib, [0, 1]), lib.doubles(2)), id="heaviside-int-float"),
    pytest.param(lambda lib: lib.module.isclose(lib.zeros(2), lib.doubles(2)), id="isclose-float32-float64"),
    pytest.param(lambda lib: lib.module.isclose(_integers(lib, [0, 1]), lib.doubles(2)), id="isclose-int-float"),
    pytest.param(lambda lib: lib.module.allclose(lib.zeros(2), lib.doubles(2)), id="allclose-float32-float64"),
]


@pytest.mark.parametrize("call", DTYPE_MISMATCHES)
def test_tensors_of_two_dtypes_where_one_is_taken_are_a_type_error_and_torchs_runtime_error(call):
    _raises_both(call, TypeError, TypeError, RuntimeError)


LAYER_SIZES = [
    pytest.param(lambda lib: lib.nn.Linear(3, -1), ValueError, RuntimeError, id="Linear-negative-out"),
    pytest.param(lambda lib: lib.nn.Linear(-1, 3), ValueError, RuntimeError, id="Linear-negative-in"),
    pytest.param(lambda lib: lib.nn.Bilinear(3, 3, -1), ValueError, RuntimeError, id="Bilinear-negative-out"),
    pytest.param(lambda lib: lib.nn.Embedding(0, 3, padding_idx=0), AssertionError, IndexError, id="Embedding-empty"),
]


@pytest.mark.parametrize("call, old, torch_class", LAYER_SIZES)
def test_layer_sizes_torch_cannot_allocate_raise_the_library_class_and_torchs(call, old, torch_class):
    _raises_both(call, torch_class, old, torch_class)


EMBEDDING_TABLES = [
    pytest.param(lambda lib: lib.nn.Embedding.from_pretrained(lib.doubles(3)), id="Embedding-pretrained-1d"),
    pytest.param(lambda lib: lib.nn.Embedding.from_pretrained(lib.doubles(1, 3, 2)), id="Embedding-pretrained-3d"),
    pytest.param(lambda lib: lib.nn.EmbeddingBag.from_pretrained(lib.doubles(3)), id="EmbeddingBag-pretrained-1d"),
    pytest.param(lambda lib: lib.nn.Embedding(4, 3, _weight=lib.doubles(3, 4)), id="Embedding-_weight-shape"),
    pytest.param(lambda lib: lib.nn.EmbeddingBag(4, 3, _weight=lib.doubles(4, 2)), id="EmbeddingBag-_weight-shape"),
]


@pytest.mark.parametrize("call", EMBEDDING_TABLES)
def test_embedding_tables_of_the_wrong_shape_are_torchs_assertion_error_and_a_value_error(call):
    """torch asserts a pretrained table is 2-D and a ``_weight`` has (num_embeddings, embedding_dim) (an
    AssertionError); the library's ValueError is one too."""
    _raises_both(call, AssertionError, ValueError, AssertionError)


RECURRENT_DROPOUTS = [
    pytest.param(lambda lib: lib.nn.LSTM(3, 4, num_layers=2, dropout=True), id="LSTM-bool"),
    pytest.param(lambda lib: lib.nn.GRU(3, 4, num_layers=2, dropout="0.5"), id="GRU-str"),
    pytest.param(lambda lib: lib.nn.RNN(3, 4, num_layers=2, dropout=False), id="RNN-False"),
]


@pytest.mark.parametrize("call", RECURRENT_DROPOUTS)
def test_a_recurrent_dropout_that_is_not_a_number_is_torchs_value_error_and_a_type_error(call):
    _raises_both(call, ValueError, TypeError, ValueError)


# -- torch's OpInfo error inputs (tests/test_opinfo_error_inputs_torch.py): the class torch raises, for its reason --
def _raises_as_torch(call, match: str) -> None:
    """torch raises for ``call``; the library raises too, an instance of the built-in class torch's error is (what a
    torch user's ``except`` catches), with a message naming the op and the reason (``match``)."""
    torch = _torch()
    with pytest.raises(Exception) as theirs:
        call(torch)
    expected = next(cls for cls in type(theirs.value).__mro__ if cls.__module__ == "builtins")
    with pytest.raises(expected, match=match):
        call(LIBRARY)


OPINFO_ERROR_CLASSES = [
    pytest.param(lambda lib: lib.zeros(10, 5, 10).sum_to_size(10, 10), "sum_to_size: size", id="sum_to_size"),
    pytest.param(lambda lib: lib.module.cov(lib.ones(5), fweights=lib.ones(5, 5)), "cov: fweights", id="cov-2d"),
    pytest.param(
        lambda lib: lib.module.cov(lib.ones(5), aweights=lib.indices([1, 1])), "aweights must be floating", id="cov-int"
    ),
    pytest.param(
        lambda lib: lib.module.cov(lib.ones(5), fweights=lib.indices([1, -1, 1, 1, 1])), "non-negative", id="cov-neg"
    ),
    pytest.param(lambda lib: lib.module.diagonal(lib.zeros(10, 20), dim1=10000), "out of range", id="diagonal-dim"),
    pytest.param(
        lambda lib: lib.module.linalg.cross(lib.zeros(5, 5, 3), lib.zeros(5, 3)), "same number of dim", id="cross-ndim"
    ),
    pytest.param(
        lambda lib: lib.module.linalg.cross(lib.zeros(5, 2), lib.zeros(5, 2), dim=2), "out of bounds", id="cross-dim"
    ),
    pytest.param(lambda lib: lib.module.rot90(lib.zeros(5)), "rot90: needs at least 2", id="rot90-vector"),
    pytest.param(lambda lib: lib.zeros(2, 2).masked_fill(lib.zeros(2, 2) > 1, 1j), "complex", id="masked_fill-1j"),
    pytest.param(lambda lib: lib.F.adaptive_avg_pool2d(lib.zeros(1, 2, 3, 4), ()), "pair", id="adaptive_avg_pool2d"),
    pytest.param(lambda lib: lib.F.adaptive_max_pool2d(lib.zeros(1, 2, 3, 4), ()), "pair", id="adaptive_max_pool2d"),
    pytest.param(lambda lib: lib.F.adaptive_avg_pool3d(lib.zeros(1, 2, 3, 4), ()), "three", id="adaptive_avg_pool3d"),
    pytest.param(lambda lib: lib.F.rms_norm(lib.zeros(1, 2, 3), ()), "at least one entry", id="rms_norm-empty"),
    pytest.param(lambda lib: lib.zeros(10, 5, 20).narrow_copy(3, 0, 0), "dim 3 is out of range", id="narrow_copy"),
    pytest.param(
        lambda lib: lib.F.multi_margin_loss(lib.zeros(5, 4), lib.zeros(5), weight=lib.ones(5, 4)),
        "weight must be one-dimensional",
        id="multi_margin_loss-weight",
    ),
    pytest.param(
        lambda lib: lib.F.multi_margin_loss(lib.zeros(5, 0), lib.zeros(5)), "C > 0", id="multi_margin_loss-empty"
    ),
    pytest.param(
        lambda lib: lib.F.multilabel_margin_loss(lib.zeros(0), lib.zeros(0)), "C > 0", id="multilabel_margin_loss"
    ),
    pytest.param(
        lambda lib: lib.F.multilabel_margin_loss(lib.zeros(5, 4), lib.zeros(5, 4)), "integer", id="multilabel-float"
    ),
    pytest.param(
        lambda lib: lib.module.logspace(lib.indices([1, 2]), lib.indices([3, 4]), 1), "logspace: start", id="logspace"
    ),
    pytest.param(
        lambda lib: lib.F.conv2d(lib.zeros(1, 1, 4, 4), lib.zeros(1, 2, 2, 3), stride=-1), "stride", id="conv2d-stride"
    ),
    pytest.param(
        lambda lib: lib.F.conv1d(lib.indices([[[1, 2, 3, 4]]]), lib.indices([[[1, 2]]]), lib.doubles(1)),
        "input \\(int64\\) and bias \\(float64\\)",
        id="conv1d-int-input-float-bias",
    ),
    pytest.param(
        lambda lib: lib.F.conv2d(lib.zeros(1, 1, 4, 4), lib.doubles(1, 1, 2, 2)), "same dtype", id="conv2d-dtypes"
    ),
    pytest.param(
        lambda lib: lib.F.conv3d(lib.doubles(1, 1, 2, 2, 2), lib.doubles(1, 1, 1, 1, 1), lib.zeros(1)),
        "same dtype",
        id="conv3d-dtypes",
    ),
]


@pytest.mark.parametrize(("call", "match"), OPINFO_ERROR_CLASSES)
def test_opinfo_error_inputs_raise_torchs_class_for_torchs_reason(call, match):
    _raises_as_torch(call, match)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib: lib.ones(3).masked_select(lib.module.tensor([True, False])), id="masked_select"),
        pytest.param(
            lambda lib: lib.module.autograd.backward(
                [lib.ones(2).requires_grad_() * 2, lib.ones(2).requires_grad_() * 3], [lib.ones(2)]
            ),
            id="backward-counts",
        ),
    ],
)
def test_shape_mismatches_of_masked_select_and_backward_are_torch_runtime_errors(call):
    _raises_both(call, A.ShapeError, ValueError, RuntimeError)


#: Layer arguments torch refuses with a RuntimeError that the library refused with a plain ValueError.
LAYER_ARGUMENT_RUNTIME_ERRORS = [
    pytest.param(
        lambda lib: lib.F.instance_norm(lib.zeros(2, 3, 4), use_input_stats=False), id="instance_norm-no-running-stats"
    ),
    pytest.param(lambda lib: lib.nn.Unflatten(1, (-1, -1))(lib.zeros(2, 6)), id="Unflatten-two-inferred-sizes"),
]


@pytest.mark.parametrize("call", LAYER_ARGUMENT_RUNTIME_ERRORS)
def test_instance_norm_without_running_stats_and_unflatten_inferring_two_sizes_are_torchs_runtime_errors(call):
    _raises_both(call, RuntimeError, ValueError, RuntimeError)
