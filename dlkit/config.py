"""Global numeric settings, named as in Keras (``keras.config``).

dlkit computes in ``float32`` by default, like Keras's ``floatx``. Call
``set_floatx("float64")`` for double precision (gradient checks do).
Arrays that are already floating keep their own dtype; everything else
(ints, bools, lists, Python scalars) is converted to ``floatx()``.
"""

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_VALID_FLOATX = ("float16", "float32", "float64")


def floatx():
    """Return the default float type as a string, ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type: one of ``"float16"``, ``"float32"``, ``"float64"``."""
    global _FLOATX
    value = str(np.dtype(value)) if not isinstance(value, str) else value
    if value not in _VALID_FLOATX:
        raise ValueError(f"Unknown floatx {value!r}: expected one of {', '.join(_VALID_FLOATX)}.")
    _FLOATX = value


def epsilon():
    """The fuzz factor used in losses, optimizers and constraints (Keras: 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    _EPSILON = float(value)
