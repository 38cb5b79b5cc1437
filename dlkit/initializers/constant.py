"""Initializers that draw nothing: Zeros, Ones, Constant(value)."""

import numpy as np

from dlkit.initializers.base import Initializer, any_dtype
from dlkit.initializers.fans import check_shape


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(check_shape(shape), dtype=any_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(check_shape(shape), dtype=any_dtype(dtype))


class Constant(Initializer):
    """Every entry equal to ``value`` (a scalar)."""

    def __init__(self, value=0.0):
        number = np.ndim(value) == 0 and np.issubdtype(np.asarray(value).dtype, np.number)
        if not number or not np.isfinite(value):
            raise ValueError(f"Constant takes a finite scalar number as value, got {value!r}.")
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(check_shape(shape), self.value, dtype=any_dtype(dtype))

    def get_config(self):
        return {"value": self.value}
