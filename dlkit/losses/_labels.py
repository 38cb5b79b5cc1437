"""Integer class labels for the sparse crossentropy, checked and one-hot encoded.

Keras accepts labels of y_pred's shape without the class axis, e.g. (n,) for
y_pred (n, C), or that with a trailing 1, (n, 1). Each label is a whole
number in 0 .. C-1; anything else is an error naming the label and its place.
"""

import numpy as np

from dlkit._checks import as_float_array, check_finite
from dlkit.losses._inputs import shape_without


def one_hot_labels(y_true, y_pred, axis):
    """One-hot float labels of y_pred's shape and dtype, the classes along ``axis``."""
    labels = _label_array(y_true, y_pred, axis)
    one_hot = np.eye(y_pred.shape[axis], dtype=y_pred.dtype)[labels]
    return np.moveaxis(one_hot, -1, axis)


def _label_array(y_true, y_pred, axis):
    """Integer labels as an int array of y_pred's shape without ``axis``."""
    labels = check_finite(as_float_array(y_true, "y_true", dtype=np.float64), "y_true")
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]  # Keras accepts (n, 1) as well as (n,)
    expected = shape_without(y_pred.shape, axis)
    if labels.shape != expected:
        raise ValueError(
            f"y_true (integer class labels) must have shape {expected} or {expected + (1,)} "
            f"for y_pred with shape {y_pred.shape}, got y_true with shape {np.shape(y_true)}."
        )
    _check_labels(labels, y_pred.shape[axis])
    return labels.astype(np.intp)


def _check_labels(labels, n_classes):
    not_integer = labels != np.round(labels)
    if not_integer.any():
        i = _first(not_integer)
        raise ValueError(
            f"y_true must hold integer class labels, got {labels[i]:g} at index {i}."
        )
    out_of_range = (labels < 0) | (labels >= n_classes)
    if out_of_range.any():
        i = _first(out_of_range)
        raise ValueError(
            f"y_true label {labels[i]:g} at index {i} is out of range: valid labels are "
            f"0 to {n_classes - 1} (y_pred has {n_classes} classes)."
        )


def _first(mask):
    """Index (a tuple of ints) of the first True entry."""
    return tuple(int(k) for k in np.argwhere(mask)[0])
