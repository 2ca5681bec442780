"""Differential fuzzing against torch: random compositions of ops applied to awkward inputs.

Each example draws one or more leaves, turns them into NON-CONTIGUOUS inputs through views (transpose, permute,
``x[::2]``, ``flip``, ``expand``, ``unsqueeze``, ``diagonal``), fills them with awkward values (``-0.0``,
subnormals, 1e30, repeated values for the order statistics, optionally inf and nan), then applies a chain of
torch ops spelled the same way in this library (elementwise maths, broadcasting binaries, reductions over
random dims with ``keepdim``, softmax, matmul, shape ops, indexing, gather/scatter, sort/topk, var/std with
torch's ``correction``, and in-place changes of non-leaf tensors). The program is replayed from scratch in torch
and here: every intermediate's shape, dtype and values must be torch's, and the gradients of all leaves after
``backward()`` of a weighted sum of the intermediates (random weights) too, in float64 (tight) and float32.

Left out, as documented policy differences (README): bare ``x.var()``/``x.std()`` (numpy's ``ddof=0``: the
programs always pass torch's ``correction``), ``x.max(1)`` (values only: the programs use ``amax``), and backward
through a node whose saved input was changed in place afterwards (torch raises; this library keeps the value
and gives the gradient), where only the values are compared.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd as A

torch = pytest.importorskip("torch")

NP = {torch.float64: np.float64, torch.float32: np.float32, torch.int64: np.int64, torch.bool: np.bool_}
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


class NotApplicableError(Exception):
    """The drawn op does not apply here (another one is drawn)."""


# --------------------------------------------------------------------------- inputs


def awkward_values(draw, shape: tuple[int, ...], dtype, kind: str) -> np.ndarray:
    """Values of one of the awkward kinds, drawn by hypothesis (so they shrink): plain, ties (few distinct
    values), special (signed zeros, subnormals, huge), nonfinite (special plus inf and nan)."""
    n = int(np.prod(shape))
    plain = st.floats(-2, 2, width=32 if dtype == np.float32 else 64)
    if kind == "ties":
        elements = st.sampled_from([0.5, -1.0, 0.0, 1.0, -0.5])
    elif kind == "plain":
        elements = plain
    else:
        tiny = 1e-310 if dtype == np.float64 else 1e-40
        pool = [-0.0, tiny, -tiny, 1e30, -1e30, 0.0, 1.0]
        if kind == "nonfinite":
            pool += [np.inf, -np.inf, np.nan]
        elements = st.one_of(plain, st.sampled_from(pool))
    values = draw(st.lists(elements, min_size=n, max_size=n))
    return np.array(values, dtype=dtype).reshape(shape)


class Env(list):
    leaves_made: list


class Program:
    """A program: leaves (numpy arrays) and steps, each step a function of the backend and the values so far.

    Drawn against torch (each drawn op is run at once on torch's values, to know its shapes and that torch
    accepts it) and replayed from scratch on both backends for the comparison."""

    def __init__(self, draw, seed: int, dtype, kind: str) -> None:
        self.draw = draw
        self.rng = np.random.default_rng(seed)  # index arrays and masks
        self.dtype = dtype
        self.kind = kind
        self.leaves: list[np.ndarray] = []
        self.steps: list[tuple[str, object]] = []
        self.env = Env()
        self.env.leaves_made = []
        self.owned: list[bool] = []
        # gradients left uncompared, by design here: a NaN maximum's gradient goes to the NaN entries (as
        # torch.max()), where torch.amax's is NaN; a norm of inf or nan entries differentiates as |x| does
        # (sign x, 0 at nan), where torch's x / norm is inf / inf (or 0 / 0 where |x|^p underflows); var/std of a NaN with no degrees of freedom
        # is NaN here, where torch's gradient is inf; logsumexp of entries near 1e30 has the softmax as its
        # gradient here, where torch's exp(x - logsumexp) rounds to 1 for each of several tied maxima; a var/std
        # with no degrees of freedom (correction >= count) is nan or inf in both, its gradient nan here (a
        # composite: the mean's path adds inf - inf) where torch's formula 2 (x - mean) / 0 gives +-inf, or
        # finite for a negative divisor that its forward clamps to 0; prod over inf or nan entries has the product
        # of the others as its gradient here, where torch's result / x is inf / inf (or a ratio of rounded
        # subnormals, or an overflowed product over x)
        self.uncompared_grads = False
        # a sum (sum, mean, matmul, cumsum, ...) over entries near 1e30 of both signs cancels them in an order
        # of its own: torch's and numpy's orders give different (both rounded) results, so only the shapes,
        # dtypes and that both run are compared
        self.cancellation = False

    def summed(self, *indices: int) -> None:
        """The next step sums the entries of these values: note whether it may cancel huge ones."""
        for k in indices:
            t = self.env[k].detach()
            if bool(((t.abs() > 1e15) & t.isfinite()).any()):
                self.cancellation = True  # not a view of a leaf (so torch allows in-place changes of it)

    def add(self, label: str, fn, owned: bool | None = None) -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = fn(torch, self.env)
            except (RuntimeError, IndexError, ValueError, TypeError) as error:
                raise NotApplicableError(str(error)) from None
        if not isinstance(out, torch.Tensor) or out.numel() > 400:
            raise NotApplicableError("not a small tensor")
        self.env.append(out)
        self.steps.append((label, fn))
        self.owned.append(out._base is None or not out._base.is_leaf if owned is None else owned)
        return len(self.env) - 1

    def leaf(self, shape: tuple[int, ...]) -> int:
        a = awkward_values(self.draw, shape, self.dtype, self.kind)
        self.leaves.append(a)
        self.env.leaves_made.append(torch.tensor(a, requires_grad=True))
        k = len(self.leaves) - 1
        return self.add(f"leaf{k} {a.dtype}{shape}", lambda lib, e, k=k: e.leaves_made[k], owned=False)

    def fresh(self, shape: tuple[int, ...]) -> int:
        """An input of exactly this shape, often a non-contiguous view of a leaf."""
        shape = tuple(shape)
        n = len(shape)
        how = self.draw(st.sampled_from(["plain", "transpose", "step", "flip", "expand", "unsqueeze", "diag"]))
        if how == "transpose" and n >= 2:
            perm = list(self.draw(st.permutations(range(n))))
            inv = list(np.argsort(perm))
            k = self.leaf(tuple(shape[p] for p in perm))
            return self.add(f"x{k}.permute({inv})", lambda lib, e: e[k].permute(*inv))
        if how == "step" and n >= 1:
            d = self.draw(st.integers(0, n - 1))
            big = list(shape)
            big[d] = 2 * shape[d]
            k = self.leaf(tuple(big))
            idx = (slice(None),) * d + (slice(1, None, 2),)
            return self.add(f"x{k}[{d * ':, '}1::2]", lambda lib, e: e[k][idx])
        if how == "flip" and n >= 1:
            dims = sorted(set(self.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n))))
            k = self.leaf(shape)
            return self.add(f"x{k}.flip({dims})", lambda lib, e: e[k].flip(dims))
        if how == "expand" and n >= 1:
            d = self.draw(st.integers(0, n - 1))
            small = list(shape)
            small[d] = 1
            k = self.leaf(tuple(small))
            return self.add(f"x{k}.expand{shape}", lambda lib, e: e[k].expand(*shape))
        if how == "unsqueeze" and n >= 1 and 1 in shape:
            d = shape.index(1)
            k = self.leaf(shape[:d] + shape[d + 1 :])
            return self.add(f"x{k}.unsqueeze({d})", lambda lib, e: e[k].unsqueeze(d))
        if how == "diag" and n >= 1:
            # shape[:-1] + (m, m) with the diagonal of the last two axes -> shape
            m = shape[-1]
            k = self.leaf(shape[:-1] + (m, m + 1))
            return self.add(f"x{k}.diagonal(0, -2, -1)", lambda lib, e: e[k].diagonal(0, -2, -1))
        return self.leaf(shape)

    def bshape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts with ``shape`` (some axes 1, leading ones dropped or added)."""
        out = [1 if self.draw(st.integers(0, 3)) == 0 else d for d in shape]
        choice = self.draw(st.integers(0, 4))
        if choice == 0 and out:
            out = out[self.draw(st.integers(1, len(out))) :]
        elif choice == 1 and len(out) < 4:
            out = [self.draw(st.sampled_from([1, 2]))] + out
        return tuple(out)


# --------------------------------------------------------------------------- op builders
# Each builder takes (p, i): the program and the index of the value to work on; it adds steps and returns the
# index of the result.


def pick_dim(p, n):
    if n == 0:
        raise NotApplicableError("0-d")
    return p.draw(st.integers(-n, n - 1))


def pick_dims(p, n):
    if n == 0:
        return ()
    return tuple(sorted(set(p.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n)))))


UNARY = {
    "neg": lambda x: -x,
    "abs": lambda x: x.abs(),
    "exp": lambda x: x.exp(),
    "log": lambda x: (x.abs() + 0.25).log(),
    "sqrt": lambda x: (x * x + 0.01).sqrt(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "clamp": lambda x: x.clamp(min=-0.5, max=1.0),
    "clamp_min": lambda x: x.clamp(min=0.0),
    "pow_const": lambda x: x**2,
    "pow_frac": lambda x: (x.abs() + 0.5) ** 1.5,
}


def b_unary(p, i):
    name = p.draw(st.sampled_from(sorted(UNARY)))
    f = UNARY[name]
    return p.add(f"{name}(x{i})", lambda lib, e: f(e[i]))


BINARY = {
    "add": lambda lib, x, y: x + y,
    "sub": lambda lib, x, y: x - y,
    "mul": lambda lib, x, y: x * y,
    "div": lambda lib, x, y: x / (y.abs() + 0.5),
    "pow": lambda lib, x, y: (x.abs() + 0.5) ** y.clamp(-2, 2),
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "minimum": lambda lib, x, y: lib.minimum(x, y),
    "where": lambda lib, x, y: lib.where(x > y, x, y * 2),
}


def b_binary(p, i):
    name = p.draw(st.sampled_from(sorted(BINARY)))
    f = BINARY[name]
    j = p.fresh(p.bshape(tuple(p.env[i].shape)))
    if p.draw(st.booleans()):
        i, j = j, i
    return p.add(f"{name}(x{i}, x{j})", lambda lib, e: f(lib, e[i], e[j]))


def b_reduce(p, i):
    p.summed(i)
    n = p.env[i].dim()
    kd = p.draw(st.booleans())
    name = p.draw(
        st.sampled_from(["sum", "mean", "amax", "amin", "prod", "logsumexp", "norm", "var", "std", "cumsum", "sm"])
    )
    if name in ("sum", "mean", "amax", "amin", "logsumexp"):
        dims = pick_dims(p, n)
        if name in ("amax", "amin") and bool(p.env[i].isnan().any()):
            p.uncompared_grads = True
        if name == "logsumexp" and bool((p.env[i].abs() > 1e15).any()):
            p.uncompared_grads = True
        return p.add(f"x{i}.{name}(dim={dims}, keepdim={kd})", lambda lib, e: getattr(e[i], name)(dim=dims, keepdim=kd))
    if name == "prod":
        d = pick_dim(p, n)
        magnitudes = p.env[i].abs()
        tiny = 1e-290 if p.dtype == np.float64 else 1e-30
        awkward = (magnitudes > 0) & (magnitudes < tiny) | (magnitudes > 1e15)
        if not bool(magnitudes.isfinite().all()) or bool(awkward.any()):
            p.uncompared_grads = True
        return p.add(f"x{i}.prod(dim={d}, keepdim={kd})", lambda lib, e: e[i].prod(dim=d, keepdim=kd))
    if name == "norm":
        dims = pick_dims(p, n)
        magnitudes = p.env[i].abs()
        tiny = 1e-100 if p.dtype == np.float64 else 1e-12  # |x|^3 underflows below about its cube
        if not bool(magnitudes.isfinite().all()) or bool(((magnitudes > 0) & (magnitudes < tiny)).any()):
            p.uncompared_grads = True
        pp = p.draw(st.sampled_from([1, 2, 3]))
        return p.add(
            f"x{i}.norm(p={pp}, dim={dims}, keepdim={kd})", lambda lib, e: e[i].norm(p=pp, dim=dims, keepdim=kd)
        )
    if name in ("var", "std"):
        dims = pick_dims(p, n)
        if bool((p.env[i].abs() > 1e15).any()):
            # not drawn (report): entries near 1e30 leave a mean off by rounding, so tied entries get a variance
            # of ~1e28 where torch's Welford pass gives 0, and gradients meet inf - inf through the mean
            raise NotApplicableError("var of huge entries")
        if not bool(p.env[i].isfinite().all()):
            p.uncompared_grads = True
        c = p.draw(st.sampled_from([0, 1, 2]))
        count = int(np.prod([p.env[i].shape[d] for d in dims])) if dims else p.env[i].numel()
        if c >= count:
            p.uncompared_grads = True
        if p.draw(st.booleans()) and c < 2:
            return p.add(
                f"x{i}.{name}(dim={dims}, unbiased={bool(c)}, keepdim={kd})",
                lambda lib, e: getattr(e[i], name)(dim=dims, unbiased=bool(c), keepdim=kd),
            )
        return p.add(
            f"x{i}.{name}(dim={dims}, correction={c}, keepdim={kd})",
            lambda lib, e: getattr(e[i], name)(dim=dims, correction=c, keepdim=kd),
        )
    d = pick_dim(p, n) if n else 0
    if name == "cumsum":
        return p.add(f"x{i}.cumsum(dim={d})", lambda lib, e: e[i].cumsum(dim=d))
    fn = p.draw(st.sampled_from(["softmax", "log_softmax"]))
    return p.add(f"x{i}.{fn}(dim={d})", lambda lib, e: getattr(e[i], fn)(dim=d))


def b_order(p, i):
    n = p.env[i].dim()
    d = pick_dim(p, n) if n else 0
    name = p.draw(st.sampled_from(["sort", "topk", "median"]))
    if name != "sort" and torch.unique(p.env[i].detach()).numel() < p.env[i].numel():
        p.uncompared_grads = True  # which of tied entries topk or median picks is torch's choice, not documented
    if name == "sort":
        desc = p.draw(st.booleans())
        return p.add(
            f"x{i}.sort(dim={d}, descending={desc}).values", lambda lib, e: e[i].sort(dim=d, descending=desc)[0]
        )
    if name == "topk":
        size = p.env[i].shape[d] if n else 1
        k = p.draw(st.integers(0, size))
        lg = p.draw(st.booleans())
        return p.add(f"x{i}.topk({k}, dim={d}, largest={lg}).values", lambda lib, e: e[i].topk(k, dim=d, largest=lg)[0])
    kd = p.draw(st.booleans())
    # contiguous first: torch 2.13's median(dim) of an expanded (stride-0) tensor reads garbage
    # (tensor([1.]).expand(2).median(dim=0) is 6.9e-310), where ours is right
    return p.add(
        f"x{i}.contiguous().median(dim={d}, keepdim={kd}).values",
        lambda lib, e: e[i].contiguous().median(dim=d, keepdim=kd).values,
    )


def b_matmul(p, i):
    shape = tuple(p.env[i].shape)
    n = len(shape)
    if n == 0:
        raise NotApplicableError("0-d")
    m = p.draw(st.sampled_from([0, 1, 2, 3]))
    if n == 1:
        other = p.draw(st.sampled_from([(shape[0],), (shape[0], m), (2, shape[0], m)]))
    else:
        batch = shape[:-2]
        if batch and p.draw(st.booleans()):
            batch = p.bshape(batch)
        other = p.draw(st.sampled_from([(shape[-1],), batch + (shape[-1], m), (shape[-1], m)]))
    j = p.fresh(other)
    p.summed(i, j)
    if p.draw(st.booleans()) and len(other) >= 2:
        # (other^T) @ (x^T): the drawn value on the right
        return p.add(f"x{j}.mT @ x{i}.mT", lambda lib, e: e[j].transpose(-1, -2) @ e[i].transpose(-1, -2))
    return p.add(f"x{i} @ x{j}", lambda lib, e: lib.matmul(e[i], e[j]))


def factor(p, shape):
    total = int(np.prod(shape))
    if total == 0:
        return p.draw(st.sampled_from([(0,), (0, 3), (-1, 2) if False else (2, 0), (1, 0, 1)]))
    dims = []
    rest = total
    while rest > 1 and len(dims) < 3:
        divs = [d for d in range(1, rest + 1) if rest % d == 0]
        d = p.draw(st.sampled_from(divs))
        dims.append(d)
        rest //= d
    dims.append(rest)
    if p.draw(st.booleans()):
        dims[p.draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


def b_shape(p, i):
    t = p.env[i]
    shape = tuple(t.shape)
    n = len(shape)
    name = p.draw(
        st.sampled_from(
            ["reshape", "view", "flatten", "transpose", "permute", "squeeze", "unsqueeze", "expand", "split", "chunk"]
        )
    )
    if name in ("reshape", "view"):
        if name == "view" and not t.is_contiguous():
            name = "reshape"
        new = factor(p, shape)
        return p.add(f"x{i}.{name}{new}", lambda lib, e: getattr(e[i], name)(*new))
    if name == "flatten":
        s = p.draw(st.integers(0, max(n - 1, 0)))
        en = p.draw(st.integers(s, max(n - 1, 0)))
        return p.add(f"x{i}.flatten({s}, {en})", lambda lib, e: e[i].flatten(s, en))
    if name == "transpose":
        a, b = pick_dim(p, n), pick_dim(p, n)
        return p.add(f"x{i}.transpose({a}, {b})", lambda lib, e: e[i].transpose(a, b))
    if name == "permute":
        perm = list(p.draw(st.permutations(range(n))))
        return p.add(f"x{i}.permute({perm})", lambda lib, e: e[i].permute(*perm))
    if name == "squeeze":
        if p.draw(st.booleans()) or n == 0:
            return p.add(f"x{i}.squeeze()", lambda lib, e: e[i].squeeze())
        d = pick_dim(p, n)
        return p.add(f"x{i}.squeeze(dim={d})", lambda lib, e: e[i].squeeze(dim=d))
    if name == "unsqueeze":
        d = p.draw(st.integers(-n - 1, n))
        return p.add(f"x{i}.unsqueeze({d})", lambda lib, e: e[i].unsqueeze(d))
    if name == "expand":
        new = tuple(p.draw(st.sampled_from([d, -1] if d != 1 else [1, 2, 3, -1])) for d in shape)
        if p.draw(st.booleans()):
            new = (2,) + new
        return p.add(f"x{i}.expand{new}", lambda lib, e: e[i].expand(*new))
    d = pick_dim(p, n)
    if name == "split":
        size = p.draw(st.integers(1, 3))
        k = p.draw(st.integers(0, 3))
        return p.add(f"x{i}.split({size}, dim={d})[{k}]", lambda lib, e: e[i].split(size, dim=d)[k])
    c = p.draw(st.integers(1, 3))
    k = p.draw(st.integers(0, 2))
    return p.add(f"x{i}.chunk({c}, dim={d})[{k}]", lambda lib, e: e[i].chunk(c, dim=d)[k])


def b_join(p, i):
    shape = tuple(p.env[i].shape)
    n = len(shape)
    j = p.fresh(shape) if p.draw(st.booleans()) else i
    if p.draw(st.booleans()) and n:
        d = pick_dim(p, n)
        if j != i and p.draw(st.booleans()):
            other = list(shape)
            other[d] = p.draw(st.integers(0, 2))
            j = p.fresh(tuple(other))
        return p.add(f"cat([x{i}, x{j}], dim={d})", lambda lib, e: lib.cat([e[i], e[j]], dim=d))
    d = p.draw(st.integers(-n - 1, n))
    return p.add(f"stack([x{i}, x{j}], dim={d})", lambda lib, e: lib.stack([e[i], e[j]], dim=d))


def const(lib, a):
    return lib.tensor(np.asarray(a))


def b_index(p, i):
    t = p.env[i]
    shape = tuple(t.shape)
    n = len(shape)
    name = p.draw(st.sampled_from(["int", "slice", "mask", "valuemask", "array", "array2", "gather", "select", "sadd"]))
    if n == 0:
        name = p.draw(st.sampled_from(["mask", "valuemask"]))
    if name == "int":
        if shape[0] == 0:
            raise NotApplicableError("empty")
        k = p.draw(st.integers(-shape[0], shape[0] - 1))
        return p.add(f"x{i}[{k}]", lambda lib, e: e[i][k])
    if name == "slice":
        idx = tuple(
            slice(
                p.draw(st.sampled_from([None, 0, 1, -1])),
                p.draw(st.sampled_from([None, 2, -1])),
                p.draw(st.integers(1, 3)),
            )
            for _ in range(p.draw(st.integers(1, n)))
        )
        return p.add(f"x{i}[{idx}]", lambda lib, e: e[i][idx])
    if name == "mask":
        m = p.rng.random(shape) < 0.5
        return p.add(f"x{i}[mask{m.astype(int).tolist()}]", lambda lib, e: e[i][const(lib, m)])
    if name == "valuemask":
        return p.add(f"x{i}[x{i} > 0]", lambda lib, e: e[i][e[i] > 0])
    d = pick_dim(p, n)
    size = shape[d]
    if size == 0:
        raise NotApplicableError("empty")
    idx = p.rng.integers(0, size, p.draw(st.integers(0, 4)))
    if name == "array":
        key = (slice(None),) * (d % n) + (idx.tolist(),)
        return p.add(f"x{i}[{key}]", lambda lib, e: e[i][key])
    if name == "array2":
        if n < 2 or shape[0] == 0 or shape[-1] == 0:
            raise NotApplicableError("shape")
        r = p.rng.integers(0, shape[0], 3)
        c = p.rng.integers(0, shape[-1], 3)
        return p.add(f"x{i}[{r.tolist()}, ..., {c.tolist()}]", lambda lib, e: e[i][const(lib, r), ..., const(lib, c)])
    if name == "select":
        return p.add(f"x{i}.index_select({d}, {idx.tolist()})", lambda lib, e: e[i].index_select(d, const(lib, idx)))
    gshape = list(shape)
    gshape[d] = p.draw(st.integers(0, 3))
    g = p.rng.integers(0, size, gshape)
    if name == "gather":
        return p.add(f"x{i}.gather({d}, idx{g.tolist()})", lambda lib, e: e[i].gather(d, const(lib, g)))
    src = p.fresh(tuple(gshape))
    p.summed(i, src)
    return p.add(
        f"x{i}.scatter_add({d}, idx{g.tolist()}, x{src})", lambda lib, e: e[i].scatter_add(d, const(lib, g), e[src])
    )


def b_inplace(p, i):
    t = p.env[i]
    if not p.owned[i] or p.draw(st.integers(0, 2)) == 0:
        i = p.add(f"x{i} * 1", lambda lib, e, i=i: e[i] * 1)
        t = p.env[i]
    shape = tuple(t.shape)
    n = len(shape)
    name = p.draw(
        st.sampled_from(["add_", "mul_", "clamp_", "relu_", "setitem", "setmask", "sub_view", "through_view"])
    )
    if name == "through_view":
        views = {
            "x.mT": lambda x: x.transpose(-1, -2),
            "x.diagonal(0, -2, -1)": lambda x: x.diagonal(0, -2, -1),
            "x[1:]": lambda x: x[1:],
            "x.unsqueeze(0)": lambda x: x.unsqueeze(0),
            "x.flatten()": lambda x: x.flatten(),
            "x.permute(reversed)": lambda x: x.permute(*range(x.dim() - 1, -1, -1)),
        }
        view = p.draw(st.sampled_from(sorted(views)))
        changes = {
            "add_(1.5)": lambda v: v.add_(1.5),
            "mul_(-2.0)": lambda v: v.mul_(-2.0),
            "clamp_(-0.25, 0.5)": lambda v: v.clamp_(-0.25, 0.5),
            "relu_()": lambda v: v.relu_(),
        }
        change = p.draw(st.sampled_from(sorted(changes)))
        make, apply = views[view], changes[change]

        def through_view(lib, e):
            v = make(e[i])
            if v.dim() < 1 or (view == "x.flatten()" and not e[i].is_contiguous()):
                raise RuntimeError("not a view here")
            apply(v)
            return e[i]

        return p.add(f"{view.replace('x', f'x{i}', 1)}.{change}", through_view)
    if name in ("add_", "mul_"):
        if p.draw(st.booleans()):
            j = p.fresh(p.bshape(shape)[-n:] if n else ())
            if any(a not in (1, b) for a, b in zip(reversed(p.env[j].shape), reversed(shape))) or p.env[j].dim() > n:
                raise NotApplicableError("not broadcastable in place")
            return p.add(f"x{i}.{name}(x{j})", lambda lib, e: getattr(e[i], name)(e[j]))
        c = p.draw(st.sampled_from([-1.5, 0.0, 2.0]))
        return p.add(f"x{i}.{name}({c})", lambda lib, e: getattr(e[i], name)(c))
    if name == "clamp_":
        return p.add(f"x{i}.clamp_(-0.5, 0.75)", lambda lib, e: e[i].clamp_(-0.5, 0.75))
    if name == "relu_":
        return p.add(f"x{i}.relu_()", lambda lib, e: e[i].relu_())
    if name == "setmask":

        def setmask(lib, e):
            e[i][e[i] < 0] = 0.5
            return e[i]

        return p.add(f"x{i}[x{i} < 0] = 0.5", setmask)
    if name == "sub_view":
        if n == 0:
            raise NotApplicableError("0-d")

        def sub_view(lib, e):
            e[i][..., ::2].mul_(3.0)
            return e[i]

        return p.add(f"x{i}[..., ::2].mul_(3)", sub_view)
    if n == 0 or shape[0] == 0:
        raise NotApplicableError("0-d")
    key = p.draw(st.sampled_from(["0", "1:", "::2", "list"]))
    keys = {"0": 0, "1:": slice(1, None), "::2": slice(None, None, 2), "list": [0, -1]}
    k = keys[key]
    j = p.fresh(tuple(t[k].shape))

    def setitem(lib, e):
        e[i][k] = e[j]
        return e[i]

    return p.add(f"x{i}[{key}] = x{j}", setitem)


BUILDERS = [b_unary, b_unary, b_binary, b_binary, b_reduce, b_reduce, b_order, b_matmul, b_shape, b_join, b_index]
BUILDERS += [b_index, b_inplace, b_inplace, b_inplace]


@st.composite
def programs(draw, dtype=np.float64, kinds=("plain", "ties", "special", "nonfinite")) -> Program:
    seed = draw(st.integers(0, 2**16))
    kind = draw(st.sampled_from(kinds))
    p = Program(draw, seed, dtype, kind)
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.sampled_from([2, 3, 1, 0, 4]), min_size=ndim, max_size=ndim)))
    cur = p.fresh(shape)
    nops = draw(st.integers(2, 6))
    done = tries = 0
    while done < nops and tries < 25:
        tries += 1
        builder = draw(st.sampled_from(BUILDERS))
        mark = (len(p.env), len(p.leaves))
        try:
            cur = builder(p, cur)
            done += 1
        except NotApplicableError:
            # drop what a failed builder added
            del p.env[mark[0] :], p.steps[mark[0] :], p.owned[mark[0] :]
            del p.leaves[mark[1] :], p.env.leaves_made[mark[1] :]
    assume(done > 0)
    return p


# --------------------------------------------------------------------------- replay and comparison


def snapshot(v, lib):
    """The values now (in-place steps change earlier results later)."""
    return v.detach().numpy().copy() if lib is torch else np.array(v.data, copy=True)


def tolerances(dtype):
    if dtype == np.float32:
        return dict(rtol=2e-5, atol=1e-6), dict(rtol=1e-4, atol=1e-5)
    return dict(rtol=1e-12, atol=1e-14), dict(rtol=1e-10, atol=1e-12)


def describe(p: Program) -> str:
    lines = [f"kind={p.kind} dtype={np.dtype(p.dtype).name}"]
    lines += [f"  x{k} = {label}" for k, (label, _) in enumerate(p.steps)]
    lines += [f"  leaf{k} = {a.tolist()!r}" for k, a in enumerate(p.leaves)]
    return "\n".join(lines)


def check(p: Program) -> None:
    vtol, gtol = tolerances(p.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tvals, ovals = [], []
        tenv = replay_with_snapshots(p, torch, tvals)
        oenv = replay_with_snapshots(p, A, ovals)
    for k, (t, o, tv, ov) in enumerate(zip(tenv, oenv, tvals, ovals)):
        assert isinstance(o, A.Tensor), f"x{k}: ours is {type(o)}"
        assert ov.shape == tv.shape, f"x{k}: shape {ov.shape} vs torch {tv.shape}"
        assert ov.dtype == tv.dtype, f"x{k}: dtype {ov.dtype} vs torch {tv.dtype}"
        if p.cancellation:
            continue
        np.testing.assert_allclose(ov, tv, equal_nan=True, err_msg=f"x{k} value", **vtol)
        assert o.requires_grad == t.requires_grad, f"x{k}: requires_grad {o.requires_grad} vs {t.requires_grad}"
    rng = np.random.default_rng(7)
    tl, ol = 0, 0
    seen = set()
    for t, o in zip(tenv, oenv):
        if not t.requires_grad or t.is_leaf or id(t) in seen or not t.dtype.is_floating_point:
            continue
        seen.add(id(t))
        w = rng.standard_normal(tuple(t.shape)).astype(p.dtype)
        tl = tl + (t * torch.tensor(w)).sum()
        ol = ol + (o * A.tensor(w)).sum()
    if isinstance(tl, int) or p.uncompared_grads or p.cancellation:
        return
    try:
        tl.backward()
    except RuntimeError as error:
        if "modified by an inplace operation" in str(error):
            return  # README: this library keeps the saved value and gives the gradient where torch raises
        raise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ol.backward()
    for k, (t, o) in enumerate(zip(tenv.leaves_made, oenv.leaves_made)):
        tg = np.zeros(t.shape, p.dtype) if t.grad is None else t.grad.numpy()
        og = np.zeros(o.shape, p.dtype) if o.grad is None else np.asarray(o.grad)
        assert og.dtype == tg.dtype, f"grad of leaf{k}: dtype {og.dtype} vs {tg.dtype}"
        np.testing.assert_allclose(og, tg, equal_nan=True, err_msg=f"grad of leaf{k}", **gtol)


def replay_with_snapshots(p: Program, lib, snaps: list) -> Env:
    env = Env()
    env.leaves_made = [
        torch.tensor(a, requires_grad=True) if lib is torch else A.tensor(a.copy(), requires_grad=True)
        for a in p.leaves
    ]
    for _, fn in p.steps:
        v = fn(lib, env)
        env.append(v)
        snaps.append(snapshot(v, lib))
    return env


def run_checked(p: Program) -> None:
    try:
        check(p)
    except AssertionError as error:
        raise AssertionError(f"program:\n{describe(p)}\n{error}") from None
    except Exception as error:  # we raise where torch ran the program
        raise AssertionError(f"program:\n{describe(p)}\nraised {type(error).__name__}: {error}") from error


@settings(max_examples=4000, **SETTINGS)
@given(programs(np.float64))
def test_float64_compositions_match_torch(p: Program) -> None:
    run_checked(p)


@settings(max_examples=400, **SETTINGS)
@given(programs(np.float32, kinds=("plain", "ties", "special")))
def test_float32_compositions_match_torch(p: Program) -> None:
    run_checked(p)
