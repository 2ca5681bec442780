"""Inside Deep Learning (Raff; EdwardRaff/Inside-Deep-Learning, chapters 1-14 and its ``idlmam.py``) ported: the
book's helpers (``train_network``/``run_epoch``, ``set_seed``, ``moveTo``, ``weight_reset``, ``View``,
``LambdaLayer``, ``DebugShape``, ``LastTimeStep``, ``EmbeddingPackable``, the attention scores and
``ApplyAttention``, ``getMaskByFill``) and each chapter's pieces written once, as the book spells them, and run with
torch and with this library from the same weights and data; outputs, losses, gradients and learning rates compared.

The port's spellings: ``torch.optim`` is ``nn.optim`` and ``torch.nn.utils`` is ``nn.utils`` (``autograd`` does
not import ``nn``), ``torch.save``/``torch.load`` are ``nn.save``/``nn.load``; the book's ``torch.Tensor(n)``
(torch's legacy sizes) is ``torch.empty(n)`` (``Tensor(data)`` is numpy's array here) and its
``w.repeat((C, 1, 1, 1))`` (torch's tiling) is ``w.tile((C, 1, 1, 1))`` (``repeat`` is numpy's); ``DebugShape``
prints ``x.shape``, numpy's plain tuple here (``x.size()`` is the ``Size``).

The book's data (MNIST, FashionMNIST, CIFAR, the names and translation corpora) are replaced by small synthetic
stand-ins, and tqdm/pandas/seaborn are left out (``train_network`` returns its results dictionary). Loaders are
not shuffled and weights are set by hand, since torch's random draws are not this library's.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import assert_close as _close
from book_ports import assert_results_match as _results_match
from book_ports import libraries as _libs

import autograd

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

_RNG = np.random.default_rng(1729)
#: chapter 2's 1-D regression: y = x + sin(4x) + noise
LINE_X = np.linspace(0, 20, num=32).reshape(-1, 1).astype(np.float32)
LINE_Y = (LINE_X + np.sin(LINE_X) * 2 + 0.1 * _RNG.standard_normal((32, 1))).astype(np.float32)
#: two moons stand-in: 24 points in 2-D, two classes
MOONS = _RNG.standard_normal((24, 2)).astype(np.float32)
MOON_LABELS = (MOONS[:, 0] * MOONS[:, 1] > 0).astype(np.int64)
#: images: 6 single-channel 8x8 ones with three classes (chapters 3, 6, 7, 13, 14)
IMAGES = _RNG.random((6, 1, 8, 8)).astype(np.float32)
IMAGE_LABELS = np.array([0, 1, 2, 2, 1, 0])
#: token sequences of different lengths from a vocabulary of 12 (chapters 4, 10, 11, 12)
TOKENS = [_RNG.integers(1, 12, size=n) for n in (5, 3, 4, 2)]


def _both(torch: Any, run: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``run(lib)`` with torch's names, then with this library's: (ours, theirs)."""
    theirs, ours = (run(lib) for lib in _libs(torch))
    return ours, theirs


def _set_weights(torch: Any, module: Any) -> Any:
    """Every parameter of ``module`` set to a fixed sine pattern (the same in both libraries), the module returned."""
    with torch.no_grad():
        for i, (_, p) in enumerate(module.named_parameters()):
            values = np.sin(np.arange(p.numel()) * 1.3 + i) * 0.5
            p.copy_(torch.as_tensor(values.reshape(tuple(p.shape)).astype(np.float32)))
    return module


def _idlmam(lib: dict[str, Any]) -> dict[str, Any]:
    """idlmam.py's helpers written against ``lib``'s names."""
    torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]

    def moveTo(obj: Any, device: Any) -> Any:  # noqa: N802 - the book's name
        if hasattr(obj, "to"):
            return obj.to(device)
        elif isinstance(obj, list):
            return [moveTo(x, device) for x in obj]
        elif isinstance(obj, tuple):
            return tuple(moveTo(list(obj), device))
        elif isinstance(obj, set):
            return set(moveTo(list(obj), device))
        elif isinstance(obj, dict):
            return {moveTo(key, device): moveTo(value, device) for key, value in obj.items()}
        return obj

    def run_epoch(model, optimizer, data_loader, loss_func, device, results, score_funcs, prefix=""):  # noqa: ANN001, ANN202
        running_loss, y_true, y_pred = [], [], []
        for inputs, labels in data_loader:
            inputs = moveTo(inputs, device)
            labels = moveTo(labels, device)
            y_hat = model(inputs)
            loss = loss_func(y_hat, labels)
            if model.training:
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            running_loss.append(loss.item())
            if len(score_funcs) > 0 and isinstance(labels, torch.Tensor):
                labels = labels.detach().cpu().numpy()
                y_hat = y_hat.detach().cpu().numpy()
                y_true.extend(labels.tolist())
                y_pred.extend(y_hat.tolist())
        y_pred = np.asarray(y_pred)
        if len(y_pred.shape) == 2 and y_pred.shape[1] > 1:
            y_pred = np.argmax(y_pred, axis=1)
        results[prefix + " loss"].append(np.mean(running_loss))
        for name, score_func in score_funcs.items():
            results[prefix + " " + name].append(score_func(y_true, y_pred))

    def train_network(model, loss_func, train_loader, val_loader=None, score_funcs=None, epochs=3, device="cpu",  # noqa: ANN001, ANN202
                      lr_schedule=None, optimizer=None, checkpoint_file=None):  # fmt: skip
        score_funcs = {} if score_funcs is None else score_funcs
        to_track = ["epoch", "train loss"] + (["val loss"] if val_loader is not None else [])
        for eval_score in score_funcs:
            to_track.append("train " + eval_score)
            if val_loader is not None:
                to_track.append("val " + eval_score)
        results = {item: [] for item in to_track}
        if optimizer is None:
            optimizer = optim.AdamW(model.parameters())
        model.to(device)
        for epoch in range(epochs):
            model = model.train()
            run_epoch(model, optimizer, train_loader, loss_func, device, results, score_funcs, prefix="train")
            results["epoch"].append(epoch)
            if val_loader is not None:
                model = model.eval()
                with torch.no_grad():
                    run_epoch(model, optimizer, val_loader, loss_func, device, results, score_funcs, prefix="val")
            if lr_schedule is not None:
                if isinstance(lr_schedule, optim.lr_scheduler.ReduceLROnPlateau):
                    lr_schedule.step(results["val loss"][-1])
                else:
                    lr_schedule.step()
            if checkpoint_file is not None:
                state = {"epoch": epoch, "model_state_dict": model.state_dict()}
                state.update(optimizer_state_dict=optimizer.state_dict(), results=results)
                lib["save"](state, checkpoint_file)
        return results

    class Flatten(nn.Module):
        def forward(self, input: Any) -> Any:
            return input.view(input.size(0), -1)

    class View(nn.Module):
        def __init__(self, *shape: int) -> None:
            super().__init__()
            self.shape = shape

        def forward(self, input: Any) -> Any:
            return input.view(*self.shape)

    class LambdaLayer(nn.Module):
        def __init__(self, lambd: Any) -> None:
            super().__init__()
            self.lambd = lambd

        def forward(self, x: Any) -> Any:
            return self.lambd(x)

    class DebugShape(nn.Module):
        def forward(self, input: Any) -> Any:
            print(input.shape)
            return input

    def weight_reset(m: Any) -> None:
        if "reset_parameters" in dir(m):
            m.reset_parameters()

    class LastTimeStep(nn.Module):
        def __init__(self, rnn_layers: int = 1, bidirectional: bool = False) -> None:
            super().__init__()
            self.rnn_layers = rnn_layers
            self.num_driections = 2 if bidirectional else 1

        def forward(self, input: Any) -> Any:
            last_step = input[1]
            if type(last_step) == tuple:  # noqa: E721 - the book's test
                last_step = last_step[0]
            batch_size = last_step.shape[1]
            last_step = last_step.view(self.rnn_layers, self.num_driections, batch_size, -1)
            last_step = last_step[self.rnn_layers - 1]
            last_step = last_step.permute(1, 0, 2)
            return last_step.reshape(batch_size, -1)

    class EmbeddingPackable(nn.Module):
        def __init__(self, embd_layer: Any) -> None:
            super().__init__()
            self.embd_layer = embd_layer

        def forward(self, input: Any) -> Any:
            if type(input) == nn.utils.rnn.PackedSequence:  # noqa: E721 - the book's test
                sequences, lengths = nn.utils.rnn.pad_packed_sequence(input.cpu(), batch_first=True)
                sequences = self.embd_layer(sequences.to(input.data.device))
                return nn.utils.rnn.pack_padded_sequence(
                    sequences, lengths.to(input.data.device), batch_first=True, enforce_sorted=False
                )
            return self.embd_layer(input)

    class ApplyAttention(nn.Module):
        def forward(self, states: Any, attention_scores: Any, mask: Any = None) -> Any:
            if mask is not None:
                attention_scores[~mask] = -1000.0
            weights = F.softmax(attention_scores, dim=1)
            final_context = (states * weights).sum(dim=1)
            return final_context, weights

    class AdditiveAttentionScore(nn.Module):
        def __init__(self, D: int) -> None:  # noqa: N803 - the book's name
            super().__init__()
            self.v = nn.Linear(D, 1)
            self.w = nn.Linear(2 * D, D)

        def forward(self, states: Any, context: Any) -> Any:
            T = states.size(1)  # noqa: N806
            context = torch.stack([context for _ in range(T)], dim=1)
            state_context_combined = torch.cat((states, context), dim=2)
            return self.v(torch.tanh(self.w(state_context_combined)))

    class GeneralScore(nn.Module):
        def __init__(self, D: int) -> None:  # noqa: N803
            super().__init__()
            self.w = nn.Bilinear(D, D, 1)

        def forward(self, states: Any, context: Any) -> Any:
            T = states.size(1)  # noqa: N806
            context = torch.stack([context for _ in range(T)], dim=1)
            return self.w(states, context)

    class DotScore(nn.Module):
        def __init__(self, D: int) -> None:  # noqa: N803
            super().__init__()

        def forward(self, states: Any, context: Any) -> Any:
            D = states.size(2)  # noqa: N806
            return torch.bmm(states, context.unsqueeze(2)) / np.sqrt(D)

    def getMaskByFill(x: Any, time_dimension: int = 1, fill: Any = 0) -> Any:  # noqa: N802
        to_sum_over = list(range(1, len(x.shape)))
        if time_dimension in to_sum_over:
            to_sum_over.remove(time_dimension)
        with torch.no_grad():
            if len(to_sum_over) == 0:
                return x != fill
            mask = torch.sum((x != fill), dim=to_sum_over) > 0
        return mask

    def set_seed(seed: int) -> None:
        torch.manual_seed(seed)
        np.random.seed(seed)

    return dict(locals())


def test_ch1_minimising_by_hand_and_with_sgd_on_a_parameter(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]

        def f(x: Any) -> Any:
            return torch.pow((x - 2.0), 2)

        x_axis_vals = torch.linspace(-7, 9, 100)
        y_axis_vals = f(x_axis_vals)
        x = torch.tensor([-3.5], requires_grad=True)
        value = f(x)
        value.backward()
        by_hand = torch.tensor([-3.5], requires_grad=True)
        eta = 0.1
        for _ in range(20):
            by_hand.grad = None
            f(by_hand).backward()
            with torch.no_grad():
                by_hand -= eta * by_hand.grad
        x_param = nn.Parameter(torch.tensor([-3.5]), requires_grad=True)
        optimizer = optim.SGD([x_param], lr=eta)
        for _ in range(60):
            optimizer.zero_grad()
            loss_incurred = f(x_param)
            loss_incurred.backward()
            optimizer.step()
        big = torch.tensor(np.arange(64, dtype=np.float32).reshape(8, 8) / 64)
        return {"ys": y_axis_vals, "grad": x.grad, "by_hand": by_hand, "x": x_param.data, "mm": big @ big}

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs)
    _close(ours["x"], [2.0], atol=1e-4)


def test_ch2_train_network_regression_and_classification_with_validation_and_scores(torch, tmp_path):
    def accuracy_score(y_true: list, y_pred: np.ndarray) -> float:
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim, data = lib["torch"], lib["nn"], lib["F"], lib["optim"], lib["data"]
        idl = _idlmam(lib)

        class Simple1DRegressionDataset(data.Dataset):
            def __init__(self, X: np.ndarray, y: np.ndarray) -> None:  # noqa: N803
                super().__init__()
                self.X, self.y = X.reshape(-1, 1), y.reshape(-1, 1)

            def __getitem__(self, index: int) -> Any:
                return torch.tensor(self.X[index, :], dtype=torch.float32), torch.tensor(
                    self.y[index], dtype=torch.float32
                )

            def __len__(self) -> int:
                return self.X.shape[0]

        training_loader = data.DataLoader(Simple1DRegressionDataset(LINE_X, LINE_Y), batch_size=8, shuffle=False)
        model = _set_weights(torch, nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 1)))
        optimizer = optim.SGD(model.parameters(), lr=0.001)
        regression = idl["train_network"](model, nn.MSELoss(), training_loader, epochs=3, optimizer=optimizer)
        regression_prediction = model(torch.tensor(LINE_X))

        train = data.TensorDataset(
            torch.tensor(MOONS, dtype=torch.float32), torch.tensor(MOON_LABELS, dtype=torch.long)
        )
        train_loader = data.DataLoader(train, batch_size=6)
        val_loader = data.DataLoader(train, batch_size=12)
        classifier = nn.Sequential(nn.Linear(2, 30), nn.Tanh(), nn.Linear(30, 30), nn.Tanh(), nn.Linear(30, 2))
        classifier = _set_weights(torch, classifier)
        results = idl["train_network"](
            classifier,
            nn.CrossEntropyLoss(),
            train_loader,
            val_loader=val_loader,
            score_funcs={"Accuracy": accuracy_score},
            epochs=4,
            checkpoint_file=tmp_path / f"{torch.__name__}.pt",
        )
        with torch.no_grad():
            probabilities = F.softmax(classifier(torch.tensor(MOONS)), dim=1)
        # visualize2DSoftmax's grid of predictions (without the plot)
        x_min, x_max = np.min(MOONS[:, 0]) - 0.5, np.max(MOONS[:, 0]) + 0.5
        y_min, y_max = np.min(MOONS[:, 1]) - 0.5, np.max(MOONS[:, 1]) + 0.5
        xv, yv = np.meshgrid(np.linspace(x_min, x_max, num=5), np.linspace(y_min, y_max, num=5), indexing="ij")
        xy_v = np.hstack((xv.reshape(-1, 1), yv.reshape(-1, 1)))
        with torch.no_grad():
            preds = classifier(torch.tensor(xy_v, dtype=torch.float32))
            preds = F.softmax(preds, dim=1).numpy()
        checkpoint = (lib["load"] if torch is autograd else lambda f: torch.load(f, weights_only=False))(
            tmp_path / f"{torch.__name__}.pt"
        )
        out = {f"regression {k}": np.array(v) for k, v in regression.items()}
        out.update({k: np.array(v) for k, v in results.items()}, predicted=regression_prediction)
        out.update(probabilities=probabilities, epoch=checkpoint["epoch"], grid=preds[:, 0].reshape(5, 5))
        out["adam step"] = np.asarray(checkpoint["optimizer_state_dict"]["state"][0]["step"])
        out["checkpoint weight"] = np.asarray(checkpoint["model_state_dict"]["0.weight"])
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch2_idlmam_helpers_move_view_lambda_debug_shape_and_weight_reset(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        idl = _idlmam(lib)
        x = torch.tensor(IMAGES)
        moved = idl["moveTo"]({"a": [x, (x, 3)], "b": {x.sum().item()}}, "cpu")
        model = nn.Sequential(
            idl["View"](-1, 64),
            idl["DebugShape"](),
            nn.Linear(64, 5),
            idl["LambdaLayer"](lambda x: x**2),
            idl["Flatten"](),
            nn.LeakyReLU(0.1),
        )
        model = _set_weights(torch, model)
        printed = io.StringIO()
        with redirect_stdout(printed):
            out = model(x)
        before = [p.detach().clone() for p in model.parameters()]
        idl["set_seed"](0)
        model.apply(idl["weight_reset"])
        changed = [not torch.equal(a, b) for a, b in zip(before, model.parameters())]
        shapes = [tuple(p.shape) for p in model.parameters()]
        return {
            "out": out,
            "moved": moved["a"][1][0],
            "printed": printed.getvalue(),
            "changed": changed,
            "shapes": shapes,
        }

    ours, theirs = _both(torch, run)
    # DebugShape prints ``input.shape``: torch's Size, numpy's plain tuple here (deliberately: ``x.size()`` is a Size)
    assert ours["printed"] == theirs["printed"].replace("torch.Size([", "(").replace("])", ")")
    del ours["printed"], theirs["printed"]
    _results_match(ours, theirs)


def test_ch3_convolution_by_hand_blur_filter_and_a_cnn_trained(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, data = lib["torch"], lib["nn"], lib["F"], lib["data"]
        img = IMAGES[0, 0]
        img_tensor = torch.tensor(img).reshape(1, 1, 8, 8)
        blur_filter = torch.tensor(np.ones((3, 3)) / 9.0, dtype=torch.float32).reshape(1, 1, 3, 3)
        blurry = F.conv2d(img_tensor, blur_filter)
        edge = torch.tensor([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=torch.float32).reshape(1, 1, 3, 3)
        edges = F.conv2d(img_tensor, edge)
        C, K, filters, classes = 1, 3, 4, 3  # noqa: N806
        model = nn.Sequential(
            nn.Conv2d(C, filters, K, padding=K // 2),
            nn.Tanh(),
            nn.Conv2d(filters, filters, K, padding=K // 2),
            nn.Tanh(),
            nn.MaxPool2d(2),
            nn.Conv2d(filters, 2 * filters, K, padding=K // 2),
            nn.Tanh(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(2 * filters * 2 * 2, classes),
        )
        model = _set_weights(torch, model)
        dataset = data.TensorDataset(torch.tensor(IMAGES), torch.tensor(IMAGE_LABELS))
        results = _idlmam(lib)["train_network"](model, nn.CrossEntropyLoss(), data.DataLoader(dataset, batch_size=3))
        return {"blurry": blurry, "edges": edges, "loss": np.array(results["train loss"]), "out": model(img_tensor)}

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def _pad_and_pack(lib: dict[str, Any]) -> Any:
    """idlmam.py's ``pad_and_pack`` collate function."""
    torch, nn = lib["torch"], lib["nn"]

    def pad_and_pack(batch: list) -> Any:
        input_tensors, labels, lengths = [], [], []
        for x, y in batch:
            input_tensors.append(x)
            labels.append(y)
            lengths.append(x.shape[0])
        x_padded = nn.utils.rnn.pad_sequence(input_tensors, batch_first=False)
        x_packed = nn.utils.rnn.pack_padded_sequence(x_padded, lengths, batch_first=False, enforce_sorted=False)
        y_batched = torch.as_tensor(labels, dtype=torch.long)
        return x_packed, y_batched

    return pad_and_pack


def test_ch4_rnn_over_packed_names_with_embedding_packable_and_last_time_step(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        idl = _idlmam(lib)

        class NameDataset(data.Dataset):
            def __len__(self) -> int:
                return len(TOKENS)

            def __getitem__(self, idx: int) -> Any:
                name_vec = torch.zeros((len(TOKENS[idx])), dtype=torch.long)
                for pos, character in enumerate(TOKENS[idx]):
                    name_vec[pos] = int(character)
                return name_vec, idx % 2

        out = {}
        for layers, bidirectional, cell in ((1, False, "RNN"), (2, True, "GRU"), (2, True, "LSTM")):
            loader = data.DataLoader(NameDataset(), batch_size=4, collate_fn=_pad_and_pack(lib))
            directions = 2 if bidirectional else 1
            model = nn.Sequential(
                idl["EmbeddingPackable"](nn.Embedding(12, 4)),
                getattr(nn, cell)(4, 5, num_layers=layers, batch_first=True, bidirectional=bidirectional),
                idl["LastTimeStep"](rnn_layers=layers, bidirectional=bidirectional),
                nn.Linear(5 * directions, 2),
            )
            model = _set_weights(torch, model)
            opt = optim.SGD(model.parameters(), lr=0.1)
            results = idl["train_network"](model, nn.CrossEntropyLoss(), loader, optimizer=opt, epochs=2)
            padded = nn.utils.rnn.pad_sequence([torch.tensor(t) for t in TOKENS], batch_first=True)
            out[cell] = np.array(results["train loss"])
            out[cell + " padded"] = model(padded)
            out[cell + " grad"] = model[0].embd_layer.weight.grad
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def _fc_model(lib: dict[str, Any]) -> Any:
    """Chapter 5's small fully connected classifier over the moons stand-in."""
    nn = lib["nn"]
    return _set_weights(
        lib["torch"], nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
    )


def test_ch5_optimizers_schedulers_and_gradient_clipping_hooks(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        idl = _idlmam(lib)
        dataset = data.TensorDataset(torch.tensor(MOONS), torch.tensor(MOON_LABELS))
        loader = data.DataLoader(dataset, batch_size=8)
        epochs, out = 4, {}
        makers = {
            "sgd": lambda p: optim.SGD(p, lr=0.1),
            "momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
            "nesterov": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
            "adam": lambda p: optim.Adam(p, lr=0.01),
            "adamw": lambda p: optim.AdamW(p, lr=0.01),
        }
        schedules = {
            "exp": lambda o: optim.lr_scheduler.ExponentialLR(o, (0.01 / 0.1) ** (1 / epochs)),
            "step": lambda o: optim.lr_scheduler.StepLR(o, epochs // 2, gamma=0.3),
            "cosine": lambda o: optim.lr_scheduler.CosineAnnealingLR(o, epochs, eta_min=0.0001),
            "plateau": lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.2, patience=0),
            "lambda": lambda o: optim.lr_scheduler.LambdaLR(o, lambda epoch: 0.9**epoch),
            "onecycle": lambda o: optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=epochs, steps_per_epoch=1),
        }
        for name, make in makers.items():
            model = _fc_model(lib)
            results = idl["train_network"](
                model, nn.CrossEntropyLoss(), loader, epochs=epochs, optimizer=make(model.parameters())
            )
            out[name] = np.array(results["train loss"])
        for name, schedule in schedules.items():
            model = _fc_model(lib)
            optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
            scheduler = schedule(optimizer)
            results = idl["train_network"](
                model,
                nn.CrossEntropyLoss(),
                loader,
                val_loader=loader,
                epochs=epochs,
                optimizer=optimizer,
                lr_schedule=scheduler,
            )
            out[name] = np.array(results["val loss"])
            out[name + " lr"] = optimizer.param_groups[0]["lr"]
        model = _fc_model(lib)
        for p in model.parameters():
            p.register_hook(lambda grad: torch.clamp(grad, -0.05, 0.05))
        results = idl["train_network"](
            model, nn.CrossEntropyLoss(), loader, epochs=epochs, optimizer=optim.SGD(model.parameters(), lr=1.0)
        )
        out["clamped"] = np.array(results["train loss"])
        loss = nn.CrossEntropyLoss()(model(torch.tensor(MOONS)), torch.tensor(MOON_LABELS))
        loss.backward()
        out["clamped grads"] = np.array([p.grad.abs().max().item() for p in model.parameters()])
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch6_normalisation_skip_connections_and_residual_bottleneck_blocks(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, data = lib["torch"], lib["nn"], lib["F"], lib["data"]
        idl = _idlmam(lib)
        C, filters, classes = 1, 4, 3  # noqa: N806

        def cnn_layer(in_filters: int, out_filters: int | None = None, kernel_size: int = 3) -> Any:
            out_filters = in_filters if out_filters is None else out_filters
            padding = kernel_size // 2
            return nn.Sequential(
                nn.Conv2d(in_filters, out_filters, kernel_size, padding=padding),
                nn.BatchNorm2d(out_filters),
                nn.LeakyReLU(),
            )

        class SkipFC(nn.Module):
            def __init__(self, n_layers: int, in_size: int, out_size: int, leak: float = 0.1) -> None:
                super().__init__()
                layers = [
                    nn.Sequential(nn.Linear(in_size * (1 if i == 0 else 2), in_size), nn.LeakyReLU(leak))
                    for i in range(n_layers - 1)
                ]
                self.layers = nn.ModuleList(layers)
                self.out = nn.Linear(in_size * 2, out_size)

            def forward(self, x: Any) -> Any:
                h = x
                for layer in self.layers:
                    h = torch.cat([layer(h), x], dim=1)
                return self.out(h)

        class ResidualBlockE(nn.Module):
            def __init__(self, channels: int, kernel_size: int = 3, leak_rate: float = 0.1) -> None:
                super().__init__()
                pad = (kernel_size - 1) // 2
                self.F = nn.Sequential(
                    nn.BatchNorm2d(channels),
                    nn.LeakyReLU(leak_rate),
                    nn.Conv2d(channels, channels, kernel_size, padding=pad),
                    nn.BatchNorm2d(channels),
                    nn.LeakyReLU(leak_rate),
                    nn.Conv2d(channels, channels, kernel_size, padding=pad),
                )

            def forward(self, x: Any) -> Any:
                return x + self.F(x)

        class ResidualBottleNeck(nn.Module):
            def __init__(
                self, in_channels: int, out_channels: int, kernel_size: int = 3, leak_rate: float = 0.1
            ) -> None:
                super().__init__()
                pad = (kernel_size - 1) // 2
                bottleneck = max(out_channels // 4, in_channels)
                self.F = nn.Sequential(
                    nn.BatchNorm2d(in_channels),
                    nn.LeakyReLU(leak_rate),
                    nn.Conv2d(in_channels, bottleneck, 1, padding=0),
                    nn.BatchNorm2d(bottleneck),
                    nn.LeakyReLU(leak_rate),
                    nn.Conv2d(bottleneck, bottleneck, kernel_size, padding=pad),
                    nn.BatchNorm2d(bottleneck),
                    nn.LeakyReLU(leak_rate),
                    nn.Conv2d(bottleneck, out_channels, 1, padding=0),
                )
                self.shortcut = nn.Identity()
                if in_channels != out_channels:
                    self.shortcut = nn.Sequential(
                        nn.Conv2d(in_channels, out_channels, 1, padding=0), nn.BatchNorm2d(out_channels)
                    )

            def forward(self, x: Any) -> Any:
                return self.shortcut(x) + self.F(x)

        cnn = nn.Sequential(
            cnn_layer(C, filters),
            ResidualBlockE(filters),
            nn.MaxPool2d((2, 2)),
            ResidualBottleNeck(filters, 2 * filters),
            nn.LayerNorm([2 * filters, 4, 4]),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(2 * filters, classes),
        )
        cnn = _set_weights(torch, cnn)
        loader = data.DataLoader(data.TensorDataset(torch.tensor(IMAGES), torch.tensor(IMAGE_LABELS)), batch_size=3)
        # SGD, not train_network's AdamW: the conv biases before a BatchNorm have gradients that are 0 but for float32
        # rounding, which AdamW's first steps turn into +-lr moves in each library's rounding direction
        optimizer = lib["optim"].SGD(cnn.parameters(), lr=0.1, momentum=0.9)
        results = idl["train_network"](
            cnn, nn.CrossEntropyLoss(), loader, val_loader=loader, epochs=3, optimizer=optimizer
        )
        fc = _set_weights(torch, nn.Sequential(nn.Linear(2, 6), nn.BatchNorm1d(6), nn.LeakyReLU(0.1), nn.Linear(6, 2)))
        fc_results = idl["train_network"](
            fc,
            nn.CrossEntropyLoss(),
            data.DataLoader(data.TensorDataset(torch.tensor(MOONS), torch.tensor(MOON_LABELS)), batch_size=8),
            epochs=3,
        )
        skip = _set_weights(torch, SkipFC(3, 2, 2))
        x = torch.tensor(MOONS, requires_grad=True)
        F.cross_entropy(skip(x), torch.tensor(MOON_LABELS)).backward()
        bn = cnn[0][1]
        return {
            "train": np.array(results["train loss"]),
            "val": np.array(results["val loss"]),
            "fc": np.array(fc_results["train loss"]),
            "running mean": bn.running_mean,
            "running var": bn.running_var,
            "batches": bn.num_batches_tracked,
            "skip grad": x.grad,
            "eval out": cnn.eval()(torch.tensor(IMAGES)),
        }

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch7_autoencoders_tied_weights_denoising_and_conv_transpose(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim, data = lib["torch"], lib["nn"], lib["F"], lib["optim"], lib["data"]
        idl = _idlmam(lib)

        class AutoEncodeDataset(data.Dataset):
            def __init__(self, dataset: Any) -> None:
                self.dataset = dataset

            def __getitem__(self, idx: int) -> Any:
                x, _ = self.dataset[idx]
                return x, x

            def __len__(self) -> int:
                return len(self.dataset)

        class TransposeLinear(nn.Module):
            def __init__(self, linearLayer: Any, bias: bool = True) -> None:  # noqa: N803
                super().__init__()
                self.weight = linearLayer.weight
                if bias:
                    # the book's torch.Tensor(n), torch's legacy sizes: Tensor(data) is numpy's array here
                    self.bias = nn.Parameter(torch.empty(linearLayer.weight.shape[1]))
                else:
                    self.register_parameter("bias", None)

            def forward(self, x: Any) -> Any:
                return F.linear(x, self.weight.t(), self.bias)

        class AdditiveGausNoise(nn.Module):
            def forward(self, x: Any) -> Any:
                if self.training:
                    return (
                        x + torch.tensor(np.cos(np.arange(x.numel())).reshape(tuple(x.shape)).astype(np.float32)) * 0.1
                    )
                return x

        base = data.TensorDataset(torch.tensor(IMAGES), torch.tensor(IMAGE_LABELS))
        loader = data.DataLoader(AutoEncodeDataset(base), batch_size=3)
        D, n = 64, 2  # noqa: N806
        linear_layer = nn.Linear(D, n, bias=False)
        pca_encoder = nn.Sequential(nn.Flatten(), linear_layer)
        pca_decoder = nn.Sequential(TransposeLinear(linear_layer, bias=False), idl["View"](-1, 1, 8, 8))
        pca_model = _set_weights(torch, nn.Sequential(pca_encoder, pca_decoder))
        tied = idl["train_network"](
            pca_model, nn.MSELoss(), loader, epochs=3, optimizer=optim.Adam(pca_model.parameters(), lr=0.01)
        )
        biased = TransposeLinear(nn.Linear(D, n))
        bias_shape = tuple(biased.bias.shape)
        names = [name for name, _ in nn.Sequential(linear_layer, biased).named_parameters()]

        def get_layer(in_size: int, out_size: int) -> Any:
            return nn.Sequential(nn.Linear(in_size, out_size), nn.BatchNorm1d(out_size), nn.ReLU())

        dae = nn.Sequential(
            AdditiveGausNoise(),
            nn.Flatten(),
            get_layer(D, 16),
            nn.Linear(16, n),
            get_layer(n, 16),
            nn.Linear(16, D),
            idl["View"](-1, 1, 8, 8),
        )
        dae = _set_weights(torch, dae)
        denoised = idl["train_network"](
            dae, nn.MSELoss(), loader, val_loader=loader, epochs=3, optimizer=optim.SGD(dae.parameters(), lr=0.1)
        )
        C, filters = 1, 4  # noqa: N806
        conv_ae = nn.Sequential(
            nn.Conv2d(C, filters, 3, padding=1),
            nn.LeakyReLU(),
            nn.Conv2d(filters, filters, 3, padding=1, stride=2),
            nn.LeakyReLU(),
            nn.ConvTranspose2d(filters, filters, (3, 3), padding=1, output_padding=1, stride=2),
            nn.LeakyReLU(),
            nn.Conv2d(filters, C, 3, padding=1),
        )
        conv_ae = _set_weights(torch, conv_ae)
        conv = idl["train_network"](
            conv_ae, nn.MSELoss(), loader, epochs=3, optimizer=optim.SGD(conv_ae.parameters(), lr=0.1)
        )
        return {
            "tied": np.array(tied["train loss"]),
            "encoding": pca_encoder(torch.tensor(IMAGES)),
            "bias shape": bias_shape,
            "names": names,
            "denoised": np.array(denoised["train loss"]),
            "denoised val": np.array(denoised["val loss"]),
            "conv": np.array(conv["train loss"]),
            "conv out": conv_ae(torch.tensor(IMAGES)),
        }

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch8_box_iou_and_a_u_net_segmenter_with_per_pixel_bce(torch):
    boxes_a = np.array([[0, 0, 4, 4], [1, 1, 3, 5], [2, 2, 2.5, 6]], dtype=np.float32)
    boxes_b = np.array([[1, 1, 4, 4], [5, 5, 6, 6]], dtype=np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]

        def box_area(boxes: Any) -> Any:
            return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])

        def box_iou(boxes1: Any, boxes2: Any) -> Any:
            area1, area2 = box_area(boxes1), box_area(boxes2)
            lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
            rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
            wh = (rb - lt).clamp(min=0)
            inter = wh[:, :, 0] * wh[:, :, 1]
            return inter / (area1[:, None] + area2 - inter)

        a = torch.tensor(boxes_a, requires_grad=True)
        iou = box_iou(a, torch.tensor(boxes_b))
        iou.sum().backward()
        best, which = iou.max(dim=1)

        def cnnLayer(in_filters: int, out_filters: int, kernel_size: int = 3) -> Any:  # noqa: N802
            return nn.Sequential(
                nn.Conv2d(in_filters, out_filters, kernel_size, padding=kernel_size // 2),
                nn.BatchNorm2d(out_filters),
                nn.LeakyReLU(),
            )

        class UNetBlock2d(nn.Module):
            def __init__(
                self, in_channels: int, mid_channels: int, out_channels: int | None = None, sub_network: Any = None
            ) -> None:
                super().__init__()
                out_channels = in_channels if out_channels is None else out_channels
                layers = [cnnLayer(in_channels, mid_channels), cnnLayer(mid_channels, mid_channels)]
                if sub_network is not None:
                    layers += [
                        nn.MaxPool2d(2),
                        sub_network,
                        nn.ConvTranspose2d(mid_channels * 2, mid_channels, 3, padding=1, output_padding=1, stride=2),
                    ]
                    self.down, self.up = nn.Sequential(*layers[:3]), layers[3:]
                else:
                    self.down, self.up = nn.Sequential(*layers), []
                self.sub = sub_network
                self.up = nn.Sequential(*self.up)
                self.out = nn.Sequential(
                    cnnLayer(mid_channels * 2, mid_channels), nn.Conv2d(mid_channels, out_channels, 1)
                )

            def forward(self, x: Any) -> Any:
                h = self.down[:2](x)
                return self.out(torch.cat([h, self.up(self.down[2](h)) if self.sub is not None else h], dim=1))

        inner = nn.Sequential(cnnLayer(4, 8), cnnLayer(8, 8))
        model = _set_weights(torch, UNetBlock2d(1, 4, 1, sub_network=inner))
        masks = torch.tensor((IMAGES > 0.5).astype(np.float32))
        optimizer = optim.SGD(model.parameters(), lr=0.05)
        losses = []
        for _ in range(3):
            loss = nn.BCEWithLogitsLoss()(model(torch.tensor(IMAGES)), masks)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return {"iou": iou, "grad": a.grad, "best": best, "which": which, "losses": np.array(losses)}

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch9_gan_steps_and_the_wgan_gp_gradient_penalty_through_autograd_grad(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        latent_d, out_shape, B = 4, (-1, 1, 8, 8), 6  # noqa: N806

        G = nn.Sequential(
            nn.Linear(latent_d, 16), nn.LeakyReLU(0.2), nn.Linear(16, 64), nn.Tanh(), _idlmam(lib)["View"](*out_shape)
        )  # noqa: N806
        D = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))  # noqa: N806
        G, D = _set_weights(torch, G), _set_weights(torch, D)  # noqa: N806
        loss_func = nn.BCEWithLogitsLoss()
        real_label, fake_label = 1, 0
        optimizerD = optim.AdamW(D.parameters(), lr=0.0001, betas=(0.0, 0.9))  # noqa: N806
        optimizerG = optim.AdamW(G.parameters(), lr=0.0001, betas=(0.0, 0.9))  # noqa: N806
        real = torch.tensor(IMAGES)
        out = {"errD": [], "errG": [], "gp": []}
        for step in range(3):
            z = torch.tensor(np.sin(np.arange(B * latent_d) + step).reshape(B, latent_d).astype(np.float32))
            D.zero_grad()
            G.zero_grad()
            y_real = torch.full((B, 1), real_label, dtype=torch.float32)
            y_fake = torch.full((B, 1), fake_label, dtype=torch.float32)
            errD_real = loss_func(D(real), y_real)  # noqa: N806
            fake = G(z)
            errD_fake = loss_func(D(fake.detach()), y_fake)  # noqa: N806
            errD = errD_real + errD_fake  # noqa: N806
            errD.backward()
            optimizerD.step()
            D.zero_grad()
            G.zero_grad()
            errG = loss_func(D(fake), y_real)  # noqa: N806
            errG.backward()
            optimizerG.step()
            # WGAN-GP: the critic's gradient norm on a mix of real and fake, penalised towards 1
            D.zero_grad()
            eps = torch.tensor(np.linspace(0.1, 0.9, B).reshape(B, 1, 1, 1).astype(np.float32))
            fake = G(z)
            real_hat = eps * real + (1 - eps) * fake
            D_success = D(real_hat)  # noqa: N806
            grad_outputs = torch.ones(D_success.size())
            gradients = torch.autograd.grad(
                outputs=D_success, inputs=real_hat, grad_outputs=grad_outputs, create_graph=True, retain_graph=True
            )[0]
            gradients = gradients.view(B, -1)
            grad_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
            errD = D(fake).mean() - D(real).mean() + 10 * grad_penalty  # noqa: N806
            errD.backward()
            optimizerD.step()
            out["errD"].append(errD.item())
            out["errG"].append(errG.item())
            out["gp"].append(grad_penalty.item())
        out = {key: np.array(value) for key, value in out.items()}
        out.update(G_grad=G[0].weight.grad, D_weight=D[1].weight)
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def _padded_tokens(torch: Any) -> Any:
    """The token sequences padded with 0 into a (B, T) long tensor, batch first."""
    padded = np.zeros((len(TOKENS), max(len(t) for t in TOKENS)), dtype=np.int64)
    for i, tokens in enumerate(TOKENS):
        padded[i, : len(tokens)] = tokens
    return torch.tensor(padded)


def test_ch10_attention_scores_masked_by_fill_and_applied_to_padded_sequences(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        idl = _idlmam(lib)
        D, out = 6, {}  # noqa: N806

        class Combiner(nn.Module):
            def __init__(self, featureExtraction: Any, weightSelection: Any) -> None:  # noqa: N803
                super().__init__()
                self.featureExtraction, self.weightSelection = featureExtraction, weightSelection

            def forward(self, input: Any) -> Any:
                features = self.featureExtraction(input)
                weights = self.weightSelection(features)
                if len(weights.shape) == 2:
                    weights.unsqueeze(2)
                return torch.sum(features * weights, dim=1)

        class SmarterAttentionNet(nn.Module):
            def __init__(self, input_size: int, hidden_size: int, out_size: int, score_net: Any) -> None:
                super().__init__()
                self.backbone = nn.Sequential(
                    nn.Embedding(12, input_size, padding_idx=0), nn.Linear(input_size, hidden_size), nn.LeakyReLU()
                )
                self.score_net = score_net
                self.apply_attn = idl["ApplyAttention"]()
                self.prediction_net = nn.Sequential(nn.BatchNorm1d(hidden_size), nn.Linear(hidden_size, out_size))

            def forward(self, input: Any) -> Any:
                mask = idl["getMaskByFill"](input)
                h = self.backbone(input)
                h_context = (mask.unsqueeze(-1) * h).sum(dim=1)
                h_context = h_context / (mask.sum(dim=1).unsqueeze(-1) + 1e-10)
                scores = self.score_net(h, h_context)
                final_context, _ = self.apply_attn(h, scores, mask=mask)
                return self.prediction_net(final_context)

        x = _padded_tokens(torch)
        y = torch.tensor([0, 1, 1, 0])
        for name in ("DotScore", "GeneralScore", "AdditiveAttentionScore"):
            model = _set_weights(torch, SmarterAttentionNet(4, D, 2, idl[name](D)))
            optimizer = optim.SGD(model.parameters(), lr=0.1)
            losses = []
            for _ in range(3):
                loss = nn.CrossEntropyLoss()(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            out[name] = np.array(losses)
            out[name + " grad"] = model.backbone[0].weight.grad
            model.eval()
            out[name + " eval"] = model(x)
        mask = idl["getMaskByFill"](x)
        out.update(mask=mask, mask3=idl["getMaskByFill"](nn.Embedding(12, 3, padding_idx=0)(x)))
        out["channels"] = idl["getMaskByFill"](torch.zeros(2, 3, 5), time_dimension=2)
        features = torch.tensor(np.cos(np.arange(4 * 5 * D)).reshape(4, 5, D).astype(np.float32), requires_grad=True)
        combiner = Combiner(nn.Identity(), nn.Sequential(nn.Linear(D, 1), nn.Softmax(dim=1)))
        combined = _set_weights(torch, combiner)(features)
        combined.sum().backward()
        out.update(combined=combined, features_grad=features.grad)
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch11_seq2seq_with_attention_teacher_forcing_and_greedy_decoding(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]
        idl = _idlmam(lib)
        rnn = nn.utils.rnn

        class Seq2SeqAttention(nn.Module):
            def __init__(self, num_embeddings: int, embd_size: int, hidden_size: int, padding_idx: int | None = None,
                         layers: int = 1, max_decode_length: int = 5) -> None:  # fmt: skip
                super().__init__()
                self.padding_idx = padding_idx
                self.hidden_size = hidden_size
                self.embd = nn.Embedding(num_embeddings, embd_size, padding_idx=padding_idx)
                self.encode_layers = nn.GRU(
                    input_size=embd_size, hidden_size=hidden_size // 2, num_layers=layers, bidirectional=True
                )
                self.decode_layers = nn.ModuleList(
                    [nn.GRUCell(embd_size, hidden_size)]
                    + [nn.GRUCell(hidden_size, hidden_size) for _ in range(layers - 1)]
                )
                self.score_net = idl["DotScore"](hidden_size)
                self.predict_word = nn.Sequential(
                    nn.Linear(2 * hidden_size, hidden_size),
                    nn.LeakyReLU(),
                    nn.LayerNorm(hidden_size),
                    nn.Linear(hidden_size, num_embeddings),
                )
                self.max_decode_length = max_decode_length
                self.apply_attn = idl["ApplyAttention"]()

            def forward(self, input: Any) -> Any:
                if isinstance(input, tuple):
                    input, target = input
                else:
                    target = None
                B, T = input.size(0), input.size(1)  # noqa: N806
                x = self.embd(input)
                mask = idl["getMaskByFill"](x)
                seq_lengths = mask.sum(dim=1).view(-1)
                x_packed = rnn.pack_padded_sequence(x, seq_lengths.cpu(), batch_first=True, enforce_sorted=False)
                h_encoded, h_last = self.encode_layers(x_packed)
                h_encoded, _ = rnn.pad_packed_sequence(h_encoded)
                h_encoded = h_encoded.permute(1, 0, 2)
                h_last = h_last.view(-1, 2, B, self.hidden_size // 2)[-1, :, :, :]
                h_last = h_last.permute(1, 0, 2).reshape(B, -1)
                h_prevs = [h_last for _ in range(len(self.decode_layers))]
                decoder_input = self.embd(torch.tensor([1] * B))
                predictions = []
                for t in range(T if target is not None else self.max_decode_length):
                    x = decoder_input
                    for layer in range(len(self.decode_layers)):
                        h_prevs[layer] = self.decode_layers[layer](x, h_prevs[layer])
                        x = h_prevs[layer]
                    h_decoder = x
                    scores = self.score_net(h_encoded, h_decoder)
                    context, weights = self.apply_attn(h_encoded, scores, mask=mask)
                    word_pred = self.predict_word(torch.cat((context, h_decoder), dim=1))
                    predictions.append(word_pred)
                    if target is not None:
                        decoder_input = self.embd(target[:, t].squeeze())
                    else:
                        decoder_input = self.embd(torch.argmax(word_pred, dim=1))
                return torch.stack(predictions, dim=1)

        def CrossEntLossTime(x: Any, y: Any) -> Any:  # noqa: N802
            cel = nn.CrossEntropyLoss(ignore_index=0)
            T = min(x.size(1), y.size(1))  # noqa: N806
            loss = 0
            for t in range(T):
                loss += cel(x[:, t, :], y[:, t])
            return loss

        x = _padded_tokens(torch)
        target = torch.flip(x, dims=[1])
        seq2seq = _set_weights(torch, Seq2SeqAttention(12, 4, 6, padding_idx=0, layers=2))
        optimizer = optim.AdamW(seq2seq.parameters(), lr=0.01)
        losses = []
        for _ in range(3):
            loss = CrossEntLossTime(seq2seq((x, target)), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        grad = seq2seq.encode_layers.weight_hh_l1_reverse.grad
        seq2seq.eval()
        with torch.no_grad():
            decoded = seq2seq(x)
        flat = F.cross_entropy(
            decoded.reshape(-1, 12),
            target[:, :5].reshape(-1) if target.size(1) >= 5 else torch.zeros(20, dtype=torch.long),
            ignore_index=0,
        )
        return {
            "losses": np.array(losses),
            "grad": grad,
            "decoded": decoded,
            "argmax": decoded.argmax(dim=2),
            "flat": flat,
        }

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # torch's, on its nested-tensor fast path
def test_ch12_conv1d_over_sequences_positional_encoding_and_a_transformer_classifier(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]
        idl = _idlmam(lib)
        D, out = 8, {}  # noqa: N806

        class PositionalEncoding(nn.Module):
            def __init__(
                self, d_model: int, dropout: float = 0.1, max_len: int = 50, batch_first: bool = False
            ) -> None:
                super().__init__()
                self.dropout = nn.Dropout(p=dropout)
                pe = torch.zeros(max_len, d_model)
                position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
                div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-np.log(10000.0) / d_model))
                pe[:, 0::2] = torch.sin(position * div_term)
                pe[:, 1::2] = torch.cos(position * div_term)
                pe = pe.unsqueeze(0).transpose(0, 1)
                self.register_buffer("pe", pe)
                self.batch_first = batch_first

            def forward(self, x: Any) -> Any:
                if self.batch_first:
                    x = x.permute(1, 0, 2)
                x = x + self.pe[: x.size(0), :]
                x = self.dropout(x)
                if self.batch_first:
                    x = x.permute(1, 0, 2)
                return x

        class SimpleTransformerClassifier(nn.Module):
            def __init__(self, vocab_size: int, D: int, num_class: int, padding_idx: int | None = None) -> None:  # noqa: N803
                super().__init__()
                self.padding_idx = padding_idx
                self.embd = nn.Embedding(vocab_size, D, padding_idx=padding_idx)
                self.position = PositionalEncoding(D, dropout=0.0, batch_first=True)
                layer = nn.TransformerEncoderLayer(d_model=D, nhead=2, dim_feedforward=D * 2, dropout=0.0)
                self.transformer = nn.TransformerEncoder(layer, num_layers=2)
                self.attn = idl["ApplyAttention"]()
                self.score = idl["DotScore"](D)
                self.pred = nn.Sequential(
                    nn.Flatten(), nn.Linear(D, D), nn.LeakyReLU(), nn.BatchNorm1d(D), nn.Linear(D, num_class)
                )

            def forward(self, input: Any) -> Any:
                if self.padding_idx is not None:
                    mask = input != self.padding_idx
                else:
                    mask = input == input
                x = self.embd(input)
                x = self.position(x)
                x = self.transformer(x.permute(1, 0, 2), src_key_padding_mask=~mask)
                x = x.permute(1, 0, 2)
                context = x.sum(dim=1) / mask.sum(dim=1).unsqueeze(1)
                return self.pred(self.attn(x, self.score(x, context), mask=mask)[0])

        padding_idx = 0

        def pad_batch(batch: list) -> Any:
            labels = [z[0] for z in batch]
            texts = [torch.tensor(z[1], dtype=torch.int64) for z in batch]
            max_len = max([text.size(0) for text in texts])
            texts = [F.pad(text, (0, max_len - text.size(0)), value=padding_idx) for text in texts]
            return torch.stack(texts), torch.tensor(labels, dtype=torch.int64)

        x, y = pad_batch([(i % 2, list(tokens)) for i, tokens in enumerate(TOKENS)])
        out["padded batch"] = x
        simpleEmbdAvg = nn.Sequential(  # noqa: N806 - the book's name
            nn.Embedding(12, D, padding_idx=padding_idx),
            nn.Linear(D, D),
            nn.LeakyReLU(),
            nn.AdaptiveAvgPool2d((1, D)),  # (B, T, D) -> (B, 1, D): a 3-d input is one unbatched image
            nn.Flatten(),
            nn.Linear(D, D),
            nn.LeakyReLU(),
            nn.BatchNorm1d(D),
            nn.Linear(D, 2),
        )
        loader = lib["data"].DataLoader(
            [(i % 2, list(t)) for i, t in enumerate(TOKENS)], batch_size=2, collate_fn=pad_batch
        )
        optimizer = optim.SGD(simpleEmbdAvg.parameters(), lr=0.1)
        averaged = idl["train_network"](
            _set_weights(torch, simpleEmbdAvg), nn.CrossEntropyLoss(), loader, optimizer=optimizer
        )
        out["embedding average"] = np.array(averaged["train loss"])
        pe = PositionalEncoding(D, dropout=0.0, batch_first=True)
        out["pe"] = pe.pe
        out["encoded"] = pe(torch.zeros(2, 5, D))
        conv = nn.Sequential(
            nn.Embedding(12, 4),
            idl["LambdaLayer"](lambda x: x.permute(0, 2, 1)),
            nn.Conv1d(4, 6, kernel_size=3, padding=1),
            nn.LeakyReLU(),
            nn.BatchNorm1d(6),
            nn.Conv1d(6, 6, kernel_size=3, padding=1),
            nn.LeakyReLU(),
            nn.MaxPool1d(2),
            nn.AdaptiveMaxPool1d(1),
            nn.Flatten(),
            nn.Linear(6, 2),
        )
        for name, model in (("conv", conv), ("transformer", SimpleTransformerClassifier(12, D, 2, padding_idx=0))):
            model = _set_weights(torch, model)
            # SGD, not AdamW: the keys' in_proj bias has a gradient that is 0 but for float32 rounding (softmax does
            # not see a shift), which AdamW's first steps turn into +-lr moves in each library's rounding direction
            optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            losses = []
            for _ in range(3):
                loss = nn.CrossEntropyLoss()(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            out[name] = np.array(losses)
            out[name + " grad"] = model[0].weight.grad if name == "conv" else model.embd.weight.grad
            model.eval()
            with torch.no_grad():
                out[name + " eval"] = model(x)
        return out

    ours, theirs = _both(torch, run)
    # the trained transformer's eval outputs go through a BatchNorm1d whose running statistics come from batches of
    # 4: the float32 rounding of three training steps grows to about 5e-5 there
    _close(ours.pop("transformer eval"), theirs.pop("transformer eval"), rtol=1e-3, atol=2e-4)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch13_transfer_learning_freezes_a_pretrained_body_and_trains_a_new_head(torch, tmp_path):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        idl = _idlmam(lib)

        class Pretrained(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d((2, 2))
                )
                self.fc = nn.Linear(16, 10)

            def forward(self, x: Any) -> Any:
                return self.fc(torch.flatten(self.features(x), 1))

        pretrained = _set_weights(torch, Pretrained())
        path = tmp_path / f"{torch.__name__}.pt"
        lib["save"](pretrained.state_dict(), path)
        model = Pretrained()
        model.load_state_dict(lib["load"](path))
        for param in model.parameters():
            param.requires_grad = False
        model.fc = nn.Linear(model.fc.in_features, 3)
        _set_weights(torch, model.fc)
        trainable = [name for name, p in model.named_parameters() if p.requires_grad]
        loader = data.DataLoader(data.TensorDataset(torch.tensor(IMAGES), torch.tensor(IMAGE_LABELS)), batch_size=3)
        frozen_before = model.features[0].weight.detach().clone()
        optimizer = optim.AdamW(model.parameters(), lr=0.01)
        results = idl["train_network"](
            model, nn.CrossEntropyLoss(), loader, val_loader=loader, epochs=3, optimizer=optimizer
        )
        warm = Pretrained()
        warm.load_state_dict(lib["load"](path))
        warm.fc = nn.Linear(16, 3)
        _set_weights(torch, warm.fc)
        optimizer = optim.AdamW(filter(lambda p: p.requires_grad, warm.parameters()), lr=0.01)
        warm_results = idl["train_network"](warm, nn.CrossEntropyLoss(), loader, epochs=2, optimizer=optimizer)
        return {
            "trainable": trainable,
            "train": np.array(results["train loss"]),
            "val": np.array(results["val loss"]),
            "frozen unchanged": bool(torch.equal(frozen_before, model.features[0].weight)),
            "frozen grad": model.features[0].weight.grad is None,
            "running mean": model.features[1].running_mean,
            "warm": np.array(warm_results["train loss"]),
            "fc": model.fc.weight,
        }

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


def test_ch14_blur_pooling_rezero_mixup_label_smoothing_and_smooth_activations(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim, data = lib["torch"], lib["nn"], lib["F"], lib["optim"], lib["data"]
        idl = _idlmam(lib)

        class BlurLayer(nn.Module):
            def __init__(self, kernel_size: int = 5, stride: int = 2, D: int = 2) -> None:  # noqa: N803
                super().__init__()
                base_1d = np.array([1.0, 4.0, 6.0, 4.0, 1.0])[:kernel_size]
                base_1d = base_1d / base_1d.sum()
                z = np.outer(base_1d, base_1d) if D == 2 else base_1d
                self.weight = nn.Parameter(torch.tensor(z, dtype=torch.float32).unsqueeze(0), requires_grad=False)
                self.stride = stride

            def forward(self, x: Any) -> Any:
                C = x.size(1)  # noqa: N806
                ks = self.weight.size(-1)
                # the book's self.weight.repeat((C, 1, 1, 1)): torch's tiling, numpy's x.tile here
                filter = self.weight.tile((C, 1, 1, 1)) if torch is autograd else self.weight.repeat((C, 1, 1, 1))
                return F.conv2d(x, filter, stride=self.stride, groups=C, padding=ks // 2)

        class ReZeroBlock(nn.Module):
            def __init__(self, channels: int) -> None:
                super().__init__()
                self.F = nn.Sequential(
                    nn.Conv2d(channels, channels, 3, padding=1), nn.Mish(), nn.Conv2d(channels, channels, 3, padding=1)
                )
                self.alpha = nn.Parameter(torch.tensor([0.0]))

            def forward(self, x: Any) -> Any:
                return x + self.alpha * self.F(x)

        class MixupDataset(data.Dataset):
            def __init__(self, dataset: Any, lambdas: np.ndarray) -> None:
                self.dataset, self.lambdas = dataset, lambdas

            def __len__(self) -> int:
                return len(self.dataset)

            def __getitem__(self, idx: int) -> Any:
                x1, y1 = self.dataset[idx]
                x2, y2 = self.dataset[(idx + 1) % len(self.dataset)]
                lam = float(self.lambdas[idx])
                return lam * x1 + (1 - lam) * x2, (y1, y2, torch.tensor(lam))

        class MixupLoss(nn.Module):
            def __init__(self, base_loss: Any) -> None:
                super().__init__()
                self.loss = base_loss

            def forward(self, y_hat: Any, y_combined: Any) -> Any:
                y1, y2, lam = y_combined
                return (lam * self.loss(y_hat, y1) + (1 - lam) * self.loss(y_hat, y2)).mean()

        class LabelSmoothingLoss(nn.Module):
            def __init__(self, epsilon: float = 0.1) -> None:
                super().__init__()
                self.epsilon = epsilon

            def forward(self, y_hat: Any, y: Any) -> Any:
                k = y_hat.size(1)
                log_p = F.log_softmax(y_hat, dim=1)
                target = torch.zeros_like(y_hat).scatter_(1, y.unsqueeze(1), 1.0)
                target = target * (1 - self.epsilon) + self.epsilon / k
                return -(target * log_p).sum(dim=1).mean()

        class LabelSmoothingCrossEntropy(nn.Module):
            """the common spelling: the smoothed targets filled and scattered in place through ``target.data``"""

            def __init__(self, classes: int, smoothing: float = 0.0, dim: int = -1) -> None:
                super().__init__()
                self.confidence, self.smoothing, self.cls, self.dim = 1.0 - smoothing, smoothing, classes, dim

            def forward(self, pred: Any, target: Any) -> Any:
                pred = pred.log_softmax(dim=self.dim)
                with torch.no_grad():
                    true_dist = torch.zeros_like(pred)
                    true_dist.fill_(self.smoothing / (self.cls - 1))
                    true_dist.scatter_(1, target.data.unsqueeze(1), self.confidence)
                return torch.mean(torch.sum(-true_dist * pred, dim=self.dim))

        x = torch.tensor(IMAGES, requires_grad=True)
        blurred = BlurLayer()(x)
        blurred.pow(2).sum().backward()
        out = {"blurred": blurred, "blur grad": x.grad}
        logits = torch.tensor(np.sin(np.arange(18)).reshape(6, 3).astype(np.float32), requires_grad=True)
        y = torch.tensor(IMAGE_LABELS)
        smoothed = LabelSmoothingLoss(0.1)(logits, y)
        (logits_grad,) = torch.autograd.grad(smoothed, logits)
        out.update(
            smoothed=smoothed, builtin=nn.CrossEntropyLoss(label_smoothing=0.1)(logits, y), smooth_grad=logits_grad
        )
        in_place = LabelSmoothingCrossEntropy(3, smoothing=0.1)(logits, y)
        (out["in place grad"],) = torch.autograd.grad(in_place, logits)
        out["in place"] = in_place
        z = torch.linspace(-30, 30, 13, requires_grad=True)
        activations = {
            "swish": z * torch.sigmoid(z),
            "silu": F.silu(z),
            "mish": F.mish(z),
            "mish by hand": z * torch.tanh(F.softplus(z)),
            "leaky": nn.LeakyReLU(0.1)(z),
            "gelu": F.gelu(z),
            "elu": nn.ELU()(z),
        }
        for name, value in activations.items():
            (grad,) = torch.autograd.grad(value.sum(), z)
            out[name], out[name + " grad"] = value, grad
        base = data.TensorDataset(torch.tensor(IMAGES), torch.tensor(IMAGE_LABELS))
        loader = data.DataLoader(MixupDataset(base, np.linspace(0.2, 0.9, 6)), batch_size=3)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            BlurLayer(3, 2),
            ReZeroBlock(4),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(4, 3),
        )
        model = _set_weights(torch, model)
        optimizer = optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        results = idl["train_network"](
            model, MixupLoss(nn.CrossEntropyLoss(reduction="none")), loader, epochs=3, optimizer=optimizer
        )
        out.update(mixup=np.array(results["train loss"]), alpha=model[2].alpha, blur_grad=model[1].weight.grad is None)
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
