"""``rand`` and ``rand_like`` draw from [0, 1), and the uniform fills (``Tensor.uniform_``, ``nn.init.uniform_``,
``xavier_uniform_``, ``kaiming_uniform_``) from [a, b), in every floating dtype, as torch's: never the upper
bound, however the dtype rounds. A double rounded to float16 reached 1.0 once in about 4096 draws, to float32 once in about 3e7;
torch rounds its draws as well and gives 0 (the lower bound) for one that rounds up to 1."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, no_grad


class _NearOne(np.random.Generator):
    """A Generator whose uniform doubles are all the largest double below the upper bound."""

    def __init__(self) -> None:
        super().__init__(np.random.PCG64(0))

    def random(self, size=None, dtype=np.float64, out=None):
        return np.full(size, np.nextafter(1.0, 0.0), dtype=dtype)

    def uniform(self, low=0.0, high=1.0, size=None):
        return np.full(size, np.nextafter(high, low))


def _filled(dtype, n, method, *bounds, generator):
    tensor = Tensor(np.zeros(n, dtype))
    with no_grad():
        getattr(tensor, method)(*bounds, generator=generator)
    return tensor


DRAWS = {
    "rand": lambda dtype, generator, n: autograd.rand(n, dtype=dtype, generator=generator),
    "rand_like": lambda dtype, generator, n: autograd.rand_like(np.zeros(n, dtype), generator=generator),
    "Tensor.uniform_": lambda dtype, generator, n: _filled(dtype, n, "uniform_", generator=generator),
    "nn.init.uniform_": lambda dtype, generator, n: nn.init.uniform_(Tensor(np.zeros(n, dtype)), generator=generator),
}

#: The fills with other bounds: (the fill, its lower bound, its upper bound) for a (4, 4) tensor of ``dtype``.
BOUNDED_FILLS = {
    "Tensor.uniform_(2, 3)": (lambda dtype, g: _filled(dtype, (4, 4), "uniform_", 2.0, 3.0, generator=g), 2.0, 3.0),
    "xavier_uniform_": (
        lambda dtype, g: nn.init.xavier_uniform_(Tensor(np.zeros((4, 4), dtype)), generator=g),
        -((6 / 8) ** 0.5),
        (6 / 8) ** 0.5,
    ),
    "kaiming_uniform_": (
        lambda dtype, g: nn.init.kaiming_uniform_(Tensor(np.zeros((4, 4), dtype)), generator=g),
        -((6 / 4) ** 0.5),
        (6 / 4) ** 0.5,
    ),
}


@pytest.mark.parametrize("name", sorted(BOUNDED_FILLS))
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_fill_that_rounds_up_to_its_upper_bound_gives_the_lower_bound(name, dtype):
    fill, low, high = BOUNDED_FILLS[name]
    drawn = fill(dtype, _NearOne()).data
    assert drawn.dtype == dtype
    np.testing.assert_array_equal(drawn, np.full((4, 4), low, dtype))


def test_a_fill_below_its_upper_bound_is_torchs_lower_bound_rule():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch.empty(10**6, dtype=torch.float16).uniform_(2, 3).double().numpy()
    ours = _filled(np.float16, 10**6, "uniform_", 2.0, 3.0, generator=0).data.astype(np.float64)
    assert reference.max() == ours.max() == np.float16(3 - 2.0**-9) and reference.min() == ours.min() == 2
    # the draws that round up to 3 land on 2: about 2**-9 of them, as in torch
    assert abs(np.mean(ours == 2) - np.mean(reference == 2)) < 5e-4


@pytest.mark.parametrize("name", sorted(DRAWS))
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_draw_that_rounds_up_to_one_in_the_dtype_is_zero(name, dtype):
    drawn = DRAWS[name](dtype, _NearOne(), 3).data
    assert drawn.dtype == dtype
    np.testing.assert_array_equal(drawn, np.zeros(3, dtype))


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_many_float16_draws_are_below_one_and_uniform(name):
    drawn = DRAWS[name](np.float16, 0, 200_000).data.astype(np.float64)
    assert drawn.min() >= 0 and drawn.max() < 1
    assert abs(drawn.mean() - 0.5) < 0.005
    assert abs(np.mean(drawn < 0.25) - 0.25) < 0.005


def test_float16_draws_share_torchs_range_and_rate_of_zeros():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch.rand(10**6, dtype=torch.float16).double().numpy()
    ours = autograd.rand(10**6, dtype=np.float16, generator=0).data.astype(np.float64)
    assert reference.max() == ours.max() == np.float16(1 - 2.0**-11)
    assert abs(np.mean(ours == 0) - np.mean(reference == 0)) < 1e-4  # about 2**-12: the draws that round up to 1


def test_draws_that_stay_below_one_are_numpys_own_rounded():
    expected = np.random.default_rng(3).random(1000)
    np.testing.assert_array_equal(autograd.rand(1000, dtype=np.float64, generator=3).data, expected)
    np.testing.assert_array_equal(autograd.rand(1000, dtype=np.float32, generator=3).data, expected.astype(np.float32))
