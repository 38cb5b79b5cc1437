"""Short, readable descriptions of inputs and outputs for feedback messages.

``describe(np.array([[1, 2]], dtype=np.float32))`` -> "float32 array (1, 2) [[1., 2.]]":
type, dtype and shape first (most wrong answers differ there), then a few values.
"""

import numpy as np

from dlkit.grading.serialise import Opaque

_PRINT = dict(precision=4, threshold=12, edgeitems=2, max_line_width=10_000, suppress_small=False)


def describe(value, limit=240):
    """One line describing ``value`` (plain data as produced by serialise.decode)."""
    text = _describe(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array {value.shape} {_values(value)}"
    if isinstance(value, np.generic):
        return f"numpy {value.dtype} scalar {_values(np.asarray(value))}"
    if isinstance(value, (bool, int, float)):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, str):
        return f"str {value!r}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_describe(v) for v in value)
        return f"{type(value).__name__} of {len(value)}: ({inner})"
    if isinstance(value, dict):
        inner = ", ".join(f"{k!r}: {_describe(v)}" for k, v in value.items())
        return f"dict {{{inner}}}"
    if isinstance(value, Opaque):
        return f"a {value.description}"
    if value is None:
        return "None"
    if callable(value):
        return getattr(value, "description", None) or f"the function {getattr(value, '__name__', '?')}"
    return f"{type(value).__name__} object"


def _values(arr):
    if arr.dtype.kind not in "biufc":
        return ""
    return " ".join(np.array2string(arr, **_PRINT).split())


def describe_call(name, args, kwargs):
    """'softmax(x=float32 array (2, 3) [...], axis=0)' with parameter names when known."""
    parts = [describe(a, limit=160) for a in args]
    parts += [f"{k}={describe(v, limit=160)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"
