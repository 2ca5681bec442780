"""torch's own documentation examples for ``torch.nn`` (the ``>>>`` blocks of the docstrings of torch 2.13's
``torch.nn`` modules, ``torch.nn.functional``, ``torch.nn.init``, ``torch.nn.utils`` (``rnn``, ``parametrize``,
``parametrizations``, ``prune``, ``weight_norm``/``spectral_norm``), ``torch.optim`` and
``torch.optim.lr_scheduler``), ported to this library.

Each example was translated by hand (``torch.nn`` -> ``nn``, ``torch.nn.functional`` -> ``nn.functional``,
``torch.<factory>`` -> ``autograd.<factory>``) and is run through both libraries from the same seeded float32 arrays:
a module is built in torch first and its ``state_dict`` is loaded into ours, then the outputs' shapes, dtypes and
values, and the gradients of a fixed random projection of the outputs with respect to the inputs and the module's
parameters, must agree. Examples whose result is random (dropout, RReLU while training, the fractional pools,
``gumbel_softmax``, the random initialisers and pruning) are checked for shape, dtype and the property the example
shows (the kept units' scaling, the mask's count, the draw's bounds). Large shapes of the examples (batches of 20,
100 channels, 512-wide transformers) are shrunk to keep the file quick; the structure of each call is kept.

Conventions translated, not differences:

- ``autograd``'s factories (``randn``, ``rand``, ``zeros``, ``ones``, ``full``, ``arange`` of floats) give
  ``autograd.get_default_dtype()``, float64 (numpy's), while the layers default to float32 as torch's; the
  examples' inputs are therefore made as float32 arrays (or with ``dtype=autograd.float32``), which is what
  ``autograd.set_default_dtype(np.float32)`` would also do.
- ``torch.Size([2, 5, 5])`` is ``autograd.Size([2, 5, 5])``, ``torch.LongTensor``/``torch.long`` lists are
  ``autograd.tensor`` of Python ints (int64), ``torch.empty(n).random_(2)`` is a seeded draw of zeros and ones.

Where torch's example result is torch's own shortcut, the library's is checked another way:

- ``CTCLoss``/``F.ctc_loss`` on ``torch.randn(...).log_softmax(2).detach().requires_grad_()``: torch's CPU
  backward returns the gradient with respect to the logits under the log-softmax (``exp(lp) - posterior``), not
  the partial derivative with respect to the detached log-probabilities it was given (its leaf gradient equals the
  library's gradient with respect to the logits), so the two libraries' leaf gradients differ by design (the
  library's is the derivative of the loss it returns). The cases here keep the
  ``log_softmax`` in the graph and differentiate with respect to the logits, where both are the true gradient.
- ``unpad_sequence``: torch's transposes a time-major padded input in place (``padded.transpose_(0, 1)``), so
  the padded tensor of the example changes shape under it; the library's leaves its input alone, and the case
  gives torch a clone.
- ``F.native_channel_shuffle`` has no derivative in torch; its values are compared, and the library's gradient
  is that of ``channel_shuffle``, checked beside it.
- ``nn.utils.spectral_norm``: the weight left by ``remove_spectral_norm`` depends on the random start vector of
  the power iteration, so only the example's sizes and names are compared; the parametrization's version is
  checked to reach spectral norm 1.
- ``TripletMarginWithDistanceLoss``'s example backpropagates three losses through the same three embedding
  lookups without ``retain_graph``; torch refuses the second pass (its docstring marks the line "FIXME: Would call
  backwards a second time"), the library lets it through (an index lookup does not count as saved, a difference
  the README documents). Each distance function is checked here on fresh lookups.
- the transformer examples' layers keep their default ``dropout=0.1``, which drops at random while training; the
  cases pass ``dropout=0.0`` (and shrink ``d_model`` 512 to 16) so that the outputs and gradients are comparable.
- ``pack_sequence``/``pack_padded_sequence``'s ``batch_sizes``, ``sorted_indices`` and ``unsorted_indices`` are
  numpy int64 arrays here (torch's are tensors), as ``nn.utils.rnn`` documents; their values are compared.

Left out, and why (deliberate differences, no CUDA/distributed/sparse here):

- ``nn.DataParallel``, ``nn.SyncBatchNorm`` (its ``torch.distributed`` process groups and
  ``DistributedDataParallel``), and the ``device="cuda"``/``.cuda()`` placement in the examples of
  ``F.scaled_dot_product_attention`` and ``nn.utils.convert_conv2d_weight_memory_format``/
  ``convert_conv3d_weight_memory_format``: the library computes with numpy on the CPU and refuses the ``cuda``
  device by name; the conversions run on the CPU in the examples' float16 (test_torch_nn_doc_examples_utils_port.py),
  and ``scaled_dot_product_attention``'s two calls on the CPU in float32, under the same ``sdpa_kernel``
  backends (flash attention, then the math backend with grouped-query attention).
- ``nn.Fold``/``nn.Unfold``'s ``fold_params = dict(kernel_size=..., ...)`` block is a template with ``...``
  placeholders, not runnable code in torch either; its divisor identity is checked with concrete parameters.
- the ``lr_scheduler`` examples' ``train(...)``/``validate(...)``/``DataLoader(...)`` placeholders are filled with
  one optimizer step on a small linear model; ``lr_scheduler.Counter`` and ``TypedDict`` are Python's
  ``collections.Counter`` and ``typing.TypedDict`` re-exported by torch's module (their docstrings are Python's).
- ``F.handle_torch_function``, ``F.DType``, ``parametrizations.Enum`` and ``nn.attention.bias.CausalVariant``:
  torch's ``__torch_function__`` dispatch and Python's ``Enum`` docstrings, no nn examples;
  ``nn.attention.register_flash_attention_impl``/``activate_flash_attention_impl`` register CUDA flash-attention
  kernels (FA3/FA4), which a numpy library has no use for.
- ``nn.Module.to``'s ``torch.device("cuda:1")``/``torch.half`` and ``torch.cdouble`` lines: no CUDA and no complex
  tensors here; its ``to(torch.double)`` and ``to(torch.device("cpu"))`` lines are checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from torch_doc_examples import Run, bits, both, signs, to_array

import autograd as ag
import nn
import nn.attention
import nn.functional as F

torch = pytest.importorskip("torch")


# -- one module applied to torch.randn inputs: ``m = nn.X(args); output = m(input)`` ---------------------------------

ARANGE_1D = ("arange", (1, 2, 4))
ARANGE_2D = ("arange", (1, 1, 3, 3))
ONE_MODULE_EXAMPLES = [
    ("AdaptiveAvgPool1d", (5,), {}, [(1, 6, 8)]),
    ("AdaptiveAvgPool2d", ((5, 7),), {}, [(1, 6, 8, 9)]),
    ("AdaptiveAvgPool2d", (7,), {}, [(1, 6, 10, 9)]),
    ("AdaptiveAvgPool2d", ((None, 7),), {}, [(1, 6, 10, 9)]),
    ("AdaptiveAvgPool3d", ((5, 7, 9),), {}, [(1, 4, 8, 9, 10)]),
    ("AdaptiveAvgPool3d", (7,), {}, [(1, 4, 10, 9, 8)]),
    ("AdaptiveAvgPool3d", ((7, None, None),), {}, [(1, 4, 10, 9, 8)]),
    ("AdaptiveMaxPool1d", (5,), {}, [(1, 6, 8)]),
    ("AdaptiveMaxPool2d", ((5, 7),), {}, [(1, 6, 8, 9)]),
    ("AdaptiveMaxPool2d", (7,), {}, [(1, 6, 10, 9)]),
    ("AdaptiveMaxPool2d", ((None, 7),), {}, [(1, 6, 10, 9)]),
    ("AdaptiveMaxPool3d", ((5, 7, 9),), {}, [(1, 4, 8, 9, 10)]),
    ("AdaptiveMaxPool3d", (7,), {}, [(1, 4, 10, 9, 8)]),
    ("AdaptiveMaxPool3d", ((7, None, None),), {}, [(1, 4, 10, 9, 8)]),
    ("AvgPool2d", (3,), {"stride": 2}, [(2, 3, 10, 8)]),
    ("AvgPool2d", ((3, 2),), {"stride": (2, 1)}, [(2, 3, 10, 8)]),
    ("AvgPool3d", (3,), {"stride": 2}, [(2, 3, 9, 8, 7)]),
    ("AvgPool3d", ((3, 2, 2),), {"stride": (2, 1, 2)}, [(2, 3, 9, 8, 7)]),
    ("BatchNorm1d", (10,), {}, [(6, 10)]),
    ("BatchNorm1d", (10,), {"affine": False}, [(6, 10)]),
    ("BatchNorm2d", (10,), {}, [(4, 10, 5, 6)]),
    ("BatchNorm2d", (10,), {"affine": False}, [(4, 10, 5, 6)]),
    ("BatchNorm3d", (10,), {}, [(3, 10, 4, 5, 2)]),
    ("BatchNorm3d", (10,), {"affine": False}, [(3, 10, 4, 5, 2)]),
    ("Bilinear", (20, 30, 40), {}, [(12, 20), (12, 30)]),
    ("CELU", (), {}, [(2,)]),
    ("ChannelShuffle", (2,), {}, [("arange1", (1, 4, 2, 2))]),
    ("CircularPad1d", (2,), {}, [ARANGE_1D]),
    ("CircularPad1d", ((3, 1),), {}, [ARANGE_1D]),
    ("CircularPad2d", (2,), {}, [ARANGE_2D]),
    ("CircularPad2d", ((1, 1, 2, 0),), {}, [ARANGE_2D]),
    ("CircularPad3d", (3,), {}, [(2, 3, 4, 5, 6)]),
    ("CircularPad3d", ((3, 3, 6, 6, 1, 1),), {}, [(2, 3, 4, 7, 6)]),
    ("ConstantPad1d", (2, 3.5), {}, [(1, 2, 4)]),
    ("ConstantPad1d", (2, 3.5), {}, [(1, 2, 3)]),
    ("ConstantPad1d", ((3, 1), 3.5), {}, [(1, 2, 3)]),
    ("ConstantPad2d", (2, 3.5), {}, [(1, 2, 2)]),
    ("ConstantPad2d", ((3, 0, 2, 1), 3.5), {}, [(1, 2, 2)]),
    ("ConstantPad3d", (3, 3.5), {}, [(2, 3, 4, 5, 6)]),
    ("ConstantPad3d", ((3, 3, 6, 6, 0, 1), 3.5), {}, [(2, 3, 4, 5, 6)]),
    ("Conv1d", (16, 33, 3), {"stride": 2}, [(2, 16, 50)]),
    ("Conv2d", (16, 33, 3), {"stride": 2}, [(2, 16, 12, 20)]),
    ("Conv2d", (16, 33, (3, 5)), {"stride": (2, 1), "padding": (4, 2)}, [(2, 16, 12, 20)]),
    ("Conv2d", (16, 33, (3, 5)), {"stride": (2, 1), "padding": (4, 2), "dilation": (3, 1)}, [(2, 16, 12, 20)]),
    ("Conv3d", (16, 33, 3), {"stride": 2}, [(1, 16, 6, 8, 10)]),
    ("Conv3d", (16, 33, (3, 5, 2)), {"stride": (2, 1, 1), "padding": (4, 2, 0)}, [(1, 16, 6, 8, 10)]),
    ("ConvTranspose1d", (16, 33, 3), {"stride": 2}, [(2, 16, 50)]),
    ("ConvTranspose2d", (16, 33, 3), {"stride": 2}, [(2, 16, 6, 10)]),
    ("ConvTranspose2d", (16, 33, (3, 5)), {"stride": (2, 1), "padding": (4, 2)}, [(2, 16, 6, 10)]),
    ("ConvTranspose3d", (16, 33, 3), {"stride": 2}, [(1, 16, 3, 4, 5)]),
    ("ConvTranspose3d", (16, 33, (3, 5, 2)), {"stride": (2, 1, 1), "padding": (0, 4, 2)}, [(1, 16, 3, 6, 5)]),
    ("CosineSimilarity", (), {"dim": 1, "eps": 1e-6}, [(10, 128), (10, 128)]),
    ("ELU", (), {}, [(2,)]),
    ("Flatten", (), {}, [(32, 1, 5, 5)]),
    ("Flatten", (0, 2), {}, [(32, 1, 5, 5)]),
    ("Fold", (), {"output_size": (4, 5), "kernel_size": (2, 2)}, [(1, 3 * 2 * 2, 12)]),
    ("GELU", (), {}, [(2,)]),
    ("GLU", (), {}, [(4, 2)]),
    ("GroupNorm", (3, 6), {}, [(4, 6, 5, 5)]),
    ("GroupNorm", (6, 6), {}, [(4, 6, 5, 5)]),
    ("GroupNorm", (1, 6), {}, [(4, 6, 5, 5)]),
    ("Hardshrink", (), {}, [(2,)]),
    ("Hardsigmoid", (), {}, [(2,)]),
    ("Hardswish", (), {}, [(2,)]),
    ("Hardtanh", (-2, 2), {}, [(2,)]),
    ("Identity", (54,), {"unused_argument1": 0.1, "unused_argument2": False}, [(128, 20)]),
    ("InstanceNorm1d", (10,), {}, [(4, 10, 40)]),
    ("InstanceNorm1d", (10,), {"affine": True}, [(4, 10, 40)]),
    ("InstanceNorm2d", (10,), {}, [(4, 10, 7, 9)]),
    ("InstanceNorm2d", (10,), {"affine": True}, [(4, 10, 7, 9)]),
    ("InstanceNorm3d", (10,), {}, [(2, 10, 5, 6, 4)]),
    ("InstanceNorm3d", (10,), {"affine": True}, [(2, 10, 5, 6, 4)]),
    ("LPPool1d", (2, 3), {"stride": 2}, [(4, 16, 50)]),
    ("LPPool2d", (2, 3), {"stride": 2}, [(4, 6, 10, 8)]),
    ("LPPool2d", (1.2, (3, 2)), {"stride": (2, 1)}, [(4, 6, 10, 8)]),
    ("LPPool3d", (2, 3), {"stride": 2}, [(2, 4, 9, 8, 7)]),
    ("LPPool3d", (1.2, (3, 2, 2)), {"stride": (2, 1, 2)}, [(2, 4, 9, 8, 7)]),
    ("LayerNorm", (10,), {}, [(20, 5, 10)]),
    ("LayerNorm", ((5, 10, 10),), {}, [(20, 5, 10, 10)]),
    ("LeakyReLU", (0.1,), {}, [(2,)]),
    ("Linear", (20, 30), {}, [(128, 20)]),
    ("LocalResponseNorm", (2,), {}, [(8, 16, 5, 5)]),
    ("LocalResponseNorm", (2,), {}, [(4, 16, 5, 5, 3)]),
    ("LogSigmoid", (), {}, [(2,)]),
    ("LogSoftmax", (), {"dim": 1}, [(2, 3)]),
    ("MaxPool1d", (3,), {"stride": 2}, [(4, 16, 50)]),
    ("MaxPool2d", (3,), {"stride": 2}, [(2, 3, 10, 8)]),
    ("MaxPool2d", ((3, 2),), {"stride": (2, 1)}, [(2, 3, 10, 8)]),
    ("MaxPool3d", (3,), {"stride": 2}, [(2, 3, 9, 8, 7)]),
    ("MaxPool3d", ((3, 2, 2),), {"stride": (2, 1, 2)}, [(2, 3, 9, 8, 7)]),
    ("Mish", (), {}, [(2,)]),
    ("PReLU", (), {}, [(2,)]),
    ("PairwiseDistance", (), {"p": 2}, [(100, 128), (100, 128)]),
    ("PixelShuffle", (3,), {}, [(1, 9, 4, 4)]),
    ("PixelUnshuffle", (3,), {}, [(1, 1, 12, 12)]),
    ("RMSNorm", ((2, 3),), {}, [(2, 2, 3)]),
    ("ReLU", (), {}, [(2,)]),
    ("ReLU6", (), {}, [(2,)]),
    ("ReflectionPad1d", (2,), {}, [ARANGE_1D]),
    ("ReflectionPad1d", ((3, 1),), {}, [ARANGE_1D]),
    ("ReflectionPad2d", (2,), {}, [ARANGE_2D]),
    ("ReflectionPad2d", ((1, 1, 2, 0),), {}, [ARANGE_2D]),
    ("ReflectionPad3d", (1,), {}, [("arange", (1, 1, 2, 2, 2))]),
    ("ReplicationPad1d", (2,), {}, [ARANGE_1D]),
    ("ReplicationPad1d", ((3, 1),), {}, [ARANGE_1D]),
    ("ReplicationPad2d", (2,), {}, [ARANGE_2D]),
    ("ReplicationPad2d", ((1, 1, 2, 0),), {}, [ARANGE_2D]),
    ("ReplicationPad3d", (3,), {}, [(2, 3, 4, 5, 6)]),
    ("ReplicationPad3d", ((3, 3, 6, 6, 1, 1),), {}, [(2, 3, 4, 5, 6)]),
    ("SELU", (), {}, [(2,)]),
    ("SiLU", (), {}, [(2,)]),
    ("Sigmoid", (), {}, [(2,)]),
    ("Softmax", (), {"dim": 1}, [(2, 3)]),
    ("Softmax2d", (), {}, [(2, 3, 12, 13)]),
    ("Softmin", (), {"dim": 1}, [(2, 3)]),
    ("Softplus", (), {}, [(2,)]),
    ("Softshrink", (), {}, [(2,)]),
    ("Softsign", (), {}, [(2,)]),
    ("Tanh", (), {}, [(2,)]),
    ("Tanhshrink", (), {}, [(2,)]),
    ("Threshold", (0.1, 20), {}, [(2,)]),
    ("Unfold", (), {"kernel_size": (2, 3)}, [(2, 5, 3, 4)]),
    ("Upsample", (), {"scale_factor": 2, "mode": "nearest"}, [("arange1", (1, 1, 2, 2))]),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, [("arange1", (1, 1, 2, 2))]),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear", "align_corners": True}, [("arange1", (1, 1, 2, 2))]),
    ("UpsamplingBilinear2d", (), {"scale_factor": 2}, [("arange1", (1, 1, 2, 2))]),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, [("arange1", (1, 1, 2, 2))]),
    ("ZeroPad1d", (2,), {}, [(1, 2, 4)]),
    ("ZeroPad1d", (2,), {}, [(1, 2, 3)]),
    ("ZeroPad1d", ((3, 1),), {}, [(1, 2, 3)]),
    ("ZeroPad2d", (2,), {}, [(1, 1, 3, 3)]),
    ("ZeroPad2d", ((1, 1, 2, 0),), {}, [(1, 1, 3, 3)]),
    ("ZeroPad3d", (3,), {}, [(2, 3, 4, 5, 6)]),
    ("ZeroPad3d", ((3, 3, 6, 6, 0, 1),), {}, [(2, 3, 4, 5, 6)]),
]


def _example_input(run: Run, spec: Any) -> Any:
    if spec[0] == "arange":  # torch.arange(n, dtype=torch.float).reshape(shape)
        shape = spec[1]
        return run.t(np.arange(math.prod(shape), dtype=np.float32).reshape(shape), grad=True)
    if spec[0] == "arange1":  # torch.arange(1, n + 1, dtype=torch.float32).view(shape)
        shape = spec[1]
        return run.t(np.arange(1, math.prod(shape) + 1, dtype=np.float32).reshape(shape), grad=True)
    return run.randn(*spec)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "inputs"),
    ONE_MODULE_EXAMPLES,
    ids=[f"{e[0]}-{i}" for i, e in enumerate(ONE_MODULE_EXAMPLES)],
)
def test_module_example_matches_torch(name: str, args: tuple, kwargs: dict, inputs: list) -> None:
    def compute(run: Run) -> Any:
        m = run.mod(name, *args, **kwargs)
        return m(*[_example_input(run, spec) for spec in inputs])

    both(compute, rtol=1e-4, atol=1e-5)


# -- losses ----------------------------------------------------------------------------------------------------------


def test_bce_loss_of_a_sigmoid():
    both(lambda r: r.nn.BCELoss()(r.nn.Sigmoid()(r.randn(3, 2)), r.rand(3, 2)))


def test_bce_with_logits_loss_pos_weight_gives_minus_log_sigmoid():
    def compute(r: Run) -> Any:
        target = r.T.ones([10, 64], dtype=r.T.float32)
        output = r.T.full([10, 64], 1.5, dtype=r.T.float32)
        criterion = r.nn.BCEWithLogitsLoss(pos_weight=r.T.ones([64], dtype=r.T.float32))
        return criterion(output, target)

    loss = both(compute)["out"]
    np.testing.assert_allclose(loss, -math.log(1 / (1 + math.exp(-1.5))), rtol=1e-6)


def test_bce_with_logits_loss():
    both(lambda r: r.nn.BCEWithLogitsLoss()(r.randn(3), bits(r, 3)))


@pytest.mark.parametrize("padded", [True, False], ids=["padded_targets", "concatenated_targets"])
def test_ctc_loss_batched(padded: bool):
    t_len, classes, batch, s_len, s_min = 12, 6, 4, 5, 2

    def compute(r: Run) -> Any:
        inputs = r.randn(t_len, batch, classes).log_softmax(2)  # differentiated through (see the docstring)
        input_lengths = r.T.full(size=(batch,), fill_value=t_len, dtype=r.T.long)
        if padded:
            target = r.randint(1, classes, (batch, s_len))
            target_lengths = r.randint(s_min, s_len, (batch,))
        else:
            target_lengths = r.randint(1, t_len // 2, (batch,))
            target = r.randint(1, classes, (int(to_array(target_lengths).sum()),))
        return r.nn.CTCLoss()(inputs, target, input_lengths, target_lengths)

    both(compute)


def test_ctc_loss_unbatched():
    t_len, classes = 10, 5

    def compute(r: Run) -> Any:
        inputs = r.randn(t_len, classes).log_softmax(1)
        input_lengths = r.T.tensor(t_len, dtype=r.T.long)
        target_length = int(r.rng.integers(1, t_len // 2))
        target_lengths = r.T.tensor(target_length, dtype=r.T.long)
        target = r.randint(1, classes, (target_length,))
        return r.nn.CTCLoss()(inputs, target, input_lengths, target_lengths)

    both(compute)


def test_cosine_embedding_loss():
    both(lambda r: r.nn.CosineEmbeddingLoss()(r.randn(3, 5), r.randn(3, 5), r.T.ones(3, dtype=r.T.float32)))


def test_cross_entropy_loss_with_class_indices_and_with_probabilities():
    def compute(r: Run) -> Any:
        loss = r.nn.CrossEntropyLoss()
        indices = loss(r.randn(3, 5), r.randint(0, 5, (3,)))
        probs = loss(r.randn(3, 5), r.t(r.rng.standard_normal((3, 5)).astype(np.float32)).softmax(dim=1))
        return {"indices": indices, "probabilities": probs}

    both(compute)


def test_cross_entropy_loss_accepts_unnormalized_target_rows():
    def compute(r: Run) -> Any:
        loss = r.nn.CrossEntropyLoss()
        inputs, target = r.randn(3, 5), r.randn(3, 5, grad=False)
        return {"raw": loss(inputs, target).item(), "normalized": loss(inputs, target.softmax(dim=1)).item()}

    both(compute)


@pytest.mark.parametrize("variance_shape", [(5, 2), (5, 1)], ids=["heteroscedastic", "homoscedastic"])
def test_gaussian_nll_loss(variance_shape: tuple[int, int]):
    def compute(r: Run) -> Any:
        inputs, target = r.randn(5, 2), r.randn(5, 2, grad=False)
        var = r.t(np.ones(variance_shape, dtype=np.float32), grad=True)
        return r.nn.GaussianNLLLoss()(inputs, target, var)

    both(compute)


def test_hinge_embedding_loss():
    both(lambda r: r.nn.HingeEmbeddingLoss()(r.randn(3, 5), signs(r, 3, 5)))


@pytest.mark.parametrize("name", ["HuberLoss", "L1Loss", "MSELoss", "SmoothL1Loss"])
def test_regression_loss(name: str):
    both(lambda r: getattr(r.nn, name)()(r.randn(3, 5), r.randn(3, 5, grad=False)))


def test_kl_div_loss_batchmean_with_and_without_log_target():
    def compute(r: Run) -> Any:
        inputs = r.F.log_softmax(r.randn(3, 5), dim=1)
        target = r.F.softmax(r.rand(3, 5), dim=1)
        log_target = r.F.log_softmax(r.rand(3, 5), dim=1)
        return {
            "probabilities": r.nn.KLDivLoss(reduction="batchmean")(inputs, target),
            "log_target": r.nn.KLDivLoss(reduction="batchmean", log_target=True)(inputs, log_target),
        }

    both(compute)


def test_linear_cross_entropy_loss_with_a_shaped_output():
    def compute(r: Run) -> Any:
        loss = r.mod("LinearCrossEntropyLoss", 5, 10, out_features=(4, 3))
        return loss(r.randn(2, 5), r.randint(0, 10, (2, 4, 3)))

    both(compute)


def test_margin_ranking_loss():
    both(lambda r: r.nn.MarginRankingLoss()(r.randn(3), r.randn(3), signs(r, 3)))


def test_multi_label_margin_loss_stops_at_the_first_minus_one():
    def compute(r: Run) -> Any:
        x = r.t(np.array([[0.1, 0.2, 0.4, 0.8]], dtype=np.float32), grad=True)
        return r.nn.MultiLabelMarginLoss()(x, r.T.tensor([[3, 0, -1, 1]]))

    loss = both(compute)["out"]
    # upstream's comment: 0.25 * ((1-(0.1-0.2)) + (1-(0.1-0.4)) + (1-(0.8-0.2)) + (1-(0.8-0.4)))
    np.testing.assert_allclose(loss, 0.85, rtol=1e-6)


def test_multi_label_soft_margin_loss():
    both(lambda r: r.nn.MultiLabelSoftMarginLoss()(r.randn(3, 5), bits(r, 3, 5)))


def test_multi_margin_loss():
    def compute(r: Run) -> Any:
        x = r.t(np.array([[0.1, 0.2, 0.4, 0.8]], dtype=np.float32), grad=True)
        return r.nn.MultiMarginLoss()(x, r.T.tensor([3]))

    loss = both(compute)["out"]
    np.testing.assert_allclose(loss, (0.3 + 0.4 + 0.6) / 4, rtol=1e-6)  # upstream's closed form, 0.3250


def test_nll_loss_of_a_log_softmax():
    def compute(r: Run) -> Any:
        log_softmax = r.nn.LogSoftmax(dim=1)
        return r.nn.NLLLoss()(log_softmax(r.randn(3, 5)), r.T.tensor([1, 0, 4]))

    both(compute)


def test_nll_loss_2d_of_a_convolution():
    def compute(r: Run) -> Any:
        n, c = 5, 4
        conv = r.mod("Conv2d", 16, c, (3, 3))
        output = r.nn.LogSoftmax(dim=1)(conv(r.randn(n, 16, 10, 10)))
        return r.nn.NLLLoss()(output, r.randint(0, c, (n, 8, 8)))

    both(compute)


def test_poisson_nll_loss():
    both(lambda r: r.nn.PoissonNLLLoss()(r.randn(5, 2), r.t(r.rng.poisson(2.0, (5, 2)).astype(np.float32))))


def test_soft_margin_loss():
    both(lambda r: r.nn.SoftMarginLoss()(r.randn(3), signs(r, 3)))


def test_triplet_margin_loss():
    def compute(r: Run) -> Any:
        loss = r.nn.TripletMarginLoss(margin=1.0, p=2, eps=1e-7)
        return loss(r.randn(100, 128), r.randn(100, 128), r.randn(100, 128))

    both(compute)


@pytest.mark.parametrize("distance", ["pairwise", "l_infinity", "cosine"])
def test_triplet_margin_with_distance_loss_on_embeddings(distance: str):
    def compute(r: Run) -> Any:
        embedding = r.mod("Embedding", 1000, 128)
        anchor, positive, negative = (embedding(r.randint(0, 1000, (1,))) for _ in range(3))
        if distance == "pairwise":
            loss = r.nn.TripletMarginWithDistanceLoss(distance_function=r.nn.PairwiseDistance())
        elif distance == "l_infinity":

            def l_infinity(x1: Any, x2: Any) -> Any:
                return r.T.max(r.T.abs(x1 - x2), dim=1).values

            loss = r.nn.TripletMarginWithDistanceLoss(distance_function=l_infinity, margin=1.5)
        else:
            loss = r.nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1.0 - r.F.cosine_similarity(x, y))
        return loss(anchor, positive, negative)

    both(compute, atol=1e-5)  # float32 differences of two 128-wide distances


# -- modules with several inputs, outputs or steps -------------------------------------------------------------------


def test_conv_transpose1d_output_size_undoes_a_strided_conv1d():
    def compute(r: Run) -> Any:
        x = r.randn(1, 16, 12)
        downsample = r.mod("Conv1d", 16, 16, 3, stride=2, padding=1)
        upsample = r.mod("ConvTranspose1d", 16, 16, 3, stride=2, padding=1)
        h = downsample(x)
        return {
            "h": h,
            "out": upsample(h, output_size=x.size()),
            "size": tuple(upsample(h, output_size=x.size()).size()),
        }

    assert both(compute)["size"] == (1, 16, 12)


def test_conv_transpose2d_output_size_undoes_a_strided_conv2d():
    def compute(r: Run) -> Any:
        x = r.randn(1, 16, 12, 12)
        downsample = r.mod("Conv2d", 16, 16, 3, stride=2, padding=1)
        upsample = r.mod("ConvTranspose2d", 16, 16, 3, stride=2, padding=1)
        h = downsample(x)
        return {"h": h, "out": upsample(h, output_size=x.size())}

    assert both(compute, rtol=1e-4, atol=1e-5)["out"].shape == (1, 16, 12, 12)


def test_embedding_lookup():
    both(lambda r: r.mod("Embedding", 10, 3)(r.T.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])))


def test_embedding_padding_idx_row_is_zero_and_gets_no_gradient():
    def compute(r: Run) -> Any:
        return r.mod("Embedding", 10, 3, padding_idx=0)(r.T.tensor([[0, 2, 0, 5]]))

    out = both(compute)
    assert not out["out"][0, [0, 2]].any() and not out["dEmbedding0.weight"][0].any()


def test_embedding_padding_row_can_be_overwritten_under_no_grad():
    def compute(r: Run) -> Any:
        embedding = r.mod("Embedding", 3, 3, padding_idx=0)
        with r.T.no_grad():
            embedding.weight[0] = r.T.ones(3, dtype=r.T.float32)
        return embedding.weight

    np.testing.assert_array_equal(both(compute)["out"][0], np.ones(3, np.float32))


def test_embedding_bag_sum_with_offsets_and_padding_idx_and_from_pretrained():
    def compute(r: Run) -> Any:
        offsets = r.T.tensor([0, 4])
        plain = r.mod("EmbeddingBag", 10, 3, mode="sum")(r.T.tensor([1, 2, 4, 5, 4, 3, 2, 9]), offsets)
        padded_input = r.T.tensor([2, 2, 2, 2, 4, 3, 2, 9])
        padded = r.mod("EmbeddingBag", 10, 3, mode="sum", padding_idx=2)(padded_input, offsets)
        embedding = r.mod("Embedding", 10, 3, padding_idx=2)
        loaded = r.nn.EmbeddingBag.from_pretrained(embedding.weight, padding_idx=embedding.padding_idx, mode="sum")
        return {"sum": plain, "padded": padded, "from_pretrained": loaded(padded_input, offsets)}

    out = both(compute)
    assert not out["padded"][0].any()  # the first bag holds only the padding index


@pytest.mark.parametrize("name", ["GRU", "RNN"])
def test_two_layer_recurrent_network_with_initial_state(name: str):
    def compute(r: Run) -> Any:
        rnn = r.mod(name, 10, 20, 2)
        output, hn = rnn(r.randn(5, 3, 10), r.randn(2, 3, 20))
        return {"output": output, "hn": hn}

    both(compute)


def test_lstm_with_initial_hidden_and_cell_states():
    def compute(r: Run) -> Any:
        rnn = r.mod("LSTM", 10, 20, 2)
        output, (hn, cn) = rnn(r.randn(5, 3, 10), (r.randn(2, 3, 20), r.randn(2, 3, 20)))
        return {"output": output, "hn": hn, "cn": cn}

    both(compute)


@pytest.mark.parametrize("name", ["GRUCell", "RNNCell"])
def test_recurrent_cell_unrolled_over_six_steps(name: str):
    def compute(r: Run) -> Any:
        rnn = r.mod(name, 10, 20)
        x, hx = r.randn(6, 3, 10), r.randn(3, 20)
        output = []
        for i in range(6):
            hx = rnn(x[i], hx)
            output.append(hx)
        return r.T.stack(output, dim=0)

    both(compute)


def test_lstm_cell_unrolled_and_stacked():
    def compute(r: Run) -> Any:
        rnn = r.mod("LSTMCell", 10, 20)
        x, hx, cx = r.randn(2, 3, 10), r.randn(3, 20), r.randn(3, 20)
        output = []
        for i in range(x.size()[0]):
            hx, cx = rnn(x[i], (hx, cx))
            output.append(hx)
        return {"output": r.T.stack(output, dim=0), "cx": cx}

    both(compute)


def test_max_unpool1d_with_and_without_output_size():
    def compute(r: Run) -> Any:
        pool = r.nn.MaxPool1d(2, stride=2, return_indices=True)
        unpool = r.nn.MaxUnpool1d(2, stride=2)
        even = r.t(np.arange(1, 9, dtype=np.float32).reshape(1, 1, 8), grad=True)
        output, indices = pool(even)
        odd = r.t(np.arange(1, 10, dtype=np.float32).reshape(1, 1, 9), grad=True)
        output9, indices9 = pool(odd)
        return {
            "even": unpool(output, indices),
            "indices": indices,
            "sized": unpool(output9, indices9, output_size=odd.size()),
            "unsized": unpool(output9, indices9),
        }

    out = both(compute)
    np.testing.assert_array_equal(out["sized"][0, 0], [0, 2, 0, 4, 0, 6, 0, 8, 0])


def test_max_unpool2d_with_an_ambiguous_size_resolved_by_output_size():
    def compute(r: Run) -> Any:
        pool = r.nn.MaxPool2d(2, stride=2, return_indices=True)
        unpool = r.nn.MaxUnpool2d(2, stride=2)
        square = r.t(np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4), grad=True)
        output, indices = pool(square)
        five = r.t(np.arange(1, 26, dtype=np.float32).reshape(1, 1, 5, 5), grad=True)
        output5, indices5 = pool(five)
        return {"square": unpool(output, indices), "five": unpool(output5, indices5, output_size=five.size())}

    assert both(compute)["five"].shape == (1, 1, 5, 5)


def test_max_unpool3d_restores_the_pooled_size():
    def compute(r: Run) -> Any:
        pool = r.nn.MaxPool3d(3, stride=2, return_indices=True)
        output, indices = pool(r.randn(2, 3, 11, 9, 7))
        return r.nn.MaxUnpool3d(3, stride=2)(output, indices)

    assert both(compute)["out"].shape == (2, 3, 11, 9, 7)


def test_multihead_attention_returns_output_and_averaged_weights():
    def compute(r: Run) -> Any:
        multihead_attn = r.mod("MultiheadAttention", 8, 2)
        query, key, value = r.randn(3, 2, 8), r.randn(5, 2, 8), r.randn(5, 2, 8)
        attn_output, attn_output_weights = multihead_attn(query, key, value)
        return {"output": attn_output, "weights": attn_output_weights}

    both(compute)


def test_relu_of_an_input_and_its_negation_concatenated():
    def compute(r: Run) -> Any:
        m = r.nn.ReLU()
        x = r.randn(2).unsqueeze(0)
        return r.T.cat((m(x), m(-x)))

    both(compute)


def test_threshold_of_an_integer_arange():
    both(lambda r: r.nn.Threshold(0, 0.5)(r.T.arange(-3, 3)), grads=False)


def test_unflatten_after_a_linear_layer():
    def compute(r: Run) -> Any:
        m = r.nn.Sequential(r.nn.Linear(50, 50), r.nn.Unflatten(1, (2, 5, 5)))
        r.adopt(m)
        return m(r.randn(2, 50))

    assert both(compute)["out"].shape == (2, 2, 5, 5)


def test_unflatten_with_a_size_object():
    both(lambda r: r.nn.Unflatten(1, r.T.Size([2, 5, 5]))(r.randn(2, 50)))


def test_unfold_then_fold_is_a_convolution():
    def compute(r: Run) -> Any:
        inp, w = r.randn(1, 3, 10, 12), r.randn(2, 3, 4, 5)
        inp_unf = r.F.unfold(inp, (4, 5))
        out_unf = inp_unf.transpose(1, 2).matmul(w.view(w.size(0), -1).t()).transpose(1, 2)
        out = r.F.fold(out_unf, (7, 8), (1, 1))
        return {"out": out, "error": (r.F.conv2d(inp, w) - out).abs().max()}

    assert both(compute, rtol=1e-4, atol=1e-5)["error"] < 1e-4


def test_fold_of_unfold_of_ones_is_the_count_of_covering_blocks():
    def compute(r: Run) -> Any:
        params = dict(kernel_size=(2, 3), dilation=1, padding=1, stride=(1, 2))
        fold, unfold = r.nn.Fold(output_size=(5, 6), **params), r.nn.Unfold(**params)
        x = r.randn(2, 3, 5, 6)
        divisor = fold(unfold(r.T.ones(x.shape, dtype=x.dtype)))
        return {"divisor": divisor, "identity": fold(unfold(x)) / divisor}

    out = both(compute)
    np.testing.assert_allclose(out["identity"], np.random.default_rng(0).standard_normal((2, 3, 5, 6)), rtol=1e-5)


def test_upsample_a_three_by_three_into_a_larger_zero_input():
    def compute(r: Run) -> Any:
        x = r.t(np.arange(1, 5, dtype=np.float32).reshape(1, 1, 2, 2), grad=True)
        input_3x3 = r.T.zeros(3, 3, dtype=r.T.float32).view(1, 1, 3, 3)
        input_3x3[:, :, :2, :2].copy_(x)
        return {
            "default": r.nn.Upsample(scale_factor=2, mode="bilinear")(input_3x3),
            "align_corners": r.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)(input_3x3),
        }

    both(compute)


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_layer_and_stack(batch_first: bool):
    def compute(r: Run) -> Any:
        layer = r.mod(
            "TransformerEncoderLayer", d_model=16, nhead=4, dim_feedforward=32, dropout=0.0, batch_first=batch_first
        )
        src = r.rand(*((3, 5, 16) if batch_first else (5, 3, 16)), grad=True)
        encoder = r.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        r.adopt(encoder)
        return {"layer": layer(src), "stack": encoder(src)}

    both(compute, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_decoder_layer_and_stack(batch_first: bool):
    def compute(r: Run) -> Any:
        layer = r.mod(
            "TransformerDecoderLayer", d_model=16, nhead=4, dim_feedforward=32, dropout=0.0, batch_first=batch_first
        )
        memory = r.rand(*((3, 4, 16) if batch_first else (4, 3, 16)), grad=True)
        tgt = r.rand(*((3, 6, 16) if batch_first else (6, 3, 16)), grad=True)
        decoder = r.nn.TransformerDecoder(layer, num_layers=2)
        r.adopt(decoder)
        return {"layer": layer(tgt, memory), "stack": decoder(tgt, memory)}

    both(compute, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")  # torch's note on its fast path
def test_transformer_model():
    def compute(r: Run) -> Any:
        model = r.mod(
            "Transformer",
            d_model=16,
            nhead=4,
            num_encoder_layers=2,
            num_decoder_layers=2,
            dim_feedforward=32,
            dropout=0.0,
        )
        return model(r.rand(5, 3, 16, grad=True), r.rand(6, 3, 16, grad=True))

    both(compute, rtol=1e-4, atol=1e-5)


# -- torch.nn.functional ---------------------------------------------------------------------------------------------


def test_functional_avg_pool1d_of_an_arange():
    def compute(r: Run) -> Any:
        return r.F.avg_pool1d(
            r.t(np.arange(1, 8, dtype=np.float32).reshape(1, 1, 7), grad=True), kernel_size=3, stride=2
        )

    np.testing.assert_allclose(both(compute)["out"], [[[2.0, 4.0, 6.0]]])


def test_module_avg_pool1d_of_an_arange():
    def compute(r: Run) -> Any:
        return r.nn.AvgPool1d(3, stride=2)(r.t(np.arange(1, 8, dtype=np.float32).reshape(1, 1, 7), grad=True))

    np.testing.assert_allclose(both(compute)["out"], [[[2.0, 4.0, 6.0]]])


def test_functional_binary_cross_entropy_of_a_sigmoid_and_with_logits():
    def compute(r: Run) -> Any:
        return {
            "bce": r.F.binary_cross_entropy(r.T.sigmoid(r.randn(3, 2)), r.rand(3, 2)),
            "logits": r.F.binary_cross_entropy_with_logits(r.randn(3), bits(r, 3)),
        }

    both(compute)


@pytest.mark.parametrize("name", ["channel_shuffle", "native_channel_shuffle"])
def test_functional_channel_shuffle(name: str):
    differentiable = name == "channel_shuffle"  # torch has no derivative for native_channel_shuffle
    both(lambda r: getattr(r.F, name)(r.randn(1, 4, 2, 2, grad=differentiable), 2), grads=differentiable)


@pytest.mark.parametrize(
    ("name", "input_shape", "weight_shape", "kwargs"),
    [
        ("conv1d", (3, 16, 30), (20, 16, 5), {}),
        ("conv2d", (1, 4, 5, 5), (8, 4, 3, 3), {"padding": 1}),
        ("conv3d", (2, 16, 6, 5, 7), (33, 16, 3, 3, 3), {}),
        ("conv_transpose1d", (2, 16, 20), (16, 33, 5), {}),
        ("conv_transpose2d", (1, 4, 5, 5), (4, 8, 3, 3), {"padding": 1}),
        ("conv_transpose3d", (2, 16, 4, 3, 5), (16, 33, 3, 3, 3), {}),
    ],
)
def test_functional_convolution(name: str, input_shape: tuple, weight_shape: tuple, kwargs: dict):
    both(lambda r: getattr(r.F, name)(r.randn(*input_shape), r.randn(*weight_shape), **kwargs), rtol=1e-4, atol=1e-4)


def test_functional_cosine_similarity():
    both(lambda r: r.F.cosine_similarity(r.randn(100, 128), r.randn(100, 128)))


def test_functional_cross_entropy_with_indices_and_probabilities():
    def compute(r: Run) -> Any:
        return {
            "indices": r.F.cross_entropy(r.randn(3, 5), r.randint(0, 5, (3,))),
            "probabilities": r.F.cross_entropy(r.randn(3, 5), r.randn(3, 5, grad=False).softmax(dim=1)),
        }

    both(compute)


def test_functional_ctc_loss():
    def compute(r: Run) -> Any:
        log_probs = r.randn(12, 4, 6).log_softmax(2)
        targets = r.randint(1, 6, (4, 5))
        input_lengths = r.T.full((4,), 12, dtype=r.T.long)
        return r.F.ctc_loss(log_probs, targets, input_lengths, r.randint(2, 5, (4,)))

    both(compute)


def test_functional_embedding_with_and_without_padding_idx():
    def compute(r: Run) -> Any:
        matrix = r.rand(10, 3, grad=True)
        plain = r.F.embedding(r.T.tensor([[1, 2, 4, 5], [4, 3, 2, 9]]), matrix)
        weights = r.rand(10, 3)
        weights[0, :].zero_()
        weights.requires_grad_()
        r.leaves["padded_weights"] = weights
        padded = r.F.embedding(r.T.tensor([[0, 2, 0, 5]]), weights, padding_idx=0)
        return {"plain": plain, "padded": padded}

    out = both(compute)
    assert not out["dpadded_weights"][0].any()


def test_functional_embedding_bag_mean_and_padded_sum():
    def compute(r: Run) -> Any:
        offsets = r.T.tensor([0, 4])
        mean = r.F.embedding_bag(r.T.tensor([1, 2, 4, 5, 4, 3, 2, 9]), r.rand(10, 3, grad=True), offsets)
        padded = r.F.embedding_bag(
            r.T.tensor([2, 2, 2, 2, 4, 3, 2, 9]), r.rand(10, 3, grad=True), offsets, padding_idx=2, mode="sum"
        )
        return {"mean": mean, "padded": padded}

    both(compute)


def test_functional_nll_loss_of_a_log_softmax():
    both(lambda r: r.F.nll_loss(r.F.log_softmax(r.randn(3, 5), dim=1), r.T.tensor([1, 0, 4])))


def test_functional_one_hot_infers_or_takes_the_class_count():
    def compute(r: Run) -> Any:
        return {
            "inferred": r.F.one_hot(r.T.arange(0, 5) % 3),
            "five": r.F.one_hot(r.T.arange(0, 5) % 3, num_classes=5),
            "matrix": r.F.one_hot(r.T.arange(0, 6).view(3, 2) % 3),
        }

    out = both(compute, grads=False)
    assert out["inferred"].dtype == np.int64 and out["matrix"].shape == (3, 2, 3)


def test_functional_pad_sizes():
    def compute(r: Run) -> Any:
        t4d = r.randn(3, 3, 4, 2)
        return {
            "p1d": r.F.pad(t4d, (1, 1), "constant", 0),
            "p2d": r.F.pad(t4d, (1, 1, 2, 2), "constant", 0),
            "p3d": r.F.pad(t4d, (0, 1, 2, 1, 3, 3), "constant", 0),
        }

    out = both(compute)
    assert out["p1d"].shape == (3, 3, 4, 4) and out["p2d"].shape == (3, 3, 8, 4) and out["p3d"].shape == (3, 9, 7, 3)


def test_functional_pixel_shuffle_and_unshuffle():
    def compute(r: Run) -> Any:
        return {
            "shuffle": r.F.pixel_shuffle(r.randn(1, 9, 4, 4), 3),
            "unshuffle": r.F.pixel_unshuffle(r.randn(1, 1, 12, 12), 3),
        }

    out = both(compute)
    assert out["shuffle"].shape == (1, 1, 12, 12) and out["unshuffle"].shape == (1, 9, 4, 4)


def test_functional_scaled_dot_product_attention_under_sdpa_kernel_backends_on_the_cpu():
    def compute(r: Run) -> Any:
        attention = torch.nn.attention if r.T is torch else nn.attention
        query, key, value = r.rand(2, 4, 6, 8, grad=True), r.rand(2, 4, 6, 8, grad=True), r.rand(2, 4, 6, 8, grad=True)
        with attention.sdpa_kernel(backends=[attention.SDPBackend.FLASH_ATTENTION]):
            plain = r.F.scaled_dot_product_attention(query, key, value)
        gqa_query = r.rand(2, 8, 6, 8, grad=True)  # 8 query heads share the 4 key/value heads
        with attention.sdpa_kernel(backends=[attention.SDPBackend.MATH]):
            gqa = r.F.scaled_dot_product_attention(gqa_query, key, value, enable_gqa=True)
        return {"plain": plain, "gqa": gqa}

    both(compute)


# -- examples whose result is random: shape, dtype and the property the example shows --------------------------------


@pytest.mark.parametrize(
    ("name", "shape", "unit"),
    [
        ("Dropout", (200, 16), (200, 16)),
        ("Dropout1d", (20, 16, 32), (20, 16, 1)),
        ("Dropout2d", (20, 16, 8, 8), (20, 16, 1, 1)),
        ("Dropout3d", (20, 16, 4, 8, 8), (20, 16, 1, 1, 1)),
    ],
)
def test_dropout_zeroes_whole_units_and_scales_the_rest(name: str, shape: tuple, unit: tuple):
    ag.manual_seed(0)
    x = ag.tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32) + 10.0)
    output = getattr(nn, name)(p=0.2)(x).numpy()
    assert output.shape == shape and output.dtype == np.float32
    kept = output != 0
    np.testing.assert_allclose(output[kept], x.numpy()[kept] / 0.8, rtol=1e-6)
    per_unit = kept.reshape(*unit, -1)
    assert (per_unit.all(axis=-1) | ~per_unit.any(axis=-1)).all()  # a unit is kept or dropped whole
    assert 0.1 < 1 - per_unit.all(axis=-1).mean() < 0.3


@pytest.mark.parametrize(("name", "shape"), [("AlphaDropout", (200, 16)), ("FeatureAlphaDropout", (20, 16, 4, 8, 8))])
def test_alpha_dropout_keeps_zero_mean_unit_variance(name: str, shape: tuple):
    ag.manual_seed(0)
    x = ag.tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32))
    output = getattr(nn, name)(p=0.2)(x).numpy()
    assert output.shape == shape and output.dtype == np.float32
    assert abs(output.mean()) < 0.1 and abs(output.std() - 1) < 0.1
    assert np.array_equal(nn.functional.alpha_dropout(x, 0.2, training=False).numpy(), x.numpy())


def test_rrelu_slopes_lie_between_lower_and_upper_while_training_and_average_at_eval():
    x = ag.tensor(-np.abs(np.random.default_rng(0).standard_normal(1000)).astype(np.float32) - 0.1)
    m = nn.RReLU(0.1, 0.3)
    slopes = m(x).numpy() / x.numpy()
    assert slopes.min() >= 0.1 - 1e-6 and slopes.max() <= 0.3 + 1e-6 and slopes.std() > 0.03
    m.eval()
    np.testing.assert_allclose(m(x).numpy() / x.numpy(), 0.2, rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "shape", "expected"),
    [
        (lambda x: nn.FractionalMaxPool2d(3, output_size=(13, 12))(x), (2, 3, 50, 32), (2, 3, 13, 12)),
        (lambda x: nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))(x), (2, 3, 50, 32), (2, 3, 25, 16)),
        (lambda x: F.fractional_max_pool2d(x, 3, output_size=(13, 12)), (2, 3, 50, 32), (2, 3, 13, 12)),
        (lambda x: F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5)), (2, 3, 50, 32), (2, 3, 25, 16)),
        (lambda x: nn.FractionalMaxPool3d(3, output_size=(13, 12, 11))(x), (1, 2, 30, 32, 16), (1, 2, 13, 12, 11)),
        (lambda x: nn.FractionalMaxPool3d(3, output_ratio=(0.5, 0.5, 0.5))(x), (1, 2, 30, 32, 16), (1, 2, 15, 16, 8)),
        (lambda x: F.fractional_max_pool3d(x, 3, output_size=(13, 12, 11)), (1, 2, 30, 32, 16), (1, 2, 13, 12, 11)),
        (lambda x: F.fractional_max_pool3d(x, 3, output_ratio=(0.5, 0.5, 0.5)), (1, 2, 30, 32, 16), (1, 2, 15, 16, 8)),
    ],
    ids=[
        "module2d_size",
        "module2d_ratio",
        "f2d_size",
        "f2d_ratio",
        "module3d_size",
        "module3d_ratio",
        "f3d_size",
        "f3d_ratio",
    ],
)
def test_fractional_max_pool_output_is_a_subset_of_the_input(call: Callable, shape: tuple, expected: tuple):
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    output = call(ag.tensor(data)).numpy()
    assert output.shape == expected and output.dtype == np.float32
    assert np.isin(output, data).all()
    assert output.max() == data.max()  # the global maximum lies in some pooling window
    torch_output = getattr(torch.nn.functional, f"fractional_max_pool{len(shape) - 2}d")(
        torch.from_numpy(data), 3, output_size=expected[2:]
    )
    assert tuple(torch_output.shape) == expected


def test_gumbel_softmax_soft_rows_sum_to_one_and_hard_rows_are_one_hot():
    logits = ag.tensor(np.random.default_rng(0).standard_normal((20, 32)).astype(np.float32), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=1, hard=False)
    hard = F.gumbel_softmax(logits, tau=1, hard=True)
    assert soft.shape == hard.shape == (20, 32) and soft.dtype == hard.dtype == np.float32
    np.testing.assert_allclose(soft.numpy().sum(1), 1, rtol=1e-5)
    assert (hard.numpy().sum(1) == 1).all() and set(np.unique(hard.numpy())) <= {0.0, 1.0}
    (grad,) = ag.grad((hard * ag.tensor(np.arange(32, dtype=np.float32))).sum(), [logits])
    assert np.abs(grad.numpy()).sum() > 0  # the straight-through estimator passes the soft sample's gradient


# -- torch.nn.init ---------------------------------------------------------------------------------------------------


def test_init_calculate_gain_leaky_relu_and_relu():
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))


@pytest.mark.parametrize(
    ("name", "shape", "args"),
    [
        ("constant_", (3, 5), (0.3,)),
        ("dirac_", (3, 16, 5, 5), ()),
        ("dirac_", (3, 24, 5, 5), (3,)),
        ("eye_", (3, 5), ()),
        ("ones_", (3, 5), ()),
        ("zeros_", (3, 5), ()),
    ],
    ids=["constant", "dirac", "dirac_groups", "eye", "ones", "zeros"],
)
def test_init_deterministic_fill(name: str, shape: tuple, args: tuple):
    ours, theirs = ag.empty(*shape, dtype=ag.float32), torch.empty(*shape)
    result = getattr(nn.init, name)(ours, *args)
    getattr(torch.nn.init, name)(theirs, *args)
    assert result is ours and ours.dtype == np.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    ("name", "kwargs", "std"),
    [
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300)),
        ("normal_", {}, 1.0),
        ("xavier_normal_", {}, math.sqrt(2 / (300 + 500))),
        ("trunc_normal_", {}, None),
    ],
)
def test_init_normal_draws(name: str, kwargs: dict, std: float | None):
    ag.manual_seed(0)
    w = getattr(nn.init, name)(ag.empty(300, 500, dtype=ag.float32), **kwargs).numpy()
    assert w.dtype == np.float32
    if std is None:  # a standard normal truncated to [-2, 2]
        assert w.min() >= -2 and w.max() <= 2 and abs(w.std() - 0.8796) < 0.01
    else:
        assert abs(w.mean()) < 0.01 * std * 10 and abs(w.std() / std - 1) < 0.02


@pytest.mark.parametrize(
    ("name", "kwargs", "bound"),
    [
        ("kaiming_uniform_", {"mode": "fan_in", "nonlinearity": "relu"}, math.sqrt(6 / 500)),
        ("uniform_", {}, None),
        ("xavier_uniform_", {"gain": math.sqrt(2)}, math.sqrt(2) * math.sqrt(6 / 800)),
    ],
)
def test_init_uniform_draws(name: str, kwargs: dict, bound: float | None):
    ag.manual_seed(0)
    w = getattr(nn.init, name)(ag.empty(300, 500, dtype=ag.float32), **kwargs).numpy()
    low, high = (0.0, 1.0) if bound is None else (-bound, bound)
    assert w.min() >= low and w.max() <= high and w.max() - w.min() > 0.99 * (high - low)


def test_init_orthogonal_rows_are_orthonormal():
    w = nn.init.orthogonal_(ag.empty(3, 5, dtype=ag.float32)).numpy()
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-5)


def test_init_sparse_zeroes_the_given_fraction_of_each_column():
    w = nn.init.sparse_(ag.empty(30, 5, dtype=ag.float32), sparsity=0.1).numpy()
    assert ((w == 0).sum(axis=0) == math.ceil(0.1 * 30)).all()
