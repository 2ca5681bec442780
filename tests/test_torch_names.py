"""PyTorch's names on Tensor (autograd/torch_names.py, autograd/torch_keywords.py): torch's keywords as
aliases of numpy's, torch's method names, and torch's meaning only for torch's spelling.

Every case of CASES runs on our Tensor and, with the same method calls, on torch.Tensor (values and
gradients compared); without torch the same cases are checked against finite differences
(autograd.gradcheck), and the semantics tests compare values with numpy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
POSITIVE = np.abs(RNG.normal(size=(3, 4))) + 0.5
COLUMN = RNG.normal(size=(3, 1))
WEIGHT = RNG.uniform(0.1, 0.9, size=(3, 4))
MASK = RNG.random((3, 4)) < 0.4
X32 = X.astype(np.float32)

# (id, the call (the same methods on both libraries), differentiable inputs, boolean constants,
#  the torch call where its spelling differs, tolerance)
CASES = [
    ("sum_dim_keepdim", lambda x: x.sum(dim=1, keepdim=True), [X]),
    ("sum_dim_list", lambda x: x.sum(dim=[0, 1]), [X]),
    ("mean_dim", lambda x: x.mean(dim=0), [X]),
    ("prod_dim", lambda x: x.prod(dim=1), [X]),
    ("logsumexp_dim", lambda x: x.logsumexp(dim=1), [X]),
    ("softmax_dim", lambda x: x.softmax(dim=0), [X]),
    ("log_softmax_dim", lambda x: x.log_softmax(dim=-1), [X]),
    ("var_dim", lambda x: x.var(dim=0), [X]),
    ("var_unbiased_false", lambda x: x.var(dim=1, unbiased=False), [X]),
    ("var_correction", lambda x: x.var(dim=1, correction=2), [X]),
    ("var_unbiased_all", lambda x: x.var(unbiased=True), [X]),
    ("std_dim", lambda x: x.std(dim=1), [X]),
    ("std_dim_keepdim", lambda x: x.std(dim=0, keepdim=True), [X]),
    ("std_correction_0", lambda x: x.std(correction=0), [X]),
    ("max_dim", lambda x: x.max(dim=1).values, [X]),
    ("max_dim_keepdim", lambda x: x.max(dim=0, keepdim=True).values, [X]),
    ("min_dim", lambda x: x.min(dim=1).values, [X]),
    ("cumsum_dim", lambda x: x.cumsum(dim=0), [X]),
    ("cumprod_dim", lambda x: x.cumprod(dim=1), [X]),
    ("sort_dim", lambda x: x.sort(dim=0).values, [X]),
    ("topk", lambda x: x.topk(2).values, [X]),
    ("topk_smallest_dim0", lambda x: x.topk(2, dim=0, largest=False).values, [X]),
    ("view", lambda x: x.view(4, 3), [X]),
    ("view_tuple", lambda x: x.view((2, -1)), [X]),
    ("mT", lambda x: x.mT, [X]),
    ("expand", lambda x: x.expand(2, 3, 4), [COLUMN]),
    ("expand_minus_one", lambda x: x.expand(-1, 5), [COLUMN]),
    ("squeeze_dim", lambda x: x.squeeze(dim=1), [COLUMN]),
    ("squeeze_dim_not_one", lambda x: x.squeeze(dim=0), [X]),
    ("unsqueeze_dim", lambda x: x.unsqueeze(dim=1), [X]),
    ("flip", lambda x: x.flip(0), [X]),
    ("flip_dims", lambda x: x.flip((0, 1)), [X]),
    ("flip_varargs", lambda x: x.flip(1, 0), [X]),
    ("roll", lambda x: x.roll(1, 0), [X]),
    ("roll_dims", lambda x: x.roll((1, -2), (0, 1)), [X]),
    ("roll_flat", lambda x: x.roll(5), [X]),
    ("chunk", lambda x: x.chunk(3, dim=1), [X]),
    ("chunk_even", lambda x: x.chunk(3), [X]),
    ("split_size", lambda x: x.split(3, dim=1), [X]),
    ("split_sizes", lambda x: x.split([1, 3], dim=1), [X]),
    ("clamp_min_keyword", lambda x: x.clamp(min=-0.5), [X]),
    ("clamp_max_keyword", lambda x: x.clamp(max=0.5), [X]),
    ("clamp_both", lambda x: x.clamp(-0.5, 0.5), [X]),
    ("clamp_min", lambda x: x.clamp_min(-0.2), [X]),
    ("clamp_max", lambda x: x.clamp_max(0.2), [X]),
    ("pow", lambda x: x.pow(2), [X]),
    ("pow_tensor_exponent", lambda x, e: x.pow(e), [POSITIVE, Y]),
    ("rsqrt", lambda x: x.rsqrt(), [POSITIVE]),
    ("lerp", lambda x, end: x.lerp(end, 0.3), [X, Y]),
    ("lerp_weight_past_half", lambda x, end: x.lerp(end, 0.8), [X, Y]),
    ("lerp_tensor_weight", lambda x, end, weight: x.lerp(end, weight), [X, Y, WEIGHT]),
    ("masked_fill", lambda x, mask: x.masked_fill(mask, 0.5), [X], [MASK]),
    ("where", lambda x, other, condition: x.where(condition, other), [X, Y], [MASK]),
    ("norm", lambda x: x.norm(), [X]),
    ("norm_p1", lambda x: x.norm(p=1), [X]),
    ("norm_p3_dim", lambda x: x.norm(p=3, dim=1), [X]),
    ("norm_p1_5", lambda x: x.norm(p=1.5, dim=0), [X]),
    ("norm_inf", lambda x: x.norm(p=math.inf), [X]),
    ("norm_minus_inf_dim", lambda x: x.norm(p=-math.inf, dim=1), [X]),
    ("norm_p0", lambda x: x.norm(p=0), [X]),
    ("norm_dim_keepdim", lambda x: x.norm(dim=0, keepdim=True), [X]),
    ("norm_fro_two_dims", lambda x: x.norm(p="fro", dim=(0, 1)), [X]),
    ("add", lambda x, y: x.add(y), [X, Y]),
    ("add_alpha", lambda x, y: x.add(y, alpha=-2.5), [X, Y]),
    ("sub_alpha_broadcast", lambda x, c: x.sub(c, alpha=0.5), [X, COLUMN]),
    ("subtract", lambda x, y: x.subtract(y), [X, Y]),
    ("mul", lambda x, y: x.mul(y), [X, Y]),
    ("mul_number", lambda x: x.mul(3.0), [X]),
    ("multiply", lambda x, c: x.multiply(c), [X, COLUMN]),
    ("div", lambda x, p: x.div(p), [X, POSITIVE]),
    ("div_floor", lambda x, p: x.div(p, rounding_mode="floor"), [X, POSITIVE]),
    ("div_trunc", lambda x, p: x.div(p, rounding_mode="trunc"), [X, POSITIVE]),
    ("true_divide", lambda x, p: x.true_divide(p), [X, POSITIVE]),
    ("neg", lambda x: x.neg(), [X]),
    ("t", lambda x: x.t(), [X]),
    ("t_vector", lambda x: x.sum(0).t(), [X]),
    ("mm", lambda x, y: x.mm(y.t()), [X, Y]),
    ("bmm", lambda x, y: x.view(1, 3, 4).bmm(y.view(1, 4, 3)), [X, Y]),
    ("expand_as", lambda x, y: x.expand_as(y), [COLUMN, X]),
    ("view_as", lambda x, y: x.view_as(y.t()), [X, Y]),
    ("reshape_as", lambda x, y: x.reshape_as(y.view(2, 6)), [X, Y]),
    ("clone", lambda x: x.clone(), [X]),
    ("contiguous", lambda x: x.mT.contiguous(), [X]),
    ("double", lambda x: x.float().double(), [X], [], None, 1e-6),
    ("float", lambda x: x.float(), [X], [], None, 1e-6),
    ("half", lambda x: x.half(), [X], [], None, 1e-3),
    ("to_dtype", lambda x: x.to(np.float32), [X], [], lambda torch: lambda x: x.to(torch.float32), 1e-6),
    ("to_cpu_dtype", lambda x: x.to("cpu", np.float32), [X], [], lambda torch: lambda x: x.to("cpu", torch.float32), 1e-6),
    ("to_tensor", lambda x, like: x.to(like), [X], [X32], None, 1e-6),
    ("type_as", lambda x, like: x.type_as(like), [X], [X32], None, 1e-6),
]  # fmt: skip
FLOAT64_CASES = [case for case in CASES if len(case) < 5 or case[5] is None]


def _case(case):
    name, call, inputs, *rest = case
    constants = rest[0] if rest else []
    torch_call = rest[1] if len(rest) > 1 else None
    tolerance = rest[2] if len(rest) > 2 and rest[2] is not None else 1e-10
    return name, call, inputs, constants, torch_call, tolerance


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def test_norm_of_order_zero_counts_nan_entries_as_non_zero_as_numpy():
    data = np.array([[np.nan, 1.0, 0.0], [2.0, 0.0, -0.0]])
    x = Tensor(data, requires_grad=True)
    assert x.norm(0).item() == np.linalg.norm(data.ravel(), 0) == 3.0
    np.testing.assert_array_equal(x.norm(0, dim=1).data, [2.0, 1.0])
    x.norm(0).backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))  # a count: no slope anywhere


def test_clamp_with_tensor_bounds_gives_nan_and_no_gradient_where_x_or_a_bound_is_nan():
    x = Tensor(np.array([1.0, -1.0, np.nan, 5.0, 0.5, 3.0], dtype=np.float32), requires_grad=True)
    low = Tensor(np.array([np.nan, 0.0, 0.0, 0.0, 0.0, 4.0], dtype=np.float32), requires_grad=True)
    high = Tensor(np.array([2.0, 2.0, 2.0, np.nan, 1.0, 3.5], dtype=np.float32), requires_grad=True)
    clamped = x.clamp(min=low, max=high)
    assert clamped.dtype == np.float32
    np.testing.assert_array_equal(clamped.data, [np.nan, 0.0, np.nan, np.nan, 0.5, 3.5])  # numpy's clip agrees
    np.testing.assert_array_equal(clamped.data, np.clip(x.data, low.data, high.data))
    clamped.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 0, 0, 1, 0])  # as torch's clamp backward
    np.testing.assert_array_equal(low.grad, [0, 1, 0, 0, 0, 0])  # low > high: the result is high, which has it
    np.testing.assert_array_equal(high.grad, [0, 0, 0, 0, 0, 1])


def test_clamp_gives_a_tensor_max_torchs_gradient_at_a_nan_result_where_x_is_above_it_or_it_is_below_min():
    # torch's clamp backward compares: max takes the gradient where x > max or max < min, whatever the result;
    # so a nan min with x above max, or a nan x with max below min, sends it to max (a nan result)
    torch = pytest.importorskip("torch")
    columns = [(5.0, np.nan, 2.0), (np.nan, 4.0, 3.0), (1.0, np.nan, 2.0), (np.nan, 0.0, 2.0), (5.0, 0.0, np.nan)]
    data, low_bound, high_bound = (np.array(column) for column in zip(*columns))
    ours = [Tensor(a.copy(), requires_grad=True) for a in (data, low_bound, high_bound)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (data, low_bound, high_bound)]
    out, expected = ours[0].clamp(ours[1], ours[2]), torch.clamp(*theirs)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    upstream = np.arange(1.0, 6.0)
    out.backward(Tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, reference.grad.numpy())
    np.testing.assert_array_equal(ours[2].grad, [1.0, 2.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("call", ["clamp", "clip", "clamp_", "np.clip"])
def test_clamp_with_equal_tensor_bounds_gives_no_input_the_gradient_below_them_as_torch(call):
    torch = pytest.importorskip("torch")
    data, low_bound, high_bound = (
        np.array([-1.0, 0.5, 2.0, 0.5, -3.0]),
        [0.5, 0.5, 0.5, 1.0, 1.0],
        [0.5, 0.5, 0.5, 1.0, 2.0],
    )

    def grads(library, make, run):
        x, low, high = make(data.copy()), make(np.array(low_bound)), make(np.array(high_bound))
        result = run(x, low, high)
        result.backward(library.ones(5, dtype=library.float64))
        return result.detach(), [np.asarray(t.grad) for t in (x, low, high)]

    def ours(x, low, high):
        if call == "np.clip":
            return np.clip(x, low, high)
        if call == "clamp_":
            y = x * 1
            y.clamp_(low, high)
            return y
        return getattr(x, call)(low, high)

    theirs = grads(torch, lambda a: torch.tensor(a, requires_grad=True), lambda x, lo, hi: x.clamp(lo, hi))
    mine = grads(ag, lambda a: Tensor(a, requires_grad=True), ours)
    np.testing.assert_array_equal(mine[0].data, theirs[0].numpy())
    for got, expected in zip(mine[1], theirs[1]):  # x below low == high: no gradient for x, low or high
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(mine[1][1], [0, 0, 0, 0, 1])  # low takes it only where x < low < high


def test_lerp_gives_its_ends_exactly_at_weights_zero_and_one():
    start, end = np.array([1e30, 3.0, -2.5]), np.array([1.0, 1e-17, 7.0])
    for weight in (1.0, np.ones(3), Tensor(np.ones(3))):
        np.testing.assert_array_equal(Tensor(start).lerp(end, weight).data, end)  # the one-sided form gave 0 for 1.0
    np.testing.assert_array_equal(Tensor(start).lerp(end, np.array([0.0, 1.0, 0.0])).data, [1e30, 1e-17, -2.5])
    changed = Tensor(start.copy())
    changed.lerp_(end, 1.0)
    np.testing.assert_array_equal(changed.data, end)
    weight = Tensor(np.array([0.25, 0.75]), requires_grad=True)  # either form; an infinite end - start
    Tensor(np.zeros(2)).lerp(Tensor(np.full(2, np.inf)), weight).sum().backward()
    np.testing.assert_array_equal(weight.grad, [np.inf, np.inf])  # d/dweight = end - start, no 0 * inf = nan
    weights = np.array([-0.7, 0.49, 0.5, 1.5])  # both forms agree in between (up to rounding)
    np.testing.assert_allclose(Tensor(np.full(4, 2.0)).lerp(np.full(4, 6.0), weights).data, 2.0 + 4.0 * weights)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_torch_spelled_call_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    _, call, inputs, constants, torch_call, tolerance = _case(case)
    ours = [Tensor(a.copy(), requires_grad=True) for a in inputs]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in inputs]
    our_outputs = _outputs(call(*ours, *(Tensor(c) for c in constants)))
    their_outputs = _outputs(
        (torch_call(torch) if torch_call else call)(*theirs, *(torch.tensor(c) for c in constants))
    )
    assert len(our_outputs) == len(their_outputs)
    our_loss, their_loss = 0.0, 0.0
    for index, (out, expected) in enumerate(zip(our_outputs, their_outputs)):
        assert out.dtype == np.dtype(str(expected.dtype).removeprefix("torch.")), index
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=tolerance, atol=tolerance, err_msg="value")
        seed = np.random.default_rng(index).uniform(-1.5, 1.5, out.shape)
        our_loss = our_loss + (out * seed).sum()
        their_loss = their_loss + (expected * torch.from_numpy(seed)).sum()
    our_loss.backward()
    their_loss.backward()
    for position, (leaf, torch_leaf) in enumerate(zip(ours, theirs)):
        reference = np.zeros(leaf.shape) if torch_leaf.grad is None else torch_leaf.grad.numpy()
        got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
        np.testing.assert_allclose(got, reference, rtol=tolerance, atol=tolerance, err_msg=f"gradient {position}")


@pytest.mark.parametrize("case", FLOAT64_CASES, ids=[case[0] for case in FLOAT64_CASES])
def test_torch_spelled_call_gradient_matches_finite_differences(case):
    _, call, inputs, constants, _, _ = _case(case)
    assert ag.gradcheck(lambda *xs: _outputs(call(*xs, *(Tensor(c) for c in constants))), inputs, rtol=1e-4, atol=1e-6)


# -- torch's keywords are aliases of numpy's -------------------------------------------------------------------
ALIASES = [
    ("sum", {"axis": 1, "keepdims": True}, {"dim": 1, "keepdim": True}),
    ("mean", {"axis": (0, 1)}, {"dim": (0, 1)}),
    ("prod", {"axis": 0}, {"dim": 0}),
    ("logsumexp", {"axis": 1, "keepdims": True}, {"dim": 1, "keepdim": True}),
    ("softmax", {"axis": 0}, {"dim": 0}),
    ("log_softmax", {"axis": 0}, {"dim": 0}),
    ("max", {"axis": 1, "keepdims": True}, {"axis": 1, "keepdim": True}),
    ("min", {"keepdims": True}, {"keepdim": True}),
    ("argmax", {"axis": 1, "keepdims": True}, {"dim": 1, "keepdim": True}),
    ("argmin", {"axis": 0}, {"dim": 0}),
    ("cumsum", {"axis": 1}, {"dim": 1}),
    ("cumprod", {"axis": 0}, {"dim": 0}),
    ("argsort", {"axis": 0}, {"dim": 0}),
    ("all", {"axis": 1, "keepdims": True}, {"dim": 1, "keepdim": True}),
    ("any", {"axis": 0}, {"dim": 0}),
    ("expand_dims", {"axis": 2}, {"dim": 2}),
    ("unsqueeze", {"axis": 0}, {"dim": 0}),
]


@pytest.mark.parametrize(("name", "numpy_spelling", "torch_spelling"), ALIASES, ids=[a[0] for a in ALIASES])
def test_torch_keywords_give_the_numpy_spelled_result(name, numpy_spelling, torch_spelling):
    x = Tensor(X)
    expected, got = getattr(x, name)(**numpy_spelling), getattr(x, name)(**torch_spelling)
    np.testing.assert_array_equal(getattr(got, "data", got), getattr(expected, "data", expected))
    if name in ("argmax", "argmin", "cumsum", "all", "any"):
        np.testing.assert_array_equal(
            getattr(got, "data", got), getattr(np, name)(X, **{k: v for k, v in numpy_spelling.items()})
        )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: x.sum(axis=0, dim=0), r"sum: got both axis=0 and dim=0"),
        (lambda x: x.mean(1, dim=1), r"mean: got both axis=1 and dim=1"),
        (lambda x: x.sum(keepdims=True, keepdim=True), r"sum: got both keepdims=True and keepdim=True"),
        (lambda x: x.max(1, dim=1), r"max: got both axis=1 and dim=1"),
        (lambda x: x.min(keepdims=True, dim=0, keepdim=True), r"min: got both keepdims=True and keepdim=True"),
        (lambda x: x.softmax(0, dim=1), r"softmax: got both axis=0 and dim=1"),
        (lambda x: x.cumsum(0, dim=0), r"cumsum: got both axis=0 and dim=0"),
        (lambda x: x.sort(0, dim=0), r"sort: got both axis=0 and dim=0"),
        (lambda x: x.argmax(1, dim=1), r"argmax: got both axis=1 and dim=1"),
        (lambda x: x.squeeze(0, dim=0), r"squeeze: got both axis=0 and dim=0"),
        (lambda x: x.var(ddof=1, correction=1), r"var: got ddof=1 and correction=1, each of which sets the correction"),
        (lambda x: x.std(unbiased=False, correction=0), r"std: got unbiased=False and correction=0"),
        (lambda x: x.clip(low=0.0, min=0.0), r"clip: got both low=0.0 and min=0.0"),
        (lambda x: x.clamp(None, 1.0, max=2.0), r"clip: got both high=1.0 and max=2.0"),
    ],
)
def test_an_alias_and_its_numpy_name_together_are_a_type_error_naming_both(call, message):
    with pytest.raises(TypeError, match=message):
        call(Tensor(X))


def test_numpy_spellings_keep_numpy_results():
    x = Tensor(X, requires_grad=True)
    assert isinstance(x.max(1), Tensor) and isinstance(x.max(axis=1), Tensor)  # values, not torch's pair
    np.testing.assert_allclose(x.var(0).data, X.var(0))  # ddof=0
    np.testing.assert_allclose(x.std(axis=1, ddof=1).data, X.std(1, ddof=1))
    with pytest.raises(ValueError, match="squeeze: cannot select an axis of length != 1"):
        x.squeeze(0)
    assert x.size == 12 and x.size() == (3, 4)  # numpy's element count; called, torch's size() (the shape)
    np.testing.assert_array_equal(x.repeat(2).data, X.repeat(2))  # numpy's repeat; torch's is autograd.tile
    assert x.clamp(high=0.5).shape == (3, 4) and x.clip(-1.0, 1.0).shape == (3, 4)


# -- max(dim=) / min(dim=): torch's pair, the gradient at the returned index -------------------------------------
TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [5.0, 5.0, 5.0]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_dim_sends_a_tie_gradient_to_the_returned_index_as_torch(name):
    x = Tensor(TIES, requires_grad=True)
    values, indices = result = getattr(x, name)(dim=1)
    assert result.values is values and result.indices is indices and indices.dtype == np.int64
    expected_indices = (np.argmax if name == "max" else np.argmin)(TIES, axis=1)
    np.testing.assert_array_equal(indices, expected_indices)
    values.sum().backward()
    one_hot = np.zeros_like(TIES)
    one_hot[np.arange(3), expected_indices] = 1.0
    np.testing.assert_array_equal(x.grad, one_hot)
    shared = Tensor(TIES, requires_grad=True)
    getattr(shared, name)(axis=1).sum().backward()  # numpy's spelling splits ties evenly, as torch.amax
    np.testing.assert_allclose(shared.grad.sum(axis=1), 1.0)
    assert (shared.grad[2] == 1 / 3).all()
    torch = pytest.importorskip("torch")
    for torch_spelled, ours in ((True, x), (False, shared)):
        reference = torch.tensor(TIES, requires_grad=True)
        if torch_spelled:
            pair = getattr(reference, name)(dim=1)
            np.testing.assert_array_equal(indices, pair.indices.numpy())
            pair.values.sum().backward()
        else:
            getattr(reference, f"a{name}")(dim=1).sum().backward()
        np.testing.assert_array_equal(ours.grad, reference.grad.numpy())


def test_max_dim_keepdim_zero_d_and_errors():
    pair = Tensor(TIES).max(dim=0, keepdim=True)
    assert pair.values.shape == (1, 3) and pair.indices.shape == (1, 3)
    scalar = Tensor(4.0).min(dim=0)
    assert scalar.values.shape == () and scalar.indices == 0
    with pytest.raises(TypeError, match=r"max: dim must be an integer .* got None"):
        Tensor(TIES).max(dim=None)
    with pytest.raises(ValueError, match=r"min: dim 1 of shape \(2, 0\) is empty"):
        Tensor(np.zeros((2, 0))).min(dim=1)
    assert Tensor(np.zeros((0, 3))).max(dim=1).values.shape == (0,)


# -- var / std: numpy's default for numpy's spelling, torch's for torch's --------------------------------------
@pytest.mark.parametrize(
    ("keywords", "ddof", "axis"),
    [
        ({}, 0, None),
        ({"axis": 1}, 0, 1),
        ({"dim": 1}, 1, 1),
        ({"dim": None}, 1, None),
        ({"keepdim": False}, 1, None),
        ({"unbiased": False}, 0, None),
        ({"unbiased": True, "dim": 0}, 1, 0),
        ({"correction": 2, "dim": 1}, 2, 1),
        ({"correction": 0}, 0, None),
        ({"dim": 0, "ddof": 0}, 0, 0),
        ({"axis": 0, "ddof": 2}, 2, 0),
    ],
)
def test_variance_ddof_follows_the_spelling(keywords, ddof, axis):
    x = Tensor(X)
    np.testing.assert_allclose(x.var(**keywords).data, X.var(axis=axis, ddof=ddof), rtol=1e-12)
    np.testing.assert_allclose(x.std(**keywords).data, X.std(axis=axis, ddof=ddof), rtol=1e-12)


# -- shapes ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("length", "chunks", "sizes"),
    [(5, 4, [2, 2, 1]), (6, 3, [2, 2, 2]), (4, 3, [2, 2]), (1, 3, [1]), (0, 3, [0, 0, 0]), (7, 1, [7])],
)
def test_chunk_gives_torch_sizes(length, chunks, sizes):
    pieces = Tensor(np.arange(float(length))).chunk(chunks)
    assert isinstance(pieces, tuple) and [p.shape[0] for p in pieces] == sizes
    np.testing.assert_array_equal(np.concatenate([p.data for p in pieces]), np.arange(float(length)))
    torch = pytest.importorskip("torch")
    assert [p.shape[0] for p in torch.arange(float(length)).chunk(chunks)] == sizes


@pytest.mark.parametrize(
    ("length", "split", "sizes"),
    [(5, 2, [2, 2, 1]), (6, 3, [3, 3]), (2, 5, [2]), (0, 2, [0]), (0, 0, [0]), (5, [1, 0, 4], [1, 0, 4])],
)
def test_split_gives_torch_sizes_not_numpy_sections(length, split, sizes):
    pieces = Tensor(np.arange(float(length))).split(split)
    assert [p.shape[0] for p in pieces] == sizes
    np.testing.assert_array_equal(np.concatenate([p.data for p in pieces]), np.arange(float(length)))
    torch = pytest.importorskip("torch")
    assert [p.shape[0] for p in torch.arange(float(length)).split(split)] == sizes


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: x.split([1, 3]), ValueError, r"split: sizes \[1, 3\] must be non-negative and add up to 3"),
        (lambda x: x.split(0), ValueError, r"split: split_size must be positive, got 0"),
        (lambda x: x.split(1, dim=2), ValueError, r"split: axis 2 is out of bounds"),
        (lambda x: x.chunk(0), ValueError, r"chunk: chunks must be a positive integer, got 0"),
        (lambda x: x.chunk(2, dim=1.0), TypeError, r"chunk: dim must be an integer, got 1.0"),
        (lambda x: Tensor(1.0).chunk(2), ValueError, r"chunk: needs a tensor of at least 1 dimension"),
        (lambda x: x.view(5), ValueError, r"view: cannot view a tensor of shape \(3, 4\) as \(5,\)"),
        (lambda x: x.T.view(12), ValueError, r"view: a tensor of shape \(4, 3\) .* without a copy; use reshape"),
        (lambda x: x.view(2, np.float32), TypeError, r"view: takes sizes, or one dtype alone"),
        (lambda x: x.expand(4), ValueError, r"expand: 1 sizes \(4,\) for a tensor of 2 dimensions"),
        (lambda x: x.expand(2, 4, 4), ValueError, r"expand: dimension 0 of shape \(3, 4\) has length 3"),
        (lambda x: x.expand(-1, 3, 4), ValueError, r"expand: -1 is not allowed for the new leading dimension 0"),
        (lambda x: x[0].mT, ValueError, r"mT: needs at least 2 dimensions, got shape \(4,\)"),
        (lambda x: x.norm(p="max"), ValueError, r"norm: p must be a number, 'fro' or 'nuc', got 'max'"),
        (lambda x: x.norm(p=True), TypeError, r"norm: p must be a number, 'fro' or 'nuc', got bool"),
        (lambda x: x.norm(p="nuc", dim=1), ValueError, r"norm: invalid norm order 'nuc' for vectors"),
        (lambda x: x.to("cuda"), ValueError, r"to: only the 'cpu' device exists .* got 'cuda'"),
        (lambda x: x.to(np.float32, np.float16), TypeError, r"to: got two dtypes"),
        (lambda x: x.all(axis=3), ValueError, r"all: axis 3 is out of bounds"),
        (lambda x: x.unsqueeze(), TypeError, r"unsqueeze: the axis \(torch: dim\) to insert is missing"),
    ],
)
def test_bad_arguments_name_the_method_and_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call(Tensor(X))


def test_view_refusal_names_the_strides_stride_gives():
    """The refused view's message gives the strides in elements, as ``stride()`` and torch's ``stride()`` count them
    (it gave numpy's byte strides, (8, 24) for torch's (1, 3))."""
    torch = pytest.importorskip("torch")
    x = Tensor(np.arange(6.0).reshape(2, 3)).permute(1, 0)
    theirs = torch.arange(6.0).reshape(2, 3).permute(1, 0)
    with pytest.raises(RuntimeError) as ours_error:
        x.view(6)
    with pytest.raises(RuntimeError):
        theirs.view(6)
    assert x.stride() == tuple(theirs.stride()) == (1, 3)
    assert f"strides {tuple(theirs.stride())}" in str(ours_error.value)


def test_view_shares_the_data_and_expand_is_broadcast_to():
    x = Tensor(X.copy())
    viewed = x.view(-1)
    assert np.shares_memory(viewed.data, x.data) and viewed.shape == (12,)
    np.testing.assert_array_equal(Tensor(COLUMN).expand(2, -1, 4).data, np.broadcast_to(COLUMN, (2, 3, 4)))
    np.testing.assert_array_equal(Tensor(X).mT.data, X.T)
    np.testing.assert_array_equal(Tensor(X).flip().data, X[::-1, ::-1])  # no dims: all axes, as numpy.flip


def test_squeeze_dim_skips_axes_whose_length_is_not_one():
    x = Tensor(np.zeros((1, 3, 1)))
    assert x.squeeze(dim=0).shape == (3, 1)
    assert x.squeeze(dim=(0, 1, 2)).shape == (3,)
    unchanged = x.squeeze(dim=1)
    assert unchanged.shape == x.shape and unchanged is not x  # a new view, as torch's
    assert np.shares_memory(unchanged.data, x.data)
    assert Tensor(2.0).squeeze(dim=0).shape == ()


# -- dtypes, devices, new tensors -----------------------------------------------------------------------------------
def test_dtype_and_device_methods():
    x = Tensor(X, requires_grad=True)
    assert x.dim() == 2 and x.numel() == 12 and x.device == "cpu" and x.cpu() is x
    assert x.double() is x and x.to("cpu") is x and x.to(np.float64) is x and x.type_as(np.zeros(1)) is x
    assert x.float().dtype == np.float32 and x.half().dtype == np.float16
    assert x.to(dtype=np.float32, device="cpu:0").dtype == np.float32
    assert x.to("float32").dtype == np.float32
    copied = x.to(np.float64, copy=True)
    assert copied is not x and not np.shares_memory(copied.data, x.data) and copied.requires_grad


def test_size_is_numpys_element_count_and_torchs_size_when_called():
    x = Tensor(np.zeros((2, 3, 4)))
    assert x.size == 24 and isinstance(x.size, int) and x.size + 1 == 25 and repr(x.size) == "24"
    assert x.size() == (2, 3, 4) and x.size(0) == 2 and x.size(-1) == 4 and x.size(dim=1) == 3
    assert Tensor(5.0).size == 1 and Tensor(5.0).size() == ()
    assert Tensor(np.zeros((0, 3))).size == 0 and Tensor(np.zeros((0, 3))).size(1) == 3
    with pytest.raises(ValueError, match="size"):
        x.size(3)
    with pytest.raises(TypeError, match="dim must be an integer"):
        x.size(1.0)
    with pytest.raises(IndexError, match="0-d"):
        Tensor(5.0).size(0)
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(x.size)) == 24 and copy.deepcopy(x.size) == 24


def test_long_int_and_bool_convert_like_torch_and_carry_no_gradient():
    x = Tensor(np.array([-1.7, 0.0, 2.5]), requires_grad=True)
    assert x.long().dtype == np.int64 and x.long().tolist() == [-1, 0, 2]  # truncation toward zero, as torch
    assert x.int().dtype == np.int32 and x.int().tolist() == [-1, 0, 2]
    assert x.bool().dtype == np.bool_ and x.bool().tolist() == [True, False, True]
    assert not any(t.requires_grad for t in (x.long(), x.int(), x.bool()))
    labels = Tensor(np.array([2.0, 0.0])).long()  # the usual use: class indices for a loss
    scores = Tensor(np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]]))
    expected = -np.log(np.exp(2.0) / np.exp([0.0, 1.0, 2.0]).sum()) - np.log(
        np.exp(3.0) / np.exp([3.0, 0.0, 1.0]).sum()
    )
    assert math.isclose(F.cross_entropy(scores, labels).item(), expected / 2, rel_tol=1e-12)


def test_legacy_new_makes_tensors_of_this_dtype_as_torchs():
    torch = pytest.importorskip("torch")
    ours = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    theirs = torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    forms = {  # arguments of ours, of torch (torch's size() is a torch.Size, ours a tuple)
        "nothing": ((), ()),
        "sizes": ((2, 3), (2, 3)),
        "a size()": ((ours.size(),), (theirs.size(),)),
        "no sizes": ((0,), (0,)),
        "data": (([1, 2],), ([1, 2],)),
        "nested data": (([[1, 2]],), ([[1, 2]],)),
    }
    for name, (ours_args, theirs_args) in forms.items():
        made, expected = ours.new(*ours_args), theirs.new(*theirs_args)
        assert made.shape == tuple(expected.shape) and str(made.dtype) == str(expected.dtype)[6:], name
        assert made.is_leaf and not made.requires_grad, name
        if name.endswith("data"):
            assert made.tolist() == expected.tolist(), name
    assert ours.data.new(ours.size()).normal_().shape == (1, 2)  # old PyTorch's std.data.new(std.size()).normal_()
    assert Tensor(np.zeros(2, np.int32)).new([1.7, 2]).tolist() == [1, 2]  # converted to int32, as torch's
    alias = ours.new(ours)
    assert alias.requires_grad and not alias.is_leaf and np.shares_memory(alias.data, ours.data)
    for call in (lambda x, m: x.new(2.5), lambda x, m: x.new(m.tensor([1, 2]))):
        with pytest.raises(TypeError):
            call(theirs, torch)
        with pytest.raises(TypeError, match="new"):
            call(ours, ag)
    with pytest.raises(RuntimeError):
        theirs.new(-1)
    with pytest.raises(RuntimeError, match="new: negative dimension"):
        ours.new(-1)


def test_clone_copies_the_data_and_stays_in_the_graph():
    x = Tensor(X.copy(), requires_grad=True)
    cloned = x.clone()
    assert not np.shares_memory(cloned.data, x.data) and cloned.requires_grad and not cloned.is_leaf
    (cloned * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(X.shape, 2.0))
    assert Tensor(X).clone().requires_grad is False
    transposed = x.T
    assert x.contiguous() is x and transposed.contiguous() is not transposed
    assert transposed.contiguous().data.flags.c_contiguous


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_new_tensors_take_this_tensors_dtype(dtype):
    x = Tensor(X.astype(dtype))
    zeros, ones = x.new_zeros(2, 3), x.new_ones((2,))
    full, data = x.new_full((1, 2), 7), x.new_tensor([1, 2])
    for made, value, shape in ((zeros, 0, (2, 3)), (ones, 1, (2,)), (full, 7, (1, 2)), (data, [1, 2], (2,))):
        assert made.dtype == dtype and made.shape == shape and made.is_leaf and not made.requires_grad
        np.testing.assert_array_equal(made.data, np.broadcast_to(value, shape))
    assert x.new_zeros(2, dtype=np.float32).dtype == np.float32
    assert Tensor(X).new_ones(2, requires_grad=True).requires_grad
    torch = pytest.importorskip("torch")
    reference = torch.tensor(X.astype(dtype))
    assert str(reference.new_tensor([1, 2]).dtype) == f"torch.{np.dtype(dtype)}"


# -- elementwise and reductions against numpy ----------------------------------------------------------------------
def test_elementwise_names_match_numpy():
    x = Tensor(X)
    np.testing.assert_allclose(x.clamp(min=-0.5).data, np.clip(X, -0.5, None))
    np.testing.assert_allclose(x.clamp_max(0.2).data, np.minimum(X, 0.2))
    np.testing.assert_allclose(x.pow(3).data, X**3)
    np.testing.assert_allclose(Tensor(POSITIVE).rsqrt().data, 1 / np.sqrt(POSITIVE))
    np.testing.assert_allclose(x.lerp(Y, WEIGHT).data, X + WEIGHT * (Y - X))
    np.testing.assert_array_equal(x.masked_fill(MASK, 0.5).data, np.where(MASK, 0.5, X))
    np.testing.assert_array_equal(x.where(MASK, Y).data, np.where(MASK, X, Y))


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        ({}, np.linalg.norm(X)),
        ({"p": 1}, np.abs(X).sum()),
        ({"p": 3, "dim": 1}, np.linalg.norm(X, 3, axis=1)),
        ({"p": math.inf, "dim": 0}, np.abs(X).max(axis=0)),
        ({"p": -math.inf}, np.abs(X).min()),
        ({"p": 0}, 12.0),
        ({"dim": 0, "keepdim": True}, np.linalg.norm(X, axis=0, keepdims=True)),
        ({"dim": ()}, np.linalg.norm(X)),  # torch's empty dim: every axis
        ({"p": 1, "dim": []}, np.abs(X).sum()),
        ({"p": None}, np.linalg.norm(X)),  # torch's None: the 2-norm
        ({"p": None, "dim": 1, "keepdim": True}, np.linalg.norm(X, axis=1, keepdims=True)),
    ],
)
def test_norm_matches_numpy(keywords, expected):
    np.testing.assert_allclose(Tensor(X).norm(**keywords).data, expected, rtol=1e-12)


def test_norm_of_zeros_has_zero_gradient_as_torch():
    for p in (2, 3, 1.5, 1, math.inf):
        x = Tensor(np.zeros((2, 3)), requires_grad=True)
        x.norm(p=p, dim=1).sum().backward()
        np.testing.assert_array_equal(x.grad, np.zeros((2, 3)))


def test_norm_with_p_below_one_passes_no_gradient_to_zero_entries_as_torch():
    # d/dx (sum |x|^p)^(1/p) = |x|^(p-1) sign(x) norm^(1-p): finite away from 0; torch takes 0 at x = 0
    a = np.array([[0.0, 0.5, -2.0, 1.5], [0.0, 0.0, 0.0, 0.0]])
    for p in (0.5, 0.25):
        x = Tensor(a, requires_grad=True)
        norms = x.norm(p=p, dim=1)
        norms.sum().backward()
        np.testing.assert_allclose(norms.data, (np.abs(a) ** p).sum(axis=1) ** (1 / p), rtol=1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):  # inf * 0 at the zeros, replaced below
            expected = np.abs(a) ** (p - 1) * np.sign(a) * norms.data[:, None] ** (1 - p)
        expected[a == 0] = 0.0
        np.testing.assert_allclose(x.grad, expected, rtol=1e-12)
        inner = a[0] != 0  # away from 0 the gradient is the one of central differences
        assert gradcheck(lambda v, p=p: Tensor.norm(v, p=p), [Tensor(a[0, inner], requires_grad=True)])


def test_all_and_any_are_boolean_tensors_outside_the_graph():
    x = Tensor(MASK)
    assert isinstance(x.all(), Tensor) and x.all().dtype == bool and not x.all().requires_grad
    assert bool(x.all()) == MASK.all() and bool(x.any()) == MASK.any()
    np.testing.assert_array_equal(x.any(dim=1, keepdim=True).data, MASK.any(axis=1, keepdims=True))
    np.testing.assert_array_equal(x.all(axis=0).data, MASK.all(axis=0))


def test_sort_and_topk_return_torch_pairs():
    x = Tensor(X)
    values, indices = pair = x.sort(dim=0)
    assert pair.values is values and pair.indices is indices
    np.testing.assert_array_equal(values.data, np.sort(X, axis=0))
    top = x.topk(2, dim=1)
    np.testing.assert_array_equal(top.values.data, -np.sort(-X, axis=1)[:, :2])
    np.testing.assert_array_equal(top.indices.data, np.argsort(-X, axis=1, kind="stable")[:, :2])


def test_matrix_products_and_t_refuse_other_dimensions():
    with pytest.raises(ValueError, match=r"mm: expects two 2-D tensors, got shapes \(3, 4\) and \(4,\)"):
        Tensor(X).mm(Tensor(X[0]))
    with pytest.raises(ValueError, match=r"bmm: expects two 3-D tensors"):
        Tensor(X).bmm(Tensor(X.T))
    with pytest.raises(ValueError, match=r"t: expects a tensor of at most 2 dimensions"):
        Tensor(np.zeros((2, 2, 2))).t()
    with pytest.raises(ValueError, match="rounding_mode"):
        Tensor(X).div(2.0, rounding_mode="round")


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"])
@pytest.mark.parametrize("memory_format", ["preserve_format", "contiguous_format", "channels_last", "channels_last_3d"])
def test_conversions_take_torchs_memory_format_and_lay_the_data_out_as_torchs(method, memory_format):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).normal(size=(2, 3, 4, 5)).transpose(0, 1, 3, 2) * 5  # not C-contiguous
    x, expected = Tensor(data), torch.from_numpy(data)
    for call in [lambda t, fmt: getattr(t, method)(memory_format=fmt), lambda t, fmt: t.to(memory_format=fmt)]:
        try:
            theirs = call(expected, getattr(torch, memory_format))
        except RuntimeError as error:  # channels_last_3d of four axes
            with pytest.raises(RuntimeError, match="required rank 5 tensor"):
                call(x, f"torch.{memory_format}")
            assert "required rank 5" in str(error)
            continue
        ours = call(x, f"torch.{memory_format}")
        assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
        assert ours.stride() == theirs.stride()
        np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("memory_format", ["channels_last", "channels_last_3d"])
def test_channels_last_clone_of_a_channels_last_tensor_is_a_copy_as_torchs(memory_format):
    torch = pytest.importorskip("torch")
    shape = (1, 2, 3, 4, 2)[: 4 if memory_format == "channels_last" else 5]
    for module, name in ((ag, f"torch.{memory_format}"), (torch, getattr(torch, memory_format))):
        laid_out = module.arange(float(np.prod(shape))).reshape(shape).contiguous(memory_format=name)
        copied = laid_out.clone(memory_format=name)
        copied.mul_(0)  # the clone's memory is its own: the source keeps its values
        assert laid_out.sum().item() == np.arange(np.prod(shape)).sum()
        assert copied.stride() == laid_out.stride()


@pytest.mark.parametrize("method", ["clone", "contiguous"])
@pytest.mark.parametrize("memory_format", ["channels_last", "channels_last_3d"])
@pytest.mark.parametrize("laid_out", [False, True])
def test_clone_and_contiguous_take_torchs_channels_last_formats(method, memory_format, laid_out):
    torch = pytest.importorskip("torch")
    rank = 4 if memory_format == "channels_last" else 5
    data = np.random.default_rng(5).normal(size=(2, 3, 4, 5, 2)[:rank])
    expected = torch.tensor(data, requires_grad=True)
    x = Tensor(data, requires_grad=True)
    source, ours_in = expected, x
    if laid_out:  # already channels-last: contiguous returns it, clone copies it
        source = expected.detach().contiguous(memory_format=getattr(torch, memory_format)).requires_grad_()
        ours_in = Tensor(data, requires_grad=True).contiguous(memory_format=f"torch.{memory_format}").detach()
        ours_in.requires_grad_()
        assert ours_in.stride() == source.stride()
    theirs = getattr(source, method)(memory_format=getattr(torch, memory_format))
    ours = getattr(ours_in, method)(memory_format=f"torch.{memory_format}")
    assert ours.stride() == theirs.stride() and (ours is ours_in) == (theirs is source)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    upstream = np.random.default_rng(6).normal(size=data.shape)
    (theirs * torch.tensor(upstream)).sum().backward()
    (ours * Tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(ours_in.grad, source.grad.numpy())
    other = getattr(torch, "channels_last_3d" if rank == 4 else "channels_last")
    with pytest.raises(RuntimeError, match="required rank"):
        getattr(source, method)(memory_format=other)
    with pytest.raises(RuntimeError, match=f"{method}: required rank {9 - rank} tensor"):
        getattr(ours_in, method)(memory_format=str(other))


def test_to_takes_torchs_positional_non_blocking_and_copy():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(4).normal(size=(2, 3))
    for args in [(np.float64, False, True), (np.float64, True, False), ("cpu", np.float64, True, True), (None, False)]:
        x, expected = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        their_args = [torch.float64 if a is np.float64 else expected if a is None else a for a in args]
        ours, theirs = x.to(*[x if a is None else a for a in args]), expected.to(*their_args)
        assert (ours is x) == (theirs is expected)
        (ours * ours).sum().backward()
        (theirs * theirs).sum().backward()
        np.testing.assert_allclose(x.grad, expected.grad.numpy())
    with pytest.raises(TypeError, match="to: takes at most two flags"):
        Tensor(data).to(np.float32, False, False, False)


def test_type_names_the_tensor_type_and_converts_like_to():
    x = Tensor(np.array([1.5, -2.0], dtype=np.float32), requires_grad=True)
    assert x.type() == "autograd.FloatTensor" and Tensor(np.array([1, 2])).type() == "autograd.LongTensor"
    doubled = x.type(np.float64)
    assert doubled.dtype == np.float64 and x.type("torch.DoubleTensor").dtype == np.float64
    assert x.type("torch.LongTensor").data.tolist() == [1, -2]
    (doubled * doubled).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, -4.0])
    with pytest.raises(ValueError, match="type: unknown tensor type 'torch.FooTensor'"):
        x.type("torch.FooTensor")


LEGACY_TYPES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
                "ByteTensor", "BoolTensor"]  # fmt: skip
LEGACY_DATA = [
    ([1.7, 2.2, 0.0],),
    ([-1.7, 0.5],),
    ((1, 2),),
    ([[1, 0], [3, 4]],),
    (np.array([2.5, -0.5]),),
    ([True, False],),
    ([],),
]


@pytest.mark.parametrize("name", LEGACY_TYPES)
def test_legacy_tensor_types_construct_check_and_convert_as_torchs(name):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(ag, name), getattr(torch, name)
    for args in LEGACY_DATA:  # one sequence: the data in the type's dtype (floats truncated into integers)
        try:
            expected = theirs(*args)
        except RuntimeError:  # a negative number into ByteTensor: out of the type's range in both
            with pytest.raises(RuntimeError, match="without overflow"):
                ours(*args)
            continue
        made = ours(*args)
        assert made.dtype == np.dtype(str(expected.dtype).removeprefix("torch."))
        np.testing.assert_array_equal(made.data, expected.numpy())
    for sizes in [(2, 3), (4,), ()]:  # integers: an uninitialised tensor of that shape (torch's () is shape (0,))
        assert ours(*sizes).shape == tuple(theirs(*sizes).shape) and ours(*sizes).dtype == made.dtype
    x = ag.ones(2, 3)
    converted = x.type(ours)  # old tutorials' dtype = torch.FloatTensor; x.type(dtype)
    assert converted.dtype == made.dtype and converted.type() == f"autograd.{name}"
    assert isinstance(converted, ours) and not isinstance(
        converted.double() if name != "DoubleTensor" else x.float(), ours
    )
    assert isinstance(ours(3), ours) == isinstance(theirs(3), theirs) and not isinstance(made.data, ours)
    assert ours(converted) is converted and repr(ours) == f"<class 'autograd.{name}'>"
    assert not issubclass(ours, Tensor) and not issubclass(theirs, torch.Tensor)


def test_legacy_tensor_types_refuse_what_torchs_refuse():
    torch = pytest.importorskip("torch")
    for args in [(2.5,), (ag.ones(2, dtype=ag.float64),), ([1.0], 2)]:
        with pytest.raises(TypeError):
            torch.FloatTensor(*[torch.ones(2, dtype=torch.float64) if isinstance(a, Tensor) else a for a in args])
        with pytest.raises(TypeError, match="FloatTensor: "):
            ag.FloatTensor(*args)
    with pytest.raises(ValueError, match="FloatTensor: device 'cuda' is not available"):
        ag.FloatTensor([1.0], device="cuda")
    assert ag.FloatTensor([1.0], device="cpu").dtype == np.float32


def test_old_learning_pytorch_with_examples_runs_with_legacy_types():
    """The 2017 tutorial's autograd step (dtype = torch.FloatTensor, Variable, .data updates) as torch runs it."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in ((8, 5), (8, 2), (5, 4), (4, 2))]
    results = []
    for lib, variable in ((torch, torch.autograd.Variable), (ag, ag.Variable)):
        dtype = lib.FloatTensor
        x, y = (variable(lib.from_numpy(a).type(dtype), requires_grad=False) for a in arrays[:2])
        w1, w2 = (variable(lib.from_numpy(a).type(dtype), requires_grad=True) for a in arrays[2:])
        for _ in range(3):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            w1.data -= 1e-3 * w1.grad.data
            w2.data -= 1e-3 * w2.grad.data
            w1.grad.data.zero_()
            w2.grad.data.zero_()
        results.append([np.asarray(t.detach().numpy()) for t in (w1, w2, loss)])
    for mine, reference in zip(*results):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, reference, rtol=1e-5)


@pytest.mark.parametrize(
    ("source", "dtype", "shape"),
    [
        (np.float32, np.int32, (2, 4)),
        (np.float32, "float64", (2, 2)),
        (np.float64, np.int16, (2, 16)),
        (np.int64, np.float64, (2, 4)),
    ],
)
def test_view_as_a_dtype_reads_the_same_bytes_as_numpy(source, dtype, shape):
    data = (np.arange(8).reshape(2, 4) * 1.5).astype(source)
    x = Tensor(data, requires_grad=data.dtype.kind == "f")
    viewed = x.view(dtype)
    np.testing.assert_array_equal(viewed.data, data.view(dtype))
    assert viewed.shape == shape and not viewed.requires_grad
    assert np.shares_memory(viewed.data, x.data)
    assert x.view(dtype=dtype).dtype == np.dtype(dtype)


def test_view_as_a_dtype_shares_the_version_counter_and_refuses_what_numpy_refuses():
    x = Tensor(np.ones(3))
    bits = x.view(np.int64)
    bits[0] = 0
    assert x.data[0] == 0.0 and x.version == bits.version == 1
    with pytest.raises(ValueError, match=r"view: self.size\(-1\) must be divisible by 2 to view float32 as float64"):
        Tensor(np.ones(3, np.float32)).view(np.float64)
    with pytest.raises(TypeError, match="view: takes sizes or a dtype, not both"):
        x.view(3, dtype=np.int64)
    with pytest.raises(TypeError, match="view: unsupported dtype complex128"):
        x.view(np.complex128)
