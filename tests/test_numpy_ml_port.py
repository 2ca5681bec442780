"""numpy-ml's neural-network tests (ddbourgin/numpy-ml, numpy_ml/tests/: test_nn.py, test_nn_activations.py, the
torch references of nn_torch_models.py, and the nn-related parts of test_utils.py), ported to this library.

numpy-ml writes each component's forward and backward pass by hand in numpy and checks them against torch (or
sklearn/scipy). Here each component is the same computation spelled with this library's torch-named API; every case
is one ``compute(lib, ...)`` run through both libraries on the same float64 arrays (``lib`` is ``autograd``/``nn`` or
``torch``/``torch.nn``; modules are built in torch first and their state is loaded into ours), and the outputs and
the gradients of a random projection of them must agree. Where numpy-ml's component has no torch spelling (its
optimizers' and schedulers' update rules, its initializers' bounds, its naive convolution) the expected values are
computed independently in plain numpy from numpy-ml's formulas.

What is covered, with numpy-ml's names: the activations (Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU, SoftPlus, GELU
exact and tanh-approximated, Exponential, Affine, Identity, HardSigmoid, Softmax) with their first and second
derivatives; the losses (SquaredError through tanh, CrossEntropy on probabilities and on logits, VAELoss,
WGAN_GPLoss and a whole WGAN-GP critic step with its gradient penalty differentiated twice); the layers
(FullyConnected, Embedding, BatchNorm1D/2D with their running statistics, LayerNorm1D/2D, Multiply, Add, RNNCell and
LSTMCell unrolled in time, Conv1D/Conv2D with padding, stride and dilation, Deconv2D, Pool2D average and max,
DotProductAttention, Flatten); the modules (MultiHeadedAttentionModule, BidirectionalLSTM,
SkipConnectionIdentityModule, SkipConnectionConvModule, WavenetResidualModule); the utilities pad1D ("same",
"causal"), conv2D against conv2D_naive, im2col/col2im (unfold/fold) and the Dropout wrapper; the optimizers (SGD
with momentum, AdaGrad, RMSProp, Adam, each with numpy-ml's per-parameter ``clip_norm``) and the schedulers
(Constant, Exponential smooth and staircase, Noam) against numpy-ml's update rules; the initializers (glorot/xavier
uniform and normal with numpy-ml's gains, he/kaiming uniform, truncated normal); and test_utils.py's distance
metrics and kernels (euclidean, manhattan, chebyshev, minkowski, hamming; linear, polynomial, RBF), with their
gradients.

Conventions translated, not differences: numpy-ml keeps images channels-last (N, H, W, C) and sequences (N, L, C),
torch and the library channels-first, so inputs are moved with ``np.moveaxis``; numpy-ml's dilation d is torch's
dilation d + 1; its BatchNorm momentum m is torch's momentum 1 - m; its Pool2D pads with zeros and averages over the
whole window (torch's ``count_include_pad=True``); numpy-ml backpropagates a ones cotangent, the cases here a random
one (a ones cotangent makes batch norm's input gradient vanish identically, so it would check nothing); numpy-ml
leaves its running variance unchecked (its own is biased), here the running variance is torch's unbiased one;
numpy-ml's ``clip_norm`` divides by the gradient's norm, ``clip_grad_norm_`` by the norm + 1e-6, so clipped updates
agree with numpy-ml's to 1e-6 and with torch's exactly; where numpy-ml redraws a layer configuration whose output
would be empty, both libraries are checked to refuse it.

Left out, and why:

- NCELoss (its gold standard is TensorFlow's ``nce_loss`` with TensorFlow's sampler) and the TensorFlow WGAN_GP model
  test: neither library has a candidate sampler; the WGAN-GP critic step is ported with torch as the reference.
- KingScheduler: its OLS test on the loss history has no torch (or library) counterpart (ReduceLROnPlateau decides
  on other grounds).
- numpy-ml's ``he_normal`` draws from a normal truncated at two standard deviations; torch's and the library's
  ``kaiming_normal_`` draw from an untruncated normal (the truncated draw is ``trunc_normal_``, checked below).
- numpy-ml's upstream slips, written out rather than copied: its LeakyReLU glorot gain ``np.sqrt(2 / 1 + a ** 2)``
  is torch's ``calculate_gain("leaky_relu", a) = sqrt(2 / (1 + a ** 2))`` misparenthesised; its GELU ``grad2``
  is not the second derivative phi(x) (2 - x^2) (it scales by ``1 / 2 * sqrt(2)``, i.e. sqrt(2) / 2, and adds a
  constant 1; the second derivatives here are torch's); its SGD momentum scales only the newest gradient by the learning rate (``v = m v + lr g``), which is
  torch's ``b = m b + g, p -= lr b`` only while the learning rate is constant, so SGD is checked without a schedule;
  the Noam formula raises at step 0 (``0 ** -0.5``), so the schedule is evaluated at step + 1 (the Transformer
  counts steps from 1).
- the BernoulliVAE and word2vec model fits (they need MNIST or a corpus); their losses and layers are covered.
"""

from __future__ import annotations

import itertools
import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.optim import lr_scheduler

torch = pytest.importorskip("torch")

OURS = types.SimpleNamespace(name="ours", T=ag, nn=nn, F=F, grad=ag.grad, optim=nn.optim, sched=lr_scheduler)
THEIRS = types.SimpleNamespace(
    name="torch",
    T=torch,
    nn=torch.nn,
    F=torch.nn.functional,
    grad=torch.autograd.grad,
    optim=torch.optim,
    sched=torch.optim.lr_scheduler,
)

SEEDS = range(4)

# torch's note on its own padding="same" with an even kernel (raised from torch's modules only, not the library's)
pytestmark = pytest.mark.filterwarnings(r"ignore:Using padding='same':UserWarning:torch\..*")


# -- running one computation through both libraries ----------------------------------------------------------------


def _np(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if hasattr(x, "detach"):
        return np.asarray(x.detach().numpy())
    return np.asarray(x)


def leaf(lib: Any, array: Any, grad: bool = True) -> Any:
    """A float64 (or integer) leaf tensor of ``array`` in ``lib``; floating leaves require grad."""
    array = np.ascontiguousarray(array)
    return lib.T.tensor(array, requires_grad=grad and array.dtype.kind == "f")


def module(lib: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """``lib.nn.<name>(*args)`` in float64. torch's is built first and its state is queued; ours loads that state."""
    m = getattr(lib.nn, name)(*args, dtype=lib.T.float64, **kwargs)
    if lib.T is torch:
        lib.states.append({k: v.detach().numpy().copy() for k, v in m.state_dict().items()})
    else:
        m.load_state_dict({k: ag.tensor(v) for k, v in lib.states.pop(0).items()})
    return m


def named_grads(lib: Any, loss: Any, named: dict[str, Any]) -> dict[str, Any]:
    """The gradients of ``loss`` with respect to each of ``named``, keyed ``d<name>``."""
    grads = lib.grad(loss, list(named.values()))
    return {"d" + k: g for k, g in zip(named, grads)}


def project(lib: Any, y: Any, seed: int = 99) -> Any:
    """A scalar loss <w, y> with a fixed random cotangent w of y's shape."""
    w = np.random.default_rng(seed).standard_normal(tuple(y.shape))
    return (y * lib.T.tensor(w)).sum()


def both(compute: Callable[..., dict[str, Any]], *args: Any, rtol: float = 1e-7, atol: float = 1e-9) -> dict:
    """Run ``compute`` with torch, then with the library, and assert every entry agrees in shape and value."""
    states: list[dict[str, np.ndarray]] = []
    theirs = compute(types.SimpleNamespace(**vars(THEIRS), states=states), *args)
    ours = compute(types.SimpleNamespace(**vars(OURS), states=states), *args)
    assert not states, "a module built in torch was not built in the library"
    assert ours.keys() == theirs.keys()
    for key in theirs:
        a, b = _np(ours[key]), _np(theirs[key])
        assert a.shape == b.shape, (key, a.shape, b.shape)
        assert a.dtype == b.dtype, (key, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=key)
    return {k: _np(v) for k, v in ours.items()}


def random_tensor(rng: np.random.Generator, shape: tuple[int, ...], standardize: bool = False) -> np.ndarray:
    """numpy_ml.utils.testing.random_tensor: offset, scaled uniform draws, optionally standardized per column."""
    offset = rng.integers(-300, 300, shape)
    X = rng.random(shape) + offset
    if standardize:
        X = (X - X.mean(axis=0)) / (X.std(axis=0) + np.finfo(float).eps)
    return X


def random_one_hot(rng: np.random.Generator, n_ex: int, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[rng.integers(0, n_classes, n_ex)]


def random_stochastic(rng: np.random.Generator, n_ex: int, n_classes: int) -> np.ndarray:
    X = rng.random((n_ex, n_classes))
    return X / X.sum(axis=1, keepdims=True)


def nhwc_to_nchw(images: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(images, 3, 1))


# -- activations: value, first and second derivative ---------------------------------------------------------------

ACTIVATIONS: dict[str, Callable[[Any, Any, dict], Any]] = {
    "Sigmoid": lambda lib, z, p: lib.T.sigmoid(z),
    "Tanh": lambda lib, z, p: lib.T.tanh(z),
    "ReLU": lambda lib, z, p: lib.F.relu(z),
    "LeakyReLU": lambda lib, z, p: lib.F.leaky_relu(z, p["alpha"]),
    "ELU": lambda lib, z, p: lib.F.elu(z, p["alpha"]),
    "SELU": lambda lib, z, p: lib.F.selu(z),
    "SoftPlus": lambda lib, z, p: lib.F.softplus(z),
    "GELU": lambda lib, z, p: lib.F.gelu(z),
    "GELU(approximate)": lambda lib, z, p: lib.F.gelu(z, approximate="tanh"),
    "Exponential": lambda lib, z, p: lib.T.exp(z),
    "Affine": lambda lib, z, p: p["slope"] * z + p["intercept"],
    "Identity": lambda lib, z, p: lib.nn.Identity()(z),
    # numpy-ml's HardSigmoid is clip(0.2 z + 0.5, 0, 1) (Keras's), not torch's clip(z / 6 + 1 / 2, 0, 1)
    "HardSigmoid": lambda lib, z, p: lib.F.hardtanh(0.2 * z + 0.5, 0.0, 1.0),
    "Softmax": lambda lib, z, p: lib.F.softmax(z, dim=1),
}


def _activation_derivatives(lib: Any, name: str, z: np.ndarray, params: dict) -> dict[str, Any]:
    zt = leaf(lib, z)
    y = ACTIVATIONS[name](lib, zt, params)
    (g,) = lib.grad(project(lib, y), zt, create_graph=True)
    out = {"fn": y, "grad": g, "grad_has_graph": np.array(g.requires_grad)}
    if g.requires_grad:  # an affine map's gradient is a constant, outside the graph in both libraries
        (out["grad2"],) = lib.grad(project(lib, g, seed=7), zt)
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_value_and_two_derivatives_match_torch(name: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = random_tensor(rng, (int(rng.integers(1, 8)), int(rng.integers(1, 12))), standardize=True)
    if name == "Exponential":
        z = np.clip(z, -5, 5)
    params = {"alpha": rng.uniform(0, 10), "slope": rng.uniform(-3, 3), "intercept": rng.uniform(-3, 3)}
    both(lambda lib: _activation_derivatives(lib, name, z, params))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_on_unstandardized_and_extreme_inputs(name: str, dtype: type) -> None:
    """numpy-ml's gradient tests feed random_tensor's raw values (up to +-300) in torch's float32; here also the
    signed zeros, a subnormal and values past exp's float32 and float64 ranges: no overflow, nan or warning."""
    rng = np.random.default_rng(5)
    z = np.concatenate([random_tensor(rng, (4, 9)), [[0.0, -0.0, 1e-45, 89.0, -89.0, 700.0, -700.0, 1e4, -1e4]]])
    params = {"alpha": 1.7, "slope": 2.0, "intercept": -1.0}
    f32 = dtype == np.float32
    both(
        lambda lib: _activation_derivatives(lib, name, z.astype(dtype), params),
        rtol=2e-6 if f32 else 1e-7,
        atol=1e-6 if f32 else 1e-9,
    )


def test_activations_match_their_closed_forms() -> None:
    """numpy-ml's fn/grad/grad2 formulas (written out independently) for the activations that have them."""
    rng = np.random.default_rng(0)
    z = random_tensor(rng, (6, 9), standardize=True)
    s, t, alpha = 1 / (1 + np.exp(-z)), np.tanh(z), 2.5
    pdf, cdf = np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    expected = {
        "Sigmoid": (s, s * (1 - s), s * (1 - s) * (1 - 2 * s)),
        "Tanh": (t, 1 - t**2, -2 * t * (1 - t**2)),
        "ReLU": (np.maximum(z, 0), (z > 0) * 1.0, 0 * z),
        "LeakyReLU": (np.where(z > 0, z, alpha * z), np.where(z > 0, 1.0, alpha), 0 * z),
        "ELU": (
            np.where(z > 0, z, alpha * np.expm1(z)),
            np.where(z > 0, 1, alpha * np.exp(z)),
            np.where(z > 0, 0, alpha * np.exp(z)),
        ),
        "SoftPlus": (np.log1p(np.exp(z)), s, s * (1 - s)),
        "Exponential": (np.exp(z), np.exp(z), np.exp(z)),
        "GELU": (z * cdf, cdf + z * pdf, pdf * (2 - z**2)),  # not numpy-ml's grad2 (see the module docstring)
    }
    for name, (fn, d1, d2) in expected.items():
        zt = ag.tensor(z, requires_grad=True)
        y = ACTIVATIONS[name](OURS, zt, {"alpha": alpha})
        (g,) = ag.grad(y.sum(), zt, create_graph=True)
        (g2,) = ag.grad(g.sum(), zt)
        np.testing.assert_allclose(_np(y), fn, rtol=1e-12, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(_np(g), d1, rtol=1e-12, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(_np(g2), d2, rtol=1e-10, atol=1e-12, err_msg=name)


# -- losses --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_squared_error_through_tanh_matches_half_the_summed_mse(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 30)), int(rng.integers(2, 20)))
    y, z = random_tensor(rng, shape), random_tensor(rng, shape, standardize=True)

    def compute(lib: Any) -> dict[str, Any]:
        zt = leaf(lib, z)
        loss = 0.5 * lib.F.mse_loss(lib.T.tanh(zt), leaf(lib, y, grad=False), reduction="sum")
        return {"loss": loss, **named_grads(lib, loss, {"z": zt})}

    out = both(compute)
    # numpy-ml's SquaredError: loss 0.5 ||y_pred - y||^2, grad (y_pred - y) * tanh'(z)
    np.testing.assert_allclose(out["loss"], 0.5 * np.sum((np.tanh(z) - y) ** 2), rtol=1e-12)
    np.testing.assert_allclose(out["dz"], (np.tanh(z) - y) * (1 - np.tanh(z) ** 2), rtol=1e-10, atol=1e-12)
    same = ag.tensor(y)
    assert float(0.5 * F.mse_loss(same, same, reduction="sum")) == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_on_logits_has_softmax_minus_target_gradient(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_classes = int(rng.integers(1, 30)), int(rng.integers(2, 20))
    y = random_one_hot(rng, n_ex, n_classes)
    z = random_tensor(rng, (n_ex, n_classes), standardize=True)

    def compute(lib: Any) -> dict[str, Any]:
        zt = leaf(lib, z)
        by_index = lib.F.cross_entropy(zt, leaf(lib, y.argmax(1)), reduction="sum")
        by_probs = lib.F.cross_entropy(zt, leaf(lib, y, grad=False), reduction="sum")
        return {"loss": by_index, "loss_probs": by_probs, **named_grads(lib, by_index, {"z": zt})}

    out = both(compute)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(out["dz"], p - y, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out["loss"], out["loss_probs"], rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_on_probabilities_is_sklearn_log_loss_unnormalized(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_classes = int(rng.integers(1, 30)), int(rng.integers(2, 20))
    y, y_pred = random_one_hot(rng, n_ex, n_classes), random_stochastic(rng, n_ex, n_classes)

    def compute(lib: Any) -> dict[str, Any]:
        pt = leaf(lib, y_pred)
        loss = lib.F.nll_loss(lib.T.log(pt), leaf(lib, y.argmax(1)), reduction="sum")
        return {"loss": loss, **named_grads(lib, loss, {"y_pred": pt})}

    out = both(compute)
    np.testing.assert_allclose(out["loss"], -np.sum(y * np.log(y_pred)), rtol=1e-12)
    np.testing.assert_allclose(out["dy_pred"], -y / y_pred, rtol=1e-12)
    # equal one-hot arrays give zero loss
    same = ag.tensor(y)
    assert float(F.nll_loss(ag.log(same), ag.tensor(y.argmax(1)), reduction="sum")) == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_vae_loss_bce_plus_kl_matches_torch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, t_dim, n_pix = int(rng.integers(1, 10)), int(rng.integers(2, 10)), int(rng.integers(4, 60))
    eps = np.finfo(float).eps
    t_mean = random_tensor(rng, (n_ex, t_dim), standardize=True)
    t_log_var = np.log(np.abs(random_tensor(rng, (n_ex, t_dim), standardize=True)) + eps)
    X, X_recon = rng.random((n_ex, n_pix)), np.clip(rng.random((n_ex, n_pix)), eps, 1 - eps)

    def compute(lib: Any) -> dict[str, Any]:
        xr, mu, lv = leaf(lib, X_recon), leaf(lib, t_mean), leaf(lib, t_log_var)
        bce = lib.F.binary_cross_entropy(xr, leaf(lib, X, grad=False), reduction="none").sum(1)
        kld = -0.5 * (1 + lv - mu**2 - lib.T.exp(lv)).sum(1)
        loss = (bce + kld).mean()
        return {"loss": loss, **named_grads(lib, loss, {"X_recon": xr, "t_mean": mu, "t_log_var": lv})}

    out = both(compute)
    # numpy-ml's VAELoss.grad formulas
    np.testing.assert_allclose(out["dX_recon"], -(X / X_recon - (1 - X) / (1 - X_recon)) / n_ex, rtol=1e-9)
    np.testing.assert_allclose(out["dt_mean"], t_mean / n_ex, rtol=1e-12)
    np.testing.assert_allclose(out["dt_log_var"], -0.5 * (1 - np.exp(t_log_var)) / n_ex, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_wgan_gp_critic_and_generator_losses_match_torch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lam, n_ex, n_feats = int(rng.integers(0, 10)), int(rng.integers(1, 10)), int(rng.integers(2, 10))
    Y_real, Y_fake = random_tensor(rng, (n_ex,), True), random_tensor(rng, (n_ex,), True)
    grad_interp = random_tensor(rng, (n_ex, n_feats), True)

    def compute(lib: Any) -> dict[str, Any]:
        yr, yf, gi, gyf = leaf(lib, Y_real), leaf(lib, Y_fake), leaf(lib, grad_interp), leaf(lib, Y_fake)
        penalty = lam * ((lib.T.linalg.vector_norm(gi, dim=1) - 1) ** 2).mean()
        c_loss = yf.mean() - yr.mean() + penalty
        g_loss = -gyf.mean()
        out = {"C_loss": c_loss, "G_loss": g_loss, **named_grads(lib, c_loss, {"Y_real": yr, "Y_fake": yf, "gi": gi})}
        return {**out, **named_grads(lib, g_loss, {"G_Y_fake": gyf})}

    out = both(compute)
    norm = np.linalg.norm(grad_interp, axis=1, keepdims=True)
    # a lone example standardizes to zeros: the norm's gradient at 0 is taken as 0, as torch's
    unit = np.divide(grad_interp, norm, out=np.zeros_like(grad_interp), where=norm > 0)
    np.testing.assert_allclose(out["dgi"], lam * 2 * (norm - 1) * unit / n_ex, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["dY_real"], -np.ones(n_ex) / n_ex)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_wgan_gp_critic_step_differentiates_the_gradient_penalty(seed: int) -> None:
    """numpy-ml's WGAN_GP fit step: generator forward, interpolation, critic forward on real, fake and interpolated
    data, the critic's input gradient (kept in the graph), the penalised critic loss back to every weight."""
    rng = np.random.default_rng(seed)
    n_ex, n_in, g_hidden, lam = 6, 4, 7, float(rng.integers(1, 20))
    X = random_tensor(rng, (n_ex, n_in), standardize=True)
    noise, alpha = rng.standard_normal((n_ex, n_in)), rng.random((n_ex, 1))

    def mlp(lib: Any, sizes: list[int]) -> Any:
        layers: list[Any] = []
        for a, b in itertools.pairwise(sizes):
            layers += [module(lib, "Linear", a, b), lib.nn.ReLU()]
        return lib.nn.Sequential(*layers[:-1])

    def compute(lib: Any) -> dict[str, Any]:
        gen, critic = mlp(lib, [n_in, g_hidden, g_hidden, n_in]), mlp(lib, [n_in, g_hidden, g_hidden, 1])
        x_real = leaf(lib, X, grad=False)
        x_fake = gen(leaf(lib, noise, grad=False))
        a = leaf(lib, alpha, grad=False)
        x_interp = (a * x_real + (1 - a) * x_fake.detach()).requires_grad_(True)
        y_interp = critic(x_interp)
        (grad_interp,) = lib.grad(y_interp.sum(), x_interp, create_graph=True)
        penalty = lam * ((lib.T.linalg.vector_norm(grad_interp, dim=1) - 1) ** 2).mean()
        c_loss = critic(x_fake.detach()).mean() - critic(x_real).mean() + penalty
        g_loss = -critic(x_fake).mean()
        out = {"C_loss": c_loss, "G_loss": g_loss, "grad_interp": grad_interp}
        out.update(named_grads(lib, c_loss, {"critic." + k: v for k, v in critic.named_parameters()}))
        return {**out, **named_grads(lib, g_loss, {"gen." + k: v for k, v in gen.named_parameters()})}

    both(compute)


# -- layers --------------------------------------------------------------------------------------------------------

ACT_MODULES = ["Tanh", "Sigmoid", "ReLU", "Identity"]


@pytest.mark.parametrize("seed", SEEDS)
def test_fully_connected_layer_matches_torch_linear_plus_activation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in, n_out = (int(v) for v in rng.integers(1, 20, 3))
    X, act = random_tensor(rng, (n_ex, n_in), True), ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        fc, x = module(lib, "Linear", n_in, n_out), leaf(lib, X)
        y = getattr(lib.nn, act)()(fc(x))
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x, "W": fc.weight, "b": fc.bias})}

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_embedding_accumulates_repeated_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vocab, n_ex, n_in, emb_dim = int(rng.integers(2, 40)), *(int(v) for v in rng.integers(1, 12, 3))
    X = rng.integers(0, vocab, (n_ex, n_in))

    def compute(lib: Any) -> dict[str, Any]:
        emb = module(lib, "Embedding", vocab, emb_dim)
        y = emb(leaf(lib, X))
        return {"y": y, **named_grads(lib, project(lib, y), {"W": emb.weight})}

    out = both(compute)
    assert out["y"].shape == (n_ex, n_in, emb_dim)


def rng_params(seed: int, *shape: int) -> np.ndarray:
    """Scales in [0.5, 1.5] for a normalization layer's weight (torch starts it at ones)."""
    return np.random.default_rng(1000 + seed).uniform(0.5, 1.5, shape)


def _norm_layer(lib: Any, layer: Any, x: Any) -> dict[str, Any]:
    y = layer(x)
    out = {"y": y, **named_grads(lib, project(lib, y), {"X": x, "scaler": layer.weight, "intercept": layer.bias})}
    if getattr(layer, "running_mean", None) is not None:
        out.update(running_mean=layer.running_mean, running_var=layer.running_var)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm1d_training_step_and_running_statistics(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in = int(rng.integers(2, 40)), int(rng.integers(1, 20))
    X = random_tensor(rng, (n_ex, n_in), True) * rng.uniform(0.5, 3) + rng.uniform(-2, 2)

    def compute(lib: Any) -> dict[str, Any]:
        # numpy-ml's momentum 0.9 (weight of the old running value) is torch's momentum 0.1
        bn = module(lib, "BatchNorm1d", n_in, eps=1e-5, momentum=1 - 0.9)
        with lib.T.no_grad():
            bn.weight.copy_(lib.T.tensor(rng_params(seed, n_in)))
        return _norm_layer(lib, bn, leaf(lib, X))

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm2d_on_channels_last_images(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, rows, cols, n_in = int(rng.integers(2, 6)), *(int(v) for v in rng.integers(1, 6, 2)), int(rng.integers(1, 4))
    X = random_tensor(rng, (n_ex, rows, cols, n_in), True)

    def compute(lib: Any) -> dict[str, Any]:
        bn = module(lib, "BatchNorm2d", n_in, eps=1e-5, momentum=0.1)
        return _norm_layer(lib, bn, leaf(lib, nhwc_to_nchw(X)))

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_layernorm1d_normalizes_each_example(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in = int(rng.integers(2, 30)), int(rng.integers(2, 20))
    X = random_tensor(rng, (n_ex, n_in), True) * 3

    def compute(lib: Any) -> dict[str, Any]:
        ln = module(lib, "LayerNorm", n_in, eps=1e-5)
        with lib.T.no_grad():
            ln.weight.copy_(lib.T.tensor(rng_params(seed, n_in)))
        return _norm_layer(lib, ln, leaf(lib, X))

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_layernorm2d_normalizes_over_channels_rows_and_columns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, rows, cols, n_in = int(rng.integers(2, 6)), *(int(v) for v in rng.integers(1, 6, 2)), int(rng.integers(1, 4))
    X = random_tensor(rng, (n_ex, rows, cols, n_in), True)

    def compute(lib: Any) -> dict[str, Any]:
        ln = module(lib, "LayerNorm", [n_in, rows, cols], eps=1e-5)
        with lib.T.no_grad():
            ln.weight.copy_(lib.T.tensor(rng_params(seed, n_in, rows, cols)))
        return _norm_layer(lib, ln, leaf(lib, nhwc_to_nchw(X)))

    both(compute, atol=1e-8)


@pytest.mark.parametrize("combine", ["Multiply", "Add"])
@pytest.mark.parametrize("seed", SEEDS)
def test_multiply_and_add_layers_of_several_inputs(combine: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in, n_entries = int(rng.integers(1, 20)), int(rng.integers(1, 20)), int(rng.integers(2, 5))
    Xs = [random_tensor(rng, (n_ex, n_in), True) for _ in range(n_entries)]
    act = ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        xs = [leaf(lib, x) for x in Xs]
        acc = xs[0]
        for x in xs[1:]:
            acc = acc * x if combine == "Multiply" else acc + x
        y = getattr(lib.nn, act)()(acc)
        return {"y": y, **named_grads(lib, project(lib, y), {f"X{i}": x for i, x in enumerate(xs)})}

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_cell_unrolled_over_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in, n_out, n_t = (int(v) for v in rng.integers(1, 8, 4))
    X = random_tensor(rng, (n_ex, n_in, n_t), True)

    def compute(lib: Any) -> dict[str, Any]:
        cell, x = module(lib, "RNNCell", n_in, n_out), leaf(lib, X)
        h, ys = None, []
        for t in range(n_t):
            h = cell(x[:, :, t], h)
            ys.append(h)
        y = lib.T.stack(ys, 2)
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x, **dict(cell.named_parameters())})}

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_cell_unrolled_over_time_with_cell_states(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in, n_out, n_t = (int(v) for v in rng.integers(1, 8, 4))
    X = random_tensor(rng, (n_ex, n_in, n_t), True)

    def compute(lib: Any) -> dict[str, Any]:
        cell, x = module(lib, "LSTMCell", n_in, n_out), leaf(lib, X)
        state, ys, cs = None, [], []
        for t in range(n_t):
            state = cell(x[:, :, t], state)
            ys.append(state[0])
            cs.append(state[1])
        y, c = lib.T.stack(ys, 2), lib.T.stack(cs, 0)
        loss = project(lib, y) + project(lib, c, seed=5)
        return {"y": y, "C": c, **named_grads(lib, loss, {"X": x, **dict(cell.named_parameters())})}

    both(compute)


def _conv_case(rng: np.random.Generator, n_dims: int) -> dict[str, Any]:
    """numpy-ml's random Conv1D/Conv2D configuration, redrawn until the output is non-empty."""
    while True:
        size = [int(v) for v in rng.integers(1, 10, n_dims)]
        kernel = [min(s, int(rng.integers(1, 5))) for s in size]
        p, s, d = int(rng.integers(0, 5)), int(rng.integers(1, 3)), int(rng.integers(0, 5))
        out = [1 + (n + 2 * p - (k * (d + 1) - d)) // s for n, k in zip(size, kernel)]
        if min(out) > 0:
            return {"size": size, "kernel": kernel, "pad": p, "stride": s, "dilation": d}


@pytest.mark.parametrize("seed", range(6))
def test_conv1d_with_padding_stride_and_dilation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = _conv_case(rng, 1)
    n_ex, n_in, n_out = int(rng.integers(1, 5)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
    X = random_tensor(rng, (n_ex, c["size"][0], n_in), True)  # numpy-ml's (N, L, C)
    act = ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        conv = module(
            lib, "Conv1d", n_in, n_out, c["kernel"][0], stride=c["stride"], padding=c["pad"], dilation=c["dilation"] + 1
        )
        x = leaf(lib, np.moveaxis(X, 2, 1))
        y = getattr(lib.nn, act)()(conv(x))
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x, "W": conv.weight, "b": conv.bias})}

    both(compute)


@pytest.mark.parametrize("seed", range(6))
def test_conv2d_with_padding_stride_and_dilation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = _conv_case(rng, 2)
    n_ex, n_in, n_out = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
    X = random_tensor(rng, (n_ex, *c["size"], n_in), True)
    act = ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        conv = module(
            lib,
            "Conv2d",
            n_in,
            n_out,
            tuple(c["kernel"]),
            stride=c["stride"],
            padding=c["pad"],
            dilation=c["dilation"] + 1,
        )
        x = leaf(lib, nhwc_to_nchw(X))
        y = getattr(lib.nn, act)()(conv(x))
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x, "W": conv.weight, "b": conv.bias})}

    both(compute)


@pytest.mark.parametrize("seed", range(6))
def test_deconv2d_is_conv_transpose_with_padding_and_stride(seed: int) -> None:
    rng = np.random.default_rng(seed)
    while True:
        rows, cols = (int(v) for v in rng.integers(1, 8, 2))
        kernel = (min(rows, int(rng.integers(1, 5))), min(cols, int(rng.integers(1, 5))))
        p, s = int(rng.integers(0, 3)), int(rng.integers(1, 3))
        if min(s * (rows - 1) - 2 * p + kernel[0], s * (cols - 1) - 2 * p + kernel[1]) > 0:
            break
    n_ex, n_in, n_out = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
    X = random_tensor(rng, (n_ex, rows, cols, n_in), True)
    act = ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        deconv = module(lib, "ConvTranspose2d", n_in, n_out, kernel, stride=s, padding=p)
        x = leaf(lib, nhwc_to_nchw(X))
        y = getattr(lib.nn, act)()(deconv(x))
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x, "W": deconv.weight, "b": deconv.bias})}

    out = both(compute)
    assert out["y"].shape[2:] == (s * (rows - 1) - 2 * p + kernel[0], s * (cols - 1) - 2 * p + kernel[1])


@pytest.mark.parametrize("mode", ["average", "max"])
@pytest.mark.parametrize("seed", range(6))
def test_pool2d_average_and_max_with_padding(mode: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = (int(v) for v in rng.integers(1, 10, 2))
    kernel = (min(rows, int(rng.integers(1, 5))), min(cols, int(rng.integers(1, 5))))
    p, s = int(rng.integers(0, max(1, min(kernel) // 2))), int(rng.integers(1, 3))
    n_ex, n_in = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    X = random_tensor(rng, (n_ex, rows, cols, n_in), True)

    def compute(lib: Any) -> dict[str, Any]:
        x = leaf(lib, nhwc_to_nchw(X))
        if mode == "average":  # numpy-ml pads with zeros and divides by the whole window
            y = lib.F.avg_pool2d(x, kernel, stride=s, padding=p, count_include_pad=True)
        else:
            y = lib.F.max_pool2d(x, kernel, stride=s, padding=p)
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x})}

    both(compute)


INVALID_GEOMETRIES: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "conv2d kernel taller than the padded input": (
        "conv2d",
        lambda lib, x: lib.F.conv2d(x, lib.T.ones(2, 3, 6, 2, dtype=x.dtype)),
    ),
    "conv1d dilated kernel longer than the input": (
        "conv1d",
        lambda lib, x: lib.F.conv1d(x[:, :, 0], lib.T.ones(2, 3, 2, dtype=x.dtype), dilation=5),
    ),
    "conv_transpose2d padding past the output": (
        "conv_transpose2d",
        lambda lib, x: lib.F.conv_transpose2d(x, lib.T.ones(3, 2, 2, 2, dtype=x.dtype), padding=3),
    ),
    "avg_pool2d padding over half the kernel": ("avg_pool2d", lambda lib, x: lib.F.avg_pool2d(x, 2, padding=2)),
    "max_pool2d kernel taller than the input": ("max_pool2d", lambda lib, x: lib.F.max_pool2d(x, (6, 2))),
}


@pytest.mark.parametrize("case", sorted(INVALID_GEOMETRIES))
def test_layer_geometry_without_output_is_refused(case: str) -> None:
    """numpy-ml's layer tests redraw a configuration whose output would be empty (its Deconv2D raises ValueError);
    both libraries refuse such a call, the library with a ValueError that names the function."""
    fname, call = INVALID_GEOMETRIES[case]
    X = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
    with pytest.raises(RuntimeError):
        call(THEIRS, torch.tensor(X))
    with pytest.raises(ValueError, match=fname):
        call(OURS, ag.tensor(X))


@pytest.mark.parametrize("seed", SEEDS)
def test_scaled_dot_product_attention_matches_torch_and_its_formula(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, d_k, d_v = int(rng.integers(1, 8)), int(rng.integers(1, 20)), int(rng.integers(1, 20))
    Q, K, V = (random_tensor(rng, (n_ex, d), True) for d in (d_k, d_k, d_v))

    def compute(lib: Any) -> dict[str, Any]:
        q, k, v = leaf(lib, Q), leaf(lib, K), leaf(lib, V)
        y = lib.F.scaled_dot_product_attention(q, k, v)
        by_hand = lib.F.softmax(q @ k.T / math.sqrt(d_k), dim=-1) @ v
        return {"Y": y, "Y_by_hand": by_hand, **named_grads(lib, project(lib, y), {"Q": q, "K": k, "V": v})}

    out = both(compute)
    np.testing.assert_allclose(out["Y"], out["Y_by_hand"], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_flatten_keeps_the_batch_dimension(seed: int) -> None:
    rng = np.random.default_rng(seed)
    X = random_tensor(rng, tuple(int(v) for v in rng.integers(1, 5, 4)), True)

    def compute(lib: Any) -> dict[str, Any]:
        x = leaf(lib, X)
        y = lib.nn.Flatten()(x)
        return {"y": y, **named_grads(lib, project(lib, y), {"X": x})}

    out = both(compute)
    np.testing.assert_array_equal(out["y"], X.reshape(X.shape[0], -1))


# -- modules -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_headed_attention_module(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, latent, n_heads = int(rng.integers(1, 8)), int(rng.integers(1, 5)), int(rng.integers(2, 5))
    d = n_heads * latent
    Q, K, V = (random_tensor(rng, (n_ex, d), True) for _ in range(3))

    def compute(lib: Any) -> dict[str, Any]:
        mha = module(lib, "MultiheadAttention", d, n_heads, dropout=0.0)
        q, k, v = leaf(lib, Q), leaf(lib, K), leaf(lib, V)
        y, weights = mha(q, k, v, need_weights=True, average_attn_weights=False)
        params = {"Q": q, "K": k, "V": v, **dict(mha.named_parameters())}
        return {"Y": y, "weights": weights, **named_grads(lib, project(lib, y), params)}

    both(compute)


@pytest.mark.parametrize("seed", SEEDS)
def test_bidirectional_lstm_module(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, n_in, n_out, n_t = (int(v) for v in rng.integers(1, 7, 4))
    X = random_tensor(rng, (n_ex, n_in, n_t), True)  # numpy-ml's (N, C, T)

    def compute(lib: Any) -> dict[str, Any]:
        lstm = module(lib, "LSTM", n_in, n_out, bidirectional=True)
        x = leaf(lib, np.moveaxis(X, 2, 0))  # (T, N, C)
        y, (h, c) = lstm(x)
        loss = project(lib, y) + project(lib, h, seed=3) + project(lib, c, seed=4)
        return {"y": y, "h_n": h, "c_n": c, **named_grads(lib, loss, {"X": x, **dict(lstm.named_parameters())})}

    both(compute)


def _conv_bn(lib: Any, c_in: int, c_out: int, kernel: tuple[int, int], stride: int, pad: Any) -> tuple[Any, Any]:
    return module(lib, "Conv2d", c_in, c_out, kernel, stride=stride, padding=pad), module(
        lib, "BatchNorm2d", c_out, momentum=0.1
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_skip_connection_identity_module(seed: int) -> None:
    """conv1 -> act -> batchnorm1 -> conv2 -> batchnorm2, plus the input, then act (shapes kept by "same" padding)."""
    rng = np.random.default_rng(seed)
    n_ex, rows, cols, ch = (
        int(rng.integers(2, 4)),
        int(rng.integers(3, 7)),
        int(rng.integers(3, 7)),
        int(rng.integers(2, 4)),
    )
    k1, k2 = (tuple(int(v) for v in 2 * rng.integers(0, 2, 2) + 1) for _ in range(2))
    X = random_tensor(rng, (n_ex, rows, cols, ch), True)
    act = ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        conv1, bn1 = _conv_bn(lib, ch, ch, k1, 1, (k1[0] // 2, k1[1] // 2))
        conv2, bn2 = _conv_bn(lib, ch, ch, k2, 1, (k2[0] // 2, k2[1] // 2))
        f, x = getattr(lib.nn, act)(), leaf(lib, nhwc_to_nchw(X))
        y = f(bn2(conv2(bn1(f(conv1(x))))) + x)
        params = {"X": x}
        for name, m in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]:
            params.update({f"{name}.{k}": v for k, v in m.named_parameters()})
        return {"Y": y, **named_grads(lib, project(lib, y), params)}

    both(compute, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_skip_connection_conv_module(seed: int) -> None:
    """The main path as above with two channel counts and strides, plus a strided conv + batchnorm skip path."""
    rng = np.random.default_rng(seed)
    n_ex, ch, c1, c2 = int(rng.integers(2, 4)), *(int(v) for v in rng.integers(2, 4, 3))
    rows, cols = 7, 8
    X = random_tensor(rng, (n_ex, rows, cols, ch), True)
    act = ACT_MODULES[seed % 4]

    def compute(lib: Any) -> dict[str, Any]:
        conv1, bn1 = _conv_bn(lib, ch, c1, (3, 3), 2, 1)  # 7x8 -> 4x4
        conv2, bn2 = _conv_bn(lib, c1, c2, (3, 2), 1, (1, 1))  # 4x4 -> 4x5
        conv_s, bn_s = _conv_bn(lib, ch, c2, (2, 1), 2, (1, 1))  # 7x8 -> 4x5
        f, x = getattr(lib.nn, act)(), leaf(lib, nhwc_to_nchw(X))
        y = f(bn2(conv2(bn1(f(conv1(x))))) + bn_s(conv_s(x)))
        params = {"X": x}
        for name, m in [
            ("conv1", conv1),
            ("bn1", bn1),
            ("conv2", conv2),
            ("bn2", bn2),
            ("conv_skip", conv_s),
            ("bn_skip", bn_s),
        ]:
            params.update({f"{name}.{k}": v for k, v in m.named_parameters()})
        return {"Y": y, **named_grads(lib, project(lib, y), params)}

    both(compute, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_wavenet_residual_module(seed: int) -> None:
    """Causal dilated conv, tanh * sigmoid gate, 1x1 conv; the result is added to both the main and skip streams."""
    rng = np.random.default_rng(seed)
    n_ex, l_in = int(rng.integers(1, 5)), int(rng.integers(1, 10))
    ch_res, ch_dil = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    width, d = min(l_in, int(rng.integers(1, 5))), int(rng.integers(0, 5))
    X_main, X_skip = random_tensor(rng, (n_ex, l_in, ch_res), True), random_tensor(rng, (n_ex, l_in, ch_res), True)

    def compute(lib: Any) -> dict[str, Any]:
        conv_dil = module(lib, "Conv1d", ch_res, ch_dil, width, dilation=d + 1)
        conv_1x1 = module(lib, "Conv1d", ch_dil, ch_res, 1)
        xm, xs = leaf(lib, np.moveaxis(X_main, 2, 1)), leaf(lib, np.moveaxis(X_skip, 2, 1))
        h = conv_dil(lib.F.pad(xm, ((width - 1) * (d + 1), 0)))
        out = conv_1x1(lib.T.tanh(h) * lib.T.sigmoid(h))
        y_main, y_skip = xm + out, xs + out
        loss = project(lib, y_main) + project(lib, y_skip, seed=3)
        params = {"X_main": xm, "X_skip": xs, **{f"dil.{k}": v for k, v in conv_dil.named_parameters()}}
        params.update({f"1x1.{k}": v for k, v in conv_1x1.named_parameters()})
        return {"Y_main": y_main, "Y_skip": y_skip, **named_grads(lib, loss, params)}

    out = both(compute)
    assert out["Y_main"].shape == (n_ex, ch_res, l_in)


# -- utilities -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pad", ["same", "causal"])
@pytest.mark.parametrize("seed", range(6))
def test_pad1d_same_and_causal_keep_the_length(pad: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, l_in, n_in, n_out = (
        int(rng.integers(1, 5)),
        int(rng.integers(1, 10)),
        int(rng.integers(1, 3)),
        int(rng.integers(1, 3)),
    )
    width, d = min(l_in, int(rng.integers(1, 5))), int(rng.integers(0, 5))
    X = random_tensor(rng, (n_ex, l_in, n_in), True)
    total = (width - 1) * (d + 1)

    def compute(lib: Any) -> dict[str, Any]:
        conv = module(lib, "Conv1d", n_in, n_out, width, dilation=d + 1, padding=pad if pad == "same" else 0)
        x = leaf(lib, np.moveaxis(X, 2, 1))
        # numpy-ml's pad1D: "same" puts the odd extra element on the right, "causal" everything on the left
        by_hand = (total // 2, total - total // 2) if pad == "same" else (total, 0)
        with lib.T.no_grad():
            manual = lib.F.conv1d(lib.F.pad(x, by_hand), conv.weight, conv.bias, dilation=d + 1)
        y = conv(x) if pad == "same" else conv(lib.F.pad(x, (total, 0)))
        return {"y": y, "manual": manual, **named_grads(lib, project(lib, y), {"X": x, "W": conv.weight})}

    out = both(compute)
    assert out["y"].shape[2] == l_in
    np.testing.assert_allclose(out["y"], out["manual"], rtol=1e-12, atol=1e-12)


def conv2d_naive(padded: np.ndarray, weights: np.ndarray, stride: int) -> np.ndarray:
    """numpy-ml's conv2D_naive on an already padded channels-last input: a loop over every output position."""
    n_ex, in_rows, in_cols, _ = padded.shape
    fr, fc, _, out_ch = weights.shape
    out_rows, out_cols = (in_rows - fr) // stride + 1, (in_cols - fc) // stride + 1
    Z = np.zeros((n_ex, out_rows, out_cols, out_ch))
    for m, i, j, c in itertools.product(range(n_ex), range(out_rows), range(out_cols), range(out_ch)):
        window = padded[m, i * stride : i * stride + fr, j * stride : j * stride + fc, :]
        Z[m, i, j, c] = np.sum(window * weights[:, :, :, c])
    return Z


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_matches_the_naive_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_ex, rows, cols, in_ch, out_ch = (int(v) for v in rng.integers(2, 6, 5))
    kernel = (min(rows, int(rng.integers(2, 5))), min(cols, int(rng.integers(2, 5))))
    s, p = int(rng.integers(1, 3)), int(rng.integers(0, 3))
    X, W = rng.random((n_ex, rows, cols, in_ch)), rng.standard_normal((*kernel, in_ch, out_ch))
    gold = conv2d_naive(np.pad(X, ((0, 0), (p, p), (p, p), (0, 0))), W, s)
    # numpy-ml's weights are (fr, fc, in, out); the library's (out, in, fr, fc)
    mine = F.conv2d(
        ag.tensor(nhwc_to_nchw(X)), ag.tensor(np.ascontiguousarray(W.transpose(3, 2, 0, 1))), stride=s, padding=p
    )
    np.testing.assert_allclose(np.moveaxis(_np(mine), 1, 3), gold, rtol=1e-12, atol=1e-12)


def im2col_naive(x: np.ndarray, kernel: tuple[int, int], stride: int, pad: int, dilation: int) -> np.ndarray:
    """numpy-ml's im2col on a channels-first input: one column of every (dilated) patch, channel-major rows."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n_ex, ch, rows, cols = x.shape
    span = [(k - 1) * dilation + 1 for k in kernel]
    out_rows, out_cols = (rows - span[0]) // stride + 1, (cols - span[1]) // stride + 1
    cols_out = np.zeros((n_ex, ch * kernel[0] * kernel[1], out_rows * out_cols))
    for i, j in itertools.product(range(out_rows), range(out_cols)):
        r, c = i * stride, j * stride
        patch = x[:, :, r : r + span[0] : dilation, c : c + span[1] : dilation]
        cols_out[:, :, i * out_cols + j] = patch.reshape(n_ex, -1)
    return cols_out


@pytest.mark.parametrize("seed", SEEDS)
def test_im2col_is_unfold_and_col2im_is_its_adjoint_fold(seed: int) -> None:
    """numpy-ml's conv2D runs on im2col / col2im: F.unfold against a loop over the patches, and F.fold as its adjoint
    (<unfold(x), c> = <x, fold(c)>, which is what col2im computes in numpy-ml's backward pass)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, int(rng.integers(1, 4)), int(rng.integers(5, 9)), int(rng.integers(5, 9))))
    kernel, s, p, d = (
        (int(rng.integers(1, 4)), int(rng.integers(1, 4))),
        int(rng.integers(1, 3)),
        int(rng.integers(0, 2)),
        int(rng.integers(1, 3)),
    )
    cols = _np(F.unfold(ag.tensor(X), kernel, dilation=d, padding=p, stride=s))
    np.testing.assert_array_equal(cols, im2col_naive(X, kernel, s, p, d))
    C = rng.standard_normal(cols.shape)
    folded = _np(F.fold(ag.tensor(C), X.shape[2:], kernel, dilation=d, padding=p, stride=s))
    np.testing.assert_allclose(np.sum(cols * C), np.sum(X * folded), rtol=1e-12)


def test_gelu_tanh_approximation_stays_within_5e_4_of_the_exact_gelu() -> None:
    """numpy-ml checks its approximate GELU against the exact one; the tanh form's largest error is about 4.7e-4."""
    z = ag.linspace(-6, 6, 20001, dtype=ag.float64)
    gap = np.abs(_np(F.gelu(z)) - _np(F.gelu(z, approximate="tanh")))
    assert 1e-4 < gap.max() < 5e-4


def test_dropout_wrapper_scales_kept_units_and_is_the_identity_in_eval() -> None:
    """numpy-ml's Dropout wrapper: inverted dropout (kept units scaled by 1 / (1 - p)) while training, none at eval."""
    p, X = 0.3, np.random.default_rng(0).uniform(1, 2, (200, 50))
    layer = nn.Dropout(p, rng=np.random.default_rng(1))
    x = ag.tensor(X, requires_grad=True)
    y = layer(x)
    (g,) = ag.grad(y.sum(), x)
    kept = _np(y) != 0
    np.testing.assert_allclose(_np(y)[kept], X[kept] / (1 - p), rtol=1e-12)
    np.testing.assert_allclose(_np(g), kept / (1 - p), rtol=1e-12)
    assert abs(kept.mean() - (1 - p)) < 0.02
    layer.eval()
    np.testing.assert_array_equal(_np(layer(x)), X)


# -- optimizers: numpy-ml's update rules ---------------------------------------------------------------------------


def _clip(g: np.ndarray, clip_norm: float | None) -> np.ndarray:
    n = np.linalg.norm(g)
    return g * clip_norm / n if clip_norm is not None and n > clip_norm else g


def numpy_ml_steps(name: str, p: np.ndarray, grads: list[np.ndarray], hp: dict, lrs: list[float]) -> list[np.ndarray]:
    """numpy-ml's SGD / AdaGrad / RMSProp / Adam update of one parameter, written out, for each gradient in turn."""
    cache, mean, var, out = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), []
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        g = _clip(g, hp.get("clip_norm"))
        if name == "SGD":
            cache = hp["momentum"] * cache + lr * g
            p = p - cache
        elif name == "AdaGrad":
            cache = cache + g**2
            p = p - lr * g / (np.sqrt(cache) + hp["eps"])
        elif name == "RMSProp":
            cache = hp["decay"] * cache + (1 - hp["decay"]) * g**2
            p = p - lr * g / (np.sqrt(cache) + hp["eps"])
        else:
            mean = hp["decay1"] * mean + (1 - hp["decay1"]) * g
            var = hp["decay2"] * var + (1 - hp["decay2"]) * g**2
            m_hat, v_hat = mean / (1 - hp["decay1"] ** t), var / (1 - hp["decay2"] ** t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + hp["eps"])
        out.append(p)
    return out


def torch_style_optimizer(lib: Any, name: str, params: list[Any], lr: float, hp: dict) -> Any:
    if name == "SGD":
        return lib.optim.SGD(params, lr=lr, momentum=hp["momentum"])
    if name == "AdaGrad":
        return lib.optim.Adagrad(params, lr=lr, eps=hp["eps"])
    if name == "RMSProp":
        return lib.optim.RMSprop(params, lr=lr, alpha=hp["decay"], eps=hp["eps"])
    return lib.optim.Adam(params, lr=lr, betas=(hp["decay1"], hp["decay2"]), eps=hp["eps"])


OPTIMIZER_HPS = {
    "SGD": {"momentum": 0.9},
    "AdaGrad": {"eps": 1e-7},
    "RMSProp": {"decay": 0.9, "eps": 1e-7},
    "Adam": {"decay1": 0.9, "decay2": 0.999, "eps": 1e-7},
}


def _run_optimizer(
    lib: Any,
    name: str,
    p0: np.ndarray,
    grads: list[np.ndarray],
    lr: float,
    hp: dict,
    schedule: Callable[[int], float] | None = None,
) -> list[np.ndarray]:
    """Feeds gradient g_t to the library's (or torch's) optimizer through the loss <p, g_t>."""
    p = leaf(lib, p0)
    opt = torch_style_optimizer(lib, name, [p], lr, hp)
    sched = lib.sched.LambdaLR(opt, schedule) if schedule else None
    out = []
    for g in grads:
        opt.zero_grad()
        (p * lib.T.tensor(g)).sum().backward()
        if hp.get("clip_norm") is not None:
            lib.nn.utils.clip_grad_norm_([p], hp["clip_norm"])
        opt.step()
        if sched:
            sched.step()
        out.append(p.detach().numpy().copy())
    return out


@pytest.mark.parametrize("clip_norm", [None, 0.5])
@pytest.mark.parametrize("name", sorted(OPTIMIZER_HPS))
def test_optimizer_follows_numpy_ml_update_rule(name: str, clip_norm: float | None) -> None:
    rng = np.random.default_rng(3)
    p0, grads = rng.standard_normal((3, 4)), [rng.standard_normal((3, 4)) for _ in range(6)]
    hp, lr = {**OPTIMIZER_HPS[name], "clip_norm": clip_norm}, 0.05
    expected = numpy_ml_steps(name, p0, grads, hp, [lr] * len(grads))
    ours, theirs = (_run_optimizer(lib, name, p0, grads, lr, hp) for lib in (OURS, THEIRS))
    # clip_grad_norm_ scales by max_norm / (norm + 1e-6), numpy-ml by max_norm / norm
    rtol = 1e-10 if clip_norm is None else 1e-6
    for step, (got, gold, want) in enumerate(zip(ours, theirs, expected)):
        np.testing.assert_allclose(got, gold, rtol=1e-12, atol=1e-14, err_msg=f"torch, step {step}")
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12, err_msg=f"numpy-ml, step {step}")


def noam(step: int, model_dim: int = 16, scale_factor: float = 1.0, warmup_steps: int = 4) -> float:
    return scale_factor * model_dim**-0.5 * min(step**-0.5, step * warmup_steps**-1.5)


def test_adam_with_noam_schedule_follows_numpy_ml() -> None:
    rng = np.random.default_rng(4)
    p0, grads = rng.standard_normal(5), [rng.standard_normal(5) for _ in range(10)]
    hp = OPTIMIZER_HPS["Adam"]
    expected = numpy_ml_steps("Adam", p0, grads, hp, [noam(t + 1) for t in range(len(grads))])
    for lib in (OURS, THEIRS):
        got = _run_optimizer(lib, "Adam", p0, grads, 1.0, hp, schedule=lambda t: noam(t + 1))
        np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-10, atol=1e-12, err_msg=lib.name)


# -- schedulers ----------------------------------------------------------------------------------------------------


def _lr_sequence(lib: Any, make: Callable[[Any], Any], lr: float, n: int) -> list[float]:
    p = leaf(lib, np.zeros(2))
    opt = lib.optim.SGD([p], lr=lr)
    sched, out = make(opt), []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_scheduler_smooth_and_staircase(staircase: bool) -> None:
    initial_lr, stage_length, decay, n = 0.01, 5, 0.3, 23
    cur_stage = np.arange(n) / stage_length
    expected = initial_lr * decay ** (np.floor(cur_stage) if staircase else cur_stage)
    for lib in (OURS, THEIRS):
        if staircase:
            make = lambda opt, lib=lib: lib.sched.StepLR(opt, step_size=stage_length, gamma=decay)  # noqa: E731
        else:
            make = lambda opt, lib=lib: lib.sched.ExponentialLR(opt, gamma=decay ** (1 / stage_length))  # noqa: E731
        np.testing.assert_allclose(_lr_sequence(lib, make, initial_lr, n), expected, rtol=1e-12, err_msg=lib.name)


def test_constant_and_noam_schedulers() -> None:
    n = 12
    for lib in (OURS, THEIRS):
        constant = _lr_sequence(lib, lambda opt, lib=lib: lib.sched.ConstantLR(opt, factor=1.0, total_iters=0), 0.01, n)
        assert constant == [0.01] * n
        got = _lr_sequence(
            lib, lambda opt, lib=lib: lib.sched.LambdaLR(opt, lambda step: noam(step + 1, scale_factor=2.0)), 1.0, n
        )
        np.testing.assert_allclose(got, [noam(t + 1, scale_factor=2.0) for t in range(n)], rtol=1e-12, err_msg=lib.name)
        assert int(np.argmax(got)) == 3  # warm-up ends at step warmup_steps


# -- initializers --------------------------------------------------------------------------------------------------

INIT_SHAPES = [(300, 200), (40, 30, 3, 3)]  # torch's (out, in, kh, kw); numpy-ml's conv weights are (kh, kw, in, out)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid", "linear", ("leaky_relu", 0.2)])
@pytest.mark.parametrize("shape", INIT_SHAPES)
def test_glorot_uniform_and_normal_with_numpy_ml_gains(shape: tuple[int, ...], act: Any) -> None:
    name, param = (act, None) if isinstance(act, str) else act
    gain = nn.init.calculate_gain(name, param)
    expected_gain = {"tanh": 5 / 3, "relu": math.sqrt(2), "leaky_relu": math.sqrt(2 / (1 + 0.2**2))}.get(name, 1.0)
    assert gain == pytest.approx(expected_gain, rel=1e-12)
    assert gain == pytest.approx(torch.nn.init.calculate_gain(name, param), rel=1e-12)
    fan_in, fan_out = _fans(shape)
    gen = ag.Generator().manual_seed(0)
    w = _np(nn.init.xavier_uniform_(ag.empty(*shape, dtype=ag.float64), gain=gain, generator=gen))
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert np.std(w) == pytest.approx(bound / math.sqrt(3), rel=0.03)
    w = _np(nn.init.xavier_normal_(ag.empty(*shape, dtype=ag.float64), gain=gain, generator=gen))
    assert np.std(w) == pytest.approx(gain * math.sqrt(2 / (fan_in + fan_out)), rel=0.03)
    assert abs(np.mean(w)) < 0.05 * np.std(w)


@pytest.mark.parametrize("shape", INIT_SHAPES)
def test_he_uniform_bound_and_truncated_normal(shape: tuple[int, ...]) -> None:
    fan_in, _ = _fans(shape)
    gen = ag.Generator().manual_seed(1)
    w = _np(nn.init.kaiming_uniform_(ag.empty(*shape, dtype=ag.float64), a=0, nonlinearity="relu", generator=gen))
    bound = math.sqrt(6 / fan_in)  # numpy-ml's he_uniform
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    # numpy-ml's truncated_normal(mean=0, std=1): redraws outside two standard deviations
    w = _np(nn.init.trunc_normal_(ag.empty(*shape, dtype=ag.float64), mean=0.0, std=1.0, a=-2.0, b=2.0, generator=gen))
    assert np.abs(w).max() <= 2.0
    assert np.abs(w).max() > 1.95
    # the standard deviation of a unit normal truncated at +-2
    phi2, mass = math.exp(-2) / math.sqrt(2 * math.pi), math.erf(2 / math.sqrt(2))
    assert np.std(w) == pytest.approx(math.sqrt(1 - 4 * phi2 / mass), rel=0.03)


# -- test_utils.py: distance metrics and kernels ------------------------------------------------------------------


@pytest.mark.parametrize("p", [1.0, 2.0, 3.7, math.inf])
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_minkowski_family_distances_and_their_gradients(p: float, seed: int) -> None:
    """euclidean (p=2), manhattan (p=1), chebyshev (p=inf) and minkowski distances, pairwise and between two rows."""
    rng = np.random.default_rng(seed)
    X, Y = rng.random((int(rng.integers(1, 8)), 6)), rng.random((int(rng.integers(1, 8)), 6))

    def compute(lib: Any) -> dict[str, Any]:
        x, y = leaf(lib, X), leaf(lib, Y)
        d = lib.T.cdist(x, y, p=p)
        one = lib.T.dist(x[0], y[0], p=p)
        return {"d": d, "one": one, **named_grads(lib, project(lib, d) + one, {"X": x, "Y": y})}

    out = both(compute)
    diff = np.abs(X[:, None, :] - Y[None, :, :])
    expected = diff.max(-1) if p == math.inf else (diff**p).sum(-1) ** (1 / p)
    np.testing.assert_allclose(out["d"], expected, rtol=1e-10)


def test_hamming_distance_is_cdist_p0_over_the_length() -> None:
    rng = np.random.default_rng(0)
    x, y = (rng.random(50) * 10).round(), (rng.random(50) * 10).round()
    got = float(ag.cdist(ag.tensor(x[None]), ag.tensor(y[None]), p=0)) / len(x)
    assert got == np.mean(x != y)
    assert got == float(torch.cdist(torch.tensor(x[None]), torch.tensor(y[None]), p=0)) / len(x)


@pytest.mark.parametrize("kernel", ["linear", "polynomial", "rbf"])
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_kernels_and_their_gradients(kernel: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X, Y = rng.random((int(rng.integers(1, 8)), 5)), rng.random((int(rng.integers(1, 8)), 5))
    gamma, d, c0 = rng.random(), int(rng.integers(1, 5)), rng.random()

    def compute(lib: Any) -> dict[str, Any]:
        x, y = leaf(lib, X), leaf(lib, Y)
        if kernel == "linear":
            k = x @ y.T
        elif kernel == "polynomial":
            k = (gamma * (x @ y.T) + c0) ** d
        else:  # numpy-ml's RBFKernel(sigma) with gamma = 1 / (2 sigma^2)
            k = lib.T.exp(-gamma * lib.T.cdist(x, y) ** 2)
        return {"K": k, **named_grads(lib, project(lib, k), {"X": x, "Y": y})}

    out = both(compute)
    sq = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    expected = {"linear": X @ Y.T, "polynomial": (gamma * X @ Y.T + c0) ** d, "rbf": np.exp(-gamma * sq)}[kernel]
    np.testing.assert_allclose(out["K"], expected, rtol=1e-10, atol=1e-14)
