"""Max and average pooling at torch 2.13's edges: ``ceil_mode`` with a kernel longer than the (padded) input,
the entry a window with NaNs picks (the last NaN), windows whose input entries are all -inf next to padding,
and the 1-D pools' error messages. Expected values are written out first; then sweeps of small 1-D and 2-D
geometries are compared with torch (values, indices and gradients)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

NAN, INF = np.nan, np.inf
LOWEST = np.finfo(np.float64).min


def _pool_with_gradient(pool, x: np.ndarray, *args, **kwargs):
    """(values, indices, x.grad) of ``pool(x, ..., return_indices=True)`` with ``sum()`` backpropagated."""
    tensor = Tensor(x, requires_grad=True)
    out, indices = pool(tensor, *args, return_indices=True, **kwargs)
    out.sum().backward()
    return out.data, indices, tensor.grad


# -- ceil_mode with a kernel longer than the input -----------------------------------------------------------
def test_max_pool2d_ceil_mode_gives_one_overhanging_window_for_a_kernel_longer_than_the_input():
    values, indices, grad = _pool_with_gradient(F.max_pool2d, np.arange(4.0).reshape(1, 1, 2, 2), 3, ceil_mode=True)
    np.testing.assert_array_equal(values, [[[[3.0]]]])
    np.testing.assert_array_equal(indices, [[[[3]]]])
    np.testing.assert_array_equal(grad, [[[[0.0, 0.0], [0.0, 1.0]]]])


def test_avg_pool2d_ceil_mode_divides_a_window_longer_than_the_input_by_the_cells_it_covers():
    x = Tensor(np.arange(4.0).reshape(1, 1, 2, 2), requires_grad=True)
    out = F.avg_pool2d(x, 3, ceil_mode=True)
    np.testing.assert_array_equal(out.data, [[[[1.5]]]])  # (0 + 1 + 2 + 3) / 4: the window covers 2 x 2 cells
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((1, 1, 2, 2), 0.25))


def test_avg_pool1d_ceil_mode_counts_the_padding_but_not_the_overhang_of_a_window_longer_than_the_input():
    x = np.array([[[6.0]]])  # padded to 3 cells, the kernel of 4 hangs one cell over the right padding
    np.testing.assert_array_equal(F.avg_pool1d(Tensor(x), 4, 2, 1, ceil_mode=True).data, [[[2.0]]])
    excluded = F.avg_pool1d(Tensor(x), 4, 2, 1, ceil_mode=True, count_include_pad=False)
    np.testing.assert_array_equal(excluded.data, [[[6.0]]])
    np.testing.assert_array_equal(F.avg_pool1d(Tensor(np.array([[1.0, 2.0, 3.0]])), 5, 3, ceil_mode=True).data, [[2.0]])


def test_max_pool1d_dilated_ceil_mode_window_hangs_over_the_end_of_the_input():
    values, indices, grad = _pool_with_gradient(F.max_pool1d, np.array([[[1.0, 9.0, 3.0, 7.0]]]), 3, 2, 0, 2, True)
    np.testing.assert_array_equal(values, [[[3.0]]])  # taps 0, 2 and 4 (past the end): max(1, 3)
    np.testing.assert_array_equal(indices, [[[2]]])
    np.testing.assert_array_equal(grad, [[[0.0, 0.0, 1.0, 0.0]]])
    values, indices, _ = _pool_with_gradient(F.max_pool1d, np.arange(5.0).reshape(1, 1, 5), 2, 2, 0, 3, True)
    np.testing.assert_array_equal(values, [[[3.0, 2.0]]])
    np.testing.assert_array_equal(indices, [[[3, 2]]])


def test_max_pool2d_module_with_dilation_and_ceil_mode_pools_an_input_shorter_than_its_span():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = nn.MaxPool2d(3, 2, dilation=2, ceil_mode=True)(Tensor(x))  # span 5 on 4 cells: one window per axis
    np.testing.assert_array_equal(out.data, [[[[10.0]]]])


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_ceil_mode_still_raises_when_the_kernel_is_longer_than_the_input_by_a_stride(pool):
    with pytest.raises(ValueError, match=r"smaller than the kernel \(5, 5\).*so even ceil_mode has no window"):
        pool(Tensor(np.zeros((1, 1, 2, 2))), 5, 1, ceil_mode=True)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pooling_raises_for_an_empty_spatial_axis_even_with_padding(pool):
    with pytest.raises(ValueError, match=r"input of shape \(1, 1, 0, 4\) has an empty spatial axis"):
        pool(Tensor(np.zeros((1, 1, 0, 4))), 2, padding=1)


# -- NaN: the last NaN of the window's row-major scan -----------------------------------------------------------
def test_max_pool2d_sends_a_window_with_several_nans_to_its_last_nan():
    values, indices, grad = _pool_with_gradient(F.max_pool2d, np.array([[[[NAN, 1.0], [2.0, NAN]]]]), 2)
    assert np.isnan(values).all()
    np.testing.assert_array_equal(indices, [[[[3]]]])
    np.testing.assert_array_equal(grad, [[[[0.0, 0.0], [0.0, 1.0]]]])


def test_max_pool1d_sends_a_window_with_several_nans_to_its_last_nan():
    _, indices, grad = _pool_with_gradient(F.max_pool1d, np.array([[[NAN, 1.0, NAN]]]), 3)
    np.testing.assert_array_equal(indices, [[[2]]])
    np.testing.assert_array_equal(grad, [[[0.0, 0.0, 1.0]]])


def test_max_pool2d_overlapping_padded_windows_each_pick_their_last_nan_in_row_major_order():
    x = np.array([[[[NAN, NAN, 1.0], [2.0, 0.0, NAN], [NAN, 5.0, 1.0]]]])
    _, indices, grad = _pool_with_gradient(F.max_pool2d, x, 3, 1, 1)
    np.testing.assert_array_equal(indices, [[[[1, 5, 5], [6, 6, 5], [6, 6, 5]]]])  # torch's
    np.testing.assert_array_equal(grad, [[[[0.0, 1.0, 0.0], [0.0, 0.0, 4.0], [4.0, 0.0, 0.0]]]])
    _, indices, _ = _pool_with_gradient(F.max_pool2d, x, 3)
    np.testing.assert_array_equal(indices, [[[[6]]]])


# -- padding never wins, even against -inf --------------------------------------------------------------------
def test_max_pool1d_window_of_padding_and_minus_infinity_takes_its_input_entry():
    values, indices, grad = _pool_with_gradient(F.max_pool1d, np.array([[[-INF, -INF, 1.0]]]), 2, 1, 1)
    np.testing.assert_array_equal(values, [[[-INF, -INF, 1.0, 1.0]]])
    np.testing.assert_array_equal(indices, [[[0, 0, 2, 2]]])
    np.testing.assert_array_equal(grad, [[[2.0, 0.0, 2.0]]])


def test_max_pool1d_window_of_padding_and_the_lowest_float_takes_its_input_entry():
    values, indices, grad = _pool_with_gradient(F.max_pool1d, np.array([[[LOWEST, 0.0]]]), 2, 2, 1)
    np.testing.assert_array_equal(values, [[[LOWEST, 0.0]]])
    np.testing.assert_array_equal(indices, [[[0, 1]]])
    np.testing.assert_array_equal(grad, [[[1.0, 1.0]]])


def test_max_pool2d_all_minus_infinity_windows_pick_their_first_input_entry():
    values, indices, grad = _pool_with_gradient(F.max_pool2d, np.full((1, 1, 3, 3), -INF), 3, 1, 1)
    np.testing.assert_array_equal(values, np.full((1, 1, 3, 3), -INF))
    np.testing.assert_array_equal(indices, [[[[0, 0, 1], [0, 0, 1], [3, 3, 4]]]])
    np.testing.assert_array_equal(grad, [[[[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]])


def test_fused_relu_then_max_pool_of_minus_infinity_next_to_padding_gives_zero_and_no_gradient():
    x = Tensor(np.array([[[[-INF, -INF, 1.0]]]]), requires_grad=True)
    out = nn.Sequential(nn.ReLU(), nn.MaxPool2d((1, 2), 1, (0, 1)))(x)
    np.testing.assert_array_equal(out.data, [[[[0.0, 0.0, 1.0, 1.0]]]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[0.0, 0.0, 2.0]]]])


# -- 1-D errors name the 1-D function and the caller's shape --------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nn.MaxPool1d(6)(Tensor(np.zeros((2, 3, 5)))),
            r"^max_pool1d: input of shape \(2, 3, 5\) \(length 5 padded to 5\) is smaller than the kernel 6 ",
        ),
        (
            lambda: nn.AvgPool1d(6)(Tensor(np.zeros((3, 5)))),
            r"^avg_pool1d: input of shape \(3, 5\) \(length 5 padded to 5\) is smaller than the kernel 6 ",
        ),
        (
            lambda: F.avg_pool1d(np.zeros((1, 1, 2)), 5, 1, ceil_mode=True),
            r"^avg_pool1d: input of shape \(1, 1, 2\) .* by at least the stride 1, so even ceil_mode has no window$",
        ),
        (lambda: F.max_pool1d(np.zeros((2, 3, 5)), 2, padding=2), r"^max_pool1d: padding 2 must be at most half"),
        (
            lambda: F.max_pool1d(np.zeros((1, 1, 1)), 2, 1, 1, 2),
            r"^max_pool1d: for input of shape \(1, 1, 1\), a window of kernel 2 with dilation 2 and padding 1 reads",
        ),
        (lambda: F.max_pool1d(np.zeros((2, 3, 0)), 2), r"^max_pool1d: input of shape \(2, 3, 0\) has an empty"),
    ],
)
def test_1d_pool_geometry_errors_name_the_1d_function_and_the_callers_shape(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- torch sweeps -----------------------------------------------------------------------------------------------
@pytest.fixture
def torch():
    """torch on one thread for the sweeps' thousands of tiny calls (its thread pool only adds overhead there)."""
    module = pytest.importorskip("torch")
    threads = module.get_num_threads()
    module.set_num_threads(1)
    yield module
    module.set_num_threads(threads)


def _data(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    """Small integers (many ties), with NaN, -inf or the lowest float64 sprinkled in for ``kind``."""
    x = rng.integers(-2, 3, shape).astype(np.float64)
    special = {"ties": None, "nan": NAN, "-inf": -INF, "lowest": LOWEST}[kind]
    if special is not None:
        x[rng.random(shape) < 0.4] = special
    return x


def _reads_only_padding(out_lengths, lengths, kernel, stride, padding, dilation) -> bool:
    """Whether some window of torch's output reads no input entry (torch gives -inf there; the library raises)."""
    for count, n, k, s, p, d in zip(out_lengths, lengths, kernel, stride, padding, dilation):
        taps = np.arange(count)[:, None] * s + d * np.arange(k) - p
        if not ((taps >= 0) & (taps < n)).any(axis=1).all():
            return True
    return False


def _compare_max_pool(torch, pool, torch_pool, x, geometry, spatial) -> str | None:
    """A description of how ``pool`` differs from ``torch_pool`` on ``x`` (values, indices, gradients or
    raising), or None. The library may raise only where torch raises or a torch window reads only padding."""
    theirs = torch.tensor(x, requires_grad=True)
    try:
        expected, expected_indices = torch_pool(theirs, **geometry, return_indices=True)
    except RuntimeError:
        expected = None
    ours = Tensor(x, requires_grad=True)
    try:
        out, indices = pool(ours, **geometry, return_indices=True)
    except ValueError as error:
        if expected is None or _reads_only_padding(tuple(expected.shape[2:]), x.shape[2:], *spatial):
            return None
        return f"raises {error}"
    if expected is None:
        return "torch raises, the library does not"
    seed = np.random.default_rng(0).standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(seed))
    out.backward(seed)
    if not np.array_equal(out.data, expected.detach().numpy(), equal_nan=True):
        return f"values {out.data.ravel()} != {expected.detach().numpy().ravel()}"
    if not np.array_equal(indices, expected_indices.numpy()):
        return f"indices {indices.ravel()} != {expected_indices.numpy().ravel()}"
    if not np.allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-12):
        return f"gradient {ours.grad.ravel()} != {theirs.grad.numpy().ravel()}"
    return None


def _compare_avg_pool(torch, pool, torch_pool, x, geometry) -> str | None:
    """A description of how ``pool`` differs from ``torch_pool`` on ``x`` (values, gradients, raising), or None."""
    theirs = torch.tensor(x, requires_grad=True)
    try:
        expected = torch_pool(theirs, **geometry)
    except RuntimeError:
        expected = None
    ours = Tensor(x, requires_grad=True)
    try:
        out = pool(ours, **geometry)
    except ValueError as error:
        return None if expected is None else f"raises {error}"
    if expected is None:
        return "torch raises, the library does not"
    seed = np.random.default_rng(0).standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(seed))
    out.backward(seed)
    if not np.allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12):
        return f"values {out.data.ravel()} != {expected.detach().numpy().ravel()}"
    if not np.allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-12):
        return f"gradient {ours.grad.ravel()} != {theirs.grad.numpy().ravel()}"
    return None


def _geometries_1d():
    """(length, kernel, stride, padding, dilation) of small 1-D pools, padding up to torch's limit k // 2."""
    for n, k, s, d in itertools.product(range(1, 7), range(1, 6), range(1, 4), range(1, 3)):
        for p in range(k // 2 + 1):
            yield n, k, s, p, d


@pytest.mark.parametrize("kind", ["ties", "nan", "-inf", "lowest"])
@pytest.mark.parametrize("ceil_mode", [True, False])
def test_max_pool1d_matches_torch_values_indices_and_gradients_over_small_geometries(torch, kind, ceil_mode):
    rng = np.random.default_rng(11)
    failures = []
    for n, k, s, p, d in _geometries_1d():
        geometry = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil_mode}
        x = _data(rng, (2, 2, n), kind)
        spatial = ((k,), (s,), (p,), (d,))
        failure = _compare_max_pool(torch, F.max_pool1d, torch.nn.functional.max_pool1d, x, geometry, spatial)
        if failure:
            failures.append(f"n={n} {geometry}: {failure}")
    assert not failures, f"{len(failures)} geometries differ from torch, e.g. {failures[:3]}"


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("ceil_mode", [True, False])
def test_avg_pool1d_matches_torch_values_and_gradients_over_small_geometries(torch, ceil_mode, count_include_pad):
    rng = np.random.default_rng(12)
    failures = []
    for n, k, s, p, d in _geometries_1d():
        if d != 1:
            continue
        geometry = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil_mode}
        geometry["count_include_pad"] = count_include_pad
        failure = _compare_avg_pool(
            torch, F.avg_pool1d, torch.nn.functional.avg_pool1d, rng.normal(size=(2, 2, n)), geometry
        )
        if failure:
            failures.append(f"n={n} {geometry}: {failure}")
    assert not failures, f"{len(failures)} geometries differ from torch, e.g. {failures[:3]}"


def _geometries_2d(rng: np.random.Generator, count: int):
    """``count`` random small 2-D pools: ((H, W), kernel, stride, padding, dilation), padding up to k // 2."""
    for _ in range(count):
        size = tuple(int(v) for v in rng.integers(1, 6, 2))
        kernel = tuple(int(v) for v in rng.integers(1, 5, 2))
        stride = tuple(int(v) for v in rng.integers(1, 4, 2))
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        dilation = tuple(int(v) for v in rng.integers(1, 3, 2))
        yield size, kernel, stride, padding, dilation


@pytest.mark.parametrize("kind", ["ties", "nan", "-inf", "lowest"])
def test_max_pool2d_ceil_mode_matches_torch_values_indices_and_gradients_over_small_geometries(torch, kind):
    rng = np.random.default_rng(13)
    failures = []
    for size, kernel, stride, padding, dilation in _geometries_2d(rng, 150):
        geometry = {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
        geometry["ceil_mode"] = True
        x = _data(rng, (2, 2) + size, kind)
        spatial = (kernel, stride, padding, dilation)
        failure = _compare_max_pool(torch, F.max_pool2d, torch.nn.functional.max_pool2d, x, geometry, spatial)
        if failure:
            failures.append(f"size={size} {geometry}: {failure}")
    assert not failures, f"{len(failures)} geometries differ from torch, e.g. {failures[:3]}"


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_ceil_mode_matches_torch_values_and_gradients_over_small_geometries(torch, count_include_pad):
    rng = np.random.default_rng(14)
    failures = []
    for size, kernel, stride, padding, _ in _geometries_2d(rng, 150):
        geometry = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": True}
        geometry["count_include_pad"] = count_include_pad
        failure = _compare_avg_pool(
            torch, F.avg_pool2d, torch.nn.functional.avg_pool2d, rng.normal(size=(2, 2) + size), geometry
        )
        if failure:
            failures.append(f"size={size} {geometry}: {failure}")
    assert not failures, f"{len(failures)} geometries differ from torch, e.g. {failures[:3]}"


@pytest.mark.parametrize("memory_format", ["contiguous_format", "channels_last"])
def test_max_pool2d_nan_windows_pick_torchs_entry_in_either_torch_memory_layout(torch, memory_format):
    x = _data(np.random.default_rng(15), (2, 3, 6, 7), "nan")
    layout = getattr(torch, memory_format)
    for kernel, stride, padding in [(2, 2, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 1)), (3, 2, 1)]:
        theirs = torch.tensor(x).contiguous(memory_format=layout).requires_grad_()
        expected, expected_indices = torch.nn.functional.max_pool2d(
            theirs, kernel, stride, padding, return_indices=True
        )
        out, indices = F.max_pool2d(Tensor(x), kernel, stride, padding, return_indices=True)
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
        np.testing.assert_array_equal(indices, expected_indices.numpy())


# -- integer inputs ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8])
@pytest.mark.parametrize(
    ("pool", "shape", "options"),
    [
        ("max_pool1d", (2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
        ("max_pool1d", (3, 8), {"kernel_size": 2, "dilation": 2}),
        ("max_pool2d", (2, 3, 9, 8), {"kernel_size": 2, "padding": 1}),
        ("max_pool2d", (2, 3, 9, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
        ("max_pool3d", (1, 2, 5, 6, 5), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ],
)
def test_max_pool_of_integers_keeps_their_dtype_and_values_as_torch(dtype, pool, shape, options):
    # tinygrad's test_max_pool2d_padding_int: torch's max pools of int64, int32, uint8 and int8 keep the dtype;
    # they were computed in float64 (int64 past 2**53 inexact), and the dtype's minimum ties with the padding
    torch = pytest.importorskip("torch")
    info = np.iinfo(dtype)
    data = np.random.default_rng(5).integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    data.reshape(-1)[:9] = info.min  # windows of minima next to the padding take their first input entry
    expected, expected_indices = getattr(torch.nn.functional, pool)(torch.tensor(data), return_indices=True, **options)
    out, indices = getattr(F, pool)(Tensor(data), return_indices=True, **options)
    assert out.dtype == data.dtype
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(indices.data, expected_indices.numpy())
    np.testing.assert_array_equal(getattr(F, pool)(data, **options).data, expected.numpy())  # an ndarray too
