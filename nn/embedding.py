"""``Embedding``: a learnable lookup table of vectors, one row per index (torch's ``nn.Embedding``), and
``EmbeddingBag``: the sum, mean or maximum of such rows over bags of indices (torch's ``nn.EmbeddingBag``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node, Tensor, no_grad
from autograd.shape_errors import ArgumentRangeError
from autograd.tensor import GradientDtypeError

from . import functional as F
from .checks import ArgumentAssertionError, check_choice, check_flag, check_integer, make_generator
from .functional.embedding import padding_row, renorm_options
from .functional.embedding_bag import MODES, embedding_bag
from .module import Module
from .parameter import Parameter, factory_dtype

__all__ = ["Embedding", "EmbeddingBag"]


def _table_size(owner: str, name: str, value: Any) -> int:
    """A table's ``num_embeddings`` or ``embedding_dim`` as torch takes it: an integer >= 0 (0 makes an empty
    table); a non-integer is a TypeError, a negative size an :class:`ArgumentRangeError` (torch's RuntimeError,
    'Trying to create tensor with negative dimension')."""
    size = check_integer(owner, name, value)
    if size < 0:
        raise ArgumentRangeError(f"{owner}: {name} must be an integer >= 0, got {value!r}")
    return size


def _normal_table(owner: str, shape: tuple[int, ...], padding_idx: int | None, rng: Any) -> np.ndarray:
    """torch's initial table: N(0, 1) entries (float64, from ``rng``), the ``padding_idx`` row at zero."""
    table = make_generator(owner, "rng", rng).standard_normal(shape)
    if padding_idx is not None:
        table[padding_idx] = 0
    return table


def _initial_table(
    owner: str,
    shape: tuple[int, int],
    padding_idx: int | None,
    weight: Any,
    dtype: Any,
    rng: Any,
    integers_allowed: bool = False,
) -> np.ndarray | Tensor:
    """The table a layer starts from: torch's ``_weight`` when given (checked: ``shape``, torch's assertion, and
    floating point unless ``integers_allowed``, for a frozen ``Embedding`` whose table needs no gradient, as
    torch's; a Tensor itself, whose memory the layer's Parameter shares, as torch's), else :func:`_normal_table`
    in ``dtype``."""
    if weight is None:
        return _normal_table(owner, shape, padding_idx, rng).astype(dtype)
    table = np.asarray(weight._data if isinstance(weight, Node) else weight)
    if table.shape != shape:
        raise ArgumentAssertionError(f"{owner}: _weight must have shape {shape}, got {table.shape}")
    if table.dtype.kind != "f" and not (integers_allowed and table.dtype.kind in "iub"):
        raise GradientDtypeError(  # a TypeError, and torch's RuntimeError
            f"{owner}: _weight must hold floating-point numbers (its Parameter requires gradients), got dtype "
            f"{table.dtype}"
        )
    return weight if isinstance(weight, Tensor) else table


def _pretrained_table(owner: str, embeddings: Any) -> np.ndarray | Tensor:
    """``embeddings`` (a node or an array) as the 2-D table ``from_pretrained`` builds a layer around (a Tensor
    itself, whose memory the layer's Parameter shares, as torch's); another rank is torch's assertion."""
    table = np.asarray(embeddings._data if isinstance(embeddings, Node) else embeddings)
    if table.ndim != 2:
        raise ArgumentAssertionError(f"{owner}.from_pretrained: embeddings must be 2-D, got shape {table.shape}")
    return embeddings if isinstance(embeddings, Tensor) else table


class Embedding(Module):
    """``weight[indices]``: the (num_embeddings, embedding_dim) ``weight`` starts N(0, 1) (torch's init),
    its ``padding_idx`` row at zero; see :func:`nn.functional.embedding` for ``padding_idx`` (that row gets no
    gradient), ``max_norm``, ``norm_type``, ``scale_grad_by_freq`` and ``sparse`` (accepted, gradients dense).

    ``_weight`` (torch's) starts from a given table; :meth:`from_pretrained` builds a (frozen) layer around one.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self.num_embeddings = _table_size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = _table_size("Embedding", "embedding_dim", embedding_dim)
        self.padding_idx = padding_row("Embedding", padding_idx, self.num_embeddings)
        renorm_options("Embedding", max_norm, norm_type)
        self.max_norm, self.norm_type = max_norm, norm_type  # as given (torch's repr shows them so)
        self.scale_grad_by_freq = check_flag("Embedding", "scale_grad_by_freq", scale_grad_by_freq)
        self.sparse = check_flag("Embedding", "sparse", sparse)
        shape = (self.num_embeddings, self.embedding_dim)
        dtype = factory_dtype("Embedding", device, dtype)
        frozen = check_flag("Embedding", "_freeze", _freeze)
        table = _initial_table("Embedding", shape, self.padding_idx, _weight, dtype, rng, integers_allowed=frozen)
        self.weight = Parameter(table, requires_grad=not frozen)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """A layer around the 2-D ``embeddings`` (a Tensor's memory shared, as torch's; an array copied), frozen (no
        gradient) unless ``freeze=False``."""
        table = _pretrained_table("Embedding", embeddings)
        return cls(
            table.shape[0],
            table.shape[1],
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=table,
            _freeze=freeze,
        )

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw the table again from N(0, 1), the ``padding_idx`` row at zero (in place)."""
        table = _normal_table("Embedding", self.weight.shape, self.padding_idx, rng)
        with no_grad():
            self.weight.copy_(table.astype(self.weight.dtype))

    def forward(self, input: Any) -> Tensor:
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text


class EmbeddingBag(Module):
    """The ``mode`` ("sum", "mean" or "max") of the rows of ``weight`` each bag of indices reads, torch's
    ``nn.EmbeddingBag``; see :func:`nn.functional.embedding_bag` for bags, ``offsets``, ``per_sample_weights``
    (sum only), ``padding_idx`` (its entries leave their bag), ``include_last_offset`` and the gradients.

    ``weight`` (num_embeddings, embedding_dim) starts N(0, 1) (torch's init), its ``padding_idx`` row at zero;
    ``_weight`` starts from a given table and :meth:`from_pretrained` builds a (frozen) layer around one.
    ``forward(input, offsets=None, per_sample_weights=None)`` gives (B, embedding_dim).
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Any = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
        _freeze: bool = False,
    ) -> None:
        owner = "EmbeddingBag"
        self.num_embeddings = _table_size(owner, "num_embeddings", num_embeddings)
        self.embedding_dim = _table_size(owner, "embedding_dim", embedding_dim)
        renorm_options(owner, max_norm, norm_type)
        self.max_norm, self.norm_type = max_norm, norm_type  # as given (torch's repr shows them so)
        self.scale_grad_by_freq = check_flag(owner, "scale_grad_by_freq", scale_grad_by_freq)
        self.mode = check_choice(owner, "mode", mode, MODES)
        if self.scale_grad_by_freq and self.mode == "max":
            raise ValueError(f"{owner}: mode='max' does not support scale_grad_by_freq (as torch)")
        self.sparse = check_flag(owner, "sparse", sparse)
        self.include_last_offset = check_flag(owner, "include_last_offset", include_last_offset)
        self.padding_idx = padding_row(owner, padding_idx, self.num_embeddings)
        shape = (self.num_embeddings, self.embedding_dim)
        dtype = factory_dtype(owner, device, dtype)
        table = _initial_table(owner, shape, self.padding_idx, _weight, dtype, rng)
        self.weight = Parameter(table, requires_grad=not check_flag(owner, "_freeze", _freeze))

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """A layer around the 2-D ``embeddings`` (a Tensor's memory shared, as torch's; an array copied), frozen (no
        gradient) unless ``freeze=False``."""
        table = _pretrained_table("EmbeddingBag", embeddings)
        return cls(
            table.shape[0],
            table.shape[1],
            max_norm,
            norm_type,
            scale_grad_by_freq,
            mode,
            sparse,
            _weight=table,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
            _freeze=freeze,
        )

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw the table again from N(0, 1), the ``padding_idx`` row at zero (in place)."""
        table = _normal_table("EmbeddingBag", self.weight.shape, self.padding_idx, rng)
        with no_grad():
            self.weight.copy_(table.astype(self.weight.dtype))

    def forward(self, input: Any, offsets: Any = None, per_sample_weights: Any = None) -> Tensor:
        return embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        text += f", mode={self.mode!r}"  # (torch's repr leaves include_last_offset out)
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text
