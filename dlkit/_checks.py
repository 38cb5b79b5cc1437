"""Input validation shared by every dlkit module.

Each check raises an error that says what was expected and what came, so a
student sees ``y_true has shape (4,) but y_pred has shape (4, 1)`` instead of a
silent broadcast to (4, 4).
"""

import numpy as np

from dlkit import config


def as_array(x, name="x"):
    """``np.asarray(x)``, but ragged nested lists raise a ValueError that says so."""
    try:
        return np.asarray(x)
    except ValueError:  # NumPy refuses lists whose rows have different lengths
        raise ValueError(
            f"{name} is not a tensor: its nested lists have different lengths, but every "
            "row of a tensor must have the same length."
        ) from None


def as_float_array(x, name="x", dtype=None):
    """Return ``x`` as a floating NumPy array.

    Floating arrays keep their dtype (float32 stays float32, float64 stays
    float64); ints, bools, lists and scalars become ``dtype or floatx()``.
    Raises TypeError for non-numeric input (strings, objects, None).
    """
    if x is None:
        raise TypeError(f"{name} must be a numeric array, got None.")
    arr = as_array(x, name)
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
    # tolist() gives a plain Python value, so the message reads 'a', not np.str_('a').
    return arr.ravel()[:1].tolist()[0] if arr.size else None


def check_finite(x, name="x"):
    """Raise ValueError if ``x`` holds NaN or infinity, naming the first bad entry."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
        where = f"{name}[{', '.join(map(str, bad))}]" if bad else name
        raise ValueError(
            f"{name} must be finite, but {where} is {float(x[bad])} "
            f"({int((~np.isfinite(x)).sum())} non-finite values in all)."
        )
    return x


def check_same_shape(a, b, name_a="y_true", name_b="y_pred"):
    """Raise ValueError unless ``a`` and ``b`` have identical shapes (no broadcasting)."""
    if np.shape(a) != np.shape(b):
        hint = ""
        if np.size(a) == np.size(b) and np.size(a) > 0:
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
        raise ValueError(
            f"{name} must have rank {want}, got shape {np.shape(x)} (rank {np.ndim(x)})."
        )
