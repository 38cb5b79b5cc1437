"""The Initializer base classes and the argument checks they share.

An initializer is a callable ``init(shape, dtype=None)`` returning a new array
of that shape, of ``dtype`` or ``floatx()``.

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
from dlkit._registry import Configurable


def any_dtype(dtype):
    """``dtype`` as a NumPy dtype, ``floatx()`` when None."""
    return np.dtype(config.floatx() if dtype is None else dtype)


def float_dtype(dtype):
    """Like :func:`any_dtype`, but random draws need a floating type."""
    dtype = any_dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"A random initializer needs a floating dtype, got {dtype}.")
    return dtype


def check_real(value, name):
    """``value`` as a float; a bool, a non-number or NaN/inf raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}.")
    return float(value)


def check_positive(value, name):
    """Like :func:`check_real`, and > 0 (a spread of 0 is a constant, not a draw)."""
    if check_real(value, name) <= 0:
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


class Initializer(Configurable):
    """Base class: ``init(shape, dtype=None)`` returns a new array."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError


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
