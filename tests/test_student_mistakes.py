"""The mistakes students of the course make with the library, and what they get: an error that names the problem
and the fix, or torch's own behaviour where torch accepts the code (compared with torch when it is installed)."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value, no_grad

F = nn.functional


# -- a Value (the scalar engine) where a Tensor is expected --------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda v: nn.Linear(1, 1, dtype=np.float64)(v),
        lambda v: nn.Sequential(nn.Linear(1, 1, dtype=np.float64), nn.Tanh())(v),
        lambda v: nn.Dropout(0.5)(v),
        lambda v: F.dropout(v, 0.5),
        lambda v: nn.PReLU(dtype=np.float64)(v),
        lambda v: nn.Flatten(0)(v),
        lambda v: nn.LayerNorm(1)(v),
        lambda v: nn.Conv2d(1, 1, 1)(v),
        lambda v: F.mse_loss(v, 1.0),
        lambda v: F.relu(v),
        lambda v: Tensor(v),
    ],
    ids=[
        "Linear",
        "Sequential",
        "Dropout",
        "dropout",
        "PReLU",
        "Flatten",
        "LayerNorm",
        "Conv2d",
        "mse_loss",
        "relu",
        "Tensor",
    ],
)
def test_a_value_given_to_a_tensor_layer_is_refused_with_the_way_out(call):
    # before, Dropout and PReLU returned a Tensor that silently cut the graph (no gradient reached the Value), and
    # Linear, Conv2d, LayerNorm, Flatten said "input of shape ()" without naming the Value
    v = Value(0.5)
    with pytest.raises(TypeError, match=r"Value.*separate graphs.*Tensor\(value\.data\)"):
        call(v)
    assert v.grad == 0


def test_a_tensor_of_a_tensor_still_copies_its_numbers():
    x = Tensor([1.0, 2.0], requires_grad=True)
    copy = Tensor(x)  # torch.tensor(t) copies t's numbers, outside the graph
    assert copy.tolist() == [1.0, 2.0] and not copy.requires_grad
    copy.data[0] = 5.0
    assert x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "loss",
    [
        lambda outputs: F.mse_loss(outputs, [1.0, -1.0]),
        lambda outputs: F.l1_loss(Tensor([1.0, -1.0]), outputs),
        lambda outputs: F.binary_cross_entropy_with_logits(outputs, [1.0, 0.0]),
        lambda outputs: F.cross_entropy([outputs], [0]),
        lambda outputs: F.relu(outputs),
    ],
    ids=["mse_loss", "l1_loss target", "bce_with_logits", "cross_entropy", "relu"],
)
def test_a_list_of_scalar_mlp_outputs_given_to_a_loss_names_the_values(loss):
    # before: "expected real numbers, got an array of dtype object", which named neither the Values nor the fix
    mlp = nn.MLP(2, [3, 1], seed=0)
    outputs = [mlp([0.5, -1.0]), mlp([1.0, 2.0])]
    with pytest.raises(TypeError, match=r"holds Values.*Value\.sum\("):
        loss(outputs)


def test_the_scalar_loss_the_hint_suggests_trains_the_scalar_mlp():
    mlp = nn.MLP(2, [3, 1], seed=0)
    inputs, targets = [[0.5, -1.0], [1.0, 2.0]], [1.0, -1.0]
    outputs = [mlp(x) for x in inputs]
    loss = Value.sum([(y - t) ** 2 for y, t in zip(outputs, targets)])
    loss.backward()
    by_hand = sum((y.data - t) ** 2 for y, t in zip(outputs, targets))
    assert loss.data == pytest.approx(by_hand, rel=1e-12)
    assert any(p.grad != 0 for p in mlp.parameters())


@pytest.mark.parametrize(
    "batch",
    [
        [[0.5, -1.0], [1.0, 2.0]],  # as many samples as inputs: each row went into Value(...) ("use Tensor")
        [[0.5, -1.0], [1.0, 2.0], [0.0, 1.0]],  # "expected 2 inputs, got 3"
        np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 1.0]]),  # "pass its numbers as one list: x.ravel().tolist()"
    ],
    ids=["list of 2 lists", "list of 3 lists", "(3, 2) array"],
)
def test_a_batch_given_to_the_scalar_mlp_says_one_sample_per_call(batch):
    mlp = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"batch of \d samples.*one sample per call: outputs = \[model\(x\) for x"):
        mlp(batch)
    rows = batch.tolist() if isinstance(batch, np.ndarray) else batch
    outputs = [mlp(x) for x in rows]  # what the message says to write
    assert len(outputs) == len(rows)


def test_a_column_or_row_array_given_to_the_scalar_mlp_still_says_ravel():
    mlp = nn.MLP(2, [1], seed=0)
    for x in (np.array([[0.5], [-1.0]]), np.array([[0.5, -1.0]])):
        with pytest.raises(TypeError, match=r"x\.ravel\(\)\.tolist\(\)"):
            mlp(x)
    assert mlp(np.array([[0.5], [-1.0]]).ravel().tolist()).data == mlp([0.5, -1.0]).data


@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "multi_margin_loss"])
def test_float_class_labels_are_torch_runtime_error_with_the_conversion(loss):
    torch = pytest.importorskip("torch")
    scores, labels = np.zeros((4, 3)), np.array([0.0, 1.0, 2.0, 1.0])  # labels read from a float array
    with pytest.raises(RuntimeError):
        getattr(torch.nn.functional, loss)(torch.tensor(scores), torch.tensor(labels))
    with pytest.raises(RuntimeError, match=r"target\.astype\(np\.int64\)"):
        getattr(F, loss)(Tensor(scores), labels)
    converted = getattr(F, loss)(Tensor(scores), labels.astype(np.int64)).item()
    expected = getattr(torch.nn.functional, loss)(torch.tensor(scores), torch.tensor(labels).long()).item()
    assert converted == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tensor([1, 2, 3], requires_grad=True),
        lambda: nn.Parameter(np.array([[1, 2]])),
        lambda: Tensor([1, 2, 3]).requires_grad_(),
    ],
    ids=["Tensor", "Parameter", "requires_grad_"],
)
def test_weights_written_as_python_ints_are_refused_as_torch_with_the_fix(make):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"got dtype int64; make the numbers floats.*dtype=np\.float64"):
        make()
    fixed = Tensor([1, 2, 3], dtype=np.float64, requires_grad=True)
    (fixed * fixed).sum().backward()
    assert fixed.grad.tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize(
    ("dtype", "model_fix"),
    [(np.uint8, None), (np.int64, None), (np.float16, "model.half()"), (np.float64, "model.double()")],
)
def test_an_input_of_another_dtype_is_told_only_the_fixes_that_work(dtype, model_fix):
    # before, uint8 images (and int64, bool) were told "or the model (model.float())", which the float32 model
    # already is, and a float16 input the same instead of model.half()
    model = nn.Linear(4, 2)  # float32
    images = np.arange(8).reshape(2, 4).astype(dtype)
    with pytest.raises(RuntimeError, match=r"convert the input \(x\.astype\(np\.float32\)\)") as caught:
        model(images)
    assert ("or the model" in str(caught.value)) == (model_fix is not None)
    if model_fix is not None:
        assert model_fix in str(caught.value)
        getattr(model, model_fix.removeprefix("model.").removesuffix("()"))()
        assert model(images).dtype == np.dtype(dtype)
    assert model.float()(images.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("loss", [F.cross_entropy, nn.CrossEntropyLoss()], ids=["function", "module"])
def test_cross_entropy_with_labels_and_logits_swapped_asks_whether_they_are(loss):
    torch = pytest.importorskip("torch")
    logits, labels = np.random.default_rng(0).standard_normal((4, 3)), np.array([0, 1, 2, 1])
    with pytest.raises(NotImplementedError):  # torch: "log_softmax_lastdim_kernel_impl" not implemented for 'Long'
        torch.nn.functional.cross_entropy(torch.tensor(labels), torch.tensor(logits))
    with pytest.raises(ValueError, match=r"the input holds integers: are the arguments swapped\?"):
        loss(labels, Tensor(logits))
    with pytest.raises(ValueError) as caught:  # float input, a target of the wrong shape: no such guess
        loss(Tensor(logits[:, :2].T.copy()), logits)
    assert "swapped" not in str(caught.value)


@pytest.mark.parametrize(
    "update",
    [
        lambda p: p.data.__isub__(p.grad),  # p.data -= p.grad: numpy's "Cannot cast ufunc 'subtract' output"
        lambda p: p.data.add_(p.grad, alpha=-0.1),  # "unsupported operand type(s) for *: 'NoneType' and 'float'"
        lambda p: p.data.sub_(p.grad),
        lambda p: p.add_(p.grad, alpha=-0.1),  # under no_grad
        lambda p: p.__isub__(p.grad),  # p -= p.grad under no_grad: "unsupported operand dtype object"
        lambda p: p - p.grad,
    ],
    ids=["data -=", "data.add_", "data.sub_", "add_", "-=", "-"],
)
def test_an_update_before_backward_says_the_grad_is_none(update):
    torch = pytest.importorskip("torch")
    model = nn.Linear(2, 1)
    torch_model = torch.nn.Linear(2, 1)
    with pytest.raises(TypeError), torch.no_grad():  # torch: a TypeError naming NoneType
        torch_model.weight.data.add_(torch_model.weight.grad, alpha=-0.1)
    with pytest.raises(TypeError, match=r"got None as an operand.*\.grad is None until backward\(\)"), no_grad():
        update(model.weight)
    assert model.weight.grad is None


def test_none_stays_a_comparison_and_clip_bound():
    x = Tensor([1.0, 3.0])
    assert (x == None) is False and (x != None) is True  # noqa: E711 (the operator under test)
    assert x.clip(None, 2.0).tolist() == [1.0, 2.0] and x.data.clip(None, 2.0).tolist() == [1.0, 2.0]


# -- a module class called on the input, nn.ReLU(x) for nn.ReLU()(x) -----------------------------------------


@pytest.mark.parametrize(
    "make, inputs, expected",
    [
        (nn.ReLU, 1, r"nn\.ReLU is a module class: create it first, nn\.ReLU\(\)\(x\), or use F\.relu\(x\)"),
        (nn.Sigmoid, 1, r"nn\.Sigmoid\(\)\(x\), or use F\.sigmoid\(x\)"),
        (nn.LeakyReLU, 1, r"nn\.LeakyReLU\(\)\(x\), or use F\.leaky_relu\(x\)"),
        (nn.Hardtanh, 1, r"nn\.Hardtanh\(\)\(x\), or use F\.hardtanh\(x\)"),
        (nn.LogSoftmax, 1, r"nn\.LogSoftmax\(\)\(x\), or use F\.log_softmax\(x\)"),
        (nn.MSELoss, 2, r"nn\.MSELoss\(\)\(input, target\), or use F\.mse_loss\(input, target\)"),
        (nn.Linear, 1, r"nn\.Linear is a module class: create it first, nn\.Linear\(in_features, out_features\)\(x\)"),
    ],
    ids=["ReLU", "Sigmoid", "LeakyReLU", "Hardtanh", "LogSoftmax", "MSELoss", "Linear"],
)
@pytest.mark.parametrize(
    "kind", [Tensor, np.asarray, lambda data: Value(float(data[0]))], ids=["Tensor", "array", "Value"]
)
def test_a_module_class_called_on_the_input_says_to_create_it_first(make, inputs, expected, kind):
    data = [kind(np.array([-1.0, 2.0])) for _ in range(inputs)]
    with pytest.raises(TypeError, match=expected):
        make(*data)
    # torch's answer, for comparison: a complaint about an option or an argument, never the slip itself
    torch = pytest.importorskip("torch")
    with pytest.raises((TypeError, RuntimeError)) as theirs:
        getattr(torch.nn, make.__name__)(*(torch.tensor([-1.0, 2.0]) for _ in range(inputs)))(torch.ones(2))
    assert "module class" not in str(theirs.value)


def test_a_module_class_whose_first_argument_may_be_a_tensor_is_made_as_before():
    weight = Tensor(np.array([1.0, 2.0]))
    assert nn.CrossEntropyLoss(weight).weight is not None  # torch's weight=, positionally
    assert nn.Identity(weight)(weight) is weight
    with pytest.raises(TypeError, match=r"Sigmoid\(\) takes no arguments"):
        nn.Sigmoid(3)  # not an input: Python's own words, as before

    class Mine(nn.Module):  # a user's class is not judged
        def __init__(self, anything):
            self.anything = anything

    assert Mine(weight).anything is weight


def test_a_float64_input_from_the_factories_is_told_the_default_dtype_that_makes_them_float32():
    # a script written for torch (float32 factories) builds its layer norm weights with ones(): float64 here, so
    # the product reaching the next float32 Linear is float64; the error names the switch that makes it run as torch
    model = nn.Linear(4, 2)
    scaled = autograd.randn(3, 4)
    with pytest.raises(RuntimeError, match=r"autograd\.set_default_dtype\(autograd\.float32\)"):
        model(scaled)
    previous = autograd.get_default_dtype()
    autograd.set_default_dtype(autograd.float32)
    try:
        assert model(autograd.randn(3, 4)).shape == (3, 2)
    finally:
        autograd.set_default_dtype(previous)
    with pytest.raises(RuntimeError) as caught:  # an input whose dtype is not the factories' is not told it
        model(np.zeros((3, 4), np.float16))
    assert "set_default_dtype" not in str(caught.value)
