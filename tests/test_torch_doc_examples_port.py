"""Ported from the ``>>>`` examples of torch 2.13's own docstrings (``torch.<fn>.__doc__``, ``torch.Tensor.<method>``,
``torch.linalg.*``, ``torch.special.*``, ``torch.autograd.grad``/``backward``/``functional.*`` and
``torch.autograd.Function``): the tensor functions a course student or a torch user reaches for first (creation,
elementwise maths, reductions, shape and joining ops, indexing and scattering, sorting and searching, products and
linalg, the special functions and autograd), each example translated by hand into a function of the library
module ``lib`` and run twice, with ``lib = autograd`` and with ``lib = torch``, on the same inputs. Where the docstring
draws ``torch.randn``/``torch.rand``, both sides are given one fixed array instead. Shapes, dtypes, values,
tuple structure (``values``/``indices`` fields) and, where the example differentiates, gradients must be torch's.
The module sets ``autograd.set_default_dtype(np.float32)`` for its tests, which is how a torch script runs here.
This file holds creation, elementwise maths, reductions, shapes and indexing; products and linalg, special
functions, autograd, the Tensor methods and the gradients are in tests/test_torch_doc_examples_linalg_autograd_port.py
(the shared helpers in tests/torch_function_doc_examples.py). This docstring covers both.

All of torch's docstring examples were first run through both libraries by a throwaway script (with the random
draws replaced by fixed arrays) to find the ones this library could not run. Fixed or added beside this port:

* ``dim_order(ambiguity_check=True)`` is also torch's RuntimeError (its example catches one);
* a post-accumulate-grad hook may return the tensor itself (the example's ``lambda p: p.add_(p.grad, alpha=-lr)``);
* anomaly mode warns, as torch's, with the forward call of a backward step that raised (``detect_anomaly``'s
  example);
* the missing ``gradient``, ``histogramdd``, ``frombuffer`` (a read-only buffer gives a tensor that refuses
  writes, where torch warns and writes), ``empty_strided``, ``empty_permuted``, ``typename`` and
  ``set_flush_denormal`` (answering that numpy keeps subnormal numbers).

Left out, as deliberate differences:

* numpy's readings kept on purpose (README): the default dtype is float64 unless set (this module sets float32),
  ``x.max(1)`` gives values only (torch's pairs are ``x.max(dim=1)`` and ``autograd.max(x, 1)``, which are used
  here), ``x.std()``/``x.var()`` use ddof 0 (``autograd.std(x)`` and ``dim=`` are torch's), ``x.repeat`` is
  numpy's repeat (``x.repeat(4, 2)`` of torch's docstring is ``tile`` here), ``autograd.split(x, 2)`` and
  ``autograd.split(x, [1, 4])`` are numpy's sections and split points (torch's sizes are spelled ``x.split(2)``
  or ``split_size_or_sections=``), ``squeeze(x, 0)`` of an axis whose length is not 1 raises (torch's leaves it,
  ``squeeze(x, dim=0)`` is torch's), ``x.shape`` is a plain tuple, and ``.grad`` reads as a ``GradientArray``;
* complex tensors (``polar``, ``sgn``, ``view_as_complex``, ``real``/``imag``, ``linalg.eig``, complex
  ``set_default_dtype``), sparse, quantized, named tensors, CUDA/MPS devices and the channels_last memory format
  (``empty((2, 3, 5, 7), memory_format=torch.channels_last)``, ``dim_order`` with a list of memory formats;
  ``empty_permuted``'s examples run), float16/bfloat16;
* functions this library does not have: ``vmap``/``torch.func``, ``linalg.ldl_factor``/``ldl_solve``, ``geqrf``,
  ``as_strided_scatter``, ``from_file``, ``hash_tensor``, the deprecated ``set_default_tensor_type``,
  ``Tensor.grad_dtype`` and ``autograd.graph.allow_mutation_on_saved_tensors``;
* ``saved_tensors_hooks`` see only what custom Functions save (the library's own ops save nothing: their rules read
  their operands when backward runs, as autograd/saved_tensors_hooks.py says), so the docstring's ``a * b`` packs
  nothing here (it is run as a custom Function's product); and anomaly mode does not warn when it is switched on
  (torch's "will increase the runtime");
* examples whose output is random or uninitialised (``empty``, ``new_empty``, ``bernoulli``, ``multinomial``,
  ``poisson``, ``normal``, the ``uniform_``-filled inputs of ``acosh``/``atanh``/``multigammaln``) or
  implementation-defined (the index order of an unstable ``sort`` of ties; ``stable=True`` is compared);
* torch's deprecation notice for ``chain_matmul`` (ours computes the same product without it; torch's notice is
  filtered where that example runs);
* ``torch.save``/``load``/``from_dlpack`` and the ``nn.functional`` examples that sit in ``torch``'s namespace
  (convolutions, pooling, ``pixel_shuffle``): other ports cover those.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from torch_function_doc_examples import check, fixed, float32_default  # noqa: F401 - float32_default is autouse here

import autograd

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------------------------------------- creation
CREATION = {
    "tensor": lambda lib: (
        lib.tensor([[0.1, 1.2], [2.2, 3.1], [4.9, 5.2]]),
        lib.tensor([0, 1]),
        lib.tensor([[0.11111, 0.222222, 0.3333333]], dtype=lib.float64),
        lib.tensor(3.14159),
        lib.tensor([]),
    ),
    "as_tensor": lambda lib: lib.as_tensor(np.array([1, 2, 3])) + 0,
    "asarray": lambda lib: (lib.asarray([[1.0, 2.0], [3.0, 4.0]]), lib.asarray(np.array([1, 2, 3]))),
    "zeros": lambda lib: (lib.zeros(2, 3), lib.zeros(5)),
    "ones": lambda lib: (lib.ones(2, 3), lib.ones(5)),
    "full": lambda lib: lib.full((2, 3), 3.141592),
    "zeros_like/ones_like/full_like": lambda lib: (
        lib.zeros_like(lib.empty(2, 3)),
        lib.ones_like(lib.empty(2, 3)),
        lib.full_like(lib.tensor([1, 2]), 7),
    ),
    "empty shape and dtype": lambda lib: (lib.empty((2, 3), dtype=lib.int64).shape, lib.empty(2, 3).dtype),
    "arange": lambda lib: (lib.arange(5), lib.arange(1, 4), lib.arange(1, 2.5, 0.5)),
    "linspace": lambda lib: (
        lib.linspace(3, 10, steps=5),
        lib.linspace(-10, 10, steps=5),
        lib.linspace(start=-10, end=10, steps=5),
        lib.linspace(start=-10, end=10, steps=1),
    ),
    "logspace": lambda lib: (
        lib.logspace(start=-10, end=10, steps=5),
        lib.logspace(start=0.1, end=1.0, steps=5),
        lib.logspace(start=0.1, end=1.0, steps=1),
        lib.logspace(start=2, end=2, steps=1, base=2),
    ),
    "eye": lambda lib: lib.eye(3),
    "tril_indices/triu_indices": lambda lib: (
        lib.tril_indices(3, 3),
        lib.tril_indices(4, 3, -1),
        lib.tril_indices(4, 3, 1),
        lib.triu_indices(3, 3),
        lib.triu_indices(4, 3, -1),
        lib.triu_indices(4, 3, 1),
    ),
    "diag": lambda lib: (
        lib.diag(lib.tensor([0.5, -0.2, 1.1])),
        lib.diag(lib.tensor([0.5, -0.2, 1.1]), 1),
        lib.diag(fixed(lib, (3, 3)), 0),
        lib.diag(fixed(lib, (3, 3)), 1),
    ),
    "diag_embed": lambda lib: (
        lib.diag_embed(fixed(lib, (2, 3))),
        lib.diag_embed(fixed(lib, (2, 3)), offset=1, dim1=0, dim2=2),
    ),
    "diagflat": lambda lib: (lib.diagflat(lib.tensor([-0.5, 0.2, 1.1])), lib.diagflat(lib.tensor([-0.5, 0.2, 1.1]), 1)),
    "block_diag": lambda lib: lib.block_diag(
        lib.tensor([[0, 1], [1, 0]]),
        lib.tensor([[3, 4, 5], [6, 7, 8]]),
        lib.tensor(7),
        lib.tensor([1, 2, 3]),
        lib.tensor([[4], [5], [6]]),
    ),
    "cartesian_prod": lambda lib: lib.cartesian_prod(lib.tensor([1, 2, 3]), lib.tensor([4, 5])),
    "combinations": lambda lib: (
        lib.combinations(lib.tensor([1, 2, 3]), r=2),
        lib.combinations(lib.tensor([1, 2, 3]), r=3),
        lib.combinations(lib.tensor([1, 2, 3]), with_replacement=True),
    ),
    "meshgrid ij": lambda lib: lib.meshgrid(lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]), indexing="ij"),
    "meshgrid xy": lambda lib: lib.meshgrid(lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]), indexing="xy"),
    "vander": lambda lib: (
        lib.vander(lib.tensor([1, 2, 3, 5])),
        lib.vander(lib.tensor([1, 2, 3, 5]), N=3),
        lib.vander(lib.tensor([1, 2, 3, 5]), N=3, increasing=True),
    ),
    "heaviside": lambda lib: (
        lib.heaviside(lib.tensor([-1.5, 0, 2.0]), lib.tensor([0.5])),
        lib.heaviside(lib.tensor([-1.5, 0, 2.0]), lib.tensor([1.2, -2.0, 3.5])),
    ),
    "from_numpy": lambda lib: lib.from_numpy(np.array([1, 2, 3])),
    "clone/detach": lambda lib: (lib.tensor([1.0, 2.0]).clone(), lib.tensor([1.0, 2.0]).detach()),
    "new_full/new_zeros/new_ones/new_tensor": lambda lib: (
        lib.ones((2,), dtype=lib.float64).new_full((3, 4), 3.141592),
        lib.tensor((), dtype=lib.float64).new_zeros((2, 3)),
        lib.tensor((), dtype=lib.int32).new_ones((2, 3)),
        lib.ones((2,), dtype=lib.int8).new_tensor([[0, 1], [2, 3]]),
    ),
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation_examples_match_torch(name):
    check(CREATION[name])


def test_deprecated_range_includes_its_end_and_warns_as_torchs():
    def example(lib):
        with pytest.warns(UserWarning, match="deprecated"):
            return lib.range(1, 4), lib.range(1, 4, 0.5)

    check(example)


# ---------------------------------------------------------------------------------------------- elementwise maths
def _a4(lib, seed=0):
    return fixed(lib, (4,), seed)


ELEMENTWISE = {
    "abs": lambda lib: lib.abs(lib.tensor([-1, -2, 3])),
    "acos/asin/atan": lambda lib: tuple(
        f(lib.tensor([0.3348, -0.5889, 0.2005, -0.1584])) for f in (lib.acos, lib.asin, lib.atan)
    ),
    "cos/sin/tan/cosh/sinh/tanh": lambda lib: tuple(
        f(_a4(lib)) for f in (lib.cos, lib.sin, lib.tan, lib.cosh, lib.sinh, lib.tanh)
    ),
    "acosh/asinh/atanh": lambda lib: (
        lib.acosh(1 + fixed(lib, (4,), 1, "uniform")),
        lib.asinh(_a4(lib)),
        lib.atanh(fixed(lib, (4,), 2, "uniform") * 2 - 1),
    ),
    "add": lambda lib: (
        lib.add(lib.tensor([0.0202, 1.0985, 1.3506, -0.6056]), 20),
        lib.add(_a4(lib), fixed(lib, (4, 1), 1), alpha=10),
    ),
    "sub/mul/div": lambda lib: (
        lib.sub(lib.tensor((1, 2)), lib.tensor((0, 1)), alpha=2),
        lib.mul(lib.tensor([0.2015, -0.4255, 2.6087]), 100),
        lib.mul(fixed(lib, (4, 1)), fixed(lib, (1, 4), 1)),
        lib.div(lib.tensor([0.3810, 1.2774, -0.2972, -0.3719, 0.4637]), 0.5),
    ),
    "div rounding modes": lambda lib: (
        tuple(
            lib.div(
                lib.tensor([-0.3711, -1.9353, -0.4605, -0.2917]), lib.tensor([0.8032, 0.2930, -0.8113, -0.2308]), **kw
            )
            for kw in ({}, {"rounding_mode": "trunc"}, {"rounding_mode": "floor"})
        )
        + (lib.div(lib.tensor([4.0, 3.0]), 2.0, rounding_mode="floor"),)
    ),
    "true_divide/floor_divide": lambda lib: (
        lib.true_divide(lib.tensor([4.0, 3.0]), lib.tensor([2.0, 2.0])),
        lib.floor_divide(lib.tensor([4.0, 3.0]), lib.tensor([2.0, 2.0])),
        lib.floor_divide(lib.tensor([4.0, 3.0]), 1.4),
    ),
    "addcdiv/addcmul": lambda lib: (
        lib.addcdiv(fixed(lib, (1, 3)), fixed(lib, (3, 1), 1), fixed(lib, (1, 3), 2), value=0.1),
        lib.addcmul(fixed(lib, (1, 3)), fixed(lib, (3, 1), 1), fixed(lib, (1, 3), 2), value=0.1),
    ),
    "clamp": lambda lib: (
        lib.clamp(lib.tensor([-1.7120, 0.1734, -0.0478, -0.0922]), min=-0.5, max=0.5),
        lib.clamp(_a4(lib), min=lib.linspace(-1, 1, steps=4)),
        lib.clip(lib.tensor([-1.7120, 0.1734]), -0.5, 0.5),
    ),
    "ceil/floor/trunc/frac/round": lambda lib: (
        lib.ceil(lib.tensor([-0.6341, -1.4208, -1.0900, 0.5826])),
        lib.floor(lib.tensor([-0.8166, 1.5308, -0.2530, -0.2091])),
        lib.trunc(lib.tensor([3.4742, 0.5466, -0.8008, -0.9079])),
        lib.frac(lib.tensor([1, 2.5, -3.2])),
        lib.round(lib.tensor((4.7, -2.3, 9.1, -7.7))),
        lib.round(lib.tensor([-0.5, 0.5, 1.5, 2.5])),
        lib.round(lib.tensor([0.1234567]), decimals=3),
        lib.round(lib.tensor([1200.1234567]), decimals=-3),
    ),
    "exp family": lambda lib: (
        lib.exp(lib.tensor([0, math.log(2.0)])),
        lib.exp2(lib.tensor([0, math.log2(2.0), 3, 4])),
        lib.expm1(lib.tensor([0, math.log(2.0)])),
        lib.special.expit(_a4(lib)),
        lib.sigmoid(_a4(lib)),
    ),
    "log family": lambda lib: (
        lib.log(lib.tensor([4.7767, 4.3234, 1.2156, 0.2411, 4.5739])),
        lib.log2(lib.tensor([0.8419, 0.8003, 0.9971, 0.5287, 0.0490])),
        lib.log10(lib.tensor([0.5224, 0.9354, 0.7257, 0.1301, 0.2251])),
        lib.log1p(lib.tensor([-1.0090, -0.9923, 1.0249, -0.5372, 0.2492])),
        lib.logit(lib.tensor([0.2796, 0.9331, 0.6486, 0.1523, 0.6516]), eps=1e-6),
    ),
    "sqrt/rsqrt/square/reciprocal/neg": lambda lib: (
        lib.sqrt(lib.tensor([-2.0755, 1.0226, 0.0831, 0.4806])),
        lib.rsqrt(lib.tensor([-0.0370, 0.2970, 1.5420, -0.9105])),
        lib.square(lib.tensor([-2.0755, 1.0226, 0.0831, 0.4806])),
        lib.reciprocal(lib.tensor([-0.4595, -2.1219, -1.4314, 0.7298])),
        lib.neg(lib.tensor([0.0090, -0.2262, -0.0682, -0.2866, 0.3940])),
    ),
    "pow/float_power": lambda lib: (
        lib.pow(lib.tensor([0.4331, 1.2475, 0.6834, -0.2791]), 2),
        lib.pow(lib.arange(1.0, 5.0), lib.arange(1.0, 5.0)),
        lib.pow(2, lib.arange(1.0, 5.0)),
        lib.float_power(lib.tensor([2, 6, 8, 3]), 2),
        lib.float_power(lib.arange(1, 5), lib.tensor([2, -3, 4, -5])),
    ),
    "fmod/remainder": lambda lib: (
        lib.fmod(lib.tensor([-3.0, -2, -1, 1, 2, 3]), 2),
        lib.fmod(lib.tensor([1, 2, 3, 4, 5]), -1.5),
        lib.remainder(lib.tensor([-3.0, -2, -1, 1, 2, 3]), 2),
        lib.remainder(lib.tensor([1, 2, 3, 4, 5]), -1.5),
    ),
    "lerp": lambda lib: (
        lib.lerp(lib.arange(1.0, 5.0), lib.empty(4).fill_(10), 0.5),
        lib.lerp(lib.arange(1.0, 5.0), lib.empty(4).fill_(10), lib.full_like(lib.arange(1.0, 5.0), 0.5)),
    ),
    "atan2/hypot/copysign": lambda lib: (
        lib.atan2(lib.tensor([0.9041, 0.0196, -0.3108, -2.4423]), _a4(lib)),
        lib.hypot(lib.tensor([4.0]), lib.tensor([3.0, 4.0, 5.0])),
        lib.copysign(lib.tensor([0.7079, 0.2778, -1.0249, 0.5719]), -1),
        lib.copysign(lib.tensor([1.0, 2.0]), lib.tensor([-0.0, 0.0])),
    ),
    "sign/signbit/sgn": lambda lib: (
        lib.sign(lib.tensor([0.7, -1.2, 0.0, 2.3])),
        lib.signbit(lib.tensor([0.7, -1.2, 0.0, 2.3])),
        lib.signbit(lib.tensor([-0.0, 0.0])),
        lib.sgn(lib.tensor([0.7, -1.2, 0.0, 2.3])),
    ),
    "nan_to_num": lambda lib: (
        lib.nan_to_num(lib.tensor([float("nan"), float("inf"), -float("inf"), 3.14])),
        lib.nan_to_num(lib.tensor([float("nan"), float("inf"), -float("inf"), 3.14]), nan=2.0),
        lib.nan_to_num(lib.tensor([float("nan"), float("inf"), -float("inf"), 3.14]), nan=2.0, posinf=1.0),
    ),
    "logaddexp/logaddexp2": lambda lib: (
        lib.logaddexp(lib.tensor([-1.0]), lib.tensor([-1.0, -2, -3])),
        lib.logaddexp(lib.tensor([-100.0, -200, -300]), lib.tensor([-1.0, -2, -3])),
        lib.logaddexp(lib.tensor([1.0, 2000, 30000]), lib.tensor([-1.0, -2, -3])),
        lib.logaddexp2(lib.tensor([-1.0]), lib.tensor([-1.0, -2, -3])),
    ),
    "erf/erfc/erfinv/lgamma/digamma": lambda lib: (
        lib.erf(lib.tensor([0, -1.0, 10.0])),
        lib.erfc(lib.tensor([0, -1.0, 10.0])),
        lib.erfinv(lib.tensor([0, 0.5, -1.0])),
        lib.lgamma(lib.arange(0.5, 2, 0.5)),
        lib.digamma(lib.tensor([1, 0.5])),
        lib.polygamma(1, lib.tensor([1, 0.5])),
        lib.mvlgamma(fixed(lib, (2, 3), 0, "uniform") + 1.5, 2),
    ),
    "maximum/minimum/fmax/fmin": lambda lib: (
        lib.maximum(lib.tensor((1, 2, -1)), lib.tensor((3, 0, 4))),
        lib.minimum(lib.tensor((1, 2, -1)), lib.tensor((3, 0, 4))),
        lib.fmax(
            lib.tensor([9.7, float("nan"), 3.1, float("nan")]), lib.tensor([-2.2, 0.5, float("nan"), float("nan")])
        ),
        lib.fmin(
            lib.tensor([2.2, float("nan"), 2.1, float("nan")]), lib.tensor([-9.3, 0.1, float("nan"), float("nan")])
        ),
    ),
    "gcd/lcm/bitwise": lambda lib: (
        lib.gcd(lib.tensor([5, 10, 15]), lib.tensor([3, 4, 5])),
        lib.gcd(lib.tensor([5, 10, 15]), lib.tensor([3])),
        lib.lcm(lib.tensor([5, 10, 15]), lib.tensor([3, 4, 5])),
        lib.bitwise_and(lib.tensor([-1, -2, 3], dtype=lib.int8), lib.tensor([1, 0, 3], dtype=lib.int8)),
        lib.bitwise_or(lib.tensor([-1, -2, 3], dtype=lib.int8), lib.tensor([1, 0, 3], dtype=lib.int8)),
        lib.bitwise_xor(lib.tensor([-1, -2, 3], dtype=lib.int8), lib.tensor([1, 0, 3], dtype=lib.int8)),
        lib.bitwise_not(lib.tensor([-1, -2, 3], dtype=lib.int8)),
        lib.bitwise_left_shift(lib.tensor([-1, -2, 3], dtype=lib.int8), lib.tensor([1, 0, 3], dtype=lib.int8)),
        lib.bitwise_and(lib.tensor([True, True, False]), lib.tensor([False, True, False])),
    ),
    "logical": lambda lib: (
        lib.logical_and(lib.tensor([True, False, True]), lib.tensor([True, False, False])),
        lib.logical_or(lib.tensor([0, 1, 10, 0], dtype=lib.int8), lib.tensor([4, 0, 1, 0], dtype=lib.int8)),
        lib.logical_xor(lib.tensor([0.0, 1.0, 10.0, 0.0]), lib.tensor([4.0, 0.0, 1.0, 0.0])),
        lib.logical_not(lib.tensor([0, 1, -10], dtype=lib.int8)),
    ),
    "ldexp/frexp/nextafter": lambda lib: (
        lib.ldexp(lib.tensor([1.0]), lib.tensor([1])),
        lib.ldexp(lib.ones(4), lib.tensor([1, 2, 3, 4])),
        lib.frexp(lib.arange(9.0)),
        lib.nextafter(lib.tensor([1.0, 2.0]), lib.tensor([2.0, 1.0])) - lib.tensor([1.0, 2.0]),
    ),
    "deg2rad/rad2deg/xlogy/sinc/i0": lambda lib: (
        lib.deg2rad(lib.tensor([[180.0, -180.0], [360.0, -360.0], [90.0, -90.0]])),
        lib.rad2deg(lib.tensor([[3.142, -3.142], [6.283, -6.283], [1.570, -1.570]])),
        lib.xlogy(lib.zeros(5), lib.tensor([0, 1, 2.0, float("inf"), float("nan")])),
        lib.xlogy(lib.tensor([1, 2, 3]), lib.tensor([3, 2, 1])),
        lib.xlogy(lib.tensor([1, 2, 3]), 4),
        lib.sinc(_a4(lib)),
        lib.i0(lib.arange(5, dtype=lib.float32)),
    ),
    "comparisons": lambda lib: (
        lib.eq(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 1], [4, 4]])),
        lib.ne(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 1], [4, 4]])),
        lib.gt(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 1], [4, 4]])),
        lib.ge(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 1], [4, 4]])),
        lib.lt(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 1], [4, 4]])),
        lib.le(lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 1], [4, 4]])),
        lib.equal(lib.tensor([1, 2]), lib.tensor([1, 2])),
        lib.equal(lib.tensor([3, 2]), lib.tensor([1, 2])),
    ),
    "isclose/allclose/isfinite/isinf/isnan/isreal": lambda lib: (
        lib.isclose(lib.tensor((1.0, 2, 3)), lib.tensor((1 + 1e-10, 3, 4))),
        lib.isclose(lib.tensor((float("inf"), 4)), lib.tensor((float("inf"), 6)), rtol=0.5),
        lib.allclose(lib.tensor([10000.0, 1e-07]), lib.tensor([10000.1, 1e-08])),
        lib.allclose(lib.tensor([10000.0, 1e-08]), lib.tensor([10000.1, 1e-09])),
        lib.allclose(lib.tensor([1.0, float("nan")]), lib.tensor([1.0, float("nan")])),
        lib.allclose(lib.tensor([1.0, float("nan")]), lib.tensor([1.0, float("nan")]), equal_nan=True),
        lib.isfinite(lib.tensor([1, float("inf"), 2, float("-inf"), float("nan")])),
        lib.isinf(lib.tensor([1, float("inf"), 2, float("-inf"), float("nan")])),
        lib.isposinf(lib.tensor([-float("inf"), float("inf"), 1.2])),
        lib.isneginf(lib.tensor([-float("inf"), float("inf"), 1.2])),
        lib.isnan(lib.tensor([1, float("nan"), 2])),
        lib.isreal(lib.tensor([1, 2, 3])),
    ),
    "is_tensor/is_floating_point/is_nonzero/numel": lambda lib: (
        lib.is_tensor(lib.tensor([1, 2, 3])),
        lib.is_floating_point(lib.tensor([1.0])),
        lib.is_nonzero(lib.tensor([0.0])),
        lib.is_nonzero(lib.tensor([1.5])),
        lib.is_nonzero(lib.tensor([3])),
        lib.numel(fixed(lib, (1, 2, 3, 4, 5))),
        lib.numel(lib.zeros(4, 4)),
    ),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_examples_match_torch(name):
    check(ELEMENTWISE[name])


def test_is_nonzero_of_several_values_is_refused_as_torchs():
    with pytest.raises(RuntimeError, match="ambiguous"):
        torch.is_nonzero(torch.tensor([1, 3, 5]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        autograd.is_nonzero(autograd.tensor([1, 3, 5]))
    with pytest.raises(RuntimeError):
        torch.is_nonzero(torch.tensor([]))
    with pytest.raises(RuntimeError):
        autograd.is_nonzero(autograd.tensor([]))


# ---------------------------------------------------------------------------------------------- reductions
def _m(lib, shape=(4, 4), seed=0):
    return fixed(lib, shape, seed)


REDUCTIONS = {
    "sum": lambda lib: (
        lib.sum(fixed(lib, (1, 3))),
        lib.sum(_m(lib), 1),
        lib.sum(lib.arange(4 * 5 * 6).view(4, 5, 6), (2, 1)),
        _m(lib).sum(dim=0, keepdim=True),
    ),
    "nansum": lambda lib: (
        lib.nansum(lib.tensor([1.0, 2.0, float("nan"), 4.0])),
        lib.nansum(lib.tensor([[1, 2], [3.0, float("nan")]]), 0),
    ),
    "mean/nanmean": lambda lib: (
        lib.mean(fixed(lib, (1, 3))),
        lib.mean(_m(lib), 1),
        lib.mean(_m(lib), 1, True),
        lib.nanmean(lib.tensor([[float("nan"), 1], [2, 3]])),
        lib.nanmean(lib.tensor([[float("nan"), 1], [2, 3]]), dim=0),
        lib.tensor([[float("nan"), 1], [2, 3]]).nanmean(dim=1),
    ),
    "prod": lambda lib: (lib.prod(fixed(lib, (1, 3))), lib.prod(fixed(lib, (4, 2)), 1)),
    "max/min pairs": lambda lib: (
        lib.max(fixed(lib, (1, 3))),
        lib.max(_m(lib), 1),
        lib.max(_m(lib), dim=1, keepdim=True),
        lib.max(lib.tensor([0.2, 0.6, 0.3]), lib.tensor([0.4, 0.1, 0.5])),
        lib.min(_m(lib), 1),
        _m(lib).max(dim=0),
    ),
    "amax/amin/aminmax": lambda lib: (
        lib.amax(_m(lib), 1),
        lib.amin(_m(lib), 1),
        lib.aminmax(lib.tensor([1, -3, 5])),
        lib.aminmax(lib.arange(10).view(2, 5), dim=-1, keepdim=True),
    ),
    "argmax/argmin": lambda lib: (
        lib.argmax(_m(lib)),
        lib.argmax(_m(lib), dim=1),
        lib.argmin(_m(lib), dim=1, keepdim=True),
    ),
    "std/var": lambda lib: (
        lib.std(_m(lib, (4, 3)), dim=1, keepdim=True),
        lib.var(_m(lib, (4, 3)), dim=1, keepdim=True),
        lib.std(lib.tensor([[0.2035, 1.2959, 1.8101, -0.4644], [1.5027, -0.3270, 0.5905, 0.6538]]), dim=1),
        lib.var(
            lib.tensor([[0.2035, 1.2959, 1.8101, -0.4644], [1.5027, -0.3270, 0.5905, 0.6538]]), dim=1, correction=0
        ),
        lib.std(_m(lib)),
    ),
    "std_mean/var_mean": lambda lib: (
        lib.std_mean(_m(lib, (4, 3)), dim=0, keepdim=True),
        lib.var_mean(_m(lib, (4, 3)), dim=0, keepdim=True),
        lib.var_mean(_m(lib, (4, 3)), dim=0, correction=0),
    ),
    "median/nanmedian/mode/kthvalue": lambda lib: (
        lib.median(fixed(lib, (1, 3))),
        lib.median(_m(lib, (4, 5)), 1),
        lib.nanmedian(lib.tensor([1, float("nan"), 3, 2])),
        lib.nanmedian(lib.tensor([[2, 3, 1], [float("nan"), 1, float("nan")]]), 0),
        lib.median(lib.tensor([[2, 3, 1], [float("nan"), 1, float("nan")]]), 0),
        lib.mode(lib.tensor([6, 5, 1, 0, 2]), 0),
        lib.mode(lib.tensor([[0, 0, 0, 2, 0, 0, 2], [0, 3, 0, 0, 2, 0, 1], [2, 2, 2, 0, 0, 0, 3]]), -1),
        lib.kthvalue(lib.arange(1.0, 6.0), 4),
        lib.kthvalue(lib.arange(1.0, 7.0).resize_(2, 3), 2, 0, True),
    ),
    "quantile/nanquantile": lambda lib: (
        lib.quantile(fixed(lib, (2,)), lib.tensor([0.25, 0.5, 0.75])),
        lib.quantile(_m(lib, (2, 3)), lib.tensor([0.25, 0.5, 0.75]), dim=1, keepdim=True),
        lib.quantile(_m(lib, (2, 3)), 0.6, dim=1, keepdim=True),
        tuple(
            lib.quantile(lib.arange(4.0), 0.6, interpolation=mode) for mode in ("linear", "lower", "higher", "midpoint")
        ),
        lib.quantile(lib.arange(4.0), 0.6, interpolation="nearest"),
        lib.nanquantile(lib.tensor([float("nan"), 1, 2]), 0.5),
        lib.nanquantile(lib.tensor([[float("nan"), float("nan")], [1, 2]]), 0.5, dim=0),
    ),
    "logsumexp": lambda lib: lib.logsumexp(_m(lib, (3, 3)), 1),
    "cumulative": lambda lib: (
        lib.cumsum(fixed(lib, (10,)), dim=0),
        lib.cumprod(fixed(lib, (10,)), dim=0),
        lib.cummax(fixed(lib, (10,)), dim=0),
        lib.cummin(fixed(lib, (10,)), dim=0),
        lib.logcumsumexp(fixed(lib, (10,)), dim=0),
        lib.cumulative_trapezoid(lib.tensor([1.0, 5.0, 10.0])),
        lib.cumulative_trapezoid(lib.tensor([1.0, 5.0, 10.0]), dx=2),
        lib.cumulative_trapezoid(lib.tensor([1.0, 5.0, 10.0]), lib.tensor([1.0, 3.0, 6.0])),
    ),
    "trapezoid": lambda lib: (
        lib.trapezoid(lib.tensor([1.0, 5.0, 10.0])),
        lib.trapezoid(lib.tensor([1.0, 5.0, 10.0]), dx=2),
        lib.trapezoid(lib.tensor([1.0, 5.0, 10.0]), lib.tensor([1.0, 3.0, 6.0])),
        lib.trapezoid(lib.arange(9).reshape(3, 3)),
        lib.trapezoid(lib.arange(9).reshape(3, 3), dim=0),
        lib.trapezoid(lib.ones(3, 3), lib.tensor([[1, 2, 3], [1, 3, 5], [1, 4, 7]])),
    ),
    "count_nonzero/all/any": lambda lib: (
        lib.count_nonzero(lib.tensor([[0, 1, 7, 0, 0], [0, 0, 0, 0, 5], [0, 0, 0, 2, 0]])),
        lib.count_nonzero(lib.tensor([[0, 1, 7, 0, 0], [0, 0, 0, 0, 5], [0, 0, 0, 2, 0]]), dim=0),
        lib.all(lib.tensor([[True, False]])),
        lib.all(lib.arange(0, 3)),
        lib.all(fixed(lib, (4, 2), 0, (0, 2)).bool(), dim=1),
        lib.any(lib.tensor([[True, False]])),
        lib.any(fixed(lib, (4, 2), 1) < 0, 1),
        lib.any(fixed(lib, (4, 2), 1) < 0, 0),
    ),
    "norm/dist": lambda lib: (
        lib.norm(lib.arange(9, dtype=lib.float32) - 4),
        lib.norm((lib.arange(9, dtype=lib.float32) - 4).reshape(3, 3)),
        lib.norm(lib.arange(9, dtype=lib.float32) - 4, float("inf")),
        lib.norm(lib.tensor([[1, 2, 3], [-1, 1, 4]], dtype=lib.float), dim=0),
        lib.norm(lib.tensor([[1, 2, 3], [-1, 1, 4]], dtype=lib.float), p=1, dim=1),
        lib.norm(lib.arange(8, dtype=lib.float).reshape(2, 2, 2), dim=(1, 2)),
        tuple(lib.dist(fixed(lib, (4,)), fixed(lib, (4,), 1), p) for p in (3.5, 3, 0, 1)),
    ),
    "unique/unique_consecutive": lambda lib: (
        lib.unique(lib.tensor([1, 3, 2, 3], dtype=lib.long)),
        lib.unique(lib.tensor([1, 3, 2, 3], dtype=lib.long), sorted=True, return_inverse=True),
        lib.unique(lib.tensor([[1, 3], [2, 3]], dtype=lib.long), sorted=True, return_inverse=True),
        lib.unique(lib.tensor([[0, 0, 1], [0, 0, 1], [1, 1, 1]]), dim=0, return_inverse=True, return_counts=True),
        lib.unique_consecutive(lib.tensor([1, 1, 2, 2, 3, 1, 1, 2])),
        lib.unique_consecutive(lib.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True),
        lib.unique_consecutive(lib.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_counts=True),
    ),
    "bincount/histc/histogram": lambda lib: (
        lib.bincount(lib.tensor([4, 3, 6, 3, 4])),
        lib.bincount(lib.tensor([4, 3, 6, 3, 4]), weights=lib.linspace(0, 1, steps=5)),
        lib.histc(lib.tensor([1.0, 2, 1]), bins=4, min=0, max=3),
        lib.histogram(lib.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0), weight=lib.tensor([1.0, 2.0, 4.0])),
        lib.histogram(
            lib.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0), weight=lib.tensor([1.0, 2.0, 4.0]), density=True
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_examples_match_torch(name):
    check(REDUCTIONS[name])


# ---------------------------------------------------------------------------------------------- shapes and joining
SHAPES = {
    "reshape/view": lambda lib: (
        lib.reshape(lib.arange(4.0), (2, 2)),
        lib.reshape(lib.tensor([[0, 1], [2, 3]]), (-1,)),
        fixed(lib, (4, 4)).view(16).shape,
        fixed(lib, (4, 4)).view(-1, 8).shape,
        fixed(lib, (1, 2, 3, 4)).transpose(1, 2).shape,
        fixed(lib, (1, 2, 3, 4)).view(1, 3, 2, 4).shape,
        lib.equal(fixed(lib, (1, 2, 3, 4)).transpose(1, 2), fixed(lib, (1, 2, 3, 4)).view(1, 3, 2, 4)),
        fixed(lib, (4, 4)).view_as(lib.empty(2, 8)).shape,
        fixed(lib, (4, 4)).reshape_as(lib.empty(8, 2)),
    ),
    "flatten/unflatten/ravel": lambda lib: (
        lib.flatten(lib.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])),
        lib.flatten(lib.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), start_dim=1),
        lib.unflatten(fixed(lib, (3, 4, 1)), 1, (2, 2)).shape,
        lib.unflatten(fixed(lib, (3, 4, 1)), 1, (-1, 2)).shape,
        lib.unflatten(fixed(lib, (5, 12, 3)), -2, (2, 2, 3, 1, 1)).shape,
        lib.ravel(lib.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])),
    ),
    "squeeze/unsqueeze": lambda lib: (
        lib.squeeze(lib.zeros(2, 1, 2, 1, 2)).size(),
        lib.squeeze(lib.zeros(2, 1, 2, 1, 2), dim=0).size(),
        lib.squeeze(lib.zeros(2, 1, 2, 1, 2), 1).size(),
        lib.unsqueeze(lib.tensor([1, 2, 3, 4]), 0),
        lib.unsqueeze(lib.tensor([1, 2, 3, 4]), 1),
    ),
    "permute/transpose/t/movedim/swapaxes/adjoint": lambda lib: (
        lib.permute(fixed(lib, (2, 3, 5)), (2, 0, 1)).size(),
        lib.transpose(fixed(lib, (2, 3)), 0, 1),
        lib.t(fixed(lib, (2, 3))),
        lib.t(fixed(lib, ())),
        lib.t(fixed(lib, (3,))),
        lib.movedim(fixed(lib, (3, 2, 1)), 1, 0),
        lib.movedim(fixed(lib, (3, 2, 1)), (1, 2), (0, 1)),
        lib.moveaxis(fixed(lib, (3, 2, 1)), 1, 0).shape,
        lib.swapaxes(lib.tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]]), 0, 1),
        lib.swapdims(lib.tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]]), 0, 2),
        lib.adjoint(lib.arange(4.0).reshape(2, 2)),
        fixed(lib, (2, 3, 4)).mT.shape,
    ),
    "cat/stack/hstack/vstack/dstack/column_stack/row_stack": lambda lib: (
        lib.cat((fixed(lib, (2, 3)), fixed(lib, (2, 3)), fixed(lib, (2, 3))), 0),
        lib.cat((fixed(lib, (2, 3)), fixed(lib, (2, 3)), fixed(lib, (2, 3))), 1),
        lib.concat((fixed(lib, (2, 3)), fixed(lib, (2, 1), 1)), dim=1),
        lib.stack((fixed(lib, (2, 3)), fixed(lib, (2, 3), 1))),
        lib.stack((fixed(lib, (2, 3)), fixed(lib, (2, 3), 1)), dim=2),
        lib.stack((fixed(lib, (2, 3)), fixed(lib, (2, 3), 1)), dim=-1),
        lib.hstack((lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]))),
        lib.hstack((lib.tensor([[1], [2], [3]]), lib.tensor([[4], [5], [6]]))),
        lib.vstack((lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]))),
        lib.vstack((lib.tensor([[1], [2], [3]]), lib.tensor([[4], [5], [6]]))),
        lib.dstack((lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]))),
        lib.dstack((lib.tensor([[1], [2], [3]]), lib.tensor([[4], [5], [6]]))),
        lib.column_stack((lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]))),
        lib.column_stack((lib.arange(5), lib.arange(10).reshape(5, 2), lib.arange(10).reshape(5, 2))),
        lib.row_stack((lib.tensor([1, 2, 3]), lib.tensor([4, 5, 6]))),
    ),
    "chunk/split/tensor_split/unbind": lambda lib: (
        lib.arange(11).chunk(6),
        lib.arange(12).chunk(6),
        lib.arange(13).chunk(6),
        lib.arange(10).reshape(5, 2).split(2),
        lib.arange(10).reshape(5, 2).split([1, 4]),
        lib.split(lib.arange(10).reshape(5, 2), split_size_or_sections=[1, 4]),
        lib.tensor_split(lib.arange(8), 3),
        lib.tensor_split(lib.arange(7), 3),
        lib.tensor_split(lib.arange(7), (1, 6)),
        lib.tensor_split(lib.arange(14).reshape(2, 7), 3, dim=1),
        lib.tensor_split(lib.arange(14).reshape(2, 7), (1, 6), dim=1),
        lib.unbind(lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])),
    ),
    "hsplit/vsplit/dsplit": lambda lib: (
        lib.hsplit(lib.arange(16.0).reshape(4, 4), 2),
        lib.hsplit(lib.arange(16.0).reshape(4, 4), [3, 6]),
        lib.vsplit(lib.arange(16.0).reshape(4, 4), 2),
        lib.vsplit(lib.arange(16.0).reshape(4, 4), [3, 6]),
        lib.dsplit(lib.arange(16.0).reshape(2, 2, 4), 2),
        lib.dsplit(lib.arange(16.0).reshape(2, 2, 4), [3, 6]),
    ),
    "narrow/select": lambda lib: (
        lib.narrow(lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 0, 0, 2),
        lib.narrow(lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 1, 1, 2),
        lib.narrow(lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), -1, lib.tensor(-1), 1),
        lib.narrow_copy(lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 1, 1, 2),
        lib.select(lib.tensor([[1, 2, 3], [4, 5, 6]]), 1, 2),
    ),
    "flip/fliplr/flipud/roll/rot90": lambda lib: (
        lib.flip(lib.arange(8).view(2, 2, 2), [0, 1]),
        lib.fliplr(lib.arange(4).view(2, 2)),
        lib.flipud(lib.arange(4).view(2, 2)),
        lib.roll(lib.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2), 1),
        lib.roll(lib.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2), 1, 0),
        lib.roll(lib.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2), -1, 0),
        lib.roll(lib.tensor([1, 2, 3, 4, 5, 6, 7, 8]).view(4, 2), shifts=(2, 1), dims=(0, 1)),
        lib.rot90(lib.arange(4).view(2, 2), 1, [0, 1]),
        lib.rot90(lib.arange(8).view(2, 2, 2), 1, [1, 2]),
        lib.rot90(lib.arange(4).view(2, 2), -1, [0, 1]),
    ),
    "tile/repeat_interleave/expand/broadcast": lambda lib: (
        lib.tile(lib.tensor([1, 2, 3]), (2,)),
        lib.tile(lib.tensor([[1, 2], [3, 4]]), (2, 2)),
        lib.tensor([1, 2, 3]).tile(4, 2),
        lib.repeat_interleave(lib.tensor([1, 2, 3]), 2),
        lib.repeat_interleave(lib.tensor([[1, 2], [3, 4]]), 2),
        lib.repeat_interleave(lib.tensor([[1, 2], [3, 4]]), 3, dim=1),
        lib.repeat_interleave(lib.tensor([[1, 2], [3, 4]]), lib.tensor([1, 2]), dim=0),
        lib.repeat_interleave(lib.tensor([[1, 2], [3, 4]]), lib.tensor([1, 2]), dim=0, output_size=3),
        lib.repeat_interleave(lib.tensor([2, 3, 1])),
        lib.tensor([[1], [2], [3]]).expand(3, 4),
        lib.tensor([[1], [2], [3]]).expand(-1, 4),
        lib.broadcast_to(lib.tensor([1, 2, 3]), (3, 3)),
        lib.broadcast_tensors(lib.arange(3).view(1, 3), lib.arange(2).view(2, 1)),
        lib.broadcast_shapes((2,), (3, 1), (1, 1, 1)),
    ),
    "atleast": lambda lib: (
        lib.atleast_1d(lib.tensor(1.0)),
        lib.atleast_1d((lib.tensor(0.5), lib.tensor(1.0))),
        lib.atleast_2d(lib.tensor(1.0)),
        lib.atleast_2d(lib.arange(4).view(2, 2)),
        lib.atleast_2d((lib.tensor(0.5), lib.tensor(1.0))),
        lib.atleast_3d(lib.tensor(0.5)),
        lib.atleast_3d(lib.arange(4).view(2, 2)),
        lib.atleast_3d(lib.tensor(1).view(1, 1, 1)),
    ),
    "diagonal/diff/tril/triu/trace": lambda lib: (
        lib.diagonal(fixed(lib, (3, 3)), 0),
        lib.diagonal(fixed(lib, (3, 3)), 1),
        lib.diagonal(fixed(lib, (2, 5, 4, 2)), offset=-1, dim1=1, dim2=2),
        lib.diff(lib.tensor([1, 3, 2])),
        lib.diff(lib.tensor([1, 3, 2]), append=lib.tensor([4, 5])),
        lib.diff(lib.tensor([[1, 2, 3], [3, 4, 5]]), dim=0),
        lib.diff(lib.tensor([[1, 2, 3], [3, 4, 5]]), dim=1),
        lib.tril(fixed(lib, (3, 3))),
        lib.tril(fixed(lib, (4, 6)), diagonal=1),
        lib.tril(fixed(lib, (4, 6)), diagonal=-1),
        lib.triu(fixed(lib, (3, 3))),
        lib.triu(fixed(lib, (4, 6)), diagonal=1),
        lib.triu(fixed(lib, (4, 6)), diagonal=-1),
        lib.trace(lib.arange(1.0, 10.0).view(3, 3)),
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_and_joining_examples_match_torch(name):
    check(SHAPES[name])


# ---------------------------------------------------------------------------------------------- indexing and scattering
def _index_add(lib):
    x = lib.ones(5, 3)
    t = lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=lib.float)
    index = lib.tensor([0, 4, 2])
    return x.index_add_(0, index, t), lib.ones(5, 3).index_add_(0, index, t, alpha=-1)


def _index_copy_fill_reduce(lib):
    t = lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=lib.float)
    index = lib.tensor([0, 4, 2])
    copied = lib.zeros(5, 3).index_copy_(0, index, t)
    filled = lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=lib.float).index_fill_(1, lib.tensor([0, 2]), -1)
    x = lib.empty(5, 3).fill_(2)
    t = lib.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]], dtype=lib.float)
    index = lib.tensor([0, 4, 2, 0])
    prod = x.index_reduce_(0, index, t, "prod")
    x2 = lib.empty(5, 3).fill_(2)
    prod_self = x2.index_reduce_(0, index, t, "prod", include_self=False)
    return copied, filled, prod, prod_self


def _scatter(lib):
    src = lib.arange(1, 11).reshape((2, 5))
    index = lib.tensor([[0, 1, 2, 0]])
    a = lib.zeros(3, 5, dtype=src.dtype).scatter_(0, index, src)
    index = lib.tensor([[0, 1, 2], [0, 1, 4]])
    b = lib.zeros(3, 5, dtype=src.dtype).scatter_(1, index, src)
    c = lib.full((2, 4), 2.0).scatter_(1, lib.tensor([[2], [3]]), 1.23, reduce="multiply")
    d = lib.full((2, 4), 2.0).scatter_(1, lib.tensor([[2], [3]]), 1.23, reduce="add")
    e = lib.scatter(lib.zeros(3, 5, dtype=src.dtype), 1, index, src)
    return a, b, c, d, e


def _scatter_add_reduce(lib):
    src = lib.ones((2, 5))
    index = lib.tensor([[0, 1, 2, 0, 0]])
    a = lib.zeros(3, 5, dtype=src.dtype).scatter_add_(0, index, src)
    index = lib.tensor([[0, 1, 2, 0, 0], [0, 1, 2, 2, 2]])
    b = lib.zeros(3, 5, dtype=src.dtype).scatter_add_(0, index, src)
    src = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    index = lib.tensor([0, 1, 0, 1, 2, 1])
    reduced = tuple(
        lib.tensor([1.0, 2.0, 3.0, 4.0]).scatter_reduce(0, index, src, reduce=r, include_self=s)
        for r in ("sum", "prod", "mean", "amax", "amin")
        for s in (True, False)
    )
    return a, b, reduced


def _put_and_masked(lib):
    src = lib.tensor([[4, 3, 5], [6, 7, 8]])
    put = src.clone().put_(lib.tensor([1, 3]), lib.tensor([9, 10]))
    x = fixed(lib, (3, 4))
    mask = x.ge(0.5)
    masked = lib.masked_select(x, mask)
    filled = x.masked_fill(mask, 0.0)
    scattered = lib.zeros(2, 5, dtype=lib.int64).masked_scatter_(
        lib.tensor([[0, 0, 0, 1, 1], [1, 1, 0, 1, 1]], dtype=lib.bool), lib.tensor([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
    )
    index_put = lib.zeros(3, 3).index_put_((lib.tensor([0, 2]), lib.tensor([1, 1])), lib.tensor([5.0, 6.0]))
    return put, mask, masked, filled, scattered, index_put


INDEXING = {
    "index_add_": _index_add,
    "index_copy_/index_fill_/index_reduce_": _index_copy_fill_reduce,
    "scatter_": _scatter,
    "scatter_add_/scatter_reduce": _scatter_add_reduce,
    "put_/masked_select/masked_fill/masked_scatter_/index_put_": _put_and_masked,
    "index_select": lambda lib: (
        lib.index_select(fixed(lib, (3, 4)), 0, lib.tensor([0, 2])),
        lib.index_select(fixed(lib, (3, 4)), 1, lib.tensor([0, 2])),
    ),
    "gather/take/take_along_dim": lambda lib: (
        lib.gather(lib.tensor([[1, 2], [3, 4]]), 1, lib.tensor([[0, 0], [1, 0]])),
        lib.take(lib.tensor([[4, 3, 5], [6, 7, 8]]), lib.tensor([0, 2, 5])),
        lib.take_along_dim(
            lib.tensor([[10, 30, 20], [60, 40, 50]]), lib.argmax(lib.tensor([[10, 30, 20], [60, 40, 50]]))
        ),
        lib.take_along_dim(
            lib.tensor([[10, 30, 20], [60, 40, 50]]),
            lib.argsort(lib.tensor([[10, 30, 20], [60, 40, 50]]), dim=1),
            dim=1,
        ),
    ),
    "where/nonzero/argwhere": lambda lib: (
        lib.where(fixed(lib, (3, 2)) > 0, 1.0, 0.0),
        lib.where(fixed(lib, (3, 2)) > 0, fixed(lib, (3, 2)), lib.ones(3, 2)),
        lib.where(fixed(lib, (2, 2), dtype=np.float64) > 0, fixed(lib, (2, 2), dtype=np.float64), 0.0),
        lib.where(lib.tensor([[1, 0], [0, 1]]) > 0),
        lib.nonzero(lib.tensor([1, 1, 1, 0, 1])),
        lib.nonzero(
            lib.tensor([[0.6, 0.0, 0.0, 0.0], [0.0, 0.4, 0.0, 0.0], [0.0, 0.0, 1.2, 0.0], [0.0, 0.0, 0.0, -0.4]])
        ),
        lib.nonzero(lib.tensor([1, 1, 1, 0, 1]), as_tuple=True),
        lib.nonzero(lib.tensor([[0.6, 0.0], [0.0, 0.4]]), as_tuple=True),
        lib.nonzero(lib.tensor(5), as_tuple=True),
        lib.argwhere(lib.tensor([1, 0, 1])),
        lib.argwhere(lib.tensor([[1, 0, 1], [0, 1, 1]])),
    ),
    "isin/bucketize/searchsorted": lambda lib: (
        lib.isin(lib.tensor([[1, 2], [3, 4]]), lib.tensor([2, 3])),
        lib.bucketize(lib.tensor([[3, 6, 9], [3, 6, 9]]), lib.tensor([1, 3, 5, 7, 9])),
        lib.bucketize(lib.tensor([[3, 6, 9], [3, 6, 9]]), lib.tensor([1, 3, 5, 7, 9]), right=True),
        lib.searchsorted(lib.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]]), lib.tensor([[3, 6, 9], [3, 6, 9]])),
        lib.searchsorted(
            lib.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]]), lib.tensor([[3, 6, 9], [3, 6, 9]]), right=True
        ),
        lib.searchsorted(lib.tensor([1, 3, 5, 7, 9]), lib.tensor([[3, 6, 9], [3, 6, 9]])),
        lib.searchsorted(
            lib.tensor([1, 2, 2, 3, 4, 3, 3]),
            lib.tensor([3, 6, 9]),
            side="right",
            sorter=lib.argsort(lib.tensor([1, 2, 2, 3, 4, 3, 3])),
        ),
        lib.searchsorted(lib.tensor([1, 3, 5, 7, 9]), lib.tensor([[3, 6, 9], [3, 6, 9]]), side="left"),
    ),
    "sort/argsort/msort/topk": lambda lib: (
        lib.sort(fixed(lib, (3, 4))),
        lib.sort(fixed(lib, (3, 4)), 0),
        lib.sort(fixed(lib, (3, 4)), dim=1, descending=True),
        lib.tensor([0, 1] * 9).sort(stable=True),
        lib.argsort(fixed(lib, (4, 4)), dim=1),
        lib.argsort(lib.tensor([0, 1] * 9), stable=True),
        lib.msort(fixed(lib, (3, 4))),
        lib.topk(lib.arange(1.0, 6.0), 3),
        lib.topk(fixed(lib, (3, 5)), 2, dim=1, largest=False),
    ),
    "indexing with tensors": lambda lib: (
        lib.arange(12).reshape(3, 4)[lib.tensor([0, 2])],
        lib.arange(12).reshape(3, 4)[:, lib.tensor([1, 3])],
        lib.arange(12).reshape(3, 4)[lib.arange(12).reshape(3, 4) % 2 == 0],
        lib.arange(12).reshape(3, 4)[..., None].shape,
        lib.arange(12).reshape(3, 4)[1:, ::2],
    ),
}


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")  # torch's own notice
@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing_examples_match_torch(name):
    check(INDEXING[name])


def test_frombuffer_examples_match_torch():
    import array

    def example(lib):
        a = array.array("i", [1, 2, 3])
        t = lib.frombuffer(a, dtype=lib.int32)
        before = t.clone()
        t[0] = -1  # the tensor writes into the buffer
        return before, list(a), lib.frombuffer(array.array("b", [-1, 0, 0, 0]), dtype=lib.int32)

    check(example)


def test_empty_strided_and_empty_permuted_examples_match_torch():
    def example(lib):
        a = lib.empty_strided((2, 3), (1, 2))
        return (
            a.stride(),
            a.size(),
            a.dtype,
            lib.empty_strided((2, 3), (1, 2), dtype=lib.int64).dtype,
            lib.empty_permuted((2, 3, 5, 7), (0, 1, 2, 3)).stride(),
            lib.empty_permuted((2, 3, 5, 7), (0, 2, 3, 1)).stride(),
            lib.empty_permuted((2, 3, 5, 7), (0, 2, 3, 1)).dim_order(),
            lib.empty_permuted((2, 3, 5, 7), (0, 2, 3, 1)).is_contiguous(),
            lib.empty_permuted((2, 3), (1, 0), dtype=lib.int32).dtype,
        )

    check(example)
