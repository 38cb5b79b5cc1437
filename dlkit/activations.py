"""The deck's eleven activation functions, each beside its derivative.

Names, signatures and float32 results follow Keras 3 (``keras.activations``).
Keras gets derivatives from autodiff; dlkit writes them out so the lessons can
show them and layers can run backpropagation with
``backward(fn, x, upstream)``.

Conventions
- Floating inputs keep their dtype; ints, lists and scalars become ``floatx()``.
- Nothing overflows or warns in float32 for any finite x, except
  ``exponential`` which (like Keras) returns ``inf`` once e^x > 3.4e38 (x > 88.7).
- At a kink the derivative takes the value Keras's backends use: relu'(0) = 0,
  the left-hand slope at ``threshold``, 0 at ``max_value``, hard_sigmoid'(±3) = 0,
  elu'(0) = alpha (torch's choice; alpha = 1 by default, both sides agree then).
- NaN/inf are not rejected here: activations run on every forward pass, and
  the losses check their inputs. NaN in gives NaN out (relu included, as in Keras).

relu, tanh, sigmoid and softmax compute through ``dlkit._kernels``, the same
functions the Dense layer runs in place during training.
"""

import numpy as np

from dlkit import _kernels
from dlkit._checks import as_float_array, check_same_shape
from dlkit._registry import lookup

# Klambauer et al. (2017), the constants Keras uses for selu.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _x(x):
    return as_float_array(x, "x")


# --- relu --------------------------------------------------------------------


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, Keras 3 form.

    With the defaults ``relu(x) = max(x, 0)``. In general

        f(x) = x·[x > threshold], clipped to [0, max_value] when max_value is set,
               minus negative_slope · max(threshold - x, 0)

    so ``negative_slope`` gives a leaky relu and ``max_value=6`` gives relu6.
    Derivative: see :func:`relu_derivative`.
    """
    x = _x(x)
    y = _kernels.relu(x, threshold)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    if negative_slope:
        y = y - negative_slope * np.maximum(threshold - x, 0.0)
    return y


def relu_derivative(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """d relu / dx: 1 on the linear part, ``negative_slope`` for x <= threshold,
    0 where the output is clipped (y = 0 or y = max_value).

    With the defaults: 1 for x > 0, else 0 (relu'(0) = 0, as in Keras's backends).
    """
    x = _x(x)
    linear_part = _kernels.relu_slope(x, threshold)
    if max_value is not None:
        # clip(·, 0, max_value) flattens values at or beyond either bound.
        linear_part &= (x > 0) & (x < max_value)
    leaky_part = x <= threshold
    return linear_part.astype(x.dtype) + negative_slope * leaky_part.astype(x.dtype)


# --- tanh, sigmoid -----------------------------------------------------------


def tanh(x):
    """Hyperbolic tangent: tanh(x) = (e^x - e^-x) / (e^x + e^-x).

    Derivative: 1 - tanh(x)².
    """
    return _kernels.tanh(_x(x))


def tanh_derivative(x):
    """d tanh / dx = 1 - tanh(x)²."""
    return _kernels.tanh_slope(tanh(x))


def sigmoid(x):
    """Logistic sigmoid: σ(x) = 1 / (1 + e^-x).

    Evaluated as 1/(1+z) for x >= 0 and z/(1+z) for x < 0 with z = e^-|x|, so
    e^-x never overflows for large negative x. Derivative: σ(x)·(1 - σ(x)).
    """
    return _kernels.sigmoid(_x(x))


def sigmoid_derivative(x):
    """d σ / dx = σ(x)·(1 - σ(x))."""
    return _kernels.sigmoid_slope(sigmoid(x))


# --- softmax -----------------------------------------------------------------


def softmax(x, axis=-1):
    """Softmax along ``axis``: softmax(x)_i = e^{x_i} / Σ_j e^{x_j}.

    Computed as e^{x - max(x)} / Σ e^{x - max(x)}: the shift cancels in the
    ratio but keeps every exponent <= 0, so nothing overflows.
    Derivative (Jacobian): ∂s_i/∂x_j = s_i (δ_ij - s_j).
    """
    return _kernels.softmax(_x(x), axis=axis)


def softmax_derivative(x, axis=-1):
    """Jacobian of softmax: J[..., i, j] = ∂s_i/∂x_j = s_i (δ_ij - s_j).

    Returns shape ``x.shape + (n,)`` with n = x.shape[axis]: the index i sits
    at ``axis`` and j is the new last axis. Layers should use :func:`backward`,
    which gives the same product without building the n×n matrix.
    """
    s = np.moveaxis(softmax(x, axis=axis), axis, -1)
    jac = s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])
    # jac is (..., i, j); put i back where the softmax axis was, j stays last.
    return np.moveaxis(jac, -2, axis % s.ndim)


def softmax_backward(x, upstream, y=None, axis=-1):
    """Vector-Jacobian product: dL/dx = s ⊙ (g - Σ_j g_j s_j), g = dL/ds."""
    s = softmax(x, axis=axis) if y is None else as_float_array(y, "y")
    return _kernels.softmax_backward(s, as_float_array(upstream, "upstream"), axis=axis)


# --- elu, selu ---------------------------------------------------------------


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, alpha·(e^x - 1) otherwise.

    e^x - 1 is computed with expm1 (exact near 0) on min(x, 0) so large
    positive x never reaches exp. Derivative: 1 for x > 0, alpha·e^x otherwise.
    """
    x = _x(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    """d elu / dx = 1 for x > 0, alpha·e^x for x <= 0."""
    x = _x(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def selu(x):
    """Scaled ELU: scale·elu(x, alpha), alpha ≈ 1.6732632, scale ≈ 1.0507010.

    Derivative: scale for x > 0, scale·alpha·e^x otherwise.
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_derivative(x):
    """d selu / dx = scale for x > 0, scale·alpha·e^x for x <= 0."""
    return SELU_SCALE * elu_derivative(x, SELU_ALPHA)


# --- hard_sigmoid, softplus, softsign ----------------------------------------


def hard_sigmoid(x):
    """Keras 3 hard sigmoid: clip(x/6 + 1/2, 0, 1) = relu6(x + 3) / 6.

    0 for x <= -3, 1 for x >= 3, linear in between. Keras 2 used
    clip(0.2·x + 0.5, 0, 1) (saturating at ±2.5); that form is deprecated.
    Computed as clip(x + 3, 0, 6) / 6, the same float32 operations as Keras's
    torch backend. Derivative: 1/6 for -3 < x < 3, else 0.
    """
    return np.clip(_x(x) + 3.0, 0.0, 6.0) / 6.0


def hard_sigmoid_derivative(x):
    """d hard_sigmoid / dx = 1/6 on (-3, 3), 0 elsewhere (also at ±3)."""
    x = _x(x)
    return np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0).astype(x.dtype)


def softplus(x):
    """Softplus: log(1 + e^x), computed as logaddexp(x, 0) (no overflow).

    Derivative: σ(x).
    """
    return np.logaddexp(_x(x), 0.0)


def softplus_derivative(x):
    """d softplus / dx = σ(x) = 1 / (1 + e^-x)."""
    return sigmoid(x)


def softsign(x):
    """Softsign: x / (1 + |x|). Derivative: 1 / (1 + |x|)²."""
    x = _x(x)
    return x / (1.0 + np.abs(x))


def softsign_derivative(x):
    """d softsign / dx = 1 / (1 + |x|)²."""
    return 1.0 / np.square(1.0 + np.abs(_x(x)))


# --- exponential, linear -----------------------------------------------------


def exponential(x):
    """Exponential: e^x. Derivative: e^x.

    Returns inf beyond the dtype's range (x > 88.7 in float32), as Keras does;
    that overflow is expected, so it is not reported as a warning.
    """
    with np.errstate(over="ignore"):
        return np.exp(_x(x))


def exponential_derivative(x):
    """d e^x / dx = e^x."""
    return exponential(x)


def linear(x):
    """Identity: linear(x) = x (``get(None)`` gives this). Derivative: 1."""
    return _x(x)


def linear_derivative(x):
    """d x / dx = 1."""
    return np.ones_like(_x(x))


# --- lookups and backpropagation ---------------------------------------------

ALL = {
    "relu": relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "softmax": softmax,
    "elu": elu,
    "selu": selu,
    "hard_sigmoid": hard_sigmoid,
    "softplus": softplus,
    "softsign": softsign,
    "exponential": exponential,
    "linear": linear,
}

_DERIVATIVES = {
    relu: relu_derivative,
    tanh: tanh_derivative,
    sigmoid: sigmoid_derivative,
    softmax: softmax_derivative,
    elu: elu_derivative,
    selu: selu_derivative,
    hard_sigmoid: hard_sigmoid_derivative,
    softplus: softplus_derivative,
    softsign: softsign_derivative,
    exponential: exponential_derivative,
    linear: linear_derivative,
}

# Derivatives cheaper to compute from the output y = f(x) than from x.
_DERIVATIVES_FROM_OUTPUT = {
    sigmoid: _kernels.sigmoid_slope,
    tanh: _kernels.tanh_slope,
    exponential: lambda y: y,
}


def get(identifier):
    """Return an activation function: a name from ``ALL``, a callable (returned
    as is) or None (gives ``linear``). Unknown names raise ValueError listing
    the valid ones."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    return lookup("activation", identifier, ALL)


def derivative(fn_or_name):
    """Return the derivative function of an activation given by name or function."""
    fn = get(fn_or_name)
    try:
        return _DERIVATIVES[fn]
    except KeyError:
        raise ValueError(
            f"No derivative known for activation {fn!r}: expected one of "
            f"{', '.join(sorted(ALL))} (by name or as the dlkit function)."
        ) from None


def backward(fn_or_name, x, upstream, y=None, **kwargs):
    """dL/dx from the upstream gradient dL/dy, where y = fn(x, **kwargs).

    Elementwise activations: dL/dx = dL/dy ⊙ f'(x). Softmax couples the
    entries of a row: dL/dx = y ⊙ (g - Σ_j g_j y_j). Pass ``y`` (the forward
    output) to save recomputing it; ``kwargs`` are the activation's own
    (e.g. ``alpha`` for elu, ``axis`` for softmax).
    """
    fn = get(fn_or_name)
    x = _x(x)
    upstream = as_float_array(upstream, "upstream")
    check_same_shape(x, upstream, "x", "upstream")
    if y is not None:
        y = as_float_array(y, "y")
        check_same_shape(x, y, "x", "y")
    if fn is softmax:
        return softmax_backward(x, upstream, y=y, **kwargs)
    if y is not None and fn in _DERIVATIVES_FROM_OUTPUT:
        return upstream * _DERIVATIVES_FROM_OUTPUT[fn](y)
    return upstream * derivative(fn)(x, **kwargs)
