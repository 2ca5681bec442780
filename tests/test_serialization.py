"""Tests for nn.serialization: exact .npz round trips of module and nested optimizer state,
no pickle, and bad files that raise clear errors and change nothing."""

import json
import math

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn import serialization


def _model(seed=0):
    return nn.Sequential(
        nn.Linear(3, 4, rng=seed), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2, dtype=np.float64, rng=seed + 1)
    )


def _trained(seed=0):
    model = _model(seed)
    model[:3](np.random.default_rng(seed).normal(size=(6, 3)).astype(np.float32))  # float32 part: BN statistics
    return model


def _assert_states_equal(a, b):
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].shape == b[name].shape, name
        np.testing.assert_array_equal(a[name], b[name])


OPTIMIZER_STATE = {
    "state": {
        0: {"step": 3, "exp_avg": np.arange(6, dtype=np.float32).reshape(2, 3), "exp_avg_sq": np.ones(3)},
        1: {"step": np.int64(7), "max": np.float32(2.5), "flag": np.bool_(True), "rate": 0.5},
        2: {},
    },
    "param_groups": [
        {
            "lr": 0.1,
            "betas": (0.9, 0.999),
            "amsgrad": False,
            "weight_decay": 0,
            "eps": 1e-8,
            "maximize": None,
            "name": "encoder",
            "params": [0, 1],
        },
        {"lr": 0.01, "params": [2], "empty_tuple": (), "nan": math.nan, "low": -math.inf},
    ],
}


def _assert_exactly_equal(a, b, where="state"):
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert type(key) is type(next(k for k in b if k == key))
            _assert_exactly_equal(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b)):
            _assert_exactly_equal(x, y, f"{where}[{index}]")
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b), where
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b, where


def test_module_state_round_trips_exactly(tmp_path):
    model = _trained()
    path = serialization.save(model, tmp_path / "model.npz")
    assert path == tmp_path / "model.npz" and path.exists()
    contents = serialization.read(path)
    _assert_states_equal(contents["model"], model.state_dict())
    assert contents["optimizer"] is None
    fresh = _model(seed=5)
    serialization.load_into(fresh, path)
    _assert_states_equal(fresh.state_dict(), model.state_dict())


def test_path_is_used_as_given_without_an_added_suffix(tmp_path):
    path = serialization.save(nn.Linear(2, 2), tmp_path / "weights.state")
    assert path.name == "weights.state" and sorted(p.name for p in tmp_path.iterdir()) == ["weights.state"]


def test_a_plain_state_dict_can_be_saved(tmp_path):
    state = {"w": np.arange(3, dtype=np.int16), "v": Tensor(np.ones(2, dtype=np.float32))}
    contents = serialization.read(serialization.save(state, tmp_path / "s.npz"))
    assert contents["model"]["w"].dtype == np.int16 and contents["model"]["v"].dtype == np.float32


def test_load_of_a_saved_state_dict_gives_it_back_for_load_state_dict(tmp_path):
    """torch's save/load pattern: torch.save(model.state_dict(), path); model.load_state_dict(torch.load(path))."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3, rng=0), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 3, rng=1))
    model[1].running_mean[:] = [0.5, -0.25]
    path = nn.save(model.state_dict(), tmp_path / "mnist_cnn.pt")
    state = nn.load(path)
    assert list(state) == list(model.state_dict())
    twin = nn.Sequential(nn.Conv2d(1, 2, 3, rng=2), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 3, rng=3))
    twin.load_state_dict(state)
    for (name, got), expected in zip(twin.state_dict().items(), model.state_dict().values()):
        assert got.dtype == expected.dtype, name
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(nn.SerializationError, match="records no architecture"):  # weights and an optimizer: load_into
        nn.load(nn.save(model.state_dict(), tmp_path / "both.npz", optimizer=nn.optim.SGD(model.parameters(), lr=0.1)))


def test_file_is_readable_without_pickle(tmp_path):
    path = serialization.save(_model(), tmp_path / "m.npz", optimizer=OPTIMIZER_STATE)
    with np.load(path, allow_pickle=False) as archive:
        assert all(archive[key].dtype != object for key in archive.files)


def test_optimizer_state_round_trips_types_keys_and_dtypes(tmp_path):
    path = serialization.save(_model(), tmp_path / "m.npz", optimizer=OPTIMIZER_STATE)
    _assert_exactly_equal(OPTIMIZER_STATE, serialization.read(path)["optimizer"])


def _deeply_nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        ({"state": {}}, "exactly the keys"),
        ({"state": {1.5: {}}, "param_groups": []}, "int indices"),
        ({"state": {0: {"a/b": 1}}, "param_groups": []}, "plain name"),
        ({"state": {0: {"s": {1, 2}}}, "param_groups": []}, "is a set"),
        ({"state": {0: {"o": np.array([None])}}, "param_groups": []}, "dtype object"),
        ({"state": {}, "param_groups": [{"params": [], "nested": [(1, [2.0])]}]}, "flat tuples"),
        ({"state": {}, "param_groups": [{"params": [], "deep": _deeply_nested(100_000)}]}, "flat tuples"),
        ({"state": {}, "param_groups": [{"params": [0.5]}]}, "int indices"),
    ],
)
def test_optimizer_state_outside_the_fixed_layout_is_refused_on_save(tmp_path, bad, pattern):
    with pytest.raises(TypeError, match=pattern):
        serialization.save(nn.Linear(2, 2), tmp_path / "m.npz", optimizer=bad)
    assert not any(tmp_path.iterdir())


def _write(path, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


def _file_with(tmp_path, model, change):
    arrays = {"format": np.array(serialization.FORMAT)}
    arrays.update({"model/" + k: v for k, v in model.state_dict().items()})
    change(arrays)
    return _write(tmp_path / "bad.npz", **arrays)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda a: a.pop("model/0.bias"), r'Missing key\(s\) in state_dict: "0\.bias"'),
        (lambda a: a.update({"model/9.weight": np.zeros(2)}), r'Unexpected key\(s\) in state_dict: "9\.weight"'),
        (
            lambda a: a.update({"model/3.weight": np.zeros((4, 2))}),
            r"size mismatch for 3\.weight: .* shape torch\.Size\(\[4, 2\]\) .* model is torch\.Size\(\[2, 4\]\)",
        ),
        (
            lambda a: a.update({"model/0.weight": np.full((4, 3), "x")}),
            r'"0\.weight", expected torch\.Tensor or Tensor-like object',
        ),
        (lambda a: a.pop("format"), f"not a {serialization.FORMAT} file"),
        (lambda a: a.update({"stray": np.zeros(1)}), "unknown entries stray"),
    ],
)
def test_bad_model_part_raises_and_leaves_module_unchanged(tmp_path, change, pattern):
    model = _trained()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    path = _file_with(tmp_path, model, change)
    with pytest.raises(ValueError, match=pattern):
        serialization.load_into(model, path)
    _assert_states_equal(model.state_dict(), before)


def test_every_problem_is_listed_at_once(tmp_path):
    def change(arrays):
        arrays.pop("model/0.bias")
        arrays["model/extra"] = np.zeros(1)
        arrays["model/3.bias"] = np.zeros(5)

    with pytest.raises(nn.StateDictError) as caught:
        serialization.load_into(_model(), _file_with(tmp_path, _model(), change))
    assert all(word in str(caught.value) for word in ["0.bias", "extra", "3.bias", "torch.Size([5])"])


def test_strict_false_ignores_missing_and_unexpected_keys(tmp_path):
    source = _trained()
    path = _file_with(tmp_path, source, lambda a: (a.pop("model/0.bias"), a.update({"model/x": np.ones(1)})))
    target = _model(seed=9)
    bias_before = target[0].bias.data.copy()
    serialization.load_into(target, path, strict=False)
    np.testing.assert_array_equal(target[0].bias.data, bias_before)
    np.testing.assert_array_equal(target[0].weight.data, source[0].weight.data)


def test_text_file_and_single_npy_are_not_state_files(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello, I am not an archive")
    with pytest.raises(serialization.SerializationError, match="not a readable .npz file"):
        serialization.read(text)
    single = tmp_path / "array.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(serialization.SerializationError, match="array.npy: not a readable .npz file"):
        serialization.read(single)
    truncated = tmp_path / "cut.npz"
    truncated.write_bytes(serialization.save(_model(), tmp_path / "ok.npz").read_bytes()[:200])
    with pytest.raises(serialization.SerializationError):
        serialization.read(truncated)


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_a_file_torch_save_wrote_is_refused_as_such_and_leaves_the_model_unchanged(tmp_path, legacy):
    torch = pytest.importorskip("torch")
    model = _model()
    path = tmp_path / "torch.pt"
    torch.save(
        {name: torch.tensor(np.asarray(value)) for name, value in model.state_dict().items()},
        path,
        _use_new_zipfile_serialization=not legacy,
    )
    before = {name: np.array(value) for name, value in model.state_dict().items()}
    for reader in (nn.load, serialization.read, lambda f: serialization.load_into(model, f)):
        with pytest.raises(serialization.SerializationError, match="written by torch.save or pickle"):
            reader(path)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    with open(path, "rb") as file:  # (an open file too)
        with pytest.raises(serialization.SerializationError, match="torch.load"):
            nn.load(file)


def test_pickled_object_arrays_are_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, format=np.array(serialization.FORMAT), **{"model/w": np.array([{"evil": 1}], dtype=object)})
    model = nn.Linear(2, 2)
    before = model.weight.data.copy()
    with pytest.raises(serialization.SerializationError, match="pickled object array.*pickle is refused"):
        serialization.load_into(model, path)
    np.testing.assert_array_equal(model.weight.data, before)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        serialization.read(tmp_path / "nope.npz")


def test_corrupt_optimizer_layout_is_a_clear_error(tmp_path):
    arrays = {"format": np.array(serialization.FORMAT)}
    arrays["optimizer/layout"] = np.array('{"param_groups": [], "state": {"0": {"m": "array"}}}')
    with pytest.raises(serialization.SerializationError, match="missing array 'optimizer/state/0/m'"):
        serialization.read(_write(tmp_path / "a.npz", **arrays))
    arrays["optimizer/layout"] = np.array("{not json")
    with pytest.raises(serialization.SerializationError, match="a.npz|b.npz") as caught:
        serialization.read(_write(tmp_path / "b.npz", **arrays))
    assert "optimizer layout is not valid JSON" in str(caught.value)
    arrays["optimizer/layout"] = np.array('{"param_groups": [], "state": {}}')
    arrays["optimizer/state/0/m"] = np.zeros(1)
    with pytest.raises(serialization.SerializationError, match="unknown entries optimizer/state/0/m"):
        serialization.read(_write(tmp_path / "c.npz", **arrays))
    arrays.pop("optimizer/state/0/m")
    arrays["optimizer/layout"] = np.array('{"param_groups": [{"lr": [[0.1]]}], "state": {}}')
    with pytest.raises(serialization.SerializationError, match="option 'lr' has an unexpected value"):
        serialization.read(_write(tmp_path / "d.npz", **arrays))


def test_load_into_with_optimizer_needs_optimizer_state(tmp_path):
    model = _trained()
    path = serialization.save(model, tmp_path / "m.npz")

    class Recorder:
        def load_state_dict(self, state):
            raise AssertionError("must not be called")

    with pytest.raises(serialization.SerializationError, match="no optimizer state"):
        serialization.load_into(_model(), path, optimizer=Recorder())


def test_model_is_validated_before_the_optimizer_is_touched(tmp_path):
    calls = []

    class Recorder:
        def load_state_dict(self, state):
            calls.append(state)

    path = _file_with(tmp_path, _model(), lambda a: a.pop("model/0.bias"))
    with pytest.raises(nn.StateDictError):
        serialization.load_into(_model(), path, optimizer=Recorder())
    assert calls == []


def test_failed_optimizer_load_leaves_the_module_unchanged(tmp_path):
    class Refuses:
        def state_dict(self):
            return {"state": {}, "param_groups": []}

        def load_state_dict(self, state):
            raise ValueError("optimizer refuses")

    path = serialization.save(_trained(1), tmp_path / "m.npz", optimizer=Refuses())
    model = _model(seed=2)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="optimizer refuses"):
        serialization.load_into(model, path, optimizer=Refuses())
    _assert_states_equal(model.state_dict(), before)


def test_a_model_value_the_module_refuses_leaves_the_optimizer_untouched(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(np.ones((4, 2), np.float32)).sum().backward()
    optimizer.step()
    state = model.state_dict()
    state["1.num_batches_tracked"] = np.array(np.nan)  # the header (a float scalar) passes, the value cannot be a count
    path = serialization.save(state, tmp_path / "m.npz", optimizer=optimizer)
    fresh = nn.Sequential(nn.Linear(2, 3, rng=1), nn.BatchNorm1d(3))
    fresh_optimizer = nn.optim.SGD(fresh.parameters(), lr=0.5)
    before = {k: v.copy() for k, v in fresh.state_dict().items()}
    with pytest.raises(serialization.CheckpointMismatchError, match=r"(?s)m\.npz.*num_batches_tracked"):
        serialization.load_into(fresh, path, optimizer=fresh_optimizer)
    _assert_states_equal(fresh.state_dict(), before)
    assert fresh_optimizer.state_dict()["state"] == {} and fresh_optimizer.param_groups[0]["lr"] == 0.5


def test_adam_state_round_trips_and_training_continues_identically(tmp_path):
    optim = pytest.importorskip("nn.optim")
    x = np.random.default_rng(0).normal(size=(16, 3))
    target = np.random.default_rng(1).normal(size=(16, 2))

    def steps(model, optimizer, count):
        for _ in range(count):
            optimizer.zero_grad()
            ((model(x) - target) ** 2).mean().backward()
            optimizer.step()

    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64, rng=0), nn.Tanh(), nn.Linear(4, 2, dtype=np.float64, rng=1))
    optimizer = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99), amsgrad=True)
    steps(model, optimizer, 3)
    path = serialization.save(model, tmp_path / "run.npz", optimizer=optimizer)
    _assert_exactly_equal(optimizer.state_dict(), serialization.read(path)["optimizer"])

    clone = nn.Sequential(nn.Linear(3, 4, dtype=np.float64, rng=7), nn.Tanh(), nn.Linear(4, 2, dtype=np.float64, rng=8))
    clone_optimizer = optim.Adam(clone.parameters(), lr=0.5)
    serialization.load_into(clone, path, optimizer=clone_optimizer)
    steps(model, optimizer, 2)
    steps(clone, clone_optimizer, 2)
    _assert_states_equal(clone.state_dict(), model.state_dict())


def test_a_counter_saved_as_a_float_loads_into_its_integer_buffer_truncated():
    norm = nn.BatchNorm1d(3)
    state = norm.state_dict()
    state["num_batches_tracked"] = np.array(5.0)  # as a state converted through floats holds it
    norm.load_state_dict(state)
    assert norm.num_batches_tracked.dtype == np.int64 and int(norm.num_batches_tracked) == 5
    state["num_batches_tracked"] = np.array(6.5)  # truncated, as torch's copy_ casts
    norm.load_state_dict(state)
    assert int(norm.num_batches_tracked) == 6
    for fraction in (np.nan, 1e300):
        state["num_batches_tracked"] = np.array(fraction)
        with pytest.raises(nn.StateDictError, match='"num_batches_tracked".* cannot become int64'):
            norm.load_state_dict(state)
        assert int(norm.num_batches_tracked) == 6  # nothing half-changed


def test_load_gives_back_the_modes_the_model_was_saved_in(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Sequential(nn.BatchNorm1d(3)))
    model.eval()
    model[2].train()  # a sub-module back in training mode
    path = nn.save(model, tmp_path / "m.pt")
    loaded = nn.load(path)
    assert [sub.training for _, sub in loaded.named_modules()] == [sub.training for _, sub in model.named_modules()]
    model.train()
    assert all(sub.training for _, sub in nn.load(nn.save(model, tmp_path / "t.pt")).named_modules())


def test_a_mode_entry_naming_a_missing_module_is_refused(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3))
    arrays = {"format": np.array(serialization.FORMAT), "evaluating": np.array('["9"]')}
    arrays["architecture"] = np.array(json.dumps(nn.architecture.describe(model)))
    arrays.update({"model/" + k: v for k, v in model.state_dict().items()})
    with pytest.raises(serialization.SerializationError, match="eval mode that the model does not have: 9"):
        nn.load(_write(tmp_path / "bad.npz", **arrays))


def test_a_state_dict_that_does_not_fit_raises_what_torch_code_catches():
    layer = nn.Linear(2, 3)
    before = layer.weight.data.copy()
    for error in (RuntimeError, ValueError, nn.StateDictError):  # torch's class and the library's
        with pytest.raises(error, match=r'Missing key\(s\) in state_dict: "bias"'):
            layer.load_state_dict({"weight": np.zeros((3, 2))})
    np.testing.assert_array_equal(layer.weight.data, before)


def test_a_module_with_a_weight_norm_hook_is_saved_without_a_record_and_loads_into_its_twin(tmp_path):
    # its state (weight_g, weight_v) is not what a Linear's record rebuilds: nn.load asks for load_into, which works
    module = nn.utils.weight_norm(nn.Linear(3, 4, rng=0))
    path = nn.save(module, tmp_path / "weight_norm.npz")
    with pytest.raises(serialization.SerializationError, match="records no architecture"):
        nn.load(path)
    twin = nn.utils.weight_norm(nn.Linear(3, 4, rng=1))
    serialization.load_into(twin, path)
    np.testing.assert_array_equal(twin.weight_v.data, module.weight_v.data)
    np.testing.assert_array_equal(twin.weight_g.data, module.weight_g.data)


def test_model_values_are_validated_before_the_optimizer_is_touched(tmp_path):
    # the headers fit (a float64 scalar for the int64 num_batches_tracked may hold a count); the value NaN
    # does not: refused before the optimizer loads, so neither the optimizer nor the module changes
    calls = []

    class Recorder:
        def state_dict(self):
            return {"state": {}, "param_groups": []}

        def load_state_dict(self, state):
            calls.append(state)

    state = _trained(1).state_dict()
    state["2.num_batches_tracked"] = np.array(np.nan)
    path = serialization.save(state, tmp_path / "m.npz", optimizer=Recorder())
    model = _model(seed=2)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(nn.StateDictError, match=r"2\.num_batches_tracked"):
        serialization.load_into(model, path, optimizer=Recorder())
    assert calls == []
    _assert_states_equal(model.state_dict(), before)


def test_saving_into_a_missing_directory_names_that_directory_and_is_torchs_runtime_error(tmp_path):
    torch = pytest.importorskip("torch")
    target = tmp_path / "no_such_directory" / "model.npz"
    with pytest.raises(RuntimeError, match="does not exist") as reference:
        torch.save({}, target)
    assert str(target.parent) in str(reference.value)
    with pytest.raises(FileNotFoundError) as error:
        serialization.save(nn.Linear(2, 2), target)
    assert isinstance(error.value, RuntimeError) and error.value.filename == str(target)
    assert str(target.parent) in str(error.value) and ".tmp" not in str(error.value)


def test_saving_onto_a_directory_names_it_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError) as error:
        serialization.save(nn.Linear(2, 2), tmp_path / "taken")
    assert error.value.filename == str(tmp_path / "taken") and ".tmp" not in str(error.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


class _Scaled(nn.Module):
    """A layer with an array of extra state that its set_extra_state refuses when negative."""

    def __init__(self):
        self.linear = nn.Linear(2, 2, rng=0, dtype=np.float64)
        self.scale = np.array([1.0])

    def forward(self, x):
        return self.linear(x) * float(self.scale[0])

    def get_extra_state(self):
        return self.scale.copy()

    def set_extra_state(self, state):
        if state[0] < 0:
            raise ValueError("scale must be >= 0")
        self.scale = state.copy()


def test_an_extra_state_the_module_refuses_leaves_the_optimizer_as_it_was(tmp_path):
    model = _Scaled()
    optimizer = nn.optim.Adam(model.parameters(), lr=0.1)
    model(np.ones((1, 2))).sum().backward()
    optimizer.step()
    model.scale = np.array([-1.0])
    path = serialization.save(model, tmp_path / "m.npz", optimizer=optimizer)
    fresh = _Scaled()
    fresh_optimizer = nn.optim.Adam(fresh.parameters(), lr=0.5)
    before = {k: v.copy() for k, v in fresh.state_dict().items()}
    with pytest.raises(ValueError, match="scale must be >= 0"):
        serialization.load_into(fresh, path, optimizer=fresh_optimizer)
    _assert_states_equal(fresh.state_dict(), before)
    assert fresh_optimizer.state_dict()["state"] == {} and fresh_optimizer.param_groups[0]["lr"] == 0.5


def test_save_and_load_take_open_binary_files_and_torchs_load_keywords(tmp_path):
    """word_language_model's ``with open(path, 'wb') as f: torch.save(model, f)`` and generate.py's
    ``with open(path, 'rb') as f: model = torch.load(f, map_location=device)`` (also in memory, as torch's)."""
    import io

    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer)
    buffer.seek(0)
    assert torch.load(buffer, map_location="cpu", weights_only=True)["w"].tolist() == [1.0, 1.0]

    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    model[2].eval()
    path = tmp_path / "model.pt"
    with open(path, "wb") as f:
        assert nn.save(model, f) is None  # as torch.save; the file stays open for the caller
        assert not f.closed
    with open(path, "rb") as f:
        rebuilt = nn.load(f, map_location=torch.device("cpu"), weights_only=False)
        assert not f.closed
    _assert_states_equal(rebuilt.state_dict(), model.state_dict())
    assert [m.training for m in rebuilt.modules()] == [m.training for m in model.modules()]

    buffer = io.BytesIO()
    nn.save(model.state_dict(), buffer)
    buffer.seek(0)
    state = nn.load(buffer, map_location="cpu")
    _assert_states_equal(state, model.state_dict())

    buffer = io.BytesIO()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    nn.save(model, buffer, optimizer=optimizer)
    buffer.seek(0)
    twin = nn.Sequential(nn.Linear(3, 4, rng=2), nn.Tanh(), nn.Linear(4, 2, rng=3))
    serialization.load_into(twin, buffer, optimizer=nn.optim.SGD(twin.parameters(), lr=0.1))
    _assert_states_equal(twin.state_dict(), model.state_dict())

    with pytest.raises(ValueError, match="map_location"):
        nn.load(io.BytesIO(), map_location="cuda")
    with pytest.raises(nn.SerializationError, match="not a readable .npz"):
        nn.load(io.BytesIO(b"not a zip file"))


def test_an_array_saved_alone_loads_back_as_that_array(tmp_path):
    """time_sequence_prediction's generate_sine_wave.py saves its data with ``torch.save(data, f)`` (a numpy
    array) and train.py reads it with ``torch.from_numpy(torch.load('traindata.pt'))``."""
    torch = pytest.importorskip("torch")
    data = np.sin(np.arange(12).reshape(3, 4) / 20.0)
    with open(tmp_path / "torch.pt", "wb") as f:
        torch.save(data, f)
    expected = torch.load(tmp_path / "torch.pt", weights_only=False)
    with open(tmp_path / "traindata.pt", "wb") as f:
        nn.save(data, f)
    got = nn.load(tmp_path / "traindata.pt")
    assert type(got) is type(expected) is np.ndarray
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)

    tensor = Tensor(np.arange(6, dtype=np.int32).reshape(2, 3))
    loaded = nn.load(nn.save(tensor, tmp_path / "tensor.pt"))
    assert isinstance(loaded, Tensor) and loaded.dtype == np.int32
    np.testing.assert_array_equal(loaded.data, tensor.data)

    with pytest.raises(nn.SerializationError, match="holds an array saved alone"):
        serialization.load_into(nn.Linear(4, 3), tmp_path / "traindata.pt")
    with pytest.raises(TypeError, match="optimizer"):
        nn.save(data, tmp_path / "x.pt", optimizer=nn.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1))
    with pytest.raises(TypeError, match="numeric"):
        nn.save(np.array(["a", "b"]), tmp_path / "x.pt")


def test_save_and_load_take_torchs_keyword_names_obj_and_f(tmp_path):
    # Zero to Mastery's workflow: torch.save(obj=model.state_dict(), f=MODEL_SAVE_PATH), torch.load(f=MODEL_SAVE_PATH)
    model = nn.Linear(1, 1, rng=0)
    path = tmp_path / "01_pytorch_workflow_model_0.pth"
    nn.save(obj=model.state_dict(), f=path)
    loaded = nn.Linear(1, 1, rng=1)
    loaded.load_state_dict(nn.load(f=path))
    np.testing.assert_array_equal(loaded.weight.data, model.weight.data)
    np.testing.assert_array_equal(loaded.bias.data, model.bias.data)
    with pytest.raises(TypeError, match="f= .*torch's name for path"):
        nn.save(model.state_dict(), path, f=path)
    with pytest.raises(TypeError, match="obj= .*torch's name for module_or_state"):
        nn.save(model.state_dict(), obj=model.state_dict(), f=path)
    with pytest.raises(TypeError, match="f= .*torch's name for path"):
        nn.load(path, f=path)


def test_lbfgs_state_saved_beside_the_model_resumes_the_run_step_for_step(tmp_path):
    """LBFGS's state holds lists (its direction and step histories, ``al``, ``ro``): saved beside the model and loaded
    back, the run continues with the uninterrupted run's losses (before, saving it was a TypeError)."""
    x = np.random.default_rng(0).normal(size=(16, 3))
    target = np.random.default_rng(1).normal(size=(16, 2))

    def run(model, optimizer, count):
        def closure():
            optimizer.zero_grad()
            loss = ((model(x) - target) ** 2).mean()
            loss.backward()
            return loss

        return [float(optimizer.step(closure).item()) for _ in range(count)]

    def fresh(seed):
        model = nn.Sequential(
            nn.Linear(3, 4, dtype=np.float64, rng=seed), nn.Tanh(), nn.Linear(4, 2, dtype=np.float64, rng=seed + 1)
        )
        return model, nn.optim.LBFGS(model.parameters(), lr=0.5, max_iter=3, history_size=4)

    model, optimizer = fresh(0)
    run(model, optimizer, 2)
    path = serialization.save(model, tmp_path / "run.npz", optimizer=optimizer)
    saved = serialization.read(path)["optimizer"]
    _assert_exactly_equal(optimizer.state_dict(), saved)
    assert isinstance(saved["state"][0]["old_dirs"], list) and saved["state"][0]["old_dirs"]
    clone, clone_optimizer = fresh(7)
    serialization.load_into(clone, path, optimizer=clone_optimizer)
    assert run(clone, clone_optimizer, 3) == run(model, optimizer, 3)
    _assert_states_equal(clone.state_dict(), model.state_dict())


def test_a_corrupt_list_in_the_optimizer_layout_is_a_clear_error(tmp_path):
    arrays = {"format": np.array(serialization.FORMAT)}
    arrays["optimizer/layout"] = np.array('{"param_groups": [], "state": {"0": {"h": {"list": [1.0, "array"]}}}}')
    with pytest.raises(serialization.SerializationError, match="missing array 'optimizer/state/0/h/1'"):
        serialization.read(_write(tmp_path / "a.npz", **arrays))
    arrays["optimizer/layout"] = np.array('{"param_groups": [], "state": {"0": {"h": {"list": [[1.0]]}}}}')
    with pytest.raises(serialization.SerializationError, match="optimizer state 0/'h' has an unexpected value"):
        serialization.read(_write(tmp_path / "b.npz", **arrays))


def test_load_takes_torchs_mmap_keyword_and_refuses_it_for_an_open_file_as_torch(tmp_path):
    """``torch.load(path, map_location="cpu", weights_only=True, mmap=True)`` (the large-checkpoint spelling) reads
    the same state; mmap=True with an open file is torch's ValueError."""
    import io

    torch = pytest.importorskip("torch")
    model = nn.Linear(3, 2, rng=0)
    path = tmp_path / "w.pt"
    nn.save(model.state_dict(), path)
    for mmap in (True, False, None):
        _assert_states_equal(nn.load(path, map_location="cpu", weights_only=True, mmap=mmap), model.state_dict())
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(1)}, buffer)
    buffer.seek(0)
    with pytest.raises(ValueError, match="file path in order to use the mmap argument"):
        torch.load(buffer, mmap=True)
    with open(path, "rb") as f, pytest.raises(ValueError, match="file path in order to use the mmap argument"):
        nn.load(f, mmap=True)


def _shares_a_layer():
    layer = nn.Linear(2, 2, rng=0)
    return nn.Sequential(layer, nn.Tanh(), layer)


def _ties_a_weight():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh(), nn.Linear(2, 2, rng=1))
    model[2].weight = model[0].weight
    return model


@pytest.mark.parametrize("make", [_shares_a_layer, _ties_a_weight], ids=["shared layer", "tied weight"])
def test_a_model_sharing_parameters_is_never_rebuilt_untied_by_load(tmp_path, make):
    """A record rebuilds each layer on its own: a model whose parameters are shared (a layer used twice, tied
    weights) would come back from nn.load with separate copies that train apart. It is saved without a record, so
    nn.load asks for load_into, which fills a twin built with the sharing, and the sharing stays."""
    model = make()
    path = nn.save(model, tmp_path / "shared.npz")
    with pytest.raises(serialization.SerializationError, match="records no architecture"):
        nn.load(path)
    twin = make()
    with no_grad():
        for parameter in twin.parameters():
            parameter.data[...] = 0.0
    serialization.load_into(twin, path)
    assert twin[2].weight is twin[0].weight
    _assert_states_equal(twin.state_dict(), model.state_dict())


def test_a_model_reusing_a_stateless_layer_still_loads_rebuilt(tmp_path):
    activation = nn.Tanh()
    model = nn.Sequential(nn.Linear(2, 3, rng=0), activation, nn.Linear(3, 2, rng=1), activation)
    rebuilt = nn.load(nn.save(model, tmp_path / "m.npz"))
    _assert_states_equal(rebuilt.state_dict(), model.state_dict())
