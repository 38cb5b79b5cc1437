"""The formulas of the training path, each written once (private to dlkit).

``dlkit.activations``, ``dlkit.losses``, the Dense layer's in-place fast path and
the model's fused softmax + crossentropy head all compute through these
functions, so a lesson's ``activations.softmax(x)`` and a trained model's
softmax layer are the same operations on the same bits.

Every function takes an optional ``out``: None allocates the result (the
public API), an array receives it (the training loop's buffers; ``out`` may be
an input itself, for an in-place step). Inputs are floating arrays, already
checked by the caller: nothing here validates or converts, the fast path
cannot afford it.
"""

import numpy as np


# --------------------------------------------------------------------------- relu
def relu(x, threshold=0.0, out=None):
    """x where x > threshold, else 0 (relu for threshold 0: max(x, 0)).

    NaN stays NaN (as in Keras, whose relu is the backend's max(x, 0)); the
    clipped part is +0, never -0, so printed arrays read ``0.``.
    """
    if threshold == 0:
        return np.maximum(x, 0.0, out=out)
    y = np.where(x <= threshold, 0.0, x)  # "<=", not ">": NaN compares False and is kept
    if out is None:
        return y
    np.copyto(out, y)
    return out


def relu_slope(x, threshold=0.0, out=None):
    """[x > threshold]: d relu / dx, with relu'(threshold) = 0 as in Keras's backends
    (and 0 for NaN). Booleans, or 0/1 in the dtype of ``out`` when given."""
    return np.greater(x, threshold, out=out)


# --------------------------------------------------------------------------- tanh, sigmoid
def tanh(x, out=None):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x)."""
    return np.tanh(x, out=out)


def tanh_slope(y):
    """d tanh / dx = 1 - y², from the output y = tanh(x)."""
    return 1.0 - np.square(y)


def tanh_backward(y, grad, out=None):
    """dL/dx = g ⊙ (1 - y²) from y = tanh(x) and g = dL/dy."""
    return np.multiply(grad, tanh_slope(y), out=out)


def sigmoid(x, out=None):
    """σ(x) = 1 / (1 + e^-x), as 1/(1+z) for x >= 0 and z/(1+z) for x < 0, z = e^-|x|:
    no exponent is positive, so nothing overflows."""
    z = np.exp(-np.abs(x))
    return np.divide(np.where(x >= 0, 1.0, z), 1.0 + z, out=out)


def sigmoid_slope(y):
    """d σ / dx = y(1 - y), from the output y = σ(x)."""
    return y * (1.0 - y)


# --------------------------------------------------------------------------- softmax
def softmax(x, axis=-1, out=None):
    """softmax(x)_i = e^{x_i - m} / Σ_j e^{x_j - m} with m = max(x) along ``axis``.

    The shift m cancels in the ratio but keeps every exponent <= 0: [1000, 0, 0]
    gives [1, 0, 0], not e^1000 = inf and then NaN.
    """
    out = np.subtract(x, np.max(x, axis=axis, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.sum(out, axis=axis, keepdims=True)
    return out


def softmax_backward(y, grad, axis=-1, out=None):
    """dL/dx = y ⊙ (g - Σ_j g_j y_j) from y = softmax(x) and g = dL/dy: the softmax
    Jacobian ∂y_i/∂x_j = y_i (δ_ij - y_j) applied to g without building it."""
    out = np.subtract(grad, np.sum(grad * y, axis=axis, keepdims=True), out=out)
    out *= y
    return out


def log_softmax(x, axis=-1):
    """log softmax(x) = x - m - log Σ e^{x - m}, m = max(x): never overflows."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# --------------------------------------------------------------------------- crossentropy
def clip_probability(p, eps, out=None):
    """clip(p, eps, 1 - eps), Keras's guard before a log: p = 0 or 1 gives a finite loss.

    1 - eps is rounded once from the Python double in p's dtype, like
    torch.clip(p, eps, 1.0 - eps): 0.99999988 in float32, so -log(1 - p) for p = 1
    is 23·log 2, as in Keras.
    """
    return np.clip(p, p.dtype.type(eps), p.dtype.type(1.0 - eps), out=out)


def log_clipped(p, eps, out=None):
    """log clip(p, eps, 1 - eps) (see :func:`clip_probability`)."""
    return np.log(clip_probability(p, eps, out=out), out=out)


def crossentropy_logits_gradient(p, y, axis=-1, out=None):
    """d/dz of -Σ_k y_k log softmax(z)_k, given p = softmax(z):

        p · Σ_k y_k - y        (= p - y for one-hot or smoothed labels, whose Σ is 1)

    Exact, with no clipping plateau: a confidently wrong p ≈ 0 still gets a gradient.
    """
    out = np.multiply(p, np.sum(y, axis=axis, keepdims=True), out=out)
    out -= y
    return out


def sparse_crossentropy_logits_gradient(p, flat_labels, out=None):
    """p - onehot(labels) for p of shape (n, C) (the one-hot case of
    :func:`crossentropy_logits_gradient`); ``flat_labels`` are the positions of
    p[i, label_i] in p.ravel()."""
    if out is None:
        out = p.copy()
    else:
        np.copyto(out, p)
    out.ravel()[flat_labels] -= 1  # out is C-contiguous: ravel() is a view
    return out
