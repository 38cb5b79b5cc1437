"""Validated inputs and the clipping constants every per-sample loss shares.

y_pred keeps its floating dtype and y_true is cast to it (as Keras does).
Shapes must match exactly: (n,) against (n, 1) is an error, never a broadcast.
NaN or inf in either gives no meaningful loss, so it is an error too.
"""

import numpy as np

from dlkit import _kernels, config
from dlkit._checks import as_float_array, check_finite, check_same_shape


def prediction(y_pred):
    """y_pred as a finite float array with at least the one axis a loss reduces."""
    y_pred = check_finite(as_float_array(y_pred, "y_pred"), "y_pred")
    if y_pred.ndim == 0:
        raise ValueError(
            "y_pred must have at least one axis (the per-sample loss reduces the last "
            f"axis), got the scalar {y_pred.item()!r}. Wrap it in a list: [value]."
        )
    return y_pred


def prepare(y_true, y_pred):
    """Validated float arrays of one shape; y_true takes y_pred's dtype."""
    y_pred = prediction(y_pred)
    y_true = check_finite(as_float_array(y_true, "y_true", dtype=y_pred.dtype), "y_true")
    check_same_shape(y_true, y_pred)
    return y_true, y_pred


def shape_without(shape, axis):
    """``shape`` with ``axis`` removed, as a tuple of Python ints."""
    return tuple(int(n) for n in np.delete(shape, axis))


def eps(dtype):
    """``config.epsilon()`` in ``dtype`` (1e-7 unless changed)."""
    return dtype.type(config.epsilon())


def clip_probability(p):
    """clip(p, eps, 1 - eps) and the mask where p was inside (elsewhere the gradient is 0).

    The clip is dlkit._kernels' (1 - eps rounded once in p's dtype, as in Keras).
    """
    low, high = eps(p.dtype), p.dtype.type(1.0 - config.epsilon())
    return _kernels.clip_probability(p, config.epsilon()), (p >= low) & (p <= high)


def check_label_smoothing(label_smoothing):
    """label_smoothing is a weight in [0, 1] (0: hard labels, 1: uniform labels)."""
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}.")
