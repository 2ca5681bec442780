"""Every row of the op table (tests/op_table.py) through the same checks: values against numpy (and
the scalar reference for Values), gradients with autograd.gradcheck on contiguous and non-contiguous
inputs, second derivatives with autograd.gradgradcheck (or an exactly zero Hessian for piecewise
linear ops), float32 kept, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_table import ROWS, Case, Row, laid_out, score, weights

import autograd as ag
from autograd import Tensor, Value
from autograd.testing import floats

RTOL = 1e-4  # finite differences against analytic derivatives (float64, eps = 1e-6)
ATOL = 1e-5
LAYOUTS = ["contiguous", "transposed", "strided"]
VALUE_ROWS = [row for row in ROWS if row.on_value]
SMOOTH_ROWS = [row for row in ROWS if row.order2 == "smooth"]
FLAT_ROWS = [row for row in ROWS if row.order2 == "flat"]
TORCH_ROWS = [row for row in ROWS if row.torch is not None]


def ids(row: Row) -> str:
    return row.name


def value_cases(row: Row) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*(floats(**domain) for domain in row.value_domains))


# -- values ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", ROWS, ids=ids)
@given(data=st.data())
def test_tensor_op_matches_numpy(row, data):
    case = data.draw(row.cases)
    result = row.call(*(Tensor(a) for a in case.arrays), **case.params)
    expected = row.numpy(*case.arrays, **case.params)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.data, expected, rtol=row.rtol, atol=1e-12)


@pytest.mark.parametrize("row", VALUE_ROWS, ids=ids)
@given(data=st.data())
def test_value_op_matches_scalar_reference(row, data):
    xs = data.draw(value_cases(row))
    result = row.call(*(Value(x) for x in xs))
    expected = row.scalar(*xs) if row.scalar is not None else float(row.numpy(*(np.float64(x) for x in xs)))
    assert isinstance(result, Value)
    assert math.isclose(result.data, expected, rel_tol=max(row.rtol, 1e-12), abs_tol=1e-12), (xs, result.data)


@pytest.mark.parametrize("row", [row for row in ROWS if row.keeps_float32], ids=ids)
def test_tensor_op_keeps_float32(row):
    case = row.float32_case
    inputs = [Tensor(a.astype(np.float32), requires_grad=True) for a in case.arrays]
    result = row.call(*inputs, **case.params)
    assert result.dtype == np.float32
    result.sum().backward()
    for leaf in inputs:
        assert leaf.grad is None or leaf.grad.dtype == np.float32


# -- first derivatives -----------------------------------------------------------------------------------
@pytest.mark.parametrize("row", ROWS, ids=ids)
@given(data=st.data(), layout=st.sampled_from(LAYOUTS))
def test_tensor_op_gradient_matches_finite_differences(row, data, layout):
    case = data.draw(row.cases)
    assert ag.gradcheck(
        lambda *ts: row.call(*(laid_out(t, layout) for t in ts), **case.params), case.arrays, rtol=RTOL, atol=ATOL
    )


@pytest.mark.parametrize("row", VALUE_ROWS, ids=ids)
@given(data=st.data())
def test_value_op_gradient_matches_finite_differences(row, data):
    assert ag.gradcheck(row.call, data.draw(value_cases(row)), rtol=RTOL, atol=ATOL)


# -- second derivatives ----------------------------------------------------------------------------------
@pytest.mark.parametrize("row", SMOOTH_ROWS + FLAT_ROWS, ids=ids)
@given(data=st.data())
def test_tensor_op_second_derivatives_match_finite_differences(row, data):
    case = data.draw(row.cases)
    assert ag.gradgradcheck(lambda *ts: score(row.call(*ts, **case.params)), case.arrays, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("row", [row for row in SMOOTH_ROWS + FLAT_ROWS if row.on_value], ids=ids)
@given(data=st.data())
def test_value_op_second_derivatives_match_finite_differences(row, data):
    assert ag.gradgradcheck(lambda *vs: score(row.call(*vs)), data.draw(value_cases(row)), rtol=RTOL, atol=ATOL)


def _second_derivatives(function, leaves):
    """Every second derivative of the scalar ``function(*leaves)``, computed through create_graph."""
    first = ag.grad(function(*leaves), leaves, create_graph=True, allow_unused=True)
    result = []
    for gradient in first:
        if gradient is None or not gradient.requires_grad:
            continue
        total = gradient.sum() if isinstance(gradient, Tensor) else gradient
        result.extend(g for g in ag.grad(total, leaves, allow_unused=True) if g is not None)
    return result


@pytest.mark.parametrize("row", FLAT_ROWS, ids=ids)
@given(data=st.data())
def test_piecewise_linear_op_has_exactly_zero_hessian(row, data):
    case = data.draw(row.cases)
    leaves = [Tensor(a, requires_grad=True) for a in case.arrays]
    w = weights(row.call(*leaves, **case.params).shape)
    for second in _second_derivatives(lambda *ts: (row.call(*ts, **case.params) * w).sum(), leaves):
        assert np.array_equal(second, np.zeros_like(second))


@pytest.mark.parametrize("row", [row for row in FLAT_ROWS if row.on_value], ids=ids)
@given(data=st.data())
def test_piecewise_linear_value_op_has_exactly_zero_second_derivatives(row, data):
    leaves = [Value(x) for x in data.draw(value_cases(row))]
    for second in _second_derivatives(lambda *vs: row.call(*vs) * 0.7, leaves):
        assert second == 0.0


# -- torch oracle ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", TORCH_ROWS, ids=ids)
@given(data=st.data())
def test_tensor_op_matches_torch(row, data):
    torch = pytest.importorskip("torch")
    case: Case = data.draw(row.torch_cases if row.torch_cases is not None else row.cases)
    leaves = [Tensor(a.copy(), requires_grad=True) for a in case.arrays]
    torch_leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in case.arrays]
    ours, theirs = row.call(*leaves, **case.params), row.torch(torch, *torch_leaves, **case.params)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=row.torch_rtol, atol=1e-12, err_msg="value")
    seed = np.random.default_rng(ours.size).uniform(-1.5, 1.5, ours.shape)
    ours.backward(seed)
    if theirs.requires_grad:
        theirs.backward(torch.from_numpy(seed))
    for position, (leaf, torch_leaf) in enumerate(zip(leaves, torch_leaves)):
        expected = np.zeros(leaf.shape) if torch_leaf.grad is None else torch_leaf.grad.numpy()
        got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
        np.testing.assert_allclose(
            got, expected, rtol=row.torch_rtol, atol=1e-12, err_msg=f"gradient of input {position}"
        )


# -- the README's list ----------------------------------------------------------------------------------
def test_readme_states_the_true_number_of_table_rows_and_lists_every_row():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Supported functions") :]
    section = section[: section.index("\n### ", 5)]
    (stated,) = re.findall(r"\*\*(\d+) rows\*\*", section)
    assert int(stated) == len(ROWS)
    listed = re.findall(r"`([a-z0-9_]+)`", section)
    assert all(row.name in listed for row in ROWS)
