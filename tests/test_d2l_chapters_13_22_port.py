"""Dive into Deep Learning (Zhang, Lipton, Li, Smola; d2l.ai, PyTorch edition), chapters 13 to 20 and the
mathematics appendix (22) ported, the parts that need torch's core only, small and on synthetic data: computational
performance (the multi-device LeNet from scratch with its ``allreduce`` and batch splitting, and the concise
training through ``nn.DataParallel``, both run on the CPU),
computer vision (image augmentation by tensor operations, fine-tuning with a 10x learning rate for the new head and
a frozen body, anchor boxes: ``multibox_prior``, ``box_iou``, ``assign_anchor_to_bbox``, ``offset_boxes``,
``multibox_target``, ``offset_inverse``, ``nms``, ``multibox_detection``; the TinySSD's predictors, loss and a
training step; transposed convolution from scratch and as a matrix product, the bilinear kernel, an FCN on a small
backbone, neural style transfer's content, style (Gram matrix) and total-variation losses optimizing an image),
natural language processing (skip-gram with negative sampling and the masked ``SigmoidBCELoss``, the BERT encoder,
MaskLM and NextSentencePred with their losses, sentiment analysis with a bidirectional RNN and with textCNN, the
decomposable attention model), Gaussian processes (RBF kernel matrices, the posterior by Cholesky, the marginal
likelihood optimized by autograd), hyperparameter optimization (random search over a small net), GANs (the simple
GAN on Gaussian data and the DCGAN's generator and discriminator shapes with ``ConvTranspose2d``, BCEWithLogits
steps) and the appendix (derivatives by finite differences and by autograd, multivariable gradients and the chain
rule, integrals by Riemann sums, maximum likelihood by gradient descent).

Each listing is written once, with the book's names, and run with torch's (``torch``, ``torch.nn``,
``torch.nn.functional``, ``torch.optim``) and with this library's (``autograd``, ``nn``, ``nn.functional``,
``nn.optim``), from the same weights and inputs, in float32 (both libraries' default dtype during each test). The
book's random draws (``torch.rand``, ``torch.normal``, ``torch.randint``, the pretrained backbones, the datasets)
are replaced by arrays numpy draws once and gives to both sides. Spellings the port meets: torch's
``x.repeat(n, 1)`` is written ``x.tile(n, 1)`` on both sides (``repeat`` stays numpy's here), this library's
``state_dict()`` holds numpy arrays, a float ``arange`` here is start + i step rounded once (torch's vectorised
kernel may differ in the last bit), ``meshgrid`` is numpy's (``indexing="xy"`` by default: the book's
``torch.meshgrid(x, y)`` is written with ``indexing="ij"``). Left out: the GPU-only and the compiler sections
(``torch.jit``, ``nn.parallel.scatter``, asynchronous execution, parameter servers), the downloads (pretrained
weights, datasets, GloVe), the eigendecompositions of chapter 22 (``torch.linalg.eig``'s complex results) and
chapter 17's reinforcement learning (numpy only).
"""

# ruff: noqa: N801, N802, N803, N806, E721, E731, E741, B007, F841, UP008, UP034 - the book's names (X, Y, K, l,
# G_block) and spellings (its lambdas, type(m) == nn.Linear, super(Class, self), unused loop variables and locals)

from __future__ import annotations

import math
from typing import Any

import book_ports
import numpy as np
from book_ports import as_array as _array
from book_ports import libraries as _libs

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

_state, _load = book_ports.state_arrays, book_ports.load_state


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad) for name, p in model.named_parameters() if p.grad is not None}


def _compare(ours: Any, theirs: Any, rtol: float = 1e-5, atol: float = 1e-6, name: str = "") -> None:
    """Every result by name: arrays and floats within tolerance (dicts, lists and tuples entry by entry), others
    (shapes, strings, integers) equal."""
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), name
        for key, expected in theirs.items():
            _compare(ours[key], expected, rtol, atol, f"{name}.{key}")
    elif isinstance(theirs, (list, tuple)) and any(hasattr(t, "shape") or isinstance(t, (float, list)) for t in theirs):
        assert len(ours) == len(theirs), name
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _compare(a, b, rtol, atol, f"{name}[{i}]")
    elif hasattr(theirs, "shape") or isinstance(theirs, float):
        np.testing.assert_allclose(_array(ours), _array(theirs), rtol=rtol, atol=atol, err_msg=name)
    else:
        assert ours == theirs, name


def _both(torch: Any, run: Any, *args: Any) -> tuple[Any, Any]:
    """``run(lib, *args)`` with torch's names, then with ours: (theirs, ours)."""
    theirs_lib, ours_lib = _libs(torch)
    return run(theirs_lib, *args), run(ours_lib, *args)


# ---- ch13: computational performance -------------------------------------------------------------------------


def test_13_5_multi_device_lenet_from_scratch_allreduce_and_split_batch_on_the_cpu(torch):
    """The book's LeNet written with F.conv2d/avg_pool2d, its parameters copied to each 'device' (two CPU copies),
    the batch split in two, each half's loss backpropagated on its own copy, the gradients summed by allreduce and
    each copy stepped by d2l.sgd: the copies stay equal and equal one step on the whole batch."""
    rng = np.random.default_rng(0)
    shapes = [(20, 1, 3, 3), (20,), (50, 20, 5, 5), (50,), (800, 128), (128,), (128, 10), (10,)]
    params_np = [rng.normal(0, 0.05, s).astype(np.float32) for s in shapes]
    X_np = rng.random((4, 1, 28, 28), dtype=np.float32)
    y_np = rng.integers(0, 10, 4)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]

        def lenet(X, params):
            h1_conv = F.conv2d(input=X, weight=params[0], bias=params[1])
            h1_activation = F.relu(h1_conv)
            h1 = F.avg_pool2d(input=h1_activation, kernel_size=(2, 2), stride=(2, 2))
            h2_conv = F.conv2d(input=h1, weight=params[2], bias=params[3])
            h2_activation = F.relu(h2_conv)
            h2 = F.avg_pool2d(input=h2_activation, kernel_size=(2, 2), stride=(2, 2))
            h2 = h2.reshape(h2.shape[0], -1)
            h3_linear = torch.mm(h2, params[4]) + params[5]
            h3 = F.relu(h3_linear)
            y_hat = torch.mm(h3, params[6]) + params[7]
            return y_hat

        loss = nn.CrossEntropyLoss(reduction="none")

        def get_params(params, device):
            new_params = [p.clone().to(device) for p in params]  # .to(the same device) would return p itself
            for p in new_params:
                p.requires_grad_()
            return new_params

        def allreduce(data):
            for i in range(1, len(data)):
                data[0][:] += data[i].to(data[0].device)
            for i in range(1, len(data)):
                data[i][:] = data[0].to(data[i].device)

        def split_batch(X, y, devices):
            assert X.shape[0] == y.shape[0]
            return (
                [x.to(d) for x, d in zip(X.chunk(len(devices)), devices)],
                [t.to(d) for t, d in zip(y.chunk(len(devices)), devices)],
            )

        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()

        def train_batch(X, y, device_params, devices, lr):
            X_shards, y_shards = split_batch(X, y, devices)
            ls = [
                loss(lenet(X_shard, device_W), y_shard).sum()
                for X_shard, y_shard, device_W in zip(X_shards, y_shards, device_params)
            ]
            for l in ls:
                l.backward()
            with torch.no_grad():
                for i in range(len(device_params[0])):
                    allreduce([device_params[c][i].grad for c in range(len(devices))])
            for param in device_params:
                sgd(param, lr, X.shape[0])
            return [l.item() for l in ls]

        params = [torch.tensor(p) for p in params_np]
        devices = [torch.device("cpu"), torch.device("cpu")]
        new_params = get_params(params, devices[0])
        out: dict[str, Any] = {"b1_grad": new_params[1].grad is None}
        data = [torch.ones((1, 2), device=devices[i]) * (i + 1) for i in range(2)]
        allreduce(data)
        out["allreduce"] = [d.numpy() for d in data]
        X, y = torch.tensor(X_np), torch.tensor(y_np)
        shards = split_batch(X, y, devices)
        out["shards"] = [tuple(s.shape) for s in shards[0]] + [tuple(s.shape) for s in shards[1]]
        device_params = [get_params(params, d) for d in devices]
        out["losses"] = train_batch(X, y, device_params, devices, lr=0.2)
        out["params"] = [p.detach().numpy().copy() for p in device_params[0]]
        out["copies_equal"] = all(bool((a == b).all()) for a, b in zip(*device_params))
        whole = get_params(params, devices[0])  # the same step on one device
        loss(lenet(X, whole), y).sum().backward()
        sgd(whole, 0.2, X.shape[0])
        out["whole"] = [p.detach().numpy() for p in whole]
        out["y_hat"] = lenet(X, whole).detach().numpy()
        return out

    theirs, ours = _both(torch, run)
    assert theirs["copies_equal"] and theirs["allreduce"][1].tolist() == [[3.0, 3.0]]
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)
    _compare(ours["whole"], ours["params"], rtol=1e-4, atol=1e-6)


def test_13_6_concise_multi_device_training_through_nn_data_parallel_on_the_cpu(torch):
    """d2l's try_gpu falling back to the CPU, nn.DataParallel(net, device_ids=devices) wrapping the net (on a
    machine without GPUs torch's keeps no device ids and calls the module: its state under ``module.``), init by
    normal_(std=0.01) (the same weights given afterwards), SGD steps and evaluate_accuracy_gpu's device taken from
    the parameters."""
    rng = np.random.default_rng(16)
    X_np = rng.random((6, 1, 8, 8), dtype=np.float32)
    y_np = rng.integers(0, 3, 6)

    def build(lib: dict[str, Any]) -> Any:
        nn = lib["nn"]
        return nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Flatten(),
            nn.Linear(4, 3),
        )

    weights = _state(build(_libs(torch)[0]))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]

        def try_gpu(i=0):
            if torch.cuda.device_count() >= i + 1:
                return torch.device(f"cuda:{i}")
            return torch.device("cpu")

        def accuracy(y_hat, y):
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis=1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())

        def evaluate_accuracy_gpu(net, data_iter, device=None):
            if isinstance(net, nn.Module):
                net.eval()
                if not device:
                    device = next(iter(net.parameters())).device
            correct, total = 0.0, 0
            with torch.no_grad():
                for X, y in data_iter:
                    X, y = X.to(device), y.to(device)
                    correct, total = correct + accuracy(net(X), y), total + y.numel()
            return correct / total

        net = build(lib)

        def init_weights(module):
            if type(module) in [nn.Linear, nn.Conv2d]:
                nn.init.normal_(module.weight, std=0.01)

        net.apply(init_weights)
        out: dict[str, Any] = {"small": bool(net[0].weight.abs().max() < 0.1)}
        _load(torch, net, weights)
        devices = [try_gpu(i) for i in range(2)]
        out["devices"] = [str(d) for d in devices]
        net = nn.DataParallel(net, device_ids=devices)
        out["device_ids"], out["keys"] = list(net.device_ids), list(net.state_dict())
        trainer = optim.SGD(net.parameters(), 0.1)
        loss = nn.CrossEntropyLoss()
        X, y = torch.tensor(X_np), torch.tensor(y_np)
        losses = []
        for _ in range(3):
            net.train()
            trainer.zero_grad()
            X, y = X.to(devices[0]), y.to(devices[0])
            l = loss(net(X), y)
            l.backward()
            trainer.step()
            losses.append(l.item())
        out["losses"], out["state"] = losses, _state(net.module)
        out["accuracy"] = evaluate_accuracy_gpu(net, [(X[:3], y[:3]), (X[3:], y[3:])])
        return out

    theirs, ours = _both(torch, run)
    assert theirs["devices"] == ["cpu", "cpu"] and theirs["device_ids"] == [] and theirs["keys"][0] == "module.0.weight"
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


# ---- ch14: computer vision -----------------------------------------------------------------------------------


def anchor_helpers(lib: dict[str, Any]) -> dict[str, Any]:
    """d2l's bounding-box and anchor functions (14.3-14.4), written with ``lib``'s names."""
    torch = lib["torch"]

    def multibox_prior(data, sizes, ratios):
        in_height, in_width = data.shape[-2:]
        device, num_sizes, num_ratios = data.device, len(sizes), len(ratios)
        boxes_per_pixel = num_sizes + num_ratios - 1
        size_tensor = torch.tensor(sizes, device=device)
        ratio_tensor = torch.tensor(ratios, device=device)
        offset_h, offset_w = 0.5, 0.5
        steps_h = 1.0 / in_height
        steps_w = 1.0 / in_width
        center_h = (torch.arange(in_height, device=device) + offset_h) * steps_h
        center_w = (torch.arange(in_width, device=device) + offset_w) * steps_w
        shift_y, shift_x = torch.meshgrid(center_h, center_w, indexing="ij")
        shift_y, shift_x = shift_y.reshape(-1), shift_x.reshape(-1)
        w = (
            torch.cat((size_tensor * torch.sqrt(ratio_tensor[0]), sizes[0] * torch.sqrt(ratio_tensor[1:])))
            * in_height
            / in_width
        )
        h = torch.cat((size_tensor / torch.sqrt(ratio_tensor[0]), sizes[0] / torch.sqrt(ratio_tensor[1:])))
        anchor_manipulations = torch.stack((-w, -h, w, h)).T.tile(in_height * in_width, 1) / 2
        out_grid = torch.stack([shift_x, shift_y, shift_x, shift_y], dim=1).repeat_interleave(boxes_per_pixel, dim=0)
        output = out_grid + anchor_manipulations
        return output.unsqueeze(0)

    def box_corner_to_center(boxes):
        x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
        cx = (x1 + x2) / 2
        cy = (y1 + y2) / 2
        w = x2 - x1
        h = y2 - y1
        return torch.stack((cx, cy, w, h), axis=-1)

    def box_center_to_corner(boxes):
        cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
        x1 = cx - 0.5 * w
        y1 = cy - 0.5 * h
        x2 = cx + 0.5 * w
        y2 = cy + 0.5 * h
        return torch.stack((x1, y1, x2, y2), axis=-1)

    def box_iou(boxes1, boxes2):
        box_area = lambda boxes: (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        areas1 = box_area(boxes1)
        areas2 = box_area(boxes2)
        inter_upperlefts = torch.max(boxes1[:, None, :2], boxes2[:, :2])
        inter_lowerrights = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
        inters = (inter_lowerrights - inter_upperlefts).clamp(min=0)
        inter_areas = inters[:, :, 0] * inters[:, :, 1]
        union_areas = areas1[:, None] + areas2 - inter_areas
        return inter_areas / union_areas

    def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
        num_anchors, num_gt_boxes = anchors.shape[0], ground_truth.shape[0]
        jaccard = box_iou(anchors, ground_truth)
        anchors_bbox_map = torch.full((num_anchors,), -1, dtype=torch.long, device=device)
        max_ious, indices = torch.max(jaccard, dim=1)
        anc_i = torch.nonzero(max_ious >= iou_threshold).reshape(-1)
        box_j = indices[max_ious >= iou_threshold]
        anchors_bbox_map[anc_i] = box_j
        col_discard = torch.full((num_anchors,), -1)
        row_discard = torch.full((num_gt_boxes,), -1)
        for _ in range(num_gt_boxes):
            max_idx = torch.argmax(jaccard)
            box_idx = (max_idx % num_gt_boxes).long()
            anc_idx = (max_idx / num_gt_boxes).long()
            anchors_bbox_map[anc_idx] = box_idx
            jaccard[:, box_idx] = col_discard
            jaccard[anc_idx, :] = row_discard
        return anchors_bbox_map

    def offset_boxes(anchors, assigned_bb, eps=1e-6):
        c_anc = box_corner_to_center(anchors)
        c_assigned_bb = box_corner_to_center(assigned_bb)
        offset_xy = 10 * (c_assigned_bb[:, :2] - c_anc[:, :2]) / c_anc[:, 2:]
        offset_wh = 5 * torch.log(eps + c_assigned_bb[:, 2:] / c_anc[:, 2:])
        return torch.cat([offset_xy, offset_wh], axis=1)

    def multibox_target(anchors, labels):
        batch_size, anchors = labels.shape[0], anchors.squeeze(0)
        batch_offset, batch_mask, batch_class_labels = [], [], []
        device, num_anchors = anchors.device, anchors.shape[0]
        for i in range(batch_size):
            label = labels[i, :, :]
            anchors_bbox_map = assign_anchor_to_bbox(label[:, 1:], anchors, device)
            bbox_mask = ((anchors_bbox_map >= 0).float().unsqueeze(-1)).tile(1, 4)
            class_labels = torch.zeros(num_anchors, dtype=torch.long, device=device)
            assigned_bb = torch.zeros((num_anchors, 4), dtype=torch.float32, device=device)
            indices_true = torch.nonzero(anchors_bbox_map >= 0)
            bb_idx = anchors_bbox_map[indices_true]
            class_labels[indices_true] = label[bb_idx, 0].long() + 1
            assigned_bb[indices_true] = label[bb_idx, 1:]
            offset = offset_boxes(anchors, assigned_bb) * bbox_mask
            batch_offset.append(offset.reshape(-1))
            batch_mask.append(bbox_mask.reshape(-1))
            batch_class_labels.append(class_labels)
        return torch.stack(batch_offset), torch.stack(batch_mask), torch.stack(batch_class_labels)

    def offset_inverse(anchors, offset_preds):
        anc = box_corner_to_center(anchors)
        pred_bbox_xy = (offset_preds[:, :2] * anc[:, 2:] / 10) + anc[:, :2]
        pred_bbox_wh = torch.exp(offset_preds[:, 2:] / 5) * anc[:, 2:]
        pred_bbox = torch.cat((pred_bbox_xy, pred_bbox_wh), axis=1)
        return box_center_to_corner(pred_bbox)

    def nms(boxes, scores, iou_threshold):
        B = torch.argsort(scores, dim=-1, descending=True)
        keep = []
        while B.numel() > 0:
            i = B[0]
            keep.append(i)
            if B.numel() == 1:
                break
            iou = box_iou(boxes[i, :].reshape(-1, 4), boxes[B[1:], :].reshape(-1, 4)).reshape(-1)
            inds = torch.nonzero(iou <= iou_threshold).reshape(-1)
            B = B[inds + 1]
        return torch.tensor(keep, device=boxes.device)

    def multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5, pos_threshold=0.009999999):
        device, batch_size = cls_probs.device, cls_probs.shape[0]
        anchors = anchors.squeeze(0)
        num_classes, num_anchors = cls_probs.shape[1], cls_probs.shape[2]
        out = []
        for i in range(batch_size):
            cls_prob, offset_pred = cls_probs[i], offset_preds[i].reshape(-1, 4)
            conf, class_id = torch.max(cls_prob[1:], 0)
            predicted_bb = offset_inverse(anchors, offset_pred)
            keep = nms(predicted_bb, conf, nms_threshold)
            all_idx = torch.arange(num_anchors, dtype=torch.long, device=device)
            combined = torch.cat((keep, all_idx))
            uniques, counts = combined.unique(return_counts=True)
            non_keep = uniques[counts == 1]
            all_id_sorted = torch.cat((keep, non_keep))
            class_id[non_keep] = -1
            class_id = class_id[all_id_sorted]
            conf, predicted_bb = conf[all_id_sorted], predicted_bb[all_id_sorted]
            below_min_idx = conf < pos_threshold
            class_id[below_min_idx] = -1
            conf[below_min_idx] = 1 - conf[below_min_idx]
            pred_info = torch.cat((class_id.unsqueeze(1), conf.unsqueeze(1), predicted_bb), dim=1)
            out.append(pred_info)
        return torch.stack(out)

    return {name: value for name, value in locals().items() if callable(value)}


def test_14_4_anchor_boxes_iou_labels_offsets_nms_and_detection(torch):
    img_np = np.random.default_rng(1).random((1, 3, 56, 72), dtype=np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        d2l = anchor_helpers(lib)
        out: dict[str, Any] = {}
        img_h, img_w = 56, 72
        X = torch.tensor(img_np)
        Y = d2l["multibox_prior"](X, sizes=[0.75, 0.5, 0.25], ratios=[1, 2, 0.5])
        out["Y_shape"], out["Y"] = tuple(Y.shape), Y.numpy()
        boxes = Y.reshape(img_h, img_w, 5, 4)
        out["box"] = boxes[25, 25, 0, :].numpy()
        bbox_scale = torch.tensor((img_w, img_h, img_w, img_h))
        out["scaled"] = (boxes[25, 25, :, :] * bbox_scale).numpy()
        corner = torch.tensor([[60.0, 45.0, 378.0, 516.0], [400.0, 112.0, 655.0, 493.0]])
        center = d2l["box_corner_to_center"](corner)
        out["center"], out["round_trip"] = center.numpy(), bool((d2l["box_center_to_corner"](center) == corner).all())
        ground_truth = torch.tensor([[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]])
        anchors = torch.tensor(
            [
                [0, 0.1, 0.2, 0.3],
                [0.15, 0.2, 0.4, 0.4],
                [0.63, 0.05, 0.88, 0.98],
                [0.66, 0.45, 0.8, 0.8],
                [0.57, 0.3, 0.92, 0.9],
            ]
        )
        out["iou"] = d2l["box_iou"](anchors, ground_truth[:, 1:]).numpy()
        out["assigned"] = d2l["assign_anchor_to_bbox"](ground_truth[:, 1:], anchors, "cpu").tolist()
        labels = d2l["multibox_target"](anchors.unsqueeze(dim=0), ground_truth.unsqueeze(dim=0))
        out["offsets"], out["masks"] = labels[0].numpy(), labels[1].numpy()
        out["classes"], out["dtypes"] = labels[2].tolist(), [str(l.dtype).split(".")[-1] for l in labels]
        anchors = torch.tensor(
            [[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95], [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]]
        )
        offset_preds = torch.tensor([0] * anchors.numel())
        cls_probs = torch.tensor([[0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]])
        out["nms"] = d2l["nms"](anchors, cls_probs[1], 0.5).tolist()
        out["inverse"] = d2l["offset_inverse"](
            anchors, torch.tensor(np.linspace(-1, 1, 16, dtype=np.float32)).reshape(4, 4)
        ).numpy()
        output = d2l["multibox_detection"](
            cls_probs.unsqueeze(dim=0), offset_preds.unsqueeze(dim=0), anchors.unsqueeze(dim=0), nms_threshold=0.5
        )
        out["detection"], out["detection_dtype"] = output.numpy(), str(output.dtype).split(".")[-1]
        out["kept"] = [i for i, row in enumerate(output[0]) if row[0] != -1]
        return out

    theirs, ours = _both(torch, run)
    assert theirs["assigned"] == [-1, 0, 1, -1, 1] and theirs["nms"] == [0, 3]
    assert theirs["classes"] == [[0, 1, 2, 0, 2]]
    _compare(ours, theirs)


def test_14_1_image_augmentation_by_tensor_operations_flips_crops_colour_and_normalisation(torch):
    """torchvision's transforms as tensor operations on a (C, H, W) image: horizontal and vertical flips, a crop
    resized by bilinear interpolation, brightness/contrast/saturation jitter by fixed factors, the normalisation
    by the ImageNet mean and std, and a batch of augmented images through a small net whose gradient reaches the
    input."""
    rng = np.random.default_rng(2)
    img_np = rng.random((3, 20, 24), dtype=np.float32)
    conv_w = rng.normal(0, 0.3, (4, 3, 3, 3)).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, F = lib["torch"], lib["F"]
        img = torch.tensor(img_np).requires_grad_(True)
        out: dict[str, Any] = {}
        flipped_lr = torch.flip(img, dims=[-1])
        flipped_ud = img.flip(-2)
        crop = img[:, 3:15, 5:21]
        resized = F.interpolate(crop.unsqueeze(0), size=(16, 16), mode="bilinear", align_corners=False)[0]
        gray = (0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2]).unsqueeze(0)
        bright = (img * 1.3).clamp(0, 1)
        contrast = ((img - gray.mean()) * 0.7 + gray.mean()).clamp(0, 1)
        saturated = (gray + (img - gray) * 1.5).clamp(0, 1)
        mean = torch.tensor([0.485, 0.456, 0.406])
        std = torch.tensor([0.229, 0.224, 0.225])
        normalized = (resized - mean[:, None, None]) / std[:, None, None]
        batch = torch.stack([flipped_lr, flipped_ud, bright, contrast, saturated])
        features = F.relu(F.conv2d(batch, torch.tensor(conv_w), padding=1)).mean(dim=(2, 3))
        loss = features.sum() + normalized.pow(2).mean()
        loss.backward()
        for name, value in [
            ("flipped_lr", flipped_lr),
            ("flipped_ud", flipped_ud),
            ("resized", resized),
            ("bright", bright),
            ("contrast", contrast),
            ("saturated", saturated),
            ("normalized", normalized),
            ("features", features),
        ]:
            out[name] = value.detach().numpy()
        out["grad"] = _array(img.grad)
        return out

    theirs, ours = _both(torch, run)
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


def test_14_2_fine_tuning_a_new_head_at_ten_times_the_rate_and_a_frozen_body(torch):
    """The 'pretrained' net (a small ResNet-like body, its weights given), its ``fc`` replaced by a new 2-class
    Linear initialised by xavier_uniform_ (the same weights given afterwards), SGD with two parameter groups (the
    head at 10x the rate, weight decay 0.001) over CrossEntropyLoss(reduction='none').sum(); then the body frozen
    by requires_grad = False, only the head stepping."""
    rng = np.random.default_rng(3)
    X_np = rng.random((4, 3, 16, 16), dtype=np.float32)
    y_np = np.array([0, 1, 1, 0])

    def build(lib: dict[str, Any]) -> Any:
        nn = lib["nn"]
        net = nn.Module()
        net.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)
        net.bn1 = nn.BatchNorm2d(8)
        net.relu = nn.ReLU()
        net.layer1 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        net.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        net.fc = nn.Linear(8, 1000)
        net.forward = lambda X: net.fc(torch_flatten(net.avgpool(net.layer1(net.relu(net.bn1(net.conv1(X)))))))
        torch_flatten = lambda X: X.reshape(X.shape[0], -1)
        return net

    pretrained = _state(build(_libs(torch)[0]))
    head = {"fc.weight": rng.normal(0, 0.3, (2, 8)).astype(np.float32), "fc.bias": np.zeros(2, np.float32)}

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        pretrained_net = build(lib)
        _load(torch, pretrained_net, pretrained)
        finetune_net = pretrained_net
        finetune_net.fc = nn.Linear(finetune_net.fc.in_features, 2)
        nn.init.xavier_uniform_(finetune_net.fc.weight)
        bound = math.sqrt(6 / (8 + 2))
        out: dict[str, Any] = {"xavier_in_bound": bool((finetune_net.fc.weight.abs() <= bound).all())}
        with torch.no_grad():
            finetune_net.fc.weight.copy_(torch.tensor(head["fc.weight"]))
            finetune_net.fc.bias.copy_(torch.tensor(head["fc.bias"]))
        learning_rate, loss = 5e-2, nn.CrossEntropyLoss(reduction="none")
        params_1x = [param for name, param in finetune_net.named_parameters() if name not in ["fc.weight", "fc.bias"]]
        trainer = optim.SGD(
            [{"params": params_1x}, {"params": finetune_net.fc.parameters(), "lr": learning_rate * 10}],
            lr=learning_rate,
            weight_decay=0.001,
        )
        X, y = torch.tensor(X_np), torch.tensor(y_np)
        losses = []
        for _ in range(3):
            finetune_net.train()
            trainer.zero_grad()
            l = loss(finetune_net(X), y)
            l.sum().backward()
            trainer.step()
            losses.append(l.sum().item())
        out["losses"], out["state"] = losses, _state(finetune_net)
        finetune_net.zero_grad()
        for name, param in finetune_net.named_parameters():
            if not name.startswith("fc"):
                param.requires_grad = False
        trainer = optim.SGD((p for p in finetune_net.parameters() if p.requires_grad), lr=0.1)
        finetune_net.eval()
        trainer.zero_grad()
        loss(finetune_net(X), y).sum().backward()
        trainer.step()
        out["frozen_grads"] = [p.grad is None for p in params_1x]
        out["after_frozen"] = _state(finetune_net)
        return out

    theirs, ours = _both(torch, run)
    assert theirs["xavier_in_bound"] and all(theirs["frozen_grads"])
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def test_14_7_tiny_ssd_predictors_shapes_loss_a_training_step_and_prediction(torch):
    """TinySSD on 64x64 images: the class and box predictors' outputs concatenated over scales, the anchors of each
    scale, multibox_target's labels, calc_loss (CrossEntropyLoss and L1Loss with reduction='none'), cls_eval,
    bbox_eval, two SGD steps, then prediction by softmax and multibox_detection."""
    rng = np.random.default_rng(4)
    X_np = rng.random((2, 3, 64, 64), dtype=np.float32)
    Y_np = np.array([[[0, 0.1, 0.1, 0.5, 0.6]], [[0, 0.4, 0.3, 0.9, 0.8]]], dtype=np.float32)
    sizes = [[0.2, 0.272], [0.37, 0.447], [0.54, 0.619], [0.71, 0.79], [0.88, 0.961]]
    ratios = [[1, 2, 0.5]] * 5
    num_anchors = len(sizes[0]) + len(ratios[0]) - 1

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]
        d2l = anchor_helpers(lib)

        def cls_predictor(num_inputs, num_anchors, num_classes):
            return nn.Conv2d(num_inputs, num_anchors * (num_classes + 1), kernel_size=3, padding=1)

        def bbox_predictor(num_inputs, num_anchors):
            return nn.Conv2d(num_inputs, num_anchors * 4, kernel_size=3, padding=1)

        def flatten_pred(pred):
            return torch.flatten(pred.permute(0, 2, 3, 1), start_dim=1)

        def concat_preds(preds):
            return torch.cat([flatten_pred(p) for p in preds], dim=1)

        def down_sample_blk(in_channels, out_channels):
            blk = []
            for _ in range(2):
                blk.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
                blk.append(nn.BatchNorm2d(out_channels))
                blk.append(nn.ReLU())
                in_channels = out_channels
            blk.append(nn.MaxPool2d(2))
            return nn.Sequential(*blk)

        def base_net():
            blk = []
            num_filters = [3, 8, 8, 16]
            for i in range(len(num_filters) - 1):
                blk.append(down_sample_blk(num_filters[i], num_filters[i + 1]))
            return nn.Sequential(*blk)

        def get_blk(i):
            if i == 0:
                blk = base_net()
            elif i == 1:
                blk = down_sample_blk(16, 16)
            elif i == 4:
                blk = nn.AdaptiveMaxPool2d((1, 1))
            else:
                blk = down_sample_blk(16, 16)
            return blk

        def blk_forward(X, blk, size, ratio, cls_predictor, bbox_predictor):
            Y = blk(X)
            anchors = d2l["multibox_prior"](Y, sizes=size, ratios=ratio)
            cls_preds = cls_predictor(Y)
            bbox_preds = bbox_predictor(Y)
            return (Y, anchors, cls_preds, bbox_preds)

        class TinySSD(nn.Module):
            def __init__(self, num_classes, **kwargs):
                super(TinySSD, self).__init__(**kwargs)
                self.num_classes = num_classes
                idx_to_in_channels = [16, 16, 16, 16, 16]
                for i in range(5):
                    setattr(self, f"blk_{i}", get_blk(i))
                    setattr(self, f"cls_{i}", cls_predictor(idx_to_in_channels[i], num_anchors, num_classes))
                    setattr(self, f"bbox_{i}", bbox_predictor(idx_to_in_channels[i], num_anchors))

            def forward(self, X):
                anchors, cls_preds, bbox_preds = [None] * 5, [None] * 5, [None] * 5
                for i in range(5):
                    X, anchors[i], cls_preds[i], bbox_preds[i] = blk_forward(
                        X,
                        getattr(self, f"blk_{i}"),
                        sizes[i],
                        ratios[i],
                        getattr(self, f"cls_{i}"),
                        getattr(self, f"bbox_{i}"),
                    )
                anchors = torch.cat(anchors, dim=1)
                cls_preds = concat_preds(cls_preds)
                cls_preds = cls_preds.reshape(cls_preds.shape[0], -1, self.num_classes + 1)
                bbox_preds = concat_preds(bbox_preds)
                return anchors, cls_preds, bbox_preds

        net = TinySSD(num_classes=1)
        net.concat_preds, net.cls_predictor = concat_preds, cls_predictor
        return net

    weights = _state(build(_libs(torch)[0]))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]
        d2l = anchor_helpers(lib)
        net = build(lib)
        _load(torch, net, weights)
        out: dict[str, Any] = {}
        Y1 = net.cls_predictor(8, 5, 10)(torch.zeros((2, 8, 20, 20)))
        Y2 = net.cls_predictor(16, 3, 10)(torch.zeros((2, 16, 10, 10)))
        out["concat_shape"] = tuple(net.concat_preds([Y1, Y2]).shape)
        cls_loss = nn.CrossEntropyLoss(reduction="none")
        bbox_loss = nn.L1Loss(reduction="none")

        def calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks):
            batch_size, num_classes = cls_preds.shape[0], cls_preds.shape[2]
            cls = (
                cls_loss(cls_preds.reshape(-1, num_classes), cls_labels.reshape(-1)).reshape(batch_size, -1).mean(dim=1)
            )
            bbox = bbox_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks).mean(dim=1)
            return cls + bbox

        def cls_eval(cls_preds, cls_labels):
            return float((cls_preds.argmax(dim=-1).type(cls_labels.dtype) == cls_labels).sum())

        def bbox_eval(bbox_preds, bbox_labels, bbox_masks):
            return float((torch.abs((bbox_labels - bbox_preds) * bbox_masks)).sum())

        trainer = optim.SGD(net.parameters(), lr=0.2, weight_decay=5e-4)
        X, Y = torch.tensor(X_np), torch.tensor(Y_np)
        losses, evals = [], []
        for _ in range(2):
            net.train()
            trainer.zero_grad()
            anchors, cls_preds, bbox_preds = net(X)
            bbox_labels, bbox_masks, cls_labels = d2l["multibox_target"](anchors, Y)
            l = calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks)
            l.mean().backward()
            trainer.step()
            losses.append(l.detach().numpy())
            evals.append((cls_eval(cls_preds, cls_labels), bbox_eval(bbox_preds, bbox_labels, bbox_masks)))
        out["shapes"] = (tuple(anchors.shape), tuple(cls_preds.shape), tuple(bbox_preds.shape))
        out["labels"] = [bbox_labels.numpy(), bbox_masks.numpy(), cls_labels.numpy()]
        out["losses"], out["evals"], out["state"] = losses, evals, _state(net)
        net.eval()
        anchors, cls_preds, bbox_preds = net(X[:1])
        cls_probs = F.softmax(cls_preds, dim=2).permute(0, 2, 1)
        output = d2l["multibox_detection"](cls_probs, bbox_preds, anchors)
        idx = [i for i, row in enumerate(output[0]) if row[0] != -1]
        out["detection"], out["kept"] = output[0, idx].detach().numpy(), idx
        return out

    theirs, ours = _both(torch, run)
    assert theirs["concat_shape"] == (2, 25300) and theirs["shapes"][0] == (1, 4 * (64 + 16 + 4 + 1 + 1), 4)
    ours_evals, theirs_evals = ours.pop("evals"), theirs.pop("evals")
    np.testing.assert_allclose(ours_evals, theirs_evals, rtol=1e-4)
    _compare(ours, theirs, rtol=1e-3, atol=1e-5)


def test_14_10_transposed_convolution_from_scratch_padding_stride_channels_and_as_a_matrix_product(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]

        def trans_conv(X, K):
            h, w = K.shape
            Y = torch.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1))
            for i in range(X.shape[0]):
                for j in range(X.shape[1]):
                    Y[i : i + h, j : j + w] += X[i, j] * K
            return Y

        def corr2d(X, K):
            h, w = K.shape
            Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
            return Y

        out: dict[str, Any] = {}
        X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
        K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
        out["scratch"] = trans_conv(X, K).numpy()
        X, K = X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)
        tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)
        tconv.weight.data = K
        out["tconv"] = tconv(X).detach().numpy()
        tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1, bias=False)
        tconv.weight.data = K
        out["padded"] = tconv(X).detach().numpy()
        tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2, bias=False)
        tconv.weight.data = K
        out["strided"] = tconv(X).detach().numpy()
        X = torch.tensor(np.random.default_rng(5).random((1, 10, 16, 16), dtype=np.float32))
        conv = nn.Conv2d(10, 20, kernel_size=5, padding=2, stride=3)
        tconv = nn.ConvTranspose2d(20, 10, kernel_size=5, padding=2, stride=3)
        out["round_shape"] = tuple(tconv(conv(X)).shape) == tuple(X.shape)
        X = torch.arange(9.0).reshape(3, 3)
        K = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        Y = corr2d(X, K)

        def kernel2matrix(K):
            k, W = torch.zeros(5), torch.zeros((4, 9))
            k[:2], k[3:5] = K[0, :], K[1, :]
            W[0, :5], W[1, 1:6], W[2, 3:8], W[3, 4:] = k, k, k, k
            return W

        W = kernel2matrix(K)
        out["W"] = W.numpy()
        out["conv_as_matmul"] = bool((Y == torch.matmul(W, X.reshape(-1)).reshape(2, 2)).all())
        Z = trans_conv(Y, K)
        out["tconv_as_matmul"] = bool((Z == torch.matmul(W.T, Y.reshape(-1)).reshape(3, 3)).all())
        out["Z"] = Z.numpy()
        return out

    theirs, ours = _both(torch, run)
    assert theirs["conv_as_matmul"] and theirs["tconv_as_matmul"] and theirs["round_shape"]
    _compare(ours, theirs)


def test_14_11_bilinear_kernel_upsampling_and_an_fcn_on_a_small_backbone(torch):
    """bilinear_kernel (assigned through ``weight[range(c), range(c), :, :]``) in a ConvTranspose2d doubling an
    image, against F.interpolate(align_corners=False) inside the border; the FCN: a backbone's children but the last
    two (``list(net.children())[:-2]``), a 1x1 final conv and a kernel-64 stride-32 transposed convolution
    initialised with the bilinear kernel, trained by a per-pixel cross-entropy ``.mean(1).mean(1)``, predicted by
    ``argmax(dim=1)``."""
    rng = np.random.default_rng(6)
    img_np = rng.random((1, 3, 8, 10), dtype=np.float32)
    X_np = rng.random((2, 3, 64, 96), dtype=np.float32)
    Y_np = rng.integers(0, 3, (2, 64, 96))

    def backbone(lib: dict[str, Any]) -> Any:
        nn = lib["nn"]
        return nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=4, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=4, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Linear(16, 10),
        )

    pretrained = _state(backbone(_libs(torch)[0]))
    final_conv = {k: v for k, v in _state(torch.nn.Conv2d(16, 3, kernel_size=1)).items()}

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]

        def bilinear_kernel(in_channels, out_channels, kernel_size):
            factor = (kernel_size + 1) // 2
            if kernel_size % 2 == 1:
                center = factor - 1
            else:
                center = factor - 0.5
            og = (torch.arange(kernel_size).reshape(-1, 1), torch.arange(kernel_size).reshape(1, -1))
            filt = (1 - torch.abs(og[0] - center) / factor) * (1 - torch.abs(og[1] - center) / factor)
            weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
            weight[range(in_channels), range(out_channels), :, :] = filt
            return weight

        out: dict[str, Any] = {"kernel": bilinear_kernel(3, 3, 4).numpy(), "odd": bilinear_kernel(2, 2, 3).numpy()}
        conv_trans = nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)
        conv_trans.weight.data.copy_(bilinear_kernel(3, 3, 4))
        img = torch.tensor(img_np)
        Y = conv_trans(img)
        out["upsampled"] = Y.detach().numpy()
        out["interpolated"] = F.interpolate(img, scale_factor=2, mode="bilinear", align_corners=False).numpy()
        pretrained_net = backbone(lib)
        _load(torch, pretrained_net, pretrained)
        out["children"] = [type(c).__name__ for c in list(pretrained_net.children())[-3:]]
        net = nn.Sequential(*list(pretrained_net.children())[:-2])
        num_classes = 3
        net.add_module("final_conv", nn.Conv2d(16, num_classes, kernel_size=1))
        net.add_module(
            "transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16, stride=32)
        )
        net.final_conv.load_state_dict({k: torch.tensor(v) for k, v in final_conv.items()})
        W = bilinear_kernel(num_classes, num_classes, 64)
        net.transpose_conv.weight.data.copy_(W)
        nn.init.zeros_(net.transpose_conv.bias)
        X = torch.tensor(X_np)
        out["shape"] = tuple(net(X).shape)

        def loss(inputs, targets):
            return F.cross_entropy(inputs, targets, reduction="none").mean(1).mean(1)

        trainer = optim.SGD(net.parameters(), lr=0.01, weight_decay=1e-3)
        y, losses = torch.tensor(Y_np), []
        for _ in range(2):
            net.train()
            trainer.zero_grad()
            l = loss(net(X), y)
            l.sum().backward()
            trainer.step()
            losses.append(l.detach().numpy())
        out["losses"], out["state"] = losses, _state(net)
        net.eval()
        pred = net(X[:1]).argmax(dim=1)
        out["pred"] = pred.reshape(pred.shape[1], pred.shape[2]).numpy()
        return out

    theirs, ours = _both(torch, run)
    assert theirs["shape"] == (2, 3, 64, 96)
    inner = (slice(None), slice(None), slice(1, -1), slice(1, -1))
    np.testing.assert_allclose(ours["upsampled"][inner], ours["interpolated"][inner], rtol=1e-5, atol=1e-6)
    pred_agree = (ours.pop("pred") == theirs.pop("pred")).mean()
    assert pred_agree > 0.99
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def test_14_12_neural_style_transfer_gram_content_style_and_tv_losses_optimising_the_image(torch):
    """A small VGG-like feature extractor (its weights given, frozen), the content and style images' features, the
    SynthesizedImage module whose only parameter is the image, Adam with StepLR(gamma 0.8) over content_loss,
    style_loss on Gram matrices and tv_loss weighted 1, 1e4, 10, then postprocess's de-normalised clamp."""
    rng = np.random.default_rng(7)
    content_np = rng.random((1, 3, 16, 20), dtype=np.float32)
    style_np = rng.random((1, 3, 16, 20), dtype=np.float32)

    def features(lib: dict[str, Any]) -> Any:
        nn = lib["nn"]
        return nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1),
            nn.ReLU(),
        )

    weights = _state(features(_libs(torch)[0]))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        optim = lib["optim"]
        pretrained_features = features(lib)
        _load(torch, pretrained_features, weights)
        rgb_mean = torch.tensor([0.485, 0.456, 0.406])
        rgb_std = torch.tensor([0.229, 0.224, 0.225])

        def preprocess(img):
            return ((img - rgb_mean.reshape(3, 1, 1)) / rgb_std.reshape(3, 1, 1)).unsqueeze(0)

        def postprocess(img):
            img = img[0].to(rgb_std.device)
            img = torch.clamp(img.permute(1, 2, 0) * rgb_std + rgb_mean, 0, 1)
            return img.permute(2, 0, 1)

        style_layers, content_layers = [0, 3, 5, 8], [7]
        net = nn.Sequential(*[pretrained_features[i] for i in range(max(content_layers + style_layers) + 1)])
        for p in net.parameters():
            p.requires_grad_(False)

        def extract_features(X, content_layers, style_layers):
            contents = []
            styles = []
            for i in range(len(net)):
                X = net[i](X)
                if i in style_layers:
                    styles.append(X)
                if i in content_layers:
                    contents.append(X)
            return contents, styles

        def get_contents(image_shape, device):
            content_X = preprocess(torch.tensor(content_np[0])).to(device)
            contents_Y, _ = extract_features(content_X, content_layers, style_layers)
            return content_X, contents_Y

        def get_styles(image_shape, device):
            style_X = preprocess(torch.tensor(style_np[0])).to(device)
            _, styles_Y = extract_features(style_X, content_layers, style_layers)
            return style_X, styles_Y

        def content_loss(Y_hat, Y):
            return torch.square(Y_hat - Y.detach()).mean()

        def gram(X):
            num_channels, n = X.shape[1], X.numel() // X.shape[1]
            X = X.reshape((num_channels, n))
            return torch.matmul(X, X.T) / (num_channels * n)

        def style_loss(Y_hat, gram_Y):
            return torch.square(gram(Y_hat) - gram_Y.detach()).mean()

        def tv_loss(Y_hat):
            return 0.5 * (
                torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
                + torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean()
            )

        content_weight, style_weight, tv_weight = 1, 1e4, 10

        def compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram):
            contents_l = [content_loss(Y_hat, Y) * content_weight for Y_hat, Y in zip(contents_Y_hat, contents_Y)]
            styles_l = [style_loss(Y_hat, Y) * style_weight for Y_hat, Y in zip(styles_Y_hat, styles_Y_gram)]
            tv_l = tv_loss(X) * tv_weight
            l = sum(styles_l + contents_l + [tv_l])
            return contents_l, styles_l, tv_l, l

        class SynthesizedImage(nn.Module):
            def __init__(self, img_shape, **kwargs):
                super(SynthesizedImage, self).__init__(**kwargs)
                self.weight = nn.Parameter(torch.rand(*img_shape))

            def forward(self):
                return self.weight

        def get_inits(X, device, lr, styles_Y):
            gen_img = SynthesizedImage(X.shape).to(device)
            gen_img.weight.data.copy_(X.data)
            trainer = optim.Adam(gen_img.parameters(), lr=lr)
            styles_Y_gram = [gram(Y) for Y in styles_Y]
            return gen_img(), styles_Y_gram, trainer

        history = []

        def train(X, contents_Y, styles_Y, device, lr, num_epochs, lr_decay_epoch):
            X, styles_Y_gram, trainer = get_inits(X, device, lr, styles_Y)
            scheduler = optim.lr_scheduler.StepLR(trainer, lr_decay_epoch, 0.8)
            for epoch in range(num_epochs):
                trainer.zero_grad()
                contents_Y_hat, styles_Y_hat = extract_features(X, content_layers, style_layers)
                contents_l, styles_l, tv_l, l = compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram)
                l.backward()
                trainer.step()
                scheduler.step()
                history.append([float(sum(contents_l)), float(sum(styles_l)), float(tv_l)])
            return X

        device = "cpu"
        content_X, contents_Y = get_contents(None, device)
        _, styles_Y = get_styles(None, device)
        out: dict[str, Any] = {"gram": gram(styles_Y[1]).detach().numpy()}
        output = train(content_X, contents_Y, styles_Y, device, 0.05, 6, 2)
        out["history"], out["image"] = np.array(history), postprocess(output).detach().numpy()
        out["frozen"] = all(p.grad is None for p in net.parameters())
        return out

    theirs, ours = _both(torch, run)
    assert theirs["frozen"] and theirs["history"][-1, 1] < theirs["history"][0, 1]
    _compare(ours, theirs, rtol=2e-4, atol=1e-5)


# ---- ch15-16: natural language processing ------------------------------------------------------------------


def _no_dropout(nn: Any, net: Any) -> None:
    """Every Dropout of ``net`` at p=0: each library would draw its own masks in training."""
    for module in net.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0


def test_15_4_skip_gram_with_negative_sampling_masked_sigmoid_bce_and_similar_tokens(torch):
    """The masked SigmoidBCELoss on the book's example, batchify's padding and masks through a DataLoader, the
    skip-gram's bmm of center and context embeddings, Adam steps on xavier-initialised embeddings and
    get_similar_tokens' cosine top-k."""
    rng = np.random.default_rng(8)
    vocab_size, embed_size = 12, 6
    data = []
    for _ in range(6):
        n_ctx = int(rng.integers(1, 4))
        data.append(
            (
                int(rng.integers(vocab_size)),
                rng.integers(1, vocab_size, n_ctx).tolist(),
                rng.integers(1, vocab_size, 2 * n_ctx).tolist(),
            )
        )
    embeds = [rng.uniform(-0.4, 0.4, (vocab_size, embed_size)).astype(np.float32) for _ in range(2)]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data_utils = lib["torch"], lib["nn"], lib["optim"], lib["data"]

        class SigmoidBCELoss(nn.Module):
            def __init__(self):
                super().__init__()

            def forward(self, inputs, target, mask=None):
                out = nn.functional.binary_cross_entropy_with_logits(inputs, target, weight=mask, reduction="none")
                return out.mean(dim=1)

        loss = SigmoidBCELoss()
        pred = torch.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
        label = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
        mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
        out: dict[str, Any] = {"masked": (loss(pred, label, mask) * mask.shape[1] / mask.sum(axis=1)).numpy()}
        sigmd = lambda x: -math.log(1 / (1 + math.exp(-x)))
        out["by_hand"] = [(sigmd(1.1) + sigmd(2.2) + sigmd(-3.3) + sigmd(4.4)) / 4, (sigmd(-1.1) + sigmd(-2.2)) / 2]

        def batchify(data):
            max_len = max(len(c) + len(n) for _, c, n in data)
            centers, contexts_negatives, masks, labels = [], [], [], []
            for center, context, negative in data:
                cur_len = len(context) + len(negative)
                centers += [center]
                contexts_negatives += [context + negative + [0] * (max_len - cur_len)]
                masks += [[1] * cur_len + [0] * (max_len - cur_len)]
                labels += [[1] * len(context) + [0] * (max_len - len(context))]
            return (
                torch.tensor(centers).reshape((-1, 1)),
                torch.tensor(contexts_negatives),
                torch.tensor(masks),
                torch.tensor(labels),
            )

        def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
            v = embed_v(center)
            u = embed_u(contexts_and_negatives)
            pred = torch.bmm(v, u.permute(0, 2, 1))
            return pred

        net = nn.Sequential(
            nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size),
            nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size),
        )

        def init_weights(module):
            if type(module) == nn.Embedding:
                nn.init.xavier_uniform_(module.weight)

        net.apply(init_weights)
        out["xavier_bound"] = bool(net[0].weight.abs().max() <= math.sqrt(6 / (vocab_size + embed_size)))
        for embedding, weight in zip(net, embeds):
            embedding.weight.data.copy_(torch.tensor(weight))
        out["pred_shape"] = tuple(
            skip_gram(torch.ones((2, 1), dtype=torch.long), torch.ones((2, 4), dtype=torch.long), net[0], net[1]).shape
        )
        data_iter = data_utils.DataLoader(data, batch_size=3, shuffle=False, collate_fn=batchify)
        optimizer = optim.Adam(net.parameters(), lr=0.01)
        losses, batches = [], []
        for epoch in range(2):
            for batch in data_iter:
                optimizer.zero_grad()
                center, context_negative, mask, label = [data.to("cpu") for data in batch]
                batches.append([b.numpy() for b in batch])
                pred = skip_gram(center, context_negative, net[0], net[1])
                l = loss(pred.reshape(label.shape).float(), label.float(), mask) / mask.sum(axis=1) * mask.shape[1]
                l.sum().backward()
                optimizer.step()
                losses.append(l.detach().numpy())
        out["batches"], out["losses"], out["state"] = batches[:2], losses, _state(net)

        def get_similar_tokens(query_token, k, embed):
            W = embed.weight.data
            x = W[query_token]
            cos = torch.mv(W, x) / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
            topk = torch.topk(cos, k=k + 1)[1].cpu().numpy().astype("int32")
            return [int(i) for i in topk[1:]], cos.numpy()

        out["similar"], out["cos"] = get_similar_tokens(3, 3, net[0])
        return out

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(theirs["masked"], theirs["by_hand"], rtol=1e-5)
    assert theirs["xavier_bound"] and theirs["pred_shape"] == (2, 1, 4)
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


def test_15_8_bert_encoder_masklm_next_sentence_prediction_and_pretraining_steps(torch):
    """get_tokens_and_segments, the BERTEncoder (token, segment and learnable positional embeddings into the
    chapter 11 TransformerEncoderBlock with biases), MaskLM's gather by repeat_interleave'd batch indices,
    NextSentencePred, the BERTModel's hidden tanh layer, _get_batch_loss_bert's weighted MLM loss and Adam steps."""
    from test_d2l_chapters_9_12_port import _attention_classes

    vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, max_len = 20, 16, 24, 2, 2, 32
    rng = np.random.default_rng(9)
    tokens_np = rng.integers(0, vocab_size, (2, 8))
    segments_np = np.array([[0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1]])
    valid_np = np.array([8.0, 6.0], dtype=np.float32)
    pred_positions_np = np.array([[1, 5, 2], [6, 1, 5]])
    mlm_weights_np = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]], dtype=np.float32)
    mlm_Y_np = rng.integers(0, vocab_size, (2, 3))
    nsp_np = np.array([0, 1])

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]
        TransformerEncoderBlock = _attention_classes(lib)["TransformerEncoderBlock"]

        class BERTEncoder(nn.Module):
            def __init__(
                self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len=1000, **kwargs
            ):
                super(BERTEncoder, self).__init__(**kwargs)
                self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
                self.segment_embedding = nn.Embedding(2, num_hiddens)
                self.blks = nn.Sequential()
                for i in range(num_blks):
                    self.blks.add_module(
                        f"{i}", TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, True)
                    )
                self.pos_embedding = nn.Parameter(torch.randn(1, max_len, num_hiddens))

            def forward(self, tokens, segments, valid_lens):
                X = self.token_embedding(tokens) + self.segment_embedding(segments)
                X = X + self.pos_embedding[:, : X.shape[1], :]
                for blk in self.blks:
                    X = blk(X, valid_lens)
                return X

        class MaskLM(nn.Module):
            def __init__(self, vocab_size, num_hiddens, **kwargs):
                super(MaskLM, self).__init__(**kwargs)
                self.mlp = nn.Sequential(
                    nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens), nn.LazyLinear(vocab_size)
                )

            def forward(self, X, pred_positions):
                num_pred_positions = pred_positions.shape[1]
                pred_positions = pred_positions.reshape(-1)
                batch_size = X.shape[0]
                batch_idx = torch.arange(0, batch_size)
                batch_idx = torch.repeat_interleave(batch_idx, num_pred_positions)
                masked_X = X[batch_idx, pred_positions]
                masked_X = masked_X.reshape((batch_size, num_pred_positions, -1))
                mlm_Y_hat = self.mlp(masked_X)
                return mlm_Y_hat

        class NextSentencePred(nn.Module):
            def __init__(self, **kwargs):
                super(NextSentencePred, self).__init__(**kwargs)
                self.output = nn.LazyLinear(2)

            def forward(self, X):
                return self.output(X)

        class BERTModel(nn.Module):
            def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len=1000):
                super(BERTModel, self).__init__()
                self.encoder = BERTEncoder(
                    vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len=max_len
                )
                self.hidden = nn.Sequential(nn.LazyLinear(num_hiddens), nn.Tanh())
                self.mlm = MaskLM(vocab_size, num_hiddens)
                self.nsp = NextSentencePred()

            def forward(self, tokens, segments, valid_lens=None, pred_positions=None):
                encoded_X = self.encoder(tokens, segments, valid_lens)
                if pred_positions is not None:
                    mlm_Y_hat = self.mlm(encoded_X, pred_positions)
                else:
                    mlm_Y_hat = None
                nsp_Y_hat = self.nsp(self.hidden(encoded_X[:, 0, :]))
                return encoded_X, mlm_Y_hat, nsp_Y_hat

        net = BERTModel(vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, 0.0, max_len=max_len)
        net(torch.tensor(tokens_np), torch.tensor(segments_np), None, torch.tensor(pred_positions_np))
        return net

    weights = _state(build(_libs(torch)[0]))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]

        def get_tokens_and_segments(tokens_a, tokens_b=None):
            tokens = ["<cls>"] + tokens_a + ["<sep>"]
            segments = [0] * (len(tokens_a) + 2)
            if tokens_b is not None:
                tokens += tokens_b + ["<sep>"]
                segments += [1] * (len(tokens_b) + 1)
            return tokens, segments

        net = build(lib)
        _load(torch, net, weights)
        out: dict[str, Any] = {"segments": get_tokens_and_segments(["a", "b"], ["c"])}
        tokens, segments = torch.tensor(tokens_np), torch.tensor(segments_np)
        encoded_X = net.encoder(tokens, segments, None)
        out["encoded_shape"], out["encoded"] = tuple(encoded_X.shape), encoded_X.detach().numpy()
        mlm_positions = torch.tensor([[1, 5, 2], [6, 1, 5]])
        mlm_Y_hat = net.mlm(encoded_X, mlm_positions)
        out["mlm_shape"] = tuple(mlm_Y_hat.shape)
        loss = nn.CrossEntropyLoss(reduction="none")
        mlm_l = loss(mlm_Y_hat.reshape((-1, vocab_size)), torch.tensor(mlm_Y_np).reshape(-1))
        out["mlm_l"] = mlm_l.detach().numpy()
        encoded_X = torch.flatten(encoded_X, start_dim=1)
        nsp = nn.Sequential(nn.LazyLinear(2))
        out["nsp_shape"] = tuple(nsp(encoded_X).shape)
        loss = nn.CrossEntropyLoss()

        def _get_batch_loss_bert(
            net, loss, vocab_size, tokens_X, segments_X, valid_lens_x, pred_positions_X, mlm_weights_X, mlm_Y, nsp_y
        ):
            _, mlm_Y_hat, nsp_Y_hat = net(tokens_X, segments_X, valid_lens_x.reshape(-1), pred_positions_X)
            mlm_l = loss(mlm_Y_hat.reshape(-1, vocab_size), mlm_Y.reshape(-1)) * mlm_weights_X.reshape(-1, 1)
            mlm_l = mlm_l.sum() / (mlm_weights_X.sum() + 1e-8)
            nsp_l = loss(nsp_Y_hat, nsp_y)
            l = mlm_l + nsp_l
            return mlm_l, nsp_l, l

        trainer = optim.Adam(net.parameters(), lr=0.01)
        history = []
        for _ in range(3):
            trainer.zero_grad()
            mlm_l, nsp_l, l = _get_batch_loss_bert(
                net,
                loss,
                vocab_size,
                tokens,
                segments,
                torch.tensor(valid_np),
                torch.tensor(pred_positions_np),
                torch.tensor(mlm_weights_np),
                torch.tensor(mlm_Y_np),
                torch.tensor(nsp_np),
            )
            l.backward()
            if not history:
                out["grads"] = _grads(net)
            trainer.step()
            history.append([mlm_l.item(), nsp_l.item(), l.item()])
        out["history"], out["state"] = np.array(history), _state(net)
        return out

    theirs, ours = _both(torch, run)
    assert theirs["encoded_shape"] == (2, 8, 16) and theirs["mlm_shape"] == (2, 3, 20)
    # a key bias adds q.b to every score of a query, which the softmax ignores: its gradient is 0 but for rounding,
    # whose sign Adam's first step (g / sqrt(g^2)) turns into +-lr in each library's own direction
    for blk in range(num_blks):
        key_bias = f"encoder.blks.{blk}.attention.W_k.bias"
        np.testing.assert_allclose(ours["grads"][key_bias], 0, atol=1e-6)
        for result in (ours, theirs):
            del result["grads"][key_bias], result["state"][key_bias]
    _compare(ours, theirs, rtol=2e-4, atol=2e-5)


def test_16_2_16_3_sentiment_birnn_and_textcnn_with_frozen_pretrained_embeddings(torch):
    """The BiRNN (a two-layer bidirectional LSTM, outputs[0] and outputs[-1] concatenated) with init_weights through
    ``_flat_weights_names``, corr1d and its multi-input sum, the TextCNN (a trainable and a constant embedding,
    Conv1d per kernel size, AdaptiveAvgPool1d, squeeze(dim=-1)); each with its 'GloVe' embedding copied in and
    frozen by requires_grad = False, Adam steps over CrossEntropyLoss(reduction='none').sum() and predict_sentiment."""
    rng = np.random.default_rng(10)
    vocab_size, embed_size, num_hiddens = 15, 6, 5
    X_np = rng.integers(0, vocab_size, (4, 7))
    y_np = np.array([0, 1, 1, 0])
    glove = rng.normal(0, 0.5, (vocab_size, embed_size)).astype(np.float32)

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]

        class BiRNN(nn.Module):
            def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, **kwargs):
                super(BiRNN, self).__init__(**kwargs)
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers, bidirectional=True)
                self.decoder = nn.Linear(4 * num_hiddens, 2)

            def forward(self, inputs):
                embeddings = self.embedding(inputs.T)
                self.encoder.flatten_parameters()
                outputs, _ = self.encoder(embeddings)
                encoding = torch.cat((outputs[0], outputs[-1]), dim=1)
                outs = self.decoder(encoding)
                return outs

        class TextCNN(nn.Module):
            def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels, **kwargs):
                super(TextCNN, self).__init__(**kwargs)
                self.embedding = nn.Embedding(vocab_size, embed_size)
                self.constant_embedding = nn.Embedding(vocab_size, embed_size)
                self.dropout = nn.Dropout(0.5)
                self.decoder = nn.Linear(sum(num_channels), 2)
                self.pool = nn.AdaptiveAvgPool1d(1)
                self.relu = nn.ReLU()
                self.convs = nn.ModuleList()
                for c, k in zip(num_channels, kernel_sizes):
                    self.convs.append(nn.Conv1d(2 * embed_size, c, k))

            def forward(self, inputs):
                embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2)
                embeddings = embeddings.permute(0, 2, 1)
                encoding = torch.cat(
                    [torch.squeeze(self.relu(self.pool(conv(embeddings))), dim=-1) for conv in self.convs], dim=1
                )
                outputs = self.decoder(self.dropout(encoding))
                return outputs

        return BiRNN(vocab_size, embed_size, num_hiddens, 2), TextCNN(vocab_size, embed_size, [3, 4, 5], [4, 4, 4])

    weights = [_state(net) for net in build(_libs(torch)[0])]

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        birnn, textcnn = build(lib)

        def init_weights(module):
            if type(module) == nn.Linear:
                nn.init.xavier_uniform_(module.weight)
            if type(module) == nn.LSTM:
                for param in module._flat_weights_names:
                    if "weight" in param:
                        nn.init.xavier_uniform_(module._parameters[param])

        birnn.apply(init_weights)
        bound = math.sqrt(6 / (embed_size + 4 * num_hiddens))
        out: dict[str, Any] = {"xavier": bool(birnn.encoder.weight_ih_l0.abs().max() <= bound)}

        def corr1d(X, K):
            w = K.shape[0]
            Y = torch.zeros((X.shape[0] - w + 1))
            for i in range(Y.shape[0]):
                Y[i] = (X[i : i + w] * K).sum()
            return Y

        def corr1d_multi_in(X, K):
            return sum(corr1d(x, k) for x, k in zip(X, K))

        X, K = torch.tensor([0, 1, 2, 3, 4, 5, 6]), torch.tensor([1, 2])
        out["corr1d"] = corr1d(X, K).numpy()
        X = torch.tensor([[0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7], [2, 3, 4, 5, 6, 7, 8]])
        K = torch.tensor([[1, 2], [3, 4], [-1, -3]])
        out["corr1d_multi_in"] = corr1d_multi_in(X, K).numpy()
        X, y = torch.tensor(X_np), torch.tensor(y_np)
        loss = nn.CrossEntropyLoss(reduction="none")
        for name, net, weight in (("birnn", birnn, weights[0]), ("textcnn", textcnn, weights[1])):
            _load(torch, net, weight)
            _no_dropout(nn, net)
            net.embedding.weight.data.copy_(torch.tensor(glove))
            if name == "birnn":
                net.embedding.weight.requires_grad = False
            else:
                net.constant_embedding.weight.data.copy_(torch.tensor(glove))
                net.constant_embedding.weight.requires_grad = False
            trainer = optim.Adam(net.parameters(), lr=0.01)
            losses = []
            for _ in range(3):
                net.train()
                trainer.zero_grad()
                l = loss(net(X), y)
                l.sum().backward()
                trainer.step()
                losses.append(l.detach().numpy())
            net.eval()
            label = torch.argmax(net(X[0].reshape(1, -1)), dim=1)
            out[name] = {"losses": losses, "state": _state(net), "label": int(label)}
        return out

    theirs, ours = _both(torch, run)
    assert theirs["xavier"] and theirs["corr1d"].tolist() == [2, 5, 8, 11, 14, 17]
    assert theirs["corr1d_multi_in"].tolist() == [2, 8, 14, 20, 26, 32]
    _compare(ours, theirs, rtol=2e-4, atol=2e-5)


def test_16_5_decomposable_attention_attend_compare_aggregate_and_training_steps(torch):
    rng = np.random.default_rng(11)
    vocab_size, embed_size, num_hiddens = 13, 8, 10
    premises_np, hypotheses_np = rng.integers(0, vocab_size, (3, 6)), rng.integers(0, vocab_size, (3, 5))
    y_np = np.array([0, 2, 1])

    def build(lib: dict[str, Any]) -> Any:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]

        def mlp(num_inputs, num_hiddens, flatten):
            net = []
            net.append(nn.Dropout(0.2))
            net.append(nn.Linear(num_inputs, num_hiddens))
            net.append(nn.ReLU())
            if flatten:
                net.append(nn.Flatten(start_dim=1))
            net.append(nn.Dropout(0.2))
            net.append(nn.Linear(num_hiddens, num_hiddens))
            net.append(nn.ReLU())
            if flatten:
                net.append(nn.Flatten(start_dim=1))
            return nn.Sequential(*net)

        class Attend(nn.Module):
            def __init__(self, num_inputs, num_hiddens, **kwargs):
                super(Attend, self).__init__(**kwargs)
                self.f = mlp(num_inputs, num_hiddens, flatten=False)

            def forward(self, A, B):
                f_A = self.f(A)
                f_B = self.f(B)
                e = torch.bmm(f_A, f_B.permute(0, 2, 1))
                beta = torch.bmm(F.softmax(e, dim=-1), B)
                alpha = torch.bmm(F.softmax(e.permute(0, 2, 1), dim=-1), A)
                return beta, alpha

        class Compare(nn.Module):
            def __init__(self, num_inputs, num_hiddens, **kwargs):
                super(Compare, self).__init__(**kwargs)
                self.g = mlp(num_inputs, num_hiddens, flatten=False)

            def forward(self, A, B, beta, alpha):
                V_A = self.g(torch.cat([A, beta], dim=2))
                V_B = self.g(torch.cat([B, alpha], dim=2))
                return V_A, V_B

        class Aggregate(nn.Module):
            def __init__(self, num_inputs, num_hiddens, num_outputs, **kwargs):
                super(Aggregate, self).__init__(**kwargs)
                self.h = mlp(num_inputs, num_hiddens, flatten=True)
                self.linear = nn.Linear(num_hiddens, num_outputs)

            def forward(self, V_A, V_B):
                V_A = V_A.sum(dim=1)
                V_B = V_B.sum(dim=1)
                Y_hat = self.linear(self.h(torch.cat([V_A, V_B], dim=1)))
                return Y_hat

        class DecomposableAttention(nn.Module):
            def __init__(
                self,
                vocab,
                embed_size,
                num_hiddens,
                num_inputs_attend=100,
                num_inputs_compare=200,
                num_inputs_agg=400,
                **kwargs,
            ):
                super(DecomposableAttention, self).__init__(**kwargs)
                self.embedding = nn.Embedding(len(vocab), embed_size)
                self.attend = Attend(num_inputs_attend, num_hiddens)
                self.compare = Compare(num_inputs_compare, num_hiddens)
                self.aggregate = Aggregate(num_inputs_agg, num_hiddens, num_outputs=3)

            def forward(self, X):
                premises, hypotheses = X
                A = self.embedding(premises)
                B = self.embedding(hypotheses)
                beta, alpha = self.attend(A, B)
                V_A, V_B = self.compare(A, B, beta, alpha)
                Y_hat = self.aggregate(V_A, V_B)
                return Y_hat

        return DecomposableAttention(
            list(range(vocab_size)), embed_size, num_hiddens, embed_size, 2 * embed_size, 2 * num_hiddens
        )

    weights = _state(build(_libs(torch)[0]))

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, F, optim = lib["torch"], lib["nn"], lib["F"], lib["optim"]
        net = build(lib)
        _load(torch, net, weights)
        _no_dropout(nn, net)
        X = [torch.tensor(premises_np), torch.tensor(hypotheses_np)]
        A, B = net.embedding(X[0]), net.embedding(X[1])
        beta, alpha = net.attend(A, B)
        out: dict[str, Any] = {"beta": beta.detach().numpy(), "alpha": alpha.detach().numpy()}
        trainer = optim.Adam(net.parameters(), lr=0.001)
        loss = nn.CrossEntropyLoss(reduction="none")
        losses = []
        for _ in range(3):
            net.train()
            trainer.zero_grad()
            l = loss(net(X), torch.tensor(y_np))
            l.sum().backward()
            trainer.step()
            losses.append(l.detach().numpy())
        net.eval()

        def predict_snli(net, premise, hypothesis):
            premise = torch.tensor(premise)
            hypothesis = torch.tensor(hypothesis)
            label = torch.argmax(net([premise.reshape((1, -1)), hypothesis.reshape((1, -1))]), dim=1)
            return "entailment" if label == 0 else "contradiction" if label == 1 else "neutral"

        out["losses"], out["state"] = losses, _state(net)
        out["probs"] = F.softmax(net(X), dim=1).detach().numpy()
        out["prediction"] = predict_snli(net, premises_np[0], hypotheses_np[0])
        return out

    theirs, ours = _both(torch, run)
    _compare(ours, theirs, rtol=1e-4, atol=1e-6)


# ---- ch18: Gaussian processes --------------------------------------------------------------------------------


def test_18_3_gaussian_process_posterior_by_cholesky_and_marginal_likelihood_by_autograd(torch):
    """The RBF kernel matrices of the book's sin(x) + 0.5 sin(4x) data (distances by cdist), the posterior mean,
    covariance and 95% band through a Cholesky factor (cholesky_solve, solve_triangular), the log marginal
    likelihood, and the length-scale, amplitude and noise (as logarithms) fitted by Adam on its negative, in float64
    as the book's numpy code."""
    rng = np.random.default_rng(12)
    train_x_np = np.linspace(0, 5, 20)
    train_y_np = np.sin(train_x_np) + 0.5 * np.sin(4 * train_x_np) + rng.normal(0, 0.25, 20)
    test_x_np = np.linspace(0, 5, 50)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, optim = lib["torch"], lib["optim"]

        def rbfkernel(x1, x2, ls=4.0, amp=1.0):
            dist = torch.cdist(x1.reshape(-1, 1), x2.reshape(-1, 1))
            return amp**2 * torch.exp(-(1.0 / ls / 2) * (dist**2))

        train_x, train_y = torch.tensor(train_x_np), torch.tensor(train_y_np)
        test_x = torch.tensor(test_x_np)

        def posterior(ls, amp, noise_var):
            K = rbfkernel(train_x, train_x, ls, amp)
            L = torch.linalg.cholesky(K + noise_var * torch.eye(len(train_x), dtype=torch.float64))
            alpha = torch.cholesky_solve(train_y.reshape(-1, 1), L)
            K_s = rbfkernel(train_x, test_x, ls, amp)
            K_ss = rbfkernel(test_x, test_x, ls, amp)
            post_mean = (K_s.T @ alpha).reshape(-1)
            v = torch.linalg.solve_triangular(L, K_s, upper=False)
            post_cov = K_ss - v.T @ v
            nll = 0.5 * train_y @ alpha.reshape(-1) + torch.log(torch.diagonal(L)).sum()
            nll = nll + len(train_x) / 2 * math.log(2 * math.pi)
            return post_mean, post_cov, nll

        out: dict[str, Any] = {}
        post_mean, post_cov, nll = posterior(0.4, 1.0, 0.25**2)
        lw_bd = post_mean - 2 * torch.sqrt(torch.diag(post_cov).clamp(min=0))
        up_bd = post_mean + 2 * torch.sqrt(torch.diag(post_cov).clamp(min=0))
        out.update(mean=post_mean.numpy(), cov=post_cov.numpy(), lw_bd=lw_bd.numpy(), up_bd=up_bd.numpy())
        out["nll"] = nll.item()
        # the inverse written out, as the book's np.linalg.inv does it, gives the same posterior
        K = rbfkernel(train_x, train_x, 0.4) + 0.25**2 * torch.eye(20, dtype=torch.float64)
        out["mean_by_inv"] = (rbfkernel(test_x, train_x, 0.4) @ torch.linalg.inv(K) @ train_y).numpy()
        log_ls = torch.tensor(math.log(1.0), dtype=torch.float64, requires_grad=True)
        log_amp = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        log_noise = torch.tensor(math.log(0.5), dtype=torch.float64, requires_grad=True)
        optimizer = optim.Adam([log_ls, log_amp, log_noise], lr=0.1)
        history = []
        for i in range(20):
            optimizer.zero_grad()
            _, _, nll = posterior(torch.exp(log_ls), torch.exp(log_amp), torch.exp(2 * log_noise))
            nll.backward()
            if i == 0:
                out["grads"] = [_array(p.grad) for p in (log_ls, log_amp, log_noise)]
            optimizer.step()
            history.append(nll.item())
        out["history"], out["fitted"] = history, [p.item() for p in (log_ls, log_amp, log_noise)]
        return out

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(ours["mean_by_inv"], ours["mean"], rtol=1e-8, atol=1e-10)
    assert theirs["history"][-1] < theirs["history"][0]
    _compare(ours, theirs, rtol=1e-9, atol=1e-10)


def test_18_3_gp_marginal_likelihood_gradients_against_finite_differences(float32):
    """The negative log marginal likelihood's gradient in the kernel's log length-scale, log amplitude and log
    noise (through cholesky, cholesky_solve and the log of the diagonal) against central differences in float64."""
    import autograd as torch

    x_np = np.linspace(-1, 1, 7)
    y_np = np.cos(3 * x_np)

    def nll(params):
        log_ls, log_amp, log_noise = params
        x, y = torch.tensor(x_np), torch.tensor(y_np)
        dist = torch.cdist(x.reshape(-1, 1), x.reshape(-1, 1))
        K = torch.exp(2 * log_amp) * torch.exp(-0.5 * dist**2 / torch.exp(2 * log_ls))
        L = torch.linalg.cholesky(K + torch.exp(2 * log_noise) * torch.eye(7, dtype=torch.float64))
        alpha = torch.cholesky_solve(y.reshape(-1, 1), L).reshape(-1)
        return 0.5 * (y * alpha).sum() + torch.log(torch.diagonal(L)).sum()

    point = np.array([-0.3, 0.2, -1.1])
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    nll(params).backward()
    h = 1e-6
    numeric = []
    for i in range(3):
        up, down = point.copy(), point.copy()
        up[i] += h
        down[i] -= h
        as_tensors = lambda p: [torch.tensor(v, dtype=torch.float64) for v in p]
        numeric.append((nll(as_tensors(up)).item() - nll(as_tensors(down)).item()) / (2 * h))
    np.testing.assert_allclose([p.grad.item() for p in params], numeric, rtol=1e-6, atol=1e-8)


# ---- ch19: hyperparameter optimization -----------------------------------------------------------------------


def test_19_2_random_search_over_the_learning_rate_and_width_of_a_small_net(torch):
    """The book's HPO loop: configurations drawn from the search space (numpy draws them once here), each trained
    by SGD for a few minibatches of synthetic classification data and scored by its validation error; the best
    configuration and the incumbent trajectory."""
    rng = np.random.default_rng(13)
    X_np = rng.normal(0, 1, (96, 6)).astype(np.float32)
    y_np = (X_np[:, 0] + X_np[:, 1] ** 2 > 1).astype(np.int64)
    configs = [
        {"learning_rate": float(10 ** rng.uniform(-2, 0)), "num_hiddens": int(rng.integers(4, 17))} for _ in range(4)
    ]
    inits = {
        c["num_hiddens"]: [
            rng.normal(0, 0.3, s).astype(np.float32)
            for s in [(c["num_hiddens"], 6), (c["num_hiddens"],), (2, c["num_hiddens"]), (2,)]
        ]
        for c in configs
    }

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data = lib["torch"], lib["nn"], lib["optim"], lib["data"]

        def hpo_objective(config, max_epochs=3):
            net = nn.Sequential(nn.Linear(6, config["num_hiddens"]), nn.ReLU(), nn.Linear(config["num_hiddens"], 2))
            with torch.no_grad():
                for p, value in zip(net.parameters(), inits[config["num_hiddens"]]):
                    p.copy_(torch.tensor(value))
            dataset = data.TensorDataset(torch.tensor(X_np[:64]), torch.tensor(y_np[:64]))
            loader = data.DataLoader(dataset, batch_size=16, shuffle=False)
            trainer = optim.SGD(net.parameters(), lr=config["learning_rate"])
            loss = nn.CrossEntropyLoss()
            for _ in range(max_epochs):
                for X, y in loader:
                    trainer.zero_grad()
                    loss(net(X), y).backward()
                    trainer.step()
            with torch.no_grad():
                y_hat = net(torch.tensor(X_np[64:]))
                return 1 - float((y_hat.argmax(dim=1) == torch.tensor(y_np[64:])).float().mean())

        errors, incumbent, incumbent_error, trajectory = [], None, None, []
        for config in configs:
            error = hpo_objective(config)
            errors.append(error)
            if incumbent is None or incumbent_error > error:
                incumbent, incumbent_error = config, error
            trajectory.append(incumbent_error)
        return {"errors": errors, "incumbent": incumbent, "trajectory": trajectory}

    theirs, ours = _both(torch, run)
    _compare(ours, theirs)


# ---- ch20: generative adversarial networks -------------------------------------------------------------------


def test_20_1_gan_on_gaussian_data_update_d_update_g_with_bce_with_logits(torch):
    rng = np.random.default_rng(14)
    X_np = rng.normal(0.0, 1, (64, 2)).astype(np.float32)
    Z_np = rng.normal(0, 1, (4, 16, 2)).astype(np.float32)
    Z_final = rng.normal(0, 1, (10, 2)).astype(np.float32)
    inits = {}

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim, data_utils = lib["torch"], lib["nn"], lib["optim"], lib["data"]
        X = torch.tensor(X_np)
        A = torch.tensor([[1, 2], [-0.1, 0.5]])
        b = torch.tensor([1, 2])
        data = torch.matmul(X, A) + b
        batch_size = 16
        data_iter = data_utils.DataLoader(data_utils.TensorDataset(data), batch_size, shuffle=False)
        net_G = nn.Sequential(nn.Linear(2, 2))
        net_D = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1))

        def update_D(X, Z, net_D, net_G, loss, trainer_D):
            batch_size = X.shape[0]
            ones = torch.ones((batch_size,), device=X.device)
            zeros = torch.zeros((batch_size,), device=X.device)
            trainer_D.zero_grad()
            real_Y = net_D(X)
            fake_X = net_G(Z)
            fake_Y = net_D(fake_X.detach())
            loss_D = (loss(real_Y, ones.reshape(real_Y.shape)) + loss(fake_Y, zeros.reshape(fake_Y.shape))) / 2
            loss_D.backward()
            trainer_D.step()
            return loss_D

        def update_G(Z, net_D, net_G, loss, trainer_G):
            batch_size = Z.shape[0]
            ones = torch.ones((batch_size,), device=Z.device)
            trainer_G.zero_grad()
            fake_X = net_G(Z)
            fake_Y = net_D(fake_X)
            loss_G = loss(fake_Y, ones.reshape(fake_Y.shape))
            loss_G.backward()
            trainer_G.step()
            return loss_G

        loss = nn.BCEWithLogitsLoss(reduction="sum")
        for w in net_D.parameters():
            nn.init.normal_(w, 0, 0.02)
        for w in net_G.parameters():
            nn.init.normal_(w, 0, 0.02)
        out: dict[str, Any] = {"init_std_small": all(float(w.abs().max()) < 0.2 for w in net_D.parameters())}
        for net, name in ((net_D, "D"), (net_G, "G")):  # the same normal_(0, 0.02) draws on both sides
            if name not in inits:
                inits[name] = [
                    np.random.default_rng(len(name)).normal(0, 0.02, tuple(w.shape)).astype(np.float32)
                    for w in net.parameters()
                ]
            with torch.no_grad():
                for w, value in zip(net.parameters(), inits[name]):
                    w.copy_(torch.tensor(value))
        trainer_D = optim.Adam(net_D.parameters(), lr=0.05)
        trainer_G = optim.Adam(net_G.parameters(), lr=0.005)
        history = []
        for epoch in range(2):
            for (X,), Z in zip(data_iter, Z_np):
                Z = torch.tensor(Z)
                loss_D = update_D(X, Z, net_D, net_G, loss, trainer_D)
                loss_G = update_G(Z, net_D, net_G, loss, trainer_G)
                history.append([loss_D.item(), loss_G.item()])
        out["history"] = np.array(history)
        out["fake_X"] = net_G(torch.tensor(Z_final)).detach().numpy()
        out["D"], out["G"] = _state(net_D), _state(net_G)
        return out

    theirs, ours = _both(torch, run)
    assert theirs["init_std_small"]
    _compare(ours, theirs, rtol=1e-4, atol=1e-5)


def test_20_2_dcgan_generator_and_discriminator_blocks_shapes_leaky_relu_and_training_steps(torch):
    """G_block (ConvTranspose2d, BatchNorm2d, ReLU) doubling or growing 1x1 to 4x4, the generator from a 100-d
    noise to 3x64x64 through Tanh, LeakyReLU for several slopes, D_block (Conv2d, BatchNorm2d, an in-place
    LeakyReLU(0.2)) and the discriminator down to one logit; the networks narrowed (n_G = n_D = 4) and trained by
    Adam(betas=(0.5, 0.999)) on BCEWithLogitsLoss(reduction='sum')."""
    rng = np.random.default_rng(15)
    n_G = n_D = 4
    real_np = rng.uniform(-1, 1, (2, 3, 64, 64)).astype(np.float32)
    Z_np = rng.normal(0, 1, (2, 100, 1, 1)).astype(np.float32)

    def build(lib: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
        nn = lib["nn"]

        class G_block(nn.Module):
            def __init__(self, out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, **kwargs):
                super(G_block, self).__init__(**kwargs)
                self.conv2d_trans = nn.ConvTranspose2d(
                    in_channels, out_channels, kernel_size, strides, padding, bias=False
                )
                self.batch_norm = nn.BatchNorm2d(out_channels)
                self.activation = nn.ReLU()

            def forward(self, X):
                return self.activation(self.batch_norm(self.conv2d_trans(X)))

        class D_block(nn.Module):
            def __init__(self, out_channels, in_channels=3, kernel_size=4, strides=2, padding=1, alpha=0.2, **kwargs):
                super(D_block, self).__init__(**kwargs)
                self.conv2d = nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding, bias=False)
                self.batch_norm = nn.BatchNorm2d(out_channels)
                self.activation = nn.LeakyReLU(alpha, inplace=True)

            def forward(self, X):
                return self.activation(self.batch_norm(self.conv2d(X)))

        net_G = nn.Sequential(
            G_block(in_channels=100, out_channels=n_G * 8, strides=1, padding=0),
            G_block(in_channels=n_G * 8, out_channels=n_G * 4),
            G_block(in_channels=n_G * 4, out_channels=n_G * 2),
            G_block(in_channels=n_G * 2, out_channels=n_G),
            nn.ConvTranspose2d(in_channels=n_G, out_channels=3, kernel_size=4, stride=2, padding=1, bias=False),
            nn.Tanh(),
        )
        net_D = nn.Sequential(
            D_block(n_D),
            D_block(in_channels=n_D, out_channels=n_D * 2),
            D_block(in_channels=n_D * 2, out_channels=n_D * 4),
            D_block(in_channels=n_D * 4, out_channels=n_D * 8),
            nn.Conv2d(in_channels=n_D * 8, out_channels=1, kernel_size=4, bias=False),
        )
        return G_block, D_block, net_G, net_D

    _, _, net_G0, net_D0 = build(_libs(torch)[0])
    for w in list(net_G0.parameters()) + list(net_D0.parameters()):
        torch.nn.init.normal_(w, 0, 0.02)
    weights_G, weights_D = _state(net_G0), _state(net_D0)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, optim = lib["torch"], lib["nn"], lib["optim"]
        G_block, D_block, net_G, net_D = build(lib)
        out: dict[str, Any] = {}
        out["g_shapes"] = [
            tuple(G_block(20)(torch.zeros((2, 3, 16, 16))).shape),
            tuple(G_block(20, strides=1, padding=0)(torch.zeros((2, 3, 1, 1))).shape),
            tuple(net_G(torch.zeros((1, 100, 1, 1))).shape),
        ]
        alphas = [0, 0.2, 0.4, 0.6, 0.8, 1]
        x = torch.arange(-2, 1, 0.1)
        out["leaky"] = [nn.LeakyReLU(alpha)(x).detach().numpy() for alpha in alphas]
        out["d_shapes"] = [
            tuple(D_block(20)(torch.zeros((2, 3, 16, 16))).shape),
            tuple(net_D(torch.zeros((1, 3, 64, 64))).shape),
        ]
        _load(torch, net_G, weights_G)
        _load(torch, net_D, weights_D)
        loss = nn.BCEWithLogitsLoss(reduction="sum")
        hyperparams = {"lr": 0.005, "betas": [0.5, 0.999]}
        trainer_D = optim.Adam(net_D.parameters(), **hyperparams)
        trainer_G = optim.Adam(net_G.parameters(), **hyperparams)
        X, Z = torch.tensor(real_np), torch.tensor(Z_np)
        history = []
        for _ in range(2):
            batch_size = X.shape[0]
            ones, zeros = torch.ones((batch_size,)), torch.zeros((batch_size,))
            trainer_D.zero_grad()
            real_Y = net_D(X)
            fake_X = net_G(Z)
            fake_Y = net_D(fake_X.detach())
            loss_D = (loss(real_Y, ones.reshape(real_Y.shape)) + loss(fake_Y, zeros.reshape(fake_Y.shape))) / 2
            loss_D.backward()
            trainer_D.step()
            trainer_G.zero_grad()
            fake_Y = net_D(net_G(Z))
            loss_G = loss(fake_Y, ones.reshape(fake_Y.shape))
            loss_G.backward()
            if not history:
                out["grads_G"], out["grads_D"] = _grads(net_G), _grads(net_D)
            trainer_G.step()
            history.append([loss_D.item(), loss_G.item()])
        out["history"], out["G"], out["D"] = np.array(history), _state(net_G), _state(net_D)
        out["images"] = (net_G(Z).permute(0, 2, 3, 1) / 2 + 0.5).detach().numpy()
        return out

    theirs, ours = _both(torch, run)
    assert theirs["g_shapes"] == [(2, 20, 32, 32), (2, 20, 4, 4), (1, 3, 64, 64)]
    assert theirs["d_shapes"] == [(2, 20, 8, 8), (1, 1, 1, 1)]
    # a convolution before a BatchNorm has gradient entries near 0 but for float32 rounding, which Adam's first
    # steps (g / sqrt(g^2)) turn into +-lr: the gradients agree to float32's precision, the weights to a step of lr
    for name in ("G", "D", "images"):
        _compare(ours.pop(name), theirs.pop(name), rtol=0, atol=2 * 0.005)
    _compare(ours, theirs, rtol=1e-3, atol=3e-5)


# ---- ch22: the mathematics appendix --------------------------------------------------------------------------


def test_22_1_22_3_geometry_derivatives_by_difference_quotients_taylor_series_and_autograd(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        out: dict[str, Any] = {}

        def angle(v, w):
            return torch.acos(v.dot(w) / (torch.norm(v) * torch.norm(w)))

        out["angle"] = angle(torch.tensor([0, 1, 2], dtype=torch.float32), torch.tensor([2.0, 3, 4])).item()
        out["det"] = torch.det(torch.tensor([[1, -1], [2, 3]], dtype=torch.float32)).item()
        M = torch.tensor([[1, 2], [1, 4]], dtype=torch.float32)
        M_inv = torch.tensor([[2, -1], [-0.5, 0.5]])
        out["inverse"] = (M_inv @ M).numpy()
        B = torch.tensor([[2, 4], [-1, -2], [0, 3]], dtype=torch.float32)
        v = torch.tensor([1.0, -1.0])
        out["einsum"] = [torch.einsum("ij, j -> i", B, v).numpy(), torch.einsum("ij, ij ->", B, B).numpy()]

        def L(x):
            return x**2 + 1701 * (x - 4) ** 3

        out["quotients"] = [(L(4 + epsilon) - L(4)) / epsilon for epsilon in [0.1, 0.001, 0.0001, 0.00001]]
        f = lambda x: torch.sin(x**x)
        x_big = torch.arange(0.01, 3.01, 0.01)
        out["sin_x_x"] = f(x_big).numpy()
        x_big.requires_grad_(True)
        f(x_big).sum().backward()
        out["d_sin_x_x"] = _array(x_big.grad)
        xs = torch.arange(0, 3, 0.01)
        ys = torch.exp(xs)
        P1 = 1 + xs
        P2 = 1 + xs + xs**2 / 2
        P5 = 1 + xs + xs**2 / 2 + xs**3 / 6 + xs**4 / 24 + xs**5 / 120
        out["taylor"] = [ys.numpy(), P1.numpy(), P2.numpy(), P5.numpy()]
        xs = torch.arange(-torch.pi, torch.pi, 0.01)
        x0 = torch.tensor(1.0)
        out["tangent"] = (torch.sin(x0) + torch.cos(x0) * (xs - x0)).numpy()
        x = torch.arange(-2.0, 2.0, 0.5, requires_grad=True)
        y = torch.log(1 + torch.exp(x)) * torch.sin(x) / (1 + x**2)
        (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (d2y,) = torch.autograd.grad(dy.sum(), x)
        out["dy"], out["d2y"] = dy.detach().numpy(), d2y.numpy()
        return out

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(theirs["quotients"][-1], 8.0, rtol=1e-3)
    # a float arange here is start + i * step rounded once, torch's vectorised kernel may differ in the last bit
    # (arange's docstring), which sin(x ** x)'s derivative, up to 25 at x = 2.88, magnifies to 2e-4 relative
    _compare(ours, theirs, rtol=5e-4, atol=1e-5)


def test_22_4_multivariable_gradient_approximation_and_backpropagation_by_hand_and_by_autograd(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        out: dict[str, Any] = {}

        def f(x, y):
            return torch.log(torch.exp(x) + torch.exp(y))

        def grad_f(x, y):
            return torch.tensor(
                [torch.exp(x) / (torch.exp(x) + torch.exp(y)), torch.exp(y) / (torch.exp(x) + torch.exp(y))]
            )

        epsilon = torch.tensor([0.01, -0.03])
        grad_approx = f(torch.tensor([0.0]), torch.log(torch.tensor([2.0]))) + epsilon.dot(
            grad_f(torch.tensor([0.0]), torch.log(torch.tensor([2.0])))
        )
        true_value = f(torch.tensor([0.0]) + epsilon[0], torch.log(torch.tensor([2.0])) + epsilon[1])
        out["approx"], out["true"] = grad_approx.numpy(), true_value.numpy()
        w, x, y, z = -1, 0, -2, 1
        a, b = (w + x + y + z) ** 2, (w + x - y - z) ** 2
        u, v = (a + b) ** 2, (a - b) ** 2
        f_value = (u + v) ** 2
        df_du, df_dv = 2 * (u + v), 2 * (u + v)
        du_da, du_db, dv_da, dv_db = 2 * (a + b), 2 * (a + b), 2 * (a - b), -2 * (a - b)
        da_dw, db_dw = 2 * (w + x + y + z), 2 * (w + x - y - z)
        du_dw, dv_dw = du_da * da_dw + du_db * db_dw, dv_da * da_dw + dv_db * db_dw
        df_dw = df_du * du_dw + df_dv * dv_dw
        out["by_hand"] = [float(f_value), float(df_dw)]
        w = torch.tensor([-1.0], requires_grad=True)
        x = torch.tensor([0.0], requires_grad=True)
        y = torch.tensor([-2.0], requires_grad=True)
        z = torch.tensor([1.0], requires_grad=True)
        a, b = (w + x + y + z) ** 2, (w + x - y - z) ** 2
        u, v = (a + b) ** 2, (a - b) ** 2
        f = (u + v) ** 2
        f.backward()
        out["autograd"] = [f.detach().numpy(), w.grad.numpy(), x.grad.numpy(), y.grad.numpy(), z.grad.numpy()]
        return out

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(theirs["approx"], theirs["true"], rtol=1e-3)
    np.testing.assert_allclose(theirs["autograd"][1], theirs["by_hand"][1])
    _compare(ours, theirs)


def test_22_5_22_7_integrals_by_riemann_sums_and_maximum_likelihood_by_gradient_descent(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        out: dict[str, Any] = {}
        epsilon, a, b = 0.05, 0, 2
        x = torch.arange(a, b, epsilon)
        f = x / (1 + x**2)
        out["approx"], out["true"] = torch.sum(epsilon * f).item(), (torch.log(torch.tensor([5.0])) / 2).item()
        x = torch.arange(-2, 2, 0.01)
        out["gaussian"] = (torch.exp(-(x**2)).sum() * 0.01).item()
        out["trapezoid"] = torch.trapezoid(torch.exp(-(x**2)), x).item()
        theta = torch.arange(0, 1, 0.001)
        p = theta**9 * (1 - theta) ** 4.0
        out["argmax"] = theta[p.argmax()].item()
        n_H, n_T = 8675309, 256245
        theta = torch.tensor(0.5, requires_grad=True)
        lr, history = 1e-9, []
        for iter in range(100):
            loss = -(n_H * torch.log(theta) + n_T * torch.log(1 - theta))
            loss.backward()
            with torch.no_grad():
                theta -= lr * theta.grad
            theta.grad.zero_()
            history.append(theta.item())
        out["theta"], out["history"] = theta.item(), history
        return out

    theirs, ours = _both(torch, run)
    np.testing.assert_allclose(theirs["approx"], theirs["true"], rtol=2e-2)
    np.testing.assert_allclose(theirs["theta"], 8675309 / (8675309 + 256245), rtol=1e-4)
    _compare(ours, theirs, rtol=1e-5, atol=1e-6)


def test_22_8_22_11_distributions_and_information_theory_entropies_with_nansum(torch):
    """The binomial pmf by hand and its cdf by cumsum, the Binomial, Poisson and Normal distributions' log_prob,
    mean and variance, the Gaussian density and its erf cdf; self-information, entropy, joint and conditional
    entropy, mutual information, KL divergence (the book's ``nansum`` drops the 0 log 0 terms) and cross-entropy
    against NLLLoss of log-probabilities."""
    from math import factorial

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        out: dict[str, Any] = {}
        n, p = 10, 0.2

        def binom(n, k):
            comb = 1
            for i in range(min(k, n - k)):
                comb = comb * (n - i) // (i + 1)
            return comb

        pmf = torch.tensor([p**i * (1 - p) ** (n - i) * binom(n, i) for i in range(n + 1)])
        out["pmf"], out["cdf"] = pmf.numpy(), torch.cumsum(pmf, dim=0).numpy()
        m = torch.distributions.binomial.Binomial(n, p)
        ks = torch.arange(n + 1, dtype=torch.float32)
        out["binomial"] = [m.log_prob(ks).exp().numpy(), m.mean.numpy(), m.variance.numpy()]
        lam = 5.0
        xs = [i for i in range(20)]
        pmf = torch.tensor([torch.exp(torch.tensor(-lam)) * lam**k / factorial(k) for k in xs])
        m = torch.distributions.poisson.Poisson(lam)
        out["poisson"] = [pmf.numpy(), m.log_prob(torch.tensor(xs, dtype=torch.float32)).exp().numpy()]
        mu, sigma = 0, 1
        x = torch.arange(-3, 3, 0.01)
        p = 1 / torch.sqrt(2 * torch.pi * torch.tensor(sigma**2)) * torch.exp(-((x - mu) ** 2) / (2 * sigma**2))
        cdf = (1.0 + torch.erf((x - mu) / (sigma * torch.sqrt(torch.tensor(2.0))))) / 2.0
        normal = torch.distributions.normal.Normal(mu, sigma)
        out["normal"] = [p.numpy(), cdf.numpy(), normal.log_prob(x).exp().numpy(), normal.cdf(x).numpy()]

        def nansum(x):
            return x[~torch.isnan(x)].sum()

        def self_information(p):
            return -torch.log2(torch.tensor(p)).item()

        def entropy(p):
            entropy = -p * torch.log2(p)
            return nansum(entropy)

        def joint_entropy(p_xy):
            joint_ent = -p_xy * torch.log2(p_xy)
            return nansum(joint_ent)

        def conditional_entropy(p_xy, p_x):
            p_y_given_x = p_xy / p_x
            cond_ent = -p_xy * torch.log2(p_y_given_x)
            return nansum(cond_ent)

        def mutual_information(p_xy, p_x, p_y):
            p = p_xy / (p_x * p_y)
            mutual = p_xy * torch.log2(p)
            return nansum(mutual)

        def kl_divergence(p, q):
            kl = p * torch.log2(p / q)
            out = nansum(kl)
            return out.abs().item()

        def cross_entropy(y_hat, y):
            ce = -torch.log(y_hat[range(len(y_hat)), y])
            return ce.mean()

        out["self_information"] = self_information(1 / 64)
        out["entropy"] = entropy(torch.tensor([0.1, 0.5, 0.1, 0.3])).item()
        out["entropy_with_zero"] = entropy(torch.tensor([0.0, 0.5, 0.5])).item()
        out["joint"] = joint_entropy(torch.tensor([[0.1, 0.5], [0.1, 0.3]])).item()
        out["conditional"] = conditional_entropy(
            torch.tensor([[0.1, 0.5], [0.2, 0.3]]), torch.tensor([0.2, 0.8])
        ).item()
        out["mutual"] = mutual_information(
            torch.tensor([[0.1, 0.5], [0.1, 0.3]]), torch.tensor([0.2, 0.8]), torch.tensor([[0.75, 0.25]])
        ).item()
        p = torch.tensor([0.0, 0.25, 0.75])
        q = torch.tensor([0.1, 0.3, 0.6])
        out["kl"] = kl_divergence(p, q)
        labels = torch.tensor([0, 2])
        preds = torch.tensor([[0.3, 0.6, 0.1], [0.2, 0.3, 0.5]])
        out["cross_entropy"] = cross_entropy(preds, labels).item()
        out["nll"] = nn.NLLLoss()(torch.log(preds), labels).item()
        return out

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0 log 0 is nan quietly, as torch's
        theirs, ours = _both(torch, run)
    assert theirs["self_information"] == 6.0 and abs(theirs["entropy_with_zero"] - 1.0) < 1e-6
    np.testing.assert_allclose(theirs["nll"], theirs["cross_entropy"], rtol=1e-6)
    _compare(ours, theirs, rtol=1e-5, atol=1e-6)
