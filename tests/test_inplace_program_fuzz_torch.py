"""Differential fuzzing of random programs that mix views and in-place changes, run step by step in torch 2.13 and in
this library side by side.

A program starts from two float64 leaves ``a`` (m, n) and ``b`` (n, k), each requiring grad or not, and a few
tensors computed from them (``a * 2``, ``a @ b``, ``b.exp()``, ...); then 2-8 statements, each drawn from what the
tensors alive at that point allow: a view (basic slicing with steps, ``select``, ``narrow``, ``transpose``, ``.T``,
``permute``, ``view``/``reshape``, ``unsqueeze``/``squeeze``, ``expand``, ``diagonal``, the pieces of ``unbind``,
``split`` and ``chunk``), an in-place change of a tensor or of a view (``add_ sub_ mul_ div_`` with numbers and with
broadcast tensors, ``copy_ fill_ zero_ clamp_ relu_ sigmoid_ exp_ pow_ masked_fill_ index_fill_ index_add_
scatter_``, ``t[key] = v`` with ints, slices, boolean masks and integer arrays), an op that saves its input or its
output for backward (``exp``, ``x * y``, ...), ``detach()``/``detach_()``, ``requires_grad_()``, each sometimes
inside ``no_grad()``; then a loss built from some live tensors and a backward (``backward()``, with
``retain_graph=True`` twice, twice without it, or ``autograd.grad``).

After every statement, every tensor the program made must agree: values, shape, ``_version``, ``is_leaf``,
``requires_grad``, whether ``grad_fn`` is None, and which of the program's tensors is its ``_base``; after the
backward, every leaf's ``.grad`` (and what ``autograd.grad`` returns). Where torch raises, the library must raise an
instance of torch's class (the library's error classes are torch's too: tests/test_torch_error_classes.py) and leave
every tensor as it was; where torch does not raise, neither may the library.

Drawn around (README's policies):
* a recorded in-place change of a tensor that an op saved for its derivative: the library keeps the values the rule
  reads, so backward gives the right gradient where torch's version check raises ("modified by an inplace
  operation"; README, "In-place updates and version counters"). Where torch raises that at backward, the program is
  run again in torch under ``torch.autograd.graph.allow_mutation_on_saved_tensors()`` (torch's own mode that keeps
  the saved values the same way), and the library must give that run's gradients, or raise torch's class (a change
  the library did not record, made under ``no_grad()``, through ``detach()`` or to a tensor that needs no gradient,
  still raises: README); where the program changed a view while recording, that mode's gradients are not
  compared (it mishandles such a change: ``t.sigmoid_()`` then ``t.diagonal(-1).sigmoid_()`` gives another gradient
  than the program written out of place, which the library's matches);
* index arrays and masks (``t[idx]``, ``masked_fill``, ``scatter``, ...) do not count as saved for a second backward
  without ``retain_graph`` (README, "A second backward"): where torch refuses that second pass and the program wrote
  or read through one of those, the library may run it;
* a backward that raises leaves every ``.grad`` as it was here (README, "All or nothing"); torch's engine may have
  accumulated some leaves' before it raised, so those are compared with torch's as the failing call found them;
* the rules of ``div`` and ``pow`` read their output here (README: "x / y, whose rules read y and the output"), not
  in torch, so a change of a quotient or a power made after it is refused by the version check where torch runs
  (accepted when the library's message names that output); a divisor is drawn constant for the same reason;
* a change of a ``detach()``ed tensor (or a view of one) while recording raises here (README) where torch records
  it: those are drawn under ``no_grad()``;
* a write into an ``expand`` that repeats entries raises here (README); torch refuses most but runs the fills
  (``fill_ zero_ masked_fill_ index_fill_``, ``t[k] = number``) and writes into a view of one: not drawn.

Drawn around, not in README (reported, left as they are):
* torch's views made under ``no_grad`` of a tensor that requires grad (or whose base is made to require grad later)
  report ``requires_grad`` True with no ``grad_fn``, and a backward through them reaches nothing; the library's
  report False: their ``requires_grad``/``is_leaf``/``grad_fn`` are not compared and they are not used again;
* torch refuses reading ``grad_fn``/``is_leaf`` of a view it refuses to use (a stale piece of a ``split``, a
  ``no_grad`` view whose base changed); the library refuses the use itself, which is compared;
* a tensor made to require grad after ops used it gets their gradients here, none in torch (whose graph's edges are
  fixed when recorded): ``requires_grad_(True)`` of a tensor that does not require grad is drawn as
  ``t.detach().requires_grad_()``, a new leaf;
* a leaf ``detach_()``ed or made not to require grad, then changed by a recorded op: torch refuses a backward reaching
  it ("leaf variable has been moved into the graph interior"), the library drops its gradient; such a tensor is
  changed under ``no_grad()`` only; ``detach_()`` of a tensor with live views is drawn as ``detach()`` (torch's views
  of it keep refusing changes, the library's do not);
* an in-place op whose operand partly overlaps the tensor written (``t[::2] = t``): torch refuses it, the library
  writes numpy's result; not drawn;
* an empty view is no view here (numpy's empty arrays share no memory): its ``_base`` and ``_version`` are not
  compared; ``as_strided`` is not drawn: the library's is a copy, not a view (its docstring).

Derandomized and bounded (well under a minute); ``FUZZ_EXAMPLES=N`` draws N fresh programs instead, to hunt.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from fuzz_settings import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

import autograd as A

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

FUZZ = fuzz_settings(2000)

# (ops whose rules read their output here, not in torch: README's "x of x / y, whose rules read y and the output")
OUTPUT_READ = ("div", "pow")

# (statement kinds whose nodes hold index arrays or masks: README's second-backward policy)
INDEXING = ("setitem", "masked_fill_", "index_fill_", "index_add_", "scatter_")


# --------------------------------------------------------------------------- the two sides


def make(lib: Any, array: np.ndarray, grad: bool = False) -> Any:
    """A fresh tensor of ``lib`` holding a copy of ``array`` (a leaf that requires grad when ``grad``)."""
    array = np.array(array, copy=True)
    if lib is torch:
        out = torch.tensor(array)
        return out.requires_grad_() if grad else out
    return A.tensor(array, requires_grad=grad)


def nothing(*_: Any) -> list:
    """What a statement that makes no tensor returns."""
    return []


def no_grad(lib: Any) -> Any:
    return lib.no_grad()


@dataclass
class Stmt:
    """One statement: ``run(lib, env)`` returns the tensors it makes (appended to ``env``), ``text`` spells it."""

    kind: str
    text: str
    run: Callable[[Any, list], list]
    under_no_grad: bool = False
    source: int | None = None  # the tensor it is made from (its tag passes to what it makes)

    def apply(self, lib: Any, env: list) -> list:
        with no_grad(lib) if self.under_no_grad else contextlib.nullcontext():
            return list(self.run(lib, env))

    def __repr__(self) -> str:
        return ("with no_grad(): " if self.under_no_grad else "") + self.text


def _probe(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except Exception as error:  # noqa: BLE001 (compared by class)
        return error


def _values(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy().copy()
    return np.array(t.data, copy=True)


def _grad(t: Any) -> Any:
    g = t.grad
    return None if g is None else np.array(g.numpy() if isinstance(g, torch.Tensor) else g, dtype=np.float64)


def state(env: list, tags: list) -> list:
    """What is compared of each tensor of the program (of a "quirky" one, its values, shape and version)."""
    out = []
    for t, kind in zip(env, tags):
        base = _probe(lambda t=t: t._base)
        if not isinstance(base, Exception):
            base = None if base is None else next((k for k, u in enumerate(env) if u is base), "another")
        out.append(
            {
                "values": _values(t),
                "shape": tuple(t.shape),
                "version": _probe(lambda t=t: int(t._version)),
                "is_leaf": _probe(lambda t=t: bool(t.is_leaf)),
                "requires_grad": _probe(lambda t=t: bool(t.requires_grad)),
                "grad_fn": _probe(lambda t=t: t.grad_fn is None),
                "base": base,
            }
        )
        if t.numel() == 0:  # (an empty view is no view here: numpy's empty arrays share no memory)
            del out[-1]["base"], out[-1]["version"]
        if kind == "quirky":
            for key in ("is_leaf", "requires_grad", "grad_fn"):
                del out[-1][key]
    return out


def same(ours: Any, theirs: Any, where: str) -> None:
    if isinstance(theirs, Exception):
        assert isinstance(ours, type(theirs)), f"{where}: torch raised {theirs!r}, the library gave {ours!r}"
        return
    assert not isinstance(ours, Exception), f"{where}: torch gave {theirs!r}, the library raised {ours!r}"
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r} vs torch's {theirs!r}"
        for position, (o, t) in enumerate(zip(ours, theirs)):
            same(o, t, f"{where}[{position}]")
        return
    if isinstance(theirs, np.ndarray) or isinstance(ours, np.ndarray):
        assert ours is not None and theirs is not None, f"{where}: {ours!r} vs {theirs!r}"
        ours, theirs = np.asarray(ours), np.asarray(theirs)
        assert ours.shape == theirs.shape, f"{where}: shape {ours.shape} vs torch's {theirs.shape}"
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=where)
        return
    assert ours == theirs, f"{where}: {ours!r} vs torch's {theirs!r}"


def same_states(ours: list, theirs: list, where: str) -> None:
    assert len(ours) == len(theirs), where
    for k, (o, t) in enumerate(zip(ours, theirs)):
        for key in t.keys() & o.keys():  # (a tensor made "quirky" by the statement lost some)
            if key in ("is_leaf", "grad_fn") and isinstance(t[key], Exception):
                continue  # torch refuses reading them of a view it refuses to use; the library refuses the use
            same(o[key], t[key], f"{where}: t{k}.{key}")


def same_grads(ours_env: list, theirs_env: list, tags: list, where: str) -> None:
    for k, (o, t) in enumerate(zip(ours_env, theirs_env)):
        if tags[k] != "quirky" and _probe(lambda t=t: t.is_leaf) is True:
            same(_grad(o), _grad(t), f"{where}: t{k}.grad")


# --------------------------------------------------------------------------- drawing statements


def _index(draw: Any, tags: list, allowed: tuple = (None, "expanded", "repeats", "detached")) -> int:
    return draw(st.sampled_from([k for k, tag in enumerate(tags) if tag in allowed]))


def _largest(t: Any) -> float:
    return float(np.abs(_values(t)).max(initial=0.0))


def _rng(draw: Any) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _broadcast_shape(draw: Any, shape: tuple) -> tuple:
    """A shape that broadcasts to ``shape``: leading dims dropped, some sizes made 1."""
    drop = draw(st.integers(0, len(shape)))
    kept = list(shape[drop:])
    return tuple(1 if n and draw(st.booleans()) and draw(st.booleans()) else n for n in kept)


def _operand(
    draw: Any, env: list, tags: list, shape: tuple, positive: bool = False, target: Any = None
) -> tuple[str, Callable]:
    """A tensor operand broadcasting to ``shape``: a constant, a new leaf that requires grad (appended to the
    program's tensors by the statement), or one of the program's tensors; ``(text, make(lib, env) -> (tensor, new
    tensors))``."""
    fits = [
        k
        for k, t in enumerate(env)
        if tags[k] != "quirky"
        and (target is None or t.untyped_storage().data_ptr() != target.untyped_storage().data_ptr())
        and len(t.shape) <= len(shape)
        and all(n in (1, m) for n, m in zip(t.shape[::-1], shape[::-1]))
        and t.dtype == torch.float64
    ]
    # (a divisor is a constant: the library's rule for a divisor that requires grad reads the quotient, which torch
    # does not save, so a change of the quotient under no_grad is refused here, run there: README)
    kind = draw(st.sampled_from(["const"] if positive else ["const", "leaf", "env"] if fits else ["const", "leaf"]))
    if kind == "env":
        k = draw(st.sampled_from(fits))
        return f"t{k}", lambda lib, env: (env[k], [])
    rng = _rng(draw)
    oshape = _broadcast_shape(draw, shape)
    values = rng.uniform(0.5, 1.5, oshape) * rng.choice([-1.0, 1.0], oshape) if positive else rng.normal(size=oshape)
    if kind == "const":
        return f"const{oshape}", lambda lib, env: (make(lib, values), [])

    def new_leaf(lib, env):
        t = make(lib, values, grad=True)
        return t, [t]

    return f"leaf{oshape}", new_leaf


def _key(draw: Any, shape: tuple, rng: np.random.Generator, masks: bool = True) -> tuple[str, Any]:
    """A key for ``t[key]``: ints, slices with steps, a boolean mask or an integer array."""
    kinds = ["basic"] + (["mask", "array"] if masks and shape else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "mask":
        mask = rng.random(shape) < 0.5
        return "mask", ("mask", mask)
    if kind == "array":
        k = draw(st.integers(1, shape[0]))
        idx = rng.permutation(shape[0])[:k]
        return "idx", ("array", idx)
    parts = []
    for n in shape[: draw(st.integers(1, max(len(shape), 1)))] if shape else []:
        if draw(st.booleans()) and draw(st.booleans()):
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            start = draw(st.integers(0, n - 1))
            stop = draw(st.sampled_from([None, *range(start + 1, n + 1)]))
            step = draw(st.sampled_from([None, 1, 2]))
            parts.append(slice(start, stop, step))
    return repr(tuple(parts)), ("basic", tuple(parts))


def _lib_key(lib: Any, key: tuple) -> Any:
    kind, value = key
    if kind == "basic":
        return value
    return make(lib, value)


def _key_shape(shape: tuple, key: tuple) -> tuple:
    kind, value = key
    return np.empty(shape)[value].shape


def draw_view(draw: Any, env: list, tags: list) -> Stmt | None:
    k = _index(draw, tags)
    shape = tuple(env[k].shape)
    nd = len(shape)
    kinds = ["reshape", "unsqueeze", "expand"]
    if nd and 0 not in shape:
        kinds += ["slice", "select", "narrow", "unbind", "split", "chunk", "flatten_view"]
    if nd >= 2:
        kinds += ["transpose", "permute", "diagonal"]
    if nd == 2:
        kinds += ["T"]
    if 1 in shape:
        kinds += ["squeeze_dim", "squeeze"]
    kind = draw(st.sampled_from(kinds))
    dim = draw(st.integers(-nd, nd - 1)) if nd else 0
    n = shape[dim] if nd else 1
    if kind == "slice":
        text, key = _key(draw, shape, _rng(draw), masks=False)
        return Stmt("view", f"t{k}[{text}]", lambda lib, env: [env[k][key[1]]])
    if kind == "select":
        i = draw(st.integers(-n, n - 1))
        return Stmt("view", f"t{k}.select({dim}, {i})", lambda lib, env: [env[k].select(dim, i)])
    if kind == "narrow":
        start = draw(st.integers(0, n - 1))
        length = draw(st.integers(1, n - start))
        return Stmt(
            "view", f"t{k}.narrow({dim}, {start}, {length})", lambda lib, env: [env[k].narrow(dim, start, length)]
        )
    if kind == "unbind":
        return Stmt("pieces", f"t{k}.unbind({dim})", lambda lib, env: list(env[k].unbind(dim)))
    if kind == "split":
        size = draw(st.integers(1, n))
        return Stmt("pieces", f"t{k}.split({size}, {dim})", lambda lib, env: list(env[k].split(size, dim)))
    if kind == "chunk":
        chunks = draw(st.integers(1, n))
        return Stmt("pieces", f"t{k}.chunk({chunks}, {dim})", lambda lib, env: list(env[k].chunk(chunks, dim)))
    if kind == "transpose":
        other = draw(st.integers(-nd, nd - 1))
        return Stmt("view", f"t{k}.transpose({dim}, {other})", lambda lib, env: [env[k].transpose(dim, other)])
    if kind == "T":
        return Stmt("view", f"t{k}.T", lambda lib, env: [env[k].T])
    if kind == "permute":
        perm = tuple(draw(st.permutations(range(nd))))
        return Stmt("view", f"t{k}.permute{perm}", lambda lib, env: [env[k].permute(*perm)])
    if kind == "diagonal":
        d1, d2 = draw(st.permutations(range(nd)))[:2]
        n1, n2 = shape[d1], shape[d2]
        offset = draw(st.sampled_from([o for o in (-1, 0, 1) if min(n1, n2 - o) > 0 and min(n1 + o, n2) > 0]))
        return Stmt(
            "view",
            f"t{k}.diagonal({offset}, {d1}, {d2})",
            lambda lib, env: [env[k].diagonal(offset=offset, dim1=d1, dim2=d2)],
        )
    if kind == "unsqueeze":
        d = draw(st.integers(-nd - 1, nd))
        return Stmt("view", f"t{k}.unsqueeze({d})", lambda lib, env: [env[k].unsqueeze(d)])
    if kind == "squeeze_dim":
        d = draw(st.sampled_from([d for d in range(nd) if shape[d] == 1]))
        return Stmt("view", f"t{k}.squeeze({d})", lambda lib, env: [env[k].squeeze(d)])
    if kind == "squeeze":
        return Stmt("view", f"t{k}.squeeze()", lambda lib, env: [env[k].squeeze()])
    if kind == "expand":
        ones = [d for d in range(nd) if shape[d] == 1]
        if ones and draw(st.booleans()):  # a length-1 dim repeated
            d = draw(st.sampled_from(ones))
            size = tuple(3 if j == d else -1 for j in range(nd))
        else:  # a new leading dim, of 1 (repeating nothing) or 2
            size = (draw(st.sampled_from([1, 2])), *shape)
        return Stmt("view", f"t{k}.expand{size}", lambda lib, env: [env[k].expand(*size)])
    if kind == "flatten_view":
        contiguous = env[k].is_contiguous()
        return Stmt(
            "view" if contiguous else "reshape",
            f"t{k}.{'view' if contiguous else 'reshape'}(-1)",
            lambda lib, env: [env[k].view(-1) if contiguous else env[k].reshape(-1)],
        )
    # reshape: sizes split or merged
    size = list(shape)
    if size and draw(st.booleans()):
        size = [*size[:-2], int(np.prod(size[-2:]))] if len(size) >= 2 else [1, *size]
    else:
        size = [*size, 1]
    size = tuple(size)
    return Stmt("reshape", f"t{k}.reshape{size}", lambda lib, env: [env[k].reshape(*size)])


# (torch writes these into an expand that repeats entries, the library refuses them: README's rule for a change of
# a broadcast view that repeats entries)
FILLS = ("fill_", "zero_", "masked_fill_", "index_fill_", "setitem")

IN_PLACE = [
    "add_",
    "sub_",
    "mul_",
    "div_",
    "copy_",
    "fill_",
    "zero_",
    "clamp_",
    "relu_",
    "sigmoid_",
    "exp_",
    "pow_",
    "masked_fill_",
    "index_fill_",
    "index_add_",
    "scatter_",
    "setitem",
]


def draw_in_place(draw: Any, env: list, tags: list) -> Stmt:
    k = _index(draw, tags, (None, "repeats", "detached"))
    target = env[k]
    shape = tuple(target.shape)
    nd = len(shape)
    largest = _largest(target)
    op = draw(st.sampled_from(IN_PLACE)) if target.numel() else "zero_"
    if tags[k] == "repeats" and op in FILLS:
        op = "add_"
    if op == "exp_" and largest > 3:
        op = "sigmoid_"
    if op == "pow_" and largest > 10:
        op = "relu_"
    if op in ("index_fill_", "index_add_", "scatter_") and not nd:
        op = "fill_"
    if op in ("add_", "sub_", "mul_", "div_"):
        if draw(st.booleans()):
            number = draw(st.sampled_from([0.5, 2.0, -1.5, 3.0]))
            return Stmt(op, f"t{k}.{op}({number})", lambda lib, env: nothing(getattr(env[k], op)(number)))
        text, operand = _operand(draw, env, tags, shape, positive=op == "div_", target=target)
        alpha = draw(st.sampled_from([None, 2.0])) if op in ("add_", "sub_") else None

        def run(lib, env):
            other, new = operand(lib, env)
            method = getattr(env[k], op)
            method(other) if alpha is None else method(other, alpha=alpha)
            return new

        return Stmt(op, f"t{k}.{op}({text}{'' if alpha is None else f', alpha={alpha}'})", run)
    if op == "copy_":
        text, operand = _operand(draw, env, tags, shape, target=target)

        def run(lib, env):
            other, new = operand(lib, env)
            env[k].copy_(other)
            return new

        return Stmt(op, f"t{k}.copy_({text})", run)
    if op == "fill_":
        number = draw(st.sampled_from([0.0, 1.5, -2.0]))
        return Stmt(op, f"t{k}.fill_({number})", lambda lib, env: nothing(env[k].fill_(number)))
    if op in ("zero_", "relu_", "sigmoid_", "exp_"):
        return Stmt(op, f"t{k}.{op}()", lambda lib, env: nothing(getattr(env[k], op)()))
    if op == "pow_":
        p = draw(st.sampled_from([2, 3, 2.0]))
        return Stmt(op, f"t{k}.pow_({p})", lambda lib, env: nothing(env[k].pow_(p)))
    if op == "clamp_":
        low, high = draw(st.sampled_from([(-0.5, 0.5), (None, 0.3), (-0.2, None), (0.0, 1.0)]))
        return Stmt(op, f"t{k}.clamp_({low}, {high})", lambda lib, env: nothing(env[k].clamp_(low, high)))
    rng = _rng(draw)
    if op == "masked_fill_":
        mask = rng.random(_broadcast_shape(draw, shape)) < 0.5
        value = draw(st.sampled_from([0.0, -1.0, 2.5]))
        return Stmt(
            op,
            f"t{k}.masked_fill_(mask{mask.shape}, {value})",
            lambda lib, env: nothing(env[k].masked_fill_(make(lib, mask), value)),
        )
    dim = draw(st.integers(-nd, nd - 1)) if nd else 0
    n = shape[dim] if nd else 1
    if op == "index_fill_":
        index = rng.integers(0, n, draw(st.integers(1, 3)))
        value = draw(st.sampled_from([0.0, 1.0, -3.0]))
        return Stmt(
            op,
            f"t{k}.index_fill_({dim}, {index.tolist()}, {value})",
            lambda lib, env: nothing(env[k].index_fill_(dim, make(lib, index), value)),
        )
    if op == "index_add_":
        index = rng.integers(0, n, draw(st.integers(1, 3)))
        sshape = tuple(len(index) if j == dim % nd else m for j, m in enumerate(shape))
        source = rng.normal(size=sshape)
        grad = draw(st.booleans())
        alpha = draw(st.sampled_from([None, -2.0]))

        def run(lib, env):
            src = make(lib, source, grad=grad)
            kwargs = {} if alpha is None else {"alpha": alpha}
            env[k].index_add_(dim, make(lib, index), src, **kwargs)
            return [src] if grad else []

        return Stmt(op, f"t{k}.index_add_({dim}, {index.tolist()}, src{sshape}, alpha={alpha})", run)
    if op == "scatter_":
        # each row of the index distinct along dim (torch leaves repeated writes' order open)
        rows = draw(st.integers(1, n))
        order = np.argsort(rng.random(shape), axis=dim % nd)
        index = np.take(order, np.arange(rows), axis=dim % nd)
        if draw(st.booleans()):
            value = draw(st.sampled_from([0.0, 4.0]))
            return Stmt(
                op,
                f"t{k}.scatter_({dim}, index{index.shape}, value={value})",
                lambda lib, env: nothing(env[k].scatter_(dim, make(lib, index), value=value)),
            )
        source = rng.normal(size=index.shape)
        grad = draw(st.booleans())

        def run(lib, env):
            src = make(lib, source, grad=grad)
            env[k].scatter_(dim, make(lib, index), src)
            return [src] if grad else []

        return Stmt(op, f"t{k}.scatter_({dim}, index{index.shape}, src)", run)
    # setitem
    text, key = _key(draw, shape, rng)
    sub = _key_shape(shape, key)
    if draw(st.booleans()):
        number = draw(st.sampled_from([0.0, 7.0, -1.0]))

        def run(lib, env):
            env[k][_lib_key(lib, key)] = number
            return []

        return Stmt("setitem", f"t{k}[{text}] = {number}", run)
    vtext, operand = _operand(draw, env, tags, sub, target=target)

    def run(lib, env):
        value, new = operand(lib, env)
        env[k][_lib_key(lib, key)] = value
        return new

    return Stmt("setitem", f"t{k}[{text}] = {vtext}", run)


UNARY = {
    "exp": lambda t: t.exp(),
    "sin": lambda t: t.sin(),
    "tanh": lambda t: t.tanh(),
    "square": lambda t: t * t,
    "times 2": lambda t: t * 2,
    "sigmoid": lambda t: t.sigmoid(),
    "relu": lambda t: t.relu(),
    "sum": lambda t: t.sum(0, keepdim=True) if t.dim() else t * 1,
}


def draw_compute(draw: Any, env: list, tags: list) -> Stmt:
    k = _index(draw, tags)
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(UNARY)))
        if name == "exp" and _largest(env[k]) > 3:
            name = "tanh"
        return Stmt("compute", f"t{k}.{name}", lambda lib, env: [UNARY[name](env[k])])
    text, operand = _operand(draw, env, tags, tuple(env[k].shape))
    op = draw(st.sampled_from(["mul", "add"]))

    def run(lib, env):
        other, new = operand(lib, env)
        return [*new, env[k] * other if op == "mul" else env[k] + other]

    return Stmt("compute", f"t{k} {'*' if op == 'mul' else '+'} {text}", run)


def draw_other(draw: Any, env: list, tags: list) -> Stmt:
    k = _index(draw, tags)
    kind = draw(st.sampled_from(["detach", "detach_", "requires_grad_", "retain_grad"]))
    if kind == "detach_" and any(_probe(lambda t=t: t._base) is env[k] for t in env):
        kind = "detach"  # (torch's views of a leaf detach_()ed keep refusing changes; the library's do not)
    if kind == "detach":
        return Stmt(kind, f"t{k}.detach()", lambda lib, env: [env[k].detach()])
    if kind == "detach_":
        return Stmt(kind, f"t{k}.detach_()", lambda lib, env: nothing(env[k].detach_()))
    if kind == "retain_grad":
        return Stmt(kind, f"t{k}.retain_grad()", lambda lib, env: nothing(env[k].retain_grad()))
    flag = draw(st.booleans())
    if flag and not env[k].requires_grad:
        # made to require grad after ops used it, a tensor gets their gradients here, none in torch (its graph's
        # edges are fixed when recorded): a new leaf instead, which no op used yet
        return Stmt("detach", f"t{k}.detach().requires_grad_()", lambda lib, env: [env[k].detach().requires_grad_()])
    return Stmt(kind, f"t{k}.requires_grad_({flag})", lambda lib, env: nothing(env[k].requires_grad_(flag)))


def _source(stmt: Stmt) -> int:
    return int(re.match(r"t(\d+)", stmt.text).group(1))


def draw_statement(draw: Any, env: list, tags: list) -> Stmt:
    kind = draw(st.sampled_from(["view", "view", "in_place", "in_place", "in_place", "compute", "other"]))
    if kind == "in_place" and not any(tag in (None, "repeats", "detached") for tag in tags):
        kind = "view"
    drawer = {"view": draw_view, "in_place": draw_in_place, "compute": draw_compute, "other": draw_other}[kind]
    stmt = drawer(draw, env, tags)
    if kind != "other" and draw(st.integers(0, 4)) == 0:
        stmt.under_no_grad = True
    if kind == "in_place" and tags[_source(stmt)] == "detached":
        stmt.under_no_grad = True  # README: a recorded change of a detach()ed tensor raises (torch records it)
    if kind in ("view", "compute", "other"):
        stmt.source = _source(stmt)
    return stmt


SETUP = {
    "a * 2": lambda a, b: a * 2,
    "a @ b": lambda a, b: a @ b,
    "b.exp()": lambda a, b: b.exp(),
    "(a + 1).sin()": lambda a, b: (a + 1).sin(),
    "a.T @ a": lambda a, b: a.T @ a,
    "b * b": lambda a, b: b * b,
    "a.clone()": lambda a, b: a.clone(),
}


@dataclass
class Backward:
    """The end of a program: a loss over some of its tensors (weighted sums) and how it is differentiated."""

    terms: list
    weights: list
    mode: str  # "backward", "retain_twice", "twice", "grad", "grad_unused"
    inputs: list  # of autograd.grad: the leaves that require grad (not "quirky" ones)
    grads_before: dict = field(default_factory=dict)

    def loss(self, env: list, lib: Any) -> Any:
        total = None
        for k, w in zip(self.terms, self.weights):
            term = (env[k] * make(lib, w)).sum()
            total = term if total is None else total + term
        return total

    def run(self, lib: Any, env: list) -> Any:
        """The loss and its backward; where a call raises, ``self.grads_before`` holds every leaf's ``.grad`` as
        the failing call found it, by ``id(env)`` (README's "all or nothing": the library leaves them so; torch's engine may have
        accumulated some before it raised)."""

        def call(*args: Any, **kwargs: Any) -> None:
            before = [_grad(t) if _probe(lambda t=t: t.is_leaf) is True else None for t in env]
            try:
                loss.backward(*args, **kwargs)
            except Exception:
                self.grads_before[id(env)] = before
                raise

        loss = self.loss(env, lib)
        if self.mode == "backward":
            call()
        elif self.mode == "retain_twice":
            call(retain_graph=True)
            call()
        elif self.mode == "twice":
            call()
            call()
        else:
            inputs = [env[k] for k in self.inputs]
            if not inputs:
                call()
                return None
            grads = lib.autograd.grad(loss, inputs, allow_unused=self.mode == "grad_unused")
            return [None if g is None else np.array(g.detach().numpy() if hasattr(g, "detach") else g) for g in grads]
        return None


@st.composite
def programs(draw: Any) -> tuple:
    m, n, k = (draw(st.integers(1, 3)) for _ in range(3))
    rng = _rng(draw)
    a, b = rng.normal(size=(m, n)), rng.normal(size=(n, k))
    grads = (draw(st.booleans()) or draw(st.booleans()), draw(st.booleans()))
    setup = draw(st.lists(st.sampled_from(sorted(SETUP)), min_size=1, max_size=3))
    return a, b, grads, setup


def start(lib: Any, a: np.ndarray, b: np.ndarray, grads: tuple, setup: list) -> list:
    ta, tb = make(lib, a, grads[0]), make(lib, b, grads[1])
    return [ta, tb, *(SETUP[name](ta, tb) for name in setup)]


def replay(lib: Any, program: tuple, statements: list, end: Backward) -> tuple:
    """The whole program again on ``lib``: (its tensors, what the backward returned or raised)."""
    env = start(lib, *program)
    for stmt in statements:
        try:
            env += stmt.apply(lib, env)
        except Exception:  # noqa: BLE001 (it raised in the first run too)
            pass
    return env, _probe(lambda: end.run(lib, env))


def _quirky(t: Any) -> bool:
    """Whether ``t`` is a view torch reports as requiring grad with no grad_fn (made under no_grad of a tensor that
    requires grad, or made before its base was made to require it)."""
    return t._base is not None and t.requires_grad and not _probe(lambda: t.grad_fn)


def tag(t: Any, kind: str, source: Any) -> str | None:
    """How a new tensor of torch's run (made from ``source``'s tag) is drawn from afterwards: "quirky" for a view
    made under no_grad of a tensor that requires grad (torch's reports requires_grad, the library's does not, and
    torch lets a backward pass through it reach nothing: not compared, not used again), "repeats" for an expand
    that repeats entries, "expanded" for a view of one (torch writes into it, the library refuses: not changed in
    place), "detached" for a detach() or a view of one (a recorded change raises here: README), else None."""
    if source == "quirky" or _quirky(t):
        return "quirky"
    if any(stride == 0 and n > 1 for stride, n in zip(t.stride(), t.shape)):
        return "repeats"
    if kind == "detach" or source == "detached":
        return "detached"
    return "expanded" if source in ("repeats", "expanded") else None


def step(stmt: Stmt, theirs: list, ours: list, tags: list, where: str) -> bool:
    """Run ``stmt`` on both sides and compare; True when it ran."""
    before = state(ours, tags)
    t_out, o_out = _probe(lambda: stmt.apply(torch, theirs)), _probe(lambda: stmt.apply(A, ours))
    target = theirs[stmt.source] if stmt.kind == "requires_grad_" else None
    shared = target.untyped_storage().data_ptr() if target is not None else None
    for k, t in enumerate(theirs):  # a view becomes "quirky" when its base is made to require grad
        if _quirky(t) or (t._base is not None and t.untyped_storage().data_ptr() == shared):
            tags[k] = "quirky"
    if isinstance(t_out, Exception):
        assert isinstance(o_out, Exception), f"{where}: torch raised {t_out!r}, the library did not"
        assert isinstance(o_out, type(t_out)), f"{where}: torch raised {t_out!r}, the library {o_out!r}"
        same_states(state(ours, tags), before, f"{where} (the library's failed statement changed a tensor)")
        same_states(state(ours, tags), state(theirs, tags), where)
        return False
    if isinstance(o_out, Exception):
        raise AssertionError(f"{where}: torch ran it, the library raised {o_out!r}") from o_out
    assert len(o_out) == len(t_out), where
    if (stmt.kind == "detach_" or stmt.text.endswith("requires_grad_(False)")) and tags[stmt.source] is None:
        # (torch refuses a backward reaching a leaf detach_()ed, or made not to require grad, and then changed by a
        # recorded op, "leaf variable has been moved into the graph interior"; the library drops its gradient)
        tags[stmt.source] = "detached"
    source = tags[stmt.source] if stmt.source is not None else None
    tags += [tag(t, stmt.kind, source) for t in t_out]
    theirs += t_out
    ours += o_out
    same_states(state(ours, tags), state(theirs, tags), where)
    return True


def end_matches(
    ours: list, o_result: Any, theirs: list, t_result: Any, tags: list, where: str, before: list | None
) -> None:
    """The library's end against one of torch's: the result, every tensor, every leaf's ``.grad`` (as the failing
    backward found them, ``before``, where torch's raised)."""
    same(o_result, t_result, where)
    same_states(state(ours, tags), state(theirs, tags), where)
    if before is None:
        same_grads(ours, theirs, tags, where)
        return
    for k, (o, expected) in enumerate(zip(ours, before)):
        if tags[k] != "quirky" and _probe(lambda t=theirs[k]: t.is_leaf) is True:
            same(_grad(o), expected, f"{where}: t{k}.grad (torch's backward raised)")


@FUZZ
@given(program=programs(), data=st.data())
def test_random_programs_of_views_and_in_place_changes_match_torch(program, data):
    draw = data.draw
    theirs, ours = start(torch, *program), start(A, *program)
    tags = [None] * len(theirs)
    same_states(state(ours, tags), state(theirs, tags), "setup")
    statements, through_a_view = [], False
    for number in range(draw(st.integers(2, 8))):
        stmt = draw_statement(draw, theirs, tags)
        statements.append(stmt)
        viewed = stmt.kind in IN_PLACE and theirs[_source(stmt)]._base is not None
        ran = step(stmt, theirs, ours, tags, f"statement {number} {stmt!r} of {statements}")
        through_a_view |= ran and viewed and not stmt.under_no_grad
    usable = [k for k, kind in enumerate(tags) if kind != "quirky"]
    terms = draw(st.lists(st.sampled_from(usable), min_size=1, max_size=3, unique=True))
    weights = [np.random.default_rng(k).normal(size=tuple(theirs[k].shape)) for k in terms]
    mode = draw(st.sampled_from(["backward", "retain_twice", "twice", "grad", "grad_unused"]))
    inputs = [k for k in usable if _probe(lambda k=k: theirs[k].is_leaf) is True and theirs[k].requires_grad]
    end = Backward(terms, weights, mode, inputs)
    where = f"{end.mode} of {terms} after {statements}"
    t_result, o_result = _probe(lambda: end.run(torch, theirs)), _probe(lambda: end.run(A, ours))
    candidates = [(theirs, t_result)]
    message = str(t_result) if isinstance(t_result, Exception) else ""
    if "modified by an inplace operation" in message:
        # README's policy: the library keeps what the derivative reads, as torch's mode that keeps saved tensors
        with torch.autograd.graph.allow_mutation_on_saved_tensors():
            candidates.append(replay(torch, program, statements, end))
        if through_a_view and not isinstance(o_result, Exception):
            # torch's mode mishandles a recorded change through a view (t.sigmoid_() then t.diagonal(-1).sigmoid_():
            # its gradient differs from the same program written out of place, the library's does not): the
            # library's result and tensors are compared with that run's, its gradients not
            same(o_result, candidates[-1][1], where)
            same_states(state(ours, tags), state(candidates[-1][0], tags), where)
            return
    if "backward through the graph a second time" in message and any(s.kind in INDEXING for s in statements):
        end.mode = "retain_twice"  # README's policy: the library passes index nodes again
        candidates.append(replay(torch, program, statements, end))
    if not isinstance(t_result, Exception) and any(f"the output of '{op}'" in str(o_result) for op in OUTPUT_READ):
        return  # README: the library's rule reads the output here (torch's the input): the version check refuses
    failures = []
    for env, result in candidates:
        try:
            before = end.grads_before.get(id(env)) if isinstance(result, Exception) else None
            end_matches(ours, o_result, env, result, tags, where, before)
            return
        except AssertionError as failure:
            failures.append(failure)
    raise failures[0] if len(failures) == 1 else AssertionError(f"{where}: matches none of {failures}")
