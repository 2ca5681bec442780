"""Names and behaviours ported PyTorch code relies on: zero_grad(set_to_none), containers, dtypes, grad_fn."""

import re
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor, Value, grad, tensor


def test_zero_grad_set_to_none_on_module_and_optimizer():
    layer = nn.Linear(2, 2, rng=0)
    layer(np.ones((1, 2), dtype=np.float32)).sum().backward()
    layer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(layer.weight.grad, np.zeros((2, 2), dtype=np.float32))
    assert layer.weight.grad.dtype == np.float32
    layer.zero_grad()
    assert layer.weight.grad is None
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.1)
    layer(np.ones((1, 2), dtype=np.float32)).sum().backward()
    optimizer.zero_grad(set_to_none=True)
    assert layer.weight.grad is None and layer.bias.grad is None


def test_zero_grad_on_values_gives_zero():
    model = nn.MLP(2, [2, 1], seed=0)
    model([1.0, 2.0]).backward()
    model.zero_grad(set_to_none=True)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_module_list_registers_its_modules_with_torch_names():
    class Stack(nn.Module):
        def __init__(self):
            self.layers = nn.ModuleList([nn.Linear(2, 2, rng=i) for i in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).relu()
            return x

    model = Stack()
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"layers.{i}.{p}" for i in range(3) for p in ("weight", "bias")]
    assert len(model.layers) == 3 and isinstance(model.layers[-1], nn.Linear)
    model.layers.append(nn.Linear(2, 2, rng=9))
    assert len(model.parameters()) == 8
    assert model(np.ones((1, 2), dtype=np.float32)).shape == (1, 2)
    restored = Stack()
    restored.layers.append(nn.Linear(2, 2, rng=5))
    restored.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(restored.layers[3].weight.data, model.layers[3].weight.data)
    with pytest.raises(TypeError, match="not a Module"):
        nn.ModuleList([nn.ReLU(), 3])


def test_module_dict_registers_its_modules_by_key():
    heads = nn.ModuleDict({"digit": nn.Linear(4, 10), "parity": nn.Linear(4, 2)})
    assert list(heads.keys()) == ["digit", "parity"] and "digit" in heads
    assert [name for name, _ in heads.named_parameters()] == [
        "digit.weight",
        "digit.bias",
        "parity.weight",
        "parity.bias",
    ]
    heads["extra"] = nn.Linear(4, 1)
    assert len(heads) == 3
    with pytest.raises(KeyError, match="no module named 'missing'"):
        heads["missing"]
    with pytest.raises(KeyError, match="without '.'"):
        heads["a.b"] = nn.ReLU()


def test_module_list_and_dict_match_torch_parameter_names():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleDict({"a": nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 1)])})
    theirs = torch.nn.ModuleDict({"a": torch.nn.ModuleList([torch.nn.Linear(2, 3), torch.nn.Linear(3, 1)])})
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_float_input_into_a_float32_layer_raises_naming_both_dtypes_and_the_fixes():
    layer = nn.Linear(2, 1)
    with pytest.raises(
        TypeError,
        match=r"Linear: input dtype float64 \(input shape \(1, 2\)\) .* \(float32\).*x\.astype\(np\.float32\).*model\.double",
    ):
        layer(tensor([[1.0, 2.0]]))
    with pytest.raises(TypeError, match=r"Conv2d: input dtype float64 \(input shape \(1, 1, 4, 4\)\)"):
        nn.Conv2d(1, 1, 3)(np.zeros((1, 1, 4, 4)))
    with pytest.raises(TypeError, match=r"BatchNorm1d: input dtype float64"):
        nn.BatchNorm1d(2)(np.zeros((3, 2)))
    assert layer.weight.dtype == np.float32  # nothing changed


def test_lists_take_the_layer_dtype():
    layer = nn.Linear(2, 1, rng=0)
    assert layer([[1.0, 2.0]]).dtype == np.float32


def test_to_double_and_float_cast_in_place_keeping_parameter_objects():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3), nn.Linear(3, 1, rng=1))
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    before = model.parameters()
    assert model.double() is model
    assert all(p is q for p, q in zip(before, model.parameters()))
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model[1].running_mean.dtype == np.float64
    model(tensor([[1.0, 2.0], [0.5, 0.0]])).sum().backward()
    optimizer.step()  # the optimizer still holds the same parameters
    assert all(p.dtype == np.float64 for p in model.parameters())
    model.float()
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers stay
    assert model.to("cpu") is model
    with pytest.raises(TypeError, match="floating-point dtype"):
        model.to(np.int32)


def test_grad_fn_and_requires_grad_():
    x = Tensor([1.0, 2.0])
    assert x.grad_fn is None
    assert x.requires_grad_() is x and x.requires_grad
    y = (x * 2).sum()
    assert y.grad_fn.name == "sum"
    assert Value(1.0).grad_fn is None


def test_reading_grad_of_a_non_retained_intermediate_warns_and_points_to_retain_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    hidden.sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert hidden.grad is None
    kept = x * 3
    kept.retain_grad()
    kept.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(kept.grad, [1.0, 1.0])
        assert x.grad is not None  # leaves never warn


def test_value_refuses_strings_and_arrays():
    with pytest.raises(TypeError, match="expected a real number, got str '3'"):
        Value("3")
    with pytest.raises(TypeError, match="use autograd.Tensor"):
        Value(1.0) * np.array([1.0, 2.0])
    with pytest.raises(TypeError, match="use autograd.Tensor"):
        np.array([1.0, 2.0]) * Value(1.0)
    assert Value(np.float32(2.0)).data == 2.0 and Value(np.array(3.0)).data == 3.0


def _torch_initialised_order(model):
    visited = []
    model.apply(lambda module: visited.append(type(module).__name__))
    return visited


def test_apply_visits_children_before_parents_in_torch_order():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), nn.Linear(2, 1))
    assert _torch_initialised_order(model) == ["Linear", "ReLU", "Sequential", "Linear", "Sequential"]
    torch = pytest.importorskip("torch")
    reference = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()), torch.nn.Linear(2, 1))
    assert _torch_initialised_order(reference) == _torch_initialised_order(model)


def test_apply_reinitialises_weights_and_returns_the_model():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))

    def init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, 0.5)
            nn.init.zeros_(module.bias)

    assert model.apply(init_weights) is model
    assert all((p.data == 0.5).all() or (p.data == 0).all() for p in model.parameters())


def test_requires_grad_false_freezes_every_parameter():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters()) and len(model.parameters()) == 4
    y = model(np.ones((3, 2), dtype=np.float32))
    assert not y.requires_grad
    model[0].requires_grad_()
    assert [p.requires_grad for p in model.parameters()] == [True, True, False, False]


def test_add_module_and_register_parameter_name_members_like_attributes():
    model = nn.Module()
    model.add_module("encoder", nn.Linear(2, 3, rng=0))
    model.register_module("head", nn.Linear(3, 1, rng=1))
    model.register_parameter("scale", nn.Parameter(np.ones(1)))
    model.register_parameter("unused", None)
    assert [name for name, _ in model.named_parameters()] == [  # a module's own parameters first, as torch
        "scale",
        "encoder.weight",
        "encoder.bias",
        "head.weight",
        "head.bias",
    ]
    assert model.get_submodule("encoder") is model.encoder and model.get_submodule("") is model
    assert model.get_parameter("head.bias") is model.head.bias and model.get_parameter("scale") is model.scale


def test_register_parameter_takes_a_leaf_value_as_attribute_assignment_does():
    # a scalar module's parameters registered by name in a loop (minitorch's add_parameter, ported)
    model = nn.Module()
    model.weight = Value(2.0)
    for i in range(2):
        model.register_parameter(f"extra_{i}", Value(float(i)))
    model.register_parameter("frozen", Value(5.0, requires_grad=False))  # registered: a parameter though frozen
    assert [name for name, _ in model.named_parameters()] == ["weight", "extra_0", "extra_1", "frozen"]
    assert model.state_dict()["extra_1"] == 1.0 and model.get_parameter("frozen").data == 5.0
    (model.weight * model.extra_1 + model.extra_0).backward()
    assert (model.weight.grad, model.extra_0.grad, model.extra_1.grad) == (1.0, 1.0, 2.0)
    computed = Value(1.0) * 3
    with pytest.raises(TypeError, match="register_parameter: 'scaled' must be a leaf Value"):
        model.register_parameter("scaled", computed)
    assert not hasattr(model, "scaled")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m: m.add_module("forward", nn.ReLU()), KeyError),
        (lambda m: m.add_module("a.b", nn.ReLU()), KeyError),
        (lambda m: m.add_module(3, nn.ReLU()), TypeError),
        (lambda m: m.add_module("x", np.ones(2)), TypeError),
        (lambda m: m.register_parameter("weight", np.ones(2)), TypeError),
        (lambda m: m.register_parameter("running_mean", nn.Parameter(np.ones(2))), KeyError),
        (lambda m: m.register_parameter("training", nn.Parameter(np.ones(2))), KeyError),
    ],
)
def test_registration_refuses_bad_names_and_members_without_changing_the_module(call, error):
    model = nn.BatchNorm1d(2)
    before = list(model.state_dict())
    with pytest.raises(error):
        call(model)
    assert list(model.state_dict()) == before and callable(model.forward)


def test_get_submodule_and_get_parameter_name_the_missing_step():
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 2)))
    assert model.get_submodule("0.0") is model[0][0]
    with pytest.raises(AttributeError, match="'1'"):
        model.get_submodule("0.1")
    with pytest.raises(AttributeError, match="not a parameter"):
        model.get_parameter("0.0.nothing")


def test_results_of_operations_on_a_parameter_are_plain_tensors_as_torch():
    p = nn.Parameter(np.array([1.0, -2.0]))
    (second,) = grad((p * p).sum(), [p], create_graph=True)
    for result in (p.clone(), p * 1, p.detach(), p.sum(), p.relu(), p[0], second):
        assert type(result) is Tensor, type(result)
    np.testing.assert_array_equal(p.clone().data, p.data)
    assert p.clone().data is not p.data


def test_values_format_round_and_convert_like_python_numbers():
    v = Value(2.345)
    assert f"{v:.2f}" == "2.35" and f"{v:>7.1f}" == "    2.3" and f"{v}" == str(v)
    assert round(v) == 2 and isinstance(round(v), int) and round(v, 1) == 2.3
    assert int(Value(-2.7)) == -2 and v.item() == 2.345 and isinstance(v.item(), float)
    loss = (v * v).relu()
    assert f"loss {loss:.3f}" == f"loss {2.345**2:.3f}"  # the usual progress line, straight from a Value


def test_zero_dim_tensors_format_as_their_number_with_an_empty_spec_like_torch():
    torch = pytest.importorskip("torch")
    # the MIT 6.S191 lab's print(f"`integer` is a {integer.ndim}-d Tensor: {integer}") prints the number
    for ours, theirs in [
        (Tensor(np.array(1234)), torch.tensor(1234)),
        (Tensor(np.array(3.5, dtype=np.float32)), torch.tensor(3.5)),
        (Tensor(np.array(True)), torch.tensor(True)),
        (Tensor(np.array(-0.25), requires_grad=True), torch.tensor(-0.25, dtype=torch.float64, requires_grad=True)),
    ]:
        assert f"{ours}" == f"{theirs}" and format(ours) == format(theirs)
    assert f"{Tensor(np.array([1, 2]))}" == str(Tensor(np.array([1, 2])))  # other shapes keep str, as torch's


def test_one_element_tensors_format_as_numbers_and_round_like_numpy():
    t = Tensor(np.array([[2.5]]))
    assert f"{t:.3f}" == "2.500" and f"{t}" == str(t)
    with pytest.raises(TypeError, match=r"format spec '.2f' applies to one-element tensors, got shape \(2,\)"):
        f"{Tensor(np.ones(2)):.2f}"
    data = np.array([1.25, 2.5, -0.335, 7.5])
    x = Tensor(data, requires_grad=True)
    np.testing.assert_array_equal(round(x).data, np.round(data))
    np.testing.assert_array_equal(round(x, 1).data, np.round(data, 1))
    round(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(4))  # rounding is flat


def test_assigning_a_grad_checks_it_as_torch_does():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"different size: shape \(4,\) for a tensor of shape \(3,\)"):
        x.grad = np.ones(4)
    with pytest.raises(TypeError, match="expected to be an ndarray, a Tensor or None, but got grad of type list"):
        x.grad = [1.0, 2.0, 3.0]
    with pytest.raises(TypeError, match="must be floating point"):
        x.grad = np.ones(3, dtype=np.int64)
    assert x.grad is None  # a refused assignment changes nothing
    x.grad = np.full(3, 2.0)
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 5.0, 5.0])  # backward accumulates into the assigned grad
    x.grad = Tensor(np.zeros(3))  # a Tensor is a gradient too (create_graph keeps them)
    x.grad = None


def test_a_value_grad_takes_numbers_and_none_and_accumulates_from_none():
    v = Value(3.0)
    v.grad = 0  # micrograd's manual zeroing
    v.grad = np.float32(1.5)
    with pytest.raises(TypeError, match="must be a number, a Value or None, got ndarray"):
        v.grad = np.ones(2)
    with pytest.raises(TypeError, match="got str"):
        v.grad = "0"
    v.grad = None
    (v * v).backward()
    assert v.grad == 6.0


def _walk(function, depth=0):
    """The backward graph under ``function`` as nested (kind, children), kinds 'op', 'leaf' or None."""
    if function is None:
        return None
    kind = "leaf" if type(function).__name__ == "AccumulateGrad" else "op"
    return (kind, [_walk(child, depth + 1) for child, _ in function.next_functions])


def test_grad_fn_next_functions_walk_the_graph_as_torchs_do():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    constant = Tensor(np.array([3.0, 4.0]))
    out = ((x * constant).exp() + x).sum()
    assert out.grad_fn.name == "sum" and out.grad_fn == out.grad_fn and x.grad_fn is None
    ((add, index),) = out.grad_fn.next_functions
    assert index == 0 and add.name == "add"
    (exp, _), (leaf, _) = add.next_functions
    assert exp.name == "exp" and leaf.variable is x  # torch's AccumulateGrad holds the leaf
    expected = ("op", [("op", [("op", [("op", [("leaf", []), None])]), ("leaf", [])])])
    assert _walk(out.grad_fn) == expected
    torch = pytest.importorskip("torch")
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    reference = ((tx * torch.tensor([3.0, 4.0])).exp() + tx).sum()
    assert _walk(reference.grad_fn) == expected


def _printed_backward_functions(lib):
    """``print(y.grad_fn)`` and its next functions, with the addresses (which differ run to run) taken out."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    out = (x * 2).sum()
    ((mul, _),) = out.grad_fn.next_functions
    leaf, _ = mul.next_functions[0]
    return [re.sub(r" at 0x[0-9a-f]+>$", " at ADDRESS>", str(function)) for function in (out.grad_fn, mul, leaf)]


def test_printed_grad_fn_names_its_backward_function_as_torchs():
    torch = pytest.importorskip("torch")
    expected = [
        "<SumBackward0 object at ADDRESS>",
        "<MulBackward0 object at ADDRESS>",
        "<AccumulateGrad object at ADDRESS>",
    ]
    assert _printed_backward_functions(ag) == _printed_backward_functions(torch) == expected


def _identities(x):
    """Which of torch's identities between backward functions hold in a small graph built from ``x``."""
    a = x * x
    b, c = (a + a).exp(), a.sin()
    (a_from_b, _), (a_again, _) = b.grad_fn.next_functions[0][0].next_functions
    (x_from_a, _), (x_again, _) = a.grad_fn.next_functions
    return [
        a.grad_fn is a.grad_fn,
        a_from_b is a.grad_fn,
        a_again is a_from_b,
        c.grad_fn.next_functions[0][0] is a.grad_fn,
        x_from_a is x_again,
        x_from_a is c.grad_fn.next_functions[0][0].next_functions[0][0],
    ]


def test_backward_functions_are_the_same_objects_wherever_they_are_reached_as_torchs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert _identities(x) == [True] * 6
    torch = pytest.importorskip("torch")
    assert _identities(torch.tensor([1.0, 2.0], requires_grad=True)) == [True] * 6


def test_a_backward_function_kept_alone_keeps_its_graph():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    function = (x * x).exp().grad_fn
    ((mul, _),) = function.next_functions
    assert mul.name == "mul" and mul.next_functions[0][0].variable is x


def test_grad_fn_name_called_gives_torchs_backward_names():
    torch = pytest.importorskip("torch")
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    for ours, theirs in [
        (x.exp(), tx.exp()),
        (x + x, tx + tx),
        (x * 2.0, tx * 2.0),
        (x.sum(), tx.sum()),
        (x.log_softmax(0), tx.log_softmax(0)),
        (x.relu(), tx.relu()),
        (x.tanh(), tx.tanh()),
    ]:
        assert ours.grad_fn.name() == theirs.grad_fn.name()
    ((leaf, _),) = x.exp().grad_fn.next_functions
    ((their_leaf, _),) = tx.exp().grad_fn.next_functions
    assert leaf.name() == their_leaf.name()
    assert x.exp().grad_fn.name == "exp"  # the op's name, as before


def test_a_custom_functions_grad_fn_name_is_torchs():
    from autograd import Function

    class Doubler(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Doubler.apply(Tensor(np.ones(2), requires_grad=True))
    assert y.grad_fn.name == "Doubler" and y.grad_fn.name() == "DoublerBackward"


def test_a_variable_is_a_leaf_tensor_sharing_the_data_as_torchs():
    from autograd import Variable

    data = Tensor(np.array([1.0, 2.0]))
    v = Variable(data, requires_grad=True)
    assert isinstance(v, Tensor) and v.is_leaf and v.requires_grad and np.shares_memory(v.data, data.data)
    (v * v).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, 4.0])
    assert not Variable(np.ones(2)).requires_grad


def test_a_volatile_variable_warns_that_volatile_was_removed_as_torchs():
    """Old tutorials' ``Variable(images, volatile=True)`` (yunjey's captioning sample): torch 2.13 ignores the flag
    with a UserWarning naming ``no_grad``; ``volatile=False`` is silent."""
    from autograd import Variable

    data = Tensor(np.array([1.0, 2.0]))
    with pytest.warns(UserWarning, match=r"Variable: volatile was removed and now has no effect.*no_grad"):
        v = Variable(data, volatile=True)
    assert not v.requires_grad and np.shares_memory(v.data, data.data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not Variable(data, volatile=False).requires_grad


def test_a_tensor_compared_with_none_is_a_plain_bool_as_torch():
    t = Tensor(np.array([1.0, 2.0]))
    assert (t == None) is False  # noqa: E711 - the comparison itself is what is tested
    assert (t != None) is True  # noqa: E711


def test_to_takes_torchs_non_blocking_and_memory_format():
    t = Tensor(np.array([1.0, 2.0]))
    assert t.to("cpu", non_blocking=True) is t
    assert t.to(np.float32, non_blocking=True, memory_format=None).dtype == np.float32


def test_meshgrid_takes_its_tensors_in_one_list_as_torch():
    x, y = Tensor(np.arange(2.0)), Tensor(np.arange(3.0))
    for got, expected in zip(ag.meshgrid([x, y], indexing="ij"), ag.meshgrid(x, y, indexing="ij")):
        np.testing.assert_array_equal(got.data, expected.data)


def test_where_of_a_0d_condition_alone_is_one_index_or_none():
    (true_index,) = ag.where(Tensor(np.array(True)))
    (false_index,) = ag.where(Tensor(np.array(False)))
    assert true_index.tolist() == [0] and false_index.tolist() == []


def test_repeat_interleave_takes_torchs_one_argument_form_and_output_size():
    np.testing.assert_array_equal(ag.repeat_interleave(Tensor(np.array([1, 2, 0, 3]))).data, [0, 1, 1, 3, 3, 3])
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    assert x.repeat_interleave(2, dim=0, output_size=4).shape == (4, 2)
    with pytest.raises(RuntimeError, match="output_size=3, but the result's length is 4"):
        x.repeat_interleave(2, dim=0, output_size=3)
    with pytest.raises(ValueError, match="one-argument form takes a 1-d integer tensor"):
        ag.repeat_interleave(x)


def test_norm_takes_torchs_dtype():
    x = Tensor(np.array([3.0, 4.0], dtype=np.float32), requires_grad=True)
    norm = x.norm(dtype=np.float64)
    assert norm.dtype == np.float64 and norm.item() == 5.0
    norm.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [0.6, 0.8], rtol=1e-7)


def test_a_numpy_number_assigned_as_a_value_grad_becomes_a_float_so_backward_accumulates_in_float64():
    v = Value(1.0)
    v.grad = np.float32(0.1)  # a float32 kept as it is would make every later sum a float32 (NEP 50)
    assert type(v.grad) is float and v.grad == float(np.float32(0.1))
    (v * Value(1 / 3)).backward()
    assert type(v.grad) is float and v.grad == float(np.float32(0.1)) + 1 / 3
    v.grad = np.int64(2)
    assert type(v.grad) is float and v.grad == 2.0
    v.grad = np.array([2.5])  # one number in an array of one element, as the data setter takes a 0-d array
    assert type(v.grad) is float and v.grad == 2.5
    v.grad = 0  # micrograd's manual zeroing stays as written
    assert v.grad == 0
