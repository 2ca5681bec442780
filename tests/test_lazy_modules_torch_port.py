"""Port of PyTorch's ``test/nn/test_lazy_modules.py``, run beside torch 2.13 as the oracle.

Ported, for every lazy layer torch has (``LazyLinear``, ``LazyConv1d``/``2d``/``3d``, ``LazyConvTranspose1d``/``2d``/
``3d``, ``LazyBatchNorm1d``/``2d``/``3d``, ``LazyInstanceNorm1d``/``2d``/``3d``; this library has all thirteen):
placeholders before the first forward (``UninitializedParameter``, ``has_uninitialized_params``, ``is_lazy``,
``cls_to_become``); shape inference on the first forward and the class the layer becomes, with outputs compared to
torch's sized layer given the same parameters (``output_size`` of the transposed convolutions, unbatched inputs,
groups/padding/dilation, chained lazy layers, inputs by keyword); the ``dtype`` argument and a cast before the first
forward; forward hooks and pre-hooks; pickling and deepcopy before and after sizing; ``state_dict`` keys of an
unsized layer, loading a sized state into a lazy layer (it sizes from the state) and an unsized state into a lazy
one (it stays lazy) or a sized one (torch's "shape of an uninitialized parameter" error); optimizers built before
the first forward (Adagrad's refusal, the others' first step compared with torch's); ``materialize``;
``weight_norm``/``spectral_norm`` and the parametrizations refusing an unsized layer; inputs a lazy layer cannot
size from (the error class torch raises, the layer left lazy).

Left out, and why:

- ``LazyModuleMixin`` and ``UninitializedBuffer`` are not public here: a user-defined lazy module (torch's tests
  registering placeholders on a bare ``LazyModule``) cannot be written, and an unsized lazy norm's running
  statistics are plain empty arrays, not placeholder buffers (checked as such below).
- Reading a placeholder (``param + param``, ``empty_like(param)``, ``.shape``, ``.numel()``): torch raises
  ("Attempted to use an uninitialized parameter", "Can't access the shape"); here it is an empty array of shape
  (0,), so ops compute on it and a parameter count before the first forward is 0. Refusing it would put a check on every Tensor
  operation (a hot path), so the difference stays.
- ``share_memory`` (refused for every module here: no shared-memory processes), ``torch.jit.script`` (no JIT) and
  ``materialize`` onto another device (CPU only).
- torch 2.13's own departures, where this library follows the later torch the upstream file tests: its lazy layer
  stays of the lazy class after ``load_state_dict`` with ``in_features``/``in_channels``/``num_features`` 0 (kept 0
  even after the forward; its lazy instance norms then refuse the input), while this one becomes the sized class at
  the load; its load takes a weight of the wrong ``out_features`` and fails at the first forward, this one fails at
  the load (a size mismatch) and stays lazy; its ``deepcopy`` of some unsized lazy layers raises, this one copies.
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


# --- shape inference on the first forward, and the class the layer becomes ----------------------------------------


def _copy_into_torch(ours, theirs):
    """Give torch's sized layer our drawn parameters (and running statistics), so their outputs can be compared."""
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            getattr(theirs, name).copy_(torch.from_numpy(np.asarray(value)))


CONVS = [
    # (lazy name, constructor args, input shape, weight shape, functional)
    ("LazyConv1d", (6, 2), (3, 4, 9), (6, 4, 2)),
    ("LazyConv2d", (6, 2), (3, 4, 6, 5), (6, 4, 2, 2)),
    ("LazyConv3d", (6, 2), (3, 4, 5, 4, 3), (6, 4, 2, 2, 2)),
    ("LazyConvTranspose1d", (6, 2), (3, 4, 9), (4, 6, 2)),
    ("LazyConvTranspose2d", (6, 2), (3, 4, 6, 5), (4, 6, 2, 2)),
    ("LazyConvTranspose3d", (6, 2), (3, 4, 5, 4, 3), (4, 6, 2, 2, 2)),
]


def test_lazy_linear_sizes_itself_from_the_first_input_and_becomes_a_linear_as_torchs():
    x = np.random.default_rng(3).normal(size=(5, 5)).astype(np.float32)
    ours, theirs = nn.LazyLinear(10), torch.nn.LazyLinear(10)
    assert type(ours.weight) is nn.UninitializedParameter and type(ours.bias) is nn.UninitializedParameter
    out = ours(x)
    theirs(torch.from_numpy(x))
    assert type(ours) is nn.Linear and type(theirs) is torch.nn.Linear
    assert not isinstance(ours, nn.LazyLinear) and not isinstance(theirs, torch.nn.LazyLinear)
    assert ours.weight.shape == tuple(theirs.weight.shape) == (10, 5)
    assert ours.bias.shape == tuple(theirs.bias.shape) == (10,)
    assert ours.in_features == theirs.in_features == 5
    assert type(ours.weight) is nn.Parameter and (ours.weight.data != 0).any() and (ours.bias.data != 0).any()
    bound = 1 / np.sqrt(5)  # torch's kaiming-uniform bounds for both weight and bias
    assert np.abs(ours.weight.data).max() <= bound and np.abs(ours.bias.data).max() <= bound
    _copy_into_torch(ours, theirs)
    np.testing.assert_allclose(out.data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours(x).data, out.data)


def test_lazy_linear_reads_the_last_axis_of_an_unbatched_or_many_axis_input_as_torchs():
    for shape in [(4,), (2, 3, 4)]:
        x = np.ones(shape, np.float32)
        ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
        assert ours(x).shape == tuple(theirs(torch.from_numpy(x)).shape)
        assert ours.in_features == theirs.in_features == 4


@pytest.mark.parametrize(("name", "args", "shape", "weight_shape"), CONVS)
@pytest.mark.parametrize("bias", [True, False])
def test_lazy_conv_sizes_itself_from_the_channel_axis_and_becomes_its_convolution_as_torchs(
    name, args, shape, weight_shape, bias
):
    x = np.random.default_rng(4).normal(size=shape).astype(np.float32)
    ours, theirs = getattr(nn, name)(*args, bias=bias), getattr(torch.nn, name)(*args, bias=bias)
    assert type(ours.weight) is nn.UninitializedParameter
    assert (ours.bias is None) == (theirs.bias is None) == (not bias)
    out = ours(x)
    theirs(torch.from_numpy(x))
    plain = name.removeprefix("Lazy")
    assert type(ours).__name__ == type(theirs).__name__ == plain and type(ours) is getattr(nn, plain)
    assert ours.weight.shape == tuple(theirs.weight.shape) == weight_shape
    assert ours.in_channels == theirs.in_channels == shape[1]
    if bias:
        assert ours.bias.shape == tuple(theirs.bias.shape) == (args[0],)
    _copy_into_torch(ours, theirs)
    np.testing.assert_allclose(out.data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("name", "args", "shape", "weight_shape"), CONVS)
def test_lazy_conv_sizes_itself_from_an_unbatched_input_as_torchs(name, args, shape, weight_shape):
    x = np.ones(shape[1:], np.float32)
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert ours(x).shape == tuple(theirs(torch.from_numpy(x)).shape)
    assert ours.weight.shape == tuple(theirs.weight.shape) == weight_shape


@pytest.mark.parametrize(
    ("name", "shape", "output_size"),
    [
        ("LazyConvTranspose1d", (2, 4, 9), (20,)),
        ("LazyConvTranspose2d", (2, 4, 6, 5), (14, 12)),
        ("LazyConvTranspose3d", (2, 4, 3, 4, 3), (8, 10, 8)),
    ],
)
def test_lazy_conv_transpose_takes_output_size_on_its_first_forward_as_torchs(name, shape, output_size):
    x = np.random.default_rng(5).normal(size=shape).astype(np.float32)
    ours, theirs = getattr(nn, name)(3, 3, stride=2), getattr(torch.nn, name)(3, 3, stride=2)
    out = ours(x, output_size=output_size)
    theirs(torch.from_numpy(x), output_size=output_size)
    assert out.shape[2:] == output_size
    _copy_into_torch(ours, theirs)
    expected = theirs(torch.from_numpy(x), output_size=output_size).detach().numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-4, atol=1e-5)


def test_lazy_conv_takes_groups_padding_stride_and_dilation_as_torchs():
    x = np.random.default_rng(6).normal(size=(2, 4, 9, 8)).astype(np.float32)
    kwargs = {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "padding_mode": "reflect"}
    ours, theirs = nn.LazyConv2d(6, 3, **kwargs), torch.nn.LazyConv2d(6, 3, **kwargs)
    out = ours(x)
    theirs(torch.from_numpy(x))
    assert ours.weight.shape == tuple(theirs.weight.shape) == (6, 2, 3, 3)
    _copy_into_torch(ours, theirs)
    np.testing.assert_allclose(out.data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_chained_lazy_layers_size_each_other_in_one_forward_as_torchs():
    ours = nn.Sequential(nn.LazyLinear(15), nn.LazyLinear(10))
    theirs = torch.nn.Sequential(torch.nn.LazyLinear(15), torch.nn.LazyLinear(10))
    ours(np.ones((5, 10), np.float32)), theirs(torch.ones(5, 10))
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    assert [p.shape for p in ours.parameters()] == [(15, 10), (15,), (10, 15), (10,)]


@pytest.mark.parametrize(("dtype", "torch_dtype"), [(np.float64, torch.float64), (np.float16, torch.float16)])
@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_the_dtype_argument_sizes_the_parameters_in_that_dtype_as_torchs(name, args, shape, dtype, torch_dtype):
    ours, theirs = getattr(nn, name)(*args, dtype=dtype), getattr(torch.nn, name)(*args, dtype=torch_dtype)
    ours(np.ones(shape, dtype)), theirs(torch.ones(shape, dtype=torch_dtype))
    for key, value in theirs.state_dict().items():
        assert np.asarray(ours.state_dict()[key]).dtype == np.dtype(str(value.dtype).removeprefix("torch."))


@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_a_cast_before_the_first_forward_sizes_in_the_cast_dtype_as_torchs(name, args, shape):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    ours.double(), theirs.double()
    ours(np.ones(shape, np.float64)), theirs(torch.ones(shape, dtype=torch.float64))
    assert ours.weight.dtype == np.float64 and theirs.weight.dtype == torch.float64


# --- hooks ----------------------------------------------------------------------------------------------------------


def test_a_forward_pre_hook_runs_before_the_layer_sizes_itself_as_torchs():
    """A user's pre-hook that changes the input's values reaches the first forward, which sizes the layer and
    computes with the changed input, as torch's."""
    x = np.ones((2, 4), np.float32)
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    ours.register_forward_pre_hook(lambda module, args: (args[0] + 1,))
    theirs.register_forward_pre_hook(lambda module, args: (args[0] + 1,))
    out = ours(x)
    theirs(torch.from_numpy(x))
    assert ours.in_features == theirs.in_features == 4
    _copy_into_torch(ours, theirs)
    np.testing.assert_allclose(out.data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_forward_hook_replaces_a_lazy_layers_output_as_torchs():
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    ours.register_forward_hook(lambda module, args, output: args[0] + 1)
    theirs.register_forward_hook(lambda module, args, output: args[0] + 1)
    np.testing.assert_array_equal(ours(np.zeros((2, 2), np.float32)).data, theirs(torch.zeros(2, 2)).numpy())
    assert ours.in_features == theirs.in_features == 2


# --- lazy norms -----------------------------------------------------------------------------------------------------

NORMS = [
    ("LazyBatchNorm1d", (6, 3, 4)),
    ("LazyBatchNorm1d", (6, 3)),
    ("LazyBatchNorm2d", (4, 3, 3, 2)),
    ("LazyBatchNorm3d", (4, 3, 2, 3, 2)),
    ("LazyInstanceNorm1d", (4, 3, 5)),
    ("LazyInstanceNorm2d", (4, 3, 3, 2)),
    ("LazyInstanceNorm3d", (4, 3, 2, 3, 2)),
]


@pytest.mark.parametrize(("name", "shape"), NORMS)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
def test_a_lazy_norm_computes_as_torchs_sized_layer_and_becomes_it(name, shape, affine, track):
    x = np.random.default_rng(7).normal(size=shape).astype(np.float32)
    ours = getattr(nn, name)(affine=affine, track_running_stats=track)
    if affine:
        assert type(ours.weight) is type(ours.bias) is nn.UninitializedParameter
    if track:
        assert ours.running_mean.shape == ours.running_var.shape == (0,)  # torch's UninitializedBuffer
    out = ours(x)
    plain = name.removeprefix("Lazy")
    theirs = getattr(torch.nn, plain)(shape[1], affine=affine, track_running_stats=track)
    expected = theirs(torch.from_numpy(x))
    assert type(ours) is getattr(nn, plain)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(np.asarray(state[key]), value.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("name", "shape"), NORMS[:4])
def test_a_lazy_batch_norm_takes_its_input_by_keyword_as_torchs(name, shape):
    x = np.random.default_rng(8).normal(size=shape).astype(np.float32)
    out = getattr(nn, name)()(input=x)
    expected = getattr(torch.nn, name.removeprefix("Lazy"))(shape[1])(input=torch.from_numpy(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-4, atol=1e-5)


# --- pickling and deepcopy ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("copy_", ["pickle", "deepcopy"])
@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_a_copy_of_a_lazy_layer_stays_lazy_and_a_copy_of_a_sized_one_stays_sized_as_torchs(name, args, shape, copy_):
    import copy
    import pickle

    def duplicate(module):
        return pickle.loads(pickle.dumps(module)) if copy_ == "pickle" else copy.deepcopy(module)

    ours, theirs = _pair(name, args)
    # torch's deepcopy refuses some unsized lazy layers (its placeholders raise in __deepcopy__): pickle theirs
    ours_copy, theirs_copy = duplicate(ours), pickle.loads(pickle.dumps(theirs))
    assert type(ours_copy) is type(ours) and type(theirs_copy) is type(theirs)
    assert is_lazy(ours_copy.weight) and torch.nn.parameter.is_lazy(theirs_copy.weight)
    x = np.random.default_rng(9).normal(size=shape).astype(np.float32)
    ours_copy(x), theirs_copy(torch.from_numpy(x))
    assert type(ours).__name__ == name and type(ours_copy).__name__ == type(theirs_copy).__name__
    assert ours_copy.weight.shape == tuple(theirs_copy.weight.shape)
    sized = duplicate(ours_copy)
    assert type(sized) is type(ours_copy) and not is_lazy(sized.weight)
    for key, value in ours_copy.state_dict().items():
        np.testing.assert_array_equal(np.asarray(sized.state_dict()[key]), np.asarray(value))
    ours_copy.eval(), sized.eval()
    np.testing.assert_array_equal(sized(x).data, ours_copy(x).data)


# --- state_dict -----------------------------------------------------------------------------------------------------

SIZED = [
    ("LazyLinear", (10,), lambda m: m.Linear(5, 10), (3, 5)),
    ("LazyConv1d", (8, 2), lambda m: m.Conv1d(6, 8, 2), (2, 6, 7)),
    ("LazyConv2d", (8, 2), lambda m: m.Conv2d(6, 8, 2), (2, 6, 5, 4)),
    ("LazyConv3d", (8, 2), lambda m: m.Conv3d(6, 8, 2), (2, 6, 3, 3, 3)),
    ("LazyConvTranspose1d", (8, 2), lambda m: m.ConvTranspose1d(6, 8, 2), (2, 6, 7)),
    ("LazyConvTranspose2d", (8, 3, 1, 1), lambda m: m.ConvTranspose2d(6, 8, 3, padding=1), (2, 6, 5, 4)),
    ("LazyConvTranspose3d", (8, 2), lambda m: m.ConvTranspose3d(6, 8, 2), (2, 6, 3, 3, 3)),
    ("LazyBatchNorm1d", (), lambda m: m.BatchNorm1d(10), (4, 10)),
    ("LazyBatchNorm2d", (), lambda m: m.BatchNorm2d(10), (2, 10, 3, 3)),
    ("LazyBatchNorm3d", (), lambda m: m.BatchNorm3d(10), (2, 10, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), lambda m: m.InstanceNorm1d(10, affine=True, track_running_stats=True), (2, 10, 5)),
    ("LazyInstanceNorm2d", (), lambda m: m.InstanceNorm2d(10, affine=True, track_running_stats=True), (2, 10, 3, 3)),
    ("LazyInstanceNorm3d", (), lambda m: m.InstanceNorm3d(10, affine=True, track_running_stats=True), (2, 10, 2, 2, 2)),
]


@pytest.mark.parametrize(("name", "args", "sized", "shape"), SIZED)
def test_an_unsized_lazy_layer_lists_torchs_state_keys(name, args, sized, shape):
    ours, theirs = _pair(name, args)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize(("name", "args", "sized", "shape"), SIZED)
def test_loading_torchs_sized_state_into_a_lazy_layer_sizes_it_and_computes_as_torchs(name, args, sized, shape):
    """torch 2.13 materializes the placeholders at the load and keeps the lazy class until the first forward; this
    layer becomes its sized class at the load (see the module docstring). Both give the loaded layer's outputs."""
    source = sized(torch.nn)
    with torch.no_grad():
        for value in source.state_dict().values():
            if value.is_floating_point():
                value.copy_(torch.randn(value.shape) * 0.5 + 1)
    ours, theirs = _pair(name, args)
    ours.load_state_dict({key: value.numpy() for key, value in source.state_dict().items()})
    theirs.load_state_dict(source.state_dict())
    plain = type(source).__name__
    assert type(ours) is getattr(nn, plain)
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(np.asarray(ours.state_dict()[key]), value.numpy())
        assert tuple(getattr(theirs, key).shape) == getattr(ours, key).shape
    x = np.random.default_rng(10).normal(size=shape).astype(np.float32)
    ours.eval(), theirs.eval(), source.eval()
    out = ours(x)
    expected = source(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-4, atol=1e-5)
    if "InstanceNorm" in plain:  # torch 2.13's keeps num_features 0 after the load and refuses the input
        with pytest.raises(ValueError, match="num_features"):
            theirs(torch.from_numpy(x))
    else:
        np.testing.assert_allclose(theirs(torch.from_numpy(x)).detach().numpy(), expected, rtol=1e-6)
    assert type(theirs).__name__ == plain
    size = "in_features" if plain == "Linear" else "in_channels" if "Conv" in plain else "num_features"
    assert getattr(ours, size) == getattr(source, size)  # torch 2.13's stays 0 (later torch's reads it)


@pytest.mark.parametrize(("name", "args"), [(n, a) for n, a, _ in LAZY_PAIRS])
def test_loading_an_unsized_state_into_a_lazy_layer_leaves_it_lazy_as_torchs(name, args):
    ours, theirs = _pair(name, args)
    ours.load_state_dict(getattr(nn, name)(*args).state_dict())
    theirs.load_state_dict(getattr(torch.nn, name)(*args).state_dict())
    assert type(ours).__name__ == type(theirs).__name__ == name
    assert ours.has_uninitialized_params() and theirs.has_uninitialized_params()


def test_loading_a_state_of_the_wrong_out_features_into_a_lazy_linear_fails_as_torchs_first_forward_does():
    """torch's load takes a weight of any shape into the placeholder and fails only at the first forward; this
    layer checks the entry against its out_features at the load (a size mismatch) and stays lazy."""
    state = torch.nn.Linear(5, 9).state_dict()
    theirs = torch.nn.LazyLinear(10)
    theirs.load_state_dict(state)
    assert tuple(theirs.weight.shape) == (9, 5)
    ours = nn.LazyLinear(10)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        ours.load_state_dict({key: value.numpy() for key, value in state.items()})
    assert type(ours) is nn.LazyLinear and ours.has_uninitialized_params()


# --- optimizers -----------------------------------------------------------------------------------------------------

OPTIMIZERS = ["Adadelta", "Adamax", "Adam", "AdamW", "ASGD", "SGD", "Rprop", "RMSprop", "NAdam", "RAdam", "LBFGS"]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_an_optimizer_built_before_the_first_forward_steps_the_sized_parameters_as_torchs(optimizer):
    kwargs = {"lr": 0.1}
    ours, theirs = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    our_opt = getattr(nn.optim, optimizer)(ours.parameters(), **kwargs)
    their_opt = getattr(torch.optim, optimizer)(theirs.parameters(), **kwargs)
    assert type(our_opt.param_groups[0]["params"][0]) is nn.UninitializedParameter
    x = np.random.default_rng(11).normal(size=(2, 4)).astype(np.float32)
    ours(x), theirs(torch.from_numpy(x))
    assert our_opt.param_groups[0]["params"][0] is ours.weight and type(ours.weight) is nn.Parameter
    assert type(their_opt.param_groups[0]["params"][0]) is torch.nn.Parameter
    _copy_into_torch(ours, theirs)
    grads = [
        np.random.default_rng(12 + i).normal(size=p.shape).astype(np.float32) for i, p in enumerate(ours.parameters())
    ]
    for parameter, grad in zip(ours.parameters(), grads):
        parameter.grad = grad.copy()
    for parameter, grad in zip(theirs.parameters(), grads):
        parameter.grad = torch.from_numpy(grad.copy())
    if optimizer == "LBFGS":
        our_opt.step(lambda: 1.0)
        their_opt.step(lambda: 1.0)
    else:
        our_opt.step()
        their_opt.step()
    for mine, other in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(mine.data, other.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("name", "args", "shape"), LAZY_PAIRS)
def test_a_lazy_layer_prints_as_torchs_before_and_after_its_first_forward(name, args, shape):
    ours, theirs = _pair(name, args)
    assert repr(ours) == repr(theirs) and repr(ours.weight) == repr(theirs.weight)
    ours(np.ones(shape, np.float32)), theirs(torch.ones(shape))
    assert repr(ours) == repr(theirs)
