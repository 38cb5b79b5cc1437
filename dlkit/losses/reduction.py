"""How a Loss class turns per-sample losses into one number (Keras 3 reductions).

    "sum_over_batch_size" (default)   Σ w·loss / (number of per-sample losses)
    "sum"                             Σ w·loss
    None or "none"                    w·loss, no reduction

Keras divides by the number of losses, not by Σ w: a weight of 0 still counts
as a sample. A 0-d loss (one sample given as a 1-D array) is returned as it is.
"""

import numpy as np

from dlkit._checks import as_float_array, check_finite

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


def standardize_reduction(reduction):
    """Return ``reduction`` if Keras knows it, else raise ValueError listing the valid ones."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid reduction {reduction!r}: expected one of 'sum_over_batch_size', "
            "'sum', 'none' or None."
        )
    return reduction


def broadcast_weights(sample_weight, values_shape, dtype):
    """Weights shaped to broadcast against the per-sample losses, or None.

    Accepted: a scalar, the losses' shape, that shape + (1,), or a leading part
    of it (one weight per sample when each sample has several losses).
    """
    if sample_weight is None:
        return None
    w = as_float_array(sample_weight, "sample_weight", dtype=dtype)
    w = check_finite(w, "sample_weight")
    if w.shape == values_shape + (1,):
        w = w[..., 0]
    if w.ndim <= len(values_shape) and w.shape == values_shape[: w.ndim]:
        return w.reshape(w.shape + (1,) * (len(values_shape) - w.ndim))
    raise ValueError(
        f"sample_weight must be a scalar or have shape {values_shape} (one weight per "
        f"per-sample loss), got sample_weight with shape {w.shape}."
    )


def reduce_values(values, reduction):
    """Keras's reduce_values: Σ values, or that over values.size, or values unchanged."""
    if reduction in (None, "none") or values.ndim == 0:
        return values
    total = np.sum(values)
    if reduction == "sum":
        return total
    return total / max(values.size, 1)


def reduction_scale(values_shape, weights, reduction, dtype):
    """d(reduced loss)/d(each per-sample loss): w (or 1), over the count for
    "sum_over_batch_size" (with no reduction: the gradient of Σ w·loss)."""
    scale = np.ones(values_shape, dtype) if weights is None else weights
    if reduction == "sum_over_batch_size" and values_shape:
        scale = scale / max(int(np.prod(values_shape)), 1)
    return scale
