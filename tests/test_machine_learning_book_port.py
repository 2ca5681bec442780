"""Machine Learning with PyTorch and Scikit-Learn (Raschka, Liu, Mirjalili; rasbt/machine-learning-book,
chapters 12 to 18) ported: each PyTorch listing written once, as the book spells it, and run with torch and with
this library (``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.data`` for ``torch.utils.data``), the two
compared with the same weights and data: outputs, losses, every gradient (the WGAN-GP penalty's double backward
included) and a few optimizer steps.

The book's datasets (iris, auto-mpg, MNIST, CelebA, IMDb, The Mysterious Island) are replaced by small random
stand-ins of their shapes; random draws (``torch.rand``, ``torch.normal``, dropout masks, shuffles) are made by one
library and handed to the other, since the two generators differ. The book works in float32, torch's default;
this library's factories make float64 unless ``set_default_dtype(float32)``, which every test here sets (and
restores) for both libraries. The port's documented spellings: ``torch.nn`` is ``nn`` and ``torch.optim`` is
``nn.optim`` (the engine does not import ``nn``), ``x.repeat(8, 1, 1)`` is numpy's repeat here (torch's is
``x.tile(8, 1, 1)``), and ``squeeze(0)`` of an axis longer than 1 raises here (``squeeze(dim=0)`` leaves it, as
torch's ``squeeze(0)`` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


@pytest.fixture
def float32():
    """autograd's factories (and torch's, when installed) make float32, the book's dtype; restored afterwards."""
    previous = autograd.get_default_dtype()
    autograd.set_default_dtype(autograd.float32)
    yield
    autograd.set_default_dtype(previous)


@pytest.fixture
def torch(float32):
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield torch
    torch.set_default_dtype(previous)


def _libs(torch: Any) -> list[dict[str, Any]]:
    """The names the book's code uses, for torch and for this library."""
    theirs = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim, "data": torch.utils.data}
    ours = {"torch": autograd, "nn": nn, "F": F, "optim": nn.optim, "data": nn.data}
    return [theirs, ours]


def _array(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach()
    return np.array(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


def _close(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(_array(ours), _array(theirs), rtol=rtol, atol=atol)


def _copy_weights(source: Any, target: Any) -> None:
    """torch's module's state (weights and buffers) copied into ours, by name."""
    target.load_state_dict({name: value.detach().numpy().copy() for name, value in source.state_dict().items()})


def _state_dicts(*models: Any) -> tuple[dict[str, np.ndarray], ...]:
    """Copies of torch modules' states (weights and buffers), to load into torch's and our fresh modules."""
    return tuple({name: value.detach().numpy().copy() for name, value in m.state_dict().items()} for m in models)


def _load(torch: Any, model: Any, state: dict[str, np.ndarray]) -> None:
    """A state from _state_dicts loaded into a module of ``torch`` (torch or this library)."""
    model.load_state_dict({name: torch.tensor(value) for name, value in state.items()})


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad) for name, p in model.named_parameters()}


def _same_grads(ours: Any, theirs: Any, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    expected, got = _grads(theirs), _grads(ours)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=rtol, atol=atol, err_msg=name)


# ---- ch12: tensor basics, data pipelines, linear regression, the iris MLP ----------------------------------


def test_ch12_split_stack_and_concatenate_as_the_book_spells_them(torch):
    def run(torch: Any) -> list[Any]:
        t = torch.tensor(np.random.default_rng(1).random(6), dtype=torch.float32)
        out = [item.numpy() for item in torch.chunk(t, 3)]
        t = t[:5]
        out += [item.numpy() for item in torch.split(t, split_size_or_sections=[3, 2])]
        out += [item.numpy() for item in torch.split(t, 2, dim=0)]
        A, B = torch.ones(3), torch.zeros(2)
        out.append(torch.cat([A, B], axis=0))
        out.append(torch.stack([A, torch.zeros(3)], axis=1))
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    assert [np.shape(x) for x in ours] == [np.shape(x) for x in theirs]
    for got, expected in zip(ours, theirs):
        _close(got, expected)


# ---- ch17: GANs: the fully connected GAN, the DCGAN, WGAN-GP's gradient penalty ---------------------------------


def _ch17_dcgan(nn: Any, z_size: int, n_filters: int, norm: str) -> tuple[Any, Any]:
    """The book's make_generator_network / Discriminator (norm='BatchNorm2d') and their WGAN variants
    (norm='InstanceNorm2d'), for 28x28 images."""
    Norm = getattr(nn, norm)
    gen_model = nn.Sequential(
        nn.ConvTranspose2d(z_size, n_filters * 4, 4, 1, 0, bias=False),
        Norm(n_filters * 4),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(n_filters * 4, n_filters * 2, 3, 2, 1, bias=False),
        Norm(n_filters * 2),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(n_filters * 2, n_filters, 4, 2, 1, bias=False),
        Norm(n_filters),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(n_filters, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )

    class Discriminator(nn.Module):
        def __init__(self, n_filters):
            super(Discriminator, self).__init__()  # noqa: UP008 (the book's spelling)
            self.network = nn.Sequential(
                nn.Conv2d(1, n_filters, 4, 2, 1, bias=False),
                nn.LeakyReLU(0.2),
                nn.Conv2d(n_filters, n_filters * 2, 4, 2, 1, bias=False),
                Norm(n_filters * 2),
                nn.LeakyReLU(0.2),
                nn.Conv2d(n_filters * 2, n_filters * 4, 3, 2, 1, bias=False),
                Norm(n_filters * 4),
                nn.LeakyReLU(0.2),
                nn.Conv2d(n_filters * 4, 1, 4, 1, 0, bias=False),
                nn.Sigmoid(),
            )

        def forward(self, input):
            output = self.network(input)
            # the book's squeeze(0): torch leaves an axis longer than 1; here that is squeeze(dim=0)
            return output.view(-1, 1).squeeze(dim=0)

    return gen_model, Discriminator(n_filters)


def test_ch17_wgan_gp_gradient_penalty_double_backward_and_adam_steps(torch):
    rng = np.random.default_rng(17)
    z_size, n_filters, batch_size, lambda_gp = 6, 4, 3, 10.0
    images = (rng.random((batch_size, 1, 28, 28)) * 2 - 1).astype(np.float32)
    noises = [(rng.random((batch_size, z_size, 1, 1)) * 2 - 1).astype(np.float32) for _ in range(4)]
    alphas = [rng.random((batch_size, 1, 1, 1)).astype(np.float32) for _ in range(2)]

    def run(lib: dict[str, Any], weights: tuple[Any, Any] | None = None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        # the book's `from torch.autograd import grad as torch_grad`
        torch_grad = __import__(f"{torch.__name__}.autograd", fromlist=["grad"]).grad
        gen_model, disc_model = _ch17_dcgan(nn, z_size, n_filters, "InstanceNorm2d")
        if weights is not None:
            _load(torch, gen_model, weights[0])
            _load(torch, disc_model, weights[1])
        g_optimizer = lib["optim"].Adam(gen_model.parameters(), 0.0002)
        d_optimizer = lib["optim"].Adam(disc_model.parameters(), 0.0002)
        draws = iter(noises)
        alpha_draws = iter(alphas)
        out: dict[str, Any] = {"models": (gen_model, disc_model), "d_loss": [], "g_loss": [], "d_grads": []}

        def gradient_penalty(real_data, generated_data):
            batch_size = real_data.size(0)
            alpha = torch.tensor(next(alpha_draws), requires_grad=True)  # the book's torch.rand(B, 1, 1, 1, ...)
            interpolated = alpha * real_data + (1 - alpha) * generated_data
            proba_interpolated = disc_model(interpolated)
            gradients = torch_grad(
                outputs=proba_interpolated,
                inputs=interpolated,
                grad_outputs=torch.ones(proba_interpolated.size(), device="cpu"),
                create_graph=True,
                retain_graph=True,
            )[0]
            gradients = gradients.view(batch_size, -1)
            gradients_norm = gradients.norm(2, dim=1)
            out.setdefault("gradients_norm", gradients_norm.detach())
            return lambda_gp * ((gradients_norm - 1) ** 2).mean()

        def d_train_wgan(x):
            disc_model.zero_grad()
            d_real = disc_model(x)
            input_z = torch.tensor(next(draws))  # the book's create_noise(batch_size, z_size, 'uniform')
            g_output = gen_model(input_z)
            d_generated = disc_model(g_output)
            d_loss = d_generated.mean() - d_real.mean() + gradient_penalty(x.data, g_output.data)
            d_loss.backward()
            out["d_grads"].append({name: _array(p.grad) for name, p in disc_model.named_parameters()})
            d_optimizer.step()
            return d_loss.data.item()

        def g_train_wgan(x):
            gen_model.zero_grad()
            input_z = torch.tensor(next(draws))
            g_output = gen_model(input_z)
            d_generated = disc_model(g_output)
            g_loss = -d_generated.mean()
            g_loss.backward()
            out["g_grads"] = {name: _array(p.grad) for name, p in gen_model.named_parameters()}
            g_optimizer.step()
            return g_loss.data.item()

        x = torch.tensor(images)
        gen_model.train()
        for _ in range(2):
            out["d_loss"].append(d_train_wgan(x))
            out["g_loss"].append(g_train_wgan(x))
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    initial = _state_dicts(*_ch17_dcgan(torch.nn, z_size, n_filters, "InstanceNorm2d"))
    theirs = run(theirs_lib, weights=initial)
    ours = run(ours_lib, weights=initial)
    np.testing.assert_allclose(ours["d_loss"], theirs["d_loss"], rtol=1e-4)
    np.testing.assert_allclose(ours["g_loss"], theirs["g_loss"], rtol=1e-4)
    _close(ours["gradients_norm"], theirs["gradients_norm"], rtol=1e-4)
    for got, expected in zip(ours["d_grads"], theirs["d_grads"]):  # through the penalty's double backward
        assert got.keys() == expected.keys()
        for name in expected:
            np.testing.assert_allclose(got[name], expected[name], rtol=1e-3, atol=1e-6, err_msg=name)
    for name in theirs["g_grads"]:
        np.testing.assert_allclose(ours["g_grads"][name], theirs["g_grads"][name], rtol=1e-3, atol=1e-6)
    for model_ours, model_theirs in zip(ours["models"], theirs["models"]):
        for (name, p_ours), (_, p_theirs) in zip(model_ours.named_parameters(), model_theirs.named_parameters()):
            np.testing.assert_allclose(_array(p_ours), _array(p_theirs), rtol=1e-4, atol=1e-6, err_msg=name)


# ---- ch15: RNNs by hand, the LSTM sentiment model, the character-level language model ---------------------------


def test_ch15_simple_rnn_checked_by_hand_through_its_weights(torch):
    x_seq_values = [[1.0] * 5, [2.0] * 5, [3.0] * 5]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        rnn_layer = nn.RNN(input_size=5, hidden_size=2, num_layers=1, batch_first=True)
        _load(torch, rnn_layer, state)
        w_xh = rnn_layer.weight_ih_l0
        w_hh = rnn_layer.weight_hh_l0
        b_xh = rnn_layer.bias_ih_l0
        b_hh = rnn_layer.bias_hh_l0
        shapes = [tuple(w.shape) for w in (w_xh, w_hh, b_xh, b_hh)]
        x_seq = torch.tensor(x_seq_values).float()
        output, hn = rnn_layer(torch.reshape(x_seq, (1, 3, 5)))
        out_man = []
        for t in range(3):
            xt = torch.reshape(x_seq[t], (1, 5))
            ht = torch.matmul(xt, torch.transpose(w_xh, 0, 1)) + b_xh
            prev_h = out_man[t - 1] if t > 0 else torch.zeros(ht.shape)
            ot = ht + torch.matmul(prev_h, torch.transpose(w_hh, 0, 1)) + b_hh
            ot = torch.tanh(ot)
            out_man.append(ot)
        (output.sum() + 2 * hn.sum()).backward()
        grads = {name: p.grad.clone() for name, p in rnn_layer.named_parameters()}
        return {"shapes": shapes, "output": output, "hn": hn, "manual": torch.stack(out_man, 1), "grads": grads}

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(torch.nn.RNN(input_size=5, hidden_size=2, num_layers=1, batch_first=True))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["shapes"] == theirs["shapes"] == [(2, 5), (2, 2), (2,), (2,)]
    for name in ("output", "hn", "manual"):
        _close(ours[name], theirs[name])
    _close(ours["manual"], ours["output"])  # the book's check: by hand equals the layer
    for name, grad in theirs["grads"].items():
        _close(ours["grads"][name], grad, rtol=1e-4, atol=1e-6)


def _ch15_sentiment_rnn(nn: Any, torch: Any, bidirectional: bool) -> Any:
    class RNN(nn.Module):
        def __init__(self, vocab_size, embed_dim, rnn_hidden_size, fc_hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
            self.rnn = nn.LSTM(embed_dim, rnn_hidden_size, batch_first=True, bidirectional=bidirectional)
            self.fc1 = nn.Linear(rnn_hidden_size * (2 if bidirectional else 1), fc_hidden_size)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(fc_hidden_size, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, text, lengths):
            out = self.embedding(text)
            out = nn.utils.rnn.pack_padded_sequence(out, lengths.cpu().numpy(), enforce_sorted=False, batch_first=True)
            out, (hidden, cell) = self.rnn(out)
            if bidirectional:
                out = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
            else:
                out = hidden[-1, :, :]
            out = self.fc1(out)
            out = self.relu(out)
            out = self.fc2(out)
            out = self.sigmoid(out)
            return out

    return RNN(12, 5, 6, 4)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_ch15_lstm_sentiment_with_embedding_padding_and_packed_sequences(torch, bidirectional):
    rng = np.random.default_rng(15)
    reviews = [
        (["neg", "pos"][int(rng.integers(2))], list(rng.integers(1, 12, size=rng.integers(2, 7)))) for _ in range(8)
    ]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        label_pipeline = lambda x: 1.0 if x == "pos" else 0.0  # noqa: E731 (the book's spelling)

        def collate_batch(batch):
            label_list, text_list, lengths = [], [], []
            for _label, _text in batch:
                label_list.append(label_pipeline(_label))
                processed_text = torch.tensor(_text, dtype=torch.int64)
                text_list.append(processed_text)
                lengths.append(processed_text.size(0))
            label_list = torch.tensor(label_list)
            lengths = torch.tensor(lengths)
            padded_text_list = nn.utils.rnn.pad_sequence(text_list, batch_first=True)
            return padded_text_list.to("cpu"), label_list.to("cpu"), lengths.to("cpu")

        model = _ch15_sentiment_rnn(nn, torch, bidirectional)
        _load(torch, model, state)
        loss_fn = nn.BCELoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.001)
        dl = lib["data"].DataLoader(reviews, batch_size=4, shuffle=False, collate_fn=collate_batch)
        out: dict[str, Any] = {"text": [], "pred": [], "loss": [], "acc": []}
        model.train()
        for text_batch, label_batch, lengths in dl:
            optimizer.zero_grad()
            pred = model(text_batch, lengths)[:, 0]
            loss = loss_fn(pred, label_batch)
            loss.backward()
            out.setdefault("grads", {name: _array(p.grad) for name, p in model.named_parameters()})
            optimizer.step()
            out["text"].append(text_batch)
            out["pred"].append(pred.detach())
            out["loss"].append(loss.item())
            out["acc"].append(((pred >= 0.5).float() == label_batch).float().sum().item())
        out["params"] = {name: _array(p) for name, p in model.named_parameters()}
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch15_sentiment_rnn(torch.nn, torch, bidirectional))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for got, expected in zip(ours["text"], theirs["text"]):
        assert _array(got).tolist() == _array(expected).tolist()
    for got, expected in zip(ours["pred"], theirs["pred"]):
        _close(got, expected)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)
    assert ours["acc"] == theirs["acc"]
    assert ours["grads"].keys() == theirs["grads"].keys()
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-6, err_msg=name)
    assert not ours["grads"]["embedding.weight"][0].any()  # the padding row gets no gradient
    for name, value in theirs["params"].items():
        np.testing.assert_allclose(ours["params"][name], value, rtol=1e-4, atol=1e-6, err_msg=name)


def _ch15_char_rnn(nn: Any, torch: Any) -> Any:
    class RNN(nn.Module):
        def __init__(self, vocab_size, embed_dim, rnn_hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim)
            self.rnn_hidden_size = rnn_hidden_size
            self.rnn = nn.LSTM(embed_dim, rnn_hidden_size, batch_first=True)
            self.fc = nn.Linear(rnn_hidden_size, vocab_size)

        def forward(self, x, hidden, cell):
            out = self.embedding(x).unsqueeze(1)
            out, (hidden, cell) = self.rnn(out, (hidden, cell))
            out = self.fc(out).reshape(out.size(0), -1)
            return out, hidden, cell

        def init_hidden(self, batch_size):
            hidden = torch.zeros(1, batch_size, self.rnn_hidden_size)
            cell = torch.zeros(1, batch_size, self.rnn_hidden_size)
            return hidden.to("cpu"), cell.to("cpu")

    return RNN(7, 5, 6)


def test_ch15_char_rnn_text_dataset_loss_over_the_sequence_and_adam_steps(torch):
    text_encoded = np.random.default_rng(151).integers(0, 7, size=30).astype(np.int32)
    seq_length = 5
    chunk_size = seq_length + 1
    text_chunks = [text_encoded[i : i + chunk_size] for i in range(len(text_encoded) - chunk_size + 1)]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]

        class TextDataset(lib["data"].Dataset):
            def __init__(self, text_chunks):
                self.text_chunks = text_chunks

            def __len__(self):
                return len(self.text_chunks)

            def __getitem__(self, idx):
                text_chunk = self.text_chunks[idx]
                return text_chunk[:-1].long(), text_chunk[1:].long()

        seq_dataset = TextDataset(torch.tensor(np.array(text_chunks)))
        first = seq_dataset[0]
        model = _ch15_char_rnn(nn, torch)
        _load(torch, model, state)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.005)
        seq_dl = lib["data"].DataLoader(seq_dataset, batch_size=4, shuffle=False, drop_last=True)
        out: dict[str, Any] = {"first": first, "losses": [], "n_batches": len(seq_dl)}
        batches = iter(seq_dl)
        for _epoch in range(3):
            hidden, cell = model.init_hidden(4)
            seq_batch, target_batch = next(batches)
            optimizer.zero_grad()
            loss = 0
            for c in range(seq_length):
                pred, hidden, cell = model(seq_batch[:, c], hidden, cell)
                loss += loss_fn(pred, target_batch[:, c])
            loss.backward()
            out.setdefault("grads", {name: _array(p.grad) for name, p in model.named_parameters()})
            optimizer.step()
            out["losses"].append(loss.item() / seq_length)
        model.eval()
        hidden, cell = model.init_hidden(1)
        logits, hidden, cell = model(torch.tensor([3]).view(1), hidden, cell)
        out["logits"] = torch.squeeze(logits, 0)
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch15_char_rnn(torch.nn, torch))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for got, expected in zip(ours["first"], theirs["first"]):
        assert _array(got).tolist() == _array(expected).tolist()
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.") == "int64"
    assert ours["n_batches"] == theirs["n_batches"] == 6
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-5)
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-6, err_msg=name)
    _close(ours["logits"], theirs["logits"], rtol=1e-4)


def test_ch15_categorical_sampling_imported_as_the_book_imports_it(torch):
    from autograd.distributions.categorical import Categorical
    from torch.distributions.categorical import Categorical as TorchCategorical

    for values in ([[1.0, 1.0, 1.0]], [[1.0, 1.0, 3.0]]):
        logits, torch_logits = autograd.tensor(values), torch.tensor(values)
        probas = nn.functional.softmax(logits, dim=1).numpy()[0]
        _close(probas, torch.nn.functional.softmax(torch_logits, dim=1).numpy()[0])
        m, tm = Categorical(logits=logits), TorchCategorical(logits=torch_logits)
        autograd.manual_seed(1)
        samples = m.sample((10,))
        assert tuple(samples.shape) == tuple(tm.sample((10,)).shape) == (10, 1)
        assert samples.dtype == np.int64
        _close(m.log_prob(autograd.tensor([2])), tm.log_prob(torch.tensor([2])))
        _close(m.entropy(), tm.entropy())
        frequencies = np.bincount(m.sample((20000,)).numpy().ravel(), minlength=3) / 20000
        np.testing.assert_allclose(frequencies, probas, atol=0.02)
    # the sampler's scale_factor: sharper (2.0) and flatter (0.5) distributions than the logits'
    logits = autograd.tensor([[1.0, 1.0, 3.0]])
    for scale in (0.5, 0.1, 2.0):
        _close(
            nn.functional.softmax(scale * logits, dim=1), torch.softmax(scale * torch.tensor([[1.0, 1.0, 3.0]]), dim=1)
        )
    last_char = Categorical(logits=autograd.squeeze(logits, 0) * 2.0).sample()
    assert last_char.shape == () and 0 <= int(last_char) < 3
    assert str(np.array(list("abc"))[last_char]) in "abc"  # generated_str += str(char_array[last_char])
