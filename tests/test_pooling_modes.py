"""max_pool2d(ceil_mode=True), avg_pool2d(ceil_mode, count_include_pad, divisor_override) and adaptive_avg_pool2d (functional and Module): values and gradients against torch,
finite differences, the overhanging window's padding never winning, and errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


def _compare_with_torch(ours_call, torch_call, x: np.ndarray) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours_call(ours), torch_call(torch, theirs)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = np.random.default_rng(0).normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


@st.composite
def ceil_mode_cases(draw: st.DrawFn):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (draw(st.integers(1, 2)) if padding[0] == 0 else 1, 1)  # a dilated padded window may read only padding
    sizes = tuple(draw(st.integers(max(d * (k - 1) + 1 - 2 * p, 1), 7)) for k, p, d in zip(kernel, padding, dilation))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).permutation(2 * 2 * sizes[0] * sizes[1]) / 7.0 - 3.0
    return x.reshape((2, 2) + sizes), {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
    }


@given(ceil_mode_cases())
def test_max_pool2d_ceil_mode_matches_torch(case):
    x, geometry = case
    _compare_with_torch(
        lambda t: F.max_pool2d(t, **geometry, ceil_mode=True),
        lambda torch, t: torch.nn.functional.max_pool2d(t, **geometry, ceil_mode=True),
        x,
    )


@given(ceil_mode_cases())
def test_max_pool2d_ceil_mode_gradient_matches_finite_differences(case):
    x, geometry = case  # distinct entries: no ties inside a window
    assert gradcheck(lambda t: F.max_pool2d(t, **geometry, ceil_mode=True), [x])


def test_max_pool2d_ceil_mode_adds_the_overhanging_window_and_its_padding_never_wins():
    x = -np.arange(1.0, 26.0).reshape(1, 1, 5, 5)  # all negative: padding would win if it could
    floor, ceil = F.max_pool2d(Tensor(x), 2), F.max_pool2d(Tensor(x), 2, ceil_mode=True)
    assert floor.shape == (1, 1, 2, 2) and ceil.shape == (1, 1, 3, 3)
    assert ceil.data[0, 0, 2, 2] == x[0, 0, 4, 4]
    np.testing.assert_array_equal(ceil.data[0, 0, :2, 2], x[0, 0, [0, 2], 4])


def test_max_pool2d_ceil_mode_drops_a_window_that_would_start_in_the_right_padding():
    x = Tensor(np.zeros((1, 1, 4, 4)))  # torch: ceil((4 + 2 - 2) / 2) + 1 = 3, but window 2 would start at 4 = n + p
    assert F.max_pool2d(x, 2, stride=2, padding=1, ceil_mode=True).shape == (1, 1, 3, 3)
    assert F.max_pool2d(Tensor(np.zeros((1, 1, 5, 5))), 3, stride=2, padding=1, ceil_mode=True).shape == (1, 1, 3, 3)


def test_max_pool2d_module_passes_ceil_mode():
    pool = nn.MaxPool2d(2, ceil_mode=True)
    assert pool(Tensor(np.zeros((1, 1, 5, 5)))).shape == (1, 1, 3, 3)
    assert "ceil_mode=True" in repr(pool)


@st.composite
def adaptive_cases(draw: st.DrawFn):
    sizes = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).normal(size=(draw(st.integers(1, 2)), 2) + sizes)
    output_size = draw(
        st.one_of(st.integers(1, 8), st.tuples(st.one_of(st.none(), st.integers(1, 8)), st.integers(1, 8)))
    )
    return x, output_size


@given(adaptive_cases())
def test_adaptive_avg_pool2d_matches_torch(case):
    x, output_size = case
    _compare_with_torch(
        lambda t: F.adaptive_avg_pool2d(t, output_size),
        lambda torch, t: torch.nn.functional.adaptive_avg_pool2d(t, output_size),
        x,
    )


@given(adaptive_cases())
def test_adaptive_avg_pool2d_gradients_match_finite_differences_to_second_order(case):
    x, output_size = case
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, output_size), [x])
    assert gradgradcheck(lambda t: (F.adaptive_avg_pool2d(t, output_size) ** 2).sum(), [x])


def test_adaptive_avg_pool2d_uses_torchs_overlapping_windows():
    x = np.arange(5.0).reshape(1, 1, 1, 5)  # 5 -> 3: columns [0, 2), [1, 4), [3, 5)
    out = F.adaptive_avg_pool2d(Tensor(x), (1, 3))
    np.testing.assert_allclose(out.data.ravel(), [0.5, 2.0, 3.5])


@pytest.mark.parametrize("output_size", [(1, 3), (3, 2), (2, 5), (4, 4)])
def test_adaptive_avg_pool2d_keeps_an_infinity_or_nan_in_its_own_windows_as_torch(output_size):
    x = np.random.default_rng(1).normal(size=(1, 2, 4, 5))
    x[0, 0, 0, 1], x[0, 0, 3, 4], x[0, 1, 2, 0], x[0, 1, 1, 3] = -np.inf, np.inf, np.nan, -np.inf
    _compare_with_torch(
        lambda t: F.adaptive_avg_pool2d(t, output_size),
        lambda torch, t: torch.nn.functional.adaptive_avg_pool2d(t, output_size),
        x,
    )
    assert not np.isnan(F.adaptive_avg_pool2d(Tensor(x), output_size).data).all()


def test_adaptive_avg_pool1d_and_3d_keep_an_infinity_in_its_own_windows_as_torch():
    line = np.array([[[np.inf, -np.inf, 1e-320, np.nan, 2.0, -np.inf, 5.0]]])
    _compare_with_torch(
        lambda t: F.adaptive_avg_pool1d(t, 5), lambda torch, t: torch.nn.functional.adaptive_avg_pool1d(t, 5), line
    )
    volume = np.random.default_rng(2).normal(size=(1, 1, 3, 4, 4))
    volume[0, 0, 0, 0, 0] = -np.inf
    _compare_with_torch(
        lambda t: F.adaptive_avg_pool3d(t, 2), lambda torch, t: torch.nn.functional.adaptive_avg_pool3d(t, 2), volume
    )


def test_adaptive_avg_pool2d_module_keeps_float32_and_unbatched_inputs():
    pool = nn.AdaptiveAvgPool2d((2, None))
    out = pool(Tensor(np.ones((3, 4, 5), dtype=np.float32)))
    assert out.shape == (3, 2, 5) and out.dtype == np.float32
    assert repr(pool) == "AdaptiveAvgPool2d(output_size=(2, None))"


def test_adaptive_avg_pool2d_errors_name_the_argument():
    x = Tensor(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size must be at least 0"):
        F.adaptive_avg_pool2d(x, -1)
    with pytest.raises(TypeError, match="adaptive_avg_pool2d: output_size must be an int or a pair"):
        F.adaptive_avg_pool2d(x, (1, 2, 3))
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: expected an input of shape"):
        F.adaptive_avg_pool2d(Tensor(np.ones((4, 4))), 2)
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: input of shape .* has an empty spatial axis"):
        F.adaptive_avg_pool2d(Tensor(np.ones((1, 1, 0, 4))), 2)
    with pytest.raises(TypeError, match="AdaptiveAvgPool2d: output_size must be an int"):
        nn.AdaptiveAvgPool2d(1.5)


@st.composite
def avg_pool_cases(draw: st.DrawFn):
    x, geometry = draw(ceil_mode_cases())
    del geometry["dilation"]  # avg_pool2d has none
    sizes = tuple(max(n, k) for n, k in zip(x.shape[2:], geometry["kernel_size"]))
    x = np.resize(x, x.shape[:2] + sizes)
    return x, {
        **geometry,
        "ceil_mode": draw(st.booleans()),
        "count_include_pad": draw(st.booleans()),
        "divisor_override": draw(st.sampled_from([None, 1, 5])),
    }


@given(avg_pool_cases())
def test_avg_pool2d_ceil_mode_count_include_pad_and_divisor_override_match_torch(case):
    x, options = case
    _compare_with_torch(
        lambda t: F.avg_pool2d(t, **options),
        lambda torch, t: torch.nn.functional.avg_pool2d(t, **options),
        x,
    )


@given(avg_pool_cases())
def test_avg_pool2d_options_gradient_matches_finite_differences(case):
    x, options = case
    assert gradcheck(lambda t: F.avg_pool2d(t, **options), [x])


def test_avg_pool2d_ceil_mode_divides_the_overhanging_window_by_its_cells_in_the_padded_input():
    x = np.arange(1.0, 26.0).reshape(1, 1, 5, 5)
    out = F.avg_pool2d(Tensor(x), 2, ceil_mode=True).data  # the last row and column of windows hang over
    assert out.shape == (1, 1, 3, 3)
    assert out[0, 0, 2, 2] == x[0, 0, 4, 4]  # a 1-cell window: divided by 1
    assert out[0, 0, 0, 2] == (x[0, 0, 0, 4] + x[0, 0, 1, 4]) / 2
    padded = F.avg_pool2d(Tensor(x), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=True).data
    assert padded[0, 0, 0, 0] == x[0, 0, :2, :2].sum() / 9  # the padding counts, the overhang past it does not


def test_avg_pool2d_takes_torchs_positional_order_and_the_module_passes_every_option():
    x = np.arange(1.0, 26.0).reshape(1, 1, 5, 5)
    positional = F.avg_pool2d(
        x, 2, 2, 0, True, True, 3
    )  # kernel, stride, padding, ceil_mode, count_include_pad, divisor
    np.testing.assert_array_equal(positional.data, F.avg_pool2d(x, 2, ceil_mode=True, divisor_override=3).data)
    pool = nn.AvgPool2d(2, 2, 0, True, True, 3)
    np.testing.assert_array_equal(pool(x).data, positional.data)
    assert (pool.ceil_mode, pool.count_include_pad, pool.divisor_override) == (True, True, 3)
    with pytest.raises(ValueError, match="AvgPool2d: divisor_override must be a non-zero integer, got 0"):
        nn.AvgPool2d(2, divisor_override=0)
    with pytest.raises(TypeError, match="avg_pool2d: divisor_override must be a non-zero integer"):
        F.avg_pool2d(x, 2, divisor_override=1.5)


def test_avg_pool_options_survive_save_and_load(tmp_path):
    model = nn.Sequential(nn.AvgPool2d(2, ceil_mode=True, divisor_override=2))
    rebuilt = nn.load(nn.save(model, tmp_path / "avg.npz"))
    assert repr(rebuilt) == repr(model)


EMPTY_STRIDE_POOLS = {
    "max_pool1d": (lambda s: F.max_pool1d(X1, 2, stride=s), lambda x: x.reshape(3, 4, 2, 2).max(-1)),
    "avg_pool1d": (lambda s: F.avg_pool1d(X1, 2, stride=s), lambda x: x.reshape(3, 4, 2, 2).mean(-1)),
    "max_pool2d": (lambda s: F.max_pool2d(X2, 2, stride=s), lambda x: x.reshape(2, 3, 2, 2, 2, 2).max((3, 5))),
    "avg_pool2d": (lambda s: F.avg_pool2d(X2, 2, stride=s), lambda x: x.reshape(2, 3, 2, 2, 2, 2).mean((3, 5))),
    "max_pool3d": (
        lambda s: F.max_pool3d(X3, 2, stride=s),
        lambda x: x.reshape(1, 2, 2, 2, 2, 2, 2, 2).max((3, 5, 7)),
    ),
    "MaxPool1d": (lambda s: nn.MaxPool1d(2, stride=s)(X1), lambda x: x.reshape(3, 4, 2, 2).max(-1)),
    "MaxPool2d": (lambda s: nn.MaxPool2d(2, stride=s)(X2), lambda x: x.reshape(2, 3, 2, 2, 2, 2).max((3, 5))),
    "AvgPool3d": (
        lambda s: nn.AvgPool3d(2, stride=s)(X3),
        lambda x: x.reshape(1, 2, 2, 2, 2, 2, 2, 2).mean((3, 5, 7)),
    ),
}
X1 = Tensor(np.random.default_rng(3).normal(size=(3, 4, 4)))
X2 = Tensor(np.random.default_rng(4).normal(size=(2, 3, 4, 4)))
X3 = Tensor(np.random.default_rng(5).normal(size=(1, 2, 4, 4, 4)))


@pytest.mark.parametrize("name", sorted(EMPTY_STRIDE_POOLS))
@pytest.mark.parametrize("stride", [[], ()])
def test_an_empty_stride_means_the_kernel_size_as_torchs(name, stride):
    pool, windows = EMPTY_STRIDE_POOLS[name]
    source = {"1d": X1, "2d": X2, "3d": X3}[name[-2:].lower()]
    np.testing.assert_allclose(pool(stride).data, windows(source.data))
