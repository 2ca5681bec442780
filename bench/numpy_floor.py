"""The numpy floor: conv blocks and an MLP with hand-derived gradients, as fast as plain numpy goes.

``FloorNet`` computes, for a batch ``x`` and integer labels ``y``,

    [conv k x k (+ padding) -> ReLU -> 2x2 max-pool] * B -> flatten -> [Linear -> ReLU] * (D - 1)
    -> Linear -> mean softmax cross-entropy,

its gradients and an SGD update, with the choices that make plain numpy fastest:

* images in NHWC: im2col is ``sliding_window_view`` over (H, W), copied once in (kh, kw, c)
  column order, and ``cols @ w`` (w: (kh*kw*c_in, c_out)) gives NHWC rows with no transpose
  around the GEMM. With one input channel the copy runs along image rows into a
  (kh*kw, N) buffer that the GEMM reads transposed (4-10x faster than copying runs of kw
  values); with more channels it copies contiguous (kw, c) runs into (N, kh*kw*c) rows;
* dense weights are stored (in, out), the first one after the convolutions with its rows in
  NHWC flatten order; bias gradients are column sums done as ones @ G (BLAS);
* ReLU in place; 2x2 max-pool by reshape and a max over the window axes, taken pairwise
  (10x faster than ``max(axis=(2, 4))``); in backward one mask (window value == pooled
  value) routes the gradient, and the ReLU acts on the pooled grid (d pooled * [pooled > 0]);
* softmax cross-entropy in place: d logits = (softmax(logits) - onehot(y)) / n;
* the input gradient of a convolution (col2im) as one GEMM per kernel offset and k*k shifted
  adds into an HWNC buffer (long contiguous runs), returned as an NHWC view.

Parameters come in and gradients go out in the torch layouts the library uses (Linear
(out, in), Conv2d (out, in, kh, kw)), in ``model.parameters()`` order, so they can be compared.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(logits)[i, y_i] and its gradient (softmax - onehot) / n; overwrites ``logits``."""
    n = logits.shape[0]
    rows = np.arange(n)
    logits -= logits.max(axis=1, keepdims=True)
    picked = logits[rows, y]
    np.exp(logits, out=logits)
    sums = logits.sum(axis=1, keepdims=True)
    loss = float(np.log(sums).sum() - picked.sum()) / n
    sums *= n
    logits /= sums
    logits[rows, y] -= 1.0 / n
    return loss, logits


def conv_forward(x: np.ndarray, w_cols: np.ndarray, b: np.ndarray, k: int, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """NHWC convolution (stride 1): z = im2col(x) @ w_cols + b, returned with the columns for backward."""
    if pad:
        n, h, w, c = x.shape
        padded = np.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=x.dtype)
        padded[:, pad:-pad, pad:-pad, :] = x
        x = padded
    n, h, w, c = x.shape
    h_out, w_out = h - k + 1, w - k + 1
    windows = sliding_window_view(x, (k, k), axis=(1, 2))  # (n, h_out, w_out, c, kh, kw), a view
    if c == 1:  # copy along image rows; the GEMM reads the (K, N) buffer transposed
        cols = windows.transpose(4, 5, 3, 0, 1, 2).reshape(k * k * c, n * h_out * w_out).T
    else:  # copy contiguous (kw, c) runs
        cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h_out * w_out, k * k * c)
    z = cols @ w_cols
    z += b
    return z.reshape(n, h_out, w_out, -1), cols


@functools.cache
def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones, made once per (n, dtype)."""
    vector = np.ones(n, dtype=dtype)
    vector.flags.writeable = False
    return vector


def column_sums(a: np.ndarray) -> np.ndarray:
    """a.sum(axis=0) of a 2-D array as ones @ a (a BLAS GEMV; numpy's axis-0 sum of narrow rows is 10x slower)."""
    return ones(a.shape[0], a.dtype) @ a


def conv_input_gradient(d_z: np.ndarray, w_cols: np.ndarray, k: int, pad: int, in_shape: tuple) -> np.ndarray:
    """dL/dx of ``conv_forward`` (col2im): kernel offset (i, j) adds d_z @ w_cols[i, j]^T at shift (i, j).

    Works in HWNC so that every shifted add runs over long contiguous stretches.
    """
    n, h_out, w_out, c_out = d_z.shape
    c = in_shape[3]
    rows = d_z.transpose(1, 2, 0, 3).reshape(h_out * w_out * n, c_out)
    per_offset = w_cols.reshape(k * k, c, c_out).transpose(0, 2, 1)  # (k*k, c_out, c), a view
    shares = (rows @ per_offset).reshape(k, k, h_out, w_out, n, c)
    d_x = np.zeros((in_shape[1] + 2 * pad, in_shape[2] + 2 * pad, n, c), dtype=d_z.dtype)
    for i in range(k):
        for j in range(k):
            d_x[i : i + h_out, j : j + w_out] += shares[i, j]
    if pad:
        d_x = d_x[pad:-pad, pad:-pad]
    return d_x.transpose(2, 0, 1, 3)


def relu_max_pool(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max-pool of ReLU(z) (NHWC, ReLU applied in place); returns (pooled, the 2x2 tiles view)."""
    np.maximum(z, 0, out=z)
    n, h, w, c = z.shape
    tiles = z.reshape(n, h // 2, 2, w // 2, 2, c)
    pairs = np.maximum(tiles[:, :, 0], tiles[:, :, 1])  # max over the window's rows
    return np.maximum(pairs[:, :, :, 0], pairs[:, :, :, 1]), tiles


def relu_max_pool_backward(d_pooled: np.ndarray, pooled: np.ndarray, tiles: np.ndarray) -> np.ndarray:
    """dL/dz of ``relu_max_pool``: the gradient goes to each window's maximum where that maximum is > 0."""
    d_pooled = d_pooled * (pooled > 0)
    at_max = tiles == pooled[:, :, None, :, None, :]
    d_tiles = at_max * d_pooled[:, :, None, :, None, :]
    n, h2, _, w2, _, c = tiles.shape
    return d_tiles.reshape(n, 2 * h2, 2 * w2, c)


class FloorNet:
    """Conv blocks then an MLP, forward, hand-derived backward and SGD in plain numpy (see the module doc).

    ``convs``: (weight (c_out, c_in, k, k), bias, padding) per conv block; ``dense``:
    (weight (out, in), bias) per Linear layer; ``pooled_shape``: (h, w, c) of the last block's
    output (ignored without conv blocks).
    """

    def __init__(self, convs: list, dense: list, lr: float, pooled_shape: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.kernels = [w.shape[2] for w, _, _ in convs]
        self.pads = [pad for _, _, pad in convs]
        self.conv_weights = [np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0])) for w, _, _ in convs]
        self.conv_biases = [b.copy() for _, b, _ in convs]
        self.pooled_shape = pooled_shape
        self.dense_weights = [np.ascontiguousarray(w.T) for w, _ in dense]
        if convs:
            self.dense_weights[0] = self._nhwc_rows(dense[0][0])
        self.dense_biases = [b.copy() for _, b in dense]
        self.lr = np.float32(lr)

    def _nhwc_rows(self, weight: np.ndarray) -> np.ndarray:
        """A first dense weight (out, c*h*w) as (h*w*c, out): rows in the NHWC flatten order."""
        h, w, c = self.pooled_shape
        return np.ascontiguousarray(weight.reshape(-1, c, h, w).transpose(2, 3, 1, 0).reshape(h * w * c, -1))

    def parameters(self) -> list[np.ndarray]:
        """The floor's own arrays (its layouts), in the order of ``gradients``' result."""
        convs = [a for pair in zip(self.conv_weights, self.conv_biases) for a in pair]
        return convs + [a for pair in zip(self.dense_weights, self.dense_biases) for a in pair]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Loss and gradients of every parameter, in the floor's layouts and ``parameters()`` order."""
        h = x.transpose(0, 2, 3, 1) if self.conv_weights else x  # NCHW -> NHWC view
        conv_saved = []
        for w_cols, b, k, pad in zip(self.conv_weights, self.conv_biases, self.kernels, self.pads):
            z, cols = conv_forward(h, w_cols, b, k, pad)
            pooled, tiles = relu_max_pool(z)
            conv_saved.append((h.shape, cols, pooled, tiles))
            h = pooled
        h = h.reshape(h.shape[0], -1)
        activations = []
        last = len(self.dense_weights) - 1
        for i, (w, b) in enumerate(zip(self.dense_weights, self.dense_biases)):
            activations.append(h)
            h = h @ w
            h += b
            if i < last:
                np.maximum(h, 0, out=h)
        loss, delta = softmax_cross_entropy(h, y)

        dense_grads: list[np.ndarray] = []
        for i in range(last, -1, -1):
            dense_grads[:0] = [activations[i].T @ delta, column_sums(delta)]
            if i > 0 or self.conv_weights:  # the input's gradient is needed
                delta = delta @ self.dense_weights[i].T
            if i > 0:
                delta *= activations[i] > 0
        conv_grads: list[np.ndarray] = []
        for i in range(len(self.conv_weights) - 1, -1, -1):
            in_shape, cols, pooled, tiles = conv_saved[i]
            d_z = relu_max_pool_backward(delta.reshape(pooled.shape), pooled, tiles)
            d_rows = d_z.reshape(-1, d_z.shape[3])
            conv_grads[:0] = [cols.T @ d_rows, column_sums(d_rows)]
            if i > 0:
                delta = conv_input_gradient(d_z, self.conv_weights[i], self.kernels[i], self.pads[i], in_shape)
        return loss, conv_grads + dense_grads

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One SGD step, p -= lr * dL/dp, in place; returns the loss before the step."""
        loss, grads = self.gradients(x, y)
        for parameter, grad in zip(self.parameters(), grads):
            grad *= self.lr
            parameter -= grad
        return loss

    def in_torch_layout(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        """Arrays in the floor's layouts (parameters or gradients) in the library's (torch's) layouts."""
        result = []
        for (w_cols, b), k in zip(zip(arrays[0::2], arrays[1::2]), self.kernels):
            c_out = w_cols.shape[1]
            result += [w_cols.reshape(k, k, -1, c_out).transpose(3, 2, 0, 1), b]
        dense = arrays[2 * len(self.kernels) :]
        for i, (w, b) in enumerate(zip(dense[0::2], dense[1::2])):
            if i == 0 and self.kernels:
                h, wd, c = self.pooled_shape
                w = w.reshape(h, wd, c, -1).transpose(3, 2, 0, 1).reshape(w.shape[1], -1)
            else:
                w = w.T
            result += [w, b]
        return result


class ContractFloorNet(FloorNet):
    """The MLP floor under two contracts of torch's (and this library's) API, nothing else changed.

    * a dense weight is stored (out, in), C-contiguous, as ``nn.Linear`` holds it, so the forward
      product is ``h @ W.T`` (BLAS reads W transposed), the weight gradient ``delta.T @ h``
      and the input gradient ``delta @ W``;
    * gradients outlive the update, as ``.grad`` does after ``optimizer.step()``: SGD computes
      ``p -= lr * g`` without scaling ``g`` in place.

    Everything else (ReLU and softmax cross-entropy in place, bias gradients by BLAS) is the floor's.
    Its time over the floor's is what those contracts alone cost: no engine that keeps them can be
    faster than it. MLPs only (no conv blocks).
    """

    def __init__(self, dense: list, lr: float) -> None:
        super().__init__([], dense, lr)
        self.dense_weights = [np.ascontiguousarray(w) for w, _ in dense]  # (out, in)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The logits of ``x`` and each layer's input (for ``backward``)."""
        h, activations = x, []
        last = len(self.dense_weights) - 1
        for i, (w, b) in enumerate(zip(self.dense_weights, self.dense_biases)):
            activations.append(h)
            h = h @ w.T
            h += b
            if i < last:
                np.maximum(h, 0, out=h)
        return h, activations

    def backward(self, delta: np.ndarray, activations: list[np.ndarray]) -> list[np.ndarray]:
        """The gradients of every parameter, weights (out, in), in ``parameters()`` order, from dL/dlogits."""
        grads: list[np.ndarray] = []
        for i in range(len(self.dense_weights) - 1, -1, -1):
            grads[:0] = [delta.T @ activations[i], column_sums(delta)]
            if i > 0:
                delta = delta @ self.dense_weights[i]
                delta *= activations[i] > 0
        return grads

    def update(self, grads: list[np.ndarray]) -> None:
        """SGD, p -= lr * g, the gradients left as they are."""
        for parameter, grad in zip(self.parameters(), grads):
            parameter -= self.lr * grad

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Loss and gradients of every parameter, weights (out, in), in ``parameters()`` order."""
        logits, activations = self.forward(x)
        loss, delta = softmax_cross_entropy(logits, y)
        return loss, self.backward(delta, activations)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One SGD step; returns the loss before the step."""
        loss, grads = self.gradients(x, y)
        self.update(grads)
        return loss

    def in_torch_layout(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        """Its arrays are in torch's layouts already."""
        return list(arrays)
