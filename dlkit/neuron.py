"""One artificial neuron, as on the deck's first slides.

A neuron weighs its inputs, adds a bias and passes the sum through an
activation function Φ:

    α = Σ_i x_i · w_i + b          (the weighted sum)
    output = Φ(α)                  (sigmoid unless told otherwise)

``x`` may be one sample, shape (n_inputs,), or a batch, shape (batch, n_inputs);
``w`` has shape (n_inputs,) and ``b`` is a number. A Dense layer
(``dlkit.layers.Dense``) is many of these side by side.
"""

import numpy as np

from dlkit import activations
from dlkit._checks import as_float_array, check_rank


def _check_inputs(x, w, b):
    """Validate shapes: the last axis of x must match the length of w; b is a number."""
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    # A Python bias takes the precision of x and w (not floatx), so float64 sums stay exact.
    b = as_float_array(b, "b", dtype=np.result_type(x, w))
    check_rank(x, (1, 2), "x")
    check_rank(w, 1, "w")
    if b.ndim != 0:
        raise ValueError(f"b must be a single number (one bias per neuron), got shape {b.shape}.")
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"x has {x.shape[-1]} inputs (shape {x.shape}) but w has {w.shape[0]} weights "
            f"(shape {w.shape}); they must match, one weight per input."
        )
    return x, w, b


def weighted_sum(x, w, b):
    """α = Σ_i x_i · w_i + b: a number for one sample, shape (batch,) for a batch."""
    x, w, b = _check_inputs(x, w, b)
    return x @ w + b


def neuron(x, w, b, activation="sigmoid"):
    """Output of one neuron: Φ(Σ_i x_i · w_i + b), Φ given by name or as a function."""
    return activations.get(activation)(weighted_sum(x, w, b))


class Neuron:
    """A neuron that keeps its weights: ``Neuron(w, b)(x)`` = Φ(x · w + b).

    >>> float(Neuron([0.5, -1.0], bias=0.5, activation="linear")([2.0, 1.0]))
    0.5
    """

    def __init__(self, weights, bias=0.0, activation="sigmoid"):
        self.weights = as_float_array(weights, "weights")
        check_rank(self.weights, 1, "weights")
        self.bias = float(bias)
        self.activation = activations.get(activation)

    def weighted_sum(self, x):
        """α = Σ_i x_i · w_i + b for this neuron's weights."""
        return weighted_sum(x, self.weights, self.bias)

    def __call__(self, x):
        return self.activation(self.weighted_sum(x))

    def __repr__(self):
        name = getattr(self.activation, "__name__", "activation")
        return f"Neuron(weights={self.weights.tolist()}, bias={self.bias}, activation={name!r})"
