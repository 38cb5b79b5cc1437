"""Small builders for test inputs: fixed arrays in a given dtype and seeded random ones.

Every random input comes from the ``rng`` handed to a case generator, so the same
seed gives the same cases (the public seeds for feedback, a secret one for the grade).
"""

import numpy as np

F32, F64 = np.float32, np.float64


def f32(values):
    return np.asarray(values, dtype=F32)


def f64(values):
    return np.asarray(values, dtype=F64)


def normal(rng, shape, scale=1.0, dtype=F32):
    return (scale * rng.standard_normal(shape)).astype(dtype)


def uniform(rng, shape, low=-1.0, high=1.0, dtype=F32):
    return rng.uniform(low, high, size=shape).astype(dtype)


def probabilities(rng, shape, dtype=F32):
    """Values strictly inside (0, 1), away from the clipping region."""
    return rng.uniform(0.02, 0.98, size=shape).astype(dtype)


def labels01(rng, shape, dtype=F32):
    return rng.integers(0, 2, size=shape).astype(dtype)


def one_hot(rng, rows, classes, dtype=F32):
    return np.eye(classes, dtype=dtype)[rng.integers(0, classes, size=rows)]


def distributions(rng, rows, classes, dtype=F32):
    """Rows of positive numbers summing to 1 (a softmax output)."""
    p = rng.uniform(0.05, 1.0, size=(rows, classes))
    return (p / p.sum(axis=1, keepdims=True)).astype(dtype)
