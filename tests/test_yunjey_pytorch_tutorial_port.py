"""yunjey's "pytorch-tutorial" (yunjey/pytorch-tutorial: 01-basics, 02-intermediate, 03-advanced) ported: each
tutorial's model and training loop written once, as the tutorial spells it, and run with torch and with this
library (``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.data`` for ``torch.utils.data``, ``nn.save`` /
``nn.load`` for ``torch.save`` / ``torch.load``), the two compared with the same weights and data: outputs, losses,
every gradient and a few optimizer steps.

MNIST, CIFAR-10, Penn Treebank, COCO and VGG-19 are replaced by small random stand-ins of their layouts; random
draws the two libraries cannot share (``torch.randn`` noise, ``randn_like`` in the VAE, ``multinomial`` samples)
are made with numpy and handed to both, the draws themselves checked for shape and dtype only. The tutorial works in
float32, torch's default; this library's factories make float64 unless ``set_default_dtype(float32)``, which every
test here sets (and restores) for both libraries (without it the tutorial's ``h0 = torch.zeros(...)`` beside an
``nn.LSTM`` is a DtypeMismatchError naming that fix). The port's documented spellings: ``torch.optim`` is
``nn.optim``, ``torch.utils.data`` is ``nn.data``, ``torch.save``/``torch.load`` are ``nn.save``/``nn.load``, and the
captioning decoder's ``_, predicted = outputs.max(1)`` is ``outputs.max(dim=1)`` (``x.max(1)`` is numpy's maxima
here, README). The conv biases that a batch norm follows get gradients that are 0 up to rounding; Adam would blow
that noise up to steps of lr, so they are zeroed in both libraries before each step.
"""

# ruff: noqa: B007 - the tutorial's loop variables (epoch, i, step) kept as it spells them
from __future__ import annotations

import io
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import as_array as _array
from book_ports import libraries as _libs

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

RTOL, ATOL = 2e-4, 2e-5


def _state(model: Any) -> dict[str, np.ndarray]:
    return {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}


def _load(lib: dict[str, Any], model: Any, state: dict[str, np.ndarray]) -> Any:
    model.load_state_dict({name: lib["torch"].tensor(value) for name, value in state.items()})
    return model


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad) for name, p in model.named_parameters() if p.grad is not None}


def _params(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p) for name, p in model.named_parameters()}


def _agree(ours: Any, theirs: Any, rtol: float = RTOL, atol: float = ATOL, where: str = "") -> None:
    """Nested dicts/lists of tensors, arrays and numbers: equal within float32 tolerances; strings, ints exactly."""
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), where
        for key in theirs:
            _agree(ours[key], theirs[key], rtol, atol, f"{where}/{key}")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _agree(a, b, rtol, atol, f"{where}[{i}]")
    elif isinstance(theirs, (str, bool, int, type(None))):
        assert ours == theirs, where
        assert type(ours) is type(theirs), where
    else:
        np.testing.assert_allclose(_array(ours), _array(theirs), rtol=rtol, atol=atol, err_msg=where)


def _silence_biases_before_batch_norm(*biases: Any) -> None:
    """Zero the gradients of biases that a batch norm follows: theirs are 0 up to rounding, and Adam scales that
    rounding noise (different in the two libraries) by 1/eps, which would move the biases by up to lr at random."""
    for bias in biases:
        np.testing.assert_allclose(_array(bias.grad), 0, atol=1e-5)
        bias.grad.zero_()


def _dtype(x: Any) -> str:
    return str(x.dtype).replace("torch.", "")


# ---- 01-basics/pytorch_basics -------------------------------------------------------------------------------------


def test_basics_autograd_example_1_scalar_graph(torch):
    def run(lib: dict[str, Any]) -> list[Any]:
        torch_ = lib["torch"]
        x = torch_.tensor(1.0, requires_grad=True)
        w = torch_.tensor(2.0, requires_grad=True)
        b = torch_.tensor(3.0, requires_grad=True)
        y = w * x + b
        y.backward()
        return [y, x.grad, w.grad, b.grad, _dtype(x.grad), tuple(x.grad.shape)]

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)
    assert ours[4] == "float32"


def test_basics_autograd_example_2_linear_mse_and_one_sgd_step(torch):
    rng = np.random.default_rng(0)
    x_np, y_np = rng.standard_normal((10, 3)).astype(np.float32), rng.standard_normal((10, 2)).astype(np.float32)
    torch.manual_seed(0)
    state = _state(torch.nn.Linear(3, 2))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, nn_ = lib["torch"], lib["nn"]
        x, y = torch_.from_numpy(x_np), torch_.from_numpy(y_np)
        linear = _load(lib, nn_.Linear(3, 2), state)
        criterion = nn_.MSELoss()
        optimizer = lib["optim"].SGD(linear.parameters(), lr=0.01)
        pred = linear(x)
        loss = criterion(pred, y)
        before = loss.item()
        loss.backward()
        grads = [linear.weight.grad.clone(), linear.bias.grad.clone()]
        optimizer.step()
        pred = linear(x)
        loss = criterion(pred, y)
        # the commented-out low-level update: linear.weight.data.sub_(0.01 * linear.weight.grad.data)
        linear.weight.data.sub_(0.01 * linear.weight.grad.data)
        linear.bias.data.sub_(0.01 * linear.bias.grad.data)
        return {"before": before, "grads": grads, "after": loss.item(), "params": _params(linear)}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)
    assert isinstance(ours["before"], float)


def test_basics_numpy_bridge_shares_memory_and_keeps_int64(torch):
    def run(lib: dict[str, Any]) -> list[Any]:
        x = np.array([[1, 2], [3, 4]])
        y = lib["torch"].from_numpy(x)
        z = y.numpy()
        x[0, 0] = 7
        return [_dtype(y), z.dtype.name, z, y]

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def test_basics_custom_dataset_loader_finetuning_and_save_load(torch):
    rng = np.random.default_rng(1)
    images_np = rng.standard_normal((6, 3, 4, 4)).astype(np.float32)
    labels_np = np.array([0, 1, 2, 1, 0, 2])
    torch.manual_seed(1)
    conv, fc = torch.nn.Conv2d(3, 2, 3), torch.nn.Linear(8, 3)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, nn_, data = lib["torch"], lib["nn"], lib["data"]

        class CustomDataset(data.Dataset):
            def __init__(self) -> None:
                self.images, self.labels = images_np, labels_np

            def __getitem__(self, index: int) -> Any:
                return torch_.from_numpy(self.images[index]), int(self.labels[index])

            def __len__(self) -> int:
                return len(self.labels)

        class Net(nn_.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv = nn_.Conv2d(3, 2, 3)
                self.fc = nn_.Linear(8, 3)

            def forward(self, x: Any) -> Any:
                return self.fc(self.conv(x).view(x.size(0), -1))

        resnet = Net()
        _load(lib, resnet.conv, _state(conv))
        _load(lib, resnet.fc, _state(fc))
        train_loader = data.DataLoader(dataset=CustomDataset(), batch_size=4, shuffle=False)
        data_iter = iter(train_loader)
        images, labels = next(data_iter)
        image, label = train_loader.dataset[0]
        for param in resnet.parameters():
            param.requires_grad = False
        resnet.fc = nn_.Linear(resnet.fc.in_features, 3)
        _load(lib, resnet.fc, _state(fc))
        outputs = resnet(images)
        loss = nn_.CrossEntropyLoss()(outputs, labels)
        loss.backward()
        buffer = io.BytesIO()
        lib["save"](resnet.state_dict(), buffer)
        buffer.seek(0)
        resnet.load_state_dict(lib["load"](buffer))
        return {
            "sizes": [tuple(image.size()), label, tuple(images.size()), _dtype(labels), len(train_loader)],
            "outputs": outputs,
            "grad_none": [p.grad is None for p in resnet.conv.parameters()],
            "fc_grad": [resnet.fc.weight.grad, resnet.fc.bias.grad],
            "requires_grad": [p.requires_grad for p in resnet.parameters()],
            "reloaded": _params(resnet),
        }

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


# ---- 01-basics: linear regression, logistic regression, feedforward network ---------------------------------------


def test_linear_regression_on_the_float32_toy_data(torch):
    x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], [9.779], [6.182]], dtype=np.float32)
    y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], [3.366], [2.596]], dtype=np.float32)
    torch.manual_seed(2)
    state = _state(torch.nn.Linear(1, 1))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, nn_ = lib["torch"], lib["nn"]
        model = _load(lib, nn_.Linear(1, 1), state)
        criterion = nn_.MSELoss()
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.001)
        inputs, targets = torch_.from_numpy(x_train), torch_.from_numpy(y_train)
        losses = []
        for _ in range(10):
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        predicted = model(inputs).detach().numpy()
        return {"losses": losses, "predicted": predicted, "dtype": predicted.dtype.name, "params": _params(model)}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)
    assert ours["dtype"] == "float32"


def _mnist_like(seed: int, n: int = 12, side: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, side, side)).astype(np.float32), rng.integers(0, 10, n)


def _loader_of(lib: dict[str, Any], images: np.ndarray, labels: np.ndarray, batch_size: int) -> Any:
    data = lib["data"]
    dataset = data.TensorDataset(lib["torch"].from_numpy(images), lib["torch"].from_numpy(labels))
    return data.DataLoader(dataset=dataset, batch_size=batch_size, shuffle=False)


def test_logistic_regression_accuracy_counted_as_a_tensor(torch):
    images_np, labels_np = _mnist_like(3)
    input_size = 36
    torch.manual_seed(3)
    state = _state(torch.nn.Linear(input_size, 10))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, nn_ = lib["torch"], lib["nn"]
        model = _load(lib, nn_.Linear(input_size, 10), state)
        criterion = nn_.CrossEntropyLoss()
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.5)
        loader = _loader_of(lib, images_np, labels_np, 5)
        losses = []
        for i, (images, labels) in enumerate(loader):
            images = images.reshape(-1, input_size)
            outputs = model(images)
            loss = criterion(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with torch_.no_grad():
            correct = 0
            total = 0
            for images, labels in loader:
                images = images.reshape(-1, input_size)
                outputs = model(images)
                _, predicted = torch_.max(outputs.data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum()
            accuracy = 100 * correct / total
        return {
            "losses": losses,
            "total": total,
            "correct": int(correct),
            "accuracy": accuracy,
            "accuracy_dtype": _dtype(accuracy),
            "predicted_dtype": _dtype(predicted),
            "params": _params(model),
        }

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def test_feedforward_network_with_adam_and_item_accuracy(torch):
    images_np, labels_np = _mnist_like(4)
    input_size, hidden_size, num_classes = 36, 8, 10

    def build(nn_: Any) -> Any:
        class NeuralNet(nn_.Module):
            def __init__(self, input_size: int, hidden_size: int, num_classes: int) -> None:
                super(NeuralNet, self).__init__()  # noqa: UP008 - the tutorial's spelling
                self.fc1 = nn_.Linear(input_size, hidden_size)
                self.relu = nn_.ReLU()
                self.fc2 = nn_.Linear(hidden_size, num_classes)

            def forward(self, x: Any) -> Any:
                out = self.fc1(x)
                out = self.relu(out)
                out = self.fc2(out)
                return out

        return NeuralNet(input_size, hidden_size, num_classes)

    torch.manual_seed(4)
    state = _state(build(torch.nn))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_ = lib["torch"]
        device = torch_.device("cuda" if torch_.cuda.is_available() else "cpu")
        model = _load(lib, build(lib["nn"]), state).to(device)
        criterion = lib["nn"].CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.01)
        loader = _loader_of(lib, images_np, labels_np, 4)
        total_step = len(loader)
        losses, grads = [], []
        for epoch in range(2):
            for i, (images, labels) in enumerate(loader):
                images = images.reshape(-1, 36).to(device)
                labels = labels.to(device)
                outputs = model(images)
                loss = criterion(outputs, labels)
                optimizer.zero_grad()
                loss.backward()
                grads.append(_grads(model))
                optimizer.step()
                losses.append(loss.item())
        with torch_.no_grad():
            correct = 0
            total = 0
            for images, labels in loader:
                outputs = model(images.reshape(-1, 36))
                _, predicted = torch_.max(outputs.data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        return {"steps": total_step, "losses": losses, "grads": grads, "acc": 100 * correct / total}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


# ---- 02-intermediate: CNN, ResNet ---------------------------------------------------------------------------------


def test_convolutional_network_with_batch_norm_train_then_eval(torch):
    images_np, labels_np = _mnist_like(5, n=8, side=8)

    def build(nn_: Any) -> Any:
        class ConvNet(nn_.Module):
            def __init__(self, num_classes: int = 10) -> None:
                super(ConvNet, self).__init__()  # noqa: UP008
                self.layer1 = nn_.Sequential(
                    nn_.Conv2d(1, 4, kernel_size=5, stride=1, padding=2),
                    nn_.BatchNorm2d(4),
                    nn_.ReLU(),
                    nn_.MaxPool2d(kernel_size=2, stride=2),
                )
                self.layer2 = nn_.Sequential(
                    nn_.Conv2d(4, 6, kernel_size=5, stride=1, padding=2),
                    nn_.BatchNorm2d(6),
                    nn_.ReLU(),
                    nn_.MaxPool2d(kernel_size=2, stride=2),
                )
                self.fc = nn_.Linear(2 * 2 * 6, num_classes)

            def forward(self, x: Any) -> Any:
                out = self.layer1(x)
                out = self.layer2(out)
                out = out.reshape(out.size(0), -1)
                out = self.fc(out)
                return out

        return ConvNet(10)

    torch.manual_seed(5)
    state = _state(build(torch.nn))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_ = lib["torch"]
        model = _load(lib, build(lib["nn"]), state)
        criterion = lib["nn"].CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.01)
        loader = _loader_of(lib, images_np, labels_np, 4)
        losses, grads = [], []
        for images, labels in loader:
            outputs = model(images)
            loss = criterion(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            grads.append(_grads(model))
            _silence_biases_before_batch_norm(model.layer1[0].bias, model.layer2[0].bias)
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        with torch_.no_grad():
            outputs = model(torch_.from_numpy(images_np))
            _, predicted = torch_.max(outputs.data, 1)
        buffers = {name: _array(b) for name, b in model.named_buffers()}
        return {"losses": losses, "grads": grads, "eval": outputs, "predicted": predicted, "buffers": buffers}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def _resnet(nn_: Any) -> Any:
    def conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> Any:
        return nn_.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)

    class ResidualBlock(nn_.Module):
        def __init__(self, in_channels: int, out_channels: int, stride: int = 1, downsample: Any = None) -> None:
            super(ResidualBlock, self).__init__()  # noqa: UP008
            self.conv1 = conv3x3(in_channels, out_channels, stride)
            self.bn1 = nn_.BatchNorm2d(out_channels)
            self.relu = nn_.ReLU(inplace=True)
            self.conv2 = conv3x3(out_channels, out_channels)
            self.bn2 = nn_.BatchNorm2d(out_channels)
            self.downsample = downsample

        def forward(self, x: Any) -> Any:
            residual = x
            out = self.conv1(x)
            out = self.bn1(out)
            out = self.relu(out)
            out = self.conv2(out)
            out = self.bn2(out)
            if self.downsample:
                residual = self.downsample(x)
            out += residual
            out = self.relu(out)
            return out

    class ResNet(nn_.Module):
        def __init__(self, block: Any, layers: list[int], num_classes: int = 10) -> None:
            super(ResNet, self).__init__()  # noqa: UP008
            self.in_channels = 4
            self.conv = conv3x3(3, 4)
            self.bn = nn_.BatchNorm2d(4)
            self.relu = nn_.ReLU(inplace=True)
            self.layer1 = self.make_layer(block, 4, layers[0])
            self.layer2 = self.make_layer(block, 8, layers[1], 2)
            self.layer3 = self.make_layer(block, 16, layers[2], 2)
            self.avg_pool = nn_.AvgPool2d(2)
            self.fc = nn_.Linear(16, num_classes)

        def make_layer(self, block: Any, out_channels: int, blocks: int, stride: int = 1) -> Any:
            downsample = None
            if (stride != 1) or (self.in_channels != out_channels):
                downsample = nn_.Sequential(
                    conv3x3(self.in_channels, out_channels, stride=stride), nn_.BatchNorm2d(out_channels)
                )
            layers = []
            layers.append(block(self.in_channels, out_channels, stride, downsample))
            self.in_channels = out_channels
            for i in range(1, blocks):
                layers.append(block(out_channels, out_channels))
            return nn_.Sequential(*layers)

        def forward(self, x: Any) -> Any:
            out = self.conv(x)
            out = self.bn(out)
            out = self.relu(out)
            out = self.layer1(out)
            out = self.layer2(out)
            out = self.layer3(out)
            out = self.avg_pool(out)
            out = out.view(out.size(0), -1)
            out = self.fc(out)
            return out

    return ResNet(ResidualBlock, [2, 2, 2])


def test_deep_residual_network_with_in_place_relu_and_lr_update_by_hand(torch):
    rng = np.random.default_rng(6)
    images_np = rng.standard_normal((6, 3, 8, 8)).astype(np.float32)
    labels_np = rng.integers(0, 10, 6)
    torch.manual_seed(6)
    state = _state(_resnet(torch.nn))

    def update_lr(optimizer: Any, lr: float) -> None:
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_ = lib["torch"]
        model = _load(lib, _resnet(lib["nn"]), state)
        criterion = lib["nn"].CrossEntropyLoss()
        curr_lr = 0.01
        optimizer = lib["optim"].Adam(model.parameters(), lr=curr_lr)
        loader = _loader_of(lib, images_np, labels_np, 3)
        losses, grads, lrs = [], [], []
        for epoch in range(2):
            for images, labels in loader:
                outputs = model(images)
                loss = criterion(outputs, labels)
                optimizer.zero_grad()
                loss.backward()
                grads.append(_grads(model))
                optimizer.step()
                losses.append(loss.item())
            curr_lr /= 3
            update_lr(optimizer, curr_lr)
            lrs.append(optimizer.param_groups[0]["lr"])
        model.eval()
        with torch_.no_grad():
            correct = 0
            total = 0
            for images, labels in loader:
                outputs = model(images)
                _, predicted = torch_.max(outputs.data, 1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        return {"losses": losses, "grads": grads, "lrs": lrs, "params": _params(model), "correct": correct}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs, rtol=1e-3, atol=1e-4)


# ---- 02-intermediate: RNN, bidirectional RNN, language model ------------------------------------------------------


def _rnn(nn_: Any, torch_: Any, bidirectional: bool) -> Any:
    class RNN(nn_.Module):
        def __init__(self, input_size: int, hidden_size: int, num_layers: int, num_classes: int) -> None:
            super(RNN, self).__init__()  # noqa: UP008
            self.hidden_size = hidden_size
            self.num_layers = num_layers
            self.lstm = nn_.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
            self.fc = nn_.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

        def forward(self, x: Any) -> Any:
            directions = 2 if bidirectional else 1
            h0 = torch_.zeros(self.num_layers * directions, x.size(0), self.hidden_size).to(x.device)
            c0 = torch_.zeros(self.num_layers * directions, x.size(0), self.hidden_size).to(x.device)
            out, _ = self.lstm(x, (h0, c0))
            out = self.fc(out[:, -1, :])
            return out

    return RNN(6, 5, 2, 10)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["rnn", "birnn"])
def test_recurrent_network_many_to_one_on_image_rows(torch, bidirectional):
    images_np, labels_np = _mnist_like(7, n=6, side=6)
    torch.manual_seed(7)
    state = _state(_rnn(torch.nn, torch, bidirectional))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_ = lib["torch"]
        model = _load(lib, _rnn(lib["nn"], torch_, bidirectional), state)
        criterion = lib["nn"].CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.003)
        loader = _loader_of(lib, images_np, labels_np, 3)
        losses, grads = [], []
        for images, labels in loader:
            images = images.reshape(-1, 6, 6)
            outputs = model(images)
            loss = criterion(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            grads.append(_grads(model))
            optimizer.step()
            losses.append(loss.item())
        return {"losses": losses, "grads": grads, "params": _params(model)}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def _corpus(torch_: Any) -> Any:
    class Dictionary(object):  # noqa: UP004
        def __init__(self) -> None:
            self.word2idx: dict[str, int] = {}
            self.idx2word: dict[int, str] = {}
            self.idx = 0

        def add_word(self, word: str) -> None:
            if word not in self.word2idx:
                self.word2idx[word] = self.idx
                self.idx2word[self.idx] = word
                self.idx += 1

        def __len__(self) -> int:
            return len(self.word2idx)

    class Corpus(object):  # noqa: UP004
        def __init__(self, path: str = "./data") -> None:
            self.dictionary = Dictionary()

        def get_data(self, path: str, batch_size: int = 20) -> Any:
            with open(path) as f:
                tokens = 0
                for line in f:
                    words = line.split() + ["<eos>"]
                    tokens += len(words)
                    for word in words:
                        self.dictionary.add_word(word)
            ids = torch_.LongTensor(tokens)
            token = 0
            with open(path) as f:
                for line in f:
                    words = line.split() + ["<eos>"]
                    for word in words:
                        ids[token] = self.dictionary.word2idx[word]
                        token += 1
            num_batches = ids.size(0) // batch_size
            ids = ids[: num_batches * batch_size]
            return ids.view(batch_size, -1)

    return Corpus()


def _rnnlm(nn_: Any, vocab_size: int) -> Any:
    class RNNLM(nn_.Module):
        def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, num_layers: int) -> None:
            super(RNNLM, self).__init__()  # noqa: UP008
            self.embed = nn_.Embedding(vocab_size, embed_size)
            self.lstm = nn_.LSTM(embed_size, hidden_size, num_layers, batch_first=True)
            self.linear = nn_.Linear(hidden_size, vocab_size)

        def forward(self, x: Any, h: Any) -> Any:
            x = self.embed(x)
            out, (h, c) = self.lstm(x, h)
            out = out.reshape(out.size(0) * out.size(1), out.size(2))
            out = self.linear(out)
            return out, (h, c)

    return RNNLM(vocab_size, 4, 5, 1)


def test_language_model_truncated_bptt_with_detached_states_and_clipping(torch, tmp_path):
    words = "the cat sat on the mat a dog ate the cat".split()
    rng = np.random.default_rng(8)
    text = "\n".join(" ".join(rng.choice(words, 7)) for _ in range(6))
    path = tmp_path / "train.txt"
    path.write_text(text + "\n")
    batch_size, seq_length, num_layers, hidden_size = 2, 4, 1, 5

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch_ = lib["torch"]
        corpus = _corpus(torch_)
        ids = corpus.get_data(str(path), batch_size)
        vocab_size = len(corpus.dictionary)
        model = _rnnlm(lib["nn"], vocab_size)
        if state is None:
            state = _state(model)
        _load(lib, model, state)
        criterion = lib["nn"].CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.01)

        def detach(states: Any) -> Any:
            return [state.detach() for state in states]

        log: dict[str, Any] = {"ids": ids, "ids_dtype": _dtype(ids), "vocab": vocab_size, "losses": [], "grads": []}
        norms = []
        for epoch in range(2):
            states = (
                torch_.zeros(num_layers, batch_size, hidden_size),
                torch_.zeros(num_layers, batch_size, hidden_size),
            )
            for i in range(0, ids.size(1) - seq_length, seq_length):
                inputs = ids[:, i : i + seq_length]
                targets = ids[:, (i + 1) : (i + 1) + seq_length]
                states = detach(states)
                outputs, states = model(inputs, states)
                loss = criterion(outputs, targets.reshape(-1))
                optimizer.zero_grad()
                loss.backward()
                norms.append(lib["nn"].utils.clip_grad_norm_(model.parameters(), 0.5))
                log["grads"].append(_grads(model))
                optimizer.step()
                log["losses"].append((loss.item(), np.exp(loss.item())))
        log["norms"] = norms
        log["states"] = [s for s in states]
        with torch_.no_grad():
            state_ = (torch_.zeros(num_layers, 1, hidden_size), torch_.zeros(num_layers, 1, hidden_size))
            prob = torch_.ones(vocab_size)
            input = torch_.multinomial(prob, num_samples=1).unsqueeze(1)
            log["first_input"] = [tuple(input.shape), _dtype(input)]
            input.fill_(2)  # the draw shared by both libraries
            picks = []
            for word_id in [1, 3, 0]:
                output, state_ = model(input, state_)
                prob = output.exp()
                drawn = torch_.multinomial(prob, num_samples=1).item()
                assert 0 <= drawn < vocab_size and isinstance(drawn, int)
                input.fill_(word_id)
                picks.append(output)
            log["sampled_outputs"] = picks
            log["word"] = corpus.dictionary.idx2word[int(input[0, 0])]
        return log

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(8)
    theirs = run(theirs_lib, None)
    state = _state(_rnnlm(torch.nn, theirs["vocab"]))
    torch.manual_seed(8)
    theirs = run(theirs_lib, state)
    ours = run(ours_lib, state)
    _agree(ours, theirs)


# ---- 02-intermediate: GAN; 03-advanced: VAE, DCGAN, neural style transfer, image captioning -----------------------


def _gan(nn_: Any, image_size: int, hidden_size: int, latent_size: int) -> tuple[Any, Any]:
    D = nn_.Sequential(  # noqa: N806 - the tutorial's names
        nn_.Linear(image_size, hidden_size),
        nn_.LeakyReLU(0.2),
        nn_.Linear(hidden_size, hidden_size),
        nn_.LeakyReLU(0.2),
        nn_.Linear(hidden_size, 1),
        nn_.Sigmoid(),
    )
    G = nn_.Sequential(  # noqa: N806
        nn_.Linear(latent_size, hidden_size),
        nn_.ReLU(),
        nn_.Linear(hidden_size, hidden_size),
        nn_.ReLU(),
        nn_.Linear(hidden_size, image_size),
        nn_.Tanh(),
    )
    return D, G


def test_generative_adversarial_network_reset_grad_denorm_and_clamp(torch):
    image_size, hidden_size, latent_size, batch_size = 16, 8, 4, 5
    rng = np.random.default_rng(9)
    images_np = (rng.random((batch_size, 1, 4, 4)) * 2 - 1).astype(np.float32)
    noise = [rng.standard_normal((batch_size, latent_size)).astype(np.float32) for _ in range(4)]
    torch.manual_seed(9)
    states = [_state(m) for m in _gan(torch.nn, image_size, hidden_size, latent_size)]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, nn_ = lib["torch"], lib["nn"]
        D, G = _gan(nn_, image_size, hidden_size, latent_size)  # noqa: N806
        _load(lib, D, states[0])
        _load(lib, G, states[1])
        criterion = nn_.BCELoss()
        d_optimizer = lib["optim"].Adam(D.parameters(), lr=0.0002)
        g_optimizer = lib["optim"].Adam(G.parameters(), lr=0.0002)

        def denorm(x: Any) -> Any:
            out = (x + 1) / 2
            return out.clamp(0, 1)

        def reset_grad() -> None:
            d_optimizer.zero_grad()
            g_optimizer.zero_grad()

        log: dict[str, Any] = {"d": [], "g": [], "scores": []}
        images = torch_.from_numpy(images_np).reshape(batch_size, -1)
        real_labels = torch_.ones(batch_size, 1)
        fake_labels = torch_.zeros(batch_size, 1)
        for step in range(2):
            outputs = D(images)
            d_loss_real = criterion(outputs, real_labels)
            real_score = outputs
            z = torch_.from_numpy(noise[2 * step])
            fake_images = G(z)
            outputs = D(fake_images)
            d_loss_fake = criterion(outputs, fake_labels)
            fake_score = outputs
            d_loss = d_loss_real + d_loss_fake
            reset_grad()
            d_loss.backward()
            log["d"].append((_grads(D), _grads(G)))
            d_optimizer.step()
            z = torch_.from_numpy(noise[2 * step + 1])
            fake_images = G(z)
            outputs = D(fake_images)
            g_loss = criterion(outputs, real_labels)
            reset_grad()
            g_loss.backward()
            log["g"].append((_grads(D), _grads(G)))
            g_optimizer.step()
            log["scores"].append([d_loss.item(), g_loss.item(), real_score.mean().item(), fake_score.mean().item()])
        fake_images = fake_images.reshape(fake_images.size(0), 1, 4, 4)
        log["denorm"] = denorm(fake_images)
        log["denorm_real"] = denorm(images.reshape(images.size(0), 1, 4, 4) * 3)
        return log

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def _vae(nn_: Any, F: Any, torch_: Any, eps_np: np.ndarray, drawn: list[Any]) -> Any:  # noqa: N803
    class VAE(nn_.Module):
        def __init__(self, image_size: int = 16, h_dim: int = 8, z_dim: int = 3) -> None:
            super(VAE, self).__init__()  # noqa: UP008
            self.fc1 = nn_.Linear(image_size, h_dim)
            self.fc2 = nn_.Linear(h_dim, z_dim)
            self.fc3 = nn_.Linear(h_dim, z_dim)
            self.fc4 = nn_.Linear(z_dim, h_dim)
            self.fc5 = nn_.Linear(h_dim, image_size)

        def encode(self, x: Any) -> Any:
            h = F.relu(self.fc1(x))
            return self.fc2(h), self.fc3(h)

        def reparameterize(self, mu: Any, log_var: Any) -> Any:
            std = torch_.exp(log_var / 2)
            eps = torch_.randn_like(std)
            drawn.append((tuple(eps.shape), _dtype(eps), eps.requires_grad))
            eps = torch_.from_numpy(eps_np)  # the draw shared by both libraries
            return mu + eps * std

        def decode(self, z: Any) -> Any:
            h = F.relu(self.fc4(z))
            return F.sigmoid(self.fc5(h))

        def forward(self, x: Any) -> Any:
            mu, log_var = self.encode(x)
            z = self.reparameterize(mu, log_var)
            x_reconst = self.decode(z)
            return x_reconst, mu, log_var

    return VAE()


def test_variational_autoencoder_with_legacy_size_average_false(torch):
    rng = np.random.default_rng(10)
    x_np = rng.random((6, 1, 4, 4)).astype(np.float32)
    eps_np = rng.standard_normal((6, 3)).astype(np.float32)
    torch.manual_seed(10)
    state = _state(_vae(torch.nn, torch.nn.functional, torch, eps_np, []))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, F = lib["torch"], lib["F"]  # noqa: N806
        drawn: list[Any] = []
        model = _load(lib, _vae(lib["nn"], F, torch_, eps_np, drawn), state)
        optimizer = lib["optim"].Adam(model.parameters(), lr=1e-3)
        log: dict[str, Any] = {"losses": [], "grads": []}
        for _ in range(3):
            x = torch_.from_numpy(x_np).view(-1, 16)
            x_reconst, mu, log_var = model(x)
            reconst_loss = F.binary_cross_entropy(x_reconst, x, size_average=False)
            kl_div = -0.5 * torch_.sum(1 + log_var - mu.pow(2) - log_var.exp())
            loss = reconst_loss + kl_div
            optimizer.zero_grad()
            loss.backward()
            log["grads"].append(_grads(model))
            optimizer.step()
            log["losses"].append((reconst_loss.item(), kl_div.item()))
        with torch_.no_grad():
            z = torch_.from_numpy(eps_np)
            out = model.decode(z).view(-1, 1, 4, 4)
            out2, _, _ = model(x)
            x_concat = torch_.cat([x.view(-1, 1, 4, 4), out2.view(-1, 1, 4, 4)], dim=3)
        log.update(sampled=out, concat=x_concat, drawn=drawn)
        return log

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def _dcgan(nn_: Any, F: Any) -> tuple[Any, Any]:  # noqa: N803
    def deconv(c_in: int, c_out: int, k_size: int, stride: int = 2, pad: int = 1, bn: bool = True) -> Any:
        layers = []
        layers.append(nn_.ConvTranspose2d(c_in, c_out, k_size, stride, pad))
        if bn:
            layers.append(nn_.BatchNorm2d(c_out))
        return nn_.Sequential(*layers)

    def conv(c_in: int, c_out: int, k_size: int, stride: int = 2, pad: int = 1, bn: bool = True) -> Any:
        layers = []
        layers.append(nn_.Conv2d(c_in, c_out, k_size, stride, pad))
        if bn:
            layers.append(nn_.BatchNorm2d(c_out))
        return nn_.Sequential(*layers)

    class Generator(nn_.Module):
        def __init__(self, z_dim: int = 6, image_size: int = 16, conv_dim: int = 2) -> None:
            super(Generator, self).__init__()  # noqa: UP008
            self.fc = deconv(z_dim, conv_dim * 8, int(image_size / 16), 1, 0, bn=False)
            self.deconv1 = deconv(conv_dim * 8, conv_dim * 4, 4)
            self.deconv2 = deconv(conv_dim * 4, conv_dim * 2, 4)
            self.deconv3 = deconv(conv_dim * 2, conv_dim, 4)
            self.deconv4 = deconv(conv_dim, 3, 4, bn=False)

        def forward(self, z: Any) -> Any:
            z = z.view(z.size(0), z.size(1), 1, 1)
            out = self.fc(z)
            out = F.leaky_relu(self.deconv1(out), 0.05)
            out = F.leaky_relu(self.deconv2(out), 0.05)
            out = F.leaky_relu(self.deconv3(out), 0.05)
            out = F.tanh(self.deconv4(out))
            return out

    class Discriminator(nn_.Module):
        def __init__(self, image_size: int = 16, conv_dim: int = 2) -> None:
            super(Discriminator, self).__init__()  # noqa: UP008
            self.conv1 = conv(3, conv_dim, 4, bn=False)
            self.conv2 = conv(conv_dim, conv_dim * 2, 4)
            self.conv3 = conv(conv_dim * 2, conv_dim * 4, 4)
            self.conv4 = conv(conv_dim * 4, conv_dim * 8, 4)
            self.fc = conv(conv_dim * 8, 1, int(image_size / 16), 1, 0, False)

        def forward(self, x: Any) -> Any:
            out = F.leaky_relu(self.conv1(x), 0.05)
            out = F.leaky_relu(self.conv2(out), 0.05)
            out = F.leaky_relu(self.conv3(out), 0.05)
            out = F.leaky_relu(self.conv4(out), 0.05)
            out = self.fc(out).squeeze()
            return out

    return Generator(), Discriminator()


def test_deep_convolutional_gan_generator_and_discriminator(torch):
    rng = np.random.default_rng(11)
    z_np = rng.standard_normal((3, 6)).astype(np.float32)
    images_np = rng.uniform(-1, 1, (3, 3, 16, 16)).astype(np.float32)
    torch.manual_seed(11)
    states = [_state(m) for m in _dcgan(torch.nn, torch.nn.functional)]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_ = lib["torch"]
        g, d = _dcgan(lib["nn"], lib["F"])
        _load(lib, g, states[0])
        _load(lib, d, states[1])
        g_optimizer = lib["optim"].Adam(g.parameters(), 0.0002, [0.5, 0.999])
        d_optimizer = lib["optim"].Adam(d.parameters(), 0.0002, [0.5, 0.999])
        images, noise = torch_.from_numpy(images_np), torch_.from_numpy(z_np)
        outputs = d(images)
        real_loss = torch_.mean((outputs - 1) ** 2)
        fake_images = g(noise)
        outputs = d(fake_images)
        fake_loss = torch_.mean(outputs**2)
        d_loss = real_loss + fake_loss
        d.zero_grad()
        g.zero_grad()
        d_loss.backward()
        grads = [_grads(d), _grads(g)]
        _silence_biases_before_batch_norm(d.conv2[0].bias, d.conv3[0].bias, d.conv4[0].bias)
        d_optimizer.step()
        fake_images = g(noise)
        outputs = d(fake_images)
        g_loss = torch_.mean((outputs - 1) ** 2)
        d.zero_grad()
        g.zero_grad()
        g_loss.backward()
        grads += [_grads(d), _grads(g)]
        _silence_biases_before_batch_norm(g.deconv1[0].bias, g.deconv2[0].bias, g.deconv3[0].bias)
        g_optimizer.step()
        return {"fake": fake_images, "losses": [d_loss.item(), g_loss.item()], "grads": grads, "g": _params(g)}

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs, rtol=1e-3, atol=1e-4)


def _vgg_like(nn_: Any) -> Any:
    class VGGNet(nn_.Module):
        def __init__(self) -> None:
            super(VGGNet, self).__init__()  # noqa: UP008
            self.select = ["0", "2", "5"]
            self.vgg = nn_.Sequential(
                nn_.Conv2d(3, 4, 3, padding=1),
                nn_.ReLU(inplace=True),
                nn_.Conv2d(4, 4, 3, padding=1),
                nn_.ReLU(inplace=True),
                nn_.MaxPool2d(kernel_size=2, stride=2),
                nn_.Conv2d(4, 6, 3, padding=1),
                nn_.ReLU(inplace=True),
            )

        def forward(self, x: Any) -> Any:
            features = []
            for name, layer in self.vgg._modules.items():
                x = layer(x)
                if name in self.select:
                    features.append(x)
            return features

    return VGGNet()


def test_neural_style_transfer_optimizes_the_target_image_itself(torch):
    rng = np.random.default_rng(12)
    content_np = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    style_np = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    torch.manual_seed(12)
    state = _state(_vgg_like(torch.nn))
    style_weight = 100

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_ = lib["torch"]
        device = torch_.device("cuda" if torch_.cuda.is_available() else "cpu")
        content = torch_.from_numpy(content_np).to(device)
        style = torch_.from_numpy(style_np).to(device)
        target = content.clone().requires_grad_(True)
        optimizer = lib["optim"].Adam([target], lr=0.003, betas=[0.5, 0.999])
        vgg = _load(lib, _vgg_like(lib["nn"]), state).to(device).eval()
        log: dict[str, Any] = {"losses": [], "grads": []}
        for step in range(3):
            target_features = vgg(target)
            content_features = vgg(content)
            style_features = vgg(style)
            style_loss = 0
            content_loss = 0
            for f1, f2, f3 in zip(target_features, content_features, style_features):
                content_loss += torch_.mean((f1 - f2) ** 2)
                _, c, h, w = f1.size()
                f1 = f1.view(c, h * w)
                f3 = f3.view(c, h * w)
                f1 = torch_.mm(f1, f1.t())
                f3 = torch_.mm(f3, f3.t())
                style_loss += torch_.mean((f1 - f3) ** 2) / (c * h * w)
            loss = content_loss + style_weight * style_loss
            optimizer.zero_grad()
            loss.backward()
            log["grads"].append(target.grad.clone())
            optimizer.step()
            log["losses"].append((content_loss.item(), style_loss.item()))
        img = target.clone().squeeze()
        mean = torch_.tensor([-2.12, -2.04, -1.80]).view(3, 1, 1)
        std = torch_.tensor([4.37, 4.46, 4.44]).view(3, 1, 1)
        img = ((img - mean) / std).clamp_(0, 1)
        log.update(img=img, target=target, vgg_grads=[p.grad is None for p in vgg.parameters()])
        log["img_requires_grad"] = img.requires_grad
        return log

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)


def _captioning(nn_: Any, torch_: Any, pack_padded_sequence: Any) -> tuple[Any, Any]:
    class EncoderCNN(nn_.Module):
        def __init__(self, embed_size: int) -> None:
            super(EncoderCNN, self).__init__()  # noqa: UP008
            resnet = nn_.Sequential(
                nn_.Conv2d(3, 4, 3), nn_.ReLU(), nn_.AdaptiveAvgPool2d((1, 1)), nn_.Flatten(), nn_.Linear(4, 7)
            )
            modules = list(resnet.children())[:-2]
            self.resnet = nn_.Sequential(*modules)
            self.linear = nn_.Linear(resnet[-1].in_features, embed_size)
            self.bn = nn_.BatchNorm1d(embed_size, momentum=0.01)

        def forward(self, images: Any) -> Any:
            with torch_.no_grad():
                features = self.resnet(images)
            features = features.reshape(features.size(0), -1)
            features = self.bn(self.linear(features))
            return features

    class DecoderRNN(nn_.Module):
        def __init__(
            self, embed_size: int, hidden_size: int, vocab_size: int, num_layers: int, max_seq_length: int = 5
        ) -> None:
            super(DecoderRNN, self).__init__()  # noqa: UP008
            self.embed = nn_.Embedding(vocab_size, embed_size)
            self.lstm = nn_.LSTM(embed_size, hidden_size, num_layers, batch_first=True)
            self.linear = nn_.Linear(hidden_size, vocab_size)
            self.max_seg_length = max_seq_length
            self.embed.weight.data.uniform_(-0.1, 0.1)
            self.linear.bias.data.fill_(0)

        def forward(self, features: Any, captions: Any, lengths: list[int]) -> Any:
            embeddings = self.embed(captions)
            embeddings = torch_.cat((features.unsqueeze(1), embeddings), 1)
            packed = pack_padded_sequence(embeddings, lengths, batch_first=True)
            hiddens, _ = self.lstm(packed)
            outputs = self.linear(hiddens[0])
            return outputs

        def sample(self, features: Any, states: Any = None) -> Any:
            sampled_ids = []
            inputs = features.unsqueeze(1)
            for i in range(self.max_seg_length):
                hiddens, states = self.lstm(inputs, states)
                outputs = self.linear(hiddens.squeeze(1))
                _, predicted = outputs.max(dim=1)  # the tutorial's max(1): numpy's maxima here (README)
                sampled_ids.append(predicted)
                inputs = self.embed(predicted)
                inputs = inputs.unsqueeze(1)
            sampled_ids = torch_.stack(sampled_ids, 1)
            return sampled_ids

    return EncoderCNN(5), DecoderRNN(5, 6, 9, 1)


def test_image_captioning_packed_decoder_collate_fn_and_greedy_sample(torch):
    rng = np.random.default_rng(13)
    images_np = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    captions_np = [rng.integers(1, 9, n) for n in (3, 5, 2, 4)]
    torch.manual_seed(13)
    states = [_state(m) for m in _captioning(torch.nn, torch, torch.nn.utils.rnn.pack_padded_sequence)]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch_, nn_ = lib["torch"], lib["nn"]
        pack_padded_sequence = nn_.utils.rnn.pack_padded_sequence
        encoder, decoder = _captioning(nn_, torch_, pack_padded_sequence)
        _load(lib, encoder, states[0])
        _load(lib, decoder, states[1])

        def collate_fn(data: Any) -> Any:
            data.sort(key=lambda x: len(x[1]), reverse=True)
            images, captions = zip(*data)
            images = torch_.stack(images, 0)
            lengths = [len(cap) for cap in captions]
            targets = torch_.zeros(len(captions), max(lengths)).long()
            for i, cap in enumerate(captions):
                end = lengths[i]
                targets[i, :end] = cap[:end]
            return images, targets, lengths

        dataset = [(torch_.from_numpy(images_np[i]), torch_.from_numpy(captions_np[i])) for i in range(4)]
        loader = lib["data"].DataLoader(dataset=dataset, batch_size=4, shuffle=False, collate_fn=collate_fn)
        criterion = nn_.CrossEntropyLoss()
        params = list(decoder.parameters()) + list(encoder.linear.parameters()) + list(encoder.bn.parameters())
        optimizer = lib["optim"].Adam(params, lr=0.01)
        log: dict[str, Any] = {"losses": [], "grads": []}
        for epoch in range(2):
            for i, (images, captions, lengths) in enumerate(loader):
                targets = pack_padded_sequence(captions, lengths, batch_first=True)[0]
                features = encoder(images)
                outputs = decoder(features, captions, lengths)
                loss = criterion(outputs, targets)
                decoder.zero_grad()
                encoder.zero_grad()
                loss.backward()
                log["grads"].append([_grads(encoder), _grads(decoder)])
                optimizer.step()
                log["losses"].append(loss.item())
        log.update(captions=captions, lengths=lengths, targets=targets, targets_dtype=_dtype(targets))
        encoder.eval()
        with torch_.no_grad():
            feature = encoder(images[:1])
            sampled_ids = decoder.sample(feature)
            sampled_ids = sampled_ids[0].cpu().numpy()
            log["sampled"] = [sampled_ids, sampled_ids.dtype.name]
            log["batch"] = decoder.sample(encoder(images))
        return log

    theirs, ours = (run(lib) for lib in _libs(torch))
    _agree(ours, theirs)
