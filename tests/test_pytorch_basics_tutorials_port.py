"""PyTorch's beginner material, run line for line in torch and here (``autograd`` for ``torch``, ``nn`` for
``torch.nn``, ``nn.functional`` as ``F``, ``nn.optim``, ``nn.data``) on random data in float64 in place of
FashionMNIST (and a small conv net in place of resnet18): the values, gradients and errors must agree.

Covered: "Learn the Basics" (tensors: creation, indexing, joining, arithmetic and in-place ops, the numpy bridge;
a custom Dataset and DataLoader; the nn.Flatten + nn.Sequential model and its parameter listing; the one-layer
autograd example with its second backward refused, ``retain_graph=True``, no_grad and detach; the Jacobian
products section, ``out.backward(torch.ones_like(out), retain_graph=True)`` twice accumulating, then zeroing
``.grad``; train_loop/test_loop with CrossEntropyLoss and SGD; saving and loading the state dict), "A Gentle
Introduction to torch.autograd" (Q = 3a^3 - b^2 with external_grad; exclusion from the DAG; finetuning a new
final layer alone) and the "Autograd mechanics" notes (grad modes, in-place checks, backward hooks, a graph
freed by backward). torch.save/torch.load are ``nn.save``/``nn.load`` here.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

TORCH = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim, "data": torch.utils.data}
OURS = {"torch": autograd, "nn": nn, "F": nn.functional, "optim": nn.optim, "data": nn.data}
BOTH = pytest.mark.parametrize("lib", [TORCH, OURS], ids=["torch", "ours"])
SECOND_TIME = "Trying to backward through the graph a second time"


def _array(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _agree(expected: Any, got: Any) -> None:
    """Nested lists/tuples of arrays, numbers, strings and bools: equal, floats to rounding."""
    if isinstance(expected, (list, tuple)):
        assert len(expected) == len(got)
        for a, b in zip(expected, got):
            _agree(a, b)
    elif isinstance(expected, (str, bool, type(None))):
        assert expected == got
    else:
        np.testing.assert_allclose(_array(got), _array(expected), rtol=1e-12, atol=1e-14)


# -- Learn the Basics: tensors --------------------------------------------------------------------------------------
def _tensors(lib: dict[str, Any]) -> list[Any]:
    torch_ = lib["torch"]
    log: list[Any] = []
    data = [[1, 2], [3, 4]]
    x_data = torch_.tensor(data)
    x_np = torch_.from_numpy(np.array(data))
    log += [x_data, x_np, torch_.ones_like(x_data), torch_.zeros((2, 3), dtype=torch_.float64)]
    tensor = torch_.ones(4, 4, dtype=torch_.float64)
    tensor[:, 1] = 0
    log += [tensor[0], tensor[:, 0], tensor[..., -1], torch_.cat([tensor, tensor, tensor], dim=1)]
    y3 = torch_.zeros(4, 4, dtype=torch_.float64)
    torch_.matmul(tensor, tensor.T, out=y3)
    z3 = torch_.zeros(4, 4, dtype=torch_.float64)
    torch_.mul(tensor, tensor, out=z3)
    log += [tensor @ tensor.T, tensor.matmul(tensor.T), y3, tensor * tensor, tensor.mul(tensor), z3]
    agg = tensor.sum()
    log += [agg.item(), type(agg.item()).__name__]
    tensor.add_(5)
    log.append(tensor)
    t = torch_.ones(5, dtype=torch_.float64)
    n = t.numpy()
    t.add_(1)
    log.append(n.copy())  # the array shares the tensor's memory
    n = np.ones(5)
    t = torch_.from_numpy(n)
    np.add(n, 1, out=n)
    log.append(t)  # and the tensor the array's
    return log


def test_tensor_basics_match_torch():
    _agree(_tensors(TORCH), _tensors(OURS))


# -- Learn the Basics: datasets, the model, the optimization loop, saving ------------------------------------------
_RNG = np.random.default_rng(0)
_IMAGES, _LABELS = _RNG.random((40, 1, 28, 28)), _RNG.integers(0, 10, 40)


def _network(lib: dict[str, Any]) -> Any:
    nn_ = lib["nn"]

    class NeuralNetwork(nn_.Module):
        def __init__(self) -> None:
            super().__init__()
            self.flatten = nn_.Flatten()
            self.linear_relu_stack = nn_.Sequential(
                nn_.Linear(28 * 28, 32), nn_.ReLU(), nn_.Linear(32, 32), nn_.ReLU(), nn_.Linear(32, 10)
            )

        def forward(self, x: Any) -> Any:
            x = self.flatten(x)
            return self.linear_relu_stack(x)

    return NeuralNetwork().double()


def _train(lib: dict[str, Any]) -> tuple[list[Any], Any]:
    torch_, nn_, data = lib["torch"], lib["nn"], lib["data"]

    class CustomImageDataset(data.Dataset):
        def __init__(self, target_transform: Any = None) -> None:
            self.target_transform = target_transform

        def __len__(self) -> int:
            return len(_LABELS)

        def __getitem__(self, idx: int) -> tuple[Any, Any]:
            label = int(_LABELS[idx])
            if self.target_transform:
                label = self.target_transform(label)
            return torch_.tensor(_IMAGES[idx]), label

    log: list[Any] = []
    one_hot = CustomImageDataset(
        lambda y: torch_.zeros(10, dtype=torch_.float64).scatter_(0, torch_.tensor(y), value=1)
    )
    log.append(one_hot[3][1])
    train_dataloader = data.DataLoader(CustomImageDataset(), batch_size=16)
    test_dataloader = data.DataLoader(CustomImageDataset(), batch_size=16)
    features, labels = next(iter(train_dataloader))
    log += [list(features.shape), list(labels.shape), labels.dtype == torch_.int64]

    model = _network(lib)
    weights = np.random.default_rng(5)
    model.load_state_dict(
        {name: torch_.tensor(weights.standard_normal(tuple(v.shape)) * 0.05) for name, v in model.state_dict().items()}
    )
    log += [[name for name, _ in model.named_parameters()], [list(p.size()) for p in model.parameters()]]
    logits = model(torch_.tensor(_IMAGES[:1]))
    log += [nn_.Softmax(dim=1)(logits), nn_.Softmax(dim=1)(logits).argmax(1)]

    loss_fn = nn_.CrossEntropyLoss()
    optimizer = lib["optim"].SGD(model.parameters(), lr=1e-1)

    def train_loop(dataloader: Any, model: Any, loss_fn: Any, optimizer: Any) -> None:
        model.train()
        for X, y in dataloader:
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            log.append(loss.item())

    def test_loop(dataloader: Any, model: Any, loss_fn: Any) -> None:
        model.eval()
        test_loss, correct = 0.0, 0.0
        with torch_.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch_.float).sum().item()
        log.extend([test_loss / len(dataloader), correct / len(dataloader.dataset)])

    for _ in range(3):
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    return log, model


def test_dataset_model_and_optimization_loop_match_torch():
    expected, _ = _train(TORCH)
    got, model = _train(OURS)
    _agree(expected, got)
    buffer = io.BytesIO()  # torch.save(model.state_dict(), 'model_weights.pth'), then load it into a fresh model
    nn.save(model.state_dict(), buffer)
    buffer.seek(0)
    fresh = _network(OURS)
    fresh.load_state_dict(nn.load(buffer, weights_only=True))
    fresh.eval()
    for a, b in zip(model.parameters(), fresh.parameters()):
        np.testing.assert_array_equal(np.asarray(a.detach()), np.asarray(b.detach()))


# -- Learn the Basics: automatic differentiation --------------------------------------------------------------------
def _one_layer(lib: dict[str, Any]) -> list[Any]:
    torch_, F = lib["torch"], lib["F"]
    rng = np.random.default_rng(1)
    x = torch_.ones(5, dtype=torch_.float64)
    y = torch_.zeros(3, dtype=torch_.float64)
    w = torch_.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    b = torch_.tensor(rng.standard_normal(3), requires_grad=True)
    z = torch_.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    log: list[Any] = [loss, z.grad_fn.name()]  # (loss.grad_fn is a mean here: the loss is composite)
    loss.backward()
    log += [w.grad, b.grad]
    try:
        loss.backward()  # the graph was freed
    except RuntimeError as error:
        log.append(SECOND_TIME in str(error))
    log.append(z.requires_grad)
    with torch_.no_grad():
        z = torch_.matmul(x, w) + b
    log.append(z.requires_grad)
    z = torch_.matmul(x, w) + b
    log.append(z.detach().requires_grad)
    w.grad, b.grad = None, None
    loss = F.binary_cross_entropy_with_logits(torch_.matmul(x, w) + b, y)
    loss.backward(retain_graph=True)
    loss.backward()  # the retained graph runs again, and is freed now
    log += [w.grad, b.grad]
    try:
        loss.backward()
    except RuntimeError as error:
        log.append(SECOND_TIME in str(error))
    return log


def _jacobian_products(lib: dict[str, Any]) -> list[Any]:
    torch_ = lib["torch"]
    inp = torch_.eye(4, 5, dtype=torch_.float64, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch_.ones_like(out), retain_graph=True)
    log: list[Any] = [inp.grad.clone()]
    out.backward(torch_.ones_like(out), retain_graph=True)
    log.append(inp.grad.clone())
    inp.grad.zero_()
    out.backward(torch_.ones_like(out), retain_graph=True)
    log.append(inp.grad.clone())
    out.backward(torch_.ones_like(out))  # without retain_graph: pow's saved input is freed
    try:
        out.backward(torch_.ones_like(out))
    except RuntimeError as error:
        log.append(SECOND_TIME in str(error))
    try:
        out.backward(torch_.ones_like(inp))  # the page's seed of the input's shape
    except RuntimeError as error:
        log.append("shape" in str(error))
    return log


@pytest.mark.parametrize("section", [_one_layer, _jacobian_products])
def test_autograd_tutorial_sections_match_torch(section):
    _agree(section(TORCH), section(OURS))


# -- A Gentle Introduction to torch.autograd ------------------------------------------------------------------------
def _gentle(lib: dict[str, Any]) -> list[Any]:
    torch_, nn_ = lib["torch"], lib["nn"]
    a = torch_.tensor([2.0, 3.0], dtype=torch_.float64, requires_grad=True)
    b = torch_.tensor([6.0, 4.0], dtype=torch_.float64, requires_grad=True)
    Q = 3 * a**3 - b**2
    external_grad = torch_.tensor([1.0, 1.0], dtype=torch_.float64)
    Q.backward(gradient=external_grad)
    log: list[Any] = [a.grad, b.grad, bool((9 * a**2 == a.grad).all()), bool((-2 * b == b.grad).all())]
    try:
        Q.backward(gradient=external_grad)
    except RuntimeError as error:
        log.append(SECOND_TIME in str(error))
    x, y = torch_.rand(5, 5), torch_.rand(5, 5)
    z = torch_.rand((5, 5), requires_grad=True)
    log += [(x + y).requires_grad, (x + z).requires_grad]

    class Small(nn_.Module):  # stands in for resnet18: a body and a final layer called fc
        def __init__(self) -> None:
            super().__init__()
            self.body = nn_.Sequential(nn_.Conv2d(3, 4, 3), nn_.ReLU(), nn_.AdaptiveAvgPool2d((1, 1)), nn_.Flatten())
            self.fc = nn_.Linear(4, 1000)

        def forward(self, x: Any) -> Any:
            return self.fc(self.body(x))

    model = Small().double()
    rng = np.random.default_rng(2)
    model.load_state_dict(
        {k: torch_.tensor(rng.standard_normal(tuple(v.shape))) for k, v in model.state_dict().items()}
    )
    data, labels = torch_.tensor(rng.random((1, 3, 16, 16))), torch_.tensor(rng.random((1, 1000)))
    prediction = model(data)
    loss = (prediction - labels).sum()
    loss.backward()
    optimizer = lib["optim"].SGD(model.parameters(), lr=1e-2, momentum=0.9)
    optimizer.step()
    log += [p.detach().clone() for p in model.parameters()]
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn_.Linear(4, 10).double()
    model.fc.load_state_dict(
        {k: torch_.tensor(rng.standard_normal(tuple(v.shape))) for k, v in model.fc.state_dict().items()}
    )
    log.append([name for name, p in model.named_parameters() if p.requires_grad])
    optimizer = lib["optim"].SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
    optimizer.zero_grad()
    model(data).pow(2).sum().backward()
    optimizer.step()
    log += [p.detach().clone() for p in model.parameters()]
    return log


def test_gentle_introduction_to_autograd_matches_torch():
    _agree(_gentle(TORCH), _gentle(OURS))


# -- Autograd mechanics ---------------------------------------------------------------------------------------------
@BOTH
def test_grad_modes_as_the_autograd_notes_describe(lib):
    torch_, nn_ = lib["torch"], lib["nn"]
    x = torch_.tensor([1.0, 2.0], dtype=torch_.float64, requires_grad=True)
    with torch_.no_grad():
        assert not (x * 2).requires_grad
    with torch_.inference_mode():
        assert not (x * 2).requires_grad
    with torch_.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    model = nn_.Sequential(nn_.Dropout(0.5), nn_.BatchNorm1d(2))
    model.eval()
    assert not model.training and not model[0].training
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    with pytest.raises(RuntimeError, match="leaf"):
        x.add_(1)


@BOTH
def test_an_input_changed_in_place_before_backward_is_refused(lib):
    torch_ = lib["torch"]
    a = torch_.tensor([0.5, -1.0, 2.0], dtype=torch_.float64, requires_grad=True)
    b = a * 1
    c = b * b
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()
    b = a * 1
    c = b + b  # add reads no values: the change is harmless
    b.add_(1)
    c.sum().backward()
    np.testing.assert_array_equal(_array(a.grad), [2.0, 2.0, 2.0])


def _hooks(lib: dict[str, Any]) -> list[Any]:
    torch_ = lib["torch"]
    a = torch_.tensor([1.0, 2.0], dtype=torch_.float64, requires_grad=True)
    seen: list[Any] = []
    b = a * 3
    handle = b.register_hook(lambda g: seen.append(("b", g.clone())) or g * 10)
    a.register_hook(lambda g: seen.append(("a", g.clone())))
    a.register_post_accumulate_grad_hook(lambda p: seen.append(("post", p.grad.clone())))
    b.grad_fn.register_prehook(lambda grad_outputs: seen.append(("pre", grad_outputs[0].clone())))
    b.sum().backward(retain_graph=True)
    handle.remove()
    b.sum().backward()  # retained: every remaining hook runs again
    t = a.clone()
    t.register_hook(lambda g: seen.append(("before in-place", g.clone())))
    t.mul_(2)
    t.register_hook(lambda g: seen.append(("after in-place", g.clone())))
    t.sum().backward()
    return seen


def test_backward_hooks_across_a_retained_graph_match_torch():
    _agree(_hooks(TORCH), _hooks(OURS))


def _freed_graph(lib: dict[str, Any]) -> list[Any]:
    torch_ = lib["torch"]
    a = torch_.tensor([1.0, 2.0], dtype=torch_.float64, requires_grad=True)
    b = torch_.tensor([3.0, 4.0], dtype=torch_.float64, requires_grad=True)
    log: list[Any] = []

    def attempt(f: Any) -> None:
        try:
            log.append(f())
        except RuntimeError as error:
            log.append(SECOND_TIME in str(error))

    y = (a.exp() + b.exp()).sum()  # grad w.r.t. a runs (and frees) a's branch only
    attempt(lambda: torch_.autograd.grad(y, a)[0])
    attempt(lambda: torch_.autograd.grad(y, b)[0])
    attempt(lambda: torch_.autograd.grad(y, a)[0])
    h = a.exp()
    l1, l2 = (h * 2).sum(), (h * 3).sum()
    l1.backward(retain_graph=True)
    l2.backward()  # frees exp, which l1 shares
    log.append(a.grad.clone())
    attempt(lambda: l1.backward())
    y = (a**3).sum()
    (g,) = torch_.autograd.grad(y, a, create_graph=True, retain_graph=False)
    attempt(lambda: torch_.autograd.grad(g.sum(), a)[0])
    attempt(lambda: torch_.autograd.grad(y, a)[0])
    w = torch_.tensor(2.0, dtype=torch_.float64, requires_grad=True)
    z = w + w  # add saves nothing: a second pass runs
    z.backward()
    attempt(lambda: (z.backward(), w.grad.clone())[1])
    return log


def test_what_backward_frees_matches_torch():
    _agree(_freed_graph(TORCH), _freed_graph(OURS))
