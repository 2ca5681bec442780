"""autograd.shape_functions beyond the op table: errors naming the op and the bad argument, dtypes, memory orders."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd.shape_functions as sf
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.read_padding import foldable, folded_array, padded_array


def test_functions_that_need_more_dimensions_name_themselves_and_the_shape():
    with pytest.raises(ValueError, match=r"fliplr: needs an array of at least 2 dimension\(s\), got shape \(3,\)"):
        sf.fliplr(np.ones(3))
    with pytest.raises(ValueError, match=r"dsplit: needs an array of at least 3 dimension\(s\), got shape \(2, 2\)"):
        sf.dsplit(np.ones((2, 2)), 2)


def test_rot90_rejects_equal_axes_and_splits_reject_unequal_division():
    with pytest.raises(ValueError, match=r"rot90: the axes must differ, got \(1, -1\)"):
        sf.rot90(np.ones((2, 2)), 1, (1, -1))
    with pytest.raises(ValueError, match="hsplit: axis 1 of length 3 does not split into 2 equal parts"):
        sf.hsplit(np.ones((2, 3)), 2)


def test_repeat_tile_and_roll_reject_bad_counts():
    with pytest.raises(ValueError, match="repeat: repeats must be non-negative integers, got -1"):
        sf.repeat(np.ones(2), -1)
    with pytest.raises(ValueError, match="repeat: 3 repeats for an axis of length 2"):
        sf.repeat(np.ones(2), [1, 2, 3])
    with pytest.raises(ValueError, match=r"tile: reps must be non-negative integers, got \(2, -1\)"):
        sf.tile(np.ones(2), (2, -1))
    with pytest.raises(ValueError, match="roll: 2 shifts for 1 axes"):
        sf.roll(np.ones((2, 2)), [1, 2], axis=[0])


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.uint8, np.float32])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_triangles_keep_the_dtype_as_numpy_and_torch(name, dtype):
    m = (np.arange(9).reshape(3, 3) % 2).astype(dtype)
    result = getattr(sf, name)(m)
    assert result.dtype == dtype
    np.testing.assert_array_equal(result.data, getattr(np, name)(m))


@pytest.mark.parametrize("shape", [(4, 6), (6, -1), (24,), (2, 2, 6)])
def test_reshape_and_ravel_in_fortran_order_match_numpy_and_pass_gradcheck(shape):
    a = np.arange(24.0).reshape(2, 3, 4)
    x = Tensor(a, requires_grad=True)
    np.testing.assert_array_equal(x.reshape(shape, order="F").data, a.reshape(shape, order="F"))
    np.testing.assert_array_equal(np.reshape(x, shape, order="F").data, np.reshape(a, shape, order="F"))
    np.testing.assert_array_equal(sf.ravel(x, "F").data, a.ravel("F"))
    weights = np.arange(24.0).reshape(a.reshape(shape, order="F").shape)
    assert gradcheck(lambda t: t.reshape(shape, order="F") * weights, [a])
    with pytest.raises(ValueError, match=r"reshape: cannot reshape tensor of shape \(2, 3, 4\) into \(5, 5\)"):
        x.reshape((5, 5), order="F")


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("widths", [1, ((2, 3), (1, 0)), ((5, 7), (9, 2))])
def test_pad_modes_that_read_the_input_match_numpy_and_pass_gradcheck(mode, widths):
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(np.pad(Tensor(a), widths, mode=mode).data, np.pad(a, widths, mode=mode))
    assert gradcheck(lambda t: np.pad(t, widths, mode=mode), [a])


def test_pad_keeps_the_constant_as_third_argument_and_names_bad_modes():
    import autograd as ag

    np.testing.assert_array_equal(ag.pad(np.ones((2, 2)), 1, 7.0).data, np.pad(np.ones((2, 2)), 1, constant_values=7.0))
    with pytest.raises(ValueError, match=r"pad: mode must be 'constant', 'edge', 'reflect', 'symmetric', 'wrap'"):
        ag.pad(np.ones(3), 1, "nearest")
    with pytest.raises(ValueError, match=r"pad: mode 'edge' cannot pad the empty axis 0"):
        ag.pad(np.ones(0), 1, "edge")


STATISTIC_PADS = [
    ("maximum", {}),
    ("minimum", {"stat_length": 2}),
    ("mean", {"stat_length": ((1, 2), (3, 1))}),
    ("mean", {}),
    ("median", {}),
    ("median", {"stat_length": (2, 3)}),
    ("linear_ramp", {}),
    ("linear_ramp", {"end_values": (5, -4)}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize(("mode", "keywords"), [*STATISTIC_PADS, ("empty", {})])
def test_pad_modes_that_compute_the_pad_match_numpy(mode, keywords, dtype):
    a = (np.random.default_rng(2).standard_normal((3, 5)) * 10).astype(dtype)
    widths = ((2, 1), (1, 3))
    result = np.pad(Tensor(a), widths, mode=mode, **keywords)
    expected = np.pad(a, widths, mode=mode, **keywords)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    if mode == "empty":  # numpy leaves the pad unset: only the centre is defined
        expected, result = expected[2:-1, 1:-3], result.data[2:-1, 1:-3]
    np.testing.assert_allclose(result.data if isinstance(result, Tensor) else result, expected, rtol=1e-6)


@pytest.mark.parametrize(("mode", "keywords"), [*STATISTIC_PADS, ("empty", {})])
def test_pad_modes_that_compute_the_pad_route_the_gradient_to_the_entries_they_read(mode, keywords):
    a = np.random.default_rng(3).standard_normal((3, 4))
    widths = ((2, 1), (1, 3))
    weights = np.random.default_rng(4).standard_normal(np.pad(a, widths).shape)
    assert gradcheck(lambda t: np.pad(t, widths, mode=mode, **keywords) * weights, [a])


def test_pad_statistics_refuse_what_numpy_refuses():
    with pytest.raises(ValueError, match="pad: a stat_length of 0 gives mode 'maximum' no entry"):
        np.pad(Tensor(np.ones(3)), 1, mode="maximum", stat_length=0)
    with pytest.raises(ValueError, match="pad: mode 'edge' takes no keyword stat_length"):
        np.pad(Tensor(np.ones(3)), 1, mode="edge", stat_length=1)
    with pytest.raises(ValueError, match="pad: mode 'mean' cannot pad the empty axis 0"):
        np.pad(Tensor(np.ones(0)), 1, mode="mean")


@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    data=st.data(),
    mode=st.sampled_from(["edge", "reflect", "symmetric", "wrap"]),
)
def test_folding_a_gradient_is_the_adjoint_of_numpys_read_pad(shape, data, mode):
    widths = tuple((data.draw(st.integers(0, 6)), data.draw(st.integers(0, 6))) for _ in shape)
    assume(foldable(shape, widths, mode))
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    padded = padded_array(x, widths, mode)
    np.testing.assert_array_equal(padded, np.pad(x, widths, mode=mode))
    g = rng.standard_normal(padded.shape)
    np.testing.assert_allclose((padded * g).sum(), (x * folded_array(g, widths, mode)).sum(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric", "wrap"])
def test_read_pad_second_derivatives_match_finite_differences(mode):
    a = np.random.default_rng(1).standard_normal((3, 4))
    widths = ((2, 1), (1, 3))
    assert np.pad(Tensor(a, requires_grad=True), widths, mode=mode).op.name == "read_pad"
    assert gradgradcheck(lambda t: (np.pad(t, widths, mode=mode) ** 3).sum(), [a])
