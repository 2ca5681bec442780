"""Hypothesis strategies for the inputs of the op table's array rows (contractions, indexing, sorting, shape).

Each strategy draws ``(arrays, params)``: the float64 input arrays of one call and its keyword
parameters; tests/op_table.py turns them into ``Case``s. Shapes include empty axes and 0-d
arrays wherever numpy accepts them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.testing import arrays, broadcastable_shapes, shapes

SIDE = st.integers(0, 3)

# einsum: subscripts covering products, a repeated label (diagonal), implicit outputs, sums, broadcasting
EINSUM_SUBSCRIPTS = [
    "ij,jk->ik",
    "ij,jk",
    "ii->i",
    "ii",
    "ji",
    "i,j->ij",
    "ij->",
    "bij,bj->bi",
    "ij,ij->j",
    "iij->ij",
    "...ij,...jk->...ik",
    "...i,...i->...",
    "i,i,i",
]


@st.composite
def einsum_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    subscripts = draw(st.sampled_from(EINSUM_SUBSCRIPTS))
    terms = subscripts.partition("->")[0].split(",")
    lengths = {letter: draw(SIDE) for letter in sorted(set(subscripts) - set(".,->"))}
    with_ellipsis = [term for term in terms if "..." in term]
    lead = iter(draw(broadcastable_shapes(len(with_ellipsis), max_dims=2, max_side=3)) if with_ellipsis else ())
    operands = []
    for term in terms:
        letters = term.replace("...", "")
        shape = tuple(
            1 if letters.count(letter) == 1 and lengths[letter] > 1 and draw(st.booleans()) else lengths[letter]
            for letter in letters
        )
        shape = (next(lead) if "..." in term else ()) + shape
        operands.append(draw(arrays(shape)))
    return tuple(operands), {"subscripts": subscripts}


@st.composite
def tensordot_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a_shape = draw(shapes(max_dims=3, min_side=0, max_side=3))
    count = draw(st.integers(0, min(len(a_shape), 2)))
    b_shape = a_shape[len(a_shape) - count :] + draw(shapes(max_dims=1, min_side=0, max_side=3))
    a, b = draw(arrays(a_shape)), draw(arrays(b_shape))
    if draw(st.booleans()):
        return (a, b), {"axes": count}
    axes_a = [axis - len(a_shape) for axis in range(len(a_shape) - count, len(a_shape))]  # negative axes
    return (a, b), {"axes": (axes_a, list(range(count)))}


@st.composite
def dot_inputs(draw: st.DrawFn, inner: bool = False) -> tuple[tuple[np.ndarray, ...], dict]:
    a_shape = draw(shapes(max_dims=3, min_side=0, max_side=3))
    b_shape = list(draw(shapes(max_dims=3, min_side=0, max_side=3)))
    if a_shape and b_shape:
        b_shape[-1 if inner else max(len(b_shape) - 2, 0)] = a_shape[-1]
    return (draw(arrays(a_shape)), draw(arrays(tuple(b_shape)))), {}


@st.composite
def two_arrays(draw: st.DrawFn, max_dims: int = 2) -> tuple[tuple[np.ndarray, ...], dict]:
    small = shapes(max_dims=max_dims, min_side=0, max_side=3)
    return (draw(arrays(small)), draw(arrays(small))), {}


@st.composite
def diagonal_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a = draw(arrays(shapes(min_dims=2, max_dims=3, min_side=0, max_side=4)))
    axis1, axis2 = draw(st.lists(st.integers(0, a.ndim - 1), min_size=2, max_size=2, unique=True))
    if draw(st.booleans()):
        axis1 -= a.ndim  # negative axes
    return (a,), {"offset": draw(st.integers(-2, 2)), "axis1": axis1, "axis2": axis2}


@st.composite
def diag_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    v = draw(arrays(shapes(min_dims=1, max_dims=2, min_side=0, max_side=4)))
    return (v,), {"k": draw(st.integers(-2, 2))}


# -- indexing --------------------------------------------------------------------------------------------
def _positions(draw: st.DrawFn, shape: tuple[int, ...], length: int, negative: bool = True) -> np.ndarray:
    """Integer indices of ``shape`` into an axis of ``length`` (negative ones too when allowed); none fit an
    empty axis, so then ``shape`` must be empty."""
    low = -length if negative else 0
    return np.array(
        draw(
            st.lists(st.integers(low, max(length - 1, 0)), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
        ),
        dtype=np.int64,
    ).reshape(shape)


@st.composite
def take_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a = draw(arrays(shapes(max_dims=3, min_side=0, max_side=3)))
    axis = draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1))) if a.ndim else None
    length = a.size if axis is None else a.shape[axis]
    indices = _positions(draw, draw(shapes(max_dims=2, max_side=3)) if length else (0,), length)
    return (a,), {"indices": indices, "axis": axis}


@st.composite
def along_axis_inputs(
    draw: st.DrawFn, negative: bool = True, smaller: bool = False
) -> tuple[np.ndarray, np.ndarray, int]:
    """An array, indices with the array's number of dimensions (other axes of length 1 or the array's, or
    shorter when ``smaller``: torch.gather) and an axis."""
    a = draw(arrays(shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)))
    axis = draw(st.integers(0, a.ndim - 1))
    index_shape = tuple(
        draw(st.integers(0, 3)) if d == axis else draw(st.integers(0, n)) if smaller else draw(st.sampled_from([1, n]))
        for d, n in enumerate(a.shape)
    )
    if a.shape[axis] == 0:
        index_shape = tuple(0 if d == axis else n for d, n in enumerate(index_shape))
    return a, _positions(draw, index_shape, a.shape[axis], negative), axis


@st.composite
def take_along_axis_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a, indices, axis = draw(along_axis_inputs())
    if draw(st.booleans()):
        return (a,), {"indices": indices, "axis": axis - a.ndim}
    return (a,), {"indices": _positions(draw, (draw(st.integers(0, 4)) if a.size else 0,), a.size), "axis": None}


@st.composite
def gather_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a, indices, axis = draw(along_axis_inputs(negative=False, smaller=True))
    return (a,), {"dim": axis, "index": indices}


@st.composite
def put_along_axis_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a, indices, axis = draw(along_axis_inputs())
    target = np.broadcast_shapes(indices.shape, tuple(1 if d == axis else n for d, n in enumerate(a.shape)))
    values_shape = tuple(draw(st.sampled_from([1, n])) for n in target)
    return (a, draw(arrays(values_shape))), {"indices": indices, "axis": axis}


@st.composite
def scatter_inputs(
    draw: st.DrawFn, src_larger: bool = True, distinct: bool = False
) -> tuple[tuple[np.ndarray, ...], dict]:
    """torch.scatter's input, src (as large as the index, or larger when ``src_larger``), dim and index (no
    larger than the input off ``dim``; repeated positions included, unless ``distinct``: then no two entries write
    to one position, where torch's gradient of an overwritten src entry is not the derivative)."""
    a, index, dim = draw(along_axis_inputs(negative=False, smaller=True))
    if distinct:  # each lane along dim: the first positions of a permutation of the axis
        count = min(index.shape[dim], a.shape[dim])
        lanes = np.moveaxis(index, dim, -1)[..., :count]
        picks = [draw(st.permutations(range(a.shape[dim])))[:count] for _ in range(lanes[..., 0:1].size)]
        index = np.moveaxis(np.array(picks, dtype=np.int64).reshape(lanes.shape), -1, dim)
    src_shape = tuple(i + (draw(st.integers(0, 1)) if src_larger else 0) for i in index.shape)
    return (a, draw(arrays(src_shape))), {"dim": dim, "index": index}


@st.composite
def masked_fill_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    x = draw(arrays(shapes(max_dims=3, min_side=0, max_side=3)))
    mask_shape = tuple(draw(st.sampled_from([1, n])) for n in x.shape[draw(st.integers(0, x.ndim)) :])
    mask = np.array(
        draw(st.lists(st.booleans(), min_size=int(np.prod(mask_shape)), max_size=int(np.prod(mask_shape)))), dtype=bool
    ).reshape(mask_shape)
    return (x, draw(arrays(()))), {"mask": mask}


# -- cumulative and sorting ---------------------------------------------------------------------------------
def _axis_or_none(draw: st.DrawFn, ndim: int) -> int | None:
    return draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1))) if ndim else None


@st.composite
def cumulative_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a = draw(arrays(shapes(max_dims=3, min_side=0, max_side=4)))
    return (a,), {"axis": _axis_or_none(draw, a.ndim)}


@st.composite
def diff_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a = draw(arrays(shapes(min_dims=1, max_dims=3, min_side=0, max_side=4)))
    axis = draw(st.integers(-a.ndim, a.ndim - 1))
    edge_shape = a.shape[: axis % a.ndim] + (draw(st.integers(1, 2)),) + a.shape[axis % a.ndim + 1 :]
    edges = st.one_of(st.none(), st.floats(-3, 3), arrays(edge_shape))
    return (a,), {"n": draw(st.integers(0, 2)), "axis": axis, "prepend": draw(edges), "append": draw(edges)}


def distinct_arrays(shape: st.SearchStrategy[tuple[int, ...]]) -> st.SearchStrategy[np.ndarray]:
    """Arrays whose entries are at least 0.05 apart (sorting is not differentiable where two entries tie)."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-60, 60).map(lambda i: i / 20), unique=True)


@st.composite
def sort_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a = draw(distinct_arrays(shapes(max_dims=3, min_side=0, max_side=4)))
    return (a,), {"axis": _axis_or_none(draw, a.ndim)}


@st.composite
def topk_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    a = draw(distinct_arrays(shapes(min_dims=1, max_dims=3, min_side=0, max_side=4)))
    dim = draw(st.integers(-a.ndim, a.ndim - 1))
    return (a,), {"k": draw(st.integers(0, a.shape[dim])), "dim": dim, "largest": draw(st.booleans())}


@st.composite
def running_extreme_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    """Distinct entries (a running extreme is not differentiable where two tie) and one axis (0-d included)."""
    a = draw(distinct_arrays(shapes(max_dims=3, min_side=0, max_side=4)))
    return (a,), {"axis": draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))}


# -- shape functions ------------------------------------------------------------------------------------------
def any_array(min_dims: int = 0) -> st.SearchStrategy[np.ndarray]:
    return arrays(shapes(min_dims=min_dims, max_dims=3, min_side=0, max_side=3))


@st.composite
def shape_inputs(draw: st.DrawFn, op: str) -> tuple[tuple[np.ndarray, ...], dict]:
    """One array and the parameters of the shape function ``op``."""
    needs = {"fliplr": 2, "flipud": 1, "rot90": 2, "tril": 1, "triu": 1, "moveaxis": 1, "swapaxes": 1,
             "array_split": 1, "hsplit": 1, "vsplit": 2, "dsplit": 3}  # fmt: skip
    a = draw(any_array(needs.get(op, 0)))
    axis = st.integers(-a.ndim, a.ndim - 1) if a.ndim else st.none()
    if op == "flip":
        return (a,), {"axis": draw(st.one_of(st.none(), axis))}
    if op == "rot90":
        first, second = draw(st.lists(st.integers(0, a.ndim - 1), min_size=2, max_size=2, unique=True))
        return (a,), {"k": draw(st.integers(-1, 4)), "axes": (first, second)}
    if op == "repeat":
        chosen = draw(st.one_of(st.none(), axis))
        length = a.size if chosen is None else a.shape[chosen]
        counts = draw(st.one_of(st.integers(0, 2), st.lists(st.integers(0, 2), min_size=length, max_size=length)))
        return (a,), {"repeats": counts, "axis": chosen}
    if op == "tile":
        return (a,), {"reps": draw(st.one_of(st.integers(0, 2), st.lists(st.integers(0, 2), max_size=3).map(tuple)))}
    if op in ("tril", "triu"):
        return (a,), {"k": draw(st.integers(-2, 2))}
    if op == "roll":
        if draw(st.booleans()) or not a.ndim:
            return (a,), {"shift": draw(st.integers(-4, 4)), "axis": None}
        axes = draw(st.lists(axis, min_size=1, max_size=2))
        return (a,), {"shift": draw(st.lists(st.integers(-4, 4), min_size=len(axes), max_size=len(axes))), "axis": axes}
    if op in ("moveaxis", "swapaxes"):
        return (a,), dict(
            zip(("source", "destination") if op == "moveaxis" else ("axis1", "axis2"), draw(st.tuples(axis, axis)))
        )
    if op in ("array_split", "hsplit", "vsplit", "dsplit"):
        along = {"array_split": draw(axis) % a.ndim, "hsplit": 1 if a.ndim > 1 else 0, "vsplit": 0, "dsplit": 2}[op]
        cuts = sorted(draw(st.lists(st.integers(0, a.shape[along] + 1), max_size=3)))
        sections = [n for n in range(1, 4) if op == "array_split" or a.shape[along] % n == 0]
        split = draw(st.one_of(st.just(cuts), st.sampled_from(sections)))
        return (a,), {"indices_or_sections": split} | ({"axis": along} if op == "array_split" else {})
    return (a,), {}


@st.composite
def stack_inputs(draw: st.DrawFn, op: str) -> tuple[tuple[np.ndarray, ...], dict]:
    """Two or three arrays that ``op`` (hstack, vstack, dstack, column_stack) can join."""
    count = draw(st.integers(1, 3))
    ndim = draw(st.integers(1, 3 if op in ("hstack", "vstack", "dstack") else 2))
    base = list(draw(shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=3)))
    joined = {"hstack": 0 if ndim == 1 else 1, "vstack": 0, "dstack": 2, "column_stack": 1}[op]
    result = []
    for _ in range(count):
        shape = list(base)
        if joined < ndim and not (ndim == 1 and op != "hstack"):
            shape[joined] = draw(st.integers(0, 3))
        result.append(draw(arrays(tuple(shape))))
    return tuple(result), {}


@st.composite
def meshgrid_inputs(draw: st.DrawFn) -> tuple[tuple[np.ndarray, ...], dict]:
    """One to three vectors (empty ones included) and an indexing."""
    vectors = tuple(draw(arrays((draw(SIDE),))) for _ in range(draw(st.integers(1, 3))))
    return vectors, {"indexing": draw(st.sampled_from(["xy", "ij"]))}
