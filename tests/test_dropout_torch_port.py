"""A port of PyTorch's ``test/nn/test_dropout.py`` (``TestDropoutNN`` and ``TestDropoutNNDeviceType``, CPU, real
dtypes) beside torch: ``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``, ``FeatureAlphaDropout`` and their
functions.

Each case runs torch and this library on the same input and compares what can be compared: shapes, dtypes,
raised error classes and warnings, eval mode, p = 0 and p = 1, in place. The masks are random in both libraries
with different generators, so their properties are compared (the mean within a tolerance, the kept entries scaled
by 1 / (1 - p), whole channels zeroed together, the gradient equal to the mask), not their values.

Left out: memory formats and strides (channels_last, the contiguity checks: no strides here), CUDA /
``native_dropout`` and bfloat16 (no such device or dtype). Deliberate differences, not asserted: a probability
given as a bool is a TypeError here (torch reads ``True`` as 1), a layer refuses a nan probability when it is built
(torch only when it is called), and the functions check the probability before the input's rank (torch's
``dropout1d`` looks at the rank first). ``AlphaDropout`` / ``FeatureAlphaDropout`` with ``inplace=True`` refuse a leaf
that requires grad, as the other dropout layers and torch's ``Dropout`` do; torch's alpha layers quietly compute
out of place there instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

TF = torch.nn.functional
CHANNEL_FUNCTIONS = ("dropout2d", "dropout3d")


@pytest.fixture(autouse=True)
def _unseeded_after_each_test():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _outcome(action):
    """What ``action()`` gives: ('ok', shape) or ('error', None), and how many warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", tuple(action().shape))
        except Exception:  # noqa: BLE001 -- only whether it raised is compared
            result = ("error", None)
    return result, len(caught)


@pytest.mark.parametrize("name", CHANNEL_FUNCTIONS)
@pytest.mark.parametrize("shape", [(), (3,), (0,)])
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
def test_channel_dropout_of_too_few_axes_is_refused_only_when_a_mask_is_drawn_as_torch(name, shape, p):
    data = np.ones(shape)
    ours = _outcome(lambda: getattr(F, name)(Tensor(data), p, True))
    theirs = _outcome(lambda: getattr(TF, name)(torch.tensor(data), p, True))
    assert ours == theirs


LAYERS = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")
SHAPES = {  # a shape each layer reads as batched
    "Dropout": (1000,),
    "Dropout1d": (20, 50, 4),
    "Dropout2d": (1000, 2, 2, 2),
    "Dropout3d": (1000, 2, 1, 2, 2),
    "AlphaDropout": (5000,),
    "FeatureAlphaDropout": (1000, 3, 1, 2, 2),
}


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("p", [-0.1, 1.1])
def test_a_probability_outside_0_1_is_a_value_error_as_torch(name, p):
    assert raised_type(lambda: getattr(torch.nn, name)(p)) is ValueError
    with pytest.raises(ValueError):
        getattr(nn, name)(p)


@pytest.mark.parametrize("name", ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout"])
@pytest.mark.parametrize("p", [-0.1, 1.1])
def test_a_functions_probability_outside_0_1_is_a_value_error_as_torch(name, p):
    data = np.ones((2, 3, 4))
    assert raised_type(lambda: getattr(TF, name)(torch.tensor(data), p)) is ValueError
    with pytest.raises(ValueError):
        getattr(F, name)(Tensor(data), p)


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("inplace", [False, True])
def test_repr_and_eval_mode_and_p_zero_leave_the_input_as_torch(name, inplace):
    assert repr(getattr(nn, name)(0.2, inplace)) == repr(getattr(torch.nn, name)(0.2, inplace))
    data = np.random.default_rng(0).standard_normal(SHAPES[name][:1] + (3,) * (len(SHAPES[name]) - 1))
    for layer, tensor in (
        (getattr(nn, name)(0.2, inplace).eval(), Tensor),
        (getattr(torch.nn, name)(0.2, inplace).eval(), torch.tensor),
    ):
        np.testing.assert_array_equal(np.asarray(layer(tensor(data.copy()))), data)
        np.testing.assert_array_equal(np.asarray(type(layer)(0.0)(tensor(data.copy()))), data)


@pytest.mark.parametrize("name", LAYERS)
def test_p_one_gives_zeros_and_a_zero_gradient_as_torch(name):
    data = np.random.default_rng(1).standard_normal(SHAPES[name][:1] + (2,) * (len(SHAPES[name]) - 1))
    results = []
    for lib, tensor in ((nn, Tensor), (torch.nn, torch.tensor)):
        x = tensor(data.copy(), requires_grad=True)
        out = getattr(lib, name)(1.0)(x)
        out.sum().backward()
        results.append((np.asarray(out.detach()), np.asarray(x.grad)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert not results[0][0].any()


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"])
@pytest.mark.parametrize("inplace", [False, True])
def test_dropout_keeps_the_mean_scales_kept_entries_by_1_over_1_minus_p_and_its_gradient_is_the_mask(name, inplace):
    p = 0.2
    x = Tensor(np.full(SHAPES[name], 1 - p), requires_grad=True)
    layer = getattr(nn, name)(p, inplace, rng=7) if "rng" in _parameters(nn, name) else getattr(nn, name)(p, inplace)
    out = layer(x * 1.0 if inplace else x)
    upstream = np.full(SHAPES[name], 1 - p)
    (out * Tensor(upstream)).sum().backward()
    values = out.data
    assert abs(values.mean() - (1 - p)) < 0.05 and abs(x.grad.mean() - (1 - p)) < 0.05  # torch's tolerance
    assert set(np.unique(values).round(12)) <= {0.0, 1.0}  # (1 - p) / (1 - p) where kept
    np.testing.assert_allclose(x.grad, values * upstream / (1 - p))  # the mask, 0 or 1 / (1 - p)


def _parameters(lib, name):
    import inspect

    return inspect.signature(getattr(lib, name)).parameters


@pytest.mark.parametrize(
    ("name", "shape"), [("Dropout1d", (10, 4, 2)), ("Dropout2d", (10, 4, 2, 2)), ("Dropout3d", (10, 4, 2, 2, 2))]
)
@pytest.mark.parametrize("inplace", [False, True])
def test_channel_dropout_zeroes_whole_channels_as_torch(name, shape, inplace):
    for lib, tensor in ((nn, Tensor), (torch.nn, torch.tensor)):
        out = np.asarray(getattr(lib, name)(0.5, inplace)(tensor(np.ones(shape))))
        per_channel = (out.reshape(shape[0], shape[1], -1) != 0).sum(axis=2)
        assert np.isin(per_channel, [0, np.prod(shape[2:])]).all()


@pytest.mark.parametrize(("name", "shape"), [("Dropout1d", (50, 2)), ("Dropout3d", (50, 2, 2, 2))])
def test_an_unbatched_input_draws_the_mask_a_batch_of_one_draws(name, shape):
    data = np.random.default_rng(2).random(shape)
    alone = getattr(nn, name)(0.5, rng=3)(Tensor(data)).data
    batched = getattr(nn, name)(0.5, rng=3)(Tensor(data[None])).data[0]
    np.testing.assert_array_equal(alone, batched)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("Dropout2d", (1, 2, 2, 2, 2)),
        ("Dropout2d", (1, 2)),
        ("Dropout2d", (1, 2, 2)),
        ("Dropout3d", (1, 2, 2, 2, 2, 2)),
        ("Dropout3d", (1, 2, 2)),
    ],
)
def test_unexpected_ranks_warn_as_torch(name, shape):
    for lib, tensor in ((nn, Tensor), (torch.nn, torch.tensor)):
        with pytest.warns(UserWarning, match=f"Received a {len(shape)}-?D input to dropout"):
            getattr(lib, name)(0.5)(tensor(np.random.default_rng(0).random(shape)))


@pytest.mark.parametrize("shape", [(1, 2, 2, 2), (2,)])
def test_dropout1d_refuses_another_rank_as_torch(shape):
    data = np.ones(shape)
    assert raised_type(lambda: torch.nn.Dropout1d(0.5)(torch.tensor(data))) is RuntimeError
    with pytest.raises(RuntimeError, match=f"Expected 2D or 3D input, but received a {len(shape)}D input"):
        nn.Dropout1d(0.5)(Tensor(data))


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_alpha_dropout"])
def test_an_empty_input_keeps_its_shape_as_torch(name):
    got = getattr(F, name)(Tensor(np.array([])), 0.5, True)
    want = getattr(TF, name)(torch.tensor([]), 0.5, True)
    assert got.shape == tuple(want.shape) == (0,)


@pytest.mark.parametrize(
    ("name", "shape"),
    [("AlphaDropout", (5000,)), ("FeatureAlphaDropout", (1000, 3, 1, 2, 2)), ("FeatureAlphaDropout", (50, 20, 8, 8))],
)
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_alpha_dropout_keeps_a_standardised_inputs_mean_and_std_as_torchs_test(name, shape, p):
    data = np.random.default_rng(4).standard_normal(shape)
    out = getattr(nn, name)(p)(Tensor(data)).data
    reference = getattr(torch.nn, name)(p)(torch.tensor(data)).numpy()
    for values in (out, reference):
        assert abs(values.mean() - data.mean()) < 0.1 and abs(values.std() - data.std()) < 0.1


@pytest.mark.parametrize("name", LAYERS)
def test_dropout_keeps_a_float32_inputs_dtype_as_torch(name):
    data = np.ones(SHAPES[name][:1] + (2,) * (len(SHAPES[name]) - 1), dtype=np.float32)
    assert getattr(nn, name)(0.3)(Tensor(data)).dtype == np.float32
    assert getattr(torch.nn, name)(0.3)(torch.tensor(data)).dtype == torch.float32


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"])
def test_in_place_dropout_of_a_leaf_needing_a_gradient_is_refused_as_torch(name):
    data = np.ones((4, 3, 2, 2))
    assert (
        raised_type(lambda: getattr(torch.nn, name)(0.5, True)(torch.tensor(data, requires_grad=True))) is RuntimeError
    )
    with pytest.raises(RuntimeError):
        getattr(nn, name)(0.5, True)(Tensor(data, requires_grad=True))
