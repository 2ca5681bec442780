"""PyTorch's test/test_torch.py (TestTorch and TestTorchDeviceType), the CPU, real-dtype tests of the tensor methods
a numpy or PyTorch user reaches for, written for this library: clone and copy_ (broadcasting, dtype conversion),
masked_fill / masked_scatter / masked_select, index_put_ / put_ / take / take_along_dim / index_add / index_copy /
index_fill / index_reduce, where, cumsum / cumprod / cummax / cummin / logcumsumexp (with ``out=`` and the backward
over zero-length dims of test_cummax_cummin), diff, bincount, histc, nonzero / argwhere, unique / unique_consecutive, flip / roll / rot90,
tril / triu, repeat_interleave, narrow_copy, dist / renorm, lerp, is_same_size / is_set_to, apply_ / map_ / map2_,
view and storage sharing as a user sees it, the metadata methods, the dtype-conversion methods, the gradients of
these ops, and the errors of bad indices and shapes.

Each case is one call written against a namespace, run once on torch (float64 as its default dtype, the library's)
and once on this library; the values, dtypes and shapes must agree, or both sides must raise, ours an instance of
torch's class. The upstream tests mostly draw random tensors of every dtype; the cases here are small fixed tensors
chosen for the edges: empty and 0-d tensors, negative and out-of-range dims, integer and bool dtypes,
non-contiguous (transposed) inputs, NaN and infinities.

Left out, as torch-only machinery: CUDA, multi-device and pinned-memory tests, complex, sparse, quantized and
bfloat16 dtypes, storage internals (``set_``, ``storage()``, ``data_ptr`` arithmetic, pickling of storages,
``resize_``), deterministic-algorithm alerts, memory-format (channels_last) tests, dlpack, ``torch.save``, the
``TypedStorage`` tests and the doc-string checks.

Differences found and left alone (most are numpy's readings, which the library follows):

- ``where`` takes any condition as truthiness (numpy's ``np.where``); torch refuses a non-bool condition.
- ``logcumsumexp``, ``dist``, ``renorm`` and ``lerp`` compute integer inputs in float64; torch refuses integers.
- ``lerp`` promotes ``end`` and ``weight`` of another floating dtype (numpy's promotion); torch refuses them.
- ``diff`` broadcasts a 0-d ``prepend`` / ``append`` to one slice, as ``np.diff``; torch refuses a 0-d one.
- ``copy_`` between partly overlapping views copies as if from a clone (numpy's ``np.copyto``); torch refuses.
- Negative slice steps (``x[::-1]``) are numpy's; torch refuses them. Two ellipses in one index are numpy's
  IndexError; torch accepts them.
- ``outer`` of a 0-d tensor flattens it, as ``np.outer``; torch refuses a 0-d argument.
- ``index_add`` on a 0-d tensor takes a 1-element source, as ``index_copy`` does in both libraries; torch's
  ``index_add`` refuses that source shape.
- ``cumsum(dim=None)`` flattens, as numpy's ``axis=None``; torch requires a dim.
- ``index_put_`` of a 0-d tensor with a 0-d boolean index writes it, as ``x[mask] = v`` does in both; torch's
  ``index_put_`` raises there.
- ``take_along_dim`` refuses an index out of range (an IndexError); torch 2.13 on CPU returns other entries instead.
- ``clamp`` of an integer tensor by a Python int outside its dtype's range (int8 by 300) clamps, as numpy 2's
  ``np.clip``; torch raises an overflow error.
- ``Tensor.type()`` names the library's own legacy types (``autograd.DoubleTensor``), not ``torch.DoubleTensor``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf
M = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]  # a 2 x 3 float matrix (transposed: a non-contiguous 3 x 2)
I = [[1, 2, 3], [4, 5, 6]]  # noqa: E741 - the int64 twin of M
C3 = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
W3 = [1.0, 2.0, 3.0]  # weights of a length-3 result (gradients) or a row of values


def t(lib, data, dtype=None):
    """``lib.tensor(data)``, of ``lib``'s dtype named ``dtype`` if given."""
    return lib.tensor(data) if dtype is None else lib.tensor(data, dtype=getattr(lib, dtype))


def _outcome(case, lib):
    try:
        return case(lib), None
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return None, error


def _as_array(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(), str(x.dtype).removeprefix("torch.")
    return np.asarray(x.detach().numpy()), str(x.dtype)


def _same(ours, theirs, where="result"):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{where}: {ours!r} vs {theirs!r}"
        for k, (mine, its) in enumerate(zip(ours, theirs)):
            _same(mine, its, f"{where}[{k}]")
        return
    if isinstance(theirs, torch.Tensor):
        (a, a_dtype), (b, b_dtype) = _as_array(ours), _as_array(theirs)
        assert a_dtype == b_dtype, f"{where}: dtype {a_dtype}, torch's {b_dtype}"
        assert a.shape == b.shape, f"{where}: shape {a.shape}, torch's {b.shape}"
        if a.dtype == np.bool_:
            assert (a == b).all(), f"{where}: {a} vs {b}"
        else:
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12, equal_nan=True, err_msg=where)
        return
    assert type(ours) is type(theirs) and ours == theirs, f"{where}: {ours!r} vs torch's {theirs!r}"


def check_like_torch(case):
    """``case(torch)`` and ``case(ag)`` agree: the same values, dtypes and shapes, or both raise, ours an instance
    of torch's class; ours warns of nothing."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        with warnings.catch_warnings():  # (torch's deprecation notes, a uint8 mask or condition)
            warnings.simplefilter("ignore")
            theirs, their_error = _outcome(case, torch)
    finally:
        torch.set_default_dtype(saved)
    with warnings.catch_warnings():  # (no warning at these legal inputs: NaN to int, overflow, empty tensors)
        warnings.simplefilter("error")
        ours, our_error = _outcome(case, ag)
    if their_error is not None:
        assert our_error is not None, f"torch raised {their_error!r}; ours returned {ours!r}"
        assert isinstance(our_error, type(their_error)), f"ours raised {our_error!r}; torch {their_error!r}"
        return
    assert our_error is None, f"ours raised {our_error!r}"
    _same(ours, theirs)


def in_place(method, *args, make=lambda lib: t(lib, M), **kwargs):
    """A case calling ``make(lib).method(*args(lib), **kwargs)`` in place: the tensor after, and whether the method
    returned the tensor itself."""

    def case(lib):
        target = make(lib)
        returned = getattr(target, method)(*(a(lib) if callable(a) else a for a in args), **kwargs)
        return target, returned is target

    return case


def cases(table):
    return pytest.mark.parametrize("case", list(table.values()), ids=list(table))


# -- clone and copy_ ---------------------------------------------------------------------------------------------
def _copy_into(make, source):
    def case(lib):
        target = make(lib)
        returned = target.copy_(source(lib))
        return target, returned is target

    return case


def _clone_is_independent(lib):
    original = t(lib, M)
    original.clone().fill_(7.0)
    return original


def _copy_into_a_transposed_view(lib):
    base = lib.zeros(3, 2)
    base.t().copy_(t(lib, M))
    return base


CLONE_AND_COPY = {
    "clone_keeps_int32": lambda lib: t(lib, I, "int32").clone(),
    "clone_of_0d": lambda lib: t(lib, 3).clone(),
    "clone_of_empty": lambda lib: lib.zeros(0, 2).clone(),
    "clone_of_bool": lambda lib: t(lib, [True, False]).clone(),
    "clone_of_transposed_is_contiguous": lambda lib: t(lib, M).t().clone().is_contiguous(),
    "clone_is_independent": _clone_is_independent,
    "copy_broadcasts_a_row": _copy_into(lambda lib: lib.zeros(2, 3), lambda lib: t(lib, [1.0, 2.0, 3.0])),
    "copy_broadcasts_a_0d": _copy_into(lambda lib: lib.zeros(2, 2), lambda lib: t(lib, 5.0)),
    "copy_truncates_floats_into_int32": _copy_into(
        lambda lib: lib.zeros(2, 3, dtype=lib.int32), lambda lib: t(lib, [[1.7, -2.7, 3.2]] * 2)
    ),
    "copy_big_floats_into_int64": _copy_into(
        lambda lib: lib.zeros(3, dtype=lib.int64), lambda lib: t(lib, [2.0**40 + 0.5, -3.9, 0.0])
    ),
    "copy_floats_into_bool": _copy_into(lambda lib: lib.zeros(3, dtype=lib.bool), lambda lib: t(lib, [0.0, 0.5, -2.0])),
    "copy_bool_into_floats": _copy_into(lambda lib: lib.zeros(3), lambda lib: t(lib, [True, False, True])),
    "copy_ints_into_uint8": _copy_into(lambda lib: lib.zeros(3, dtype=lib.uint8), lambda lib: t(lib, [1, 255, 7])),
    "copy_float32_into_float64": _copy_into(lambda lib: lib.zeros(2), lambda lib: t(lib, [0.1, 0.2], "float32")),
    "copy_refuses_a_one_element_tensor_into_0d": _copy_into(lambda lib: t(lib, 1.0), lambda lib: t(lib, [2.0])),
    "copy_into_empty": _copy_into(lambda lib: lib.zeros(0, 3), lambda lib: lib.ones(3)),
    "copy_into_a_transposed_view": _copy_into_a_transposed_view,
    "copy_refuses_a_shape_that_does_not_broadcast": _copy_into(
        lambda lib: lib.zeros(2, 3), lambda lib: t(lib, [1.0, 2.0])
    ),
    "copy_refuses_a_larger_source": _copy_into(lambda lib: lib.zeros(3), lambda lib: lib.zeros(2, 3)),
    "copy_refuses_an_expanded_target": _copy_into(lambda lib: lib.zeros(3).expand(2, 3), lambda lib: t(lib, M)),
}


@cases(CLONE_AND_COPY)
def test_clone_and_copy_broadcast_convert_and_refuse_as_torch(case):
    check_like_torch(case)


# -- masked_fill, masked_select, masked_scatter -----------------------------------------------------------------
ROW_MASK = [True, False, True]
FULL_MASK = [[True, False, True], [False, True, False]]

MASKED = {
    "fill_broadcasts_a_row_mask": lambda lib: t(lib, M).masked_fill(t(lib, ROW_MASK), -1.0),
    "fill_int_tensor": lambda lib: t(lib, I).masked_fill(t(lib, [ROW_MASK, [False] * 3]), 9),
    "fill_int_tensor_with_a_float_truncates": lambda lib: t(lib, I).masked_fill(t(lib, ROW_MASK), 2.5),
    "fill_int_tensor_refuses_inf": lambda lib: t(lib, I).masked_fill(t(lib, ROW_MASK), INF),
    "fill_bool_tensor": lambda lib: t(lib, [True, False]).masked_fill(t(lib, [False, True]), True),
    "fill_refuses_a_uint8_mask": lambda lib: t(lib, M).masked_fill(t(lib, [1, 0, 1], "uint8"), 0.0),
    "fill_refuses_an_int64_mask": lambda lib: t(lib, M).masked_fill(t(lib, [1, 0, 1]), 0.0),
    "fill_with_a_0d_tensor": lambda lib: t(lib, M).masked_fill(t(lib, ROW_MASK), t(lib, 4.0)),
    "fill_refuses_a_1d_value_tensor": lambda lib: t(lib, M).masked_fill(t(lib, ROW_MASK), t(lib, [4.0])),
    "fill_broadcasts_self_to_a_larger_mask": lambda lib: t(lib, [1.0, 2.0, 3.0]).masked_fill(t(lib, FULL_MASK), 0.0),
    "fill_in_place_refuses_a_larger_mask": lambda lib: t(lib, [1.0, 2.0, 3.0]).masked_fill_(t(lib, FULL_MASK), 0.0),
    "fill_in_place_returns_self": in_place("masked_fill_", lambda lib: t(lib, ROW_MASK), 0.5),
    "fill_in_place_on_a_transposed_view": in_place(
        "masked_fill_", lambda lib: t(lib, [True, False]), 0.0, make=lambda lib: t(lib, M).t()
    ),
    "fill_float_with_true": lambda lib: t(lib, M).masked_fill(t(lib, ROW_MASK), True),
    "fill_uint8_with_minus_1_wraps": lambda lib: t(lib, [1, 2], "uint8").masked_fill(t(lib, [True, False]), -1),
    "fill_int8_refuses_300": lambda lib: t(lib, [1, 2], "int8").masked_fill(t(lib, [True, False]), 300),
    "fill_empty": lambda lib: lib.zeros(0, 3).masked_fill(lib.zeros(0, 3, dtype=lib.bool), 1.0),
    "fill_0d": lambda lib: t(lib, 2.0).masked_fill(t(lib, True), 5.0),
    "fill_nan": lambda lib: t(lib, M).masked_fill(t(lib, ROW_MASK), NAN),
    "fill_transposed": lambda lib: t(lib, M).t().masked_fill(t(lib, [True, False]), 0.0),
    "select_same_shape": lambda lib: t(lib, M).masked_select(t(lib, FULL_MASK)),
    "select_broadcasts_the_mask": lambda lib: t(lib, M).masked_select(t(lib, ROW_MASK)),
    "select_broadcasts_self": lambda lib: t(lib, [1, 2, 3]).masked_select(t(lib, [ROW_MASK, [False, True, True]])),
    "select_refuses_an_int64_mask": lambda lib: t(lib, M).masked_select(t(lib, [1, 0, 1])),
    "select_empty": lambda lib: lib.zeros(0).masked_select(lib.zeros(0, dtype=lib.bool)),
    "select_0d": lambda lib: t(lib, 4.0).masked_select(t(lib, True)),
    "select_refuses_a_mask_that_does_not_broadcast": lambda lib: t(lib, M).masked_select(t(lib, [True, False])),
    "select_function": lambda lib: lib.masked_select(t(lib, I), t(lib, [False, True, True])),
    "select_transposed": lambda lib: t(lib, M).t().masked_select(t(lib, [[True, False]] * 3)),
    "scatter_in_row_major_order": lambda lib: t(lib, M).masked_scatter(
        t(lib, FULL_MASK), t(lib, [10.0, 20.0, 30.0, 40.0])
    ),
    "scatter_broadcasts_the_mask": lambda lib: t(lib, M).masked_scatter(
        t(lib, ROW_MASK), t(lib, [[10.0, 20.0], [3.0, 4.0]])
    ),
    "scatter_reads_a_2d_source_flat": lambda lib: t(lib, [0.0] * 4).masked_scatter(
        t(lib, [True] * 4), t(lib, [[1.0, 2], [3, 4]])
    ),
    "scatter_refuses_a_short_source": lambda lib: t(lib, M).masked_scatter(t(lib, [True] * 3), t(lib, [1.0, 2.0])),
    "scatter_int": lambda lib: t(lib, I).masked_scatter(t(lib, [True, False, False]), t(lib, [7, 8])),
    "scatter_refuses_a_source_of_another_dtype": lambda lib: t(lib, I).masked_scatter(
        t(lib, ROW_MASK), t(lib, [7.0, 8.0])
    ),
    "scatter_in_place_returns_self": in_place(
        "masked_scatter_", lambda lib: t(lib, [False, True, False]), lambda lib: t(lib, [9.0, 8.0, 7.0])
    ),
    "scatter_refuses_an_int64_mask": lambda lib: t(lib, M).masked_scatter(t(lib, [1, 0, 1]), t(lib, [1.0] * 6)),
    "scatter_empty": lambda lib: lib.zeros(0).masked_scatter(lib.zeros(0, dtype=lib.bool), lib.zeros(0)),
    "scatter_0d_takes_the_first_source_entry": lambda lib: t(lib, 1.0).masked_scatter(t(lib, True), t(lib, [5.0, 6.0])),
}


@cases(MASKED)
def test_masked_fill_select_and_scatter_as_torch(case):
    check_like_torch(case)


# -- index_put_, put_, take ---------------------------------------------------------------------------------------
def _zeros(*shape, dtype=None):
    return lambda lib: lib.zeros(*shape, dtype=None if dtype is None else getattr(lib, dtype))


def _long(values):
    return lambda lib: t(lib, values)


PUT_AND_TAKE = {
    "index_put_accumulates": in_place(
        "index_put_",
        lambda lib: (t(lib, [0, 2]), t(lib, [1, 1])),
        _long([5.0, 6.0]),
        make=_zeros(3, 3),
        accumulate=True,
    ),
    "index_put_accumulates_repeated_indices": in_place(
        "index_put_", lambda lib: (t(lib, [0, 0, 2]),), _long([1.0, 2.0, 3.0]), make=_zeros(3), accumulate=True
    ),
    "index_put_bool_index": in_place("index_put_", lambda lib: (t(lib, [True, False]),), _long(4.0), make=_zeros(2, 3)),
    "index_put_broadcasts_values": in_place(
        "index_put_", lambda lib: (t(lib, [0, 2]),), _long([7.0, 8.0]), make=_zeros(3, 2)
    ),
    "index_put_negative_index": in_place("index_put_", lambda lib: (t(lib, [-1]),), _long(1.0), make=_zeros(3)),
    "index_put_list_of_indices": in_place("index_put_", lambda lib: [t(lib, [1])], _long(2.0), make=_zeros(3)),
    "index_put_refuses_float_values_into_int64": in_place(
        "index_put_", lambda lib: (t(lib, [1]),), _long(2.5), make=_zeros(3, dtype="int64")
    ),
    "index_put_refuses_out_of_range": in_place("index_put_", lambda lib: (t(lib, [3]),), _long(1.0), make=_zeros(3)),
    "index_put_refuses_float_indices": in_place("index_put_", lambda lib: (t(lib, [1.0]),), _long(1.0), make=_zeros(3)),
    "index_put_refuses_too_many_values": in_place(
        "index_put_", lambda lib: (t(lib, [0, 1]),), _long([1.0, 2.0, 3.0]), make=_zeros(3)
    ),
    "index_put_refuses_too_many_indices": in_place(
        "index_put_", lambda lib: (t(lib, [0]), t(lib, [0])), _long(1.0), make=_zeros(3)
    ),
    "index_put_broadcasts_two_indices": in_place(
        "index_put_", lambda lib: (t(lib, [[0], [2]]), t(lib, [0, 1, 2])), _long(1.0), make=_zeros(3, 3)
    ),
    "index_put_accumulates_a_broadcast_row": in_place(
        "index_put_", lambda lib: (t(lib, [0, 0]),), _long(W3), make=_zeros(2, 3), accumulate=True
    ),
    "index_put_nothing": in_place(
        "index_put_", lambda lib: (lib.zeros(0, dtype=lib.int64),), _long(1.0), make=_zeros(3)
    ),
    "index_put_int32_index": in_place("index_put_", lambda lib: (t(lib, [1], "int32"),), _long(5.0), make=_zeros(3)),
    "take_nothing_from_empty": lambda lib: lib.zeros(0, 3).take(lib.zeros(0, dtype=lib.int64)),
    "index_put_function": lambda lib: lib.index_put(t(lib, [1.0, 2.0]), (t(lib, [1]),), t(lib, 5.0)),
    "put_flat_and_negative_indices": in_place("put_", _long([0, 5, -1]), _long([9.0, 8.0, 7.0])),
    "put_accumulates": in_place("put_", _long([1, 1, 0]), _long([1.0, 2.0, 3.0]), accumulate=True),
    "put_2d_index": in_place("put_", _long([[0, 1], [2, 3]]), _long([[1.0, 2.0], [3.0, 4.0]])),
    "put_into_a_transposed_view": in_place("put_", _long([1]), _long([9.0]), make=lambda lib: t(lib, M).t()),
    "put_nothing_into_empty": in_place("put_", lambda lib: lib.zeros(0, dtype=lib.int64), _zeros(0), make=_zeros(0)),
    "put_refuses_out_of_range": in_place("put_", _long([6]), _long([1.0])),
    "put_refuses_negative_out_of_range": in_place("put_", _long([-7]), _long([1.0])),
    "put_refuses_an_index_into_empty": in_place("put_", _long([0]), _long([1.0]), make=_zeros(0)),
    "put_refuses_unequal_index_and_source": in_place("put_", _long([0, 1]), _long([1.0])),
    "put_refuses_float_indices": in_place("put_", _long([0.0]), _long([1.0])),
    "put_refuses_a_source_of_another_dtype": in_place("put_", _long([1]), _long([9.0]), make=lambda lib: t(lib, I)),
    "index_put_accumulates_ints": in_place(
        "index_put_", lambda lib: (t(lib, [0, 0]),), _long([2, 3]), make=_zeros(3, dtype="int64"), accumulate=True
    ),
    "index_put_accumulates_through_a_mask": in_place(
        "index_put_", lambda lib: (t(lib, ROW_MASK),), _long([1.0, 2.0]), make=_zeros(3), accumulate=True
    ),
    "index_put_refuses_int64_values_into_int8": in_place(
        "index_put_", lambda lib: (t(lib, [0]),), _long(300), make=lambda lib: t(lib, [1, 2], "int8")
    ),
    "put_accumulates_ints": in_place("put_", _long([0, 0]), _long([5, 5]), make=lambda lib: t(lib, I), accumulate=True),
    "take_along_dim": lambda lib: t(lib, M).take_along_dim(t(lib, [[0], [2]]), 1),
    "take_along_dim_flattened": lambda lib: t(lib, M).take_along_dim(t(lib, [5, 0])),
    "take_along_dim_broadcasts_the_index": lambda lib: t(lib, M).take_along_dim(t(lib, [[0, 1]]), 1),
    "take_along_dim_negative_index": lambda lib: t(lib, M).take_along_dim(t(lib, [[-1]]), 1),
    "take_along_dim_refuses_float_indices": lambda lib: t(lib, M).take_along_dim(t(lib, [[0.0]]), 1),
    "put_function": lambda lib: lib.put(t(lib, M), t(lib, [0, 1]), t(lib, [5.0, 5.0])),
    "take_keeps_the_index_shape": lambda lib: t(lib, M).take(t(lib, [[0, 5], [-1, 2]])),
    "take_empty_index": lambda lib: t(lib, M).take(lib.zeros(0, 2, dtype=lib.int64)),
    "take_0d": lambda lib: t(lib, 5.0).take(t(lib, 0)),
    "take_transposed": lambda lib: t(lib, M).t().take(t(lib, [1, 2])),
    "take_bool": lambda lib: t(lib, [True, False]).take(t(lib, [1, 0, 1])),
    "take_refuses_out_of_range": lambda lib: t(lib, M).take(t(lib, [6])),
    "take_refuses_negative_out_of_range": lambda lib: t(lib, M).take(t(lib, [-7])),
    "take_refuses_an_index_into_empty": lambda lib: lib.zeros(0).take(t(lib, [0])),
    "take_refuses_float_indices": lambda lib: t(lib, M).take(t(lib, [1.0])),
    "take_refuses_int32_indices": lambda lib: t(lib, M).take(t(lib, [1, 2], "int32")),
}


@cases(PUT_AND_TAKE)
def test_index_put_put_and_take_as_torch(case):
    check_like_torch(case)


# -- index_add, index_copy, index_fill ----------------------------------------------------------------------------
INDEX_ADD_COPY_FILL = {
    "add_repeated_indices_in_place": in_place(
        "index_add_", 0, _long([0, 0, 2]), _long([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), make=_zeros(3, 2)
    ),
    "add_transposed_source": in_place(
        "index_add_", 1, _long([0, 2]), lambda lib: t(lib, [[1.0, 2.0], [3.0, 4.0]]).t(), make=_zeros(2, 3)
    ),
    "add_function_with_alpha": lambda lib: lib.index_add(lib.zeros(3), 0, t(lib, [1, 1]), t(lib, [1.0, 2.0]), alpha=3),
    "add_int": lambda lib: t(lib, [1, 2, 3]).index_add(0, t(lib, [0, 2]), t(lib, [10, 20])),
    "add_bool": lambda lib: t(lib, [True, False]).index_add(0, t(lib, [1]), t(lib, [True])),
    "add_negative_dim": lambda lib: lib.zeros(2, 3).index_add(-1, t(lib, [0, 2]), t(lib, [[1.0, 2.0], [3.0, 4.0]])),
    "add_0d_index_and_source": lambda lib: t(lib, 1.0).index_add(0, t(lib, 0), t(lib, 2.0)),
    "add_nothing": lambda lib: lib.zeros(3).index_add(0, lib.zeros(0, dtype=lib.int64), lib.zeros(0)),
    "add_int32_index": lambda lib: lib.zeros(3).index_add(0, t(lib, [1], "int32"), t(lib, [1.0])),
    "add_refuses_out_of_range": lambda lib: lib.zeros(3).index_add(0, t(lib, [3]), t(lib, [1.0])),
    "add_refuses_negative_index": lambda lib: lib.zeros(3).index_add(0, t(lib, [-1]), t(lib, [1.0])),
    "add_refuses_a_source_of_another_length": lambda lib: lib.zeros(3).index_add(0, t(lib, [0, 1]), t(lib, [1.0])),
    "add_refuses_a_source_of_another_dtype": lambda lib: lib.zeros(3).index_add(0, t(lib, [0]), t(lib, [1])),
    "add_refuses_float_indices": lambda lib: lib.zeros(3).index_add(0, t(lib, [0.0]), t(lib, [1.0])),
    "add_refuses_a_2d_index": lambda lib: lib.zeros(3).index_add(0, t(lib, [[0]]), t(lib, [1.0])),
    "add_refuses_dim_out_of_range": lambda lib: lib.zeros(3).index_add(1, t(lib, [1]), t(lib, [1.0])),
    "reduce_prod": lambda lib: lib.zeros(3).index_reduce(0, t(lib, [0, 0, 2]), t(lib, [2.0, 3.0, 4.0]), "prod"),
    "reduce_mean_with_self": lambda lib: lib.ones(3).index_reduce(0, t(lib, [0, 0, 2]), t(lib, W3), "mean"),
    "reduce_mean_without_self": lambda lib: lib.ones(3).index_reduce(
        0, t(lib, [0, 0, 2]), t(lib, W3), "mean", include_self=False
    ),
    "reduce_int_mean_floors": lambda lib: t(lib, [1, 1, 1]).index_reduce(0, t(lib, [0, 0]), t(lib, [2, 5]), "mean"),
    "reduce_amax": lambda lib: lib.ones(3).index_reduce(0, t(lib, [0, 0, 2]), t(lib, [2.0, 3.0, -4.0]), "amax"),
    "reduce_amin_without_self": lambda lib: lib.ones(3).index_reduce(
        0, t(lib, [0, 0, 2]), t(lib, W3), "amin", include_self=False
    ),
    "reduce_refuses_sum": lambda lib: lib.ones(3).index_reduce(0, t(lib, [0]), t(lib, [2.0]), "sum"),
    "copy_rows": lambda lib: lib.zeros(3, 2).index_copy(0, t(lib, [2, 0]), t(lib, [[1.0, 2.0], [3.0, 4.0]])),
    "copy_columns_in_place": in_place(
        "index_copy_", 1, _long([2, 0]), _long([[1.0, 2.0], [3.0, 4.0]]), make=_zeros(2, 3)
    ),
    "copy_into_a_transposed_view": in_place(
        "index_copy_", 1, _long([0]), _long([[1.0], [2.0]]), make=lambda lib: lib.zeros(3, 2).t()
    ),
    "copy_0d": lambda lib: t(lib, 1.0).index_copy(0, t(lib, [0]), t(lib, [2.0])),
    "copy_nothing": lambda lib: lib.zeros(3).index_copy(0, lib.zeros(0, dtype=lib.int64), lib.zeros(0)),
    "copy_function_int": lambda lib: lib.index_copy(t(lib, [1, 2, 3]), 0, t(lib, [1]), t(lib, [9])),
    "copy_refuses_out_of_range": lambda lib: lib.zeros(3).index_copy(0, t(lib, [5]), t(lib, [1.0])),
    "copy_refuses_negative_index": lambda lib: lib.zeros(3).index_copy(0, t(lib, [-1]), t(lib, [1.0])),
    "copy_refuses_a_source_of_another_length": lambda lib: lib.zeros(3).index_copy(0, t(lib, [0, 1]), t(lib, [1.0])),
    "copy_refuses_a_source_of_another_dtype": lambda lib: lib.zeros(3).index_copy(0, t(lib, [0]), t(lib, [1])),
    "copy_refuses_float_indices": lambda lib: lib.zeros(3).index_copy(0, t(lib, [0.0]), t(lib, [1.0])),
    "fill_columns": lambda lib: t(lib, M).index_fill(1, t(lib, [0, 2]), -1.0),
    "fill_in_place": in_place("index_fill_", 0, _long([1]), 7),
    "fill_negative_dim_and_index": lambda lib: t(lib, M).index_fill(-1, t(lib, [-1]), 0.0),
    "fill_int_with_a_float_truncates": lambda lib: t(lib, I).index_fill(1, t(lib, [0]), 2.7),
    "fill_with_a_0d_tensor": lambda lib: t(lib, M).index_fill(1, t(lib, [0]), t(lib, 5.0)),
    "fill_0d": lambda lib: t(lib, 3.0).index_fill(0, t(lib, [0]), 5.0),
    "fill_bool": lambda lib: t(lib, [True, True]).index_fill(0, t(lib, [1]), False),
    "fill_nothing": lambda lib: t(lib, M).index_fill(1, lib.zeros(0, dtype=lib.int64), 5.0),
    "fill_uint8_with_minus_1_wraps": lambda lib: t(lib, [1, 2], "uint8").index_fill(0, t(lib, [0]), -1),
    "fill_function": lambda lib: lib.index_fill(t(lib, M), 1, t(lib, [0]), 5.0),
    "fill_transposed": lambda lib: t(lib, M).t().index_fill(0, t(lib, [0]), 5.0),
    "fill_refuses_out_of_range": lambda lib: t(lib, M).index_fill(1, t(lib, [3]), 0.0),
    "fill_refuses_negative_out_of_range": lambda lib: t(lib, M).index_fill(1, t(lib, [-4]), 0.0),
    "fill_refuses_a_1d_value_tensor": lambda lib: t(lib, M).index_fill(1, t(lib, [0]), t(lib, [5.0])),
    "fill_refuses_float_indices": lambda lib: t(lib, M).index_fill(1, t(lib, [0.0]), 5.0),
    "fill_refuses_a_2d_index": lambda lib: t(lib, M).index_fill(1, t(lib, [[0]]), 5.0),
    "fill_refuses_dim_out_of_range": lambda lib: t(lib, M).index_fill(2, t(lib, [0]), 5.0),
}


@cases(INDEX_ADD_COPY_FILL)
def test_index_add_copy_and_fill_as_torch(case):
    check_like_torch(case)


# -- where --------------------------------------------------------------------------------------------------------
WHERE = {
    "broadcasts_a_0d_other": lambda lib: lib.where(t(lib, ROW_MASK), t(lib, M), t(lib, 0.0)),
    "promotes_int_and_float": lambda lib: lib.where(t(lib, [True, False]), t(lib, [1, 2]), t(lib, [0.5, 1.5])),
    "of_two_numbers": lambda lib: lib.where(t(lib, [True, False]), 1.0, 0.0),
    "int_tensor_and_a_float_number": lambda lib: lib.where(t(lib, [True, False]), t(lib, [1, 2]), 0.5),
    "int32_tensor_and_an_int_number": lambda lib: lib.where(t(lib, [True, False]), t(lib, [1, 2], "int32"), 5),
    "float32_and_float64": lambda lib: lib.where(
        t(lib, [True, False]), t(lib, [1.0, 2.0], "float32"), t(lib, [3.0, 4.0])
    ),
    "float32_and_a_0d_float64": lambda lib: lib.where(
        t(lib, [True, False]), t(lib, [1.0, 2.0], "float32"), t(lib, 3.0)
    ),
    "float32_and_an_int_number": lambda lib: lib.where(t(lib, [True, False]), t(lib, [1.0, 2.0], "float32"), 5),
    "int32_and_a_float_number": lambda lib: lib.where(t(lib, [True, False]), t(lib, [1, 2], "int32"), 2.5),
    "bool_and_an_int_number": lambda lib: lib.where(t(lib, [True, False]), t(lib, [True, False]), 2),
    "bools": lambda lib: lib.where(t(lib, [True, False]), t(lib, [False, False]), t(lib, [True, True])),
    "uint8_condition": lambda lib: lib.where(t(lib, [1, 0], "uint8"), t(lib, [1.0, 2.0]), t(lib, [3.0, 4.0])),
    "condition_alone_is_nonzero_as_tuple": lambda lib: lib.where(t(lib, [[0, 1], [2, 0]])),
    "method": lambda lib: t(lib, M).where(t(lib, ROW_MASK), t(lib, -1.0)),
    "empty": lambda lib: lib.where(lib.zeros(0, dtype=lib.bool), lib.zeros(0), lib.zeros(0)),
    "0d_condition": lambda lib: lib.where(t(lib, True), t(lib, 1.0), t(lib, [2.0, 3.0])),
    "refuses_shapes_that_do_not_broadcast": lambda lib: lib.where(
        t(lib, ROW_MASK), t(lib, [1.0, 2.0]), t(lib, [3.0, 4.0])
    ),
}


@cases(WHERE)
def test_where_as_torch(case):
    check_like_torch(case)


# -- cumsum, cumprod, cummax, cummin, logcumsumexp ----------------------------------------------------------------
def _cumulative_out(op, values_dtype="float64", indices_dtype="int64"):
    def case(lib):
        values, indices = (
            lib.zeros(0, dtype=getattr(lib, values_dtype)),
            lib.zeros(0, dtype=getattr(lib, indices_dtype)),
        )
        getattr(lib, op)(t(lib, M), 1, out=(values, indices))
        return values, indices

    return case


def _gradient_of(op, shape, dim):
    """The gradient of sum(op(x, dim)) at x = zeros(shape) (its values for cummax / cummin)."""

    def case(lib):
        x = lib.zeros(*shape, requires_grad=True) if shape else t(lib, 3.0).requires_grad_()
        result = getattr(x, op)(dim=dim)
        (result[0] if op in ("cummax", "cummin") else result).sum().backward()
        return x.grad

    return case


def _gradient_at(op, values):
    def case(lib):
        x = t(lib, values).requires_grad_()
        result = getattr(x, op)(0)
        (result[0] if op in ("cummax", "cummin") else result).sum().backward()
        return x.grad

    return case


def _running_into(op, out_dtype, dtype=None):
    """``op`` of floats along dim 1 into an empty ``out=`` of ``out_dtype`` (with ``dtype=`` if given)."""

    def case(lib):
        out = lib.zeros(0, dtype=getattr(lib, out_dtype))
        also = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        getattr(lib, op)(t(lib, [[1.5, 2.7, -0.5]]), 1, out=out, **also)
        return out

    return case


EXTREMES = [4, INF, 1.5, -INF, 0, NAN, 1]

CUMULATIVE = {
    "cumsum_of_int32_is_int64": lambda lib: t(lib, [1, 2, 3], "int32").cumsum(0),
    "cumsum_of_bool_is_int64": lambda lib: t(lib, [True, False, True]).cumsum(0),
    "cumsum_of_uint8_is_int64": lambda lib: t(lib, [200, 100], "uint8").cumsum(0),
    "cumsum_dtype": lambda lib: t(lib, [1, 2, 3]).cumsum(0, dtype=lib.float32),
    "cumsum_negative_dim": lambda lib: t(lib, M).cumsum(-1),
    "cumsum_0d": lambda lib: t(lib, 5.0).cumsum(0),
    "cumsum_0d_dim_minus_1": lambda lib: t(lib, 5.0).cumsum(-1),
    "cumsum_empty_dim": lambda lib: lib.zeros(0, 3).cumsum(0),
    "cumsum_along_an_empty_dim": lambda lib: lib.zeros(2, 0).cumsum(1),
    "cumsum_transposed": lambda lib: t(lib, M).t().cumsum(0),
    "cumsum_nan": lambda lib: t(lib, [1.0, NAN, 2.0]).cumsum(0),
    "cumsum_refuses_dim_out_of_range": lambda lib: t(lib, M).cumsum(2),
    "cumsum_0d_refuses_dim_1": lambda lib: t(lib, 5.0).cumsum(1),
    "cumsum_of_int8_is_int64": lambda lib: t(lib, [100, 100], "int8").cumsum(0),
    "cumsum_int8_dtype_wraps": lambda lib: t(lib, [100, 100], "int8").cumsum(0, dtype=lib.int8),
    "cumprod_int": lambda lib: t(lib, I).cumprod(1),
    "cumprod_bool": lambda lib: t(lib, [True, True, False]).cumprod(0),
    "cumprod_through_zero": lambda lib: t(lib, [2.0, 0.0, 3.0]).cumprod(0),
    "cumprod_of_uint8_is_int64": lambda lib: t(lib, [16, 16, 2], "uint8").cumprod(0),
    "cumprod_uint8_dtype_wraps": lambda lib: t(lib, [16, 16, 2], "uint8").cumprod(0, dtype=lib.uint8),
    "cumprod_empty": lambda lib: lib.zeros(0).cumprod(0),
    "cumprod_0d_int": lambda lib: t(lib, 3).cumprod(0),
    "cumprod_dtype": lambda lib: t(lib, [1, 2]).cumprod(0, dtype=lib.float64),
    "cummax": lambda lib: tuple(t(lib, [1.0, 3.0, 2.0, 3.0, 5.0]).cummax(0)),
    "cummax_function_int": lambda lib: tuple(lib.cummax(t(lib, I), 1)),
    "cummax_ties_take_the_last_index": lambda lib: tuple(t(lib, [2.0, 2.0, 1.0, 2.0]).cummax(0)),
    "cummin_ties_take_the_last_index": lambda lib: tuple(t(lib, [2.0, 2.0, 3.0, 2.0]).cummin(0)),
    "cummax_nan_sticks": lambda lib: tuple(t(lib, [1.0, NAN, 2.0, NAN, 5.0]).cummax(0)),
    "cummin_nan_sticks": lambda lib: tuple(t(lib, [1.0, NAN, 0.0]).cummin(0)),
    "cummax_infinities_and_nan": lambda lib: tuple(lib.cummax(t(lib, EXTREMES), 0)),
    "cummin_infinities_and_nan": lambda lib: tuple(lib.cummin(t(lib, EXTREMES), 0)),
    "cummax_bool": lambda lib: tuple(
        t(lib, [[True, False, True], [False, False, False], [True, True, True]]).cummax(0)
    ),
    "cummin_bool": lambda lib: tuple(
        t(lib, [[True, False, True], [False, False, False], [True, True, True]]).cummin(0)
    ),
    "cummax_uint8": lambda lib: tuple(t(lib, [[1, 0, 1], [0, 0, 0], [1, 1, 1]], "uint8").cummax(0)),
    "cummin_int": lambda lib: tuple(t(lib, [[3, 1], [2, 5]]).cummin(0)),
    "cummax_empty": lambda lib: tuple(lib.zeros(0, 2).cummax(0)),
    "cummax_0d": lambda lib: tuple(t(lib, 4.0).cummax(0)),
    "cummax_negative_dim": lambda lib: tuple(t(lib, M).cummax(-1)),
    "cummax_transposed": lambda lib: tuple(t(lib, [[1.0, 5.0], [3.0, 2.0], [4.0, 9.0]]).t().cummax(1)),
    "cummax_values_field": lambda lib: t(lib, [1.0, 3.0, 2.0]).cummax(0).values,
    "cummin_indices_field": lambda lib: t(lib, [1.0, 3.0, 2.0]).cummin(0).indices,
    "cummax_refuses_dim_out_of_range": lambda lib: t(lib, M).cummax(2),
    "cumsum_into_an_int64_out_truncates_first": _running_into("cumsum", "int64"),
    "cumprod_into_an_int64_out_truncates_first": _running_into("cumprod", "int64"),
    "cumsum_into_a_float32_out": _running_into("cumsum", "float32"),
    "cumsum_out_with_its_dtype": _running_into("cumsum", "int64", dtype="int64"),
    "cumsum_refuses_a_dtype_other_than_outs": _running_into("cumsum", "float64", dtype="float32"),
    "cummax_out": _cumulative_out("cummax"),
    "cummin_out": _cumulative_out("cummin"),
    "cummax_out_refuses_int16_values": _cumulative_out("cummax", values_dtype="int16"),
    "cummin_out_refuses_int32_indices": _cumulative_out("cummin", indices_dtype="int32"),
    "logcumsumexp_without_overflow": lambda lib: t(lib, [[1.0, 2.0], [3.0, 1000.0]]).logcumsumexp(1),
    "logcumsumexp_leading_minus_inf": lambda lib: t(lib, [-INF, -INF, 1.0]).logcumsumexp(0),
    "logcumsumexp_inf": lambda lib: t(lib, [1.0, INF, 2.0]).logcumsumexp(0),
    "logcumsumexp_nan": lambda lib: t(lib, [1.0, NAN, 2.0]).logcumsumexp(0),
    "logcumsumexp_all_minus_inf": lambda lib: t(lib, [-INF, -INF]).logcumsumexp(0),
    "logcumsumexp_inf_then_minus_inf": lambda lib: t(lib, [INF, -INF]).logcumsumexp(0),
    "cummax_int8": lambda lib: tuple(t(lib, [1, -3, 5], "int8").cummax(0)),
    "cumprod_0d_dtype": lambda lib: t(lib, 3).cumprod(0, dtype=lib.float32),
    "logcumsumexp_empty": lambda lib: lib.zeros(0).logcumsumexp(0),
    "logcumsumexp_0d": lambda lib: t(lib, 2.0).logcumsumexp(0),
    "logcumsumexp_float32": lambda lib: t(lib, [1.0, 2.0], "float32").logcumsumexp(0),
    "logcumsumexp_negative_dim": lambda lib: t(lib, M).logcumsumexp(-2),
    "logcumsumexp_function": lambda lib: lib.logcumsumexp(t(lib, M), 1),
    "cummax_gradient_goes_to_the_running_maximum": _gradient_at("cummax", [1.0, 3.0, 2.0, 5.0, 5.0]),
    "cummin_gradient_at_ties": _gradient_at("cummin", [2.0, 1.0, 1.0, 3.0]),
    "cumprod_gradient_through_zeros": _gradient_at("cumprod", [2.0, 0.0, 3.0, 0.0, 4.0]),
    "logcumsumexp_gradient_at_minus_inf": _gradient_at("logcumsumexp", [-INF, 0.0, 1.0]),
}
for _op in ["cummax", "cummin", "cumsum", "cumprod", "logcumsumexp"]:  # test_cummax_cummin's zero-length dims
    for _shape in [(2, 0), (2, 1, 4), (0, 2, 3), (1,), (5,)]:
        for _dim in range(len(_shape)):
            CUMULATIVE[f"{_op}_gradient_shape_{'x'.join(map(str, _shape))}_dim_{_dim}"] = _gradient_of(
                _op, _shape, _dim
            )
    CUMULATIVE[f"{_op}_gradient_of_0d_dim_minus_1"] = _gradient_of(_op, (), -1)


@cases(CUMULATIVE)
def test_cumulative_ops_as_torch(case):
    check_like_torch(case)


# -- diff ---------------------------------------------------------------------------------------------------------
SQUARES = [1.0, 4.0, 9.0, 16.0]

DIFF = {
    "first": lambda lib: t(lib, SQUARES).diff(),
    "second": lambda lib: t(lib, SQUARES).diff(n=2),
    "order_past_the_length_is_empty": lambda lib: t(lib, [1.0, 4.0]).diff(n=5),
    "order_0_is_a_copy": lambda lib: t(lib, [1.0, 4.0]).diff(n=0),
    "dim_0": lambda lib: t(lib, M).diff(dim=0),
    "negative_dim": lambda lib: t(lib, M).diff(dim=-2),
    "prepend": lambda lib: t(lib, M).diff(dim=1, prepend=t(lib, [[0.0], [0.0]])),
    "append": lambda lib: t(lib, M).diff(dim=0, append=t(lib, [[1.0, 1.0, 1.0]])),
    "of_bools_is_xor": lambda lib: t(lib, [True, False, False, True]).diff(),
    "int": lambda lib: t(lib, [1, 5, 2]).diff(),
    "uint8_wraps": lambda lib: t(lib, [5, 1], "uint8").diff(),
    "empty": lambda lib: lib.zeros(0).diff(),
    "promotes_an_int_input_with_a_float_prepend": lambda lib: lib.diff(t(lib, [1, 2]), prepend=t(lib, [0.5])),
    "transposed": lambda lib: t(lib, M).t().diff(dim=0),
    "order_a_one_element_tensor": lambda lib: t(lib, [1.0, 2.0, 4.0]).diff(n=t(lib, 1)),
    "refuses_a_float_order": lambda lib: t(lib, [1.0, 2.0, 4.0]).diff(n=1.0),
    "refuses_dim_none": lambda lib: t(lib, [1.0, 2.0, 4.0]).diff(dim=None),
    "bool_with_an_int_append_subtracts": lambda lib: t(lib, [True, False]).diff(append=t(lib, [1])),
    "bool_with_a_bool_prepend": lambda lib: t(lib, [True, False]).diff(prepend=t(lib, [True])),
    "refuses_a_negative_order": lambda lib: t(lib, [1.0, 4.0]).diff(n=-1),
    "refuses_0d": lambda lib: t(lib, 1.0).diff(),
    "refuses_dim_out_of_range": lambda lib: t(lib, M).diff(dim=2),
    "refuses_a_prepend_of_fewer_dims": lambda lib: t(lib, M).diff(dim=1, prepend=t(lib, [0.0, 0.0])),
    "refuses_an_append_of_more_dims": lambda lib: t(lib, [1.0, 2.0]).diff(append=t(lib, [[3.0]])),
    "refuses_a_prepend_of_another_length": lambda lib: t(lib, M).diff(dim=1, prepend=t(lib, [[0.0, 1.0, 2.0]])),
}


@cases(DIFF)
def test_diff_as_torch(case):
    check_like_torch(case)


# -- bincount and histc -------------------------------------------------------------------------------------------
COUNTS = {
    "bincount": lambda lib: t(lib, [0, 1, 1, 3]).bincount(),
    "bincount_minlength": lambda lib: t(lib, [0, 1]).bincount(minlength=5),
    "bincount_float64_weights": lambda lib: t(lib, [0, 1, 1]).bincount(t(lib, [0.5, 1.0, 2.0])),
    "bincount_float32_weights": lambda lib: t(lib, [0, 1, 1]).bincount(t(lib, [0.5, 1.0, 2.0], "float32")),
    "bincount_int_weights_give_float64": lambda lib: t(lib, [0, 1, 1]).bincount(t(lib, [1, 2, 3])),
    "bincount_empty": lambda lib: lib.zeros(0, dtype=lib.int64).bincount(),
    "bincount_empty_with_minlength": lambda lib: lib.zeros(0, dtype=lib.int64).bincount(minlength=3),
    "bincount_uint8": lambda lib: t(lib, [0, 2], "uint8").bincount(),
    "bincount_int32": lambda lib: t(lib, [0, 2], "int32").bincount(),
    "bincount_minlength_below_the_largest": lambda lib: t(lib, [0, 5]).bincount(minlength=2),
    "bincount_bool_weights": lambda lib: t(lib, [0, 1]).bincount(t(lib, [True, False])),
    "bincount_function": lambda lib: lib.bincount(t(lib, [2, 2]), minlength=1),
    "bincount_refuses_negative_values": lambda lib: t(lib, [0, -1]).bincount(),
    "bincount_refuses_floats": lambda lib: t(lib, [0.0, 1.0]).bincount(),
    "bincount_refuses_bools": lambda lib: t(lib, [True, False]).bincount(),
    "bincount_refuses_2d": lambda lib: t(lib, [[0, 1]]).bincount(),
    "bincount_refuses_0d": lambda lib: t(lib, 3).bincount(),
    "bincount_refuses_a_negative_minlength": lambda lib: t(lib, [0, 1]).bincount(minlength=-1),
    "bincount_refuses_weights_of_another_length": lambda lib: t(lib, [0, 1]).bincount(t(lib, [1.0])),
    "histc_with_a_range": lambda lib: t(lib, [1.0, 2.0, 1.0]).histc(bins=4, min=0, max=3),
    "histc_range_from_the_data": lambda lib: t(lib, [1.0, 2.0, 1.0, 4.0]).histc(bins=3),
    "histc_ignores_values_outside_the_range": lambda lib: t(lib, [-1.0, 0.0, 3.0, 3.5]).histc(bins=3, min=0, max=3),
    "histc_upper_edge_in_the_last_bin": lambda lib: t(lib, [1.0, 1.0]).histc(bins=2, min=0, max=1),
    "histc_of_equal_values_widens_the_range": lambda lib: t(lib, [2.0, 2.0]).histc(bins=4),
    "histc_empty": lambda lib: lib.zeros(0).histc(bins=3),
    "histc_empty_with_a_range": lambda lib: lib.zeros(0).histc(bins=3, min=0, max=1),
    "histc_ignores_nan": lambda lib: t(lib, [1.0, NAN]).histc(bins=3, min=0, max=2),
    "histc_2d_counts_all_entries": lambda lib: t(lib, M).histc(bins=3),
    "histc_float32": lambda lib: t(lib, [1.0, 2.0], "float32").histc(bins=2),
    "histc_0d": lambda lib: t(lib, 1.0).histc(bins=2),
    "histc_negative_range": lambda lib: t(lib, [-3.0, -1.0, -2.0]).histc(bins=2, min=-3, max=-1),
    "histc_equal_bounds_use_the_data": lambda lib: t(lib, [1.0, 2.0, 3.0]).histc(bins=2, min=2, max=2),
    "histc_zero_bounds": lambda lib: t(lib, [0.0, 0.0]).histc(bins=2, min=0, max=0),
    "histc_refuses_a_nan_bound": lambda lib: t(lib, [1.0, 2.0]).histc(bins=2, min=NAN, max=2),
    "histc_seven_bins": lambda lib: t(lib, [0.0, 1.0]).histc(bins=7, min=0, max=1),
    "histc_function": lambda lib: lib.histc(t(lib, [0.0, 1.0, 1.0]), bins=2, min=0, max=1),
    "histc_refuses_min_above_max": lambda lib: t(lib, [1.0]).histc(bins=4, min=3, max=1),
    "histc_refuses_no_bins": lambda lib: t(lib, [1.0]).histc(bins=0),
    "histc_refuses_negative_bins": lambda lib: t(lib, [1.0]).histc(bins=-1),
    "histc_refuses_ints": lambda lib: t(lib, [1, 2]).histc(bins=2),
    "histc_refuses_an_infinite_range": lambda lib: t(lib, [1.0, INF]).histc(bins=3),
}


@cases(COUNTS)
def test_bincount_and_histc_as_torch(case):
    check_like_torch(case)


# -- nonzero, argwhere, count_nonzero -----------------------------------------------------------------------------
NONZERO = {
    "nonzero": lambda lib: t(lib, [[0, 1], [2, 0]]).nonzero(),
    "nonzero_as_tuple": lambda lib: t(lib, [[0, 1], [2, 0]]).nonzero(as_tuple=True),
    "nonzero_0d": lambda lib: t(lib, 5.0).nonzero(),
    "nonzero_0d_zero": lambda lib: t(lib, 0.0).nonzero(),
    "nonzero_0d_as_tuple": lambda lib: t(lib, 5.0).nonzero(as_tuple=True),
    "nonzero_empty": lambda lib: lib.zeros(0, 3).nonzero(),
    "nonzero_empty_as_tuple": lambda lib: lib.zeros(0, 3).nonzero(as_tuple=True),
    "nonzero_counts_nan_not_minus_zero": lambda lib: t(lib, [0.0, NAN, -0.0]).nonzero(),
    "nonzero_bool": lambda lib: t(lib, [True, False, True]).nonzero(),
    "nonzero_transposed_in_row_major_order": lambda lib: t(lib, [[0, 1, 0], [2, 0, 3]]).t().nonzero(),
    "nonzero_function": lambda lib: lib.nonzero(t(lib, [0, 3])),
    "nonzero_3d": lambda lib: t(lib, [[[0, 1]], [[1, 0]]]).nonzero(),
    "argwhere": lambda lib: t(lib, [[0, 1], [2, 0]]).argwhere(),
    "argwhere_0d": lambda lib: t(lib, 1).argwhere(),
    "argwhere_0d_zero": lambda lib: t(lib, 0).argwhere(),
    "argwhere_empty": lambda lib: lib.zeros(0).argwhere(),
    "argwhere_function": lambda lib: lib.argwhere(t(lib, [False, True])),
    "nonzero_as_tuple_of_a_transposed_mask": lambda lib: (
        t(lib, [[True, False], [False, True], [True, True]]).t().nonzero(as_tuple=True)
    ),
    "count_nonzero": lambda lib: t(lib, M).count_nonzero(),
    "count_nonzero_two_dims": lambda lib: t(lib, [[[0, 1]], [[1, 1]]]).count_nonzero(dim=(0, 2)),
    "count_nonzero_empty": lambda lib: lib.zeros(0, 2).count_nonzero(dim=0),
    "count_nonzero_along_a_dim": lambda lib: t(lib, [[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]]).count_nonzero(dim=0),
}


@cases(NONZERO)
def test_nonzero_and_argwhere_as_torch(case):
    check_like_torch(case)


# -- unique, unique_consecutive -----------------------------------------------------------------------------------
RUNS = [1, 1, 2, 2, 3, 1, 1, 2]

UNIQUE = {
    "sorted": lambda lib: t(lib, [3, 1, 2, 1, 3]).unique(),
    "inverse": lambda lib: t(lib, [3, 1, 2, 1, 3]).unique(return_inverse=True),
    "counts": lambda lib: t(lib, [3, 1, 2, 1, 3]).unique(return_counts=True),
    "2d_inverse_keeps_the_shape": lambda lib: t(lib, [[3, 1], [2, 1]]).unique(return_inverse=True, return_counts=True),
    "rows": lambda lib: t(lib, [[1, 2], [0, 5], [1, 2]]).unique(dim=0),
    "columns_with_inverse_and_counts": lambda lib: t(lib, [[1, 2, 1], [0, 5, 0]]).unique(
        dim=1, return_inverse=True, return_counts=True
    ),
    "negative_dim": lambda lib: t(lib, [[1, 2, 1], [0, 5, 0]]).unique(dim=-1),
    "empty": lambda lib: lib.zeros(0).unique(return_inverse=True, return_counts=True),
    "0d": lambda lib: t(lib, 2.0).unique(return_inverse=True, return_counts=True),
    "bool": lambda lib: t(lib, [True, False, True]).unique(),
    "nan_entries_stay_apart": lambda lib: t(lib, [NAN, 1.0, NAN]).unique(),
    "minus_zero_is_zero": lambda lib: t(lib, [-0.0, 0.0, 1.0]).unique(return_counts=True),
    "floats_with_inverse": lambda lib: t(lib, [2.5, -1.0, 2.5]).unique(return_inverse=True),
    "function": lambda lib: lib.unique(t(lib, [2, 2, 1]), return_counts=True),
    "int32_inverse_is_int64": lambda lib: t(lib, [2, 2, 1], "int32").unique(return_inverse=True),
    "bool_rows": lambda lib: t(lib, [[True, False], [True, False]]).unique(dim=0),
    "empty_rows": lambda lib: lib.zeros(0, 2).unique(dim=0),
    "refuses_dim_out_of_range": lambda lib: t(lib, [1, 2]).unique(dim=1),
    "refuses_rows_of_no_columns": lambda lib: lib.zeros(2, 0).unique(dim=0),
    "consecutive": lambda lib: t(lib, RUNS).unique_consecutive(),
    "consecutive_inverse_and_counts": lambda lib: t(lib, RUNS).unique_consecutive(
        return_inverse=True, return_counts=True
    ),
    "consecutive_of_2d_flattens": lambda lib: t(lib, [[1, 1], [2, 1]]).unique_consecutive(return_inverse=True),
    "consecutive_rows": lambda lib: t(lib, [[1, 1], [1, 1], [2, 1], [1, 1]]).unique_consecutive(
        dim=0, return_inverse=True, return_counts=True
    ),
    "consecutive_columns": lambda lib: t(lib, [[1, 1, 2], [3, 3, 4]]).unique_consecutive(dim=1),
    "consecutive_negative_dim": lambda lib: t(lib, [[1, 1, 2], [3, 3, 4]]).unique_consecutive(
        dim=-1, return_counts=True
    ),
    "consecutive_empty": lambda lib: lib.zeros(0).unique_consecutive(return_inverse=True, return_counts=True),
    "consecutive_0d": lambda lib: t(lib, 5).unique_consecutive(return_inverse=True, return_counts=True),
    "consecutive_nan_entries_stay_apart": lambda lib: t(lib, [NAN, NAN, 1.0]).unique_consecutive(),
    "consecutive_bool": lambda lib: t(lib, [True, True, False]).unique_consecutive(return_counts=True),
    "consecutive_function": lambda lib: lib.unique_consecutive(t(lib, [2, 2, 1])),
    "consecutive_refuses_dim_out_of_range": lambda lib: t(lib, [1, 2]).unique_consecutive(dim=3),
}


@cases(UNIQUE)
def test_unique_and_unique_consecutive_as_torch(case):
    check_like_torch(case)


# -- flip, roll, rot90 --------------------------------------------------------------------------------------------
FLIP_ROLL_ROT90 = {
    "flip_two_dims": lambda lib: t(lib, C3).flip(0, 2),
    "flip_a_list_of_negative_dims": lambda lib: t(lib, C3).flip([-1, 0]),
    "flip_no_dims": lambda lib: t(lib, C3).flip([]),
    "flip_0d": lambda lib: t(lib, 1.0).flip(0),
    "flip_0d_no_dims": lambda lib: t(lib, 1.0).flip([]),
    "flip_empty": lambda lib: lib.zeros(0, 2).flip(0),
    "flip_bool": lambda lib: t(lib, [True, False]).flip(0),
    "flip_transposed": lambda lib: t(lib, M).t().flip(1),
    "flip_function": lambda lib: lib.flip(t(lib, M), [1]),
    "flip_refuses_a_repeated_dim": lambda lib: t(lib, C3).flip(0, 0),
    "flip_refuses_dim_out_of_range": lambda lib: t(lib, C3).flip(3),
    "fliplr": lambda lib: t(lib, M).fliplr(),
    "fliplr_refuses_1d": lambda lib: t(lib, [1, 2]).fliplr(),
    "flipud": lambda lib: t(lib, [1, 2]).flipud(),
    "flipud_refuses_0d": lambda lib: t(lib, 1).flipud(),
    "roll_flat": lambda lib: t(lib, [1, 2, 3, 4]).roll(1),
    "roll_back_past_the_length": lambda lib: t(lib, [1, 2, 3, 4]).roll(-5),
    "roll_2d_flattened": lambda lib: t(lib, M).roll(2),
    "roll_along_a_dim": lambda lib: t(lib, M).roll(1, 1),
    "roll_along_two_dims": lambda lib: t(lib, M).roll((1, -1), (0, 1)),
    "roll_one_dim_twice": lambda lib: t(lib, M).roll((1, 1), (1, 1)),
    "roll_empty_along_a_dim": lambda lib: lib.zeros(0, 3).roll(1, 0),
    "roll_empty": lambda lib: lib.zeros(0).roll(1),
    "roll_0d": lambda lib: t(lib, 5.0).roll(1),
    "roll_0d_refuses_dim_0": lambda lib: t(lib, 5.0).roll(1, 0),
    "roll_transposed_along_a_dim": lambda lib: t(lib, M).t().roll(1, 0),
    "roll_transposed_flattened_in_row_major_order": lambda lib: t(lib, M).t().roll(1),
    "roll_far": lambda lib: t(lib, [1, 2, 3]).roll(100),
    "roll_keywords": lambda lib: lib.roll(t(lib, [1, 2, 3]), shifts=1, dims=0),
    "roll_bool": lambda lib: t(lib, [True, False, False]).roll(1),
    "roll_negative_dim": lambda lib: t(lib, M).roll(1, -1),
    "flip_a_tuple_of_dims": lambda lib: t(lib, M).flip((0, 1)),
    "roll_one_shift_in_a_tuple": lambda lib: t(lib, M).roll((1,), 0),
    "flip_refuses_one_dim_spelled_twice": lambda lib: t(lib, M).flip(0, -2),
    "roll_refuses_shifts_for_several_dims_without_dims": lambda lib: t(lib, M).roll((1, 2)),
    "roll_refuses_more_shifts_than_dims": lambda lib: t(lib, M).roll((1, 2), (0,)),
    "roll_refuses_dim_out_of_range": lambda lib: t(lib, M).roll(1, 2),
    "rot90": lambda lib: t(lib, M).rot90(),
    "rot90_twice": lambda lib: t(lib, M).rot90(2),
    "rot90_three_times": lambda lib: t(lib, M).rot90(3),
    "rot90_back": lambda lib: t(lib, M).rot90(-1),
    "rot90_five_times": lambda lib: t(lib, M).rot90(5),
    "rot90_in_dims_0_2": lambda lib: t(lib, C3).rot90(1, [0, 2]),
    "rot90_in_dims_2_0": lambda lib: t(lib, C3).rot90(1, [2, 0]),
    "rot90_negative_dims": lambda lib: t(lib, C3).rot90(1, [-1, -2]),
    "rot90_empty": lambda lib: lib.zeros(0, 3).rot90(),
    "rot90_function": lambda lib: lib.rot90(t(lib, M), 1, [1, 0]),
    "rot90_transposed": lambda lib: t(lib, M).t().rot90(),
    "rot90_refuses_the_same_dim_twice": lambda lib: t(lib, C3).rot90(1, [0, 0]),
    "rot90_refuses_one_dim_spelled_twice": lambda lib: t(lib, C3).rot90(1, [0, -3]),
    "rot90_refuses_1d": lambda lib: t(lib, [1, 2]).rot90(),
    "rot90_refuses_three_dims": lambda lib: t(lib, C3).rot90(1, [0, 1, 2]),
    "rot90_refuses_a_float_k": lambda lib: t(lib, M).rot90(1.0),
    "rot90_function_refuses_a_fractional_k": lambda lib: lib.rot90(t(lib, M), 1.5),
    "rot90_refuses_dim_out_of_range": lambda lib: t(lib, M).rot90(1, [0, 2]),
}


@cases(FLIP_ROLL_ROT90)
def test_flip_roll_and_rot90_as_torch(case):
    check_like_torch(case)


# -- tril, triu ---------------------------------------------------------------------------------------------------
SQUARE = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]

TRIANGLES = {
    "tril": lambda lib: t(lib, SQUARE).tril(),
    "tril_above_the_diagonal": lambda lib: t(lib, M).tril(1),
    "tril_below_the_diagonal": lambda lib: t(lib, M).tril(-1),
    "tril_everything": lambda lib: t(lib, M).tril(10),
    "tril_nothing": lambda lib: t(lib, M).tril(-10),
    "triu": lambda lib: t(lib, M).triu(),
    "triu_above": lambda lib: t(lib, M).triu(2),
    "triu_below": lambda lib: t(lib, M).triu(-1),
    "tril_batched": lambda lib: t(lib, C3).tril(),
    "triu_batched": lambda lib: t(lib, C3).triu(1),
    "triu_far_below_in_a_batch": lambda lib: lib.ones(2, 2, 3).triu(-5),
    "tril_with_a_0d_tensor_diagonal": lambda lib: t(lib, M).tril(t(lib, 1)),
    "tril_empty": lambda lib: lib.zeros(0, 3).tril(),
    "tril_empty_batch": lambda lib: lib.zeros(0, 2, 2).tril(),
    "tril_bool": lambda lib: lib.ones(3, 3, dtype=lib.bool).tril(),
    "triu_transposed": lambda lib: t(lib, M).t().triu(),
    "tril_in_place": in_place("tril_"),
    "triu_in_place": in_place("triu_", 1),
    "tril_keyword": lambda lib: lib.tril(t(lib, M), diagonal=1),
    "tril_keeps_nan_below": lambda lib: t(lib, [[NAN, NAN], [NAN, NAN]]).tril(),
    "triu_zeros_inf_below": lambda lib: t(lib, [[INF, INF], [INF, INF]]).triu(),
    "tril_refuses_1d": lambda lib: t(lib, [1, 2]).tril(),
    "triu_refuses_0d": lambda lib: t(lib, 1).triu(),
    "tril_refuses_a_float_diagonal": lambda lib: t(lib, M).tril(1.0),
}


@cases(TRIANGLES)
def test_tril_and_triu_as_torch(case):
    check_like_torch(case)


# -- repeat_interleave --------------------------------------------------------------------------------------------
REPEAT_INTERLEAVE = {
    "number": lambda lib: t(lib, [1, 2, 3]).repeat_interleave(2),
    "tensor_of_counts": lambda lib: t(lib, [1, 2, 3]).repeat_interleave(t(lib, [1, 0, 2])),
    "along_dim_0": lambda lib: t(lib, M).repeat_interleave(2, dim=0),
    "counts_along_dim_1": lambda lib: t(lib, M).repeat_interleave(t(lib, [1, 2, 0]), dim=1),
    "negative_dim": lambda lib: t(lib, M).repeat_interleave(2, dim=-1),
    "2d_flattened": lambda lib: t(lib, M).repeat_interleave(2),
    "counts_alone_repeat_their_indices": lambda lib: lib.repeat_interleave(t(lib, [2, 0, 3])),
    "0d": lambda lib: t(lib, 5).repeat_interleave(3),
    "0d_counts": lambda lib: t(lib, [1, 2]).repeat_interleave(t(lib, 2)),
    "one_count_for_all": lambda lib: t(lib, [1, 2]).repeat_interleave(t(lib, [3])),
    "empty": lambda lib: lib.zeros(0).repeat_interleave(2),
    "zero_times": lambda lib: t(lib, [1.0, 2.0]).repeat_interleave(0),
    "output_size": lambda lib: t(lib, [1, 2]).repeat_interleave(2, output_size=4),
    "bool": lambda lib: t(lib, [True, False]).repeat_interleave(2),
    "transposed": lambda lib: t(lib, M).t().repeat_interleave(2, dim=0),
    "counts_for_the_flattened_tensor": lambda lib: t(lib, M).repeat_interleave(t(lib, [1, 0, 1, 0, 1, 0])),
    "refuses_a_wrong_output_size": lambda lib: t(lib, [1, 2]).repeat_interleave(2, output_size=3),
    "refuses_a_negative_number": lambda lib: t(lib, [1, 2]).repeat_interleave(-1),
    "refuses_a_negative_count": lambda lib: t(lib, [1, 2]).repeat_interleave(t(lib, [1, -1])),
    "refuses_counts_of_another_length": lambda lib: t(lib, [1, 2]).repeat_interleave(t(lib, [1, 2, 3])),
    "refuses_float_counts": lambda lib: t(lib, [1, 2]).repeat_interleave(t(lib, [1.0, 2.0])),
    "refuses_2d_counts": lambda lib: t(lib, [1, 2]).repeat_interleave(t(lib, [[1, 2]])),
    "refuses_dim_out_of_range": lambda lib: t(lib, [1.0, 2.0]).repeat_interleave(2, dim=1),
}


@cases(REPEAT_INTERLEAVE)
def test_repeat_interleave_as_torch(case):
    check_like_torch(case)


# -- narrow_copy, and the views a write goes through ---------------------------------------------------------------
def _written_through(view):
    """``view(lib, base)`` written at its first entry: the base after (a view writes through, a copy does not)."""

    def case(lib):
        base = t(lib, M)
        part = view(lib, base)
        part[(0,) * part.ndim] = 100.0
        return base

    return case


NARROW = {
    "narrow_copy": lambda lib: t(lib, M).narrow_copy(1, 1, 2),
    "narrow_copy_negative_dim": lambda lib: t(lib, M).narrow_copy(-1, 0, 1),
    "narrow_copy_negative_start": lambda lib: t(lib, M).narrow_copy(1, -2, 2),
    "narrow_copy_of_length_0": lambda lib: t(lib, M).narrow_copy(0, 1, 0),
    "narrow_copy_of_length_0_at_the_end": lambda lib: t(lib, M).narrow_copy(1, 3, 0),
    "narrow_copy_int": lambda lib: t(lib, I).narrow_copy(0, 1, 1),
    "narrow_copy_function": lambda lib: lib.narrow_copy(t(lib, I), 0, 1, 1),
    "narrow_copy_transposed": lambda lib: t(lib, M).t().narrow_copy(0, 1, 2),
    "narrow_copy_is_contiguous": lambda lib: t(lib, M)[:, ::2].narrow_copy(1, 0, 2).is_contiguous(),
    "narrow_copy_does_not_write_through": _written_through(lambda lib, base: base.narrow_copy(1, 0, 2)),
    "narrow_writes_through": _written_through(lambda lib, base: base.narrow(1, 1, 2)),
    "narrow_with_a_0d_tensor_start": lambda lib: t(lib, M).narrow(1, t(lib, 1), 2),
    "row_writes_through": _written_through(lambda lib, base: base[1]),
    "transpose_writes_through": _written_through(lambda lib, base: base.t()[1:]),
    "view_writes_through": _written_through(lambda lib, base: base.view(3, 2)[1:]),
    "clone_does_not_write_through": _written_through(lambda lib, base: base.clone()),
    "narrow_refuses_a_negative_start_out_of_range": lambda lib: t(lib, M).narrow(1, -4, 1),
    "narrow_refuses_a_length_past_the_end": lambda lib: t(lib, M).narrow(0, 0, 3),
    "narrow_copy_with_a_0d_tensor_start": lambda lib: t(lib, M).narrow_copy(1, t(lib, 1), 2),
    "narrow_copy_refuses_a_slice_past_the_end": lambda lib: t(lib, M).narrow_copy(1, 2, 2),
    "narrow_copy_refuses_a_negative_length": lambda lib: t(lib, M).narrow_copy(1, 0, -1),
    "narrow_copy_refuses_a_start_past_the_end": lambda lib: t(lib, M).narrow_copy(1, 4, 0),
    "narrow_copy_refuses_dim_out_of_range": lambda lib: t(lib, M).narrow_copy(2, 0, 1),
    "narrow_copy_refuses_0d": lambda lib: t(lib, 1.0).narrow_copy(0, 0, 1),
}


@cases(NARROW)
def test_narrow_copy_and_views_as_torch(case):
    check_like_torch(case)


# -- is_same_size, is_set_to --------------------------------------------------------------------------------------
def _is_set_to(other):
    def case(lib):
        base = t(lib, M)
        return base.is_set_to(other(base))

    return case


SAME = {
    "same_size": lambda lib: t(lib, M).is_same_size(lib.zeros(2, 3)),
    "same_size_ignores_the_dtype": lambda lib: t(lib, M).is_same_size(lib.zeros(2, 3, dtype=lib.int32)),
    "transposed_size_differs": lambda lib: t(lib, M).is_same_size(lib.zeros(3, 2)),
    "0d_and_1d_differ": lambda lib: t(lib, 1.0).is_same_size(t(lib, [1.0])),
    "set_to_itself": _is_set_to(lambda base: base),
    "set_to_a_full_slice": _is_set_to(lambda base: base[:]),
    "not_set_to_a_reshaped_view": _is_set_to(lambda base: base.view(6)),
    "not_set_to_a_clone": _is_set_to(lambda base: base.clone()),
    "not_set_to_a_row": _is_set_to(lambda base: base[0]),
    "transposes_of_one_tensor_set_to_each_other": lambda lib: (lambda b: b.t().is_set_to(b.t()))(t(lib, M)),
    "empty_tensors_are_not_set_to_each_other": lambda lib: lib.zeros(0).is_set_to(lib.zeros(0)),
}


@cases(SAME)
def test_is_same_size_and_is_set_to_as_torch(case):
    check_like_torch(case)


# -- dist, renorm, lerp -------------------------------------------------------------------------------------------
ONES = [1.0, 1.0, 1.0]
NORMS = [[3.0, 4.0], [0.3, 0.4]]

DIST_RENORM_LERP = {
    "dist": lambda lib: t(lib, M).dist(t(lib, ONES)),
    "dist_p1": lambda lib: t(lib, M).dist(t(lib, ONES), 1),
    "dist_p0_counts_differences": lambda lib: t(lib, [[1.0, 2.0], [3.0, 3.0]]).dist(t(lib, [1.0, 3.0]), 0),
    "dist_p_inf": lambda lib: t(lib, M).dist(t(lib, ONES), INF),
    "dist_p_minus_inf": lambda lib: t(lib, M).dist(t(lib, ONES), -INF),
    "dist_p3": lambda lib: t(lib, M).dist(t(lib, ONES), 3),
    "dist_p_half": lambda lib: t(lib, M).dist(t(lib, ONES), 0.5),
    "dist_p_minus_1": lambda lib: t(lib, M).dist(t(lib, ONES), -1),
    "dist_float32": lambda lib: t(lib, [1.0, 2.0], "float32").dist(t(lib, [3.0, 4.0], "float32")),
    "dist_float32_and_float64": lambda lib: t(lib, [1.0, 2.0], "float32").dist(t(lib, [3.0, 4.0])),
    "dist_empty": lambda lib: lib.zeros(0).dist(lib.zeros(0)),
    "dist_empty_refuses_p_inf": lambda lib: lib.zeros(0).dist(lib.zeros(0), INF),
    "dist_0d": lambda lib: t(lib, 1.0).dist(t(lib, 4.0)),
    "dist_function": lambda lib: lib.dist(t(lib, [0.0, 0.0]), t(lib, [3.0, 4.0]), p=2),
    "dist_nan": lambda lib: t(lib, [NAN, 1.0]).dist(t(lib, [0.0, 0.0])),
    "dist_p_a_0d_tensor": lambda lib: t(lib, M).dist(t(lib, ONES), t(lib, 3.0)),
    "dist_p_a_0d_int_tensor": lambda lib: t(lib, M).dist(t(lib, ONES), t(lib, 1)),
    "norm_p_a_0d_tensor": lambda lib: t(lib, M).norm(t(lib, 2.0)),
    "dist_refuses_p_a_1d_tensor": lambda lib: t(lib, M).dist(t(lib, ONES), t(lib, [2.0])),
    "dist_refuses_shapes_that_do_not_broadcast": lambda lib: t(lib, M).dist(t(lib, [1.0, 2.0])),
    "renorm_rows": lambda lib: t(lib, NORMS).renorm(2, 0, 1.0),
    "renorm_columns_p1": lambda lib: t(lib, NORMS).renorm(1, 1, 2.0),
    "renorm_p_inf": lambda lib: t(lib, [[3.0, -4.0], [0.3, 0.4]]).renorm(INF, 0, 1.0),
    "renorm_negative_dim": lambda lib: t(lib, NORMS).renorm(2, -1, 1.0),
    "renorm_3d": lambda lib: t(lib, [[[3.0, 4.0]], [[6.0, 8.0]]]).renorm(2, 0, 5.0),
    "renorm_zero_row": lambda lib: t(lib, [[0.0, 0.0], [3.0, 4.0]]).renorm(2, 0, 1.0),
    "renorm_empty": lambda lib: lib.zeros(0, 2).renorm(2, 0, 1.0),
    "renorm_in_place": in_place("renorm_", 2, 0, 1.0, make=lambda lib: t(lib, NORMS)),
    "renorm_keywords": lambda lib: lib.renorm(t(lib, NORMS), p=1, dim=0, maxnorm=2.0),
    "renorm_float32": lambda lib: t(lib, [[3.0, 4.0]], "float32").renorm(2, 0, 1.0),
    "renorm_refuses_0d": lambda lib: t(lib, 3.0).renorm(2, 0, 1.0),
    "renorm_refuses_1d": lambda lib: t(lib, [3.0, 4.0]).renorm(2, 0, 1.0),
    "renorm_in_place_refuses_1d": lambda lib: t(lib, [3.0, 4.0]).renorm_(2, -1, 1.0),
    "renorm_refuses_p_0": lambda lib: t(lib, NORMS).renorm(0, 0, 1.0),
    "renorm_refuses_a_negative_p": lambda lib: t(lib, NORMS).renorm(-1, 0, 1.0),
    "renorm_refuses_a_negative_maxnorm": lambda lib: t(lib, NORMS).renorm(2, 0, -1.0),
    "renorm_refuses_dim_out_of_range": lambda lib: t(lib, [[3.0, 4.0]]).renorm(2, 2, 1.0),
    "lerp": lambda lib: t(lib, [1.0, 2.0]).lerp(t(lib, [3.0, 6.0]), 0.25),
    "lerp_tensor_weight": lambda lib: t(lib, [1.0, 2.0]).lerp(t(lib, [3.0, 6.0]), t(lib, [0.0, 1.0])),
    "lerp_broadcasts_all_three": lambda lib: t(lib, M).lerp(t(lib, ONES), t(lib, [[0.5], [1.5]])),
    "lerp_broadcasts_self": lambda lib: t(lib, [1.0, 2.0, 3.0]).lerp(t(lib, M), 0.5),
    "lerp_extrapolates": lambda lib: t(lib, [1.0, 2.0]).lerp(t(lib, [3.0, 6.0]), 2.0),
    "lerp_inf": lambda lib: t(lib, [INF, 1.0]).lerp(t(lib, [INF, INF]), 0.5),
    "lerp_float32": lambda lib: t(lib, [1.0], "float32").lerp(t(lib, [3.0], "float32"), 0.3),
    "lerp_in_place": in_place("lerp_", lambda lib: t(lib, [3.0, 5.0]), 0.5, make=lambda lib: t(lib, [1.0, 2.0])),
    "lerp_function": lambda lib: lib.lerp(t(lib, [0.0]), t(lib, [10.0]), weight=0.3),
    "lerp_empty": lambda lib: lib.zeros(0).lerp(lib.zeros(0), 0.5),
    "lerp_0d": lambda lib: t(lib, 0.0).lerp(t(lib, 2.0), t(lib, 0.5)),
    "lerp_integer_weight": lambda lib: t(lib, [1.0, 2.0]).lerp(t(lib, [3.0, 6.0]), 1),
    "dist_refuses_bools": lambda lib: t(lib, [True]).dist(t(lib, [False])),
    "lerp_refuses_shapes_that_do_not_broadcast": lambda lib: t(lib, [1.0, 2.0]).lerp(t(lib, [1.0, 2.0, 3.0]), 0.5),
    "lerp_in_place_refuses_to_grow_self": lambda lib: t(lib, [1.0, 2.0, 3.0]).lerp_(t(lib, M), 0.5),
}


@cases(DIST_RENORM_LERP)
def test_dist_renorm_and_lerp_as_torch(case):
    check_like_torch(case)


# -- memory shared without storage objects: what writes through, and the metadata ----------------------------------
def _after_writing(make_alias, read=lambda lib, base, alias: base):
    """``make_alias(lib, base)`` written at its first entry (a numpy array or a tensor), then ``read``: by default
    the base tensor, to see whether the write went through."""

    def case(lib):
        base = t(lib, M)
        alias = make_alias(lib, base)
        alias[(0,) * alias.ndim] = 9.0
        return read(lib, base, alias)

    return case


def _numpy_source(make):
    """``make(lib, array)`` of a float64 numpy array, the array then written: the tensor after."""

    def case(lib):
        array = np.array(M)
        tensor = make(lib, array)
        array[0, 0] = 9.0
        return tensor

    return case


def _expand_sees_later_writes(lib):
    base = t(lib, [1.0, 2.0])
    expanded = base.expand(3, 2)
    base[0] = 5.0
    return expanded


SHARING_AND_METADATA = {
    "detach_shares": _after_writing(lambda lib, base: base.detach()),
    "data_shares": _after_writing(lambda lib, base: base.data),
    "numpy_shares": _after_writing(lambda lib, base: base.numpy()),
    "reshape_of_contiguous_shares": _after_writing(lambda lib, base: base.reshape(6)),
    "flatten_of_contiguous_shares": _after_writing(lambda lib, base: base.flatten()),
    "expand_sees_later_writes": _expand_sees_later_writes,
    "from_numpy_shares": _numpy_source(lambda lib, array: lib.from_numpy(array)),
    "as_tensor_shares": _numpy_source(lambda lib, array: lib.as_tensor(array)),
    "tensor_copies": _numpy_source(lambda lib, array: lib.tensor(array)),
    "contiguous_of_contiguous_is_itself": lambda lib: (lambda a: a.contiguous() is a)(t(lib, M)),
    "new_zeros_keeps_int32": lambda lib: t(lib, I, "int32").new_zeros(2),
    "new_ones_of_a_tuple": lambda lib: t(lib, M).new_ones((2, 1)),
    "new_full_int_truncates": lambda lib: t(lib, I).new_full((2,), 3.5),
    "new_full_float32": lambda lib: t(lib, M, "float32").new_full((2,), 3),
    "new_tensor_takes_the_dtype": lambda lib: t(lib, M, "float32").new_tensor([1, 2]),
    "new_tensor_int_truncates": lambda lib: t(lib, I).new_tensor([1.5]),
    "new_empty_shape_and_dtype": lambda lib: t(lib, I).new_empty(0, 3),
    "to_another_tensors_dtype": lambda lib: t(lib, M).to(t(lib, [1], "int32")),
    "is_floating_point": lambda lib: (t(lib, M).is_floating_point(), t(lib, I).is_floating_point()),
    "is_signed": lambda lib: (t(lib, [1], "uint8").is_signed(), t(lib, I).is_signed(), t(lib, [True]).is_signed()),
    "element_size": lambda lib: (
        t(lib, M).element_size(),
        t(lib, [1], "int16").element_size(),
        t(lib, [1]).element_size(),
    ),
    "sizes_of_empty_and_0d": lambda lib: (lib.zeros(0, 3).nelement(), t(lib, 1.0).numel(), t(lib, 2.0).ndimension()),
    "size_of_a_negative_dim": lambda lib: t(lib, M).size(-1),
    "size_refuses_dim_out_of_range": lambda lib: t(lib, M).size(2),
    "strides_of_a_transpose": lambda lib: t(lib, M).t().stride(),
    "stride_of_a_dim": lambda lib: t(lib, M).stride(0),
    "storage_offset_of_a_slice": lambda lib: t(lib, M)[1, 1:].storage_offset(),
    "transpose_is_not_contiguous": lambda lib: t(lib, M).t().is_contiguous(),
    "column_slice_is_not_contiguous": lambda lib: t(lib, M)[:, 1:].is_contiguous(),
    "row_slice_is_contiguous": lambda lib: t(lib, M)[1:].is_contiguous(),
}


@cases(SHARING_AND_METADATA)
def test_memory_sharing_and_metadata_as_torch(case):
    check_like_torch(case)


# -- gradients of the ops above ------------------------------------------------------------------------------------
def _gradients(forward, *inputs, weights):
    """The gradients of sum(weights * forward(lib, *leaves)) for leaves of ``inputs`` that require grad."""

    def case(lib):
        leaves = [t(lib, x).requires_grad_() for x in inputs]
        (forward(lib, *leaves) * t(lib, weights)).sum().backward()
        return tuple(leaf.grad for leaf in leaves)

    return case


def _copy_into_a_broadcast(lib, x):
    target = lib.zeros(2, 2)
    target.copy_(x)
    return target


GRADIENTS = {
    "copy_from_a_broadcast_source": _gradients(_copy_into_a_broadcast, [1.0, 2.0], weights=[[1.0, 2.0], [3.0, 4.0]]),
    "masked_scatter": _gradients(
        lambda lib, x, s: x.masked_scatter(t(lib, ROW_MASK), s), W3, [5.0, 6.0, 7.0], weights=W3
    ),
    "masked_fill": _gradients(lambda lib, x: x.masked_fill(t(lib, ROW_MASK), 2.0), M, weights=W3),
    "masked_select": _gradients(lambda lib, x: x.masked_select(t(lib, ROW_MASK)), M, weights=[1.0, 2.0, 3.0, 4.0]),
    "index_add_with_alpha": _gradients(
        lambda lib, x, s: x.index_add(0, t(lib, [2, 2]), s, alpha=2), [0.0] * 3, [1.0, 2.0], weights=W3
    ),
    "index_copy": _gradients(lambda lib, x, s: x.index_copy(0, t(lib, [0, 2]), s), [0.0] * 3, [1.0, 2.0], weights=W3),
    "index_fill": _gradients(lambda lib, x: x.index_fill(1, t(lib, [0]), 2.0), M, weights=W3),
    "put": _gradients(lambda lib, x, s: x.put(t(lib, [1]), s), W3, [5.0], weights=W3),
    "take_of_a_repeated_index": _gradients(lambda lib, x: x.take(t(lib, [0, 0, 5])), M, weights=W3),
    "where": _gradients(lambda lib, a, b: lib.where(t(lib, [True, False]), a, b), [1.0, 2], [3.0, 4], weights=[2.0, 3]),
    "lerp_of_all_three": _gradients(
        lambda lib, a, b, w: a.lerp(b, w), [1.0, 2.0], [3.0, 5.0], [0.25, 0.5], weights=[1.0, 2.0]
    ),
    "renorm": _gradients(lambda lib, x: x.renorm(2, 0, 1.0), NORMS, weights=[[1.0, 2.0], [3.0, 4.0]]),
    "dist_p3": _gradients(lambda lib, x: x.dist(t(lib, [0.0, 0.0]), 3), [[3.0, 4.0]], weights=1.0),
    "flip_roll_rot90": _gradients(
        lambda lib, x: x.flip(0).roll(1, 1).rot90(), M, weights=[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    ),
    "repeat_interleave": _gradients(
        lambda lib, x: x.repeat_interleave(t(lib, [2, 3])), [1.0, 2.0], weights=[1.0, 2.0, 3.0, 4.0, 5.0]
    ),
    "second_diff": _gradients(lambda lib, x: x.diff(n=2), SQUARES, weights=[1.0, 5.0]),
    "tril": _gradients(lambda lib, x: x.tril(), M, weights=W3),
    "cumsum": _gradients(lambda lib, x: x.cumsum(1), M, weights=W3),
    "narrow_copy": _gradients(lambda lib, x: x.narrow_copy(1, 1, 2), M, weights=[1.0, 2.0]),
}


@cases(GRADIENTS)
def test_gradients_as_torch(case):
    check_like_torch(case)


# -- dtype conversions --------------------------------------------------------------------------------------------
CONVERSIONS = {
    "byte_wraps": lambda lib: t(lib, [1.7, -1.0, 200.0]).byte(),
    "char_truncates": lambda lib: t(lib, [1.7, -1.0]).char(),
    "short_truncates_toward_zero": lambda lib: t(lib, [1.7, -1.9]).short(),
    "int": lambda lib: t(lib, [1.7, -1.9]).int(),
    "long": lambda lib: t(lib, [-0.5, -1.5]).long(),
    "bool_of_nan_and_minus_zero": lambda lib: t(lib, [0.0, -0.0, NAN, 0.1]).bool(),
    "half_overflows_to_inf": lambda lib: t(lib, [1.0, 65520.0]).half(),
    "float": lambda lib: t(lib, [1, 2]).float(),
    "double_of_bool": lambda lib: t(lib, [True, False]).double(),
    "int_of_bool": lambda lib: t(lib, [True, False]).int(),
    "long_of_nan_and_infinities": lambda lib: t(lib, [NAN, INF, -INF, 1e30]).long(),
    "int_of_nan_and_infinities": lambda lib: t(lib, [NAN, INF, -INF, 1e30]).int(),
    "byte_of_negatives_and_256": lambda lib: t(lib, [-1.0, 256.0, -0.9]).byte(),
    "short_of_70000": lambda lib: t(lib, [70000.0]).short(),
    "half_of_tiny_and_large": lambda lib: t(lib, [1e-8, 1e5]).half(),
    "float_of_1e300_is_inf": lambda lib: t(lib, [1e300]).float(),
    "bool_of_ints": lambda lib: t(lib, [0, 2, -1]).bool(),
    "uint8_of_negative_ints_wraps": lambda lib: t(lib, [-1, 256]).to(lib.uint8),
    "int8_of_200_wraps": lambda lib: t(lib, [200]).to(lib.int8),
    "to_a_dtype_keyword": lambda lib: t(lib, [1]).to(dtype=lib.float32),
    "float_then_double_keeps_the_rounding": lambda lib: t(lib, [0.1]).float().double(),
    "copy_nan_into_int64": _copy_into(lambda lib: lib.zeros(1, dtype=lib.int64), lambda lib: t(lib, [NAN])),
    "fill_int64_refuses_nan": in_place("fill_", NAN, make=lambda lib: lib.zeros(1, dtype=lib.int64)),
    "fill_int8_refuses_300": in_place("fill_", 300, make=lambda lib: lib.zeros(1, dtype=lib.int8)),
    "masked_fill_int64_refuses_nan": lambda lib: lib.zeros(1, dtype=lib.int64).masked_fill(t(lib, [True]), NAN),
    "index_fill_int64_refuses_nan": lambda lib: lib.zeros(1, dtype=lib.int64).index_fill(0, t(lib, [0]), NAN),
    "index_fill_int8_refuses_300": lambda lib: lib.zeros(1, dtype=lib.int8).index_fill(0, t(lib, [0]), 300),
    "new_full_int8_refuses_300": lambda lib: lib.zeros(1, dtype=lib.int8).new_full((1,), 300),
    "full_int8_refuses_300": lambda lib: lib.full((1,), 300, dtype=lib.int8),
    "where_int8_refuses_300": lambda lib: lib.where(t(lib, [True]), lib.zeros(1, dtype=lib.int8), 300),
    "to_a_dtype": lambda lib: t(lib, [1.5]).to(lib.int32),
    "to_the_same_dtype_is_the_tensor_itself": lambda lib: (lambda a: a.to(lib.float64) is a)(t(lib, [1.5])),
    "to_with_copy_is_a_new_tensor": lambda lib: (lambda a: a.to(lib.float64, copy=True) is a)(t(lib, [1.5])),
    "fill_int_with_a_float_truncates": in_place("fill_", 2.7, make=lambda lib: t(lib, I)),
    "fill_bool_with_a_float": in_place("fill_", 0.5, make=lambda lib: t(lib, [True, False])),
    "fill_uint8_with_minus_1_wraps": in_place("fill_", -1, make=lambda lib: t(lib, [1, 2], "uint8")),
    "fill_with_a_0d_tensor": in_place("fill_", lambda lib: t(lib, 3.0)),
    "fill_refuses_a_1d_tensor": in_place("fill_", lambda lib: t(lib, [3.0])),
    "zero_int": in_place("zero_", make=lambda lib: t(lib, I)),
    "clamp_int_with_float_bounds_is_float": lambda lib: t(lib, I).clamp(1.5, 4.5),
    "type_with_a_dtype": lambda lib: t(lib, [1.5]).type(lib.int64),
    "type_as": lambda lib: t(lib, [1.5]).type_as(t(lib, [1], "int32")),
    "item": lambda lib: t(lib, [3]).item(),
    "int_of_a_one_entry_tensor": lambda lib: int(t(lib, [3.7])),
    "tolist_of_0d": lambda lib: t(lib, 2).tolist(),
    "tolist_of_bools": lambda lib: t(lib, [[True], [False]]).tolist(),
    "item_refuses_two_entries": lambda lib: t(lib, [3, 4]).item(),
    "item_refuses_empty": lambda lib: lib.zeros(0).item(),
    "float_refuses_two_entries": lambda lib: float(t(lib, [3.7, 1.0])),
    "bool_refuses_two_entries": lambda lib: bool(t(lib, [1.0, 1.0])),
    "bool_refuses_empty": lambda lib: bool(lib.zeros(0)),
}


@cases(CONVERSIONS)
def test_dtype_conversions_as_torch(case):
    check_like_torch(case)


# -- apply_, map_, map2_ (CPU-only Python callbacks) ---------------------------------------------------------------
def _doubled_plus_one(x):
    return x * 2 + 1


def _difference(a, b):
    return a - b


def _first_minus_rest(a, b, c):
    return a - b - c


def _callback(method, function, *others, make=lambda lib: t(lib, M)):
    """``make(lib).method(*others(lib), function)`` in place: the tensor after, and whether it was returned."""

    def case(lib):
        target = make(lib)
        returned = getattr(target, method)(*(other(lib) for other in others), function)
        return target, returned is target

    return case


CALLBACKS = {
    "apply": _callback("apply_", _doubled_plus_one),
    "apply_int_truncates": _callback("apply_", lambda x: x * 2.7, make=lambda lib: t(lib, I)),
    "map_broadcasts_the_other": _callback("map_", _difference, lambda lib: t(lib, W3)),
    "map2_broadcasts_both": _callback(
        "map2_", _first_minus_rest, lambda lib: t(lib, W3), lambda lib: t(lib, [[1.0], [2.0]])
    ),
    "map_refuses_another_dtype": _callback("map_", _difference, lambda lib: t(lib, [1, 2, 3])),
    "map_refuses_a_shape_that_does_not_broadcast": _callback("map_", _difference, lambda lib: t(lib, [1.0, 2.0])),
    "map2_refuses_a_shape_that_does_not_broadcast": _callback(
        "map2_", _first_minus_rest, lambda lib: t(lib, [1.0, 2.0]), lambda lib: t(lib, W3)
    ),
}


@cases(CALLBACKS)
def test_apply_map_and_map2_as_torch(case):
    check_like_torch(case)


# -- errors of bad indices and shapes -----------------------------------------------------------------------------
def _setitem(make, index, value):
    def case(lib):
        target = make(lib)
        target[index(lib) if callable(index) else index] = value(lib) if callable(value) else value
        return target

    return case


def _add_at_repeated_index(lib):
    target = lib.zeros(3)
    target[t(lib, [0, 0])] += 1.0  # (one write, as torch's: not an accumulation)
    return target


def _add_into_an_expanded_view(lib):
    target = lib.zeros(1, 3).expand(2, 3)
    target.add_(1.0)
    return target


BAD_INDICES_AND_SHAPES = {
    "getitem_refuses_a_row_out_of_range": lambda lib: t(lib, M)[2],
    "getitem_refuses_a_negative_row_out_of_range": lambda lib: t(lib, M)[-3],
    "getitem_refuses_a_column_out_of_range": lambda lib: t(lib, M)[0, 3],
    "getitem_refuses_too_many_indices": lambda lib: t(lib, M)[0, 0, 0],
    "getitem_refuses_a_list_index_out_of_range": lambda lib: t(lib, M)[[0, 2]],
    "getitem_refuses_a_tensor_index_out_of_range": lambda lib: t(lib, M)[t(lib, [5])],
    "getitem_refuses_a_float_tensor_index": lambda lib: t(lib, M)[t(lib, [0.0])],
    "getitem_refuses_a_mask_of_another_shape": lambda lib: t(lib, M)[t(lib, ROW_MASK)],
    "getitem_refuses_a_zero_step": lambda lib: t(lib, M)[::0],
    "getitem_0d_refuses_an_integer": lambda lib: t(lib, 5.0)[0],
    "getitem_0d_true_mask_adds_a_dim": lambda lib: t(lib, M)[t(lib, True)],
    "getitem_0d_false_mask_is_empty": lambda lib: t(lib, M)[t(lib, False)],
    "getitem_none_and_ellipsis": lambda lib: t(lib, M)[None, ..., None, 1],
    "getitem_0d_empty_tuple": lambda lib: t(lib, 5.0)[()],
    "getitem_slice_past_the_end_is_empty": lambda lib: t(lib, M)[:, 5:10],
    "getitem_int32_tensor_index": lambda lib: t(lib, M)[t(lib, [1], "int32")],
    "getitem_empty_tensor_index": lambda lib: t(lib, M)[lib.zeros(0, dtype=lib.int64)],
    "getitem_empty_list_index": lambda lib: t(lib, M)[[]],
    "setitem_refuses_out_of_range": _setitem(lambda lib: lib.zeros(3), 3, 1.0),
    "setitem_refuses_a_value_that_does_not_broadcast": _setitem(
        lambda lib: lib.zeros(2, 3), 0, lambda lib: t(lib, [1.0, 2])
    ),
    "setitem_broadcasts_into_a_column": _setitem(
        lambda lib: lib.zeros(2, 3), (slice(None), 1), lambda lib: t(lib, [5.0, 6])
    ),
    "setitem_through_a_mask": _setitem(lambda lib: t(lib, M), lambda lib: t(lib, M) > 2, 0.0),
    "setitem_mask_and_values": _setitem(
        lambda lib: t(lib, ONES), lambda lib: t(lib, ROW_MASK), lambda lib: t(lib, [9.0, 8])
    ),
    "setitem_truncates_a_float_into_int": _setitem(lambda lib: t(lib, [1, 2]), 0, 2.9),
    "setitem_add_at_a_repeated_index_writes_once": _add_at_repeated_index,
    "in_place_add_refuses_an_expanded_view": _add_into_an_expanded_view,
    "index_select_refuses_out_of_range": lambda lib: t(lib, M).index_select(1, t(lib, [3])),
    "index_select_refuses_a_negative_index": lambda lib: t(lib, M).index_select(1, t(lib, [-1])),
    "index_select_refuses_a_2d_index": lambda lib: t(lib, M).index_select(1, t(lib, [[0]])),
    "index_select_refuses_float_indices": lambda lib: t(lib, M).index_select(1, t(lib, [0.0])),
    "index_select_0d_index": lambda lib: t(lib, M).index_select(1, t(lib, 0)),
    "index_select_0d": lambda lib: t(lib, 5.0).index_select(0, t(lib, [0])),
    "index_select_from_empty_rows": lambda lib: lib.zeros(0, 3).index_select(1, t(lib, [0, 0])),
    "gather_refuses_out_of_range": lambda lib: t(lib, M).gather(1, t(lib, [[3]])),
    "gather_refuses_a_negative_index": lambda lib: t(lib, M).gather(1, t(lib, [[-1]])),
    "gather_refuses_an_index_of_another_rank": lambda lib: t(lib, M).gather(1, t(lib, [0])),
    "gather_refuses_float_indices": lambda lib: t(lib, M).gather(1, t(lib, [[0.0]])),
    "scatter_refuses_out_of_range": lambda lib: lib.zeros(2, 3).scatter(1, t(lib, [[3]]), 1.0),
    "select_refuses_out_of_range": lambda lib: t(lib, M).select(1, 3),
    "view_refuses_another_size": lambda lib: t(lib, M).view(4),
    "view_refuses_a_transposed_tensor": lambda lib: t(lib, M).t().view(6),
    "view_refuses_two_inferred_sizes": lambda lib: t(lib, M).view(-1, -1),
    "reshape_refuses_a_size_that_does_not_divide": lambda lib: t(lib, M).reshape(4, -1),
    "expand_refuses_a_size_that_is_not_1": lambda lib: t(lib, M).expand(3, 3),
    "expand_refuses_minus_1_for_a_new_dim": lambda lib: t(lib, [1.0]).expand(-1, 2),
    "permute_refuses_a_repeated_dim": lambda lib: t(lib, M).permute(0, 0),
    "transpose_refuses_dim_out_of_range": lambda lib: t(lib, M).transpose(0, 2),
    "squeeze_refuses_dim_out_of_range": lambda lib: t(lib, M).squeeze(2),
    "unsqueeze_refuses_dim_out_of_range": lambda lib: t(lib, M).unsqueeze(3),
    "unsqueeze_negative_dim": lambda lib: t(lib, M).unsqueeze(-3),
    "cat_refuses_tensors_of_other_ranks": lambda lib: lib.cat([t(lib, M), t(lib, [1.0])]),
    "cat_refuses_no_tensors": lambda lib: lib.cat([]),
    "cat_refuses_0d_tensors": lambda lib: lib.cat([t(lib, 1.0), t(lib, 2.0)]),
    "cat_skips_a_legacy_empty_1d_tensor": lambda lib: lib.cat([lib.zeros(0), t(lib, M)]),
    "cat_promotes": lambda lib: lib.cat([t(lib, [1]), t(lib, [1.5])]),
    "stack_refuses_tensors_of_other_shapes": lambda lib: lib.stack([t(lib, [1.0]), t(lib, [1.0, 2.0])]),
    "split_refuses_a_size_of_0": lambda lib: t(lib, [1.0, 2.0]).split(0),
    "chunk_refuses_0_chunks": lambda lib: t(lib, [1.0, 2.0]).chunk(0),
    "unbind_refuses_0d": lambda lib: t(lib, 1.0).unbind(),
    "mv_refuses_a_vector_of_another_length": lambda lib: lib.mv(lib.zeros(2, 3), lib.zeros(2)),
}


@cases(BAD_INDICES_AND_SHAPES)
def test_bad_indices_and_shapes_fail_as_torch(case):
    check_like_torch(case)
