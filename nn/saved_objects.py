"""General objects in a state file: what ``torch.save`` takes besides a module or a state dict (a checkpoint dict of
state dicts, epoch and loss; a list of tensors), written without pickle as a JSON skeleton plus one array per
Tensor or array.

The skeleton is the object with every container and array replaced by a tagged JSON node:

* a JSON number, string, true/false or null stands for itself (floats keep inf and nan as JSON's
  ``Infinity``/``NaN``);
* ``{"$": "list" | "tuple", "items": [node, ...]}``;
* ``{"$": "dict" | "odict", "items": [[key, node], ...]}`` (an ``OrderedDict``, as ``state_dict()`` gives, is
  "odict" and comes back as one), keys numbers, strings, booleans or null (an optimizer
  state dict's int keys stay ints; a NumPy scalar key is saved as the Python number it holds);
* ``{"$": "tensor", "member": i, "requires_grad": bool, "parameter": bool}``, ``{"$": "array", "member": i}`` and
  ``{"$": "scalar", "member": i}`` (a numpy scalar): the object is the file's member ``object/<i>``. One
  object met twice (a tensor in two places) is one member, and comes back as one object, as torch keeps sharing.

Both directions walk the object with an explicit stack (no recursion), and refuse nesting deeper than
:data:`MAX_NESTING`; anything else (a module, a function, a set) is a TypeError naming where it was met.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor

from .parameter import Parameter

__all__ = ["MAX_JSON_LEVELS", "MAX_NESTING", "MEMBER_PREFIX", "SKELETON", "decode", "encode"]

#: The member holding the JSON skeleton, and the prefix of the members holding its arrays.
SKELETON = "object"
MEMBER_PREFIX = "object/"
#: Deepest nesting of containers an object may have (torch's pickle refuses deep ones too, by recursion).
MAX_NESTING = 100
#: The JSON levels a skeleton of that nesting takes: a dict's pair is a list inside the node's items list.
MAX_JSON_LEVELS = 3 * MAX_NESTING + 1

_KEY_TYPES = (str, int, float, bool, type(None))
_LEAF_TAGS = ("tensor", "array", "scalar")
_CONTAINER_TAGS = ("list", "tuple", "dict", "odict")


def _where(path: list[Any]) -> str:
    return "the object" if not path else "object" + "".join(f"[{key!r}]" for key in path)


def encode(obj: Any) -> tuple[Any, list[np.ndarray]]:
    """The skeleton of ``obj`` and the arrays its ``member`` numbers index; TypeError for what cannot be saved."""
    arrays: list[np.ndarray] = []
    members: dict[int, int] = {}  # id of a Tensor or array already stored -> its member
    keep_alive: list[Any] = []  # (the ids above stay those objects' while encoding)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, list[Any]]] = [(obj, root, 0, [])]
    while stack:
        value, holder, slot, path = stack.pop()
        if len(path) > MAX_NESTING:
            raise TypeError(f"save: {_where(path[:3])}... nests deeper than {MAX_NESTING} containers")
        if value is None or type(value) in (bool, int, float, str):
            holder[slot] = value
            continue
        if isinstance(value, (Tensor, np.ndarray, np.generic)):
            holder[slot] = _leaf(value, arrays, members, keep_alive, path)
            continue
        if isinstance(value, Mapping):
            items = []
            for key, item in value.items():
                if isinstance(key, np.generic) and type(key.item()) in _KEY_TYPES:  # np.int64(3) as 3
                    key = key.item()
                if type(key) not in _KEY_TYPES:
                    raise TypeError(
                        f"save: {_where(path)} has a key of type {type(key).__name__}; "
                        "keys must be str, int, float, bool or None"
                    )
                pair = [key, None]
                items.append(pair)
                stack.append((item, pair, 1, [*path, key]))
            holder[slot] = {"$": "odict" if isinstance(value, OrderedDict) else "dict", "items": items}
            continue
        if isinstance(value, (list, tuple)):
            items = [None] * len(value)
            for index, item in enumerate(value):
                stack.append((item, items, index, [*path, index]))
            holder[slot] = {"$": "tuple" if isinstance(value, tuple) else "list", "items": items}
            continue
        hint = " (save its state_dict(), or the module itself alone)" if hasattr(value, "state_dict") else ""
        raise TypeError(
            f"save: cannot save {_where(path)}, a {type(value).__name__}{hint}: a saved object holds Tensors, "
            "arrays, numbers, strings, None, and lists, tuples and dicts of them"
        )
    return root[0], arrays


def _leaf(value: Any, arrays: list[np.ndarray], members: dict[int, int], keep_alive: list[Any], path: list) -> dict:
    """The node of a Tensor, an array or a numpy scalar, its data appended to ``arrays`` once per object."""
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"save: {_where(path)} has dtype {array.dtype}; saved arrays hold numbers")
    if id(value) not in members:
        members[id(value)] = len(arrays)
        arrays.append(np.array(array))  # a copy: the file holds the values of the moment save was called
        keep_alive.append(value)
    member = members[id(value)]
    if isinstance(value, Tensor):
        return {
            "$": "tensor",
            "member": member,
            "requires_grad": bool(value.requires_grad),
            "parameter": isinstance(value, Parameter),
        }
    return {"$": "scalar" if isinstance(value, np.generic) else "array", "member": member}


def decode(skeleton: Any, read: Callable[[int], np.ndarray], problem: Callable[[str], Exception]) -> Any:
    """The object ``skeleton`` describes, its arrays read by member number with ``read``; ``problem(message)``
    makes the error raised for a skeleton that does not describe an object (a damaged or forged file)."""
    made: dict[int, Any] = {}  # id of a tagged node -> its object (the skeleton holds every node alive)
    leaves: dict[int, Any] = {}  # member -> (its node's kind, the object made of it): one object met twice stays one
    stack: list[tuple[Any, bool]] = [(skeleton, False)]
    while stack:
        node, children_made = stack.pop()
        if isinstance(node, list):  # encode writes every list as a tagged node: a bare one is not an object's
            raise problem(f"saved object: unexpected bare JSON list {str(node)[:80]}")
        if not isinstance(node, dict):
            continue  # a JSON scalar stands for itself
        tag = node.get("$")
        if tag in _LEAF_TAGS:
            made[id(node)] = _decoded_leaf(node, read, leaves, problem)
            continue
        items = node.get("items")
        if tag not in _CONTAINER_TAGS or not isinstance(items, list) or set(node) != {"$", "items"}:
            raise problem(f"saved object: unexpected node {str(node)[:80]}")
        mapping = tag in ("dict", "odict")
        if mapping and not all(
            isinstance(pair, list) and len(pair) == 2 and type(pair[0]) in _KEY_TYPES for pair in items
        ):
            raise problem("saved object: a dict's items must be [key, value] pairs with scalar keys")
        values = [pair[1] for pair in items] if mapping else items
        if not children_made:
            stack.append((node, True))
            stack.extend((child, False) for child in values if isinstance(child, (dict, list)))
            continue
        objects = [made[id(child)] if isinstance(child, dict) else child for child in values]
        if mapping:
            made[id(node)] = (OrderedDict if tag == "odict" else dict)(
                (pair[0], value) for pair, value in zip(items, objects)
            )
        else:
            made[id(node)] = objects if tag == "list" else tuple(objects)
    return made[id(skeleton)] if isinstance(skeleton, dict) else skeleton


def _decoded_leaf(node: dict, read: Callable[[int], np.ndarray], leaves: dict[int, Any], problem: Callable) -> Any:
    """The object of a leaf node, made once per member: a member met again must be met as the same kind of object
    (``encode`` writes one node per object), else the file is refused rather than giving one object for both."""
    tag, member = node["$"], node.get("member")
    keys = {"$", "member", "requires_grad", "parameter"} if tag == "tensor" else {"$", "member"}
    if type(member) is not int or set(node) != keys:
        raise problem(f"saved object: unexpected {tag} node {str(node)[:80]}")
    if tag == "tensor" and not (isinstance(node["requires_grad"], bool) and isinstance(node["parameter"], bool)):
        raise problem(f"saved object: unexpected tensor node {str(node)[:80]}")
    kind = tag if tag != "tensor" else f"tensor (requires_grad={node['requires_grad']}, parameter={node['parameter']})"
    if member in leaves:
        first, made = leaves[member]
        if first != kind:
            raise problem(f"saved object: member {member} is met both as {first} and as {kind}")
        return made
    array = read(member)
    if tag == "scalar":
        if array.shape != ():
            raise problem(f"saved object: the scalar in member {member} has shape {array.shape}")
        made = array[()]
    elif tag == "array":
        made = array
    else:
        try:
            made = (Parameter if node["parameter"] else Tensor)(array, requires_grad=node["requires_grad"])
        except (TypeError, ValueError) as error:  # a dtype a Tensor cannot hold, or gradients for an int
            raise problem(f"saved object: member {member} cannot be a Tensor ({error})") from None
    leaves[member] = (kind, made)
    return made
