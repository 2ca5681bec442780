"""Port of PyTorch's ``test/nn/test_lazy_modules.py`` (torch 2.13 as the oracle).

Placeholder docstring: completed below as the port grows.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn.parameter import is_lazy

torch = pytest.importorskip("torch")

LAZY_PAIRS = [
    ("LazyLinear", (3,), (2, 4)),
    ("LazyConv1d", (3, 2), (2, 4, 5)),
    ("LazyConv2d", (3, 2), (2, 4, 5, 5)),
    ("LazyConv3d", (3, 2), (2, 4, 3, 3, 3)),
    ("LazyConvTranspose1d", (3, 2), (2, 4, 5)),
    ("LazyConvTranspose2d", (3, 2), (2, 4, 5, 5)),
    ("LazyConvTranspose3d", (3, 2), (2, 4, 3, 3, 3)),
    ("LazyBatchNorm1d", (), (4, 3)),
    ("LazyBatchNorm2d", (), (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 5)),
    ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2)),
]


def _pair(name, args):
    return getattr(nn, name)(*args), getattr(torch.nn, name)(*args)


@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_has_uninitialized_params_is_true_until_the_first_forward_then_the_method_is_gone(name, args, shape):
    ours, theirs = _pair(name, args)
    assert ours.has_uninitialized_params() is theirs.has_uninitialized_params() is True
    x = np.ones(shape, dtype=np.float32)
    ours(x), theirs(torch.from_numpy(x))
    assert hasattr(ours, "has_uninitialized_params") == hasattr(theirs, "has_uninitialized_params") == False  # noqa: E712


@pytest.mark.parametrize("name", ["LazyBatchNorm1d", "LazyInstanceNorm2d"])
@pytest.mark.parametrize(("affine", "track"), [(False, False), (False, True), (True, False)])
def test_a_lazy_norm_has_uninitialized_params_as_torchs(name, affine, track):
    ours = getattr(nn, name)(affine=affine, track_running_stats=track)
    theirs = getattr(torch.nn, name)(affine=affine, track_running_stats=track)
    assert ours.has_uninitialized_params() == theirs.has_uninitialized_params()


@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_is_lazy_tells_a_placeholder_from_a_parameter_as_torchs(name, args, shape):
    ours, theirs = _pair(name, args)
    assert is_lazy(ours.weight) == torch.nn.parameter.is_lazy(theirs.weight) == True  # noqa: E712
    x = np.ones(shape, dtype=np.float32)
    ours(x), theirs(torch.from_numpy(x))
    assert is_lazy(ours.weight) == torch.nn.parameter.is_lazy(theirs.weight) == False  # noqa: E712
    assert is_lazy(nn.Parameter(np.zeros(0, np.float32))) == torch.nn.parameter.is_lazy(torch.nn.Parameter()) == False  # noqa: E712


@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_cls_to_become_names_the_non_lazy_class_as_torchs(name, args, shape):
    ours, theirs = _pair(name, args)
    assert ours.cls_to_become.__name__ == theirs.cls_to_become.__name__ == name.removeprefix("Lazy")
    becomes = ours.cls_to_become
    x = np.ones(shape, dtype=np.float32)
    ours(x), theirs(torch.from_numpy(x))
    assert type(ours) is becomes
    assert type(theirs).__name__ == becomes.__name__


def test_adagrad_refuses_uninitialized_parameters_at_construction_as_torchs():
    with pytest.raises(ValueError, match="uninitialized parameter"):
        torch.optim.Adagrad(torch.nn.LazyLinear(3).parameters())
    with pytest.raises(ValueError, match="uninitialized parameter"):
        nn.optim.Adagrad(nn.LazyLinear(3).parameters())


def test_adagrad_built_after_the_first_forward_steps_as_torchs():
    x = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    ours(x), theirs(torch.from_numpy(x))
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data)), theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    our_opt, their_opt = nn.optim.Adagrad(ours.parameters(), lr=0.1), torch.optim.Adagrad(theirs.parameters(), lr=0.1)
    for _ in range(2):
        our_opt.zero_grad(), their_opt.zero_grad()
        (ours(x) ** 2).sum().backward()
        (theirs(torch.from_numpy(x)) ** 2).sum().backward()
        our_opt.step(), their_opt.step()
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated")
@pytest.mark.parametrize("apply", ["weight_norm", "spectral_norm"])
def test_the_weight_hooks_refuse_a_lazy_layer_before_its_first_forward_as_torchs(apply):
    with pytest.raises(ValueError, match="can't have uninitialized parameters"):
        getattr(torch.nn.utils, apply)(torch.nn.LazyLinear(7))
    layer = nn.LazyLinear(7)
    with pytest.raises(ValueError, match="can't have uninitialized parameters"):
        getattr(nn.utils, apply)(layer)
    assert layer.has_uninitialized_params()  # left as it was: it still sizes itself from its first input
    assert layer(np.ones((2, 3), np.float32)).shape == (2, 7)


@pytest.mark.parametrize("apply", ["weight_norm", "spectral_norm"])
def test_parametrizations_refuse_a_lazy_layer_before_its_first_forward_as_torchs(apply):
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        getattr(torch.nn.utils.parametrizations, apply)(torch.nn.LazyLinear(7))
    layer = nn.LazyLinear(7)
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        getattr(nn.utils.parametrizations, apply)(layer)
    assert type(layer) is nn.LazyLinear and "parametrizations" not in vars(layer)


@pytest.mark.filterwarnings("ignore:`torch.nn.utils.weight_norm` is deprecated")
@pytest.mark.parametrize("apply", ["weight_norm", "spectral_norm"])
def test_the_weight_hooks_apply_to_a_lazy_layer_after_its_first_forward_as_torchs(apply):
    x = np.random.default_rng(2).normal(size=(2, 3)).astype(np.float32)
    ours, theirs = nn.LazyLinear(4), torch.nn.LazyLinear(4)
    ours(x), theirs(torch.from_numpy(x))
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data)), theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    getattr(nn.utils, apply)(ours), getattr(torch.nn.utils, apply)(theirs)
    if apply == "spectral_norm":  # the power iteration's random start differs: compare in eval mode, one step
        ours.eval(), theirs.eval()
        ours.weight_u.data[...] = theirs.weight_u.numpy()
        ours.weight_v.data[...] = theirs.weight_v.numpy()
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "args", "sized"),
    [
        ("LazyLinear", (10,), lambda m: m.Linear(5, 10)),
        ("LazyConv2d", (32, 2), lambda m: m.Conv2d(16, 32, 2)),
        ("LazyConvTranspose1d", (32, 2), lambda m: m.ConvTranspose1d(16, 32, 2)),
        ("LazyBatchNorm2d", (), lambda m: m.BatchNorm2d(10)),
        ("LazyInstanceNorm1d", (), lambda m: m.InstanceNorm1d(10, affine=True, track_running_stats=True)),
    ],
)
def test_loading_an_uninitialized_state_into_a_sized_layer_fails_naming_the_uninitialized_shape(name, args, sized):
    with pytest.raises(RuntimeError, match="shape of an uninitialized"):
        sized(torch.nn).load_state_dict(getattr(torch.nn, name)(*args).state_dict())
    with pytest.raises(RuntimeError, match="shape of an uninitialized"):
        sized(nn).load_state_dict(getattr(nn, name)(*args).state_dict())


def test_an_empty_entry_for_an_empty_parameter_loads_without_the_lazy_advice():
    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(np.zeros(0, np.float32))
            self.q = nn.Parameter(np.zeros(2, np.float32))

    Holder().load_state_dict(Holder().state_dict())
    with pytest.raises(RuntimeError) as error:
        Holder().load_state_dict({"p": np.zeros(0, np.float32), "q": np.zeros(3, np.float32)})
    assert "uninitialized" not in str(error.value)


# --- inputs a lazy layer cannot size from ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "shape"),
    [
        ("LazyConv2d", (4, 3), (1, 2, 3, 5, 5)),
        ("LazyConv1d", (4, 3), (5,)),
        ("LazyConvTranspose3d", (4, 2), (2, 3)),
        ("LazyBatchNorm2d", (), (2, 3, 5)),
        ("LazyBatchNorm1d", (), (2, 3, 4, 5)),
        ("LazyInstanceNorm3d", (), (2, 3)),
        ("LazyLinear", (3,), ()),
    ],
)
def test_a_lazy_layer_refuses_an_input_of_the_wrong_rank_as_torchs_and_stays_lazy(name, args, shape):
    ours, theirs = _pair(name, args)
    with pytest.raises(Exception) as their_error:
        theirs(torch.ones(shape))
    kind = their_error.type if their_error.type is not IndexError else RuntimeError  # torch's 0-D accident
    with pytest.raises(kind):
        ours(np.ones(shape, np.float32))
    assert type(ours).__name__ == name and ours.has_uninitialized_params()


def test_a_lazy_conv_refuses_channels_groups_does_not_divide_as_torchs_and_stays_lazy():
    with pytest.raises(ValueError, match="divisible by groups"):
        torch.nn.LazyConv2d(4, 3, groups=2)(torch.ones(1, 3, 5, 5))
    ours = nn.LazyConv2d(4, 3, groups=2)
    with pytest.raises(ValueError, match="groups=2"):
        ours(np.ones((1, 3, 5, 5), np.float32))
    assert type(ours) is nn.LazyConv2d
    assert ours(np.ones((1, 4, 5, 5), np.float32)).shape == (1, 4, 3, 3)


@pytest.mark.parametrize("shape", [10, (2, 3), [4, 1, 2], ()])
def test_materialize_takes_a_shape_and_gives_a_parameter_of_the_placeholders_dtype_as_torchs(shape):
    ours, theirs = nn.UninitializedParameter(), torch.nn.parameter.UninitializedParameter()
    assert ours.materialize(shape) is ours
    theirs.materialize(shape)
    assert type(ours) is nn.Parameter and type(theirs) is torch.nn.Parameter
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float32 and theirs.dtype == torch.float32


def test_materialize_takes_torchs_dtype_and_a_cast_placeholders_dtype():
    ours, theirs = nn.UninitializedParameter(), torch.nn.parameter.UninitializedParameter()
    ours.materialize(4, dtype=np.float64), theirs.materialize(4, dtype=torch.float64)
    assert ours.dtype == np.float64 and theirs.dtype == torch.float64 and ours.shape == (4,)
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    ours.half(), theirs.half()
    ours.weight.materialize(10), theirs.weight.materialize(10)
    assert ours.weight.dtype == np.float16 and theirs.weight.dtype == torch.float16


def test_an_optimizer_built_on_a_placeholder_holds_it_after_materialize_as_torchs():
    ours, theirs = nn.UninitializedParameter(), torch.nn.parameter.UninitializedParameter()
    our_opt, their_opt = nn.optim.Adam([ours]), torch.optim.Adam([theirs])
    ours.materialize((2, 2)), theirs.materialize((2, 2))
    assert our_opt.param_groups[0]["params"][0] is ours and type(ours) is nn.Parameter
    assert type(their_opt.param_groups[0]["params"][0]) is torch.nn.Parameter
