"""PyTorch's test/test_view_ops.py (TestViewOps and TestOldViewOps), ported: which ops give views of their input
(``_is_view()``, ``_base``, one storage, a write through either side seen on the other), which give the tensor itself
or a copy, the view/reshape/flatten size and stride rules with their refusals, the shape functions' results and
errors (narrow, t, T/mT/mH/H/adjoint, chunk, split, tensor_split, expand, broadcast_to/_shapes/_tensors, atleast_*,
view(dtype)), and gradients through views (as_strided, unbind, atleast_*, in-place changes of views). Each case runs
in torch 2.13 and in this library, written the same way: results must agree, and where torch raises, ours raises the
same kind of error (a RuntimeError, or an IndexError for a dimension out of range); the wording is the library's.
The cases use float64, the library's default dtype, unless the dtype is what is tested.

Left out, and why:

- complex tensors, ``conj``/``imag``/``view_as_real``/``view_as_complex``, the conjugate and negative bits, setting
  ``.real``/``.imag``: the library has no complex dtype (README); ``real`` of a real tensor is checked.
- quantized tensors (``_empty_affine_quantized``), sparse tensors (``to_sparse``, CSR indices), CUDA/meta devices,
  bfloat16: not in the library.
- ``torch.split(x, [sizes])`` as a function: ``autograd.split`` with a list is numpy's split at those indices
  (README); the method ``x.split([sizes])`` and the keyword spelling are torch's and are checked.
- ``x.repeat(sizes)`` (torch's tiling) in test_expand: the library's ``repeat`` is numpy's (README); ``tile`` is used.
- ``unfold`` and ``as_strided`` give copies here, not views (their docstrings say so): their values and gradients
  are checked against torch's, their view relation is not (nor ``as_strided_``'s writing through, nor the flatten
  views of an ``as_strided`` tensor).
- the storage pointers of ``ravel``'s copies (torch's ``ravel`` of a non-contiguous tensor is a view of a temporary
  contiguous copy, an implementation detail); that it copies is checked.
- ``set_(storage, offset, size, stride)``, ``resize_`` with a channels-last ``memory_format`` and the overflow
  messages of ``resize_``: the library's ``set_`` takes a tensor, its ``resize_`` lays data out contiguously.
- ``gradgradcheck`` of as_strided and torch's ``check_forward_ad``: first derivatives are compared with torch's.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

LIBS = (torch, autograd)


# -- the harness ----------------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A result of either library as plain Python: tensors as (shape, float64 values), sequences element-wise."""
    if isinstance(value, tuple) and all(isinstance(size, int) for size in value):  # a shape, a torch.Size
        return tuple(int(size) for size in value)
    if isinstance(value, (list, tuple)):
        return [_plain(each) for each in value]
    if hasattr(value, "detach"):
        array = np.asarray(value.detach().numpy(), dtype=np.float64)
        return ("tensor", tuple(array.shape), array.tolist())
    if isinstance(value, np.ndarray):
        return ("tensor", tuple(value.shape), np.asarray(value, dtype=np.float64).tolist())
    if isinstance(value, np.integer):
        return int(value)
    return value


def _outcome(lib: Any, case: Callable[[Any], Any]) -> Any:
    try:
        return _plain(case(lib))
    except Exception as error:  # compared by kind below
        return error


def same_as_torch(case: Callable[[Any], Any]) -> Any:
    """``case(lib)`` in torch and here: equal plain results, or the same kind of error (torch's RuntimeError,
    IndexError or ValueError; ours may be a subclass that is also another built-in)."""
    theirs, ours = _outcome(torch, case), _outcome(autograd, case)
    if isinstance(theirs, Exception):
        kind = next(k for k in (IndexError, RuntimeError, ValueError, TypeError) if isinstance(theirs, k))
        assert isinstance(ours, kind), f"torch raised {theirs!r}, ours gave {ours!r}"
    else:
        assert not isinstance(ours, Exception), f"torch gave {theirs!r}, ours raised {ours!r}"
        assert ours == theirs
    return theirs


def arange(lib: Any, *shape: int) -> Any:
    """A float64 tensor of the given shape holding 0, 1, 2, ... (made from an array: no view of anything)."""
    return lib.tensor(np.arange(float(np.prod(shape))).reshape(shape))


def storage_pointer(tensor: Any) -> int:
    return tensor.untyped_storage().data_ptr()


def is_view_of(base: Any, other: Any) -> bool:
    """test_view_ops' is_view_of: ``other`` is a view whose ``_base`` is ``base``, in the same storage."""
    if not other._is_view() or other is base or other._base is not base:
        return False
    return storage_pointer(base) == storage_pointer(other)


def is_view_of_same_base(first: Any, second: Any) -> bool:
    return first._is_view() and first is not second and is_view_of(first._base, second)


# -- ops that return views: each side sees the other's writes -------------------------------------------------------
# name -> (make the base, make the view, an index into the view, the same element's index into the base)
VIEWS: dict[str, tuple[Callable, Callable, Any, Any]] = {
    "diagonal": (lambda m: m.ones(5, 5), lambda m, t: m.diagonal(t), 0, (0, 0)),
    "diagonal_offset_dims": (
        lambda m: m.ones(3, 3, 3),
        lambda m, t: m.diagonal(t, offset=1, dim1=1, dim2=2),
        (0, 0),
        (0, 0, 1),
    ),
    "select": (lambda m: m.ones(5, 5), lambda m, t: t.select(0, 2), 0, (2, 0)),
    "expand": (lambda m: m.ones(5, 1), lambda m, t: t.expand(5, 5), (2, 2), (2, 0)),
    "expand_as": (lambda m: m.ones(5, 1), lambda m, t: t.expand_as(m.empty(5, 5)), (2, 2), (2, 0)),
    "narrow": (lambda m: m.ones(5, 5), lambda m, t: m.narrow(t, 1, 2, 2), (0, 0), (0, 2)),
    "narrow_tensor_start": (lambda m: m.ones(5, 5), lambda m, t: t.narrow(0, m.tensor(1), 2), (0, 3), (1, 3)),
    "permute": (lambda m: m.ones(5, 5), lambda m, t: t.permute(1, 0), (0, 1), (1, 0)),
    "swapdims": (lambda m: m.ones(5, 5), lambda m, t: m.swapdims(t, 0, 1), (0, 1), (1, 0)),
    "swapaxes": (lambda m: m.ones(5, 5), lambda m, t: m.swapaxes(t, 0, 1), (0, 1), (1, 0)),
    "transpose": (lambda m: m.ones(5, 5), lambda m, t: m.transpose(t, 0, 1), (0, 1), (1, 0)),
    "t": (lambda m: m.ones(5, 5), lambda m, t: t.t(), (0, 1), (1, 0)),
    "T": (lambda m: m.ones(5, 5), lambda m, t: t.T, (0, 1), (1, 0)),
    "H": (lambda m: m.ones(5, 5), lambda m, t: t.H, (0, 1), (1, 0)),
    "mT": (lambda m: m.ones(5, 5), lambda m, t: t.mT, (0, 1), (1, 0)),
    "mH": (lambda m: m.ones(5, 5), lambda m, t: t.mH, (0, 1), (1, 0)),
    "adjoint": (lambda m: m.ones(5, 5), lambda m, t: t.adjoint(), (0, 1), (1, 0)),
    "squeeze": (lambda m: m.ones(5, 1, 5), lambda m, t: m.squeeze(t), (0, 1), (0, 0, 1)),
    "unsqueeze": (lambda m: m.ones(5, 5), lambda m, t: m.unsqueeze(t, 1), (0, 0, 1), (0, 1)),
    "view": (lambda m: m.ones(5, 5), lambda m, t: t.view(25), 6, (1, 1)),
    "view_as": (lambda m: m.ones(5, 5), lambda m, t: t.view_as(m.empty(25)), 6, (1, 1)),
    "reshape": (lambda m: m.ones(5, 5), lambda m, t: m.reshape(t, (25,)), 6, (1, 1)),
    "reshape_as": (lambda m: m.ones(5, 5), lambda m, t: t.reshape_as(m.empty(25)), 6, (1, 1)),
    "flatten": (lambda m: m.ones(1, 2, 3, 4), lambda m, t: t.flatten(), 0, (0, 0, 0, 0)),
    "flatten_0d": (lambda m: m.tensor(1.0), lambda m, t: t.flatten(), 0, ()),
    "ravel": (lambda m: m.ones(5, 5), lambda m, t: t.ravel(), 7, (1, 2)),
    "slice": (lambda m: m.ones(5, 5), lambda m, t: t[:2, :3], (0, 0), (0, 0)),
    "ellipsis": (lambda m: m.ones(5, 5), lambda m, t: t[..., :2], (0, 0), (0, 0)),
    "newaxis": (lambda m: m.ones(5, 5), lambda m, t: t[None, :2, 3], (0, 0), (0, 3)),
    "movedim_tuple": (lambda m: m.zeros(3, 3), lambda m, t: m.movedim(t, (0, 1), (1, 0)), (0, 2), (2, 0)),
    "movedim": (lambda m: m.zeros(3, 3), lambda m, t: m.movedim(t, source=0, destination=1), (1, 2), (2, 1)),
    "moveaxis": (lambda m: m.zeros(3, 3), lambda m, t: m.moveaxis(t, 0, 1), (2, 0), (0, 2)),
    "view_of_view_as_transpose_": (lambda m: m.ones(5, 5), lambda m, t: t.view_as(t).transpose_(0, 1), (0, 1), (1, 0)),
    "view_of_view_as_swapdims_": (lambda m: m.ones(5, 5), lambda m, t: t.view_as(t).swapdims_(0, 1), (0, 1), (1, 0)),
    "view_of_view_as_swapaxes_": (lambda m: m.ones(5, 5), lambda m, t: t.view_as(t).swapaxes_(0, 1), (0, 1), (1, 0)),
    "view_of_view_as_t_": (lambda m: m.ones(5, 5), lambda m, t: t.view_as(t).t_(), (0, 1), (1, 0)),
    "view_of_view_as_squeeze_": (lambda m: m.ones(5, 1, 5), lambda m, t: t.view_as(t).squeeze_(), (0, 1), (0, 0, 1)),
    "view_of_view_as_unsqueeze_": (
        lambda m: m.ones(5, 5),
        lambda m, t: t.view_as(t).unsqueeze_(1),
        (0, 0, 1),
        (0, 1),
    ),
    "unflatten": (lambda m: m.ones(2, 6), lambda m, t: t.unflatten(1, (2, 3)), (1, 1, 2), (1, 5)),
    "unflatten_of_a_transpose": (lambda m: m.ones(2, 6), lambda m, t: t.t().unflatten(0, (3, -1)), (2, 1, 0), (0, 5)),
    "select_negative": (lambda m: m.ones(3, 4), lambda m, t: t.select(1, -1), 2, (2, 3)),
    "unbind_dim_1": (lambda m: m.ones(3, 4), lambda m, t: t.unbind(1)[2], 1, (1, 2)),
    "split_with_sizes": (lambda m: m.ones(5, 2), lambda m, t: t.split_with_sizes([2, 3])[1], (2, 1), (4, 1)),
    "real_of_a_real_tensor": (lambda m: m.ones(3, 4), lambda m, t: m.real(t[1:]), (0, 2), (1, 2)),
    "atleast_2d": (lambda m: m.ones(5), lambda m, t: m.atleast_2d(t), (0, 3), 3),
    "atleast_3d": (lambda m: m.ones(5, 2), lambda m, t: m.atleast_3d(t), (4, 1, 0), (4, 1)),
    "broadcast_tensors": (
        lambda m: m.ones(3, 1),
        lambda m, t: m.broadcast_tensors(t, m.ones(3, 3))[0],
        (1, 2),
        (1, 0),
    ),
}


def _writes_go_both_ways(lib: Any, name: str) -> list[Any]:
    make, view_of, at_view, at_base = VIEWS[name]
    base = make(lib)
    view = view_of(lib, base)
    seen = [is_view_of(base, view)]
    view[at_view] = 0
    seen.append(float(base[at_base]))
    base[at_base] = 7
    seen.append(float(view[at_view]))
    return seen


@pytest.mark.parametrize("name", list(VIEWS))
def test_the_op_returns_a_view_that_shares_writes_with_its_base(name):
    assert same_as_torch(lambda lib: _writes_go_both_ways(lib, name)) == [True, 0.0, 7.0]


# -- ops that return a view of the base their input views -----------------------------------------------------------
def test_flatten_of_a_transposed_tensor_views_the_same_base():
    def case(lib):
        t = lib.ones(1, 2, 3, 4).transpose(2, 3)
        v = t.flatten(0, 1)
        v[0, 0, 0] = 0
        return [is_view_of_same_base(t, v), float(t[0, 0, 0, 0])]

    assert same_as_torch(case) == [True, 0.0]


def test_multiple_output_ops_return_views_of_their_input():
    calls = {
        "unbind": lambda m, t: m.unbind(t),
        "chunk": lambda m, t: m.chunk(t, 3),
        "split_method": lambda m, t: t.split([1, 1, 1]),
        "split_keyword": lambda m, t: m.split(t, split_size_or_sections=1),
        "tensor_split": lambda m, t: t.tensor_split(3, 0),
    }

    def case(lib, call):
        t = lib.zeros(3, 3)
        pieces = call(lib, t)
        seen = []
        for position, piece in enumerate(pieces):
            seen.append(is_view_of(t, piece))
            piece[(0,) * piece.ndim] = position + 1
            seen.append(float(t[position, 0]))
        return seen

    for name, call in calls.items():
        assert same_as_torch(functools.partial(case, call=call)) == [True, 1.0, True, 2.0, True, 3.0], name


@pytest.mark.parametrize("split, where", [("hsplit", (2, 0, 2)), ("vsplit", (0, 2, 2)), ("dsplit", (2, 2, 0))])
def test_hsplit_vsplit_dsplit_pieces_are_views(split, where):
    def case(lib):
        t = arange(lib, 4, 4, 4)
        pieces = getattr(lib, split)(t, 2)
        views = [is_view_of(t, piece) for piece in pieces]
        t[2, 2, 2] = 7
        return views + [float(pieces[1][where])]

    assert same_as_torch(case) == [True, True, 7.0]


def test_tensor_split_pieces_along_either_dim_are_views():
    def case(lib):
        a = arange(lib, 40, 30)
        return [is_view_of(a, piece) for dim in (0, 1) for piece in a.tensor_split(7, dim)]

    assert same_as_torch(case) == [True] * 14


# -- ops that return the tensor itself, or a copy -------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [lambda t: t.contiguous(), lambda t: t.flatten(1, 1), lambda t: t.conj(), lambda t: t.flatten(-1, 1)],
    ids=["contiguous", "flatten_one_dim", "conj_of_real", "flatten_negative_same_dim"],
)
def test_the_op_returns_the_tensor_itself(call):
    assert same_as_torch(lambda lib: (lambda t: call(t) is t)(lib.ones(2, 2))) is True


COPIES = {
    "contiguous_of_transpose": (lambda m, t: t.t().contiguous(), (0, 0), (0, 0)),
    "reshape_of_transpose": (lambda m, t: m.reshape(t.t(), (25,)), 6, (1, 1)),
    "advanced_index": (lambda m, t: t[m.tensor([[0, 0], [2, 2]]), m.tensor([[0, 1], [2, 2]])], (1, 1), (2, 2)),
    "flatten_across_a_transpose": (lambda m, t: t.view(5, 5, 1, 1).transpose(0, 1).flatten(), 1, (1, 0)),
    "flatten_T": (lambda m, t: t.T.flatten(), 1, (1, 0)),
    "view_copy": (lambda m, t: m.view_copy(t, (25,)), 6, (1, 1)),
    "clone": (lambda m, t: t.clone(), (1, 1), (1, 1)),
}


@pytest.mark.parametrize("name", list(COPIES))
def test_the_op_returns_a_copy_that_does_not_write_back(name):
    call, at_copy, at_base = COPIES[name]

    def case(lib):
        t = lib.ones(5, 5)
        copy = call(lib, t)
        copy[at_copy] = 0
        return [copy._is_view() and copy._base is t, float(t[at_base])]

    assert same_as_torch(case) == [False, 1.0]


def test_flatten_of_a_tensor_whose_dims_cannot_merge_is_no_view():
    def case(lib):
        t = lib.ones(2, 3, 2, 3).transpose(2, 3)
        flat = t.flatten(1, 3)
        flat[0, 0] = 0
        return [flat._is_view(), float(t[0, 0, 0, 0])]

    assert same_as_torch(case) == [False, 1.0]


def test_advanced_index_assignment_writes_the_base():
    def case(lib):
        t = lib.ones(3, 3)
        t[lib.tensor([[0, 0], [2, 2]]), lib.tensor([[0, 1], [2, 2]])] = 0
        return t

    same_as_torch(case)


def test_ravel_is_a_contiguous_view_of_a_contiguous_tensor_and_a_copy_otherwise():
    def case(lib, shape):
        src = arange(lib, *shape)
        flat, other = src.ravel(), src.t().ravel() if src.ndim == 2 else None
        seen = [tuple(flat.shape), flat._base is src, flat.is_contiguous(), flat, src.view(-1)]
        if other is not None:
            seen += [other._base is src, other.is_contiguous(), other, src.t().contiguous().view(-1)]
        return seen

    for shape in [(5, 5, 5, 5), (0, 2, 3), (3, 0, 2), (5, 5)]:
        same_as_torch(functools.partial(case, shape=shape))
    for make in [
        lambda m: m.tensor(123.0),
        lambda m: m.tensor([123.0]),
        lambda m: m.ones(10)[::2],
        lambda m: m.ones(4, 3)[:, :1],
    ]:
        same_as_torch(lambda lib, make=make: (lambda r: [tuple(r.shape), r.is_contiguous(), r])(make(lib).ravel()))


def test_view_copy_values_and_gradient_match_the_view():
    def case(lib):
        a = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        reference = a.detach().clone().requires_grad_()
        viewed, copied = reference.view(2, 2), lib.view_copy(a, (2, 2))
        (copied * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        (viewed * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        return [is_view_of(reference, viewed), is_view_of(a, copied), copied, viewed, a.grad, reference.grad]

    same_as_torch(case)


def test_diagonal_copy_and_split_copy_write_their_out_tensors():
    def case(lib):
        out = lib.empty(2, dtype=lib.float64)
        lib.diagonal_copy(arange(lib, 2, 2), out=out)
        first, second = lib.empty(2, dtype=lib.float64), lib.empty(2, dtype=lib.float64)
        lib.split_copy(arange(lib, 4), 2, out=(first, second))
        return [out, first, second]

    same_as_torch(case)


# -- view(): sizes, inference and the stride rule -------------------------------------------------------------------
def _strided(lib):
    """test_view's tensor: contiguous only in chunks of its dims after two transposes."""
    return arange(lib, 4, 2, 5, 1, 6, 2, 9, 3).transpose(-1, 2).transpose(-2, 3)


VIEW_SIZES = {
    "view_as_template": lambda m: m.rand(15).view_as(m.rand(3, 5)).shape,
    "sizes": lambda m: m.rand(15).view(3, 5).shape,
    "list": lambda m: m.rand(15).view([3, 5]).shape,
    "infer_first": lambda m: m.rand(15).view(-1, 5).shape,
    "infer_last": lambda m: m.rand(15).view(3, -1).shape,
    "size_keyword": lambda m: m.rand(15).view(size=(5, 3)).shape,
    "empty_view_as": lambda m: m.empty(0).view_as(m.empty(0)).shape,
    "empty_0": lambda m: m.empty(0).view(0).shape,
    "empty_many_zeros": lambda m: m.empty(0).view(0, 3, 0, 1).view(0).shape,
    "empty_infer_alone": lambda m: m.empty(0).view(-1).shape,
    "empty_infer_last": lambda m: m.empty(0).view(10, 3, -1).shape,
    "empty_infer_next_to_0": lambda m: m.empty(0).view(-1, 0).shape,
    "empty_infer_between_0s": lambda m: m.empty(0).view(3, 0, -1, 0).shape,
    "wrong_count_0": lambda m: m.rand(15).view(15, 0).shape,
    "wrong_count_infer": lambda m: m.rand(15).view(7, -1).shape,
    "two_inferred": lambda m: m.rand(15).view(15, -1, -1).shape,
    "negative_size": lambda m: m.rand(15).view(-3, -5).shape,
    "chunks_merged_and_split": lambda m: _strided(m).view(8, 1, 3, 3, 3, 4, 1, 3, 5),
    "chunks_regrouped": lambda m: _strided(m).view(2, 4, 3, 1, 9, 2, 2, 3, 5, 1),
    "length_one_dims_added": lambda m: _strided(m).view(1, 1, 2, 1, 4, 3, 1, 1, 9, 1, 2, 1, 2, 3, 1, 5, 1, 1),
    "flattening_all_chunks": lambda m: _strided(m).view(-1),
    "crossing_first_chunks": lambda m: _strided(m).view(24, 9, 6, 2, 1, 5),
    "crossing_last_chunks": lambda m: _strided(m).view(8, 3, 9, 6, 10),
    "crossing_middle_chunks": lambda m: _strided(m).view(8, 3, 54, 2, 1, 5),
    "transposed_matrix": lambda m: arange(m, 3, 4).t().view(12),
    "transposed_matrix_infer": lambda m: arange(m, 3, 4).t().view(-1),
    "transposed_matrix_same_shape": lambda m: arange(m, 3, 4).t().view(4, 3),
    "transposed_matrix_length_one_dim": lambda m: arange(m, 3, 4).t().view(4, 1, 3),
    "column_of_a_matrix": lambda m: arange(m, 3, 4)[:, 1].view(3, 1),
    "stepped_vector": lambda m: arange(m, 10)[::2].view(5, 1),
    "stepped_vector_split": lambda m: arange(m, 12)[::2].view(2, 3),
}


@pytest.mark.parametrize("name", list(VIEW_SIZES))
def test_view_sizes_and_refusals(name):
    same_as_torch(VIEW_SIZES[name])


@pytest.mark.parametrize("sizes", [(-1,), (1, -1, 1), (-1, 1), (6, 2, 1), (1, 6, 2, 1)])
def test_view_of_an_expanded_tensor_whose_dims_are_all_stride_0(sizes):
    def case(lib):
        tensor = lib.ones(1, 1).expand(3, 4)
        viewed = tensor.view(*sizes)
        return [viewed, tensor.clone().view(*sizes), viewed.stride(), viewed._base is tensor._base]

    same_as_torch(case)


def test_view_keeps_what_it_views_writable():
    def case(lib):
        tensor = lib.rand(15)
        tensor.view(5, 3).fill_(0.25)
        return tensor

    same_as_torch(case)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"])
def test_view_of_every_dtype(dtype):
    same_as_torch(lambda lib: lib.tensor([[1, 2], [3, 4], [5, 6]], dtype=getattr(lib, dtype)).view(6).shape)


# -- reshape: a view when the strides allow, a copy otherwise -------------------------------------------------------
RESHAPES = {
    "empty_view": lambda m: (lambda x: [x.reshape(1, 0, 6, 1, 1).shape, x.reshape(1, 0, 6, 1, 1)._base is x])(
        m.randn(0, 6)
    ),
    "empty_infer_next_to_0": lambda m: m.randn(0, 6).reshape(0, -1),
    "two_inferred": lambda m: m.randn(3, 3).reshape(-1, -1),
    "flat_view": lambda m: (lambda x: [x.reshape(-1)._base is x, x.data_ptr() == x.reshape(1, 9, 1).data_ptr()])(
        m.randn(3, 3)
    ),
    "function_and_method": lambda m: (lambda x: [m.reshape(x, (9,)), x.reshape(9)])(arange(m, 3, 3)),
    "selected_rows": lambda m: (
        lambda y: [
            y.data_ptr() == y.reshape(-1).data_ptr(),
            y.reshape(-1),
            y.reshape(2, 2, 4).data_ptr() == y.data_ptr(),
            y.reshape(2, 2, 4)._base is y._base,
        ]
    )(arange(m, 4, 4, 4)[:, 0, :]),
    "scalar": lambda m: (lambda s: [s.data_ptr() == s.reshape(()).data_ptr(), s.reshape(-1).shape])(m.randn(())),
    "scalar_to_2": lambda m: m.randn(()).reshape(2),
    "empty_shapes": lambda m: (
        lambda e: [e.reshape(-1), e.reshape([0]), e.reshape([0, 1]).shape, e.reshape([1, -1]).shape]
    )(m.tensor([])),
    "empty_to_1": lambda m: m.tensor([]).reshape(1),
    "reshape_as": lambda m: (
        lambda x: [x.data_ptr() == x.reshape_as(m.rand(9)).data_ptr(), x.reshape_as(m.rand(1, 9, 1)).shape]
    )(m.randn(3, 3)),
    "reshape_as_wrong_count": lambda m: m.randn(3, 3).reshape_as(m.rand(10)),
    "view_semantics": lambda m: (
        lambda t: [
            t.reshape(20, 3).shape,
            storage_pointer(t) == storage_pointer(t.reshape(20, 3)),
            t.transpose(0, 1).reshape(20, 3),
            storage_pointer(t) == storage_pointer(t.transpose(0, 1).reshape(20, 3)),
        ]
    )(arange(m, 15, 4)),
}


@pytest.mark.parametrize("name", list(RESHAPES))
def test_reshape_views_when_it_can_and_copies_otherwise(name):
    same_as_torch(RESHAPES[name])


# -- flatten ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dims", [(0, -1), (0, 2), (0, 1), (1, 2), (2, 3), (-2, -1), (2, 2), (5, 10), (2, 0), (0, -5)])
def test_flatten_shapes_and_refusals(dims):
    def case(lib):
        src = arange(lib, 5, 5, 5, 5)
        flat = src.flatten(*dims)
        return [flat.shape, flat.reshape(-1), src.view(-1)]

    same_as_torch(case)


def test_flatten_of_a_0d_tensor_is_1d():
    same_as_torch(lambda lib: (lambda f: [f.shape, f, f.is_contiguous()])(lib.tensor(123).flatten()))


def test_flatten_merges_each_group_of_dims_whose_strides_chain_as_views():
    """test_flatten_view's three groups: stride[i] == stride[i + 1] * size[i + 1] holds inside each (the base is
    made contiguous here, as as_strided gives a copy in this library)."""

    def case(lib):
        t = lib.ones(720).as_strided((2, 3, 2, 3, 5, 4), (6, 2, 15, 5, 1, 0)).contiguous()
        t = t.permute(0, 1, 2, 3, 4, 5)
        first = t.flatten(0, 1)
        second = first.flatten(1, 3)
        third = second.flatten(2, 2)
        seen = []
        for view in (first, second, third):
            view[(0,) * view.ndim] = 0
            seen += [is_view_of(t, view), float(t[(0,) * t.ndim]), view.shape]
        return seen

    same_as_torch(case)


# -- narrow, t, T and the matrix transposes --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "dim, start, length",
    [
        (0, 0, 1),
        (0, 0, 2),
        (0, 1, 1),
        (0, -1, 1),
        (0, -2, 2),
        (0, -3, 3),
        (-1, -1, 1),
        (-2, -1, 1),
        (0, 2, 2),
        (2, 0, 1),
    ],
)
def test_narrow(dim, start, length):
    same_as_torch(lambda lib: lib.tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]).narrow(dim, start, length))


@pytest.mark.parametrize("start", ["zero", "float", "one_entry", "two_entries"])
def test_narrow_takes_a_0d_integer_tensor_as_start(start):
    starts = {
        "zero": lambda m: m.tensor(0),
        "float": lambda m: m.tensor(0.0),
        "one_entry": lambda m: m.tensor([0]),
        "two_entries": lambda m: m.tensor([0, 1]),
    }
    same_as_torch(lambda lib: lib.tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]).narrow(0, starts[start](lib), 1))


@pytest.mark.parametrize("shape", [(), (4,), (2, 2), (2, 2, 2)])
def test_t_of_up_to_2_dims_and_its_refusal_above(shape):
    same_as_torch(lambda lib: (lambda x: [x.t(), x.transpose(0, 1) if x.ndim == 2 else x])(arange(lib, *shape)))


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("op", ["T", "H", "mT", "mH", "adjoint"])
@pytest.mark.parametrize("shape", [(), (2,), (2, 3), (2, 3, 4)])
def test_the_transposes_and_their_refusals(op, shape):
    def case(lib):
        a = arange(lib, *shape) if shape else lib.tensor(1.5)
        result = getattr(a, op)
        return result() if op == "adjoint" else result

    same_as_torch(case)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_T_reverses_all_dims():
    same_as_torch(lambda lib: (lambda a: [a.T, a.permute(2, 1, 0)])(arange(lib, 2, 3, 4)))


@pytest.mark.parametrize("fn", ["swapdims", "swapaxes", "transpose"])
def test_transposing_functions_against_numpy_and_their_refusals(fn):
    names = {"swapdims": ("dim0", "dim1"), "swapaxes": ("axis0", "axis1"), "transpose": ("dim0", "dim1")}
    for ndim in range(5):
        shape = (2, 3, 4, 5)[:ndim]
        for first, second in itertools.permutations(range(ndim), 2):
            for a, b in [(first, second), (first - ndim, second), (first, second - ndim)]:

                def case(lib, shape=shape, a=a, b=b):
                    x = arange(lib, *shape)
                    keywords = dict(zip(names[fn], (a, b)))
                    return [getattr(lib, fn)(x, **keywords), np.swapaxes(np.arange(x.numel()).reshape(shape), a, b)]

                result = same_as_torch(case)
                assert result[0] == result[1]
    same_as_torch(lambda lib: getattr(lib, fn)(arange(lib, 2, 3, 5, 7), 0, 0))
    same_as_torch(lambda lib: getattr(lib, fn)(lib.ones(2, 2, 2, 2), 5, 0))
    same_as_torch(lambda lib: getattr(lib, fn)(lib.ones(2, 2, 2, 2), 0, -5))


UNFLATTENS = {
    "sizes": lambda m: arange(m, 2, 6).unflatten(1, (2, 3)),
    "inferred": lambda m: arange(m, 2, 6).unflatten(1, (-1, 3)),
    "last_dim": lambda m: m.unflatten(arange(m, 2, 6), -1, (3, 2)),
    "of_a_transpose": lambda m: (lambda t: [t.unflatten(1, (1, 2)), t.unflatten(1, (1, 2)).stride()])(
        arange(m, 2, 6).t()
    ),
    "wrong_product": lambda m: arange(m, 2, 6).unflatten(1, (4, 2)),
    "two_inferred": lambda m: arange(m, 2, 6).unflatten(1, (-1, -1)),
    "no_sizes": lambda m: arange(m, 2, 6).unflatten(1, ()),
    "dim_out_of_range": lambda m: arange(m, 2, 6).unflatten(2, (2, 3)),
}


@pytest.mark.parametrize("name", list(UNFLATTENS))
def test_unflatten_sizes_and_refusals(name):
    same_as_torch(UNFLATTENS[name])


# -- chunk, split, unsqueeze ----------------------------------------------------------------------------------------
SPLITS = {
    "chunk": lambda m: arange(m, 4, 7).chunk(3, 1),
    "chunk_0": lambda m: arange(m, 4, 7).chunk(0),
    "chunk_negative": lambda m: arange(m, 4, 7).chunk(-2),
    "split_size": lambda m: arange(m, 7, 4).split(3, 0),
    "split_sizes_dim0": lambda m: arange(m, 20, 10).split([5, 5, 10], 0),
    "split_sizes_dim1": lambda m: arange(m, 20, 10).split([2, 2, 6], 1),
    "split_sizes_wrong_sum": lambda m: arange(m, 7, 4).split([3, 3], 0),
    "split_keyword_sizes": lambda m: m.split(arange(m, 7, 4), split_size_or_sections=[3, 4]),
}


@pytest.mark.parametrize("name", list(SPLITS))
def test_chunk_and_split_pieces_match_narrow(name):
    same_as_torch(SPLITS[name])


def test_unsqueeze_of_a_contiguous_and_a_strided_tensor():
    def case(lib):
        x = arange(lib, 2, 3, 4)
        strided = x[:, 1]
        return [
            x.unsqueeze(1),
            x.view(2, 1, 3, 4),
            x.clone().unsqueeze_(2),
            strided.is_contiguous(),
            strided.unsqueeze(1),
            strided.contiguous().view(2, 1, 4),
            strided.clone().unsqueeze_(2),
        ]

    same_as_torch(case)


def test_transposed_copy_of_a_large_matrix():
    same_as_torch(lambda lib: (lambda t: [t.t().contiguous(), t.t().contiguous().is_contiguous()])(arange(lib, 45, 78)))


# -- expand and broadcasting ----------------------------------------------------------------------------------------
EXPANDS = {
    "expand_as": lambda m: arange(m, 1, 8, 1).expand_as(m.rand(4, 8, 5)).shape,
    "sizes": lambda m: arange(m, 1, 8, 1).expand(4, 8, 5),
    "size_object": lambda m: arange(m, 1, 8, 1).expand(m.rand(4, 8, 5).shape),
    "new_dims": lambda m: arange(m, 5).expand(4, 8, 5),
    "keep_with_minus_1": lambda m: arange(m, 1, 8, 1).expand(4, -1, 5),
    "twice": lambda m: [arange(m, 5).expand(1, 5).expand(2, 2, 5), arange(m, 5).tile(2, 2, 1)],
    "strided": lambda m: (lambda n: [n.is_contiguous(), n.expand(2, 5, 4, 3), n.contiguous().tile(2, 1, 4, 1)])(
        arange(m, 5, 2, 1, 3)[:, 0]
    ),
    "like_unsqueeze": lambda m: (lambda e, u: [e, u, e.stride(), u.stride()])(
        arange(m, 5).expand(1, 1, 5), arange(m, 5).unsqueeze(0).unsqueeze(1)
    ),
    "new_length_1_dims_strides": lambda m: [
        m.tensor(1.0).expand(1).stride(),
        m.tensor(1.0).expand(1, 1).stride(),
        m.tensor(1.0).expand(3, 1).stride(),
        m.ones(5).expand(1, 3, 1, 5).stride(),
        m.ones(2, 1).expand(1, 2, 4).stride(),
        m.ones(5)[::2].expand(1, 1, 3).stride(),
        m.ones(2, 3).t().expand(1, 3, 2).stride(),
    ],
    "new_length_1_dims_view": lambda m: (
        lambda t: (lambda e: (e.__setitem__((0, 0, 1), 7.0), is_view_of(t, e), t))(t.expand(1, 1, 5))[1:]
    )(m.ones(5)),
    "minus_1_in_a_new_dim": lambda m: arange(m, 5).expand(-1, -1),
    "empty_to_empty": lambda m: m.zeros(0).expand((0,)),
    "not_length_1": lambda m: m.rand(3).expand(4),
    "fewer_sizes": lambda m: m.rand(3, 1).expand(3),
}


@pytest.mark.parametrize("name", list(EXPANDS))
def test_expand(name):
    same_as_torch(EXPANDS[name])


def test_expand_gradient_sums_over_the_expanded_dims():
    def case(lib):
        t = lib.ones(3, 1, requires_grad=True)
        (t.expand(3, 4) * arange(lib, 3, 4)).sum().backward()
        return t.grad

    same_as_torch(case)


SHAPES = [(), (1,), (2,), (1, 1), (3, 1), (3, 2), (4, 1, 1), (4, 3, 2)]


@pytest.mark.parametrize("source, target", list(itertools.combinations(SHAPES, 2)))
def test_broadcast_to_matches_numpy_or_refuses(source, target):
    def case(lib):
        result = lib.broadcast_to(arange(lib, *source), target)
        return [result, np.broadcast_to(np.arange(float(np.prod(source))).reshape(source), target)]

    result = same_as_torch(case)
    if not isinstance(result, Exception):
        assert result[0] == result[1]


def test_broadcast_tensors_shapes():
    same_as_torch(
        lambda lib: [y.shape for y in lib.broadcast_tensors(lib.randn(2, 1, 3), lib.randn(3), lib.randn(3, 1))]
    )


@pytest.mark.parametrize("first", SHAPES)
def test_broadcast_shapes_agrees_with_broadcast_tensors(first):
    def case(lib):
        shapes = [lib.broadcast_shapes(first)]
        for second in SHAPES:
            try:
                expected = lib.broadcast_tensors(lib.randn(first), lib.randn(second))[0].shape
            except RuntimeError:
                continue
            shapes.append([lib.broadcast_shapes(first, second), expected])
        return shapes

    same_as_torch(case)


@pytest.mark.parametrize(
    "shapes",
    [
        ([1, 4],),
        ([4, 1],),
        ([1, 1, 3],),
        ((3, 5),),
        ((2, 4, 1),),
        ((1, (5,)),),
        ((3, (1,)),),
        ((1, (3, 4)),),
    ],
    ids=str,
)
def test_broadcast_shapes_of_ints_and_mixtures(shapes):
    same_as_torch(lambda lib: lib.broadcast_shapes(*shapes[0]))


@pytest.mark.parametrize("size", [1.1, 2.0, 1.0, (2, 1.5), [3.0]])
def test_broadcast_shapes_refuses_float_sizes(size):
    same_as_torch(lambda lib: lib.broadcast_shapes(size))


@pytest.mark.parametrize("shapes", [[1, 1, -12], [-1, 1], [-11], [(-1,)], [(1, -12)], [(4, -11), (1,)], [(-4, 1)]])
def test_broadcast_shapes_refuses_negative_sizes(shapes):
    theirs = _outcome(torch, lambda lib: lib.broadcast_shapes(*shapes))
    assert isinstance(theirs, ValueError)  # torch's is a ValueError; ours is that and a RuntimeError
    with pytest.raises(ValueError):
        autograd.broadcast_shapes(*shapes)


# -- atleast_*d -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("shape", [(), (5,), (5, 6), (5, 6, 7), (5, 6, 7, 8)])
def test_atleast_nd_against_numpy(n, shape):
    def case(lib):
        fn = getattr(lib, f"atleast_{n}d")
        x = arange(lib, *shape) if shape else lib.tensor(0.5)
        np_fn = getattr(np, f"atleast_{n}d")
        together = fn(x, x.mT if x.ndim >= 2 else x, x)
        return [fn(x), np_fn(x.numpy()), list(together), list(np_fn(*(t.numpy() for t in together)))]

    result = same_as_torch(case)
    assert result[0] == result[1] and result[2] == result[3]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_atleast_nd_gradients(n):
    rng = np.random.default_rng(n)
    arrays = [rng.standard_normal(shape) for shape in [(), (4,), (4, 3), (4, 3, 2), (4, 3, 2, 1)]]

    def case(lib):
        inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        outputs = getattr(lib, f"atleast_{n}d")(*inputs)
        total = sum(
            (out * lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape)))).sum()
            for out in outputs
        )
        total.backward()
        return [x.grad for x in inputs]

    same_as_torch(case)


# -- view(dtype) -------------------------------------------------------------------------------------------------------
DTYPE_INPUTS = {
    "contiguous": lambda m, d: m.ones(4, 4, 8, dtype=d),
    "permuted_last_dense": lambda m, d: m.ones(4, 4, 8, dtype=d).permute(1, 0, 2),
    "permuted_last_strided": lambda m, d: m.ones(4, 8, 4, dtype=d).permute(2, 0, 1),
    "expanded": lambda m, d: m.ones(1, 5, 1, dtype=d).expand(5, 5, 8),
    "stepped": lambda m, d: m.ones(2, 5, 16, dtype=d)[1::2, 1:, ::2],
    "empty": lambda m, d: m.ones(0, 5, 8, dtype=d),
    "scalar": lambda m, d: m.ones((), dtype=d),
    "offset_by_one": lambda m, d: m.ones(4, 4, 5, dtype=d)[:, :, 1:],
    "odd_last_length": lambda m, d: m.ones(4, 4, 3, dtype=d),
}
DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64"]


@pytest.mark.parametrize("source", DTYPES)
@pytest.mark.parametrize("make", list(DTYPE_INPUTS))
def test_view_as_another_dtype_reads_the_same_bytes_or_refuses_as_torch(make, source):
    def case(lib, target):
        a = DTYPE_INPUTS[make](lib, getattr(lib, source)) * 3
        viewed = a.view(getattr(lib, target))
        strides = viewed.stride() if viewed.numel() else None  # (an empty tensor's strides are not compared)
        return [viewed.shape, strides, viewed.data_ptr() == a.data_ptr(), viewed.view(a.dtype), a]

    for target in DTYPES:
        same_as_torch(functools.partial(case, target=target))


def test_view_as_another_dtype_shares_memory_both_ways_and_drops_requires_grad():
    def case(lib):
        a = lib.ones(3, dtype=lib.float32)
        bits = a.view(lib.int32)
        bits[0] = 0
        a[1] = 0
        grad = lib.ones(5, 4, dtype=lib.float64, requires_grad=True)
        return [a, bits, grad.view(lib.float32).requires_grad, grad.view(lib.int64).requires_grad]

    same_as_torch(case)


# -- tensor_split -----------------------------------------------------------------------------------------------------
SPLIT_SHAPES = [(0,), (10,), (10, 0), (0, 10), (4, 10), (12, 3)]


@pytest.mark.parametrize("shape", SPLIT_SHAPES, ids=str)
def test_tensor_split_by_sections_matches_numpy(shape):
    def case(lib, sections, dim, as_tensor):
        a = arange(lib, *shape)
        pieces = lib.tensor_split(a, lib.tensor(sections) if as_tensor else sections, dim)
        return [list(pieces), np.array_split(a.numpy(), sections, dim)]

    for dim in range(-len(shape), len(shape)):
        for sections in range(1, 2 * shape[dim]):
            for as_tensor in (False, True):
                result = same_as_torch(functools.partial(case, sections=sections, dim=dim, as_tensor=as_tensor))
                assert result[0] == result[1]


@pytest.mark.parametrize("shape", SPLIT_SHAPES, ids=str)
def test_tensor_split_at_indices_matches_numpy(shape):
    indices_args = [(), (0,), (3,), (10,), (-1,), (-10,), (2, -1), (3, 4, 10), (0, -1, 0, 10), (1, 5, 2, 8)]

    def case(lib, indices, dim, as_tensor):
        a = arange(lib, *shape)
        pieces = lib.tensor_split(a, lib.tensor(indices, dtype=lib.int64) if as_tensor else indices, dim)
        return [list(pieces), np.array_split(a.numpy(), indices, dim)]

    for dim in range(-len(shape), len(shape)):
        for indices in indices_args:
            for as_tensor in (False, True):
                result = same_as_torch(functools.partial(case, indices=indices, dim=dim, as_tensor=as_tensor))
                assert result[0] == result[1]


TENSOR_SPLIT_ERRORS = {
    "dim_out_of_range": lambda m: m.tensor_split(m.randn(10), 10, 1),
    "scalar": lambda m: m.tensor_split(m.randn(()), 10, 0),
    "indices_dim_out_of_range": lambda m: m.tensor_split(m.randn(10), (10,), 1),
    "indices_of_a_scalar": lambda m: m.tensor_split(m.randn(()), (10,), 0),
    "zero_sections": lambda m: m.tensor_split(m.randn(10), 0, 0),
    "negative_sections": lambda m: m.tensor_split(m.randn(10), -1, 0),
    "zero_sections_tensor": lambda m: m.tensor_split(m.randn(10), m.tensor(0), 0),
    "negative_sections_tensor": lambda m: m.tensor_split(m.randn(10), m.tensor(-1), 0),
    "indices_of_2_dims": lambda m: m.tensor_split(m.randn(10), m.tensor([[1]]), 0),
    "float_sections_tensor": lambda m: m.tensor_split(m.randn(10), m.tensor(1.1), 0),
    "float_indices_tensor": lambda m: m.tensor_split(m.randn(10), m.tensor([1.0, 2.0]), 0),
    "bool_sections_tensor": lambda m: m.tensor_split(m.randn(10), m.tensor(True), 0),
    "float_sections": lambda m: m.tensor_split(m.randn(10), 1.5, 0),
}


@pytest.mark.parametrize("name", list(TENSOR_SPLIT_ERRORS))
def test_tensor_split_refusals(name):
    assert isinstance(same_as_torch(TENSOR_SPLIT_ERRORS[name]), Exception)


# -- resize_ and contiguity -------------------------------------------------------------------------------------------
def test_resize_and_resize_as_keep_or_set_the_shape():
    def case(lib):
        shrunk = lib.tensor([[1, 2], [3, 4], [5, 6]])
        shrunk.resize_((2, 2))
        other = lib.tensor([[1, 2], [3, 4], [5, 6]])
        other.resize_as_(lib.tensor([[1, 2, 3], [4, 5, 6]]))
        strided = lib.empty(2, 3).t()
        strides = strided.stride()
        strided.resize_as_(strided)
        return [shrunk, other.shape, strided.stride() == strides]

    same_as_torch(case)


def test_a_dim_of_length_1_does_not_break_contiguity():
    def case(lib):
        x = arange(lib, 1, 16, 5, 5)
        return [x.is_contiguous(), x[:, ::1].is_contiguous(), x.expand(1, 16, 5, 5).is_contiguous()]

    same_as_torch(case)


def test_python_types_name_the_dtypes():
    def case(lib):
        return [
            lib.randn((1, 2), dtype=float).dtype == lib.float64,
            lib.arange(10, 20, dtype=int).dtype == lib.int64,
            lib.tensor([True, False], dtype=bool).dtype == lib.bool,
        ]

    assert same_as_torch(case) == [True, True, True]


# -- gradients through views ------------------------------------------------------------------------------------------
AS_STRIDED = {  # test_as_strided_gradients: (input shape, what is done first, size, stride, storage offset)
    "offset_into_a_view": ((25,), lambda x: x.view(5, 5), [3, 3], [6, 2], 2),
    "large_stride_of_a_length_1_dim": ((12,), None, [1, 2, 1, 5], [0, 5, 100, 1], 2),
    "expanding": ((5,), None, [3, 3, 3], [0, 1, 0], 2),
    "one_element_everywhere": ((5,), None, [3, 3, 3], [0, 0, 0], 4),
    "of_an_expand": ((5,), lambda x: x.expand(5, 5), [5, 5], [0, 1], 0),
    "overlapping_windows": ((35,), None, [6, 6], [5, 1], 2),
    "overlapping_columns": ((15,), None, [3, 2], [3, 6], 2),
    "transposing": ((3, 4), None, [4, 3], [1, 4], None),
    "reading_outside_a_slice": ((6, 2), lambda x: x[3:], [3, 2], [2, 1], 0),
    "of_an_expanded_matrix": ((2, 3), lambda x: x.expand(10, 2, 3), [2, 3], [3, 1], 0),
}


@pytest.mark.parametrize("name", list(AS_STRIDED))
def test_as_strided_values_and_gradients(name):
    shape, first, size, stride, offset = AS_STRIDED[name]
    data = np.random.default_rng(0).standard_normal(shape)

    def case(lib):
        x = lib.tensor(data, requires_grad=True)
        out = (first(x) if first else x).as_strided(size, stride, offset)
        upstream = np.arange(1.0, out.numel() + 1).reshape(size)
        (out * lib.tensor(upstream)).sum().backward()
        return [out, x.grad]

    same_as_torch(case)


def test_as_strided_outside_a_slice_reads_the_storage_before_it():
    same_as_torch(lambda lib: (lambda x: [x[3:].as_strided([3, 2], [2, 1], 0), x[:3]])(arange(lib, 6, 2)))


def test_unbind_gradients_with_every_or_one_upstream_gradient():
    grad = np.random.default_rng(1).standard_normal((3, 4, 4))

    def case(lib):
        stacked = lib.zeros(3, 4, 4, dtype=lib.float64, requires_grad=True)
        lib.autograd.backward(list(stacked.unbind()), list(lib.tensor(grad).unbind()))
        alone = []
        for position in range(3):
            fresh = lib.zeros(3, 4, 4, dtype=lib.float64, requires_grad=True)
            alone.append(lib.autograd.grad(fresh.unbind()[position], fresh, lib.tensor(grad[position]))[0])
        return [stacked.grad, alone]

    same_as_torch(case)


GRADIENTS = {
    "reshape_of_a_transpose": lambda m, x: x.t().reshape(6) * m.arange(6.0),
    "flatten": lambda m, x: x.reshape(1, 2, 3).flatten(1, 2) * m.arange(6.0),
    "movedim": lambda m, x: m.movedim(x.reshape(1, 2, 3), 0, 2) * m.arange(6.0).reshape(2, 3, 1),
    "unfold": lambda m, x: x.reshape(6).unfold(0, 3, 2) * m.arange(6.0).reshape(2, 3),
    "diagonal": lambda m, x: x.diagonal(1) * m.tensor([2.0, 3.0]),
    "split_pieces": lambda m, x: x.split([1, 2], 1)[1] * m.arange(4.0).reshape(2, 2),
    "narrow": lambda m, x: x.narrow(1, 1, 2) * m.arange(4.0).reshape(2, 2),
    "view_dims_of_length_1": lambda m, x: x.view(2, 1, 3, 1).squeeze(1) * m.arange(6.0).reshape(2, 3, 1),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_flow_back_through_views(name):
    def case(lib):
        x = lib.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
        out = GRADIENTS[name](lib, x)
        (out * out).sum().backward()
        return [out, x.grad]

    same_as_torch(case)


IN_PLACE_THROUGH_VIEWS = {
    "transpose_row_and_diagonal": lambda m, y: (y.t()[0].mul_(3), y.unsqueeze(0).squeeze(0).diagonal().add_(1)),
    "select_copy_": lambda m, y: y.select(1, 2).copy_(m.tensor([5.0, 6.0])),
    "view_fill_": lambda m, y: y.view(6)[1::2].fill_(0.5),
    "swapdims_then_write": lambda m, y: y.swapdims_(0, 1)[0].mul_(y[1]),
    "unsqueeze_then_write": lambda m, y: y.unsqueeze_(0)[0, :, 1].div_(4),
    "expand_of_a_row_no_repeats": lambda m, y: y[:1].expand(1, 3).mul_(2),
    "narrow_add_": lambda m, y: y.narrow(1, 0, 2).add_(y.narrow(1, 1, 2).detach()),
    "as_strided_": lambda m, y: y.as_strided_((2, 2), (1, 2)),
}


@pytest.mark.parametrize("name", list(IN_PLACE_THROUGH_VIEWS))
def test_in_place_changes_through_views_reach_the_base_and_its_gradient(name):
    def case(lib):
        x = lib.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
        y = x * 2
        IN_PLACE_THROUGH_VIEWS[name](lib, y)
        (y * y).sum().backward()
        return [y, x.grad, y._version]

    same_as_torch(case)


def test_in_place_view_ops_bump_the_version():
    def case(lib):
        y = lib.ones(2, 3)
        versions = [y._version]
        for change in (
            lambda t: t.t_(),
            lambda t: t.unsqueeze_(0),
            lambda t: t.squeeze_(),
            lambda t: t.transpose_(0, 1),
        ):
            change(y)
            versions.append(y._version)
        return [versions, y.shape]

    same_as_torch(case)
