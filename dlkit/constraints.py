"""Weight constraints (Keras 3), applied to a weight after each optimizer step.

Norms are taken along ``axis`` (default 0): for a Dense kernel of shape
(inputs, units) that is one norm per output unit, n_j = sqrt(Σ_i w_ij²).
With eps = ``config.epsilon()`` (1e-7):

    MaxNorm(max_value=2)        w · clip(n, 0, max_value) / (eps + n)
    NonNeg()                    max(w, 0)
    UnitNorm()                  w / (eps + n)
    MinMaxNorm(min_value=0, max_value=1, rate=1)
                                w · (rate · clip(n, min, max) + (1 - rate) · n) / (eps + n)

``c(w)`` returns a new array of w's dtype; w itself is left unchanged. NaN
weights stay NaN: the model, not the constraint, reports divergence.
"""

import math
import numbers

import numpy as np

from dlkit import config
from dlkit._checks import as_float_array
from dlkit._registry import Configurable, get_instance


def _check_number(value, name, low=0.0, high=math.inf):
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real)
    if bad or math.isnan(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}.")
    return float(value)


def _norms(w, axis):
    """Euclidean norms along ``axis``, kept as size-1 axes so they broadcast back onto w."""
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _rescale(w, norms, desired):
    """Scale each slice of w from norm n to norm desired (eps keeps 0-norm slices at 0)."""
    return w * (desired / (config.epsilon() + norms))


class Constraint(Configurable):
    """Base class: ``c(w)`` -> a new, constrained array."""

    def __call__(self, w):
        raise NotImplementedError


class MaxNorm(Constraint):
    """Shrink every slice whose norm exceeds max_value back to norm max_value."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = _check_number(max_value, "max_value")
        self.axis = axis

    def __call__(self, w):
        w = as_float_array(w, "w")
        norms = _norms(w, self.axis)
        return _rescale(w, norms, np.clip(norms, 0, self.max_value))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to 0: max(w, 0)."""

    def __call__(self, w):
        w = as_float_array(w, "w")
        return np.maximum(w, 0)


class UnitNorm(Constraint):
    """Scale every slice to norm 1 (slightly less: n / (eps + n))."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = as_float_array(w, "w")
        norms = _norms(w, self.axis)
        return _rescale(w, norms, 1.0)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move every slice's norm into [min_value, max_value]; rate < 1 moves only part way.

    desired = rate · clip(n, min_value, max_value) + (1 - rate) · n.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = _check_number(min_value, "min_value")
        self.max_value = _check_number(max_value, "max_value", low=self.min_value)
        self.rate = _check_number(rate, "rate", high=1.0)
        self.axis = axis

    def __call__(self, w):
        w = as_float_array(w, "w")
        norms = _norms(w, self.axis)
        clipped = np.clip(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1.0 - self.rate) * norms
        return _rescale(w, norms, desired)

    def get_config(self):
        return {
            "min_value": self.min_value, "max_value": self.max_value,
            "rate": self.rate, "axis": self.axis,
        }


ALL = {
    "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
    "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm,
}


def get(identifier):
    """Return a constraint: a name ("max_norm" or "MaxNorm") gives a default instance,
    a class is instantiated, a callable is returned, None gives None.
    Unknown names raise ValueError listing the valid ones."""
    return get_instance("constraint", identifier, ALL, Constraint)
