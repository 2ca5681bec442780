"""The harness of the torch.nn documentation-example ports (test_torch_nn_doc_examples_port.py and
test_torch_nn_doc_examples_utils_port.py): one example, written with ``r.T``/``r.nn``/``r.F``/``r.optim``/``r.sched``,
runs once with torch and once with this library from the same seeded arrays; modules built through ``r.mod`` or
``r.adopt`` take torch's state, and ``both`` compares the outputs, the modules' final state and the gradients of a
random projection of the outputs."""

from __future__ import annotations

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
pytest.importorskip("torch.nn.utils.prune")  # the submodules the examples import
pytest.importorskip("torch.nn.utils.parametrizations")

__all__ = ["OURS", "THEIRS", "both", "bits", "signs", "to_array", "Run"]

OURS = types.SimpleNamespace(name="ours", T=ag, nn=nn, F=F, optim=nn.optim, sched=lr_scheduler, grad=ag.grad)
THEIRS = types.SimpleNamespace(
    name="torch",
    T=torch,
    nn=torch.nn,
    F=torch.nn.functional,
    optim=torch.optim,
    sched=torch.optim.lr_scheduler,
    grad=torch.autograd.grad,
)


def to_array(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if hasattr(x, "detach"):
        return np.asarray(x.detach().numpy())
    return np.asarray(x)


class Run:
    """One side of an example: seeded inputs, modules (torch's state handed to ours) and the leaves to differentiate."""

    def __init__(self, lib: Any, states: list) -> None:
        self.lib, self.states = lib, states
        self.rng = np.random.default_rng(0)
        self.leaves: dict[str, Any] = {}
        self.modules: list[Any] = []
        for key, value in vars(lib).items():
            setattr(self, key, value)

    def randn(self, *shape: int, grad: bool = True) -> Any:
        """``torch.randn(*shape)`` from this run's seeded draws, as a float32 leaf that requires grad."""
        return self.t(self.rng.standard_normal(shape).astype(np.float32), grad=grad)

    def rand(self, *shape: int, grad: bool = False) -> Any:
        return self.t(self.rng.random(shape).astype(np.float32), grad=grad)

    def randint(self, low: int, high: int, shape: tuple[int, ...]) -> Any:
        return self.t(self.rng.integers(low, high, shape).astype(np.int64), grad=False)

    def t(self, array: Any, grad: bool = False) -> Any:
        array = np.ascontiguousarray(array)
        x = self.T.tensor(array, requires_grad=grad and array.dtype.kind == "f")
        if x.requires_grad:
            self.leaves[f"input{len(self.leaves)}"] = x
        return x

    def mod(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``nn.<name>(*args, **kwargs)``: torch's is built first and its state queued; ours loads that state."""
        m = getattr(self.nn, name)(*args, **kwargs)
        return self.adopt(m)

    def adopt(self, m: Any) -> Any:
        self.modules.append(m)
        if self.T is torch:
            self.states.append({k: v.detach().numpy().copy() for k, v in m.state_dict().items()})
        else:
            m.load_state_dict({k: ag.tensor(v) for k, v in self.states.pop(0).items()})
        for name, p in m.named_parameters():
            self.leaves[f"{type(m).__name__}{len(self.leaves)}.{name}"] = p
        return m


def both(compute: Callable[[Run], Any], rtol: float = 1e-5, atol: float = 1e-6, grads: bool = True) -> dict:
    """Run ``compute`` with torch, then with the library; every output must agree in shape, dtype and value, and
    so must the gradients of a random projection of the floating outputs that require grad."""
    states: list = []
    runs = [Run(THEIRS, states), Run(OURS, states)]
    results = []
    for run in runs:
        out = compute(run)
        out = out if isinstance(out, dict) else {"out": out}
        got = dict(out)
        for index, m in enumerate(run.modules):  # the state after the example, running statistics included
            got.update({f"state{index}.{k}": v for k, v in m.state_dict().items()})
        if grads:
            loss = None
            for key, y in out.items():
                if getattr(y, "requires_grad", False):
                    w = np.random.default_rng(len(key)).standard_normal(tuple(y.shape)).astype(to_array(y).dtype)
                    term = (y * run.T.tensor(w)).sum()
                    loss = term if loss is None else loss + term
            if loss is not None and run.leaves:
                names = list(run.leaves)
                gs = run.grad(loss, [run.leaves[n] for n in names], allow_unused=True)
                got.update({"d" + n: g for n, g in zip(names, gs) if g is not None})
        results.append(got)
    assert not states, "a module built in torch was not built in the library"
    theirs, ours = results
    assert ours.keys() == theirs.keys()
    for key in theirs:
        if isinstance(theirs[key], float):
            assert ours[key] == pytest.approx(theirs[key], rel=rtol, abs=atol), key
            continue
        if isinstance(theirs[key], (bool, int, tuple, list, str)):
            assert type(ours[key]) is type(theirs[key]) and ours[key] == theirs[key], key
            continue
        a, b = to_array(ours[key]), to_array(theirs[key])
        assert a.shape == b.shape, (key, a.shape, b.shape)
        assert a.dtype == b.dtype, (key, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=key)
    return {k: to_array(v) if not isinstance(v, (bool, int, float, tuple, list, str)) else v for k, v in ours.items()}


def bits(run: Run, *shape: int) -> Any:
    """``torch.empty(shape).random_(2)``: float zeros and ones."""
    return run.t(run.rng.integers(0, 2, shape).astype(np.float32))


def signs(run: Run, *shape: int) -> Any:
    """``torch.randn(shape).sign()``."""
    return run.t(np.sign(run.rng.standard_normal(shape)).astype(np.float32))
