"""Regression losses: MSE, MAE, MAPE, MSLE, each with its gradient and Keras class.

Per sample, mean over the last axis of n values (Keras semantics):

    MSE   mean((y - ŷ)²)                      d/dŷ = 2(ŷ - y)/n
    MAE   mean(|y - ŷ|)                       d/dŷ = sign(ŷ - y)/n
    MAPE  100 · mean(|(y - ŷ) / s|)           d/dŷ = 100·sign(ŷ - y)/(n·s),  s = max(|y|, eps)
    MSLE  mean((log(ŷ⁺ + 1) - log(y⁺ + 1))²)  d/dŷ = 2(log(ŷ⁺ + 1) - log(y⁺ + 1))/(n(ŷ⁺ + 1)),
                                              v⁺ = max(v, eps); 0 where ŷ < eps (clipped)

|·| has no derivative at ŷ = y; sign gives the subgradient 0 there.
"""

import numpy as np

from dlkit.losses._inputs import eps, prepare
from dlkit.losses.base import LossFunctionWrapper


def mean_squared_error(y_true, y_pred):
    """MSE = mean((y - ŷ)²) over the last axis. Gradient: 2(ŷ - y)/n."""
    y_true, y_pred = prepare(y_true, y_pred)
    return np.mean(np.square(y_true - y_pred), axis=-1)


def mean_squared_error_gradient(y_true, y_pred):
    """d MSE / dŷ = 2(ŷ - y)/n, n = size of the last axis."""
    y_true, y_pred = prepare(y_true, y_pred)
    return 2.0 * (y_pred - y_true) / y_pred.shape[-1]


def mean_absolute_error(y_true, y_pred):
    """MAE = mean(|y - ŷ|) over the last axis. Gradient: sign(ŷ - y)/n."""
    y_true, y_pred = prepare(y_true, y_pred)
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def mean_absolute_error_gradient(y_true, y_pred):
    """d MAE / dŷ = sign(ŷ - y)/n (0 where ŷ = y)."""
    y_true, y_pred = prepare(y_true, y_pred)
    return np.sign(y_pred - y_true) / y_pred.shape[-1]


def _percent_scale(y_true):
    # The deck divides by |y|; Keras by max(|y|, eps), so y = 0 gives a huge but finite loss.
    return np.maximum(np.abs(y_true), eps(y_true.dtype))


def mean_absolute_percentage_error(y_true, y_pred):
    """MAPE = 100 · mean(|(y - ŷ) / max(|y|, eps)|) over the last axis.

    The deck writes 100%/n · Σ|(y - ŷ)/y|. Gradient: 100·sign(ŷ - y)/(n·max(|y|, eps)).
    """
    y_true, y_pred = prepare(y_true, y_pred)
    return 100.0 * np.mean(np.abs((y_true - y_pred) / _percent_scale(y_true)), axis=-1)


def mean_absolute_percentage_error_gradient(y_true, y_pred):
    """d MAPE / dŷ = 100·sign(ŷ - y) / (n·max(|y|, eps))."""
    y_true, y_pred = prepare(y_true, y_pred)
    return 100.0 * np.sign(y_pred - y_true) / _percent_scale(y_true) / y_pred.shape[-1]


def _log1p_clipped(values):
    """log(max(v, eps) + 1): Keras clips at eps so negative values (log of < 1) are defined."""
    return np.log(np.maximum(values, eps(values.dtype)) + 1.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """MSLE = mean((log(max(ŷ, eps) + 1) - log(max(y, eps) + 1))²) over the last axis.

    Gradient: 2·(log(ŷ+1) - log(y+1)) / (n·(ŷ + 1)) where ŷ >= eps, else 0.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    return np.mean(np.square(_log1p_clipped(y_pred) - _log1p_clipped(y_true)), axis=-1)


def mean_squared_logarithmic_error_gradient(y_true, y_pred):
    """d MSLE / dŷ = 2(log(ŷ+1) - log(y+1)) / (n(ŷ+1)); 0 where ŷ < eps (clipped)."""
    y_true, y_pred = prepare(y_true, y_pred)
    low = eps(y_pred.dtype)
    # max(ŷ, eps) + 1 is ŷ + 1 wherever the slope is kept, and is never 0 (ŷ = -1 would be).
    slope = 2.0 * (_log1p_clipped(y_pred) - _log1p_clipped(y_true)) / (np.maximum(y_pred, low) + 1)
    return np.where(y_pred >= low, slope, 0.0) / y_pred.shape[-1]


# Keras's short names.
mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
mse_gradient = mean_squared_error_gradient
mae_gradient = mean_absolute_error_gradient
mape_gradient = mean_absolute_percentage_error_gradient
msle_gradient = mean_squared_logarithmic_error_gradient


class MeanSquaredError(LossFunctionWrapper):
    """Mean of the squared errors: ``mean((y - ŷ)²)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction, name, mean_squared_error_gradient)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of the absolute errors: ``mean(|y - ŷ|)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction, name, mean_absolute_error_gradient)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100·mean(|(y - ŷ)/max(|y|, eps)|)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(
            mean_absolute_percentage_error,
            reduction,
            name,
            mean_absolute_percentage_error_gradient,
        )


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean((log(max(ŷ,eps)+1) - log(max(y,eps)+1))²)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(
            mean_squared_logarithmic_error,
            reduction,
            name,
            mean_squared_logarithmic_error_gradient,
        )
