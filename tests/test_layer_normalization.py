"""LayerNorm, RMSNorm and GroupNorm (and their functions) and BatchNorm's bias=False: values, gradients and
reprs against torch, finite differences, checkpoints and argument errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4, 2, 5)) * 2 + 0.5


def _compare(torch, ours, theirs, our_inputs, their_inputs):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(1).normal(size=ours.shape)
    ours.backward(seed)
    theirs.backward(torch.from_numpy(seed))
    for mine, reference in zip(our_inputs, their_inputs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-11)


def _leaves(torch, *arrays):
    return [Tensor(a, requires_grad=True) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("shape", [(5,), (2, 5), (4, 2, 5)])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_torch(shape, affine):
    torch = pytest.importorskip("torch")
    arrays = (X, RNG.normal(size=shape), RNG.normal(size=shape)) if affine else (X,)
    ours, theirs = _leaves(torch, *arrays)
    out = F.layer_norm(ours[0], shape, *ours[1:], eps=1e-3)
    expected = torch.nn.functional.layer_norm(theirs[0], shape, *theirs[1:], eps=1e-3)
    _compare(torch, out, expected, ours, theirs)


@pytest.mark.parametrize(("shape", "eps"), [((5,), None), ((2, 5), 1e-2)])
def test_rms_norm_matches_torch(shape, eps):
    torch = pytest.importorskip("torch")
    ours, theirs = _leaves(torch, X, RNG.normal(size=shape))
    out = F.rms_norm(ours[0], shape, ours[1], eps=eps)
    expected = torch.nn.functional.rms_norm(theirs[0], shape, theirs[1], eps=eps)
    _compare(torch, out, expected, ours, theirs)


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_norm_matches_torch(groups):
    torch = pytest.importorskip("torch")
    ours, theirs = _leaves(torch, X, RNG.normal(size=4), RNG.normal(size=4))
    out = F.group_norm(ours[0], groups, ours[1], ours[2], eps=1e-4)
    expected = torch.nn.functional.group_norm(theirs[0], groups, theirs[1], theirs[2], eps=1e-4)
    _compare(torch, out, expected, ours, theirs)


@pytest.mark.parametrize(
    ("shape", "groups"), [((1, 1, 1), 1), ((1, 2, 1), 2), ((1, 1), 1), ((2, 1, 1), 1), ((1, 4, 1), 2), ((0, 1, 1), 1)]
)
def test_group_norm_refuses_a_single_value_per_group_where_torch_does(shape, groups):
    """torch refuses (ValueError) when N * (C / groups) * positions is 1, in training and in evaluation alike."""
    torch = pytest.importorskip("torch")
    x = np.ones(shape)
    try:
        expected = torch.nn.functional.group_norm(torch.tensor(x), groups).numpy()
    except ValueError:
        with pytest.raises(ValueError, match="group_norm: expected more than 1 value per channel"):
            F.group_norm(Tensor(x), groups)
        with pytest.raises(ValueError, match="more than 1 value per channel"):
            nn.GroupNorm(groups, shape[1], dtype=np.float64).eval()(Tensor(x))
        return
    np.testing.assert_allclose(F.group_norm(Tensor(x), groups).data, expected)


def test_normalisation_gradients_match_finite_differences_to_second_order():
    x, weight, bias = X[0, :, 0], RNG.normal(size=5), RNG.normal(size=5)
    assert gradcheck(lambda a, w, b: F.layer_norm(a, 5, w, b), (x, weight, bias))
    assert gradgradcheck(lambda a, w, b: (F.layer_norm(a, 5, w, b) ** 2).sum(), (x, weight, bias))
    assert gradcheck(lambda a, w: F.rms_norm(a, (5,), w, eps=1e-3), (x, weight))
    assert gradcheck(lambda a: F.group_norm(a, 2), (X[:2, :, 0],))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, **dtype: lib.LayerNorm((2, 5), **dtype),
        lambda lib, **dtype: lib.LayerNorm(5, elementwise_affine=False, **dtype),
        lambda lib, **dtype: lib.LayerNorm(5, bias=False, **dtype),
        lambda lib, **dtype: lib.RMSNorm([2, 5], **dtype),
        lambda lib, **dtype: lib.RMSNorm(5, eps=1e-4, elementwise_affine=False, **dtype),
        lambda lib, **dtype: lib.GroupNorm(2, 4, **dtype),
        lambda lib, **dtype: lib.GroupNorm(4, 4, affine=False, **dtype),
        lambda lib, **dtype: lib.GroupNorm(1, 4, bias=False, **dtype),
        lambda lib, **dtype: lib.BatchNorm2d(4, bias=False, **dtype),
    ],
)
def test_layers_match_torch_in_training_and_evaluation_with_torchs_state_and_repr(tmp_path, make):
    torch = pytest.importorskip("torch")
    ours, theirs = make(nn, dtype=np.float64), make(torch.nn, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for parameter, reference in zip(ours.parameters(), theirs.parameters()):
        values = RNG.normal(size=parameter.shape)
        parameter.data[...] = values
        with torch.no_grad():
            reference.copy_(torch.from_numpy(values))
    for mode in ("train", "eval", "train"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        x, reference_x = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
        _compare(torch, ours(x), theirs(reference_x), [x, *ours.parameters()], [reference_x, *theirs.parameters()])
        for parameter in (*ours.parameters(), *theirs.parameters()):
            parameter.grad = None
    rebuilt = nn.load(nn.save(ours, tmp_path / "norm.npz"))
    assert repr(rebuilt) == repr(ours)
    rebuilt.eval(), ours.eval()
    np.testing.assert_array_equal(rebuilt(X).data, ours(X).data)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.layer_norm(X, (4, 5)), ValueError, r"layer_norm: input of shape \(3, 4, 2, 5\) does not end with"),
        (lambda: F.layer_norm(X, 5, weight=np.ones(4)), ValueError, r"layer_norm: weight must have shape \(5,\)"),
        (lambda: F.layer_norm(X, -1), ValueError, "layer_norm: normalized_shape must be an integer >= 0"),
        (lambda: F.group_norm(X, 3), ValueError, r"group_norm: 4 channels .* do not split into 3 groups"),
        (lambda: nn.GroupNorm(3, 4), ValueError, "GroupNorm: num_channels=4 must be divisible by num_groups=3"),
        (
            lambda: nn.GroupNorm(2, 4)(np.ones((2, 6, 3), np.float32)),
            ValueError,
            r"GroupNorm: expected an input \(N, 4",
        ),
        (lambda: nn.LayerNorm("5"), TypeError, "LayerNorm: normalized_shape must be an int"),
        (lambda: nn.LayerNorm(5)(np.ones((2, 5))), TypeError, "LayerNorm: input dtype float64"),
    ],
)
def test_normalisation_rejects_bad_arguments_naming_the_layer(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_group_norm_without_affine_parameters_takes_any_channel_count_that_splits_into_its_groups():
    x = np.random.default_rng(0).standard_normal((3, 20)).astype(np.float32)
    groups = x.reshape(3, 4, 5)
    expected = (groups - groups.mean(axis=2, keepdims=True)) / np.sqrt(groups.var(axis=2, keepdims=True) + 1e-5)
    np.testing.assert_allclose(nn.GroupNorm(4, 4, affine=False)(x).data, expected.reshape(3, 20), atol=1e-5)
    with pytest.raises(ValueError, match="do not split into 4 groups"):
        nn.GroupNorm(4, 4, affine=False)(np.ones((3, 6), np.float32))
    with pytest.raises(ValueError, match=r"expected an input \(N, 4, ...\)"):
        nn.GroupNorm(4, 4)(x)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("shape", "normalized_shape"), [((4, 0), (0,)), ((4, 3, 0), (3, 0)), ((2, 0, 3), (0, 3))])
@pytest.mark.parametrize("name", ["layer_norm", "rms_norm"])
def test_an_empty_normalized_shape_normalises_an_empty_input_as_torch(shape, normalized_shape, name):
    torch = pytest.importorskip("torch")
    x = Tensor(np.zeros(shape), requires_grad=True)
    weight = Tensor(np.ones(normalized_shape), requires_grad=True)
    out = getattr(F, name)(x, normalized_shape, weight)
    out.sum().backward()
    x_t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    weight_t = torch.ones(normalized_shape, dtype=torch.float64, requires_grad=True)
    expected = getattr(torch.nn.functional, name)(x_t, normalized_shape, weight_t)
    expected.sum().backward()
    assert out.shape == tuple(expected.shape) and x.grad.shape == tuple(x_t.grad.shape)
    assert weight.grad.shape == tuple(weight_t.grad.shape)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("layer", ["LayerNorm", "RMSNorm"])
def test_a_norm_layer_of_zero_features_maps_an_empty_batch_row_as_torch(layer):
    torch = pytest.importorskip("torch")
    module = getattr(nn, layer)(0)
    assert module.weight.shape == tuple(getattr(torch.nn, layer)(0).weight.shape) == (0,)
    assert module(Tensor(np.zeros((3, 0), dtype=np.float32))).shape == (3, 0)


@pytest.mark.parametrize("affine", [False, True], ids=["plain", "affine"])
@pytest.mark.parametrize("name", ["layer_norm", "group_norm", "rms_norm", "instance_norm"])
def test_a_negative_eps_goes_into_the_formula_as_torchs(name, affine):
    # torch computes these norms for any real eps: 1 / sqrt(var + eps), finite while var + eps > 0 (here var ~ 4,
    # eps = -0.5), nan past that (eps = -1e3), with no warning
    torch = pytest.importorskip("torch")
    args = {"layer_norm": ((2, 5),), "group_norm": (2,), "rms_norm": ((2, 5),), "instance_norm": ()}[name]
    shape = {"layer_norm": (2, 5), "group_norm": (4,), "rms_norm": (2, 5), "instance_norm": (4,)}[name]
    parameters = [RNG.normal(size=shape), RNG.normal(size=shape)][: (1 if name == "rms_norm" else 2) if affine else 0]
    keywords = ["weight", "bias"][: len(parameters)]
    for eps in (-0.5, -1e3):
        ours, theirs = _leaves(torch, X, *parameters)
        out = getattr(F, name)(ours[0], *args, **dict(zip(keywords, ours[1:])), eps=eps)
        expected = getattr(torch.nn.functional, name)(theirs[0], *args, **dict(zip(keywords, theirs[1:])), eps=eps)
        if eps == -0.5:
            assert np.isfinite(expected.detach().numpy()).all()
            _compare(torch, out, expected, ours, theirs)
        else:
            np.testing.assert_array_equal(np.isnan(out.data), np.isnan(expected.detach().numpy()))


@pytest.mark.parametrize("weight_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("as_input", [Tensor, np.asarray])
def test_rms_norm_layer_takes_a_float_input_of_another_dtype_and_answers_in_it(weight_dtype, input_dtype, as_input):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 5)).astype(input_dtype)
    ours = nn.RMSNorm(5, dtype=weight_dtype)
    theirs = torch.nn.RMSNorm(5, dtype=getattr(torch, np.dtype(weight_dtype).name))
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that it cannot use its fused kernel
        expected = theirs(torch.tensor(x)).detach().numpy()
    y = ours(as_input(x))
    assert y.dtype == expected.dtype
    np.testing.assert_allclose(y.data, expected, rtol=1e-6)
