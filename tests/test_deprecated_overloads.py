"""torch's deprecated number-first overloads (``add_(alpha, other)``, ``addcmul(value, t1, t2)``, ...), which old
tutorials' manual SGD loops use: the same results as torch, torch's warning pointing at the caller, and TypeErrors
for the forms no overload takes. (torch warns about such an overload once per process, so its calls here run with
warnings off.)"""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

X = np.array([1.0, -2.0, 0.5])
Y = np.array([2.0, 4.0, -1.0])
Z = np.array([0.5, 3.0, 2.0])


def _same(ours, theirs):
    ours = ours.numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=0)


def _deprecated(match):
    return pytest.warns(UserWarning, match=rf"This overload of {match} is deprecated")


def test_the_old_manual_sgd_step_through_data_updates_as_torch():
    lr = 0.1
    w, tw = Tensor(X.copy(), requires_grad=True), torch.tensor(X.copy(), requires_grad=True)
    for _ in range(3):
        (w * w * Tensor(Y)).sum().backward()
        (tw * tw * torch.tensor(Y)).sum().backward()
        with _deprecated("add_"):
            w.data.add_(-lr, w.grad)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (torch warns once per process)
            tw.data.add_(-lr, tw.grad.data)
        w.grad.zero_()
        tw.grad.zero_()
    _same(w, tw)


@pytest.mark.parametrize("name", ["add", "sub"])
def test_alpha_first_out_of_place_gives_torchs_values_and_gradients(name):
    x, tx = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    y, ty = Tensor(Y, requires_grad=True), torch.tensor(Y, requires_grad=True)
    with _deprecated(name):
        ours = getattr(x, name)(2.5, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(tx, name)(2.5, ty)
    _same(ours, theirs)
    (ours * Tensor(Z)).sum().backward()
    (theirs * torch.tensor(Z)).sum().backward()
    _same(x.grad, tx.grad)
    _same(y.grad, ty.grad)


def test_the_module_function_takes_the_alpha_first_form_too():
    with _deprecated("add"):
        ours = autograd.add(Tensor(X), 3.0, Tensor(Y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.add(torch.tensor(X), 3.0, torch.tensor(Y))
    _same(ours, theirs)


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_value_first_gives_torchs_values_and_gradients(name):
    args = [Tensor(a, requires_grad=True) for a in (X, Y, Z)]
    targs = [torch.tensor(a, requires_grad=True) for a in (X, Y, Z)]
    with _deprecated(name):
        ours = getattr(args[0], name)(0.75, args[1], args[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(targs[0], name)(0.75, targs[1], targs[2])
    _same(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    for a, ta in zip(args, targs):
        _same(a.grad, ta.grad)


@pytest.mark.parametrize("name", ["addcmul_", "addcdiv_", "add_", "sub_"])
def test_in_place_forms_give_torchs_values(name):
    operands = (0.75, Y, Z) if name.startswith("addc") else (0.75, Y)
    ours, theirs = Tensor(X.copy()), torch.tensor(X.copy())
    with _deprecated(name):
        getattr(ours, name)(operands[0], *[Tensor(a) for a in operands[1:]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(theirs, name)(operands[0], *[torch.tensor(a) for a in operands[1:]])
    _same(ours, theirs)


def test_a_number_as_the_other_operand_is_scaled_too_as_in_torch():
    ours, theirs = Tensor(X.copy()), torch.tensor(X.copy())
    with _deprecated("add_"):
        ours.add_(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.add_(2, 3)
    _same(ours, theirs)


def test_gradient_arrays_take_the_alpha_first_forms():
    x = Tensor(X.copy(), requires_grad=True)
    (x * Tensor(Y)).sum().backward()
    with _deprecated("add"):
        added = x.grad.add(2.0, Z)
    with _deprecated("sub"):
        subtracted = x.grad.sub(2.0, Z)
    np.testing.assert_allclose(added, Y + 2.0 * Z)
    np.testing.assert_allclose(subtracted, Y - 2.0 * Z)
    with _deprecated("sub_"):
        x.grad.sub_(0.5, Z)
    np.testing.assert_allclose(x.grad, Y - 0.5 * Z)


def test_the_warning_points_at_the_callers_line():
    x = Tensor(X.copy())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.add_(2.0, Tensor(Y))
        autograd.addcmul(x, 2.0, Tensor(Y), Tensor(Z))
    assert [w.filename for w in caught] == [__file__, __file__]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, t: t.add_(lib.ones(3), 2), id="tensor-then-number"),
        pytest.param(lambda lib, t: t.add(2.0, lib.ones(3), lib.ones(3)), id="three-operands"),
        pytest.param(lambda lib, t: t.addcmul_(lib.ones(3), lib.ones(3), lib.ones(3)), id="addcmul_-three-tensors"),
    ],
)
def test_forms_no_overload_takes_are_type_errors_as_in_torch(call):
    with pytest.raises(TypeError):
        call(torch, torch.ones(3))
    ours = Tensor(np.ones(3))
    with pytest.raises(TypeError, match=r"takes \("):
        call(autograd, ours)
    np.testing.assert_array_equal(ours.numpy(), np.ones(3))  # nothing changed
