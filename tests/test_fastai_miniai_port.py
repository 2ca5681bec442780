"""fast.ai's "Deep Learning from the Foundations" (course22p2: the miniai library and notebooks 01-14), ported to
small synthetic 28x28 "images" in float64 and run line for line in torch and here (``autograd`` for ``torch``,
``nn`` for ``torch.nn``, ``nn.functional`` as ``F``, ``nn.optim``, ``nn.data``, ``nn.init``) from the same
initial weights: losses, metrics, every gradient and the parameters after a few steps agree to rounding.

Covered: matmul by loops, broadcasting and einsum (01); the hand-written backward of a two-layer MLP
(``lin_grad``, the mse gradient) against autograd (03); minibatch training with cross_entropy, a Dataset,
samplers, ``BatchSampler`` and ``collate_fn`` (04); the Learner driven by callbacks with the Cancel*Exception
control flow, MetricsCB with accuracy, DeviceCB, TrainCB, the momentum learner and the LR finder on an
ExponentialLR (09); ActivationStats with forward hooks and ``histc`` (10); GeneralRelu, kaiming init, LSUV
through a forward hook, BatchNorm written by hand with buffers and ``lerp_`` beside ``nn.BatchNorm2d`` (11);
SGD/Momentum/RMSProp/Adam written on ``p.grad`` under ``no_grad``, OneCycleLR and CosineAnnealingLR stepped per
batch by callbacks (12); the ResBlock with its pooled 1x1-conv identity path (13); random copies, flips,
crops by padding and the model summary by hooks (14). fast.ai's helpers (fastcore, fastprogress, torcheval)
are written out here in a few lines each.

Spellings the port changes, each a documented difference of this library: ``x.std(unbiased=True)`` for
torch's bare ``x.std()`` (here numpy's ddof=0), and ``torch.as_tensor(p.grad ** 2)`` where RMSProp keeps a
square of the gradient as state (arithmetic on ``.grad`` gives plain ndarrays here).
"""

from __future__ import annotations

import math
import random
from contextlib import contextmanager
from functools import partial
from operator import attrgetter
from typing import Any

import numpy as np
import pytest
from nested_results import assert_same

import autograd
import nn

torch = pytest.importorskip("torch")

TORCH = {
    "torch": torch,
    "nn": torch.nn,
    "F": torch.nn.functional,
    "optim": torch.optim,
    "data": torch.utils.data,
    "init": torch.nn.init,
}
OURS = {"torch": autograd, "nn": nn, "F": nn.functional, "optim": nn.optim, "data": nn.data, "init": nn.init}
RTOL, ATOL = 1e-9, 1e-12

_RNG = np.random.default_rng(2022)
IMAGES = _RNG.random((160, 784))
LABELS = (IMAGES[:, :10].argmax(1) + (IMAGES[:, 10:20].sum(1) > 5)) % 10


def _assert_same(expected: Any, got: Any) -> None:
    assert_same(expected, got, RTOL, ATOL)


def _twin(build: Any) -> tuple[Any, Any]:
    """The model built with either library's names, torch's initial weights copied into ours."""
    torch.manual_seed(0)
    theirs = build(TORCH).double()
    ours = build(OURS).double()
    ours.load_state_dict({name: value.detach().numpy().copy() for name, value in theirs.state_dict().items()})
    return theirs, ours


def _grads(model: Any) -> list[Any]:
    return [p.grad for p in model.parameters()]


# -- 01: matmul ----------------------------------------------------------------------------------------------------
def _matmuls(lib: dict[str, Any], weights: np.ndarray) -> list[Any]:
    torch_ = lib["torch"]
    m1, m2 = torch_.tensor(IMAGES[:5]), torch_.tensor(weights)
    (ar, ac), (_, bc) = m1.shape, m2.shape
    loops = torch_.zeros(ar, bc, dtype=torch_.float64)
    for i in range(ar):
        for j in range(bc):
            for k in range(0, ac, 61):  # every 61st term: the loop's spelling, kept short
                loops[i, j] += m1[i, k] * m2[k, j]
    rows = torch_.zeros(ar, bc, dtype=torch_.float64)
    for i in range(ar):
        rows[i] = (m1[i, :, None] * m2).sum(dim=0)
    c = torch_.tensor([10.0, 20, 30], dtype=torch_.float64)
    m = torch_.tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch_.float64)
    return [
        loops,
        rows,
        (m1[:, :, None] * m2[None]).sum(1),
        torch_.einsum("ik,kj->ij", m1, m2),
        m1 @ m2,
        torch_.allclose(rows, m1 @ m2),
        c[:, None] * m,
        c[None] + m,
        c.expand_as(m).stride(),
        (m > 4).float().mean(),
        (m * m).sum().sqrt(),
    ]


def test_notebook_01_matmul_by_loops_broadcasting_and_einsum_as_torch():
    weights = np.random.default_rng(1).standard_normal((784, 10))
    _assert_same(_matmuls(TORCH, weights), _matmuls(OURS, weights))


# -- 03: backprop by hand ------------------------------------------------------------------------------------------
def _backprop(lib: dict[str, Any]) -> list[Any]:
    torch_ = lib["torch"]
    rng = np.random.default_rng(3)
    x = torch_.tensor(IMAGES[:40])
    y = torch_.tensor(LABELS[:40].astype(np.float64))
    w1 = torch_.tensor(rng.standard_normal((784, 30)) / math.sqrt(784))
    b1 = torch_.zeros(30, dtype=torch_.float64)
    w2 = torch_.tensor(rng.standard_normal((30, 1)) / math.sqrt(30))
    b2 = torch_.zeros(1, dtype=torch_.float64)

    def lin(x, w, b):
        return x @ w + b

    def lin_grad(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = (inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)
        b.g = out.g.sum(0)

    l1 = lin(x, w1, b1)
    l2 = l1.clamp_min(0.0)
    out = lin(l2, w2, b2)
    diff = out[:, 0] - y
    loss = diff.pow(2).mean()
    out.g = 2.0 * diff[:, None] / x.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1 > 0).float() * l2.g
    lin_grad(x, l1, w1, b1)
    by_hand = [loss, w1.g, b1.g, w2.g, b2.g, x.g]

    leaves = [t.clone().requires_grad_(True) for t in (w1, b1, w2, b2, x)]
    v1, c1, v2, c2, xi = leaves
    auto_loss = ((lin(lin(xi, v1, c1).clamp_min(0.0), v2, c2).squeeze(-1) - y) ** 2).mean()
    auto_loss.backward()
    return by_hand + [auto_loss] + [t.grad for t in leaves]


def test_notebook_03_hand_written_backward_equals_autograd_and_torch():
    expected, got = _backprop(TORCH), _backprop(OURS)
    _assert_same(expected, got)
    _assert_same(got[1:6], got[7:12])  # lin_grad and mse_grad by hand = autograd, here too


# -- 04: minibatch training, samplers, collate_fn --------------------------------------------------------------------
def _minibatch(lib: dict[str, Any], init: Any) -> list[Any]:
    torch_, nn_, F, data = lib["torch"], lib["nn"], lib["F"], lib["data"]
    model = nn_.Sequential(nn_.Linear(784, 20), nn_.ReLU(), nn_.Linear(20, 10)).double()
    model.load_state_dict({k: (v if lib is TORCH else v.numpy()) for k, v in init.items()})

    class Dataset:
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.x[i], self.y[i]

    def collate(b):
        xs, ys = zip(*b)
        return torch_.stack(xs), torch_.stack(ys)

    train = Dataset(torch_.tensor(IMAGES[:120]), torch_.tensor(LABELS[:120]))
    valid = Dataset(torch_.tensor(IMAGES[120:]), torch_.tensor(LABELS[120:]))
    train_dl = data.DataLoader(
        train, batch_sampler=data.BatchSampler(data.SequentialSampler(train), 32, drop_last=False), collate_fn=collate
    )
    valid_dl = data.DataLoader(valid, 16, sampler=data.SequentialSampler(valid), collate_fn=collate)
    list_indexed = next(
        iter(data.DataLoader(train, sampler=data.BatchSampler(data.SequentialSampler(train), 8, False)))
    )
    opt = lib["optim"].SGD(model.parameters(), lr=0.5)
    log: list[Any] = [len(train_dl), tuple(list_indexed[0].shape)]
    for _ in range(2):
        model.train()
        for xb, yb in train_dl:
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            log.append(loss)
            log += [p.grad.clone() for p in model.parameters()]
            opt.step()
            opt.zero_grad()
        model.eval()
        with torch_.no_grad():
            total, correct = 0.0, 0.0
            for xb, yb in valid_dl:
                preds = model(xb)
                total += F.cross_entropy(preds, yb).item() * len(xb)
                correct += (preds.argmax(dim=1) == yb).float().mean().item() * len(xb)
        log += [total / len(valid), correct / len(valid)]
    return log + list(model.parameters())


def test_notebook_04_minibatch_training_with_samplers_and_collate_fn_as_torch():
    torch.manual_seed(0)
    init = torch.nn.Sequential(torch.nn.Linear(784, 20), torch.nn.ReLU(), torch.nn.Linear(20, 10)).double()
    state = {k: v.detach().clone() for k, v in init.state_dict().items()}
    _assert_same(_minibatch(TORCH, state), _minibatch(OURS, state))


# -- 09-14: miniai's learner, callbacks and hooks --------------------------------------------------------------------
class CancelFitException(Exception):  # noqa: N818 (miniai's names)
    pass


class CancelBatchException(Exception):  # noqa: N818 (miniai's names)
    pass


class CancelEpochException(Exception):  # noqa: N818 (miniai's names)
    pass


class Callback:
    order = 0


class SingleBatchCB(Callback):
    order = 1

    def after_batch(self, learn):
        raise CancelFitException()


def to_cpu(x):
    if isinstance(x, (list, tuple)):
        return type(x)(to_cpu(o) for o in x)
    return x.detach().cpu()


class Mean:
    def reset(self):
        self.total, self.count = 0.0, 0

    def update(self, value, weight=1):
        self.total, self.count = self.total + float(value) * weight, self.count + weight

    def compute(self):
        return self.total / self.count


class Accuracy(Mean):
    def update(self, preds, targets):
        super().update((preds.argmax(dim=1) == targets).float().mean(), len(targets))


class MetricsCB(Callback):
    def __init__(self, **metrics):
        self.metrics, self.loss, self.logs = metrics, Mean(), []

    def before_epoch(self, learn):
        for metric in [*self.metrics.values(), self.loss]:
            metric.reset()

    def after_batch(self, learn):
        x, y = to_cpu(learn.batch)
        for metric in self.metrics.values():
            metric.update(to_cpu(learn.preds), y)
        self.loss.update(to_cpu(learn.loss), weight=len(x))

    def after_epoch(self, learn):
        log = {name: f"{m.compute():.12f}" for name, m in self.metrics.items()}
        self.logs.append({**log, "loss": f"{self.loss.compute():.12f}", "train": learn.model.training})


class DeviceCB(Callback):
    def before_fit(self, learn):
        learn.model.to("cpu")

    def before_batch(self, learn):
        learn.batch = [t.to("cpu") for t in learn.batch]


class TrainCB(Callback):
    def predict(self, learn):
        learn.preds = learn.model(learn.batch[0])

    def get_loss(self, learn):
        learn.loss = learn.loss_func(learn.preds, learn.batch[1])

    def backward(self, learn):
        learn.loss.backward()

    def step(self, learn):
        learn.opt.step()

    def zero_grad(self, learn):
        learn.opt.zero_grad()


class Learner:
    def __init__(self, lib, model, dls, lr=0.1, cbs=(), opt_func=None):
        self.lib, self.model, self.dls, self.lr, self.cbs = lib, model, dls, lr, list(cbs)
        self.loss_func = lib["F"].cross_entropy
        self.opt_func = opt_func or lib["optim"].SGD

    @contextmanager
    def cb_ctx(self, name):
        try:
            self.callback(f"before_{name}")
            yield
            self.callback(f"after_{name}")
        except globals()[f"Cancel{name.title()}Exception"]:
            pass
        finally:
            self.callback(f"cleanup_{name}")

    def one_epoch(self, train):
        self.model.train(train)
        with self.cb_ctx("epoch"):
            for index, batch in enumerate(self.dls[0] if train else self.dls[1]):
                self.iter, self.batch = index, batch
                with self.cb_ctx("batch"):
                    self.callback("predict")
                    self.callback("get_loss")
                    if self.model.training:
                        for step in ("backward", "step", "zero_grad"):
                            self.callback(step)

    def fit(self, n_epochs=1, train=True, valid=True, cbs=(), lr=None):
        self.cbs += cbs
        try:
            self.opt = self.opt_func(self.model.parameters(), self.lr if lr is None else lr)
            with self.cb_ctx("fit"):
                for self.epoch in range(n_epochs):
                    if train:
                        self.one_epoch(True)
                    if valid:
                        self.lib["torch"].no_grad()(self.one_epoch)(False)
        finally:
            for cb in cbs:
                self.cbs.remove(cb)

    def callback(self, name):
        for cb in sorted(self.cbs, key=attrgetter("order")):
            method = getattr(cb, name, None)
            if method is not None:
                method(self)


class MomentumCB(TrainCB):
    def zero_grad(self, learn):
        with learn.lib["torch"].no_grad():
            for p in learn.model.parameters():
                p.grad *= 0.85


class LRFinderCB(Callback):
    def __init__(self, gamma=1.3, max_mult=3):
        self.gamma, self.max_mult = gamma, max_mult

    def before_fit(self, learn):
        self.sched = learn.lib["optim"].lr_scheduler.ExponentialLR(learn.opt, self.gamma)
        self.lrs, self.losses, self.min = [], [], math.inf

    def after_batch(self, learn):
        if not learn.model.training:
            raise CancelEpochException()
        self.lrs.append(learn.opt.param_groups[0]["lr"])
        loss = to_cpu(learn.loss)
        self.losses.append(loss)
        self.min = min(self.min, loss)
        if loss > self.min * self.max_mult:
            raise CancelFitException()
        self.sched.step()


class Hook:
    def __init__(self, module, f):
        self.hook = module.register_forward_hook(partial(f, self))

    def remove(self):
        self.hook.remove()


class Hooks(list):
    def __init__(self, modules, f):
        super().__init__(Hook(m, f) for m in modules)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        for hook in self:
            hook.remove()


def append_stats(hook, module, inp, outp):
    if not hasattr(hook, "stats"):
        hook.stats = ([], [], [])
    acts = to_cpu(outp)
    hook.stats[0].append(acts.mean())
    hook.stats[1].append(acts.std(unbiased=True))
    hook.stats[2].append(acts.abs().histc(40, 0, 10))


class ActivationStats(Callback):
    def __init__(self, mod_filter):
        self.mod_filter = mod_filter

    def before_fit(self, learn):
        self.hooks = Hooks([m for m in learn.model.modules() if self.mod_filter(m)], self._hookfunc)

    def _hookfunc(self, hook, *args):
        if args[0].training:
            append_stats(hook, *args)

    def after_fit(self, learn):
        self.hooks.__exit__()


class BatchSchedCB(Callback):
    def __init__(self, sched):
        self.sched = sched

    def before_fit(self, learn):
        self.schedo = self.sched(learn.opt)
        self.lrs = []

    def after_batch(self, learn):
        if learn.model.training:
            self.lrs.append(learn.opt.param_groups[0]["lr"])
            self.schedo.step()


def _dls(lib: dict[str, Any], batch_size: int = 40) -> tuple[Any, Any]:
    torch_, data = lib["torch"], lib["data"]
    images = IMAGES.reshape(-1, 1, 28, 28)
    train = data.TensorDataset(torch_.tensor(images[:120]), torch_.tensor(LABELS[:120]))
    valid = data.TensorDataset(torch_.tensor(images[120:]), torch_.tensor(LABELS[120:]))
    return data.DataLoader(train, batch_size=batch_size), data.DataLoader(valid, batch_size=2 * batch_size)


def _general_relu(lib: dict[str, Any]) -> Any:
    nn_, F = lib["nn"], lib["F"]

    class GeneralRelu(nn_.Module):
        def __init__(self, leak=None, sub=None, maxv=None):
            super().__init__()
            self.leak, self.sub, self.maxv = leak, sub, maxv

        def forward(self, x):
            x = F.leaky_relu(x, self.leak) if self.leak is not None else F.relu(x)
            if self.sub is not None:
                x -= self.sub
            if self.maxv is not None:
                x.clamp_max_(self.maxv)
            return x

    return GeneralRelu


def _conv(lib, ni, nf, ks=3, stride=2, act=None, norm=None, bias=True):
    layers = [lib["nn"].Conv2d(ni, nf, stride=stride, kernel_size=ks, padding=ks // 2, bias=bias)]
    if norm:
        layers.append(norm(nf))
    if act:
        layers.append(act())
    return lib["nn"].Sequential(*layers)


def _cnn(lib, act=None, norm=None, nfs=(1, 4, 8, 16)):
    act = act or lib["nn"].ReLU
    layers = [_conv(lib, nfs[i], nfs[i + 1], act=act, norm=norm) for i in range(len(nfs) - 1)]
    return lib["nn"].Sequential(*layers, _conv(lib, nfs[-1], 10, stride=4, bias=False), lib["nn"].Flatten())


def _learner_run(lib: dict[str, Any], model: Any) -> list[Any]:
    metrics = MetricsCB(accuracy=Accuracy())
    learn = Learner(lib, model, _dls(lib), lr=0.2, cbs=[TrainCB(), DeviceCB(), metrics])
    learn.fit(2)
    log = [metrics.logs, list(model.parameters()), _grads(model)]
    learn.fit(1, cbs=[SingleBatchCB()])
    log.append(learn.iter)
    finder = LRFinderCB(gamma=1.6)
    momentum = Learner(lib, model, _dls(lib, batch_size=8), cbs=[MomentumCB()])
    momentum.fit(10, lr=1e-4, cbs=[finder])
    return log + [finder.lrs, [float(loss) for loss in finder.losses], list(model.parameters())]


def test_notebook_09_learner_callbacks_metrics_and_lr_finder_as_torch():
    theirs, ours = _twin(_cnn)
    expected, got = _learner_run(TORCH, theirs), _learner_run(OURS, ours)
    _assert_same(expected, got)
    assert len(got[4]) < 15 * 10  # the finder stopped on the loss blowing up (CancelFitException), before 10 epochs


def _activation_stats(lib: dict[str, Any], model: Any) -> list[Any]:
    torch_ = lib["torch"]
    stats = ActivationStats(lambda m: type(m).__name__ == "GeneralRelu")
    Learner(lib, model, _dls(lib), lr=0.3, cbs=[TrainCB(), stats]).fit(1)
    histograms = [torch_.stack(h.stats[2]).t().double().log1p() for h in stats.hooks]
    counts = torch_.stack(stats.hooks[0].stats[2]).t()
    shapes = []

    def record(hook, module, inp, outp):
        shapes.append((type(module).__name__, tuple(inp[0].shape), tuple(outp.shape), outp.mean()))

    with Hooks(model, record):
        model(torch_.tensor(IMAGES[:5].reshape(5, 1, 28, 28)))
    return [[h.stats[:2] for h in stats.hooks], histograms, counts[0] / counts.sum(0), shapes]


def test_notebook_10_activation_stats_by_forward_hooks_and_histc_as_torch():
    def build(lib):
        return _cnn(lib, act=partial(_general_relu(lib), leak=0.1, sub=0.4, maxv=6.0))

    theirs, ours = _twin(build)
    _assert_same(_activation_stats(TORCH, theirs), _activation_stats(OURS, ours))


def _lsuv(lib: dict[str, Any], model: Any) -> list[Any]:
    torch_ = lib["torch"]
    xb = torch_.tensor(IMAGES[:40].reshape(40, 1, 28, 28))

    def stats(hook, module, inp, outp):
        acts = to_cpu(outp)
        hook.mean, hook.std = acts.mean(), acts.std(unbiased=True)

    steps = []
    relus = [m for m in model.modules() if type(m).__name__ == "GeneralRelu"]
    convs = [m for m in model.modules() if isinstance(m, lib["nn"].Conv2d)]
    for relu, conv in zip(relus, convs):
        hook, n = Hook(relu, stats), 0
        with torch_.no_grad():
            while model(xb) is not None and (abs(hook.std - 1) > 1e-3 or abs(hook.mean) > 1e-3) and n < 30:
                conv.bias -= hook.mean
                conv.weight.data /= hook.std
                n += 1
        hook.remove()
        steps.append(n)
    loss = lib["F"].cross_entropy(model(xb), torch_.tensor(LABELS[:40]))
    loss.backward()
    return [steps, list(model.parameters()), loss, _grads(model), [p.is_leaf for p in model.parameters()]]


def test_notebook_11_lsuv_init_through_a_forward_hook_as_torch():
    def build(lib):
        return _cnn(lib, act=partial(_general_relu(lib), leak=0.1, sub=0.4))

    theirs, ours = _twin(build)
    _assert_same(_lsuv(TORCH, theirs), _lsuv(OURS, ours))


def test_notebook_11_kaiming_normal_with_leak_has_torchs_scale():
    weight = nn.Conv2d(32, 64, 3).weight
    nn.init.kaiming_normal_(weight, a=0.1)
    gain = torch.nn.init.calculate_gain("leaky_relu", 0.1)
    assert float(weight.std()) == pytest.approx(gain / math.sqrt(32 * 9), rel=0.03)


def _hand_batchnorm(lib: dict[str, Any]) -> Any:
    torch_, nn_ = lib["torch"], lib["nn"]

    class BatchNorm(nn_.Module):
        def __init__(self, nf, mom=0.1, eps=1e-5):
            super().__init__()
            self.mom, self.eps = mom, eps
            self.mults = nn_.Parameter(torch_.ones(nf, 1, 1, dtype=torch_.float64))
            self.adds = nn_.Parameter(torch_.zeros(nf, 1, 1, dtype=torch_.float64))
            self.register_buffer("vars", torch_.ones(1, nf, 1, 1, dtype=torch_.float64))
            self.register_buffer("means", torch_.zeros(1, nf, 1, 1, dtype=torch_.float64))

        def update_stats(self, x):
            m = x.mean((0, 2, 3), keepdim=True)
            v = x.var((0, 2, 3), keepdim=True)
            self.means.lerp_(m, self.mom)
            self.vars.lerp_(v, self.mom)
            return m, v

        def forward(self, x):
            if self.training:
                with torch_.no_grad():
                    m, v = self.update_stats(x)
            else:
                m, v = self.means, self.vars
            x = (x - m) / (v + self.eps).sqrt()
            return x * self.mults + self.adds

    return BatchNorm


def _train_with_norm(lib: dict[str, Any], model: Any) -> list[Any]:
    metrics = MetricsCB(accuracy=Accuracy())
    Learner(lib, model, _dls(lib), lr=0.2, cbs=[TrainCB(), metrics]).fit(2)
    model.train()
    loss = lib["F"].cross_entropy(
        model(lib["torch"].tensor(IMAGES[:30].reshape(30, 1, 28, 28))), lib["torch"].tensor(LABELS[:30])
    )
    loss.backward()
    return [metrics.logs, list(model.parameters()), dict(model.named_buffers()), _grads(model)]


@pytest.mark.parametrize("norm", ["by hand", "nn.BatchNorm2d"])
def test_notebook_11_batchnorm_by_hand_and_builtin_train_as_torch(norm):
    def build(lib):
        layer = _hand_batchnorm(lib) if norm == "by hand" else lib["nn"].BatchNorm2d
        return _cnn(lib, act=partial(_general_relu(lib), leak=0.1, sub=0.4), norm=layer)

    theirs, ours = _twin(build)
    _assert_same(_train_with_norm(TORCH, theirs), _train_with_norm(OURS, ours))


def _optimizers(lib: dict[str, Any]) -> dict[str, Any]:
    torch_ = lib["torch"]

    class SGD:
        def __init__(self, params, lr, wd=0.0):
            self.params, self.lr, self.wd, self.i = list(params), lr, wd, 0

        def step(self):
            with torch_.no_grad():
                for p in self.params:
                    if self.wd != 0:
                        p *= 1 - self.lr * self.wd
                    self.opt_step(p)
            self.i += 1

        def opt_step(self, p):
            p -= p.grad * self.lr

        def zero_grad(self):
            for p in self.params:
                p.grad.data.zero_()

    class Momentum(SGD):
        def __init__(self, params, lr, wd=0.0, mom=0.9):
            super().__init__(params, lr=lr, wd=wd)
            self.mom = mom

        def opt_step(self, p):
            if not hasattr(p, "grad_avg"):
                p.grad_avg = torch_.zeros_like(p.grad)
            p.grad_avg = p.grad_avg * self.mom + p.grad * (1 - self.mom)
            p -= self.lr * p.grad_avg

    class RMSProp(SGD):
        def __init__(self, params, lr, wd=0.0, sqr_mom=0.99, eps=1e-5):
            super().__init__(params, lr=lr, wd=wd)
            self.sqr_mom, self.eps = sqr_mom, eps

        def opt_step(self, p):
            if not hasattr(p, "sqr_avg"):
                p.sqr_avg = torch_.as_tensor(p.grad**2)
            p.sqr_avg = p.sqr_avg * self.sqr_mom + p.grad**2 * (1 - self.sqr_mom)
            p -= self.lr * p.grad / (p.sqr_avg.sqrt() + self.eps)

    class Adam(SGD):
        def __init__(self, params, lr, wd=0.0, beta1=0.9, beta2=0.99, eps=1e-5):
            super().__init__(params, lr=lr, wd=wd)
            self.beta1, self.beta2, self.eps = beta1, beta2, eps

        def opt_step(self, p):
            if not hasattr(p, "avg"):
                p.avg = torch_.zeros_like(p.grad.data)
                p.sqr_avg = torch_.zeros_like(p.grad.data)
            p.avg = self.beta1 * p.avg + (1 - self.beta1) * p.grad
            unbias_avg = p.avg / (1 - (self.beta1 ** (self.i + 1)))
            p.sqr_avg = self.beta2 * p.sqr_avg + (1 - self.beta2) * (p.grad**2)
            unbias_sqr_avg = p.sqr_avg / (1 - (self.beta2 ** (self.i + 1)))
            p -= self.lr * unbias_avg / (unbias_sqr_avg + self.eps).sqrt()

    return {"SGD": partial(SGD, wd=0.01), "Momentum": Momentum, "RMSProp": RMSProp, "Adam": partial(Adam, wd=1e-4)}


@pytest.mark.parametrize("name", ["SGD", "Momentum", "RMSProp", "Adam"])
def test_notebook_12_optimizers_written_on_grad_step_as_torch(name):
    def run(lib, model):
        metrics = MetricsCB(accuracy=Accuracy())
        lr = 0.2 if name in ("SGD", "Momentum") else 0.01
        Learner(lib, model, _dls(lib), lr=lr, cbs=[TrainCB(), metrics], opt_func=_optimizers(lib)[name]).fit(2)
        return [metrics.logs, list(model.parameters())]

    # without normalisation: a conv bias before a BatchNorm has a zero gradient, whose rounding Adam would scale up
    theirs, ours = _twin(lambda lib: _cnn(lib, act=partial(_general_relu(lib), leak=0.1, sub=0.4)))
    _assert_same(run(TORCH, theirs), run(OURS, ours))


@pytest.mark.parametrize("schedule", ["OneCycleLR", "CosineAnnealingLR"])
def test_notebook_12_schedulers_stepped_per_batch_by_a_callback_as_torch(schedule):
    def run(lib, model):
        scheduler = getattr(lib["optim"].lr_scheduler, schedule)
        sched = (
            partial(scheduler, max_lr=0.1, total_steps=6) if schedule == "OneCycleLR" else partial(scheduler, T_max=4)
        )
        cb, metrics = BatchSchedCB(sched), MetricsCB(accuracy=Accuracy())
        opt_func = partial(lib["optim"].SGD, momentum=0.9)
        Learner(lib, model, _dls(lib), lr=0.05, cbs=[TrainCB(), metrics, cb], opt_func=opt_func).fit(2)
        return [cb.lrs, metrics.logs, list(model.parameters()), dict(model.named_buffers())]

    theirs, ours = _twin(lambda lib: _cnn(lib, norm=lib["nn"].BatchNorm2d))
    _assert_same(run(TORCH, theirs), run(OURS, ours))


def _resnet(lib: dict[str, Any]) -> Any:
    nn_ = lib["nn"]
    act = partial(_general_relu(lib), leak=0.1, sub=0.4)

    def noop(x):
        return x

    class ResBlock(nn_.Module):
        def __init__(self, ni, nf, stride=1, ks=3):
            super().__init__()
            self.convs = nn_.Sequential(
                _conv(lib, ni, nf, stride=1, act=act, norm=nn_.BatchNorm2d, ks=ks),
                _conv(lib, nf, nf, stride=stride, act=None, norm=nn_.BatchNorm2d, ks=ks),
            )
            self.idconv = noop if ni == nf else _conv(lib, ni, nf, ks=1, stride=1, act=None)
            self.pool = noop if stride == 1 else nn_.AvgPool2d(2, ceil_mode=True)
            self.act = act()

        def forward(self, x):
            return self.act(self.convs(x) + self.idconv(self.pool(x)))

    class GlobalAvgPool(nn_.Module):
        def forward(self, x):
            return x.mean((-2, -1))

    return nn_.Sequential(
        ResBlock(1, 4),
        ResBlock(4, 8, stride=2),
        ResBlock(8, 8, stride=2),
        ResBlock(8, 16, stride=2),
        GlobalAvgPool(),
        nn_.Linear(16, 10, bias=False),
        nn_.BatchNorm1d(10),
    )


def _summary(learn: Learner) -> tuple[str, int]:
    table, total = "", 0

    def row(hook, module, inp, outp):
        nonlocal table, total
        count = sum(p.numel() for p in module.parameters())
        total += count
        table += f"|{type(module).__name__}|{tuple(inp[0].shape)}|{tuple(outp.shape)}|{count}|\n"

    with Hooks(learn.model, row):
        learn.fit(1, lr=1, cbs=[SingleBatchCB()])
    return table, total


def _augment_batch(lib: dict[str, Any]) -> Any:
    torch_, F = lib["torch"], lib["F"]

    def tfm(batch):
        x, y = batch
        x = F.pad(x, (1, 1, 1, 1))[:, :, 2:30, 0:28]  # a crop of the padded batch
        return torch_.flip(x, dims=(3,)), y

    return tfm


class BatchTransformCB(Callback):
    def __init__(self, tfm):
        self.tfm = tfm

    def before_batch(self, learn):
        if learn.model.training:
            learn.batch = self.tfm(learn.batch)


def _resnet_run(lib: dict[str, Any], model: Any) -> list[Any]:
    metrics = MetricsCB(accuracy=Accuracy())
    opt_func = partial(lib["optim"].SGD, momentum=0.9)
    cbs = [TrainCB(), metrics, BatchTransformCB(_augment_batch(lib))]
    learn = Learner(lib, model, _dls(lib), lr=0.05, cbs=cbs, opt_func=opt_func)
    summary = _summary(learn)
    learn.fit(2)
    model.eval()
    xb = lib["torch"].tensor(IMAGES[:20].reshape(20, 1, 28, 28))
    with lib["torch"].no_grad():
        tta = (lib["F"].softmax(model(xb), -1) + lib["F"].softmax(model(lib["torch"].flip(xb, dims=(3,))), -1)) / 2
    return [summary, metrics.logs, list(model.parameters()), dict(model.named_buffers()), tta, tta.argmax(1)]


def test_notebooks_13_14_resnet_with_augmentation_summary_and_tta_as_torch():
    theirs, ours = _twin(_resnet)
    _assert_same(_resnet_run(TORCH, theirs), _resnet_run(OURS, ours))


def _random_copies(lib: dict[str, Any]) -> list[Any]:
    torch_, init = lib["torch"], lib["init"]
    random.seed(3)
    x = torch_.tensor(IMAGES[:6].reshape(6, 1, 28, 28))
    for _ in range(6):  # copies between non-overlapping squares (torch's overlapping copy depends on its order)
        size = 6
        a, b = random.randint(0, 8), random.randint(14, 22)
        x[:, :, a : a + size, a : a + size] = x[:, :, b : b + size, b : b + size]
    erased = torch_.tensor(IMAGES[:6].reshape(6, 1, 28, 28))
    lo, hi = erased.min(), erased.max()
    init.normal_(erased[:, :, 3:9, 4:12], mean=erased.mean(), std=erased.std(unbiased=True))
    erased.clamp_(lo, hi)
    changed = erased != torch_.tensor(IMAGES[:6].reshape(6, 1, 28, 28))
    return [
        x,
        torch_.flip(x, dims=(2, 3)),
        bool((erased >= lo).all() and (erased <= hi).all()),
        changed[:, :, 3:9, 4:12].any(),
        changed.sum() <= 6 * 6 * 8,
    ]


def test_notebook_14_random_copy_and_erase_written_with_in_place_ops_as_torch():
    _assert_same(_random_copies(TORCH), _random_copies(OURS))
