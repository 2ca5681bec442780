"""The lazy normalisation layers (nn.LazyBatchNorm1d/2d/3d, nn.LazyInstanceNorm1d/2d/3d): placeholders until the
first input, then the non-lazy layer with that input's channel count (outputs, running statistics, gradients,
state_dict, repr), their life cycle (optimizers, load_state_dict, reset_parameters, casts, errors), and, where
torch is installed, torch's lazy layers on the same inputs and weights."""

from __future__ import annotations

import inspect
import itertools
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn.lazy import UninitializedParameter

CHANNELS = 3
# (lazy class, input shape): the channels are on axis 1, or axis 0 of an unbatched instance-norm input
INPUTS = [
    (nn.LazyBatchNorm1d, (6, CHANNELS)),
    (nn.LazyBatchNorm1d, (4, CHANNELS, 5)),
    (nn.LazyBatchNorm2d, (4, CHANNELS, 3, 2)),
    (nn.LazyBatchNorm3d, (2, CHANNELS, 2, 3, 2)),
    (nn.LazyInstanceNorm1d, (2, CHANNELS, 5)),
    (nn.LazyInstanceNorm1d, (CHANNELS, 5)),
    (nn.LazyInstanceNorm2d, (2, CHANNELS, 4, 3)),
    (nn.LazyInstanceNorm2d, (CHANNELS, 4, 3)),
    (nn.LazyInstanceNorm3d, (2, CHANNELS, 2, 3, 2)),
    (nn.LazyInstanceNorm3d, (CHANNELS, 2, 3, 2)),
]
INPUT_IDS = [f"{lazy.__name__}-{len(shape)}d" for lazy, shape in INPUTS]
# torch's lazy instance norms size from axis 1 even when unbatched (see the last test)
BATCHED_INPUTS = [(lazy, shape) for lazy, shape in INPUTS if shape[0] != CHANNELS]  # no batch has 3 samples
BATCHED_IDS = [f"{lazy.__name__}-{len(shape)}d" for lazy, shape in BATCHED_INPUTS]
OPTIONS = list(itertools.product([True, False], [True, False]))  # (affine, track_running_stats)
OPTION_IDS = [f"affine={affine}-track={track}" for affine, track in OPTIONS]
LAZY_NORMS = [nn.LazyBatchNorm1d, nn.LazyBatchNorm2d, nn.LazyBatchNorm3d]
LAZY_NORMS += [nn.LazyInstanceNorm1d, nn.LazyInstanceNorm2d, nn.LazyInstanceNorm3d]


def _batches(shape, count=3, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(1.5, 2.0, size=shape) for _ in range(count)]


def _scramble(layer, seed=1):
    """Random affine parameters (the same for the same seed and channel count)."""
    rng = np.random.default_rng(seed)
    with no_grad():
        if layer.weight is not None:
            layer.weight.copy_(rng.uniform(0.5, 2.0, layer.weight.shape))
        if layer.bias is not None:
            layer.bias.copy_(rng.normal(size=layer.bias.shape))


def _run(layer, x, upstream):
    """Forward ``x``, backward ``upstream``: (output, input gradient, parameter gradients)."""
    x = Tensor(x, requires_grad=True)
    out = layer(x)
    (out * Tensor(upstream)).sum().backward()
    grads = [None if p is None else p.grad.copy() for p in (layer.weight, layer.bias)]
    for parameter in layer.parameters():
        parameter.grad = None
    return out.data, x.grad.copy(), grads


def _assert_same_run(ours, theirs):
    """Two :func:`_run` results agree: outputs, input gradients, parameter gradients (or both None)."""
    (out, x_grad, grads), (their_out, their_x_grad, their_grads) = ours, theirs
    np.testing.assert_allclose(out, their_out, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x_grad, their_x_grad, rtol=1e-10, atol=1e-12)
    for grad, their_grad in zip(grads, their_grads):
        assert (grad is None) == (their_grad is None)
        if grad is not None:
            np.testing.assert_allclose(grad, their_grad, rtol=1e-10, atol=1e-12)


def _assert_same_state(ours, theirs):
    assert type(ours) is type(theirs) and repr(ours) == repr(theirs)
    state, expected = ours.state_dict(), theirs.state_dict()
    assert list(state) == list(expected)
    for key in expected:
        assert state[key].shape == expected[key].shape and state[key].dtype == expected[key].dtype, key
        np.testing.assert_allclose(state[key], expected[key], rtol=1e-12, atol=1e-14, err_msg=key)


@pytest.mark.parametrize(("affine", "track"), OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize(("lazy", "shape"), INPUTS, ids=INPUT_IDS)
def test_lazy_norm_after_one_forward_is_the_layer_built_with_its_num_features(lazy, shape, affine, track):
    layer = lazy(affine=affine, track_running_stats=track, dtype=np.float64)
    twin = lazy.cls_to_become(CHANNELS, affine=affine, track_running_stats=track, dtype=np.float64)
    first, *rest = _batches(shape)
    upstream = np.random.default_rng(5).normal(size=shape)
    _assert_same_run(_run(layer, first, upstream), _run(twin, first, upstream))
    assert layer.num_features == CHANNELS
    _assert_same_state(layer, twin)
    _scramble(layer)
    _scramble(twin)
    for mode in ("train", "eval"):
        getattr(layer, mode)()
        getattr(twin, mode)()
        for x in rest:
            _assert_same_run(_run(layer, x, upstream), _run(twin, x, upstream))
        _assert_same_state(layer, twin)


@pytest.mark.parametrize("lazy", LAZY_NORMS)
def test_lazy_norm_first_called_in_eval_mode_uses_fresh_running_statistics(lazy):
    shape = (2, CHANNELS) + (3,) * int(lazy.__name__[-2])  # the layer's position axes
    layer = lazy(dtype=np.float64).eval()  # affine with running statistics: the lazy layers' defaults
    twin = lazy.cls_to_become(CHANNELS, affine=True, track_running_stats=True, dtype=np.float64).eval()
    x = _batches(shape, count=1)[0]
    np.testing.assert_array_equal(layer(x).data, twin(x).data)
    assert not layer.training
    _assert_same_state(layer, twin)


@pytest.mark.parametrize("lazy", LAZY_NORMS)
def test_lazy_norm_has_placeholders_and_the_non_lazy_state_keys_before_its_first_input(lazy):
    layer, twin = lazy(), lazy.cls_to_become(CHANNELS, affine=True, track_running_stats=True)
    name = lazy.__name__
    assert isinstance(layer, lazy.cls_to_become) and layer.num_features == 0
    assert repr(layer) == repr(twin).replace(f"{twin.__class__.__name__}({CHANNELS},", f"{name}(0,")
    assert [type(p) for p in layer.parameters()] == [UninitializedParameter, UninitializedParameter]
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    state = layer.state_dict()
    assert list(state) == list(twin.state_dict())
    assert {key: value.shape for key, value in state.items()} == {
        "weight": (0,),
        "bias": (0,),
        "running_mean": (0,),
        "running_var": (0,),
        "num_batches_tracked": (),
    }
    assert int(layer.num_batches_tracked) == 0


def test_lazy_norm_without_affine_or_running_statistics_has_nothing_to_size_but_learns_num_features():
    layer = nn.LazyInstanceNorm2d(affine=False, track_running_stats=False, bias=False)
    assert layer.parameters() == [] and layer.state_dict() == {}
    layer(np.ones((2, 5, 3, 3), dtype=np.float32))
    assert repr(layer) == repr(nn.InstanceNorm2d(5))


def test_lazy_norm_keeps_its_parameters_for_an_optimizer_built_before_the_first_input():
    layer = nn.LazyBatchNorm2d(dtype=np.float64)
    placeholders = layer.parameters()
    optimizer = nn.optim.SGD(placeholders, lr=0.1)
    x = _batches((4, CHANNELS, 3, 3), count=1)[0]
    (layer(x) * Tensor(np.arange(x.size).reshape(x.shape))).sum().backward()
    assert layer.parameters()[0] is placeholders[0] and type(placeholders[0]) is nn.Parameter
    before = [p.data.copy() for p in placeholders]
    optimizer.step()
    for parameter, start in zip(placeholders, before):
        np.testing.assert_allclose(parameter.data, start - 0.1 * parameter.grad)


def test_lazy_norm_trains_with_an_optimizer_built_after_the_first_input():
    layer, twin = (
        nn.LazyInstanceNorm1d(dtype=np.float64),
        nn.InstanceNorm1d(CHANNELS, affine=True, track_running_stats=True, dtype=np.float64),
    )
    first, second = _batches((2, CHANNELS, 6), count=2)
    layer(first), twin(first)
    optimizers = [nn.optim.Adam(module.parameters(), lr=0.1) for module in (layer, twin)]
    for module, optimizer in zip((layer, twin), optimizers):
        (module(second) * Tensor(second)).sum().backward()
        optimizer.step()
    _assert_same_state(layer, twin)


def test_load_state_dict_sizes_an_uninitialised_lazy_norm_as_torchs_load_materializes_it():
    layer, trained = nn.LazyBatchNorm1d(), nn.BatchNorm1d(CHANNELS)
    trained(np.random.default_rng(0).normal(size=(5, CHANNELS)).astype(np.float32))
    layer.load_state_dict(trained.state_dict())
    assert type(layer) is nn.BatchNorm1d and layer.num_features == CHANNELS
    _assert_same_state(layer, trained)


def test_a_failed_load_into_a_lazy_norm_leaves_it_lazy():
    layer, trained = nn.LazyBatchNorm1d(), nn.BatchNorm1d(CHANNELS)
    placeholder = layer.weight
    bad = {**trained.state_dict(), "bias": np.zeros(CHANNELS + 1, dtype=np.float32)}
    with pytest.raises(
        nn.StateDictError,
        match=r"for LazyBatchNorm1d:\n\tsize mismatch for bias: .*torch\.Size\(\[4\]\).*torch\.Size\(\[3\]\)",
    ):
        layer.load_state_dict(bad)
    with pytest.raises(nn.StateDictError, match=r"Unexpected key\(s\)"):
        layer.load_state_dict({**trained.state_dict(), "extra": np.zeros(1)})
    assert type(layer) is nn.LazyBatchNorm1d and layer.num_features == 0 and layer.running_mean.shape == (0,)
    assert layer.weight is placeholder and type(placeholder) is nn.UninitializedParameter
    assert layer.weight.shape == (0,)
    layer(np.zeros((2, CHANNELS), dtype=np.float32))  # still sized by its first input
    assert type(layer) is nn.BatchNorm1d and layer.weight is placeholder


def test_reset_parameters_does_nothing_before_the_first_input_and_resets_the_sized_layer_after():
    layer = nn.LazyInstanceNorm3d()
    layer.reset_parameters()
    layer.reset_running_stats()
    assert layer.weight.shape == (0,) and type(layer) is nn.LazyInstanceNorm3d
    layer(np.random.default_rng(0).normal(size=(2, CHANNELS, 2, 2, 2)).astype(np.float32))
    _scramble(layer)
    assert layer.running_mean.any()
    layer.reset_parameters()
    _assert_same_state(layer, nn.InstanceNorm3d(CHANNELS, affine=True, track_running_stats=True))


def test_lazy_norm_cast_before_the_first_input_sizes_in_that_dtype():
    layer = nn.LazyBatchNorm3d().double()
    out = layer(np.ones((2, 4, 1, 2, 2)))
    assert out.dtype == np.float64
    assert {layer.weight.dtype, layer.bias.dtype, layer.running_mean.dtype, layer.running_var.dtype} == {
        np.dtype(np.float64)
    }
    assert layer.num_batches_tracked.dtype == np.int64 and int(layer.num_batches_tracked) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_lazy_norm_sizes_its_parameters_without_numpys_overflow_warning(dtype):
    """Sizing once drew the affine parameters from uninitialised float64 memory and cast it to the layer's dtype:
    numpy warned of an overflow whenever that memory held a huge number (freed here on purpose), torch never does."""
    for _ in range(10):
        layer = nn.LazyBatchNorm1d(dtype=dtype)
        x = Tensor(np.ones((2, 4), dtype=dtype))
        for _ in range(8):
            freed = np.full(4, 1e300)  # a freed float64 buffer of the size the layer allocates, for numpy to reuse
            del freed
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = layer(x)
        assert np.array_equal(layer.weight.data, np.ones(4, dtype)) and np.array_equal(layer.bias.data, np.zeros(4))
        assert out.dtype == dtype


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.LazyBatchNorm1d(momentum=2), ValueError, "LazyBatchNorm1d: momentum must be in"),
        (lambda: nn.LazyBatchNorm2d(eps=0), ValueError, "LazyBatchNorm2d: eps"),
        (lambda: nn.LazyInstanceNorm1d(device="cuda"), ValueError, "LazyInstanceNorm1d: device 'cuda'"),
        (lambda: nn.LazyInstanceNorm2d(dtype=np.int32), TypeError, "LazyInstanceNorm2d"),
    ],
)
def test_lazy_norm_checks_its_arguments_at_construction(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("layer", "x", "error", "message"),
    [
        (nn.LazyBatchNorm2d, np.ones((2, 3, 4), np.float32), ValueError, r"LazyBatchNorm2d: expected a 4-D"),
        (nn.LazyBatchNorm1d, np.ones((2, 0), np.float32), ValueError, "LazyBatchNorm1d: cannot infer num_features"),
        (nn.LazyInstanceNorm1d, np.ones((3,), np.float32), ValueError, "LazyInstanceNorm1d: expected a 3-D batched"),
        (nn.LazyInstanceNorm2d, np.ones((0, 3, 3), np.float32), ValueError, "LazyInstanceNorm2d: cannot infer"),
        (nn.LazyBatchNorm1d, np.ones((2, 3)), TypeError, "LazyBatchNorm1d: input dtype float64"),
    ],
)
def test_lazy_norm_refuses_an_input_it_cannot_size_from_and_stays_lazy(layer, x, error, message):
    module = layer()
    with pytest.raises(error, match=message):
        module(x)
    assert type(module) is layer and module.num_features == 0 and module.weight.shape == (0,)
    assert int(module.num_batches_tracked) == 0


def test_lazy_norms_are_their_non_lazy_layers_in_isinstance():
    assert isinstance(nn.LazyBatchNorm2d(), nn.BatchNorm2d) and not isinstance(nn.LazyBatchNorm2d(), nn.BatchNorm1d)
    assert isinstance(nn.LazyInstanceNorm1d(), nn.InstanceNorm1d)


# -- torch ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lazy", LAZY_NORMS)
def test_lazy_norm_takes_torchs_arguments_and_defaults(lazy):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(lazy).parameters
    theirs = inspect.signature(getattr(torch.nn, lazy.__name__)).parameters
    assert [(p.name, p.kind) for p in ours.values()] == [(p.name, p.kind) for p in theirs.values()]
    assert [p.default for p in ours.values()] == [p.default for p in theirs.values()]


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize(("affine", "track"), OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize(("lazy", "shape"), BATCHED_INPUTS, ids=BATCHED_IDS)
@pytest.mark.filterwarnings("ignore:input's size at dim=1 does not match num_features")  # torch's, num_features 0
def test_lazy_norm_like_torchs_lazy_norm(lazy, shape, affine, track, momentum):
    torch = pytest.importorskip("torch")
    options = {"momentum": momentum, "affine": affine, "track_running_stats": track}
    layer, theirs = lazy(**options, dtype=np.float64), getattr(torch.nn, lazy.__name__)(**options, dtype=torch.float64)
    assert repr(layer) == repr(theirs)
    assert list(layer.state_dict()) == list(theirs.state_dict())
    first, *rest = _batches(shape)
    upstream = np.random.default_rng(5).normal(size=shape)
    np.testing.assert_allclose(layer(first).data, theirs(torch.tensor(first)).detach().numpy(), rtol=1e-10, atol=1e-12)
    assert type(layer).__name__ == type(theirs).__name__ == lazy.cls_to_become.__name__
    if affine or track:  # torch learns num_features only when it has something to size
        assert repr(layer) == repr(theirs)
    _scramble(layer)
    with torch.no_grad():
        for name in ("weight", "bias"):
            if getattr(theirs, name) is not None:
                getattr(theirs, name).copy_(torch.tensor(getattr(layer, name).data))
    for mode in ("train", "eval"):
        getattr(layer, mode)()
        getattr(theirs, mode)()
        for x in rest:
            out, x_grad, grads = _run(layer, x, upstream)
            x_theirs = torch.tensor(x, requires_grad=True)
            out_theirs = theirs(x_theirs)
            (out_theirs * torch.tensor(upstream)).sum().backward()
            np.testing.assert_allclose(out, out_theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(x_grad, x_theirs.grad.numpy(), rtol=1e-8, atol=1e-10)
            for grad, name in zip(grads, ("weight", "bias")):
                parameter = getattr(theirs, name)
                assert (grad is None) == (parameter is None)
                if parameter is not None:
                    np.testing.assert_allclose(grad, parameter.grad.numpy(), rtol=1e-8, atol=1e-10)
                    parameter.grad = None
        state, expected = layer.state_dict(), theirs.state_dict()
        assert list(state) == list(expected)
        for key, value in expected.items():
            np.testing.assert_allclose(state[key], value.numpy(), rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("lazy", [nn.LazyInstanceNorm1d, nn.LazyInstanceNorm2d, nn.LazyInstanceNorm3d])
def test_lazy_instance_norm_sizes_an_unbatched_input_as_torchs_non_lazy_layer_of_its_channels(lazy):
    # torch 2.13's lazy instance norm reads axis 1 even for an unbatched input (and then rejects it); the channels
    # of an unbatched (C, ...) input are axis 0, so compare with torch's non-lazy layer of C features
    torch = pytest.importorskip("torch")
    positions = int(lazy.__name__[-2])
    shape = (CHANNELS,) + (4,) * positions
    layer = lazy(dtype=np.float64)
    theirs = getattr(torch.nn, lazy.cls_to_become.__name__)(CHANNELS, affine=True, track_running_stats=True)
    theirs = theirs.double()
    for x in _batches(shape, count=2):
        np.testing.assert_allclose(layer(x).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    assert repr(layer) == repr(theirs)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(layer.state_dict()[key], value.numpy(), rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name, arguments", [("LazyLinear", (4,)), ("LazyConv2d", (4, 3)), ("LazyBatchNorm2d", ())])
def test_uninitialized_parameters_print_as_torchs(name, arguments):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*arguments), getattr(torch.nn, name)(*arguments)
    assert repr(ours.weight) == str(ours.weight) == repr(theirs.weight) == "<UninitializedParameter>"
    assert repr(ours.parameters()) == repr(list(theirs.parameters()))
