"""MIT 6.S191 Introduction to Deep Learning, the PyTorch labs (aamini/introtodeeplearning: lab1 PT_Part1_Intro,
PT_Part2_Music_Generation; lab2 PT_Part1_MNIST, PT_Part2_Debiasing) ported: each lab's code written once, as the
labs spell it, and run with torch and with this library (``autograd`` for ``torch``, ``nn`` for ``torch.nn``), the
two compared with the same weights and data: outputs, losses, every gradient and a few optimizer steps.

The labs' data (ABC songs, MNIST, CelebA faces) are replaced by small random stand-ins of the same kinds, and the
models are shrunk (fewer filters, smaller images). The port's documented spellings: ``torch.optim`` is
``nn.optim``, ``torch.utils.data`` is ``nn.data`` and ``torch.save`` is ``nn.save``. The labs work in float32,
torch's default; this library's factories make float64 unless ``set_default_dtype(float32)``, which every test
here sets (and restores) for both libraries. Random draws (``torch.randn`` inside a layer's init, the
reparameterization's ``eps``, ``torch.multinomial``) come from each library's own generator: the weights are
copied from torch's modules, the noise is drawn once and handed to both, and sampling is compared by its
probabilities and by what the samples may be.
"""

# ruff: noqa: N801, N803, UP008, UP032 - the labs' spellings (DB_VAE, F, super(LSTMModel, self), "{}".format(...))

from __future__ import annotations

from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import assert_close as _close
from book_ports import assert_results_match as _results_match
from book_ports import copy_weights as _copy_weights
from book_ports import libraries as _libs

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch


def _compare_grads(ours: Any, theirs: Any, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Every parameter's gradient, by name (each one present on both sides)."""
    ours_named, theirs_named = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(ours_named) == list(theirs_named)
    for name, p in theirs_named.items():
        assert p.grad is not None and ours_named[name].grad is not None, name
        _close(ours_named[name].grad, p.grad, rtol=rtol, atol=atol)


def _compare_params(ours: Any, theirs: Any, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    for (_, q), (_, p) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        _close(q, p, rtol=rtol, atol=atol)


# ---- lab 1, part 1: intro to PyTorch ----------------------------------------------------------------------


def test_zero_dim_tensors_format_as_their_number_like_torch(torch):
    # the lab's first cell: print(f"`integer` is a {integer.ndim}-d Tensor: {integer}") prints 1234, not a repr
    for lib in _libs(torch):
        t = lib["torch"]
        integer, decimal = t.tensor(1234), t.tensor(3.14159265359)
        assert f"`integer` is a {integer.ndim}-d Tensor: {integer}" == "`integer` is a 0-d Tensor: 1234"
        assert f"{decimal}" == str(float(np.float32(3.14159265359)))
        assert "{}".format(t.tensor(True)) == "True" and f"{t.tensor(2.5, requires_grad=True)}" == "2.5"
        assert f"{t.tensor([1, 2])}" == str(t.tensor([1, 2]))  # a vector keeps str, as torch's


def test_part1_tensors_of_ranks_zero_to_four_shapes_and_slices(torch):
    def run(torch: Any) -> dict[str, Any]:
        integer = torch.tensor(1234)
        decimal = torch.tensor(3.14159265359)
        fibonacci = torch.tensor([1, 1, 2, 3, 5, 8])
        count_to_100 = torch.tensor(range(100))
        matrix = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
        images = torch.zeros(10, 3, 256, 256)
        assert isinstance(matrix, torch.Tensor) and matrix.ndim == 2
        assert images.ndim == 4 and images.shape == (10, 3, 256, 256)
        out = {"ndims": (integer.ndim, decimal.ndim, fibonacci.ndim, count_to_100.ndim, matrix.ndim, images.ndim)}
        out["shapes"] = (tuple(fibonacci.shape), tuple(count_to_100.shape), tuple(images.shape))
        out["dtypes"] = tuple(str(x.dtype).split(".")[-1] for x in (integer, decimal, fibonacci, count_to_100, matrix))
        out.update(row_vector=matrix[1], column_vector=matrix[:, 1], scalar=matrix[0, 1])
        out["scalar_shape"] = tuple(matrix[0, 1].shape)
        out["text"] = f"`fibonacci` is a {fibonacci.ndim}-d Tensor with shape: {tuple(fibonacci.shape)}"
        out["sum_100"] = count_to_100.sum().item()
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    _results_match(ours, theirs)


def test_part1_computations_add_subtract_multiply(torch):
    def run(torch: Any) -> dict[str, Any]:
        a, b = torch.tensor(15), torch.tensor(61)
        c1, c2 = torch.add(a, b), a + b

        def func(a: Any, b: Any) -> Any:
            c = torch.add(a, b)
            d = torch.subtract(b, 1)
            e = torch.multiply(c, d)
            return e

        e_out = func(1.5, 2.5)
        return {"c": (c1.item(), c2.item(), f"c1: {c1}"), "e": (e_out.item(), tuple(e_out.shape), f"e_out: {e_out}")}

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    assert ours == theirs == {"c": (76, 76, "c1: 76"), "e": (6.0, (), "e_out: 6.0")}


def _dense_layer(torch: Any, nn: Any) -> type:
    class OurDenseLayer(nn.Module):  # the lab: torch.nn.Module, torch.nn.Parameter
        def __init__(self, num_inputs: int, num_outputs: int) -> None:
            super(OurDenseLayer, self).__init__()
            self.W = nn.Parameter(torch.randn(num_inputs, num_outputs))
            self.bias = nn.Parameter(torch.randn(num_outputs))

        def forward(self, x: Any) -> Any:
            z = torch.matmul(x, self.W) + self.bias
            y = torch.sigmoid(z)
            return y

    return OurDenseLayer


def test_part1_our_dense_layer_with_parameters_from_randn(torch):
    theirs_lib, ours_lib = _libs(torch)
    theirs = _dense_layer(theirs_lib["torch"], theirs_lib["nn"])(2, 3)
    ours = _dense_layer(ours_lib["torch"], ours_lib["nn"])(2, 3)
    assert [n for n, _ in ours.named_parameters()] == ["W", "bias"]
    assert ours.W.dtype == np.float32 and ours.W.requires_grad
    _copy_weights(theirs, ours)
    outs = []
    for lib, layer in ((theirs_lib, theirs), (ours_lib, ours)):
        x_input = lib["torch"].tensor([[1, 2.0]])
        y = layer(x_input)
        assert tuple(x_input.shape) == (1, 2) and tuple(y.shape) == (1, 3)
        (y * lib["torch"].tensor([[1.0, -2.0, 3.0]])).sum().backward()
        outs.append(y)
    _close(outs[1], outs[0])
    _compare_grads(ours, theirs)


def _part1_models(nn: Any) -> tuple[type, type]:
    class LinearWithSigmoidActivation(nn.Module):
        def __init__(self, num_inputs: int, num_outputs: int) -> None:
            super(LinearWithSigmoidActivation, self).__init__()
            self.linear = nn.Linear(num_inputs, num_outputs)
            self.activation = nn.Sigmoid()

        def forward(self, inputs: Any) -> Any:
            linear_output = self.linear(inputs)
            output = self.activation(linear_output)
            return output

    class LinearButSometimesIdentity(nn.Module):
        def __init__(self, num_inputs: int, num_outputs: int) -> None:
            super(LinearButSometimesIdentity, self).__init__()
            self.linear = nn.Linear(num_inputs, num_outputs)

        def forward(self, inputs: Any, isidentity: bool = False) -> Any:
            if isidentity:
                return inputs
            else:
                return self.linear(inputs)

    return LinearWithSigmoidActivation, LinearButSometimesIdentity


def test_part1_sequential_subclassed_and_isidentity_models(torch):
    theirs_lib, ours_lib = _libs(torch)
    built = []
    for lib in (theirs_lib, ours_lib):
        nn_ = lib["nn"]
        sigmoid_cls, identity_cls = _part1_models(nn_)
        sequential = nn_.Sequential(nn_.Linear(2, 3), nn_.Sigmoid())
        built.append((sequential, sigmoid_cls(2, 3), identity_cls(num_inputs=2, num_outputs=3)))
    for theirs, ours in zip(*built, strict=True):
        _copy_weights(theirs, ours)
    assert str(built[1][0]) == str(built[0][0])  # print(model) reads as torch's
    results = []
    for lib, (sequential, subclassed, identity) in zip((theirs_lib, ours_lib), built, strict=True):
        x_input = lib["torch"].tensor([[1, 2.0]])
        model_output = sequential(x_input)
        y = subclassed(x_input)
        out_with_linear = identity(x_input)
        out_with_identity = identity(x_input, isidentity=True)
        assert out_with_identity is x_input
        (model_output.sum() + (y * y).sum() + (out_with_linear**2).sum()).backward()
        results.append((model_output, y, out_with_linear))
    for ours, theirs in zip(results[1], results[0], strict=True):
        _close(ours, theirs)
    for theirs, ours in zip(*built, strict=True):
        _compare_grads(ours, theirs)


def test_part1_gradient_of_x_squared(torch):
    for lib in _libs(torch):
        t = lib["torch"]
        x = t.tensor(3.0, requires_grad=True)
        y = x**2
        y.backward()
        dy_dx = x.grad
        assert dy_dx == 6.0
        assert float(dy_dx) == 6.0


def test_part1_gradient_descent_to_x_f(torch):
    """The lab's minimisation of (x - x_f)**2: its loop (a fresh leaf from the previous step's number) for a few
    steps, and the usual spelling with one leaf updated under no_grad and x.grad.zero_(), against torch's."""
    start = 0.37
    histories = []
    for lib in _libs(torch):
        t = lib["torch"]
        learning_rate, x_f = 1e-2, 4
        x = t.tensor([start])
        history = []
        for _ in range(30):
            x = t.tensor([x.item()], requires_grad=True)
            loss = (x - x_f) ** 2
            loss.backward()
            x = x.item() - learning_rate * x.grad
            history.append(x.item())
        leaf = t.tensor([start], requires_grad=True)
        steps = []
        for _ in range(200):
            loss = (leaf - x_f) ** 2
            loss.backward()
            with t.no_grad():
                leaf -= learning_rate * leaf.grad
            leaf.grad.zero_()
            steps.append(leaf.detach().item())
        assert leaf.grad.sum().item() == 0.0
        histories.append((history, steps))
    np.testing.assert_allclose(histories[1][0], histories[0][0], rtol=1e-6)
    np.testing.assert_allclose(histories[1][1], histories[0][1], rtol=1e-6)
    assert abs(histories[1][1][-1] - 4) < 0.1


# ---- lab 1, part 2: music generation with an LSTM -----------------------------------------------------------


def _lstm_model(torch: Any, nn: Any) -> type:
    class LSTMModel(nn.Module):
        def __init__(self, vocab_size: int, embedding_dim: int, hidden_size: int) -> None:
            super(LSTMModel, self).__init__()
            self.hidden_size = hidden_size
            self.embedding = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
            self.fc = nn.Linear(hidden_size, vocab_size)

        def forward(self, x: Any, state: Any = None, return_state: bool = False) -> Any:
            x = self.embedding(x)
            if state is None:
                state = self.init_hidden(x.size(0), x.device)
            out, state = self.lstm(x, state)
            out = self.fc(out)
            return out if not return_state else (out, state)

        def init_hidden(self, batch_size: int, device: Any) -> tuple[Any, Any]:
            return (
                torch.zeros(1, batch_size, self.hidden_size).to(device),
                torch.zeros(1, batch_size, self.hidden_size).to(device),
            )

    return LSTMModel


def _get_batch(torch: Any, vectorized_songs: np.ndarray, seq_length: int, idx: np.ndarray) -> tuple[Any, Any]:
    input_batch = [vectorized_songs[i : i + seq_length] for i in idx]
    output_batch = [vectorized_songs[i + 1 : i + seq_length + 1] for i in idx]
    x_batch = torch.tensor(input_batch, dtype=torch.long)  # a list of ndarrays, as the lab passes it
    y_batch = torch.tensor(output_batch, dtype=torch.long)
    return x_batch, y_batch


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays:UserWarning")
def test_part2_music_lstm_loss_gradients_and_adam_steps(torch):
    rng = np.random.default_rng(1)
    songs_joined = "".join(rng.choice(list("X:1T ABCDEFGabc|/2\n"), 300))
    vocab = sorted(set(songs_joined))
    char2idx = {u: i for i, u in enumerate(vocab)}
    idx2char = np.array(vocab)
    vectorized_songs = np.array([char2idx[char] for char in songs_joined])
    vocab_size, embedding_dim, hidden_size, seq_length, batch_size = len(vocab), 6, 8, 12, 4
    batches = [rng.choice(vectorized_songs.shape[0] - 1 - seq_length, batch_size) for _ in range(3)]

    theirs_lib, ours_lib = _libs(torch)
    models = [_lstm_model(lib["torch"], lib["nn"])(vocab_size, embedding_dim, hidden_size) for lib in _libs(torch)]
    _copy_weights(models[0], models[1])
    assert str(models[1]) == str(models[0])
    losses, first_logits = [], []
    for lib, model in zip((theirs_lib, ours_lib), models, strict=True):
        t = lib["torch"]
        device = t.device("cuda" if t.cuda.is_available() else "cpu")
        model.to(device)
        cross_entropy = lib["nn"].CrossEntropyLoss()

        def compute_loss(labels: Any, logits: Any, cross_entropy: Any = cross_entropy) -> Any:
            batched_labels = labels.view(-1)
            batched_logits = logits.view(-1, logits.size(-1))
            loss = cross_entropy(batched_logits, batched_labels)
            return loss

        optimizer = lib["optim"].Adam(model.parameters(), lr=5e-3)
        trace = []
        for step, idx in enumerate(batches):
            x_batch, y_batch = _get_batch(t, vectorized_songs, seq_length, idx)
            assert tuple(x_batch.shape) == (batch_size, seq_length) and x_batch.dtype == t.long
            model.train()
            optimizer.zero_grad()
            y_hat = model(x_batch)
            assert tuple(y_hat.shape) == (batch_size, seq_length, vocab_size)
            loss = compute_loss(y_batch, y_hat)
            loss.backward()
            if step == 0:
                first_logits.append(y_hat.detach())
                first_grads = {n: p.grad.clone() for n, p in model.named_parameters()}
            optimizer.step()
            trace.append(loss.item())
        losses.append((trace, first_grads))
    _close(first_logits[1], first_logits[0], rtol=1e-4)
    np.testing.assert_allclose(losses[1][0], losses[0][0], rtol=1e-5)
    for name, g in losses[0][1].items():
        _close(losses[1][1][name], g, rtol=1e-4, atol=1e-6)
    _compare_params(models[1], models[0])

    # the untrained model's next-character distribution and a sampled song from seed "X"
    probs = []
    for lib, model in zip((theirs_lib, ours_lib), models, strict=True):
        t = lib["torch"]
        model.eval()
        input_idx = t.tensor([[char2idx[s] for s in "X"]], dtype=t.long)
        state = model.init_hidden(input_idx.size(0), "cpu")
        text_generated, dists = [], []
        with t.no_grad():
            for _ in range(5):
                predictions, state = model(input_idx, state, return_state=True)
                predictions = predictions.squeeze(0)
                dists.append(t.softmax(predictions / 0.8, dim=-1))
                input_idx = t.multinomial(t.softmax(predictions, dim=-1), num_samples=1)
                assert tuple(input_idx.shape) == (1, 1) and input_idx.dtype == t.long
                text_generated.append(idx2char[input_idx].item())
                input_idx = t.tensor([[char2idx["A"]]], dtype=t.long)  # the same next input for both
        assert all(c in vocab for c in text_generated)
        sampled = t.multinomial(t.softmax(first_logits[0 if t is torch else 1][0], dim=-1), num_samples=1)
        sampled_indices = sampled.squeeze(-1).cpu().numpy()
        assert sampled_indices.shape == (seq_length,) and isinstance(sampled_indices, np.ndarray)
        assert isinstance("".join(idx2char[sampled_indices]), str)
        categorical = t.distributions.Categorical(logits=predictions)
        sample = categorical.sample()
        assert tuple(sample.shape) == (1,) and sample.dtype == t.long and 0 <= sample.item() < vocab_size
        dists.append(categorical.probs)
        dists.append(categorical.log_prob(t.tensor([0, 1]).view(2, 1)))
        probs.append(dists)
    for ours, theirs in zip(probs[1], probs[0], strict=True):
        _close(ours, theirs, rtol=1e-5)


# ---- lab 2, part 1: MNIST ----------------------------------------------------------------------------------


def _mnist_models(nn: Any) -> tuple[type, type]:
    class FullyConnectedModel(nn.Module):
        def __init__(self) -> None:
            super(FullyConnectedModel, self).__init__()
            self.flatten = nn.Flatten()
            self.fc1 = nn.Linear(28 * 28, 32)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(32, 10)
            self.softmax = nn.Softmax(dim=1)

        def forward(self, x: Any) -> Any:
            x = self.flatten(x)
            x = self.fc1(x)
            x = self.relu(x)
            x = self.fc2(x)
            return x

    class CNN(nn.Module):
        def __init__(self) -> None:
            super(CNN, self).__init__()
            self.conv1 = nn.Conv2d(1, 4, kernel_size=3)
            self.pool1 = nn.MaxPool2d(kernel_size=2)
            self.conv2 = nn.Conv2d(4, 6, kernel_size=3)
            self.pool2 = nn.MaxPool2d(kernel_size=2)
            self.flatten = nn.Flatten()
            self.fc1 = nn.Linear(6 * 5 * 5, 16)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x: Any) -> Any:
            x = self.conv1(x)
            x = self.relu(x)
            x = self.pool1(x)
            x = self.conv2(x)
            x = self.relu(x)
            x = self.pool2(x)
            x = self.flatten(x)
            x = self.fc1(x)
            x = self.relu(x)
            x = self.fc2(x)
            return x

    return FullyConnectedModel, CNN


@pytest.mark.parametrize("which", [0, 1], ids=["fully_connected", "cnn"])
def test_mnist_training_loop_and_evaluation(torch, which):
    rng = np.random.default_rng(2)
    images_np = rng.random((24, 1, 28, 28)).astype(np.float32)
    labels_np = rng.integers(0, 10, 24)
    theirs_lib, ours_lib = _libs(torch)
    models = [_mnist_models(lib["nn"])[which]() for lib in (theirs_lib, ours_lib)]
    _copy_weights(models[0], models[1])
    assert str(models[1]) == str(models[0])  # print(cnn_model)
    runs = []
    for lib, model in zip((theirs_lib, ours_lib), models, strict=True):
        t, data = lib["torch"], lib["data"]
        dataset = data.TensorDataset(t.tensor(images_np), t.tensor(labels_np))
        image, label = dataset[0]
        assert tuple(image.size()) == (1, 28, 28) and int(label) == labels_np[0]
        assert tuple(model(image.unsqueeze(0)).shape) == (1, 10)
        trainset_loader = data.DataLoader(dataset, batch_size=8, shuffle=False)
        loss_function = lib["nn"].CrossEntropyLoss()
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.1)
        model.train()
        record = []
        for epoch in range(2):
            total_loss, correct_pred, total_pred = 0, 0, 0
            for images, labels in trainset_loader:
                optimizer.zero_grad()
                outputs = model(images)
                loss = loss_function(outputs, labels)
                loss.backward()
                if epoch == 0 and total_pred == 0:
                    grads = [p.grad.clone() for p in model.parameters()]
                optimizer.step()
                total_loss += loss.item() * images.size(0)
                _, predicted = t.max(outputs, 1)
                correct_pred += (predicted == labels).sum().item()
                total_pred += labels.size(0)
            record.append((total_loss / total_pred, correct_pred / total_pred))
        model.eval()
        test_loss, correct_pred, total_pred = 0, 0, 0
        with t.no_grad():
            for images, labels in trainset_loader:
                outputs = model(images)
                assert not outputs.requires_grad
                loss = loss_function(outputs, labels)
                test_loss += loss.item() * images.size(0)
                _, predicted = t.max(outputs, 1)
                correct_pred += (predicted == labels).sum().item()
                total_pred += labels.size(0)
            probabilities = lib["nn"].Softmax(dim=1)(model(t.tensor(images_np[:4])))
        prediction = np.argmax(probabilities[0].numpy())
        record.append((test_loss / total_pred, correct_pred / total_pred, int(prediction)))
        runs.append((record, grads, probabilities))
    (theirs_record, theirs_grads, theirs_p), (ours_record, ours_grads, ours_p) = runs
    for ours, theirs in zip(ours_record, theirs_record, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    for ours, theirs in zip(ours_grads, theirs_grads, strict=True):
        _close(ours, theirs, rtol=1e-4, atol=1e-6)
    _close(ours_p, theirs_p, rtol=1e-5)
    _compare_params(models[1], models[0])


def test_mnist_hand_written_step_with_gradient_clipping(torch):
    rng = np.random.default_rng(3)
    images_np = rng.random((6, 1, 28, 28)).astype(np.float32)
    labels_np = rng.integers(0, 10, 6)
    theirs_lib, ours_lib = _libs(torch)
    models = [_mnist_models(lib["nn"])[1]() for lib in (theirs_lib, ours_lib)]
    _copy_weights(models[0], models[1])
    norms = []
    for lib, model in zip((theirs_lib, ours_lib), models, strict=True):
        t = lib["torch"]
        optimizer = lib["optim"].SGD(model.parameters(), lr=1e-2)
        clip = lib["nn"].utils.clip_grad_norm_
        steps = []
        for _ in range(3):
            logits = model(t.tensor(images_np))
            loss_value = lib["F"].cross_entropy(logits, t.tensor(labels_np))
            optimizer.zero_grad()
            loss_value.backward()
            steps.append((loss_value.item(), float(clip(model.parameters(), max_norm=0.05))))
            optimizer.step()
        norms.append(steps)
    np.testing.assert_allclose(norms[1], norms[0], rtol=1e-5)
    _compare_params(models[1], models[0])


# ---- lab 2, part 2: the debiasing variational autoencoder ----------------------------------------------------

N_FILTERS, LATENT_DIM = 4, 3


def _make_standard_classifier(nn: Any, n_outputs: int = 1) -> Any:
    def conv2d(in_channels: int, out_channels: int, kernel_size: int) -> Any:
        return nn.Conv2d(in_channels, out_channels, kernel_size, stride=2, padding=kernel_size // 2)

    return nn.Sequential(
        conv2d(3, N_FILTERS, 5),
        nn.ReLU(),
        nn.BatchNorm2d(N_FILTERS),
        conv2d(N_FILTERS, 2 * N_FILTERS, 3),
        nn.ReLU(),
        nn.BatchNorm2d(2 * N_FILTERS),
        nn.Flatten(),
        nn.Linear(4 * 4 * 2 * N_FILTERS, 16),
        nn.ReLU(),
        nn.Linear(16, n_outputs),
    )


def _face_decoder(nn: Any) -> Any:
    class FaceDecoder(nn.Module):
        def __init__(self, latent_dim: int, n_filters: int) -> None:
            super(FaceDecoder, self).__init__()
            self.n_filters = n_filters
            self.linear = nn.Sequential(nn.Linear(latent_dim, 4 * 4 * 2 * n_filters), nn.ReLU())
            self.deconv = nn.Sequential(
                nn.ConvTranspose2d(2 * n_filters, n_filters, kernel_size=3, stride=2, padding=1, output_padding=1),
                nn.ReLU(),
                nn.ConvTranspose2d(n_filters, 3, kernel_size=5, stride=2, padding=2, output_padding=1),
            )

        def forward(self, z: Any) -> Any:
            x = self.linear(z)
            x = x.view(-1, 2 * self.n_filters, 4, 4)
            x = self.deconv(x)
            return x

    return FaceDecoder(LATENT_DIM, N_FILTERS)


def _db_vae(torch: Any, nn: Any, F: Any) -> Any:
    def vae_loss_function(x: Any, x_recon: Any, mu: Any, logsigma: Any, kl_weight: float = 0.0005) -> Any:
        latent_loss = 0.5 * torch.sum(torch.exp(logsigma) + mu**2 - 1.0 - logsigma, dim=1)
        reconstruction_loss = torch.mean(torch.abs(x - x_recon), dim=(1, 2, 3))
        vae_loss = kl_weight * latent_loss + reconstruction_loss
        return vae_loss

    def debiasing_loss_function(x: Any, x_pred: Any, y: Any, y_logit: Any, mu: Any, logsigma: Any) -> Any:
        vae_loss = vae_loss_function(x, x_pred, mu, logsigma)
        classification_loss = F.binary_cross_entropy_with_logits(y_logit, y, reduction="none").squeeze(-1)
        face_indicator = (y.squeeze(-1) == 1.0).float()
        weighted_vae = torch.where(y.squeeze(-1) == 1.0, vae_loss, torch.zeros_like(vae_loss))
        total_loss = torch.mean(classification_loss + face_indicator * vae_loss)
        assert torch.allclose(total_loss, torch.mean(classification_loss + weighted_vae))
        return total_loss, classification_loss, vae_loss

    class DB_VAE(nn.Module):
        def __init__(self, latent_dim: int) -> None:
            super(DB_VAE, self).__init__()
            self.latent_dim = latent_dim
            self.encoder = _make_standard_classifier(nn, n_outputs=2 * latent_dim + 1)
            self.decoder = _face_decoder(nn)

        def encode(self, x: Any) -> tuple[Any, Any, Any]:
            encoder_output = self.encoder(x)
            y_logit = encoder_output[:, 0].unsqueeze(-1)
            z_mean = encoder_output[:, 1 : self.latent_dim + 1]
            z_logsigma = encoder_output[:, self.latent_dim + 1 :]
            return y_logit, z_mean, z_logsigma

        def reparameterize(self, z_mean: Any, z_logsigma: Any, eps: Any) -> Any:
            z = z_mean + torch.exp(0.5 * z_logsigma) * eps  # eps = torch.randn_like(z_mean), drawn once for both
            return z

        def forward(self, x: Any, eps: Any) -> tuple[Any, Any, Any, Any]:
            y_logit, z_mean, z_logsigma = self.encode(x)
            z = self.reparameterize(z_mean, z_logsigma, eps)
            recon = self.decoder(z)
            return y_logit, z_mean, z_logsigma, recon

    return DB_VAE(LATENT_DIM), vae_loss_function, debiasing_loss_function


def _training_sample_probabilities(mu: np.ndarray, bins: int = 5, smoothing_fac: float = 0.001) -> np.ndarray:
    """The lab's resampling probabilities from the latent means, in numpy as the lab writes them."""
    training_sample_p = np.zeros(mu.shape[0], dtype=np.float64)
    for i in range(LATENT_DIM):
        latent_distribution = mu[:, i]
        hist_density, bin_edges = np.histogram(latent_distribution, density=True, bins=bins)
        bin_edges[0], bin_edges[-1] = -float("inf"), float("inf")
        bin_idx = np.digitize(latent_distribution, bin_edges)
        hist_smoothed_density = hist_density + smoothing_fac
        hist_smoothed_density = hist_smoothed_density / np.sum(hist_smoothed_density)
        p = 1.0 / (hist_smoothed_density[bin_idx - 1])
        p = p / np.sum(p)
        training_sample_p = np.maximum(training_sample_p, p)
    return training_sample_p / np.sum(training_sample_p)


def test_debiasing_standard_classifier_bce_training(torch):
    rng = np.random.default_rng(4)
    images_np = rng.random((6, 16, 16, 3)).astype(np.float32)  # the lab's NHWC faces, permuted to NCHW
    labels_np = rng.integers(0, 2, (6, 1)).astype(np.float32)
    theirs_lib, ours_lib = _libs(torch)
    models = [_make_standard_classifier(lib["nn"]) for lib in (theirs_lib, ours_lib)]
    _copy_weights(models[0], models[1])
    runs = []
    for lib, model in zip((theirs_lib, ours_lib), models, strict=True):
        t = lib["torch"]
        loss_fn = lib["nn"].BCEWithLogitsLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=5e-4)
        x = t.from_numpy(images_np).float().permute(0, 3, 1, 2)
        y = t.from_numpy(labels_np).float()
        trace = []
        for step in range(3):
            model.train()
            optimizer.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            if step == 0:
                grads = [p.grad.clone() for p in model.parameters()]
            optimizer.step()
            y_pred = t.round(t.sigmoid(logits))
            acc = (y_pred == y).float().mean()
            trace.append((loss.item(), acc.item()))
        model.eval()
        with t.inference_mode():
            eval_logits = model(x)
        runs.append((trace, grads, eval_logits))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-5)
    for ours, theirs in zip(runs[1][1], runs[0][1], strict=True):
        _close(ours, theirs, rtol=1e-4, atol=1e-6)
    _close(runs[1][2], runs[0][2], rtol=1e-4, atol=1e-5)
    _compare_params(models[1], models[0])
    for (_, b_ours), (_, b_theirs) in zip(models[1].named_buffers(), models[0].named_buffers(), strict=True):
        _close(b_ours, b_theirs, rtol=1e-5)


def test_debiasing_db_vae_losses_gradients_steps_and_resampling(torch):
    rng = np.random.default_rng(5)
    images_np = rng.random((6, 16, 16, 3)).astype(np.float32)
    labels_np = np.array([[1.0], [0.0], [1.0], [1.0], [0.0], [1.0]], dtype=np.float32)
    eps_np = rng.standard_normal((3, 6, LATENT_DIM)).astype(np.float32)
    theirs_lib, ours_lib = _libs(torch)
    built = [_db_vae(lib["torch"], lib["nn"], lib["F"]) for lib in (theirs_lib, ours_lib)]
    _copy_weights(built[0][0], built[1][0])
    assert str(built[1][0]) == str(built[0][0])
    runs = []
    for lib, (dbvae, _, debiasing_loss_function) in zip((theirs_lib, ours_lib), built, strict=True):
        t = lib["torch"]
        optimizer = lib["optim"].Adam(dbvae.parameters(), lr=5e-4)
        x = t.from_numpy(images_np).float().permute(0, 3, 1, 2)
        y = t.from_numpy(labels_np)
        mu_np = rng.standard_normal((4, 2))
        sampled = t.tensor(mu_np, dtype=t.float32) + t.exp(0.5 * t.zeros(4, 2)) * t.ones(4, 2)
        assert tuple(sampled.shape) == (4, 2) and tuple(t.randn_like(sampled).shape) == (4, 2)
        trace = []
        for step in range(3):
            dbvae.train()
            optimizer.zero_grad()
            y_logit, z_mean, z_logsigma, x_recon = dbvae(x, t.from_numpy(eps_np[step]))
            assert tuple(x_recon.shape) == tuple(x.shape) and tuple(y_logit.shape) == (6, 1)
            loss, class_loss, vae_loss = debiasing_loss_function(x, x_recon, y, y_logit, z_mean, z_logsigma)
            loss.backward()
            if step == 0:
                first = (class_loss.detach(), vae_loss.detach(), [p.grad.clone() for p in dbvae.parameters()])
            optimizer.step()
            trace.append(loss.item())
        dbvae.eval()
        with t.inference_mode():
            _, mu, _, _ = dbvae(x, t.zeros(6, LATENT_DIM))
        mu = t.cat([mu[:3].cpu(), mu[3:].cpu()], dim=0).numpy()
        runs.append((trace, first, mu, _training_sample_probabilities(mu)))
    (theirs_trace, theirs_first, theirs_mu, theirs_p), (ours_trace, ours_first, ours_mu, ours_p) = runs
    np.testing.assert_allclose(ours_trace, theirs_trace, rtol=1e-5)
    _close(ours_first[0], theirs_first[0], rtol=1e-5)
    _close(ours_first[1], theirs_first[1], rtol=1e-5)
    for ours, theirs in zip(ours_first[2], theirs_first[2], strict=True):
        _close(ours, theirs, rtol=2e-4, atol=1e-6)
    _compare_params(built[1][0], built[0][0])
    np.testing.assert_allclose(ours_mu, theirs_mu, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours_p, theirs_p, rtol=1e-4)
    assert abs(ours_p.sum() - 1) < 1e-12
