"""The op record of a graph node: an op's name and its derivative rules, one per input.

An :class:`Op` is made once per primitive (in :mod:`autograd.derivatives`) and shared by
every node it produces; backward (:mod:`autograd.backprop`) calls its rules.
"""

from __future__ import annotations

import dis
from collections.abc import Callable, Sequence

__all__ = ["Op", "OutputGradients", "add_contributions"]


class Op:
    """A differentiable primitive: its name and one derivative rule per input.

    Each rule has the signature ``rule(grad, out, *inputs, **attrs)`` and returns
    the contribution of ``grad`` (the gradient w.r.t. the output) to one input.
    ``out`` and ``inputs`` are raw numbers/arrays during an ordinary backward
    pass and graph nodes under ``create_graph=True``; the rules are written with
    operations that work on both, so one rule serves every order of derivative.

    A *variadic* op (any number of inputs) gives a single rule
    ``rule(index, grad, out, *inputs, **attrs)``; a *joint* op gives a single rule
    ``rule(grad, out, *inputs, **attrs)`` that returns a sequence with one
    contribution (or None) per input, computed in one call (custom Functions).

    ``reads_values=False`` declares that the rules use only the shapes of the
    inputs and output, never their values (add, reshape, sum, ...): changing those
    in place after the forward pass then cannot spoil the gradient, so backward
    does not check their versions. Of an op that reads values, backward checks the output too
    only when some rule reads it (``out``), as torch checks only the tensors an op saved:
    ``reads_output`` is found from the rules' code (a rule whose code cannot be read counts as
    reading it), so ``y = x * 2`` may be changed in place before backward, ``y = x.exp()`` may not.

    A binary op applied to one node and one plain number (``x * 2.0``, ``1 - x``)
    records :meth:`with_constant`'s variant: the number is not a node of the graph
    but kept on the output node (``node.attrs``), and the node has one parent.

    A joint op (``Value.linear``, ``Value.sum``, a Linear with its ReLU) or an op of one input (getitem) may
    also give ``accumulate``, the same derivative written for the ordinary pass (no ``create_graph``, no
    anomaly mode, no ``inputs=``): ``accumulate(pending, grad, parents, out, owned, attrs)`` adds each
    parent's contribution to ``pending[parent]`` itself (skipping parents that need no gradient), so a node
    with many parents costs no contribution list and no second loop to deliver it, and a slice's gradient
    can be added into its parent's pending one in place. ``owned`` is True when ``grad`` is an array that
    nothing else holds (no seed, stored ``.grad``, hook or other pending gradient, and not a view), which the
    rule may then overwrite instead of making another of its size (always False for an op of one input).
    Where every contribution would be an exact zero (a ReLU neuron that is off), a joint op's ``accumulate`` may
    return the parents instead of adding anything; backward then gives each parent that no other child gives a
    gradient a zero one, 0.0 (such forms belong to ``Value`` ops, whose gradients are floats), as if those zeros
    had been added.

    An op whose one call made several output nodes (a custom Function returning a tuple) gives
    ``outputs``: ``outputs(node)`` lists the nodes of that call by output position (None for an
    output that is gone or has no graph). Backward then calls its joint rule once per call, as torch
    does, when the last of those outputs to receive a gradient is reached (every gradient of the
    outputs is complete by then: all their children were recorded later), with ``grad`` an
    :class:`OutputGradients` tuple holding each output's gradient (None where none arrived).

    ``saved`` (custom Functions), when given, says per node which values backward must find unchanged:
    ``saved(node)`` gives the positions among the node's parents and whether the output itself (what the
    call's ``ctx`` saved, as torch checks only saved tensors); it replaces the reading of the rules' code.

    A backward pass that does not retain the graph frees what its nodes saved, as torch's: a node whose op
    :attr:`saves` (its rules read an input's values, its output, or the number a :meth:`with_constant` variant
    keeps) takes the op's :attr:`freed` twin, whose rules raise torch's error for a second pass.

    ``releases`` names the entries of a node's ``attrs`` that the forward pass computed only for the rules (conv2d's
    im2col matrix, the fused cross-entropy's softmax), which the rules rebuild from the inputs when they find None
    there: a pass that does not retain the graph sets them to None, as torch frees a node's saved tensors, so a
    graph that outlives its backward (the loss of the last step, kept while the next forward runs) no longer holds
    them. (The library's own pictures of a graph after backward, which compute through it again, then rebuild them.)

    ``release`` (custom Functions), when given, frees what a node saved where its own values live (the call's
    ``ctx``) instead of giving the node the :attr:`freed` twin: ``release(node, freed)`` marks them freed (True) or
    kept (False) and returns whether they were freed before. A pass that does not retain the graph calls it for each
    node it went through, as torch's frees what each node saved (nothing, for a call that saved nothing).
    """

    __slots__ = (
        "name",
        "rules",
        "variadic",
        "joint",
        "reads_values",
        "reads_output",
        "accumulate",
        "outputs",
        "saved",
        "constant_at",
        "one_rule",
        "line_rule",
        "rule_per_input",
        "_variants",
        "_input_reads",
        "release",
        "releases",
        "_saves",
        "_freed",
        "unfreed",
    )

    def __init__(
        self,
        name: str,
        *rules: Callable,
        variadic: bool = False,
        joint: bool = False,
        reads_values: bool = True,
        accumulate: Callable | None = None,
        outputs: Callable | None = None,
        saved: Callable | None = None,
        release: Callable | None = None,
        releases: tuple[str, ...] = (),
    ) -> None:
        if accumulate is not None and not joint and (variadic or len(rules) != 1):
            raise ValueError(f"Op {name!r}: accumulate is the plain-pass form of a joint rule or of one input's rule")
        if releases and outputs is not None:
            raise ValueError(f"Op {name!r}: the outputs of one call share what it saved; releases is for one output")
        if outputs is not None and not joint:
            raise ValueError(f"Op {name!r}: outputs gathers the gradients of one joint rule; pass joint=True")
        self.name = name
        self.rules = rules
        self.variadic = variadic
        self.joint = joint
        self.reads_values = reads_values
        #: Whether some rule reads the op's output (``out``): backward then checks its version too.
        self.reads_output = reads_values and any(_reads_argument(rule, 2 if variadic else 1) for rule in rules)
        self.accumulate = accumulate
        self.outputs = outputs
        self.saved = saved
        self.release = release
        self.releases = releases
        #: For a variant made by :meth:`with_constant`: which input (0 or 1) is the plain number.
        self.constant_at: int | None = None
        #: One input and one rule (unary ops and with_constant variants): backward's shortest path.
        self.one_rule = len(rules) == 1 and not variadic and not joint
        #: That one rule, when there is nothing to release (which backward's general loop does): a one-parent line
        #: carries it (None otherwise).
        self.line_rule = rules[0] if self.one_rule and not releases else None
        #: Several inputs, one rule each (binary arithmetic, matmul, linear): backward's second shortest path.
        self.rule_per_input = len(rules) > 1 and not variadic and not joint
        self._variants: dict[int, Op] = {}
        self._input_reads: dict[tuple[int, int], bool] = {}
        self._saves: bool | None = None
        self._freed: Op | None = None
        #: Of a freed twin (:attr:`freed`), the op it stands in for; None for an op whose node holds its values.
        self.unfreed: Op | None = None

    def rule_reads(self, rule: int, position: int) -> bool:
        """Whether rule ``rule`` (the one for input ``rule``) may read the values of input ``position`` (both
        counted among a node's parents; the number a :meth:`with_constant` variant keeps is not one), found from
        the rules' code as ``reads_output`` is: backward checks the version of such inputs only, as torch checks
        what it saved."""
        key = (rule, position)
        reads = self._input_reads.get(key)
        if reads is None:
            if not self.reads_values:
                reads = False
            elif self.variadic or self.joint:
                reads = True
            elif self.constant_at is not None:  # one parent; the number takes its place among the rule's inputs
                reads = _reads_argument(self.rules[0], 3 if self.constant_at == 0 else 2)
            else:
                reads = _reads_argument(self.rules[rule], 2 + position)
            self._input_reads[key] = reads
        return reads

    @property
    def saves(self) -> bool:
        """Whether backward reads values this op's nodes hold (an input's or the output's): what torch calls the
        node's saved tensors, freed by a backward pass that does not retain the graph."""
        saves = self._saves
        if saves is None:
            if not self.reads_values:
                saves = False
            elif self.variadic or self.joint or self.saved is not None or self.reads_output:
                saves = True
            elif self.constant_at is not None:  # the number counts as saved, as torch saves ``x * 2.0``'s 2.0
                constant = 3 if self.constant_at == 1 else 2  # its place among the rule's arguments
                saves = self.rule_reads(0, 0) or _reads_argument(self.rules[0], constant)
            else:
                count = len(self.rules)
                saves = any(self.rule_reads(rule, position) for rule in range(count) for position in range(count))
            self._saves = saves
        return saves

    @property
    def freed(self) -> Op:
        """This op after a backward pass freed what its node saved: the same name and form, whose rules raise
        torch's error for a second backward through the graph (``retain_graph=True`` keeps the graph)."""
        twin = self._freed
        if twin is None:
            twin = Op.__new__(Op)
            for slot in Op.__slots__:
                setattr(twin, slot, getattr(self, slot))
            twin.rules = tuple(_backward_after_free for _ in self.rules)
            twin.line_rule = None if self.line_rule is None else _backward_after_free
            twin.accumulate = None if self.accumulate is None else _backward_after_free
            twin.reads_values = twin.reads_output = False
            twin.saved = None
            twin._variants, twin._input_reads, twin._saves, twin._freed = {}, {}, False, twin
            twin.unfreed = self
            self._freed = twin
        return twin

    def with_constant(self, position: int, rule: Callable | None = None) -> Op:
        """This binary op with input ``position`` (0 or 1) a plain number instead of a node.

        The variant has the same name; its nodes have the other input as their only
        parent and keep the number in ``node.attrs``. Its one rule is this op's rule
        for that input, called by backward with the number in its place among the
        inputs, so the derivative still lives in one place. ``rule``, given where the variant is first made,
        replaces it for a variant torch differentiates from other values than the op's (``k / y`` from its
        quotient, so y may change in place after it).
        """
        variant = self._variants.get(position)
        if variant is not None:
            if rule is not None and variant.rules[0] is not rule:
                raise ValueError(f"with_constant: {self.name!r}'s variant {position} was made with another rule")
            return variant
        if len(self.rules) != 2 or self.variadic or self.joint or self.constant_at is not None:
            raise ValueError(f"with_constant: {self.name!r} is not a binary op with one rule per input")
        if position not in (0, 1):
            raise ValueError(f"with_constant: position must be 0 or 1, got {position!r}")
        variant = Op(self.name, rule or self.rules[1 - position], reads_values=self.reads_values)
        variant.constant_at = position
        self._variants[position] = variant
        return variant

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


#: torch's message for a backward pass through nodes whose saved values an earlier pass freed.
FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have already "
    "been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). "
    "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access "
    "saved tensors after calling backward."
)


def _backward_after_free(*args: object, **kwargs: object) -> None:
    raise RuntimeError(FREED_GRAPH_MESSAGE)


def _reads_argument(rule: Callable, position: int) -> bool:
    """Whether ``rule`` may read its positional argument ``position``: False only when its code is readable
    and never loads that argument (nor hands it to a nested function)."""
    rule = getattr(rule, "__wrapped__", rule)  # a decorated rule (accumulation.rule_in_float32) reads what it wraps
    code = getattr(rule, "__code__", None)
    if code is None or position >= code.co_argcount:  # not a plain function, or the argument lands in *args
        return True
    name = code.co_varnames[position]
    if name in code.co_cellvars:  # a nested function or comprehension reads it
        return True
    return any(instruction.argval == name for instruction in dis.get_instructions(code) if "FAST" in instruction.opname)


class OutputGradients(tuple):
    """The gradients of every output of one call of a several-output op, by output position (None where no
    gradient reached that output): the ``grad`` its joint rule receives (see ``Op(outputs=...)``)."""

    __slots__ = ()


def add_contributions(pending: dict, parents: Sequence, contributions: Sequence) -> None:
    """What an ``accumulate`` form does with the gradients it computed: each parent's contribution (None: it has
    none), brought to the parent's shape where the parent broadcasts, added into ``pending`` (the pass's table of
    gradients by node) beside what other children gave it. A parent that requires no gradient gets nothing."""
    for parent, contribution in zip(parents, contributions):
        if contribution is not None and parent._requires_grad:
            if parent.broadcasts:
                contribution = parent._match_gradient(contribution, False)
            previous = pending.get(parent)
            pending[parent] = contribution if previous is None else previous + contribution


def takes_wrapped_number(op: Op) -> bool:
    """Whether torch's backward function of ``op``, a :meth:`Op.with_constant` variant, has the number as an input:
    ``x + 2``, ``2 + x``, ``x - 2``, ``x * 2``, ``2 * x``, ``x / 2`` and ``2 / x`` wrap it as a tensor that requires
    no grad, last among the inputs (a ``(None, 0)`` in ``next_functions``, a None among a hook's ``grad_inputs``);
    ``2 - x`` (torch's rsub) and ``x ** 2``, ``2 ** x`` take it as a plain argument."""
    at = op.constant_at
    return at is not None and (op.name in _WRAPPING_OPS or (at == 1 and op.name == "sub"))


_WRAPPING_OPS = frozenset(("add", "mul", "div"))
