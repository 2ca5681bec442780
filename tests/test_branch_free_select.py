"""shared_math.select: np.where's values bit for bit, with or without its branch-free path."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, shared_math
from nn import functional as F


def _edge_filled(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape).astype(dtype)
    flat = values.reshape(-1)
    flat[rng.integers(0, flat.size, 50)] = np.nan
    flat[rng.integers(0, flat.size, 50)] = np.inf
    flat[rng.integers(0, flat.size, 50)] = -np.inf
    flat[rng.integers(0, flat.size, 50)] = -0.0
    return values


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.dtype(">f4")])
@pytest.mark.parametrize("shape", [(3, 5), (128, 129)])
def test_select_gives_np_where_bit_for_bit(dtype, shape):
    x, y = _edge_filled(shape, dtype, 0), _edge_filled(shape, dtype, 1)
    condition = np.random.default_rng(2).random(shape) < 0.5
    ours, numpys = shared_math.select(condition, x, y), np.where(condition, x, y)
    assert ours.dtype == numpys.dtype and ours.shape == numpys.shape
    assert ours.tobytes() == numpys.tobytes()


def test_select_of_strided_views_and_of_mixed_or_broadcast_operands_gives_np_where():
    x, y = _edge_filled((200, 300), np.float64, 3), _edge_filled((200, 300), np.float64, 4)
    condition = np.random.default_rng(5).random((200, 300)) < 0.3
    views = (condition[::2, 1::3], x[::2, 1::3], y.T[1::3, ::2].T)
    assert shared_math.select(*views).tobytes() == np.where(*views).tobytes()
    for operands in [
        (condition, x, y.astype(np.float32)),  # two dtypes: numpy's promotion
        (condition, x, 0.0),  # a number
        (condition[:1], x, y),  # a broadcast condition
    ]:
        ours, numpys = shared_math.select(*operands), np.where(*operands)
        assert ours.dtype == numpys.dtype and ours.tobytes() == numpys.tobytes()


def test_leaky_relu_elu_and_where_of_large_tensors_match_their_definitions_at_inf_nan_and_minus_zero():
    data = _edge_filled((64, 200), np.float32, 6)
    x = Tensor(data)
    with np.errstate(all="ignore"):
        leaky = np.where(data > 0, data, data * np.float32(0.1))
        elu = np.where(data > 0, data, np.expm1(data))  # (expm1(-0.0) is -0.0, as torch's elu)
    assert F.leaky_relu(x, 0.1).data.tobytes() == leaky.tobytes()
    assert F.elu(x).data.tobytes() == elu.tobytes()
    other = _edge_filled((64, 200), np.float32, 7)
    chosen = autograd.where(data > 0, x, Tensor(other))
    assert chosen.data.tobytes() == np.where(data > 0, data, other).tobytes()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_of_arrays_is_the_sign_split_formula_bit_for_bit(dtype):
    """Computed as e^min(x, 0) / (1 + e^-|x|), with no choice per entry, it gives the split formula's bits."""
    x = (np.random.default_rng(8).standard_normal(20_000) * 20).astype(dtype)
    x[:5] = [np.nan, np.inf, -np.inf, -0.0, 0.0]
    with np.errstate(all="ignore"):
        z = np.exp(-np.abs(x))
        expected = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(z.dtype)
    ours = shared_math.sigmoid(x)
    assert ours.dtype == expected.dtype and np.isnan(ours[0])  # (a NaN's sign bit is not asked for)
    assert ours[1:].tobytes() == expected[1:].tobytes()
    # a float16 Tensor's sigmoid runs in float32 and rounds once, as torch's
    in_float32 = shared_math.sigmoid(x.astype(np.float32)).astype(np.float16) if dtype == np.float16 else expected
    np.testing.assert_array_equal(Tensor(x).sigmoid().data, in_float32)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "number", [0.0, -0.0, 1.0, 0.1, -2.5, float("nan"), float("inf"), -float("inf"), 0, 3, -7, 2**40 + 1, 1e300]
)
@pytest.mark.parametrize("number_first", [False, True])
def test_select_between_a_large_array_and_a_python_number_gives_np_where_bit_for_bit(dtype, number, number_first):
    x = _edge_filled((128, 129), dtype, 9)
    condition = np.random.default_rng(10).random(x.shape) < 0.5
    operands = (condition, number, x) if number_first else (condition, x, number)
    with np.errstate(all="ignore"):  # (1e300 in float32 is inf: numpy's cast warns)
        ours, numpys = shared_math.select(*operands), np.where(*operands)
    assert ours.dtype == numpys.dtype and ours.tobytes() == numpys.tobytes()


def test_select_with_a_numpy_scalar_or_a_bool_keeps_numpys_promotion():
    x = _edge_filled((128, 129), np.float32, 11)
    condition = x > 0
    for number in (np.float64(0.1), True, np.float32(2.0)):
        ours, numpys = shared_math.select(condition, x, number), np.where(condition, x, number)
        assert ours.dtype == numpys.dtype and ours.tobytes() == numpys.tobytes()
