"""torch's options of the activations: ``dim=`` (and ``dtype=``) of the softmax family, Softplus's ``threshold``,
and the ``inplace`` flag (the values written into the input Tensor, as torch's, shown in the repr); values and
gradients against torch."""

from __future__ import annotations

import types

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import ArgumentRangeError, Tensor

X = np.random.default_rng(0).normal(size=(3, 4, 2)) * 3


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family_takes_torchs_dim_keyword(name, dim):
    torch = pytest.importorskip("torch")
    ours = getattr(F, name)(X, dim=dim)
    theirs = getattr(torch.nn.functional, name)(torch.tensor(X), dim=dim)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(getattr(F, name)(X, dim).data, ours.data)
    module = {"softmax": nn.Softmax, "log_softmax": nn.LogSoftmax, "softmin": nn.Softmin}[name]
    layer = module(dim=dim)
    assert layer.dim == layer.axis == dim
    np.testing.assert_array_equal(layer(X).data, ours.data)


def test_softmax_dtype_casts_the_input_first_as_torch():
    torch = pytest.importorskip("torch")
    x = X.astype(np.float32)
    ours = F.log_softmax(x, dim=1, dtype=np.float64)
    theirs = torch.nn.functional.log_softmax(torch.tensor(x), dim=1, dtype=torch.float64)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: F.softmax(X, 0, dim=1),
        lambda: F.log_softmax(X, axis=0, dim=1),
        lambda: nn.Softmin(0, dim=1),
        lambda: nn.LogSoftmax(axis=2, dim=1),
    ],
)
def test_an_axis_and_a_dim_together_are_a_type_error(call):
    with pytest.raises(TypeError, match="got both axis=.* and dim=1"):
        call()


@pytest.mark.parametrize(("beta", "threshold"), [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0), (-1.0, 20.0), (-2.0, 3.0)])
def test_softplus_is_linear_above_its_threshold_as_torch(beta, threshold):
    torch = pytest.importorskip("torch")
    values = np.linspace(-30, 30, 121)
    x, reference = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours = F.softplus(x, beta=beta, threshold=threshold)
    theirs = torch.nn.functional.softplus(reference, beta=beta, threshold=threshold)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-300)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-300)
    layer = nn.Softplus(beta, threshold)
    np.testing.assert_array_equal(layer(values).data, ours.data)
    assert repr(layer) == f"Softplus(beta={beta}, threshold={threshold})"


@pytest.mark.parametrize("alpha", [-1.0, -0.5, -3.0, 0.5])
def test_celu_takes_a_negative_alpha_as_torch(alpha):
    torch = pytest.importorskip("torch")
    values = np.linspace(-6, 6, 25)
    x, reference = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = F.celu(x, alpha), torch.nn.functional.celu(reference, alpha)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-300)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(nn.CELU(alpha)(values).data, ours.data)
    np.testing.assert_array_equal(F.celu_(Tensor(values.copy()), alpha).data, ours.data)


@pytest.mark.parametrize(
    "call",
    [lambda lib: lib.F.celu(lib.X, 0.0), lambda lib: lib.F.celu_(lib.X, 0.0), lambda lib: lib.nn.CELU(0.0)(lib.X)],
)
def test_celu_alpha_0_is_torchs_runtime_error(call):
    torch = pytest.importorskip("torch")
    library = types.SimpleNamespace(F=F, nn=nn, X=Tensor(X.copy()))
    with pytest.raises(ArgumentRangeError, match="alpha must not be 0"):
        call(library)
    with pytest.raises(RuntimeError):
        call(types.SimpleNamespace(F=torch.nn.functional, nn=torch.nn, X=torch.tensor(X)))


INPLACE_FUNCTIONS = [
    ("relu", {}),
    ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {"alpha": 0.5}),
    ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ("relu6", {}),
    ("silu", {}),
    ("hardswish", {}),
    ("selu", {}),
    ("celu", {"alpha": 0.7}),
    ("mish", {}),
    ("hardsigmoid", {}),
]


@pytest.mark.parametrize(("name", "options"), INPLACE_FUNCTIONS, ids=[name for name, _ in INPLACE_FUNCTIONS])
def test_inplace_flag_writes_into_a_computed_input_with_torchs_values_and_gradients(name, options):
    torch = pytest.importorskip("torch")
    x = Tensor(X.copy(), requires_grad=True)
    z = x * 1.5
    ours = getattr(F, name)(z, **options, inplace=True)
    x_t = torch.tensor(X, requires_grad=True)
    z_t = x_t * 1.5
    theirs = getattr(torch.nn.functional, name)(z_t, **options, inplace=True)
    assert ours is z and theirs is z_t
    np.testing.assert_allclose(z.data, z_t.detach().numpy(), rtol=1e-12)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    # torch's hardsigmoid backward multiplies by a float32 1/6: agreement to its ~3e-8
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-7, atol=1e-300)
    with pytest.raises(TypeError, match=rf"{name}: inplace must be True or False"):
        getattr(F, name)(X, **options, inplace="yes")


@pytest.mark.parametrize(("name", "options"), INPLACE_FUNCTIONS, ids=[name for name, _ in INPLACE_FUNCTIONS])
def test_inplace_flag_refuses_a_leaf_that_requires_grad_and_overwrites_a_constant(name, options):
    leaf = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{name}: a leaf Tensor that requires grad"):
        getattr(F, name)(leaf, **options, inplace=True)
    np.testing.assert_array_equal(leaf.data, X)
    constant = Tensor(X.copy())
    expected = getattr(F, name)(Tensor(X.copy()), **options).data
    assert getattr(F, name)(constant, **options, inplace=True) is constant
    np.testing.assert_array_equal(constant.data, expected)


def test_inplace_flag_on_an_array_returns_a_new_tensor_and_leaves_the_array():
    array = X.copy()
    out = F.relu(array, inplace=True)
    np.testing.assert_array_equal(array, X)
    np.testing.assert_array_equal(out.data, np.maximum(X, 0))


INPLACE_LAYERS = [
    (lambda flag: nn.ReLU(inplace=flag), "ReLU(inplace=True)"),
    (lambda flag: nn.LeakyReLU(0.1, inplace=flag), "LeakyReLU(negative_slope=0.1, inplace=True)"),
    (lambda flag: nn.ELU(0.5, inplace=flag), "ELU(alpha=0.5, inplace=True)"),
    (lambda flag: nn.Hardtanh(-2.0, 2.0, inplace=flag), "Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)"),
    (lambda flag: nn.CELU(inplace=flag), "CELU(alpha=1.0, inplace=True)"),
    (lambda flag: nn.ReLU6(inplace=flag), "ReLU6(inplace=True)"),
    (lambda flag: nn.SiLU(inplace=flag), "SiLU(inplace=True)"),
    (lambda flag: nn.Mish(inplace=flag), "Mish(inplace=True)"),
    (lambda flag: nn.SELU(inplace=flag), "SELU(inplace=True)"),
    (lambda flag: nn.Hardsigmoid(inplace=flag), "Hardsigmoid()"),  # torch's repr leaves their flag out
    (lambda flag: nn.Hardswish(inplace=flag), "Hardswish()"),
]


@pytest.mark.parametrize(("make", "text"), INPLACE_LAYERS, ids=[text for _, text in INPLACE_LAYERS])
def test_layers_accept_torchs_inplace_flag_show_it_and_keep_it_in_checkpoints(tmp_path, make, text):
    layer = make(True)
    assert repr(layer) == text and layer.inplace is True
    assert repr(make(False)) == text.replace(", inplace=True", "").replace("inplace=True", "")
    x = Tensor(X.astype(np.float32))
    expected = make(False)(x).data
    assert layer(x) is x
    np.testing.assert_array_equal(x.data, expected)
    rebuilt = nn.load(nn.save(nn.Sequential(nn.Linear(2, 2, rng=0), layer), tmp_path / "m.npz"))
    assert repr(rebuilt[1]) == text and rebuilt[1].inplace is True
    with pytest.raises(TypeError, match="inplace must be True or False"):
        make(1)


def test_softplus_threshold_is_kept_in_checkpoints(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Softplus(2.0, threshold=3.0))
    rebuilt = nn.load(nn.save(model, tmp_path / "m.npz"))
    assert repr(rebuilt) == repr(model)
    x = np.linspace(-5, 5, 8, dtype=np.float32).reshape(4, 2)
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)


@pytest.mark.parametrize("lambd", [-1.0, -0.25, 0.0])
def test_hardshrink_takes_a_negative_lambd_keeping_every_value_as_torch(lambd):
    torch = pytest.importorskip("torch")
    values = np.array([-2.0, -0.5, -0.1, 0.0, 0.1, 0.5, 2.0])
    x, t = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours, theirs = F.hardshrink(x, lambd), torch.nn.functional.hardshrink(t, lambd)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())
    np.testing.assert_array_equal(nn.Hardshrink(lambd)(values).data, ours.data)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("LeakyReLU", {"negative_slope": 1}),
        ("LeakyReLU", {"negative_slope": 0.2, "inplace": True}),
        ("ELU", {"alpha": 2, "inplace": True}),
        ("CELU", {"alpha": 2}),
        ("RReLU", {"lower": 0, "upper": 1}),
        ("Hardshrink", {"lambd": 2}),
        ("Softshrink", {"lambd": 1}),
    ],
)
def test_activation_reprs_show_hyper_parameters_as_given_as_torchs(name, kwargs):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


@pytest.mark.parametrize("inplace", [False, True])
def test_relu6_is_a_hardtanh_from_0_to_6_as_torchs(inplace):
    torch = pytest.importorskip("torch")
    layer, theirs = nn.ReLU6(inplace), torch.nn.ReLU6(inplace)
    assert isinstance(layer, nn.Hardtanh) and isinstance(theirs, torch.nn.Hardtanh)
    assert (layer.min_val, layer.max_val, layer.inplace) == (theirs.min_val, theirs.max_val, theirs.inplace)
    assert repr(layer) == repr(theirs)
    x = np.array([-1.0, 0.0, 3.0, 6.0, 7.5])
    np.testing.assert_array_equal(layer(Tensor(x)).data, theirs(torch.tensor(x)).numpy())
