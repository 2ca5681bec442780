"""nn.utils.parametrize and nn.utils.parametrizations.weight_norm, as torch's: the parametrized tensor is computed
from the stored ones on each read, gradients reach the stored ones, assignment goes through right_inverse, and
removing puts a Parameter back. Checked against closed forms and finite differences, and torch when installed."""

import numpy as np
import pytest

import nn
import nn.utils.parametrize as parametrize
from autograd import Tensor, gradcheck
from nn.utils.parametrizations import weight_norm


class Symmetric(nn.Module):
    """X -> triu(X) + triu(X, 1)^T: a symmetric matrix from the upper triangle."""

    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class Doubled(nn.Module):
    def forward(self, x):
        return x * 2.0

    def right_inverse(self, a):
        return a / 2.0


def _square_layer(seed=0):
    layer = nn.Linear(3, 3, dtype=np.float64)
    layer.weight.data[...] = np.random.default_rng(seed).normal(size=(3, 3))
    return layer


def test_a_parametrized_weight_is_recomputed_from_original_and_its_gradient_reaches_it():
    layer = _square_layer()
    upper = np.triu(layer.weight.data)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    assert type(layer).__name__ == "ParametrizedLinear" and parametrize.is_parametrized(layer, "weight")
    assert parametrize.type_before_parametrizations(layer) is nn.Linear
    np.testing.assert_array_equal(layer.parametrizations.weight.original.data, upper)  # right_inverse stored
    np.testing.assert_allclose(layer.weight.data, upper + np.triu(upper, 1).T)
    names = [name for name, _ in layer.named_parameters()]
    assert names == ["bias", "parametrizations.weight.original"]
    x = np.random.default_rng(1).normal(size=(4, 3))
    bias = layer.bias.data

    def loss(upper_triangle):  # the same loss in numpy: finite differences of it are the reference
        symmetric = np.triu(upper_triangle) + np.triu(upper_triangle, 1).T
        return float((((x @ symmetric.T) + bias) ** 2).sum())

    (layer(Tensor(x)) ** 2).sum().backward()
    numeric = np.zeros((3, 3))
    for i, j in zip(*np.triu_indices(3)):
        step = np.zeros((3, 3))
        step[i, j] = 1e-6
        numeric[i, j] = (loss(upper + step) - loss(upper - step)) / 2e-6
    np.testing.assert_allclose(layer.parametrizations.weight.original.grad, numeric, rtol=1e-6, atol=1e-6)


def test_assigning_a_parametrized_weight_stores_its_right_inverse():
    layer = _square_layer()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    target = np.arange(9.0).reshape(3, 3)
    layer.weight = Tensor(target + target.T)
    np.testing.assert_allclose(layer.weight.data, target + target.T)
    np.testing.assert_allclose(layer.parametrizations.weight.original.data, np.triu(target + target.T))


def test_parametrizations_of_one_tensor_run_in_order_and_removal_keeps_the_value_or_the_original():
    layer = _square_layer()
    weight = layer.weight.data.copy()
    parametrize.register_parametrization(layer, "weight", Doubled())
    parametrize.register_parametrization(layer, "weight", Symmetric())
    stored = layer.parametrizations.weight.original.data.copy()
    np.testing.assert_allclose(layer.weight.data, np.triu(2 * stored) + np.triu(2 * stored, 1).T)
    np.testing.assert_allclose(stored, weight / 2)
    value = layer.weight.data.copy()
    parameter = layer.parametrizations.weight.original
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and layer.weight is parameter and not parametrize.is_parametrized(layer)
    np.testing.assert_allclose(layer.weight.data, value)
    other = _square_layer(2)
    parametrize.register_parametrization(other, "weight", Doubled())
    parametrize.remove_parametrizations(other, "weight", leave_parametrized=False)
    np.testing.assert_allclose(other.weight.data, _square_layer(2).weight.data / 2)


def test_parametrize_refuses_what_it_cannot_do():
    layer = _square_layer()
    with pytest.raises(ValueError, match="no Parameter 'nothing'"):
        parametrize.register_parametrization(layer, "nothing", Doubled())

    class Flatten(nn.Module):
        def forward(self, x):
            return x.reshape(-1)

    with pytest.raises(ValueError, match="changes the tensor's shape"):
        parametrize.register_parametrization(layer, "weight", Flatten())
    with pytest.raises(ValueError, match="no parametrization"):
        parametrize.remove_parametrizations(layer, "weight")


def test_a_right_inverse_may_store_another_shape_when_the_parametrized_tensor_keeps_its_own():
    # torch checks forward(right_inverse(W)) against W's shape before registration, not the stored tensor's
    torch = pytest.importorskip("torch")

    class Flat(nn.Module):
        def forward(self, x):
            return x.reshape(3, 3)

        def right_inverse(self, a):
            return a.reshape(-1)

    class TorchFlat(torch.nn.Module):
        def forward(self, x):
            return x.reshape(3, 3)

        def right_inverse(self, a):
            return a.reshape(-1)

    layer = _square_layer()
    mirror = torch.nn.Linear(3, 3).double()
    with torch.no_grad():
        mirror.weight.copy_(torch.from_numpy(layer.weight.data))
        mirror.bias.copy_(torch.from_numpy(layer.bias.data))
    parametrize.register_parametrization(layer, "weight", Flat())
    torch.nn.utils.parametrize.register_parametrization(mirror, "weight", TorchFlat())
    assert layer.parametrizations.weight.original.shape == tuple(mirror.parametrizations.weight.original.shape)
    x = np.random.default_rng(1).normal(size=(4, 3))
    (layer(Tensor(x)) ** 2).sum().backward()
    (mirror(torch.from_numpy(x)) ** 2).sum().backward()
    np.testing.assert_allclose(layer.weight.data, mirror.weight.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(
        layer.parametrizations.weight.original.grad, mirror.parametrizations.weight.original.grad.numpy(), rtol=1e-12
    )


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization_is_g_v_over_the_norm_of_v(dim):
    layer = nn.Linear(4, 3, dtype=np.float64)
    weight = layer.weight.data.copy()
    weight_norm(layer, dim=dim)
    g, v = layer.parametrizations.weight.original0, layer.parametrizations.weight.original1
    axes = None if dim is None else tuple(a for a in range(2) if a != dim)
    np.testing.assert_allclose(g.data, np.sqrt((weight**2).sum(axis=axes, keepdims=dim is not None)))
    np.testing.assert_allclose(layer.weight.data, weight)  # g v / |v| is the weight it started from
    assert gradcheck(lambda gg, vv: (vv * (gg / (vv * vv).sum(axis=axes, keepdims=dim is not None).sqrt())).sum(),
                     [g.data, v.data])  # fmt: skip


def test_weight_norm_parametrization_matches_torch():
    torch = pytest.importorskip("torch")
    layer = nn.Linear(4, 3, dtype=np.float64)
    theirs = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(layer.weight.data))
        theirs.bias.copy_(torch.tensor(layer.bias.data))
    weight_norm(layer)
    torch.nn.utils.parametrizations.weight_norm(theirs)
    assert list(layer.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(3).normal(size=(5, 4))
    out, expected = layer(Tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    for index in range(2):
        ours = getattr(layer.parametrizations.weight, f"original{index}").grad
        reference = getattr(theirs.parametrizations.weight, f"original{index}").grad.numpy()
        np.testing.assert_allclose(ours, reference, rtol=1e-10)


def test_spectral_norm_divides_the_weight_by_its_largest_singular_value():
    from nn.utils.parametrizations import spectral_norm

    layer = nn.Linear(5, 4, dtype=np.float64, rng=0)
    spectral_norm(layer, rng=0)
    for _ in range(200):  # each training-mode read is one more power step (15 at registration): it converges
        weight = layer.weight.data
    assert abs(np.linalg.svd(weight, compute_uv=False)[0] - 1.0) < 1e-9
    assert list(layer.state_dict()) == [
        "bias", "parametrizations.weight.original", "parametrizations.weight.0._u", "parametrizations.weight.0._v",
    ]  # fmt: skip
    conv = nn.Conv2d(2, 3, 3, dtype=np.float64, rng=0)
    spectral_norm(conv, rng=0)
    for _ in range(200):
        weight = conv.weight.data
    assert abs(np.linalg.svd(weight.reshape(3, -1), compute_uv=False)[0] - 1.0) < 1e-9


def test_spectral_norm_gradient_holds_the_power_iteration_vectors_constant():
    from nn.utils.parametrizations import spectral_norm

    layer = nn.Linear(5, 4, dtype=np.float64, rng=1)
    spectral_norm(layer, rng=0)
    layer.eval()  # no power step on reads: u and v stay what they are
    plist = layer.parametrizations.weight
    u, v = plist[0]._u.copy(), plist[0]._v.copy()
    x = np.random.default_rng(1).normal(size=(3, 5))
    original = plist.original.data.copy()

    def loss(w):  # numpy's reference: W / (u^T W v) in the layer
        return float(((x @ (w / (u @ w @ v)).T + layer.bias.data) ** 2).sum())

    (layer(Tensor(x)) ** 2).sum().backward()
    numeric = np.zeros_like(original)
    for index in np.ndindex(original.shape):
        step = np.zeros_like(original)
        step[index] = 1e-6
        numeric[index] = (loss(original + step) - loss(original - step)) / 2e-6
    np.testing.assert_allclose(plist.original.grad, numeric, rtol=1e-6, atol=1e-8)
    reads = layer.weight.data, layer.weight.data
    np.testing.assert_array_equal(*reads)  # eval mode: the same value on every read


@pytest.mark.parametrize(
    ("make", "inputs"),
    [
        (lambda: nn.Conv2d(3, 4, 3, rng=0), [np.ones((1, 3, 5, 5), dtype=np.float32)]),
        (lambda: nn.Bilinear(3, 3, 4, rng=0), [np.ones((2, 3), dtype=np.float32)] * 2),
        (lambda: nn.Linear(3, 4, rng=0), [np.ones((2, 3), dtype=np.float32)]),
    ],
)
def test_a_forward_computes_each_parametrized_tensor_once_however_often_it_reads_it(make, inputs):
    # a convolution reads its weight twice (the dtype check, the product); a spectral norm must step once per forward
    module = nn.utils.parametrizations.spectral_norm(make())
    calls = []
    plist = module.parametrizations.weight
    original_forward = type(plist).forward

    def counted(self):
        calls.append(1)
        return original_forward(self)

    type(plist).forward = counted
    try:
        module(*[Tensor(x) for x in inputs])
    finally:
        type(plist).forward = original_forward
    assert len(calls) == 1


def test_cached_computes_each_parametrized_tensor_once_inside_the_block():
    module = nn.utils.parametrizations.spectral_norm(nn.Linear(3, 4, rng=0))
    assert module.weight is not module.weight
    with parametrize.cached():
        first = module.weight
        with parametrize.cached():
            assert module.weight is first
        assert module.weight is first
    assert module.weight is not first


def test_spectral_norm_power_iteration_matches_torch_on_a_convolution_over_steps():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Conv2d(3, 4, 3))
    ours = nn.utils.parametrizations.spectral_norm(nn.Conv2d(3, 4, 3))
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
        y_ours, y_theirs = ours(Tensor(x)), theirs(torch.tensor(x))
        y_ours.sum().backward()
        y_theirs.sum().backward()
        np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ours.parametrizations.weight.original.grad,
        theirs.parametrizations.weight.original.grad.numpy(),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("dim", [2, -3, 5])
@pytest.mark.parametrize(
    "register",
    [
        lambda m, dim: weight_norm(m, dim=dim),
        lambda m, dim: nn.utils.weight_norm(m, dim=dim),
        lambda m, dim: nn.utils.parametrizations.spectral_norm(m, dim=dim),
    ],
)
def test_weight_norms_refuse_a_dim_out_of_range_and_leave_the_module_as_it_was(register, dim):
    module = nn.Linear(3, 4, rng=0)
    with pytest.raises(IndexError, match=f"dim {dim} is out of range for a weight of shape \\(4, 3\\)"):
        register(module, dim)
    assert type(module) is nn.Linear and [name for name, _ in module.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize(("dim", "g_shape"), [(None, ()), (-1, ()), (-2, (4, 1)), (1, (1, 3))])
def test_weight_norm_reads_dims_as_torch(dim, g_shape):
    assert weight_norm(nn.Linear(3, 4, rng=0), dim=dim).parametrizations.weight.original0.shape == g_shape
    assert nn.utils.weight_norm(nn.Linear(3, 4, rng=0), dim=dim).weight_g.shape == g_shape


def test_spectral_norm_parametrization_draws_its_start_from_the_seeded_random_state():
    import autograd

    def start():
        autograd.manual_seed(0)
        layer = nn.utils.parametrizations.spectral_norm(nn.Linear(3, 4, rng=0))
        return layer.parametrizations.weight[0]._u.copy(), layer.parametrizations.weight[0]._v.copy()

    first, second = start(), start()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_a_right_inverse_raising_not_implemented_is_the_identity_at_registration_as_torch():
    torch = pytest.importorskip("torch")

    class NoInverse(nn.Module):
        def forward(self, x):
            return x * 3.0

        def right_inverse(self, a):
            raise NotImplementedError

    class TorchNoInverse(torch.nn.Module):
        def forward(self, x):
            return x * 3.0

        def right_inverse(self, a):
            raise NotImplementedError

    layer = _square_layer()
    mirror = torch.nn.Linear(3, 3).double()
    with torch.no_grad():
        mirror.weight.copy_(torch.from_numpy(layer.weight.data))
    parametrize.register_parametrization(layer, "weight", NoInverse())
    torch.nn.utils.parametrize.register_parametrization(mirror, "weight", TorchNoInverse())
    np.testing.assert_array_equal(
        layer.parametrizations.weight.original.data, mirror.parametrizations.weight.original.detach().numpy()
    )
    np.testing.assert_array_equal(layer.weight.data, mirror.weight.detach().numpy())
    with pytest.raises(NotImplementedError):
        layer.weight = Tensor(np.eye(3))


ORTHOGONAL_CASES = [
    (shape, orthogonal_map, trivialization)
    for shape in [(4, 4), (5, 3), (3, 5), (2, 4, 3)]
    for orthogonal_map in ["matrix_exp", "cayley", "householder", None]
    for trivialization in [True, False]
]


def _orthogonal_pair(torch, shape, orthogonal_map, trivialization, seed=0):
    weight = np.random.default_rng(seed).normal(size=shape)
    ours, theirs = nn.Module(), torch.nn.Module()
    ours.weight = nn.Parameter(weight.copy())
    theirs.weight = torch.nn.Parameter(torch.from_numpy(weight.copy()))
    nn.utils.parametrizations.orthogonal(ours, orthogonal_map=orthogonal_map, use_trivialization=trivialization)
    torch.nn.utils.parametrizations.orthogonal(theirs, orthogonal_map=orthogonal_map, use_trivialization=trivialization)
    return ours, theirs


@pytest.mark.parametrize(("shape", "orthogonal_map", "trivialization"), ORTHOGONAL_CASES)
def test_orthogonal_parametrization_matches_torch_values_and_gradients(shape, orthogonal_map, trivialization):
    torch = pytest.importorskip("torch")
    ours, theirs = _orthogonal_pair(torch, shape, orthogonal_map, trivialization)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    tall = shape[-2] >= shape[-1]
    if tall and shape[-2] == shape[-1] or not trivialization:  # no random completion of the base: the same start
        np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-10, atol=1e-12)
    q = ours.weight.data
    gram = q.swapaxes(-1, -2) @ q if tall else q @ q.swapaxes(-1, -2)
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(gram.shape[-1]), gram.shape), atol=1e-12)
    # any stored X (here random, the diagonal near +-1 and 0 for householder's sign) and the torch's base
    state = {name: value.numpy() for name, value in theirs.state_dict().items()}
    x = np.random.default_rng(1).normal(size=state["parametrizations.weight.original"].shape)
    state["parametrizations.weight.original"] = x
    ours.load_state_dict(state)
    with torch.no_grad():
        theirs.parametrizations.weight.original.copy_(torch.from_numpy(x))
    g = np.random.default_rng(2).normal(size=shape)
    (ours.weight * Tensor(g)).sum().backward()
    (theirs.weight * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        ours.parametrizations.weight.original.grad,
        theirs.parametrizations.weight.original.grad.numpy(),
        rtol=1e-9,
        atol=1e-12,
    )


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
def test_assigning_an_orthogonal_weight_stores_it_as_torch(orthogonal_map):
    torch = pytest.importorskip("torch")
    ours, theirs = _orthogonal_pair(torch, (4, 4), orthogonal_map, True)
    target = np.linalg.qr(np.random.default_rng(3).normal(size=(4, 4)))[0]
    ours.weight = Tensor(target)
    with torch.no_grad():
        theirs.weight = torch.from_numpy(target)
    np.testing.assert_allclose(ours.weight.data, target, atol=1e-12)
    np.testing.assert_allclose(ours.parametrizations.weight[0].base, theirs.parametrizations.weight[0].base.numpy())
    np.testing.assert_allclose(
        ours.parametrizations.weight.original.data, theirs.parametrizations.weight.original.detach().numpy()
    )


def test_orthogonal_refuses_as_torch():
    with pytest.raises(ValueError, match="got a tensor of 1 dimensions"):
        nn.utils.parametrizations.orthogonal(nn.Linear(3, 4), name="bias")
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        nn.utils.parametrizations.orthogonal(nn.Linear(3, 4), orthogonal_map="qr")
    layer = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3), use_trivialization=False)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        layer.weight = Tensor(np.eye(3, dtype=np.float32))
    with pytest.raises(ValueError, match="of shape \\(3, 3\\), got shape \\(2, 2\\)"):
        nn.utils.parametrizations.orthogonal(nn.Linear(3, 3)).weight = Tensor(np.eye(2, dtype=np.float32))
