"""Fans of a weight shape and the deck's variance-scaling formulas.

    fan_in, fan_out = compute_fans(shape)     (a Dense kernel (in, out): in, out)
    n = fan_in | fan_out | (fan_in + fan_out) / 2     (mode)
    var = scale / max(1, n)

    uniform:           limit = sqrt(3 var)            (U(-l, l) has variance l²/3)
    truncated normal:  stddev = sqrt(var) / 0.8796...  (truncation at ±2 stddev shrinks it back)

so glorot_uniform (scale 1, fan_avg) has limit = sqrt(6 / (fan_in + fan_out)) and
he_normal (scale 2, fan_in) has sigma = sqrt(2 / fan_in), as on the slides.
"""

import math
import numbers

# Std of a standard normal truncated to [-2, 2] (Keras's constant).
TRUNCATION_STD = 0.87962566103423978
MODES = ("fan_in", "fan_out", "fan_avg")


def check_shape(shape):
    """Return ``shape`` as a tuple of non-negative ints (an int n means (n,))."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        raise ValueError(f"shape must be a tuple of non-negative ints, got {shape!r}.") from None
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0:
            raise ValueError(
                f"shape must be a tuple of non-negative ints, got {shape!r} "
                f"(the entry {d!r} is not)."
            )
    return tuple(int(d) for d in dims)


def compute_fans(shape):
    """Return ``(fan_in, fan_out)`` for a weight of this shape (Keras's rules).

    rank 0: (1, 1) · rank 1 (n,): (n, n) · rank 2 (in, out): (in, out) ·
    rank >= 3 (a convolution kernel (..., in, out)): with the receptive field
    rf = prod(shape[:-2]), fan_in = in * rf and fan_out = out * rf.
    """
    shape = check_shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def scaled_variance(shape, scale, mode):
    """var = scale / max(1, n), n = fan_in | fan_out | (fan_in + fan_out) / 2."""
    fan_in, fan_out = compute_fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return scale / max(1.0, fan)


def uniform_limit(var):
    """U(-limit, limit) has variance limit² / 3, so limit = sqrt(3 var)."""
    return math.sqrt(3.0 * var)


def truncated_stddev(var):
    """The stddev to draw with so that, after truncation at ±2σ, the std is sqrt(var)."""
    return math.sqrt(var) / TRUNCATION_STD


# --- the deck's formulas, as graded functions ---------------------------------------


def glorot_uniform_limit(shape):
    """limit = sqrt(6 / (fan_in + fan_out)) (VarianceScaling(1, "fan_avg", "uniform"))."""
    return uniform_limit(scaled_variance(shape, 1.0, "fan_avg"))


def he_uniform_limit(shape):
    """limit = sqrt(6 / fan_in) (VarianceScaling(2, "fan_in", "uniform"))."""
    return uniform_limit(scaled_variance(shape, 2.0, "fan_in"))


def lecun_uniform_limit(shape):
    """limit = sqrt(3 / fan_in) (VarianceScaling(1, "fan_in", "uniform"))."""
    return uniform_limit(scaled_variance(shape, 1.0, "fan_in"))


def glorot_normal_stddev(shape):
    """sqrt(2 / (fan_in + fan_out)) / 0.8796...: the stddev Keras's truncated normal uses.

    The deck's sigma = sqrt(2 / (fan_in + fan_out)) is the std *after* truncation.
    """
    return truncated_stddev(scaled_variance(shape, 1.0, "fan_avg"))


def he_normal_stddev(shape):
    """sqrt(2 / fan_in) / 0.8796... (the deck's sigma = sqrt(2 / fan_in) after truncation)."""
    return truncated_stddev(scaled_variance(shape, 2.0, "fan_in"))


def lecun_normal_stddev(shape):
    """sqrt(1 / fan_in) / 0.8796... (the deck's sigma = sqrt(1 / fan_in) after truncation)."""
    return truncated_stddev(scaled_variance(shape, 1.0, "fan_in"))
