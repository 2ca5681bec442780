"""Module behaviours torch code relies on: repr with extra_repr and children, train()'s bool check, deleting a
buffer, reset_parameters(), full backward hooks, the _modules/_parameters/_buffers views, set_submodule,
ModuleDict.clear(), Module.type(), load_state_dict(assign=True) and nn.utils.rnn.pad_sequence.

Each behaviour is checked without torch; where torch is installed the same case is compared with it."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from thread_pause import Pause, at_line_number, paused_thread

import nn
from autograd import Tensor


def _torch():
    return pytest.importorskip("torch")


class Block(nn.Module):
    """A module with children and its own extra_repr."""

    def __init__(self) -> None:
        self.scale = 2.0
        self.fc = nn.Linear(2, 3, rng=0)
        self.act = nn.ReLU()

    def extra_repr(self) -> str:
        return f"scale={self.scale}"

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


# -- repr ------------------------------------------------------------------------------------------------


def test_repr_prints_extra_repr_line_before_the_children():
    assert repr(Block()) == (
        "Block(\n  scale=2.0\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n  (act): ReLU()\n)"
    )


def test_repr_puts_a_multi_line_extra_repr_on_its_own_lines():
    class Lines(nn.Module):
        def extra_repr(self) -> str:
            return "a=1\nb=2"

    assert repr(Lines()) == "Lines(\n  a=1\n  b=2\n)"
    assert repr(nn.ReLU()) == "ReLU()"


def test_repr_matches_torch_for_a_module_with_extra_repr_and_children():
    torch = _torch()

    class TorchBlock(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(2, 3)
            self.act = torch.nn.ReLU()

        def extra_repr(self) -> str:
            return "scale=2.0"

    assert repr(Block()).replace("Block", "X") == repr(TorchBlock()).replace("TorchBlock", "X")


def test_module_list_repr_writes_a_run_of_equal_modules_once_as_torch():
    def blocks(library):
        linear = library.Linear(2, 2)
        return library.ModuleList([library.ReLU(), library.ReLU(), library.ReLU(), linear, library.Linear(2, 2)])

    expected = "ModuleList(\n  (0-2): 3 x ReLU()\n  (3-4): 2 x Linear(in_features=2, out_features=2, bias=True)\n)"
    assert repr(blocks(nn)) == expected
    nested = nn.Sequential(nn.ModuleList([nn.Sequential(nn.Tanh()), nn.Sequential(nn.Tanh()), nn.ReLU()]))
    assert repr(nested).splitlines()[2:5] == ["    (0-1): 2 x Sequential(", "      (0): Tanh()", "    )"]
    assert repr(nn.ModuleList()) == "ModuleList()"
    torch = _torch()
    assert repr(blocks(torch.nn)) == expected
    torch_nested = torch.nn.Sequential(
        torch.nn.ModuleList(
            [torch.nn.Sequential(torch.nn.Tanh()), torch.nn.Sequential(torch.nn.Tanh()), torch.nn.ReLU()]
        )
    )
    assert repr(nested) == repr(torch_nested)


@pytest.mark.parametrize("container", [nn.Sequential, lambda module: nn.ModuleList([module])])
def test_repr_of_modules_nested_deeper_than_the_recursion_limit(container):
    depth = 2000  # twice Python's default recursion limit
    model = nn.Linear(2, 2)
    for _ in range(depth):
        model = container(model)
    name = type(model).__name__
    expected = (
        [f"{name}("]
        + ["  " * level + f"(0): {name}(" for level in range(1, depth)]
        + ["  " * depth + "(0): Linear(in_features=2, out_features=2, bias=True)"]
        + ["  " * level + ")" for level in reversed(range(depth))]
    )
    assert repr(model).splitlines() == expected


def test_repr_of_nested_modules_matches_torch():
    torch = _torch()

    def nested(library):
        shared = library.Linear(2, 2)
        inner = library.ModuleList([library.Sequential(shared, library.Tanh()), library.Sequential(shared)])
        return library.Sequential(library.Sequential(inner, library.ReLU()), shared)

    assert repr(nested(nn)) == repr(nested(torch.nn))


# -- train ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["yes", 1, None, 0.0])
def test_train_rejects_a_mode_that_is_not_a_bool(mode):
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train(mode)
    assert model.training and model[1].training


def test_train_takes_numpy_bools_and_eval_still_works():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    assert model.train(np.False_) is model and not model[1].training
    model.train()
    model.eval()
    assert not model.training and not model[1].training
    assert model[1].training is False


def _frozen_norm_model(base):
    """A parent holding a child whose overridden ``train`` keeps its BatchNorm in eval mode (a common torch recipe)."""

    class FrozenNorm(base.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = base.Linear(3, 3)
            self.norm = base.BatchNorm1d(3)

        def train(self, mode=True):
            super().train(mode)
            self.norm.eval()
            return self

    return base.Sequential(FrozenNorm(), base.ReLU())


def test_train_of_a_parent_runs_the_train_override_of_a_child():
    model = _frozen_norm_model(nn)
    model.eval()
    model.train()
    modes = [module.training for module in model.modules()]
    assert modes == [True, True, True, False, True]
    torch = _torch()
    torch_model = _frozen_norm_model(torch.nn)
    torch_model.eval()
    torch_model.train()
    assert modes == [module.training for module in torch_model.modules()]


def test_train_error_matches_torch():
    torch = _torch()
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        torch.nn.Linear(2, 2).train("yes")


# -- deleting a buffer ------------------------------------------------------------------------------------


def test_deleting_a_buffer_removes_it_from_buffers_and_state_dict():
    layer = nn.BatchNorm1d(3)
    del layer.running_mean
    assert "running_mean" not in dict(layer.named_buffers())
    assert "running_mean" not in layer.state_dict()
    assert not hasattr(layer, "running_mean")
    layer.running_mean = np.zeros(3, np.float32)  # a plain attribute now, no longer a buffer
    assert "running_mean" not in layer.state_dict()


def test_deleting_a_non_persistent_buffer_forgets_it_and_a_missing_attribute_raises():
    module = nn.Module()
    module.register_buffer("mask", np.ones(2), persistent=False)
    del module.mask
    module.register_buffer("mask", np.ones(2))
    assert "mask" in module.state_dict()
    with pytest.raises(AttributeError):
        del module.nothing


def test_deleting_buffers_parameters_and_submodules_keys_like_torch():
    torch = _torch()
    ours, theirs = (
        nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)),
        torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2)),
    )
    for model in (ours, theirs):
        del model[1].running_var
        del model[0].bias
    assert list(ours.state_dict()) == list(theirs.state_dict())


# -- reset_parameters --------------------------------------------------------------------------------------


def _scramble(module: nn.Module) -> None:
    for parameter in module.parameters():
        parameter.data[...] = 7.0


def _same_state(first: nn.Module, second: nn.Module) -> bool:
    a, b = first.state_dict(), second.state_dict()
    return list(a) == list(b) and all(np.array_equal(a[key], b[key]) for key in a)


SEEDED_LAYERS = {
    "Linear": lambda rng: nn.Linear(4, 3, rng=rng),
    "Linear-xavier": lambda rng: nn.Linear(4, 3, init="xavier_uniform", rng=rng),
    "Linear-no-bias": lambda rng: nn.Linear(4, 3, bias=False, rng=rng),
    "Conv1d": lambda rng: nn.Conv1d(2, 3, 3, rng=rng),
    "Conv2d": lambda rng: nn.Conv2d(2, 4, 3, groups=2, rng=rng),
    "Conv3d": lambda rng: nn.Conv3d(2, 3, 2, rng=rng),
    "ConvTranspose1d": lambda rng: nn.ConvTranspose1d(2, 3, 3, rng=rng),
    "ConvTranspose2d": lambda rng: nn.ConvTranspose2d(2, 4, 3, groups=2, rng=rng),
    "ConvTranspose3d": lambda rng: nn.ConvTranspose3d(2, 3, 2, bias=False, rng=rng),
    "RNN": lambda rng: nn.RNN(3, 4, num_layers=2, bidirectional=True, rng=rng),
    "LSTM": lambda rng: nn.LSTM(3, 4, rng=rng),
    "GRU": lambda rng: nn.GRU(3, 4, bias=False, rng=rng),
    "RNNCell": lambda rng: nn.RNNCell(3, 4, rng=rng),
    "LSTMCell": lambda rng: nn.LSTMCell(3, 4, rng=rng),
    "GRUCell": lambda rng: nn.GRUCell(3, 4, rng=rng),
    "Embedding": lambda rng: nn.Embedding(5, 3, padding_idx=1, rng=rng),
    "Bilinear": lambda rng: nn.Bilinear(2, 3, 4, rng=rng),
    "Maxout": lambda rng: nn.Maxout(4, 3, 2, rng=rng),
    "ACONC": lambda rng: nn.ACONC(3, rng=rng),
}


@pytest.mark.parametrize("build", SEEDED_LAYERS.values(), ids=SEEDED_LAYERS.keys())
def test_reset_parameters_draws_what_the_constructor_draws_from_the_same_seed(build):
    fresh, reset = build(0), build(0)
    _scramble(reset)
    parameters = [id(p) for p in reset.parameters()]
    reset.reset_parameters(0)
    assert _same_state(fresh, reset)
    assert [id(p) for p in reset.parameters()] == parameters  # in place: an optimizer keeps working


def test_reset_parameters_keeps_the_embedding_padding_row_at_zero():
    layer = nn.Embedding(6, 4, padding_idx=2)
    _scramble(layer)
    layer.reset_parameters()
    assert not layer.weight.data[2].any() and layer.weight.data[0].any()


def test_lazy_linear_resets_with_the_init_it_was_given():
    layer = nn.LazyLinear(3, init="zeros", rng=0)
    layer(Tensor(np.ones((2, 5), np.float32)))
    _scramble(layer)
    layer.reset_parameters()
    assert not layer.weight.data.any() and not layer.bias.data.any()


def test_lazy_layers_reset_to_nothing_before_their_first_input():
    linear, conv = nn.LazyLinear(3), nn.LazyConv2d(2, 3)
    linear.reset_parameters()
    conv.reset_parameters()
    assert linear(Tensor(np.ones((1, 4), np.float32))).shape == (1, 3)
    assert conv(Tensor(np.ones((1, 1, 5, 5), np.float32))).shape == (1, 2, 3, 3)


NORMS = {
    "BatchNorm1d": lambda: nn.BatchNorm1d(3),
    "BatchNorm2d": lambda: nn.BatchNorm2d(3),
    "BatchNorm3d": lambda: nn.BatchNorm3d(3, bias=False),
    "InstanceNorm1d": lambda: nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
    "InstanceNorm2d": lambda: nn.InstanceNorm2d(3),
    "LayerNorm": lambda: nn.LayerNorm((2, 3)),
    "GroupNorm": lambda: nn.GroupNorm(1, 3),
    "RMSNorm": lambda: nn.RMSNorm(3),
}


@pytest.mark.parametrize("build", NORMS.values(), ids=NORMS.keys())
def test_normalization_reset_parameters_restores_the_constructed_state(build):
    fresh, used = build(), build()
    _scramble(used)
    for buffer in used.buffers():
        buffer[...] = 5
    used.reset_parameters()
    assert _same_state(fresh, used)


def test_batch_norm_reset_running_stats_keeps_the_parameters():
    layer = nn.BatchNorm1d(3)
    layer(Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)))
    _scramble(layer)
    layer.reset_running_stats()
    assert not layer.running_mean.any() and (layer.running_var == 1).all() and int(layer.num_batches_tracked) == 0
    assert (layer.weight.data == 7).all()


def test_multihead_attention_reset_parameters_redraws_projections_and_zeroes_biases():
    layer = nn.MultiheadAttention(4, 2, add_bias_kv=True, rng=0)
    _scramble(layer)
    layer.reset_parameters(1)
    assert not layer.in_proj_bias.data.any() and not layer.out_proj.bias.data.any()
    bound = np.sqrt(6.0 / (4 + 12))  # xavier_uniform_ of the (12, 4) packed in-projection
    assert np.abs(layer.in_proj_weight.data).max() <= bound and (layer.bias_k.data != 7).all()
    assert (layer.out_proj.weight.data == 7).all()  # torch's _reset_parameters leaves out_proj.weight


def test_reset_parameters_gives_torch_initial_values_for_norm_layers():
    torch = _torch()
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    _scramble(ours)
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.fill_(7.0)
    ours.reset_parameters()
    theirs.reset_parameters()
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key], value.numpy())


def test_bilinear_reset_parameters_redraws_from_torch_bound_1_over_sqrt_in1():
    torch = _torch()
    ours, theirs = nn.Bilinear(9, 2, 3), torch.nn.Bilinear(9, 2, 3)
    _scramble(ours)
    ours.reset_parameters(0)
    theirs.reset_parameters()
    bound = 1 / np.sqrt(9)  # torch's: from in1_features only
    for name in ("weight", "bias"):
        drawn = getattr(ours, name).data
        assert drawn.shape == tuple(getattr(theirs, name).shape)
        assert np.abs(drawn).max() <= bound and np.abs(getattr(theirs, name).detach().numpy()).max() <= bound


def test_reset_parameters_draws_from_torch_ranges_for_linear_and_conv():
    torch = _torch()
    for ours, theirs in ((nn.Linear(5, 3), torch.nn.Linear(5, 3)), (nn.Conv2d(2, 3, 3), torch.nn.Conv2d(2, 3, 3))):
        ours.reset_parameters()
        theirs.reset_parameters()
        fan_in = int(np.prod(theirs.weight.shape[1:]))
        bound = 1 / np.sqrt(fan_in)
        for name in ("weight", "bias"):
            assert np.abs(getattr(ours, name).data).max() <= bound + 1e-7
            assert getattr(ours, name).shape == tuple(getattr(theirs, name).shape)


# -- full backward hooks ------------------------------------------------------------------------------------


class TwoInTwoOut(nn.Module):
    """forward(x, y, scale) -> (x * y * w, x + w, "tag"): two Tensor inputs, a number, a tuple output."""

    def __init__(self) -> None:
        self.w = nn.Parameter(np.array([1.5, -2.0, 0.5]))

    def forward(self, x, y, scale):
        return x * y * self.w * scale, x + self.w, "tag"


def _record(log, name):
    def hook(module, *grads):
        log.append((name, [[None if g is None else np.array(g.data) for g in group] for group in grads]))

    return hook


def test_full_backward_hook_sees_gradients_of_inputs_and_outputs():
    module = TwoInTwoOut()
    log: list = []
    module.register_full_backward_pre_hook(_record(log, "pre"))
    module.register_full_backward_hook(_record(log, "full"))
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = Tensor(np.array([4.0, 5.0, 6.0]))  # no gradient: its grad_input entry is zeros, as torch's
    product, total, tag = module(x, y, 2.0)
    assert tag == "tag"
    (product.sum() + 3 * total.sum()).backward()
    assert [name for name, _ in log] == ["pre", "full"]
    (grad_output,) = log[0][1]
    np.testing.assert_array_equal(grad_output[0], np.ones(3))
    np.testing.assert_array_equal(grad_output[1], np.full(3, 3.0))
    assert grad_output[2] is None
    grad_input, grad_output_again = log[1][1]
    assert len(grad_input) == 3 and grad_input[2] is None
    np.testing.assert_array_equal(grad_input[1], np.zeros(3))
    np.testing.assert_allclose(grad_input[0], y.data * module.w.data * 2 + 3)
    np.testing.assert_allclose(x.grad, grad_input[0])
    assert len(grad_output_again) == 3


def test_full_backward_hook_can_replace_the_input_gradient():
    layer = nn.Linear(3, 2, rng=0)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: (grad_input[0] * 10,))
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    layer.to(np.float64)
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad, 10 * np.ones((2, 2)) @ layer.weight.data)
    assert layer.weight.grad is not None


def test_full_backward_pre_hook_replacement_flows_into_the_module():
    layer = nn.Linear(3, 2, dtype=np.float64, rng=0)
    layer.register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0] * 0,))
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    layer(x).sum().backward()
    assert not x.grad.any() and not layer.weight.grad.any()


def test_full_backward_hook_runs_at_the_outputs_when_no_input_requires_grad():
    layer = nn.Linear(3, 2, dtype=np.float64, rng=0)
    log: list = []
    layer.register_full_backward_hook(_record(log, "full"))
    layer(Tensor(np.ones((2, 3)))).sum().backward()
    ((grad_input, grad_output),) = [grads for _, grads in log]
    assert grad_input == [None] and grad_output[0].shape == (2, 2)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: (np.ones((2, 3)),))
    with pytest.raises(RuntimeError, match="no input requires gradient"):
        layer(Tensor(np.ones((2, 3)))).sum().backward()


def test_full_backward_hook_returning_the_wrong_count_raises():
    layer = nn.Linear(3, 2, dtype=np.float64, rng=0)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: (None, None))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        layer(Tensor(np.ones((1, 3)), requires_grad=True)).sum().backward()


@pytest.mark.parametrize("kind", ["hook", "pre hook"])
@pytest.mark.parametrize("reshape", [lambda g: g[:1], lambda g: g.sum(0)], ids=["rows dropped", "broadcastable"])
def test_a_backward_hook_returning_a_gradient_of_another_shape_raises_torchs_error_naming_the_hook(kind, reshape):
    torch = _torch()

    def replace_input(module, grad_input, grad_output):
        return (reshape(grad_input[0]),)

    def replace_output(module, grad_output):
        return (reshape(grad_output[0]),)

    if kind == "hook":
        hook, register = replace_input, "register_full_backward_hook"
    else:
        hook, register = replace_output, "register_full_backward_pre_hook"
    theirs = torch.nn.Linear(3, 2).double()
    getattr(theirs, register)(hook)
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        theirs(torch.ones(4, 3, dtype=torch.float64, requires_grad=True)).sum().backward()
    ours = nn.Linear(3, 2, dtype=np.float64, rng=0)
    getattr(ours, register)(hook)
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=f"hook '{hook.__name__}' has changed the size of value: Linear's backward"):
        ours(x).sum().backward()
    assert x.grad is None and ours.weight.grad is None


def test_full_backward_hook_handle_removes_it_and_with_block_too():
    layer = nn.Linear(3, 2, dtype=np.float64, rng=0)
    calls: list = []
    handle = layer.register_full_backward_hook(lambda *args: calls.append(1))
    with layer.register_full_backward_pre_hook(lambda *args: calls.append(2)):
        layer(Tensor(np.ones((1, 3)), requires_grad=True)).sum().backward()
    handle.remove()
    handle.remove()
    layer(Tensor(np.ones((1, 3)), requires_grad=True)).sum().backward()
    assert calls == [2, 1]


def test_full_backward_hooks_do_nothing_under_no_grad_and_reject_value_outputs():
    from autograd import Value, no_grad

    layer = nn.Linear(3, 2, rng=0)
    layer.register_full_backward_hook(lambda *args: pytest.fail("must not run"))
    with no_grad():
        assert layer(Tensor(np.ones((1, 3), np.float32))).shape == (1, 2)

    class Scalar(nn.Module):
        def forward(self, x):
            return x * 2

    scalar = Scalar()
    scalar.register_full_backward_hook(lambda *args: None)
    with pytest.raises(TypeError, match="Tensor or a tuple"):
        scalar(Value(1.0))


def test_full_backward_hooks_of_nested_modules_run_inner_first():
    inner = nn.Linear(3, 3, dtype=np.float64, rng=0)
    outer = nn.Sequential(inner, nn.Tanh())
    order: list = []
    inner.register_full_backward_hook(lambda *args: order.append("inner"))
    outer.register_full_backward_hook(lambda *args: order.append("outer"))
    outer.register_full_backward_pre_hook(lambda *args: order.append("outer pre"))
    outer(Tensor(np.ones((2, 3)), requires_grad=True)).sum().backward()
    assert order == ["outer pre", "inner", "outer"]


def test_full_backward_hooks_match_torch_for_a_tuple_returning_module():
    torch = _torch()

    class TorchTwo(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64))

        def forward(self, x, y, scale):
            return x * y * self.w * scale, x + self.w, "tag"

    ours, theirs = TwoInTwoOut(), TorchTwo()
    our_log: list = []
    their_log: list = []
    ours.register_full_backward_pre_hook(_record(our_log, "pre"))
    ours.register_full_backward_hook(_record(our_log, "full"))
    for name, register in (
        ("pre", theirs.register_full_backward_pre_hook),
        ("full", theirs.register_full_backward_hook),
    ):
        register(
            lambda module, *grads, name=name: their_log.append(
                (name, [[None if g is None else g.detach().numpy().copy() for g in group] for group in grads])
            )
        )
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([4.0, 5.0, 6.0])
    our_x = Tensor(x, requires_grad=True)
    their_x = torch.tensor(x, requires_grad=True)
    a, b, _ = ours(our_x, Tensor(y, requires_grad=True), 2.0)
    (a.sum() * 2 + (b * b).sum()).backward()
    a, b, _ = theirs(their_x, torch.tensor(y, requires_grad=True), 2.0)
    (a.sum() * 2 + (b * b).sum()).backward()
    assert [name for name, _ in our_log] == [name for name, _ in their_log]
    for (_, our_groups), (_, their_groups) in zip(our_log, their_log):
        for our_group, their_group in zip(our_groups, their_groups):
            assert len(our_group) == len(their_group)
            for mine, theirs_grad in zip(our_group, their_group):
                assert (mine is None) == (theirs_grad is None)
                if mine is not None:
                    np.testing.assert_allclose(mine, theirs_grad, rtol=1e-12)
    np.testing.assert_allclose(our_x.grad, their_x.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("y_requires_grad", "used"),
    [(False, "product"), (True, "product"), (True, "total"), (False, "both")],
)
def test_full_backward_hook_gets_zeros_for_a_tensor_input_without_a_gradient_as_torchs(y_requires_grad, used):
    """torch's grad_input holds zeros (of the input's shape and dtype) for a Tensor input that got no gradient
    (it needs none, or only unused outputs reach it), None only for arguments that are not Tensors; an unused
    output's grad_output entry stays None. An integer index Tensor gets integer zeros."""
    torch = _torch()

    class Ours(nn.Module):
        def forward(self, x, y, index):
            return x * 2.0, y * 3.0, x[index]

    class Theirs(torch.nn.Module):
        def forward(self, x, y, index):
            return x * 2.0, y * 3.0, x[index]

    def run(module, make, index):
        log: list = []
        module.register_full_backward_pre_hook(lambda _, grad_output: log.append(("pre", grad_output)))
        module.register_full_backward_hook(lambda _, grad_input, grad_output: log.append(("full", grad_input)))
        x, y = make([1.0, 2.0], True), make([3.0, 4.0], y_requires_grad)
        product, total, picked = module(x, y, index)
        loss = {"product": product.sum(), "total": total.sum(), "both": product.sum() + total.sum()}[used]
        (loss + picked.sum()).backward()
        return [(name, [None if g is None else as_array(g) for g in grads]) for name, grads in log], y.grad

    def as_array(g):
        return g.detach().numpy().copy() if isinstance(g, torch.Tensor) else np.array(g.data)

    ours, our_y_grad = run(Ours(), lambda d, rg: Tensor(np.array(d), requires_grad=rg), Tensor(np.array([1, 0])))
    theirs, their_y_grad = run(
        Theirs(), lambda d, rg: torch.tensor(d, dtype=torch.float64, requires_grad=rg), torch.tensor([1, 0])
    )
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    for (_, our_grads), (_, their_grads) in zip(ours, theirs):
        assert len(our_grads) == len(their_grads)
        for mine, reference in zip(our_grads, their_grads):
            assert (mine is None) == (reference is None)
            if mine is not None:
                np.testing.assert_array_equal(mine, reference)
                assert mine.dtype == reference.dtype
    assert (our_y_grad is None) == (their_y_grad is None)
    if our_y_grad is not None:
        np.testing.assert_array_equal(our_y_grad, their_y_grad.numpy())


# -- member views ------------------------------------------------------------------------------------------


def test_member_views_list_a_modules_own_members_in_order():
    model = Block()
    model.register_buffer("mask", np.ones(2))
    model.register_buffer("empty", None)
    assert list(model._modules) == ["fc", "act"]
    assert [name for name, _ in model._modules.items()] == ["fc", "act"] and model._modules["fc"] is model.fc
    assert list(model.fc._parameters) == ["weight", "bias"] and model._parameters == {}
    assert list(model._buffers) == ["mask", "empty"] and model._buffers["empty"] is None
    assert list(nn.Sequential(nn.ReLU(), nn.Tanh())._modules) == ["0", "1"]
    assert "fc" in model._modules and len(model._modules) == 2


def test_member_views_write_through_to_the_module():
    model = Block()
    replacement = nn.Linear(2, 3)
    model._modules["fc"] = replacement
    assert model.fc is replacement
    del model._modules["act"]
    assert list(model._modules) == ["fc"]
    sequential = nn.Sequential(nn.ReLU(), nn.Tanh())
    sequential._modules["1"] = nn.Sigmoid()
    assert isinstance(sequential[1], nn.Sigmoid)
    weight = nn.Parameter(np.zeros((3, 2), np.float32))
    model.fc._parameters["weight"] = weight
    assert model.fc.weight is weight
    with pytest.raises(TypeError):
        model.fc._parameters["weight"] = np.zeros((3, 2))
    model._buffers["mask"] = np.ones(1)
    assert "mask" in model.state_dict()
    del model._buffers["mask"]
    assert "mask" not in model.state_dict()


def test_module_view_matches_torch_for_a_nested_model():
    torch = _torch()
    ours = nn.Sequential(OrderedDict(conv=nn.Conv2d(1, 2, 3), bn=nn.BatchNorm2d(2)))
    theirs = torch.nn.Sequential(OrderedDict(conv=torch.nn.Conv2d(1, 2, 3), bn=torch.nn.BatchNorm2d(2)))
    assert list(ours._modules) == list(theirs._modules)
    assert list(ours.bn._buffers) == list(theirs.bn._buffers)
    assert list(ours.conv._parameters) == list(theirs.conv._parameters)


# -- set_submodule ---------------------------------------------------------------------------------------------


def test_set_submodule_replaces_and_adds_along_a_dotted_path():
    model = nn.Sequential(Block(), nn.ReLU())
    new = nn.Linear(2, 3)
    model.set_submodule("0.fc", new)
    assert model[0].fc is new
    model.set_submodule("1", nn.Tanh())
    assert isinstance(model[1], nn.Tanh)
    extra = nn.ReLU()
    model.set_submodule("0.extra", extra)
    assert model.get_submodule("0.extra") is extra
    with pytest.raises(AttributeError):
        model.set_submodule("0.other", nn.ReLU(), strict=True)
    with pytest.raises(AttributeError):
        model.set_submodule("0.scale", nn.ReLU())
    with pytest.raises(AttributeError):
        model.set_submodule("5.fc", nn.ReLU())
    with pytest.raises(ValueError):
        model.set_submodule("", nn.ReLU())
    with pytest.raises(ValueError):
        model.set_submodule("1", "not a module")


def test_set_submodule_works_inside_module_dict_and_module_list():
    holder = nn.Module()
    holder.blocks = nn.ModuleList([nn.ReLU(), nn.ReLU()])
    holder.heads = nn.ModuleDict({"a": nn.ReLU()})
    holder.set_submodule("blocks.1", nn.Tanh())
    holder.set_submodule("heads.b", nn.Sigmoid())
    assert isinstance(holder.blocks[1], nn.Tanh) and list(holder.heads) == ["a", "b"]


def test_set_submodule_errors_match_torch():
    torch = _torch()
    theirs = torch.nn.Sequential(torch.nn.ReLU())
    with pytest.raises(AttributeError):
        theirs.set_submodule("other", torch.nn.ReLU(), strict=True)
    with pytest.raises(ValueError):
        theirs.set_submodule("", torch.nn.ReLU())


def test_set_submodule_of_a_new_name_on_a_sequential_appends_it_as_torch():
    torch = _torch()
    ours, theirs = nn.Sequential(nn.Linear(2, 2)), torch.nn.Sequential(torch.nn.Linear(2, 2))
    ours.set_submodule("act", nn.ReLU())
    theirs.set_submodule("act", torch.nn.ReLU())
    ours.set_submodule("0", nn.Linear(2, 3))
    theirs.set_submodule("0", torch.nn.Linear(2, 3))
    assert [name for name, _ in ours.named_children()] == [name for name, _ in theirs.named_children()] == ["0", "act"]
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs] == ["Linear", "ReLU"]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0.weight", "0.bias"]
    x = np.array([[-1.0, 2.0]], dtype=np.float32)
    assert ours(x).shape == tuple(theirs(torch.tensor(x)).shape) == (1, 3)  # the appended module runs
    assert np.all(ours(x).data >= 0)


# -- ModuleDict.clear, Module.type ----------------------------------------------------------------------------


def test_module_dict_clear_removes_every_entry():
    heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    heads.clear()
    assert len(heads) == 0 and heads.parameters() == [] and list(heads.state_dict()) == []
    parameters = nn.ParameterDict({"p": np.ones(2)})
    parameters.clear()
    assert len(parameters) == 0


def test_module_type_casts_parameters_and_every_buffer():
    layer = nn.BatchNorm1d(2)
    weight = layer.weight
    assert layer.type(np.float64) is layer
    assert layer.weight is weight and layer.weight.dtype == np.float64
    assert layer.running_mean.dtype == np.float64 and layer.num_batches_tracked.dtype == np.float64
    layer.type("float32")
    assert layer.weight.dtype == np.float32
    with pytest.raises(TypeError):
        layer.type(np.int64)


@pytest.mark.parametrize("cast", ["half", "float"])
def test_module_cast_overflows_to_inf_silently_as_torch(cast):
    torch = _torch()
    ours, theirs = nn.BatchNorm1d(2).double(), torch.nn.BatchNorm1d(2).double()
    for layer in (ours, theirs):
        layer.weight.data[0] = 1e300
        layer.running_var[1] = -1e300
    ours.weight.grad = np.full(2, 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(ours, cast)()
        getattr(theirs, cast)()
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.running_var, theirs.running_var.numpy())
    assert np.isposinf(ours.weight.grad).all() and ours.weight.dtype == ours.weight.grad.dtype


@pytest.mark.parametrize("cast", ["half", "float", "double", "to"])
def test_module_casts_leave_integer_and_bool_parameters_as_torch(cast):
    torch = _torch()

    def holder(library, tensor):
        module = library.Module()
        module.index = library.Parameter(tensor([3, 1]), requires_grad=False)
        module.mask = library.Parameter(tensor([True, False]), requires_grad=False)
        module.weight = library.Parameter(tensor([0.5, 2.0]))
        return module

    ours, theirs = holder(nn, Tensor), holder(torch.nn, torch.tensor)
    for module, dtype in ((ours, np.float64), (theirs, torch.float64)):
        getattr(module, cast)(*([dtype] if cast == "to" else []))
    for name in ("index", "mask", "weight"):
        assert str(getattr(ours, name).dtype) == str(getattr(theirs, name).dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.index.numpy(), [3, 1])
    ours.type(np.float64)
    theirs.type(torch.float64)
    assert ours.index.dtype == ours.mask.dtype == np.float64 and theirs.index.dtype == theirs.mask.dtype


def test_module_apply_fn_converts_parameters_gradients_and_buffers_through_overrides_as_torchs():
    torch = _torch()

    def run(library, ones):
        calls = []

        class Cached(library.Module):
            def __init__(self):
                super().__init__()
                self.fc = library.Linear(2, 2)
                self.cache = ones((2,))

            def forward(self, x):
                return self.fc(x)

            def _apply(self, fn, recurse=True):  # torch's hook for extra tensors: the parent's _apply calls it
                super()._apply(fn, recurse)
                self.cache = fn(self.cache)
                calls.append("cached")
                return self

        model = library.Sequential(Cached(), library.BatchNorm1d(2))
        model(ones((3, 2))).sum().backward()
        weight = model[0].fc.weight
        assert model._apply(lambda t: t.double()) is model and model[0].fc.weight is weight and weight.requires_grad
        dtypes = [str(t.dtype).removeprefix("torch.") for t in [*model.parameters(), *model.buffers()]]
        dtypes += [str(t.dtype).removeprefix("torch.") for t in (weight.grad, model[0].cache)]
        model[0].fc._apply(lambda t: t * 0 + 2)
        return dtypes, calls, np.asarray(model[0].fc.bias.tolist()), np.asarray(weight.grad.tolist())

    ours = run(nn, lambda shape: Tensor(np.ones(shape, np.float32)))
    theirs = run(torch.nn, torch.ones)
    assert ours[:2] == theirs[:2] and ours[0] == ["float64"] * 9 and ours[1] == ["cached"]
    np.testing.assert_array_equal(ours[2], theirs[2])
    np.testing.assert_array_equal(ours[3], theirs[3])


@pytest.mark.parametrize("cast", ["double", "half", "to"])
def test_module_casts_call_an_apply_override_below_for_its_own_tensors_as_torchs(cast):
    torch = _torch()

    def run(library, ones, dtype):
        calls = []

        class Cached(library.Module):
            def __init__(self):
                super().__init__()
                self.fc = library.Linear(2, 2)
                self.cache = ones(2)
                self.steps = ones(2).long()

            def _apply(self, fn):  # torch's pattern: to() reaches it, and its fn casts only floating tensors
                super()._apply(fn)
                self.cache, self.steps = fn(self.cache), fn(self.steps)
                calls.append("cached")
                return self

        model = library.Sequential(library.Sequential(Cached()), library.BatchNorm1d(2))
        getattr(model, cast)(*([dtype] if cast == "to" else []))
        inner = model[0][0]
        tensors = (inner.cache, inner.steps, inner.fc.weight, model[1].running_mean, model[1].num_batches_tracked)
        return [str(t.dtype).removeprefix("torch.") for t in tensors], calls

    ours = run(nn, lambda n: Tensor(np.ones(n, np.float32)), np.float64)
    theirs = run(torch.nn, torch.ones, torch.float64)
    assert ours == theirs and ours[1] == ["cached"] and ours[0][0] == ours[0][2] != "float32"


# -- load_state_dict(assign=True) ------------------------------------------------------------------------------


def test_load_state_dict_assign_uses_the_given_arrays_uncopied():
    layer = nn.BatchNorm1d(2)
    weight = np.array([2.0, 3.0], np.float32)
    mean = np.array([0.5, 0.25])  # float64: a buffer takes the given dtype, as torch's assign
    state = dict(layer.state_dict(), weight=weight, running_mean=mean)
    parameter = layer.weight
    layer.load_state_dict(state, assign=True)
    assert layer.weight is parameter and layer.weight._data is weight and layer.weight.requires_grad
    # the buffer is the given array's memory (read with torch's tensor methods, a view of it)
    assert layer.running_mean.base is mean and layer.running_mean.dtype == np.float64
    new_bias = nn.Parameter(np.ones(2, np.float32))
    layer.load_state_dict({**state, "bias": new_bias}, assign=True)
    assert layer.bias is new_bias


def test_load_state_dict_assign_still_validates_everything_first():
    layer = nn.Linear(2, 2)
    before = layer.weight._data
    with pytest.raises(nn.StateDictError):
        layer.load_state_dict({"weight": np.zeros((3, 3)), "bias": np.zeros(2)}, assign=True)
    assert layer.weight._data is before


def test_load_state_dict_assign_loads_torch_weights():
    torch = _torch()
    theirs = torch.nn.Linear(3, 2)
    ours = nn.Linear(3, 2)
    ours.load_state_dict({key: value.detach().numpy() for key, value in theirs.state_dict().items()}, assign=True)
    x = np.ones((1, 3), np.float32)
    # float32 sums of three products in another order: an output near 0 differs by an ulp, hence atol
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


# -- pad_sequence ------------------------------------------------------------------------------------------------


def test_pad_sequence_pads_right_or_left_along_time_or_batch_axis():
    from nn.utils.rnn import pad_sequence

    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    np.testing.assert_array_equal(pad_sequence([a, b]).data, [[1, 3], [2, 4], [0, 5]])
    np.testing.assert_array_equal(
        pad_sequence([a, b], batch_first=True, padding_value=-1, padding_side="left").data, [[-1, 1, 2], [3, 4, 5]]
    )
    assert nn.utils.rnn.pad_sequence is pad_sequence


def test_pad_sequence_sends_the_gradient_to_each_sequence():
    from nn.utils.rnn import pad_sequence

    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((4, 3)), requires_grad=True)
    padded = pad_sequence([a, b], batch_first=True, padding_value=9.0)
    assert padded.shape == (2, 4, 3)
    (padded * np.arange(4.0).reshape(1, 4, 1)).sum().backward()
    np.testing.assert_array_equal(a.grad, np.tile([[0.0], [1.0]], (1, 3)))
    np.testing.assert_array_equal(b.grad, np.tile(np.arange(4.0).reshape(4, 1), (1, 3)))


def test_pad_sequence_rejects_bad_arguments():
    from nn.utils.rnn import pad_sequence

    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([np.ones(2)], padding_side="middle")
    with pytest.raises(ValueError, match="empty"):
        pad_sequence([])
    with pytest.raises(ValueError, match="trailing"):
        pad_sequence([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="0-d"):
        pad_sequence([np.float64(1.0)])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch_values_and_gradients(batch_first, padding_side):
    torch = _torch()
    from torch.nn.utils.rnn import pad_sequence as torch_pad_sequence

    from nn.utils.rnn import pad_sequence

    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((length, 2)) for length in (3, 1, 4)]
    ours = [Tensor(array, requires_grad=True) for array in arrays]
    theirs = [torch.tensor(array, requires_grad=True) for array in arrays]
    weights = rng.standard_normal((4, 3, 2) if not batch_first else (3, 4, 2))
    our_out = pad_sequence(ours, batch_first, 0.5, padding_side)
    their_out = torch_pad_sequence(theirs, batch_first, 0.5, padding_side)
    np.testing.assert_array_equal(our_out.data, their_out.detach().numpy())
    (our_out * weights).sum().backward()
    (their_out * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, reference.grad.numpy())


def test_load_state_dict_casts_every_value_before_writing_any_and_overflows_to_inf_silently():
    import warnings

    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Linear(2, 2, rng=1))
    state = {key: np.array(value.data, np.float64) for key, value in model.state_dict().items()}
    state["0.weight"][:] = 7.0
    state["1.bias"][:] = 1e300  # beyond float32: inf, as torch's copy
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].weight.data, np.full((2, 2), 7.0, np.float32))
    np.testing.assert_array_equal(model[1].bias.data, np.full(2, np.inf, np.float32))


def test_the_deprecated_register_backward_hook_runs_as_the_full_hook_and_warns():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(3, 2, rng=0, dtype=np.float64), torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(np.array(ours.weight.data)))
        theirs.bias.copy_(torch.tensor(np.array(ours.bias.data)))
    seen: list = []
    with pytest.warns(
        FutureWarning, match="register_backward_hook is deprecated .* runs as register_full_backward_hook"
    ):
        handle = ours.register_backward_hook(lambda module, grad_input, grad_output: seen.append(grad_input))
    theirs.register_full_backward_hook(lambda module, grad_input, grad_output: seen.append(grad_input))
    x, tx = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True), torch.arange(6.0, dtype=torch.float64)
    tx = tx.reshape(2, 3).requires_grad_()
    (ours(x) ** 2).sum().backward()
    (theirs(tx) ** 2).sum().backward()
    (got,), (expected,) = seen
    np.testing.assert_allclose(np.array(got.data), expected.numpy(), rtol=1e-12)
    handle.remove()
    (ours(x) ** 2).sum().backward()
    assert len(seen) == 2  # removed: it ran no more


def test_get_name_names_the_module_in_its_repr_as_torch():
    torch = _torch()

    def renamed(base, name):
        class Renamed(base):
            def _get_name(self):
                return name

        return Renamed

    assert nn.Linear(2, 3)._get_name() == torch.nn.Linear(2, 3)._get_name() == "Linear"
    ours = renamed(nn.Sequential, "Trunk")(renamed(nn.Linear, "Proj")(2, 3), nn.ReLU())
    theirs = renamed(torch.nn.Sequential, "Trunk")(renamed(torch.nn.Linear, "Proj")(2, 3), torch.nn.ReLU())
    assert repr(ours) == repr(theirs)
    assert repr(ours).startswith("Trunk(\n  (0): Proj(in_features=2")
    assert repr(renamed(nn.ModuleList, "Heads")([nn.ReLU()] * 2)) == repr(
        renamed(torch.nn.ModuleList, "Heads")([torch.nn.ReLU()] * 2)
    )


def test_add_module_of_an_existing_name_on_a_container_replaces_the_module_as_torch():
    torch = _torch()
    ours, theirs = nn.Sequential(nn.ReLU()), torch.nn.Sequential(torch.nn.ReLU())
    for model, lib in ((ours, nn), (theirs, torch.nn)):
        model.add_module("x", lib.ReLU())
        model.add_module("x", lib.Tanh())
        model.add_module("0", lib.ELU())
    assert repr(ours) == repr(theirs)
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs] == ["ELU", "Tanh"]
    our_list, their_list = nn.ModuleList([nn.ReLU(), nn.ReLU()]), torch.nn.ModuleList([torch.nn.ReLU()] * 2)
    our_list.add_module("1", nn.Tanh())
    their_list.add_module("1", torch.nn.Tanh())
    assert repr(our_list) == repr(their_list) and type(our_list[1]).__name__ == "Tanh"
    our_dict, their_dict = nn.ModuleDict({"a": nn.ReLU()}), torch.nn.ModuleDict({"a": torch.nn.ReLU()})
    our_dict.add_module("a", nn.Tanh())
    their_dict.add_module("a", torch.nn.Tanh())
    assert repr(our_dict) == repr(their_dict)


def test_a_module_called_while_another_thread_registers_a_backward_hook_runs_the_hooks_it_found():
    # torch copies a module's backward hooks at once when it is called; iterating the live table would fail with
    # "mutated during iteration" if another thread registers (or removes) one meanwhile
    import nn.module_backward_hooks

    layer = nn.Linear(2, 2).double()
    calls: list[str] = []
    for name in ("first", "second"):
        layer.register_full_backward_hook(lambda module, grad_input, grad_output, name=name: calls.append(name))
    reading = Pause()
    # the first line run in backward_hook_call is its first statement's, where it reads the hooks; the second comes
    # once their iterator is made (the comprehension's own frame starting, before Python 3.12)
    tracer = at_line_number(reading, nn.module_backward_hooks.backward_hook_call.__code__, 2)

    def call():
        layer(Tensor(np.ones((1, 2)), requires_grad=True)).sum().backward()

    with paused_thread(call, tracer, reading) as failures:
        layer.register_full_backward_hook(lambda module, grad_input, grad_output: calls.append("late"))
    assert reading.reached.is_set()
    assert failures == []
    assert calls == ["first", "second"]  # the hooks of the call: those registered when it began, as torch's


@pytest.mark.parametrize("replaced", ["b", "lin"], ids=["a buffer", "a sub-module"])
def test_a_parameter_assigned_over_another_kind_of_member_comes_last_among_the_parameters_as_torchs(replaced):
    """torch keeps parameters, buffers and sub-modules in a dict each: a buffer or sub-module replaced by a Parameter
    leaves its own dict and joins the parameters' at the end, so parameters() (and the optimizer state indexed by
    it) and state_dict list it after the others; here it kept the old member's place."""
    torch = pytest.importorskip("torch")

    def build(library, tensor):
        base, linear, parameter = (
            (torch.nn.Module, torch.nn.Linear, torch.nn.Parameter)
            if library is torch
            else (nn.Module, nn.Linear, nn.Parameter)
        )

        class Members(base):
            def __init__(self):
                super().__init__()
                self.register_buffer("b", tensor(np.zeros(2)))
                self.lin = linear(2, 2)
                self.p = parameter(tensor(np.ones(2)))

        module = Members()
        setattr(module, replaced, parameter(tensor(np.ones(3))))
        return module

    ours, theirs = build(nn, Tensor), build(torch, torch.tensor)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def _pair_of_models(lib):
    return lib.Sequential(OrderedDict(fc=lib.Linear(2, 3), act=lib.ReLU(), out=lib.Sequential(lib.Linear(3, 1))))


def test_named_modules_takes_torchs_memo_first_as_torchs(torch):
    for lib in (nn, torch.nn):
        model = _pair_of_models(lib)
        assert [name for name, _ in model.named_modules(None, "m")] == ["m", "m.fc", "m.act", "m.out", "m.out.0"]
        memo = {model.fc}
        assert [name for name, _ in model.named_modules(memo=memo)] == ["", "act", "out", "out.0"]
        assert len(memo) == 5  # the ones yielded are added


def test_a_sub_modules_own_apply_takes_its_sub_tree_as_torchs(torch):
    def calls(lib):
        seen = []

        class Child(lib.Linear):
            def apply(self, fn):
                seen.append("Child.apply")
                return super().apply(fn)

        lib.Sequential(Child(1, 1), lib.ReLU()).apply(lambda module: seen.append(type(module).__name__))
        return seen

    assert calls(nn) == calls(torch.nn) == ["Child.apply", "Child", "ReLU", "Sequential"]


def test_the_hook_tables_torch_code_reads_exist_on_a_module_without_hooks(torch):
    names = ["_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks", "_state_dict_hooks",
             "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks"]  # fmt: skip
    ours, theirs = nn.Linear(1, 1), torch.nn.Linear(1, 1)
    for name in names:
        assert len(getattr(ours, name)) == len(getattr(theirs, name)) == 0, name
    assert ours._version == theirs._version == 1
    ours.register_buffer("scratch", np.zeros(1, dtype=np.float32), persistent=False)
    assert ours._non_persistent_buffers_set == {"scratch"}
    handle = ours.register_forward_hook(lambda module, inputs, output: None)
    assert len(ours._forward_hooks) == 1
    handle.remove()
    assert len(ours._forward_hooks) == 0
    assert list(ours.state_dict()) == ["weight", "bias"]


def test_load_state_dict_assign_gives_a_parameter_the_requires_grad_of_the_one_it_replaces(torch):
    for lib, make in ((nn, lambda: nn.Parameter(np.ones((1, 2), dtype=np.float32), requires_grad=False)),
                      (torch.nn, lambda: torch.nn.Parameter(torch.ones(1, 2), requires_grad=False))):  # fmt: skip
        layer = lib.Linear(2, 1)
        state = dict(layer.state_dict())
        state["weight"] = make()
        layer.load_state_dict(state, assign=True)
        assert layer.weight.requires_grad


def test_dir_lists_named_members_as_torchs(torch):
    ours, theirs = _pair_of_models(nn), _pair_of_models(torch.nn)
    for name in ("fc", "act", "out"):
        assert (name in dir(ours)) and (name in dir(theirs))
    assert "weight" in dir(ours.fc) and "0" not in dir(ours.out) and "0" not in dir(theirs.out)


def _array_maker(lib, torch):
    return (lambda v: np.array(v, dtype=np.float32)) if lib is nn else (lambda v: torch.tensor(v))


def _state_dict_keys_written_by_overrides(lib, make):
    class Extra(lib.Linear):
        def _save_to_state_dict(self, destination, prefix, keep_vars):
            super()._save_to_state_dict(destination, prefix, keep_vars)
            destination[prefix + "scale"] = make([1.0])

    class NoBias(lib.Linear):
        def state_dict(self, *args, **kwargs):
            state = super().state_dict(*args, **kwargs)
            state.pop(kwargs.get("prefix", "") + "bias", None)
            return state

    return [list(lib.Sequential(Extra(1, 1)).state_dict()), list(NoBias(1, 1).state_dict()),
            list(lib.Sequential(NoBias(1, 1), lib.Linear(1, 1)).state_dict())]  # fmt: skip


def test_an_overridden_save_to_state_dict_and_a_childs_own_state_dict_write_as_torchs(torch):
    ours = _state_dict_keys_written_by_overrides(nn, _array_maker(nn, torch))
    theirs = _state_dict_keys_written_by_overrides(torch.nn, _array_maker(torch.nn, torch))
    assert ours == theirs == [["0.weight", "0.bias", "0.scale"], ["weight"], ["0.weight", "1.weight", "1.bias"]]


def _loaded_through_a_renaming_override(lib, make):
    class Renamed(lib.Linear):
        def _load_from_state_dict(self, state_dict, prefix, *rest):
            if prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, *rest)

    model = lib.Sequential(Renamed(1, 1))
    result = model.load_state_dict({"0.w": make([[5.0]]), "0.bias": make([1.0])})
    weight = model[0].weight
    return result.missing_keys, result.unexpected_keys, float(np.asarray(getattr(weight, "data", weight))[0, 0])


def test_an_overridden_load_from_state_dict_renames_keys_before_the_load_as_torchs(torch):
    ours = _loaded_through_a_renaming_override(nn, _array_maker(nn, torch))
    theirs = _loaded_through_a_renaming_override(torch.nn, _array_maker(torch.nn, torch))
    assert ours == theirs == ([], [], 5.0)


def _private_pre_hook_calls(lib):
    calls = []
    layer = lib.Linear(1, 1)
    layer._register_load_state_dict_pre_hook(lambda state, prefix, *rest: calls.append(("without", prefix)))
    layer._register_load_state_dict_pre_hook(
        lambda module, state, prefix, *rest: calls.append((type(module).__name__, prefix)), with_module=True
    )
    layer.load_state_dict(layer.state_dict())
    return calls


def test_the_private_load_pre_hook_takes_the_module_only_when_asked_as_torchs(torch):
    assert _private_pre_hook_calls(nn) == _private_pre_hook_calls(torch.nn) == [("without", ""), ("Linear", "")]


# -- copies of a trained model -----------------------------------------------------------------------------


def test_copies_and_pickles_of_parameters_have_no_gradient_as_torchs():
    """``copy.deepcopy(model)``, ``copy.copy(p)`` and pickle give Parameters whose ``.grad`` is None, as torch's (its
    Parameter is copied as data and requires_grad): the copies kept the original's gradient, so an optimizer of the
    copy stepped with it before any backward of the copy. A plain Tensor's copies keep theirs, as torch's."""
    torch = _torch()

    def trained(module, x):
        module(x).sum().backward()
        return module

    ours = trained(nn.Linear(2, 1), Tensor(np.ones((1, 2), dtype=np.float32)))
    theirs = trained(torch.nn.Linear(2, 1), torch.ones(1, 2))
    for model in (ours, theirs):
        assert model.weight.grad is not None
        for copied in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
            assert [p.grad for p in copied.parameters()] == [None, None]
            assert all(p.requires_grad for p in copied.parameters())
        assert copy.copy(model.weight).grad is None
        assert model.weight.grad is not None  # the original keeps its own
    np.testing.assert_array_equal(copy.deepcopy(ours).weight.data, ours.weight.data)
    plain = Tensor(np.ones(2), requires_grad=True)
    plain.grad = np.ones(2)
    twin = torch.ones(2, requires_grad=True)
    twin.grad = torch.ones(2)
    assert copy.deepcopy(plain).grad is not None and copy.deepcopy(twin).grad is not None


def test_repr_leaves_the_blank_lines_of_a_sub_modules_extra_repr_empty_as_torch():
    """torch's ``_addindent`` indents only the non-blank lines of a sub-module's repr: a blank line of a multi-line
    ``extra_repr`` is two spaces in the module's own repr and empty once the module is nested (at any depth); it was
    indented as the others."""
    torch = _torch()

    def build(library):
        class Spaced(library.Module):
            def extra_repr(self) -> str:
                return "x=1\n\ny=2\n"

        class Custom(library.Module):
            def __repr__(self) -> str:
                return "Custom(\n\n  z\n)"

        return Spaced, library.Sequential(library.Sequential(Spaced(), Custom()), library.ModuleList([Spaced()] * 2))

    (ours_class, ours), (theirs_class, theirs) = build(nn), build(torch.nn)
    assert repr(ours_class()) == repr(theirs_class()) == "Spaced(\n  x=1\n  \n  y=2\n  \n)"
    assert repr(ours) == repr(theirs)
    assert "\n\n" in repr(ours) and "\n    \n" not in repr(ours)


def _versioned(library):
    """A module whose ``__setstate__`` fills in an attribute older pickles lack after ``super().__setstate__``."""

    class Versioned(library.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = library.Linear(2, 1)
            self.scale = 2.0

        def __setstate__(self, state) -> None:
            super().__setstate__(state)
            self.__dict__.setdefault("offset", 0.5)

        def forward(self, x):
            return self.fc(x) * self.scale + self.offset

    return Versioned


_Versioned = _versioned(nn)  # (pickle finds a class by its module-level name)
_Versioned.__qualname__ = "_Versioned"


def test_a_subclass_setstate_calling_super_unpickles_and_copies_as_torchs():
    """torch's modules take a pickle or a copy back through ``Module.__setstate__``, and a subclass that fills in what
    older pickles lack calls ``super().__setstate__(state)`` first (as torch's own BatchNorm and MultiheadAttention
    do): Module had no ``__setstate__``, so that call was an AttributeError and such a model could not be unpickled
    or deep-copied."""
    torch = _torch()
    ours, theirs = _Versioned(), _versioned(torch.nn)()
    for model, copied, tensor in (
        (ours, pickle.loads(pickle.dumps(ours)), lambda a: Tensor(np.asarray(a, np.float32))),
        (ours, copy.deepcopy(ours), lambda a: Tensor(np.asarray(a, np.float32))),
        (theirs, copy.deepcopy(theirs), torch.tensor),
    ):
        assert copied.offset == 0.5 and copied.scale == 2.0 and copied.fc is not model.fc
        assert [name for name, _ in copied.named_parameters()] == ["fc.weight", "fc.bias"]
        expected = model.fc(tensor([[1.0, 2.0]])) * 2.0 + 0.5
        np.testing.assert_allclose(np.asarray(copied(tensor([[1.0, 2.0]])).detach()), np.asarray(expected.detach()))
