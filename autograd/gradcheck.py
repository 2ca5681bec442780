"""Check analytic gradients against central finite differences in float64.

``gradcheck(f, inputs)`` compares the full Jacobian of ``f`` computed by
backward passes with the one from central differences
``(f(x + eps) - f(x - eps)) / (2 eps)``, element by element, and raises
:class:`GradcheckError` naming the first input, element and output that
disagree. ``gradgradcheck`` does the same for the gradient itself (second
derivatives), using ``create_graph=True``.

The inputs checked are, as in torch, the floating Tensors (and Values) that require grad; if no
input requires grad (plain arrays, numbers, constant Tensors: this library's convenience), every
floating input is. They are copied to float64 leaves first, so the user's nodes are untouched and
float32 inputs are checked at full precision. Every other argument (an integer index Tensor, a
constant Tensor beside one that requires grad, an int, a shape tuple) is passed to ``f`` unchanged,
as torch passes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Node
from .functional import grad
from .gradcheck_undefined import check_undefined_grads
from .tensor import Tensor
from .value import Value


class GradcheckError(AssertionError, RuntimeError):
    """Raised when an analytic derivative disagrees with finite differences (an AssertionError, and a RuntimeError
    as torch's GradcheckError is)."""


def _requires_grad(x: Any) -> bool:
    """Whether ``x`` is a floating node that requires grad: torch's test for the inputs gradcheck checks."""
    return isinstance(x, Node) and bool(x.requires_grad) and np.asarray(x._data).dtype.kind == "f"


def _floating(x: Any) -> bool:
    """Whether ``x`` holds real floating-point numbers (a float, a floating array or node, not an int or a tuple)."""
    if isinstance(x, (Node, np.ndarray, np.generic)):
        return np.asarray(x._data if isinstance(x, Node) else x).dtype.kind == "f"
    return isinstance(x, float)


def _arguments(inputs: Any) -> tuple[list[Any], list[int]]:
    """``f``'s arguments (a float64 leaf in place of each checked input) and the positions of the checked ones.

    The checked inputs are those that require grad (torch's rule) if any does; if none does (plain arrays,
    numbers, constant Tensors) every floating one is checked. The others are passed to ``f`` unchanged.
    """
    given = _input_list(inputs)
    positions = [position for position, x in enumerate(given) if _requires_grad(x)]
    if not positions:
        positions = [position for position, x in enumerate(given) if _floating(x)]
    if not positions:
        raise ValueError(
            "gradcheck: no input to check: give at least one floating Tensor (or Value) that requires grad, a "
            "floating ndarray or a float; integer inputs, tuples and the like are passed to f unchanged"
        )
    checked = set(positions)
    return [_float64_leaf(x) if position in checked else x for position, x in enumerate(given)], positions


def _dtype_of(x: Any) -> np.dtype:
    """The dtype of an input as given (a Python float's is float64)."""
    return np.asarray(x._data if isinstance(x, Node) else x).dtype


def _float64_leaf(x: Any) -> Node:
    """A fresh float64 leaf (C-ordered, so it can be perturbed in place) carrying ``x``'s label."""
    if isinstance(x, Value) or isinstance(x, (int, float)):
        leaf = Value(float(x._data if isinstance(x, Value) else x))
    else:
        leaf = Tensor(np.array(x._data if isinstance(x, Node) else x, dtype=np.float64, order="C"), requires_grad=True)
    leaf.label = x.label if isinstance(x, Node) else ""
    return leaf


def _flat_outputs(result: Any) -> list[Node]:
    outputs = list(result) if isinstance(result, (list, tuple)) else [result]
    for output in outputs:
        if not isinstance(output, Node):
            raise TypeError(f"gradcheck: the function must return Values or Tensors, got {type(output).__name__}")
    return outputs


def _output_arrays(outputs: list[Node]) -> list[np.ndarray]:
    """Copies of the outputs' numbers (an output may be the perturbed input itself), of their own dtypes and shapes,
    which perturbing an input must not change."""
    return [np.array(o._data) for o in outputs]


def _output_vector(outputs: list[np.ndarray]) -> np.ndarray:
    if not outputs:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(o, dtype=np.float64)) for o in outputs])


def _describe(x: Node, position: int) -> str:
    label = f" ({x.label!r})" if x.label else ""
    return f"input {position}{label}"


def _analytic_jacobian(outputs: list[Node], leaves: list[Node], create_graph: bool) -> list[Any]:
    """Rows d output_k / d leaves for every output element k (one backward each)."""
    rows = []
    for output in outputs:
        shape = np.shape(output._data)
        for index in np.ndindex(*shape):
            if not output.requires_grad:
                rows.append([None] * len(leaves))
                continue
            seed = np.zeros(shape, dtype=np.float64)
            seed[index] = 1.0
            seed_arg = float(seed) if isinstance(output, Value) else seed
            rows.append(
                list(
                    grad(
                        output,
                        leaves,
                        grad_outputs=seed_arg,
                        retain_graph=True,
                        create_graph=create_graph,
                        allow_unused=True,
                    )
                )
            )
    return rows


def _as_array(g: Any, leaf: Node) -> np.ndarray:
    if g is None:
        return np.zeros(np.shape(leaf._data))
    return np.asarray(g._data if isinstance(g, Node) else g, dtype=np.float64)


def _compare(
    analytic: np.ndarray,
    numeric: np.ndarray,
    leaf: Node,
    position: int,
    row: tuple[int, tuple[int, ...]],
    what: str,
    atol: float,
    rtol: float,
) -> None:
    """Raise torch's "Jacobian mismatch for output k with respect to input j" unless the row of the analytic
    Jacobian (the derivatives of output element ``row`` = (output k, its element index)) is close to the numeric
    one, naming the element of the input where they differ and both numbers in full."""
    close = np.isclose(analytic, numeric, atol=atol, rtol=rtol)  # a nan on either side fails, as torch's
    if not np.all(close):
        output, output_element = row
        element = (
            tuple(int(i) for i in np.unravel_index(int(np.argmin(close)), np.shape(close))) if np.ndim(close) else ()
        )
        raise GradcheckError(
            f"gradcheck: Jacobian mismatch for output {output} with respect to {_describe(leaf, position)}: {what} of "
            f"{f'its element {output_element}' if output_element else 'it'} with respect to the input"
            f"{f' at index {element}' if element else ''}: analytic {float(np.asarray(analytic)[element])!r} vs "
            f"numeric {float(np.asarray(numeric)[element])!r} (atol={atol}, rtol={rtol})"
        )


def _row_positions(outputs: list[Node]) -> list[tuple[int, tuple[int, ...]]]:
    """(output position, element index) of each row of the Jacobian, the outputs' elements flattened in order."""
    return [
        (k, tuple(int(i) for i in index)) for k, o in enumerate(outputs) for index in np.ndindex(*np.shape(o._data))
    ]


def _numeric_columns(evaluate: Callable[[], list[np.ndarray]], leaf: Node, eps: float) -> np.ndarray:
    """d evaluate() / d leaf by central differences: shape (n_outputs, *leaf.shape)."""
    if isinstance(leaf, Value):
        original = leaf._data
        leaf._data = original + eps
        plus = evaluate()
        leaf._data = original - eps
        minus = evaluate()
        leaf._data = original
        return _central_difference(plus, minus, eps, ())
    columns = []
    flat = leaf._data.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = evaluate()
        flat[i] = original - eps
        minus = evaluate()
        flat[i] = original
        columns.append(_central_difference(plus, minus, eps, np.unravel_index(i, leaf._data.shape)))
    if not columns:  # an empty input: every output has a zero-size derivative
        return np.zeros((_output_vector(evaluate()).size,) + leaf._data.shape)
    return np.stack(columns, axis=-1).reshape((-1,) + leaf._data.shape)


def _central_difference(plus: list[np.ndarray], minus: list[np.ndarray], eps: float, index: tuple) -> np.ndarray:
    """(f(x + eps) - f(x - eps)) / (2 eps) over the outputs flattened, with IEEE results (inf - inf is nan) and no
    numpy warning. Outputs whose shape or dtype differ at the two points (f(x) = x[x > 0] with an element within eps
    of 0) raise torch's AssertionError (not a GradcheckError: not a wrong derivative, a function finite differences
    cannot check), naming the perturbed element ``index``."""
    for a, b in zip(minus, plus):
        for what, first, second in (("shape", a.shape, b.shape), ("dtype", a.dtype, b.dtype)):
            if first != second:
                raise AssertionError(
                    f"gradcheck: Expected `func` to return outputs with the same {what} when inputs are perturbed on "
                    f"index {tuple(int(i) for i in index)} by {eps}, but got: {what}s {first} and {second}."
                )
    with np.errstate(all="ignore"):
        return (_output_vector(plus) - _output_vector(minus)) / (2 * eps)


def _input_list(inputs: Any) -> list[Any]:
    """gradcheck's inputs as a list: one Tensor, Value, array or number is one input (as torch's gradcheck)."""
    if isinstance(inputs, (Node, np.ndarray, np.generic, float, int)):
        return [inputs]
    return list(inputs)


def _verdict(check: Callable[..., bool], *arguments: Any, **options: Any) -> bool:
    """``check(*arguments)`` as True or False (torch's ``raise_exception=False``) instead of a GradcheckError."""
    try:
        return check(*arguments, **options)
    except GradcheckError:
        return False


#: torch's options of gradcheck (beside those in its signature here) that are accepted: the full Jacobian is always
#: compared (torch's ``fast_mode=False``), and there is no vmap; ``check_undefined_grad`` (default True) is gradcheck's
#: check of a custom Function's backward given no output gradient (:mod:`autograd.gradcheck_undefined`).
_GRADCHECK_OPTIONS = frozenset(
    {"check_undefined_grad", "check_grad_dtypes", "check_batched_grad", "check_backward_ad", "fast_mode", "masked"}
)
#: gradgradcheck's, as torch's signature has them (none of its is a check of undefined gradients here).
_GRADGRADCHECK_OPTIONS = frozenset(
    {"check_undefined_grad", "check_grad_dtypes", "check_batched_grad", "check_rev_over_rev", "fast_mode", "masked",
     "gen_non_contig_grad_outputs"}
)  # fmt: skip


def _check_torch_options(
    check: str, forward_modes: dict[str, bool], reverse: str, options: dict[str, Any], accepted: frozenset[str]
) -> None:
    """Refuse unknown keywords (``accepted`` are torch's other options of ``check``), the reverse-mode check turned
    off (``reverse``: torch's AssertionError when no mode is left to check) and torch's forward-mode checks (this
    library has reverse mode only), in torch's order."""
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(f"{check}() got an unexpected keyword argument {unknown[0]!r}")
    forward = next(iter(forward_modes))
    if not options.get(reverse, True) and not forward_modes[forward]:
        raise AssertionError(
            f"{check}: Expected at least one of {forward} or {reverse} to be True ({reverse}=False "
            "turns off the reverse-mode check, the only one this library has, so nothing would be checked)"
        )
    if forward_modes.get("check_batched_forward_grad") and not forward_modes[forward]:
        raise AssertionError(f"{check}: Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    for name, wanted in forward_modes.items():
        if wanted:
            raise NotImplementedError(f"{check}: {name}=True checks forward-mode AD, which this library does not have")


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any] | Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    *,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_forward_ad: bool = False,
    check_batched_forward_grad: bool = False,
    **torch_options: Any,
) -> bool:
    """Check ``f``'s first derivatives at ``inputs`` against central differences.

    ``inputs`` is a sequence of inputs, or one Tensor/Value/array/number. ``f(*inputs)`` must
    return a Value, a Tensor, or a list/tuple of them. Returns True, or raises
    :class:`GradcheckError` naming the input, the analytic and the numeric value (with
    ``raise_exception=False``, as torch's, returns False instead). Outputs that do not require grad are not
    compared, as torch's. The backward passes are run twice and must agree within ``nondet_tol`` (torch's
    "Backward is not reentrant" otherwise), and zero grad_outputs must give zero gradients (torch's "backward not
    multiplied by grad_output"), and a custom Function's backward must cope with output gradients that are
    undefined (torch's ``check_undefined_grad=True``, the default). torch's other keyword options are accepted
    (:data:`_GRADCHECK_OPTIONS`); its forward-mode checks are refused.
    """
    forward_modes = {"check_forward_ad": check_forward_ad, "check_batched_forward_grad": check_batched_forward_grad}
    _check_torch_options("gradcheck", forward_modes, "check_backward_ad", torch_options, _GRADCHECK_OPTIONS)
    undefined = torch_options.get("check_undefined_grad", True)
    if not raise_exception:
        return _verdict(gradcheck, f, inputs, eps, atol, rtol, nondet_tol=nondet_tol, check_undefined_grad=undefined)
    return _check(f, inputs, eps, atol, rtol, nondet_tol, every_output=False, undefined=bool(undefined))


def _check(
    f: Callable[..., Any],
    inputs: Any,
    eps: float,
    atol: float,
    rtol: float,
    nondet_tol: float,
    every_output: bool,
    undefined: bool = False,
) -> bool:
    """:func:`gradcheck`'s comparison. The outputs compared are, as torch's, those that require grad (the others
    have no Jacobian to check); when none does, f must be numerically constant in the inputs (torch's "Numerical
    gradient for function expected to be zero"). ``every_output`` compares every output, a constant one as a zero
    Jacobian: :func:`gradgradcheck`'s, whose gradients may have lost their graph by a bug. Once the Jacobians
    agree, the backward passes are run again and must give the same numbers within ``nondet_tol`` (torch's
    reentrancy check, for a Function whose backward is not deterministic). ``undefined`` runs torch's
    ``check_undefined_grad`` last (:mod:`autograd.gradcheck_undefined`)."""
    arguments, positions = _arguments(inputs)
    leaves = [arguments[position] for position in positions]
    try:
        outputs = _flat_outputs(f(*arguments))
    except TypeError as error:  # a layer of float32 parameters refuses the float64 copy: say where that came from
        widened = [position for position in positions if _dtype_of(_input_list(inputs)[position]) != np.float64]
        if widened:
            error.add_note(
                f"gradcheck: the checked inputs are copied to float64 (here inputs {widened}, given as float32 or "
                "another dtype), so that finite differences are precise; if f holds a float32 module, convert it "
                "with model.double() before gradcheck"
            )
        raise
    compared = [k for k, output in enumerate(outputs) if every_output or output.requires_grad]
    where = [row for row in _row_positions(outputs) if row[0] in compared] if compared else _row_positions(outputs)

    def evaluate() -> list[np.ndarray]:
        fresh = _flat_outputs(f(*arguments))
        return _output_arrays([fresh[k] for k in compared] if compared else fresh)

    if not compared:
        _check_constant(evaluate, leaves, positions, where, eps)
        return True
    rows = _analytic_jacobian([outputs[k] for k in compared], leaves, create_graph=False)
    for column, (position, leaf) in enumerate(zip(positions, leaves)):
        numeric = _numeric_columns(evaluate, leaf, eps)
        for row_index, row in enumerate(rows):
            _compare(
                _as_array(row[column], leaf), numeric[row_index], leaf, position, where[row_index], "derivative", atol,
                rtol,
            )  # fmt: skip
    _check_reentrant(rows, _analytic_jacobian([outputs[k] for k in compared], leaves, False), leaves, nondet_tol)
    _check_multiplied_by_grad_output([outputs[k] for k in compared], leaves, positions)
    if undefined:  # torch's check_undefined_grad: a custom Function's backward given no output gradient
        check_undefined_grads(
            [outputs[k] for k in compared], leaves, GradcheckError, lambda j: _describe(leaves[j], positions[j])
        )
    return True


def _check_multiplied_by_grad_output(outputs: list[Node], leaves: list[Node], positions: list[int]) -> None:
    """Raise torch's "backward not multiplied by grad_output" unless zero seeds give zero gradients: a backward that
    adds to, or ignores, the incoming gradient can still match the Jacobian within atol, not this."""
    roots = [output for output in outputs if output.requires_grad]
    if not roots:
        return
    seeds = [0.0 if isinstance(root, Value) else np.zeros(np.shape(root._data)) for root in roots]
    gradients = grad(roots, leaves, grad_outputs=seeds, retain_graph=True, allow_unused=True)
    for gradient, leaf, position in zip(gradients, leaves, positions):
        values = _as_array(gradient, leaf)
        if np.any(values != 0):  # a nan too
            raise GradcheckError(
                f"gradcheck: backward not multiplied by grad_output: with every grad_output zero, the gradient with "
                f"respect to {_describe(leaf, position)} is not zero (largest magnitude "
                f"{float(np.max(np.abs(values)))!r}); a backward must scale what it returns by the incoming gradient"
            )


def _check_reentrant(rows: list[Any], again: list[Any], leaves: list[Node], nondet_tol: float) -> None:
    """Raise torch's "Backward is not reentrant" where two backward passes over the same graph, with the same
    seeds, differ by more than ``nondet_tol``."""
    for first, second in zip(rows, again):
        for gradient, repeated, leaf in zip(first, second, leaves):
            difference = np.abs(_as_array(gradient, leaf) - _as_array(repeated, leaf))
            if np.any(difference > nondet_tol):
                raise GradcheckError(
                    "gradcheck: Backward is not reentrant, i.e., running backward with same input and grad_output "
                    "multiple times gives different values, although analytical gradient matches numerical gradient. "
                    f"The tolerance for nondeterminism was {nondet_tol} (the largest difference here: "
                    f"{float(np.max(difference))!r}); pass nondet_tol to allow a backward that is not deterministic"
                )


def _check_constant(
    evaluate: Callable[[], list[np.ndarray]],
    leaves: list[Node],
    positions: list[int],
    where: list[tuple[int, tuple[int, ...]]],
    eps: float,
) -> None:
    """Raise unless every central difference of f (none of whose outputs requires grad) is exactly zero."""
    for position, leaf in zip(positions, leaves):
        numeric = _numeric_columns(evaluate, leaf, eps)
        changed = np.argwhere(numeric != 0)  # a nan is a change too
        if changed.size:
            row, *element = (int(i) for i in changed[0])
            output, output_element = where[row]
            raise GradcheckError(
                f"gradcheck: Numerical gradient for function expected to be zero: no output of f requires grad (none "
                f"is computed from the inputs by differentiable operations), yet output {output}"
                f"{f' at {output_element}' if output_element else ''} changes with {_describe(leaf, position)}"
                f"{f' at index {tuple(element)}' if element else ''}: analytic 0.0 vs numeric "
                f"{float(numeric[(row, *element)])!r}"
            )


def gradgradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any] | Any,
    grad_outputs: Sequence[Any] | Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_fwd_over_rev: bool = False,
    **torch_options: Any,
) -> bool:
    """Check second derivatives: finite differences of the analytic gradient
    (first order) against the gradient of the gradient (``create_graph=True``); ``inputs``,
    ``raise_exception`` and ``nondet_tol`` as in :func:`gradcheck`, torch's signature.

    What is differentiated twice is the vector-Jacobian product sum_k v_k * d out_k / d inputs, with ``v``
    given as ``grad_outputs`` (one per output, of its shape), as in torch; by default the seed 1 for a single
    one-element output, else fixed random ``v`` of the outputs' shapes (torch's random ``grad_outputs``). As in
    torch, ``v`` is an input of the product too: its derivative in ``v`` is checked, so a backward that detaches its
    gradient argument fails; a ``grad_outputs`` entry given as a Tensor that does not require grad is a constant
    there, whose derivative is not checked, as torch's.
    """
    _check_torch_options(
        "gradgradcheck", {"check_fwd_over_rev": check_fwd_over_rev}, "check_rev_over_rev", torch_options,
        _GRADGRADCHECK_OPTIONS,
    )  # fmt: skip
    if not raise_exception:
        return _verdict(gradgradcheck, f, inputs, grad_outputs, eps=eps, atol=atol, rtol=rtol, nondet_tol=nondet_tol)
    arguments, positions = _arguments(inputs)
    outputs = _flat_outputs(f(*arguments))
    if grad_outputs is None:
        given_seeds, numbers = _grad_output_seeds(outputs), list(range(len(outputs)))
    else:
        given_seeds, numbers = _seeds_per_output(grad_outputs, outputs)
    # the seeds are inputs of the checked product too, as torch's: a backward that treats its grad_output as a
    # constant (detaches it) gives a product whose derivative in v is wrong, which only this can see; a seed given
    # as a node that does not require grad is a constant, passed unchanged and not checked, as torch's
    seeds = [seed if _constant(seed) else _float64_leaf(seed) for seed in given_seeds]
    for number, seed in zip(numbers, seeds):
        if not _constant(seed):
            seed.label = f"grad_outputs[{number}]"  # (what a mismatch in it is called)
    count = len(arguments)

    def gradient_outputs(*given: Any) -> list[Node]:
        own, seed_nodes = given[:count], given[count:]
        nodes = [own[position] for position in positions]
        outputs = _flat_outputs(f(*own))
        kept = [index for index, out in enumerate(outputs) if out.requires_grad]  # the others have no gradient
        grads = (
            grad([outputs[i] for i in kept], nodes, [seed_nodes[i] for i in kept], create_graph=True, allow_unused=True)
            if kept
            else (None,) * len(nodes)
        )
        result = []
        for g, node in zip(grads, nodes):
            if g is None:
                g = Value(0.0, requires_grad=False) if isinstance(node, Value) else Tensor(np.zeros(node._data.shape))
            result.append(g)
        return result

    return _check(gradient_outputs, [*arguments, *seeds], eps, atol, rtol, nondet_tol, every_output=True)


def _seeds_per_output(grad_outputs: Any, outputs: list[Node]) -> tuple[list[Any], list[int | None]]:
    """gradgradcheck's ``grad_outputs`` as one seed per output of f, and the position of each in ``grad_outputs``
    (None for none): given one per output, or, as torch's, one per output that requires grad (the others have no
    gradient to seed: a constant zero stands for theirs)."""
    given = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    differentiable = [output.requires_grad for output in outputs]
    if len(given) == len(outputs):
        return given, list(range(len(given)))
    if len(given) == sum(differentiable):
        seeds, numbers, taken = [], [], 0
        for wanted, output in zip(differentiable, outputs):
            seeds.append(given[taken] if wanted else _constant_zero(output))
            numbers.append(taken if wanted else None)
            taken += wanted
        return seeds, numbers
    raise ValueError(
        f"gradgradcheck: got {len(given)} grad_outputs for {len(outputs)} outputs of f, {sum(differentiable)} of which "
        "require grad (give one for each output, or one for each output that requires grad, as torch's)"
    )


def _constant_zero(output: Node) -> Node:
    """A zero seed of ``output``'s shape that does not require grad (for an output that has no gradient)."""
    if isinstance(output, Value):
        return Value(0.0, requires_grad=False)
    return Tensor(np.zeros(np.shape(output._data)))


def _constant(seed: Any) -> bool:
    """Whether a grad_output of gradgradcheck is a constant: a node that does not require grad (plain arrays and
    numbers are checked, as every plain input of gradcheck is when no input requires grad)."""
    return isinstance(seed, Node) and not seed.requires_grad


def _grad_output_seeds(outputs: list[Node]) -> list[Any]:
    """The seeds v of gradgradcheck's product: 1 for a single one-element output (of its shape), else standard
    normal draws (from a fixed seed) of each output's shape (a float for a Value)."""
    if len(outputs) == 1 and np.size(outputs[0]._data) == 1:
        return [1.0 if isinstance(outputs[0], Value) else np.ones(np.shape(outputs[0]._data))]
    rng = np.random.default_rng(0)
    return [
        float(rng.standard_normal()) if isinstance(output, Value) else rng.standard_normal(np.shape(output._data))
        for output in outputs
    ]
