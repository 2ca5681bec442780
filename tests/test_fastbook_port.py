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
