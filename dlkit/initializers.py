"""Weight initializers, with Keras 3's names, defaults and numbers.

An initializer is a callable ``init(shape, dtype=None)`` that returns a new
array of that shape, of ``dtype`` or ``floatx()``.

The deck's formulas and Keras's VarianceScaling are the same numbers. With

    fan_in, fan_out = compute_fans(shape)     (a Dense kernel (in, out): in, out)
    n = fan_in | fan_out | (fan_in + fan_out) / 2     (mode)
    var = scale / max(1, n)

Keras draws
    uniform:            U(-limit, limit),  limit = sqrt(3 var)
    untruncated_normal: N(0, sigma),       sigma = sqrt(var)
    truncated_normal:   N(0, sigma / 0.87962566103423978), redrawn beyond 2 of its stddevs

so ``glorot_uniform`` (scale 1, fan_avg) has limit = sqrt(6 / (fan_in + fan_out))
and ``he_normal`` (scale 2, fan_in) has sigma = sqrt(2 / fan_in), as on the
slides. 0.8796... is the std of a standard normal truncated to [-2, 2]: dividing
by it makes the *truncated* draws have exactly the deck's sigma.

Seeds work as in Keras 3: an initializer seeded with an int returns the same
values on every call; an unseeded one picks a random int seed when it is
created (from Python's ``random``, as Keras does), so it too repeats itself
while two unseeded instances differ. Pass a ``numpy.random.Generator`` as
``seed`` (the analogue of Keras's ``SeedGenerator``) to get new values on each
call from a reproducible stream.
"""

import math
import numbers
import random

import numpy as np

from dlkit import config
from dlkit._registry import lookup

# Std of a standard normal truncated to [-2, 2] (Keras's constant).
TRUNCATION_STD = 0.87962566103423978
_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


# ---------------------------------------------------------------- shapes and fans
def _check_shape(shape):
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
    shape = _check_shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _scaled_variance(shape, scale, mode):
    """var = scale / max(1, n), n = fan_in | fan_out | (fan_in + fan_out) / 2."""
    fan_in, fan_out = compute_fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return scale / max(1.0, fan)


def _uniform_limit(var):
    """U(-limit, limit) has variance limit² / 3, so limit = sqrt(3 var)."""
    return math.sqrt(3.0 * var)


def _truncated_stddev(var):
    """The stddev to draw with so that, after truncation at ±2σ, the std is sqrt(var)."""
    return math.sqrt(var) / TRUNCATION_STD


# ---------------------------------------------------------------- the deck's formulas
def glorot_uniform_limit(shape):
    """limit = sqrt(6 / (fan_in + fan_out)) (VarianceScaling(1, "fan_avg", "uniform"))."""
    return _uniform_limit(_scaled_variance(shape, 1.0, "fan_avg"))


def he_uniform_limit(shape):
    """limit = sqrt(6 / fan_in) (VarianceScaling(2, "fan_in", "uniform"))."""
    return _uniform_limit(_scaled_variance(shape, 2.0, "fan_in"))


def lecun_uniform_limit(shape):
    """limit = sqrt(3 / fan_in) (VarianceScaling(1, "fan_in", "uniform"))."""
    return _uniform_limit(_scaled_variance(shape, 1.0, "fan_in"))


def glorot_normal_stddev(shape):
    """sqrt(2 / (fan_in + fan_out)) / 0.8796...: the stddev Keras's truncated normal uses.

    The deck's sigma = sqrt(2 / (fan_in + fan_out)) is the std *after* truncation.
    """
    return _truncated_stddev(_scaled_variance(shape, 1.0, "fan_avg"))


def he_normal_stddev(shape):
    """sqrt(2 / fan_in) / 0.8796... (the deck's sigma = sqrt(2 / fan_in) after truncation)."""
    return _truncated_stddev(_scaled_variance(shape, 2.0, "fan_in"))


def lecun_normal_stddev(shape):
    """sqrt(1 / fan_in) / 0.8796... (the deck's sigma = sqrt(1 / fan_in) after truncation)."""
    return _truncated_stddev(_scaled_variance(shape, 1.0, "fan_in"))


# ---------------------------------------------------------------- argument checks
def _any_dtype(dtype):
    return np.dtype(config.floatx() if dtype is None else dtype)


def _float_dtype(dtype):
    dtype = _any_dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"A random initializer needs a floating dtype, got {dtype}.")
    return dtype


def _check_real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}.")
    return float(value)


def _check_positive(value, name):
    if _check_real(value, name) <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}.")
    return float(value)


def _check_seed(seed):
    ok = seed is None or isinstance(seed, np.random.Generator) or (
        isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0
    )
    if not ok:
        raise ValueError(
            f"seed must be None, a non-negative int or a numpy.random.Generator, got {seed!r}."
        )
    return seed


# ---------------------------------------------------------------- base classes
class Initializer:
    """Base class: ``init(shape, dtype=None)`` returns a new array."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class RandomInitializer(Initializer):
    """Holds the seed. An int seed (given or drawn now) restarts the stream on each call."""

    def __init__(self, seed=None):
        self._init_seed = _check_seed(seed)
        # Like Keras's make_default_seed: an unseeded instance still repeats itself.
        self.seed = random.randint(1, 10**9) if seed is None else seed

    def _rng(self):
        if isinstance(self.seed, np.random.Generator):
            return self.seed
        return np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


def _truncated_normal(rng, shape, mean, stddev):
    """N(mean, stddev) in float64 with every draw outside mean ± 2·stddev redrawn."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return mean + stddev * z


# ---------------------------------------------------------------- constants
class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(_check_shape(shape), dtype=_any_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(_check_shape(shape), dtype=_any_dtype(dtype))


class Constant(Initializer):
    """Every entry equal to ``value`` (a scalar)."""

    def __init__(self, value=0.0):
        if np.ndim(value) != 0:
            raise ValueError(f"Constant takes a scalar value, got shape {np.shape(value)}.")
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(_check_shape(shape), self.value, dtype=_any_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


# ---------------------------------------------------------------- plain random
class RandomNormal(RandomInitializer):
    """w ~ N(mean, stddev²)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = _check_real(mean, "mean")
        self.stddev = _check_positive(stddev, "stddev")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype)
        values = self._rng().normal(self.mean, self.stddev, _check_shape(shape))
        return values.astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """w ~ N(mean, stddev²), values outside mean ± 2·stddev redrawn.

    stddev is NOT corrected, so the values' std is about 0.88·stddev
    (sqrt(1 - 4 φ(2) / (2 Φ(2) - 1)) = 0.8796...).
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = _check_real(mean, "mean")
        self.stddev = _check_positive(stddev, "stddev")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype)
        values = _truncated_normal(self._rng(), _check_shape(shape), self.mean, self.stddev)
        return values.astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """w ~ U[minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = _check_real(minval, "minval")
        self.maxval = _check_real(maxval, "maxval")
        if self.minval >= self.maxval:
            raise ValueError(f"minval must be < maxval, got minval={minval!r}, maxval={maxval!r}.")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype)
        values = self._rng().uniform(self.minval, self.maxval, _check_shape(shape))
        return values.astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


# ---------------------------------------------------------------- variance scaling
class VarianceScaling(RandomInitializer):
    """Random values whose variance is scale / n, n from the weight's fans.

    n = fan_in | fan_out | (fan_in + fan_out) / 2 for mode "fan_in" | "fan_out" |
    "fan_avg"; var = scale / max(1, n). distribution:
    "truncated_normal" (stddev sqrt(var) / 0.8796..., truncated at 2 stddevs, so
    the values' std is sqrt(var)); "untruncated_normal" (stddev sqrt(var));
    "uniform" (U(-limit, limit), limit = sqrt(3 var)). "normal" is accepted as
    Keras's alias of "truncated_normal".
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        self.scale = _check_positive(scale, "scale")
        if mode not in _MODES:
            raise ValueError(f"Unknown mode {mode!r}. Valid modes: {', '.join(_MODES)}.")
        distribution = str(distribution).lower()
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Unknown distribution {distribution!r}. "
                f"Valid distributions: {', '.join(_DISTRIBUTIONS)} (and 'normal')."
            )
        self.mode = mode
        self.distribution = distribution
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _float_dtype(dtype)
        shape = _check_shape(shape)
        var = _scaled_variance(shape, self.scale, self.mode)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(rng, shape, 0.0, _truncated_stddev(var))
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(var), shape)
        else:
            limit = _uniform_limit(var)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(dtype)

    def get_config(self):
        own = {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}
        return {**own, **super().get_config()}


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling with fixed (scale, mode, distribution); only the seed varies."""

    _settings = None  # (scale, mode, distribution)

    def __init__(self, seed=None):
        scale, mode, distribution = self._settings
        super().__init__(scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self._init_seed}


class GlorotUniform(_NamedVarianceScaling):
    """Xavier uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""

    _settings = (1.0, "fan_avg", "uniform")


class GlorotNormal(_NamedVarianceScaling):
    """Xavier normal: truncated normal with std sigma = sqrt(2 / (fan_in + fan_out)).

    Drawn with stddev sigma / 0.8796... and truncated at 2 of those stddevs.
    """

    _settings = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_NamedVarianceScaling):
    """He uniform: U(-limit, limit), limit = sqrt(6 / fan_in)."""

    _settings = (2.0, "fan_in", "uniform")


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal with std sigma = sqrt(2 / fan_in).

    Drawn with stddev sigma / 0.8796... and truncated at 2 of those stddevs.
    """

    _settings = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: U(-limit, limit), limit = sqrt(3 / fan_in)."""

    _settings = (1.0, "fan_in", "uniform")


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with std sigma = sqrt(1 / fan_in).

    Drawn with stddev sigma / 0.8796... and truncated at 2 of those stddevs.
    """

    _settings = (1.0, "fan_in", "truncated_normal")


# ---------------------------------------------------------------- lookup
_CLASSES = (
    Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform,
)
_SNAKE_NAMES = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_normal": GlorotNormal,
    "glorot_uniform": GlorotUniform, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    # Keras's short aliases
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
}
ALL = {**{cls.__name__: cls for cls in _CLASSES}, **_SNAKE_NAMES}


def get(identifier):
    """Return an initializer instance.

    A name ("he_normal" or "HeNormal") gives a new default instance, a class is
    instantiated, an instance or any callable is returned as it is, None gives None.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup("initializer", identifier, ALL)()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    return lookup("initializer", identifier, ALL)  # raises TypeError naming what came
