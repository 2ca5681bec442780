"""torch's spellings of a few Tensor operations: ``x.max(other)``/``x.min(other)`` elementwise, ``transpose(dim0=,
dim1=)``, ``tile(2, 3)``, ``reciprocal`` of integers as floats, and integer powers with negative exponents given
as a tensor (torch truncates 1 / x**k; a negative number as the exponent stays an error, as torch's); values
checked against numpy and, when installed, torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as A
from autograd import Tensor


def test_max_and_min_of_another_tensor_are_elementwise_with_ties_sharing_the_gradient():
    x = Tensor(np.array([[1.0, 5.0], [3.0, 2.0]]), requires_grad=True)
    other = Tensor(np.array([[2.0, 2.0], [3.0, 2.0]]))
    np.testing.assert_array_equal(x.max(other).data, np.maximum(x.data, other.data))
    np.testing.assert_array_equal(x.min(other).data, np.minimum(x.data, other.data))
    x.max(other).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0], [0.5, 0.5]])  # ties: half each, as torch's maximum
    with pytest.raises(TypeError, match="takes no axis"):
        x.max(other, keepdim=True)


def test_transpose_takes_torchs_dim_keywords():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(x.transpose(dim0=0, dim1=2).data, np.swapaxes(x.data, 0, 2))
    np.testing.assert_array_equal(x.transpose(dim0=-1, dim1=1).data, np.swapaxes(x.data, -1, 1))
    with pytest.raises(TypeError, match="dim0= and dim1="):
        x.transpose(0, dim1=1)


@pytest.mark.parametrize("dims", [(2, 3), ((2, 3),), ([2, 1, 1],), (2,), ((2,),)])
def test_tile_takes_the_repetitions_one_by_one_or_as_a_sequence(dims):
    x = np.arange(6.0).reshape(2, 3)
    reps = dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims
    np.testing.assert_array_equal(Tensor(x).tile(*dims).data, np.tile(x, reps))
    np.testing.assert_array_equal(Tensor(x).tile(dims=reps).data, np.tile(x, reps))


def test_reciprocal_of_integers_is_a_float():
    assert Tensor(np.array([1, 4])).reciprocal().data.tolist() == [1.0, 0.25]
    assert Tensor(np.array([True, False])).reciprocal().data.tolist() == [1.0, np.inf]
    assert Tensor(np.array([4.0], dtype=np.float32)).reciprocal().dtype == np.float32


def test_integer_powers_with_negative_tensor_exponents_truncate_as_torchs():
    base = np.array([2, 3, 1, -1, -1, -2, 5, 0])
    exponent = np.array([-1, 2, -3, -3, -2, -1, 0, 3])
    expected = [0, 9, 1, -1, 1, 0, 1, 0]  # 1 / x**k truncated toward zero for negative k
    got = Tensor(base) ** Tensor(exponent)
    assert got.dtype == np.int64 and got.data.tolist() == expected
    assert (2 ** Tensor(np.array([-1, 2]))).data.tolist() == [0, 4]
    with pytest.raises(ValueError, match="negative integer powers"):
        Tensor(base) ** -1


def test_the_spellings_match_torch():
    torch = pytest.importorskip("torch")
    base, exponent = np.array([2, 3, -1, 7]), np.array([-1, 2, -3, -2])
    assert (Tensor(base) ** Tensor(exponent)).data.tolist() == (torch.tensor(base) ** torch.tensor(exponent)).tolist()
    assert (A.tensor(base) ** A.tensor(-1)).data.tolist() == (torch.tensor(base) ** torch.tensor(-1)).tolist()
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(x).tile(2, 3).data, torch.from_numpy(x).tile(2, 3).numpy())
    np.testing.assert_array_equal(
        Tensor(x).transpose(dim0=0, dim1=1).data, torch.from_numpy(x).transpose(dim0=0, dim1=1).numpy()
    )
    y = np.array([[2.0, 0.0, 9.0], [1.0, 4.0, 5.0]])
    np.testing.assert_array_equal(Tensor(x).max(Tensor(y)).data, torch.from_numpy(x).max(torch.from_numpy(y)).numpy())
    np.testing.assert_allclose(
        Tensor(np.array([1, 4])).reciprocal().data, torch.tensor([1, 4]).reciprocal().numpy(), rtol=1e-7
    )


def test_nansum_and_nanmean_over_no_dims_reduce_everything_as_torchs():
    x = Tensor(np.array([[1.0, np.nan], [2.0, 3.0]]), requires_grad=True)
    assert x.nansum(dim=()).data == 6.0 and x.nansum(dim=[]).data == 6.0
    mean = x.nanmean(dim=())
    assert mean.data == 2.0
    mean.backward()
    np.testing.assert_allclose(x.grad, [[1 / 3, 0.0], [1 / 3, 1 / 3]])


def test_arange_takes_one_element_tensors_as_bounds():
    assert A.arange(A.tensor(3)).data.tolist() == [0, 1, 2]
    assert A.arange(A.tensor(1.5), 4).data.tolist() == [1.5, 2.5, 3.5]
    with pytest.raises(TypeError, match="bounds must be real numbers"):
        A.arange(A.tensor([1, 2]))


def test_finfo_and_iinfo_give_the_limits_of_a_dtype():
    assert A.finfo(A.float32).eps == np.finfo(np.float32).eps and A.finfo().eps == np.finfo(A.get_default_dtype()).eps
    assert A.finfo(np.float16).max == np.finfo(np.float16).max and A.finfo(A.float32).tiny > 0
    assert A.iinfo(A.int64).max == 2**63 - 1 and A.iinfo(np.uint8).min == 0
    torch = pytest.importorskip("torch")
    assert A.finfo(A.float32).eps == torch.finfo(torch.float32).eps
    assert A.iinfo(A.int32).max == torch.iinfo(torch.int32).max


def test_state_dict_writes_into_a_destination_as_torchs():
    import nn

    layer = nn.Linear(2, 3, rng=0)
    destination: dict = {"other": 1}
    assert layer.state_dict(destination=destination, prefix="layer.") is destination
    assert list(destination) == ["other", "layer.weight", "layer.bias"]


def test_where_and_matmul_take_torchs_keywords():
    condition, x = A.tensor([True, False]), A.tensor([1.0, 2.0])
    assert A.where(condition=condition, input=x, other=0.0).data.tolist() == [1.0, 0.0]
    assert A.matmul(input=A.ones(2, 3), other=A.ones(3)).data.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="got both"):
        A.where(condition, x, 0.0, input=x)
    with pytest.raises(TypeError, match="got both"):
        A.matmul(A.ones(2), A.ones(2), other=A.ones(2))
