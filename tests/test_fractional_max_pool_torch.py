"""Fractional max pooling (F.fractional_max_pool2d/3d, their _with_indices forms, nn.FractionalMaxPool2d/3d)
against torch 2.13: with the same ``_random_samples``, the same output, indices and input gradients over many
shapes, kernels, output sizes and ratios, samples (inside and outside [0, 1)), dtypes (float64, float32 and
float16, whose window arithmetic is the dtype's), ties, NaN and -inf; unbatched and empty-batch input; the layers'
attributes, repr and state_dict (torch's state dict loads strictly); the errors' classes."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _random_case(rng: np.random.Generator, axes: int, dtype: type) -> tuple[np.ndarray, tuple, tuple, np.ndarray]:
    """(input, kernel, output sizes, samples) of random geometry within torch's limits (3-D: one entry of room
    more), the input with ties, NaN or -inf now and then."""
    batch, channels = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    spatial = tuple(int(size) for size in rng.integers(2 + (axes == 3), 15, size=axes))
    kernel = tuple(int(rng.integers(1, size + (axes == 2))) for size in spatial)
    room = 2 if axes == 2 else 1
    sizes = tuple(int(rng.integers(0, size - k + room)) for size, k in zip(spatial, kernel))
    x = rng.standard_normal((batch, channels) + spatial)
    kind = rng.integers(4)
    if kind == 1:
        x = np.round(x)  # many ties
    elif kind == 2:
        x[rng.random(x.shape) < 0.15] = np.nan
    elif kind == 3:
        x[rng.random(x.shape) < 0.6] = -np.inf
    return x.astype(dtype), kernel, sizes, rng.random((batch, channels, axes)).astype(dtype)


def _assert_matches_torch(axes, x, kernel, sizes, samples, *, ratio=None, samples_for_torch=None):
    ours_pool = F.fractional_max_pool2d if axes == 2 else F.fractional_max_pool3d
    their_pool = TF.fractional_max_pool2d if axes == 2 else TF.fractional_max_pool3d
    size_options = {"output_size": sizes} if ratio is None else {"output_ratio": ratio}
    ours_x = Tensor(x.copy(), requires_grad=True)
    their_x = torch.tensor(x, requires_grad=True)
    out, indices = ours_pool(ours_x, kernel, **size_options, return_indices=True, _random_samples=samples)
    expected, expected_indices = their_pool(
        their_x, kernel, **size_options, return_indices=True, _random_samples=torch.tensor(samples)
    )
    assert out.dtype == x.dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(out.data, expected.detach().numpy())  # nan where torch has nan
    np.testing.assert_array_equal(indices.data, expected_indices.numpy())
    if expected.numel():
        upstream = np.random.default_rng(2).standard_normal(out.shape).astype(x.dtype)
        out.backward(Tensor(upstream))
        expected.backward(torch.from_numpy(upstream))
        tolerance = 1e-3 if x.dtype == np.float16 else 1e-6
        np.testing.assert_allclose(ours_x.grad, their_x.grad.numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("axes", [2, 3])
def test_random_geometries_give_torchs_output_indices_and_gradients(axes, dtype):
    rng = np.random.default_rng([axes, np.dtype(dtype).itemsize])
    for _ in range(120):
        _assert_matches_torch(axes, *_random_case(rng, axes, dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_samples_at_the_ends_of_the_unit_interval_and_beyond_give_torchs_windows(dtype):
    x = np.random.default_rng(3).standard_normal((1, 4, 23, 17)).astype(dtype)
    for sample in [0.0, np.nextafter(dtype(1), dtype(0)), 0.5, 1.0, 1.5, 7.25, -0.5, -0.999, 300.0]:
        samples = np.full((1, 4, 2), sample, dtype=dtype)
        samples[0, 1:3] = np.random.default_rng(4).random((2, 2))  # others in the same call
        for kernel, sizes in [(2, (11, 8)), ((3, 4), (20, 14)), (5, (4, 3)), (1, (23, 17)), ((6, 2), (1, 2))]:
            _assert_matches_torch(2, x, kernel, sizes, samples)


def test_window_starts_are_computed_in_the_inputs_dtype_as_torchs():
    # n = 5, m = 3, k = 1, u just below 1/2: (1 + u) * 2 is 3 in float32 arithmetic, 2.99999... in float64
    u = np.float32(0.49999997)
    x = np.arange(5.0)[None, None, None, :].repeat(2, axis=2)
    samples = np.full((1, 1, 2), u)  # float32
    wide = F.fractional_max_pool2d(x, 1, (2, 3), return_indices=True, _random_samples=samples.astype(np.float64))
    narrow = F.fractional_max_pool2d(x.astype(np.float32), 1, (2, 3), return_indices=True, _random_samples=samples)
    np.testing.assert_array_equal(wide[1].data[0, 0, 0], [0, 2, 4])
    np.testing.assert_array_equal(narrow[1].data[0, 0, 0], [0, 3, 4])
    _assert_matches_torch(2, x, 1, (2, 3), samples.astype(np.float64))
    _assert_matches_torch(2, x.astype(np.float32), 1, (2, 3), samples)


def test_long_axes_give_torchs_windows_in_float32_and_float16():
    # the dtype's rounding matters most where i + u and (i + u) * alpha are large
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float16):
        x = rng.standard_normal((1, 2, 3, 1800)).astype(dtype)
        for sizes in [(1, 1000), (2, 1500), (1, 601), (2, 1799)]:
            _assert_matches_torch(2, x, (2, 2), sizes, rng.random((1, 2, 2)).astype(dtype))


def test_float16_windows_rounded_past_the_input_are_refused_where_torchs_kernel_fails():
    x = np.random.default_rng(5).standard_normal((1, 2, 3, 1800)).astype(np.float16)
    # the last computed window, i = 1698: 1698 + 0.78 rounds to 1699 in float16, times alpha (1.059) to 1799 > 1798
    samples = np.array([[[0.78, 0.9067]] * 2], dtype=np.float16)
    with pytest.raises(RuntimeError, match="INTERNAL ASSERT FAILED"):
        TF.fractional_max_pool2d(torch.tensor(x), 2, (2, 1700), _random_samples=torch.tensor(samples))
    with pytest.raises(RuntimeError, match="leave an axis of 1800 entries"):
        F.fractional_max_pool2d(x, 2, (2, 1700), _random_samples=samples)


@pytest.mark.parametrize(
    ("axes", "shape", "kernel", "ratio"),
    [
        (2, (2, 3, 9, 11), 2, (0.5, 0.5)),
        (2, (2, 3, 9, 11), (3, 2), (0.7, 0.35)),
        (2, (1, 2, 16, 16), 1, [0.5, 0.25]),
        (3, (2, 2, 7, 8, 9), 2, (0.5, 0.5, 0.5)),
        (3, (1, 3, 10, 6, 7), (3, 2, 2), (0.6, 0.5, 0.3)),
    ],
)
def test_output_ratio_truncates_each_size_times_its_ratio_as_torch(axes, shape, kernel, ratio):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape)
    _assert_matches_torch(axes, x, kernel, None, rng.random(shape[:2] + (axes,)), ratio=ratio)


def test_unbatched_and_empty_batch_input_match_torch():
    rng = np.random.default_rng(7)
    _assert_matches_torch(2, rng.standard_normal((3, 8, 9)), 2, (5, 4), rng.random((1, 3, 2)))
    _assert_matches_torch(2, rng.standard_normal((3, 8, 9)), 2, (5, 4), rng.random((4, 3, 2)))  # extra rows unused
    _assert_matches_torch(3, rng.standard_normal((2, 6, 7, 8)), 2, (3, 4, 5), rng.random((1, 2, 3)))
    _assert_matches_torch(2, rng.standard_normal((0, 3, 8, 9)), 2, (5, 4), rng.random((0, 3, 2)))
    _assert_matches_torch(3, rng.standard_normal((0, 2, 6, 7, 8)), 2, (3, 4, 5), rng.random((0, 2, 3)))


def test_output_size_zero_gives_torchs_empty_output_and_a_zero_gradient():
    rng = np.random.default_rng(8)
    x = Tensor(rng.standard_normal((2, 3, 7, 8)), requires_grad=True)
    out = F.fractional_max_pool2d(x, 2, (0, 3), _random_samples=rng.random((2, 3, 2)))
    expected = TF.fractional_max_pool2d(torch.zeros(2, 3, 7, 8, dtype=torch.float64), 2, (0, 3))
    assert out.shape == tuple(expected.shape) == (2, 3, 0, 3)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(x.shape))


def test_with_indices_forms_return_torchs_pair_whatever_return_indices_says():
    rng = np.random.default_rng(9)
    x, samples = rng.standard_normal((2, 3, 8, 9)), rng.random((2, 3, 2))
    out, indices = F.fractional_max_pool2d_with_indices(x, 2, (4, 5), None, False, samples)
    expected, expected_indices = TF.fractional_max_pool2d_with_indices(
        torch.tensor(x), 2, (4, 5), None, False, torch.tensor(samples)
    )
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(indices.data, expected_indices.numpy())
    volume, samples = rng.standard_normal((2, 3, 6, 7, 8)), rng.random((2, 3, 3))
    out, indices = F.fractional_max_pool3d_with_indices(volume, 2, output_ratio=0.5, _random_samples=samples)
    expected, expected_indices = TF.fractional_max_pool3d_with_indices(
        torch.tensor(volume), 2, output_ratio=(0.5, 0.5, 0.5), _random_samples=torch.tensor(samples)
    )
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(indices.data, expected_indices.numpy())


def test_layers_load_torchs_state_dict_and_give_its_outputs():
    rng = np.random.default_rng(10)
    for axes, shape, options in [
        (2, (2, 3, 9, 10), {"kernel_size": 2, "output_ratio": 0.5}),
        (2, (2, 3, 9, 10), {"kernel_size": (3, 2), "output_size": (4, 6), "return_indices": True}),
        (3, (2, 2, 7, 8, 9), {"kernel_size": 2, "output_ratio": (0.5, 0.4, 0.6), "return_indices": True}),
        (3, (2, 2, 7, 8, 9), {"kernel_size": (2, 3, 2), "output_size": 3}),
    ]:
        name = f"FractionalMaxPool{axes}d"
        samples = rng.random(shape[:2] + (axes,))
        theirs = getattr(torch.nn, name)(**options, _random_samples=torch.tensor(samples))
        ours = getattr(nn, name)(**options, _random_samples=np.zeros_like(samples))
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
        ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()}, strict=True)
        assert repr(ours) == repr(theirs) == f"{name}()"
        for attribute in ("kernel_size", "output_size", "output_ratio", "return_indices"):
            assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
        x = rng.standard_normal(shape)
        got, expected = ours(Tensor(x)), theirs(torch.tensor(x))
        if options.get("return_indices"):
            np.testing.assert_array_equal(got[1].data, expected[1].numpy())
            got, expected = got[0], expected[0]
        np.testing.assert_array_equal(got.data, expected.numpy())


def test_layers_without_samples_keep_no_state_as_torchs():
    for ours, theirs in [
        (nn.FractionalMaxPool2d(3, output_size=(4, 5)), torch.nn.FractionalMaxPool2d(3, output_size=(4, 5))),
        (nn.FractionalMaxPool3d(2, output_ratio=0.5), torch.nn.FractionalMaxPool3d(2, output_ratio=0.5)),
    ]:
        assert dict(ours.state_dict()) == dict(theirs.state_dict()) == {}
        assert repr(ours) == repr(theirs)
        assert (ours.kernel_size, ours.output_size, ours.output_ratio) == (
            theirs.kernel_size,
            theirs.output_size,
            theirs.output_ratio,
        )


X2 = np.random.default_rng(11).standard_normal((2, 3, 7, 8))
X3 = np.random.default_rng(12).standard_normal((2, 3, 7, 8, 9))

#: (name, call(functional module, tensor maker)): each raises in torch, and ours raises an error of torch's class
ERRORS = [
    ("no size", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3)),
    ("ratio of three", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_ratio=(0.5, 0.5, 0.5))),
    ("height too small", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_size=6)),
    ("width too small", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_size=(5, 7))),
    ("negative size", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_size=-1)),
    ("ratio above 1 too large", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_ratio=(1.5, 1.5))),
    ("three kernel sizes", lambda fn, t: fn.fractional_max_pool2d(t(X2), (3, 3, 3), output_size=2)),
    ("three output sizes", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_size=(2, 2, 2))),
    ("float kernel", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3.0, output_size=2)),
    ("float size", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_size=2.0)),
    ("5-d input", lambda fn, t: fn.fractional_max_pool2d(t(X3), 3, output_size=2)),
    ("no channels", lambda fn, t: fn.fractional_max_pool2d(t(np.zeros((2, 0, 7, 8))), 3, output_size=2)),
    ("nan ratio", lambda fn, t: fn.fractional_max_pool2d(t(X2), 3, output_ratio=(float("nan"), 0.5))),
    ("samples dtype", lambda fn, t: fn.fractional_max_pool2d(t(X2), 2, 2, _random_samples=t(np.zeros((2, 3, 2), "f")))),
    ("samples of 2 axes", lambda fn, t: fn.fractional_max_pool2d(t(X2), 2, 2, _random_samples=t(np.zeros((2, 3))))),
    ("too few rows", lambda fn, t: fn.fractional_max_pool2d(t(X2), 2, 2, _random_samples=t(np.zeros((1, 3, 2))))),
    ("other channels", lambda fn, t: fn.fractional_max_pool2d(t(X2), 2, 2, _random_samples=t(np.zeros((2, 4, 2))))),
    ("three samples", lambda fn, t: fn.fractional_max_pool2d(t(X2), 2, 2, _random_samples=t(np.zeros((2, 3, 3))))),
    ("time too small", lambda fn, t: fn.fractional_max_pool3d(t(X3), 3, output_size=(5, 4, 4))),
    ("3-d width too small", lambda fn, t: fn.fractional_max_pool3d(t(X3), 3, output_size=(4, 5, 7))),
    ("3-d height too small", lambda fn, t: fn.fractional_max_pool3d(t(X3), 3, output_size=(4, 6, 6))),
    ("3-d window filling an axis", lambda fn, t: fn.fractional_max_pool3d(t(X3[:, :, :3]), 3, output_size=1)),
    ("two kernel sizes", lambda fn, t: fn.fractional_max_pool3d(t(X3), (3, 3), output_size=2)),
    ("3-d 4-d input", lambda fn, t: fn.fractional_max_pool3d(t(X2), 3, output_size=8)),
    ("3-d no size", lambda fn, t: fn.fractional_max_pool3d(t(X3), 3)),
    ("3-d two samples", lambda fn, t: fn.fractional_max_pool3d(t(X3), 2, 2, _random_samples=t(np.zeros((2, 3, 2))))),
]

LAYER_ERRORS = [
    ("2-d no size", lambda n: n.FractionalMaxPool2d(3)),
    ("2-d both", lambda n: n.FractionalMaxPool2d(3, 2, 0.5)),
    ("2-d ratio 1", lambda n: n.FractionalMaxPool2d(3, output_ratio=1.0)),
    ("2-d ratio 0", lambda n: n.FractionalMaxPool2d(3, output_ratio=(0.5, 0))),
    ("3-d kernel 0", lambda n: n.FractionalMaxPool3d(0, output_size=2)),
    ("3-d kernel (1, 0, 1)", lambda n: n.FractionalMaxPool3d((1, 0, 1), output_size=2)),
    ("3-d ratio 1.5", lambda n: n.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1.5))),
    ("3-d no size", lambda n: n.FractionalMaxPool3d(2)),
    ("3-d both", lambda n: n.FractionalMaxPool3d(2, 2, 0.5)),
]


def _raised(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001  (the class is what is compared)
        return error
    raise AssertionError("no error")


@pytest.mark.parametrize(("name", "call"), ERRORS, ids=[name for name, _ in ERRORS])
def test_bad_calls_raise_errors_of_torchs_class(name, call):
    theirs = _raised(lambda: call(TF, torch.tensor))
    ours = _raised(lambda: call(F, Tensor))
    assert isinstance(ours, type(theirs)), f"{type(ours).__name__} is not a {type(theirs).__name__}"
    assert "fractional_max_pool" in str(ours)


@pytest.mark.parametrize(("name", "call"), LAYER_ERRORS, ids=[name for name, _ in LAYER_ERRORS])
def test_bad_layer_arguments_raise_torchs_value_errors(name, call):
    theirs = _raised(lambda: call(torch.nn))
    ours = _raised(lambda: call(nn))
    assert isinstance(ours, type(theirs)) and isinstance(ours, ValueError)
    assert "FractionalMaxPool" in str(ours)
