"""nn.functional: stateless functions (activations, losses, convolutions, normalisation, dropout, padding,
resizing, embeddings, distances) on Tensors, with torch's names and arguments."""

from autograd import linear

from .. import _reduction as _Reduction  # noqa: F401 (torch's F._Reduction, torch.nn._reduction; not in __all__)
from .activations import (
    acon_c,
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    maxout,
    mish,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    step,
    swish,
    tanh,
)
from .adaptive_pooling import adaptive_max_pool1d, adaptive_max_pool2d
from .attention import scaled_dot_product_attention
from .bilinear import bilinear
from .conv import adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, conv_output_size, fold, max_pool2d, unfold
from .conv3d import conv3d, conv_transpose3d
from .conv_tbc import conv_tbc
from .conv_transpose import conv_transpose1d, conv_transpose2d
from .ctc import ctc_loss
from .distance import cosine_similarity, normalize, pairwise_distance, pdist
from .divergence import kl_div
from .dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout
from .embedding import embedding, one_hot
from .embedding_bag import embedding_bag
from .fractional_max_pool import (
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from .grid_sampling import affine_grid, grid_sample
from .in_place_activations import celu_, elu_, hardtanh_, leaky_relu_, relu_, selu_, threshold_
from .input_keyword import accepts_input_keyword
from .interpolation import interpolate, upsample, upsample_bilinear, upsample_nearest
from .likelihood_losses import gaussian_nll_loss, poisson_nll_loss
from .linear_cross_entropy import linear_cross_entropy
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    exponential_loss,
    hinge_loss,
    huber_loss,
    l1_loss,
    mape,
    mean_bias_error,
    mse_loss,
    multi_margin_loss,
    nll_loss,
    perceptron_loss,
    smooth_hinge_loss,
    smooth_l1_loss,
)
from .lp_pool import lp_pool1d, lp_pool2d, lp_pool3d
from .max_unpool import max_unpool1d, max_unpool2d, max_unpool3d
from .multi_head_attention import multi_head_attention_forward
from .multilabel_losses import multilabel_margin_loss, multilabel_soft_margin_loss
from .normalization import batch_norm, group_norm, instance_norm, layer_norm, local_response_norm, rms_norm
from .padding import pad
from .pixel_shuffle import channel_shuffle, native_channel_shuffle, pixel_shuffle, pixel_unshuffle
from .pooling1d import adaptive_avg_pool1d, avg_pool1d, max_pool1d
from .pooling3d import adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, max_pool3d
from .random_activations import gumbel_softmax, rrelu, rrelu_
from .ranking_losses import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .shrinkage import glu, hardshrink, softshrink, tanhshrink, threshold
from .with_indices import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    adaptive_max_pool3d_with_indices,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
)

#: the functions whose first argument torch calls ``input`` and this library something more telling
_TORCH_INPUT_NAMED = (
    "batch_norm binary_cross_entropy binary_cross_entropy_with_logits celu cross_entropy elu gelu hardsigmoid "
    "hardswish hardtanh huber_loss l1_loss leaky_relu linear local_response_norm log_softmax logsigmoid mish "
    "mse_loss multi_margin_loss multilabel_margin_loss multilabel_soft_margin_loss nll_loss one_hot prelu relu relu6 "
    "selu sigmoid silu smooth_l1_loss softmax softmin softplus softsign tanh"
).split()
for _name in _TORCH_INPUT_NAMED:
    globals()[_name] = accepts_input_keyword(globals()[_name])
del _name

__all__: list[str] = [
    "acon_c",
    "affine_grid",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_tbc",
    "conv_output_size",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "ctc_loss",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "elu_",
    "embedding",
    "embedding_bag",
    "exponential_loss",
    "feature_alpha_dropout",
    "fold",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "gumbel_softmax",
    "instance_norm",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "hinge_embedding_loss",
    "hinge_loss",
    "huber_loss",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "linear_cross_entropy",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "mape",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "maxout",
    "mean_bias_error",
    "mish",
    "mse_loss",
    "multi_head_attention_forward",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "native_channel_shuffle",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "pdist",
    "perceptron_loss",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "scaled_dot_product_attention",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "smooth_hinge_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "step",
    "swish",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

# torch.nn.functional.grad is the torch.nn.grad module (the convolutions' input and weight gradients); imported last,
# as it is built on the convolutions above.
from .. import grad as grad  # noqa: E402
