"""What built a module: its class and constructor config, as JSON, and how to rebuild it.

A module's *record* is ``{"class": name, "config": {...}}``: the keyword arguments that
rebuild it, in JSON values, where a sub-module is itself a record (``Sequential`` holds
``{"modules": [record, ...]}``, or ``{"modules": {name: record}}`` when its modules are named
otherwise than by position, ``Residual`` ``{"module": record}``, ``ModuleDict``
``{"modules": {key: record}}``). Weights, ``init`` and ``rng`` are not part of it: a checkpoint
stores the weights next to the record.

The library's own layers and models are described by the table :data:`BLUEPRINTS`,
which also gives each layer's state shapes from its config, so a file's record can be
checked against its arrays *before* anything is allocated. A user-defined module can be
recorded too: give the class a ``config()`` method returning its constructor's keyword
arguments (JSON values or sub-modules) and register it with :func:`register_module`.
Limits: a registered user class is rebuilt by calling it, so its constructor runs before
its state is checked (register only classes you trust to allocate what they are asked);
anything else (unregistered classes, closures passed as ``init``, Dropout's random
state) is not recorded, and such a model is saved without a record.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import (
    activations,
    adaptive_pooling,
    attention,
    containers,
    conv,
    conv_transpose,
    dropout,
    embedding,
    layer_normalization,
    layers,
    models,
    normalization,
    padding_layers,
    pixel_shuffle,
    pooling1d,
    pooling3d,
    recurrent,
    scalar,
    shrinkage,
    similarity,
    transformer,
    transformer_decoder,
    transformer_model,
    upsampling,
)
from .module import Module

__all__ = ["BLUEPRINTS", "Blueprint", "describe", "differences", "expected_shapes", "rebuild", "register_module"]

#: Deepest nesting of modules a record may have.
MAX_DEPTH = 64
Shapes = dict[str, tuple[int, ...]]


@dataclasses.dataclass(frozen=True)
class Blueprint:
    """How one class is recorded: ``config(module)`` gives its constructor keyword arguments,
    ``build(config)`` calls the constructor, ``state_shapes(config)`` (None: unknown) the
    shapes of its own parameters and buffers, ``canonical(config)`` (None: the config itself) the
    form in which two configs are compared, for options that one layer may record in two ways."""

    cls: type
    config: Callable[[Any], dict[str, Any]]
    build: Callable[[dict[str, Any]], Module] | None = None
    state_shapes: Callable[[dict[str, Any]], Shapes] | None = None
    canonical: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def _dtype(module: Module, parameter: str = "weight") -> str:
    return str(np.asarray(getattr(module, parameter)._data).dtype)


def _no_state(config: dict[str, Any]) -> Shapes:
    return {}


def _stateless(cls: type, *names: str, **later_options: Any) -> Blueprint:
    """A module without state, recorded by ``names``; each of ``later_options`` (name=default), added to the
    class after files were written, is recorded only when it differs from its default, so older records
    still describe the modules built with its default."""

    def config(module: Module) -> dict[str, Any]:
        recorded = {name: getattr(module, name) for name in names}
        recorded.update(
            (name, getattr(module, name)) for name, default in later_options.items() if getattr(module, name) != default
        )
        return recorded

    return Blueprint(cls, config, state_shapes=_no_state)


_POOL_GEOMETRY = ("kernel_size", "stride", "padding", "dilation")


def _pool_geometry_as_pairs(config: dict[str, Any]) -> dict[str, Any]:
    """A pooling layer's config with an int ``k`` of its window geometry read as ``[k, k]``: the layers keep what
    the user passed (``MaxPool2d(2).kernel_size == 2``), files written when they kept pairs record ``[2, 2]``,
    and both describe one layer."""
    return {
        name: [value, value] if name in _POOL_GEOMETRY and type(value) is int else value
        for name, value in config.items()
    }


def _pool(cls: type, *names: str, **later_options: Any) -> Blueprint:
    """A pooling layer: recorded as :func:`_stateless` does, compared with its geometry as pairs."""
    return dataclasses.replace(_stateless(cls, *names, **later_options), canonical=_pool_geometry_as_pairs)


def _linear_shapes(c: dict[str, Any], prefix: str = "") -> Shapes:
    shapes = {f"{prefix}weight": (c["out_features"], c["in_features"])}
    return {**shapes, f"{prefix}bias": (c["out_features"],)} if c["bias"] else shapes


def _conv_shapes(c: dict[str, Any]) -> Shapes:
    kernel = tuple(c["kernel_size"])
    shapes = {"weight": (c["out_channels"], c["in_channels"] // c.get("groups", 1), *kernel)}
    return {**shapes, "bias": (c["out_channels"],)} if c["bias"] else shapes


def _batch_norm_shapes(c: dict[str, Any]) -> Shapes:
    channels = (c["num_features"],)
    shapes: Shapes = {"weight": channels} if c["affine"] else {}
    if c["affine"] and c.get("bias", True):
        shapes["bias"] = channels
    if c["track_running_stats"]:
        shapes.update(running_mean=channels, running_var=channels, num_batches_tracked=())
    return shapes


def _batch_norm(cls: type) -> Blueprint:
    def config(m: Any) -> dict[str, Any]:
        dtype = m.weight._data.dtype if m.affine else (m.running_mean.dtype if m.track_running_stats else np.float32)
        names = ("num_features", "eps", "momentum", "affine", "track_running_stats")
        config = {**{name: getattr(m, name) for name in names}, "dtype": str(np.dtype(dtype))}
        if m.affine and m.bias is None:  # recorded only when set, so records written before it still match
            config["bias"] = False
        return config

    return Blueprint(cls, config, state_shapes=_batch_norm_shapes)


def _affine_shapes(c: dict[str, Any], affine: str, shape: tuple[int, ...]) -> Shapes:
    """A normalisation layer's ``weight`` and ``bias`` (each when it has one): both of ``shape``."""
    shapes: Shapes = {"weight": shape} if c[affine] else {}
    return {**shapes, "bias": shape} if c[affine] and c["bias"] else shapes


_SEQUENCE_OPTIONS = ("num_layers", "bias", "batch_first", "dropout", "bidirectional")


def _recurrent(cls: type, *options: str, **later_options: Any) -> Blueprint:
    """A recurrent layer: its sizes, ``options`` and dtype; parameter shapes by torch's names. Each of
    ``later_options`` (name=default, as :func:`_stateless`'s) is recorded only when it differs from its default."""

    def config(m: Any) -> dict[str, Any]:
        recorded = {"input_size": m.input_size, "hidden_size": m.hidden_size}
        return {
            **recorded,
            **{name: getattr(m, name) for name in options},
            **{name: getattr(m, name) for name, default in later_options.items() if getattr(m, name) != default},
            "dtype": _dtype(m, "weight_hh" if hasattr(m, "weight_hh") else "weight_hh_l0"),
        }

    return Blueprint(cls, config, state_shapes=lambda c: recurrent.parameter_shapes(cls._kind, c))


def _conv_config(m: Any) -> dict[str, Any]:
    names = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation")
    config = {name: getattr(m, name) for name in names}
    if hasattr(m, "groups"):
        config["groups"] = m.groups
    if m.padding_mode != "zeros":  # recorded only when set, so records written before it still match
        config["padding_mode"] = m.padding_mode
    return {**config, "bias": m.bias is not None, "dtype": _dtype(m)}


def _conv_transpose_config(m: Any) -> dict[str, Any]:
    names = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "dilation")
    return {**{name: getattr(m, name) for name in names}, "bias": m.bias is not None, "dtype": _dtype(m)}


def _conv_transpose_shapes(c: dict[str, Any]) -> Shapes:
    shapes = {"weight": (c["in_channels"], c["out_channels"] // c["groups"], *c["kernel_size"])}
    return {**shapes, "bias": (c["out_channels"],)} if c["bias"] else shapes


def _swish_config(m: Any) -> dict[str, Any]:
    beta = float(m.beta._data) if m.learnable else m.beta
    return {"beta": beta, "learnable": m.learnable, "dtype": _dtype(m, "beta") if m.learnable else "float32"}


def _neuron_shapes(nin: int, prefix: str = "") -> Shapes:
    return {**{f"{prefix}w.{i}": () for i in range(nin)}, f"{prefix}b": ()}


def _layer_shapes(nin: int, nout: int, prefix: str = "") -> Shapes:
    shapes: Shapes = {}
    for j in range(nout):
        shapes.update(_neuron_shapes(nin, f"{prefix}neurons.{j}."))
    return shapes


def _mlp_shapes(c: dict[str, Any]) -> Shapes:
    sizes = [c["nin"], *c["nouts"]]
    shapes: Shapes = {}
    for k in range(len(c["nouts"])):
        shapes.update(_layer_shapes(sizes[k], sizes[k + 1], f"layers.{k}."))
    return shapes


def _mlp_config(m: Any) -> dict[str, Any]:
    """MLP's arguments; NotRecordableError when they would not rebuild it: a layer or neuron replaced by
    another module, or given an activation other than the hidden layers' one and the output layer's one."""
    kinds = [
        [unit.activation if type(unit) is scalar.Neuron else None for unit in layer.neurons]
        if type(layer) is scalar.Layer
        else [None]
        for layer in m.layers
    ]
    hidden, output = {kind for row in kinds[:-1] for kind in row}, set(kinds[-1])
    if None in hidden | output or len(hidden) > 1 or len(output) > 1:
        raise NotRecordableError(
            "MLP: its layers are not MLP(nin, nouts, activation, output_activation)'s (a layer or neuron was "
            f"replaced or given another activation: {kinds}); save its state and rebuild it yourself"
        )
    first = m.layers[0].neurons[0]
    return {
        "nin": len(first.w),
        "nouts": [len(layer.neurons) for layer in m.layers],
        "activation": first.activation if len(m.layers) > 1 else "relu",
        "output_activation": m.layers[-1].neurons[0].activation,
    }


def _alexnet_shapes(c: dict[str, Any]) -> Shapes:
    groups, classes = c["groups"], c["num_classes"]
    layers_out_in = {
        "features.0": (96, 3, 11),
        "features.4": (256, 96 // groups, 5),
        "features.8": (384, 256, 3),
        "features.10": (384, 384 // groups, 3),
        "features.12": (256, 384 // groups, 3),
    }
    shapes: Shapes = {}
    for name, (out, fan_in, k) in layers_out_in.items():
        shapes.update({f"{name}.weight": (out, fan_in, k, k), f"{name}.bias": (out,)})
    for name, (out, fan_in) in {"classifier.0": (4096, 9216), "classifier.3": (4096, 4096)}.items():
        shapes.update({f"{name}.weight": (out, fan_in), f"{name}.bias": (out,)})
    return {**shapes, "classifier.6.weight": (classes, 4096), "classifier.6.bias": (classes,)}


def _attention_config(m: Any) -> dict[str, Any]:
    return {
        "embed_dim": m.embed_dim,
        "num_heads": m.num_heads,
        "dropout": m.dropout,
        "bias": m.in_proj_bias is not None,
        "add_bias_kv": m.bias_k is not None,
        "add_zero_attn": m.add_zero_attn,
        "kdim": m.kdim,
        "vdim": m.vdim,
        "batch_first": m.batch_first,
        "dtype": _dtype(m.out_proj),
    }


def _attention_shapes(c: dict[str, Any], prefix: str = "") -> Shapes:
    size = c["embed_dim"]
    if c["kdim"] == size and c["vdim"] == size:
        shapes: Shapes = {"in_proj_weight": (3 * size, size)}
    else:
        shapes = {"q_proj_weight": (size, size), "k_proj_weight": (size, c["kdim"]), "v_proj_weight": (size, c["vdim"])}
    if c["bias"]:
        shapes["in_proj_bias"] = (3 * size,)
    if c["add_bias_kv"]:
        shapes.update(bias_k=(1, 1, size), bias_v=(1, 1, size))
    shapes.update(_linear_shapes({"in_features": size, "out_features": size, "bias": c["bias"]}, "out_proj."))
    return {prefix + name: shape for name, shape in shapes.items()}


def _encoder_layer_config(m: Any) -> dict[str, Any]:
    """The options of a TransformerEncoderLayer or TransformerDecoderLayer (the same ones)."""
    named = {function: name for name, function in transformer._ACTIVATIONS.items()}
    # nn.functional's relu/gelu take torch's input= keyword through a wrapper (nn.functional.input_keyword)
    function = m.activation
    if isinstance(function, Module):
        activation = function
    else:
        activation = named.get(function, named.get(getattr(function, "__wrapped__", None)))
    if activation is None:
        raise NotRecordableError(
            f"{type(m).__name__}: an activation function other than 'relu', 'gelu' or a Module has no record"
        )
    return {
        "d_model": m.linear1.in_features,
        "nhead": m.self_attn.num_heads,
        "dim_feedforward": m.linear1.out_features,
        "dropout": m.dropout.p,
        "activation": activation,
        "layer_norm_eps": m.norm1.eps,
        "batch_first": m.self_attn.batch_first,
        "norm_first": m.norm_first,
        "bias": m.linear1.bias is not None,
        "dtype": _dtype(m.linear1),
    }


def _encoder_layer_shapes(c: dict[str, Any]) -> Shapes:
    size, hidden, bias = c["d_model"], c["dim_feedforward"], c["bias"]
    attention = {"embed_dim": size, "kdim": size, "vdim": size, "bias": bias, "add_bias_kv": False}
    shapes = _attention_shapes(attention, "self_attn.")
    shapes.update(_linear_shapes({"in_features": size, "out_features": hidden, "bias": bias}, "linear1."))
    shapes.update(_linear_shapes({"in_features": hidden, "out_features": size, "bias": bias}, "linear2."))
    for norm in ("norm1.", "norm2."):
        shapes.update({f"{norm}weight": (size,)} | ({f"{norm}bias": (size,)} if bias else {}))
    return shapes


def _decoder_layer_shapes(c: dict[str, Any]) -> Shapes:
    """An encoder layer's state, then the attention over the memory and the third norm (torch's order)."""
    size, bias = c["d_model"], c["bias"]
    layer = _encoder_layer_shapes(c)
    attention = {"embed_dim": size, "kdim": size, "vdim": size, "bias": bias, "add_bias_kv": False}
    shapes = {name: shape for name, shape in layer.items() if name.startswith("self_attn.")}
    shapes.update(_attention_shapes(attention, "multihead_attn."))
    shapes.update({name: shape for name, shape in layer.items() if not name.startswith("self_attn.")})
    shapes.update({"norm3.weight": (size,)} | ({"norm3.bias": (size,)} if bias else {}))
    return shapes


def _stack_config(layer_name: str) -> Callable[[Any], dict[str, Any]]:
    """The options of a TransformerEncoder / TransformerDecoder: its first layer stands for the copies."""
    return lambda m: {layer_name: m.layers[0], "num_layers": m.num_layers, "norm": m.norm}


def _transformer_config(m: Any) -> dict[str, Any]:
    """A Transformer as its two halves (any encoder and decoder, given as torch's custom_encoder / custom_decoder)."""
    return {
        "d_model": m.d_model,
        "nhead": m.nhead,
        "custom_encoder": m.encoder,
        "custom_decoder": m.decoder,
        "batch_first": m.batch_first,
    }


#: Record name -> blueprint, for the library's layers (user classes join via :func:`register_module`).
def _sequential_config(sequential: layers.Sequential) -> dict[str, Any]:
    """Its modules as a list, or by name when they are named otherwise than by position."""
    names = [name for name, _ in sequential._content_items(list(sequential))]
    if names == [str(position) for position in range(len(names))]:
        return {"modules": list(sequential)}
    return {"modules": dict(zip(names, sequential))}


def _build_sequential(config: dict[str, Any]) -> layers.Sequential:
    modules = config["modules"]
    return layers.Sequential(modules) if isinstance(modules, dict) else layers.Sequential(*modules)


BLUEPRINTS: dict[str, Blueprint] = {
    "Linear": Blueprint(
        layers.Linear,
        lambda m: {
            "in_features": m.in_features,
            "out_features": m.out_features,
            "bias": m.bias is not None,
            "dtype": _dtype(m),
        },
        state_shapes=_linear_shapes,
    ),
    "Bilinear": Blueprint(
        layers.Bilinear,
        lambda m: {
            "in1_features": m.in1_features,
            "in2_features": m.in2_features,
            "out_features": m.out_features,
            "bias": m.bias is not None,
            "dtype": _dtype(m),
        },
        state_shapes=lambda c: (
            {"weight": (c["out_features"], c["in1_features"], c["in2_features"])}
            | ({"bias": (c["out_features"],)} if c["bias"] else {})
        ),
    ),
    "Sequential": Blueprint(layers.Sequential, _sequential_config, _build_sequential, _no_state),
    "RNNCell": _recurrent(recurrent.RNNCell, "bias", "nonlinearity"),
    "LSTMCell": _recurrent(recurrent.LSTMCell, "bias"),
    "GRUCell": _recurrent(recurrent.GRUCell, "bias"),
    "RNN": _recurrent(recurrent.RNN, *_SEQUENCE_OPTIONS, "nonlinearity"),
    "LSTM": _recurrent(recurrent.LSTM, *_SEQUENCE_OPTIONS, proj_size=0),
    "GRU": _recurrent(recurrent.GRU, *_SEQUENCE_OPTIONS),
    "Residual": Blueprint(layers.Residual, lambda m: {"module": m.module}, state_shapes=_no_state),
    "MultiheadAttention": Blueprint(attention.MultiheadAttention, _attention_config, state_shapes=_attention_shapes),
    "TransformerEncoderLayer": Blueprint(
        transformer.TransformerEncoderLayer, _encoder_layer_config, state_shapes=_encoder_layer_shapes
    ),
    "TransformerEncoder": Blueprint(  # its state is named by its copies (layers.i.), not by its config: no shapes
        transformer.TransformerEncoder,
        lambda m: {
            "encoder_layer": m.layers[0],
            "num_layers": m.num_layers,
            "norm": m.norm,
            "enable_nested_tensor": m.enable_nested_tensor,
            "mask_check": m.mask_check,
        },
    ),
    "TransformerDecoderLayer": Blueprint(
        transformer_decoder.TransformerDecoderLayer, _encoder_layer_config, state_shapes=_decoder_layer_shapes
    ),
    "TransformerDecoder": Blueprint(transformer_decoder.TransformerDecoder, _stack_config("decoder_layer")),
    "Transformer": Blueprint(transformer_model.Transformer, _transformer_config),
    "Identity": _stateless(layers.Identity),
    "Flatten": _stateless(layers.Flatten, "start_dim", "end_dim"),
    "Unflatten": _stateless(layers.Unflatten, "dim", "unflattened_size"),
    "Dropout": _stateless(layers.Dropout, "p", inplace=False),
    "Dropout1d": _stateless(dropout.Dropout1d, "p", inplace=False),
    "Dropout2d": _stateless(dropout.Dropout2d, "p", inplace=False),
    "Dropout3d": _stateless(dropout.Dropout3d, "p", inplace=False),
    "Embedding": Blueprint(
        embedding.Embedding,
        lambda m: {
            "num_embeddings": m.num_embeddings,
            "embedding_dim": m.embedding_dim,
            "padding_idx": m.padding_idx,
            "max_norm": m.max_norm,
            "norm_type": m.norm_type,
            "scale_grad_by_freq": m.scale_grad_by_freq,
            "sparse": m.sparse,
            "dtype": _dtype(m),
        },
        state_shapes=lambda c: {"weight": (c["num_embeddings"], c["embedding_dim"])},
    ),
    "Conv1d": Blueprint(conv.Conv1d, _conv_config, state_shapes=_conv_shapes),
    "Conv2d": Blueprint(conv.Conv2d, _conv_config, state_shapes=_conv_shapes),
    "Conv3d": Blueprint(conv.Conv3d, _conv_config, state_shapes=_conv_shapes),
    "ConvTranspose1d": Blueprint(
        conv_transpose.ConvTranspose1d, _conv_transpose_config, state_shapes=_conv_transpose_shapes
    ),
    "ConvTranspose2d": Blueprint(
        conv_transpose.ConvTranspose2d, _conv_transpose_config, state_shapes=_conv_transpose_shapes
    ),
    "ConvTranspose3d": Blueprint(
        conv_transpose.ConvTranspose3d, _conv_transpose_config, state_shapes=_conv_transpose_shapes
    ),
    "MaxPool2d": _pool(
        conv.MaxPool2d, "kernel_size", "stride", "padding", "dilation", ceil_mode=False, return_indices=False
    ),
    "AvgPool2d": _pool(
        conv.AvgPool2d,
        "kernel_size",
        "stride",
        "padding",
        "count_include_pad",
        ceil_mode=False,
        divisor_override=None,
    ),
    "AdaptiveAvgPool2d": _stateless(conv.AdaptiveAvgPool2d, "output_size"),
    "MaxPool3d": _stateless(
        pooling3d.MaxPool3d, "kernel_size", "stride", "padding", "dilation", "ceil_mode", return_indices=False
    ),
    "AvgPool3d": _stateless(
        pooling3d.AvgPool3d, "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"
    ),
    "AdaptiveAvgPool3d": _stateless(pooling3d.AdaptiveAvgPool3d, "output_size"),
    "MaxPool1d": _stateless(
        pooling1d.MaxPool1d, "kernel_size", "stride", "padding", "dilation", "ceil_mode", return_indices=False
    ),
    "AvgPool1d": _stateless(pooling1d.AvgPool1d, "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    "AdaptiveAvgPool1d": _stateless(pooling1d.AdaptiveAvgPool1d, "output_size"),
    "Upsample": _stateless(
        upsampling.Upsample, "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"
    ),
    "UpsamplingNearest2d": _stateless(upsampling.UpsamplingNearest2d, "size", "scale_factor"),
    "UpsamplingBilinear2d": _stateless(upsampling.UpsamplingBilinear2d, "size", "scale_factor"),
    "AdaptiveMaxPool1d": _stateless(adaptive_pooling.AdaptiveMaxPool1d, "output_size", return_indices=False),
    "AdaptiveMaxPool2d": _stateless(adaptive_pooling.AdaptiveMaxPool2d, "output_size", return_indices=False),
    "AdaptiveMaxPool3d": _stateless(adaptive_pooling.AdaptiveMaxPool3d, "output_size", return_indices=False),
    "PixelShuffle": _stateless(pixel_shuffle.PixelShuffle, "upscale_factor"),
    "PixelUnshuffle": _stateless(pixel_shuffle.PixelUnshuffle, "downscale_factor"),
    "ZeroPad1d": _stateless(padding_layers.ZeroPad1d, "padding"),
    "ZeroPad2d": _stateless(padding_layers.ZeroPad2d, "padding"),
    "ZeroPad3d": _stateless(padding_layers.ZeroPad3d, "padding"),
    "ReflectionPad1d": _stateless(padding_layers.ReflectionPad1d, "padding"),
    "ReflectionPad2d": _stateless(padding_layers.ReflectionPad2d, "padding"),
    "ReflectionPad3d": _stateless(padding_layers.ReflectionPad3d, "padding"),
    "ReplicationPad1d": _stateless(padding_layers.ReplicationPad1d, "padding"),
    "ReplicationPad2d": _stateless(padding_layers.ReplicationPad2d, "padding"),
    "ReplicationPad3d": _stateless(padding_layers.ReplicationPad3d, "padding"),
    "CircularPad1d": _stateless(padding_layers.CircularPad1d, "padding"),
    "CircularPad2d": _stateless(padding_layers.CircularPad2d, "padding"),
    "CircularPad3d": _stateless(padding_layers.CircularPad3d, "padding"),
    "ConstantPad1d": _stateless(padding_layers.ConstantPad1d, "padding", "value"),
    "ConstantPad2d": _stateless(padding_layers.ConstantPad2d, "padding", "value"),
    "ConstantPad3d": _stateless(padding_layers.ConstantPad3d, "padding", "value"),
    "BatchNorm1d": _batch_norm(normalization.BatchNorm1d),
    "BatchNorm2d": _batch_norm(normalization.BatchNorm2d),
    "BatchNorm3d": _batch_norm(normalization.BatchNorm3d),
    "SyncBatchNorm": _batch_norm(normalization.SyncBatchNorm),  # (its process_group is not recorded)
    "InstanceNorm1d": _batch_norm(normalization.InstanceNorm1d),  # the same constructor arguments and buffers
    "InstanceNorm2d": _batch_norm(normalization.InstanceNorm2d),
    "InstanceNorm3d": _batch_norm(normalization.InstanceNorm3d),
    "Sigmoid": _stateless(activations.Sigmoid),
    "Tanh": _stateless(activations.Tanh),
    "ReLU": _stateless(activations.ReLU, inplace=False),
    "SiLU": _stateless(activations.SiLU, inplace=False),
    "Mish": _stateless(activations.Mish, inplace=False),
    "Step": _stateless(activations.Step),
    "LeakyReLU": _stateless(activations.LeakyReLU, "negative_slope", inplace=False),
    "ELU": _stateless(activations.ELU, "alpha", inplace=False),
    "Softplus": _stateless(activations.Softplus, "beta", threshold=20.0),
    "Softmax": _stateless(activations.Softmax, "axis"),
    "LogSoftmax": _stateless(activations.LogSoftmax, "axis"),
    "Softmin": _stateless(activations.Softmin, "axis"),
    "GELU": _stateless(activations.GELU, "approximate"),
    "Threshold": _stateless(shrinkage.Threshold, "threshold", "value", inplace=False),
    "Hardshrink": _stateless(shrinkage.Hardshrink, "lambd"),
    "Softshrink": _stateless(shrinkage.Softshrink, "lambd"),
    "Tanhshrink": _stateless(shrinkage.Tanhshrink),
    "GLU": _stateless(shrinkage.GLU, "dim"),
    "CosineSimilarity": _stateless(similarity.CosineSimilarity, "dim", "eps"),
    "PairwiseDistance": Blueprint(
        similarity.PairwiseDistance,
        lambda m: {"p": m.norm, "eps": m.eps, "keepdim": m.keepdim},
        state_shapes=_no_state,
    ),
    "Hardtanh": _stateless(activations.Hardtanh, "min_val", "max_val", inplace=False),
    "CELU": _stateless(activations.CELU, "alpha", inplace=False),
    "ReLU6": _stateless(activations.ReLU6, inplace=False),
    "SELU": _stateless(activations.SELU, inplace=False),
    "LogSigmoid": _stateless(activations.LogSigmoid),
    "Hardsigmoid": _stateless(activations.Hardsigmoid, inplace=False),
    "Hardswish": _stateless(activations.Hardswish, inplace=False),
    "Softsign": _stateless(activations.Softsign),
    "PReLU": Blueprint(
        activations.PReLU,
        lambda m: {"num_parameters": int(m.weight.shape[0]), "init": m.init, "dtype": _dtype(m)},
        state_shapes=lambda c: {"weight": (c["num_parameters"],)},
    ),
    "Swish": Blueprint(activations.Swish, _swish_config, state_shapes=lambda c: {"beta": ()} if c["learnable"] else {}),
    "Maxout": Blueprint(
        activations.Maxout,
        lambda m: {
            "in_features": m.in_features,
            "out_features": m.out_features,
            "pieces": m.pieces,
            "dtype": _dtype(m),
        },
        state_shapes=lambda c: {
            "weight": (c["out_features"] * c["pieces"], c["in_features"]),
            "bias": (c["out_features"] * c["pieces"],),
        },
    ),
    "ACONC": Blueprint(
        activations.ACONC,
        lambda m: {"num_features": int(m.beta.shape[0]), "dtype": _dtype(m, "beta")},
        state_shapes=lambda c: {name: (c["num_features"],) for name in ("p1", "p2", "beta")},
    ),
    "MLP": Blueprint(scalar.MLP, _mlp_config, state_shapes=_mlp_shapes),
    "ModuleList": Blueprint(
        containers.ModuleList, lambda m: {"modules": list(m)}, lambda c: containers.ModuleList(c["modules"]), _no_state
    ),
    "ModuleDict": Blueprint(
        containers.ModuleDict,
        lambda m: {"modules": {key: m[key] for key in m}},
        lambda c: containers.ModuleDict(c["modules"]),
        _no_state,
    ),
    "LayerNorm": Blueprint(
        layer_normalization.LayerNorm,
        lambda m: {
            "normalized_shape": list(m.normalized_shape),
            "eps": m.eps,
            "elementwise_affine": m.elementwise_affine,
            "bias": m.bias is not None,
            "dtype": _dtype(m) if m.weight is not None else "float32",
        },
        state_shapes=lambda c: _affine_shapes(c, "elementwise_affine", tuple(c["normalized_shape"])),
    ),
    "RMSNorm": Blueprint(
        layer_normalization.RMSNorm,
        lambda m: {
            "normalized_shape": list(m.normalized_shape),
            "eps": m.eps,
            "elementwise_affine": m.elementwise_affine,
            "dtype": _dtype(m) if m.weight is not None else "float32",
        },
        state_shapes=lambda c: {"weight": tuple(c["normalized_shape"])} if c["elementwise_affine"] else {},
    ),
    "GroupNorm": Blueprint(
        layer_normalization.GroupNorm,
        lambda m: {
            "num_groups": m.num_groups,
            "num_channels": m.num_channels,
            "eps": m.eps,
            "affine": m.affine,
            "bias": m.bias is not None,
            "dtype": _dtype(m) if m.weight is not None else "float32",
        },
        state_shapes=lambda c: _affine_shapes(c, "affine", (c["num_channels"],)),
    ),
    "LocalResponseNorm": _stateless(normalization.LocalResponseNorm, "size", "alpha", "beta", "k"),
    "AlexNet": Blueprint(
        models.AlexNet,
        lambda m: {"num_classes": m.classifier[-1].out_features, "groups": m.features[4].groups},
        state_shapes=_alexnet_shapes,
    ),
}
_NAMES: dict[type, str] = {blueprint.cls: name for name, blueprint in BLUEPRINTS.items()}


def register_module(cls: type) -> type:
    """Let checkpoints record and rebuild ``cls`` (usable as a class decorator).

    ``cls`` must be a Module subclass with a ``config()`` method that returns its
    constructor's keyword arguments as JSON values or sub-modules; the record names it
    ``module.qualname``.
    """
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register_module: expected a Module subclass, got {cls!r}")
    if not callable(getattr(cls, "config", None)):
        raise TypeError(f"register_module: {cls.__qualname__} needs a config() method returning its constructor kwargs")
    name = f"{cls.__module__}.{cls.__qualname__}"
    BLUEPRINTS[name] = Blueprint(cls, lambda module: module.config())
    _NAMES[cls] = name
    return cls


class NotRecordableError(TypeError):
    """The module (or a sub-module) has no blueprint, or nests too deeply."""


def _to_json(value: Any, depth: int) -> Any:
    if isinstance(value, Module):
        return _record(value, depth + 1)
    if isinstance(value, (list, tuple)):
        return [_to_json(item, depth) for item in value]
    if isinstance(value, dict):
        return {str(key): _to_json(item, depth) for key, item in value.items()}
    if isinstance(value, (np.generic, np.dtype)):
        return value.item() if isinstance(value, np.generic) else str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise NotRecordableError(f"a config value of type {type(value).__name__} is not JSON")


def _record(module: Module, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise NotRecordableError(f"modules nest deeper than {MAX_DEPTH} levels")
    name = _NAMES.get(type(module))
    if name is None:
        raise NotRecordableError(
            f"{type(module).__qualname__} is not registered (give it config() and use nn.register_module)"
        )
    return {"class": name, "config": _to_json(BLUEPRINTS[name].config(module), depth)}


def describe(module: Module) -> dict[str, Any]:
    """The JSON record that rebuilds ``module``; raises :class:`NotRecordableError` if it cannot be recorded."""
    return json.loads(json.dumps(_record(module, 0), allow_nan=False))


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"class", "config"}


def _children(config: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(state-name prefix, record) of the sub-modules in a config: a record under key k is named k,
    records in a list by position, records in a dict by key."""
    for key, value in config.items():
        if _is_record(value):
            yield key, value
        elif isinstance(value, list) and value and all(_is_record(item) for item in value):
            yield from ((str(index), item) for index, item in enumerate(value))
        elif isinstance(value, dict) and value and all(_is_record(item) for item in value.values()):
            yield from value.items()


def _check_record(record: Any, where: str, depth: int) -> Blueprint:
    if depth > MAX_DEPTH:
        raise ValueError(f"modules nest deeper than {MAX_DEPTH} levels")
    if not _is_record(record) or not isinstance(record["config"], dict):
        raise ValueError(f"{where}: expected {{'class': name, 'config': {{...}}}}, got {str(record)[:80]}")
    if record["class"] not in BLUEPRINTS:
        raise ValueError(f"{where}: unknown module class {record['class']!r} (user classes need nn.register_module)")
    return BLUEPRINTS[record["class"]]


def expected_shapes(record: Any) -> Shapes | None:
    """Every state entry's shape that ``record`` implies, without building it (None if a class cannot say)."""
    shapes: Shapes = {}
    stack = [("", record, 0)]
    while stack:
        prefix, node, depth = stack.pop()
        blueprint = _check_record(node, prefix or "model", depth)
        config = node["config"]
        if blueprint.state_shapes is None:
            return None
        try:
            own = blueprint.state_shapes(config)
            shapes.update({prefix + name: tuple(int(n) for n in shape) for name, shape in own.items()})
        except (ArithmeticError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{prefix or 'model'}: bad {node['class']} config {config} ({error!r})") from None
        stack.extend((f"{prefix}{name}.", child, depth + 1) for name, child in _children(config))
    return shapes


def _build(value: Any, depth: int) -> Any:
    if _is_record(value):
        blueprint = _check_record(value, "model", depth)
        config = {key: _build(item, depth + 1) for key, item in value["config"].items()}
        try:
            return blueprint.build(config) if blueprint.build is not None else blueprint.cls(**config)
        except (TypeError, ValueError) as error:
            raise ValueError(f"cannot rebuild {value['class']} from {value['config']}: {error}") from None
    if isinstance(value, list):
        items = [_build(item, depth) for item in value]
        return items if any(isinstance(item, Module) for item in items) else tuple(items)
    if isinstance(value, dict):
        return {key: _build(item, depth) for key, item in value.items()}
    return value


def rebuild(record: Any) -> Module:
    """A freshly built module (initial weights) of the architecture ``record`` describes."""
    _check_record(record, "model", 0)
    return _build(record, 0)


def differences(saved: dict[str, Any], current: dict[str, Any], limit: int = 5) -> list[str]:
    """Where two records differ, as readable lines (at most ``limit``): class or config option."""
    found: list[str] = []
    stack = [("model", saved, current)]
    while stack and len(found) < limit:
        where, a, b = stack.pop()
        if a["class"] != b["class"]:
            found.append(f"{where}: the file has {a['class']}, the model has {b['class']}")
            continue
        config_a, config_b = a["config"], b["config"]
        canonical = getattr(BLUEPRINTS.get(a["class"]), "canonical", None)
        if canonical is not None:
            config_a, config_b = canonical(config_a), canonical(config_b)
        children_a, children_b = dict(_children(config_a)), dict(_children(config_b))
        if list(children_a) != list(children_b):
            found.append(
                f"{where} ({a['class']}): the file has sub-modules {list(children_a)}, the model {list(children_b)}"
            )
            continue
        for key in sorted(set(config_a) | set(config_b)):
            value_a, value_b = config_a.get(key), config_b.get(key)
            if value_a != value_b and not (_holds_records(value_a) and _holds_records(value_b)):
                found.append(f"{where} ({a['class']}): {key} is {value_a!r} in the file, {value_b!r} in the model")
        stack.extend((f"{where}.{name}", children_a[name], children_b[name]) for name in reversed(list(children_a)))
    return found[:limit]


def _holds_records(value: Any) -> bool:
    return _is_record(value) or (
        isinstance(value, (list, dict))
        and bool(value)
        and all(_is_record(item) for item in (value.values() if isinstance(value, dict) else value))
    )
