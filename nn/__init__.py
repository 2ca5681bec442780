"""nn: neural-network building blocks on top of autograd.

Scalar (micrograd-style): :class:`Module`, :class:`Neuron`, :class:`Layer`, :class:`MLP`.
"""

from . import data, init, optim, serialization
from .activations import (
    ACONC,
    ELU,
    LeakyReLU,
    LogSoftmax,
    Maxout,
    Mish,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Swish,
    Tanh,
)
from .callbacks import Callback, EarlyStopping, GradientNormStop, ParameterStepStop
from .diagnostics import GradientNormMonitor, GradientReport, gradient_norms
from .layers import Dropout, Flatten, Identity, Linear, Residual, Sequential
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    ExponentialLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MAPELoss,
    MeanBiasError,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    SmoothHingeLoss,
)
from .module import IncompatibleKeys, Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d
from .parameter import Parameter
from .scalar import MLP, Layer, Neuron
from .training import History, accuracy, evaluate, fit, predict

__all__ = [
    "GradientNormMonitor",
    "GradientReport",
    "gradient_norms",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "Flatten",
    "Identity",
    "IncompatibleKeys",
    "Linear",
    "Residual",
    "Sequential",
    "StateDictError",
    "ACONC",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "ELU",
    "ExponentialLoss",
    "HingeLoss",
    "HuberLoss",
    "L1Loss",
    "Layer",
    "LeakyReLU",
    "LogSoftmax",
    "MAPELoss",
    "MLP",
    "MSELoss",
    "Maxout",
    "MeanBiasError",
    "Mish",
    "Module",
    "MultiMarginLoss",
    "NLLLoss",
    "Neuron",
    "PReLU",
    "Parameter",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "SmoothHingeLoss",
    "Softmax",
    "Softplus",
    "Step",
    "Swish",
    "Tanh",
    "init",
    "optim",
    "serialization",
    "data",
    "Callback",
    "EarlyStopping",
    "GradientNormStop",
    "ParameterStepStop",
    "History",
    "accuracy",
    "evaluate",
    "fit",
    "predict",
]
