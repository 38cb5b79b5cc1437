"""The deck's L1-norm and L2-norm losses (not Keras losses), with gradients and classes.

Per sample, a SUM over the last axis (MAE and MSE without the mean):

    L1  Σ|y - ŷ|     d/dŷ = sign(ŷ - y)   (0 where ŷ = y)
    L2  Σ(y - ŷ)²    d/dŷ = 2(ŷ - y)

The classes reduce with "sum" by default: the deck's Σ over the samples i.
"""

import numpy as np

from dlkit.losses._inputs import prepare
from dlkit.losses.base import LossFunctionWrapper


def l1_norm(y_true, y_pred):
    """The deck's L1-norm: Σ|y - ŷ| over the last axis (MAE without the mean).

    Not a Keras loss. Gradient: sign(ŷ - y).
    """
    y_true, y_pred = prepare(y_true, y_pred)
    return np.sum(np.abs(y_true - y_pred), axis=-1)


def l1_norm_gradient(y_true, y_pred):
    """d L1 / dŷ = sign(ŷ - y) (0 where ŷ = y)."""
    y_true, y_pred = prepare(y_true, y_pred)
    return np.sign(y_pred - y_true)


def l2_norm(y_true, y_pred):
    """The deck's L2-norm: Σ(y - ŷ)² over the last axis (MSE without the mean).

    Not a Keras loss. Gradient: 2(ŷ - y).
    """
    y_true, y_pred = prepare(y_true, y_pred)
    return np.sum(np.square(y_true - y_pred), axis=-1)


def l2_norm_gradient(y_true, y_pred):
    """d L2 / dŷ = 2(ŷ - y)."""
    y_true, y_pred = prepare(y_true, y_pred)
    return 2.0 * (y_pred - y_true)


class L1Norm(LossFunctionWrapper):
    """The deck's L1-norm Σ|y - ŷ|: summed over the last axis, then over the
    samples (reduction="sum" by default, the deck's Σ over i)."""

    def __init__(self, reduction="sum", name="l1_norm"):
        super().__init__(l1_norm, reduction, name, l1_norm_gradient)


class L2Norm(LossFunctionWrapper):
    """The deck's L2-norm Σ(y - ŷ)²: summed over the last axis, then over the
    samples (reduction="sum" by default, the deck's Σ over i)."""

    def __init__(self, reduction="sum", name="l2_norm"):
        super().__init__(l2_norm, reduction, name, l2_norm_gradient)
