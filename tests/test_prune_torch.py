"""nn.utils.prune against torch.nn.utils.prune: masks, pruned values, parameter/buffer names and state-dict keys,
gradients through the mask, repeated pruning (masks combined), structured and global pruning, removal, and the
errors torch raises."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import nn
from autograd import Tensor, manual_seed, no_grad

torch = pytest.importorskip("torch")
pytest.importorskip("torch.nn.utils.prune")  # (torch.nn.utils does not import it itself)

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

LIBRARIES = ((nn, Tensor, no_grad), (torch.nn, torch.from_numpy, torch.no_grad))
RNG = np.random.default_rng(3)
LINEAR_WEIGHT = RNG.standard_normal((4, 3))
CONV_WEIGHT = RNG.standard_normal((4, 2, 3, 3))


def _layer(lib, make, guard, kind="linear"):
    layer = lib.Linear(3, 4).double() if kind == "linear" else lib.Conv2d(2, 4, 3).double()
    with guard():
        layer.weight.copy_(make(LINEAR_WEIGHT if kind == "linear" else CONV_WEIGHT))
        layer.bias.copy_(make(np.arange(4.0) - 1.5))
    return layer


def _state(layer):
    """What a pruned layer shows: state-dict keys, parameter and buffer names, the weight and its mask."""
    mask = np.asarray(layer.weight_mask).tolist() if hasattr(layer, "weight_mask") else None
    return (
        sorted(layer.state_dict()),
        [name for name, _ in layer.named_parameters()],
        [name for name, _ in layer.named_buffers()],
        np.asarray(layer.weight.detach()).tolist(),
        mask,
    )


def _both(action, kind="linear"):
    """``action(lib.utils.prune, layer, make)`` on a layer of each library; the two layers' states."""
    states = []
    for lib, make, guard in LIBRARIES:
        layer = _layer(lib, make, guard, kind)
        action(lib.utils.prune, layer, make)
        states.append(_state(layer))
    return states


@pytest.mark.parametrize("amount", [0, 0.0, 0.3, 0.5, 1.0, 5, 12])
def test_l1_unstructured_prunes_the_smallest_entries_with_torchs_names_and_mask(amount):
    ours, theirs = _both(lambda prune, layer, make: prune.l1_unstructured(layer, "weight", amount=amount))
    assert ours == theirs
    assert ours[0] == ["bias", "weight_mask", "weight_orig"] and ours[1] == ["bias", "weight_orig"]


def test_pruning_a_tensor_again_prunes_among_what_remains_as_torchs():
    def action(prune, layer, make):
        prune.ln_structured(layer, "weight", amount=1, n=1, dim=0)
        prune.l1_unstructured(layer, "weight", amount=0.5)
        prune.ln_structured(layer, "weight", amount=0.5, n=2, dim=1)
        prune.random_unstructured(layer, "weight", amount=0)

    ours, theirs = _both(action, "conv")
    assert ours == theirs


@pytest.mark.parametrize(
    ("amount", "n", "dim"),
    [(2, 2, 0), (0.5, 1, 1), (1, np.inf, -1), (1, -np.inf, 0), (0, 2, 0), (1, 0, 2)],
)
def test_ln_structured_prunes_the_slices_of_least_norm_as_torchs(amount, n, dim):
    ours, theirs = _both(lambda prune, layer, make: prune.ln_structured(layer, "weight", amount, n, dim), "conv")
    assert ours == theirs


def test_importance_scores_and_custom_masks_choose_the_pruned_entries_as_torchs():
    mask = np.ones((4, 3))
    mask[0, 1] = mask[2, 2] = 0

    def action(prune, layer, make):
        prune.l1_unstructured(
            layer, "weight", amount=3, importance_scores=make(np.arange(12.0)[::-1].reshape(4, 3).copy())
        )
        prune.custom_from_mask(layer, "weight", make(mask))

    ours, theirs = _both(action)
    assert ours == theirs


@pytest.mark.parametrize("amount", [0.4, 7])
def test_global_unstructured_prunes_the_smallest_entries_of_all_the_tensors_together_as_torchs(amount):
    states = []
    for lib, make, guard in LIBRARIES:
        linear, conv = _layer(lib, make, guard), _layer(lib, make, guard, "conv")
        pairs = [(linear, "weight"), (conv, "weight"), (linear, "bias")]
        lib.utils.prune.global_unstructured(pairs, pruning_method=lib.utils.prune.L1Unstructured, amount=amount)
        lib.utils.prune.global_unstructured(pairs[:2], pruning_method=lib.utils.prune.L1Unstructured, amount=0.5)
        states.append((_state(linear), _state(conv), np.asarray(linear.bias.detach()).tolist()))
    assert states[0] == states[1]


def test_the_gradient_reaches_weight_orig_through_the_mask_and_each_forward_reapplies_it_as_torchs():
    results = []
    for lib, make, guard in LIBRARIES:
        layer = _layer(lib, make, guard)
        lib.utils.prune.l1_unstructured(layer, "weight", amount=5)
        with guard():
            layer.weight_orig.mul_(2.0)  # seen by the next forward, not before
        stale = np.asarray(layer.weight.detach()).tolist()
        (layer(make(np.array([[1.0, -2.0, 0.5]]))) ** 2).sum().backward()
        results.append((stale, np.asarray(layer.weight.detach()).tolist(), np.asarray(layer.weight_orig.grad).tolist()))
    assert results[0] == results[1]
    assert 0.0 in results[0][2][0] + results[0][2][1]  # pruned entries get no gradient


def test_remove_makes_the_pruning_permanent_as_torchs():
    results = []
    for lib, make, guard in LIBRARIES:
        layer = _layer(lib, make, guard)
        model = lib.Sequential(layer, lib.ReLU())
        pruned_before = lib.utils.prune.is_pruned(model)
        lib.utils.prune.l1_unstructured(layer, "weight", amount=5)
        pruned = lib.utils.prune.is_pruned(model)
        lib.utils.prune.remove(layer, "weight")
        state = _state(layer)
        results.append((pruned_before, pruned, lib.utils.prune.is_pruned(model), state, type(layer.weight).__name__))
    assert results[0] == results[1]
    assert results[0][:3] == (False, True, False) and results[0][3][1] == ["bias", "weight"]


def test_random_pruning_prunes_as_many_entries_and_slices_as_torchs():
    manual_seed(0)
    counts = []
    for lib, make, guard in LIBRARIES:
        layer, conv = _layer(lib, make, guard), _layer(lib, make, guard, "conv")
        lib.utils.prune.random_unstructured(layer, "weight", amount=0.5)
        lib.utils.prune.random_structured(conv, "weight", amount=2, dim=0)
        channels_pruned = int((np.asarray(conv.weight_mask).reshape(4, -1).sum(axis=1) == 0).sum())
        counts.append((int((np.asarray(layer.weight_mask) == 0).sum()), channels_pruned, sorted(conv.state_dict())))
    assert counts[0] == counts[1] == (6, 2, ["bias", "weight_mask", "weight_orig"])


@pytest.mark.parametrize(
    "action",
    [
        lambda prune, layer, make: prune.l1_unstructured(layer, "weight", amount=-1),
        lambda prune, layer, make: prune.l1_unstructured(layer, "weight", amount=1.5),
        lambda prune, layer, make: prune.l1_unstructured(layer, "weight", amount="half"),
        lambda prune, layer, make: prune.l1_unstructured(layer, "weight", amount=13),
        lambda prune, layer, make: prune.l1_unstructured(layer, "weight", 1, importance_scores=make(np.ones(3))),
        lambda prune, layer, make: prune.ln_structured(layer, "bias", amount=1, n=2, dim=0),
        lambda prune, layer, make: prune.ln_structured(layer, "weight", amount=1, n=2, dim=2),
        lambda prune, layer, make: prune.remove(layer, "weight"),
        lambda prune, layer, make: prune.global_unstructured(
            [(layer, "weight")], pruning_method=prune.LnStructured, amount=1, n=2, dim=0
        ),
        lambda prune, layer, make: prune.global_unstructured(5, pruning_method=prune.L1Unstructured, amount=1),
    ],
    ids=[
        "negative",
        "fraction-above-one",
        "string",
        "more-than-the-entries",
        "importance-of-another-shape",
        "structured-1-d",
        "dim-out-of-range",
        "remove-unpruned",
        "global-structured",
        "global-not-iterable",
    ],
)
def test_pruning_refuses_what_torch_refuses_and_leaves_the_layer_as_it_was(action):
    errors, states = [], []
    for lib, make, guard in LIBRARIES:
        layer = _layer(lib, make, guard)
        errors.append(raised_type(partial(action, lib.utils.prune, layer, make)))
        states.append((_state(layer), lib.utils.prune.is_pruned(layer)))
    assert errors[0] is not None and issubclass(errors[0], errors[1])
    assert states[0] == states[1] and states[0][1] is False


def test_a_custom_pruning_method_written_for_torch_works_on_tensors():
    # torch's tutorial: a BasePruningMethod subclass whose compute_mask edits a clone of the mask through a view
    states = []
    for lib, make, guard in LIBRARIES:

        class EveryOther(lib.utils.prune.BasePruningMethod):
            PRUNING_TYPE = "unstructured"

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask

        layer = _layer(lib, make, guard)
        lib.utils.prune.l1_unstructured(layer, "weight", amount=3)
        EveryOther.apply(layer, "weight")  # among what remains, as torch's container does
        direct = lib.utils.prune.L1Unstructured(amount=2).compute_mask(make(LINEAR_WEIGHT), make(np.ones((4, 3))))
        states.append((_state(layer), type(direct).__name__, np.asarray(direct).tolist()))
    assert states[0] == states[1]


def test_the_forward_pre_hook_table_holds_the_pruning_methods_as_torchs_tutorial_reads_them():
    # torch's pruning tutorial: for hook in module._forward_pre_hooks.values(): if hook._tensor_name == "weight"
    results = []
    for lib, make, guard in LIBRARIES:
        layer = _layer(lib, make, guard)
        lib.utils.prune.l1_unstructured(layer, "weight", amount=2)
        lib.utils.prune.ln_structured(layer, "weight", amount=1, n=2, dim=0)
        lib.utils.prune.random_unstructured(layer, "bias", amount=1)
        layer.register_forward_pre_hook(lambda module, args, kwargs: None, with_kwargs=True)
        for hook in layer._forward_pre_hooks.values():
            if getattr(hook, "_tensor_name", None) == "weight":
                break
        with_kwargs = [key in layer._forward_pre_hooks_with_kwargs for key in layer._forward_pre_hooks]
        results.append(([type(method).__name__ for method in hook], len(layer._forward_pre_hooks), with_kwargs))
    assert results[0] == results[1] == (["L1Unstructured", "LnStructured"], 3, [False, False, True])
