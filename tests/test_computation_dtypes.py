"""The dtypes computations run in (autograd.accumulation), as torch's CPU kernels: float16 maths is computed in
float32 and rounded once; running sums and normalisation means of float32 accumulate in float64.

References are computed independently: the same formula in float64 numpy, rounded to float16 once (so a result
may differ from it by the one rounding: at most 1 ulp of float16), and torch's float16 results when installed.
"""

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

HALF = np.float16


def half(values):
    return np.array(values, dtype=HALF)


def assert_within_one_ulp(got, exact):
    """``got`` (float16) within one float16 ulp of ``exact`` (float64), nan where it is nan; near 0, one more step
    of float16's smallest subnormal, where the float32 computation's own error (sin(pi x) at an integer x) shows."""
    got, exact = np.asarray(got), np.asarray(exact, dtype=np.float64)
    assert got.dtype == HALF
    assert np.array_equal(np.isnan(got), np.isnan(exact))
    finite = ~np.isnan(exact)
    ulp = np.spacing(np.abs(exact[finite]).astype(HALF)).astype(np.float64) + (np.abs(exact[finite]) < 1e-4) * 2.0**-24
    assert np.all(np.abs(got[finite].astype(np.float64) - exact[finite]) <= ulp), (got, exact)


def sigmoid64(x):
    return 1 / (1 + np.exp(-x))


# every float16 value from -60000 to 60000 where the formula is finite, and the values where float16 steps failed
EVERY_HALF = np.arange(0, 0x7C00, 7, dtype=np.uint16).view(HALF)
SAMPLE = np.concatenate([EVERY_HALF, -EVERY_HALF])

ELEMENTWISE = [
    ("sigmoid", lambda t: t.sigmoid(), sigmoid64),
    ("silu", lambda t: t.silu(), lambda x: x * sigmoid64(x)),
    ("swish beta 2", lambda t: t.swish(2.0), lambda x: x * sigmoid64(2 * x)),
    ("mish", lambda t: t.mish(), lambda x: x * np.tanh(np.logaddexp(0, x))),
    ("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    ("softplus beta 1e-3", lambda t: F.softplus(t, beta=1e-3), lambda x: np.logaddexp(0, 1e-3 * x) / 1e-3),
    ("celu alpha 1e-3", lambda t: F.celu(t, alpha=1e-3), lambda x: np.where(x > 0, x, 1e-3 * np.expm1(x / 1e-3))),
    ("sinc", lambda t: t.sinc(), np.sinc),
]


@pytest.mark.parametrize(("name", "ours", "exact"), ELEMENTWISE, ids=[row[0] for row in ELEMENTWISE])
def test_a_float16_activation_is_its_exact_value_rounded_once(name, ours, exact):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings from float16 steps
        got = ours(Tensor(SAMPLE)).data
    with np.errstate(all="ignore"):
        reference = exact(SAMPLE.astype(np.float64))
    assert_within_one_ulp(got, reference)


def test_float16_sigmoid_and_silu_gradients_are_the_exact_derivatives_rounded():
    x = Tensor(half([7.625, -17.0, 3.0, -3.0, 0.0]), requires_grad=True)
    x.sigmoid().sum().backward()
    s = sigmoid64(x.data.astype(np.float64))
    # sigmoid'(7.625) was 0; sigmoid(-17) = 4.1e-8 rounds to float16's smallest subnormal, 2^-24, as torch's
    np.testing.assert_allclose(x.grad.astype(np.float64), s * (1 - s), rtol=2e-3, atol=2.0**-24)
    assert x.grad.dtype == HALF
    x.grad = None
    x.silu().sum().backward()
    np.testing.assert_allclose(x.grad.astype(np.float64), s * (1 + x.data * (1 - s)), rtol=2e-3, atol=2.0**-23)


def test_float16_norms_variances_and_sums_do_not_overflow_or_stall():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Tensor(half([300, 400])).norm().item() == 500.0  # the squares, 90000 and 160000, overflow float16
        assert Tensor(half([300, 400])).norm().dtype == HALF
        assert Tensor(half([300, 400, 0])).var(dim=0).item() == pytest.approx(43333.3, rel=1e-3)
        assert Tensor(half([300, 400, 0])).std(dim=0).item() == pytest.approx(208.17, rel=1e-3)
        tenths = Tensor(np.full((4096, 3), 0.1, dtype=HALF))
        np.testing.assert_array_equal(tenths.sum(axis=0).data, half([409.5] * 3))  # float16 steps stall at 256
        assert tenths[:, 0].cumsum(0).data[-1] == HALF(409.5)
        assert tenths.mean().item() == pytest.approx(0.1, rel=1e-3)


def test_float16_normalisation_of_large_values_keeps_its_scale():
    row = Tensor(half([1e4, -1e4, 0.0]), requires_grad=True)
    normalised = F.layer_norm(row, (3,))
    np.testing.assert_allclose(normalised.data, [1.2247, -1.2247, 0.0], rtol=1e-3)  # was [0, 0, 0]
    normalised.sum().backward()
    assert normalised.dtype == row.grad.dtype == HALF


def test_a_float16_activation_in_place_changes_the_tensor_itself():
    data = half([-4.0, -1.0, 0.5, 2e4])
    x = Tensor(data.copy())
    result = F.hardswish(x, inplace=True)
    assert result is x
    assert_within_one_ulp(x.data, data * np.clip(data.astype(np.float64) + 3, 0, 6) / 6)
    y = Tensor(data.copy())
    F.hardswish(y, True)  # inplace given by position
    np.testing.assert_array_equal(y.data, x.data)


def test_float16_results_match_torch():
    torch = pytest.importorskip("torch")
    values = np.concatenate([SAMPLE[::9], half([2e4, -2e4, 3e4, 7.625, -17.0])])
    cases = [  # (ours, torch's, compare gradients): torch's float16 sinc backward gives 0 near 0 (and nan), ours -pi^2 x/3
        (lambda t: t.sigmoid(), torch.sigmoid, True),
        (lambda t: t.silu(), torch.nn.functional.silu, True),
        (F.hardswish, torch.nn.functional.hardswish, True),
        (lambda t: t.sinc(), torch.sinc, False),
    ]
    for ours, theirs, gradients in cases:
        x = Tensor(values, requires_grad=True)
        reference = torch.tensor(values, requires_grad=True)
        got, expected = ours(x), theirs(reference)
        np.testing.assert_allclose(got.data.astype(np.float64), expected.detach().double().numpy(), rtol=1e-3, atol=0)
        if gradients:
            seed = np.linspace(-1, 1, values.size).astype(HALF)
            got.backward(seed)
            expected.backward(torch.tensor(seed))
            np.testing.assert_allclose(x.grad.astype(np.float64), reference.grad.double().numpy(), rtol=2e-2, atol=1e-6)


# -- float32 sums accumulated in float64 ---------------------------------------------------------------------------
def test_a_float32_running_sum_accumulates_in_float64():
    values = np.random.default_rng(0).uniform(0, 1, 4096).astype(np.float32)
    running = Tensor(values).cumsum(0).data
    assert running.dtype == np.float32
    np.testing.assert_array_equal(running, np.cumsum(values, dtype=np.float64).astype(np.float32))
    peak = Tensor(np.array([1e38, 3e38, -3e38], dtype=np.float32)).cumsum(0).data
    assert peak[0] == np.float32(1e38) and np.isinf(peak[1]) and peak[2] == np.float32(1e38)


@pytest.mark.parametrize("normalise", [lambda t: F.layer_norm(t, (4, 1024)), lambda t: F.group_norm(t, 2)])
def test_a_constant_float32_row_with_a_large_offset_normalises_to_zero(normalise):
    row = Tensor(np.full((1, 4, 1024), 12345.678, dtype=np.float32))
    np.testing.assert_array_equal(normalise(row).data, np.zeros((1, 4, 1024), dtype=np.float32))  # was +-0.3


def test_local_response_norm_keeps_an_overflowing_square_inside_its_window():
    x = np.ones((1, 6, 1, 1), dtype=np.float32)
    x[0, 0] = 2e19  # its square overflows float32: only the windows holding channel 0 see inf
    got = F.local_response_norm(Tensor(x), 2).data.ravel()
    assert got[0] == 0.0 and got[1] == 0.0
    np.testing.assert_allclose(got[2:], (1 + 1e-4 / 2 * 2) ** -0.75, rtol=1e-6)  # was nan (0 * inf in a matmul)


def test_decorated_functions_take_their_input_by_keyword_and_promote_mixed_dtypes():
    x16 = Tensor(half([1.0001, 2.0]))
    x32 = Tensor(np.array([1e-4, 1e-4], dtype=np.float32))
    assert F.mse_loss(prediction=x32, target=x32).dtype == np.float32  # the input by keyword, any dtype
    assert F.mse_loss(prediction=x16, target=x16).dtype == HALF
    assert F.mse_loss(x16, x32).dtype == F.mse_loss(x32, x16).dtype == np.float32  # torch's promotion
    assert F.cosine_similarity(x16[None], x32[None]).dtype == np.float32
    assert F.hardswish(x=Tensor(half([2e4]))).item() == 2e4


def test_float16_attention_and_a_named_dtype_keep_their_dtypes():
    from autograd import linalg

    q = Tensor(np.random.default_rng(0).normal(size=(1, 3, 8)).astype(HALF))
    assert F.scaled_dot_product_attention(q, q, q).dtype == HALF  # every float16 tensor argument widened
    assert linalg.vector_norm(Tensor(half([300, 400])), dtype=np.float32).dtype == np.float32


def test_float16_batch_norm_updates_its_running_statistics_in_place():
    import nn

    layer = nn.BatchNorm1d(3, dtype=HALF)
    batch = np.random.default_rng(0).normal(loc=5.0, size=(64, 3)).astype(HALF)
    layer(Tensor(batch))
    assert layer.running_mean.dtype == HALF
    np.testing.assert_allclose(layer.running_mean, 0.1 * batch.astype(np.float64).mean(axis=0), rtol=2e-3)


def test_numpy_scalar_arguments_do_not_stop_float16_from_running_in_float32():
    # a numpy number (ddof, delta) is no tensor: the float16 input still runs in float32 (its squares overflowed)
    values = Tensor(half([300, 400, 0]))
    assert values.var(ddof=np.float64(1)).item() == pytest.approx(43333.3, rel=1e-3)
    assert values.var(ddof=np.float64(1)).dtype == HALF
    x = Tensor(SAMPLE[::5])
    smooth = F.softplus(x, beta=np.float32(1e-3)).data  # float16 steps were up to 509 ulps off
    with np.errstate(all="ignore"):
        exact = np.logaddexp(0, 1e-3 * SAMPLE[::5].astype(np.float64)) / 1e-3
    assert_within_one_ulp(smooth, exact)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int32, np.int64, np.bool_])
def test_softmax_family_of_integers_and_bools_is_computed_in_the_default_float(dtype):
    # the dtype extremes: x - max(x) in the integer dtype wraps (uint8 0 - 1 = 255, int8 -128 - 127 = 1)
    values = (
        [[0, 1], [1, 0]] if dtype is np.bool_ else [[0, 1, int(np.iinfo(dtype).max)], [int(np.iinfo(dtype).min), 3, 0]]
    )
    x = np.array(values, dtype=dtype)
    exact = x.astype(np.float64)
    shift = exact.max(axis=1, keepdims=True)
    exponentials = np.exp(exact - shift)
    expected_logsumexp = np.log(exponentials.sum(axis=1)) + shift[:, 0]
    t = Tensor(x)
    for got, expected in (
        (t.softmax(1), exponentials / exponentials.sum(axis=1, keepdims=True)),
        (t.log_softmax(1), exact - expected_logsumexp[:, None]),
        (t.logsumexp(1), expected_logsumexp),
    ):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    torch = pytest.importorskip("torch")
    if dtype in (np.uint16,):
        return  # torch 2.13 has no CPU logsumexp for uint16
    expected = torch.logsumexp(torch.from_numpy(x), 1).double().numpy()
    np.testing.assert_allclose(t.logsumexp(1).data, expected, rtol=1e-6)


def test_float32_std_of_values_whose_squares_overflow_is_finite_with_its_gradient():
    x = Tensor(np.array([3e19, -3e19, 1e19], dtype=np.float32), requires_grad=True)
    std = x.std(dim=0)
    std.backward()
    exact = np.array([3e19, -3e19, 1e19])  # float64 numpy: the squares (9e38) fit there
    deviations = exact - exact.mean()
    expected_std = np.sqrt((deviations**2).sum() / 2)
    assert std.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(std.data, expected_std, rtol=1e-6)
    np.testing.assert_allclose(x.grad, deviations / (2 * expected_std), rtol=1e-6)
    np.testing.assert_allclose(x.std().data, np.sqrt((deviations**2).mean()), rtol=1e-6)  # numpy's spelling, ddof 0


def test_float16_round_with_decimals_scales_in_float32_and_rounds_back_once():
    # -0.55 in float16 is -0.5498..., so one decimal gives -0.5; 6600.3 * 10 overflows float16 but not float32
    x = Tensor(np.array([-0.55, 6600.3, 1.25, -2.449], dtype=np.float16), requires_grad=True)
    result = x.round(1)
    assert result.dtype == np.float16
    expected = np.round(x.data.astype(np.float32) * 10) / 10
    np.testing.assert_array_equal(result.data, expected.astype(np.float16))
    assert np.isfinite(result.data).all()
    result.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(4, dtype=np.float16))
