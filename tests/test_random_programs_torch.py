"""Random short programs (2-6 torch ops over 1-3 inputs of broadcastable shapes, 0-d, size-1 and empty axes
included) run in torch and here: every intermediate's shape, dtype and values, and for float64 programs the
gradients of a weighted sum of all of them, must be torch's. Derandomized and small, so it runs in seconds; the
divergences documented in the README (numpy's dtypes and errors for integer and boolean operands, ``sign(nan)``)
are left out of the programs it draws.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd as A

torch = pytest.importorskip("torch")

DTYPES = {
    torch.float64: np.float64,
    torch.float32: np.float32,
    torch.float16: np.float16,
    torch.int64: np.int64,
    torch.int32: np.int32,
    torch.bool: np.bool_,
}


class NotApplicableError(Exception):
    """The drawn op does not apply to the drawn operand (another op is drawn instead)."""


def floating(t):
    return t.dtype.is_floating_point


def bshape(a, b):
    try:
        return np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        return None


def make_array(rng, shape, dtype):
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-4, 5, shape).astype(dtype)
    return rng.uniform(-2, 2, shape).astype(dtype)


def idx_const(lib, a):
    """An index array in the backend's preferred form."""
    if lib is torch:
        return torch.tensor(np.asarray(a))
    return np.asarray(a)


# --------------------------------------------------------------------------- op builders
# Each builder: (draw, state) -> (label, fn(lib, *xs), arg env indices) ; state has env (torch values) and
# can add fresh inputs with state.fresh(shape, dtype).


class State:
    def __init__(self, draw, seed):
        self.draw = draw
        self.rng = np.random.default_rng(seed)
        self.inputs: list[np.ndarray] = []
        self.env: list[torch.Tensor] = []
        self.steps: list[tuple[str, object, list[int]]] = []

    def fresh(self, shape, dtype=np.float64):
        a = make_array(self.rng, shape, dtype)
        self.inputs.append(a)
        self.env.append(torch.tensor(a))
        self.steps.append((f"input{len(self.inputs) - 1} {a.dtype}{tuple(shape)}", None, []))
        return len(self.env) - 1

    def pick(self, pred=lambda t: True):
        choices = [i for i, t in enumerate(self.env) if pred(t)]
        if not choices:
            raise NotApplicableError
        return self.draw(st.sampled_from(choices))


def dim_of(draw, n, allow_none=False):
    if n == 0:
        opts = [0, -1]
    else:
        opts = list(range(-n, n))
    if allow_none:
        opts = opts + [None]
    return draw(st.sampled_from(opts))


def dims_tuple(draw, n):
    if n == 0:
        return draw(st.sampled_from([(0,), (-1,), ()]))
    k = draw(st.integers(0, n))
    perm = draw(st.permutations(range(n)))[:k]
    return tuple(d - n if draw(st.booleans()) else d for d in perm)


BINOPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def b_binary(draw, s):
    i = s.pick()
    a = s.env[i]
    op = draw(st.sampled_from(list(BINOPS)))
    f = BINOPS[op]
    kind = draw(st.sampled_from(["tensor", "tensor", "scalar", "rscalar"]))
    if kind == "tensor":
        cands = [j for j, t in enumerate(s.env) if bshape(a.shape, t.shape) is not None]
        if draw(st.booleans()) or len(cands) < 2:
            # fresh operand of a broadcastable shape
            shp = list(a.shape)
            shp = [1 if draw(st.integers(0, 3)) == 0 else d for d in shp]
            if shp and draw(st.booleans()):
                shp = shp[draw(st.integers(0, len(shp))) :]
            dt = draw(st.sampled_from([np.float64] * 4 + [np.float32, np.int64]))
            j = s.fresh(tuple(shp), dt)
        else:
            j = draw(st.sampled_from(cands))
        if op == "**" and not (floating(a) or floating(s.env[j])):
            raise NotApplicableError  # integer ** negative integer raises here (numpy's), torch truncates
        if draw(st.booleans()):
            return f"x{i} {op} x{j}", (lambda lib, x, y: f(x, y)), [i, j]
        return f"x{j} {op} x{i}", (lambda lib, x, y: f(y, x)), [i, j]
    c = draw(st.sampled_from([2, -1, 0.5, 3, 1.5, -2.5, 0, 0.0]))
    if op == "**" and not floating(a) and isinstance(c, int):
        raise NotApplicableError
    if kind == "scalar":
        return f"x{i} {op} {c!r}", (lambda lib, x: f(x, c)), [i]
    return f"{c!r} {op} x{i}", (lambda lib, x: f(c, x)), [i]


UNARY = ["exp", "log", "sqrt", "abs", "sign", "tanh", "sigmoid", "relu", "sin", "floor", "round", "neg"]


def b_unary(draw, s):
    i = s.pick()
    name = draw(st.sampled_from(UNARY + ["clamp", "clamp", "round_dec"]))
    if name == "sign" and s.env[i].dtype.is_floating_point and s.env[i].isnan().any():
        raise NotApplicableError  # sign(nan) is nan here (numpy's), documented
    if name == "clamp":
        lo = draw(st.sampled_from([None, -1, -0.5, 0]))
        hi = draw(st.sampled_from([None, 1, 0.5, 2] if lo is not None else [1, 0.5]))
        return f"x{i}.clamp(min={lo}, max={hi})", (lambda lib, x: x.clamp(min=lo, max=hi)), [i]
    if name == "round_dec":
        d = draw(st.sampled_from([0, 1, 2]))
        return f"x{i}.round(decimals={d})", (lambda lib, x: x.round(decimals=d)), [i]
    if draw(st.booleans()):
        return f"x{i}.{name}()", (lambda lib, x: getattr(x, name)()), [i]
    return f"lib.{name}(x{i})", (lambda lib, x: getattr(lib, name)(x)), [i]


def b_reduce(draw, s):
    i = s.pick()
    a = s.env[i]
    n = a.dim()
    name = draw(
        st.sampled_from(
            [
                "sum",
                "mean",
                "prod",
                "max",
                "min",
                "amax",
                "amin",
                "logsumexp",
                "std",
                "var",
                "norm",
                "cumsum",
                "cumprod",
            ]
        )
    )
    kd = draw(st.booleans())
    if name in ("sum", "mean", "amax", "amin"):
        form = draw(st.sampled_from(["none", "int", "tuple"]))
        if form == "none":
            if name in ("amax", "amin"):
                return f"x{i}.{name}()", (lambda lib, x: getattr(x, name)()), [i]
            return f"x{i}.{name}()", (lambda lib, x: getattr(x, name)()), [i]
        d = dim_of(draw, n) if form == "int" else dims_tuple(draw, n)
        return f"x{i}.{name}(dim={d}, keepdim={kd})", (lambda lib, x: getattr(x, name)(dim=d, keepdim=kd)), [i]
    if name == "prod":
        if draw(st.booleans()):
            return f"x{i}.prod()", (lambda lib, x: x.prod()), [i]
        d = dim_of(draw, n)
        return f"x{i}.prod(dim={d}, keepdim={kd})", (lambda lib, x: x.prod(dim=d, keepdim=kd)), [i]
    if name in ("max", "min"):
        if draw(st.booleans()):
            return f"x{i}.{name}()", (lambda lib, x: getattr(x, name)()), [i]
        d = dim_of(draw, n)
        which = draw(st.sampled_from([0, 1]))
        return (
            f"x{i}.{name}(dim={d}, keepdim={kd})[{which}]",
            (lambda lib, x: getattr(x, name)(dim=d, keepdim=kd)[which]),
            [i],
        )
    if name == "logsumexp":
        d = dim_of(draw, n) if draw(st.booleans()) else dims_tuple(draw, n)
        return f"x{i}.logsumexp(dim={d}, keepdim={kd})", (lambda lib, x: x.logsumexp(dim=d, keepdim=kd)), [i]
    if name in ("std", "var"):
        c = draw(st.sampled_from([0, 1]))  # torch's gradient with no degrees of freedom left is its own
        form = draw(st.sampled_from(["none", "int", "tuple"]))
        d = None if form == "none" else dim_of(draw, n) if form == "int" else dims_tuple(draw, n)
        if d == ():
            raise NotApplicableError  # torch 2.13's var/std backward with dim=() is wrong (N taken as 1)
        return (
            f"x{i}.{name}(dim={d}, correction={c}, keepdim={kd})",
            (lambda lib, x: getattr(x, name)(dim=d, correction=c, keepdim=kd)),
            [i],
        )
    if name == "norm":
        p = draw(st.sampled_from([2, 1, 3, math.inf, -math.inf, 0, "fro"]))
        form = draw(st.sampled_from(["none", "int", "tuple"]))
        d = None if form == "none" else dim_of(draw, n) if form == "int" else dims_tuple(draw, n)
        if p == "fro" and d is not None and not isinstance(d, tuple):
            d = (d,)
        return f"x{i}.norm(p={p!r}, dim={d}, keepdim={kd})", (lambda lib, x: x.norm(p=p, dim=d, keepdim=kd)), [i]
    d = dim_of(draw, n)
    return f"x{i}.{name}(dim={d})", (lambda lib, x: getattr(x, name)(dim=d)), [i]


def factor_shape(draw, total):
    if total == 0:
        return draw(st.sampled_from([(0,), (0, 3), (2, 0), (-1, 0), (0, 1, 2)]))
    dims = []
    rest = total
    while rest > 1 and len(dims) < 3:
        divs = [d for d in range(1, rest + 1) if rest % d == 0]
        d = draw(st.sampled_from(divs))
        dims.append(d)
        rest //= d
    dims.append(rest)
    if draw(st.booleans()):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    if draw(st.booleans()) and dims:
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


def b_shape(draw, s):
    i = s.pick()
    a = s.env[i]
    n = a.dim()
    name = draw(
        st.sampled_from(
            [
                "reshape",
                "transpose",
                "permute",
                "expand",
                "squeeze",
                "unsqueeze",
                "flip",
                "roll",
                "split",
                "mT",
                "flatten",
            ]
        )
    )
    if name == "reshape":
        shp = factor_shape(draw, a.numel())
        return f"x{i}.reshape({shp})", (lambda lib, x: x.reshape(shp)), [i]
    if name == "flatten":
        return f"x{i}.flatten()", (lambda lib, x: x.flatten()), [i]
    if name == "transpose":
        d0, d1 = dim_of(draw, n), dim_of(draw, n)
        return f"x{i}.transpose({d0}, {d1})", (lambda lib, x: x.transpose(d0, d1)), [i]
    if name == "mT":
        if n < 2:
            raise NotApplicableError
        return f"x{i}.mT", (lambda lib, x: x.mT), [i]
    if name == "permute":
        perm = tuple(draw(st.permutations(range(n))))
        if not perm:
            raise NotApplicableError
        return f"x{i}.permute{perm}", (lambda lib, x: x.permute(*perm)), [i]
    if name == "expand":
        shp = [draw(st.sampled_from([1, 2, 3])) if d == 1 else d for d in a.shape]
        if draw(st.booleans()):
            shp = [-1 if (d != 1 and draw(st.booleans())) else d for d in shp]
        lead = draw(st.lists(st.sampled_from([1, 2, 3]), max_size=2))
        shp = tuple(lead + shp)
        if not shp:
            raise NotApplicableError
        return f"x{i}.expand{shp}", (lambda lib, x: x.expand(*shp)), [i]
    if name == "squeeze":
        form = draw(st.sampled_from(["none", "int", "tuple"]))
        if form == "none":
            return f"x{i}.squeeze()", (lambda lib, x: x.squeeze()), [i]
        if form == "int":
            d = dim_of(draw, n)
            return f"x{i}.squeeze(dim={d})", (lambda lib, x: x.squeeze(dim=d)), [i]
        d = dims_tuple(draw, n)
        return f"x{i}.squeeze(dim={d})", (lambda lib, x: x.squeeze(dim=d)), [i]
    if name == "unsqueeze":
        d = draw(st.integers(-n - 1, n))
        return f"x{i}.unsqueeze({d})", (lambda lib, x: x.unsqueeze(d)), [i]
    if name == "flip":
        d = dims_tuple(draw, n)
        return f"x{i}.flip({d})", (lambda lib, x: x.flip(d)), [i]
    if name == "roll":
        if draw(st.booleans()):
            sh = draw(st.integers(-5, 5))
            return f"x{i}.roll({sh})", (lambda lib, x: x.roll(sh)), [i]
        d = dims_tuple(draw, n)
        shifts = tuple(draw(st.integers(-5, 5)) for _ in d)
        if len(d) == 1 and draw(st.booleans()):
            d, shifts = d[0], shifts[0]
        return f"x{i}.roll({shifts}, {d})", (lambda lib, x: x.roll(shifts, d)), [i]
    # split
    if n == 0:
        raise NotApplicableError
    d = dim_of(draw, n)
    size = draw(st.integers(1, 3))
    nparts = max(1, -(-a.shape[d] // size))
    k = draw(st.integers(-nparts, nparts - 1))
    if draw(st.booleans()):
        return f"x{i}.split({size}, dim={d})[{k}]", (lambda lib, x: x.split(size, dim=d)[k]), [i]
    sizes = []
    rest = a.shape[d]
    while rest > 0:
        c = draw(st.integers(0, rest))
        sizes.append(c)
        rest -= c
    if not sizes:
        sizes = [0]
    k = draw(st.integers(-len(sizes), len(sizes) - 1))
    return f"x{i}.split({sizes}, dim={d})[{k}]", (lambda lib, x: x.split(sizes, dim=d)[k]), [i]


def b_join(draw, s):
    i = s.pick()
    a = s.env[i]
    n = a.dim()
    name = draw(st.sampled_from(["cat", "stack"]))
    dt = a.numpy().dtype.type
    if name == "cat":
        if n == 0:
            raise NotApplicableError
        d = dim_of(draw, n)
        shp = list(a.shape)
        shp[d] = draw(st.integers(0, 3))
        j = s.fresh(tuple(shp), dt)
        if draw(st.booleans()):
            return f"lib.cat([x{i}, x{j}], dim={d})", (lambda lib, x, y: lib.cat([x, y], dim=d)), [i, j]
        return f"lib.cat([x{j}, x{i}, x{j}], {d})", (lambda lib, x, y: lib.cat([y, x, y], d)), [i, j]
    d = draw(st.integers(-n - 1, n))
    j = s.fresh(tuple(a.shape), dt)
    return f"lib.stack([x{i}, x{j}], dim={d})", (lambda lib, x, y: lib.stack([x, y], dim=d)), [i, j]


def b_select(draw, s):
    i = s.pick(lambda t: t.dim() > 0)
    a = s.env[i]
    n = a.dim()
    name = draw(st.sampled_from(["gather", "index_select", "getitem", "getitem", "getitem"]))
    if name == "gather":
        d = dim_of(draw, n)
        if a.shape[d] == 0:
            raise NotApplicableError
        shp = [draw(st.integers(0, a.shape[k])) if k != d % n else draw(st.integers(0, 4)) for k in range(n)]
        idx = s.rng.integers(0, a.shape[d], shp)
        return f"x{i}.gather({d}, {idx.tolist()})", (lambda lib, x: x.gather(d, idx_const(lib, idx))), [i]
    if name == "index_select":
        d = dim_of(draw, n)
        if a.shape[d] == 0:
            raise NotApplicableError
        idx = np.array(draw(st.lists(st.integers(0, a.shape[d] - 1), max_size=5)), dtype=np.int64)
        return f"x{i}.index_select({d}, {idx.tolist()})", (lambda lib, x: x.index_select(d, idx_const(lib, idx))), [i]
    # getitem
    parts = []
    k = 0
    used_ellipsis = False
    while k < n and len(parts) < 4:
        size = a.shape[k]
        kind = draw(st.sampled_from(["slice", "int", "arr", "mask", "none", "ellipsis", "stop"]))
        if kind == "stop":
            break
        if kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size - 2, size + 2)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 2, size + 2)))
            step = draw(st.sampled_from([None, 1, 2, 3]))
            parts.append(slice(start, stop, step))
            k += 1
        elif kind == "int":
            if size == 0:
                continue
            parts.append(draw(st.integers(-size, size - 1)))
            k += 1
        elif kind == "arr":
            if size == 0:
                continue
            vals = draw(st.lists(st.integers(-size, size - 1), max_size=4))
            shape2d = draw(st.booleans()) and len(vals) == 4
            arr = np.array(vals, dtype=np.int64)
            if shape2d:
                arr = arr.reshape(2, 2)
            parts.append(("arr", arr))
            k += 1
        elif kind == "mask":
            m = min(n - k, draw(st.integers(1, 2)))
            mask = s.rng.random(a.shape[k : k + m]) < 0.5
            parts.append(("mask", mask))
            k += m
        elif kind == "none":
            parts.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            parts.append(Ellipsis)
            k = n - draw(st.integers(0, n - k))
    if not parts:
        parts = [slice(None)]
    narr = sum(1 for p in parts if isinstance(p, tuple))
    if narr > 1:
        # keep broadcasting of several arrays simple: all arrays same length 1-d; masks only alone
        if any(p[0] == "mask" for p in parts if isinstance(p, tuple)):
            raise NotApplicableError
        lens = {p[1].shape for p in parts if isinstance(p, tuple)}
        if len(lens) > 1:
            raise NotApplicableError

    def index(lib):
        out = []
        for p in parts:
            if isinstance(p, tuple):
                out.append(idx_const(lib, p[1]))
            else:
                out.append(p)
        return tuple(out)

    label = ", ".join(
        (f"{p[0]}{p[1].tolist()}" if isinstance(p, tuple) else "..." if p is Ellipsis else repr(p)) for p in parts
    )
    single = len(parts) == 1 and draw(st.booleans())
    if single:
        return f"x{i}[{label}]", (lambda lib, x: x[index(lib)[0]]), [i]
    return f"x{i}[{label},]", (lambda lib, x: x[index(lib)]), [i]


def b_matmul(draw, s):
    i = s.pick(lambda t: t.dim() >= 1 and floating(t))
    a = s.env[i]
    n = a.dim()
    name = draw(st.sampled_from(["matmul", "matmul", "rmatmul", "bmm", "einsum", "einsum_self"]))
    m = draw(st.integers(0, 3))
    dt = a.numpy().dtype.type
    if name == "matmul":
        k = a.shape[-1]
        shp = (k,) if draw(st.booleans()) else (k, m)
        if draw(st.booleans()) and n >= 2:
            shp = tuple(a.shape[:-2][-1:]) + (k, m)
        j = s.fresh(shp, dt)
        return f"x{i} @ x{j}", (lambda lib, x, y: x @ y), [i, j]
    if name == "rmatmul":
        k = a.shape[-2] if n >= 2 else a.shape[0]
        shp = (m, k) if draw(st.booleans()) else (k,)
        j = s.fresh(shp, dt)
        return f"lib.matmul(x{j}, x{i})", (lambda lib, x, y: lib.matmul(y, x)), [i, j]
    if name == "bmm":
        if n != 3:
            raise NotApplicableError
        j = s.fresh((a.shape[0], a.shape[2], m), dt)
        return f"lib.bmm(x{i}, x{j})", (lambda lib, x, y: lib.bmm(x, y)), [i, j]
    if name == "einsum":
        if n == 1:
            spec = draw(st.sampled_from(["i,i->", "i,j->ij", "i,ij->j"]))
        elif n == 2:
            spec = draw(st.sampled_from(["ij,jk->ik", "ij,kj->ik", "ij,ij->i", "ij,j->i", "ij,ik->jk"]))
        elif n == 3:
            spec = draw(st.sampled_from(["bij,bjk->bik", "bij,jk->bik", "...j,jk->...k", "bij,bij->b"]))
        else:
            spec = "...j,jk->...k"
        ins = spec.split("->")[0].split(",")
        letters = dict(zip(ins[0].replace("...", ""), a.shape[n - len(ins[0].replace("...", "")) :]))
        shp = tuple(letters.get(c, m) for c in ins[1])
        j = s.fresh(shp, dt)
        return f"lib.einsum({spec!r}, x{i}, x{j})", (lambda lib, x, y: lib.einsum(spec, x, y)), [i, j]
    # einsum on one operand
    if n == 2:
        spec = draw(st.sampled_from(["ij->ji", "ij->", "ij->j", "ii->i", "ii->", "ij,ij->ij"]))
    elif n == 3:
        spec = draw(st.sampled_from(["bij->bji", "...ij->...j", "bij->", "bii->bi"]))
    else:
        spec = "...->..."
    if spec.count(",") == 1:
        return f"lib.einsum({spec!r}, x{i}, x{i})", (lambda lib, x: lib.einsum(spec, x, x)), [i]
    return f"lib.einsum({spec!r}, x{i})", (lambda lib, x: lib.einsum(spec, x)), [i]


def b_misc(draw, s):
    i = s.pick(floating)
    a = s.env[i]
    n = a.dim()
    name = draw(st.sampled_from(["where", "masked_fill", "softmax", "log_softmax", "maximum"]))
    if name in ("softmax", "log_softmax"):
        d = dim_of(draw, n)
        if draw(st.booleans()):
            return f"lib.{name}(x{i}, dim={d})", (lambda lib, x: getattr(lib, name)(x, dim=d)), [i]
        return f"x{i}.{name}({d})", (lambda lib, x: getattr(x, name)(d)), [i]
    cands = [j for j, t in enumerate(s.env) if bshape(a.shape, t.shape) is not None]
    j = draw(st.sampled_from(cands))
    if name == "maximum":
        fn = draw(st.sampled_from(["maximum", "minimum"]))
        return f"lib.{fn}(x{i}, x{j})", (lambda lib, x, y: getattr(lib, fn)(x, y)), [i, j]
    if name == "where":
        thr = draw(st.sampled_from([0, 0.5, -1]))
        form = draw(st.sampled_from(["tt", "ts", "st"]))
        if form == "tt":
            return f"lib.where(x{i} > {thr}, x{i}, x{j})", (lambda lib, x, y: lib.where(x > thr, x, y)), [i, j]
        c = draw(st.sampled_from([0.0, 1, -2.5]))
        if form == "ts":
            return f"lib.where(x{j} > {thr}, x{i}, {c})", (lambda lib, x, y: lib.where(y > thr, x, c)), [i, j]
        return f"lib.where(x{j} > {thr}, {c}, x{i})", (lambda lib, x, y: lib.where(y > thr, c, x)), [i, j]
    # masked_fill: mask must broadcast to a's shape
    b = s.env[j]
    if bshape(a.shape, b.shape) != tuple(a.shape):
        j = i
    v = draw(st.sampled_from([0.0, -math.inf, 1, 2.5, True]))
    thr = draw(st.sampled_from([0, 0.5]))
    return f"x{i}.masked_fill(x{j} > {thr}, {v})", (lambda lib, x, y: x.masked_fill(y > thr, v)), [i, j]


BUILDERS = [
    b_binary,
    b_binary,
    b_unary,
    b_unary,
    b_reduce,
    b_reduce,
    b_shape,
    b_shape,
    b_join,
    b_select,
    b_select,
    b_matmul,
    b_misc,
]


@st.composite
def programs(draw: st.DrawFn) -> State:
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # drawn as they will run: in this library's default dtype
    try:
        return draw_program(draw)
    finally:
        torch.set_default_dtype(default)


def draw_program(draw: st.DrawFn) -> State:
    seed = draw(st.integers(0, 2**32 - 1))
    s = State(draw, seed)
    nin = draw(st.integers(1, 3))
    ndim = draw(st.integers(0, 3))
    base = draw(st.lists(st.sampled_from([1, 2, 3, 4, 0]), min_size=ndim, max_size=ndim))
    if 0 in base and draw(st.integers(0, 3)) > 0:
        base = [d if d != 0 else 2 for d in base]
    for _ in range(nin):
        shp = [1 if draw(st.integers(0, 4)) == 0 else d for d in base]
        shp = shp[draw(st.integers(0, len(shp))) :] if draw(st.integers(0, 3)) == 0 else shp
        dt = draw(st.sampled_from([np.float64] * 6 + [np.float32, np.int64]))
        s.fresh(tuple(shp), dt)
    nops = draw(st.integers(2, 6))
    done = 0
    tries = 0
    while done < nops and tries < 30:
        tries += 1
        b = draw(st.sampled_from(BUILDERS))
        try:
            label, fn, args = b(draw, s)
        except NotApplicableError:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = fn(torch, *[s.env[k] for k in args])
        except Exception:  # torch refuses these arguments: drawn again
            continue
        if not isinstance(out, torch.Tensor):
            continue
        if out.numel() > 2000:
            continue
        s.env.append(out)
        s.steps.append((label, fn, args))
        done += 1
    assume(done > 0)
    return s


# --------------------------------------------------------------------------- checking


def tol(dtype):
    if dtype == torch.float16:
        return dict(rtol=2e-2, atol=2e-2)
    if dtype == torch.float32:
        return dict(rtol=1e-4, atol=1e-5)
    return dict(rtol=1e-7, atol=1e-9)


def describe(s):
    lines = []
    for k, step in enumerate(s.steps):
        lines.append(f"  x{k} = {step[0]}" + ("   # torch raises" if len(step) > 3 else ""))
    return "\n".join(lines)


def run(s, lib, grad):
    vals = []
    leaves = []
    it = iter(s.inputs)
    for step in s.steps:
        if step[1] is None:
            a = next(it)
            req = grad and a.dtype == np.float64
            if lib is torch:
                t = torch.tensor(a, requires_grad=req)
            else:
                t = A.Tensor(a.copy(), requires_grad=req)
            leaves.append(t)
            vals.append(t)
        else:
            vals.append(step[1](lib, *[vals[k] for k in step[2]]))
    return vals, leaves


def check(s):
    float_inputs = [a for a in s.inputs if a.dtype.kind == "f"]
    grad = bool(float_inputs) and all(a.dtype == np.float64 for a in float_inputs)
    tv, tleaves = run(s, torch, grad)
    ov, oleaves = run(s, A, grad)
    for k, (t, o) in enumerate(zip(tv, ov)):
        assert isinstance(o, A.Tensor), f"x{k}: ours is {type(o)}"
        od = o.data
        assert tuple(od.shape) == tuple(t.shape), f"x{k}: shape {od.shape} vs torch {tuple(t.shape)}"
        assert od.dtype == DTYPES[t.dtype], f"x{k}: dtype {od.dtype} vs torch {t.dtype}"
        tn = t.detach().numpy()
        if t.dtype.is_floating_point:
            np.testing.assert_allclose(od, tn, equal_nan=True, err_msg=f"x{k} value", **tol(t.dtype))
        else:
            np.testing.assert_array_equal(od, tn, err_msg=f"x{k} value")
        ot, oo = t.requires_grad, o.requires_grad
        assert ot == oo, f"x{k}: requires_grad {oo} vs torch {ot}"
    if not grad:
        return
    rng = np.random.default_rng(1)
    tl = 0
    ol = 0
    for k, (t, o) in enumerate(zip(tv, ov)):
        if s.steps[k][1] is None or not t.requires_grad:
            continue
        w = rng.uniform(0.5, 1.5, tuple(t.shape))
        tl = tl + (t * torch.tensor(w)).sum()
        ol = ol + (o * A.Tensor(w)).sum()
    if isinstance(tl, int):
        return
    try:
        tl.backward()
    except Exception:
        return  # torch's own backward refuses (floor_divide, bool exponent)
    ol.backward()
    for k, (t, o) in enumerate(zip(tleaves, oleaves)):
        if not t.requires_grad:
            continue
        tg = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        og = np.zeros(o.shape) if o.grad is None else np.asarray(o.grad)
        np.testing.assert_allclose(og, tg, rtol=1e-6, atol=1e-8, equal_nan=True, err_msg=f"grad of input {k}")


@settings(max_examples=120, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_random_programs_match_torch_values_dtypes_and_gradients(s: State) -> None:
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # this library's default dtype: Python floats and int / int in float64
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                check(s)
            except AssertionError as error:
                raise AssertionError(f"program:\n{describe(s)}\n{error}") from None
    finally:
        torch.set_default_dtype(default)
