"""nn.functional.conv1d and nn.Conv1d: values and gradients against torch (stride, padding, dilation, groups,
depthwise included), finite differences to second order, one convolution node, and errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


@st.composite
def conv1d_cases(draw: st.DrawFn):
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel, stride, padding, dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                                         draw(st.integers(0, 2)), draw(st.integers(1, 2)))  # fmt: skip
    length = draw(st.integers(max(dilation * (kernel - 1) + 1 - 2 * padding, 1), 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(draw(st.integers(1, 2)), c_in, length))
    weight = rng.normal(size=(c_out, c_in // groups, kernel))
    bias = rng.normal(size=c_out) if draw(st.booleans()) else None
    return x, weight, bias, {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


@given(conv1d_cases())
def test_conv1d_values_and_gradients_match_torch(case):
    torch = pytest.importorskip("torch")
    x, weight, bias, params = case
    ours = [Tensor(a, requires_grad=True) for a in (x, weight) + ((bias,) if bias is not None else ())]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, weight) + ((bias,) if bias is not None else ())]
    out = F.conv1d(*ours[:2], ours[2] if bias is not None else None, **params)
    expected = torch.nn.functional.conv1d(*theirs[:2], theirs[2] if bias is not None else None, **params)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(0).normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


@given(conv1d_cases())
def test_conv1d_gradients_match_finite_differences_to_second_order(case):
    x, weight, bias, params = case
    inputs = (x, weight) + ((bias,) if bias is not None else ())
    assert gradcheck(lambda *ts: F.conv1d(*ts, **params), inputs)
    assert gradgradcheck(lambda *ts: (F.conv1d(*ts, **params) ** 2).sum(), inputs)


def test_conv1d_is_one_convolution_node_between_reshapes():
    out = F.conv1d(Tensor(np.ones((1, 2, 5)), requires_grad=True), Tensor(np.ones((3, 2, 2))))
    assert out.parents[0].op.name == "conv2d"
    assert out.op.name == "reshape"


def test_conv1d_accepts_an_unbatched_input_and_one_element_tuples():
    x, weight = np.arange(10.0).reshape(2, 5), np.ones((1, 2, 3))
    batched = F.conv1d(Tensor(x[None]), Tensor(weight), stride=(2,), padding=(1,), dilation=(1,))
    np.testing.assert_array_equal(F.conv1d(Tensor(x), Tensor(weight), stride=2, padding=1).data, batched.data[0])


def test_conv1d_module_matches_torch_with_the_same_weights():
    torch = pytest.importorskip("torch")
    layer = nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, dtype=np.float64, rng=0)
    reference = torch.nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.data))
        reference.bias.copy_(torch.from_numpy(layer.bias.data))
    x = np.random.default_rng(1).normal(size=(2, 4, 9))
    np.testing.assert_allclose(layer(Tensor(x)).data, reference(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)
    assert layer.weight.shape == (6, 2, 3)
    bound = 1 / np.sqrt(2 * 3)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert "Conv1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), groups=2)" in repr(layer)


def test_conv1d_errors_name_the_argument():
    x, weight = Tensor(np.ones((1, 2, 5))), Tensor(np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match=r"conv1d: expected an input of shape \(N, C, L\)"):
        F.conv1d(Tensor(np.ones((1, 1, 2, 5))), weight)
    with pytest.raises(ValueError, match="conv1d: weight must have shape"):
        F.conv1d(x, Tensor(np.ones((3, 2, 2, 2))))
    with pytest.raises(ValueError, match="conv1d: stride must be at least 1"):
        F.conv1d(x, weight, stride=0)
    with pytest.raises(RuntimeError, match="conv1d: padding must be an int"):  # torch's class, and a ValueError
        F.conv1d(x, weight, padding=(1, 1, 1))
    with pytest.raises(ValueError, match="conv1d: .*3 channels"):
        F.conv1d(Tensor(np.ones((1, 3, 5))), weight)
    with pytest.raises(ValueError, match="conv1d: out_channels .3. must be divisible by groups .2."):
        F.conv1d(Tensor(np.ones((1, 4, 5))), weight, groups=2)
    with pytest.raises(ValueError, match="conv1d: .*smaller than the kernel"):
        F.conv1d(Tensor(np.ones((1, 2, 1))), weight)
    with pytest.raises(ValueError, match="Conv1d: in_channels .3. must be divisible by groups .2."):
        nn.Conv1d(3, 4, 2, groups=2)
