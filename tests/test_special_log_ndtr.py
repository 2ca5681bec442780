"""autograd.special.log_ndtr, log Phi(x) (torch.special.log_ndtr): values from mpmath in both tails, a random
mpmath sweep (when mpmath is installed), edges, dtypes and the derivative against central differences."""

import numpy as np
import pytest

from autograd import Tensor, gradcheck, gradgradcheck, special

#: (x, log Phi(x)) from mpmath at 60 digits (log(erfc(-x / sqrt 2) / 2); log1p(-erfc(x / sqrt 2) / 2) for x > 0).
_REFERENCE = [
    (-1e8, -5000000000000019.0),
    (-40.0, -804.6084420137538),
    (-3.0, -6.607726221510349),
    (-2.0, -3.783184333682032),
    (-0.5, -1.1759117615936185),
    (0.0, -0.6931471805599453),
    (1.5, -0.06914345561223398),
    (6.0, -9.865876455243758e-10),
    (30.0, -4.906713927148187e-198),
]


@pytest.mark.parametrize("x, expected", _REFERENCE)
def test_log_ndtr_matches_mpmath_in_both_tails(x, expected):
    assert special.log_ndtr(x) == pytest.approx(expected, rel=2e-15)


def test_log_ndtr_matches_mpmath_over_a_random_sweep():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 60
    rng = np.random.default_rng(13)
    x = np.concatenate(
        [rng.uniform(-38, 37, 300), -(10 ** rng.uniform(-300, 8, 100)), 10 ** rng.uniform(-300, 1.5, 100)]
    )
    root = mpmath.sqrt(2)
    exact = np.array([
        float(mpmath.log1p(-mpmath.erfc(mpmath.mpf(v) / root) / 2)) if v > 0
        else float(mpmath.log(mpmath.erfc(-mpmath.mpf(v) / root) / 2))
        for v in x.tolist()
    ])  # fmt: skip
    normal = np.abs(exact) > 1e-300  # (a subnormal value holds fewer digits than 1e-15)
    np.testing.assert_allclose(special.log_ndtr(x)[normal], exact[normal], rtol=2e-15)


def test_log_ndtr_edges_and_dtypes():
    np.testing.assert_array_equal(special.log_ndtr(np.array([np.inf, -np.inf, np.nan, -1e300, 40.0])),
                                  [0.0, -np.inf, np.nan, -np.inf, 0.0])  # fmt: skip
    assert special.log_ndtr(np.float32(-3.0)).dtype == np.float32
    assert type(special.log_ndtr(1.0)) is float


def test_log_ndtr_derivative_is_phi_over_phi_and_matches_central_differences():
    points = np.array([-30.0, -5.0, -1.0, 0.2, 3.0, 7.0])
    assert gradcheck(special.log_ndtr, [points])
    assert gradgradcheck(special.log_ndtr, [points])
    x = Tensor(np.array([0.0]), requires_grad=True)
    special.log_ndtr(x).sum().backward()
    assert x.grad[0] == pytest.approx(2 / np.sqrt(2 * np.pi), rel=1e-15)  # phi(0) / (1/2)


def test_log_ndtr_second_derivative_keeps_its_digits_in_the_far_lower_tail():
    # log Phi(x) = -x^2/2 - log(-x) - log sqrt(2 pi) + 1/x^2 + O(x^-4) as x -> -inf: its second derivative is
    # -1 + 1/x^2 (the next term is below 1e-19 of it from |x| = 1e5). The slope's rule, -s (x + s), formed x + s
    # (~ -1/x) from s ~ -x: -19073 instead of -1 at x = -1e10, and 0 at -1e20
    ag = pytest.importorskip("autograd")
    points = np.array([-1e5, -1e8, -1e10, -1e20, -1e150])
    x = Tensor(points.copy(), requires_grad=True)
    (first,) = ag.grad(special.log_ndtr(x).sum(), [x], create_graph=True)
    (second,) = ag.grad(first.sum(), [x], create_graph=True)
    np.testing.assert_allclose(second.data, -1 + 1 / points**2, rtol=1e-15)
    assert gradgradcheck(special.log_ndtr, [np.array([-40.0, -6.0, -2.5])])  # (the rule differentiates again)
