"""torch's OptimizerInfo database (torch/testing/_internal/common_optimizers.py's ``optim_db``) run directly: every
optimizer both libraries have, with each of torch's ``optim_inputs`` (its option combinations: lr as a number and
as a tensor, weight decay, maximize, momentum, nesterov, amsgrad, centered, ...), takes six closure steps on the same
small regression (a weight and a bias, the squared distance of tanh of an affine map from random targets); the loss
and parameters must follow torch 2.13's after every step. Muon takes 2-D parameters only, so its model is the
weight alone. (A problem whose minimiser is far away is chaotic for LBFGS at lr=1: a change of 1e-14 in the start
moves torch's own result by 1e-6 after one step; on this one, by 1e-12. The same data for every case.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # torch's testing internals import it
common_optimizers = pytest.importorskip("torch.testing._internal.common_optimizers")

# (SparseAdam takes torch's sparse gradients only, which this dense regression does not make: its trajectories
# against torch's on Embedding(sparse=True) are tests/test_sparse_adam_torch.py's)
OPTIMIZERS = {info.optim_cls.__name__: info for info in common_optimizers.optim_db if hasattr(nn.optim, info.optim_cls.__name__) and info.optim_cls.__name__ != "SparseAdam"}  # fmt: skip
STEPS = 6


def _cases() -> list[Any]:
    params = []
    for name, info in OPTIMIZERS.items():
        for index, case in enumerate(info.optim_inputs_func(device="cpu")):
            params.append(pytest.param(name, index, id=f"{name}-{index}-{case.desc}"))
    return params


def _ours(value: Any) -> Any:
    return Tensor(value.numpy().copy()) if isinstance(value, torch.Tensor) else value


# torch keeps some optimizers' scalar state (ASGD's eta and mu, step counts) in its default dtype: float64 here,
# as this library keeps them, so the comparison is of the algorithms, not of float32 rounding (that rounding is
# tests/test_asgd_adafactor_torch.py's).
pytestmark = pytest.mark.usefixtures("torch_default_float64")


@pytest.mark.parametrize(("name", "index"), _cases())
def test_optimizer_steps_follow_torchs_for_each_of_its_option_sets(name: str, index: int) -> None:
    info = OPTIMIZERS[name]
    kwargs = info.optim_inputs_func(device="cpu")[index].kwargs
    rng = np.random.default_rng(0)
    weight, bias, x = rng.standard_normal((3, 4)) / 2, rng.standard_normal(3) / 2, rng.standard_normal((5, 4))
    target = rng.uniform(-0.5, 0.5, (5, 3))
    with_bias = name != "Muon"
    their_params = [torch.tensor(weight, requires_grad=True)] + [torch.tensor(bias, requires_grad=True)] * with_bias
    our_params = [Tensor(weight.copy(), requires_grad=True)] + [Tensor(bias.copy(), requires_grad=True)] * with_bias
    theirs = info.optim_cls(their_params, **kwargs)
    ours = getattr(nn.optim, name)(our_params, **{key: _ours(value) for key, value in kwargs.items()})
    their_x, our_x, their_target, our_target = torch.tensor(x), Tensor(x), torch.tensor(target), Tensor(target)

    def their_closure() -> Any:
        theirs.zero_grad()
        out = their_x @ their_params[0].T
        loss = (((out + their_params[1] if with_bias else out).tanh() - their_target) ** 2).sum()
        loss.backward()
        return loss

    def our_closure() -> Any:
        ours.zero_grad()
        out = our_x @ our_params[0].T
        loss = (((out + our_params[1] if with_bias else out).tanh() - our_target) ** 2).sum()
        loss.backward()
        return loss

    for step in range(STEPS):
        their_loss, our_loss = theirs.step(their_closure), ours.step(our_closure)
        np.testing.assert_allclose(float(our_loss.item()), float(their_loss.item()), rtol=1e-7, err_msg=f"step {step}")
        for position, (mine, reference) in enumerate(zip(our_params, their_params)):
            np.testing.assert_allclose(
                mine.data,
                reference.detach().numpy(),
                rtol=1e-7,
                atol=1e-8,
                err_msg=f"parameter {position}, step {step}",
            )


def _flattened(value: Any) -> list[Any]:
    """The leaves of nested dicts, lists and tuples."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _flattened(item)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flattened(item)]
    return [value]


def _error_cases() -> list[Any]:
    params = []
    for name, info in OPTIMIZERS.items():
        for index, case in enumerate(info.optim_error_inputs_func(device="cpu", dtype=torch.float64)):
            given = [case.optimizer_error_input.params, *case.optimizer_error_input.kwargs.values()]
            if any(isinstance(t, torch.Tensor) and (t.is_complex() or t.is_sparse) for t in _flattened(given)):
                continue  # complex or sparse tensors have no counterpart here
            params.append(pytest.param(name, index, id=f"{name}-{index}-{case.optimizer_error_input.desc}"))
    return params


def _ours_deep(value: Any, made: dict[int, Any]) -> Any:
    """A torch error input's params or options with each torch tensor as one of ours (the same one for the same
    tensor, its gradient too), in lists, tuples, ``(name, tensor)`` pairs and group dicts."""
    if isinstance(value, torch.Tensor):
        if id(value) not in made:
            made[id(value)] = Tensor(value.detach().numpy().copy(), requires_grad=value.requires_grad)
            if value.grad is not None:
                made[id(value)].grad = value.grad.numpy().copy()
        return made[id(value)]
    if isinstance(value, dict):
        return {key: _ours_deep(item, made) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_ours_deep(item, made) for item in value)
    return value


@pytest.mark.parametrize(("name", "index"), _error_cases())
def test_optimizer_error_inputs_raise_torchs_error_classes(name: str, index: int) -> None:
    """torch's ``optim_error_inputs`` (its test_errors): each raises, at construction or at the first step, the class
    torch raises (or warns torch's warning). Complex parameters, which this library does not have, are left out."""
    error_input = OPTIMIZERS[name].optim_error_inputs_func(device="cpu", dtype=torch.float64)[index]
    case = error_input.optimizer_error_input
    made: dict[int, Any] = {}
    params, kwargs = _ours_deep(case.params, made), _ours_deep(case.kwargs, made)

    def run() -> None:
        optimizer = getattr(nn.optim, name)(params, **kwargs)
        if error_input.error_on == common_optimizers.OptimizerErrorEnum.STEP_ERROR:
            optimizer.step()

    if issubclass(error_input.error_type, Warning):
        with pytest.warns(error_input.error_type):
            run()
    else:
        with pytest.raises(error_input.error_type):
            run()
