"""torch's keyword arguments of nn.functional and of the nn layers' constructors, each passed by name with torch's
parameter name and compared with torch's result (float64, rtol 1e-9): every function of torch.nn.functional and
every layer of torch.nn that nn has (tables below), and the ones torch has that were refused here."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(0)


# -- F.normalize(..., out=) -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_normalize_writes_into_out_and_returns_it_as_torch(dtype):
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4)).astype(dtype)
    out, their_out = Tensor(np.zeros((3, 4), dtype)), torch.zeros(3, 4, dtype=getattr(torch, np.dtype(dtype).name))
    ours = F.normalize(input=Tensor(x), p=3.0, dim=0, eps=1e-6, out=out)
    theirs = torch.nn.functional.normalize(input=torch.tensor(x), p=3.0, dim=0, eps=1e-6, out=their_out)
    assert ours is out and theirs is their_out
    assert out.dtype == dtype
    rtol = {np.float64: 1e-9, np.float32: 1e-6, np.float16: 2e-3}[dtype]  # float32/16: within an ulp of torch's
    np.testing.assert_allclose(out.data, their_out.numpy(), rtol=rtol)


def test_normalize_takes_out_none_by_keyword_and_by_position_as_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4))
    expected = torch.nn.functional.normalize(torch.tensor(x), 1, -1, 1e-6, None).numpy()
    np.testing.assert_allclose(F.normalize(Tensor(x), 1, -1, 1e-6, None).data, expected, rtol=1e-9)
    np.testing.assert_allclose(F.normalize(input=Tensor(x), p=1, dim=-1, eps=1e-6, out=None).data, expected, rtol=1e-9)


def test_normalize_into_out_casts_float64_into_a_float32_out_as_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 5))
    out, their_out = Tensor(np.zeros((2, 5), np.float32)), torch.zeros(2, 5, dtype=torch.float32)
    F.normalize(Tensor(x), out=out)
    torch.nn.functional.normalize(torch.tensor(x), out=their_out)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, their_out.numpy())


def test_normalize_into_out_refuses_an_input_that_requires_grad_as_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.nn.functional.normalize(torch.tensor(x, requires_grad=True), out=torch.zeros(2, 3, dtype=torch.float64))
    out = Tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="normalize.*don't support automatic differentiation"):
        F.normalize(Tensor(x, requires_grad=True), out=out)
    np.testing.assert_array_equal(out.data, 0.0)


# -- nn.Hardtanh(min_value=, max_value=) ----------------------------------------------------------------------
def _hardtanh_pair(torch, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = nn.Hardtanh(*args, **kwargs)
    with warnings.catch_warnings(record=True) as their_caught:
        warnings.simplefilter("always")
        theirs = torch.nn.Hardtanh(*args, **kwargs)
    return ours, theirs, caught, their_caught


def test_hardtanh_takes_torchs_deprecated_min_value_and_max_value_with_its_future_warning():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4))
    ours, theirs, caught, their_caught = _hardtanh_pair(
        torch, min_val=-0.5, max_val=0.7, inplace=False, min_value=-0.2, max_value=0.3
    )
    assert [(w.category, str(w.message)) for w in caught] == [(w.category, str(w.message)) for w in their_caught]
    assert [w.category for w in caught] == [FutureWarning, FutureWarning]
    assert all(w.filename == __file__ for w in caught)  # the warning points at the user's line
    assert (ours.min_val, ours.max_val) == (theirs.min_val, theirs.max_val) == (-0.2, 0.3)
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-9)


@pytest.mark.parametrize(
    "args, kwargs",
    [((-2.0, 2.0, False, None, 0.5), {}), ((), {"max_value": 0.5}), ((-3.0,), {"min_value": -0.25})],
    ids=["positional", "max_value-only", "min_value-only"],
)
def test_hardtanh_min_value_and_max_value_by_position_or_alone_clip_as_torchs(args, kwargs):
    torch = pytest.importorskip("torch")
    x = 3 * RNG.normal(size=(2, 5))
    ours, theirs, caught, their_caught = _hardtanh_pair(torch, *args, **kwargs)
    assert [str(w.message) for w in caught] == [str(w.message) for w in their_caught]
    assert (ours.min_val, ours.max_val) == (theirs.min_val, theirs.max_val)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-9)


# -- every keyword of nn.functional and of the layers' constructors, by torch's names, against torch ----------
# Each call names every argument torch's function (or constructor) has, mostly with values other than the
# defaults; the layers get torch's weights (load_state_dict) and are compared on their outputs and on their state
# after a forward pass (running statistics), then in eval mode. The random layers run in eval mode (the identity).
_R = np.random.default_rng(1)


def r(*shape: int) -> np.ndarray:
    """Standard normal float64 numbers of ``shape``."""
    return _R.standard_normal(shape)


def pos(*shape: int) -> np.ndarray:
    """Float64 numbers in [0.2, 1.5) of ``shape`` (variances, weights, lp-pool inputs)."""
    return _R.uniform(0.2, 1.5, shape)


def ints(high: int, *shape: int, lo: int = 0) -> np.ndarray:
    """int64 numbers in [lo, high) of ``shape`` (class indices, targets)."""
    return _R.integers(lo, high, shape).astype(np.int64)


DT64 = object()  # the float64 dtype: torch.float64 for torch, np.float64 here
COSINE_DISTANCE = object()  # 1 - cosine similarity, with each library's function
lp = r(6, 2, 4)
lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))  # CTC log-probabilities (T, N, C)

# fmt: off
FUNCTION_CALLS = [
 ("adaptive_avg_pool1d", dict(input=r(2,3,7), output_size=3)),
 ("adaptive_avg_pool2d", dict(input=r(2,3,7,6), output_size=(3,2))),
 ("adaptive_avg_pool3d", dict(input=r(1,2,5,6,4), output_size=(2,3,2))),
 ("adaptive_max_pool1d", dict(input=r(2,3,7), output_size=3, return_indices=True)),
 ("adaptive_max_pool2d", dict(input=r(2,3,7,6), output_size=(3,2), return_indices=True)),
 ("adaptive_max_pool3d", dict(input=r(1,2,5,6,4), output_size=(2,3,2), return_indices=True)),
 ("adaptive_max_pool1d_with_indices", dict(input=r(2,3,7), output_size=3, return_indices=True)),
 ("adaptive_max_pool2d_with_indices", dict(input=r(2,3,7,6), output_size=(3,2), return_indices=False)),
 ("adaptive_max_pool3d_with_indices", dict(input=r(1,2,5,6,4), output_size=(2,3,2), return_indices=True)),
 ("affine_grid", dict(theta=r(2,2,3), size=[2,3,4,5], align_corners=False)),
 ("affine_grid", dict(theta=r(2,3,4), size=[2,3,4,5,3], align_corners=True)),
 ("alpha_dropout", dict(input=r(3,4), p=0.3, training=False, inplace=False)),
 ("avg_pool1d", dict(input=r(2,3,9), kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
 ("avg_pool2d", dict(input=r(2,3,9,8), kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=None)),
 ("avg_pool2d", dict(input=r(2,3,9,8), kernel_size=(3,2), stride=(2,1), padding=(1,0), ceil_mode=False, count_include_pad=True, divisor_override=5)),
 ("avg_pool3d", dict(input=r(1,2,5,6,7), kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=None)),
 ("avg_pool3d", dict(input=r(1,2,5,6,7), kernel_size=2, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=3)),
 ("batch_norm", dict(input=r(4,3,5), running_mean=r(3), running_var=pos(3), weight=r(3), bias=r(3), training=True, momentum=0.2, eps=1e-3)),
 ("batch_norm", dict(input=r(4,3), running_mean=r(3), running_var=pos(3), weight=None, bias=None, training=False, momentum=0.2, eps=1e-3)),
 ("bilinear", dict(input1=r(4,3), input2=r(4,5), weight=r(2,3,5), bias=r(2))),
 ("binary_cross_entropy", dict(input=_R.uniform(0.05,0.95,(4,3)), target=_R.uniform(0,1,(4,3)), weight=pos(4,3), size_average=None, reduce=None, reduction="sum")),
 ("binary_cross_entropy_with_logits", dict(input=r(4,3), target=_R.uniform(0,1,(4,3)), weight=pos(3), size_average=None, reduce=None, reduction="mean", pos_weight=pos(3))),
 ("celu", dict(input=r(3,4), alpha=0.7, inplace=False)),
 ("celu_", dict(input=r(3,4), alpha=0.7)),
 ("channel_shuffle", dict(input=r(2,6,3,3), groups=3)),
 ("native_channel_shuffle", dict(input=r(2,6,3,3), groups=3)),
 ("conv1d", dict(input=r(2,4,9), weight=r(6,2,3), bias=r(6), stride=2, padding=1, dilation=2, groups=2)),
 ("conv1d", dict(input=r(2,4,9), weight=r(6,4,3), bias=None, stride=1, padding="same", dilation=2, groups=1)),
 ("conv2d", dict(input=r(2,4,7,8), weight=r(6,2,3,2), bias=r(6), stride=(2,1), padding=(1,2), dilation=(1,2), groups=2)),
 ("conv2d", dict(input=r(2,4,7,8), weight=r(6,4,3,2), bias=r(6), stride=1, padding="valid", dilation=1, groups=1)),
 ("conv3d", dict(input=r(1,4,5,6,5), weight=r(6,2,3,2,2), bias=r(6), stride=2, padding=1, dilation=1, groups=2)),
 ("conv_transpose1d", dict(input=r(2,4,5), weight=r(4,3,3), bias=r(6), stride=2, padding=1, output_padding=1, groups=2, dilation=1)),
 ("conv_transpose1d", dict(input=r(2,4,5), weight=r(4,3,3), bias=r(3), stride=3, padding=2, output_padding=1, groups=1, dilation=2)),
 ("conv_transpose2d", dict(input=r(2,4,5,4), weight=r(4,3,3,2), bias=r(6), stride=(2,1), padding=(1,0), output_padding=(1,0), groups=2, dilation=(1,2))),
 ("conv_transpose3d", dict(input=r(1,4,3,4,3), weight=r(4,3,2,3,2), bias=r(6), stride=2, padding=1, output_padding=1, groups=2, dilation=1)),
 ("cosine_embedding_loss", dict(input1=r(4,5), input2=r(4,5), target=np.array([1,-1,1,-1]), margin=0.2, size_average=None, reduce=None, reduction="sum")),
 ("cosine_similarity", dict(x1=r(4,5), x2=r(4,5), dim=0, eps=1e-6)),
 ("cross_entropy", dict(input=r(4,5), target=ints(5,4), weight=pos(5), size_average=None, ignore_index=2, reduce=None, reduction="sum", label_smoothing=0.1)),
 ("cross_entropy", dict(input=r(4,5,3), target=ints(5,4,3), weight=pos(5), ignore_index=-100, reduction="mean", label_smoothing=0.2)),
 ("cross_entropy", dict(input=r(4,5), target=_R.dirichlet(np.ones(5), 4), weight=pos(5), reduction="mean", label_smoothing=0.1)),
 ("ctc_loss", dict(log_probs=lp, targets=ints(4,2,3,lo=1), input_lengths=np.array([6,5]), target_lengths=np.array([3,2]), blank=0, reduction="sum", zero_infinity=True)),
 ("ctc_loss", dict(log_probs=lp, targets=ints(4,2,3,lo=1), input_lengths=(6,5), target_lengths=(3,2), blank=0, reduction="mean", zero_infinity=False)),
 ("dropout", dict(input=r(3,4), p=0.0, training=True, inplace=False)),
 ("dropout", dict(input=r(3,4), p=0.7, training=False, inplace=False)),
 ("dropout1d", dict(input=r(2,3,4), p=0.3, training=False, inplace=False)),
 ("dropout2d", dict(input=r(2,3,4,4), p=0.3, training=False, inplace=False)),
 ("dropout3d", dict(input=r(2,3,4,4,2), p=0.3, training=False, inplace=False)),
 ("feature_alpha_dropout", dict(input=r(2,3,4,4), p=0.3, training=False, inplace=False)),
 ("elu", dict(input=r(3,4), alpha=0.5, inplace=False)),
 ("elu_", dict(input=r(3,4), alpha=0.5)),
 ("embedding", dict(input=ints(10,2,3), weight=r(10,4), padding_idx=1, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False)),
 ("embedding", dict(input=ints(10,2,3), weight=r(10,4), padding_idx=None, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=False)),
 ("embedding_bag", dict(input=ints(10,8), weight=r(10,4), offsets=np.array([0,3,5]), max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="sum", sparse=False, per_sample_weights=r(8), include_last_offset=False, padding_idx=None)),
 ("embedding_bag", dict(input=ints(10,8), weight=r(10,4), offsets=np.array([0,3,5,8]), max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="max", sparse=False, per_sample_weights=None, include_last_offset=True, padding_idx=2)),
 ("embedding_bag", dict(input=ints(10,2,4), weight=r(10,4), offsets=None, mode="mean", padding_idx=3)),
 ("fold", dict(input=r(1,12,12), output_size=(4,5), kernel_size=2, dilation=1, padding=0, stride=1)),
 ("fold", dict(input=r(1,12,6), output_size=(5,6), kernel_size=(2,3), dilation=(1,1), padding=(1,0), stride=(2,2))),
 ("unfold", dict(input=r(1,3,5,6), kernel_size=(2,3), dilation=(2,1), padding=1, stride=(1,2))),
 ("gaussian_nll_loss", dict(input=r(4,3), target=r(4,3), var=pos(4,3), full=True, eps=1e-5, reduction="sum")),
 ("gaussian_nll_loss", dict(input=r(4,3), target=r(4,3), var=pos(4,1), full=False, eps=1e-5, reduction="none")),
 ("gelu", dict(input=r(3,4), approximate="tanh")),
 ("glu", dict(input=r(4,6), dim=0)),
 ("grid_sample", dict(input=r(1,2,4,5), grid=_R.uniform(-1.1,1.1,(1,3,3,2)), mode="bilinear", padding_mode="border", align_corners=True)),
 ("grid_sample", dict(input=r(1,2,4,5), grid=_R.uniform(-1.1,1.1,(1,3,3,2)), mode="nearest", padding_mode="reflection", align_corners=False)),
 ("grid_sample", dict(input=r(1,2,4,5), grid=_R.uniform(-1.1,1.1,(1,3,3,2)), mode="bicubic", padding_mode="zeros", align_corners=False)),
 ("group_norm", dict(input=r(2,6,4), num_groups=3, weight=r(6), bias=r(6), eps=1e-3)),
 ("hardshrink", dict(input=r(3,4), lambd=0.3)),
 ("hardsigmoid", dict(input=r(3,4)*4, inplace=False)),
 ("hardswish", dict(input=r(3,4)*4, inplace=False)),
 ("hardtanh", dict(input=r(3,4), min_val=-0.5, max_val=0.7, inplace=False)),
 ("hardtanh_", dict(input=r(3,4), min_val=-0.5, max_val=0.7)),
 ("hinge_embedding_loss", dict(input=r(4,3), target=np.sign(r(4,3)), margin=0.5, size_average=None, reduce=None, reduction="sum")),
 ("huber_loss", dict(input=r(4,3), target=r(4,3), reduction="sum", delta=0.5, weight=pos(4,3))),
 ("huber_loss", dict(input=r(4,3), target=r(4,3), reduction="mean", delta=0.5, weight=pos(4,3))),
 ("instance_norm", dict(input=r(2,3,5), running_mean=r(3), running_var=pos(3), weight=r(3), bias=r(3), use_input_stats=True, momentum=0.3, eps=1e-3)),
 ("instance_norm", dict(input=r(2,3,5), running_mean=r(3), running_var=pos(3), weight=r(3), bias=r(3), use_input_stats=False, momentum=0.3, eps=1e-3)),
 ("interpolate", dict(input=r(1,2,4,5), size=(6,7), scale_factor=None, mode="bilinear", align_corners=True, recompute_scale_factor=None, antialias=False)),
 ("interpolate", dict(input=r(1,2,4,5), size=None, scale_factor=1.7, mode="bicubic", align_corners=False, recompute_scale_factor=True, antialias=False)),
 ("interpolate", dict(input=r(1,2,4,5), size=None, scale_factor=1.7, mode="nearest", align_corners=None, recompute_scale_factor=False, antialias=False)),
 ("interpolate", dict(input=r(1,2,8,9), size=(3,4), scale_factor=None, mode="bilinear", align_corners=False, recompute_scale_factor=None, antialias=True)),
 ("interpolate", dict(input=r(1,2,7), size=None, scale_factor=2.5, mode="nearest-exact", align_corners=None, recompute_scale_factor=None, antialias=False)),
 ("interpolate", dict(input=r(1,2,3,4,5), size=None, scale_factor=(1.5,2,0.6), mode="trilinear", align_corners=False, recompute_scale_factor=None, antialias=False)),
 ("interpolate", dict(input=r(1,2,7), size=4, mode="area")),
 ("kl_div", dict(input=r(4,3), target=r(4,3), size_average=None, reduce=None, reduction="batchmean", log_target=True)),
 ("kl_div", dict(input=r(4,3), target=pos(4,3), reduction="sum", log_target=False)),
 ("l1_loss", dict(input=r(4,3), target=r(4,3), size_average=None, reduce=None, reduction="sum", weight=pos(4,3))),
 ("l1_loss", dict(input=r(4,3), target=r(4,3), reduction="mean", weight=pos(4,3))),
 ("mse_loss", dict(input=r(4,3), target=r(4,3), size_average=None, reduce=None, reduction="mean", weight=pos(4,3))),
 ("layer_norm", dict(input=r(2,3,4), normalized_shape=(3,4), weight=r(3,4), bias=r(3,4), eps=1e-3)),
 ("leaky_relu", dict(input=r(3,4), negative_slope=0.2, inplace=False)),
 ("leaky_relu_", dict(input=r(3,4), negative_slope=0.2)),
 ("linear", dict(input=r(4,3), weight=r(2,3), bias=r(2))),
 ("linear_cross_entropy", dict(input=r(4,3), linear_weight=r(5,3), target=ints(5,4), linear_bias=r(5), weight=pos(5), reduction="sum", ignore_index=1, label_smoothing=0.1)),
 ("local_response_norm", dict(input=r(2,6,4), size=3, alpha=0.01, beta=0.6, k=2.0)),
 ("log_softmax", dict(input=r(3,4), dim=0, _stacklevel=3, dtype=DT64)),
 ("softmax", dict(input=r(3,4), dim=0, _stacklevel=3, dtype=DT64)),
 ("softmin", dict(input=r(3,4), dim=0, _stacklevel=3, dtype=DT64)),
 ("logsigmoid", dict(input=r(3,4))),
 ("lp_pool1d", dict(input=pos(2,3,9), norm_type=3, kernel_size=3, stride=2, ceil_mode=True)),
 ("lp_pool2d", dict(input=pos(2,3,7,8), norm_type=1.5, kernel_size=(3,2), stride=None, ceil_mode=False)),
 ("lp_pool3d", dict(input=pos(1,2,5,6,7), norm_type=2, kernel_size=2, stride=(2,1,2), ceil_mode=True)),
 ("margin_ranking_loss", dict(input1=r(4), input2=r(4), target=np.array([1.,-1,1,-1]), margin=0.3, size_average=None, reduce=None, reduction="sum")),
 ("max_pool1d", dict(input=r(2,3,9), kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=True)),
 ("max_pool2d", dict(input=r(2,3,9,8), kernel_size=(3,2), stride=(2,1), padding=1, dilation=(1,2), ceil_mode=True, return_indices=True)),
 ("max_pool3d", dict(input=r(1,2,5,6,7), kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True, return_indices=True)),
 ("max_pool1d_with_indices", dict(input=r(2,3,9), kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=False)),
 ("max_pool2d_with_indices", dict(input=r(2,3,9,8), kernel_size=(3,2), stride=(2,1), padding=1, dilation=(1,2), ceil_mode=False, return_indices=True)),
 ("max_pool3d_with_indices", dict(input=r(1,2,5,6,7), kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False, return_indices=True)),
 ("mish", dict(input=r(3,4), inplace=False)),
 ("multi_margin_loss", dict(input=r(4,5), target=ints(5,4), p=2, margin=0.7, weight=pos(5), size_average=None, reduce=None, reduction="sum")),
 ("multilabel_margin_loss", dict(input=r(3,4), target=np.array([[3,0,-1,1],[1,2,3,-1],[0,-1,2,2]]), size_average=None, reduce=None, reduction="sum")),
 ("multilabel_soft_margin_loss", dict(input=r(3,4), target=ints(2,3,4).astype(float), weight=pos(4), size_average=None, reduce=None, reduction="mean")),
 ("nll_loss", dict(input=r(4,5), target=ints(5,4), weight=pos(5), size_average=None, ignore_index=2, reduce=None, reduction="mean")),
 ("nll_loss", dict(input=r(4,5,3), target=ints(5,4,3), weight=None, ignore_index=-100, reduction="none")),
 ("normalize", dict(input=r(3,4), p=3.0, dim=0, eps=1e-6)),
 ("normalize", dict(input=r(3,4), p=1, dim=-1, eps=1e-6, out=None)),
 ("one_hot", dict(input=ints(4,5), num_classes=6)),
 ("pad", dict(input=r(1,2,4,5), pad=(1,2,0,1), mode="constant", value=0.5)),
 ("pad", dict(input=r(1,2,4,5), pad=(1,2,2,1), mode="reflect", value=None)),
 ("pad", dict(input=r(1,2,4,5), pad=(1,2,2,1), mode="replicate")),
 ("pad", dict(input=r(1,2,4,5), pad=(1,2,2,1), mode="circular")),
 ("pairwise_distance", dict(x1=r(4,5), x2=r(4,5), p=3.0, eps=1e-4, keepdim=True)),
 ("pdist", dict(input=r(4,5), p=1.5)),
 ("pixel_shuffle", dict(input=r(1,8,2,3), upscale_factor=2)),
 ("pixel_unshuffle", dict(input=r(1,2,4,6), downscale_factor=2)),
 ("poisson_nll_loss", dict(input=r(4,3), target=pos(4,3)*3, log_input=True, full=True, size_average=None, eps=1e-6, reduce=None, reduction="sum")),
 ("poisson_nll_loss", dict(input=pos(4,3), target=pos(4,3)*3, log_input=False, full=False, eps=1e-6, reduction="mean")),
 ("prelu", dict(input=r(2,3,4), weight=pos(3))),
 ("relu", dict(input=r(3,4), inplace=False)),
 ("relu6", dict(input=r(3,4)*5, inplace=False)),
 ("relu_", dict(input=r(3,4))),
 ("rms_norm", dict(input=r(2,3,4), normalized_shape=(4,), weight=r(4), eps=1e-3)),
 ("rms_norm", dict(input=r(2,3,4), normalized_shape=[3,4], weight=None, eps=None)),
 ("rrelu", dict(input=r(3,4), lower=0.1, upper=0.3, training=False, inplace=False)),
 ("rrelu_", dict(input=r(3,4), lower=0.1, upper=0.3, training=False)),
 ("scaled_dot_product_attention", dict(query=r(2,3,4), key=r(2,5,4), value=r(2,5,6), attn_mask=r(3,5), dropout_p=0.0, is_causal=False, scale=0.3, enable_gqa=False)),
 ("scaled_dot_product_attention", dict(query=r(1,4,3,4), key=r(1,2,5,4), value=r(1,2,5,6), attn_mask=None, dropout_p=0.0, is_causal=True, scale=None, enable_gqa=True)),
 ("selu", dict(input=r(3,4), inplace=False)),
 ("selu_", dict(input=r(3,4))),
 ("sigmoid", dict(input=r(3,4))),
 ("silu", dict(input=r(3,4), inplace=False)),
 ("smooth_l1_loss", dict(input=r(4,3), target=r(4,3), size_average=None, reduce=None, reduction="sum", beta=0.4)),
 ("soft_margin_loss", dict(input=r(4,3), target=np.sign(r(4,3)), size_average=None, reduce=None, reduction="mean")),
 ("softplus", dict(input=r(3,4)*5, beta=2.0, threshold=3.0)),
 ("softshrink", dict(input=r(3,4), lambd=0.3)),
 ("softsign", dict(input=r(3,4))),
 ("tanh", dict(input=r(3,4))),
 ("tanhshrink", dict(input=r(3,4))),
 ("threshold", dict(input=r(3,4), threshold=0.1, value=-2.0, inplace=False)),
 ("threshold_", dict(input=r(3,4), threshold=0.1, value=-2.0)),
 ("triplet_margin_loss", dict(anchor=r(4,5), positive=r(4,5), negative=r(4,5), margin=0.5, p=1.5, eps=1e-5, swap=True, size_average=None, reduce=None, reduction="sum")),
 ("triplet_margin_with_distance_loss", dict(anchor=r(4,5), positive=r(4,5), negative=r(4,5), distance_function=None, margin=0.5, swap=True, reduction="sum")),
 ("triplet_margin_with_distance_loss", dict(anchor=r(4,5), positive=r(4,5), negative=r(4,5), distance_function=COSINE_DISTANCE, margin=0.5, swap=False, reduction="mean")),
 ("upsample", dict(input=r(1,2,4,5), size=None, scale_factor=2, mode="bilinear", align_corners=True)),
 ("upsample_bilinear", dict(input=r(1,2,4,5), size=None, scale_factor=2)),
 ("upsample_nearest", dict(input=r(1,2,4,5), size=(7,9), scale_factor=None)),
]
LAYER_CALLS = [
 ("AdaptiveAvgPool1d", dict(output_size=3), [r(2,3,7)]),
 ("AdaptiveAvgPool2d", dict(output_size=(3,None)), [r(2,3,7,6)]),
 ("AdaptiveAvgPool3d", dict(output_size=(2,3,2)), [r(1,2,5,6,4)]),
 ("AdaptiveMaxPool1d", dict(output_size=3, return_indices=True), [r(2,3,7)]),
 ("AdaptiveMaxPool2d", dict(output_size=(3,2), return_indices=True), [r(2,3,7,6)]),
 ("AdaptiveMaxPool3d", dict(output_size=(2,3,2), return_indices=False), [r(1,2,5,6,4)]),
 ("AlphaDropout", dict(p=0.3, inplace=False), [r(3,4)]),
 ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [r(2,3,9)]),
 ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=None), [r(2,3,9,8)]),
 ("AvgPool2d", dict(kernel_size=(3,2), stride=None, padding=(1,0), ceil_mode=False, count_include_pad=True, divisor_override=4), [r(2,3,9,8)]),
 ("AvgPool3d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=5), [r(1,2,5,6,7)]),
 ("BCELoss", dict(weight=pos(3), size_average=None, reduce=None, reduction="sum"), [_R.uniform(0.1,0.9,(4,3)), _R.uniform(0,1,(4,3))]),
 ("BCEWithLogitsLoss", dict(weight=pos(3), size_average=None, reduce=None, reduction="mean", pos_weight=pos(3)), [r(4,3), _R.uniform(0,1,(4,3))]),
 ("BatchNorm1d", dict(num_features=3, eps=1e-3, momentum=0.3, affine=True, track_running_stats=True, bias=True), [r(4,3,5)]),
 ("BatchNorm1d", dict(num_features=3, eps=1e-3, momentum=None, affine=False, track_running_stats=True), [r(4,3)]),
 ("BatchNorm2d", dict(num_features=3, eps=1e-3, momentum=0.3, affine=True, track_running_stats=False, bias=False), [r(4,3,2,5)]),
 ("BatchNorm3d", dict(num_features=3, eps=1e-3, momentum=0.3, affine=True, track_running_stats=True, bias=True), [r(2,3,2,2,3)]),
 ("Bilinear", dict(in1_features=3, in2_features=5, out_features=2, bias=True), [r(4,3), r(4,5)]),
 ("CELU", dict(alpha=0.6, inplace=False), [r(3,4)]),
 ("CTCLoss", dict(blank=0, reduction="sum", zero_infinity=True), [lp, ints(4,2,3,lo=1), np.array([6,5]), np.array([3,2])]),
 ("ChannelShuffle", dict(groups=3), [r(2,6,3,3)]),
 ("CircularPad1d", dict(padding=(1,2)), [r(2,3,5)]),
 ("CircularPad2d", dict(padding=(1,2,2,1)), [r(2,3,5,4)]),
 ("CircularPad3d", dict(padding=1), [r(1,2,3,4,3)]),
 ("ConstantPad1d", dict(padding=(1,2), value=0.5), [r(2,3,5)]),
 ("ConstantPad2d", dict(padding=(1,2,0,1), value=-1.5), [r(2,3,5,4)]),
 ("ConstantPad3d", dict(padding=(1,2,0,1,1,0), value=3.0), [r(1,2,3,4,3)]),
 ("Conv1d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, dilation=2, groups=2, bias=True, padding_mode="reflect"), [r(2,4,9)]),
 ("Conv1d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=1, padding="same", dilation=2, groups=1, bias=False, padding_mode="circular"), [r(2,4,9)]),
 ("Conv2d", dict(in_channels=4, out_channels=6, kernel_size=(3,2), stride=(2,1), padding=(1,2), dilation=(1,2), groups=2, bias=True, padding_mode="replicate"), [r(2,4,7,8)]),
 ("Conv2d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=1, padding="same", dilation=1, groups=1, bias=True, padding_mode="zeros"), [r(2,4,7,8)]),
 ("Conv3d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, dilation=1, groups=2, bias=True, padding_mode="zeros"), [r(1,4,5,6,5)]),
 ("ConvTranspose1d", dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, output_padding=1, groups=2, bias=True, dilation=1, padding_mode="zeros"), [r(2,4,5)]),
 ("ConvTranspose2d", dict(in_channels=4, out_channels=6, kernel_size=(3,2), stride=(2,1), padding=(1,0), output_padding=(1,0), groups=2, bias=True, dilation=(1,2), padding_mode="zeros"), [r(2,4,5,4)]),
 ("ConvTranspose3d", dict(in_channels=4, out_channels=6, kernel_size=2, stride=2, padding=1, output_padding=1, groups=1, bias=False, dilation=1, padding_mode="zeros"), [r(1,4,3,4,3)]),
 ("CosineEmbeddingLoss", dict(margin=0.2, size_average=None, reduce=None, reduction="sum"), [r(4,5), r(4,5), np.array([1,-1,1,-1])]),
 ("CosineSimilarity", dict(dim=0, eps=1e-6), [r(4,5), r(4,5)]),
 ("CrossEntropyLoss", dict(weight=pos(5), size_average=None, ignore_index=2, reduce=None, reduction="sum", label_smoothing=0.1), [r(4,5), ints(5,4)]),
 ("Dropout", dict(p=0.3, inplace=False), [r(3,4)]),
 ("Dropout1d", dict(p=0.3, inplace=False), [r(2,3,4)]),
 ("Dropout2d", dict(p=0.3, inplace=False), [r(2,3,4,4)]),
 ("Dropout3d", dict(p=0.3, inplace=False), [r(2,3,4,4,2)]),
 ("ELU", dict(alpha=0.6, inplace=False), [r(3,4)]),
 ("Embedding", dict(num_embeddings=10, embedding_dim=4, padding_idx=1, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False), [ints(10,2,3)]),
 ("Embedding", dict(num_embeddings=10, embedding_dim=4, padding_idx=None, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=False, _weight=r(10,4), _freeze=True), [ints(10,2,3)]),
 ("EmbeddingBag", dict(num_embeddings=10, embedding_dim=4, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, mode="sum", sparse=False, _weight=None, include_last_offset=True, padding_idx=2), [ints(10,8), np.array([0,3,5,8])]),
 ("FeatureAlphaDropout", dict(p=0.3, inplace=False), [r(2,3,4,4)]),
 ("Flatten", dict(start_dim=0, end_dim=1), [r(2,3,4)]),
 ("Fold", dict(output_size=(5,6), kernel_size=(2,3), dilation=1, padding=(1,0), stride=2), [r(1,12,6)]),
 ("Unfold", dict(kernel_size=(2,3), dilation=(2,1), padding=1, stride=(1,2)), [r(1,3,5,6)]),
 ("GELU", dict(approximate="tanh"), [r(3,4)]),
 ("GLU", dict(dim=0), [r(4,6)]),
 ("GRU", dict(input_size=3, hidden_size=4, num_layers=2, bias=True, batch_first=True, dropout=0.0, bidirectional=True), [r(2,5,3)]),
 ("GRUCell", dict(input_size=3, hidden_size=4, bias=False), [r(2,3)]),
 ("GaussianNLLLoss", dict(full=True, eps=1e-5, reduction="sum"), [r(4,3), r(4,3), pos(4,3)]),
 ("GroupNorm", dict(num_groups=3, num_channels=6, eps=1e-3, affine=True, bias=True), [r(2,6,4)]),
 ("GroupNorm", dict(num_groups=3, num_channels=6, eps=1e-3, affine=True, bias=False), [r(2,6,4)]),
 ("Hardshrink", dict(lambd=0.3), [r(3,4)]),
 ("Hardsigmoid", dict(inplace=False), [r(3,4)*4]),
 ("Hardswish", dict(inplace=False), [r(3,4)*4]),
 ("Hardtanh", dict(min_val=-0.5, max_val=0.7, inplace=False), [r(3,4)]),
 ("Hardtanh", dict(min_val=-0.5, max_val=0.7, inplace=False, min_value=-0.2, max_value=0.3), [r(3,4)]),
 ("HingeEmbeddingLoss", dict(margin=0.5, size_average=None, reduce=None, reduction="sum"), [r(4,3), np.sign(r(4,3))]),
 ("HuberLoss", dict(reduction="sum", delta=0.5), [r(4,3), r(4,3)]),
 ("Identity", dict(), [r(3,4)]),
 ("InstanceNorm1d", dict(num_features=3, eps=1e-3, momentum=0.3, affine=True, track_running_stats=True, bias=True), [r(2,3,5)]),
 ("InstanceNorm2d", dict(num_features=3, eps=1e-3, momentum=0.3, affine=True, track_running_stats=False, bias=False), [r(2,3,4,5)]),
 ("InstanceNorm3d", dict(num_features=3, eps=1e-3, momentum=0.3, affine=False, track_running_stats=True), [r(2,3,2,2,3)]),
 ("KLDivLoss", dict(size_average=None, reduce=None, reduction="batchmean", log_target=True), [r(4,3), r(4,3)]),
 ("L1Loss", dict(size_average=None, reduce=None, reduction="sum"), [r(4,3), r(4,3)]),
 ("LPPool1d", dict(norm_type=3, kernel_size=3, stride=2, ceil_mode=True), [pos(2,3,9)]),
 ("LPPool2d", dict(norm_type=1.5, kernel_size=(3,2), stride=None, ceil_mode=False), [pos(2,3,7,8)]),
 ("LPPool3d", dict(norm_type=2, kernel_size=2, stride=(2,1,2), ceil_mode=True), [pos(1,2,5,6,7)]),
 ("LSTM", dict(input_size=3, hidden_size=4, num_layers=2, bias=True, batch_first=False, dropout=0.0, bidirectional=True, proj_size=2), [r(5,2,3)]),
 ("LSTMCell", dict(input_size=3, hidden_size=4, bias=True), [r(2,3)]),
 ("LayerNorm", dict(normalized_shape=(3,4), eps=1e-3, elementwise_affine=True, bias=False), [r(2,3,4)]),
 ("LayerNorm", dict(normalized_shape=4, eps=1e-3, elementwise_affine=False, bias=True), [r(2,3,4)]),
 ("LeakyReLU", dict(negative_slope=0.2, inplace=False), [r(3,4)]),
 ("Linear", dict(in_features=3, out_features=2, bias=True), [r(4,3)]),
 ("Linear", dict(in_features=3, out_features=2, bias=False), [r(4,3)]),
 ("LocalResponseNorm", dict(size=3, alpha=0.01, beta=0.6, k=2.0), [r(2,6,4)]),
 ("LogSigmoid", dict(), [r(3,4)]),
 ("LogSoftmax", dict(dim=0), [r(3,4)]),
 ("Softmax", dict(dim=0), [r(3,4)]),
 ("Softmin", dict(dim=0), [r(3,4)]),
 ("Softmax2d", dict(), [r(2,3,4,5)]),
 ("MSELoss", dict(size_average=None, reduce=None, reduction="sum"), [r(4,3), r(4,3)]),
 ("MarginRankingLoss", dict(margin=0.3, size_average=None, reduce=None, reduction="sum"), [r(4), r(4), np.array([1.,-1,1,-1])]),
 ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1, dilation=2, return_indices=True, ceil_mode=True), [r(2,3,9)]),
 ("MaxPool2d", dict(kernel_size=(3,2), stride=(2,1), padding=1, dilation=(1,2), return_indices=True, ceil_mode=True), [r(2,3,9,8)]),
 ("MaxPool3d", dict(kernel_size=3, stride=2, padding=1, dilation=1, return_indices=False, ceil_mode=True), [r(1,2,5,6,7)]),
 ("Mish", dict(inplace=False), [r(3,4)]),
 ("MultiLabelMarginLoss", dict(size_average=None, reduce=None, reduction="sum"), [r(3,4), np.array([[3,0,-1,1],[1,2,3,-1],[0,-1,2,2]])]),
 ("MultiLabelSoftMarginLoss", dict(weight=pos(4), size_average=None, reduce=None, reduction="mean"), [r(3,4), ints(2,3,4).astype(float)]),
 ("MultiMarginLoss", dict(p=2, margin=0.7, weight=pos(5), size_average=None, reduce=None, reduction="sum"), [r(4,5), ints(5,4)]),
 ("MultiheadAttention", dict(embed_dim=4, num_heads=2, dropout=0.0, bias=True, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5, batch_first=True), [r(2,3,4), r(2,6,3), r(2,6,5)]),
 ("MultiheadAttention", dict(embed_dim=4, num_heads=2, dropout=0.0, bias=False, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False), [r(3,2,4), r(6,2,4), r(6,2,4)]),
 ("NLLLoss", dict(weight=pos(5), size_average=None, ignore_index=2, reduce=None, reduction="mean"), [r(4,5), ints(5,4)]),
 ("NLLLoss2d", dict(weight=pos(5), size_average=None, ignore_index=2, reduce=None, reduction="mean"), [r(4,5,2,2), ints(5,4,2,2)]),
 ("PReLU", dict(num_parameters=3, init=0.1), [r(2,3,4)]),
 ("PairwiseDistance", dict(p=3.0, eps=1e-4, keepdim=True), [r(4,5), r(4,5)]),
 ("PixelShuffle", dict(upscale_factor=2), [r(1,8,2,3)]),
 ("PixelUnshuffle", dict(downscale_factor=2), [r(1,2,4,6)]),
 ("PoissonNLLLoss", dict(log_input=False, full=True, size_average=None, eps=1e-6, reduce=None, reduction="sum"), [pos(4,3), pos(4,3)*3]),
 ("RMSNorm", dict(normalized_shape=(3,4), eps=1e-3, elementwise_affine=True), [r(2,3,4)]),
 ("RMSNorm", dict(normalized_shape=[4], eps=None, elementwise_affine=False), [r(2,3,4)]),
 ("RNN", dict(input_size=3, hidden_size=4, num_layers=2, nonlinearity="relu", bias=True, batch_first=True, dropout=0.0, bidirectional=True), [r(2,5,3)]),
 ("RNNCell", dict(input_size=3, hidden_size=4, bias=True, nonlinearity="relu"), [r(2,3)]),
 ("RReLU", dict(lower=0.1, upper=0.3, inplace=False), [r(3,4)]),
 ("ReLU", dict(inplace=False), [r(3,4)]),
 ("ReLU6", dict(inplace=False), [r(3,4)*5]),
 ("ReflectionPad1d", dict(padding=(1,2)), [r(2,3,5)]),
 ("ReflectionPad2d", dict(padding=(1,2,2,1)), [r(2,3,5,4)]),
 ("ReflectionPad3d", dict(padding=1), [r(1,2,3,4,3)]),
 ("ReplicationPad1d", dict(padding=(1,2)), [r(2,3,5)]),
 ("ReplicationPad2d", dict(padding=(1,2,2,1)), [r(2,3,5,4)]),
 ("ReplicationPad3d", dict(padding=1), [r(1,2,3,4,3)]),
 ("SELU", dict(inplace=False), [r(3,4)]),
 ("SiLU", dict(inplace=False), [r(3,4)]),
 ("Sigmoid", dict(), [r(3,4)]),
 ("SmoothL1Loss", dict(size_average=None, reduce=None, reduction="sum", beta=0.4), [r(4,3), r(4,3)]),
 ("SoftMarginLoss", dict(size_average=None, reduce=None, reduction="mean"), [r(4,3), np.sign(r(4,3))]),
 ("Softplus", dict(beta=2.0, threshold=3.0), [r(3,4)*5]),
 ("Softshrink", dict(lambd=0.3), [r(3,4)]),
 ("Softsign", dict(), [r(3,4)]),
 ("Tanh", dict(), [r(3,4)]),
 ("Tanhshrink", dict(), [r(3,4)]),
 ("Threshold", dict(threshold=0.1, value=-2.0, inplace=False), [r(3,4)]),
 ("TransformerEncoderLayer", dict(d_model=4, nhead=2, dim_feedforward=8, dropout=0.0, activation="gelu", layer_norm_eps=1e-3, batch_first=True, norm_first=True, bias=False), [r(2,3,4)]),
 ("TransformerDecoderLayer", dict(d_model=4, nhead=2, dim_feedforward=8, dropout=0.0, activation="relu", layer_norm_eps=1e-3, batch_first=False, norm_first=False, bias=True), [r(3,2,4), r(5,2,4)]),
 ("Transformer", dict(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=8, dropout=0.0, activation="gelu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-3, batch_first=True, norm_first=True, bias=True), [r(2,5,4), r(2,3,4)]),
 ("TripletMarginLoss", dict(margin=0.5, p=1.5, eps=1e-5, swap=True, size_average=None, reduce=None, reduction="sum"), [r(4,5), r(4,5), r(4,5)]),
 ("TripletMarginWithDistanceLoss", dict(distance_function=None, margin=0.5, swap=True, reduction="sum"), [r(4,5), r(4,5), r(4,5)]),
 ("Unflatten", dict(dim=1, unflattened_size=(2,3)), [r(4,6)]),
 ("Upsample", dict(size=None, scale_factor=1.5, mode="bicubic", align_corners=True, recompute_scale_factor=None), [r(1,2,4,5)]),
 ("Upsample", dict(size=(6,7), scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None), [r(1,2,4,5)]),
 ("UpsamplingBilinear2d", dict(size=None, scale_factor=2), [r(1,2,4,5)]),
 ("UpsamplingNearest2d", dict(size=(7,9), scale_factor=None), [r(1,2,4,5)]),
 ("ZeroPad1d", dict(padding=(1,2)), [r(2,3,5)]),
 ("ZeroPad2d", dict(padding=(1,2,0,1)), [r(2,3,5,4)]),
 ("ZeroPad3d", dict(padding=(1,2,0,1,1,0)), [r(1,2,3,4,3)]),
 ("LazyLinear", dict(out_features=2, bias=True), [r(4,3)]),
 ("LazyConv1d", dict(out_channels=6, kernel_size=3, stride=2, padding=1, dilation=2, groups=2, bias=True, padding_mode="reflect"), [r(2,4,9)]),
 ("LazyConv2d", dict(out_channels=6, kernel_size=(3,2), stride=(2,1), padding=(1,2), dilation=(1,2), groups=2, bias=True, padding_mode="replicate"), [r(2,4,7,8)]),
 ("LazyConv3d", dict(out_channels=6, kernel_size=3, stride=2, padding=1, dilation=1, groups=2, bias=True, padding_mode="zeros"), [r(1,4,5,6,5)]),
 ("LazyConvTranspose1d", dict(out_channels=6, kernel_size=3, stride=2, padding=1, output_padding=1, groups=2, bias=True, dilation=1, padding_mode="zeros"), [r(2,4,5)]),
 ("LazyConvTranspose2d", dict(out_channels=6, kernel_size=(3,2), stride=(2,1), padding=(1,0), output_padding=(1,0), groups=2, bias=True, dilation=1, padding_mode="zeros"), [r(2,4,5,4)]),
 ("LazyConvTranspose3d", dict(out_channels=6, kernel_size=2, stride=2, padding=1, output_padding=1, groups=1, bias=False, dilation=1, padding_mode="zeros"), [r(1,4,3,4,3)]),
 ("LazyBatchNorm1d", dict(eps=1e-3, momentum=0.3, affine=True, track_running_stats=True), [r(4,3,5)]),
 ("LazyBatchNorm2d", dict(eps=1e-3, momentum=0.3, affine=False, track_running_stats=True), [r(4,3,2,5)]),
 ("LazyBatchNorm3d", dict(eps=1e-3, momentum=None, affine=True, track_running_stats=True), [r(2,3,2,2,3)]),
 ("LazyInstanceNorm1d", dict(eps=1e-3, momentum=0.3, affine=True, track_running_stats=True), [r(2,3,5)]),
 ("LazyInstanceNorm2d", dict(eps=1e-3, momentum=0.3, affine=False, track_running_stats=False), [r(2,3,4,5)]),
 ("LazyInstanceNorm3d", dict(eps=1e-3, momentum=0.3, affine=True, track_running_stats=False), [r(2,3,2,2,3)]),
 ("LinearCrossEntropyLoss", dict(in_features=3, num_classes=5, out_features=(), bias=True, reduction="sum", weight=pos(5), ignore_index=1, label_smoothing=0.1), [r(4,3), ints(5,4)]),
]
# fmt: on


def _for(torch, value, ours):
    """``value`` of a call table as the argument of one library: arrays become its tensors (copies)."""
    if isinstance(value, np.ndarray):
        return Tensor(value.copy()) if ours else torch.tensor(value.copy())
    if value is DT64:
        return np.float64 if ours else torch.float64
    if value is COSINE_DISTANCE:
        cosine = F.cosine_similarity if ours else torch.nn.functional.cosine_similarity
        return lambda a, b: 1 - cosine(a, b)
    return value


def _assert_same(torch, ours, theirs, where="result"):
    """Same structure, shapes, dtypes and values (rtol 1e-9) as torch's result."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{where}: {ours!r} vs {theirs!r}"
        for index, (mine, reference) in enumerate(zip(ours, theirs)):
            _assert_same(torch, mine, reference, f"{where}[{index}]")
        return
    if theirs is None:
        assert ours is None, where
        return
    expected = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    got = np.asarray(ours.data if isinstance(ours, Tensor) else ours)
    assert got.shape == expected.shape, f"{where}: shape {got.shape}, torch's {expected.shape}"
    assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype}, torch's {expected.dtype}"
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=where)


@pytest.mark.parametrize(
    "name, kwargs", FUNCTION_CALLS, ids=[f"{name}-{index}" for index, (name, _) in enumerate(FUNCTION_CALLS)]
)
def test_functional_takes_every_torch_keyword_and_gives_torchs_result(name, kwargs):
    torch = pytest.importorskip("torch")
    theirs = {key: _for(torch, value, ours=False) for key, value in kwargs.items()}
    ours = {key: _for(torch, value, ours=True) for key, value in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(torch.nn.functional, name)(**theirs)
        result = getattr(F, name)(**ours)
    _assert_same(torch, result, expected)
    for key, value in kwargs.items():  # arguments changed in place (running statistics, max_norm, inplace)
        if isinstance(value, np.ndarray):
            _assert_same(torch, ours[key], theirs[key], f"{key} after the call")


def _layer(torch, name, kwargs, ours):
    """The layer ``name`` of one library, made from ``kwargs`` by keyword, in float64 on the CPU."""
    arguments = {key: _for(torch, value, ours) for key, value in kwargs.items()}
    torch_class = getattr(torch.nn, name)
    if "dtype" in inspect.signature(torch_class.__init__).parameters or name in ("RNN", "GRU", "LSTM"):
        arguments.update(dtype=np.float64 if ours else torch.float64, device="cpu")
    return (getattr(nn, name) if ours else torch_class)(**arguments)


@pytest.mark.parametrize(
    "name, kwargs, inputs", LAYER_CALLS, ids=[f"{name}-{index}" for index, (name, *_) in enumerate(LAYER_CALLS)]
)
def test_layer_constructor_takes_every_torch_keyword_and_computes_as_torchs(name, kwargs, inputs):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, ours = _layer(torch, name, kwargs, ours=False), _layer(torch, name, kwargs, ours=True)
        their_inputs = [_for(torch, value, ours=False) for value in inputs]
        our_inputs = [_for(torch, value, ours=True) for value in inputs]
        if "Dropout" in name or name == "RReLU":
            theirs.eval(), ours.eval()
        if name.startswith("Lazy"):  # the first call sets the shapes
            theirs(*their_inputs), ours(*our_inputs)
        their_state = {key: value.detach().numpy() for key, value in theirs.state_dict().items()}
        assert list(ours.state_dict()) == list(their_state)
        ours.load_state_dict(their_state)
        _assert_same(torch, ours(*our_inputs), theirs(*their_inputs))
        for key, value in theirs.state_dict().items():
            _assert_same(torch, ours.state_dict()[key], value, f"{key} after a forward pass")
        if theirs.training:
            theirs.eval(), ours.eval()
            _assert_same(torch, ours(*our_inputs), theirs(*their_inputs), "eval-mode result")
