"""numpy's other spellings (autograd.numpy_aliases) and numpy's functions built from the library's ops
(autograd.numpy_composites) stay in the graph on Tensors: values against numpy on the raw float64 data,
gradients against central differences (autograd.gradcheck), and against torch where torch has the function
(those tests skip without torch)."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import ShapeError, Tensor, Value, gradcheck

RNG = np.random.default_rng(11)
A = RNG.uniform(0.2, 0.9, (3, 4))
B = RNG.uniform(0.2, 0.9, (4, 2))
C = RNG.uniform(0.2, 0.9, (2, 5))
BATCH = RNG.uniform(0.2, 0.9, (2, 3, 4))
VECTOR = RNG.uniform(0.2, 0.9, 5)
NAN_AT = np.zeros((3, 4), dtype=bool)
NAN_AT[0, 1] = NAN_AT[2, 0] = NAN_AT[2, 2] = True


def _with_nans(x):
    """x with nan at NAN_AT (numpy's where on a Tensor: the library's, so the nans are constants)."""
    return np.where(NAN_AT, np.nan, x)


def _needs(path):
    """Skip unless this numpy has ``np.<path>`` (numpy 2.0 to 2.2 added the spellings)."""
    owner = np
    for part in path.split("."):
        owner = getattr(owner, part, None)
    return pytest.mark.skipif(owner is None, reason=f"numpy {np.__version__} has no np.{path}")


def _check_in_graph_against_numpy(call, *inputs, rtol=1e-12):
    """``call`` on Tensors gives nodes of the graph (each of a tuple too) with numpy's values on the data, and
    passes gradcheck."""
    result = call(*(Tensor(x, requires_grad=True) for x in inputs))
    with warnings.catch_warnings():  # numpy's all-nan and degrees-of-freedom warnings
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = call(*inputs)
    results = result if isinstance(result, tuple) else (result,)
    expectations = expected if isinstance(expected, tuple) else (expected,)
    assert len(results) == len(expectations)
    for got, wanted in zip(results, expectations):
        assert isinstance(got, Tensor) and got.requires_grad
        assert got.shape == np.shape(wanted) and got.dtype == np.asarray(wanted).dtype
        np.testing.assert_allclose(got.data, wanted, rtol=rtol)
    assert gradcheck(call, list(inputs))


def _grad(call, x):
    """d sum(call(x)) / dx on a Tensor of ``x``."""
    leaf = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    call(leaf).sum().backward()
    return leaf.grad


# -- numpy 2's spellings of ops the library has ------------------------------------------------------------------
ALIASES = [
    ("linalg.matmul", "matrices", lambda a, b: np.linalg.matmul(a, b), (A, B)),
    ("linalg.matmul", "batched-vector", lambda a, b: np.linalg.matmul(a, b), (BATCH, B[:, 0])),
    ("linalg.trace", "batch", lambda x: np.linalg.trace(x), (BATCH,)),
    ("linalg.trace", "offset", lambda x: np.linalg.trace(x, offset=1), (BATCH,)),
    ("linalg.trace", "negative-offset-dtype", lambda x: np.linalg.trace(x, offset=-1, dtype=np.float64), (A,)),
    ("linalg.diagonal", "batch", lambda x: np.linalg.diagonal(x), (BATCH,)),
    ("linalg.diagonal", "offset", lambda x: np.linalg.diagonal(x, offset=2), (BATCH,)),
    ("linalg.diagonal", "negative-offset", lambda x: np.linalg.diagonal(x, offset=-1), (A,)),
    ("linalg.outer", "vectors", lambda a, b: np.linalg.outer(a, b), (A[0], VECTOR)),
    ("linalg.vecdot", "broadcast", lambda a, b: np.linalg.vecdot(a, b), (BATCH, A)),
    ("linalg.vecdot", "axis", lambda a, b: np.linalg.vecdot(a, b, axis=-2), (BATCH, A)),
    ("vecdot", "ufunc", lambda a, b: np.vecdot(a, b), (BATCH, A[0])),
    ("vecdot", "ufunc-axis", lambda a, b: np.vecdot(a, b, axis=0), (A, A[:, :1])),
    ("vecdot", "ndarray-first", lambda b: np.vecdot(A, b), (A,)),
    ("matvec", "batch", lambda m, v: np.matvec(m, v), (BATCH, A[1])),
    ("vecmat", "batch", lambda v, m: np.vecmat(v, m), (A[:2, :3], BATCH)),
    ("linalg.cross", "last-axis", lambda a, b: np.linalg.cross(a, b), (A[:, :3], B[:3, 0])),
    ("linalg.cross", "axis", lambda a, b: np.linalg.cross(a, b, axis=0), (A[:, 1:], B[1:, :1])),
    ("linalg.svdvals", "matrix", lambda x: np.linalg.svdvals(x), (A,)),
    ("linalg.svdvals", "batch", lambda x: np.linalg.svdvals(x), (BATCH,)),
    ("matrix_transpose", "batch", lambda x: np.matrix_transpose(x), (BATCH,)),
    ("linalg.matrix_transpose", "matrix", lambda x: np.linalg.matrix_transpose(x), (A,)),
    ("cumulative_sum", "vector", lambda x: np.cumulative_sum(x), (VECTOR,)),
    ("cumulative_sum", "axis-initial", lambda x: np.cumulative_sum(x, axis=1, include_initial=True), (A,)),
    ("cumulative_sum", "axis", lambda x: np.cumulative_sum(x, axis=0), (BATCH,)),
    ("cumulative_prod", "vector-initial", lambda x: np.cumulative_prod(x, include_initial=True), (VECTOR,)),
    ("cumulative_prod", "axis", lambda x: np.cumulative_prod(x, axis=-1), (BATCH,)),
    ("linalg.tensordot", "default", lambda a, b: np.linalg.tensordot(a, b), (BATCH, A)),
    ("linalg.tensordot", "axes", lambda a, b: np.linalg.tensordot(a, b, axes=1), (A, B)),
    ("linalg.tensordot", "axis-lists", lambda a, b: np.linalg.tensordot(a, b, axes=([0], [1])), (A, BATCH)),
    ("linalg.vector_norm", "order-3", lambda x: np.linalg.vector_norm(x, ord=3, axis=(0, 2)), (BATCH,)),
    ("linalg.matrix_norm", "nuclear", lambda x: np.linalg.matrix_norm(x, ord="nuc"), (BATCH,)),
    ("permute_dims", "axes", lambda x: np.permute_dims(x, (2, 0, 1)), (BATCH,)),
    ("concat", "axis", lambda a, b: np.concat([a, b], axis=1), (A, A)),
    ("pow", "ufunc", lambda a, b: np.pow(a, b), (A, A)),
    ("astype", "copy", lambda x: np.astype(x, np.float64), (A,)),
    ("unstack", "axis", lambda x: np.unstack(x, axis=1), (A,)),
]


@pytest.mark.parametrize(
    ("path", "call", "inputs"),
    [pytest.param(path, call, inputs, marks=_needs(path), id=f"{path}-{case}") for path, case, call, inputs in ALIASES],
)
def test_numpy_2_spellings_run_the_librarys_op(path, call, inputs):
    _check_in_graph_against_numpy(call, *inputs)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("acos", -0.9, 0.9),
        ("asin", -0.9, 0.9),
        ("atan", -3, 3),
        ("acosh", 1.2, 3),
        ("asinh", -3, 3),
        ("atanh", -0.9, 0.9),
    ],
)
@_needs("acos")
def test_numpy_2_names_of_inverse_trigonometric_ufuncs_are_differentiable(name, low, high):
    _check_in_graph_against_numpy(getattr(np, name), RNG.uniform(low, high, (3, 4)))


@_needs("atan2")
def test_numpy_2_atan2_is_differentiable_in_both_inputs():
    _check_in_graph_against_numpy(np.atan2, A - 0.5, RNG.uniform(-1, 1, (3, 4)))


@_needs("astype")
def test_numpy_astype_copies_a_same_dtype_tensor_and_casts_to_float32():
    x = Tensor(A, requires_grad=True)
    copied = np.astype(x, np.float64)
    assert copied is not x and copied.requires_grad
    assert np.astype(x, np.float64, copy=False) is x
    narrowed = np.astype(x, np.float32)
    assert narrowed.dtype == np.float32 and narrowed.requires_grad


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: np.linalg.outer(x, x), "linalg.outer: the inputs must be vectors"),
        (lambda x: np.linalg.cross(x, x), "linalg.cross: both inputs must be 3-vectors"),
        (lambda x: np.linalg.trace(x[0]), "linalg.trace: needs an array of at least 2 dimensions"),
        (lambda x: np.matrix_transpose(x[0]), "matrix_transpose: needs an array of at least 2 dimensions"),
        (lambda x: np.vecdot(x, x[:, :2]), "vecdot: the contracted axes have lengths 4 and 2"),
        (lambda x: np.cumulative_sum(x), "cumulative_sum: an array of more than one dimension needs an axis"),
    ],
    ids=["outer-of-matrices", "cross-of-4-vectors", "trace-of-a-vector", "transpose-of-a-vector", "vecdot-lengths",
         "cumulative-sum-without-axis"],
)  # fmt: skip
@_needs("cumulative_sum")
def test_numpy_2_spellings_refuse_what_numpy_refuses_naming_the_function(call, message):
    with pytest.raises(ValueError, match=message):
        call(Tensor(A, requires_grad=True))


# -- numpy's functions built from the library's ops --------------------------------------------------------------
COMPOSITES = [
    ("multi_dot-three", lambda a, b, c: np.linalg.multi_dot([a, b, c]), (A, B, C)),
    ("multi_dot-vector-ends", lambda a, b, c, d: np.linalg.multi_dot([a, b, c, d]), (A[0], B, C, VECTOR)),
    ("multi_dot-vector-first", lambda a, b, c: np.linalg.multi_dot([a, b, c]), (A[0], B, C)),
    ("multi_dot-two", lambda a, b: np.linalg.multi_dot([a, b]), (A, B)),
    ("average-all", lambda x: np.average(x), (A,)),
    ("average-axis-keepdims", lambda x: np.average(x, axis=1, keepdims=True), (A,)),
    ("average-weights-along-axis", lambda x, w: np.average(x, axis=1, weights=w), (A, B[:, 0])),
    ("average-weights-full", lambda x, w: np.average(x, weights=w, returned=True), (A, A)),
    ("average-weights-axes-reordered", lambda x, w: np.average(x, axis=(2, 0), weights=w), (BATCH, A.T[:, :2])),
    ("average-returned-count", lambda x: np.average(x, axis=0, returned=True)[0], (A,)),
    ("ptp-all", lambda x: np.ptp(x), (A,)),
    ("ptp-axis-keepdims", lambda x: np.ptp(x, axis=1, keepdims=True), (BATCH,)),
    ("nanmax-axis", lambda x: np.nanmax(_with_nans(x), axis=1), (A,)),
    ("nanmax-all", lambda x: np.nanmax(_with_nans(x)), (A,)),
    ("nanmin-keepdims", lambda x: np.nanmin(_with_nans(x), axis=0, keepdims=True), (A,)),
    ("nanmax-initial", lambda x: np.nanmax(_with_nans(x), axis=1, initial=0.5), (A,)),
    ("nanprod", lambda x: np.nanprod(_with_nans(x), axis=1), (A,)),
    ("nanvar", lambda x: np.nanvar(_with_nans(x), axis=1), (A,)),
    ("nanvar-ddof", lambda x: np.nanvar(_with_nans(x), axis=0, ddof=1, keepdims=True), (A,)),
    ("nanstd", lambda x: np.nanstd(_with_nans(x)), (A,)),
    ("nanstd-ddof", lambda x: np.nanstd(_with_nans(x), axis=1, ddof=1), (A,)),
    ("append-flattened", lambda x, y: np.append(x, y), (A, B)),
    ("append-axis", lambda x, y: np.append(x, y, axis=0), (A, B.T)),
    ("append-ndarray-values", lambda x: np.append(x, B.T, axis=0), (A,)),
    ("insert-scalar-obj", lambda x, y: np.insert(x, 1, y, axis=1), (A, A[:, 0])),
    ("insert-broadcast-values", lambda x, y: np.insert(x, 2, y, axis=0), (A, A[0, :1])),
    ("insert-positions-flattened", lambda x, y: np.insert(x, [1, 3, 3], y), (A, VECTOR[:3])),
    ("insert-slice-constant", lambda x: np.insert(x, slice(0, 4, 2), 7.0, axis=1), (A,)),
    ("insert-into-ndarray", lambda y: np.insert(A, [0, 2], y, axis=1), (A[:, :2],)),
    ("delete-indices", lambda x: np.delete(x, [0, 2], axis=1), (A,)),
    ("delete-flattened", lambda x: np.delete(x, 5), (A,)),
    ("delete-slice", lambda x: np.delete(x, slice(None, None, 2), axis=2), (BATCH,)),
    ("delete-mask", lambda x: np.delete(x, np.array([True, False, True]), axis=0), (A,)),
    ("block-matrices", lambda a, b, c: np.block([[a, b], [c, np.ones((2, 2))]]), (A[:, :2], A[:, 2:], C[:, :2])),
    ("block-vectors", lambda a, b: np.block([a, 2.0, b]), (VECTOR, A[0])),
    ("block-three-levels", lambda a, b: np.block([[[a]], [[b]]]), (BATCH, BATCH)),
]


@pytest.mark.parametrize(("call", "inputs"), [c[1:] for c in COMPOSITES], ids=[c[0] for c in COMPOSITES])
def test_numpy_functions_built_from_the_librarys_ops(call, inputs):
    _check_in_graph_against_numpy(call, *inputs)


LENGTHS = [(5, 3), (3, 5), (4, 4), (6, 1), (2, 5), (6, 2)]


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize(("n", "m"), LENGTHS, ids=[f"{n}-{m}" for n, m in LENGTHS])
def test_numpy_convolve_matches_numpy_in_every_mode_and_either_order_of_lengths(n, m, mode):
    _check_in_graph_against_numpy(lambda a, v: np.convolve(a, v, mode), RNG.standard_normal(n), RNG.standard_normal(m))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize(("n", "m"), LENGTHS, ids=[f"{n}-{m}" for n, m in LENGTHS])
def test_numpy_correlate_matches_numpy_in_every_mode_and_either_order_of_lengths(n, m, mode):
    _check_in_graph_against_numpy(lambda a, v: np.correlate(a, v, mode), RNG.standard_normal(n), RNG.standard_normal(m))


def test_convolve_takes_a_number_as_one_entry_and_refuses_a_bad_mode():
    np.testing.assert_allclose(np.convolve(Tensor(2.0), Tensor([1.0, 3.0])).data, [2.0, 6.0])
    with pytest.raises(ValueError, match="convolve: mode must be"):
        np.convolve(Tensor(VECTOR), VECTOR, "middle")
    with pytest.raises(ValueError, match="correlate: the inputs cannot be empty"):
        np.correlate(Tensor(VECTOR), np.zeros(0))


def test_ptp_splits_tied_extremes_evenly_as_max_and_min_do():
    x = np.array([1.0, 3.0, 3.0, 1.0, 2.0])
    np.testing.assert_array_equal(_grad(np.ptp, x), [-0.5, 0.5, 0.5, -0.5, 0.0])
    np.testing.assert_array_equal(_grad(np.ptp, x), _grad(np.max, x) - _grad(np.min, x))


def test_nanmax_and_nanmin_split_ties_and_give_nans_no_gradient():
    x = np.array([np.nan, 3.0, 3.0, 1.0, np.nan])
    np.testing.assert_array_equal(_grad(np.nanmax, x), [0.0, 0.5, 0.5, 0.0, 0.0])
    np.testing.assert_array_equal(_grad(np.nanmin, x), [0.0, 0.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("function", [np.nanmax, np.nanmin, np.nanvar, np.nanstd, np.nanprod])
def test_an_all_nan_slice_gives_numpys_value_quietly_and_gradient_zero(function):
    x = np.array([[np.nan, np.nan, np.nan], [1.0, 3.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = function(x, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        leaf = Tensor(x, requires_grad=True)
        result = function(leaf, axis=1)
        result.backward(np.ones(2))
    np.testing.assert_array_equal(result.data, expected)
    np.testing.assert_array_equal(leaf.grad[0], [0.0, 0.0, 0.0])


@pytest.mark.parametrize("function", [np.nanmax, np.nanmin])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_])
def test_nanmax_and_nanmin_of_a_tensor_without_nans_are_numpys_max_and_min(function, dtype):
    x = np.array([[3, 0, 2], [1, 5, 4]]).astype(dtype)
    for axis in (None, 0, 1):
        result = function(Tensor(x), axis=axis)
        np.testing.assert_array_equal(result.data, function(x, axis=axis))
        assert result.dtype == function(x, axis=axis).dtype


def test_nanvar_is_nan_without_degrees_of_freedom_and_takes_numpys_correction():
    x = Tensor(_with_nans(A), requires_grad=True)
    assert np.all(np.isnan(np.nanvar(x, axis=0, ddof=3).data[[0, 2]]))
    np.testing.assert_allclose(np.nanvar(x, axis=1, correction=1).data, np.nanvar(x.data, axis=1, ddof=1))
    with pytest.raises(ValueError, match="nanvar: give ddof or correction"):
        np.nanvar(x, ddof=1, correction=1)


def test_nanargmax_and_nanargmin_read_the_data_as_constants():
    x = Tensor(_with_nans(A), requires_grad=True)
    assert np.nanargmax(x) == np.nanargmax(x.data) and np.nanargmin(x) == np.nanargmin(x.data)
    np.testing.assert_array_equal(np.nanargmax(x, axis=1), np.nanargmax(x.data, axis=1))
    assert isinstance(np.nanargmin(x, axis=0), np.ndarray)


def test_average_differentiates_tensor_weights_and_refuses_what_numpy_refuses():
    assert gradcheck(lambda w: np.average(A, axis=0, weights=w), [A[:, 0]])
    with pytest.raises(ZeroDivisionError, match="average: the weights sum to zero"):
        np.average(Tensor(A[0]), weights=[1.0, -1.0, 1.0, -1.0])
    with pytest.raises(TypeError, match="average: weights of shape .* give the axis"):
        np.average(Tensor(A), weights=A[0])
    with pytest.raises(ValueError, match="average: weights of shape"):
        np.average(Tensor(A), axis=0, weights=A[0])


def test_multi_dot_multiplies_in_the_cheapest_order_to_the_same_value():
    tall, wide = RNG.uniform(size=(40, 2)), RNG.uniform(size=(2, 40))
    chain = [Tensor(tall), Tensor(wide), Tensor(tall)]
    np.testing.assert_allclose(np.linalg.multi_dot(chain).data, tall @ (wide @ tall), rtol=1e-12)
    with pytest.raises(ValueError, match="multi_dot: needs at least two arrays"):
        np.linalg.multi_dot([Tensor(A)])


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        ([(2, 3), (4, 5), (5, 2)], r"multi_dot: arrays 0 and 1 of shapes \(2, 3\) and \(4, 5\) cannot be multiplied"),
        ([(2, 3), (3, 4), (5, 2)], r"multi_dot: arrays 1 and 2 of shapes \(3, 4\) and \(5, 2\) cannot be multiplied"),
        ([(3,), (4, 5), (5,)], r"multi_dot: arrays 0 and 1 of shapes \(3,\) and \(4, 5\) cannot be multiplied"),
        ([(2, 3), (4, 5)], r"multi_dot: arrays 0 and 1 of shapes \(2, 3\) and \(4, 5\) cannot be multiplied"),
    ],
)
def test_multi_dot_of_arrays_that_do_not_multiply_names_them_and_their_shapes(shapes, message):
    """As torch's "multi_dot(): tensors 0 and 1 with shapes [2, 3] and [4, 5] cannot be multiplied" (the error named
    an intermediate product's shape, or dot)."""
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.linalg.multi_dot([torch.ones(shape) for shape in shapes])
    with pytest.raises(ShapeError, match=message):
        np.linalg.multi_dot([Tensor(np.ones(shape)) for shape in shapes])


def test_insert_gives_each_broadcast_copy_of_a_value_its_gradient():
    value = Tensor(np.array([2.0]), requires_grad=True)
    np.insert(Tensor(A), 1, value, axis=1).sum().backward()
    np.testing.assert_array_equal(value.grad, [3.0])  # one copy per row


def test_block_refuses_tuples_as_numpy_does():
    with pytest.raises(TypeError, match="tuple"):
        np.block([(Tensor(A), Tensor(A))])  # numpy's own error: it does not look inside the tuple
    with pytest.raises(TypeError, match="block: blocks are arranged in lists, got a tuple"):
        np.block([Tensor(A), (Tensor(A),)])


# -- the small gaps: transpose(None), clip without bounds, the norm of order 0, numpy's elementwise names -------
def test_transpose_none_reverses_the_axes_as_numpy():
    x = Tensor(BATCH, requires_grad=True)
    for result in (x.transpose(None), autograd.transpose(x, None), np.transpose(x, None)):
        assert result.shape == (4, 3, 2) and result.requires_grad
        np.testing.assert_array_equal(result.data, BATCH.transpose(None))


def test_numpy_clip_without_bounds_is_a_copy_in_the_graph_while_the_method_keeps_torchs_error():
    x = Tensor(A, requires_grad=True)
    copied = np.clip(x, None, None)
    assert copied is not x and copied.requires_grad
    np.testing.assert_array_equal(copied.data, np.clip(A, None, None))
    copied.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones_like(A))
    with pytest.raises(ValueError, match="clip/clamp: at least one of the bounds"):
        x.clip(None, None)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: np.linalg.norm(x[0], ord=0),
        lambda x: np.linalg.norm(x, ord=0, axis=1, keepdims=True),
        lambda x: np.linalg.norm(x, ord=0.0, axis=(0,)),
        pytest.param(lambda x: np.linalg.vector_norm(x, ord=0, axis=(0, 1)), marks=_needs("linalg.vector_norm")),
    ],
    ids=["vector", "axis-keepdims", "float-order-axis-tuple", "vector_norm"],
)
def test_the_norm_of_order_0_counts_nonzero_entries_in_the_graph_with_gradient_zero(call):
    data = np.array([[0.0, np.nan, 2.0, -np.inf], [0.0, 0.0, -1.0, 5.0], [3.0, 0.0, 0.0, 0.0]])
    x = Tensor(data, requires_grad=True)
    result = call(x)
    assert isinstance(result, Tensor) and result.requires_grad
    np.testing.assert_array_equal(result.data, call(data))  # nan counts, as numpy's
    result.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros_like(data))


def test_the_norm_of_order_0_of_a_matrix_stays_numpys_error():
    with pytest.raises(ValueError, match="invalid norm order 0 for matrices"):
        np.linalg.norm(Tensor(A, requires_grad=True), ord=0)


@pytest.mark.parametrize(
    ("name", "method"), [("cbrt", "cbrt"), ("radians", "deg2rad"), ("degrees", "rad2deg"), ("fabs", "abs")]
)
def test_numpys_elementwise_names_are_module_functions_of_tensors_values_and_arrays(name, method):
    function, numpy_function = getattr(autograd, name), getattr(np, name)
    x = A - 0.5
    result = function(Tensor(x, requires_grad=True))
    assert isinstance(result, Tensor) and result.requires_grad
    np.testing.assert_allclose(result.data, numpy_function(x), rtol=1e-15)
    assert gradcheck(function, [x])
    np.testing.assert_allclose(function(x.tolist()).data, numpy_function(x), rtol=1e-15)
    value, reference = Value(-0.3), Value(-0.3)
    result = function(value)
    assert isinstance(result, Value)
    result.backward()
    getattr(reference, method)().backward()
    assert result.data == pytest.approx(numpy_function(-0.3), rel=1e-15) and value.grad == reference.grad
    assert name in autograd.__all__


# -- against torch -------------------------------------------------------------------------------------------------
def _matches_torch(torch, ours, theirs, *inputs, rtol=1e-12):
    """``ours`` on Tensors and ``theirs`` on torch tensors agree in value and in the gradient of a weighted sum."""
    leaves = [Tensor(x, requires_grad=True) for x in inputs]
    their_leaves = [torch.tensor(x, requires_grad=True) for x in inputs]
    result, expected = ours(*leaves), theirs(*their_leaves)
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=rtol, atol=1e-14)
    weights = np.random.default_rng(5).standard_normal(result.shape)
    (result * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for leaf, their_leaf in zip(leaves, their_leaves):
        their_grad = np.zeros(leaf.shape) if their_leaf.grad is None else their_leaf.grad.numpy()
        np.testing.assert_allclose(leaf.grad, their_grad, rtol=rtol, atol=1e-14)


TORCH_TWINS = [
    ("linalg.matmul", lambda a, b: np.linalg.matmul(a, b), lambda torch, a, b: torch.linalg.matmul(a, b), (BATCH, B)),
    ("linalg.vecdot", lambda a, b: np.linalg.vecdot(a, b), lambda torch, a, b: torch.linalg.vecdot(a, b), (BATCH, A)),
    ("linalg.cross", lambda a, b: np.linalg.cross(a, b), lambda torch, a, b: torch.linalg.cross(a, b), (A[:, :3], B[:3, :1].T)),
    ("linalg.svdvals", lambda x: np.linalg.svdvals(x), lambda torch, x: torch.linalg.svdvals(x), (BATCH,)),
    ("linalg.diagonal", lambda x: np.linalg.diagonal(x, offset=1), lambda torch, x: torch.linalg.diagonal(x, offset=1), (BATCH,)),
    ("linalg.outer", lambda a, b: np.linalg.outer(a, b), lambda torch, a, b: torch.outer(a, b), (A[0], VECTOR)),
    ("matrix_transpose", lambda x: np.matrix_transpose(x), lambda torch, x: x.mT, (BATCH,)),
    ("cumulative_sum", lambda x: np.cumulative_sum(x, axis=1), lambda torch, x: torch.cumsum(x, 1), (A,)),
    ("cumulative_prod", lambda x: np.cumulative_prod(x, axis=0), lambda torch, x: torch.cumprod(x, 0), (A,)),
    ("linalg.tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), lambda torch, a, b: torch.tensordot(a, b, 1), (A, B)),
    ("unstack", lambda x: np.unstack(x, axis=1)[2], lambda torch, x: torch.unbind(x, 1)[2], (A,)),
    ("linalg.multi_dot", lambda *xs: np.linalg.multi_dot(xs), lambda torch, *xs: torch.linalg.multi_dot(xs), (A[0], B, C, VECTOR)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "ours", "theirs", "inputs"),
    [pytest.param(*twin, marks=_needs(twin[0]), id=twin[0]) for twin in TORCH_TWINS],
)
def test_numpy_spellings_match_torchs_function(path, ours, theirs, inputs):
    torch = pytest.importorskip("torch")
    _matches_torch(torch, ours, lambda *tensors: theirs(torch, *tensors), *inputs)


@pytest.mark.parametrize(("n", "m"), LENGTHS, ids=[f"{n}-{m}" for n, m in LENGTHS])
def test_convolve_and_correlate_match_torchs_conv1d(n, m):
    torch = pytest.importorskip("torch")
    conv1d = torch.nn.functional.conv1d
    a, v = RNG.standard_normal(n), RNG.standard_normal(m)

    def their_full_convolution(a, v):  # conv1d correlates: flip v, pad by m - 1
        return conv1d(a[None, None], v.flip(0)[None, None], padding=v.shape[0] - 1)[0, 0]

    _matches_torch(torch, lambda a, v: np.convolve(a, v), their_full_convolution, a, v)
    if n >= m:  # conv1d's valid correlation needs the longer input first
        _matches_torch(
            torch, lambda a, v: np.correlate(a, v), lambda a, v: conv1d(a[None, None], v[None, None])[0, 0], a, v
        )


def test_norm_of_order_0_matches_torchs_value_and_zero_gradient():
    torch = pytest.importorskip("torch")
    data = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 4.0]])
    _matches_torch(
        torch, lambda x: np.linalg.norm(x, ord=0, axis=1), lambda x: torch.linalg.vector_norm(x, 0, dim=1), data
    )
    x = torch.tensor(data, requires_grad=True)
    assert (
        torch.linalg.vector_norm(x, 0).requires_grad
        and np.linalg.norm(Tensor(data, requires_grad=True)[0], 0).requires_grad
    )


@pytest.mark.parametrize(("name", "their_name"), [("radians", "deg2rad"), ("degrees", "rad2deg"), ("fabs", "abs")])
def test_numpys_elementwise_names_match_torchs_functions(name, their_name):
    torch = pytest.importorskip("torch")
    _matches_torch(torch, getattr(autograd, name), getattr(torch, their_name), A - 0.5)
