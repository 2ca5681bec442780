"""Torch oracle for the modules and functions added with torch's names: values and gradients of the
deterministic ones against torch's, the random ones against torch's formulas given our draws (and their eval
modes and moments against torch's), reprs against torch's own."""

import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, no_grad

torch = pytest.importorskip("torch")
TF = torch.nn.functional
from torch_oracle import check_like_torch  # noqa: E402  (after the skip: it imports torch)

INF = float("inf")


def _either(torch_fn, our_fn):
    """One callable for check_like_torch that runs torch's on torch tensors and ours on ours."""
    return lambda *xs: torch_fn(*xs) if isinstance(xs[0], torch.Tensor) else our_fn(*xs)


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_channel_shuffle_like_torch(groups):
    check_like_torch(
        [(2, 6, 3, 2)], _either(lambda x: TF.channel_shuffle(x, groups), lambda x: F.channel_shuffle(x, groups))
    )
    check_like_torch([(2, 6, 3)], lambda x: torch.nn.ChannelShuffle(groups)(x), nn.ChannelShuffle(groups))


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 2, 2)])
def test_softmax2d_like_torch(shape):
    check_like_torch([shape], torch.nn.Softmax2d(), nn.Softmax2d())


@pytest.mark.parametrize("norm_type", [1, 2, 3, 1.5, -2.0, INF, -INF])
@pytest.mark.parametrize(("stride", "ceil_mode"), [(None, False), (2, False), (2, True), (1, True)])
def test_lp_pool1d_like_torch(norm_type, stride, ceil_mode):
    check_like_torch(
        [(2, 3, 8)],
        _either(
            lambda x: TF.lp_pool1d(x, norm_type, 3, stride, ceil_mode),
            lambda x: F.lp_pool1d(x, norm_type, 3, stride, ceil_mode),
        ),
        low=0.1,
    )


@pytest.mark.parametrize("norm_type", [1, 2, 3, 1.5, INF])
@pytest.mark.parametrize(("kernel", "stride", "ceil_mode"), [(2, None, False), ((3, 2), (2, 1), False), (3, 2, True)])
def test_lp_pool2d_like_torch(norm_type, kernel, stride, ceil_mode):
    check_like_torch(
        [(2, 2, 7, 6)],
        lambda x: torch.nn.LPPool2d(norm_type, kernel, stride, ceil_mode)(x),
        nn.LPPool2d(norm_type, kernel, stride, ceil_mode),
        low=0.1,
    )


@pytest.mark.parametrize(
    "values",
    [
        np.array([[[0.0, 0.0, 1.0, 2.0]]]),  # a window summing to 0: gradient 0, as torch
        np.array([[[-1.0, 0.5, 1.0, 2.0]]]),  # a negative odd power: torch's nan in both
        np.array([[[-1.0, 1.0, 1.0, -2.0]]]),  # a window of x^3 summing to exactly 0
    ],
)
def test_lp_pool_edge_windows_like_torch(values):
    check_like_torch(None, _either(lambda x: TF.lp_pool1d(x, 3, 2), lambda x: F.lp_pool1d(x, 3, 2)), values=[values])
    check_like_torch(None, _either(lambda x: TF.lp_pool1d(x, 2, 2), lambda x: F.lp_pool1d(x, 2, 2)), values=[values])


DUPLICATE_ROWS = np.array([[0.0, 1.0, 3.0], [1.0, 1.0, 1.0], [0.0, 1.0, 3.0], [2.0, -1.0, 0.5]])


@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3, INF])
def test_pdist_like_torch_with_equal_rows_and_equal_entries(p):
    check_like_torch(None, _either(lambda x: TF.pdist(x, p), lambda x: F.pdist(x, p)), values=[DUPLICATE_ROWS])


@pytest.mark.parametrize("shape", [(6, 4), (2, 3), (1, 3)])
def test_pdist_like_torch(shape):
    check_like_torch([shape], _either(TF.pdist, F.pdist))


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("distance", ["default", "cosine", "squared"])
def test_triplet_margin_with_distance_loss_like_torch(swap, reduction, distance):
    def ours(a, p, n):
        function = {
            "default": None,
            "cosine": lambda x, y: 1 - F.cosine_similarity(x, y),
            "squared": lambda x, y: ((x - y) ** 2).sum(axis=-1),
        }[distance]
        return F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=function, margin=0.7, swap=swap, reduction=reduction
        )

    def theirs(a, p, n):
        function = {
            "default": None,
            "cosine": lambda x, y: 1 - TF.cosine_similarity(x, y),
            "squared": lambda x, y: ((x - y) ** 2).sum(dim=-1),
        }[distance]
        return TF.triplet_margin_with_distance_loss(
            a, p, n, distance_function=function, margin=0.7, swap=swap, reduction=reduction
        )

    check_like_torch([(5, 3)] * 3, theirs, ours)


def test_triplet_margin_with_distance_loss_module_like_torch():
    check_like_torch(
        [(4, 3)] * 3,
        torch.nn.TripletMarginWithDistanceLoss(margin=1.5, swap=True),
        nn.TripletMarginWithDistanceLoss(margin=1.5, swap=True),
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("relu_", ()),
        ("elu_", (0.7,)),
        ("selu_", ()),
        ("celu_", (0.5,)),
        ("leaky_relu_", (0.2,)),
        ("hardtanh_", (-0.5, 0.8)),
        ("threshold_", (0.1, -2.0)),
    ],
)
def test_in_place_activations_like_torch(name, args):
    values = np.array([-2.0, -0.5, 0.0, 0.1, 0.3, 1.0, 2.5])

    def run(library, leaf):
        hidden = leaf * 1.5
        same = getattr(library, name)(hidden, *args)
        assert same is hidden
        (hidden * hidden + hidden).sum().backward()
        return hidden

    ours, theirs = Tensor(values.copy(), requires_grad=True), torch.tensor(values, requires_grad=True)
    np.testing.assert_allclose(run(F, ours).data, run(TF, theirs).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(TF, name)(theirs, *args)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(ours, *args)
    with no_grad(), torch.no_grad():
        getattr(F, name)(ours, *args)
        getattr(TF, name)(theirs, *args)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)


def test_rrelu_eval_and_training_formula_like_torch():
    values = np.array([-2.0, -0.5, 0.0, 0.3, 1.0])
    check_like_torch(None, _either(lambda x: TF.rrelu(x, 0.1, 0.3), lambda x: F.rrelu(x, 0.1, 0.3)), values=[values])
    check_like_torch(None, torch.nn.RReLU(0.2, 0.4).eval(), nn.RReLU(0.2, 0.4).eval(), values=[values])
    slopes = np.random.default_rng(3).uniform(0.1, 0.3, values.shape)  # our draws, fed to torch's formula

    def theirs(x):
        return torch.where(x > 0, x, x * torch.tensor(slopes))

    check_like_torch(None, theirs, lambda x: F.rrelu(x, 0.1, 0.3, training=True, rng=3), values=[values])


def test_rrelu_training_moments_like_torch():
    torch.manual_seed(0)
    x = -np.ones(200000)
    theirs = -TF.rrelu(torch.tensor(x), 0.1, 0.5, training=True).numpy()
    ours = -F.rrelu(x, 0.1, 0.5, training=True, rng=0).data
    assert abs(ours.mean() - theirs.mean()) < 0.003 and abs(ours.std() - theirs.std()) < 0.003
    assert ours.min() >= 0.1 and ours.max() <= 0.5 and theirs.min() >= 0.1 and theirs.max() <= 0.5


def test_gumbel_softmax_formula_like_torch_given_our_noise():
    logits = np.random.default_rng(1).normal(size=(4, 5))
    noise = np.random.default_rng(6).gumbel(size=(4, 5))
    for hard in (False, True):

        def theirs(x, hard=hard):  # torch's gumbel_softmax body with our Gumbel draws
            y_soft = ((x + torch.tensor(noise)) / 0.6).softmax(0)
            if not hard:
                return y_soft
            index = y_soft.max(0, keepdim=True)[1]
            return torch.zeros_like(x).scatter_(0, index, 1.0) - y_soft.detach() + y_soft

        def ours(x, hard=hard):
            return F.gumbel_softmax(x, 0.6, hard, dim=0, rng=6)

        check_like_torch(None, theirs, ours, values=[logits], loss=lambda out: (out * out.new_tensor(noise)).sum())


def test_gumbel_softmax_sample_frequencies_like_torch():
    torch.manual_seed(0)
    logits = np.log(np.array([0.6, 0.3, 0.1]))
    tiled = np.tile(logits, (30000, 1))
    theirs = np.bincount(TF.gumbel_softmax(torch.tensor(tiled), hard=True).argmax(-1).numpy(), minlength=3)
    ours = np.bincount(F.gumbel_softmax(tiled, hard=True, rng=0).data.argmax(-1), minlength=3)
    np.testing.assert_allclose(ours / 30000, theirs / 30000, atol=0.015)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_formula_like_torch_given_our_mask(p):
    values = np.random.default_rng(2).normal(size=(3, 4, 2))
    ours_out = F.alpha_dropout(Tensor(values, requires_grad=True), p, True, rng=5)
    keep = torch.tensor(np.random.default_rng(5).random(values.shape) >= p, dtype=torch.float64)

    def theirs(x):  # torch's _dropout_impl for alpha dropout, with our keep-mask as its noise
        alpha = 1.7580993408473766
        a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
        b = (keep - 1) * (alpha * a) + alpha * a * p
        return x * (keep * a) + b

    check_like_torch(None, theirs, lambda x: F.alpha_dropout(x, p, True, rng=5), values=[values])
    assert ours_out.shape == values.shape


def test_alpha_dropout_eval_p1_and_moments_like_torch():
    values = np.random.default_rng(4).normal(size=(3, 4))
    for p in (0.0, 0.5):
        np.testing.assert_array_equal(
            F.alpha_dropout(values, p).data, TF.alpha_dropout(torch.tensor(values), p).numpy()
        )
    np.testing.assert_array_equal(
        F.alpha_dropout(values, 1.0, True).data, TF.alpha_dropout(torch.tensor(values), 1.0, True).numpy()
    )
    np.testing.assert_array_equal(
        nn.FeatureAlphaDropout(0.3).eval()(values).data, torch.nn.FeatureAlphaDropout(0.3).eval()(torch.tensor(values))
    )
    torch.manual_seed(0)
    big = np.random.default_rng(0).standard_normal((400, 50, 10))
    theirs = TF.feature_alpha_dropout(torch.tensor(big), 0.3, True).numpy()
    ours = F.feature_alpha_dropout(big, 0.3, True, rng=0).data
    assert abs(ours.mean() - theirs.mean()) < 0.02 and abs(ours.std() - theirs.std()) < 0.02
    (our_level, our_share), (their_level, their_share) = _dropped_level(ours), _dropped_level(theirs)
    assert our_level == pytest.approx(their_level, rel=1e-12)
    assert abs(our_share - 0.3) < 0.02 and abs(their_share - 0.3) < 0.02


def _dropped_level(out):
    """The value the dropped channels hold (the most frequent one) and the share of entries holding it."""
    levels, counts = np.unique(out, return_counts=True)
    return levels[counts.argmax()], counts.max() / out.size


def test_with_indices_pools_like_torch():
    x = np.random.default_rng(5).normal(size=(2, 3, 7, 6))
    cases = [
        (TF.max_pool2d_with_indices, F.max_pool2d_with_indices, (x, 3, 2, 1)),
        (TF.max_pool1d_with_indices, F.max_pool1d_with_indices, (x[0, 0:2, 0], 2)),
        (TF.adaptive_max_pool2d_with_indices, F.adaptive_max_pool2d_with_indices, (x, (3, 4))),
        (TF.adaptive_max_pool1d_with_indices, F.adaptive_max_pool1d_with_indices, (x[0], 4)),
    ]
    for theirs, ours, (array, *args) in cases:
        expected_values, expected_indices = theirs(torch.tensor(array), *args)
        values, indices = ours(array, *args)
        np.testing.assert_array_equal(values.data, expected_values.numpy())
        np.testing.assert_array_equal(indices, expected_indices.numpy())


@pytest.mark.parametrize(
    ("kernel", "dilation", "padding", "stride"), [(2, 1, 0, 1), ((2, 3), (1, 2), 1, (2, 1)), (3, 1, 1, 2)]
)
def test_unfold_and_fold_modules_like_torch(kernel, dilation, padding, stride):
    check_like_torch(
        [(2, 3, 6, 7)],
        torch.nn.Unfold(kernel, dilation, padding, stride),
        nn.Unfold(kernel, dilation, padding, stride),
    )
    columns = torch.nn.Unfold(kernel, dilation, padding, stride)(torch.zeros(2, 3, 6, 7)).shape
    check_like_torch(
        [tuple(columns)],
        torch.nn.Fold((6, 7), kernel, dilation, padding, stride),
        nn.Fold((6, 7), kernel, dilation, padding, stride),
    )


def test_lazy_linear_like_torch():
    theirs, ours = torch.nn.LazyLinear(3).double(), nn.LazyLinear(3, dtype=np.float64)
    assert repr(ours) == repr(theirs)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    x = np.random.default_rng(0).normal(size=(4, 5))
    theirs(torch.tensor(x))
    ours(x)
    assert repr(ours) == repr(theirs) and type(theirs).__name__ == type(ours).__name__ == "Linear"
    with no_grad():
        ours.weight.copy_(theirs.weight.detach().numpy())
        ours.bias.copy_(theirs.bias.detach().numpy())
    check_like_torch([(4, 5)], theirs, ours)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: nn.Softmax2d(), lambda: torch.nn.Softmax2d()),
        (lambda: nn.ChannelShuffle(3), lambda: torch.nn.ChannelShuffle(3)),
        (lambda: nn.RReLU(), lambda: torch.nn.RReLU()),
        (lambda: nn.RReLU(0.1, 0.3, True), lambda: torch.nn.RReLU(0.1, 0.3, True)),
        (lambda: nn.AlphaDropout(0.2), lambda: torch.nn.AlphaDropout(0.2)),
        (lambda: nn.FeatureAlphaDropout(), lambda: torch.nn.FeatureAlphaDropout()),
        (lambda: nn.LPPool1d(2, 3), lambda: torch.nn.LPPool1d(2, 3)),
        (lambda: nn.LPPool2d(1.5, (2, 3), 1, True), lambda: torch.nn.LPPool2d(1.5, (2, 3), 1, True)),
        (lambda: nn.Unfold((2, 3), 2, 1, 2), lambda: torch.nn.Unfold((2, 3), 2, 1, 2)),
        (lambda: nn.Fold(4, 2, 1, 0, 2), lambda: torch.nn.Fold(4, 2, 1, 0, 2)),
        (lambda: nn.LazyLinear(3, bias=False), lambda: torch.nn.LazyLinear(3, bias=False)),
    ],
)
def test_repr_like_torch(ours, theirs):
    assert repr(ours()) == repr(theirs())
