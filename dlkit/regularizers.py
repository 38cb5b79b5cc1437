"""Weight penalties (Keras 3 names and defaults), each with its gradient.

    L1(l1):      penalty = l1 · Σ|w|          d/dw = l1 · sign(w)
    L2(l2):      penalty = l2 · Σ w²  (no ½)  d/dw = 2 · l2 · w
    L1L2(l1, l2) = L1(l1) + L2(l2)

``reg(w)`` returns the penalty as a scalar of w's dtype; ``reg.gradient(w)`` an
array shaped like w. |w| has no derivative at 0; like ``sign`` we use the
subgradient 0 there. Keras adds weight penalties to the loss as they are (an
activity penalty is divided by the batch size, which is the layer's business).
"""

import math
import numbers

import numpy as np

from dlkit._checks import as_float_array
from dlkit._registry import lookup


def _check_factor(value, name):
    """Keras's rule: a penalty factor is a finite, non-negative number."""
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real)
    if bad or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {value!r}.")
    return float(value)


def _l1(w, l1):
    return l1 * np.sum(np.abs(w))


def _l1_gradient(w, l1):
    return l1 * np.sign(w)


def _l2(w, l2):
    return l2 * np.sum(np.square(w))


def _l2_gradient(w, l2):
    return 2.0 * l2 * w


class Regularizer:
    """Base class: ``reg(w)`` -> scalar penalty, ``reg.gradient(w)`` -> d penalty / dw."""

    def __call__(self, w):
        w = as_float_array(w, "w")
        return w.dtype.type(self._penalty(w))

    def gradient(self, w):
        w = as_float_array(w, "w")
        return np.asarray(self._gradient(w), dtype=w.dtype)

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """penalty = l1 · Σ|w|; gradient l1 · sign(w) (0 at w = 0)."""

    def __init__(self, l1=0.01):
        self.l1 = _check_factor(l1, "l1")

    def _penalty(self, w):
        return _l1(w, self.l1)

    def _gradient(self, w):
        return _l1_gradient(w, self.l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """penalty = l2 · Σw² (Keras has no ½); gradient 2 · l2 · w."""

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(l2, "l2")

    def _penalty(self, w):
        return _l2(w, self.l2)

    def _gradient(self, w):
        return _l2_gradient(w, self.l2)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """penalty = l1 · Σ|w| + l2 · Σw² (both factors default to 0, as in Keras)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(l1, "l1")
        self.l2 = _check_factor(l2, "l2")

    def _penalty(self, w):
        return _l1(w, self.l1) + _l2(w, self.l2)

    def _gradient(self, w):
        return _l1_gradient(w, self.l1) + _l2_gradient(w, self.l2)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


ALL = {
    "L1": L1, "L2": L2, "L1L2": L1L2,
    "l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2,
}


def get(identifier):
    """Return a regularizer: a name ("l1", "l2", "l1_l2" or a class name) gives a
    default instance, a class is instantiated, a callable is returned, None gives None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, ALL)()
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier):
        return identifier
    return lookup("regularizer", identifier, ALL)  # raises TypeError naming what came
