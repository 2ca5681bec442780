"""micrograd-style Neuron / Layer / MLP over Values."""

import math
import random

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, gradcheck


def test_parameters_are_ordered_layer_by_layer_weights_then_bias():
    model = nn.MLP(2, [3, 1], seed=0)
    params = model.parameters()
    assert len(params) == (2 * 3 + 3) + (3 * 1 + 1)
    first_neuron = model.layers[0].neurons[0]
    assert all(p is q for p, q in zip(params[:3], [*first_neuron.w, first_neuron.b]))
    last = model.layers[1].neurons[0]
    assert all(p is q for p, q in zip(params[-4:], [*last.w, last.b]))


def test_named_parameters_follow_the_attribute_structure():
    names = [name for name, _ in nn.MLP(2, [2, 1], seed=0).named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"


def test_last_layer_is_linear_by_default():
    model = nn.MLP(1, [1], seed=0)
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.b.data = -2.0, -1.0
    assert model([3.0]).data == -7.0  # no relu clipping at the output


def test_mlp_accepts_numbers_and_values():
    model = nn.MLP(3, [4, 2], seed=1)
    from_numbers = model([1.0, 2.0, 3.0])
    from_values = model([Value(1.0), Value(2.0), Value(3.0)])
    assert [v.data for v in from_numbers] == [v.data for v in from_values]


def test_same_seed_gives_same_weights():
    a, b = nn.MLP(2, [4, 1], seed=7), nn.MLP(2, [4, 1], seed=7)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_activation_is_chosen_by_name():
    neuron = nn.Neuron(1, activation="tanh", rng=random.Random(0))
    neuron.w[0].data, neuron.b.data = 1.0, 0.0
    assert neuron([0.5]).data == pytest.approx(math.tanh(0.5))
    with pytest.raises(ValueError, match="unknown activation 'swishy'"):
        nn.Neuron(1, activation="swishy")


def test_setting_a_neurons_activation_changes_what_it_computes():
    # as micrograd's neuron.nonlin = False; the name shown by repr is the function applied
    neuron = nn.Neuron(1, rng=random.Random(0))
    neuron.w[0].data, neuron.b.data = 1.0, 0.0
    neuron.activation = "tanh"
    assert neuron([-0.5]).data == pytest.approx(math.tanh(-0.5))
    layer = nn.Layer(1, 2, rng=random.Random(0))
    for unit in layer.neurons:
        unit.w[0].data, unit.b.data = 1.0, 0.0
        unit.activation = "linear"
    assert [v.data for v in layer([-0.5])] == [-0.5, -0.5]
    with pytest.raises(ValueError, match="unknown activation 'tahn'"):
        neuron.activation = "tahn"
    assert neuron.activation == "tanh"


def test_mlp_checks_its_hidden_activation_without_hidden_layers():
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP(2, [3], activation="gelu")
    assert nn.MLP(2, [3], activation="tanh").layers[0].neurons[0].activation == "linear"


def test_wrong_input_length_is_a_clear_error():
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        nn.Neuron(2)([1.0, 2.0, 3.0])


def test_zero_grad_resets_every_parameter():
    model = nn.MLP(2, [2, 1], seed=0)
    model([1.0, -1.0]).backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_parameter_gradients_match_finite_differences():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=3)
    x = [0.4, -0.9]
    neurons = [module for module in model.modules() if isinstance(module, nn.Neuron)]

    def output(*parameters):  # the model with gradcheck's float64 leaves in place of its parameters
        remaining = iter(parameters)
        for neuron in neurons:
            neuron.w = [next(remaining) for _ in neuron.w]
            neuron.b = next(remaining)
        return model(x)

    assert gradcheck(output, [p for neuron in neurons for p in [*neuron.w, neuron.b]])


def test_svm_training_separates_two_clusters():
    rng = random.Random(0)
    points = [([rng.gauss(-1, 0.3), rng.gauss(-1, 0.3)], -1.0) for _ in range(20)]
    points += [([rng.gauss(1, 0.3), rng.gauss(1, 0.3)], 1.0) for _ in range(20)]
    model = nn.MLP(2, [8, 1], seed=0)
    for _ in range(30):
        loss = Value.sum([(1 - y * model(x)).relu() for x, y in points]) * (1 / len(points))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    accuracy = sum((model(x).data > 0) == (y > 0) for x, y in points) / len(points)
    assert accuracy == 1.0


def test_repr_is_readable():
    assert repr(nn.Neuron(2, "tanh")) == "Neuron(2, activation='tanh')"
    assert "Layer(2, 3, activation='relu')" in repr(nn.MLP(2, [3, 1]))


def test_a_one_neuron_layer_returns_its_value_as_micrograds_does():
    layer = nn.Layer(2, 1, rng=random.Random(0))
    output = layer([1.0, -1.0])
    assert isinstance(output, Value)
    assert output.data == layer.neurons[0]([1.0, -1.0]).data
    output.backward()  # micrograd's Layer(3, 1)(x).backward()
    assert layer.neurons[0].w[0].grad == (1.0 if output.data > 0 else 0.0)
    several = nn.Layer(2, 3, rng=random.Random(0))([1.0, -1.0])
    assert isinstance(several, list) and len(several) == 3


def test_micrograds_positional_nonlin_chooses_the_activation():
    assert nn.Neuron(3, False).activation == "linear"
    assert nn.Neuron(3, True).activation == "relu"
    assert nn.Layer(3, 2, False).neurons[1].activation == "linear"
    x = [0.5, -2.0, 1.0]
    linear = nn.Neuron(3, False, seed=1)
    assert linear(x).data == pytest.approx(sum(w.data * xi for w, xi in zip(linear.w, x)) + linear.b.data)


def test_mlp_unwraps_a_single_output_and_keeps_several_as_a_list():
    assert isinstance(nn.MLP(2, [3, 1], seed=0)([1.0, -1.0]), Value)
    outputs = nn.MLP(2, [1, 2], seed=0)([1.0, -1.0])  # a one-neuron hidden layer feeds the next as a list
    assert isinstance(outputs, list) and len(outputs) == 2


def test_empty_layer_or_network_is_a_clear_error():
    with pytest.raises(ValueError, match="Layer: nout must be a positive integer, got 0"):
        nn.Layer(2, 0)
    with pytest.raises(ValueError, match=r"MLP: nouts must list at least one layer size, got \[\]"):
        nn.MLP(2, [])


def test_layer_calls_neurons_replaced_by_other_modules():
    layer = nn.Layer(2, 2, activation="linear", rng=random.Random(0))

    class Doubling(nn.Neuron):
        def forward(self, x):
            return super().forward(x) * 2.0

    replacement = Doubling(2, activation="linear", rng=random.Random(1))
    plain = layer([1.0, 2.0])[1].data
    layer.neurons[0] = replacement
    first, second = layer([1.0, 2.0])
    by_hand = replacement.w[0].data * 1.0 + replacement.w[1].data * 2.0 + replacement.b.data
    assert first.data == pytest.approx(2 * by_hand) and second.data == plain


def test_layer_wrong_input_length_is_a_clear_error():
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        nn.Layer(2, 3)([1.0, 2.0, 3.0])


def test_micrograds_nonlin_switch_chooses_relu_or_linear():
    linear, rectified = nn.Neuron(2, nonlin=False), nn.Neuron(2, nonlin=True)
    for neuron in (linear, rectified):
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, 1.0, 0.0
    assert linear([-1.0, -2.0]).data == -3.0 and rectified([-1.0, -2.0]).data == 0.0
    assert nn.Layer(2, 3, nonlin=False).neurons[2].activation == "linear"
    assert nn.Layer(2, 3).neurons[0].activation == "relu"


def test_parameters_in_nested_lists_are_found_and_trained():
    # minitorch's and micrograd-style code keep weights[i][j] as a list of lists of Values
    class Grid(nn.Module):
        def __init__(self) -> None:
            self.weights = [[Value(0.5) for _ in range(2)] for _ in range(3)]
            self.layers = [[nn.Linear(2, 2, rng=0)], (Value(0.1),)]

    grid = Grid()
    names = [name for name, _ in grid.named_parameters()]
    assert names[:6] == [f"weights.{i}.{j}" for i in range(3) for j in range(2)]
    assert names[6:] == ["layers.1.0", "layers.0.0.weight", "layers.0.0.bias"]  # own ones first, as torch
    assert [id(p) for p in grid.parameters()] == [id(p) for _, p in grid.named_parameters()]
    assert [name for name, _ in grid.named_modules()] == ["", "layers.0.0"]
    loss = sum(w * w for row in grid.weights for w in row)
    optimizer = nn.optim.SGD(grid.parameters(), lr=0.1)
    loss.backward()
    optimizer.step()
    assert grid.weights[2][1].data == pytest.approx(0.5 - 0.1 * 2 * 0.5)


@pytest.mark.parametrize(
    "make", [lambda **k: nn.Neuron(3, **k), lambda **k: nn.Layer(3, 2, **k), lambda **k: nn.MLP(3, [4, 1], **k)]
)
def test_scalar_networks_take_an_int_seed_as_rng_or_seed_and_draw_the_same_weights(make):
    def weights(**keywords):
        return [p.data for p in make(**keywords).parameters()]

    assert weights(rng=0) == weights(rng=0) == weights(seed=0) == weights(rng=random.Random(0))
    assert weights(rng=np.random.default_rng(3)) == weights(rng=np.random.default_rng(3))
    assert weights(rng=1) != weights(rng=0)
    with pytest.raises(TypeError, match="pass rng or seed, not both"):
        make(rng=0, seed=0)
    with pytest.raises(TypeError, match="rng must be a random.Random, a numpy Generator or an int seed, got float"):
        make(rng=0.5)


def test_a_frozen_scalar_model_keeps_its_parameters_and_saves_them(tmp_path):
    # as torch's frozen parameters: still parameters (skipped by optimizers), in the state dict, and unfreezable
    model = nn.MLP(3, [4, 1], seed=0)
    weights = [p.data for p in model.parameters()]
    model.requires_grad_(False)
    assert [p.data for p in model.parameters()] == weights
    assert not any(p.requires_grad for p in model.parameters())
    assert len(model.state_dict()) == len(weights)
    nn.save(model, tmp_path / "frozen.npz")
    assert [p.data for p in nn.load(tmp_path / "frozen.npz").parameters()] == weights
    model.requires_grad_(True)
    assert all(p.requires_grad for p in model.parameters())


def test_a_neurons_weight_frozen_by_hand_stays_a_parameter_but_gets_no_update():
    model = nn.MLP(2, [2, 1], seed=0)
    frozen = model.layers[0].neurons[0].w[0]
    frozen.requires_grad = False
    before = frozen.data
    assert any(p is frozen for p in model.parameters())
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    model([1.0, 2.0]).backward()
    optimizer.step()
    assert frozen.data == before


def test_a_constant_value_held_by_a_module_is_not_a_parameter():
    class Scaled(nn.Module):
        def __init__(self):
            self.scale = Value(2.0, requires_grad=False)
            self.weight = Value(0.5)

        def forward(self, x):
            return self.scale * self.weight * x

    assert [p.data for p in Scaled().parameters()] == [0.5]


def test_a_computed_value_held_by_a_module_is_not_a_parameter():
    class Cached(nn.Module):
        def __init__(self):
            self.weight = Value(0.5)
            self.doubled = self.weight * 2.0  # recorded from the weight: no leaf, so no parameter (as torch's)
            self.extra = [Value(1.5), self.weight * self.weight]

    assert [p.data for p in Cached().parameters()] == [0.5, 1.5]


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: nn.MLP(3, 4), TypeError, r"nouts must be a list of layer sizes, as MLP\(3, \[4, 4, 1\]\), got int"),
        (lambda: nn.MLP(3, [4, 1], seed=0)(1.0), TypeError, "expected a list of input numbers or Values.*got float"),
        (lambda: nn.MLP(3, [4, 1], seed=0)({1: 1, 2: 2, 3: 3}), TypeError, "got dict"),
        (lambda: nn.MLP(3, [4, 1], seed=0)({1.0, 2.0, 3.0}), TypeError, "got set"),
        (lambda: nn.Neuron(2)(Value(1.0)), TypeError, "Neuron: expected a list.*got Value"),
        (  # Nielsen's column vectors
            lambda: nn.MLP(3, [4, 1], seed=0)(np.ones((3, 1))),
            TypeError,
            r"got a 2-d ndarray of shape \(3, 1\); pass its numbers as one list: x.ravel\(\).tolist\(\)",
        ),
        (
            lambda: nn.Layer(3, 2)(Tensor(np.ones(3))),
            TypeError,
            r"Layer: .*got a 1-d Tensor of shape \(3,\); pass its numbers as one list: x.ravel\(\).tolist\(\)",
        ),
        (lambda: nn.Neuron(3, False, nonlin=True), TypeError, "Neuron: nonlin given twice"),
        (lambda: nn.Neuron(2, activation="tanh", nonlin=True), TypeError, "pass activation or micrograd's nonlin"),
        (lambda: nn.Layer(2, 3, "relu", nonlin=False), TypeError, "pass activation or micrograd's nonlin"),
    ],
)
def test_scalar_networks_name_what_is_wrong_with_their_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_scalar_networks_take_any_ordered_sequence_of_inputs():
    model = nn.MLP(3, [4, 1], seed=0)
    expected = model([1.0, 2.0, 3.0]).data
    assert model((1.0, 2.0, 3.0)).data == expected
    assert model(np.array([1.0, 2.0, 3.0])).data == expected
    assert model(range(1, 4)).data == expected
    assert nn.Layer(2, 3, nonlin=False, seed=0).neurons[0].activation == "linear"
    assert nn.Neuron(2, seed=0).activation == "relu"


def test_a_value_whose_grad_was_set_to_none_prints():
    v = Value(2.0)
    v.grad = None
    assert repr(v) == "Value(data=2.0, grad=None)"


def test_micrograds_nonlin_attribute_reads_and_switches_the_activation():
    # micrograd's Neuron keeps nonlin as an attribute that its __call__ reads: setting it changes the neuron
    neuron = nn.Neuron(2, seed=0)
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, 1.0, 0.0
    assert neuron.nonlin is True and neuron([-1.0, -2.0]).data == 0.0  # relu(-3)
    neuron.nonlin = False
    assert neuron.nonlin is False and neuron.activation == "linear" and neuron([-1.0, -2.0]).data == -3.0
    neuron.nonlin = True
    assert neuron.activation == "relu" and neuron([-1.0, -2.0]).data == 0.0
    assert nn.Neuron(2, activation="tanh").nonlin is True


def _micrograd_parameters(sizes: list[int]) -> list[float]:
    """The parameters micrograd 0.1.0's nn draws for layers of these sizes from Python's random state, in its
    parameters() order: each neuron's weights random.uniform(-1, 1), one per input, then its bias Value(0)."""
    return [
        value
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
        for _ in range(n_out)
        for value in [*(random.uniform(-1, 1) for _ in range(n_in)), 0]
    ]


@pytest.mark.parametrize(
    "ours, sizes",
    [
        (lambda: nn.Neuron(3), [3, 1]),
        (lambda: nn.Layer(3, 4), [3, 4]),
        (lambda: nn.MLP(2, [16, 16, 1]), [2, 16, 16, 1]),
    ],
)
def test_unseeded_scalar_networks_draw_from_pythons_random_as_micrograd_so_random_seed_reproduces_them(
    ours, sizes, monkeypatch
):
    # micrograd's demo seeds with random.seed(1337) and gets the same model on every run, micrograd's weights
    monkeypatch.setattr("autograd.random_state._seeded", None)  # no autograd.manual_seed in effect
    random.seed(1337)
    expected = _micrograd_parameters(sizes)
    random.seed(1337)
    assert [p.data for p in ours().parameters()] == expected
    assert [p.data for p in ours().parameters()] != expected  # the stream goes on, as micrograd's


def test_an_activation_given_as_a_function_of_one_value_is_applied():
    # deck 001's Leaky ReLU max(0.1x, x) has no name here (the name "leaky_relu" has slope 0.01); before, a function
    # was an "unknown activation"
    neuron = nn.Neuron(1, activation=lambda v: v.leaky_relu(0.1), rng=random.Random(0))
    neuron.w[0].data, neuron.b.data = 1.0, 0.5
    out = neuron([-2.5])
    out.backward()
    assert out.data == pytest.approx(max(0.1 * -2.0, -2.0)) and neuron.w[0].grad == pytest.approx(0.1 * -2.5)
    assert repr(neuron).startswith("Neuron(1, activation=") and repr(neuron).endswith("<lambda>)") and neuron.nonlin
    model = nn.MLP(2, [3, 1], activation=Value.tanh, output_activation=Value.sigmoid, seed=0)
    by_name = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    assert model([0.5, -1.0]).data == by_name([0.5, -1.0]).data
    assert repr(model.layers[0]) == "Layer(2, 3, activation=Value.tanh)"
    with pytest.raises(ValueError, match=r"unknown activation 3; .* or pass a function of one Value"):
        nn.Neuron(1, activation=3)
    with pytest.raises(ValueError, match=r"activation tanh gave a float for a Value, not a Value"):
        nn.Neuron(1, activation=math.tanh)  # a function of plain numbers would cut the graph
    for layer in (nn.Tanh(), nn.Tanh):  # torch's habit: a Tensor layer, refused when the model is built
        with pytest.raises(ValueError, match=r"unknown activation .*Tanh.*: a Tensor layer, .*\(Value\.tanh\)"):
            nn.MLP(2, [3, 1], activation=layer)


def test_torchs_parameter_count_counts_a_scalar_mlp_as_its_tensor_twin():
    # before, Value had no numel(): the count students copy from torch raised AttributeError on a scalar model
    scalar = nn.MLP(10, [8, 4, 1], seed=0)
    tensor = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1))
    by_hand = (10 * 8 + 8) + (8 * 4 + 4) + (4 * 1 + 1)
    assert sum(p.numel() for p in scalar.parameters()) == len(scalar.parameters()) == by_hand
    assert sum(p.numel() for p in tensor.parameters()) == by_hand
