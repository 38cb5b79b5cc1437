"""The optimizer base class: per-variable state, input checks, the step counter.

An optimizer updates NumPy arrays in place::

    opt.apply_gradients([(grad, var), ...])    # each var changes, same object

The state of each variable (Keras calls these "slots": momentum, accumulator,
velocity, ...) is created on the first call, next to two scratch buffers of the
same shape. A step is then a handful of NumPy ufuncs writing into ``out=``
arrays and allocates nothing, which matters because the model calls this once
per batch with all its parameters in one flat buffer.

Subclasses set ``_slot_names`` (state arrays, zero at the start unless
``_initial_value`` says otherwise) and implement ``_update(grad, var, slots,
scratch)`` by calling the in-place kernel they share with their pure
functional form (``sgd_step``, ``adam_step``, ...).
"""

import math
import numbers

import numpy as np

from dlkit._checks import as_float_array, check_finite, check_same_shape

_N_SCRATCH = 2


def check_hyperparameter(value, name, low=0.0, high=math.inf, high_open=False):
    """Return ``value`` as a float after checking low <= value <= high (or < high)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    too_high = value >= high if high_open else value > high
    if value < low or too_high:
        bracket = ")" if high_open else "]"
        raise ValueError(f"{name} must be in [{low:g}, {high:g}{bracket}, got {value!r}.")
    return float(value)


def check_variable(var, name="variable"):
    """A variable is a writeable floating NumPy array: it is updated in place."""
    if not isinstance(var, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array (it is updated in place), got {type(var).__name__}."
        )
    if not np.issubdtype(var.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating-point array to be updated in place, got dtype "
            f"{var.dtype}; convert it once, e.g. var = var.astype('float32')."
        )
    if not var.flags.writeable:
        raise ValueError(f"{name} is read-only; an optimizer updates its variables in place.")


def check_gradient(grad, var, grad_name="gradient", var_name="variable"):
    """Validate ``grad`` against ``var``; return it in var's dtype (as Keras casts it).

    Raises before anything is modified: a shape mismatch (never broadcast), or a NaN /
    infinite gradient, which would silently poison the variable and its state.
    """
    grad = as_float_array(grad, grad_name, dtype=var.dtype)  # no copy if already var's dtype
    check_same_shape(grad, var, grad_name, var_name)
    # One reduction instead of an isfinite() mask (no allocation on the hot path):
    # NaN and inf propagate into the sum; only a non-finite sum pays for the exact check.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(grad, axis=None)
    if not np.isfinite(total):
        check_finite(grad, grad_name)
    return grad


def pure_step_inputs(w, g, *states, names=()):
    """Copies of ``w`` and the state arrays (w's dtype) plus the checked gradient.

    Used by the functional forms (``sgd_step`` ...), which return new arrays and leave
    their inputs untouched; they then run the same in-place kernel as the classes.
    """
    w = np.array(as_float_array(w, "w"), copy=True)
    g = check_gradient(g, w, "g", "w")
    copies = []
    for state, name in zip(states, names):
        state = as_float_array(state, name, dtype=w.dtype)
        check_same_shape(state, w, name, "w")
        copies.append(np.array(state, copy=True))
    return w, g, copies, new_scratch(w)


def new_scratch(var):
    """Work buffers shaped like ``var`` that the kernels write intermediate results into."""
    return tuple(np.empty_like(var) for _ in range(_N_SCRATCH))


def _describe(var):
    return f"{var.shape} {var.dtype}"


def _as_pairs(grads_and_vars):
    pairs = list(grads_and_vars)
    if not pairs:
        raise ValueError("apply_gradients got no (gradient, variable) pairs.")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(
                f"apply_gradients expects a list of (gradient, variable) pairs, but item {i} "
                f"has type {type(pair).__name__}; wrap a single pair as [(grad, var)]."
            )
    return pairs


class Optimizer:
    """Base class. ``apply_gradients([(grad, var), ...])`` updates each var in place."""

    _slot_names = ()

    def __init__(self, learning_rate, name):
        self.learning_rate = check_hyperparameter(learning_rate, "learning_rate")
        self.name = name
        self.iterations = 0
        self._variables = None
        self._slots = []
        self._scratch = []

    def build(self, variables):
        """Create the state of each variable (done by the first apply_gradients call)."""
        variables = list(variables)
        for i, var in enumerate(variables):
            check_variable(var, f"variable[{i}]")
            for j in range(i):
                if variables[j] is var:
                    raise ValueError(f"variable[{i}] is the same array as variable[{j}].")
        self._variables = variables
        self._slots = [self._make_slots(var) for var in variables]
        self._scratch = [new_scratch(var) for var in variables]

    def apply_gradients(self, grads_and_vars):
        """Apply one step to every (gradient, variable) pair; returns ``iterations``.

        All pairs are checked before any variable changes, so a bad gradient leaves the
        variables, the state and ``iterations`` as they were.
        """
        pairs = _as_pairs(grads_and_vars)
        grads = []
        for i, (grad, var) in enumerate(pairs):
            check_variable(var, f"variable[{i}]")
            grads.append(check_gradient(grad, var, f"gradient[{i}]", f"variable[{i}]"))
        variables = [var for _, var in pairs]
        if self._variables is None:
            self.build(variables)
        else:
            self._check_same_variables(variables)
        for grad, var, slots, scratch in zip(grads, variables, self._slots, self._scratch):
            self._update(grad, var, slots, scratch)
        self.iterations += 1
        return self.iterations

    def slots(self, var):
        """Copies of the state arrays kept for ``var``, by slot name (for inspection)."""
        for known, slots in zip(self._variables or (), self._slots):
            if known is var:
                return {name: array.copy() for name, array in slots.items()}
        raise KeyError("This optimizer holds no state for that array (not one of its variables).")

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    def _make_slots(self, var):
        return {name: np.zeros_like(var) for name in self._slot_names}

    def _update(self, grad, var, slots, scratch):
        raise NotImplementedError

    def _check_same_variables(self, variables):
        built = self._variables
        if len(variables) != len(built) or any(a is not b for a, b in zip(variables, built)):
            raise ValueError(
                f"{type(self).__name__} keeps per-variable state and was built on its first "
                f"apply_gradients call for {len(built)} variable(s) "
                f"[{', '.join(_describe(v) for v in built)}]; this call passes different arrays "
                f"[{', '.join(_describe(v) for v in variables)}]. Pass the same array objects "
                "every time (update them in place, do not rebind with w = w - ...), or create "
                "a new optimizer for other variables."
            )
        for i, (var, scratch) in enumerate(zip(variables, self._scratch)):
            if var.shape != scratch[0].shape:
                raise ValueError(
                    f"variable[{i}] changed shape from {scratch[0].shape} to {var.shape} since "
                    "the optimizer was built."
                )
