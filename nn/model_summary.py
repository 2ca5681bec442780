"""``summary(model, input_shape)``: a table of a model's layers with output shapes and parameter counts.

Like ``torchinfo.summary`` or Keras' ``model.summary()``: one forward pass on zeros of
``input_shape`` (under ``no_grad``, in eval mode) records the output of every leaf module,
in the order the modules run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, Value, no_grad
from autograd.shape_errors import is_integer

from .module import Module

__all__ = ["ModelSummary", "SummaryRow", "summary"]


class SummaryRow(NamedTuple):
    """One call of a leaf module: its qualified name, class, output shape and parameter counts.

    A module that runs more than once has a row per call; its parameters are counted on
    the first one only, so the rows add up to the leaves' parameters.
    """

    name: str
    kind: str
    output_shape: Any
    params: int
    trainable_params: int


class ModelSummary:
    """The result of :func:`summary`: ``rows``, ``total_params``, ``trainable_params``; ``str()`` is the table.

    The totals count every parameter of the model once (also those of non-leaf modules,
    which have no row).
    """

    def __init__(
        self, rows: list[SummaryRow], total_params: int, trainable_params: int, input_shape: tuple, dtype: np.dtype
    ) -> None:
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params
        self.input_shape = input_shape
        self.dtype = dtype

    @property
    def non_trainable_params(self) -> int:
        """Parameters that do not require a gradient."""
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        header = ("Layer", "Type", "Output shape", "Param #")
        cells = [(row.name, row.kind, _shape_text(row.output_shape), f"{row.params:,}") for row in self.rows]
        widths = [max(len(line[column]) for line in [header, *cells]) for column in range(4)]

        def line(values: Sequence[str]) -> str:
            left = [value.ljust(width) for value, width in zip(values[:3], widths[:3])]
            return "  ".join([*left, values[3].rjust(widths[3])])

        rule = "=" * len(line(header))
        return "\n".join(
            [
                line(header),
                rule,
                *(line(values) for values in cells),
                rule,
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}",
                f"Input shape: {self.input_shape}, dtype {self.dtype}",
            ]
        )

    def __repr__(self) -> str:
        return f"ModelSummary({len(self.rows)} layers, total_params={self.total_params:,})"


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(item) for item in shape) + "]"
    return "--" if shape is None else str(shape)


def _output_shape(output: Any) -> Any:
    """A tuple for a Tensor/array, a list of those for a tuple/list of outputs, () for a number."""
    if isinstance(output, (tuple, list)):
        return [_output_shape(item) for item in output]
    shape = getattr(output, "shape", None)
    if shape is not None:
        return tuple(shape)
    return () if isinstance(output, (int, float)) or hasattr(output, "data") else None


def _check_input_shape(input_shape: Any) -> tuple[int, ...]:
    if is_integer(input_shape):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or not all(is_integer(size) for size in input_shape):
        raise TypeError(f"summary: input_shape must be a tuple of ints (batch axis included), got {input_shape!r}")
    if any(size < 1 for size in input_shape):
        raise ValueError(f"summary: input_shape sizes must be positive, got {tuple(input_shape)}")
    return tuple(int(size) for size in input_shape)


def summary(model: Module, input_shape: Sequence[int], dtype: Any = None) -> ModelSummary:
    """Run ``model`` once on zeros of ``input_shape`` and tabulate its leaf modules.

    ``input_shape`` includes the batch axis, e.g. ``(1, 3, 227, 227)``; ``dtype`` is the input's: by default the
    dtype of the model's first floating-point parameter (float32 without any), or any real dtype given (an integer
    one for a model that starts with an ``Embedding``: zeros are valid indices). A parameter shared by several
    modules is counted in the row of the first one that runs, so the rows add up to the total. Each
    leaf module's ``forward`` is wrapped on the instance for the pass and restored
    afterwards; the model runs in eval mode and every module's training flag is
    restored, so the summary changes nothing (no dropout draws, no running statistics).
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be an nn.Module, got {type(model).__name__}")
    scalars = [p for p in model.parameters() if isinstance(p, Value)]
    if scalars:
        raise TypeError(
            f"summary: {type(model).__name__} is a network of scalar Values (nn.MLP, nn.Layer, nn.Neuron take a list "
            "of numbers, not a Tensor batch), and summary runs Tensor models; print(model) lists its layers and "
            f"len(model.parameters()) counts its {len(scalars)} parameters"
        )
    input_shape = _check_input_shape(input_shape)
    dtype = _input_dtype(model, dtype)
    modules = list(model.named_modules())
    leaves = [(name or type(module).__name__, module) for name, module in modules if not any(module.children())]
    rows: list[SummaryRow] = []
    counted: set[int] = set()  # the ids of the parameters a row has counted
    saved_forwards: list[tuple[Module, Any]] = []
    training_flags = [(module, module.training) for _, module in modules]

    def recording(name: str, module: Module, forward: Callable[..., Any]) -> Callable[..., Any]:
        def forward_and_record(*args: Any, **kwargs: Any) -> Any:
            output = forward(*args, **kwargs)
            own = [p for p in module.parameters() if id(p) not in counted]
            counted.update(id(p) for p in own)
            params = sum(_size(p) for p in own)
            trainable = sum(_size(p) for p in own if p.requires_grad)
            rows.append(SummaryRow(name, type(module).__name__, _output_shape(output), params, trainable))
            return output

        return forward_and_record

    try:
        for name, module in leaves:
            saved_forwards.append((module, vars(module).get("forward")))
            module.forward = recording(name, module, module.forward)  # type: ignore[method-assign]
        model.eval()
        with no_grad():
            model(Tensor(np.zeros(input_shape, dtype=dtype)))
    finally:
        for module, instance_forward in saved_forwards:
            if instance_forward is None:
                del module.forward
            else:
                module.forward = instance_forward  # type: ignore[method-assign]
        for module, flag in training_flags:
            module.training = flag
    parameters = model.parameters()
    total = sum(_size(p) for p in parameters)
    trainable = sum(_size(p) for p in parameters if p.requires_grad)
    return ModelSummary(rows, total, trainable, input_shape, dtype)


def _input_dtype(model: Module, dtype: Any) -> np.dtype:
    """The summary input's dtype: ``dtype`` (any real numpy dtype), or the model's first floating parameter's."""
    if dtype is None:
        floating = [p._data.dtype for p in model.parameters() if np.asarray(p._data).dtype.kind == "f"]
        return np.dtype(floating[0]) if floating else np.dtype(np.float32)
    try:
        chosen = np.dtype(dtype)
    except TypeError:
        chosen = None
    if chosen is None or chosen.kind not in "biuf":
        raise TypeError(f"summary: dtype must be a real numpy dtype (float32, int64, ...), got {dtype!r}")
    return chosen


def _size(parameter: Any) -> int:
    return int(np.size(parameter._data))
