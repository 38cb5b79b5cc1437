"""Crossentropy losses (Keras 3), each with its gradient and Keras class.

    binary        p = clip(ŷ, eps, 1 - eps);  mean over the axis of -(y log p + (1-y) log(1-p))
    categorical   q = ŷ / Σŷ;  p = clip(q, eps, 1 - eps);  -Σ y log p over the classes
    sparse        categorical with integer labels, one-hot encoded

from_logits=True: ŷ is a logit z, p = σ(z) or softmax(z), computed without
clipping in a form that cannot overflow. label_smoothing ls moves the labels
towards uniform: y(1 - ls) + ls/2 (binary) or y(1 - ls) + ls/C (C classes).
Where a probability is clipped its gradient is 0, as autodiff of Keras's
formula gives.
"""

import numpy as np

from dlkit import _kernels, config
from dlkit.losses._inputs import check_label_smoothing, clip_probability, prediction, prepare
from dlkit.losses._labels import one_hot_labels
from dlkit.losses.base import LossFunctionWrapper

# σ, softmax and log-softmax are dlkit._kernels' (the activations' and the layers' own).

# --- binary crossentropy -----------------------------------------------------


def _smooth_binary(y_true, label_smoothing):
    check_label_smoothing(label_smoothing)
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def _bce_elementwise(y, y_pred, from_logits):
    if from_logits:
        # -(y log σ(z) + (1-y) log(1-σ(z))) = max(z, 0) - z·y + log(1 + e^-|z|)
        z = y_pred
        return _kernels.relu(z) - z * y + np.log1p(np.exp(-np.abs(z)))
    p, _ = clip_probability(y_pred)
    return -(y * np.log(p) + (1.0 - y) * np.log1p(-p))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy, mean over ``axis``.

        p = clip(ŷ, eps, 1 - eps);  loss = mean(-(y log p + (1 - y) log(1 - p)))

    from_logits=True: ŷ is a logit z and p = σ(z), computed without clipping as
    max(z, 0) - z·y + log(1 + e^-|z|). label_smoothing: y ← y(1 - ls) + 0.5·ls.
    Gradient: (p - y) / (n·p(1 - p)); from logits (σ(z) - y)/n.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    y = _smooth_binary(y_true, label_smoothing)
    return np.mean(_bce_elementwise(y, y_pred, from_logits), axis=axis)


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """d BCE / dŷ = (p - y) / (n·p(1 - p)), 0 where ŷ is clipped (ŷ < eps or
    ŷ > 1 - eps). from_logits: d BCE / dz = (σ(z) - y)/n. n = y_pred.shape[axis]."""
    y_true, y_pred = prepare(y_true, y_pred)
    y = _smooth_binary(y_true, label_smoothing)
    n = y_pred.shape[axis]
    if from_logits:
        return (_kernels.sigmoid(y_pred) - y) / n
    p, inside = clip_probability(y_pred)
    return np.where(inside, (p - y) / (p * (1.0 - p)), 0.0) / n


# --- categorical crossentropy --------------------------------------------------


def _smooth_categorical(y_true, label_smoothing, axis):
    check_label_smoothing(label_smoothing)
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[axis]


def _normalize(y_pred, axis):
    """ŷ / Σŷ along axis (Keras rescales predictions to sum to 1), and Σŷ."""
    total = np.sum(y_pred, axis=axis, keepdims=True)
    if np.any(total == 0):
        raise ValueError(
            "y_pred must not have a row that sums to 0 (it is divided by its sum); "
            f"got {int(np.sum(total == 0))} such row(s). Pass from_logits=True for logits."
        )
    return y_pred / total, total


def _cce(y, y_pred, from_logits, axis):
    if from_logits:
        log_p = _kernels.log_softmax(y_pred, axis)
    else:
        log_p = _kernels.log_clipped(_normalize(y_pred, axis)[0], config.epsilon())
    return -np.sum(y * log_p, axis=axis)


def _cce_gradient(y, y_pred, from_logits, axis):
    if from_logits:
        # d/dz -Σ y log softmax(z) = softmax(z)·Σy - y  (= softmax(z) - y for one-hot y)
        p = _kernels.softmax(y_pred, axis=axis)
        return _kernels.crossentropy_logits_gradient(p, y, axis=axis)
    q, total = _normalize(y_pred, axis)
    p, inside = clip_probability(q)
    # g = dL/dq (0 where q is clipped); q = ŷ/S gives dL/dŷ_k = (g_k - Σ_j g_j q_j) / S.
    g = np.where(inside, -y / p, 0.0)
    return (g - np.sum(g * q, axis=axis, keepdims=True)) / total


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical crossentropy, summed over ``axis`` (the classes).

        q = ŷ / Σŷ;  p = clip(q, eps, 1 - eps);  loss = -Σ y log p

    from_logits=True: loss = -Σ y · log_softmax(z) (no clipping).
    label_smoothing: y ← y(1 - ls) + ls/C with C = y_true.shape[axis] (Keras
    takes shape[-1]; the same for the default axis).
    """
    y_true, y_pred = prepare(y_true, y_pred)
    y = _smooth_categorical(y_true, label_smoothing, axis)
    return _cce(y, y_pred, from_logits, axis)


def categorical_crossentropy_gradient(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """d CCE / dŷ_k = (g_k - Σ_j g_j q_j) / Σŷ with g = -y/p (0 where q is
    clipped). from_logits: d CCE / dz = softmax(z)·Σy - y."""
    y_true, y_pred = prepare(y_true, y_pred)
    y = _smooth_categorical(y_true, label_smoothing, axis)
    return _cce_gradient(y, y_pred, from_logits, axis)


def softmax_crossentropy_gradient(y_true, logits, label_smoothing=0.0, axis=-1):
    """Fused gradient of categorical_crossentropy(y, softmax(z)) w.r.t. the logits z.

        d/dz (-Σ y log softmax(z)) = softmax(z)·Σy - y = softmax(z) - y   (one-hot y)

    Per sample, shaped like ``logits``. A model whose last layer is softmax uses
    this instead of chaining dL/dŷ through the softmax Jacobian: it is exact,
    cheaper and has no clipping plateau (a confidently wrong prediction ŷ ≈ 0
    still gets a gradient). Divide by the batch size for "sum_over_batch_size",
    or call ``CategoricalCrossentropy().logits_gradient(y_true, logits)``.
    """
    return categorical_crossentropy_gradient(
        y_true, logits, from_logits=True, label_smoothing=label_smoothing, axis=axis
    )


# --- sparse categorical crossentropy ------------------------------------------


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Categorical crossentropy with integer labels: y_true holds class indices
    (shape (n,) or (n, 1) for y_pred of shape (n, C)); same as
    categorical_crossentropy with the labels one-hot encoded."""
    y_pred = prediction(y_pred)
    return _cce(one_hot_labels(y_true, y_pred, axis), y_pred, from_logits, axis)


def sparse_categorical_crossentropy_gradient(y_true, y_pred, from_logits=False, axis=-1):
    """d SCCE / dŷ: the categorical gradient with one-hot labels (shape of y_pred)."""
    y_pred = prediction(y_pred)
    return _cce_gradient(one_hot_labels(y_true, y_pred, axis), y_pred, from_logits, axis)


# --- Loss classes -----------------------------------------------------------------


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy (see :func:`binary_crossentropy`); fuses with sigmoid:
    ``logits_gradient`` = (σ(z) - y) / (n · batch size)."""

    _fused_activation = "sigmoid"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
    ):
        check_label_smoothing(label_smoothing)  # fail at construction, not at the first batch
        super().__init__(
            binary_crossentropy, reduction, name, binary_crossentropy_gradient,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical crossentropy, one-hot labels (see :func:`categorical_crossentropy`);
    fuses with softmax: ``logits_gradient`` = (softmax(z)·Σy - y) / batch size."""

    _fused_activation = "softmax"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
    ):
        check_label_smoothing(label_smoothing)
        super().__init__(
            categorical_crossentropy, reduction, name, categorical_crossentropy_gradient,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy with integer labels (see :func:`sparse_categorical_crossentropy`);
    fuses with softmax like :class:`CategoricalCrossentropy`."""

    _fused_activation = "softmax"

    def __init__(
        self,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="sparse_categorical_crossentropy",
    ):
        super().__init__(
            sparse_categorical_crossentropy, reduction, name,
            sparse_categorical_crossentropy_gradient, from_logits=from_logits,
        )
