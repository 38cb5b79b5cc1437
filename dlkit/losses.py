"""Loss functions of the deck with Keras 3 semantics, each beside its gradient.

Per-sample functions (``mean_squared_error(y_true, y_pred)`` ...) reduce only
the LAST axis, as Keras's do: a batch of shape (n, k) gives n losses. Their
``<name>_gradient`` is d(per-sample loss)/d(y_pred), shaped like y_pred.

Loss classes (``MeanSquaredError()`` ...) reduce the per-sample losses to one
number: "sum_over_batch_size" (default) = sum / number of per-sample losses,
"sum", or None/"none" (no reduction). ``loss.gradient(y_true, y_pred)`` is
d(reduced loss)/d(y_pred), what a model backpropagates.

Conventions
- y_pred keeps its floating dtype and y_true is cast to it (as Keras does).
- Shapes must match exactly: (n,) against (n, 1) is an error, never a broadcast.
- epsilon = ``config.epsilon()`` (1e-7) clips probabilities, so predictions of
  exactly 0 or 1 give finite losses. Where a value is clipped its gradient is 0,
  as autodiff of Keras's formula gives; at a kink the gradient is the
  one-sided value stated in each docstring.
- Fused softmax/sigmoid + crossentropy: see :func:`softmax_crossentropy_gradient`
  and :meth:`LossFunctionWrapper.logits_gradient`.
"""

import numpy as np

from dlkit import config
from dlkit._checks import as_float_array, check_finite, check_same_shape
from dlkit._registry import lookup

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


# --- input handling ----------------------------------------------------------


def _prepare(y_true, y_pred):
    """Validated float arrays of one shape; y_true takes y_pred's dtype."""
    y_pred = check_finite(as_float_array(y_pred, "y_pred"), "y_pred")
    y_true = check_finite(as_float_array(y_true, "y_true", dtype=y_pred.dtype), "y_true")
    check_same_shape(y_true, y_pred)
    _check_has_axis(y_pred)
    return y_true, y_pred


def _check_has_axis(y_pred):
    if y_pred.ndim == 0:
        raise ValueError(
            "y_pred must have at least one axis (the per-sample loss reduces the last "
            f"axis), got a scalar {y_pred!r}. Wrap it in a list: [value]."
        )


def _shape_without(shape, axis):
    """``shape`` with ``axis`` removed, as a tuple of Python ints."""
    return tuple(int(n) for n in np.delete(shape, axis))


def _eps(dtype):
    return dtype.type(config.epsilon())


def _one_minus_eps(dtype):
    # Rounded once, from the Python double, like torch.clip(p, eps, 1.0 - eps).
    return dtype.type(1.0 - config.epsilon())


def _check_label_smoothing(label_smoothing):
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}.")


# --- numerically stable helpers (numerics import no other dlkit numerics) ----


def _log_softmax(z, axis):
    """log softmax(z) = z - max - log Σ e^{z - max} (never overflows)."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _sigmoid(z):
    """1/(1 + e^-z) via e^-|z|, so no exponent is positive."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


# --- regression: MSE, MAE, MAPE, MSLE, the deck's L1/L2 norms -----------------


def mean_squared_error(y_true, y_pred):
    """MSE = mean((y - ŷ)²) over the last axis. Gradient: 2(ŷ - y)/n."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.mean(np.square(y_true - y_pred), axis=-1)


def mean_squared_error_gradient(y_true, y_pred):
    """d MSE / dŷ = 2(ŷ - y)/n, n = size of the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return 2.0 * (y_pred - y_true) / y_pred.shape[-1]


def mean_absolute_error(y_true, y_pred):
    """MAE = mean(|y - ŷ|) over the last axis. Gradient: sign(ŷ - y)/n."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def mean_absolute_error_gradient(y_true, y_pred):
    """d MAE / dŷ = sign(ŷ - y)/n (0 where ŷ = y)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.sign(y_pred - y_true) / y_pred.shape[-1]


def mean_absolute_percentage_error(y_true, y_pred):
    """MAPE = 100 · mean(|(y - ŷ) / max(|y|, eps)|) over the last axis.

    The deck writes 100%/n · Σ|(y - ŷ)/y|; Keras replaces |y| by max(|y|, eps)
    so y = 0 gives a huge but finite value. Gradient: 100·sign(ŷ - y)/(n·max(|y|, eps)).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    scale = np.maximum(np.abs(y_true), _eps(y_pred.dtype))
    return 100.0 * np.mean(np.abs((y_true - y_pred) / scale), axis=-1)


def mean_absolute_percentage_error_gradient(y_true, y_pred):
    """d MAPE / dŷ = 100·sign(ŷ - y) / (n·max(|y|, eps))."""
    y_true, y_pred = _prepare(y_true, y_pred)
    scale = np.maximum(np.abs(y_true), _eps(y_pred.dtype))
    return 100.0 * np.sign(y_pred - y_true) / scale / y_pred.shape[-1]


def _msle_logs(y_true, y_pred):
    eps = _eps(y_pred.dtype)
    return np.log(np.maximum(y_pred, eps) + 1.0), np.log(np.maximum(y_true, eps) + 1.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """MSLE = mean((log(max(ŷ, eps) + 1) - log(max(y, eps) + 1))²) over the last axis.

    Gradient: 2·(log(ŷ+1) - log(y+1)) / (n·(ŷ + 1)) where ŷ >= eps, else 0.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    log_pred, log_true = _msle_logs(y_true, y_pred)
    return np.mean(np.square(log_pred - log_true), axis=-1)


def mean_squared_logarithmic_error_gradient(y_true, y_pred):
    """d MSLE / dŷ = 2(log(ŷ+1) - log(y+1)) / (n(ŷ+1)); 0 where ŷ < eps (clipped)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    log_pred, log_true = _msle_logs(y_true, y_pred)
    unclipped = y_pred >= _eps(y_pred.dtype)
    slope = 2.0 * (log_pred - log_true) / (np.maximum(y_pred, 0.0) + 1.0) / y_pred.shape[-1]
    return np.where(unclipped, slope, 0.0)


def l1_norm(y_true, y_pred):
    """The deck's L1-norm: Σ|y - ŷ| over the last axis (MAE without the mean).

    Not a Keras loss. Gradient: sign(ŷ - y).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.sum(np.abs(y_true - y_pred), axis=-1)


def l1_norm_gradient(y_true, y_pred):
    """d L1 / dŷ = sign(ŷ - y) (0 where ŷ = y)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.sign(y_pred - y_true)


def l2_norm(y_true, y_pred):
    """The deck's L2-norm: Σ(y - ŷ)² over the last axis (MSE without the mean).

    Not a Keras loss. Gradient: 2(ŷ - y).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.sum(np.square(y_true - y_pred), axis=-1)


def l2_norm_gradient(y_true, y_pred):
    """d L2 / dŷ = 2(ŷ - y)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return 2.0 * (y_pred - y_true)


# --- binary crossentropy -----------------------------------------------------


def _smooth_binary(y_true, label_smoothing):
    _check_label_smoothing(label_smoothing)
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def _bce_elementwise(y, y_pred, from_logits):
    if from_logits:
        # -(y log σ(z) + (1-y) log(1-σ(z))) = max(z, 0) - z·y + log(1 + e^-|z|)
        z = y_pred
        return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    p = np.clip(y_pred, _eps(y_pred.dtype), _one_minus_eps(y_pred.dtype))
    return -(y * np.log(p) + (1.0 - y) * np.log1p(-p))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy, mean over ``axis``.

        p = clip(ŷ, eps, 1 - eps);  loss = mean(-(y log p + (1 - y) log(1 - p)))

    from_logits=True: ŷ is a logit z and p = σ(z), computed without clipping as
    max(z, 0) - z·y + log(1 + e^-|z|). label_smoothing: y ← y(1 - ls) + 0.5·ls.
    Gradient: (p - y) / (n·p(1 - p)); from logits (σ(z) - y)/n.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _smooth_binary(y_true, label_smoothing)
    return np.mean(_bce_elementwise(y, y_pred, from_logits), axis=axis)


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """d BCE / dŷ = (p - y) / (n·p(1 - p)), 0 where ŷ is clipped (ŷ < eps or
    ŷ > 1 - eps). from_logits: d BCE / dz = (σ(z) - y)/n. n = y_pred.shape[axis]."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _smooth_binary(y_true, label_smoothing)
    n = y_pred.shape[axis]
    if from_logits:
        return (_sigmoid(y_pred) - y) / n
    lo, hi = _eps(y_pred.dtype), _one_minus_eps(y_pred.dtype)
    p = np.clip(y_pred, lo, hi)
    slope = (p - y) / (p * (1.0 - p)) / n
    return np.where((y_pred >= lo) & (y_pred <= hi), slope, 0.0)


# --- categorical crossentropy --------------------------------------------------


def _smooth_categorical(y_true, label_smoothing, axis):
    _check_label_smoothing(label_smoothing)
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[axis]


def _normalize(y_pred, axis):
    """ŷ / Σŷ along axis (Keras rescales predictions to sum to 1)."""
    total = np.sum(y_pred, axis=axis, keepdims=True)
    if np.any(total == 0):
        raise ValueError(
            "y_pred must not have a row that sums to 0 (it is divided by its sum); "
            f"got {int(np.sum(total == 0))} such row(s). Pass from_logits=True for logits."
        )
    return y_pred / total, total


def _cce(y, y_pred, from_logits, axis):
    if from_logits:
        log_p = _log_softmax(y_pred, axis)
    else:
        q, _ = _normalize(y_pred, axis)
        log_p = np.log(np.clip(q, _eps(q.dtype), _one_minus_eps(q.dtype)))
    return -np.sum(y * log_p, axis=axis)


def _cce_gradient(y, y_pred, from_logits, axis):
    if from_logits:
        # d/dz -Σ y log softmax(z) = softmax(z)·Σy - y  (= softmax(z) - y for one-hot y)
        return np.exp(_log_softmax(y_pred, axis)) * np.sum(y, axis=axis, keepdims=True) - y
    q, total = _normalize(y_pred, axis)
    lo, hi = _eps(q.dtype), _one_minus_eps(q.dtype)
    # g = dL/dq (0 where q is clipped); q = ŷ/S gives dL/dŷ_k = (g_k - Σ_j g_j q_j) / S.
    g = np.where((q >= lo) & (q <= hi), -y / np.clip(q, lo, hi), 0.0)
    return (g - np.sum(g * q, axis=axis, keepdims=True)) / total


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical crossentropy, summed over ``axis`` (the classes).

        q = ŷ / Σŷ;  p = clip(q, eps, 1 - eps);  loss = -Σ y log p

    from_logits=True: loss = -Σ y · log_softmax(z) (no clipping).
    label_smoothing: y ← y(1 - ls) + ls/C with C = y_true.shape[axis] (Keras
    takes shape[-1]; the same for the default axis).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _smooth_categorical(y_true, label_smoothing, axis)
    return _cce(y, y_pred, from_logits, axis)


def categorical_crossentropy_gradient(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """d CCE / dŷ_k = (g_k - Σ_j g_j q_j) / Σŷ with g = -y/p (0 where q is
    clipped). from_logits: d CCE / dz = softmax(z)·Σy - y."""
    y_true, y_pred = _prepare(y_true, y_pred)
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


def _label_array(y_true, y_pred, axis):
    """Integer labels as an int array of y_pred's shape without ``axis``."""
    labels = check_finite(as_float_array(y_true, "y_true", dtype=np.float64), "y_true")
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]  # Keras accepts (n, 1) as well as (n,)
    expected = _shape_without(y_pred.shape, axis)
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
        i = tuple(int(k) for k in np.argwhere(not_integer)[0])
        raise ValueError(
            f"y_true must hold integer class labels, got {float(labels[i]):g} at index {i}."
        )
    out_of_range = (labels < 0) | (labels >= n_classes)
    if out_of_range.any():
        i = tuple(int(k) for k in np.argwhere(out_of_range)[0])
        raise ValueError(
            f"y_true label {int(labels[i])} at index {i} is out of range: valid labels are "
            f"0 to {n_classes - 1} (y_pred has {n_classes} classes)."
        )


def _sparse_to_one_hot(y_true, y_pred, axis):
    y_pred = check_finite(as_float_array(y_pred, "y_pred"), "y_pred")
    _check_has_axis(y_pred)
    labels = _label_array(y_true, y_pred, axis)
    one_hot = np.eye(y_pred.shape[axis], dtype=y_pred.dtype)[labels]
    return np.moveaxis(one_hot, -1, axis), y_pred


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Categorical crossentropy with integer labels: y_true holds class indices
    (shape (n,) or (n, 1) for y_pred of shape (n, C)); same as
    categorical_crossentropy with the labels one-hot encoded."""
    y, y_pred = _sparse_to_one_hot(y_true, y_pred, axis)
    return _cce(y, y_pred, from_logits, axis)


def sparse_categorical_crossentropy_gradient(y_true, y_pred, from_logits=False, axis=-1):
    """d SCCE / dŷ: the categorical gradient with one-hot labels (shape of y_pred)."""
    y, y_pred = _sparse_to_one_hot(y_true, y_pred, axis)
    return _cce_gradient(y, y_pred, from_logits, axis)


# --- hinge losses ------------------------------------------------------------


def _hinge_labels(y_true):
    """Keras maps labels to ±1 (2y - 1) only when EVERY label is 0 or 1."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    """Hinge = mean(max(1 - y·ŷ, 0)) over the last axis, labels y ∈ {-1, 1}
    (0/1 labels are mapped to -1/1 when every label is 0 or 1).

    Gradient: -y/n where 1 - y·ŷ > 0, else 0 (also at the kink).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _hinge_labels(y_true)
    return np.mean(np.maximum(1.0 - y * y_pred, 0.0), axis=-1)


def hinge_gradient(y_true, y_pred):
    """d hinge / dŷ = -y/n where the margin 1 - y·ŷ is positive, else 0."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _hinge_labels(y_true)
    return np.where(1.0 - y * y_pred > 0, -y, 0.0) / y_pred.shape[-1]


def squared_hinge(y_true, y_pred):
    """Squared hinge = mean(max(1 - y·ŷ, 0)²) over the last axis (0/1 labels
    mapped as in :func:`hinge`). Gradient: -2y·max(1 - y·ŷ, 0)/n."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _hinge_labels(y_true)
    return np.mean(np.square(np.maximum(1.0 - y * y_pred, 0.0)), axis=-1)


def squared_hinge_gradient(y_true, y_pred):
    """d squared_hinge / dŷ = -2y·max(1 - y·ŷ, 0)/n."""
    y_true, y_pred = _prepare(y_true, y_pred)
    y = _hinge_labels(y_true)
    return -2.0 * y * np.maximum(1.0 - y * y_pred, 0.0) / y_pred.shape[-1]


def categorical_hinge(y_true, y_pred):
    """Categorical hinge = max(neg - pos + 1, 0) with pos = Σ y·ŷ and
    neg = max((1 - y)·ŷ), over the last axis (y one-hot)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = np.sum(y_true * y_pred, axis=-1)
    neg = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0)


def categorical_hinge_gradient(y_true, y_pred):
    """d categorical_hinge / dŷ = (1 - y)·m - y where the hinge is active, else 0;
    m marks the arg-max of (1 - y)·ŷ (ties share it equally, as autodiff of max does)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    others = (1.0 - y_true) * y_pred
    neg = np.max(others, axis=-1, keepdims=True)
    pos = np.sum(y_true * y_pred, axis=-1, keepdims=True)
    is_max = (others == neg).astype(y_pred.dtype)
    share = is_max / np.sum(is_max, axis=-1, keepdims=True)
    return np.where(neg - pos + 1.0 > 0, share * (1.0 - y_true) - y_true, 0.0)


# --- aliases (Keras's short names) -------------------------------------------

mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
mse_gradient = mean_squared_error_gradient
mae_gradient = mean_absolute_error_gradient
mape_gradient = mean_absolute_percentage_error_gradient
msle_gradient = mean_squared_logarithmic_error_gradient


# --- reduction ---------------------------------------------------------------


def _standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid reduction {reduction!r}: expected one of 'sum_over_batch_size', "
            "'sum', 'none' or None."
        )
    return reduction


def _sample_weight(sample_weight, values_shape, dtype):
    """Weights shaped to broadcast against the per-sample losses, or None.

    Accepted: a scalar, the losses' shape, that shape + (1,), or a leading part
    of it (one weight per sample when each sample has several losses).
    """
    if sample_weight is None:
        return None
    w = check_finite(as_float_array(sample_weight, "sample_weight", dtype=dtype), "sample_weight")
    if w.shape == values_shape + (1,):
        w = w[..., 0]
    if w.ndim <= len(values_shape) and w.shape == values_shape[: w.ndim]:
        return w.reshape(w.shape + (1,) * (len(values_shape) - w.ndim))
    raise ValueError(
        f"sample_weight must be a scalar or have shape {values_shape} (one weight per "
        f"per-sample loss), got sample_weight with shape {w.shape}."
    )


def _reduce(values, reduction):
    """Keras's reduce_values: a 0-d loss (one sample) is returned as it is."""
    if reduction in (None, "none") or values.ndim == 0:
        return values
    total = np.sum(values)
    if reduction == "sum":
        return total
    return total / max(values.size, 1)


# --- Loss classes --------------------------------------------------------------


class Loss:
    """Base class: reduces per-sample losses to one number, as Keras's ``Loss``.

    Subclasses define ``call(y_true, y_pred)`` (the per-sample losses, with the
    axis ``self.axis`` reduced) and ``call_gradient(y_true, y_pred)`` (their
    gradient w.r.t. y_pred). ``loss(y_true, y_pred, sample_weight)`` weights and
    reduces them; ``loss.gradient(...)`` is the gradient of that number.
    """

    axis = -1
    _fused_activation = None

    def __init__(self, name=None, reduction="sum_over_batch_size"):
        self.name = name or type(self).__name__
        self.reduction = _standardize_reduction(reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def call_gradient(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call_gradient(y_true, y_pred)."
        )

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Reduced loss: Σ w·loss / (number of per-sample losses), Σ w·loss, or w·loss."""
        values = np.asarray(self.call(y_true, y_pred))
        weights = _sample_weight(sample_weight, values.shape, values.dtype)
        return _reduce(values if weights is None else values * weights, self.reduction)

    def gradient(self, y_true, y_pred, sample_weight=None):
        """d(reduced loss)/d(y_pred), shaped like y_pred.

        With reduction None/"none" the loss is not one number: this is then the
        gradient of Σ w·loss, i.e. each sample's own (weighted) gradient.
        """
        return self._reduce_gradient(self.call_gradient(y_true, y_pred), sample_weight)

    def _reduce_gradient(self, grad, sample_weight):
        grad = np.asarray(grad)
        values_shape = _shape_without(grad.shape, self.axis)
        weights = _sample_weight(sample_weight, values_shape, grad.dtype)
        scale = np.ones(values_shape, grad.dtype) if weights is None else weights
        if self.reduction == "sum_over_batch_size" and values_shape:
            scale = scale / max(int(np.prod(values_shape)), 1)
        return grad * np.expand_dims(scale, self.axis)

    @property
    def logits_activation(self):
        """Name of the activation ("sigmoid"/"softmax") whose output this loss can
        fuse with (see :meth:`logits_gradient`), or None."""
        return None if getattr(self, "from_logits", False) else self._fused_activation

    def logits_gradient(self, y_true, logits, sample_weight=None):
        """d(reduced loss)/d(logits) when y_pred = logits_activation(logits).

        Fused form (σ(z) - y or softmax(z) - y, over the batch size): what a model
        with a sigmoid/softmax output layer backpropagates instead of chaining
        the clipped dL/dŷ through the activation.
        """
        raise TypeError(f"{self.name} has no fused activation + loss gradient.")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class LossFunctionWrapper(Loss):
    """A Loss around a per-sample function ``fn`` and its ``gradient`` function.

    ``kwargs`` are passed to both (e.g. from_logits, axis). Without ``gradient``
    the loss can be evaluated but not trained on.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, gradient=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn
        self.gradient_fn = gradient
        self._fn_kwargs = kwargs
        self.axis = kwargs.get("axis", -1)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def call_gradient(self, y_true, y_pred):
        if self.gradient_fn is None:
            raise NotImplementedError(
                f"Loss {self.name!r} has no gradient: pass gradient=<function of "
                "(y_true, y_pred)> to LossFunctionWrapper."
            )
        return self.gradient_fn(y_true, y_pred, **self._fn_kwargs)

    def logits_gradient(self, y_true, logits, sample_weight=None):
        if self._fused_activation is None:
            return super().logits_gradient(y_true, logits, sample_weight)
        kwargs = dict(self._fn_kwargs, from_logits=True)
        grad = self.gradient_fn(y_true, logits, **kwargs)
        return self._reduce_gradient(grad, sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """Mean of the squared errors: ``mean((y - ŷ)²)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction, name, gradient=mean_squared_error_gradient)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of the absolute errors: ``mean(|y - ŷ|)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(
            mean_absolute_error, reduction, name, gradient=mean_absolute_error_gradient
        )


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100·mean(|(y - ŷ)/max(|y|, eps)|)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(
            mean_absolute_percentage_error,
            reduction,
            name,
            gradient=mean_absolute_percentage_error_gradient,
        )


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean((log(max(ŷ,eps)+1) - log(max(y,eps)+1))²)`` per sample, then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(
            mean_squared_logarithmic_error,
            reduction,
            name,
            gradient=mean_squared_logarithmic_error_gradient,
        )


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy (see :func:`binary_crossentropy`); fuses with sigmoid."""

    _fused_activation = "sigmoid"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
    ):
        _check_label_smoothing(label_smoothing)
        super().__init__(
            binary_crossentropy,
            reduction,
            name,
            gradient=binary_crossentropy_gradient,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


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
        _check_label_smoothing(label_smoothing)
        super().__init__(
            categorical_crossentropy,
            reduction,
            name,
            gradient=categorical_crossentropy_gradient,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


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
            sparse_categorical_crossentropy,
            reduction,
            name,
            gradient=sparse_categorical_crossentropy_gradient,
            from_logits=from_logits,
        )
        self.from_logits = from_logits


class Hinge(LossFunctionWrapper):
    """``mean(max(1 - y·ŷ, 0))`` per sample, labels ±1 (or all 0/1), then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(hinge, reduction, name, gradient=hinge_gradient)


class SquaredHinge(LossFunctionWrapper):
    """``mean(max(1 - y·ŷ, 0)²)`` per sample, labels ±1 (or all 0/1), then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(squared_hinge, reduction, name, gradient=squared_hinge_gradient)


class CategoricalHinge(LossFunctionWrapper):
    """``max(max((1-y)·ŷ) - Σy·ŷ + 1, 0)`` per sample (one-hot y), then reduced."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(categorical_hinge, reduction, name, gradient=categorical_hinge_gradient)


class L1Norm(LossFunctionWrapper):
    """The deck's L1-norm Σ|y - ŷ|: summed over the last axis, then over the
    samples (reduction="sum" by default, the deck's Σ over i)."""

    def __init__(self, reduction="sum", name="l1_norm"):
        super().__init__(l1_norm, reduction, name, gradient=l1_norm_gradient)


class L2Norm(LossFunctionWrapper):
    """The deck's L2-norm Σ(y - ŷ)²: summed over the last axis, then over the
    samples (reduction="sum" by default, the deck's Σ over i)."""

    def __init__(self, reduction="sum", name="l2_norm"):
        super().__init__(l2_norm, reduction, name, gradient=l2_norm_gradient)


# --- lookups -------------------------------------------------------------------

# per-sample function -> (gradient, Loss class)
_REGISTRY = {
    mean_squared_error: (mean_squared_error_gradient, MeanSquaredError),
    mean_absolute_error: (mean_absolute_error_gradient, MeanAbsoluteError),
    mean_absolute_percentage_error: (
        mean_absolute_percentage_error_gradient,
        MeanAbsolutePercentageError,
    ),
    mean_squared_logarithmic_error: (
        mean_squared_logarithmic_error_gradient,
        MeanSquaredLogarithmicError,
    ),
    binary_crossentropy: (binary_crossentropy_gradient, BinaryCrossentropy),
    categorical_crossentropy: (categorical_crossentropy_gradient, CategoricalCrossentropy),
    sparse_categorical_crossentropy: (
        sparse_categorical_crossentropy_gradient,
        SparseCategoricalCrossentropy,
    ),
    hinge: (hinge_gradient, Hinge),
    squared_hinge: (squared_hinge_gradient, SquaredHinge),
    categorical_hinge: (categorical_hinge_gradient, CategoricalHinge),
    l1_norm: (l1_norm_gradient, L1Norm),
    l2_norm: (l2_norm_gradient, L2Norm),
}

_ALIASES = {"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape}
_ALIASES.update({"msle": msle, "MSLE": msle})
_FUNCTIONS = {fn.__name__: fn for fn in _REGISTRY} | _ALIASES
_CLASSES = {cls.__name__: cls for _, cls in _REGISTRY.values()}


def get(identifier):
    """Keras's ``losses.get``: a function name or alias gives the per-sample
    function, a class name gives an instance, a callable is returned as is,
    None gives None. Unknown names raise ValueError listing the valid ones."""
    if identifier is None or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type):
        return identifier()
    obj = lookup("loss", identifier, _FUNCTIONS | _CLASSES)
    return obj() if isinstance(obj, type) else obj


def get_gradient(identifier):
    """The gradient function of a per-sample loss given by name or function."""
    fn = get(identifier)
    if not callable(fn) or fn not in _REGISTRY:
        raise ValueError(f"No gradient known for loss {identifier!r}.")
    return _REGISTRY[fn][0]


def get_loss_object(identifier):
    """A Loss instance for ``Model.compile(loss=...)``.

    Accepts a Loss instance (returned as is), a Loss class, a class name
    ("MeanSquaredError"), a function name or alias ("mse") or a dlkit per-sample
    function; the functions map to their class with default arguments.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        identifier = lookup("loss", identifier, _FUNCTIONS | _CLASSES)
        if isinstance(identifier, type):
            return identifier()
    if callable(identifier) and identifier in _REGISTRY:
        return _REGISTRY[identifier][1]()
    raise ValueError(
        f"Could not interpret loss {identifier!r}: expected a loss name, a Loss class or "
        "instance, or a dlkit loss function. Wrap a function of your own as "
        "LossFunctionWrapper(fn, gradient=fn_gradient)."
    )
