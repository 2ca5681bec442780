"""Every Tensor holds an ndarray, a 0-d one for a single number: op results on 0-d data (numpy gives
scalars there), reductions and the gradients of 0-d leaves. In-place changes then work on them as on any
tensor, as in torch; a one-element integer tensor is also an index (``__index__``)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, no_grad


def _zero_dim_results() -> dict[str, Tensor]:
    a, b = Tensor(2.0), Tensor(3.0)
    return {
        "mul": a * b,
        "add_number": a + 1.0,
        "neg": -a,
        "abs": a.abs(),
        "exp": a.exp(),
        "ufunc": np.arctan2(a, b),
        "sum": Tensor([1.0, 2.0]).sum(),
        "max": Tensor([1.0, 2.0]).max(),
        "dot": Tensor([1.0, 2.0]) @ Tensor([3.0, 4.0]),
        "astype": a.astype(np.float32),
        "cross_entropy_of_1d_logits": ag.softmax_cross_entropy(Tensor([1.0, 2.0, 0.5]), 1),
    }


@pytest.mark.parametrize("name", list(_zero_dim_results()))
def test_zero_dim_results_hold_a_zero_dim_ndarray(name):
    result = _zero_dim_results()[name]
    assert type(result._data) is np.ndarray and result._data.shape == ()
    assert type(result.numpy()) is np.ndarray


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.zero_(), 0.0),
        (lambda t: t.fill_(1.0), 1.0),
        (lambda t: t.add_(1.0), 7.0),
        (lambda t: t.mul_(2.0), 12.0),
        (lambda t: t.__iadd__(1.0), 7.0),
        (lambda t: t.exp_(), np.exp(6.0)),
        (lambda t: t.clamp_(0.0, 1.0), 1.0),
        (lambda t: t.copy_(Tensor(1.5)), 1.5),
        (lambda t: t.__setitem__((), 4.0), 4.0),
    ],
    ids=["zero_", "fill_", "add_", "mul_", "iadd", "exp_", "clamp_", "copy_", "setitem"],
)
def test_in_place_changes_work_on_a_zero_dim_op_result_as_in_torch(change, expected):
    t = Tensor(2.0) * Tensor(3.0)
    change(t)
    assert t.item() == pytest.approx(expected)
    assert t.version == 1


def test_in_place_changes_match_torch_on_zero_dim_results():
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor(2.0) * Tensor(3.0), torch.tensor(2.0, dtype=torch.float64) * torch.tensor(3.0)
    for t in (ours, theirs):
        t.zero_()
        t.add_(2.5)
        t.mul_(3.0)
    assert ours.item() == theirs.item()


def test_gradient_of_a_zero_dim_leaf_is_a_zero_dim_ndarray_across_backward_passes():
    w = Tensor(np.array(2.0), requires_grad=True)
    (w * w + w * 3.0).backward()  # two contributions summed: numpy gives a scalar for the sum of 0-d arrays
    assert type(w._grad) is np.ndarray and w.grad.shape == () and w.grad == 7.0
    (w * w + w * 3.0).backward()
    assert type(w._grad) is np.ndarray and w.grad == 14.0


def test_manual_update_of_a_zero_dim_parameter_changes_it():
    w = Tensor(np.array(2.0), requires_grad=True)
    loss = (w - 5.0) ** 2
    loss.backward()
    with no_grad():
        w -= 0.25 * w.grad
    assert w.item() == pytest.approx(3.5)


def test_a_leaf_hook_returning_another_dtype_gives_a_grad_of_the_leaf_dtype():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    x.register_hook(lambda g: g.astype(np.float64))
    (x * 1.0).sum().backward()
    assert x.grad.dtype == np.float32


def test_in_place_type_error_names_the_operation():
    t = Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"add_: the result of int64 add_ float64"):
        t.add_(0.5)


def test_one_element_integer_tensor_indexes_a_list_as_in_torch():
    assert [10, 20, 30][Tensor(np.array(1))] == 20
    assert list(range(5))[Tensor(np.array(1)) : Tensor(np.array([3]))] == [1, 2]
    with pytest.raises(TypeError, match="only integer or boolean tensors of a single element"):
        [10, 20][Tensor(1.0)]
    assert list(np.arange(5)[Tensor(np.array([0, 2]))]) == [0, 2]  # a multi-element index still works for numpy


def test_retained_and_returned_gradients_of_a_0d_tensor_are_0d_arrays():
    """Two 0-d contributions sum to a numpy scalar; what backward stores or returns is still an ndarray."""
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    y.retain_grad()
    (y * y + y * 3.0).backward()
    assert type(y._grad) is np.ndarray and y.grad.shape == () and y.grad == 2 * 4.0 + 3.0
    h = x * 3.0
    (dh,) = ag.grad(h * h + h, [h])
    assert isinstance(dh, np.ndarray) and dh.shape == () and dh == 2 * 6.0 + 1.0  # (read as a GradientArray)
