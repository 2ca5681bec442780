"""Values and gradients at NaN and at the edges of float64, warning-free: every elementwise op, max/min over NaN,
softmax family at +-1e308, reductions, logaddexp, arctan2, mod, cosine similarity, multi-margin loss,
pow at a zero base, std of constant slices. PyTorch is the oracle (where installed), finite differences where
the derivative is defined."""

import math
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from op_table import ROWS

import autograd
import nn
from autograd import Tensor, Value, grad, gradcheck, gradgradcheck
from autograd.tensor_functions import softmax_cross_entropy
from nn.functional import cosine_similarity, cross_entropy, multi_margin_loss

NAN = np.nan


@contextmanager
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _torch():
    return pytest.importorskip("torch")


# -- max / min over NaN --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["max", "min"])
@pytest.mark.parametrize(
    "values", [[NAN, 1.0], [1.0, NAN, NAN, -2.0], [NAN], [[NAN, 1.0, NAN], [2.0, 3.0, 3.0]], [1.0, 1.0, 4.0, 4.0]]
)
def test_full_max_and_min_send_the_gradient_to_the_nan_entries_like_torch(reduction, values):
    torch = _torch()
    x = Tensor(np.array(values), requires_grad=True)
    with no_warnings():
        result = getattr(x, reduction)()
        result.backward()
    reference = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    expected = getattr(reference, reduction)()
    expected.backward()
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, reference.grad.numpy())


@pytest.mark.parametrize("reduction", ["max", "min"])
def test_max_and_min_over_an_axis_share_the_gradient_among_the_nans_of_each_slice(reduction):
    x = Tensor(np.array([[NAN, 1.0, NAN], [2.0, 3.0, 3.0], [5.0, NAN, 4.0]]), requires_grad=True)
    with no_warnings():
        result = getattr(x, reduction)(axis=1)
        result.backward(np.array([1.0, 2.0, 3.0]))
    second_row = [0.0, 1.0, 1.0] if reduction == "max" else [2.0, 0.0, 0.0]  # 3, 3 tie; or 2
    expected = [[0.5, 0.0, 0.5], second_row, [0.0, 3.0, 0.0]]
    np.testing.assert_array_equal(x.grad, expected)


def test_max_over_nan_is_differentiable_again_without_warnings():
    x = Tensor(np.array([NAN, 1.0, NAN]), requires_grad=True)
    with no_warnings():
        (gradient,) = grad(x.max() * 3.0, [x], create_graph=True)
    np.testing.assert_array_equal(gradient.data, [1.5, 0.0, 1.5])


# -- softmax, log_softmax, logsumexp, cross-entropy at +-1e308 ------------------------------------

EXTREME_ROWS = np.array([[-1e308, 1e308, 0.0], [1e308, 1e308, -1e308], [-1e308, -1e308, -1e308], [1e308, 0.0, 1.0]])
TARGETS = np.array([0, 1, 2, 1])


def _ours_and_torch(name):
    torch = _torch()
    functional = torch.nn.functional
    return {
        "softmax": (lambda x: x.softmax(axis=1), lambda t: torch.softmax(t, dim=1)),
        "log_softmax": (lambda x: x.log_softmax(axis=1), lambda t: torch.log_softmax(t, dim=1)),
        "logsumexp": (lambda x: x.logsumexp(axis=1), lambda t: torch.logsumexp(t, dim=1)),
        "softmax_cross_entropy": (
            lambda x: softmax_cross_entropy(x, TARGETS, axis=1),
            lambda t: functional.cross_entropy(t, torch.tensor(TARGETS), reduction="none"),
        ),
        "cross_entropy": (
            lambda x: cross_entropy(x, TARGETS, reduction="none"),
            lambda t: functional.cross_entropy(t, torch.tensor(TARGETS), reduction="none"),
        ),
    }[name]


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "softmax_cross_entropy", "cross_entropy"])
def test_softmax_family_at_plus_minus_1e308_matches_torch_without_overflow_warnings(name):
    torch = _torch()
    ours, theirs = _ours_and_torch(name)
    x = Tensor(EXTREME_ROWS.copy(), requires_grad=True)
    reference = torch.tensor(EXTREME_ROWS, requires_grad=True)
    with no_warnings():
        result = ours(x)
        seed = np.linspace(0.5, 1.5, result.data.size).reshape(result.shape)
        result.backward(seed)
    expected = theirs(reference)
    expected.backward(torch.tensor(seed))
    expected_grad = reference.grad.numpy()
    if name == "logsumexp":  # torch's backward exp(x - lse) is off once lse rounds (1e308 + log 2 == 1e308)
        expected_grad = (torch.softmax(reference, dim=1) * torch.tensor(seed)[:, None]).detach().numpy()
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, expected_grad, rtol=1e-12, atol=1e-15)


# -- pow at a zero base --------------------------------------------------------------------------

BASES = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.5]
EXPONENTS = [-2.0, -1.0, -0.5, 0.0, 1.0, 2.5, -1.5, 3.0]


def test_pow_at_a_zero_base_has_torchs_gradients_without_warnings():
    torch = _torch()
    base, exponent = Tensor(np.array(BASES), requires_grad=True), Tensor(np.array(EXPONENTS), requires_grad=True)
    with no_warnings():
        result = base**exponent  # 0 ** -1 = inf, silently
        result.backward(np.ones(len(BASES)))
    torch_base = torch.tensor(BASES, dtype=torch.float64, requires_grad=True)
    torch_exponent = torch.tensor(EXPONENTS, dtype=torch.float64, requires_grad=True)
    (torch_base**torch_exponent).sum().backward()
    np.testing.assert_allclose(base.grad, torch_base.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(exponent.grad, torch_exponent.grad.numpy(), rtol=1e-12)
    assert exponent.grad[0] == exponent.grad[1] == -np.inf  # d/dy 0**y for y < 0


def test_pow_of_zero_base_to_negative_value_exponent_gives_minus_inf():
    base, exponent = Value(0.0), Value(-1.0)
    with no_warnings():
        result = base**exponent
        result.backward()
    assert result.data == np.inf
    assert exponent.grad == -np.inf and base.grad == -np.inf


@pytest.mark.parametrize("exponent", [0.5, 1.0, 2.0, 3.7])
def test_pow_gradients_at_a_zero_base_agree_with_finite_differences_where_defined(exponent):
    # d/dy 0**y = 0 for y > 0 (0**y is 0 near y); d/dx x**y at x = 0 only for integer y (x < 0 is nan otherwise)
    assert gradcheck(lambda y: Tensor(np.zeros(3)) ** y, [np.full(3, exponent)])
    if float(exponent).is_integer():
        assert gradcheck(lambda x: x ** Tensor(np.full(3, exponent)), [np.zeros(3)])


def test_pow_rules_stay_differentiable_twice():
    x, y = np.array([0.7, 1.3, 2.0]), np.array([-1.5, 0.5, 2.0])
    assert gradgradcheck(lambda base, exponent: (base**exponent).sum(), [x, y])
    assert gradgradcheck(lambda base: (base**0.0 + base**2).sum(), [np.array([0.0, 1.5])])


# -- std of constant slices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "axis", "ddof"),
    [
        (np.array([[1.0], [2.0], [-3.0]]), 1, 0),
        (np.array(4.0), None, 0),
        (np.ones(5), None, 0),
        (np.array([[1.0, 1.0], [2.0, 3.0]]), 1, 1),
        (np.array([[1.0, 1.0], [2.0, 3.0]]), 0, 0),
    ],
)
def test_std_of_constant_slices_has_zero_gradient_like_torch(data, axis, ddof):
    torch = _torch()
    x = Tensor(data.copy(), requires_grad=True)
    with no_warnings():
        result = x.std(axis=axis, ddof=ddof)
        result.backward(np.ones(result.shape))
    reference = torch.tensor(data, requires_grad=True)
    expected = reference.std(correction=ddof) if axis is None else reference.std(dim=axis, correction=ddof)
    expected.sum().backward()
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), rtol=1e-12)
    assert np.isfinite(x.grad).all()


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0)])
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.var(x),
        lambda lib, x: lib.std(x, dim=-1),
        lambda lib, x: lib.var(x, dim=0, correction=0, keepdim=True),
        lambda lib, x: lib.std_mean(x, dim=-1)[0],
        lambda lib, x: lib.var_mean(x)[0],
    ],
    ids=["var", "std dim -1", "var dim 0 correction 0", "std_mean", "var_mean"],
)
def test_var_and_std_of_an_empty_tensor_backpropagate_an_empty_gradient_without_warnings(call, shape):
    """The backward pass of var/std over an empty tensor (values nan, as torch's) took the mean of an empty slice:
    numpy's "Mean of empty slice" RuntimeWarning leaked; the gradient is torch's, empty (or zeros of a
    (0, 3) slice's shape)."""
    torch = _torch()
    data = np.zeros(shape)
    x, reference = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    with no_warnings():
        result = call(autograd, x)
        result.backward(np.ones(result.shape))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "degrees of freedom is <= 0"
        call(torch, reference).sum().backward()
    assert x.grad.shape == shape
    np.testing.assert_array_equal(x.grad, reference.grad.numpy())


def test_std_away_from_zero_agrees_with_finite_differences_to_second_order():
    data = np.array([[0.3, -1.2, 2.0], [1.0, 1.5, -0.5]])
    assert gradcheck(lambda x: x.std(axis=1, ddof=1), [data])
    assert gradgradcheck(lambda x: x.std(axis=0).sum(), [data])


# -- every elementwise op at the edges of float64 -----------------------------------------------

EDGES = np.array(
    [0.0, -0.0, 5e-324, -5e-324, 1e-300, 0.5, -1.0, 3.0, 710.0, -710.0, 1e308, -1e308, np.inf, -np.inf, NAN]
)
ELEMENTWISE_ROWS = [row for row in ROWS if row.elementwise]


@pytest.mark.parametrize("row", ELEMENTWISE_ROWS, ids=lambda row: row.name)
def test_elementwise_ops_give_ieee_values_and_gradients_at_float64_edges_without_warnings(row):
    inputs = (
        [EDGES] if len(row.float32_case.arrays) == 1 else [np.repeat(EDGES, EDGES.size), np.tile(EDGES, EDGES.size)]
    )
    nodes = [Tensor(x.copy(), requires_grad=True) for x in inputs]
    with no_warnings():
        result = row.call(*nodes)
        result.backward(np.ones(result.shape))
    assert result.shape == inputs[0].shape
    assert all(node.grad.shape == node.shape for node in nodes)
    if row.on_value:  # the scalar engine: the same edges, no exception and no warning
        for point in zip(*inputs):
            values = [Value(float(x)) for x in point]
            with no_warnings():
                row.call(*values).backward()
            assert all(isinstance(value.grad, float) for value in values), (row.name, point)


def test_reductions_and_matmul_overflow_to_inf_without_warnings():
    huge = np.array([[1e308, 1e308], [-1e308, -1e308]])
    x = Tensor(huge, requires_grad=True)
    with no_warnings():
        sums, means = x.sum(axis=1), x.mean(axis=1)
        product = x @ Tensor(np.ones((2, 1)))
        (sums.sum() + means.sum() + product.sum()).backward()
    np.testing.assert_array_equal(sums.data, [np.inf, -np.inf])
    np.testing.assert_array_equal(means.data, [np.inf, -np.inf])
    np.testing.assert_array_equal(product.data, [[np.inf], [-np.inf]])
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 2.5))


@pytest.mark.parametrize("exponent", [0.5, 1.5, -0.5, Value(0.5)])
def test_value_pow_of_a_negative_base_to_a_fractional_exponent_is_nan_like_numpy(exponent):
    # Python's (-0.5) ** 0.5 is a complex number; numpy's power (and torch's) give nan, and so does Value
    base = Value(-0.5)
    with no_warnings():
        result = base**exponent
        result.backward()
    assert math.isnan(result.data) and math.isnan(base.grad)
    if isinstance(exponent, Value):
        assert math.isnan(exponent.grad)


@pytest.mark.parametrize("base", [-0.0, -math.inf, 0.0, math.inf, 2.25, -1.0, NAN])
def test_value_to_the_power_one_half_is_the_square_root_as_numpy_and_torch(base):
    # C's pow gives (-0.0)**0.5 = +0.0 and (-inf)**0.5 = +inf; numpy's and torch's power take the square root there
    torch = _torch()
    with no_warnings():
        ours = (Value(base) ** 0.5).data
    expected = torch.tensor(base, dtype=torch.float64) ** 0.5
    np.testing.assert_array_equal(np.array(ours), expected.numpy())
    assert math.copysign(1.0, ours) == math.copysign(1.0, expected.item())
    with np.errstate(invalid="ignore"):
        assert np.array_equal(np.power(np.float64(base), 0.5), ours, equal_nan=True)


@pytest.mark.parametrize(
    ("base", "exponent"), [(-0.0, -1.0), (-0.0, -3.0), (-0.0, -2.0), (0.0, -1.0), (0.0, NAN), (-0.0, -0.5)]
)
def test_pow_exponent_gradient_at_a_signed_zero_base_matches_torch(base, exponent):
    torch = _torch()
    x, y = Tensor(np.array(base), requires_grad=True), Tensor(np.array(exponent), requires_grad=True)
    with no_warnings():
        (x**y).backward()
    tx = torch.tensor(base, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(exponent, dtype=torch.float64, requires_grad=True)
    (tx**ty).backward()
    np.testing.assert_array_equal(y.grad, ty.grad.numpy())  # d/dy 0**y = -inf * 0**y: +inf at -0 to an odd power
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp_gradients_are_the_softmax_weights_even_where_the_sum_rounds(name):
    # at x = y = 1e308 the value rounds to x, so e^(x - out) would give each input the whole gradient (1, not 1/2)
    pairs = np.array([[1e308, 1e308], [-1e308, -1e308], [np.inf, 0.0], [0.0, -np.inf], [2.0, -3.0]])
    x, y = Tensor(pairs[:, 0].copy(), requires_grad=True), Tensor(pairs[:, 1].copy(), requires_grad=True)
    with no_warnings():
        getattr(x, name)(y).backward(np.ones(len(pairs)))
    scale = 1.0 if name == "logaddexp" else math.log(2.0)
    differences = np.array([0.0, 0.0, np.inf, np.inf, 5.0]) * scale
    expected = 1 / (1 + np.exp(-differences))  # sigmoid(x - y) and sigmoid(y - x)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)
    np.testing.assert_allclose(y.grad, 1 / (1 + np.exp(differences)), rtol=1e-14)


def test_arctan2_gradient_is_zero_at_the_origin_and_exact_at_tiny_and_huge_radii():
    y = Tensor(np.array([0.0, 1e-200, 1e200, 3.0]), requires_grad=True)
    x = Tensor(np.array([0.0, 1e-200, 1e200, 4.0]), requires_grad=True)
    with no_warnings():
        y.arctan2(x).backward(np.ones(4))
    # d/dy = x / (x^2 + y^2): 1 / (2 * 1e-200) and 1 / (2 * 1e200), though x^2 + y^2 under- or overflows
    np.testing.assert_allclose(y.grad, [0.0, 5e199, 5e-201, 4 / 25], rtol=1e-15)
    np.testing.assert_allclose(x.grad, [0.0, -5e199, -5e-201, -3 / 25], rtol=1e-15)


def test_mod_gradient_uses_the_quotient_its_value_was_formed_with():
    # 5e-324 % -3 is -3 + 5e-324 = -3.0: the floor quotient is -1 (x / y rounds to -0.0, whose floor is 0)
    x, y = (
        Tensor(np.array([5e-324, 7.5, -7.5]), requires_grad=True),
        Tensor(np.array([-3.0, 2.0, 2.0]), requires_grad=True),
    )
    with no_warnings():
        result = x % y
        result.backward(np.ones(3))
    np.testing.assert_array_equal(result.data, [-3.0, 1.5, 0.5])
    np.testing.assert_array_equal(y.grad, -np.floor_divide(x.data, y.data))
    np.testing.assert_array_equal(y.grad, [1.0, -3.0, 4.0])


def test_abs_passes_no_gradient_at_nan_in_value_and_tensor_as_torch():
    value, tensor = Value(NAN), Tensor(np.array([NAN, -2.0, 0.0, 3.0]), requires_grad=True)
    value.abs().backward()
    tensor.abs().backward(np.ones(4))
    assert value.grad == 0.0
    np.testing.assert_array_equal(tensor.grad, [0.0, -1.0, 0.0, 1.0])


def test_cosine_similarity_of_vectors_with_an_infinite_norm_is_zero_like_torch():
    torch = _torch()
    data = np.array([[1e308, -1e308, 1e308, 0.0]])
    x = Tensor(data.copy(), requires_grad=True)
    with no_warnings():
        result = cosine_similarity(x, Tensor(np.ones((1, 4))), dim=1)
        result.backward(np.ones(1))
    reference = torch.tensor(data, requires_grad=True)
    expected = torch.nn.functional.cosine_similarity(reference, torch.ones(1, 4, dtype=torch.float64), dim=1)
    expected.sum().backward()
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, reference.grad.numpy())


def test_multi_margin_loss_with_an_infinite_score_is_inf_not_nan_like_torch():
    torch = _torch()
    scores = np.array([[np.inf, 0.0, 1.0], [np.inf, np.inf, 1.0]])
    target = np.array([0, 2])
    x = Tensor(scores.copy(), requires_grad=True)
    with no_warnings():
        loss = multi_margin_loss(x, target, reduction="none")
    expected = torch.nn.functional.multi_margin_loss(torch.tensor(scores), torch.tensor(target), reduction="none")
    np.testing.assert_array_equal(loss.data, expected.numpy())  # [0, inf]: the target's own term is left out


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: nn.Linear(8, 4), (4, 8)),
        (lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 2, 6, 6)),
        (lambda: nn.Softplus(beta=2.0), (4, 8)),
        (lambda: lambda x: cross_entropy(x, np.zeros(4, dtype=int)), (4, 8)),
    ],
    ids=["Linear", "Conv2d", "Softplus-beta", "cross_entropy"],
)
@pytest.mark.parametrize("edge", [3e38, np.inf, NAN])
def test_layers_and_losses_run_forward_and_backward_at_float32_edges_without_warnings(make, shape, edge):
    data = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    data.flat[::3] = edge
    x = Tensor(data, requires_grad=True)
    with no_warnings():
        out = make()(x)
        (out.sum() if out.size != 1 else out).backward()
    assert x.grad.shape == shape


def test_cumsum_det_slogdet_and_matrix_exp_overflow_to_ieee_values_without_warnings():
    import warnings

    import autograd

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = autograd.Tensor(np.array([1e308, 1e308]), requires_grad=True)
        np.testing.assert_array_equal(x.cumsum(0).data, [1e308, np.inf])
        x.cumsum(0).sum().backward()
        m = autograd.Tensor(np.array([[1e308, 1e308], [-1e308, 1e308]]))
        assert autograd.linalg.det(m).item() == np.inf
        assert autograd.linalg.slogdet(m)[1].item() == np.inf
        m.matrix_exp()


@pytest.mark.parametrize(
    "values",
    [np.array([1e20, -2e30, 3e38, 2.5], np.float32), np.array([1e200, -1e300, 1.7e308, 2.5])],
    ids=["float32", "float64"],
)
def test_sinc_at_huge_inputs_warns_nothing_and_has_its_small_gradient(values):
    x = Tensor(values, requires_grad=True)
    with no_warnings():
        y = x.sinc()
        y.sum().backward()
    with np.errstate(all="ignore"):  # the reference values themselves overflow where pi x does
        finite = np.isfinite(values * np.pi)
        wide = values.astype(np.float64)
        bound = 1 / np.abs(wide) + 1 / (np.pi * wide * wide)
        reference = np.sinc(values)
    # d/dx sinc(x) = cos(pi x) / x - sin(pi x) / (pi x^2): at most 1/|x| + 1/(pi x^2) in size, never nan
    assert np.all(np.isfinite(x.grad[finite]))
    assert np.all(np.abs(x.grad[finite].astype(np.float64)) <= bound[finite] * (1 + 1e-6))
    np.testing.assert_allclose(y.data[finite], reference[finite], rtol=1e-6, atol=1e-300)


SPECIAL_BASES = [-2.0, -0.0, 0.0, -np.inf, np.inf, np.nan, 3.5, -1e-200, -1e200, 1.0, -1.0, -0.75]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("exponent", [3, 4, -2, -3, 5.0, -5.0, 33, np.int64(3), 1e20])
def test_integral_powers_of_negative_bases_are_numpys_values_to_one_ulp(exponent, dtype):
    # integral exponents other than numpy's fast ones are taken as +-|x|**n (libm's pow is 40x slower on a
    # negative base): the same value to within an ulp, with the same dtype, signs, zeros, infinities and nans
    rng = np.random.default_rng(7)
    with np.errstate(over="ignore"):  # -1e200 is -inf in float16 and float32
        bases = np.concatenate([SPECIAL_BASES, rng.standard_normal(500) * 4]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = (Tensor(bases) ** exponent).data
    with np.errstate(all="ignore"):  # a numpy scalar exponent acts as a Python number on a Tensor (torch's rule)
        expected = np.power(bases, exponent.item() if isinstance(exponent, np.generic) else exponent)
    assert got.dtype == expected.dtype == dtype
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.array_equal(np.signbit(got), np.signbit(expected))
    finite = np.isfinite(expected) & (expected != 0)
    assert np.array_equal(got[~finite], expected[~finite], equal_nan=True)
    ulps = np.abs(got[finite] - expected[finite]) / np.spacing(np.abs(expected[finite]))
    assert ulps.max(initial=0) <= 1


def test_an_integral_power_has_the_derivative_n_x_to_the_n_minus_one():
    x = np.array([-1.7, -0.4, 0.3, 2.2])
    assert gradcheck(lambda t: t**3, [x]) and gradgradcheck(lambda t: t**-3, [x])
    t = Tensor(x, requires_grad=True)
    (t**5).sum().backward()
    np.testing.assert_allclose(t.grad, 5 * x**4, rtol=1e-14)


@pytest.mark.parametrize(
    ("dtype", "points"), [(np.float32, [1e-45, -1e-45, 1e-40, 2.0]), (np.float16, [6e-8, 1e-5, -1e-5, 2.0])]
)
@pytest.mark.parametrize("order", [1, 2])
def test_polygamma_overflowing_the_dtype_is_inf_without_a_warning(order, dtype, points):
    # psi^(n)(x) ~ (-1)^(n+1) n! / x^(n+1) near 0 is beyond float32/float16 while finite in float64: rounding
    # it back to the dtype gives +-inf quietly, as torch's values
    torch = _torch()
    x = np.array(points, dtype=dtype)
    with no_warnings():
        got = Tensor(x).polygamma(order).data
    expected = torch.polygamma(order, torch.from_numpy(x)).numpy()
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda f, x, w: f.conv_transpose1d(x.reshape(2, 3, 8), w.reshape(3, 2, 4)[:, :, :3], stride=2),
        lambda f, x, w: f.conv_transpose2d(x.reshape(2, 3, 4, 2), w.reshape(3, 2, 2, 2), stride=1),
        lambda f, x, w: f.conv_transpose3d(x.reshape(1, 3, 2, 4, 2), w.reshape(3, 2, 2, 2, 1)),
        lambda f, x, w: f.avg_pool2d(x.reshape(3, 4, 4), 2),
        lambda f, x, w: f.avg_pool3d(x.reshape(1, 3, 2, 4, 2), 2),
        lambda f, x, w: f.lp_pool2d(x.reshape(3, 4, 4), 3.0, 2),
        lambda f, x, w: f.lp_pool1d(x.reshape(3, 16), 3.0, 2),
    ],
    ids=[
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "avg_pool2d",
        "avg_pool3d",
        "lp_pool2d",
        "lp_pool1d",
    ],
)
def test_windows_summing_opposite_infinities_give_torchs_nan_without_warnings(call):
    torch = _torch()
    data = np.resize([np.inf, -np.inf, 1.0, -2.0, 1e300, -1e300], 48).reshape(3, 16)
    weight = np.random.default_rng(0).normal(size=24)
    x = Tensor(data, requires_grad=True)
    with no_warnings():
        out = call(nn.functional, x, Tensor(weight))
        out.sum().backward()
    reference = torch.tensor(data, requires_grad=True)
    expected = call(torch.nn.functional, reference, torch.tensor(weight))
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), rtol=1e-12)
