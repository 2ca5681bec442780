"""Ported from the ``>>>`` examples of torch 2.13's own docstrings, second part: products and ``torch.linalg``,
``torch.special``, ``torch.autograd`` (grad, backward, Function and its context methods, functional, the graph
hooks, grad modes and anomaly mode), the Tensor methods' examples, and the gradients of the examples' functions.
Each example is a function of the library module ``lib`` run with ``lib = autograd`` and ``lib = torch`` on the
same inputs (tests/torch_function_doc_examples.py); what was ported and what was left out, and why, is listed in
tests/test_torch_doc_examples_port.py's docstring, which covers both parts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from torch_function_doc_examples import check, fixed, float32_default  # noqa: F401 - float32_default is autouse here

import autograd

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------------------------------------- products and linalg
def _spd(lib, n=3, seed=0, batch=()):
    data = np.random.default_rng(seed).standard_normal((*batch, n, n))
    data = data @ np.swapaxes(data, -1, -2) + n * np.eye(n)
    return lib.tensor(data.astype(np.float32))


PRODUCTS = {
    "matmul/mm/bmm/mv/dot/vdot/inner/outer": lambda lib: (
        lib.matmul(fixed(lib, (3,)), fixed(lib, (3,), 1)).size(),
        lib.matmul(fixed(lib, (3, 4)), fixed(lib, (4,), 1)).size(),
        lib.matmul(fixed(lib, (10, 3, 4)), fixed(lib, (4,), 1)).size(),
        lib.matmul(fixed(lib, (10, 3, 4)), fixed(lib, (10, 4, 5), 1)),
        lib.matmul(fixed(lib, (10, 3, 4)), fixed(lib, (4, 5), 1)),
        lib.mm(fixed(lib, (2, 3)), fixed(lib, (3, 3), 1)),
        lib.bmm(fixed(lib, (10, 3, 4)), fixed(lib, (10, 4, 5), 1)),
        lib.mv(fixed(lib, (2, 3)), fixed(lib, (3,), 1)),
        lib.dot(lib.tensor([2, 3]), lib.tensor([2, 1])),
        lib.dot(lib.tensor([2.0, 3.0]), lib.tensor([2.0, 1.0])),
        lib.vdot(lib.tensor([2, 3]), lib.tensor([2, 1])),
        lib.inner(lib.tensor([1, 2, 3]), lib.tensor([0, 2, 1])),
        lib.inner(fixed(lib, (2, 3)), fixed(lib, (2, 4, 3), 1)),
        lib.inner(fixed(lib, (2, 3)), lib.tensor(2.0)),
        lib.outer(lib.arange(1.0, 5.0), lib.arange(1.0, 4.0)),
        lib.ger(lib.arange(1.0, 5.0), lib.arange(1.0, 4.0)),
    ),
    "addmm/addmv/addr/baddbmm/addbmm": lambda lib: (
        lib.addmm(fixed(lib, (2, 3)), fixed(lib, (2, 3), 1), fixed(lib, (3, 3), 2)),
        lib.addmv(fixed(lib, (2,)), fixed(lib, (2, 3), 1), fixed(lib, (3,), 2)),
        lib.addr(lib.zeros(3, 2), lib.arange(1.0, 4.0), lib.arange(1.0, 3.0)),
        lib.baddbmm(fixed(lib, (10, 3, 5)), fixed(lib, (10, 3, 4), 1), fixed(lib, (10, 4, 5), 2)),
        lib.addbmm(fixed(lib, (3, 5)), fixed(lib, (10, 3, 4), 1), fixed(lib, (10, 4, 5), 2)),
        lib.addmm(fixed(lib, (2, 3)), fixed(lib, (2, 3), 1), fixed(lib, (3, 3), 2), beta=0.5, alpha=2),
    ),
    "tensordot/einsum/kron/cross/chain_matmul/cdist": lambda lib: (
        lib.tensordot(lib.arange(60.0).reshape(3, 4, 5), lib.arange(24.0).reshape(4, 3, 2), dims=([1, 0], [0, 1])),
        lib.tensordot(fixed(lib, (3, 4, 5)), fixed(lib, (4, 5, 6), 1), dims=2),
        lib.tensordot(fixed(lib, (3, 5, 4, 6)), fixed(lib, (6, 4, 5, 3), 1), dims=([2, 1, 3], [1, 2, 0])),
        lib.einsum("ii", fixed(lib, (4, 4))),
        lib.einsum("ii->i", fixed(lib, (4, 4))),
        lib.einsum("i,j->ij", fixed(lib, (5,)), fixed(lib, (4,), 1)),
        lib.einsum("bij,bjk->bik", fixed(lib, (3, 2, 5)), fixed(lib, (3, 5, 3), 1)),
        lib.einsum("ji", fixed(lib, (2, 3))),
        lib.einsum("...ij->...ji", fixed(lib, (2, 3, 4, 5))).shape,
        lib.einsum("bn,anm,bm->ba", fixed(lib, (3, 5)), fixed(lib, (2, 5, 4), 1), fixed(lib, (3, 4), 2)),
        lib.einsum(fixed(lib, (2, 3, 4, 5)), [..., 0, 1], [..., 1, 0]).shape,
        lib.kron(lib.eye(2), lib.ones(2, 2)),
        lib.kron(lib.arange(1.0, 5.0).reshape(2, 2), lib.eye(2)),
        lib.cross(fixed(lib, (4, 3)), fixed(lib, (4, 3), 1), dim=1),
        lib.linalg.cross(fixed(lib, (4, 3)), fixed(lib, (1, 3), 1)),
        lib.chain_matmul(fixed(lib, (3, 4)), fixed(lib, (4, 5), 1), fixed(lib, (5, 6), 2), fixed(lib, (6, 7), 3)),
        lib.cdist(
            lib.tensor([[0.9041, 0.0196], [-0.3108, -2.4423], [-0.4821, 1.059]]),
            lib.tensor([[-2.1763, -0.4713], [-0.6986, 1.3702]]),
            p=2,
        ),
    ),
    "linalg solvers and factors": lambda lib: (
        lib.linalg.det(fixed(lib, (3, 3))),
        lib.linalg.det(fixed(lib, (3, 2, 2), 1)),
        lib.linalg.slogdet(fixed(lib, (3, 3))),
        lib.linalg.inv(_spd(lib)) @ _spd(lib),
        lib.linalg.solve(_spd(lib), fixed(lib, (3,), 1)),
        lib.linalg.solve(_spd(lib, batch=(2,)), fixed(lib, (2, 3, 4), 1)),
        lib.linalg.solve(_spd(lib, batch=(2,)), fixed(lib, (2, 3), 1)),
        lib.linalg.cholesky(_spd(lib)),
        lib.linalg.cholesky(_spd(lib), upper=True),
        lib.cholesky_solve(fixed(lib, (3, 2), 1), lib.linalg.cholesky(_spd(lib))),
        lib.cholesky_inverse(lib.linalg.cholesky(_spd(lib))),
        lib.linalg.lu_factor(fixed(lib, (2, 3, 3))),
        lib.linalg.lu(fixed(lib, (3, 2))),
        lib.linalg.solve_triangular(lib.triu(_spd(lib)), fixed(lib, (3, 4), 1), upper=True),
        lib.linalg.solve_triangular(lib.tril(_spd(lib)), fixed(lib, (4, 3), 1), upper=False, left=False),
        lib.linalg.lstsq(fixed(lib, (5, 3)), fixed(lib, (5, 2), 1)).solution,
        lib.linalg.matrix_power(fixed(lib, (2, 2, 2)), 3),
        lib.linalg.matrix_power(_spd(lib), -2),
        lib.linalg.matrix_power(fixed(lib, (2, 2)), 0),
        lib.linalg.matrix_exp(lib.tensor([[0, 1.0], [-1.0, 0]]) * math.pi / 2),
        lib.linalg.matrix_rank(lib.eye(10)),
        lib.linalg.matrix_rank(lib.eye(10) * lib.tensor([1.0] * 9 + [0.0])),
        lib.linalg.matrix_rank(lib.eye(10), hermitian=True),
        lib.linalg.pinv(fixed(lib, (3, 5))) @ fixed(lib, (3, 5)) @ lib.linalg.pinv(fixed(lib, (3, 5))),
        lib.linalg.multi_dot([lib.tensor([1, 2]), lib.tensor([2, 3])]),
        lib.linalg.multi_dot([lib.tensor([[1, 2]]), lib.tensor([2, 3])]),
        lib.linalg.multi_dot([lib.tensor([[1, 2]]), lib.tensor([[2], [3]])]),
        lib.linalg.vander(lib.tensor([1, 2, 3, 5])),
        lib.linalg.vander(lib.tensor([1, 2, 3, 5]), N=3),
        lib.linalg.vecdot(fixed(lib, (3, 2)), fixed(lib, (3, 2), 1)),
        lib.linalg.tensorinv(lib.eye(4 * 6).reshape((4, 6, 8, 3)), ind=2).shape,
        lib.linalg.tensorsolve(lib.eye(2 * 3 * 4).reshape((2 * 3, 4, 2, 3, 4)), fixed(lib, (2 * 3, 4))).shape,
    ),
    "linalg decompositions (gauge-free parts)": lambda lib: (
        lib.linalg.svdvals(fixed(lib, (5, 3))),
        lib.linalg.svd(fixed(lib, (5, 3)), full_matrices=False).S,
        lib.dist(
            fixed(lib, (5, 3)),
            lib.linalg.svd(fixed(lib, (5, 3)), full_matrices=False).U
            @ lib.diag(lib.linalg.svd(fixed(lib, (5, 3)), full_matrices=False).S)
            @ lib.linalg.svd(fixed(lib, (5, 3)), full_matrices=False).Vh,
        )
        < 1e-5,
        lib.linalg.eigvalsh(_spd(lib)),
        lib.linalg.eigh(_spd(lib)).eigenvalues,
        lib.abs(lib.linalg.eigh(_spd(lib)).eigenvectors),
        lib.abs(lib.linalg.qr(fixed(lib, (3, 3))).R),
        lib.linalg.qr(fixed(lib, (4, 3)), mode="r")[0].shape,
        lib.linalg.qr(fixed(lib, (4, 3)), mode="complete").Q.shape,
        lib.linalg.cond(_spd(lib)),
        lib.linalg.cond(_spd(lib), "fro"),
    ),
    "linalg norms": lambda lib: (
        lib.linalg.norm(lib.arange(9, dtype=lib.float) - 4),
        lib.linalg.norm((lib.arange(9, dtype=lib.float) - 4).reshape(3, 3)),
        lib.linalg.norm((lib.arange(9, dtype=lib.float) - 4).reshape(3, 3), "fro"),
        lib.linalg.norm((lib.arange(9, dtype=lib.float) - 4).reshape(3, 3), "nuc"),
        tuple(
            lib.linalg.norm(lib.arange(9, dtype=lib.float) - 4, o)
            for o in (float("inf"), -float("inf"), 1, -1, 2, -2, 3, -3)
        ),
        tuple(
            lib.linalg.norm((lib.arange(9, dtype=lib.float) - 4).reshape(3, 3), o)
            for o in (float("inf"), -float("inf"), 1, -1, 2, -2)
        ),
        lib.linalg.norm(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 1.0, 4.0]]), dim=0),
        lib.linalg.norm(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 1.0, 4.0]]), dim=1),
        lib.linalg.norm(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 1.0, 4.0]]), ord=1, dim=1),
        lib.linalg.norm(lib.arange(8, dtype=lib.float).reshape(2, 2, 2), dim=(1, 2)),
        lib.linalg.vector_norm(lib.arange(9, dtype=lib.float) - 4, ord=3.5),
        lib.linalg.vector_norm((lib.arange(9, dtype=lib.float) - 4).reshape(3, 3), ord=3.5),
        lib.linalg.matrix_norm(lib.arange(9, dtype=lib.float).reshape(3, 3)),
        lib.linalg.matrix_norm(lib.arange(9, dtype=lib.float).reshape(3, 3), ord=-1),
        lib.linalg.matrix_norm(lib.arange(18, dtype=lib.float).reshape(2, 3, 3)),
        lib.linalg.matrix_norm(lib.arange(18, dtype=lib.float).reshape(2, 3, 3), dim=(0, 2)),
    ),
}


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")  # torch's notice; ours runs quietly
@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_product_and_linalg_examples_match_torch(name):
    check(PRODUCTS[name])


def test_singular_inverse_is_torchs_linalg_error():
    for lib in (autograd, torch):
        with pytest.raises(torch.linalg.LinAlgError if lib is torch else autograd.linalg.LinAlgError):
            lib.linalg.inv(lib.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]))


def test_solve_ex_and_inv_ex_report_info_as_torchs():
    def example(lib):
        a = _spd(lib)
        inverse, info = lib.linalg.inv_ex(a)
        solution, info2 = lib.linalg.solve_ex(a, fixed(lib, (3,), 1))
        return inverse, info, solution, info2, lib.linalg.cholesky_ex(a)

    check(example)


# ---------------------------------------------------------------------------------------------- special functions
SPECIAL = {
    "entr/erf family": lambda lib: (
        lib.special.entr(lib.arange(-0.5, 1, 0.5)),
        lib.special.erf(lib.tensor([0, -1.0, 10.0])),
        lib.special.erfc(lib.tensor([0, -1.0, 10.0])),
        lib.special.erfcx(lib.tensor([0, -1.0, 10.0])),
        lib.special.erfinv(lib.tensor([0, 0.5, -1.0])),
    ),
    "exp/log family": lambda lib: (
        lib.special.exp2(lib.tensor([0, math.log2(2.0), 3, 4])),
        lib.special.expm1(lib.tensor([0, math.log(2.0)])),
        lib.special.expit(fixed(lib, (4,))),
        lib.special.logit(lib.tensor([0.2796, 0.9331, 0.6486, 0.1523, 0.6516]), eps=1e-6),
        lib.special.log1p(lib.tensor([-1.0090, -0.9923, 1.0249, -0.5372, 0.2492])),
        lib.special.logsumexp(fixed(lib, (3, 3)), 1),
        lib.special.log_ndtr(lib.tensor([-3.0, -2, -1, 0, 1, 2, 3])),
        lib.special.ndtr(lib.tensor([-3.0, -2, -1, 0, 1, 2, 3])),
        lib.special.ndtri(lib.tensor([0, 0.25, 0.5, 0.75, 1])),
    ),
    "gamma family": lambda lib: (
        lib.special.gammaln(lib.arange(0.5, 2, 0.5)),
        lib.special.digamma(lib.tensor([1, 0.5])),
        lib.special.psi(lib.tensor([1, 0.5])),
        tuple(lib.special.polygamma(n, lib.tensor([1, 0.5])) for n in (1, 2, 3, 4)),
        lib.special.multigammaln(fixed(lib, (2, 3), 0, "uniform") + 1.5, 2),
        lib.special.gammainc(lib.tensor([4.0]), lib.tensor([3.0, 4.0, 5.0])),
        lib.special.gammaincc(lib.tensor([4.0]), lib.tensor([3.0, 4.0, 5.0])),
        lib.special.gammainc(lib.tensor([4.0]), lib.tensor([3.0, 4.0, 5.0]))
        + lib.special.gammaincc(lib.tensor([4.0]), lib.tensor([3.0, 4.0, 5.0])),
    ),
    "bessel family": lambda lib: (
        lib.special.i0(lib.arange(5, dtype=lib.float32)),
        lib.special.i0e(lib.arange(5, dtype=lib.float32)),
        lib.special.i1(lib.arange(5, dtype=lib.float32)),
        lib.special.i1e(lib.arange(5, dtype=lib.float32)),
    ),
    "xlogy/xlog1py/sinc/round/softmax": lambda lib: (
        lib.special.xlogy(lib.zeros(5), lib.tensor([0, 1, 2.0, float("inf"), float("nan")])),
        lib.special.xlogy(lib.tensor([1, 2, 3]), lib.tensor([3, 2, 1])),
        lib.special.xlogy(lib.tensor([1, 2, 3]), 4),
        lib.special.xlogy(2, lib.tensor([3, 2, 1])),
        lib.special.xlog1py(lib.zeros(5), lib.tensor([-1, 0, 1, float("inf"), float("nan")])),
        lib.special.xlog1py(lib.tensor([1, 2, 3]), lib.tensor([3, 2, 1])),
        lib.special.xlog1py(lib.tensor([1, 2, 3]), 4),
        lib.special.xlog1py(2, lib.tensor([3, 2, 1])),
        lib.special.sinc(fixed(lib, (4,))),
        lib.special.round(lib.tensor((4.7, -2.3, 9.1, -7.7))),
        lib.special.softmax(lib.ones(2, 2), 0),
        lib.special.log_softmax(lib.ones(2, 2), 0),
    ),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_examples_match_torch(name):
    check(SPECIAL[name])


# ---------------------------------------------------------------------------------------------- autograd
def _grad_example(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    (first,) = lib.autograd.grad(y, x, create_graph=True)
    (second,) = lib.autograd.grad(first.sum(), x)
    return first.detach(), second


def _backward_example(lib):
    a = lib.tensor([2.0, 3.0], requires_grad=True)
    b = lib.tensor([6.0, 4.0], requires_grad=True)
    q = 3 * a**3 - b**2
    lib.autograd.backward(q, grad_tensors=lib.tensor([1.0, 1.0]))
    c = lib.tensor([1.0, 2.0], requires_grad=True)
    (c * c).backward(lib.tensor([1.0, 0.5]))
    return a.grad, b.grad, c.grad


def _register_hook_example(lib):
    v = lib.tensor([0.0, 0.0, 0.0], requires_grad=True)
    h = v.register_hook(lambda grad: grad * 2)  # double the gradient
    v.backward(lib.tensor([1.0, 2.0, 3.0]))
    h.remove()
    return v.grad


def _post_accumulate_hook_example(lib):
    v = lib.tensor([0.0, 0.0, 0.0], requires_grad=True)
    lr = 0.01
    h = v.register_post_accumulate_grad_hook(lambda p: p.add_(p.grad, alpha=-lr))
    v.backward(lib.tensor([1.0, 2.0, 3.0]))
    h.remove()
    return v


def _function_example(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    output = Exp.apply(x)
    output.sum().backward()
    return output, x.grad


def _requires_grad_example(lib):
    weights = lib.tensor([1.0, -2.0])
    before = weights.requires_grad
    weights.requires_grad_()
    out = weights.pow(2).sum()
    out.backward()
    return before, weights.requires_grad, weights.grad


def _detach_and_no_grad_example(lib):
    x = lib.tensor([1.0], requires_grad=True)
    with lib.no_grad():
        y = x * 2
    with lib.enable_grad():
        z = x * 2
    with lib.set_grad_enabled(False):
        w = x * 2
    return y.requires_grad, z.requires_grad, w.requires_grad, x.detach().requires_grad


def _exp_reducer(x):
    return x.exp().sum(dim=1)


def _exp_adder(x, y):
    return 2 * x.exp() + 3 * y


def _pow_reducer(x):
    return x.pow(3).sum()


def _pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()


def _functional_examples(lib):
    fn = lib.autograd.functional
    inputs = fixed(lib, (2, 2), 0, "uniform")
    pair = (fixed(lib, (2,), 1, "uniform"), fixed(lib, (2,), 2, "uniform"))
    v4 = lib.ones(4)
    v22 = lib.ones(2, 2)
    pair_v = (lib.zeros(2), lib.ones(2))
    return (
        fn.jacobian(_exp_reducer, inputs),
        fn.jacobian(_exp_adder, pair),
        fn.jacobian(lambda x: x**2, fixed(lib, (4, 2))).shape,
        fn.hessian(_pow_reducer, inputs),
        fn.hessian(_pow_adder_reducer, pair),
        fn.vjp(_exp_reducer, inputs, v4[:2]),
        fn.vjp(lambda x, y: x + y, pair, lib.ones(2)),
        fn.jvp(_exp_reducer, inputs, v22),
        fn.jvp(lambda x, y: x + y, pair, pair_v),
        fn.vhp(_pow_reducer, inputs, v22),
        fn.vhp(_pow_adder_reducer, pair, pair_v),
        fn.hvp(_pow_reducer, inputs, v22),
        fn.hvp(_pow_adder_reducer, pair, pair_v),
    )


AUTOGRAD = {
    "autograd.grad": _grad_example,
    "autograd.backward": _backward_example,
    "Tensor.register_hook": _register_hook_example,
    "Tensor.register_post_accumulate_grad_hook": _post_accumulate_hook_example,
    "autograd.Function": _function_example,
    "Tensor.requires_grad_": _requires_grad_example,
    "no_grad/enable_grad/set_grad_enabled": _detach_and_no_grad_example,
    "autograd.functional": _functional_examples,
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD))
def test_autograd_examples_match_torch(name):
    check(AUTOGRAD[name])


def test_elementwise_gradients_match_torch():
    """Gradients of the maths examples above, through one scalar loss on the docstrings' inputs."""

    def example(lib):
        x = fixed(lib, (5,), 3, "uniform", requires_grad=True)
        y = fixed(lib, (5,), 4, "uniform", requires_grad=True)
        loss = (
            lib.lerp(x, y, 0.3).sum()
            + lib.logaddexp(x, y).sum()
            + lib.hypot(x, y).sum()
            + lib.atan2(x, y).sum()
            + lib.xlogy(x, y).sum()
            + lib.special.erfcx(x).sum()
            + lib.special.xlog1py(x, y).sum()
            + lib.logit(x, eps=1e-6).sum()
            + lib.special.ndtri(x).sum()
            + lib.sinc(y).sum()
            + lib.cumprod(x, dim=0).sum()
            + lib.logcumsumexp(y, dim=0).sum()
            + lib.std(x)
            + lib.linalg.vector_norm(y, ord=3.5)
            + lib.dist(x, y, 3)
            + lib.trapezoid(x, y)
        )
        gx, gy = lib.autograd.grad(loss, (x, y))
        return loss.detach(), gx, gy

    check(example)


def test_gradient_examples_match_torch():
    def example(lib):
        values = lib.tensor([4.0, 1.0, 1.0, 16.0])
        t = lib.tensor([[1, 2, 4, 8], [10, 20, 40, 80]])
        return (
            lib.gradient(values, spacing=(lib.tensor([-2.0, -1.0, 1.0, 4.0]),)),
            lib.gradient(t),
            lib.gradient(t, spacing=2.0),
            lib.gradient(t, dim=1),
            lib.gradient(t, spacing=[3.0, 2.0]),
            lib.gradient(t, spacing=(lib.tensor([0, 2]), lib.tensor([0, 3, 6, 9]))),
        )

    check(example)


def test_histogramdd_examples_match_torch():
    def example(lib):
        return (
            lib.histogramdd(
                lib.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]]),
                bins=[3, 3],
                weight=lib.tensor([1.0, 2.0, 4.0, 8.0]),
            ),
            lib.histogramdd(
                lib.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), bins=[2, 2], range=[0.0, 1.0, 0.0, 1.0], density=True
            ),
        )

    check(example)


# ---------------------------------------------------------------------------------------------- Tensor methods
def _view_as_dtype(lib):
    x = fixed(lib, (4, 4))
    y = x.view(lib.int32)
    y[0, 0] = 1000000000
    return x.dtype, y, x, x.view(lib.uint8), x.view(lib.uint8).size()


def _fill_diagonal(lib):
    return (
        lib.zeros(3, 3).fill_diagonal_(5),
        lib.zeros(7, 3).fill_diagonal_(5),
        lib.zeros(7, 3).fill_diagonal_(5, wrap=True),
    )


def _is_leaf(lib):
    a = fixed(lib, (10,), requires_grad=True)
    c = fixed(lib, (10,), requires_grad=True) + 2
    return a.is_leaf, c.is_leaf, fixed(lib, (10,)).is_leaf, fixed(lib, (10,)).requires_grad_().is_leaf


TENSOR_METHODS = {
    "item/tolist": lambda lib: (
        lib.tensor([1.0]).item(),
        lib.tensor([[1, 2], [3, 4]]).tolist(),
        lib.tensor([[1, 2], [3, 4]])[0, 0].tolist(),
    ),
    "size/stride/storage_offset/element_size/dim_order": lambda lib: (
        lib.empty(3, 4, 5).size(),
        lib.empty(3, 4, 5).size(dim=1),
        lib.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]).stride(),
        lib.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]).stride(0),
        lib.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]).stride(-1),
        lib.tensor([1, 2, 3, 4, 5]).storage_offset(),
        lib.tensor([1, 2, 3, 4, 5])[3:].storage_offset(),
        lib.tensor([]).element_size(),
        lib.tensor([], dtype=lib.uint8).element_size(),
        lib.empty((2, 3, 5, 7)).dim_order(),
        lib.empty((2, 3, 5, 7)).transpose(1, 2).dim_order(),
        lib.empty((1, 2, 3, 4)).dim_order(),
        lib.tensor([1.0]).get_device(),
    ),
    "view as another dtype": _view_as_dtype,
    "fill_diagonal_": _fill_diagonal,
    "is_leaf": _is_leaf,
    "resize_/unfold/to/type conversions": lambda lib: (
        lib.tensor([[1, 2], [3, 4], [5, 6]]).resize_(2, 2),
        lib.arange(1.0, 8).unfold(0, 2, 1),
        lib.arange(1.0, 8).unfold(0, 2, 2),
        fixed(lib, (2, 2)).to(lib.float64),
        fixed(lib, (2, 2)).to(lib.zeros((), dtype=lib.float64)),
        fixed(lib, (2, 2)).double(),
        fixed(lib, (2, 2)).long(),
        fixed(lib, (2, 2)).bool(),
        fixed(lib, (2, 2)).int().float(),
        fixed(lib, (2, 2)).type(lib.int16),
    ),
    "expand/permute/masked_scatter": lambda lib: (
        lib.tensor([[1], [2], [3]]).expand(3, 4),
        lib.tensor([[1], [2], [3]]).expand(-1, 4),
        fixed(lib, (2, 3, 5)).permute(2, 0, 1).size(),
        lib.tensor([[0, 0, 0], [0, 0, 0]]).masked_scatter(
            lib.tensor([[0, 0, 1], [1, 1, 0]], dtype=lib.bool), lib.tensor([[1, 2, 3], [4, 5, 6]])
        ),
    ),
    "in-place arithmetic and clamping": lambda lib: (
        lib.tensor([1.0, 2.0, 3.0]).add_(lib.tensor([1.0, 1.0, 1.0]), alpha=2),
        lib.tensor([1.0, 2.0, 3.0]).mul_(2).sub_(1).div_(4),
        lib.tensor([-1.0, 0.5, 3.0]).clamp_(0, 1),
        lib.tensor([-1.0, 0.5, 3.0]).abs_().sqrt_(),
        lib.tensor([[1.0, 2.0], [3.0, 4.0]]).t_(),
        lib.tensor([[1.0, 2.0], [3.0, 4.0]]).unsqueeze_(0),
        lib.zeros(2, 3).fill_(7).zero_(),
        lib.zeros(3).copy_(lib.tensor([1, 2, 3])),
    ),
}


@pytest.mark.parametrize("name", sorted(TENSOR_METHODS))
def test_tensor_method_examples_match_torch(name):
    check(TENSOR_METHODS[name])


def test_dim_order_ambiguity_example_runs_as_torchs():
    def example(lib):
        try:
            lib.empty((1, 2, 3, 4)).dim_order(ambiguity_check=True)
        except RuntimeError:
            caught = True
        else:
            caught = False
        try:
            lib.empty((1, 2, 3, 4)).dim_order(ambiguity_check="ILLEGAL")
        except TypeError:
            refused = True
        else:
            refused = False
        return caught, refused

    check(example)


def test_set_flush_denormal_reports_that_subnormals_are_kept():
    # torch's example flushes 1e-323 to 0 where the CPU allows it; numpy always keeps it, and says so
    assert autograd.set_flush_denormal(True) is False
    assert autograd.tensor([1e-323], dtype=autograd.float64).item() == 1e-323
    assert autograd.set_flush_denormal(False) is True is torch.set_flush_denormal(False)
    assert (
        torch.tensor([1e-323], dtype=torch.float64).item() == autograd.tensor([1e-323], dtype=autograd.float64).item()
    )
    for lib in (autograd, torch):
        with pytest.raises(RuntimeError, match="bool"):
            lib.set_flush_denormal(1)


def test_typename_examples_match_torch_up_to_the_package_name():
    import nn

    assert autograd.typename(autograd.tensor([1, 2, 3])) == "autograd.LongTensor"
    assert torch.typename(torch.tensor([1, 2, 3])) == "torch.LongTensor"
    assert autograd.typename(autograd.tensor([1.0])) == "autograd.FloatTensor"  # float32, as this module sets
    assert autograd.typename(nn.Parameter) == "nn.parameter.Parameter"
    assert torch.typename(torch.nn.Parameter) == "torch.nn.parameter.Parameter"
    layer_name = autograd.typename(nn.Linear(1, 1))  # an instance names its class, as torch's
    assert layer_name.startswith("nn.") and layer_name.endswith(".Linear")
    for obj in (3, "a", 1.5, None):
        assert autograd.typename(obj) == torch.typename(obj)


# ---------------------------------------------------------------------------------------------- gradients
# The docstrings' functions differentiated on their examples' shapes: each maps one (3, 4) float64 input (entries
# in (0.1, 0.9), so every function here is smooth there) to a result whose weighted sum is backpropagated.
GRADIENT_CASES = {
    "abs": lambda lib, x: lib.abs(x - 0.5),
    "acos/asin/atan": lambda lib, x: lib.acos(x) + lib.asin(x) + lib.atan(x),
    "acosh/asinh/atanh": lambda lib, x: lib.acosh(x + 1.5) + lib.asinh(x) + lib.atanh(x),
    "addcdiv/addcmul": lambda lib, x: lib.addcdiv(x, x, x + 1, value=0.1) + lib.addcmul(x, x, x.flip(0), value=0.1),
    "amax/amin": lambda lib, x: lib.amax(x, 1) + lib.amin(x, 1),
    "clamp": lambda lib, x: lib.clamp(x, min=0.3, max=0.7),
    "cummax/cummin": lambda lib, x: lib.cummax(x, dim=1).values + lib.cummin(x, dim=0).values[:, :1],
    "cumsum/cumprod/logcumsumexp": lambda lib, x: lib.cumsum(x, 0) + lib.cumprod(x, 1) + lib.logcumsumexp(x, 1),
    "cumulative_trapezoid/trapezoid": lambda lib, x: lib.cumulative_trapezoid(x, dx=2).sum() + lib.trapezoid(x, x),
    "diag/diag_embed/diagonal/trace": lambda lib, x: (
        lib.diag(x[0]).sum(0)[:3].sum() + lib.diag_embed(x, offset=1).sum() + lib.diagonal(x, 1).sum() + lib.trace(x)
    ),
    "diff": lambda lib, x: lib.diff(x, dim=1) ** 2,
    "dist/cdist": lambda lib, x: lib.dist(x, x.flip(1), 3) + lib.cdist(x, x.flip(0)).sum(),
    "einsum/tensordot/kron": lambda lib, x: (
        lib.einsum("ij,kj->ik", x, x).sum()
        + lib.tensordot(x, x, dims=([1], [1])).sum()
        + lib.kron(x[:2, :2], x[1:, 2:]).sum()
    ),
    "erf/erfc/erfinv/lgamma/digamma": lambda lib, x: (
        lib.erf(x) + lib.erfc(x) + lib.erfinv(x) + lib.lgamma(x) + lib.digamma(x)
    ),
    "exp/exp2/expm1/log/log2/log10/log1p": lambda lib, x: (
        lib.exp(x) + lib.exp2(x) + lib.expm1(x) + lib.log(x) + lib.log2(x) + lib.log10(x) + lib.log1p(x)
    ),
    "fmod/remainder": lambda lib, x: lib.fmod(x * 7, 2) + lib.remainder(x * 7, -1.5),
    "gather/take_along_dim/index_select": lambda lib, x: (
        lib.gather(x, 1, lib.tensor([[0, 0], [1, 0], [3, 2]])).sum()
        + lib.take_along_dim(x, lib.argsort(x, dim=1), dim=1)[:, 0].sum()
        + lib.index_select(x, 1, lib.tensor([0, 2, 2])).sum()
    ),
    "hypot/atan2/logaddexp/copysign": lambda lib, x: (
        lib.hypot(x, x.flip(0)) + lib.atan2(x, x.flip(1)) + lib.logaddexp(x, -x) + lib.copysign(x, x - 0.5)
    ),
    "lerp/maximum/minimum/fmax/fmin": lambda lib, x: (
        lib.lerp(x, x.flip(0), 0.25)
        + lib.maximum(x, x.flip(1))
        + lib.minimum(x, x.flip(0))
        + lib.fmax(x, 1 - x)
        + lib.fmin(x, 1 - x)
    ),
    "logsumexp/norm/std/var/mean/prod": lambda lib, x: (
        lib.logsumexp(x, 1)
        + lib.norm(x, dim=1)
        + lib.std(x, 1)
        + lib.var(x, 1, correction=0)
        + lib.mean(x, 1)
        + lib.prod(x, 1)
    ),
    "linalg": lambda lib, x: (
        lib.linalg.det(x[:, :3] + lib.eye(3, dtype=x.dtype))
        + lib.linalg.inv(x[:, 1:] + lib.eye(3, dtype=x.dtype)).sum()
        + lib.linalg.matrix_norm(x)
        + lib.linalg.vector_norm(x, 3.5)
        + lib.linalg.svdvals(x).sum()
        + lib.linalg.slogdet(x[:, :3] + 2 * lib.eye(3, dtype=x.dtype)).logabsdet
    ),
    "masked_fill/where/masked_select": lambda lib, x: (
        lib.where(x > 0.5, x, x**2) + x.masked_fill(x < 0.3, 0.0) + lib.masked_select(x, x > 0.4).sum()
    ),
    "matmul/mm/mv/outer/inner/addmm": lambda lib, x: (
        (lib.matmul(x, x.T) + lib.mm(x, x.t())).sum()
        + lib.mv(x, x[0]).sum()
        + lib.outer(x[0], x[1]).sum()
        + lib.inner(x, x).sum()
        + lib.addmm(x[:, :3], x, x.T[:, :3]).sum()
    ),
    "median/kthvalue/quantile/topk/sort": lambda lib, x: (
        lib.median(x, 1).values
        + lib.kthvalue(x, 2, 1).values
        + lib.quantile(x, 0.3, dim=1)
        + lib.topk(x, 2, dim=1).values.sum(1)
        + lib.sort(x, dim=1).values[:, 1]
    ),
    "pow/float_power/sqrt/rsqrt/reciprocal/square": lambda lib, x: (
        lib.pow(x, 2.5)
        + lib.pow(2, x)
        + lib.float_power(x, 3).to(x.dtype)
        + lib.sqrt(x)
        + lib.rsqrt(x)
        + lib.reciprocal(x)
        + lib.square(x)
    ),
    "roll/flip/rot90/tile/repeat_interleave": lambda lib, x: (
        lib.roll(x, 1, 0) * lib.flip(x, [0, 1])
        + lib.rot90(x[:, :3], 1, [0, 1])[:, :1]
        + lib.tile(x[:, :2], (1, 2))
        + lib.repeat_interleave(x[:, :2], 2, dim=1)
    ),
    "scatter/scatter_add/scatter_reduce/index_add": lambda lib, x: (
        lib.zeros(3, 5, dtype=x.dtype).scatter(1, lib.tensor([[0, 1, 2, 4]] * 3), x).sum(0)
        + lib.zeros(3, 5, dtype=x.dtype).scatter_add(1, lib.tensor([[0, 1, 1, 4]] * 3), x).sum(0)
        + lib.zeros(3, 5, dtype=x.dtype).scatter_reduce(1, lib.tensor([[0, 1, 1, 4]] * 3), x, "amax").sum(0)
        + lib.zeros(5, 4, dtype=x.dtype).index_add(0, lib.tensor([0, 4, 0]), x).sum(1)
    ),
    "sigmoid/logit/tanh/sinc/xlogy/special": lambda lib, x: (
        lib.sigmoid(x)
        + lib.logit(x)
        + lib.tanh(x)
        + lib.sinc(x)
        + lib.xlogy(x, x + 1)
        + lib.special.erfcx(x)
        + lib.special.ndtr(x)
        + lib.special.ndtri(x)
        + lib.special.log_ndtr(x)
        + lib.special.i0e(x)
        + lib.special.i1(x)
        + lib.special.xlog1py(x, x)
        + lib.special.entr(x)
    ),
    "softmax/log_softmax": lambda lib, x: lib.softmax(x, 1) * lib.log_softmax(x, 0),
    "split/chunk/unbind/stack/cat": lambda lib, x: (
        lib.cat(x.split(2, 1), 0).sum(1)[:3]
        + lib.stack(x.chunk(2, 1), 0).sum((0, 2))
        + lib.stack(lib.unbind(x, 1), 1).sum(1)
    ),
    "tril/triu/narrow/unfold": lambda lib, x: (
        lib.tril(x, -1).sum() + lib.triu(x, 1).sum() + lib.narrow(x, 1, 1, 2).sum() + x.unfold(1, 2, 1).prod(-1).sum()
    ),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradients_of_the_examples_functions_match_torch(name):
    data = np.random.default_rng(11).uniform(0.1, 0.9, (3, 4))

    def example(lib):
        x = lib.tensor(data, requires_grad=True)
        out = GRADIENT_CASES[name](lib, x)
        weights = lib.tensor(np.random.default_rng(12).standard_normal(tuple(out.shape)))
        (grad,) = lib.autograd.grad((out * weights).sum(), x)
        return out.detach(), grad

    check(example)


# ---------------------------------------------------------------------------------------------- autograd's own pages
def _save_for_backward_example(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, z):
            w = x * z
            out = x * y + y * z + w * y
            ctx.save_for_backward(x, y, w, out)
            ctx.z = z  # z is not a tensor
            return out

        @staticmethod
        def backward(ctx, grad_out):
            x, y, w, out = ctx.saved_tensors
            z = ctx.z
            return grad_out * (y + y * z), grad_out * (x + z + w), None

    a = lib.tensor(1.0, requires_grad=True, dtype=lib.double)
    b = lib.tensor(2.0, requires_grad=True, dtype=lib.double)
    d = Func.apply(a, b, 4)
    d.backward()
    return d, a.grad, b.grad


def _mark_non_differentiable_example(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return values, idx

        @staticmethod
        def backward(ctx, g1, g2):  # still needs to accept g2
            x, idx = ctx.saved_tensors
            grad_input = lib.zeros_like(x)
            grad_input.index_add_(0, idx, g1)
            return grad_input

    x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, idx = Func.apply(x)
    (values * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
    return values, idx, idx.requires_grad, x.grad


def _set_materialize_grads_example(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(x)
            return x.clone(), x.clone()

        @staticmethod
        def backward(ctx, g1, g2):
            (x,) = ctx.saved_tensors
            grad_input = lib.zeros_like(x)
            seen = (g1 is not None, g2 is not None)
            if g1 is not None:
                grad_input += g1
            if g2 is not None:
                grad_input += g2
            calls.append(seen)
            return grad_input

    calls = []
    a = lib.tensor(1.0, requires_grad=True)
    b, _ = Func.apply(a)  # leaves g2 undefined
    (b * 3).backward()
    return a.grad, calls


def _multi_grad_hook_example(lib):
    a = fixed(lib, (2, 3), requires_grad=True)
    b = fixed(lib, (2, 3), 1, requires_grad=True)
    c = a * b
    d = a * b
    seen = []
    lib.autograd.graph.register_multi_grad_hook((a, b, c, d), lambda grads: seen.append([g is not None for g in grads]))
    c.sum().backward(retain_graph=True)
    c.sum().backward(inputs=(a,), retain_graph=True)
    return seen, a.grad


def _saved_tensors_hooks_example(lib):
    # the docstring's y = a * b, as a custom Function's save_for_backward (what the hooks see here)
    packed, unpacked = [], []

    def pack_hook(x):
        packed.append(x.detach().clone())
        return x.detach()

    def unpack_hook(x):
        unpacked.append(x.clone())
        return x

    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a

    a = lib.ones(5, requires_grad=True)
    b = lib.ones(5, requires_grad=True) * 2
    with lib.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = Mul.apply(a, b)
    y.sum().backward()
    return packed, unpacked, a.grad


def _grad_mode_examples(lib):
    x = lib.tensor([1.0], requires_grad=True)
    with lib.no_grad():
        y = x * 2

    @lib.no_grad()
    def doubler(x):
        return x * 2

    with lib.no_grad():
        with lib.enable_grad():
            w = x * 2
    w.backward()

    @lib.enable_grad()
    def tripler(x):
        return x * 3

    with lib.no_grad():
        z = tripler(x)
    with lib.set_grad_enabled(False):
        v = x * 2
    lib.set_grad_enabled(True)
    u = x * 2
    with lib.inference_mode():
        t = x * x

    @lib.inference_mode()
    def square(x):
        return x * x

    return (
        y.requires_grad,
        doubler(x).requires_grad,
        w.requires_grad,
        x.grad,
        z.requires_grad,
        v.requires_grad,
        u.requires_grad,
        t.requires_grad,
        square(x).requires_grad,
    )


AUTOGRAD_PAGES = {
    "Function.save_for_backward": _save_for_backward_example,
    "Function.mark_non_differentiable": _mark_non_differentiable_example,
    "Function.set_materialize_grads": _set_materialize_grads_example,
    "graph.register_multi_grad_hook": _multi_grad_hook_example,
    "graph.saved_tensors_hooks": _saved_tensors_hooks_example,
    "no_grad/enable_grad/set_grad_enabled/inference_mode": _grad_mode_examples,
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD_PAGES))
def test_autograd_page_examples_match_torch(name):
    try:
        check(AUTOGRAD_PAGES[name])
    finally:
        autograd.set_grad_enabled(True)
        torch.set_grad_enabled(True)


def test_anomaly_mode_names_the_forward_of_a_failing_backward():
    # torch also warns on entering anomaly mode ("will increase the runtime"); ours enters quietly
    for lib in (autograd, torch):

        class MyFunc(lib.autograd.Function):
            @staticmethod
            def forward(ctx, inp):
                return inp.clone()

            @staticmethod
            def backward(ctx, grad):
                raise RuntimeError("Some error in backward")

        inp = fixed(lib, (10, 10), requires_grad=True)
        with pytest.raises(RuntimeError, match="Some error in backward"):
            MyFunc.apply(inp).sum().backward()
        with pytest.warns(UserWarning) as caught, lib.autograd.detect_anomaly():
            out = MyFunc.apply(inp).sum()
            with pytest.raises(RuntimeError, match="Some error in backward"):
                out.backward()
        notices = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
        assert len(notices) == 1 and "Error detected in MyFuncBackward. Traceback of forward call" in notices[0]
