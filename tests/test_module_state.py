"""Tests for Module buffers, state_dict and the all-or-nothing load_state_dict."""

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import nn
from autograd import Tensor, Value


class _WithBuffer(nn.Module):
    def __init__(self):
        self.linear = nn.Linear(3, 2, rng=0)
        self.register_buffer("count", np.zeros(2, dtype=np.int64))
        self.register_buffer("scale", Tensor(np.array([1.5, 2.5])))
        self.register_buffer("unused", None)


def _snapshot(module):
    return {name: array.copy() for name, array in module.state_dict().items()}


def _assert_same_state(before, module):
    after = module.state_dict()
    assert list(after) == list(before)
    for name in before:
        assert after[name].dtype == before[name].dtype
        np.testing.assert_array_equal(after[name], before[name])


def test_state_dict_lists_each_modules_parameters_then_its_buffers_in_torchs_order():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 1, rng=1))
    keys = list(model.state_dict())
    assert keys == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "2.running_mean",
        "2.running_var",
        "2.num_batches_tracked",
        "3.weight",
        "3.bias",
    ]
    assert isinstance(model.state_dict(), OrderedDict)


def test_state_dict_order_is_torchs_for_a_module_with_its_own_buffers_before_its_children():
    torch = pytest.importorskip("torch")

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(3, 2)
            self.register_buffer("count", torch.zeros(2, dtype=torch.int64))
            self.register_buffer("scale", torch.tensor([1.5, 2.5]))
            self.register_buffer("unused", None)

    reference = torch.nn.Sequential(torch.nn.BatchNorm1d(2), Theirs(), torch.nn.Linear(2, 2))
    model = nn.Sequential(nn.BatchNorm1d(2), _WithBuffer(), nn.Linear(2, 2))
    assert list(model.state_dict()) == list(reference.state_dict())


def test_state_dict_returns_copies_not_views():
    layer = nn.Linear(2, 2, rng=0)
    state = layer.state_dict()
    original = layer.weight.data.copy()
    state["weight"][...] = 123.0
    np.testing.assert_array_equal(layer.weight.data, original)


def test_scalar_value_parameters_become_0d_float64_arrays():
    mlp = nn.MLP(2, [3, 1], seed=0)
    state = mlp.state_dict()
    assert len(state) == len(mlp.parameters())
    for array, parameter in zip(state.values(), mlp.parameters()):
        assert array.shape == () and array.dtype == np.float64
        assert array.item() == parameter.data


def test_load_state_dict_round_trips_values_and_keeps_parameter_dtype():
    source = _WithBuffer()
    target = _WithBuffer()
    nn.init.normal_(source.linear.weight, rng=5)
    source.count[...] = [3, 4]
    state = {
        name: array.astype(np.float64) if array.dtype.kind == "f" else array
        for name, array in source.state_dict().items()
    }
    result = target.load_state_dict(state)
    assert result == nn.IncompatibleKeys([], [])
    assert target.linear.weight.dtype == np.float32
    np.testing.assert_array_equal(target.linear.weight.data, source.linear.weight.data)
    np.testing.assert_array_equal(target.count, [3, 4])
    assert target.count.dtype == np.int64


def test_load_state_dict_result_prints_as_torchs():
    layer = nn.Linear(2, 2, rng=0)
    assert repr(layer.load_state_dict(layer.state_dict())) == "<All keys matched successfully>"
    state = layer.state_dict()
    state["extra"] = state.pop("bias")
    result = layer.load_state_dict(state, strict=False)
    assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"
    assert result.missing_keys == ["bias"] and result == (["bias"], ["extra"])


def test_loaded_parameters_do_not_share_memory_with_the_state():
    layer = nn.Linear(2, 2, rng=0)
    state = nn.Linear(2, 2, rng=1).state_dict()
    layer.load_state_dict(state)
    state["weight"][...] = 7.0
    assert not np.any(layer.weight.data == 7.0)


def test_load_into_scalar_mlp_sets_python_floats():
    source, target = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    target.load_state_dict(source.state_dict())
    for a, b in zip(source.parameters(), target.parameters()):
        assert type(b.data) is float and b.data == a.data


def test_load_state_dict_error_lists_every_problem_and_leaves_module_unchanged():
    model = nn.Sequential(nn.Linear(3, 2, rng=0), nn.BatchNorm1d(2))
    before = _snapshot(model)
    state = model.state_dict()
    del state["0.bias"]
    del state["1.running_var"]
    state["0.weight"] = np.zeros((3, 2))
    state["1.weight"] = np.zeros(5)
    state["extra.thing"] = np.zeros(1)
    with pytest.raises(nn.StateDictError) as caught:
        model.load_state_dict(state)
    message = str(caught.value)
    for expected in [
        "0.bias",
        "1.running_var",
        "extra.thing",
        "0.weight",
        "torch.Size([2, 3])",
        "torch.Size([3, 2])",
        "1.weight",
        "torch.Size([5])",
    ]:
        assert expected in message
    _assert_same_state(before, model)


def test_non_castable_entries_are_rejected_by_name():
    layer = nn.Linear(2, 2, rng=0)
    before = _snapshot(layer)
    state = layer.state_dict()
    state["weight"] = np.full((2, 2), "a")
    state["bias"] = np.zeros(2, dtype=np.complex128)
    with pytest.raises(nn.StateDictError, match=r"(?s)weight.*bias|bias.*weight") as caught:
        layer.load_state_dict(state)
    assert "complex128" in str(caught.value)
    _assert_same_state(before, layer)


def test_strict_false_ignores_missing_and_unexpected_but_reports_them():
    layer = nn.Linear(2, 2, rng=0)
    other = nn.Linear(2, 2, rng=1)
    result = layer.load_state_dict({"weight": other.weight.data, "stray": np.ones(3)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["stray"]
    np.testing.assert_array_equal(layer.weight.data, other.weight.data)


def test_strict_false_still_rejects_mis_shaped_entries():
    layer = nn.Linear(2, 2, rng=0)
    before = _snapshot(layer)
    with pytest.raises(
        nn.StateDictError,
        match=r"size mismatch for bias: copying a param with shape torch\.Size\(\[3\]\) from checkpoint, the shape in current model is torch\.Size\(\[2\]\)",
    ):
        layer.load_state_dict({"weight": np.zeros((2, 2)), "bias": np.zeros(3)}, strict=False)
    _assert_same_state(before, layer)


def test_load_state_dict_rejects_a_non_mapping():
    with pytest.raises(TypeError, match="dict-like"):
        nn.Linear(2, 2).load_state_dict([("weight", np.zeros((2, 2)))])


def test_buffers_are_in_state_dict_but_not_parameters():
    module = _WithBuffer()
    assert [name for name, _ in module.named_buffers()] == ["count", "scale"]
    assert all(not isinstance(p, np.ndarray) for p in module.parameters())
    assert len(module.parameters()) == 2
    state = module.state_dict()
    assert list(state) == ["count", "scale", "linear.weight", "linear.bias"]  # its own state, then its child's
    np.testing.assert_array_equal(state["scale"], [1.5, 2.5])


def test_reassigned_buffer_attribute_stays_a_buffer():
    module = _WithBuffer()
    module.count = np.array([9, 9])
    np.testing.assert_array_equal(module.state_dict()["count"], [9, 9])


def test_tensor_buffer_is_restored_in_its_dtype():
    module = _WithBuffer()
    module.load_state_dict({**module.state_dict(), "scale": np.array([7, 8], dtype=np.int32)})
    assert isinstance(module.scale, Tensor) and module.scale.dtype == np.float64
    np.testing.assert_array_equal(module.scale.data, [7.0, 8.0])


@pytest.mark.parametrize(
    ("name", "array", "error"),
    [
        ("a.b", np.zeros(1), KeyError),
        ("", np.zeros(1), KeyError),
        ("linear", np.zeros(1), KeyError),
        ("grad", Tensor(np.zeros(1), requires_grad=True), TypeError),
        ("value", Value(1.0), TypeError),
        ("listy", [1, 2], TypeError),
    ],
)
def test_register_buffer_rejects_bad_names_and_values(name, array, error):
    module = _WithBuffer()
    with pytest.raises(error):
        module.register_buffer(name, array)


def test_deeply_nested_modules_do_not_hit_the_recursion_limit():
    model = nn.Linear(1, 1, rng=0)
    for _ in range(3000):
        model = nn.Sequential(model)
    state = model.state_dict()
    assert len(state) == 2
    model.load_state_dict(state)


def test_state_entries_may_be_tensors_values_or_nested_lists():
    layer = nn.Linear(2, 2, rng=0)
    layer.load_state_dict({"weight": Tensor(np.ones((2, 2))), "bias": [1, 2]})
    np.testing.assert_array_equal(layer.weight.data, np.ones((2, 2), dtype=np.float32))
    np.testing.assert_array_equal(layer.bias.data, [1.0, 2.0])
    mlp = nn.MLP(2, [1], seed=0)
    mlp.load_state_dict({name: Value(1.5) for name in mlp.state_dict()})
    assert [p.data for p in mlp.parameters()] == [1.5, 1.5, 1.5]


def test_parameters_are_named_parameters_without_names_for_every_container():
    shared = nn.Linear(2, 2, rng=0)

    class Mixed(nn.Module):
        def __init__(self):
            self.head = nn.ModuleDict({"a": nn.Linear(2, 3, rng=1), "b": shared})
            self.blocks = [nn.Linear(2, 2, rng=2), shared]
            self.body = nn.Sequential(nn.Linear(2, 2, rng=3), nn.ReLU(), nn.ModuleList([nn.Linear(2, 2, rng=4)]))
            self.scale = nn.Parameter(np.ones(1))
            self.settings = {"ignored": nn.Parameter(np.ones(1))}  # a plain dict is not searched

    for model in (Mixed(), nn.MLP(2, [3, 1], seed=0), nn.models.digits_cnn(rng=0)):
        assert [id(p) for p in model.parameters()] == [id(p) for _, p in model.named_parameters()]


class _Tied(nn.Module):
    """Two layers sharing one weight (as tied embeddings), and one module reachable under two names."""

    def __init__(self):
        self.encoder = nn.Linear(3, 3, rng=0)
        self.decoder = nn.Linear(3, 3, rng=1)
        self.decoder.weight = self.encoder.weight
        self.norm = nn.BatchNorm1d(3)
        self.same_norm = self.norm


def test_tied_parameters_appear_once_in_named_parameters_but_under_every_name_in_state_dict():
    model = _Tied()
    assert [name for name, _ in model.named_parameters()] == [
        "encoder.weight",
        "encoder.bias",
        "decoder.bias",
        "norm.weight",
        "norm.bias",
    ]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 8
    keys = list(model.state_dict())
    for name in ("decoder.weight", "same_norm.weight", "same_norm.running_mean", "same_norm.num_batches_tracked"):
        assert name in keys
    np.testing.assert_array_equal(model.state_dict()["decoder.weight"], model.encoder.weight.data)


def test_tied_state_dict_keys_match_torch():
    torch = pytest.importorskip("torch")

    class TorchTied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(3, 3)
            self.decoder = torch.nn.Linear(3, 3)
            self.decoder.weight = self.encoder.weight
            self.norm = torch.nn.BatchNorm1d(3)
            self.same_norm = self.norm

    reference = TorchTied()
    assert sorted(_Tied().state_dict()) == sorted(reference.state_dict())
    model = _Tied()
    model.load_state_dict({name: value.numpy() for name, value in reference.state_dict().items()})  # strict
    np.testing.assert_array_equal(model.decoder.weight.data, reference.encoder.weight.detach().numpy())


def test_a_state_dict_naming_a_tied_parameter_once_still_loads_strictly():
    source, model = _Tied(), _Tied()
    state = {name: value for name, value in source.state_dict().items() if not name.startswith(("decoder.w", "same_"))}
    assert model.load_state_dict(state) == nn.IncompatibleKeys([], [])
    np.testing.assert_array_equal(model.decoder.weight.data, source.encoder.weight.data)


def test_named_parameters_and_buffers_take_prefix_and_recurse_like_torch():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.BatchNorm1d(2))
    assert [name for name, _ in model.named_parameters(prefix="net")] == [
        "net.0.weight",
        "net.0.bias",
        "net.1.weight",
        "net.1.bias",
    ]
    assert list(model.named_parameters(recurse=False)) == [] and model.parameters(recurse=False) == []
    assert [name for name, _ in model[1].named_parameters(recurse=False)] == ["weight", "bias"]
    assert [name for name, _ in model.named_buffers(prefix="net")][0] == "net.1.running_mean"
    assert model.buffers(recurse=False) == [] and len(model[1].buffers(recurse=False)) == 3


def test_named_children_lists_direct_submodules_once():
    model = _Tied()
    assert [name for name, _ in model.named_children()] == ["encoder", "decoder", "norm"]
    assert [type(child).__name__ for child in model.children()] == ["Linear", "Linear", "BatchNorm1d"]


def test_named_modules_without_removing_duplicates_lists_every_name_and_cuts_cycles():
    model = _Tied()
    names = [name for name, _ in model.named_modules(remove_duplicate=False)]
    assert names == ["", "encoder", "decoder", "norm", "same_norm"]
    loop = nn.Sequential(nn.Identity())
    loop.append(loop)  # a module inside itself: listed once, not forever
    assert [name for name, _ in loop.named_modules(remove_duplicate=False)] == ["", "0"]


class _Counting(nn.Module):
    """A module with state beside its tensors: a step count kept through state_dict by get/set_extra_state."""

    def __init__(self):
        self.layer = nn.Linear(2, 2)
        self.steps = 0

    def get_extra_state(self):
        return {"steps": self.steps}

    def set_extra_state(self, state):
        self.steps = state["steps"]


def test_extra_state_has_its_entry_in_torchs_place_and_comes_back_on_load():
    model = nn.Sequential(_Counting(), nn.ReLU())
    model[0].steps = 7
    state = model.state_dict()
    assert list(state) == ["0._extra_state", "0.layer.weight", "0.layer.bias"]  # torch's order
    fresh = nn.Sequential(_Counting(), nn.ReLU())
    fresh.load_state_dict(state)
    assert fresh[0].steps == 7
    np.testing.assert_array_equal(fresh[0].layer.weight.data, model[0].layer.weight.data)


def test_missing_extra_state_is_a_missing_key_and_a_module_without_it_has_no_entry():
    state = _Counting().state_dict()
    del state["_extra_state"]
    with pytest.raises(ValueError, match=r'Missing key\(s\) in state_dict: "_extra_state"'):
        _Counting().load_state_dict(state)
    assert _Counting().load_state_dict(state, strict=False).missing_keys == ["_extra_state"]
    assert list(nn.Linear(2, 2).state_dict()) == ["weight", "bias"]
    with pytest.raises(RuntimeError, match="get_extra_state"):
        nn.Linear(2, 2).get_extra_state()


def test_load_state_dict_copies_into_buffers_in_place_so_shared_buffers_stay_shared_as_torchs():
    torch = pytest.importorskip("torch")

    def build(library):
        class SharedStatistics(library.Module):
            def __init__(self):
                super().__init__()
                self.first = library.BatchNorm1d(2)
                self.second = library.BatchNorm1d(2)
                self.second.running_mean = self.first.running_mean

        return SharedStatistics()

    model, reference = build(nn), build(torch.nn)
    held = model.first.running_mean
    state = {name: np.full(np.shape(value), 3, np.asarray(value).dtype) for name, value in model.state_dict().items()}
    model.load_state_dict(state)
    reference.load_state_dict({name: torch.from_numpy(value) for name, value in state.items()})
    assert (model.second.running_mean is model.first.running_mean) == (
        reference.second.running_mean is reference.first.running_mean
    )
    np.testing.assert_array_equal(held, reference.first.running_mean.numpy())  # the held array sees the load
    model.first(Tensor(np.arange(8, dtype=np.float32).reshape(4, 2)))  # training mode: the statistics move
    reference.first(torch.arange(8, dtype=torch.float32).reshape(4, 2))
    np.testing.assert_allclose(model.second.running_mean, reference.second.running_mean.numpy(), rtol=1e-6)


@pytest.mark.parametrize("assign", [False, True])
def test_torch_parameters_that_require_grad_load_as_torch_loads_them(assign):
    torch = pytest.importorskip("torch")
    reference = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    state = reference.state_dict(keep_vars=True)  # torch Parameters: numpy cannot read them without detach()
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert model.load_state_dict(state, assign=assign) == nn.IncompatibleKeys([], [])
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, state[name].detach().numpy())
    assert model[0].weight.requires_grad


class _Refusing(_Counting):
    """Extra state whose set_extra_state refuses a negative step count (after the tensors are loaded)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("seen", np.zeros(2))

    def set_extra_state(self, state):
        if state["steps"] < 0:
            raise ValueError("steps must be >= 0")
        super().set_extra_state(state)


@pytest.mark.parametrize("assign", [False, True])
def test_a_set_extra_state_that_raises_leaves_every_tensor_and_extra_state_as_before(assign):
    model = nn.Sequential(_Counting(), _Refusing())
    model[0].steps, model[1].steps = 3, 4
    held = model[1].seen
    before = {name: value.copy() for name, value in model.state_dict().items() if "_extra_state" not in name}
    versions = [parameter.version for parameter in model.parameters()]
    state = {name: value + 1.0 for name, value in before.items()}
    state.update({"0._extra_state": {"steps": 10}, "1._extra_state": {"steps": -1}})
    with pytest.raises(ValueError, match="steps must be >= 0"):
        model.load_state_dict(state, assign=assign)
    after = {name: value for name, value in model.state_dict().items() if "_extra_state" not in name}
    assert list(after) == list(before)
    for name, value in before.items():
        assert after[name].dtype == value.dtype
        np.testing.assert_array_equal(after[name], value)
    # the load wrote the parameters and the restore wrote them back: versions only grow, as torch's
    assert all(parameter.version > version for parameter, version in zip(model.parameters(), versions))
    assert (model[0].steps, model[1].steps) == (3, 4)
    assert model[1].seen is held


def test_unexpected_keys_are_listed_in_torchs_order_module_by_module():
    torch = pytest.importorskip("torch")

    def build(library):
        inner = library.Sequential(library.Linear(2, 2), library.ReLU())
        return library.Sequential(library.Linear(2, 2), inner, library.BatchNorm1d(2))

    model, reference = build(nn), build(torch.nn)
    extra = ["2.zz", "1.0.bias.x", "top", "0.aa", "1.yy", "9.weight", "1.0.more", "0.aa.b"]
    state = {**model.state_dict(), **{key: np.zeros(1) for key in extra}}
    torch_state = {**reference.state_dict(), **{key: torch.zeros(1) for key in extra}}
    expected = reference.load_state_dict(torch_state, strict=False).unexpected_keys
    assert model.load_state_dict(state, strict=False).unexpected_keys == expected
    with pytest.raises(
        RuntimeError, match=r"Unexpected key\(s\) in state_dict: " + ", ".join(f'"{key}"' for key in expected)
    ):
        model.load_state_dict(state)


@pytest.mark.parametrize("assign", [False, True])
def test_a_zero_dim_entry_loads_from_a_one_entry_vector_as_torch(assign):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    state = {name: np.array(value) for name, value in ours.state_dict().items()}
    state["num_batches_tracked"] = np.array([5])
    their_state = {name: torch.tensor(value) for name, value in state.items()}
    theirs.load_state_dict(their_state, assign=assign)
    ours.load_state_dict(state, assign=assign)
    assert np.shape(ours.num_batches_tracked) == tuple(theirs.num_batches_tracked.shape) == ()
    assert int(np.asarray(ours.num_batches_tracked)) == int(theirs.num_batches_tracked) == 5
    scale = nn.utils.weight_norm(nn.Linear(2, 2), dim=None)  # a 0-D parameter, weight_g
    with warnings.catch_warnings():  # torch's deprecation of its own weight_norm (the oracle's, not ours)
        warnings.simplefilter("ignore", FutureWarning)
        their_scale = torch.nn.utils.weight_norm(torch.nn.Linear(2, 2), dim=None)
    scale.load_state_dict({**scale.state_dict(), "weight_g": np.array([3.0], dtype=np.float32)}, assign=assign)
    their_scale.load_state_dict({**their_scale.state_dict(), "weight_g": torch.tensor([3.0])}, assign=assign)
    assert scale.weight_g.shape == tuple(their_scale.weight_g.shape) == ()
    assert float(scale.weight_g.data) == float(their_scale.weight_g.detach()) == 3.0
    for wrong in (np.array([5, 6]), np.array([[5]])):  # only one entry, in one axis
        with pytest.raises(RuntimeError):
            theirs.load_state_dict({**their_state, "num_batches_tracked": torch.tensor(wrong)})
        with pytest.raises(RuntimeError, match="size mismatch for num_batches_tracked"):
            ours.load_state_dict({**state, "num_batches_tracked": wrong})
    assert int(np.asarray(ours.num_batches_tracked)) == 5


def test_zero_grad_keeping_the_gradients_zeroes_them_in_place_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ours(Tensor(np.ones((1, 2), dtype=np.float32))).sum().backward()
    theirs(torch.ones(1, 2)).sum().backward()
    held, their_held = ours.weight.grad, theirs.weight.grad
    ours.zero_grad(set_to_none=False)
    theirs.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(held, their_held.numpy())  # the gradient held from before reads the zeros
    np.testing.assert_array_equal(held, np.zeros((2, 2)))
    ours(Tensor(np.ones((1, 2), dtype=np.float32))).sum().backward()
    theirs(torch.ones(1, 2)).sum().backward()
    np.testing.assert_array_equal(held, their_held.numpy())  # and what the next backward accumulates
    assert held.dtype == np.float32
    ours.zero_grad()
    assert ours.weight.grad is None


def test_state_dict_takes_torchs_deprecated_positional_arguments_with_its_warning():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    mine, their_dict = OrderedDict(), OrderedDict()
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        theirs.state_dict(their_dict, "net.", True)
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        returned = ours.state_dict(mine, "net.", True)
    assert returned is mine and list(mine) == list(their_dict) == ["net.weight", "net.bias"]
    assert mine["net.weight"] is ours.weight  # keep_vars=True, by position

    class Wrapped(nn.Module):  # older code: super().state_dict(destination, prefix, keep_vars)
        def __init__(self):
            self.fc = nn.Linear(2, 1)

        def state_dict(self, destination=None, prefix="", keep_vars=False):
            return super().state_dict(destination, prefix, keep_vars)

    with pytest.warns(FutureWarning):
        assert list(Wrapped().state_dict()) == ["fc.weight", "fc.bias"]
    with pytest.raises(TypeError):
        ours.state_dict(mine, "net.", True, "extra")


def test_state_dict_values_take_torchs_tensor_methods_and_stay_snapshots():
    # the "keep the best weights" idiom of torch code: {k: v.clone() ...}, then load it back
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    best = {key: value.clone() for key, value in model.state_dict().items()}
    state = model.state_dict()
    assert state["0.weight"].size() == (3, 2) and state["0.weight"].dim() == 2
    np.testing.assert_array_equal(state["0.bias"].cpu().numpy(), model[0].bias.data)
    model[0].weight.data[...] = 5.0
    assert not np.any(np.asarray(state["0.weight"]) == 5.0)  # a snapshot: the update does not reach it
    model.load_state_dict(best)
    np.testing.assert_array_equal(model[0].weight.data, np.asarray(best["0.weight"]))
