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
