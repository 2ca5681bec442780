"""A port of PyTorch's ``test/nn/test_pruning.py`` (``TestPruningNN``) beside torch, for what
``tests/test_prune_torch.py`` does not already cover: identity pruning, pruning by nothing, repeated pruning
building a ``PruningContainer`` (its hook, its removal), the arguments torch refuses (amounts, dims, names,
importance-score and mask shapes), every ``ln_structured`` norm, ``global_unstructured`` with each method, and a
pruned layer's state dict loaded back.

Random masks are compared by their properties (how many entries or slices are pruned), not values. Left out:
pickling a pruned module (torch refuses to deepcopy its non-leaf weight; ours copies it) and the parametrization
rollback internals. The shape errors of importance scores and custom masks are ValueErrors here and torch's
AssertionErrors both.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad

torch = pytest.importorskip("torch")
pytest.importorskip("torch.nn.utils.prune")  # (torch.nn.utils does not import it itself)

import torch.nn.utils.prune as torch_prune  # noqa: E402

import nn.utils.prune as prune  # noqa: E402

WEIGHT = np.random.default_rng(8).standard_normal((4, 3))
SIDES = ((nn, prune, Tensor, no_grad), (torch.nn, torch_prune, torch.tensor, torch.no_grad))


def _layer(lib, make, guard):
    layer = lib.Linear(3, 4).double()
    with guard():
        layer.weight.copy_(make(WEIGHT))
        layer.bias.copy_(make(np.arange(4.0) - 1.5))
    return layer


def _state(layer):
    return (
        sorted(layer.state_dict()),
        sorted(name for name, _ in layer.named_parameters()),
        sorted(name for name, _ in layer.named_buffers()),
        np.asarray(layer.weight.detach()).round(12).tolist(),
        [type(hook).__name__ for hook in layer._forward_pre_hooks.values()],
    )


def _both(action):
    """``action(prune_module, layer, make)`` on a layer of each side: each side's state or the error class raised."""
    results = []
    for lib, pruning, make, guard in SIDES:
        layer = _layer(lib, make, guard)
        try:
            action(pruning, layer, make)
        except Exception as error:  # noqa: BLE001 -- the class is compared
            results.append(type(error))
        else:
            results.append(_state(layer))
    return results


def test_identity_pruning_adds_an_all_ones_mask_and_keeps_the_weight_as_torch():
    ours, theirs = _both(lambda pruning, layer, make: pruning.identity(layer, "weight"))
    assert ours == theirs and ours[3] == np.round(WEIGHT, 12).tolist()


@pytest.mark.parametrize("method", ["random_unstructured", "l1_unstructured"])
def test_pruning_nothing_keeps_every_entry_as_torch(method):
    ours, theirs = _both(lambda pruning, layer, make: getattr(pruning, method)(layer, "weight", amount=0.0))
    assert ours == theirs and ours[3] == np.round(WEIGHT, 12).tolist()


def test_pruning_a_tensor_twice_chains_the_methods_in_a_container_as_torch():
    def action(pruning, layer, make):
        pruning.l1_unstructured(layer, "weight", 0.3)
        pruning.ln_structured(layer, "weight", 1, 2, 0)
        pruning.l1_unstructured(layer, "bias", 2)

    ours, theirs = _both(action)
    assert ours == theirs
    assert ours[4] == ["PruningContainer", "L1Unstructured"]


def test_removing_after_repeated_pruning_keeps_the_combined_mask_as_torch():
    def action(pruning, layer, make):
        pruning.l1_unstructured(layer, "weight", 0.3)
        pruning.ln_structured(layer, "weight", 1, 1, 1)
        pruning.remove(layer, "weight")

    ours, theirs = _both(action)
    assert ours == theirs and ours[4] == [] and ours[2] == []


def test_the_containers_history_names_each_method_as_torch():
    names = []
    for lib, pruning, make, guard in SIDES:
        layer = _layer(lib, make, guard)
        pruning.random_unstructured(layer, "weight", 0.25)
        pruning.l1_unstructured(layer, "weight", 0.25)
        (hook,) = layer._forward_pre_hooks.values()
        names.append((hook._tensor_name, [type(method).__name__ for method in hook._pruning_methods]))
    assert names[0] == names[1] == ("weight", ["RandomUnstructured", "L1Unstructured"])


@pytest.mark.parametrize(
    "action",
    [
        lambda pruning, layer, make: pruning.remove(layer, "weight"),  # never pruned
        lambda pruning, layer, make: pruning.l1_unstructured(layer, "missing", 0.3),
        lambda pruning, layer, make: pruning.l1_unstructured(layer, "weight", -1),
        lambda pruning, layer, make: pruning.l1_unstructured(layer, "weight", 1.5),
        lambda pruning, layer, make: pruning.l1_unstructured(layer, "weight", 13),
        lambda pruning, layer, make: pruning.l1_unstructured(layer, "weight", "half"),
        lambda pruning, layer, make: pruning.ln_structured(layer, "weight", 1, 2, 5),
        lambda pruning, layer, make: pruning.random_structured(layer, "weight", 5, 0),
        lambda pruning, layer, make: pruning.l1_unstructured(
            layer, "weight", 0.5, importance_scores=make(np.ones((2, 2)))
        ),
        lambda pruning, layer, make: pruning.custom_from_mask(layer, "weight", make(np.ones((2, 2)))),
    ],
)
def test_the_arguments_torch_refuses_are_refused_and_leave_the_layer_unpruned(action):
    ours, theirs = _both(action)
    assert isinstance(theirs, type) and isinstance(ours, type)
    unpruned = _both(lambda pruning, layer, make: None)[0]
    for lib, pruning, make, guard in SIDES[:1]:
        layer = _layer(lib, make, guard)
        with pytest.raises(Exception):  # noqa: B017,PT011 -- the class is compared above
            action(pruning, layer, make)
        assert _state(layer) == unpruned


@pytest.mark.parametrize("n", [1, 2, 3, "fro", float("inf"), float("-inf"), 0.5])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_prunes_the_slices_of_least_norm_for_every_norm_as_torch(n, dim):
    ours, theirs = _both(lambda pruning, layer, make: pruning.ln_structured(layer, "weight", 0.5, n, dim))
    assert ours == theirs


@pytest.mark.parametrize("method", ["L1Unstructured", "RandomUnstructured"])
@pytest.mark.parametrize("amount", [0, 3, 0.4, 1.0])
def test_global_pruning_prunes_that_many_entries_across_tensors_as_torch(method, amount):
    counts = []
    for lib, pruning, make, guard in SIDES:
        first, second = _layer(lib, make, guard), _layer(lib, make, guard)
        pruning.global_unstructured(
            [(first, "weight"), (second, "bias")], pruning_method=getattr(pruning, method), amount=amount
        )
        masks = (np.asarray(first.weight_mask), np.asarray(second.bias_mask))
        counts.append(sum(int((mask == 0).sum()) for mask in masks))
        if method == "L1Unstructured":
            counts.append([mask.tolist() for mask in masks])
    assert counts[: len(counts) // 2] == counts[len(counts) // 2 :]


def test_global_pruning_refuses_a_structured_method_as_torch():
    for lib, pruning, make, guard in SIDES:
        first = _layer(lib, make, guard)
        with pytest.raises(TypeError):
            pruning.global_unstructured([(first, "weight")], pruning_method=pruning.LnStructured, amount=1)


def test_a_pruned_layers_state_dict_loads_into_another_pruned_layer_as_torch():
    results = []
    for lib, pruning, make, guard in SIDES:
        source, target = _layer(lib, make, guard), _layer(lib, make, guard)
        pruning.l1_unstructured(source, "weight", 0.5)
        pruning.identity(target, "weight")
        target.load_state_dict(source.state_dict())
        output = target(make(np.ones((2, 3))))
        results.append((_state(target), np.asarray(output.detach()).round(12).tolist()))
    assert results[0] == results[1]


def test_a_custom_mask_of_another_shape_is_torchs_assertion_error():
    for lib, pruning, make, guard in SIDES:
        layer = _layer(lib, make, guard)
        with pytest.raises(AssertionError):
            pruning.custom_from_mask(layer, "weight", make(np.ones((2, 2))))
