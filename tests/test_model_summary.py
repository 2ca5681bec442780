"""Tests for nn.summary: rows and totals against hand-computed counts, AlexNet's table, the model left
unchanged, shared modules, and argument errors."""

import numpy as np
import pytest

import nn
from nn.model_summary import ModelSummary, SummaryRow


def test_small_sequential_rows_and_totals_match_hand_computed_counts():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=0),  # 4*1*3*3 + 4 = 40
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 10, rng=0),  # 64*10 + 10 = 650
        nn.Linear(10, 3, bias=False, rng=0),  # 30
    )
    result = nn.summary(model, (2, 1, 8, 8))
    assert isinstance(result, ModelSummary)
    assert result.rows == [
        SummaryRow("0", "Conv2d", (2, 4, 8, 8), 40, 40),
        SummaryRow("1", "ReLU", (2, 4, 8, 8), 0, 0),
        SummaryRow("2", "MaxPool2d", (2, 4, 4, 4), 0, 0),
        SummaryRow("3", "Flatten", (2, 64), 0, 0),
        SummaryRow("4", "Linear", (2, 10), 650, 650),
        SummaryRow("5", "Linear", (2, 3), 30, 30),
    ]
    assert result.total_params == result.trainable_params == 720
    text = str(result)
    assert "Total params: 720" in text and "Trainable params: 720" in text and "Non-trainable params: 0" in text
    assert text.splitlines()[0].split() == ["Layer", "Type", "Output", "shape", "Param", "#"]
    assert ["4", "Linear", "(2,", "10)", "650"] in [line.split() for line in text.splitlines()]


def test_alexnet_table_has_the_standard_shapes_and_62_378_344_parameters():
    result = nn.summary(nn.models.alexnet(rng=0), (1, 3, 227, 227))
    convolutions = [(row.output_shape, row.params) for row in result.rows if row.kind == "Conv2d"]
    assert convolutions == [
        ((1, 96, 55, 55), 34_944),
        ((1, 256, 27, 27), 614_656),
        ((1, 384, 13, 13), 885_120),
        ((1, 384, 13, 13), 1_327_488),
        ((1, 256, 13, 13), 884_992),
    ]
    pools = [row.output_shape for row in result.rows if row.kind == "MaxPool2d"]
    assert pools == [(1, 96, 27, 27), (1, 256, 13, 13), (1, 256, 6, 6)]
    linears = [(row.name, row.output_shape, row.params) for row in result.rows if row.kind == "Linear"]
    assert linears == [
        ("classifier.0", (1, 4096), 37_752_832),
        ("classifier.3", (1, 4096), 16_781_312),
        ("classifier.6", (1, 1000), 4_097_000),
    ]
    assert [row.kind for row in result.rows].count("LocalResponseNorm") == 2
    assert result.total_params == result.trainable_params == 62_378_344
    assert sum(row.params for row in result.rows) == 62_378_344
    lines = [line.split() for line in str(result).splitlines()]
    assert ["features.0", "Conv2d", "(1,", "96,", "55,", "55)", "34,944"] in lines
    assert ["Total", "params:", "62,378,344"] in lines


class _Frozen(nn.Module):
    """A leaf with a trainable and a frozen parameter, and a non-leaf holding it and a parameter of its own."""

    def __init__(self):
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.offset = nn.Parameter(np.zeros(3, dtype=np.float32), requires_grad=False)

    def forward(self, x):
        return x * self.scale + self.offset


class _Outer(nn.Module):
    def __init__(self):
        self.inner = _Frozen()
        self.gain = nn.Parameter(np.ones(1, dtype=np.float32))

    def forward(self, x):
        return self.inner(x) * self.gain


def test_frozen_parameters_and_parameters_of_non_leaf_modules_count_in_the_totals():
    result = nn.summary(_Outer(), (2, 3))
    assert result.rows == [SummaryRow("inner", "_Frozen", (2, 3), 6, 3)]
    assert (result.total_params, result.trainable_params, result.non_trainable_params) == (7, 4, 3)
    assert "Non-trainable params: 3" in str(result)


def test_a_module_run_twice_has_two_rows_and_its_parameters_counted_once():
    shared = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    result = nn.summary(model, (1, 3))
    assert [(row.name, row.params) for row in result.rows] == [("0", 12), ("1", 0), ("0", 0)]
    assert result.total_params == 12


def test_summary_leaves_the_model_unchanged():
    model = nn.Sequential(nn.Linear(4, 6, rng=0), nn.BatchNorm1d(6), nn.Dropout(0.5, rng=1), nn.Linear(6, 2, rng=0))
    model.train()
    state = {name: array.copy() for name, array in model.state_dict().items()}
    nn.summary(model, (5, 4))
    assert all(module.training for module in model.modules())
    assert all("forward" not in vars(module) for module in model.modules())
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, state[name])
    untouched = nn.Dropout(0.5, rng=1)
    probe = np.ones((3, 6), dtype=np.float32)
    np.testing.assert_array_equal(model[2](probe).data, untouched(probe).data)  # no dropout draw was spent


def test_summary_in_eval_mode_stays_in_eval_mode():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Dropout(0.2))
    model.eval()
    nn.summary(model, (1, 2))
    assert not any(module.training for module in model.modules())


class _Failing(nn.Module):
    def __init__(self):
        self.first = nn.Linear(2, 2, rng=0)

    def forward(self, x):
        self.first(x)
        raise RuntimeError("broken model")


def test_a_failing_forward_still_restores_every_module():
    model = _Failing()
    with pytest.raises(RuntimeError, match="broken model"):
        nn.summary(model, (1, 2))
    assert "forward" not in vars(model.first)
    assert model.training and model.first.training


def test_an_instance_forward_set_by_the_user_is_put_back():
    layer = nn.Linear(2, 3, rng=0)

    def custom_forward(x):
        return nn.Linear.forward(layer, x) * 2

    layer.forward = custom_forward
    result = nn.summary(layer, (1, 2))
    assert result.rows == [SummaryRow("Linear", "Linear", (1, 3), 9, 9)]
    assert layer.forward is custom_forward


@pytest.mark.parametrize(
    ("model", "shape", "dtype", "error", "message"),
    [
        (nn.Linear(2, 2), (1, 2.0), np.float32, TypeError, r"summary: input_shape must be a tuple of ints"),
        (nn.Linear(2, 2), "1, 2", np.float32, TypeError, r"summary: input_shape must be a tuple of ints"),
        (nn.Linear(2, 2), (0, 2), np.float32, ValueError, r"summary: input_shape sizes must be positive, got \(0, 2\)"),
        (nn.Linear(2, 2), (1, 2), "U3", TypeError, "summary: dtype must be a real numpy dtype"),
        (lambda x: x, (1, 2), np.float32, TypeError, "summary: model must be an nn.Module, got function"),
    ],
)
def test_summary_rejects_bad_arguments(model, shape, dtype, error, message):
    with pytest.raises(error, match=message):
        nn.summary(model, shape, dtype=dtype)


def test_a_model_taking_indices_is_summarised_with_an_integer_dtype():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(8, 2))
    table = nn.summary(model, (3, 2), dtype=np.int64)
    assert [row.output_shape for row in table.rows] == [(3, 2, 4), (3, 8), (3, 2)]
    assert table.total_params == 10 * 4 + 8 * 2 + 2


def test_the_input_dtype_defaults_to_the_models_own():
    table = nn.summary(nn.Sequential(nn.Linear(3, 2)).double(), (1, 3))
    assert table.rows[0].params == 8


def test_a_parameter_shared_by_two_layers_counts_in_one_row_so_the_rows_add_up():
    first, second = nn.Linear(3, 3), nn.Linear(3, 3)
    second.weight = first.weight
    table = nn.summary(nn.Sequential(first, second), (1, 3))
    assert [row.params for row in table.rows] == [12, 3] and table.total_params == 15


def test_a_scalar_value_network_is_refused_with_what_to_use_instead():
    # nn.MLP of the micrograd lecture takes a list of numbers: summary's Tensor batch reached the parameters' dtype
    # and failed with AttributeError: 'float' object has no attribute 'dtype'
    model = nn.MLP(3, [4, 4, 1], seed=0)
    with pytest.raises(TypeError, match=r"summary: MLP is a network of scalar Values .* counts its 41 parameters"):
        nn.summary(model, (1, 3))
    assert len(model.parameters()) == 3 * 4 + 4 + 4 * 4 + 4 + 4 + 1  # the count the message gives, by hand
