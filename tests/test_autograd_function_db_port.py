"""torch's database of custom autograd Functions (torch/testing/_internal/autograd_function_db.py), ported: each
Function written again with this library's ``Function`` (numpy inside ``forward`` where torch's uses numpy, the
library's ops where torch's uses torch's), run on the db's own sample inputs against torch 2.13's Function:
outputs, first derivatives and, for the Functions whose backward is differentiable (composed of Functions or ops,
not ``once_differentiable``), second derivatives through ``create_graph``.

What they exercise: ``setup_context`` (forward without ctx), ``save_for_backward`` of inputs and of outputs,
``needs_input_grad``, ``mark_dirty`` (an in-place exp through numpy), ``mark_non_differentiable`` (sort's indices),
a backward returning a gradient of the broadcast shape (torch's engine sums it to the input's shape: NumpyMul's
(4,) input gets a (3, 4) gradient) or a too-large one (ZeroGradients' (3, 4, *shape)), ``once_differentiable``, a
forward with a default argument, and backward written with setitem into ``new_zeros``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, once_differentiable

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # torch's testing internals import it
function_db = pytest.importorskip("torch.testing._internal.autograd_function_db")

from opinfo_oracle import assert_same, cloned, draw_inputs, leaves, tree_map  # noqa: E402  (after the importorskips)


class NumpyCube(Function):
    @staticmethod
    def forward(input):
        x = input.numpy()
        return Tensor(x**3), Tensor(3 * x**2)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0], output[1])

    @staticmethod
    def backward(ctx, grad_output, grad_saved):
        input, dinput = ctx.saved_tensors
        return NumpyMul.apply(grad_output, dinput) + 6 * NumpyMul.apply(grad_saved, input)


class CubeGenVmap(Function):
    @staticmethod
    def forward(x):
        return x**3, 3 * x**2

    @staticmethod
    def setup_context(ctx, inputs, outputs):
        ctx.save_for_backward(inputs[0], outputs[1])

    @staticmethod
    def backward(ctx, grad_output, grad_saved):
        _input, dinput = ctx.saved_tensors
        return grad_output * dinput + 6 * dinput


class NumpyCubeNotComposable(Function):
    @staticmethod
    def forward(input):
        x = input.numpy()
        return Tensor(x**3), x

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.input_np = output[1]

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output, grad_saved):
        return Tensor(3 * ctx.input_np**2)


class NumpyMul(Function):
    @staticmethod
    def forward(x, y):
        return Tensor(x.numpy() * y.numpy())

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        gx = NumpyMul.apply(grad_output, y) if ctx.needs_input_grad[0] else None
        gy = NumpyMul.apply(grad_output, x) if ctx.needs_input_grad[1] else None
        return gx, gy


class MulGenVmap(Function):
    @staticmethod
    def forward(x, y):
        return x * y

    @staticmethod
    def setup_context(ctx, inputs, outputs):
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        gx = MulGenVmap.apply(grad_output, y) if ctx.needs_input_grad[0] else None
        gy = MulGenVmap.apply(grad_output, x) if ctx.needs_input_grad[1] else None
        return gx, gy


class NumpyExp_(Function):  # noqa: N801  (torch's name)
    @staticmethod
    def forward(x):
        array = x.numpy()
        np.exp(array, out=array)
        return x

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.mark_dirty(x)
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, grad_output):
        (output,) = ctx.saved_tensors
        return NumpyMul.apply(grad_output, output)


class NumpySort(Function):
    @staticmethod
    def forward(x, dim):
        array = x.numpy()
        ind = np.argsort(array, axis=dim)
        ind_inv = np.argsort(ind, axis=dim)
        return Tensor(array.copy()), Tensor(ind), Tensor(ind_inv)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _x, dim = inputs
        _, ind, ind_inv = output
        ctx.mark_non_differentiable(ind, ind_inv)
        ctx.save_for_backward(ind, ind_inv)
        ctx.dim = dim

    @staticmethod
    def backward(ctx, grad_output, _0, _1):
        ind, ind_inv = ctx.saved_tensors
        return NumpyTake.apply(grad_output, ind_inv, ind, ctx.dim), None


class SortGenVmap(Function):
    @staticmethod
    def forward(x, dim):
        ind = autograd.argsort(x, dim=dim)
        ind_inv = autograd.argsort(ind, dim=dim)
        result = autograd.take_along_dim(x, ind, dim=dim)
        return result, ind, ind_inv

    @staticmethod
    def setup_context(ctx, inputs, outputs):
        x, dim = inputs
        _, ind, ind_inv = outputs
        ctx.mark_non_differentiable(ind, ind_inv)
        ctx.save_for_backward(ind, ind_inv)
        ctx.dim = dim

    @staticmethod
    def backward(ctx, grad_output, _0, _1):
        ind, ind_inv = ctx.saved_tensors
        return TakeGenVmap.apply(grad_output, ind_inv, ind, ctx.dim), None


class NumpyTake(Function):
    @staticmethod
    def forward(x, ind, ind_inv, dim):
        return Tensor(np.take_along_axis(x.numpy(), ind.numpy(), dim))

    @staticmethod
    def setup_context(ctx, inputs, output):
        _x, ind, ind_inv, dim = inputs
        ctx.save_for_backward(ind, ind_inv)
        ctx.dim = dim

    @staticmethod
    def backward(ctx, grad_output):
        ind, ind_inv = ctx.saved_tensors
        return NumpyTake.apply(grad_output, ind_inv, ind, ctx.dim), None, None, None


class TakeGenVmap(Function):
    @staticmethod
    def forward(x, ind, ind_inv, dim):
        return autograd.take_along_dim(x, ind, dim)

    @staticmethod
    def setup_context(ctx, inputs, outputs):
        _x, ind, ind_inv, dim = inputs
        ctx.save_for_backward(ind, ind_inv)
        ctx.dim = dim

    @staticmethod
    def backward(ctx, grad_output):
        ind, ind_inv = ctx.saved_tensors
        return TakeGenVmap.apply(grad_output, ind_inv, ind, ctx.dim), None, None, None


class Select(Function):
    @staticmethod
    def forward(x, idx):
        return x[idx]

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, idx = inputs
        ctx.x_shape = x.shape
        ctx.idx = idx

    @staticmethod
    def backward(ctx, grad_output):
        result = grad_output.new_zeros(ctx.x_shape)
        result[ctx.idx] = grad_output
        return result, None


class ScaleGradGenVmap(Function):
    scale = 3.14

    @staticmethod
    def forward(x):
        return x.clone()

    @staticmethod
    def setup_context(ctx, inputs, outputs):
        pass

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ScaleGradGenVmap.scale


class ZeroGradientsGenVmap(Function):
    @staticmethod
    def forward(x, y):
        return x.clone(), y.clone()

    @staticmethod
    def setup_context(ctx, inputs, outputs):
        pass

    @staticmethod
    def backward(ctx, gx, gy):
        # as torch's: zeros (not None), the first too large (3, 4, *shape), which the engine sums to the input's shape
        return autograd.zeros(3, 4, *gx.shape, dtype=gx.dtype), autograd.zeros(gy.shape, dtype=gy.dtype)


class ForwardHasDefaultArgs(Function):
    @staticmethod
    def forward(x, idx=(2,)):
        return x[idx]

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, idx = inputs
        ctx.x_shape = x.shape
        ctx.idx = idx

    @staticmethod
    def backward(ctx, grad_output):
        result = grad_output.new_zeros(ctx.x_shape)
        result[ctx.idx] = grad_output
        return result, None


#: Our op for each OpInfo of the db (as its ``op`` calls torch's Function), and whether its second derivative exists
#: in torch (a backward of Functions or ops, not once_differentiable).
OURS = {
    "NumpyCubeAutogradFunction": (NumpyCube.apply, True),
    "NumpyExpMarkDirtyAutogradFunction": (lambda x: NumpyExp_.apply(x.clone()), True),
    "NumpyMulAutogradFunction": (NumpyMul.apply, True),
    "NumpyCubeNotComposableAutogradFunction": (lambda x: NumpyCubeNotComposable.apply(x)[0], False),
    "NumpySortAutogradFunction": (NumpySort.apply, True),
    "NumpyTakeAutogradFunction": (NumpyTake.apply, True),
    "SelectAutogradFunction": (Select.apply, True),
    "CubeGenVmapAutogradFunction": (CubeGenVmap.apply, True),
    "MulGenVmapAutogradFunction": (MulGenVmap.apply, True),
    "SortGenVmapAutogradFunction": (SortGenVmap.apply, True),
    "SelectGenVmapAutogradFunction": (Select.apply, True),
    "ScaleGradGenVmapAutogradFunction": (ScaleGradGenVmap.apply, True),
    "ZeroGradientsGenVmapAutogradFunction": (ZeroGradientsGenVmap.apply, True),
    "ForwardHasDefaultArgsAutogradFunction": (ForwardHasDefaultArgs.apply, True),
}

OPS = {op.name: op for op in function_db.autograd_function_db}


def test_every_function_of_the_db_is_ported():
    assert sorted(OURS) == sorted(OPS)


def _samples(name: str) -> list[Any]:
    return list(draw_inputs(OPS[name].sample_inputs_func, OPS[name], torch.float64, True))


def _cases() -> list[Any]:
    return [pytest.param(name, i, id=f"{name}-{i}") for name in OURS for i in range(len(_samples(name)))]


def _ours(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return Tensor(value.detach().numpy().copy(), requires_grad=value.requires_grad)
    if isinstance(value, (list, tuple)):
        return type(value)(_ours(item) for item in value)
    return value


def _differentiable(outputs: list[Any]) -> list[int]:
    return [i for i, out in enumerate(outputs) if isinstance(out, torch.Tensor) and out.requires_grad]


@pytest.mark.parametrize(("name", "index"), _cases())
def test_function_matches_torchs_values_and_derivatives(name: str, index: int) -> None:
    sample = _samples(name)[index]
    their_args = tree_map(cloned, (sample.input, *sample.args))
    our_args = _ours(their_args)
    expected = OPS[name].op(*their_args, **sample.kwargs)
    our_fn, second_order = OURS[name]
    got = our_fn(*our_args, **sample.kwargs)
    assert_same(got, expected, "output")

    their_outputs, our_outputs = list(leaves(expected)), list(leaves(got))
    differentiable = _differentiable(their_outputs)
    assert [i for i, out in enumerate(our_outputs) if isinstance(out, Tensor) and out.requires_grad] == differentiable
    their_inputs = [t for t in their_args if isinstance(t, torch.Tensor) and t.requires_grad]
    our_inputs = [t for t in our_args if isinstance(t, Tensor) and t.requires_grad]
    rng = np.random.default_rng(index)
    upstream = [rng.uniform(-1, 1, tuple(their_outputs[i].shape)) for i in differentiable]
    their_grads = torch.autograd.grad(
        [their_outputs[i] for i in differentiable],
        their_inputs,
        [torch.from_numpy(u) for u in upstream],
        create_graph=second_order,
        allow_unused=True,
    )
    our_grads = autograd.grad(
        [our_outputs[i] for i in differentiable],
        our_inputs,
        [Tensor(u) for u in upstream],
        create_graph=second_order,
        allow_unused=True,
    )
    for position, (mine, reference) in enumerate(zip(our_grads, their_grads)):
        assert_same(mine, reference, f"gradient of input {position}")
    if not second_order:
        return

    # second derivatives: of the first gradients (those connected to the inputs) times fixed weights
    connected = [i for i, g in enumerate(their_grads) if g is not None and g.requires_grad]
    assert [i for i, g in enumerate(our_grads) if g is not None and g.requires_grad] == connected
    if not connected:
        return
    weights = [rng.uniform(-1, 1, tuple(their_grads[i].shape)) for i in connected]
    their_second = torch.autograd.grad(
        [their_grads[i] for i in connected], their_inputs, [torch.from_numpy(w) for w in weights], allow_unused=True
    )
    our_second = autograd.grad(
        [our_grads[i] for i in connected], our_inputs, [Tensor(w) for w in weights], allow_unused=True
    )
    for position, (mine, reference, tensor) in enumerate(zip(our_second, their_second, their_inputs)):
        want = torch.zeros_like(tensor) if reference is None else reference
        have = np.zeros(tuple(tensor.shape)) if mine is None else mine
        assert_same(have, want, f"second derivative of input {position}")
