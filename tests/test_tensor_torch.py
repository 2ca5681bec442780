"""Torch oracle: values and gradients of the Tensor op set against PyTorch (float64).

Skipped as a whole when torch is not installed; tests/test_tensor_ops.py and tests/test_op_table.py
still check every op against finite differences."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import ROWS_BY_NAME

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays, axes_for, broadcastable_shapes, indices_for, shapes

torch = pytest.importorskip("torch")
F = torch.nn.functional


def assert_matches_torch(ours, theirs, *inputs: np.ndarray, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Same value and same input gradients (for a random seed) from our op and torch's."""
    leaves = [Tensor(a.copy(), requires_grad=True) for a in inputs]
    torch_leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out, expected = ours(*leaves), theirs(*torch_leaves)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol, err_msg="value")
    seed = np.random.default_rng(out.size).uniform(-1.5, 1.5, out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    for position, (leaf, torch_leaf) in enumerate(zip(leaves, torch_leaves)):
        reference = np.zeros(leaf.shape) if torch_leaf.grad is None else torch_leaf.grad.numpy()
        got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
        np.testing.assert_allclose(got, reference, rtol=rtol, atol=atol, err_msg=f"gradient of input {position}")


# The elementwise ops are compared with torch row by row in tests/test_op_table.py.


def test_non_smooth_points_match_torch_conventions():
    x = np.array([0.0, -1.0, 1.5, 1.0])  # 0 for relu/abs/leaky/elu, the clip bounds -1 and 1.5
    for name in ("abs", "relu", "leaky_relu", "elu", "clip"):
        row = ROWS_BY_NAME[name]
        assert_matches_torch(row.call, lambda t, row=row: row.torch(torch, t), x)


def test_step_matches_torch_heaviside_values():
    x = np.array([-2.0, 0.0, 0.5])
    np.testing.assert_array_equal(
        Tensor(x).step().data, torch.heaviside(torch.from_numpy(x), torch.tensor(0.0, dtype=torch.float64))
    )


BINARY = {
    "maximum": (ag.maximum, torch.maximum, {}, {}),
    "minimum": (ag.minimum, torch.minimum, {}, {}),
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_broadcasting_binary_op_matches_torch(name, data):
    ours, theirs, domain_a, domain_b = BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shapes())
    assert_matches_torch(ours, theirs, data.draw(arrays(shape_a, **domain_a)), data.draw(arrays(shape_b, **domain_b)))


def test_maximum_minimum_ties_match_torch():
    a, b = np.array([1.0, 2.0, -3.0]), np.array([1.0, 0.0, -3.0])
    assert_matches_torch(ag.maximum, torch.maximum, a, b)
    assert_matches_torch(ag.minimum, torch.minimum, a, b)


@given(data=st.data())
def test_where_matches_torch(data):
    shape_c, shape_a, shape_b = data.draw(broadcastable_shapes(num_shapes=3))
    condition = data.draw(hnp.arrays(np.bool_, shape_c))
    assert_matches_torch(
        lambda a, b: ag.where(condition, a, b),
        lambda a, b: torch.where(torch.from_numpy(condition), a, b),
        data.draw(arrays(shape_a)),
        data.draw(arrays(shape_b)),
    )


@given(data=st.data())
def test_matmul_matches_torch(data):
    shape_a, shape_b = data.draw(
        hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=3, max_side=3).map(
            lambda r: r.input_shapes
        )
    )
    assert_matches_torch(lambda a, b: a @ b, torch.matmul, data.draw(arrays(shape_a)), data.draw(arrays(shape_b)))


# -- reductions -------------------------------------------------------------------------------------
def _dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


REDUCTIONS = {
    "sum": (lambda x, a, k: x.sum(a, k), lambda x, a, k: torch.sum(x, _dims(a, x.ndim), keepdim=k)),
    "mean": (lambda x, a, k: x.mean(a, k), lambda x, a, k: torch.mean(x, _dims(a, x.ndim), keepdim=k)),
    "var": (
        lambda x, a, k: x.var(a, ddof=1, keepdims=k),
        lambda x, a, k: torch.var(x, _dims(a, x.ndim), correction=1, keepdim=k),
    ),
    "std": (
        lambda x, a, k: x.std(a, keepdims=k),
        lambda x, a, k: torch.std(x, _dims(a, x.ndim), correction=0, keepdim=k),
    ),
    "max": (lambda x, a, k: x.max(a, keepdims=k), lambda x, a, k: torch.amax(x, _dims(a, x.ndim), keepdim=k)),
    "min": (lambda x, a, k: x.min(a, keepdims=k), lambda x, a, k: torch.amin(x, _dims(a, x.ndim), keepdim=k)),
    "logsumexp": (
        lambda x, a, k: x.logsumexp(a, k),
        lambda x, a, k: torch.logsumexp(x, _dims(a, x.ndim), keepdim=k),
    ),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data(), keepdims=st.booleans())
def test_reduction_matches_torch(name, data, keepdims):
    ours, theirs = REDUCTIONS[name]
    x = data.draw(arrays(shapes(min_dims=1)))
    axis = data.draw(axes_for(x.ndim))
    count = int(np.prod([x.shape[a] for a in np.atleast_1d(_dims(axis, x.ndim))]))
    assume(name not in ("var", "std") or count >= 2)
    assume(name != "std" or np.all(np.var(x, axis=axis) > 1e-6))
    assert_matches_torch(lambda t: ours(t, axis, keepdims), lambda t: theirs(t, axis, keepdims), x)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_max_min_reductions_with_ties_match_torch_amax_amin(name, axis):
    x = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])
    ours, theirs = REDUCTIONS[name]
    assert_matches_torch(lambda t: ours(t, axis, False), lambda t: theirs(t, axis, False), x)


@given(data=st.data(), keepdims=st.booleans())
def test_prod_matches_torch_including_zeros(data, keepdims):
    x = data.draw(hnp.arrays(np.float64, shapes(min_dims=1), elements=st.sampled_from([0.0, -1.5, 0.5, 2.0, 3.0])))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert_matches_torch(lambda t: t.prod(axis, keepdims), lambda t: torch.prod(t, axis, keepdim=keepdims), x)
    assert_matches_torch(lambda t: t.prod(), torch.prod, x)


@pytest.mark.parametrize(("method", "reference"), [("softmax", F.softmax), ("log_softmax", F.log_softmax)])
@given(data=st.data())
def test_softmax_family_matches_torch(method, reference, data):
    x = data.draw(arrays(shapes(min_dims=1), low=-30.0, high=30.0))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert_matches_torch(lambda t: getattr(t, method)(axis), lambda t: reference(t, dim=axis), x)


# -- shape and indexing ----------------------------------------------------------------------------------
@given(data=st.data())
def test_shape_ops_match_torch(data):
    x = data.draw(arrays(shapes(min_dims=1, max_side=3)))
    n = x.ndim
    axes = data.draw(st.permutations(range(n)))
    axis = data.draw(st.integers(-n, n - 1))
    new_axis = data.draw(st.integers(-n - 1, n))
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start, n - 1))
    widths = [tuple(data.draw(st.integers(0, 2)) for _ in range(2)) for _ in range(n)]
    torch_widths = [w for pair in reversed(widths) for w in pair]  # torch pads the last axis first
    target = (2,) + x.shape
    cases = [
        (lambda t: t.reshape(-1), lambda t: t.reshape(-1)),
        (lambda t: t.transpose(axes), lambda t: t.permute(*axes)),
        (lambda t: t.T, lambda t: t.permute(*reversed(range(n)))),
        (lambda t: t.flatten(start, end), lambda t: t.flatten(start, end)),
        (lambda t: t.unsqueeze(new_axis) * 1.0, lambda t: t.unsqueeze(new_axis) * 1.0),
        (lambda t: t.broadcast_to(target), lambda t: t.broadcast_to(target)),
        (lambda t: t.pad(widths, constant_values=0.5), lambda t: F.pad(t, torch_widths, value=0.5)),
        (lambda t: ag.cat([t, t * 2], axis), lambda t: torch.cat([t, t * 2], axis)),
        (lambda t: ag.stack([t, t.exp()], new_axis), lambda t: torch.stack([t, t.exp()], new_axis)),
    ]
    if x.shape[axis] == 1:
        cases.append((lambda t: t.squeeze(axis) * 1.0, lambda t: t.squeeze(axis) * 1.0))
    for ours, theirs in cases:
        assert_matches_torch(ours, theirs, x)


@pytest.mark.parametrize(
    "spell",
    [
        lambda m, t: m.broadcast_to(t, (2, -1, 4)),  # -1 keeps the axis's length, as in expand
        lambda m, t: t.broadcast_to((2, -1, -1)),
        lambda m, t: t.broadcast_to(2, 3, 4),  # torch's sizes given apart
        lambda m, t: m.broadcast_to(t, size=(2, 3, 4)),
        lambda m, t: t.broadcast_to(size=(-1, 5)),
    ],
)
def test_broadcast_to_takes_torchs_size_forms(spell):
    assert_matches_torch(lambda t: spell(ag, t), lambda t: spell(torch, t), np.array([[0.5], [-1.0], [2.0]]))


def test_broadcast_to_refuses_minus_one_for_a_new_leading_axis_as_torch():
    with pytest.raises(RuntimeError):
        torch.ones(3, 1).broadcast_to((-1, 3, 4))
    with pytest.raises(RuntimeError, match="broadcast_to"):
        Tensor(np.ones((3, 1))).broadcast_to((-1, 3, 4))


@given(data=st.data())
def test_split_matches_torch_split(data):
    x = data.draw(arrays(shapes(min_dims=1, max_side=6)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    length = x.shape[axis]
    parts = data.draw(st.sampled_from([n for n in range(1, length + 1) if length % n == 0]))
    weights = np.arange(1.0, parts + 1)
    assert_matches_torch(
        lambda t: ag.cat([p * w for p, w in zip(ag.split(t, parts, axis), weights)], axis),
        lambda t: torch.cat([p * w for p, w in zip(torch.split(t, length // parts, axis), weights)], axis),
        x,
    )


@given(data=st.data())
def test_indexing_matches_torch(data):
    x = data.draw(arrays(shapes(min_dims=1)))
    index = data.draw(indices_for(x.shape))
    parts = index if isinstance(index, tuple) else (index,)
    assume(not any(isinstance(p, slice) and (p.step or 1) < 0 for p in parts))  # torch has no negative steps
    torch_index = tuple(torch.from_numpy(p) if isinstance(p, np.ndarray) else p for p in parts)
    torch_index = torch_index[0] if not isinstance(index, tuple) else torch_index
    assert_matches_torch(lambda t: t[index] * 1.0, lambda t: t[torch_index] * 1.0, x)
