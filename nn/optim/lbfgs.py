"""``LBFGS``: limited-memory BFGS, a quasi-Newton method that re-evaluates the loss through a closure."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from autograd import Node, enable_grad, no_grad
from autograd.quiet import quiet

from ..checks import check_positive_int, check_real
from .line_search import strong_wolfe
from .optimizer import (
    Optimizer,
    ParamsLike,
    _check_writable,
    _gradient_array,
    _parameter_array,
    _write_parameter,
    check_step_count,
)

__all__ = ["LBFGS"]

#: The state entries that are flat vectors (one entry per parameter element) or lists of them.
_VECTORS, _VECTOR_LISTS = ("d", "prev_flat_grad"), ("old_dirs", "old_stps")
#: The state entries that are numbers (or None before the first step), or lists of numbers.
_NUMBERS, _NUMBER_LISTS = ("t", "H_diag", "prev_loss"), ("ro", "al")


class LBFGS(Optimizer):
    r"""L-BFGS, exactly PyTorch's algorithm (after minFunc): ``step(closure)`` runs up to ``max_iter``
    iterations, each a quasi-Newton direction and a step along it, and returns the closure's first loss.

    The direction is -H g, H the inverse-Hessian estimate of the last ``history_size`` pairs
    (s = parameter change, y = gradient change, kept when y's > 1e-10) by the two-loop recursion, scaled
    by y's / y'y. The step is ``lr`` (the very first: ``min(1, 1 / sum|g|) * lr``), or, with
    ``line_search_fn="strong_wolfe"``, one satisfying the strong Wolfe conditions. A step stops early when
    ``max|g| <= tolerance_grad``, when the loss or the move changes less than ``tolerance_change``, or after
    ``max_eval`` evaluations (default ``max_iter * 5 // 4``).

    ``closure`` must clear the gradients, compute the loss, call ``backward()`` and return the loss. All
    parameters form one group (torch allows no other) and are seen as one flat vector; the history lives
    in ``state`` under the first parameter, as torch keeps it.
    """

    state_keys = ("func_evals", "n_iter", *_VECTORS, *_VECTOR_LISTS, *_NUMBERS, *_NUMBER_LISTS)

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        max_iter = check_positive_int("LBFGS", "max_iter", max_iter)
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_iter * 5 // 4 if max_eval is None else max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add the one group LBFGS takes; a second raises ValueError (torch's LBFGS has no per-group options)."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_real("LBFGS", "lr", group["lr"], 0)
        for name in ("max_iter", "max_eval", "history_size"):
            check_positive_int("LBFGS", name, group[name])
        for name in ("tolerance_grad", "tolerance_change"):
            check_real("LBFGS", name, group[name], 0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {group['line_search_fn']!r}")

    # -- the parameters as one flat vector ------------------------------------------------------
    @property
    def _params(self) -> list[Node]:
        return self.param_groups[0]["params"]

    def _flat_dtype(self) -> np.dtype:
        return np.result_type(*(_parameter_array(parameter).dtype for parameter in self._params))

    def _numel(self) -> int:
        return sum(_parameter_array(parameter).size for parameter in self._params)

    def _gather_flat_grad(self) -> np.ndarray:
        """Every gradient, flattened and concatenated (zeros for a parameter without one)."""
        views = []
        for parameter in self._params:
            grad = _gradient_array(parameter)
            views.append(np.zeros(_parameter_array(parameter).size) if grad is None else grad.reshape(-1))
        return np.concatenate(views).astype(self._flat_dtype(), copy=False)

    def _add_grad(self, step_size: Any, direction: np.ndarray) -> None:
        """theta <- theta + step_size * direction, in place, for the flat vector of all parameters."""
        offset = 0
        for parameter in self._params:
            array = _parameter_array(parameter)
            array += step_size * direction[offset : offset + array.size].reshape(array.shape)
            _write_parameter(parameter, array)
            offset += array.size

    def _clone_param(self) -> list[np.ndarray]:
        return [np.array(_parameter_array(parameter), copy=True) for parameter in self._params]

    def _set_param(self, arrays: list[np.ndarray]) -> None:
        for parameter, array in zip(self._params, arrays):
            target = _parameter_array(parameter)
            np.copyto(target, array)
            _write_parameter(parameter, target)

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, float, np.ndarray]:
        """Run the closure (gradients enabled): (its result, the loss as a float, the flat gradient)."""
        with enable_grad():
            result = closure()
        try:
            loss = float(result._data if isinstance(result, Node) else result)
        except (TypeError, ValueError):
            raise TypeError(
                f"LBFGS.step: the closure must return the loss (one number or a one-element Tensor), got "
                f"{type(result).__name__}; end it with `return loss`"
            ) from None
        return result, loss, self._gather_flat_grad()

    def _directional_evaluate(
        self, closure: Callable[[], Any], start: list[np.ndarray], direction: np.ndarray, t: Any
    ) -> tuple[float, np.ndarray]:
        """The loss and flat gradient at start + t * direction; the parameters are put back at start."""
        self._add_grad(t, direction)
        _, loss, flat_grad = self._evaluate(closure)
        self._set_param(start)
        return loss, flat_grad

    # -- the step -----------------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # noqa: C901 - torch's one loop, kept whole
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` (required) re-evaluates the loss with its
        gradients. Returns the closure's first result. A parameter that cannot take an update in place (a read-only
        array) is refused before any parameter or the state changes, as the other optimizers refuse it."""
        if closure is None or not callable(closure):
            raise TypeError("LBFGS.step: a closure that re-evaluates the model and returns the loss is required")
        for parameter in self._params:
            _check_writable("LBFGS", parameter)
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss, loss, flat_grad = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        if float(np.abs(flat_grad).max()) <= tolerance_grad:  # already optimal (a float: 1e308 against float32)
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
        with no_grad(), quiet():
            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:  # the first direction: steepest descent
                    d = -flat_grad
                    old_dirs, old_stps, ro, h_diag = [], [], [], 1
                else:  # the new curvature pair, then the two-loop recursion for d = -H g
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = y.dot(s)
                    if ys > 1e-10:
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / y.dot(y)
                    if "al" not in state:
                        state["al"] = [None] * history_size
                    al = state["al"]
                    q = -flat_grad
                    for i in range(len(old_dirs) - 1, -1, -1):
                        al[i] = old_stps[i].dot(q) * ro[i]
                        q -= al[i] * old_dirs[i]
                    d = r = q * h_diag
                    for i in range(len(old_dirs)):
                        be_i = old_dirs[i].dot(r) * ro[i]
                        r += (al[i] - be_i) * old_stps[i]
                if prev_flat_grad is None:
                    prev_flat_grad = flat_grad.copy()
                else:
                    np.copyto(prev_flat_grad, flat_grad)
                prev_loss = loss
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
                gtd = flat_grad.dot(d)  # the directional derivative
                if gtd > -tolerance_change:
                    break

                evaluations = 0
                if line_search_fn is not None:
                    loss, flat_grad, t, evaluations = strong_wolfe(
                        partial(self._directional_evaluate, closure, self._clone_param(), d),
                        t,
                        d,
                        loss,
                        flat_grad,
                        gtd,
                        max_ls=max_eval - current_evals,
                    )
                    self._add_grad(t, d)
                    optimal = np.abs(flat_grad).max() <= tolerance_grad
                else:
                    self._add_grad(t, d)
                    optimal = False
                    if n_iter != max_iter:  # the last iteration's loss is not needed
                        _, loss, flat_grad = self._evaluate(closure)
                        optimal = np.abs(flat_grad).max() <= tolerance_grad
                        evaluations = 1
                current_evals += evaluations
                state["func_evals"] += evaluations

                if n_iter == max_iter or current_evals >= max_eval or optimal:
                    break
                if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                    break
        state.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
            prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
        )  # fmt: skip
        return orig_loss

    # -- persistence --------------------------------------------------------------------------------
    def _unpack_state(
        self, saved_state: dict[Any, Any], parameters: dict[int, Node], problems: list[str]
    ) -> dict[Node, dict[str, Any]]:
        """Check LBFGS's saved history (flat vectors of all the parameters' elements, lists of them, counts
        and numbers) and convert the vectors to arrays."""
        new_state: dict[Node, dict[str, Any]] = {}
        numel, dtype = self._numel(), self._flat_dtype()

        def vector(index: Any, key: str, value: Any) -> np.ndarray | None:
            array = np.asarray(value)
            if array.shape != (numel,) or array.dtype.kind not in "fiu":
                problems.append(f"state {index}: {key!r} must be a vector of {numel} numbers, got shape {array.shape}")
                return None
            return np.array(array, dtype=dtype, copy=True)

        def number(index: Any, key: str, value: Any) -> Any:
            if value is None:
                return None
            array = np.asarray(value)
            if array.shape != () or array.dtype.kind not in "fiu":
                problems.append(f"state {index}: {key!r} must be a number, got {value!r}")
                return None
            return array.astype(dtype)[()] if array.dtype.kind == "f" else array[()]

        for index, entry in saved_state.items():
            if index not in parameters or parameters[index] is not self._params[0]:
                problems.append(f"state for parameter index {index!r}: LBFGS keeps its state under parameter 0")
                continue
            unknown = sorted(set(entry) - set(self.state_keys), key=str) if isinstance(entry, dict) else None
            if unknown is None or unknown:
                problems.append(f"state {index}: expected a dict with keys among {list(self.state_keys)}")
                continue
            restored: dict[str, Any] = {}
            for key, value in entry.items():
                if key in ("func_evals", "n_iter"):
                    try:
                        restored[key] = check_step_count(f"state {index}", repr(key), value)
                    except (TypeError, ValueError) as error:
                        problems.append(str(error))
                elif key in _VECTORS:
                    restored[key] = None if value is None else vector(index, key, value)
                elif not isinstance(value, (list, tuple)) and key not in _NUMBERS:
                    problems.append(f"state {index}: {key!r} must be a list, got {type(value).__name__}")
                elif key in _VECTOR_LISTS:
                    restored[key] = [vector(index, key, item) for item in value]
                elif key in _NUMBER_LISTS:
                    restored[key] = [number(index, key, item) for item in value]
                else:
                    restored[key] = number(index, key, value)
            lengths = {len(restored[key]) for key in ("old_dirs", "old_stps", "ro") if key in restored}
            if len(lengths) > 1:
                problems.append(f"state {index}: 'old_dirs', 'old_stps' and 'ro' must have one entry per pair")
            if len(restored.get("al", ())) < len(restored.get("old_dirs", ())):
                problems.append(f"state {index}: 'al' must have an entry for every pair in 'old_dirs'")
            new_state[self._params[0]] = restored
        return new_state
