"""Hinge losses (Keras 3), each with its gradient and Keras class.

    hinge              mean(max(1 - y·ŷ, 0))     labels y ∈ {-1, 1}
    squared_hinge      mean(max(1 - y·ŷ, 0)²)
    categorical_hinge  max(neg - pos + 1, 0),  pos = Σ y·ŷ,  neg = max((1 - y)·ŷ)   (y one-hot)

Keras maps labels to ±1 (2y - 1) when EVERY label in y_true is 0 or 1. At a
kink (margin exactly 0, or a tie for neg) the gradient is the value autodiff of
Keras's formula gives: 0 for the inactive hinge, a shared max.
"""

import numpy as np

from dlkit.losses._inputs import prepare
from dlkit.losses.base import LossFunctionWrapper


def _signed_labels(y_true, y_pred):
    """Validated (y, ŷ) with 0/1 labels mapped to -1/1 (only if every label is 0 or 1)."""
    y_true, y_pred = prepare(y_true, y_pred)
    if np.all((y_true == 0) | (y_true == 1)):
        y_true = 2.0 * y_true - 1.0
    return y_true, y_pred


def hinge(y_true, y_pred):
    """Hinge = mean(max(1 - y·ŷ, 0)) over the last axis, labels y ∈ {-1, 1}
    (0/1 labels are mapped to -1/1 when every label is 0 or 1).

    Gradient: -y/n where 1 - y·ŷ > 0, else 0 (also at the kink).
    """
    y, y_pred = _signed_labels(y_true, y_pred)
    return np.mean(np.maximum(1.0 - y * y_pred, 0.0), axis=-1)


def hinge_gradient(y_true, y_pred):
    """d hinge / dŷ = -y/n where the margin 1 - y·ŷ is positive, else 0."""
    y, y_pred = _signed_labels(y_true, y_pred)
    return np.where(1.0 - y * y_pred > 0, -y, 0.0) / y_pred.shape[-1]


def squared_hinge(y_true, y_pred):
    """Squared hinge = mean(max(1 - y·ŷ, 0)²) over the last axis (0/1 labels
    mapped as in :func:`hinge`). Gradient: -2y·max(1 - y·ŷ, 0)/n."""
    y, y_pred = _signed_labels(y_true, y_pred)
    return np.mean(np.square(np.maximum(1.0 - y * y_pred, 0.0)), axis=-1)


def squared_hinge_gradient(y_true, y_pred):
    """d squared_hinge / dŷ = -2y·max(1 - y·ŷ, 0)/n."""
    y, y_pred = _signed_labels(y_true, y_pred)
    return -2.0 * y * np.maximum(1.0 - y * y_pred, 0.0) / y_pred.shape[-1]


def categorical_hinge(y_true, y_pred):
    """Categorical hinge = max(neg - pos + 1, 0) with pos = Σ y·ŷ and
    neg = max((1 - y)·ŷ), over the last axis (y one-hot)."""
    y_true, y_pred = prepare(y_true, y_pred)
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0)


def categorical_hinge_gradient(y_true, y_pred):
    """d categorical_hinge / dŷ = (1 - y)·m - y where the hinge is active, else 0;
    m marks the arg-max of (1 - y)·ŷ (ties share it equally, as autodiff of max does)."""
    y_true, y_pred = prepare(y_true, y_pred)
    others = (1.0 - y_true) * y_pred
    neg = np.max(others, axis=-1, keepdims=True)
    pos = np.sum(y_true * y_pred, axis=-1, keepdims=True)
    is_max = (others == neg).astype(y_pred.dtype)
    share = is_max / np.sum(is_max, axis=-1, keepdims=True)
    return np.where(neg - pos + 1.0 > 0, share * (1.0 - y_true) - y_true, 0.0)


class Hinge(LossFunctionWrapper):
    """``mean(max(1 - y·ŷ, 0))`` per sample, labels ±1 (or all 0/1), then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, reduction, name, hinge_gradient)


class SquaredHinge(LossFunctionWrapper):
    """``mean(max(1 - y·ŷ, 0)²)`` per sample, labels ±1 (or all 0/1), then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(squared_hinge, reduction, name, squared_hinge_gradient)


class CategoricalHinge(LossFunctionWrapper):
    """``max(max((1-y)·ŷ) - Σy·ŷ + 1, 0)`` per sample (one-hot y), then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(categorical_hinge, reduction, name, categorical_hinge_gradient)
