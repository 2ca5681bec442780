"""Fractional max pooling (F.fractional_max_pool2d/3d, nn.FractionalMaxPool2d/3d) on its own terms: the window
starts of the definition, the entry each window chooses (first maximum, last NaN) against a loop over the
windows, gradients against finite differences in float64, samples drawn from the library's random state (seeded
by autograd.manual_seed), the layers' buffer, and no numpy warnings at extreme inputs."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn.functional.fractional_max_pool import window_starts


def _starts_by_definition(u: float, length: int, count: int, kernel: int) -> list[int]:
    """start_i = trunc((i + u) alpha) - trunc(u alpha), the last n - k, in float64."""
    if count == 1:
        return [length - kernel]
    alpha = (length - kernel) / (count - 1)
    return [math.trunc((i + u) * alpha) - math.trunc(u * alpha) for i in range(count - 1)] + [length - kernel]


def _pool_by_loops(x: np.ndarray, kernel: tuple, sizes: tuple, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pool of (N, C, *spatial) float64 ``x`` as one loop per window: the scan keeps an entry that is greater
    than the best so far or NaN (so the first maximum, the last NaN), starting from -inf at the first entry."""
    n, c, *spatial = x.shape
    axes = len(spatial)
    columns = (1, 0) if axes == 2 else (0, 1, 2)
    values = np.empty((n, c) + tuple(sizes))
    indices = np.empty((n, c) + tuple(sizes), dtype=np.int64)
    for b, channel in itertools.product(range(n), range(c)):
        starts = [
            _starts_by_definition(float(samples[b, channel, column]), length, count, k)
            for column, length, count, k in zip(columns, spatial, sizes, kernel)
        ]
        plane = x[b, channel].ravel()
        for cell in itertools.product(*(range(count) for count in sizes)):
            corner = [axis_starts[i] for axis_starts, i in zip(starts, cell)]
            best, where = -np.inf, np.ravel_multi_index(corner, spatial)
            for offset in itertools.product(*(range(k) for k in kernel)):
                flat = np.ravel_multi_index([a + o for a, o in zip(corner, offset)], spatial)
                if plane[flat] > best or np.isnan(plane[flat]):
                    best, where = plane[flat], flat
            values[(b, channel) + cell], indices[(b, channel) + cell] = best, where
    return values, indices


@pytest.mark.parametrize("axes", [2, 3])
def test_values_and_indices_are_the_scan_of_each_window(axes):
    rng = np.random.default_rng(axes)
    for trial in range(40):
        spatial = tuple(int(s) for s in rng.integers(3, 9, size=axes))
        kernel = tuple(int(rng.integers(1, s)) for s in spatial)
        sizes = tuple(int(rng.integers(1, s - k + 1)) for s, k in zip(spatial, kernel))
        x = np.round(rng.standard_normal((2, 2) + spatial))  # ties
        if trial % 3 == 0:
            x[rng.random(x.shape) < 0.2] = np.nan
        if trial % 4 == 0:
            x[rng.random(x.shape) < 0.7] = -np.inf
        samples = rng.random((2, 2, axes))
        pool = F.fractional_max_pool2d if axes == 2 else F.fractional_max_pool3d
        values, indices = pool(x, kernel, sizes, return_indices=True, _random_samples=samples)
        expected_values, expected_indices = _pool_by_loops(x, kernel, sizes, samples)
        np.testing.assert_array_equal(values.data, expected_values)
        np.testing.assert_array_equal(indices.data, expected_indices)


def test_window_starts_step_by_the_floor_or_ceiling_of_alpha_from_0_to_the_last_fit():
    rng = np.random.default_rng(0)
    for _ in range(300):
        length = int(rng.integers(2, 60))
        kernel = int(rng.integers(1, length + 1))
        count = int(rng.integers(1, length - kernel + 2))
        samples = rng.random(5)
        starts = window_starts("test", samples, length, count, kernel)
        for u, row in zip(samples, starts):
            assert row.tolist() == _starts_by_definition(float(u), length, count, kernel)
        assert (starts[:, 0] == (0 if count > 1 else length - kernel)).all() and (
            starts[:, -1] == length - kernel
        ).all()
        if count > 1:
            alpha = (length - kernel) / (count - 1)
            assert set(np.diff(starts).ravel()) <= {math.floor(alpha), math.ceil(alpha)}


@pytest.mark.parametrize(
    ("axes", "shape", "kernel", "sizes"),
    [
        (2, (2, 2, 7, 6), 2, (4, 3)),
        (2, (2, 5, 6), (3, 2), (3, 5)),
        (2, (1, 1, 5, 5), 2, (4, 4)),  # windows overlapping by one
        (3, (1, 2, 5, 6, 5), 2, (3, 4, 3)),
        (3, (2, 4, 5, 6), (2, 3, 1), (2, 2, 4)),
    ],
)
def test_gradients_match_finite_differences(axes, shape, kernel, sizes):
    rng = np.random.default_rng(1)
    x = Tensor(rng.permutation(np.prod(shape)).reshape(shape) * 0.1, requires_grad=True)  # no ties
    samples = rng.random(((shape[0] if len(shape) == axes + 2 else 1), shape[-axes - 1], axes))
    pool = F.fractional_max_pool2d if axes == 2 else F.fractional_max_pool3d
    assert gradcheck(lambda t: pool(t, kernel, sizes, _random_samples=samples), [x], eps=1e-6, atol=1e-7)
    assert gradgradcheck(lambda t: pool(t, kernel, sizes, _random_samples=samples), [x])


def test_an_entry_chosen_by_overlapping_windows_receives_each_ones_gradient():
    x = Tensor(np.zeros((1, 1, 5, 5)), requires_grad=True)
    x.data[0, 0, 2, 2] = 1.0
    samples = np.full((1, 1, 2), 0.5)
    out, indices = F.fractional_max_pool2d(x, 3, 3, return_indices=True, _random_samples=samples)
    out.backward(np.ones(out.shape))
    chosen_by = int((indices.data == 12).sum())
    assert chosen_by == 9  # windows of 3 starting at 0, 1, 2 along each axis all hold (2, 2)
    assert x.grad[0, 0, 2, 2] == chosen_by and x.grad.sum() == out.size


def test_tied_windows_send_the_gradient_to_the_first_entry_of_the_scan():
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    F.fractional_max_pool2d(x, 2, 1, _random_samples=np.zeros((1, 1, 2))).sum().backward()
    expected = np.zeros((4, 4))
    expected[2, 2] = 1.0  # one window, at the last fit (2, 2)
    np.testing.assert_array_equal(x.grad[0, 0], expected)


def test_unbatched_input_is_pooled_as_a_batch_of_one():
    rng = np.random.default_rng(2)
    x, samples = rng.standard_normal((3, 7, 8)), rng.random((1, 3, 2))
    batched = F.fractional_max_pool2d(x[None], 2, (3, 4), return_indices=True, _random_samples=samples)
    single = F.fractional_max_pool2d(x, 2, (3, 4), return_indices=True, _random_samples=samples)
    np.testing.assert_array_equal(single[0].data, batched[0].data[0])
    np.testing.assert_array_equal(single[1].data, batched[1].data[0])


def test_samples_are_drawn_from_the_librarys_random_state():
    x = np.random.default_rng(3).standard_normal((2, 3, 11, 12))
    autograd.manual_seed(7)
    first = F.fractional_max_pool2d(x, 2, (5, 6), return_indices=True)[1].data
    again = F.fractional_max_pool2d(x, 2, (5, 6), return_indices=True)[1].data
    autograd.manual_seed(7)
    replayed = F.fractional_max_pool2d(x, 2, (5, 6), return_indices=True)[1].data
    np.testing.assert_array_equal(first, replayed)
    assert not np.array_equal(first, again)  # the next call draws new samples
    # manual_seed(s)'s draws are numpy.random.default_rng(s)'s: rand(N, C, 2) on [0, 1)
    drawn = np.random.default_rng(7).uniform(0.0, 1.0, (2, 3, 2))
    explicit = F.fractional_max_pool2d(x, 2, (5, 6), return_indices=True, _random_samples=drawn)[1].data
    np.testing.assert_array_equal(first, explicit)


def test_a_layer_without_samples_draws_new_windows_each_call_and_with_samples_the_same():
    x = np.random.default_rng(4).standard_normal((1, 4, 6, 7, 8))
    autograd.manual_seed(1)
    layer = nn.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True)
    assert not np.array_equal(layer(x)[1].data, layer(x)[1].data)
    fixed = nn.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True, _random_samples=np.full((1, 4, 3), 0.3))
    np.testing.assert_array_equal(fixed(x)[1].data, fixed(x)[1].data)
    assert fixed(x)[0].shape == (1, 4, 3, 3, 4)


def test_the_samples_buffer_follows_the_layers_dtype_and_state_dict():
    layer = nn.FractionalMaxPool2d(2, output_size=3, _random_samples=np.full((1, 2, 2), 0.25, dtype=np.float32))
    assert list(layer.state_dict()) == ["_random_samples"]
    layer.double()
    assert layer._random_samples.dtype == np.float64
    out = layer(np.random.default_rng(5).standard_normal((1, 2, 6, 6)))
    assert out.shape == (1, 2, 3, 3) and out.dtype == np.float64
    copy = nn.FractionalMaxPool2d(2, output_size=3, _random_samples=np.zeros((1, 2, 2)))
    copy.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(copy._random_samples, layer._random_samples)


def test_layer_arguments_are_kept_as_torchs_tuples():
    layer = nn.FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True)
    assert (layer.kernel_size, layer.output_size, layer.output_ratio) == ((3, 3), None, (0.5, 0.5))
    layer = nn.FractionalMaxPool3d((1, 2, 3), output_size=4)
    assert (layer.kernel_size, layer.output_size, layer.output_ratio) == ((1, 2, 3), (4, 4, 4), None)
    assert repr(layer) == "FractionalMaxPool3d()"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.fractional_max_pool2d(np.zeros((1, 1, 4, 4)), 0, 2), ValueError, "kernel_size must be at least 1"),
        (lambda: nn.FractionalMaxPool2d(0, output_size=2), ValueError, "kernel_size must be at least 1"),
        (lambda: nn.FractionalMaxPool2d(2, output_size=-1), ValueError, "output_size must be at least 0"),
        (lambda: nn.FractionalMaxPool2d(2, output_ratio="half"), TypeError, "output_ratio must be a real number"),
        (lambda: nn.FractionalMaxPool2d(2, 2, return_indices=1), TypeError, "return_indices must be True or False"),
        (
            lambda: F.fractional_max_pool2d(np.zeros((1, 1, 4, 4)), 2, 2, _random_samples=np.full((1, 1, 2), np.inf)),
            ValueError,
            "beyond torch's int range",
        ),
    ],
)
def test_bad_arguments_are_refused_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_extreme_inputs_and_samples_give_no_numpy_warnings():
    x = np.array([np.inf, -np.inf, np.nan, 1e308, -1e308, 0.0, np.finfo(np.float64).tiny, 5e-324, 3.0] * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (np.float64, np.float32, np.float16):
            with np.errstate(over="ignore"):  # the test's own cast of 1e308 to float16/32
                data = x.reshape(1, 1, 6, 6).astype(dtype)
            t = Tensor(data, requires_grad=True)
            samples = np.array([[[0.0, np.nextafter(dtype(1), dtype(0))]]], dtype=dtype)
            F.fractional_max_pool2d(t, 2, (4, 3), _random_samples=samples).sum().backward()
            for extreme in (-0.999, 1e4, np.finfo(dtype).max):
                try:
                    F.fractional_max_pool2d(t, 2, (4, 3), _random_samples=np.full((1, 1, 2), extreme, dtype=dtype))
                except ValueError as error:  # a product past torch's int range: refused, without a warning
                    assert "int range" in str(error)
