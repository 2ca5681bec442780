"""Normalisation layers: ``BatchNorm1d`` for (N, C) / (N, C, L), ``BatchNorm2d`` for (N, C, H, W), ``BatchNorm3d``
for (N, C, D, H, W), ``SyncBatchNorm`` for any (N, C, ...) (one process: no statistics to synchronise),
``InstanceNorm1d`` / ``2d`` / ``3d`` (each sample's channel over its positions), and
``LocalResponseNorm`` across channels (AlexNet).

Buffers of the batch norms (in ``state_dict``, not parameters): ``running_mean`` (zeros), ``running_var``
(ones) and ``num_batches_tracked`` (0-d int64), as in torch. ``momentum=None`` uses the
cumulative average ``1 / num_batches_tracked`` instead of a fixed momentum. ``bias=False`` (keyword-only, as
in torch 2.13) keeps the scale ``weight`` but no shift.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, as_tensor, no_grad
from autograd.shape_errors import ArgumentRangeError

from .checks import as_given, check_positive_int, check_real
from .functional.integer_inputs import refuse_integer_tensor
from .functional.normalization import batch_norm, instance_norm, local_response_norm
from .layer_normalization import reset_affine
from .module import Module, input_for
from .parameter import Parameter, factory_dtype
from .warning_site import user_stacklevel

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LocalResponseNorm",
    "SyncBatchNorm",
]


class _NormBase(Module):
    """The code the batch and instance norms share (torch's ``_NormBase``): the constructor, the parameters and
    buffers, their resets, the input's dtype."""

    #: torch fills in a missing count (checkpoints from before it existed): the current one is kept.
    optional_state = ("num_batches_tracked",)
    #: torch's state dict version of the norms (2: since ``num_batches_tracked``).
    _version = 2

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = np.float32,
        *,
        bias: bool = True,
        device: Any = None,
    ) -> None:
        layer = type(self).__name__
        self.num_features = check_positive_int(layer, "num_features", num_features)
        self.eps = as_given(eps, check_real(layer, "eps", eps, 0, low_open=True))
        self.momentum = None if momentum is None else as_given(momentum, check_real(layer, "momentum", momentum, 0, 1))
        dtype = factory_dtype(layer, device, dtype)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        self.weight = Parameter(np.empty(self.num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.empty(self.num_features, dtype=dtype)) if affine and bias else None
        tracked = track_running_stats
        self.register_buffer("running_mean", np.empty(self.num_features, dtype=dtype) if tracked else None)
        self.register_buffer("running_var", np.empty(self.num_features, dtype=dtype) if tracked else None)
        self.register_buffer("num_batches_tracked", np.empty((), dtype=np.int64) if tracked else None)
        self.reset_parameters()

    def _step_momentum(self) -> float:
        """This training step's momentum: ``momentum``, or the cumulative average's 1 / (steps + 1) for None."""
        return 1.0 / (int(self.num_batches_tracked) + 1) if self.momentum is None else self.momentum

    def reset_running_stats(self) -> None:
        """Running mean to 0, running variance to 1, batch count to 0 (in place)."""
        if self.track_running_stats:
            for name, value in (("running_mean", 0), ("running_var", 1), ("num_batches_tracked", 0)):
                buffer = getattr(self, name)
                if isinstance(buffer, Tensor):
                    with no_grad():
                        buffer.fill_(value)
                else:
                    buffer[...] = value

    def reset_parameters(self) -> None:
        """The constructor's state again, in place (torch's): :meth:`reset_running_stats`, then ``weight``
        to ones and ``bias`` to zeros."""
        self.reset_running_stats()
        reset_affine(self.weight, self.bias)

    def _input(self, layer: str, x: Any) -> Tensor:
        """``x`` as a Tensor of the weights' dtype, or of the running statistics' without weights (torch's "mixed
        dtype" error; a float16 input to float32 ones is torch's mixed type, answered in float16); any float input
        when the layer has neither."""
        refuse_integer_tensor(
            x, layer
        )  # torch has no integer kernel (its NotImplementedError), with or without weights
        reference = self.weight if self.weight is not None else self.running_mean
        return input_for(layer, x, reference, mixed_float16=True) if reference is not None else as_tensor(x)

    def extra_repr(self) -> str:
        return (  # torch 2.13's format
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    """The batch norms (torch's ``nn.modules.batchnorm._BatchNorm``: ``isinstance`` finds these, not the instance
    norms); subclasses set the accepted input ranks."""

    accepted_ndims: tuple[int, ...] | range = ()
    expected_input: str = ""

    def _check_input_dim(self, input: Tensor) -> None:
        """Refuse an input of a rank the layer does not take (a ValueError, as torch's): torch's hook, which a
        subclass overrides to take other ranks."""
        if input.ndim not in self.accepted_ndims:
            raise ValueError(f"{type(self).__name__}: expected {self.expected_input} input, got shape {input.shape}")

    def forward(self, input: Any) -> Tensor:
        layer = type(self).__name__
        input = self._input(layer, input)
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            # torch's RuntimeError comes from the per-channel weight or running statistics; without them it has none
            error = ShapeError if self.weight is not None or self.running_mean is not None else ValueError
            raise error(
                f"{layer}: input of shape {input.shape} has {input.shape[1]} channels (axis 1), expected {self.num_features}"
            )
        # as torch's: the statistics follow the buffers, not the flag (an eval layer whose running_mean and
        # running_var were set to None normalises with the batch's; one whose flag was turned off after it was
        # made still has its buffers, and uses them); num_batches_tracked set to None counts nothing
        # (the count goes up once the batch is normalised: a refused batch leaves the layer as it was)
        momentum = 0.0 if self.momentum is None else self.momentum
        counts = self.training and self.track_running_stats and self.num_batches_tracked is not None
        if counts and self.momentum is None:  # the cumulative average: 1 / (the batches seen, this one included)
            momentum = self._step_momentum()
        use_buffers = not self.training or self.track_running_stats
        if self.training:
            batch_statistics = True
        else:
            batch_statistics = self.running_mean is None and self.running_var is None
        y = batch_norm(
            input,
            self.running_mean if use_buffers else None,
            self.running_var if use_buffers else None,
            self.weight,
            self.bias,
            training=batch_statistics,
            momentum=momentum,
            eps=self.eps,
        )
        if counts:
            self.num_batches_tracked += 1
        return y


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs over N (and L), per channel C."""

    accepted_ndims = (2, 3)
    expected_input = "a 2-D (N, C) or 3-D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs over N, H, W, per channel C."""

    accepted_ndims = (4,)
    expected_input = "a 4-D (N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs over N, D, H, W, per channel C."""

    accepted_ndims = (5,)
    expected_input = "a 5-D (N, C, D, H, W)"


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of any (N, C, ...) input over every axis but C, per channel C (torch's ``SyncBatchNorm``).

    torch synchronises the batch statistics across the processes of ``process_group`` in distributed training;
    the library runs in one process, where torch's layer (without an initialised process group) normalises as the
    other batch norms do, and so does this one. ``process_group`` is kept as given.
    """

    accepted_ndims = range(2, sys.maxsize)  # (a range answers ``in`` at once)
    expected_input = "an at least 2-D (N, C, ...)"

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any = None,
        dtype: Any = np.float32,
        *,
        bias: bool = True,
        device: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias, device=device)
        self.process_group = process_group

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every batch norm in it (itself included) replaced by a :class:`SyncBatchNorm` of the same
        options, sharing its parameters and buffers and keeping its training mode, as torch's; a batch norm given
        alone comes back replaced, any other module comes back itself, its children converted in place."""
        converted = module
        if isinstance(module, _BatchNorm):
            reference = module.weight if module.weight is not None else module.running_mean
            dtype = np.float32 if reference is None else reference.dtype
            converted = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
                dtype,
                bias=module.bias is not None,
            )
            for name in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
                setattr(converted, name, getattr(module, name))
            converted.training = module.training
        for name, child in list(module.named_children()):
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted


class _InstanceNorm(_NormBase):
    """Shared code of the instance norms; subclasses set the input's number of position axes.

    As torch: no affine parameters and no running statistics by default; ``affine=True`` gives a weight
    (ones) and bias (zeros, unless ``bias=False``) per channel, ``track_running_stats=True`` the buffers
    ``running_mean``, ``running_var`` and ``num_batches_tracked``, used in evaluation mode (the batch norms'
    constructor and buffers), as in torch 2.13 two things differ from the batch norms: ``num_batches_tracked``
    stays 0 (torch never counts instance-norm batches), and ``momentum=None`` means momentum 0, so the running
    statistics never move (no cumulative average). An unbatched input (no N axis) is taken as a batch of one.
    """

    positions = 0

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        dtype: Any = np.float32,
        *,
        bias: bool = True,
        device: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias, device=device)

    def forward(self, input: Any) -> Tensor:
        layer = type(self).__name__
        input = self._input(layer, input)
        if input.ndim not in (self.positions + 1, self.positions + 2):
            raise ValueError(
                f"{layer}: expected a {self.positions + 2}-D batched or {self.positions + 1}-D unbatched input, "
                f"got shape {input.shape}"
            )
        unbatched = input.ndim == self.positions + 1
        axis = 0 if unbatched else 1  # the channel axis of the input as given (messages name it, as torch's)
        if input.shape[axis] != self.num_features:
            if self.weight is not None or self.running_mean is not None:  # per-channel state of num_features
                # torch's own check of an affine layer is a ValueError; the running statistics' a RuntimeError
                error = ValueError if self.weight is not None else ShapeError
                raise error(
                    f"{layer}: input of shape {input.shape} has {input.shape[axis]} channels (axis {axis}), "
                    f"expected {self.num_features}"
                )
            warnings.warn(  # nothing per channel: torch normalises any channel count, with this warning
                f"{layer}: input's size at dim={axis} ({input.shape[axis]}) does not match num_features "
                f"({self.num_features}). You can silence this warning by not passing in num_features, which is not "
                "used because affine=False",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        if unbatched:
            input = input.reshape((1, *input.shape))
        y = instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_input_stats=self.training or not self.track_running_stats,
            momentum=0.0 if self.momentum is None else self.momentum,  # torch's: None never moves the statistics
            eps=self.eps,
        )
        return y.reshape(y.shape[1:]) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) inputs (or unbatched (C, L)) over L, per sample and channel."""

    positions = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) inputs (or unbatched (C, H, W)) over H, W, per sample and channel."""

    positions = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) inputs (or unbatched (C, D, H, W)) over D, H, W, per sample and
    channel."""

    positions = 3


class LocalResponseNorm(Module):
    """Divide each channel by a power of its neighbours' mean square (see ``nn.functional.local_response_norm``).

    b_c = a_c / (k + alpha / size * sum of a_{c'}^2 over the ``size`` channels around c)^beta;
    AlexNet uses size=5, alpha=1e-4, beta=0.75, k=2. No parameters.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        self.size = check_positive_int("LocalResponseNorm", "size", size, error=ArgumentRangeError)
        self.alpha = as_given(alpha, check_real("LocalResponseNorm", "alpha", alpha))
        self.beta = as_given(beta, check_real("LocalResponseNorm", "beta", beta))
        self.k = as_given(k, check_real("LocalResponseNorm", "k", k))

    def forward(self, input: Any) -> Tensor:
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
