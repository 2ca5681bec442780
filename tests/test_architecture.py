"""Tests for nn.architecture: checkpoints record what built the model, nn.load rebuilds it, and a
different architecture is refused with the difference named."""

import numpy as np
import pytest

import nn
from nn import architecture, serialization


def _mlp(activation=nn.ReLU, hidden=8):
    return nn.Sequential(nn.Linear(4, hidden, rng=0), activation(), nn.Linear(hidden, 3, rng=1))


LIBRARY_MODELS = [
    lambda: _mlp(),
    lambda: nn.models.digits_cnn(rng=0),
    lambda: nn.Sequential(
        nn.Linear(4, 6, bias=False, dtype=np.float64),
        nn.BatchNorm1d(6, momentum=None, dtype=np.float64),
        nn.PReLU(6, dtype=np.float64),
        nn.Residual(nn.Sequential(nn.Linear(6, 6, dtype=np.float64), nn.Swish(learnable=True, dtype=np.float64))),
        nn.Maxout(6, 4, pieces=3, dtype=np.float64),
        nn.ACONC(4, dtype=np.float64),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.25),
        nn.Linear(4, 2, dtype=np.float64),
        nn.LogSoftmax(axis=1),
    ),
    lambda: nn.Sequential(nn.Conv2d(1, 2, (3, 2), stride=2, padding=1), nn.AvgPool2d(2), nn.Flatten(), nn.Identity()),
]


@pytest.mark.parametrize("make", LIBRARY_MODELS)
def test_load_rebuilds_the_saved_model_with_identical_outputs(tmp_path, make):
    model = make()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module(np.random.default_rng(0).normal(size=(5, 6)))
    path = nn.save(model, tmp_path / "model.npz")
    rebuilt = nn.load(path)
    assert repr(rebuilt) == repr(model)
    assert architecture.describe(rebuilt) == architecture.describe(model)
    shape = (3, 1, 8, 8) if any(isinstance(m, (nn.Conv2d)) for m in model.modules()) else (3, 4)
    x = np.random.default_rng(1).normal(size=shape)
    model.eval(), rebuilt.eval()
    x = x.astype(next(iter(model.parameters())).dtype)
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)


def test_expected_shapes_agree_with_the_built_models_state():
    for make in LIBRARY_MODELS:
        model = make()
        expected = architecture.expected_shapes(architecture.describe(model))
        assert expected == {name: array.shape for name, array in model.state_dict().items()}


def test_scalar_mlp_round_trips(tmp_path):
    model = nn.MLP(3, [4, 4, 1], activation="tanh", seed=2)
    rebuilt = nn.load(nn.save(model, tmp_path / "mlp.npz"))
    assert [p.data for p in rebuilt.parameters()] == [p.data for p in model.parameters()]
    assert rebuilt([0.1, 0.2, 0.3]).data == model([0.1, 0.2, 0.3]).data
    assert architecture.describe(rebuilt)["config"]["activation"] == "tanh"


def test_scalar_mlp_with_a_changed_layer_or_neuron_records_no_architecture(tmp_path):
    # MLP(nin, nouts, activation, output_activation) would rebuild another function: load must not guess
    changed_layer = nn.MLP(2, [3, 3, 1], activation="relu", seed=1)
    changed_layer.layers[1] = nn.Layer(3, 3, activation="tanh", seed=2)
    changed_neuron = nn.MLP(2, [3, 1], seed=1)
    changed_neuron.layers[0].neurons[1].activation = "sigmoid"
    for name, model in [("layer", changed_layer), ("neuron", changed_neuron)]:
        path = nn.save(model, tmp_path / f"{name}.npz")
        with pytest.raises(nn.SerializationError, match="records no architecture.*use load_into"):
            nn.load(path)
    rebuilt = nn.MLP(2, [3, 1], seed=5)
    rebuilt.layers[0].neurons[1].activation = "sigmoid"
    serialization.load_into(rebuilt, tmp_path / "neuron.npz")
    assert rebuilt([0.5, -0.25]).data == changed_neuron([0.5, -0.25]).data


def test_loading_into_another_activation_names_the_difference(tmp_path):
    path = nn.save(_mlp(nn.ReLU), tmp_path / "relu.npz")
    tanh_net = _mlp(nn.Tanh)
    before = tanh_net[0].weight.data.copy()
    with pytest.raises(
        nn.SerializationError,
        match=r"relu.npz: saved from a different architecture: model.1: the file has ReLU, the model has Tanh",
    ):
        serialization.load_into(tanh_net, path)
    np.testing.assert_array_equal(tanh_net[0].weight.data, before)


def test_loading_into_other_options_names_each_option(tmp_path):
    path = nn.save(nn.Sequential(nn.Linear(4, 4), nn.LeakyReLU(0.1), nn.Dropout(0.5)), tmp_path / "m.npz")
    with pytest.raises(nn.StateDictError) as caught:
        serialization.load_into(
            nn.Sequential(nn.Linear(4, 4, dtype=np.float64), nn.LeakyReLU(0.3), nn.Dropout(0.5)), path
        )
    message = str(caught.value)
    assert "model.0 (Linear): dtype is 'float32' in the file, 'float64' in the model" in message
    assert "model.1 (LeakyReLU): negative_slope is 0.1 in the file, 0.3 in the model" in message


def test_strict_false_skips_the_architecture_comparison(tmp_path):
    path = nn.save(_mlp(nn.ReLU), tmp_path / "relu.npz")
    tanh_net = _mlp(nn.Tanh, hidden=8)
    serialization.load_into(tanh_net, path, strict=False)
    np.testing.assert_array_equal(tanh_net[0].weight.data, _mlp()[0].weight.data)


class Unregistered(nn.Module):
    def __init__(self):
        self.linear = nn.Linear(2, 2, rng=0)

    def forward(self, x):
        return self.linear(x)


@nn.register_module
class Scaled(nn.Module):
    def __init__(self, width, scale=2.0, inner=None):
        self.width, self.scale = width, scale
        self.inner = inner if inner is not None else nn.Linear(width, width, rng=0)

    def config(self):
        return {"width": self.width, "scale": self.scale, "inner": self.inner}

    def forward(self, x):
        return self.inner(x) * self.scale


def test_unregistered_module_is_saved_without_a_record_and_load_says_so(tmp_path):
    path = nn.save(Unregistered(), tmp_path / "user.npz")
    assert serialization.read(path)["architecture"] is None
    with pytest.raises(nn.SerializationError, match="user.npz: records no architecture.*use load_into"):
        nn.load(path)
    target = Unregistered()
    serialization.load_into(target, path)


def test_registered_user_module_round_trips(tmp_path):
    model = Scaled(3, scale=0.5, inner=nn.Linear(3, 3, rng=4))
    record = architecture.describe(model)
    assert record["class"] == f"{__name__}.Scaled" and record["config"]["inner"]["class"] == "Linear"
    rebuilt = nn.load(nn.save(model, tmp_path / "scaled.npz"))
    assert isinstance(rebuilt, Scaled) and rebuilt.scale == 0.5
    np.testing.assert_array_equal(rebuilt.inner.weight.data, model.inner.weight.data)


def test_register_module_needs_a_module_class_with_config():
    with pytest.raises(TypeError, match="needs a config"):
        nn.register_module(Unregistered)
    with pytest.raises(TypeError, match="expected a Module subclass"):
        nn.register_module(len)


@pytest.mark.parametrize(
    ("record", "pattern"),
    [
        ({"class": "os.system", "config": {}}, "unknown module class 'os.system'"),
        ({"class": "Linear", "config": {"in_features": "x", "out_features": 2, "bias": True}}, "bad Linear config"),
        (
            {"class": "Linear", "config": {"in_features": 2, "out_features": 2, "bias": True, "evil": 1}},
            "cannot rebuild Linear",
        ),
        ({"modules": []}, "expected {'class': name, 'config'"),
    ],
)
def test_bad_records_are_serialization_errors(tmp_path, record, pattern):
    import json

    path = nn.save(nn.Linear(2, 2), tmp_path / "m.npz")
    with np.load(path) as archive_file:
        arrays = {name: archive_file[name] for name in archive_file.files}
    arrays["architecture"] = np.array(json.dumps(record))
    np.savez(path, **arrays)
    with pytest.raises(nn.SerializationError, match=pattern):
        nn.load(path)


def test_deeply_nested_model_is_saved_without_a_record():
    model = nn.Linear(2, 2)
    for _ in range(architecture.MAX_DEPTH + 1):
        model = nn.Sequential(model)
    with pytest.raises(architecture.NotRecordableError, match="deeper than"):
        architecture.describe(model)


def test_alexnet_record_gives_its_state_shapes_without_building():
    model = nn.models.alexnet(num_classes=7, groups=2, rng=0)
    record = architecture.describe(model)
    assert record == {"class": "AlexNet", "config": {"num_classes": 7, "groups": 2}}
    expected = architecture.expected_shapes(record)
    assert expected == {name: parameter.shape for name, parameter in model.named_parameters()}


def test_local_response_norm_round_trips(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.LocalResponseNorm(3, alpha=1e-3, beta=0.5, k=2.0))
    rebuilt = nn.load(nn.save(model, tmp_path / "lrn.npz"))
    assert repr(rebuilt) == repr(model)


def test_module_list_and_dict_round_trip_with_their_state_names(tmp_path):
    model = nn.Sequential(
        nn.ModuleDict({"head": nn.Sequential(nn.Linear(4, 5), nn.Tanh())}), nn.ModuleList([nn.Linear(5, 3)])
    )
    record = architecture.describe(model)
    assert architecture.expected_shapes(record) == {name: array.shape for name, array in model.state_dict().items()}
    rebuilt = nn.load(nn.save(model, tmp_path / "containers.npz"))
    assert repr(rebuilt) == repr(model)
    np.testing.assert_array_equal(rebuilt[0]["head"][0].weight.data, model[0]["head"][0].weight.data)


def test_max_pool_ceil_mode_survives_save_and_load(tmp_path):
    model = nn.Sequential(nn.MaxPool2d(2, ceil_mode=True))
    rebuilt = nn.load(nn.save(model, tmp_path / "ceil.npz"))
    assert rebuilt[0].ceil_mode
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    assert rebuilt(x).shape == model(x).shape == (1, 1, 3, 3)


def test_a_record_written_before_ceil_mode_was_recorded_still_matches_a_default_max_pool():
    record = architecture.describe(nn.Sequential(nn.MaxPool2d(2)))
    assert "ceil_mode" not in record["config"]["modules"][0]["config"]  # as files written before
    assert architecture.differences(record, architecture.describe(nn.Sequential(nn.MaxPool2d(2, ceil_mode=True))))


def test_pool_geometry_is_recorded_as_passed_and_a_pair_record_still_matches_an_int_built_pool(tmp_path):
    model = nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(3, stride=1, padding=1))
    configs = [module["config"] for module in architecture.describe(model)["config"]["modules"]]
    assert configs[0] == {"kernel_size": 2, "stride": 2, "padding": 0, "dilation": 1}
    assert configs[1] == {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": True}
    # files written when the pools kept pairs record [2, 2] etc. for the same layers
    as_pairs = nn.Sequential(nn.MaxPool2d((2, 2), (2, 2), (0, 0), (1, 1)), nn.AvgPool2d((3, 3), (1, 1), (1, 1)))
    path = nn.save(as_pairs, tmp_path / "pools_as_pairs.npz")
    record = nn.serialization.read(path)["architecture"]
    assert record["config"]["modules"][0]["config"]["kernel_size"] == [2, 2]
    assert architecture.differences(record, architecture.describe(model)) == []
    nn.serialization.load_into(model, path)  # strict: refuses another architecture
    assert architecture.differences(architecture.describe(nn.Sequential(nn.MaxPool2d(3), model[1])), record)
    x = np.random.default_rng(1).standard_normal((1, 2, 6, 6))
    np.testing.assert_array_equal(nn.load(path)(x).data, model(x).data)
