"""fast.ai's book "Deep Learning for Coders with fastai and PyTorch" (fastai/fastbook), the chapters whose code
uses torch alone, ported: chapter 4 (MNIST basics), 13 (convolutions), 17 (a neural net from the foundations),
18 (class activation maps through hooks) and 19 (a Learner from scratch). Each piece of the book's code is
written once, as the book spells it, and run with torch and with this library (``autograd`` for ``torch``,
``nn`` for ``torch.nn``, ``nn.functional`` as ``F``, ``nn.optim``, ``nn.data``, ``nn.init``) from the same
numbers: results, gradients and parameters after a few steps agree to float32 rounding.

The book's MNIST images, its bear photo and Imagenette are replaced by small random stand-ins (28x28 "threes"
and "sevens" of different mean brightness, a few 3-channel images); fastai's own helpers (``first``, ``L``,
``store_attr``, the ``Learner``) are written out here in a few lines. The port's spellings where this library
documents a difference: ``x.max(dim=-1)`` for the pair ``(values, indices)`` (``x.max(-1)`` is numpy's spelling
here, the values); ``x.std(unbiased=True)`` for torch's bare ``x.std()`` (numpy's ddof=0 here); ``.grad`` arithmetic gives plain arrays, so a hand-written optimizer's update is compared
through the parameters it changes. fast.ai's miniai course (tests/test_fastai_miniai_port.py) and PyTorch's
basics tutorials (tests/test_pytorch_basics_tutorials_port.py) are ported apart.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import assert_close as _close
from book_ports import libraries as _libs

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

_RNG = np.random.default_rng(4)


def _images(n: int, brightness: float) -> np.ndarray:
    """``n`` 28x28 "digits" in [0, 1]: noise around a bright stroke whose mean sets the class apart."""
    images = _RNG.random((n, 28, 28)).astype(np.float32) * 0.3
    images[:, 6:22, 12:16] += brightness
    return np.clip(images, 0, 1)


THREES, SEVENS = _images(40, 0.6), _images(40, 0.2)
VALID_THREES, VALID_SEVENS = _images(12, 0.6), _images(12, 0.2)


def _both(torch: Any, run: Any) -> tuple[Any, Any]:
    """``run(lib)``'s results with torch's names, then with this library's."""
    theirs, ours = (run(lib) for lib in _libs(torch))
    return theirs, ours


# ---- chapter 19: a Learner from scratch ------------------------------------------------------------------


def _chapter_19_framework(lib: dict[str, Any]) -> dict[str, Any]:
    """The chapter's own Parameter (a Tensor subclass made by ``Tensor._make_subclass``), Module (parameters
    found through ``__setattr__``, a forward hook called with the result), ConvLayer, Linear and Sequential."""
    torch, F = lib["torch"], lib["F"]

    class Parameter(torch.Tensor):
        def __new__(self, x):
            return torch.Tensor._make_subclass(Parameter, x, True)

        def __init__(self, *args, **kwargs):
            self.requires_grad_()

    class Module:
        def __init__(self):
            self.hook, self.params, self.children, self._training = None, [], [], False

        def register_parameters(self, *ps):
            self.params += ps

        def register_modules(self, *ms):
            self.children += ms

        @property
        def training(self):
            return self._training

        @training.setter
        def training(self, v):
            self._training = v
            for m in self.children:
                m.training = v

        def parameters(self):
            return self.params + sum([m.parameters() for m in self.children], [])

        def __setattr__(self, k, v):
            super().__setattr__(k, v)
            if isinstance(v, Parameter):
                self.register_parameters(v)
            if isinstance(v, Module):
                self.register_modules(v)

        def __call__(self, *args, **kwargs):
            res = self.forward(*args, **kwargs)
            if self.hook is not None:
                self.hook(res, args)
            return res

    class ConvLayer(Module):
        def __init__(self, ni, nf, stride=1, bias=True, act=True):
            super().__init__()
            self.w = Parameter(torch.zeros(nf, ni, 3, 3))
            self.b = Parameter(torch.zeros(nf)) if bias else None
            self.act, self.stride = act, stride

        def forward(self, x):
            x = F.conv2d(x, self.w, self.b, stride=self.stride, padding=1)
            if self.act:
                x = F.relu(x)
            return x

    class Linear(Module):
        def __init__(self, ni, nf):
            super().__init__()
            self.w = Parameter(torch.zeros(nf, ni))
            self.b = Parameter(torch.zeros(nf))

        def forward(self, x):
            return x @ self.w.t() + self.b

    class Sequential(Module):
        def __init__(self, *layers):
            super().__init__()
            self.layers = layers
            self.register_modules(*layers)

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    class AdaptivePool(Module):
        def forward(self, x):
            return x.mean((2, 3))

    return dict(
        Parameter=Parameter, Module=Module, ConvLayer=ConvLayer, Linear=Linear, Sequential=Sequential, pool=AdaptivePool
    )


def test_chapter_19_parameter_made_by_make_subclass_as_torch(torch):
    def run(lib):
        t = lib["torch"]
        Parameter = _chapter_19_framework(lib)["Parameter"]
        x = t.tensor([1.0, 2.0, 3.0])
        p = Parameter(x)
        facts = [type(p).__name__, isinstance(p, t.Tensor), p.requires_grad, p.is_leaf, x.requires_grad]
        with t.no_grad():
            p.mul_(2)  # the same memory as x's (a detached alias)
        (p * p).sum().backward()
        scalar = Parameter(t.tensor(3.0))
        return facts, x, p.grad, scalar.requires_grad, scalar.shape

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] and ours[3:] == (theirs[3], tuple(theirs[4]))
    _close(ours[1], theirs[1])
    _close(ours[2], theirs[2])


def test_chapter_19_simple_cnn_from_the_hand_written_framework_as_torch(torch):
    weights = {}

    def run(lib):
        t = lib["torch"]
        parts = _chapter_19_framework(lib)
        ConvLayer, Linear, Sequential, pool = parts["ConvLayer"], parts["Linear"], parts["Sequential"], parts["pool"]

        def simple_cnn():
            return Sequential(
                ConvLayer(3, 4, stride=2), ConvLayer(4, 8, stride=2), ConvLayer(8, 16, stride=2), pool(), Linear(16, 10)
            )

        m = simple_cnn()
        params = m.parameters()
        with t.no_grad():  # the book's kaiming/xavier draws, made once and handed to both
            for i, p in enumerate(params):
                weights.setdefault(i, _RNG.standard_normal(tuple(p.shape)).astype(np.float32) * 0.3)
                p.data = t.tensor(weights[i])
        stats = []

        def print_stats(outp, inp):
            stats.append((outp.mean().item(), outp.std(unbiased=True).item()))

        for i in range(3):
            m.layers[i].hook = print_stats
        xb = (
            t.tensor(_RNG.random((4, 3, 16, 16)).astype(np.float32)) if "xb" not in weights else t.tensor(weights["xb"])
        )
        weights["xb"] = xb.numpy()
        yb = t.tensor([0, 3, 9, 3])
        preds = m(xb)
        loss = lib["F"].cross_entropy(preds, yb)
        loss.backward()
        # the chapter's SGD, with weight decay, on .data
        lr, wd = 0.1, 0.01
        for p in params:
            p.data -= (p.grad.data + p.data * wd) * lr
            p.grad.data.zero_()
        return preds, loss, stats, [p.detach().clone() for p in params], [type(p).__name__ for p in params]

    theirs, ours = _both(torch, run)
    _close(ours[0], theirs[0], rtol=1e-4, atol=1e-5)
    _close(ours[1], theirs[1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-4, atol=1e-5)
    for q, p in zip(ours[3], theirs[3], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-5)
    assert ours[4] == theirs[4] == ["Parameter"] * 8


def test_tensor_subclass_whose_new_makes_the_instance_keeps_it_without_an_init_of_its_own(torch):
    # Python calls __init__(instance, x) after __new__: torch's does nothing, so the alias stays as made
    def run(lib):
        t = lib["torch"]

        class Leaf(t.Tensor):
            def __new__(cls, x):
                return t.Tensor._make_subclass(cls, x, True)

        x = t.tensor([1.0, 2.0])
        leaf = Leaf(x)
        with t.no_grad():
            leaf.add_(1)
        return type(leaf).__name__, leaf.requires_grad, x.tolist()

    theirs, ours = _both(torch, run)
    assert ours == theirs == ("Leaf", True, [2.0, 3.0])


def test_parameter_subclass_made_in_new_by_super_new_or_make_subclass_takes_arguments_of_its_own(torch):
    # chapter 19's Parameter grown into a library's: nn.Parameter subclasses that build themselves in __new__ (the
    # extra arguments reach the inherited __init__ too, which, as torch's, does nothing)
    def run(lib):
        t, nn = lib["torch"], lib["nn"]

        class Tagged(nn.Parameter):
            def __new__(cls, data=None, requires_grad=True, tag=None):
                self = super().__new__(cls, data, requires_grad)
                self.tag = tag
                return self

        class Quantized(nn.Parameter):
            def __new__(cls, data=None, requires_grad=False, quant=None):
                self = t.Tensor._make_subclass(cls, data, requires_grad)
                self.quant = quant
                return self

        x = t.ones(2)
        tagged, quantized = Tagged(x, tag="t"), Quantized(x, quant="q")
        with t.no_grad():
            quantized.add_(1)  # x's memory
        layer = nn.Linear(2, 2)
        layer.weight = Tagged(t.zeros(2, 2), requires_grad=False, tag="w")
        facts = [(type(p).__name__, p.requires_grad, isinstance(p, nn.Parameter)) for p in (tagged, quantized)]
        return (
            facts,
            tagged.tag,
            quantized.quant,
            x.tolist(),
            [n for n, _ in layer.named_parameters()],
            layer.weight.tag,
        )

    theirs, ours = _both(torch, run)
    assert ours == theirs
    assert ours[0] == [("Tagged", True, True), ("Quantized", False, True)] and ours[3] == [2.0, 2.0]


# ---- chapter 18: class activation maps through hooks ----------------------------------------------------------


def test_a_module_takes_backward_hooks_of_one_kind_as_torch(torch):
    # chapter 18's HookBwd uses the deprecated register_backward_hook; torch refuses a full hook beside it
    for lib in _libs(torch):
        nn = lib["nn"]
        legacy, full = nn.Linear(2, 2), nn.Linear(2, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # this library's, at registration: deprecated
            legacy.register_backward_hook(lambda m, gi, go: None)
            full.register_full_backward_hook(lambda m, gi, go: None)
            with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
                legacy.register_full_backward_hook(lambda m, gi, go: None)
            with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
                full.register_backward_hook(lambda m, gi, go: None)
        assert legacy._is_full_backward_hook is False and full._is_full_backward_hook is True
        assert nn.Linear(2, 2)._is_full_backward_hook is None


def _cam_model(lib: dict[str, Any]) -> Any:
    """A small stand-in for the chapter's ResNet: a body (conv, ReLU) and a head (pool, flatten, linear)."""
    nn = lib["nn"]
    body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU())
    return nn.Sequential(body, nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 2)))


def test_chapter_18_class_activation_map_and_grad_cam_by_hooks_as_torch(torch):
    image = _RNG.random((1, 3, 8, 8)).astype(np.float32)
    state = {}

    def run(lib):
        t = lib["torch"]
        learn_model = _cam_model(lib)
        if state:
            learn_model.load_state_dict(state)
        else:
            state.update({k: v.detach().numpy().copy() for k, v in learn_model.state_dict().items()})

        class Hook:
            def __init__(self, m):
                self.hook = m.register_forward_hook(self.hook_func)

            def hook_func(self, m, i, o):
                self.stored = o.detach().clone()

            def __enter__(self, *args):
                return self

            def __exit__(self, *args):
                self.hook.remove()

        class HookBwd:
            def __init__(self, m):
                self.hook = m.register_backward_hook(self.hook_func)

            def hook_func(self, m, gi, go):
                self.stored = go[0].detach().clone()

            def __enter__(self, *args):
                return self

            def __exit__(self, *args):
                self.hook.remove()

        x = t.tensor(image)
        # the class activation map: the head's weights over the body's activations
        with Hook(learn_model[0]) as hook:
            with t.no_grad():
                output = learn_model.eval()(x)
            act = hook.stored[0]
        cam_map = t.einsum("ck,kij->cij", learn_model[1][-1].weight, act)
        # Grad-CAM: the gradient of one class's score at the body's output, averaged over the image
        cls = 1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with HookBwd(learn_model[0]) as hookg:
                with Hook(learn_model[0]) as hook:
                    output = learn_model.eval()(x)
                    act = hook.stored
                output[0, cls].backward()
                grad = hookg.stored
        w = grad[0].mean(dim=[1, 2], keepdim=True)
        grad_cam = (w * act[0]).sum(0)
        user_warnings = [str(w.message) for w in caught if w.category is UserWarning]
        return output, cam_map, grad, grad_cam, user_warnings, len(learn_model[0]._forward_hooks)

    theirs, ours = _both(torch, run)
    for q, p in zip(ours[:4], theirs[:4]):
        _close(q, p, rtol=1e-4, atol=1e-6)
    assert ours[4] == theirs[4] == []  # the deprecated hook fires at the outputs without the full hook's warning
    assert ours[5] == theirs[5] == 0


# ---- chapter 4: MNIST basics ------------------------------------------------------------------------------


def test_chapter_4_pixel_similarity_baseline_as_torch(torch):
    threes_u8, sevens_u8 = (np.round(a * 255).astype(np.uint8) for a in (THREES, SEVENS))

    def run(lib):
        t, F = lib["torch"], lib["F"]
        three_tensors = [t.tensor(im) for im in threes_u8]
        seven_tensors = [t.tensor(im) for im in sevens_u8]
        stacked_threes = t.stack(three_tensors).float() / 255
        stacked_sevens = t.stack(seven_tensors).float() / 255
        mean3, mean7 = stacked_threes.mean(0), stacked_sevens.mean(0)
        a_3 = stacked_threes[1]
        dist_3_abs = (a_3 - mean3).abs().mean()
        dist_3_sqr = ((a_3 - mean3) ** 2).mean().sqrt()
        losses = F.l1_loss(a_3.float(), mean7), F.mse_loss(a_3, mean7).sqrt()

        def mnist_distance(a, b):
            return (a - b).abs().mean((-1, -2))

        valid_3_tens = t.stack([t.tensor(im) for im in VALID_THREES])
        valid_7_tens = t.stack([t.tensor(im) for im in VALID_SEVENS])
        valid_3_dist = mnist_distance(valid_3_tens, mean3)

        def is_3(x):
            return mnist_distance(x, mean3) < mnist_distance(x, mean7)

        accuracy_3s = is_3(valid_3_tens).float().mean()
        accuracy_7s = (1 - is_3(valid_7_tens).float()).mean()
        facts = (stacked_threes.shape, stacked_threes.dtype == t.float32, valid_3_dist.shape, is_3(a_3).item())
        return (tuple(facts[0]), *facts[1:]), [
            mean3,
            dist_3_abs,
            dist_3_sqr,
            *losses,
            valid_3_dist,
            accuracy_3s,
            accuracy_7s,
        ]

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] == ((40, 28, 28), True, (12,), True)
    for q, p in zip(ours[1], theirs[1], strict=True):
        _close(q, p)
    assert float(ours[1][-2]) == float(ours[1][-1]) == 1.0


def test_chapter_4_tensors_slices_and_dtypes_as_torch(torch):
    def run(lib):
        t = lib["torch"]
        data = [[1, 2, 3], [4, 5, 6]]
        arr, tns = np.array(data), t.tensor(data)
        assert (tns.numpy() == arr).all()
        results = [tns[1], tns[:, 1], tns[1, 1:3], tns + 1, tns * 1.5]
        return [r.tolist() for r in results], [str(r.dtype).split(".")[-1] for r in results], tns.type().split(".")[-1]

    theirs, ours = _both(torch, run)
    assert ours == theirs
    assert ours[1] == ["int64"] * 4 + ["float32"] and ours[2] == "LongTensor"


def test_chapter_4_gradients_of_a_square_as_torch(torch):
    def run(lib):
        t = lib["torch"]

        def f(x):
            return x**2

        xt = t.tensor(3.0).requires_grad_()
        yt = f(xt)
        yt.backward()
        scalar = (yt.item(), xt.grad.item())

        def f(x):  # noqa: F811 (the chapter redefines it for a vector)
            return (x**2).sum()

        xt = t.tensor([3.0, 4.0, 10.0]).requires_grad_()
        yt = f(xt)
        yt.backward()
        return scalar, yt.item(), [float(g) for g in xt.grad]

    theirs, ours = _both(torch, run)
    assert ours == theirs == ((9.0, 6.0), 125.0, [6.0, 8.0, 20.0])


def test_chapter_4_quadratic_fit_by_hand_with_data_and_grad_none_as_torch(torch):
    noise = _RNG.standard_normal(20).astype(np.float32) * 3
    start = np.array([0.6, -0.4, 0.9], np.float32)

    def run(lib):
        t = lib["torch"]
        time = t.arange(0, 20).float()
        speed = t.tensor(noise) + 0.75 * (time - 9.5) ** 2 + 1

        def f(t, params):
            a, b, c = params
            return a * (t**2) + (b * t) + c

        def mse(preds, targets):
            return ((preds - targets) ** 2).mean()

        params = t.tensor(start).requires_grad_()
        orig_params = params.clone()
        lr = 1e-5
        losses, grads = [], []

        def apply_step(params, prn=True):
            preds = f(time, params)
            loss = mse(preds, speed)
            loss.backward()
            grads.append([float(g) for g in params.grad])
            params.data -= lr * params.grad.data
            params.grad = None
            losses.append(loss.item())
            return preds

        for _ in range(10):
            preds = apply_step(params)
        return losses, grads, params, orig_params, params.grad is None, preds.requires_grad, orig_params.requires_grad

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-4)
    _close(ours[2], theirs[2])
    _close(ours[3], start)
    assert ours[4:] == theirs[4:] == (True, True, True)


def _mnist_sets(lib: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """The chapter's training and validation sets: images flattened to rows, label 1 for a three."""
    t = lib["torch"]
    stacked_threes, stacked_sevens = t.tensor(THREES), t.tensor(SEVENS)
    train_x = t.cat([stacked_threes, stacked_sevens]).view(-1, 28 * 28)
    train_y = t.tensor([1] * len(THREES) + [0] * len(SEVENS)).unsqueeze(1)
    valid_x = t.cat([t.tensor(VALID_THREES), t.tensor(VALID_SEVENS)]).view(-1, 28 * 28)
    valid_y = t.tensor([1] * len(VALID_THREES) + [0] * len(VALID_SEVENS)).unsqueeze(1)
    return train_x, train_y, valid_x, valid_y


def test_chapter_4_mnist_loss_with_where_and_sigmoid_as_torch(torch):
    def run(lib):
        t = lib["torch"]
        trgts = t.tensor([1, 0, 1])
        prds = t.tensor([0.9, 0.4, 0.2])

        def mnist_loss(predictions, targets):
            return t.where(targets == 1, 1 - predictions, predictions).mean()

        values = [
            t.where(trgts == 1, 1 - prds, prds),
            mnist_loss(prds, trgts),
            mnist_loss(t.tensor([0.9, 0.4, 0.8]), trgts),
        ]

        def mnist_loss(predictions, targets):  # noqa: F811 (the chapter's second version)
            predictions = predictions.sigmoid()
            return t.where(targets == 1, 1 - predictions, predictions).mean()

        logits = t.tensor([2.0, -1.0, 0.5], requires_grad=True)
        loss = mnist_loss(logits, trgts)
        loss.backward()
        return [*values, loss, logits.grad]

    theirs, ours = _both(torch, run)
    for q, p in zip(ours, theirs, strict=True):
        _close(q, p)


def test_chapter_4_linear1_training_with_calc_grad_and_train_epoch_as_torch(torch):
    w0 = _RNG.standard_normal((28 * 28, 1)).astype(np.float32)
    b0 = _RNG.standard_normal(1).astype(np.float32)

    def run(lib):
        t, data = lib["torch"], lib["data"]
        train_x, train_y, valid_x, valid_y = _mnist_sets(lib)
        dset = list(zip(train_x, train_y))
        x, y = dset[0]
        shapes = (tuple(x.shape), tuple(y.shape), len(dset))
        valid_dset = list(zip(valid_x, valid_y))

        def init_params(size, std=1.0):
            return (t.tensor(w0 if size == (28 * 28, 1) else b0) * std).requires_grad_()

        weights = init_params((28 * 28, 1))
        bias = init_params(1)
        first_pred = (train_x[0] * weights.T).sum() + bias

        def linear1(xb):
            return xb @ weights + bias

        preds = linear1(train_x)
        corrects = (preds > 0.0).float() == train_y
        accuracy0 = corrects.float().mean().item()
        with t.no_grad():
            weights[0] *= 1.0001

        def mnist_loss(predictions, targets):
            predictions = predictions.sigmoid()
            return t.where(targets == 1, 1 - predictions, predictions).mean()

        dl = data.DataLoader(dset, batch_size=16)
        xb, yb = next(iter(dl))
        first_batch = (tuple(xb.shape), tuple(yb.shape))
        valid_dl = data.DataLoader(valid_dset, batch_size=16)

        def calc_grad(xb, yb, model):
            preds = model(xb)
            loss = mnist_loss(preds, yb)
            loss.backward()

        batch = train_x[:4]
        calc_grad(batch, train_y[:4], linear1)
        once = (weights.grad.mean().item(), bias.grad.item())
        calc_grad(batch, train_y[:4], linear1)  # accumulates
        twice = (weights.grad.mean().item(), bias.grad.item())
        weights.grad.zero_()
        bias.grad.zero_()

        def train_epoch(model, lr, params):
            for xb, yb in dl:
                calc_grad(xb, yb, model)
                for p in params:
                    p.data -= p.grad * lr
                    p.grad.zero_()

        def batch_accuracy(xb, yb):
            preds = xb.sigmoid()
            correct = (preds > 0.5) == yb
            return correct.float().mean()

        def validate_epoch(model):
            accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
            return round(t.stack(accs).mean().item(), 4)

        accuracies = [validate_epoch(linear1)]
        params = weights, bias
        for _ in range(3):
            train_epoch(linear1, 1.0, params)
            accuracies.append(validate_epoch(linear1))
        return shapes, first_batch, accuracy0, first_pred, once, twice, accuracies, weights, bias

    theirs, ours = _both(torch, run)
    assert ours[:3] == theirs[:3]
    _close(ours[3], theirs[3], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours[4:6], theirs[4:6], rtol=1e-4, atol=1e-7)
    assert ours[4][0] * 2 == pytest.approx(ours[5][0])
    np.testing.assert_allclose(ours[6], theirs[6], atol=1e-4)
    _close(ours[7], theirs[7], rtol=1e-4, atol=1e-5)
    _close(ours[8], theirs[8], rtol=1e-4, atol=1e-5)


def test_chapter_4_basic_optim_and_sgd_on_nn_linear_as_torch(torch):
    state = {}

    def run(lib):
        t, nn, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        train_x, train_y, valid_x, valid_y = _mnist_sets(lib)
        dl = data.DataLoader(list(zip(train_x, train_y)), batch_size=16)
        valid_dl = data.DataLoader(list(zip(valid_x, valid_y)), batch_size=16)

        def mnist_loss(predictions, targets):
            predictions = predictions.sigmoid()
            return t.where(targets == 1, 1 - predictions, predictions).mean()

        def batch_accuracy(xb, yb):
            return ((xb.sigmoid() > 0.5) == yb).float().mean()

        def validate_epoch(model):
            return round(t.stack([batch_accuracy(model(xb), yb) for xb, yb in valid_dl]).mean().item(), 4)

        def fresh_linear():
            linear_model = nn.Linear(28 * 28, 1)
            if not state:
                state.update({k: v.detach().numpy().copy() for k, v in linear_model.state_dict().items()})
            linear_model.load_state_dict({k: t.tensor(v) for k, v in state.items()})
            return linear_model

        linear_model = fresh_linear()
        w, b = linear_model.parameters()
        shapes = (tuple(w.shape), tuple(b.shape))

        class BasicOptim:
            def __init__(self, params, lr):
                self.params, self.lr = list(params), lr

            def step(self, *args, **kwargs):
                for p in self.params:
                    p.data -= p.grad.data * self.lr

            def zero_grad(self, *args, **kwargs):
                for p in self.params:
                    p.grad = None

        def calc_grad(xb, yb, model):
            loss = mnist_loss(model(xb), yb)
            loss.backward()

        def train_model(model, epochs, opt):
            accs = []
            for _ in range(epochs):
                for xb, yb in dl:
                    calc_grad(xb, yb, model)
                    opt.step()
                    opt.zero_grad()
                accs.append(validate_epoch(model))
            return accs

        opt = BasicOptim(linear_model.parameters(), 1.0)
        basic = train_model(linear_model, 3, opt), [p.detach().clone() for p in linear_model.parameters()]
        grads_cleared = [p.grad is None for p in linear_model.parameters()]
        linear_model = fresh_linear()
        sgd = train_model(linear_model, 3, optim.SGD(linear_model.parameters(), 1.0))
        return shapes, grads_cleared, basic, sgd, [p.detach().clone() for p in linear_model.parameters()]

    theirs, ours = _both(torch, run)
    assert ours[:2] == theirs[:2] == (((1, 784), (1,)), [True, True])
    np.testing.assert_allclose(ours[2][0], theirs[2][0], atol=1e-4)
    np.testing.assert_allclose(ours[3], theirs[3], atol=1e-4)
    for q, p in zip(ours[2][1] + ours[4], theirs[2][1] + theirs[4], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-5)
    for q, p in zip(ours[2][1], ours[4], strict=True):  # BasicOptim is SGD
        _close(q, p, rtol=1e-5, atol=1e-6)


def test_chapter_4_simple_net_by_hand_with_max_against_a_tensor_and_as_sequential_as_torch(torch):
    draws = [_RNG.standard_normal(s).astype(np.float32) for s in ((28 * 28, 30), (30,), (30, 1), (1,))]
    xb = np.concatenate([THREES[:3], SEVENS[:3]]).reshape(-1, 28 * 28)

    def run(lib):
        t, nn = lib["torch"], lib["nn"]
        w1, b1, w2, b2 = (t.tensor(d).requires_grad_() for d in draws)

        def simple_net(xb):
            res = xb @ w1 + b1
            res = res.max(t.tensor(0.0))
            res = res @ w2 + b2
            return res

        x = t.tensor(xb)
        out = simple_net(x)
        out.sum().backward()
        by_hand = [out, w1.grad, b1.grad, w2.grad, b2.grad]
        net = nn.Sequential(nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1))
        with t.no_grad():
            net[0].weight.copy_(w1.t())
            net[0].bias.copy_(b1)
            net[2].weight.copy_(w2.t())
            net[2].bias.copy_(b2)
        seq_out = net(x)
        seq_out.sum().backward()
        return by_hand, [seq_out, net[0].weight.grad.t(), net[0].bias.grad, net[2].weight.grad.t(), net[2].bias.grad]

    theirs, ours = _both(torch, run)
    for q, p in zip(ours[0] + ours[1], theirs[0] + theirs[1], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-4)
    for q, p in zip(ours[0], ours[1], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-4)


def test_chapter_4_data_loader_over_a_range_and_over_letters_as_torch(torch):
    import string

    def run(lib):
        data = lib["data"]
        coll = range(15)
        dl = data.DataLoader(coll, batch_size=5, shuffle=True)
        shuffled = [b.tolist() for b in dl]
        ds = list(enumerate(string.ascii_lowercase))
        letters = list(data.DataLoader(ds, batch_size=6))
        first = (letters[0][0].tolist(), letters[0][1], type(letters[0]).__name__, type(letters[0][1]).__name__)
        return sorted(sum(shuffled, [])), [len(b) for b in shuffled], first, letters[-1][0].tolist(), letters[-1][1]

    theirs, ours = _both(torch, run)
    assert ours == theirs
    assert ours[:3] == (
        list(range(15)),
        [5, 5, 5],
        ([0, 1, 2, 3, 4, 5], ("a", "b", "c", "d", "e", "f"), "list", "tuple"),
    )


# ---- chapter 13: convolutions -----------------------------------------------------------------------------


def test_chapter_13_kernel_applied_by_hand_equals_conv2d_as_torch(torch):
    image = np.round(THREES[0] * 255).astype(np.uint8)

    def run(lib):
        t, F = lib["torch"], lib["F"]
        top_edge = t.tensor([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]).float()
        im3_t = t.tensor(image)
        corner = (im3_t[0:3, 0:3] * top_edge, (im3_t[0:3, 0:3] * top_edge).sum())
        im3_t = im3_t.float()

        def apply_kernel(row, col, kernel):
            return (im3_t[row - 1 : row + 2, col - 1 : col + 2] * kernel).sum()

        rng = range(1, 27)
        top_edge3 = t.tensor([[apply_kernel(i, j, top_edge) for j in rng] for i in rng])
        left_edge = t.tensor([[-1, 1, 0], [-1, 1, 0], [-1, 1, 0]]).float()
        left_edge3 = t.tensor([[apply_kernel(i, j, left_edge) for j in rng] for i in rng])
        by_conv = F.conv2d(im3_t[None, None], t.stack([top_edge, left_edge])[:, None])
        return corner, top_edge3, left_edge3, by_conv, str(top_edge3.dtype).split(".")[-1]

    theirs, ours = _both(torch, run)
    for q, p in zip([*ours[0], *ours[1:4]], [*theirs[0], *theirs[1:4]], strict=True):
        _close(q, p)
    _close(ours[3][0, 0], ours[1])
    _close(ours[3][0, 1], ours[2])
    assert ours[4] == theirs[4] == "float32"


def test_chapter_13_edge_kernels_on_a_batch_as_torch(torch):
    xb = np.concatenate([VALID_THREES[:4], VALID_SEVENS[:4]])[:, None]

    def run(lib):
        t, F = lib["torch"], lib["F"]
        top_edge = t.tensor([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]).float()
        left_edge = t.tensor([[-1, 1, 0], [-1, 1, 0], [-1, 1, 0]]).float()
        diag1_edge = t.tensor([[0, -1, 1], [-1, 1, 0], [1, 0, 0]]).float()
        diag2_edge = t.tensor([[1, -1, 0], [0, 1, -1], [0, 0, 1]]).float()
        edge_kernels = t.stack([left_edge, top_edge, diag1_edge, diag2_edge])
        shapes = [tuple(edge_kernels.shape)]
        edge_kernels = edge_kernels.unsqueeze(1)
        shapes.append(tuple(edge_kernels.shape))
        batch_features = F.conv2d(t.tensor(xb), edge_kernels)
        shapes.append(tuple(batch_features.shape))
        strided = F.conv2d(t.tensor(xb), edge_kernels, stride=2, padding=1)
        shapes.append(tuple(strided.shape))
        return shapes, batch_features, strided

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] == [(4, 3, 3), (4, 1, 3, 3), (8, 4, 26, 26), (8, 4, 14, 14)]
    _close(ours[1], theirs[1], atol=1e-5)
    _close(ours[2], theirs[2], atol=1e-5)


def _conv(nn: Any, ni: int, nf: int, ks: int = 3, act: bool = True) -> Any:
    """The chapter's stride-2 convolution, followed by a ReLU unless ``act`` is False."""
    res = nn.Conv2d(ni, nf, stride=2, kernel_size=ks, padding=ks // 2)
    if act:
        res = nn.Sequential(res, nn.ReLU())
    return res


def test_chapter_13_simple_cnn_of_stride_2_convolutions_trains_as_torch(torch):
    xb = np.concatenate([THREES[:8], SEVENS[:8]])[:, None]
    yb = np.array([1] * 8 + [0] * 8)
    state = {}

    def run(lib):
        t, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]
        broken_cnn = nn.Sequential(
            nn.Conv2d(1, 30, kernel_size=3, padding=1), nn.ReLU(), nn.Conv2d(30, 1, kernel_size=3, padding=1)
        )
        broken_shape = tuple(broken_cnn(t.tensor(xb)).shape)
        simple_cnn = nn.Sequential(
            _conv(nn, 1, 4),
            _conv(nn, 4, 8),
            _conv(nn, 8, 16),
            _conv(nn, 16, 32),
            _conv(nn, 32, 2, act=False),
            nn.Flatten(),
        )
        if not state:
            state.update({k: v.detach().numpy().copy() for k, v in simple_cnn.state_dict().items()})
        simple_cnn.load_state_dict({k: t.tensor(v) for k, v in state.items()})
        shapes, x = [], t.tensor(xb)
        for layer in simple_cnn:
            x = layer(x)
            shapes.append(tuple(x.shape))
        n_params = sum(p.numel() for p in simple_cnn.parameters())
        opt = optim.SGD(simple_cnn.parameters(), lr=0.1, momentum=0.9)
        losses = []
        for _ in range(4):
            loss = F.cross_entropy(simple_cnn(t.tensor(xb)), t.tensor(yb))
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        return broken_shape, shapes, n_params, losses, [p.detach().clone() for p in simple_cnn.parameters()]

    theirs, ours = _both(torch, run)
    assert ours[:3] == theirs[:3]
    assert ours[1] == [(16, 4, 14, 14), (16, 8, 7, 7), (16, 16, 4, 4), (16, 32, 2, 2), (16, 2, 1, 1), (16, 2)]
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-4)
    for q, p in zip(ours[4], theirs[4], strict=True):
        _close(q, p, rtol=1e-3, atol=1e-5)


def test_chapter_13_receptive_field_of_two_stride_2_convolutions_as_torch(torch):
    # an activation two stride-2 3x3 convolutions deep depends on a 7x7 patch of the image: its gradient says so
    def run(lib):
        t, nn = lib["torch"], lib["nn"]
        model = nn.Sequential(_conv(nn, 1, 1), _conv(nn, 1, 1, act=False))
        with t.no_grad():
            for p in model.parameters():
                p.fill_(1.0)
        x = t.ones(1, 1, 16, 16, requires_grad=True)
        out = model(x)
        out[0, 0, 2, 2].backward()
        rows, cols = np.nonzero(np.array(x.grad[0, 0].tolist()))
        return tuple(out.shape), (rows.min(), rows.max(), cols.min(), cols.max()), x.grad

    theirs, ours = _both(torch, run)
    assert ours[:2] == theirs[:2] == ((1, 1, 4, 4), (5, 11, 5, 11))
    _close(ours[2], theirs[2])


def test_chapter_13_color_image_channels_and_a_three_channel_convolution_as_torch(torch):
    bear = (_RNG.random((3, 12, 10)) * 255).astype(np.uint8)
    kernel = _RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)

    def run(lib):
        t, F = lib["torch"], lib["F"]
        im = t.tensor(bear)
        inverted = [255 - channel for channel in im]
        features = F.conv2d(im.float()[None] / 255, t.tensor(kernel), padding=1)
        return tuple(im.shape), inverted, [str(c.dtype).split(".")[-1] for c in inverted], features

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] and ours[2] == theirs[2] == ["uint8"] * 3
    for q, p in zip(ours[1], theirs[1], strict=True):
        _close(q, p)
    _close(ours[3], theirs[3], atol=1e-5)


def test_chapter_13_batchnorm_cnn_trained_with_one_cycle_by_hand_as_torch(torch):
    # the chapter's conv block with BatchNorm, trained with the 1cycle schedule written out (chapter 19's OneCycle:
    # a linear warm-up over the first quarter from lr/10, then a linear decay to 0), momentum inverse to it
    xb = np.concatenate([THREES[:12], SEVENS[:12]])[:, None]
    yb = np.array([1] * 12 + [0] * 12)
    state = {}

    def run(lib):
        t, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]

        def conv(ni, nf, ks=3, act=True):
            layers = [nn.Conv2d(ni, nf, stride=2, kernel_size=ks, padding=ks // 2)]
            if act:
                layers.append(nn.ReLU())
            layers.append(nn.BatchNorm2d(nf))
            return nn.Sequential(*layers)

        def simple_cnn():
            return nn.Sequential(conv(1, 8, ks=5), conv(8, 16), conv(16, 32), conv(32, 2, act=False), nn.Flatten())

        model = simple_cnn()
        if not state:
            state.update({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
        model.load_state_dict({k: t.tensor(v) for k, v in state.items()})
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.95)
        base_lr, n_epochs, batches = 0.1, 3, [(xb[i : i + 8], yb[i : i + 8]) for i in range(0, len(xb), 8)]
        lrs, losses = [], []
        for epoch in range(n_epochs):
            model.train()
            for num, (x, y) in enumerate(batches):
                pct = (epoch * len(batches) + num) / (n_epochs * len(batches))
                pct_start, div_start = 0.25, 10
                if pct < pct_start:
                    pct /= pct_start
                    lr = (1 - pct) * base_lr / div_start + pct * base_lr
                else:
                    pct = (pct - pct_start) / (1 - pct_start)
                    lr = (1 - pct) * base_lr
                for group in opt.param_groups:
                    group["lr"] = lr
                    group["momentum"] = 0.95 - 0.1 * lr / base_lr
                lrs.append(lr)
                loss = F.cross_entropy(model(t.tensor(x)), t.tensor(y))
                loss.backward()
                opt.step()
                opt.zero_grad()
                losses.append(loss.item())
        model.eval()
        with t.no_grad():
            preds = model(t.tensor(xb))
        accuracy = (preds.argmax(dim=1) == t.tensor(yb)).float().mean().item()
        return lrs, losses, accuracy, preds, {k: v.clone() for k, v in model.state_dict().items()}

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-3, atol=1e-5)
    assert ours[2] == theirs[2]
    _close(ours[3], theirs[3], rtol=1e-3, atol=1e-4)
    assert list(ours[4]) == list(theirs[4])
    for name, value in theirs[4].items():
        _close(ours[4][name], value, rtol=1e-3, atol=1e-4)


# ---- chapter 17: a neural net from the foundations ------------------------------------------------------


def test_chapter_17_elementwise_and_broadcasting_facts_as_torch(torch):
    def run(lib):
        t = lib["torch"]
        a, b = t.tensor([10.0, 6, -4]), t.tensor([2.0, 8, 7])
        facts = [(a + b).tolist(), (a < b).tolist(), (a < b).all().item(), (a == b).all().item(), (a + b).mean().item()]
        m = t.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
        facts += [(m * m).tolist(), (a > 0).tolist(), ((m - 5) / 2.73).tolist()]
        n = t.tensor([[1.0, 2, 3], [4, 5, 6]])
        with pytest.raises(RuntimeError):
            m * n
        c = t.tensor([10.0, 20, 30])
        facts += [(m + c).tolist(), (c + m).tolist(), c.expand_as(m).tolist()]
        expanded = c.expand_as(m)
        facts += [_storage(expanded), expanded.stride()]
        facts += [(c + n).tolist()]
        with pytest.raises(RuntimeError):
            t.tensor([10.0, 20]) + n
        column = c.unsqueeze(1)
        facts += [
            tuple(column.shape),
            (column + m).tolist(),
            _storage(column.expand_as(m)),
            column.expand_as(m).stride(),
        ]
        facts += [tuple(c.unsqueeze(0).shape), tuple(c[None, :].shape), tuple(c[:, None].shape)]
        facts += [tuple(c[None].shape), tuple(c[..., None].shape)]
        facts += [(t.tensor([1, 2]) + t.tensor([1])).tolist()]
        with pytest.raises(RuntimeError):
            t.tensor([1, 2]) + t.tensor([1, 2, 3])
        return facts

    def _storage(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch's: TypedStorage is deprecated
            return [float(v) for v in x.storage()]

    theirs, ours = _both(torch, run)
    assert ours == theirs
    assert ours[11] == [10.0, 20.0, 30.0] and ours[12] == (0, 1)  # expand_as: no copy, a stride of 0
    assert ours[14] == (3, 1) and ours[16] == [10.0, 20.0, 30.0] and ours[17] == (1, 0)


def test_chapter_17_matmul_by_loops_elementwise_broadcast_and_einsum_as_torch(torch):
    m1, m2 = _RNG.standard_normal((5, 28 * 28)).astype(np.float32), _RNG.standard_normal((784, 10)).astype(np.float32)

    def run(lib):
        t = lib["torch"]
        a, b = t.tensor(m1[:, :20]), t.tensor(m2[:20])

        def matmul_loops(a, b):
            ar, ac = a.shape
            br, bc = b.shape
            assert ac == br
            c = t.zeros(ar, bc)
            for i in range(ar):
                for j in range(bc):
                    for k in range(ac):
                        c[i, j] += a[i, k] * b[k, j]
            return c

        def matmul_elementwise(a, b):
            ar, ac = a.shape
            br, bc = b.shape
            assert ac == br
            c = t.zeros(ar, bc)
            for i in range(ar):
                for j in range(bc):
                    c[i, j] = (a[i] * b[:, j]).sum()
            return c

        def matmul_broadcast(a, b):
            ar, ac = a.shape
            br, bc = b.shape
            assert ac == br
            c = t.zeros(ar, bc)
            for i in range(ar):
                c[i] = (a[i].unsqueeze(-1) * b).sum(dim=0)
            return c

        def matmul_einsum(a, b):
            return t.einsum("ik,kj->ij", a, b)

        full_a, full_b = t.tensor(m1), t.tensor(m2)
        return [
            matmul_loops(a, b),
            a @ b,
            matmul_elementwise(full_a, full_b),
            matmul_broadcast(full_a, full_b),
            matmul_einsum(full_a, full_b),
            full_a @ full_b,
        ]

    theirs, ours = _both(torch, run)
    for q, p in zip(ours, theirs, strict=True):
        _close(q, p, rtol=1e-4, atol=1e-4)
    _close(ours[0], ours[1], rtol=1e-4, atol=1e-4)
    for q in ours[2:5]:
        _close(q, ours[5], rtol=1e-4, atol=1e-4)


def test_chapter_17_initialization_scales_through_fifty_layers_as_torch(torch):
    x0 = _RNG.standard_normal((200, 100)).astype(np.float32)
    layers = _RNG.standard_normal((50, 100, 100)).astype(np.float32)

    def run(lib):
        t = lib["torch"]

        def relu(x):
            return x.clamp_min(0.0)

        stds = []
        for scale, act in ((1.0, False), (0.01, False), (0.1, False), (0.1, True), (math.sqrt(2 / 100), True)):
            x = t.tensor(x0)
            for i in range(50):
                x = x @ (t.tensor(layers[i]) * scale)
                if act:
                    x = relu(x)
            stds.append(x.std(unbiased=True).item())
        return stds

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)
    assert math.isnan(ours[0]) or math.isinf(ours[0]) or ours[0] > 1e30  # the plain draws blow up
    assert ours[1] == 0.0 and ours[3] < 1e-6  # too small: vanish
    assert 0.1 < ours[4] < 10  # Kaiming's sqrt(2 / n) keeps the scale


def _chapter_17_weights() -> list[np.ndarray]:
    w1 = _RNG.standard_normal((100, 50)).astype(np.float32) * math.sqrt(2 / 100)
    w2 = _RNG.standard_normal((50, 1)).astype(np.float32) * math.sqrt(2 / 50)
    return [w1, np.zeros(50, np.float32), w2, np.zeros(1, np.float32)]


_CH17_X, _CH17_Y = _RNG.standard_normal((200, 100)).astype(np.float32), _RNG.standard_normal(200).astype(np.float32)


def test_chapter_17_forward_and_backward_by_hand_with_g_attributes_equal_autograd_as_torch(torch):
    weights = _chapter_17_weights()

    def run(lib):
        t = lib["torch"]
        w1, b1, w2, b2 = (t.tensor(w) for w in weights)
        x, y = t.tensor(_CH17_X), t.tensor(_CH17_Y)

        def lin(x, w, b):
            return x @ w + b

        def relu(x):
            return x.clamp_min(0.0)

        def mse(output, targ):
            return (output.squeeze(dim=-1) - targ).pow(2).mean()

        def mse_grad(inp, targ):
            inp.g = 2.0 * (inp.squeeze() - targ).unsqueeze(-1) / inp.shape[0]

        def relu_grad(inp, out):
            inp.g = (inp > 0).float() * out.g

        def lin_grad(inp, out, w, b):
            inp.g = out.g @ w.t()
            w.g = inp.t() @ out.g
            b.g = out.g.sum(0)

        def forward_and_backward(inp, targ):
            l1 = inp @ w1 + b1
            l2 = relu(l1)
            out = l2 @ w2 + b2
            loss = mse(out, targ)
            mse_grad(out, targ)
            lin_grad(l2, out, w2, b2)
            relu_grad(l1, l2)
            lin_grad(inp, l1, w1, b1)
            return loss

        loss = forward_and_backward(x, y)
        by_hand = [w1.g, b1.g, w2.g, b2.g, x.g]
        stats = [lin(x, w1, b1).mean().item(), relu(lin(x, w1, b1)).mean().item()]
        for p in (w1, b1, w2, b2, x):
            p.requires_grad_()
        autograd_loss = mse(lin(relu(lin(x, w1, b1)), w2, b2), y)
        autograd_loss.backward()
        return loss, by_hand, [w1.grad, b1.grad, w2.grad, b2.grad, x.grad], stats

    theirs, ours = _both(torch, run)
    _close(ours[0], theirs[0])
    for q, p in zip(ours[1] + ours[2], theirs[1] + theirs[2], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-6)
    for q, p in zip(ours[1], ours[2], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-4, atol=1e-6)


def test_chapter_17_layer_classes_and_layer_function_backward_equal_autograd_as_torch(torch):
    weights = _chapter_17_weights()

    def run(lib):
        t = lib["torch"]

        class LayerFunction:
            def __call__(self, *args):
                self.args = args
                self.out = self.forward(*args)
                return self.out

            def forward(self):
                raise Exception("not implemented")

            def bwd(self):
                raise Exception("not implemented")

            def backward(self):
                self.bwd(self.out, *self.args)

        class Relu(LayerFunction):
            def forward(self, inp):
                return inp.clamp_min(0.0)

            def bwd(self, out, inp):
                inp.g = (inp > 0).float() * out.g

        class Lin(LayerFunction):
            def __init__(self, w, b):
                self.w, self.b = w, b

            def forward(self, inp):
                return inp @ self.w + self.b

            def bwd(self, out, inp):
                inp.g = out.g @ self.w.t()
                self.w.g = inp.t() @ out.g
                self.b.g = out.g.sum(0)

        class Mse(LayerFunction):
            def forward(self, inp, targ):
                return (inp.squeeze() - targ).pow(2).mean()

            def bwd(self, out, inp, targ):
                inp.g = 2 * (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]

        class Model:
            def __init__(self, w1, b1, w2, b2):
                self.layers = [Lin(w1, b1), Relu(), Lin(w2, b2)]
                self.loss = Mse()

            def __call__(self, x, targ):
                for layer in self.layers:
                    x = layer(x)
                return self.loss(x, targ)

            def backward(self):
                self.loss.backward()
                for layer in reversed(self.layers):
                    layer.backward()

        w1, b1, w2, b2 = (t.tensor(w) for w in weights)
        x, y = t.tensor(_CH17_X), t.tensor(_CH17_Y)
        model = Model(w1, b1, w2, b2)
        loss = model(x, y)
        model.backward()
        return loss, [w1.g, b1.g, w2.g, b2.g, x.g]

    theirs, ours = _both(torch, run)
    _close(ours[0], theirs[0])
    for q, p in zip(ours[1], theirs[1], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-6)


def test_chapter_17_custom_autograd_functions_relu_and_linear_layer_as_torch(torch):
    x0 = _RNG.standard_normal((6, 10)).astype(np.float32)
    w0 = _RNG.standard_normal((2, 10)).astype(np.float32) * math.sqrt(2 / 10)

    def run(lib):
        t = lib["torch"]
        Function = t.autograd.Function

        class MyRelu(Function):
            @staticmethod
            def forward(ctx, i):
                result = i.clamp_min(0.0)
                ctx.save_for_backward(i)
                return result

            @staticmethod
            def backward(ctx, grad_output):
                (i,) = ctx.saved_tensors
                return grad_output * (i > 0).float()

        class LinearLayer(Function):  # nn.Linear's maths as a Function: forward and backward written out
            @staticmethod
            def forward(ctx, x, weight, bias):
                ctx.save_for_backward(x, weight)
                return x @ weight.t() + bias

            @staticmethod
            def backward(ctx, grad_output):
                x, weight = ctx.saved_tensors
                grad_x = grad_output @ weight if ctx.needs_input_grad[0] else None
                return grad_x, grad_output.t() @ x, grad_output.sum(0)

        x = t.tensor(x0, requires_grad=True)
        w = t.tensor(w0, requires_grad=True)
        b = t.zeros(2, requires_grad=True)
        out = MyRelu.apply(LinearLayer.apply(x, w, b))
        (out * t.tensor([[1.0, -2.0]])).sum().backward()
        x_needs_none = t.tensor(x0)
        w.grad = None
        LinearLayer.apply(x_needs_none, w, b).pow(2).sum().backward()
        return out, x.grad, w.grad, b.grad, out.grad_fn is not None, x_needs_none.grad is None

    theirs, ours = _both(torch, run)
    for q, p in zip(ours[:4], theirs[:4], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-6)
    assert ours[4:] == theirs[4:] == (True, True)


def test_chapter_17_linear_layer_module_and_fastai_module_with_pre_init_metaclass_as_torch(torch):
    state = {}

    def run(lib):
        t, nn = lib["torch"], lib["nn"]

        class LinearLayer(nn.Module):
            def __init__(self, n_in, n_out):
                super().__init__()
                self.weight = nn.Parameter(t.randn(n_out, n_in) * math.sqrt(2 / n_in))
                self.bias = nn.Parameter(t.zeros(n_out))

            def forward(self, x):
                return x @ self.weight.t() + self.bias

        lin = LinearLayer(10, 2)
        p1, p2 = lin.parameters()
        shapes = (tuple(p1.shape), tuple(p2.shape), [name for name, _ in lin.named_parameters()])

        def mse(output, targ):
            return (output.squeeze(dim=-1) - targ).pow(2).mean()

        class PrePostInitMeta(type):  # fastcore's: nn.Module.__init__ runs before the subclass's __init__
            def __call__(cls, *args, **kwargs):
                res = cls.__new__(cls)
                if type(res) is cls:
                    if hasattr(res, "__pre_init__"):
                        res.__pre_init__(*args, **kwargs)
                    res.__init__(*args, **kwargs)
                    if hasattr(res, "__post_init__"):
                        res.__post_init__(*args, **kwargs)
                return res

        class Module(nn.Module, metaclass=PrePostInitMeta):
            def __pre_init__(self, *args, **kwargs):
                super().__init__()

            def __init__(self):
                pass

        class Model(Module):
            def __init__(self, n_in, nh, n_out):
                self.layers = nn.Sequential(nn.Linear(n_in, nh), nn.ReLU(), nn.Linear(nh, n_out))
                self.loss = mse

            def forward(self, x, targ):
                return self.loss(self.layers(x).squeeze(), targ)

        model = Model(100, 50, 1)
        if not state:
            state.update({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
        model.load_state_dict({k: t.tensor(v) for k, v in state.items()})
        loss = model(t.tensor(_CH17_X), t.tensor(_CH17_Y))
        loss.backward()
        names = [name for name, _ in model.named_parameters()]
        return shapes, names, loss, [p.grad for p in model.parameters()], type(model).__name__

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] == ((2, 10), (2,), ["weight", "bias"])
    assert ours[1] == theirs[1] == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    _close(ours[2], theirs[2])
    for q, p in zip(ours[3], theirs[3], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-6)
    assert ours[4] == theirs[4] == "Model"


def test_chapter_19_log_softmax_logsumexp_nll_and_cross_entropy_by_hand_as_torch(torch):
    logits = _RNG.standard_normal((6, 10)).astype(np.float32) * 8
    targets = np.array([0, 3, 9, 1, 2, 3])

    def run(lib):
        t, F = lib["torch"], lib["F"]
        x = t.tensor(logits, requires_grad=True)
        yb = t.tensor(targets)

        def nll(input, target):
            return -input[range(target.shape[0]), target].mean()

        def log_softmax_naive(x):
            return (x.exp() / (x.exp().sum(-1, keepdim=True))).log()

        def log_softmax_sub(x):
            return x - x.exp().sum(-1, keepdim=True).log()

        def logsumexp(x):
            m = x.max(dim=-1)[0]  # the book's x.max(-1)[0]: torch's pair, spelled with dim= here
            return m + (x - m[:, None]).exp().sum(-1).log()

        def log_softmax(x):
            return x - x.logsumexp(-1, keepdim=True)

        def cross_entropy(preds, yb):
            return nll(log_softmax(preds), yb).mean()

        loss = cross_entropy(x, yb)
        loss.backward()
        values = [log_softmax_naive(x), log_softmax_sub(x), logsumexp(x), x.logsumexp(-1), log_softmax(x)]
        return values, loss, F.cross_entropy(x, yb), x.grad

    theirs, ours = _both(torch, run)
    for q, p in zip(ours[0], theirs[0], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-4)
    _close(ours[1], theirs[1])
    _close(ours[2], theirs[2])
    _close(ours[1], ours[2])
    _close(ours[3], theirs[3])


class _CancelFitException(Exception):  # noqa: N818 (the book's name)
    pass


def test_chapter_19_learner_with_track_results_lr_finder_and_one_cycle_callbacks_as_torch(torch):
    xs = np.concatenate([THREES, SEVENS])[:, None]
    ys = np.array([1] * len(THREES) + [0] * len(SEVENS))
    valid_xs = np.concatenate([VALID_THREES, VALID_SEVENS])[:, None]
    valid_ys = np.array([1] * len(VALID_THREES) + [0] * len(VALID_SEVENS))
    state = {}

    def run(lib):
        t, nn, F = lib["torch"], lib["nn"], lib["F"]

        def collate(idxs, ds):
            xb, yb = zip(*[ds[i] for i in idxs])
            return t.stack(xb), t.stack(yb)

        class DataLoader:  # the chapter's, without the worker processes: batches in order
            def __init__(self, ds, bs=16):
                self.d, self.bs = ds, bs

            def __len__(self):
                return (len(self.d) - 1) // self.bs + 1

            def __iter__(self):
                idxs = list(range(len(self.d)))
                for n in range(0, len(self.d), self.bs):
                    yield collate(idxs[n : n + self.bs], ds=self.d)

        stats = [t.tensor([0.2]), t.tensor([0.3])]

        class Normalize:
            def __init__(self, stats):
                self.stats = stats

            def __call__(self, x):
                if x.device != self.stats[0].device:
                    raise AssertionError("the book moves the stats to x's device")
                return (x - self.stats[0][:, None, None]) / self.stats[1][:, None, None]

        norm = Normalize(stats)
        train = [(norm(t.tensor(x)), t.tensor(y)) for x, y in zip(xs, ys)]
        valid = [(norm(t.tensor(x)), t.tensor(y)) for x, y in zip(valid_xs, valid_ys)]

        class DataLoaders:
            def __init__(self, *dls):
                self.train, self.valid = dls

        dls = DataLoaders(DataLoader(train), DataLoader(valid))

        class SGD:
            def __init__(self, params, lr, wd=0.0):
                self.params, self.lr, self.wd = list(params), lr, wd

            def step(self):
                for p in self.params:
                    p.data -= (p.grad.data + p.data * self.wd) * self.lr
                    p.grad.data.zero_()

        class Callback:
            def __getattr__(self, k):
                return getattr(self.learner, k)

        class Learner:
            def __init__(self, model, dls, loss_func, lr, cbs, opt_func=SGD):
                self.model, self.dls, self.loss_func, self.lr, self.cbs, self.opt_func = (
                    model,
                    dls,
                    loss_func,
                    lr,
                    cbs,
                    opt_func,
                )
                for cb in cbs:
                    cb.learner = self

            def one_batch(self):
                self("before_batch")
                xb, yb = self.batch
                self.preds = self.model(xb)
                self.loss = self.loss_func(self.preds, yb)
                if self.model.training:
                    self.loss.backward()
                    self.opt.step()
                self("after_batch")

            def one_epoch(self, train):
                self.model.training = train
                self("before_epoch")
                dl = self.dls.train if train else self.dls.valid
                for self.num, self.batch in enumerate(dl):
                    self.one_batch()
                self("after_epoch")

            def fit(self, n_epochs):
                self("before_fit")
                self.opt = self.opt_func(self.model.parameters(), self.lr)
                self.n_epochs = n_epochs
                try:
                    for self.epoch in range(n_epochs):
                        self.one_epoch(True)
                        self.one_epoch(False)
                except _CancelFitException:
                    pass
                self("after_fit")

            def __call__(self, name):
                for cb in self.cbs:
                    getattr(cb, name, lambda: None)()

        class TrackResults(Callback):
            def __init__(self):
                self.results = []

            def before_epoch(self):
                self.accs, self.losses, self.ns = [], [], []

            def after_epoch(self):
                n = sum(self.ns)
                self.results.append(
                    (self.epoch, self.model.training, sum(self.losses).item() / n, sum(self.accs).item() / n)
                )

            def after_batch(self):
                xb, yb = self.batch
                acc = (self.preds.argmax(dim=1) == yb).float().sum()
                self.accs.append(acc)
                n = len(xb)
                self.losses.append(self.loss * n)
                self.ns.append(n)

        class LRFinder(Callback):
            def before_fit(self):
                self.losses, self.lrs = [], []
                self.learner.lr = 0.001

            def before_batch(self):
                if not self.model.training:
                    return
                self.opt.lr *= 1.2

            def after_batch(self):
                if not self.model.training:
                    return
                if self.opt.lr > 10 or t.isnan(self.loss):
                    raise _CancelFitException
                self.losses.append(self.loss.item())
                self.lrs.append(self.opt.lr)

        class OneCycle(Callback):
            def __init__(self, base_lr):
                self.base_lr = base_lr

            def before_fit(self):
                self.lrs = []

            def before_batch(self):
                if not self.model.training:
                    return
                n = len(self.dls.train)
                bn = self.epoch * n + self.num
                mn = self.n_epochs * n
                pct = bn / mn
                pct_start, div_start = 0.25, 10
                if pct < pct_start:
                    pct /= pct_start
                    lr = (1 - pct) * self.base_lr / div_start + pct * self.base_lr
                else:
                    pct = (pct - pct_start) / (1 - pct_start)
                    lr = (1 - pct) * self.base_lr
                self.opt.lr = lr
                self.lrs.append(lr)

        def simple_cnn():
            return nn.Sequential(
                nn.Conv2d(1, 8, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.Conv2d(8, 16, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(16, 2),
            )

        def fresh():
            model = simple_cnn()
            if not state:
                state.update({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
            model.load_state_dict({k: t.tensor(v) for k, v in state.items()})
            return model

        results = []
        track = TrackResults()
        learn = Learner(fresh(), dls, F.cross_entropy, lr=0.1, cbs=[track])
        learn.fit(2)
        results.append(track.results)
        finder = LRFinder()
        learn = Learner(fresh(), dls, F.cross_entropy, lr=0.1, cbs=[finder])
        learn.fit(2)
        results.append((finder.lrs, finder.losses))
        one_cycle, track = OneCycle(0.1), TrackResults()
        learn = Learner(fresh(), dls, F.cross_entropy, lr=0.1, cbs=[track, one_cycle])
        learn.fit(3)
        results.append((one_cycle.lrs, track.results, [p.detach().clone() for p in learn.model.parameters()]))
        return results

    theirs, ours = _both(torch, run)
    for (qe, qt, ql, qa), (pe, pt, pl, pa) in zip(ours[0], theirs[0], strict=True):
        assert (qe, qt) == (pe, pt) and ql == pytest.approx(pl, rel=1e-4) and qa == pytest.approx(pa, abs=1e-6)
    np.testing.assert_allclose(ours[1][0], theirs[1][0], rtol=1e-12)
    np.testing.assert_allclose(ours[1][1], theirs[1][1], rtol=1e-3, atol=1e-5)
    assert ours[2][0] == theirs[2][0]
    for (qe, qt, ql, qa), (pe, pt, pl, pa) in zip(ours[2][1], theirs[2][1], strict=True):
        assert (qe, qt) == (pe, pt) and ql == pytest.approx(pl, rel=1e-4) and qa == pytest.approx(pa, abs=1e-6)
    for q, p in zip(ours[2][2], theirs[2][2], strict=True):
        _close(q, p, rtol=1e-3, atol=1e-5)
