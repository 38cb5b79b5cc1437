"""Read the committed Keras 3 parity fixtures (tests/fixtures/keras/<group>.json).

Format (written by tests/fixtures/generate_keras_fixtures.py)::

    {"group": "losses",
     "versions": {"keras": "3.x", "torch": "...", "numpy": "...", "backend": "torch", ...},
     "cases": [{"id": "binary_crossentropy-from_logits", ..., "y_pred": ARRAY, ...}, ...]}

An ARRAY is ``{"dtype": "float32", "data": <nested lists>}``; floats are written with the
shortest decimal that rounds back to the same float32, so decoding is bit-exact. Everything
else is plain JSON (names, kwargs, flags).
"""

import functools
import json
from pathlib import Path

import numpy as np

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "keras"
GROUPS = ("activations", "losses", "regularizers", "constraints", "initializers",
          "optimizers", "training")


def encode(value):
    """JSON-ready form of ``value``: arrays become ``{"dtype", "data"}`` dicts (see module doc)."""
    if isinstance(value, np.ndarray):
        return {"dtype": str(value.dtype), "data": _encode_data(value)}
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _encode_data(array):
    if array.dtype.kind != "f":
        return array.tolist()
    # str(np.float32) is the shortest decimal that round-trips; float() keeps it short in JSON.
    shortest = [float(str(v)) for v in array.ravel()]
    return np.array(shortest, dtype=object).reshape(array.shape).tolist()


def decode(value):
    """Inverse of :func:`encode`: array dicts become NumPy arrays of their recorded dtype."""
    if isinstance(value, dict):
        if set(value) == {"dtype", "data"}:
            return np.array(value["data"], dtype=value["dtype"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


@functools.cache
def load(group):
    """The decoded fixture file of ``group`` (one of :data:`GROUPS`)."""
    if group not in GROUPS:
        raise ValueError(f"Unknown fixture group {group!r}: expected one of {', '.join(GROUPS)}.")
    with open(FIXTURE_DIR / f"{group}.json", encoding="utf-8") as handle:
        return decode(json.load(handle))


def cases(group, where=None):
    """The cases of ``group`` (optionally only those for which ``where(case)`` is true)."""
    return [case for case in load(group)["cases"] if where is None or where(case)]


def params(group, where=None):
    """``pytest.param`` per case, with the case id as test id, for ``@pytest.mark.parametrize``."""
    import pytest  # here, so the generator can import this module without pytest

    return [pytest.param(case, id=case["id"]) for case in cases(group, where)]


def assert_allclose(actual, expected, rtol, atol, what=""):
    """Compare in float64 and name the worst element (value, Keras value) on failure."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (
        f"{what}: dlkit gives shape {actual.shape}, Keras {expected.shape}"
    )
    both_inf = np.isinf(expected) & (actual == expected)
    err = np.where(both_inf, 0.0, np.abs(actual - expected) - (atol + rtol * np.abs(expected)))
    err = np.where(np.isnan(err), np.inf, err)
    if (err > 0).any():
        i = np.unravel_index(np.argmax(err), err.shape)
        raise AssertionError(
            f"{what}: mismatch at index {i}: dlkit {actual[i]!r}, Keras {expected[i]!r} "
            f"({int((err > 0).sum())} of {err.size} elements off; rtol={rtol}, atol={atol})"
        )
