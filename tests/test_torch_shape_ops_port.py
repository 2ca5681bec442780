"""PyTorch's shape-op tests (test/test_shape_ops.py, the shape parts of test/test_torch.py and the OpInfo sample
inputs of these ops), written for this library's Tensor: each case runs in torch and here, and the values, dtypes,
gradients and error classes are compared."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")


def _raises_like_torch(call, *inputs, words=()):
    """``call`` on torch tensors and on ours of ``inputs`` both raise, ours an instance of torch's class, its message
    naming each of ``words``."""
    with pytest.raises(Exception) as theirs:
        call(*(torch.tensor(x) for x in inputs))
    with pytest.raises(theirs.type) as ours:
        call(*(Tensor(x) for x in inputs))
    for word in words:
        assert word in str(ours.value)


# -- reshape and view ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "call"),
    [
        ("reshape", lambda x: x.reshape(-2, 12)),
        ("view", lambda x: x.view(-2, 12)),
        ("reshape", lambda x: x.reshape((4, -3))),
        ("view", lambda x: x.view(2, 3, -4)),
        ("reshape", lambda x: (torch if isinstance(x, torch.Tensor) else ag).reshape(x, (-6, 4))),
    ],
)
def test_reshape_and_view_refuse_a_negative_size_other_than_minus_one_as_torch(op, call):
    _raises_like_torch(call, np.zeros((2, 3, 4)), words=[op, "-"])


# -- triangles -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["tril", "triu"])
@pytest.mark.parametrize("shape", [(4,), ()])
def test_tril_and_triu_methods_refuse_fewer_than_two_dimensions_as_torch(op, shape):
    _raises_like_torch(lambda x: getattr(x, op)(), np.ones(shape), words=[op, str(shape)])
    _raises_like_torch(lambda x: getattr(x, f"{op}_")(), np.ones(shape), words=[op])


# -- flatten and unflatten -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dims", [(0, -1), (-1, 0), (0, 0)])
def test_flatten_of_a_0d_tensor_takes_dims_0_and_minus_1_as_torch(dims):
    theirs, ours = torch.tensor(2.5).flatten(*dims), Tensor(2.5).flatten(*dims)
    assert ours.shape == tuple(theirs.shape) == (1,)


@pytest.mark.parametrize("dims", [(1,), (0, 1), (-2,), (0, -2)])
def test_flatten_of_a_0d_tensor_refuses_other_dims_as_torch(dims):
    _raises_like_torch(lambda x: x.flatten(*dims), np.array(2.5), words=["flatten"])


# -- block_diag ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "blocks",
    [
        [((2, 2), np.float32), ((), np.float64)],
        [((), np.float64), ((2, 2), np.float32)],
        [((2, 2), np.int64), ((3,), np.float32)],
        [((2, 2), np.int32), ((), np.int64)],
        [((2,), np.bool_), ((), np.int64)],
        [((2, 2), np.int8), ((), np.float16), ((), np.float64)],
        [((2,), np.uint8), ((1, 2), np.int8)],
    ],
)
def test_block_diag_promotes_the_blocks_dtypes_as_torch(blocks):
    arrays = [np.arange(1, 1 + int(np.prod(shape))).reshape(shape).astype(dtype) for shape, dtype in blocks]
    theirs = torch.block_diag(*(torch.from_numpy(np.array(a)) for a in arrays))
    ours = ag.block_diag(*(Tensor(a) for a in arrays))
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_block_diag_of_mixed_dtypes_sends_each_float_block_its_window_of_the_gradient_as_torch():
    rng = np.random.default_rng(0)
    matrix, count, weights = rng.normal(size=(2, 3)), np.arange(4).reshape(2, 2), rng.normal(size=(5, 6))
    theirs = torch.tensor(matrix, requires_grad=True)
    (torch.block_diag(theirs, torch.tensor(count), torch.tensor(1.5)) * torch.tensor(weights)).sum().backward()
    ours = Tensor(matrix, requires_grad=True)
    (ag.block_diag(ours, Tensor(count), Tensor(1.5)) * Tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


# -- atleast_1d/2d/3d ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["atleast_1d", "atleast_2d", "atleast_3d"])
@pytest.mark.parametrize("form", ["list", "tuple", "several"])
def test_atleast_nd_of_several_tensors_gives_a_tuple_in_the_graph_as_torch(op, form):
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=shape) for shape in [(), (3,), (2, 3)]]

    def call(namespace, tensors):
        if form == "several":
            return getattr(namespace, op)(*tensors)
        return getattr(namespace, op)(list(tensors) if form == "list" else tuple(tensors))

    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours_in = [Tensor(a, requires_grad=True) for a in arrays]
    theirs, ours = call(torch, theirs_in), call(ag, ours_in)
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for t, o in zip(theirs, ours):
        np.testing.assert_array_equal(o.data, t.detach().numpy())
    weights = [rng.normal(size=tuple(t.shape)) for t in theirs]
    sum((t * torch.tensor(w)).sum() for t, w in zip(theirs, weights)).backward()
    sum((o * Tensor(w)).sum() for o, w in zip(ours, weights)).backward()
    for t, o in zip(theirs_in, ours_in):
        np.testing.assert_allclose(o.grad, t.grad.numpy())


def test_atleast_nd_of_one_tensor_in_a_sequence_is_a_tuple_of_one_as_torch():
    x = Tensor(np.ones(3), requires_grad=True)
    (row,) = ag.atleast_2d([x])
    assert row.shape == tuple(torch.atleast_2d([torch.ones(3)])[0].shape) == (1, 3)
    assert row.requires_grad


# -- repeat_interleave -----------------------------------------------------------------------------------------
def _counts(x, values):
    return (torch.tensor if isinstance(x, torch.Tensor) else lambda v: Tensor(np.array(v)))(values)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.repeat_interleave(-1),
        lambda x: x.repeat_interleave(_counts(x, [1, -2, 0]), dim=0),
        lambda x: x.repeat_interleave(_counts(x, [1, 2]), dim=0),
        lambda x: x.repeat_interleave(_counts(x, [1, 2, 3])),
        lambda x: x.repeat_interleave(_counts(x, [[1, 0, 2]]), dim=0),
        lambda x: x.repeat_interleave(_counts(x, [1, 0, 2]), dim=2),
    ],
)
def test_repeat_interleave_errors_name_the_op_as_torch(call):
    _raises_like_torch(call, np.ones((3, 4)), words=["repeat_interleave"])


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.repeat_interleave(_counts(x, [2]), dim=1),
        lambda x: x.repeat_interleave(_counts(x, 3)),
        lambda x: x.repeat_interleave(_counts(x, [1, 0, 2]), dim=-2, output_size=3),
        lambda x: x.repeat_interleave(_counts(x, list(range(12)))),
    ],
)
def test_repeat_interleave_of_tensor_counts_matches_torch_values_and_gradients(call):
    values = np.random.default_rng(2).normal(size=(3, 4))
    theirs, ours = torch.tensor(values, requires_grad=True), Tensor(values, requires_grad=True)
    expected, got = call(theirs), call(ours)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    (expected**2).sum().backward()
    (got**2).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy())


# -- tensor_split ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("indices", [[[1, 3]], [[1], [3]]])
def test_tensor_split_refuses_a_2d_tensor_of_indices_as_torch(indices):
    _raises_like_torch(
        lambda x: x.tensor_split((torch.tensor if isinstance(x, torch.Tensor) else Tensor)(np.array(indices))),
        np.arange(6.0),
        words=["tensor_split", str(np.shape(indices))],
    )


@pytest.mark.parametrize("indices", [3, [1, 4], [4, 1], [-2], [0, 0, 6], [10]])
def test_tensor_split_by_a_tensor_of_sections_or_indices_matches_torch(indices):
    values = np.arange(12.0).reshape(6, 2)
    theirs = torch.tensor(values).tensor_split(torch.tensor(indices))
    ours = Tensor(values).tensor_split(Tensor(np.array(indices)))
    assert [piece.shape for piece in ours] == [tuple(piece.shape) for piece in theirs]
    for t, o in zip(theirs, ours):
        np.testing.assert_array_equal(o.data, t.numpy())


# -- errors name the op the user called ------------------------------------------------------------------------
def _namespace(x):
    return torch if isinstance(x, torch.Tensor) else ag


@pytest.mark.parametrize(
    ("op", "call", "shapes"),
    [
        ("unsqueeze", lambda x: x.unsqueeze(3), [(2, 3)]),
        ("unsqueeze", lambda x: x.unsqueeze(-4), [(2, 3)]),
        ("unsqueeze", lambda x: _namespace(x).unsqueeze(x, 5), [(2, 3)]),
        ("hstack", lambda x, y: _namespace(x).hstack([x, y]), [(2, 3), (4, 3)]),
        ("vstack", lambda x, y: _namespace(x).vstack([x, y]), [(2, 3), (2, 4)]),
        ("dstack", lambda x, y: _namespace(x).dstack([x, y]), [(2, 3), (2, 4)]),
        ("column_stack", lambda x, y: _namespace(x).column_stack([x, y]), [(2, 3), (4,)]),
        ("unflatten", lambda x: x.unflatten(1, (0, -1)), [(2, 0, 3)]),
        ("expand", lambda x: x.expand(3, -2, 4), [(3, 1, 4)]),
        ("movedim", lambda x: x.movedim((0, 0), (1, 2)), [(2, 3, 4)]),
    ],
)
def test_shape_errors_name_the_op_called_as_torch(op, call, shapes):
    _raises_like_torch(call, *(np.zeros(shape) for shape in shapes), words=[op])


@pytest.mark.parametrize("op", ["hstack", "vstack", "dstack", "column_stack"])
def test_stacking_nothing_names_the_stack(op):
    with pytest.raises(RuntimeError, match=op):
        getattr(torch, op)([])
    with pytest.raises(RuntimeError, match=op):
        getattr(ag, op)([])


# -- values, gradients and shared memory against torch (float64) -----------------------------------------------
def _start(x, value):
    return torch.tensor(value) if isinstance(x, torch.Tensor) else Tensor(np.array(value))


PORTED = {
    "rot90(-3, (2, 0))": ((3, 4, 5), lambda x: x.rot90(-3, (2, 0))),
    "rot90(6, (-1, -2))": ((3, 4, 5), lambda x: x.rot90(6, (-1, -2))),
    "roll(-7) flattened": ((3, 4, 5), lambda x: x.roll(-7)),
    "roll((5, -9), (1, 2))": ((3, 4, 5), lambda x: x.roll((5, -9), (1, 2))),
    "fliplr": ((3, 4, 5), lambda x: x.fliplr()),
    "flipud of a vector": ((5,), lambda x: x.flipud()),
    "narrow(1, Tensor(-3), 2)": ((3, 4, 5), lambda x: x.narrow(1, _start(x, -3), 2)),
    "chunk(10) of 7": ((7, 2), lambda x: x.chunk(10)),
    "chunk(4) of 6": ((6, 2), lambda x: x.chunk(4)),
    "tensor_split(4) of 7": ((7, 3), lambda x: x.tensor_split(4)),
    "tensor_split([-10, 20])": ((7, 3), lambda x: x.tensor_split([-10, 20])),
    "dsplit([1])": ((2, 2, 3), lambda x: x.dsplit([1])),
    "unbind(-1)": ((3, 4, 5), lambda x: x.unbind(-1)),
    "squeeze(dim=(0, 1)) with a non-1 dim": ((1, 3, 1), lambda x: x.squeeze(dim=(0, 1))),
    "movedim((-1, 0), (0, -1))": ((2, 3, 4), lambda x: x.movedim((-1, 0), (0, -1))),
    "mH": ((2, 3, 4), lambda x: x.mH),
    "unflatten(1, (-1, 1))": ((2, 3, 4), lambda x: x.unflatten(1, (-1, 1))),
    "view(2, -1, 3) of 0 entries": ((2, 0, 3), lambda x: x.view(2, -1, 3)),
    "diagonal(-1, -1, -3)": ((2, 3, 4), lambda x: x.diagonal(-1, -1, -3)),
    "diag_embed(1, 0, 2)": ((3, 4), lambda x: x.diag_embed(1, 0, 2)),
    "triu(-5) batched": ((2, 3, 4), lambda x: x.triu(-5)),
    "expand(2, 3, 5, 4)": ((3, 1, 4), lambda x: x.expand(2, 3, 5, 4)),
    "tile(0, 2)": ((3, 4), lambda x: x.tile((0, 2))),
    "repeat_interleave(Tensor([1, 0, 2]), 0, output_size=3)": (
        (3, 4),
        lambda x: x.repeat_interleave(_counts(x, [1, 0, 2]), dim=0, output_size=3),
    ),
    "combinations(3, with_replacement)": ((4,), lambda x: _namespace(x).combinations(x, 3, with_replacement=True)),
    "cartesian_prod": ((3,), lambda x: _namespace(x).cartesian_prod(x, x * 2)),
    "meshgrid ij": ((3,), lambda x: _namespace(x).meshgrid(x, x[:2], indexing="ij")),
    "cat with torch's legacy (0,) tensor": ((2, 3), lambda x: _namespace(x).cat([x, x.new_zeros(0), x], 1)),
    "column_stack of a vector and a matrix": ((2, 3), lambda x: _namespace(x).column_stack([x[:, 0], x])),
}


@pytest.mark.parametrize("name", PORTED)
def test_shape_op_values_gradients_and_memory_sharing_match_torch(name):
    shape, call = PORTED[name]
    values = np.random.default_rng(3).uniform(-2, 2, shape)
    theirs_in, ours_in = torch.tensor(values, requires_grad=True), Tensor(values, requires_grad=True)
    theirs, ours = call(theirs_in), call(ours_in)
    theirs, ours = (theirs, ours) if isinstance(theirs, (tuple, list)) else ((theirs,), (ours,))
    assert len(ours) == len(theirs)
    weights = [np.random.default_rng(4).normal(size=tuple(t.shape)) for t in theirs]
    for t, o in zip(theirs, ours):
        assert o.shape == tuple(t.shape) and o.dtype == np.float64
        np.testing.assert_array_equal(o.data, t.detach().numpy())
    sum((t * torch.tensor(w)).sum() for t, w in zip(theirs, weights)).backward()
    sum((o * Tensor(w)).sum() for o, w in zip(ours, weights)).backward()
    np.testing.assert_allclose(ours_in.grad, theirs_in.grad.numpy(), rtol=1e-12)
    # a write into the first result shows in the input exactly where torch's does (views), else nowhere
    theirs_base, ours_base = torch.tensor(values), Tensor(values)
    first_theirs, first_ours = [
        (r if isinstance(r, (tuple, list)) else (r,))[0] for r in (call(theirs_base), call(ours_base))
    ]
    if not first_theirs.numel() or 0 in first_theirs.stride():
        return  # nothing to write, or an expanded view: torch refuses the write
    first_theirs.add_(100.0)
    first_ours.add_(100.0)
    np.testing.assert_array_equal(ours_base.data, theirs_base.numpy())
