"""Global numeric settings, named as in Keras (``keras.config``).

dlkit computes in ``float32`` by default, like Keras's ``floatx``. Call
``set_floatx("float64")`` for double precision (gradient checks do).
Arrays that are already floating keep their own dtype; everything else
(ints, bools, lists, Python scalars) is converted to ``floatx()``.
"""

import math
import numbers

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_VALID_FLOATX = ("float16", "float32", "float64")


def floatx():
    """Return the default float type as a string, ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type: one of ``"float16"``, ``"float32"``, ``"float64"``.

    A NumPy float type (``np.float64``) is accepted too. Anything else raises
    ValueError naming the valid choices (``np.dtype(None)`` would silently be
    float64, so None is refused like any other non-name).
    """
    global _FLOATX
    name = value if isinstance(value, str) else _dtype_name(value)
    if name not in _VALID_FLOATX:
        raise ValueError(f"Unknown floatx {value!r}: expected one of {', '.join(_VALID_FLOATX)}.")
    _FLOATX = name


def _dtype_name(value):
    is_type = isinstance(value, np.dtype) or (
        isinstance(value, type) and issubclass(value, np.generic)
    )
    return str(np.dtype(value)) if is_type else None


def epsilon():
    """The fuzz factor used in losses, optimizers and constraints (Keras: 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by :func:`epsilon`: a finite number > 0.

    It clips probabilities to [eps, 1 - eps] and keeps denominators away from
    0, so 0, a negative value or NaN would make those guards meaningless.
    """
    global _EPSILON
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or value <= 0:
        raise ValueError(f"epsilon must be a finite number > 0, got {value!r}.")
    _EPSILON = float(value)
