"""nn: neural-network building blocks on top of autograd.

Scalar (micrograd-style): :class:`Module`, :class:`Neuron`, :class:`Layer`, :class:`MLP`.
"""

from . import data, init, models, optim, serialization
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
from .conv import AvgPool2d, Conv2d, MaxPool2d
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
    "accuracy",
    "ACONC",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Callback",
    "Conv2d",
    "CrossEntropyLoss",
    "data",
    "Dropout",
    "EarlyStopping",
    "ELU",
    "evaluate",
    "ExponentialLoss",
    "fit",
    "Flatten",
    "gradient_norms",
    "GradientNormMonitor",
    "GradientNormStop",
    "GradientReport",
    "HingeLoss",
    "History",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "init",
    "L1Loss",
    "Layer",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MAPELoss",
    "Maxout",
    "MaxPool2d",
    "MeanBiasError",
    "Mish",
    "MLP",
    "models",
    "Module",
    "MSELoss",
    "MultiMarginLoss",
    "Neuron",
    "NLLLoss",
    "optim",
    "Parameter",
    "ParameterStepStop",
    "predict",
    "PReLU",
    "ReLU",
    "Residual",
    "Sequential",
    "serialization",
    "Sigmoid",
    "SiLU",
    "SmoothHingeLoss",
    "Softmax",
    "Softplus",
    "StateDictError",
    "Step",
    "Swish",
    "Tanh",
]
