"""Equivalence of the two node kinds: a random expression computed elementwise with Values and
vectorised with Tensors gives the same values and the same gradients (including gradients of
broadcast operands, which Values receive by reusing one node across positions)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, Value
from autograd.testing import arrays, broadcastable_shapes

# Each step maps (z, y) -> new z with methods and operators that Value and Tensor share.
# Inputs to log/sqrt/pow/division are made positive inside the step, so any chain is defined.
STEPS = {
    "exp_of_tanh": lambda z, y: z.tanh().exp(),
    "log": lambda z, y: (z * z + 0.5).log(),
    "sqrt": lambda z, y: (z * z + 0.5).sqrt(),
    "sin": lambda z, y: z.sin(),
    "cos": lambda z, y: z.cos(),
    "tanh": lambda z, y: z.tanh(),
    "sigmoid": lambda z, y: z.sigmoid(),
    "softplus": lambda z, y: z.softplus(),
    "relu": lambda z, y: z.relu(),
    "leaky_relu": lambda z, y: z.leaky_relu(0.1),
    "elu": lambda z, y: z.elu(0.5),
    "swish": lambda z, y: z.swish(2.0),
    "silu": lambda z, y: z.silu(),
    "mish": lambda z, y: z.mish(),
    "abs": lambda z, y: abs(z),
    "neg": lambda z, y: -z,
    "clip": lambda z, y: z.clip(-1.0, 1.0),
    "reciprocal": lambda z, y: 1.0 / (z * z + 1.0),
    "power": lambda z, y: (z * z + 0.5) ** 1.5,
    "scale_shift": lambda z, y: 2.0 * z - 0.5,
    "add": lambda z, y: z + y,
    "sub": lambda z, y: y - z,
    "mul": lambda z, y: z * y,
    "div": lambda z, y: z / (y * y + 0.5),
    "pow_of_y": lambda z, y: (z * z + 0.5) ** y.tanh(),
}
# maximum/minimum are spelled Value.max(other) / Tensor.maximum(other)
VALUE_ONLY = {"max": lambda z, y: z.max(y), "min": lambda z, y: z.min(y)}
TENSOR_ONLY = {"max": lambda z, y: z.maximum(y), "min": lambda z, y: z.minimum(y)}
STEP_NAMES = sorted(STEPS) + sorted(VALUE_ONLY)


def _value_step(name):
    return VALUE_ONLY.get(name) or STEPS[name]


def _tensor_step(name):
    return TENSOR_ONLY.get(name) or STEPS[name]


def _object_array(result) -> np.ndarray:
    """numpy returns a bare object for 0-d inputs; keep it in a 0-d object array (Values refuse ufuncs)."""
    if isinstance(result, np.ndarray):
        return result
    holder = np.empty((), dtype=object)
    holder[()] = result
    return holder


def _value_array(array: np.ndarray) -> np.ndarray:
    """An object array of fresh Values, one per element."""
    values = np.empty(array.shape, dtype=object)
    for index in np.ndindex(*array.shape):
        values[index] = Value(float(array[index]))
    return values


def _value_grads(values: np.ndarray) -> np.ndarray:
    return np.array([v.grad for v in values.flat], dtype=np.float64).reshape(values.shape)


@given(
    data=st.data(),
    shape_pair=broadcastable_shapes(),
    program=st.lists(st.sampled_from(STEP_NAMES), min_size=1, max_size=6),
)
def test_elementwise_values_and_vectorised_tensor_agree_on_values_and_gradients(data, shape_pair, program):
    x, y = data.draw(arrays(shape_pair[0])), data.draw(arrays(shape_pair[1]))

    xv, yv = _value_array(x), _value_array(y)
    z_values = xv
    for name in program:
        z_values = _object_array(np.frompyfunc(_value_step(name), 2, 1)(z_values, yv))
    z_values = np.broadcast_to(np.asarray(z_values, dtype=object), np.broadcast_shapes(x.shape, y.shape))
    nodes = [z for z in z_values.flat if isinstance(z, Value)]
    Value.sum(nodes).backward()

    xt, yt = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    z_tensor = xt
    for name in program:
        z_tensor = _tensor_step(name)(z_tensor, yt)
    total = z_tensor.broadcast_to(np.broadcast_shapes(x.shape, y.shape)).sum()
    total.backward()

    z_from_values = np.array([float(z.data) if isinstance(z, Value) else float(z) for z in z_values.flat])
    np.testing.assert_allclose(
        np.broadcast_to(z_tensor.data, z_values.shape).ravel(), z_from_values, rtol=1e-10, atol=1e-12
    )
    for leaf, values in ((xt, xv), (yt, yv)):
        expected = _value_grads(values)
        got = np.zeros(values.shape) if leaf.grad is None else leaf.grad
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@given(data=st.data(), n_in=st.integers(1, 4), n_out=st.integers(1, 3))
def test_value_linear_neurons_agree_with_tensor_matmul(data, n_in, n_out):
    w, x, b = data.draw(arrays((n_out, n_in))), data.draw(arrays((n_in,))), data.draw(arrays((n_out,)))
    wv, xv, bv = _value_array(w), _value_array(x), _value_array(b)
    outputs = [Value.linear(list(wv[i]), list(xv), bv[i]).tanh() for i in range(n_out)]
    Value.sum(outputs).backward()

    wt, xt, bt = (Tensor(a, requires_grad=True) for a in (w, x, b))
    out = (wt @ xt + bt).tanh()
    out.sum().backward()

    np.testing.assert_allclose(out.data, [o.data for o in outputs], rtol=1e-12)
    for leaf, values in ((wt, wv), (xt, xv), (bt, bv)):
        np.testing.assert_allclose(leaf.grad, _value_grads(values), rtol=1e-10, atol=1e-12)


@given(arrays((3, 4)))
def test_value_sum_of_squares_mean_agrees_with_tensor_mean(x):
    xv = _value_array(x)
    mean_value = Value.sum([v * v for v in xv.flat]) / x.size
    mean_value.backward()
    xt = Tensor(x, requires_grad=True)
    mean_tensor = (xt * xt).mean()
    mean_tensor.backward()
    np.testing.assert_allclose(mean_tensor.item(), mean_value.data, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(xt.grad, _value_grads(xv), rtol=1e-12, atol=1e-15)
