"""``nn.utils.parametrizations``: torch's ready-made parametrizations, registered with
:func:`nn.utils.parametrize.register_parametrization`. ``weight_norm`` stores a weight as a magnitude
``original0`` (g) and a direction ``original1`` (v), the weight being g v / ||v|| (the norm over every axis but
``dim``); ``spectral_norm`` divides a weight by its largest singular value, estimated by power iteration;
``orthogonal`` makes a matrix (or a batch of them) orthogonal: orthonormal columns, or rows when it is wide."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from autograd import Tensor, as_tensor, concatenate, generator_for
from autograd.broadcasting import AxisError
from autograd.linalg import householder_product, matrix_exp, solve

from ..module import Module
from .parametrize import register_parametrization
from .weight_norm import checked_dim, norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]

ModuleT = TypeVar("ModuleT", bound=Module)


def _tensor_named(function: str, module: Any, name: str) -> Tensor:
    """``module.<name>`` (a parameter, buffer or parametrized tensor), else torch's ValueError naming it."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"{function}: {type(module).__name__} has no parameter or buffer named {name!r}")
    return weight


class _WeightNorm(Module):
    """w = g v / ||v||, and back: g = ||w||, v = w (the norms over every axis but ``dim``; all of them for -1)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Any) -> tuple[Tensor, Tensor]:
        weight = as_tensor(weight)
        return norm_except_dim(weight.detach(), self.dim), weight.detach()


def weight_norm(module: ModuleT, name: str = "weight", dim: int | None = 0) -> ModuleT:
    """Weight normalisation as a parametrization (torch's ``nn.utils.parametrizations.weight_norm``): ``module.<name>``
    becomes g v / ||v|| of ``module.parametrizations.<name>.original0`` (g) and ``original1`` (v). ``dim=None`` takes
    the norm over the whole tensor. As torch's, the module also loads a state dict saved with the older
    :func:`nn.utils.weight_norm` (its ``<name>_g`` and ``<name>_v`` entries become ``original0`` and ``original1``)."""
    weight = _tensor_named("weight_norm", module, name)
    register_parametrization(module, name, _WeightNorm(checked_dim("weight_norm", dim, weight.shape)), unsafe=True)
    module.register_load_state_dict_pre_hook(_OldWeightNormKeys(name))
    return module


class _OldWeightNormKeys:
    """A load-state-dict pre-hook renaming the older ``weight_norm``'s ``<name>_g`` / ``<name>_v`` entries (when
    both are there) to the parametrization's ``parametrizations.<name>.original0`` / ``original1``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, module: Module, state_dict: Any, prefix: str, *_: Any) -> None:
        magnitude, direction = f"{prefix}{self.name}_g", f"{prefix}{self.name}_v"
        if magnitude in state_dict and direction in state_dict:
            stored = f"{prefix}parametrizations.{self.name}.original"
            state_dict[f"{stored}0"] = state_dict.pop(magnitude)
            state_dict[f"{stored}1"] = state_dict.pop(direction)


class _SpectralNorm(Module):
    """W / sigma(W), sigma the largest singular value of W seen as a matrix (axis ``dim`` its rows), estimated by
    power iteration on the buffers ``_u`` and ``_v`` (updated in training mode on each read, as torch's)."""

    def __init__(self, weight: Tensor, n_power_iterations: int, dim: int, eps: float, rng: Any) -> None:
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
        if weight.ndim and not -weight.ndim <= dim < weight.ndim:
            raise AxisError(
                f"spectral_norm: dim {dim} is out of range for a weight of shape {weight.shape} (expected "
                f"-{weight.ndim} to {weight.ndim - 1})"
            )
        self.dim = dim if dim >= 0 else dim + weight.ndim
        self.eps = eps
        self.n_power_iterations = n_power_iterations
        if weight.ndim > 1:
            matrix = self._matrix(weight._data)
            generator = generator_for(rng)  # None: the library's random state, seeded by autograd.manual_seed
            u = generator.standard_normal(matrix.shape[0]).astype(weight.dtype)
            v = generator.standard_normal(matrix.shape[1]).astype(weight.dtype)
            self.register_buffer("_u", self._normalized(u))
            self.register_buffer("_v", self._normalized(v))
            self._power_method(matrix, 15)

    def _matrix(self, weight: np.ndarray) -> np.ndarray:
        """The weight as a matrix whose rows run along ``dim``."""
        return np.moveaxis(weight, self.dim, 0).reshape(weight.shape[self.dim], -1)

    def _normalized(self, vector: np.ndarray) -> np.ndarray:
        return vector / max(float(np.linalg.norm(vector)), self.eps)

    def _power_method(self, matrix: np.ndarray, iterations: int) -> None:
        """u <- W v / |W v|, v <- W^T u / |W^T u|, ``iterations`` times, in place (no gradient)."""
        for _ in range(iterations):
            self._u[...] = self._normalized(matrix @ self._v)
            self._v[...] = self._normalized(matrix.T @ self._u)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:  # a vector's largest singular value is its norm
            return weight / (weight * weight).sum().sqrt().clip(self.eps)
        if self.training:
            self._power_method(self._matrix(weight._data), self.n_power_iterations)
        u, v = Tensor(self._u.copy()), Tensor(self._v.copy())  # constants of this read, as torch's clones
        rows = weight.moveaxis(self.dim, 0).reshape(weight.shape[self.dim], -1)
        sigma = (u * (rows @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Any) -> Any:
        return value


def spectral_norm(
    module: ModuleT,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
    rng: Any = None,
) -> ModuleT:
    """Spectral normalisation as a parametrization (torch's ``nn.utils.parametrizations.spectral_norm``):
    ``module.<name>`` reads as W / sigma(W), sigma its largest singular value estimated by ``n_power_iterations``
    steps of power iteration per training-mode read (the vectors in the buffers ``_u``, ``_v``; 15 steps at
    registration; ``rng`` seeds their start, by default the library's random state). ``dim`` (default 0, or 1 for the ConvTranspose layers, as torch's)
    is the axis of the matrix's rows. The gradient goes through W and sigma with u and v held constant."""
    weight = _tensor_named("spectral_norm", module, name)
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    return register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps, rng))


_ORTHOGONAL_MAPS = ("matrix_exp", "cayley", "householder")


def _is_orthogonal(q: np.ndarray) -> bool:
    """Whether each tall matrix of ``q`` has orthonormal columns, to torch's tolerance (10 n eps)."""
    n, k = q.shape[-2:]
    return bool(np.allclose(q.swapaxes(-1, -2) @ q, np.eye(k), atol=10.0 * n * np.finfo(q.dtype).eps))


def _make_orthogonal(a: np.ndarray) -> np.ndarray:
    """The Q factor of each tall matrix a = QR with diag(R) >= 0 (torch's ``_make_orthogonal``)."""
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


class _Orthogonal(Module):
    """An orthogonal Q of the weight's shape (..., m, n) from the stored X (see :func:`orthogonal`); with
    ``use_trivialization`` the buffer ``base`` (..., max, max) multiplies the map's result: Q = base @ map(X)."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *, use_trivialization: bool = True) -> None:
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2:]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:
                x = concatenate([x, Tensor(np.zeros((*x.shape[:-2], n, n - k), dtype=x.dtype))], axis=-1)
            skew = x - x.mT  # A = -A^T
            if self.orthogonal_map == "matrix_exp":
                q = matrix_exp(skew)  # e^A
            else:  # (I - A/2)^-1 (I + A/2)
                identity = np.eye(n, dtype=x.dtype)
                q = solve(identity - skew * 0.5, identity + skew * 0.5)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(axis=-2))
            # torch's .int() of the diagonal: its sign, truncated toward 0, without gradient
            signs = np.trunc(np.diagonal(x._data, axis1=-2, axis2=-1))[..., None, :]
            q = householder_product(a, tau) * signs.astype(x.dtype)
        if "base" in self._buffer_names():
            q = as_tensor(self.base) @ q
        return q.mT if transposed else q

    def right_inverse(self, value: Any) -> Tensor:
        """The stored X whose Q is ``value`` (an orthogonal matrix, or one made so by QR): with trivialization
        ``base`` becomes that Q (a tall one completed with normal columns) and X = -I; without it (householder only)
        X holds ``value``'s Householder reflectors, its diagonal the signs."""
        q = as_tensor(value).detach()._data
        if q.shape != tuple(self.shape):
            raise ValueError(
                f"orthogonal: expected a matrix or batch of matrices of shape {tuple(self.shape)}, got shape {q.shape}"
            )
        n, k = q.shape[-2:]
        transposed = n < k
        if transposed:
            q = q.swapaxes(-1, -2)
            n, k = k, n
        if "base" not in self._buffer_names():
            if self.orthogonal_map != "householder":
                raise NotImplementedError(
                    f"orthogonal: cannot assign to the {self.orthogonal_map} parametrization when "
                    "use_trivialization=False"
                )
            stored = np.empty_like(q)
            for index in np.ndindex(q.shape[:-2]):
                raw, tau = np.linalg.qr(q[index], mode="raw")  # LAPACK geqrf: raw is its result, transposed
                reflectors = raw.T.copy()
                diagonal = np.sign(np.diagonal(reflectors)) * np.where(tau == 0.0, -1.0, 1.0)
                np.fill_diagonal(reflectors, diagonal)
                stored[index] = reflectors
            return Tensor(stored.swapaxes(-1, -2) if transposed else stored)
        if n == k:
            base = q.copy() if _is_orthogonal(q) else _make_orthogonal(q)
        else:
            completion = generator_for().standard_normal((*q.shape[:-2], n, n - k)).astype(q.dtype)
            base = _make_orthogonal(np.concatenate([q, completion], axis=-1))
        self.base = base
        negative_identity = -np.eye(*self.shape[-2:], dtype=q.dtype)  # -1 on the main diagonal, as torch's
        return Tensor(np.broadcast_to(negative_identity, self.shape).copy())


def orthogonal(
    module: ModuleT, name: str = "weight", orthogonal_map: str | None = None, *, use_trivialization: bool = True
) -> ModuleT:
    r"""An orthogonal parametrization of ``module.<name>`` (torch's ``nn.utils.parametrizations.orthogonal``): the
    weight, a matrix (m, n) or a batch of them, reads as Q with Q^T Q = I_n (m >= n) or Q Q^T = I_m (m < n),
    computed from the stored X (``parametrizations.<name>.original``) by ``orthogonal_map``:

    - ``"matrix_exp"``: Q = e^A, ``"cayley"``: Q = (I - A/2)^-1 (I + A/2), A = L - L^T skew-symmetric from the lower
      triangle L of X (zero-padded to square when X is not);
    - ``"householder"``: Q = H_1 ... H_n, H_i = I - tau_i v_i v_i^T the reflectors of X's strict lower triangle,
      tau_i = 2 / |v_i|^2 (v_i with 1 on the diagonal), times the diagonal of X truncated to an integer (its sign).

    (worked on the transpose when the matrix is wide). The default is ``"matrix_exp"`` for a square matrix,
    ``"householder"`` otherwise. With ``use_trivialization`` (the default) the buffer
    ``parametrizations.<name>.0.base`` holds an orthogonal B and Q = B map(X): at registration B is the weight
    (made orthogonal by QR if it is not, a tall one completed with normal columns) and X = -I, so Q starts at the
    weight. Without it, assigning (and registering) stores X's Householder reflectors (householder only; the
    other maps keep X as it is at registration, and refuse assignment with NotImplementedError)."""
    weight = _tensor_named("orthogonal", module, name)
    if weight.ndim < 2:
        raise ValueError(
            f"orthogonal: expected a matrix or batch of matrices, got a tensor of {weight.ndim} dimensions"
        )
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError(
            f'orthogonal: orthogonal_map has to be one of "matrix_exp", "cayley", "householder", got {orthogonal_map!r}'
        )
    parametrization = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    return register_parametrization(module, name, parametrization, unsafe=True)
