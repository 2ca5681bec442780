"""``Module``: the base class of every layer and model.

Parameters and sub-modules are discovered from attributes (also inside lists
and tuples), in the order they were assigned, so ``parameters()`` needs no
registration calls. A parameter is an ``nn.Parameter`` or a leaf ``Value`` that
requires a gradient.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autograd import Value
from autograd.core import Node

from .parameter import Parameter


def _is_parameter(obj: Any) -> bool:
    """Parameters are ``nn.Parameter`` tensors and leaf ``Value``s that require grad."""
    return isinstance(obj, Parameter) or (isinstance(obj, Value) and obj.is_leaf and obj.requires_grad)


class Module:
    """Base class: subclasses define ``forward``; call the module to run it."""

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -- discovery -----------------------------------------------------------
    def _direct_members(self) -> Iterator[tuple[str, Any]]:
        """(name, object) for attributes, expanding lists/tuples as name.index."""
        for name, value in vars(self).items():
            if isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    yield f"{name}.{index}", item
            else:
                yield name, value

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield (qualified name, module) for self and all descendants, depth first."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen: set[int] = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module._direct_members()
                if isinstance(child, Module)
            ]
            stack.extend(reversed(children))

    def children(self) -> Iterator[Module]:
        """Yield the direct sub-modules."""
        for _, member in self._direct_members():
            if isinstance(member, Module):
                yield member

    def modules(self) -> Iterator[Module]:
        """Yield self and every descendant module."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        """Yield (qualified name, parameter), each parameter once, in definition order."""
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            for name, member in module._direct_members():
                if _is_parameter(member) and id(member) not in seen:
                    seen.add(id(member))
                    yield (f"{module_name}.{name}" if module_name else name), member

    def parameters(self) -> list[Node]:
        """All parameters, in definition order (layer by layer)."""
        return [parameter for _, parameter in self.named_parameters()]

    # -- state ----------------------------------------------------------------
    def zero_grad(self) -> None:
        """Reset every parameter's gradient (0.0 for Values, None for Tensors)."""
        for parameter in self.parameters():
            parameter.grad = parameter._zero_grad_value

    def train(self, mode: bool = True) -> Module:
        """Put self and all descendants in training mode (or eval if mode is False)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Put self and all descendants in evaluation mode."""
        return self.train(False)

    def extra_repr(self) -> str:
        """The part of the repr inside the parentheses (override in layers)."""
        return ""

    def __repr__(self) -> str:
        children = [(name, member) for name, member in self._direct_members() if isinstance(member, Module)]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        lines.append(")")
        return "\n".join(lines)
