"""Plain random initializers (Keras 3): RandomNormal, TruncatedNormal, RandomUniform.

    RandomNormal(mean, stddev)      w ~ N(mean, stddev²)
    TruncatedNormal(mean, stddev)   the same, values beyond mean ± 2·stddev redrawn
                                    (stddev NOT corrected: the values' std is 0.88·stddev)
    RandomUniform(minval, maxval)   w ~ U[minval, maxval)

Draws are made in float64 and cast to the requested dtype.
"""

from dlkit.initializers.base import RandomInitializer, check_positive, check_real, float_dtype
from dlkit.initializers.fans import check_shape


def truncated_normal(rng, shape, mean, stddev):
    """N(mean, stddev) in float64 with every draw outside mean ± 2·stddev redrawn."""
    z = rng.standard_normal(shape)
    outside = abs(z) > 2.0
    while outside.any():  # ~4.6 % per round, so a few rounds at most
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = abs(z) > 2.0
    return mean + stddev * z


class _MeanStddev(RandomInitializer):
    """A random initializer with a mean and a stddev (the two normal distributions)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = check_real(mean, "mean")
        self.stddev = check_positive(stddev, "stddev")
        super().__init__(seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomNormal(_MeanStddev):
    """w ~ N(mean, stddev²)."""

    def __call__(self, shape, dtype=None):
        dtype = float_dtype(dtype)
        return self._rng().normal(self.mean, self.stddev, check_shape(shape)).astype(dtype)


class TruncatedNormal(_MeanStddev):
    """w ~ N(mean, stddev²), values outside mean ± 2·stddev redrawn.

    stddev is NOT corrected, so the values' std is about 0.88·stddev
    (sqrt(1 - 4 φ(2) / (2 Φ(2) - 1)) = 0.8796...).
    """

    def __call__(self, shape, dtype=None):
        dtype = float_dtype(dtype)
        values = truncated_normal(self._rng(), check_shape(shape), self.mean, self.stddev)
        return values.astype(dtype)


class RandomUniform(RandomInitializer):
    """w ~ U[minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = check_real(minval, "minval")
        self.maxval = check_real(maxval, "maxval")
        if self.minval >= self.maxval:
            raise ValueError(f"minval must be < maxval, got minval={minval!r}, maxval={maxval!r}.")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = float_dtype(dtype)
        values = self._rng().uniform(self.minval, self.maxval, check_shape(shape))
        return values.astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}
