"""Daniel Bourke's "Zero to Mastery: Learn PyTorch for Deep Learning" (mrdbourke/pytorch-deep-learning) ported to
this library: 00 PyTorch fundamentals (creation, dtypes, matmul rules, aggregation, reshaping, indexing, numpy
interop, seeds), 01 the workflow (LinearRegressionModel, L1Loss, SGD, inference_mode, saving a state dict), 02
classification (circles, CircleModelV0/V1/V2, BCEWithLogitsLoss, a multi-class BlobModel with CrossEntropyLoss),
03 computer vision (FashionMNISTModelV0/V1 and the TinyVGG FashionMNISTModelV2, train_step/test_step/eval_model over
a DataLoader) and extras/pytorch_most_common_errors (the shape and dtype errors a beginner meets).

The models are written once, with the course's torch spellings, against a namespace pair ``T`` (``autograd`` or
``torch``) and ``nn`` (``nn`` or ``torch.nn``), built on both sides, given torch's weights through
``load_state_dict(torch_model.state_dict())``, and run on the same data: predictions, losses, accuracies, every
parameter's gradient and the parameters after a few SGD steps are compared. Sizes are small (a few dozen samples,
28x28 images of one channel, hidden units of 4 to 10) and everything runs in float32 on both sides, as in the
course; ``torch.optim``, ``torch.save``/``torch.load`` and ``torch.utils.data`` are ``nn.optim``, ``nn.save``/
``nn.load`` and ``nn.data`` here. Deliberate differences left alone: the factories' float64 default (the course's
``torch.arange(0, 1, 0.02)`` is float64 here, so its data is made float32 with ``.type(T.float)``), the mean of an
integer tensor (numpy's float64 mean, where torch refuses) and ``state_dict()`` values as arrays.
"""

# ruff: noqa: N801, N802, N803, N806 - the course's names (X_train, MATRIX, CircleModelV0)

from __future__ import annotations

import types

import numpy as np
import pytest

import autograd
import nn
from nn.data import DataLoader, TensorDataset

torch = pytest.importorskip("torch")

ATOL = 1e-5
RTOL = 1e-4


def ours_and_torch():
    """The two namespace pairs: ``(T, nn, optim)`` for this library and for torch."""
    return (
        types.SimpleNamespace(T=autograd, nn=nn, optim=nn.optim),
        types.SimpleNamespace(T=torch, nn=torch.nn, optim=torch.optim),
    )


def numpy_of(x):
    """A Tensor of either library (or a number) as an ndarray."""
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach().numpy() if isinstance(x, autograd.Tensor) else x)


def assert_close(ours, theirs, atol=ATOL, rtol=RTOL):
    np.testing.assert_allclose(numpy_of(ours), numpy_of(theirs), atol=atol, rtol=rtol)


def course(T, nn):
    """The course's models, spelled with ``T`` for torch and ``nn`` for torch.nn."""

    class LinearRegressionModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(T.randn(1, requires_grad=True, dtype=T.float))
            self.bias = nn.Parameter(T.randn(1, requires_grad=True, dtype=T.float))

        def forward(self, x: T.Tensor) -> T.Tensor:
            return self.weights * x + self.bias

    class LinearRegressionModelV2(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear_layer = nn.Linear(in_features=1, out_features=1)

        def forward(self, x: T.Tensor) -> T.Tensor:
            return self.linear_layer(x)

    class CircleModelV0(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(in_features=2, out_features=5)
            self.layer_2 = nn.Linear(in_features=5, out_features=1)

        def forward(self, x):
            return self.layer_2(self.layer_1(x))

    class CircleModelV1(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(in_features=2, out_features=10)
            self.layer_2 = nn.Linear(in_features=10, out_features=10)
            self.layer_3 = nn.Linear(in_features=10, out_features=1)

        def forward(self, x):
            return self.layer_3(self.layer_2(self.layer_1(x)))

    class CircleModelV2(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(in_features=2, out_features=10)
            self.layer_2 = nn.Linear(in_features=10, out_features=10)
            self.layer_3 = nn.Linear(in_features=10, out_features=1)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))

    class BlobModel(nn.Module):
        def __init__(self, input_features, output_features, hidden_units=8):
            super().__init__()
            self.linear_layer_stack = nn.Sequential(
                nn.Linear(in_features=input_features, out_features=hidden_units),
                nn.ReLU(),
                nn.Linear(in_features=hidden_units, out_features=hidden_units),
                nn.ReLU(),
                nn.Linear(in_features=hidden_units, out_features=output_features),
            )

        def forward(self, x):
            return self.linear_layer_stack(x)

    class FashionMNISTModelV0(nn.Module):
        def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
            super().__init__()
            self.layer_stack = nn.Sequential(
                nn.Flatten(),
                nn.Linear(in_features=input_shape, out_features=hidden_units),
                nn.Linear(in_features=hidden_units, out_features=output_shape),
            )

        def forward(self, x):
            return self.layer_stack(x)

    class FashionMNISTModelV1(nn.Module):
        def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
            super().__init__()
            self.layer_stack = nn.Sequential(
                nn.Flatten(),
                nn.Linear(in_features=input_shape, out_features=hidden_units),
                nn.ReLU(),
                nn.Linear(in_features=hidden_units, out_features=output_shape),
                nn.ReLU(),
            )

        def forward(self, x: T.Tensor):
            return self.layer_stack(x)

    class FashionMNISTModelV2(nn.Module):
        """TinyVGG, from the CNN explainer website."""

        def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
            super().__init__()
            self.block_1 = nn.Sequential(
                nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
                nn.ReLU(),
                nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2),
            )
            self.block_2 = nn.Sequential(
                nn.Conv2d(hidden_units, hidden_units, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(hidden_units, hidden_units, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),
            )
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(in_features=hidden_units * 7 * 7, out_features=output_shape)
            )

        def forward(self, x: T.Tensor):
            x = self.block_1(x)
            x = self.block_2(x)
            x = self.classifier(x)
            return x

    def accuracy_fn(y_true, y_pred):
        correct = T.eq(y_true, y_pred).sum().item()
        acc = (correct / len(y_pred)) * 100
        return acc

    return types.SimpleNamespace(**{name: value for name, value in locals().items() if name not in ("T", "nn")})


def twin(name, *args, **kwargs):
    """The course model ``name`` built on both sides, ours given torch's weights."""
    ours, theirs = ours_and_torch()
    torch.manual_seed(42)
    torch_model = getattr(course(theirs.T, theirs.nn), name)(*args, **kwargs)
    model = getattr(course(ours.T, ours.nn), name)(*args, **kwargs)
    model.load_state_dict(torch_model.state_dict())
    return model, torch_model


def assert_same_parameters(model, torch_model, grads=False):
    theirs = dict(torch_model.named_parameters())
    ours = dict(model.named_parameters())
    assert list(ours) == list(theirs)
    for name, parameter in ours.items():
        assert parameter.dtype == np.float32, name
        assert_close(parameter, theirs[name])
        if grads:
            assert_close(parameter.grad, theirs[name].grad)


# ---------------------------------------------------------------- 00. PyTorch fundamentals


def test_fundamentals_tensor_creation_and_dtypes():
    scalar = autograd.tensor(7)
    assert (scalar.ndim, scalar.item()) == (0, 7)
    vector = autograd.tensor([7, 7])
    assert (vector.ndim, tuple(vector.shape)) == (1, (2,))
    TENSOR = autograd.tensor([[[1, 2, 3], [3, 6, 9], [2, 4, 5]]])
    assert (TENSOR.ndim, tuple(TENSOR.shape), TENSOR.dtype) == (3, (1, 3, 3), np.int64)
    random_image_size_tensor = autograd.rand(size=(224, 224, 3))
    assert (tuple(random_image_size_tensor.shape), random_image_size_tensor.ndim) == ((224, 224, 3), 3)
    assert_close(autograd.zeros(size=(3, 4)), torch.zeros(size=(3, 4)))
    assert_close(autograd.ones(size=(3, 4)), torch.ones(size=(3, 4)))
    for ours, theirs in [
        (autograd.arange(0, 10), torch.arange(0, 10)),
        (autograd.arange(start=0, end=1000, step=77), torch.arange(start=0, end=1000, step=77)),
        (autograd.zeros_like(input=autograd.arange(1, 11)), torch.zeros_like(input=torch.arange(1, 11))),
        (autograd.ones_like(input=autograd.arange(1, 11)), torch.ones_like(input=torch.arange(1, 11))),
    ]:
        assert ours.dtype == np.int64 and theirs.dtype == torch.int64
        np.testing.assert_array_equal(numpy_of(ours), numpy_of(theirs))
    with pytest.warns(UserWarning, match="deprecated"):
        zero_to_ten_deprecated = autograd.range(0, 10)
    with pytest.warns(UserWarning, match="deprecated"):
        np.testing.assert_array_equal(numpy_of(zero_to_ten_deprecated), numpy_of(torch.range(0, 10)))
    float_32_tensor = autograd.tensor([3.0, 6.0, 9.0], dtype=autograd.float32, device=None, requires_grad=False)
    float_16_tensor = float_32_tensor.type(autograd.float16)
    int_32_tensor = autograd.tensor([3, 6, 9], dtype=autograd.int32)
    torch_32 = torch.tensor([3.0, 6.0, 9.0], dtype=torch.float32)
    assert float_16_tensor.dtype == np.float16
    assert (float_16_tensor * float_32_tensor).dtype == np.float32  # torch: float32
    assert (float_32_tensor * int_32_tensor).dtype == np.float32
    assert_close(float_16_tensor * float_32_tensor, torch_32.type(torch.float16) * torch_32)
    assert str(float_32_tensor.device) == "cpu"
    assert autograd.randn(1, requires_grad=True, dtype=autograd.float).dtype == np.float32
    assert isinstance(autograd.__version__, str)


def test_fundamentals_arithmetic_and_matrix_multiplication_rules():
    tensor, torch_tensor = autograd.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    for op in ("add", "mul", "multiply", "sub", "subtract"):
        np.testing.assert_array_equal(numpy_of(getattr(autograd, op)(tensor, 10)), getattr(torch, op)(torch_tensor, 10))
    np.testing.assert_array_equal(numpy_of(tensor * tensor), numpy_of(torch_tensor * torch_tensor))
    assert autograd.matmul(tensor, tensor).item() == torch.matmul(torch_tensor, torch_tensor).item() == 14
    assert (tensor @ tensor).item() == 14
    A = [[1, 2], [3, 4], [5, 6]]
    B = [[7, 10], [8, 11], [9, 12]]
    tensor_A, tensor_B = autograd.tensor(A, dtype=autograd.float32), autograd.tensor(B, dtype=autograd.float32)
    torch_A, torch_B = torch.tensor(A, dtype=torch.float32), torch.tensor(B, dtype=torch.float32)
    for multiply in (lambda a, b: a @ b, lambda a, b: a.matmul(b)):
        with pytest.raises(RuntimeError, match=r"\(3, 2\) and \(3, 2\)"):
            multiply(tensor_A, tensor_B)
        with pytest.raises(RuntimeError, match="3x2 and 3x2"):
            multiply(torch_A, torch_B)
    with pytest.raises(RuntimeError, match=r"\(3, 2\) and \(3, 2\)"):
        autograd.mm(tensor_A, tensor_B)
    output = autograd.matmul(tensor_A, tensor_B.T)
    assert_close(output, torch.matmul(torch_A, torch_B.T))
    assert_close(autograd.mm(tensor_A, tensor_B.T), torch.mm(torch_A, torch_B.T))
    assert tuple(output.shape) == (3, 3)

    ours, theirs = ours_and_torch()
    torch.manual_seed(42)
    torch_linear = theirs.nn.Linear(in_features=2, out_features=6)
    linear = ours.nn.Linear(in_features=2, out_features=6)
    linear.load_state_dict(torch_linear.state_dict())
    assert_close(linear(tensor_A), torch_linear(torch_A))


def test_fundamentals_aggregation_and_positions():
    x, torch_x = autograd.arange(0, 100, 10), torch.arange(0, 100, 10)
    for f in (lambda T, x: x.min(), lambda T, x: x.max(), lambda T, x: T.min(x), lambda T, x: T.max(x)):
        assert f(autograd, x).item() == f(torch, torch_x).item()
    assert x.type(autograd.float32).mean().item() == torch_x.type(torch.float32).mean().item() == 45
    assert autograd.mean(x.type(autograd.float32)).item() == 45
    assert x.sum().item() == autograd.sum(x).item() == torch_x.sum().item()
    assert x.argmax().item() == autograd.argmax(x).item() == torch_x.argmax().item() == 9
    assert x.argmin().item() == autograd.argmin(x).item() == torch_x.argmin().item() == 0
    tensor = autograd.arange(10, 100, 10)
    assert tensor.type(autograd.float16).dtype == np.float16 and tensor.type(autograd.int8).dtype == np.int8
    assert tensor.type() == "autograd.LongTensor"


def test_fundamentals_reshaping_stacking_squeezing_and_permuting():
    x, torch_x = autograd.arange(1.0, 8.0), torch.arange(1.0, 8.0)
    for f in (
        lambda T, x: x.reshape(1, 7),
        lambda T, x: x.view(1, 7),
        lambda T, x: T.stack([x, x, x, x], dim=0),
        lambda T, x: T.stack([x, x, x, x], dim=1),
        lambda T, x: x.reshape(1, 7).squeeze(),
        lambda T, x: x.reshape(1, 7).squeeze().unsqueeze(dim=0),
        lambda T, x: T.unsqueeze(x, dim=1),
    ):
        ours, theirs = f(autograd, x), f(torch, torch_x)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert_close(ours, theirs)
    z = x.view(1, 7)
    z[:, 0] = 5  # changing z changes x (a view shares memory)
    assert x[0].item() == 5
    x_original = autograd.rand(size=(224, 224, 3))
    x_permuted = x_original.permute(2, 0, 1)
    assert tuple(x_permuted.shape) == (3, 224, 224)
    x_original[0, 0, 0] = 728218
    assert x_permuted[0, 0, 0].item() == 728218


def test_fundamentals_indexing():
    x, torch_x = autograd.arange(1, 10).reshape(1, 3, 3), torch.arange(1, 10).reshape(1, 3, 3)
    for f in (
        lambda x: x[0],
        lambda x: x[0][0],
        lambda x: x[0][0][0],
        lambda x: x[0][2][2],
        lambda x: x[:, 0],
        lambda x: x[:, :, 1],
        lambda x: x[:, 1, 1],
        lambda x: x[0, 0, :],
        lambda x: x[:, :, 2],
        lambda x: x[:, 2, 2],
    ):
        ours, theirs = f(x), f(torch_x)
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(numpy_of(ours), numpy_of(theirs))


def test_fundamentals_numpy_interop_and_reproducibility():
    array = np.arange(1.0, 8.0)
    tensor = autograd.from_numpy(array)
    assert tensor.dtype == torch.from_numpy(array).numpy().dtype == np.float64
    assert autograd.from_numpy(array).type(autograd.float32).dtype == np.float32
    array = array + 1  # a new array: the tensor keeps the old values, as torch's
    np.testing.assert_array_equal(numpy_of(tensor), np.arange(1.0, 8.0))
    tensor = autograd.ones(7)
    numpy_tensor = tensor.numpy()
    np.testing.assert_array_equal(numpy_tensor, np.ones(7))

    RANDOM_SEED = 42
    autograd.manual_seed(seed=RANDOM_SEED)
    random_tensor_C = autograd.rand(3, 4)
    autograd.random.manual_seed(seed=RANDOM_SEED)
    random_tensor_D = autograd.rand(3, 4)
    assert bool((random_tensor_C == random_tensor_D).all())
    random_tensor_A, random_tensor_B = autograd.rand(3, 4), autograd.rand(3, 4)
    assert not bool((random_tensor_A == random_tensor_B).all())

    device = "cuda" if autograd.cuda.is_available() else "cpu"
    assert device == "cpu" and autograd.cuda.device_count() == 0
    tensor_on_device = autograd.tensor([1, 2, 3]).to(device)
    np.testing.assert_array_equal(tensor_on_device.cpu().numpy(), [1, 2, 3])


# ---------------------------------------------------------------- 01. PyTorch workflow


def straight_line(T):
    """The workflow's data: y = 0.7 X + 0.3 for X in [0, 1) by 0.02, 80/20 split, in float32."""
    weight, bias = 0.7, 0.3
    X = T.arange(0, 1, 0.02).unsqueeze(dim=1).type(T.float)
    y = weight * X + bias
    train_split = int(0.8 * len(X))
    return X[:train_split], y[:train_split], X[train_split:], y[train_split:]


@pytest.mark.parametrize("name", ["LinearRegressionModel", "LinearRegressionModelV2"])
def test_workflow_training_loop_with_l1_loss_sgd_and_inference_mode(name):
    model, torch_model = twin(name)
    sides = []
    for side, m in zip(ours_and_torch(), (model, torch_model)):
        X_train, y_train, X_test, y_test = straight_line(side.T)
        loss_fn = side.nn.L1Loss()
        optimizer = side.optim.SGD(params=m.parameters(), lr=0.01)
        record = []
        for _ in range(5):
            m.train()
            y_pred = m(X_train)
            loss = loss_fn(y_pred, y_train)
            optimizer.zero_grad()
            loss.backward()
            record.append([loss.item()] + [numpy_of(p.grad).copy() for p in m.parameters()])
            optimizer.step()
            m.eval()
            with side.T.inference_mode():
                test_pred = m(X_test)
                test_loss = loss_fn(test_pred, y_test.type(side.T.float))
            assert not test_pred.requires_grad
            record.append([test_loss.item(), numpy_of(test_pred)])
        sides.append(record)
    for ours, theirs in zip(*sides):
        for a, b in zip(ours, theirs):
            assert_close(a, b)
    assert_same_parameters(model, torch_model)


def test_workflow_saving_and_loading_a_state_dict(tmp_path):
    model, torch_model = twin("LinearRegressionModel")
    MODEL_SAVE_PATH = tmp_path / "models" / "01_pytorch_workflow_model_0.pth"
    MODEL_SAVE_PATH.parent.mkdir(parents=True, exist_ok=True)
    nn.save(obj=model.state_dict(), f=MODEL_SAVE_PATH)
    loaded_model_0 = course(autograd, nn).LinearRegressionModel()
    loaded_model_0.load_state_dict(nn.load(f=MODEL_SAVE_PATH))
    _, _, X_test, _ = straight_line(autograd)
    _, _, torch_X_test, _ = straight_line(torch)
    loaded_model_0.eval()
    with autograd.inference_mode():
        loaded_model_preds = loaded_model_0(X_test)
    with torch.inference_mode():
        torch_preds = torch_model(torch_X_test)
    assert_close(loaded_model_preds, torch_preds)
    assert bool((loaded_model_preds == model(X_test)).all())


# ---------------------------------------------------------------- 02. PyTorch classification


def make_circles(n_samples=40, noise=0.03, seed=42):
    """sklearn's make_circles, written here: an outer circle (label 0) and an inner one of radius 0.8 (label 1)."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, n_samples // 2, endpoint=False)
    outer = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    X = np.concatenate([outer, 0.8 * outer]) + rng.normal(scale=noise, size=(n_samples, 2))
    y = np.concatenate([np.zeros(n_samples // 2), np.ones(n_samples // 2)])
    order = rng.permutation(n_samples)
    return X[order], y[order]


@pytest.mark.parametrize("name", ["CircleModelV0", "CircleModelV1", "CircleModelV2", "Sequential"])
def test_classification_binary_training_with_bce_with_logits(name):
    X_np, y_np = make_circles()
    if name == "Sequential":  # model_0 = nn.Sequential(nn.Linear(2, 5), nn.Linear(5, 1))
        torch.manual_seed(42)
        torch_model = torch.nn.Sequential(
            torch.nn.Linear(in_features=2, out_features=5), torch.nn.Linear(in_features=5, out_features=1)
        )
        model = nn.Sequential(nn.Linear(in_features=2, out_features=5), nn.Linear(in_features=5, out_features=1))
        model.load_state_dict(torch_model.state_dict())
    else:
        model, torch_model = twin(name)
    sides = []
    for side, m in zip(ours_and_torch(), (model, torch_model)):
        T = side.T
        X = T.from_numpy(X_np).type(T.float)
        y = T.from_numpy(y_np).type(T.float)
        X_train, X_test, y_train, y_test = X[:32], X[32:], y[:32], y[32:]
        accuracy_fn = course(T, side.nn).accuracy_fn
        m.eval()
        with T.inference_mode():
            y_logits = m(X_test)[:5]
        y_pred_probs = T.sigmoid(y_logits)
        y_preds = T.round(y_pred_probs)
        y_pred_labels = T.round(T.sigmoid(m(X_test)[:5]))
        assert bool(T.eq(y_preds.squeeze(), y_pred_labels.squeeze()).all())
        record = [y_logits, y_pred_probs, y_preds]
        loss_fn = side.nn.BCEWithLogitsLoss()
        optimizer = side.optim.SGD(params=m.parameters(), lr=0.1)
        for _ in range(4):
            m.train()
            y_logits = m(X_train).squeeze()
            y_pred = T.round(T.sigmoid(y_logits))
            loss = loss_fn(y_logits, y_train)
            acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
            optimizer.zero_grad()
            loss.backward()
            record += [loss.item(), acc] + [p.grad for p in m.parameters()]
            optimizer.step()
            m.eval()
            with T.inference_mode():
                test_logits = m(X_test).squeeze()
                test_pred = T.round(T.sigmoid(test_logits))
                test_loss = loss_fn(test_logits, y_test)
                test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
            record += [test_logits, test_loss.item(), test_acc]
            assert f"{loss:.5f}" == f"{loss.item():.5f}"
        sides.append(record)
    for ours, theirs in zip(*sides):
        assert_close(ours, theirs)
    assert_same_parameters(model, torch_model)


def test_classification_activations_by_hand():
    A, torch_A = autograd.arange(-10, 10, 1, dtype=autograd.float32), torch.arange(-10, 10, 1, dtype=torch.float32)
    assert_close(autograd.maximum(autograd.tensor(0), A), torch.maximum(torch.tensor(0), torch_A))
    assert_close(autograd.relu(A), torch.relu(torch_A))
    assert_close(1 / (1 + autograd.exp(-A)), torch.sigmoid(torch_A))
    assert_close(autograd.sigmoid(A), torch.sigmoid(torch_A))


def test_classification_multi_class_blobs_with_cross_entropy():
    rng = np.random.default_rng(42)
    NUM_CLASSES, NUM_FEATURES = 4, 2
    centres = rng.uniform(-10, 10, size=(NUM_CLASSES, NUM_FEATURES))
    y_np = rng.integers(0, NUM_CLASSES, 40)
    X_np = centres[y_np] + rng.normal(scale=1.5, size=(40, NUM_FEATURES))
    model, torch_model = twin("BlobModel", input_features=NUM_FEATURES, output_features=NUM_CLASSES, hidden_units=8)
    sides = []
    for side, m in zip(ours_and_torch(), (model, torch_model)):
        T = side.T
        X_blob = T.from_numpy(X_np).type(T.float)
        y_blob = T.from_numpy(y_np).type(T.LongTensor)
        X_train, X_test, y_train, y_test = X_blob[:32], X_blob[32:], y_blob[:32], y_blob[32:]
        accuracy_fn = course(T, side.nn).accuracy_fn
        loss_fn = side.nn.CrossEntropyLoss()
        optimizer = side.optim.SGD(params=m.parameters(), lr=0.1)
        y_logits = m(X_test)
        y_pred_probs = T.softmax(y_logits, dim=1)
        record = [y_logits, y_pred_probs, T.sum(y_pred_probs[0]), T.argmax(y_pred_probs[0]).item()]
        for _ in range(4):
            m.train()
            y_logits = m(X_train)
            y_pred = T.softmax(y_logits, dim=1).argmax(dim=1)
            loss = loss_fn(y_logits, y_train)
            acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
            optimizer.zero_grad()
            loss.backward()
            record += [loss.item(), acc, y_pred] + [p.grad for p in m.parameters()]
            optimizer.step()
            m.eval()
            with T.inference_mode():
                test_logits = m(X_test)
                test_pred = T.softmax(test_logits, dim=1).argmax(dim=1)
                record += [loss_fn(test_logits, y_test).item(), accuracy_fn(y_true=y_test, y_pred=test_pred)]
                record.append(T.eq(y_test, test_pred).sum().item())
        sides.append(record)
    for ours, theirs in zip(*sides):
        assert_close(ours, theirs)
    assert_same_parameters(model, torch_model)


# ---------------------------------------------------------------- 03. PyTorch computer vision


def fashion_batches(n=20, seed=0):
    """Small random "FashionMNIST" images (n, 1, 28, 28) in [0, 1) and their labels (int64, 10 classes)."""
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, n)


def train_step(T, model, data_loader, loss_fn, optimizer, accuracy_fn, device="cpu"):
    train_loss, train_acc = 0, 0
    model.to(device)
    for batch, (X, y) in enumerate(data_loader):  # noqa: B007 - the course's loop
        X, y = X.to(device), y.to(device)
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        train_loss += loss
        train_acc += accuracy_fn(y_true=y, y_pred=y_pred.argmax(dim=1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    train_loss /= len(data_loader)
    train_acc /= len(data_loader)
    return train_loss.item(), train_acc


def test_step(T, data_loader, model, loss_fn, accuracy_fn, device="cpu"):
    test_loss, test_acc = 0, 0
    model.to(device)
    model.eval()
    with T.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            test_pred = model(X)
            test_loss += loss_fn(test_pred, y)
            test_acc += accuracy_fn(y_true=y, y_pred=test_pred.argmax(dim=1))
        test_loss /= len(data_loader)
        test_acc /= len(data_loader)
    return test_loss.item(), test_acc


test_step.__test__ = False  # the course's function, not a test


def eval_model(T, model, data_loader, loss_fn, accuracy_fn):
    loss, acc = 0, 0
    model.eval()
    with T.inference_mode():
        for X, y in data_loader:
            y_pred = model(X)
            loss += loss_fn(y_pred, y)
            acc += accuracy_fn(y_true=y, y_pred=y_pred.argmax(dim=1))
        loss /= len(data_loader)
        acc /= len(data_loader)
    return {"model_name": model.__class__.__name__, "model_loss": loss.item(), "model_acc": acc}


@pytest.mark.parametrize(
    "name, hidden_units", [("FashionMNISTModelV0", 10), ("FashionMNISTModelV1", 10), ("FashionMNISTModelV2", 4)]
)
def test_computer_vision_train_step_test_step_and_eval_model_over_a_data_loader(name, hidden_units):
    input_shape = 1 if name == "FashionMNISTModelV2" else 28 * 28
    model, torch_model = twin(name, input_shape=input_shape, hidden_units=hidden_units, output_shape=10)
    images, labels = fashion_batches()
    test_images, test_labels = fashion_batches(8, seed=1)
    results = []
    for side, m, loaders in zip(
        ours_and_torch(),
        (model, torch_model),
        (
            (DataLoader, TensorDataset, autograd.from_numpy),
            (torch.utils.data.DataLoader, torch.utils.data.TensorDataset, torch.from_numpy),
        ),
    ):
        T = side.T
        Loader, Dataset, from_numpy = loaders
        train_dataloader = Loader(Dataset(from_numpy(images), from_numpy(labels)), batch_size=8, shuffle=False)
        test_dataloader = Loader(Dataset(from_numpy(test_images), from_numpy(test_labels)), batch_size=8)
        assert len(train_dataloader) == 3
        train_features_batch, train_labels_batch = next(iter(train_dataloader))
        assert tuple(train_features_batch.shape) == (8, 1, 28, 28) and tuple(train_labels_batch.shape) == (8,)
        accuracy_fn = course(T, side.nn).accuracy_fn
        loss_fn = side.nn.CrossEntropyLoss()
        optimizer = side.optim.SGD(params=m.parameters(), lr=0.1)
        record = []
        for _ in range(2):
            record += train_step(T, m, train_dataloader, loss_fn, optimizer, accuracy_fn)
            record += test_step(T, test_dataloader, m, loss_fn, accuracy_fn)
        result = eval_model(T, m, test_dataloader, loss_fn, accuracy_fn)
        assert result["model_name"] == name
        record += [result["model_loss"], result["model_acc"]]
        # make_predictions: one sample at a time, unsqueezed to a batch of one
        pred_probs = []
        with T.inference_mode():
            for sample in from_numpy(test_images[:3]):
                sample = T.unsqueeze(sample, dim=0)
                pred_logit = m(sample)
                pred_probs.append(T.softmax(pred_logit.squeeze(), dim=0))
        pred_probs = T.stack(pred_probs)
        record += [pred_probs, pred_probs.argmax(dim=1)]
        results.append(record)
    for ours, theirs in zip(*results):
        assert_close(ours, theirs)
    assert_same_parameters(model, torch_model)


def test_computer_vision_conv_and_pool_layers_by_hand():
    rng = np.random.default_rng(3)
    images = rng.standard_normal((32, 3, 64, 64)).astype(np.float32)
    ours, theirs = ours_and_torch()
    for make in (
        lambda nn: nn.Conv2d(in_channels=3, out_channels=10, kernel_size=3, stride=1, padding=0),
        lambda nn: nn.Conv2d(in_channels=3, out_channels=10, kernel_size=(5, 5), stride=2, padding=0),
    ):
        torch.manual_seed(42)
        torch_conv = make(theirs.nn)
        conv_layer = make(ours.nn)
        conv_layer.load_state_dict(torch_conv.state_dict())
        test_image = autograd.tensor(images[0])
        torch_test_image = torch.tensor(images[0])
        assert_close(conv_layer(test_image.unsqueeze(dim=0)), torch_conv(torch_test_image.unsqueeze(dim=0)))
        assert_close(conv_layer(test_image), torch_conv(torch_test_image))  # unbatched (C, H, W), as torch's
        max_pool_layer, torch_pool = ours.nn.MaxPool2d(kernel_size=2), theirs.nn.MaxPool2d(kernel_size=2)
        through_conv = conv_layer(test_image.unsqueeze(dim=0))
        torch_through_conv = torch_conv(torch_test_image.unsqueeze(dim=0))
        assert_close(max_pool_layer(through_conv), torch_pool(torch_through_conv))
    random_tensor = rng.standard_normal((1, 1, 2, 2)).astype(np.float32)
    assert_close(nn.MaxPool2d(kernel_size=2)(random_tensor), torch.nn.MaxPool2d(2)(torch.tensor(random_tensor)))


# ---------------------------------------------------------------- extras: the most common errors


def test_most_common_shape_errors_name_the_shapes():
    image = autograd.rand(1, 28, 28, dtype=autograd.float32)
    model_0 = nn.Sequential(nn.Linear(in_features=10, out_features=10), nn.Linear(in_features=10, out_features=10))
    with pytest.raises(RuntimeError, match=r"\(1, 28, 28\).*10"):
        model_0(image)
    model_1 = nn.Sequential(nn.Flatten(), nn.Linear(in_features=10, out_features=10))
    with pytest.raises(RuntimeError, match=r"\(1, 784\).*10"):
        model_1(image)
    model_2 = nn.Sequential(nn.Flatten(), nn.Linear(in_features=784, out_features=10), nn.Linear(10, 10))
    assert tuple(model_2(image).shape) == (1, 10)
    model_3 = nn.Sequential(nn.Flatten(), nn.Linear(in_features=784, out_features=10), nn.Linear(5, 10))
    with pytest.raises(RuntimeError, match=r"\(1, 10\).*5"):
        model_3(image)
    model_6 = nn.Sequential(nn.Linear(in_features=784, out_features=10))
    test_image = autograd.zeros(28, 28, dtype=autograd.float32)
    with pytest.raises(RuntimeError, match=r"\(28, 28\).*784"):  # no batch dimension and no flatten
        model_6(test_image)
    conv = nn.Conv2d(3, 10, 3)
    with pytest.raises(RuntimeError, match=r"1 channels.*expects 3"):
        conv(autograd.zeros(1, 1, 28, 28, dtype=autograd.float32))


def test_most_common_dtype_and_device_errors_name_the_problem():
    model_6 = nn.Sequential(nn.Flatten(), nn.Linear(in_features=784, out_features=10))
    test_image = autograd.zeros(28, 28, dtype=autograd.uint8)  # FashionMNIST's test_data.data[0]
    with pytest.raises(RuntimeError, match="uint8.*float32"):  # torch: "expected scalar type Float but found Byte"
        model_6(test_image.unsqueeze(dim=0))
    with pytest.raises(RuntimeError, match="float64.*float32"):
        model_6(autograd.zeros(1, 28, 28))
    fixed = model_6(test_image.unsqueeze(dim=0).type(autograd.float32).to("cpu"))
    assert tuple(fixed.shape) == (1, 10)
    with pytest.raises(ValueError, match="cuda"):
        autograd.tensor([1, 2, 3]).to("cuda")
