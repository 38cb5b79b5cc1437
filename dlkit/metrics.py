"""Metrics (Keras 3 names and semantics): numbers that judge a model, not trained on.

Each function returns one value per sample, shape (batch,); the model reports
their mean over all samples (batches weighted by their size, as Keras's
stateful metrics do):

    mse(y, ŷ)                          mean over the last axis of (y - ŷ)²
    mae(y, ŷ)                          mean over the last axis of |y - ŷ|
    accuracy(y, ŷ)                     mean over the last axis of [y == ŷ]   (exact equality)
    binary_accuracy(y, ŷ, t=0.5)       mean over the last axis of [y == (ŷ > t)]
    categorical_accuracy(y, ŷ)         [argmax y == argmax ŷ]                 (one-hot y)
    sparse_categorical_accuracy(y, ŷ)  [y == argmax ŷ]                        (integer y)

``compile(metrics=["accuracy"])`` does not mean exact equality: like Keras,
the model picks the accuracy that fits the shapes of labels and outputs
(:func:`resolve`).
"""

import numpy as np

from dlkit import config
from dlkit._checks import as_float_array, check_same_shape
from dlkit._registry import lookup
from dlkit.losses import mean_absolute_error, mean_squared_error

mse = mean_squared_error
mae = mean_absolute_error


def _fraction(hits):
    """Mean of boolean hits over the last axis, as floatx (one value per sample)."""
    return np.mean(hits, axis=-1, dtype=config.floatx())


def accuracy(y_true, y_pred):
    """Fraction of entries where y_pred equals y_true exactly, per sample."""
    y_true, y_pred = as_float_array(y_true, "y_true"), as_float_array(y_pred, "y_pred")
    check_same_shape(y_true, y_pred)
    return _fraction(y_true == y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of entries where (y_pred > threshold) equals the 0/1 label, per sample."""
    y_true, y_pred = as_float_array(y_true, "y_true"), as_float_array(y_pred, "y_pred")
    check_same_shape(y_true, y_pred)
    return _fraction(y_true == (y_pred > threshold))


def categorical_accuracy(y_true, y_pred):
    """1 where the largest entry of y_pred sits where the one-hot y_true has its 1, else 0."""
    y_true, y_pred = as_float_array(y_true, "y_true"), as_float_array(y_pred, "y_pred")
    check_same_shape(y_true, y_pred)
    hits = np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)
    return hits.astype(config.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals the integer label, else 0; y_true (batch,) or (batch, 1)."""
    y_pred = as_float_array(y_pred, "y_pred")
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"sparse labels must have shape {y_pred.shape[:-1]} or {y_pred.shape[:-1] + (1,)} "
            f"for predictions of shape {y_pred.shape}, got shape {np.shape(y_true)}."
        )
    return (labels == np.argmax(y_pred, axis=-1)).astype(config.floatx())


ALL = {
    "mse": mse, "mean_squared_error": mse,
    "mae": mae, "mean_absolute_error": mae,
    "accuracy": accuracy, "acc": accuracy,
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
}


def get(identifier):
    """Return a metric function by name (Keras names and the aliases mse, mae, acc);
    a callable is returned unchanged."""
    if callable(identifier):
        return identifier
    return lookup("metric", identifier, ALL)


def resolve(identifier, y_true_shape, y_pred_shape):
    """The metric ``compile(metrics=[identifier])`` means for these label/output shapes.

    "accuracy"/"acc" are resolved as Keras 3 does, from the shapes alone:
    outputs with one unit -> binary_accuracy; labels of lower rank than the
    outputs, or a single label column against several units ->
    sparse_categorical_accuracy; otherwise categorical_accuracy.
    """
    if not (isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")):
        return get(identifier)
    if y_pred_shape[-1] == 1:
        return binary_accuracy
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
        return sparse_categorical_accuracy
    return categorical_accuracy


def name_of(identifier):
    """The key the metric gets in ``History.history``: the string given, else the function name."""
    return identifier if isinstance(identifier, str) else getattr(identifier, "__name__", "metric")
