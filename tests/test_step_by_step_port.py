"""Deep Learning with PyTorch Step-by-Step (Godoy; dvgodoy/PyTorchStepByStep, chapters 0-11 and its ``StepByStep``
class) ported: each chapter's code written once, as the book spells it, and run with torch and with this library
(``autograd`` for ``torch``, ``nn`` for ``torch.nn``) from the same weights and data; losses, outputs, gradients,
learning rates and optimizer states compared.

The book's data (the synthetic line, the image and sequence generators, downloads) are replaced by small random
stand-ins; torch's random draws (``manual_seed``, shuffling, dropout) are not this library's, so the loaders here
are not shuffled and the weights are set by hand. The port's documented spellings: ``torch.utils.data`` is
``nn.data``, ``torch.save``/``torch.load`` are ``nn.save``/``nn.load``, ``torchviz.make_dot`` is ``draw_graph``.
Where this library deliberately differs the test reads what both give alike: an optimizer's state holds numpy
arrays (``np.asarray`` of either), ``PackedSequence.batch_sizes`` is a numpy array, ``clip_grad_norm_`` returns a
NumPy float, and ``Tensor.std(axis=...)`` (numpy's spelling) is numpy's ddof=0, so the per-channel statistics are
spelt with torch's ``dim=``.
"""

from __future__ import annotations

import copy
import random
import warnings
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import as_array as _array
from book_ports import assert_close as _close
from book_ports import assert_results_match as _results_match
from book_ports import libraries as _libs

import autograd

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

_RNG = np.random.default_rng(2024)
#: chapter 0's synthetic line: y = 1 + 2x + noise, 100 points, the first 80 for training
LINE_X = _RNG.random((100, 1))
LINE_Y = 1 + 2 * LINE_X + 0.1 * _RNG.standard_normal((100, 1))
#: two features, a linear boundary (chapter 3)
POINTS = _RNG.standard_normal((40, 2)).astype(np.float32)
POINT_LABELS = (POINTS[:, :1] + POINTS[:, 1:] > 0.3).astype(np.float32)
#: images: 10 three-channel 4x4 ones with three classes (chapters 4-6)
IMAGES = _RNG.random((10, 3, 4, 4)).astype(np.float32)
IMAGE_LABELS = np.array([0, 1, 2, 0, 0, 1, 2, 2, 1, 0])
#: regression with three features (chapter 6)
FEATURES = _RNG.standard_normal((32, 3)).astype(np.float32)
TARGETS = (FEATURES @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32) + 0.3).astype(np.float32)
#: sequences: 3 of 4 steps of 2 features (chapter 8), 3 of 4 (source) and 2 (target) steps of 6 (chapters 9-10)
SEQUENCES = _RNG.standard_normal((3, 4, 2)).astype(np.float32)
SOURCE = _RNG.standard_normal((3, 4, 6)).astype(np.float32)
TARGET = _RNG.standard_normal((3, 2, 6)).astype(np.float32)


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


def _step_by_step(lib: dict[str, Any]) -> type:
    """The book's StepByStep class (v4: train/val steps, schedulers per epoch or mini-batch, clipping,
    checkpoints, predict, correct, hooks), written against ``lib``'s names (no plotting, no TensorBoard)."""
    torch, nn_, optim = lib["torch"], lib["nn"], lib["optim"]
    load = lib["load"] if lib["torch"] is autograd else (lambda f: lib["load"](f, weights_only=False))

    class StepByStep:
        def __init__(self, model: Any, loss_fn: Any, optimizer: Any) -> None:
            self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
            self.model.to(self.device)
            self.train_loader = self.val_loader = self.scheduler = self.clipping = None
            self.is_batch_lr_scheduler = False
            self.losses, self.val_losses, self.learning_rates = [], [], []
            self.total_epochs = 0
            self.visualization, self.handles = {}, {}

        def set_loaders(self, train_loader: Any, val_loader: Any = None) -> None:
            self.train_loader, self.val_loader = train_loader, val_loader

        def train_step(self, x: Any, y: Any) -> float:
            self.model.train()
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            if callable(self.clipping):
                self.clipping()
            self.optimizer.step()
            self.optimizer.zero_grad()
            return loss.item()

        def val_step(self, x: Any, y: Any) -> float:
            self.model.eval()
            return self.loss_fn(self.model(x), y).item()

        def _mini_batch(self, validation: bool = False) -> float | None:
            loader = self.val_loader if validation else self.train_loader
            step = self.val_step if validation else self.train_step
            if loader is None:
                return None
            n_batches, losses = len(loader), []
            for i, (x_batch, y_batch) in enumerate(loader):
                losses.append(step(x_batch.to(self.device), y_batch.to(self.device)))
                if not validation:
                    self._mini_batch_schedulers(i / n_batches)
            return float(np.mean(losses))

        def set_seed(self, seed: int = 42) -> None:
            torch.backends.cudnn.deterministic = True
            torch.backends.cudnn.benchmark = False
            torch.manual_seed(seed)
            np.random.seed(seed)
            random.seed(seed)
            try:
                self.train_loader.sampler.generator.manual_seed(seed)
            except AttributeError:
                pass

        def train(self, n_epochs: int, seed: int = 42) -> None:
            self.set_seed(seed)
            for _ in range(n_epochs):
                self.total_epochs += 1
                self.losses.append(self._mini_batch(validation=False))
                with torch.no_grad():
                    val_loss = self._mini_batch(validation=True)
                    self.val_losses.append(val_loss)
                self._epoch_schedulers(val_loss)

        def save_checkpoint(self, filename: Any) -> None:
            checkpoint = {"epoch": self.total_epochs, "model_state_dict": self.model.state_dict()}
            checkpoint.update(optimizer_state_dict=self.optimizer.state_dict(), loss=self.losses)
            checkpoint.update(val_loss=self.val_losses)
            lib["save"](checkpoint, filename)

        def load_checkpoint(self, filename: Any) -> None:
            checkpoint = load(filename)
            self.model.load_state_dict(checkpoint["model_state_dict"])
            self.optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
            self.total_epochs = checkpoint["epoch"]
            self.losses, self.val_losses = checkpoint["loss"], checkpoint["val_loss"]
            self.model.train()

        def predict(self, x: Any) -> np.ndarray:
            self.model.eval()
            y_hat = self.model(torch.as_tensor(x).float().to(self.device))
            self.model.train()
            return y_hat.detach().cpu().numpy()

        def count_parameters(self) -> int:
            return sum(p.numel() for p in self.model.parameters() if p.requires_grad)

        def correct(self, x: Any, y: Any, threshold: float = 0.5) -> Any:
            self.model.eval()
            yhat = self.model(x.to(self.device))
            self.model.train()
            _, n_dims = yhat.shape
            if n_dims > 1:
                _, predicted = torch.max(yhat, 1)
            else:
                n_dims += 1
                if isinstance(self.model, nn_.Sequential) and isinstance(self.model[-1], nn_.Sigmoid):
                    predicted = (yhat > threshold).long()
                else:
                    predicted = (torch.sigmoid(yhat) > threshold).long()
            result = []
            for c in range(n_dims):
                n_class = (y == c).sum().item()
                n_correct = (predicted[y == c] == c).sum().item()
                result.append((n_correct, n_class))
            return torch.tensor(result)

        def attach_hooks(self, layers_to_hook: list[str], hook_fn: Any = None) -> None:
            self.visualization = {}
            modules = list(self.model.named_modules())
            layer_names = {layer: name for name, layer in modules[1:]}
            if hook_fn is None:

                def hook_fn(layer: Any, inputs: Any, outputs: Any) -> None:
                    name, values = layer_names[layer], outputs.detach().cpu().numpy()
                    previous = self.visualization[name]
                    self.visualization[name] = values if previous is None else np.concatenate([previous, values])

            for name, layer in modules:
                if name in layers_to_hook:
                    self.visualization[name] = None
                    self.handles[name] = layer.register_forward_hook(hook_fn)

        def remove_hooks(self) -> None:
            for handle in self.handles.values():
                handle.remove()
            self.handles = {}

        def set_lr_scheduler(self, scheduler: Any) -> None:
            if scheduler.optimizer == self.optimizer:
                self.scheduler = scheduler
                batch_kinds = (optim.lr_scheduler.CyclicLR, optim.lr_scheduler.OneCycleLR)
                batch_kinds += (optim.lr_scheduler.CosineAnnealingWarmRestarts,)
                self.is_batch_lr_scheduler = isinstance(scheduler, batch_kinds)

        def _record_lr(self) -> None:
            self.learning_rates.append([g["lr"] for g in self.scheduler.optimizer.state_dict()["param_groups"]])

        def _epoch_schedulers(self, val_loss: float | None) -> None:
            if self.scheduler and not self.is_batch_lr_scheduler:
                if isinstance(self.scheduler, optim.lr_scheduler.ReduceLROnPlateau):
                    self.scheduler.step(val_loss)
                else:
                    self.scheduler.step()
                self._record_lr()

        def _mini_batch_schedulers(self, frac_epoch: float) -> None:
            if self.scheduler and self.is_batch_lr_scheduler:
                if isinstance(self.scheduler, optim.lr_scheduler.CosineAnnealingWarmRestarts):
                    self.scheduler.step(self.total_epochs + frac_epoch)
                else:
                    self.scheduler.step()
                self._record_lr()

        def set_clip_grad_value(self, clip_value: float) -> None:
            self.clipping = lambda: nn_.utils.clip_grad_value_(self.model.parameters(), clip_value=clip_value)

        def set_clip_grad_norm(self, max_norm: float, norm_type: float = 2) -> None:
            self.clipping = lambda: nn_.utils.clip_grad_norm_(
                self.model.parameters(), max_norm=max_norm, norm_type=norm_type
            )

        def set_clip_backprop(self, clip_value: float) -> None:
            if self.clipping is None:
                self.clipping = []
            for p in self.model.parameters():
                if p.requires_grad:
                    self.clipping.append(p.register_hook(lambda grad: torch.clamp(grad, -clip_value, clip_value)))

        def remove_clip(self) -> None:
            if isinstance(self.clipping, list):
                for handle in self.clipping:
                    handle.remove()
            self.clipping = None

    return StepByStep


def _line_loaders(lib: dict[str, Any], batch_size: int = 16) -> tuple[Any, Any]:
    """Chapter 2's loaders over the line: the first 80 points for training, the last 20 for validation."""
    torch, data = lib["torch"], lib["data"]
    dataset = data.TensorDataset(torch.as_tensor(LINE_X).float(), torch.as_tensor(LINE_Y).float())
    train_data, val_data = data.Subset(dataset, list(range(80))), data.Subset(dataset, list(range(80, 100)))
    return data.DataLoader(train_data, batch_size=batch_size), data.DataLoader(val_data, batch_size=batch_size)


# ---- chapter 0: gradient descent in numpy; chapter 1: autograd --------------------------------------------


def test_ch0_numpy_gradient_descent_steps_are_autograds(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        b, w = np.array([0.49671415]), np.array([-0.1382643])
        b_t, w_t = torch.tensor(b, requires_grad=True), torch.tensor(w, requires_grad=True)
        x_t, y_t = torch.as_tensor(LINE_X[:80]), torch.as_tensor(LINE_Y[:80])
        for _ in range(20):
            error = (b + w * LINE_X[:80]) - LINE_Y[:80]
            b_grad, w_grad = 2 * error.mean(), 2 * (LINE_X[:80] * error).mean()
            b, w = b - 0.1 * b_grad, w - 0.1 * w_grad
            loss = ((b_t + w_t * x_t - y_t) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                b_t -= 0.1 * b_t.grad
                w_t -= 0.1 * w_t.grad
            b_t.grad.zero_()
            w_t.grad.zero_()
        np.testing.assert_allclose([b_t.item(), w_t.item()], [b[0], w[0]], rtol=1e-12)
        return {"params": np.array([b_t.item(), w_t.item()]), "dtype": str(b_t.dtype).split(".")[-1]}

    _results_match(*_both(torch, run), rtol=1e-12)


def test_ch1_no_grad_updates_and_the_updates_that_break_the_graph(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        x_t, y_t = torch.as_tensor(LINE_X[:80]).float(), torch.as_tensor(LINE_Y[:80]).float()
        out: dict[str, Any] = {"x_dtype": str(x_t.dtype).split(".")[-1]}
        # requires_grad then .to(device) is not a leaf any more; requires_grad_() after it is
        moved = torch.randn(1, requires_grad=True, dtype=torch.float).to("cpu")
        late = torch.randn(1, dtype=torch.float).to("cpu")
        late.requires_grad_()
        out.update(moved_leaf=moved.is_leaf, late_leaf=late.is_leaf, late_requires=late.requires_grad)
        # first wrong update: in place on a leaf outside no_grad
        b = torch.tensor([0.5], requires_grad=True)
        ((b + 0 * x_t - y_t) ** 2).mean().backward()
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            b -= 0.1 * b.grad
        # second wrong update: a new non-leaf tensor, whose .grad is None (with torch's warning)
        b = b - 0.1 * b.grad
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out["nonleaf_grad"] = b.grad is None
        out.update(warned=[type(w.message).__name__ for w in caught], nonleaf=b.is_leaf)
        with pytest.raises(TypeError), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            b - 0.1 * b.grad
        # the right one
        b, w = torch.tensor([0.5], requires_grad=True), torch.tensor([-0.3], requires_grad=True)
        for _ in range(5):
            yhat = b + w * x_t
            loss = ((yhat - y_t) ** 2).mean()
            out["grad_fns"] = (b.grad_fn is None, yhat.grad_fn is not None, x_t.grad_fn is None)
            loss.backward()
            with torch.no_grad():
                b -= 0.1 * b.grad
                w -= 0.1 * w.grad
            out["in_no_grad"] = torch.is_grad_enabled()
            b.grad.zero_()
            w.grad.zero_()
        out.update(b=b.detach(), w=w.detach(), b_leaf=b.is_leaf, zeroed=b.grad, enabled=torch.is_grad_enabled())
        # .item(), .tolist(), .detach().cpu().numpy()
        out.update(item=np.array(loss.item()), tolist=np.array(w.tolist()), numpy=w.detach().cpu().numpy())
        return out

    _results_match(*_both(torch, run))


def test_ch1_manual_linear_regression_module_state_dict_and_sequential_add_module(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim = lib["torch"], lib["nn"], lib["optim"]
        x_t, y_t = torch.as_tensor(LINE_X[:80]).float(), torch.as_tensor(LINE_Y[:80]).float()

        class ManualLinearRegression(nn_.Module):
            def __init__(self) -> None:
                super().__init__()
                self.b = nn_.Parameter(torch.tensor([0.5], requires_grad=True, dtype=torch.float))
                self.w = nn_.Parameter(torch.tensor([-0.3], requires_grad=True, dtype=torch.float))

            def forward(self, x: Any) -> Any:
                return self.b + self.w * x

        model = ManualLinearRegression().to("cpu")
        out: dict[str, Any] = {"names": [name for name, _ in model.named_parameters()]}
        out["keys"] = list(model.state_dict().keys())
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        loss_fn = nn_.MSELoss(reduction="mean")
        for _ in range(10):
            model.train()
            loss = loss_fn(model(x_t), y_t)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        out.update(b=model.state_dict()["b"], w=model.state_dict()["w"], grad_none=model.b.grad is None)
        out.update(training=model.training, lr=optimizer.state_dict()["param_groups"][0]["lr"])
        model.eval()
        out["eval"] = model.training
        # nn.Linear in a Sequential, by position and by add_module
        linear = nn_.Linear(1, 1)
        out.update(linear_keys=list(linear.state_dict().keys()), weight_shape=tuple(linear.weight.shape))
        sequential = nn_.Sequential(nn_.Linear(3, 5), nn_.Linear(5, 1))
        out["sequential_keys"] = list(sequential.state_dict().keys())
        named = nn_.Sequential()
        named.add_module("layer1", nn_.Linear(3, 5))
        named.add_module("layer2", nn_.Linear(5, 1))
        out["named_keys"] = list(named.state_dict().keys())
        out["modules"] = [name for name, _ in named.named_modules()]
        out.update(repr=repr(named), layer1=tuple(named.layer1.weight.shape), first=type(named[0]).__name__)
        out["device"] = str(next(named.parameters()).device)
        return out

    _results_match(*_both(torch, run))


def test_ch1_make_dot_draws_the_parameters_as_leaves_and_the_data_as_constants():
    pytest.importorskip("graphviz")
    b = autograd.tensor([0.5], requires_grad=True)
    w = autograd.tensor([-0.3], requires_grad=True)
    x = autograd.tensor(LINE_X[:5])
    source = autograd.draw_graph(b + w * x, params={"b": b, "w": w}).source
    assert "{ b |" in source and "{ w |" in source  # the parameters, by name, as leaves
    assert source.count('fillcolor="#cfe2f3"') == 2  # two leaves that require grad
    assert source.count("style=dashed") == 1  # the data: a constant
    b_frozen = autograd.tensor([0.5])  # b without requires_grad: drawn as a constant too (torchviz drops it)
    assert autograd.draw_graph(b_frozen + w * x).source.count("style=dashed") == 2


# ---- chapters 2-3: datasets, loaders, StepByStep, checkpoints, logistic regression -------------------------


def test_ch2_step_by_step_trains_checkpoints_and_resumes(torch, tmp_path):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        folder = tmp_path / lib["torch"].__name__
        folder.mkdir()
        dataset = data.TensorDataset(torch.as_tensor(LINE_X).float(), torch.as_tensor(LINE_Y).float())
        train_data, val_data = data.random_split(dataset, [80, 20])
        out: dict[str, Any] = {"first": dataset[0][0], "len": len(dataset)}
        out["split"] = (type(train_data).__name__, len(train_data), len(val_data), len(set(train_data.indices)))
        train_loader, val_loader = _line_loaders(lib)
        out.update(batches=len(train_loader), first_batch=next(iter(train_loader))[0])
        StepByStep = _step_by_step(lib)
        for name, make in (("sgd", lambda p: optim.SGD(p, lr=0.1)), ("adam", lambda p: optim.Adam(p, lr=0.01))):
            model = nn_.Sequential(nn_.Linear(1, 1))
            _set_weights(torch, model)
            sbs = StepByStep(model, nn_.MSELoss(reduction="mean"), make(model.parameters()))
            sbs.set_loaders(train_loader, val_loader)
            sbs.train(5)
            sbs.save_checkpoint(folder / f"{name}.pth")
            sbs.train(3)
            resumed_model = nn_.Sequential(nn_.Linear(1, 1))
            resumed = StepByStep(resumed_model, nn_.MSELoss(reduction="mean"), make(resumed_model.parameters()))
            resumed.load_checkpoint(folder / f"{name}.pth")
            out[name + "_epochs"] = resumed.total_epochs
            resumed.set_loaders(train_loader, val_loader)
            resumed.train(3)
            out[name + "_losses"], out[name + "_val"] = np.array(sbs.losses), np.array(sbs.val_losses)
            out[name + "_resumed"] = np.array(resumed.losses)
            np.testing.assert_allclose(resumed.losses, sbs.losses, rtol=1e-6)  # resuming = not stopping
            out[name + "_predict"] = resumed.predict(np.array([[0.2], [0.8]]))
            out[name + "_count"] = resumed.count_parameters()
        state = sbs.optimizer.state_dict()["state"][0]
        out.update(adam_keys=sorted(state), adam_step=float(state["step"]))
        out.update(exp_avg=np.asarray(state["exp_avg"]), exp_avg_sq=np.asarray(state["exp_avg_sq"]))
        return out

    _results_match(*_both(torch, run))


def test_ch2_set_seed_reseeds_the_shuffled_loaders_generator(torch):
    for lib in _libs(torch):
        torch_, data = lib["torch"], lib["data"]
        dataset = data.TensorDataset(torch_.as_tensor(LINE_X[:32]).float(), torch_.as_tensor(LINE_Y[:32]).float())
        loader = data.DataLoader(dataset, batch_size=8, shuffle=True, generator=torch_.Generator())
        sbs = _step_by_step(lib)(lib["nn"].Linear(1, 1), lib["nn"].MSELoss(), None)
        sbs.set_loaders(loader)
        sbs.set_seed(42)
        first = [x.numpy().ravel() for x, _ in loader]
        sbs.set_seed(42)
        second = [x.numpy().ravel() for x, _ in loader]
        assert all(np.array_equal(a, b) for a, b in zip(first, second))
        assert sorted(np.concatenate(first)) == sorted(LINE_X[:32].astype(np.float32).ravel())


def test_ch3_logistic_regression_pos_weight_correct_and_decision_boundary(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim, data, F = lib["torch"], lib["nn"], lib["optim"], lib["data"], lib["F"]
        x_t, y_t = torch.as_tensor(POINTS), torch.as_tensor(POINT_LABELS)
        model = nn_.Sequential()
        model.add_module("linear", nn_.Linear(2, 1))
        with torch.no_grad():
            model.linear.weight.copy_(torch.tensor([[0.5, -0.4]]))
            model.linear.bias.fill_(0.1)
        n_neg, n_pos = (POINT_LABELS == 0).sum(), (POINT_LABELS == 1).sum()
        pos_weight = torch.tensor(n_neg / n_pos).float().reshape(1)
        logits = model(x_t)
        out: dict[str, Any] = {"pos_weight": pos_weight}
        for reduction in ("mean", "sum"):
            loss_fn = nn_.BCEWithLogitsLoss(reduction=reduction, pos_weight=pos_weight)
            out["bce_logits_" + reduction] = loss_fn(logits, y_t).detach()
        out["bce_functional"] = F.binary_cross_entropy_with_logits(logits, y_t, pos_weight=pos_weight).detach()
        out["bce_probabilities"] = nn_.BCELoss()(torch.sigmoid(logits), y_t).detach()
        out["bce_dummy"] = nn_.BCELoss()(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0]))
        loader = data.DataLoader(data.TensorDataset(x_t, y_t), batch_size=16)
        sbs = _step_by_step(lib)(model, nn_.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1))
        sbs.set_loaders(loader, loader)
        sbs.train(20)
        out.update(losses=np.array(sbs.losses), val_losses=np.array(sbs.val_losses))
        logits = sbs.predict(POINTS[:4])
        out.update(probabilities=torch.sigmoid(torch.as_tensor(logits)), correct=sbs.correct(x_t, y_t))
        weight, bias = model.linear.weight.detach().numpy(), model.linear.bias.detach().numpy()
        out["boundary"] = np.array([-bias[0] / weight[0, 1], -weight[0, 0] / weight[0, 1]])  # x2 = b' + m x1
        with_sigmoid = nn_.Sequential(model.linear, nn_.Sigmoid())
        out["correct_sigmoid"] = _step_by_step(lib)(with_sigmoid, nn_.BCELoss(), None).correct(x_t, y_t)
        return out

    _results_match(*_both(torch, run))


# ---- chapters 4-5: images, balanced sampler, convolutions, LeNet, hooks ------------------------------------


def test_ch4_balanced_sampler_and_per_channel_statistics_through_loader_apply(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, data = lib["torch"], lib["nn"], lib["data"]
        x_t, y_t = torch.as_tensor(IMAGES), torch.as_tensor(IMAGE_LABELS)
        _, counts = y_t.unique(return_counts=True)
        weights = 1.0 / counts.float()
        sample_weights = weights[y_t.squeeze().long()]
        sampler = data.WeightedRandomSampler(
            weights=sample_weights, num_samples=len(sample_weights), generator=torch.Generator(), replacement=True
        )
        dataset = data.TensorDataset(x_t, y_t)
        sampled = data.DataLoader(dataset, batch_size=4, sampler=sampler)
        out: dict[str, Any] = {"counts": counts, "weights": weights, "sample_weights": sample_weights}
        out.update(n_sampler=len(sampler), n_batches=len(sampled), n_drawn=sum(len(x) for x, _ in sampled))
        loader = data.DataLoader(dataset, batch_size=4)

        def loader_apply(loader: Any, func: Any, reduce: str = "sum") -> Any:
            results = torch.stack([func(x, y) for x, y in loader], axis=0)
            return results.sum(axis=0) if reduce == "sum" else results.float().mean(axis=0)

        def statistics_per_channel(images: Any, labels: Any) -> Any:
            n_samples, n_channels, _, _ = images.size()
            flatten_per_channel = images.reshape(n_samples, n_channels, -1)
            means = flatten_per_channel.mean(dim=2)  # the book's axis=2: see the module docstring
            stds = flatten_per_channel.std(dim=2)
            n_samples = torch.tensor([n_samples] * n_channels).float()
            return torch.stack([n_samples, means.sum(axis=0), stds.sum(axis=0)], axis=0)

        total_samples, total_means, total_stds = loader_apply(loader, statistics_per_channel)
        out.update(norm_mean=total_means / total_samples, norm_std=total_stds / total_samples)
        model = _set_weights(torch, nn_.Sequential(nn_.Flatten(), nn_.Linear(48, 3)))
        sbs = _step_by_step(lib)(model, nn_.CrossEntropyLoss(), None)
        correct = loader_apply(loader, sbs.correct)
        out.update(correct=correct, correct_dtype=str(correct.dtype).split(".")[-1])
        out["correct_mean"] = loader_apply(loader, sbs.correct, reduce="mean")
        return out

    _results_match(*_both(torch, run))


def test_ch5_convolutions_by_hand_padding_pooling_and_lenet(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, F = lib["torch"], lib["nn"], lib["F"]
        single = torch.tensor(
            [[[[5, 0, 8, 7, 8, 1], [1, 9, 5, 0, 7, 7], [6, 0, 2, 4, 6, 6], [9, 7, 6, 6, 8, 4], [8, 3, 8, 5, 1, 3],
               [7, 2, 7, 0, 1, 0]]]]
        ).float()  # fmt: skip
        identity = torch.tensor([[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]).float()
        edge = torch.tensor([[[[0, 1, 0], [1, -4, 1], [0, 1, 0]]]]).float()
        out = {"identity": F.conv2d(single, identity, stride=1), "stride2": F.conv2d(single, identity, stride=2)}
        conv = nn_.Conv2d(in_channels=1, out_channels=1, kernel_size=3, stride=1)
        with torch.no_grad():
            conv.weight[0] = identity
            conv.bias[0] = 0
        out["module"] = conv(single).detach()
        out["filters"] = tuple(nn_.Conv2d(in_channels=1, out_channels=2, kernel_size=3).weight.shape)
        out["constant"] = nn_.ConstantPad2d(padding=1, value=0)(single)
        out["constant_F"] = F.pad(single, pad=(1, 1, 1, 1), mode="constant", value=0)
        out["replication"] = nn_.ReplicationPad2d(padding=1)(single)
        out["reflection"] = nn_.ReflectionPad2d(padding=1)(single)
        out["circular"] = F.pad(single, pad=(1, 1, 1, 1), mode="circular")
        edges = F.conv2d(out["constant_F"], edge, stride=1)
        out.update(edges=edges, pooled=F.max_pool2d(edges, kernel_size=2), pooled_m=nn_.MaxPool2d(kernel_size=2)(edges))
        out.update(pooled3=F.max_pool2d(edges, kernel_size=3, stride=1), flat=nn_.Flatten()(edges))
        out["view"] = edges.view(1, -1)
        for mode in ("zeros", "reflect", "replicate", "circular"):
            padded = nn_.Conv2d(1, 1, 3, padding=1, padding_mode=mode, bias=False)
            with torch.no_grad():
                padded.weight.copy_(edge)
            out["mode_" + mode] = padded(single).detach()
        lenet = nn_.Sequential()
        lenet.add_module("C1", nn_.Conv2d(in_channels=1, out_channels=6, kernel_size=5, padding=2))
        lenet.add_module("func1", nn_.ReLU())
        lenet.add_module("S2", nn_.MaxPool2d(kernel_size=2))
        lenet.add_module("C3", nn_.Conv2d(in_channels=6, out_channels=16, kernel_size=5))
        lenet.add_module("func2", nn_.ReLU())
        lenet.add_module("S4", nn_.MaxPool2d(kernel_size=2))
        lenet.add_module("C5", nn_.Conv2d(in_channels=16, out_channels=120, kernel_size=5))
        lenet.add_module("func2", nn_.ReLU())  # the book's repeated name: replaces the first, keeps its place
        lenet.add_module("flatten", nn_.Flatten())
        lenet.add_module("F6", nn_.Linear(in_features=120, out_features=84))
        lenet.add_module("func3", nn_.ReLU())
        lenet.add_module("OUTPUT", nn_.Linear(in_features=84, out_features=10))
        _set_weights(torch, lenet)
        images = torch.as_tensor(np.tile(IMAGES[:2, :1], (1, 1, 7, 7))).requires_grad_()
        logits = lenet(images)
        nn_.CrossEntropyLoss()(logits, torch.tensor([3, 7])).backward()
        out.update(names=[name for name, _ in lenet.named_modules()], logits=logits.detach())
        out.update(image_grad=images.grad, c1_grad=lenet.C1.weight.grad)
        out["filter_weights"] = lenet.C1.weight.data.cpu().numpy()  # visualize_filters' read
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-5)


def test_ch5_cross_entropy_nll_log_softmax_and_max(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, F = lib["torch"], lib["nn"], lib["F"]
        logits = torch.tensor([[-1.5, 1.2, 0.3], [0.2, 0.1, -0.3], [1.5, 1.0, 0.3]])
        labels = torch.tensor([1, 0, 2])
        log_probs = nn_.LogSoftmax(dim=-1)(logits)
        out = {"ce": nn_.CrossEntropyLoss()(logits, labels), "nll": nn_.NLLLoss()(log_probs, labels)}
        out["nll_weight"] = nn_.NLLLoss(weight=torch.tensor([1.0, 1.0, 2.0]))(log_probs, labels)
        out["nll_ignore"] = nn_.NLLLoss(ignore_index=2)(log_probs, labels)
        out["ce_smooth"] = nn_.CrossEntropyLoss(label_smoothing=0.1)(logits, labels)
        values, indices = torch.max(logits, 1)
        out.update(softmax=F.softmax(logits, dim=-1), softmax_m=nn_.Softmax(dim=-1)(logits), max=values)
        out.update(argmax=indices, argmax_dtype=str(indices.dtype).split(".")[-1])
        return out

    _results_match(*_both(torch, run))


def test_ch5_attach_hooks_capture_each_layers_outputs_and_remove_hooks(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        model = nn_.Sequential(nn_.Conv2d(3, 2, 3), nn_.ReLU(), nn_.Flatten(), nn_.Linear(8, 3))
        _set_weights(torch, model)
        sbs = _step_by_step(lib)(model, nn_.CrossEntropyLoss(), None)
        sbs.attach_hooks(["0", "1", "3"])
        sbs.predict(IMAGES[:4])
        sbs.predict(IMAGES[4:])  # a second call concatenates
        out = {name: sbs.visualization[name] for name in ("0", "1", "3")}
        out["handles"] = sorted(sbs.handles)
        sbs.remove_hooks()
        sbs.predict(IMAGES[:2])
        out["after_remove"] = sbs.visualization["3"].shape[0]
        model.register_forward_hook(lambda layer, inputs, outputs: outputs * 2)  # a returned value replaces it
        out["replaced"] = sbs.predict(IMAGES[:2])
        return out

    _results_match(*_both(torch, run))


# ---- chapter 6: schedulers, the LR finder, Adam's state, momentum, clipping ---------------------------------


def _regression_model(lib: dict[str, Any]) -> Any:
    nn_ = lib["nn"]
    return _set_weights(lib["torch"], nn_.Sequential(nn_.Linear(3, 4), nn_.ReLU(), nn_.Linear(4, 1)))


def _regression_loader(lib: dict[str, Any]) -> Any:
    torch, data = lib["torch"], lib["data"]
    return data.DataLoader(data.TensorDataset(torch.as_tensor(FEATURES), torch.as_tensor(TARGETS)), batch_size=8)


def test_ch6_schedulers_learning_rates_step_by_step(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim = lib["torch"], lib["nn"], lib["optim"]
        sched = optim.lr_scheduler

        def rates(make: Any, steps: int = 12, metrics: list[float] | None = None) -> np.ndarray:
            optimizer = optim.SGD([nn_.Parameter(torch.zeros(1))], lr=0.01, momentum=0.9)
            scheduler, out = make(optimizer), []
            for i in range(steps):
                optimizer.step()
                scheduler.step() if metrics is None else scheduler.step(metrics[i])
                out.append([optimizer.param_groups[0]["lr"], optimizer.param_groups[0]["momentum"]])
                if metrics is None:
                    out[-1].append(scheduler.get_last_lr()[0])
            return np.array(out)

        out = {"step": rates(lambda o: sched.StepLR(o, step_size=2, gamma=0.5))}
        out["lambda"] = rates(lambda o: sched.LambdaLR(o, lr_lambda=lambda epoch: 0.1 ** (epoch // 2)))
        out["plateau"] = rates(lambda o: sched.ReduceLROnPlateau(o, mode="min", patience=2, factor=0.5), 12, [1.0] * 12)
        losses = [1.0, 0.95, 0.8, 0.79, 0.78, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
        out["plateau_abs"] = rates(
            lambda o: sched.ReduceLROnPlateau(
                o, patience=1, factor=0.5, threshold=0.1, threshold_mode="abs", cooldown=1, min_lr=1e-3
            ),
            12,
            losses,
        )
        for mode in ("triangular", "triangular2", "exp_range"):
            out["cyclic_" + mode] = rates(
                lambda o, mode=mode: sched.CyclicLR(o, base_lr=1e-4, max_lr=1e-3, step_size_up=2, mode=mode, gamma=0.9),
                14,
            )
        out["cyclic_no_momentum"] = rates(
            lambda o: sched.CyclicLR(
                o, base_lr=1e-4, max_lr=1e-3, step_size_up=3, step_size_down=1, cycle_momentum=False
            )
        )
        out["multistep"] = rates(lambda o: sched.MultiStepLR(o, milestones=[2, 5], gamma=0.1))
        out["cosine"] = rates(lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=1e-4))
        out["one_cycle"] = rates(lambda o: sched.OneCycleLR(o, max_lr=0.1, total_steps=12))
        # the book's mini-batch schedulers inside StepByStep, warm restarts stepped with fractional epochs
        for name, make in (
            ("sbs_cyclic", lambda o: sched.CyclicLR(o, base_lr=1e-3, max_lr=1e-2, step_size_up=3)),
            ("sbs_restarts", lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=1e-3)),
            ("sbs_plateau", lambda o: sched.ReduceLROnPlateau(o, patience=0, factor=0.5)),
            ("sbs_step", lambda o: sched.StepLR(o, step_size=2, gamma=0.5)),
        ):
            model = _regression_model(lib)
            optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
            sbs = _step_by_step(lib)(model, nn_.MSELoss(), optimizer)
            sbs.set_loaders(_regression_loader(lib), _regression_loader(lib))
            scheduler = make(optimizer)
            sbs.set_lr_scheduler(scheduler)
            sbs.train(4)
            out[name] = np.array(sbs.learning_rates)
            out[name + "_losses"] = np.array(sbs.losses)
            out[name + "_batch"] = sbs.is_batch_lr_scheduler
        return out

    _results_match(*_both(torch, run))


def test_ch6_lr_range_test_tracks_the_smoothed_loss_and_restores_the_states(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        nn_, optim = lib["nn"], lib["optim"]

        def make_lr_fn(start_lr: float, end_lr: float, num_iter: int, step_mode: str = "exp") -> Any:
            if step_mode == "linear":
                factor = (end_lr / start_lr - 1) / num_iter
                return lambda iteration: 1 + iteration * factor
            factor = (np.log(end_lr) - np.log(start_lr)) / num_iter
            return lambda iteration: np.exp(factor) ** iteration

        def lr_range_test(model: Any, optimizer: Any, loader: Any, end_lr: float, num_iter: int, mode: str) -> Any:
            previous = {"model": copy.deepcopy(model.state_dict()), "optimizer": copy.deepcopy(optimizer.state_dict())}
            start_lr = optimizer.state_dict()["param_groups"][0]["lr"]
            scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=make_lr_fn(start_lr, end_lr, num_iter, mode))
            tracking, iteration = {"loss": [], "lr": []}, 0
            while iteration < num_iter:
                for x_batch, y_batch in loader:
                    loss = nn_.MSELoss()(model(x_batch), y_batch)
                    loss.backward()
                    tracking["lr"].append(scheduler.get_last_lr()[0])
                    smoothed = loss.item() if iteration == 0 else 0.05 * loss.item() + 0.95 * tracking["loss"][-1]
                    tracking["loss"].append(smoothed)
                    iteration += 1
                    if iteration == num_iter:
                        break
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
            optimizer.load_state_dict(previous["optimizer"])
            model.load_state_dict(previous["model"])
            return tracking

        out: dict[str, Any] = {}
        for name, make, mode in (("adam", optim.Adam, "exp"), ("sgd", optim.SGD, "linear")):
            model = _regression_model(lib)
            optimizer = make(model.parameters(), lr=0.01)
            tracking = lr_range_test(model, optimizer, _regression_loader(lib), 0.1, 10, mode)
            out.update({name + "_lr": np.array(tracking["lr"]), name + "_loss": np.array(tracking["loss"])})
            out[name + "_restored"] = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
            out[name + "_state"] = (optimizer.param_groups[0]["lr"], len(optimizer.state))
        return out

    _results_match(*_both(torch, run))


def test_ch6_adams_state_is_the_books_ewmas_of_the_captured_gradients(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        nn_, optim = lib["nn"], lib["optim"]
        model = _regression_model(lib)
        optimizer = optim.Adam(model.parameters(), lr=0.1, betas=(0.9, 0.999), eps=1e-8)
        gradients: list[list[float]] = []
        handle = model[2].bias.register_hook(lambda grad: gradients.append(grad.tolist()))  # capture_gradients
        biases = [model[2].bias.tolist()]
        for x_batch, y_batch in _regression_loader(lib):
            nn_.MSELoss()(model(x_batch), y_batch).backward()
            optimizer.step()
            optimizer.zero_grad()
            biases.append(model[2].bias.tolist())
        handle.remove()
        state = optimizer.state[model[2].bias]
        # the book's Adam by hand: bias-corrected EWMAs of the gradients and of their squares
        g = np.array(gradients, dtype=np.float64)[:, 0]
        exp_avg = exp_avg_sq = 0.0
        steps = []
        for t, grad in enumerate(g, 1):
            exp_avg, exp_avg_sq = 0.9 * exp_avg + 0.1 * grad, 0.999 * exp_avg_sq + 0.001 * grad**2
            steps.append(-0.1 * (exp_avg / (1 - 0.9**t)) / (np.sqrt(exp_avg_sq / (1 - 0.999**t)) + 1e-8))
        np.testing.assert_allclose(np.diff(np.array(biases)[:, 0]), steps, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(np.asarray(state["exp_avg"]), [exp_avg], rtol=1e-5)
        np.testing.assert_allclose(np.asarray(state["exp_avg_sq"]), [exp_avg_sq], rtol=1e-5)
        return {"gradients": g, "biases": np.array(biases), "keys": sorted(state), "step": float(state["step"])}

    _results_match(*_both(torch, run))


def test_ch6_momentum_nesterov_and_other_optimizers_trajectories(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        nn_, optim = lib["nn"], lib["optim"]
        out: dict[str, Any] = {}
        for name, make, options in (
            ("momentum", optim.SGD, {"momentum": 0.9}),
            ("nesterov", optim.SGD, {"momentum": 0.9, "nesterov": True}),
            ("dampening", optim.SGD, {"momentum": 0.9, "dampening": 0.5}),
            ("weight_decay", optim.SGD, {"momentum": 0.9, "weight_decay": 0.01}),
            ("adamw", optim.AdamW, {"weight_decay": 0.1}),
            ("rmsprop", optim.RMSprop, {"momentum": 0.5}),
        ):
            model = _regression_model(lib)
            optimizer = make(model.parameters(), lr=0.1, **options)
            trajectory, gradients = [model[0].weight.detach().numpy().copy()], []
            handle = model[0].weight.register_hook(lambda grad, kept=gradients: kept.append(grad.numpy().copy()))
            for _ in range(2):
                for x_batch, y_batch in _regression_loader(lib):
                    nn_.MSELoss()(model(x_batch), y_batch).backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    trajectory.append(model[0].weight.detach().numpy().copy())
            handle.remove()
            if name in ("momentum", "nesterov"):  # the book's updates by hand, from the captured gradients
                velocity = np.zeros_like(gradients[0], dtype=np.float64)
                for before, after, grad in zip(trajectory, trajectory[1:], gradients):
                    velocity = 0.9 * velocity + grad
                    step = grad + 0.9 * velocity if name == "nesterov" else velocity
                    np.testing.assert_allclose(after - before, -0.1 * step, rtol=1e-3, atol=1e-6)
            out[name] = np.array(trajectory)
            out[name + "_grad"] = model[0].weight.grad is None  # zero_grad sets them to None
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-5)


def test_ch6_gradient_clipping_by_value_by_norm_and_by_hooks(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim = lib["torch"], lib["nn"], lib["optim"]
        x_t, y_t = torch.as_tensor(FEATURES), torch.as_tensor(TARGETS)
        model = _regression_model(lib)
        nn_.MSELoss()(model(x_t) * 10, y_t).backward()
        raw = [p.grad.clone() for p in model.parameters()]
        out: dict[str, Any] = {}

        def grads() -> np.ndarray:
            return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])

        def reset() -> None:
            for p, g in zip(model.parameters(), raw):
                p.grad = g.clone()

        nn_.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
        out["value"] = grads()
        for norm_type in (2, 1, float("inf")):
            reset()
            total = nn_.utils.clip_grad_norm_(model.parameters(), max_norm=1.0, norm_type=norm_type)
            out[f"norm_{norm_type}"], out[f"total_{norm_type}"] = grads(), np.array(total.item())
        # set_clip_backprop: a hook per parameter clamps its gradient during backward; remove_clip undoes it
        sbs = _step_by_step(lib)(model, nn_.MSELoss(), optim.SGD(model.parameters(), lr=0.01))
        model.zero_grad()
        sbs.set_clip_backprop(0.5)
        nn_.MSELoss()(model(x_t) * 10, y_t).backward()
        out["hooks"] = grads()
        sbs.remove_clip()
        model.zero_grad()
        nn_.MSELoss()(model(x_t) * 10, y_t).backward()
        out["unhooked"] = grads()
        # clipping inside the training loop
        for name, clip in (
            ("sbs_value", lambda s: s.set_clip_grad_value(0.1)),
            ("sbs_norm", lambda s: s.set_clip_grad_norm(0.5)),
        ):
            model = _regression_model(lib)
            sbs = _step_by_step(lib)(model, nn_.MSELoss(), optim.SGD(model.parameters(), lr=0.05, momentum=0.9))
            sbs.set_loaders(_regression_loader(lib), _regression_loader(lib))
            clip(sbs)
            sbs.train(3)
            out[name] = np.array(sbs.losses + sbs.val_losses)
        return out

    _results_match(*_both(torch, run))


# ---- chapter 7: transfer learning pieces, BatchNorm, residual connections ------------------------------------


def test_ch7_batchnorm_running_statistics_train_and_eval(torch):
    rng = np.random.default_rng(7)
    batches = [rng.standard_normal((8, 2)).astype(np.float32) * 3 + 1 for _ in range(3)]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        out: dict[str, Any] = {}
        for momentum in (None, 0.1):
            batch_normalizer = nn_.BatchNorm1d(num_features=2, affine=False, momentum=momentum)
            out["keys"] = list(batch_normalizer.state_dict().keys())
            batch_normalizer.train()
            for i, batch in enumerate(batches):
                out[f"{momentum}_train_{i}"] = batch_normalizer(torch.as_tensor(batch))
                state = batch_normalizer.state_dict()
                # (copies: torch's state_dict shares the buffers' memory, this library's copies them)
                out[f"{momentum}_mean_{i}"] = _array(state["running_mean"])
                out[f"{momentum}_var_{i}"] = _array(state["running_var"])
                out[f"{momentum}_count_{i}"] = int(state["num_batches_tracked"])
            batch_normalizer.eval()
            out[f"{momentum}_eval"] = batch_normalizer(torch.as_tensor(batches[0]))
        normalizer2d = _set_weights(torch, nn_.BatchNorm2d(3, momentum=0.3))
        images = torch.as_tensor(IMAGES).requires_grad_()
        outputs = normalizer2d(images)
        (outputs**2).sum().backward()
        out.update(bn2d=outputs.detach(), bn2d_grad=images.grad, bn2d_weight_grad=normalizer2d.weight.grad)
        out.update(bn2d_mean=normalizer2d.running_mean, bn2d_var=normalizer2d.running_var)
        out["count_dtype"] = str(normalizer2d.num_batches_tracked.dtype).split(".")[-1]
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-5)


def test_ch7_frozen_layers_a_new_top_and_features_through_identity(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim = lib["torch"], lib["nn"], lib["optim"]
        model = nn_.Sequential(
            nn_.Conv2d(3, 4, 3), nn_.BatchNorm2d(4), nn_.ReLU(), nn_.AdaptiveAvgPool2d(output_size=(1, 1)),
            nn_.Flatten(), nn_.Linear(4, 5),
        )  # fmt: skip
        _set_weights(torch, model)
        for parameter in model.parameters():
            parameter.requires_grad = False
        model[5] = _set_weights(torch, nn_.Linear(4, 3))
        optimizer = optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=0.01)
        sbs = _step_by_step(lib)(model, nn_.CrossEntropyLoss(), optimizer)
        out = {"trainable": [name for name, p in model.named_parameters() if p.requires_grad]}
        out["count"] = sbs.count_parameters()
        loader = lib["data"].DataLoader(
            lib["data"].TensorDataset(torch.as_tensor(IMAGES), torch.as_tensor(IMAGE_LABELS)), batch_size=5
        )
        sbs.set_loaders(loader)
        sbs.train(3)
        out.update(losses=np.array(sbs.losses), top=model[5].weight.detach(), frozen_grad=model[0].weight.grad is None)
        out["running_mean"] = model[1].running_mean  # frozen, but still updated in train mode (the book's point)
        model[5] = nn_.Identity()  # preprocessed features: the model without its top
        model.eval()
        with torch.no_grad():
            features = model(torch.as_tensor(IMAGES))
        out.update(features=features, features_grad=features.requires_grad)
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-5)


def test_ch7_residual_blocks_outputs_and_gradients(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]

        class ResidualBlock(nn_.Module):
            def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
                super().__init__()
                self.conv1 = nn_.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, stride=stride, bias=False)
                self.bn1 = nn_.BatchNorm2d(out_channels)
                self.relu = nn_.ReLU(inplace=True)
                self.conv2 = nn_.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False)
                self.bn2 = nn_.BatchNorm2d(out_channels)
                self.downsample = None
                if out_channels != in_channels or stride != 1:
                    self.downsample = nn_.Sequential(
                        nn_.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride),
                        nn_.BatchNorm2d(out_channels),
                    )

            def forward(self, x: Any) -> Any:
                identity = x
                out = self.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                if self.downsample is not None:
                    identity = self.downsample(identity)
                out += identity
                return self.relu(out)

        out: dict[str, Any] = {}
        for name, block in (("down", ResidualBlock(3, 5, stride=2)), ("same", ResidualBlock(3, 3))):
            _set_weights(torch, block)
            x = torch.as_tensor(IMAGES).requires_grad_()
            y = block(x)
            y.sum().backward()
            out.update({name: y.detach(), name + "_x_grad": x.grad, name + "_w_grad": block.conv1.weight.grad})
            out[name + "_keys"] = list(block.state_dict().keys())
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-4)


# ---- chapter 8: recurrent cells by hand, packed sequences, Conv1d -------------------------------------------


def _linear_layers(nn_: Any, w_x: Any, b_x: Any, w_h: Any, b_h: Any) -> tuple[Any, Any]:
    """The book's pair of Linear layers (hidden, input) loaded with one gate's slices of a cell's weights."""
    hidden_dim, n_features = w_x.size()
    lin_input = nn_.Linear(n_features, hidden_dim)
    lin_input.load_state_dict({"weight": w_x, "bias": b_x})
    lin_hidden = nn_.Linear(hidden_dim, hidden_dim)
    lin_hidden.load_state_dict({"weight": w_h, "bias": b_h})
    return lin_hidden, lin_input


def test_ch8_rnn_gru_and_lstm_cells_by_hand_and_as_layers(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        n_features, hidden_dim = 2, 3
        X = torch.as_tensor(SEQUENCES[0])
        rnn_cell = _set_weights(torch, nn_.RNNCell(input_size=n_features, hidden_size=hidden_dim))
        rnn_state = rnn_cell.state_dict()
        linear_input, linear_hidden = nn_.Linear(n_features, hidden_dim), nn_.Linear(hidden_dim, hidden_dim)
        with torch.no_grad():
            linear_input.weight = nn_.Parameter(rnn_state["weight_ih"])
            linear_input.bias = nn_.Parameter(rnn_state["bias_ih"])
            linear_hidden.weight = nn_.Parameter(rnn_state["weight_hh"])
            linear_hidden.bias = nn_.Parameter(rnn_state["bias_hh"])
        out: dict[str, Any] = {"rnn_keys": list(rnn_state.keys())}
        hidden = torch.zeros(1, hidden_dim)
        hand, cell = [], []
        for i in range(X.shape[0]):
            hidden_by_hand = torch.tanh(linear_hidden(hidden) + linear_input(X[i : i + 1]))
            hidden = rnn_cell(X[i : i + 1], hidden)
            hand.append(hidden_by_hand.detach().numpy())
            cell.append(hidden.detach().numpy())
        np.testing.assert_allclose(np.array(hand), np.array(cell), rtol=1e-5, atol=1e-6)
        out["rnn_cell"] = np.array(cell)
        h0 = torch.as_tensor(np.array([[0.2, -0.1, 0.4]], dtype=np.float32))
        c0 = torch.as_tensor(np.array([[0.3, 0.1, -0.2]], dtype=np.float32))
        x0 = X[0:1]
        # GRU: reset, update, candidate gates
        gru_cell = _set_weights(torch, nn_.GRUCell(input_size=n_features, hidden_size=hidden_dim))
        state = gru_cell.state_dict()
        gates = zip(*(state[k].split(hidden_dim, dim=0) for k in ("weight_ih", "bias_ih", "weight_hh", "bias_hh")))
        (r_hidden, r_input), (z_hidden, z_input), (n_hidden, n_input) = (_linear_layers(nn_, *g) for g in gates)
        r = torch.sigmoid(r_hidden(h0) + r_input(x0))
        z = torch.sigmoid(z_hidden(h0) + z_input(x0))
        n = torch.tanh(n_input(x0) + r * n_hidden(h0))
        out.update(gru_hand=((1 - z) * n + z * h0).detach(), gru_cell=gru_cell(x0, h0).detach())
        # LSTM: input, forget, cell and output gates
        lstm_cell = _set_weights(torch, nn_.LSTMCell(input_size=n_features, hidden_size=hidden_dim))
        state = lstm_cell.state_dict()
        gates = zip(*(state[k].split(hidden_dim, dim=0) for k in ("weight_ih", "bias_ih", "weight_hh", "bias_hh")))
        (i_h, i_i), (f_h, f_i), (g_h, g_i), (o_h, o_i) = (_linear_layers(nn_, *g) for g in gates)
        i, f = torch.sigmoid(i_h(h0) + i_i(x0)), torch.sigmoid(f_h(h0) + f_i(x0))
        g, o = torch.tanh(g_h(h0) + g_i(x0)), torch.sigmoid(o_h(h0) + o_i(x0))
        c = f * c0 + i * g
        h_cell, c_cell = lstm_cell(x0, (h0, c0))
        out.update(lstm_hand_h=(o * torch.tanh(c)).detach(), lstm_hand_c=c.detach())
        out.update(lstm_cell_h=h_cell.detach(), lstm_cell_c=c_cell.detach())
        _close(out["gru_hand"], out["gru_cell"])
        _close(out["lstm_hand_h"], out["lstm_cell_h"])
        # the layers, batch first, stacked and bidirectional
        batch = torch.as_tensor(SEQUENCES).requires_grad_()
        layers = {
            "rnn": nn_.RNN(n_features, hidden_dim, batch_first=True),
            "rnn_stacked": nn_.RNN(n_features, hidden_dim, num_layers=2, batch_first=True, bidirectional=True),
            "gru": nn_.GRU(n_features, hidden_dim, batch_first=True, bidirectional=True),
            "lstm": nn_.LSTM(n_features, hidden_dim, num_layers=2, batch_first=True),
        }
        for name, layer in layers.items():
            _set_weights(torch, layer)
            output, final = layer(batch)
            hidden = final[0] if name == "lstm" else final
            (output.sum() + hidden.pow(2).sum()).backward()
            out.update({name: output.detach(), name + "_hidden": hidden.detach(), name + "_grad": batch.grad.clone()})
            out[name + "_keys"] = list(layer.state_dict().keys())
            batch.grad = None
        return out

    _results_match(*_both(torch, run))


def test_ch8_packed_sequences_through_rnn_and_lstm_and_conv1d_over_sequences(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        rnn_utils = nn_.utils.rnn
        sequences = [
            torch.as_tensor(SEQUENCES[0]),
            torch.as_tensor(SEQUENCES[1][:2]),
            torch.as_tensor(SEQUENCES[2][:3]),
        ]
        padded = rnn_utils.pad_sequence(sequences, batch_first=True)
        packed = rnn_utils.pack_sequence(sequences, enforce_sorted=False)
        out = {"padded": padded, "data": packed.data, "batch_sizes": np.asarray(packed.batch_sizes)}
        out.update(sorted=np.asarray(packed.sorted_indices), unsorted=np.asarray(packed.unsorted_indices))
        rnn = _set_weights(torch, nn_.RNN(2, 3, batch_first=True))
        output_packed, hidden = rnn(packed)
        output, lengths = rnn_utils.pad_packed_sequence(output_packed, batch_first=True)
        out.update(hidden=hidden.detach(), unpacked=output.detach(), lengths=lengths)
        seq_idx = torch.arange(lengths.size(0))
        out["last"] = output[seq_idx, lengths - 1].detach()  # the last real step of each: the final hidden states
        _close(out["last"], hidden[0].detach())
        lengths = torch.tensor([len(seq) for seq in sequences])
        repacked = rnn_utils.pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        lstm = _set_weights(torch, nn_.LSTM(2, 3, num_layers=2, batch_first=True))
        _, (lstm_hidden, lstm_cell) = lstm(repacked)
        out.update(repacked=repacked.data, lstm_hidden=lstm_hidden.detach(), lstm_cell=lstm_cell.detach())
        conv = _set_weights(torch, nn_.Conv1d(in_channels=2, out_channels=1, kernel_size=2, dilation=2))
        batch = torch.as_tensor(SEQUENCES).requires_grad_()
        convolved = conv(batch.permute(0, 2, 1))  # (N, L, F) to the (N, C, L) Conv1d takes
        convolved.sum().backward()
        out.update(conv1d=convolved.detach(), conv1d_grad=batch.grad, conv1d_weight_grad=conv.weight.grad)
        return out

    _results_match(*_both(torch, run))


def test_ch8_packed_batches_from_a_collate_fn_train_a_bidirectional_lstm_in_step_by_step(torch):
    rng = np.random.default_rng(11)
    variable = [rng.standard_normal((n, 2)) for n in (4, 2, 3, 4, 3, 2)]
    labels = np.array([0, 1, 1, 0, 1, 0])

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        rnn_utils = nn_.utils.rnn

        class CustomDataset(data.Dataset):
            def __init__(self, x: Any, y: Any) -> None:
                self.x = [torch.as_tensor(s).float() for s in x]
                self.y = torch.as_tensor(y).float().view(-1, 1)

            def __getitem__(self, index: int) -> tuple[Any, Any]:
                return (self.x[index], self.y[index])

            def __len__(self) -> int:
                return len(self.x)

        def pack_collate(batch: list[tuple[Any, Any]]) -> tuple[Any, Any]:
            X = [item[0] for item in batch]  # noqa: N806 (the book's name)
            y = [item[1] for item in batch]
            return rnn_utils.pack_sequence(X, enforce_sorted=False), torch.as_tensor(y).view(-1, 1)

        class SquareModelPacked(nn_.Module):
            def __init__(self, n_features: int, hidden_dim: int, n_outputs: int) -> None:
                super().__init__()
                self.n_outputs, self.hidden, self.cell = n_outputs, None, None
                self.basic_rnn = nn_.LSTM(n_features, hidden_dim, bidirectional=True)
                self.classifier = nn_.Linear(2 * hidden_dim, n_outputs)

            def forward(self, X: Any) -> Any:  # noqa: N803 (the book's name)
                rnn_out, (self.hidden, self.cell) = self.basic_rnn(X)
                batch_first_output, seq_sizes = rnn_utils.pad_packed_sequence(rnn_out, batch_first=True)
                seq_idx = torch.arange(seq_sizes.size(0))
                last_output = batch_first_output[seq_idx, seq_sizes - 1]
                return self.classifier(last_output).view(-1, self.n_outputs)

        loader = data.DataLoader(CustomDataset(variable, labels), batch_size=3, collate_fn=pack_collate)
        x_batch, y_batch = next(iter(loader))
        model = _set_weights(torch, SquareModelPacked(2, 2, 1))
        sbs = _step_by_step(lib)(model, nn_.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.01))
        sbs.set_loaders(loader, loader)
        sbs.train(5)
        out = {"y_batch": y_batch, "packed": type(x_batch).__name__, "losses": np.array(sbs.losses)}
        out.update(hidden=model.hidden.detach(), correct=sbs.correct(x_batch, y_batch))
        return out

    _results_match(*_both(torch, run))


# ---- chapters 9-11: attention, transformers, embeddings ------------------------------------------------------


def _attention_classes(lib: dict[str, Any]) -> tuple[type, type, type]:
    """The book's Attention (chapter 9), MultiHeadedAttention and PositionalEncoding (chapter 10)."""
    torch, nn_, F = lib["torch"], lib["nn"], lib["F"]

    class Attention(nn_.Module):
        def __init__(self, hidden_dim: int, input_dim: int | None = None, proj_values: bool = False) -> None:
            super().__init__()
            self.d_k, self.input_dim = hidden_dim, hidden_dim if input_dim is None else input_dim
            self.proj_values = proj_values
            self.linear_query = nn_.Linear(self.input_dim, hidden_dim)
            self.linear_key = nn_.Linear(self.input_dim, hidden_dim)
            self.linear_value = nn_.Linear(self.input_dim, hidden_dim)
            self.alphas = None

        def init_keys(self, keys: Any) -> None:
            self.keys, self.proj_keys = keys, self.linear_key(keys)
            self.values = self.linear_value(keys) if self.proj_values else keys

        def score_function(self, query: Any) -> Any:
            proj_query = self.linear_query(query)
            return torch.bmm(proj_query, self.proj_keys.permute(0, 2, 1)) / np.sqrt(self.d_k)

        def forward(self, query: Any, mask: Any = None) -> Any:
            scores = self.score_function(query)
            if mask is not None:
                scores = scores.masked_fill(mask == 0, -1e9)
            alphas = F.softmax(scores, dim=-1)
            self.alphas = alphas.detach()
            return torch.bmm(alphas, self.values)

    class MultiHeadedAttention(nn_.Module):
        def __init__(self, n_heads: int, d_model: int, dropout: float = 0.1) -> None:
            super().__init__()
            self.n_heads, self.d_model, self.d_k = n_heads, d_model, int(d_model / n_heads)
            self.linear_query, self.linear_key = nn_.Linear(d_model, d_model), nn_.Linear(d_model, d_model)
            self.linear_value, self.linear_out = nn_.Linear(d_model, d_model), nn_.Linear(d_model, d_model)
            self.dropout = nn_.Dropout(p=dropout)
            self.alphas = None

        def make_chunks(self, x: Any) -> Any:
            batch_size, seq_len = x.size(0), x.size(1)
            return x.view(batch_size, seq_len, self.n_heads, self.d_k).transpose(1, 2)

        def init_keys(self, key: Any) -> None:
            self.proj_key = self.make_chunks(self.linear_key(key))
            self.proj_value = self.make_chunks(self.linear_value(key))

        def attn(self, query: Any, mask: Any = None) -> Any:
            proj_query = self.make_chunks(self.linear_query(query))
            scores = torch.matmul(proj_query, self.proj_key.transpose(-2, -1)) / np.sqrt(self.d_k)
            if mask is not None:
                scores = scores.masked_fill(mask == 0, -1e9)
            alphas = self.dropout(F.softmax(scores, dim=-1))
            self.alphas = alphas.detach()
            return torch.matmul(alphas, self.proj_value)

        def forward(self, query: Any, mask: Any = None) -> Any:
            if mask is not None:
                mask = mask.unsqueeze(1)
            context = self.attn(query, mask=mask).transpose(1, 2).contiguous()
            return self.linear_out(context.view(query.size(0), -1, self.d_model))

    class PositionalEncoding(nn_.Module):
        def __init__(self, max_len: int, d_model: int) -> None:
            super().__init__()
            self.d_model = d_model
            pe = torch.zeros(max_len, d_model)
            position = torch.arange(0, max_len).float().unsqueeze(1)
            angular_speed = torch.exp(torch.arange(0, d_model, 2).float() * (-np.log(10000.0) / d_model))
            pe[:, 0::2] = torch.sin(position * angular_speed)
            pe[:, 1::2] = torch.cos(position * angular_speed)
            self.register_buffer("pe", pe.unsqueeze(0))

        def forward(self, x: Any) -> Any:
            return x * np.sqrt(self.d_model) + self.pe[:, : x.size(1), :]

    return Attention, MultiHeadedAttention, PositionalEncoding


def test_ch9_attention_by_hand_with_a_source_mask(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        Attention, _, _ = _attention_classes(lib)
        source, target = torch.as_tensor(SOURCE.copy()), torch.as_tensor(TARGET)
        source[0, 3] = 0  # a padded step
        source_mask = (source != 0).all(axis=2).unsqueeze(1)
        attention = _set_weights(torch, Attention(6, proj_values=True))
        attention.init_keys(source)
        context = attention(target, mask=source_mask)
        context.sum().backward()
        out = {"mask": source_mask, "context": context.detach(), "alphas": attention.alphas}
        out["query_grad"] = attention.linear_query.weight.grad
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs)
    assert float(_array(ours["alphas"])[0, :, 3].max()) == 0.0  # the padded step gets no attention


def test_ch10_multi_headed_attention_by_hand_is_nn_multiheadattention(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        _, MultiHeadedAttention, _ = _attention_classes(lib)
        source = torch.as_tensor(SOURCE)
        mask = torch.ones(3, 1, 4, dtype=torch.bool)
        mask[0, 0, 3] = False
        by_hand = _set_weights(torch, MultiHeadedAttention(2, 6, dropout=0.0))
        query = source.clone().requires_grad_()
        by_hand.init_keys(query)
        hand = by_hand(query, mask=mask)
        hand.sum().backward()
        mha = nn_.MultiheadAttention(embed_dim=6, num_heads=2, batch_first=True)
        with torch.no_grad():
            projections = (by_hand.linear_query, by_hand.linear_key, by_hand.linear_value)
            mha.in_proj_weight.copy_(torch.cat([layer.weight for layer in projections]))
            mha.in_proj_bias.copy_(torch.cat([layer.bias for layer in projections]))
            mha.out_proj.weight.copy_(by_hand.linear_out.weight)
            mha.out_proj.bias.copy_(by_hand.linear_out.bias)
        padding_mask = ~mask.squeeze(1)
        query2 = source.clone().requires_grad_()
        output, weights = mha(query2, query2, query2, key_padding_mask=padding_mask)
        output.sum().backward()
        out = {"hand": hand.detach(), "hand_grad": query.grad, "alphas": by_hand.alphas, "mha": output.detach()}
        out.update(mha_grad=query2.grad, weights=weights.detach(), keys=list(mha.state_dict().keys()))
        _, per_head = mha(source, source, source, key_padding_mask=padding_mask, average_attn_weights=False)
        out["per_head"] = per_head.detach()
        _close(out["per_head"], out["alphas"])
        cross, none = mha(torch.as_tensor(TARGET), source, source, need_weights=False)
        out.update(cross=cross.detach(), no_weights=none is None)
        causal = torch.triu(torch.ones(4, 4), diagonal=1).bool()
        out["causal"] = mha(source, source, source, attn_mask=causal)[0].detach()
        return out

    ours, theirs = _both(torch, run)
    _results_match(ours, theirs)
    _close(ours["hand"], ours["mha"])


def test_ch10_positional_encoding_layer_norm_and_transformer_masks(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        _, _, PositionalEncoding = _attention_classes(lib)
        source, target = torch.as_tensor(SOURCE), torch.as_tensor(TARGET)
        encoding = PositionalEncoding(5, 6)
        out = {"pe": encoding.pe, "pe_out": encoding(source), "pe_keys": list(encoding.state_dict().keys())}
        out.update(pe_params=len(list(encoding.parameters())), pe_buffers=[n for n, _ in encoding.named_buffers()])
        layer_norm = _set_weights(torch, nn_.LayerNorm(6))
        x = source.clone().requires_grad_()
        normalized = layer_norm(x)
        (normalized**2).sum().backward()
        mean, var = source.mean(axis=2).unsqueeze(2), source.var(axis=2, unbiased=False).unsqueeze(2)
        out.update(layer_norm=normalized.detach(), layer_norm_grad=x.grad, weight_grad=layer_norm.weight.grad)
        out.update(by_hand=(source - mean) / torch.sqrt(var + 1e-5), keys=list(layer_norm.state_dict().keys()))
        out["no_affine"] = nn_.LayerNorm(6, elementwise_affine=False)(source)
        out["subsequent"] = (1 - torch.triu(torch.ones((1, 3, 3)), diagonal=1)).bool()
        out["square_mask"] = nn_.Transformer.generate_square_subsequent_mask(3)
        padding_mask = torch.tensor([[False, False, False, True], [False] * 4, [False, False, True, True]])
        causal = torch.triu(torch.ones(4, 4), diagonal=1).bool()
        options = {"d_model": 6, "nhead": 2, "dim_feedforward": 20, "dropout": 0.0, "batch_first": True}
        encoder_layer = _set_weights(torch, nn_.TransformerEncoderLayer(**options))
        out["encoder_layer"] = encoder_layer(source, src_key_padding_mask=padding_mask).detach()
        norm_first = _set_weights(torch, nn_.TransformerEncoderLayer(**options, norm_first=True, activation="gelu"))
        out["norm_first"] = norm_first(source, src_mask=causal).detach()
        encoder = nn_.TransformerEncoder(encoder_layer, num_layers=2, norm=nn_.LayerNorm(6), enable_nested_tensor=False)
        _set_weights(torch, encoder)
        out["encoder_keys"] = list(encoder.state_dict().keys())
        out["encoder"] = encoder(source, mask=causal, src_key_padding_mask=padding_mask).detach()
        decoder_layer = _set_weights(torch, nn_.TransformerDecoderLayer(**options))
        target_mask = nn_.Transformer.generate_square_subsequent_mask(2)
        decoded = decoder_layer(target, source, tgt_mask=target_mask, memory_key_padding_mask=padding_mask)
        out["decoder_layer"] = decoded.detach()
        transformer = nn_.Transformer(
            d_model=6, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=10, dropout=0.0,
            batch_first=True,
        )  # fmt: skip
        _set_weights(torch, transformer)
        y = transformer(
            source,
            target,
            src_key_padding_mask=padding_mask,
            tgt_mask=target_mask,
            memory_key_padding_mask=padding_mask,
        )
        y.sum().backward()
        out.update(transformer=y.detach(), transformer_keys=list(transformer.state_dict().keys()))
        out["transformer_grad"] = transformer.encoder.layers[0].linear1.weight.grad
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-5)


def test_ch11_embeddings_pretrained_and_bags(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        embedding = _set_weights(torch, nn_.Embedding(num_embeddings=5, embedding_dim=3, padding_idx=0))
        indices = torch.tensor([[1, 0, 4], [2, 2, 0]])
        embedded = embedding(indices)
        embedded.mean(dim=1).pow(2).sum().backward()  # CBOW's average of the context's embeddings
        out = {"embedded": embedded.detach(), "grad": embedding.weight.grad, "cbow": embedded.mean(dim=1).detach()}
        pretrained = torch.as_tensor(np.arange(15, dtype=np.float32).reshape(5, 3))
        frozen = nn_.Embedding.from_pretrained(pretrained, freeze=True)
        out.update(pretrained=frozen(indices), frozen=frozen.weight.requires_grad)
        out["trainable"] = nn_.Embedding.from_pretrained(pretrained, freeze=False, padding_idx=0).weight.requires_grad
        bag = _set_weights(torch, nn_.EmbeddingBag(5, 3, mode="mean"))
        out["bag"] = bag(torch.tensor([1, 2, 4, 3]), torch.tensor([0, 2])).detach()
        return out

    _results_match(*_both(torch, run))


def test_ch2_custom_dataset_and_ch4_index_splitter(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, data = lib["torch"], lib["data"]

        class CustomDataset(data.Dataset):
            def __init__(self, x_tensor: Any, y_tensor: Any) -> None:
                self.x, self.y = x_tensor, y_tensor

            def __getitem__(self, index: int) -> tuple[Any, Any]:
                return (self.x[index], self.y[index])

            def __len__(self) -> int:
                return len(self.x)

        out: dict[str, Any] = {}
        for name, xs, ys in (
            ("tensors", torch.as_tensor(LINE_X).float(), torch.as_tensor(LINE_Y).float()),
            ("arrays", LINE_X.astype(np.float32), LINE_Y[:, 0]),
            ("numbers", LINE_X.tolist(), [int(v > 2) for v in LINE_Y[:, 0]]),
        ):
            x_batch, y_batch = next(iter(data.DataLoader(CustomDataset(xs, ys), batch_size=16)))
            out[name] = (str(y_batch.dtype).split(".")[-1], tuple(y_batch.shape), type(x_batch).__name__)
            out[name + "_y"] = y_batch

        def index_splitter(n: int, splits: list[int], seed: int = 13) -> Any:
            idx = torch.arange(n)
            splits_tensor = torch.as_tensor(splits)
            multiplier = n / splits_tensor.sum()
            splits_tensor = (multiplier * splits_tensor).long()
            diff = n - splits_tensor.sum()
            splits_tensor[0] += diff
            torch.manual_seed(seed)
            return data.random_split(idx, splits_tensor)

        train_idx, val_idx = index_splitter(300, [80, 20])  # the book's 300 images
        out["split"] = (len(train_idx), len(val_idx), len(set(train_idx.indices) | set(val_idx.indices)))
        sampler = data.SubsetRandomSampler(train_idx.indices)
        out["sampler"] = (len(sampler), sorted(int(i) for i in sampler) == sorted(train_idx.indices))
        return out

    _results_match(*_both(torch, run))


def test_ch9_encoder_decoder_fills_its_outputs_in_place_and_backpropagates_through_them(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        encoder = _set_weights(torch, nn_.GRU(2, 3, batch_first=True))
        decoder = _set_weights(torch, nn_.GRU(2, 3, batch_first=True))
        regression = _set_weights(torch, nn_.Linear(3, 2))
        source = torch.as_tensor(SEQUENCES[:, :2])
        hidden_seq, _ = encoder(source)
        hidden = hidden_seq[:, -1:].permute(1, 0, 2)  # the decoder's init_hidden: a non-contiguous view
        outputs = torch.zeros(3, 2, 2)
        x = source[:, -1:]
        for i in range(2):
            batch_first_output, hidden = decoder(x, hidden)
            out = regression(batch_first_output[:, -1:])
            outputs[:, i : i + 1, :] = out  # written into a tensor that did not require grad
            x = out
        loss = nn_.MSELoss()(outputs, torch.as_tensor(SEQUENCES[:, 2:]))
        loss.backward()
        result = {"requires_grad": outputs.requires_grad, "leaf": outputs.is_leaf, "loss": loss.detach()}
        result.update(
            outputs=outputs.detach(), encoder_grad=encoder.weight_ih_l0.grad, linear_grad=regression.weight.grad
        )
        return result

    _results_match(*_both(torch, run))


def test_ch10_vision_transformer_patches_and_a_class_token(torch):
    images = np.random.default_rng(10).random((2, 1, 4, 4)).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn_ = lib["torch"], lib["nn"]
        patch_embed = _set_weights(torch, nn_.Conv2d(1, 4, kernel_size=2, stride=2))
        cls_token = nn_.Parameter(torch.zeros(1, 1, 4))
        with torch.no_grad():
            cls_token.fill_(0.3)
        x = torch.as_tensor(images).requires_grad_()
        embedded = patch_embed(x).flatten(2).transpose(1, 2)  # (N, patches, d_model)
        tokens = torch.cat((cls_token.expand(x.size(0), -1, -1), embedded), dim=1)
        layer = nn_.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0, batch_first=True, norm_first=True)
        _set_weights(torch, layer)
        encoded = layer(tokens)
        encoded[:, 0].pow(2).sum().backward()  # the class token's state: the classifier's input
        out = {"tokens": tokens.detach(), "encoded": encoded.detach(), "cls_grad": cls_token.grad}
        out.update(image_grad=x.grad, patch_grad=patch_embed.weight.grad)
        return out

    _results_match(*_both(torch, run), rtol=1e-4, atol=1e-5)
