"""nn: neural-network building blocks on top of autograd, shaped like ``torch.nn``.

* micrograd-style scalar networks: :class:`Neuron`, :class:`Layer`, :class:`MLP` (over ``Value``);
* Tensor modules: :class:`Module`, :class:`Parameter`, ``Linear``, ``Sequential``, ``Conv1d``,
  ``Conv2d``, pooling, ``BatchNorm1d``/``2d``, ``Dropout``, ``Residual``, activations and losses;
* ``nn.functional`` (stateless ops), ``nn.init``, ``nn.optim``, ``nn.data``,
  ``nn.serialization`` (``nn.save``/``nn.load``), ``nn.models``;
* training: :func:`fit`, :func:`evaluate`, :func:`predict`, stopping callbacks and gradient reports.

``python -m nn`` runs the main job (see ``nn/__main__.py``).
"""

from . import data, functional, init, models, optim, serialization
from .activations import (
    ACONC,
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Maxout,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Step,
    Swish,
    Tanh,
)
from .architecture import register_module
from .callbacks import Callback, EarlyStopping, GradientNormStop, ParameterStepStop
from .containers import ModuleDict, ModuleList
from .conv import AdaptiveAvgPool2d, AvgPool2d, Conv1d, Conv2d, MaxPool2d
from .diagnostics import GradientNormMonitor, GradientReport, gradient_norms
from .dropout import Dropout1d, Dropout2d
from .embedding import Embedding
from .layer_normalization import GroupNorm, LayerNorm, RMSNorm
from .layers import Dropout, Flatten, Identity, Linear, Residual, Sequential, Unflatten
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    ExponentialLoss,
    HingeLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MAPELoss,
    MeanBiasError,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    PerceptronLoss,
    SmoothHingeLoss,
    SmoothL1Loss,
)
from .model_summary import ModelSummary, summary
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, LocalResponseNorm
from .parameter import Parameter
from .scalar import MLP, Layer, Neuron
from .serialization import SerializationError, load, save
from .training import History, accuracy, evaluate, fit, predict

__all__ = [
    "accuracy",
    "ACONC",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Callback",
    "CELU",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "data",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "EarlyStopping",
    "ELU",
    "Embedding",
    "evaluate",
    "ExponentialLoss",
    "fit",
    "Flatten",
    "functional",
    "GELU",
    "gradient_norms",
    "GradientNormMonitor",
    "GradientNormStop",
    "GradientReport",
    "GroupNorm",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeLoss",
    "History",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "init",
    "KLDivLoss",
    "L1Loss",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "load",
    "LocalResponseNorm",
    "LogSigmoid",
    "LogSoftmax",
    "MAPELoss",
    "Maxout",
    "MaxPool2d",
    "MeanBiasError",
    "Mish",
    "MLP",
    "models",
    "ModelSummary",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MSELoss",
    "MultiMarginLoss",
    "Neuron",
    "NLLLoss",
    "optim",
    "Parameter",
    "ParameterStepStop",
    "PerceptronLoss",
    "predict",
    "PReLU",
    "register_module",
    "ReLU",
    "ReLU6",
    "RMSNorm",
    "Residual",
    "save",
    "SELU",
    "Sequential",
    "serialization",
    "SerializationError",
    "Sigmoid",
    "SiLU",
    "SmoothHingeLoss",
    "SmoothL1Loss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softsign",
    "StateDictError",
    "Step",
    "summary",
    "Swish",
    "Tanh",
    "Unflatten",
]
