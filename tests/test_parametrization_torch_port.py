"""A port of PyTorch's ``test/nn/test_parametrization.py`` (``TestNNParametrization`` and, on the CPU,
``TestNNParametrizationDevice``) beside torch: ``nn.utils.parametrize`` (``register_parametrization``,
``remove_parametrizations``, ``right_inverse``, ``cached()``, ``transfer_parametrizations_and_params``,
``type_before_parametrizations``) and ``nn.utils.parametrizations`` (``spectral_norm``, ``weight_norm``,
``orthogonal``).

Each scenario is written once and run with this library and with torch on the same starting weights (drawn from a
seeded numpy generator and copied into both); it records what upstream asserts (structure: ``is_parametrized``,
which names are parameters or buffers, ids kept, the class restored; values: the parametrized tensors, outputs,
gradients; the class of each error) and the two records must agree. Where upstream checks a property of one
library's result (orthogonality, the Q factor of a QR decomposition, rank one), both results are checked against
numpy.

Left out: the ``swap_module_params_on_conversion`` variants (torch's ``swap_tensors`` path has no counterpart; the
plain path is ported), ``DataParallel`` over several GPUs and the meta device in the right-inverse-changes-the-device
case (no such devices), complex dtypes in ``test_new_spectral_norm_value`` and ``test_orthogonal_parametrization`` (no
complex tensors), bfloat16 in the weight-norm device test (numpy has none), the ``TwoTensor`` wrapper-subclass test
(no ``__torch_dispatch__`` subclasses), deleting a state dict's ``_metadata`` entry for a parametrization (loading
reads no metadata here), and ``test_orthogonal_errors`` and the orthogonal map's values and right inverse, which
``tests/test_parametrize.py`` already compares with torch.

Spelled differently here, on both sides: ``x.split(n)`` for upstream's ``torch.split(x, n)`` (``autograd.split(x, n)``
is numpy's split into n sections), ``eye(n, dtype=float32)`` for ``eye(n)`` (the default dtype is float64 here),
an in-memory file for ``TemporaryFileName``, and ``copy_`` under ``no_grad`` for ``_u.data.copy_``. The power
iteration's random start differs between the libraries, so both start from the same vectors. Deliberate difference,
not asserted: ``torch.save`` of a whole parametrized model is a RuntimeError (it cannot be pickled), where
``nn.save`` writes its weights without an architecture record (``nn.load`` then asks for ``nn.load_into``).
"""

from __future__ import annotations

import copy
import io
import pickle
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.utils.parametrizations
import nn.utils.parametrize

torch = pytest.importorskip("torch")

OURS = SimpleNamespace(
    name="ours",
    t=autograd,
    nn=nn,
    P=nn.utils.parametrize,
    PS=nn.utils.parametrizations,
    F=nn.functional,
    init=nn.init,
    SGD=nn.optim.SGD,
    Buffer=nn.Buffer,
    Parameter=nn.Parameter,
    gradcheck=autograd.gradcheck,
    old_weight_norm=nn.utils.weight_norm,
    save=nn.save,
    load=nn.load,
)
THEIRS = SimpleNamespace(
    name="torch",
    t=torch,
    nn=torch.nn,
    P=torch.nn.utils.parametrize,
    PS=torch.nn.utils.parametrizations,
    F=torch.nn.functional,
    init=torch.nn.init,
    SGD=torch.optim.SGD,
    Buffer=torch.nn.Buffer,
    Parameter=torch.nn.Parameter,
    gradcheck=torch.autograd.gradcheck,
    old_weight_norm=torch.nn.utils.weight_norm,
    save=torch.save,
    load=torch.load,
)


# -- helpers ------------------------------------------------------------------------------------------------------
def plain(value: Any) -> np.ndarray:
    """A tensor of either library as a float64 array."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


class Values:
    """A recorded tensor, compared with the other library's within ``tol``."""

    def __init__(self, value: Any, tol: float = 1e-5) -> None:
        self.array, self.tol = plain(value), tol

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Values)
            and self.array.shape == other.array.shape
            and np.allclose(self.array, other.array, rtol=self.tol, atol=self.tol)
        )

    def __repr__(self) -> str:
        return f"Values({self.array!r})"


def raised(action: Any) -> type[BaseException] | None:
    """The class of the error ``action()`` raises, or None."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return type(error)
    return None


def same(first: Any, second: Any, tol: float = 1e-5) -> bool:
    """Whether two tensors of one library hold the same values (within ``tol``)."""
    a, b = plain(first), plain(second)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def both(scenario: Any, *args: Any) -> list[Any]:
    """Run ``scenario(lib, *args)`` with this library and with torch; their records must agree (an error class of
    ours a subclass of torch's). Returns this library's record."""
    ours, theirs = scenario(OURS, *args), scenario(THEIRS, *args)
    assert len(ours) == len(theirs), (ours, theirs)
    for index, (mine, expected) in enumerate(zip(ours, theirs)):
        if isinstance(expected, type) and issubclass(expected, BaseException):
            assert isinstance(mine, type) and issubclass(mine, expected), (index, mine, expected)
        else:
            assert mine == expected, (index, mine, expected)
    return ours


def tensor(lib: Any, array: np.ndarray) -> Any:
    return lib.t.tensor(np.array(array))


def linear(lib: Any, n_in: int, n_out: int, seed: int = 0, dtype: str = "float32", bias: bool = True) -> Any:
    """``lib.nn.Linear(n_in, n_out)`` with weights drawn from a seeded numpy generator (the same in both libraries)."""
    rng = np.random.default_rng(seed)
    layer = lib.nn.Linear(n_in, n_out, bias=bias, dtype=getattr(lib.t, dtype))
    with lib.t.no_grad():
        layer.weight.copy_(tensor(lib, rng.uniform(-0.5, 0.5, (n_out, n_in)).astype(dtype)))
        if bias:
            layer.bias.copy_(tensor(lib, rng.uniform(-0.5, 0.5, n_out).astype(dtype)))
    return layer


def structure(lib: Any, module: Any, name: str) -> list[Any]:
    """What upstream asserts about a module's parametrization of ``name``."""
    return [
        hasattr(module, "parametrizations"),
        lib.P.is_parametrized(module),
        lib.P.is_parametrized(module, name),
        name in module._parameters,
        type(module).__name__,
    ]


def sgd_step_changes(lib: Any, model: Any, optimizer: Any) -> list[bool]:
    """One SGD step on ``(weight.T @ bias).sum()``: whether the weight and the bias changed."""
    weight, bias = model.weight.detach().clone(), model.bias.detach().clone()
    optimizer.zero_grad()
    (model.weight.T @ model.bias).sum().backward()
    optimizer.step()
    return [not same(model.weight, weight, 0.0), not same(model.bias, bias, 0.0)]


# -- parametrizations used by several scenarios ---------------------------------------------------------------
def skew(lib: Any) -> Any:
    class Skew(lib.nn.Module):
        def forward(self, w):
            w = w.tril(-1)
            return w - w.T

    return Skew()


def cayley(lib: Any) -> Any:
    class Cayley(lib.nn.Module):
        def forward(self, w):
            eye = lib.t.eye(w.shape[0], dtype=w.dtype)
            return lib.t.linalg.solve(eye + w, eye - w)

    return Cayley()


def resize(lib: Any) -> Any:
    class Resize(lib.nn.Module):
        def forward(self, w):
            return w[[0]]

    return Resize()


def identity(lib: Any) -> Any:
    class Identity(lib.nn.Module):
        def forward(self, w):
            return w

    return Identity()


def first_zero(lib: Any) -> Any:
    class FirstZero(lib.nn.Module):
        def forward(self, x):
            return lib.t.cat([x.new_zeros(1), x[1:]])

    return FirstZero()


def last_zero(lib: Any) -> Any:
    class LastZero(lib.nn.Module):
        def forward(self, x):
            return lib.t.cat([x[:-1], x.new_zeros(1)])

    return LastZero()


def affine(lib: Any, scale: float, shift: float = 0.0, invertible: bool = False) -> Any:
    """x -> scale * x + shift, with a right_inverse when ``invertible``."""

    class Affine(lib.nn.Module):
        def forward(self, x):
            return scale * x + shift

    class InvertibleAffine(Affine):
        def right_inverse(self, x):
            return (x - shift) / scale

    return InvertibleAffine() if invertible else Affine()


def rank_one(lib: Any) -> Any:
    class RankOne(lib.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, w):
            U, S, Vh = lib.t.linalg.svd(w, full_matrices=False)
            root = S[0].sqrt().unsqueeze(-1)
            return U[..., :, 0] * root, Vh[..., 0, :] * root

    return RankOne()


def rank(lib: Any, matrix: Any) -> int:
    return int(lib.t.linalg.matrix_rank(matrix.detach()).item())


# -- registering and removing -------------------------------------------------------------------------------------
def _register_and_remove(lib: Any) -> list[Any]:
    P, record = lib.P, []
    model = linear(lib, 8, 8)
    weight_id, bias_id = id(model.weight), id(model.bias)
    initial_weight = model.weight.detach().clone()

    record.append(raised(lambda: P.register_parametrization(model, "weight", resize(lib))))
    record.append(P.is_parametrized(model))

    def removed_without_trace() -> list[Any]:
        P.remove_parametrizations(model, "weight", leave_parametrized=False)
        return [
            *structure(lib, model, "weight"),
            same(model.weight, initial_weight, 0.0),
            id(model.weight) == weight_id,
        ]

    P.register_parametrization(model, "weight", resize(lib), unsafe=True)  # one unsafe parametrization
    record += [*structure(lib, model, "weight"), P.is_parametrized(model, "bias"), tuple(model.weight.shape)]
    record += removed_without_trace()

    P.register_parametrization(model, "weight", resize(lib), unsafe=True)  # an unsafe one, then a safe one
    P.register_parametrization(model, "weight", identity(lib), unsafe=False)
    record += [*structure(lib, model, "weight"), tuple(model.weight.shape)]
    record += removed_without_trace()

    for unsafe in (True, False):  # unsafe does not change what a shape-keeping parametrization does
        P.register_parametrization(model, "weight", skew(lib), unsafe=unsafe)
        record += [*structure(lib, model, "weight"), same(model.weight, -model.weight.T, 0.0)]
        record += removed_without_trace()

    P.register_parametrization(model, "weight", skew(lib))
    P.register_parametrization(model, "weight", cayley(lib))
    X = model.weight
    record += [same(X.T @ X, lib.t.eye(8), 1e-5), "weight" in model.parametrizations, Values(X)]
    record += removed_without_trace()

    P.register_parametrization(model, "weight", skew(lib))  # everything
    P.register_parametrization(model, "weight", cayley(lib))
    P.register_parametrization(model, "bias", first_zero(lib))
    P.register_parametrization(model, "bias", last_zero(lib))
    record += [P.is_parametrized(model, "bias"), model.bias[0].item(), model.bias[-1].item()]
    record.append(len(list(model.parameters())))
    sgd = lib.SGD(model.parameters(), lr=0.01)
    record += sgd_step_changes(lib, model, sgd)

    P.remove_parametrizations(model, "weight", leave_parametrized=False)  # the bias stays parametrized
    record += [P.is_parametrized(model), P.is_parametrized(model, "weight"), P.is_parametrized(model, "bias")]
    record += [model.bias[0].item(), model.bias[-1].item(), not same(model.weight, initial_weight, 0.0)]
    record += [id(model.weight) == weight_id, len(list(model.parameters()))]
    record += sgd_step_changes(lib, model, sgd)

    P.remove_parametrizations(model, "bias", leave_parametrized=False)
    record += [*structure(lib, model, "bias"), model.bias[0].item() != 0.0, id(model.bias) == bias_id]
    record += [len(list(model.parameters())), *sgd_step_changes(lib, model, sgd), Values(model.weight)]

    for _ in range(2):  # leave_parametrized=True keeps the Parameter objects
        P.register_parametrization(model, "weight", skew(lib))
        P.register_parametrization(model, "weight", cayley(lib))
        P.remove_parametrizations(model, "weight", leave_parametrized=True)
        record += [id(model.weight) == weight_id, id(model.bias) == bias_id, *sgd_step_changes(lib, model, sgd)]
        record.append(Values(model.weight, 1e-4))
    return record


def test_register_and_remove_parametrizations_restores_the_module_as_torchs():
    record = both(_register_and_remove)
    assert record[0] is not None  # a shape-changing parametrization without unsafe=True is refused


def _nested(lib: Any) -> list[Any]:
    P = lib.P
    model = linear(lib, 8, 8)
    P.register_parametrization(model, "weight", skew(lib))
    record = [*structure(lib, model, "weight"), same(model.weight, -model.weight.T, 0.0)]
    inner = model.parametrizations.weight
    record += [hasattr(inner, "parametrizations"), P.is_parametrized(inner), P.is_parametrized(inner, "original")]
    P.register_parametrization(inner, "original", skew(lib))
    record += [*structure(lib, inner, "original"), same(inner.original, -inner.original.T, 0.0)]
    record.append(Values(model.weight))
    P.remove_parametrizations(inner, "original", leave_parametrized=False)
    record += [hasattr(inner, "parametrizations"), type(inner).__name__]
    P.remove_parametrizations(model, "weight", leave_parametrized=False)
    return [*record, *structure(lib, model, "weight")]


def test_a_parametrizations_original_can_be_parametrized_again_as_torchs():
    both(_nested)


def _buffer(lib: Any) -> list[Any]:
    P = lib.P
    model = linear(lib, 8, 8)
    delattr(model, "bias")
    model.bias = lib.Buffer(lib.t.ones(8))
    P.register_parametrization(model, "bias", first_zero(lib))
    P.register_parametrization(model, "bias", last_zero(lib))
    record = [P.is_parametrized(model), P.is_parametrized(model, "bias"), Values(model.bias)]
    record.append(len(list(model.parameters())))
    P.remove_parametrizations(model, "bias", leave_parametrized=True)
    record += [P.is_parametrized(model), "bias" in model._buffers, Values(model.bias)]
    return [*record, len(list(model.parameters()))]


def test_a_buffer_takes_parametrizations_and_keeps_its_value_when_they_are_removed_as_torchs():
    record = both(_buffer)
    np.testing.assert_array_equal(record[-2].array, [0, 1, 1, 1, 1, 1, 1, 0])


def _no_grad_registration(lib: Any) -> list[Any]:
    class SplitAndCat(lib.nn.Module):
        def right_inverse(self, x):
            return x.split(x.shape[1] // 2)  # the method: autograd.split(x, n) is numpy.split

        def forward(self, x0, x1):
            return lib.t.cat([x0, x1])

    model = linear(lib, 8, 8)
    model.weight.requires_grad = False
    lib.P.register_parametrization(model, "weight", SplitAndCat())
    stored = model.parametrizations.weight
    return [model.weight.requires_grad, stored.original0.requires_grad, stored.original1.requires_grad]


def test_registering_on_a_tensor_without_gradient_keeps_every_stored_part_without_gradient():
    assert both(_no_grad_registration) == [False, False, False]


# -- serialization ------------------------------------------------------------------------------------------------
def _serialization(lib: Any) -> list[Any]:
    class OrthogonalTimesBase(lib.nn.Module):
        def __init__(self, n, seed):
            super().__init__()
            self.id = lib.Buffer(lib.t.eye(n, dtype=lib.t.float32))  # (float64 is the default here)
            base = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))[0].astype(np.float32)
            self.B = lib.Buffer(tensor(lib, base))

        def forward(self, w):
            A = w.triu(1)
            A = A - A.T
            return self.B @ lib.t.linalg.solve(self.id + A, self.id - A)

    def make(seed):
        model = lib.nn.Sequential(linear(lib, 5, 5, seed), lib.nn.ReLU(), linear(lib, 5, 1, seed + 1))
        lib.P.register_parametrization(model[0], "weight", OrthogonalTimesBase(5, seed))
        return model

    model, other = make(0), make(10)
    buffer = io.BytesIO()
    lib.save(model.state_dict(), buffer)
    buffer.seek(0)
    other.load_state_dict(lib.load(buffer))
    record = [lib.P.is_parametrized(other[0], "weight"), same(model[0].weight, other[0].weight, 0.0)]
    record += [same(model[0].parametrizations.weight[0].B, other[0].parametrizations.weight[0].B, 0.0)]
    return [*record, Values(other[0].weight)]


def test_a_parametrized_model_round_trips_through_its_state_dict_as_torchs():
    assert both(_serialization)[:3] == [True, True, True]


# -- right_inverse ------------------------------------------------------------------------------------------------
def _initialization(lib: Any) -> list[Any]:
    class CheckedSkew(lib.nn.Module):
        def forward(self, w):
            A = w.triu(1)
            return A - A.T

        def right_inverse(self, w):
            if not lib.t.allclose(w, -w.T, atol=1e-6):
                raise ValueError("The matrix is not skew-symmetric.")
            return w.triu(1)

    class CayleyFromBase(lib.nn.Module):  # right_inverse stores X as the base: not quite the inverse of forward
        def __init__(self, n):
            super().__init__()
            self.B = lib.Buffer(lib.t.eye(n, dtype=lib.t.float32))

        def forward(self, w):
            eye = lib.t.eye(w.shape[0], dtype=w.dtype)
            return self.B @ lib.t.linalg.solve(eye + w, eye - w)

        def right_inverse(self, w):
            if not lib.t.allclose(w.T @ w, lib.t.eye(w.shape[0], dtype=w.dtype), atol=1e-4):
                raise ValueError("The input is not orthogonal.")
            self.B = w
            return lib.t.zeros_like(w)

    n, rng = 5, np.random.default_rng(3)
    model, checked = linear(lib, n, n), CheckedSkew()
    with lib.t.no_grad():
        model.weight.set_(checked(model.weight))
    lib.P.register_parametrization(model, "weight", checked)
    X = tensor(lib, rng.uniform(size=(n, n)).astype(np.float32))
    record: list[Any] = [raised(lambda: setattr(model, "weight", X))]
    X = X - X.T
    model.weight = X
    record += [same(model.parametrizations.weight.original, X.triu(1), 0.0), same(model.weight, X, 0.0)]

    lib.P.register_parametrization(model, "weight", CayleyFromBase(n))
    X = tensor(lib, rng.uniform(size=(n, n)).astype(np.float32))
    record.append(raised(lambda: setattr(model, "weight", X)))
    X = tensor(lib, np.linalg.qr(rng.normal(size=(n, n)))[0].astype(np.float32))
    model.weight = X
    record += [same(model.weight, X), same(model.parametrizations.weight.original, lib.t.zeros_like(X), 0.0)]
    return record


def test_assigning_a_parametrized_weight_runs_each_right_inverse_as_torchs():
    record = both(_initialization)
    assert record[0] is ValueError and record[3] is ValueError


def _unparametrized_errors(lib: Any) -> list[Any]:
    P, Module = lib.P, lib.nn.Module
    module = linear(lib, 3, 4)
    initial = module.weight.detach().clone()

    def register(parametrization: Any) -> list[Any]:
        error = raised(lambda: P.register_parametrization(module, "weight", parametrization))
        return [error, P.is_parametrized(module)]

    record = [raised(lambda: P.register_parametrization(module, "foo", identity(lib))), P.is_parametrized(module)]
    record += [raised(lambda: P.remove_parametrizations(module, "bias")), P.is_parametrized(module)]

    class Sum(Module):
        def forward(self, x, y):
            return x + y

        def right_inverse(self, z):
            return z, lib.t.zeros_like(z)

    P.register_parametrization(module, "weight", Sum())
    record.append(raised(lambda: P.remove_parametrizations(module, "weight", leave_parametrized=False)))
    P.remove_parametrizations(module, "weight", leave_parametrized=True)

    class WrongNumberParams(Module):
        def forward(self, x, y, z):
            return x + y + z

        def right_inverse(self, w):
            return w, lib.t.zeros_like(w)

    class WrongRightInverse(Module):
        def forward(self, x):
            return x

        def right_inverse(self, z):
            return None

    class WrongRightInverseSequence(Module):
        def forward(self, x, y):
            return x

        def right_inverse(self, z):
            return None, z

    class ChangeDtypeInverse(Module):
        def forward(self, x):
            return x.float()

        def right_inverse(self, w):
            return w.bool()

    class NotTensor(Module):
        def forward(self, x):
            return 2

    class ChangeDtype(Module):
        def forward(self, x):
            return x.bool()

    class ChangeShape(Module):
        def forward(self, x):
            return x[:-1]

    class ChangeDtypeMulti(Module):
        def forward(self, x, y):
            return (x + y).bool()

        def right_inverse(self, w):
            return w, w + 1

    for wrong in (
        WrongNumberParams,
        WrongRightInverse,
        WrongRightInverseSequence,
        ChangeDtypeInverse,
        NotTensor,
        ChangeDtype,
        ChangeShape,
        ChangeDtypeMulti,
    ):
        record += register(wrong())

    class SequenceLen1(Module):  # a sequence of one tensor, though odd, is correct
        def forward(self, x):
            return x

        def right_inverse(self, w):
            return (w,)

    P.register_parametrization(module, "weight", SequenceLen1())
    stored = module.parametrizations.weight
    record += [hasattr(stored, "original0"), hasattr(stored, "original1"), Values(module.weight)]
    P.remove_parametrizations(module, "weight", leave_parametrized=True)
    return [*record, P.is_parametrized(module), same(module.weight, initial, 0.0)]


def test_registering_a_wrong_parametrization_is_refused_and_changes_nothing_as_torchs():
    record = both(_unparametrized_errors)
    errors = [entry for entry in record if isinstance(entry, type)]
    assert len(errors) == 11 and all(error is not None for error in errors)
    assert record[-2:] == [False, True]


def _parametrized_errors(lib: Any) -> list[Any]:
    P, Module = lib.P, lib.nn.Module
    module = linear(lib, 3, 4)
    first = identity(lib)
    P.register_parametrization(module, "weight", first)

    class Identity(Module):
        def forward(self, x):
            return x

    class WrongReturn(Module):
        def forward(self, x):
            return x, x

    class ChangeDtype(Module):
        def forward(self, x):
            return x.bool()

    class ChangeShape(Module):
        def forward(self, x):
            return x[:-1]

    class WrongReturnInverse(Identity):
        def right_inverse(self, x):
            return x, x

    class ChangeDtypeInverse(Identity):
        def right_inverse(self, x):
            return x.bool()

    class ChangeShapeInverse(Identity):
        def right_inverse(self, x):
            return x[:-1]

    record = []
    for wrong in (WrongReturn, ChangeDtype, ChangeShape, WrongReturnInverse, ChangeDtypeInverse, ChangeShapeInverse):
        record.append(raised(lambda wrong=wrong: P.register_parametrization(module, "weight", wrong())))
        stored = module.parametrizations.weight
        record += [P.is_parametrized(module), len(stored), stored[0] is first]
    return record


def test_a_wrong_parametrization_on_a_parametrized_tensor_is_refused_and_the_first_stays_as_torchs():
    record = both(_parametrized_errors)
    assert all(error is ValueError or issubclass(error, ValueError) for error in record[::4])


def _multiple_inputs(lib: Any) -> list[Any]:
    P = lib.P
    model = linear(lib, 3, 3)
    P.register_parametrization(model, "weight", rank_one(lib))
    stored = model.parametrizations.weight
    record = [*structure(lib, model, "weight"), hasattr(stored, "original0"), "original0" in stored._parameters]
    record += [hasattr(stored, "original1"), "original1" in stored._parameters, P.is_parametrized(model, "bias")]
    record += [rank(lib, model.weight), Values(model.weight)]
    record.append(raised(lambda: P.remove_parametrizations(model, "weight", leave_parametrized=False)))
    P.remove_parametrizations(model, "weight", leave_parametrized=True)
    record += [*structure(lib, model, "weight"), rank(lib, model.weight)]

    initial = model.weight.detach().clone()  # one-input parametrizations on top of a many-input one
    P.register_parametrization(model, "weight", rank_one(lib))
    record.append(same(model.weight, initial))  # projecting a rank-one matrix keeps it
    P.register_parametrization(model, "weight", affine(lib, 2.0, invertible=True))
    record += [same(model.weight, 2.0 * initial), rank(lib, model.weight), len(list(model.parameters()))]
    sgd = lib.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        sgd.zero_grad()
        (model.weight.T @ model.bias).sum().backward()
        sgd.step()
    record.append(Values(model.weight, 1e-4))
    record.append(raised(lambda: P.remove_parametrizations(model, "weight", leave_parametrized=False)))
    P.remove_parametrizations(model, "weight", leave_parametrized=True)
    record += [*structure(lib, model, "weight"), rank(lib, model.weight), len(list(model.parameters()))]
    sgd = lib.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        sgd.zero_grad()
        (model.weight.T @ model.bias).sum().backward()
        sgd.step()
    return [*record, Values(model.weight, 1e-4)]


def test_a_parametrization_of_several_stored_tensors_trains_and_is_removed_as_torchs():
    record = both(_multiple_inputs)
    assert record[10] == 1  # rank one


# -- caching, training mode, types, copies --------------------------------------------------------------------------
def _caching(lib: Any) -> list[Any]:
    model = linear(lib, 5, 5)
    lib.P.register_parametrization(model, "weight", skew(lib))
    lib.P.register_parametrization(model, "weight", cayley(lib))
    to_model = linear(lib, 5, 5, seed=1)
    lib.P.transfer_parametrizations_and_params(model, to_model)
    outside = model.weight is model.weight
    with lib.P.cached():
        X, Y = model.weight, model.weight
        A, B = to_model.weight, to_model.weight
        return [outside, X is Y, A is B, A is not X, same(A, X, 0.0)]


def test_cached_gives_one_tensor_per_module_inside_the_block_as_torchs():
    assert both(_caching) == [False, True, True, True, True]


def _training_mode(lib: Any) -> list[Any]:
    module = linear(lib, 4, 4)
    module.eval()
    lib.P.register_parametrization(module, "weight", identity(lib))
    record = [module.parametrizations.weight[0].training]
    module.train()
    lib.P.register_parametrization(module, "weight", identity(lib).eval())
    return [*record, module.parametrizations.weight[0].training, module.parametrizations.weight[1].training]


def test_a_registered_parametrization_takes_the_modules_training_mode_as_torchs():
    assert both(_training_mode) == [False, True, True]


def _type_before(lib: Any) -> list[Any]:
    model = linear(lib, 5, 5)
    before = lib.P.type_before_parametrizations(model) is lib.nn.Linear
    lib.P.register_parametrization(model, "weight", identity(lib))
    return [before, lib.P.type_before_parametrizations(model) is lib.nn.Linear, type(model) is lib.nn.Linear]


def test_type_before_parametrizations_is_the_original_class_as_torchs():
    assert both(_type_before) == [True, True, False]


def _deepcopy(lib: Any) -> list[Any]:
    class WithoutDeepcopy(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = lib.Parameter(lib.t.tensor([1.0, 1.0, 1.0, 1.0]), requires_grad=True)
            self.bias = lib.Parameter(lib.t.tensor([0.0, 0.0, 0.0, 0.0]), requires_grad=True)
            self.attr = [1.0, 2.0, 3.0, 4.0]

    class WithDeepcopy(WithoutDeepcopy):
        def __deepcopy__(self, memo):
            result = self.__new__(self.__class__)
            memo[id(self)] = result
            result.__dict__ = copy.deepcopy(self.__dict__, memo)
            return result

    def compare(m1: Any, m2: Any) -> list[Any]:
        w1, w2 = m1.parametrizations.weight.original, m2.parametrizations.weight.original
        bias_parametrized = lib.P.is_parametrized(m1, "bias")
        b1 = m1.parametrizations.bias.original if bias_parametrized else m1.bias
        b2 = m2.parametrizations.bias.original if bias_parametrized else m2.bias
        return [
            m1.__dict__.keys() == m2.__dict__.keys(),
            m1 is not m2,
            same(w1, w2, 0.0) and w1 is not w2,
            same(b1, b2, 0.0) and b1 is not b2,
            m1.attr == m2.attr and m1.attr is not m2.attr,
            same(m1.weight, m2.weight, 0.0),
        ]

    record = []
    for model in (WithoutDeepcopy(), WithDeepcopy()):
        lib.P.register_parametrization(model, "weight", affine(lib, 1.0, 1.0))
        record += compare(model, copy.deepcopy(model))
        lib.P.register_parametrization(model, "bias", affine(lib, 1.0, 1.0))
        record += compare(model, copy.deepcopy(model))
        lib.P.register_parametrization(model, "weight", affine(lib, 1.0, 1.0))
        record += compare(model, copy.deepcopy(model))
    return record


def test_a_parametrized_module_deep_copies_into_independent_tensors_as_torchs():
    assert all(both(_deepcopy))


# -- transfer_parametrizations_and_params -------------------------------------------------------------------------
def _transfer(lib: Any) -> list[Any]:
    P = lib.P
    model = linear(lib, 5, 5)
    P.register_parametrization(model, "weight", affine(lib, 1.0, 1.0))
    P.register_parametrization(model, "weight", affine(lib, 2.0, invertible=True))
    P.register_parametrization(model, "weight", affine(lib, 1.0, -1.0))
    held = model.weight.detach().clone()
    to_model = linear(lib, 5, 5, seed=1)
    P.transfer_parametrizations_and_params(model, to_model)
    record = [P.is_parametrized(to_model, "weight"), same(model.weight, to_model.weight, 0.0)]
    record += [same(model.parametrizations.weight.original, to_model.parametrizations.weight.original, 0.0)]
    record += [same(held, model.weight, 0.0), Values(to_model.weight)]
    P.remove_parametrizations(to_model, "weight")  # the two are independent
    record += [P.is_parametrized(to_model, "weight"), P.is_parametrized(model, "weight")]

    model.test_param = lib.Parameter(tensor(lib, np.random.default_rng(4).normal(size=(5, 5)).astype(np.float32)))
    record.append(hasattr(to_model, "test_param"))
    P.register_parametrization(model, "test_param", affine(lib, 2.0, invertible=True))
    held = model.test_param.detach().clone()
    P.transfer_parametrizations_and_params(model, to_model, "test_param")
    record += [same(model.test_param, to_model.test_param, 0.0), same(held, model.test_param, 0.0)]
    stored, copied = model.parametrizations.test_param, to_model.parametrizations.test_param
    return [*record, same(stored.original, copied.original, 0.0), stored.original is not copied.original]


def test_transfer_copies_every_parametrization_and_its_stored_tensors_as_torchs():
    record = both(_transfer)
    assert record[5:8] == [False, True, False]
    assert all(entry for index, entry in enumerate(record) if index not in (5, 7, 11))


def _transfer_right_inverse_and_single(lib: Any) -> list[Any]:
    P = lib.P
    model = linear(lib, 5, 5)
    P.register_parametrization(model, "weight", affine(lib, 2.0, invertible=True))
    held = model.weight.detach().clone()
    to_model = linear(lib, 5, 5, seed=1)
    P.transfer_parametrizations_and_params(model, to_model)
    record = [same(model.weight, to_model.weight, 0.0), same(held, model.weight, 0.0)]
    record += [same(model.parametrizations.weight.original, to_model.parametrizations.weight.original, 0.0)]

    model = linear(lib, 5, 5)  # only the named tensor moves
    for name in ("weight", "bias"):
        P.register_parametrization(model, name, affine(lib, 1.0, 1.0))
        P.register_parametrization(model, name, affine(lib, 2.0))
        P.register_parametrization(model, name, affine(lib, 1.0, -1.0))
    to_model = linear(lib, 5, 5, seed=1)
    P.transfer_parametrizations_and_params(model, to_model, "weight")
    record += [same(model.weight, to_model.weight, 0.0), "bias" in to_model.parametrizations, Values(to_model.bias)]
    return record


def test_transfer_of_an_invertible_or_a_single_tensor_as_torchs():
    assert both(_transfer_right_inverse_and_single)[:5] == [True, True, True, True, False]


def _transfer_many_to_one(lib: Any) -> list[Any]:
    P = lib.P
    model = linear(lib, 3, 3)
    P.register_parametrization(model, "weight", rank_one(lib))
    P.register_parametrization(model, "weight", affine(lib, 2.0))
    held = model.weight.detach().clone()
    to_model = linear(lib, 3, 3, seed=1)
    P.transfer_parametrizations_and_params(model, to_model)
    stored, copied = model.parametrizations.weight, to_model.parametrizations.weight
    record = [P.is_parametrized(to_model, "weight"), same(model.weight, to_model.weight, 0.0)]
    record += [same(stored.original0, copied.original0, 0.0), same(stored.original1, copied.original1, 0.0)]
    record += [same(held, model.weight, 0.0), Values(to_model.weight)]
    model.test_param = lib.Parameter(tensor(lib, np.random.default_rng(5).normal(size=(3, 3)).astype(np.float32)))
    record.append(hasattr(to_model, "test_param"))
    P.register_parametrization(model, "test_param", rank_one(lib))
    held = model.test_param.detach().clone()
    P.transfer_parametrizations_and_params(model, to_model, "test_param")
    stored, copied = model.parametrizations.test_param, to_model.parametrizations.test_param
    record += [same(model.test_param, to_model.test_param, 0.0), same(held, model.test_param, 0.0)]
    return [*record, same(stored.original0, copied.original0, 0.0), same(stored.original1, copied.original1, 0.0)]


def test_transfer_of_a_parametrization_of_several_stored_tensors_as_torchs():
    record = both(_transfer_many_to_one)
    assert record[6] is False and all(entry for index, entry in enumerate(record) if index != 6)


# -- spectral_norm ------------------------------------------------------------------------------------------------
def _spectral_norm_structure(lib: Any) -> list[Any]:
    P, PS = lib.P, lib.PS
    m = PS.spectral_norm(linear(lib, 5, 7, dtype="float64"))
    snm = m.parametrizations.weight[0]
    record = [tuple(snm._u.shape), hasattr(m.parametrizations.weight, "original")]
    record += ["original" in m.parametrizations.weight._parameters, "_u" in snm._buffers, "_v" in snm._buffers]
    record += [m.weight is not None, "weight" in m._buffers, "weight" in m._parameters]
    record += [tuple(m.parametrizations.weight.original.shape) == tuple(m.weight.shape)]
    record += [m.parametrizations.weight.original.stride() == m.weight.stride()]
    m = P.remove_parametrizations(m, "weight")
    record += [hasattr(m, "parametrizations"), "weight" in m._parameters]
    m = PS.spectral_norm(m, "weight")  # several times on one tensor, and on another tensor
    m = PS.spectral_norm(m, "weight")
    m = PS.spectral_norm(m, "bias")
    m = P.remove_parametrizations(m, "bias")  # runs forward in eval mode (leave_parametrized=True)
    record += ["bias" in m._parameters, hasattr(m, "parametrizations"), "weight" in m._parameters]
    m = P.remove_parametrizations(m, "weight")
    return [*record, hasattr(m, "parametrizations"), "weight" in m._parameters, P.is_parametrized(m)]


def test_spectral_norm_stores_original_and_power_iteration_buffers_as_torchs():
    both(_spectral_norm_structure)


def _spectral_norm_training(lib: Any, requires_grad: bool) -> list[Any]:
    t, PS = lib.t, lib.PS
    x = tensor(lib, np.random.default_rng(7).normal(size=(2, 3)))

    def fresh(seed: int = 0):
        m = linear(lib, 3, 4, seed=seed, dtype="float64")
        m.weight.requires_grad_(requires_grad)
        # the power iteration's start (_u, _v) is random in both libraries: start both from the same vectors
        m = PS.spectral_norm(m)
        snm = m.parametrizations.weight[0]
        rng = np.random.default_rng(seed + 100)
        with t.no_grad():
            snm._u.copy_(lib.F.normalize(tensor(lib, rng.normal(size=4)), dim=0))
            snm._v.copy_(lib.F.normalize(tensor(lib, rng.normal(size=3)), dim=0))
        return m, snm

    m, snm = fresh()
    u0, v0 = snm._u.clone(), snm._v.clone()
    opt = lib.SGD(m.parameters(), lr=0.1)
    opt.zero_grad()
    m(x).sum().backward()
    opt.step()
    out = m(x)
    record: list[Any] = [Values(out, 1e-8), not same(u0, snm._u, 0.0), not same(v0, snm._v, 0.0)]
    if requires_grad:
        (grad,) = t.autograd.grad(out.sum(), m.parametrizations.weight.original)
        record.append(Values(grad, 1e-8))

    saved_u, saved_v = snm._u.clone(), snm._v.clone()

    def twice(inp):  # two forwards in training mode, from the same power-iteration vectors each time
        with t.no_grad():
            snm._u.copy_(saved_u)
            snm._v.copy_(saved_v)
        return m(inp) + m(inp)

    twice(x.clone().requires_grad_()).sum().backward()
    record.append(bool(lib.gradcheck(twice, (x.clone().requires_grad_(),))))

    m, snm = fresh(1)  # removing in eval mode keeps the output
    before = m(x).detach()
    m.eval()
    m = lib.P.remove_parametrizations(m, "weight")
    record += [same(m(x), before, 1e-12), Values(before, 1e-8)]
    PS.spectral_norm(m)
    snm = m.parametrizations.weight[0]
    with t.no_grad():
        snm._u.copy_(lib.F.normalize(tensor(lib, np.arange(1.0, 5.0)), dim=0))
        snm._v.copy_(lib.F.normalize(tensor(lib, np.arange(1.0, 4.0)), dim=0))
    for _ in range(3):
        before = m(x).detach()
    m.eval()
    m = lib.P.remove_parametrizations(m, "weight")
    record += [same(m(x), before, 1e-12), Values(before, 1e-8)]

    m, snm = fresh(2)  # eval mode does no power iteration
    m(x)
    last_train = m(x).detach()
    last_u, last_v = snm._u.clone(), snm._v.clone()
    m.zero_grad()
    m.eval()
    eval_out = m(x)
    record += [same(eval_out, last_train, 1e-12), same(eval_out, m(x), 0.0), same(last_u, snm._u, 0.0)]
    record += [same(last_v, snm._v, 0.0), Values(eval_out, 1e-8)]

    saved_u, saved_v = snm._u.clone(), snm._v.clone()

    def mixed(inp):  # training and eval forwards mixed
        with t.no_grad():
            snm._u.copy_(saved_u)
            snm._v.copy_(saved_v)
        outs = []
        for training in (True, False, True, False):
            m.train(training)
            outs.append(m(inp))
        return outs[0] + outs[1] + outs[2] + outs[3]

    record.append(bool(lib.gradcheck(mixed, (x.clone().requires_grad_(),))))
    if requires_grad:
        m.eval()
        record.append(bool(lib.gradcheck(lambda weight: m(x), (m.parametrizations.weight.original,))))
    return record


@pytest.mark.parametrize("requires_grad", [True, False])
def test_spectral_norm_trains_evaluates_and_is_removed_as_torchs(requires_grad):
    record = both(_spectral_norm_training, requires_grad)
    assert record[1] and record[2]  # a training-mode read moves the power-iteration vectors


def _spectral_norm_state_dict(lib: Any, activate_times: int) -> list[Any]:
    t, P, PS = lib.t, lib.P, lib.PS
    x = tensor(lib, np.random.default_rng(8).normal(size=(2, 3)).astype(np.float32))
    snm = PS.spectral_norm(linear(lib, 3, 5))
    snm.train()
    for _ in range(activate_times):
        snm(x)
    state_dict = copy.deepcopy(snm.state_dict())
    record: list[Any] = [sorted(state_dict.keys())]
    loose = copy.deepcopy(state_dict)
    loose["nonsense"] = "nonsense"
    record.append(raised(lambda: snm.load_state_dict(loose, strict=True)))
    for change in ("weight.original", "weight.0._u", "weight.0._v", "plain weight", "no weight", "bias"):
        if change == "plain weight":
            loose["weight"] = snm.weight.detach().clone()  # the parametrized tensor given as if it were stored
        elif change == "no weight":
            del loose["weight"]
        else:
            del loose[change if change == "bias" else f"parametrizations.{change}"]
        record.append(raised(lambda: snm.load_state_dict(loose, strict=False)))

    def rewrapped(module):
        return PS.spectral_norm(P.remove_parametrizations(module, "weight"))

    snm = rewrapped(snm)
    snm.load_state_dict(state_dict)
    outs = []
    with t.no_grad():
        for training in (False, True, True, False):
            snm.train(training)
            outs.append(snm(x))
    snm = rewrapped(snm)
    snm.load_state_dict(state_dict)
    with t.no_grad():
        for training, expected in zip((False, True, True, False), outs):
            snm.train(training)
            record.append(same(snm(x), expected, 0.0))
    return [*record, *(Values(out) for out in outs)]


@pytest.mark.parametrize("activate_times", [0, 3])
def test_spectral_norm_state_dict_loads_strictly_loosely_and_after_rewrapping_as_torchs(activate_times):
    record = both(_spectral_norm_state_dict, activate_times)
    assert record[1] is not None and record[2:8] == [None] * 6


def _spectral_norm_dim_and_forward(lib: Any) -> list[Any]:
    t, F = lib.t, lib.F
    rng = np.random.default_rng(9)
    m = lib.nn.ConvTranspose2d(3, 4, (5, 6))
    m = lib.PS.spectral_norm(m)
    m(tensor(lib, rng.normal(size=(2, 3, 10, 12)).astype(np.float32)))  # runs: u is over the right dimension
    record = [tuple(m.parametrizations.weight[0]._u.shape), tuple(m.parametrizations.weight.original[0, :, 0, 0].shape)]

    x = tensor(lib, rng.normal(size=(3, 5)).astype(np.float32))
    m = lib.PS.spectral_norm(linear(lib, 5, 7))
    snm = m.parametrizations.weight[0]
    with t.no_grad():
        snm._v.copy_(F.normalize(tensor(lib, rng.normal(size=5).astype(np.float32)), dim=0))
    weight, bias, v = m.parametrizations.weight.original.detach().clone(), m.bias, snm._v.clone()
    matrix = weight.view(weight.shape[0], -1)
    u = F.normalize(t.mv(matrix, v), dim=0, eps=1e-12)  # one power iteration by hand
    v = F.normalize(t.mv(matrix.t(), u), dim=0, eps=1e-12)
    expected = F.linear(x, weight / t.dot(u, t.matmul(matrix, v)), bias)
    return [*record, same(m(x), expected), Values(expected)]


def test_spectral_norm_iterates_over_the_output_dimension_and_divides_by_u_w_v_as_torchs():
    record = both(_spectral_norm_dim_and_forward)
    assert record[0] == record[1] and record[2] is True


def _spectral_norm_value(lib: Any) -> list[Any]:
    m = lib.nn.Linear(2, 2)
    with lib.t.no_grad():
        m.weight = lib.Parameter(lib.t.diag(tensor(lib, np.array([0.5, -2.0], np.float32))))
        lib.PS.spectral_norm(m)
        return [Values(m.weight, 1e-6)]


def test_spectral_norm_of_a_diagonal_matrix_divides_by_its_largest_entry():
    record = both(_spectral_norm_value)
    np.testing.assert_allclose(record[0].array, np.diag([0.25, -1.0]), atol=1e-6)


# -- orthogonal: training keeps the weight orthogonal ----------------------------------------------------------------
def _is_orthogonal(weight: Any) -> bool:
    q = plain(weight)
    if q.shape[-2] < q.shape[-1]:
        q = q.swapaxes(-1, -2)
    eps = 10 * q.shape[-2] * float(np.finfo(np.float32).eps)
    return bool(np.allclose(q.T @ q, np.eye(q.shape[-1]), rtol=0.0, atol=eps))


def _is_q_factor(weight: Any, of: Any) -> bool:
    """Whether ``weight`` is the Q factor (signs so that R's diagonal is positive) of ``of`` (of its transpose if
    wide), by numpy's QR decomposition."""
    a = plain(of)
    wide = a.shape[-2] < a.shape[-1]
    q, r = np.linalg.qr(a.T if wide else a)
    q = q * np.sign(np.diagonal(r))[None, :]
    return bool(np.allclose(q.T if wide else q, plain(weight), rtol=0.0, atol=1e-5))


def _orthogonal_training(lib: Any, shape: tuple[int, int], orthogonal_map: str, trivialization: bool) -> list[Any]:
    rng = np.random.default_rng(11)
    m = linear(lib, *shape)
    x = tensor(lib, rng.normal(size=(3, shape[0])).astype(np.float32))
    w_init = m.weight.detach().clone()
    can_initialize = trivialization or orthogonal_map == "householder"
    lib.PS.orthogonal(m, "weight", orthogonal_map, use_trivialization=trivialization)
    record: list[Any] = [tuple(m.weight.shape) == tuple(w_init.shape), _is_orthogonal(m.weight)]
    if can_initialize:
        record.append(_is_q_factor(m.weight, w_init))
    target = rng.normal(size=tuple(m.weight.shape)).astype(np.float32)
    wide = target.shape[0] < target.shape[1]
    q = np.linalg.qr(target.T if wide else target)[0]
    orthogonal = tensor(lib, (q.T if wide else q).astype(np.float32))
    if can_initialize:
        m.weight = orthogonal  # an orthogonal matrix is stored as it is
        record.append(same(m.weight, orthogonal))
        m.weight = tensor(lib, target)  # any other is stored as its Q factor
        record.append(_is_q_factor(m.weight, target))
    else:
        record.append(raised(lambda: setattr(m, "weight", orthogonal)))
    opt = lib.SGD(m.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        m(x).norm().backward()
        grad = plain(m.parametrizations.weight.original.grad)
        # the strictly upper (tall) or lower (wide) triangle and the diagonal get no gradient
        unused = np.triu(grad, 1) if grad.shape[0] >= grad.shape[1] else np.tril(grad, -1)
        record += [not unused.any(), not np.diagonal(grad).any()]
        opt.step()
        record.append(_is_orthogonal(m.weight))
    return record


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)], ids=["square", "tall", "wide"])
@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("trivialization", [False, True])
def test_orthogonal_weight_starts_from_the_q_factor_and_stays_orthogonal_in_training(
    shape, orthogonal_map, trivialization
):
    record = both(_orthogonal_training, shape, orthogonal_map, trivialization)
    assert all(entry is True or entry is NotImplementedError for entry in record)


# -- weight_norm --------------------------------------------------------------------------------------------------
def _weight_norm(lib: Any) -> list[Any]:
    rng = np.random.default_rng(12)
    x = tensor(lib, rng.normal(size=(3, 4)).astype(np.float32))
    m = linear(lib, 4, 5)
    expected = m(x).detach()
    m = lib.PS.weight_norm(m)
    stored = m.parametrizations.weight
    record = [tuple(stored.original1.shape) == tuple(m.weight.shape), tuple(stored.original0.shape)]
    record.append(same(m(x), expected))
    lib.P.remove_parametrizations(m, "weight")
    record += [hasattr(m, "parametrizations"), same(m(x), expected)]
    m = lib.PS.weight_norm(m, dim=1)
    stored = m.parametrizations.weight
    record += [tuple(stored.original1.shape) == tuple(m.weight.shape), tuple(stored.original0.shape)]
    record.append(same(m(x), expected))
    m = linear(lib, 4, 5, seed=1)
    expected = m(x).detach()
    m = lib.PS.weight_norm(m, dim=None)
    return [*record, same(m(x), expected), Values(expected)]


def test_weight_norm_keeps_the_output_for_each_dim_and_after_removal_as_torchs():
    record = both(_weight_norm)
    assert record[1] == (5, 1) and record[6] == (1, 4)


def _weight_norm_compat_pickle_deepcopy(lib: Any) -> list[Any]:
    x = tensor(lib, np.random.default_rng(13).normal(size=(3, 4)).astype(np.float32))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = lib.old_weight_norm(linear(lib, 4, 5))
    new = lib.PS.weight_norm(linear(lib, 4, 5, seed=1))
    new.load_state_dict(old.state_dict())  # the old weight_norm's state dict loads into the parametrization
    deprecated = any(issubclass(warning.category, FutureWarning) for warning in caught)
    record = [same(old(x), new(x)), Values(new(x)), deprecated]
    record.append(raised(lambda: pickle.dumps(new)))
    duplicate = copy.deepcopy(new)
    return [*record, same(duplicate(x), new(x), 0.0)]


def test_weight_norm_loads_the_old_state_dict_refuses_pickling_and_deep_copies_as_torchs():
    record = both(_weight_norm_compat_pickle_deepcopy)
    assert record[0] is True and record[3] is not None and record[4] is True
