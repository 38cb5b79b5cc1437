"""VarianceScaling and the six named schemes of the deck (Glorot, He, LeCun).

Random values whose variance is var = scale / max(1, n), n from the weight's
fans (see :mod:`dlkit.initializers.fans`):

    | name           | scale | mode    | distribution     | the deck's formula            |
    | glorot_uniform | 1     | fan_avg | uniform          | limit = sqrt(6/(in + out))    |
    | glorot_normal  | 1     | fan_avg | truncated_normal | sigma = sqrt(2/(in + out))    |
    | he_uniform     | 2     | fan_in  | uniform          | limit = sqrt(6/in)            |
    | he_normal      | 2     | fan_in  | truncated_normal | sigma = sqrt(2/in)            |
    | lecun_uniform  | 1     | fan_in  | uniform          | limit = sqrt(3/in)            |
    | lecun_normal   | 1     | fan_in  | truncated_normal | sigma = sqrt(1/in)            |

The normal ones draw with stddev sigma / 0.8796... and truncate at 2 of those
stddevs, so the values' std is exactly the deck's sigma.
"""

import math

from dlkit.initializers.base import RandomInitializer, check_positive, float_dtype
from dlkit.initializers.fans import (
    MODES,
    check_shape,
    scaled_variance,
    truncated_stddev,
    uniform_limit,
)
from dlkit.initializers.random_initializers import truncated_normal

DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


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
        self.scale = check_positive(scale, "scale")
        self.mode = _check_mode(mode)
        self.distribution = _check_distribution(distribution)
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = float_dtype(dtype)
        shape = check_shape(shape)
        var = scaled_variance(shape, self.scale, self.mode)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = truncated_normal(rng, shape, 0.0, truncated_stddev(var))
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(var), shape)
        else:
            limit = uniform_limit(var)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(dtype)

    def get_config(self):
        own = {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}
        return {**own, **super().get_config()}


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}. Valid modes: {', '.join(MODES)}.")
    return mode


def _check_distribution(distribution):
    name = str(distribution).lower()
    name = "truncated_normal" if name == "normal" else name
    if name not in DISTRIBUTIONS:
        raise ValueError(
            f"Unknown distribution {distribution!r}. "
            f"Valid distributions: {', '.join(DISTRIBUTIONS)} (and 'normal')."
        )
    return name


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
