"""nn.AdaptiveLogSoftmaxWithLoss on its own terms: log_prob is a distribution whose entries are the head's cluster
log-probability plus the cluster's own, forward picks each target's entry of it, predict is its argmax, and the
gradients of the input and of every weight match finite differences in float64."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)


def _layer(head_bias=True, rng=1):
    # bottlenecks of 6 // 1.5 = 4, 6 // 2.25 = 2 and 6 // 3.375 = 1 features
    return nn.AdaptiveLogSoftmaxWithLoss(
        6, 11, [3, 5, 8], div_value=1.5, head_bias=head_bias, dtype=np.float64, rng=rng
    )


def test_log_prob_is_a_distribution_built_from_the_head_and_the_clusters():
    layer, x = _layer(), RNG.standard_normal((5, 6))
    log_prob = layer.log_prob(x).data
    np.testing.assert_allclose(np.exp(log_prob).sum(axis=1), np.ones(5), rtol=1e-12)
    head = layer.head(x).data
    head_log = head - np.log(np.exp(head).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(log_prob[:, :3], head_log[:, :3], rtol=1e-12)
    for cluster, (start, stop) in enumerate([(3, 5), (5, 8), (8, 11)]):
        scores = layer.tail[cluster](x).data
        own = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        np.testing.assert_allclose(log_prob[:, start:stop], own + head_log[:, 3 + cluster, None], rtol=1e-12)


def test_forward_gives_each_targets_log_probability_and_their_mean_negative_as_the_loss():
    layer, x = _layer(), RNG.standard_normal((7, 6))
    target = np.array([0, 2, 3, 4, 7, 8, 10])
    output, loss = layer(x, target)
    expected = layer.log_prob(x).data[np.arange(7), target]
    np.testing.assert_allclose(output.data, expected, rtol=1e-12)
    np.testing.assert_allclose(loss.data, -expected.mean(), rtol=1e-12)
    single = layer(x[4], np.int64(7))
    assert single.output.shape == () and np.isclose(single.output.data, expected[4])


def test_predict_is_the_argmax_of_log_prob():
    layer = _layer(rng=2)
    layer.head.weight.data[3:] *= 20  # the head prefers a cluster for some rows
    x = RNG.standard_normal((40, 6))
    predicted = layer.predict(x).data
    np.testing.assert_array_equal(predicted, layer.log_prob(x).data.argmax(axis=1))
    assert (predicted >= 3).any() and (predicted < 3).any() and predicted.dtype == np.int64


def test_input_gradients_match_finite_differences():
    layer = _layer()
    target = np.array([1, 4, 6, 9, 10, 0])
    assert gradcheck(lambda x: layer(x, target).loss, [RNG.standard_normal((6, 6))])
    assert gradcheck(lambda x: layer(x, target).output, [RNG.standard_normal((6, 6))])
    assert gradcheck(lambda x: layer.log_prob(x), [RNG.standard_normal((3, 6))])


@pytest.mark.parametrize("where", ["head", "tail.0.0", "tail.0.1", "tail.1.0", "tail.2.1"])
def test_weight_gradients_match_finite_differences(where):
    layer = _layer()
    owner = layer.get_submodule(where)
    weight = owner.weight
    x, target = Tensor(RNG.standard_normal((8, 6))), np.array([0, 1, 2, 3, 5, 7, 8, 10])

    def loss_of_weight(w):
        object.__setattr__(owner, "weight", w)  # gradcheck's leaf is a plain Tensor
        try:
            return layer(x, target).loss
        finally:
            object.__setattr__(owner, "weight", weight)

    assert gradcheck(loss_of_weight, [weight.data.copy()])


def test_head_bias_gradient_matches_finite_differences():
    layer = _layer()
    bias = layer.head.bias
    x, target = Tensor(RNG.standard_normal((5, 6))), np.array([0, 4, 6, 9, 2])

    def loss_of_bias(b):
        object.__setattr__(layer.head, "bias", b)
        try:
            return layer(x, target).loss
        finally:
            object.__setattr__(layer.head, "bias", bias)

    assert gradcheck(loss_of_bias, [bias.data.copy()])


def test_a_tail_whose_cluster_no_target_reaches_gets_no_gradient():
    layer = _layer()
    layer(RNG.standard_normal((3, 6)), np.array([0, 1, 4])).loss.backward()
    assert layer.tail[0][0].weight.grad is not None
    assert all(layer.tail[i][j].weight.grad is None for i in (1, 2) for j in (0, 1))


def test_parameter_names_and_shapes_follow_the_cutoffs_and_div_value():
    with pytest.warns(UserWarning, match="zero-element"):  # 16 // 4**3 = 0 features, as torch's warns
        layer = nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 8, 12])
    assert {name: p.shape for name, p in layer.named_parameters()} == {
        "head.weight": (7, 16),
        "tail.0.0.weight": (4, 16),
        "tail.0.1.weight": (4, 4),
        "tail.1.0.weight": (1, 16),
        "tail.1.1.weight": (4, 1),
        "tail.2.0.weight": (0, 16),
        "tail.2.1.weight": (8, 0),
    }
    assert layer.cutoffs == [4, 8, 12, 20] and layer.shortlist_size == 4 and layer.n_clusters == 3
    assert layer.head.weight.dtype == np.float32


def test_the_same_rng_seed_gives_the_same_weights():
    first, second = _layer(rng=3), _layer(rng=3)
    for (name, a), (_, b) in zip(first.named_parameters(), second.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3], div_value=0), ValueError, "div_value"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3.0]), ValueError, "cutoffs should be a sequence of unique"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, "3"), TypeError, "cutoffs must be a sequence of ints"),
        (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3], head_bias=1), TypeError, "head_bias must be True or False"),
        (lambda: _layer().log_prob(np.zeros(6)), ValueError, r"log_prob: expected an input \(N, in_features\)"),
        (lambda: _layer()(np.zeros((2, 6)), np.array([0, 11])), IndexError, r"Target values should be in \[0, 10\]"),
    ],
)
def test_bad_arguments_are_refused_naming_the_layer(call, error, message):
    with pytest.raises(error, match=message):
        call()
