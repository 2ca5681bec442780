"""Max pooling with ``return_indices=True`` (F.max_pool2d/max_pool1d, nn.MaxPool2d/MaxPool1d)
returns torch's int64 flat indices ``row * W + column`` of each window's first maximum."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(47)

GEOMETRIES_2D = [
    ((2, 3, 7, 9), {"kernel_size": 2}),
    ((2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 7, 9), {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1), "dilation": (2, 1)}),
    ((2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ((2, 3, 8, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True}),
    ((3, 7, 9), {"kernel_size": 2, "stride": 1}),
    ((0, 3, 4, 4), {"kernel_size": 2}),
]


@pytest.mark.parametrize(("shape", "geometry"), GEOMETRIES_2D)
def test_max_pool2d_indices_match_torch(shape, geometry):
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=shape).astype(np.float32)
    values, indices = F.max_pool2d(Tensor(x), return_indices=True, **geometry)
    expected_values, expected_indices = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **geometry)
    np.testing.assert_array_equal(values.data, expected_values.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    assert indices.dtype == np.int64


@pytest.mark.parametrize(
    ("shape", "geometry"),
    [
        ((2, 3, 9), {"kernel_size": 2}),
        ((2, 3, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
        ((3, 9), {"kernel_size": 3, "dilation": 2}),
    ],
)
def test_max_pool1d_indices_are_torch_positions_along_the_line(shape, geometry):
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=shape).astype(np.float32)
    values, indices = F.max_pool1d(Tensor(x), return_indices=True, **geometry)
    expected_values, expected_indices = torch.nn.functional.max_pool1d(torch.tensor(x), return_indices=True, **geometry)
    np.testing.assert_array_equal(values.data, expected_values.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())


def test_max_pool_ties_index_the_first_maximum_in_the_window_as_torch():
    image = np.array([[[[1, 1, 0, 2], [1, 0, 2, 2], [3, 3, 1, 1], [3, 3, 1, 1]]]], np.float32)
    _, indices = F.max_pool2d(Tensor(image), 2, 1, return_indices=True)
    np.testing.assert_array_equal(indices.ravel(), [0, 6, 3, 8, 9, 6, 8, 9, 10])
    _, indices = F.max_pool1d(Tensor(np.array([[[1, 2, 2, 0, 5, 5, 5]]], np.float32)), 3, 1, return_indices=True)
    np.testing.assert_array_equal(indices.ravel(), [1, 1, 4, 4, 4])


def test_max_pool_layers_return_values_and_indices_with_the_gradient_on_the_values():
    x = Tensor(RNG.normal(size=(2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    values, indices = nn.MaxPool2d(2, return_indices=True)(x)
    np.testing.assert_array_equal(values.data, nn.MaxPool2d(2)(x).data)
    # torch's LongTensor: an int64 Tensor outside the graph (no gradient flows through the indices)
    assert type(indices) is Tensor and indices.dtype == np.int64 and indices.op is None and not indices.requires_grad
    values.sum().backward()
    chosen = np.zeros((2, 3, 36), np.float32)
    np.put_along_axis(chosen, indices.data.reshape(2, 3, 9), 1.0, axis=2)
    np.testing.assert_array_equal(x.grad, chosen.reshape(x.shape))
    line = Tensor(RNG.normal(size=(2, 3, 8)).astype(np.float32))
    values, indices = nn.MaxPool1d(2, return_indices=True)(line)
    np.testing.assert_array_equal(np.take_along_axis(line.data, indices, axis=2), values.data)


def test_max_pool2d_layer_takes_return_indices_before_ceil_mode_as_torch():
    layer = nn.MaxPool2d(3, 2, 0, 1, True, True)
    assert layer.return_indices and layer.ceil_mode
    values, indices = layer(Tensor(np.zeros((1, 1, 6, 6), np.float32)))
    assert values.shape == indices.shape == (1, 1, 3, 3)


@pytest.mark.parametrize("pool", [nn.MaxPool2d(2, return_indices=True), nn.MaxPool1d(2, return_indices=True)])
def test_a_saved_pool_that_returns_its_indices_loads_returning_them(pool, tmp_path):
    rebuilt = nn.load(nn.save(nn.Sequential(pool), tmp_path / "pool.npz"))[0]
    assert rebuilt.return_indices


@pytest.mark.parametrize(
    "make_input, pool, spatial_axes",
    [
        (lambda x: x[0], lambda x: F.max_pool1d(x, 2, return_indices=True), 1),
        (lambda x: x, lambda x: F.max_pool2d(x, 2, return_indices=True), 2),
        (lambda x: x[0], lambda x: F.max_pool2d(x, 2, return_indices=True), 2),
        (lambda x: x[None], lambda x: F.max_pool3d(x, (1, 2, 2), return_indices=True), 3),
        (lambda x: x[0], lambda x: F.adaptive_max_pool1d(x, 4, True), 1),
        (lambda x: x, lambda x: F.adaptive_max_pool2d(x, 4, True), 2),
        (lambda x: x[None], lambda x: F.adaptive_max_pool3d(x, (1, 4, 4), True), 3),
        (lambda x: x, lambda x: F.max_pool2d_with_indices(x, 2), 2),
        (lambda x: x, lambda x: nn.AdaptiveMaxPool2d(4, return_indices=True)(x), 2),
    ],
    ids=[
        "max1d",
        "max2d",
        "max2d-unbatched",
        "max3d",
        "adaptive1d",
        "adaptive2d",
        "adaptive3d",
        "with_indices",
        "layer",
    ],
)
def test_every_max_pool_returns_its_indices_as_an_int64_tensor(make_input, pool, spatial_axes):
    x = make_input(Tensor(RNG.normal(size=(2, 3, 6, 6)), requires_grad=True))
    values, indices = pool(x)
    assert type(indices) is Tensor and indices.dtype == np.int64 and indices.shape == values.shape
    assert indices.op is None and not indices.requires_grad
    assert indices.long().dtype == np.int64 and indices.view(-1).shape == (indices.data.size,)  # torch's methods work
    # each index is the flat position, in its input plane (line, volume), of the value reported there
    lead = x.shape[:-spatial_axes]
    chosen = np.take_along_axis(x.data.reshape(lead + (-1,)), indices.data.reshape(lead + (-1,)), axis=-1)
    np.testing.assert_array_equal(chosen, values.data.reshape(lead + (-1,)))
