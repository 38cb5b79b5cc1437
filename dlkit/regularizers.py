"""Weight penalties (Keras 3 names and defaults), each with its gradient.

    L1(l1):      penalty = l1 · Σ|w|          d/dw = l1 · sign(w)
    L2(l2):      penalty = l2 · Σ w²  (no ½)  d/dw = 2 · l2 · w
    L1L2(l1, l2) = L1(l1) + L2(l2)

``reg(w)`` returns the penalty as a scalar of w's dtype; ``reg.gradient(w)`` an
array shaped like w. |w| has no derivative at 0; like ``sign`` we use the
subgradient 0 there. Keras adds weight penalties to the loss as they are (an
activity penalty is divided by the batch size, which is the layer's business).
NaN weights give a NaN penalty: the model, not the penalty, reports divergence.
"""

import math
import numbers

import numpy as np

from dlkit._checks import as_float_array
from dlkit._registry import Configurable, get_instance


def _check_factor(value, name):
    """Keras's rule: a penalty factor is a finite, non-negative number."""
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real)
    if bad or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {value!r}.")
    return float(value)


class Regularizer(Configurable):
    """Base class: ``reg(w)`` -> scalar penalty, ``reg.gradient(w)`` -> d penalty / dw.

    Subclasses define ``_penalty(w)`` and ``_gradient(w)`` on a float array.
    """

    def __call__(self, w):
        w = as_float_array(w, "w")
        return w.dtype.type(self._penalty(w))

    def gradient(self, w):
        w = as_float_array(w, "w")
        return np.asarray(self._gradient(w), dtype=w.dtype)


class L1L2(Regularizer):
    """penalty = l1 · Σ|w| + l2 · Σw² (both factors default to 0, as in Keras);
    gradient l1 · sign(w) + 2 · l2 · w. A factor of 0 leaves its term out."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(l1, "l1")
        self.l2 = _check_factor(l2, "l2")

    def _penalty(self, w):
        total = 0.0
        if self.l1:
            total += self.l1 * np.sum(np.abs(w))
        if self.l2:
            total += self.l2 * np.sum(np.square(w))
        return total

    def _gradient(self, w):
        grad = np.zeros_like(w)
        if self.l1:
            grad += self.l1 * np.sign(w)
        if self.l2:
            grad += 2.0 * self.l2 * w
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """penalty = l1 · Σ|w|; gradient l1 · sign(w) (0 at w = 0)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """penalty = l2 · Σw² (Keras has no ½); gradient 2 · l2 · w."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


ALL = {
    "L1": L1, "L2": L2, "L1L2": L1L2,
    "l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2,
}


def get(identifier):
    """Return a regularizer: a name ("l1", "l2", "l1_l2" or a class name) gives a
    default instance, a class is instantiated, a callable is returned, None gives None.
    Unknown names raise ValueError listing the valid ones."""
    return get_instance("regularizer", identifier, ALL, Regularizer)
