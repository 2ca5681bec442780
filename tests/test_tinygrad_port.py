"""tinygrad's ``test/test_nn.py`` and ``test/test_tensor.py``, written for this library's API: every layer tinygrad
checks against torch (batch norm in training and evaluation with running statistics, convolutions and transposed
convolutions with groups, dilation, strides and padding modes, linear, layer, group, instance and RMS norms,
embeddings, the LSTM cell, cross-entropy with label smoothing and ignore_index) is run here and in torch on the same
float64 weights and inputs, comparing outputs, the gradients of the input and of every parameter, and the buffers
after each step; and the Tensor basics tinygrad checks (a small net's backward pass, a tensor used twice, gradient
accumulation, creation functions, ``item``/``tolist``/``len``/``size``, zero-size tensors) are compared with torch.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(1337)


def _twins(make_theirs, make_ours):
    """A torch module in float64 with randomised parameters and running statistics, and ours holding the same."""
    torch.manual_seed(0)
    theirs = make_theirs().double()
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.3)
        for name, buffer in theirs.named_buffers():
            if name.endswith("running_mean"):
                buffer.normal_()
            elif name.endswith("running_var"):
                buffer.uniform_(0.5, 2.0)
    ours = make_ours().double()
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    return theirs, ours


def _matches_torch(make_theirs, make_ours, inputs, *, training=True, steps=1, pick=lambda out: out):
    """Run both modules ``steps`` times on fresh inputs shaped like ``inputs`` (arrays: float ones get gradients);
    compare the picked output, the gradients of a random weighting of it, and the buffers after each step."""
    theirs, ours = _twins(make_theirs, make_ours)
    theirs.train(training)
    ours.train(training)
    for _ in range(steps):
        arrays = [RNG.standard_normal(a.shape) if a.dtype.kind == "f" else a for a in inputs]
        their_inputs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        our_inputs = [Tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
        expected, got = pick(theirs(*their_inputs)), pick(ours(*our_inputs))
        assert got.shape == tuple(expected.shape)
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-9, atol=1e-11)
        if expected.requires_grad:
            weights = RNG.standard_normal(got.shape)
            (expected * torch.tensor(weights)).sum().backward()
            (got * Tensor(weights)).sum().backward()
            for mine, reference in zip(our_inputs, their_inputs):
                if reference.requires_grad:
                    np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-8, atol=1e-10)
            our_parameters = dict(ours.named_parameters())
            for name, parameter in theirs.named_parameters():
                want = np.zeros(parameter.shape) if parameter.grad is None else parameter.grad.numpy()
                have = our_parameters[name].grad
                np.testing.assert_allclose(np.zeros(want.shape) if have is None else have, want, rtol=1e-8, atol=1e-10)
                parameter.grad = None
                our_parameters[name].grad = None
        our_buffers = dict(ours.named_buffers())
        for name, buffer in theirs.named_buffers():
            np.testing.assert_allclose(np.asarray(our_buffers[name]), buffer.numpy(), rtol=1e-10, atol=1e-12)


def _shaped(*shape: int) -> np.ndarray:
    return np.zeros(shape)


# -- test_nn.py ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("track_running_stats", [True, False])
@pytest.mark.parametrize(("dims", "shape"), [(2, (2, 4, 3, 3)), (3, (2, 4, 3, 3, 3))])
def test_batchnorm_matches_torch_with_and_without_running_stats(training, track_running_stats, dims, shape):
    options = {"eps": 1e-5, "track_running_stats": track_running_stats}
    _matches_torch(
        lambda: getattr(torch.nn, f"BatchNorm{dims}d")(4, **options),
        lambda: getattr(nn, f"BatchNorm{dims}d")(4, **options),
        [_shaped(*shape)],
        training=training,
        steps=3,
    )


@pytest.mark.parametrize("momentum", [None, 0.3])
def test_batchnorm_running_statistics_follow_torch_over_steps(momentum):
    _matches_torch(
        lambda: torch.nn.BatchNorm1d(5, momentum=momentum),
        lambda: nn.BatchNorm1d(5, momentum=momentum),
        [_shaped(6, 5, 4)],
        steps=4,
    )


def test_linear_matches_torch_on_two_and_three_dimensional_inputs():
    for shape in [(4, 8), (4, 2, 8), (8,)]:
        _matches_torch(lambda: torch.nn.Linear(8, 16), lambda: nn.Linear(8, 16), [_shaped(*shape)])


CONVOLUTIONS = [
    ("Conv1d", (2, 4, 23), dict(kernel_size=7, stride=2, padding=1)),
    ("Conv1d", (2, 4, 16), dict(kernel_size=3, padding="same")),
    ("Conv1d", (2, 4, 16), dict(kernel_size=4, padding="same", dilation=2, groups=2, padding_mode="reflect")),
    ("Conv1d", (2, 4, 16), dict(kernel_size=3, padding=2, groups=4, padding_mode="circular", bias=False)),
    ("Conv2d", (2, 4, 13, 11), dict(kernel_size=7, stride=2, padding=1)),
    ("Conv2d", (2, 4, 13, 11), dict(kernel_size=5, padding="same")),
    ("Conv2d", (2, 4, 12, 12), dict(kernel_size=3, padding="same", dilation=3)),
    ("Conv2d", (2, 4, 9, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    ("Conv2d", (2, 4, 9, 8), dict(kernel_size=3, padding=1, padding_mode="replicate")),
    ("Conv2d", (4, 9, 8), dict(kernel_size=3, padding=1, padding_mode="reflect")),
    ("ConvTranspose1d", (2, 4, 14), dict(kernel_size=7, stride=2, padding=1)),
    ("ConvTranspose1d", (2, 4, 9), dict(kernel_size=5, stride=2, padding=2, output_padding=1, dilation=2, groups=2)),
    ("ConvTranspose2d", (2, 4, 7, 6), dict(kernel_size=7, stride=2, padding=1)),
    ("ConvTranspose2d", (2, 4, 5, 6), dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2))),
    ("ConvTranspose2d", (4, 5, 6), dict(kernel_size=3, stride=2, groups=4, bias=False)),
]


@pytest.mark.parametrize(("layer", "shape", "options"), CONVOLUTIONS)
def test_convolutions_match_torch(layer, shape, options):
    _matches_torch(
        lambda: getattr(torch.nn, layer)(4, 8, **options),
        lambda: getattr(nn, layer)(4, 8, **options),
        [_shaped(*shape)],
    )


@pytest.mark.parametrize(("stride", "padding"), [(2, "same"), (1, "not_same")])
def test_conv2d_refuses_same_padding_with_strides_and_unknown_padding_strings_as_torch(stride, padding):
    with pytest.raises(ValueError):
        torch.nn.Conv2d(16, 32, kernel_size=2, stride=stride, padding=padding)
    with pytest.raises(ValueError):
        nn.Conv2d(16, 32, kernel_size=2, stride=stride, padding=padding)


@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False}])
def test_layernorm_matches_torch_over_several_batches(options):
    _matches_torch(
        lambda: torch.nn.LayerNorm([5, 6], **options),
        lambda: nn.LayerNorm([5, 6], **options),
        [_shaped(4, 3, 5, 6)],
        steps=3,
    )


def test_layernorm_over_channels_of_an_image_matches_torch():
    # tinygrad's LayerNorm2d: a LayerNorm over C of an (N, C, H, W) input, channels moved last and back
    class ChannelsLast(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(5)

        def forward(self, x):
            return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    class TorchChannelsLast(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = torch.nn.LayerNorm(5)

        def forward(self, x):
            return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    _matches_torch(TorchChannelsLast, ChannelsLast, [_shaped(3, 5, 4, 4)], steps=2)


@pytest.mark.parametrize(("groups", "options"), [(3, {}), (1, {}), (6, {"affine": False}), (2, {"eps": 1e-2})])
def test_groupnorm_matches_torch_over_several_batches(groups, options):
    _matches_torch(
        lambda: torch.nn.GroupNorm(groups, 6, **options),
        lambda: nn.GroupNorm(groups, 6, **options),
        [_shaped(4, 6, 5, 5)],
        steps=3,
    )


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(("dims", "shape"), [(1, (3, 5, 7)), (2, (3, 5, 4, 4)), (3, (2, 5, 3, 4, 4)), (2, (5, 4, 4))])
@pytest.mark.parametrize("options", [{"affine": True}, {"affine": True, "track_running_stats": True}])
def test_instancenorm_matches_torch(training, dims, shape, options):
    _matches_torch(
        lambda: getattr(torch.nn, f"InstanceNorm{dims}d")(5, **options),
        lambda: getattr(nn, f"InstanceNorm{dims}d")(5, **options),
        [_shaped(*shape)],
        training=training,
        steps=2,
    )


@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"eps": 1e-6}])
def test_rmsnorm_matches_torch_over_several_batches(options):
    _matches_torch(
        lambda: torch.nn.RMSNorm(20, **options), lambda: nn.RMSNorm(20, **options), [_shaped(4, 10, 20)], steps=3
    )


def test_rmsnorm_is_the_llama_formula():
    # tinygrad checks against LLaMA's RMSNorm: x * rsqrt(mean(x^2) + eps) * weight
    x = RNG.standard_normal((4, 10, 20))
    layer = nn.RMSNorm(20, eps=1e-6, dtype=np.float64)
    layer.weight.data[...] = RNG.standard_normal(20)
    expected = x / np.sqrt((x**2).mean(-1, keepdims=True) + 1e-6) * layer.weight.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-12)


@pytest.mark.parametrize("options", [{}, {"padding_idx": 3}, {"padding_idx": -1}, {"max_norm": 1.0}])
@pytest.mark.parametrize("shape", [(4, 10), (4, 0), (10,), ()])
def test_embedding_matches_torch(options, shape):
    indices = RNG.integers(0, 28, shape)
    _matches_torch(lambda: torch.nn.Embedding(28, 20, **options), lambda: nn.Embedding(28, 20, **options), [indices])


def test_embedding_output_appends_the_embedding_axis_to_any_index_shape():
    layer = nn.Embedding(10, 16)
    for rank in range(5):
        shape = (1,) * rank
        assert layer(Tensor(np.full(shape, 3))).shape == (*shape, 16)


@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell_matches_torch_carrying_its_state(bias):
    theirs, ours = _twins(lambda: torch.nn.LSTMCell(32, 16, bias=bias), lambda: nn.LSTMCell(32, 16, bias=bias))
    x = RNG.standard_normal((3, 32))
    their_state, our_state = theirs(torch.tensor(x)), ours(Tensor(x))
    for _ in range(2):
        x = RNG.standard_normal((3, 32))
        their_state, our_state = theirs(torch.tensor(x), their_state), ours(Tensor(x), our_state)
        for got, expected in zip(our_state, their_state):
            np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    if not bias:
        assert ours.bias_ih is None and ours.bias_hh is None


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("ignore_index", [-1, 0, 2])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5, 1.0])
def test_cross_entropy_with_smoothing_and_ignore_index_matches_torch(reduction, ignore_index, smoothing):
    # tinygrad's sparse_categorical_crossentropy: (N, C) logits, and the same with a batch of one as (1, C, N)
    logits, target = RNG.standard_normal((6, 5)), np.array([0, 0, 0, 1, 2, 3])
    options = {"reduction": reduction, "ignore_index": ignore_index, "label_smoothing": smoothing}
    for shaped in [lambda a: a, lambda a: a.T[None]]:
        their_logits = torch.tensor(shaped(logits), requires_grad=True)
        our_logits = Tensor(shaped(logits).copy(), requires_grad=True)
        their_target = torch.tensor(target if shaped(logits).ndim == 2 else target[None])
        expected = torch.nn.functional.cross_entropy(their_logits, their_target, **options)
        got = F.cross_entropy(our_logits, Tensor(their_target.numpy()), **options)
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        expected.sum().backward()
        got.sum().backward()
        np.testing.assert_allclose(our_logits.grad, their_logits.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- test_tensor.py -----------------------------------------------------------------------------------------------
X_INIT, M_INIT = RNG.standard_normal((1, 3)), RNG.standard_normal((1, 3))
U_INIT, V_INIT, W_INIT = (RNG.standard_normal((3, 3)) for _ in range(3))


def _small_net(lib, seed=None):
    """tinygrad's backward-pass net: log_softmax(relu(x W)) * m + m, summed (or seeded with ``seed``)."""
    make = Tensor if lib is ag else torch.tensor
    x, w, m = make(X_INIT.copy(), requires_grad=True), make(W_INIT.copy(), requires_grad=True), make(M_INIT.copy())
    out = x.matmul(w).relu().log_softmax(1).mul(m).add(m)
    if seed is None:
        out = out.sum()
        out.backward()
    else:
        out.backward(make(seed))
    return [np.asarray(t.detach().numpy() if lib is torch else t.data) for t in (out, x.grad, w.grad)]


def test_backward_pass_of_a_small_net_matches_torch():
    for got, expected in zip(_small_net(ag), _small_net(torch)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_backward_pass_with_a_given_output_gradient_matches_torch():
    seed = RNG.standard_normal((1, 3))
    for got, expected in zip(_small_net(ag, seed), _small_net(torch, seed)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_backward_pass_of_a_diamond_where_a_tensor_is_used_twice_matches_torch():
    def run(lib):
        make = Tensor if lib is ag else torch.tensor
        u, v, w = (make(a.copy(), requires_grad=True) for a in (U_INIT, V_INIT, W_INIT))
        x, y = u.mul(v).relu(), u.mul(w).relu()
        x.add(y).mul(y).relu().log_softmax(1).sum().backward()
        return [np.asarray(t.grad if lib is ag else t.grad.numpy()) for t in (u, v, w)]

    for got, expected in zip(run(ag), run(torch)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_gradients_accumulate_over_three_backward_passes():
    x, w = Tensor(X_INIT.copy(), requires_grad=True), Tensor(W_INIT.copy(), requires_grad=True)
    out = x.matmul(w).relu().log_softmax(1).mul(Tensor(M_INIT)).sum()
    out.backward(retain_graph=True)
    once = x.grad.copy(), w.grad.copy()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_allclose(x.grad, 3 * once[0], rtol=1e-14)
    np.testing.assert_allclose(w.grad, 3 * once[1], rtol=1e-14)


def test_only_tensors_that_require_grad_get_a_gradient():
    x, m, w = Tensor(X_INIT), Tensor(M_INIT), Tensor(W_INIT, requires_grad=True)
    product = x.mul(m)
    product.matmul(w).relu().sum().backward()
    assert x.grad is None and m.grad is None and not product.requires_grad and product.grad is None
    assert w.grad is not None


def test_second_derivative_of_a_cube_matches_torch():
    x = Tensor(np.array([2.0]), requires_grad=True)
    (first,) = ag.grad(x**3, x, create_graph=True)
    (second,) = ag.grad(first, x)
    their_x = torch.tensor([2.0], requires_grad=True)
    (their_first,) = torch.autograd.grad(their_x**3, their_x, create_graph=True)
    (their_second,) = torch.autograd.grad(their_first, their_x)
    np.testing.assert_allclose(np.asarray(second), their_second.numpy())


def test_seeded_random_functions_repeat():
    for draw in [
        lambda: ag.randn(10, 10),
        lambda: ag.rand(10, 10),
        lambda: ag.normal(0.0, 1.0, (10, 10)),
        lambda: ag.randint(0, 9, (10,)),
        lambda: ag.randperm(10),
    ]:
        ag.manual_seed(1337)
        first = draw().data
        ag.manual_seed(1337)
        np.testing.assert_array_equal(draw().data, first)
    assert sorted(ag.randperm(1000).tolist()) == list(range(1000))


def test_dropout_keeps_the_expected_share_scaled():
    ag.manual_seed(0)
    kept = F.dropout(ag.ones(1_000_000), 0.1, training=True).data
    np.testing.assert_allclose(np.count_nonzero(kept), 900_000, rtol=2e-3)
    np.testing.assert_allclose(np.unique(kept), [0.0, 1 / 0.9])


@pytest.mark.parametrize("factory", ["zeros", "ones", "rand", "randn", "empty"])
@pytest.mark.parametrize("shape", [(1,), (10, 20, 4), ((),), ((1,),), ((10, 20, 4),), ([10, 20, 4],), (2, 0, 3)])
def test_factories_take_sizes_as_torch_does(factory, shape):
    assert getattr(ag, factory)(*shape).shape == tuple(getattr(torch, factory)(*shape).shape)


@pytest.mark.parametrize("factory", ["zeros_like", "ones_like", "rand_like", "randn_like"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int32", "int64", "uint8"])
def test_like_factories_keep_shape_and_dtype(factory, dtype):
    source = ag.tensor([1, 2, 3], dtype=getattr(ag, dtype))
    if factory.startswith("rand") and dtype[0] in "iu":
        with pytest.raises(NotImplementedError):
            getattr(torch, factory)(torch.tensor([1, 2, 3], dtype=getattr(torch, dtype)))
        with pytest.raises(NotImplementedError):
            getattr(ag, factory)(source)
        return
    made = getattr(ag, factory)(source)
    assert made.shape == (3,) and made.dtype == source.dtype
    assert getattr(ag, factory)(ag.tensor([1.0, 2.0]), dtype=ag.float16).dtype == np.float16


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.arange(1, 2.5, 0.5),
        lambda lib: lib.arange(10, 0, -3),
        lambda lib: lib.arange(0, 5, 2, dtype=lib.int32),
        lambda lib: lib.eye(3, 4),
        lambda lib: lib.eye(2, dtype=lib.bool),
        lambda lib: lib.linspace(-2, 3, 6),
        lambda lib: lib.linspace(0, 10, 4, dtype=lib.int64),
        lambda lib: lib.full((2, 0), 12),
        lambda lib: lib.full((2, 3), True),
        lambda lib: lib.tensor([[True, 3], [3, True]]),
        lambda lib: lib.tensor([True, False], dtype=lib.uint8),
        lambda lib: lib.tensor([-3.5, -2.5, 1.5, 2.5], dtype=lib.int32),
        lambda lib: lib.tensor([[1, 2], [3, 4]], dtype=lib.float16),
        lambda lib: lib.tensor([[[]]]),
    ],
)
def test_creation_gives_torchs_values_and_dtype(call):
    # (a floating result is float64 here, the library's default, where torch's default is float32)
    got, expected = call(ag), call(torch)
    np.testing.assert_array_equal(got.data, expected.numpy())
    expected_dtype = expected.numpy().dtype
    assert got.dtype == (np.float64 if expected_dtype == np.float32 else expected_dtype)


@pytest.mark.parametrize("value", [0, 1, -100, -101.1, 2.345, True, False])
def test_item_gives_back_the_python_type(value):
    for wrapped in [value, [value], [[[[[value]]]]]]:
        item = ag.tensor(wrapped).item()
        assert type(item) is type(value) and item == value


@pytest.mark.parametrize("data", [[1, 2, 3], [1.5, 2, 3], [[1, 2, 3], [4, 5, 6]], 3, [True, False], [[], []]])
def test_tolist_gives_back_the_data(data):
    assert ag.tensor(data).tolist() == torch.tensor(data).tolist() == data


def test_len_size_ndim_and_numel_as_torch():
    for shape in [(7,), (10, 20), (10, 20, 30), (1, 0, 2, 5)]:
        ours, theirs = ag.zeros(*shape), torch.zeros(*shape)
        assert len(ours) == len(theirs) and ours.ndim == theirs.ndim and ours.numel() == theirs.numel()
        assert tuple(ours.size()) == tuple(theirs.size())
        assert [ours.size(d) for d in range(-len(shape), len(shape))] == [
            theirs.size(d) for d in range(-len(shape), len(shape))
        ]
    with pytest.raises(TypeError):
        len(ag.tensor(3))
    with pytest.raises(IndexError):
        ag.zeros(10, 20).size(2)


@pytest.mark.parametrize("data", [[[1], []], [[1], [1], 1], [[[1, 1, 1], [1, 1]]], [[1, 1, 1], [[1, 1, 1]]]])
def test_ragged_nested_lists_are_refused(data):
    with pytest.raises((ValueError, TypeError)):
        torch.tensor(data)
    with pytest.raises(ValueError):
        ag.tensor(data)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.zeros(3, 2, 0).reshape(7, 0),
        lambda lib: lib.full((1, 2, 0), 12).expand(6, 2, 0),
        lambda lib: lib.cat([lib.ones(3, 2, 2), lib.zeros(3, 2, 0)], 2),
        lambda lib: lib.cat([lib.zeros(3, 2, 0), lib.zeros(3, 2, 0)], 1),
        lambda lib: lib.ones(3, 2, 0).sum(1),
        lambda lib: lib.ones(3, 2, 0).sum(2, keepdim=True),
        lambda lib: lib.ones(3, 0).prod(1),
        lambda lib: lib.ones(3, 0).mean(1),
        lambda lib: lib.ones(3, 0).logsumexp(1),
        lambda lib: lib.ones(0, 3).amax(1),
        lambda lib: lib.ones(3, 2, 0).exp() * lib.ones(3, 2, 0),
        lambda lib: lib.tensor([]).sum(),
    ],
)
def test_zero_size_tensors_behave_as_torchs(call):
    got, expected = call(ag), call(torch)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.numpy())


def test_zero_size_tensor_cannot_be_reshaped_to_a_scalar():
    with pytest.raises(RuntimeError):
        torch.zeros(3, 2, 0).reshape(())
    with pytest.raises(RuntimeError):
        ag.zeros(3, 2, 0).reshape(())


def test_gradient_through_a_zero_size_tensor_is_zero_size():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad.shape == (0, 3)
