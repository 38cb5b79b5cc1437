"""Input validation shared by every dlkit module.

Each check raises an error that says what was expected and what came, so a
student sees ``y_true has shape (4,) but y_pred has shape (4, 1)`` instead of a
silent broadcast to (4, 4).
"""

import numpy as np

from dlkit import config


def as_float_array(x, name="x", dtype=None):
    """Return ``x`` as a floating NumPy array.

    Floating arrays keep their dtype (float32 stays float32, float64 stays
    float64); ints, bools, lists and scalars become ``dtype or floatx()``.
    Raises TypeError for non-numeric input (strings, objects, None).
    """
    if x is None:
        raise TypeError(f"{name} must be a numeric array, got None.")
    arr = np.asarray(x)
    if dtype is not None:
        target = np.dtype(dtype)
    elif isinstance(x, (np.ndarray, np.generic)) and np.issubdtype(arr.dtype, np.floating):
        return arr  # an explicit float array keeps its precision
    else:
        # Python floats and lists arrive as float64 from np.asarray; Keras makes them floatx.
        target = np.dtype(config.floatx())
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(
            f"{name} must be a numeric array, got dtype {arr.dtype} "
            f"(for example {_first_item(arr)!r})."
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real-valued, got dtype {arr.dtype}.")
    return arr.astype(target, copy=False)


def _first_item(arr):
    return arr.flat[0] if arr.size else None


def check_finite(x, name="x"):
    """Raise ValueError if ``x`` holds NaN or infinity, naming the first bad index."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        bad = np.argwhere(~np.isfinite(x))[0]
        where = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name} must be finite, but {name}[{', '.join(map(str, where))}] is "
            f"{x[where] if x.ndim else x!r} ({int((~np.isfinite(x)).sum())} non-finite values in all)."
        )
    return x


def check_same_shape(a, b, name_a="y_true", name_b="y_pred"):
    """Raise ValueError unless ``a`` and ``b`` have identical shapes (no broadcasting)."""
    if np.shape(a) != np.shape(b):
        hint = ""
        if sorted(np.shape(a)) == sorted(np.shape(b)) or (
            np.size(a) == np.size(b) and np.size(a) > 0
        ):
            hint = " (reshape one of them; dlkit never broadcasts (n,) against (n, 1))"
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {name_a} with shape "
            f"{np.shape(a)} and {name_b} with shape {np.shape(b)}{hint}."
        )


def check_rank(x, ranks, name="x"):
    """Raise ValueError unless ``x.ndim`` is one of ``ranks`` (an int or a tuple)."""
    ranks = (ranks,) if isinstance(ranks, int) else tuple(ranks)
    if np.ndim(x) not in ranks:
        want = " or ".join(str(r) for r in ranks)
        raise ValueError(f"{name} must have rank {want}, got shape {np.shape(x)} (rank {np.ndim(x)}).")
