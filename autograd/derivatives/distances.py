"""Derivative table of the pairwise distances (torch's ``cdist``; ``pdist`` reads its upper triangle).

For rows x_i of x1 (..., P, M) and y_j of x2 (..., R, M), with d = x_i - y_j and n_ij = ||d||_p, the distance is
computed by rows of x1 in blocks of at most :data:`BLOCK_ENTRIES` differences, so the (P, R, M) difference array
never exists whole, forward or backward. Each block's distances are the ones the whole array's norm gives (the
same differences, reduced the same way along M: bit for bit). With g the upstream gradient, as torch:

* dx_i = sum_j g_ij s(d), dy_j = -sum_i g_ij s(d), s(d) the slope of ||d||_p:
* p = 2: d / n; p = 1: sign(d); p = inf: sign(d) on the entries with |d_k| = n (each tie in full, as torch);
  p = 0 (the count of differing entries): 0; other p: sign(d) |d|^(p-1) / n^(p-1);
* 0 where n = 0, and for the other p, where d_k = 0 (the slope of |d|^p is 0 or, for p < 1, infinite there);
  one feature (M = 1): sign(d), since n = |d|;
* non-finite entries as torch's formulas give them: sign(nan) is nan, the p = inf indicator is nan where
  |d_k| - n is, and inf / inf (M = 1, p != 1; or |d|^(p-1) / n^(p-1)) is nan.

The blocks' gradients are summed one after another (dy over the blocks of rows: a last-bit difference from
one sum over all rows, now and then). Under create_graph the rule is the same formula in recorded ops on the whole
difference (n the recorded distance itself), so it is differentiable again.

torch's matrix-product way for p = 2 (:data:`euclidean`, its ``_euclidean_dist``; which of the two ways a call
takes is :func:`uses_products`'s choice, torch's) is another op: with the rows extended to
a_i = (-2 x_i, |x_i|^2, 1) and b_j = (y_j, 1, |y_j|^2),

* n_ij = sqrt(max(a_i . b_j, 0)): one matrix product (the rounding is the product's: 0 at x_i = y_j only when
  it cancels exactly, as torch's), and no (P, R, M) array, forward or backward;
* with the ratio r_ij = g_ij / n_ij (0 where n_ij = 0), the derivative torch gives of that composite:
  dx_i = x_i sum_j r_ij - sum_j r_ij y_j and dy_j = y_j sum_i r_ij - sum_i r_ij x_i (two matrix products);
  near n = 0 the ratio is as large as the rounded distance is small, as torch's. The same formula in recorded
  ops under create_graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import shared_math as sm
from ..broadcasting import unbroadcast
from ..core import Node
from ..op import Op
from ..quiet import quietly

#: The largest number of differences (rows x columns x features) a block computes at once (2 MB of float64).
BLOCK_ENTRIES = 1 << 18


def batched(x1: np.ndarray, x2: np.ndarray) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
    """The broadcast batch shape of (..., P, M) and (..., R, M) arrays, and both as (batch, P, M), (batch, R, M)."""
    batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    size = int(np.prod(batch, dtype=np.int64))
    return (
        batch,
        np.broadcast_to(x1, batch + x1.shape[-2:]).reshape((size,) + x1.shape[-2:]),
        np.broadcast_to(x2, batch + x2.shape[-2:]).reshape((size,) + x2.shape[-2:]),
    )


def blocks(size: int, rows: int, columns: int, features: int, upper: bool) -> list[tuple[slice, int, int, int]]:
    """The blocks (matrices, start, stop, low): rows start:stop of x1's matrices whose differences with x2's rows
    low: fit in BLOCK_ENTRIES (several whole matrices of a batch of small ones at once); low is 0, or with ``upper``
    (pdist: only pairs i < j are read) the block's first row + 1."""
    per_matrix = max(1, rows * columns * features)
    if per_matrix <= BLOCK_ENTRIES and not upper:
        step = BLOCK_ENTRIES // per_matrix
        return [(slice(k, k + step), 0, rows, 0) for k in range(0, size, step)]
    step = max(1, BLOCK_ENTRIES // max(1, columns * features))
    starts = range(0, rows, step)
    return [
        (slice(k, k + 1), start, min(start + step, rows), start + 1 if upper else 0)
        for k in range(size)
        for start in starts
    ]


def _difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a_i - b_j for every pair of (matrices, rows, M) and (matrices, columns, M): (matrices, rows, columns, M);
    float16 differences (rounded in float16) are read in float32, as the norm of a float16 array is computed."""
    difference = quietly(np.subtract, a[:, :, None, :], b[:, None, :, :])  # inf - inf is nan, silently
    return difference.astype(np.float32) if difference.dtype == np.float16 else difference


def _norms(d: np.ndarray, p: float) -> np.ndarray:
    """||d||_p along the last axis (M > 0), computed as the vector norms compute it (autograd.linalg)."""
    if d.shape[-1] == 1 and p != 0:
        return np.abs(d[..., 0])
    if p == 2:  # d is the block's own: squared in place
        return np.sqrt(quietly(np.add.reduce, quietly(np.multiply, d, d, out=d), axis=-1))
    if p == 0:
        return np.add.reduce((d != 0).astype(d.dtype), axis=-1)
    magnitudes = np.abs(d, out=d)
    if p == np.inf:
        return np.max(magnitudes, axis=-1)
    if p == 1:
        return np.add.reduce(magnitudes, axis=-1)
    nonzero = magnitudes != 0
    powers = sm.select(nonzero, quietly(sm.array_power, sm.select(nonzero, magnitudes, 1.0), p), 0.0)
    total = np.add.reduce(powers, axis=-1)
    zero = total == 0
    return sm.select(zero, 0.0, quietly(sm.array_power, sm.select(zero, 1.0, total), 1 / p))


def distances(x1: np.ndarray, x2: np.ndarray, p: float, upper: bool = False) -> np.ndarray:
    """||x1_i - x2_j||_p for (..., P, M) and (..., R, M) arrays of one float dtype: (batch..., P, R), block by
    block; featureless rows (M = 0) are 0 apart in every norm, as torch's. With ``upper`` only the entries above the
    diagonal are sure to be computed (pdist's; the others may be 0)."""
    batch, a, b = batched(x1, x2)
    rows, columns, features = a.shape[1], b.shape[1], a.shape[2]
    out = np.zeros((a.shape[0], rows, columns), dtype=np.result_type(a.dtype, b.dtype))
    if features:
        for k, start, stop, low in blocks(a.shape[0], rows, columns, features, upper):
            out[k, start:stop, low:] = _norms(_difference(a[k, start:stop], b[k, low:]), p)
    return out.reshape(batch + (rows, columns))


def _block_slopes(d: np.ndarray, g: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """:func:`_slopes` of a block's own differences ``d``, written over them for p = 1, 2 and inf (the same values)."""
    if d.shape[-1] == 1 or p not in (1, 2, np.inf):
        return _slopes(d, g, n, p)
    if p == 2:  # d / n, 0 at n = 0, then times g
        zero = n == 0
        d /= np.where(zero, 1.0, n)[..., None]
        if zero.any():
            d[zero] = 0.0
    else:
        # sign(d) as +-1 with 0 at 0 (np.sign is 3x slower), nan where torch's slope is (see _largest_slopes)
        flat = d != 0
        if p == np.inf:
            flat &= np.abs(d) == n[..., None]
        unknown = None
        if not np.isfinite(np.add.reduce(d, axis=None)):  # an inf or nan difference
            unknown = np.isnan(d) if p == 1 else np.isnan(np.abs(d) - n[..., None])
        np.copysign(1.0, d, out=d)
        d *= flat
        if unknown is not None:
            d[unknown] = np.nan
    d *= g[..., None]
    return d


def _single_feature_slopes(raw: np.ndarray, p: float) -> np.ndarray:
    """The slope of ||d||_p = |d| for one feature: sign(d), 0 at 0, nan at nan and, for p != 1, at +-inf (torch's
    formulas give inf / inf there). A constant: its derivative is zero."""
    slope = np.sign(raw)
    if p != 1 and not np.isfinite(np.add.reduce(raw, axis=None)):
        slope[np.isinf(raw)] = np.nan
    return slope


def _largest_slopes(raw: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The slope of ||d||_inf: sign(d) on the entries with |d_k| = n, else 0, and nan where |d_k| - n is (n nan,
    or d_k = +-inf = n), as torch's indicator 1 - min(1, ceil(| |d_k| - n |)). A constant."""
    with np.errstate(invalid="ignore"):
        gap = np.abs(raw) - n[..., None]
    return np.where(np.isnan(gap), np.nan, np.where(gap == 0, np.sign(raw), 0.0))


def _slopes(d: Any, g: Any, n: Any, p: float) -> Any:
    """g_ij times the slope of ||d||_p at each entry of d (see the module doc), for arrays or nodes alike: d the
    differences (..., M), g and n the gradients and distances (...)."""
    raw = sm.data_of(d)
    if raw.shape[-1] == 1 and p != 0:
        return _single_feature_slopes(raw, p) * g[..., None]
    if p == 0:
        return g[..., None] * np.zeros(raw.shape, dtype=raw.dtype)
    if p == 1:  # sign(d), nan at nan, as torch's distance kernels (not |x|'s slope, 0 there)
        return np.sign(raw) * g[..., None]
    zero = sm.data_of(n) == 0
    if p == 2:  # d / n, then times g, as the 2-norm's rule
        return sm.where(zero[..., None], 0.0, d / sm.where(zero, 1.0, n)[..., None]) * g[..., None]
    if p == np.inf:
        return _largest_slopes(raw, sm.data_of(n)) * g[..., None]
    scale = sm.where(zero, 0.0, g / sm.where(zero, 1.0, n) ** (p - 1))
    nonzero = raw != 0
    magnitudes = abs(d)
    slopes = np.sign(raw) * sm.where(nonzero, sm.where(nonzero, magnitudes, 1.0) ** (p - 1), 0.0) * scale[..., None]
    return sm.where(nonzero, slopes, 0.0) if p < 1 else slopes  # p < 1: 0 at d = 0, an infinite scale or not


def _weighted_sums(d: np.ndarray, g: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For p = 2 and finite distances n: sum_j w_ij d_ij and sum_i w_ij d_ij of a block's differences d
    (matrices, rows, columns, M), with w = g / n (0 where n = 0): the rows' sums one matrix-vector product per row,
    no slope array; then d is overwritten. The same terms as :func:`_block_slopes`' d / n * g, each rounded once
    fewer, and summed in another order (last bits)."""
    zero = n == 0
    weights = np.divide(g, np.where(zero, 1, n), dtype=d.dtype)
    if zero.any():
        weights[zero] = 0
    rows = np.matmul(weights[..., None, :], d)[..., 0, :]
    d *= weights[..., None]
    return rows, np.add.reduce(d, axis=1)


def _blocked_gradients(g: np.ndarray, out: np.ndarray, x1: np.ndarray, x2: np.ndarray, p: float, upper: bool) -> tuple:
    batch, a, b = batched(x1, x2)
    rows, columns, features = a.shape[1], b.shape[1], a.shape[2]
    dtype = np.result_type(a.dtype, b.dtype, np.float32 if a.dtype == np.float16 else a.dtype)
    shape = (a.shape[0], rows, columns)  # (the batch's size given: -1 cannot be inferred when P or R is 0)
    g = np.broadcast_to(g, batch + (rows, columns)).reshape(shape).astype(dtype, copy=False)
    out = out.reshape(shape).astype(dtype, copy=False)
    ga, gb = np.zeros(a.shape, dtype=dtype), np.zeros(b.shape, dtype=dtype)
    if features and p != 0:
        with np.errstate(all="ignore"):
            for k, start, stop, low in blocks(a.shape[0], rows, columns, features, upper):
                d = _difference(a[k, start:stop], b[k, low:])
                # float16 distances were computed in float32 and rounded: the slopes take the unrounded ones
                norms = _norms(d.copy(), p) if a.dtype == np.float16 else out[k, start:stop, low:]
                if p == 2 and features > 1 and np.isfinite(norms).all():
                    ga[k, start:stop], columns_sum = _weighted_sums(d, g[k, start:stop, low:], norms)
                    gb[k, low:] += columns_sum
                    continue
                slopes = _block_slopes(d, g[k, start:stop, low:], norms, p)
                if upper and not np.isfinite(np.add.reduce(slopes, axis=None)):
                    slopes[:, ~_above_diagonal(start, stop, low, slopes.shape[2])] = 0
                ga[k, start:stop] = np.add.reduce(slopes, axis=2)
                gb[k, low:] += np.add.reduce(slopes, axis=1)
    ga = unbroadcast(ga.reshape(batch + a.shape[1:]), x1.shape).astype(x1.dtype, copy=False)
    gb = unbroadcast(np.negative(gb).reshape(batch + b.shape[1:]), x2.shape).astype(x2.dtype, copy=False)
    return ga, gb


def _above_diagonal(start: int, stop: int, low: int, columns: int) -> np.ndarray:
    """Which pairs (i, j) of rows start:stop and columns low:low + columns have i < j: the ones pdist reads; the
    others' slopes (nan ones too, 0 * nan being nan) must not reach the gradient."""
    return np.arange(low, low + columns)[None, :] > np.arange(start, stop)[:, None]


def _cdist_rule(g, out, x1, x2, p, upper=False):
    if not any(isinstance(x, Node) for x in (g, out, x1, x2)):
        return _blocked_gradients(g, out, x1, x2, p, upper)
    # (with ``upper``, g is 0 below the diagonal, where the distances may not have been computed)
    slopes = _slopes(quietly(lambda a, b: a - b, x1[..., :, None, :], x2[..., None, :, :]), g, out, p)
    if upper and not np.isfinite(sm.data_of(slopes)).all():
        rows = sm.data_of(x1).shape[-2]
        slopes = sm.where(_above_diagonal(0, rows, 0, rows)[..., None], slopes, 0.0)
    return unbroadcast(slopes.sum(axis=-2), x1.shape), unbroadcast(-slopes.sum(axis=-3), x2.shape)


# fmt: off
cdist = Op("cdist", _cdist_rule, joint=True)
# fmt: on

#: torch.cdist's compute modes, and the number torch's _VF.cdist takes for each (0: the product way for p = 2 when
#: either input has more than :data:`PRODUCT_ROWS` rows; 1: always for p = 2; 2: never).
COMPUTE_MODES = {
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}
#: The number of rows (of either input) above which the default mode takes the product way, torch's.
PRODUCT_ROWS = 25


def uses_products(shape1: tuple[int, ...], shape2: tuple[int, ...], p: float, compute_mode: str) -> bool:
    """Whether torch's cdist takes the matrix-product way (:data:`euclidean`) for inputs of shapes (..., P, M) and
    (..., R, M): p = 2, neither input empty, and the mode ``use_mm_for_euclid_dist``, or the default mode with
    P or R > :data:`PRODUCT_ROWS`."""
    mode = COMPUTE_MODES[compute_mode]
    if p != 2 or mode == 2 or 0 in shape1 or 0 in shape2:
        return False
    return mode == 1 or shape1[-2] > PRODUCT_ROWS or shape2[-2] > PRODUCT_ROWS


def _extended(x: np.ndarray, first: float, square_last: bool) -> np.ndarray:
    """The rows of x (..., N, M) as (first x, |x|^2, 1) or, with ``square_last``, (first x, 1, |x|^2): (..., N, M + 2)."""
    features = x.shape[-1]
    rows = np.empty(x.shape[:-1] + (features + 2,), dtype=x.dtype)
    np.multiply(x, first, out=rows[..., :features])
    squares = np.add.reduce(x * x, axis=-1)
    rows[..., features + (1 if square_last else 0)] = squares
    rows[..., features + (0 if square_last else 1)] = 1
    return rows


def _wide(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32) if x.dtype == np.float16 else x


def euclidean_distances(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """torch's matrix-product distances sqrt(max(|x_i|^2 + |y_j|^2 - 2 x_i . y_j, 0)) of (..., P, M) and (..., R, M)
    arrays of one float dtype: (batch..., P, R), one product of the extended rows (see the module doc); float16
    in float32, rounded once."""
    a, b = _extended(_wide(x1), -2.0, False), _extended(_wide(x2), 1.0, True)
    out = np.matmul(a, b.swapaxes(-1, -2))
    np.maximum(out, 0, out=out)  # (a nan stays nan, as torch's clamp_min)
    np.sqrt(out, out=out)
    return out.astype(x1.dtype, copy=False)


def _euclidean_rule(g, out, x1, x2):
    if not any(isinstance(x, Node) for x in (g, out, x1, x2)):
        dtype = x1.dtype
        g, out, x1, x2 = (_wide(np.asarray(x)) for x in (g, out, x1, x2))
        with np.errstate(all="ignore"):
            ratio = np.divide(g, out, dtype=out.dtype)
        np.copyto(ratio, 0, where=out == 0)
        g1 = x1 * np.add.reduce(ratio, axis=-1)[..., None] - np.matmul(ratio, x2)
        g2 = x2 * np.add.reduce(ratio, axis=-2)[..., None] - np.matmul(ratio.swapaxes(-1, -2), x1)
        return unbroadcast(g1, x1.shape).astype(dtype, copy=False), unbroadcast(g2, x2.shape).astype(dtype, copy=False)
    zero = sm.data_of(out) == 0
    ratio = sm.where(zero, 0.0, g / sm.where(zero, 1.0, out))
    g1 = x1 * ratio.sum(axis=-1, keepdims=True) - ratio @ x2
    g2 = x2 * ratio.sum(axis=-2)[..., None] - ratio.swapaxes(-1, -2) @ x1
    return unbroadcast(g1, x1.shape), unbroadcast(g2, x2.shape)


# fmt: off
euclidean = Op("euclidean_dist", _euclidean_rule, joint=True)
# fmt: on


def recorded_distances(x1: Any, x2: Any, p: float, upper: bool = False) -> Any:
    """:func:`distances` of two nodes (or arrays), recorded as a :data:`cdist` node when one of them is a node
    (``upper``: only the pairs i < j are computed, as pdist needs)."""
    return sm.record(cdist, distances, x1, x2, p=float(p), upper=upper)


def recorded_euclidean_distances(x1: Any, x2: Any) -> Any:
    """:func:`euclidean_distances` of two nodes (or arrays), recorded as a :data:`euclidean` node when one of them
    is a node."""
    return sm.record(euclidean, euclidean_distances, x1, x2)
