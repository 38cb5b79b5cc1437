"""Vanishing and exploding gradients, measured layer by layer.

Backpropagation multiplies the gradient by every layer's kernel and activation
derivative on its way from the loss to the first layer. When those factors are
mostly below 1 (saturated sigmoids, tiny weights) the first layers get almost
no gradient and stop learning: vanishing gradients. When they are mostly above
1 (large weights) the gradient grows layer after layer: exploding gradients.

Two measurements on one batch:

- ``activation_statistics(model, x)``: per layer the mean and std of its
  outputs and the fraction of saturated units. A unit is saturated on a sample
  when its local slope f'(z) is below 1% of the largest slope the activation
  can have (sigmoid: f' <= 0.25, so below 0.0025, i.e. outputs within about
  0.0025 of 0 or 1; relu: z <= 0, no gradient passes at all).
- ``gradient_norms(model, x, y)``: per layer the norm of δ_l = dL/dz_l, the
  gradient of the loss with respect to the layer's pre-activation z_l = a_{l-1} W_l + b_l
  (sqrt of the sum of its squares over the batch and the units).

``diagnose(norms)`` compares the first layer with the last:

    ratio = norms[0] / norms[-1]
    ratio < 1e-2   (VANISHING_BELOW)  -> "vanishing"   100x less error signal reaches layer 1
    ratio > 1e2    (EXPLODING_ABOVE)  -> "exploding"   100x more error signal at layer 1
    a norm is inf or NaN              -> "exploding"
    both norms are 0                  -> "vanishing"   no gradient at all
    otherwise                         -> "healthy"
"""

import math

import numpy as np

from dlkit import activations
from dlkit.layers import dense_backward, dense_forward

VANISHING_BELOW = 1e-2
EXPLODING_ABOVE = 1e2
SATURATION_FRACTION = 0.01  # slope below 1% of the activation's largest slope
_SLOPE_GRID = np.linspace(-10.0, 10.0, 4001)


def _slope(fn, z):
    """f'(z) elementwise; for softmax the diagonal of its Jacobian, y(1 - y)."""
    if fn is activations.softmax:
        y = activations.softmax(z)
        return y * (1.0 - y)
    return activations.derivative(fn)(z)


def _peak_slope(fn):
    """The largest |f'|: 0.25 for softmax's diagonal, else read off a grid over [-10, 10]
    (0.25 for sigmoid, 1 for tanh and relu)."""
    if fn is activations.softmax:
        return 0.25
    return float(np.max(np.abs(_slope(fn, _SLOPE_GRID))))


def saturated_fraction(fn, z):
    """Fraction of the entries of z where |f'(z)| < 1% of the largest |f'| of fn.

    An activation with no known derivative (a function of your own) counts as never
    saturated.
    """
    try:
        peak, slope = _peak_slope(fn), np.abs(_slope(fn, z))
    except ValueError:
        return 0.0
    return float(np.mean(slope < SATURATION_FRACTION * peak))


def activation_statistics(model, x):
    """Per layer of a Sequential model: its name, the mean and std of its outputs on x,
    and the fraction of saturated units (see the module docstring)."""
    x = model._prepare_inputs(x)
    stats = []
    for layer in model.layers:
        z = dense_forward(x, layer.kernel, layer.bias)
        x = layer.activation(z)
        stats.append({
            "layer": layer.name,
            "mean": float(np.mean(x)),
            "std": float(np.std(x)),
            "saturated": saturated_fraction(layer.activation, z),
        })
    return stats


def _forward_keeping_z(model, x):
    """Pre-activations z_l and outputs a_l of every layer (a_0 = x), in float64."""
    a, zs, outs = x.astype(np.float64), [], [x.astype(np.float64)]
    for layer in model.layers:
        bias = None if layer.bias is None else layer.bias.astype(np.float64)
        zs.append(dense_forward(a, layer.kernel.astype(np.float64), bias))
        a = layer.activation(zs[-1])
        outs.append(a)
    return zs, outs


def gradient_norms(model, x, y, wrt="preactivation"):
    """Per layer, first to last, the norm of a gradient of the compiled loss on (x, y).

    wrt="preactivation" (default): ||δ_l|| with δ_l = dL/dz_l, the error signal that
    backpropagation carries through layer l:

        δ_L = f_L'(z_L) ⊙ dL/dŷ,      δ_l = f_l'(z_l) ⊙ (δ_{l+1} @ W_{l+1}^T)

    Each step multiplies by a kernel and a slope, so δ shrinks (vanishing) or grows
    (exploding) geometrically with depth: this is what ``diagnose`` reads.

    wrt="kernel": ||dL/dW_l|| = ||a_{l-1}^T δ_l||. These often stay balanced even when δ
    vanishes or explodes, because the layer inputs a_{l-1} shrink or grow the other way
    (Glorot & Bengio, 2010). Penalties are not included; no weight is changed.
    """
    if wrt not in ("preactivation", "kernel"):
        raise ValueError(f'wrt must be "preactivation" or "kernel", got {wrt!r}.')
    x, y = model._prepare(x, y)
    zs, outs = _forward_keeping_z(model, x)
    grad = model.loss.gradient(y, outs[-1])
    norms = []
    for layer, z, a_in in zip(model.layers[::-1], zs[::-1], outs[-2::-1]):
        delta = activations.backward(layer.activation, z, grad)
        grad, grad_kernel, _ = dense_backward(a_in, layer.kernel.astype(np.float64), delta)
        norms.append(float(np.linalg.norm(delta if wrt == "preactivation" else grad_kernel)))
    return norms[::-1]


def diagnose(grad_norms, vanishing_below=VANISHING_BELOW, exploding_above=EXPLODING_ABOVE):
    """"vanishing" | "exploding" | "healthy" from per-layer gradient norms (first to last).

    A dict {layer name: norm} is read in its order. See the module docstring for the rule.
    """
    norms = list(grad_norms.values()) if isinstance(grad_norms, dict) else list(grad_norms)
    if len(norms) < 2:
        raise ValueError(f"diagnose needs the norms of at least 2 layers, got {len(norms)}.")
    norms = [float(n) for n in norms]
    if any(n < 0 for n in norms):
        raise ValueError(f"gradient norms cannot be negative, got {norms}.")
    if not all(math.isfinite(n) for n in norms):
        return "exploding"
    first, last = norms[0], norms[-1]
    if last == 0.0:  # nothing reaches the last layer: nothing learns, or the first dwarfs it
        return "vanishing" if first == 0.0 else "exploding"
    ratio = first / last
    if ratio < vanishing_below:
        return "vanishing"
    if ratio > exploding_above:
        return "exploding"
    return "healthy"
