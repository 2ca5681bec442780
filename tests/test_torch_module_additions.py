"""The deterministic modules and functions added with torch's names (Softmax2d, ChannelShuffle, LPPool1d/2d,
Unfold/Fold, TripletMarginWithDistanceLoss, LazyLinear; F.channel_shuffle, F.lp_pool1d/2d, F.pdist, the in-place
activations, the ``*_with_indices`` pools): float64 finite differences, reprs, errors naming the culprit, and
the in-place and lazy semantics. Runs without torch (tests/test_torch_module_additions_torch.py compares with it)."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck, no_grad

RNG = np.random.default_rng(7)


def _leaf(*shape, low=-1.5, high=1.5):
    return Tensor(RNG.uniform(low, high, shape), requires_grad=True)


@pytest.mark.parametrize(
    ("name", "function", "inputs"),
    [
        ("channel_shuffle", lambda x: F.channel_shuffle(x, 3), [_leaf(2, 6, 2, 2)]),
        ("softmax2d", nn.Softmax2d(), [_leaf(2, 3, 2, 2)]),
        ("lp_pool1d p=2", lambda x: F.lp_pool1d(x, 2, 3, 2), [_leaf(2, 2, 7, low=0.2)]),
        ("lp_pool1d p=3 ceil", lambda x: F.lp_pool1d(x, 3, 3, 2, True), [_leaf(2, 2, 8, low=0.2)]),
        ("lp_pool2d p=1.5", lambda x: F.lp_pool2d(x, 1.5, (2, 3), 1), [_leaf(1, 2, 4, 5, low=0.2)]),
        ("lp_pool2d ceil", lambda x: F.lp_pool2d(x, 2, 2, None, True), [_leaf(2, 5, 5, low=0.2)]),
        ("pdist p=2", lambda x: F.pdist(x), [_leaf(5, 3)]),
        ("pdist p=1", lambda x: F.pdist(x, 1), [_leaf(4, 3)]),
        ("pdist p=0.5", lambda x: F.pdist(x, 0.5), [_leaf(4, 3)]),
        ("pdist p=3", lambda x: F.pdist(x, 3.0), [_leaf(4, 2)]),
        ("unfold", nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [_leaf(2, 2, 4, 5)]),
        ("fold", nn.Fold((4, 5), 2, padding=1, stride=2), [_leaf(2, 8, 9)]),
        (
            "triplet_margin_with_distance_loss swap",
            lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, margin=2.0, swap=True),
            [_leaf(4, 3), _leaf(4, 3), _leaf(4, 3)],
        ),
        (
            "triplet_margin_with_distance_loss custom distance",
            lambda a, p, n: F.triplet_margin_with_distance_loss(
                a, p, n, distance_function=lambda x, y: ((x - y) ** 2).sum(axis=-1), reduction="none"
            ),
            [_leaf(4, 3), _leaf(4, 3), _leaf(4, 3)],
        ),
    ],
    ids=lambda item: item if isinstance(item, str) else "",
)
def test_gradients_match_central_differences(name, function, inputs):
    assert gradcheck(function, inputs)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("elu_", (0.7,)),
        ("selu_", ()),
        ("celu_", (0.5,)),
        ("leaky_relu_", (0.2,)),
        ("hardtanh_", (-0.5, 0.8)),
        ("threshold_", (0.1, -2.0)),
        ("relu_", ()),
    ],
)
def test_in_place_activation_changes_its_input_and_records_the_gradient(name, args):
    values = np.array([-2.0, -0.45, 0.25, 0.35, 1.05, 2.5])
    leaf = Tensor(values, requires_grad=True)
    hidden = leaf * 1.5
    assert getattr(F, name)(hidden, *args) is hidden
    out_of_place = getattr(F, name.rstrip("_"))(values * 1.5, *args)
    np.testing.assert_array_equal(hidden.data, out_of_place.data)
    assert gradcheck(lambda x: getattr(F, name)(x * 1.5, *args) * x, [leaf])


@pytest.mark.parametrize("name", ["relu_", "elu_", "selu_", "celu_", "leaky_relu_", "hardtanh_"])
def test_in_place_activation_refuses_a_leaf_that_requires_grad_but_not_under_no_grad(name):
    leaf = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{name}.*leaf"):
        getattr(F, name)(leaf)
    np.testing.assert_array_equal(leaf.data, [-1.0, 2.0])
    with no_grad():
        assert getattr(F, name)(leaf) is leaf
    np.testing.assert_array_equal(leaf.data, getattr(F, name.rstrip("_"))(np.array([-1.0, 2.0])).data)


def test_in_place_activation_second_derivative_through_the_recorded_change():
    leaf = Tensor(np.array([-1.2, -0.3, 0.4, 1.1]), requires_grad=True)
    assert gradgradcheck(lambda x: (F.elu_(x * 1.0, 0.5) ** 2).sum(), [leaf])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.elu_(np.array([1.0])), TypeError, "elu_: expected a Tensor to change in place"),
        (lambda: F.relu_([1.0]), TypeError, "relu_: expected a Tensor"),
        (lambda: F.selu_(Tensor(np.array([1, 2]))), TypeError, "selu_: expected a floating-point Tensor"),
        (lambda: F.celu_(Tensor(np.ones(2)), 0.0), ValueError, "celu_: alpha must not be 0"),
        (lambda: F.hardtanh_(Tensor(np.ones(2)), 1.0, -1.0), ValueError, "hardtanh_: min_val must not exceed"),
        (lambda: F.threshold_(Tensor(np.ones(2)), "a", 0.0), TypeError, "threshold_: threshold must be a real"),
        (lambda: F.channel_shuffle(np.zeros((2, 6, 3)), 4), ValueError, "channel_shuffle: .* not divisible"),
        (lambda: F.channel_shuffle(np.zeros((2, 6)), 2), ValueError, "channel_shuffle: expected .* at least 3"),
        (
            lambda: F.channel_shuffle(np.zeros((2, 6, 3)), 0),
            ValueError,
            "channel_shuffle: groups must be a positive integer",
        ),
        (lambda: nn.ChannelShuffle(0), ValueError, "ChannelShuffle: groups must be a positive integer"),
        (lambda: nn.Softmax2d()(np.zeros((2, 3))), ValueError, "Softmax2d: expected a 3-D .* got 2-D"),
        # torch's lp_pool1d(x, 0, 2) raises a ZeroDivisionError (its 1 / norm_type): ours is one too
        (lambda: F.lp_pool1d(np.ones((1, 1, 4)), 0, 2), ZeroDivisionError, "lp_pool1d: norm_type must be non-zero"),
        (
            lambda: F.lp_pool2d(np.ones((1, 1, 4, 4)), 0.0, 2),
            ZeroDivisionError,
            "lp_pool2d: norm_type must be non-zero",
        ),
        (lambda: nn.LPPool1d(0, 2), ZeroDivisionError, "LPPool1d: norm_type must be non-zero"),
        (lambda: F.lp_pool1d(np.ones((1, 1, 4)), 0, 2), ValueError, "lp_pool1d: norm_type must be non-zero"),
        (lambda: F.lp_pool1d(np.ones((1, 1, 4, 4)), 2, 2), ValueError, r"lp_pool1d: expected a \(C, L\)"),
        (lambda: F.lp_pool2d(np.ones((1, 1, 4, 4)), 2, 5), ValueError, "lp_pool2d: input of shape"),
        (lambda: nn.LPPool2d(2, (2, 2, 2)), ValueError, "LPPool2d: kernel_size must be an int or a pair"),
        (lambda: nn.LPPool1d(float("nan"), 2), ValueError, "LPPool1d: norm_type must not be nan"),
        (lambda: nn.LPPool1d(2, 2, stride=0), ValueError, "LPPool1d: stride must be at least 1"),
        (lambda: F.pdist(np.ones(3)), ValueError, r"pdist: expected a 2-D \(N, M\) input"),
        (lambda: F.pdist(np.ones((3, 2)), -1), ValueError, "pdist: p must be >= 0"),
        (lambda: nn.Unfold(0), ValueError, "Unfold: kernel_size must be at least 1"),
        (lambda: nn.Fold(4, 2, padding=-1), ValueError, "Fold: padding must be at least 0"),
        (
            lambda: F.triplet_margin_with_distance_loss(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), margin=0),
            ValueError,
            "triplet_margin_with_distance_loss: margin must be positive",
        ),
        (
            lambda: F.triplet_margin_with_distance_loss(np.ones((2, 3)), np.ones(3), np.ones((2, 3))),
            ValueError,
            "triplet_margin_with_distance_loss: .* same number of axes",
        ),
        (lambda: nn.TripletMarginWithDistanceLoss(margin=-1.0), ValueError, "TripletMarginWithDistanceLoss: margin"),
        (
            lambda: nn.TripletMarginWithDistanceLoss(distance_function=3),
            TypeError,
            "distance_function must be callable",
        ),
        (lambda: nn.LazyLinear(0), ValueError, "LazyLinear: out_features must be a positive integer"),
        (lambda: nn.LazyLinear(2, init="bogus"), ValueError, "LazyLinear: unknown init"),
        (lambda: nn.LazyLinear(2)(np.ones((2, 0))), ValueError, "LazyLinear: cannot infer in_features"),
    ],
)
def test_bad_arguments_are_errors_naming_the_function_or_module(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (nn.Softmax2d(), "Softmax2d()"),
        (nn.ChannelShuffle(2), "ChannelShuffle(groups=2)"),
        (nn.LPPool1d(2, 3), "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"),
        (nn.LPPool2d(2, (2, 3), 1, True), "LPPool2d(norm_type=2, kernel_size=(2, 3), stride=1, ceil_mode=True)"),
        (nn.Unfold(2), "Unfold(kernel_size=2, dilation=1, padding=0, stride=1)"),
        (nn.Fold(4, 2), "Fold(output_size=4, kernel_size=2, dilation=1, padding=0, stride=1)"),
        (nn.LazyLinear(3), "LazyLinear(in_features=0, out_features=3, bias=True)"),
        (
            nn.TripletMarginWithDistanceLoss(distance_function=F.pairwise_distance),
            "TripletMarginWithDistanceLoss(reduction='mean')",
        ),
    ],
)
def test_module_repr_shows_its_options_as_torch(module, text):
    assert repr(module) == text


def test_triplet_with_distance_loss_module_holds_a_pairwise_distance_child_by_default():
    loss = nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True, reduction="sum")
    assert isinstance(loss.distance_function, nn.PairwiseDistance)
    assert "(distance_function): PairwiseDistance" in repr(loss)
    a, p, n = (RNG.normal(size=(3, 4)) for _ in range(3))
    expected = F.triplet_margin_with_distance_loss(a, p, n, margin=0.5, swap=True, reduction="sum")
    assert loss(a, p, n).item() == expected.item()


def test_triplet_with_distance_loss_equals_triplet_margin_loss_with_its_default_distance():
    a, p, n = (RNG.normal(size=(5, 3)) for _ in range(3))
    for swap in (False, True):
        np.testing.assert_allclose(
            F.triplet_margin_with_distance_loss(a, p, n, swap=swap).data,
            F.triplet_margin_loss(a, p, n, swap=swap).data,
            rtol=1e-15,
        )


def test_channel_shuffle_interleaves_the_groups():
    x = np.arange(6.0).reshape(1, 6, 1)
    assert F.channel_shuffle(x, 2).data.ravel().tolist() == [0, 3, 1, 4, 2, 5]
    assert F.native_channel_shuffle is F.channel_shuffle
    np.testing.assert_array_equal(nn.ChannelShuffle(3)(x).data.ravel(), [0, 2, 4, 1, 3, 5])


def test_softmax2d_normalises_over_the_channels_at_each_location():
    out = nn.Softmax2d()(RNG.normal(size=(2, 3, 4, 5)))
    np.testing.assert_allclose(out.data.sum(axis=1), 1.0)
    np.testing.assert_allclose(nn.Softmax2d()(np.zeros((3, 2, 2))).data, 1 / 3)


def test_lp_pool_is_the_window_norm_and_its_gradient_is_zero_where_a_window_sums_to_zero():
    x = Tensor(np.array([[[0.0, 0.0, 3.0, 4.0]]]), requires_grad=True)
    out = F.lp_pool1d(x, 2, 2)
    np.testing.assert_allclose(out.data, [[[0.0, 5.0]]])
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [[[0.0, 0.0, 0.6, 0.8]]])
    np.testing.assert_allclose(F.lp_pool2d(np.array([[[-3.0, 1.0], [2.0, 0.5]]]), float("inf"), 2).data, [[[3.0]]])
    np.testing.assert_allclose(nn.LPPool1d(1, 2)(np.ones((1, 4))).data, [[2.0, 2.0]])


def test_pdist_lists_the_upper_triangle_in_row_major_order():
    x = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    np.testing.assert_allclose(F.pdist(x).data, [5.0, 10.0, 5.0])
    np.testing.assert_allclose(F.pdist(x, float("inf")).data, [4.0, 8.0, 4.0])
    np.testing.assert_allclose(F.pdist(x, 0).data, [2.0, 2.0, 2.0])
    assert F.pdist(np.ones((1, 3))).shape == (0,)


def test_pdist_gradient_is_zero_for_identical_rows_and_zero_differences():
    x = Tensor(np.array([[0.0, 1.0, 3.0], [1.0, 1.0, 1.0], [0.0, 1.0, 3.0]]), requires_grad=True)
    for p in (0.5, 1.0, 2.0, 3.0):
        x.grad = None
        F.pdist(x, p).sum().backward()
        assert np.isfinite(x.grad).all()
        np.testing.assert_array_equal(x.grad[:, 1], 0.0)


def test_with_indices_pools_return_the_return_indices_pair():
    x = RNG.normal(size=(2, 3, 6, 6))
    for ours, reference in [
        (F.max_pool2d_with_indices(x, 2, 1, 1), F.max_pool2d(x, 2, 1, 1, return_indices=True)),
        (F.max_pool1d_with_indices(x[0], 3), F.max_pool1d(x[0], 3, return_indices=True)),
        (F.adaptive_max_pool2d_with_indices(x, 4), F.adaptive_max_pool2d(x, 4, return_indices=True)),
        (F.adaptive_max_pool1d_with_indices(x[0], 4), F.adaptive_max_pool1d(x[0], 4, return_indices=True)),
    ]:
        np.testing.assert_array_equal(ours[0].data, reference[0].data)
        np.testing.assert_array_equal(ours[1], reference[1])


def test_unfold_and_fold_modules_run_the_functions():
    x = RNG.normal(size=(2, 3, 5, 4))
    unfold, fold = nn.Unfold(2, padding=1), nn.Fold((5, 4), 2, padding=1)
    columns = unfold(x)
    np.testing.assert_array_equal(columns.data, F.unfold(x, 2, padding=1).data)
    np.testing.assert_array_equal(fold(columns).data, F.fold(columns, (5, 4), 2, padding=1).data)


def test_lazy_linear_has_placeholders_then_becomes_the_linear_it_drew():
    layer = nn.LazyLinear(3, rng=0)
    placeholders = layer.parameters()
    assert [p.shape for p in placeholders] == [(0,), (0,)]
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    optimizer = nn.optim.SGD(placeholders, lr=0.1)
    out = layer(np.ones((2, 5), dtype=np.float32))
    assert type(layer) is nn.Linear and layer.in_features == 5
    assert repr(layer) == "Linear(in_features=5, out_features=3, bias=True)"
    assert layer.parameters()[0] is placeholders[0] and type(placeholders[0]) is nn.Parameter
    reference = nn.Linear(5, 3, rng=0)
    np.testing.assert_array_equal(layer.weight.data, reference.weight.data)
    np.testing.assert_array_equal(layer.bias.data, reference.bias.data)
    np.testing.assert_array_equal(out.data, reference(np.ones((2, 5), dtype=np.float32)).data)
    out.sum().backward()
    before = layer.weight.data.copy()
    optimizer.step()
    np.testing.assert_allclose(layer.weight.data, before - 0.1 * layer.weight.grad)


def test_lazy_linear_without_bias_and_with_a_cast_before_the_first_call():
    layer = nn.LazyLinear(2, bias=False).double()
    assert layer.bias is None and len(layer.parameters()) == 1
    out = layer(np.ones((4, 3)))
    assert layer.weight.shape == (2, 3) and out.dtype == np.float64
