"""Module API that ported torch code uses: forward (pre-)hooks, non-persistent buffers, get_buffer,
state_dict(prefix=, keep_vars=), cpu/half, ParameterList/ParameterDict, Identity's ignored arguments; the
Threshold/shrink/GLU activations and the CosineSimilarity/PairwiseDistance layers; reprs against torch."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


class _WithBuffers(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 3, rng=0)
        self.register_buffer("scale", np.full(3, 2.0, np.float32), persistent=False)
        self.register_buffer("shift", np.zeros(3, np.float32))

    def forward(self, x):
        return self.fc(x) * self.scale + self.shift


# -- hooks ----------------------------------------------------------------------------------------------------
def test_forward_hooks_see_and_may_replace_inputs_and_outputs_and_can_be_removed():
    layer = nn.Linear(2, 2, rng=0)
    x = np.ones((1, 2), np.float32)
    plain = layer(x).data
    seen = []
    pre = layer.register_forward_pre_hook(lambda module, args: (args[0] * 2,))
    post = layer.register_forward_hook(
        lambda module, args, output: seen.append((module, np.asarray(args[0]))) or output + 1
    )
    np.testing.assert_allclose(layer(x).data, layer.forward(x * 2).data + 1)
    assert seen[0][0] is layer and np.all(seen[0][1] == 2)
    pre.remove(), post.remove(), post.remove()
    np.testing.assert_array_equal(layer(x).data, plain)


def test_forward_hooks_run_in_order_prepend_first_and_take_keyword_arguments():
    calls = []
    identity = nn.Identity()
    identity.register_forward_hook(lambda m, a, o: calls.append("first"))
    identity.register_forward_hook(lambda m, a, o: calls.append("prepended"), prepend=True)
    identity.register_forward_pre_hook(lambda m, a, kw: (a, kw), with_kwargs=True)
    with identity.register_forward_hook(lambda m, a, kw, o: calls.append(sorted(kw)), with_kwargs=True):
        identity(np.ones(1))
    identity(np.ones(1))
    assert calls == ["prepended", "first", [], "prepended", "first"]


class _Failing(nn.Module):
    def forward(self, x, scale=1):
        raise ValueError("forward failed")


def test_always_call_forward_hooks_run_when_the_forward_raises_and_the_error_propagates():
    calls = []
    module = _Failing()
    module.register_forward_hook(lambda m, args, output: calls.append(("always", output)), always_call=True)
    module.register_forward_hook(lambda m, args, output: calls.append("plain"))
    module.register_forward_hook(
        lambda m, args, kwargs, output: calls.append(("keywords", sorted(kwargs))), with_kwargs=True, always_call=True
    )
    module.register_forward_hook(lambda m, args, output: calls.append("removed"), always_call=True).remove()
    with pytest.raises(ValueError, match="forward failed"):
        module(np.ones(1), scale=2)
    assert calls == [("always", None), ("keywords", ["scale"])]


def test_an_always_call_hook_runs_once_when_a_later_hook_raises_and_its_own_error_is_a_warning():
    calls = []
    identity = nn.Identity()
    identity.register_forward_hook(lambda m, args, output: calls.append("always"), always_call=True)
    identity.register_forward_hook(lambda m, args, output: calls.append("failing") or 1 / 0)
    identity.register_forward_hook(lambda m, args, output: calls.append("late") or {}["missing"], always_call=True)
    with pytest.warns(UserWarning, match="``always_call=True`` raised an"), pytest.raises(ZeroDivisionError):
        identity(np.ones(1))
    assert calls == ["always", "failing", "late"]
    calls.clear()
    identity.register_forward_hook(lambda m, args, output: calls.append("after"), always_call=True)
    with pytest.warns(UserWarning, match="always_call=True"), pytest.raises(ZeroDivisionError):
        identity(np.ones(1))  # the hooks after the failing one run once each, in order
    assert calls == ["always", "failing", "late", "after"]


def test_always_call_hooks_match_torchs_calls():
    torch = pytest.importorskip("torch")

    def calls_of(module, x):
        calls = []
        module.register_forward_hook(lambda m, args, output: calls.append(output is None), always_call=True)
        module.register_forward_hook(lambda m, args, output: calls.append("plain"))
        with pytest.raises(ValueError):
            module(x)
        return calls

    class TorchFailing(torch.nn.Module):
        def forward(self, x):
            raise ValueError("forward failed")

    assert calls_of(_Failing(), np.ones(1)) == calls_of(TorchFailing(), torch.ones(1)) == [True]


def test_an_always_call_hook_after_a_failed_forward_sees_the_output_an_earlier_one_returned_as_torch():
    torch = pytest.importorskip("torch")

    def outputs_seen(module, x):
        seen = []
        module.register_forward_hook(lambda m, args, output: seen.append(output) or "replaced", always_call=True)
        module.register_forward_hook(lambda m, args, output: seen.append(output), always_call=True)
        with pytest.raises(ValueError):
            module(x)
        return seen

    class TorchFailing(torch.nn.Module):
        def forward(self, x):
            raise ValueError("forward failed")

    assert outputs_seen(_Failing(), np.ones(1)) == outputs_seen(TorchFailing(), torch.ones(1)) == [None, "replaced"]


def test_a_pre_hook_returning_one_value_makes_it_the_only_input_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Identity(), torch.nn.Identity()
    ours.register_forward_pre_hook(lambda m, args: args[0] + 1)
    theirs.register_forward_pre_hook(lambda m, args: args[0] + 1)
    assert ours(np.ones(2)).tolist() == theirs(torch.ones(2, dtype=torch.float64)).tolist() == [2.0, 2.0]


# -- buffers and state ----------------------------------------------------------------------------------------
def test_a_non_persistent_buffer_is_a_buffer_but_not_state_as_torch():
    torch = pytest.importorskip("torch")
    model = _WithBuffers()
    reference = torch.nn.Module()
    reference.fc = torch.nn.Linear(2, 3)
    reference.register_buffer("scale", torch.full((3,), 2.0), persistent=False)
    reference.register_buffer("shift", torch.zeros(3))
    assert [name for name, _ in model.named_buffers()] == [name for name, _ in reference.named_buffers()]
    assert list(model.state_dict()) == list(reference.state_dict()) == ["shift", "fc.weight", "fc.bias"]
    state = model.state_dict()
    model.scale[...] = 5.0
    result = model.load_state_dict(state)
    assert result.missing_keys == result.unexpected_keys == []
    np.testing.assert_array_equal(model.scale, 5.0)  # not state: loading leaves it alone
    with pytest.raises(nn.StateDictError, match=r'Unexpected key\(s\) in state_dict: "scale"'):
        model.load_state_dict({**state, "scale": np.zeros(3)})
    model.double()
    assert model.scale.dtype == np.float64  # but cast with the module


def test_a_buffer_registered_again_as_persistent_returns_to_the_state():
    model = _WithBuffers()
    model.register_buffer("scale", model.scale, persistent=True)
    assert list(model.state_dict()) == ["scale", "shift", "fc.weight", "fc.bias"]
    with pytest.raises(TypeError, match="persistent must be True or False"):
        model.register_buffer("other", np.zeros(1), persistent="no")


def test_non_persistent_buffers_stay_out_of_checkpoints(tmp_path):
    model = _WithBuffers()
    path = nn.save(model, tmp_path / "m.npz")
    assert list(nn.serialization.read(path)["model"]) == ["shift", "fc.weight", "fc.bias"]
    nn.serialization.load_into(_WithBuffers(), path)


def test_get_buffer_and_state_dict_prefix_and_keep_vars_as_torch():
    torch = pytest.importorskip("torch")
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    reference = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    assert model.get_buffer("1.running_var") is model[1].running_var
    with pytest.raises(AttributeError, match="'1.weight' is not a buffer"):
        model.get_buffer("1.weight")
    assert list(model.state_dict(prefix="net.")) == list(reference.state_dict(prefix="net."))
    kept = model.state_dict(keep_vars=True)
    assert kept["0.weight"] is model[0].weight and kept["1.running_mean"] is model[1].running_mean


def test_cpu_returns_the_module_and_half_casts_it():
    layer = nn.Linear(2, 2)
    assert layer.cpu() is layer
    assert layer.half() is layer and layer.weight.dtype == np.float16


def _nested(library, torch=None):
    """A model with a hooked sub-module: (model, calls), each call of a post hook recorded with the keys it saw."""
    model = library.Sequential(library.Linear(2, 3), library.Sequential(library.Linear(3, 1)))
    calls = []

    def record(name):
        return lambda module, keys: calls.append((name, list(keys.missing_keys), list(keys.unexpected_keys)))

    model.register_load_state_dict_post_hook(record("outer"))
    model[1].register_load_state_dict_post_hook(record("inner"))
    model[1][0].register_load_state_dict_post_hook(record("leaf"))
    return model, calls


def test_load_state_dict_post_hooks_see_the_whole_loads_keys_innermost_first_as_torch():
    torch = pytest.importorskip("torch")
    ours, our_calls = _nested(nn)
    theirs, their_calls = _nested(torch.nn)
    our_state = {name: value for name, value in ours.state_dict().items() if name != "1.0.bias"}
    their_state = {name: value for name, value in theirs.state_dict().items() if name != "1.0.bias"}
    our_state["extra"], their_state["extra"] = np.ones(1), torch.ones(1)
    our_result = ours.load_state_dict(our_state, strict=False)
    their_result = theirs.load_state_dict(their_state, strict=False)
    assert (their_result.missing_keys, their_result.unexpected_keys) == (["1.0.bias"], ["extra"])
    assert (
        our_calls
        == their_calls
        == [("leaf", ["1.0.bias"], ["extra"])] + [(name, ["1.0.bias"], ["extra"]) for name in ("inner", "outer")]
    )
    assert (our_result.missing_keys, our_result.unexpected_keys) == (["1.0.bias"], ["extra"])


def test_a_load_state_dict_post_hook_clearing_the_keys_lets_a_strict_load_pass_as_torch():
    torch = pytest.importorskip("torch")

    def forgiving(library):
        model = library.Linear(2, 1)
        model.register_load_state_dict_post_hook(lambda module, keys: keys.missing_keys.clear())
        return model

    ours, theirs = forgiving(nn), forgiving(torch.nn)
    ours.load_state_dict({"weight": np.full((1, 2), 3.0)})
    theirs.load_state_dict({"weight": torch.full((1, 2), 3.0)})
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())


def test_a_strict_load_still_failing_after_the_post_hooks_changes_nothing():
    model = nn.Linear(2, 1)
    before = {name: value.copy() for name, value in model.state_dict().items()}
    calls = []
    model.register_load_state_dict_post_hook(lambda module, keys: calls.append(list(keys.missing_keys)))
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias"'):
        model.load_state_dict({"weight": np.full((1, 2), 3.0)})
    assert calls == [["bias"]]
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_a_strict_load_failing_after_the_post_hooks_names_the_loaded_module_not_a_sub_module():
    # torch's message is "Error(s) in loading state_dict for Sequential"; ours named the last sub-module written
    model = nn.Sequential(nn.Linear(2, 1))
    model.register_load_state_dict_post_hook(lambda module, keys: None)
    state = {**model.state_dict(), "extra": np.ones(1)}
    with pytest.raises(
        RuntimeError,
        match=r'^Error\(s\) in loading state_dict for Sequential:\n\tUnexpected key\(s\) in state_dict: "extra"',
    ):
        model.load_state_dict(state)


def test_a_load_state_dict_post_hook_returning_a_value_is_torchs_assertion_error_and_changes_nothing():
    torch = pytest.importorskip("torch")
    for library, make in ((nn, np.zeros), (torch.nn, torch.zeros)):
        model = library.Linear(2, 1)
        model.register_load_state_dict_post_hook(lambda module, keys: keys)
        with pytest.raises(AssertionError):
            model.load_state_dict({"weight": make((1, 2)), "bias": make(1)})
    ours = nn.Linear(2, 1, rng=0)
    before = ours.weight.data.copy()
    ours.register_load_state_dict_post_hook(lambda module, keys: keys)
    with pytest.raises(AssertionError, match="must return None"):
        ours.load_state_dict({"weight": np.zeros((1, 2)), "bias": np.zeros(1)})
    np.testing.assert_array_equal(ours.weight.data, before)


def test_a_removed_load_state_dict_post_hook_is_not_called():
    model = nn.Linear(2, 1)
    calls = []
    model.register_load_state_dict_post_hook(calls.append).remove()
    model.load_state_dict(model.state_dict())
    assert calls == []


# -- containers -----------------------------------------------------------------------------------------------
def test_a_parameter_without_data_is_empty_as_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Parameter()
    for ours in (nn.Parameter(), nn.Parameter(None)):
        assert isinstance(ours, nn.Parameter) and ours.requires_grad and ours.is_leaf
        assert ours.shape == tuple(theirs.shape) == (0,)
        assert ours.dtype == np.float64  # the default dtype (torch's float32 is its default)
    assert nn.Parameter(dtype=np.float32).dtype == np.float32
    assert nn.Parameter(requires_grad=False).requires_grad is torch.nn.Parameter(requires_grad=False).requires_grad


def test_parameter_list_and_dict_hold_parameters_named_as_torch():
    torch = pytest.importorskip("torch")

    class Ours(nn.Module):
        def __init__(self):
            self.weights = nn.ParameterList([nn.Parameter(np.ones(2)), np.zeros(3)])
            self.extra = nn.ParameterDict({"a": nn.Parameter(np.ones(1))})
            self.weights.append(Tensor(np.ones(4)))
            self.extra["b"] = np.ones((2, 2))

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.zeros(3)])
            self.extra = torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.ones(1))})
            self.weights.append(torch.ones(4))
            self.extra["b"] = torch.ones(2, 2)

    ours, theirs = Ours(), Theirs()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.parameters())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours.weights) == 3 and ours.weights[-1].shape == (4,) and "b" in ours.extra
    assert ours.extra.pop("a").shape == (1,) and list(ours.extra.keys()) == ["b"]
    assert repr(ours.weights).splitlines()[1] == "    (0): Parameter containing: [torch.float64 of size 2]"
    with pytest.raises(KeyError, match="ParameterDict: keys must be non-empty strings without '.'"):
        nn.ParameterDict({"a.b": np.ones(1)})


def test_parameter_list_parameters_are_trained_by_an_optimizer():
    weights = nn.ParameterList([np.ones(2)])
    optimizer = nn.optim.SGD(weights.parameters(), lr=0.5)
    (weights[0] * weights[0]).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(weights[0].data, [0.0, 0.0])


def test_identity_accepts_and_ignores_any_arguments_as_torch():
    x = np.arange(3.0)
    assert nn.Identity(54, unused_argument="x")(x) is x
    assert repr(nn.Identity(1, 2)) == "Identity()"


# -- thresholds, shrinkage, GLU, similarity layers -------------------------------------------------------------
X = np.linspace(-2, 2, 25).reshape(5, 5) + 0.013  # no entry exactly at a threshold


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("threshold", (0.3, -4.0)),
        ("hardshrink", (0.7,)),
        ("softshrink", (0.4,)),
        ("tanhshrink", ()),
        ("glu", (0,)),
        ("glu", (-1,)),
    ],
)
def test_shrinkage_functions_match_torch_values_and_gradients(name, args):
    torch = pytest.importorskip("torch")
    data = np.concatenate([X, X[:1]]) if name == "glu" and args == (0,) else np.concatenate([X, X[:, :1]], axis=1)
    ours, theirs = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, expected = getattr(F, name)(ours, *args), getattr(torch.nn.functional, name)(theirs, *args)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.Threshold(0.1, 20.0),
        lambda lib: lib.Threshold(0.1, 20.0, inplace=True),
        lambda lib: lib.Hardshrink(0.3),
        lambda lib: lib.Softshrink(),
        lambda lib: lib.Tanhshrink(),
        lambda lib: lib.GLU(0),
        lambda lib: lib.BatchNorm1d(3, affine=False),
        lambda lib: lib.GroupNorm(1, 4, affine=False),
        lambda lib: lib.MaxPool2d(2, ceil_mode=True),
        lambda lib: lib.Dropout(0.2),
        lambda lib: lib.Dropout2d(0.2, inplace=True),
        lambda lib: lib.Softmax(dim=1),
        lambda lib: lib.LogSoftmax(dim=0),
        lambda lib: lib.Softplus(),
        lambda lib: lib.ReLU(inplace=True),
    ],
)
def test_layer_reprs_are_torchs(make):
    torch = pytest.importorskip("torch")
    assert repr(make(nn)) == repr(make(torch.nn))


def test_similarity_layers_match_torch():
    torch = pytest.importorskip("torch")
    a, b = np.random.default_rng(0).normal(size=(2, 4, 3))
    for ours, theirs in [
        (nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0)),
        (nn.PairwiseDistance(p=1.0, keepdim=True), torch.nn.PairwiseDistance(p=1.0, keepdim=True)),
    ]:
        expected = theirs(torch.tensor(a), torch.tensor(b)).numpy()
        np.testing.assert_allclose(ours(a, b).data, expected, rtol=1e-12)
    assert nn.PairwiseDistance(3.0).norm == torch.nn.PairwiseDistance(3.0).norm == 3.0


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.CosineSimilarity(dim=0, eps=1e-6),
        lambda lib: lib.PairwiseDistance(p=1.0, eps=1e-5, keepdim=True),
    ],
)
def test_similarity_layers_print_without_their_options_as_torchs(make):
    torch = pytest.importorskip("torch")
    assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("p", [0.0, -1.0, -2.5, -np.inf])
def test_pairwise_distance_layer_takes_any_real_order_as_torch(p):
    torch = pytest.importorskip("torch")
    a, b = np.random.default_rng(1).normal(size=(2, 4, 3))
    ours, theirs = nn.PairwiseDistance(p=p), torch.nn.PairwiseDistance(p=p)
    np.testing.assert_allclose(ours(a, b).data, theirs(torch.tensor(a), torch.tensor(b)).numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.glu(np.ones((2, 3))), ValueError, "glu: the halved axis 1 of input shape"),
        (lambda: F.softshrink(np.ones(2), -0.1), ValueError, "softshrink: lambd must be >= 0"),
        (lambda: nn.Threshold(0.1, "x"), TypeError, "Threshold: value must be a real number"),
        (lambda: nn.Linear(2, 2).register_forward_hook("hook"), TypeError, "the hook must be callable"),
    ],
)
def test_bad_arguments_are_errors_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_module_to_takes_torchs_plain_memory_formats_and_refuses_channels_last_by_name():
    torch = pytest.importorskip("torch")
    layer = nn.Conv2d(2, 3, 3)
    assert layer.to(memory_format=torch.contiguous_format) is layer
    assert layer.to(np.float64, memory_format=torch.preserve_format).weight.dtype == np.float64
    with pytest.raises(ValueError, match="Module.to: memory_format torch.channels_last is not available"):
        layer.to(memory_format=torch.channels_last)


def test_share_memory_refuses_by_name_instead_of_leaving_processes_separate_copies():
    with pytest.raises(NotImplementedError, match="Linear.share_memory: .* use threads"):
        nn.Linear(2, 3).share_memory()


def test_modules_take_their_input_by_torchs_keyword_name():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    y = np.array([1, 2])
    for ours, theirs in [
        (nn.Conv2d(3, 4, 3), torch.nn.Conv2d(3, 4, 3)),
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)),
        (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Dropout(0.0), torch.nn.Dropout(0.0)),
    ]:
        assert list(inspect.signature(ours.forward).parameters)[0] == "input"
        assert list(inspect.signature(theirs.forward).parameters)[0] == "input"
        np.testing.assert_array_equal(ours(input=x).data, ours(x).data)
    logits = np.random.default_rng(1).standard_normal((2, 4)).astype(np.float32)
    for loss in (nn.CrossEntropyLoss(), nn.NLLLoss(), nn.MultiMarginLoss()):
        assert float(loss(input=logits, target=y).data) == float(loss(logits, y).data)
    assert float(nn.MSELoss()(input=logits, target=logits * 2).data) == float(np.mean(logits**2))
    embedding = nn.Embedding(5, 2)
    np.testing.assert_array_equal(embedding(input=y).data, embedding(y).data)
