"""PyTorch's test/test_scatter_gather_ops.py (TestScatterGather, the CPU tests), with the scatter / gather cases of
test/test_torch.py and the index-op gradient checks of test/test_autograd.py that the earlier ports
(tests/test_torch_py_port.py, tests/test_torch_indexing_port.py, tests/test_indexing_fuzz_torch.py,
tests/test_scatter_empty_index_torch.py, tests/test_second_derivatives_torch.py) leave out.

Ported: gather along each dim of a 3-d tensor against a loop over the index, gather of the positions of the maxima,
of bools, of an expanded (stride-0) index, and its backward through an empty index; scatter / scatter_ with a
tensor and with a number, with the old ``reduce="add" / "multiply"``; scatter_add with unique and repeated indices
(all into one row: the counts); scatter_reduce with every reduction and ``include_self`` both ways over repeated
indices, for float, integer and bool dtypes, against a loop that applies the reduction one entry at a time; NaN and
infinity through amax / amin; the shape rules torch enforces (the index no larger than src in any dim, nor than
self outside ``dim``, of self's rank), and its errors for out-of-range and negative indices, int32 and float
indices, a src of another dtype, an unknown reduction. From test_torch.py and test_autograd.py: index_select,
index_reduce with every reduction, index_add with alpha over duplicates, take / put / take_along_dim / masked ops
on 0-d and empty tensors, and the gradients of all these ops against torch and against central differences in
float64. Beyond upstream, grids over 0-d, one- and two-entry operands (torch reads a 0-d operand as one entry
along an axis, and checks the dim, then the index, then the source) and over the numbers the old ``reduce=`` casts.

Left out: the CUDA, ROCm and CuTeDSL kernel tests (``test_scatter_add_large``, the override dispatch matrix, the
alignment and TMA cases), ``test_gather_large`` (its point is vectorised kernels on 100-million-entry tensors),
the ``DeterministicGuard`` repetitions (there is one algorithm here), complex, float16 and bfloat16 dtypes and
``sparse_grad=True`` (no sparse tensors), and test_segment_reductions (the library has no ``segment_reduce``).
Cases already in the earlier ports (empty-index scatters, the masked_* / index_* / put / take tables of
test_torch_py_port.py, the second derivatives) are not repeated.

Differences found and left alone:

- ``take_along_dim`` takes an int32 index, as ``gather``'s numpy twin ``take_along_axis`` does; torch takes int64
  alone (the library's docstring says so).
- ``scatter(..., reduce="add" / "multiply")`` has a gradient here (that of scatter_reduce's "sum" / "prod" with
  self included, checked against central differences); torch has no derivative for it.
- ``scatter_reduce`` amax / amin with ``include_self=False`` share a result's gradient among the tied src entries
  alone; torch also counts self's entry where it happens to equal the result and then drops that share, so part of
  the gradient is lost. With ``include_self=True`` the two agree.
- A scatter's ``src`` larger than its index (or a 0-d src for an index of one entry) has a gradient here; torch's
  backward fails for it (its gradient cases use a src of the index's shape).
- ``scatter_reduce`` takes a number as ``src`` (filling the index's shape); torch's signature wants a tensor.
- ``put`` takes an int32 index, as ``take_along_dim`` does; torch takes int64 alone for both.
- An empty boolean mask of another length than its axis (``x[zeros(0, dtype=bool)]`` of a 3-entry x, and
  ``index_put`` at it) selects nothing, as numpy's indexing reads it; torch refuses its shape with an IndexError.
- ``index_add`` into a 0-d tensor takes a source of shape (1,) as well as a 0-d one (tests/test_torch_py_port.py
  lists it); torch refuses it, so the grid of small index writes leaves those cases out.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf
REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


def t(lib, data, dtype=None):
    """``lib.tensor(data)``, of ``lib``'s dtype named ``dtype`` if given."""
    return lib.tensor(data) if dtype is None else lib.tensor(data, dtype=getattr(lib, dtype))


def _array(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(), str(x.dtype).removeprefix("torch.")
    return np.asarray(x.detach().numpy()), str(x.dtype)


def _same(ours, theirs, where="result"):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{where}: {ours!r} vs {theirs!r}"
        for k, (mine, its) in enumerate(zip(ours, theirs)):
            _same(mine, its, f"{where}[{k}]")
        return
    if theirs is None or isinstance(theirs, (bool, int, float)):
        assert ours == theirs, f"{where}: {ours!r} vs torch's {theirs!r}"
        return
    (a, a_dtype), (b, b_dtype) = _array(ours), _array(theirs)
    assert a_dtype == b_dtype, f"{where}: dtype {a_dtype}, torch's {b_dtype}"
    assert a.shape == b.shape, f"{where}: shape {a.shape}, torch's {b.shape}"
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12, equal_nan=True, err_msg=where)


def _outcome(case, lib):
    try:
        return case(lib), None
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return None, error


def check_like_torch(case):
    """``case(torch)`` and ``case(ag)`` agree: the same values, dtypes and shapes, or both raise, ours an instance
    of torch's class; ours warns of nothing. Returns our result."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        with warnings.catch_warnings():  # (torch's deprecation of scatter's reduce=)
            warnings.simplefilter("ignore")
            theirs, their_error = _outcome(case, torch)
    finally:
        torch.set_default_dtype(saved)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours, our_error = _outcome(case, ag)
    if their_error is not None:
        assert our_error is not None, f"torch raised {their_error!r}; ours returned {ours!r}"
        assert isinstance(our_error, type(their_error)), f"ours raised {our_error!r}; torch {their_error!r}"
        return None
    assert our_error is None, f"ours raised {our_error!r}"
    _same(ours, theirs)
    return ours


def cases(table):
    return pytest.mark.parametrize("case", list(table.values()), ids=list(table))


# -- the loop references ------------------------------------------------------------------------------------------
def _unique_rows(rng, shape, dim, size):
    """An int64 index of ``shape`` whose entries along ``dim`` are distinct draws from range(size) in every line."""
    index = np.empty(shape, dtype=np.int64)
    for line in itertools.product(*(range(n) if d != dim else [slice(None)] for d, n in enumerate(shape))):
        index[line] = rng.permutation(size)[: shape[dim]]
    return index


def _target(position, dim, value):
    where = list(position)
    where[dim] = value
    return tuple(where)


def _gather_loop(source, dim, index):
    result = np.empty(index.shape, dtype=source.dtype)
    for position in np.ndindex(*index.shape):
        result[position] = source[_target(position, dim, index[position])]
    return result


def _scatter_loop(base, dim, index, src, reduce=None, include_self=True):
    """Scatter one entry at a time: ``src`` a number or an array at least the index's size; ``reduce`` None (the
    last write wins), "add"/"sum", "multiply"/"prod", "amax", "amin" or "mean" (integers floor-divided)."""
    result = base.astype(object)
    counts = np.full(base.shape, int(include_self))
    for position in np.ndindex(*index.shape):
        where = _target(position, dim, index[position])
        value = src if np.isscalar(src) else src[position]
        value = value.item() if hasattr(value, "item") else value
        if reduce is None or (counts[where] == 0):
            result[where] = value
        elif reduce in ("add", "sum", "mean"):
            result[where] = result[where] + value
        elif reduce in ("multiply", "prod"):
            result[where] = result[where] * value
        elif reduce == "amax":
            result[where] = max(result[where], value)
        else:
            result[where] = min(result[where], value)
        counts[where] += 1
    if reduce == "mean":
        counts = np.maximum(counts, 1)
        for where in np.ndindex(*base.shape):
            result[where] = result[where] // counts[where] if base.dtype.kind in "iu" else result[where] / counts[where]
    return result.astype(base.dtype)


def _values(rng, shape, dtype):
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype in ("int8", "uint8", "int16", "int32", "int64"):
        return rng.integers(1 if dtype == "uint8" else -3, 4, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


# -- gather -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "uint8", "bool"])
@pytest.mark.parametrize("dim", [0, 1, 2])
def test_gather_picks_the_entry_the_index_names_along_dim_as_a_loop_and_torch(dim, dtype):
    rng = np.random.default_rng(dim)
    source = _values(rng, (3, 4, 5), dtype)
    shape = [3, 4, 5]
    shape[dim] = 2
    index = _unique_rows(rng, tuple(shape), dim, source.shape[dim])
    ours = ag.gather(ag.tensor(source), dim, ag.tensor(index))
    assert ours.dtype == getattr(ag, dtype)
    np.testing.assert_array_equal(ours.numpy(), _gather_loop(source, dim, index))
    theirs = torch.gather(torch.from_numpy(source), dim, torch.from_numpy(index))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_gather_of_the_positions_of_the_maxima_gives_the_maxima():
    source = np.random.default_rng(1).standard_normal((3, 4, 5))
    x = ag.tensor(source)
    np.testing.assert_array_equal(x.gather(2, x.argmax(2, keepdim=True)).numpy(), source.max(2, keepdims=True))


def _gathered_through_expanded_index(lib):
    """An index of shape (6, 1) expanded to (6, 4) (stride 0 along dim 1), and its contiguous copy, give one result."""
    source = lib.arange(20.0).reshape(5, 4)
    index = t(lib, [[4], [0], [2], [2], [1], [3]]).expand(6, 4)
    return source.gather(0, index), source.gather(0, index.contiguous()), source.gather(1, index[:, :1])


GATHER = {
    "bools": lambda lib: t(lib, [[False, True], [True, True]]).gather(1, t(lib, [[0, 0], [1, 0]])),
    "expanded_index": _gathered_through_expanded_index,
    "function_keywords": lambda lib: lib.gather(input=t(lib, [[1, 2], [3, 4]]), dim=1, index=t(lib, [[1], [0]])),
    "negative_dim": lambda lib: t(lib, [[1.0, 2.0], [3.0, 4.0]]).gather(-1, t(lib, [[1, 1, 0]] * 2)),
    "index_smaller_than_self_outside_dim": lambda lib: lib.arange(12.0).reshape(3, 4).gather(1, t(lib, [[3, 0]])),
    "0d_source_and_index": lambda lib: t(lib, 7.0).gather(0, t(lib, 0)),
    "0d_source_1d_index": lambda lib: t(lib, 7.0).gather(0, t(lib, [0, 0])),
    "empty_source_empty_index": lambda lib: lib.zeros(0, 3).gather(0, lib.zeros(0, 3, dtype=lib.int64)),
    "empty_index_into_a_full_source": lambda lib: lib.ones(2, 3).gather(1, lib.zeros(2, 0, dtype=lib.int64)),
    "transposed_source": lambda lib: lib.arange(6.0).reshape(2, 3).t().gather(0, t(lib, [[1, 0], [0, 1]])),
    "out": lambda lib: lib.gather(t(lib, [1.0, 2.0, 3.0]), 0, t(lib, [2, 0]), out=lib.zeros(2)),
    "refuses_an_index_of_another_rank": lambda lib: lib.ones(2, 3).gather(1, t(lib, [0, 1])),
    "refuses_an_index_larger_than_self_outside_dim": lambda lib: lib.ones(2, 3).gather(1, t(lib, [[0]] * 3)),
    "refuses_an_index_past_the_end": lambda lib: lib.ones(2, 3).gather(1, t(lib, [[0], [3]])),
    "refuses_a_negative_index": lambda lib: lib.ones(2, 3).gather(1, t(lib, [[0], [-1]])),
    "refuses_an_int32_index": lambda lib: lib.ones(2, 3).gather(1, t(lib, [[0], [1]], "int32")),
    "refuses_a_float_index": lambda lib: lib.ones(2, 3).gather(1, t(lib, [[0.0], [1.0]])),
    "refuses_a_dim_out_of_range": lambda lib: lib.ones(2, 3).gather(2, t(lib, [[0], [1]])),
    "refuses_an_index_into_an_empty_dim": lambda lib: lib.ones(2, 0).gather(1, t(lib, [[0], [0]])),
}


@cases(GATHER)
def test_gather_as_torch(case):
    check_like_torch(case)


# -- scatter, scatter_add, scatter_reduce against the loop ---------------------------------------------------------
def _scatter_inputs(dim, dtype, unique, seed=0):
    rng = np.random.default_rng(seed + 10 * dim)
    shape = [3, 4, 5]
    index_shape = list(shape)
    index_shape[dim] = 2 if unique else 6
    if unique:
        index = _unique_rows(rng, tuple(index_shape), dim, shape[dim])
    else:
        index = rng.integers(0, shape[dim], index_shape)
    base = _values(rng, tuple(shape), dtype)
    src = _values(rng, tuple(n + 1 for n in index_shape), dtype)  # larger than the index in every dim
    return base, index, src


def _both(base, index, src, call):
    ours = call(ag.tensor(base.copy()), ag.tensor(index), src if np.isscalar(src) else ag.tensor(src))
    theirs = call(
        torch.from_numpy(base.copy()), torch.from_numpy(index), src if np.isscalar(src) else torch.from_numpy(src)
    )
    return ours, theirs


def _expect(ours, theirs, expected):
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    got = ours.numpy()
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, equal_nan=True)
        np.testing.assert_allclose(got, theirs.numpy(), rtol=1e-6, atol=1e-6, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(got, theirs.numpy())


@pytest.mark.parametrize("form", ["scatter", "scatter_", "value", "value_", "value_keyword"])
@pytest.mark.parametrize("dim", [0, 1, 2])
def test_scatter_writes_each_src_entry_where_the_index_names_it(dim, form):
    base, index, src = _scatter_inputs(dim, "float32", unique=True)
    scalar = form.startswith("value")
    calls = {
        "scatter": lambda x, i, s: x.scatter(dim, i, s),
        "scatter_": lambda x, i, s: x.scatter_(dim, i, s),
        "value": lambda x, i, s: x.scatter(dim, i, 0.25),
        "value_": lambda x, i, s: x.scatter_(dim, i, 0.25),
        "value_keyword": lambda x, i, s: x.scatter(dim, i, value=0.25),
    }
    ours, theirs = _both(base, index, src, calls[form])
    _expect(ours, theirs, _scatter_loop(base, dim, index, 0.25 if scalar else src))


@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("scalar", [False, True], ids=["src", "value"])
@pytest.mark.parametrize("dim", [0, 1, 2])
def test_scatter_with_the_old_reduce_argument_accumulates_repeated_indices(dim, scalar, reduce):
    base, index, src = _scatter_inputs(dim, "float64", unique=False)
    src = 1.5 if scalar else src
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch deprecates reduce= for a tensor src
        ours, theirs = _both(base, index, src, lambda x, i, s: x.scatter_(dim, i, s, reduce=reduce))
    _expect(ours, theirs, _scatter_loop(base, dim, index, src, reduce))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int16", "uint8"])
@pytest.mark.parametrize("dim", [0, 1, 2])
def test_scatter_add_sums_repeated_indices(dim, dtype):
    base, index, src = _scatter_inputs(dim, dtype, unique=False)
    ours, theirs = _both(base, index, src, lambda x, i, s: x.scatter_add_(dim, i, s))
    _expect(ours, theirs, _scatter_loop(base, dim, index, src, "add"))


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_add_of_every_entry_into_one_line_counts_them(dim):
    ones = ag.ones(6, 7)
    result = ag.zeros(6, 7).scatter_add_(dim, ag.zeros(6, 7, dtype=ag.int64), ones)
    line = result[0, :] if dim == 0 else result[:, 0]
    np.testing.assert_array_equal(line.numpy(), np.full(line.shape[0], 6.0 if dim == 0 else 7.0))
    assert float(result.sum()) == 42.0


SCATTER_REDUCE_DTYPES = {
    "sum": ["float64", "float32", "int64", "int32", "int8", "uint8"],
    "prod": ["float64", "float32", "int64", "int16", "uint8", "bool"],
    "mean": ["float64", "float32", "int64", "int32", "int8"],
    "amax": ["float64", "float32", "int64", "int8", "uint8", "bool"],
    "amin": ["float64", "float32", "int64", "int8", "uint8", "bool"],
}


@pytest.mark.parametrize(
    ("reduce", "dtype"), [(r, d) for r, dtypes in SCATTER_REDUCE_DTYPES.items() for d in dtypes], ids=str
)
@pytest.mark.parametrize("include_self", [True, False], ids=["with_self", "without_self"])
@pytest.mark.parametrize("dim", [0, 2])
def test_scatter_reduce_over_repeated_indices_is_the_loops_and_torchs(dim, include_self, reduce, dtype):
    base, index, src = _scatter_inputs(dim, dtype, unique=False, seed=3)
    ours, theirs = _both(
        base, index, src, lambda x, i, s: x.scatter_reduce(dim, i, s, reduce, include_self=include_self)
    )
    _expect(ours, theirs, _scatter_loop(base, dim, index, src, reduce, include_self))
    in_place, _ = _both(
        base, index, src, lambda x, i, s: x.scatter_reduce_(dim, i, s, reduce, include_self=include_self)
    )
    np.testing.assert_array_equal(in_place.numpy(), ours.numpy())


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_amax_and_amin_propagate_nan_and_infinities(reduce, include_self):
    if reduce == "amax":
        src = [1.0, NAN, -INF, -INF, 2.0, INF]
    else:
        src = [1.0, NAN, -2.0, -INF, INF, INF]
    results = []
    for lib in (torch, ag):
        x = lib.zeros(3, dtype=lib.float64)
        results.append(
            x.scatter_reduce_(0, t(lib, [0, 0, 1, 1, 2, 2]), t(lib, src, "float64"), reduce, include_self=include_self)
        )
    ours, theirs = results
    expected = [NAN, -INF, INF]
    if include_self:
        expected[1 if reduce == "amax" else 2] = 0.0
    np.testing.assert_array_equal(ours.numpy(), np.array(expected))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_through_an_expanded_index_is_through_its_copy(reduce, include_self):
    rng = np.random.default_rng(5)
    base = ag.tensor(rng.standard_normal((8, 3, 2)))
    line = rng.integers(0, 8, (12, 1, 1))
    line[(line > 1) & (line < 4)] = 0  # rows no index names
    index = ag.tensor(line).expand(12, 3, 2)
    src = ag.tensor(rng.standard_normal((12, 3, 2)))
    expanded = base.scatter_reduce(0, index, src, reduce, include_self=include_self)
    copied = base.scatter_reduce(0, index.contiguous(), src, reduce, include_self=include_self)
    np.testing.assert_array_equal(expanded.numpy(), copied.numpy())
    theirs = torch.from_numpy(base.numpy()).scatter_reduce(
        0, torch.from_numpy(line).expand(12, 3, 2), torch.from_numpy(src.numpy()), reduce, include_self=include_self
    )
    np.testing.assert_allclose(expanded.numpy(), theirs.numpy(), rtol=1e-12)


# -- the scatter family's shape rules, errors and small edges -----------------------------------------------------
def _z(*shape, dtype="float64"):
    return lambda lib: lib.zeros(*shape, dtype=getattr(lib, dtype))


def _long(values):
    return lambda lib: t(lib, values)


SCATTER_EDGES = {
    "src_larger_than_the_index": lambda lib: lib.zeros(2, 3).scatter(1, t(lib, [[2], [0]]), lib.ones(3, 4)),
    "index_narrower_than_self_outside_dim": lambda lib: lib.zeros(3, 3).scatter_add(
        0, t(lib, [[1, 2]]), lib.ones(1, 2)
    ),
    "0d_self_index_and_src": lambda lib: t(lib, 1.0).scatter(0, t(lib, 0), t(lib, 5.0)),
    "0d_self_with_a_value": lambda lib: t(lib, 1.0).scatter(0, t(lib, 0), 5.0),
    "0d_scatter_add_repeated": lambda lib: t(lib, 1.0).scatter_add(0, t(lib, [0, 0]), t(lib, [2.0, 3.0])),
    "0d_scatter_reduce": lambda lib: t(lib, 2.0).scatter_reduce(0, t(lib, [0, 0]), t(lib, [3.0, 4.0]), "prod"),
    "empty_self_empty_index": lambda lib: lib.zeros(0, 2).scatter(0, lib.zeros(0, 2, dtype=lib.int64), 1.0),
    "negative_dim": lambda lib: lib.zeros(2, 3).scatter_add(-1, t(lib, [[2, 2], [0, 1]]), lib.ones(2, 2)),
    "transposed_self": lambda lib: lib.zeros(3, 2).t().scatter(1, t(lib, [[2], [0]]), t(lib, [[1.0], [2.0]])),
    "int_value_into_floats": lambda lib: lib.zeros(2, 2).scatter(1, t(lib, [[1], [0]]), 3),
    "float_value_into_ints_truncates": lambda lib: lib.zeros(2, 2, dtype=lib.int64).scatter(1, t(lib, [[1], [0]]), 2.7),
    "bool_value_into_bools": lambda lib: lib.zeros(3, dtype=lib.bool).scatter(0, t(lib, [2]), True),
    "scatter_add_of_bools_is_or": lambda lib: t(lib, [False, True, False]).scatter_add(
        0, t(lib, [0, 0, 1]), t(lib, [True, True, True])
    ),
    "scatter_of_bools": lambda lib: lib.zeros(2, 2, dtype=lib.bool).scatter(
        1, t(lib, [[1], [0]]), t(lib, [[True], [True]])
    ),
    "scatter_add_function": lambda lib: lib.scatter_add(lib.zeros(3), 0, t(lib, [1, 1]), t(lib, [1.0, 2.0])),
    "scatter_reduce_function": lambda lib: lib.scatter_reduce(
        lib.ones(3), 0, t(lib, [1, 1]), t(lib, [2.0, 4.0]), reduce="mean", include_self=False
    ),
    "scatter_function_value": lambda lib: lib.scatter(lib.zeros(3), 0, t(lib, [2]), value=1.5),
    "scatter_out": lambda lib: lib.scatter(lib.zeros(3), 0, t(lib, [2]), t(lib, [1.0]), out=lib.ones(3)),
    "scatter_add_out": lambda lib: lib.scatter_add(
        lib.zeros(3), 0, t(lib, [2, 2]), t(lib, [1.0, 2.0]), out=lib.ones(3)
    ),
    "scatter_reduce_out": lambda lib: lib.scatter_reduce(
        lib.zeros(3), 0, t(lib, [2, 2]), t(lib, [1.0, 2.0]), "amax", out=lib.ones(3)
    ),
    "in_place_returns_self": lambda lib: (lambda x: x.scatter_(0, t(lib, [1]), 2.0) is x)(lib.zeros(3)),
    "scatter_add_in_place_returns_self": lambda lib: (lambda x: x.scatter_add_(0, t(lib, [1]), lib.ones(1)) is x)(
        lib.zeros(3)
    ),
    "scatter_reduce_int_mean_floors": lambda lib: t(lib, [0, 0, 0]).scatter_reduce(
        0, t(lib, [0, 0, 1, 1]), t(lib, [-1, -2, 3, 4]), "mean", include_self=False
    ),
    "scatter_reduce_mean_counts_self": lambda lib: t(lib, [1.0, 1.0]).scatter_reduce(
        0, t(lib, [0, 0]), t(lib, [2.0, 3.0]), "mean"
    ),
    "multiply_of_ints": lambda lib: t(lib, [2, 3]).scatter(0, t(lib, [0, 0]), t(lib, [5, 7]), reduce="multiply"),
    "add_value_of_ints": lambda lib: t(lib, [2, 3]).scatter(0, t(lib, [1, 1]), 4, reduce="add"),
    "refuses_an_index_larger_than_src": lambda lib: lib.zeros(3, 3).scatter(1, t(lib, [[0, 1, 2]]), lib.ones(1, 2)),
    "add_refuses_an_index_larger_than_src": lambda lib: lib.zeros(3, 3).scatter_add(
        0, t(lib, [[0], [1]]), lib.ones(1, 1)
    ),
    "reduce_refuses_an_index_larger_than_src": lambda lib: lib.zeros(3).scatter_reduce(
        0, t(lib, [0, 1]), lib.ones(1), "sum"
    ),
    "refuses_an_index_larger_than_self_outside_dim": lambda lib: lib.zeros(2, 3).scatter(
        1, t(lib, [[0]] * 3), lib.ones(3, 1)
    ),
    "refuses_an_index_of_another_rank": lambda lib: lib.zeros(2, 3).scatter(1, t(lib, [0, 1]), lib.ones(2, 3)),
    "refuses_a_src_of_another_rank": lambda lib: lib.zeros(2, 3).scatter_add(1, t(lib, [[0], [1]]), lib.ones(2, 3, 1)),
    "refuses_a_src_of_another_dtype": lambda lib: lib.zeros(3).scatter(0, t(lib, [1]), t(lib, [1.0], "float32")),
    "add_refuses_a_src_of_another_dtype": lambda lib: lib.zeros(3).scatter_add(0, t(lib, [1]), t(lib, [1])),
    "reduce_refuses_a_src_of_another_dtype": lambda lib: lib.zeros(3).scatter_reduce(
        0, t(lib, [1]), t(lib, [1]), "sum"
    ),
    "refuses_an_index_past_the_end": lambda lib: lib.zeros(3).scatter(0, t(lib, [3]), 1.0),
    "add_refuses_an_index_past_the_end": lambda lib: lib.zeros(3).scatter_add(0, t(lib, [5]), lib.ones(1)),
    "reduce_refuses_an_index_past_the_end": lambda lib: lib.zeros(3).scatter_reduce(
        0, t(lib, [3]), lib.ones(1), "amax"
    ),
    "refuses_a_negative_index": lambda lib: lib.zeros(3).scatter(0, t(lib, [-1]), 1.0),
    "add_refuses_a_negative_index": lambda lib: lib.zeros(3).scatter_add(0, t(lib, [-1]), lib.ones(1)),
    "reduce_refuses_a_negative_index": lambda lib: lib.zeros(3).scatter_reduce(0, t(lib, [-1]), lib.ones(1), "sum"),
    "refuses_an_int32_index": lambda lib: lib.zeros(3).scatter(0, t(lib, [1], "int32"), 1.0),
    "add_refuses_an_int32_index": lambda lib: lib.zeros(3).scatter_add(0, t(lib, [1], "int32"), lib.ones(1)),
    "refuses_a_float_index": lambda lib: lib.zeros(3).scatter(0, t(lib, [1.0]), 1.0),
    "refuses_a_dim_out_of_range": lambda lib: lib.zeros(3).scatter(1, t(lib, [1]), 1.0),
    "reduce_refuses_an_unknown_reduction": lambda lib: lib.zeros(3).scatter_reduce(0, t(lib, [1]), lib.ones(1), "max"),
    "reduce_refuses_the_old_name_add": lambda lib: lib.zeros(3).scatter_reduce(0, t(lib, [1]), lib.ones(1), "add"),
    "scatter_refuses_the_new_name_sum": lambda lib: lib.zeros(3).scatter(0, t(lib, [1]), lib.ones(1), reduce="sum"),
    "scatter_refuses_an_unknown_reduce": lambda lib: lib.zeros(3).scatter_(0, t(lib, [1]), 1.0, reduce="mean"),
    "scatter_refuses_neither_src_nor_value": lambda lib: lib.zeros(3).scatter(0, t(lib, [1])),
    "value_0d_tensor_keyword": lambda lib: lib.zeros(3).scatter(0, t(lib, [1]), value=t(lib, 4.0)),
    "value_refuses_a_1d_tensor": lambda lib: lib.zeros(3).scatter(0, t(lib, [1]), value=t(lib, [1.0])),
    "value_refuses_a_list": lambda lib: lib.zeros(3).scatter(0, t(lib, [1, 2]), value=[1.0, 2.0]),
    "in_place_value_refuses_a_1d_tensor": lambda lib: lib.zeros(3).scatter_(0, t(lib, [1]), value=t(lib, [1.0])),
    "in_place_value_with_reduce_refuses_a_1d_tensor": lambda lib: lib.zeros(3).scatter_(
        0, t(lib, [1]), value=t(lib, [1.0]), reduce="add"
    ),
    "in_place_refuses_an_expanded_self": lambda lib: lib.zeros(3).expand(2, 3).scatter_(1, t(lib, [[0], [1]]), 1.0),
}


@cases(SCATTER_EDGES)
def test_scatter_family_edges_and_errors_as_torch(case):
    check_like_torch(case)


# -- index_select, index_reduce, index_add, take_along_dim and the rest at 0-d and empty tensors -------------------
INDEX_OPS = {
    "select_repeated_and_reordered_rows": lambda lib: lib.arange(6.0).reshape(3, 2).index_select(0, t(lib, [2, 0, 2])),
    "select_negative_dim": lambda lib: lib.arange(6.0).reshape(2, 3).index_select(-1, t(lib, [1])),
    "select_int32_index": lambda lib: lib.arange(6.0).reshape(2, 3).index_select(1, t(lib, [2, 0], "int32")),
    "select_0d_index": lambda lib: lib.arange(6.0).reshape(2, 3).index_select(1, t(lib, 2)),
    "select_from_0d": lambda lib: t(lib, 4.0).index_select(0, t(lib, [0, 0])),
    "select_from_0d_with_0d_index": lambda lib: t(lib, 4.0).index_select(0, t(lib, 0)),
    "select_nothing": lambda lib: lib.arange(6.0).reshape(2, 3).index_select(1, lib.zeros(0, dtype=lib.int64)),
    "select_nothing_from_empty": lambda lib: lib.zeros(0, 3).index_select(0, lib.zeros(0, dtype=lib.int64)),
    "select_bools": lambda lib: t(lib, [True, False]).index_select(0, t(lib, [1, 1, 0])),
    "select_transposed": lambda lib: lib.arange(6.0).reshape(2, 3).t().index_select(1, t(lib, [1])),
    "select_function_out": lambda lib: lib.index_select(t(lib, [1.0, 2.0]), 0, t(lib, [1]), out=lib.zeros(1)),
    "select_refuses_a_negative_index": lambda lib: t(lib, [1.0, 2.0]).index_select(0, t(lib, [-1])),
    "select_refuses_an_index_past_the_end": lambda lib: t(lib, [1.0, 2.0]).index_select(0, t(lib, [2])),
    "select_refuses_an_index_into_empty": lambda lib: lib.zeros(0).index_select(0, t(lib, [0])),
    "select_refuses_a_float_index": lambda lib: t(lib, [1.0, 2.0]).index_select(0, t(lib, [1.0])),
    "select_refuses_a_2d_index": lambda lib: t(lib, [1.0, 2.0]).index_select(0, t(lib, [[1]])),
    "select_refuses_a_dim_out_of_range": lambda lib: t(lib, [1.0, 2.0]).index_select(1, t(lib, [1])),
    "reduce_0d": lambda lib: t(lib, 2.0).index_reduce(0, t(lib, [0, 0]), t(lib, [3.0, 4.0]), "prod"),
    "reduce_nothing": lambda lib: lib.ones(3).index_reduce(0, lib.zeros(0, dtype=lib.int64), lib.zeros(0), "amax"),
    "reduce_negative_dim": lambda lib: lib.ones(2, 3).index_reduce(
        -1, t(lib, [2, 2]), t(lib, [[2.0, 3.0]] * 2), "prod"
    ),
    "reduce_int_amin": lambda lib: t(lib, [5, 5, 5]).index_reduce(0, t(lib, [1, 1]), t(lib, [7, -2]), "amin"),
    "reduce_uint8_prod_wraps": lambda lib: t(lib, [1, 1], "uint8").index_reduce(
        0, t(lib, [0, 0]), t(lib, [16, 32], "uint8"), "prod"
    ),
    "reduce_in_place_returns_self": lambda lib: (lambda x: x.index_reduce_(0, t(lib, [1]), t(lib, [2.0]), "mean") is x)(
        lib.ones(3)
    ),
    "reduce_refuses_an_index_past_the_end": lambda lib: lib.ones(3).index_reduce(0, t(lib, [3]), t(lib, [2.0]), "prod"),
    "reduce_refuses_a_source_of_another_dtype": lambda lib: lib.ones(3).index_reduce(
        0, t(lib, [1]), t(lib, [2]), "prod"
    ),
    "reduce_refuses_a_source_of_another_length": lambda lib: lib.ones(3).index_reduce(
        0, t(lib, [1, 2]), t(lib, [2.0]), "prod"
    ),
    "reduce_refuses_an_unknown_reduction": lambda lib: lib.ones(3).index_reduce(0, t(lib, [1]), t(lib, [2.0]), "max"),
    "add_int_alpha": lambda lib: t(lib, [1, 2, 3]).index_add(0, t(lib, [0, 0]), t(lib, [1, 2]), alpha=3),
    "add_float_alpha_duplicates": lambda lib: lib.zeros(2, 2).index_add(
        1, t(lib, [1, 1, 1]), t(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), alpha=-0.5
    ),
    "add_refuses_a_float_alpha_into_ints": lambda lib: t(lib, [1, 2]).index_add(0, t(lib, [0]), t(lib, [1]), alpha=0.5),
    "add_of_bools_is_or": lambda lib: t(lib, [False, True]).index_add(0, t(lib, [0, 0]), t(lib, [True, True])),
    "add_function_out": lambda lib: lib.index_add(lib.zeros(2), 0, t(lib, [1]), t(lib, [2.0]), out=lib.ones(2)),
    "copy_0d_index_and_source": lambda lib: t(lib, 1.0).index_copy(0, t(lib, 0), t(lib, 5.0)),
    "fill_0d_index": lambda lib: t(lib, [1.0, 2.0]).index_fill(0, t(lib, 1), -1.0),
    "fill_0d_with_0d_index": lambda lib: t(lib, 1.0).index_fill(0, t(lib, 0), -1.0),
    "take_along_dim_0d": lambda lib: t(lib, 3.0).take_along_dim(t(lib, 0)),
    "take_along_dim_empty_index": lambda lib: lib.ones(2, 3).take_along_dim(lib.zeros(2, 0, dtype=lib.int64), 1),
    "take_along_dim_of_empty": lambda lib: lib.ones(0, 3).take_along_dim(lib.zeros(0, 3, dtype=lib.int64), 0),
    "take_along_dim_broadcasts_self": lambda lib: lib.arange(3.0).reshape(1, 3).take_along_dim(t(lib, [[0], [2]]), 1),
    "take_along_dim_negative_dim": lambda lib: lib.arange(6.0).reshape(2, 3).take_along_dim(t(lib, [[2], [1]]), -1),
    "take_along_dim_function": lambda lib: lib.take_along_dim(lib.arange(6.0).reshape(2, 3), t(lib, [[0, 0]]), dim=0),
    "take_along_dim_refuses_a_rank_mismatch": lambda lib: lib.ones(2, 3).take_along_dim(t(lib, [0, 1]), 1),
    "take_along_dim_refuses_shapes_that_do_not_broadcast": lambda lib: lib.ones(2, 3).take_along_dim(
        t(lib, [[0]] * 3), 1
    ),
    "take_along_dim_refuses_a_dim_out_of_range": lambda lib: lib.ones(2, 3).take_along_dim(t(lib, [[0]]), 2),
    "take_0d_index_of_2d": lambda lib: lib.arange(6.0).reshape(2, 3).take(t(lib, 4)),
    "put_into_0d": lambda lib: t(lib, 1.0).put(t(lib, [0, 0]), t(lib, [2.0, 3.0]), accumulate=True),
    "put_0d_index_and_source": lambda lib: t(lib, [1.0, 2.0]).put(t(lib, -1), t(lib, 9.0)),
    "put_refuses_a_0d_source_for_two_indices": lambda lib: t(lib, [1.0, 2.0]).put(t(lib, [0, 1]), t(lib, 9.0)),
    "masked_select_0d_mask_of_2d": lambda lib: lib.arange(4.0).reshape(2, 2).masked_select(t(lib, True)),
    "masked_select_empty_mask_broadcast": lambda lib: lib.ones(2, 0).masked_select(t(lib, [True])),
    "masked_scatter_0d_mask_of_2d": lambda lib: lib.zeros(2, 2).masked_scatter(t(lib, True), lib.arange(5.0)),
    "masked_scatter_empty_source_no_true": lambda lib: lib.zeros(3).masked_scatter(
        lib.zeros(3, dtype=lib.bool), lib.zeros(0)
    ),
    "masked_fill_0d_mask_of_2d": lambda lib: lib.ones(2, 2).masked_fill(t(lib, False), 5.0),
    "masked_fill_empty_broadcast": lambda lib: lib.ones(0, 2).masked_fill(t(lib, [True, False]), 5.0),
}


@cases(INDEX_OPS)
def test_index_ops_at_the_edges_as_torch(case):
    check_like_torch(case)


@pytest.mark.parametrize("include_self", [True, False], ids=["with_self", "without_self"])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int16"])
@pytest.mark.parametrize("dim", [0, 1])
def test_index_reduce_over_repeated_indices_is_the_loops_and_torchs(dim, dtype, reduce, include_self):
    rng = np.random.default_rng(7 + dim)
    base = _values(rng, (4, 5), dtype)
    index = rng.integers(0, base.shape[dim], 7)
    shape = [4, 5]
    shape[dim] = 7
    source = _values(rng, tuple(shape), dtype)
    lines = np.expand_dims(index, 1 - dim).repeat(base.shape[1 - dim], axis=1 - dim)  # the index of the loop
    expected = _scatter_loop(base, dim, lines, source, reduce, include_self)
    ours, theirs = _both(
        base, index, source, lambda x, i, s: x.index_reduce(dim, i, s, reduce, include_self=include_self)
    )
    _expect(ours, theirs, expected)


# -- gradients, against torch and against central differences in float64 -----------------------------------------
I23 = [[2, 0, 2], [1, 1, 0]]  # a (2, 3) index into 3 entries along either dim, repeats in both rows
MASK = [[True, False, True], [False, True, True]]


def _gradient_cases():
    """name -> (forward(lib, *leaves), the leaves' shapes): each forward differentiable in every leaf. A scatter's src
    has the index's shape: torch's backward fails for a larger one (tests/test_indexing_fuzz_torch.py)."""
    table = {
        "gather_repeated": (lambda lib, x: x.gather(1, t(lib, I23)), [(2, 3)]),
        "gather_dim0_narrow_index": (lambda lib, x: x.gather(0, t(lib, [[2, 0]])), [(3, 4)]),
        "scatter_src_and_self": (lambda lib, x, s: x.scatter(1, t(lib, [[2, 0], [1, 2]]), s), [(2, 3), (2, 2)]),
        "scatter_value": (lambda lib, x: x.scatter(0, t(lib, [[1, 0, 1]]), 2.5), [(2, 3)]),
        "scatter_add_repeated": (lambda lib, x, s: x.scatter_add(1, t(lib, I23), s), [(2, 3), (2, 3)]),
        "scatter_old_reduce_multiply": (
            lambda lib, x, s: x.scatter(1, t(lib, I23), s, reduce="multiply"),
            [(2, 3), (2, 3)],
        ),
        "index_select_repeated": (lambda lib, x: x.index_select(1, t(lib, [2, 2, 0])), [(2, 3)]),
        "index_add_alpha_repeated": (
            lambda lib, x, s: x.index_add(0, t(lib, [1, 1, 0]), s, alpha=-1.5),
            [(2, 3), (3, 3)],
        ),
        "index_copy": (lambda lib, x, s: x.index_copy(1, t(lib, [2, 0]), s), [(2, 3), (2, 2)]),
        "index_fill_0d_tensor_value": (lambda lib, x, v: x.index_fill(1, t(lib, [0, 2]), v), [(2, 3), ()]),
        "index_put_accumulate_repeated": (
            lambda lib, x, v: x.index_put((t(lib, [0, 0, 1]), t(lib, [2, 2, -1])), v, accumulate=True),
            [(2, 3), (3,)],
        ),
        "index_put_broadcast_value": (lambda lib, x, v: x.index_put((t(lib, [1, 0]),), v), [(2, 3), (3,)]),
        "masked_fill_0d_tensor_value": (lambda lib, x, v: x.masked_fill(t(lib, MASK), v), [(2, 3), ()]),
        "masked_scatter": (lambda lib, x, s: x.masked_scatter(t(lib, MASK), s), [(2, 3), (5,)]),
        "masked_select_broadcast_mask": (lambda lib, x: x.masked_select(t(lib, [True, False, True])), [(2, 3)]),
        "take_repeated_negative": (lambda lib, x: x.take(t(lib, [[0, -1], [5, 0]])), [(2, 3)]),
        "put_accumulate_repeated": (
            lambda lib, x, s: x.put(t(lib, [1, 1, -1]), s, accumulate=True),
            [(2, 3), (3,)],
        ),
        "take_along_dim_broadcast": (lambda lib, x: x.take_along_dim(t(lib, [[2], [0]]), 1), [(2, 3)]),
        "take_along_dim_flat": (lambda lib, x: x.take_along_dim(t(lib, [4, 4, 0])), [(2, 3)]),
        "gather_of_0d": (lambda lib, x: x.gather(0, t(lib, [0, 0])), [()]),
        "index_select_of_0d": (lambda lib, x: x.index_select(0, t(lib, 0)), [()]),
        "scatter_add_into_0d": (lambda lib, x, s: x.scatter_add(0, t(lib, [0, 0]), s), [(), (2,)]),
    }
    for reduce, include_self in itertools.product(REDUCTIONS, [True, False]):
        table[f"scatter_reduce_{reduce}_{include_self}"] = (
            lambda lib, x, s, r=reduce, i=include_self: x.scatter_reduce(1, t(lib, I23), s, r, include_self=i),
            [(2, 3), (2, 3)],
        )
        if reduce != "sum":
            table[f"index_reduce_{reduce}_{include_self}"] = (
                lambda lib, x, s, r=reduce, i=include_self: x.index_reduce(0, t(lib, [2, 0, 2]), s, r, include_self=i),
                [(3, 2), (3, 2)],
            )
    return table


GRADIENT_CASES = _gradient_cases()
NO_TORCH_DERIVATIVE = {"scatter_old_reduce_multiply"}  # torch: "derivative for aten::scatter is not implemented"


def _leaves(lib, shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)) for shape in shapes]


def _weights(shape):
    return np.random.default_rng(99).standard_normal(shape)


@pytest.mark.parametrize("name", [name for name in GRADIENT_CASES if name not in NO_TORCH_DERIVATIVE])
def test_index_op_gradients_are_torchs(name):
    forward, shapes = GRADIENT_CASES[name]
    grads = []
    for lib in (torch, ag):
        leaves = [leaf.requires_grad_() for leaf in _leaves(lib, shapes)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch's deprecation of scatter's reduce=
            out = forward(lib, *leaves)
        (out * lib.tensor(_weights(tuple(out.shape)))).sum().backward()
        grads.append([np.asarray(leaf.grad) for leaf in leaves])
    for position, (theirs, ours) in enumerate(zip(*grads)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=f"gradient of leaf {position}")


@pytest.mark.parametrize("name", list(GRADIENT_CASES))
def test_index_op_gradients_are_central_differences(name):
    forward, shapes = GRADIENT_CASES[name]
    arrays = [np.asarray(leaf.numpy()) for leaf in _leaves(ag, shapes)]
    leaves = [ag.tensor(a.copy(), requires_grad=True) for a in arrays]
    out = forward(ag, *leaves)
    weights = _weights(out.shape)
    (out * ag.tensor(weights)).sum().backward()

    def loss(values):
        return float((forward(ag, *(ag.tensor(v) for v in values)).numpy() * weights).sum())

    step = 1e-6
    for position, array in enumerate(arrays):
        numeric = np.zeros(array.shape)
        for entry in np.ndindex(*array.shape):
            up, down = [a.copy() for a in arrays], [a.copy() for a in arrays]
            up[position][entry] += step
            down[position][entry] -= step
            numeric[entry] = (loss(up) - loss(down)) / (2 * step)
        np.testing.assert_allclose(leaves[position].grad, numeric, rtol=1e-6, atol=1e-7, err_msg=f"leaf {position}")


@pytest.mark.parametrize("op", ["gather", "index_select", "take_along_dim", "take", "masked_select"])
def test_gradients_through_an_empty_index_are_zeros_as_torchs(op):
    calls = {
        "gather": lambda lib, x: x.gather(-1, lib.zeros(3, 0, dtype=lib.int64)),
        "index_select": lambda lib, x: x.index_select(0, lib.zeros(0, dtype=lib.int64)),
        "take_along_dim": lambda lib, x: x.take_along_dim(lib.zeros(4, 0, dtype=lib.int64), 1),
        "take": lambda lib, x: x.take(lib.zeros(0, 2, dtype=lib.int64)),
        "masked_select": lambda lib, x: x.masked_select(lib.zeros(4, 5, dtype=lib.bool)),
    }
    grads = []
    for lib in (torch, ag):
        x = lib.tensor(np.random.default_rng(2).random((4, 5)), requires_grad=True)
        out = calls[op](lib, x)
        assert out.numel() == 0
        out.sum().backward()
        grads.append(np.asarray(x.grad))
    np.testing.assert_array_equal(grads[1], np.zeros((4, 5)))
    np.testing.assert_array_equal(grads[1], grads[0])


def _tied_extremes(lib, reduce, include_self):
    """x = [1, 3, -2] reduced with src [3, 3, -2, 5, -2] at [1, 1, 2, 0, 2]: two src entries tie at entries 1 and
    2, and x's own entry equals the result there; the gradients of sum([1, 2, 3] * out)."""
    x = t(lib, [1.0, 3.0, -2.0], "float64").requires_grad_()
    src = t(lib, [3.0, 3.0, -2.0, 5.0, -2.0], "float64").requires_grad_()
    out = x.scatter_reduce(0, t(lib, [1, 1, 2, 0, 2]), src, reduce, include_self=include_self)
    (out * t(lib, [1.0, 2.0, 3.0], "float64")).sum().backward()
    return np.asarray(x.grad), np.asarray(src.grad)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_shares_the_gradient_of_tied_extremes_evenly_as_torch(reduce):
    (their_x, their_src), (our_x, our_src) = (_tied_extremes(lib, reduce, True) for lib in (torch, ag))
    np.testing.assert_allclose(our_x, their_x, rtol=1e-12)
    np.testing.assert_allclose(our_src, their_src, rtol=1e-12)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_without_self_shares_the_gradient_among_the_tied_src_entries_alone(reduce):
    """Without self, x's entries take no part: each result's gradient is split between its two tied src entries
    (torch also counts x's entry where it equals the result, then drops its share: 2/3 of the gradient arrives)."""
    x_grad, src_grad = _tied_extremes(ag, reduce, False)
    np.testing.assert_array_equal(x_grad, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(src_grad, [2.0 / 2, 2.0 / 2, 3.0 / 2, 1.0, 3.0 / 2])


# -- 0-d operands: torch reads each as one entry along an axis ------------------------------------------------------
ONE_ENTRY_SHAPES = [(), (1,), (2,)]
ONE_ENTRY_OPS = {
    "scatter": lambda x, i, s: x.scatter(0, i, s),
    "scatter_add": lambda x, i, s: x.scatter_add(-1, i, s),
    "scatter_reduce_sum": lambda x, i, s: x.scatter_reduce(0, i, s, "sum"),
    "scatter_reduce_amax_without_self": lambda x, i, s: x.scatter_reduce(-1, i, s, "amax", include_self=False),
}


@pytest.mark.parametrize("src_shape", ONE_ENTRY_SHAPES, ids=str)
@pytest.mark.parametrize("index_shape", ONE_ENTRY_SHAPES, ids=str)
@pytest.mark.parametrize("self_shape", ONE_ENTRY_SHAPES, ids=str)
@pytest.mark.parametrize("op", list(ONE_ENTRY_OPS))
def test_a_0d_index_or_src_of_a_scatter_is_one_entry_as_torchs(op, self_shape, index_shape, src_shape):
    """``x.scatter_add(0, tensor([1]), tensor(5.))`` into a 1-D x adds 5 at 1 (a 0-d src serves an index of one
    entry, a 0-d index selects one entry); an index of two entries still refuses a src of one. The gradient of src
    is torch's where the two have one shape (torch's backward fails for others): else, the index having one entry,
    1 at src's first entry alone."""

    def case(lib):
        x = lib.full(self_shape, 3.0, dtype=lib.float64)
        src = lib.full(src_shape, 2.0, dtype=lib.float64, requires_grad=True)
        out = ONE_ENTRY_OPS[op](x, lib.zeros(index_shape, dtype=lib.int64), src)
        if src_shape != index_shape:
            return out.detach()
        out.sum().backward()
        return out.detach(), src.grad

    result = check_like_torch(case)
    if result is not None and src_shape != index_shape:
        src = ag.full(src_shape, 2.0, dtype=ag.float64, requires_grad=True)
        ONE_ENTRY_OPS[op](
            ag.full(self_shape, 3.0, dtype=ag.float64), ag.zeros(index_shape, dtype=ag.int64), src
        ).sum().backward()
        np.testing.assert_array_equal(np.reshape(src.grad, -1), np.eye(1, max(src.numel(), 1))[0])


# -- index_add, index_copy and index_reduce into 0-d and 1-element tensors ----------------------------------------
INDEX_WRITES = {
    "index_add": lambda x, d, i, s: x.index_add(d, i, s, alpha=2),
    "index_copy": lambda x, d, i, s: x.index_copy(d, i, s),
    "index_reduce": lambda x, d, i, s: x.index_reduce(d, i, s, "amax", include_self=False),
}
SMALL_SHAPES = [(), (1,), (2,), (1, 1)]


def _index_write_grid():
    for op, self_shape, index_shape, source_shape, dim in itertools.product(
        INDEX_WRITES, SMALL_SHAPES, SMALL_SHAPES, SMALL_SHAPES, [0, -1, 1]
    ):
        if op == "index_add" and self_shape == () and source_shape == (1,) and dim != 1:
            continue  # the library's index_add takes a source of one entry there (tests/test_torch_py_port.py)
        yield op, self_shape, index_shape, source_shape, dim


@pytest.mark.parametrize(("op", "self_shape", "index_shape", "source_shape", "dim"), list(_index_write_grid()), ids=str)
def test_index_writes_into_small_tensors_give_torchs_values_and_errors(op, self_shape, index_shape, source_shape, dim):
    """torch checks the dim, then the index, then the source: a dim out of range is an IndexError before a source of
    the wrong shape is looked at, and a 0-d source for several indices is an IndexError; a 0-d tensor copied into at
    two indices keeps the last entry."""
    check_like_torch(
        lambda lib: INDEX_WRITES[op](
            lib.full(self_shape, 3.0, dtype=lib.float64),
            dim,
            lib.zeros(index_shape, dtype=lib.int64),
            lib.full(source_shape, 2.0, dtype=lib.float64),
        )
    )


# -- gather and take_along_dim: the ranks agree before the dim is looked at -----------------------------------------
READS = {
    "gather": lambda lib, x, d, i: x.gather(d, i),
    "gather_function": lambda lib, x, d, i: lib.gather(x, d, i),
    "take_along_dim": lambda lib, x, d, i: x.take_along_dim(i, d),
    "take_along_dim_function": lambda lib, x, d, i: lib.take_along_dim(x, i, dim=d),
}


@pytest.mark.parametrize("dim", [0, -1, 1])
@pytest.mark.parametrize("index_shape", SMALL_SHAPES, ids=str)
@pytest.mark.parametrize("self_shape", SMALL_SHAPES, ids=str)
@pytest.mark.parametrize("op", list(READS))
def test_reads_along_a_dim_of_small_tensors_give_torchs_values_and_errors(op, self_shape, index_shape, dim):
    """An index of another rank than the input is torch's RuntimeError, whatever the dim (a 0-d input with a 2-D
    index too, where the library named dim 0 out of the range [-1, 0])."""
    check_like_torch(
        lambda lib: READS[op](
            lib, lib.full(self_shape, 3.0, dtype=lib.float64), dim, lib.zeros(index_shape, dtype=lib.int64)
        )
    )


# -- the old reduce= with a number: the number cast as torch casts a fill value -------------------------------------
@pytest.mark.parametrize("value", [2, 2.5, True, -1, 300, NAN, INF, 1e40], ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "int8", "uint8"])
@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("form", ["scatter", "scatter_"])
def test_scatter_reduce_of_a_number_casts_it_as_torch(form, reduce, dtype, value):
    """-1 into uint8 wraps to 255 and 2.5 into an integer tensor is 2; 300 into int8, NaN or infinity into an integer
    tensor and 1e40 into float32 are torch's RuntimeError (numpy's cast warned or raised an OverflowError)."""
    check_like_torch(
        lambda lib: getattr(lib.ones(3, dtype=getattr(lib, dtype)), form)(0, t(lib, [1, 1]), value, reduce=reduce)
    )


# -- an empty index of any dtype ------------------------------------------------------------------------------------
EMPTY_INDEX_OPS = {
    "gather": lambda lib, i: lib.ones(3, 2).gather(0, i),
    "scatter": lambda lib, i: lib.zeros(3, 2).scatter(0, i, lib.ones(2, 2)),
    "scatter_value": lambda lib, i: lib.zeros(3, 2).scatter_(0, i, 1.0),
    "scatter_add": lambda lib, i: lib.zeros(3, 2).scatter_add(0, i, lib.ones(2, 2)),
    "scatter_reduce": lambda lib, i: lib.zeros(3, 2).scatter_reduce(0, i, lib.ones(2, 2), "amax"),
    "scatter_add_function": lambda lib, i: lib.scatter_add(lib.zeros(3, 2), 0, i, lib.ones(2, 2)),
}


@pytest.mark.parametrize("shape", [(0, 2), (1, 0)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "int16", "int32", "uint8", "bool"])
@pytest.mark.parametrize("op", list(EMPTY_INDEX_OPS))
def test_an_empty_index_of_any_dtype_selects_or_writes_nothing_as_torch(op, dtype, shape):
    """torch's gather and scatters check no dtype of an index without entries (one with entries must be int64):
    the library refused an empty int8, int16, bool or float index."""
    check_like_torch(lambda lib: EMPTY_INDEX_OPS[op](lib, lib.zeros(shape, dtype=getattr(lib, dtype))))
