"""``rand`` and ``rand_like`` draw from [0, 1) in every floating dtype, as torch's: never 1.0, however the
dtype rounds. A double rounded to float16 reached 1.0 once in about 4096 draws, to float32 once in about 3e7;
torch rounds its draws as well and gives 0 (the lower bound) for one that rounds up to 1."""

import numpy as np
import pytest

import autograd


class _NearOne(np.random.Generator):
    """A Generator whose uniform doubles are all the largest double below 1."""

    def __init__(self) -> None:
        super().__init__(np.random.PCG64(0))

    def random(self, size=None, dtype=np.float64, out=None):
        return np.full(size, np.nextafter(1.0, 0.0), dtype=dtype)


DRAWS = {
    "rand": lambda dtype, generator, n: autograd.rand(n, dtype=dtype, generator=generator),
    "rand_like": lambda dtype, generator, n: autograd.rand_like(np.zeros(n, dtype), generator=generator),
}


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
