"""torch's in-place twins against torch itself: the same code (``h = x * 1; h.sin_()``) run here and in torch,
values and gradients compared (tests/torch_oracle.py). Skipped without torch; the finite-difference checks of
the same methods are in tests/test_in_place_names.py."""

from __future__ import annotations

import numpy as np
import pytest
from test_in_place_names import UNARY
from torch_oracle import check_like_torch, torch

from autograd import Tensor

#: (method, low, high) of the binary twins: self in [-1.5, 1.5), the other operand in [low, high)
BINARY = [
    ("atan2_", -1.5, 1.5),
    ("arctan2_", -1.5, 1.5),
    ("hypot_", -1.5, 1.5),
    ("fmod_", 0.4, 1.5),
    ("remainder_", 0.4, 1.5),
    ("copysign_", -1.5, 1.5),
    ("clamp_min_", -1.5, 1.5),
    ("clamp_max_", -1.5, 1.5),
    ("multiply_", -1.5, 1.5),
    ("subtract_", -1.5, 1.5),
    ("true_divide_", 0.4, 1.5),
    ("lt_", -1.5, 1.5),
    ("le_", -1.5, 1.5),
    ("gt_", -1.5, 1.5),
    ("ge_", -1.5, 1.5),
    ("less_", -1.5, 1.5),
    ("greater_equal_", -1.5, 1.5),
    ("ne_", -1.5, 1.5),
    ("floor_divide_", 0.4, 1.5),
    ("xlogy_", 0.4, 1.5),
    ("heaviside_", -1.5, 1.5),
    ("logical_and_", -1.5, 1.5),
    ("logical_xor_", -1.5, 1.5),
]

#: torch records no gradient for these in place (``inplace version of asinh`` is not implemented; the logical
#: ones keep the tensor's old history, a gradient as if nothing had changed): compared by value only, their
#: gradients are checked against central differences in tests/test_in_place_names.py
VALUES_ONLY = {"heaviside_", "asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_", "arctanh_", "floor_divide_", "logical_and_",
               "logical_xor_"}  # fmt: skip


def _twice_then(name, *args, **kwargs):
    """``h = x * 2; h.name(*args)`` (self a non-leaf, as torch requires), then ``h * x`` so that a cut history
    still shows in x's gradient."""

    def run(x, *operands):
        h = x * 2
        getattr(h, name)(*operands, *args, **kwargs)
        return h * x

    return run


@pytest.mark.parametrize(("name", "low", "high"), [(row[0], row[2], row[3]) for row in UNARY],
                         ids=[row[0] for row in UNARY])  # fmt: skip
def test_unary_twins_match_torch(name, low, high):
    check_like_torch([(3, 4)], _twice_then(name), low=low / 2, high=high / 2, forward_only=name in VALUES_ONLY)


@pytest.mark.parametrize(("name", "low", "high"), BINARY, ids=[row[0] for row in BINARY])
def test_binary_twins_match_torch(name, low, high):
    rng = np.random.default_rng(1)
    values = [rng.uniform(-1.5, 1.5, (3, 4)), rng.uniform(low, high, (3, 4))]
    check_like_torch(None, _twice_then(name), values=values, forward_only=name in VALUES_ONLY)


def test_eq_twins_match_torch_where_some_entries_are_equal():
    values = [np.array([0.5, 1.0, -2.0, 3.0]), np.array([1.0, 1.0, 0.0, 1.5])]
    for name in ("eq_", "ne_", "not_equal_", "le_", "ge_"):
        check_like_torch(None, _twice_then(name), values=values)


@pytest.mark.parametrize(
    "call",
    [
        _twice_then("cumsum_", 1),
        _twice_then("cumsum_", dim=-2),
        _twice_then("cumprod_", 0),
        _twice_then("tril_"),
        _twice_then("triu_", -1),
        _twice_then("round_", decimals=1),
        _twice_then("clamp_min_", 0.3),
        _twice_then("clamp_max_", -0.2),
        _twice_then("remainder_", 0.7),
        _twice_then("fmod_", -0.6),
    ],
)
def test_twins_with_arguments_match_torch(call):
    check_like_torch([(3, 4)], call)


@pytest.mark.parametrize(
    "reshape",
    [
        lambda h: h.t_(),
        lambda h: h.transpose_(0, 1),
        lambda h: h.swapaxes_(1, 0),
        lambda h: h.swapdims_(-1, -2),
        lambda h: h.unsqueeze_(1).transpose_(0, 2),
        lambda h: h.unsqueeze_(-1).squeeze_(),
        lambda h: h.unsqueeze_(0).squeeze_(0).squeeze_(1),
    ],
)
def test_shape_changing_twins_match_torch(reshape):
    def run(x, y):
        h = x * 2
        reshape(h)
        return h * y.reshape(h.shape)

    check_like_torch([(3, 4), (4, 3)], run)


def test_integer_twins_keep_torch_integer_results():
    data = np.arange(-3, 4)
    for name in ("floor_", "ceil_", "round_", "trunc_", "sign_", "sgn_", "square_", "negative_", "absolute_",
                 "logical_not_", "bitwise_not_"):  # fmt: skip
        ours, theirs = Tensor(data), torch.tensor(data)
        getattr(ours, name)()
        getattr(theirs, name)()
        np.testing.assert_array_equal(ours.data, theirs.numpy(), err_msg=name)
    for name in ("eq_", "lt_", "logical_and_", "bitwise_and_", "floor_divide_", "remainder_", "fmod_"):
        ours, theirs = Tensor(data), torch.tensor(data)
        getattr(ours, name)(Tensor(np.array(2)))
        getattr(theirs, name)(torch.tensor(2))
        np.testing.assert_array_equal(ours.data, theirs.numpy(), err_msg=name)


@pytest.mark.parametrize("name", ["sin_", "reciprocal_", "rsqrt_", "exp2_", "deg2rad_"])
def test_float_results_in_integer_tensors_are_refused_with_torch_words(name):
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long") as theirs:
        getattr(torch.arange(3), name)()
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long") as ours:
        getattr(Tensor(np.arange(3)), name)()
    assert str(theirs.value).split(" type ")[-1] in str(ours.value)


@pytest.mark.parametrize("change", [lambda w: w.sin_(), lambda w: w.t_(), lambda w: w.unsqueeze_(0),
                                    lambda w: w.eq_(1.0), lambda w: w.hypot_(w * 1)])  # fmt: skip
def test_a_leaf_that_requires_grad_refuses_as_torch(change):
    with pytest.raises(RuntimeError) as theirs:
        change(torch.ones(2, 2, requires_grad=True))
    with pytest.raises(RuntimeError) as ours:
        change(Tensor(np.ones((2, 2)), requires_grad=True))
    assert str(theirs.value).rstrip(".") in str(ours.value)
